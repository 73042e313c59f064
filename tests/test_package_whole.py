"""Workbook packages damaged part by part (review 63): a sheet whose XML is cut short or spelled otherwise, a part
the package's relationships name missing, an XML part carried forward that is not well-formed.  ``refresh`` refuses
each in one line naming the part (exit 2, nothing written), ``validate`` names it and validates the other workbooks,
``render`` refuses it; XML spelled otherwise than Excel spells it is read as what it is."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from xlpy.cli import main
from xlpy.files import safety
from xlpy.workbook.package import Package

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)

DONE = "it was not changed"


def variant(book: Path, out: Path, part: str, change) -> Path:
    """*book* rewritten with *part*'s bytes changed by *change* (None: the part left out)."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for i in src.infolist():
            if i.filename != part:
                o.writestr(i.filename, src.read(i.filename))
            elif change is not None:
                o.writestr(i.filename, change(src.read(i.filename)))
    return out


def part_of(book: Path, sheet: str) -> str:
    pkg = Package(book)
    try:
        return pkg.sheet_parts()[sheet]
    finally:
        pkg.close()


def half(data: bytes) -> bytes:
    return data[:len(data) // 2]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(capsys, book: Path, *args: str) -> str:
    before = sorted(p.name for p in book.parent.iterdir()), _sha(book)
    assert main(["refresh", str(book), *args]) == 2
    assert (sorted(p.name for p in book.parent.iterdir()), _sha(book)) == before  # nothing written, no backup
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    return err[0]


def _sources_changed(folder: Path) -> None:
    """The tally and price history beside a holder workbook changed a little, so a refresh writes every table."""
    from repo_paths import PRICES, TALLY

    for name, old, new in ((TALLY, b",250,certificate,withdrawn", b",260,certificate,withdrawn"),
                           (PRICES, b",2517000", b",2517001")):
        data = (folder / name).read_bytes()
        assert old in data, name
        (folder / name).write_bytes(data.replace(old, new))


@pytest.fixture
def holders(standard_books, tmp_path) -> Path:
    """A copy of the holder workbook (a tally and a price history, recorded on its Cover) with its files beside it."""
    built = standard_books["holders"]
    for f in built.parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / built.name


@pytest.mark.parametrize("sheet", ["Tenders", "Prices", "History", "Cover"])
def test_a_sheet_cut_short_is_refused_by_name_whichever_sheet(holders, capsys, sheet):
    """Review 63: Tenders, Prices or History cut in half ended in "ValueError: substring not found" from SheetXml,
    exit 1; Cover was refused."""
    part = part_of(holders, sheet)
    with zipfile.ZipFile(holders) as zf:
        cut = half(zf.read(part))
    bad = variant(holders, holders.with_name("bad.xlsm"), part, lambda _: cut)
    assert _refused(capsys, bad) == f"xlpy refresh: {bad}: part {part}: {safety.xml_fault(cut)}; {DONE}"
    assert safety.xml_fault(cut).startswith("is not well-formed XML (")


@pytest.mark.parametrize("sheet", ["Tenders", "Prices", "History"])
@pytest.mark.parametrize("old, new", [(b"</sheetData>", b"</sheetData >"), (b"</sheetData>", b"</sheetData\r\n\t>"),
                                      (b"<sheetData>", b"<sheetData >")])
def test_sheet_data_tags_spelled_with_white_space_are_read(holders, capsys, sheet, old, new):
    """Review 63: '</sheetData >' (well-formed XML) made the refresh end in a traceback; it is read as what it is,
    and written back as Excel writes it."""
    part = part_of(holders, sheet)
    bad = variant(holders, holders.with_name("spaced.xlsm"), part, lambda d: d.replace(old, new))
    _sources_changed(holders.parent)
    assert main(["refresh", str(bad), "--no-backup"]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(bad) as zf:
        text = zf.read(part)
    assert safety.xml_fault(text) is None
    assert text.count(b"</sheetData>") == 1 and b"</sheetData " not in text
    capsys.readouterr()
    assert main(["validate", str(bad), "--no-libreoffice", "--no-formulas"]) == 0, capsys.readouterr().out


def test_sheet_data_of_another_prefix_is_refused_by_name(holders, capsys):
    """Well-formed XML the refresh does not edit (the rows in an element of another prefix than the worksheet's) is
    refused naming the part, not a traceback."""
    part = part_of(holders, "Tenders")

    def prefixed(data: bytes) -> bytes:
        data = data.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
                            b'2006/main" ', 1)
        return data.replace(b"<sheetData>", b"<x:sheetData>").replace(b"</sheetData>", b"</x:sheetData>")

    bad = variant(holders, holders.with_name("bad.xlsm"), part, prefixed)
    assert _refused(capsys, bad) == (f"xlpy refresh: bad.xlsm: part {part}: has no <sheetData> element (its rows), "
                                     "as its <worksheet> element is spelled; open and save it in Excel first; "
                                     f"{DONE}")
