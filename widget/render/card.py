"""The social card: a pure function from what the counter says today to a 1200x630 SVG.

Facebook, X and chat apps show this picture when someone shares the landing page, so it must
carry the count readably at thumbnail size and in every language. Like the badges, the text is
shaped with HarfBuzz and drawn as glyph outlines: cairosvg then rasterises it without needing
to shape anything (it cannot), and Arabic comes out joined and right-to-left.
"""

from dataclasses import dataclass

from widget.layout.fonts import Weight
from widget.layout.shaping import Direction, ShapedLine, shape_line
from widget.render.document import svg_head
from widget.render.glyphs import PlacedLine, grid_transform, outline_text
from widget.render.palette import Tone, accent, accent_shade, accent_text
from widget.render.placement import centred_baseline, centred_left

WIDTH = 1200
HEIGHT = 630
"""The size Open Graph and X's large summary card expect (1.91:1)."""

MARGIN = 70
BAND_HEIGHT = 100
MESSAGE_MAX_SIZE = 190.0
SENTENCE_MAX_SIZE = 50.0
SENTENCE_MIN_SIZE = 30.0
SENTENCE_MAX_LINES = 3
LABEL_SIZE = 38.0


@dataclass(frozen=True)
class Card:
    """What the card says: the whole input of ``render_card_svg``."""

    message: str
    """The count with its unit ("3 979 jours"), drawn large."""
    sentence: str
    """The full sentence, drawn below the count and used as the accessible name."""
    label: str
    """The counter's label, drawn in the bottom band."""
    lang: str
    direction: Direction
    tone: Tone = "running"


@dataclass(frozen=True)
class CardLine:
    """One laid-out line of the card: the shaped text and its baseline, centred horizontally."""

    text: str
    line: ShapedLine
    baseline: float

    @property
    def left(self) -> float:
        """The x of the line's left end, so that its ink is centred on the card."""
        return centred_left(self.line, 0, WIDTH)


def wrap_words(text: str, size: float, weight: Weight, direction: Direction, max_width: float) -> list[str]:
    """``text`` cut between words into lines no wider than ``max_width`` when shaped at ``size``.

    Cutting happens in logical order, then each line is shaped on its own, so a right-to-left
    line still starts at the right. A single word wider than ``max_width`` gets a line of its own.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and shape_line(candidate, size, weight, direction).width > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _fit_message(card: Card) -> ShapedLine:
    """The count line at the largest size up to ``MESSAGE_MAX_SIZE`` that fits between the margins."""
    line = shape_line(card.message, MESSAGE_MAX_SIZE, Weight.BOLD, card.direction)
    available = WIDTH - 2 * MARGIN
    if line.width <= available:
        return line
    return shape_line(card.message, MESSAGE_MAX_SIZE * available / line.width, Weight.BOLD, card.direction)


def balanced_wrap(text: str, size: float, weight: Weight, direction: Direction, max_width: float) -> list[str]:
    """``wrap_words`` with the narrowest width giving as few lines: no lonely last word."""
    lines = wrap_words(text, size, weight, direction, max_width)
    low, high = max_width / 2, max_width
    while high - low > 4:
        middle = (low + high) / 2
        if len(wrap_words(text, size, weight, direction, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap_words(text, size, weight, direction, high)


def _fit_sentence(card: Card) -> tuple[float, list[str]]:
    """The sentence's size and lines: as large as possible within ``SENTENCE_MAX_LINES`` lines."""
    size = SENTENCE_MAX_SIZE
    while True:
        lines = balanced_wrap(card.sentence, size, Weight.REGULAR, card.direction, WIDTH - 2 * MARGIN)
        if len(lines) <= SENTENCE_MAX_LINES or size <= SENTENCE_MIN_SIZE:
            return size, lines
        size -= 4


def layout_card(card: Card) -> list[CardLine]:
    """Every line of text on the card: the count, the sentence's lines, then the label in the band."""
    message = _fit_message(card)
    sentence_size, sentence_texts = _fit_sentence(card)
    message_height = message.size * 1.15
    sentence_line_height = sentence_size * 1.45
    gap = sentence_size * 0.6
    block_height = message_height + gap + sentence_line_height * len(sentence_texts)
    top = (HEIGHT - BAND_HEIGHT - block_height) / 2

    lines = [CardLine(card.message, message, centred_baseline([message], top, message_height))]
    sentence = [shape_line(text, sentence_size, Weight.REGULAR, card.direction) for text in sentence_texts]
    offset = centred_baseline(sentence, 0, sentence_line_height)  # one for all lines: evenly spaced
    for index, (text, shaped) in enumerate(zip(sentence_texts, sentence, strict=True)):
        lines.append(CardLine(text, shaped, top + message_height + gap + index * sentence_line_height + offset))
    label = shape_line(card.label, LABEL_SIZE, Weight.REGULAR, card.direction)
    if label.width > WIDTH - 2 * MARGIN:
        label = shape_line(card.label, LABEL_SIZE * (WIDTH - 2 * MARGIN) / label.width, Weight.REGULAR, card.direction)
    lines.append(CardLine(card.label, label, centred_baseline([label], HEIGHT - BAND_HEIGHT, BAND_HEIGHT)))
    return lines


def render_card_svg(card: Card) -> str:
    """The card as a standalone SVG document, accessible by its sentence.

    The card is the tone's accent with a darker band, the colours the page's banner and the
    ribbon use, and white text on both (a contrast above 5:1, readable even as a thumbnail).
    """
    out = [
        svg_head(WIDTH, HEIGHT, card.sentence, card.lang),
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{accent(card.tone)}"/>',
        f'<rect y="{HEIGHT - BAND_HEIGHT}" width="{WIDTH}" height="{BAND_HEIGHT}" fill="{accent_shade(card.tone)}"/>',
    ]
    lines = [PlacedLine(line.line, line.left, line.baseline) for line in layout_card(card)]
    outlines = outline_text([lines])
    if outlines.definitions:
        out.append(f"<defs>{outlines.definitions}</defs>")
    out.append(f'<g transform="{grid_transform()}" fill="{accent_text(card.tone)}">{outlines.drawings[0]}</g></svg>')
    return "".join(out)
