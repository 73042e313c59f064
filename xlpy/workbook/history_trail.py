"""History's last row against the figures the workbook computes now: ``validate``'s note.

History is the record a build and each refresh write (:mod:`xlpy.workbook.layout.history`); the Cover shows
its last row as the latest count.  An input typed since the last refresh (the price P, the final count, a
count typed over) moves the figures but writes no row, so the last row then says otherwise than Results; so
does a row edited by hand.  ``validate`` names the figures that differ (a note: typing an input is no fault),
and the next ``xlpy refresh`` records a row for them even from the same files.  A review signed on the Cover
before History's last row covers figures that have moved since: ``validate`` notes that too.  The last row is the
table's last, as the Cover reads it, whatever its time: a row whose time is before the row's above it, or after now,
was written by a clock set apart (or the table was sorted), and ``validate`` notes those rows by their cells.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpyxl.utils import get_column_letter

from . import clock
from .layout import VALUE_COL, Layout, history_moved_note, latest
from .layout.history import STAMP
from .readback import xlsx_values
from .review import dated_before
from .saved_values import manual_calculation
from .table_edits import recorded_columns

__all__ = ["last_row_note"]


def last_row_note(path: Path, lay: Layout, results) -> list[str]:
    """The note when History's last row (the table's last, as the Cover reads it) holds other figures than
    *results*; the note when the Cover's ``ReviewedOn`` is a day before that row (the figures were refreshed since
    the review: :func:`xlpy.workbook.review.dated_before`); and the note of rows out of time (:func:`out_of_time`)."""
    sheet, t = lay.table("tblHistory")
    cells = [[(sheet.title, f"{get_column_letter(t.first_col + i)}{row}") for i in recorded_columns(t)]
             for row in range(t.first_row, t.last_row + 1)]
    reviewed, reviewer, built = lay.cell("ReviewedOn"), lay.cell("ReviewedBy"), lay.cell("BuiltAt")
    held = xlsx_values(path, [c for row in cells for c in row] + [reviewed, reviewer, built])
    rows = [(row[0], r) for row, r in ((row, tuple(held.get(c) for c in row)) for row in cells)
            if any(v not in (None, "") for v in r)]
    records = [r for _, r in rows]
    note = history_moved_note(records, results, "xlpy refresh records a row for the figures as they stand",
                              held.get(built))
    last = latest(records)
    review = dated_before(held.get(reviewed), "!".join(reviewed), last[0] if last is not None else None,
                          held.get(reviewer))
    return [n for n in (note, review, out_of_time([("!".join(c), r[0]) for c, r in rows])) if n]


def latest_shown(path: Path, lay: Layout, wb) -> list[tuple[str, str, object, object]]:
    """The Cover's latest-count cells (``=INDEX(HistTendered,ROWS(HistTendered))``...) whose saved value is not
    what their formula gives, History's last row's: (cell, its label, History's value, the saved value).  xlpy saves
    none there (the application calculates them on open), so one that differs was typed into the file (review 143:
    a preview, pandas or Excel without recalculating shows 999,999 units tendered); a blank one is not named, nor
    one whose History cell holds no saved value (the change column's, a formula), nor any in a workbook *wb* set to
    calculate by hand, where a value saved before F9 is stale, as its own finding says (review 145)."""
    if manual_calculation(wb):  # (calculated by hand: a value saved before F9 is stale, and that is a finding)
        return []
    sheet, t = lay.table("tblHistory")
    columns = {c.name: get_column_letter(t.first_col + i) for i, c in enumerate(t.columns) if c.name}
    shown = []
    for s, _, item, row in lay.items("Cover"):
        m = re.search(r"INDEX\((Hist\w+),ROWS\(\1\)\)", item.formula or "")
        if m and m[1] in columns:
            shown.append((f"{s.title}!{get_column_letter(VALUE_COL)}{row}", item, (sheet.title, f"{columns[m[1]]}"
                                                                                    f"{t.last_row}")))
    held = xlsx_values(path, [tuple(w.split("!")) for w, _, _ in shown] + [h for _, _, h in shown])
    out = []
    for where, item, history in shown:
        saved = held.get(tuple(where.split("!")))
        want = "n/a" if '"n/a"' in item.formula and t.last_row == t.first_row else held.get(history)
        if saved not in (None, "") and want is not None and not _same(saved, want):
            out.append((where, item.label, want, saved))
    return out


def _same(saved, want) -> bool:
    """Whether a saved value is History's *want*: a number to 12 significant digits, anything else as text."""
    if isinstance(saved, (int, float)) and isinstance(want, (int, float)) and not isinstance(saved, bool):
        return abs(saved - want) <= 1e-12 * max(abs(want), 1)
    return str(saved) == str(want)


def out_of_time(whens: list[tuple[str, object]], now: dt.datetime | None = None) -> str | None:
    """``validate``'s note of History rows out of time, or None: each row whose time is before that of the row
    above it (a clock set back, or ahead when the row above was written; or the table sorted), and each after *now*
    (the computer's clock; by more than :data:`xlpy.workbook.clock.AHEAD`: a clock set ahead).  *whens*: (the
    cell, its value) of each record's When, top to bottom; a cell that holds no time a refresh writes (a row of a
    person's) is passed over."""
    stamped = [(cell, str(v)) for cell, v in whens if re.fullmatch(STAMP, str(v or ""))]
    now = now or clock.computer_now()
    later = (now + clock.AHEAD).strftime("%Y-%m-%d %H:%M:%S")
    said = []
    for i, (cell, when) in enumerate(stamped):
        if i and when < stamped[i - 1][1]:
            said.append(f"{cell} ({when}) before {stamped[i - 1][0]} above it ({stamped[i - 1][1]})")
        if when > later:
            said.append(f"{cell} ({when}) after now ({now:%Y-%m-%d %H:%M:%S} UTC)")
    if not said:
        return None
    shown = "; ".join(said[:5]) + (f"; and {len(said) - 5} more" if len(said) > 5 else "")
    return (f"History: its times (UTC) are out of order: {shown}: a clock was set apart when a row was written "
            "(this computer's, or the one's that wrote it), or the table was sorted; its last row, which the Cover "
            "shows as the latest count and the next refresh compares with, is the last by position a build or "
            "refresh wrote, whatever its time")
