"""A cell that names a shared string the workbook does not hold (``<c t="s"><v>99999</v></c>`` past the strings
of ``xl/sharedStrings.xml``, or ``-1``): only a damaged part does, and each reader refuses it by name (the
workbook, the index, the part, what to do), as ``xlpy validate``, ``refresh`` and ``compute`` say it, rather than
"list index out of range" or, below 0, a string counted from the end read without a word."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from excel_style import excel_style_copy

from xlpy.cli import main
from xlpy.workbook import fastload
from xlpy.workbook.openpyxl_access import SharedStrings, load_workbook
from xlpy.workbook.package import PackageError

pytestmark = pytest.mark.usefixtures("fresh_limits")

def test_shared_strings_refuse_an_index_they_do_not_hold():
    strings = SharedStrings(["a", "b"], "book.xlsm", "xl/sharedStrings.xml")
    assert (strings[0], strings[1], strings[:1]) == ("a", "b", ["a"])
    import numpy as np

    for i in (2, 99999, -1, np.int64(-1)):
        with pytest.raises(PackageError) as caught:
            strings[i]
        assert caught.value.where == "book.xlsm"
        where = "below 0 (the 2 strings of part xl/sharedStrings.xml are counted from 0)" if i < 0 else \
            "past the 2 strings of part xl/sharedStrings.xml (counted from 0)"  # (review 161: -1 is not past them)
        assert caught.value.reason.startswith(f"a cell names shared string {i}, {where}: the workbook is damaged")
    with pytest.raises(PackageError, match="string 0, and the workbook has no shared strings part"):
        SharedStrings([], "book.xlsm", None)[0]


def _named(book: Path, index: str) -> None:
    """Make the first shared-string cell of the package's first sheet that has one name string *index*."""
    with zipfile.ZipFile(book) as zf:
        parts = {i: zf.read(i.filename) for i in zf.infolist()}
    info = next(i for i in sorted(parts, key=lambda i: i.filename)
                if i.filename.startswith("xl/worksheets/sheet") and b't="s"' in parts[i])
    text = parts[info].decode()
    cell = re.search(r'<c r="[A-Z]+\d+"[^>]*t="s"[^>]*><v>(\d+)</v>', text)
    parts[info] = (text[:cell.start(1)] + index + text[cell.end(1):]).encode()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts.items():
            zf.writestr(info, data)


@pytest.fixture
def book(standard_books, tmp_path) -> Path:
    """The holders workbook as Excel saves it (its text in shared strings), in this test's folder."""
    path = standard_books.copy_into("holders", tmp_path)
    return excel_style_copy(path, path)


def _count(book: Path) -> int:
    with zipfile.ZipFile(book) as zf:
        return zf.read("xl/sharedStrings.xml").count(b"<si>")


@pytest.mark.parametrize("index", ["99999", "-1"])
def test_each_loader_names_the_string_past_the_table(book, index, monkeypatch):
    _named(book, index)
    where = r"below 0 \(the" if index == "-1" else "past the"  # (review 161: -1 is not past them)
    with pytest.raises(PackageError, match=rf"^book\.xlsm: a cell names shared string {index}, {where} "):
        load_workbook(book)
    with pytest.raises(PackageError, match=rf"string {index}, {where} {_count(book):,} strings"):
        fastload.load(book)  # (openpyxl's reader: the table is under fastload's rows)
    monkeypatch.setattr(fastload, "MIN_ROWS", 10)
    with pytest.raises(PackageError, match=rf"^book\.xlsm: a cell names shared string {index}, {where} "):
        fastload._load(book)  # (xlpy's own reader of the table's rows, the rest by openpyxl's)
    wb = load_workbook(book, read_only=True)  # (read-only: each row read as it is asked for)
    with pytest.raises(PackageError, match=rf"shared string {index}, {where}"):
        [list(ws.values) for ws in wb.worksheets]


def test_validate_refresh_and_compute_refuse_it_by_name(book, capsys, monkeypatch):
    monkeypatch.chdir(book.parent)  # (each names the file as it was given)
    _named(book, "99999")
    before = book.read_bytes()
    reason = (rf"a cell names shared string 99999, past the {_count(book):,} strings of part xl/sharedStrings\.xml "
              r"\(counted from 0\): the workbook is damaged; open it in Excel, let Excel repair it, and save it; ")
    said = rf"book\.xlsm: {reason}"
    assert main(["validate", book.name, "--no-libreoffice"]) == 1
    assert re.search(rf"^book\.xlsm: file: {reason}nothing else of it was read", capsys.readouterr().out, re.M)
    assert main(["refresh", book.name]) == 2
    err = capsys.readouterr().err
    assert re.search(rf"^xlpy refresh: {said}it was not changed$", err, re.M), err
    assert "Traceback" not in err and book.read_bytes() == before
    assert main(["compute", book.name]) == 2
    assert re.search(rf"^xlpy compute: {said}nothing was computed$", capsys.readouterr().err, re.M)
