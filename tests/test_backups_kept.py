"""The copy kept of a workbook a refresh or ``build --force`` replaces (review 127): on disk before the workbook is
replaced, so a power cut cannot leave an empty backup beside a workbook whose old blocks were freed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import hostile_books
from hostile_books import new_tally, refresh
from repo_paths import SEED

from xlpy.cli import main
from xlpy.workbook import locks

pytest.importorskip("resource")  # (POSIX: inodes, a folder's fsync)

book = hostile_books.book  # (the fixture: the holder workbook copied for the test)

pytestmark = pytest.mark.usefixtures("fresh_limits")


def _recorded(monkeypatch) -> list[tuple[str, object]]:
    """What is flushed to disk (the file's inode) and renamed (the name it takes), in the order it happens."""
    events: list[tuple[str, object]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.fstat(fd).st_ino))
        return real_fsync(fd)

    def replace(src, dst, **kwargs):
        real_replace(src, dst, **kwargs)
        events.append(("replace", Path(dst).name))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


@pytest.mark.parametrize("command", ["refresh", "build --force"])
def test_the_backup_is_on_disk_before_the_workbook_is_replaced(book, monkeypatch, command):
    """The backup was copied (sendfile), renamed, and the workbook renamed over the old one with no fsync of the
    backup: on ext4 a power cut could leave it empty while the old workbook's blocks were freed."""
    if command == "build --force":
        assert main(["build", str(SEED), "-o", str(book), "--force", "--no-backup", "--no-validate", "-q"]) == 0
    events = _recorded(monkeypatch)
    if command == "build --force":
        assert main(["build", str(SEED), "-o", str(book), "--force", "--no-validate", "-q"]) == 0
    else:
        assert refresh([str(book), "--tally", str(new_tally(book.parent))]) == 0
    monkeypatch.undo()
    (backup,) = locks.backups_of(book)
    named, replaced = events.index(("replace", backup.name)), events.index(("replace", book.name))
    assert ("fsync", backup.stat().st_ino) in events[:named], events  # its data, before it takes the name
    assert ("fsync", book.parent.stat().st_ino) in events[named:replaced], events  # its name, before the workbook's
