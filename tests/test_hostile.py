"""Hostile and busy files (issue 12): bombs refused quickly, open or read-only workbooks left alone.

Every hostile file is made by the test itself, small on disk and built from
a generator (no bomb is committed).  Commands that must refuse a bomb run in
a subprocess under an address-space limit (``RLIMIT_AS``) and a time bound;
each shows the exit status, the one-line message and that nothing changed.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import hostile_books
from hostile_books import new_tally, refresh, snapshot
from repo_paths import DATA, FORMULA, PRICES, ROOT, SEED, TALLY

from xlpy.cli import main
from xlpy.cli.commands import AsTyped
from xlpy.engine.errors import InputError, InputErrors
from xlpy.files import safety
from xlpy.workbook import locks, package, parts

resource = pytest.importorskip("resource")

SHEET = "xl/worksheets/sheet1.xml"

MEMORY_LIMIT = 1536 << 20  # 1.5 GB of address space for the whole interpreter
TIME_LIMIT = 30.0  # seconds, imports included, on a busy test machine


# --- hostile files, made here ------------------------------------------------------------------


def _copy_except(src: Path, dst: Path, skip: str) -> zipfile.ZipFile:
    out = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(src) as zin:
        for info in zin.infolist():
            if info.filename != skip:
                out.writestr(info, zin.read(info))
    return out


def whitespace_bomb(src: Path, dst: Path, part: str = SHEET, mb: int = 64) -> Path:
    """*src* with *part* replaced by *mb* MB of spaces: a ratio near 1,000, written from a generator."""
    with _copy_except(src, dst, part) as z:
        zi = zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        block = b" " * (1 << 20)
        with z.open(zi, "w", force_zip64=True) as fh:
            for _ in range(mb):
                fh.write(block)
    return dst


def lying_directory(src: Path, dst: Path, part: str = SHEET, size: int = 0x7FFF_FFFF) -> Path:
    """*src* whose directory says *part* unpacks to *size* bytes (2 GiB by default); the data are unchanged."""
    data = bytearray(src.read_bytes())
    name = part.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n, m, k = struct.unpack("<HHH", data[at + 28:at + 34])
        if data[at + 46:at + 46 + n] == name:
            data[at + 24:at + 28] = struct.pack("<I", size)
            off = struct.unpack("<I", data[at + 42:at + 46])[0]
            data[off + 22:off + 26] = struct.pack("<I", size)
            break
        at += 46 + n + m + k
    else:
        raise AssertionError(f"{part} not in {src}")
    dst.write_bytes(bytes(data))
    return dst


def with_part(src: Path, dst: Path, part: str, data: bytes) -> Path:
    with _copy_except(src, dst, part) as z:
        z.writestr(part, data)
    return dst


def xlsx_tally(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in csv.reader((DATA / TALLY).open(encoding="utf-8")):
        ws.append([int(v) if v.isdigit() else v for v in row])
    wb.save(path)
    return path


def excel_owner_file(folder: Path, book: str, user: str) -> Path:
    """Excel's ``~$NAME``: a length byte, the name padded to 54 bytes, then its length and the name in UTF-16."""
    ansi = user.encode("cp1252")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + struct.pack("<H", len(user)) + user.encode("utf-16-le")
    path = folder / f"~${book}"
    path.write_bytes(data.ljust(165, b" "))
    return path


def libreoffice_lock_file(folder: Path, book: str, user: str) -> Path:
    path = folder / f".~lock.{book}#"
    path.write_text(f",{user},desk-17,01.12.2026 09:14,file:///home/{user}/.config/libreoffice/4;", encoding="utf-8")
    return path


# --- workbooks ----------------------------------------------------------------------------------


@pytest.fixture
def built(standard_books):
    """The holder workbook with its tally and prices beside it, built once per run (tests/conftest.py)."""
    return standard_books["holders"]


book = hostile_books.book  # (the fixture: the holder workbook copied for the test)

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(args: list[str], cwd: Path) -> tuple[int, str, float]:
    """``xlpy ARGS`` in a subprocess under the memory limit: (exit status, standard error, seconds)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    env.pop("XLPY_MAX_PART_MB", None)
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "xlpy", *args], cwd=cwd, capture_output=True, text=True,
                       preexec_fn=_limited, env=env, timeout=120, check=False)
    took = time.perf_counter() - start
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, r.stderr, took


def _one_line(stderr: str, unchanged: str | None = None) -> str:
    """The one line of *stderr*; after it, for a refresh refused with its workbook *unchanged* named, the line
    saying so."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    if unchanged is not None:
        assert lines[1:] == [f"xlpy refresh: {unchanged} was not changed"], stderr
        lines = lines[:1]
    assert len(lines) == 1, stderr
    return lines[0]


# --- limits before reading ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["whitespace", "lying"])
@pytest.mark.parametrize("command", ["validate", "refresh"])
def test_workbook_bomb_refused_quickly_in_bounded_memory(book, kind, command):
    folder = book.parent
    bomb = folder / "bomb.xlsm"
    if kind == "whitespace":
        whitespace_bomb(book, bomb)
    else:
        lying_directory(book, bomb)
    book.unlink()
    before = snapshot(folder)
    args = [command, bomb.name] + (["--no-libreoffice"] if command == "validate" else [])
    status, err, took = run_limited(args, folder)
    line = _one_line(err, "bomb.xlsm" if command == "refresh" else None)
    assert status == 2, err
    assert line.startswith(f"xlpy {command}: bomb.xlsm: part {SHEET}: unpacks "), line
    limit = "the limit of 100" if kind == "whitespace" else "the limit of 512 MB per part"
    assert limit in line and "refused before unpacking" in line, line
    assert took < TIME_LIMIT, took
    assert snapshot(folder) == before


def _xlsx_offer(folder: Path, tally: str) -> Path:
    for name in (PRICES,):
        shutil.copy(DATA / name, folder / name)
    text = FORMULA.read_text(encoding="utf-8")
    start = text.index("[tally]")
    end = text.index("\n[", start + 1)
    text = text[:start] + f'[tally]\nfile = "{tally}"\n' + text[end:]
    text = text.replace("data/" + PRICES, PRICES)
    path = folder / "offer.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["whitespace", "lying"])
@pytest.mark.parametrize("command", ["compute", "build"])
def test_xlsx_tally_bomb_refused(tmp_path, kind, command):
    good = xlsx_tally(tmp_path / "good.xlsx")
    if kind == "whitespace":
        whitespace_bomb(good, tmp_path / "tally.xlsx")
    else:
        lying_directory(good, tmp_path / "tally.xlsx")
    good.unlink()
    offer = _xlsx_offer(tmp_path, "tally.xlsx")
    assert "tally.xlsx" in offer.read_text()
    before = snapshot(tmp_path)
    args = [command, offer.name] + (["-o", "out.xlsm"] if command == "build" else [])
    status, err, took = run_limited(args, tmp_path)
    line = _one_line(err)
    assert status == 2, err
    assert "tally.xlsx: part xl/worksheets/sheet1.xml: unpacks" in line and "refused before unpacking" in line, line
    assert took < TIME_LIMIT
    assert snapshot(tmp_path) == before  # no out.xlsm


def test_xlsx_tally_works_and_bomb_refused_inrefresh(book):
    folder = book.parent
    good = xlsx_tally(folder / "good.xlsx")
    whitespace_bomb(good, folder / "bomb.xlsx")
    before = snapshot(folder)
    status, err, took = run_limited(["refresh", book.name, "--tally", "bomb.xlsx"], folder)
    assert status == 2 and "bomb.xlsx: part xl/worksheets/sheet1.xml" in _one_line(err, book.name), err
    assert took < TIME_LIMIT and snapshot(folder) == before


def test_a_directory_that_understates_a_part_is_damaged_not_unpacked(book):
    """The directory says 1,000 bytes; the data unpack to 64 MB: zipfile stops at 1,000 and the CRC fails."""
    folder = book.parent
    bomb = whitespace_bomb(book, folder / "small.xlsm")
    lying_directory(bomb, bomb, size=1000)
    before = snapshot(folder)
    status, err, took = run_limited(["refresh", bomb.name], folder)
    assert status == 2 and took < TIME_LIMIT
    line = _one_line(err)
    assert "small.xlsm" in line and ("damaged" in line or "Bad CRC" in line or "cannot" in line), line
    assert snapshot(folder) == before


def test_limits_can_be_raised(book, monkeypatch):
    bomb = whitespace_bomb(book, book.parent / "bomb.xlsm", mb=8)
    with pytest.raises(InputError, match="the limit of 100"):
        safety.check_package(bomb)
    monkeypatch.setenv("XLPY_MAX_RATIO", "5000")
    safety.check_package(bomb)  # raised by the environment
    monkeypatch.setenv("XLPY_MAX_RATIO", "lots")
    with pytest.raises(InputError, match="XLPY_MAX_RATIO: must be a finite number > 0, got 'lots'"):
        safety.check_package(bomb)
    monkeypatch.setenv("XLPY_MAX_RATIO", "inf")  # (no limit: it failed where applied, a traceback)
    with pytest.raises(InputError, match="XLPY_MAX_RATIO: must be a finite number > 0, got 'inf'"):
        safety.check_package(bomb)
    monkeypatch.delenv("XLPY_MAX_RATIO")
    for given in ("inf", "1e400"):
        with pytest.raises(InputError, match=f"--max-part-mb: must be a finite number, got {given}"):
            safety.configure(part_mb=AsTyped(given))
    safety.configure(ratio=5000)  # what --max-ratio does
    safety.check_package(bomb)
    safety.configure(part_mb=4)
    with pytest.raises(InputError, match="limit of 4 MB per part.*--max-part-mb or XLPY_MAX_PART_MB"):
        safety.check_package(bomb)
    safety.reset()
    safety.configure(parts=5)
    with pytest.raises(InputError, match="parts, over the limit of 5"):
        safety.check_package(book)
    safety.reset()
    safety.configure(part_mb=0.001)  # a limit below 1 MB: the size is shown in digits that differ from it
    with pytest.raises(InputError, match=r"unpacks to 0\.\d*[1-9]\d* MB, over the limit of 0\.001 MB per part"):
        safety.check_package(book)


def test_lite_offers_no_package_limits():
    """``xlpy lite`` opens no workbook or XLSX file, so its help lists no --max-* option."""
    from xlpy.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "--max-part-mb" not in sub.choices["lite"].format_help()
    assert "--max-part-mb" in sub.choices["refresh"].format_help()


def test_max_flags_on_the_command_line(book, capsys):
    bomb = whitespace_bomb(book, book.parent / "bomb.xlsm", mb=8)
    assert main(["validate", str(bomb), "--no-libreoffice", "--no-formulas"]) == 2
    assert "limit of 100" in capsys.readouterr().err
    # Raised: the bomb is opened (and is not a valid workbook, but it is no longer refused unread).
    assert main(["validate", str(bomb), "--no-libreoffice", "--no-formulas", "--max-ratio", "2000"]) == 1


def test_read_part_stops_at_the_limit(book):
    bomb = whitespace_bomb(book, book.parent / "bomb.xlsm", mb=8)
    with zipfile.ZipFile(bomb) as zf, pytest.raises(InputError, match="more than 2 MB"):
        safety.read_part(zf, SHEET, "bomb.xlsm", safety.Limits(2, 1024, 1e9, 100))


def test_defaults_fit_a_100000_line_workbook():
    """The 100,000-line holder workbook's sheet unpacks to 92 MB at a ratio of 10 (measured): well inside."""
    lim = safety.limits()
    assert lim.part_mb >= 5 * 92 and lim.ratio >= 5 * 10 and lim.total_mb >= lim.part_mb


def test_xml_parsed_by_xlpy_refuses_entities():
    from defusedxml import EntitiesForbidden

    evil = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">&b;'
            b'</Relationships>')
    with pytest.raises(EntitiesForbidden):
        package._parse_xml(evil)


# --- unknown parts ------------------------------------------------------------------------------


def test_unknown_binary_part_reported_and_refused(book, capsys):
    folder = book.parent
    payload = with_part(book, folder / "payload.xlsm", "xl/media/payload.bin", os.urandom(16 << 20))
    assert main(["validate", str(payload), "--no-libreoffice", "--no-formulas"]) == 1
    out = capsys.readouterr().out
    assert "payload.xlsm: part xl/media/payload.bin: is not a part the standard workbook" in out
    before = snapshot(folder)
    assert main(["refresh", str(payload), "--tally", str(new_tally(folder))]) == 2
    err = capsys.readouterr().err.strip()
    assert "xl/media/payload.bin (16,777,216 bytes, binary)" in err and "--allow-unknown-parts" in err
    assert len(err.splitlines()) == 1
    assert {k: v for k, v in snapshot(folder).items() if not k.startswith("tally-")} == before
    assert main(["refresh", str(payload), "--allow-unknown-parts", "--tally", str(folder / "tally-5.csv")]) == 0
    assert ("xlpy refresh: warning: payload.xlsm: carried forward a part the standard workbook does not account for: "
            "xl/media/payload.bin (16,777,216 bytes, binary)") in capsys.readouterr().err.splitlines()
    with zipfile.ZipFile(payload) as zf:
        assert "xl/media/payload.bin" in zf.namelist()


def test_the_standard_workbook_and_its_template_have_no_unknown_parts(book):
    from xlpy.excel import vba

    for f in (book, vba.template_path(standalone=True), vba.template_path(standalone=False)):
        with zipfile.ZipFile(f) as zf:
            assert parts.unknown_parts(zf) == []
    assert parts.is_known("xl/worksheets/_rels/sheet3.xml.rels")
    assert parts.is_known("xl/media/image1.png") and not parts.is_known("xl/embeddings/oleObject1.bin")


@pytest.mark.parametrize("name", [
    "docMetadata/LabelInfo.xml", "xl/theme/themeOverride1.xml", "xl/featurePropertyBag/featurePropertyBag.xml",
    "xl/xmlMaps.xml", "xl/tables/tableSingleCells1.xml", "xl/diagrams/data1.xml", "xl/diagrams/drawing1.xml",
    "xl/charts/chartEx1.xml", "xl/charts/_rels/chartEx1.xml.rels"])
def test_parts_an_excel_save_adds_are_known(name):
    """Review 68: parts Excel writes on a normal save were named by validate as parts the standard workbook does not
    account for (exit 1): a sensitivity label a firm's policy adds
    (docMetadata/LabelInfo.xml), a pasted chart's theme override, cell checkboxes, XML maps, SmartArt, the newer
    chart types. (Power Pivot's data model, xl/model/item.data, stays unknown: a binary part its name alone would
    let through, whatever its bytes, review 69.)"""
    assert parts.is_known(name)
    assert not parts.is_known("xl/model/item.data")


# --- busy workbooks -----------------------------------------------------------------------------


def test_excel_owner_file_names_the_user(book, capsys):
    folder = book.parent
    excel_owner_file(folder, book.name, "Jane Doe")
    tally = new_tally(folder)
    before = snapshot(folder)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 3  # busy, not bad input: a nightly job retries
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[1:] == [f"xlpy refresh: {book} was not changed"]
    assert ("is open in Excel by Jane Doe (owner file ~$book.xlsm beside it); close it there first, or delete "
            "~$book.xlsm (or pass --force) if that file is left over from a crash") in err
    assert snapshot(folder) == before
    assert main(["refresh", str(book), "--tally", str(tally), "--force"]) == 0
    # review 164: --force went past the owner file without a word, and left it to refuse the next day's refresh
    assert (f"xlpy refresh: warning: {book}: --force went past ~$book.xlsm, which says it is open in Excel by Jane "
            "Doe: if it is, its next save there writes over this refresh; delete ~$book.xlsm if it is left over from "
            "a crash, so that the next refresh needs no --force") in capsys.readouterr().err.splitlines()
    assert main(["refresh", str(book), "--tally", str(tally), "--force"]) == 0  # (review 165: nothing written, no
    assert "--force went past" not in capsys.readouterr().err  # save of another's writes over it: not said)


def test_a_tally_or_price_file_open_in_excel_is_warned_of(book, capsys):
    """Review 74: a tally open in Excel (its owner file beside it) was read without a word: what the analyst had typed
    there and not saved was not in the refresh, and the Cover recorded the file as last saved as the count."""
    folder = book.parent
    tally = new_tally(folder)
    excel_owner_file(folder, tally.name, "Jane Doe")
    libreoffice_lock_file(folder, PRICES, "jdoe")
    said = ("is open in {app} by {who} ({file} beside it): this refresh read it as last saved, so what is typed "
            "there and not saved is not in the workbook; save it there, then refresh again")
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup", "-q"]) == 0  # a warning, not refused
    warnings = [line for line in capsys.readouterr().err.splitlines() if " is open in " in line]
    assert warnings == [  # (each named as given, or seen from where the workbook was named: here absolute)
        f"xlpy refresh: warning: {tally}: " + said.format(app="Excel", who="Jane Doe", file=f"~${tally.name}"),
        f"xlpy refresh: warning: {Path(os.path.realpath(folder)) / PRICES}: " + said.format(
            app="LibreOffice", who="jdoe on desk-17 since 01.12.2026 09:14", file=f".~lock.{PRICES}#")]
    assert main(["refresh", str(book), "-q"]) == 0  # nothing to refresh: the same files, still warned of
    assert len([line for line in capsys.readouterr().err.splitlines() if " is open in " in line]) == 2
    libreoffice_lock_file(folder, tally.name, "ann")  # review 176: two owner files beside the tally, both said
    assert main(["refresh", str(book), "-q"]) == 0
    assert [line.split(" (")[0].split(": ")[-1] for line in capsys.readouterr().err.splitlines()
            if f"{tally.name}: is open in " in line] == [
        "is open in Excel by Jane Doe", "is open in LibreOffice by ann on desk-17 since 01.12.2026 09:14"]
    for owner in folder.glob("*~*"):
        owner.unlink()
    assert main(["refresh", str(book), "-q"]) == 0
    assert " is open in " not in capsys.readouterr().err


def test_an_owner_file_beside_a_links_target_is_named_by_its_path(book, tmp_path, capsys):
    """Review 164: a workbook refreshed through a link in another folder, open in Excel beside its target, was said to
    have its owner file "beside it", where there is none; the file to delete is named by its path."""
    (tmp_path / "desk").mkdir()
    link = tmp_path / "desk" / "link.xlsm"
    link.symlink_to(book)
    excel_owner_file(book.parent, book.name, "Jane Doe")
    owner = book.parent / f"~${book.name}"
    assert main(["refresh", str(link), "--tally", str(new_tally(book.parent))]) == 3
    assert (f"is open in Excel by Jane Doe (owner file {owner} beside the file its link points to); close it there "
            f"first, or delete {owner} (or pass --force)") in capsys.readouterr().err
    assert main(["refresh", str(link), "--tally", str(new_tally(book.parent)), "--force", "--no-backup"]) == 0
    assert f"--force went past {owner}, which says it is open in Excel by Jane Doe" in capsys.readouterr().err
    # review 169: a link beside its target, given by its full path, names the target's owner file as such too
    same = book.parent / "same.xlsm"
    same.symlink_to(book.name)
    assert main(["refresh", str(same), "--tally", str(new_tally(book.parent))]) == 3
    assert f"(owner file {owner} beside the file its link points to)" in capsys.readouterr().err
    # review 170: a link to a link, the middle one open in Excel, was refreshed without a word
    owner.unlink()
    (tmp_path / "desk" / "chain.xlsm").symlink_to(same)
    middle = book.parent / "~$same.xlsm"
    excel_owner_file(book.parent, "same.xlsm", "Jane Doe")
    before = book.read_bytes()
    assert main(["refresh", str(tmp_path / "desk" / "chain.xlsm"), "--tally", str(new_tally(book.parent))]) == 3
    assert f"(owner file {middle} beside the file its link points to)" in capsys.readouterr().err
    assert book.read_bytes() == before
    (tmp_path / "d2").mkdir()  # review 171: through relative links, the file is named by its real path, no ".."
    (tmp_path / "d2" / "rel.xlsm").symlink_to(Path("..") / "desk" / "chain.xlsm")
    middle.unlink()
    excel_owner_file(tmp_path / "desk", "chain.xlsm", "Jane Doe")
    assert main(["refresh", str(tmp_path / "d2" / "rel.xlsm"), "--tally", str(new_tally(book.parent))]) == 3
    chain = Path(os.path.realpath(tmp_path / "desk")) / "~$chain.xlsm"
    assert f"(owner file {chain} beside the file its link points to)" in capsys.readouterr().err
    # review 171: an owner file beside the link and a lock file beside its target were named one at a time
    libreoffice_lock_file(book.parent, book.name, "jdoe")
    office = Path(os.path.realpath(book.parent)) / f".~lock.{book.name}#"
    assert main(["refresh", str(tmp_path / "d2" / "rel.xlsm"), "--tally", str(new_tally(book.parent))]) == 3
    assert (f"is open in LibreOffice by jdoe on desk-17 since 01.12.2026 09:14 (lock file {office} beside the file "
            f"its link points to) and in Excel by Jane Doe (owner file {chain} beside the file its link points to); "
            f"close it there first, or delete {office} and {chain} (or pass --force) if those files are left over "
            "from a crash") in capsys.readouterr().err
    assert book.read_bytes() == before
    # review 176: --force past both warned of the first alone, and deleting it left the next refresh refused
    assert main(["refresh", str(tmp_path / "d2" / "rel.xlsm"), "--tally", str(new_tally(book.parent, 7)), "--force",
                 "--no-backup"]) == 0
    err = capsys.readouterr().err
    passed = [line.split(": --force went past ")[1].split(":")[0] for line in err.splitlines() if "went past" in line]
    assert passed == [
        f"{office}, which says it is open in LibreOffice by jdoe on desk-17 since 01.12.2026 09",
        f"{chain}, which says it is open in Excel by Jane Doe"], err


def test_a_source_open_in_excel_is_warned_of_through_a_link_in_another_folder(book, tmp_path, capsys):
    """The sources the Cover records are relative to the workbook's own folder (a link's target's): a refresh through
    a link in another folder looked for their owner files beside the link, found none and said nothing."""
    tally = new_tally(book.parent)
    (tmp_path / "desk").mkdir()
    link = tmp_path / "desk" / "link.xlsm"
    link.symlink_to(book)
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup", "-q"]) == 0  # the tally recorded
    capsys.readouterr()
    excel_owner_file(book.parent, tally.name, "Jane Doe")
    assert main(["refresh", str(link), "--no-backup", "-q"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if " is open in " in line]
    said = f"{tally.name}: is open in Excel by Jane Doe (~${tally.name} beside it)"
    assert len(warnings) == 1 and said in warnings[0]


def _force_build(folder: Path) -> list[str]:
    """The arguments of ``xlpy build SEED -o FOLDER/book.xlsm --force --no-validate``."""
    return ["build", str(SEED), "-o", str(folder / "book.xlsm"), "--force", "--no-validate"]


@pytest.mark.parametrize("owner", ["excel", "libreoffice"])
def test_build_force_does_not_replace_a_workbook_open_elsewhere(tmp_path, capsys, owner):
    """--force replaces the workbook that holds one's typed inputs, not a file someone has open."""
    book = tmp_path / "book.xlsm"
    book.write_bytes(b"someone's typed inputs")
    if owner == "excel":
        excel_owner_file(tmp_path, book.name, "Jane Doe")
        said = ("is open in Excel by Jane Doe (owner file ~$book.xlsm beside it); close it there first, or delete "
                "~$book.xlsm if that file is left over from a crash")
    else:
        libreoffice_lock_file(tmp_path, book.name, "jdoe")
        said = ("is open in LibreOffice by jdoe on desk-17 since 01.12.2026 09:14 (lock file .~lock.book.xlsm# "
                "beside it); close it there first, or delete .~lock.book.xlsm# if that file is left over from a crash")
    before = snapshot(tmp_path)
    assert main(_force_build(tmp_path)) == 3
    assert capsys.readouterr().err.splitlines() == [f"xlpy build: {book}: {said}"]
    assert snapshot(tmp_path) == before


def test_build_force_does_not_replace_a_read_only_workbook(tmp_path, capsys, monkeypatch):
    """Write bits set, yet no write access (chattr +i, a file locked in the Finder, an access list): the message
    showed only the permissions, which allow writing."""
    book = tmp_path / "book.xlsm"
    book.write_bytes(b"someone's typed inputs")
    real = os.access  # read-only as locks.py sees it (a chmod would not hold for root)
    monkeypatch.setattr(locks.os, "access", lambda p, mode, **kw: Path(p) != book and real(p, mode, **kw))
    before = snapshot(tmp_path)
    assert main(_force_build(tmp_path)) == 2
    mode = stat.filemode(book.stat().st_mode)
    assert capsys.readouterr().err.splitlines() == [
        (f"xlpy build: {book}: is read-only (its permissions, {mode}, allow writing, but the system refuses it: a "
         "locked or immutable file, or an access list); it was not changed. Make it writable first if it should be "
         "replaced")]
    assert mode.startswith("-rw")
    assert snapshot(tmp_path) == before
    monkeypatch.undo()
    assert main(_force_build(tmp_path)) == 0  # writable again: --force replaces it
    assert zipfile.is_zipfile(book)


def test_build_force_help_says_what_it_does_not_override(capsys):
    assert main(["build", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "never one that is read-only or open in Excel or LibreOffice" in help_text


def test_excel_owner_file_format():
    name = "Łukasz"
    ansi = b"?ukasz"
    data = bytes([6]) + ansi.ljust(53, b" ") + struct.pack("<H", len(name)) + name.encode("utf-16-le")
    assert locks.excel_owner(data.ljust(165, b" ")) == "Łukasz"
    assert locks.excel_owner(bytes([4]) + b"jdoe" + b" " * 30) == "jdoe"  # an old one: the ANSI name only
    assert locks.excel_owner(b"") is None


def test_libreoffice_lock_file_names_the_user(book, capsys):
    folder = book.parent
    libreoffice_lock_file(folder, book.name, "jdoe")
    before = snapshot(folder)
    assert main(["refresh", str(book), "--tally", str(new_tally(folder))]) == 3
    err = capsys.readouterr().err.strip()
    assert "is open in LibreOffice by jdoe on desk-17 since 01.12.2026 09:14 (lock file .~lock.book.xlsm#" in err
    assert err.splitlines()[1:] == [f"xlpy refresh: {book} was not changed"]
    assert {k: v for k, v in snapshot(folder).items() if not k.startswith("tally-")} == before


def test_another_refresh_holds_the_workbook(book, capsys):
    folder = book.parent
    tally = new_tally(folder)
    before = book.read_bytes()
    with locks.RefreshLock(book, str(book)):
        assert main(["refresh", str(book), "--tally", str(tally), "--force"]) == 3
        err = capsys.readouterr().err.strip()
        # (held by this process: the words for a script's other thread; another process's are tested below)
        assert "this process is writing it already, in another thread or call (pid " in err, err
        assert ".~xlpy.book.xlsm.lock" in err and book.read_bytes() == before
    assert not (folder / ".~xlpy.book.xlsm.lock").exists()
    assert main(["refresh", str(book), "--tally", str(tally)]) == 0  # released


def test_two_refreshes_started_together(book):
    """Two processes on one workbook: one refreshes, the other refuses."""
    folder = book.parent
    tally = new_tally(folder)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-m", "xlpy", "refresh", book.name, "--tally", tally.name],
                              cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    statuses = sorted(s for s, _ in results)
    # Either one ran and the other was refused, or the second started after the first finished and found
    # nothing new: never two writers.
    assert statuses[0] == 0, results
    if statuses[1] != 0:  # busy (3), not bad input: a scheduled job may run it again
        assert statuses[1] == 3 and any("another xlpy is writing it" in e for _, e in results), results
    assert not (folder / ".~xlpy.book.xlsm.lock").exists()
    zipfile.ZipFile(book).testzip()


def test_the_lock_is_released_on_an_error(book):
    with pytest.raises(InputErrors):
        refresh([str(book), "--tally", str(book.parent / "missing.csv")])
    assert not (book.parent / ".~xlpy.book.xlsm.lock").exists()
