"""On macOS a flush reaches the disk itself (``F_FULLFSYNC``), not only the drive's cache (review 127).

Apple's fsync(2) hands the data to the drive, whose cache a power cut can lose: the backup a refresh keeps, the
workbook it writes and the folder's new names would then be flushed in name only.  These tests play macOS on any
POSIX system: a stand-in ``fcntl`` module with ``F_FULLFSYNC`` records what is asked of it.
"""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import pytest
import hostile_books
from hostile_books import new_tally, refresh

from xlpy.files import in_place
from xlpy.workbook import backups

pytest.importorskip("resource")  # (POSIX: a folder's flush, inodes)

book = hostile_books.book  # (the fixture: the holder workbook copied for the test)

pytestmark = pytest.mark.usefixtures("fresh_limits")

F_FULLFSYNC = 51  # (macOS's number; any will do for the stand-in)


def _macos(monkeypatch, refuse: bool = False) -> tuple[list[int], list[int]]:
    """Play macOS: (the inodes F_FULLFSYNC was asked for, the inodes os.fsync flushed), in order.  *refuse*: the
    file system refuses F_FULLFSYNC, as a network share may."""
    full, plain = [], []
    real_fsync = os.fsync

    def fcntl(fd, cmd, arg=0):
        assert cmd == F_FULLFSYNC, cmd
        if refuse:
            raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP))
        full.append(os.fstat(fd).st_ino)
        return 0

    def fsync(fd):
        plain.append(os.fstat(fd).st_ino)
        return real_fsync(fd)

    monkeypatch.setattr(in_place, "fcntl", SimpleNamespace(F_FULLFSYNC=F_FULLFSYNC, fcntl=fcntl))
    monkeypatch.setattr(os, "fsync", fsync)
    return full, plain


def test_a_refresh_on_macos_asks_the_drive_to_write_the_backup_the_workbook_and_the_folder(book, monkeypatch):
    full, plain = _macos(monkeypatch)
    assert refresh([str(book), "--tally", str(new_tally(book.parent))]) == 0
    monkeypatch.undo()
    (backup,) = backups.backups_of(book)
    for path in (backup, book, book.parent):  # (the workbook's inode is its temporary file's, renamed)
        assert path.stat().st_ino in full, path.name
    assert plain == []  # (nothing flushed by fsync alone)


def test_where_the_file_system_refuses_full_fsync_each_is_flushed_by_fsync(book, monkeypatch):
    full, plain = _macos(monkeypatch, refuse=True)
    assert refresh([str(book), "--tally", str(new_tally(book.parent))]) == 0
    monkeypatch.undo()
    (backup,) = backups.backups_of(book)
    assert full == []
    for path in (backup, book, book.parent):
        assert path.stat().st_ino in plain, path.name


def test_elsewhere_a_flush_is_fsync(tmp_path, monkeypatch):
    """A system without F_FULLFSYNC (Linux, Windows): ``os.fsync``, as before."""
    monkeypatch.setattr(in_place, "fcntl", SimpleNamespace(fcntl=None))  # (a module without F_FULLFSYNC)
    flushed = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (flushed.append(fd), real_fsync(fd))[1])
    with open(tmp_path / "f", "wb") as fh:
        fh.write(b"x")
        in_place.flush_to_disk(fh.fileno())
        assert flushed == [fh.fileno()]


def test_the_vba_module_written_for_import_is_flushed_to_the_disk_on_macos(tmp_path, monkeypatch):
    """Review 137: ``xlpy vba -o`` writes the module Excel imports through the same flush; no test held it to it."""
    from xlpy.cli import main

    full, plain = _macos(monkeypatch)
    assert main(["vba", "-o", str(tmp_path / "xlpy_udfs.bas")]) == 0
    monkeypatch.undo()
    assert (tmp_path / "xlpy_udfs.bas").stat().st_ino in full and plain == []


def test_an_xlwings_lite_project_is_flushed_to_the_disk_before_it_is_moved_in(tmp_path, monkeypatch):
    """``xlpy lite`` renamed its two files into place unflushed: a power cut after the renames could leave an empty
    ``main.py`` over the project's."""
    from xlpy.cli import main

    full, plain = _macos(monkeypatch)
    assert main(["lite", "-o", str(tmp_path / "app")]) == 0
    monkeypatch.undo()
    for name in ("main.py", "requirements.txt"):
        assert (tmp_path / "app" / name).stat().st_ino in full, name
    assert plain == []


def test_a_renders_files_are_flushed_to_the_disk_before_they_are_moved_in(tmp_path, monkeypatch):
    """The PDF and pages LibreOffice and pdftoppm made in the staging folder were renamed into place unflushed."""
    from xlpy.workbook import rendering

    stage = tmp_path / "stage"
    stage.mkdir()
    made = [stage / "book.pdf", stage / "page-1.png"]
    for m in made:
        m.write_bytes(b"%PDF" if m.suffix == ".pdf" else b"\x89PNG")
    full, plain = _macos(monkeypatch)
    rendering._move_in([(made[0], tmp_path / "book.pdf"), (made[1], tmp_path / "book-1.png")], "book", 1)
    monkeypatch.undo()
    assert [(tmp_path / n).stat().st_ino for n in ("book.pdf", "book-1.png")] == full and plain == []
