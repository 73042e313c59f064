"""A clock set apart: History's last row is the table's last, a refresh timed before it says so, a backup named
after now is neither counted among the newest nor removed, and a review is told against the last row's day where
the reviewer typed theirs.

Review 84: after a refresh run with the computer's clock a year ahead, then refreshes with the clock right,
History's "last row" was its newest by time, the future row, while the Cover showed the table's last: a refresh
that moved the figures back to the future row's added no row, and History's last row and the Cover showed figures
the workbook no longer computed, validate saying nothing.  ``--keep 2`` kept the two backups named a year ahead
for good and removed the newest real one at every refresh.  A review in Los Angeles at 18:00 after a refresh at
17:30 (the next day in UTC) was told it was before the refresh; and after a row written a year ahead, no date of
the review cleared the note.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest
from repo_paths import DATA, FORMULA, PRICES, SEED, TALLY

from xlpy import cli
from xlpy.workbook import backups, clock, refresh_file
from xlpy.workbook.layout.history import HISTORY_COLUMNS, count_fell, history_added, went_back


def _clock(monkeypatch, when: str) -> None:
    """The computer's clock at *when* (UTC), where a refresh, the pruning of backups and validate read it."""
    t = dt.datetime.fromisoformat(when)
    monkeypatch.setattr(refresh_file, "utc_now", lambda: t)
    monkeypatch.setattr(clock, "computer_now", lambda: t)


def _row(when: str, tendered: int, tally: str = "t.csv") -> tuple:
    """A History record, as HISTORY_COLUMNS orders one (through the charge and the tally's SHA-256)."""
    return (when, tally, 3, tendered, 0, 0, tendered, 0.5, 2 * tendered, 100.0 + tendered, "ab")


def test_the_last_row_is_the_tables_last_and_a_refresh_timed_before_it_is_warned_of():
    rows = [_row("2026-12-04 09:00:00", 266200), _row("2027-12-05 11:00:00", 270900),
            _row("2026-12-05 16:00:00", 266200)]
    # the figures moved back to those of the row written a year ahead: a row, for the last row is the 2026 one
    added, said = history_added(rows, _row("2026-12-05 16:05:00", 270900))
    assert added == rows + [_row("2026-12-05 16:05:00", 270900)] and said == []
    added, said = history_added(rows, _row("2026-12-05 16:05:00", 266200))
    assert added is rows and said == ["History: no row added: the tally, the count and the charge are as its last "
                                      "row has them"]
    # timed before the last row: warned of, and the row goes at the end all the same
    added, said = history_added(rows[:2], _row("2026-12-05 16:00:00", 100000))
    assert added[-1][0] == "2026-12-05 16:00:00" and len(said) == 2, said
    assert said[0] == ("warning: History: this refresh's time, 2026-12-05 16:00:00 UTC, is before that of its last "
                       "row, 2027-12-05 11:00:00 UTC: this computer's clock, or that of the computer that wrote the "
                       "row, may be wrong (check its date, time and time zone); its row goes at the end of the "
                       "table all the same, the last, which the Cover shows as the latest count")
    assert said[1].startswith("warning: units tendered fell from 270,900 (History's last row, 2027-12-05 11:00:00")
    assert count_fell(rows[-1], _row("", 133100)) is not None  # (against the table's last: 266,200)
    assert went_back(rows[0], _row("2026-12-04 09:00:00", 1), True) is None  # (the same second: not before)
    assert went_back(("see the memo", None), _row("2026-12-04 09:00:00", 1), True) is None


def test_a_note_row_a_person_put_after_the_last_is_passed_over():
    """Review 86: with a row of a person's at the end of History (a note in its first cell, no figures), the last
    row was that note: a refresh that moved nothing added a row and warned that a review did not cover figures
    "blank -> 290,000", and validate's note of a review before the last row gave way to figures differing from the
    note's blanks.  The last row a build or refresh wrote is History's last, as before the table's order counted."""
    from xlpy.workbook.layout.history import latest

    note = ("Note: agent revised its figures by phone",) + (None,) * 10
    rows = [_row("2026-12-04 09:00:00", 280000), _row("2026-12-05 10:00:00", 290000), note]
    assert latest(rows) == rows[1]
    added, said = history_added(rows, _row("2026-12-05 16:05:00", 290000))
    assert added is rows and said == ["History: no row added: the tally, the count and the charge are as its last "
                                      "row has them"]
    assert latest([note]) == note and latest([]) is None


@pytest.fixture
def formula_book(tmp_path, monkeypatch, capsys):
    """The formula example built on 2004-02-19 from 12 lines of the tally, in *tmp_path*, the working folder."""
    (tmp_path / "data").mkdir()
    shutil.copy(DATA / PRICES, tmp_path / "data" / PRICES)
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "data" / TALLY).write_text("".join(lines[:12]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077148800")
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    capsys.readouterr()
    for n in (11, 10):
        (tmp_path / f"tally{n}.csv").write_text("".join(lines[:n]), encoding="utf-8")
    return tmp_path / "book.xlsm"


def _refresh(monkeypatch, capsys, when: str, tally: str) -> tuple[list[str], list[str]]:
    _clock(monkeypatch, when)
    assert cli.main(["refresh", "book.xlsm", "--tally", tally, "--keep", "2"]) == 0
    out, err = capsys.readouterr()
    return out.splitlines(), [line for line in err.splitlines() if "History" in line or "named after now" in line]


def _history(path) -> list[tuple]:
    """The History table's records as a refresh reads them."""
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.table_edits import history_records

    with PackageBook(path) as book:
        return history_records(book, layout(Shape.decode(book.name(LAYOUT_NAME))))


def test_a_refresh_after_one_a_year_ahead_records_its_row_and_keeps_the_real_backups(formula_book, monkeypatch,
                                                                                     capsys):
    from xlpy.workbook.validate import validate

    _, err = _refresh(monkeypatch, capsys, "2027-12-05 10:00:00", "tally11.csv")  # the clock a year ahead
    assert err == []
    ahead = "book.20271205-100000.bak.xlsm"
    _, err = _refresh(monkeypatch, capsys, "2026-12-05 16:00:00", "tally10.csv")  # set right
    assert err[0].startswith("xlpy refresh: warning: book.xlsm: History: this refresh's time, 2026-12-05 16:00:00 "
                             "UTC, is before that of its last row, 2027-12-05 10:00:00 UTC: "), err
    assert err[1] == (f"xlpy refresh: warning: book.xlsm: a backup is named after now (2026-12-05 16:00:00 UTC, this "
                      f"computer's clock): {ahead}: a clock was set ahead when it was written (or this computer's "
                      "is behind); not counted among the 2 newest (--keep 2) and never removed by --keep: remove it "
                      "once no longer needed"), err
    # back to the figures of the row written a year ahead: a row all the same, the last, as the Cover reads it
    out, err = _refresh(monkeypatch, capsys, "2026-12-05 16:05:00", "tally11.csv")
    assert not any("no row added" in line for line in out), out
    rows = _history(formula_book)
    assert [r[0] for r in rows] == ["2004-02-19 00:00:00", "2027-12-05 10:00:00", "2026-12-05 16:00:00",
                                    "2026-12-05 16:05:00"]
    at = [HISTORY_COLUMNS.index(key) for key in ("tally", "sha256", "lines", "tendered")]
    assert [rows[-1][i] for i in at] == [rows[1][i] for i in at] and rows[-1][at[-1]] != rows[2][at[-1]]
    # the real backups are kept (the newest of them was removed, the one named a year ahead kept for good)
    assert sorted(p.name for p in backups.backups_of(formula_book)) == [
        "book.20261205-160000.bak.xlsm", "book.20261205-160500.bak.xlsm", ahead]
    assert len(err) == 1 and ahead in err[0]  # (said once)
    report = validate(formula_book, legs=("formulas",))
    assert report.findings == [], report.findings
    (note,) = [n for n in report.notes if "out of order" in n]
    top = int(note.split("History!B")[1].split(" ")[0]) - 1  # (the build's row, above the year-ahead one)
    assert note.startswith(f"History: its times (UTC) are out of order: History!B{top + 1} (2027-12-05 10:00:00) "
                           f"after now (2026-12-05 16:05:00 UTC); History!B{top + 2} (2026-12-05 16:00:00) before "
                           f"History!B{top + 1} above it (2027-12-05 10:00:00): a clock was set apart"), note
    assert not [n for n in report.notes if "holds other figures" in n]  # (the last row: the figures as they stand)


def test_a_backup_named_after_now_is_not_counted_nor_removed(tmp_path, monkeypatch):
    book = tmp_path / "b.xlsm"
    book.write_bytes(b"x")
    names = ["b.20261204-090000.bak.xlsm", "b.20261205-160000.bak.xlsm", "b.20261205-161000.bak.xlsm",
             "b.20271205-110000.bak.xlsm"]
    for n in names:
        (tmp_path / n).write_bytes(n.encode())  # (versions of their own: copies of one are counted as one)
    _clock(monkeypatch, "2026-12-05 16:00:00")  # (16:10: ahead by less than clock.AHEAD, counted as it is named)
    assert backups.named_ahead(book) == [tmp_path / names[3]]
    assert [p.name for p in backups.prune_backups(book, 1, tmp_path / names[2])] == names[:2]
    assert sorted(p.name for p in tmp_path.glob("b.*.bak.xlsm")) == names[2:]
    assert backups.ahead_warning(book, None) is None  # (no --keep: nothing pruned, nothing to say)
    assert "b.20271205-110000.bak.xlsm: a clock was set ahead" in backups.ahead_warning(book, 1)
    assert [p.name for p in backups.prune_backups(book, 0)] == [names[2]] and (tmp_path / names[3]).exists()


def test_a_build_that_replaces_a_workbook_says_so_of_a_backup_named_after_now(tmp_path, monkeypatch, capsys):
    book = tmp_path / "b.xlsm"
    assert cli.main(["build", str(SEED), "-o", str(book), "--no-validate", "-q"]) == 0
    ahead = tmp_path / "b.20271205-110000.bak.xlsm"
    ahead.write_bytes(book.read_bytes())
    now = dt.datetime(2026, 12, 5, 16, 0)
    monkeypatch.setattr(clock, "utc_now", lambda: now)
    _clock(monkeypatch, "2026-12-05 16:00:00")
    capsys.readouterr()
    assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--keep", "1", "--no-validate", "-q"]) == 0
    err = capsys.readouterr().err
    assert "warning: b.xlsm: a backup is named after now (2026-12-05 16:00:00 UTC, this computer's clock): " \
           "b.20271205-110000.bak.xlsm: a clock was set ahead" in err, err
    assert sorted(p.name for p in backups.backups_of(book)) == ["b.20261205-160000.bak.xlsm", ahead.name]


@pytest.fixture
def los_angeles(monkeypatch):
    """This computer's time zone: Los Angeles (a POSIX rule: no time zone database needed)."""
    monkeypatch.setenv("TZ", "PST8PDT,M3.2.0,M11.1.0")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_review_is_told_against_the_last_rows_day_in_this_computers_time_zone(los_angeles):
    from xlpy.workbook.review import dated_before

    today, last = dt.date(2026, 12, 6), "2026-12-06 01:30:00"  # (17:30 on 12-05 in Los Angeles)
    assert dated_before(dt.date(2026, 12, 5), "Cover!C35", last, "A. Jones", today) is None  # reviewed at 18:00
    assert dated_before(dt.date(2026, 12, 4), "Cover!C35", last, "A. Jones", today) == (
        "Cover: reviewed on 2026-12-04 (Cover!C35, ReviewedOn), before History's last row (2026-12-06 01:30:00 UTC, "
        "2026-12-05 17:30:00 in this computer's time zone, PST): the figures were refreshed since the review, which "
        "does not cover them; review again and type the new date")
    # a last row written a year ahead: no date of the review would clear the note (validate names the row instead)
    assert dated_before(dt.date(2026, 12, 5), "Cover!C35", "2027-12-05 11:00:00", "A. Jones", today) is None


def test_a_review_dated_after_today_is_told_against_today_in_this_computers_time_zone(monkeypatch):
    """'After today' took today in UTC while the last row's day was taken where the reviewer is: a day's
    allowance there was two days in Los Angeles after 16:00 (a review dated the day after tomorrow passed) and none
    in Tokyo before 09:00 (tomorrow's date was told after today, which the note named as yesterday there, in UTC)."""
    from xlpy.workbook.review import dated_before, stale_review

    def told(zone: str, now: str, on: dt.date) -> tuple[str | None, str | None]:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        _clock(monkeypatch, now)
        try:
            return (dated_before(on, "Cover!C35", "2026-12-04 09:00:00", "A. Jones"),
                    stale_review({"ReviewedBy": "A. Jones", "ReviewedOn": on}.get, lambda n: n, ["x"]))
        finally:
            monkeypatch.undo()
            time.tzset()

    # Los Angeles at 18:00 on 2026-12-05 (02:00 on 12-06 in UTC): 12-06 is a day past today there, 12-07 two
    la = "PST8PDT,M3.2.0,M11.1.0"
    note, warning = told(la, "2026-12-06 02:00:00", dt.date(2026, 12, 7))
    assert note == ("Cover: reviewed on 2026-12-07 (Cover!C35, ReviewedOn), after today (2026-12-05 in this "
                    "computer's time zone, PST): a date mistyped? No one can tell which figures the review covers; "
                    "type the day of the review")
    assert "on 2026-12-07 (after today, 2026-12-05 in this computer's time zone, PST: a date mistyped?)" in warning
    note, warning = told(la, "2026-12-06 02:00:00", dt.date(2026, 12, 6))
    assert note is None and "after today" not in warning
    # Tokyo at 08:00 on 2026-12-06 (23:00 on 12-05 in UTC): tomorrow there is a day past, not two
    note, warning = told("JST-9", "2026-12-05 23:00:00", dt.date(2026, 12, 7))
    assert note is None and "after today" not in warning, (note, warning)
    note, warning = told("JST-9", "2026-12-05 23:00:00", dt.date(2026, 12, 8))
    assert "after today (2026-12-06 in this computer's time zone, JST)" in note
