"""``xlpy build --history-from OLD``: an earlier workbook's History carried into a new build of the same offer.

A layout change has every workbook rebuilt, and a rebuild began a new History: the record of the offer's counts
stayed in the old file (the review of layout 13: "keep this one for its History").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from repo_paths import DATA, FORMULA, SEED, TALLY

from xlpy.cli import main
from xlpy.workbook.layout import Shape, layout

#: The places of History's columns after When (column B), by key: the charge, the units tendered.
AT = {c.key: i for i, c in enumerate(layout(Shape()).table("tblHistory")[1].columns)}


def _history(path: Path) -> list[tuple]:
    """History's rows (when, tally file, ...) as the workbook holds them."""
    wb = load_workbook(path)
    ((sheet, ref),) = wb.defined_names["HistWhen"].destinations
    col, first, _, last = range_boundaries(ref)
    return list(wb[sheet].iter_rows(min_row=first, max_row=last, min_col=col, max_col=col + 10, values_only=True))


#: Parallel runs (tests/conftest.py): the earlier workbook (``built_old``) takes a few seconds to build where first
#: asked for; the tests spread across the workers, each building it once.
SPREAD_ACROSS_WORKERS = True


@pytest.fixture(scope="module")
def built_old(tmp_path_factory) -> Path:
    """The folder of the formula example built on 19 February and refreshed on the 20th (149 lines) and the 24th
    (all of them), built once; shared read-only (``old`` copies it)."""
    folder = tmp_path_factory.mktemp("old")
    shutil.copy(FORMULA, folder / FORMULA.name)
    shutil.copytree(DATA, folder / "data")
    (folder / "a19.csv").write_text("".join((DATA / TALLY).read_text(encoding="utf-8").splitlines(True)[:150]),
                                    encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        for epoch, args in (("1077148800", ["build", FORMULA.name, "-o", "old.xlsm", "--no-validate"]),
                            ("1077235200", ["refresh", "old.xlsm", "--tally", "a19.csv", "--no-backup"]),
                            ("1077580800", ["refresh", "old.xlsm", "--tally", f"data/{TALLY}", "--no-backup"])):
            mp.setenv("SOURCE_DATE_EPOCH", epoch)
            assert main([*args, "-q"]) == 0
    return folder


@pytest.fixture
def old(built_old, tmp_path, monkeypatch) -> Path:
    """The formula example built on 19 February and refreshed on the 20th (149 lines) and the 24th (all of them): a
    copy of ``built_old``'s folder in the test's, the current folder."""
    shutil.copytree(built_old, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077667200")  # the rebuild, on the 25th
    return tmp_path / "old.xlsm"


def test_a_rebuild_carries_the_old_workbook_s_history_in_place_of_a_row_of_its_own(old, capsys):
    """The rebuild is no count: it writes no row of the offer file's count between the old counts and the refresh
    that follows (review 70: 160,900, then the offer file's 274,000, then 160,900 again)."""
    rows = _history(old)
    assert [r[:2] for r in rows] == [("2004-02-19 00:00:00", f"data/{TALLY}"), ("2004-02-20 00:00:00", "a19.csv"),
                                     ("2004-02-24 00:00:00", f"data/{TALLY}")]
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-libreoffice"]) == 0
    out = capsys.readouterr().out
    assert "; History carried from old.xlsm (3 rows)" in out and "new.xlsm: valid" in out, out
    assert _history(old.with_name("new.xlsm")) == rows  # as they stand, every column: carried, never recomputed
    assert main(["build", FORMULA.name, "-o", "j.xlsm", "--history-from", "old.xlsm", "--json", "--no-validate"]) == 0
    assert json.loads(capsys.readouterr().out)["history_from"] == {"workbook": "old.xlsm", "rows": 3}


def test_a_rebuild_in_another_folder_records_the_carried_tally_files_from_there(old, tmp_path):
    """The History of the old workbook records its tally files relative to its folder; the rebuild written into
    another folder records the same files relative to its own, so each row still names the file it was counted
    from (review 70: carried as the old workbook recorded them), an absolute path and a fixed text as they stand."""
    wb = load_workbook(old, keep_vba=True)
    ((sheet, ref),) = wb.defined_names["HistWhen"].destinations
    col, first, _, _ = range_boundaries(ref)
    wb[sheet].cell(first + 1, col + 1).value = str(tmp_path / "a19.csv")  # a row that recorded it absolute
    wb.save(old)
    (tmp_path / "deal" / "q1").mkdir(parents=True)
    assert main(["build", FORMULA.name, "-o", "deal/q1/new.xlsm", "--history-from", "old.xlsm", "--no-validate",
                 "-q"]) == 0
    assert [r[1] for r in _history(tmp_path / "deal" / "q1" / "new.xlsm")] == [
        f"../../data/{TALLY}", str(tmp_path / "a19.csv"), f"../../data/{TALLY}"]


def test_a_tally_file_carried_is_named_from_the_new_folder(tmp_path):
    from xlpy.files.recorded import NO_TALLY_FILE
    from xlpy.workbook.history_carry import rebased

    old, new = tmp_path / "a", tmp_path / "b" / "c"
    for f in (old / "t.csv", old / "data" / "t.csv", tmp_path / "common" / "t.csv"):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("holder_id,units\n", encoding="utf-8")
    assert rebased("t.csv", old, new) == "../../a/t.csv"
    assert rebased("data\\t.csv", old, new) == "../../a/data/t.csv"  # as Windows wrote it
    assert rebased("../common/t.csv", old, tmp_path) == "common/t.csv"
    assert rebased("./t.csv", old, old) == "./t.csv"  # the same folder: as it stands
    # review 71: absolute paths of another system, addresses, text that is no path and a file gone, as they stand
    for kept in (NO_TALLY_FILE, "", None, str(tmp_path / "t.csv"), "C:/Deals/Hecla/data/t.csv", "C:t.csv",
                 "//server/share/t.csv", "\\\\server\\share\\t.csv", "/mnt/deals/t.csv", "https://x/agent.csv",
                 "file:t.csv", "see e-mail from the agent, 2004-02-20", ".", "gone.csv", "data"):
        assert rebased(kept, old, new) == kept, kept
    assert rebased("t.csv", old, None) == "t.csv"


def _edited(old: Path, edit) -> Path:
    """A copy of *old* (given.xlsm) with *edit* (sheet, first column, first row) -> None applied to its History."""
    wb = load_workbook(old, keep_vba=True)
    ((sheet, ref),) = wb.defined_names["HistWhen"].destinations
    col, first, _, _ = range_boundaries(ref)
    edit(wb[sheet], col, first)
    wb.save(old.with_name("given.xlsm"))
    return old.with_name("given.xlsm")


def test_an_earlier_layout_s_history_sorted_and_typed_over_is_carried_oldest_first(old):
    """Layouts to 6 headed the charge "Induced charge" (review 70: their rebuild's own advice failed); a History
    sorted newest first is carried oldest first; a time Excel read as a date is carried as History writes one."""
    import datetime as dt

    rows = _history(old)

    def edit(ws, col, first):
        ws.cell(first - 1, col + AT["charge"]).value = "Induced charge"
        for i, row in enumerate(reversed(rows)):  # newest first
            for j, v in enumerate(row):
                ws.cell(first + i, col + j).value = v
        ws.cell(first + 2, col).value = dt.datetime(2004, 2, 19)

    _edited(old, edit)
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "given.xlsm", "--no-validate"]) == 0
    assert _history(old.with_name("new.xlsm")) == rows


@pytest.mark.parametrize("value, said", [
    ("=1+1", "holds a formula in History at History!E{row} (=1+1): a record is carried as it stands, never "
             "recomputed; put its value there, or clear it"),
    ("274,000", "holds '274,000' in History at History!E{row}, a column of numbers (Units tendered): correct the "
                "cell, or clear it"),
])
def test_a_history_cell_that_is_no_record_is_named_by_its_cell(old, capsys, value, said):
    """Review 70: text in a column of numbers was carried and the Cover's change read #VALUE!, and a formula was
    carried live into the new workbook."""
    at = []

    def edit(ws, col, first):
        ws.cell(first + 1, col + AT["tendered"]).value = value
        at.append(first + 1)

    _edited(old, edit)
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "given.xlsm", "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (f"xlpy build: --history-from: {said.format(row=at[0])}, "
                                                        "got 'given.xlsm'")
    assert not old.with_name("new.xlsm").exists()


def test_a_rebuild_over_the_old_workbook_reads_its_history_first_and_keeps_it_as_a_backup(old, capsys):
    rows = _history(old)
    before = old.read_bytes()
    assert main(["build", FORMULA.name, "-o", "old.xlsm", "--force", "--history-from", "old.xlsm", "--no-validate",
                 "-q"]) == 0
    assert _history(old) == rows
    (backup,) = old.parent.glob("old.*.bak.xlsm")
    assert backup.read_bytes() == before


@pytest.mark.parametrize("case, why", [
    ("other offer", "is the workbook of another offer ('hecla-2004-series-b', not 'hecla-2004-series-b-formula'): its "
                    "counts are not this offer's"),
    ("no workbook", "names no workbook that exists"),
    ("a link to nothing", "is a symbolic link to gone/old.xlsm, which is not there (a share not mounted, a file moved "
                          "or renamed?): mount it, or point the link at the workbook"),
    ("not xlpy's", "is not a standard xlpy workbook (it holds no name xlpyLayout)"),
    ("other columns", "holds a History without Units tendered (its columns: When (UTC), Tally file, Lines, Units, "
                      "by guaranteed delivery, Failed deliveries, Units accepted, Participation, Common issued, "
                      "Charge, Change in units tendered, Tally SHA-256, Price file, Price SHA-256, Run by, xlpy): no "
                      "record of counts to carry"),
])
def test_a_history_that_is_not_this_offer_s_is_refused_and_nothing_is_written(old, capsys, case, why):
    from xlpy.excel import vba

    given = old.with_name("given.xlsm")
    if case == "other offer":
        assert main(["build", str(SEED), "-o", str(given), "--no-validate", "-q"]) == 0
    elif case == "a link to nothing":  # (review 176: as if nothing were there)
        given.symlink_to(Path("gone") / "old.xlsm")
    elif case == "not xlpy's":
        shutil.copy(vba.template_path(standalone=True), given)
    elif case == "other columns":  # (a header renamed: an earlier layout's History, say)
        wb = load_workbook(old, keep_vba=True)
        ((sheet, ref),) = wb.defined_names["HistWhen"].destinations
        col, first, _, _ = range_boundaries(ref)
        wb[sheet].cell(first - 1, col + AT["tendered"]).value = "Units"
        wb.save(given)
    capsys.readouterr()
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "given.xlsm", "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"xlpy build: --history-from: {why}, got 'given.xlsm'"
    assert not old.with_name("new.xlsm").exists()


def test_a_history_open_in_excel_is_not_read_behind_its_back(old, capsys):
    """Review 70: an old workbook open in Excel was read as last saved, without a word, though the rows its buttons
    wrote may not be saved: refused as busy (exit 3), as a refresh refuses a workbook open in Excel."""
    (old.parent / "~$old.xlsm").write_bytes(bytes([3]) + b"Ann" + bytes(51))
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate"]) == 3
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("xlpy build: --history-from: is open in Excel by ") and err.endswith(
        "(owner file ~$old.xlsm beside it); close it there first, or delete ~$old.xlsm if that file is left over from "
        "a crash (its History is read as last saved: rows a refresh wrote there and not saved would not be carried), "
        "got 'old.xlsm'"), err
    assert not old.with_name("new.xlsm").exists()


def test_a_rebuild_timed_before_the_last_row_carried_warns_as_a_refresh_does(old, monkeypatch, capsys):
    """A History carried from a workbook whose last row is timed after this build (a clock set ahead when it was
    written, or this one behind) was carried without a word, the Cover's Built at before it and the next refresh's
    row after it in the table, before it in time; a refresh timed so warns, naming both times."""
    import datetime as dt

    from xlpy.workbook import clock

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    utc_now = clock.utc_now
    monkeypatch.setattr(clock, "utc_now", lambda: dt.datetime(2004, 2, 22, 12, 0))  # (the old rows: to the 24th)
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--json", "--no-validate",
                 "-q"]) == 0
    said = ("History: this build's time, 2004-02-22 12:00:00 UTC, is before that of its last row, 2004-02-24 "
            "00:00:00 UTC: this computer's clock, or that of the computer that wrote the row, may be wrong (check "
            "its date, time and time zone); the rows are carried from old.xlsm as they stand, the build adding none "
            "of its own; the next refresh's row goes at the end of the table all the same, the last, which the "
            "Cover shows as the latest count")
    out, err = capsys.readouterr()
    assert said in json.loads(out)["warnings"] and f"xlpy build: warning: {said}\n" in err, err
    wb = load_workbook("new.xlsm")
    ((sheet, ref),) = wb.defined_names["BuiltAt"].destinations
    assert wb[sheet][ref.replace("$", "")].value == "2004-02-22 12:00:00"  # (the time the warning names)
    assert _history(old.with_name("new.xlsm"))[-1][0] == "2004-02-24 00:00:00"
    monkeypatch.setattr(clock, "utc_now", utc_now)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077408000")  # 2004-02-22 00:00: SOURCE_DATE_EPOCH, said to be set
    assert main(["build", FORMULA.name, "-o", "b.xlsm", "--history-from", "old.xlsm", "--no-validate", "-q"]) == 0
    assert "this computer's clock (or SOURCE_DATE_EPOCH, which is set), or that of" in capsys.readouterr().err
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")  # the last row's own second: not before it, nothing said
    assert main(["build", FORMULA.name, "-o", "c.xlsm", "--history-from", "old.xlsm", "--no-validate", "-q"]) == 0
    assert "History:" not in capsys.readouterr().err


def test_a_rebuild_from_a_workbook_holding_xlwings_lite_code_says_it_is_not_carried(tmp_path, monkeypatch, capsys):
    """Review 106: a workbook whose xlwings Lite project (main.py, kept in an Office add-in's parts under
    xl/webextensions) held code of one's own was rebuilt with --history-from into a workbook without it, and the
    build said nothing."""
    import zipfile

    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert main(["build", FORMULA.name, "-o", "old.xlsm", "--no-validate", "-q"]) == 0
    rebuild = ["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "--force"]
    assert main(rebuild) == 0
    assert "add-in" not in capsys.readouterr().err  # (none held: nothing to say)
    with zipfile.ZipFile("old.xlsm", "a") as z:  # (the part xlwings Lite's add-in keeps its code in)
        z.writestr("xl/webextensions/webextension1.xml", '<we:webextension xmlns:we="http://schemas.microsoft.com/'
                   'office/webextensions/webextension/2010/11" id="{A}"><we:properties><we:property name="code" '
                   'value="def MINE(): ..."/></we:properties></we:webextension>')
    assert main(rebuild) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        "xlpy build: warning: --history-from: old.xlsm holds an Office add-in's data (xl/webextensions/: where "
        "xlwings Lite keeps its Python code, main.py, with any of your own pasted into it); it is not carried: the "
        "rebuilt workbook has none. If it is xlwings Lite's, open the old workbook in Excel and copy the code from "
        "xlwings Lite's editor into the new one's, or write the functions again with xlpy lite and paste them there")
    with zipfile.ZipFile("new.xlsm") as z:
        assert not [n for n in z.namelist() if n.startswith("xl/webextensions/")]


# --- an old workbook another xlpy is writing, or written over while it is read --------------------------------------

#: What build says of an old workbook whose refresh lock a live xlpy holds (its holder and lock file put in).
WRITING = ("xlpy build: --history-from: another xlpy is writing it ({holder}; lock file .~xlpy.old.xlsm.lock): its "
           "History, read now, is of the version that xlpy is replacing, without the row a refresh adds; build again "
           "once the other xlpy is done, {wait}; nothing was written, got 'old.xlsm'")
LEAVE = "and leave the lock file, which goes when it does"
#: What build says of an old workbook whose refresh lock this very process holds (a script's other thread or call).
OURS = ("xlpy build: --history-from: this process is writing it already, in another thread or call ({holder}; lock "
        "file .~xlpy.old.xlsm.lock): its History, read now, is of the version that call is replacing, without the row "
        "a refresh adds; wait for that to finish, then build again, and leave the lock file, which goes when it does; "
        "nothing was written, got 'old.xlsm'")


def _rebuild(*more: str) -> list[str]:
    return ["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "-q", *more]


def test_a_history_another_xlpy_is_writing_is_not_read(old, capsys):
    """Review finding: the rows of an old workbook a refresh was writing (its lock held by another process) were
    carried as the version before it, the refresh's row lost, without a word; refused as busy (exit 3), as a
    refresh refuses it, and nothing written (-o OLD --force not replaced either)."""
    import os
    import socket
    import subprocess
    import sys

    from repo_paths import ROOT

    from xlpy.workbook import locks

    holding = ("import sys; from pathlib import Path; from xlpy.workbook import locks\n"
               "with locks.RefreshLock(Path(sys.argv[1]), 'a refresh'):\n"
               "    print('held', flush=True); sys.stdin.read()")  # (held until its standard input is closed)
    other = subprocess.Popen([sys.executable, "-c", holding, str(old)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    before = old.read_bytes()
    try:
        assert other.stdout.readline() == "held\n"
        said = WRITING.format(holder=f"pid {other.pid}, {locks._user()} on {socket.gethostname()}", wait=LEAVE)
        assert main(_rebuild()) == 3
        assert capsys.readouterr().err.splitlines() == [said]
        assert main(_rebuild("--json")) == 3
        out, err = capsys.readouterr()
        message = said.removeprefix("xlpy build: ")
        assert json.loads(out) == {"ok": False, "status": 3, "errors": [{
            "field": "--history-from", "value": "'old.xlsm'", "busy": True, "message": message,
            "reason": message.removeprefix("--history-from: ").removesuffix(", got 'old.xlsm'")}]}
        assert err.splitlines() == [said]
        assert main(["build", FORMULA.name, "-o", "old.xlsm", "--force", "--history-from", "old.xlsm",
                     "--no-validate", "-q"]) == 3
        assert capsys.readouterr().err.splitlines() == [said]
        assert not old.with_name("new.xlsm").exists() and old.read_bytes() == before
        assert not list(old.parent.glob("old.*.bak.xlsm"))
    finally:
        other.stdin.close()
        other.wait(timeout=60)
        other.stdout.close()
    assert main(_rebuild()) == 0  # the other xlpy done: carried
    assert _history(old.with_name("new.xlsm")) == _history(old)


def test_a_lock_left_by_a_crash_does_not_keep_a_history_from_being_read(old, capsys, monkeypatch):
    """A lock file no one holds (flock released as its process ended, or one of an xlpy without flock whose process
    here is gone) is no writer at work, as a refresh takes it over; one of an xlpy without flock on another computer
    may be, and is said as a refresh says it, with how to clear it."""
    import os
    import socket

    from xlpy.workbook import locks

    lock = old.with_name(".~xlpy.old.xlsm.lock")
    lock.write_text("pid 4242, jdoe on WS-12\n", encoding="utf-8")  # (flocked by no one)
    assert main(_rebuild()) == 0
    pid = 2**22 + 7  # (a process id no process holds: a holder that is gone)
    while not locks.process_gone(pid):
        pid += 1
    lock.write_text(f"pid {pid}, jdoe on {socket.gethostname()}{locks.NO_FLOCK}\n", encoding="utf-8")
    assert main(_rebuild("--force")) == 0
    capsys.readouterr()
    lock.write_text(f"pid {os.getpid()}, jdoe on WS-12{locks.NO_FLOCK}\n", encoding="utf-8")
    os.remove("new.xlsm")
    assert main(_rebuild()) == 3
    assert capsys.readouterr().err.splitlines() == [WRITING.format(
        holder=f"pid {os.getpid()}, jdoe on WS-12", wait="or delete the lock file if no xlpy is running (a crash left "
        "it)")]
    assert not old.with_name("new.xlsm").exists()


@pytest.mark.parametrize("meanwhile", ["replaced", "locked"])
def test_a_history_written_over_while_it_is_read_is_not_carried(old, capsys, monkeypatch, meanwhile):
    """The old workbook replaced while it was read (a refresh's rename, a save), or a refresh begun as the reads
    ended: what was read is of no one version, or of the one being replaced; refused as busy, as validate refuses
    a workbook that changed while it was validated, and nothing written."""
    import os
    import socket

    from xlpy.workbook import history_carry, locks

    real, taken = history_carry.sign_off_left, []

    def written_meanwhile(path):
        said = real(path)
        if meanwhile == "replaced":  # (the bytes of another version, renamed into place as a refresh does)
            old.with_name("next.xlsm").write_bytes(old.read_bytes() + b"\x00")
            os.replace(old.with_name("next.xlsm"), old)
        else:
            taken.append(locks.RefreshLock(old, "a refresh").__enter__())
        return said

    monkeypatch.setattr(history_carry, "sign_off_left", written_meanwhile)
    try:
        assert main(_rebuild()) == 3
    finally:
        for lock in taken:
            lock.__exit__(None, None, None)
    said = capsys.readouterr().err.splitlines()
    if meanwhile == "replaced":
        assert said == ["xlpy build: --history-from: changed while its History was read (another program or xlpy "
                        "wrote it meanwhile): what was read is of no one version of the file, so nothing is carried "
                        "from it; build again once that is done; nothing was written, got 'old.xlsm'"]
    else:
        assert said == [OURS.format(holder=f"pid {os.getpid()}, {locks._user()} on {socket.gethostname()}")]
    assert not old.with_name("new.xlsm").exists()


@pytest.mark.parametrize("flock", [True, False], ids=["flock", "no-flock"])
def test_a_history_this_process_is_writing_is_said_to_be_written_by_it(old, capsys, monkeypatch, flock):
    """Review finding: an old workbook whose lock this very process held (a script's other thread or call, a refresh
    under way) was said to be written by "another xlpy", to wait for; a writer refused by it is told that this
    process is writing it, as --history-from now is (its lock file the lock itself, as on Windows, too)."""
    import os
    import socket

    from xlpy.workbook import locks

    if not flock:
        monkeypatch.setattr(locks, "fcntl", None)  # (as on Windows: the lock file made exclusively is the lock)
    before = old.read_bytes()
    with locks.RefreshLock(old, "a refresh"):
        assert main(_rebuild()) == 3
        said = OURS.format(holder=f"pid {os.getpid()}, {locks._user()} on {socket.gethostname()}")
        assert capsys.readouterr().err.splitlines() == [said]
        assert main(_rebuild("--json")) == 3
        out, _ = capsys.readouterr()
        assert json.loads(out)["errors"][0]["message"] == said.removeprefix("xlpy build: ")
        with pytest.raises(locks.Busy, match=r"^a refresh: this process is writing it already, in another thread "):
            locks.RefreshLock(old, "a refresh").__enter__()  # (a writer refused alike)
    assert not old.with_name("new.xlsm").exists() and old.read_bytes() == before
    assert main(_rebuild()) == 0  # (that call done: carried)
    assert _history(old.with_name("new.xlsm")) == _history(old)


def test_a_lock_left_by_an_earlier_process_given_this_one_s_id_is_a_crash_s_leftover(old, capsys, monkeypatch):
    """Review 114: a lock file without flock (as on Windows) naming this process's id on this computer, which this
    process does not hold (a crash of an earlier process that had the same id: a container's process 1, restarted),
    was said to be written by this process, to wait for and never delete, for ever.  --history-from reads past it as
    a crash's leftover, and a writer names it as left by an xlpy that stopped, to delete."""
    import os
    import socket

    from xlpy.engine.errors import InputError
    from xlpy.workbook import lock_held, locks

    monkeypatch.setattr(locks, "fcntl", None)  # (the lock file made exclusively is the lock)
    lock = old.with_name(".~xlpy.old.xlsm.lock")
    holder = f"pid {os.getpid()}, jdoe on {socket.gethostname()}"
    lock.write_text(f"{holder}{locks.NO_FLOCK}\n", encoding="utf-8")
    assert lock_held.held(old) is None
    assert main(_rebuild()) == 0, capsys.readouterr().err
    assert _history(old.with_name("new.xlsm")) == _history(old)
    with pytest.raises(InputError, match=rf"^a refresh: the lock file \.~xlpy\.old\.xlsm\.lock was left by an xlpy "
                                         rf"that stopped \({holder}, no longer running\): delete it, then run again"):
        locks.RefreshLock(old, "a refresh").__enter__()
    lock.unlink()
    with locks.RefreshLock(old, "a refresh"):  # (held by this process now: its own, said as such)
        assert lock_held.held(old).by_this_process
    assert lock_held.held(old) is None and not lock.exists()


def test_a_rebuild_whose_offer_tally_is_gone_is_not_held_to_the_carried_historys_file(old, monkeypatch):
    """Review 145, HIGH: a build that carries History over writes no row of its own, so History's last row names the
    old workbook's last tally; with the offer file's tally moved away, validate took the Cover's record for one typed
    over and held the table to that other tally (two findings, where a note said the file was gone)."""
    from xlpy.workbook.validate import validate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077600000")
    assert main(["refresh", "old.xlsm", "--tally", "a19.csv", "--no-backup", "-q"]) == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077667200")
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "-q"]) == 0
    assert _history(old.with_name("new.xlsm"))[-1][1] == "a19.csv"
    (old.parent / "data" / TALLY).rename(old.parent / "kept.csv")
    report = validate(old.with_name("new.xlsm"), legs=())
    assert [f for f in report.findings if f.leg == "sources"] == [], report.findings
    assert any(n.startswith(f"Tenders (the holder table): not compared with the tally the Cover records (data/{TALLY}"
                            "): there is no such file") for n in report.notes), report.notes
