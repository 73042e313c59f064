"""A workbook on a shared drive: a refresh replaces the file, and the new one must let in whoever the old one did."""

from __future__ import annotations

import errno
import os
import struct

import pytest

from xlpy.workbook.locks import write_backup, write_file

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

#: A POSIX access list as Linux stores it (system.posix_acl_access): the owner rw, user 4242 rw, the group r,
#: the mask rw, others nothing.
ACL = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in (
    (0x01, 6, 0xFFFFFFFF), (0x02, 6, 4242), (0x04, 4, 0xFFFFFFFF), (0x10, 6, 0xFFFFFFFF), (0x20, 0, 0xFFFFFFFF)))


def _workbook(tmp_path):
    path = tmp_path / "offer.xlsm"
    path.write_bytes(b"old")
    return path


@pytest.mark.skipif(not ROOT, reason="only root may give a file another owner")
def test_a_refresh_by_a_scheduled_job_keeps_the_workbooks_owner_and_group(tmp_path):
    """Run as root (cron, a service), the replaced workbook was root's: its owner, at 0600, was locked out."""
    path = _workbook(tmp_path)
    os.chown(path, 4242, 4343)
    os.chmod(path, 0o600)
    backup = write_backup(path, tmp_path / "offer.bak.xlsm")
    write_file(b"new", path)
    for p in (path, backup):
        st = p.stat()
        assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4242, 4343, 0o600), p
    assert path.read_bytes() == b"new" and backup.read_bytes() == b"old"


def test_a_refresh_keeps_the_workbooks_access_list_and_extended_attributes(tmp_path):
    """A colleague let in by an access list entry (user 4242 rw) was shut out of the replaced workbook."""
    path = _workbook(tmp_path)
    os.chmod(path, 0o660)
    try:
        os.setxattr(path, "user.xlpy-test", b"kept")
        os.setxattr(path, "system.posix_acl_access", ACL)
    except (OSError, AttributeError) as exc:  # no extended attributes here (macOS, Windows, a file system without)
        if isinstance(exc, OSError) and exc.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            raise
        pytest.skip(f"extended attributes cannot be set here: {exc}")
    write_file(b"new", path)
    assert os.getxattr(path, "user.xlpy-test") == b"kept"
    assert os.getxattr(path, "system.posix_acl_access") == ACL
    assert path.stat().st_mode & 0o7777 == 0o660
