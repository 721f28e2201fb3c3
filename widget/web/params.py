"""Query parameters: every URL parameter we accept, parsed strictly into typed values, with errors that say why.

Public URLs are pasted into pages nobody edits again, so a parameter, once named, keeps its
meaning forever. A parameter we do not know, a repeated one, or a value outside its choices is
an error that names the parameter and lists what is allowed; an empty value means the default.
An error never quotes what was sent: its words are fixed per parameter and problem, so a stream
of junk values makes no new answer to build or keep (and nothing from the request is reflected).

Names are matched exactly (``lang``, never ``LANG``): a URL is a program's input and one spelling
per name keeps every cache keyed on one spelling. Values are matched case-insensitively and
without surrounding spaces (``lang=AR`` is ``lang=ar``), because people type them.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from werkzeug.datastructures import MultiDict

from widget.text.catalog import available_languages

ValueT = TypeVar("ValueT", bound=str | int, covariant=True)
"""A choice's value type: a ``Literal`` of strings (``Style``), ``str`` or ``int``."""
ChosenT = TypeVar("ChosenT", bound=str | int)


class ParameterError(ValueError):
    """A query parameter that cannot be used; ``str()`` is the message shown to the user."""

    def __init__(self, parameter: str | None, message: str, problem: str, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        """The parameter at fault, or ``None`` for one the URL does not take (its name is not repeated)."""
        self.problem = problem
        """A few words short enough to draw on an error badge."""
        self.status = status
        """``400`` for a query that cannot be used; ``404`` for a path naming something that does not exist."""


@dataclass(frozen=True)
class Choice(Generic[ValueT]):
    """A parameter whose value is one of a fixed, ordered set of typed values (a ``Literal``'s, or ints).

    A value is matched by its text, so ``Choice("scale", (1, 2), 1)`` reads ``scale=2`` as ``2``.
    """

    name: str
    values: tuple[ValueT, ...]
    default: ValueT

    def match(self, given: str) -> ValueT | None:
        """The value ``given`` spells, ignoring case and surrounding spaces, or ``None``."""
        return self.named(given.strip().lower())

    def named(self, given: str) -> ValueT | None:
        """The value written exactly ``given`` (as a path names it), or ``None``."""
        return next((value for value in self.values if str(value) == given), None)

    def refusal(self, status: int = 400) -> ParameterError:
        """The error for a value outside this choice's values: it lists them, and never quotes what was sent."""
        allowed = ", ".join(str(value) for value in self.values)
        return ParameterError(
            self.name, f"this {self.name} is not allowed; use one of: {allowed}", f"bad {self.name}", status
        )


@dataclass(frozen=True)
class Ignored:
    """A parameter accepted and then ignored: it only makes URLs distinct (a date, a cache buster).

    With ``form``, it may be given once and, when not empty, must match ``form``, so a typo in
    it is reported rather than silently kept in a URL; without, any value, any number of times.
    """

    name: str
    form: re.Pattern[str] | None = None
    description: str = ""
    """What ``form`` means, for the error message (``a date written YYYY-MM-DD``)."""


DAY = Ignored("day", re.compile(r"\d{4}-\d{2}-\d{2}"), "a date written YYYY-MM-DD")
"""The embed script sets ``day`` on its pictures to the date their texts are for, so each day's picture has
its own URL: a browser keeps an image by URL for the life of a page, and would show yesterday's number."""


def language_choice(default_lang: str) -> Choice[str]:
    """``lang``: a language with a translation file (read at each call, so a new file needs no code)."""
    return Choice("lang", available_languages(), default_lang)


class Query:
    """The values of a request's parameters, each read back with the type of its ``Choice``."""

    def __init__(self, chosen: dict[str, int]) -> None:
        self._chosen = chosen

    def __getitem__(self, choice: Choice[ChosenT]) -> ChosenT:
        """The value given for ``choice``, or its default."""
        index = self._chosen.get(choice.name)
        return choice.default if index is None else choice.values[index]


def _check_ignored(args: MultiDict[str, str], ignored: Ignored) -> None:
    if ignored.form is None:
        return
    given = args.getlist(ignored.name)
    if len(given) > 1:
        raise ParameterError(
            ignored.name, f"{ignored.name} is given more than once; give it once", f"{ignored.name} repeated"
        )
    if given and given[0] and not ignored.form.fullmatch(given[0]):
        raise ParameterError(ignored.name, f"{ignored.name} must be {ignored.description}", f"bad {ignored.name}")


def parse_query(
    args: MultiDict[str, str], choices: Sequence[Choice[str | int]], ignored: Iterable[Ignored] = ()
) -> Query:
    """The value of every choice in ``choices``, from ``args`` or the default; ``ignored`` are checked, then dropped.

    Raises ``ParameterError`` for the first problem found: an unknown parameter, then (in the
    order of ``choices``) a repeated one or a value outside its choices.
    """
    by_name = {choice.name: choice for choice in choices}
    ignored_by_name = {parameter.name: parameter for parameter in ignored}
    for name in args:
        if name not in by_name and name not in ignored_by_name:
            allowed = ", ".join(by_name) or "none"
            raise ParameterError(None, f"unknown parameter; parameters here: {allowed}", "unknown parameter")
    for parameter in ignored_by_name.values():
        _check_ignored(args, parameter)
    chosen: dict[str, int] = {}
    for name, choice in by_name.items():
        given = args.getlist(name)
        if len(given) > 1:
            raise ParameterError(name, f"{name} is given more than once; give it once", f"{name} repeated")
        if not given or not given[0].strip():
            continue
        value = choice.match(given[0])
        if value is None:
            raise choice.refusal()
        chosen[name] = choice.values.index(value)
    return Query(chosen)


def read_segments(
    segments: Mapping[str, str], choices: Sequence[Choice[str | int]], ignored: Iterable[Ignored] = ()
) -> Query:
    """The value of every choice in ``choices`` from a path's ``segments``, each written exactly; ``ignored`` checked.

    A path names every value (there are no defaults) and a static host matches it byte for byte,
    so ``FR`` or `` fr`` is no ``fr`` here. Raises ``ParameterError`` with status ``404`` for the
    first segment that names nothing (``widget.web.paths``).
    """
    for parameter in ignored:
        given = segments.get(parameter.name, "")
        if parameter.form is not None and not parameter.form.fullmatch(given):
            raise ParameterError(
                parameter.name, f"{parameter.name} must be {parameter.description}", f"bad {parameter.name}", 404
            )
    chosen: dict[str, int] = {}
    for choice in choices:
        value = choice.named(segments.get(choice.name, ""))
        if value is None:
            raise choice.refusal(404)
        chosen[choice.name] = choice.values.index(value)
    return Query(chosen)
