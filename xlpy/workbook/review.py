"""The Cover's Review block against History: a sign-off the figures have moved past.

The Review block (``PreparedBy``, ``PreparedOn``, ``ReviewedBy``, ``ReviewedOn``: :mod:`xlpy.workbook.layout.cover`)
is a person's evidence that the workbook was prepared and reviewed: inputs the engine ignores, which a build leaves
blank and a refresh never writes.  A review covers the figures as they stood when it was signed: a refresh that
records a new History row after it (the count or the charge moved) warns that the review no longer covers them
(:func:`stale_review`), and ``xlpy validate`` notes a review dated before History's last row (:func:`dated_before`:
the row's day in the validating computer's time zone, as the reviewer types the day).  Both tell a review dated
after today, today's date taken there too (:func:`local_today`).  Neither clears the sign-off: the reviewer reviews
again and types the new date.  A rebuild is a new workpaper, blank in the block: ``xlpy build --history-from OLD``
carries OLD's History but not its sign-off, and says so (:func:`not_carried`).
"""

from __future__ import annotations

import datetime as dt

from . import clock

__all__ = ["AHEAD", "SIGN_OFF", "dated_before", "local_today", "not_carried", "review_date", "stale_review"]

#: Days a review may be dated past today's date in this computer's time zone (a reviewer in a zone ahead of the
#: computer validating, Tokyo beside a server in UTC, signs on their own day).
AHEAD = 1
#: The Review block's names, as (who, on) pairs, with the words a message gives each pair.
SIGN_OFF = (("PreparedBy", "PreparedOn", "prepared"), ("ReviewedBy", "ReviewedOn", "reviewed"))


def review_date(v: object) -> dt.date | None:
    """The date a Review cell holds: a date or time (openpyxl, Excel), a date serial number (a package's cached
    value), or text written as ``YYYY-MM-DD``; None for anything else (blank too)."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 2958466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(v).date()
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip()[:10])
        except ValueError:
            return None
    return None


def _said(v: object) -> str:
    """A Review cell's value as a message gives it: its date, else its text (blank: 'blank')."""
    day = review_date(v)
    if day is not None:
        return day.isoformat()
    return "blank" if v is None or str(v).strip() == "" else repr(v)


def stale_review(recorded, where, moved: list[str]) -> str | None:
    """The refresh's warning when the Cover's ``ReviewedBy`` is filled and the refresh adds a History row, or None.

    *recorded*: name -> the cell's value; *where*: name -> ``Cover!C34 (ReviewedBy)``; *moved*: the figures the row
    moves, as :func:`xlpy.workbook.layout.history.history_moved` words them ("the charge 9,991,912.75 →
    9,597,840.08"; none: the row records another tally file for the same figures)."""
    who = recorded("ReviewedBy")
    if who is None or str(who).strip() == "":
        return None
    on = recorded("ReviewedOn")
    day = f" on {_said(on)}" if review_date(on) is not None else f" (no date of the review: {_said(on)})"
    today, zone = local_today()
    before = "before this refresh"
    if review_date(on) is not None and review_date(on) > today + dt.timedelta(days=AHEAD):  # (its date is not before)
        day += f" (after today, {today.isoformat()} in this computer's time zone, {zone}: a date mistyped?)"
        before = f"a sign-off typed {before}"
    what = f"moved {'; '.join(moved)}" if moved else "recorded another tally file for the same figures"
    return (f"warning: {where('ReviewedBy')}: reviewed by {str(who).strip()}{day}, {before}, which "
            f"{what}: the review does not cover these figures; review again (and type the new date in "
            f"{where('ReviewedOn')}); the sign-off is kept as typed")


def local_today() -> tuple[dt.date, str]:
    """Today's date in this computer's time zone, the day a reviewer here types (at 18:00 in Los Angeles it is
    already tomorrow in UTC), and the zone's name (``PST``; ``UTC`` there)."""
    here = clock.computer_now().replace(tzinfo=dt.timezone.utc).astimezone()
    return here.date(), here.tzname() or "local time"


def _blank(v: object) -> bool:
    return v is None or str(v).strip() == ""


def dated_before(reviewed_on: object, where: str, last_when: object, reviewed_by: object = None,
                 today: dt.date | None = None) -> str | None:
    """``validate``'s note when the Cover's ``ReviewedOn`` (*reviewed_on*, at *where*) is a day before History's
    last row (written at *last_when*, ``YYYY-MM-DD HH:MM:SS`` UTC: its day in this computer's time zone, as the
    reviewer typed theirs, :func:`_row_day`): the figures were refreshed since the review.
    A ``ReviewedOn`` that holds no date, one after *today* (default the day now in this computer's time zone, as
    the last row's day is taken: :func:`local_today`) by more than :data:`AHEAD`
    (a year mistyped would silence the check for good), and a reviewer (*reviewed_by*) with no date of the review
    or a date with no reviewer are each named; both blank, a row of no time, or one dated after *today* by more
    than :data:`AHEAD` (a clock set ahead, which no date of the review could clear) say nothing."""
    if _blank(reviewed_on):
        return None if _blank(reviewed_by) else (
            f"Cover: reviewed by {str(reviewed_by).strip()} with no date of the review ({where}, ReviewedOn, blank): "
            "no one can tell which figures the review covers; type the day of the review (YYYY-MM-DD)")
    if _blank(reviewed_by):
        return (f"Cover: a date of review, {_said(reviewed_on)} ({where}, ReviewedOn), and no reviewer (ReviewedBy "
                "blank): type who reviewed the workbook, or clear the date")
    day = review_date(reviewed_on)
    if day is None:
        return (f"Cover: {where} (ReviewedOn): is not a date, so no one can tell which figures the review covers; "
                f"type the day of the review (YYYY-MM-DD), got {reviewed_on!r}")
    here, zone = local_today()
    today = today or here
    if day > today + dt.timedelta(days=AHEAD):
        return (f"Cover: reviewed on {day.isoformat()} ({where}, ReviewedOn), after today ({today.isoformat()} in this "
                f"computer's time zone, {zone}): a date mistyped? No one can tell which figures the review covers; "
                "type the day of the review")
    row, local = _row_day(last_when)
    if row is None or day >= row:
        return None
    if row > today + dt.timedelta(days=AHEAD):  # (a clock set ahead wrote it: no review date would clear this note;
        return None                             # validate's History note names the row)
    return (f"Cover: reviewed on {day.isoformat()} ({where}, ReviewedOn), before History's last row ({last_when} "
            f"UTC{local}): the figures were refreshed since the review, which does not cover them; review again and "
            "type the new date")


def _row_day(when: object) -> tuple[dt.date | None, str]:
    """The day of a History row written at *when* (``YYYY-MM-DD HH:MM:SS`` UTC) in this computer's time zone, as a
    reviewer types the day of a review (one in Los Angeles who reviews at 18:00 a refresh of 17:30 types that day,
    though it is the next in UTC); and the words that give that time (none in UTC itself).  A row of another time
    (a date alone): its day, no words; of none: None."""
    try:
        at = dt.datetime.strptime(str(when or "").strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return review_date(str(when or "")), ""
    local = at.astimezone()  # (the time zone's rules for that moment: summer time as it was)
    if local.utcoffset() == dt.timedelta(0):
        return local.date(), ""
    return local.date(), f", {local:%Y-%m-%d %H:%M:%S} in this computer's time zone, {local.tzname()}"


def not_carried(recorded, old: str) -> str | None:
    """The warning of a build that carries the History of the earlier workbook *old* (``--history-from``) whose
    Review block is filled, or None when it is blank: the rebuilt workbook is a new workpaper, its Review block
    blank, and the sign-off stays in *old* (*recorded*: name -> the old Cover's value, None where it has none)."""
    said = []
    for who, on, verb in SIGN_OFF:
        if not (_blank(recorded(who)) and _blank(recorded(on))):
            by = "" if _blank(recorded(who)) else f" by {str(recorded(who)).strip()}"
            day = "" if _blank(recorded(on)) else f" on {_said(recorded(on))}"
            said.append(f"{verb}{by}{day}")
    if not said:
        return None
    return (f"--history-from: {old} was {' and '.join(said)}; that sign-off is not carried: the rebuilt "
            "workbook is a new workpaper, its Review block blank (Cover: Prepared by, Prepared on, Reviewed by, "
            "Reviewed on) until it is prepared and reviewed again; the old one keeps the sign-off")
