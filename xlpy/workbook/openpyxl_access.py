"""openpyxl's private attributes, reached from this module only.

A standard workbook's holder table runs to a million cells.  openpyxl's public
way in (``ws.cell(row, column)``, ``cell.value = ...``, ``cell.font = ...``)
checks, converts and looks up a style for every cell, and ``ws.iter_rows``
makes a cell for every blank in a range; at that size this costs seconds.  The
builder (:mod:`xlpy.workbook.build`), the fast loader (:mod:`xlpy.workbook.fastload`), the
validator (:mod:`xlpy.workbook.validate`) and the recalculation (:mod:`xlpy.workbook.recalc`)
go round it through the functions below, one per need, so that the private
names they rely on are spelled in one place.

They rely on openpyxl 3.1 (``pyproject.toml`` bounds it to ``>=3.1.5,<3.2``):
``Worksheet._cells`` (a dict of (row, column) to cell, holding only the cells
that exist), ``Workbook._sheets`` (the sheets in order), ``Workbook._cell_styles``
(the style arrays, by the ``s`` index of the sheet XML), ``Workbook._date_formats``
(the number-format ids read as dates), and a cell's ``_value``, ``_style``,
``_hyperlink`` and ``_comment``; and :func:`load_workbook` replaces
``ExcelReader.read_strings`` (the shared strings, read into ``shared_strings``).
Before raising the bound, run tests/test_workbook.py, tests/test_macros*.py,
tests/test_recalc.py and tests/test_xml_text.py on the new release.
"""

from __future__ import annotations

import os
from copy import copy
from operator import attrgetter

from openpyxl.cell.cell import Cell

__all__ = [
    "WorkbookCells",
    "SharedStrings",
    "load_workbook",
    "cell_map",
    "charts_of",
    "first_of_each_look",
    "style_array",
    "set_style_array",
    "new_cell",
    "loaded_cell",
    "cell_styles",
    "date_format_ids",
    "order_sheets",
]


class SharedStrings(list):
    """A workbook's shared strings, each read by its index (``<c t="s"><v>7</v></c>``) by openpyxl's reader and
    xlpy's; an index past them (or below 0) is refused by name (:class:`~xlpy.workbook.package.PackageError`, its
    *where* the workbook's name), not an ``IndexError`` (nor, below 0, a string counted from the end, read without
    a word).  Only a damaged part names such an index: Excel offers to repair it."""

    def __init__(self, strings, where: str, part: str | None):
        super().__init__(strings)
        self.where, self.part = where, part

    def __getitem__(self, i):
        if not isinstance(i, slice) and not 0 <= i < len(self):  # (numpy's integers too: review 131)
            raise self.past(i)
        return super().__getitem__(i)

    def past(self, i: int):
        """The refusal of a cell that names string *i*, which is not there."""
        from .package import PackageError

        held = (f"past the {len(self):,} strings of part {self.part} (counted from 0)" if self.part else
                "and the workbook has no shared strings part")
        if i < 0 and self.part:  # (review 161: -1 was said to be past them)
            held = f"below 0 (the {len(self):,} strings of part {self.part} are counted from 0)"
        return PackageError(self.where, f"a cell names shared string {i}, {held}: the workbook is damaged; open it "
                                        "in Excel, let Excel repair it, and save it")


def load_workbook(source, *, read_only: bool = False, keep_vba: bool = False, data_only: bool = False,
                  keep_links: bool = True, label: str | None = None):
    """``openpyxl.load_workbook(source, ...)``, the same workbook, its shared strings read by
    :func:`~xlpy.workbook.xml_text.plain_strings` where they are plain text (openpyxl's reader took about a second
    for a 100,000-line table's holder ids, as LibreOffice saves them), else by openpyxl's own reader; kept as
    :class:`SharedStrings`, which name the workbook *label* (else the file's name) if a cell names one not there."""
    from openpyxl.reader.excel import ExcelReader

    where = label or (os.path.basename(source) if isinstance(source, (str, os.PathLike)) else "the workbook")

    class Reader(ExcelReader):
        def read_strings(self):
            from openpyxl.xml.constants import SHARED_STRINGS

            from .xml_text import plain_strings

            found = self.package.find(SHARED_STRINGS)
            part = None if found is None else found.PartName[1:]
            plain = None
            if part is not None:
                with self.archive.open(part) as src:
                    plain = plain_strings(src.read())
            if plain is None:
                super().read_strings()
            self.shared_strings = SharedStrings(self.shared_strings if plain is None else plain, where, part)

    reader = Reader(source, read_only=read_only, keep_vba=keep_vba, data_only=data_only, keep_links=keep_links)
    reader.read()
    return reader.wb


def cell_map(ws) -> dict:
    """The sheet's cells by (row, column): only the cells that exist, none made by asking.

    The dict itself, not a copy: storing a cell in it places the cell on the sheet.
    """
    return ws._cells


class WorkbookCells:
    """The reading side of a :class:`~xlpy.workbook.backends.Book` over an openpyxl workbook *wb* (``get``,
    ``get_rows``), as :func:`xlpy.workbook.data.read_offer` and :mod:`xlpy.workbook.typed_since` read one:
    *folder*, the one the Cover's paths are relative to (None: not known)."""

    def __init__(self, wb, folder=None):
        self.wb, self.folder = wb, folder

    def get(self, sheet: str, ref: str) -> object:
        return self.wb[sheet][ref].value if sheet in self.wb.sheetnames else None

    def get_rows(self, sheet: str, ref: str) -> list[list[object]]:
        """The values of area *ref*, row by row ([] for a sheet not there), read from the cells there are (none
        made by asking: a 100,000-line table in a tenth of the time ``iter_rows`` takes)."""
        from openpyxl.utils.cell import range_boundaries

        if sheet not in self.wb.sheetnames:
            return []
        c1, r1, c2, r2 = range_boundaries(ref)
        cells, columns = cell_map(self.wb[sheet]), range(c1, c2 + 1)
        return [[None if (cell := cells.get((r, c))) is None else cell.value for c in columns]
                for r in range(r1, r2 + 1)]


def charts_of(ws) -> list:
    """The charts the sheet holds (openpyxl adds them with ``add_chart`` and keeps them in a private list)."""
    return ws._charts


def style_array(cell):
    """A copy of the cell's style (its font, fill, number format... ids), to give other cells."""
    return copy(cell._style)


_STYLE = attrgetter("_style")


def first_of_each_look(cells) -> list:
    """The first of *cells* (None skipped) of each font, fill and number format: a long column's looks, each once,
    without building each cell's style objects.  (Cells xlpy's fast reader loads share their style array, each
    looked at once; openpyxl's own reader gives each cell its own.)"""
    present = list(filter(None, cells))  # (at C speed: a column of 100,000 lines)
    by_style = dict(zip(reversed(list(map(id, map(_STYLE, present)))), reversed(present)))  # (the first wins)
    out: dict = {}
    for cell in by_style.values():
        s = cell._style
        key = (s.fontId, s.fillId, s.numFmtId) if s is not None else (0, 0, 0)  # (no style: the default look)
        if key not in out or cell.row < out[key].row:
            out[key] = cell
    return sorted(out.values(), key=lambda c: c.row)


def set_style_array(cell, style) -> None:
    """Give *cell* the style *style* (from :func:`style_array`), without openpyxl's look-ups."""
    cell._style = copy(style)


def new_cell(ws, row: int, column: int, style, value=None, data_type: str = "n"):
    """A cell of *ws* with the style *style*, holding *value* as given (no conversion, no formula guess).

    *data_type* is openpyxl's: ``n`` (number), ``s`` (text, even one starting with ``=``;
    checked for length and characters as openpyxl checks it), ``f`` (formula), ``b`` (bool).
    The cell is not placed: store it in :func:`cell_map`.
    """
    cell = Cell(ws, row=row, column=column, style_array=copy(style))
    if value is not None:
        cell._value = cell.check_string(value) if data_type == "s" else value
        cell.data_type = data_type
    return cell


def loaded_cell(ws, row: int, column: int, value, data_type: str, style):
    """A cell as openpyxl's reader would make it from the sheet XML, made faster (no ``__init__``).

    *style* is one of :func:`cell_styles` and is shared, not copied (as the
    reader shares it): a cell made this way is for reading, not restyling.
    The cell is not placed: store it in :func:`cell_map`.
    """
    cell = Cell.__new__(Cell)
    cell.parent, cell.row, cell.column, cell._value, cell.data_type = ws, row, column, value, data_type
    cell._style, cell._hyperlink, cell._comment = style, None, None
    return cell


def cell_styles(wb) -> list:
    """The workbook's style arrays, by the ``s`` index a sheet's XML gives each cell."""
    return wb._cell_styles


def date_format_ids(wb) -> set:
    """The style ids whose number format shows a date (empty when openpyxl keeps none)."""
    return getattr(wb, "_date_formats", set())


def order_sheets(wb, sheets) -> None:
    """Put the workbook's sheets in the order *sheets* gives (every sheet, each once)."""
    sheets = list(sheets)
    if sorted(map(id, sheets)) != sorted(map(id, wb.worksheets + wb.chartsheets)):
        raise ValueError("order_sheets: give every sheet of the workbook, each once")
    wb._sheets = sheets
