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

# One cell element: <c ...>...</c> or <c .../>, with any namespace prefix.
_CELL = re.compile(r"<(?P<p>\w+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?c>)", re.DOTALL)
_REF = re.compile(r'\sr="([A-Z]+\d+)"')
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


def fill(part: bytes, values: dict[str, object], date1904: bool = False, drop_others: bool = True) -> bytes:
    """A worksheet part with the saved value of each formula cell of *values* (cell -> value) set.

    With *drop_others*, the other formula cells lose their saved value (the
    application calculates them on open).  Cells without a formula are left
    alone; so is everything else in the part.
    """
    text = part.decode("utf-8")
    start = text.find("sheetData")
    if start < 0:
        return part

    def one(m: re.Match) -> str:
        body = m.group("body")
        if body is None or "<" not in body or not re.search(r"<(\w+:)?f\b", body):
            return m.group()
        r = _REF.search(m.group("attrs"))
        ref = r.group(1) if r else None
        p = m.group("p") or ""
        attrs = _TYPE.sub("", m.group("attrs"))
        body = _VALUE.sub("", body)
        if ref in values and values[ref] is not None:
            t, v = _value_text(values[ref], date1904)
            return f"<{p}c{attrs}{t}>{body}<{p}v>{v}</{p}v></{p}c>"
        if not drop_others:
            return m.group()
        return f"<{p}c{attrs}>{body}</{p}c>"

    return (text[:start] + _CELL.sub(one, text[start:])).encode("utf-8")


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


def compare(path, formula_wb, expected: dict, same: Callable[[object, object], bool]
            ) -> tuple[list[SavedMismatch], int, int, str]:
    """The saved values of *path* against the engine.

    *formula_wb* is the workbook loaded with formulas (to know which cells
    hold one); *expected* is :func:`xlpy.validate.expected_cells`; *same*
    compares one expectation with a found value.  Returns the mismatches, how
    many figures were compared, how many formula cells hold no saved value,
    and the verdict on the mismatches: ``stale`` (the file looks saved before
    it was recalculated: many figures differ, or it asks to be recalculated on
    open) or ``doctored`` (a few saved figures differ from what the file's
    own formulas give).
    """
    from openpyxl import load_workbook

    values = load_workbook(path, data_only=True)
    full_calc = bool(getattr(formula_wb.calculation, "fullCalcOnLoad", False))
    mismatches: list[SavedMismatch] = []
    compared = blank = 0
    wanted = engine_cells(expected)
    for (sheet, ref), e in expected.items():
        if (sheet, ref) not in wanted or sheet not in values.sheetnames:
            continue
        cell = formula_wb[sheet][ref]
        if cell.data_type != "f":
            continue
        saved = values[sheet][ref].value
        if saved is None:
            blank += 1
            continue
        compared += 1
        if not same(e, saved):
            mismatches.append(SavedMismatch(f"{sheet}!{ref}", e.label, saved, e.value))
    stale = bool(mismatches) and (len(mismatches) >= STALE_SHARE * compared or (blank and full_calc))
    return mismatches, compared, blank, "stale" if stale else "doctored"
