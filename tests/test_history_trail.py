"""History's last row against the figures: an input typed since the last refresh, or a row edited.

QA (quarter end): the price P typed anew moved the charge, and the next refresh said "nothing to refresh", so
History's last row (which the Cover shows as the latest count) disagreed with Results with no row or word to
say why; a History row edited by hand still validated without a word.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

from xlpy.cli import main
from xlpy.workbook.layout import HISTORY_COLUMNS, LAYOUT_NAME, Shape, layout


def _copy(path: Path, tmp_path: Path) -> Path:
    for f in path.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / path.name


def _typed(book: Path, name: str, value) -> None:
    """*value* typed into the input *name*, the workbook saved (as openpyxl saves it: no figures recalculated)."""
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell(name)
    wb[sheet][ref] = value
    wb.save(book)


#: Where a History row (:func:`_history`'s) holds the charge.
CHARGE = HISTORY_COLUMNS.index("charge")


def _letter(key: str) -> str:
    """The letter of History's column *key* in the layout (B: When)."""
    from openpyxl.utils import get_column_letter

    table = layout(Shape()).table("tblHistory")[1]
    return get_column_letter(table.first_col + [c.key for c in table.columns].index(key))


def _history(book: Path) -> list[tuple]:
    """The History table's rows, when to the charge, as the file holds them."""
    from openpyxl.utils.cell import range_boundaries

    ws = load_workbook(book)["History"]
    first, top, _, bottom = range_boundaries(ws.tables["tblHistory"].ref)
    return list(ws.iter_rows(min_row=top + 1, max_row=bottom, min_col=first, max_col=first + CHARGE,
                             values_only=True))


def _notes(book: Path) -> list[str]:
    from xlpy.workbook.validate import validate

    report = validate(book, legs=("formulas",))
    assert report.findings == [], report.findings
    return [n for n in report.notes if n.startswith("History:")]


def test_an_input_typed_since_the_last_refresh_is_noted_and_the_next_refresh_records_it(standard_books, tmp_path,
                                                                                      capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    assert _notes(book) == []  # (as built: the last row is the build's, the figures its own)
    before = _history(book)
    _typed(book, "Price", 7.5)
    said = ("History: its last row (2004-02-23 00:00:00) holds other figures than the workbook computes now (the "
            "charge 9,597,840.08 → 9,740,703.24): an input typed since the last refresh moved them, or the row was "
            "edited; ")
    assert _notes(book) == [said + "xlpy refresh records a row for the figures as they stand"]
    assert main(["refresh", str(book), "--no-backup"]) == 0  # (the very files the Cover records)
    out = capsys.readouterr().out.splitlines()
    assert f"book.xlsm: {said}a new row records the figures as they stand" in out, out
    after = _history(book)
    assert after[:-1] == before and after[-1][0] == "2004-02-24 00:00:00" and float(after[-1][CHARGE]) == 9740703.24
    assert _notes(book) == []
    assert main(["refresh", str(book), "--no-backup"]) == 0
    assert any("nothing to refresh" in line for line in capsys.readouterr().out.splitlines())
    assert _history(book) == after


def test_a_history_row_edited_by_hand_is_named_figure_by_figure(standard_books, tmp_path):
    book = _copy(standard_books["holders"], tmp_path)
    wb = load_workbook(book, keep_vba=True)
    ws = wb["History"]
    last = len(_history(book)) + int(ws.tables["tblHistory"].ref.split(":")[0][1:])
    ws[f"{_letter('accepted')}{last}"], ws[f"{_letter('charge')}{last}"] = 96547, 20707973.77
    wb.save(book)
    (note,) = _notes(book)
    assert "(units accepted 96,547 → 274,000; the charge 20,707,973.77 → 9,597,840.08)" in note, note


def test_a_history_sorted_newest_first_is_compared_by_its_last_row_as_the_cover_shows_it(standard_books, tmp_path,
                                                                                          capsys, monkeypatch):
    """Review 84: History's "last row" was its newest by time, the Cover's latest count the table's last; a table
    sorted newest first (Data > Sort) showed the build's count on the Cover while validate compared the newest row
    and said nothing.  The last row is the table's last everywhere: validate notes it and the rows out of time, and
    the next refresh records the figures as they stand at the end, where the Cover reads them."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["holders"], tmp_path)
    _typed(book, "Price", 7.5)
    assert main(["refresh", str(book), "--no-backup", "-q"]) == 0
    capsys.readouterr()
    rows = _history(book)
    assert len(rows) == 2
    wb = load_workbook(book, keep_vba=True)
    ws = wb["History"]
    top = int(ws.tables["tblHistory"].ref.split(":")[0][1:]) + 1
    for i, row in enumerate(reversed(rows)):
        for j, v in enumerate(row):
            ws.cell(top + i, 2 + j, v)
    wb.save(book)
    assert _history(book) == rows[::-1]
    moved, order = _notes(book)
    assert moved.startswith("History: its last row (2004-02-23 00:00:00) holds other figures than the workbook "
                            "computes now (the charge 9,597,840.08 → 9,740,703.24)"), moved
    assert order.startswith(f"History: its times (UTC) are out of order: History!B{top + 1} (2004-02-23 00:00:00) "
                            f"before History!B{top} above it (2004-02-24 00:00:00): "), order
    assert main(["refresh", str(book), "--no-backup"]) == 0
    assert not any("nothing to refresh" in line for line in capsys.readouterr().out.splitlines())
    after = _history(book)
    assert after[:2] == rows[::-1] and float(after[-1][CHARGE]) == 9740703.24


def test_a_moved_participation_shows_the_decimals_it_moved_in():
    """Review: "participation 58.95% → 58.95%" was listed as a move (compared to 8 decimals, shown to 2)."""
    from types import SimpleNamespace

    from xlpy.workbook.layout.history import history_moved, history_row

    def results(tendered):
        from decimal import Decimal

        return SimpleNamespace(units_tendered=tendered, units_guaranteed_delivery=0, units_failed_delivery=0,
                               units_accepted=tendered, participation=Decimal(tendered) / 464777,
                               common_issued=tendered * 2, charge=Decimal(tendered))

    last = history_row("2004-02-23 00:00:00", "t.csv", "ab", 3, results(274000))
    assert history_moved(last, results(274001))[:2] == ["units tendered 274,000 → 274,001",
                                                        "units accepted 274,000 → 274,001"]
    assert "participation 58.953003% → 58.953218%" in history_moved(last, results(274001))


def test_a_row_of_ones_own_at_the_end_of_history_is_passed_over_and_no_time_out_of_order():
    """Review: a row a person added to History with a note in its When cell sorted above every timestamp and was
    taken for the newest record.  Review 84: the last row is the last by position a build or refresh wrote;
    review 86: the note's row after it is passed over (taken for the last, it made a refresh that moved nothing add
    a row); its When, no time a refresh writes, is not said to be out of order."""
    from xlpy.workbook.history_trail import out_of_time
    from xlpy.workbook.layout.history import latest

    rows = [("2004-02-23 00:00:00", "t.csv", "ab", 3, 1), ("2004-02-24 00:00:00", "t.csv", "ab", 3, 2),
            ("see the memo of 2/25", None, None, None, None)]
    assert latest(rows) == rows[1] and latest(rows[:2]) == rows[1] and latest([]) is None
    assert out_of_time([(f"History!B{24 + i}", r[0]) for i, r in enumerate(rows)]) is None


def test_a_rebuild_that_carried_history_is_said_to_be_why_the_figures_moved(tmp_path, monkeypatch, capsys):
    """``build --history-from`` computes from its offer file's count and records no row of its own: its last row,
    carried, timed before the Cover's Built at, is said to have been rebuilt since, where the note blamed "an input
    typed since the last refresh" of a workbook no one had typed into (review 112: L3)."""
    from repo_paths import SEED_TEXT

    monkeypatch.chdir(tmp_path)
    Path("offer.toml").write_text(SEED_TEXT, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")  # 2004-02-24
    assert main(["build", "offer.toml", "-o", "old.xlsm", "--no-validate", "--quiet"]) == 0
    Path("offer.toml").write_text(SEED_TEXT.replace("failed_delivery = 0", "failed_delivery = 300"), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077667200")  # 2004-02-25
    assert main(["build", "offer.toml", "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "-q"]) == 0
    (note,) = _notes(Path("new.xlsm"))
    assert note.startswith("History: its last row (2004-02-24 00:00:00) holds other figures than the workbook "
                           "computes now (failed deliveries 0 → 300; units accepted 274,000 → 273,700;"), note
    assert note.endswith("): the workbook was rebuilt since that row (a build that carries History computes from its "
                         "offer file's count and records no row of its own), an input was typed since, or the row "
                         "was edited; xlpy refresh records a row for the figures as they stand"), note
    capsys.readouterr()
    assert main(["refresh", "new.xlsm", "--no-backup"]) == 0  # (its own build's files: a row for the count it read)
    assert "the workbook was rebuilt since that row" in capsys.readouterr().out
    assert _notes(Path("new.xlsm")) == [] and len(_history(Path("new.xlsm"))) == 2


def _cover_saved(book: Path, saved: dict[str, str]) -> None:
    """Saved values put into the Cover's latest-count cells of *book*'s package (``C13`` -> ``<v>`` text; a text one
    ``t="str"``), as a file written by hand, or edited, holds them."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for ref, value in saved.items():
                    kind = "" if re.fullmatch(r"[\d.]+", value) else ' t="str"'
                    text, n = re.subn(rf'(<c r="{ref}"[^>]*?)>(<f>[^<]*</f>)</c>', rf"\1{kind}>\2<v>{value}</v></c>",
                                      text)
                    assert n == 1, ref
                data = text.encode("utf-8")
            out.writestr(info, data)


def test_a_latest_count_on_the_cover_saved_otherwise_than_history_is_named(standard_books, tmp_path):
    """Review 143, HIGH: 999,999 units tendered put in the Cover's latest count as its saved value validated clean
    on both legs, while a preview, pandas or Excel without recalculating shows it: xlpy saves none there, and
    History's last row is what the formula gives.  The same values as History's are no finding."""
    from xlpy.workbook.validate import validate

    book = _copy(standard_books["seed"], tmp_path)
    (when, *_), = _history(book)
    _cover_saved(book, {"C12": when, "C13": "274000", "C14": "n/a"})
    assert validate(book, legs=()).findings == []
    _cover_saved(book, {"C15": "0.75"})
    (tmp_path / "other").mkdir()
    other = _copy(standard_books["seed"], tmp_path / "other")
    _cover_saved(other, {"C13": "274100", "C12": "2004-03-01 00:00:00", "C14": "999"})  # (review 146: near, n/a)
    found = [(f.where, f.expected, f.found, f.leg) for f in validate(other, legs=()).findings]
    assert found == [("Cover!C12", repr(when), "'2004-03-01 00:00:00'", "saved"),
                     ("Cover!C13", "274000", "274100", "saved"), ("Cover!C14", "'n/a'", "999", "saved")], found
    assert [f.what for f in validate(book, legs=()).findings] == [
        "Participation: saved value is not History's last row's, which its formula shows: the file looks doctored "
        "(xlpy saves none there); open it in Excel, recalculate and save"]
    import zipfile  # (review 145: calculated by hand, a value saved before F9 is stale, as its own finding says)

    with zipfile.ZipFile(book) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info, data.replace(b"<calcPr ", b'<calcPr calcMode="manual" ')
                         if info.filename == "xl/workbook.xml" else data)
    assert [f.where for f in validate(book, legs=()).findings] == ["workbook calculation"]


def test_counts_typed_into_a_workbook_of_aggregate_counts_are_recorded_as_typed(standard_books, tmp_path, capsys,
                                                                               monkeypatch):
    """Review 156: the final counts typed into the seed workbook (no count file) were recorded in History's new row
    as "aggregate counts in the offer file", which still held the preliminary count: an auditor tracing the row to
    its source found other figures. The row says the counts were typed in, the rows after it too while they stand;
    a refresh that moves only the price of a row of the offer file's counts still names the offer file."""
    from xlpy.files.recorded import NO_TALLY_FILE, TYPED_COUNTS

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = _copy(standard_books["seed"], tmp_path)
    _typed(book, "Price", 7.5)  # (an input that is no count: the offer file's counts still)
    assert main(["refresh", str(book), "--no-backup"]) == 0
    for name, value in (("Tendered", 272650), ("FailedDelivery", 1150), ("FinalCount", True)):
        _typed(book, name, value)
    assert main(["refresh", str(book), "--no-backup"]) == 0
    _typed(book, "Price", 7.39)  # (the counts as typed, the price as before)
    assert main(["refresh", str(book), "--no-backup"]) == 0
    capsys.readouterr()
    rows = [(r[1], r[3], r[5]) for r in _history(book)]
    assert rows == [(NO_TALLY_FILE, 274000, 0), (NO_TALLY_FILE, 274000, 0), (TYPED_COUNTS, 272650, 1150),
                    (TYPED_COUNTS, 272650, 1150)], rows
    assert _notes(book) == []
