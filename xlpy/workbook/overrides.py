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
from openpyxl.utils.cell import range_boundaries

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
            kind = getattr(v, "t", None)  # (openpyxl's ArrayFormula, DataTableFormula)
            if v is None or v == "" or kind == "dataTable":
                continue  # blank, or a data table's formula (no text: the sheet's XML reading passes it by too)
            if kind == "array":
                v = v.text  # an array formula, by its text (=I910*3), as the sheet's XML reading compares it
            if isinstance(v, str) and v.startswith("="):
                v = _own(table, table.first_col + i, table.first_row + k, v)
                if v is None:
                    continue
            out.append((f"{letter}{table.first_row + k}", v))
    return out


def package_overrides(sx, table: Table, strings: Callable[[], list[str]], blanks: bool = False
                      ) -> list[tuple[str, object]]:
    """:func:`not_formulas` read from a :class:`~xlpy.workbook.package.SheetXml` *sx*; with *blanks*, the formula
    cells left blank as well, as ``(ref, None)`` (a formula cleared: what the workbook computes from, where a
    rewrite of the table loses nothing).

    A table as xlpy or Excel writes it holds each formula column as one
    shared formula: its first cell in the table's first two rows, the rest
    ``<f t="shared" si="K"/>``.  A column whose first cell holds the table's
    formula and whose shared cells fill every row below the first two (a
    string count: a cell of a shared formula lies in its column) holds no
    override.  The other columns (a cell typed over; every column of a
    workbook saved by LibreOffice, which writes each formula out) are
    compared with the table's cell by cell, read by one pattern.
    """
    cols = [table.first_col + i for i, c in enumerate(table.columns) if c.formula is not None]
    r1, r2 = table.first_row, table.last_row
    if not cols or r2 < r1 or not sx.has_row_content(r1, r2):
        return []
    if r2 >= r1 + 2:
        rest = _unshared(sx, table, cols, r1, r2, strings, blanks)
        if rest is not None:  # the first two rows hold the table's formulas: below them, the columns not shared
            if not rest:
                return []
            cols = rest  # (their first two rows read again: a shared formula begun there)
    written_out = _all_written_out(sx, table, cols, r1, r2, strings, blanks)
    return written_out if written_out is not None else _each_cell(sx, table, cols, r1, r2, strings, blanks=blanks)


def _unshared(sx, table: Table, cols: Sequence[int], r1: int, r2: int, strings, blanks: bool = False
              ) -> list[int] | None:
    """The formula columns whose rows r1+2..r2 are not all shared cells of the table's formula begun in the first
    two rows ([]: none), or None when the first two rows themselves hold something else."""
    if _each_cell(sx, table, cols, r1, r1 + 1, strings, blanks=blanks):
        return None
    masters = {}
    for row, _, _, cells in sx.rows_between(r1, r1 + 1):
        for col, xml in cells:
            f = _MASTER.search(xml)
            if col in cols and f is not None:
                c1, _, c2, last = range_boundaries(f.group("ref"))
                if c1 == c2 == col and last >= r2:
                    masters[col] = f.group("si")
    return [col for col in cols if col not in masters
            or sx.count_in_rows(f'f t="shared" si="{masters[col]}"/>', r1 + 2, r2) != r2 - r1 - 1]


_MASTER = re.compile(r'<(?:\w+:)?f t="shared" ref="(?P<ref>[A-Z]+\d+:[A-Z]+\d+)" si="(?P<si>\d+)">')
_FORMULA = re.compile(r"<(?:\w+:)?f\b(?P<attrs>[^>]*?)(?:/>|>(?P<text>.*?)</(?:\w+:)?f>)", re.DOTALL)
_SI = re.compile(r'\bsi="(\d+)"')


#: Cells of a table's formula columns not holding their formula written out that a sheet otherwise written out (as
#: LibreOffice and openpyxl save one) may hold and still be compared by one pattern, each then looked at on its own:
#: a value typed over a formula of a long table (review 93: the whole table was read cell by cell, 13 s for 100,000
#: rows).  More than these are read cell by cell.
OTHERS = 1_000


def _all_written_out(sx, table: Table, cols: Sequence[int], r1: int, r2: int, strings=None, blanks: bool = False
                     ) -> list[tuple[str, object]] | None:
    """When every formula cell of rows r1..r2 holds its formula written out (as LibreOffice and openpyxl save one),
    but for up to :data:`OTHERS` cells (a value typed over one) and no shared formula, the overrides among them, read
    by one pattern and compared column by column as lists (each other cell on its own, *strings* as
    :func:`package_overrides` takes them); else None."""
    from .xml_text import unescape

    p = re.escape(sx.p)
    letters = {get_column_letter(c): c for c in cols}
    written = re.compile(rf'<{p}c r="({"|".join(letters)})(\d+)"[^>]*?><{p}f(?: aca="(?:false|true)")?>([^<]*)</{p}f>')
    a, b = sx.span(r1, r2)
    found = written.findall(sx.text, a, b)
    short = (r2 - r1 + 1) * len(cols) - len(found)
    if short and (strings is None or not 0 < short <= OTHERS or sx.text.find('t="shared"', a, b) >= 0):
        return None
    texts = unescape("\x00".join(t for _, _, t in found)).split("\x00")
    at: dict[str, list[int]] = {letter: [] for letter in letters}
    for i, (letter, _, _) in enumerate(found):
        at[letter].append(i)
    out = []
    for letter, where in at.items():
        got, rows = [texts[i] for i in where], [int(found[i][1]) for i in where]
        expected = column_formulas(table, letters[letter], rows)
        if got != expected:
            out += [(int(found[i][1]), letter, OwnFormula("=" + g)) for i, g, e in zip(where, got, expected)
                    if g != e and not same_formula("=" + g, "=" + e)]
        if len(rows) != r2 - r1 + 1:  # (the cells of the column not holding their formula written out)
            out += _others(sx, table, letters[letter], sorted(set(range(r1, r2 + 1)).difference(rows)), (a, b),
                           strings, blanks)
    return [(f"{letter}{row}", v) for row, letter, v in sorted(out, key=lambda x: (x[0], letters[x[1]]))]


def _others(sx, table: Table, col: int, rows: list[int], span: tuple[int, int], strings, blanks: bool = False
            ) -> list[tuple]:
    """The overrides among the cells of column *col* in *rows* (ascending) within the text positions *span*, each
    found by its reference (one pass in C over the column's rows) and read on its own: ``(row, letter, value)``
    (with *blanks*, a blank cell's value None)."""
    letter, out = get_column_letter(col), []
    at, end = span
    for row in rows:
        pos = sx.text.find(f'<{sx.p}c r="{letter}{row}"', at, end)
        if pos < 0:
            out += [(row, letter, None)] if blanks else []
            continue  # (no cell: blank)
        close = sx.text.find(f"</{sx.p}row>", pos, end)
        out += [(row, letter, v) for _, v in _each_cell(sx, table, [col], row, row, strings,
                                                       (pos, close if close >= 0 else end), blanks)]
        at = pos
    return out


def column_formulas(table: Table, col: int, rows: Sequence[int]) -> list[str]:
    """The table's formula of column *col* in each of *rows*, without its "=": :meth:`Table.row_formula`'s text,
    made by one string format a row (a long column)."""
    fmt, own = _row_format(table, col)
    first = table.first_row
    out = list(map(fmt.format, rows, [r - 1 for r in rows], [r + 1 for r in rows], [r - first + 1 for r in rows]))
    if own is not None:
        out = [own if r == first else f for r, f in zip(rows, out)]
    return out


def _row_format(table: Table, col: int) -> tuple[str, str | None]:
    """(the string format of column *col*'s formula without its "=", given a row, the rows above and below it and
    its place in the table; the table's first row's own formula where the column has one, else None)."""
    column = table.columns[col - table.first_col]
    slots = {"": 0, "prev:": 1, "next:": 2}
    marked = re.sub(r"\{(prev:|next:)?([a-z_]+)\}",
                    lambda m: f"{table.letter(m.group(2))}\x01{slots[m.group(1) or '']}\x02",
                    column.formula.replace("{index}", "\x013\x02"))
    fmt = marked.replace("{", "{{").replace("}", "}}").replace("\x01", "{").replace("\x02", "}")[1:]
    own = column.first and column.first != column.formula
    return fmt, table.row_formula(column, table.first_row)[1:] if own else None


def _each_cell(sx, table: Table, cols: Sequence[int], r1: int, r2: int, strings, span: tuple[int, int] | None = None,
               blanks: bool = False) -> list[tuple[str, object]]:
    """Rows *r1*..*r2* of *table* cell by cell (at the text positions *span* when given): the overrides in its
    formula columns *cols* (with *blanks*, each blank cell as None).  A cell of a shared formula has the text of its
    first cell, moved down (ECMA-376 18.3.1.40)."""
    from .formula_text import shifted
    from .xml_text import unescape

    letters = {get_column_letter(c): c for c in cols}
    cell = re.compile(rf'<{re.escape(sx.p)}c r="({"|".join(letters)})(\d+)"[^>]*?(?:/>|>(.*?)</{re.escape(sx.p)}c>)',
                      re.DOTALL)
    a, b = span or sx.span(r1, r2)

    formats: dict[int, tuple[str, str | None]] = {}  # (each column's format made once: review 93)

    def want(col: int, row: int) -> str:
        fmt, own = formats[col] if col in formats else formats.setdefault(col, _row_format(table, col))
        first = table.first_row
        return "=" + (own if own is not None and row == first else fmt.format(row, row - 1, row + 1, row - first + 1))

    masters, children, out, seen = {}, [], [], set()
    for m in cell.finditer(sx.text, a, b):
        letter, row, inner = m.group(1), int(m.group(2)), m.group(3) or ""
        if blanks:
            seen.add((row, letter))
        f = _FORMULA.search(inner)
        if f is None:
            v = sx.typed_value(m.group(), strings) if inner else None
            if (v is not None and v != "") or blanks:
                out.append((row, letter, None if v == "" else v))
            continue
        si = _SI.search(f.group("attrs"))
        if f.group("text") is None and si is not None:  # a shared cell: its first cell's formula, moved down
            children.append((row, letter, si.group(1)))
            continue
        if f.group("text") is None and 't="dataTable"' in f.group("attrs"):
            continue  # (a data table's formula: no text; not_formulas passes it by too)
        text = "=" + unescape(f.group("text") or "")  # (an empty <f/>: "=", as openpyxl reads it)
        expected = want(letters[letter], row)
        own = text != expected and not same_formula(text, expected)
        if own:
            out.append((row, letter, OwnFormula(text)))
        if si is not None:  # the table's formula moves down as the table's (but a first row's own may not)
            column = table.columns[letters[letter] - table.first_col]
            general = not own and not (row == table.first_row and column.first and column.first != column.formula)
            masters[si.group(1)] = (f"{letter}{row}", text, general)
    for row, letter, si in children:
        origin, text, general = masters.get(si, (None, None, True))
        if origin is None or general:
            continue  # the table's formula moved down; or its first cell outside these rows, looked at with them
        moved = shifted(text, origin, f"{letter}{row}")
        expected = want(letters[letter], row)
        if moved != expected and not same_formula(moved, expected):
            out.append((row, letter, OwnFormula(moved)))
    if blanks:  # (the cells not written at all: blank)
        out += [(row, letter, None) for row in range(r1, r2 + 1) for letter in letters if (row, letter) not in seen]
    return [(f"{letter}{row}", v) for row, letter, v in sorted(out, key=lambda x: (x[0], letters[x[1]]))]
