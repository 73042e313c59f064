"""The offer ratio: fixed, or set by formula from an average price.

    R1 = min(cap, max(floor, value / average_price)), rounded to ``places``
    average_price = Σ(price_d × volume_d) / Σ volume_d over the averaging window

The averaging window is counted in exchange trading days (sessions), not
calendar days: it is the ``days`` sessions ending ``lag`` sessions before
expiration.  Sessions come from the caller (:mod:`xlpy.files.calendars` reads them
from ``exchange_calendars``), so this module stays pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from .errors import InputError
from .numbers import CONTEXT, ZERO, excel_round, short

if TYPE_CHECKING:  # only named here; importing the model costs the worksheet functions
    from .model import PriceDay

__all__ = ["MOST_WINDOW_DAYS", "QUOTIENT_PLACES", "averaging_window", "average_price", "before_records",
           "bound_problem", "exchange_ratio", "session_range", "window_days_problem"]

#: The averaging days and the lag are each at most this many trading days: about 40 years, far beyond any offer's
#: window, and the calendar days searched for them stay within the dates Python holds.
MOST_WINDOW_DAYS = 10_000


def averaging_window(
    expiration: dt.date, sessions: Sequence[dt.date], days: int = 5, lag: int = 2
) -> tuple[dt.date, ...]:
    """The trading days of the averaging window, oldest first.

    Parameters
    ----------
    expiration : date
        The day the offer expires.
    sessions : sequence of date
        Trading days of the exchange, sorted, covering the window and expiration.
    days : int
        Number of trading days averaged (Hecla: 5).
    lag : int
        The window ends on the ``lag``-th trading day before expiration
        (Hecla: 2).  With 0 it ends on expiration, or on the last trading day
        before it when expiration is not a trading day.

    Returns
    -------
    tuple of date

    Examples
    --------
    Hecla's offer expired on Friday 20 February 2004; Monday 16 February was
    Presidents' Day, so the window ending on the second trading day before
    expiration runs from Wednesday 11 to Wednesday 18 February:

    >>> import datetime as dt
    >>> s = [dt.date(2004, 2, d) for d in (9, 10, 11, 12, 13, 17, 18, 19, 20)]
    >>> w = averaging_window(dt.date(2004, 2, 20), s, 5, 2)
    >>> w[0].isoformat(), w[-1].isoformat()
    ('2004-02-11', '2004-02-18')
    """
    if days < 1:
        raise InputError("averaging_days", days, "must be at least 1")
    if lag < 0:
        raise InputError("lag_days", lag, "must not be negative")
    if lag == 0:
        eligible = [s for s in sessions if s <= expiration]
        end_index = len(eligible) - 1
    else:
        eligible = [s for s in sessions if s < expiration]
        end_index = len(eligible) - lag
    start_index = end_index - days + 1
    if start_index < 0:  # named by the key to lower, as written (the calendar's count is no value of the file)
        held = len(eligible)
        said = (f"the calendar has {held:,} trading day{'' if held == 1 else 's'} "
                f"{'before' if lag else 'up to'} {expiration.isoformat()}")
        if lag > held:
            raise InputError("lag_days", lag, f"must be at most {held:,}: {said}")
        raise InputError("averaging_days", days, f"must be at most {held - lag + 1 if lag else held:,} with a lag "
                         f"of {lag} trading day{'' if lag == 1 else 's'}: {said}")
    return tuple(eligible[start_index : end_index + 1])


def before_records(field: str, expiration: dt.date, calendar: str, start: dt.date, held: int, days: int,
                   lag: int) -> InputError:
    """The problem of an *expiration* too early for calendar *calendar*, whose records start on *start* and hold
    *held* trading days before it (up to it with no lag): the window of *days* ending *lag* days before it does not
    fit.  Named by *field*, the expiration's (the key at fault, not ``lag_days``), with its value.

    >>> import datetime as dt
    >>> str(before_records("offer.expiration", dt.date(1990, 1, 3), "XNYS", dt.date(1990, 1, 2), 1, 5, 2))
    'offer.expiration: is too early for calendar XNYS, whose records start on 1990-01-02: a window of 5 trading \
days ending 2 before it needs 6 trading days before it, and the calendar has 1, got 1990-01-03'
    """
    need = days + lag - 1 if lag else days
    ends = f"ending {lag:,} before it" if lag else "ending on it (or the last trading day before it)"
    return InputError(field, expiration, f"is too early for calendar {calendar}, whose records start on "
                      f"{start.isoformat()}: a window of {days:,} trading day{'' if days == 1 else 's'} {ends} needs "
                      f"{need:,} trading day{'' if need == 1 else 's'} {'before' if lag else 'up to'} it, and the "
                      f"calendar has {f'{held:,}' if held else 'none'}")


def average_price(prices: Sequence[PriceDay], window: Sequence[dt.date], field: str = "prices",
                  volume_field: str | None = None) -> Decimal:
    """Volume-weighted average price over the window's trading days.

    Every trading day of the window must be in *prices*, with a positive
    volume; a missing day is an error, never silently skipped.  Errors name
    *field*, a total volume of 0 *volume_field* (default: *field*).

    Examples
    --------
    >>> import datetime as dt
    >>> from decimal import Decimal as D
    >>> from xlpy.engine.model import PriceDay
    >>> p = [PriceDay(dt.date(2004, 2, 11), D("8"), D("100")),
    ...      PriceDay(dt.date(2004, 2, 12), D("9"), D("300"))]
    >>> average_price(p, [dt.date(2004, 2, 11), dt.date(2004, 2, 12)])
    Decimal('8.75')
    """
    by_day = {p.date: p for p in prices}
    missing = [d.isoformat() for d in window if d not in by_day]
    if missing:
        raise InputError(field, ", ".join(missing), "has no row for trading day(s) in the averaging window")
    weighted = ZERO
    volume = ZERO
    for day in window:
        row = by_day[day]
        weighted += row.price * row.volume
        volume += row.volume
    if volume <= 0:
        if volume_field:  # the volumes themselves named: they must add up to more than 0
            raise InputError(volume_field, volume, "must total more than 0 over the averaging window")
        raise InputError(field, volume, "total volume in the averaging window must be > 0")
    return CONTEXT.divide(weighted, volume)


#: Decimals ``value ÷ average`` is taken to, half away from zero, before the cap, the floor and the ratio's own
#: rounding (a ratio of fewer decimals).  A workbook divides in binary: 66 / 17.6 gives 3.7499999999999996, which
#: rounds to 3.7 where the exact 3.75 rounds to 3.8; taken to 10 decimals first, both are 3.75.  The engine takes
#: the exact quotient the same way, so the two agree on every quotient, not only on exact halves.
QUOTIENT_PLACES = 10


def bound_problem(bound: Decimal | None, places: int) -> str | None:
    """Why a cap or floor cannot bound a ratio rounded to *places* decimals (it has more: the rounded ratio
    could pass it), or None.

    >>> bound_problem(Decimal("7.5"), 0)[:49]
    'has more decimals than the ratio is rounded to (0'
    >>> bound_problem(Decimal("7.50"), 1) is None
    True
    """
    if bound is None or excel_round(bound, places) == bound:
        return None
    return (f"has more decimals than the ratio is rounded to ({places}), so the rounded ratio could pass it: "
            f"give it to {places} decimals or raise places")


def exchange_ratio(
    value: Decimal,
    average: Decimal,
    cap: Decimal | None = None,
    floor: Decimal | None = None,
    places: int = 2,
) -> Decimal:
    """Common shares per unit: ``value ÷ average`` (to :data:`QUOTIENT_PLACES` decimals), floored, capped, then
    rounded.

    Rounding is half away from zero, as Excel's ROUND.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> exchange_ratio(D("66"), D("8.3125"), cap=D("8.25"))
    Decimal('7.94')
    >>> exchange_ratio(D("66"), D("7.5"), cap=D("8.25"))
    Decimal('8.25')
    """
    if value <= 0:
        raise InputError("value", value, "must be > 0")
    if average <= 0:
        raise InputError("average_price", average, "must be > 0")
    if cap is not None and floor is not None and floor > cap:
        raise InputError("floor", floor, f"must not exceed the cap {short(cap)}")
    if places < 0:
        raise InputError("places", places, "must not be negative")
    for name, bound in (("cap", cap), ("floor", floor)):
        why = bound_problem(bound, places)
        if why:
            raise InputError(name, bound, why)
    ratio = quotient = CONTEXT.divide(value, average)
    if places < QUOTIENT_PLACES:  # as a workbook takes it: its binary quotient is then the same number
        ratio = excel_round(ratio, QUOTIENT_PLACES)
    if floor is not None:
        ratio = max(floor, ratio)
    if cap is not None:
        ratio = min(cap, ratio)
    rounded = excel_round(ratio, places)
    if rounded <= 0:  # no share for a unit: not an exchange for common stock
        raise InputError("places", places,
                         f"rounds the ratio {(ratio or quotient).normalize():.6g} to 0: give more decimals or a "
                         "floor")  # (the quotient itself where its 10 decimals are already 0)
    return rounded


def window_days_problem(days: int, lag: int) -> InputError | None:
    """The problem of an averaging window's *days* or *lag* past :data:`MOST_WINDOW_DAYS`, named by its key.

    >>> str(window_days_problem(5, 1_000_000))
    'lag_days: must be at most 10,000 (trading days, about 40 years), got 1000000'
    """
    for name, n in (("averaging_days", days), ("lag_days", lag)):
        if abs(n) > MOST_WINDOW_DAYS:
            return InputError(name, n, f"must be at most {MOST_WINDOW_DAYS:,} (trading days, about 40 years)")
    return None


def session_range(offer_expiration: dt.date, averaging_days: int, lag_days: int) -> tuple[dt.date, dt.date]:
    """Calendar days certain to hold the averaging window (two weeks of slack per week of sessions), from no
    earlier than the first day Python holds (a calendar's records start long after it).

    >>> session_range(dt.date(1, 1, 20), 5, 2)
    (datetime.date(1, 1, 1), datetime.date(1, 1, 20))
    """
    span = (averaging_days + lag_days + 1) * 2 + 14
    return offer_expiration - dt.timedelta(days=min(span, (offer_expiration - dt.date.min).days)), offer_expiration
