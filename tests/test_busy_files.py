"""A workbook two writers reach at once, a lock the file system cannot hold, a full disk, a killed build.

``xlpy build --force`` took no lock, so a refresh paused over it wrote the
previous workbook over the new one; a refresh replaced a file saved by
another program while it ran; where ``flock`` is missing the lock blocked
every later run; a full disk or a folder that keeps its files gave a
traceback (:mod:`xlpy.workbook.locks`).
"""

from __future__ import annotations

import errno
import os
import re
import socket
from pathlib import Path

import pytest
from repo_paths import DATA, SEED, TALLY

from xlpy import cli
from xlpy.engine.errors import Busy, InputError
from xlpy.workbook import locks, processes


@pytest.fixture
def book(standard_books, tmp_path, monkeypatch) -> Path:
    """The holder workbook, its tally and prices beside it, and a tally of five lines more."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    book = standard_books.copy_into("holders", tmp_path)
    text = (DATA / TALLY).read_text(encoding="utf-8").rstrip("\n")
    (tmp_path / "more.csv").write_text(text + "".join(f"\nNEW-{i},{100 + i},book-entry,tendered" for i in range(5))
                                       + "\n", encoding="utf-8")
    return book


def _lock_file(book: Path) -> Path:
    return book.with_name(f".~xlpy.{book.name}.lock")


def _dead_pid() -> int:
    """A process id no process holds: a lock file's holder that is gone."""
    pid = 2**22 + 7
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        pid += 1


def test_a_build_is_refused_while_a_refresh_writes_the_workbook(book, capsys):
    """A refresh paused over it wrote the previous workbook over the one build --force had just said it built."""
    before = book.read_bytes()
    with locks.RefreshLock(book, str(book)):
        assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--no-validate"]) == 3  # busy: try later
        err = capsys.readouterr().err
        # (held here, by this very process: review 85, a script's other thread was told to delete the lock file)
        assert f"xlpy build: {book}: this process is writing it already, in another thread or call (pid " \
               f"{os.getpid()}, " in err, err
        # review 164: said as a build's other refusals are, "it was not replaced"
        assert err.endswith("wait for that to finish, and leave the lock file, which goes when it does; it was not "
                            "replaced\n"), err
    assert book.read_bytes() == before
    assert not _lock_file(book).exists()
    (book.parent / "new").mkdir()
    with locks.RefreshLock(book.parent / "new" / "book.xlsm", "new book"):  # nothing there yet: nothing written
        assert cli.main(["build", str(SEED), "-o", str(book.parent / "new" / "book.xlsm"), "--no-validate"]) == 3
        assert capsys.readouterr().err.endswith("which goes when it does; nothing was written\n")
    assert list((book.parent / "new").iterdir()) == []


def test_a_refresh_does_not_write_over_a_save_made_while_it_ran(book, capsys, monkeypatch):
    """Excel (or a build) saved the workbook while the refresh worked: the refresh wrote over that save."""
    from xlpy.workbook import refresh_file

    real = refresh_file.refresh_all

    def saved_meanwhile(*args, **kw):
        report = real(*args, **kw)
        book.write_bytes(book.read_bytes() + b"")  # the same bytes, written again: another save all the same
        os.utime(book, ns=(1, 1))
        return report

    monkeypatch.setattr(refresh_file, "refresh_all", saved_meanwhile)
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv")]) == 3
    assert (f"{book}: was saved by another program while the refresh ran: the refresh would write over that save; "
            "refresh it again; it was not changed") in capsys.readouterr().err
    assert not list(book.parent.glob("*.bak.xlsm")) and not list(book.parent.glob(".~xlpy*"))


def test_where_the_file_system_takes_no_flock_the_lock_is_a_file_of_its_own(book, capsys, monkeypatch):
    """ENOLCK (an NFS share mounted without locks) read as "another xlpy refresh is writing it", on every run."""
    def no_locks(fd, how):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(locks.fcntl, "flock", no_locks)
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "-q"]) == 0
    assert not _lock_file(book).exists()  # removed at the end: the next run is not blocked
    with locks.RefreshLock(book, str(book)):  # and while it is held, a second writer is refused
        with pytest.raises(InputError, match="this process is writing it already"):
            with locks.RefreshLock(book, str(book)):
                pass


@pytest.mark.parametrize("left_by", ["running", "a crash here"])
def test_an_xlpy_that_can_flock_is_refused_by_one_that_cannot(book, capsys, monkeypatch, left_by):
    """One shared folder, one xlpy without flock (Windows, a share mounted without locks) holding its exclusive
    file: an xlpy with flock flocked that file, which no one held, and wrote beside the other."""
    with monkeypatch.context() as m:
        m.setattr(locks, "fcntl", None)
        other = locks.RefreshLock(book, str(book)).__enter__()  # (left open: a run that goes on, or was killed)
    words = _lock_file(book).read_text(encoding="utf-8")
    assert words == f"pid {os.getpid()}, {locks._user()} on {socket.gethostname()}{locks.NO_FLOCK}\n"
    if left_by == "a crash here":
        pid = _dead_pid()
        _lock_file(book).write_text(words.replace(f"pid {os.getpid()}", f"pid {pid}"), encoding="utf-8")
    before = book.read_bytes()
    # a live holder is busy (3: run again later); a dead one's file needs a person to delete it (2)
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "-q"]) == \
        (3 if left_by == "running" else 2)
    err = capsys.readouterr().err
    if left_by == "running":
        assert (f"this process is writing it already, in another thread or call (pid {os.getpid()}, "
                f"{locks._user()} on {socket.gethostname()}; lock file {_lock_file(book).name}): wait") in err, err
    else:
        assert (f"the lock file {_lock_file(book).name} was left by an xlpy that stopped (pid {pid}, "
                f"{locks._user()} on {socket.gethostname()}, no longer running): delete it") in err, err
    assert book.read_bytes() == before and _lock_file(book).exists()
    os.close(other._fd)
    _lock_file(book).unlink()  # as the message says: the next run goes ahead
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "-q"]) == 0


def test_an_xlpy_without_flock_that_has_made_its_file_but_not_yet_written_it_is_honoured(book, monkeypatch):
    """An xlpy without flock creates its file, then writes its words: one with flock that came between found an empty
    file no one flocked, took it, and on leaving removed the other's lock."""
    from types import SimpleNamespace

    _lock_file(book).write_text("", encoding="utf-8")
    words = f"pid {os.getpid()}, jdoe on WS-12{locks.NO_FLOCK}\n"
    waits = []

    def the_other_writes_its_words(seconds):  # (while this one waits to read the file again: no thread to race)
        waits.append(seconds)
        _lock_file(book).write_text(words, encoding="utf-8")

    with monkeypatch.context() as m:
        m.setattr(locks, "time", SimpleNamespace(sleep=the_other_writes_its_words))
        with pytest.raises(InputError, match=r"another xlpy is writing it \(pid \d+, jdoe on WS-12; lock file"):
            with locks.RefreshLock(book, str(book)):
                pass
    assert len(waits) == 1 and _lock_file(book).read_text(encoding="utf-8") == words  # (it waited, read again)
    _lock_file(book).write_text("", encoding="utf-8")  # an empty file that stays empty: a leftover, taken
    with locks.RefreshLock(book, str(book)):
        assert locks.NO_FLOCK not in _lock_file(book).read_text(encoding="utf-8")
    assert not _lock_file(book).exists()


@pytest.mark.parametrize("left_by", ["a crash here", "another computer"])
def test_a_lock_file_left_without_flock(book, capsys, monkeypatch, left_by):
    """Without flock (Windows, such shares) a lock file a killed refresh left blocked every run, saying "another xlpy
    refresh is writing it" and nothing of how to clear it."""
    monkeypatch.setattr(locks, "fcntl", None)
    host, pid = (socket.gethostname(), _dead_pid()) if left_by == "a crash here" else ("WS-12", os.getpid())
    _lock_file(book).write_text(f"pid {pid}, jdoe on {host}\n", encoding="utf-8")
    before = book.read_bytes()
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "-q"]) == \
        (2 if left_by == "a crash here" else 3)  # another computer's may be at work: busy
    err = capsys.readouterr().err
    if left_by == "a crash here":  # its process is gone: said so (not taken over: two takers could race)
        assert (f"the lock file {_lock_file(book).name} was left by an xlpy that stopped (pid {pid}, jdoe on {host}, "
                "no longer running): delete it, then run again") in err, err
    else:  # another computer's: named, with how to clear it
        assert (f"another xlpy is writing it (pid {pid}, jdoe on WS-12; lock file {_lock_file(book).name}); wait "
                "for it to finish, or delete the lock file if no xlpy is running (a crash left it)") in err, err
    assert book.read_bytes() == before
    _lock_file(book).unlink()  # as the message says: the next run goes ahead
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "-q"]) == 0
    assert not _lock_file(book).exists()


def test_on_windows_the_lock_file_goes_when_the_run_ends(book, capsys, monkeypatch):
    """Review 74: without flock the lock file was removed while still open, which Windows refuses (a file a process
    holds open is not deleted): the file stayed, and every later refresh or build of the workbook was busy, exit 3,
    'another xlpy is writing it', with none running.  Windows' rule is kept here: no flock, and a file this process
    holds open is not removed."""
    import pathlib

    held: dict[int, str] = {}
    real_open, real_close, real_unlink = os.open, os.close, pathlib.Path.unlink

    def opened(path, flags, mode=0o777, *args, **kwargs):
        fd = real_open(path, flags, mode, *args, **kwargs)
        held[fd] = os.path.realpath(path)
        return fd

    def closed(fd):
        held.pop(fd, None)
        return real_close(fd)

    def unlink(self, missing_ok=False):
        if os.path.realpath(self) in held.values():
            exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                                "another process", str(self))
            exc.winerror = 32
            raise exc
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(locks, "fcntl", None)
    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "close", closed)
    monkeypatch.setattr(pathlib.Path, "unlink", unlink)
    for tally in ("more.csv", "more.csv"):  # the second run is the one that was refused
        assert cli.main(["refresh", str(book), "--tally", str(book.parent / tally), "--no-backup", "-q"]) == 0, \
            capsys.readouterr().err
        assert not _lock_file(book).exists()
    assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--no-backup", "--no-validate", "-q"]) == 0
    assert not _lock_file(book).exists()


def test_a_workbook_windows_will_not_let_be_replaced_is_said_to_be_perhaps_open_in_excel(book, capsys, monkeypatch):
    """Review 74: Windows refuses to replace a workbook Excel holds open (an owner file is not always beside it:
    another computer's Excel on a share, one that left none): exit 3, but the line said only 'cannot be written
    (...); the workbook was not changed', where a file that cannot be read asks whether it is open in Excel."""
    real_replace = os.replace

    def refused(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(dst)) == book.name:
            exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                                "another process", os.fspath(dst))
            exc.winerror = 32
            raise exc
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refused)
    before = book.read_bytes()
    held = "is being used by another process; is it open in another program, such as Excel?"
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "--no-backup", "-q"]) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {book}: cannot be written (The process cannot access the file because it {held}); the "
        "workbook was not changed"]
    assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--no-backup", "--no-validate", "-q"]) == 3
    assert capsys.readouterr().err.splitlines()[-1].startswith(  # (then the path, cut if long)
        f"xlpy build: --output: cannot be written (The process cannot access the file because it {held}); the "
        "workbook was not changed, got '")
    assert book.read_bytes() == before and sorted(p.name for p in book.parent.glob(".~xlpy*")) == []


class _Kernel32:
    """Windows' kernel32 as ``_windows_process_gone`` calls it: a process *state*, 'none' (no such process),
    'denied' (another user's), 'running', or its exit code; *answers* False for GetExitCodeProcess failing;
    *began*, the running process's start (a Unix time)."""

    def __init__(self, state, answers=True, began=1_000_000_000.0):
        self.state, self.answers, self.began, self.closed = state, answers, began, []

    def GetProcessTimes(self, handle, creation, *others):  # noqa: N802
        ticks = int(self.began * 10**7) + 116_444_736_000_000_000  # (100 ns since 1601)
        creation._obj.dwLowDateTime, creation._obj.dwHighDateTime = ticks & 0xFFFFFFFF, ticks >> 32
        return True

    def OpenProcess(self, access, inherit, pid):  # noqa: N802 (the system's name)
        assert access == 0x1000 and pid == 4242
        return 0 if self.state in ("none", "denied") else 7

    def GetExitCodeProcess(self, handle, code):  # noqa: N802
        code._obj.value = 259 if self.state == "running" else self.state
        return self.answers

    def CloseHandle(self, handle):  # noqa: N802
        self.closed.append(handle)

    def last_error(self):
        return {"none": 87, "denied": 5}[self.state]


@pytest.mark.parametrize(("state", "answers", "gone"), [
    ("none", True, True), ("denied", True, False), ("running", True, False), (0, True, True), (1, True, True),
    (0, False, False)])
def test_on_windows_a_lock_file_s_holder_that_is_gone_is_told_from_one_running(state, answers, gone, monkeypatch):
    """Review 74: on Windows a lock file a crashed xlpy left was never named as left by a crash (exit 2, delete it):
    it was busy, exit 3, for ever, which a scheduled job retries.  The system is asked whether the process runs; a
    process of another user, or an answer not understood, is taken as running."""
    kernel32 = _Kernel32(state, answers)
    assert processes._windows_process_gone(4242, kernel32, kernel32.last_error) is gone
    assert kernel32.closed == ([] if state in ("none", "denied") else [7])  # every handle opened is closed
    asked = []
    monkeypatch.setattr(processes, "_windows_process_gone", lambda pid, since: asked.append((pid, since)) or gone)
    monkeypatch.setattr(os, "name", "nt")
    assert locks.left_by_a_crash(f"pid 4242, jdoe on {socket.gethostname()}", 1_000_000_000.0) is gone
    assert not locks.left_by_a_crash("pid 4243, jdoe on WS-12")  # another computer's: never asked of this one
    assert asked == [(4242, 1_000_000_000.0)]


@pytest.mark.parametrize(("began", "gone"), [(999_999_000.0, False), (1_000_000_000.5, False), (1_000_000_060.0, True)])
def test_on_windows_a_process_id_given_again_is_not_the_lock_file_s_holder(began, gone):
    """Review 75: Windows soon gives a process id to another process, so a lock file a crashed xlpy left stayed busy,
    exit 3, for as long as whatever program took its id ran.  A process that began after the file was written is
    not its holder (a second's grace: the holder began before it wrote)."""
    kernel32 = _Kernel32("running", began=began)
    assert processes._windows_process_gone(4242, kernel32, kernel32.last_error, since=1_000_000_000.0) is gone
    assert processes._windows_process_gone(4242, kernel32, kernel32.last_error) is False  # (no time: taken as running)
    assert kernel32.closed == [7, 7]


def test_a_full_disk_while_locking_is_said_in_one_line(book, capsys, monkeypatch):
    """os.write of the lock's holder on a full disk gave a traceback and exit status 1."""
    def full(fd, length):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(locks.os, "ftruncate", full)
    before = book.read_bytes()
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv")]) == 2
    err = capsys.readouterr().err
    assert (f"xlpy refresh: {book}: cannot be written: its lock file {_lock_file(book).name} cannot be made (No space "
            "left on device); it was not changed") in err, err
    assert "Traceback" not in err and book.read_bytes() == before and not _lock_file(book).exists()


def test_a_lock_file_that_cannot_be_removed_is_left_without_a_traceback(book, monkeypatch):
    """A folder where files can be made but not removed (chattr +a, a share's rights) raised from the lock's exit."""
    real = Path.unlink

    def kept(self, missing_ok=False):
        if self.name.startswith(".~xlpy."):
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", kept)
    with locks.RefreshLock(book, str(book)):
        pass
    assert _lock_file(book).exists()  # left, but a flock lock left blocks no one
    with locks.RefreshLock(book, str(book)):
        pass


def test_a_killed_builds_partial_file_is_named_as_xlpys_and_removed_by_the_next_build(tmp_path, capsys):
    left = tmp_path / ".~xlpy-partial.book.xlsm.new.k3xv4npl.tmp"  # what a build killed while writing leaves
    left.write_bytes(b"PK\x03\x04 half a workbook")
    assert cli.main(["build", str(SEED), "-o", str(tmp_path / "book.xlsm"), "--no-validate", "-q"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]


def test_a_build_writes_its_workbook_under_xlpys_partial_name(tmp_path, monkeypatch):
    from xlpy.workbook import build

    seen = []
    real = locks.write_file

    def spy(data, out, before_replace=None, prefix=None):
        seen.append(prefix)
        return real(data, out, before_replace, prefix)

    monkeypatch.setattr(locks, "write_file", spy)
    from xlpy.files.offerfile import compute_file

    build.build_workbook(*compute_file(SEED), tmp_path / "book.xlsm")
    assert seen == [".~xlpy-partial.book.xlsm.new."]


def test_a_dangling_link_is_not_replaced_unasked(tmp_path, capsys):
    """A link to a share not mounted was replaced by the workbook without --force."""
    link = tmp_path / "book.xlsm"
    link.symlink_to(tmp_path / "share-not-mounted" / "book.xlsm")
    assert cli.main(["build", str(SEED), "-o", str(link), "--no-validate"]) == 2
    assert (f"--output: is a symbolic link to {tmp_path / 'share-not-mounted' / 'book.xlsm'}, which is not there (a "
            "share not mounted, a file moved or renamed?): mount it, or pass --force to replace the link with the "
            "workbook") in capsys.readouterr().err
    chain, loop = tmp_path / "chain.xlsm", tmp_path / "loop.xlsm"  # (review 176: a chain's next link, a loop's, was
    chain.symlink_to(link)                                          # said to be "not there")
    loop.symlink_to(loop)
    assert cli.main(["build", str(SEED), "-o", str(chain), "--no-validate"]) == 2
    assert (f"is a symbolic link to {link}, which leads through 1 more link to {link.readlink()}, which is not there"
            ) in capsys.readouterr().err
    assert cli.main(["build", str(SEED), "-o", str(loop), "--no-validate"]) == 2
    assert ("in a loop of links that never reaches a file (loop.xlsm -> loop.xlsm): pass --force to replace the link "
            "with the workbook") in capsys.readouterr().err
    assert link.is_symlink()
    assert cli.main(["build", str(SEED), "-o", str(link), "--no-validate", "--force", "-q"]) == 0
    assert link.is_file() and not link.is_symlink()


def test_an_interrupted_build_closes_the_templates_parts(tmp_path, monkeypatch):
    """Ctrl-C while the workbook was filled left the template's zip open until the interpreter's exit, which
    printed "Exception ignored in: ZipFile.__del__ ... I/O operation on closed file"."""
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook import build

    closed = []
    real = build._template

    def template():
        wb, conf = real()
        close = wb.vba_archive.close
        wb.vba_archive.close = lambda: (closed.append(True), close())
        return wb, conf

    def interrupted(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "_template", template)
    monkeypatch.setattr(build, "_build_into", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build.build_workbook(*compute_file(SEED), tmp_path / "book.xlsm")
    assert closed == [True] and not list(tmp_path.iterdir())


def test_the_command_lets_a_late_signal_go_once_its_work_is_said(monkeypatch, capsys):
    """A Ctrl-C in the tenth of a second the interpreter takes to wind down after a large refresh ended the
    process with status 130, its report, buffered for a pipe, lost."""
    import signal

    said = []
    monkeypatch.setattr(cli, "main", lambda: said.append("done") or 0)
    before = {s: signal.getsignal(s) for s in locks.STOP_SIGNALS}  # (all it lets go, SIGHUP too: put back after)
    try:
        assert cli.console() == 0 and said == ["done"]
        assert {s: signal.getsignal(s) for s in before} == {s: signal.SIG_IGN for s in before}
    finally:
        for s, handler in before.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)  # (None: not set from Python)


@pytest.mark.parametrize("stop, status, said", [(KeyboardInterrupt, 130, "interrupted"),
                                                 ("SIGTERM", 143, "terminated")], ids=["Ctrl-C", "SIGTERM"])
def test_a_ctrl_c_while_the_arguments_are_read_ends_the_command_in_one_line_not_a_traceback(monkeypatch, capsys, stop,
                                                                                          status, said):
    """Review 127: a Ctrl-C in the first fifth of a second, before the command handles one itself, ended in a
    KeyboardInterrupt traceback and the process killed by SIGINT, as if xlpy had crashed.  A SIGTERM met as main
    puts its handlers in place or back is said as SIGTERM, 143 (review 128)."""
    import signal
    import sys

    from xlpy.cli.commands import Terminated

    def parse_known_args(*args, **kwargs):
        raise stop if stop is KeyboardInterrupt else Terminated(getattr(signal, stop))

    parser = cli.build_parser()
    monkeypatch.setattr(parser, "parse_known_args", parse_known_args)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    monkeypatch.setattr(sys, "argv", ["xlpy", "validate", "book.xlsm"])
    before = {s: signal.getsignal(s) for s in locks.STOP_SIGNALS}
    try:
        assert cli.console() == status
    finally:
        for s, handler in before.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
    assert capsys.readouterr().err == f"xlpy: {said}\n"


def test_a_flock_on_a_lock_file_its_last_holder_unlinked_is_not_a_lock(book, monkeypatch):
    """B opened the lock file, A ended (unlink, close), B's flock then held a file no one else would open: C made
    a new one and held it too.  B now tries again on the file in place."""
    real_flock = locks.fcntl.flock
    taken = []

    def flock(fd, how):
        real_flock(fd, how)
        if not taken:  # the first holder ends between this open and the check: its file is gone
            taken.append(fd)
            _lock_file(book).unlink()

    monkeypatch.setattr(locks.fcntl, "flock", flock)
    with locks.RefreshLock(book, str(book)) as held:
        assert os.fstat(held._fd).st_ino == os.stat(_lock_file(book)).st_ino  # the file in place, flocked
    assert not _lock_file(book).exists()


def test_a_leftover_that_cannot_be_removed_is_left_without_a_traceback(book, capsys, monkeypatch):
    """A colleague's killed refresh left a partial file in a folder that keeps files (or one held open by a sync
    client): removing it raised a traceback, exit status 1."""
    left = book.with_name(f".~xlpy-partial.{book.name}.new.zzzzzzzz.tmp")
    left.write_bytes(b"half")
    real = Path.unlink

    def kept(self, missing_ok=False):
        if self.name == left.name:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", kept)
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv"), "-q"]) == 0
    assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--no-validate", "-q"]) == 0
    assert "Traceback" not in capsys.readouterr().err and left.exists()


def test_a_link_planted_where_the_lock_goes_is_not_written_through(book, capsys):
    """In a shared folder anyone could plant .~xlpy.NAME.lock -> a ledger: the refresh truncated the ledger and wrote
    its lock text in it."""
    ledger = book.with_name("ledger.txt")
    ledger.write_text("precious ledger\n", encoding="utf-8")
    _lock_file(book).symlink_to(ledger.name)
    before = book.read_bytes()
    assert cli.main(["refresh", str(book), "--tally", str(book.parent / "more.csv")]) == 2
    assert (f"cannot be locked for writing: {_lock_file(book).name} is a symbolic link, not xlpy's lock file (xlpy "
            "would write through it): remove it, then run again; nothing was written") in capsys.readouterr().err
    assert ledger.read_text(encoding="utf-8") == "precious ledger\n" and book.read_bytes() == before


def test_another_users_lock_file_is_flocked_read_only(book, monkeypatch):
    """A lock file another user made (0644) gave "Permission denied" to everyone else, whether its xlpy ran or had
    crashed: it is opened read-only and flocked, so a live holder is named and a leftover lets the next run in.
    The run that takes the leftover puts its own file in its place: the next run was told the leftover's holder."""
    _lock_file(book).write_text("pid 4242, daemon on elsewhere\n", encoding="utf-8")
    real_open = os.open

    def theirs(path, flags, *mode):
        if str(path).endswith(".lock") and flags & (os.O_RDWR | os.O_WRONLY):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *mode)

    monkeypatch.setattr(locks.os, "open", theirs)
    mine = f"pid {os.getpid()}, {locks._user()} on {socket.gethostname()}"
    with locks.RefreshLock(book, str(book)):  # their leftover: flocked read-only, then replaced by one's own
        assert _lock_file(book).read_text(encoding="utf-8") == mine + "\n"
        with pytest.raises(InputError, match=rf"this process is writing it already, in another thread or call "
                                             rf"\({re.escape(mine)};"):
            with locks.RefreshLock(book, str(book)):  # while held, the next one is refused, naming the holder
                pass
    assert not _lock_file(book).exists() and [p.name for p in book.parent.iterdir() if ".lock" in p.name] == []
    # where the leftover cannot be replaced (a folder with the sticky bit), it is held as it is, its words kept
    _lock_file(book).write_text("pid 4242, daemon on elsewhere\n", encoding="utf-8")

    def sticky(src, dst):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(dst))

    monkeypatch.setattr(locks.os, "replace", sticky)
    with locks.RefreshLock(book, str(book)):
        assert _lock_file(book).read_text(encoding="utf-8") == "pid 4242, daemon on elsewhere\n"
        with pytest.raises(InputError, match=r"another xlpy is writing it \(pid 4242, daemon on elsewhere;"):
            with locks.RefreshLock(book, str(book)):
                pass
    assert [p.name for p in book.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_file_that_appears_while_a_build_runs_is_not_replaced(tmp_path, capsys, monkeypatch):
    """Checked before the lock and not again: a workbook saved under that name meanwhile (or another build's) was
    replaced without --force."""
    out = tmp_path / "new.xlsm"
    real = locks.RefreshLock.__enter__

    def saved_meanwhile(self):
        out.write_bytes(b"someone's workbook")
        return real(self)

    monkeypatch.setattr(locks.RefreshLock, "__enter__", saved_meanwhile)
    monkeypatch.chdir(tmp_path)  # (a long temporary path is shown shortened past 80 characters)
    assert cli.main(["build", str(SEED), "-o", out.name, "--no-validate"]) == 2
    assert ("--output: appeared while the build ran (another build, or a save under that name): it was not replaced; "
            "build again, with --force to replace it, got 'new.xlsm'") in capsys.readouterr().err
    assert out.read_bytes() == b"someone's workbook" and not _lock_file(out).exists()



def test_a_refused_flock_is_a_live_holder_whatever_the_file_says(book):
    """A lock file naming a process that is gone, flocked by a live one that could not write its own words (another
    user's leftover, taken read-only): the next run was told to delete it, and then wrote beside the live one."""
    import fcntl as real_fcntl

    pid = _dead_pid()
    _lock_file(book).write_text(f"pid {pid}, alice on {socket.gethostname()}\n", encoding="utf-8")
    held = os.open(_lock_file(book), os.O_RDONLY)  # the live holder's flock, its words not written
    try:
        real_fcntl.flock(held, real_fcntl.LOCK_EX | real_fcntl.LOCK_NB)
        with pytest.raises(InputError, match=rf"another xlpy is writing it \(pid {pid}, alice on") as info:
            with locks.RefreshLock(book, str(book)):
                pass
        # ... and not told to delete it, which would let a second writer in beside the live one (review 110)
        assert str(info.value).endswith(f"lock file {_lock_file(book).name}); wait for it to finish, and leave the "
                                        "lock file, which goes when it does"), info.value
    finally:
        os.close(held)


@pytest.mark.skipif(locks.fcntl is None, reason="no flock on this system")
def test_a_lock_file_naming_this_process_flocked_by_another_holder_is_another_xlpy_s(book):
    """A lock file whose words name this process (its id given again: an earlier process's, in a container), flocked
    by a holder this process's RefreshLock never took: another xlpy writing, not this process's other thread."""
    from xlpy.workbook import lock_held

    _lock_file(book).write_text(f"pid {os.getpid()}, jdoe on {socket.gethostname()}\n", encoding="utf-8")
    held = os.open(_lock_file(book), os.O_RDWR)  # (an open file of its own: the other holder's flock)
    try:
        locks.fcntl.flock(held, locks.fcntl.LOCK_EX | locks.fcntl.LOCK_NB)
        seen = lock_held.held(book)
        assert seen is not None and seen.holder == f"pid {os.getpid()}, jdoe on {socket.gethostname()}", seen
        assert not seen.by_this_process
        with pytest.raises(Busy) as info:
            locks.RefreshLock(book, "a refresh").__enter__()
        assert str(info.value).startswith(f"a refresh: another xlpy is writing it (pid {os.getpid()}, jdoe on "
                                          f"{socket.gethostname()}; lock file {_lock_file(book).name}); "), info.value
        assert "this process is writing" not in str(info.value)
    finally:
        locks.fcntl.flock(held, locks.fcntl.LOCK_UN)
        os.close(held)


def test_a_file_that_appears_while_the_inputs_are_hashed_is_not_replaced(tmp_path, capsys, monkeypatch):
    """The check of what was there came after hashing the inputs (seconds, for a long tally): a file made then was
    taken as one that had been there, and replaced."""
    from xlpy.cli import workbook as cli_workbook

    out = tmp_path / "new.xlsm"
    real = cli_workbook._sources_record

    def slow(*args, **kwargs):
        record = real(*args, **kwargs)
        out.write_bytes(b"a colleague's workbook")
        return record

    monkeypatch.setattr(cli_workbook, "_sources_record", slow)
    monkeypatch.chdir(tmp_path)  # (a long temporary path is shown shortened past 80 characters)
    assert cli.main(["build", str(SEED), "-o", out.name, "--no-validate", "--force"]) == 2
    assert ("appeared while the build ran (another build, or a save under that name): it was not replaced; build "
            "again, got 'new.xlsm'") in capsys.readouterr().err
    assert out.read_bytes() == b"a colleague's workbook"


def test_a_user_name_the_system_could_not_decode_is_written_escaped_in_the_lock(tmp_path, monkeypatch):
    """Under a C locale without UTF-8 mode, Jürgen's name reaches Python as surrogates: writing it into the lock
    file ended build and refresh in a traceback."""
    book = tmp_path / "book.xlsm"
    book.write_bytes(b"")
    monkeypatch.setattr(locks, "_user", lambda: "J\udcc3\udcbcrgen")
    with locks.RefreshLock(book, str(book)) as lock:
        words = lock.path.read_bytes()
    assert words.startswith(f"pid {os.getpid()}, J\\udcc3\\udcbcrgen on ".encode()), words


def test_refresh_json_says_what_was_read_and_written(book, capsys):
    """Left alone, then taken: ``xlpy refresh`` had no --json, so a nightly job read its report's text to learn
    whether the workbook changed, which files (by SHA-256) it took and which backup it kept."""
    import hashlib
    import json

    more = book.parent / "more.csv"
    assert cli.main(["refresh", str(book), "--tally", str(more), "--keep", "5", "--json", "-q"]) == 0
    out, err = capsys.readouterr()
    done = json.loads(out)  # standard output is the JSON alone
    assert set(done) == {"workbook", "path", "changed", "refreshed_at", "sources", "written", "release", "backup",
                         "removed_backups", "notes", "warnings"}
    assert done["workbook"] == book.name and done["changed"] is True
    assert done["path"] == str(book)  # (review 73: the offer.xlsm of several deals, told apart)
    assert done["refreshed_at"].endswith("Z") and "T" in done["refreshed_at"]
    tally = next(s for s in done["sources"] if s["kind"] == "holders")
    assert tally["sha256"] == hashlib.sha256(more.read_bytes()).hexdigest() and tally["path"] == "more.csv"
    assert tally["rows"] == len(more.read_text(encoding="utf-8").splitlines()) - 1
    assert done["backup"] and (book.parent / done["backup"]).is_file() and done["removed_backups"] == []
    written = done["written"]
    assert len(written) == len(set(written)) and any(w.startswith("Tenders!") for w in written)
    # five lines more, 510 units: 274,510 tendered
    assert done["release"]["engine_text"].startswith("Based on a preliminary count, approximately 275,000 shares")
    assert [f"xlpy refresh: warning: {w}" for w in done["warnings"]] == err.splitlines()  # the same, both places
    assert cli.main(["refresh", str(book), "--tally", str(more), "--json", "-q"]) == 0  # the same file again
    again = json.loads(capsys.readouterr().out)
    assert again["changed"] is False and again["refreshed_at"] is None and again["written"] == []
    assert again["backup"] is None and again["sources"] == done["sources"]


# --- a workbook still being copied into place -------------------------------------------------------


@pytest.mark.parametrize("command", ["refresh", "validate", "render", "history-from"])
def test_a_workbook_still_being_copied_is_busy_not_bad_input(book, tmp_path, capsys, command):
    """Review 73: a nightly job met a workbook half copied (no zip end yet, still growing) with exit 2 (refresh,
    render) or 1 (validate's finding), where an XLSX tally in the same state is busy, exit 3: try again later.  One
    cut short that no longer grows is still said to be cut short."""
    import threading

    from xlpy.files import settled

    data = book.read_bytes()
    half = tmp_path / "half.xlsm"
    half.write_bytes(data[: len(data) // 2])
    copied = threading.Event()

    def copying():  # (the copy goes on, a block at a time, while the command looks at it, and stops short of the end)
        for at in range(len(data) // 2, len(data) - 1024, 256):
            if copied.wait(settled.PAUSE / 10):
                return
            with half.open("ab") as fh:
                fh.write(data[at:at + 256])

    args = {"refresh": ["refresh", str(half)], "validate": ["validate", str(half), "--no-libreoffice"],
            "render": ["render", str(half), "-o", str(tmp_path / "pages")],
            "history-from": ["build", str(tmp_path / "offer.toml"), "-o", str(tmp_path / "new.xlsm"),
                             "--history-from", str(half), "--no-validate"]}[command]
    if command == "history-from":
        from repo_paths import FORMULA

        (tmp_path / "offer.toml").write_text(FORMULA.read_text(encoding="utf-8").replace(
            '"data/', f'"{(FORMULA.parent / "data").as_posix()}/'), encoding="utf-8")
    copy = threading.Thread(target=copying)
    copy.start()
    try:
        status = cli.main(args)
    finally:
        copied.set()
        copy.join()
    err = capsys.readouterr().err
    assert status == 3 and "is still being written: its zip package has no end yet and grew from " in err, err
    assert not (tmp_path / "new.xlsm").exists()
    if command == "refresh":  # (no longer growing: cut short, bad input)
        assert cli.main(args) == 2
        assert "is not a workbook: it is a zip package cut short" in capsys.readouterr().err


def test_a_build_whose_workbook_changed_while_it_was_validated_says_it_was_not_validated(tmp_path, capsys,
                                                                                       monkeypatch):
    """Review 110: what the validation found of a workbook written over while it ran is of no one version of it;
    build says the workbook it wrote was not validated, as for one in use (exit 3), and no verdict."""
    from xlpy.workbook import validate as validating

    real = validating._validate

    def saved_meanwhile(p, *args):
        report = real(p, *args)
        Path(p).write_bytes(Path(p).read_bytes() + b"\x00")  # (a save by another program, as the validation ends)
        return report

    monkeypatch.setattr(validating, "_validate", saved_meanwhile)
    out = tmp_path / "offer.xlsm"
    assert cli.main(["build", str(SEED), "-o", str(out), "--no-formulas", "--no-libreoffice"]) == 3
    said, err = capsys.readouterr()
    [line] = [x for x in err.splitlines() if "not validated" in x]
    assert line.startswith(f"xlpy build: {out}: was written but not validated: offer.xlsm: changed while it was "
                           "validated (") and line.endswith("; validate it again once that is done"), line
    assert "valid" not in said.splitlines()[-1], said


@pytest.mark.skipif(os.name == "nt", reason="Windows refuses to replace a file another program holds open itself")
@pytest.mark.parametrize("how", ["lockf", "flock"])
def test_a_workbook_another_program_holds_locked_for_writing_is_not_replaced(book, capsys, how):
    """Review 119 M2: a program that has the workbook open with a write lock on it (LibreOffice takes a POSIX lock on
    a document it edits) went on writing to a file no longer in the folder once the refresh replaced it, and its
    work was lost.  A reader's shared lock is no bar; nor is a lock let go."""
    import subprocess
    import sys

    holder = ("import fcntl, sys, time\nf = open(sys.argv[1], 'r+b')\n"
              f"fcntl.{how}(f, fcntl.LOCK_{{}})\nprint('held', flush=True)\nsys.stdin.read()\n")
    said = "is locked for writing by another program, which has it open (a lock on the file itself); close it there"
    before = book.read_bytes()
    with subprocess.Popen([sys.executable, "-c", holder.format("EX"), str(book)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as p:
        try:
            assert p.stdout.readline() == "held\n"
            assert cli.main(["refresh", str(book), "--tally", str(book.with_name("more.csv")), "--force"]) == 3
            assert said in capsys.readouterr().err
            assert cli.main(["build", str(SEED), "-o", str(book), "--force", "--no-validate"]) == 3
            assert said in capsys.readouterr().err
            assert book.read_bytes() == before
        finally:
            p.communicate("")
    with subprocess.Popen([sys.executable, "-c", holder.format("SH"), str(book)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as p:
        try:
            assert p.stdout.readline() == "held\n"
            assert locks.locked_message(book) is None  # (a reader's)
        finally:
            p.communicate("")
    assert locks.locked_message(book) is None
    assert cli.main(["refresh", str(book), "--tally", str(book.with_name("more.csv")), "--no-backup"]) == 0


def test_the_lock_file_is_readable_by_all_whatever_the_umask(tmp_path):
    """Review 175: under umask 077 xlpy's lock file was its maker's alone, and a colleague's run, which opens it to
    learn whether its maker still runs, was refused (exit 2) and, after a crash, blocked until someone deleted it."""
    target = tmp_path / "book.xlsm"
    target.write_bytes(b"x")
    old = os.umask(0o077)
    try:
        with locks.RefreshLock(target, str(target)):
            (lock,) = [p for p in tmp_path.iterdir() if p.name.endswith(".lock")]
            assert lock.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)
