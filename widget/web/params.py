"""Query parameters: every URL parameter we accept, parsed strictly, with errors that say why.

Public URLs are pasted into pages nobody edits again, so a parameter, once named, keeps its
meaning forever. A parameter we do not know, a repeated one, or a value outside its choices is
an error that names the parameter and lists what is allowed; an empty value means the default.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

MAX_SHOWN_VALUE = 40
"""Bad values are quoted back in errors, cut to this many characters."""


class ParameterError(ValueError):
    """A query parameter that cannot be used; ``str()`` is the message shown to the user."""

    def __init__(self, parameter: str, message: str, problem: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.problem = problem
        """A few words short enough to draw on an error badge."""


@dataclass(frozen=True)
class Choice:
    """A parameter whose value is one of a fixed, ordered set."""

    name: str
    values: tuple[str, ...]
    default: str


def _shown(value: str) -> str:
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


def parse_query(args: MultiDict[str, str], choices: Iterable[Choice]) -> Mapping[str, str]:
    """The value of every choice in ``choices``, from ``args`` or the default.

    Values are matched case-insensitively, so ``lang=AR`` works as ``lang=ar`` does.
    """
    by_name = {choice.name: choice for choice in choices}
    for name in args:
        if name not in by_name:
            allowed = ", ".join(by_name) or "none"
            raise ParameterError(
                name, f"unknown parameter {_shown(name)!r}; parameters here: {allowed}", "unknown parameter"
            )
    parsed = {}
    for name, choice in by_name.items():
        given = args.getlist(name)
        if len(given) > 1:
            raise ParameterError(
                name, f"parameter {name!r} is given {len(given)} times; give it once", f"{name} repeated"
            )
        value = given[0].strip().lower() if given else ""
        if not value:
            parsed[name] = choice.default
        elif value in choice.values:
            parsed[name] = value
        else:
            allowed = ", ".join(choice.values)
            raise ParameterError(
                name, f"{name}={_shown(given[0])!r} is not allowed; use one of: {allowed}", f"bad {name}"
            )
    return parsed
