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


class MacApi:
    """An appscript reference to the workbook, as xlwings gives it on a Mac: each property a reference read with
    ``get()``, no COM names."""

    def __init__(self, date1904: bool):
        self.date_1904 = type("Reference", (), {"get": staticmethod(lambda: date1904)})()


def _windows(date1904: bool):
    from fake_excel import FakeApi

    return FakeApi(Date1904=date1904)


#: Each kind of book a button's macro may be handed, as xlwings makes it: (its api, whether the file is read).
PLATFORMS = {
    "windows": lambda date1904: _windows(date1904),  # the COM Workbook: Date1904
    "mac": MacApi,  # an appscript reference: date_1904.get()
    "server": lambda date1904: {"book": {"name": "book.xlsm", "active_sheet_index": 0}, "sheets": []},  # no setting
}


def _live(path: Path, platform: str, date1904: bool, monkeypatch):
    """A live book of the workbook saved at *path* (tests/fake_excel.py), which Excel holds set to the 1904
    date system or not (*date1904*), as *platform* says it; the button's caller."""
    import xlwings
    from fake_excel import FakeBook

    fake = FakeBook(path)
    fake.name = path.name
    fake.api = PLATFORMS[platform](date1904)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    return fake


BUTTONS = [("xlpy_refresh_all", "xlpy: refresh refused"), ("xlpy_refresh_tenders", "xlpy: refresh refused"),
           ("xlpy_refresh_prices", "xlpy: refresh refused"), ("xlpy_draft_release", "xlpy: refused")]


def _refused_by_every_button(fake, name: str) -> None:
    from xlpy import macros

    names = {n: v.refers_to for n, v in fake.names.items()}
    for button, title in BUTTONS:
        fake.app.alerts.clear()
        getattr(macros, button)()
        assert fake.app.alerts == [(title, f"Nothing was changed:\n{name}: date system: {date_system.REASON}")], \
            (button, fake.app.alerts)
        assert not any(s.writes for s in fake.sheets), button
        assert {n: v.refers_to for n, v in fake.names.items()} == names, button


@pytest.mark.parametrize("platform", ["windows", "mac"])
def test_a_button_refuses_a_book_excel_holds_in_1904_and_writes_nothing(standard_books, tmp_path, monkeypatch,
                                                                        platform):
    """The buttons did not look at the setting: a refresh of a switched workbook wrote its tally and prices and
    computed the window from dates four years off. Excel's own setting of the open workbook is read (ticked since it
    was saved too: the file here is of the 1900 system) and each button refuses it with the command line's line."""
    book = standard_books.copy_into("holders", tmp_path)
    fake = _live(book, platform, True, monkeypatch)
    _refused_by_every_button(fake, book.name)


@pytest.mark.parametrize("platform", ["windows", "mac"])
def test_a_button_goes_on_in_a_book_excel_holds_in_1900(books, standard_books, tmp_path, monkeypatch, platform):
    """A book Excel holds in the 1900 system is refreshed as before, even where the file saved is not (unticked
    since it was saved): Excel's setting is the one the button's dates are read and written by."""
    from xlpy import macros

    book = standard_books.copy_into("holders", tmp_path)
    switched = _copied(books["holders-switched"], tmp_path / "switched")
    for saved in (book, switched):
        fake = _live(book, platform, False, monkeypatch)
        fake.fullname = str(saved)
        macros.xlpy_refresh_tenders()
        title, text = fake.app.alerts[-1]
        assert title == "xlpy" and "holder tally: hecla-2004-tally.csv (299 lines" in text, text
        macros.xlpy_draft_release()
        assert fake.app.alerts[-1][0] == "xlpy", fake.app.alerts[-1]


def _folder(folder: Path) -> Path:
    folder.mkdir()
    return folder


def _copied(book: Path, folder: Path) -> Path:
    folder.mkdir()
    for f in book.parent.iterdir():
        shutil.copy(f, folder / f.name)
    return folder / book.name


def test_a_button_where_excel_does_not_say_reads_the_file_saved(books, standard_books, tmp_path, monkeypatch):
    """xlwings Server's book (its api a dict of the workbook's data) does not hold the setting: the file saved on
    this computer is read, where there is one; with none (a book named, no folder), it is not looked at."""
    from xlpy import macros

    book = _copied(books["holders-switched"], tmp_path / "switched")
    _refused_by_every_button(_live(book, "server", False, monkeypatch), book.name)
    fake = _live(standard_books.copy_into("holders", _folder(tmp_path / "saved")), "server", False, monkeypatch)
    macros.xlpy_draft_release()
    assert fake.app.alerts[-1][0] == "xlpy", fake.app.alerts[-1]
    fake = _live(standard_books.copy_into("holders", _folder(tmp_path / "named")), "server", False, monkeypatch)
    fake.fullname = book.name  # (xlwings Server's: the name alone, never read as a file here, where one is)
    monkeypatch.chdir(book.parent)
    macros.xlpy_draft_release()
    assert fake.app.alerts[-1][0] == "xlpy", fake.app.alerts[-1]


def test_a_book_xlwings_cannot_name_is_refused_as_the_workbook(standard_books, tmp_path, monkeypatch):
    """Where xlwings gives the book no name, the dialog names it "the workbook", not an empty word."""
    import xlwings
    from fake_excel import FakeBook

    from xlpy import macros

    fake = FakeBook(standard_books.copy_into("holders", tmp_path))
    fake.api = _windows(True)
    assert not hasattr(fake, "name")  # (xlwings' Book.name raising: the same to the button)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_draft_release()
    said = f"Nothing was changed:\nthe workbook: date system: {date_system.REASON}"
    assert fake.app.alerts == [("xlpy: refused", said)]
