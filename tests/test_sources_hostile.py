"""Hostile tallies, count files, mappings and price files: refused with one located line each, never misread.

Each test writes its small file itself and asserts the exact problems the
reader gives (``FILE: row R, column C: REASON, got 'VALUE'``); the command
line turns them into one line each and exit status 2.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D
import time

import pytest
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy import cli
from xlpy.engine import InputErrors
from xlpy.files import counts, prices, sources

HEADER = "holder_id,units,method,status\n"
PRICES_CSV = DATA / PRICES


def problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def tally(tmp_path, body: str, name: str = "t.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(body, encoding=encoding)
    return path


# --- 1. files separated by semicolons: '.' separates thousands, ',' is the decimal mark ---------------


def test_semicolon_tally_units_read_with_thousands_dots(tmp_path):
    body = ('holder_id;units;method;status\nA;"1.000";book-entry;tendered\nB;280.000;book-entry;tendered\n'
            "C;1.000,0;book-entry;tendered\nD;25;book-entry;tendered\n")
    assert sources.read_tally(tally(tmp_path, body)).units == (1000, 280000, 1000, 25)


def test_semicolon_tally_units_refused_when_not_whole_or_not_grouped(tmp_path):
    body = ("holder_id;units;method;status\nA;10,5;book-entry;tendered\nB;1.00;book-entry;tendered\n"
            "C;1.0000;book-entry;tendered\nD;100;book-entry;tendered\n")
    grouping = ("must be a whole number, with '.' or spaces only between groups of three digits (1.000, 1 000) in a "
                "';'-separated file")
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 2, column units: must be a whole number, got '10,5'",
        f"t.csv: row 3, column units: {grouping}, got '1.00'",
        f"t.csv: row 4, column units: {grouping}, got '1.0000'",
    ]


def test_semicolon_count_file_reads_thousands_dots(tmp_path):
    path = tally(tmp_path, "tendered;guaranteed delivery;failed delivery\n280.000;3.000;0\n")
    assert counts.read_counts(path) == (280000, 3000, 0)
    path = tally(tmp_path, "tendered;guaranteed delivery;failed delivery\n280.00;3,5;0\n")
    assert problems(counts.read_counts, path) == [
        "t.csv: row 2, column tendered: must be a whole number, with '.' or spaces only between groups of three "
        "digits (1.000, 1 000) in a ';'-separated file, got '280.00'",
        "t.csv: row 2, column guaranteed delivery: must be a whole number, got '3,5'",
    ]


def test_semicolon_files_read_spaces_between_thousands(tmp_path):
    """A French export groups thousands with a (no-break, or narrow no-break) space, in tallies and count
    files as in price files; spaces not between groups of three are refused, never closed up."""
    body = ("holder_id;units;method;status\nA;2 500;book-entry;tendered\nB;2\xa0500;book-entry;tendered\n"
            "C;1\u202f000\u202f000;book-entry;tendered\nD;25;book-entry;tendered\n")
    assert sources.read_tally(tally(tmp_path, body)).units == (2500, 2500, 1000000, 25)
    path = tally(tmp_path, "tendered;guaranteed delivery;failed delivery\n270 000;3\xa0500;0\n")
    assert counts.read_counts(path) == (270000, 3500, 0)
    body = "holder_id;units;method;status\nA;25 00;book-entry;tendered\nB;2 500,5;book-entry;tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 2, column units: must be a whole number, with '.' or spaces only between groups of three digits "
        "(1.000, 1 000) in a ';'-separated file, got '25 00'",
        "t.csv: row 3, column units: must be a whole number, got '2 500,5'",
    ]
    # in a comma file a space is no thousands separator (the contract's comma grouping only)
    body = HEADER + "A,2 500,book-entry,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 2, column units: must be a number, got '2 500'"]


def test_comma_files_keep_their_reading(tmp_path):
    # In a comma file the comma separates thousands and '.' is the decimal point, as before.
    body = HEADER + 'A,"1,500",book-entry,tendered\nB,1000.0,book-entry,tendered\nC, 7 ,book-entry,tendered\n'
    assert sources.read_tally(tally(tmp_path, body)).units == (1500, 1000, 7)



def _ambiguous(separated: str, value: str, readings: str) -> str:
    """The refusal of *value*, naming its two *readings*."""
    return f"could be thousands or decimals in {separated}: write {readings}, not {value}"


SEMICOLON = "a ';'-separated file"
#: How a refusal names a decimal reading that is no count (1.5 of 1.500): only the thousands are offered.
NO_COUNT, IS_NONE = "as a decimal,", "is no whole number"


def _agent_tally(sep: str, units) -> str:
    """A tally as an agent exports it (Holder, Shares, DTC, valid), separated by *sep*, one line a units cell."""
    lines = [("Holder", "Shares", "Method", "Status")] + [(f"DTC-{i}", u, "DTC", "valid") for i, u in enumerate(units)]
    return "".join(sep.join(line) + "\r\n" for line in lines)


@pytest.mark.parametrize("sep, separated", [(",", "a ','-separated file"), ("\t", "a tab-separated file")],
                         ids=["comma", "tab"])
def test_a_lone_dot_before_three_digits_is_refused_in_comma_and_tab_files(tmp_path, sep, separated):
    """A German export writes 1000 as 1.000 (in a tab-separated "Unicode Text" file too): never read as 1."""
    body = _agent_tally(sep, ["1.000", "25.000", "274.000", "12.500", "7"])
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        f"t.csv: row 2, column Shares: {_ambiguous(separated, '1.000', '1000 or 1')}, got '1.000'",
        f"t.csv: row 3, column Shares: {_ambiguous(separated, '25.000', '25000 or 25')}, got '25.000'",
        f"t.csv: row 4, column Shares: {_ambiguous(separated, '274.000', '274000 or 274')}, got '274.000'",
        f"t.csv: row 5, column Shares: {_ambiguous(separated, '12.500', f'12500 ({NO_COUNT} 12.5 {IS_NONE})')}, "
        "got '12.500'",
    ]
    # a decimal point that cannot be a thousands separator (not before three digits, or after more than three)
    body = _agent_tally(sep, ["1.00", "274000.0", "1234.000", "7"])
    assert sources.read_tally(tally(tmp_path, body)).units == (1, 274000, 1234, 7)
    path = tally(tmp_path, sep.join(("tendered", "guaranteed delivery")) + "\n" + sep.join(("3.000", "0")) + "\n")
    assert problems(counts.read_counts, path) == [
        f"t.csv: row 2, column tendered: {_ambiguous(separated, '3.000', '3000 or 3')}, got '3.000'"]


def test_a_lone_comma_before_three_digits_is_refused_in_a_semicolon_file(tmp_path):
    """There the comma is the decimal mark, so 1,000 is 1, or 1000 as an English export writes it: never guessed."""
    body = "holder_id;units;method;status\nA;1,000;book-entry;tendered\nB;1.000;book-entry;tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        f"t.csv: row 2, column units: {_ambiguous(SEMICOLON, '1,000', '1000 or 1')}, got '1,000'"]
    path = tally(tmp_path, "tendered;guaranteed delivery\n280.000;3,000\n")
    assert problems(counts.read_counts, path) == [
        f"t.csv: row 2, column guaranteed delivery: {_ambiguous(SEMICOLON, '3,000', '3000 or 3')}, got '3,000'"]


def test_units_stored_as_text_in_an_xlsx_are_not_guessed(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["holder_id", "units", "method", "status"])
    for row in (["A", "2.000", "book-entry", "tendered"], ["B", 2000, "book-entry", "tendered"],
                ["C", "2000", "book-entry", "tendered"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert problems(sources.read_tally, tmp_path / "t.xlsx") == [
        f"t.xlsx: row 2, column units: {_ambiguous('a cell of text', '2.000', '2000 or 2')}, got '2.000'"]


UNSAVED = ("is a formula with no saved value (a file written by a program, never calculated): open and save the "
           "file in Excel, or paste values")


def test_a_formula_with_no_saved_value_in_an_xlsx_is_named_as_such(tmp_path):
    """openpyxl writes a formula without its value: read as empty it would be "must be a number, got ''", or a
    status cell would take the mapping's default."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["holder_id", "units", "method", "status", "note"])
    for row in (["A", 2000, "book-entry", "tendered", "=1+1"],  # a column not ours: left alone
                ["B", "=1000+1100", "book-entry", "tendered", None],
                ["C", 10, "book-entry", '=IF(B3>0,"withdrawn","tendered")', None],
                ["D", 5, "certificate", None, None]):  # an empty cell, no formula: the mapping's default
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    mapping = sources.ColumnMapping(defaults={"status": "tendered"})
    assert problems(sources.read_tally, tmp_path / "t.xlsx", mapping) == [
        f"t.xlsx: row 3, column units: {UNSAVED}, got '=1000+1100'",
        f"t.xlsx: row 4, column status: {UNSAVED}, got '=IF(B3>0,\"withdrawn\",\"tendered\")'"]
    wb.active["B3"], wb.active["D4"] = 2100, "withdrawn"  # the values pasted: read as written
    wb.save(tmp_path / "t.xlsx")
    assert sources.read_tally(tmp_path / "t.xlsx", mapping).units == (2000, 2100, 10, 5)


def test_a_formula_with_no_saved_value_in_an_xlsx_count_file_is_named_as_such(tmp_path):
    """A count file too: read as blank, the count was called missing ("is required, got ''")."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["tendered", "guaranteed delivery", "failed delivery"])
    wb.active.append([274000, 3500, "=100+200"])
    wb.save(tmp_path / "c.xlsx")
    assert problems(counts.read_counts, tmp_path / "c.xlsx") == [
        f"c.xlsx: row 2, column failed delivery: {UNSAVED}, got '=100+200'"]
    wb.active["C2"] = 300  # the value pasted: read as written
    wb.save(tmp_path / "c.xlsx")
    assert counts.read_counts(tmp_path / "c.xlsx") == (274000, 3500, 300)


def test_a_count_files_sheet_named_by_the_mapping_must_be_there(tmp_path):
    """Its first sheet was read in its place without a word (the tally reader refused the same mapping)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Summary"
    wb.active.append(["tendered", "guaranteed delivery"])
    wb.active.append([274000, 3500])
    counts_sheet = wb.create_sheet("Counts")
    counts_sheet.append(["tendered", "guaranteed delivery"])
    counts_sheet.append([280000, 3000])
    wb.save(tmp_path / "c.xlsx")
    assert counts.read_counts(tmp_path / "c.xlsx", sources.ColumnMapping(sheet="Counts")) == (280000, 3000, 0)
    assert problems(counts.read_counts, tmp_path / "c.xlsx", sources.ColumnMapping(sheet="Count")) == [
        "c.xlsx: sheet: is not in the workbook, got 'Count'"]


def _with_stated_size(path, ref: str) -> None:
    """Rewrite *path*'s first sheet to state its size (``<dimension>``) as *ref*, as Apache POI's streaming writer
    may: too small."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="%s"/>' % ref.encode(), data)
                assert n == 1
            z.writestr(info, data)


@pytest.mark.parametrize("ref", ["A1:D3", "A1:B5", "A1"])
def test_an_xlsx_that_states_too_small_a_size_is_read_to_its_last_cell(tmp_path, ref):
    """openpyxl's reader stops at the size a sheet states: the lines and columns past it were dropped without a
    word (5,000 units read as 4,000, the guaranteed delivery lost)."""
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["holder_id", "units", "method", "status"], ["A", 3000, "book-entry", "tendered"],
                ["B", 1000, "certificate", "tendered"], ["C", 700, "book-entry", "withdrawn"],
                ["D", 1000, "guaranteed", "tendered"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    _with_stated_size(tmp_path / "t.xlsx", ref)
    got = sources.read_tally(tmp_path / "t.xlsx")
    assert (got.units, got.method[-1], got.status[2]) == ((3000, 1000, 700, 1000), "guaranteed", "withdrawn")
    wb = Workbook()
    wb.active.append(["tendered", "guaranteed delivery", "failed delivery"])
    wb.active.append([274000, 3500, 500])
    wb.save(tmp_path / "c.xlsx")
    _with_stated_size(tmp_path / "c.xlsx", "A1:A2")
    assert counts.read_counts(tmp_path / "c.xlsx") == (274000, 3500, 500)


# --- 3, 4. units that are not ASCII digits, or too long to be units ---------------------------------------


def test_units_not_ascii_or_too_large_refused_at_once(tmp_path):
    body = HEADER + "".join(f"H{i},{u},book-entry,tendered\n" for i, u in enumerate(
        ["\u00b2", "\u0661\u0660", "1e5000", "1e10000000", "1" + "0" * 15, "9" * 5000, "-5", "25"]))
    start = time.perf_counter()
    found = problems(sources.read_tally, tally(tmp_path, body))
    assert time.perf_counter() - start < 5  # 1e10000000 is never made an int
    below = "must be below 1,000,000,000,000,000 (Excel holds 15 digits exactly)"
    assert found[:6] == [
        "t.csv: row 2, column units: must be a whole number written in the digits 0-9, got '\u00b2'",
        "t.csv: row 3, column units: must be a whole number written in the digits 0-9, got '\u0661\u0660'",
        "t.csv: row 4, column units: must be a whole number written in the digits 0-9, got '1e5000'",
        "t.csv: row 5, column units: must be a whole number written in the digits 0-9, got '1e10000000'",
        f"t.csv: row 6, column units: {below}, got '1000000000000000'",
        f"t.csv: row 7, column units: {below}, got '{'9' * 60}'... (5,000 characters)",
    ]
    assert found[6:] == ["t.csv: row 8, column units: must not be negative, got '-5'"]
    # a column of plain whole numbers (read by pandas as int64) is held to the same limit
    body = HEADER + "A,1000000000000000,book-entry,tendered\nB,25,book-entry,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        f"t.csv: row 2, column units: {below}, got 1000000000000000"]


def test_count_file_count_too_large_refused_at_once(tmp_path):
    path = tally(tmp_path, "tendered,guaranteed delivery\n1e10000000,0\n")
    assert problems(counts.read_counts, path) == [
        "t.csv: row 2, column tendered: must be a whole number written in the digits 0-9, got '1e10000000'"]


def test_hostile_units_through_the_command_line(tmp_path, capsys, monkeypatch):
    offer = FORMULA.read_text(encoding="utf-8").replace('file = "data/hecla-2004-tally.csv"', 'file = "t.csv"')
    (tmp_path / "offer.toml").write_text(offer, encoding="utf-8")
    (tmp_path / "data").mkdir()
    shutil.copyfile(DATA / PRICES, tmp_path / "data" / PRICES)
    tally(tmp_path, "holder_id;units;method;status\nA-1;10,5;book-entry;tendered\nA-2;1e10000000;book-entry;tendered\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compute", "offer.toml", "--json"]) == 2
    out, err = capsys.readouterr()
    assert [f"xlpy compute: {e['message']}" for e in json.loads(out)["errors"]] == err.splitlines()  # (--json's)
    assert err.splitlines() == [
        "xlpy compute: offer.toml: tally.file: t.csv: row 2, column units: must be a whole number, got '10,5'",
        "xlpy compute: offer.toml: tally.file: t.csv: row 3, column units: must be a whole number written in the "
        "digits 0-9, got '1e10000000'",
    ]


# --- 2. a price row on a day the exchange was closed ---------------------------------------------------


def test_price_row_on_a_closed_day_refused(tmp_path):
    # A Saturday and Presidents' Day inside Hecla's window (11 to 18 February 2004), and a Sunday outside it:
    # the engine averages trading days only, a workbook every row between the window's ends.
    lines = (DATA / PRICES).read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("2004-02-17"))
    lines[at:at] = ["2004-02-14,0.50,50000000\n", "2004-02-16,8.00,1000\n"]
    lines.append("2004-03-07,7.00,1000\n")
    path = tally(tmp_path, "".join(lines), "prices.csv")
    assert problems(prices.read_prices, path, "XNYS") == [
        "prices.csv: row 32, column date: must be a trading day of XNYS, which was closed (a Saturday), "
        "got '2004-02-14'",
        "prices.csv: row 33, column date: must be a trading day of XNYS, which was closed (President's Day), "
        "got '2004-02-16'",
        f"prices.csv: row {len(lines)}, column date: must be a trading day of XNYS, which was closed (a Sunday), "
        "got '2004-03-07'",
    ]
    # the trading days alone are read as before
    assert len(prices.read_prices(DATA / PRICES, "XNYS")) == len(lines) - 1 - 3


# --- 3, 7. rows wider than the header; mappings naming no text encoding; folders --------------------------


@pytest.mark.parametrize("rows, expect", [
    ("A-1,100,book-entry,tendered,x,y\n", ["t.csv: row 2: has 6 cells and the header 4, got 'A-1,100,book-entry,tendered,x,y'"]),
    # a trailing comma on every line: pandas would shift the columns and blame the method
    ("A-1,100,book-entry,tendered,\nA-2,250,certificate,tendered,\n",
     ["t.csv: row 2: has 5 cells and the header 4, got 'A-1,100,book-entry,tendered,'",
      "t.csv: row 3: has 5 cells and the header 4, got 'A-2,250,certificate,tendered,'"]),
    ("A-1,100,book-entry,tendered\nA-2,250,certificate,tendered,x\n",
     ["t.csv: row 3: has 5 cells and the header 4, got 'A-2,250,certificate,tendered,x'"]),
], ids=["extra-cells", "trailing-comma", "later-row"])
def test_rows_wider_than_the_header_refused(tmp_path, rows, expect):
    assert problems(sources.read_tally, tally(tmp_path, HEADER + rows)) == expect


def test_price_and_count_rows_wider_than_the_header_refused(tmp_path):
    """A thousands comma unquoted (the volume read as 1) or a decimal comma in a comma file (the price read as 8,
    the ratio moved from 7.94 to 7.97) were taken silently: refused as a tally's wider rows are."""
    body = PRICES_CSV.read_text(encoding="utf-8")
    wide = body.replace("2004-02-11,8.4500,1845000", "2004-02-11,8.4500,1,845,000")
    assert wide != body
    assert problems(prices.read_prices, tally(tmp_path, wide, "p.csv")) == [
        "p.csv: row 29: has 5 cells and the header 3, got '2004-02-11,8.4500,1,845,000'"]
    assert problems(counts.read_counts, tally(tmp_path, "Tendered,NGD,Failed\n280,000,0,0\n", "c.csv")) == [
        "c.csv: row 2: has 4 cells and the header 3, got '280,000,0,0'"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_problem_is_named_by_the_row_a_spreadsheet_shows_after_blank_lines(tmp_path, newline):
    """pandas skips blank lines (and lines of spaces), a spreadsheet shows each as a row: the problems named the row
    of the line's index (row 4 for the line on row 5)."""
    lines = [HEADER.strip(), "A,10,book-entry,tendered", "", "   ", "B,x,book-entry,tendered", "C,10.5,book-entry,tendered",
             '"D\nE",5,book-entry,tendered', "F,y,book-entry,tendered"]
    path = tally(tmp_path, newline.join(lines) + newline)
    assert problems(sources.read_tally, path) == [
        "t.csv: row 7, column holder_id: holds a line break, which no tally cell holds: make it one line, got 'D\\nE'",
        "t.csv: row 5, column units: must be a number, got 'x'",
        "t.csv: row 6, column units: must be a whole number, got '10.5'",
        "t.csv: row 8, column units: must be a number, got 'y'"]  # (a value holding a line break is one row)


def test_an_xlsx_problem_and_a_case_twin_are_named_by_their_rows_after_blank_rows(tmp_path):
    from openpyxl import Workbook

    from xlpy.workbook.data import holder_problems

    wb = Workbook()
    for row in (["holder_id", "units", "method", "status"], ["a-1", 10, "book-entry", "tendered"], [None] * 4,
                ["B", "x", "book-entry", "tendered"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert problems(sources.read_tally, tmp_path / "t.xlsx") == ["t.xlsx: row 4, column units: must be a number, got 'x'"]
    path = tally(tmp_path, HEADER + "a-1,10,book-entry,tendered\n\nb,5,book-entry,tendered\nA-1,7,certificate,tendered\n")
    (twin,) = holder_problems(sources.read_tally(path), "t.csv", 21)
    assert str(twin).startswith("t.csv: row 5, column holder_id: differs from the holder id on row 2 ('a-1')"), twin


def test_an_xlsx_with_a_row_left_out_is_read_and_a_note_beside_a_count_is_a_note(tmp_path):
    """Excel leaves an empty row out of the file: read whatever size the sheet states, such a row came as an empty
    list and the reader failed (a traceback).  A note to the right of an XLSX count file's counts is no figure
    split by a separator (as a CSV's 280,000,0,0 is): it is read, not refused."""
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["holder_id", "units", "method", "status"], ["A", 10, "book-entry", "tendered"], [],
                ["B", 20, "book-entry", "tendered"], ["C", 5, "book-entry", "tendered"]):
        wb.active.append(row)  # ([]: a row with no cell, left out of the sheet's XML)
    wb.save(tmp_path / "t.xlsx")
    assert sources.read_tally(tmp_path / "t.xlsx").units == (10, 20, 5)
    wb = Workbook()
    wb.active.append(["tendered", "guaranteed delivery", "failed delivery"])
    wb.active.append([274000, 3500, 0])
    wb.active["H2"] = "per agent email"
    wb.active["A5"] = None
    wb.active.append([])
    wb.save(tmp_path / "c.xlsx")
    assert counts.read_counts(tmp_path / "c.xlsx") == (274000, 3500, 0)


def test_a_mapping_value_that_is_a_list_is_refused_by_name(tmp_path):
    path = tally(tmp_path, '[methods]\nNOG = ["guaranteed"]\n[defaults]\nmethod = ["book-entry"]\n', "map.toml")
    assert problems(sources.read_mapping, path) == [
        'map.toml: methods.NOG: must be one of book-entry, certificate, guaranteed, got ["guaranteed"]',
        'map.toml: defaults.method: must be one of book-entry, certificate, guaranteed, got ["book-entry"]']


def test_words_of_a_mapping_read_as_one_and_mapped_apart_are_refused(tmp_path):
    """The reader looks a cell's word up as it reads it (case, spaces and hyphens aside): "NOG" and "nog" mapped to
    two methods kept the last, and the NOG lines were read as certificates without a word (units_guaranteed_delivery
    0).  The same word mapped twice to one of ours reads every cell the same: it is read."""
    body = ('[methods]\n"NOG" = "guaranteed"\n"nog" = "certificate"\n" NOG " = "guaranteed"\n'
            '[statuses]\n"W/D" = "withdrawn"\n"w/d" = "failed"\n')
    assert problems(sources.read_mapping, tally(tmp_path, body, "map.toml")) == [
        "map.toml: methods.nog: is the word of methods.NOG written another way (case, spaces or hyphens), mapped to "
        "another method: write it once, got 'nog'",
        "map.toml: statuses.\"w/d\": is the word of statuses.\"W/D\" written another way (case, spaces or hyphens), "
        "mapped to another status: write it once, got 'w/d'"]
    body = '[methods]\n"NOG" = "guaranteed"\n"nog" = "guaranteed"\n"N.O.G." = "certificate"\n'
    mapping = sources.read_mapping(tally(tmp_path, body, "map.toml"))
    assert mapping.methods == {"nog": "guaranteed", "n.o.g.": "certificate"}
    path = tally(tmp_path, "Acct,Shs,How\nA,100,nog\nB,5,N.O.G.\n")
    table = sources.read_tally(path, sources.ColumnMapping(
        columns={"holder_id": "Acct", "units": "Shs", "method": "How"}, methods=mapping.methods,
        defaults={"status": "tendered"}))
    assert table.method == ("guaranteed", "certificate")


def test_two_of_our_columns_mapped_to_one_header_are_refused_before_a_row_is_read(tmp_path):
    """holder_id and units both "Acct" read one column as both: every line was refused as a units cell holding the
    holder ("row 2, column Acct: must be a number, got 'A'").  A header is found as written (an exact match), so it
    is compared so; a header a recognised spelling would read as another of our columns is read once too."""
    body = '[columns]\nholder_id = "Acct"\nunits = "Acct"\nmethod = "How"\nstatus = "Acct"\n'
    assert problems(sources.read_mapping, tally(tmp_path, body, "map.toml")) == [
        "map.toml: columns.units: names the header of columns.holder_id, got 'Acct'",
        "map.toml: columns.status: names the header of columns.holder_id, got 'Acct'"]
    body = '[columns]\nholder_id = "Acct"\nunits = "acct"\n'
    assert sources.read_mapping(tally(tmp_path, body, "map.toml")).columns == {"holder_id": "Acct", "units": "acct"}
    path = tally(tmp_path, "Account,Shs,How,State\nA,100,DTC,valid\n")
    mapping = sources.ColumnMapping(columns={"units": "Account"})
    assert problems(sources.read_tally, path, mapping) == [
        "t.csv: header: has no holder_id column (expected one of: holder_id, holder, holder id, holder name, account, "
        "account number, account no, account_id, participant, name, registered holder); Account is read as units "
        "(the mapping's columns.units), got 'Account, Shs, How, State'"]


def test_a_holder_or_units_header_of_no_known_spelling_names_the_mapping_that_reads_it(tmp_path):
    """Review: a missing method or status column named the mapping file's [defaults]; a missing holder or units
    column listed the spellings only, never the mapping file that names the agent's header."""
    path = tally(tmp_path, "Acct #,Shs Tendered,Method,Status\nA,100,book-entry,tendered\n")
    said = problems(sources.read_tally, path)
    assert len(said) == 2
    for ours, line in zip(("holder_id", "units"), said):
        assert line.startswith(f"t.csv: header: has no {ours} column (expected one of: "), line
        assert line.endswith(f"; or name the agent's header in a mapping file: [columns] {ours} = \"...\" "
                             "(--mapping, or tally.mapping), got 'Acct #, Shs Tendered, Method, Status'"), line


@pytest.mark.parametrize("line, shown", [('methods = "NOG"', "'NOG'"), ('statuses = ["W/D"]', '["W/D"]'),
                                         ('defaults = "tendered"', "'tendered'"), ('columns = "units"', "'units'")])
def test_a_mapping_section_that_is_no_table_is_refused_by_name(tmp_path, line, shown):
    """Read as a table, such a section raised a traceback (methods, statuses, defaults) or was named letter by letter
    (columns.u, columns.n, ...)."""
    section = line.split(" ", 1)[0]
    assert problems(sources.read_mapping, tally(tmp_path, line + "\n", "map.toml")) == [
        f"map.toml: {section}: must be a table: [{section}], then one line each, got {shown}"]


@pytest.mark.parametrize("encoding, shown", [('"klingon"', "'klingon'"), ('"rot13"', "'rot13'"), ("5", "5")])
def test_mapping_encoding_must_be_a_text_encoding(tmp_path, encoding, shown):
    path = tally(tmp_path, f"encoding = {encoding}\n", "map.toml")
    assert problems(sources.read_mapping, path) == [
        f"map.toml: encoding: must be the name of a text encoding (e.g. utf-8, cp1252, latin-1), got {shown}"]


def test_tally_not_in_the_mapping_encoding(tmp_path):
    path = tally(tmp_path, HEADER + "A-1,100,book-entry,tendered\n")
    mapping = sources.read_mapping(tally(tmp_path, 'encoding = "utf-16"\n', "map.toml"))
    expect = ["t.csv: is not utf-16 text (UTF-16 stream does not start with BOM); its mapping file names utf-16: "
              "save the file in that encoding, or name the one it is in"]
    assert problems(sources.read_tally, path, mapping) == expect
    assert problems(counts.read_counts, tally(tmp_path, "tendered\n5\n"), mapping) == expect



OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the first bytes of an Excel 97-2003 .xls


def test_a_workbook_given_as_csv_is_named_as_such(tmp_path):
    """An .xlsx (a zip package) or an Excel 97-2003 .xls is no text in any encoding: say what it is."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["date", "price", "volume"])
    wb.save(tmp_path / "book.xlsx")
    (tmp_path / "p.csv").write_bytes((tmp_path / "book.xlsx").read_bytes())
    (tmp_path / "t.xls").write_bytes(OLE + bytes(504))
    assert problems(prices.read_prices, tmp_path / "p.csv") == [
        "p.csv: is an Excel workbook (a zip package), not CSV text: save the price history as CSV UTF-8"]
    assert problems(prices.read_prices, tmp_path / "t.xls") == [
        "t.xls: is an Excel 97-2003 workbook (.xls), not CSV text: save the price history as CSV UTF-8"]
    assert problems(sources.read_tally, tmp_path / "t.xls") == [
        "t.xls: is an Excel 97-2003 workbook (.xls), not CSV text: save it as .xlsx or CSV UTF-8"]
    assert problems(counts.read_counts, tmp_path / "t.xls") == [
        "t.xls: is an Excel 97-2003 workbook (.xls), not CSV text: save it as .xlsx or CSV UTF-8"]
    assert problems(sources.read_tally, tmp_path / "p.csv") == [
        "p.csv: is an Excel workbook (a zip package), not CSV text: save it as .xlsx or CSV UTF-8"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_files_with_a_byte_order_mark_are_read(tmp_path, encoding):
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark, separated by tabs: the mark names the encoding."""
    def write(name: str, text: str):
        bom = b"\xfe\xff" if encoding == "utf-16-be" else b""  # (Python's utf-16 writes its own)
        (tmp_path / name).write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
        return tmp_path / name

    t = sources.read_tally(write("t.txt", "Holder\tShares\tMethod\tStatus\nDTC-1\t1000\tDTC\tvalid\n"
                                          "M\u00fcller\t25\tcert\tvalid\n"))
    assert (t.holder_id, t.units, t.method) == (("DTC-1", "M\u00fcller"), (1000, 25), ("book-entry", "certificate"))
    path = write("c.txt", "tendered\tguaranteed delivery\n274000\t3500\n")
    assert counts.tally_kind(path) == "counts" and counts.read_counts(path) == (274000, 3500, 0)
    rows = (DATA / PRICES).read_text(encoding="utf-8").replace(",", "\t")
    assert prices.read_prices(write("p.txt", rows)) == prices.read_prices(DATA / PRICES)
    # the reading is the same: 1.000 is still refused as ambiguous
    path = write("t.txt", "Holder\tShares\tMethod\tStatus\nDTC-1\t1.000\tDTC\tvalid\n")
    assert problems(sources.read_tally, path) == [
        f"t.txt: row 2, column Shares: {_ambiguous('a tab-separated file', '1.000', '1000 or 1')}, got '1.000'"]


def test_a_utf16_file_read_in_the_mapping_files_encoding_is_told_so(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("holder_id\tunits\tmethod\tstatus\r\nA-1\t100\tbook-entry\ttendered\r\n".encode("utf-16"))
    mapping = sources.read_mapping(tally(tmp_path, 'encoding = "utf-8"\n', "map.toml"))
    assert problems(sources.read_tally, path, mapping) == [
        't.txt: row 1: is not UTF-8 text (byte 0xff); it starts with a UTF-16 byte-order mark: set '
        'encoding = "utf-16" in the mapping file']


def test_a_price_file_not_utf8_is_named_by_its_row_and_byte(tmp_path):
    """It said "pl.csv: is not UTF-8 text: invalid continuation byte": no row, no byte."""
    path = tmp_path / "pl.csv"
    path.write_bytes(b"date,price,volume\r\n2004-02-12,8\xe9,100\r\n")
    assert problems(prices.read_prices, path) == [
        "pl.csv: row 2: is not UTF-8 text (byte 0xe9); save the price history as CSV UTF-8"]
    path.write_bytes(b"date,price,volume\r\n" + b"2004-02-11,8.1,100\r\n" * 600 + b"2004-02-12,8\xe9,100\r\n")
    assert problems(prices.read_prices, path) == [
        "pl.csv: row 602: is not UTF-8 text (byte 0xe9); save the price history as CSV UTF-8"]
    path.write_bytes("date,price,volume\r\n2004-02-11,8.1,100\r\n".encode("utf-16") + b"\n")  # (a stray byte)
    assert problems(prices.read_prices, path) == [
        "pl.csv: row 3: is not utf-16 text (byte 0x0a); save the price history as CSV UTF-8"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_without_its_mark_and_utf32_are_named(tmp_path, encoding):
    """Text with a zero byte beside every character (UTF-16 saved without its byte-order mark, or UTF-32, whose
    mark starts as UTF-16's does) is named as such, not read as a header of ``h\\x00o\\x00...``; a mapping file
    that names UTF-16 reads it."""
    tally_text = "holder_id,units,method,status\nA-1,100,book-entry,tendered\n"
    (tmp_path / "t.csv").write_bytes(tally_text.encode(encoding))
    (tmp_path / "c.csv").write_bytes("tendered,guaranteed delivery\n274000,3500\n".encode(encoding))
    (tmp_path / "p.csv").write_bytes((DATA / PRICES).read_text(encoding="utf-8").encode(encoding))
    why = "holds NUL characters (it is UTF-16 saved without a byte-order mark, or UTF-32)"
    advice = 'save it as CSV UTF-8 (or name its encoding in a mapping file, e.g. encoding = "utf-16-le")'
    assert problems(sources.read_tally, tmp_path / "t.csv") == [f"t.csv: {why}: {advice}"]
    assert problems(counts.read_counts, tmp_path / "c.csv") == [f"c.csv: {why}: {advice}"]
    assert problems(prices.read_prices, tmp_path / "p.csv") == [f"p.csv: {why}: save the price history as CSV UTF-8"]
    named = sources.read_mapping(tally(tmp_path, f'encoding = "{encoding}"\n', "map.toml"))
    assert sources.read_tally(tmp_path / "t.csv", named).units == (100,)


def test_a_folder_is_not_a_file(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    assert problems(sources.read_tally, folder) == [f"{folder}: is a folder, not a tally file"]
    assert problems(counts.read_counts, folder) == [f"{folder}: is a folder, not a tally file"]
    assert problems(prices.read_prices, folder) == [f"{folder}: is a folder, not a price file"]
    assert problems(sources.read_mapping, folder) == [f"{folder}: is a folder, not a mapping file"]


# --- 6. a column named twice ------------------------------------------------------------------------------


def test_a_column_named_twice_is_refused(tmp_path):
    path = tally(tmp_path, "holder_id,units,units,method,status\nA-1,100,5,book-entry,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: columns: more than one column could be units; name one in a mapping file, got 'units, units'"]
    mapping = sources.ColumnMapping(columns={"units": "units"})
    assert problems(sources.read_tally, path, mapping) == [
        "t.csv: columns: more than one column has the header named for units; rename one, got 'units, units'"]



def test_a_price_file_with_two_price_columns_is_told_to_delete_or_rename_one(tmp_path):
    """A price file takes no mapping file: the advice is to delete or rename a column, not to name one there."""
    path = tally(tmp_path, "Date,VWAP,Close,Volume\n2004-01-02,8.3059,8.31,2517000\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: columns: more than one column could be price; delete or rename one of them, got 'VWAP, Close'"]


# --- 5. an empty method or status cell is stated, never assumed -------------------------------------------


def unstated(what: str) -> str:
    return (f"is required (or state the {what} of empty cells in a mapping file: [defaults] {what}; "
            "a totals row is to be deleted)")


def test_empty_method_or_status_refused_without_a_default(tmp_path):
    path = tally(tmp_path, HEADER + "A-1,100,book-entry,\nA-2,250,,tendered\nA-3,100\nA-4,5,certificate,tendered\n")
    assert problems(sources.read_tally, path) == [
        f"t.csv: row 3, column method: {unstated('method')}, got ''",
        f"t.csv: row 4, column method: {unstated('method')}, got ''",  # a short row: its cells are empty
        f"t.csv: row 2, column status: {unstated('status')}, got ''",
        f"t.csv: row 4, column status: {unstated('status')}, got ''",
    ]
    # the mapping file's [defaults] states them
    mapping = sources.read_mapping(tally(tmp_path, '[defaults]\nmethod = "certificate"\nstatus = "withdrawn"\n',
                                         "map.toml"))
    t = sources.read_tally(path, mapping)
    assert (t.method, t.status) == (("book-entry", "certificate", "certificate", "certificate"),
                                    ("withdrawn", "tendered", "withdrawn", "tendered"))


def test_an_agents_word_on_many_lines_is_one_problem_with_the_mapping_that_reads_it(tmp_path):
    """An unknown method on 5,000 lines printed 50 identical lines and "...: and 1 more problems"; the failed
    deliveries' check likewise stopped at 51 and understated the rest."""
    lines = "".join(f"H{i},10,wire,tendered\n" for i in range(5000))
    path = tally(tmp_path, HEADER + lines + "X,1,wire,tendered\nY,1,dtc,withdrawn\nZ,1,book-entry,gone\n"
                 "V,1,book-entry,\nW,1,,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: rows 2, 3, 4 and 4,998 more, column method: must be one of book-entry, certificate, guaranteed; if "
        "it is the agent's word for one of them, map it in a mapping file: [methods] \"wire\" = the one of ours it "
        "means, got 'wire'",
        f"t.csv: row 5006, column method: {unstated('method')}, got ''",
        "t.csv: row 5004, column status: must be one of tendered, withdrawn, failed; if it is the agent's word for "
        "one of them, map it in a mapping file: [statuses] \"gone\" = the one of ours it means, got 'gone'",
        f"t.csv: row 5005, column status: {unstated('status')}, got ''"]
    path = tally(tmp_path, HEADER + "".join(f'H{i},10,"wi""re",tendered\n' for i in range(4)))
    assert '[methods] "wi\\"re" = the one of ours it means' in problems(sources.read_tally, path)[0]  # TOML, escaped
    # as the message says, a mapping file reads it
    (tmp_path / "map.toml").write_text('[methods]\n"wire" = "book-entry"\n[defaults]\nmethod = "certificate"\n'
                                       'status = "tendered"\n')
    path = tally(tmp_path, HEADER + lines + "V,1,book-entry,\nW,1,,tendered\n")
    t = sources.read_tally(path, sources.read_mapping(tmp_path / "map.toml"))
    assert (len(t.units), t.method[0], t.method[-1], t.status[-2]) == (5002, "book-entry", "certificate", "tendered")
    path = tally(tmp_path, HEADER + "".join(f"H{i},10,book-entry,failed\n" for i in range(120)))
    said = problems(sources.read_tally, path)
    assert len(said) == 51 and said[-1] == "t.csv: and 70 more problems", said[-1]
    # a word of its own on every line, in both columns: the lines past the shown ones are counted, not each made a
    # problem (a million such lines took 2 GB), and the count stays exact
    path = tally(tmp_path, HEADER + "".join(f"H{i},10,X{i},S{i}\n" for i in range(200)))
    said = problems(sources.read_tally, path)
    assert len(said) == 51 and said[-1] == "t.csv: and 350 more problems", said[-1]
    assert said[0] == ("t.csv: row 2, column method: must be one of book-entry, certificate, guaranteed; if it is "
                       "the agent's word for one of them, map it in a mapping file: [methods] \"X0\" = the one of "
                       "ours it means, got 'X0'")


def test_empty_method_stated_by_a_guaranteed_marker(tmp_path):
    path = tally(tmp_path, "holder_id,units,method,status,ngd\nA-1,100,,tendered,Y\nA-2,250,,tendered,N\n"
                           "A-3,250,cert,tendered,\n")
    assert problems(sources.read_tally, path) == [f"t.csv: row 3, column method: {unstated('method')}, got ''"]
    path = tally(tmp_path, "holder_id,units,method,status,ngd\nA-1,100,,tendered,Y\nA-3,250,cert,tendered,\n")
    assert sources.read_tally(path).method == ("guaranteed", "certificate")



TOTALS_LABEL = ("looks like a totals row, not a holder: delete it if it is one; if it is a holder, name it in a "
                "mapping file's [holders] not_totals list (not_totals = [\"{}\"])")


def test_a_totals_row_is_refused_not_counted_as_a_holder(tmp_path):
    """With [defaults] stating method and status, an agent's last line Total,4300 would be one more holder and
    double the count: a holder id that is a totals label is refused, in a CSV as in an XLSX tally."""
    from openpyxl import Workbook

    mapping = sources.read_mapping(tally(tmp_path, '[defaults]\nmethod = "book-entry"\nstatus = "tendered"\n',
                                         "map.toml"))
    rows = [("Account", "Shares"), ("A-1", "4000"), ("Sumner Total Fund", "300"), ("Subtotal:", "4300"),
            (" grand  TOTAL ", "4300"), ("Sub-Total", "4300"), ("SUM", "4300"), ("Total", "4300")]
    path = tally(tmp_path, "".join(",".join(r) + "\n" for r in rows))
    refused = [(4, "Subtotal:"), (5, "grand  TOTAL "),  # (a leading space is dropped)
                (6, "Sub-Total"), (7, "SUM"), (8, "Total")]
    assert problems(sources.read_tally, path, mapping) == [
        f"t.csv: row {row}, column Account: {TOTALS_LABEL.format(label.strip())}, got '{label}'"
        for row, label in refused]
    wb = Workbook()
    for r in rows[:3] + rows[-1:]:
        wb.active.append([r[0], int(r[1]) if r[1].isdigit() else r[1]])
    wb.save(tmp_path / "t.xlsx")
    assert problems(sources.read_tally, tmp_path / "t.xlsx", mapping) == [
        f"t.xlsx: row 4, column Account: {TOTALS_LABEL.format('Total')}, got 'Total'"]
    # without the totals rows, the holders are read
    path = tally(tmp_path, "".join(",".join(r) + "\n" for r in rows[:3]))
    assert sources.read_tally(path, mapping).units == (4000, 300)


def test_a_totals_row_without_a_default_is_refused_by_name(tmp_path):
    path = tally(tmp_path, HEADER + "A-1,4000,book-entry,tendered\nTotal,4000,,\n")
    assert problems(sources.read_tally, path) == [
        f"t.csv: row 3, column holder_id: {TOTALS_LABEL.format('Total')}, got 'Total'",
        f"t.csv: row 3, column method: {unstated('method')}, got ''",
        f"t.csv: row 3, column status: {unstated('status')}, got ''",
    ]


def _with_closed_day(folder, row: str = "2004-02-16,8.20,1500000"):
    """The formula example's price file with one more row, in *folder* as prices.csv."""
    path = folder / "prices.csv"
    path.write_text((DATA / PRICES).read_text(encoding="utf-8").rstrip("\n") + f"\n{row}\n", encoding="utf-8")
    return path


def test_an_offer_files_prices_on_a_closed_day_are_refused(tmp_path, capsys, monkeypatch):
    """The engine averages trading days, the workbook every row in the window: a closed day's row would split them."""
    offer = FORMULA.read_text(encoding="utf-8").replace('prices = "data/hecla-2004-prices-illustrative.csv"',
                                                         'prices = "prices.csv"')
    (tmp_path / "offer.toml").write_text(offer, encoding="utf-8")
    shutil.copytree(DATA, tmp_path / "data")
    _with_closed_day(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy compute: offer.toml: offer.consideration.formula.prices: prices.csv: row 41, column date: must be a "
        "trading day of XNYS, which was closed (President's Day), got '2004-02-16'"]


def test_a_refresh_refuses_prices_on_a_closed_day_and_leaves_the_workbook(standard_books, tmp_path):
    from xlpy.workbook.refresh_file import refresh_file

    book = tmp_path / "book.xlsm"
    shutil.copyfile(standard_books["holders"], book)
    before = book.read_bytes()
    price_file = _with_closed_day(tmp_path, "2004-02-14,100.00,99999999")  # a Saturday, and a hostile price
    with pytest.raises(InputErrors) as info:
        refresh_file(book, DATA / TALLY, price_file, backup=False)
    assert [str(p) for p in info.value.problems] == [  # (the file named by the path given)
        f"{price_file}: row 41, column date: must be a trading day of XNYS, which was closed (a Saturday), "
        "got '2004-02-14'"]
    assert book.read_bytes() == before


def test_a_tally_without_its_header_is_named_as_such(tmp_path):
    path = tally(tmp_path, "DTC-0022,2500,book-entry,tendered\nDTC-0024,600,book-entry,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: header: is a line of data, not a header: the file's first line must name its columns "
        "(holder_id, units), got 'DTC-0022, 2500, book-entry, tendered'"]
    # its first line holds the word "tendered", a count file's column: still a holder tally, whose reader says why
    assert counts.tally_kind(path) == "holders"


def test_a_count_file_with_a_withdrawn_column_gives_its_net_count(tmp_path):
    """An agent's counts often show 'Tendered' gross beside 'Withdrawn': read as net, 290,000 tendered with
    16,000 withdrawn was taken as 290,000 and the charge as $10.2 million, not $9.6 million.  The net column,
    when there is one, is the count; a bare 'Tendered' beside a withdrawn column is refused."""
    path = tally(tmp_path, "Tendered,Withdrawn,NGD\n290000,16000,3500\n", "c.csv")
    assert counts.tally_kind(path) == "counts"
    assert problems(counts.read_counts, path) == [
        "c.csv: columns: a count file with a withdrawn column must give its tendered count net of withdrawals, "
        "headed 'Tendered not withdrawn' (subtract the withdrawn units first if the tendered figure includes "
        "them), got 'Tendered, Withdrawn'"]
    path = tally(tmp_path, "Tendered,Tendered not withdrawn,Shares withdrawn,NGD\n290000,274000,16000,3500\n")
    assert counts.read_counts(path) == (274000, 3500, 0)
    path = tally(tmp_path, "Tendered and not withdrawn,Withdrawn\n274000,16000\n")
    assert counts.read_counts(path) == (274000, 0, 0)
    # Review 63: the three that do not add up (300,000 - 20,000 is not 250,000) were read as 250,000, exit 0.
    path = tally(tmp_path, "Tendered,Withdrawn,Tendered not withdrawn,NGD\n300000,20000,250000,3000\n", "c.csv")
    assert problems(counts.read_counts, path) == [
        "c.csv: row 2, column Tendered not withdrawn: is not Tendered less Withdrawn (300,000 - 20,000 = 280,000): "
        "the file contradicts itself; ask the agent which figure is right and correct the file, got 250,000"]


def test_a_count_files_figures_are_shown_as_its_figures_beside_them_are(tmp_path):
    """A review: the net count was "got 250000" beside "(300,000 - 20,000 = 280,000)"; a count above its limit was
    "must not exceed tendered (300,000), got 350000"; a holder tally taken for a count file "got 1200"."""
    path = tally(tmp_path, "tendered,guaranteed delivery,failed delivery\n300000,350000,360000\n", "c.csv")
    assert problems(counts.read_counts, path) == [
        "c.csv: row 2, column guaranteed delivery: must not exceed tendered (300,000), got 350,000",
        "c.csv: row 2, column failed delivery: must not exceed guaranteed deliveries (350,000), got 360,000"]
    path = tally(tmp_path, "tendered,guaranteed delivery\n" + "2500,0\n" * 1200, "c.csv")
    assert problems(counts.read_counts, path) == [
        "c.csv: must hold exactly one row of counts under the header (a holder tally whose holder column is not "
        "recognised? name its columns in a mapping file: --mapping), got 1,200"]


def test_a_count_file_without_its_tendered_column_is_named_as_a_count_file(tmp_path):
    """No holder or units column but a count's (NGD, failed, withdrawn): a count file missing its tendered
    count, not a holder tally missing its holder_id and units."""
    expected = ("has no tendered column (expected one of: tendered, units tendered, shares tendered, total "
                "tendered, tendered not withdrawn, tendered and not withdrawn, notes tendered)")
    for header in ("Total shares,NGD", "Units withdrawn,Failed"):
        path = tally(tmp_path, f"{header}\n280000,3500\n", "c.csv")
        assert counts.tally_kind(path) == "counts"
        assert problems(counts.read_counts, path) == [f"c.csv: header: {expected}, got '{header.replace(',', ', ')}'"]
    # a units column (here 'Shares') keeps it a holder tally, whose reader names the holder column it lacks
    assert counts.tally_kind(tally(tmp_path, "Shares,NGD\n2500,Y\n", "c.csv")) == "holders"


def test_a_semicolon_price_file_does_not_guess_a_lone_dot(tmp_path):
    """In a ';' file a dot separates thousands; a price of 7.39 is still a decimal, but 2.517 could be either."""
    path = tmp_path / "p.csv"
    path.write_text("date;price;volume\n2004-02-13;2.517;1000\n2004-02-17;7.39;1.500.000\n", encoding="utf-8")
    assert problems(prices.read_prices, path) == [
        "p.csv: row 2, column price: could be thousands or decimals in a ';'-separated file: write 2517, or 2,517 "
        "with a decimal comma, not 2.517, got '2.517'"]
    path.write_text("date;price;volume\n2004-02-13;7,39;1.500.000\n2004-02-17;7.39;2517\n", encoding="utf-8")
    assert [(d.price, d.volume) for d in prices.read_prices(path)] == [(D("7.39"), 1500000), (D("7.39"), 2517)]



@pytest.mark.parametrize("sep, separated", [(",", "a ','-separated file"), ("\t", "a tab-separated file")],
                         ids=["comma", "tab"])
def test_a_comma_or_tab_price_file_does_not_guess_a_lone_comma(tmp_path, sep, separated):
    """A European export writes 8.306 as 8,306 (quoted in a comma file): 8306, or 8.306? A volume of 251.700 is
    the mirror case (251700 in a German export): both refused, never read as 8306 or 251.7."""
    path = tmp_path / "p.csv"
    rows = [("Date", "Price", "Volume"), ("2004-01-02", '"8,306"', "2517000"), ("2004-01-05", "8.330", "251.700"),
            ("2004-01-06", '"1,234.5"', '"1,658,000"')]
    path.write_text("".join(sep.join(r) + "\r\n" for r in rows), encoding="utf-8")
    assert problems(prices.read_prices, path) == [
        f"p.csv: row 2, column Price: could be thousands or decimals in {separated}: write 8306, or 8.306 with a "
        "decimal point, not 8,306, got '8,306'",
        f"p.csv: row 3, column Volume: {_ambiguous(separated, '251.700', f'251700 ({NO_COUNT} 251.7 {IS_NONE})')}, "
        "got '251.700'"]
    path.write_text("".join(sep.join(r) + "\r\n" for r in rows[:1] + rows[3:]), encoding="utf-8")
    assert [(d.price, d.volume) for d in prices.read_prices(path)] == [(D("1234.5"), 1658000)]


def test_a_semicolon_price_files_volume_does_not_guess_a_lone_comma(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("date;price;volume\n2004-02-13;7,39;2,517\n2004-02-17;7,39;2,5\n", encoding="utf-8")
    assert problems(prices.read_prices, path) == [
        f"p.csv: row 2, column volume: {_ambiguous(SEMICOLON, '2,517', f'2517 ({NO_COUNT} 2,517 {IS_NONE})')}, "
        "got '2,517'"]


def test_a_comma_is_a_thousands_separator_only_between_groups_of_three(tmp_path):
    body = HEADER + 'A,"1,500",book-entry,tendered\nB,"1,50",book-entry,tendered\n'
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 3, column units: must be a number, got '1,50'"]  # never read as 150


def test_rows_of_separators_alone_at_the_end_are_no_lines(tmp_path):
    """Cleared rows Excel and LibreOffice still export as ',,,': skipped, as in an XLSX tally."""
    body = HEADER + "A,2500,book-entry,tendered\nB,600,certificate,tendered\n,,,\n , , ,\n"
    table = sources.read_tally(tally(tmp_path, body))
    assert table.holder_id == ("A", "B") and table.units == (2500, 600)
    # between lines they are still lines, each refused by name: never silently dropped
    body = HEADER + "A,2500,book-entry,tendered\n,,,\nB,600,certificate,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body))[0].startswith("t.csv: row 3, column units:")


def test_rows_of_spaces_alone_are_read_alike_in_a_csv_and_an_xlsx_tally(tmp_path):
    """A cell "cleared" with the space bar far right of an XLSX tally (H40) was four problems on row 40, none naming
    the cell, where the CSV reader skips such a row.  At the end, a row of spaces alone (in the table's columns or
    right of them) is no line in either; between lines it is a line in either, refused by name."""
    from openpyxl import Workbook

    def xlsx(*cells):
        wb = Workbook()
        for row in (["holder_id", "units", "method", "status"], ["A", 100, "book-entry", "tendered"]):
            wb.active.append(row)
        for ref, value in cells:
            wb.active[ref] = value
        wb.save(tmp_path / "t.xlsx")
        return tmp_path / "t.xlsx"

    end = HEADER + "A,100,book-entry,tendered\n , ,\t,\n"
    for path in (xlsx(("H40", " ")), xlsx(("B3", " "), ("C3", "\u00a0"), ("A4", "  ")), tally(tmp_path, end)):
        table = sources.read_tally(path)
        assert (table.holder_id, table.units) == (("A",), (100,)), path
    between = [("A3", " "), ("B3", " "), ("A4", "B"), ("B4", 5), ("C4", "book-entry"), ("D4", "tendered")]
    csv = HEADER + "A,100,book-entry,tendered\n , ,,\nB,5,book-entry,tendered\n"
    for path in (xlsx(*between), tally(tmp_path, csv)):
        assert [p.split(", got")[0] for p in problems(sources.read_tally, path)[:2]] == [
            f"{path.name}: row 3, column units: must be a number",
            f"{path.name}: row 3, column holder_id: must name the holder"]


def test_a_semicolon_price_file_as_european_exports_write_it(tmp_path):
    """Volumes are share counts: 251.700 is thousands; spaces (no-break ones too) between groups of three are
    thousands with or without decimals; a problem quotes the cell as written, not as converted."""
    path = tmp_path / "p.csv"
    path.write_text("date;price;volume\n2004-02-13;7,39;251.700\n2004-02-17;8,31;2\u00a0517\u00a0000\n"
                    "2004-02-18;8,3;2 517 000,00\n", encoding="utf-8")
    assert [d.volume for d in prices.read_prices(path)] == [251700, 2517000, 2517000]
    path.write_text("date;price;volume\n2004-02-13;8,31 \u20ac;25 17,0\n2004-02-17;8.305942857142857;1\n",
                    encoding="utf-8")
    assert problems(prices.read_prices, path) == [
        "p.csv: row 2, column price: must be a number, got '8,31 \u20ac'",
        "p.csv: row 2, column volume: must be a number, got '25 17,0'",
        "p.csv: row 3, column price: has more than 15 significant digits, which a workbook cannot hold exactly, "
        "got '8.305942857142857'"]


def test_a_mapping_file_with_a_byte_order_mark_is_read(tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_bytes(b'\xef\xbb\xbf[defaults]\r\nstatus = "tendered"\r\n')
    assert sources.read_mapping(mapping).defaults == {"status": "tendered"}


# --- a file another program holds: Excel on Windows locks a CSV it has open ---------------------------


LOCKED = "cannot be read (Permission denied; is it open in another program, such as Excel?)"


def lock(monkeypatch, *names: str) -> None:
    """Opening a file named one of *names* is refused, as Windows refuses a file Excel has open (and as chmod
    000 does, which running as root ignores)."""
    import builtins
    import io
    import os

    real = builtins.open

    def refusing(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) in names:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    monkeypatch.setattr(io, "open", refusing)


def test_a_locked_file_is_named_with_why(tmp_path, monkeypatch):
    csv_tally = tally(tmp_path, HEADER + "A-1,100,book-entry,tendered\n")
    counts_file = tally(tmp_path, "tendered,guaranteed delivery\n100,0\n", "counts.csv")
    price_file = tmp_path / PRICES
    shutil.copyfile(DATA / PRICES, price_file)
    mapping = tally(tmp_path, 'encoding = "utf-8"\n', "map.toml")
    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    lock(monkeypatch, "t.csv", "counts.csv", PRICES, "map.toml", "t.xlsx")
    assert problems(sources.read_tally, csv_tally) == [f"t.csv: {LOCKED}"]
    assert problems(counts.read_counts, counts_file) == [f"counts.csv: {LOCKED}"]
    assert problems(prices.read_prices, price_file) == [f"{PRICES}: {LOCKED}"]
    assert problems(sources.read_mapping, mapping) == [f"map.toml: {LOCKED}"]
    # (checked before anything is unpacked, as a bomb is; raised as the other problems are, for the offer file)
    assert problems(sources.read_tally, xlsx) == [f"t.xlsx: {LOCKED}"]


def test_a_locked_tally_or_price_file_through_the_command_line(tmp_path, capsys, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copyfile(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    lock(monkeypatch, TALLY)
    for command in ("compute", "build"):
        assert cli.main([command, "offer.toml"]) == 2
        assert capsys.readouterr().err.splitlines() == [f"xlpy {command}: offer.toml: tally.file: {TALLY}: {LOCKED}"]
    lock(monkeypatch, PRICES, "offer.toml")
    assert cli.main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: {LOCKED}"]
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    lock(monkeypatch, PRICES)
    assert cli.main(["compute", "offer.toml"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"xlpy compute: offer.toml: offer.consideration.formula.prices: {PRICES}: {LOCKED}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "offer.toml"]


def test_a_file_in_use_is_status_3_a_permission_refused_status_2(tmp_path, capsys, monkeypatch):
    """Left alone, then taken: status 2 said both "bad input" and "busy", so a nightly job could not tell a tally
    Excel holds open (Windows' sharing violation: run again later) from one it must mend."""
    import builtins
    import io
    import os

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copyfile(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    real = builtins.open
    for winerror, status in ((32, 3), (33, 3), (5, 2), (None, 2)):  # sharing, lock violation; access denied
        def refusing(file, *args, code=winerror, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == TALLY:
                exc = PermissionError(13, "Permission denied", os.fspath(file))
                exc.winerror = code
                raise exc
            return real(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing)
        monkeypatch.setattr(io, "open", refusing)
        assert cli.main(["compute", "offer.toml"]) == status, winerror
        assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: tally.file: {TALLY}: {LOCKED}"]


def test_an_xlsx_tally_in_use_is_named_by_its_key_as_a_csv_one_is(tmp_path, capsys, monkeypatch):
    """QA: a CSV tally Excel holds said "offer.toml: tally.file: t.csv: ...", an XLSX one only "t.xlsx: ...": the
    package check before unpacking raised one bare problem, which the offer file did not locate."""
    import builtins
    import io
    import os

    from openpyxl import Workbook

    shutil.copytree(DATA, tmp_path / "data")
    wb = Workbook()
    wb.active.append(["holder_id", "units", "method", "status"])
    wb.active.append(["A-1", 100, "book-entry", "tendered"])
    wb.save(tmp_path / "data" / "tally.xlsx")
    (tmp_path / "offer.toml").write_text(FORMULA.read_text(encoding="utf-8").replace(f"data/{TALLY}",
                                                                                     "data/tally.xlsx"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    real = builtins.open

    def refusing(file, *args, **kwargs):  # Excel holds it open on Windows: a sharing violation
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == "tally.xlsx":
            exc = PermissionError(13, "Permission denied", os.fspath(file))
            exc.winerror = 32
            raise exc
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    monkeypatch.setattr(io, "open", refusing)
    assert cli.main(["compute", "offer.toml"]) == 3  # busy: run it again
    assert capsys.readouterr().err.splitlines() == [f"xlpy compute: offer.toml: tally.file: tally.xlsx: {LOCKED}"]


def test_a_tally_still_being_written_is_status_3_through_the_command_line(tmp_path, capsys, monkeypatch):
    """The transfer under way is said as before, with the status of a file in use: the same command passes once
    the file is complete."""
    from xlpy.files import settled

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copyfile(FORMULA, tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data" / TALLY
    whole = path.read_bytes()
    path.write_bytes(whole.rstrip(b"\r\n")[:-2])  # cut inside its last line, the rest still coming

    def the_writer_goes_on(seconds):
        path.write_bytes(whole)

    monkeypatch.setattr(settled.time, "sleep", the_writer_goes_on)
    assert cli.main(["compute", "offer.toml"]) == 3
    err = capsys.readouterr().err
    assert f"xlpy compute: offer.toml: tally.file: {TALLY}: is still being written: it ended inside a line" in err
    assert cli.main(["compute", "offer.toml"]) == 0  # complete: read at once


@pytest.mark.parametrize("kind", ["tally", "counts", "prices"])
def test_a_file_still_being_written_is_refused(tmp_path, monkeypatch, kind):
    """A file copied while its transfer is under way ends inside a line: 'R-0002,7' where 700 is coming, read as
    7 units.  Looked at again a moment later it has grown: refused, nothing read."""
    from xlpy.files import settled

    head, line, rest = {
        "tally": ("holder_id,units,method,status\nR-0001,500,book-entry,tendered\n", "R-0002,book-entry,tendered,7",
                  "00\n"),
        "counts": ("tendered,guaranteed delivery\n", "274000,35", "00\n"),
        "prices": ((DATA / PRICES).read_text(encoding="utf-8"), "2004-03-01,8.1140,18", "59000\n"),
    }[kind]
    path = tally(tmp_path, head + line, "f.csv")
    if kind == "tally":
        path.write_text("holder_id,method,status,units\nR-0001,book-entry,tendered,500\n" + line, encoding="utf-8")
    size = path.stat().st_size

    def the_writer_goes_on(seconds):  # the rest of the line arrives while xlpy waits
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(rest)

    monkeypatch.setattr(settled.time, "sleep", the_writer_goes_on)
    read = {"tally": sources.read_tally, "counts": counts.read_counts, "prices": prices.read_prices}[kind]
    assert problems(read, path) == [
        f"f.csv: is still being written: it ended inside a line and grew from {size:,} to {size + len(rest):,} "
        "bytes within 0.5 s; read it again when it is complete"]
    read(path)  # complete now, it ends with a line break: read at once


def test_a_file_saved_without_a_final_line_break_is_read(tmp_path, monkeypatch):
    """Google Sheets and Notepad end a file without a line break: unchanged a moment later, it is read whole."""
    from xlpy.files import settled

    waited = []
    monkeypatch.setattr(settled.time, "sleep", waited.append)
    path = tally(tmp_path, "holder_id,units,method,status\nR-0001,500,book-entry,tendered\nR-0002,700,book-entry,"
                 "tendered", "f.csv")
    assert sources.read_tally(path).units == (500, 700)
    assert waited == [settled.PAUSE]
    path.write_text("holder_id,units,method,status\r\nR-0001,500,book-entry,tendered\r\n", encoding="utf-16")
    assert sources.read_tally(path).units == (500,) and waited == [settled.PAUSE]  # a UTF-16 line end: no wait


def test_a_workbook_read_as_a_mapping_file_is_named_as_one(tmp_path):
    """Wherever a mapping is read (given, recorded on the Cover, or named by an offer file): not "is not valid
    TOML: 'utf-8' codec can't decode byte 0x82"."""
    import shutil

    from repo_paths import ROOT

    path = shutil.copy(ROOT / "workbook" / "offer_results.xlsm", tmp_path / "map.xlsm")
    assert problems(sources.read_mapping, path) == [
        f"{path}: is a workbook or another ZIP package, not a mapping file (TOML); an XLSX tally is read as the tally "
        "itself"]


def test_a_count_files_header_problems_do_not_contradict_each_other(tmp_path):
    """Two tendered columns are one problem, not also "has no tendered column"; a formula never calculated in a
    column that is no count (a note beside them) is not read, so not refused under a blank column name."""
    from openpyxl import Workbook

    path = tally(tmp_path, "Units Tendered,Total Tendered,Withdrawn\n274000,290000,16000\n", "c.csv")
    assert problems(counts.read_counts, path) == [
        "c.csv: columns: more than one column could be tendered, got 'Units Tendered, Total Tendered'"]
    wb = Workbook()
    wb.active.append(["tendered", "guaranteed delivery"])
    wb.active.append([274000, 3500, "=1+1"])
    wb.save(tmp_path / "c.xlsx")
    assert counts.read_counts(tmp_path / "c.xlsx") == (274000, 3500, 0)


@pytest.mark.parametrize("char, kind", [("\ufffe", "a noncharacter"), ("\uffff", "a noncharacter"),
                                        ("\x01", "a control character")])
def test_a_holder_id_a_workbook_cannot_store_is_named_by_row_and_character(tmp_path, char, kind):
    """U+FFFE and U+FFFF are no control characters, but XML forbids them: written into the holder table, the
    workbook opened nowhere (build and refresh said nothing)."""
    from xlpy.workbook.data import holder_problems

    path = tally(tmp_path, HEADER + "a-1,10,book-entry,tendered\n" + f"DTC{char}-0022,5,book-entry,tendered\n")
    assert [str(p) for p in holder_problems(sources.read_tally(path), "t.csv", 21)] == [
        f"t.csv: row 3, column holder_id: holds {kind} (U+{ord(char):04X}), which a workbook cannot store, got "
        f"{'DTC' + char + '-0022'!r}"]


def test_an_xlsx_tally_read_from_an_empty_sheet_names_it_and_the_others(tmp_path):
    """The first sheet is read unless a mapping names one: when it is empty and the data is on another, say which
    was read and how to name the other, not only "is empty"."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Other"
    data = wb.create_sheet("Tally")
    for row in (["holder_id", "units", "method", "status"], ["a-1", 10, "book-entry", "tendered"]):
        data.append(row)
    wb.active = 1  # the data's sheet is the one Excel shows
    wb.save(tmp_path / "t2.xlsx")
    assert problems(sources.read_tally, tmp_path / "t2.xlsx") == [
        "t2.xlsx: sheet 'Other' is empty (no header row); the file has other sheets: 'Tally': name the one to read "
        "with a mapping file's sheet key (sheet = \"Tally\")"]
    assert len(sources.read_tally(tmp_path / "t2.xlsx", sources.ColumnMapping(sheet="Tally"))) == 1
    wb.remove(data)
    wb.save(tmp_path / "t1.xlsx")
    assert problems(sources.read_tally, tmp_path / "t1.xlsx") == ["t1.xlsx: sheet 'Other' is empty (no header row)"]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "1900-02-28"])
def test_a_price_row_dated_before_the_days_a_workbook_holds_is_refused(tmp_path, day):
    """0001-01-01 made build crash (OverflowError in the price table's holidays); 1899-12-31 was written as serial 0.
    The offer file's rule for a date, and its words."""
    path = tally(tmp_path, f"date,price,volume\n{day},8.31,2517000\n2004-01-05,8.33,1658000\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: row 2, column date: must be a date from 1900-03-01 to 9999-12-31 (a serial number from 61 to "
        f"2958465, the days a workbook holds), got '{day}'"]
    assert [p.date.isoformat() for p in prices.read_prices(tally(tmp_path, "date,price,volume\n1900-03-01,1,0\n"
                                                                           "9999-12-31,2,0\n", "q.csv"))] == [
        "1900-03-01", "9999-12-31"]
