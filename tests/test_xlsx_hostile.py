"""Hostile XLSX tallies and count files: read with modest memory, or refused in one line naming the file.

A note far to the right of a tally's columns (column XFD, the last) is left
alone without making every line 16,384 cells wide; a package openpyxl cannot
parse, one saved as Strict Open XML and one protected by a password are each
named as such rather than ending in a traceback.
"""

from __future__ import annotations

import tracemalloc

import pytest

from xlpy.engine import InputErrors
from xlpy.files import counts, sources

XFD = 16384  # the last column a sheet has


def _write(path, rows) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    wb.save(path)


def _problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def _peak(call, *args):
    """What *call* returns, and the most memory (bytes) Python held meanwhile beyond what it held before."""
    tracemalloc.start()
    try:
        got = call(*args)
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_note_in_column_xfd_keeps_a_tally_as_wide_as_its_header(tmp_path):
    """Every line was padded to the widest row, and a column built for each of its 16,384 cells: 60,000 lines took
    gigabytes, and ended in MemoryError.  600 lines here took about 160 MB; now what the columns read hold."""
    lines = 600
    header = ["holder_id", "units", "method", "status"] + [None] * (XFD - 5) + ["note"]
    _write(tmp_path / "t.xlsx", [header] + [[f"H{k}", 1, "book-entry", "tendered"] for k in range(lines)])
    table, peak = _peak(sources.read_tally, tmp_path / "t.xlsx")
    assert table.units == (1,) * lines and table.holder_id[-1] == f"H{lines - 1}"
    assert peak < 25_000_000, f"{peak:,} bytes"
    _write(tmp_path / "c.xlsx", [["tendered", "guaranteed delivery"] + [None] * (XFD - 3) + ["note"]]
           + [[274000, 3500]] * lines)  # (a holder tally taken for a count file, say: refused, not a MemoryError)
    (got,), peak = _peak(_problems, counts.read_counts, tmp_path / "c.xlsx")
    assert got.startswith("c.xlsx: must hold exactly one row of counts under the header"), got
    assert peak < 25_000_000, f"{peak:,} bytes"


def test_a_note_right_of_the_header_is_left_alone_and_a_row_of_only_such_a_note_still_named(tmp_path):
    """A note past the header's last named column (XFD here) is no part of the tally; a row holding nothing else
    is still a line, named (it may be a line written too far right), not dropped without a word.  The rows are
    kept as wide as the header, not as the widest row."""
    from openpyxl import Workbook, load_workbook

    from xlpy.files.xlsx_sheet import table_rows

    wb = Workbook()
    for row in (["holder_id", "units", "method", "status", None], ["A", 10, "book-entry", "tendered"],
                ["B", 20, "book-entry", "tendered"]):
        wb.active.append(row)
    wb.active["XFD2"] = "checked by JS"
    wb.save(tmp_path / "t.xlsx")
    assert sources.read_tally(tmp_path / "t.xlsx").units == (10, 20)
    wb.active["XFD5"] = "total 30"
    wb.save(tmp_path / "t.xlsx")
    assert _problems(sources.read_tally, tmp_path / "t.xlsx")[:2] == [
        "t.xlsx: row 5, column units: must be a number, got ''",
        "t.xlsx: row 5, column holder_id: must name the holder, got ''"]
    wb = load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert [len(r) for r in table_rows(wb.worksheets[0])] == [4, 4, 4, 0, 5]
    wb.close()


_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _variant(tmp_path, name: str, edit, rows=(["holder_id", "units", "method", "status"],
                                                ["A1", 1000, "book-entry", "tendered"])):
    """A small XLSX of *rows*, each part's bytes passed through ``edit(part name, bytes)``."""
    import io
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as g, zipfile.ZipFile(tmp_path / name, "w") as out:
        for part in g.namelist():
            out.writestr(part, edit(part, g.read(part)))
    return tmp_path / name


def _control_character(part, data):
    return data.replace(b">A1<", b">A\x071<") if part == "xl/worksheets/sheet1.xml" else data


def test_a_sheet_that_is_not_well_formed_xml_is_named_with_its_part(tmp_path):
    """A control character in a cell's text (XML forbids it): a ParseError traceback from the sheet's rows."""
    path = _variant(tmp_path, "ctrl.xlsx", _control_character)
    (got,) = _problems(sources.read_tally, path)
    assert got.startswith("ctrl.xlsx: cannot be read as XLSX: part xl/worksheets/sheet1.xml is not well-formed XML "
                          "(not well-formed (invalid token): line 1, column "), got
    counts_path = _variant(tmp_path, "c.xlsx", lambda p, d: d.replace(b">tendered<", b">tendered\x07<") if
                           p == "xl/worksheets/sheet1.xml" else d, (["tendered", "guaranteed delivery"], [274000, 0]))
    (got,) = _problems(counts.read_counts, counts_path)
    assert got.startswith("c.xlsx: cannot be read as XLSX: part xl/worksheets/sheet1.xml is not well-formed"), got


@pytest.mark.parametrize("names", [(_MAIN, _RELATIONSHIPS), (_MAIN,)])
def test_a_tally_saved_as_strict_open_xml_is_named_as_such(tmp_path, names):
    """Strict Open XML: openpyxl finds no worksheet (an IndexError traceback), or with only the main namespace
    Strict, a sheet with no rows (called empty)."""
    strict = {_MAIN: b"http://purl.oclc.org/ooxml/spreadsheetml/main",
              _RELATIONSHIPS: b"http://purl.oclc.org/ooxml/officeDocument/relationships"}

    def edit(part, data):
        for name in names:
            data = data.replace(name, strict[name])
        return data

    why = "is saved as Strict Open XML, which xlpy does not read: save it as Excel Workbook (.xlsx)"
    assert _problems(sources.read_tally, _variant(tmp_path, "strict.xlsx", edit)) == [f"strict.xlsx: {why}"]
    path = _variant(tmp_path, "c.xlsx", edit, (["tendered", "guaranteed delivery"], [274000, 0]))
    assert _problems(counts.read_counts, path) == [f"c.xlsx: {why}"]
    assert counts.tally_kind(path) == "holders"  # (then read_tally says what it is)


def test_a_compute_with_a_malformed_xlsx_tally_is_one_line(tmp_path, monkeypatch, capsys):
    from repo_paths import SEED_TEXT

    from xlpy import cli

    _variant(tmp_path, "ctrl.xlsx", _control_character)
    i, j = SEED_TEXT.index("[tally]"), SEED_TEXT.index("[valuation]")
    (tmp_path / "offer.toml").write_text(SEED_TEXT[:i] + '[tally]\nfile = "ctrl.xlsx"\n\n' + SEED_TEXT[j:])
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compute", "offer.toml"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("xlpy compute: offer.toml: tally.file: ctrl.xlsx: cannot be read as XLSX: part "
                           "xl/worksheets/sheet1.xml is not well-formed XML"), line


def _ole(path, streams: tuple[str, ...], directory_at: int):
    """A minimal OLE container (512-byte sectors): its allocation table in sector 0, its directory (entries named
    *streams*) in sector *directory_at*, the sectors between filled, as a long encrypted stream fills them."""
    import struct

    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 0x1A, 0x3E, 3, 0xFFFE)  # (minor and major version, byte order)
    struct.pack_into("<H", header, 0x1E, 9)  # 512-byte sectors
    struct.pack_into("<II", header, 0x2C, 1, directory_at)  # one allocation-table sector; the directory's first
    struct.pack_into("<109I", header, 0x4C, 0, *[0xFFFFFFFF] * 108)
    fat = [0xFFFFFFFD] + [0xFFFFFFFF] * 127  # (sector 0: the table itself)
    fat[directory_at] = 0xFFFFFFFE  # the directory: one sector, the end of its chain
    directory = bytearray(512)
    for k, name in enumerate(("Root Entry",) + streams):
        entry = (name + "\0").encode("utf-16-le")
        directory[k * 128:k * 128 + len(entry)] = entry
    sectors = [struct.pack("<128I", *fat)] + [b"\x5a" * 512] * (directory_at - 1) + [bytes(directory)]
    path.write_bytes(bytes(header) + b"".join(sectors))
    return path


@pytest.mark.parametrize("directory_at", [3, 127])  # (127: past the first 64 KiB)
def test_a_password_protected_xlsx_is_named_as_such(tmp_path, directory_at):
    """Saved with a password to open, an XLSX is an OLE container holding an EncryptionInfo stream: it was called
    "cannot be read as XLSX: File is not a zip file".  An Excel 97-2003 workbook renamed .xlsx (OLE too, with no
    such stream) is named as that."""
    path = _ole(tmp_path / "t.xlsx", ("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"), directory_at)
    why = "is password-protected (encrypted): remove the password in Excel and save it again"
    assert _problems(sources.read_tally, path) == [f"t.xlsx: {why}"]
    assert _problems(counts.read_counts, path) == [f"t.xlsx: {why}"]
    path = _ole(tmp_path / "old.xlsx", ("Workbook", "\x05SummaryInformation"), directory_at)
    assert _problems(sources.read_tally, path) == [
        "old.xlsx: is an Excel 97-2003 workbook (.xls), not XLSX: save it as Excel Workbook (.xlsx)"]


def test_an_ods_or_a_text_file_given_for_a_tally_is_named_for_what_it_is(tmp_path):
    """An .ods was "an Excel workbook (a zip package), not CSV text"; renamed .xlsx, "cannot be read as XLSX: There
    is no item named '[Content_Types].xml' in the archive"; a CSV renamed .xlsx, "... File is not a zip file"."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "t.ods", "w") as z:  # (its mimetype part first and stored, as the standard has it)
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    (tmp_path / "o.xlsx").write_bytes((tmp_path / "t.ods").read_bytes())
    (tmp_path / "c.xlsx").write_text("holder_id,units,method,status\nA,1,book-entry,tendered\n", encoding="utf-8")
    (tmp_path / "u.xlsx").write_text("holder_id\tunits\nA\t1\n", encoding="utf-16")
    for read in (sources.read_tally, counts.read_counts):
        assert _problems(read, tmp_path / "t.ods") == [
            "t.ods: is an OpenDocument spreadsheet (.ods), not CSV text: save it as .xlsx or CSV UTF-8"]
        assert _problems(read, tmp_path / "o.xlsx") == [
            "o.xlsx: is an OpenDocument spreadsheet (.ods), not XLSX: save it as .xlsx or .csv"]
        assert _problems(read, tmp_path / "c.xlsx") == [
            "c.xlsx: is a text file, not an XLSX workbook: if it is CSV, rename it .csv"]
        assert _problems(read, tmp_path / "u.xlsx") == [
            "u.xlsx: is a text file, not an XLSX workbook: if it is CSV, rename it .csv"]


def test_a_real_password_protected_xlsx_is_named_as_such(tmp_path):
    """The same with a real file: tests/golden/data/password-secret.xlsx, a two-line tally that msoffcrypto-tool
    encrypted with the password "secret" (as Excel's File > Info > Protect Workbook > Encrypt with Password)."""
    import shutil

    from repo_paths import ROOT

    shutil.copy(ROOT / "tests" / "golden" / "data" / "password-secret.xlsx", tmp_path / "t.xlsx")
    assert _problems(sources.read_tally, tmp_path / "t.xlsx") == [
        "t.xlsx: is password-protected (encrypted): remove the password in Excel and save it again"]
    assert _problems(counts.read_counts, tmp_path / "t.xlsx") == [
        "t.xlsx: is password-protected (encrypted): remove the password in Excel and save it again"]


def test_an_xlsx_still_being_copied_waits_to_be_complete_and_one_cut_short_is_named(tmp_path, monkeypatch):
    """Review: an XLSX tally mid-copy was "cannot be read as XLSX: File is not a zip file", exit 2, where a CSV still
    being written is told so (exit 3): a zip package's directory comes last, so a package without its end that
    grows within the pause is still being written, and one that stays so was cut short."""
    from types import SimpleNamespace

    from xlpy.engine.errors import Busy
    from xlpy.files import settled

    whole = tmp_path / "whole.xlsx"
    _write(whole, [["holder_id", "units", "method", "status"], ["A", 100, "book-entry", "tendered"]])
    data = whole.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert _problems(sources.read_tally, cut) == [
        "cut.xlsx: is cut short: a zip package (XLSX) without its end, as a copy or download that did not finish "
        "leaves it; copy it again"]
    growing = tmp_path / "growing.xlsx"
    growing.write_bytes(data[: len(data) // 2])
    paused = []

    def finish(seconds):  # (the copy's second half, while the reader waits: no thread to race its pause)
        paused.append(seconds)
        with growing.open("ab") as fh:
            fh.write(data[len(data) // 2:])

    with monkeypatch.context() as m:
        m.setattr(settled, "time", SimpleNamespace(sleep=finish))
        with pytest.raises(InputErrors) as info:
            sources.read_tally(growing)
    assert paused == [settled.PAUSE]
    (problem,) = info.value.problems
    assert isinstance(problem, Busy) and str(problem).startswith(
        "growing.xlsx: is still being written: its zip package has no end yet and grew from "), str(problem)
    assert sources.read_tally(growing).units == (100,)  # (once complete, it reads)


def _with_chart_sheet(path, rows, *, first: bool = False, alone: bool = False, others=()) -> None:
    """A workbook whose worksheet 'Tally' holds *rows* (and *others*, empty worksheets), with a chart sheet 'Chart'
    charting it (before the worksheets when *first*; the worksheets removed when *alone*)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "Tally"
    for row in rows:
        ws.append(row)
    for name in others:
        wb.create_sheet(name)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    wb.create_chartsheet("Chart", 0 if first else None).add_chart(chart)
    if alone:
        for name in ["Tally", *others]:
            wb.remove(wb[name])
    wb.save(path)


TALLY_ROWS = [["holder_id", "units", "method", "status"], ["A-1", 100, "book-entry", "tendered"]]
COUNT_ROWS = [["tendered", "guaranteed delivery"], [274000, 3500]]


@pytest.mark.parametrize("rows", [TALLY_ROWS, COUNT_ROWS])
def test_a_chart_sheet_named_as_the_sheet_to_read_is_refused_in_one_line(tmp_path, rows):
    """A mapping's sheet = "Chart" naming a chart sheet gave "cannot be read as XLSX: 'Chartsheet' object has no
    attribute 'reset_dimensions'"; a file holding only a chart sheet is one line too."""
    mapping = sources.ColumnMapping(sheet="Chart")
    _with_chart_sheet(tmp_path / "tc.xlsx", rows)
    for read in (sources.read_tally, counts.read_counts):
        assert _problems(read, tmp_path / "tc.xlsx", mapping) == [
            "tc.xlsx: sheet: is a chart sheet, not a worksheet, got 'Chart'"]
    _with_chart_sheet(tmp_path / "oc.xlsx", rows, alone=True)
    for read in (sources.read_tally, counts.read_counts):
        assert _problems(read, tmp_path / "oc.xlsx") == [
            "oc.xlsx: holds no worksheet to read, only the chart sheet 'Chart'"]
        assert _problems(read, tmp_path / "oc.xlsx", mapping) == [
            "oc.xlsx: sheet: is a chart sheet, not a worksheet, got 'Chart'"]
    _with_chart_sheet(tmp_path / "first.xlsx", rows, first=True)  # (the first worksheet is read, as before)
    if rows is COUNT_ROWS:
        assert counts.read_counts(tmp_path / "first.xlsx") == (274000, 3500, 0)
    else:
        assert sources.read_tally(tmp_path / "first.xlsx").units == (100,)


def test_an_empty_sheet_beside_a_chart_sheet_names_only_the_worksheets(tmp_path):
    """The chart sheet was offered as the sheet to read (sheet = "Chart"), which is then refused."""
    _with_chart_sheet(tmp_path / "e.xlsx", [])
    for read in (sources.read_tally, counts.read_counts):
        assert _problems(read, tmp_path / "e.xlsx") == ["e.xlsx: sheet 'Tally' is empty (no header row)"]
    _with_chart_sheet(tmp_path / "e.xlsx", [], others=["Other"])
    assert _problems(sources.read_tally, tmp_path / "e.xlsx") == [
        "e.xlsx: sheet 'Tally' is empty (no header row); the file has other sheets: 'Other': name the one to read "
        "with a mapping file's sheet key (sheet = \"Other\")"]


@pytest.mark.parametrize("rows", [TALLY_ROWS, COUNT_ROWS])
def test_a_package_openpyxl_fails_inside_says_what_to_do(tmp_path, rows):
    """Review 99: a chart sheet with no chart in it (openpyxl writes one; Excel does not) was refused in Python's
    words, "cannot be read as XLSX: 'list' object has no attribute 'find'"; the line says the reader failed inside
    the file and to save it again, with Python's words kept for whoever reports it."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Tally"
    for row in rows:
        wb.active.append(row)
    wb.create_chartsheet("Chart")
    wb.save(tmp_path / "t.xlsx")
    for read in (sources.read_tally, counts.read_counts):
        assert _problems(read, tmp_path / "t.xlsx") == [
            "t.xlsx: cannot be read as XLSX: the XLSX reader (openpyxl) fails inside it (AttributeError: 'list' "
            "object has no attribute 'find'): open it in Excel or LibreOffice Calc and save it again as Excel "
            "Workbook (.xlsx)"]


def test_an_error_of_xlpy_s_own_while_a_sheet_is_read_is_not_told_as_the_file_s(tmp_path):
    """Review 101: the reader's refusal for what fails while the sheet is read caught xlpy's own errors too; one
    raised outside openpyxl is not told as openpyxl failing inside the file, nor told to save the file again."""
    from openpyxl import Workbook

    from xlpy.files.xlsx_sheet import xlsx_sheet

    wb = Workbook()
    wb.active.append(["holder_id", "units"])
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(InputErrors) as info:
        with xlsx_sheet(tmp_path / "t.xlsx", ""):
            raise AttributeError("'NoneType' object has no attribute 'strip'")  # (as a bug of xlpy's would)
    (problem,) = info.value.problems
    assert str(problem) == "t.xlsx: cannot be read as XLSX: 'NoneType' object has no attribute 'strip'"


def test_an_empty_xlsx_tally_or_count_file_is_said_to_be_empty(tmp_path):
    """Review 119's LOW: an empty .xlsx tally said "cannot be read as XLSX: File is not a zip file", where an empty
    workbook is said to be an empty file; a file cut short but not empty still says what the reader found."""
    empty = tmp_path / "t.xlsx"
    empty.write_bytes(b"")
    said = "t.xlsx: cannot be read as XLSX: it is an empty file (0 bytes): a save or a copy that did not finish? " \
           "save or copy it again"
    assert _problems(sources.read_tally, empty) == [said]
    assert _problems(counts.read_counts, empty) == [said]
    empty.write_bytes(b"PK\x03\x04 cut short")
    assert "empty file" not in _problems(sources.read_tally, empty)[0]


@pytest.mark.parametrize("shared", [True, False], ids=["shared strings (Excel)", "inline strings (openpyxl)"])
def test_excel_s_escapes_are_read_as_excel_shows_the_text(tmp_path, shared):
    """Review 174: a carriage return Excel saved in an id (``R-ODD_x000D_``) was read as seven characters of it, the
    holder's second line a second holder (common issued, cash in lieu and charge moved); an id with a line break
    escaped so passed the line-break check.  ``_x005F_`` escapes the underscore of text typed so."""
    import zipfile

    from excel_style import excel_style_copy

    rows = [("holder_id", "units", "method", "status"), ("R-ODD", 25, "certificate", "tendered"),
            ("R-ODD-2ND", 25, "certificate", "tendered"), ("DTC-TYPED", 5, "book-entry", "tendered")]
    _write(tmp_path / "a.xlsx", rows)
    source = excel_style_copy(tmp_path / "a.xlsx", tmp_path / "b.xlsx") if shared else tmp_path / "a.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(tmp_path / "t.xlsx", "w") as zout:
        part = "xl/sharedStrings.xml" if shared else "xl/worksheets/sheet1.xml"
        assert part in zin.namelist()
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = data.replace(b">R-ODD-2ND<", b">R-ODD_x000D_<").replace(b">DTC-TYPED<", b">DTC_x005F_x000D_<")
            zout.writestr(info, data)
    table = sources.read_tally(tmp_path / "t.xlsx")
    assert table.holder_id == ("R-ODD", "R-ODD", "DTC_x000D_")  # (the CR stripped as a space is: one holder)
    with zipfile.ZipFile(tmp_path / "t.xlsx") as zin, zipfile.ZipFile(tmp_path / "u.xlsx", "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info).replace(b">R-ODD_x000D_<", b">R-_x000D__x000A_ODD<"))
    with pytest.raises(InputErrors) as info:
        sources.read_tally(tmp_path / "u.xlsx")
    assert [str(p) for p in info.value.problems] == [
        "u.xlsx: row 3, column holder_id: holds a line break, which no tally cell holds: make it one line, got "
        "'R-\\r\\nODD'"]
