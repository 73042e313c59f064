"""Worksheet functions: ``=INDUCED_CHARGE(...)`` and its family, through xlwings.

Each function is a thin wrapper over :mod:`xlpy.engine`: it turns what Excel
passes (floats, ``None`` for empty cells, lists for ranges, datetimes or serial
numbers for dates; see :mod:`xlpy.excel.args`) into exact
:class:`~decimal.Decimal` inputs, calls the engine, and hands Excel a
``float`` (share counts too: a 64-bit int reaches 32-bit VBA as no type it has; a ``datetime.date`` for
dates, text for labels).  Each is reachable in Python under its Excel name
(``xlpy.udfs.INDUCED_CHARGE``) and registered with
:func:`xlpy.excel.registry.worksheet_function`, which records the Function Wizard
text (the docstring's first line and one help line per argument) and applies
xlwings' decorators.  The VBA module that Excel's "Import Functions" creates
for this module is ``xlpy vba -o xlpy_udfs.bas``.

Error channel
-------------
A wrong argument never raises out of a worksheet function: the function
*returns* one line of text, ``#xlpy! <argument> <what is wrong>, got <value>``,
for example ``#xlpy! price must be > 0, got -3``, which the cell shows.  Every
function is wrapped by the same decorator (:func:`_cell_errors`), which turns
any :class:`~xlpy.engine.errors.InputError` (from the engine or from argument
conversion) into that text, renaming engine fields to the function's argument
names.  A result beyond Excel's largest number (about 1.8e308) is such an
error too, naming the result (``#xlpy! the charge is beyond Excel's largest
number ...``), never ``inf``.  Any other exception would be a bug in xlpy, and still becomes one line,
``#xlpy! <ExceptionType>: <message> (in <FUNCTION>; please report)``.
A function whose result spills returns the message alone, in one cell.

Why return rather than raise: through xlwings' COM server on Windows, an
exception raised by a UDF reaches the cell as the description pywin32 builds
for it, which is the Python traceback; a returned text is the same everywhere
(Excel, tests, other front ends).  A formula that depends on a failed cell
gets ``#VALUE!``; test for a message with ``=LEFT(A1, 6) = "#xlpy!"``.

Import cost
-----------
Importing this module costs little beyond ``import xlwings`` (which the
registry needs for its decorators): the engine is pure Python, and
``exchange_calendars`` (and pandas' calendar machinery) is imported only by
the functions that count trading days, on first use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import __version__
from ..engine import allocation
from ..engine import charge as _charge
from ..engine import eps as _eps
from ..engine import ratio as _ratio
from ..engine import release as _release
from ..engine.errors import Counted, InputError
from ..engine.numbers import CONTEXT, ZERO
from ..engine.rules import check_period, tally_problems
from .args import (
    MOST_TEXT,
    cell_errors as _cell_errors,
    cells,
    choice,
    count_fits as _count_fits,
    counts,
    date,
    fits as _fits,
    fraction,
    no_below_original,
    no_blank_range,
    no_values,
    not_negative,
    number,
    optional_whole,
    positive,
    share_ratio,
    whole,
)
from .registry import worksheet_function
from .window import history as _history
from .window import window as _window

__all__ = [
    "INDUCED_CHARGE",
    "INCREMENTAL_SHARES",
    "SHARES_ISSUED",
    "CASH_IN_LIEU",
    "EXCHANGE_RATIO",
    "OFFER_VWAP",
    "AVERAGING_WINDOW",
    "PRORATION",
    "WEIGHTED_SHARES",
    "EPS_AFTER",
    "APPROX",
    "OFFER_RESULTS",
    "CHARGE_GRID",
    "XLPY_VERSION",
]

CATEGORY = "xlpy"

# Help texts shared by several functions.
_UNITS = "Units accepted: preferred shares, or notes of the face the ratios are quoted per"
_UNITS_HOLDERS = "Units accepted: one number, or a column (or row) of accepted units, one cell per holder"
_R1 = "Common shares per unit under the offer (R1)"
_R0 = "Common shares per unit under the original conversion terms (R0)"
_PRICE = "Fair value of one common share at the measurement date (P)"
_CASH = "Cash paid per unit on top of the shares (optional; empty = 0)"
_DAYS = "Trading days in the averaging window (optional; default 5)"
_LAG = "The window ends this many trading days before expiration (optional; default 2)"
_CALENDAR = 'Exchange calendar code for trading days (optional; default "XNYS", the NYSE)'
_EXPIRATION = "The day the offer expires (a date or an Excel date serial number)"

#: xlwings hands an error cell (#N/A, #DIV/0!) over as None, an empty cell, unless told
#: ``err_to_str``: then as its text, on the desktop (COM) and in xlwings Lite (Office.js) alike.
#: Every argument is read so, and the text is refused by name like any other
#: (``units (cell 2) must be a number, got "#N/A"``), never skipped as a blank.
_CELL_ERRORS = {"err_to_str": True}
_RANGE = {"ndim": 2}  # xlwings: always hand a range over as a list of rows


def _function(category, args=None, arg_options=None):
    """:func:`~xlpy.excel.registry.worksheet_function`, every argument read with :data:`_CELL_ERRORS`."""
    options = {name: {**(arg_options or {}).get(name, {}), **_CELL_ERRORS} for name in args or {}}
    return worksheet_function(category=category, args=args, arg_options=options)


# --------------------------------------------------------------------------- #
# the charge


@_function(
    category=CATEGORY,
    args={
        "units": _UNITS,
        "offer_ratio": _R1,
        "original_ratio": _R0,
        "price": _PRICE,
        "cash_per_unit": _CASH,
    },
)
def INDUCED_CHARGE(units, offer_ratio, original_ratio, price, cash_per_unit=None):
    """Induced-conversion charge: units × (R1 − R0) × P + units × cash per unit.

    The fair value of the shares above the original terms, plus the cash
    sweetener (:func:`xlpy.engine.charge.induced_charge`), computed exactly in
    decimal and handed to Excel as the nearest float.  A deemed dividend for
    preferred stock, an inducement expense for notes.

    Examples
    --------
    Hecla, February 2004: ``=INDUCED_CHARGE(274000, 7.94, 3.2, 7.39)`` gives
    9,597,836.40:

    >>> INDUCED_CHARGE(274000, 7.94, 3.2, 7.39)
    9597836.4
    >>> INDUCED_CHARGE(274000, 7.94, 3.2, -3)
    '#xlpy! price must be > 0, got -3'
    """
    fast = _charge_of_floats(units, offer_ratio, original_ratio, price, cash_per_unit)
    return _induced_charge(units, offer_ratio, original_ratio, price, cash_per_unit) if fast is None else fast


def _charge_of_floats(units, offer_ratio, original_ratio, price, cash_per_unit):
    """INDUCED_CHARGE's fast path: the charge of float arguments of at most 9 decimals in exact integers (no
    decimal context, nothing that raises), or None for the general path."""
    # Note on the fast path: for valid float arguments it does exact integer
    # arithmetic on the very decimals the general path reads.  For 0 < x < 10^6
    # with r = x·10^9 whole and r / 10^9 == x (exact operands, so a correctly
    # rounded division), to_decimal(x) == r·10^-9 exactly: repr(x) is the only
    # decimal of at most 15 significant digits that rounds to x, and r·10^-9
    # is one.  A whole float below 2^53 is its own repr.  The charge is then
    # N / 10^18 for an integer N, and int true division rounds correctly: the
    # float nearest the exact charge, which is float() of the engine's exact
    # Decimal result.  Anything else (more than 9 decimals, values of 10^6 or
    # more, units of 10^15 or more, bad values) takes the general path.
    # tests/test_udfs.py checks that the two paths agree.  The fast path runs before the wrapper that sets
    # the engine's decimal context (_cell_errors): it needs none, and that would double its cost.
    if (
        type(units) is type(offer_ratio) is type(original_ratio) is type(price) is float
        and 0.0 <= units < 1e15  # a count's bound (args.COUNT_LIMIT); a whole float below 2**53 is its own repr
        and units.is_integer()
        and 0.0 < original_ratio <= offer_ratio < 1e6
        and 0.0 < price < 1e6
        and (cash_per_unit is None or type(cash_per_unit) is float and 0.0 <= cash_per_unit < 1e6)
    ):
        a = int(offer_ratio * 1e9 + 0.5)
        b = int(original_ratio * 1e9 + 0.5)
        c = int(price * 1e9 + 0.5)
        if a / 1e9 == offer_ratio and b / 1e9 == original_ratio and c / 1e9 == price:
            if cash_per_unit is None:
                return int(units) * (a - b) * c / 1_000_000_000_000_000_000
            d = int(cash_per_unit * 1e9 + 0.5)
            if d / 1e9 == cash_per_unit:
                return int(units) * ((a - b) * c + d * 1_000_000_000) / 1_000_000_000_000_000_000
    return None


@_cell_errors()
def _induced_charge(units, offer_ratio, original_ratio, price, cash_per_unit):
    """INDUCED_CHARGE's general path, in the engine's decimals: any arguments, each refused by name."""
    r1 = positive(offer_ratio, "offer_ratio")
    r0 = positive(original_ratio, "original_ratio")
    no_below_original(r1, r0, offer_ratio)
    return _fits(
        _charge.induced_charge(
            Decimal(whole(units, "units")),
            r1,
            r0,
            positive(price, "price"),
            ZERO if cash_per_unit is None else not_negative(cash_per_unit, "cash_per_unit"),
        ),
        "the charge",
    )


@_function(
    category=CATEGORY,
    args={"units": _UNITS, "offer_ratio": _R1, "original_ratio": _R0},
)
@_cell_errors()
def INCREMENTAL_SHARES(units, offer_ratio, original_ratio):
    """Common shares issued above the original terms: units × (R1 − R0).

    Examples
    --------
    ``=INCREMENTAL_SHARES(274000, 7.94, 3.2)`` gives 1,298,760:

    >>> INCREMENTAL_SHARES(274000, 7.94, 3.2)
    1298760.0
    """
    r1 = positive(offer_ratio, "offer_ratio")
    r0 = positive(original_ratio, "original_ratio")
    no_below_original(r1, r0, offer_ratio)
    return _count_fits(_charge.incremental_shares(Decimal(whole(units, "units")), r1, r0),
                       "the number of incremental shares")


# --------------------------------------------------------------------------- #
# delivery


@_function(
    category=CATEGORY,
    args={
        "units": _UNITS_HOLDERS,
        "ratio": "Common shares delivered per unit (R1)",
        "fractional": 'Fractional shares: "cash" (round down, pay cash; the default), "down" or "nearest"',
    },
    arg_options={"units": _RANGE},
)
@_cell_errors()
def SHARES_ISSUED(units, ratio, fractional=None):
    """Whole common shares delivered, rounding each holder's shares separately.

    Each holder receives ``floor(units × ratio)`` shares under the ``cash``
    and ``down`` policies, or the nearest whole number (half up) under
    ``nearest`` (:func:`xlpy.engine.allocation.deliver`).  Rounding per holder
    is why a filed total can differ from units × ratio by a few shares.  A
    ratio a formula made as a fraction is that fraction (:func:`xlpy.excel.args.share_ratio`).

    Examples
    --------
    ``=SHARES_ISSUED(274000, 7.94)`` gives 2,175,560; two holders of 150 and
    75 units, ``=SHARES_ISSUED(A1:A2, 7.94)``, receive 1,191 + 595 shares;
    77 notes at ``=1000/38.5`` shares each (2000/77) receive 2,000:

    >>> SHARES_ISSUED(274000, 7.94)
    2175560.0
    >>> SHARES_ISSUED([[150.0], [75.0]], 7.94)
    1786.0
    >>> SHARES_ISSUED(77, 1000 / 38.5)
    2000.0
    """
    from ..engine.model import (
        FRACTIONAL_POLICIES,  # the model's records: loaded on first use
    )

    holders = counts(units, "units")
    policy = choice(fractional, "fractional", FRACTIONAL_POLICIES, "cash")
    issued = allocation.deliver(holders, share_ratio(ratio, "ratio"), policy).common_issued
    return _count_fits(issued, "the number of shares issued")  # (a float, exact below 10^15: review 168)


@_function(
    category=CATEGORY,
    args={
        "units": _UNITS_HOLDERS,
        "ratio": "Common shares delivered per unit (R1)",
        "price": "Price of one common share paid for each fraction (usually the averaging price)",
    },
    arg_options={"units": _RANGE},
)
@_cell_errors()
def CASH_IN_LIEU(units, ratio, price):
    """Cash paid in lieu of fractional shares: each holder's fraction × price.

    Each holder's fraction is ``units × ratio − floor(units × ratio)``
    (:func:`xlpy.engine.allocation.deliver`, policy ``cash``), the ratio read as
    :func:`SHARES_ISSUED` reads it.

    Examples
    --------
    Holders of 150 and 75 units at 7.94 shares each are owed 0.5 share in all:
    at $8.31, ``=CASH_IN_LIEU(A1:A2, 7.94, 8.31)`` gives $4.155:

    >>> CASH_IN_LIEU([[150.0], [75.0]], 7.94, 8.31)
    4.155
    """
    holders = counts(units, "units")
    return _fits(
        allocation.deliver(holders, share_ratio(ratio, "ratio"), "cash", positive(price, "price")).fractional_cash,
        "the cash in lieu",
    )


# --------------------------------------------------------------------------- #
# the ratio by formula


@_function(
    category=CATEGORY,
    args={
        "value": "Value of common stock offered per unit (Hecla: 66)",
        "average_price": "Average price of the common stock over the averaging window",
        "cap": "Highest ratio (optional)",
        "floor": "Lowest ratio (optional)",
        "places": "Decimals the ratio is rounded to, half away from zero (optional; default 2)",
    },
)
@_cell_errors()
def EXCHANGE_RATIO(value, average_price, cap=None, floor=None, places=None):
    """Offer ratio by formula: value ÷ average price, floored, capped, then rounded.

    ``R1 = ROUND(MIN(cap, MAX(floor, ROUND(value / average_price, 10))), places)``,
    rounding half away from zero as Excel's ROUND, the quotient first to 10
    decimals as the workbook's Prices sheet takes it (for *places* below 10)
    (:func:`xlpy.engine.ratio.exchange_ratio`).

    Examples
    --------
    Hecla offered $66 of common stock per preferred share, at most 8.25
    shares: ``=EXCHANGE_RATIO(66, 8.3125, 8.25)`` gives 7.94:

    >>> EXCHANGE_RATIO(66, 8.3125, 8.25)
    7.94
    """
    v, a = number(value, "value"), number(average_price, "average_price")
    p = optional_whole(places, "places", 2, most=_MOST_PLACES, why="Excel holds 15 digits exactly")
    try:
        ratio = _ratio.exchange_ratio(
            v,
            a,
            None if cap is None else positive(cap, "cap"),
            None if floor is None else not_negative(floor, "floor"),
            p,
        )
    except InputError as exc:
        if exc.field != "number":  # excel_round's: the ratio, or a bound, has too many digits to round
            raise
        for name, bound in (("cap", cap), ("floor", floor)):  # (a bound past rounding: it, not the quotient)
            if bound is not None and number(bound, name).adjusted() >= CONTEXT.prec - p:
                raise InputError(name, bound, f"must be below 1e{CONTEXT.prec - p} to bound a ratio rounded to {p} "
                                 f"decimals ({CONTEXT.prec} significant digits)") from None
        # name the argument that makes it so: the one further from 1 in size; the quotient is held to 10 decimals
        big, held = abs(v.adjusted()) >= abs(a.adjusted()), max(p, _ratio.QUOTIENT_PLACES)
        raise InputError("value" if big else "average_price", value if big else average_price,
                         f"must make value ÷ average_price below 1e{CONTEXT.prec - held} to hold it to {held} "
                         f"decimals ({CONTEXT.prec} significant digits)") from None
    return _fits(ratio, "the ratio")


#: places of EXCHANGE_RATIO, as the offer file's formula.
_MOST_PLACES = 15


_WINDOW_FIELDS = {"averaging_days": "days", "lag_days": "lag"}


@_function(
    category=CATEGORY,
    args={
        "dates": "Trading days of the price history: a column (or row) of dates",
        "prices": "The price of each day (volume-weighted average or close), same size as dates",
        "volumes": "Shares traded each day, same size as dates: each day's weight",
        "expiration": _EXPIRATION,
        "days": _DAYS,
        "lag": _LAG,
        "calendar": _CALENDAR,
    },
    arg_options={"dates": _RANGE, "prices": _RANGE, "volumes": _RANGE},
)
@_cell_errors(_WINDOW_FIELDS)
def OFFER_VWAP(dates, prices, volumes, expiration, days=None, lag=None, calendar=None):
    """Volume-weighted average price over the offer's averaging window of trading days.

    The window is the *days* exchange sessions ending on the *lag*-th trading
    day before expiration (see ``AVERAGING_WINDOW``); the average is
    Σ price × volume ÷ Σ volume over those days
    (:func:`xlpy.engine.ratio.average_price`).  Every day of the window must
    be in the history; rows outside it count for nothing but are still checked (review 168: a blank price or
    ``#N/A`` there is named), and only rows blank in all three ranges are skipped.

    Examples
    --------
    Hecla's offer expired on 20 February 2004; the window runs from
    11 to 18 February (16 February was a holiday).  With the history in
    A2:C6, ``=OFFER_VWAP(A2:A6, B2:B6, C2:C6, DATE(2004, 2, 20))`` gives 8.3125:

    >>> import datetime as dt
    >>> days = [[dt.datetime(2004, 2, d)] for d in (11, 12, 13, 17, 18)]
    >>> prices = [[8.25], [8.30], [8.35], [8.30], [8.3625]]
    >>> volumes = [[100000.0]] * 5
    >>> OFFER_VWAP(days, prices, volumes, dt.datetime(2004, 2, 20))
    8.3125
    """
    history = _history(dates, prices, volumes)
    window = _window(expiration, days, lag, calendar)
    return float(_ratio.average_price(history, window, field="dates", volume_field="volumes"))


@_function(
    category=CATEGORY,
    args={"expiration": _EXPIRATION, "days": _DAYS, "lag": _LAG, "calendar": _CALENDAR},
)
@_cell_errors(_WINDOW_FIELDS)
def AVERAGING_WINDOW(expiration, days=None, lag=None, calendar=None):
    """First and last trading day of the averaging window, spilled as a row.

    The window is the *days* exchange sessions ending on the *lag*-th trading
    day before expiration; with lag 0 it ends on expiration (or the last
    trading day before it).  Holidays come from the exchange calendar
    (:func:`xlpy.engine.ratio.averaging_window`, :func:`xlpy.files.calendars.sessions`).

    Examples
    --------
    ``=AVERAGING_WINDOW(DATE(2004, 2, 20))`` spills 2004-02-11 and 2004-02-18
    (format the cells as dates):

    >>> AVERAGING_WINDOW(38037)
    [[datetime.date(2004, 2, 11), datetime.date(2004, 2, 18)]]
    """
    window = _window(expiration, days, lag, calendar)
    return [[window[0], window[-1]]]


# --------------------------------------------------------------------------- #
# proration


@_function(
    category=CATEGORY,
    args={
        "tendered": "Units validly tendered (after failed guaranteed deliveries)",
        "max_units": "The most units the issuer will accept (the cap)",
        "odd_lot_units": "Units tendered by odd-lot holders, accepted in full first (optional; empty = 0)",
    },
)
@_cell_errors()
def PRORATION(tendered, max_units, odd_lot_units=None):
    """Proration factor of a capped offer: the share of each non-odd-lot tender accepted.

    Odd lots are accepted in full first; the rest share what is left of the
    cap: ``(max_units − odd lots) ÷ (tendered − odd lots)``, 1 when all fit,
    shown to 10 decimals (:func:`xlpy.engine.allocation.proration_factor`).
    If even the odd lots do not fit, every tender is prorated alike.

    Examples
    --------
    ``=PRORATION(400000, 300000)`` gives 0.75; with 20,000 odd-lot units,
    ``=PRORATION(400000, 300000, 20000)`` gives 280,000 ÷ 380,000:

    >>> PRORATION(400000, 300000)
    0.75
    >>> PRORATION(400000, 300000, 20000)
    0.7368421053
    """
    t = whole(tendered, "tendered")
    cap = whole(max_units, "max_units", minimum=1)  # (as the offer file: a cap of 0 accepts nothing, no offer)
    odd = optional_whole(odd_lot_units, "odd_lot_units", 0)
    if odd > t:
        raise InputError("odd_lot_units", Counted(odd), f"must not exceed tendered ({t:,})")  # (as tally limits)
    if t <= cap:
        return 1.0
    if odd > cap:  # not even the odd lots fit: every holder is prorated alike
        odd = 0
    return float(allocation.proration_factor(t - odd, cap - odd))


# --------------------------------------------------------------------------- #
# earnings per share


@_function(
    category=CATEGORY,
    args={
        "shares_before": "Common shares outstanding through the whole period before the issue",
        "shares_issued": "Common shares issued in the period: one number, or a column (or row), one per issue",
        "issue_date": "Day the shares were issued: one date, or a column (or row) matching shares_issued",
        "period_start": "First day of the period",
        "period_end": "Last day of the period",
    },
    arg_options={"shares_issued": _RANGE, "issue_date": _RANGE},
)
@_cell_errors({"period.end": "period_end"})
def WEIGHTED_SHARES(shares_before, shares_issued, issue_date, period_start, period_end):
    """Weighted average common shares: each issue counts from its issue day.

    ``(shares_before × days in period + Σ issued × days outstanding) ÷ days in
    period``, both ends of the period and the issue day included
    (:func:`xlpy.engine.eps.weighted_shares`).  An issue dated before the
    period is refused (its shares belong in *shares_before*); one after it
    counts no day of it (an offer settled after the quarter it closed in), as
    in the engine.

    Examples
    --------
    Hecla issued 2,175,560 shares on 25 February 2004 on top of 115 million:
    ``=WEIGHTED_SHARES(115000000, 2175560, DATE(2004,2,25), DATE(2004,1,1), DATE(2004,3,31))``

    >>> WEIGHTED_SHARES(115000000, 2175560, 38042, 37987, 38077)
    115860661.0989011
    """
    before = whole(shares_before, "shares_before")
    start = date(period_start, "period_start")
    end = date(period_end, "period_end")
    check_period(start, end, ("period_start", "period_end"))
    amounts, days = cells(shares_issued, "shares_issued"), cells(issue_date, "issue_date")
    no_blank_range({"shares_issued": (shares_issued, amounts), "issue_date": (issue_date, days)})
    if len(amounts) != len(days):
        raise InputError("issue_date", days, f"must have as many cells as shares_issued ({len(amounts)})")  # (its size)
    single = len(amounts) == 1
    issues = []
    for i, (a, d) in enumerate(zip(amounts, days), 1):
        if a is None and d is None and not single:
            continue
        where = "" if single else f" (cell {i})"
        day = date(d, "issue_date" + where)
        if day < start:  # the offer file warns of it; a cell cannot: its shares would count twice
            raise InputError("issue_date" + where, day, f"must not be before the period ({start.isoformat()} to "
                             f"{end.isoformat()}): shares issued before it belong in shares_before")
        issues.append((whole(a, "shares_issued" + where), day))
    return _count_fits(_eps.weighted_shares(before, issues, start, end), "the weighted average of shares")


@_function(
    category=CATEGORY,
    args={
        "net_income": "Net income for the period",
        "preferred_dividends": "Preferred dividends for the period (may be an empty argument, as in "
                               "=EPS_AFTER(A1, , A3, A4); empty = 0)",
        "charge": "The induced-conversion charge (deemed dividend) of the period, as a positive amount (it lowers "
                  "EPS); negative only for a gain",
        "weighted_shares": "Weighted average common shares of the period (see WEIGHTED_SHARES)",
    },
)
@_cell_errors()
def EPS_AFTER(net_income, preferred_dividends, charge, weighted_shares):
    """Basic EPS after the charge: (net income − preferred dividends − charge) ÷ weighted shares.

    For preferred stock the charge is a deemed dividend: it lowers income
    available to common, not net income (:func:`xlpy.engine.eps.basic_eps`).
    For notes, pass the expense net of tax as *charge*.

    Examples
    --------
    ``=EPS_AFTER(6200000, 0, 10900000, 117500000)`` gives a loss of 4 cents:

    >>> EPS_AFTER(6200000, 0, 10900000, 117500000)
    -0.04
    """
    available = (
        number(net_income, "net_income")
        - (ZERO if preferred_dividends is None else not_negative(preferred_dividends, "preferred_dividends"))
        - number(charge, "charge")
    )
    return _fits(_eps.basic_eps(available, number(weighted_shares, "weighted_shares")), "the EPS")


# --------------------------------------------------------------------------- #
# the announcement


@_function(
    category=CATEGORY,
    args={
        "value": "The figure to state",
        "style": '"auto" (the default), "sig2", "thousands", "millions" or "dollars"',
    },
)
@_cell_errors()
def APPROX(value, style=None):
    """A figure as the results release states it: 274,000; 3,500; 117 million; $9.6 million.

    Counts below 10,000 to two significant figures, below a million to the
    nearest thousand, then in millions, from a billion in billions; ``"dollars"``
    from $1 million in millions, from $1 billion in billions, with one decimal.
    Half away from zero, as Excel's ROUND (:func:`xlpy.engine.release.approx`).
    Without the word "approximately".  A figure that is not 0 is never stated
    as 0: ``"thousands"`` and ``"millions"`` refuse one that rounds to it.

    Examples
    --------
    ``=APPROX(190777)`` gives "191,000"; ``=APPROX(9597836.4, "dollars")``
    gives "$9.6 million":

    >>> APPROX(190777), APPROX(9597836.4, "dollars")
    ('191,000', '$9.6 million')
    """
    n, how = number(value, "value"), choice(style, "style", _release.APPROX_STYLES, "auto")
    try:
        text = _release.approx(n, how)
    except InputError as exc:
        if exc.field != "number":  # excel_round's: the figure has too many digits to round
            raise
        raise InputError("value", value, f"is too large to state ({CONTEXT.prec} significant digits)") from None
    if len(text) > MOST_TEXT:  # 0.000...00012: Excel would show #VALUE!
        raise InputError("value", value, f"is too small to state in {MOST_TEXT} characters")
    return text


# --------------------------------------------------------------------------- #
# the whole offer


_OFFER_FIELDS = {  # the checks above come first; these name anything the engine finds
    "offer.outstanding": "outstanding",
    "tally.tendered": "tendered",
    "tally.guaranteed_delivery": "guaranteed",
    "offer.consideration.ratio": "offer_ratio",
}
_NO_DATE = dt.date(2000, 1, 3)  # the aggregate offer needs a date; no row depends on it


@_function(
    category=CATEGORY,
    args={
        "outstanding": "Units outstanding when the offer commenced",
        "tendered": "Units tendered and not withdrawn, including guaranteed deliveries",
        "guaranteed": "Of which tendered by notice of guaranteed delivery",
        "offer_ratio": _R1,
        "original_ratio": _R0,
        "price": _PRICE,
        "common_before": "Common shares outstanding before the offer",
        "cash_per_unit": _CASH,
    },
)
@_cell_errors(_OFFER_FIELDS)
def OFFER_RESULTS(outstanding, tendered, guaranteed, offer_ratio, original_ratio, price, common_before,
                  cash_per_unit=None):
    """Results of an any-and-all offer for convertible preferred stock: a table of labels and values, spilled.

    Runs the engine (:func:`xlpy.engine.compute.compute`) on a preferred-stock offer with an aggregate
    (preliminary) count: every unit tendered, including guaranteed deliveries, is accepted.  The rows are the
    results keys in words (``units accepted``, ``common issued``, ``induced charge``...), then ``charge kind`` and
    any warning (a final count's advice in the function's own arguments: it has no ``tally.final``).

    Examples
    --------
    Hecla: ``=OFFER_RESULTS(464777, 274000, 3500, 7.94, 3.2, 7.39, 115000000)``

    >>> for label, value in OFFER_RESULTS(464777, 274000, 3500, 7.94, 3.2, 7.39, 115000000)[:-1]:
    ...     print(f"{label}: {value}")
    units outstanding: 464777.0
    units tendered: 274000.0
    units guaranteed delivery: 3500.0
    units accepted: 274000.0
    offer ratio: 7.94
    original ratio: 3.2
    common issued: 2175560.0
    incremental shares: 1298760.0
    fractional cash: 0.0
    cash paid: 0.0
    valuation price: 7.39
    fair value offer: 16077388.4
    fair value original: 6479552.0
    induced charge: 9597836.4
    units remaining: 190777.0
    participation: 0.5895300326823402
    common outstanding before: 115000000.0
    common outstanding after: 117175560.0
    charge kind: deemed dividend
    """
    units = whole(outstanding, "outstanding", minimum=1)
    count = whole(tendered, "tendered")
    ngd = whole(guaranteed, "guaranteed")
    for problem in tally_problems({"outstanding": units, "tendered": count, "guaranteed_delivery": ngd},
                                  {"guaranteed_delivery": "guaranteed"}):
        raise problem
    r1 = positive(offer_ratio, "offer_ratio")
    r0 = positive(original_ratio, "original_ratio")
    no_below_original(r1, r0, offer_ratio)
    from ..engine.model import Consideration, Offer, Tally, Valuation

    offer = Offer(
        id="worksheet",
        issuer="",
        security="",
        kind="preferred",
        outstanding=units,
        original_ratio=r0,
        common_outstanding_before=whole(common_before, "common_before"),
        expiration=_NO_DATE,
        consideration=Consideration(
            ratio=r1, cash_per_unit=ZERO if cash_per_unit is None else not_negative(cash_per_unit, "cash_per_unit")
        ),
        tally=Tally(tendered=count, guaranteed_delivery=ngd),
        valuation=Valuation(_NO_DATE, positive(price, "price")),
    )
    from ..engine.compute import compute  # only this function needs the whole engine
    from ..engine.schema import WORKSHEET_ROWS

    try:
        results = compute(offer)
    except InputError as exc:  # (the engine's name for a figure past its 34 digits: not an argument's)
        raise exc if exc.field != "number" else InputError("price, offer_ratio and original_ratio", exc.value,
                                                           f"give a figure that {exc.reason}: the results cannot be "
                                                           "exact") from None
    row = results.to_dict()
    table: list[list[object]] = []
    for f in WORKSHEET_ROWS:
        value = Decimal(row[f.key])  # a count of shares or units below 10^15, as the arguments
        number = (_count_fits if f.unit in ("shares", "units") else _fits)(value, f'the row "{f.label}"')
        table.append([f.label, number])  # (counts as floats too, exact: review 168)
    table.append(["charge kind", results.charge_kind.replace("_", " ")])
    said = [w.replace("set tally.final to true", "give guaranteed as 0, tendered less those") for w in results.warnings]
    table.extend(["warning", w if len(w) <= MOST_TEXT else w[:MOST_TEXT - 3] + "..."] for w in said)
    return table


@_function(
    category=CATEGORY,
    args={
        "units": "Units outstanding (participation is a share of these)",
        "offer_ratio": _R1,
        "original_ratio": _R0,
        "prices": "Share prices for the rows of the grid: a column (or row) of prices",
        "participations": "Participation rates for the columns of the grid: a row (or column) of fractions (60% = 0.6)",
        "cash_per_unit": _CASH,
    },
    arg_options={"prices": _RANGE, "participations": _RANGE},
)
@_cell_errors()
def CHARGE_GRID(units, offer_ratio, original_ratio, prices, participations, cash_per_unit=None):
    """Sensitivity grid of the charge by share price (rows) and participation (columns), spilled.

    The top-left cell is blank, the first row holds the participations, the
    first column the prices; each other cell is the charge
    ``induced_charge(units × participation, R1, R0, price, cash_per_unit)`` =
    units × participation × ((R1 − R0) × price + cash per unit), where
    *units* is the units outstanding.  With the offer's sweetener and arrears
    per unit accepted as *cash_per_unit*, the grid is the Sensitivity sheet's
    for an induced conversion whose cash is given per unit (the sheet adds a
    sweetener given in total once, and measures a failed test's grid by the
    carrying amount).

    Examples
    --------
    ``=CHARGE_GRID(464777, 7.94, 3.2, {7; 8}, {0.5, 1})``

    >>> for row in CHARGE_GRID(464777, 7.94, 3.2, [[7.0], [8.0]], [[0.5, 1.0]]):
    ...     print(row)
    ['', 0.5, 1.0]
    [7.0, 7710650.43, 15421300.86]
    [8.0, 8812171.92, 17624343.84]
    """
    n = Decimal(whole(units, "units"))
    r1 = positive(offer_ratio, "offer_ratio")
    r0 = positive(original_ratio, "original_ratio")
    no_below_original(r1, r0, offer_ratio)
    cash = ZERO if cash_per_unit is None else not_negative(cash_per_unit, "cash_per_unit")
    ps = [(where, positive(p, where)) for c in (cells(prices, "prices"),) for i, p in enumerate(c, 1)
          if p is not None for where in ("prices" if len(c) == 1 else f"prices (cell {i})",)]
    shares = [fraction(s, "participations" if len(c) == 1 else f"participations (cell {i})")
              for c in (cells(participations, "participations"),) for i, s in enumerate(c, 1) if s is not None]
    if not ps:
        raise no_values(prices, "prices")
    if not shares:
        raise no_values(participations, "participations")
    grid: list[list[object]] = [[""] + [float(s) for s in shares]]
    for where, p in ps:
        grid.append([float(p)] + [_fits(_charge.induced_charge(n * s, r1, r0, p, cash), f"the charge for {where}")
                                  for s in shares])
    return grid


# --------------------------------------------------------------------------- #


@_function(category=CATEGORY)
@_cell_errors()
def XLPY_VERSION():
    """The version of xlpy that computes these functions.

    Examples
    --------
    ``=XLPY_VERSION()`` gives the installed version, for the workbook's cover sheet:

    >>> XLPY_VERSION() == __import__("xlpy").__version__
    True
    """
    return __version__
