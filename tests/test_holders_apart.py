"""A holder's lines apart in the workbook's holder table: the table sorted in Excel by another column than Holder.

The holder table's formulas add up a holder's lines only over rows next to each other (``=IF(B22=B21,H21,0)+G22``).
Review 93 sorted a refreshed holder workbook's table by units: holder R-30020's two lines fell apart, the workbook
counted it twice (294 holders, not 293) and rounded its shares and cash in lieu on each line, and ``xlpy validate``
gave 31 figures differing from the engine with nothing naming the cause (a sort keeps every line, so the table
still held the tally's lines: no ``sources`` finding).  Now the holder is named at its cell, and the figures say
they follow from it; ``xlpy compute``, ``release`` and ``entries`` given the workbook warn of it
(test_offer_from_workbook).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlpy.cli import main
from xlpy.workbook.holders_apart import APART, apart, said
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.validate import validate

#: How each figure that differs says it follows from a holder's lines apart (at *cell*).
FOLLOWS = ("it follows from a holder's lines apart in the holder table ({cell}, named in a finding of its own): sort "
           "the table by Holder, or refresh it from the tally, then validate again")


def _sorted(book: Path, key, to: Path) -> Path:
    """*book* with its holder table's input columns (Holder to Status) sorted by *key* of each row's values, as
    Excel's Sort over those columns leaves them (the formula columns stay), saved as *to*."""
    wb = load_workbook(book, keep_vba=True)
    sheet, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblTenders")
    ws = wb[sheet.title]
    first, last = t.letter("holder"), t.letter("status")
    rows = [[c.value for c in row] for row in ws[f"{first}{t.first_row}:{last}{t.last_row}"]]
    for cells, values in zip(ws[f"{first}{t.first_row}:{last}{t.last_row}"], sorted(rows, key=key)):
        for cell, value in zip(cells, values):
            cell.value = value
    wb.save(to)
    return to


def _rows_of(book: Path, holder: str) -> list[int]:
    ws = load_workbook(book)["Tenders"]
    return [cell.row for (cell,) in ws["B21:B320"] if cell.value == holder]


def test_a_table_sorted_by_units_names_the_holder_whose_lines_fell_apart(standard_books, tmp_path, capsys):
    book = _sorted(standard_books.copy_into("holders", tmp_path), lambda r: -r[2], tmp_path / "sorted.xlsm")
    rows = _rows_of(book, "R-30020")
    assert len(rows) == 2 and rows[1] > rows[0] + 1  # (its two lines, apart)
    report = validate(book, legs=("formulas",))
    cell = f"Tenders!B{rows[1]}"
    assert str(report.findings[0]) == (
        f"sorted.xlsm: {cell}: holder 'R-30020' has lines in rows {rows[0]} and {rows[1]}, not next to each other: "
        "the table's formulas add up a holder's lines only where they are together, so the workbook counts this "
        "holder once for each group of its lines and works out its acceptance, shares and cash in lieu on each apart "
        "(the engine takes all its lines together); sort the table by Holder, or refresh it from the tally (xlpy "
        "refresh writes each holder's lines together) [inputs]")
    figures = report.findings[1:]
    assert figures and all(f.leg == "formulas" for f in figures)  # (no sources finding: the table holds its lines)
    assert all(f.what.endswith(f"differs from the engine; {FOLLOWS.format(cell=cell)}") for f in figures), figures[0]
    assert "Tenders!C17" in [f.where for f in figures]  # HolderCount: 294 in the workbook, 293 by the engine
    (rest,) = [n for n in report.notes if "more figure(s)" in n]
    assert rest.endswith(" more figure(s) differ from the engine, following from a holder's lines apart (the first "
                         "10 are shown)")
    assert main(["validate", str(book), "--no-libreoffice", "-q"]) == 1
    assert capsys.readouterr().out.startswith(f"sorted.xlsm: {cell}: holder 'R-30020' has lines in rows ")


def test_a_table_sorted_by_holder_again_is_valid(standard_books, tmp_path):
    """Sorting by Holder puts each holder's lines together: nothing is apart, and the figures are the engine's."""
    book = _sorted(standard_books.copy_into("holders", tmp_path), lambda r: -r[2], tmp_path / "sorted.xlsm")
    again = _sorted(book, lambda r: r[0], tmp_path / "again.xlsm")
    report = validate(again, legs=("formulas",))
    assert report.findings == [], report.findings[:2]


def test_the_first_ten_holders_apart_are_named_and_the_rest_counted():
    lay = layout(Shape(tally="holders", holder_rows=40))
    ids = [f"H{i:02d}" for i in range(13)] * 2 + ["Z"] * 3 + ["A", "B", "A", "B", "A", "C"] + ["D"] * 5
    found = said(lay, ids)
    assert len(found) == 11
    assert found[0] == ("Tenders!B34", f"holder 'H00' has lines in rows 21 and 34, {APART}")
    assert found[-1] == ("Tenders!B21:B60", "5 more holders have lines apart like these (the first 10 are named)")
    assert said(lay, ids, 3)[-1] == ("Tenders!B21:B60", "12 more holders have lines apart like these (the first 3 "
                                     "are named)")
    assert apart(["A", "B", "A", "B", "A", "A", "C", "A"], 21) == [("A", [21, 23, 25, 28]), ("B", [22, 24])]
    assert said(lay, ["A", "B", "A", "B", "A", "A", "C", "A"])[0][1].startswith(
        "holder 'A' has lines in rows 21, 23, 25 and 1 more, not next to each other")
    assert said(lay, ["A", "B", "A"])[0][1].startswith("holder 'A' has lines in rows 21 and 23, not next")
    assert apart([], 21) == [] and apart(["A", "A", "B", "C", "C"], 21) == []
    assert apart(["a", "A"], 21) == []  # (two ids, as the engine groups them: letter case is typed_ids' finding)
    assert said(layout(Shape()), ["A", "B", "A"]) == []  # (aggregate counts: no holder table)


def test_a_long_table_is_looked_at_in_one_pass():
    """100,000 lines: sorted by holder, at C speed; sorted by units (half the holders apart), one pass of a dict."""
    together = [f"H{i // 2:06d}" for i in range(100_000)]
    assert apart(together, 21) == []
    shuffled = together[::2] + together[1::2]  # (each holder's second line 50,000 rows below its first)
    found = apart(shuffled, 21)  # (some 50 ms; a pair of rows compared for each holder would take minutes: seen as
    assert len(found) == 50_000 and found[0] == ("H000000", [21, 50_021])  # a stalled suite, not a timed assert)


def test_an_id_typed_with_a_space_beside_its_holders_line_is_named(standard_books, tmp_path, capsys):
    """Review 95: ``'R-30020 '`` typed on the line after ``R-30020``: the engine reads ids without their spaces (one
    holder), the table's ``=IF(B316=B315,...)`` compares them as typed (two), and validate gave 31 figures differing
    with no cause named, compute no warning.  The id is named at its cell, the figures say they follow from it, and
    compute warns in the same words; an id typed with a space where no line of its holder is next to it is passed."""
    book = tmp_path / "spaced.xlsm"
    wb = load_workbook(standard_books.copy_into("holders", tmp_path), keep_vba=True)
    ws = wb["Tenders"]
    rows = [cell.row for (cell,) in ws["B21:B320"] if cell.value == "R-30020"]
    assert len(rows) == 2 and rows[1] == rows[0] + 1
    lone = next(cell for (cell,) in ws["B21:B320"] if [c.value for (c,) in ws["B21:B320"]].count(cell.value) == 1)
    ws[f"B{rows[1]}"], lone.value = "R-30020 ", f" {lone.value}"
    wb.save(book)
    why = (f"Tenders!B{rows[1]}: TenderHolder has a space before or after it where the holder id on row {rows[0]} "
           "('R-30020') is typed otherwise: the table's formulas compare ids as typed, so the workbook counts this "
           "line apart from the holder's other lines, the engine (which reads ids without their spaces) takes them "
           "together; delete the space, got 'R-30020 '")
    report = validate(book, legs=("formulas",))
    inputs = [str(f) for f in report.findings if f.leg == "inputs"]
    assert inputs == [f"spaced.xlsm: {why} [inputs]"]  # (the lone id with a space is not named)
    holders = next(f for f in report.findings if f.where == "Tenders!C17")
    assert f"it follows from the holder id typed at Tenders!B{rows[1]}" in holders.what
    assert main(["compute", str(book)]) == 0
    assert f"xlpy compute: warning: spaced.xlsm: {why}" in capsys.readouterr().err.splitlines()


def test_a_refresh_computing_from_a_table_with_lines_apart_warns(standard_books, tmp_path, capsys):
    """Review 95: a workbook recording no tally, its holder table sorted by units, refreshed from a price file: the
    refresh computes from the table as it stands and saved the engine's figures (293 holders) without a word, while
    the workbook's formulas count 294.  It warns, as validate names the holder; a refresh that then writes nothing
    says no figure was saved (review 161)."""
    from repo_paths import PRICES

    book = _sorted(standard_books.copy_into("holders", tmp_path), lambda r: -r[2], tmp_path / "sorted.xlsm")
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    for name in ("TallySource", "TallySha256", "TallyRows"):  # (no tally recorded: the table is what it computes from)
        sheet, ref = lay.cell(name)
        wb[sheet][ref] = None
    wb.save(book)
    prices = (tmp_path / PRICES).read_text().splitlines()
    prices[1] += "0"  # (a day's volume changed: the refresh has work to do)
    (tmp_path / "p2.csv").write_text("\n".join(prices) + "\n")
    rows = _rows_of(book, "R-30020")
    assert main(["refresh", str(book), "--prices", str(tmp_path / "p2.csv"), "--no-backup"]) == 0
    err = capsys.readouterr().err
    assert (f"xlpy refresh: warning: sorted.xlsm: Tenders!B{rows[1]}: holder 'R-30020' has lines in rows {rows[0]} "
            f"and {rows[1]}, {APART}; the figures this refresh saved with the workbook are the engine's, not those its "
            "formulas compute (xlpy validate names those that differ)") in err.splitlines()
    # review 161: refreshed again from the same file, nothing is written: the lines apart are said, no figure saved
    assert main(["refresh", str(book), "--prices", str(tmp_path / "p2.csv"), "--no-backup"]) == 0
    out, err = capsys.readouterr()
    assert "nothing to refresh" in out
    assert (f"xlpy refresh: warning: sorted.xlsm: Tenders!B{rows[1]}: holder 'R-30020' has lines in rows {rows[0]} "
            f"and {rows[1]}, {APART}") in err.splitlines(), err


def test_the_figures_following_from_many_holders_apart_say_how_many_are_named():
    """Review 95: past the ten holders named, the figures said all of them were "named in findings of their own"
    (Tenders!B84, Tenders!B254 and 13 more, named in ...), where five were only counted in one finding."""
    from xlpy.workbook.holders_apart import WithApart

    cells = [f"Tenders!B{row}" for row in range(30, 40)]
    many = WithApart([], cells, 5).why("it follows", lambda typed: "")
    assert many.startswith("it follows from the lines of 15 holders apart in the holder table (Tenders!B30, "
                           "Tenders!B31 and 13 more, the first 10 named in findings of their own, the other 5 "
                           "counted in one): sort the table by Holder"), many
    few = WithApart([], cells[:3], 0).why("it follows", lambda typed: "")
    assert "(Tenders!B30, Tenders!B31 and 1 more, named in findings of their own)" in few, few


def test_the_holders_counted_past_those_named_are_carried_by_the_findings_not_read_back_from_their_words():
    """The figures following from holders' lines apart took the holders named from the words of their findings, and
    the number counted past them from the words of the line counting them ("3 more holders have lines apart..."):
    findings worded otherwise would have lost them.  The findings carry both; ``--json`` shows neither."""
    import dataclasses
    from types import SimpleNamespace

    from xlpy.workbook.findings import Finding, Report
    from xlpy.workbook.holders_apart import findings, with_apart

    lay = layout(Shape(tally="holders", holder_rows=40))
    ids = [f"H{i:02d}" for i in range(13)] * 2 + ["Z"] * 14  # (13 holders apart: the first 10 named, 3 counted)
    found = findings("b.xlsm", lay, SimpleNamespace(tally=SimpleNamespace(holders=SimpleNamespace(holder_id=ids))))
    assert [(f.where, f.what) for f in found] == said(lay, ids)
    reworded = [dataclasses.replace(f, what=f"worded otherwise ({i})") for i, f in enumerate(found)]
    for given in (found, reworded):
        typed = with_apart([], given, lay)
        assert (typed.ids, typed.more_apart) == (tuple(f.where for f in found[:10]), 3)
    words = Finding("b.xlsm", "Tenders!B21:B60", found[-1].what, leg="inputs")  # (the words alone: another finding's)
    assert with_apart([], [words], lay) == []
    report = Report("b.xlsm", found, [], [])
    assert list(report.to_dict()["findings"][-1]) == ["workbook", "where", "what", "expected", "found", "leg"]


@pytest.mark.libreoffice
def test_the_holder_apart_is_named_before_the_saved_figures_that_follow_from_it(standard_books, tmp_path):
    """Review 95: in a workbook sorted and saved by a program that recalculates (its saved figures those of its
    formulas), the saved figures citing "(Tenders!B84, named in a finding of its own)" came before that finding."""
    from xlpy.workbook import libreoffice

    book = _sorted(standard_books.copy_into("holders", tmp_path), lambda r: -r[2], tmp_path / "sorted.xlsm")
    (saved_by_lo,) = libreoffice.convert([book], convert_to="xlsm:Calc MS Excel 2007 VBA XML", ext="xlsm",
                                         out_dir=tmp_path / "lo", timeout=240, what="re-save the workbook")
    found = validate(saved_by_lo, legs=()).findings
    apart_at = next(i for i, f in enumerate(found) if APART in f.what)
    saved = [i for i, f in enumerate(found) if f.leg == "saved"]
    assert saved and apart_at < min(saved), [(f.where, f.leg) for f in found]


def test_a_sort_keeping_each_holder_s_lines_together_is_named_as_a_sort(standard_books, tmp_path):
    """Review 98: the table sorted by Holder Z to A, every column moved as a spreadsheet sort moves it (each formula's
    references with its row), keeps each holder's lines together and computes every figure the engine does, but the
    first row's own formula (the running total starts there) moves with its line: its two cells are named, saying a
    sort did it and how to put it back, where they read as formulas edited, with no word of what to do."""
    from xlpy.workbook.formula_text import shifted

    book = standard_books.copy_into("holders", tmp_path)
    wb = load_workbook(book, keep_vba=True)
    sheet, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblTenders")
    ws = wb[sheet.title]
    span = f"{t.letter('holder')}{t.first_row}:{t.letter('fraction')}{t.last_row}"
    rows = [[(c.column_letter, c.row, c.value) for c in row] for row in ws[span]]
    moved = sorted(rows, key=lambda r: r[0][2], reverse=True)  # (a stable sort: each holder's lines in their order)
    for cells, line in zip(ws[span], moved):
        for cell, (letter, row, value) in zip(cells, line):
            is_formula = isinstance(value, str) and value.startswith("=")
            cell.value = shifted(value, f"{letter}{row}", f"{letter}{cell.row}") if is_formula else value
    wb.save(tmp_path / "sorted.xlsm")
    report = validate(tmp_path / "sorted.xlsm", legs=("formulas",))
    assert [f.where for f in report.findings] == [f"Tenders!H{t.first_row}", f"Tenders!H{t.last_row}"]
    assert all(f.what == "formula differs from the layout: the table's first row has a formula of its own (a "
               "holder's running total starts there), which a sort moves with its line: sort the table by Holder (A "
               "to Z), as build and refresh write it, or refresh it from the tally" for f in report.findings)
    assert report.findings[1].found == f"'=G{t.last_row}'"


@pytest.mark.parametrize("edits", [{"first": "=IF(B{first}=B{before},H{before},0)+G{first}"}, {"last": "=G{last}"}])
def test_one_such_formula_typed_by_hand_is_no_sort(standard_books, tmp_path, edits):
    """Review 101: the first row given a later row's formula by hand, or a later row the first row's, is an edit, not
    a sort (sorting by Holder would not mend it): told as a formula differing, with no word of a sort."""
    book = standard_books.copy_into("holders", tmp_path)
    wb = load_workbook(book, keep_vba=True)
    sheet, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblTenders")
    rows = {"first": t.first_row, "last": t.last_row, "before": t.first_row - 1}
    for which, formula in edits.items():
        wb[sheet.title][f"H{rows[which]}"] = formula.format(**rows)
    wb.save(tmp_path / "edited.xlsm")
    report = validate(tmp_path / "edited.xlsm", legs=("formulas",))
    structure = [f for f in report.findings if f.leg == "structure"]
    assert [f.what for f in structure] == ["formula differs from the layout"], structure


def test_a_running_total_cleared_beside_another_edited_is_told_without_a_sort(standard_books, tmp_path):
    """A cell of the running total cleared (no cell left in the file) beside another edited: both told as they are,
    where the sort check read the cleared cell and failed (KeyError)."""
    book = standard_books.copy_into("holders", tmp_path)
    wb = load_workbook(book, keep_vba=True)
    sheet, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblTenders")
    ws = wb[sheet.title]
    del ws._cells[t.first_row + 1, 8]  # (no cell left in the file: cleared, its format too)
    ws[f"H{t.first_row + 2}"] = f"=G{t.first_row + 2}"
    wb.save(tmp_path / "cleared.xlsm")
    report = validate(tmp_path / "cleared.xlsm", legs=())
    told = [(f.where, f.what) for f in report.findings if f.leg == "structure"]
    assert told == [(f"Tenders!H{t.first_row + 1}", "formula replaced by a value"),
                    (f"Tenders!H{t.first_row + 2}", "formula differs from the layout")], told
