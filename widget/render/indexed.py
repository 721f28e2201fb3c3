"""Indexed (palette) PNG: a picture's colours reduced to a palette no pixel strays far from.

A badge has a few flat fills, a gradient a few levels deep and anti-aliased text: a few hundred
to two thousand distinct colours. An RGBA PNG spends four bytes on each pixel; a palette PNG
spends one, and compresses better. Pillow's quantizers choose a number of colours and leave rare
ones (the edges of text) far off, or move the fills; here the palette is chosen by median cut
with bounds instead:

- colours that fill much of the picture (the parts, each row of a gradient) get entries within
  ``FILL_ERROR`` of them, the most common of them exactly, so a flat part keeps its exact colour;
- every other colour (edges, where text is blended into its background) is given a fill's
  entry if one is within ``MAX_CHANNEL_ERROR`` in every channel, else shares an entry with
  colours within twice that, the entry standing within the bound of all of them;
- opaque and translucent colours never share an entry, so a badge's body stays opaque.

Other entries sit as near the average of their pixels as the bound allows. Most colours then have
several entries within their bound, and each pixel takes the one its left or upper neighbour took
where it can (``_steadiest``): longer runs for deflate, a tenth fewer bytes at no cost in accuracy.
The render tests measure the largest change of any channel of any pixel against the RGBA picture.
"""

import heapq
import io
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import itemgetter, mul

from PIL import Image

MAX_CHANNEL_ERROR = 12
"""The most any channel (alpha included) of any pixel may change, of 255: 4.7%, on anti-aliased edges only.

Far less than two renderers differ there: Chromium's own rendering of a flat badge's SVG at 2x
is up to 75-126 levels from cairo's painting on the same edges, with 6% of its pixels more than 12
away (mean 2.2-2.5 per channel; this palette's: 1.2). At 8, the French badge of an ended
block (the longest text) stayed at 3.8 KB at scale 2; at 12 it is 3.4 KB, under issue 10's 3.5 KB."""
FILL_ERROR = 1
"""The most a fill's colour may change: one level, the rounding of the RGBA picture itself."""
FILL_SHARE = 400
"""A colour covering at least 1/400 of the picture's pixels is a fill."""
MAX_COLORS = 256

Color = tuple[int, ...]
"""Red, green, blue and alpha, 0 to 255."""
Counted = tuple[int, Color]
"""A colour with the number of pixels it covers."""
_color = itemgetter(1)
"""A counted colour's colour."""
_count = itemgetter(0)
"""A counted colour's number of pixels."""
_BELOW = [bytes(value < middle for value in range(256)) for middle in range(257)]
"""For each threshold, a ``bytes.translate`` table marking the channel values under it."""
_AT_OR_ABOVE = [bytes(value >= middle for value in range(256)) for middle in range(257)]
"""For each threshold, a table marking the channel values at or over it."""


@dataclass(order=True)
class _Box:
    """Colours that will share one palette entry, with their pixel counts; ordered widest first.

    ``keys`` holds each colour's RGBA bytes, in the order of ``colors``, and ``packed`` all of them
    joined: every fourth byte is one channel of all of them, which slicing, ``set`` and
    ``bytes.translate`` read at C speed.
    """

    negative_extent: int
    colors: list[Counted] = field(compare=False)
    keys: list[bytes] = field(compare=False)
    packed: bytes = field(compare=False)
    channel: int = field(compare=False)
    lows: list[int] = field(compare=False)
    highs: list[int] = field(compare=False)

    @classmethod
    def of(cls, colors: list[Counted], keys: list[bytes]) -> "_Box":
        packed = b"".join(keys)
        values = [set(packed[channel::4]) for channel in range(4)]  # min and max of the distinct values: twice as fast
        lows, highs = list(map(min, values)), list(map(max, values))
        extents = [high - low for low, high in zip(lows, highs, strict=True)]
        widest = extents.index(max(extents))
        return cls(-extents[widest], colors, keys, packed, widest, lows, highs)

    def split(self) -> tuple["_Box", "_Box"]:
        """The box cut across its widest channel, half-way between its extremes."""
        middle = (self.lows[self.channel] + self.highs[self.channel] + 1) // 2
        channel = self.packed[self.channel :: 4]
        below, above = channel.translate(_BELOW[middle]), channel.translate(_AT_OR_ABOVE[middle])
        return (
            _Box.of(list(compress(self.colors, below)), list(compress(self.keys, below))),
            _Box.of(list(compress(self.colors, above)), list(compress(self.keys, above))),
        )

    def most_common_is_within(self, bound: int) -> bool:
        """Whether the box's most common colour is within ``bound`` of all its colours, so it can stand for them."""
        most_common = max(self.colors)[1]
        return all(_distance(most_common, color) <= bound for _, color in self.colors)

    def entry(self, bound: int, most_common: bool = False) -> Color:
        """The box's pixels' average colour (or its most common one), moved just enough to be within ``bound``
        of every colour in the box."""
        if most_common:
            target: list[float] = list(max(self.colors)[1])
        else:
            counts = list(map(_count, self.colors))
            pixels = sum(counts)
            target = [sum(map(mul, counts, self.packed[channel::4])) / pixels for channel in range(4)]
        return tuple(
            min(max(round(value), high - bound), low + bound)
            for value, low, high in zip(target, self.lows, self.highs, strict=True)
        )


def _median_cut(colors: list[Counted], bound: int, room: int) -> list[_Box]:
    """Boxes at most ``2 * bound`` wide in every channel (or ``room`` boxes, if that is too few)."""
    boxes = [_Box.of(colors, list(map(bytes, map(_color, colors))))] if colors else []
    while boxes and len(boxes) < room and -boxes[0].negative_extent > 2 * bound:
        for half in heapq.heappop(boxes).split():
            heapq.heappush(boxes, half)
    return boxes


def _distance(first: Color, second: Color) -> int:
    """The largest difference between two colours' channels."""
    return max(
        abs(first[0] - second[0]), abs(first[1] - second[1]), abs(first[2] - second[2]), abs(first[3] - second[3])
    )


def _palette(colors: list[Counted], room: int, fill_pixels: int) -> list[tuple[Color, list[Counted]]]:
    """Entries for ``colors``, each with the colours it stands for: fills first, then the rest.

    If ``room`` entries cannot hold every colour within ``MAX_CHANNEL_ERROR`` (a 4x gradient has
    hundreds of rows), the fills are allowed to move a little more, up to the same bound.
    """
    entries: list[tuple[Color, list[Counted]]] = []
    for fill_error in sorted({FILL_ERROR, 2 * FILL_ERROR, MAX_CHANNEL_ERROR // 2, MAX_CHANNEL_ERROR}):
        fill_boxes = [
            half  # a box 2 levels wide whose most common colour is at one edge is split, so that colour stays exact
            for box in _median_cut([counted for counted in colors if counted[0] >= fill_pixels], fill_error, room // 2)
            for half in ((box,) if box.most_common_is_within(fill_error) else box.split())
        ]
        fills = sorted(
            ((box.entry(fill_error, most_common=True), box.colors) for box in fill_boxes),
            key=lambda filled: filled[0][0],
        )
        reds = [entry[0] for entry, _ in fills]
        others = []
        for counted in colors:
            if counted[0] >= fill_pixels:
                continue
            red, green, blue, alpha = counted[1]
            closest, nearest = MAX_CHANNEL_ERROR + 1, None
            for filled in fills[
                bisect_left(reds, red - MAX_CHANNEL_ERROR) : bisect_right(reds, red + MAX_CHANNEL_ERROR)
            ]:
                entry = filled[0]
                if (  # nearer than the nearest so far in every channel; only then is its distance worth taking
                    -closest < entry[1] - green < closest
                    and -closest < entry[2] - blue < closest
                    and -closest < entry[3] - alpha < closest
                ):
                    distance = max(
                        abs(entry[0] - red), abs(entry[1] - green), abs(entry[2] - blue), abs(entry[3] - alpha)
                    )
                    if distance < closest:
                        closest, nearest = distance, filled
            if nearest is not None:
                nearest[1].append(counted)  # an edge pixel close enough to a fill takes the fill's entry
            else:
                others.append(counted)
        rest = _median_cut(others, MAX_CHANNEL_ERROR, room - len(fills))
        entries = [*fills, *((box.entry(MAX_CHANNEL_ERROR), box.colors) for box in rest)]
        if all(-box.negative_extent <= 2 * MAX_CHANNEL_ERROR for box in [*fill_boxes, *rest]):
            break
    return entries


_WITHIN = {
    bound: [bytes(abs(value - centre) <= bound for value in range(256)) for centre in range(256)]
    for bound in (FILL_ERROR, MAX_CHANNEL_ERROR)
}
"""For each bound and channel value, a ``bytes.translate`` table marking the channel values within the bound of it."""


@dataclass(frozen=True)
class Choices:
    """Which colours each palette entry may stand for, and the entry each colour takes when free to choose."""

    covers: list[set[bytes]]
    """For each entry, the RGBA bytes of every colour it may stand for; then one more, empty: no entry."""
    most_used: dict[bytes, int]
    """For each colour, of the entries that may stand for it, the one that stands for the most pixels."""

    @property
    def nothing(self) -> int:
        """The index of the empty cover, which stands for no colour: "no entry yet"."""
        return len(self.covers) - 1


def _choices(
    entries: Sequence[tuple[Color, list[Counted]]], translucent: int, fill_pixels: int, usage: Sequence[int]
) -> Choices:
    """Every colour each entry may stand for: its own colours, and the others of the same kind (opaque
    or translucent) within ``FILL_ERROR`` of it for a fill, within ``MAX_CHANNEL_ERROR`` for any other
    colour; and for each colour the most used entry (``usage``: pixels per entry) that may stand for
    it, its own on a tie, else the one with the least red.

    The work goes entry by entry, a few dozen, rather than colour by colour, a thousand: the colours
    within a bound of an entry are marked with one ``bytes.translate`` per channel over all the
    colours' values of that channel, and the marks of the four channels joined as the bits of an
    integer, at C speed."""
    owners = [list(map(bytes, map(_color, members))) for _, members in entries]
    covers: list[set[bytes]] = []
    for kind in (range(translucent), range(translucent, len(entries))):
        keys = list(chain.from_iterable(owners[index] for index in kind))
        counts = list(map(_count, chain.from_iterable(entries[index][1] for index in kind)))
        groups = []
        edges, fills = map(fill_pixels.__gt__, counts), map(fill_pixels.__le__, counts)
        for chosen, bound in ((edges, MAX_CHANNEL_ERROR), (fills, FILL_ERROR)):
            group = list(compress(keys, chosen))
            packed = b"".join(group)
            groups.append((group, [packed[channel::4] for channel in range(4)], _WITHIN[bound]))
        for index in kind:
            entry = entries[index][0]
            covered = set(owners[index])
            for group, channels, within in groups:
                marks = (
                    int.from_bytes(channels[0].translate(within[entry[0]]))
                    & int.from_bytes(channels[1].translate(within[entry[1]]))
                    & int.from_bytes(channels[2].translate(within[entry[2]]))
                    & int.from_bytes(channels[3].translate(within[entry[3]]))
                )
                if marks:
                    covered.update(compress(group, marks.to_bytes(len(group))))
            covers.append(covered)
    covers.append(set())
    red_rank = [0] * len(entries)
    for rank, index in enumerate(sorted(range(len(entries)), key=lambda index: entries[index][0][0])):
        red_rank[index] = rank
    most_used: dict[bytes, int] = {}
    for index in sorted(range(len(entries)), key=lambda index: (usage[index], -red_rank[index])):
        most_used.update(dict.fromkeys(covers[index], index))  # the most used entry is written last
    shared = {pixels for pixels, entries_using in Counter(usage).items() if entries_using > 1}
    for index in (index for index in range(len(entries)) if usage[index] in shared):
        for key in owners[index]:  # a tie: the colour keeps its own entry
            if usage[most_used[key]] == usage[index]:
                most_used[key] = index
    return Choices(covers, most_used)


BYTES = [bytes((index,)) for index in range(MAX_COLORS)]
"""Each palette index as a byte string, to fill a run with."""
RUN = re.compile(b"((....)\\2*)", re.DOTALL)
"""A run of pixels of one colour, in RGBA bytes, and that colour."""
ROWS_PER_BAND = 16
"""Rows whose runs are listed at once: a run cut at a band's edge is chosen for as if it were whole."""


def _steadiest(pixels: bytes, choices: Choices, width: int) -> bytearray:
    """Each pixel's entry, chosen among the entries that may stand for its colour so that rows repeat as
    much as the bounds permit. A run of one colour takes one entry: the one before it if that may stand
    for the run's colour, else the one above the run's start, else the one that stands for the most
    pixels. Deflate then finds longer runs and fewer distinct bytes: a tenth fewer bytes, with no pixel
    further from its colour than the bounds allow."""
    indices = bytearray(len(pixels) // 4)
    covers, most_used = choices.covers, choices.most_used
    before = nothing = choices.nothing
    position = 0
    band = 4 * width * ROWS_PER_BAND
    for band_start in range(0, len(pixels), band):  # a band at a time: a card has a hundred thousand runs
        for run, color in RUN.findall(pixels, band_start, band_start + band):
            if color not in covers[before]:
                above = indices[position - width] if position >= width else nothing
                before = above if color in covers[above] else most_used[color]
            length = len(run) >> 2
            if length == 1:  # most runs, on anti-aliased edges
                indices[position] = before
            else:
                indices[position : position + length] = BYTES[before] * length
            position += length
    return indices


def indexed_png(picture: Image.Image) -> bytes:
    """``picture`` (RGBA) as a palette PNG with transparency, no channel of any pixel moved by more than
    ``MAX_CHANNEL_ERROR``. Translucent entries come first, so the transparency chunk lists only them.
    """
    counted = picture.getcolors(picture.width * picture.height) or []  # never more colours than pixels
    colors = [(count, color) for count, color in counted if isinstance(color, tuple)]
    fill_pixels = max(2, picture.width * picture.height // FILL_SHARE)
    translucent = _palette([counted for counted in colors if counted[1][3] < 255], MAX_COLORS // 2, fill_pixels)
    opaque = _palette(
        [counted for counted in colors if counted[1][3] == 255], MAX_COLORS - len(translucent), fill_pixels
    )
    entries = [*translucent, *opaque]
    usage = [sum(count for count, _ in members) for _, members in entries]
    indices = _steadiest(picture.tobytes(), _choices(entries, len(translucent), fill_pixels, usage), picture.width)
    used = [index for index in range(len(entries)) if index in indices]  # in order: translucent ones still first
    renumbered = bytearray(MAX_COLORS)
    for number, index in enumerate(used):
        renumbered[index] = number
    indexed = Image.frombytes("P", picture.size, bytes(indices.translate(renumbered)))
    indexed.putpalette([channel for index in used for channel in entries[index][0][:3]])
    alphas = bytes(entries[index][0][3] for index in used if index < len(translucent))
    output = io.BytesIO()
    indexed.save(output, "PNG", compress_level=9, **({"transparency": alphas} if alphas else {}))
    return output.getvalue()
