"""A long holder table's saved values: the stale verdict, and the counts of what follows from values typed over.

A workbook's saved figures are compared with the engine's: the top-level figures (Results, Check, the Release,
the Sensitivity grid...) and, line by line, the holder table's formula columns, which in a workbook of a long tally
are nearly all of them.  An input edited and saved before recalculation moves every total and few lines: the file
reads stale whatever the table's length (review: the share was taken over every line's cells too, and a long
table called each of those totals doctored), while a few figures edited inside the file stay doctored.  Values
typed over thousands of the table's formulas: the figures following from them count them all, not the ten a
column the structure check names, and a refresh from a shorter tally counts apart those it replaced and those it
cleared with the rows past the table's new end.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from xlpy import cli
from xlpy.workbook import saved_values
from xlpy.workbook.package import Package
from xlpy.workbook.validate import validate

from holder_books import holder_book

LONG = 1200  # lines of the long table: 7,200 line cells beside some 130 top-level figures


def _build(folder: Path, lines: int, seed: int = 2004) -> Path:
    """A holder workbook of *lines* lines (units drawn as the benchmarks draw them), outstanding to spare."""
    folder.mkdir()
    rng = random.Random(seed)
    tally = [(f"H{i:07d}", rng.randint(1, 400)) for i in range(lines)]
    return holder_book(folder, tally, 2 * sum(units for _, units in tally) + 1_000_000, "long", "Long Tally Co")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """{'short': a 4-line holder workbook, 'long': a 1,200-line one}, as built (valid, every figure saved)."""
    root = tmp_path_factory.mktemp("long-table")
    return {"short": _build(root / "short", 4), "long": _build(root / "long", LONG)}


def _copy(book: Path, tmp_path: Path) -> Path:
    for f in book.parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / book.name


def _edit(path: Path, sheet: str, cells: dict[str, str], pattern: str = r'(<c r="{ref}"[^>]*>(?:(?!</c>).)*?<v>)'
          r'[^<]*(</v>)', to: str = r"\g<1>{value}\g<2>") -> None:
    """Each cell of *cells* changed inside the package, as with a zip tool: its <v> (an input's value, a formula's
    saved one) by default; else *pattern* (the whole cell) replaced by *to*."""
    pkg = Package(path)
    part = pkg.sheet_parts()[sheet]
    text = pkg.read(part).decode("utf-8")
    for ref, value in cells.items():
        text, n = re.subn(pattern.format(ref=ref), to.format(ref=ref, value=value), text, count=1, flags=re.DOTALL)
        assert n == 1, ref
    pkg.write(part, text.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())


def _saved(report) -> list[str]:
    return [f.what.split("; ", 1)[1] for f in report.findings if f.leg == "saved"]


@pytest.mark.parametrize("kind", ["short", "long"])
@pytest.mark.parametrize("edit", [("Inputs", "C30", "8.5"), ("Tenders", "D21", "999")], ids=["price", "units"])
def test_an_input_saved_before_recalculation_reads_stale_in_a_long_table_as_in_a_short_one(books, tmp_path, kind,
                                                                                           edit):
    """The valuation price (every fair value, the charge, the Sensitivity grid: no line) or one holder's units
    (every total, and that line's six figures) edited and saved without recalculating: some thirty to fifty of the
    130 top-level figures differ.  Review: over the 7,200 line cells too that was under a quarter, and each was
    said to be edited inside the file (doctored); with 4 lines, stale."""
    path = _copy(books[kind], tmp_path)
    sheet, ref, value = edit
    _edit(path, sheet, {ref: value})
    saved = _saved(validate(path, legs=()))
    assert len(saved) >= 30 and set(saved) == {saved_values.SAVED_STALE}, saved[:2]
    if ref == "D21":  # the line's own figures are stale with the totals
        assert {f.where for f in validate(path, legs=()).findings if f.leg == "saved"} >= {"Tenders!J21",
                                                                                          "Tenders!K21"}


def test_a_few_figures_edited_inside_a_long_tables_file_are_still_doctored(books, tmp_path):
    path = _copy(books["long"], tmp_path)
    _edit(path, "Results", {"C9": "4000", "C28": "5"})
    _edit(path, "Tenders", {"J40": "1"})
    report = validate(path, legs=())
    assert [(f.where, f.what.split("; ", 1)[1]) for f in report.findings if f.leg == "saved"] == [
        ("Results!C9", saved_values.SAVED_DOCTORED), ("Results!C28", saved_values.SAVED_DOCTORED),
        ("Tenders!J40", saved_values.SAVED_DOCTORED)]


def test_the_verdict_takes_the_top_level_figures_share_apart_from_the_tables_lines():
    x = object()
    top, cells = 128, 6 * 100_000
    verdict = saved_values.verdict
    assert verdict([x] * 35, top, 0, False, rows=[x] * 6, table=cells) == "stale"  # a stale edit, a long table
    assert verdict([x] * 35, top, 0, False, rows=[x] * 6, table=24) == "stale"  # ... and a short one
    assert verdict([x] * 3, top, 0, False, rows=[x], table=cells) == "doctored"  # a few figures edited
    assert verdict([x] * 3, top, 0, False, True, [x], cells) == "either"  # ... in a workbook calculated by hand
    assert verdict([], top, 0, False, rows=[x] * 6, table=24) == "doctored"  # a line edited in a 4-line table
    assert verdict([], top, 0, False, rows=[x] * 160_000, table=cells) == "stale"  # a quarter of the lines
    assert verdict([x] * 32, top, 0, False) == "stale" and verdict([x] * 31, top, 0, False) == "doctored"
    assert verdict([x], top, 1, True, rows=[], table=cells) == "stale"  # a figure saved without its value


def _accepted(n: int, formula_from: int | None = None) -> dict[str, str]:
    """The first *n* lines' Accepted cells (``J21``...) -> what is typed over each: 0, or from line *formula_from*
    on a formula of one's own (``=I21``)."""
    return {f"J{21 + i}": "<f>I{}</f>".format(21 + i) if formula_from is not None and i >= formula_from else
            "<v>0</v>" for i in range(n)}


def _type_over(path: Path, cells: dict[str, str]) -> None:
    """Each Tenders cell of *cells* holding, in place of the table's formula (and its saved value), what is given:
    a value (``<v>0</v>``) or a formula of its own."""
    _edit(path, "Tenders", cells, pattern=r'<c r="{ref}"( s="\d+")?[^>]*>.*?</c>', to=r'<c r="{ref}"\g<1>>{value}</c>')


def test_values_typed_over_a_long_column_are_counted_in_full_by_the_figures_following(books, tmp_path):
    """Review: 1,200 values typed over Accepted, and each figure following said "typed over 10 formulas
    (Tenders!J21, Tenders!J22 and 8 more": the ten the structure check names."""
    path = _copy(books["long"], tmp_path)
    _type_over(path, _accepted(LONG))
    _edit(path, "Results", {"C9": "0"})  # UnitsAccepted saved as the workbook computes it now
    report = validate(path, legs=())
    assert [f.what for f in report.findings if f.leg == "structure"][-1].startswith(
        f"{LONG - 10:,} more row(s) of this column differ from the layout")
    assert [(f.where, f.what.split("; ", 1)[1]) for f in report.findings if f.leg == "saved"] == [(
        "Results!C9", f"it may follow from the values typed over {LONG:,} formulas (Tenders!J21, Tenders!J22 and "
        f"{LONG - 2:,} more; the workbook computes from those values, the engine from the inputs): put the formulas "
        f"back, then validate again; no recalculation ran to tell, and if it does not follow, "
        f"{saved_values.SAVED_DOCTORED}")]


def test_formulas_of_ones_own_past_the_named_rows_are_said_with_the_values(books, tmp_path):
    """Ten values named, then formulas of one's own in every other row: the figures following name both causes
    and count every cell; the note counting the figures not shown names both causes too."""
    path = _copy(books["long"], tmp_path)
    _type_over(path, _accepted(LONG, formula_from=10))
    report = validate(path, legs=("formulas",))
    assert {f.what for f in report.findings if f.leg == "structure" and f.where[9:].isdigit()} == {
        saved_values.TYPED_OVER}  # (the ten named: Tenders!J21 ...)
    follows = [f for f in report.findings if f.leg == "formulas"]
    assert follows and all(
        f"; it follows from the values typed over, or formulas changed, in {LONG:,} cells (Tenders!J21, "
        f"Tenders!J22 and {LONG - 2:,} more; " in f.what for f in follows), follows[0].what
    rest = [n for n in report.notes if "following from" in n]
    assert len(rest) == 1 and re.fullmatch(r"formulas leg: [\d,]+ more figure\(s\) differ from the engine, following "
                                           r"from the values typed over formulas, or the formulas changed \(the first "
                                           r"10 are shown\)", rest[0]), rest


def test_a_refresh_from_a_shorter_tally_counts_apart_the_values_it_replaced_and_those_it_cleared(books, tmp_path,
                                                                                                 capsys):
    """1,200 values typed over Accepted, refreshed from a tally of 400 lines: ten named, then 390 more replaced
    by the formula and 800 cleared with the rows past the table's new end.  Review: "1,190 more ... were replaced
    by the table's formulas", the 800 cleared among them."""
    path = _copy(books["long"], tmp_path)
    _type_over(path, _accepted(LONG))
    lines = (tmp_path / "tally.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "short.csv").write_text("".join(lines[:401]), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["refresh", str(path), "--tally", str(tmp_path / "short.csv"), "--no-backup", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert [n for n in notes if n.startswith("Tenders: ") and "more values or formulas" in n] == [
        "Tenders: 390 more values or formulas typed over formulas of tblTenders were replaced by the table's "
        "formulas",
        "Tenders: 800 more values or formulas typed over formulas of tblTenders were cleared with the rows past "
        "the table's new end (row 420)"]
    assert sum(n.startswith("Tenders!J") and "was replaced by the formula" in n for n in notes) == 10


def test_one_cell_past_the_ten_named_is_said_in_the_singular():
    """Review: eleven cells typed over said ``1 more values or formulas typed over formulas ... were replaced``."""
    from xlpy.workbook.table_edits import _more_typed

    assert [_more_typed(n) for n in (1, 2, 1190)] == [
        "1 more value or formula typed over a formula", "2 more values or formulas typed over formulas",
        "1,190 more values or formulas typed over formulas"]


def test_saved_values_go_in_wherever_the_cells_lie_in_order_or_not():
    """Review 119 M5: each value's cell was looked for from the start of the sheet's data, so a build of 20,000
    later exchanges took 253 s; they are now looked for in order, each after the last, and from the start again
    where a file does not hold its cells in order (this sheet's row 3 before row 2, column B before A)."""
    cells = {"A1": 1, "B2": 2, "A2": 3, "B3": 4, "A3": 5}
    rows = (b'<row r="1"><c r="A1"><f>1</f></c></row><row r="3"><c r="B3"><f>1</f></c><c r="A3"><f>1</f></c></row>'
            b'<row r="2"><c r="A2"><f>1</f><v>9</v></c><c r="B2" t="str"><f>1</f></c></row>')
    part = b'<worksheet><sheetData>' + rows + b'</sheetData></worksheet>'
    filled = saved_values.fill(part, cells, drop_others=False)
    found = dict(re.findall(rb'<c r="(\w+)"[^>]*><f>1</f><v>(\d+)</v></c>', filled))
    assert found == {k.encode(): str(v).encode() for k, v in cells.items()}, filled
    assert filled.count(b"<v>") == 5 and b't="str"' not in filled


def test_saved_values_look_for_each_cell_once_after_the_last(monkeypatch):
    """Review 121: the speed of review 119 M5's mend, pinned without a clock: each cell is looked for once, from
    after the one before it in the sheet's order (columns B < Z < AA), whatever the order values are given in."""
    cols = ("A", "B", "Z", "AA")
    part = (b"<worksheet><sheetData>" + b"".join(
        b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><f>1</f></c>' % (c.encode(), r) for c in cols) + b"</row>"
        for r in range(1, 4)) + b"</sheetData></worksheet>")
    refs = [f"{c}{r}" for r in range(1, 4) for c in cols]
    starts, real = [], saved_values._cell_at

    def spy(body, key, start):
        starts.append(start)
        return real(body, key, start)

    monkeypatch.setattr(saved_values, "_cell_at", spy)
    filled = saved_values.fill(part, {ref: i for i, ref in enumerate(reversed(refs), 1)}, drop_others=False)
    assert len(re.findall(rb"<v>\d+</v>", filled)) == len(refs)
    assert len(starts) == len(refs) and starts == sorted(set(starts)), starts
