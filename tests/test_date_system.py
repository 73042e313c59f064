"""A standard workbook set to the 1904 date system is named as such wherever it is read: ``validate`` gives one
structure finding, ``refresh`` refuses it (nothing written), ``compute``, ``release`` and ``entries`` on it refuse it.

The defect it mends (review 84): ticking "Use 1904 date system" on a built workbook (``date1904="1"`` on the
workbook part's ``workbookPr``) was never named: ``xlpy entries`` dated the journal entry 2008-02-21 (the offer
expires 2004-02-20) with exit 0, ``validate`` gave 21 findings mixing the two systems, a formula ratio's were blamed
on the calendar, and a workbook converted properly (openpyxl's ``epoch``) was refreshed with no complaint, then
called doctored.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from xlpy import cli
from xlpy.workbook import date_system


def run(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def switched(book: Path, to: Path) -> Path:
    """*book* with "Use 1904 date system" ticked, as Excel saves it: the flag set, every serial kept."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(to, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data, n = re.subn(rb"<workbookPr\b", b'<workbookPr date1904="1"', data, count=1)
                assert n == 1
            dst.writestr(info, data)
    return to


def converted(book: Path, to: Path) -> Path:
    """*book* converted to the 1904 date system by openpyxl, each date kept (its serial rewritten)."""
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(to)
    return to


@pytest.fixture(scope="module")
def books(standard_books, tmp_path_factory) -> dict[str, Path]:
    """The seed workbook switched and converted, the holder workbook (a formula ratio) switched, each in a folder of
    its own with the files its Cover records."""
    out = {}
    for name, kind, make in (("seed-switched", "seed", switched), ("seed-converted", "seed", converted),
                             ("holders-switched", "holders", switched)):
        folder = tmp_path_factory.mktemp(name)
        copy = standard_books.copy_into(kind, folder)
        out[name] = make(copy, copy.with_name(f"{name}.xlsm"))
        copy.unlink()
    return out


def _one_line_naming_it(err: str, command: str, book: Path, done: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"xlpy {command}: {book}: date system: the workbook uses the 1904 date system "
                               '(Excel: File > Options > Advanced, "Use 1904 date system"'), err
    assert "untick the setting" in lines[0] and "rebuild it with xlpy build" in lines[0]
    assert lines[0].endswith(f"; {done}"), err


@pytest.mark.parametrize("name", ["seed-switched", "seed-converted", "holders-switched"])
@pytest.mark.parametrize("command", ["compute", "release", "entries"])
def test_compute_release_and_entries_refuse_it(books, capsys, name, command):
    status, out, err = run(capsys, command, books[name])
    assert (status, out) == (2, "")
    _one_line_naming_it(err, command, books[name], "nothing was computed")
    assert "2008" not in err and "trading day" not in err


@pytest.mark.parametrize("name", ["seed-switched", "seed-converted", "holders-switched"])
def test_validate_gives_one_finding_naming_it(books, capsys, name):
    status, out, err = run(capsys, "validate", books[name], "--json")
    assert status == 1, err
    report, = json.loads(out)
    assert [(f["where"], f["leg"], f["expected"], f["found"]) for f in report["findings"]] == [
        ("date system", "structure", "the 1900 date system", "the 1904 date system")], report["findings"]
    assert report["findings"][0]["what"] == date_system.REASON
    assert "inputs and recalculation skipped: the workbook uses the 1904 date system" in report["notes"]
    assert not any("2008" in n or "typed" in n for n in report["notes"]), report["notes"]


def test_validate_says_it_in_its_line(books, capsys):
    book = books["holders-switched"]
    status, out, _ = run(capsys, "validate", book)
    assert status == 1
    assert out.splitlines()[0] == f"{book.name}: date system: {date_system.REASON}: expected the 1900 date system, " \
                                  "found the 1904 date system [structure]"
    assert "Calendar" not in out and "trading day" not in out


@pytest.mark.parametrize("name", ["seed-switched", "seed-converted", "holders-switched"])
def test_refresh_refuses_it_and_writes_nothing(books, tmp_path, capsys, name):
    for f in books[name].parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    book = tmp_path / books[name].name
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    status, out, err = run(capsys, "refresh", book)
    assert (status, out) == (2, "")
    _one_line_naming_it(err, "refresh", book, "it was not changed")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # (no backup, no lock left)


@pytest.mark.parametrize(("xml", "set_"), [
    ('<workbookPr date1904="1" codeName="ThisWorkbook"/>', True),
    ("<workbookPr codeName='x' date1904='true'/>", True),
    ('<x:workbookPr date1904 = " 1 "/>', True),
    ('<workbookPr date1904="0"/>', False),
    ('<workbookPr date1904="false"/>', False),
    ('<workbookPr codeName="date1904"/>', False),
    ('<workbookPr/><fileVersion date1904="1"/>', False),
    ('<workbookPr date1904=" 0 "/>', True),  # (review 86: as openpyxl reads it, so validate and refresh agree)
    ('<workbookPr date1904="False"/>', True),
])
def test_the_setting_is_read_as_openpyxl_reads_it(xml, set_):
    import re

    from openpyxl.workbook.properties import WorkbookProperties

    assert date_system.uses_1904_text(f"<workbook>{xml}</workbook>".encode()) is set_
    value = re.search(r"<(?:x:)?workbookPr[^>]*date1904 ?= ?([\"'])(.*?)\1", xml)
    if value:  # (openpyxl's own reading of the value, which validate and compute go by)
        assert bool(WorkbookProperties(date1904=value.group(2)).date1904) is set_


# --- render, and the buttons in Excel ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed-switched", "seed-converted", "holders-switched"])
def test_render_refuses_it_and_makes_nothing(books, tmp_path, capsys, name):
    """render printed a switched workbook without a word, its expiration 2008-02-21 on the Results page (the
    offer's is 2004-02-20), and nothing tells it from a converted one: each is refused as refresh refuses it, before
    LibreOffice is looked for."""
    out = tmp_path / "render"
    status, printed, err = run(capsys, "render", books[name], "-o", out)
    assert (status, printed) == (2, "")
    _one_line_naming_it(err, "render", books[name], "nothing was rendered")
    assert not out.exists()


def test_only_a_standard_workbook_of_1904_is_refused_by_its_file(books, standard_books, tmp_path):
    """Another workbook set to the 1904 date system is not xlpy's: Excel and LibreOffice read its dates by it."""
    other = openpyxl.Workbook()
    other.epoch = CALENDAR_MAC_1904
    other.active["A1"] = __import__("datetime").date(2004, 2, 20)
    other.save(tmp_path / "other.xlsx")
    assert date_system.saved_standard_1904(books["seed-switched"]) is True
    assert date_system.saved_standard_1904(books["seed-converted"]) is True
    assert date_system.saved_standard_1904(tmp_path / "other.xlsx") is False
    assert date_system.saved_standard_1904(standard_books["holders"]) is False
