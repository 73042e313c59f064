"""Hostile tallies, count files, mappings and price files: refused with one located line each, never misread.

Each test writes its small file itself and asserts the exact problems the
reader gives (``FILE: row R, column C: REASON, got 'VALUE'``); the command
line turns them into one line each and exit status 2.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile

import pytest
from office_tallies import problems  # (the problems a reader raises, one string each)
from repo_paths import DATA, FORMULA, PRICES, offer_text

from xlpy import cli
from xlpy.files import counts, prices, sources

HEADER = "holder_id,units,method,status\n"
PRICES_CSV = DATA / PRICES


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


@pytest.mark.parametrize("tail", [";;", ";" * 16_380])
def test_semicolon_tally_units_read_with_thousands_dots_where_the_header_repeats_an_empty_name(tmp_path, tail):
    """Review 126: Excel's CSV in a European locale of a sheet with cells right of the tally (two columns, or a
    stray cell in column XFD) ends every line in separators, the header repeating its empty name; the units were
    then read as an XLSX's cells, 1.000 refused as thousands or decimals where the same file without them read
    1000."""
    lines = ["holder_id;units;method;status", "A;1.000;book-entry;tendered", "B;280.000;book-entry;tendered",
             "C;25;book-entry;tendered"]
    table = sources.read_tally(tally(tmp_path, "".join(f"{line}{tail}\r\n" for line in lines)))
    assert table.units == (1000, 280000, 25)
    bad = tally(tmp_path, "".join(f"{line}{tail}\r\n" for line in [*lines[:2], "B;1.00;book-entry;tendered"]))
    assert problems(sources.read_tally, bad) == [
        "t.csv: row 3, column units: must be a whole number, with '.' or spaces only between groups of three digits "
        "(1.000, 1 000) in a ';'-separated file, got '1.00'"]


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
    # in a comma file a space is no thousands separator (the contract's comma grouping only), and that is said
    body = HEADER + "A,2 500,book-entry,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 2, column units: must be a number: spaces separate thousands only in a ';'-separated file, not in "
        "a ','-separated file: write 2500, not 2 500, got '2 500'"]


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


def test_a_row_s_cells_past_a_thousand_are_counted_with_the_thousands_comma(tmp_path):
    """Review 119's LOW: "has 1000004 cells"; counts are written 1,000,004, as every other count a message gives."""
    (said,) = problems(counts.read_counts, tally(tmp_path, "Tendered,NGD,Failed\n" + ",".join(["1"] * 1005) + "\n",
                                                 "c.csv"))
    assert said.startswith("c.csv: row 2: has 1,005 cells and the header 3, got "), said


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


AGENT = "Acct #,Shs Tendered,method,status\nDTC-0022,2500,book-entry,tendered\n"


def test_a_mapping_naming_a_header_the_tally_lacks_is_one_problem_of_the_mapping(tmp_path, capsys):
    """Review 104: a mapping file's units = "Shares Tendered" over a tally headed Shs Tendered was blamed on the tally
    twice (its column 'Shares Tendered' not in the header; no units column, "or name the agent's header in a mapping
    file", which the user had just done): it is one problem, of the mapping file's key, with the headers there are,
    or the one that differs in case or spaces only, which a mapping must name as written."""
    path = tally(tmp_path, AGENT, "agent.csv")
    wrong = tally(tmp_path, '[columns]\nholder_id = "Acct #"\nunits = "Shares Tendered"\n', "map.toml")
    assert problems(sources.read_tally, path, sources.read_mapping(wrong)) == [
        "map.toml: columns.units: is not in agent.csv's header (Acct #, Shs Tendered, method, status), "
        "got 'Shares Tendered'"]
    case = tally(tmp_path, '[columns]\nholder_id = "Acct #"\nunits = "shs  tendered"\n', "case.toml")
    assert problems(sources.read_tally, path, sources.read_mapping(case)) == [
        "case.toml: columns.units: is not in agent.csv's header; the header has 'Shs Tendered': a mapping names a "
        "header exactly, as it is written, got 'shs  tendered'"]
    # a mapping given in Python names its key alone; a wide header, its first twelve headers
    wide = tally(tmp_path, "Acct #,Shares,method,status," + ",".join(f"c{k}" for k in range(11)) + "\nA,1,book-entry,"
                 "tendered" + "," * 11 + "\n", "wide.csv")
    assert problems(sources.read_tally, wide, sources.ColumnMapping(columns={"holder_id": "Acct"})) == [
        "columns.holder_id: is not in wide.csv's header (Acct #, Shares, method, status, c0, c1, c2, c3, c4, c5, c6, "
        "c7, and 3 more), got 'Acct'"]
    # as compute says it: one line, after the offer file's key that names the mapping (the mapping's key is wrong)
    offer = offer_text(FORMULA).replace('file = "data/hecla-2004-tally.csv"',
                                        'file = "agent.csv"\nmapping = "map.toml"')
    offer = offer.replace('"data/hecla-2004-prices-illustrative.csv"', json.dumps(str(PRICES_CSV)))
    (tmp_path / "offer.toml").write_text(offer, encoding="utf-8")
    assert cli.main(["compute", str(tmp_path / "offer.toml")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy compute: offer.toml: tally.mapping: map.toml: columns.units: is not in agent.csv's header (Acct #, Shs "
        "Tendered, method, status), got 'Shares Tendered'"]


@pytest.mark.parametrize("line, shown", [('methods = "NOG"', "'NOG'"), ('statuses = ["W/D"]', '["W/D"]'),
                                         ('defaults = "tendered"', "'tendered'"), ('columns = "units"', "'units'")])
def test_a_mapping_section_that_is_no_table_is_refused_by_name(tmp_path, line, shown):
    """Read as a table, such a section raised a traceback (methods, statuses, defaults) or was named letter by letter
    (columns.u, columns.n, ...)."""
    section = line.split(" ", 1)[0]
    assert problems(sources.read_mapping, tally(tmp_path, line + "\n", "map.toml")) == [
        f"map.toml: {section}: must be a table: [{section}], then one line each, got {shown}"]


@pytest.mark.parametrize("encoding, shown", [('"klingon"', "'klingon'"), ('"rot13"', "'rot13'"), ("5", "5"),
                                             ('"utf-7"', "'utf-7'"), ('"UTF7"', "'UTF7'"), ('"idna"', "'idna'"),
                                             ('"punycode"', "'punycode'"), ('"unicode_escape"', "'unicode_escape'"),
                                             ('"raw_unicode_escape"', "'raw_unicode_escape'"),
                                             ('"undefined"', "'undefined'"), ('"charmap"', "'charmap'")])
def test_mapping_encoding_must_be_a_text_encoding(tmp_path, encoding, shown):
    """utf-7, idna, punycode, Python's escapes, undefined and charmap were taken: no CSV file is saved in them (a
    tally read as utf-7 or unicode_escape is read as other characters than the file's, +AKM- as a pound sign)."""
    path = tally(tmp_path, f"encoding = {encoding}\n", "map.toml")
    assert problems(sources.read_mapping, path) == [
        f"map.toml: encoding: must be the name of a character set a CSV file is saved in (e.g. utf-8, cp1252, "
        f"latin-1, utf-16), got {shown}"]


@pytest.mark.parametrize("encoding", ["utf-8", "UTF_8", "cp1252", "latin-1", "utf-16-le", "shift_jis", "mac-roman"])
def test_mapping_encoding_of_a_character_set_is_taken(tmp_path, encoding):
    assert sources.read_mapping(tally(tmp_path, f'encoding = "{encoding}"\n', "map.toml")).encoding == encoding


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
    with zipfile.ZipFile(tmp_path / "z.csv", "w") as z:  # (a zip archive that is no workbook: said as every command)
        z.writestr("notes.txt", "date,price,volume\n")
    assert problems(prices.read_prices, tmp_path / "z.csv") == [
        "z.csv: is a zip archive that holds no workbook (no [Content_Types].xml, which every .xlsx and .xlsm holds), "
        "not CSV text: save the price history as CSV UTF-8"]


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

