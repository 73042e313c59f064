"""What a person did to a table a refresh rewrites, each named in the refresh's report.

A refresh rewrites the holder table whole from the tally.  Three things a
person may have done to it would otherwise go without a word:

* typed a value over one of its formulas (an override of one holder's
  acceptance): the rewrite puts the formula back (:func:`typed_over`);
* typed a note beside a holder's line: it stays in its row while the lines
  are rewritten, and may then sit beside another holder's line
  (:func:`moved_notes`);
* edited the lines since the last refresh from the same tally file, or the
  price table since the last from the same price file: that is then not
  "nothing to refresh" (:func:`lines_differ`, :func:`prices_differ`).

Each reads the book through :class:`xlpy.workbook.backends.Book`, so a file,
an openpyxl book and a live Excel book say the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.utils import get_column_letter

from .data import excel_text
from .layout import Layout, Table
from .saved_values import HOLDER_TABLE

__all__ = ["SHOWN", "lines_differ", "moved_notes", "prices_differ", "typed_over"]

#: Cells named one by one in the report; one more line counts the rest.
SHOWN = 10


def typed_over(book, sheet: str, table: Table) -> list[str]:
    """Report lines for the values typed over *table*'s formulas, which the rewrite replaces (validate names
    them too)."""
    if not any(c.formula is not None for c in table.columns):
        return []
    cells = book.typed_over(sheet, table)
    lines = []
    for ref, v in cells[:SHOWN]:
        shown = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else repr(v)
        lines.append(f"{sheet}!{ref}: the value typed over its formula ({shown}) was replaced by the formula")
    if len(cells) > SHOWN:
        lines.append(f"{sheet}: {len(cells) - SHOWN:,} more values typed over formulas of {table.name} were "
                     "replaced by the formulas")
    return lines


def moved_notes(book, sheet: str, old: Table, new: Table, rows: Sequence[tuple]) -> list[str]:
    """Report lines for the values beside the holder table (*old*, as it was) whose row holds another holder's
    line once *rows* are written as *new*: the rewrite moves lines, not what is beside them."""
    found = book.rows_beside(sheet, old, max(old.last_row, new.last_row))  # a longer table reaches notes below it
    if not found:
        return []
    holder_col = old.first_col + [c.key for c in old.columns].index("holder")
    at = [c.key for c in new.columns if c.formula is None].index("holder")
    c1, c2 = old.first_col, old.first_col + len(old.columns) - 1
    moved = []
    for row, cells in sorted(found.items()):
        before = cells.get(holder_col)
        i = row - new.first_row
        after = rows[i][at] if 0 <= i < len(rows) else None
        if before == after:
            continue  # the same holder's line is still there
        now = f"now holds the line of {after!r}" if after is not None else "is now past the table's last line"
        was = (f"it was beside the line of {before!r}): move it if it belongs to {before!r}" if row <= old.last_row
               else "it was below the table): move it if it is not about that line")
        moved += [f"{sheet}!{get_column_letter(c)}{row}: {v!r} beside the holder table stays in row {row}, which "
                  f"{now} ({was}" for c, v in sorted(cells.items()) if not c1 <= c <= c2]
    if len(moved) > SHOWN:
        moved[SHOWN:] = [f"{sheet}: {len(moved) - SHOWN:,} more values beside the holder table now sit beside "
                         "another line"]
    return moved


def lines_differ(book, lay: Layout, tally_rows: Sequence[tuple]) -> bool:
    """Whether the holder table's lines are other than *tally_rows* (a person may have edited them since)."""
    sheet, t = lay.table(HOLDER_TABLE)
    if t.rows != len(tally_rows):
        return True
    if not t.rows:
        return False
    fast = getattr(book, "table_lines", None)  # a file: read from the sheet's text
    if fast is not None:
        lines = fast(sheet.title, t)
    else:
        inputs = [i for i, c in enumerate(t.columns) if c.formula is None]
        first, last = (t.letter(t.columns[i].key) for i in (inputs[0], inputs[-1]))
        area = book.get_rows(sheet.title, f"{first}{t.first_row}:{last}{t.last_row}")
        lines = [tuple(row[i - inputs[0]] for i in inputs) for row in area]
    # text as it was written: an id such as A_x0041_ is stored escaped (A_x005F_x0041_)
    return [tuple(map(excel_text, row)) for row in lines] != [tuple(r) for r in tally_rows]


def prices_differ(book, lay: Layout, days: Sequence) -> bool:
    """Whether the price table's rows are other than *days* (:class:`~xlpy.engine.model.PriceDay`, as the price
    file reads): a date typed over, a price changed since."""
    import datetime as dt
    from decimal import Decimal, InvalidOperation

    sheet, t = lay.table("tblPrices")
    if t.rows != len(days):
        return True
    area = book.get_rows(sheet.title, f"{t.letter('date')}{t.first_row}:{t.letter('volume')}{t.last_row}")

    def same(row, day) -> bool:
        d, price, volume = (list(row) + [None] * 3)[:3]
        if isinstance(d, dt.datetime):
            d = d.date()
        try:
            return d == day.date and Decimal(str(price)) == day.price and Decimal(str(volume)) == day.volume
        except (InvalidOperation, ValueError):
            return False

    return not all(map(same, area, days))
