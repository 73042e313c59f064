"""Holder ids no agent meant, typed into the workbook's holder table rather than read from a tally.

Every tally reader refuses an id that prints as another line's but differs (a zero-width space, a dash of another
kind, a Cyrillic letter), an Excel error, a date and TRUE (test_holder_ids).  Typed into Tenders' table in Excel,
the same id split one holder in two just as well, and ``xlpy validate`` called the workbook valid; a refresh that
computes from the table (the Prices button, or a workbook recording no tally file) wrote its figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from repo_paths import DATA, PRICES, TALLY

from xlpy.cli import main
from xlpy.engine.errors import InputErrors
from xlpy.workbook.validate import validate


def _typed(standard_books, tmp_path: Path, typed: dict[str, object], *, no_tally: bool = False) -> Path:
    """A copy of the standard holder workbook (with its files) with *typed* {cell of Tenders: value} typed in; with
    *no_tally*, the Cover records no tally file (the holder table typed, not refreshed from one)."""
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    book = standard_books.copy_into("holders", tmp_path)
    wb = load_workbook(book, keep_vba=True)
    assert [wb["Tenders"][f"B{row}"].value for row in (20, 21, 22)] == ["Holder", "DTC-0022", "DTC-0024"]
    for ref, value in typed.items():
        wb["Tenders"][ref] = value
    if no_tally:  # (and the tally History's row of the build names moved aside, kept.csv: none to hold it to)
        lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
        for name in ("TallySource", "TallySha256", "TallyRows"):
            sheet, ref = lay.cell(name)
            wb[sheet][ref] = None
        (book.parent / TALLY).rename(book.parent / "kept.csv")
    wb.save(book)
    return book


def _new_prices(tmp_path: Path) -> Path:
    """The price history and one more day, past the averaging window (the figures stay; the table grows)."""
    out = tmp_path / "new-prices.csv"
    out.write_text((DATA / PRICES).read_text(encoding="utf-8") + "2004-03-01,8.5,100000\n", encoding="utf-8")
    return out


LOOKS_LIKE = ("looks like the holder id on row {row} ({seen!r}) but differs in {named}: the two would count as two "
              "holders; give the one id on both lines, got {typed!r}")


@pytest.mark.parametrize("typed, row, seen, named", [
    ("DTC-0022\u200b", 21, "DTC-0022", "U+200B (ZERO WIDTH SPACE)"),
    ("DTC\u20110024", 22, "DTC-0024", "U+2011 (NON-BREAKING HYPHEN)"),
    ("D\u0422C-0022", 21, "DTC-0022", "U+0422 (CYRILLIC CAPITAL LETTER TE)"),
])
def test_validate_names_a_look_alike_id_typed_into_the_holder_table_and_still_compares(standard_books, tmp_path,
                                                                                     typed, row, seen, named):
    book = _typed(standard_books, tmp_path, {"B25": typed})
    report = validate(book, legs=("formulas",))
    said = LOOKS_LIKE.format(row=row, seen=seen, named=named, typed=typed)
    assert [str(f) for f in report.findings] == [
        f"book.xlsm: Tenders!B25: TenderHolder {said} [inputs]",
        f"book.xlsm: Tenders (the holder table): differs from the tally the Cover records ({TALLY}), typed since the "
        f"build: Tenders!B25 (DTC-0055): {typed!r}, the file 'DTC-0055': the figures are not the file's (a value that "
        "belongs goes in the file; a refresh writes the file's lines over these) [sources]"]  # (the tally's line too)
    assert report.legs_run == ["formulas"] and report.compared_by_leg["formulas"] > 100  # the figures still compared


def test_validate_names_an_id_typed_with_a_control_that_reorders_it_and_still_compares(standard_books, tmp_path):
    """Review 119 M3: ``DTC-\u202e2200`` shows as DTC-0022; a holder of its own to the formulas as to the engine,
    so the figures agree and none is said to follow from it (as for a look-alike)."""
    from xlpy.workbook.typed_ids import KIND

    typed = "DTC-\u202e2200"
    book = _typed(standard_books, tmp_path, {"B25": typed})
    report = validate(book, legs=("formulas",))
    first = report.findings[0]
    assert str(first) == (f"book.xlsm: Tenders!B25: TenderHolder holds U+202E (RIGHT-TO-LEFT OVERRIDE), a control of "
                          f"the order text is shown in, which may show its characters in another order than they are "
                          f"held: give the id without it, got {typed!r} [inputs]")
    assert first.kind != KIND and [f.leg for f in report.findings] == ["inputs", "sources"], report.findings


def test_validate_names_an_error_a_date_and_true_typed_as_holder_ids(standard_books, tmp_path):
    """A date is shown as its day, one with a time with it (a review: '2004-02-20T00:00:00')."""
    book = _typed(standard_books, tmp_path, {"B30": "#N/A", "B31": True, "B32": dt.datetime(2004, 2, 20),
                                             "B33": dt.datetime(2004, 2, 20, 14, 30)})
    found = [str(f) for f in validate(book, legs=()).findings if f.leg == "inputs"]
    assert found == [
        "book.xlsm: Tenders!B30: TenderHolder is an Excel error saved as a value (a lookup or formula that failed): "
        "give the holder's id, got '#N/A' [inputs]",
        "book.xlsm: Tenders!B31: TenderHolder is TRUE or FALSE, not a holder's id: give the holder's id, got true "
        "[inputs]",
        "book.xlsm: Tenders!B32: TenderHolder is a date, not a holder's id (Excel reads an account number such as "
        "2-20-2004 as one): format the column as Text, enter the ids again, and save the workbook again, got "
        "2004-02-20 [inputs]",
        "book.xlsm: Tenders!B33: TenderHolder is a date, not a holder's id (Excel reads an account number such as "
        "2-20-2004 as one): format the column as Text, enter the ids again, and save the workbook again, got "
        "2004-02-20 14:30:00 [inputs]"]


def test_a_refresh_computing_from_the_typed_table_refuses_it_and_one_rewriting_it_does_not(standard_books, tmp_path,
                                                                                         capsys):
    """A workbook recording no tally file keeps its table through a refresh of the prices, whose figures come
    from it: refused as a tally's reader refuses the line, nothing written.  A refresh from a tally rewrites the
    table from the tally's ids (its reader checks them): the typed id is gone, and no refusal."""
    book = _typed(standard_books, tmp_path, {"B25": "DTC-0022\u200b"}, no_tally=True)
    before = book.read_bytes()
    assert main(["refresh", str(book), "--prices", str(_new_prices(tmp_path)), "--no-backup"]) == 2
    said = LOOKS_LIKE.format(row=21, seen="DTC-0022", named="U+200B (ZERO WIDTH SPACE)", typed="DTC-0022\u200b")
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: book.xlsm: Tenders!B25: TenderHolder {said}",
                                                    f"xlpy refresh: {book} was not changed"]
    assert said.endswith("got 'DTC-0022\\u200b'")  # (the invisible character shown, escaped)
    assert book.read_bytes() == before
    assert main(["refresh", str(book), "--tally", str(tmp_path / "kept.csv"), "--no-backup", "-q"]) == 0
    assert validate(book, legs=()).findings == []


def test_the_prices_button_refuses_a_look_alike_id_in_the_table_it_keeps(standard_books, tmp_path):
    """The Prices button's refresh keeps the holder table and computes from it, whatever the Cover records."""
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.refresh import refresh_prices

    book = _typed(standard_books, tmp_path, {"B40": "DTC\u20110024"})
    with pytest.raises(InputErrors) as info:
        refresh_prices(PackageBook(book), _new_prices(tmp_path))
    said = LOOKS_LIKE.format(row=22, seen="DTC-0024", named="U+2011 (NON-BREAKING HYPHEN)", typed="DTC\u20110024")
    assert [str(p) for p in info.value.problems] == [f"Tenders!B40: TenderHolder {said}"]


def test_many_odd_ids_are_named_ten_and_counted():
    """A column of dates pasted in (Excel took each account number for one): ten named, one line for the rest."""
    from xlpy.workbook.typed_ids import SHOWN, odd_typed_ids

    raw = ["DTC-0022"] + [dt.date(2004, 2, d) for d in range(1, 16)]
    found = odd_typed_ids("Tenders", "B", 21, raw, [str(v) for v in raw], False)
    assert [p.field for p in found] == [f"Tenders!B{row}" for row in range(22, 22 + SHOWN)] + ["Tenders!B21:B36"]
    assert str(found[-1]) == "Tenders!B21:B36: TenderHolder: 5 more holder ids like these (the first 10 are shown)"
    text = [f"H{i:07d}" for i in range(1000)]
    assert odd_typed_ids("Tenders", "B", 21, text, text, True) == []  # (ASCII text: no finding, at C speed)


def test_ids_differing_only_in_letter_case_are_named_by_their_cells_as_a_tally_holding_them_is(standard_books,
                                                                                                tmp_path, capsys):
    """DTC-0022 and dtc-0022: a build or a refresh refuses a tally holding both (Excel compares text without
    regard to case, so the workbook's per-holder totals would join two holders the engine keeps apart).  Typed
    into the holder table, validate called the workbook valid, and a refresh computing from the table wrote it."""
    from xlpy.files import sources
    from xlpy.workbook.data import holder_problems

    tally = tmp_path / "t.csv"
    tally.write_text("holder_id,units,method,status\nDTC-0022,10,book-entry,tendered\ndtc-0022,5,book-entry,"
                     "tendered\n", encoding="utf-8")
    (said,) = holder_problems(sources.read_tally(tally), "t.csv", 21)  # (what build and refresh say of a tally)
    assert said.field == "t.csv: row 3, column holder_id" and "row 2 ('DTC-0022') only in letter case" in said.reason
    reason = said.reason.replace("row 2 ", "row 21 ")  # (the table's first line, on row 21 of Tenders)
    book = _typed(standard_books, tmp_path, {"B25": "dtc-0022"}, no_tally=True)
    found = [str(f) for f in validate(book, legs=()).findings]
    assert found == [f"book.xlsm: Tenders!B25: TenderHolder {reason}, got 'dtc-0022' [inputs]"]
    before = book.read_bytes()
    assert main(["refresh", str(book), "--prices", str(_new_prices(tmp_path)), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: book.xlsm: Tenders!B25: TenderHolder {reason}, got 'dtc-0022'",
        f"xlpy refresh: {book} was not changed"]
    assert book.read_bytes() == before


def test_case_twins_are_found_wherever_they_are_and_one_case_ascii_passes_at_c_speed():
    from xlpy.files.holder_ids import case_twins

    ids = ["Smith", "Jones", "SMITH", "jones", "Smith", "Ölund", "ölund"]
    assert [(i, why.split(" only")[0]) for i, why in case_twins(ids, lambda i: i + 2)] == [
        (2, "differs from the holder id on row 2 ('Smith')"), (3, "differs from the holder id on row 3 ('Jones')"),
        (6, "differs from the holder id on row 7 ('Ölund')")]
    assert case_twins([f"DTC-{i:04d}" for i in range(1000)], lambda i: i) == []
    assert case_twins(["Smith", "Jones", "Smith"], lambda i: i) == []  # (one id on two lines: one holder)


def test_the_figures_following_from_an_error_typed_as_a_holder_id_do_not_drown_it(standard_books, tmp_path, capsys):
    """``#N/A`` typed (or pasted) into the holder column makes every total after it ``#N/A`` in the workbook: the id
    was named, and then some hundred figures of each recalculation, one a line.  The id comes first; ten figures a
    leg say they follow from it, a note counts the rest, and the workbook is still not valid (exit 1)."""
    from xlpy.workbook.saved_values import TYPED_OVER_SHOWN

    book = _typed(standard_books, tmp_path, {"B30": "#N/A"})
    assert load_workbook(book)["Tenders"]["B30"].data_type == "e"  # (an error cell, as Excel saves one)
    report = validate(book, legs=("formulas",))
    inputs, sources, figures = ([f for f in report.findings if f.leg == leg] for leg in ("inputs", "sources",
                                                                                         "formulas"))
    assert [f.where for f in inputs] == ["Tenders!B30"] and report.findings[0] == inputs[0]
    assert len(sources) == 1 and "Tenders!B30 (DTC-0138): '#N/A', the file 'DTC-0138'" in sources[0].what
    assert len(figures) == TYPED_OVER_SHOWN and len(report.findings) == 2 + TYPED_OVER_SHOWN
    assert all(f.what.endswith(
        "differs from the engine; it follows from the holder id typed at Tenders!B30 (named in a finding of its own; "
        "the workbook's formulas read it otherwise than the engine): mend it as that finding says, then validate "
        "again") for f in figures), figures[0]
    (rest,) = [n for n in report.notes if "more figure(s)" in n]
    assert rest.startswith("formulas leg: ") and rest.endswith(
        " more figure(s) differ from the engine, following from the holder id named at its cell (the first 10 are "
        "shown)")
    assert int(rest.split()[2]) > 50  # (before: each of them a finding)
    assert main(["validate", str(book), "--no-libreoffice", "-q"]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("book.xlsm: Tenders!B30: TenderHolder is an Excel error")


def test_a_value_typed_over_a_formula_beside_a_bad_id_is_still_named_and_the_figures_say_either(standard_books,
                                                                                              tmp_path):
    """The cap keeps the validator honest: a formula typed over elsewhere is its own finding, and the figures name
    both causes; three bad ids are counted, two named."""
    book = _typed(standard_books, tmp_path, {"B30": "#N/A", "B31": True, "B32": "dtc-0022"})
    wb = load_workbook(book, keep_vba=True)
    wb["Cover"]["C8"] = 1
    wb.save(book)
    report = validate(book, legs=("formulas",))
    assert "book.xlsm: Cover!C8: formula replaced by a value: expected =CommonIssued, found 1 [structure]" in map(
        str, report.findings)
    assert [f.where for f in report.findings if f.leg == "inputs"] == ["Tenders!B30", "Tenders!B31", "Tenders!B32"]
    figures = [f for f in report.findings if f.leg == "formulas"]
    assert figures and all(
        "it follows from the value typed over the formula of Cover!C8 (the workbook computes from that value, the "
        "engine from the inputs): put the formula back, then validate again; or it follows from the 3 holder ids "
        "typed at Tenders!B30, Tenders!B31 and 1 more (named in findings of their own; the workbook's formulas read "
        "them otherwise than the engine): mend each as its finding says, then validate again" in f.what
        for f in figures)
    assert any(n.endswith("following from the values typed over formulas, or the holder ids named at their "
                          "cells (the first 10 are shown)") for n in report.notes)


def test_ids_past_the_ten_named_are_counted_among_the_causes():
    """A column of dates pasted in: ten named, the rest counted on one line, and all of them the figures' causes."""
    from xlpy.workbook.findings import Finding, input_finding
    from xlpy.workbook.layout import Shape, layout
    from xlpy.workbook.saved_values import Overridden, typed_over_rest, typed_over_why
    from xlpy.workbook.typed_ids import odd_typed_ids, with_ids

    lay = layout(Shape(tally="holders", holder_rows=20))
    raw = [dt.date(2004, 2, d) for d in range(1, 16)]
    found = [input_finding("b.xlsm", p) for p in odd_typed_ids("Tenders", "B", 21, raw, [str(v) for v in raw], False)]
    assert len(found) == 11 and found[-1].where == "Tenders!B21:B35"
    causes = with_ids(Overridden(), found, lay)
    assert typed_over_why(causes).startswith("it follows from the 15 holder ids typed at Tenders!B21, Tenders!B22 "
                                             "and 13 more (named in findings of their own")
    assert typed_over_rest(12, "figure(s)", causes) == ("2 more figure(s) differ from the engine, following from "
                                                        "the holder ids named at their cells (the first 10 are shown)")
    assert with_ids(Overridden(), [Finding("b.xlsm", "Tenders!B21", "TenderHolder x", leg="saved")],
                    lay) == []  # (an id's finding only: none here)
    assert with_ids(Overridden(), found, layout(Shape())) == []  # (aggregate counts: no holder table)
    # review 71: an id that prints as another's (a zero-width space) is two holders to the workbook as to the engine,
    # so a figure that differs does not follow from it (a doctored figure beside one is said to look doctored)
    alike = odd_typed_ids("Tenders", "B", 21, ["DTC-0022", "DTC-0022\u200b"], ["DTC-0022", "DTC-0022\u200b"], True)
    assert [p.reason.split(" (")[0] for p in alike] == ["TenderHolder looks like the holder id on row 21"]
    looks = [input_finding("b.xlsm", p) for p in alike]
    assert with_ids(Overridden(), looks, lay) == [] and with_ids(Overridden(), looks + found[:1], lay).ids == (
        "Tenders!B21",)


def test_the_ids_a_line_counts_are_carried_by_its_finding_not_read_back_from_its_words():
    """with_ids read the number of ids past the ten named back out of the counting line's words (``TenderHolder: 5
    more holder ids like these``), and told an id that prints as another's by its words: a rewording would have
    lost them, the figures saying they follow from 10 ids where 15 were typed.  The findings carry them (kind,
    more), as validate makes them of the reading's problems; the words a user meets are the same."""
    from dataclasses import replace

    from xlpy.workbook.findings import input_finding
    from xlpy.workbook.layout import Shape, layout
    from xlpy.workbook.saved_values import Overridden
    from xlpy.workbook.typed_ids import KIND, odd_typed_ids, with_ids

    lay = layout(Shape(tally="holders", holder_rows=20))
    raw = [dt.date(2004, 2, d) for d in range(1, 16)]
    found = [input_finding("b.xlsm", p) for p in odd_typed_ids("Tenders", "B", 21, raw, [str(v) for v in raw], False)]
    assert str(found[-1]) == ("b.xlsm: Tenders!B21:B35: TenderHolder: 5 more holder ids like these (the first 10 "
                              "are shown) [inputs]")
    assert (found[-1].kind, found[-1].more) == (KIND, 5) and {(f.kind, f.more) for f in found[:-1]} == {(KIND, 0)}
    reworded = [replace(f, what=f"other words {k}") for k, f in enumerate(found)]
    for findings in (found, reworded):
        causes = with_ids(Overridden(), findings, lay)
        assert (len(causes.ids), causes.more) == (10, 5), findings
    alike = odd_typed_ids("Tenders", "B", 21, ["DTC-0022", "DTC-0022\u200b"], ["DTC-0022", "DTC-0022\u200b"], True)
    looks = [replace(input_finding("b.xlsm", p), what="other words") for p in alike]
    assert [f.kind for f in looks] == [""] and with_ids(Overridden(), looks + reworded[:1], lay).ids == (
        "Tenders!B21",)  # (two holders to the workbook as to the engine: no figure follows from it, whatever words)


def test_the_table_read_from_the_sheet_text_gives_the_ids_openpyxl_gives(standard_books, tmp_path):
    """openpyxl saves every character outside ASCII as a reference (``&#214;``, ``&#8203;``), which the reader of
    a sheet's text left as it was: the lines a refresh compares with a tally's held ``&#214;lund``, not ``Ölund``."""
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    typed = {"B22": "Ölund", "B23": "DTC-0022\u200b", "B24": "A&#8203;&amp;<>'\""}
    book = _typed(standard_books, tmp_path, typed)
    b = PackageBook(book)
    sheet, t = layout(Shape.decode(b.name(LAYOUT_NAME))).table("tblTenders")
    assert "&#214;lund" in b.pkg.read(b.sheet_part(sheet.title)).decode()  # (as openpyxl saves it)
    assert [row[0] for row in b.table_lines(sheet.title, t)[1:4]] == list(typed.values())
    from xlpy.workbook.xml_text import unescape  # (one pass: a reference spelled with &amp; stays as typed)

    assert unescape("&amp;#8203; &#x200B;&#233;&lt;&quot;&apos;&gt;") == "&#8203; \u200bé<\"'>"
    assert unescape("&#1114112;&#X41;&#;&foo;&#65;") == "&#1114112;&#X41;&#;&foo;A"  # (no character: as written)
    from xlpy.workbook.saved_values import _saved_value  # (a saved text, as openpyxl writes one, reads the same)

    assert _saved_value("str", "&#214;lund &amp; Co") == "Ölund & Co"


def test_a_refresh_computing_from_the_typed_table_reads_it_column_by_column(standard_books, tmp_path, monkeypatch):
    """A refresh computing from the holder table typed in (the Prices button, a workbook recording no tally) read
    the table through openpyxl's cells, then line by line: at 100,000 lines the Prices refresh took 21 s, 18 s of
    them reading the table.  It now reads the table's input columns from the sheet's text, as a refresh from a
    tally compares them, and checks them column by column, as validate does (3 s); the workbook it writes is the
    same."""
    from xlpy.workbook.backends import PackageBook

    book = _typed(standard_books, tmp_path, {}, no_tally=True)
    asked, fast, get_rows, table_lines = [], [], PackageBook.get_rows, PackageBook.table_lines
    monkeypatch.setattr(PackageBook, "get_rows", lambda self, sheet, ref: asked.append(f"{sheet}!{ref}") or
                        get_rows(self, sheet, ref))
    monkeypatch.setattr(PackageBook, "table_lines", lambda self, sheet, t: fast.append(t.name) or
                        table_lines(self, sheet, t))
    assert main(["refresh", str(book), "--prices", str(_new_prices(tmp_path)), "--no-backup", "-q"]) == 0
    assert [a for a in asked if a.startswith("Tenders!")] == [] and fast == ["tblTenders"]


def test_a_refresh_computing_from_the_typed_table_refuses_an_id_spaced_beside_its_holder_s_line(standard_books,
                                                                                                 tmp_path, capsys):
    """Review 95: an id typed with a space next to a line of its holder typed without (``'DTC-0024 '`` on the line
    after ``DTC-0024``: the table's formulas count two holders, the engine one) is refused by a refresh computing
    from the table, as an id no agent meant is, naming it; nothing is written."""
    book = _typed(standard_books, tmp_path, {"B23": "DTC-0024 ", "B22": "DTC-0024"}, no_tally=True)
    before = book.read_bytes()
    assert main(["refresh", str(book), "--prices", str(_new_prices(tmp_path)), "--no-backup"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "xlpy refresh: book.xlsm: Tenders!B23: TenderHolder has a space before or after it where the holder id on row "
        "22 ('DTC-0024') is typed otherwise: the table's formulas compare ids as typed, so the workbook counts this "
        "line apart from the holder's other lines, the engine (which reads ids without their spaces) takes them "
        "together; delete the space, got 'DTC-0024 '", f"xlpy refresh: {book} was not changed"], err
    assert book.read_bytes() == before


#: How an id typed as a number next to its holder's line typed as text (``'30020``) is named, at its cell.
NUMBER = ("TenderHolder is typed as a number where the holder id on row {row} ('30020') is text: the table's formulas "
          "compare ids as typed, so the workbook counts this line apart from the holder's other lines, the engine "
          "(which reads ids as their text) takes them together; type it as text (with an apostrophe before it: "
          "'30020), or refresh the table from the tally, got 30020")
#: How a figure that differs says it follows from the id typed at Tenders!B23.
FOLLOWS = "it follows from the holder id typed at Tenders!B23 (named in a finding of its own"


def test_an_id_typed_as_a_number_beside_its_holder_s_line_typed_as_text_is_named(standard_books, tmp_path, capsys):
    """30020 typed in Excel (a number) on the line after ``'30020`` (text, as build and refresh write ids): the
    table's ``=IF(B23=B22,...)`` finds a number unequal to any text and counts two holders, the engine (reading ids
    as their text) one, and validate gave the differing figures (the holder count, a share, cents of cash in lieu
    and of the charge) naming no cause, compute no warning.  The id is named at its cell, the figures say they
    follow from it, and compute warns in the same words."""
    book = _typed(standard_books, tmp_path, {"B22": "30020", "B23": 30020}, no_tally=True)
    report = validate(book, legs=("formulas",))
    inputs, figures = ([f for f in report.findings if f.leg == leg] for leg in ("inputs", "formulas"))
    assert [str(f) for f in inputs] == [f"book.xlsm: Tenders!B23: {NUMBER.format(row=22)} [inputs]"]
    assert report.findings[0] == inputs[0] and len(report.findings) == 1 + len(figures)
    count = next(f for f in figures if f.where == "Tenders!C17")  # (the holder count: one more to the workbook)
    assert count.what.startswith(f"HolderCount differs from the engine; {FOLLOWS}") and (count.expected, count.found) \
        == ("292", "293"), str(count)
    assert all(FOLLOWS in f.what for f in figures), [str(f) for f in figures if FOLLOWS not in f.what]
    assert main(["compute", str(book)]) == 0
    warned = f"xlpy compute: warning: book.xlsm: Tenders!B23: {NUMBER.format(row=22)}"
    assert warned in capsys.readouterr().err.splitlines()


@pytest.mark.libreoffice
def test_libreoffice_s_leg_says_its_figures_follow_from_an_id_typed_as_a_number(standard_books, tmp_path):
    """LibreOffice compares 30020 with '30020' as Excel does (unequal): its figures differ as the formulas leg's do,
    and say they follow from the id named at its cell."""
    book = _typed(standard_books, tmp_path, {"B22": "30020", "B23": 30020}, no_tally=True)
    report = validate(book, legs=("libreoffice",), require_libreoffice=True)
    figures = [f for f in report.findings if f.leg == "libreoffice"]
    assert [str(f) for f in report.findings if f.leg == "inputs"] == [
        f"book.xlsm: Tenders!B23: {NUMBER.format(row=22)} [inputs]"]
    assert figures and all(FOLLOWS in f.what for f in figures), [str(f) for f in figures]
    assert "Tenders!C17" in {f.where for f in figures}


def test_a_refresh_computing_from_the_typed_table_refuses_an_id_typed_as_a_number_beside_its_holder_s_text(
        standard_books, tmp_path, capsys):
    """As it refuses an id typed with a space beside its holder's line: naming it at its cell, writing nothing."""
    book = _typed(standard_books, tmp_path, {"B22": 30020, "B23": "30020"}, no_tally=True)
    before = book.read_bytes()
    assert main(["refresh", str(book), "--prices", str(_new_prices(tmp_path)), "--no-backup"]) == 2
    said = NUMBER.format(row=23)  # (the number on the holder's first line, its text on the next)
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: book.xlsm: Tenders!B22: {said}",
                                                    f"xlpy refresh: {book} was not changed"]
    assert book.read_bytes() == before


def test_an_id_typed_as_a_number_with_no_line_of_its_holder_typed_as_text_beside_it_passes(standard_books, tmp_path,
                                                                                            capsys):
    """A lone 30099, and 30100 typed as a number on both lines of its holder: the table's formulas count them as
    the engine does, so nothing differs and nothing is named (nor in an openpyxl round trip of the built book)."""
    assert validate(_typed(standard_books, tmp_path, {}), legs=("formulas",)).findings == []
    book = _typed(standard_books, tmp_path, {"B30": 30099, "B40": 30100, "B41": 30100}, no_tally=True)
    assert validate(book, legs=("formulas",)).findings == []
    assert main(["compute", str(book)]) == 0
    assert "TenderHolder" not in capsys.readouterr().err


def test_an_id_typed_as_a_number_reads_alike_as_xlwings_hands_it_over(standard_books, tmp_path):
    """xlwings hands every number of a live book over as a float: a refresh in Excel read the id 30020 as
    '30020.0', another holder than the text '30020' beside it, and passed the line validate (openpyxl: the int
    30020) names.  The table is read alike either way: the same ids, the same finding."""
    from openpyxl import load_workbook as load

    from xlpy.workbook.data import read_offer
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.openpyxl_access import WorkbookCells

    book = _typed(standard_books, tmp_path, {"B22": "30020", "B23": 30020, "B30": 30099}, no_tally=True)
    wb = load(book)
    lay, get = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)), WorkbookCells(wb).get

    def as_xlwings(sheet, ref):
        v = get(sheet, ref)
        return float(v) if type(v) is int else v

    read = {}
    for name, cells in (("openpyxl", get), ("xlwings", as_xlwings)):
        found: list = []
        read[name] = (read_offer(cells, lay, aside=found.append).tally.holders.holder_id[:10], [str(p) for p in found])
    assert as_xlwings("Tenders", "B23") == 30020.0 and read["xlwings"] == read["openpyxl"]
    ids, found = read["xlwings"]
    assert ids[1:3] == ("30020", "30020") and ids[9] == "30099"
    assert found == [f"Tenders!B23: {NUMBER.format(row=22)}"]


def test_validate_shows_an_id_typed_as_a_number_in_place_of_the_tally_s_as_excel_shows_it(standard_books, tmp_path):
    """The sources finding of a holder id typed as a number over the tally's showed it as an amount (``30,020``, and
    ``30,020.0`` for the float a file may hold and xlwings hands every number over as); an id is shown as Excel shows
    it, ``30020``; a units cell typed over keeps its thousands separator."""
    book = _typed(standard_books, tmp_path, {"B25": 30020, "B26": 30021.0, "D27": 9999})
    said = [f.what for f in validate(book, legs=()).findings if f.leg == "sources"]
    assert len(said) == 1, said
    assert "Tenders!B25 (DTC-0055): 30020, the file 'DTC-0055'; Tenders!B26 (" in said[0], said
    assert "): 30021, the file '" in said[0] and "30,02" not in said[0], said
    assert "Tenders!D27 (" in said[0] and "): 9,999, the file " in said[0], said
    # a refresh in Excel names the cells in the same words, each number handed over as a float
    from xlpy.files.sources import read_tally
    from xlpy.workbook.data import holder_rows
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.openpyxl_access import WorkbookCells
    from xlpy.workbook.typed_since import holder_cells

    wb = load_workbook(book)
    lay, cells = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)), WorkbookCells(wb)

    class AsXlwings:
        def get_rows(self, sheet, ref):
            return [[float(v) if type(v) is int else v for v in row] for row in cells.get_rows(sheet, ref)]

    rows = holder_rows(read_tally(book.parent / TALLY))
    live = holder_cells(AsXlwings(), lay, rows)[0]
    assert live[:2] == ["Tenders!B25 (DTC-0055): 30020, the file 'DTC-0055'",
                        "Tenders!B26 (DTC-0062): 30021, the file 'DTC-0062'"], live
    assert live[2] == "Tenders!D27 (DTC-0084): 9,999, the file 400" and len(live) == 3, live  # (units: an amount,
    # shown as from the file, not 9,999.0 as xlwings hands it over)


def test_a_whole_number_typed_where_text_belongs_reads_alike_as_xlwings_hands_it_over(standard_books, tmp_path):
    """2004 typed as the OfferId, the Issuer and the Security (Excel stores a number): validate (openpyxl, the int)
    read '2004', a refresh in Excel (xlwings, the float) '2004.0', which the OfferId refused (a dot) and the Issuer
    carried into every figure's label.  Both read '2004'; 2004.5 stays '2004.5'."""
    from openpyxl import load_workbook as load

    from xlpy.workbook.data import read_offer
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.openpyxl_access import WorkbookCells

    book = standard_books.copy_into("holders", tmp_path)
    wb = load(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    for name, value in (("OfferId", 2004), ("Issuer", 2004), ("Security", 2004.5)):
        sheet, ref = lay.cell(name)
        wb[sheet][ref] = value
    wb.save(book)
    get = WorkbookCells(load(book)).get

    def as_xlwings(sheet, ref):
        v = get(sheet, ref)
        return float(v) if type(v) is int else v

    read = {name: read_offer(cells, lay) for name, cells in (("openpyxl", get), ("xlwings", as_xlwings))}
    assert as_xlwings(*lay.cell("Issuer")) == 2004.0
    for offer in read.values():
        assert (offer.id, offer.issuer, offer.security) == ("2004", "2004", "2004.5")
    assert read["xlwings"].tally.holders.holder_id == read["openpyxl"].tally.holders.holder_id


def test_a_number_too_long_for_its_digits_where_text_belongs_is_named_not_read_as_its_repr(standard_books, tmp_path):
    """12345678901234567 typed as a holder id or the Issuer (a float to openpyxl, Excel storing it with an exponent,
    and to xlwings): read as '1.234567890123457e+16', an id no one typed, and no finding.  It is named at its cell,
    the input and the value, read from the file or handed over by a live book alike."""
    from openpyxl import load_workbook as load

    from xlpy.workbook.data import read_offer
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.openpyxl_access import WorkbookCells

    book = _typed(standard_books, tmp_path, {"B30": 12345678901234567.0}, no_tally=True)
    wb = load(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("Issuer")
    wb[sheet][ref] = 2.0**60
    wb.save(book)
    get = WorkbookCells(load(book)).get

    def as_xlwings(sheet, ref):
        v = get(sheet, ref)
        return float(v) if type(v) is int else v

    long = ("is a number too long to be read as text exactly (its last digits are lost): type it as text, with an "
            "apostrophe before it, got ")
    for cells in (get, as_xlwings):
        with pytest.raises(InputErrors) as info:
            read_offer(cells, lay)
        typed = get("Tenders", "B30")
        assert type(typed) is float and typed >= 2**53 and get(sheet, ref) == 2.0**60
        assert [str(p) for p in info.value.problems] == [f"Tenders!B30: TenderHolder {long}{typed!r}",
                                                         f"{sheet}!{ref}: Issuer {long}1.152921504606847e+18"]
