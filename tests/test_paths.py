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

import os
import shutil
from pathlib import Path

import pytest
from repo_paths import DATA, FORMULA, PRICES, SEED, TALLY, offer_text

from xlpy.cli import main
from xlpy.files import recorded
from xlpy.files.offerfile import load
from xlpy.workbook import locks

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
    # (named where it is, seen from where the workbook was named: here absolute, as the workbook was)
    assert out[1].startswith(f"book.xlsm: holder tally: {Path(os.path.realpath(tmp_path)) / name} (300 lines; SHA-256 ")
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
        f"xlpy refresh: book.xlsm: Cover!C23 (TallySource): names no tally file: looked for "
        f"{tmp_path / 'agent-03.csv'} (the Cover records it relative to the workbook's folder); put the file back, "
        "or give the tally file with --tally, got 'agent-03.csv'", f"xlpy refresh: {book} was not changed"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes: POSIX")
@pytest.mark.parametrize("kind", ["a pipe", "a device", "a folder"])
def test_a_recorded_file_that_is_now_a_pipe_a_device_or_a_folder_is_named_so(tmp_path, capsys, kind):
    """A plain refresh said of a tally and a price file the Cover records, now a named pipe (never opened: nothing
    waits), a device or a folder, that it "names no tally file", as of one that is gone."""
    shutil.copy(DATA / TALLY, tmp_path / "agent-03.csv")
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    book = tmp_path / "book.xlsm"
    _build(_offer(tmp_path / "offer.toml", "agent-03.csv", PRICES), book)
    before = book.read_bytes()
    for name in ("agent-03.csv", PRICES):
        (tmp_path / name).unlink()
        {"a pipe": os.mkfifo, "a device": lambda p: p.symlink_to(os.devnull), "a folder": Path.mkdir}[kind](
            tmp_path / name)
    what = "a folder" if kind == "a folder" else "a pipe or a device"
    capsys.readouterr()
    assert main(["refresh", str(book), "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: book.xlsm: Cover!C23 (TallySource): names {what}, not a tally file: "
        f"{tmp_path / 'agent-03.csv'} (the Cover records it relative to the workbook's folder); put the file back, "
        "or give the tally file with --tally, got 'agent-03.csv'",
        f"xlpy refresh: book.xlsm: Cover!C26 (PriceSource): names {what}, not a price file: "
        f"{tmp_path / PRICES} (the Cover records it relative to the workbook's folder); put the file back, "
        f"or give the price file with --prices, got '{PRICES}'", f"xlpy refresh: {book} was not changed"]
    assert book.read_bytes() == before


def test_the_fixed_sentences_are_the_only_recorded_texts_that_name_no_file(tmp_path, capsys, standard_books):
    book = tmp_path / "seed.xlsm"
    shutil.copy(standard_books["seed"], book)
    assert _cover(book, "TallySource") == recorded.NO_TALLY_FILE
    assert _cover(book, "PriceSource") == recorded.NO_PRICE_FILE
    assert main(["refresh", str(book), "-q"]) == 0
    assert ("seed.xlsm: tally: not refreshed: no tally file is recorded on the Cover ('aggregate counts in the offer "
            "file' is not a file)") in capsys.readouterr().out.splitlines()


# --- 2. how a source is recorded -------------------------------------------------------------------


def test_a_source_in_the_folder_or_below_is_recorded_relative(tmp_path):
    (tmp_path / "data").mkdir()
    t = tmp_path / "data" / "t.csv"
    t.write_text("x", encoding="utf-8")
    assert recorded.recorded_path(t, tmp_path, given_absolute=True) == "data/t.csv"
    assert recorded.recorded_path(t, tmp_path, given_absolute=False) == "data/t.csv"


def test_a_source_outside_is_recorded_absolute_when_given_absolute_else_relative(tmp_path):
    (tmp_path / "deal").mkdir()
    (tmp_path / "data").mkdir()
    t = tmp_path / "data" / "t.csv"
    t.write_text("x", encoding="utf-8")
    real = Path(os.path.realpath(tmp_path))
    assert recorded.recorded_path(t, tmp_path / "deal", given_absolute=True) == (real / "data" / "t.csv").as_posix()
    assert recorded.recorded_path(t, tmp_path / "deal", given_absolute=False) == "../data/t.csv"


def test_another_drive_is_recorded_absolute(tmp_path, monkeypatch):
    t = tmp_path / "t.csv"

    def other_drive(path, start=None):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(os.path, "relpath", other_drive)
    assert recorded.recorded_path(t, tmp_path, given_absolute=False) == (
        Path(os.path.realpath(tmp_path)) / "t.csv").as_posix()


def test_folders_are_compared_resolved_but_a_linked_file_keeps_its_name(tmp_path):
    real = tmp_path / "real"
    (real / "data").mkdir(parents=True)
    (real / "data" / "day1.csv").write_text("x", encoding="utf-8")
    _link(tmp_path / "alias", real)
    _link(real / "latest.csv", real / "data" / "day1.csv")
    # the workbook's folder named through a link, the source by its real folder: the same folder
    assert recorded.recorded_path(real / "data" / "day1.csv", tmp_path / "alias", given_absolute=True) == \
        "data/day1.csv"
    # a link is recorded as the link, not as the file it points to today
    assert recorded.recorded_path(tmp_path / "alias" / "latest.csv", real, given_absolute=True) == "latest.csv"


def test_a_latest_link_repointed_daily_is_read_again_as_the_link(tmp_path, capsys):
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    (tmp_path / "agent").mkdir()
    shutil.copy(DATA / TALLY, tmp_path / "agent" / "2004-02-19.csv")
    _link(tmp_path / "latest.csv", Path("agent") / "2004-02-19.csv")
    book = tmp_path / "book.xlsm"
    _build(_offer(tmp_path / "offer.toml", "latest.csv", PRICES), book)
    assert _cover(book, "TallySource") == "latest.csv"
    shutil.copy(DATA / TALLY, tmp_path / "agent" / "2004-02-20.csv")
    _append(tmp_path / "agent" / "2004-02-20.csv")
    (tmp_path / "latest.csv").unlink()
    _link(tmp_path / "latest.csv", Path("agent") / "2004-02-20.csv")
    capsys.readouterr()
    assert main(["refresh", str(book), "-q", "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("book.xlsm: refreshed at ")
    assert out[1].startswith(f"book.xlsm: holder tally: {Path(os.path.realpath(tmp_path)) / 'latest.csv'} (300 lines; ")


def test_a_price_file_given_absolute_survives_a_move_of_the_deal_folder(tmp_path, capsys):
    shared = tmp_path / "market data"
    shared.mkdir()
    shutil.copy(DATA / PRICES, shared / "prices.csv")
    deal = tmp_path / "deals" / "hecla"
    (deal / "data").mkdir(parents=True)
    shutil.copy(DATA / TALLY, deal / "data" / TALLY)
    prices = (shared / "prices.csv").as_posix()
    _build(_offer(deal / "offer.toml", f"data/{TALLY}", prices), deal / "book.xlsm")
    assert _cover(deal / "book.xlsm", "PriceSource") == Path(os.path.realpath(shared / "prices.csv")).as_posix()
    assert _cover(deal / "book.xlsm", "TallySource") == f"data/{TALLY}"
    moved = tmp_path / "archive" / "2004" / "hecla"
    moved.parent.mkdir(parents=True)
    deal.rename(moved)
    _append(moved / "data" / TALLY)
    capsys.readouterr()
    assert main(["refresh", str(moved / "book.xlsm"), "-q", "--no-backup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("book.xlsm: refreshed at ")
    assert out[2].startswith(f"book.xlsm: price history: {_cover(moved / 'book.xlsm', 'PriceSource')} (39 days; ")


def test_a_source_given_relative_outside_the_folder_stays_relative(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(DATA / TALLY, tmp_path / "data" / TALLY)
    shutil.copy(DATA / PRICES, tmp_path / "data" / PRICES)
    offer = _offer(tmp_path / "offer.toml", f"data/{TALLY}", f"data/{PRICES}")
    (tmp_path / "books").mkdir()
    _build(offer, tmp_path / "books" / "book.xlsm")
    assert _cover(tmp_path / "books" / "book.xlsm", "TallySource") == f"../data/{TALLY}"
    assert _cover(tmp_path / "books" / "book.xlsm", "PriceSource") == f"../data/{PRICES}"


def test_a_recorded_text_names_the_same_file_in_another_spelling(tmp_path):
    """A file the Cover records, given again by its absolute path, keeps its record: it is no new source."""
    (tmp_path / "deal").mkdir()
    (tmp_path / "data").mkdir()
    t = tmp_path / "data" / "t.csv"
    t.write_text("x", encoding="utf-8")
    assert recorded.same_place("../data/t.csv", t, tmp_path / "deal")
    assert recorded.same_place("..\\data\\t.csv", t, tmp_path / "deal")  # as written on Windows
    assert not recorded.same_place("../data/u.csv", t, tmp_path / "deal")


# --- 3. backslashes in an offer file's paths -------------------------------------------------------


def test_backslashes_in_an_offer_files_paths_separate_folders(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(DATA / TALLY, tmp_path / "data" / TALLY)
    shutil.copy(DATA / PRICES, tmp_path / "data" / PRICES)
    (tmp_path / "data" / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    path = _offer(tmp_path / "offer.toml", f"data\\\\{TALLY}", f"data\\\\{PRICES}")
    path.write_text(path.read_text(encoding="utf-8").replace("[tally]\n", '[tally]\nmapping = "data\\\\map.toml"\n'),
                    encoding="utf-8")
    offer = load(path)
    assert len(offer.tally.holders) == 299 and len(offer.consideration.formula.prices) == 39
    book = tmp_path / "book.xlsm"
    _build(path, book)
    assert [_cover(book, n) for n in ("TallySource", "TallyMapping", "PriceSource")] == [
        f"data/{TALLY}", "data/map.toml", f"data/{PRICES}"]


def test_a_mapping_that_is_not_text_is_one_problem_not_a_folder_read_as_a_mapping(tmp_path):
    from xlpy.engine.errors import InputErrors

    path = _offer(tmp_path / "offer.toml", str(DATA / TALLY).replace("\\", "/"), str(DATA / PRICES).replace("\\", "/"))
    path.write_text(path.read_text(encoding="utf-8").replace("[tally]\n", "[tally]\nmapping = 5\n"), encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == ["offer.toml: tally.mapping: must be non-empty text, got 5"]


# --- 4. build --force through a symbolic link ------------------------------------------------------


def test_build_force_through_a_link_writes_its_target_and_keeps_the_link(tmp_path, monkeypatch, capsys):
    real = tmp_path / "deal"
    real.mkdir()
    target = real / "book.xlsm"
    _build(SEED, target)
    before = target.read_bytes()
    link = tmp_path / "book.xlsm"
    _link(link, target)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077667200")  # a day later: other bytes
    capsys.readouterr()
    _build(SEED, link, "--force")
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_bytes() != before
    # the workbook replaced is kept beside it, as a refresh through the link keeps it; nothing beside the link
    assert sorted(p.name for p in real.iterdir()) == ["book.20040225-000000.bak.xlsm", "book.xlsm"]
    assert (real / "book.20040225-000000.bak.xlsm").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm", "deal"]
    # and is named where it lies (review 69: "kept as book.20040225-000000.bak.xlsm", not beside the link named)
    kept = os.path.realpath(real / "book.20040225-000000.bak.xlsm")
    assert capsys.readouterr().out.rstrip().endswith(f"(the previous version is kept as {kept})")


def test_a_backup_beside_the_workbook_named_is_named_by_its_name_alone(tmp_path, monkeypatch, capsys):
    """A refresh (and a build) of a workbook in its own folder names the copy it kept by its name, in the text and
    in --json; through a link to another folder, by its path, as the build's does."""
    import json

    shutil.copy(DATA / TALLY, tmp_path / TALLY)
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    offer, book = _offer(tmp_path / "offer.toml", TALLY, PRICES), tmp_path / "book.xlsm"
    _build(offer, book)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077667200")
    capsys.readouterr()
    assert main(["build", str(offer), "-o", str(book), "--force", "--no-validate", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["backup"] == "book.20040225-000000.bak.xlsm"
    link = tmp_path / "elsewhere" / "link.xlsm"
    link.parent.mkdir()
    _link(link, book)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077753600")
    _append(tmp_path / TALLY)
    assert main(["refresh", str(link), "--json", "-q"]) == 0
    kept = os.path.realpath(tmp_path / "book.20040226-000000.bak.xlsm")
    assert json.loads(capsys.readouterr().out)["backup"] == kept and Path(kept).is_file()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077840000")
    _append(tmp_path / TALLY, "NEW-2,700,book-entry,tendered")
    assert main(["refresh", str(link), "-q"]) == 0
    assert f"previous version kept as {os.path.realpath(tmp_path / 'book.20040227-000000.bak.xlsm')}" in (
        capsys.readouterr().out)


@pytest.mark.parametrize("name, via_link", [("agent.xlsm", False), ("book.xlsm", True)])
def test_build_force_never_writes_over_the_tally_the_offer_reads(tmp_path, capsys, name, via_link):
    """Review: ``build --force -o agent.xlsm``, the agent's XLSX tally the offer file reads (or a link to it), wrote
    the workbook over it and the tally was lost."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["holder_id", "units", "method", "status"])
    wb.active.append(["A", 100, "book-entry", "tendered"])
    wb.save(tmp_path / "agent.xlsm")
    before = (tmp_path / "agent.xlsm").read_bytes()
    (tmp_path / "o.toml").write_text(offer_text().replace("tendered = 274000", 'file = "agent.xlsm"').replace(
        "guaranteed_delivery = 3500\n", "").replace("failed_delivery = 0\n", ""), encoding="utf-8")
    if via_link:
        _link(tmp_path / name, tmp_path / "agent.xlsm")
    assert main(["build", str(tmp_path / "o.toml"), "-o", str(tmp_path / name), "--force", "--no-validate"]) == 2
    (said,) = capsys.readouterr().err.splitlines()  # (a long path is shortened in the middle)
    assert said.startswith("xlpy build: --output: is the file o.toml reads as tally.file (agent.xlsm): a workbook "
                           "written there would replace it; name another file, got '")
    assert (tmp_path / "agent.xlsm").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"agent.xlsm", "o.toml", name})


def test_build_force_never_writes_over_the_offer_file_itself(tmp_path, capsys):
    """Review: an offer file named .xlsm, given as -o with --force, was overwritten by the workbook built from it."""
    offer = tmp_path / "off.xlsm"
    offer.write_text(offer_text(), encoding="utf-8")
    before = offer.read_bytes()
    assert main(["build", str(offer), "-o", str(offer), "--force", "--no-validate"]) == 2
    (said,) = capsys.readouterr().err.splitlines()
    assert said.startswith("xlpy build: --output: is the offer file itself: name another file, got '")
    assert offer.read_bytes() == before


# --- 5. a workbook name too long for xlpy's files beside it ----------------------------------------


def test_the_longest_name_is_what_leaves_room_for_the_longest_file_xlpy_writes(tmp_path):
    assert locks.NAME_ADDED == len(".~xlpy-partial.") + len(".backup.") + 8 + len(".tmp") == 35
    longest = "a" * (255 - 35 - len(".xlsm")) + ".xlsm"
    assert locks.name_problem(tmp_path / longest) is None
    assert locks.name_problem(tmp_path / ("é" + longest[1:])) == (
        "its name is 221 bytes long (in UTF-8, where a letter outside ASCII takes two or more); a workbook's name "
        "may have at most 220 (255, the longest file name, less the 35 xlpy adds for its backups, temporary files "
        "and lock beside it): use a shorter name")


def test_on_windows_a_name_is_counted_in_utf16_units_as_windows_counts_it(tmp_path, monkeypatch):
    """Windows takes 255 UTF-16 units in a name: 220 letters outside ASCII (440 bytes in UTF-8) leave room there,
    one letter beyond the Basic Multilingual Plane counts two."""
    monkeypatch.setattr(locks, "WINDOWS_NAMES", True)
    longest = "é" * (255 - 35 - len(".xlsm")) + ".xlsm"
    assert locks.name_problem(tmp_path / longest) is None
    assert locks.name_problem(tmp_path / ("\U0001F4C8" + longest[1:])) == (
        "its name is 221 characters long (in UTF-16 units, as Windows counts); a workbook's name may have at most "
        "220 (255, the longest file name, less the 35 xlpy adds for its backups, temporary files and lock beside "
        "it): use a shorter name")


def test_a_workbook_of_the_longest_name_refreshes_with_a_backup(tmp_path, capsys):
    shutil.copy(DATA / TALLY, tmp_path / TALLY)
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    book = tmp_path / ("b" * 215 + ".xlsm")
    _build(_offer(tmp_path / "offer.toml", TALLY, PRICES), book)
    _append(tmp_path / TALLY)
    assert main(["refresh", str(book), "-q"]) == 0
    assert len(list(tmp_path.glob("*.bak.xlsm"))) == 1


def test_a_name_too_long_is_refused_by_build_and_refresh(tmp_path, capsys, monkeypatch, standard_books):
    name = "é" * 115 + ".xlsm"  # 235 bytes
    why = ("its name is 235 bytes long (in UTF-8, where a letter outside ASCII takes two or more); a workbook's "
           "name may have at most 220 (255, the longest file name, less the 35 xlpy adds for its backups, temporary "
           "files and lock beside it): use a shorter name")
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(SEED), "-o", name, "--no-validate", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy build: --output: {why}, got '{name[:60]}'... (120 "
                                                    "characters)"]  # (a long value is shown cut)
    assert list(tmp_path.iterdir()) == []
    shutil.copy(standard_books["seed"], name)
    before = Path(name).read_bytes()
    assert main(["refresh", name, "--tally", str(DATA / TALLY), "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {name}: {why}; it was not changed"]
    assert Path(name).read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [name]


def test_on_windows_a_path_longer_than_excel_opens_is_refused_by_build_and_refresh(tmp_path, capsys, monkeypatch,
                                                                                   standard_books):
    """Review 74: in a deep folder (OneDrive, SharePoint) build wrote a workbook of a 229-character path, which Excel
    opens not (218 at most), and a refresh there said "cannot be written (No such file or directory)" of a workbook
    that is there: its temporary file's path was past Windows' 260."""
    monkeypatch.setattr(locks, "WINDOWS_NAMES", True)
    deep = tmp_path / "Deal folder" / ("d" * max(1, 218 - len(str(tmp_path / "Deal folder")) - len("//book.xlsm")))
    deep.mkdir(parents=True)
    assert len(str(deep / "book.xlsm")) == 218
    assert locks.path_problem(deep / "book.xlsm") is None  # 218: Excel opens it
    longer = deep / "book2.xlsm"
    why = (f"its path (folder and name) is {len(str(longer))} characters long, and Excel opens no workbook whose path "
           "is longer than 218: use a shorter folder or name (a folder nearer the drive's root, or a drive letter "
           "mapped to a deep folder)")
    assert main(["build", str(SEED), "-o", str(longer), "--no-validate", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy build: --output: {why}, got '{str(longer)[:60]}'... "
                                                    f"({len(str(longer))} characters)"]
    assert not longer.exists()
    shutil.copy(standard_books["seed"], longer)
    before = longer.read_bytes()
    assert main(["refresh", str(longer), "--tally", str(DATA / TALLY), "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {longer}: {why}; it was not changed"]
    assert longer.read_bytes() == before
    monkeypatch.chdir(deep)  # review 75: a path given with ".." is counted as Windows takes it, without them
    assert main(["build", str(SEED), "-o", os.path.join("..", "..", "short.xlsm"), "--no-validate", "-q"]) == 0
    assert (tmp_path / "short.xlsm").is_file()
    assert main(["build", str(SEED), "--no-validate", "-q"]) == 2  # no -o: the folder is named, not offer.id
    named = deep / "hecla-2004-series-b.xlsm"
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"xlpy build: --output: its path (folder and name) is {len(str(named))} characters long, and Excel opens no "
        "workbook whose path is longer than 218: use a shorter folder or name (a folder nearer the drive's root, or "
        f"a drive letter mapped to a deep folder), got '{str(named)[:60]}'... ({len(str(named))} characters)")
    monkeypatch.setattr(locks, "WINDOWS_NAMES", False)  # Linux and a Mac: no such limit, the path is written
    assert locks.path_problem(longer) is None


# --- 6. a problem inside a file given by its path ---------------------------------------------------


def _dated(tmp_path: Path) -> Path:
    """The folder ``agent/2004-02-23`` holding the agent's day's ``tally.csv``, beside ``book.xlsm`` built from the
    tally and price files in *tmp_path*."""
    shutil.copy(DATA / TALLY, tmp_path / TALLY)
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    _build(_offer(tmp_path / "offer.toml", TALLY, PRICES), tmp_path / "book.xlsm")
    dated = tmp_path / "agent" / "2004-02-23"
    dated.mkdir(parents=True)
    shutil.copy(DATA / TALLY, dated / "tally.csv")
    return dated


def test_a_problem_in_a_tally_given_by_its_path_names_the_path_as_given(tmp_path, capsys, monkeypatch):
    dated = _dated(tmp_path)
    _append(dated / "tally.csv", "NEW-1,10.5,book-entry,tendered")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["refresh", "book.xlsm", "--tally", "agent/2004-02-23/tally.csv", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy refresh: agent/2004-02-23/tally.csv: row 301, column units: must be a whole number, got '10.5'",
        "xlpy refresh: book.xlsm was not changed"]


def test_a_mapping_given_by_its_path_names_the_tally_by_its_path_as_given(tmp_path, capsys, monkeypatch):
    """A mapping's column the tally lacks names both files by the paths given, the tally in the reason too (review
    124's LOW: ``is not in tally.csv's header``, beside ``agent/2004-02-23/m.toml``)."""
    dated = _dated(tmp_path)
    (dated / "m.toml").write_text('[columns]\nunits = "Units"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    given = ["--tally", "agent/2004-02-23/tally.csv", "--mapping", "agent/2004-02-23/m.toml"]
    assert main(["refresh", "book.xlsm", *given, "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy refresh: agent/2004-02-23/m.toml: columns.units: is not in agent/2004-02-23/tally.csv's header; the "
        "header has 'units': a mapping names a header exactly, as it is written, got 'Units'",
        "xlpy refresh: book.xlsm was not changed"]


def test_the_line_counting_a_tally_given_by_its_path_names_its_columns_by_that_path_and_keeps_its_counts(
        tmp_path, capsys, monkeypatch):
    """The line counting the problems past the 50 shown, of a tally given by its path capped with a price file's,
    named the tally's column by its file's name alone (``all in column units of tally.csv``) beside lines naming
    ``agent/2004-02-23/tally.csv``; and one after that path alone, renamed afresh, kept neither how many it counts
    nor where (``count`` 0: a script capping the refusal again lost those lines)."""
    import json

    from xlpy.engine.errors import InputErrors, MoreProblems, capped
    from xlpy.workbook.refresh_file import refresh_file

    dated = _dated(tmp_path)
    _append(dated / "tally.csv", "".join(f"NEW-{i},10.5,book-entry,tendered\n" for i in range(60)).rstrip("\n"))
    days = (DATA / PRICES).read_text(encoding="utf-8").splitlines()
    days[3] = days[3].split(",")[0] + ",abc,100"
    (tmp_path / "px").mkdir()
    (tmp_path / "px" / "prices.csv").write_text("\n".join(days) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    both = ["refresh", "book.xlsm", "--tally", "agent/2004-02-23/tally.csv", "--prices", "px/prices.csv"]
    assert main([*both, "--json"]) == 2
    said = capsys.readouterr()
    assert said.err.splitlines()[-3:] == [
        "xlpy refresh: px/prices.csv: row 4, column price: must be a number, got 'abc'",
        "xlpy refresh: and 11 more problems, all in column units of agent/2004-02-23/tally.csv",
        "xlpy refresh: book.xlsm was not changed"]
    counted = "and 11 more problems, all in column units of agent/2004-02-23/tally.csv"
    assert json.loads(said.out)["errors"][-1] == {
        "field": None, "value": None, "reason": counted, "message": counted, "busy": False}
    with pytest.raises(InputErrors) as refused:
        refresh_file("book.xlsm", "agent/2004-02-23/tally.csv")
    more = refused.value.problems[-1]
    assert isinstance(more, MoreProblems) and more.count == 10
    assert more.kinds == {"agent/2004-02-23/tally.csv: column units": 10}
    assert str(more) == "agent/2004-02-23/tally.csv: and 10 more problems, all in column units"
    assert [str(p) for p in capped(list(refused.value.problems), 20)][-1] == \
        "agent/2004-02-23/tally.csv: and 40 more problems, all in column units"


def test_a_problem_in_the_recorded_tally_names_it_as_seen_from_where_the_workbook_was_named(tmp_path, capsys,
                                                                                           monkeypatch):
    """Review 63: a problem in the tally the Cover records named its file alone (``tally.csv: row 301``), not where
    it is (``deal/data/tally.csv``)."""
    (tmp_path / "deal" / "data").mkdir(parents=True)
    shutil.copy(DATA / TALLY, tmp_path / "deal" / "data" / "tally.csv")
    shutil.copy(DATA / PRICES, tmp_path / "deal" / PRICES)
    _build(_offer(tmp_path / "deal" / "offer.toml", "data/tally.csv", PRICES), tmp_path / "deal" / "book.xlsm")
    _append(tmp_path / "deal" / "data" / "tally.csv", "NEW-1,10.5,book-entry,tendered")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["refresh", "deal/book.xlsm", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy refresh: deal/data/tally.csv: row 301, column units: must be a whole number, got '10.5'",
        "xlpy refresh: deal/book.xlsm was not changed"]


def test_a_refresh_with_a_utf8_tally_under_a_recorded_cp1252_mapping_names_the_encoding(tmp_path, capsys):
    """Built from a Windows export with a mapping naming cp1252; the next day's file is Excel's CSV UTF-8, its
    byte-order mark read as cp1252 hid the mapped header: the refusal named a missing column. It names the
    encoding now, and a file as the mapping says is read."""
    deal = tmp_path / "deal"
    deal.mkdir()
    shutil.copy(DATA / PRICES, deal / PRICES)
    body = (DATA / TALLY).read_text(encoding="utf-8").replace("holder_id,units,", "Acct Name,Shs,", 1)
    (deal / "day1.csv").write_bytes(body.replace("DTC-0022", "Müller").encode("cp1252"))
    (deal / "map.toml").write_text('encoding = "cp1252"\n[columns]\nholder_id = "Acct Name"\nunits = "Shs"\n',
                                   encoding="utf-8")
    path = _offer(deal / "offer.toml", "day1.csv", PRICES)
    path.write_text(path.read_text(encoding="utf-8").replace("[tally]\n", '[tally]\nmapping = "map.toml"\n'),
                    encoding="utf-8")
    book = deal / "book.xlsm"
    _build(path, book)
    (deal / "day2.csv").write_bytes(b"\xef\xbb\xbf" + body.replace("DTC-0022", "Müller").encode("utf-8"))
    before = book.read_bytes()
    capsys.readouterr()
    assert main(["refresh", str(book), "--tally", str(deal / "day2.csv"), "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {deal / 'day2.csv'}: starts with a UTF-8 byte-order mark, but its mapping file names "
        "encoding cp1252: "
        "remove encoding from the mapping file (UTF-8 is the default), or save the file as that encoding",
        f"xlpy refresh: {book} was not changed"]
    assert book.read_bytes() == before


def test_a_refresh_of_a_hard_linked_workbook_says_the_other_name_keeps_the_previous_version(tmp_path, capsys):
    """The refresh writes a new file and renames it into place: another name for the old file (a hard link)
    kept the old figures without a word."""
    deal = tmp_path / "deal"
    deal.mkdir()
    shutil.copy(DATA / TALLY, deal / TALLY)
    shutil.copy(DATA / PRICES, deal / PRICES)
    book = deal / "book.xlsm"
    _build(_offer(deal / "offer.toml", TALLY, PRICES), book)
    os.link(book, tmp_path / "other.xlsm")
    _append(deal / TALLY)
    capsys.readouterr()
    assert main(["refresh", str(book), "--no-backup"]) == 0
    assert "xlpy refresh: warning: book.xlsm had 1 other name (a hard link): it keeps the previous version; only " \
           "book.xlsm is refreshed" in capsys.readouterr().err.splitlines()
    assert (tmp_path / "other.xlsm").read_bytes() != book.read_bytes()


# --- 7. the sources a refresh read, named from where the user stands -------------------------------


def _deal(tmp_path: Path) -> Path:
    """deal/book.xlsm, built from deal/offer.toml with its tally and price file in deal/data; beside them the agent's
    next file in its own header (data/agent.csv, ``Net Shs``) and a mapping file naming it (data/map.toml)."""
    data = tmp_path / "deal" / "data"
    data.mkdir(parents=True)
    shutil.copy(DATA / TALLY, data / TALLY)
    shutil.copy(DATA / PRICES, data / PRICES)
    book = tmp_path / "deal" / "book.xlsm"
    _build(_offer(tmp_path / "deal" / "offer.toml", f"data/{TALLY}", f"data/{PRICES}"), book)
    (data / "agent.csv").write_text((DATA / TALLY).read_text(encoding="utf-8").replace("units", "Net Shs", 1),
                                    encoding="utf-8")
    _append(data / "agent.csv")
    (data / "map.toml").write_text('[columns]\nunits = "Net Shs"\n', encoding="utf-8")
    return book


def test_a_refresh_from_another_folder_names_its_sources_from_there(tmp_path, capsys, monkeypatch):
    """Review 110: a refresh run from the deal's parent folder named the tally, mapping and price files as the Cover
    records them, relative to the workbook's folder (``holder tally: data/agent.csv``): no such file from where the
    user stands.  Each is named as given, or, recorded, seen from where the workbook was named; the Cover and
    ``--json``'s ``path`` and ``mapping`` keep the records, ``file`` and ``mapping_file`` name them as the lines do."""
    import json

    book = _deal(tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    tally, mapping = str(Path("deal", "data", "agent.csv")), str(Path("deal", "data", "map.toml"))
    assert main(["refresh", str(Path("deal", "book.xlsm")), "--tally", tally, "--mapping", mapping, "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith(f"book.xlsm: holder tally: {tally} (300 lines, columns mapped by {mapping}; SHA-256 ")
    assert out[2].startswith(f"book.xlsm: price history: {Path('deal', 'data', PRICES)} (39 days; SHA-256 ")
    assert [_cover(book, n) for n in ("TallySource", "TallyMapping", "PriceSource")] == [
        "data/agent.csv", "data/map.toml", f"data/{PRICES}"]  # (relative to the workbook: it travels with its folder)
    assert main(["refresh", str(Path("deal", "book.xlsm")), "--json", "-q"]) == 0  # the files the Cover records
    sources = json.loads(capsys.readouterr().out)["sources"]
    assert [(s["path"], s["file"], s["mapping"], s["mapping_file"]) for s in sources] == [
        ("data/agent.csv", tally, "data/map.toml", mapping),
        (f"data/{PRICES}", str(Path("deal", "data", PRICES)), None, None)]
    (tmp_path / "deal" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "deal" / "sub")
    assert main(["refresh", str(Path("..", "book.xlsm")), "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("book.xlsm: nothing to refresh: ")
    assert out[1].startswith(f"book.xlsm: holder tally: {Path('..', 'data', 'agent.csv')} (300 lines, columns mapped "
                             f"by {Path('..', 'data', 'map.toml')}; SHA-256 ")


def test_a_refresh_through_a_link_in_another_folder_names_its_sources_where_they_are(tmp_path, capsys, monkeypatch):
    """The Cover records the sources relative to the workbook's own folder, a link's target's: a refresh through
    ``desk/link.xlsm`` named a problem in the recorded tally ``desk/data/...``, beside the link, where no file is."""
    book = _deal(tmp_path)
    (tmp_path / "desk").mkdir()
    _link(tmp_path / "desk" / "link.xlsm", book)
    monkeypatch.chdir(tmp_path)
    _append(tmp_path / "deal" / "data" / TALLY)
    capsys.readouterr()
    assert main(["refresh", str(Path("desk", "link.xlsm")), "--no-backup", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith(
        f"link.xlsm: holder tally: {Path('deal', 'data', TALLY)} (300 lines; SHA-256 ")
    _append(tmp_path / "deal" / "data" / TALLY, "NEW-2,10.5,book-entry,tendered")
    assert main(["refresh", str(Path("desk", "link.xlsm")), "-q"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"xlpy refresh: {Path('deal', 'data', TALLY)}: row 302, column units: must be a whole number, got '10.5'")


def test_sources_given_absolute_are_named_as_given(tmp_path, capsys, monkeypatch):
    """A tally and mapping file given by their absolute paths, for a workbook named relative: ``--json``'s ``file``
    and ``mapping_file`` name them as given, not as the Cover's records seen from here (``deal/data/agent.csv``)."""
    import json

    _deal(tmp_path)
    monkeypatch.chdir(tmp_path)
    tally, mapping = str(tmp_path / "deal" / "data" / "agent.csv"), str(tmp_path / "deal" / "data" / "map.toml")
    capsys.readouterr()
    assert main(["refresh", str(Path("deal", "book.xlsm")), "--tally", tally, "--mapping", mapping, "--json", "-q",
                 "--no-backup"]) == 0
    source = json.loads(capsys.readouterr().out)["sources"][0]
    assert (source["file"], source["mapping_file"]) == (tally, mapping)
    assert (source["path"], source["mapping"]) == ("data/agent.csv", "data/map.toml")  # (the Cover's records)


def test_a_problem_in_the_recorded_tally_of_a_workbook_named_absolute_names_it_absolute(tmp_path, capsys,
                                                                                       monkeypatch):
    """A workbook named by its absolute path from another folder: a problem in the tally its Cover records names
    that tally's absolute path, not one relative to the current folder (``../deal/data/...``)."""
    book = _deal(tmp_path)
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    _append(tmp_path / "deal" / "data" / TALLY, "NEW-2,10.5,book-entry,tendered")
    capsys.readouterr()
    assert main(["refresh", str(book), "-q"]) == 2
    err = capsys.readouterr().err.splitlines()
    real = Path(os.path.realpath(tmp_path))
    assert err[0] == (f"xlpy refresh: {real / 'deal' / 'data' / TALLY}: row 301, column units: must be a whole "
                      "number, got '10.5'"), err


def test_a_recorded_path_is_named_from_the_current_folder_or_absolute(tmp_path, monkeypatch):
    """Relative to the current folder for a workbook named relative; absolute for one named absolute, for a path
    recorded absolute outside the current folder, and on another drive (no relative path leads there)."""
    from xlpy.workbook.source_lines import from_here

    real = Path(os.path.realpath(tmp_path))
    (tmp_path / "deal" / "data").mkdir(parents=True)
    (tmp_path / "prices").mkdir()
    monkeypatch.chdir(tmp_path / "deal")
    folder = tmp_path / "deal"
    assert from_here("data/t.csv", folder, absolute=False) == str(Path("data", "t.csv"))
    assert from_here("data\\t.csv", folder, absolute=False) == str(Path("data", "t.csv"))  # (written on Windows)
    assert from_here("../prices/p.csv", folder, absolute=False) == str(Path("..", "prices", "p.csv"))
    assert from_here("data/t.csv", folder, absolute=True) == str(real / "deal" / "data" / "t.csv")
    assert from_here((real / "prices" / "p.csv").as_posix(), folder, absolute=False) == str(real / "prices" / "p.csv")
    assert from_here((real / "deal" / "data" / "t.csv").as_posix(), folder, absolute=False) == str(
        Path("data", "t.csv"))

    def other_drive(path, start=None):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(os.path, "relpath", other_drive)
    assert from_here("data/t.csv", folder, absolute=False) == str(real / "deal" / "data" / "t.csv")


def test_the_offer_file_a_cover_records_is_found_from_the_workbook_s_folder(tmp_path):
    """``recorded_offer``: the path recorded (``\\`` read as ``/``, named back with ``/``), else a file of its name
    beside the workbook; none for a blank record, a folder, or a name no file can have (review 157: a record typed
    over with 300 letters said the file "cannot be read")."""
    from xlpy.files.recorded import recorded_offer

    (tmp_path / "terms").mkdir()
    (tmp_path / "book").mkdir()
    (tmp_path / "terms" / "offer.toml").write_text("offer", encoding="utf-8")
    folder = tmp_path / "book"
    assert recorded_offer("../terms/offer.toml", folder) == (tmp_path / "book" / ".." / "terms" / "offer.toml",
                                                             "../terms/offer.toml")
    assert recorded_offer("..\\terms\\offer.toml", folder)[1] == "../terms/offer.toml"
    assert [recorded_offer(t, folder) for t in ("", "  ", "../terms", "../terms/", "x" * 300, "offer.toml")] == \
        [None] * 6
    assert recorded_offer("offer.toml", None) is None  # (a workbook not on disk)
    (folder / "offer.toml").write_text("beside", encoding="utf-8")  # (sent on with the workbook)
    assert recorded_offer("../elsewhere/offer.toml", folder) == (folder / "offer.toml", "offer.toml")
