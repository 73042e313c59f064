"""What Excel hands a worksheet function, made into what the engine takes.

xlwings passes every number as a ``float``, an empty cell as ``None``, text as
``str``, TRUE/FALSE as ``bool``, a date cell as a ``datetime`` (a date typed
with ``DATE()`` or held in a number cell arrives as its serial number), and a
range as a list: a 2-D list of rows (``[[1], [2]]`` for a column, ``[[1, 2]]``
for a row, what ``ndim=2`` gives) or, by default, a flat list for a single row
or column and a bare value for a single cell.  Every converter here accepts
all of those shapes.

Each converter reads through :class:`xlpy.files.typed.Reader` (the :data:`~xlpy.files.typed.ARGUMENTS`
scheme, the same reader the offer file and the workbook's inputs use) and takes
the value and the argument's name and either returns the
engine's type (:class:`~decimal.Decimal` through the engine's
:func:`~xlpy.engine.numbers.to_decimal`, ``int`` for counts,
:class:`datetime.date`) or raises :class:`~xlpy.engine.errors.InputError`
naming the argument and carrying the value *as Excel gave it*.
:func:`cell_message` turns any such error into the short text a cell shows.

Rules, the same for every function:

* an empty cell for a required argument is an error (``is required``), never 0;
* TRUE/FALSE and text are refused where a number is expected (Excel would
  silently make TRUE a 1; a number typed as text is refused rather than guessed);
* dates follow Excel's 1900 date system: serial 1 is 1900-01-01, and serials
  from 61 on are one day off because Excel keeps the fictitious 29 February
  1900 (serial 60, refused here); a fractional serial (a time of day) is cut
  to its day, like Excel's ``INT``; ISO text (``2004-02-20``) is a date too;
* a range argument may be a row or a column; blank cells in it are skipped;
* an error cell (``#N/A``, ``#DIV/0!``) arrives as its text, because every
  argument is declared with xlwings' ``err_to_str`` (:mod:`xlpy.excel.udfs`),
  and is refused by name like any text: never read as an empty cell, never skipped.
  xlwings knows only the seven classic ones: Excel's newer error values
  (``#SPILL!``, ``#CALC!``...) reach a desktop function as COM's error code, an
  ``int`` (every number comes as a ``float``), which :func:`excel_error` names.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping
from decimal import Decimal, getcontext, setcontext
from fractions import Fraction

from ..engine.errors import InputError, InputErrors, XlpyError
from ..engine.numbers import CONTEXT, ZERO, short, to_decimal
from ..files import typed
from ..files.serial_dates import from_serial, to_serial

__all__ = [
    "ERROR_PREFIX",
    "MOST_TEXT",
    "cell_errors",
    "excel_error",
    "cell_message",
    "fits",
    "count_fits",
    "show",
    "scalar",
    "number",
    "cell_float",
    "MOST_DENOMINATOR",
    "share_ratio",
    "positive",
    "not_negative",
    "fraction",
    "no_below_original",
    "whole",
    "optional_whole",
    "COUNT_LIMIT",
    "choice",
    "date",
    "cells",
    "no_values",
    "no_blank_range",
    "numbers",
    "counts",
    "dates",
    "from_serial",
    "to_serial",
]

#: Counts (units, shares) are below 10^15, as in the offer file: Excel holds 15 digits exactly,
#: and a float beyond them (``1e23``) is not the count anyone typed.
COUNT_LIMIT = 10**15

#: The longest text a function returns: through xlwings' COM server a result reaches Excel in an array, where
#: longer text shows as #VALUE! (xlwings issue #456).
MOST_TEXT = 255

#: Every cell message starts with this, so a formula can test for it
#: (``=LEFT(A1, 6) = "#xlpy!"``).
ERROR_PREFIX = "#xlpy!"

# --------------------------------------------------------------------------- #
# the cell message

def show(value: object) -> str:
    """A value as the user would recognise it in a cell message.

    A number, a float or a Decimal alike, is shown in full up to 20 characters, a longer one by its short
    text (:func:`~xlpy.engine.numbers.short`), so a message stays one short line:

    >>> show(-3.0), show(7.94), show(None), show(True), show("x"), show([[1], [2]])
    ('-3', '7.94', 'an empty cell', 'TRUE', '"x"', 'a range of 2 cells')
    >>> show(1e23), show(-1e300), show(1e-300), show(Decimal("1E-299")), show(Decimal("-1.5E+300"))
    ('1e+23', '-1e+300', '1e-300', '1e-299', '-1.5e+300')
    >>> print(show("274,000" + chr(10)))  # a line break in the cell
    "274,000\\n"
    """
    if value is None:
        return "an empty cell"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):  # the float's shortest text, shown as a Decimal is: one form for both
        return short(Decimal(repr(value))) if math.isfinite(value) else repr(value)
    if isinstance(value, Decimal):
        return short(value) if value.is_finite() else str(value)
    if isinstance(value, int):  # (a count: a result of 306 digits shown short too)
        return short(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        # a line break or other control character escaped as repr writes it: the message stays one line
        return '"' + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + '"'
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(row, (list, tuple)) for row in value):
            rows, width = len(value), max(len(row) for row in value)
            if rows > 1 and width > 1:
                return f"a {rows}×{width} range"
            return "a range of 1 cell" if rows * width == 1 else f"a range of {rows * width} cells"
        return "a range of 1 cell" if len(value) == 1 else f"a range of {len(value)} cells"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def cell_message(exc: Exception, renames: Mapping[str, str] | None = None, tail: str = "") -> str:
    """The text a cell shows for *exc*: ``#xlpy! price must be > 0, got -3``.

    *renames* maps engine field names (``averaging_days``) to the function's
    argument names (``days``).  For several problems (:class:`InputErrors`) the
    first is shown and the rest counted.  A message is at most :data:`MOST_TEXT` characters, cut with "...".
    """
    more = len(exc.problems) - 1 if isinstance(exc, InputErrors) and exc.problems else 0
    if more:
        tail = f" (and {more:,} more problem{'s' if more > 1 else ''})" + tail
    if isinstance(exc, InputErrors) and exc.problems:
        exc = exc.problems[0]
    if isinstance(exc, InputError):
        field = (renames or {}).get(exc.field, exc.field)
        text = f"{ERROR_PREFIX} {field} {exc.reason}"
        text = text if not exc.show_value else f"{text}, got {show(exc.value)}"
    else:
        text = f"{ERROR_PREFIX} {type(exc).__name__}: {exc}"
    if len(text) + len(tail) > MOST_TEXT:  # cut, never #VALUE! in its place
        text = text[:MOST_TEXT - len(tail) - 3] + "..."
    return text + tail


# --------------------------------------------------------------------------- #
# Excel's error values as COM hands them over

#: COM's code of Excel's error value n (XlCVError, 2000 and up) is this plus n (``#N/A``, 2042: -2146826246).
ERROR_BASE = -2146828288
#: The error values by their XlCVError number; xlwings' ``_xlwindows.cell_errors`` maps only the first seven.
ERROR_VALUES = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?", 2036: "#NUM!",
                2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!", 2046: "#CONNECT!", 2047: "#BLOCKED!",
                2048: "#UNKNOWN!", 2049: "#FIELD!", 2050: "#CALC!"}
#: Whether an ``int`` in that range is an error value: on the desktop it is (COM's code, handed over as a number).
#: xlwings Lite sends error values as text, and every number from JavaScript may arrive as an ``int``, so the
#: project ``xlpy lite`` writes sets this False there: -2146826246 is a number (it was read as ``#N/A``).
COM_ERROR_CODES = True


def excel_error(value: object) -> str | None:
    """The text of an Excel error value COM hands over as its code (an ``int`` from ERROR_BASE + 2000 to + 2100,
    which xlwings passes on as a number for any but the classic seven); None for any other value.

    >>> excel_error(-2146828288 + 2045), excel_error(-2146828288 + 2099), excel_error(2045), excel_error(2045.0)
    ('#SPILL!', '#ERROR 2099', None, None)
    """
    if not COM_ERROR_CODES or type(value) is not int or not ERROR_BASE + 2000 <= value <= ERROR_BASE + 2100:
        return None
    return ERROR_VALUES.get(value - ERROR_BASE, f"#ERROR {value - ERROR_BASE}")


# --------------------------------------------------------------------------- #
# single values


def scalar(value: object, name: str) -> object:
    """A one-cell range as its value; a bigger range is refused. An error value COM handed over as its code is
    its text (:func:`excel_error`), refused as text is."""
    while isinstance(value, (list, tuple)):
        flat = [c for row in value for c in (row if isinstance(row, (list, tuple)) else (row,))]
        if len(flat) != 1:
            raise InputError(name, value, "must be a single cell")
        value = flat[0]
    return excel_error(value) or value


def cell_float(value: float, name: str) -> Decimal:
    """A float as a cell holds it, exact: its shortest text as a Decimal, but for a formula's result that binary
    arithmetic left a unit or two in the last place from a short decimal (12 significant digits or fewer, as sums
    and differences of typed figures are): that decimal, which the cell shows, and which Excel's own arithmetic
    takes.  ``=7.64+0.3`` is held as 7.9399999999999995 and shown 7.94, and ``INT(150*A1)`` gives 1,191 shares,
    not 1,190; ``=0.01+0.09`` is 0.1.  No typed number has more than 15 significant digits, so a typed one is its
    text, as is a result that stands for no short decimal (``=100/3``, ``=5/6``).

    >>> cell_float(7.64 + 0.3, "ratio"), cell_float(0.01 + 0.09, "ratio"), cell_float(100 / 3, "ratio")
    (Decimal('7.94'), Decimal('0.1'), Decimal('33.333333333333336'))
    """
    d = to_decimal(value, name)
    if len(d.as_tuple().digits) > 15:
        shown = to_decimal(float(f"{value:.12g}"), name)
        if abs(float(shown) - value) <= 2 * math.ulp(value):
            return shown
    return d


def number(value: object, name: str) -> Decimal:
    """A required number, exact: the float's shortest text as a Decimal (:func:`cell_float`).

    >>> number(7.94, "offer_ratio")
    Decimal('7.94')
    >>> number(None, "price")
    Traceback (most recent call last):
    ...
    xlpy.engine.errors.InputError: price: is required, got nothing
    """
    value = value if type(value) is float else scalar(value, name)  # (a one-cell range's float read as a float)
    if type(value) is float:  # the usual case, first
        return cell_float(value, name)
    r = typed.one(value, name)
    return typed.raise_first(r, r.number(name))


def positive(value: object, name: str) -> Decimal:
    """A number > 0 (a price, a ratio)."""
    value = value if type(value) is float else scalar(value, name)  # (a one-cell range's float read as a float)
    if type(value) is float and 0.0 < value < math.inf:  # the usual case, accepted without a reader
        return cell_float(value, name)
    r = typed.one(value, name)
    return typed.raise_first(r, r.number(name, positive=True))


def not_negative(value: object, name: str) -> Decimal:
    """A number ≥ 0."""
    value = value if type(value) is float else scalar(value, name)  # (a one-cell range's float read as a float)
    if type(value) is float and 0.0 <= value < math.inf:  # the usual case, accepted without a reader
        return cell_float(value, name)
    r = typed.one(value, name)
    return typed.raise_first(r, r.number(name, nonneg=True))


#: The largest denominator of a fraction :func:`share_ratio` takes a formula's result for (less for ratios of
#: 2,048 or more, where two such fractions could lie within 4 units in the last place of each other).
MOST_DENOMINATOR = 10**6


def share_ratio(value: object, name: str) -> Decimal | Fraction:
    """A ratio > 0 of shares per unit as delivery counts it: :func:`positive`, but a float within 2 units in the
    last place (ulp) of a fraction p/q in lowest terms, q at most :data:`MOST_DENOMINATOR`, is that
    :class:`~fractions.Fraction`, unless it is the very decimal :func:`cell_float` reads (a typed 7.94 is
    397/50: the Decimal 7.94 is given).  A conversion rate ``=1000/38.5`` is held as 25.974025974025974, which
    makes 77 notes 1,999.999999999999998 shares: it is 2000/77, and they are owed 2,000, as ``=INT(77*A1)`` gives.
    ``=1000/111.69`` is held as 8.953353030710002, a unit in the last place from the short decimal 8.95335303071,
    which makes 11,169 notes 99,999.99999999999; it is 100000/11169, and they are owed 100,000.

    The match is unique: two fractions of denominators at most q differ by 1/q² or more, and two within 2 ulp of
    the float lie within 4 ulp of each other, so q² < 1/(4 ulp) leaves at most one: the nearest fraction of those
    denominators (``limit_denominator``), taken when within 2 ulp.  10^6 keeps q² < 1/(4 ulp) for ratios below
    2,048 (ulp up to 2^-42); above, q is cut to the largest that does.  It covers a face of 1,000 over a price of
    4 decimals below 100 (or of 2 below 10,000) and any ratio of small numbers (``=2/3``).  A number typed to
    6 decimals is its own fraction (its denominator divides 10^6), so it is read as typed; one typed to more
    digits is a fraction only where it lies within 2 ulp of one (a rounded fraction, as a 12-digit 9.99900009999
    is 1000/100.01), and is then moved by 2 ulp at most, which changes a count of whole shares only where
    units × ratio is as near a whole number.  A float is taken as it comes, from Python or a formula alike
    (``0.6666666666666666`` is 2/3).  One near no such fraction (``=PI()``) is read as :func:`positive` reads it.

    >>> share_ratio(1000 / 38.5, "ratio"), share_ratio(2 / 3, "ratio"), share_ratio(7.64 + 0.3, "ratio")
    (Fraction(2000, 77), Fraction(2, 3), Decimal('7.94'))
    >>> share_ratio(3.141592653589793, "ratio")
    Decimal('3.141592653589793')
    """
    value = scalar(value, name)
    d = positive(value, name)
    if type(value) is not float:  # (a whole number or text read as a number: exact already)
        return d
    ulp = Fraction(math.ulp(value))
    most = min(MOST_DENOMINATOR, math.isqrt(math.ceil(1 / (4 * ulp)) - 1))  # the largest q with q² < 1/(4 ulp)
    if not most:  # (a ratio of 2^50 or more: no denominator keeps a match unique)
        return d
    exact = Fraction(value)
    near = exact.limit_denominator(most)
    return near if abs(near - exact) <= 2 * ulp and near != Fraction(d) else d


def fraction(value: object, name: str) -> Decimal:
    """A fraction from 0 to 1 (a participation: 0.6 or 60%)."""
    n = number(value, name)
    if not ZERO <= n <= 1:
        raise InputError(name, value, "must be from 0 to 1 (0% to 100%)")
    return n


def no_below_original(r1: Decimal, r0: Decimal, value: object) -> None:
    """Refuse an offer ratio *r1* (given as *value*) below the original ratio *r0*: not an induced conversion."""
    if r1 < r0:
        raise InputError(
            "offer_ratio", value, f"must not be below original_ratio ({show(r0)}): not an induced conversion"
        )


def whole(value: object, name: str, minimum: int | None = 0) -> int:
    """A whole number (a count of units or shares), at least *minimum* (None: no minimum), below :data:`COUNT_LIMIT`.

    >>> whole(274000.0, "units")
    274000
    >>> whole(1e23, "units")
    Traceback (most recent call last):
    ...
    xlpy.engine.errors.InputError: units: must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly), got 1e+23
    """
    if (type(value) is float and value.is_integer() and -1e15 < value < 1e15
            and (minimum is None or value >= minimum)):  # the usual case: below 2^53, int(value) is its repr
        return int(value)
    r = typed.one(shown_whole(scalar(value, name), name), name)
    return typed.raise_first(r, r.whole(name, minimum=minimum, below=COUNT_LIMIT))


def shown_whole(value: object, name: str) -> object:
    """*value*, but for a float a formula left a unit or two in the last place from a whole number, which the cell
    shows and Excel's own arithmetic takes (:func:`cell_float`): that whole number, as a float.  ``=4.35*100`` is
    held as 434.99999999999994 and shown 435; a count of 435 it is.  Any other value is as it came (434.5 is
    refused as a count, by the reader).

    >>> shown_whole(4.35 * 100, "units"), shown_whole(434.5, "units"), shown_whole("435", "units")
    (435.0, 434.5, '435')
    """
    if type(value) is not float or value.is_integer() or not math.isfinite(value):
        return value
    d = cell_float(value, name)
    return float(d) if d == d.to_integral_value() else value


def optional_whole(value: object, name: str, default: int | None, minimum: int | None = 0,
                   most: int | None = None, why: str = "") -> int | None:
    """A whole number, or *default* for an empty cell or an omitted argument.

    It must be below :data:`COUNT_LIMIT`, or at most *most* when given (*why* says why):

    >>> optional_whole(1e9, "days", 5, most=10_000, why="trading days, about 40 years")
    Traceback (most recent call last):
    ...
    xlpy.engine.errors.InputError: days: must be at most 10,000 (trading days, about 40 years), got 1000000000.0
    """
    r = typed.one(shown_whole(scalar(value, name), name), name)
    n = typed.raise_first(r, r.whole(name, required=False, minimum=minimum, default=default,
                                     below=COUNT_LIMIT if most is None else None))
    if most is not None and n is not None and abs(n) > most:
        raise InputError(name, value, f"must be at most {most:,}" + (f" ({why})" if why else ""))
    return n


def choice(value: object, name: str, choices: tuple[str, ...], default: str) -> str:
    """One of *choices*, case-insensitively; *default* for an empty cell."""
    r = typed.one(scalar(value, name), name)
    return typed.raise_first(r, r.choice(name, choices, required=False, default=default))


def date(value: object, name: str) -> dt.date:
    """A required date: a ``datetime``/``date``, an Excel serial number or ISO text."""
    r = typed.one(scalar(value, name), name)
    return typed.raise_first(r, r.date(name))


# --------------------------------------------------------------------------- #
# ranges


def cells(value: object, name: str) -> list[object]:
    """The cells of a one-row or one-column range, in order (a single value: one cell).

    >>> cells([[1.0], [2.0], [None]], "units"), cells([[1.0, 2.0]], "units"), cells(3.0, "units")
    ([1.0, 2.0, None], [1.0, 2.0], [3.0])
    """
    if not isinstance(value, (list, tuple)):
        return [value]
    if not any(isinstance(row, (list, tuple)) for row in value):
        return list(value)
    rows = [list(row) if isinstance(row, (list, tuple)) else [row] for row in value]
    width = max((len(r) for r in rows), default=0)
    if len(rows) > 1 and width > 1:
        raise InputError(name, value, "must be one row or one column")
    return [c for r in rows for c in r]


def _each(value: object, name: str, convert: Callable[[object, str], object], skip_blank: bool) -> list:
    items = cells(value, name)
    out = []
    for i, c in enumerate(items, 1):
        if c is None and skip_blank:
            continue
        where = name if len(items) == 1 else f"{name} (cell {i})"
        out.append(convert(c, where))
    if not out:
        raise no_values(value, name)
    return out


def no_values(value: object, name: str) -> InputError:
    """The error for a required range with nothing in it; a blank cell given as a one-cell range is the blank
    cell it is (``is required, got an empty cell``)."""
    blank = value is None or cells(value, name) == [None]
    return InputError(name, None if blank else value, "is required" if blank else "has no values")


def no_blank_range(ranges: Mapping[str, tuple[object, list[object]]]) -> None:
    """Refuse a blank cell given for one of several ranges that go together (by name: each as given, and its
    :func:`cells`) while another holds a value: ``is required``, before their sizes are compared; and so an error
    value given for one while another has more cells (``FILTER`` finding nothing gives ``#CALC!``), by name, not
    by its size (review 168: ``prices must have as many cells as dates (1)`` for dates ``#N/A``)."""
    widest = max((len(column) for _, column in ranges.values()), default=0)
    if any(c is not None for _, column in ranges.values() for c in column):
        for name, (value, column) in ranges.items():
            if column == [None]:
                raise no_values(value, name)
            cell = column[0] if len(column) == 1 < widest else None
            if error := excel_error(cell) or (cell if isinstance(cell, str) and cell in _ERROR_TEXTS else None):
                raise InputError(name, error, "must be a range of cells, not an error value (mend the formula or "
                                 "cell it comes from)")


#: Excel's error values as text (xlwings hands the classic seven over so, xlwings Lite every one).
_ERROR_TEXTS = frozenset(ERROR_VALUES.values())


def numbers(value: object, name: str, skip_blank: bool = True) -> list[Decimal]:
    """The numbers of a row or column (or one number)."""
    return _each(value, name, number, skip_blank)


def counts(value: object, name: str) -> list[int]:
    """Whole, non-negative counts from a row or column (or one count); blanks skipped."""
    return _each(value, name, whole, True)


def dates(value: object, name: str, skip_blank: bool = True) -> list[dt.date]:
    """The dates of a row or column (or one date)."""
    return _each(value, name, date, skip_blank)


def fits(value: Decimal | int, name: str) -> float:
    """*value* as the float Excel gets; beyond Excel's largest number it is refused, naming the result *name*.

    ``float()`` of a larger decimal is ``inf`` (of a larger ``int``, an OverflowError), which no cell holds.
    """
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isinf(number):
        raise InputError(name, value, "is beyond Excel's largest number (about 1.8e308)", show_value=False)
    return number


def count_fits(value: Decimal | int, name: str) -> float:
    """A count of shares or units *value* as the float Excel gets; from :data:`COUNT_LIMIT` on it is refused,
    naming the result *name*, as a count argument is: Excel holds 15 digits exactly, and an int of 306 digits is no
    count a cell can show."""
    if abs(value) >= COUNT_LIMIT:
        raise InputError(name, value, f"reaches {COUNT_LIMIT:,}, past the 15 digits Excel holds exactly")
    return float(value)


#: The decimal settings every worksheet function computes under: the engine's (one copy, its flags no matter).
_CONTEXT = CONTEXT.copy()


def cell_errors(renames: Mapping[str, str] | None = None) -> Callable:
    """Make a worksheet function return its errors as the cell message.

    *renames* maps the engine's field names to this function's argument names.
    """

    def wrap(f):
        @functools.wraps(f)
        def worksheet(*args):
            # The engine's own decimal settings, whatever other code in the interpreter (another UDF module, an
            # xlwings Lite project's own script) has made the thread's: set and put back, not copied each call
            # (``localcontext`` would double a typical call's cost).
            theirs = getcontext()
            setcontext(_CONTEXT)
            try:
                return f(*args)
            except XlpyError as exc:
                return cell_message(exc, renames)
            except Exception as exc:  # a bug, not a bad argument: still a message, never a traceback
                where = f" (in {f.__name__.lstrip('_').upper()}; please report)"  # (a path's too)
                return cell_message(exc, tail=where)
            finally:
                setcontext(theirs)

        return worksheet

    return wrap
