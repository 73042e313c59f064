"""Open a standard workbook with openpyxl, its holder table read straight from the sheet's XML.

openpyxl builds each cell through a Python XML parser: about 35 microseconds
a cell, seconds for a holder table of 20,000 lines.  :func:`load` hands
openpyxl the package without the holder table's rows, then reads those rows
with lxml and puts the same cells (value, type, style) into the worksheet.

The table's cells share their style records with the workbook's (the
validator reads them and never writes them).  Only what it is sure to read as
openpyxl would is read this way: plain
numbers, booleans, text (inline or shared) and formulas, shared formulas
included (the form a refresh writes, and Excel's for a filled-down column):
each member cell gets its master's text shifted to its row, as openpyxl's
reader shifts it (:func:`~xlpy.workbook.formula_text.row_shifter`).  A row
holding anything else (a date-formatted number, an error, an array formula, a
shared formula reaching outside the table or across columns) sends the whole
file to openpyxl's own reader, as does any workbook that is not a standard
one or whose table is short.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from .xml_text import boolean, plain_strings, unescape

__all__ = ["MIN_ROWS", "load"]

#: Holder tables shorter than this are left to openpyxl.
MIN_ROWS = 2_000
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class _Fallback(Exception):
    pass


def load(path: str | os.PathLike):
    """The workbook at *path*, as ``openpyxl.load_workbook(path)`` gives it (formulas, not values)."""
    from .openpyxl_access import load_workbook

    try:
        return _load(Path(path))
    except Exception:  # anything unexpected: openpyxl's reader decides (and reports) what the file is
        name = Path(path).name
        if Path(path).suffix.lower() not in _OPENPYXL_SUFFIXES:  # (it refuses the name, not the content: a
            path = io.BytesIO(Path(path).read_bytes())          # workbook given as offer.toml is read)
        return load_workbook(path, label=name)


#: The names openpyxl's reader opens a path by (it refuses any other, whatever the file holds).
_OPENPYXL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def _table(pkg):
    from .layout import LAYOUT_NAME, Shape, layout
    from .workbook_xml import defined_names

    names = defined_names(pkg.read(pkg.workbook_part()))
    text = names.get(LAYOUT_NAME)
    if text is None:
        raise _Fallback("not a standard workbook")
    try:
        lay = layout(Shape.decode(text.strip().strip('"')))
    except ValueError as exc:  # another layout: the validator says so, through openpyxl's reader
        raise _Fallback(str(exc)) from None
    for s in lay.sheets:
        for t in s.tables:
            if t.name == "tblTenders":
                return s.title, t
    raise _Fallback("no holder table")


_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?\s*(?:/>|>(?:'
    r'(?:<f(?: aca="(?:false|true)")?>([^<]*)</f>'
    r'|<f t="shared"(?: ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)")? si="(\d+)"(?:>([^<]*)</f>|/>))'
    r'(?:<v>[^<]*</v>|<v/>)?'
    r'|<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|<v/>)?</c>)')
_GAP = re.compile(r'(?:\s|<row\b[^<>]*?>|</row>)*')


def shared_strings(pkg) -> list[str]:
    """The workbook's shared strings (an empty list when it has none)."""
    try:
        return _shared_strings(pkg)
    except _Fallback:
        return []


def _load(path: Path):
    from openpyxl.utils.cell import column_index_from_string

    from .openpyxl_access import cell_map, cell_styles, date_format_ids, load_workbook, loaded_cell
    from .package import Package, SheetXml

    pkg = Package(path)
    title, table = _table(pkg)
    if table.rows < MIN_ROWS:
        raise _Fallback("short table")
    part = pkg.sheet_parts()[title]
    sheet = SheetXml(pkg.read(part), part)
    if sheet.p:
        raise _Fallback("prefixed elements")
    a, b = sheet._span(table.first_row, table.last_row)
    chunk = sheet.text[a:b]
    pkg.write(part, (sheet.text[:a] + sheet.text[b:]).encode("utf-8"))
    del sheet
    wb = load_workbook(io.BytesIO(pkg.to_bytes(level=1)), label=pkg.label)
    ws = wb[title]
    strings = None
    dates = date_format_ids(wb)
    styles = cell_styles(wb)
    cells = cell_map(ws)
    columns: dict[str, int] = {}
    first, last = table.first_row, table.last_row
    shared = _SharedFormulas(first, last)
    pos = 0
    gap = _GAP.fullmatch
    for c in _CELL.finditer(chunk):
        if c.start() != pos and not gap(chunk, pos, c.start()):
            raise _Fallback("a cell not read")
        pos = c.end()
        letters, r, s, t, f, ref, si, master, v, text = c.groups()
        r = int(r)
        if not first <= r <= last:
            raise _Fallback("row outside the table")
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = column_index_from_string(letters)
        s = int(s) if s else 0
        kind = "n"
        value: object = None
        if f is not None:
            value, kind = "=" + unescape(f), "f"
        elif si is not None:
            value, kind = shared(si, ref, master, letters, r), "f"
        elif text is not None:
            if t != "inlineStr":
                raise _Fallback("inline text in another type")
            value, kind = unescape(text), "s"
        elif v is not None:
            if t is None or t == "n":
                if s in dates:
                    raise _Fallback("a date")
                value = float(v) if ("." in v or "e" in v or "E" in v) else int(v)
            elif t == "s":
                if strings is None:
                    strings = _shared_strings(pkg)
                value, kind = strings[int(v)], "s"
            elif t == "b":
                value, kind = boolean(v), "b"
            else:
                raise _Fallback(f"cell type {t}")
        elif t not in (None, "n"):
            raise _Fallback(f"empty cell of type {t}")
        if s >= len(styles):
            raise _Fallback("unknown style")
        cells[(r, col)] = loaded_cell(ws, r, col, value, kind, styles[s])
    if pos != len(chunk) and not gap(chunk, pos):
        raise _Fallback("a cell not read")
    return wb


class _SharedFormulas:
    """The shared formulas of the holder table's rows, each member's text as openpyxl's reader gives it."""

    def __init__(self, first: int, last: int):
        self.first, self.last = first, last
        self.groups: dict[str, tuple[str, object]] = {}

    def __call__(self, si: str, ref: str | None, master: str | None, letters: str, row: int) -> str:
        known = self.groups.get(si)
        if known is not None:  # a member (openpyxl shifts the master even when a member repeats text)
            column, at = known
            if column != letters:
                raise _Fallback("a shared formula across columns")
            return at(row)
        if master is None or ref is None:
            raise _Fallback("a shared formula whose master is not in the table")
        from openpyxl.utils.cell import column_index_from_string, range_boundaries

        from .formula_text import row_shifter

        c1, r1, c2, r2 = range_boundaries(ref)
        if not c1 == c2 == column_index_from_string(letters) or r1 != row or not self.first <= r1 <= r2 <= self.last:
            raise _Fallback("a shared formula reaching outside the table's column")
        text = "=" + unescape(master)
        at = row_shifter(text, f"{letters}{row}", r2)
        if at is None:
            raise _Fallback("a shared formula not shifted by rows alone")
        self.groups[si] = (letters, at)
        return text


def _shared_strings(pkg):
    """The shared strings, exactly the strings openpyxl's own reader gives: read by it, or by :func:`plain_strings`
    when the part holds plain text alone."""
    from openpyxl.reader.strings import read_string_table

    from .openpyxl_access import SharedStrings

    part = next((target for _, kind, target in pkg.relationships(pkg.workbook_part())
                 if kind.endswith("/sharedStrings")), None)
    if part is None:
        raise _Fallback("no shared strings")
    data = pkg.read(part)
    plain = plain_strings(data)
    return SharedStrings(plain if plain is not None else read_string_table(io.BytesIO(data)), pkg.label, part)
