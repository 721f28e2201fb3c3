"""PNG badges: the SVG rasterised by cairosvg, so both formats are the same picture.

The SVG holds only paths, rectangles and gradients, which cairo draws exactly; text was already
shaped and outlined, so cairosvg's lack of text shaping does not matter. cairosvg loads the
system's cairo library when it is imported, so the import waits until a PNG is first needed:
requests for SVG, JSON or the script never pay for it, and never fail without it.
"""

from functools import cache
from types import ModuleType

SCALES = (1, 2, 3, 4)
INSTALL_HINT = "install the cairo library (Debian/Ubuntu: apt-get install libcairo2)"


class PngUnavailableError(RuntimeError):
    """cairosvg or the system cairo library it needs cannot be loaded."""


@cache
def _cairosvg() -> ModuleType:
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        raise PngUnavailableError(f"PNG rendering is unavailable: {INSTALL_HINT} ({error})") from error
    return cairosvg


def svg_to_png(svg: str, scale: int = 1) -> bytes:
    """Rasterise ``svg`` at ``scale`` times its size; ``PngUnavailableError`` without cairo."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    return _cairosvg().svg2png(bytestring=svg.encode("utf-8"), scale=scale)
