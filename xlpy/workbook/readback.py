"""Values read back from a workbook: what a recalculation left in its cells.

The validator's two legs both end here.  :func:`formulas_table_values`
recalculates with the ``formulas`` library, each table column's row template
compiled once and evaluated over all its rows (:mod:`xlpy.workbook.recalc`),
the rest cell by cell; :func:`formulas_values` is the library's whole-workbook
model (the reference the fast path is tested against); :func:`xlsx_values`
reads the values a file holds straight from its sheet XML (a LibreOffice
recalculation, or the saved values of any file) without loading the book.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from ..files.serial_dates import serial_day
from .findings import CellError
from .formulas_access import plain_value, register_functions
from .layout import Layout
from .openpyxl_access import cell_map
from .xml_text import boolean

__all__ = ["copy_label", "formulas_table_values", "formulas_values", "serial_dates", "table_columns", "upper_keys",
           "xlsx_values"]


def formulas_values(path: Path) -> dict[tuple[str, str], object]:
    import formulas

    register_functions()
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    values: dict[tuple[str, str], object] = {}
    for key, value in solution.items():
        m = re.match(r"^'?\[[^\]]+\](.+?)'?!([A-Z]+\d+)$", key)
        if not m:
            continue
        v = plain_value(value)
        values[(m.group(1).upper(), m.group(2))] = v
    return values


def table_columns(lay: Layout, wb=None):
    """The formula columns of the layout's tables, as :mod:`xlpy.workbook.recalc` evaluates them.

    With *wb*, each row that does not hold the layout's formula is a row of its own, with what
    the workbook holds there (its formula, or None for a value).
    """
    from .recalc import TableColumn

    if wb is not None:
        return [_as_found(spec, wb) for spec in table_columns(lay)]

    out = []
    for s in lay.sheets:
        for t in s.tables:
            for i, c in enumerate(t.columns):
                if c.formula is None:
                    continue
                if "{index}" in c.formula:
                    def template(row):
                        return row
                elif c.first:
                    def template(row, first=t.first_row):
                        return "first" if row == first else "rest"
                else:
                    def template(row):
                        return "rest"
                out.append(TableColumn(s.title, t.first_col + i, t.first_row, t.last_row, _row_formula(t, c),
                                       template))
    return out


def _as_found(spec, wb):
    from .recalc import TableColumn

    cells = cell_map(wb[spec.sheet]) if spec.sheet in wb.sheetnames else {}
    own: dict[int, str | None] = {}
    for row in range(spec.first_row, spec.last_row + 1):
        cell = cells.get((row, spec.col))
        if cell is None or cell.data_type != "f" or cell.value != spec.formula(row):
            own[row] = cell.value if cell is not None and cell.data_type == "f" else None
    if not own:
        return spec
    return TableColumn(spec.sheet, spec.col, spec.first_row, spec.last_row,
                       lambda row: own[row] if row in own else spec.formula(row),
                       lambda row: ("own", row) if row in own else spec.template(row))


def _row_formula(t, c):
    """``formula(row)``: the layout's formula for a row of table *t*'s column *c* (fast: a holder table is long)."""
    try:
        rest = t.row_template(c)
        rest.format(r=1, p=0, n=2, i=1)
    except (ValueError, KeyError, IndexError):  # braces of its own: the slow way
        return lambda row: t.row_formula(c, row)
    first, first_row = t.row_formula(c, t.first_row), t.first_row

    def formula(row: int) -> str:
        if row == first_row:
            return first
        return rest.format(r=row, p=row - 1, n=row + 1, i=row - first_row + 1)

    return formula


def formulas_table_values(wb, lay: Layout, cells, progress=None, as_found: bool = False
                           ) -> dict[tuple[str, str], object]:
    """The formulas leg at scale: each table column's row template compiled once (:mod:`xlpy.workbook.recalc`).

    *as_found*: rows that differ from the layout are evaluated as cells of their own.
    """
    from .recalc import recalculate

    values = recalculate(wb, table_columns(lay, wb if as_found else None), cells, progress,
                         sheets=[s.title for s in lay.sheets])  # a person's own sheets are not the layout's
    return {k: plain_value(v) for k, v in values.items()}


def upper_keys(exp: dict) -> dict:
    return {(s.upper(), r): e for (s, r), e in exp.items()}


def serial_dates(exp: dict, values: dict) -> dict:
    """formulas gives dates as serial numbers; turn those expected to be dates into dates."""
    out = dict(values)
    for key, e in exp.items():
        v = values.get(key)
        if isinstance(e.value, dt.date) and isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = serial_day(v)
    return out


def application_version(path: Path) -> str | None:
    """The version of the application that saved a workbook, from its ``docProps/app.xml`` (LibreOffice writes
    ``LibreOffice/7.4.7.2$Linux_X86_64 ...``: ``7.4.7.2``), or None when the part or the version is not there."""
    import re

    try:
        with zipfile.ZipFile(path) as z:
            app = z.read("docProps/app.xml")[:4096].decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    found = re.search(r"<Application>[^<]*?/([0-9][0-9.]*)", app)
    return found.group(1) if found else None


def copy_label(book: str) -> str:
    """How a refusal names LibreOffice's recalculated copy of the workbook *book*: the copy, then its workbook."""
    return f"LibreOffice's recalculated copy of {book}"


def _copy_values(path: Path, cells, copy_of: str) -> dict[tuple[str, str], object]:
    """:func:`xlsx_values` of LibreOffice's recalculated copy of the workbook *copy_of*: held to
    :func:`~xlpy.files.safety.converted_limits` (its sizes and parts, not the ratio of a file from outside), and
    refused as one :class:`~xlpy.engine.errors.InputError` naming the copy once, then what is wrong (over a limit,
    not a package, a damaged part, a part that is not XML to be read)."""
    from ..engine.errors import InputError
    from ..files.safety import DAMAGE, XML_ERRORS, bad_part, converted_limits, damage_of, part_fault
    from .package import Package, PackageError

    label = copy_label(copy_of)
    try:
        return _values(Package(path, label=label, lim=converted_limits()), cells)
    except PackageError as exc:  # (its where is the label, or a part of it: named once, not after the workbook)
        where = exc.where if exc.where.startswith(label) else f"{label}: {exc.where}"
        raise InputError(where, None, exc.reason, show_value=False) from None
    except (*DAMAGE, *XML_ERRORS) as exc:  # the copy's part that is damaged, or not XML to be read
        if (crc := damage_of(path, label)) is not None:
            raise InputError(label, None, f"is damaged ({crc})", show_value=False) from None
        if (fault := part_fault(path, label)) is not None:
            raise bad_part(label, *fault) from None
        raise InputError(label, None, f"cannot be read ({type(exc).__name__}: {exc})", show_value=False) from None


def xlsx_values(path: Path, cells, copy_of: str | None = None) -> dict[tuple[str, str], object]:
    """The cached values of the given ``(sheet, cell)`` of a workbook, read straight from its XML (with *copy_of*,
    of LibreOffice's recalculated copy of that workbook: :func:`_copy_values`).

    Each worksheet is read as a stream, up to the last row asked for, so a long
    holder table below the figures is never held in memory.  Numbers stay
    numbers (dates too: :func:`serial_dates` turns those expected to be dates
    into dates); only the shared strings the cells use are looked up.
    """
    if copy_of is not None:
        return _copy_values(path, cells, copy_of)
    from .package import Package

    return _values(Package(path), cells)


def _values(pkg, cells) -> dict[tuple[str, str], object]:
    """:func:`xlsx_values` of the package *pkg*."""
    import io

    from lxml import etree

    from .data import excel_text

    parts = pkg.sheet_parts()
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    wanted: dict[str, set[str]] = {}
    for sheet, ref in cells:
        wanted.setdefault(sheet, set()).add(ref)
    raw: dict[tuple[str, str], tuple[str, str | None]] = {}
    for sheet, refs in wanted.items():
        if sheet not in parts:
            continue
        last = max(int(re.sub(r"^[A-Z]+", "", r)) for r in refs)
        for _, c in etree.iterparse(io.BytesIO(pkg.read(parts[sheet])), tag=f"{main}c", resolve_entities=False,
                                    huge_tree=True):
            ref = c.get("r", "")
            m = re.match(r"[A-Z]+(\d+)$", ref)
            if m and int(m.group(1)) > last:
                break
            if ref in refs:
                t = c.get("t", "n")
                if t == "inlineStr":
                    node = c.find(f"{main}is")
                    raw[(sheet, ref)] = ("str", "".join(node.itertext()) if node is not None else "")
                else:
                    v = c.find(f"{main}v")
                    if v is not None:
                        raw[(sheet, ref)] = (t, v.text)
            c.clear()
            parent = c.getparent()
            while parent is not None and c.getprevious() is not None:
                del parent[0]
    need = {int(text) for t, text in raw.values() if t == "s" and text is not None}
    strings: dict[int, str] = {}
    if need:
        sst_part = next((target for _, kind, target in pkg.relationships(pkg.workbook_part())
                         if kind.endswith("/sharedStrings")), None)
        if sst_part is not None:
            for i, (_, si) in enumerate(etree.iterparse(io.BytesIO(pkg.read(sst_part)), tag=f"{main}si",
                                                        resolve_entities=False, huge_tree=True)):
                if i in need:
                    strings[i] = "".join(t.text or "" for t in si.iter(f"{main}t")
                                         if t.getparent().tag != f"{main}rPh").replace("x005F_", "")
                si.clear()
                if i >= max(need):
                    break
    out: dict[tuple[str, str], object] = {}
    for key, (t, text) in raw.items():
        if t == "s":
            value: object = strings.get(int(text)) if text is not None else None
        elif t in ("str", "inlineStr"):
            value = excel_text(text)  # Excel's escape of a literal _x0041_ (_x005F_x0041_), as a shared string's
        elif t == "e":
            value = CellError(text) if text is not None else None
        elif t == "b":
            value = boolean(text)
        elif text is None:
            value = None
        else:
            value = float(text)
            if value.is_integer() and "." not in text and "E" not in text.upper():
                value = int(text)
        out[key] = value
    return out
