"""A workbook one of whose parts is damaged (its data fail their CRC-32, or its directory misstates its size), a part
no reader reads among them (review 119 M1, M4): ``refresh`` refuses it, naming the part, where it copied the part's
bytes into the new workbook as they were and said "refreshed"; ``validate`` names the part, where it blamed the VBA
project; ``build --history-from`` names the option and the file, as its other refusals do."""

from __future__ import annotations

import hashlib
import struct
import zipfile
from pathlib import Path

import pytest
from hostile_books import book, new_tally  # noqa: F401  (the fixture)
from refusals import refused
from repo_paths import FORMULA

from xlpy.cli import main

pytestmark = pytest.mark.usefixtures("fresh_limits")


def _entries(data: bytes, part: str) -> tuple[int, int]:
    """(the central directory entry, the local header) of *part* in the package *data*, as offsets."""
    name = part.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n, m, k = struct.unpack("<HHH", data[at + 28:at + 34])
        if data[at + 46:at + 46 + n] == name:
            return at, struct.unpack("<I", data[at + 42:at + 46])[0]
        at += 46 + n + m + k
    raise AssertionError(f"{part} not in the package")


def bad_crc(src: Path, dst: Path, part: str) -> Path:
    """*src* whose directory and local header record a CRC-32 of *part* other than its data's (a bit flipped on a
    disk or in a transfer); its data are unchanged."""
    data = bytearray(src.read_bytes())
    central, local = _entries(data, part)
    crc = struct.unpack("<I", data[central + 16:central + 20])[0] ^ 0xFFFF
    data[central + 16:central + 20] = data[local + 14:local + 18] = struct.pack("<I", crc)
    dst.write_bytes(bytes(data))
    return dst


def understated(src: Path, dst: Path, part: str) -> Path:
    """*src* whose directory and local header say *part* unpacks to 10 bytes fewer than it does."""
    data = bytearray(src.read_bytes())
    central, local = _entries(data, part)
    size = struct.pack("<I", struct.unpack("<I", data[central + 24:central + 28])[0] - 10)
    data[central + 24:central + 28] = data[local + 22:local + 26] = size
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("part", ["docProps/app.xml", "xl/drawings/vmlDrawing1.vml"])
def test_a_refresh_refuses_a_workbook_with_a_damaged_part_it_would_copy(book, capsys, part):  # noqa: F811
    """docProps/app.xml failing its CRC-32: the refresh said "refreshed" and the new workbook failed ``testzip``."""
    bad = bad_crc(book, book.parent / "bad.xlsm", part)
    line = refused(capsys, bad, "--tally", str(new_tally(book.parent)))
    assert line == f"xlpy refresh: {bad}: is damaged (Bad CRC-32 for file '{part}'); it was not changed"


def test_a_refresh_with_nothing_to_write_names_a_damaged_part_too(book, capsys):  # noqa: F811
    """With nothing to write (the tally the Cover records unchanged), the damaged part no reader reads was never met:
    the refresh said "nothing to refresh", exit 0, where one with a new tally refuses the workbook for it."""
    bad = bad_crc(book, book.parent / "bad.xlsm", "docProps/app.xml")
    assert main(["refresh", str(book)]) == 0  # (the intact one)
    assert "nothing to refresh" in capsys.readouterr().out
    line = refused(capsys, bad)  # (its bytes as they were)
    assert line == f"xlpy refresh: {bad}: is damaged (Bad CRC-32 for file 'docProps/app.xml'); it was not changed"


def test_a_refresh_refuses_a_part_whose_size_the_directory_understates(book, capsys):  # noqa: F811
    """A directory that lies about a part nothing reads was copied forward with the part."""
    bad = understated(book, book.parent / "bad.xlsm", "docProps/app.xml")
    line = refused(capsys, bad, "--tally", str(new_tally(book.parent)))
    assert line == f"xlpy refresh: {bad}: is damaged (Bad CRC-32 for file 'docProps/app.xml'); it was not changed"


def test_a_refresh_of_a_whole_workbook_writes_one_that_passes_testzip(book, capsys):  # noqa: F811
    """(what the check holds the copied parts to: the refreshed workbook is whole, each part's CRC-32 as recorded)"""
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    assert main(["refresh", str(book), "--tally", str(new_tally(book.parent)), "-q"]) == 0
    assert hashlib.sha256(book.read_bytes()).hexdigest() != before
    with zipfile.ZipFile(book) as zf:
        assert zf.testzip() is None


def test_validate_names_the_damaged_part_not_the_vba_project(book, capsys):  # noqa: F811
    """It said ``VBA project: cannot be read: expected the template's modules, found Failed to open file ... is not a
    supported file type``: the VBA reader fails on the package, not on the project."""
    bad = bad_crc(book, book.parent / "bad.xlsm", "docProps/app.xml")
    assert main(["validate", str(bad), "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("bad.xlsm: file: is damaged (a refresh refuses it); nothing else of it was read: expected every "
                      "part intact, found a damaged part (Bad CRC-32 for file 'docProps/app.xml') [structure]"), out
    assert len(out) == 2 and "VBA" not in "\n".join(out), out


@pytest.mark.parametrize("part", ["xl/theme/theme1.xml", "xl/worksheets/sheet2.xml"])
def test_build_history_from_a_damaged_workbook_names_the_option_and_the_file(book, capsys, part):  # noqa: F811
    """It said ``xlpy build: a workbook or XLSX file is damaged: Bad CRC-32 for file 'xl/theme/theme1.xml'``,
    naming neither; every other refusal through the option is ``--history-from: FILE: ...``."""
    bad = bad_crc(book, book.parent / "old.xlsm", part)
    new = book.parent / "new.xlsm"
    assert main(["build", str(FORMULA), "-o", str(new), "--history-from", str(bad), "--no-validate"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"xlpy build: --history-from: {bad}: is damaged (Bad CRC-32 for file '{part}'); nothing was "
                   "written"], err
    assert not new.exists()


def rewritten(src: Path, dst: Path, part: str) -> Path:
    """*src* with a byte of *part* flipped and the part deflated again after its local header, its directory and
    local header keeping the old CRC-32 (a part spoilt on a disk): the package is whole, the part fails its CRC."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as out:
        for info in zin.infolist():
            body = bytearray(zin.read(info))
            if info.filename == part:
                body[len(body) // 2] ^= 1
            out.writestr(info, bytes(body), compress_type=info.compress_type)
    data = bytearray(dst.read_bytes())
    central, local = _entries(data, part)
    with zipfile.ZipFile(src) as zin:
        data[central + 16:central + 20] = data[local + 14:local + 18] = struct.pack("<I", zin.getinfo(part).CRC)
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("part", ["xl/vbaProject.bin", "xl/worksheets/sheet2.xml"])
def test_a_damaged_vba_project_is_said_as_any_part_by_refresh_validate_and_compute(book, capsys, part):  # noqa: F811
    """The VBA project's damage was ``part xl/vbaProject.bin is damaged (...)`` by refresh, and validate's finding
    of a damaged part no reader reads, while a sheet's was ``file: cannot be opened as a workbook: ...``; compute
    read the inputs past it, and said a sheet's ``cannot be opened as a workbook: Bad CRC-32 ...``."""
    bad = rewritten(book, book.parent / "bad.xlsm", part)
    with zipfile.ZipFile(bad) as zf:
        assert zf.testzip() == part
    crc = f"Bad CRC-32 for file '{part}'"
    assert refused(capsys, bad, "--tally", str(new_tally(book.parent))) == (
        f"xlpy refresh: {bad}: is damaged ({crc}); it was not changed")
    assert main(["validate", str(bad), "--no-libreoffice"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"bad.xlsm: file: is damaged (a refresh refuses it); nothing else of it was read: expected every part intact, "
        f"found a damaged part ({crc}) [structure]")
    assert main(["compute", str(bad)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: {bad}: is damaged ({crc}); nothing was computed"]
