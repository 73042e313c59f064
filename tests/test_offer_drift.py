"""An offer file edited after the build: the refresh reads the tally and prices, not the offer file, and says so
when the offer file beside the workbook gives inputs the workbook does not hold (xlpy.workbook.offer_drift)."""

from __future__ import annotations

import shutil

import pytest
from repo_paths import DATA, FORMULA

from xlpy import cli
from xlpy.workbook.backends import PackageBook

EXCHANGE = "\n[[exchange]]\ndate = 2004-03-15\nunits = 1000\nratio = 7.5\nprice = 7.80\n"
TODO = ("a refresh reads the tally and the price history, not the offer file: type the change into the workbook "
        "where it has a cell for it (Inputs, Tenders), or build a new workbook from the offer file (xlpy build "
        "offer.toml -o NEW.xlsm; a workbook built without later exchanges has no rows for them)")
HEAD = "book.xlsm: warning: the offer file offer.toml beside the workbook has changed since the workbook was built"


@pytest.fixture
def folder(tmp_path, monkeypatch, capsys):
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    capsys.readouterr()
    return tmp_path


def refresh(capsys) -> list[str]:
    assert cli.main(["refresh", "book.xlsm", "--no-backup"]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if "warning" in line]


def final_count(text: str) -> str:
    return text.replace('file = "data/hecla-2004-tally.csv"', 'file = "data/hecla-2004-tally.csv"\nfinal = true')


def test_an_offer_file_as_built_says_nothing(folder, capsys):
    assert refresh(capsys) == []


def test_an_exchange_and_the_final_count_added_to_the_offer_file_are_named(folder, capsys):
    offer = folder / "offer.toml"
    offer.write_text(final_count(offer.read_text(encoding="utf-8")) + EXCHANGE, encoding="utf-8")
    assert refresh(capsys) == [
        f"{HEAD}, and gives inputs the workbook does not hold: FinalCount (Tenders!C8: file TRUE, workbook FALSE); "
        f"the later exchanges (file 1, workbook 0); {TODO}"]


def test_a_change_the_workbook_already_holds_is_no_difference(folder, capsys):
    """The final count typed into the workbook as the offer file now says: no warning, though the file changed."""
    offer = folder / "offer.toml"
    offer.write_text("# final count from the agent's letter\n" + final_count(offer.read_text(encoding="utf-8")),
                     encoding="utf-8")
    with PackageBook(folder / "book.xlsm") as book:
        book.set("Tenders", "C8", True)
        book.save()
    assert refresh(capsys) == []


def test_an_offer_file_that_no_longer_reads_is_named(folder, capsys):
    (folder / "offer.toml").write_text("schema = 1\n[offer\n", encoding="utf-8")
    (line,) = refresh(capsys)
    assert line.startswith(f"{HEAD} and cannot be read (offer.toml: is not valid TOML: ")
    assert line.endswith(f"); {TODO}")


def test_an_offer_file_elsewhere_is_not_looked_for(folder, capsys):
    offer = folder / "offer.toml"
    offer.write_text(offer.read_text(encoding="utf-8") + EXCHANGE, encoding="utf-8")
    (folder / "elsewhere").mkdir()
    offer.rename(folder / "elsewhere" / "offer.toml")
    assert refresh(capsys) == []


def test_any_book_is_read_alike(folder):
    """The refresh buttons ask a live Excel book the same questions (name, cells, folder): an openpyxl book
    stands in for it here, with the workbook's own offer read back as the refresh reads it."""
    from xlpy.workbook import data as bookdata
    from xlpy.workbook.backends import OpenpyxlBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.offer_drift import offer_file_drift

    offer = folder / "offer.toml"
    offer.write_text(final_count(offer.read_text(encoding="utf-8")), encoding="utf-8")
    with OpenpyxlBook(folder / "book.xlsm") as book:
        lay = layout(Shape.decode(book.name(LAYOUT_NAME)))
        held = bookdata.read_offer(book.get, lay, get_rows=book.get_rows)
        assert offer_file_drift(book, held) == (
            f"{HEAD.split('warning: ', 1)[1]}, and gives inputs the workbook does not hold: FinalCount "
            f"(Tenders!C8: file TRUE, workbook FALSE); {TODO}")
        assert offer_file_drift(book, None) is None
