"""Paths of tally, mapping and price files: how the Cover records them and how they are read back.

A source the workbook recorded is read back whatever its name (``.tsv``, no
suffix); folders are compared resolved, but a file's own name is kept (a
``latest.csv`` link is read again as the link); a source given absolute and
outside the workbook's folder stays absolute.  Offer files written on Windows
(``data\\t.csv``) are read anywhere.  ``build --force`` through a link writes
its target, and a workbook name too long for xlpy's files beside it is refused
up front.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from repo_paths import DATA, FORMULA, PRICES, TALLY, offer_text

from xlpy.cli import main
from xlpy.files import sources

EPOCH = "1077580800"  # 2004-02-24


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _link(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target)
    except (OSError, NotImplementedError):  # Windows without the privilege
        pytest.skip("symbolic links are not available here")


def _offer(path: Path, tally: str, prices: str) -> Path:
    """The formula example at *path*, naming *tally* and *prices* (as TOML basic strings: ``\\\\`` for ``\\``)."""
    text = offer_text(FORMULA).replace('"data/hecla-2004-tally.csv"', f'"{tally}"').replace(
        '"data/hecla-2004-prices-illustrative.csv"', f'"{prices}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _build(offer: Path, book: Path, *more: str) -> None:
    assert main(["build", str(offer), "-o", str(book), "--no-validate", "-q", *more]) == 0


def _append(tally: Path, line: str = "NEW-1,5000,book-entry,tendered") -> None:
    with tally.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _cover(book: Path, name: str):
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    with PackageBook(book) as b:
        sheet, ref = layout(Shape.decode(b.name(LAYOUT_NAME))).cell(name)
        return b.get(sheet, ref)


# --- 1. a recorded source is read back whatever its name ------------------------------------------


@pytest.mark.parametrize("name", ["agent export.tsv", "agent-export"])
def test_a_recorded_tally_of_any_name_is_read_back(tmp_path, capsys, name):
    shutil.copy(DATA / TALLY, tmp_path / name)
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    book = tmp_path / "book.xlsm"
    _build(_offer(tmp_path / "offer.toml", name, PRICES), book)
    _append(tmp_path / name)
    capsys.readouterr()
    assert main(["refresh", str(book), "-q", "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("book.xlsm: refreshed at ")
    assert out[1].startswith(f"book.xlsm: holder tally: {name} (300 lines; SHA-256 ")
    assert _cover(book, "TallySource") == name


def test_a_recorded_file_that_is_gone_says_where_it_was_looked_for_and_what_to_do(tmp_path, capsys):
    shutil.copy(DATA / TALLY, tmp_path / "agent-03.csv")
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    book = tmp_path / "book.xlsm"
    _build(_offer(tmp_path / "offer.toml", "agent-03.csv", PRICES), book)
    (tmp_path / "agent-03.csv").unlink()
    capsys.readouterr()
    assert main(["refresh", str(book), "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: book.xlsm: Cover!C22 (TallySource): names no tally file: looked for "
        f"{tmp_path / 'agent-03.csv'} (the Cover records it relative to the workbook's folder); put the file back, "
        "or give the tally file with --tally, got 'agent-03.csv'"]


def test_the_fixed_sentences_are_the_only_recorded_texts_that_name_no_file(tmp_path, capsys, standard_books):
    book = tmp_path / "seed.xlsm"
    shutil.copy(standard_books["seed"], book)
    assert _cover(book, "TallySource") == sources.NO_TALLY_FILE
    assert _cover(book, "PriceSource") == sources.NO_PRICE_FILE
    assert main(["refresh", str(book), "-q"]) == 0
    assert ("seed.xlsm: tally: not refreshed: no tally file is recorded on the Cover ('aggregate counts in the offer "
            "file' is not a file)") in capsys.readouterr().out.splitlines()
