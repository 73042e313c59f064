"""Open a standard workbook with openpyxl, its holder table read straight from the sheet's XML.

openpyxl builds each cell through a Python XML parser: about 35 microseconds
a cell, seconds for a holder table of 20,000 lines.  :func:`load` hands
openpyxl the package without the holder table's rows, then reads those rows
with lxml and puts the same cells (value, type, style) into the worksheet.

Only what it is sure to read as openpyxl would is read this way: plain
numbers, booleans, text (inline or shared) and formulas.  A row holding
anything else (a date-formatted number, an error, a shared or array formula)
sends the whole file to openpyxl's own reader, as does any workbook that is
not a standard one or whose table is short.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

__all__ = ["load", "MIN_ROWS"]

#: Holder tables shorter than this are left to openpyxl.
MIN_ROWS = 2_000
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class _Fallback(Exception):
    pass


def load(path: str | os.PathLike):
    """The workbook at *path*, as ``openpyxl.load_workbook(path)`` gives it (formulas, not values)."""
    from openpyxl import load_workbook

    try:
        return _load(Path(path))
    except Exception:  # anything unexpected: openpyxl's reader decides (and reports) what the file is
        return load_workbook(path)


def _table(pkg):
    from .layout import LAYOUT_NAME, Shape, layout
    from .package import defined_names

    names = defined_names(pkg.read(pkg.workbook_part()))
    text = names.get(LAYOUT_NAME)
    if text is None:
        raise _Fallback("not a standard workbook")
    lay = layout(Shape.decode(text.strip().strip('"')))
    for s in lay.sheets:
        for t in s.tables:
            if t.name == "tblTenders":
                return s.title, t
    raise _Fallback("no holder table")


def _load(path: Path):
    from lxml import etree
    from openpyxl import load_workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    from .package import Package, SheetXml

    pkg = Package(path)
    title, table = _table(pkg)
    if table.rows < MIN_ROWS:
        raise _Fallback("short table")
    part = pkg.sheet_parts()[title]
    sheet = SheetXml(pkg.read(part), part)
    a, b = sheet._span(table.first_row, table.last_row)
    rows_doc = (sheet.text[:sheet.data_start] + sheet.text[a:b] + sheet.text[sheet.data_end:]).encode("utf-8")
    pkg.write(part, (sheet.text[:a] + sheet.text[b:]).encode("utf-8"))
    del sheet
    wb = load_workbook(io.BytesIO(pkg.to_bytes(level=1)))
    ws = wb[title]
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True)
    root = etree.fromstring(rows_doc, parser)
    del rows_doc
    strings = None
    dates = getattr(wb, "_date_formats", set())
    styles = wb._cell_styles
    cells = ws._cells
    f_tag, v_tag, is_tag = f"{_MAIN}f", f"{_MAIN}v", f"{_MAIN}is"
    for row in root.iter(f"{_MAIN}row"):
        r = int(row.get("r"))
        if not table.first_row <= r <= table.last_row:
            raise _Fallback("row outside the table")
        for c in row.iter(f"{_MAIN}c"):
            ref = c.get("r")
            if ref is None:
                raise _Fallback("cell without a reference")
            letters, rr = coordinate_from_string(ref)
            if rr != r:
                raise _Fallback("cell in another row")
            col = column_index_from_string(letters)
            t = c.get("t", "n")
            s = int(c.get("s", "0"))
            f = c.find(f_tag)
            if f is not None:
                if f.get("t") not in (None, "normal") or f.text is None:
                    raise _Fallback("shared or array formula")
                value, kind = "=" + f.text, "f"
            elif t == "inlineStr":
                node = c.find(is_tag)
                value, kind = ("".join(x.text or "" for x in node.iter(f"{_MAIN}t")) if node is not None else ""), "s"
            elif t == "s":
                if strings is None:
                    strings = _shared_strings(pkg, parser)
                v = c.find(v_tag)
                value, kind = strings[int(v.text)], "s"
            elif t == "b":
                v = c.find(v_tag)
                value, kind = (v.text.strip() in ("1", "true")) if v is not None and v.text else None, "b"
            elif t == "n":
                v = c.find(v_tag)
                if v is None or not v.text:
                    value, kind = None, "n"
                else:
                    if s in dates:
                        raise _Fallback("a date")
                    text = v.text.strip()
                    value = float(text) if any(ch in text for ch in ".eE") else int(text)
                    kind = "n"
            else:
                raise _Fallback(f"cell type {t}")
            if s >= len(styles):
                raise _Fallback("unknown style")
            cell = Cell(ws, row=r, column=col, style_array=styles[s])
            cell._value = value
            cell.data_type = kind
            cells[(r, col)] = cell
    return wb


def _shared_strings(pkg, parser) -> list[str]:
    from lxml import etree

    part = next((target for _, kind, target in pkg.relationships(pkg.workbook_part())
                 if kind.endswith("/sharedStrings")), None)
    if part is None:
        raise _Fallback("no shared strings")
    root = etree.fromstring(pkg.read(part), parser)
    out = []
    for si in root.iter(f"{_MAIN}si"):
        # the text runs, without phonetic guides (as openpyxl reads them)
        out.append("".join(t.text or "" for t in si.iter(f"{_MAIN}t") if t.getparent().tag != f"{_MAIN}rPh"))
    return out
