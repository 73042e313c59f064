"""The book a button in Excel refreshes: a live ``xlwings.Book`` behind the :class:`~xlpy.workbook.backends.Book`
interface (the files' books are in :mod:`xlpy.workbook.backends`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from ..excel.args import excel_error
from .backends import beside, data_ref, table_values
from .layout import Table
from .overrides import not_formulas

__all__ = ["XlwingsBook"]


def _excel_value(v: object, text: bool = False) -> object:
    """A value as xlwings should hand it to Excel: text protected by an apostrophe, Decimal as float."""
    if isinstance(v, str):
        # Excel reads an apostrophe as "this is text": =, +, -, @ and 00123 stay as written.
        return "'" + v if text else v
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 2**53 else float(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _grid(got: object) -> list[list[object]]:
    """A COM area's values as rows (pywin32 gives a single cell's bare, an area's as a tuple of row tuples)."""
    if not isinstance(got, (list, tuple)):
        return [[got]]
    return [list(r) if isinstance(r, (list, tuple)) else [r] for r in got]


def _rows_of(got: object) -> list[list[object]]:
    """``Range.formula`` as rows: a single cell's text, or one row's, as xlwings may give it."""
    if isinstance(got, str):  # a single cell
        return [[got]]
    if got and not isinstance(got[0], (list, tuple)):  # a single row
        return [list(got)]
    return [list(r) for r in got or ()]


def _typed_text(v: object) -> object:
    """A cell's ``Range.formula`` text as the value it stands for: a number typed reads back as a number."""
    if isinstance(v, str) and v and not v.startswith("="):
        try:
            number = float(v)
        except ValueError:
            return v
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return v


class XlwingsBook:
    """A live ``xlwings.Book`` (the workbook a button was clicked in).

    Uses only: ``book.sheets[name].range(ref).value`` (read and write: a text starting ``=`` writes a formula),
    ``.formula`` (read),
    ``sheet.used_range.last_cell.column``,
    ``.options(ndim=2)``, ``.clear_contents()``, ``book.names[name].refers_to``
    (and ``book.names.add``), ``sheet.tables[name].resize(range)`` and ``.show_totals``,
    ``book.fullname`` and ``book.app.calculate()``; on Windows, where COM says, ``.api.ProtectContents``,
    ``.api.Value2`` and a table's ``.api.AutoFilter`` (:meth:`filtered`).  :meth:`save` does not
    save: the person decides when to save the workbook.
    """

    calculated = True

    def __init__(self, book):
        self.book = book
        #: Whether anything was written to the book (a cell, a name, a table's range) since it was opened here.
        self.written = False
        #: The tables (sheet, name) whose filter :meth:`filtered` found on, to apply again once rewritten.
        self.refilter: set[tuple[str, str]] = set()
        #: What the writes said, for the dialog after the refresh's own lines (a filter applied again, or not).
        self.said: list[str] = []
        #: Why the book has no folder on this computer, where that is not that it was never saved (xlwings turns a
        #: OneDrive or SharePoint address into the synced folder's path, and raises where it finds none, or two).
        self.no_folder: str | None = None
        try:
            full = str(getattr(book, "fullname", "") or "")
        except Exception as exc:  # noqa: BLE001  (xlwings' XlwingsError, or the COM error behind it)
            full = ""
            self.no_folder = (f"the workbook's folder cannot be found on this computer ({exc}): open the workbook "
                              "from a folder synced to this computer, or run xlpy refresh on a copy of it")
        if "://" in full:
            self.no_folder = (f"the workbook is open from {full}, not from a folder on this computer: open it from a "
                              "folder synced to this computer, or run xlpy refresh on a copy of it")
        folder = Path(full).parent if full and "://" not in full else None
        self.folder = folder if folder is not None and str(folder) not in ("", ".") else None
        if self.folder is None and self.no_folder is None:  # (Book1: a name, no folder)
            self.no_folder = "the workbook has not been saved yet: save it in the folder that holds its files"

    @staticmethod
    def give(what: str, option: str) -> str:
        """How to give a refresh another *what* file (*option*) than the Cover records, from Excel."""
        return f"save and close the workbook and give another with xlpy refresh WORKBOOK {option} FILE"

    def not_writable(self, sheets) -> str | None:
        """Why a refresh cannot write this book, before it writes anything: it is open read-only (someone else has
        the file open: nothing it writes could be saved), or one of *sheets* is protected; None: it can."""
        api = getattr(self.book, "api", None)
        if api is None:
            return None
        if getattr(api, "ReadOnly", False):
            return ("the workbook is open read-only (someone else has the file open, or it was opened read-only): "
                    "a refresh here could not be saved; close it and open it again when it can be edited")
        for name in sheets:
            try:
                protected = bool(self.book.sheets[name].api.ProtectContents)
            except Exception:  # noqa: BLE001  (no such sheet: the refresh names it)
                continue
            if protected:
                return f"the sheet {name} is protected (Review > Unprotect Sheet): a refresh writes it"
        return None

    def _range(self, sheet: str, ref: str):
        return self.book.sheets[sheet].range(ref)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def get(self, sheet: str, ref: str) -> object:
        """A cell's value, read as :meth:`get_rows` reads it."""
        rng = self._range(sheet, ref)
        v = rng.value
        if type(v) is Decimal:  # a currency-formatted cell: COM's Currency, 4 places (get_rows)
            return rng.api.Value2
        return excel_error(v) or v if type(v) is int else v

    def get_rows(self, sheet: str, ref: str) -> list[list[object]]:
        """The cells of *ref*, row by row.

        An error value xlwings hands over as COM's code (``#SPILL!``, an ``int``: every number comes as a float)
        is its text, as a file holds it (the classic seven come as None).  A number in a currency-formatted cell
        comes, on Windows, as a ``Decimal`` rounded to 4 places (``Range.Value`` gives COM's Currency; xlwings
        issues #65, #640): those cells are read again from ``Range.Value2``, which gives the double Excel holds.
        """
        rng = self._range(sheet, ref)
        rows = [[excel_error(v) or v if type(v) is int else v for v in r] for r in rng.options(ndim=2).value]
        if any(type(v) is Decimal for r in rows for v in r):
            exact = _grid(rng.api.Value2)
            rows = [[exact[i][j] if type(v) is Decimal else v for j, v in enumerate(r)] for i, r in enumerate(rows)]
        return rows

    def entries(self, sheet: str, ref: str) -> list[list[object]]:
        """The cells of *ref* as a file holds them: a formula's text where a cell holds one, its value elsewhere.

        ``Range.value`` gives a formula's result, and "" and error values (``#N/A``) come as None: a formula
        showing "" would read as blank.  ``Range.formula`` (one call more) says which cells hold a formula.
        """
        rows = self.get_rows(sheet, ref)
        held = _rows_of(self._range(sheet, ref).formula)
        return [[f if isinstance(f, str) and f.startswith("=") else v for v, f in zip(row, texts)]
                for row, texts in zip(rows, held)]

    def formulas_held(self, cells: Iterable[tuple[str, str]]) -> dict[tuple[str, str], object]:
        """What each of *cells* (``(sheet, A1)``) holds, as a file holds it: a formula's text where it holds one,
        the value typed over it where it holds a value, None where it is blank.

        ``Range.value`` gives a formula's result: ``Range.formula`` (a formula's text, a constant's text, "" for a
        blank) of the area a sheet's cells span is read in one call, and a cell holding a constant is read again
        for its value (a number, a date, as :meth:`get` reads it).
        """
        by_sheet: dict[str, list[tuple[str, int, int]]] = {}
        for sheet, ref in cells:
            by_sheet.setdefault(sheet, []).append((ref, *coordinate_to_tuple(ref)))
        out: dict[tuple[str, str], object] = {}
        for sheet, refs in by_sheet.items():
            r1, c1 = min(r for _, r, _ in refs), min(c for _, _, c in refs)
            r2, c2 = max(r for _, r, _ in refs), max(c for _, _, c in refs)
            texts = _rows_of(self._range(sheet, f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}").formula)
            for ref, r, c in refs:
                text = texts[r - r1][c - c1]
                out[(sheet, ref)] = text if isinstance(text, str) and text.startswith("=") else (
                    None if text in ("", None) else self.get(sheet, ref))
        return out

    def merged(self, sheet: str, ref: str) -> list[str]:
        """The cells of *ref* in a merged block (``G45``), which Excel refuses to write part of.

        ``Range.merge_cells`` (Excel's MergeCells) is False for an area with none, True or None (a mix)
        otherwise: an area, then each row holding one, is asked before its cells.
        """
        if self._range(sheet, ref).merge_cells is False:
            return []
        c1, r1, c2, r2 = range_boundaries(ref)
        found = []
        for r in range(r1, r2 + 1):
            if self._range(sheet, f"{get_column_letter(c1)}{r}:{get_column_letter(c2)}{r}").merge_cells is False:
                continue
            found += [f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1)
                      if self._range(sheet, f"{get_column_letter(c)}{r}").merge_cells]
        return found

    def merge_area(self, sheet: str, ref: str) -> str | None:
        """The merged block holding the cell *ref* (``C23:F23``; Range.MergeArea), or None for a cell in none."""
        cell = self._range(sheet, ref)
        if not cell.merge_cells:
            return None
        return str(cell.merge_area.address).replace("$", "")

    def set(self, sheet: str, ref: str, value: object, text: bool = False) -> None:
        self.written = True
        self._range(sheet, ref).value = _excel_value(value, text)

    def write_rows(self, sheet, ref, rows, text_columns=()) -> None:
        min_col, min_row, _, _ = range_boundaries(ref)
        if not rows:
            return
        width = max(len(r) for r in rows)
        last_col, last_row = get_column_letter(min_col + width - 1), min_row + len(rows) - 1
        area = f"{get_column_letter(min_col)}{min_row}:{last_col}{last_row}"
        self.written = True
        self._range(sheet, area).value = [[_excel_value(v, j in text_columns) for j, v in enumerate(r)] for r in rows]

    def clear(self, sheet: str, ref: str) -> None:
        self.written = True
        self._range(sheet, ref).clear_contents()

    def name(self, name: str) -> str | None:
        try:
            refers = self.book.names[name].refers_to
        except Exception:  # noqa: BLE001  (xlwings raises the COM error of Names.Item for a missing name)
            return None
        return refers[1:] if isinstance(refers, str) and refers.startswith("=") else refers

    def set_name(self, name: str, definition: str, hidden: bool = False) -> None:
        self.written = True
        try:
            self.book.names[name].refers_to = "=" + definition
        except Exception:  # noqa: BLE001  (a missing name: the COM error of Names.Item)
            self.book.names.add(name, "=" + definition)

    def table_ref(self, sheet: str, name: str) -> str | None:
        try:
            return str(self.book.sheets[sheet].tables[name].range.address).replace("$", "")
        except Exception:  # noqa: BLE001  (no such table: the COM error of ListObjects.Item)
            return None

    def table_totals(self, sheet: str, name: str) -> bool:
        try:
            return bool(self.book.sheets[sheet].tables[name].show_totals)
        except Exception:  # noqa: BLE001  (no such table: the COM error of ListObjects.Item)
            return False

    def table_headers(self, sheet: str, name: str) -> bool:
        try:
            return bool(self.book.sheets[sheet].tables[name].show_headers)
        except Exception:  # noqa: BLE001  (no such table: the COM error of ListObjects.Item)
            return True

    def filtered(self, sheet: str, name: str) -> bool:
        """Whether the Excel table *name*'s filter hides rows (ListObject.AutoFilter.FilterMode), its lines about to
        be rewritten: then :meth:`write_table` applies it again to the new lines (AutoFilter.ApplyFilter, Data >
        Reapply, which keeps its criteria; Range.Value writes the rows it hides as well).  False where Excel does
        not say (no filter: AutoFilter is Nothing; a Mac's ``api``, which has no such property: the filter then
        stays as it is, over other lines)."""
        try:
            auto = self.book.sheets[sheet].tables[name].api.AutoFilter
            if auto is None or not auto.FilterMode:
                return False
        except Exception:  # noqa: BLE001  (no filter, no table, or no COM: nothing to apply again)
            return False
        self.refilter.add((sheet, name))
        return True

    def typed_over(self, sheet: str, table: Table) -> list[tuple[str, object]]:
        """The cells of *table*'s formula columns holding a value or a formula of their own: (``G45``, value as
        typed).

        Reads the table's ``Range.formula`` (a formula's text, a constant's text, "" for a blank) in one call.
        """
        if not any(c.formula is not None for c in table.columns):
            return []
        rows = [[_typed_text(v) for v in row] for row in _rows_of(self._range(sheet, data_ref(table)).formula)]
        return not_formulas(table, rows)

    def rows_beside(self, sheet: str, table: Table, last_row: int | None = None) -> dict[int, dict[int, object]]:
        """Reads the table's rows across the sheet's used range in one call; then, where the used range reaches past
        the table, the formulas there (``Range.formula``, one call more): one showing "" or an error value, which
        ``Range.value`` hands over as None, is beside its line as ``""``, as a file's is (a flag column's
        ``=IF(D21>1000,"big","")`` is beside every line, not only those it marks)."""
        width = max(self.book.sheets[sheet].used_range.last_cell.column, table.first_col + len(table.columns) - 1)
        last = last_row or table.last_row
        got = self.get_rows(sheet, f"A{table.first_row}:{get_column_letter(width)}{last}")
        found = beside(table, {table.first_row + i: dict(enumerate(r, 1)) for i, r in enumerate(got)})
        right = table.first_col + len(table.columns)
        if width < right:
            return found
        held = _rows_of(self._range(sheet, f"{get_column_letter(right)}{table.first_row}:"
                                           f"{get_column_letter(width)}{last}").formula)
        for i, texts in enumerate(held):
            row, cells = table.first_row + i, got[i]
            for j, text in enumerate(texts):
                if isinstance(text, str) and text.startswith("=") and cells[right + j - 1] in (None, ""):
                    found.setdefault(row, {c: v for c, v in enumerate(cells, 1) if v not in (None, "")})[right + j] = ""
        return found

    def write_table(self, sheet: str, table: Table, rows: Sequence[tuple], old_rows: int,
                    saved: dict[str, Sequence] | None = None) -> None:
        text_columns = [i for i, c in enumerate(table.columns) if c.fmt == "text"]
        values = table_values(table, list(rows))
        self.write_rows(sheet, data_ref(table), values, text_columns)
        old_last = table.header_row + max(old_rows, 1)
        if old_last > table.last_row:
            first = get_column_letter(table.first_col)
            last = get_column_letter(table.first_col + len(table.columns) - 1)
            self.clear(sheet, f"{first}{table.last_row + 1}:{last}{old_last}")
        ws = self.book.sheets[sheet]
        self.written = True
        ws.tables[table.name].resize(ws.range(table.ref))
        if (sheet, table.name) in self.refilter:  # (its criteria applied to the lines now written)
            self.refilter.discard((sheet, table.name))
            below = self._shown_below(ws, table, old_last)
            try:
                ws.tables[table.name].api.AutoFilter.ApplyFilter()
                self.said.append(f"{sheet}: the table {table.name} is filtered: its filter was applied again to the "
                                 f"lines written (Data > Reapply){below}")
            except Exception:  # noqa: BLE001  (the lines are written: rather than a filter over rows now holding
                try:  # other lines, or the refresh stopped with the workbook half written, every row shown)
                    ws.tables[table.name].api.AutoFilter.ShowAllData()
                except Exception:  # noqa: BLE001
                    pass
                self.said.append(f"{sheet}: the table {table.name} is filtered, and Excel did not apply its filter "
                                 "again to the lines written: every row is shown; filter it again")

    @staticmethod
    def _shown_below(ws, table: Table, old_last: int) -> str:
        """The rows a filtered table shrank from (its new end to *old_last*) shown again: Excel's filter, now over
        the table's fewer rows, no longer hides or shows them, and those it hid would stay hidden, empty, below the
        table.  The words the dialog adds ("" where the table did not shrink, or Excel refused)."""
        if old_last <= table.last_row:
            return ""
        try:
            ws.range(f"A{table.last_row + 1}:A{old_last}").api.EntireRow.Hidden = False
        except Exception:  # noqa: BLE001  (the lines are written: a row left hidden below the table loses nothing)
            return ""
        return f", and the rows below its new end (row {table.last_row}) shown"

    def recalculate(self) -> None:
        app = getattr(self.book, "app", None)
        if app is not None and hasattr(app, "calculate"):
            app.calculate()

    def save(self, when=None, before_replace=None) -> None:
        """Nothing: a live book is saved by the person, in Excel."""
