"""Overrides: cells of a table's formula columns that hold something other than the table's formula.

A person may type a value over a formula of the holder table (one holder's
acceptance, say) or a formula of their own in its place.  The refresh
rewrites the table, which puts the table's formula back, so it first names
each such cell and what it held (:func:`xlpy.workbook.table_edits.typed_over`).
Each book backend finds them its own way: from cell values read row by row
(:func:`not_formulas`: openpyxl, xlwings) or from the sheet's XML
(:func:`package_overrides`: a long table without building a cell object).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from openpyxl.utils import get_column_letter

from .formula_text import same_formula
from .layout import Table

__all__ = ["OwnFormula", "not_formulas", "package_overrides"]


class OwnFormula(str):
    """A formula (``=...``) found in place of the table's: told apart from a text value that begins with "="."""


def _own(table: Table, col: int, row: int, formula: str) -> OwnFormula | None:
    """*formula* as an override of the cell at (*row*, *col*), or None when it is the table's formula there."""
    column = table.columns[col - table.first_col]
    return None if same_formula(formula, table.row_formula(column, row)) else OwnFormula(formula)


def not_formulas(table: Table, rows: Sequence[Sequence[object]]) -> list[tuple[str, object]]:
    """Of a table's cells read row by row (formulas as ``=...`` text), those of its formula columns holding a value
    or a formula other than the table's: ``(ref, value)``, a formula as :class:`OwnFormula`."""
    out = []
    columns = [(i, get_column_letter(table.first_col + i)) for i, c in enumerate(table.columns)
               if c.formula is not None]
    for k, row in enumerate(rows):
        for i, letter in columns:
            v = row[i] if i < len(row) else None
            if v is None or v == "" or hasattr(v, "text"):
                continue  # blank, or an array formula (openpyxl's ArrayFormula)
            if isinstance(v, str) and v.startswith("="):
                v = _own(table, table.first_col + i, table.first_row + k, v)
                if v is None:
                    continue
            out.append((f"{letter}{table.first_row + k}", v))
    return out


def package_overrides(sx, table: Table, strings: Callable[[], list[str]]) -> list[tuple[str, object]]:
    """:func:`not_formulas` read from a :class:`~xlpy.workbook.package.SheetXml` *sx*.

    The table's first two rows (a shared formula's first cell, or a first
    row's own formula) are looked at cell by cell.  Below them, a table as
    written by xlpy or Excel holds one shared formula a cell: when the
    formulas there are exactly that many, all shared, and no cell lies beside
    the table, nothing was typed over (string counts, no parsing); else each
    cell is looked at.  A cell of a shared formula is taken as its first
    cell's formula, moved down.
    """
    cols = [table.first_col + i for i, c in enumerate(table.columns) if c.formula is not None]
    r1, r2 = table.first_row, table.last_row
    if not cols or r2 < r1 or not sx.has_row_content(r1, r2):
        return []
    head = _looked_at(sx, table, cols, r1, min(r1 + 1, r2), strings)
    if r2 < r1 + 2:
        return head
    need = (r2 - r1 - 1) * len(cols)
    if sx.count_in_rows('f t="shared" si="', r1 + 2, r2) == need and sx.count_in_rows("f", r1 + 2, r2) == need \
            and not sx.cells_beside(r1, r2, table.first_col, table.first_col + len(table.columns) - 1):
        return head
    return head + _looked_at(sx, table, cols, r1 + 2, r2, strings)


_FORMULA = re.compile(r"<(?:\w+:)?f\b([^>]*?)(/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)


def _looked_at(sx, table: Table, cols: Sequence[int], r1: int, r2: int, strings) -> list[tuple[str, object]]:
    """Rows *r1*..*r2* of *table* cell by cell: the overrides in its formula columns *cols*."""
    from .package import unescape

    wanted, out = set(cols), []
    for row, _, _, cells in sx.rows_between(r1, r2):
        for col, xml in cells:
            if col not in wanted:
                continue
            ref = f"{get_column_letter(col)}{row}"
            f = _FORMULA.search(xml)
            if f is None:
                v = sx.typed_value(xml, strings)
                if v is not None and v != "":
                    out.append((ref, v))
            elif f.group(3) is not None and f.group(3).strip():  # its own text (a shared formula's cells have none)
                own = _own(table, col, row, "=" + unescape(f.group(3)))
                if own is not None:
                    out.append((ref, own))
    return out
