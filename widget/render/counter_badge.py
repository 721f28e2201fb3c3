"""The counter's own badges: what the day's texts look like as a ``Badge``."""

from widget.render.badge import Badge, Style, Theme
from widget.render.palette import tone_of
from widget.text.catalog import CounterTexts


def counter_badge(texts: CounterTexts, ended: bool, style: Style, theme: Theme) -> Badge:
    """The badge showing ``texts``: the label, the count, and the sentence as its accessible name."""
    return Badge(
        label=texts.label,
        message=texts.message,
        title=texts.sentence,
        lang=texts.lang,
        direction=texts.direction,
        style=style,
        theme=theme,
        tone=tone_of(ended),
    )


def error_badge(problem: str, detail: str, style: Style = "flat", theme: Theme = "light") -> Badge:
    """A badge that tells a blogger, in place, what is wrong with the URL they pasted.

    ``problem`` is short and drawn; ``detail`` (which may quote the bad input) is only the
    accessible title, so arbitrary input never needs glyphs we lack.
    """
    return Badge(
        label="voipdown",
        message=problem,
        title=f"voipdown: {detail}",
        lang="en",
        direction="ltr",
        style=style,
        theme=theme,
        tone="error",
    )
