"""Recalculate a standard workbook with the ``formulas`` library, a table column at a time.

The library's whole-workbook model (``formulas.ExcelModel``) builds a graph
node for every cell and costs tens of milliseconds per holder line.  This
module gets the same values from the same library at a fraction of the cost:

* every formula outside the tables is compiled by ``formulas`` (its ``Cell``)
  and evaluated once, its references resolved to the workbook's cells, names
  and ranges, in dependency order;
* every formula column of a table is compiled once per distinct row template
  (the first row may differ from the others) and evaluated over all of its rows
  at once: the library's functions are numpy functions applied element by
  element, so one call over a column of row inputs gives each row's value.
  Rows that share the same inputs give the same value, so each distinct tuple
  of row inputs is evaluated once and its value given to every row that has it
  (an exact shortcut: the formula is a pure function of those inputs).  A
  column that refers to its own previous row (a running total) is solved by
  repeating the evaluation over the rows whose previous row changed, until no
  row changes: the one solution of the rows' equations.

Nothing is sampled: every row's formula is evaluated from that row's inputs.
A column is evaluated this way only when the caller has proven that each of its
rows holds the layout's template for that row (:func:`xlpy.workbook.validate` does,
in its structure check) and when the template uses only functions that apply
element by element (:data:`ROW_FUNCTIONS`) on single cells and names of single
cells; any other table formula is compiled and evaluated as a cell of its own.
``AND`` and ``OR``, which reduce arrays, are compiled for row evaluation as
element-wise versions of the library's own function.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import numpy as np

from ..files.serial_dates import EPOCH
from . import formulas_access as fa
from .collector import recursion_allowed
from .data import excel_text
from .formula_text import STRING_LITERAL
from .openpyxl_access import cell_map

__all__ = ["ROW_FUNCTIONS", "RecalcError", "TableColumn", "recalculate"]

#: Functions a table-row template may use to be evaluated over a whole column at once.
ROW_FUNCTIONS = frozenset({"IF", "NOT", "AND", "OR", "INT", "ROUND", "MOD", "ABS"})
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


class RecalcError(RuntimeError):
    """The workbook cannot be recalculated this way (a cycle, an unknown reference...)."""


class TableColumn:
    """One formula column of a table: where it is and the formula each row must hold.

    Parameters
    ----------
    sheet : the worksheet's title.
    col : the column's number.
    first_row, last_row : the table's data rows.
    formula : ``formula(row)`` gives the layout's formula for that row.
    template : ``template(row)`` names the row's template: rows with the same name hold the same
        formula, its references moved down with the row.  A tuple names a row of its own (one that
        differs from its column), evaluated as a cell of its own before the templates.
    """

    def __init__(self, sheet: str, col: int, first_row: int, last_row: int, formula: Callable[[int], str],
                 template: Callable[[int], object]):
        self.sheet, self.col, self.first_row, self.last_row = sheet, col, first_row, last_row
        self.formula, self.template = formula, template

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _key(v):
    """A value as a dictionary key that tells 1, 1.0 and TRUE apart."""
    return (type(v), v)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a:
        return b != b
    try:
        return bool(a == b)
    except Exception:  # numpy values that do not compare to a truth value
        return False


class _Book:
    """Cells, names and computed values of one openpyxl workbook."""

    def __init__(self, wb, columns: Iterable[TableColumn], progress: Callable[[int], None] | None = None):
        self.EMPTY, self.errors, self.replace_empty = fa.empty(), fa.error_values(), fa.replace_empty
        self.wb = wb
        self.epoch = getattr(wb, "epoch", EPOCH)
        self.sheets = {ws.title.upper(): ws for ws in wb.worksheets}
        self.names: dict[str, str | None] = {}  # (None: a name a formula reads that the workbook does not define)
        for name, d in wb.defined_names.items():
            if d.attr_text:  # (a hidden name too: Excel computes it as any other, review 143)
                self.names[name.upper()] = d.attr_text
        self.columns: dict[tuple[str, int], TableColumn] = {(c.sheet.upper(), c.col): c for c in columns}
        self.column_values: dict[tuple[str, int], np.ndarray] = {}
        self.values: dict[tuple[str, int, int], object] = {}
        self.ranges: dict[str, object] = {}
        self.busy: set = set()
        self.progress = progress or (lambda n: None)

    # literal cells ----------------------------------------------------------------------

    def literal(self, cell):
        """A cell's stored value as the library's model reads it."""
        if cell is None:
            return self.EMPTY
        v = cell.value
        if v is None:
            return self.EMPTY
        if cell.data_type == "e":
            return self.errors.get(str(v), v)
        if isinstance(v, (dt.datetime, dt.date, dt.time, dt.timedelta)):
            from openpyxl.utils.datetime import to_excel

            v = to_excel(v, self.epoch)
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            return v
        if isinstance(v, float):
            # the library's own reading of a number cell (formulas/excel/__init__.py): binary noise past
            # 15 decimals dropped, exactly as its whole-workbook model does, so both paths agree to the bit.
            # Not money rounding: money is rounded half away from zero by the workbook's ROUND.
            return round(v, 15)
        return excel_text(v)  # an inline string as stored keeps Excel's escape of a literal _x0041_: undone

    def formula_of(self, cell) -> str | None:
        if cell is None or cell.data_type != "f":
            return None
        v = cell.value
        if not isinstance(v, str):
            v = getattr(v, "text", None)
            if v is None:
                return None
            v = v if v.startswith("=") else "=" + v
        return v[1:] if v[:2] == "==" else v

    # values ----------------------------------------------------------------------------------

    def value(self, sheet: str, row: int, col: int):
        """The value of one cell (sheet title in capitals), computing it when it holds a formula."""
        spec = self.columns.get((sheet, col))
        if spec is not None and spec.first_row <= row <= spec.last_row:
            arr = self.column(spec)
            v = arr[row - spec.first_row]
            if v is _PENDING:
                raise RecalcError(f"{sheet}!{_col_letters(col)}{row} depends on itself")
            return v
        key = (sheet, row, col)
        if key in self.values:
            return self.values[key]
        ws = self.sheets.get(sheet)
        if ws is None:
            raise RecalcError(f"no sheet {sheet}")
        cell = cell_map(ws).get((row, col))
        formula = self.formula_of(cell)
        if formula is None:
            return self.literal(cell)
        if key in self.busy:
            raise RecalcError(f"{sheet}!{_col_letters(col)}{row} depends on itself")
        self.busy.add(key)
        try:
            v = self.evaluate(sheet, row, col, formula)
        finally:
            self.busy.discard(key)
        self.values[key] = v
        return v

    def block(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> np.ndarray:
        """The values of a rectangle of cells, as a 2-D object array."""
        out = np.empty((r2 - r1 + 1, c2 - c1 + 1), dtype=object)
        ws = self.sheets.get(sheet)
        if ws is None:
            raise RecalcError(f"no sheet {sheet}")
        cells = cell_map(ws)
        for j, col in enumerate(range(c1, c2 + 1)):
            spec = self.columns.get((sheet, col))
            lo, hi = (spec.first_row, spec.last_row) if spec is not None else (0, -1)
            if spec is not None and max(lo, r1) <= min(hi, r2):
                arr = self.column(spec)
                a, b = max(lo, r1), min(hi, r2)
                out[a - r1:b - r1 + 1, j] = arr[a - lo:b - lo + 1]
                rows = [r for r in range(r1, r2 + 1) if not a <= r <= b]
            else:
                rows = range(r1, r2 + 1)
            for r in rows:
                cell = cells.get((r, col))
                out[r - r1, j] = self.literal(cell) if self.formula_of(cell) is None else self.value(sheet, r, col)
        return out

    def reference(self, text: str, sheet: str):
        """A range (``SHEET!A1:B2``) as a ``formulas`` Ranges holding its values."""
        if text in self.ranges:
            return self.ranges[text]
        m = _RANGE.match(text)
        if not m:
            raise RecalcError(f"cannot resolve {text}")
        s = (m.group(1).replace("''", "'") if m.group(1) else m.group(2)).upper()
        c1, r1 = _col_number(m.group(3)), int(m.group(4))
        c2, r2 = (_col_number(m.group(5)), int(m.group(6))) if m.group(5) else (c1, r1)
        if r2 - r1 > 1_100_000 or c2 - c1 > 20_000:
            raise RecalcError(f"range too large: {text}")
        if r1 == r2 and c1 == c2:
            values = np.asarray([[self.value(s, r1, c1)]], dtype=object)
        else:
            values = self.block(s, r1, c1, r2, c2)
        ref = f"{s}!{_col_letters(c1)}{r1}" + (f":{_col_letters(c2)}{r2}" if (r1, c1) != (r2, c2) else "")
        rng = fa.range_of(ref, values)
        self.ranges[text] = rng
        return rng

    def name_value(self, name: str):
        key = "name:" + name
        if key in self.ranges:
            return self.ranges[key]
        text = self.names[name]
        if text is None:
            value = fa.error_range(self.errors["#NAME?"])
        elif _RANGE.match(text.replace("$", "")):
            value = self.reference(text.replace("$", ""), "")
        else:  # a name holding a constant or a formula
            if key in self.busy:
                raise RecalcError(f"name {name} depends on itself")
            self.busy.add(key)
            try:
                ref = fa.compile_name(name, "=" + text, self.names)
                value = ref.func(*self.arguments(ref, ""))
            finally:
                self.busy.discard(key)
        self.ranges[key] = value
        return value

    def argument(self, key, sheet: str):
        if fa.is_error(key):
            return fa.error_range(key)
        if key in self.names:
            return self.name_value(key)
        return self.reference(key, sheet)

    def arguments(self, cell, sheet: str) -> list:
        return [self.argument(k, sheet) for k in cell.inputs]

    def compile(self, sheet: str, row: int, col: int, formula: str):
        try:
            cell = fa.compile_cell(f"{_quote(sheet)}!{_col_letters(col)}{row}", formula, sheet, self.names)
            if any(fa.is_error(k) and str(k) == "#REF!" for k in cell.inputs) and "#REF!" not in formula.upper():
                # a name the workbook does not define (one deleted): #NAME? in Excel and LibreOffice, which the
                # library spells #REF!; defined here as #NAME?, it computes as theirs does
                self.names.update(dict.fromkeys(fa.names_read(formula, sheet) - set(self.names)))
                cell = fa.compile_cell(f"{_quote(sheet)}!{_col_letters(col)}{row}", formula, sheet, self.names)
            return cell
        except Exception as exc:  # the parser raises many kinds on what it cannot read
            raise RecalcError(f"{sheet}!{_col_letters(col)}{row}: cannot compile {formula}: {exc}") from None

    def evaluate(self, sheet: str, row: int, col: int, formula: str):
        cell = self.compile(sheet, row, col, formula)
        return _scalar(self.replace_empty(cell.func(*self.arguments(cell, sheet))), self.EMPTY)

    # table columns ----------------------------------------------------------------------------

    def column(self, spec: TableColumn) -> np.ndarray:
        key = (spec.sheet.upper(), spec.col)
        arr = self.column_values.get(key)
        if arr is not None:
            return arr
        if key in self.busy:
            raise RecalcError(f"{spec.sheet} column {_col_letters(spec.col)} depends on itself")
        self.busy.add(key)
        try:
            arr = np.empty(spec.rows, dtype=object)
            arr[:] = _PENDING
            sheet = key[0]
            groups: dict[str, list[int]] = {}
            for row in range(spec.first_row, spec.last_row + 1):
                groups.setdefault(spec.template(row), []).append(row)
            self.column_values[key] = arr  # rows of a running total read the rows before them
            for rows in _ordered(groups.values(), spec):
                self._group(spec, sheet, rows, arr)
                self.progress(len(rows))
        finally:
            self.busy.discard(key)
        return arr

    def _group(self, spec: TableColumn, sheet: str, rows: list[int], arr: np.ndarray) -> None:
        r0 = rows[0]
        formula = spec.formula(r0)
        if formula is None:  # a row whose formula was replaced by a value
            for r in rows:
                arr[r - spec.first_row] = self.literal(cell_map(self.sheets[sheet]).get((r, spec.col)))
            return
        if isinstance(spec.template(r0), tuple):  # a row of its own (it differs from the layout)
            for r in rows:
                arr[r - spec.first_row] = self.evaluate(sheet, r, spec.col, spec.formula(r))
            return
        plan = self._plan(spec, sheet, rows, formula)
        if plan is None:  # evaluated as cells of their own
            for r in rows:
                arr[r - spec.first_row] = self.evaluate(sheet, r, spec.col, spec.formula(r))
            return
        cell, inputs = plan
        idx = np.asarray(rows, dtype=np.int64) - spec.first_row
        self_offsets = [d for kind, _, c, d in inputs if kind == "row" and c == spec.col]
        if not self_offsets:
            arr[idx] = self._rows(cell, inputs, sheet, np.asarray(rows, dtype=np.int64), spec)
            return
        # A running total: solve by repeating over the rows whose neighbour changed.
        for i in idx:
            arr[i] = self.EMPTY
        active = np.asarray(rows, dtype=np.int64)
        members = set(rows)
        for _ in range(len(rows) + 2):
            new = self._rows(cell, inputs, sheet, active, spec)
            old = arr[active - spec.first_row]
            changed = [r for r, a, b in zip(active.tolist(), old, new) if not _same(a, b)]
            arr[active - spec.first_row] = new
            if not changed:
                return
            nxt = {r - d for r in changed for d in self_offsets} & members
            active = np.asarray(sorted(nxt), dtype=np.int64)
            if not len(active):
                return
        raise RecalcError(f"{spec.sheet} column {_col_letters(spec.col)} does not settle: a circular reference")

    def _plan(self, spec: TableColumn, sheet: str, rows: list[int], formula: str):
        """How to evaluate a group of rows at once, or None to evaluate them one by one."""
        used = {m.upper() for m in _FUNCTION.findall(STRING_LITERAL.sub('""', formula))}
        if not used <= ROW_FUNCTIONS:
            return None
        r0 = rows[0]
        with fa.elementwise_and_or():
            cell = self.compile(sheet, r0, spec.col, formula)
        inputs = []
        for k in cell.inputs:
            if not isinstance(k, str):
                return None
            if k in self.names:
                target = (self.names[k] or "").replace("$", "")
                m = _RANGE.match(target)
                if not m or m.group(5) and (m.group(5), m.group(6)) != (m.group(3), m.group(4)):
                    return None
                inputs.append(("const", k, 0, 0))
                continue
            m = _RANGE.match(k)
            if not m or m.group(5):
                return None
            s = (m.group(1).replace("''", "'") if m.group(1) else m.group(2)).upper()
            if s != sheet:
                return None
            inputs.append(("row", k, _col_number(m.group(3)), int(m.group(4)) - r0))
        if len(rows) > 1:  # every row's references are the first row's, moved down with the row
            r1 = rows[1]
            other = self.compile(sheet, r1, spec.col, spec.formula(r1))
            moved = sorted((c, d) for kind, _, c, d in inputs if kind == "row")
            again = []
            for k in other.inputs:
                if k in self.names:
                    continue
                m = _RANGE.match(k)
                if not m:
                    return None
                again.append((_col_number(m.group(3)), int(m.group(4)) - r1))
            if sorted(again) != moved or {k for k in other.inputs if k in self.names} != {
                    k for kind, k, _, _ in inputs if kind == "const"}:
                return None
        return cell, inputs

    def _vector(self, sheet: str, col: int, rows: np.ndarray) -> np.ndarray:
        """The values of one column at the given rows."""
        out = np.empty(len(rows), dtype=object)
        spec = self.columns.get((sheet, col))
        if spec is not None:
            arr = self.column_values.get((sheet, col))
            if arr is None:
                arr = self.column(spec)
            inside = (rows >= spec.first_row) & (rows <= spec.last_row)
            out[inside] = arr[rows[inside] - spec.first_row]
            rest = np.nonzero(~inside)[0]
        else:
            rest = range(len(rows))
        cells = cell_map(self.sheets[sheet])
        for i in rest:
            r = int(rows[i])
            cell = cells.get((r, col))
            out[i] = self.literal(cell) if self.formula_of(cell) is None else self.value(sheet, r, col)
        return out

    def _rows(self, cell, inputs, sheet: str, rows: np.ndarray, spec: TableColumn) -> np.ndarray:
        """The template evaluated for each of *rows*, once per distinct tuple of row inputs."""
        consts = {}
        vectors = []
        for kind, k, c, d in inputs:
            if kind == "const":
                consts[k] = self.name_value(k)
            else:
                v = self._vector(sheet, c, rows + d)
                if any(x is _PENDING for x in v):
                    raise RecalcError(f"{spec.sheet} column {_col_letters(spec.col)} depends on itself")
                vectors.append(v)
        n = len(rows)
        if vectors:
            keys = list(zip(*[[_key(x) for x in v] for v in vectors]))
            first: dict = {}
            inverse = np.empty(n, dtype=np.int64)
            chosen = []  # the first row of each distinct tuple
            for i, k in enumerate(keys):
                j = first.get(k)
                if j is None:
                    j = first[k] = len(chosen)
                    chosen.append(i)
                inverse[i] = j
            picks = np.asarray(chosen, dtype=np.int64)
        else:
            inverse, picks = np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64)
        args = []
        it = iter(vectors)
        for kind, k, _, _ in inputs:
            if kind == "const":
                args.append(consts[k])
            else:
                args.append(next(it)[picks].reshape(-1, 1))
        res = np.asarray(cell.func(*args), dtype=object)
        res = np.asarray(self.replace_empty(res), dtype=object)
        if res.shape == (1, 1) or res.ndim == 0:
            flat = np.empty(len(picks), dtype=object)
            flat[:] = [res.reshape(-1)[0]] * len(picks)
        else:
            flat = res.reshape(-1)
            if len(flat) != len(picks):
                raise RecalcError(f"{spec.sheet} column {_col_letters(spec.col)}: unexpected result shape {res.shape}")
        flat = np.asarray([_plain_item(x, self.EMPTY) for x in flat] + [None], dtype=object)[:-1]
        return flat[inverse]


_PENDING = object()


def _ordered(groups, spec: TableColumn):
    """Rows of their own first (a running total reads them), then the templates from the top."""
    return sorted(groups, key=lambda rows: (not isinstance(spec.template(rows[0]), tuple), rows[0]))


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _plain_item(v, empty):
    if isinstance(v, np.generic):
        return v.item()
    return v


def _scalar(v, empty):
    """A cell's value from what a compiled formula returns (its top-left value)."""
    if hasattr(v, "value") and not isinstance(v, (int, float, str)):
        v = v.value
    while isinstance(v, np.ndarray):
        if v.size == 0:
            return empty
        v = v.reshape(-1)[0]
    return _plain_item(v, empty)


def recalculate(wb, columns: Iterable[TableColumn], cells: Iterable[tuple[str, str]] | None = None,
                progress: Callable[[int], None] | None = None, sheets: Iterable[str] | None = None
                ) -> dict[tuple[str, str], object]:
    """Recalculate an openpyxl workbook (loaded with formulas, not values).

    Parameters
    ----------
    wb : the workbook.
    columns : the table formula columns, each proven to hold its layout formula on every row.
    cells : ``(sheet, cell)`` whose values to return; every formula cell outside the tables when None.
    progress : called with a count of rows as table rows are evaluated.
    sheets : the sheets whose every formula is evaluated (all when None); a formula elsewhere is evaluated only
        when one of theirs refers to it (a person's own sheet may use what this evaluator does not know, such as
        a structured reference ``tblTenders[Units]``).

    Returns
    -------
    ``{(SHEET, "A1"): value}``, sheet titles in capitals, empty cells as None.
    Every formula of *sheets* is evaluated, whichever cells are returned; one outside *cells* that this
    evaluator cannot compile (a person's own ``=SUM(tblTenders[Units])`` in an empty cell of a standard
    sheet) is left alone unless a cell of *cells* refers to it.
    """
    cells = None if cells is None else list(cells)
    asked = None if cells is None else {(s.upper(), ref) for s, ref in cells}
    fa.register_functions()
    book = _Book(wb, columns, progress)
    try:
        return _recalculate(book, wb, cells, asked, sheets)
    finally:  # (a long table's compiled cells hold its columns: not kept past it)
        if max((spec.rows for spec in book.columns.values()), default=0) > KEEP_COMPILED_ROWS:
            fa.forget_compiled()


#: The longest table whose workbook's compiled cells are kept for the next workbook
#: (:func:`xlpy.workbook.formulas_access.compile_cell`).
KEEP_COMPILED_ROWS = 2_000


def _recalculate(book: _Book, wb, cells, asked, sheets) -> dict[tuple[str, str], object]:
    """:func:`recalculate`'s work, in *book*."""
    with recursion_allowed(20_000):
        for spec in book.columns.values():
            book.column(spec)
        formula_cells = []
        chosen = None if sheets is None else {t.upper() for t in sheets}
        for ws in wb.worksheets:
            s = ws.title.upper()
            if chosen is not None and s not in chosen:
                continue
            for (r, c), cell in list(cell_map(ws).items()):
                if cell.data_type == "f" and not _in_table(book, s, r, c):
                    formula_cells.append((s, r, c))
        for s, r, c in formula_cells:
            if asked is None or (s, f"{_col_letters(c)}{r}") in asked:
                book.value(s, r, c)
                continue
            try:
                book.value(s, r, c)
            except RecalcError:
                pass  # not one of the layout's figures: a cell asked for that refers to it says so
    out: dict[tuple[str, str], object] = {}
    wanted = ((s.upper(), ref) for s, ref in cells) if cells is not None else (
        (s, f"{_col_letters(c)}{r}") for s, r, c in formula_cells)
    for s, ref in wanted:
        m = _CELL.match(ref)
        v = book.value(s, int(m.group(2)), _col_number(m.group(1))) if s in book.sheets else book.EMPTY
        out[(s, ref)] = None if v is book.EMPTY else v
    return out


def _in_table(book: _Book, sheet: str, row: int, col: int) -> bool:
    spec = book.columns.get((sheet, col))
    return spec is not None and spec.first_row <= row <= spec.last_row
