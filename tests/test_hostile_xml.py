"""Workbook packages whose parts are named twice (found by QA): ``refresh`` refuses each in one line naming the
part (exit 2, nothing written), ``validate`` refuses that workbook alone and validates the others."""

from __future__ import annotations

import csv
import hashlib
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

from xlpy.cli import main
from xlpy.engine.errors import InputError
from xlpy.files import safety

SHEET = "xl/worksheets/sheet2.xml"
DTD = "declares a DTD (entities), which a workbook does not hold"
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.fixture(autouse=True)
def _fresh_limits():
    safety.reset()
    yield
    safety.reset()


@pytest.fixture
def seed(standard_books, tmp_path) -> Path:
    """A copy of the seed workbook in this test's folder."""
    return Path(shutil.copy(standard_books["seed"], tmp_path / "book.xlsm"))


def variant(book: Path, out: Path, part: str, change, extra: tuple[str, bytes] | None = None) -> Path:
    """*book* rewritten with *part*'s bytes changed by *change* (and *extra*, a part appended)."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for i in src.infolist():
            data = src.read(i.filename)
            o.writestr(i.filename, change(data) if i.filename == part else data)
        if extra is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ("Duplicate name")
                o.writestr(*extra)
    return out


def with_dtd(decl: bytes, use: bytes = b""):
    """A change putting the DOCTYPE *decl* after the XML declaration, and *use* at the start of the first text."""
    def change(data: bytes) -> bytes:
        at = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        data = data[:at] + decl + data[at:]
        if use:
            text = data.index(b"<", data.index(b"<", at + len(decl)) + 1)  # (after the root element's tag)
            close = data.index(b">", text) + 1
            data = data[:close] + use + data[close:]
        return data
    return change


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(capsys, book: Path, *args: str) -> str:
    before = sorted(p.name for p in book.parent.iterdir()), _sha(book)
    assert main(["refresh", str(book), *args]) == 2
    assert (sorted(p.name for p in book.parent.iterdir()), _sha(book)) == before  # nothing written, no backup
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    return err[0]


def _twice(seed: Path) -> Path:
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(seed) as zf:
        other = zf.read(part).replace(b"<sheetData>", b"<sheetData><row r=\"1\"/>", 1)
    return variant(seed, seed.parent / "twice.xlsm", "", bytes, extra=(part, other))


def test_a_part_named_twice_is_refused_by_refresh_validate_and_the_tally_reader(seed, capsys):
    """Python's zipfile reads the last copy of a part named twice, other readers the first: accepted silently."""
    bad = _twice(seed)
    said = ("part xl/worksheets/sheet1.xml: is in the package twice, which a package does not hold (readers differ "
            "on which copy they read); refused before unpacking")
    assert _refused(capsys, bad) == f"xlpy refresh: {bad.name}: {said}"
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"xlpy validate: twice.xlsm: {said}"]
    assert captured.out.splitlines()[-1].startswith("book.xlsm: valid (")
    with pytest.raises(InputError, match="is in the package twice"):  # (the check the XLSX tally reader makes)
        safety.check_package(bad.read_bytes(), "tally.xlsx")
    with zipfile.ZipFile(bad.parent / "case.xlsx", "w") as zf:  # part names compare without case
        zf.writestr("xl/Workbook.xml", b"<a/>")
        zf.writestr("xl/workbook.xml", b"<a/>")
    with pytest.raises(InputError, match="part xl/workbook.xml: is in the package twice"):
        safety.check_package(bad.parent / "case.xlsx", "case.xlsx")


def test_an_xlsx_tally_naming_a_part_twice_is_refused(tmp_path, capsys, monkeypatch):
    """The tally reader took the last copy of the sheet, Excel the first: the figures from a sheet nobody sees."""
    from openpyxl import Workbook
    from repo_paths import DATA, FORMULA, PRICES, TALLY

    wb = Workbook()
    for row in csv.reader((DATA / TALLY).open(encoding="utf-8")):
        wb.active.append([int(v) if v.isdigit() else v for v in row])
    wb.save(tmp_path / "one.xlsx")
    with zipfile.ZipFile(tmp_path / "one.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").replace(b"<v>", b"<v>9", 1)  # (one holder's units)
    variant(tmp_path / "one.xlsx", tmp_path / "tally.xlsx", "", bytes, extra=("xl/worksheets/sheet1.xml", sheet))
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    text = FORMULA.read_text(encoding="utf-8")
    start = text.index("[tally]")
    text = text[:start] + '[tally]\nfile = "tally.xlsx"\n' + text[text.index("\n[", start + 1):]
    (tmp_path / "offer.toml").write_text(text.replace("data/" + PRICES, PRICES), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["compute", "offer.toml"]) == 2
    err = capsys.readouterr().err
    assert "tally.xlsx: part xl/worksheets/sheet1.xml: is in the package twice" in err, err
