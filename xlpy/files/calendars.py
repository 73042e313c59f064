"""Exchange trading days, from the ``exchange_calendars`` library.

The engine asks for sessions through a plain callable
(:data:`xlpy.engine.compute.Sessions`); this module is that callable.
``exchange_calendars`` (and pandas under it) is imported on first use only,
so nothing pays for it unless a ratio is set by formula.
"""

from __future__ import annotations

import datetime as dt
import functools

from ..engine.errors import BeforeRecords, InputError

__all__ = ["sessions", "named", "calendar", "holidays", "closed_days", "weekend", "not_for_workday", "DEFAULT_CALENDAR",
           "EARLIEST"]

DEFAULT_CALENDAR = "XNYS"
#: Calendars are built from this day on: offers of the 1990s and 2000s are real cases.
EARLIEST = "1990-01-01"


def _last_day() -> str:
    """A year from today in UTC: the last day a calendar is built to (the library's own default, a year from today
    where the machine is, gave two people in other time zones other last days on the same day)."""
    today = dt.datetime.now(dt.timezone.utc).date()
    try:
        return today.replace(year=today.year + 1).isoformat()
    except ValueError:  # (29 February)
        return today.replace(year=today.year + 1, day=28).isoformat()


def _named(xcals, code: str) -> str:
    """*code* as the library names its calendar, matched whatever the case: a cell's code and an offer
    file's are written as typed (``xnys``), and ``us_futures`` is the one code the library writes in lower case."""
    return {name.upper(): name for name in xcals.get_calendar_names(include_aliases=True)}.get(code.upper(), code)


def named(code: str) -> str:
    """*code* as the library names its calendar whatever the case it is typed in (``xnys`` is ``XNYS``), or as
    given when no calendar has that name, for a message to show as typed."""
    return _named(_library(), code)


def _library():
    """The ``exchange_calendars`` module, imported on first use (pandas under it: most of a second)."""
    import exchange_calendars as xcals

    return xcals


@functools.lru_cache(maxsize=8)
def calendar(code: str):
    """The library's calendar of exchange *code* (in any case), built from :data:`EARLIEST` (or its first recorded
    day) to a year from today (:func:`_last_day`); a code it does not know, or cannot build, refused."""
    xcals = _library()
    code = _named(xcals, code)
    end = _last_day()
    try:
        try:
            return xcals.get_calendar(code, start=EARLIEST, end=end)
        except xcals.errors.InvalidCalendarName:
            raise InputError("calendar", code, "is not a known exchange calendar (e.g. XNYS, XNAS, XTSE, XLON)"
                             ) from None
        except ValueError:  # its records begin later (XTKS and XBOM in 1997), or end sooner (XBOM's holidays):
            kind = type(xcals.get_calendar(code))  # from its first recorded day to its last
            first, last = kind.bound_min(), kind.bound_max()
            start = EARLIEST if first is None else max(EARLIEST, first.date().isoformat())
            return xcals.get_calendar(code, start=start, end=end if last is None else min(end, last.date().isoformat()))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001  (a calendar the library lists but cannot build: its own error, long)
        raise InputError("calendar", code, f"cannot be built by exchange_calendars ({type(exc).__name__}): "
                         "choose another calendar for the exchange's trading days") from None


def weekend(code: str) -> tuple[str, ...]:
    """The days of the week exchange *code* never trades (``("Saturday", "Sunday")`` for XNYS).

    >>> weekend("XNYS")
    ('Saturday', 'Sunday')
    """
    mask = calendar(code).weekmask  # "1111100": Monday to Sunday, 1 a trading day
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    return tuple(name for name, c in zip(names, mask) if c == "0")


def not_for_workday(code: str) -> str | None:
    """Why a workbook cannot count exchange *code*'s trading days (its ``WORKDAY`` skips Saturday and Sunday and
    nothing else), or None when it can.

    >>> not_for_workday("XNYS") is None
    True
    """
    off = weekend(code)
    if off == ("Saturday", "Sunday"):
        return None
    return (f"does not trade Monday to Friday (its days off: {', '.join(off) or 'none'}), and a workbook counts "
            "trading days with WORKDAY, which skips Saturday and Sunday: the engine computes it (xlpy compute), "
            "a workbook cannot")


def sessions(code: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Trading days of exchange *code* from *first* to *last*, both included.

    >>> [d.day for d in sessions("XNYS", dt.date(2004, 2, 12), dt.date(2004, 2, 18))]
    [12, 13, 17, 18]
    """
    cal = calendar(code)
    if last > cal.last_session.date():  # beyond it the library lists no sessions: never a silently short list
        raise InputError("calendar", code, f"knows trading days only up to {cal.last_session.date().isoformat()}"
                         + getattr(cal, "xlpy_beyond", _why_no_further(cal)))  # (a Lite project's: its own words)
    start = cal.first_session.date()
    if last < start:  # all before its records (the expiration, not the calendar code, is at fault)
        raise BeforeRecords("calendar", code, f"has no sessions between {first.isoformat()} and {last.isoformat()}: "
                            f"its records start on {start.isoformat()}", start=start)
    lo = max(first, start)
    hi = min(last, cal.last_session.date())
    if lo > hi:
        raise InputError("calendar", code, f"has no sessions between {first.isoformat()} and {last.isoformat()}")
    return [d.date() for d in cal.sessions_in_range(lo.isoformat(), hi.isoformat())]


def _why_no_further(cal) -> str:
    """Why a calendar knows no later day, when it is this computer's date that stops it (it is built to a year
    from that date): a day after it cannot be known yet, or the computer's clock is behind (a wrong clock, not
    the calendar, was blamed).  Nothing when the library's own records end sooner."""
    if cal.last_session.date() < dt.date.fromisoformat(_last_day()) - dt.timedelta(days=10):
        return ""
    today = dt.datetime.now(dt.timezone.utc).date()
    return (f" (a year from this computer's date, {today.isoformat()} UTC: a later day is not known yet, or the "
            "computer's clock is behind)")


def holidays(code: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Weekdays from *first* to *last* on which exchange *code* is closed.

    This is the holiday list a workbook's ``WORKDAY`` needs to count trading days.

    >>> holidays("XNYS", dt.date(2004, 2, 1), dt.date(2004, 2, 29))
    [datetime.date(2004, 2, 16)]
    """
    open_days = set(sessions(code, first, last))
    day, out = first, []
    while day <= last:
        if day.weekday() < 5 and day not in open_days:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


#: The reason given for a day a calendar lists as closed by its date, not by a holiday rule.
_BY_DATE = "a closure the calendar lists by date"


def _adhoc_days(cal, among: set[dt.date]) -> list[dt.date]:
    """The days of *among* calendar *cal* closed on short notice (its ``adhoc_holidays``).  The library gives them
    as a list of Timestamps for most calendars, but as numpy datetimes, a ``DatetimeIndex`` or date strings for
    others (XHKG, XBOM, XSES, XSHG, XMOS, XLJU): each is read as a date (:func:`_as_date`)."""
    adhoc = getattr(cal, "adhoc_holidays", None)
    if not among or adhoc is None or len(adhoc) == 0:  # (a DatetimeIndex has no truth value)
        return []
    return [d for d in map(_as_date, adhoc) if d in among]


def _as_date(t) -> dt.date:
    """A listed day as a date, whichever form the library gives it in (this module is bundled into xlwings Lite's
    project, which has no pandas or numpy: none is imported here)."""
    if isinstance(t, str):  # '2013-01-03'
        return dt.date.fromisoformat(t[:10])
    if hasattr(t, "date"):  # a Timestamp, a datetime
        return t.date()
    return t.astype("datetime64[D]").item() if hasattr(t, "astype") else t  # a numpy datetime64; a date


def closed_days(code: str, days) -> dict[dt.date, str]:
    """Which of *days* exchange *code* was closed on, each with the reason: a weekday's name or the holiday's.

    Days outside the calendar's range (before :data:`EARLIEST`, after its
    last session) are not judged: the calendar does not know them.

    >>> closed_days("XNYS", [dt.date(2004, 2, 13), dt.date(2004, 2, 14), dt.date(2004, 2, 16)])
    {datetime.date(2004, 2, 14): 'a Saturday', datetime.date(2004, 2, 16): "President's Day"}
    >>> closed_days("XNYS", [dt.date(2012, 10, 29)])
    {datetime.date(2012, 10, 29): 'a closure the calendar lists by date'}
    """
    cal = calendar(code)
    first, last = cal.first_session.date(), cal.last_session.date()
    known = sorted(d for d in set(days) if first <= d <= last)
    if not known:
        return {}
    open_days = set(sessions(code, known[0], known[-1]))
    closed = [d for d in known if d not in open_days]
    names = {}
    if closed and cal.regular_holidays is not None:  # (the calendar's holiday rules take datetimes)
        start, end = (dt.datetime.combine(d, dt.time()) for d in (closed[0], closed[-1]))
        named = cal.regular_holidays.holidays(start, end, return_name=True)
        names = {t.date(): str(n) for t, n in named.items()}
    off = {i for i, c in enumerate(cal.weekmask) if c == "0"}  # the exchange's weekend (Friday for some)
    # a day no holiday rule gives: one closed at short notice (a storm, a day of mourning: 2012-10-29, 2025-01-09),
    # or a holiday some calendars list by date (Hong Kong's Lunar New Year)
    names.update((d, _BY_DATE) for d in _adhoc_days(cal, set(closed)) if d not in names and d.weekday() not in off)
    return {d: names.get(d) or (f"a {d:%A}" if d.weekday() in off else "a holiday") for d in closed}
