"""A workbook of another layout: the advice a user follows word for word.

A workbook built by an earlier xlpy is refused by refresh, validate, build and the Excel buttons with the
commands that rebuild it from the files its Cover records: a new build records the offer file's own tally and
prices, so "refresh that one" alone gave the offer file's figures, which validated clean (upgrade pass).  A
workbook of a later xlpy is said to be one, not told to be rebuilt by an older xlpy.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName
from repo_paths import DATA, FORMULA, PRICES, TALLY
from test_history_carry import _history

from xlpy.files.recorded import NO_PRICE_FILE, NO_TALLY_FILE
from xlpy.workbook.layout import LAYOUT_NAME, LAYOUT_VERSION
from xlpy.workbook.rebuild import rebuild_commands

NOW = f";layout={LAYOUT_VERSION}"


def _xlpy(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlpy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def _as_layout(path: Path, version: int) -> None:
    wb = load_workbook(path, keep_vba=True)
    text = wb.defined_names[LAYOUT_NAME].attr_text
    assert NOW in text
    wb.defined_names[LAYOUT_NAME] = DefinedName(LAYOUT_NAME, attr_text=text.replace(NOW, f";layout={version}"),
                                                hidden=True)
    wb.save(path)


def _figures(path: Path) -> dict:
    wb = load_workbook(path, data_only=True)
    out = {}
    for name in ("UnitsAccepted", "CommonIssued", "InducedCharge", "OfferRatio"):
        ((sheet, ref),) = wb.defined_names[name].destinations
        out[name] = wb[sheet][ref.replace("$", "")].value
    return out


def test_an_earlier_workbook_s_advice_followed_word_for_word_gives_its_figures(tmp_path):
    """The formula example refreshed from the agent's tally (one holder's units changed) and another price file,
    then taken for a layout-10 workbook: the commands refresh, validate and build give, run as written from the
    folder the user is in, rebuild it with the agent's tally and prices, not the offer file's own."""
    deal = tmp_path / "deal"
    (deal / "data").mkdir(parents=True)
    shutil.copy(FORMULA, deal / FORMULA.name)
    for f in DATA.iterdir():
        shutil.copy(f, deal / "data" / f.name)
    tally = (DATA / "hecla-2004-tally.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    tally[1] = tally[1].replace(",2500,", ",3500,")  # the agent's count: DTC-0022 tendered 1,000 more
    assert tally[1].startswith("DTC-0022,3500,")
    (deal / "agent's tally.csv").write_text("".join(tally), encoding="utf-8")
    shutil.copy(DATA / PRICES, deal / "prices.csv")
    assert _xlpy("build", FORMULA.name, "-o", "offer.xlsm", "--no-validate", "-q", cwd=deal).returncode == 0
    proc = _xlpy("refresh", "offer.xlsm", "--tally", "agent's tally.csv", "--prices", "prices.csv", "--no-backup",
                 cwd=deal)
    assert proc.returncode == 0, proc.stderr
    old = _figures(deal / "offer.xlsm")
    _as_layout(deal / "offer.xlsm", 10)
    advice = []
    for command in (["refresh", "deal/offer.xlsm"], ["validate", "deal/offer.xlsm", "--no-libreoffice"],
                    ["build", f"deal/{FORMULA.name}", "-o", "deal/offer.xlsm"]):
        proc = _xlpy(*command, cwd=tmp_path)
        assert proc.returncode == (1 if command[0] == "validate" else 2), proc.stdout + proc.stderr
        said = proc.stdout + proc.stderr
        assert "built by an earlier xlpy (layout 10; this xlpy " in said, said
        advice.append(said.split("from the files its Cover records, run: ", 1)[1].split(" (then type")[0])
    assert len(set(advice)) == 1, advice
    build, refresh = advice[0].split(" && ")
    assert build == f"xlpy build deal/{FORMULA.name} -o deal/offer-rebuilt.xlsm --history-from deal/offer.xlsm"
    assert refresh == ("xlpy refresh deal/offer-rebuilt.xlsm --tally 'deal/agent'\"'\"'s tally.csv' --prices "
                       "deal/prices.csv")
    for command in (build, refresh):
        proc = _xlpy(*shlex.split(command)[1:], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    new = deal / "offer-rebuilt.xlsm"
    assert _figures(new) == old and old["UnitsAccepted"] == 275000
    # the old workbook's History (its build and its refresh) carried over, and no row more: the rebuild is no count,
    # and the refresh from the files the old one recorded finds its count as the last row has it
    assert [r[1] for r in _history(new)] == [f"data/{TALLY}", "agent's tally.csv"]
    proc = _xlpy("validate", str(new.relative_to(tmp_path)), "--no-libreoffice", cwd=tmp_path)
    assert proc.returncode == 0 and "offer-rebuilt.xlsm: valid" in proc.stdout, proc.stdout


def test_the_commands_name_only_what_the_cover_records(tmp_path):
    """Counts typed in the offer file and a fixed ratio: no refresh to give; a mapping goes with its tally; an
    absolute path stays absolute; a name that begins with "-" is no option.  The Cover records the offer file's path
    from the workbook's folder and its SHA-256: the file there, or one of its name beside the workbook, with that
    SHA-256, or the built-in example with it, is built; any other (the example edited and kept elsewhere) is said,
    never taken for it.  A tally or price record
    that cannot be read is said, never left out of the refresh (which would rebuild from the offer file's own); a
    tally, mapping or price file recorded and not there now is said after the refresh (review 161)."""
    from importlib import resources

    from xlpy.files.recorded import sha256

    book = tmp_path / "a folder" / "book.xlsm"
    book.parent.mkdir()
    (book.parent / "offer.toml").write_text("offer", encoding="utf-8")
    base = {"OfferFile": "offer.toml", "OfferSha256": sha256(book.parent / "offer.toml"),
            "TallySource": NO_TALLY_FILE, "PriceSource": NO_PRICE_FILE}
    folder = shlex.quote(str(book.parent))[:-1]
    assert rebuild_commands(base, book) == (
        f"from the files its Cover records, run: xlpy build {folder}/offer.toml' -o {folder}/book-rebuilt.xlsm' "
        "(then type into the new workbook any input typed into this one since its build)")
    mapped = {**base, "TallySource": "t.xlsx", "TallyMapping": "/shared/map.toml"}
    (book.parent / "t.xlsx").write_bytes(b"")
    (book.parent / "t.csv").write_bytes(b"")
    # review 161: a file recorded that is not there now is said after the refresh, never left to fail it
    assert (f" && xlpy refresh {folder}/book-rebuilt.xlsm' --tally {folder}/t.xlsx' --mapping /shared/map.toml "
            "(not found: /shared/map.toml; name it where it is now) (then") in rebuild_commands(mapped, book)
    assert "-o ./-old-rebuilt.xlsm" in rebuild_commands({**base, "OfferSha256": "0"}, Path("-old.xlsm"))
    # review 55: the offer file names a mapping, the Cover none (the tally last read by its own header): the new
    # workbook would record the offer file's, and its refresh would refuse the tally; --no-mapping reads it as before
    (book.parent / "offer.toml").write_text('[tally]\nmapping = "map.toml"\n', encoding="utf-8")
    unmapped = {**base, "OfferSha256": sha256(book.parent / "offer.toml"), "TallySource": "t.csv"}
    assert f" && xlpy refresh {folder}/book-rebuilt.xlsm' --tally {folder}/t.csv' --no-mapping (then" in \
        rebuild_commands(unmapped, book)
    (book.parent / "offer.toml").write_text("offer", encoding="utf-8")
    seed = Path(str(resources.files("xlpy.examples") / "hecla-2004.toml"))
    example = {**base, "OfferFile": "hecla-2004.toml", "OfferSha256": sha256(seed)}
    for recorded in ("hecla-2004.toml", "offers/hecla-2004.toml"):  # (the committed workbook records the latter)
        assert rebuild_commands({**example, "OfferFile": recorded}, Path("book.xlsm")).startswith(
            "from the files its Cover records, run: xlpy build -o book-rebuilt.xlsm ("), recorded
    edited = {**example, "OfferSha256": "a" * 64}
    assert rebuild_commands(edited, Path("book.xlsm")) == (
        "its offer file, hecla-2004.toml, is not beside it (the Cover records its SHA-256 aaaaaaaaaaaa...): run xlpy "
        "build OFFER -o book-rebuilt.xlsm with that file")
    # the path recorded from the workbook's folder is followed; gone, a file of its name beside the workbook is taken
    (tmp_path / "offers").mkdir()
    (tmp_path / "offers" / "terms.toml").write_text("terms", encoding="utf-8")
    away = {**base, "OfferFile": "../offers/terms.toml", "OfferSha256": sha256(tmp_path / "offers" / "terms.toml")}
    assert rebuild_commands(away, book).startswith(  # (from where the workbook was named: its folder resolved)
        f"from the files its Cover records, run: xlpy build {tmp_path / 'offers' / 'terms.toml'} -o "
        f"{folder}/book-rebuilt")
    (tmp_path / "offers" / "terms.toml").rename(book.parent / "terms.toml")
    assert rebuild_commands(away, book).startswith(
        f"from the files its Cover records, run: xlpy build {folder}/terms.toml' -o {folder}/book-rebuilt")
    (book.parent / "terms.toml").write_text("terms edited", encoding="utf-8")  # (review 157: said to be nowhere)
    assert rebuild_commands(away, book).startswith(
        f"its offer file, {folder}/terms.toml', has other bytes than at the build (the Cover records its SHA-256 "
        f"{away['OfferSha256'][:12]}...): run xlpy build OFFER -o "), rebuild_commands(away, book)
    (book.parent / "offers").mkdir()  # a copy of the built-in example, built from, then edited: not the example
    (book.parent / "offers" / "hecla-2004.toml").write_text("edited", encoding="utf-8")
    assert rebuild_commands({**example, "OfferFile": "offers/hecla-2004.toml"}, book).startswith(
        f"its offer file, {folder}/offers/hecla-2004.toml', has other bytes than at the build")
    (book.parent / "terms.toml").unlink()
    assert rebuild_commands(away, book).startswith(
        "its offer file, ../offers/terms.toml, is neither where its Cover records it nor beside it (the Cover records "
        f"its SHA-256 {away['OfferSha256'][:12]}...): run xlpy build OFFER -o ")
    assert rebuild_commands({**edited, "TallySource": "agent.csv"}, Path("book.xlsm")).endswith(
        "with that file; then xlpy refresh book-rebuilt.xlsm --tally agent.csv (not found: agent.csv; name it where it "
        "is now)")
    assert rebuild_commands({"OfferFile": "offer.toml", "PriceSource": "p.csv"}, book) == (
        "its Cover's record of TallySource cannot be read: build the new workbook from the offer file under another "
        "name and refresh it from the agent's latest tally and the price history")



def test_the_commands_name_each_recorded_file_not_there_and_only_those(tmp_path):
    """Review 167: two files not found ("name each"), a price file not found, a tally there beside an offer file
    that is not, a folder where the tally was recorded, and a file whose accents are written the other way
    (composed in the record, decomposed on a Mac's disk) were never tried."""
    import unicodedata

    from xlpy.files.recorded import sha256

    deal = tmp_path / "deal"
    deal.mkdir()
    book = deal / "book.xlsm"
    (deal / "offer.toml").write_text("offer", encoding="utf-8")
    base = {"OfferFile": "offer.toml", "OfferSha256": sha256(deal / "offer.toml"), "TallySource": "t.csv",
            "PriceSource": "p.csv"}
    at = str(deal)
    assert rebuild_commands(base, book).endswith(
        f"--tally {at}/t.csv --prices {at}/p.csv (not found: {at}/t.csv, {at}/p.csv; name each where it is now) "
        "(then type into the new workbook any input typed into this one since its build)")
    (deal / "t.csv").write_text("", encoding="utf-8")
    assert f"--prices {at}/p.csv (not found: {at}/p.csv; name it where it is now)" in rebuild_commands(base, book)
    assert rebuild_commands({**base, "OfferSha256": "0", "PriceSource": NO_PRICE_FILE}, book).endswith(
        f"with that file; then xlpy refresh {at}/book-rebuilt.xlsm --tally {at}/t.csv")
    (deal / "t.csv").unlink()
    (deal / "t.csv").mkdir()  # (a folder of the tally's name is no tally)
    assert f"(not found: {at}/t.csv, {at}/p.csv;" in rebuild_commands(base, book)
    (deal / unicodedata.normalize("NFD", "café.csv")).write_text("", encoding="utf-8")
    cafe = {**base, "TallySource": unicodedata.normalize("NFC", "café.csv"), "PriceSource": NO_PRICE_FILE}
    assert "not found" not in rebuild_commands(cafe, book), rebuild_commands(cafe, book)


def test_a_later_xlpy_s_workbook_is_said_to_be_one(tmp_path, standard_books):
    """Not "built by an earlier xlpy ... rebuild it": a colleague's newer workbook needs the newer xlpy, and is
    neither rebuilt nor replaced by this one."""
    book = Path(shutil.copy(standard_books["seed"], tmp_path / "book.xlsm"))
    _as_layout(book, LAYOUT_VERSION + 1)
    later = f"built by a later xlpy (layout {LAYOUT_VERSION + 1}; this xlpy "
    before = book.read_bytes()
    for command in (["refresh", "book.xlsm"], ["validate", "book.xlsm", "--no-libreoffice"], ["build", "-o",
                                                                                             "book.xlsm"]):
        proc = _xlpy(*command, cwd=tmp_path)
        said = proc.stdout + proc.stderr
        assert later in said and "earlier" not in said and "rebuild" not in said, said
    assert book.read_bytes() == before


@pytest.fixture
def holders(standard_books, tmp_path) -> Path:
    """A copy of the standard holder workbook, with its tally and price files beside it."""
    return standard_books.copy_into("holders", tmp_path)


@pytest.mark.parametrize("version", [10, LAYOUT_VERSION + 1])
def test_a_button_says_the_layout_before_the_read_only_book(holders, monkeypatch, version):
    """An old workbook open read-only: the button says first that it can never be refreshed here (with the
    rebuild commands for an earlier one), not to open it again when it can be edited."""
    import xlwings
    from fake_excel import FakeApi, FakeBook, FakeName

    from xlpy import macros

    fake = FakeBook(holders)
    fake.name = holders.name  # (xlwings' Book.name: the file's name, beside its folder)
    fake.api = FakeApi(ReadOnly=True)
    text = fake.names[LAYOUT_NAME].refers_to
    fake.names[LAYOUT_NAME] = FakeName(text.replace(NOW, f";layout={version}"))
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, said = fake.app.alerts[-1]
    assert title == "xlpy: refresh refused" and "read-only" not in said, said
    assert (f"built by an earlier xlpy (layout {version};" in said and f"-o {holders.parent}/" in said
            if version == 10 else "built by a later xlpy" in said), said
    assert not any(s.writes for s in fake.sheets)


@pytest.mark.parametrize("version", [10, LAYOUT_VERSION + 1])
def test_refresh_says_the_layout_before_the_book_open_elsewhere(holders, version):
    """As the buttons do: an old workbook left open in LibreOffice (its lock file beside it) is said first to be
    of another layout (with the commands for an earlier one), not to be closed and refreshed again; once its
    layout is right, the lock file is said."""
    current = holders.read_bytes()
    _as_layout(holders, version)
    (holders.parent / f".~lock.{holders.name}#").write_text(",someone,host,01.12.2026 09:00,", encoding="utf-8")
    before = holders.read_bytes()
    proc = _xlpy("refresh", holders.name, cwd=holders.parent)
    assert proc.returncode == 2 and "open in LibreOffice" not in proc.stderr, proc.stderr
    assert f"{holders.name}: {LAYOUT_NAME}: the workbook was built by {'an earlier' if version == 10 else 'a later'} " \
        f"xlpy (layout {version};" in proc.stderr, proc.stderr
    assert (f"xlpy refresh {holders.stem}-rebuilt.xlsm --tally " in proc.stderr) is (version == 10), proc.stderr
    assert holders.read_bytes() == before
    holders.write_bytes(current)
    proc = _xlpy("refresh", holders.name, cwd=holders.parent)
    assert proc.returncode == 3 and "open in LibreOffice by someone" in proc.stderr, proc.stderr  # busy


def test_an_old_workbook_refreshed_or_validated_through_a_link_is_rebuilt_from_its_target_s_files(holders, tmp_path):
    """Review: through a symbolic link in another folder, the commands named the files beside the link (not
    there, or another day's of the same name) where the workbook's Cover records them beside its target."""
    _as_layout(holders, 10)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "link.xlsm").symlink_to(holders)
    for command in (["refresh", "link.xlsm"], ["validate", "link.xlsm", "--no-libreoffice"]):
        proc = _xlpy(*command, cwd=elsewhere)
        said = proc.stdout + proc.stderr
        assert f"xlpy refresh {holders.parent}/{holders.stem}-rebuilt.xlsm --tally {holders.parent}/" in said, said


def test_a_path_is_quoted_for_the_shell_it_is_run_in(monkeypatch):
    """POSIX quoting in bash; on Windows double quotes, which cmd.exe and PowerShell both read (single quotes are
    no quotes to cmd.exe, and PowerShell splits a name holding one)."""
    from types import SimpleNamespace

    from xlpy.workbook import rebuild

    assert rebuild.quoted("deal/agent's tally.csv") == "'deal/agent'\"'\"'s tally.csv'"
    assert rebuild.quoted("deal/prices.csv") == "deal/prices.csv"
    monkeypatch.setattr(rebuild, "os", SimpleNamespace(name="nt"))
    assert rebuild.quoted(r"C:\Deals\agent's tally.csv") == '"' + r"C:\Deals\agent's tally.csv" + '"'
    assert rebuild.quoted(r"C:\Deals\prices.csv") == r"C:\Deals\prices.csv"
    assert rebuild.quoted("-old.xlsm") == r".\-old.xlsm"


def test_on_windows_the_build_and_the_refresh_are_two_commands(tmp_path, monkeypatch):
    """Review 74: `xlpy build ... && xlpy refresh ...` is refused whole by Windows PowerShell 5.1, Windows' default
    shell (`The token '&&' is not a valid statement separator`), and cmd.exe takes no `;`: on Windows each command
    is given to be run in turn."""
    from types import SimpleNamespace

    from xlpy.files.recorded import sha256
    from xlpy.workbook import rebuild

    (tmp_path / "deal").mkdir()
    (tmp_path / "deal" / "offer.toml").write_text("offer", encoding="utf-8")
    (tmp_path / "deal" / "agent.csv").write_text("holder_id,units,method,status\n", encoding="utf-8")
    records = {"OfferFile": "offer.toml", "OfferSha256": sha256(tmp_path / "deal" / "offer.toml"),
               "TallySource": "agent.csv", "PriceSource": NO_PRICE_FILE}
    book = Path("deal") / "book.xlsm"
    monkeypatch.chdir(tmp_path)
    assert " -o deal/book-rebuilt.xlsm && xlpy refresh deal/book-rebuilt.xlsm --tally deal/agent.csv (then" in \
        rebuild_commands(records, book)
    monkeypatch.setattr(rebuild, "os", SimpleNamespace(name="nt"))
    said = rebuild_commands(records, book)
    assert "&&" not in said and f" -o {Path('deal', 'book-rebuilt.xlsm')}, then run: xlpy refresh " \
        f"{Path('deal', 'book-rebuilt.xlsm')} --tally {Path('deal', 'agent.csv')} (then" in said, said


def test_the_cover_and_version_name_the_layout(standard_books, capsys):
    """Two workbooks of one xlpy version but other layouts are told apart on their Covers, and ``xlpy --version``
    says which layout this xlpy writes: the layout, not the version, is what refresh and validate read."""
    from xlpy import __version__
    from xlpy.cli import main

    wb = load_workbook(standard_books["seed"], read_only=True)
    ((sheet, ref),) = wb.defined_names["BuiltWith"].destinations
    assert wb[sheet][ref.replace("$", "")].value == f"xlpy {__version__}, layout {LAYOUT_VERSION}"
    wb.close()
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"xlpy {__version__} (workbook layout {LAYOUT_VERSION})\n"


@pytest.mark.parametrize("version", [12, LAYOUT_VERSION - 1])
def test_a_workbook_of_the_last_layouts_gets_the_rebuild_advice_and_following_it_gives_a_valid_workbook(
        tmp_path, version):
    """Layout 14 changed every workbook's Cover: a workbook of layout 13 is refused by refresh, named by validate and
    not written over by build, each with the commands that rebuild it, as one of layout 12 is; run as written, they
    give a workbook that validates and keeps the old one's History."""
    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    shutil.copytree(DATA, tmp_path / "data")
    assert _xlpy("build", FORMULA.name, "-o", "offer.xlsm", "--no-validate", "-q", cwd=tmp_path).returncode == 0
    _as_layout(tmp_path / "offer.xlsm", version)
    before = (tmp_path / "offer.xlsm").read_bytes()
    advice = set()
    for command in (["refresh", "offer.xlsm"], ["validate", "offer.xlsm", "--no-libreoffice"],
                    ["build", FORMULA.name, "-o", "offer.xlsm"]):
        proc = _xlpy(*command, cwd=tmp_path)
        said = proc.stdout + proc.stderr
        assert proc.returncode == (1 if command[0] == "validate" else 2), said
        verb = "writes" if command[0] == "build" else "reads"
        assert f"built by an earlier xlpy (layout {version}; this xlpy {verb} layout {LAYOUT_VERSION})" in said, said
        advice.add(said.split("from the files its Cover records, run: ", 1)[1].split(" (then type")[0])
    assert (tmp_path / "offer.xlsm").read_bytes() == before
    (commands,) = advice
    assert commands == (f"xlpy build {FORMULA.name} -o offer-rebuilt.xlsm --history-from offer.xlsm && xlpy refresh "
                        f"offer-rebuilt.xlsm --tally data/{TALLY} --prices data/{PRICES}")
    for command in commands.split(" && "):
        proc = _xlpy(*shlex.split(command)[1:], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    proc = _xlpy("validate", "offer-rebuilt.xlsm", "--no-libreoffice", cwd=tmp_path)
    assert proc.returncode == 0 and "offer-rebuilt.xlsm: valid" in proc.stdout, proc.stdout
    assert [r[1] for r in _history(tmp_path / "offer-rebuilt.xlsm")] == [f"data/{TALLY}"]  # the old one's build row
