"""Hostile and busy files (issue 12), on the file system: a workbook or folder the user cannot write, names the
file system refuses, links, and nothing lost on a crash (the bombs, limits and busy workbooks:
``test_hostile.py``)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import hostile_books
from hostile_books import new_tally, refresh, snapshot
from repo_paths import PRICES, ROOT

from xlpy.cli import main
from xlpy.workbook import backups, locks, package, parts

pytest.importorskip("resource")  # (POSIX: file modes, signals, as test_hostile.py)

book = hostile_books.book  # (the fixture: the holder workbook copied for the test)

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


# --- the file system ----------------------------------------------------------------------------


def test_a_workbook_on_a_read_only_file_system_is_named_so(book, capsys, monkeypatch):
    """Its permissions allow writing (-rw-rw-rw-), its disk does not: "Make it writable" would send one to chmod."""
    import os as os_module

    from xlpy.workbook import locks

    real = os_module.statvfs

    class ReadOnly:
        def __init__(self, path):
            self._st = real(path)

        def __getattr__(self, name):
            return getattr(self._st, name)

        f_flag = os_module.ST_RDONLY

    monkeypatch.setattr(locks.os, "statvfs", ReadOnly)
    tally = new_tally(book.parent)
    before = snapshot(book.parent)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {book}: is on a read-only file system (a read-only share or medium); it was not changed. "
        "Copy it to a writable folder if it should be refreshed"]
    assert snapshot(book.parent) == before


def test_read_only_workbook_is_not_replaced(book, capsys):
    folder = book.parent
    tally = new_tally(folder)
    book.chmod(0o444)
    before = snapshot(folder)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    err = capsys.readouterr().err.strip()
    assert "book.xlsm: is read-only (permissions -r--r--r--); it was not changed" in err
    assert snapshot(folder) == before and stat.S_IMODE(book.stat().st_mode) == 0o444


def test_on_windows_a_read_only_workbook_is_said_in_windows_words(book, capsys, monkeypatch):
    """Review 74: a workbook with Windows' Read-only attribute (Python shows it as no write bit) was said to have
    'permissions -r--r--r--', which no Windows dialog shows."""
    monkeypatch.setattr(locks, "WINDOWS_NAMES", True)
    book.chmod(0o444)
    assert main(["refresh", str(book), "--tally", str(new_tally(book.parent))]) == 2
    assert (f"xlpy refresh: {book}: is read-only (its Read-only attribute is set: clear it in the file's "
            "Properties, or, on a read-only share, copy it to a writable folder); it was not changed. Make it "
            "writable first if it should be refreshed") in capsys.readouterr().err.splitlines()


def test_a_read_only_workbook_on_a_read_only_share_is_told_to_be_copied(book, capsys, monkeypatch):
    """Review 75: a workbook without write permission on a read-only file system was told to be made writable,
    which that file system refuses (chmod: Read-only file system): the share is what to say, whatever the bits."""
    monkeypatch.setattr(locks, "_read_only_mount", lambda target: True)
    book.chmod(0o444)
    assert main(["refresh", str(book), "--tally", str(new_tally(book.parent))]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"xlpy refresh: {book}: is on a read-only file system (a read-only share or medium); it was not changed. "
        "Copy it to a writable folder if it should be refreshed")


@pytest.mark.parametrize("option", ["--tally", "--prices", "--mapping"])
def test_a_locked_tally_price_or_mapping_file_is_named_and_the_workbook_left(book, capsys, monkeypatch, option):
    """On Windows, Excel locks a CSV it has open: the refresh names the file and why, in one line."""
    from test_sources_held import LOCKED, lock

    folder = book.parent
    tally = new_tally(folder)
    (folder / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    given = {"--tally": tally, "--prices": folder / PRICES, "--mapping": folder / "map.toml"}
    before = snapshot(folder)
    lock(monkeypatch, given[option].name)
    argv = ["refresh", str(book), option, str(given[option])] + (["--tally", str(tally)] if option == "--mapping" else [])
    assert main(argv) == 2
    # (named by the path given, as every problem inside a file given on the command line)
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {given[option]}: {LOCKED}",
                                                    f"xlpy refresh: {book} was not changed"]
    monkeypatch.undo()
    assert snapshot(folder) == before


def test_a_mapping_without_a_tally_to_read_is_refused(standard_books, tmp_path, capsys, monkeypatch):
    """A workbook whose counts are typed in records no tally: a mapping alone has nothing to map, and is named."""
    seed = standard_books["seed"]
    book = tmp_path / seed.name
    shutil.copy(seed, book)
    (tmp_path / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)  # a short path: a long value is shown cut
    assert main(["refresh", book.name, "--mapping", "map.toml"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        ("xlpy refresh: --mapping: goes with a tally, and no tally file is recorded on the Cover ('aggregate counts "
         "in the offer file' is not a file); give the tally with --tally, got 'map.toml'"),
        f"xlpy refresh: {book.name} was not changed"]
    assert out == "" and snapshot(tmp_path) == before


def test_a_mapping_without_tally_goes_with_the_recorded_tally(book, capsys):
    """A workbook that records its tally reads it with the mapping given: nothing is refused."""
    (book.parent / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    assert main(["refresh", str(book), "--mapping", str(book.parent / "map.toml")]) == 0
    assert f"columns mapped by {book.parent / 'map.toml'};" in capsys.readouterr().out  # (as given)


@pytest.mark.parametrize("command", ["validate", "render"])
def test_a_locked_workbook_is_named_not_called_no_workbook(book, capsys, monkeypatch, command):
    from test_sources_held import LOCKED, lock

    lock(monkeypatch, book.name)
    argv = [command, str(book)] + (["-o", str(book.parent / "pages")] if command == "render" else ["--no-formulas"])
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy {command}: {book if command == 'render' else book.name}: "
                                                   f"{LOCKED}"]
    assert not (book.parent / "pages").exists()


def _unwritable(monkeypatch, folder: Path) -> None:
    """Temporary files and folders in *folder* are refused, as in a folder without write permission (which
    running as root ignores)."""
    import tempfile

    for name in ("mkstemp", "mkdtemp"):
        real = getattr(tempfile, name)

        def refusing(*args, _real=real, **kwargs):
            where = kwargs.get("dir", args[2] if len(args) > 2 else None)
            if where is not None and Path(where).resolve() == folder.resolve():
                raise PermissionError(13, "Permission denied", str(folder))
            return _real(*args, **kwargs)

        monkeypatch.setattr(tempfile, name, refusing)
    real_open = os.open

    def made_refused(path, flags, *args, _real=real_open, **kwargs):  # (a temporary file xlpy makes itself)
        p = Path(os.fspath(path))
        if flags & os.O_CREAT and p.name.endswith(".tmp") and p.parent.resolve() == folder.resolve():
            raise PermissionError(13, "Permission denied", str(p))
        return _real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", made_refused)


def test_build_into_a_folder_it_cannot_write_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ro").mkdir()
    _unwritable(monkeypatch, tmp_path / "ro")
    assert main(["build", str(ROOT / "workbook" / "offers" / "hecla-2004.toml"), "-o", "ro/new.xlsm",
                 "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy build: --output: cannot be written (Permission denied); nothing was written, got 'ro/new.xlsm'"]
    assert list((tmp_path / "ro").iterdir()) == []


def test_build_into_a_read_only_or_full_folder_is_worded_as_a_refresh_of_it(tmp_path, capsys, monkeypatch):
    """Review 104: a build into a folder on a read-only file system spoke of its lock file (`cannot be written: its
    lock file .~xlpy.x.xlsm.lock cannot be made (Read-only file system); nothing was written`), and one into a full
    folder said neither that nothing was written nor what to do; a refresh says both."""
    import errno

    from xlpy.workbook import saving

    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    real_open = locks.os.open

    def read_only(path, *args, **kwargs):
        if os.path.basename(os.fspath(path)).startswith(".~xlpy."):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real_open(path, *args, **kwargs)

    seed = str(ROOT / "workbook" / "offers" / "hecla-2004.toml")
    with monkeypatch.context() as m:
        m.setattr(locks.os, "open", read_only)
        assert main(["build", seed, "-o", "out/x.xlsm", "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy build: out/x.xlsm: cannot be written: its folder is on a read-only file system (a read-only share or "
        "medium); nothing was written. Write it in a writable folder"]

    def full(wb, when=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(saving, "workbook_bytes", full)
    assert main(["build", seed, "-o", "out/x.xlsm", "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy build: --output: cannot be written (No space left on device); nothing was written: free space there, "
        "or give -o another folder, got 'out/x.xlsm'"]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_refresh_into_a_full_disk_says_what_to_do_as_build_does(book, capsys, monkeypatch):
    """A refresh whose workbook finds no room said only that it was not changed, where build says to free space
    (review 104's helper): it says so too, and the workbook is as it was."""
    import errno

    before = book.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(backups, "replace_with", full)  # (the refresh imports it where it writes)
    assert main(["refresh", str(book), "--tally", str(new_tally(book.parent)), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines()[0].endswith(
        "cannot be written (No space left on device); the workbook was not changed: free space there, then refresh "
        "it again")
    assert book.read_bytes() == before


def test_render_into_a_folder_it_cannot_write_says_so(book, capsys, monkeypatch):
    from xlpy.workbook import libreoffice

    folder = book.parent / "ro"
    folder.mkdir()
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(book.parent / "no-soffice"))  # (never run)
    _unwritable(monkeypatch, folder)
    assert main(["render", str(book), "-o", str(folder)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: --output: cannot be written (Permission denied), got '{folder}'"]
    assert list(folder.iterdir()) == []


def test_render_into_a_folder_under_one_that_does_not_exist_is_refused(book, capsys, monkeypatch):
    """Review 58: `render -o /nonexistent/deep/dir` made the whole tree, a typo's output sent where nobody looks;
    `build -o` refuses a folder that is not there.  The output folder itself is made, as before."""
    from xlpy.workbook import libreoffice, rendering

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(rendering, "render", lambda path, out, **kw: [Path(out) / "b.pdf"])  # (LibreOffice untested)
    monkeypatch.setattr(rendering, "font_substitutes", lambda: [])
    monkeypatch.chdir(book.parent)
    assert main(["render", str(book), "-o", "reprots/march"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy render: --output: is in a folder that does not exist (reprots): create it first (render makes its "
        "output folder, not the folders above it), got 'reprots/march'"]
    assert not (book.parent / "reprots").exists()
    (book.parent / "base.xlsm").write_bytes(b"")
    assert main(["render", str(book), "-o", "base.xlsm/sub"]) == 2  # (review 60: "a folder that does not exist")
    assert capsys.readouterr().err.splitlines() == [
        "xlpy render: --output: is in base.xlsm, which is a file, not a folder, got 'base.xlsm/sub'"]
    assert main(["render", str(book), "-o", "march"]) == 0  # (a folder in one that exists)
    assert capsys.readouterr().out.split() == [str(Path("march") / "b.pdf")]


@pytest.mark.parametrize("dpi, reason", [("-1", "must be a positive whole number"), ("0", "must be a positive whole "
                                          "number"), ("19", "must be from 20 to 1200"), ("5000", "must be from 20 to 1200")])
def test_render_checks_the_resolution_before_anything(book, capsys, monkeypatch, dpi, reason):
    from xlpy.workbook import libreoffice

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(book.parent / "no-soffice"))  # (never run)
    pages = book.parent / "pages"
    assert main(["render", str(book), "-o", str(pages), "--dpi", dpi]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy render: --dpi: {reason}, got {dpi}"]
    assert not pages.exists()


def test_a_failed_render_leaves_the_earlier_pages_and_pdf(book, capsys, monkeypatch):
    """The PDF is made beside its pages and moved in with them: never a PDF beside pages of another render."""
    from xlpy.workbook import libreoffice, rendering

    pages = book.parent / "pages"
    pages.mkdir()
    (pages / "book.pdf").write_bytes(b"%PDF earlier")
    (pages / "book-1.png").write_bytes(b"earlier page")
    before = snapshot(pages)

    def to_pdf(path, out_dir, timeout=None):
        pdf = Path(out_dir) / "book.pdf"
        pdf.write_bytes(b"%PDF new")
        return pdf

    def pdf_to_pngs(pdf, out_dir, dpi=110, timeout=None):
        raise libreoffice.LibreOfficeError(f"{pdf}: pdftoppm produced no PNG pages (exit status 99)", [pdf])

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(book.parent / "no-soffice"))  # (never run)
    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    monkeypatch.setattr(rendering, "pdf_to_pngs", pdf_to_pngs)
    assert main(["render", str(book), "-o", str(pages)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: {pages / 'book.pdf'}: pdftoppm produced no PNG pages (exit status 99)"]
    assert snapshot(pages) == before and sorted(p.name for p in pages.iterdir()) == ["book-1.png", "book.pdf"]


def test_a_macro_workbook_renamed_xlsx_is_named_not_refreshed(book, capsys):
    """Excel refuses a workbook with a VBA project under a name other than .xlsm: build refuses to write one, and
    validate and refresh name one renamed since."""
    renamed = book.with_name("book.xlsx")
    book.rename(renamed)
    tally = new_tally(book.parent)
    before = snapshot(book.parent)
    why = ("must end in .xlsm: the standard workbook carries the refresh macros (a VBA project), which Excel refuses "
           "to open under any other name")
    assert main(["refresh", str(renamed), "--tally", str(tally)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {renamed}: {why}; rename it book.xlsm; it was not changed"]
    assert snapshot(book.parent) == before
    assert main(["validate", str(renamed), "--no-formulas", "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"book.xlsx: file: {why}: expected book.xlsm (rename it), found book.xlsx [structure]"
    assert out[-1].startswith("book.xlsx: 1 finding(s)")


def test_an_xlsx_renamed_xlsm_is_named_not_refreshed(book, capsys):
    """The reverse: saved as LibreOffice's 'Excel 2007-365' (an .xlsx, macros dropped), then named .xlsm again.
    Excel refuses to open it so; the refresh wrote it back as it was, without a word."""
    import zipfile

    with zipfile.ZipFile(book) as zin:  # as that save leaves it: no VBA project, an .xlsx's content type
        parts = {n: zin.read(n) for n in zin.namelist() if n != "xl/vbaProject.bin"}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zout:
        for n, data in parts.items():
            zout.writestr(n, data)
    tally = new_tally(book.parent)
    before = snapshot(book.parent)
    why = ("is an .xlsx workbook (no macros: its refresh macros and buttons are gone) under an .xlsm name, as "
           "LibreOffice's 'Excel 2007-365' format saves one: Excel refuses to open it so; save it as 'Excel 2007-365 "
           "(macro-enabled)' from the LibreOffice window it is still open in, or rebuild it with xlpy build")
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {book}: {why}; it was not changed"]
    assert snapshot(book.parent) == before
    assert main(["validate", str(book), "--no-formulas", "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"{book.name}: file: {why}: expected a macro-enabled workbook, found an .xlsx's content type "
                      "[structure]")
    assert not any("VBA project" in line for line in out), out  # (the same cause, said once)


def test_a_folder_given_as_a_workbook_or_a_source_is_named_a_folder(book, capsys):
    folder = book.parent / "data.xlsm"
    folder.mkdir()
    for argv in (["refresh", str(folder)], ["render", str(folder), "-o", str(book.parent / "pages")]):
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy {argv[0]}: {folder}: is a folder, not a workbook"]
    tally = new_tally(book.parent)
    for option, what in (("--tally", "tally"), ("--prices", "price"), ("--mapping", "mapping")):
        argv = ["refresh", str(book), option, str(folder)] + (["--tally", str(tally)] if option == "--mapping" else [])
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {folder}: is a folder, not a {what} file",
                                                        f"xlpy refresh: {book} was not changed"]
    assert main(["validate", str(folder), "--no-formulas", "--no-libreoffice"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "data.xlsm: file: is a folder, not a workbook: expected a workbook file, found a folder [structure]")
    assert not (book.parent / "pages").exists()


def test_validate_names_a_file_that_is_no_workbook_in_its_own_words(tmp_path, capsys):
    offer = tmp_path / "offer.toml"
    offer.write_text("schema = 1\n", encoding="utf-8")
    (tmp_path / "text.xlsm").write_text("text", encoding="utf-8")
    assert main(["validate", str(offer), str(tmp_path / "text.xlsm"), "--no-formulas", "--no-libreoffice"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "offer.toml: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found an offer file "
        "(TOML), which goes after --offer [structure]",
        "offer.toml: 1 finding(s) (0 figures compared; recalculated by: none)",
        "text.xlsm: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found a file of no kind "
        "xlpy knows (no zip package, as an .xlsx or .xlsm is, nor an .xls or an .ods) [structure]",
        "text.xlsm: 1 finding(s) (0 figures compared; recalculated by: none)"]


def test_symbolic_link_stays_a_link(book, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("desk")
    link = elsewhere / "shortcut.xlsm"
    link.symlink_to(book)
    before = book.read_bytes()
    assert refresh([str(link), "--tally", str(new_tally(book.parent))]) == 0
    assert link.is_symlink() and link.resolve() == book.resolve()
    assert book.read_bytes() != before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["shortcut.xlsm"]  # nothing written beside the link
    kept = backups.backups_of(book)
    assert len(kept) == 1 and kept[0].read_bytes() == before
    assert not list(book.parent.glob(".~xlpy*"))


def test_on_windows_the_backups_of_a_workbook_are_found_whatever_the_case_it_was_named_in(tmp_path, monkeypatch):
    """Review 74: Windows names files in any letter case, so `refresh OFFER.xlsm --keep 2` of Offer.xlsm is the one
    workbook, but its backups named Offer.* were not counted, nor pruned.  Elsewhere a name in another case is
    another workbook, whose backups are its own."""
    for name in ("Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm", "offer.20040226-000000.bak.xlsm",
                 "Offer.xlsm", "Offerings.20040227-000000.bak.xlsm"):
        (tmp_path / name).write_bytes(name.encode())  # (versions of their own: copies of one are counted as one)
    assert [p.name for p in backups.backups_of(tmp_path / "OFFER.xlsm")] == ["OFFER.20040225-000000.bak.xlsm"]
    monkeypatch.setattr(locks, "WINDOWS_NAMES", True)
    assert [p.name for p in backups.backups_of(tmp_path / "OFFER.xlsm")] == [
        "Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm", "offer.20040226-000000.bak.xlsm"]
    assert [p.name for p in backups.prune_backups(tmp_path / "OFFER.xlsm", 1)] == [
        "Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Offer.xlsm", "Offerings.20040227-000000.bak.xlsm", "offer.20040226-000000.bak.xlsm"]


def test_in_a_folder_that_names_files_in_any_case_the_backups_are_found_in_any_case(tmp_path, monkeypatch):
    """Review 75: a Mac's folders name files in any letter case (by default), as Windows does: `OFFER.xlsm` typed
    there is Offer.xlsm, whose backups are its own.  A folder is taken so when the workbook is there under its name
    in the other case (the one file); a folder that tells cases apart keeps them apart, as above."""
    for name in ("Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm", "Offer.xlsm"):
        (tmp_path / name).write_bytes(b"x")
    real = os.path.samefile

    def any_case(a, b):  # (this folder as a Mac's: a name in another case is the same file, if one is there)
        there = any(p.name.lower() == Path(a).name.lower() for p in Path(a).parent.iterdir())
        if not (there and str(a).lower() == str(b).lower()):
            return real(a, b)
        return True

    monkeypatch.setattr(locks, "WINDOWS_NAMES", False)
    monkeypatch.setattr(os.path, "samefile", any_case)
    assert [p.name for p in backups.backups_of(tmp_path / "OFFER.xlsm")] == [
        "Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm"]
    monkeypatch.setattr(os.path, "samefile", real)  # a folder that tells cases apart: only the name's own
    assert [p.name for p in backups.backups_of(tmp_path / "OFFER.xlsm")] == ["OFFER.20040225-000000.bak.xlsm"]


def test_backups_keep_permissions_and_keep_prunes(book):
    folder = book.parent
    book.chmod(0o640)
    for extra in (1, 2, 3):
        assert refresh([str(book), "--keep", "2", "--tally", str(new_tally(folder, extra))]) == 0
    kept = backups.backups_of(book)
    assert [b.name for b in kept] == ["book.20040224-000000-2.bak.xlsm", "book.20040224-000000-3.bak.xlsm"]
    assert all(stat.S_IMODE(b.stat().st_mode) == 0o640 for b in kept)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640
    assert refresh([str(book), "--tally", str(new_tally(folder, 4))]) == 0  # default: keep all
    assert len(backups.backups_of(book)) == 3


# --- nothing lost on a crash ---------------------------------------------------------------------


class Killed(BaseException):
    """Stands for the process being killed at that point (not an Exception: nothing may catch it)."""


def _kill(*args, **kwargs):
    raise Killed


def _whole(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return zf.testzip() is None


@pytest.mark.parametrize("stage", ["reading", "writing the temporary file", "writing the backup", "replacing"])
def test_killed_at_each_stage(book, monkeypatch, stage):
    folder = book.parent
    tally = new_tally(folder)
    before = book.read_bytes()
    if stage == "reading":
        monkeypatch.setattr(package, "read_part", _kill)
    elif stage == "writing the temporary file":
        monkeypatch.setattr(locks.os, "fsync", _kill)
    elif stage == "writing the backup":
        monkeypatch.setattr(backups.shutil, "copy2", _kill)
    else:
        real = os.replace

        def replace(src, dst):
            if Path(dst) == book:
                raise Killed
            return real(src, dst)

        monkeypatch.setattr(locks.os, "replace", replace)
    with pytest.raises(Killed):
        refresh([str(book), "--tally", str(tally)])
    monkeypatch.undo()
    assert book.read_bytes() == before and _whole(book)
    assert not list(folder.glob(".~xlpy*")), list(folder.glob(".~xlpy*"))
    assert not backups.backups_of(book)
    assert refresh([str(book), "--tally", str(tally)]) == 0 and _whole(book)


@pytest.mark.parametrize("stage", ["temporary", "backup", "replace"])
def test_real_kill_leaves_a_whole_workbook_and_the_next_run_cleans_up(book, stage):
    """SIGKILL in a subprocess: no clean-up code runs; the original stays whole, the next run tidies."""
    folder = book.parent
    tally = new_tally(folder)
    before = book.read_bytes()
    script = textwrap.dedent(f"""
        import os, signal, sys
        from xlpy.workbook import backups, locks
        from xlpy.cli import main
        real_replace, real_copy = os.replace, backups.shutil.copy2
        stage = {stage!r}
        def die(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        if stage == "temporary":
            locks.os.fsync = die
        elif stage == "backup":
            def copy(src, dst):
                with open(dst, "wb") as fh:
                    fh.write(b"PK half a backup")
                die()
            backups.shutil.copy2 = copy
        else:
            def replace(src, dst):
                if str(dst).endswith("book.xlsm") and ".bak." not in str(dst):
                    die()
                return real_replace(src, dst)
            locks.os.replace = replace
        sys.exit(main(["refresh", "book.xlsm", "--tally", {tally.name!r}]))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", script], cwd=folder, env=env, capture_output=True, timeout=120, check=False)
    assert r.returncode == -signal.SIGKILL, r.stderr
    assert book.read_bytes() == before and _whole(book)
    assert list(folder.glob(".~xlpy-partial.book.xlsm.*.tmp")), "the kill left its temporary file"
    assert refresh([str(book), "--tally", str(tally)]) == 0 and _whole(book)
    assert not list(folder.glob(".~xlpy*")), list(folder.glob(".~xlpy*"))
    if stage == "replace":  # the killed run's backup is the copy kept by the next run (it wrote a second one)
        assert len(backups.backups_of(book)) == 1 and backups.backups_of(book)[0].read_bytes() == before


@pytest.mark.libreoffice
def test_a_libreoffice_save_has_no_unknown_parts(book, tmp_path_factory):
    from xlpy.workbook import libreoffice

    out = tmp_path_factory.mktemp("saved")
    r = subprocess.run([libreoffice.find_soffice(), "--headless", f"-env:UserInstallation=file://{out}/profile",
                        "--convert-to", "xlsm:Calc MS Excel 2007 VBA XML", "--outdir", str(out), str(book)],
                       capture_output=True, timeout=180, check=False)
    saved = out / book.name
    assert saved.is_file(), r.stderr
    with zipfile.ZipFile(saved) as zf:
        assert parts.unknown_parts(zf) == []


def test_nothing_to_refresh_says_what_it_read(standard_books, tmp_path, capsys):
    """A counts workbook records no tally or price file: "nothing to refresh" does not claim files it did not read."""
    book = tmp_path / standard_books["seed"].name
    shutil.copy(standard_books["seed"], book)
    assert main(["refresh", str(book)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (f"{book.name}: nothing to refresh: no tally or price file is given or recorded on the Cover; "
                     "the workbook was not changed")
