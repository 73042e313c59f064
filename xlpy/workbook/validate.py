"""Prove a standard workbook right without Excel.

:func:`validate` checks a workbook's *structure* (sheets, names, formulas as
the layout writes them, compared by meaning (:mod:`xlpy.workbook.formula_text`), no
literal numbers in ``Results``, no external links, inputs of the right type, a
VBA project holding the template's modules and their code), the values saved
in the file (:mod:`xlpy.workbook.saved_values`) and its *values*: it recalculates the workbook with two
independent engines and compares every figure of ``Results``, ``Check``,
``Sensitivity`` and ``Release`` with the Python engine run on the workbook's
own inputs.

* **formulas** (the PyPI library): our worksheet functions are registered from
  :mod:`xlpy.udfs`, and its ``ROUND`` is replaced by one that rounds the
  decimal a cell shows half away from zero, as Excel does (the library's own
  rounds the binary float: ``ROUND(1.005, 2)`` gives 1.0 there, 1.01 in Excel).
  Once the structure check has proven that every table row holds the layout's
  formula, each table column's row template is compiled once and evaluated
  over all its rows, the rest of the workbook cell by cell
  (:mod:`xlpy.workbook.recalc`); when a row differs, the library's whole-workbook model
  recalculates the file instead.
* **LibreOffice** headless: it does not know our functions, so a copy is
  recalculated in which each cell that calls one holds the engine's value
  instead (:mod:`xlpy.workbook.libreoffice_leg`).  It runs in its own process, beside the formulas leg.

What a reader sees is checked too (:mod:`xlpy.workbook.shown`): hidden and look-alike sheets, labels,
number formats that show another figure, shapes over figures.

Every finding names ``sheet!cell``, what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import replace
from decimal import Decimal
from functools import partial
from importlib.metadata import version as package_version
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string

from ..engine.compute import compute
from ..engine.errors import InputError, InputErrors
from ..engine.numbers import engine_context, to_decimal
from ..excel import vba
from ..files.steady import not_a_file, not_found
from . import data as bookdata, date_system, holders_apart, libreoffice_leg, recorded_sources, typed_ids
from . import button_links, history_trail, libreoffice, offer_drift, progress, rebuild, saved_values, shown
from . import holiday_cover, layout_names, precision, structure_edits
from .collector import collector_eased
from .expected import Expect, expected_cells, formula_cells, not_for_a_workbook
from .findings import Finding, Report, engine_figure, file_digest, input_finding
from .findings import show as _show
from .formula_text import STRING_LITERAL, same_formula
from .formula_text import shifted as shifted_formula
from .layout import (CONF_SHEET, LAYOUT_NAME, MONEY_FMTS, NOT_REFRESHED, REQUIRED_NAMES, SHEETS, Layout, Shape, layout,
                     renamed_hint)
from .openpyxl_access import WorkbookCells, cell_map
from .readback import (
    application_version,
    formulas_table_values,
    formulas_values,
    serial_dates,
    table_columns,
    upper_keys,
    xlsx_values,
)
from .workbook_xml import name_in
from .saved_values import SAVED_TABLE_SHOWN  # noqa: F401 (the tests' and callers' name for it)

__all__ = ["Finding", "Report", "expected_cells", "formula_cells", "same_figure", "validate"]

LEGS = ("formulas", "libreoffice")
#: A workbook without a VBA project: what happened, and what to do.
NO_VBA = ("is missing: the workbook was saved in a format without macros (Excel Workbook, .xlsx; LibreOffice's "
          "Excel 2007-365), so its refresh macros and buttons are gone; rebuild it (xlpy build) under another name "
          "and refresh it, carrying its History over with --history-from")
#: A workbook whose VBA project holds no module (an ``xl/vbaProject.bin`` part, empty): what happened, what to do.
EMPTY_VBA = ("holds no module: LibreOffice writes such an empty project when a workbook that went through its own "
             "format (OpenDocument, .ods) is saved back as .xlsm (it keeps the macros as LibreOffice Basic, which it "
             "does not write into an Excel file), so its refresh macros are gone and its buttons run nothing; rebuild "
             "it (xlpy build) under another name and refresh it, carrying its History over with --history-from")
#: Numbers a Results formula may hold: 0, 1, and the half cent the induced-conversion test allows a shortfall (a
#: rule of the accounting, not a setting: Inputs' tie-out Tolerance would move it).
ALLOWED_LITERALS = {"0", "1", "0.005"}
_NUMBER = re.compile(r"(?<![A-Za-z_$.\d])(\d+\.?\d*(?:[eE][+-]?\d+)?)(?![\w(])")
#: A reference to another workbook: ``[1]Sheet1!A1``, ``'[budget.xlsx]Sheet1'!A1`` (an index or a file name in
#: brackets, then a sheet and ``!``), not a structured reference to a table of this one (``tblTenders[Units]``).
_EXTERNAL = re.compile(r"\[(?:\d+|[^\[\]]*\.\w{2,5})\][^\[\]!()+\-*/,;=<>&^]*!")


# --- comparing ----------------------------------------------------------------------


def same_figure(expected: Expect, found) -> bool:
    """Whether *found*, a cell's value, is the engine's figure *expected*: money and counts within half a cent,
    other numbers within a billionth, each with the figure's noise; a text, a date or a flag as it is."""
    v = expected.value
    # (LibreOffice saves a flag given a number format as 1/0; a flag's cell reading a text, "needs input", is a text)
    if isinstance(v, bool) or expected.fmt == "bool" and not isinstance(v, str):
        return found in ((True, 1) if v else (False, 0)) + expected.also and not isinstance(found, (str, Decimal))
    if isinstance(v, dt.date):
        if isinstance(found, dt.datetime):
            found = found.date()
        return found == v
    if isinstance(v, str):
        return found == v or found in expected.also  # (the release's words from the other cent of a half cent)
    if isinstance(found, bool) or not isinstance(found, (int, float, Decimal)):
        return False
    if isinstance(found, float) and not math.isfinite(found):
        return False
    want = Decimal(v) if not isinstance(v, Decimal) else v
    got = to_decimal(found, "found")
    if expected.fmt in (*MONEY_FMTS, "count"):
        return abs(got - want) <= Decimal("0.005") + expected.noise
    return abs(got - want) <= max(Decimal("1e-9") * max(Decimal(1), abs(want)), expected.noise)


def _compare(book: str, exp: dict, values: dict[tuple[str, str], object], leg: str, findings: list[Finding],
             notes: list[str], typed=()) -> int:
    """Each figure of *exp* against *values*; *typed*: cells whose formulas hold a typed value (the differences say
    they follow from it, the first :data:`~xlpy.workbook.saved_values.TYPED_OVER_SHOWN` shown, a note the rest)."""
    n, cent_apart, differ = 0, [], 0
    why = f"; {saved_values.typed_over_why(typed)}" if typed else ""
    for (sheet, ref), e in exp.items():
        found = values.get((sheet, ref))
        n += 1
        if not same_figure(e, found):
            if e.cent and _a_cent_apart(e.value, found):
                cent_apart.append(f"{sheet}!{ref}")
                continue
            differ += 1
            if not typed or differ <= saved_values.TYPED_OVER_SHOWN:
                findings.append(Finding(book, f"{sheet}!{ref}", f"{e.label} differs from the engine{why}",
                                        engine_figure(e.value), _show(found), leg))
    if cent_apart:
        notes.append(f"{leg} leg: {', '.join(cent_apart)} {CENT_APART}")
    if typed and (rest := saved_values.typed_over_rest(differ, "figure(s)", typed)):
        notes.append(f"{leg} leg: {rest}")
    return n


#: A note's words for journal-entry figures a cent from the engine's where an amount sits at a half cent.
CENT_APART = ("are a cent from the engine's figures: an amount of the journal entry (the charge, the cash paid, the "
              "carrying amount...) is a half cent, which binary arithmetic (Excel's too) may round to either cent; "
              "the engine rounds the exact figure half away from zero (xlpy entries)")


def _a_cent_apart(want, found) -> bool:
    """Whether *found* is one cent from the engine's *want*, to binary noise."""
    if isinstance(found, bool) or not isinstance(found, (int, float, Decimal)):
        return False
    return abs(abs(to_decimal(found, "found") - Decimal(want)) - Decimal("0.01")) <= Decimal("1e-6")


# --- structure ------------------------------------------------------------------------


def _literals(formula: str) -> list[str]:
    body = STRING_LITERAL.sub('""', formula)
    body = re.sub(r"\$?[A-Z]{1,3}\$?\d+", "", body)  # cell references
    return [m for m in _NUMBER.findall(body) if m not in ALLOWED_LITERALS]


def _differs(book: str, findings: list[Finding], sheet: str, ref: str, want: str, cell) -> None:
    """The finding of layout formula cell *cell* (None: not there) that does not hold *want*: a value typed over it
    (text ``=foo`` among them, typed after an apostrophe, which the refresh names so too), or another formula."""
    got = None if cell is None else cell.value
    if getattr(got, "t", None) in ("array", "dataTable"):  # (openpyxl's ArrayFormula, DataTableFormula: a formula)
        what = saved_values.CHANGED
        text = getattr(got, "text", None)
        found = (f"{{{text}}} (an array formula)" if isinstance(text, str) else  # (as Excel shows one: {=A1*3})
                 "a data table's formula (What-If Analysis)")
    elif type(cell).__name__ == "MergedCell":  # (openpyxl's cell under a merge: the application shows none of it)
        block = next((str(r) for r in cell.parent.merged_cells.ranges if cell.coordinate in r), "")
        what = (f"{saved_values.MERGED} ({block}), not their first cell: a reader sees no figure there, and an "
                "application keeps only the first cell's; unmerge them (Home > Merge & Center) and put the layout's "
                "formula back, or rebuild the workbook")
        found = f"a cell under the merged cells {block}"
    else:
        formula = _a_formula(cell)
        what = saved_values.CHANGED if formula else saved_values.TYPED_OVER
        found = f"{_show(got)} (text)" if not formula and isinstance(got, str) and got[:1] == "=" else _show(got)
    findings.append(Finding(book, f"{sheet}!{ref}", what, want, found, kind=saved_values.TYPED_OVER
                            if what not in (saved_values.CHANGED, saved_values.TYPED_OVER) else what))


def _a_formula(cell) -> bool:
    """Whether *cell* (None: not there) holds a formula (``=...``), not a value (text that begins with ``=`` too)."""
    return cell is not None and cell.data_type == "f" and isinstance(cell.value, str)


#: Why a column's first-row formula sits on another row, or a later row's on the first (review 98).
SORTED = (": the table's first row has a formula of its own (a holder's running total starts there), which a sort "
          "moves with its line: sort the table by Holder (A to Z), as build and refresh write it, or refresh it from "
          "the tally")


def _sorted_why(spec, cells, named: list[Finding]) -> list[Finding]:
    """*named*, the findings of the table column *spec*'s rows (its sheet's *cells*: :func:`cell_map`), with
    :data:`SORTED` told of the two a sort made: the column's first-row formula moved to a later row, and a later
    row's to the first, both (one alone is an edit: sorting by Holder would not mend it)."""
    first = spec.first_row
    if len(named) < 2 or spec.last_row <= first or spec.template(first) == spec.template(first + 1):
        return named
    halves = {}
    for i, f in enumerate(named):
        if f.kind != saved_values.CHANGED:  # (a value typed, or the cell cleared: no sort moved a formula there)
            continue
        row = int(re.search(r"\d+$", f.where).group())
        if row == first:
            other = shifted_formula(spec.formula(first + 1), f"A{first + 1}", f"A{first}")
        else:
            other = shifted_formula(spec.formula(first), f"A{first}", f"A{row}")
        if same_formula(cells[row, spec.col].value, other):  # (a formula changed: its cell is there)
            halves.setdefault(row == first, i)
    if len(halves) < 2:
        return named
    return [replace(f, what=f.what + SORTED) if i in halves.values() else f for i, f in enumerate(named)]


def _shadowing_names(book: str, wb, lay: Layout, findings: list[Finding]) -> None:
    """A name of one sheet only (Excel's Name Manager, scope: that sheet) spelled as one of the layout's: on that
    sheet every formula using the name reads it instead of the workbook's, so its figures are other than the
    layout computes (names are compared without regard to case, as Excel compares them)."""
    ours = {n.upper(): n for n in (*lay.names, LAYOUT_NAME)}
    for ws in wb.worksheets:
        if ws.title not in SHEETS:
            continue  # a name of a person's own sheet speaks only to that sheet's formulas, none of the layout's
        for name, dn in getattr(ws, "defined_names", {}).items():
            if name.upper() in ours:
                findings.append(Finding(book, f"name {name} ({ws.title} only)", "a name of this sheet only hides the "
                                        f"workbook's name {ours[name.upper()]} in its formulas",
                                        "no such name: delete it in the Name Manager", dn.attr_text))


def _structure_first(book: str, wb, lay: Layout, findings: list[Finding], shifted=(), unnamed=None) -> bool:
    """Sheets, names, links and every formula; True when each table row holds the layout's.  *shifted*: the sheets
    whose named cells a row inserted or deleted moved (:func:`~xlpy.workbook.table_edits.rows_moved_on`), each told
    first, in one finding: its names and formulas one row off are not told again.  *unnamed*, ``[0, 0]``, counts
    the table cells differing past those named (and of them, those holding another formula)."""
    for title in SHEETS:
        if title not in wb.sheetnames:
            findings.append(Finding(book, title, "sheet is missing", title,
                                    "no such sheet" + renamed_hint(title, wb.sheetnames)))
    names = {n: wb.defined_names[n] for n in wb.defined_names}  # (held without regard to letter case, as Excel
    names.update({n: names[held] for n in lay.names if n not in names and (held := name_in(names, n))})  # does)
    for m in shifted:
        findings.append(Finding(book, f"{m.sheet}!{m.letter}{m.row}", f"{m.said()}: the sheet's names, labels and "
                                "formulas from there on sit in other cells than the layout's, so nothing else on it "
                                f"is told, nor the figures checked, until it is mended; {m.undo()}"))
    off = {m.sheet: (m.held - m.row, column_index_from_string(m.held_letter or m.letter) -
                     column_index_from_string(m.letter)) for m in shifted}
    for name in REQUIRED_NAMES:
        if name not in lay.names:
            findings.append(Finding(book, name, "required name missing from the layout"))
    gone: dict[str, list[str]] = {}  # a sheet missing: the names of its cells, which went with it, in one line
    for name, (sheet, ref) in sorted(lay.names.items()):
        want = f"'{sheet}'!{ref}"
        elsewhere = name in names and names[name].attr_text.replace("'", "") != want.replace("'", "")
        if sheet not in wb.sheetnames and (name not in names or elsewhere):
            gone.setdefault(sheet, []).append(name)
        elif name not in names:
            findings.append(Finding(book, f"name {name}", layout_names.MISSING, want, "no such name"))
        elif elsewhere and not (
                sheet in off and names[name].attr_text.replace("'", "") == f"{sheet}!{_moved(ref, *off[sheet])}"):
            findings.append(Finding(book, f"name {name}", layout_names.ELSEWHERE, want, names[name].attr_text))
    findings += [Finding(book, title, f"and {len(ns)} name{'s' * (len(ns) > 1)} of its cells ({', '.join(ns[:3])}"
                         f"{', ...' if len(ns) > 3 else ''}) refer to it as renamed, or to nothing if it was deleted: "
                         f"naming the sheet {title} again puts them back; a sheet deleted needs a rebuild (xlpy build)")
                 for title, ns in gone.items()]
    _shadowing_names(book, wb, lay, findings)
    links = getattr(wb, "_external_links", [])
    for i, link in enumerate(links, 1):
        target = getattr(getattr(link, "file_link", None), "Target", "") or "an external workbook"
        findings.append(Finding(book, f"external link {i}", "workbook links to another file", "no external links",
                                target))
    findings += structure_edits.table_extents(book, wb, lay) + structure_edits.listed_columns(book, wb, lay)
    # Table rows: each row's formula against the layout's, by cell position (a holder table is long).
    tables_ok = True
    for spec in table_columns(lay):
        if spec.sheet not in wb.sheetnames:
            tables_ok = False
            continue
        cells = cell_map(wb[spec.sheet])
        letter = get_column_letter(spec.col)
        differ, shifted, start = 0, False, len(findings)
        for row in range(spec.first_row, spec.last_row + 1):
            cell = cells.get((row, spec.col))
            got = cell.value if cell is not None else None
            want = spec.formula(row)
            if got != want or cell.data_type != "f":  # (text spelled as the formula is a value, not it)
                # spelled otherwise (a spreadsheet application's save): the same formula is no finding, but
                # only rows spelled as the layout writes them take the compiled-template path
                if not (_a_formula(cell) and same_formula(got, want)):
                    differ += 1
                    if differ <= TABLE_ROWS_SHOWN:
                        _differs(book, findings, spec.sheet, f"{letter}{row}", want, cell)
                        shifted = shifted or _another_rows(spec, row, got)
                    elif unnamed is not None:  # (the figures following from them say how many: Overridden)
                        unnamed[0], unnamed[1] = unnamed[0] + 1, unnamed[1] + _a_formula(cell)
                tables_ok = False
        findings[start:] = _sorted_why(spec, cells, findings[start:])
        if differ > TABLE_ROWS_SHOWN:  # one line for the rest of the column: rows deleted in a long table
            why = "; they look like other rows' formulas: rows inserted or deleted inside the table " \
                  "(xlpy refresh rewrites it)" if shifted else ""
            findings.append(Finding(book, f"{spec.sheet}!{letter}{spec.first_row}:{letter}{spec.last_row}",
                                    f"{differ - TABLE_ROWS_SHOWN:,} more row(s) of this column differ from the layout "
                                    f"(the first {TABLE_ROWS_SHOWN} are shown){why}"))
    for (sheet, ref), want in formula_cells(lay, tables=False).items():  # the other formulas
        if sheet in wb.sheetnames and not (_a_formula(cell := wb[sheet][ref]) and same_formula(cell.value, want)):
            _differs(book, findings, sheet, ref, want, cell)
    return tables_ok


def _moved(ref: str, rows: int, columns: int) -> str:
    """A name's cell or area *ref* (``$C$17``, ``$C$17:$C$20``) *rows* rows down and *columns* columns right."""
    return re.sub(r"\$([A-Z]+)\$(\d+)", lambda m: f"${get_column_letter(column_index_from_string(m[1]) + columns)}"
                  f"${int(m[2]) + rows}", ref)


#: Findings shown per table column whose rows' formulas differ from the layout; one more line counts the rest.
TABLE_ROWS_SHOWN = 10


def _another_rows(spec, row: int, got) -> bool:
    """Whether *got* is the layout's formula of a nearby row of the column (rows shifted by an edit)."""
    return isinstance(got, str) and any(
        same_formula(got, spec.formula(row + k)) for k in range(-20, 21)
        if k and spec.first_row <= row + k <= spec.last_row + 20)


def _structure_rest(book: str, wb, lay: Layout, path: Path, findings: list[Finding], notes: list[str]) -> None:
    """References and literals, the xlwings settings (an interpreter they pin for everyone: a note) and the VBA
    project."""
    for ws in wb.worksheets:
        for cell in cell_map(ws).values():
            if cell.data_type != "f":
                continue
            v = cell.value
            if not (isinstance(v, str) and v.startswith("=")):
                continue
            if "[" in v or ws.title == "Results":
                where = f"{ws.title}!{cell.coordinate}"
                if _EXTERNAL.search(STRING_LITERAL.sub('""', v)):
                    findings.append(Finding(book, where, "reference to another workbook", "no external references", v))
                if ws.title == "Results":
                    for lit in _literals(v):
                        findings.append(Finding(book, where, "literal number in a formula",
                                                "names and cell references only", f"{lit} in {v}"))
    if CONF_SHEET in wb.sheetnames:
        conf = wb[CONF_SHEET]
        rows = list(conf.iter_rows(max_col=2, values_only=True))  # read as xlwings reads them (xlpy.excel.vba)
        findings += [Finding(book, f"{CONF_SHEET}!{where}", what, want, _show(got))
                     for where, what, want, got in vba.settings_findings(rows)]
        notes.extend(vba.pinned_settings(vba.sheet_settings(rows)))
    try:
        sources = vba.vba_modules(path)
        modules = set(sources)
    except Exception as exc:  # oletools raises many kinds for a damaged project
        findings.append(Finding(book, "VBA project", "cannot be read", "the template's modules", str(exc)))
        return
    if not modules:  # one cause, said once, not a finding per module (nor twice: an .xlsx under an .xlsm name)
        commands = rebuild.rebuild_commands(rebuild.workbook_records(wb), path)  # (its History and inputs typed)
        try:  # (a part holding no module: saved as .ods and back, not as .xlsx)
            empty = f"none (an empty VBA project, {len(vba.vba_project_bytes(path)):,} bytes)"
        except KeyError:
            empty = None
        findings += [] if any(f.where == "file" for f in findings) else [
            Finding(book, "VBA project", f"{EMPTY_VBA if empty else NO_VBA}; {commands}", "the template's modules",
                    empty or "none")]
        return
    allowed = vba.expected_modules(standalone=True) | {vba.UDF_MODULE_NAME}
    for extra in sorted(modules - allowed):
        if _no_code(sources[extra]):  # a sheet's document module, as an application adds one with a sheet
            continue
        findings.append(Finding(book, f"VBA module {extra}", "unexpected VBA module",
                                "only " + ", ".join(sorted(allowed)), extra))
    findings += _missing_modules(book, wb, path, vba.expected_modules(standalone=True) - modules)
    _vba_sources(book, sources, findings)
    foreign, older = vba.udf_module_differences(sources[vba.UDF_MODULE_NAME]) if vba.UDF_MODULE_NAME in sources \
        else ([], [])
    redo = "delete the module, then click Import Functions (xlwings tab) or import the module xlpy vba writes"
    if foreign:
        more = f" (and {len(foreign) - 1:,} more line{'s' * (len(foreign) > 2)})" if len(foreign) > 1 else ""
        findings.append(Finding(book, f"VBA module {vba.UDF_MODULE_NAME}", "holds code that xlwings' Import "
                                "Functions does not write: it runs as the workbook's own, and may write figures or "
                                f"stand in for xlpy's functions; {redo}", "only xlwings' wrappers of the worksheet "
                                "functions and macros", foreign[0] + more))
    if older:
        findings.append(Finding(book, f"VBA module {vba.UDF_MODULE_NAME}", "wraps xlpy's functions as another xlpy "
                                "wrote them (an earlier one, before they took the arguments they take now): the "
                                f"workbook calls them otherwise than this xlpy's Check expects; {redo}",
                                "the wrappers this xlpy writes", ", ".join(older)))


def _missing_modules(book: str, wb, path: Path, missing: set[str]) -> list[Finding]:
    """A finding for each template module the VBA project misses: what the buttons lose, and the remedies (rebuild,
    or import the installed xlwings's own copy of it where it ships one)."""
    if not missing:
        return []
    template = vba.vba_modules(vba.template_path(standalone=True))
    rebuild_it = ("rebuild it (xlpy build) under another name and refresh it, carrying its History over with "
                  f"--history-from; {rebuild.rebuild_commands(rebuild.workbook_records(wb), path)}")
    out = []
    for name in sorted(missing):
        copy = vba.module_file(name)
        imported = f"; or import xlwings' own copy of it (VBA editor > File > Import File: {copy})" if copy else ""
        out.append(Finding(book, f"VBA module {name}", f"template VBA module is missing: "
                           f"{vba.missing_module_loss(name, template.get(name, ''))}; {rebuild_it}{imported}",
                           name, "none"))
    return out


def _no_code(source: str) -> bool:
    """Whether a module holds no code: only ``Attribute`` lines (and ``Option`` statements, which run nothing), as
    the empty document module Excel or LibreOffice adds for a new sheet (``Sheet3``)."""
    return all(line.startswith("Option ") for line in vba.module_code(source))


def _vba_sources(book: str, sources: dict[str, str], findings: list[Finding]) -> None:
    """Each template module's code, as Excel or LibreOffice may save it (see :func:`xlpy.excel.vba.module_code`)."""
    template = vba.vba_modules(vba.template_path(standalone=True))
    findings += [Finding(book, *difference) for difference in vba.code_differences(template, sources)]


def _saved(book: str, path: Path, wb, exp: dict, findings: list[Finding], notes: list[str],
           lay: Layout | None = None, offer=None, results=None, typed=()):
    """The saved values of the formula cells the engine knows, against the engine (:mod:`xlpy.workbook.saved_values`).

    With *lay*, *offer* and *results*, the holder table's rows too, line by
    line (at most :data:`SAVED_TABLE_SHOWN` findings a column; a note counts the rest); *typed* as :func:`_compare`.
    Returns the figures compared, the differing cells (``sheet!cell`` -> expectation; none with nothing *typed*) and
    a function that, given which the recalculations move (:func:`saved_values.saved_whys`), puts their findings.
    """
    saved = serial_dates(exp, xlsx_values(path, list(exp)))  # read from the XML: no second load of the book
    cent_apart: list[str] = []

    def same(e: Expect, found) -> bool:  # a journal-entry figure a cent apart at a half cent: a note
        if same_figure(e, found):
            return True
        if e.cent and _a_cent_apart(e.value, found):
            cent_apart.append(e.label)
            return True
        return False

    mismatches, compared, blank, _ = saved_values.compare(path, wb, exp, same, saved)
    if cent_apart:
        notes.append(f"saved values: {', '.join(cent_apart)} {CENT_APART}")
    rows, more = saved_values.compare_holder_table(path, lay, offer, results, same_figure, Expect) \
        if lay is not None else ([], (0, 0))
    regions = (compared, more[0])  # (the top-level figures, the holder table's line cells: the verdict's shares)
    compared, blank = compared + more[0], blank + more[1]
    full_calc = bool(getattr(wb.calculation, "fullCalcOnLoad", False))
    at, at_note = len(findings), len(notes)
    if blank:
        notes.append(f"{blank} formula cell(s) the engine knows hold no saved value (the file was saved before "
                     "it was calculated); the application calculates them when it opens the file")

    def word(moved: dict[str, bool]) -> None:
        shown, rest = saved_values.saved_whys(mismatches, rows, typed, moved, regions, blank, full_calc,
                                              saved_values.manual_calculation(wb))
        findings[at:at] = [Finding(book, m.where, f"{m.label}: saved value differs from the engine; {why}",
                                   engine_figure(m.engine), _show(m.saved), "saved") for m, why in shown]
        notes[at_note:at_note] = rest
    return compared, {m.where: (m.expect, m.saved) for m in mismatches + rows} if typed else {}, word


def _agrees(e: Expect, found) -> bool:  # the engine's figure, or a journal-entry figure a cent apart at a half cent
    return same_figure(e, found) or bool(e.cent and _a_cent_apart(e.value, found))


# --- recalculation legs -------------------------------------------------------------------


def _unknown_parts(book: str, path: Path, findings: list[Finding]) -> None:
    """A finding for each part the layout, the xlwings template and a normal save do not account for."""
    import zipfile

    from . import parts

    with zipfile.ZipFile(path) as zf:
        for name, size, binary in parts.unknown_parts(zf):
            findings.append(Finding(book, f"part {name}", "is not a part the standard workbook, the xlwings template "
                                    "or a spreadsheet application's save accounts for", "no such part",
                                    f"{size:,} bytes, {'binary' if binary else 'XML'}"))
    findings.extend(parts.malformed(path, book))  # parts nothing reads, not well-formed XML


# --- entry points ------------------------------------------------------------------------------


def validate(path, offer_path=None, legs=LEGS, require_libreoffice: bool = False, label: str | None = None,
             offer_file=None, timeout: float | None = None) -> Report:
    """Validate one workbook; see the module docstring.  The report records the file's SHA-256, read before and
    after alike (:meth:`~xlpy.workbook.findings.Report.tie_to`); a file that changed meanwhile is refused,
    :class:`~xlpy.workbook.findings.ChangedMeanwhile` (in use: validate it again once it is written).

    Parameters
    ----------
    path : path of the workbook.
    offer_path : path of an offer file whose inputs the workbook must hold (or its Offer, read), optional.
    legs : which recalculations to run (``formulas``, ``libreoffice``).
    require_libreoffice : when True, a missing LibreOffice is a finding; else the leg is skipped with a note.
    label : how the report and its findings name the workbook (default: the file's name).
    offer_file : the offer file's path, where *offer_path* is the Offer read from it (held to the Cover's record).
    timeout : seconds LibreOffice's recalculation may take (default: sized to the workbook,
        :func:`~xlpy.workbook.book_size.recalc_time`); run out, a finding of the leg says so.
    """
    first = file_digest(path)
    report = _validate(Path(path), offer_path, legs, require_libreoffice, label, offer_file, timeout)
    return report.tie_to(first, file_digest(path))


@collector_eased()
@engine_context()
def _validate(path: Path, offer_path, legs, require_libreoffice: bool, label: str | None, offer_file,
              timeout: float | None = None) -> Report:
    """:func:`validate`, its file's SHA-256 aside."""
    book = label or path.name
    findings: list[Finding] = []
    notes: list[str] = []
    report = Report(book, findings, [], notes, path=str(path))
    opened = _open_book(path, book, findings)
    if opened is None:
        return report
    wb, lay = opened
    # Structure first (the table rows decide the formulas leg's path); the rest of it is checked once
    # LibreOffice is recalculating, and its findings come before the inputs' as always.
    shifted = structure_edits.shifted(wb, lay)
    with progress.step(f"{book}: structure"):
        tables_ok = _structure_first(book, wb, lay, findings, shifted, unnamed := [0, 0])
    typed = saved_values.Overridden.of(findings, *unnamed)  # values typed over formulas, or formulas changed
    later: list[Finding] = []  # findings of the inputs and the engine, reported after the structure's
    rest_done = False

    def structure_rest():
        nonlocal rest_done
        if not rest_done:
            rest_done = True
            with progress.step(f"{book}: structure"):
                _structure_rest(book, wb, lay, path, findings, notes)
                _unknown_parts(book, path, findings)
                shown.check(book, wb, lay, path, findings, partial(Finding, leg="shown"))
                button_links.check_file(book, path, findings, notes, Finding)
            findings.extend(later)
            later.clear()
            if not (missing or shifted or dated):  # (the Cover's record and the tables read at the layout's cells)
                recorded_sources.check(book, wb, lay, path, findings, notes)

    missing = [s.title for s in lay.sheets if s.title not in wb.sheetnames]
    dated = date_system.uses_1904(wb)  # (its every date read four years off, one way or the other: one finding)
    if missing or shifted or dated:  # a finding already; the inputs cannot be read, nor the figures recalculated,
        structure_rest()  # without the sheet, with its cells one row off (whose every other finding follows from
        lead, sheets = tuple(m.said() for m in shifted), {m.sheet for m in shifted}  # that), or its dates unsure
        findings[:] = [f for f in findings if f.what.startswith(lead) or f.where.partition("!")[0] not in sheets]
        findings[:0] = [date_system.finding(book)] if dated else []
        notes.append(f"inputs and recalculation skipped: the workbook has no sheet {', '.join(missing)}" if missing
                     else "inputs and recalculation skipped: rows or columns were inserted or deleted before named "
                     f"cells on {', '.join(m.sheet for m in shifted)}" if shifted else
                     "inputs and recalculation skipped: the workbook uses the 1904 date system")
        return report
    engine = _engine_cells(book, wb, lay, offer_path, later, notes)
    if engine is None:
        structure_rest()
        return report
    offer, results, exp = engine
    notes += recorded_sources.offer_file_notes(wb, lay, path, offer, results, offer_file or offer_path)
    typed = typed_ids.with_ids(typed, later, lay)  # (the figures following from a holder id no agent meant say so)
    typed = holders_apart.with_apart(typed, later, lay)  # (and from a holder's lines apart: a sort)
    typed = layout_names.with_names(typed, findings)  # (and from a name deleted or pointed elsewhere: not stale)
    typed = precision.with_precision(typed, wb)  # (and from Set precision as displayed: each figure rounded)
    # The LibreOffice leg runs in its own process, beside the rest of the structure check and the formulas leg.
    lo_findings: list[Finding] = []
    lo_job = libreoffice_leg.start(path, wb, exp, book, lo_findings, table_columns(lay) if tables_ok else (), timeout) \
        if "libreoffice" in legs and libreoffice.find_soffice() is not None else None
    structure_rest()  # (the inputs' findings too, before the saved figures that say they follow from one of them)
    compared, check, word = _saved(book, path, wb, exp, findings, notes, lay, offer, results, typed)
    notes += history_trail.last_row_note(path, lay, results)  # (an input typed since the last refresh, or edited)
    findings += [Finding(book, where, f"{label}: saved value is not History's last row's, which its formula shows: "
                         "the file looks doctored (xlpy saves none there); open it in Excel, recalculate and save",
                         _show(want), _show(got), "saved") for where, label, want, got in history_trail.latest_shown(
                             path, lay, wb)]
    report.count("saved", compared)
    moved: dict[str, bool] = {}  # of the differing saved values (when one is typed over), which a recalculation moves
    if "formulas" in legs:
        _formulas_leg(report, path, wb, lay, exp, tables_ok, typed, check, moved)
    if "libreoffice" in legs:
        _libreoffice_after(report, exp, lo_job, lo_findings, require_libreoffice, typed=typed, check=check,
                           moved=moved)
    word(moved)
    return report


def _libreoffice_after(report: Report, exp, lo_job, lo_findings: list[Finding], required: bool, **compared) -> None:
    """The LibreOffice leg's findings once the rest is done (*compared*: as :func:`_libreoffice_leg` takes them);
    with none started (*lo_job* None), a finding where it is *required*, else a note."""
    if lo_job is not None:
        report.findings.extend(lo_findings)
        _libreoffice_leg(report, exp, *lo_job, **compared)
    elif required:
        report.findings.append(Finding(report.workbook, "LibreOffice", f"required, and {libreoffice.why_no_soffice()}",
                                       leg="libreoffice"))
    else:
        report.notes.append(f"LibreOffice leg skipped: {libreoffice.why_no_soffice()}")


def _open_book(path: Path, book: str, findings: list[Finding]):
    """``(wb, layout)`` of a standard workbook, or None with the finding that says why not (*book* names it)."""
    if path.is_dir():
        findings.append(Finding(book, "file", "is a folder, not a workbook", "a workbook file", "a folder"))
        return None
    if not path.is_file():  # (a pipe or a device is named as one, by its mode: never opened, so nothing waits)
        piped = not_a_file(path, "a workbook")
        findings.append(Finding(book, "file", piped.reason) if piped else
                        Finding(book, "file", not_found(path, "workbook"), str(path), "nothing"))
        return None
    from ..files.safety import DTD, check_package, damage_first, damage_said, dtd_part
    from ..files.sniff import OFFER_KIND, other_kind

    check_package(path, book)  # a bomb is refused (exit 2) before anything is unpacked
    if (kind := other_kind(path)) is not None:  # (an .xls, an .ods, a copy cut short, text: as refresh says it)
        findings.append(Finding(book, "file", "is not a workbook (an .xlsx or .xlsm package)", "an .xlsm",
                                "an offer file (TOML), which goes after --offer" if kind == OFFER_KIND else kind))
        return None
    if (dtd := dtd_part(path)) is not None:  # (read no further: no parser meets its entities)
        findings.append(Finding(book, f"part {dtd}", f"{DTD}; nothing else of it was read"))
        return None
    from .package import PackageError
    from .package_checks import missing_findings
    from .parts import MACRO_NAME, XLSX_NAMED_XLSM, misnamed_macro_book, xlsx_named_xlsm

    if misnamed_macro_book(path):  # (openpyxl reads it; Excel does not open it)
        findings.append(Finding(book, "file", MACRO_NAME, f"{path.stem}.xlsm (rename it)", path.name))
    elif xlsx_named_xlsm(path):
        findings.append(Finding(book, "file", XLSX_NAMED_XLSM, "a macro-enabled workbook", "an .xlsx's content type"))
    if gone := missing_findings(path, book):  # (a part its relationships name: openpyxl fails, or leaves a sheet out)
        findings.extend(gone)
        return None
    # A damaged part, any alike (a sheet openpyxl fails on, the VBA project or docProps/app.xml it never reads, whose
    # damage the VBA reader blamed on the project), before a reader meets it:
    if (damage := damage_first(path, book)) is not None:
        findings.append(Finding(book, "file", "is damaged (a refresh refuses it); nothing else of it was read",
                                "every part intact", f"a damaged part ({damage})"))
        return None
    try:
        from .fastload import load

        with progress.step(f"{book}: reading"):
            wb = load(path)
    except PackageError as exc:  # (a cell naming a shared string not there: the workbook named once)
        findings.append(Finding(book, "file", f"{exc.reason}; nothing else of it was read"))
        return None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file: a damaged part is named instead
        findings.append(Finding(book, "file", "cannot be opened as a workbook", "an .xlsm",
                                damage_said(path, book) or str(exc)))
        return None
    if LAYOUT_NAME not in wb.defined_names:
        findings.append(Finding(book, f"name {LAYOUT_NAME}", "not a standard xlpy workbook", "the layout name",
                                "no such name"))
        return None
    charts = [ws.title for ws in wb.chartsheets if ws.title in SHEETS]
    if charts:  # (its cells are gone: nothing of it can be read)
        findings += [Finding(book, title, "sheet is a chart sheet in place of the workbook's sheet (rebuild it with "
                             "xlpy build)", "a worksheet", "a chart sheet") for title in charts]
        return None
    try:
        return wb, layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    except ValueError as exc:  # (another layout: an earlier one with the commands that rebuild it)
        at = Path(os.path.realpath(path)) if path.is_symlink() else path  # (a link: its target's folder has the files)
        findings.append(Finding(book, f"name {LAYOUT_NAME}", rebuild.said(exc, records=rebuild.workbook_records(wb),
                                path=at)) if getattr(exc, "later", None) is not None else
                        Finding(book, f"name {LAYOUT_NAME}", "layout cannot be read", "a layout", str(exc)))
        return None


def _engine_cells(book: str, wb, lay: Layout, offer_path, later: list[Finding], notes: list[str]) -> tuple | None:
    """The workbook's offer, the engine's results on it and the engine's value of each cell: (offer, results,
    cells); None (findings in *later*) if it cannot run."""
    get, get_rows = (reader := WorkbookCells(wb)).get, reader.get_rows
    try:  # (a holder id typed that looks like another line's: a finding, and the figures are still compared)
        offer = bookdata.read_offer(get, lay, get_rows=get_rows, aside=lambda p: later.append(input_finding(book, p)))
    except InputErrors as exc:
        later += [input_finding(book, p) for p in exc.problems]
        return None
    later += holders_apart.findings(book, lay, offer)  # (a holder's lines apart: the table sorted since)
    if offer_path is not None:  # (an offer file's path, or the Offer read from it: whole, or Unread)
        given = offer_drift.read_given(offer_path) if isinstance(offer_path, (str, os.PathLike)) else offer_path
        refreshed = str(get(*lay.cell("RefreshedAt")) or "").strip() if "RefreshedAt" in lay.names else ""
        refreshed = "" if refreshed == NOT_REFRESHED else refreshed
        given, said = offer_drift.held_to(given, refreshed, book)  # (without its files: refused, never refreshed)
        offer_drift.compare_offer_file(book, offer, given, lay, later, refreshed)
        notes += said
    try:
        from ..files import calendars

        results = compute(offer, calendars.sessions)
    except (InputErrors, InputError) as exc:
        for p in map(partial(bookdata.in_workbook_terms, lay), getattr(exc, "problems", (exc,))):
            later.append(Finding(book, p.field, f"the engine refuses the workbook's inputs: {p.reason}", "", p.got,
                                 "engine"))  # the offer-file keys the engine names, as the workbook's cells
        return None
    later += holiday_cover.findings(book, lay, get_rows, offer, results)  # (WORKDAY's table short of the window)
    step, unread = bookdata.sensitivity_step(get, lay)
    for p in map(partial(bookdata.in_workbook_terms, lay), not_for_a_workbook(offer, results, step)):
        later.append(Finding(book, p.field, p.reason, "", p.got, "inputs"))  # exact in the engine, rounded here
    for p in unread:
        later.append(Finding(book, p.field, p.reason, "a number", _show(p.value), "inputs"))
    return offer, results, expected_cells(lay, offer, results, step)


def _formulas_leg(report: Report, path: Path, wb, lay: Layout, exp: dict, tables_ok: bool, typed=(), check=(),
                  moved=None) -> None:
    """Recalculate with the formulas library and compare; what it finds goes into *report*, and into *moved*
    whether it moves the cells of *check* (:func:`saved_values.moves`)."""
    book, findings = report.workbook, report.findings
    cells = list(exp) + [k for w in check if (k := tuple(w.split("!", 1))) not in exp]
    try:
        rows = sum(c.rows for c in table_columns(lay))
        with progress.step(f"{book}: formulas leg", total=rows or None, unit="row") as update:
            if tables_ok:
                raw = formulas_table_values(wb, lay, cells, update)
            else:  # a table row differs from the layout (a finding already): that row on its own
                from .recalc import RecalcError

                try:
                    raw = formulas_table_values(wb, lay, cells, update, as_found=True)
                except RecalcError:  # it reads rows of its column the template has yet to give
                    report.notes.append("formulas leg: a table row differs from the layout; "
                                        "recalculated by the library's whole-workbook model")
                    raw = formulas_values(path)
        # The library spells sheets in capitals; findings name them as the workbook does.
        upper = upper_keys(exp)
        spelled = {(s.upper(), r): (s, r) for s, r in cells}
        values = {spelled.get(k, k): v for k, v in serial_dates(upper, raw).items()}
        report.count("formulas", _compare(book, exp, values, "formulas", findings, report.notes, typed))
        report.versions["formulas"] = package_version("formulas")
        saved_values.moves(mine := precision.moves_of(moved, typed), check, values, _agrees)
        precision.told(moved, mine)  # (computing in full, it tells only the saved figures that follow)
        report.legs_run.append("formulas")
    except Exception as exc:  # the library raises many kinds on formulas it cannot parse
        findings.append(Finding(book, "workbook", "formulas could not recalculate it", "a result",
                                f"{type(exc).__name__}: {exc}", "formulas"))


def _libreoffice_leg(report: Report, exp: dict, tmp, pool, job, size, typed=(), check=(), moved=None) -> None:
    """Wait for LibreOffice's recalculation (started beside the rest, the workbook of *size*) and compare (*check*,
    *moved*: as :func:`_formulas_leg`); then clean up."""
    book, findings = report.workbook, report.findings
    try:
        with progress.step(f"{book}: LibreOffice leg"):
            recalculated = job.result()
        also = [k for w in check if (k := tuple(w.split("!", 1))) not in exp]
        values = serial_dates(exp, xlsx_values(recalculated, list(exp) + also, copy_of=book))
        report.count("libreoffice", _compare(book, exp, values, "libreoffice", findings, report.notes, typed))
        report.versions["libreoffice"] = application_version(recalculated) or "unknown"
        saved_values.moves(moved, check, values, _agrees)
        report.legs_run.append("libreoffice")
    except (libreoffice.LibreOfficeError, InputError) as exc:  # (InputError: its copy refused, over a limit...)
        findings.append(libreoffice_leg.not_validated(book, exc, size))  # the leg's finding: the others' stand
    finally:
        pool.shutdown()
        tmp.cleanup()
