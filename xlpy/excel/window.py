"""The averaging window and the price history of the worksheet functions ``OFFER_VWAP`` and ``AVERAGING_WINDOW``.

Arguments as Excel hands them over (:mod:`xlpy.excel.args`), checked and named
the way every worksheet function names its arguments.  Bundled into xlwings
Lite projects with :mod:`xlpy.excel.udfs`, so it imports no pandas:
``exchange_calendars`` is imported only when trading days are needed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..engine import ratio as _ratio
from ..engine.errors import BeforeRecords, InputError
from .args import cells, date, no_blank_range, no_values, not_negative, optional_whole, positive, scalar

if TYPE_CHECKING:
    from ..engine.model import PriceDay

__all__ = ["calendar_code", "history", "sessions", "window"]


def sessions(calendar: str, first: dt.date, last: dt.date):
    """The calendar's trading days from *first* to *last* (exchange_calendars: imported only when needed)."""
    from ..files import calendars

    return calendars.sessions(calendar, first, last)


#: days and lag are at most this many trading days (the engine's bound: about 40 years).
_MOST_DAYS = _ratio.MOST_WINDOW_DAYS
_MOST_DAYS_WHY = "trading days, about 40 years"


def window(expiration, days, lag, calendar) -> tuple[dt.date, ...]:
    """The averaging window's trading days; *days* and *lag* bounded, and named when the calendar holds too few."""
    day = date(expiration, "expiration")
    n = optional_whole(days, "days", 5, minimum=1, most=_MOST_DAYS, why=_MOST_DAYS_WHY)
    k = optional_whole(lag, "lag", 2, most=_MOST_DAYS, why=_MOST_DAYS_WHY)
    code = calendar_code(calendar)
    first, last = _ratio.session_range(day, n, k)  # (from 0001-01-01 at the earliest)
    given = _as_read(expiration, day)
    try:
        known = sessions(code, first, last)
    except BeforeRecords as exc:  # before the calendar's records: the expiration is at fault, not the calendar code
        raise InputError("expiration", given, f"is before the records of calendar {code}, which start on "
                         f"{exc.start.isoformat()}: it has no trading days from {first.isoformat()} to "
                         f"{day.isoformat()}") from None
    except InputError as exc:
        if exc.reason.startswith("knows trading days only up to"):  # past the calendar's records: the expiration
            raise InputError("expiration", given, f"is after the records of calendar {code}: it "
                             f"{exc.reason}") from None
        raise
    try:
        return _ratio.averaging_window(day, known, n, k)
    except InputError as exc:
        if exc.field not in ("averaging_days", "lag_days") or "the calendar has" not in exc.reason:
            raise
        held = sum(1 for s in known if (s < day if k else s <= day))  # (the sessions the window could take)
        raise _too_few(held, day, known, code, (days, n), (lag, k), given) from None


def _as_read(value, day: dt.date):
    """A date argument as a message about the date it was read as shows it: that date (ISO text as typed), the same
    for a date cell on the desktop and in xlwings Lite, which hands it over as its serial number (it showed 32878
    there and 1990-01-05 on the desktop; a time of day, cut off in reading, is not shown)."""
    value = scalar(value, "expiration")  # (a one-cell range as its cell: read already)
    return value if isinstance(value, str) else day


def _too_few(held: int, day: dt.date, known, code: str, days: tuple, lag: tuple, expiration) -> InputError:
    """The error for a calendar holding *held* trading days before *day*, too few for the window.

    *days* and *lag* are each (as given, as taken): the argument given is the
    one to lower; with neither given (5 and 2, the defaults), the expiration is
    too near the start of the calendar's records.
    """
    (days_given, n), (lag_given, k) = days, lag
    plural = "trading day" if held == 1 else "trading days"
    said = (f"calendar {code} has {held:,} {plural} {'before' if k else 'up to'} {day.isoformat()}"
            + (f" (its records start on {known[0].isoformat()})" if known else ""))
    if k > held:  # the window ends on the lag-th of them
        if lag_given is not None:
            return InputError("lag", lag_given, f"must be at most {held:,}: {said}")
    else:
        most = held - k + 1 if k else held
        if days_given is not None:
            return InputError("days", days_given, f"must be at most {most:,} with lag {k}: {said}")
    return InputError("expiration", expiration, f"is too early for a window of {n:,} trading "
                      f"{'day' if n == 1 else 'days'} with lag {k:,}: {said}")


def calendar_code(calendar) -> str:
    """An exchange calendar code as given (a cell, or a one-cell range), as the library names it whatever its case
    (``xnys`` is ``XNYS``), and as typed when no calendar has that name, so a message shows what the cell holds;
    XNYS by default."""
    calendar = scalar(calendar, "calendar")  # a one-cell range as its cell; a bigger one is refused
    if calendar is None:
        return "XNYS"
    if not isinstance(calendar, str) or not calendar.strip():
        raise InputError("calendar", calendar, 'must be an exchange calendar code such as "XNYS"')
    from ..files.calendars import named

    return named(calendar.strip())


def history(dates, prices, volumes) -> list[PriceDay]:
    """A price history from three ranges of one size (blank rows skipped), each cell checked and named."""
    from ..engine.model import PriceDay

    columns = {"dates": cells(dates, "dates"), "prices": cells(prices, "prices"), "volumes": cells(volumes, "volumes")}
    no_blank_range({name: (value, columns[name]) for name, value in zip(columns, (dates, prices, volumes))})
    n = len(columns["dates"])
    for name in ("prices", "volumes"):
        if len(columns[name]) != n:
            # (its cells shown by their number: "got a range of 3 cells", as another range's size is shown)
            raise InputError(name, columns[name], f"must have as many cells as dates ({n})")
    history: list[PriceDay] = []
    seen: dict[dt.date, int] = {}
    for i, (d, p, v) in enumerate(zip(*columns.values()), 1):
        if d is None and p is None and v is None:
            continue
        day = date(d, f"dates (cell {i})")
        if day in seen:
            raise InputError(f"dates (cell {i})", _as_read(d, day), f"repeats cell {seen[day]}")
        seen[day] = i
        history.append(PriceDay(day, positive(p, f"prices (cell {i})"), not_negative(v, f"volumes (cell {i})")))
    if not history:  # nothing in the three ranges: a blank cell is "is required", as for any range argument
        raise no_values(dates, "dates")
    return history
