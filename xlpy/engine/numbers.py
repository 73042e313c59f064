"""One way to make every number: exact decimals from their written text.

Floats never enter the arithmetic.  A float that reaches the engine (Excel
passes every number as a float) is read through its shortest round-trip text,
``repr(7.94) == '7.94'``, which is the number the user typed.

Rounding follows Excel's ROUND: half away from zero (``ROUND_HALF_UP`` in the
:mod:`decimal` module), never Python's banker's rounding.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from decimal import (ROUND_HALF_UP, Context, Decimal, DecimalException, DivisionByZero, InvalidOperation, Overflow,
                     localcontext)

from .errors import InputError

__all__ = [
    "CONTEXT",
    "engine_context",
    "ZERO",
    "ONE",
    "to_decimal",
    "to_whole",
    "excel_round",
    "is_whole",
    "plain",
    "short",
    "units",
    "whole_text",
    "INEXACT_NUMBER",
    "INEXACT_WHOLE",
    "EXACT_FLOATS",
]

#: Precision for the few divisions that do not terminate (an average price,
#: face ÷ conversion price, a proration factor, EPS).  34 significant digits
#: (IEEE decimal128) is far beyond any figure that is reported.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999, capitals=1, clamp=0, flags=[],
                  traps=[InvalidOperation, DivisionByZero, Overflow])  # (every field: none from DefaultContext)


@contextmanager
def engine_context():
    """The engine's decimal context (:data:`CONTEXT`, its default traps) for a block or a decorated call, whatever
    the caller's thread has set (``getcontext().prec = 5``, an ``Inexact`` trap): what a build, a refresh and a
    validation compute stays the engine's, called from a script as from the command line."""
    with localcontext(CONTEXT):
        yield

ZERO = Decimal(0)
ONE = Decimal(1)

#: The one form of a number written as text: ASCII digits, an optional sign, an
#: optional decimal point, and optionally commas between groups of three digits
#: of the whole part (``"1,234,567.5"``).  No exponent, no other digits, no other
#: separators: ``"7,94"`` (a decimal comma?) and ``"4,64,777"`` are refused, never
#: read as 794 or 464777, and so is an underscore (``"2_500"``: Python's and TOML's
#: integers, no file's or cell's text).
_NUMBER_TEXT = re.compile(r"[+-]?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|[+-]?\.[0-9]+", re.ASCII)
#: Why text that would be a number but for its underscores is none (``"2_500"``; ``"N_A"`` is no number at all).
_UNDERSCORE = "must be a number written without '_' (an underscore is no thousands separator)"


def to_decimal(value: object, field: str) -> Decimal:
    """Return *value* as a finite :class:`~decimal.Decimal`.

    Parameters
    ----------
    value : int, str, Decimal or float
        The written number.  Strings are ASCII digits with an optional sign
        and decimal point, thousands separators only between groups of three
        (``"464,777"``; no underscore), no exponent, and may have surrounding spaces.  A
        float is read through its shortest text (``repr``), never through its
        binary expansion.
    field : str
        The name of the input, used in the error message.

    Raises
    ------
    InputError
        For booleans, empty values, text that is not a number in that form,
        NaN and infinities, and numbers with more significant digits than the
        engine's 34 (they could not be held exactly).

    Examples
    --------
    >>> to_decimal(7.94, "ratio")
    Decimal('7.94')
    >>> to_decimal("464,777", "outstanding")
    Decimal('464777')
    """
    if isinstance(value, bool) or value is None:
        raise InputError(field, value, "must be a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(field, value, "must be a finite number")
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER_TEXT.fullmatch(text):
            # (the underscore named only when it is what stands between the text and a number: not in N_A)
            underscored = "_" in text and _NUMBER_TEXT.fullmatch(text.replace("_", ""))
            raise InputError(field, value, _UNDERSCORE if underscored else "must be a number")
        number = Decimal(text.replace(",", ""))
    else:
        raise InputError(field, value, "must be a number")
    if not number.is_finite():
        raise InputError(field, value, "must be a finite number")
    _check_digits(number, value, field)
    return number


def _check_digits(number: Decimal, value: object, field: str) -> None:
    """Refuse a number the engine's context could not hold exactly (it would be rounded silently)."""
    _sign, digits, exponent = number.as_tuple()
    significant = len("".join(map(str, digits)).strip("0"))
    if significant > CONTEXT.prec:
        raise InputError(field, value, f"must be a number of at most {CONTEXT.prec} significant digits (more "
                                       "cannot be held exactly)")
    if number and not (CONTEXT.Etiny() <= exponent and number.adjusted() <= CONTEXT.Emax):
        raise InputError(field, value, "must be a number of a size a decimal can hold")


def is_whole(number: Decimal) -> bool:
    """True when *number* has no fractional part (``5``, ``5.0``, ``5E+3``)."""
    return number == number.to_integral_value()


def to_whole(value: object, field: str) -> int:
    """Return *value* as an ``int``, refusing any fractional part.

    >>> to_whole("274,000", "tally.tendered")
    274000
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = to_decimal(value, field)
    if not is_whole(number):
        raise InputError(field, value, "must be a whole number")
    return int(number)


def excel_round(number: Decimal, places: int = 0) -> Decimal:
    """Round half away from zero to *places* decimals, as Excel's ROUND does.

    Negative *places* round to tens, hundreds, thousands...

    >>> excel_round(Decimal("1.005"), 2)
    Decimal('1.01')
    >>> excel_round(Decimal("-2.5"))
    Decimal('-3')
    >>> excel_round(Decimal("274321"), -3)
    Decimal('2.74E+5')

    The offer file's bounds keep every figure far inside the engine's 34
    digits; a number that still cannot be rounded (``1E+300`` to cents needs
    303) is refused as an :class:`InputError`, never a bare decimal exception.
    """
    try:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=CONTEXT)
    except DecimalException:
        raise InputError("number", number, f"cannot be rounded to {places} decimals in {CONTEXT.prec} "
                                           "significant digits") from None


def units(n: int, noun: str = "units") -> str:
    """A whole count with its noun, in the singular for one: ``'274,000 units'``, ``'1 unit'``.

    >>> units(274000), units(1), units(1, "notes"), units(0)
    ('274,000 units', '1 unit', '1 note', '0 units')
    """
    return f"{n:,} {noun[:-1] if n == 1 else noun}"


def plain(number: Decimal | int) -> str:
    """Exact decimal text without exponent or trailing zeros: ``'9597836.4'``.

    >>> plain(Decimal("2.74E+5"))
    '274000'
    >>> plain(Decimal("9597836.40"))
    '9597836.4'
    """
    if isinstance(number, int):
        return str(number)
    if number == 0:
        return "0"
    text = format(number.normalize(CONTEXT), "f")
    return text


#: A number longer than this in plain digits is shown by its short text (``1e-300``).
SHORT_DIGITS = 20
#: A number of this size or more, past the 15 digits Excel holds exactly, is shown by its short text (``1e+15``).
SHORT_FROM = 10**15


def short(number: Decimal | int) -> str:
    """A number as a message shows it: :func:`plain` up to 20 characters and below :data:`SHORT_FROM`, another in
    short form, as Python writes a float (``1e-300``, ``1.5e+30``), so a message stays one short line and shows every
    number one way: two counts past Excel's 15 digits alike (``1e+20``, ``9.99999e+19``), whatever their length.

    >>> short(Decimal("9597836.40")), short(Decimal("1E-300")), short(10**30), short(Decimal("-1.5E+30"))
    ('9597836.4', '1e-300', '1e+30', '-1.5e+30')
    >>> short(999999999999999), short(10**15), short(Decimal("99999900000000000000")), short(7939999999999992)
    ('999999999999999', '1e+15', '9.99999e+19', '7.939999999999992e+15')
    >>> short(Decimal("-1.8E+15")), short(Decimal("0.000012345678901234567891"))
    ('-1.8e+15', '1.2345678901234567891e-5')
    >>> short(Decimal("Infinity")), short(Decimal("-Infinity")), short(Decimal("NaN"))
    ('Infinity', '-Infinity', 'NaN')
    """
    if isinstance(number, Decimal) and not number.is_finite():  # (no digits to write short: as written)
        return str(number)
    text = plain(number)
    if len(text) <= SHORT_DIGITS and abs(number) < SHORT_FROM:
        return text
    sign, digits, _ = (d := Decimal(number).normalize(CONTEXT)).as_tuple()  # (str() writes 7939999999999992 so)
    head = "".join(map(str, digits))
    return f"{'-' * sign}{head[0]}{'.' + head[1:] if len(head) > 1 else ''}e{d.adjusted():+d}"


#: Whole floats below this in size are each one integer's exact value; from it on a float is a whole number whatever
#: was typed, its last digits lost (12345678901234567 as a float is 12345678901234568; Excel keeps 15 digits and
#: changes those past them to zeros: typed there, it is 12345678901234500).
EXACT_FLOATS = 2**53
#: Why a float from :data:`EXACT_FLOATS` on where text belongs (an id, a name) is refused: no text of it is the one
#: typed, and its repr (``1.2345678901234568e+16``) is no id.  :data:`INEXACT_WHOLE` says so of a workbook's cell;
#: an XLSX tally's id says the first part with its own fix (:mod:`xlpy.files.sources`).
INEXACT_NUMBER = "is a number too long to be read as text exactly (its last digits are lost)"
INEXACT_WHOLE = f"{INEXACT_NUMBER}: type it as text, with an apostrophe before it"


def whole_text(value: object) -> str | None:
    """The text of a whole number that arrives as a float where text belongs, as Excel shows it (``'30020'`` of
    ``30020.0``: xlwings hands every number of a live book over so, where openpyxl reads a file's ``30020`` as an
    int); else None: not a float, not whole, or from :data:`EXACT_FLOATS` on (:data:`INEXACT_WHOLE`).

    >>> whole_text(30020.0), whole_text(-7.0), whole_text(2004.5), whole_text(2004), whole_text(2.0**53)
    ('30020', '-7', None, None, None)
    """
    return str(int(value)) if type(value) is float and value.is_integer() and abs(value) < EXACT_FLOATS else None
