"""Workbook packages damaged part by part (review 63): a sheet whose XML is cut short or spelled otherwise, a part
the package's relationships name missing, an XML part carried forward that is not well-formed.  ``refresh`` refuses
each in one line naming the part (exit 2, nothing written), ``validate`` names it and validates the other workbooks,
``render`` refuses it; XML spelled otherwise than Excel spells it is read as what it is."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from refusals import refused

from xlpy.cli import main
from xlpy.files import safety
from xlpy.workbook.package import Package

pytestmark = pytest.mark.usefixtures("fresh_limits")  # (the --max-* limits reset around each test: conftest.py)

DONE = "it was not changed"


def variant(book: Path, out: Path, part: str, change) -> Path:
    """*book* rewritten with *part*'s bytes changed by *change* (None: the part left out)."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for i in src.infolist():
            if i.filename != part:
                o.writestr(i.filename, src.read(i.filename))
            elif change is not None:
                o.writestr(i.filename, change(src.read(i.filename)))
    return out


def part_of(book: Path, sheet: str) -> str:
    pkg = Package(book)
    try:
        return pkg.sheet_parts()[sheet]
    finally:
        pkg.close()


def half(data: bytes) -> bytes:
    return data[:len(data) // 2]


def _sources_changed(folder: Path) -> None:
    """The tally and price history beside a holder workbook changed a little, so a refresh writes every table."""
    from repo_paths import PRICES, TALLY

    for name, old, new in ((TALLY, b",250,certificate,withdrawn", b",260,certificate,withdrawn"),
                           (PRICES, b",2517000", b",2517001")):
        data = (folder / name).read_bytes()
        assert old in data, name
        (folder / name).write_bytes(data.replace(old, new))


@pytest.fixture
def holders(standard_books, tmp_path) -> Path:
    """A copy of the holder workbook (a tally and a price history, recorded on its Cover) with its files beside it."""
    return standard_books.copy_into("holders", tmp_path)


@pytest.mark.parametrize("sheet", ["Tenders", "Prices", "History", "Cover"])
def test_a_sheet_cut_short_is_refused_by_name_whichever_sheet(holders, capsys, sheet):
    """Review 63: Tenders, Prices or History cut in half ended in "ValueError: substring not found" from SheetXml,
    exit 1; Cover was refused."""
    part = part_of(holders, sheet)
    with zipfile.ZipFile(holders) as zf:
        cut = half(zf.read(part))
    bad = variant(holders, holders.with_name("bad.xlsm"), part, lambda _: cut)
    assert refused(capsys, bad) == f"xlpy refresh: {bad}: part {part}: {safety.xml_fault(cut)}; {DONE}"
    assert safety.xml_fault(cut).startswith("is not well-formed XML (")


@pytest.mark.parametrize("sheet", ["Tenders", "Prices", "History"])
@pytest.mark.parametrize("old, new", [(b"</sheetData>", b"</sheetData >"), (b"</sheetData>", b"</sheetData\r\n\t>"),
                                      (b"<sheetData>", b"<sheetData >")])
def test_sheet_data_tags_spelled_with_white_space_are_read(holders, capsys, sheet, old, new):
    """Review 63: '</sheetData >' (well-formed XML) made the refresh end in a traceback; it is read as what it is,
    and written back as Excel writes it."""
    part = part_of(holders, sheet)
    bad = variant(holders, holders.with_name("spaced.xlsm"), part, lambda d: d.replace(old, new))
    _sources_changed(holders.parent)
    assert main(["refresh", str(bad), "--no-backup"]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(bad) as zf:
        text = zf.read(part)
    assert safety.xml_fault(text) is None
    assert text.count(b"</sheetData>") == 1 and b"</sheetData " not in text
    capsys.readouterr()
    assert main(["validate", str(bad), "--no-libreoffice", "--no-formulas"]) == 0, capsys.readouterr().out


def test_sheet_data_of_another_prefix_is_refused_by_name(holders, capsys):
    """Well-formed XML the refresh does not edit (the rows in an element of another prefix than the worksheet's) is
    refused naming the part, not a traceback."""
    part = part_of(holders, "Tenders")

    def prefixed(data: bytes) -> bytes:
        data = data.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
                            b'2006/main" ', 1)
        return data.replace(b"<sheetData>", b"<x:sheetData>").replace(b"</sheetData>", b"</x:sheetData>")

    bad = variant(holders, holders.with_name("bad.xlsm"), part, prefixed)
    assert refused(capsys, bad) == (f"xlpy refresh: bad.xlsm: part {part}: has no <sheetData> element (its rows), "
                                     "as its <worksheet> element is spelled; open and save it in Excel first; "
                                     f"{DONE}")


@pytest.mark.parametrize("part, rels", [
    ("xl/worksheets/sheet7.xml", "xl/_rels/workbook.xml.rels"),  # (Sensitivity)
    ("xl/charts/chart2.xml", "xl/drawings/_rels/drawing2.xml.rels"),
    ("xl/drawings/drawing2.xml", "xl/worksheets/_rels/sheet10.xml.rels"),
    ("xl/tables/table1.xml", "xl/worksheets/_rels/sheet3.xml.rels"),
    ("xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet1.xml.rels"),
])
def test_refresh_refuses_a_package_missing_a_part_its_relationships_name(holders, capsys, part, rels):
    """Review 63: a sheet's part left out ended in "KeyError: 'Worksheet Sensitivity does not exist.'" (exit 1); a
    chart or a drawing left out was refreshed (exit 0), the workbook and its backup written without it, which
    validate then could not open."""
    bad = variant(holders, holders.with_name("bad.xlsm"), part, None)
    _sources_changed(holders.parent)  # (else nothing would be written in any case)
    assert refused(capsys, bad) == f"xlpy refresh: {bad}: part {part}: is not in the package, though {rels} names " \
                                    f"it; {DONE}"


@pytest.mark.parametrize("sheet", ["xlwings.conf", "Tenders", "Check"])
def test_refresh_refuses_an_xml_part_cut_after_the_rows_it_edits(holders, capsys, sheet):
    """Review 63: the xlwings.conf sheet cut in half, or a sheet cut after its rows (its </sheetData> kept), was
    carried into the refreshed workbook (exit 0)."""
    part = part_of(holders, sheet)
    with zipfile.ZipFile(holders) as zf:
        data = zf.read(part)
    cut = half(data) if sheet == "xlwings.conf" else data[:data.index(b"</sheetData>") + len(b"</sheetData>")]
    bad = variant(holders, holders.with_name("bad.xlsm"), part, lambda _: cut)
    _sources_changed(holders.parent)
    assert refused(capsys, bad) == f"xlpy refresh: {bad}: part {part}: {safety.xml_fault(cut)}; {DONE}"


def test_validate_names_a_missing_part_and_validates_the_other_workbooks(holders, seed, capsys):
    """Review 63: validate of a good workbook and one missing a sheet's part printed only "has no part
    xl/worksheets/sheet7.xml" (exit 2), with no verdict for the good one."""
    bad = variant(holders, seed.with_name("bad.xlsm"), "xl/worksheets/sheet7.xml", None)
    assert main(["validate", str(seed), str(bad), "--no-libreoffice", "--no-formulas"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("book.xlsm: valid ("), out
    assert out[1:] == ["bad.xlsm: part xl/worksheets/sheet7.xml: is not in the package, though xl/_rels/workbook.xml."
                       "rels names it (Excel reports the workbook as a problem with its content); nothing else of it "
                       "was read [structure]",
                       "bad.xlsm: 1 finding(s) (0 figures compared; recalculated by: none)"]


def test_validate_refuses_alone_a_workbook_whose_part_it_cannot_read(seed, capsys, monkeypatch):
    """A part met past the opening that the package code cannot read (a PackageError) refuses that workbook, named,
    and the others are validated: it stopped the run, the others without a verdict."""
    from xlpy.workbook import validate_many
    from xlpy.workbook.package import PackageError

    bad = shutil.copy(seed, seed.with_name("bad.xlsm"))
    real = validate_many.validate

    def validate(path, *args):
        if Path(path).name == "bad.xlsm":
            raise PackageError("bad.xlsm", "has no part xl/worksheets/sheet7.xml")
        return real(path, *args)

    monkeypatch.setattr(validate_many, "validate", validate)
    assert main(["validate", str(bad), str(seed), "--no-libreoffice", "--no-formulas"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["xlpy validate: bad.xlsm: has no part xl/worksheets/sheet7.xml; it was not "
                                         "validated"]
    assert captured.out.splitlines()[-1].startswith("book.xlsm: valid (")


def test_a_long_part_is_parsed_whole_only_when_its_end_does_not_close_it(monkeypatch):
    """The refresh's check costs the small parts only: a part over LARGE whose root element closes at its end is
    taken as whole; one cut short is parsed whole, to say where."""
    from xlpy.workbook import package_checks

    monkeypatch.setattr(package_checks, "LARGE", 10)
    parsed = []
    monkeypatch.setattr(package_checks, "xml_fault", lambda data: parsed.append(data) or safety.xml_fault(data))
    whole = b'<?xml version="1.0"?>\n<x:worksheet xmlns:x="u"><x:sheetData><x:row r="1"/></x:sheetData></x:worksheet>'
    assert package_checks.xml_problem(whole + b"\r\n") is None and parsed == []
    assert package_checks.xml_problem(whole[:-5]) == "is not well-formed XML (unclosed token, line 2, column 67)"
    assert package_checks.xml_problem(whole + b"<!-- a comment -->") is None and len(parsed) == 2
    assert package_checks.xml_problem(b"oops" + whole) == "is not well-formed XML (invalid token, line 1, column 5)"
    inside = whole.replace(b'<x:row r="1"/>', b'<x:row r="1">')  # (broken inside, whole at its ends: the price of
    assert package_checks.xml_problem(inside) is None  # a check that does not parse a long holder sheet each refresh)
    monkeypatch.setattr(package_checks, "LARGE", 4 << 20)
    assert package_checks.xml_problem(inside) == "is not well-formed XML (mismatched tag, line 2, column 54)"


@pytest.mark.parametrize("part, change, why", [
    ("xl/workbook.xml", lambda d: d.replace(b"<workbook ", b'<!DOCTYPE w [<!ENTITY e "x">]><workbook ', 1),
     "declares a DTD (entities), which a workbook does not hold"),
    ("xl/worksheets/sheet3.xml", half, None),  # (Tenders cut in half)
    ("xl/charts/chart2.xml", None, "is not in the package, though xl/drawings/_rels/drawing2.xml.rels names it"),
])
def test_render_refuses_what_refresh_refuses_before_libreoffice_sees_it(holders, capsys, monkeypatch, part, change,
                                                                        why):
    """Review 63: render made pages (exit 0) of a workbook with a DTD, a sheet cut in half or a part missing, which
    refresh and validate reject."""
    from xlpy.workbook import libreoffice, rendering

    bad = variant(holders, holders.with_name("bad.xlsm"), part, change)
    if why is None:
        with zipfile.ZipFile(bad) as zf:
            why = safety.xml_fault(zf.read(part))
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(rendering, "render", lambda *a, **k: pytest.fail("LibreOffice was run"))
    pages = holders.parent / "pages"
    assert main(["render", str(bad), "-o", str(pages)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy render: {bad}: part {part}: {why}; nothing was rendered"]
    assert not pages.exists()


# --- another kind of file given as the workbook (review 63) --------------------------------------------------------

_XLS = "an Excel 97-2003 workbook (.xls), not the standard workbook: open it in Excel and save it as an Excel " \
       "Macro-Enabled Workbook (.xlsm)"
_ODS = "an OpenDocument spreadsheet (.ods), LibreOffice's own format: open it in LibreOffice Calc and save it as " \
       "Excel 2007-365 (.xlsm), keeping that format"
_CUT = "a zip package cut short (a copy or download that did not finish): copy it again"
_EMPTY = "an empty file (0 bytes): a save or a copy that did not finish? take it from its backup or copy it again"
_NO_KIND = "a file of no kind xlpy knows (no zip package, as an .xlsx or .xlsm is, nor an .xls or an .ods)"
_ZIP = "a zip archive that holds no workbook (no [Content_Types].xml, which every .xlsx and .xlsm holds)"


def _other_kinds(folder: Path, book: Path) -> dict[str, tuple[Path, str]]:
    """An .xls (an OLE file's signature), an .ods (converted by LibreOffice: its Basic library declares a DTD,
    which was said first), the workbook cut short, an empty file and a text file, each named .xlsm."""
    xls = folder / "xls.xlsm"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    ods = folder / "ods.xlsm"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")  # (first, stored: as the standard)
        z.writestr("Basic/Standard/script-lb.xml", '<?xml version="1.0"?><!DOCTYPE script:module PUBLIC "-//x" '
                   '"module.dtd"><script:module xmlns:script="x"/>')
        z.writestr("content.xml", "<office:document-content xmlns:office='x'/>")
    cut = folder / "cut.xlsm"
    data = book.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    empty = folder / "empty.xlsm"
    empty.write_bytes(b"")
    text = folder / "text.xlsm"  # (a review: refresh said zipfile's "File is not a zip file", and not that the
    text.write_bytes(b"a,b\n")  # workbook was not changed; render and validate each said it otherwise)
    return {"xls": (xls, _XLS), "ods": (ods, _ODS), "cut": (cut, _CUT), "empty": (empty, _EMPTY),
            "no kind": (text, _NO_KIND), "zip": (_zipped(folder / "zip.xlsm", "notes.txt"), _ZIP)}


def _zipped(path: Path, *names: str) -> Path:
    """A zip archive of the parts *names* (each a line of text) at *path*."""
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.writestr(name, "<Types/>\n" if name.endswith(".xml") else "a line of text\n")
    return path


def test_an_xls_an_ods_or_a_workbook_cut_short_is_named_as_such(standard_books, tmp_path, capsys, monkeypatch):
    """Review 63: "not a zip package: File is not a zip file", "part Basic/Standard/script-lb.xml: declares a DTD",
    "no workbook part", or openpyxl's "There is no item named '[Content_Types].xml'"."""
    monkeypatch.chdir(tmp_path)
    for name, (path, kind) in _other_kinds(tmp_path, Path(standard_books["plain"])).items():
        before = path.read_bytes()
        assert main(["refresh", path.name, "--no-backup"]) == 2, name
        assert capsys.readouterr().err == f"xlpy refresh: {path.name}: is not a workbook: it is {kind}; {DONE}\n"
        assert main(["render", path.name, "-o", "out"]) == 2, name
        assert capsys.readouterr().err == (f"xlpy render: {path.name}: is not a workbook: it is {kind}; nothing was "
                                           "rendered\n")
        assert main(["validate", path.name, "--no-libreoffice", "--no-formulas"]) == 1, name
        assert capsys.readouterr().out.splitlines()[0] == (
            f"{path.name}: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found {kind} "
            "[structure]")
        assert path.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_zip_archive_that_is_no_workbook_is_said_in_one_wording_by_every_command(standard_books, tmp_path, capsys,
                                                                                   monkeypatch):
    """Review: compute said openpyxl's "There is no item named '[Content_Types].xml' in the archive", refresh "no
    workbook part", build --history-from "cannot be read as a workbook (h.xlsm: no workbook part)", a tally "cannot
    be read as XLSX: ...", validate "cannot be opened as a workbook: ..."; a Word file named .xlsx alike."""
    from repo_paths import DATA, FORMULA, SEED, offer_text

    monkeypatch.chdir(tmp_path)
    book = standard_books.copy_into("plain", tmp_path)
    _zipped(tmp_path / "x.xlsm", "notes.txt")
    _zipped(tmp_path / "t.xlsx", "notes.txt")
    _zipped(tmp_path / "w.xlsx", "[Content_Types].xml", "word/document.xml")
    offer = offer_text(FORMULA).replace("data/hecla", str(DATA / "hecla")).replace(f'"{DATA / "hecla-2004-tally.csv"}"',
                                                                                   '"t.xlsx"')
    (tmp_path / "offer.toml").write_text(offer, encoding="utf-8")
    before = book.read_bytes()
    for command in ("compute", "release", "entries"):
        assert main([command, "x.xlsm"]) == 2
        assert capsys.readouterr().err == (f"xlpy {command}: x.xlsm: is not a workbook: it is {_ZIP}; nothing was "
                                           "computed\n")
    assert main(["build", str(SEED), "-o", "new.xlsm", "--no-validate", "--history-from", "x.xlsm"]) == 2
    assert capsys.readouterr().err == (f"xlpy build: --history-from: x.xlsm: is not a workbook: it is {_ZIP}; "
                                       "nothing was written\n") and not (tmp_path / "new.xlsm").exists()
    assert main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err == f"xlpy compute: offer.toml: tally.file: t.xlsx: is not a workbook: it is {_ZIP}\n"
    for tally, kind in (("t.xlsx", _ZIP), ("w.xlsx", _ZIP.replace("[Content_Types].xml", "xl/workbook.xml"))):
        assert main(["refresh", book.name, "--tally", tally, "--no-backup"]) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy refresh: {tally}: is not a workbook: it is {kind}",
                                                        f"xlpy refresh: {book.name} was not changed"]
    assert book.read_bytes() == before


def _packed(path: Path, parts: dict[str, str]) -> Path:
    """A zip archive of *parts* (each part's name and its text) at *path*."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def test_a_zip_declaring_more_parts_than_the_limit_is_left_to_the_limit(tmp_path):
    """A mutation review: the guard that leaves a zip archive declaring more parts than --max-parts to the reader
    (which refuses it by the limit, its directory never parsed here) could be dropped, or its bound made ``>=``,
    with no test failing."""
    from xlpy.files.sniff import zip_no_workbook

    three = _zipped(tmp_path / "x.xlsm", "a.txt", "b.txt", "c.txt")
    assert zip_no_workbook(three) == _ZIP
    safety.configure(parts=3)  # (three parts, as many as the limit: looked into)
    assert zip_no_workbook(three) == _ZIP
    safety.configure(parts=2)  # (more than the limit: not looked into here)
    assert zip_no_workbook(three) is None


def test_the_parts_a_zip_declares_are_read_by_a_public_helper_of_safety(tmp_path):
    """sniff.zip_no_workbook imported safety's private _entries_from_end: the count of parts an end record declares
    is safety's public entries_from_end, which both read; its directory is never parsed (a ZIP64 count, 0xFFFF, and
    a file with no end record leave it to the reader)."""
    import io

    from xlpy.files.safety import entries_from_end

    data = _zipped(tmp_path / "x.xlsm", "a.txt", "b.txt", "c.txt").read_bytes()
    assert entries_from_end(io.BytesIO(data), len(data)) == 3
    assert entries_from_end(io.BytesIO(b"holder_id,units\n"), 16) is None
    at = data.rfind(b"PK\x05\x06")
    zip64 = data[:at + 10] + b"\xff\xff" + data[at + 12:]  # (the record's total: 0xFFFF)
    assert entries_from_end(io.BytesIO(zip64), len(zip64)) is None
    assert "_entries_from_end" not in (Path(safety.__file__).parent / "sniff.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("types, book", [("[content_types].xml", "xl/workbook.xml"),
                                         ("[CONTENT_TYPES].XML", "XL/Workbook.xml")])
def test_a_package_whose_part_names_are_in_another_case_is_a_workbook(tmp_path, types, book):
    """A mutation review: part names are read whatever their case (a package's are case-insensitive); a lookup of
    ``[Content_Types].xml`` as written, in names not lower-cased, called such a package a zip archive that holds no
    workbook, with no test failing."""
    from xlpy.files.sniff import zip_no_workbook

    assert zip_no_workbook(_zipped(tmp_path / "x.xlsx", types, book)) is None


def test_a_content_types_part_over_1_mb_is_not_inflated_to_look_for_a_workbook(tmp_path):
    """A mutation review: a ``[Content_Types].xml`` over 1 MB is not inflated here (its reader says the rest, within
    the limits); the bound dropped, it was read and the package called one that holds no workbook, with no test
    failing."""
    from xlpy.files.sniff import zip_no_workbook

    big = _packed(tmp_path / "x.xlsx", {"[Content_Types].xml": "<Types>" + " " * (2 << 20) + "</Types>",
                                        "word/document.xml": "<d/>"})
    assert zip_no_workbook(big) is None
    small = _packed(tmp_path / "y.xlsx", {"[Content_Types].xml": "<Types>" + " " * (1 << 19) + "</Types>",
                                          "word/document.xml": "<d/>"})
    assert zip_no_workbook(small) == _ZIP.replace("[Content_Types].xml", "xl/workbook.xml")


@pytest.mark.parametrize("kind", ["openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                  "openxmlformats-officedocument.spreadsheetml.template.main+xml",
                                  "ms-excel.sheet.macroEnabled.main+xml", "ms-excel.template.macroEnabled.main+xml"])
def test_a_workbook_part_named_otherwise_is_found_by_its_content_type(tmp_path, kind):
    """A mutation review: a package whose workbook part is not xl/workbook.xml is a workbook by the content type
    ``[Content_Types].xml`` declares for it (an .xlsx's, an .xltx's, an .xlsm's, an .xltm's); that look dropped,
    or the .xlsm's type left out of the four, with no test failing."""
    from xlpy.files.sniff import zip_no_workbook

    types = f'<Types><Override PartName="/xl/book.xml" ContentType="application/vnd.{kind}"/></Types>'
    assert zip_no_workbook(_packed(tmp_path / "x.xlsm", {"[Content_Types].xml": types, "xl/book.xml": "<w/>"})) is None
    undeclared = _packed(tmp_path / "y.xlsm", {"[Content_Types].xml": "<Types/>", "xl/book.xml": "<w/>"})
    assert zip_no_workbook(undeclared) == _ZIP.replace("[Content_Types].xml", "xl/workbook.xml")


def test_an_offer_file_given_as_the_workbook_is_named_an_offer_file_by_every_command(tmp_path, capsys, monkeypatch):
    """Review 69: refresh and render called the offer file (xlpy refresh deal.toml, an easy slip) "a file of no kind
    xlpy knows"; validate named it, and where it goes."""
    from repo_paths import SEED_TEXT

    monkeypatch.chdir(tmp_path)
    (tmp_path / "deal.toml").write_text(SEED_TEXT, encoding="utf-8")
    offer = "an offer file (TOML), which xlpy build makes the workbook from: give the workbook (.xlsm)"
    assert main(["refresh", "deal.toml", "--no-backup"]) == 2
    assert capsys.readouterr().err == f"xlpy refresh: deal.toml: is not a workbook: it is {offer}; {DONE}\n"
    assert main(["render", "deal.toml", "-o", "out"]) == 2
    said = capsys.readouterr().err
    assert said == f"xlpy render: deal.toml: is not a workbook: it is {offer}; nothing was rendered\n"
    assert main(["validate", "deal.toml", "--no-libreoffice", "--no-formulas"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "deal.toml: file: is not a workbook (an .xlsx or .xlsm package): expected an .xlsm, found an offer file "
        "(TOML), which goes after --offer [structure]")
    assert (tmp_path / "deal.toml").read_text(encoding="utf-8") == SEED_TEXT and not (tmp_path / "out").exists()


def _with_part(book: Path, out: Path, name: str, data: bytes, rels: bytes = b"") -> Path:
    """*book* with the part *name* added, and *rels* (relationship elements) added to the workbook's."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for i in src.infolist():
            data_i = src.read(i.filename)
            if i.filename == "xl/_rels/workbook.xml.rels" and rels:
                data_i = data_i.replace(b"</Relationships>", rels + b"</Relationships>")
            o.writestr(i.filename, data_i)
        o.writestr(name, data)
    return out


def test_relationship_targets_are_resolved_as_a_uri_and_an_encoding_expat_lacks_is_no_traceback(holders, capsys):
    """Review 65: a target above the package's root (../../customXml/item1.xml), with a Windows tool's separators,
    a URL or Excel's NULL was called a part missing, refused; an XML part in Shift_JIS ended in "ValueError:
    multi-byte encodings are not supported"."""
    from xlpy.workbook.package_checks import missing_parts

    kind = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
    rels = b"".join(b'<Relationship Id="rX%d" Type="%s" Target="%s"/>' % (k, kind, target) for k, target in enumerate(
        (b"../../customXml/item1.xml", b"..\\customXml\\item1.xml", b"http://example.com/x.xml", b"NULL")))
    odd = _with_part(holders, holders.with_name("odd.xlsm"), "customXml/item1.xml", b"<a/>", rels)
    with zipfile.ZipFile(odd) as z:
        assert missing_parts(z.namelist(), z.read) == []
    _sources_changed(holders.parent)
    assert main(["refresh", str(odd), "--no-backup", "-q"]) == 0, capsys.readouterr().err
    japanese = '<?xml version="1.0" encoding="Shift_JIS"?><a>日</a>'.encode("shift_jis")
    sjis = _with_part(holders, holders.with_name("sjis.xlsm"), "customXml/item9.xml", japanese)
    assert main(["refresh", str(sjis), "--no-backup", "-q"]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(sjis) as z:
        assert z.read("customXml/item9.xml") == japanese  # (carried forward as it was)


def test_parts_no_reader_follows_are_no_part_missing_and_one_spelled_otherwise_is_named(holders, capsys):
    """Review 66: a thumbnail or a sheet's printer settings that a relationship names, missing (Excel opens such
    workbooks), was refused, and validate compared nothing; a sheet stored in another case than its relationship
    names it ended in "KeyError: 'Worksheet Cover does not exist.'"; a part in UCS-2 gave a LookupError."""
    thumb = b'<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/' \
            b'thumbnail" Target="docProps/thumbnail.jpeg"/>'
    unused = variant(holders, holders.with_name("unused.xlsm"), "_rels/.rels",
                     lambda b: b.replace(b"</Relationships>", thumb + b"</Relationships>"))
    _sources_changed(holders.parent)
    assert main(["refresh", str(unused), "--no-backup", "-q"]) == 0, capsys.readouterr().err
    ucs = '<?xml version="1.0" encoding="ISO-10646-UCS-2"?><a/>'.encode("utf-16")
    kind = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
    odd = _with_part(holders, holders.with_name("ucs.xlsm"), "customXml/item1.xml", ucs,
                     b'<Relationship Id="rX1" Type="%s" Target="../customXml/item1.xml"/>' % kind)
    assert main(["refresh", str(odd), "--no-backup", "-q"]) == 0, capsys.readouterr().err
    cover = part_of(holders, "Cover")
    with zipfile.ZipFile(holders) as z:
        assert f'Target="/{cover}"'.encode() in z.read("xl/_rels/workbook.xml.rels")  # (as openpyxl writes it)
    cased = variant(holders, holders.with_name("cased.xlsm"), "xl/_rels/workbook.xml.rels",
                    lambda b: b.replace(f'Target="/{cover}"'.encode(), f'Target="/{cover.upper()}"'.encode()))
    capsys.readouterr()
    assert refused(capsys, cased) == (
        f"xlpy refresh: {cased}: part {cover.upper()}: is stored as {cover}, spelled otherwise than "
        "xl/_rels/workbook.xml.rels names it, which openpyxl does not read: open and save the workbook in Excel, "
        f"which writes the two alike; {DONE}")


def test_a_workbook_that_cannot_be_read_is_not_called_empty(tmp_path, monkeypatch):
    """Review 66: a workbook whose first bytes could not be read (locked) was "an empty file (0 bytes)", with advice
    to take it from its backup."""
    from xlpy.files import sniff

    book = tmp_path / "b.xlsm"
    book.write_bytes(b"PK\x03\x04 not read")
    monkeypatch.setattr(sniff, "_first_bytes", lambda path, n=8: b"")  # (as when it cannot be opened)
    assert sniff.other_kind(book) is None
    (tmp_path / "e.xlsm").write_bytes(b"")
    assert sniff.other_kind(tmp_path / "e.xlsm").startswith("an empty file (0 bytes)")


@pytest.mark.parametrize("part, old, new", [
    ("xl/workbook.xml", b"<workbookPr ", b'<workbookPr r:x="1" '),
    ("sheet:Tenders", b"<sheetPr", b'<sheetPr q:x="1"'),
    ("xl/_rels/workbook.xml.rels", b"<Relationship ", b'<Relationship q:x="1" '),
    ("[Content_Types].xml", b"<Default ", b'<Default q:y="1" '),
    ("docProps/core.xml", b"</cp:coreProperties>", b"<zz:foo/></cp:coreProperties>")])
def test_a_prefix_no_declaration_binds_is_refused_by_name_not_a_traceback(holders, tmp_path, capsys, monkeypatch,
                                                                         part, old, new):
    """Review 82 (coverage): the well-formedness check read parts without namespaces, so a prefix no declaration
    binds passed it, and refresh and build --history-from ended in a traceback from the reader after it (exit 1,
    "findings"); it is refused by name as any part that is not well-formed XML, exit 2, nothing written."""
    from repo_paths import DATA, FORMULA

    part = part_of(holders, part.split(":")[1]) if part.startswith("sheet:") else part

    def bound_no_more(data: bytes) -> bytes:
        assert old in data, part
        return data.replace(old, new, 1)

    bad = variant(holders, holders.with_name("bad.xlsm"), part, bound_no_more)
    with zipfile.ZipFile(bad) as zf:
        why = safety.xml_fault(zf.read(part))
    assert why.startswith("is not well-formed XML (unbound prefix, line 1, column "), why
    before = bad.read_bytes()
    assert refused(capsys, bad) == f"xlpy refresh: {bad}: part {part}: {why}; {DONE}"
    assert bad.read_bytes() == before
    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert main(["build", FORMULA.name, "-o", "new.xlsm", "--history-from", "bad.xlsm", "--no-validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy build: --history-from: bad.xlsm: part {part}: {why}; nothing was written"]
    assert not (tmp_path / "new.xlsm").exists()
