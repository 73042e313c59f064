"""History's last row against the figures the workbook computes now: ``validate``'s note.

History is the record a build and each refresh write (:mod:`xlpy.workbook.layout.history`); the Cover shows
its last row as the latest count.  An input typed since the last refresh (the price P, the final count, a
count typed over) moves the figures but writes no row, so the last row then says otherwise than Results; so
does a row edited by hand.  ``validate`` names the figures that differ (a note: typing an input is no fault),
and the next ``xlpy refresh`` records a row for them even from the same files.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter

from .layout import HISTORY_COLUMNS, Layout, history_moved_note
from .readback import xlsx_values

__all__ = ["last_row_note"]


def last_row_note(path: Path, lay: Layout, results) -> list[str]:
    """The note when History's newest row (by when it was written: the last, unless the table was sorted) holds
    other figures than *results*."""
    sheet, t = lay.table("tblHistory")
    cells = [[(sheet.title, f"{get_column_letter(t.first_col + i)}{row}") for i in range(len(HISTORY_COLUMNS))]
             for row in range(t.first_row, t.last_row + 1)]
    held = xlsx_values(path, [c for row in cells for c in row])
    records = [r for r in (tuple(held.get(c) for c in row) for row in cells) if any(v not in (None, "") for v in r)]
    note = history_moved_note(records, results, "xlpy refresh records a row for the figures as they stand")
    return [note] if note else []
