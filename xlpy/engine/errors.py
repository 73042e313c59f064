"""The engine's error channel: named exceptions whose message names the field.

Only the outer layers (the command line, the worksheet functions, the refresh
macros) turn these into exit codes, cell messages or dialog text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

__all__ = ["XlpyError", "InputError", "InputErrors", "BeforeRecords", "Busy", "Counted", "MoreProblems", "Problems",
           "capped", "one_line"]


class XlpyError(Exception):
    """Base class of every error xlpy raises on purpose.

    Each pickles whole (its field, value, reason and problems), so a worker process of a pool hands a deal's
    refusal back to the script that sent it, rather than breaking the pool (an error rebuilt from its message
    alone missed its constructor's arguments).
    """

    def __reduce__(self):
        import pickle

        state = dict(self.__dict__)
        if "value" in state:
            try:
                pickle.dumps(state["value"])
            except Exception:  # noqa: BLE001  (a value of a script's own that cannot cross: its text, as shown)
                state["value"] = repr(state["value"])
        return _rebuilt, (type(self), self.args, state)


def _rebuilt(kind: type, args: tuple, state: dict) -> XlpyError:
    """An :class:`XlpyError` unpickled: made without its constructor, then given its message and attributes."""
    error = kind.__new__(kind, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class InputError(XlpyError, ValueError):
    """One bad input: which field, what value, what is wrong.

    Attributes
    ----------
    field : str
        Where the value came from: an offer-file key (``offer.outstanding``),
        a CSV cell (``row 12, column units``) or a function argument (``price``).
    value : object
        The value as it was given.
    reason : str
        What is wrong, phrased to follow the field: ``must be > 0``.
    """

    def __init__(self, field: str, value: object, reason: str, *, show_value: bool = True):
        self.field = one_line(field)  # (a header Excel wraps, "Shares<Alt+Enter>Tendered", named in either)
        self.value = value
        self.reason = one_line(reason)
        self.show_value = show_value
        super().__init__(str(self))

    @property
    def got(self) -> str:
        """The value as the message shows it (``'464777'``, ``nothing``), or "" when it is not shown."""
        return _show(self.value) if self.show_value else ""

    def __str__(self) -> str:
        if not self.show_value:
            return f"{self.field}: {self.reason}"
        return f"{self.field}: {self.reason}, got {self.got}"

    def located(self, where: str) -> "InputError":
        """The same problem with *where* (a file name) put before the field."""
        return type(self)(f"{where}: {self.field}", self.value, self.reason, show_value=self.show_value)


def one_line(text):
    """*text* with each line break (and the spaces around it) as one space: a problem is one line."""
    if not isinstance(text, str) or ("\n" not in text and "\r" not in text):
        return text
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text)


class Busy(InputError):
    """A file in use elsewhere: open in Excel or LibreOffice, being written by another xlpy or program, or saved
    while it was read.  Nothing was changed, and the same command may succeed later (the command line's exit
    status 3, which a scheduled job can retry, where 2 is bad input that only an edit mends)."""


class BeforeRecords(InputError):
    """Dates a trading calendar holds no records of: all before :attr:`start`, the first day it knows.  The date
    asked about is at fault, not the calendar (an offer's expiration before the calendar's records begin)."""

    def __init__(self, field: str, value: object, reason: str, *, show_value: bool = True, start=None):
        self.start = start
        super().__init__(field, value, reason, show_value=show_value)


class Counted(int):
    """A whole count of units, shares, lines or holders, held by a problem as its value: shown with thousands
    separators, as the figures beside it in the reason are (``must not exceed offer.outstanding (464,777), got
    500,000``, not ``got 500000``).

    Only a count the problem's maker marks so is shown this way, never every int: an int where a month, a number
    of days or places belongs may be a year or a date typed there (``fiscal_year_end_month`` 2004, ``averaging_days``
    20040220), and reads as typed; text is quoted as typed (``'464777'``, a CSV cell), and a decimal (a ratio, an
    amount of money) keeps its form.  It is an int in all else; :meth:`of` marks a value only if it is an int.

    >>> str(InputError("offer.max_units", Counted(500000), "must not exceed offer.outstanding (464,777)"))
    'offer.max_units: must not exceed offer.outstanding (464,777), got 500,000'
    """

    __slots__ = ()

    def __str__(self) -> str:
        return f"{int(self):,}"

    @classmethod
    def of(cls, value: object) -> object:
        """*value* marked as a count if it is an int (not a bool), else as it is."""
        return cls(value) if isinstance(value, int) and not isinstance(value, bool) else value


class InputErrors(XlpyError, ValueError):
    """Every problem found in one input, reported together.

    Attributes
    ----------
    problems : tuple of InputError
    """

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _show(value: object) -> str:
    """A problem's value as its message shows it after ``got``: text quoted as typed (``'464777'``), nothing, TOML's
    true and false, a table or array as TOML writes it, a decimal as written (``0.0000001``), a date-time as a
    person writes it (:func:`_moment`), a count marked :class:`Counted` with thousands separators (``500,000``); any
    other int as typed (a month of 13, a year or a date typed for a count of days: ``20040220``)."""
    if isinstance(value, str):
        # a hostile cell may hold thousands of characters: its start, and how long it is
        return repr(value) if len(value) <= 80 else f"{value[:60]!r}... ({len(value):,} characters)"
    if value is None:
        return "nothing"
    if isinstance(value, bool):  # as TOML writes it (and a workbook reads it): true, not Python's True
        return "true" if value else "false"
    if isinstance(value, (dict, list)):  # a TOML table or array, as TOML writes it inline: [7.94], not Python's
        text = _toml(value)              # [Decimal('7.94')]; a misplaced [consideration] as { ratio = 7.94, ... }
        return text if len(text) <= 60 else text[:57] + "..."
    if type(value) is Decimal and value.is_finite() and -40 < value.as_tuple().exponent < 0:
        return format(value, "f")[:60]  # 0.0000001 as written, not str()'s 1E-7
    text = _moment(value) if isinstance(value, dt.datetime) else str(value)  # (a Counted's str too: 500,000)
    return text if len(text) <= 60 else text[:57] + "..."


def _moment(value: dt.datetime) -> str:
    """A date and time as a person writes it: a cell's date (a date-time at midnight, of no time zone) as its day,
    ``2004-02-20``, not ``2004-02-20T00:00:00``; another with its time after a space, ``2004-02-20 14:30:00``."""
    if value.time() == dt.time() and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat(" ")


def _toml(value: object) -> str:
    """A value as TOML writes it inline: ``[7.94, "x", true]``, a table as ``{ ratio = 7.94, fractional = "cash" }``."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a basic string
        return json.dumps(value, ensure_ascii=False)
    return _show(value)


class Problems(list):
    """Input problems, and how many more were only counted (:attr:`more`: a long file's lines past the shown ones,
    not each made a problem)."""

    more = 0


class MoreProblems(InputError):
    """The line after the problems shown, counting the rest: ``and 70 more problems``, after the file's name when it
    is located (``t.csv: and 1 more problem``).  Its field is ``...``."""

    count = 0  #: how many problems it counts

    def __str__(self) -> str:
        where = self.field.removesuffix("...").removesuffix(": ")
        return f"{where}: {self.reason}" if where else self.reason

    def located(self, where: str) -> "InputError":
        out = super().located(where)
        out.count = self.count
        return out


def capped(problems: list, most: int) -> list:
    """*problems*' first *most*, then one line counting the rest (those only counted too, and those a line of an
    earlier cap counts: capping twice counts alike), after the file all the shown ones name, if one does.

    >>> [str(p) for p in capped([InputError("t.csv: row 2", 1, "bad"), InputError("t.csv: row 3", 2, "bad")], 1)]
    ['t.csv: row 2: bad, got 1', 't.csv: and 1 more problem']
    >>> once = capped([InputError("a", n, "bad") for n in range(5)], 2)
    >>> [str(p) for p in capped(once + [InputError("b", 0, "x")], 2)]
    ['a: bad, got 0', 'a: bad, got 1', 'and 4 more problems']
    """
    shown = [p for p in problems if not isinstance(p, MoreProblems)]  # (the counting lines apart by their kind, not
    # by a search of the others for each: 100,000 bad lines took 17 s to count, a million minutes)
    rest = len(shown) - most + getattr(problems, "more", 0) + sum(p.count for p in problems
                                                                  if isinstance(p, MoreProblems))
    if rest <= 0:
        return problems
    files = {p.field.split(": ")[0] if ": " in p.field else "" for p in shown[:most]}
    where = f"{files.pop()}: ..." if len(files) == 1 and "" not in files else "..."
    more = MoreProblems(where, None, f"and {rest:,} more problem{'' if rest == 1 else 's'}", show_value=False)
    more.count = rest
    return shown[:most] + [more]
