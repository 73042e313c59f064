"""Round trip through a spreadsheet application (issue 10).

Workbooks built by xlpy, then saved by LibreOffice (``--convert-to`` with the
VBA filter) or rewritten the way Excel saves a package (tests/excel_style.py),
must still validate and refresh.  The LibreOffice copies are made once per
module, in one soffice start-up.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from repo_paths import DATA, PRICES, TALLY

from xlpy.excel import vba
from xlpy.workbook import data as bookdata
from xlpy.workbook.formula_text import (
    boolean_formula,
    canonical,
    row_shifter,
    same_formula,
    shifted,
)

VBA_FILTER = "xlsm:Calc MS Excel 2007 VBA XML"


# --- formulas by meaning ---------------------------------------------------------------------


@pytest.mark.parametrize("ours, theirs", [
    ("=IFERROR(LEN(XLPY_VERSION())>0,FALSE)", "=IFERROR(LEN(xlpy_version())>0,FALSE())"),
    ("=IF(FunctionsLoaded,ABS(E9)<=Tolerance,FALSE)", "=IF(functionsloaded, ABS( E9 ) <= Tolerance, false())"),
    ("=IFS(A1>0,1,TRUE,0)", "=_xlfn.IFS(A1>0,1,TRUE(),0)"),
    ("=SORT(A1:A3)", "=_xlfn._xlws.SORT(A1:A3)"),
    ("=ROUND(A1,2)*1.50", "=round(a1,2)*1.5"),
    ("=SUM('Tenders'!C5:C9)", "=SUM(Tenders!C5:C9)"),
])
def test_same_meaning_other_spelling(ours, theirs):
    assert same_formula(ours, theirs)
    assert canonical(ours) == canonical(theirs)


@pytest.mark.parametrize("ours, theirs", [
    ('=IF(A1="x",1,0)', '=IF(A1="X",1,0)'),  # text is compared as written
    ("=A1+B1", "=A1-B1"),
    ("=SUM(A1:A3)", "=SUM(A1:A4)"),
    ("=TRUE", "=TRUE+0"),
    ("=A1", 5),
    ("=A1", None),
])
def test_different_meaning(ours, theirs):
    assert not same_formula(ours, theirs)


def test_boolean_formulas_and_shared_formula_shift():
    assert boolean_formula("=TRUE()") is True
    assert boolean_formula("=false()") is False
    assert boolean_formula("=FALSE") is False
    assert boolean_formula("=A1") is None and boolean_formula(True) is None and boolean_formula("TRUE") is None
    # ECMA-376 18.3.1.40: a shared formula's relative references move with the cell; absolute ones stay.
    assert shifted("D5*$C$1+SUM(A5:B5)", "E5", "E9") == "D9*$C$1+SUM(A9:B9)"
    assert shifted("=B2", "C2", "D3") == "=C3"


@pytest.mark.parametrize("formula", [
    '=IF(F21="tendered",D21,0)',
    "=IF(C21=C20,H20,0)+G21",
    "=SUM($A$1:A21)+Sheet2!B3+'My Sheet'!C$4+SUM(5:6)+SUM(A:A)+\"A1{x}\"",
    "=IF(FractionalPolicy=\"nearest\",ROUND(J21*RatioUnits/RatioScale,0),INT(J21*RatioUnits/RatioScale))",
    "=1+1",
])
def test_a_column_of_shared_formula_cells_shifts_as_each_cell_does(formula):
    at = row_shifter(formula, "G21", 5000)
    assert at is not None
    assert [at(r) for r in (22, 23, 999, 5000)] == [shifted(formula, "G21", f"G{r}") for r in (22, 23, 999, 5000)]


def test_a_formula_the_rows_alone_cannot_shift_is_left_to_the_caller():
    assert row_shifter('=A1+"abc', "G21", 100) is None  # not a formula the tokenizer reads
    assert row_shifter("=[A1", "G21", 100) is None
    assert row_shifter("A1", "G21", 100) is None  # a master's text is given with its "="
    assert row_shifter("=A1", "21", 100) is None  # not a cell


def test_boolean_input_accepted_as_formula():
    lay_cells = {("Inputs", "C17"): "=TRUE()"}

    class Lay:
        def cell(self, name):
            return ("Inputs", "C17")

    reader = bookdata.CellReader(lambda s, r: lay_cells.get((s, r)), Lay())
    assert reader.flag("Substantive") is True
    assert reader.problems == []
    lay_cells[("Inputs", "C17")] = "=1+1"
    assert reader.flag("Substantive") is False
    assert reader.problems and "Substantive must be TRUE or FALSE" in reader.problems[0].reason


def test_vba_code_compared_as_the_application_saves_it():
    template = vba.vba_modules(vba.template_path(standalone=True))
    for text in template.values():
        resaved = text.replace("\r\n", "\n").replace("\nAttribute ", "\nAttribute Z") + "\n\n"
        resaved = resaved.replace('Attribute VB_Name', 'Attribute VB_Name').replace("\n", "\r\n")
        assert vba.module_code(resaved) == vba.module_code(text)
    assert vba.module_code("Sub A()\r\n  x = 1\r\nEnd Sub") != vba.module_code("Sub A()\r\n  x = 2\r\nEnd Sub")


def test_a_workbook_of_another_xlwings_release_is_named_by_its_release():
    """A workbook built with xlwings 0.37.0 on a computer with 0.37.8 (or the other way round) read as "line 2:
    VBA code differs from the template", which says nothing of the releases or of what to do."""
    template = vba.vba_modules(vba.template_path(standalone=True))
    here = vba.release_named(vba.module_code(template["xlwings"]))
    assert here and here.count(".") == 2
    other = {name: text.replace(here, "0.36.99") for name, text in template.items()}
    assert vba.code_differences(template, other) == [(
        "VBA module xlwings", f"built with xlwings 0.36.99, while this computer has {here}: the workbook's macros and "
        "functions call the add-in of the xlwings they were built with, so install that one where the workbook runs "
        "and is validated (pip install xlwings==0.36.99), or rebuild it with this one", f"xlwings {here}",
        "xlwings 0.36.99")]
    assert vba.code_differences(template, template) == []
    changed = dict(other, xlwings=other["xlwings"].replace("XLPyDLLActivateAuto", "XLPyDLLActivate", 1))
    (where, what, *_), = vba.code_differences(template, changed)  # another change too: the line, as before
    assert where.startswith("VBA module xlwings line ") and what == "VBA code differs from the template"
    # an add-in path edited beside the release: the release slots take a release number, nothing else
    evil = other["xlwings"].replace('"xlwings64-0.36.99.dll"', '"xlwings64-0.36.99\\..\\..\\Public\\evil.dll"', 1)
    assert evil != other["xlwings"]
    (where, what, *_), = vba.code_differences(template, dict(other, xlwings=evil))
    assert where.startswith("VBA module xlwings line ") and what == "VBA code differs from the template"
    # two releases named in one module: not a release of xlwings
    mixed = other["xlwings"].replace('"xlwings32-0.36.99.dll"', f'"xlwings32-{here}.dll"', 1)
    assert mixed != other["xlwings"]
    (where, what, *_), = vba.code_differences(template, dict(other, xlwings=mixed))
    assert what == "VBA code differs from the template"


def test_the_vba_editors_respelling_of_an_identifier_is_no_change():
    """The VBA editor spells each identifier one way across a project: once "Import Functions" adds a module
    declaring ``value`` (APPROX's and EXCHANGE_RATIO's parameter), the xlwings module's ``Value`` reads ``value``,
    which validate reported as the template's code changed. Identifiers compare case-insensitively; string
    literals and comments as written."""
    import re

    template = vba.vba_modules(vba.template_path(standalone=True))
    text = template["xlwings"]
    assert re.search(r"\bValue\b", text)
    respelled = re.sub(r"\bValue\b", "value", text)
    assert vba.code_differences(template, dict(template, xlwings=respelled)) == []
    line = next(line for line in vba.module_code(text) if re.match(r'[^\']*"[^"]*[A-Za-z]', line))
    literal = re.search(r'"[^"]*[A-Za-z][^"]*"', line).group()  # the first string literal of code
    swapped = text.replace(line, line.replace(literal, literal.swapcase(), 1), 1)
    (where, what, *_), = vba.code_differences(template, dict(template, xlwings=swapped))
    assert what == "VBA code differs from the template"
    assert vba.code_differences({"m": 'x = "a" \' Note'}, {"m": 'X = "a" \' note'})[0][2:] == ('\'x = "a" \\\' Note\'',
                                                                                             '\'X = "a" \\\' note\'')
    assert vba.code_differences({"m": 'X = "a""B" + y'}, {"m": 'x = "a""B" + Y'}) == []


def test_a_dll_entry_point_or_a_rem_comment_respelt_is_a_change():
    """Review: a function declared from a DLL without an Alias is looked up by its name, letter case and all (the
    xlwings module's XLPyDLLActivateAuto, libc's system): re-spelt, every button fails; and Rem comments, or a
    comment continued by " _", were compared in lower case though comments are compared as written."""
    import re

    template = vba.vba_modules(vba.template_path(standalone=True))
    text = template["xlwings"]
    declared = re.search(r"Declare PtrSafe Function (XLPyDLLActivateAuto) Lib", text)
    assert declared
    respelt = text.replace(declared.group(), declared.group().replace("XLPyDLLActivateAuto", "xlpydllactivateauto"))
    assert vba.code_differences(template, dict(template, xlwings=respelt)) != []
    assert vba.code_differences({"m": "Rem Keep This"}, {"m": "REM keep this"}) != []
    assert vba.code_differences({"m": "x = 1: Rem Note"}, {"m": "X = 1: Rem Note"}) == []
    assert vba.code_differences({"m": "' a comment _\nKeep This"}, {"m": "' a comment _\nkeep this"}) != []
    assert vba.code_differences({"m": "Remove = 2"}, {"m": "remove = 2"}) == []


# --- copies saved by LibreOffice ---------------------------------------------------------------


def resave_with_libreoffice(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open and save each workbook in LibreOffice Calc, keeping the VBA project (one soffice start-up)."""
    from xlpy.workbook import libreoffice

    return libreoffice.convert(paths, convert_to=VBA_FILTER, ext="xlsm", out_dir=out_dir, timeout=240,
                                what="re-save the workbook")


@pytest.fixture
def built(standard_books):
    """{'seed': path, 'holders': path}: built once per run, sources beside them, read-only (tests/conftest.py)."""
    return {"seed": standard_books["seed"], "holders": standard_books["holders"]}


@pytest.fixture(scope="module")
def lo_saved(standard_books, tmp_path_factory):
    """{'seed': path, 'holders': path}: the built workbooks as LibreOffice saved them, sources beside them."""
    folder = tmp_path_factory.mktemp("lo")
    out = resave_with_libreoffice([standard_books["seed"], standard_books["holders"]], folder)
    for name in (TALLY, PRICES):
        shutil.copy(DATA / name, folder / name)
    return dict(zip(("seed", "holders"), out))


def _copy(path: Path, tmp_path: Path) -> Path:
    for f in path.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / path.name


def _findings(report) -> list[str]:
    return [str(f) for f in report.findings]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["seed", "holders"])
def test_libreoffice_copy_validates(lo_saved, kind):
    from xlpy.workbook.validate import validate

    report = validate(lo_saved[kind], legs=("formulas",))
    assert report.findings == [], _findings(report)
    assert report.cells_compared > 80


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["seed", "holders"])
def test_libreoffice_copy_is_computed_with_no_refusal_and_no_new_warning(lo_saved, built, kind, capsys):
    """compute and entries hold a workbook to validate's structure checks before reading it (review 96): a copy
    LibreOffice saved, its sheets, tables and names where the layout puts them, is neither refused nor warned of
    beyond what the built workbook is, and its figures are the same."""
    from xlpy.cli import main

    for command in ("compute", "entries"):
        assert main([command, str(lo_saved[kind])]) == 0
        got = capsys.readouterr()
        assert main([command, str(built[kind])]) == 0
        want = capsys.readouterr()
        assert (got.out, got.err.splitlines()[1:]) == (want.out, want.err.splitlines()[1:]), got.err


def _refresh(book: Path, tally: Path) -> int:
    import argparse

    from xlpy.cli import refresh as cli_refresh

    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args([str(book), "--tally", str(tally), "--no-backup"]))


def _new_tally(kind: str, folder: Path) -> Path:
    """A changed tally: the seed's counts, or the holder tally with one more line."""
    if kind == "seed":
        out = folder / "counts.csv"
        out.write_text("tendered,guaranteed delivery\n290000,2500\n", encoding="utf-8")
        return out
    out = folder / "tally-2.csv"
    out.write_text((DATA / TALLY).read_text(encoding="utf-8").rstrip("\n") + "\nNEW-0001,500,book-entry,tendered\n",
                   encoding="utf-8")
    return out


def _accepted(path: Path) -> object:
    from openpyxl import load_workbook

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    wb = load_workbook(path)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("Tendered")
    return wb[sheet][ref].value


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["seed", "holders"])
def test_libreoffice_copy_refreshes_and_validates(lo_saved, kind, tmp_path, monkeypatch):
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(lo_saved[kind], tmp_path)
    assert _refresh(book, _new_tally(kind, tmp_path)) == 0
    report = validate(book, require_libreoffice=True)
    assert report.findings == [], _findings(report)
    assert report.legs_run == ["formulas", "libreoffice"]


# --- copies rewritten as Excel saves a package -------------------------------------------------


def _excel_copy(built, kind: str, tmp_path: Path, **kw) -> Path:
    from excel_style import excel_style_copy

    src = _copy(built[kind], tmp_path)
    return excel_style_copy(src, src, **kw)


def _parts(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as zf:
        return set(zf.namelist())


@pytest.mark.parametrize("kind", ["seed", "holders"])
def test_excel_style_copy_validates_and_refreshes(built, kind, tmp_path, monkeypatch):
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _excel_copy(built, kind, tmp_path)
    parts = _parts(book)
    assert {"xl/sharedStrings.xml", "xl/calcChain.xml", "xl/worksheets/sheet101.xml"} <= parts
    with zipfile.ZipFile(book) as zf:
        assert b't="shared"' in zf.read("xl/worksheets/sheet106.xml")  # Check
    report = validate(book, legs=("formulas",))
    assert report.findings == [], _findings(report)
    assert _refresh(book, _new_tally(kind, tmp_path)) == 0
    parts = _parts(book)
    assert "xl/calcChain.xml" not in parts and "xl/sharedStrings.xml" in parts
    with zipfile.ZipFile(book) as zf:
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
    report = validate(book, legs=("formulas",))
    assert report.findings == [], _findings(report)
    if kind == "seed":
        assert _accepted(book) == 290000


def test_excel_style_prefixes_are_spelling(built, tmp_path):
    """_xlfn. in front of a function is the same formula (the structure check alone: no leg knows _xlfn.ROUND)."""
    from xlpy.workbook.validate import validate

    book = _excel_copy(built, "holders", tmp_path, also_prefix=("ROUND", "SUMIFS"))
    with zipfile.ZipFile(book) as zf:
        assert b"_xlfn.ROUND(" in b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/s"))
    report = validate(book, legs=())
    assert report.findings == [], _findings(report)


@pytest.mark.libreoffice
def test_excel_style_copy_validates_under_libreoffice(built, tmp_path):
    from xlpy.workbook.validate import validate

    report = validate(_excel_copy(built, "holders", tmp_path), legs=("libreoffice",), require_libreoffice=True)
    assert report.findings == [], _findings(report)


# --- saved values --------------------------------------------------------------------------------


def _named_saved(path: Path, *names: str) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    out = []
    for n in names:
        sheet, ref = wb.defined_names[n].attr_text.split("!")
        out.append(wb[sheet.strip("'")][ref.replace("$", "")].value)
    return out


def _engine(path: Path):
    from openpyxl import load_workbook

    from xlpy.engine.compute import compute
    from xlpy.files import calendars
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    wb = load_workbook(path)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    offer = bookdata.read_offer(lambda s, r: wb[s][r].value, lay)
    return compute(offer, calendars.sessions)


@pytest.mark.parametrize("kind", ["seed", "holders"])
def test_built_and_refreshed_workbooks_hold_the_engines_figures(built, kind, tmp_path, monkeypatch):
    names = ("InducedCharge", "CommonIssued", "UnitsAccepted", "IncrementalShares", "Participation")
    r = _engine(built[kind])
    want = [r.charge, r.common_issued, r.units_accepted, r.incremental_shares, r.participation]
    got = _named_saved(built[kind], *names)
    assert [pytest.approx(float(w), rel=1e-12) for w in want] == got
    assert _named_saved(built[kind], "ReleaseSentence1")[0].startswith("Based on a preliminary count")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(built[kind], tmp_path)
    assert _refresh(book, _new_tally(kind, tmp_path)) == 0
    r2 = _engine(book)
    assert r2.units_accepted != r.units_accepted
    want = [r2.charge, r2.common_issued, r2.units_accepted, r2.incremental_shares, r2.participation]
    assert [pytest.approx(float(w), rel=1e-12) for w in want] == _named_saved(book, *names)
    # what only the application can know has no saved value (fullCalcOnLoad has it calculated on open)
    assert _named_saved(book, "ChecksPass", "FunctionsLoaded") == [None, None]


def _set_saved(path: Path, sheet: str, ref: str, value: str) -> None:
    """Change the <v> of one cell inside the package, as a person with a zip tool could."""
    from xlpy.workbook import package

    pkg = package.Package(path)
    part = pkg.sheet_parts()[sheet]
    text = pkg.read(part).decode("utf-8")
    new, n = re.subn(rf'(<c r="{ref}"[^>]*>.*?<v>)[^<]*(</v>)', rf"\g<1>{value}\g<2>", text, count=1)
    assert n == 1
    pkg.write(part, new.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())
    assert zipfile.ZipFile(path).testzip() is None


def test_doctored_saved_value_is_reported_naming_the_cell(built, tmp_path):
    from xlpy.workbook.validate import validate

    book = _copy(built["seed"], tmp_path)
    from openpyxl import load_workbook

    sheet, ref = load_workbook(book).defined_names["InducedCharge"].attr_text.replace("$", "").split("!")
    sheet = sheet.strip("'")
    _set_saved(book, sheet, ref, "9000000")
    report = validate(book, legs=())
    assert [(f.where, f.leg, f.found) for f in report.findings] == [(f"{sheet}!{ref}", "saved", "9000000")]
    f = report.findings[0]
    assert "InducedCharge" in f.what and "doctored" in f.what and f.expected == "9597836.4"


def test_stale_saved_values_are_reported_as_stale(built, tmp_path):
    """Inputs changed in the file without recalculating: many saved figures differ, the verdict is stale."""
    from openpyxl import load_workbook

    from xlpy.workbook.validate import validate

    book = _copy(built["seed"], tmp_path)
    sheet, ref = load_workbook(book).defined_names["Tendered"].attr_text.replace("$", "").split("!")
    _set_saved(book, sheet.strip("'"), ref, "300000")  # an input cell: its value, not a saved formula value
    report = validate(book, legs=())
    assert report.findings and all(f.leg == "saved" and "stale" in f.what for f in report.findings)
    assert any(f.where.startswith("Results!") and "InducedCharge" in f.what for f in report.findings)


# --- the whole round trip --------------------------------------------------------------------------


def _rgb(color) -> str:
    if color is None:
        return "000000"
    rgb = color.rgb
    return rgb[-6:] if isinstance(rgb, str) else f"theme {color.theme}"


def _look(path: Path, cells) -> list:
    """What a person sees of some cells: value, fill and font colours, number format (spelling aside)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out = []
    for sheet, ref in cells:
        c = wb[sheet][ref]
        fmt = c.number_format.upper().replace("\\", "").replace('"', "")
        value = c.value
        if c.data_type == "f":
            value = boolean_formula(value) if boolean_formula(value) is not None else "formula"
        out.append((sheet, ref, value, _rgb(c.fill.fgColor), _rgb(c.font.color),
                    fmt))
    return out


@pytest.mark.libreoffice
def test_built_resaved_refreshed_resaved_validates_clean(built, tmp_path, monkeypatch):
    """Built, saved by LibreOffice, refreshed, saved by LibreOffice again: clean on every leg, nothing lost."""
    from openpyxl import load_workbook

    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    first = tmp_path / "first"
    first.mkdir()
    books = [_copy(built["seed"], first), _copy(built["holders"], first)]
    for b in books:  # a person's note beside the inputs
        pb = PackageBook(b)
        pb.set("Inputs", "F2", "checked by J. Smith", text=True)
        pb.save()
    inputs = [("Inputs", f"C{r}") for r in range(5, 30)]
    before = [_look(b, inputs) for b in books]
    saved1 = resave_with_libreoffice(books, tmp_path / "lo1")
    for b, kind in zip(saved1, ("seed", "holders")):
        for name in (TALLY, PRICES):
            shutil.copy(DATA / name, b.parent / name)
        assert _refresh(b, _new_tally(kind, b.parent)) == 0
    saved2 = resave_with_libreoffice(saved1, tmp_path / "lo2")
    allowed = vba.expected_modules(standalone=True) | {vba.UDF_MODULE_NAME}
    for b, look in zip(saved2, before):
        report = validate(b, require_libreoffice=True)
        assert report.findings == [], _findings(report)
        assert report.legs_run == ["formulas", "libreoffice"]
        after = _look(b, inputs)
        for was, now in zip(look, after):
            if was[2] is None:
                continue  # an empty cell: its default font is written as a theme colour by LibreOffice
            # (=TRUE() is how LibreOffice saves the constant TRUE: _look reads it as True)
            assert was[:5] == now[:5], (was, now)
            assert was[5] == now[5] or "#,##0" in was[5] and "#,##0" in now[5], (was, now)
        assert load_workbook(b)["Inputs"]["F2"].value == "checked by J. Smith"
        modules = set(vba.vba_modules(b))
        assert vba.expected_modules(standalone=True) <= modules <= allowed
        assert [round(float(v), 2) for v in _named_saved(b, "InducedCharge")] == \
            [round(float(_engine(b).charge), 2)]


# --- shared formulas under the refresh ---------------------------------------------------------------


def test_unshare_crossing_spells_out_only_groups_crossing_the_area():
    from xlpy.workbook.shared_formulas import unshare_crossing

    sheet = ('<worksheet><sheetData>'
             '<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*$C$1</f></c>'
             '<c r="D1"><f t="shared" ref="D1:D2" si="1">E1&amp;"x"</f></c></row>'
             '<row r="2"><c r="A2"><f t="shared" si="0"/><v>4</v></c><c r="D2"><f t="shared" si="1"/></c></row>'
             '<row r="3"><c r="A3"><f t="shared" si="0"/></c></row>'
             '</sheetData></worksheet>')
    out = unshare_crossing(sheet, (1, 1, 1, 1))  # A1 only: group 0 crosses, group 1 does not
    assert '<c r="A1"><f>B1*$C$1</f></c>' in out
    assert '<c r="A2"><f>B2*$C$1</f><v>4</v></c>' in out
    assert '<c r="A3"><f>B3*$C$1</f></c>' in out
    assert '<f t="shared" ref="D1:D2" si="1">E1&amp;"x"</f>' in out and '<f t="shared" si="1"/>' in out
    assert unshare_crossing(sheet, (1, 3, 1, 1)) == sheet  # the whole group inside: left to the writer
    assert unshare_crossing(sheet, (5, 6, 1, 4)) == sheet  # nothing inside


def test_package_book_writes_over_a_shared_formulas_master(built, tmp_path):
    """Writing one cell of an Excel shared formula keeps the other cells' formulas (and their meaning)."""
    from openpyxl import load_workbook

    from xlpy.workbook.backends import PackageBook

    book = _excel_copy(built, "seed", tmp_path)
    check = zipfile.ZipFile(book).read("xl/worksheets/sheet106.xml").decode()
    m = re.search(r'<c r="([A-Z]+\d+)"[^>]*><f t="shared" ref="([A-Z]+\d+):([A-Z]+\d+)"', check)
    assert m, "the Excel-style copy shares a filled-down run on Check"
    master, last = m.group(2), m.group(3)
    before = load_workbook(book)["Check"]
    col, first_row, last_row = master.rstrip("0123456789"), int(master[len(master.rstrip("0123456789")):]), \
        int(last[len(last.rstrip("0123456789")):])
    want = {f"{col}{r}": before[f"{col}{r}"].value for r in range(first_row + 1, last_row + 1)}
    pb = PackageBook(book)
    pb.set("Check", master, "=1+1")
    pb.save()
    after = load_workbook(book)["Check"]
    assert after[master].value == "=1+1"
    assert {ref: after[ref].value for ref in want} == want


def test_fill_sets_named_formula_values_and_drops_the_others():
    from xlpy.workbook.saved_values import fill

    part = (b'<worksheet><sheetData><row r="1">'
            b'<c r="A1" t="str"><f>"a"&amp;B1</f><v>ab</v></c>'
            b'<c r="A2"><f t="shared" si="0"/><v>3</v></c>'
            b'<c r="A3"><v>5</v></c>'
            b'<c r="A4" s="2"><f>1</f><v/></c>'
            b'<c r="A5"><f>A1</f></c>'
            b'</row></sheetData></worksheet>')
    out = fill(part, {"A1": 2.5, "A3": 9, "A4": "x<y", "A5": True}).decode()
    assert '<c r="A1"><f>"a"&amp;B1</f><v>2.5</v></c>' in out
    assert '<c r="A2"><f t="shared" si="0"/></c>' in out  # not the engine's: left for the application
    assert '<c r="A3"><v>5</v></c>' in out  # not a formula: never touched
    assert '<c r="A4" s="2" t="str"><f>1</f><v>x&lt;y</v></c>' in out
    assert '<c r="A5" t="b"><f>A1</f><v>1</v></c>' in out
    x = part.replace(b"<worksheet>", b'<x:worksheet xmlns:x="s">').replace(b"</worksheet>", b"</x:worksheet>")
    x = x.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>").replace(b"<f", b"<x:f").replace(b"</f>", b"</x:f>")
    x = x.replace(b"<v", b"<x:v").replace(b"</v>", b"</x:v>").replace(b"<row", b"<x:row").replace(b"</row>",
                                                                                              b"</x:row>")
    out = fill(x, {"A1": 7}).decode()
    assert '<x:c r="A1"><x:f>"a"&amp;B1</x:f><x:v>7</x:v></x:c>' in out
    assert '<x:c r="A2"><x:f t="shared" si="0"/></x:c>' in out


def _namespace_prefixed(path: Path, parts: list[str]) -> None:
    """*parts* rewritten with the main namespace under a prefix (``<x:worksheet>``, ``<x:c>``), as writers built on
    the Open XML SDK save them; the same XML to any namespace-aware reader."""
    from lxml import etree

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename in parts:
                root = etree.fromstring(data)
                nsmap = {"x": main, **{k: v for k, v in root.nsmap.items() if k and v != main}}
                new = etree.Element(root.tag, nsmap=nsmap, attrib=dict(root.attrib))
                new.extend(list(root))
                data = etree.tostring(new, xml_declaration=True, encoding="UTF-8", standalone=True)
            out.writestr(info, data)


def test_a_namespace_prefixed_sheet_is_refreshed_in_its_namespace(built, tmp_path, monkeypatch):
    """Cells a refresh wrote into a sheet whose XML names the namespace by a prefix went in unprefixed: outside
    the namespace, which a reader drops (the counts on Tenders, the record on the Cover)."""
    from lxml import etree

    from xlpy.workbook import package
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(built["seed"], tmp_path)
    pkg = package.Package(book)
    sheets = pkg.sheet_parts()
    pkg.close()
    _namespace_prefixed(book, [sheets["Tenders"], sheets["Cover"], "xl/workbook.xml"])
    with zipfile.ZipFile(book) as zf:
        assert zf.read(sheets["Tenders"]).count(b"<x:c ") > 3
    assert _refresh(book, _new_tally("seed", tmp_path)) == 0
    assert _accepted(book) == 290000  # read by openpyxl, namespace-aware
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(book) as zf:
        for part in (sheets["Tenders"], sheets["Cover"]):
            root = etree.fromstring(zf.read(part))
            stray = [el.tag for el in root.iter() if isinstance(el.tag, str) and not el.tag.startswith("{")]
            assert stray == [], (part, stray[:5])
            assert len(root.findall(f"{main}sheetData/{main}row/{main}c")) > 10
    report = validate(book, legs=("formulas",))
    assert report.findings == [], _findings(report)


def test_a_switch_of_a_namespace_prefixed_tenders_sheet_is_refused_in_one_line(built, tmp_path, capsys, monkeypatch):
    """Switching the tally kind splices Tenders' own tags as Excel writes them: on a prefixed sheet it crashed
    ("substring not found"), and would have written cells outside the namespace."""
    from xlpy.workbook import package

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(built["seed"], tmp_path)  # aggregate counts: a holder tally switches it
    pkg = package.Package(book)
    sheets = pkg.sheet_parts()
    pkg.close()
    _namespace_prefixed(book, [sheets["Tenders"]])
    before = book.read_bytes()
    from xlpy.engine.errors import InputErrors

    with pytest.raises(InputErrors) as refused:
        _refresh(book, _new_tally("holders", tmp_path))
    assert [p.reason for p in refused.value.problems] == [
        "switching to a holder tally rewrites Tenders, whose XML names its namespace by a prefix (as some programs "
        "save it): open the workbook in Excel or LibreOffice and save it, then refresh again; it was not changed"]
    assert book.read_bytes() == before
