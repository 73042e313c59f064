"""Refusals and messages of the command line found by QA: a damaged workbook not rendered, ``vba -o`` never
replacing a file unasked, each of several workbooks validated on its own, ``refresh``'s warnings on standard
error, and values shown as typed."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from repo_paths import SEED

from xlpy.cli import main
from xlpy.files import safety

SHEET5 = "xl/worksheets/sheet5.xml"


pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


def damage(book: Path, out: Path, how: str) -> Path:
    """*book* with *SHEET5* damaged: the CRC-32 its headers give made another (its data then fails the check,
    whatever bytes it holds), or its first packed byte made a reserved deflate block type (it does not inflate)."""
    data = bytearray(book.read_bytes())
    info = zipfile.ZipFile(book).getinfo(SHEET5)
    n, m = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + n + m
    if how == "crc":
        other = struct.pack("<I", info.CRC ^ 0xFFFFFFFF)
        data[info.header_offset + 14:info.header_offset + 18] = other  # the local header's
        at = data.find(b"PK\x01\x02")
        while data[at + 46:at + 46 + len(SHEET5)] != SHEET5.encode():  # the central directory's entry
            at = data.find(b"PK\x01\x02", at + 4)
        data[at + 16:at + 20] = other
    else:
        data[start] = 0xFF  # BTYPE 11: "invalid block type"
    out.write_bytes(bytes(data))
    return out


# --- render -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how, why", [("crc", f"Bad CRC-32 for file '{SHEET5}'"),
                                      ("inflate", f"part {SHEET5}: Error -3 while decompressing data: invalid block "
                                                  "type")])
def test_render_refuses_a_damaged_workbook_as_refresh_does(seed, capsys, monkeypatch, how, why):
    from xlpy.workbook import libreoffice, rendering

    bad = damage(seed, seed.parent / "crc.xlsm", how)
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(rendering, "render", lambda *a, **k: pytest.fail("LibreOffice was run"))
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


# --- vba -o ----------------------------------------------------------------------------------------------


def test_vba_never_replaces_a_file_unasked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("udfs.bas").write_bytes(b"a module of one's own")
    Path("offer.xlsm").write_bytes(b"PK\x03\x04 a workbook")
    Path("mine.bas").write_bytes(b"the target")
    Path("link.bas").symlink_to("mine.bas")
    assert main(["vba", "-o", "udfs.bas"]) == 2
    assert main(["vba", "-o", "link.bas"]) == 2
    assert main(["vba", "-o", "offer.xlsm"]) == 2
    assert main(["vba", "-o", "offer.xlsm", "--force"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy vba: --output: exists; pass --force to replace it, got 'udfs.bas'",
        "xlpy vba: --output: exists; pass --force to replace it, got 'link.bas'",
        "xlpy vba: --output: must end in .bas: the VBA editor's File > Import File reads a module from a .bas "
        "file, got 'offer.xlsm'",
        "xlpy vba: --output: must end in .bas: the VBA editor's File > Import File reads a module from a .bas "
        "file, got 'offer.xlsm'"]
    assert Path("udfs.bas").read_bytes() == b"a module of one's own"
    assert Path("offer.xlsm").read_bytes() == b"PK\x03\x04 a workbook"
    assert Path("mine.bas").read_bytes() == b"the target" and Path("link.bas").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.bas", "mine.bas", "offer.xlsm", "udfs.bas"]


def test_vba_force_replaces_a_file_and_writes_through_a_link(tmp_path, capsys, monkeypatch):
    from xlpy.excel import vba

    monkeypatch.chdir(tmp_path)
    Path("udfs.BAS").write_bytes(b"old")
    Path("mine.bas").write_bytes(b"the target")
    Path("link.bas").symlink_to("mine.bas")
    assert main(["vba", "-o", "udfs.BAS", "--force"]) == 0
    assert main(["vba", "-o", "link.bas", "--force"]) == 0
    module = vba.write_bas(tmp_path / "expected.bas", vba.generate_bas(vba.UDF_MODULES)).read_bytes()
    assert Path("udfs.BAS").read_bytes() == module and Path("mine.bas").read_bytes() == module
    assert Path("link.bas").is_symlink() and Path("link.bas").readlink() == Path("mine.bas")  # the link stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.bas", "link.bas", "mine.bas", "udfs.BAS"]
    assert capsys.readouterr().err == ""


# --- validate, several workbooks ------------------------------------------------------------------------


def _over_the_limit(seed: Path) -> Path:
    """A copy of *seed* holding a 2 MB part (stored, not packed): over ``--max-part-mb 1``."""
    big = Path(shutil.copy(seed, seed.parent / "big.xlsm"))
    with zipfile.ZipFile(big, "a") as z:
        z.writestr("customXml/item9.xml", b" " * (2 << 20))
    return big


LIMIT_LINE = ("xlpy validate: big.xlsm: part customXml/item9.xml: unpacks to 2.0 MB, over the limit of 1 MB per "
              "part; refused before unpacking (raise the limit with --max-part-mb or XLPY_MAX_PART_MB)")


def test_validate_reports_each_workbook_when_one_is_over_a_limit(seed, capsys):
    big = _over_the_limit(seed)
    other = Path(shutil.copy(seed, seed.parent / "other.xlsm"))
    argv = ["--no-formulas", "--no-libreoffice", "--max-part-mb", "1"]
    assert main(["validate", str(big), str(seed), str(other), *argv]) == 2  # bad input beats a clean workbook
    out, err = capsys.readouterr()
    assert err.splitlines() == [LIMIT_LINE]
    assert out.splitlines() == ["book.xlsm: valid (127 figures compared; recalculated by: none)",
                                "other.xlsm: valid (127 figures compared; recalculated by: none)"]
    (seed.parent / "missing.xlsm").unlink(missing_ok=True)
    assert main(["validate", str(seed), str(seed.parent / "missing.xlsm"), str(big), *argv, "--json"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [LIMIT_LINE]
    assert [(r["workbook"], r["ok"], "errors" in r) for r in json.loads(out)] == [
        ("book.xlsm", True, False), ("missing.xlsm", False, False), ("big.xlsm", False, True)]  # (its refusal's)
    assert main(["validate", str(seed), str(seed.parent / "missing.xlsm"), *argv]) == 1  # a finding: 1
    assert main(["validate", str(seed), *argv]) == 0
    capsys.readouterr()


def test_validate_refuses_a_bad_offer_file_once_for_all_workbooks(seed, capsys):
    (seed.parent / "bad.toml").write_text("x = \n", encoding="utf-8")
    assert main(["validate", str(seed), str(seed.parent / "missing.xlsm"), "--offer", str(seed.parent / "bad.toml"),
                 "--no-formulas", "--no-libreoffice"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "xlpy validate: bad.toml: is not valid TOML: Invalid value (at line 1, column 5), got 'x ='"]


def test_an_offer_file_s_impossible_date_shows_the_line_it_is_on(tmp_path, capsys):
    """Review: expiration = 2004-02-30 was told "Invalid date or datetime (at line 20, column 14)", naming neither
    the key nor the value; the line is shown, without its comment."""
    from repo_paths import SEED

    path = tmp_path / "bad.toml"
    path.write_text(SEED.read_text(encoding="utf-8").replace("expiration = 2004-02-20", "expiration = 2004-02-30"),
                    encoding="utf-8")
    assert main(["compute", str(path)]) == 2
    (said,) = capsys.readouterr().err.splitlines()
    assert said.startswith("xlpy compute: bad.toml: is not valid TOML: Invalid date or datetime (at line ")
    assert said.endswith("), got 'expiration = 2004-02-30'"), said
    # review 55: a U+2028 in a comment is no line break to TOML, and the line shown is still the one at fault
    path.write_text(path.read_text(encoding="utf-8").replace('issuer = "', '# 8-K\u2028 filed\nissuer = "', 1),
                    encoding="utf-8")
    assert main(["compute", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[0].endswith("), got 'expiration = 2004-02-30'")


def test_validate_names_a_missing_workbook_a_folder_and_an_offer_file_as_findings(tmp_path, capsys, monkeypatch):
    """Deliberately findings (status 1), not bad input (2): the README, the offer-file contract and the command
    line's docstring say so."""
    import xlpy.cli

    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED, tmp_path / "offer.toml")
    (tmp_path / "folder").mkdir()
    assert main(["validate", "nope.xlsm", "folder", ".", "offer.toml", "--no-formulas", "--no-libreoffice"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert [line for line in out.splitlines() if "[structure]" in line] == [
        "nope.xlsm: file: workbook not found: expected nope.xlsm, found nothing [structure]",
        "folder: file: is a folder, not a workbook: expected a workbook file, found a folder [structure]",
        ".: file: is a folder, not a workbook: expected a workbook file, found a folder [structure]",
        "offer.toml: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found an offer file "
        "(TOML), which goes after --offer [structure]"]
    root = Path(__file__).resolve().parent.parent
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert ("`xlpy validate` names a workbook not found, a folder or an offer file given as a workbook as a finding "
            "instead, exit status 1") in readme
    assert "so they exit with status 1, not 2" in readme
    contract = (root / "docs" / "offer-file.md").read_text(encoding="utf-8")
    assert ("for `xlpy validate`, a workbook that is not there, a folder, or a file that is no workbook (an offer file "
            "given in its place) is such a problem") in contract
    assert "a workbook that is not there, a folder, or a file that is no workbook" in " ".join(xlpy.cli.__doc__.split())


# --- values shown as typed; a workbook given as the mapping --------------------------------------------


@pytest.mark.parametrize("option, typed", [("--max-part-mb", "-1"), ("--max-ratio", "0"), ("--max-total-mb", "-0.50"),
                                           ("--max-parts", "0")])
def test_a_limit_is_shown_as_typed(capsys, option, typed):
    assert main(["compute", str(SEED), f"{option}={typed}"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: {option}: must be > 0, got {typed}"]


def test_a_limit_that_is_no_number_is_named_by_argparse(capsys):
    assert main(["compute", str(SEED), "--max-ratio", "lots"]) == 2  # (argparse's own refusal, as a status)
    assert capsys.readouterr().err.splitlines() == [
        "xlpy compute: argument --max-ratio: invalid float value: 'lots' (see xlpy compute --help)"]


def test_a_limit_given_works_as_its_number(seed, capsys):
    assert main(["validate", str(seed), "--no-formulas", "--no-libreoffice", "--max-part-mb", "0.0050"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy validate: book.xlsm: part xl/theme/theme1.xml: unpacks to 0.0074 MB, over the limit of 0.005 MB per "
        "part; refused before unpacking (raise the limit with --max-part-mb or XLPY_MAX_PART_MB)"]


def test_a_limit_given_to_one_call_does_not_carry_over_to_the_next(seed, capsys):
    """QA: a script calling ``main`` twice in one process found its first call's --max-parts 3 still in force
    in the second; each command's limits are its own options, else the environment's or the defaults, and a
    call in another thread neither sees nor clears them (review: they were one dict for the process)."""
    import threading

    assert main(["validate", str(seed), "--no-formulas", "--no-libreoffice", "--max-parts", "3"]) == 2
    assert "over the limit of 3" in capsys.readouterr().err
    assert main(["validate", str(seed), "--no-formulas", "--no-libreoffice"]) == 0
    assert capsys.readouterr().out.startswith("book.xlsm: valid (")
    assert safety.limits().parts == safety.DEFAULTS["parts"][0]  # nothing left set after the calls
    safety.configure(parts=3)  # this thread's (as a command sets it): another thread starts from the defaults
    seen = []
    worker = threading.Thread(target=lambda: seen.append(safety.limits().parts))
    worker.start()
    worker.join()
    assert seen == [safety.DEFAULTS["parts"][0]] and safety.limits().parts == 3


def test_refresh_names_a_workbook_given_as_the_mapping(seed, capsys):
    (seed.parent / "counts.csv").write_text("tendered,guaranteed delivery\n280000,0\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in seed.parent.iterdir()}
    assert main(["refresh", str(seed), "--tally", str(seed.parent / "counts.csv"), "--mapping", str(seed)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {seed}: is a workbook or another ZIP package, not a mapping file (TOML); the workbook to "
        "refresh is the first argument, an XLSX tally goes after --tally", f"xlpy refresh: {seed} was not changed"]
    assert {p.name: p.read_bytes() for p in seed.parent.iterdir()} == before
    assert main(["compute", str(seed)]) == 0  # (compute takes a workbook in place of the offer file: its inputs)
    assert capsys.readouterr().err.splitlines()[0].startswith("xlpy compute: from the workbook's inputs (book.xlsm, ")


def test_an_xlpy_workbook_given_as_the_tally_is_named_as_one(seed, capsys, monkeypatch):
    """A workbook given as its own tally was two lines on its Cover's first row ("header: has no holder_id column
    ..., got ', Exchange offer results'"); another xlpy workbook is named as one by the name every one holds."""
    from xlpy.files.xlsx_sheet import XLPY_WORKBOOK_NAME
    from xlpy.workbook.layout.model import LAYOUT_NAME

    assert XLPY_WORKBOOK_NAME == LAYOUT_NAME
    other = Path(shutil.copy(seed, seed.parent / "other.xlsm"))
    before = {p.name: p.read_bytes() for p in seed.parent.iterdir()}
    monkeypatch.chdir(seed.parent)
    assert main(["refresh", str(seed), "--tally", "./book.xlsm"]) == 2  # (another spelling of the same file)
    assert capsys.readouterr().err.splitlines() == [
        "xlpy refresh: --tally: is the workbook being refreshed, not a tally: give the exchange agent's tally file, "
        "got './book.xlsm'", f"xlpy refresh: {seed} was not changed"]
    assert main(["refresh", str(seed), "--tally", str(other)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {other}: is an xlpy workbook (offer results: it holds the name xlpyLayout), not a tally: "
        "give the exchange agent's tally file", f"xlpy refresh: {seed} was not changed"]
    assert main(["refresh", str(seed), "--prices", "./book.xlsm"]) == 2  # (review 54: as the tally)
    assert capsys.readouterr().err.splitlines() == [
        "xlpy refresh: --prices: is the workbook being refreshed, not a price history: give the price file (CSV), "
        "got './book.xlsm'", f"xlpy refresh: {seed} was not changed"]
    assert {p.name: p.read_bytes() for p in seed.parent.iterdir()} == before


def test_an_offer_files_mapping_that_is_a_workbook_is_named_as_one(seed, capsys):
    from repo_paths import DATA, FORMULA, TALLY

    shutil.copy(DATA / TALLY, seed.parent / TALLY)
    shutil.copy(DATA / "hecla-2004-prices-illustrative.csv", seed.parent / "hecla-2004-prices-illustrative.csv")
    text = FORMULA.read_text(encoding="utf-8").replace(f'file = "data/{TALLY}"', f'file = "{TALLY}"\nmapping = '
                                                       '"book.xlsm"').replace('"data/', '"')
    (seed.parent / "offer.toml").write_text(text, encoding="utf-8")
    assert main(["compute", str(seed.parent / "offer.toml")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy compute: offer.toml: tally.mapping: book.xlsm: is a workbook or another ZIP package, not a mapping file "
        "(TOML); an XLSX tally goes in tally.file"]


# --- a name longer than the file system allows ----------------------------------------------------------

LONG = "a" * 300  # a name of 300 characters: more than the usual file system's 255 bytes


@pytest.mark.parametrize("argv, path", [
    (["build", "offer.toml", "--no-validate", "-o", f"{LONG}.xlsm"], f"{LONG}.xlsm"),
    (["validate", f"{LONG}.xlsm", "--no-formulas", "--no-libreoffice"], f"{LONG}.xlsm"),
    (["refresh", f"{LONG}.xlsm"], f"{LONG}.xlsm"),
    (["refresh", "book.xlsm", "--tally", f"{LONG}.csv"], f"{LONG}.csv"),
    (["render", "book.xlsm", "-o", LONG], LONG),
    (["compute", f"{LONG}.toml"], f"{LONG}.toml"),
    (["compute", "long-tally.toml"], f"data/{LONG}.csv"),  # an offer file's tally.file
])  # (a workbook named after a 300-character offer.id: named as the id, in the test of names too long from it)
def test_a_name_longer_than_the_file_system_allows_is_one_line(seed, capsys, monkeypatch, argv, path):
    monkeypatch.chdir(seed.parent)
    shutil.copytree(SEED.parent / "data", "data")
    text = SEED.read_text(encoding="utf-8")
    Path("offer.toml").write_text(text, encoding="utf-8")
    formula = (SEED.parent / "hecla-2004-formula.toml").read_text(encoding="utf-8")
    Path("long-tally.toml").write_text(formula.replace('file = "data/hecla-2004-tally.csv"',
                                                                    f'file = "data/{LONG}.csv"', 1),
                                       encoding="utf-8")
    before = sorted(p.name for p in seed.parent.iterdir())
    book = seed.read_bytes()
    assert main(argv) == 2
    out, err = capsys.readouterr()
    shown = f"{path[:40]}...{path[-20:]} ({len(path):,} characters)"
    # (a refresh of a workbook that is there says it was not changed; of one whose name is too long, nothing more)
    closing = "xlpy refresh: book.xlsm was not changed\n" if argv[:2] == ["refresh", "book.xlsm"] else ""
    assert err == f"xlpy {argv[0]}: {shown}: has a name longer than the file system allows\n{closing}", err
    assert sorted(p.name for p in seed.parent.iterdir()) == before and seed.read_bytes() == book


def test_refresh_refuses_a_holder_id_a_workbook_cannot_store(standard_books, tmp_path, capsys, monkeypatch):
    """``DTC\\uFFFE-0022`` was written into the holder table: the refreshed workbook opened nowhere (exit 0; only
    the backup was left whole)."""
    monkeypatch.chdir(tmp_path)
    book = Path(shutil.copy(standard_books["holders"], tmp_path / "book.xlsm"))
    lines = (SEED.parent / "data" / "hecla-2004-tally.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = "DTC\ufffe-0022," + lines[1].split(",", 1)[1]
    Path("t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = book.read_bytes()
    prices = SEED.parent / "data" / "hecla-2004-prices-illustrative.csv"
    assert main(["refresh", "book.xlsm", "--tally", "t.csv", "--prices", str(prices), "-q"]) == 2
    assert capsys.readouterr().err == ("xlpy refresh: t.csv: row 2, column holder_id: holds a noncharacter (U+FFFE), "
                                       "which a workbook cannot store, got 'DTC\\ufffe-0022'\n"
                                       "xlpy refresh: book.xlsm was not changed\n")
    assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm", "t.csv"]


def test_a_path_the_cover_would_record_with_a_character_a_workbook_cannot_store_is_refused(standard_books, tmp_path,
                                                                                           capsys, monkeypatch):
    """The Cover records the offer file's name and the tally's and price file's paths: a U+FFFE in one (a legal
    file name) made a workbook that opened nowhere, by build and refresh alike (exit 0)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEED.parent / "data", "data")
    shutil.copy(SEED.parent / "data" / "hecla-2004-tally.csv", "data/t\ufffe.csv")
    shutil.copy(SEED, "o\ufffe.toml")
    assert main(["build", "o\ufffe.toml", "-o", "out.xlsm", "--no-validate", "-q"]) == 2
    why = "holds a noncharacter (U+FFFE), which a workbook cannot store (the workbook's Cover records the path)"
    assert capsys.readouterr().err == f"xlpy build: offer file: {why}, got 'o\\ufffe.toml'\n"
    assert not Path("out.xlsm").exists()
    # An offer file in a folder of such a name is built, its name alone recorded (review 157: refused once its path
    # was recorded, where the build needs only the file), and found beside the workbook as before.
    Path("f\ufffe").mkdir()
    shutil.copy(SEED, "f\ufffe/o.toml")
    assert main(["build", "f\ufffe/o.toml", "-o", "out.xlsm", "--no-validate", "-q"]) == 0
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.rebuild import book_records

    with PackageBook(Path("out.xlsm")) as built:
        assert book_records(built)["OfferFile"] == "o.toml"
    capsys.readouterr()
    Path("out.xlsm").unlink()
    book = Path(shutil.copy(standard_books["holders"], tmp_path / "book.xlsm"))
    before = book.read_bytes()
    assert main(["refresh", "book.xlsm", "--tally", "data/t\ufffe.csv", "-q"]) == 2
    assert capsys.readouterr().err == (f"xlpy refresh: --tally: {why}, got 'data/t\\ufffe.csv'\n"
                                       "xlpy refresh: book.xlsm was not changed\n")
    assert book.read_bytes() == before and not list(tmp_path.glob("*.bak.xlsm"))
    # Through a link in a folder of that name: the Cover records the path from the link's target, which it names.
    Path("l\ufffe").mkdir()
    Path("l\ufffe/book.xlsm").symlink_to(book)
    shutil.copy("data/hecla-2004-tally.csv", "l\ufffe/t.csv")
    monkeypatch.chdir("l\ufffe")
    assert main(["refresh", "book.xlsm", "--tally", "t.csv", "-q"]) == 2
    assert capsys.readouterr().err == ("xlpy refresh: --tally: holds a noncharacter (U+FFFE), which a workbook cannot "
                                       "store (the workbook's Cover records the path as 'l\\ufffe/t.csv'), got "
                                       "'t.csv'\nxlpy refresh: book.xlsm was not changed\n")
    assert book.read_bytes() == before


def test_an_engine_refusal_names_the_workbook_s_cells_not_offer_file_keys(seed, capsys):
    """A fixed ratio typed below the original one: refresh and validate name each input the engine's reason speaks
    of by the cell a person types it in (the original ratio, the carrying amount to give), not by its offer-file
    key; and the file is left as it was."""
    from openpyxl import load_workbook

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    wb = load_workbook(seed, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    fixed, original, carrying = ("{}!{} ({})".format(*lay.cell(n), n) for n in ("FixedRatio", "OriginalRatio",
                                                                                "CarryingAmount"))
    wb[lay.cell("FixedRatio")[0]][lay.cell("FixedRatio")[1]] = 3
    wb.save(seed)
    (seed.parent / "c.csv").write_text("tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    before = seed.read_bytes()
    why = (f"is below {original} (3.2): not an induced conversion; give {carrying} to measure it as an "
           "extinguishment or redemption, got 3")
    assert main(["refresh", str(seed), "--tally", str(seed.parent / "c.csv")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: book.xlsm: {fixed}: {why}",
                                                    f"xlpy refresh: {seed} was not changed"]
    assert seed.read_bytes() == before
    assert main(["validate", str(seed), "--no-libreoffice"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"book.xlsm: {fixed}: the engine refuses the workbook's inputs: {why} [engine]")


def test_a_reason_naming_the_accrued_interest_names_its_input_cell():
    """The grid bound of a failing notes offer names the accrued interest given up: in a workbook, by its cell."""
    from xlpy.engine.errors import InputError
    from xlpy.workbook.data import in_workbook_terms
    from xlpy.workbook.layout import Shape, layout

    lay = layout(Shape())
    cell = "{}!{} (AccruedInterestPerUnit)".format(*lay.cell("AccruedInterestPerUnit"))
    p = in_workbook_terms(lay, InputError("Sensitivity grid: x", 1, "check offer.outstanding and "
                                          "accounting.accrued_interest_per_unit."))
    assert (p.field, p.reason) == ("Sensitivity grid: x", "check {}!{} (Outstanding) and {}.".format(
        *lay.cell("Outstanding"), cell))


def test_a_notes_tally_in_principal_amounts_is_named_so(tmp_path, capsys):
    """79,300,000 "units" of $1,000 notes against 100,000 outstanding: refused as too many, with no word that the
    agent gave principal, not notes."""
    import csv

    from repo_paths import DATA, NOTES

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(NOTES, tmp_path / "notes.toml")
    tally = tmp_path / "data" / "notes-capped-tally.csv"
    rows = list(csv.reader(tally.open(encoding="utf-8")))
    with tally.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0]] + [[r[0], str(int(r[1]) * 1000), *r[2:]] for r in rows[1:]])
    assert main(["compute", str(tmp_path / "notes.toml")]) == 2
    assert ("units tendered and not withdrawn must not exceed offer.outstanding (100,000): a unit is one note of 1,000 "
            "principal; is the tally in principal amounts (79,300,000 ÷ 1,000 = 79,300 notes)? give each holder's "
            "notes, got 79,300,000") in capsys.readouterr().err


def test_a_refresh_from_a_notes_tally_in_principal_amounts_says_so_too(tmp_path, capsys):
    """Review: compute named a notes tally in principal amounts; refresh, whose count is checked before the engine
    runs, said only "must not exceed Outstanding (Inputs!C12: 100,000), got 84300000"."""
    from repo_paths import DATA, NOTES

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(NOTES, tmp_path / "notes.toml")
    assert main(["build", str(tmp_path / "notes.toml"), "-o", str(tmp_path / "notes.xlsm"), "--no-validate",
                 "-q"]) == 0
    (tmp_path / "amounts.csv").write_text("holder_id,units,method,status\nA,84300000,book-entry,tendered\n",
                                          encoding="utf-8")
    capsys.readouterr()
    before = (tmp_path / "notes.xlsm").read_bytes()
    assert main(["refresh", str(tmp_path / "notes.xlsm"), "--tally", str(tmp_path / "amounts.csv")]) == 2
    said, closing = capsys.readouterr().err.splitlines()
    assert closing == f"xlpy refresh: {tmp_path / 'notes.xlsm'} was not changed"
    assert said.endswith("must not exceed Outstanding (Inputs!C12: 100,000): a unit is one note of 1,000 principal; "
                         "is the tally in principal amounts (84,300,000 ÷ 1,000 = 84,300 notes)? give each holder's "
                         "notes, got 84,300,000"), said
    assert (tmp_path / "notes.xlsm").read_bytes() == before
    # review 55: an aggregate count in principal has no holders to give notes of
    (tmp_path / "counts.csv").write_text("tendered,guaranteed delivery,failed delivery\n84300000,0,0\n",
                                         encoding="utf-8")
    assert main(["refresh", str(tmp_path / "notes.xlsm"), "--tally", str(tmp_path / "counts.csv")]) == 2
    said, closing = capsys.readouterr().err.splitlines()
    assert closing == f"xlpy refresh: {tmp_path / 'notes.xlsm'} was not changed"
    assert said.endswith("(84,300,000 ÷ 1,000 = 84,300 notes)? give the notes tendered, got 84,300,000"), said
    assert (tmp_path / "notes.xlsm").read_bytes() == before


@pytest.mark.parametrize("how, said", [
    ("deflate64", "That compression method is not supported"),  # (zipfile reads no Deflate64)
    ("encrypted", "is encrypted"),
])
def test_validate_of_a_part_zipfile_cannot_read_is_a_finding_and_the_next_book_is_validated(seed, tmp_path, capsys,
                                                                                          how, said):
    """Looking for the damaged part raised what zipfile raises for such a part: a traceback, and the workbooks after
    it were never validated."""
    data = bytearray(seed.read_bytes())
    name = b"xl/worksheets/sheet2.xml"
    for sig, name_at, field_at, len_at in ((b"PK\x03\x04", 30, 8, 26), (b"PK\x01\x02", 46, 10, 28)):
        at = data.find(sig)
        while at >= 0:
            n = struct.unpack_from("<H", data, at + len_at)[0]
            if data[at + name_at:at + name_at + n] == name:
                if how == "deflate64":
                    struct.pack_into("<H", data, at + field_at, 9)  # the method
                else:
                    flags_at = at + field_at - 2
                    struct.pack_into("<H", data, flags_at, struct.unpack_from("<H", data, flags_at)[0] | 1)
            at = data.find(sig, at + 4)
    bad = tmp_path / "odd.xlsm"
    bad.write_bytes(bytes(data))
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("odd.xlsm: file: cannot be opened as a workbook: expected an .xlsm, found ") and \
        said in out[0], out
    assert out[-1].startswith(f"{seed.name}: valid ("), out


@pytest.mark.parametrize("epoch", [" x", "1077148800.5", "99999999999", "100", "-1", "１０７７"])
def test_a_source_date_epoch_a_workbook_cannot_be_dated_with_is_named(tmp_path, monkeypatch, capsys, epoch):
    """A build time that is not whole seconds from 1980 to 2107 (a ZIP entry's dates) was a traceback; nothing
    is written."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(["build", str(SEED), "-o", "b.xlsm", "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert "xlpy build: SOURCE_DATE_EPOCH: must be whole seconds since 1970-01-01 UTC, from 1980 to 2107" in err
    assert err.rstrip().endswith(f"got {epoch!r}") and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [
    ["vba", "-o", "udfs.bas", "--f"],  # --force, which replaces a file
    ["build", str(SEED), "-o", "book.xlsm", "--no-v", "--fo"],  # --no-validate --force
    ["entries", str(SEED), "--js"],  # --json
])
def test_an_option_is_taken_only_as_spelled(tmp_path, capsys, monkeypatch, argv):
    """No abbreviations: a shortened option is a usage error (exit 2), never the option it starts, above all not
    --force, which replaces a file the user may not have meant to lose."""
    monkeypatch.chdir(tmp_path)
    Path("udfs.bas").write_bytes(b"a module of one's own")
    Path("book.xlsm").write_bytes(b"PK\x03\x04 a workbook")
    assert main(argv) == 2
    assert "unrecognized arguments: " + " ".join(a for a in argv if a.startswith("--")) in capsys.readouterr().err
    assert Path("udfs.bas").read_bytes() == b"a module of one's own"
    assert Path("book.xlsm").read_bytes() == b"PK\x03\x04 a workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm", "udfs.bas"]


@pytest.mark.parametrize("name", ["offer", "tally", "o", "val"])
def test_an_offer_file_named_like_a_key_is_still_named_before_each_problem(tmp_path, capsys, monkeypatch, name):
    """Every problem of an offer file is put after its file name, also when the name begins a key's path."""
    from repo_paths import SEED_TEXT

    monkeypatch.chdir(tmp_path)
    text = SEED_TEXT.replace("outstanding = 464777\n", "outstanding = -5\n").replace("tendered = 274000\n",
                                                                                      "tendered = -1\n")
    Path(name).write_text(text, encoding="utf-8")
    assert main(["compute", name]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy compute: {name}: offer.outstanding: must be a positive whole number, got -5",
        f"xlpy compute: {name}: tally.tendered: must not be negative, got -1"]


def test_a_workbook_name_too_long_from_the_offer_id_names_the_id_not_an_option_never_given(tmp_path, capsys,
                                                                                        monkeypatch):
    from repo_paths import SEED_TEXT

    monkeypatch.chdir(tmp_path)
    long_id = "a" * 240
    Path("long.toml").write_text(SEED_TEXT.replace('id = "hecla-2004-series-b"', f'id = "{long_id}"'),
                                 encoding="utf-8")
    assert main(["build", "long.toml", "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlpy build: long.toml: offer.id: its name is 245 bytes long")
    assert "(without a file named by -o, the workbook is named after the offer's id: name one, -o SHORT.xlsm)" in err
    assert "--output" not in err
    Path("out").mkdir()
    assert main(["build", "long.toml", "--no-validate", "-o", "out"]) == 2
    assert "name one, -o out/SHORT.xlsm)" in capsys.readouterr().err
    assert main(["build", "long.toml", "--no-validate", "-o", long_id + ".xlsm"]) == 2
    assert capsys.readouterr().err.startswith("xlpy build: --output: its name is 245 bytes long")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.toml", "out"] and not any(Path("out").iterdir())
    # past the file system's longest name (255 bytes), which no stat of it can reach: the id is named all the same,
    # where the name was said to be 'longer than the file system allows', as a name given with -o is
    longer = "a" * 300
    Path("long.toml").write_text(SEED_TEXT.replace('id = "hecla-2004-series-b"', f'id = "{longer}"'), encoding="utf-8")
    for given, said in (([], "-o SHORT.xlsm)"), (["-o", "out"], "-o out/SHORT.xlsm)")):
        assert main(["build", "long.toml", "--no-validate", *given]) == 2
        err = capsys.readouterr().err
        assert err.startswith("xlpy build: long.toml: offer.id: its name is 305 bytes long") and said in err, err


def test_no_writable_temporary_folder_is_one_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    """Review 175: /tmp, /var/tmp and the current folder closed to the user, TMPDIR unset: validate ended in a
    traceback (exit 70), build and render blamed their --output."""
    import errno
    import tempfile

    def none(*args):
        raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found in ['/tmp', '/var/tmp']")

    monkeypatch.setattr(tempfile, "gettempdir", none)
    monkeypatch.delenv("TMPDIR", raising=False)
    for argv in (["validate", str(SEED)], ["build", str(SEED), "-o", str(tmp_path / "b.xlsm")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err == (f"xlpy {argv[0]}: TMPDIR: no writable temporary folder (tried ['/tmp', '/var/tmp']): set TMPDIR "
                       "to a folder you can write, then run it again; nothing was written\n"), err
    assert not (tmp_path / "b.xlsm").exists()
    assert main(["compute", str(SEED)]) == 0  # (a command that needs none is not refused)
