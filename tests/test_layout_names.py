"""A name of the layout deleted from the workbook (Excel's Name Manager), or pointed at another cell: validate names
it in a structure finding and the figures that differ say they follow from it, never that the file looks stale
(review 96: a copy LibreOffice saved, its formulas computing #NAME?, was told to be opened in Excel, recalculated
and saved, 241 findings); compute, release and entries warn of it; a refresh saves no engine figure beside it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.layout_names import DELETED, WithNames, off, with_names
from xlpy.workbook.saved_values import TYPED_OVER_SHOWN, Overridden, typed_over_rest, typed_over_why
from xlpy.workbook.validate import validate

FOLLOWS = ("it follows from the name Tendered, deleted (named in a finding of its own: the formulas that read it "
           "compute #NAME?, the engine reads the layout's cell): define it again as that finding says (Formulas > "
           "Name Manager), or rebuild the workbook, then validate again")


def _without(book: Path, to: Path, name: str = "Tendered") -> Path:
    wb = openpyxl.load_workbook(book, keep_vba=True)
    del wb.defined_names[name]
    wb.save(to)
    return to


def _lay(path: Path):
    return layout(Shape.decode(openpyxl.load_workbook(path).defined_names[LAYOUT_NAME].attr_text))


def test_off_names_a_name_deleted_apart_from_one_pointed_elsewhere(standard_books):
    lay = _lay(standard_books["holders"])
    defined = {name: f"'{sheet}'!{ref}" for name, (sheet, ref) in lay.names.items()}
    assert off(defined.get, lay) == []  # (a workbook as built)
    sheet, _ = lay.cell("OriginalRatio")
    defined["OriginalRatio"] = f"'{sheet}'!$D$1"
    del defined["Tendered"]
    assert off(defined.get, lay) == ["name OriginalRatio", f"name Tendered{DELETED}"]
    del defined[next(n for n, (_, ref) in lay.names.items() if ":" in ref)]  # (a table's column: the refresh's)
    assert off(defined.get, lay) == ["name OriginalRatio", f"name Tendered{DELETED}"]


def test_the_figures_following_from_a_name_deleted_say_so(standard_books, tmp_path):
    """The structure finding names the name; each recalculated figure that differs says it follows from it, the
    first few shown and a note counting the rest (241 findings, none saying why, before)."""
    path = _without(standard_books["holders"], tmp_path / "noname.xlsm")
    report = validate(path, legs=("formulas",))
    assert [(f.where, f.what, f.found) for f in report.findings if f.leg == "structure"] == [
        ("name Tendered", "name is missing", "no such name")]
    figures = [f for f in report.findings if f.leg == "formulas"]
    assert len(figures) == TYPED_OVER_SHOWN and all(f.what.endswith(f"differs from the engine; {FOLLOWS}")
                                                     for f in figures), [f.what for f in figures]
    assert any(n.startswith("formulas leg: ") and n.endswith(" more figure(s) differ from the engine, following from "
                                                             "the name Tendered, deleted (the first 10 are shown)")
               for n in report.notes), report.notes


def test_a_workbook_as_built_gets_no_such_word(standard_books):
    report = validate(standard_books["holders"], legs=("formulas",))
    assert report.ok and not [n for n in report.notes if "name" in n], report.notes


@pytest.mark.libreoffice
def test_a_copy_libreoffice_saved_with_a_name_deleted_is_not_called_stale(standard_books, tmp_path):
    """LibreOffice saves #NAME? beside the formulas that read the name: those saved values are the workbook's own
    calculation (the formulas library's #REF! for it, an error alike), so each says it follows from the name, none
    that the file looks stale and wants recalculating in Excel, which cannot mend it."""
    from xlpy.workbook import libreoffice

    edited = _without(standard_books["holders"], tmp_path / "noname.xlsm")
    (saved,) = libreoffice.convert([edited], convert_to="xlsm:Calc MS Excel 2007 VBA XML", ext="xlsm",
                                   out_dir=tmp_path / "lo", timeout=240, what="re-save the workbook")
    assert openpyxl.load_workbook(saved, data_only=True)["Results"]["C27"].value == "#NAME?"  # InducedTest, a flag
    report = validate(saved, legs=("formulas",))
    stale = [str(f) for f in report.findings if "stale" in f.what or "doctored" in f.what]
    assert stale == []
    kept = [f for f in report.findings if f.leg == "saved"]
    assert kept and all(f.what.endswith(f"saved value differs from the engine; {FOLLOWS}") for f in kept), kept
    assert "Results!C27" in [f.where for f in kept] or any("more saved value(s) differ from the engine, following "
                                                           "from the name Tendered, deleted" in n for n in report.notes)


def test_names_deleted_or_pointed_elsewhere_are_counted_after_the_other_causes():
    typed = Overridden(["Results!C26"])
    both = with_names(typed, [_finding("name Tendered", "name is missing"),
                              _finding("name OriginalRatio", "name refers elsewhere"),
                              _finding("Results!C26", "formula replaced by a value")])
    assert isinstance(both, WithNames) and both.ids == ("name Tendered", "name OriginalRatio")
    assert typed_over_why(both).endswith(
        "; or it follows from the names Tendered and OriginalRatio, deleted or pointed at other cells (named in "
        "findings of their own: the formulas that read them compute from other cells, or #NAME?, the engine reads "
        "the layout's cells): put each back as its finding says (Formulas > Name Manager), or rebuild the workbook, "
        "then validate again")
    assert typed_over_why(both).startswith("it follows from the value typed over the formula of Results!C26")
    assert typed_over_rest(12, "figure(s)", both) == (
        "2 more figure(s) differ from the engine, following from the values typed over formulas, or the names "
        "Tendered and OriginalRatio, deleted or pointed at other cells (the first 10 are shown)")
    one = with_names(Overridden(), [_finding("name OriginalRatio", "name refers elsewhere")])
    assert typed_over_why(one, may=True).startswith(
        "it may follow from the name OriginalRatio, pointed at another cell (named in a finding of its own: the "
        "formulas that read it read that cell, the engine reads the layout's cell): point it back as that finding says")
    assert with_names(typed, [_finding("Results!C26", "formula replaced by a value")]) is typed


def _finding(where: str, what: str):
    from xlpy.workbook.findings import Finding

    return Finding("b.xlsm", where, what)
