"""Hostile and busy files (issue 12): bombs refused quickly, open or read-only workbooks left alone.

Every hostile file is made by the test itself, small on disk and built from
a generator (no bomb is committed).  Commands that must refuse a bomb run in
a subprocess under an address-space limit (``RLIMIT_AS``) and a time bound;
each shows the exit status, the one-line message and that nothing changed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from repo_paths import DATA, FORMULA, PRICES, ROOT, SEED, TALLY

from xlpy.cli import main
from xlpy.cli.commands import _AsTyped
from xlpy.cli import refresh as cli_refresh
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


@pytest.fixture
def book(standard_books, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    return standard_books.copy_into("holders", tmp_path)


pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


def _new_tally(folder: Path, extra: int = 5) -> Path:
    rows = list(csv.reader((DATA / TALLY).open(encoding="utf-8")))
    rows += [[f"NEW-{i:04d}", str(100 + i), "book-entry", "tendered"] for i in range(extra)]
    path = folder / f"tally-{extra}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _refresh(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args(argv))


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


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
    before = _snapshot(folder)
    args = [command, bomb.name] + (["--no-libreoffice"] if command == "validate" else [])
    status, err, took = run_limited(args, folder)
    line = _one_line(err, "bomb.xlsm" if command == "refresh" else None)
    assert status == 2, err
    assert line.startswith(f"xlpy {command}: bomb.xlsm: part {SHEET}: unpacks "), line
    limit = "the limit of 100" if kind == "whitespace" else "the limit of 512 MB per part"
    assert limit in line and "refused before unpacking" in line, line
    assert took < TIME_LIMIT, took
    assert _snapshot(folder) == before


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
    before = _snapshot(tmp_path)
    args = [command, offer.name] + (["-o", "out.xlsm"] if command == "build" else [])
    status, err, took = run_limited(args, tmp_path)
    line = _one_line(err)
    assert status == 2, err
    assert "tally.xlsx: part xl/worksheets/sheet1.xml: unpacks" in line and "refused before unpacking" in line, line
    assert took < TIME_LIMIT
    assert _snapshot(tmp_path) == before  # no out.xlsm


def test_xlsx_tally_works_and_bomb_refused_in_refresh(book):
    folder = book.parent
    good = xlsx_tally(folder / "good.xlsx")
    whitespace_bomb(good, folder / "bomb.xlsx")
    before = _snapshot(folder)
    status, err, took = run_limited(["refresh", book.name, "--tally", "bomb.xlsx"], folder)
    assert status == 2 and "bomb.xlsx: part xl/worksheets/sheet1.xml" in _one_line(err, book.name), err
    assert took < TIME_LIMIT and _snapshot(folder) == before


def test_a_directory_that_understates_a_part_is_damaged_not_unpacked(book):
    """The directory says 1,000 bytes; the data unpack to 64 MB: zipfile stops at 1,000 and the CRC fails."""
    folder = book.parent
    bomb = whitespace_bomb(book, folder / "small.xlsm")
    lying_directory(bomb, bomb, size=1000)
    before = _snapshot(folder)
    status, err, took = run_limited(["refresh", bomb.name], folder)
    assert status == 2 and took < TIME_LIMIT
    line = _one_line(err)
    assert "small.xlsm" in line and ("damaged" in line or "Bad CRC" in line or "cannot" in line), line
    assert _snapshot(folder) == before


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
            safety.configure(part_mb=_AsTyped(given))
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
    before = _snapshot(folder)
    assert main(["refresh", str(payload), "--tally", str(_new_tally(folder))]) == 2
    err = capsys.readouterr().err.strip()
    assert "xl/media/payload.bin (16,777,216 bytes, binary)" in err and "--allow-unknown-parts" in err
    assert len(err.splitlines()) == 1
    assert {k: v for k, v in _snapshot(folder).items() if not k.startswith("tally-")} == before
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
    tally = _new_tally(folder)
    before = _snapshot(folder)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 3  # busy, not bad input: a nightly job retries
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[1:] == [f"xlpy refresh: {book} was not changed"]
    assert "is open in Excel by Jane Doe (owner file ~$book.xlsm beside it)" in err and "--force" in err
    assert _snapshot(folder) == before
    assert main(["refresh", str(book), "--tally", str(tally), "--force"]) == 0


def test_a_tally_or_price_file_open_in_excel_is_warned_of(book, capsys):
    """Review 74: a tally open in Excel (its owner file beside it) was read without a word: what the analyst had typed
    there and not saved was not in the refresh, and the Cover recorded the file as last saved as the count."""
    folder = book.parent
    tally = _new_tally(folder)
    excel_owner_file(folder, tally.name, "Jane Doe")
    libreoffice_lock_file(folder, PRICES, "jdoe")
    said = ("is open in {app} by {who} ({file} beside it): this refresh read it as last saved, so what is typed "
            "there and not saved is not in the workbook; save it there, then refresh again")
    assert main(["refresh", str(book), "--tally", str(tally), "--no-backup", "-q"]) == 0  # a warning, not refused
    warnings = [line for line in capsys.readouterr().err.splitlines() if " is open in " in line]
    assert warnings == [
        f"xlpy refresh: warning: {tally.name}: " + said.format(app="Excel", who="Jane Doe", file=f"~${tally.name}"),
        f"xlpy refresh: warning: {PRICES}: " + said.format(
            app="LibreOffice", who="jdoe on desk-17 since 01.12.2026 09:14", file=f".~lock.{PRICES}#")]
    assert main(["refresh", str(book), "-q"]) == 0  # nothing to refresh: the same files, still warned of
    assert len([line for line in capsys.readouterr().err.splitlines() if " is open in " in line]) == 2
    for owner in folder.glob("*~*"):
        owner.unlink()
    assert main(["refresh", str(book), "-q"]) == 0
    assert " is open in " not in capsys.readouterr().err


def test_a_source_open_in_excel_is_warned_of_through_a_link_in_another_folder(book, tmp_path, capsys):
    """The sources the Cover records are relative to the workbook's own folder (a link's target's): a refresh through
    a link in another folder looked for their owner files beside the link, found none and said nothing."""
    tally = _new_tally(book.parent)
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
    before = _snapshot(tmp_path)
    assert main(_force_build(tmp_path)) == 3
    assert capsys.readouterr().err.splitlines() == [f"xlpy build: {book}: {said}"]
    assert _snapshot(tmp_path) == before


def test_build_force_does_not_replace_a_read_only_workbook(tmp_path, capsys, monkeypatch):
    """Write bits set, yet no write access (chattr +i, a file locked in the Finder, an access list): the message
    showed only the permissions, which allow writing."""
    book = tmp_path / "book.xlsm"
    book.write_bytes(b"someone's typed inputs")
    real = os.access  # read-only as locks.py sees it (a chmod would not hold for root)
    monkeypatch.setattr(locks.os, "access", lambda p, mode, **kw: Path(p) != book and real(p, mode, **kw))
    before = _snapshot(tmp_path)
    assert main(_force_build(tmp_path)) == 2
    mode = stat.filemode(book.stat().st_mode)
    assert capsys.readouterr().err.splitlines() == [
        (f"xlpy build: {book}: is read-only (its permissions, {mode}, allow writing, but the system refuses it: a "
         "locked or immutable file, or an access list); it was not changed. Make it writable first if it should be "
         "replaced")]
    assert mode.startswith("-rw")
    assert _snapshot(tmp_path) == before
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
    before = _snapshot(folder)
    assert main(["refresh", str(book), "--tally", str(_new_tally(folder))]) == 3
    err = capsys.readouterr().err.strip()
    assert "is open in LibreOffice by jdoe on desk-17 since 01.12.2026 09:14 (lock file .~lock.book.xlsm#" in err
    assert err.splitlines()[1:] == [f"xlpy refresh: {book} was not changed"]
    assert {k: v for k, v in _snapshot(folder).items() if not k.startswith("tally-")} == before


def test_another_refresh_holds_the_workbook(book, capsys):
    folder = book.parent
    tally = _new_tally(folder)
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
    tally = _new_tally(folder)
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
        _refresh([str(book), "--tally", str(book.parent / "missing.csv")])
    assert not (book.parent / ".~xlpy.book.xlsm.lock").exists()


# --- the file system ----------------------------------------------------------------------------


def test_a_workbook_on_a_read_only_file_system_is_named_so(book, capsys, monkeypatch):
    """Its permissions allow writing (-rw-rw-rw-), its disk does not: "Make it writable" would send one to chmod."""
    import os as os_module

    from xlpy.workbook import locks

    real = os_module.statvfs

    class ReadOnly:
        def __init__(self, path):
            self._st = real(path)

        def __getattr__(self, name):
            return getattr(self._st, name)

        f_flag = os_module.ST_RDONLY

    monkeypatch.setattr(locks.os, "statvfs", ReadOnly)
    tally = _new_tally(book.parent)
    before = _snapshot(book.parent)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {book}: is on a read-only file system (a read-only share or medium); it was not changed. "
        "Copy it to a writable folder if it should be refreshed"]
    assert _snapshot(book.parent) == before


def test_read_only_workbook_is_not_replaced(book, capsys):
    folder = book.parent
    tally = _new_tally(folder)
    book.chmod(0o444)
    before = _snapshot(folder)
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    err = capsys.readouterr().err.strip()
    assert "book.xlsm: is read-only (permissions -r--r--r--); it was not changed" in err
    assert _snapshot(folder) == before and stat.S_IMODE(book.stat().st_mode) == 0o444


def test_on_windows_a_read_only_workbook_is_said_in_windows_words(book, capsys, monkeypatch):
    """Review 74: a workbook with Windows' Read-only attribute (Python shows it as no write bit) was said to have
    'permissions -r--r--r--', which no Windows dialog shows."""
    monkeypatch.setattr(locks, "WINDOWS_NAMES", True)
    book.chmod(0o444)
    assert main(["refresh", str(book), "--tally", str(_new_tally(book.parent))]) == 2
    assert (f"xlpy refresh: {book}: is read-only (its Read-only attribute is set: clear it in the file's "
            "Properties, or, on a read-only share, copy it to a writable folder); it was not changed. Make it "
            "writable first if it should be refreshed") in capsys.readouterr().err.splitlines()


def test_a_read_only_workbook_on_a_read_only_share_is_told_to_be_copied(book, capsys, monkeypatch):
    """Review 75: a workbook without write permission on a read-only file system was told to be made writable,
    which that file system refuses (chmod: Read-only file system): the share is what to say, whatever the bits."""
    monkeypatch.setattr(locks, "_read_only_mount", lambda target: True)
    book.chmod(0o444)
    assert main(["refresh", str(book), "--tally", str(_new_tally(book.parent))]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"xlpy refresh: {book}: is on a read-only file system (a read-only share or medium); it was not changed. "
        "Copy it to a writable folder if it should be refreshed")


@pytest.mark.parametrize("option", ["--tally", "--prices", "--mapping"])
def test_a_locked_tally_price_or_mapping_file_is_named_and_the_workbook_left(book, capsys, monkeypatch, option):
    """On Windows, Excel locks a CSV it has open: the refresh names the file and why, in one line."""
    from test_sources_held import LOCKED, lock

    folder = book.parent
    tally = _new_tally(folder)
    (folder / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    given = {"--tally": tally, "--prices": folder / PRICES, "--mapping": folder / "map.toml"}
    before = _snapshot(folder)
    lock(monkeypatch, given[option].name)
    argv = ["refresh", str(book), option, str(given[option])] + (["--tally", str(tally)] if option == "--mapping" else [])
    assert main(argv) == 2
    # (named by the path given, as every problem inside a file given on the command line)
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {given[option]}: {LOCKED}",
                                                    f"xlpy refresh: {book} was not changed"]
    monkeypatch.undo()
    assert _snapshot(folder) == before


def test_a_mapping_without_a_tally_to_read_is_refused(standard_books, tmp_path, capsys, monkeypatch):
    """A workbook whose counts are typed in records no tally: a mapping alone has nothing to map, and is named."""
    seed = standard_books["seed"]
    book = tmp_path / seed.name
    shutil.copy(seed, book)
    (tmp_path / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    before = _snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)  # a short path: a long value is shown cut
    assert main(["refresh", book.name, "--mapping", "map.toml"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        ("xlpy refresh: --mapping: goes with a tally, and no tally file is recorded on the Cover ('aggregate counts "
         "in the offer file' is not a file); give the tally with --tally, got 'map.toml'"),
        f"xlpy refresh: {book.name} was not changed"]
    assert out == "" and _snapshot(tmp_path) == before


def test_a_mapping_without_tally_goes_with_the_recorded_tally(book, capsys):
    """A workbook that records its tally reads it with the mapping given: nothing is refused."""
    (book.parent / "map.toml").write_text('encoding = "utf-8"\n', encoding="utf-8")
    assert main(["refresh", str(book), "--mapping", str(book.parent / "map.toml")]) == 0
    assert "columns mapped by map.toml" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["validate", "render"])
def test_a_locked_workbook_is_named_not_called_no_workbook(book, capsys, monkeypatch, command):
    from test_sources_held import LOCKED, lock

    lock(monkeypatch, book.name)
    argv = [command, str(book)] + (["-o", str(book.parent / "pages")] if command == "render" else ["--no-formulas"])
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy {command}: {book if command == 'render' else book.name}: "
                                                   f"{LOCKED}"]
    assert not (book.parent / "pages").exists()


def _unwritable(monkeypatch, folder: Path) -> None:
    """Temporary files and folders in *folder* are refused, as in a folder without write permission (which
    running as root ignores)."""
    import tempfile

    for name in ("mkstemp", "mkdtemp"):
        real = getattr(tempfile, name)

        def refusing(*args, _real=real, **kwargs):
            where = kwargs.get("dir", args[2] if len(args) > 2 else None)
            if where is not None and Path(where).resolve() == folder.resolve():
                raise PermissionError(13, "Permission denied", str(folder))
            return _real(*args, **kwargs)

        monkeypatch.setattr(tempfile, name, refusing)


def test_build_into_a_folder_it_cannot_write_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ro").mkdir()
    _unwritable(monkeypatch, tmp_path / "ro")
    assert main(["build", str(ROOT / "workbook" / "offers" / "hecla-2004.toml"), "-o", "ro/new.xlsm",
                 "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy build: --output: cannot be written (Permission denied), got 'ro/new.xlsm'"]
    assert list((tmp_path / "ro").iterdir()) == []


def test_render_into_a_folder_it_cannot_write_says_so(book, capsys, monkeypatch):
    from xlpy.workbook import libreoffice

    folder = book.parent / "ro"
    folder.mkdir()
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(book.parent / "no-soffice"))  # (never run)
    _unwritable(monkeypatch, folder)
    assert main(["render", str(book), "-o", str(folder)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: --output: cannot be written (Permission denied), got '{folder}'"]
    assert list(folder.iterdir()) == []


def test_render_into_a_folder_under_one_that_does_not_exist_is_refused(book, capsys, monkeypatch):
    """Review 58: `render -o /nonexistent/deep/dir` made the whole tree, a typo's output sent where nobody looks;
    `build -o` refuses a folder that is not there.  The output folder itself is made, as before."""
    from xlpy.workbook import libreoffice, rendering

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(rendering, "render", lambda path, out, **kw: [Path(out) / "b.pdf"])  # (LibreOffice untested)
    monkeypatch.setattr(rendering, "font_substitutes", lambda: [])
    monkeypatch.chdir(book.parent)
    assert main(["render", str(book), "-o", "reprots/march"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy render: --output: is in a folder that does not exist (reprots): create it first (render makes its "
        "output folder, not the folders above it), got 'reprots/march'"]
    assert not (book.parent / "reprots").exists()
    (book.parent / "base.xlsm").write_bytes(b"")
    assert main(["render", str(book), "-o", "base.xlsm/sub"]) == 2  # (review 60: "a folder that does not exist")
    assert capsys.readouterr().err.splitlines() == [
        "xlpy render: --output: is in base.xlsm, which is a file, not a folder, got 'base.xlsm/sub'"]
    assert main(["render", str(book), "-o", "march"]) == 0  # (a folder in one that exists)
    assert capsys.readouterr().out.split() == [str(Path("march") / "b.pdf")]


@pytest.mark.parametrize("dpi, reason", [("-1", "must be a positive whole number"), ("0", "must be a positive whole "
                                          "number"), ("19", "must be from 20 to 1200"), ("5000", "must be from 20 to 1200")])
def test_render_checks_the_resolution_before_anything(book, capsys, monkeypatch, dpi, reason):
    from xlpy.workbook import libreoffice

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(book.parent / "no-soffice"))  # (never run)
    pages = book.parent / "pages"
    assert main(["render", str(book), "-o", str(pages), "--dpi", dpi]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy render: --dpi: {reason}, got {dpi}"]
    assert not pages.exists()


def test_a_failed_render_leaves_the_earlier_pages_and_pdf(book, capsys, monkeypatch):
    """The PDF is made beside its pages and moved in with them: never a PDF beside pages of another render."""
    from xlpy.workbook import libreoffice, rendering

    pages = book.parent / "pages"
    pages.mkdir()
    (pages / "book.pdf").write_bytes(b"%PDF earlier")
    (pages / "book-1.png").write_bytes(b"earlier page")
    before = _snapshot(pages)

    def to_pdf(path, out_dir, timeout=None):
        pdf = Path(out_dir) / "book.pdf"
        pdf.write_bytes(b"%PDF new")
        return pdf

    def pdf_to_pngs(pdf, out_dir, dpi=110, timeout=None):
        raise libreoffice.LibreOfficeError(f"{pdf}: pdftoppm produced no PNG pages (exit status 99)", [pdf])

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(book.parent / "no-soffice"))  # (never run)
    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    monkeypatch.setattr(rendering, "pdf_to_pngs", pdf_to_pngs)
    assert main(["render", str(book), "-o", str(pages)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy render: {pages / 'book.pdf'}: pdftoppm produced no PNG pages (exit status 99)"]
    assert _snapshot(pages) == before and sorted(p.name for p in pages.iterdir()) == ["book-1.png", "book.pdf"]


def test_a_macro_workbook_renamed_xlsx_is_named_not_refreshed(book, capsys):
    """Excel refuses a workbook with a VBA project under a name other than .xlsm: build refuses to write one, and
    validate and refresh name one renamed since."""
    renamed = book.with_name("book.xlsx")
    book.rename(renamed)
    tally = _new_tally(book.parent)
    before = _snapshot(book.parent)
    why = ("must end in .xlsm: the standard workbook carries the refresh macros (a VBA project), which Excel refuses "
           "to open under any other name")
    assert main(["refresh", str(renamed), "--tally", str(tally)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy refresh: {renamed}: {why}; rename it book.xlsm; it was not changed"]
    assert _snapshot(book.parent) == before
    assert main(["validate", str(renamed), "--no-formulas", "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"book.xlsx: file: {why}: expected book.xlsm (rename it), found book.xlsx [structure]"
    assert out[-1].startswith("book.xlsx: 1 finding(s)")


def test_an_xlsx_renamed_xlsm_is_named_not_refreshed(book, capsys):
    """The reverse: saved as LibreOffice's 'Excel 2007-365' (an .xlsx, macros dropped), then named .xlsm again.
    Excel refuses to open it so; the refresh wrote it back as it was, without a word."""
    import zipfile

    with zipfile.ZipFile(book) as zin:  # as that save leaves it: no VBA project, an .xlsx's content type
        parts = {n: zin.read(n) for n in zin.namelist() if n != "xl/vbaProject.bin"}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zout:
        for n, data in parts.items():
            zout.writestr(n, data)
    tally = _new_tally(book.parent)
    before = _snapshot(book.parent)
    why = ("is an .xlsx workbook (no macros: its refresh macros and buttons are gone) under an .xlsm name, as "
           "LibreOffice's 'Excel 2007-365' format saves one: Excel refuses to open it so; save it as 'Excel 2007-365 "
           "(macro-enabled)' from the LibreOffice window it is still open in, or rebuild it with xlpy build")
    assert main(["refresh", str(book), "--tally", str(tally)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {book}: {why}; it was not changed"]
    assert _snapshot(book.parent) == before
    assert main(["validate", str(book), "--no-formulas", "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"{book.name}: file: {why}: expected a macro-enabled workbook, found an .xlsx's content type "
                      "[structure]")
    assert not any("VBA project" in line for line in out), out  # (the same cause, said once)


def test_a_folder_given_as_a_workbook_or_a_source_is_named_a_folder(book, capsys):
    folder = book.parent / "data.xlsm"
    folder.mkdir()
    for argv in (["refresh", str(folder)], ["render", str(folder), "-o", str(book.parent / "pages")]):
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy {argv[0]}: {folder}: is a folder, not a workbook"]
    tally = _new_tally(book.parent)
    for option, what in (("--tally", "tally"), ("--prices", "price"), ("--mapping", "mapping")):
        argv = ["refresh", str(book), option, str(folder)] + (["--tally", str(tally)] if option == "--mapping" else [])
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {folder}: is a folder, not a {what} file",
                                                        f"xlpy refresh: {book} was not changed"]
    assert main(["validate", str(folder), "--no-formulas", "--no-libreoffice"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "data.xlsm: file: is a folder, not a workbook: expected a workbook file, found a folder [structure]")
    assert not (book.parent / "pages").exists()


def test_validate_names_a_file_that_is_no_workbook_in_its_own_words(tmp_path, capsys):
    offer = tmp_path / "offer.toml"
    offer.write_text("schema = 1\n", encoding="utf-8")
    (tmp_path / "text.xlsm").write_text("text", encoding="utf-8")
    assert main(["validate", str(offer), str(tmp_path / "text.xlsm"), "--no-formulas", "--no-libreoffice"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "offer.toml: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found an offer file "
        "(TOML), which goes after --offer [structure]",
        "offer.toml: 1 finding(s) (0 figures compared; recalculated by: none)",
        "text.xlsm: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found a file of no kind "
        "xlpy knows (no zip package, as an .xlsx or .xlsm is, nor an .xls or an .ods) [structure]",
        "text.xlsm: 1 finding(s) (0 figures compared; recalculated by: none)"]


def test_symbolic_link_stays_a_link(book, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("desk")
    link = elsewhere / "shortcut.xlsm"
    link.symlink_to(book)
    before = book.read_bytes()
    assert _refresh([str(link), "--tally", str(_new_tally(book.parent))]) == 0
    assert link.is_symlink() and link.resolve() == book.resolve()
    assert book.read_bytes() != before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["shortcut.xlsm"]  # nothing written beside the link
    backups = locks.backups_of(book)
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert not list(book.parent.glob(".~xlpy*"))


def test_on_windows_the_backups_of_a_workbook_are_found_whatever_the_case_it_was_named_in(tmp_path, monkeypatch):
    """Review 74: Windows names files in any letter case, so `refresh OFFER.xlsm --keep 2` of Offer.xlsm is the one
    workbook, but its backups named Offer.* were not counted, nor pruned.  Elsewhere a name in another case is
    another workbook, whose backups are its own."""
    for name in ("Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm", "offer.20040226-000000.bak.xlsm",
                 "Offer.xlsm", "Offerings.20040227-000000.bak.xlsm"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in locks.backups_of(tmp_path / "OFFER.xlsm")] == ["OFFER.20040225-000000.bak.xlsm"]
    monkeypatch.setattr(locks, "WINDOWS_NAMES", True)
    assert [p.name for p in locks.backups_of(tmp_path / "OFFER.xlsm")] == [
        "Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm", "offer.20040226-000000.bak.xlsm"]
    assert [p.name for p in locks.prune_backups(tmp_path / "OFFER.xlsm", 1)] == [
        "Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Offer.xlsm", "Offerings.20040227-000000.bak.xlsm", "offer.20040226-000000.bak.xlsm"]


def test_in_a_folder_that_names_files_in_any_case_the_backups_are_found_in_any_case(tmp_path, monkeypatch):
    """Review 75: a Mac's folders name files in any letter case (by default), as Windows does: `OFFER.xlsm` typed
    there is Offer.xlsm, whose backups are its own.  A folder is taken so when the workbook is there under its name
    in the other case (the one file); a folder that tells cases apart keeps them apart, as above."""
    for name in ("Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm", "Offer.xlsm"):
        (tmp_path / name).write_bytes(b"x")
    real = os.path.samefile

    def any_case(a, b):  # (this folder as a Mac's: a name in another case is the same file, if one is there)
        there = any(p.name.lower() == Path(a).name.lower() for p in Path(a).parent.iterdir())
        if not (there and str(a).lower() == str(b).lower()):
            return real(a, b)
        return True

    monkeypatch.setattr(locks, "WINDOWS_NAMES", False)
    monkeypatch.setattr(os.path, "samefile", any_case)
    assert [p.name for p in locks.backups_of(tmp_path / "OFFER.xlsm")] == [
        "Offer.20040224-000000.bak.xlsm", "OFFER.20040225-000000.bak.xlsm"]
    monkeypatch.setattr(os.path, "samefile", real)  # a folder that tells cases apart: only the name's own
    assert [p.name for p in locks.backups_of(tmp_path / "OFFER.xlsm")] == ["OFFER.20040225-000000.bak.xlsm"]


def test_backups_keep_permissions_and_keep_prunes(book):
    folder = book.parent
    book.chmod(0o640)
    for extra in (1, 2, 3):
        assert _refresh([str(book), "--keep", "2", "--tally", str(_new_tally(folder, extra))]) == 0
    backups = locks.backups_of(book)
    assert [b.name for b in backups] == ["book.20040224-000000-2.bak.xlsm", "book.20040224-000000-3.bak.xlsm"]
    assert all(stat.S_IMODE(b.stat().st_mode) == 0o640 for b in backups)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640
    assert _refresh([str(book), "--tally", str(_new_tally(folder, 4))]) == 0  # default: keep all
    assert len(locks.backups_of(book)) == 3


# --- nothing lost on a crash ---------------------------------------------------------------------


class Killed(BaseException):
    """Stands for the process being killed at that point (not an Exception: nothing may catch it)."""


def _kill(*args, **kwargs):
    raise Killed


def _whole(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return zf.testzip() is None


@pytest.mark.parametrize("stage", ["reading", "writing the temporary file", "writing the backup", "replacing"])
def test_killed_at_each_stage(book, monkeypatch, stage):
    folder = book.parent
    tally = _new_tally(folder)
    before = book.read_bytes()
    if stage == "reading":
        monkeypatch.setattr(package, "read_part", _kill)
    elif stage == "writing the temporary file":
        monkeypatch.setattr(locks.os, "fsync", _kill)
    elif stage == "writing the backup":
        monkeypatch.setattr(locks.shutil, "copy2", _kill)
    else:
        real = os.replace

        def replace(src, dst):
            if Path(dst) == book:
                raise Killed
            return real(src, dst)

        monkeypatch.setattr(locks.os, "replace", replace)
    with pytest.raises(Killed):
        _refresh([str(book), "--tally", str(tally)])
    monkeypatch.undo()
    assert book.read_bytes() == before and _whole(book)
    assert not list(folder.glob(".~xlpy*")), list(folder.glob(".~xlpy*"))
    assert not locks.backups_of(book)
    assert _refresh([str(book), "--tally", str(tally)]) == 0 and _whole(book)


@pytest.mark.parametrize("stage", ["temporary", "backup", "replace"])
def test_real_kill_leaves_a_whole_workbook_and_the_next_run_cleans_up(book, stage):
    """SIGKILL in a subprocess: no clean-up code runs; the original stays whole, the next run tidies."""
    folder = book.parent
    tally = _new_tally(folder)
    before = book.read_bytes()
    script = textwrap.dedent(f"""
        import os, signal, sys
        from xlpy.workbook import locks
        from xlpy.cli import main
        real_replace, real_copy = os.replace, locks.shutil.copy2
        stage = {stage!r}
        def die(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        if stage == "temporary":
            locks.os.fsync = die
        elif stage == "backup":
            def copy(src, dst):
                with open(dst, "wb") as fh:
                    fh.write(b"PK half a backup")
                die()
            locks.shutil.copy2 = copy
        else:
            def replace(src, dst):
                if str(dst).endswith("book.xlsm") and ".bak." not in str(dst):
                    die()
                return real_replace(src, dst)
            locks.os.replace = replace
        sys.exit(main(["refresh", "book.xlsm", "--tally", {tally.name!r}]))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", script], cwd=folder, env=env, capture_output=True, timeout=120, check=False)
    assert r.returncode == -signal.SIGKILL, r.stderr
    assert book.read_bytes() == before and _whole(book)
    assert list(folder.glob(".~xlpy-partial.book.xlsm.*.tmp")), "the kill left its temporary file"
    assert _refresh([str(book), "--tally", str(tally)]) == 0 and _whole(book)
    assert not list(folder.glob(".~xlpy*")), list(folder.glob(".~xlpy*"))
    if stage == "replace":
        assert len(locks.backups_of(book)) == 2 and all(b.read_bytes() == before for b in locks.backups_of(book))


@pytest.mark.libreoffice
def test_a_libreoffice_save_has_no_unknown_parts(book, tmp_path_factory):
    from xlpy.workbook import libreoffice

    out = tmp_path_factory.mktemp("saved")
    r = subprocess.run([libreoffice.find_soffice(), "--headless", f"-env:UserInstallation=file://{out}/profile",
                        "--convert-to", "xlsm:Calc MS Excel 2007 VBA XML", "--outdir", str(out), str(book)],
                       capture_output=True, timeout=180, check=False)
    saved = out / book.name
    assert saved.is_file(), r.stderr
    with zipfile.ZipFile(saved) as zf:
        assert parts.unknown_parts(zf) == []


def test_nothing_to_refresh_says_what_it_read(standard_books, tmp_path, capsys):
    """A counts workbook records no tally or price file: "nothing to refresh" does not claim files it did not read."""
    book = tmp_path / standard_books["seed"].name
    shutil.copy(standard_books["seed"], book)
    assert main(["refresh", str(book)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (f"{book.name}: nothing to refresh: no tally or price file is given or recorded on the Cover; "
                     "the workbook was not changed")
