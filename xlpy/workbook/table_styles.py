"""The styles a refresh of a file writes a table's data rows in: each column's first row's, or the layout's where
that row has lost its own.

A refresh copies each column's style down from the table's first row, so a
style a person gave a column (a fill, another date format) stays.  Excel's
Clear All on the table's rows takes their formats with their values: the first
row's cells are left with no style, or the workbook's default (``s="0"``),
and a column cleared of its formats alone is left General.  Copied down, that
wrote a price file's dates as bare serial numbers (which validate then called
typed), and a holder table's inputs locked under the sheet's protection, its
ids without the Text format.  Such a column gets the layout's style, made as a
build makes it (:func:`xlpy.workbook.build.write_table_rows`, in a scratch
workbook) and mapped into the workbook's own style sheet, added there where it
holds none like it (:class:`~xlpy.workbook.style_map.StyleMap`, the mapping a switch of the tally's kind uses:
:mod:`xlpy.workbook.switch`).
"""

from __future__ import annotations

import io
import zipfile

from . import package
from .layout import Table
from .style_map import StyleMap, lost_columns, styles_part

__all__ = ["table_styles"]


def _built(table: Table) -> tuple[bytes, dict[int, str]]:
    """(the style sheet, column -> its cell style there) of a scratch workbook holding *table*'s first row as a
    build writes it."""
    from openpyxl import Workbook

    from .build import write_table_rows

    wb = Workbook()
    ws = wb.active
    write_table_rows(ws, table, [], limit=1)
    cols = range(table.first_col, table.first_col + len(table.columns))
    laid = {c: str(ws.cell(table.first_row, c).style_id) for c in cols}  # (the cell formats are saved in this order)
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        return z.read("xl/styles.xml"), laid


def table_styles(pkg, sx, table: Table) -> dict[int, str | None]:
    """Column number -> the cell style of *table*'s data rows in the sheet *sx* (a
    :class:`~xlpy.workbook.package.SheetXml` of the :class:`~xlpy.workbook.package.Package` *pkg*): its first
    row's, or the layout's where that row has lost it (added to the workbook's style sheet, written back).  A style
    sheet this cannot map (none, or one with a namespace prefix) leaves the first row's styles."""
    cols = range(table.first_col, table.first_col + len(table.columns))
    first = {c: sx.style_of(table.first_row, c) for c in cols}
    try:
        lost = lost_columns(pkg, sx, table)
        if not lost:
            return first
        part = styles_part(pkg)
        source, laid = _built(table)
        styles = StyleMap(source, pkg.read(part))
        first.update({c: styles.style(laid[c]) for c in lost})
    except (package.PackageError, UnicodeDecodeError):
        return first
    pkg.write(part, styles.result())
    return first
