"""Layout 15 (review 76, an external auditor's): the Cover's Review block is preparer and reviewer evidence that a
refresh keeps and warns of when it moves the figures past it, validate notes a review dated before History's last
row, and History records the price file, its SHA-256, who ran xlpy and its version."""

from __future__ import annotations

import datetime as dt
import json

from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy import __version__, cli
from xlpy.files.recorded import NO_PRICE_FILE, sha256
from xlpy.workbook.history_carry import carried_history
from xlpy.workbook.layout import HISTORY_COLUMNS, LAYOUT_NAME, LAYOUT_VERSION, REVIEW, Shape, layout
from xlpy.workbook.validate import validate

SIGNED = {"PreparedBy": "B. Smith", "PreparedOn": dt.date(2026, 12, 3), "ReviewedBy": "A. Jones",
          "ReviewedOn": dt.date(2026, 12, 4)}


def _lay(book):
    return layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))


def _sign(book, values=SIGNED):
    lay = _lay(book)
    wb = load_workbook(book, keep_vba=True)
    for name, v in values.items():
        sheet, ref = lay.cell(name)
        wb[sheet][ref] = v
    wb.save(book)


def _cover(book) -> dict:
    lay, ws = _lay(book), load_workbook(book)["Cover"]
    return {name: ws[lay.cell(name)[1]].value for name in REVIEW}


def _fewer_lines(folder, lines: int = 150):
    """The agent's tally of an earlier day: its first lines (another count, another charge)."""
    text = (DATA / TALLY).read_text().splitlines(keepends=True)
    (folder / "earlier.csv").write_text("".join(text[:lines]))
    return folder / "earlier.csv"


def _history(book) -> list[dict]:
    lay = _lay(book)
    _, t = lay.table("tblHistory")
    ws = load_workbook(book)["History"]
    keys = [c.key for c in t.columns]
    return [{k: ws.cell(row, t.first_col + i).value for i, k in enumerate(keys)}
            for row in range(t.first_row, t.last_row + 1)]


def test_the_cover_s_review_block_is_blank_unlocked_inputs_with_dates_checked_as_dates(standard_books):
    book = standard_books["holders"]
    lay = _lay(book)
    assert [s.title for s, item, _ in map(lay.item, REVIEW)] == ["Cover"] * 4
    assert all(lay.item(n)[1].is_input and lay.item(n)[1].optional for n in REVIEW)
    wb = load_workbook(book)
    ws = wb["Cover"]
    assert all(v is None for v in _cover(book).values())  # blank at a build
    for name in REVIEW:
        assert ws[lay.cell(name)[1]].protection.locked is False, name
    dated = {str(r) for dv in ws.data_validations.dataValidation if dv.type == "date" for r in dv.sqref.ranges}
    assert dated == {lay.cell("PreparedOn")[1], lay.cell("ReviewedOn")[1]}
    assert set(REVIEW) <= set(wb.defined_names)


def test_a_refresh_that_moves_the_figures_warns_of_the_review_and_keeps_the_sign_off(standard_books, tmp_path,
                                                                                  capsys):
    book = standard_books.copy_into("holders", tmp_path)
    _sign(book)
    earlier = _fewer_lines(tmp_path)
    assert cli.main(["refresh", str(book), "--tally", str(earlier), "--no-backup", "--json"]) == 0
    out, err = capsys.readouterr()
    (warning,) = [w for w in json.loads(out)["warnings"] if "reviewed by" in w]
    cover = _lay(book).cell("ReviewedBy")[1]
    assert warning.startswith(f"{book.name}: Cover!{cover} (ReviewedBy): reviewed by A. Jones on 2026-12-04, before "
                              "this refresh, which moved units tendered ")
    assert "; the charge 9,597,840.08 → 5,636,102.66: " in warning and warning.endswith(
        "the review does not cover these figures; review again (and type the new date in "
        f"Cover!C{int(cover[1:]) + 1} (ReviewedOn)); the sign-off is kept as typed")
    assert f"warning: {warning}" in err.splitlines() or any(warning in line for line in err.splitlines())
    assert {k: (v.date() if isinstance(v, dt.datetime) else v) for k, v in _cover(book).items()} == SIGNED
    # the same files again: no row, so no warning
    assert cli.main(["refresh", str(book), "--no-backup"]) == 0
    assert "reviewed by" not in capsys.readouterr().err


def test_a_refresh_without_a_reviewer_says_nothing_of_a_review(standard_books, tmp_path, capsys):
    book = standard_books.copy_into("holders", tmp_path)
    _sign(book, {"PreparedBy": "B. Smith", "PreparedOn": dt.date(2026, 12, 3)})
    assert cli.main(["refresh", str(book), "--tally", str(_fewer_lines(tmp_path)), "--no-backup"]) == 0
    assert "review" not in capsys.readouterr().err
    assert _cover(book)["PreparedBy"] == "B. Smith"


def test_validate_notes_a_review_dated_before_history_s_last_row(standard_books, tmp_path, capsys):
    book = standard_books.copy_into("holders", tmp_path)
    _sign(book, {"ReviewedBy": "A. Jones", "ReviewedOn": dt.date(2026, 12, 4)})
    where = "Cover!" + _lay(book).cell("ReviewedOn")[1]
    report = validate(book, legs=("formulas",))
    assert not [n for n in report.notes if "ReviewedOn" in n]  # a review after the build's row (of 2004-02-23)
    _sign(book, {"ReviewedOn": dt.date(2004, 2, 1)})
    assert cli.main(["refresh", str(book), "--tally", str(_fewer_lines(tmp_path)), "--no-backup"]) == 0
    capsys.readouterr()
    last = _history(book)[-1]["when"]
    notes = [n for n in validate(book, legs=("formulas",)).notes if "ReviewedOn" in n]
    assert notes == [f"Cover: reviewed on 2004-02-01 ({where}, ReviewedOn), before History's last row ({last} UTC): "
                     "the figures were refreshed since the review, which does not cover them; review again and type "
                     "the new date"]
    _sign(book, {"ReviewedOn": "last week"})
    assert [n for n in validate(book, legs=("formulas",)).notes if "ReviewedOn" in n] == [
        f"Cover: {where} (ReviewedOn): is not a date, so no one can tell which figures the review covers; type the "
        "day of the review (YYYY-MM-DD), got 'last week'"]


def test_history_records_the_price_file_its_sha256_who_ran_xlpy_and_its_version(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "a.preparer")
    import shutil

    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", FORMULA.name, "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    (built,) = _history(tmp_path / "book.xlsm")
    assert (built["prices"], built["price_sha256"], built["user"], built["version"]) == (
        f"data/{PRICES}", sha256(DATA / PRICES), "a.preparer", __version__)
    monkeypatch.setattr("getpass.getuser", lambda: "a.reviewer")
    assert cli.main(["refresh", "book.xlsm", "--tally", str(_fewer_lines(tmp_path)), "--no-backup", "-q"]) == 0
    rows = _history(tmp_path / "book.xlsm")
    assert [(r["user"], r["prices"], r["version"]) for r in rows] == [
        ("a.preparer", f"data/{PRICES}", __version__), ("a.reviewer", f"data/{PRICES}", __version__)]
    # another person refreshing from the same files moves nothing: no row
    monkeypatch.setattr("getpass.getuser", lambda: "someone.else")
    assert cli.main(["refresh", "book.xlsm", "--no-backup", "-q"]) == 0
    assert len(_history(tmp_path / "book.xlsm")) == 2
    capsys.readouterr()


def test_a_fixed_ratio_s_history_row_says_there_is_no_price_file_and_a_user_is_blank_when_none_can_be_had(
        tmp_path, monkeypatch):
    from repo_paths import SEED

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def nobody():
        raise OSError("no login name")

    monkeypatch.setattr("getpass.getuser", nobody)
    assert cli.main(["build", str(SEED), "-o", str(tmp_path / "seed.xlsm"), "--no-validate", "-q"]) == 0
    (row,) = _history(tmp_path / "seed.xlsm")
    assert (row["prices"], row["price_sha256"], row["user"], row["version"]) == (NO_PRICE_FILE, None, None,
                                                                                __version__)


def test_a_layout_14_history_is_carried_with_the_new_columns_blank(standard_books, tmp_path):
    book = standard_books.copy_into("holders", tmp_path)
    lay = _lay(book)
    _, t = lay.table("tblHistory")
    wb = load_workbook(book, keep_vba=True)
    ws = wb["History"]
    for i, c in enumerate(t.columns):  # layout 14's History: no price file, SHA-256, user or version
        if c.key in ("prices", "price_sha256", "user", "version"):
            for row in range(t.header_row, t.last_row + 1):
                ws.cell(row, t.first_col + i).value = None
    text = wb.defined_names[LAYOUT_NAME].attr_text
    wb.defined_names[LAYOUT_NAME] = DefinedName(LAYOUT_NAME, hidden=True, attr_text=text.replace(
        f"layout={LAYOUT_VERSION}", "layout=14"))
    wb.save(book)
    (row,) = carried_history(book, load_workbook(book)["Inputs"][lay.cell("OfferId")[1]].value, tmp_path)
    assert len(row) == len(HISTORY_COLUMNS)
    held = dict(zip(HISTORY_COLUMNS, row))
    assert held["tally"] == TALLY and held["tendered"] is not None
    assert [held[k] for k in ("prices", "price_sha256", "user", "version")] == [None] * 4


def test_a_rebuild_carrying_history_says_the_old_sign_off_is_not_carried(tmp_path, monkeypatch, capsys):
    """The last note's left-alone item (review 79): ``--history-from`` dropped the old workbook's sign-off without a
    word on the screen; the rebuilt workbook is a new workpaper, blank in the Review block, and the build says so."""
    import shutil

    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", FORMULA.name, "-o", "old.xlsm", "--no-validate", "-q"]) == 0
    rebuild = ["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "--force"]
    assert cli.main(rebuild) == 0
    assert "sign-off" not in capsys.readouterr().err  # a blank Review block: nothing to say
    _sign(tmp_path / "old.xlsm")
    assert cli.main(rebuild) == 0
    warned = ("--history-from: old.xlsm was prepared by B. Smith on 2026-12-03 and reviewed by A. Jones on "
              "2026-12-04; that sign-off is not carried: the rebuilt workbook is a new workpaper, its Review block "
              "blank (Cover: Prepared by, Prepared on, Reviewed by, Reviewed on) until it is prepared and reviewed "
              "again; the old one keeps the sign-off")
    assert capsys.readouterr().err.splitlines()[-1] == f"xlpy build: warning: {warned}"
    assert all(v is None for v in _cover(tmp_path / "new.xlsm").values())
    assert _cover(tmp_path / "old.xlsm") == {**SIGNED, "PreparedOn": dt.datetime(2026, 12, 3),
                                             "ReviewedOn": dt.datetime(2026, 12, 4)}
    _sign(tmp_path / "old.xlsm", {"PreparedBy": None, "PreparedOn": None, "ReviewedOn": None})
    assert cli.main([*rebuild, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"][-1] == (
        "--history-from: old.xlsm was reviewed by A. Jones; that sign-off is not carried: the rebuilt "
        "workbook is a new workpaper, its Review block blank (Cover: Prepared by, Prepared on, Reviewed by, Reviewed "
        "on) until it is prepared and reviewed again; the old one keeps the sign-off")


def test_history_prints_its_figures_a_page_wide_and_the_new_columns_on_the_page_beside(standard_books):
    """Sixteen columns fitted to one landscape page printed at about 40%: the figures (to the change column) take
    the first page wide at the scale that fits them, the price file, its SHA-256, the user and the version the page
    beside, the When column repeated."""
    from test_workbook_print import _printed_points

    book = standard_books["holders"]
    _, t = _lay(book).table("tblHistory")
    ws = load_workbook(book)["History"]
    change = t.first_col + [c.key for c in t.columns].index("change")
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and [b.id for b in ws.col_breaks.brk] == [change]
    assert ws.print_title_cols == "$B:$B" or ws.print_title_cols == "B:B"
    page = (11 - 2 * ws.page_margins.left) * 72
    assert 45 <= ws.page_setup.scale and _printed_points(ws, change) * ws.page_setup.scale / 100 <= page


def test_validate_notes_a_review_dated_ahead_or_half_signed(monkeypatch):
    """Review 79: a Reviewed on mistyped a year ahead silenced the check for good (and the refresh called it 'before
    this refresh'); a reviewer with no date, or a date with no reviewer, said nothing."""
    import time

    from xlpy.workbook.review import dated_before

    monkeypatch.setenv("TZ", "UTC0")  # (today is this computer's: its zone is named)
    time.tzset()
    today, last = dt.date(2026, 12, 5), "2026-12-05 09:00:00"
    try:
        said = dated_before(dt.date(2027, 6, 30), "Cover!C35", last, "A. Jones", today)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert said == (
        "Cover: reviewed on 2027-06-30 (Cover!C35, ReviewedOn), after today (2026-12-05 in this computer's time zone, "
        "UTC): a date mistyped? No one can tell which figures the review covers; type the day of the review")
    assert dated_before(dt.date(2026, 12, 6), "Cover!C35", last, "A. Jones", today) is None  # (signed east of UTC)
    assert dated_before(None, "Cover!C35", last, "A. Jones", today) == (
        "Cover: reviewed by A. Jones with no date of the review (Cover!C35, ReviewedOn, blank): no one can tell which "
        "figures the review covers; type the day of the review (YYYY-MM-DD)")
    assert dated_before(dt.date(2026, 12, 5), "Cover!C35", last, "  ", today) == (
        "Cover: a date of review, 2026-12-05 (Cover!C35, ReviewedOn), and no reviewer (ReviewedBy blank): type who "
        "reviewed the workbook, or clear the date")
    assert dated_before(None, "Cover!C35", last, None, today) is None  # (no sign-off at all: nothing to say)


def test_validate_notes_a_reviewer_with_no_date_in_the_workbook(standard_books, tmp_path):
    book = standard_books.copy_into("holders", tmp_path)
    _sign(book, {"ReviewedBy": "A. Jones"})
    where = "Cover!" + _lay(book).cell("ReviewedOn")[1]
    assert [n for n in validate(book, legs=()).notes if "ReviewedOn" in n] == [
        f"Cover: reviewed by A. Jones with no date of the review ({where}, ReviewedOn, blank): no one can tell which "
        "figures the review covers; type the day of the review (YYYY-MM-DD)"]


def test_a_refresh_says_a_review_dated_ahead_may_be_mistyped(standard_books, tmp_path, capsys, monkeypatch):
    from xlpy.workbook import clock

    book = standard_books.copy_into("holders", tmp_path)
    _sign(book, {"ReviewedBy": "A. Jones", "ReviewedOn": dt.date(2099, 6, 30)})
    # today, as the refresh reads it, held at the instant the test reads (the test's clock read after a refresh that
    # straddled midnight named the next day); this computer's zone is UTC in the tests (tests/conftest.py)
    now = clock.computer_now()
    monkeypatch.setattr(clock, "computer_now", lambda: now)
    assert cli.main(["refresh", str(book), "--tally", str(_fewer_lines(tmp_path)), "--no-backup"]) == 0
    assert (f"reviewed by A. Jones on 2099-06-30 (after today, {now:%Y-%m-%d} in this computer's time zone, UTC: a "
            "date mistyped?), a sign-off typed before this refresh, which moved ") in \
        capsys.readouterr().err  # (review 93: not "2099-06-30 ..., before this refresh", a day after it called before)
