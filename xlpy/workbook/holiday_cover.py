"""The holiday table against the window the workbook's expiration now gives: what ``WORKDAY`` needs listed.

The workbook finds its averaging window with ``WORKDAY`` over the Holidays table (``tblHolidays``), which a build
or a refresh of the prices lists for the expiration it was given, to ten days past it
(:func:`xlpy.workbook.data.holiday_range`).  An expiration typed later on Inputs (an offer extended) can carry the
window past the table: ``WORKDAY`` then takes the exchange's later closings for trading days, and the workbook's
window, average and ratio are not the engine's, which reads the exchange's calendar itself.  Validate then finds
hundreds of figures apart, and the workbook's own check asks for a price on a day the exchange was closed (review
133).  :func:`findings` names the cause first: the closings the window runs over that the table does not list (and
a day it lists on which the exchange traded), and the refresh that lists them again.
"""

from __future__ import annotations

import datetime as dt

from ..engine.errors import InputError
from ..files.serial_dates import whole_day
from .findings import Finding
from .layout import Layout

__all__ = ["REWRITTEN", "differs", "findings", "listed"]

#: What a refresh of the prices does for the table, said with each finding.
_REFRESH = ("refresh the prices (xlpy refresh WORKBOOK --prices FILE, or the Refresh prices button) to list the "
            "exchange's closings again")
#: What a refresh says when the table it rewrites held other days than the exchange's closings it lists.
REWRITTEN = ("Prices: the holiday table differed from the exchange's closings for the workbook's expiration (a day "
             "typed or cleared since, or the expiration moved): listed again")


def listed(lay: Layout, get_rows) -> list[dt.date | None]:
    """The days the Holidays table holds, row by row (None for a cell that holds no date; blank cells left out)."""
    sheet, t = lay.table("tblHolidays")
    return [_day(row[0]) for row in get_rows(sheet.title, _column(t)) if row and row[0] is not None and row[0] != ""]


def _column(t) -> str:
    """The Holidays table's column, its rows (``F13:F14``; ``F13`` for one row)."""
    col = t.letter("holiday")
    return f"{col}{t.first_row}" + (f":{col}{t.last_row}" if t.rows > 1 else "")


def differs(lay: Layout, get_rows, holidays: list[dt.date]) -> bool:
    """Whether the Holidays table holds other days than *holidays* (the closings a refresh lists), in any order."""
    days = listed(lay, get_rows)
    return None in days or sorted(days) != sorted(holidays)


def findings(book: str, lay: Layout, get_rows, offer, results) -> list[Finding]:
    """The days from the engine's averaging window's start to the expiration on which the Holidays table and the
    exchange's calendar differ, as one finding (none for a fixed ratio, or a table that agrees)."""
    f = offer.consideration.formula
    if f is None or results.averaging_start is None:
        return []
    try:
        sheet, t = lay.table("tblHolidays")
    except KeyError:
        return []
    from ..files import calendars

    first, last = results.averaging_start, max(offer.expiration, results.averaging_end)
    held = set(listed(lay, get_rows))
    try:
        closed = set(calendars.holidays(f.calendar, first, last))
    except InputError:  # (days the calendar does not know: the engine, which computed, did not need them)
        return []
    missing = sorted(closed - held)
    traded = [] if missing else sorted(d for d in held - closed if d is not None and first <= d <= last
                                       and d.weekday() < 5)  # (a weekday the exchange traded, listed as closed)
    named = missing or traded
    if not named:
        return []
    days = ", ".join(d.isoformat() for d in named[:5]) + (f" and {len(named) - 5:,} more" if len(named) > 5 else "")
    if missing:
        what = (f"holiday table does not list the exchange's closing{'s' * (len(missing) > 1)} on {days}, from the "
                f"averaging window's start ({first.isoformat()}) to the expiration ({offer.expiration.isoformat()}): "
                f"WORKDAY takes {'them' if len(missing) > 1 else 'it'} for trading days, so the workbook's window, "
                "average and ratio are not the engine's (the table listed for an earlier expiration, or a closing "
                "cleared since?); " + _REFRESH)
    else:
        what = (f"holiday table lists {days}, from the averaging window's start to the expiration, when {f.calendar} "
                f"traded: WORKDAY skips {'them' if len(traded) > 1 else 'it'}, so the workbook's window, average and "
                "ratio are not the engine's; " + _REFRESH)
    return [Finding(book, f"{sheet.title}!{_column(t)}", what, "", "", "inputs")]


def _day(value) -> dt.date | None:
    """A table cell's date (a datetime as openpyxl reads one; its serial number where the cell lost its date format,
    its time dropped, as WORKDAY reads it), or None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value > 0:  # (a time with it: WORKDAY takes the day)
        value = int(value)
    return value if isinstance(value, dt.date) else whole_day(value)
