"""A workbook on a shared drive: a refresh replaces the file, and the new one must let in whoever the old one did."""

from __future__ import annotations

import errno
import os
import struct

import pytest

from xlpy.workbook.backups import write_backup
from xlpy.workbook.locks import write_file

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


# --- a full temporary folder -------------------------------------------------------------------------------


def test_a_sheet_openpyxl_wrote_short_through_a_full_temporary_folder_is_named_not_packaged():
    """openpyxl writes each sheet through a temporary file and only prints what its writer meets as it closes
    one: with the temporary folder full, the sheet came back cut short, and build ended in a traceback from a
    later step ("subsection not found"). The failure is raised as the full folder it is; a sheet cut short is
    never packaged."""
    import io
    import sys
    import tempfile
    import types
    import zipfile

    from xlpy.workbook import saving

    class SerialisationError(Exception):  # as lxml raises it, writing to a full disk
        pass

    class Book:
        def save(self, buf):
            sys.unraisablehook(types.SimpleNamespace(exc_type=SerialisationError,
                                                     exc_value=SerialisationError("IO_ENOSPC"),
                                                     exc_traceback=None, err_msg=None, object=None))
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>")

    with pytest.raises(OSError) as info:
        saving.workbook_bytes(Book())
    assert (info.value.errno, info.value.filename) == (errno.ENOSPC, tempfile.gettempdir())
    # a sheet cut short, whatever was printed: refused
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r='1'>")
    with pytest.raises(OSError, match="sheet1.xml was written incomplete"):
        saving._normalise_zip(buf.getvalue(), None)


def test_build_into_a_full_temporary_folder_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    from repo_paths import SEED

    from xlpy.cli import main
    from xlpy.workbook import saving

    def full(wb, when=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "tmp"))

    monkeypatch.setattr(saving, "workbook_bytes", full)
    out = tmp_path / "deal" / "offer.xlsm"
    out.parent.mkdir()
    assert main(["build", str(SEED), "-o", str(out), "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith(  # (then the output, as given)
        f"xlpy build: --output: cannot be written (No space left on device in {tmp_path / 'tmp'}; free space "
        f"there, or set TMPDIR to a folder with room); nothing was written, got '")
    assert list(out.parent.iterdir()) == []


def test_a_workbook_libreoffice_cannot_be_given_for_a_full_disk_is_no_finding_on_the_workbook(tmp_path,
                                                                                            monkeypatch):
    """Its copy for LibreOffice failing for want of space was reported as `cannot read input file`, a finding
    on the workbook; it is the folder's error, raised for the command to name."""
    from xlpy.workbook import libreoffice

    book = tmp_path / "offer.xlsx"
    book.write_bytes(b"PK")

    def copyfile(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(tmp_path / "no-soffice"))  # (never run)
    monkeypatch.setattr(libreoffice.shutil, "copyfile", copyfile)
    with pytest.raises(OSError) as info:
        libreoffice.recalculate(book, tmp_path / "out")
    assert not isinstance(info.value, libreoffice.LibreOfficeError) and info.value.errno == errno.ENOSPC
    assert str(tmp_path / "out") in info.value.filename


def test_a_render_removes_the_staging_folders_a_killed_render_left(tmp_path, monkeypatch):
    """A render killed outright left a hidden folder with a copy of the workbook in the output folder (which a
    `git add -A` of the committed renders would take); the next render removes it, and leaves one a render
    running meanwhile is using."""
    import time

    from xlpy.workbook import rendering

    out = tmp_path / "renders"
    old, recent, mine = (out / ".xlpy-render-stage-abc1", out / ".xlpy-png-stage-def2", out / ".xlpy-notes")
    for folder in (old, recent, mine):
        (folder / "in").mkdir(parents=True)
        (folder / "in" / "f0000.xlsm").write_bytes(b"a copy of the workbook")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    os.utime(mine, (hour_ago, hour_ago))

    def to_pdf(path, out_dir, timeout=None):
        pdf = out_dir / "offer.pdf"
        pdf.write_bytes(b"%PDF")
        return pdf

    def pdf_to_pngs(pdf, out_dir, dpi=110, timeout=None):
        png = out_dir / "offer-1.png"
        png.write_bytes(b"png")
        return [png]

    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    monkeypatch.setattr(rendering, "pdf_to_pngs", pdf_to_pngs)
    made = rendering.render(tmp_path / "offer.xlsm", out)
    assert [p.name for p in made] == ["offer.pdf", "offer-1.png"]
    assert sorted(p.name for p in out.iterdir()) == [".xlpy-notes", ".xlpy-png-stage-def2", "offer-1.png",
                                                     "offer.pdf"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_render_is_no_more_readable_than_the_workbook(tmp_path, monkeypatch):
    """Review 80: the pages and PDF of a workbook kept 0600 were made 0644 under the usual umask (022): readable
    by anyone on the machine, its figures the workbook's.  They take no permission the workbook does not give."""
    from xlpy.workbook import rendering

    book = tmp_path / "offer.xlsm"
    book.write_bytes(b"the workbook")

    def to_pdf(path, out_dir, timeout=None):
        (out_dir / "offer.pdf").write_bytes(b"%PDF")
        return out_dir / "offer.pdf"

    def pdf_to_pngs(pdf, out_dir, dpi=110, timeout=None):
        (out_dir / "offer-1.png").write_bytes(b"png")
        return [out_dir / "offer-1.png"]

    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    monkeypatch.setattr(rendering, "pdf_to_pngs", pdf_to_pngs)
    old = os.umask(0o022)
    try:
        for mode, made in ((0o600, 0o600), (0o640, 0o640), (0o644, 0o644), (0o666, 0o644)):
            os.chmod(book, mode)
            pages = rendering.render(book, tmp_path / "renders")
            assert {p.stat().st_mode & 0o777 for p in pages} == {made}, oct(mode)
    finally:
        os.umask(old)


def test_a_system_without_owners_or_extended_attributes_still_replaces_the_workbook(tmp_path, monkeypatch):
    """Windows has no os.chown and no os.listxattr: the permissions are kept, and nothing else is tried."""
    path = _workbook(tmp_path)
    os.chmod(path, 0o640)
    monkeypatch.delattr(os, "chown", raising=False)
    monkeypatch.delattr(os, "listxattr", raising=False)
    write_file(b"new", path)
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o7777 == 0o640


def test_a_tool_that_fails_beside_a_nearly_full_folder_names_the_folder(tmp_path, monkeypatch):
    """LibreOffice or pdftoppm failing with a folder it works in nearly full: a full disk, for the command to
    name the folder (exit 2), not a finding on the workbook; with room, nothing is raised here."""
    import collections

    from xlpy.workbook import libreoffice

    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(libreoffice.shutil, "disk_usage", lambda p: usage(1 << 30, 1 << 30, 10 * 1024))
    with pytest.raises(OSError) as info:
        libreoffice.full_disk("LibreOffice could not recalculate (soffice exit status 77)", tmp_path)
    assert (info.value.errno, info.value.filename) == (errno.ENOSPC, str(tmp_path))
    assert info.value.strerror == "LibreOffice could not recalculate (soffice exit status 77); it has only 10 KB free"
    # 60 MB free is no full disk: the tool's own failure, with a word that space may be why
    monkeypatch.setattr(libreoffice.shutil, "disk_usage", lambda p: usage(1 << 40, 0, 60 * 2**20))
    assert libreoffice.full_disk("LibreOffice could not recalculate", tmp_path) == (
        f"; {tmp_path} has only 60.0 MB free, which may be why")
    monkeypatch.setattr(libreoffice.shutil, "disk_usage", lambda p: usage(1 << 40, 0, 1 << 30))
    assert libreoffice.full_disk("LibreOffice could not recalculate", tmp_path) == ""


def test_an_unrelated_error_printed_while_saving_is_passed_on_not_raised(monkeypatch):
    """Only a full temporary folder stops a save: another object's failure as it is collected is printed, as
    Python prints it, and the workbook is saved."""
    import io
    import sys
    import types
    import zipfile

    from xlpy.workbook import saving

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))

    class Book:
        def save(self, buf):
            sys.unraisablehook(types.SimpleNamespace(exc_value=RuntimeError("a finaliser"), exc_type=RuntimeError,
                                                     exc_traceback=None, err_msg=None, object=None))
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("xl/worksheets/sheet1.xml", "<worksheet></worksheet>")

    data = saving.workbook_bytes(Book())
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["xl/worksheets/sheet1.xml"]
    assert [str(e) for e in seen] == ["a finaliser"]
