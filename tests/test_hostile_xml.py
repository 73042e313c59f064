"""Workbook packages whose parts are damaged, not well-formed XML, declare a DTD, or are named twice (found by QA):
``refresh`` refuses each in one line naming the part (exit 2, nothing written), ``validate`` makes it a finding or
refuses that workbook alone and validates the others, and no entity is ever expanded or read."""

from __future__ import annotations

import csv
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
from refusals import refused

from xlpy.cli import main
from xlpy.engine.errors import InputError
from xlpy.files import safety

SHEET = "xl/worksheets/sheet2.xml"
DTD = "declares a DTD (entities), which a workbook does not hold"
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)


def variant(book: Path, out: Path, part: str, change, extra: tuple[str, bytes] | None = None) -> Path:
    """*book* rewritten with *part*'s bytes changed by *change* (and *extra*, a part appended)."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for i in src.infolist():
            data = src.read(i.filename)
            o.writestr(i.filename, change(data) if i.filename == part else data)
        if extra is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ("Duplicate name")
                o.writestr(*extra)
    return out


def with_dtd(decl: bytes, use: bytes = b""):
    """A change putting the DOCTYPE *decl* after the XML declaration, and *use* at the start of the first text."""
    def change(data: bytes) -> bytes:
        at = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        data = data[:at] + decl + data[at:]
        if use:
            text = data.index(b"<", data.index(b"<", at + len(decl)) + 1)  # (after the root element's tag)
            close = data.index(b">", text) + 1
            data = data[:close] + use + data[close:]
        return data
    return change


def test_refresh_of_a_part_garbled_past_its_crc_says_damaged(standard_books, tmp_path, capsys):
    """openpyxl parsed the garbled XML before the CRC was checked: a ParseError traceback, exit 1."""
    built = standard_books["holders"]  # (the formula example, as QA built it)
    data = bytearray(built.read_bytes())
    at = data.find(SHEET.encode())
    data[at + 200] ^= 0xFF
    standard_books.copy_into("holders", tmp_path)  # (its tally and prices beside it)
    bad = tmp_path / "crc.xlsm"
    bad.write_bytes(bytes(data))
    # (the byte flipped lands in the deflate stream: as the workbook's bytes fall, the stream unpacks to other
    # bytes, caught by the CRC, or stops unpacking; either is the part named as damaged, never a traceback)
    said = refused(capsys, bad)
    assert re.fullmatch(rf"xlpy refresh: {re.escape(str(bad))}: is damaged \((Bad CRC-32 for file '{SHEET}'|part "
                        rf"{SHEET}: Error -3 while decompressing data: [a-z ]+)\); it was not changed", said), said


@pytest.mark.parametrize("part, change, why", [
    ("xl/workbook.xml", with_dtd(b'<!DOCTYPE w [<!ENTITY e "x">]>'), DTD),
    ("xl/tables/table1.xml", with_dtd(b'<!DOCTYPE w [<!ENTITY e "x">]>'), DTD),
    ("xl/styles.xml", with_dtd(b'<!DOCTYPE x [<!ENTITY e "y">]>', b"&e;"), DTD),
    ("[Content_Types].xml", with_dtd(b'<!DOCTYPE x [<!ENTITY e "y">]>'), DTD),
    ("docProps/core.xml", with_dtd(XXE, b"&xxe;"), DTD),
    ("docProps/app.xml", with_dtd(XXE, b"&xxe;"), DTD),
    ("xl/theme/theme1.xml", with_dtd(XXE), DTD),
    (SHEET, lambda d: d.replace(b"<t>", b"<t>\x07", 1), "is not well-formed XML (invalid token, line 1, column "),
    (SHEET, lambda d: d.replace(b"<t>", b"<t>&#7;", 1),
     "is not well-formed XML (reference to invalid character number, line 1, column "),
])
def test_refresh_names_a_part_that_is_not_xml_to_be_read(seed, capsys, part, change, why):
    """A DTD, a control character or its reference in a part: a traceback (EntitiesForbidden, ParseError,
    XMLSyntaxError), or the DOCTYPE carried into the refreshed workbook."""
    bad = variant(seed, seed.parent / "bad.xlsm", part, change)
    line = refused(capsys, bad)
    assert line.startswith(f"xlpy refresh: {bad}: part {part}: {why}"), line
    assert line.endswith("; it was not changed"), line
    assert "root:" not in line


@pytest.mark.parametrize("part, change, finding", [
    ("xl/workbook.xml", with_dtd(b'<!DOCTYPE w [<!ENTITY e "x">]>'), f"part xl/workbook.xml: {DTD}"),
    ("docProps/core.xml", with_dtd(XXE, b"&xxe;"), f"part docProps/core.xml: {DTD}"),
    ("xl/theme/theme1.xml", with_dtd(XXE), f"part xl/theme/theme1.xml: {DTD}"),
    (SHEET, lambda d: d.replace(b"<t>", b"<t>\x07", 1),
     f"file: cannot be opened as a workbook: expected an .xlsm, found part {SHEET}, which is not well-formed XML "
     "(invalid token, line 1, column "),
])
def test_validate_finds_a_part_that_is_not_xml_to_be_read_and_goes_on(seed, capsys, part, change, finding):
    """A DTD made validate's readback raise EntitiesForbidden (a traceback; the next workbook never validated), or
    go unseen (an external entity in docProps or the theme: "valid")."""
    bad = variant(seed, seed.parent / "bad.xlsm", part, change)
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"bad.xlsm: {finding}"), out
    assert out[-1].startswith("book.xlsm: valid ("), out
    assert not any("root:" in line for line in out)


def test_validate_refuses_a_workbook_whose_part_is_not_xml_met_past_the_opening(seed, capsys, monkeypatch):
    """A parser's error met after the workbook was opened refuses that workbook, naming the part; the others are
    validated.  One not of that workbook is raised as it was."""
    from xlpy.workbook import validate_many
    from xml.etree.ElementTree import ParseError

    bad = variant(seed, seed.parent / "bad.xlsm", "docProps/app.xml", lambda d: d.replace(b"<Application>", b"<a>"))
    real = validate_many.validate

    def validate(path, *args):
        if Path(path).name != "book.xlsm":
            raise ParseError("mismatched tag: line 1, column 2")
        return real(path, *args)

    monkeypatch.setattr(validate_many, "validate", validate)
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["xlpy validate: bad.xlsm: part docProps/app.xml: is not well-formed XML "
                                         "(mismatched tag, line 1, column 143); it was not validated"]
    assert captured.out.splitlines()[-1].startswith("book.xlsm: valid (")
    good = seed.parent / "good.xlsm"
    shutil.copy(seed, good)
    with pytest.raises(ParseError):
        validate_many.validate_many([good], refused=lambda e: None)


@pytest.mark.parametrize("part, change, extra, where", [
    ("docProps/app.xml", lambda d: d.replace(b"<Application>", b"<a>"), None, "line 1, column "),
    ("", bytes, ("customXml/item1.xml", b"<root><a></root>"), "line 1, column 12"),
    ("", bytes, ("xl/calcChain.xml", b'<?xml version="1.0"?>\n<calcChain><c r="A1"</calcChain>'), "line 2, column "),
])
def test_a_part_nothing_reads_that_is_not_well_formed_is_a_finding(seed, monkeypatch, part, change, extra, where):
    """QA: a workbook whose document properties, custom XML or calculation chain was not well-formed XML was
    "valid" (openpyxl never parses them), though Excel reports it as a problem with its content when it opens it.
    The sheets, the long parts, are parsed where they are read, not a second time."""
    from xlpy.workbook import parts

    bad = variant(seed, seed.parent / "bad.xlsm", part, change, extra)
    read: list[str] = []
    real = safety.read_part
    monkeypatch.setattr(safety, "read_part", lambda zf, name, *a: read.append(name) or real(zf, name, *a))
    found = parts.malformed(bad, "bad.xlsm")
    assert len(found) == 1, found
    named = part or extra[0]
    said = str(found[0])
    assert said.startswith(f"bad.xlsm: part {named}: is not well-formed XML ("), said
    assert f", {where}" in said and said.endswith(f"), {parts.EXCEL_REFUSES} [structure]"), said
    assert named in read and not [n for n in read if n.startswith("xl/worksheets/sheet")], read
    assert parts.malformed(seed, "book.xlsm") == []


def test_validate_names_a_part_nothing_reads_that_is_not_well_formed(seed, capsys):
    """The finding of :func:`xlpy.workbook.parts.malformed` in validate's report: "valid" before."""
    from xlpy.workbook import parts

    bad = variant(seed, seed.parent / "bad.xlsm", "docProps/app.xml", lambda d: d.replace(b"<Application>", b"<a>"))
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bad.xlsm: part docProps/app.xml: is not well-formed XML (mismatched tag, line 1, "), out
    assert out[0].endswith(f"), {parts.EXCEL_REFUSES} [structure]"), out
    assert out[-1].startswith("book.xlsm: valid ("), out


def _twice(seed: Path) -> Path:
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(seed) as zf:
        other = zf.read(part).replace(b"<sheetData>", b"<sheetData><row r=\"1\"/>", 1)
    return variant(seed, seed.parent / "twice.xlsm", "", bytes, extra=(part, other))


def test_a_part_named_twice_is_refused_by_refresh_validate_and_the_tally_reader(seed, capsys):
    """Python's zipfile reads the last copy of a part named twice, other readers the first: accepted silently."""
    bad = _twice(seed)
    said = ("part xl/worksheets/sheet1.xml: is in the package twice, which a package does not hold (readers differ "
            "on which copy they read); refused before unpacking")
    assert refused(capsys, bad, unchanged=True) == f"xlpy refresh: {bad.name}: {said}"
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"xlpy validate: twice.xlsm: {said}"]
    assert captured.out.splitlines()[-1].startswith("book.xlsm: valid (")
    with pytest.raises(InputError, match="is in the package twice"):  # (the check the XLSX tally reader makes)
        safety.check_package(bad.read_bytes(), "tally.xlsx")
    with zipfile.ZipFile(bad.parent / "case.xlsx", "w") as zf:  # part names compare without case
        zf.writestr("xl/Workbook.xml", b"<a/>")
        zf.writestr("xl/workbook.xml", b"<a/>")
    with pytest.raises(InputError, match="part xl/workbook.xml: is in the package twice"):
        safety.check_package(bad.parent / "case.xlsx", "case.xlsx")


def test_an_xlsx_tally_naming_a_part_twice_isrefused(tmp_path, capsys, monkeypatch):
    """The tally reader took the last copy of the sheet, Excel the first: the figures from a sheet nobody sees."""
    from openpyxl import Workbook
    from repo_paths import DATA, FORMULA, PRICES, TALLY

    wb = Workbook()
    for row in csv.reader((DATA / TALLY).open(encoding="utf-8")):
        wb.active.append([int(v) if v.isdigit() else v for v in row])
    wb.save(tmp_path / "one.xlsx")
    with zipfile.ZipFile(tmp_path / "one.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").replace(b"<v>", b"<v>9", 1)  # (one holder's units)
    variant(tmp_path / "one.xlsx", tmp_path / "tally.xlsx", "", bytes, extra=("xl/worksheets/sheet1.xml", sheet))
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    text = FORMULA.read_text(encoding="utf-8")
    start = text.index("[tally]")
    text = text[:start] + '[tally]\nfile = "tally.xlsx"\n' + text[text.index("\n[", start + 1):]
    (tmp_path / "offer.toml").write_text(text.replace("data/" + PRICES, PRICES), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["compute", "offer.toml"]) == 2
    err = capsys.readouterr().err
    assert "tally.xlsx: part xl/worksheets/sheet1.xml: is in the package twice" in err, err


@pytest.mark.parametrize("part", ["xl/workbook.xml", "docProps/app.xml", "xl/worksheets/sheet1.xml"])
def test_an_xlsx_tally_or_count_file_declaring_a_dtd_is_refused_naming_its_key_and_part(tmp_path, capsys,
                                                                                      monkeypatch, part):
    """QA: a workbook with a DTD was refused, an XLSX tally read (its workbook part's or an unread part's DTD) or
    refused as "cannot be read as XLSX: Unable to read workbook" (its sheet's): the same refusal, naming the part."""
    from openpyxl import Workbook
    from repo_paths import DATA, FORMULA, PRICES

    from xlpy.engine import InputErrors
    from xlpy.files import counts

    for name, rows in (("one.xlsx", [["holder_id", "units", "method", "status"], ["A-1", 100, "book-entry",
                                                                                    "tendered"]]),
                       ("c.xlsx", [["tendered", "guaranteed delivery"], [100, 0]])):
        wb = Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(tmp_path / name)
    variant(tmp_path / "one.xlsx", tmp_path / "tally.xlsx", part, with_dtd(XXE))
    variant(tmp_path / "c.xlsx", tmp_path / "counts.xlsx", part, with_dtd(XXE))
    shutil.copy(DATA / PRICES, tmp_path / PRICES)
    text = FORMULA.read_text(encoding="utf-8")
    start = text.index("[tally]")
    text = text[:start] + '[tally]\nfile = "tally.xlsx"\n' + text[text.index("\n[", start + 1):]
    (tmp_path / "offer.toml").write_text(text.replace("data/" + PRICES, PRICES), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: tally.file: tally.xlsx: part {part}: "
                                                    f"{DTD}"]
    with pytest.raises(InputErrors) as info:
        counts.read_counts(tmp_path / "counts.xlsx")
    assert [str(p) for p in info.value.problems] == [f"counts.xlsx: part {part}: {DTD}"]


def test_the_dtd_check_reads_no_declaration_and_only_each_part_s_start():
    """The parser stops where the DOCTYPE begins: an entity it declares is never expanded (a billion laughs would
    take the memory) nor fetched; a part with no DTD is read only to its first element."""
    laughs = b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %c "%s">' % (ord("b") + i, b"&%c;" % (ord("a") + i) * 10) for i in range(9)) + b"]><r>&j;</r>"
    assert safety.xml_fault(laughs) == DTD
    assert safety.xml_fault(b"<r>ok</r>") is None

    class Reads:
        def __init__(self):
            self.chunks = [b"<?xml version='1.0'?><r>", b"<broken"] + [b"x" * 10] * 1000

        def read(self, n):
            return self.chunks.pop(0) if self.chunks else b""

    fh = Reads()
    assert safety._declares_dtd(fh) is False and len(fh.chunks) == 1001  # (stopped at <r>)
