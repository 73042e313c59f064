"""Refusals and messages of the command line found by QA: a damaged workbook not rendered, ``vba -o`` never
replacing a file unasked, each of several workbooks validated on its own, ``refresh``'s warnings on standard
error, and values shown as typed."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from repo_paths import SEED

from xlpy.cli import main
from xlpy.files import safety

SHEET5 = "xl/worksheets/sheet5.xml"


@pytest.fixture(autouse=True)
def _fresh_limits():
    safety.reset()
    yield
    safety.reset()


@pytest.fixture
def seed(standard_books, tmp_path) -> Path:
    """A copy of the seed workbook in this test's folder."""
    return Path(shutil.copy(standard_books["seed"], tmp_path / "book.xlsm"))


def damage(book: Path, out: Path, how: str) -> Path:
    """*book* with *SHEET5*'s packed data damaged: two bytes flipped in its middle (its CRC-32 then fails), or
    its first byte made a reserved deflate block type (it does not inflate)."""
    data = bytearray(book.read_bytes())
    info = zipfile.ZipFile(book).getinfo(SHEET5)
    n, m = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + n + m
    if how == "crc":
        at = start + info.compress_size // 2
        data[at] ^= 0xFF
        data[at + 1] ^= 0xFF
    else:
        data[start] = 0xFF  # BTYPE 11: "invalid block type"
    out.write_bytes(bytes(data))
    return out


# --- render -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how, why", [("crc", f"Bad CRC-32 for file '{SHEET5}'"),
                                      ("inflate", "Error -3 while decompressing data: invalid block type")])
def test_render_refuses_a_damaged_workbook_as_refresh_does(seed, capsys, monkeypatch, how, why):
    from xlpy.workbook import libreoffice

    bad = damage(seed, seed.parent / "crc.xlsm", how)
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(libreoffice, "render", lambda *a, **k: pytest.fail("LibreOffice was run"))
    pages = seed.parent / "pages"
    assert main(["render", str(bad), "-o", str(pages)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy render: {bad}: is damaged ({why}); nothing was rendered"]
    assert not pages.exists()
    pages.mkdir()
    (pages / "crc.pdf").write_bytes(b"earlier")
    assert main(["render", str(bad), "-o", str(pages)]) == 2
    assert [p.name for p in pages.iterdir()] == ["crc.pdf"] and (pages / "crc.pdf").read_bytes() == b"earlier"
    assert main(["refresh", str(bad)]) == 2  # the same check, the same words
    assert capsys.readouterr().err.splitlines()[-1] == f"xlpy refresh: {bad}: is damaged ({why}); it was not changed"
