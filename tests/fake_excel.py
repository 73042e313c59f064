"""A live Excel book, faked: the few xlwings calls :class:`xlpy.workbook.live_book.XlwingsBook` and the buttons make
(ranges, sheets, tables, names, the app's alerts, the COM flags a button reads before it writes), on a workbook
loaded with openpyxl, with Excel's text and formula rules.  Shared by the tests of the buttons."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

class ComError(Exception):
    """pywin32's ``pywintypes.com_error``, as Excel raises it through xlwings."""


class FakeRange:
    """The few xlwings Range calls XlwingsBook uses, on a dict of cells (Excel's text and formula rules)."""

    def __init__(self, sheet, ref, ndim=None):
        from openpyxl.utils.cell import range_boundaries

        self.sheet, self.ref, self.ndim = sheet, ref.replace("$", ""), ndim
        self.c1, self.r1, self.c2, self.r2 = range_boundaries(self.ref)

    @property
    def address(self):
        return self.ref

    @property
    def last_cell(self):
        return FakeRange(self.sheet, f"{self.ref.split(':')[-1]}")

    @property
    def column(self):
        return self.c1

    def options(self, ndim=None):
        return FakeRange(self.sheet, self.ref, ndim)

    @property
    def value(self):
        """A cell's value; a formula's result where the test says what it shows (``sheet.shown``), as xlwings reads
        it: a result of "" or an error value (#N/A) as None."""
        rows = [[self._read(r, c) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows

    def _read(self, r, c):
        """A cell as xlwings reads Range.Value on Windows: a number in a currency-formatted cell (``sheet.currency``)
        as pywin32 hands over COM's Currency, a Decimal of 4 places."""
        v = self.sheet.shown.get((r, c), self.sheet.cells.get((r, c)))
        if (r, c) in self.sheet.currency and isinstance(v, (int, float)) and not isinstance(v, bool):
            return Decimal(v).quantize(Decimal("0.0001"))  # (COM rounds half to even too)
        return v

    @property
    def api(self):
        """Excel's Range object: its Value2, the double Excel holds whatever the cell's format; EntireRow.Hidden
        (write only), False showing the range's rows (:attr:`FakeSheet.hidden`)."""
        cells = tuple(tuple(self.sheet.shown.get((r, c), self.sheet.cells.get((r, c)))
                            for c in range(self.c1, self.c2 + 1)) for r in range(self.r1, self.r2 + 1))
        sheet, rows = self.sheet, range(self.r1, self.r2 + 1)

        class Rows:
            def __setattr__(self, name, value):
                assert name == "Hidden" and value is False, (name, value)
                sheet.hidden.difference_update(rows)

        class Api:
            Value2 = cells[0][0] if len(cells) == 1 and len(cells[0]) == 1 else cells
            EntireRow = Rows()
        return Api()

    @value.setter
    def value(self, v):
        rows = v if isinstance(v, list) and v and isinstance(v[0], list) else [[v]]
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                key = (self.r1 + i, self.c1 + j)
                if key in self.sheet.merged and not (self.ref == self._block_of(*key).ref.split(":")[0]):
                    # (a merged block's first cell alone is written; pywin32's com_error: hresult, text, excepinfo,
                    # argerr)
                    raise ComError(-2147352567, "Exception occurred.",
                                   (0, "Microsoft Excel", "Cannot change part of a merged cell.", None, 0, -2146827284),
                                   None)
                self.sheet.formulas.discard(key)
                if isinstance(x, str) and x.startswith("'"):
                    x = x[1:]  # Excel keeps the text, without the apostrophe
                elif isinstance(x, str) and x.startswith("="):
                    self.sheet.formulas.add(key)
                elif isinstance(x, Decimal):
                    raise TypeError("xlwings cannot write a Decimal")
                self.sheet.cells[key] = x
                self.sheet.writes.add(key)

    @property
    def merge_cells(self):
        """Excel's Range.MergeCells: True when every cell is in a merged block, False when none is, None (Null)
        for a mix."""
        inside = {(r, c) in self.sheet.merged for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)}
        return inside.pop() if len(inside) == 1 else None

    @property
    def merge_area(self):
        """Excel's Range.MergeArea: the merged block holding the range's first cell (the cell itself if none)."""
        return self._block_of(self.r1, self.c1)

    def _block_of(self, row: int, col: int):
        """The merged block of ``sheet.merged`` holding (row, col): the cells of it joined to that one, bounded."""
        from openpyxl.utils import get_column_letter

        if (row, col) not in self.sheet.merged:
            return FakeRange(self.sheet, f"{get_column_letter(col)}{row}")
        block, todo = set(), [(row, col)]
        while todo:
            r, c = todo.pop()
            if (r, c) in block or (r, c) not in self.sheet.merged:
                continue
            block.add((r, c))
            todo += [(r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)]
        rows, cols = [r for r, _ in block], [c for _, c in block]
        return FakeRange(self.sheet, f"{get_column_letter(min(cols))}{min(rows)}:{get_column_letter(max(cols))}"
                                     f"{max(rows)}")

    @property
    def formula(self):
        """As Excel gives it: a cell's formula or its constant as text ("" when blank); rows of them for an area."""
        rows = tuple(tuple("" if self.sheet.cells.get((r, c)) is None else str(self.sheet.cells[(r, c)])
                           for c in range(self.c1, self.c2 + 1)) for r in range(self.r1, self.r2 + 1))
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def clear_contents(self):
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.cells.pop((r, c), None)
                self.sheet.writes.add((r, c))


class FakeAutoFilter:
    """A table's ListObject.AutoFilter as COM gives it on Windows: criteria of one column (its index in the table,
    from 1, and the values it shows), the rows of the sheet it hides in :attr:`FakeSheet.hidden`."""

    def __init__(self, table, sheet, column: int, shows: set):
        self.table, self.sheet, self.column, self.shows = table, sheet, column, shows
        self.applied = self.cleared = 0  # (how often ApplyFilter and ShowAllData ran)

    @property
    def FilterMode(self):  # noqa: N802 (COM's name)
        return bool(self.sheet.hidden)

    def ShowAllData(self):  # noqa: N802  (Data > Clear: every row shown, the criteria gone)
        self.sheet.hidden.clear()
        self.shows, self.cleared = None, self.cleared + 1

    def ApplyFilter(self):  # noqa: N802
        (c1, r1), (_, r2) = [(column_index_from_string(c), int(r)) for c, r in
                             (re.fullmatch(r"([A-Z]+)(\d+)", e).groups() for e in self.table.ref.split(":"))]
        col = c1 + self.column - 1
        outside = {r for r in self.sheet.hidden if not r1 < r <= r2}  # (rows below a table that shrank stay hidden)
        self.sheet.hidden = outside | {r for r in range(r1 + 1, r2 + 1)
                                       if self.shows is not None and self.sheet.cells.get((r, col)) not in self.shows}
        self.applied += 1


class FakeTable:
    def __init__(self, ref, show_headers=True):
        self.ref, self.show_headers = ref, show_headers  # (ListObject.ShowHeaders: Table Design > Header Row)

    @property
    def range(self):
        """ListObject.Range, by its address as xlwings gives it (``$B$20:$L$319``)."""
        ends = [re.fullmatch(r"([A-Z]+)(\d+)", end).groups() for end in self.ref.replace("$", "").split(":")]
        return SimpleNamespace(address=":".join(f"${col}${row}" for col, row in ends))

    def resize(self, rng):
        self.ref = rng.address


class FakeSheet:
    def __init__(self, name):
        self.name, self.cells, self.formulas, self.writes, self.tables = name, {}, set(), set(), {}
        self.shown = {}  # (row, col) -> what xlwings reads for a formula cell there (its result)
        self.merged = set()  # (row, col) of cells in a merged block: Excel refuses a write to them
        self.currency = set()  # (row, col) of cells with a currency format: Range.Value rounds them to 4 places
        self.hidden = set()  # rows a table's filter hides (FakeAutoFilter)

    def range(self, ref):
        return FakeRange(self, ref)

    @property
    def used_range(self):
        from openpyxl.utils import get_column_letter

        rows, cols = zip(*self.cells) if self.cells else ((1,), (1,))
        return FakeRange(self, f"A1:{get_column_letter(max(cols))}{max(rows)}")


class FakeSheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            for s in self:
                if s.name == key:
                    return s
            raise KeyError(key)
        return list.__getitem__(self, key)


class FakeName:
    def __init__(self, refers_to):
        self.refers_to = refers_to


class FakeNames(dict):
    def add(self, name, refers_to):
        self[name] = FakeName(refers_to)


class FakeApp:
    def __init__(self):
        self.alerts = []

    def alert(self, prompt, title=None, **kwargs):
        self.alerts.append((title, prompt))

    def calculate(self):
        pass


class FakeBook:
    def __init__(self, path: Path):
        wb = load_workbook(path)
        self.fullname = str(path)
        self.sheets = FakeSheets()
        self.app = FakeApp()
        for ws in wb.worksheets:
            s = FakeSheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None:
                        s.cells[(c.row, c.column)] = c.value
            s.tables = {n: FakeTable(ref) for n, ref in ws.tables.items()}
            self.sheets.append(s)
        self.names = FakeNames({n: FakeName("=" + d.attr_text) for n, d in wb.defined_names.items()})


class FakeApi:
    """The COM objects' attributes a button looks at before it writes (Workbook.ReadOnly,
    Worksheet.ProtectContents)."""

    def __init__(self, **flags):
        self.ReadOnly = self.ProtectContents = False
        self.__dict__.update(flags)


def _written(fake) -> set:
    return {s.name for s in fake.sheets if s.writes}
