"""The engine's error channel: named exceptions whose message names the field.

Only the outer layers (the command line, the worksheet functions, the refresh
macros) turn these into exit codes, cell messages or dialog text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

__all__ = ["XlpyError", "InputError", "InputErrors", "BeforeRecords", "Busy", "Counted", "Moment", "MoreProblems",
           "Problems", "capped", "one_line"]


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
    unchanged : bool
        Whether *reason* says that the file refused was left as it was (``...; it was not changed``, ``nothing was
        written``), set by the code that words it: a refused refresh then says no more of it.
    """

    def __init__(self, field: str, value: object, reason: str, *, show_value: bool = True, unchanged: bool = False):
        self.field = one_line(field)  # (a header Excel wraps, "Shares<Alt+Enter>Tendered", named in either)
        self.value = value
        self.reason = one_line(reason)
        self.show_value = show_value
        self.unchanged = unchanged
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
        """The same problem, of its own kind with all it holds (a :class:`BeforeRecords`' start), with *where* (a file
        name) put before the field."""
        return self.reworded(f"{where}: {self.field}")

    def reworded(self, field: str, reason: str | None = None) -> "InputError":
        """The same problem, of its own kind with all it holds (a counting line's counts), at *field*, and for
        *reason* if given."""
        out = type(self).__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.field = one_line(field)
        out.reason = self.reason if reason is None else one_line(reason)
        out.args = (str(out),)
        return out


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


class Moment(dt.datetime):
    """A date-time as a text file types it (an offer file's ``2004-02-20T12:00:00``), held by a problem as its value:
    shown with its time even at midnight (``2004-02-20 00:00:00``: a TOML date-time is no date), where a cell's
    date-time at midnight is its day (:func:`_moment`).  A datetime in all else.

    >>> str(InputError("offer.expiration", Moment.of(dt.datetime(2004, 2, 20)), "must be a date without a time"))
    'offer.expiration: must be a date without a time, got 2004-02-20 00:00:00'
    """

    __slots__ = ()

    @classmethod
    def of(cls, value: dt.datetime) -> "Moment":
        return cls(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond,
                   value.tzinfo, fold=value.fold)


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
    if value.time() == dt.time() and value.tzinfo is None and not isinstance(value, Moment):
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
    not each made a problem), by where they are (:attr:`more_at`, :meth:`count_more`): the line counting them says
    which columns they are in."""

    more = 0

    def count_more(self, field: str, n: int = 1) -> None:
        """Count *n* more problems at *field* (as a problem there names it: ``t.csv: column method``, its row or
        none), not each made a problem."""
        if n:
            self.more += n
            at = self.__dict__.setdefault("more_at", {})
            place = _place(field)
            at[place] = at.get(place, 0) + n


class MoreProblems(InputError):
    """The line after the problems shown, counting the rest: ``and 70 more problems``, after the file's name when it
    is located (``t.csv: and 1 more problem``), and by column (``: 60 in column units, 10 in column method``).  Its
    field is ``...`` (``t.csv: ...``, whose :attr:`file` ``--json`` gives); :attr:`kinds` holds how many it counts
    at each place (the field without its row), so a cap of it with others counts them alike."""

    count = 0  #: how many problems it counts
    kinds: dict = {}  #: place -> how many of them are there (never changed in place)

    @property
    def file(self) -> str | None:
        """The file the line is said after (``t.csv``; ``offer.toml: tally.file: tally.csv``), or None: its field
        as ``--json`` gives it, without the ``...``."""
        return self.field.removesuffix("...").removesuffix(": ") or None

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}" if self.file else self.reason

    def located(self, where: str) -> "InputError":
        """The same line after *where*, as the problems it counts are located: each place it counts at too, so a
        cap of it with them counts a column once (``t.csv: column units``, not that and ``column units``)."""
        out = InputError.reworded(self, f"{where}: {self.field}")
        out.kinds = {f"{where}: {place}": n for place, n in self.kinds.items()}
        return out

    def reworded(self, field: str, reason: str | None = None) -> "InputError":
        """The same line at *field*; the places it counts at that its field named (``dir/t.csv: ``) named as the
        new field names them (``t.csv: ``), as the problems it counts are reworded alike."""
        out = super().reworded(field, reason)
        old, new = self.field.removesuffix("..."), out.field.removesuffix("...")
        if old != new and out.field.endswith("..."):
            out.kinds = {new + place[len(old):] if place.startswith(old) else place: n
                         for place, n in self.kinds.items()}
        return out

    def named(self, name) -> "MoreProblems":
        """The same line, its field and each place it counts at as *name* (a function of a field) names them: the
        files as a person gave them (``t.csv: column units`` -> ``dir/t.csv: column units``), and so the columns its
        reason names of another file (``all in column units of dir/t.csv``), where that reason is :func:`capped`'s."""
        out = InputError.reworded(self, name(self.field))
        kinds: dict = {}
        for place, n in self.kinds.items():
            kinds[name(place)] = kinds.get(name(place), 0) + n
        out.kinds = kinds
        if self.reason == _counting(self.count, self.kinds, self.file or ""):
            out.reason = _counting(self.count, kinds, out.file or "")
            out.args = (str(out),)
        return out


#: The row or rows a problem's field names (``row 12, ``; ``rows 2, 3, 4 and 4,997 more, ``): without it, the field
#: is the place the problems of one column share.
_ROWS = re.compile(r"\brows? \d[\d,]*(?:(?:, | and )\d[\d,]*)*(?: more)?(?:, |$)")
#: A place's column, after its file's name (``t.csv: column units``).
_COLUMN = re.compile(r"(?:^|: )(column .+)$")
#: At most this many columns are named in a counting line; the problems elsewhere are counted together.
_COLUMNS_NAMED = 6


def _place(field: str) -> str:
    """*field* without its row(s): ``t.csv: row 12, column units`` -> ``t.csv: column units``."""
    return _ROWS.sub("", field, count=1) if "row" in field else field


def capped(problems: list, most: int) -> list:
    """At most *most* of *problems*, then one line counting the rest (those only counted too, and those a line of an
    earlier cap counts: capping twice counts alike), after the file all the shown ones name, if one does (as far as
    they name it alike: ``offer.toml: tally.file: tally.csv``), and by the column they are in (of another file: by
    that file's name).

    The problems shown cover every kind found: the first at each place (a column: its field without the row), then
    the first of each reason there, then the rest in order, so a column of thousands of bad cells does not hide the
    unknown words of another, found later; they are shown in their order.

    >>> [str(p) for p in capped([InputError("t.csv: row 2", 1, "bad"), InputError("t.csv: row 3", 2, "bad")], 1)]
    ['t.csv: row 2: bad, got 1', 't.csv: and 1 more problem']
    >>> once = capped([InputError("a", n, "bad") for n in range(5)], 2)
    >>> [str(p) for p in capped(once + [InputError("b", 0, "x")], 2)]
    ['a: bad, got 0', 'b: x, got 0', 'and 4 more problems']
    >>> units = [InputError(f"t.csv: row {n}, column units", "x", "must be a number") for n in range(2, 9)]
    >>> [str(p) for p in capped(units + [InputError("t.csv: row 4, column method", "wire", "bad")], 3)]
    ... # doctest: +NORMALIZE_WHITESPACE
    ["t.csv: row 2, column units: must be a number, got 'x'", "t.csv: row 3, column units: must be a number, got 'x'",
     "t.csv: row 4, column method: bad, got 'wire'", 't.csv: and 5 more problems, all in column units']
    """
    shown = [p for p in problems if not isinstance(p, MoreProblems)]  # (the counting lines apart by their kind, not
    # by a search of the others for each: 100,000 bad lines took 17 s to count, a million minutes)
    rest = len(shown) - most + getattr(problems, "more", 0) + sum(p.count for p in problems
                                                                  if isinstance(p, MoreProblems))
    if rest <= 0:
        return problems
    places = [_place(p.field) for p in shown]
    chosen = _chosen(shown, places, most)
    kinds: dict = {}  # place -> how many are counted there, in the order first met
    picked = iter(chosen)
    next_picked = next(picked, None)
    at = 0
    for p in problems:
        if isinstance(p, MoreProblems):
            for place, n in p.kinds.items():
                kinds[place] = kinds.get(place, 0) + n
            continue
        if at == next_picked:
            next_picked = next(picked, None)
        else:
            kinds[places[at]] = kinds.get(places[at], 0) + 1
        at += 1
    for place, n in getattr(problems, "more_at", {}).items():
        kinds[place] = kinds.get(place, 0) + n
    kept = [shown[i] for i in chosen]
    file = _shared_file(kept)
    where = f"{file}: ..." if file else "..."
    more = MoreProblems(where, None, _counting(rest, kinds, file), show_value=False)
    more.count, more.kinds = rest, kinds
    return kept + [more]


def _shared_file(kept: list) -> str:
    """The file every one of *kept* names (``t.csv``), as far as they all name it alike (``offer.toml: tally.file:
    tally.csv``; ``offer.toml`` for its own keys and its tally's lines), or "" if they do not all name one."""
    shared = None
    for p in kept:
        named = p.field.split(": ")[:-1]  # (the last is the place in it: a key, a row and column, the header)
        if shared is None:
            shared = named
        else:
            at = 0
            while at < len(shared) and at < len(named) and shared[at] == named[at]:
                at += 1
            del shared[at:]
        if not shared:
            return ""
    return ": ".join(shared or ())


def _chosen(shown: list, places: list, most: int) -> list:
    """The indexes of the *most* problems of *shown* (at *places*) a cap shows, in order: the first at each place,
    then the first of each reason at a place, then the others in order (each pass stops at *most*)."""
    chosen: set = set()
    seen_places: set = set()
    seen_kinds: set = set()
    for i, place in enumerate(places):
        if len(chosen) >= most:
            break
        if place not in seen_places:
            seen_places.add(place)
            seen_kinds.add((place, shown[i].reason))
            chosen.add(i)
    for i, place in enumerate(places):
        if len(chosen) >= most:
            break
        kind = (place, shown[i].reason)
        if kind not in seen_kinds:
            seen_kinds.add(kind)
            chosen.add(i)
    for i in range(len(shown)):
        if len(chosen) >= most:
            break
        chosen.add(i)
    return sorted(chosen)


def _counting(rest: int, kinds: dict, file: str) -> str:
    """What a counting line says of the *rest* it counts (*kinds*: place -> how many; *file*: the file it names):
    ``and 70 more problems, all in column units``."""
    return f"and {rest:,} more problem{'' if rest == 1 else 's'}{_by_column(kinds, rest, file)}"


def _by_column(kinds: dict, rest: int, file: str) -> str:
    """What a counting line adds of where the *rest* it counts are (*kinds*: place -> how many; *file*: the file the
    line names): ``, all in column units``; ``: 60,000 in column units, 9,950 in column method, 2 others``; or
    nothing when none is known to be in a column."""
    columns: dict = {}
    for place, n in kinds.items():
        m = _COLUMN.search(place)
        if m is None:
            continue
        named = place[:m.start()]  # (the file, as the place names it: the line's own file not said again, another
        label = m.group(1) if not named or named == file else \
            f"{m.group(1)} of {named.rsplit(': ', 1)[-1]}"  # by its name: not offer.toml: tally.file: tally.csv)
        columns[label] = columns.get(label, 0) + n
    if not columns:
        return ""
    if len(columns) == 1 and sum(columns.values()) == rest:
        return f", all in {next(iter(columns))}" if rest > 1 else f", in {next(iter(columns))}"
    named = list(columns.items())[:_COLUMNS_NAMED]
    others = rest - sum(n for _, n in named)
    return ": " + ", ".join(f"{n:,} in {label}" for label, n in named) + (
        f", {others:,} other{'' if others == 1 else 's'}" if others > 0 else "")


def as_given(problem: InputError, given: dict[str, str]) -> InputError:
    """*problem* inside a file the readers name by its name (``tally.csv: row 301``), named by the path given
    (``agent/2004-02-23/tally.csv: row 301``): dated folders of same-named files are told apart.  Another of those
    files its reason names is named so too (a mapping's column ``is not in agent/tally.csv's header``), though not in
    quotes (a value).  A line counting the rest keeps its counts, and names their columns of such a file by the path
    given too."""

    def named(field: str) -> str:
        name, sep, rest = field.partition(": ")
        return given[name] + sep + rest if name in given else field

    if isinstance(problem, MoreProblems):  # (its counts kept, by column, and the columns it names of those files)
        return problem.named(named)
    field, reason = named(problem.field), problem.reason
    for name, path in given.items():  # (a name standing as a word: not in a path, nor opening a quoted value)
        reason = re.sub(rf"(?<![\w./\\'\"-]){re.escape(name)}(?=['\u2019]s\b|[\s,:;)]|$)", lambda _: path, reason)
    if (field, reason) == (problem.field, problem.reason):
        return problem
    return problem.reworded(field, reason)  # (of its kind, with all it holds)
