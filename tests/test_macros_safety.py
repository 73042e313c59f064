"""Refresh macros' safety points: a malformed source changes nothing and names every problem, a hostile tally gives
a clear error or safe text, never a crash, and the write is a temporary file replacing the workbook, with a backup,
whatever interrupts it (the session and the output areas: ``test_macros.py``)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import signal

import pytest
import refresh_books
from refresh_books import _cell, _layout, _refresh, _tally_rows, _write_csv
from repo_paths import DATA, PRICES, TALLY

from xlpy import macros
from xlpy.cli import refresh as cli_refresh
from xlpy.engine.errors import InputError, InputErrors, XlpyError
from xlpy.excel import vba
from xlpy.files import sources
from xlpy.workbook import backups, locks, package
from xlpy.workbook.backends import PackageBook

built, holders, seed = refresh_books.built, refresh_books.holders, refresh_books.seed  # (the fixtures)


# --- safety: a malformed source changes nothing and names every problem ------------------------------


def _bad_rows():
    rows = _tally_rows(0)
    rows[2][1] = "-5"          # row 3: negative units
    rows[4][1] = "lots"        # row 5: not a number
    rows[6][3] = "pending"     # row 7: unknown status
    rows[8][0] = ""            # row 9: no holder
    rows[10][1] = "12.5"       # row 11: not whole
    return rows


def _lines(*rows):
    """A tally of book-entry tenders: (holder, units) rows under the four contract columns."""
    return [["holder_id", "units", "method", "status"]] + [[h, u, "book-entry", "tendered"] for h, u in rows]


MALFORMED = {
    "bad rows": (_bad_rows, ["row 3, column units", "row 5, column units", "row 7, column status",
                             "row 9, column holder_id", "row 11, column units"]),
    "unknown columns": (lambda: [["Participant Code", "Qty Tendered"], ["A", "1"]], ["header"]),
    "totals above outstanding": (lambda: _lines(("BIG-1", "400000"), ("BIG-2", "100000")), ["Outstanding"]),
    "negative units": (lambda: _lines(("A", "10"), ("B", "-1")), ["row 3, column units"]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_tally_changes_nothing_and_names_every_problem(holders, tmp_path, case):
    make, wanted = MALFORMED[case]
    before = holders.read_bytes()
    source = _write_csv(tmp_path / "bad.csv", make())
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(source)])
    text = str(exc.value)
    for w in wanted:
        assert w in text, (w, text)
    assert holders.read_bytes() == before
    assert sorted(p.name for p in holders.parent.iterdir()) == sorted(
        [holders.name, TALLY, PRICES, "bad.csv"]), "a backup or temporary file was left"


def test_malformed_prices_change_nothing(holders, tmp_path):
    before = holders.read_bytes()
    rows = list(csv.reader((DATA / PRICES).open(encoding="utf-8")))
    rows[3][1] = "-8.1"
    rows[5][0] = "2004-13-01"
    rows[7][2] = "many"
    bad = _write_csv(tmp_path / "bad-prices.csv", rows)
    good_tally = _write_csv(tmp_path / "t.csv", _tally_rows(3))
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(good_tally), "--prices", str(bad)])
    text = str(exc.value)
    for w in ("row 4, column price", "row 6, column date", "row 8, column volume"):
        assert w in text, w
    assert holders.read_bytes() == before


def test_a_price_file_missing_a_window_day_is_named_as_given(holders, tmp_path):
    """The engine finds the averaging window's missing day; the refresh names the price file given, as its reader
    and compute name it, not the workbook's sheet the prices would have gone to."""
    rows = [r for r in csv.reader((DATA / PRICES).open(encoding="utf-8")) if r[0] != "2004-02-13"]
    before = holders.read_bytes()
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--prices", str(_write_csv(tmp_path / "short.csv", rows))])
    assert [str(p) for p in exc.value.problems] == [  # (by the path given on the command line)
        f"{tmp_path / 'short.csv'}: has no row for trading day(s) in the averaging window, got '2004-02-13'"]
    assert holders.read_bytes() == before


# --- safety: a hostile tally gives a clear error or safe text, never a crash -------------------------------


HOSTILE = {
    "huge number": (_lines(("A", str(10**30)), ("B", "5")), ["row 2, column units"]),
    "wrong encoding": ("café,1\n".encode("cp1252"), ["not UTF-8 text"]),
    "control character": (_lines(("A\x07B", "5")), ["row 2, column holder", "control character"]),
    "binary garbage": (bytes(range(256)) * 4, ["bad.csv"]),
    "huge text": (_lines(("x" * 40000, "5")), ["longer than a cell holds"]),
    "ids differing only in case": (_lines(("ODD-1", "5"), ("odd-1", "6")),
                                   ["row 3, column holder", "from the holder id on row 2 ('ODD-1') only in letter case"]),
    "empty": (b"", ["no header row"]),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_tally_is_refused_clearly(holders, tmp_path, case):
    content, wanted = HOSTILE[case]
    source = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        source.write_bytes(b"holder_id,units\n" + content if case == "wrong encoding" else content)
    else:
        _write_csv(source, content)
    before = holders.read_bytes()
    with pytest.raises(XlpyError) as exc:
        _refresh([str(holders), "--tally", str(source)])
    assert isinstance(exc.value, InputErrors)
    for w in wanted:
        assert w in str(exc.value), (w, str(exc.value))
    assert holders.read_bytes() == before


def test_xlsx_tally_as_agents_send_it(holders, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Account", "Shares Tendered", "Delivery", "NGD"])
    for i in range(30):
        ws.append([f"ACCT-{i:03d}", 1000 + i, "DTC", "Y" if i % 10 == 0 else "N"])
    ws.append(["=cmd|' /C calc'!A0", 5, "DTC", "N"])  # text an agent's system let through
    ws.cell(row=ws.max_row, column=1).data_type = "s"
    wb.save(tmp_path / "agent.xlsx")
    book = PackageBook(holders)
    # no status column: refused unless a mapping states every line's status
    with pytest.raises(InputErrors, match=r"agent.xlsx: header: has no status column"):
        macros.refresh_tenders(book, tmp_path / "agent.xlsx")
    stated = sources.ColumnMapping(defaults={"status": "tendered"})
    report = macros.refresh_tenders(book, tmp_path / "agent.xlsx", stated)
    book.save()
    assert report.tally.rows == 31 and report.tally.kind == "holders"
    wb, lay = _layout(holders)
    _, t = lay.table("tblTenders")
    methods = [wb["Tenders"][f"E{r}"].value for r in range(t.first_row, t.last_row + 1)]
    assert methods.count("guaranteed") == 3
    h = t.letter("holder")
    holders_col = {wb["Tenders"][f"{h}{r}"].value: wb["Tenders"][f"{h}{r}"] for r in range(t.first_row, t.last_row + 1)}
    assert holders_col["=cmd|' /C calc'!A0"].data_type == "s"


def test_formula_text_in_a_source_file_name_is_recorded_as_text(holders, tmp_path):
    source = tmp_path / "=cmd.csv"
    shutil.copy(DATA / TALLY, source)
    book = PackageBook(holders)
    macros.refresh_tenders(book, source)
    book.save()
    cell = _cell(holders, "TallySource")
    assert cell.data_type == "s" and cell.value.endswith("=cmd.csv")


# --- safety: temporary file, replace, backup, interrupted write -------------------------------------------


def test_backup_beside_the_workbook(holders, tmp_path):
    before = holders.read_bytes()
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    backup = holders.with_name("book.20040224-000000.bak.xlsm")
    assert backup.read_bytes() == before
    assert holders.read_bytes() != before
    # A second refresh in the same second keeps both backups.
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t4.csv", _tally_rows(4)))]) == 0
    assert holders.with_name("book.20040224-000000-2.bak.xlsm").is_file()
    assert not list(holders.parent.glob(".*.tmp"))


def test_no_backup(holders, tmp_path):
    assert _refresh([str(holders), "--no-backup", "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    assert not list(holders.parent.glob("*.bak.xlsm"))


def test_keep_zero_writes_no_backup_and_removes_the_older_ones(holders, tmp_path, capsys):
    assert _refresh([str(holders), "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    assert [p.name for p in holders.parent.glob("*.bak.xlsm")] == ["book.20040224-000000.bak.xlsm"]
    capsys.readouterr()
    assert _refresh([str(holders), "--keep", "0", "--tally", str(_write_csv(tmp_path / "t4.csv", _tally_rows(4)))]) == 0
    assert not list(holders.parent.glob("*.bak.xlsm"))
    out = capsys.readouterr().out
    assert "previous version kept" not in out  # no backup named that is not there
    assert "book.xlsm: removed 1 older backup (--keep 0)" in out


def test_keep_keeps_the_newest_backups_of_refreshes_in_one_second(holders, tmp_path, capsys):
    """Four refreshes in the same second (a fixed SOURCE_DATE_EPOCH, as the README's example sets), --keep 2: the
    backup each writes is the newest and is kept; the freed first name is not taken again, where the fourth's
    backup took it, sorted first and was removed as it was reported kept."""
    names = []
    for k in range(3, 7):
        assert _refresh([str(holders), "--keep", "2", "--tally", str(_write_csv(tmp_path / f"t{k}.csv",
                                                                               _tally_rows(k)))]) == 0
        kept = capsys.readouterr().out.split("previous version kept as ")[1].split()[0]
        names.append(kept)
        assert holders.with_name(kept).is_file()
    assert names == ["book.20040224-000000.bak.xlsm", "book.20040224-000000-2.bak.xlsm",
                     "book.20040224-000000-3.bak.xlsm", "book.20040224-000000-4.bak.xlsm"]
    assert sorted(p.name for p in holders.parent.glob("*.bak.xlsm")) == names[2:]


def test_keep_never_removes_the_backup_just_written(holders, tmp_path, capsys, monkeypatch):
    """A backup whose name carries a later time than this refresh's (an earlier refresh run without
    SOURCE_DATE_EPOCH, a clock set apart): --keep 1 keeps the one just written, the one it reports.  Review 84: one
    named after now (the computer's clock) is not counted and never removed, and the refresh says so."""
    from xlpy.workbook import clock

    monkeypatch.setattr(clock, "computer_now", lambda: dt.datetime(2026, 12, 5, 16, 0))
    later = holders.with_name("book.20261204-120000.bak.xlsm")  # (after this refresh's time, before now)
    later.write_bytes(b"an earlier version")  # (not the workbook's bytes: that copy would be kept as this one's)
    ahead = holders.with_name("book.20991231-235959.bak.xlsm")
    ahead.write_bytes(holders.read_bytes())
    assert _refresh([str(holders), "--keep", "1", "--tally", str(_write_csv(tmp_path / "t.csv", _tally_rows(3)))]) == 0
    out, err = capsys.readouterr()
    assert "previous version kept as book.20040224-000000.bak.xlsm" in out
    assert "removed 1 older backup (--keep 1)" in out
    assert "a backup is named after now (2026-12-05 16:00:00 UTC, this computer's clock): " \
           "book.20991231-235959.bak.xlsm: " in err, err
    assert sorted(p.name for p in holders.parent.glob("*.bak.xlsm")) == ["book.20040224-000000.bak.xlsm", ahead.name]


def test_keep_reads_the_time_after_the_workbooks_own_name(holders, tmp_path, capsys, monkeypatch):
    """A workbook whose own name looks like a backup's (b.20040101-000000.bak.xlsm): --keep 1 keeps its newest
    backup, by the time after its name, not the one its name gives every backup alike."""
    book = holders.rename(holders.with_name("b.20040101-000000.bak.xlsm"))
    for day, k in enumerate(range(3, 6)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1077580800 + 86400 * day))
        assert _refresh([str(book), "--keep", "1", "--tally", str(_write_csv(tmp_path / f"t{k}.csv",
                                                                             _tally_rows(k)))]) == 0
    assert "previous version kept as b.20040101-000000.bak.20040226-000000.bak.xlsm" in capsys.readouterr().out
    assert [p.name for p in backups.backups_of(book)] == ["b.20040101-000000.bak.20040226-000000.bak.xlsm"]


def _boom(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("where", ["compressing", "flushing", "replacing", "interrupted"])
def test_interrupted_write_leaves_the_original(holders, tmp_path, monkeypatch, where):
    before = holders.read_bytes()
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(10))
    if where == "compressing":
        monkeypatch.setattr(package.fast, "deflate", _boom)
    elif where == "flushing":
        monkeypatch.setattr(package.os, "fsync", _boom)
    elif where == "replacing":
        monkeypatch.setattr(package.os, "replace", _boom)
    else:
        def interrupt(*args):
            raise KeyboardInterrupt

        monkeypatch.setattr(package.os, "fsync", interrupt)
    with pytest.raises((InputErrors, KeyboardInterrupt)) as exc:
        _refresh([str(holders), "--tally", str(tally)])
    if where != "interrupted":
        assert "No space left on device" in str(exc.value) and "was not changed" in str(exc.value)
    assert holders.read_bytes() == before
    assert not list(holders.parent.glob(".*.tmp")), "the temporary file was left behind"
    assert not list(holders.parent.glob("*.bak.xlsm")), "a backup of an unchanged workbook was left behind"


def test_a_backup_that_does_not_fit_is_named_and_the_workbook_kept(holders, tmp_path, monkeypatch):
    """A full disk while copying the old workbook said "cannot be written (No space left on device)", as if the
    workbook were the file that did not fit; --no-backup, which then succeeds, was not mentioned."""
    before = holders.read_bytes()
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(10))
    monkeypatch.setattr(backups.shutil, "copy2", _boom)
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(tally)])
    said = str(exc.value)
    assert re.search(rf"{re.escape(holders.stem)}\.\d{{8}}-\d{{6}}\.bak\.xlsm cannot be written \(No space left on "
                     r"device\); free space, or refresh without a backup \(--no-backup\)", said), said
    assert "was not changed" in said
    assert holders.read_bytes() == before and not list(holders.parent.glob("*.bak.xlsm"))
    assert not [p.name for p in holders.parent.iterdir() if p.name.startswith(".")], "a temporary file was left"
    def not_permitted(*args, **kwargs):  # (copystat on a FAT stick): no word of space
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(backups.shutil, "copy2", not_permitted)
    with pytest.raises(InputErrors) as exc:
        _refresh([str(holders), "--tally", str(tally)])
    assert "cannot be written (Operation not permitted); refresh without a backup (--no-backup)" in str(exc.value)
    monkeypatch.setattr(backups.shutil, "copy2", shutil.copy2)
    assert _refresh([str(holders), "--tally", str(tally), "--no-backup"]) == 0
    assert holders.read_bytes() != before


def test_an_interrupt_once_the_workbook_is_replaced_says_so_and_keeps_the_backup(holders, tmp_path, monkeypatch,
                                                                                capsys):
    """Ctrl-C landing just as the rename completes: the refreshed workbook stands, so does the backup of the old
    one, and the message says so (it said "nothing was written", and the backup was deleted)."""
    from xlpy.cli import main

    real = locks.os.replace

    def replace_then_interrupt(src, dst):
        real(src, dst)
        if str(dst) == str(holders):
            raise KeyboardInterrupt

    before = holders.read_bytes()
    monkeypatch.setattr(locks.os, "replace", replace_then_interrupt)
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(3))
    assert main(["refresh", str(holders), "--tally", str(tally)]) == 130
    backup = holders.with_name("book.20040224-000000.bak.xlsm")
    assert capsys.readouterr().err == (f"xlpy refresh: interrupted after {holders} was written (the previous version "
                                       f"is kept as {backup.name})\n")
    assert backup.read_bytes() == before and holders.read_bytes() != before
    assert not list(holders.parent.glob(".*.tmp"))


@pytest.mark.parametrize(("where", "signalled"), [("prune", "interrupted"), ("report", "interrupted"),
                                                  ("lock", "terminated"), ("print", "interrupted")])
def test_an_interrupt_anywhere_after_the_workbook_is_replaced_says_it_was_written(holders, tmp_path, monkeypatch,
                                                                                 capsys, where, signalled):
    """Ctrl-C or SIGTERM while older backups are pruned, the report is made, the lock is let go or the report is
    printed: the refreshed workbook stands with its backup, and the message says so (it said "nothing was
    written" everywhere but the pruning)."""
    from xlpy.cli import main
    from xlpy.cli.commands import Terminated
    from xlpy.workbook import refresh_file as rf

    signal_class = Terminated if signalled == "terminated" else KeyboardInterrupt

    def interrupt(*args, **kwargs):
        raise signal_class

    if where == "prune":
        monkeypatch.setattr(backups, "prune_backups", interrupt)
    elif where == "report":
        monkeypatch.setattr(rf.FileRefresh, "report", interrupt)
    elif where == "lock":
        real_exit = locks.RefreshLock.__exit__

        def exit_then_interrupt(self, *exc):
            real_exit(self, *exc)
            raise signal_class

        monkeypatch.setattr(locks.RefreshLock, "__exit__", exit_then_interrupt)
    else:
        monkeypatch.setattr(cli_refresh, "print", interrupt, raising=False)
    before = holders.read_bytes()
    tally = _write_csv(tmp_path / "t.csv", _tally_rows(3))
    assert main(["refresh", str(holders), "--tally", str(tally)]) == (143 if signalled == "terminated" else 130)
    backup = holders.with_name("book.20040224-000000.bak.xlsm")
    assert capsys.readouterr().err == (f"xlpy refresh: {signalled} after {holders} was written (the previous "
                                       f"version is kept as {backup.name})\n")
    assert backup.read_bytes() == before and holders.read_bytes() != before


def test_signals_are_held_while_a_file_is_put_in_place():
    """A Ctrl-C during the backup and the rename is delivered once they are done, not halfway through."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    done = []
    # (as a terminal starts it: a run put in the background by a script, `pytest &`, has Ctrl-C ignored, and an
    # ignored one stays so, as held_signals leaves it: nothing would be raised)
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with locks.held_signals():
                # (to this thread, at once: os.kill may hand it to another thread of the process, an xdist worker's,
                # whose handler ran after the block had ended, and the test failed on a busy machine)
                signal.raise_signal(signal.SIGINT)
                done.append("renamed")  # still runs: the interrupt waits for the block's end
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert done == ["renamed"]


def test_not_a_workbook_or_not_a_standard_one(tmp_path):
    bogus = tmp_path / "notes.xlsm"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="is not a workbook: it is a file of no kind xlpy knows"):  # (as an .xls)
        _refresh([str(bogus)])
    plain = tmp_path / "plain.xlsm"
    shutil.copy(vba.template_path(standalone=True), plain)
    with pytest.raises(InputErrors, match="not a standard xlpy workbook"):
        _refresh([str(plain)])
    with pytest.raises(InputErrors, match="workbook not found"):
        _refresh([str(tmp_path / "missing.xlsm")])


def test_longer_price_history_changes_the_holiday_list(holders, tmp_path):
    rows = list(csv.reader((DATA / PRICES).open(encoding="utf-8")))
    closed = (dt.date(2003, 9, 1), dt.date(2003, 11, 27), dt.date(2003, 12, 25), dt.date(2004, 1, 1))
    day, extra = dt.date(2003, 8, 1), []
    while day < dt.date(2004, 1, 2):
        if day.weekday() < 5 and day not in closed:
            extra.append([day.isoformat(), "7.5000", "1000000"])
        day += dt.timedelta(days=1)
    prices = _write_csv(tmp_path / "long.csv", [rows[0]] + extra + rows[1:])
    _, before = _layout(holders)
    book = PackageBook(holders)
    macros.refresh_prices(book, prices)
    book.save()
    wb, lay = _layout(holders)
    assert lay.shape.price_rows == len(extra) + len(rows) - 1
    assert lay.shape.holiday_rows > before.shape.holiday_rows
    _, t = lay.table("tblHolidays")
    assert wb["Prices"].tables["tblHolidays"].ref == t.ref
    assert wb["Prices"][f"F{t.first_row}"].value.date() == dt.date(2003, 7, 4)  # 45 days before the first price
    from xlpy.workbook.validate import validate

    assert validate(holders, legs=("formulas",)).findings == []
