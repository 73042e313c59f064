"""A cell beside the holder table as a refresh's report names it (:func:`xlpy.workbook.table_edits.moved_notes`).

A refresh rewrites the holder table's lines in the workbook's order (by holder); what is beside them stays in its
row, and is named when that row now holds another holder's line.  A number there is shown as the report shows
every number (``4,200``), text quoted; a formula as the formula it is (``=D25*2``, what it showed after it), and
the table's rows it reads one cell at a time (``D25``, ``tblTenders[@Units]``) that now hold another holder's
line are named with it: from now on it computes from that line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import column_index_from_string

from .layout import Table

__all__ = ["cell_said", "formula_of", "shown", "table_rows_read"]

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
#: A structured reference's own row: ``[@Units]``, ``[@]``, ``[[#This Row],[Units]]`` as a file stores it.
_THIS_ROW = re.compile(r"\[\s*(?:@|\[\s*#this row\s*\])", re.IGNORECASE)


def shown(v: object) -> str:
    """A value beside the table as the report shows it: a number with its thousands separators, text quoted."""
    return f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else repr(v)


def formula_of(book, sheet: str, ref: str, value: object) -> str | None:
    """The formula (``=...``) the cell *ref* holds, *value* what it shows (as read beside the table); None for a
    value: a file's text beginning with ``=`` shows itself, where a formula shows what it computes."""
    read = getattr(book, "rows_as_entered", None)
    ((entered,),) = (read or getattr(book, "entries", book.get_rows))(sheet, f"{ref}:{ref}")
    if not (isinstance(entered, str) and entered.startswith("=") and len(entered) > 1):
        return None
    return entered if entered != value or read is None else None  # (openpyxl reads a formula as its text)


def table_rows_read(formula: str, sheet: str, table: Table, row: int) -> list[int]:
    """The rows of *table*'s lines that *formula*, in a cell of row *row* on *sheet*, reads one cell at a time: a
    cell of its columns (``D25``, ``Tenders!$D$25``), or its own row's (``tblTenders[@Units]``).  A range is left
    out: a sum over the table reads every line, in whatever order they are."""
    try:
        items = Tokenizer(formula).items
    except Exception:  # noqa: BLE001 (the tokenizer raises TokenizerError, ValueError, IndexError)
        return []
    c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
    found = set()
    for t in items:
        if t.type != Token.OPERAND or t.subtype != Token.RANGE:
            continue
        where, bang, ref = t.value.rpartition("!")
        named = where[1:-1].replace("''", "'") if where.startswith("'") and where.endswith("'") else where
        if bang and named.lower() != sheet.lower():
            continue
        name, bracket, rest = ref.partition("[")
        if bracket:
            if name.lower() == table.name.lower() and _THIS_ROW.match(bracket + rest) and \
                    table.first_row <= row <= table.last_row:
                found.add(row)
            continue
        m = _CELL.fullmatch(ref)
        if m and c1 <= column_index_from_string(m[1].upper()) <= c2 and table.first_row <= int(m[2]) <= table.last_row:
            found.add(int(m[2]))
    return sorted(found)


def cell_said(book, sheet: str, table: Table, ref: str, row: int, value: object,
              changed: Callable[[int], bool]) -> tuple[str, str]:
    """What the cell *ref* (row *row*) beside *table* holds, in words, and what the report adds after its advice:
    the table's rows its formula reads that *changed* (now hold another holder's line), or ""."""
    formula = formula_of(book, sheet, ref, value)
    if formula is None:
        return shown(value), ""
    what = f"the formula {formula}" + (f" (showing {shown(value)})" if value != formula else "")
    rows = [r for r in table_rows_read(formula, sheet, table, row) if changed(r)]
    if not rows:
        return what, ""
    if len(rows) == 1:
        return what, (f"; it reads the table's row {rows[0]}, which now holds another holder's line: point it at the "
                      "row of the line it is about")
    listed = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}" if len(rows) <= 4 else \
        f"{', '.join(map(str, rows[:3]))} and {len(rows) - 3:,} more"
    return what, (f"; it reads the table's rows {listed}, which now hold other holders' lines: point it at the "
                  "rows of the lines it is about")
