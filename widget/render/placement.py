"""Where a line of text sits in its box: centred on what it draws.

Horizontally a line is centred on its ink, not on its advances: the advances end with the space
after the last letter (and, in ``for-the-badge``, with its letter spacing), which would leave the
text a pixel off centre.

Vertically, Latin and Tifinagh are centred on the capital height, as shields.io's badges are: a
line's own ink moves with its letters (``jours`` hangs a descender below the line), and badges
side by side would not line up. Arabic has no capitals; its letters rise above the line and
their dots fall below it, so centred on the Latin capitals it sat low (1.5 px from the bottom of
a 20 px badge, 6 px from the top). An Arabic line is centred on its own ink.
"""

from collections.abc import Sequence

from widget.layout.fonts import Script, cap_height_em
from widget.layout.shaping import ShapedLine


def centred_left(line: ShapedLine, left: float, width: float) -> float:
    """The x of ``line``'s left end that centres its ink between ``left`` and ``left + width``."""
    if line.ink is None:
        return left + (width - line.width) / 2
    return left + (width - (line.ink.right - line.ink.left)) / 2 - line.ink.left


def centred_baseline(lines: Sequence[ShapedLine], top: float, height: float) -> float:
    """The baseline (y down) that centres ``lines``, set on one baseline, between ``top`` and ``top + height``.

    Lines that belong together (a badge's two parts, a paragraph's lines) share a baseline, so it
    is their ink together that is centred.
    """
    inks = [line.ink for line in lines if line.ink is not None]
    if inks and any(Script.ARABIC in line.scripts for line in lines):
        return top + (height + max(ink.top for ink in inks) + min(ink.bottom for ink in inks)) / 2
    return top + (height + cap_height_em() * max(line.size for line in lines)) / 2
