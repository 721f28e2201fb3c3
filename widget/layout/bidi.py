"""The Unicode bidirectional algorithm (UAX #9) for one line of text without explicit embeddings.

HarfBuzz shapes runs of one direction; it needs each character's embedding level to split a
line into those runs and to put the runs in visual order. python-bidi's default ``get_display``
returns only the reordered string. Its legacy pure-Python ``bidi.algorithm`` does resolve levels,
but only inside a dictionary that five step functions mutate in turn (no call returns them), and
it drops boundary neutrals such as the zero-width joiner from its result (rule X9), whose levels
we need to keep a joiner with its letter; it would also turn a test-only package into a runtime
one. So this module resolves levels itself, in a hundred lines. Explicit embedding and isolate
controls are not supported: the texts we lay out are our own translations and numbers, and
``resolve_levels`` treats any such control as a neutral. The tests check the levels and the
visual order against python-bidi.
"""

import unicodedata

STRONG_TYPES = frozenset({"L", "R", "AL"})
NEUTRAL_TYPES = frozenset({"B", "S", "WS", "ON", "BN"})
EXPLICIT_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def bidi_class(character: str) -> str:
    """The bidirectional class of ``character``, with explicit controls treated as neutrals."""
    kind = unicodedata.bidirectional(character) or "L"
    return "ON" if kind in EXPLICIT_CONTROLS else kind


def _resolve_weak_types(types: list[str], start_type: str) -> None:
    """Rules W1-W7, in place. ``start_type`` is the paragraph's direction (L or R)."""
    previous = start_type
    for index, kind in enumerate(types):  # W1: marks take the type of what they follow
        if kind == "NSM":
            types[index] = previous
        previous = types[index]
    last_strong = start_type
    for index, kind in enumerate(types):  # W2: European digits after Arabic letters are Arabic numbers
        if kind in STRONG_TYPES:
            last_strong = kind
        elif kind == "EN" and last_strong == "AL":
            types[index] = "AN"
    types[:] = ["R" if kind == "AL" else kind for kind in types]  # W3
    for index in range(1, len(types) - 1):  # W4: one separator between two numbers joins them
        before, kind, after = types[index - 1], types[index], types[index + 1]
        if kind == "ES" and before == after == "EN":
            types[index] = "EN"
        elif kind == "CS" and before == after and before in ("EN", "AN"):
            types[index] = before
    for index, kind in enumerate(types):  # W5: terminators (%, currency) next to numbers join them
        if kind == "ET":
            end = index
            while end < len(types) and types[end] == "ET":
                end += 1
            touches_number = (index > 0 and types[index - 1] == "EN") or (end < len(types) and types[end] == "EN")
            if touches_number:
                types[index:end] = ["EN"] * (end - index)
    types[:] = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]  # W6
    last_strong = start_type
    for index, kind in enumerate(types):  # W7: European digits in a left-to-right context are L
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[index] = "L"


def _resolve_neutral_types(types: list[str], start_type: str) -> None:
    """Rules N1-N2, in place: neutrals take the direction around them, else the paragraph's."""
    index = 0
    while index < len(types):
        if types[index] not in NEUTRAL_TYPES:
            index += 1
            continue
        end = index
        while end < len(types) and types[end] in NEUTRAL_TYPES:
            end += 1
        before = start_type if index == 0 else types[index - 1]
        after = start_type if end == len(types) else types[end]
        before = "R" if before in ("EN", "AN") else before
        after = "R" if after in ("EN", "AN") else after
        resolved = before if before == after else start_type
        types[index:end] = [resolved] * (end - index)
        index = end


def resolve_levels(text: str, base_level: int) -> list[int]:
    """The embedding level of each character of ``text`` in a paragraph at ``base_level`` (0 or 1).

    Boundary neutrals (joiners, format characters) are set aside as rule X9 says, so a
    zero-width joiner never splits a mark from its letter, and then take the level of the
    character before them.
    """
    original = [bidi_class(character) for character in text]
    kept = [index for index, kind in enumerate(original) if kind != "BN"]
    types = [original[index] for index in kept]
    start_type = "R" if base_level % 2 else "L"
    _resolve_weak_types(types, start_type)
    _resolve_neutral_types(types, start_type)
    kept_levels = []
    for kind in types:  # I1-I2
        if base_level % 2 == 0:
            kept_levels.append(base_level + (1 if kind == "R" else 2 if kind in ("AN", "EN") else 0))
        else:
            kept_levels.append(base_level + (1 if kind in ("L", "EN", "AN") else 0))
    kept_kinds = [original[index] for index in kept]
    reset_to_base = True  # L1: separators, and spaces before them or at the end, go back to the base level
    for position in range(len(kept) - 1, -1, -1):
        kind = kept_kinds[position]
        if kind in ("S", "B"):
            reset_to_base = True
        elif kind != "WS":
            reset_to_base = False
        if reset_to_base and kind in ("S", "B", "WS"):
            kept_levels[position] = base_level
    levels = [base_level] * len(text)
    for position, index in enumerate(kept):
        levels[index] = kept_levels[position]
    previous = base_level
    for index, kind in enumerate(original):
        if kind == "BN":
            levels[index] = previous
        previous = levels[index]
    return levels


def visual_order(levels: list[int]) -> list[int]:
    """Rule L2: the indices of ``levels`` in the order they appear from left to right."""
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min(level for level in levels if level % 2) if any(level % 2 for level in levels) else None
    if lowest_odd is None:
        return order
    for level in range(max(levels), lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end < len(order) and levels[order[end]] >= level:
                    end += 1
                order[index:end] = reversed(order[index:end])
                index = end
            else:
                index += 1
    return order
