"""Saved values: the figures a workbook file holds beside its formulas.

An ``.xlsx``/``.xlsm`` keeps, for each formula cell, the value the
application last calculated (the cell's ``<v>``, ECMA-376 Part 1, 18.3.1.4).
A file preview, pandas, or ``openpyxl.load_workbook(..., data_only=True)``
show those values and never calculate.  So:

* the builder and the refresh write the engine's value as the saved value of
  every formula cell whose value the engine knows (:func:`engine_cells`:
  ``Results``, ``Check``'s native column, ``Tenders``, ``Release``,
  ``Sensitivity``), and drop the saved value of the other formula cells of
  those sheets (what only the spreadsheet application can know: our worksheet
  functions, the tie-out flags), which the file's ``fullCalcOnLoad`` has the
  application calculate when the file is opened;
* the validator (:func:`compare`) reads the saved values and compares them
  with the engine run on the workbook's own inputs.  In a file last saved by
  Excel they are Excel's own results: this is the check that tests Excel's
  arithmetic on the workbook.

:func:`fill` edits a worksheet part as text: only the ``<v>`` (and the
``t`` attribute) of the formula cells it is given change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from xml.sax.saxutils import escape

__all__ = ["SAVED_SHEETS", "engine_cells", "fill", "fill_package", "compare", "SavedMismatch"]

#: Sheets whose formula cells the engine can give a value (Check: only its native column).
SAVED_SHEETS = ("Results", "Check", "Tenders", "Release", "Sensitivity")

_TYPE = re.compile(r'\st="[^"]*"')
_VALUE = re.compile(r"<(\w+:)?v\s*/>|<(\w+:)?v\b[^>]*>.*?</(\w+:)?v>", re.DOTALL)


def engine_cells(expected: dict) -> dict[tuple[str, str], object]:
    """(sheet, cell) -> value, of the figures :func:`xlpy.validate.expected_cells` gives whose value the engine knows.

    ``Check`` keeps only its native column: the function column and the flags
    need our worksheet functions, which only the spreadsheet application runs.
    """
    out = {}
    for (sheet, ref), e in expected.items():
        if sheet not in SAVED_SHEETS:
            continue
        if sheet == "Check" and not e.label.endswith(" (native)"):
            continue
        out[(sheet, ref)] = e.value
    return out


def _value_text(value, date1904: bool) -> tuple[str, str]:
    """(t attribute or '', <v> text) of a saved value."""
    from .package import number_text, serial

    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, str):
        return ' t="str"', escape(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return "", serial(value, date1904)
    if isinstance(value, Decimal):
        digits = len(value.normalize().as_tuple().digits)
        # A double holds 15-17 significant digits; more would only be cut by the application.
        return "", number_text(value) if digits <= 15 else repr(float(value))
    return "", number_text(value)


def _drop_values(body: bytes) -> bytes:
    """*body* without the saved value of any formula cell: each ``<v>`` right after ``</f>`` or ``<f .../>``.

    Found with ``bytes.find`` (a regular expression would try every ``<`` of a
    long table); only the ``<v>`` elements themselves are looked at.
    """
    m = re.search(rb"<(\w+:)?(?:row|c)\b", body)
    p = (m.group(1) or b"") if m else b""
    f_close, v_open, v_close = b"</" + p + b"f>", b"<" + p + b"v", b"</" + p + b"v>"
    f_open = re.compile(rb"<" + re.escape(p) + rb"f\b")
    pieces, last, at = [], 0, body.find(v_open)
    while at >= 0:
        after = body[at + len(v_open):at + len(v_open) + 1]
        if after not in (b">", b" ", b"/"):
            at = body.find(v_open, at + 1)
            continue
        formula = body[max(0, at - len(f_close)):at] == f_close
        if not formula and body[at - 2:at] == b"/>":
            formula = f_open.match(body, body.rfind(b"<", 0, at - 2)) is not None
        tag_end = body.index(b">", at)
        end = tag_end + 1 if body[tag_end - 1:tag_end] == b"/" else body.index(v_close, tag_end) + len(v_close)
        if formula:
            pieces.append(body[last:at])
            last = end
        at = body.find(v_open, end)
    if not pieces:
        return body
    pieces.append(body[last:])
    return b"".join(pieces)


def fill(part: bytes, values: dict[str, object], date1904: bool = False, drop_others: bool = True) -> bytes:
    """A worksheet part with the saved value of each formula cell of *values* (cell -> value) set.

    With *drop_others*, the other formula cells lose their saved value (the
    application calculates them on open).  Cells without a formula are left
    alone; so is everything else in the part.  The part is edited as bytes,
    only the cells named are looked up, and values are dropped in one pass of
    ``bytes.find``, so a sheet with a 100,000-line table stays quick.
    """
    start = part.find(b"sheetData")
    if start < 0:
        return part
    body = _drop_values(part) if drop_others else part
    edits = []
    for ref, value in values.items():
        if value is None:
            continue
        key = f' r="{ref}"'.encode()
        at = body.find(key, start)
        m = None
        while at >= 0:
            open_at = body.rfind(b"<", 0, at)
            m = re.match(rb"<(\w+:)?c\b", body[open_at:open_at + 16])
            if m:
                break
            at = body.find(key, at + 1)
        if at < 0 or m is None:
            continue
        p = m.group(1) or b""
        tag_end = body.index(b">", at)
        if body[tag_end - 1:tag_end] == b"/":
            continue  # an empty cell: no formula
        close_tag = b"</" + p + b"c>"
        close = body.index(close_tag, tag_end)
        inner = body[tag_end + 1:close].decode("utf-8")
        if not re.search(r"<(\w+:)?f\b", inner):
            continue
        attrs = _TYPE.sub("", body[open_at + len(p) + 2:tag_end].decode("utf-8"))
        inner = _VALUE.sub("", inner)
        t, v = _value_text(value, date1904)
        q = p.decode()
        cell = f"<{q}c{attrs}{t}>{inner}<{q}v>{v}</{q}v></{q}c>"
        edits.append((open_at, close + len(close_tag), cell.encode("utf-8")))
    if not edits:
        return body
    pieces, last = [], 0
    for a, b, new in sorted(edits):
        pieces += [body[last:a], new]
        last = b
    pieces.append(body[last:])
    return b"".join(pieces)


def fill_parts(pkg, parts: dict[str, str], values: dict[tuple[str, str], object], date1904: bool) -> None:
    """:func:`fill` each sheet of :data:`SAVED_SHEETS` of a :class:`xlpy.package.Package` (sheet -> part in *parts*)."""
    for sheet in SAVED_SHEETS:
        if sheet not in parts:
            continue
        cells = {ref: v for (s, ref), v in values.items() if s == sheet}
        old = pkg.read(parts[sheet])
        new = fill(old, cells, date1904)
        if new != old:
            pkg.write(parts[sheet], new)


def fill_package(data: bytes, values: dict[tuple[str, str], object]) -> bytes:
    """Package bytes with :func:`fill` applied to each sheet of :data:`SAVED_SHEETS` (a build's last step)."""
    from .package import Package

    pkg = Package("workbook", data)
    wb_text = pkg.read(pkg.workbook_part()).decode("utf-8")
    fill_parts(pkg, pkg.sheet_parts(), values, bool(re.search(r'date1904="(1|true)"', wb_text)))
    # Entries keep the time the builder gave them (the same bytes from the same build).
    return pkg.to_bytes(dt.datetime(*pkg._zip.infolist()[0].date_time))


def refreshed_values(book, offer, results) -> dict[tuple[str, str], object]:
    """The engine's values for a book just refreshed (its layout and sensitivity step as written)."""
    from . import bookdata
    from .layout import LAYOUT_NAME, Shape, layout
    from .validate import expected_cells

    lay = layout(Shape.decode(book.name(LAYOUT_NAME)))
    reader = bookdata.CellReader(book.get, lay)
    step = reader.number("SensitivityStep")
    return engine_cells(expected_cells(lay, offer, results, bookdata.SENSITIVITY_STEP if step is None else step))


# --- reading them back ---------------------------------------------------------------------------


class SavedMismatch:
    """A saved value that is not the engine's.

    Attributes:
        where: ``sheet!cell``.
        label: the figure's name.
        saved: the value in the file (None: none saved).
        engine: the engine's value.
    """

    __slots__ = ("where", "label", "saved", "engine")

    def __init__(self, where: str, label: str, saved, engine):
        self.where, self.label, self.saved, self.engine = where, label, saved, engine


#: A file whose saved values differ in at least this share of the figures looks saved before recalculation.
STALE_SHARE = 0.25


def compare(path, formula_wb, expected: dict, same: Callable[[object, object], bool],
            saved_values: dict | None = None) -> tuple[list[SavedMismatch], int, int, str]:
    """The saved values of *path* against the engine.

    *formula_wb* is the workbook loaded with formulas (to know which cells
    hold one); *expected* is :func:`xlpy.validate.expected_cells`; *same*
    compares one expectation with a found value.  Returns the mismatches, how
    many figures were compared, how many formula cells hold no saved value,
    and the verdict on the mismatches: ``stale`` (the file looks saved before
    it was recalculated: many figures differ, or it asks to be recalculated on
    open) or ``doctored`` (a few saved figures differ from what the file's
    own formulas give).  *saved_values*, ``(sheet, cell) -> value``, saves
    loading the file a second time when the caller has read them already.
    """
    if saved_values is None:
        from openpyxl import load_workbook

        book = load_workbook(path, data_only=True)
        saved_values = {(sheet, ref): book[sheet][ref].value for sheet, ref in expected if sheet in book.sheetnames}
    full_calc = bool(getattr(formula_wb.calculation, "fullCalcOnLoad", False))
    mismatches: list[SavedMismatch] = []
    compared = blank = 0
    wanted = engine_cells(expected)
    for (sheet, ref), e in expected.items():
        if (sheet, ref) not in wanted or sheet not in formula_wb.sheetnames:
            continue
        cell = formula_wb[sheet][ref]
        if cell.data_type != "f":
            continue
        saved = saved_values.get((sheet, ref))
        if saved is None:
            blank += 1
            continue
        compared += 1
        if not same(e, saved):
            mismatches.append(SavedMismatch(f"{sheet}!{ref}", e.label, saved, e.value))
    stale = bool(mismatches) and (len(mismatches) >= STALE_SHARE * compared or (blank and full_calc))
    return mismatches, compared, blank, "stale" if stale else "doctored"
