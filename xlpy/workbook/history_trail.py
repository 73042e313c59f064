"""History's last row against the figures the workbook computes now: ``validate``'s note.

History is the record a build and each refresh write (:mod:`xlpy.workbook.layout.history`); the Cover shows
its last row as the latest count.  An input typed since the last refresh (the price P, the final count, a
count typed over) moves the figures but writes no row, so the last row then says otherwise than Results; so
does a row edited by hand.  ``validate`` names the figures that differ (a note: typing an input is no fault),
and the next ``xlpy refresh`` records a row for them even from the same files.  A review signed on the Cover
before History's last row covers figures that have moved since: ``validate`` notes that too.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter

from .layout import Layout, history_moved_note, latest
from .readback import xlsx_values
from .review import dated_before
from .table_edits import recorded_columns

__all__ = ["last_row_note"]


def last_row_note(path: Path, lay: Layout, results) -> list[str]:
    """The note when History's newest row (by when it was written: the last, unless the table was sorted) holds
    other figures than *results*; and the note when the Cover's ``ReviewedOn`` is a day before that row (the
    figures were refreshed since the review: :func:`xlpy.workbook.review.dated_before`)."""
    sheet, t = lay.table("tblHistory")
    cells = [[(sheet.title, f"{get_column_letter(t.first_col + i)}{row}") for i in recorded_columns(t)]
             for row in range(t.first_row, t.last_row + 1)]
    reviewed, reviewer = lay.cell("ReviewedOn"), lay.cell("ReviewedBy")
    held = xlsx_values(path, [c for row in cells for c in row] + [reviewed, reviewer])
    records = [r for r in (tuple(held.get(c) for c in row) for row in cells) if any(v not in (None, "") for v in r)]
    note = history_moved_note(records, results, "xlpy refresh records a row for the figures as they stand")
    last = latest(records)
    review = dated_before(held.get(reviewed), "!".join(reviewed), last[0] if last is not None else None,
                          held.get(reviewer))
    return [n for n in (note, review) if n]
