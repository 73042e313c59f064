"""The copy kept of a workbook a refresh or ``build --force`` replaces (review 127): on disk before the workbook is
replaced, so a power cut cannot leave an empty backup beside a workbook whose old blocks were freed; and never
written twice, so a run killed between the backup and the rename leaves no duplicate for ``--keep`` to count in
place of a real older version."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import hostile_books
from hostile_books import new_tally, refresh
from repo_paths import ROOT, SEED

from xlpy.cli import main
from xlpy.engine.errors import InputError, InputErrors
from xlpy.workbook import backups

pytest.importorskip("resource")  # (POSIX: signals, inodes, a folder's fsync)

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


@pytest.mark.parametrize("command", ["refresh", "build --force", "refresh with the copy there"])
def test_the_backup_is_on_disk_before_the_workbook_is_replaced(book, monkeypatch, command):
    """The backup was copied (sendfile), renamed, and the workbook renamed over the old one with no fsync of the
    backup: on ext4 a power cut could leave it empty while the old workbook's blocks were freed.  A copy already
    there (an earlier xlpy's, killed before the workbook's rename, with no fsync) is flushed as a new one is."""
    if command == "build --force":
        assert main(["build", str(SEED), "-o", str(book), "--force", "--no-backup", "--no-validate", "-q"]) == 0
    elif command == "refresh with the copy there":
        shutil.copy2(book, book.with_name(f"{book.stem}.20040101-000000.bak.xlsm"))
    events = _recorded(monkeypatch)
    if command == "build --force":
        assert main(["build", str(SEED), "-o", str(book), "--force", "--no-validate", "-q"]) == 0
    else:
        assert refresh([str(book), "--tally", str(new_tally(book.parent))]) == 0
    monkeypatch.undo()
    (backup,) = backups.backups_of(book)
    replaced = events.index(("replace", book.name))
    there = command == "refresh with the copy there"  # (named before this run)
    named = replaced if there else events.index(("replace", backup.name))
    assert ("fsync", backup.stat().st_ino) in events[:named], events  # its data, before it takes the name
    assert ("fsync", book.parent.stat().st_ino) in events[0 if there else named:replaced], events  # then its name


def test_a_copy_there_with_other_permissions_is_not_the_copy_kept(book):
    """The backup keeps the workbook's permissions: a copy of the same bytes made private by hand is not it."""
    book.chmod(0o640)
    shutil.copy2(book, there := book.with_name(f"{book.stem}.20040101-000000.bak.xlsm"))
    there.chmod(0o600)
    assert refresh([str(book), "--tally", str(new_tally(book.parent))]) == 0
    (_, new) = backups.backups_of(book)
    assert new.stat().st_mode & 0o777 == 0o640 and new.read_bytes() == there.read_bytes()


def _killed_between_the_renames(book: Path, tally: Path) -> None:
    """``xlpy refresh BOOK --tally TALLY --keep 2`` killed (SIGKILL: no clean-up runs) once its backup is renamed
    into place and before the workbook is."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        from xlpy.cli import main
        real_replace = os.replace
        def replace(src, dst):
            if os.path.basename(dst) == {book.name!r}:
                os.kill(os.getpid(), signal.SIGKILL)
            return real_replace(src, dst)
        os.replace = replace
        sys.exit(main(["refresh", {book.name!r}, "--tally", {tally.name!r}, "--keep", "2"]))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", script], cwd=book.parent, env=env, capture_output=True, timeout=120,
                       check=False)
    assert r.returncode == -signal.SIGKILL, r.stderr


def test_a_kill_between_the_renames_costs_keep_no_older_version(book, capsys):
    """Day 1 kept V0 and wrote V1; day 2 was killed between its backup's rename and the workbook's, leaving a
    second backup, of V1; its rerun wrote a third (V1 again), and --keep 2 then removed V0: two copies of V1 were
    left, "removed 1 older backup (--keep 2)"."""
    v0 = book.read_bytes()
    assert refresh([str(book), "--tally", str(new_tally(book.parent, 3)), "--keep", "2"]) == 0
    v1 = book.read_bytes()
    tally = new_tally(book.parent, 7)
    _killed_between_the_renames(book, tally)
    assert book.read_bytes() == v1 and [b.read_bytes() for b in backups.backups_of(book)] == [v0, v1]
    left = backups.backups_of(book)[-1]  # (the killed run's copy: the workbook as it stands)
    capsys.readouterr()
    assert refresh([str(book), "--tally", str(tally), "--keep", "2"]) == 0
    out = capsys.readouterr().out
    assert [b.read_bytes() for b in backups.backups_of(book)] == [v0, v1], "an older version was removed"
    assert f"previous version kept as {left.name}" in out and "removed" not in out, out
    assert book.read_bytes() not in (v0, v1)


def test_without_keep_each_kill_leaves_no_more_copies(book):
    """Each kill between the renames left one more copy of the same workbook."""
    tally = new_tally(book.parent)
    for _ in range(2):
        _killed_between_the_renames(book, tally)
    assert len(backups.backups_of(book)) == 1


def test_keep_counts_versions_not_copies(book, capsys):
    """Copies of one version left by an earlier xlpy (killed between its renames, a backup copied by hand) are
    counted as that one version: --keep N keeps the N newest versions, never an older one removed for a copy."""
    v0 = book.read_bytes()
    assert refresh([str(book), "--tally", str(new_tally(book.parent, 3))]) == 0
    v1 = book.read_bytes()
    (b1,) = backups.backups_of(book)
    copies = [book.with_name(f"{book.stem}.20040224-000000-{i}.bak.xlsm") for i in (5, 6)]
    for c in copies:
        shutil.copy2(book, c)
    assert refresh([str(book), "--tally", str(new_tally(book.parent, 7)), "--keep", "2"]) == 0
    assert capsys.readouterr().out.count("removed") == 0
    assert backups.backups_of(book) == [b1, *copies] and b1.read_bytes() == v0  # (the newest copy kept as V1's)
    assert refresh([str(book), "--tally", str(new_tally(book.parent, 9)), "--keep", "2"]) == 0
    kept = backups.backups_of(book)
    assert [b.read_bytes() for b in kept[:-1]] == [v1, v1] and kept[:-1] == copies  # V0, the third newest, gone
    assert f"removed 1 older backup (--keep 2): {b1.name}" in capsys.readouterr().out  # (review 164: named)


def test_a_backup_there_is_not_removed_when_the_workbook_cannot_be_replaced(book, monkeypatch):
    """The copy already there is kept when the rename fails: it was not written by this run, only named by it."""
    shutil.copy2(book, there := book.with_name(f"{book.stem}.20040101-000000.bak.xlsm"))
    real = os.replace

    def full(src, dst, **kwargs):
        if Path(dst) == book:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputErrors, match="No space left on device"):
        refresh([str(book), "--tally", str(new_tally(book.parent))])
    monkeypatch.undo()
    assert backups.backups_of(book) == [there] and there.read_bytes() == book.read_bytes()
    assert backups.write_backup(book, backups.backups_of(book)[0].with_name("new.bak.xlsm")) == there


def test_only_the_newest_backup_holding_the_workbook_byte_for_byte_is_the_copy_kept(book):
    """Review 128: a backup of the workbook's size with other bytes (one byte apart), or an older backup holding the
    workbook (restored from it by hand) while a newer one does not, is no copy of the version being replaced: a
    new backup is written, so --keep counts that version and keeps it."""
    size_alike = book.with_name(f"{book.stem}.20040101-000000.bak.xlsm")
    data = bytearray(book.read_bytes())
    data[len(data) // 2] ^= 1
    size_alike.write_bytes(bytes(data))
    os.chmod(size_alike, book.stat().st_mode & 0o7777)
    new = book.with_name(f"{book.stem}.20040102-000000.bak.xlsm")
    assert backups.write_backup(book, new) == new and new.read_bytes() == book.read_bytes()
    older = book.with_name(f"{book.stem}.20031231-000000.bak.xlsm")
    shutil.copy2(book, older)  # (the workbook restored from it: an older version than the newest backup's)
    new.write_bytes(bytes(data))
    newest = book.with_name(f"{book.stem}.20040103-000000.bak.xlsm")
    assert backups.write_backup(book, newest) == newest and newest.read_bytes() == book.read_bytes()


def test_a_link_named_as_the_newest_backup_is_not_the_copy_kept(book, tmp_path):
    """Review 128's B11: a symbolic link named as the newest backup, to a copy of the workbook byte for byte kept
    elsewhere, is no copy of its own (the copy it names may go): a backup is written, and the link left as it is."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(book, copy := elsewhere / "copy.xlsm")
    link = book.with_name(f"{book.stem}.20040101-000000.bak.xlsm")
    link.symlink_to(copy)
    assert backups.backups_of(book) == [link]
    new = book.with_name(f"{book.stem}.20040102-000000.bak.xlsm")
    assert backups.write_backup(book, new) == new and not new.is_symlink() and new.read_bytes() == book.read_bytes()
    assert link.is_symlink() and os.readlink(link) == str(copy)


@pytest.mark.parametrize("name", ["{stem}.20040101-000000.bak.xlsm\n", "{stem}.２００４０１０１-000000.bak.xlsm"])
def test_a_file_named_almost_as_a_backup_is_the_user_s_and_never_removed(book, name):
    """Review 128: a name ending in a line feed matched the pattern's "$", and --keep removed the user's file;
    full-width digits were read as a time and the file warned of as named after now on every --keep run."""
    theirs = book.with_name(name.format(stem=book.stem))
    theirs.write_bytes(b"the user's own")
    assert backups.backups_of(book) == [] and backups.named_ahead(book) == []
    assert backups.prune_backups(book, 0) == [] and theirs.read_bytes() == b"the user's own"


def test_a_backup_the_user_may_not_remove_is_left_and_said_the_refresh_done(book, capsys, monkeypatch):
    """Review 175: in a shared folder with the sticky bit a colleague's backup cannot be removed by --keep; the
    refresh, its workbook already replaced, ended in a traceback and exit 70 (--json: not ok, a job would run it
    again).  It is left, said, and the others pruned."""
    assert refresh([str(book), "--tally", str(new_tally(book.parent, 3))]) == 0
    (theirs,) = backups.backups_of(book)
    real = Path.unlink

    def refused(self, missing_ok=False):
        if self.name == theirs.name:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(self))
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    assert refresh([str(book), "--tally", str(new_tally(book.parent, 7)), "--keep", "0", "--json"]) == 0
    out, err = capsys.readouterr()
    assert f"{theirs.name}: not removed by --keep 0 (" in err and "Operation not permitted" in err, err
    assert theirs.exists() and backups.backups_of(book) == [theirs] and '"changed": true' in out, out
    assert main(["build", str(SEED), "-o", str(book.with_name("b.xlsm")), "--no-validate", "-q"]) == 0
    capsys.readouterr()
    assert main(["build", str(SEED), "-o", str(book.with_name("b.xlsm")), "--force", "--keep", "0", "--no-validate"]
                ) == 0 and "Traceback" not in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="makes another user's file (root)")
def test_a_workbook_whose_owner_would_lose_it_is_not_replaced_by_another_user(book, monkeypatch):
    """Review 175: bob's workbook (bob:bob 0660, alice let in by an access list), refreshed by alice, became
    alice's, and bob could open neither it nor its backup; in a folder with the sticky bit, bob's refresh of one
    alice refreshed last failed with "Operation not permitted".  Each is refused up front, saying why."""
    import pwd

    from xlpy.workbook import locks

    nobody = pwd.getpwnam("nobody")
    os.chown(book, nobody.pw_uid, nobody.pw_gid)
    book.chmod(0o660)
    monkeypatch.setattr(os, "geteuid", lambda: 1)  # (another user, in none of nobody's groups)
    monkeypatch.setattr(os, "getegid", lambda: 1)
    monkeypatch.setattr(os, "getgroups", lambda: [1])
    assert locks.not_mine_to_replace(book) == (
        "is nobody's (-rw-rw----), who reaches it as its owner: replaced by you, it would be yours (no user can give a "
        "file away) and nobody could no longer open or change it; have nobody do it, or have the file's group hold "
        "both of you and let it read and write the file (chmod g+rw)")
    monkeypatch.setattr(os, "getgroups", lambda: [1, nobody.pw_gid])  # (both in the file's group: kept, fine)
    assert locks.not_mine_to_replace(book) == ""
    monkeypatch.setattr(os, "getgroups", lambda: [1])
    os.chown(book, 0, nobody.pw_gid)  # (a scheduled job's, root's: root opens any file, so no one loses it)
    assert locks.not_mine_to_replace(book) == ""
    os.chown(book, nobody.pw_uid, nobody.pw_gid)
    book.parent.chmod(0o1777)
    try:
        assert locks.not_mine_to_replace(book) == (
            "is nobody's, in a folder with the sticky bit, where only a file's owner may replace it: have nobody do "
            "it, or have the folder's sticky bit cleared")
        before = book.read_bytes()
        with pytest.raises(InputError) as info:
            refresh([str(book), "--tally", str(new_tally(book.parent, 3))])
        assert "in a folder with the sticky bit" in str(info.value) and "it was not changed" in str(info.value)
        assert book.read_bytes() == before
    finally:
        book.parent.chmod(0o755)
