"""A new file xlpy writes (a build's workbook where none was) gets the permissions of any new file, 0666 less the
umask, without the process's umask set for a moment: another thread's file made in that moment was made with no
umask, writable by anyone."""

from __future__ import annotations

import os

import pytest

from xlpy.workbook import backups, locks

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _umask_read_is_refused(*args):
    raise AssertionError("os.umask called: the process's umask is set for that moment, in every thread")


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077, 0o002], ids=["022", "027", "077", "002"])
def test_a_new_file_gets_the_umask_s_permissions_and_the_umask_is_never_set(tmp_path, monkeypatch, umask):
    """Review finding: write_file read the umask by setting it to 0 and back; a file another thread made in that
    instant was made 0666, writable by anyone on the machine."""
    before = os.umask(umask)
    try:
        monkeypatch.setattr(os, "umask", _umask_read_is_refused)
        out = locks.write_file(b"new", tmp_path / "offer.xlsm")
        also = backups.replace_with(b"built", tmp_path / "other.xlsm")
    finally:
        monkeypatch.undo()
        os.umask(before)
    assert out.read_bytes() == b"new" and (tmp_path / "other.xlsm").read_bytes() == b"built" and also is None
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~umask)
    assert oct((tmp_path / "other.xlsm").stat().st_mode & 0o777) == oct(0o666 & ~umask)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offer.xlsm", "other.xlsm"]  # (no temporary file left)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o644], ids=["600", "640", "664", "644"])
def test_a_file_replaced_keeps_its_own_permissions_whatever_the_umask(tmp_path, monkeypatch, mode):
    """A workbook there keeps its permissions (a private one stays private, a shared one shared), and its new
    content is never readable by more than its owner until it has them."""
    out = tmp_path / "offer.xlsm"
    out.write_bytes(b"old")
    os.chmod(out, mode)
    made = []
    real_open = os.open

    def opened(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith(".tmp"):
            made.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    before = os.umask(0o002)
    try:
        monkeypatch.setattr(os, "umask", _umask_read_is_refused)
        monkeypatch.setattr(os, "open", opened)
        locks.write_file(b"new", out)
    finally:
        monkeypatch.undo()
        os.umask(before)
    assert out.read_bytes() == b"new" and oct(out.stat().st_mode & 0o777) == oct(mode)
    assert made == [0o600]
    assert [p.name for p in tmp_path.iterdir()] == ["offer.xlsm"]


def test_a_temporary_file_s_name_taken_is_passed_over(tmp_path, monkeypatch):
    """A name already there (another writer's temporary file) is not written over: another name is taken, as
    mkstemp takes one, and the file there is left as it was."""
    names = iter(["aaaaaaaa", "aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(locks.secrets, "token_hex", lambda n: next(names))
    theirs = tmp_path / ".offer.xlsm.aaaaaaaa.tmp"
    locks.write_file(b"first", tmp_path / "offer.xlsm")  # (its temporary file .aaaaaaaa: renamed into place)
    theirs.write_bytes(b"another writer's")
    locks.write_file(b"second", tmp_path / "offer.xlsm")
    assert theirs.read_bytes() == b"another writer's"
    assert (tmp_path / "offer.xlsm").read_bytes() == b"second"

