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
from xlpy.workbook.formulas_back import EDITED_NOT_SAVED
from xlpy.workbook.saved_values import TYPED_OVER_SHOWN, Overridden, typed_over_rest, typed_over_why
from xlpy.workbook.validate import validate

FOLLOWS = ("it follows from the name Tendered, deleted (named in a finding of its own: the formulas that read it "
           "compute #NAME?, the engine reads the layout's cell): define it again as that finding says (Formulas > "
           "Name Manager), or rebuild the workbook, then validate again")


def _without(book: Path, to: Path, *names: str) -> Path:
    wb = openpyxl.load_workbook(book, keep_vba=True)
    for name in names or ("Tendered",):
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
    defined["EntryDebits"] = "'Entries'!$D$1:$D$2"  # (a table's column over other rows: the table's to reset)
    assert off(defined.get, lay) == ["name OriginalRatio", f"name Tendered{DELETED}"]
    del defined["EntryDebits"], defined["TenderUnits"]  # (its formulas compute #NAME?, a table's column or not)
    assert off(defined.get, lay) == [f"name EntryDebits{DELETED}", "name OriginalRatio", f"name TenderUnits{DELETED}",
                                     f"name Tendered{DELETED}"]
    assert off(defined.get, lay, ("tblTenders", "tblHistory")) == [  # (a refresh writes those tables' names again)
        f"name EntryDebits{DELETED}", "name OriginalRatio", f"name Tendered{DELETED}"]


def _new_tally(standard_books, tmp_path: Path) -> Path:
    """A copy of the holder workbook, the tally its Cover records beside it changed (one holder's units): a refresh
    from it writes the holder table again."""
    from repo_paths import TALLY

    plain = standard_books.copy_into("holders", tmp_path)
    tally = tmp_path / TALLY
    text = tally.read_text(encoding="utf-8")
    assert "DTC-0024,600," in text
    tally.write_text(text.replace("DTC-0024,600,", "DTC-0024,700,"), encoding="utf-8")
    return plain


def test_a_refresh_saves_no_figure_beside_a_deleted_column_name_of_a_table_it_does_not_write(
        standard_books, tmp_path, capsys):
    """EntryDebits deleted (the Entries table's debits, which no refresh rewrites): Entries' total computes #NAME?,
    and the refresh saved the engine's total beside it without a word; it saves none now and says why, in the words
    a single cell's name deleted gets.  TenderUnits deleted with it is the holder table's, which a refresh from the
    tally writes again with its names: not named.  ``xlpy compute`` names EntryDebits too."""
    from xlpy import cli

    plain = _new_tally(standard_books, tmp_path)
    gone = _without(plain, tmp_path / "gone.xlsm", "EntryDebits", "TenderUnits")
    capsys.readouterr()
    for book in (plain, gone):
        assert cli.main(["refresh", str(book), "--no-backup"]) == 0
    out, err = capsys.readouterr()
    assert err.count("not as the layout has") == 1, err
    assert "Tenders: the name TenderUnits was deleted; the table and its names were reset to" in out + err, out
    assert "pointed at other rows" not in out + err  # (no row inserted or deleted to blame)
    assert "xlpy refresh: warning: gone.xlsm: name EntryDebits is deleted: the formulas that read it compute " \
           "#NAME?; define it again as Entries!D21:D26 (Formulas > Name Manager: a refresh does not), or rebuild the " \
           "workbook" in err.splitlines(), err
    assert "xlpy refresh: warning: gone.xlsm: the workbook is saved without the engine's figures beside its " \
           "formulas, as name EntryDebits (deleted) is not as the layout has it (a preview or pandas would show " \
           "the engine's figures, while the formulas compute others)" in err, err
    assert openpyxl.load_workbook(plain, data_only=True)["Entries"]["C15"].value > 0  # (the debits' total, saved)
    assert openpyxl.load_workbook(gone, data_only=True)["Entries"]["C15"].value is None
    names = openpyxl.load_workbook(gone).defined_names
    assert "EntryDebits" not in names and names["TenderUnits"].attr_text == "'Tenders'!$D$21:$D$319"
    assert cli.main(["compute", str(gone)]) == 0
    assert "xlpy compute: warning: gone.xlsm: name EntryDebits is deleted (the formulas that read it compute " \
           "#NAME?): the workbook's own figures follow from what it holds, these figures are the engine's from its " \
           "inputs; xlpy validate gone.xlsm names those that differ and the name to define again (xlpy refresh does " \
           "not)" in \
           capsys.readouterr().err.splitlines()


def test_a_refresh_of_the_tally_alone_names_a_deleted_column_name_of_the_price_table(standard_books, tmp_path):
    """The Refresh Tally button rewrites the holder table and History, not the price table: PricePrices deleted
    (the window's average computes #NAME?) stays deleted, so the refresh saves no figure and names it; the Refresh
    Prices button, which writes the price table and its names again, does not."""
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.refresh import refresh_prices, refresh_tenders

    gone = _without(_new_tally(standard_books, tmp_path), tmp_path / "gone.xlsm", "PricePrices")
    with PackageBook(gone) as book:
        report = refresh_tenders(book)
    assert report.changed and [n for n in report.notes if "PricePrices" in n] == [
        "warning: name PricePrices is deleted: the formulas that read it compute #NAME?; define it again as "
        "Prices!C13:C51 (Formulas > Name Manager: a refresh does not), or rebuild the workbook",
        EDITED_NOT_SAVED.format(what=f"name PricePrices{DELETED} is", them="it")], report.notes
    with PackageBook(gone) as book:  # (the file as it was: the tally's refresh was not saved)
        report = refresh_prices(book)
    assert report.changed and not [n for n in report.notes if "not as the layout has" in n], report.notes


def test_a_refresh_switching_to_counts_names_no_deleted_column_of_the_holder_table(standard_books, tmp_path, capsys):
    """A refresh from aggregate counts switches the holder workbook (its Tenders as a build writes it, the holder
    table's names removed): TenderUnits deleted before it is gone with the table, not a name to define again."""
    from xlpy import cli

    gone = _without(standard_books.copy_into("holders", tmp_path), tmp_path / "gone.xlsm", "TenderUnits")
    counts = tmp_path / "counts.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n280000,3000,500\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["refresh", str(gone), "--tally", str(counts), "--no-backup"]) == 0
    err = capsys.readouterr().err
    assert "not as the layout has" not in err and "TenderUnits" not in err, err
    assert openpyxl.load_workbook(gone, data_only=True)["Entries"]["C15"].value > 0  # (the figures saved)


def test_a_workbook_as_built_names_no_column(standard_books, tmp_path, capsys):
    """A workbook built, refreshed, and saved again by openpyxl (as a person's edit in Excel saves it): no column
    name is called deleted, by a refresh or by compute."""
    from xlpy import cli

    plain, again = _new_tally(standard_books, tmp_path), tmp_path / "again.xlsm"
    capsys.readouterr()
    assert cli.main(["refresh", str(plain), "--no-backup"]) == 0
    wb = openpyxl.load_workbook(plain, keep_vba=True)
    wb.save(again)
    tally = tmp_path / "hecla-2004-tally.csv"
    tally.write_text(tally.read_text(encoding="utf-8").replace("DTC-0024,700,", "DTC-0024,800,"), encoding="utf-8")
    assert cli.main(["refresh", str(again), "--no-backup"]) == 0 and cli.main(["compute", str(again)]) == 0
    assert openpyxl.load_workbook(again, data_only=True)["Entries"]["C15"].value > 0  # (the figures saved)
    assert "deleted" not in capsys.readouterr().err


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


def test_a_name_pointed_at_another_cell_is_a_finding_of_its_own(standard_books, tmp_path):
    """A mutation review: a name pointed at another cell never named (only the figures reading it differing, each
    saying it follows from a finding not there) survived the tests of the validator's names."""
    sheet, ref = _lay(standard_books["plain"]).names["Price"]
    wb = openpyxl.load_workbook(standard_books["plain"], keep_vba=True)
    wb.defined_names["Price"].attr_text = f"'{sheet}'!$D$1"
    wb.save(tmp_path / "elsewhere.xlsm")
    report = validate(tmp_path / "elsewhere.xlsm", legs=("formulas",))
    assert [(f.where, f.what, f.expected, f.found) for f in report.findings if f.leg == "structure"] == [
        ("name Price", "name refers elsewhere", f"'{sheet}'!{ref}", f"'{sheet}'!$D$1")]
    figures = [f for f in report.findings if f.leg == "formulas"]
    assert figures and all("it follows from the name Price, pointed at another cell" in f.what for f in figures)


def test_the_figures_following_from_a_table_s_column_name_deleted_say_the_engine_reads_the_layout_s_cells(
        standard_books, tmp_path):
    """EntryDebits (the Entries table's debits, 'Entries'!$D$21:$D$26) deleted: the figures following from it said
    the engine reads "the layout's cell", as of a single cell's name (Tendered); a column's name spans cells."""
    path = _without(standard_books["holders"], tmp_path / "nocolumn.xlsm", "EntryDebits")
    report = validate(path, legs=("formulas",))
    assert [(f.where, f.what, f.expected) for f in report.findings if f.leg == "structure"] == [
        ("name EntryDebits", "name is missing", "'Entries'!$D$21:$D$26")]
    figures = [f for f in report.findings if f.leg == "formulas"]
    follows = FOLLOWS.replace("Tendered", "EntryDebits").replace("the layout's cell)", "the layout's cells)")
    assert figures and all(f.what.endswith(f"differs from the engine; {follows}") for f in figures), figures[0].what
    assert "Entries!C15" in [f.where for f in figures]  # (EntriesDebits, the total of the column)
    elsewhere = with_names(Overridden(), [_finding("name TenderUnits", "name refers elsewhere",
                                                   "'Tenders'!$D$21:$D$319")])  # (a column over other cells)
    assert typed_over_why(elsewhere).startswith(
        "it follows from the name TenderUnits, pointed at other cells (named in a finding of its own: the formulas "
        "that read it read those cells, the engine reads the layout's cells): point it back as that finding says")


def test_the_figures_following_from_several_names_say_what_their_formulas_compute(standard_books, tmp_path):
    """Tendered and EntryDebits both deleted: the figures following from them said their formulas "compute from
    other cells, or #NAME?", though no name pointed elsewhere; they compute #NAME?, and names all pointed elsewhere
    compute from other cells (both where some are deleted: the test above)."""
    path = _without(standard_books["holders"], tmp_path / "nonames.xlsm", "Tendered", "EntryDebits")
    report = validate(path, legs=("formulas",))
    assert [f.where for f in report.findings if f.leg == "structure"] == ["name EntryDebits", "name Tendered"]
    figures = [f for f in report.findings if f.leg == "formulas"]
    assert figures and all(f.what.endswith(
        "differs from the engine; it follows from the names EntryDebits and Tendered, deleted (named in findings of "
        "their own: the formulas that read them compute #NAME?, the engine reads the layout's cells): put each back "
        "as its finding says (Formulas > Name Manager), or rebuild the workbook, then validate again")
        for f in figures), figures[0].what
    elsewhere = with_names(Overridden(), [_finding("name OriginalRatio", "name refers elsewhere"),
                                          _finding("name Tendered", "name refers elsewhere")])
    assert "the formulas that read them compute from other cells, the engine reads the layout's cells): put each " \
           "back" in typed_over_why(elsewhere), typed_over_why(elsewhere)


def test_a_workbook_as_built_gets_no_such_word(standard_books):
    report = validate(standard_books["holders"], legs=("formulas",))
    assert report.ok and not [n for n in report.notes if "name" in n], report.notes


@pytest.mark.libreoffice
def test_both_recalculations_find_the_same_name_error_in_one_line(standard_books, tmp_path):
    """A figure reading a name deleted computes #NAME? in both recalculations, shown alike (the formulas library
    spells it #REF!, and the error read back from LibreOffice's copy was quoted as a text): one line names both
    legs, where each leg's line stood apart (``found #REF! [formulas]``, ``found '#NAME?' [libreoffice]``)."""
    from xlpy.workbook.findings import lines

    report = validate(_without(standard_books["holders"], tmp_path / "noname.xlsm"))
    assert report.legs_run[-2:] == ["formulas", "libreoffice"], report.findings
    said = [line for line in lines(report.findings) if FOLLOWS in line]
    assert said and all(not line.endswith(("[formulas]", "[libreoffice]")) for line in said
                        if "found #NAME?" in line or "#REF!" in line), said
    assert any(line.endswith("found #NAME? [formulas, libreoffice]") for line in said), said
    assert not any("#REF!" in line or "'#NAME?'" in line for line in lines(report.findings)), said


@pytest.mark.libreoffice
def test_a_copy_libreoffice_saved_with_a_name_deleted_is_not_called_stale(standard_books, tmp_path):
    """LibreOffice saves #NAME? beside the formulas that read the name: those saved values are the workbook's own
    calculation (the formulas leg computes #NAME? for it too), so each says it follows from the name, none that the
    file looks stale and wants recalculating in Excel, which cannot mend it."""
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


def _finding(where: str, what: str, expected: str = ""):
    from xlpy.workbook.findings import Finding

    return Finding("b.xlsm", where, what, expected)


def test_the_names_a_refresh_writes_again_are_said_in_the_singular_or_the_plural():
    """Review 142: one name said as "the names TenderUnits were deleted"; review 146: both numbers tested."""
    from xlpy.workbook import table_edits
    from xlpy.workbook.layout import Shape, layout

    _, t = layout(Shape(tally="holders", holder_rows=10)).table("tblTenders")
    one = table_edits.extent_note("Tenders", t, None, ["TenderUnits"], t, gone=["TenderUnits"])
    two = table_edits.extent_note("Tenders", t, None, ["TenderUnits", "TenderHolder"], t,
                                  gone=["TenderUnits", "TenderHolder"])
    moved = table_edits.extent_note("Tenders", t, (t.header_row, t.last_row), ["TenderUnits"], t)
    assert one.startswith("Tenders: the name TenderUnits was deleted; the table and its names were reset to"), one
    assert two.startswith("Tenders: the names TenderUnits, TenderHolder were deleted; the table"), two
    assert moved.startswith("Tenders: the name TenderUnits pointed at other cells: defined again by hand;"), moved
