"""One way of reading typed values, every problem returned as data.

The offer file (TOML keys), the workbook's Inputs (``Sheet!Cell``) and the
worksheet functions' arguments all read the same kinds of value: a whole count,
a decimal, a ratio, a date, TRUE or FALSE, a choice from an allowed set, text.
A :class:`Reader` reads them from any source of raw values and, rather than
stopping at the first problem, appends each one to :attr:`Reader.problems` as a
located :class:`~xlpy.engine.errors.InputError` and gives back the default, so
a caller reports every problem at once (or, for a worksheet function, the first).

What differs between the sources is only how a value is found, how its place
is written and how lenient the reading is; a :class:`Scheme` says the last:

* :data:`TOML`: a missing key is absent; numbers may be written as text
  (``"464,777"``); a whole count must be written as an integer; dates are
  ``YYYY-MM-DD`` without a time;
* :data:`CELLS`: a blank cell (None or "") is missing; text in a number cell
  is refused, never coerced; a date-time cell is its day; TRUE and FALSE may
  arrive as text or as the formula ``=TRUE()``; each reason starts with the
  input's name (``Inputs!C12: Outstanding must be a number, not text``);
* :data:`ARGUMENTS`: what Excel hands a worksheet function: an empty cell is
  missing, a date may be an Excel serial number, choices ignore case.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal

from ..engine.errors import InputError, InputErrors, Moment
from ..engine.numbers import INEXACT_WHOLE, is_whole, to_decimal, whole_text
from .serial_dates import LAST_SERIAL, from_serial, to_serial, whole_day

#: A day written as text: YYYY-MM-DD only (Python's ``date.fromisoformat`` also reads 20040212 and 2004-W07-4).
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

__all__ = ["Scheme", "TOML", "CELLS", "ARGUMENTS", "Reader", "MISSING", "ExponentFloat", "toml_float", "one",
           "raise_first", "CELL_TEXT", "unstorable", "too_long", "excel_day_problem", "DATE_AS_NUMBER", "character",
           "written_wrong"]

#: What a source gives for a value that is not there at all (an absent TOML key).
MISSING = object()

#: The characters a workbook cannot store in text: those XML 1.0 does not allow (the C0 control characters but
#: tab, line feed and carriage return; lone surrogates; the noncharacters U+FFFE and U+FFFF). A workbook written
#: with one is a file no spreadsheet program opens.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The same, and every other control character (Unicode category Cc: tab, line feed, DEL, C1 controls), and the
#: line and paragraph separators (U+2028, U+2029), which break a line as a line feed does.
_UNSTORABLE_OR_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
#: The characters a cell holds.
CELL_TEXT = 32767

#: The days a workbook holds: serials from 61 (Excel's serials before are off by its 29 February 1900).
_FIRST_DAY, _LAST_DAY = from_serial(61), from_serial(LAST_SERIAL)


def excel_day_problem(day: dt.date) -> str:
    """Why *day* is not one a workbook holds (1900-03-01 to 9999-12-31), or "" when it is one.

    >>> excel_day_problem(dt.date(2004, 2, 20)), excel_day_problem(dt.date(1899, 12, 31))[:40]
    ('', 'must be a date from 1900-03-01 to 9999-1')
    """
    if _FIRST_DAY <= day <= _LAST_DAY:
        return ""
    return (f"must be a date from {_FIRST_DAY} to {_LAST_DAY} (a serial number from {to_serial(_FIRST_DAY)} to "
            f"{LAST_SERIAL}, the days a workbook holds)")


class ExponentFloat(Decimal):
    """A TOML float written with an exponent (``2.74e5``): refused wherever a number is read.

    Numbers have one written form (docs/offer-file.md): digits, sign, decimal
    point, grouping commas; an exponent is refused in TOML floats as in text.
    A problem shows it as written (``7.39e0``, not ``7.39``).
    """

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


def toml_float(text: str) -> Decimal:
    """``parse_float`` for :func:`tomllib.loads`: the float's exact decimal, marked when it has an exponent."""
    return (ExponentFloat if "e" in text or "E" in text else Decimal)(text)


@dataclass(frozen=True)
class Scheme:
    """How lenient a source is, and how it words a few of its reasons."""

    blank: tuple = ()                  #: values that count as missing, besides :data:`MISSING` and None
    text_numbers: bool = False         #: numbers may be written as text
    not_text: str = ""                 #: added to "must be a number" when text is refused
    stored_number: str = ""            #: added instead when the text refused reads as a number (``"274,000"``)
    integer_literals: bool = False     #: a count written as a decimal (``274000.0``) is refused
    date_times: bool = True            #: a date-time is read as its day (else refused)
    serials: bool = False              #: a number is an Excel date serial
    date_hint: str = ""                #: added to "must be a date"
    text_date_hint: str = ""           #: added instead for text written as a day other than ISO's (``2/20/2004``)
    flag_words: tuple[str, str] = ("", "")  #: text read as TRUE and FALSE (upper case); empty: none
    flag_formula: Callable[[object], bool | None] | None = None  #: ``=TRUE()`` -> True
    flag_reason: str = "must be TRUE or FALSE"
    any_text: bool = False             #: a number in a text cell is read as its text
    ignore_case: bool = False          #: choices match in any case
    named: bool = False                #: reasons start with the input's name
    control_text: bool = True          #: text may hold control characters (a workbook cannot store them)
    stored_text: bool = False          #: text is to be stored in a workbook: no character XML 1.0 forbids
    #: (:func:`unstorable`), and no longer than a cell holds
    excel_days: bool = False           #: a date must be one a workbook holds (1900-03-01 to 9999-12-31)
    number_hints: bool = False         #: a number's text refused says what in it is no number's (:func:`written_wrong`)
    typed_cells: bool = False          #: dates and flags must be a cell's own (text of one is refused: formulas
    #: compare text with numbers and skip it in AND, so the workbook would compute another figure than is read)


TOML = Scheme(text_numbers=True, integer_literals=True, date_times=False, date_hint=" YYYY-MM-DD",
              flag_reason="must be true or false", control_text=False, stored_text=True, excel_days=True,
              number_hints=True)
CELLS = Scheme(blank=("",), not_text=", not text", any_text=True, named=True, typed_cells=True, stored_text=True,
               excel_days=True)
#: What a date cell's number format that shows no date does (validate's finding of the format, the reading's of the
#: whole number read from that cell: :meth:`Reader.date`).
DATE_AS_NUMBER = "shows the date as a number"
#: The first day a date cell's serial number is named as (an offer's dates are of this era; 2004 typed for a year,
#: the day 1905-06-26, is not said to be one).
_FIRST_DAY_SHOWN = dt.date(1950, 1, 1)
#: Why text where a workbook's date or TRUE/FALSE belongs is refused.
RETYPE = ", not text: type it again (a cell formatted as Text keeps what is typed as text)"
#: Why #VALUE! where a workbook's date belongs is refused: what a date cell shows of a number past the last date.
_PAST_THE_LAST_DAY = (f" from {_FIRST_DAY} to {_LAST_DAY}, not an error: a date cell shows #VALUE! for a number past "
                      f"{LAST_SERIAL} (20040220 typed for 2004-02-20)")
#: Why a number stored as text is refused where a worksheet function takes a number: Excel's own words for it
#: (its error check's green triangle) and its two ways out.
STORED_NUMBER = ", not text (a number stored as text: Convert to Number, or VALUE())"
#: Why text written as a day in a local way (``2/20/2004``, ``20.02.2004``) is refused there: it reads as other days
#: in other countries; only ISO text is one day everywhere.
STORED_DATE = ", not text (a date stored as text: DATEVALUE(), or text written 2004-02-20)"
ARGUMENTS = Scheme(serials=True, ignore_case=True, stored_number=STORED_NUMBER, text_date_hint=STORED_DATE)
#: Text VALUE() reads as a number that :func:`to_decimal` does not: a currency sign, a percent sign, an accounting
#: negative in parentheses (``$9.60``, ``50%``, ``(1,000)``); group 1 the number itself.
_VALUE_READS = re.compile(r"\(?\s*-?\s*[$€£¥]?\s*(-?[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)\s*[%$€£¥]?-?\s*\)?")
#: A number in scientific notation as text (``1E3``, ``-1.5e-2``), which VALUE() reads and :func:`to_decimal` does not.
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]{1,6}")
_EXCEL_LARGEST = Decimal("1E308")  #: (Excel's largest number is 9.99999999999999E+307)
#: The ways a day is written other than ISO's that DATEVALUE() reads in one country or another (``2/20/2004``,
#: ``20.02.2004``, ``Feb 20, 2004``).
_LOCAL_DAYS = ("%Y-%m-%d", "%Y.%m.%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y",
               "%d.%m.%y", "%m-%d-%Y", "%d-%m-%Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y",
               "%d-%b-%y")


class Reader:
    """Typed reads from ``get(key)``, collecting located problems in :attr:`problems`.

    Parameters
    ----------
    get : callable
        ``get(key)`` -> the raw value, None or :data:`MISSING` when there is none.
    where : callable
        ``where(key)`` -> the place a problem names (``offer.outstanding``, ``Inputs!C12``).
    scheme : Scheme
    name : callable, optional
        ``name(key)`` -> the input's name, put before each reason when the scheme is ``named``.
    problems : list, optional
        Where problems go (shared between readers of one input); a new list by default.
    """

    def __init__(self, get: Callable[[Hashable], object], where: Callable[[Hashable], str], scheme: Scheme,
                 name: Callable[[Hashable], str] = str, problems: list[InputError] | None = None):
        self.get, self.where, self.scheme, self.name = get, where, scheme, name
        self.problems: list[InputError] = [] if problems is None else problems

    # --- the problems -------------------------------------------------------------------------

    def fail(self, key, value, reason: str, show_value: bool = True) -> None:
        """Record that *value* at *key* is wrong: *reason* follows the place (and the name)."""
        if self.scheme.named:
            reason = f"{self.name(key)} {reason}"
        if self.scheme is TOML and isinstance(value, dt.datetime):  # (as typed, its time even at midnight: a
            value = Moment.of(value)  # cell's is its day; in the problem's value, as every other key's, for --json)
        self.problems.append(InputError(self.where(key), value, reason, show_value=show_value))

    def check(self) -> None:
        """Raise :class:`InputErrors` with every problem recorded, if any."""
        if self.problems:
            raise InputErrors(self.problems)

    def _value(self, key, required: bool):
        """``(present, value)``; a missing required value is recorded as ``is required``."""
        value = self.get(key)
        if value is MISSING or value is None or value in self.scheme.blank:
            if required:
                self.fail(key, None if value is MISSING else value, "is required")
            return False, value
        return True, value

    # --- the kinds of value ---------------------------------------------------------------------

    def number(self, key, required: bool = True, positive: bool = False, nonneg: bool = False,
               default: Decimal | None = None, below: int | None = None, bound: str = "") -> Decimal | None:
        """A finite decimal, read from its written text; > 0 when *positive*, ≥ 0 when *nonneg*.

        With *below*, its size must be below that (*bound* says what the bound is for).
        """
        present, value = self._value(key, required)
        if not present:
            return default
        number = self._decimal(key, value)
        if number is None:
            return default
        if positive and number <= 0:  # (the sign first: -2e9 for a price is not "must be above -1e9")
            self.fail(key, value, "must be > 0")
            return default
        if nonneg and number < 0:
            self.fail(key, value, "must not be negative")
            return default
        if below is not None and number.copy_abs() >= below:
            limit = f"below {below:,}" if number > 0 else f"above -{below:,}"  # a negative one: its size, in words
            self.fail(key, value, f"must be {limit}" + (f" ({bound})" if bound else ""))
            return default
        return number

    def _decimal(self, key, value) -> Decimal | None:
        if isinstance(value, str) and not self.scheme.text_numbers:  # (a cell's formula, =0.005, is no number typed)
            formula = self.scheme.typed_cells and value.startswith("=")
            self.fail(key, value, "must be a number" + (", typed in: not a formula" if formula else
                                                        self._not_text(value)))
            return None
        if isinstance(value, ExponentFloat):
            self.fail(key, value, "must be a number written without an exponent (274000, not 2.74e5)")
            return None
        try:
            return to_decimal(value, "")
        except InputError as exc:
            hint = written_wrong(value) if self.scheme.number_hints and exc.reason == "must be a number" else ""
            self.fail(key, value, exc.reason + hint)
            return None

    def _not_text(self, text: str) -> str:
        """What "must be a number" adds for *text*: the scheme's :attr:`~Scheme.stored_number` when the text reads
        as a number (``274,000``, ``7.94``), else its :attr:`~Scheme.not_text`."""
        if self.scheme.stored_number:
            t = text.strip()  # (review 168: "$9.60", "50%", "(1,000)" too, as VALUE() reads; 170: one sign at most)
            bare = m.group(1) if (m := _VALUE_READS.fullmatch(t)) and (t[:1] == "(") == (t[-1:] == ")") and sum(
                map(t.count, "-(")) <= 1 and sum(map(t.count, "$€£¥%")) <= 1 else text
            if _EXPONENT.fullmatch(t):  # (review 171: 1E3 too; 176: not past Excel's largest, which VALUE() refuses)
                return self.scheme.stored_number if abs(Decimal(t)) < _EXCEL_LARGEST else self.scheme.not_text
            try:
                to_decimal(bare, "")
            except InputError:
                return self.scheme.not_text
            return self.scheme.stored_number
        return self.scheme.not_text

    def whole(self, key, required: bool = True, minimum: int | None = 0, default: int | None = None,
              below: int | None = None, positive: bool = False) -> int | None:
        """A whole count of at least *minimum* (None: any; 1 when *positive*), below *below* when given."""
        present, value = self._value(key, required)
        if not present:
            return default
        if self.scheme.integer_literals and isinstance(value, Decimal):  # a TOML float: 274000.0, 2.74e5
            self.fail(key, value, "must be a whole number written as an integer (274000, not 274000.0 or 2.74e5)")
            return default
        number = self._decimal(key, value)
        if number is None:
            return default
        if not is_whole(number):
            self.fail(key, value, "must be a whole number")
            return default
        if below is not None and number.copy_abs() >= below:
            self.fail(key, value, f"must be below {below:,} (Excel holds 15 digits exactly)")
            return default
        if positive and number < 1:
            self.fail(key, value, "must be a positive whole number")
            return default
        if minimum is not None and number < minimum:
            self.fail(key, value, _below_minimum(minimum))
            return default
        return int(number)

    def date(self, key, required: bool = True) -> dt.date | None:
        """A day: a date, a date-time (when the scheme allows), ISO text, or an Excel serial (likewise)."""
        present, value = self._value(key, required)
        if not present:
            return None
        if isinstance(value, dt.datetime):
            if self.scheme.date_times:
                return self._excel_day(key, value.date(), value if value.time() != dt.time() else value.date())
            self.fail(key, value, "must be a date without a time (YYYY-MM-DD)")  # (shown with its time: fail())
            return None
        if isinstance(value, dt.date):
            return self._excel_day(key, value)
        if self.scheme.serials and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return self._serial(key, value)
        if self.scheme.typed_cells and (day := whole_day(value)) is not None and day >= _FIRST_DAY_SHOWN:  # (its
            # format cleared: LibreOffice saves Excel's Long Date as General; a year typed, 2004, is no 1905 day)
            self.fail(key, int(value), f"must be a date ({day} as a serial number: the cell's number format "
                      f"{DATE_AS_NUMBER}; give the cell a date format, yyyy-mm-dd)")  # (--json: its value, 38037)
            return None
        if isinstance(value, str) and self.scheme.typed_cells and value.strip():
            why = _PAST_THE_LAST_DAY if value == "#VALUE!" else RETYPE  # (as a library reads a serial past it)
            self.fail(key, value, "must be a date" + why)
            return None
        if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):  # not 20040212 or 2004-W07-4
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                return self._excel_day(key, day, value)
        hint = self.scheme.text_date_hint if isinstance(value, str) and _local_day(value.strip()) else ""
        self.fail(key, value, "must be a date" + (hint or self.scheme.date_hint))
        return None

    def _excel_day(self, key, day: dt.date, value=None) -> dt.date | None:
        """*day*, or None and a problem when the scheme wants a day a workbook holds and it is not one."""
        reason = excel_day_problem(day) if self.scheme.excel_days else ""
        if reason:
            self.fail(key, day if value is None else value, reason)
            return None
        return day

    def _serial(self, key, value) -> dt.date | None:
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(key, value, "must be a date")
            return None
        try:
            return from_serial(math.floor(value))
        except InputError as exc:
            self.fail(key, value, exc.reason)
            return None

    def flag(self, key, default: bool | None = None) -> bool:
        """TRUE or FALSE; *default* when missing (None: a missing flag is a problem, read as False)."""
        value = self.get(key)
        if value is MISSING and default is not None:
            return default
        if isinstance(value, bool):
            return value
        true, false = self.scheme.flag_words
        if true and isinstance(value, str) and value.strip().upper() in (true, false):
            return value.strip().upper() == true
        as_formula = self.scheme.flag_formula(value) if self.scheme.flag_formula else None
        if as_formula is not None:
            return as_formula
        if self.scheme.typed_cells and isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
            self.fail(key, value, self.scheme.flag_reason + RETYPE)
            return bool(default)
        self.fail(key, None if value is MISSING else value, self.scheme.flag_reason)
        return bool(default)

    def text(self, key, required: bool = True, default: str = "") -> str:
        """Text, stripped; blank text is missing.  Where the scheme reads any value as text (a workbook's cell), a
        whole number is its text as Excel shows it, ``'2004'`` (2004 typed as an Issuer, an OfferId or a holder id),
        whether read from a file (openpyxl: the int) or a live book (xlwings: the float 2004.0, which read as
        ``'2004.0'``): one value to every command (:func:`~xlpy.engine.numbers.whole_text`).  A float too large
        for its digits to be the ones typed is refused (:data:`~xlpy.engine.numbers.INEXACT_WHOLE`)."""
        present, value = self._value(key, required)
        if not present:
            return default
        if self.scheme.any_text and not isinstance(value, str):
            if type(value) is float and value.is_integer() and whole_text(value) is None:
                self.fail(key, value, INEXACT_WHOLE)
                return default
            value = whole_text(value) or str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "must be non-empty text")
            return default
        why = unstorable(value, controls=not self.scheme.control_text) if self.scheme.stored_text else ""
        if why or (self.scheme.stored_text and len(value) > CELL_TEXT):
            self.fail(key, value, why or too_long())
            return default
        return value.strip()

    def choice(self, key, choices: tuple[str, ...], required: bool = True, default: str = "") -> str:
        """One of *choices* (in any case when the scheme ignores case); *default* when missing."""
        present, value = self._value(key, required)
        if not present:
            return default
        if isinstance(value, str):
            wanted = value.strip().lower() if self.scheme.ignore_case else value.strip()
            for c in choices:
                if (c.lower() if self.scheme.ignore_case else c) == wanted:
                    return c
        self.fail(key, value, "must be one of " + ", ".join(choices))
        return default


def _local_day(text: str) -> bool:
    """Whether *text* is a day from 1900 on written another way than ISO's (:data:`_LOCAL_DAYS`; ``2004-2-20`` too):
    ``2004-02-30`` or ``13/13/2004`` is no day at all (review 169: both were told to use DATEVALUE())."""
    for how in _LOCAL_DAYS:
        try:
            day = dt.datetime.strptime(text, how)
        except ValueError:
            continue
        return day.year >= 1900  # (review 170: DATEVALUE() reads no day before 1900; 2004-2-20 is one it reads)
    return False


def unstorable(text: str, controls: bool = False) -> str:
    """Why *text* cannot be stored in a workbook, naming its first such character ("" when it can be): one XML 1.0
    does not allow, or, with *controls*, any control character (tab and line feed too: no one-line text holds
    them) or line or paragraph separator (U+2028, U+2029). ``holds a noncharacter (U+FFFE), which a workbook cannot
    store``; ``holds a control character (U+0009), which a one-line value does not hold``."""
    found = (_UNSTORABLE_OR_CONTROL if controls else _UNSTORABLE).search(text)
    if found is None:
        return ""
    ch = found.group()
    kind = ("a control character" if unicodedata.category(ch) == "Cc" else
            "a line separator" if ch == "\u2028" else "a paragraph separator" if ch == "\u2029" else
            "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "a noncharacter")
    # (review 165: a tab, line break, DEL or C1 control is stored, but no one-line value holds it)
    where = "a workbook cannot store" if _UNSTORABLE.match(ch) else "a one-line value does not hold"
    return f"holds {kind} (U+{ord(ch):04X}), which {where}"


def character(ch: str) -> str:
    """A character as a problem names it, by its code and Unicode name: ``U+200B (ZERO WIDTH SPACE)``."""
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})"


#: Dashes a number's minus is typed as (a word processor's, a web page's): taken for ``-`` only to say so.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
#: A number with spaces between groups of three digits (``464 777``; a no-break, narrow no-break, thin or figure
#: space too, as word processors and typesetting write thousands).
_SPACED = re.compile(r"[+-]?[0-9]{1,3}(?:[ \xa0\u202f\u2009\u2007][0-9]{3})+(?:\.[0-9]+)?")


def written_wrong(value: object) -> str:
    """What follows ``must be a number`` for text that is no number in the one written form: the spaces of a number
    whose thousands they separate (as a tally's ``write 2500, not 2 500``), or the first character outside ASCII,
    named as a tally's holder id names it (a minus typed as U+2212, a zero-width space pasted in), with the number
    meant where leaving it out or taking it for ``-`` gives one; "" for any other text.

    >>> written_wrong("464\xa0777"), written_wrong("\u2212274000")
    (': spaces do not separate thousands in an offer file: write 464777 or 464,777, not 464 777', ': it holds \
U+2212 (MINUS SIGN), not the minus sign a number is written with: write -274000')
    """
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if _SPACED.fullmatch(text):
        digits = "".join(text.split())
        return (f": spaces do not separate thousands in an offer file: write {digits} or {to_decimal(digits, ''):,}, "
                f"not {' '.join(text.split())}")
    odd = next((c for c in text if not c.isascii()), None)
    if odd is None:
        return ""
    meant = unicodedata.normalize("NFKC", text).translate(_DASHES)
    meant = "".join(c for c in meant if unicodedata.category(c) != "Cf")
    try:
        to_decimal(meant, "")
    except InputError:
        return (f": it holds {character(odd)}: a number is written in ASCII (the digits 0-9, a sign, a decimal point, "
                "commas between thousands)")
    if ord(odd) in _DASHES:
        return f": it holds {character(odd)}, not the minus sign a number is written with: write {meant.strip()}"
    return f": it holds {character(odd)}: write {meant.strip()}"


def too_long() -> str:
    """Why text longer than :data:`CELL_TEXT` is refused (a workbook would cut it)."""
    return f"is longer than a cell holds ({CELL_TEXT:,} characters)"


def _below_minimum(minimum: int) -> str:
    if minimum == 0:
        return "must not be negative"
    return f"must be at least {minimum}"


def one(value: object, name: str, scheme: Scheme = ARGUMENTS) -> Reader:
    """A reader of one value named *name* (a worksheet function's argument)."""
    return Reader(lambda _k: value, lambda _k: name, scheme)


def raise_first(reader: Reader, result):
    """*result*, or the reader's first problem raised (a worksheet function shows one)."""
    if reader.problems:
        raise reader.problems[0]
    return result

