"""The book the refresh macros work on: one small interface, three implementations.

The macros (:mod:`xlpy.macros`) never touch openpyxl or xlwings themselves;
they read and write cells through a :class:`Book`:

* :class:`~xlpy.workbook.live_book.XlwingsBook` wraps a live ``xlwings.Book`` (a button in Excel);
* :class:`PackageBook` edits an ``.xlsm`` on disk part by part
  (:mod:`xlpy.workbook.package`): untouched parts stay byte for byte, and a
  100,000-line tally is written in about a second.  ``xlpy refresh`` uses it;
* :class:`OpenpyxlBook` loads the whole file with openpyxl (``keep_vba=True``)
  and saves it again: simple and complete, but slow on large tallies and it
  drops what openpyxl does not model.  Kept as the reference implementation
  (the tests check both disk books give the same cells).

Cells are addressed as ``(sheet title, "C12")``; ranges as ``"B21:L30"``.
A value is written as Excel would hold it: numbers, dates, booleans, text; a
string beginning with ``=`` is a formula unless written with ``text=True``,
which always stores text, whatever it begins with.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from ..engine.errors import InputError, InputErrors
from .date_system import uses_1904_text
from .layout import Table
from .overrides import not_formulas, package_overrides
from .saved_values import HOLDER_TABLE
from .seal import seal_of
from .table_part import columns_listed, criteria, openpyxl_criteria, set_openpyxl_columns, set_table_ref
from .table_styles import table_styles
from .table_xml import splice_table_rows
from .workbook_xml import defined_names, full_calc_on_load, name_in

__all__ = ["Book", "OpenpyxlBook", "PackageBook", "beside", "data_ref", "open_book", "table_values"]


@runtime_checkable
class Book(Protocol):
    """What the refresh macros need of a workbook.

    Attributes:
        folder: the workbook's folder (source paths recorded on the Cover are
            relative to it), or None when it has none (a new, unsaved book).
        calculated: True when :meth:`get` gives formula results that are current
            (a live Excel book); False for a file on disk, whose formulas are
            recalculated only when Excel or LibreOffice opens it.
    """

    folder: Path | None
    calculated: bool

    def sheet_names(self) -> list[str]:
        """Titles of the worksheets, in order."""

    def get(self, sheet: str, ref: str) -> object:
        """The value of one cell (None when blank)."""

    def get_rows(self, sheet: str, ref: str) -> list[list[object]]:
        """The values of a range, row by row."""

    def set(self, sheet: str, ref: str, value: object, text: bool = False) -> None:
        """Write one cell; with *text*, a str is stored as text whatever it begins with."""

    def write_rows(self, sheet: str, ref: str, rows: Sequence[Sequence[object]],
                   text_columns: Sequence[int] = ()) -> None:
        """Write *rows* from the top-left cell of *ref*; columns in *text_columns* (0-based) are text."""

    def clear(self, sheet: str, ref: str) -> None:
        """Blank the values of a range (formats stay)."""

    def name(self, name: str) -> str | None:
        """The definition of a workbook-level name (``'Cover'!$C$12``, ``"text"``), or None."""

    def set_name(self, name: str, definition: str, hidden: bool = False) -> None:
        """Define (or redefine) a workbook-level name."""

    def table_ref(self, sheet: str, name: str) -> str | None:
        """The range the Excel table *name* spans in the book (``B20:L70``; a person may have moved or resized
        it), or None when the book does not say."""

    def table_totals(self, sheet: str, name: str) -> bool:
        """Whether the Excel table *name* shows a Total Row (Table Design > Total Row) below its lines."""

    def table_headers(self, sheet: str, name: str) -> bool:
        """Whether the Excel table *name* shows its header row (Table Design > Header Row; True when there is no
        such table)."""

    def typed_over(self, sheet: str, table: Table) -> list[tuple[str, object]]:
        """The cells of *table*'s formula columns that hold a value or a formula other than the table's, as
        ``(ref, value)`` in row order (a formula as :class:`~xlpy.workbook.overrides.OwnFormula`): what rewriting
        the table would replace, for the refresh to say so."""

    def rows_beside(self, sheet: str, table: Table, last_row: int | None = None) -> dict[int, dict[int, object]]:
        """The rows of *table* (to *last_row*, when it is to grow) holding a value beside it (outside its columns):
        row -> {column: value} of each of that row's cells with a value, the table's included; what a rewrite of
        the table leaves where it is."""

    def write_table(self, sheet: str, table: Table, rows: Sequence[tuple], old_rows: int,
                    saved: dict[str, Sequence] | None = None) -> None:
        """Rewrite a layout table: input columns from *rows*, formula columns from the layout.

        *table* is the table as it will be (``table.rows == len(rows)``); it
        had *old_rows* data rows.  Rows past the new end, up to the old end, are
        cleared; the table's range and its columns' data validation follow.
        *saved*, column key -> one value per row, are the engine's values of
        formula columns, for a book that keeps saved values in its file
        (:class:`PackageBook`; the others ignore them).
        """

    def recalculate(self) -> None:
        """Bring formula results up to date, where the book can (a live Excel book)."""

    def save(self, when: dt.datetime | None = None, before_replace: Callable[[], None] | None = None) -> None:
        """Write the book back (disk books: temporary file, then replace; *before_replace* runs in between)."""


def open_book(path: str | os.PathLike, engine: str = "package") -> Book:
    """A disk book: ``package`` (:class:`PackageBook`, the default) or ``openpyxl``."""
    if engine == "openpyxl":
        return OpenpyxlBook(path)
    if engine == "package":
        return PackageBook(path)
    raise ValueError(f"open_book: engine must be 'package' or 'openpyxl', not {engine!r}")


def table_values(table: Table, rows: Sequence[tuple]) -> list[list[object]]:
    """Every cell of a layout table's data rows: inputs from *rows*, formulas from the layout."""
    inputs = [i for i, c in enumerate(table.columns) if c.formula is None]
    out = []
    for r in range(max(len(rows), 1)):
        row = table.first_row + r
        data = rows[r] if r < len(rows) else None
        line: list[object] = [None] * len(table.columns)
        for j, i in enumerate(inputs):
            line[i] = data[j] if data is not None else None
        for i, c in enumerate(table.columns):
            if c.formula is not None and (data is not None or r == 0):
                line[i] = table.row_formula(c, row)
        out.append(line)
    return out


def data_ref(table: Table) -> str:
    last = get_column_letter(table.first_col + len(table.columns) - 1)
    return f"{get_column_letter(table.first_col)}{table.first_row}:{last}{table.last_row}"


def beside(table: Table, rows: dict[int, dict[int, object]]) -> dict[int, dict[int, object]]:
    """Of a table's rows (row -> {column: value}), those with a value outside its columns, blanks left out."""
    c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
    out = {}
    for r, cells in rows.items():
        values = {c: v for c, v in cells.items() if v is not None and v != ""}
        if any(not c1 <= c <= c2 for c in values):
            out[r] = values
    return out


def _not_found(path: Path) -> InputErrors:
    return InputErrors([InputError(str(path), None, "workbook not found", show_value=False)])


# --- openpyxl ------------------------------------------------------------------------------


class OpenpyxlBook:
    """An ``.xlsm``/``.xlsx`` on disk, loaded whole with openpyxl (``keep_vba=True``).

    Saving writes a temporary file beside it and replaces it (see
    :func:`xlpy.workbook.saving.atomic_save`); the VBA project and legacy drawings
    (the Cover's buttons) are copied as they were.
    """

    calculated = False

    def __init__(self, path: str | os.PathLike):
        from openpyxl import load_workbook

        self.path = Path(path)
        self.folder = self.path.parent
        if not self.path.is_file():
            raise _not_found(self.path)
        try:
            # keep_vba also keeps legacy drawings (the Cover's buttons); an .xlsx must not become macro-enabled.
            self.wb = load_workbook(self.path, keep_vba=self.path.suffix.lower() in (".xlsm", ".xltm"))
        except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a damaged file)
            raise InputErrors([InputError(self.path.name, None, f"cannot be opened as a workbook: {exc}",
                                          show_value=False)]) from None

    def _ws(self, sheet: str):
        try:
            return self.wb[sheet]
        except KeyError:
            raise InputErrors([InputError(self.path.name, sheet, "has no such sheet")]) from None

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def get(self, sheet: str, ref: str) -> object:
        return self._ws(sheet)[ref].value

    def get_rows(self, sheet: str, ref: str) -> list[list[object]]:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        ws = self._ws(sheet)
        return [list(r) for r in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                                              values_only=True)]

    def set(self, sheet: str, ref: str, value: object, text: bool = False) -> None:
        from .build import text_or_value
        from .package import excel_escape

        cell = self._ws(sheet)[ref]
        if text and isinstance(value, str):
            cell.value = excel_escape(value)
            cell.data_type = "s"
        else:
            cell.value = text_or_value(value)

    def write_rows(self, sheet, ref, rows, text_columns=()) -> None:
        min_col, min_row, _, _ = range_boundaries(ref)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.set(sheet, f"{get_column_letter(min_col + j)}{min_row + i}", v, text=j in text_columns)

    def clear(self, sheet: str, ref: str) -> None:
        ws = self._ws(sheet)
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
            for cell in row:
                cell.value = None

    def name(self, name: str) -> str | None:
        dn = self.wb.defined_names.get(name_in(self.wb.defined_names, name))  # (TENDERED is Tendered to Excel)
        return None if dn is None else dn.attr_text

    def set_name(self, name: str, definition: str, hidden: bool = False) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        self.wb.defined_names.pop(name_in(self.wb.defined_names, name), None)  # (not two names to Excel's one)
        self.wb.defined_names[name] = DefinedName(name, attr_text=definition, hidden=hidden or None)

    def table_ref(self, sheet: str, name: str) -> str | None:
        t = self._ws(sheet).tables.get(name)
        return None if t is None else t.ref

    def table_width(self, sheet: str, name: str) -> int | None:
        t = self._ws(sheet).tables.get(name)
        return None if t is None else len(t.tableColumns)

    def table_criteria(self, sheet: str, name: str) -> tuple[set[int], set[int]] | None:
        t = self._ws(sheet).tables.get(name)
        return None if t is None else openpyxl_criteria(t)

    def table_totals(self, sheet: str, name: str) -> bool:
        t = self._ws(sheet).tables.get(name)
        return t is not None and bool(t.totalsRowCount)

    def table_headers(self, sheet: str, name: str) -> bool:
        t = self._ws(sheet).tables.get(name)
        return t is None or t.headerRowCount is None or bool(t.headerRowCount)

    def unsort(self, sheet: str, name: str) -> bool:
        """Drop the sort Excel recorded on the table *name* (its rows are about to be rewritten in another order):
        whether it had one."""
        t = self._ws(sheet).tables.get(name)
        held = t is not None and (t.sortState is not None or (t.autoFilter is not None and t.autoFilter.sortState))
        if held:
            t.sortState = None
            if t.autoFilter is not None:
                t.autoFilter.sortState = None
        return bool(held)

    def typed_over(self, sheet: str, table: Table) -> list[tuple[str, object]]:
        """The cells of *table*'s formula columns holding a value or a formula of their own: (``G45``, value)."""
        return not_formulas(table, self.get_rows(sheet, data_ref(table)))

    def rows_beside(self, sheet: str, table: Table, last_row: int | None = None) -> dict[int, dict[int, object]]:
        rows = self._ws(sheet).iter_rows(min_row=table.first_row, max_row=last_row or table.last_row,
                                         values_only=True)
        return beside(table, {table.first_row + i: dict(enumerate(r, 1)) for i, r in enumerate(rows)})

    def write_table(self, sheet: str, table: Table, rows: Sequence[tuple], old_rows: int,
                    saved: dict[str, Sequence] | None = None) -> None:
        from openpyxl.worksheet.cell_range import MultiCellRange

        from .build import write_table_rows

        ws = self._ws(sheet)
        old_last = table.header_row + max(old_rows, 1)
        write_table_rows(ws, table, list(rows), clear_to=old_last if old_last > table.last_row else None)
        if table.name in ws.tables:
            xt = ws.tables[table.name]
            f = xt.autoFilter  # (the columns it held counted from its range's first, its filter's from the filter's)
            lefts = [range_boundaries(r.replace("$", ""))[0] for r in (xt.ref, f.ref if f is not None and f.ref else
                                                                       xt.ref)]
            xt.ref = table.ref
            if xt.autoFilter is not None:
                xt.autoFilter.ref = table.ref
            set_openpyxl_columns(xt, table, *lefts)
        for i in range(len(table.columns)):
            col = get_column_letter(table.first_col + i)
            olds, new = _spans(col, table.first_row, old_last), f"{col}{table.first_row}:{col}{table.last_row}"
            for dv in ws.data_validations.dataValidation:
                ranges = [str(r) for r in dv.sqref.ranges]
                if any(r in olds for r in ranges):
                    dv.sqref = MultiCellRange(" ".join(new if r in olds else r for r in ranges))

    def recalculate(self) -> None:
        pass

    def to_bytes(self, when: dt.datetime | None = None) -> bytes:
        from .saving import workbook_bytes

        return workbook_bytes(self.wb, when)

    def save(self, when=None, before_replace=None) -> None:
        from .locks import write_file

        write_file(self.to_bytes(when), self.path, before_replace)

    def close(self) -> None:
        """Let go of openpyxl's in-memory copy of the file's VBA parts (``keep_vba``); the book is done with."""
        archive = getattr(self.wb, "vba_archive", None)
        if archive is not None:
            archive.close()

    def __enter__(self) -> OpenpyxlBook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- the package, edited in place -------------------------------------------------------------


class PackageBook:
    """An ``.xlsm``/``.xlsx`` on disk, edited part by part (:mod:`xlpy.workbook.package`).

    Values are read with openpyxl in read-only mode from the file as it was
    opened, with this book's own writes laid over them.  Writes edit the
    worksheet XML of the cells written, the names, table and validation
    ranges; every other part is copied as it was, compressed bytes included.
    """

    calculated = False

    def __init__(self, path: str | os.PathLike):
        from . import package

        self.path = Path(path)
        self.folder = self.path.parent
        if not self.path.is_file():
            raise _not_found(self.path)
        try:
            self.pkg = package.Package(self.path)
            self._wb_part = self.pkg.workbook_part()
            self._sheets = self.pkg.sheet_parts()
            wb_xml = self.pkg.read(self._wb_part)
        except package.PackageError as exc:
            raise InputErrors([InputError(str(self.path), None, exc.reason, show_value=False)]) from None
        self._names = defined_names(wb_xml)
        self._wb_text = wb_xml.decode("utf-8")
        self.date1904 = uses_1904_text(self._wb_text)
        self._edits: dict[str, object] = {}  # sheet -> SheetXml
        self._cells: dict[tuple[str, int, int], object] = {}  # this book's writes
        self._tables: list[tuple[str, Table, list[tuple], int]] = []
        self._reader = None
        self._strings: list[str] | None = None  # the shared strings, read when a cell first needs them
        self._cache: dict[str, tuple[int, int, dict[tuple[int, int], object]]] = {}  # rows, columns read
        self._formulas_written = False
        self._saved: dict[tuple[str, str], object] | None = None
        self._saved_tables: dict[str, object] = {}  # sheet -> saved_values.TableValues
        self._kept: dict[str, tuple[int, int]] = {}  # sheet -> table rows written with their saved values

    # reading ------------------------------------------------------------------------

    def _read_only(self):
        if self._reader is None:
            from .openpyxl_access import load_workbook

            self._reader = load_workbook(io.BytesIO(self.pkg.blob), read_only=True, keep_links=False,
                                         label=self.pkg.label)
        return self._reader

    def _check_sheet(self, sheet: str) -> None:
        if sheet not in self._sheets:
            raise InputErrors([InputError(self.path.name, sheet, "has no such sheet")])

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def _written(self, sheet: str, row: int, col: int):
        """(True, value) when this book wrote the cell, else (False, None)."""
        key = (sheet, row, col)
        if key in self._cells:
            return True, self._cells[key]
        for s, t, rows, old_last in reversed(self._tables):
            if s != sheet or not t.first_col <= col < t.first_col + len(t.columns):
                continue
            if t.first_row <= row <= max(t.last_row, old_last):
                return True, _table_cell(t, rows, row, col)
        return False, None

    def get(self, sheet: str, ref: str) -> object:
        self._check_sheet(sheet)
        row, col = coordinate_to_tuple(ref)
        hit, value = self._written(sheet, row, col)
        if hit:
            return value
        rows, cols, cells = self._cache.get(sheet, (0, 0, {}))
        if row > rows or col > cols:
            # Read from the top (read-only sheets stream) down to this row, with room to spare.
            start = rows + 1 if col <= cols else 1
            upto, width = max(row, 2 * rows, 64), max(col, cols, 64)
            ws = self._read_only()[sheet]
            for r, values in enumerate(ws.iter_rows(min_row=start, max_row=upto, min_col=1, max_col=width,
                                                    values_only=True), start=start):
                for c, v in enumerate(values, start=1):
                    if v is not None:
                        cells[(r, c)] = v
            self._cache[sheet] = (upto, width, cells)
        return cells.get((row, col))

    def get_rows(self, sheet: str, ref: str) -> list[list[object]]:
        self._check_sheet(sheet)
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        width = max_col - min_col + 1
        if not self._sheet(sheet).has_row_content(min_row, max_row):
            out = [[None] * width for _ in range(max_row - min_row + 1)]
        else:
            ws = self._read_only()[sheet]
            out = [list(r) for r in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                 max_col=max_col, values_only=True)]
            out += [[None] * width for _ in range(max_row - min_row + 1 - len(out))]
        for i in range(len(out)):
            for j in range(width):
                hit, value = self._written(sheet, min_row + i, min_col + j)
                if hit:
                    out[i][j] = value
        return out

    # writing ---------------------------------------------------------------------------

    def _sheet(self, sheet: str):
        from .package import SheetXml

        if sheet not in self._edits:
            part = self._sheets[sheet]
            sx = self._edits[sheet] = SheetXml(self.pkg.read(part), f"{self.path.name}: part {part}")
            sx.sealed = seal_of(self._names, self.pkg, part)
        return self._edits[sheet]

    def _seal(self) -> None:
        """Record the holder table's seal, or drop one that no longer holds (:mod:`xlpy.workbook.seal`)."""
        from . import seal

        new = seal.new_seal(self.pkg, {self._sheets[s]: sx for s, sx in self._edits.items()})
        if new is not None:
            self.set_name(seal.SEAL_NAME, new.encode(), hidden=True)
        elif seal.stale(self._names, self.pkg):
            self.remove_name(seal.SEAL_NAME)

    def _unshare(self, sheet: str, r1: int, r2: int, c1: int, c2: int) -> None:
        """Spell out the shared formulas crossing an area about to be written (:mod:`xlpy.workbook.shared_formulas`)."""
        from .shared_formulas import unshare_crossing

        sx = self._sheet(sheet)
        if sx.sealed is not None and sx.sealed.covers_whole(r1, r2, c1, c2):
            return  # the sealed table's own shared formulas lie wholly inside, and nothing else is there
        new = unshare_crossing(sx.text, (r1, r2, c1, c2))
        if new is not sx.text:
            sx.text = new
            sx.data_end = new.rindex(f"</{sx.p}sheetData>")

    def set(self, sheet: str, ref: str, value: object, text: bool = False) -> None:
        from .package import cell_xml

        self._check_sheet(sheet)
        row, col = coordinate_to_tuple(ref)
        ref = f"{get_column_letter(col)}{row}"
        self._unshare(sheet, row, row, col, col)
        self._sheet(sheet).set_cell(row, col, lambda style: cell_xml(ref, value, style, text, self.date1904))
        self._cells[(sheet, row, col)] = value
        if isinstance(value, str) and value.startswith("=") and not text:
            self._formulas_written = True

    def write_rows(self, sheet, ref, rows, text_columns=()) -> None:
        min_col, min_row, _, _ = range_boundaries(ref)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.set(sheet, f"{get_column_letter(min_col + j)}{min_row + i}", v, text=j in text_columns)

    def clear(self, sheet: str, ref: str) -> None:
        from .package import cell_xml

        self._check_sheet(sheet)
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        self._unshare(sheet, min_row, max_row, min_col, max_col)
        sx = self._sheet(sheet)
        rows = []
        for r, _, _, cells in sx.rows_between(min_row, max_row):
            kept = []
            for c, xml in cells:
                if min_col <= c <= max_col:
                    style = re.search(r'\ss="(\d+)"', xml.split(">", 1)[0])
                    kept.append(cell_xml(f"{get_column_letter(c)}{r}", None, style.group(1) if style else None))
            rows.append((r, "".join(kept)))
        sx.splice(min_row, max_row, min_col, max_col, rows, fast=False)
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                self._cells[(sheet, r, c)] = None

    def name(self, name: str) -> str | None:
        return self._names.get(name_in(self._names, name))  # (a name in other letter case: the same to Excel)

    def set_name(self, name: str, definition: str, hidden: bool = False) -> None:
        from .workbook_xml import set_defined_name

        self._wb_text = set_defined_name(self._wb_text, name, definition, hidden)  # (in the case it is held in)
        self._names[name_in(self._names, name) or name] = definition

    # What a switch between counts and holders (xlpy.workbook.switch) edits beyond cells and names.

    def remove_name(self, name: str) -> None:
        """Drop the workbook-level name *name* (nothing if it is not there)."""
        from .workbook_xml import remove_defined_name

        self._wb_text = remove_defined_name(self._wb_text, name)
        self._names.pop(name_in(self._names, name), None)

    def sheet_part(self, sheet: str) -> str:
        """The package part of *sheet* (``xl/worksheets/sheet3.xml``)."""
        return self._sheets[sheet]

    def sheet_index(self, sheet: str) -> int:
        """*sheet*'s position in the workbook (0-based, as ``localSheetId`` counts)."""
        return list(self._sheets).index(sheet)

    def sheet_xml(self, sheet: str, unshare: tuple[int, int, int, int] | None = None):
        """The :class:`~xlpy.workbook.package.SheetXml` this book edits for *sheet*; with *unshare*
        ``(r1, r2, c1, c2)``, shared formulas crossing that area are first written out cell by cell."""
        if unshare is not None:
            self._unshare(sheet, *unshare)
        return self._sheet(sheet)

    def edit_workbook_xml(self, edit) -> None:
        """Replace workbook.xml's text by ``edit(text)``."""
        self._wb_text = edit(self._wb_text)

    def _shared_strings(self) -> list[str]:
        """The package's shared strings, read once, when a cell first needs them."""
        if self._strings is None:
            from .fastload import shared_strings

            self._strings = shared_strings(self.pkg)
        return self._strings

    def table_ref(self, sheet: str, name: str) -> str | None:
        from .package import table_parts

        self._check_sheet(sheet)
        part = table_parts(self.pkg, self._sheets[sheet]).get(name)
        m = part and re.search(r'<(?:\w+:)?table\b[^>]*?\sref="([^"]+)"', self.pkg.read(part).decode("utf-8"))
        return m.group(1) if m else None

    def sealed(self, sheet: str, table: Table) -> bool:
        """Whether *sheet* is as the last refresh wrote *table*: nothing from its first row down but its own cells
        (:mod:`xlpy.workbook.seal`), so nothing to search below it either (the other books have no seal)."""
        self._check_sheet(sheet)
        sx = self._sheet(sheet)
        return sx.sealed is not None and sx.sealed.covers_table(table)

    def typed_over(self, sheet: str, table: Table, blanks: bool = False) -> list[tuple[str, object]]:
        """The cells of *table*'s formula columns holding a value or a formula of their own: (``G45``, value); with
        *blanks*, those left blank too (``G45``, None)."""
        self._check_sheet(sheet)
        sx = self._sheet(sheet)
        if sx.sealed is not None and sx.sealed.covers_table(table):
            return []  # the table as the last refresh wrote it (xlpy.workbook.seal)
        return package_overrides(sx, table, self._shared_strings, blanks)

    def merged(self, sheet: str, ref: str) -> list[str]:
        """The cells of *ref* in a merged block (``G45``), from the sheet's ``<mergeCells>``: a table grown over
        part of one is a file Excel repairs, dropping what it cannot place."""
        c1, r1, c2, r2 = range_boundaries(ref)
        return [f"{get_column_letter(c)}{r}" for _, (a1, b1, a2, b2) in self._merge_blocks(sheet)
                for r in range(max(r1, b1), min(r2, b2) + 1) for c in range(max(c1, a1), min(c2, a2) + 1)]

    def merge_area(self, sheet: str, ref: str) -> str | None:
        """The merged block holding the cell *ref* (``C23:F23``), from the sheet's ``<mergeCells>``, or None."""
        col, row, _, _ = range_boundaries(ref)
        return next((block for block, (a1, b1, a2, b2) in self._merge_blocks(sheet)
                     if a1 <= col <= a2 and b1 <= row <= b2), None)

    def _merge_blocks(self, sheet: str):
        """Each merged block of *sheet*'s ``<mergeCells>``: (its range, upper case; its bounds)."""
        self._check_sheet(sheet)
        blocks = r'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Za-z]+\d+:[A-Za-z]+\d+)"'
        sx = self._sheet(sheet)  # (<mergeCells> follows <sheetData>: a long table's rows are not searched, review 166)
        for m in re.compile(blocks).finditer(sx.text, sx.data_end):
            yield m.group(1).upper(), range_boundaries(m.group(1).upper())

    def rows_as_entered(self, sheet: str, ref: str) -> list[list[object]]:
        """The cells of *ref*, a few rows, as entered: ``=`` and a formula's text where a cell holds one (a shared
        formula's member its own), its value (as the sheet's text stores it: a date as its serial number) elsewhere;
        only those rows are read (:meth:`get_rows` streams the sheet from its top to reach them)."""
        self._check_sheet(sheet)
        c1, r1, c2, r2 = range_boundaries(ref)
        from .shared_formulas import member_formula
        from .xml_text import unescape

        out = [[None] * (c2 - c1 + 1) for _ in range(r2 - r1 + 1)]
        sx, masters = self._sheet(sheet), {}
        for r, _, _, cells in sx.rows_between(r1, r2):
            for c, xml in cells:
                if r1 <= r <= r2 and c1 <= c <= c2:
                    f = re.search(r"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", xml, re.DOTALL)
                    text = f and (unescape(f.group(2)) if f.group(2) is not None else  # (a shared one's member)
                                  member_formula(sx.text, f.group(1), f"{get_column_letter(c)}{r}", masters))
                    out[r - r1][c - c1] = "=" + (text or "") if f else sx.typed_value(xml, self._shared_strings)
        for i, j in ((i, j) for i in range(len(out)) for j in range(c2 - c1 + 1)):
            hit, value = self._written(sheet, r1 + i, c1 + j)
            out[i][j] = value if hit else out[i][j]
        return out

    def table_lines(self, sheet: str, table: Table) -> list[tuple]:
        """The values of *table*'s input columns, row by row, read from the sheet's text (the fast way for a long
        table: :meth:`get_rows` builds openpyxl cells)."""
        self._check_sheet(sheet)
        letters = [get_column_letter(table.first_col + i) for i, c in enumerate(table.columns) if c.formula is None]
        return self._sheet(sheet).rows_of_columns(table.first_row, table.last_row, letters, self._shared_strings)

    def rows_beside(self, sheet: str, table: Table, last_row: int | None = None) -> dict[int, dict[int, object]]:
        self._check_sheet(sheet)
        return self._sheet(sheet).rows_beside(table.first_row, last_row or table.last_row, table.first_col,
                                              table.first_col + len(table.columns) - 1,
                                              self._shared_strings)

    def _table_part(self, sheet: str, name: str) -> str | None:
        from .package import table_parts

        self._check_sheet(sheet)
        return table_parts(self.pkg, self._sheets[sheet]).get(name)

    def table_width(self, sheet: str, name: str) -> int | None:
        """The columns table *name*'s part lists (:func:`~xlpy.workbook.table_part.columns_listed`), or None."""
        part = self._table_part(sheet, name)
        return columns_listed(self.pkg.read(part)) if part else None

    def table_criteria(self, sheet: str, name: str) -> tuple[set[int], set[int]] | None:
        """The columns table *name*'s filter and sort are on (:func:`~xlpy.workbook.table_part.criteria`), or None."""
        part = self._table_part(sheet, name)
        return criteria(self.pkg.read(part)) if part else None

    def table_totals(self, sheet: str, name: str) -> bool:
        part = self._table_part(sheet, name)
        m = part and re.search(r'<(?:\w+:)?table\b[^>]*?\stotalsRowCount="(\d+)"', self.pkg.read(part).decode())
        return bool(m) and int(m.group(1)) > 0

    def table_headers(self, sheet: str, name: str) -> bool:
        part = self._table_part(sheet, name)
        m = part and re.search(r'<(?:\w+:)?table\b[^>]*?\sheaderRowCount="(\d+)"', self.pkg.read(part).decode())
        return not m or int(m.group(1)) > 0

    def unsort(self, sheet: str, name: str) -> bool:
        """Drop the sort Excel recorded on the table *name* (its rows are about to be rewritten in another order):
        whether it had one."""
        part = self._table_part(sheet, name)
        text = self.pkg.read(part).decode("utf-8") if part else ""
        unsorted = re.sub(r"<(\w+:|)sortState\b(?:[^>]*/>|.*?</\1sortState>)", "", text, flags=re.S)
        if unsorted != text:
            self.pkg.write(part, unsorted.encode("utf-8"))
        return unsorted != text

    def show_rows(self, sheet: str, r1: int, r2: int, kept=None) -> tuple[list[int], list[int]]:
        """Show rows *r1*..*r2* (a table's rows, about to be rewritten) and take them out of any outline, but those
        *kept* (a :class:`~xlpy.workbook.rows_shown.LinesKept`) says keep their line
        (:func:`~xlpy.workbook.rows_shown.show_rows`): (the rows that were hidden, those grouped, of those shown)."""
        from .rows_shown import show_rows

        self._check_sheet(sheet)
        return show_rows(self._sheet(sheet), r1, r2, kept)

    def write_table(self, sheet: str, table: Table, rows: Sequence[tuple], old_rows: int,
                    saved: dict[str, Sequence] | None = None) -> None:
        from . import package

        self._check_sheet(sheet)
        sx = self._sheet(sheet)
        old_last = table.header_row + max(old_rows, 1)
        last = table.last_row
        c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
        self._unshare(sheet, table.first_row, max(last, old_last), c1, c2)
        rows = rows if isinstance(rows, (list, tuple)) else list(rows)  # (a ColumnRows kept: its columns are written)
        # The table's range, the validation of its columns (which followed the range the book held), the dimension:
        # set as the rows are joined (SheetXml.at_join), else after them.
        held = self.table_ref(sheet, table.name)
        lasts = {old_last, range_boundaries(held)[3] if held else old_last} - {last}
        ranges = {old: f"{col}{table.first_row}:{col}{last}" for col in map(get_column_letter, range(c1, c2 + 1))
                  for n in lasts for old in _spans(col, table.first_row, n)}
        sx.at_join = (last, ranges) if lasts else None
        foreign = splice_table_rows(sx, table, rows, max(last, old_last), self.date1904, saved,
                                    table_styles(self.pkg, sx, table))  # (the layout's, where a row lost its own)
        if table.name == HOLDER_TABLE and not foreign:
            sx.sealable = (table.first_row, last, c1, c2)
        if saved:
            self._kept[sheet] = (table.first_row, last)
        parts = package.table_parts(self.pkg, self._sheets[sheet])
        if table.name in parts:
            part = parts[table.name]
            self.pkg.write(part, set_table_ref(self.pkg.read(part), table))  # (its columns the layout's too)
        if lasts:
            if sx.at_join is not None:  # (rows spliced in place, not joined: after them)
                sx.at_join = None
                sx.replace_ranges_after_data("dataValidation", "sqref", ranges)
            package.retarget_charts(self.pkg, sheet, table.first_row, old_last, last)
        self._tables.append((sheet, table, list(rows), old_last))
        self._formulas_written = True

    def recalculate(self) -> None:
        pass

    def set_saved_values(self, values: dict[tuple[str, str], object], tables: dict | None = None) -> None:
        """Save *values* ((sheet, cell) -> the engine's value) with those formula cells
        (:mod:`xlpy.workbook.saved_values`).

        *tables*, sheet -> :class:`xlpy.workbook.saved_values.TableValues`: a table's
        formula columns, column by column (a table :meth:`write_table` wrote
        with its saved values keeps those instead).
        """
        self._saved = dict(values)
        self._saved_tables = dict(tables or {})

    def to_bytes(self, when: dt.datetime | None = None) -> bytes:
        from . import package

        for sheet, sx in self._edits.items():
            sx.set_dimension()
            self.pkg.write(self._sheets[sheet], sx.to_bytes())
        if self._saved is not None:
            from .saved_values import TableValues, fill_parts

            tables = dict(self._saved_tables)
            tables.update({sheet: TableValues(a, b, None) for sheet, (a, b) in self._kept.items()})
            fill_parts(self.pkg, self._sheets, self._saved, self.date1904, tables)
        self._seal()
        if self._edits or self._formulas_written:
            self._wb_text = full_calc_on_load(self._wb_text)
            package.drop_calc_chain(self.pkg)
        if self._wb_text.encode("utf-8") != self.pkg.read(self._wb_part):
            self.pkg.write(self._wb_part, self._wb_text.encode("utf-8"))
        return self.pkg.to_bytes(when)

    def save(self, when=None, before_replace=None) -> None:
        from .locks import write_file

        write_file(self.to_bytes(when), self.path, before_replace)

    def close(self) -> None:
        """Let go of the read-only openpyxl reader over the file's bytes, if one was opened, and of the package's
        zip reader: the book is done with (closed here, not by finalisers an interrupt could land in)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.pkg.close()

    def __enter__(self) -> PackageBook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _spans(col: str, first: int, last: int) -> tuple[str, ...]:
    """Rows *first*..*last* of column *col* as a data validation's range may spell them (one row: ``E21`` too)."""
    return (f"{col}{first}:{col}{last}",) + ((f"{col}{first}",) if first == last else ())


def _table_cell(table: Table, rows: Sequence[tuple], row: int, col: int) -> object:
    """The value :func:`table_values` gives one cell, without building them all."""
    r, i = row - table.first_row, col - table.first_col
    c = table.columns[i]
    if r >= max(len(rows), 1) or (r >= len(rows) and c.formula is None):
        return None
    if c.formula is not None:
        return table.row_formula(c, row)
    return rows[r][[k for k, x in enumerate(table.columns) if x.formula is None].index(i)]
