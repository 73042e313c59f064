"""Tallies as a finance office's spreadsheets write them: account numbers Excel has rounded, encodings a mapping
file gets wrong, bytes that are not the encoding's, control characters, and quotes that join lines.  Each is read
exactly or refused by row."""

from __future__ import annotations

import office_tallies
import pytest
from office_tallies import DEFAULTS, problems, write

from xlpy.files import sources

stated, named = office_tallies.stated, office_tallies.named  # (the fixtures)


def test_account_numbers_excel_rounded_are_refused_not_merged(tmp_path):
    """Two 12-digit accounts Excel saved as 1.23457E+11 would be one holder, their units added."""
    path = write(tmp_path, "holder_id,units,method,status\r\n1.23457E+11,25,book-entry,tendered\r\n"
                           "1.23457E+11,25,book-entry,tendered\r\n2E4,1,book-entry,tendered\r\n")
    why = ("is a number Excel has shown in scientific notation, its last digits lost: format the column as Text, "
           "enter the account numbers again, and save the tally again")
    assert problems(sources.read_tally, path) == [f"t.csv: row {r}, column holder_id: {why}, got '1.23457E+11'"
                                                  for r in (2, 3)]
    # in a workbook, a number past 15 digits is a float, as Excel saves it: already rounded, refused as a workbook's
    # cell holding it is (tests/test_holder_ids.py)
    from openpyxl import Workbook

    wb = Workbook()
    for row in (("holder_id", "units", "method", "status"), (1.23456789012346e17, 5, "book-entry", "tendered"),
                ("2E4", 1, "book-entry", "tendered")):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    got = problems(sources.read_tally, tmp_path / "t.xlsx")
    assert got == ["t.xlsx: row 2, column holder_id: is a number too long to be read as text exactly (its last digits "
                   "are lost): format the column as Text, enter the account numbers again, and save the tally again, "
                   "got 1.23456789012346e+17"]


def test_a_utf8_tally_read_with_a_mapping_naming_cp1252_is_refused_not_garbled(tmp_path):
    """The mapping recorded with yesterday's Windows export names cp1252; today's file is Excel's CSV UTF-8:
    read as cp1252, Müller became MÃ¼ller on the Tenders sheet."""
    mapping = sources.read_mapping(write(tmp_path, 'encoding = "cp1252"\n[columns]\nholder_id = "Acct Name"\n'
                                                   'units = "Shs"\n' + DEFAULTS, "map.toml"))
    why = ("but its mapping file names encoding cp1252: remove encoding from the mapping file (UTF-8 is the "
           "default), or save the file as that encoding")
    path = write(tmp_path, "Acct Name,Shs\r\nMüller,100\r\nO’Brien,200\r\n")
    assert problems(sources.read_tally, path, mapping) == [f"t.csv: is UTF-8 text, {why}"]
    path = write(tmp_path, "\ufeffAcct Name,Shs\r\nA-1,100\r\n")
    assert problems(sources.read_tally, path, mapping) == [f"t.csv: starts with a UTF-8 byte-order mark, {why}"]
    # as the mapping says, or plain ASCII (the same either way): read
    path = write(tmp_path, "Acct Name,Shs\r\nMüller,100\r\nO’Brien,200\r\n", encoding="cp1252")
    assert sources.read_tally(path, mapping).holder_id == ("Müller", "O’Brien")
    path = write(tmp_path, "Acct Name,Shs\r\nA-1,100\r\n")
    assert sources.read_tally(path, mapping).units == (100,)


def test_a_byte_that_is_not_utf8_past_the_header_is_named_by_its_row(tmp_path):
    """Excel's "CSV (Comma delimited)" writes cp1252: an ASCII header, and Müller on row 302."""
    lines = ["holder_id,units,method,status"] + [f"H{i},1,book-entry,tendered" for i in range(300)]
    path = write(tmp_path, "\r\n".join(lines + ["Müller,5,book-entry,tendered", ""]), encoding="cp1252")
    assert problems(sources.read_tally, path) == [
        "t.csv: row 302: is not UTF-8 text (byte 0xfc); save it as CSV UTF-8, or set encoding in a mapping file "
        "(e.g. cp1252)"]


def test_a_mapping_file_notepad_saved_as_unicode_is_read_and_one_in_cp1252_named(tmp_path):
    path = write(tmp_path, DEFAULTS, "map.toml", encoding="utf-16")
    assert sources.read_mapping(path).defaults == {"method": "book-entry", "status": "tendered"}
    path = write(tmp_path, '[columns]\nholder_id = "Müller"\n', "map.toml", encoding="cp1252")
    assert problems(sources.read_mapping, path) == [
        "map.toml: is not UTF-8 text (byte 0xfc at offset 24); save it as UTF-8"]


def test_a_holder_id_holding_a_control_character_is_refused_by_every_command(tmp_path):
    """A tab in a holder id: a workbook would show none, and ``compute`` counted it as a holder of its own (review
    169).  A line break keeps its own words (below); a line separator (U+2028) breaks a line as one does."""
    path = write(tmp_path, 'holder_id,units,method,status\r\nJones\tTrust,5,book-entry,tendered\r\n'
                           'A-1,5,book-entry,tendered\r\nB\u2028C,5,book-entry,tendered\r\n')
    assert [p.split(", got")[0] for p in problems(sources.read_tally, path)] == [
        "t.csv: row 2, column holder_id: holds a control character (U+0009), which a one-line value does not hold",
        "t.csv: row 4, column holder_id: holds a line separator (U+2028), which a one-line value does not hold"]


FIX = ("delete the stray quote, or close the quoted value on its line (a quote inside a quoted value is written "
       'twice, "")')
JOINED = ("holds a line break: a quote on line {} of the file is not matched on its line and joins lines {} to {} "
          "into one row, whose holders would not be counted: " + FIX)


def test_a_stray_quote_that_joins_lines_is_refused_naming_the_rows(tmp_path):
    """`"B Corp` opened a value that `D 12" Fund` closed: rows 2 to 4 were one holder, C's 3,000 units and B's
    not counted (9,000 tendered of 14,000), and compute, release and entries said nothing."""
    path = write(tmp_path, 'Holder,Shares,Method,Status\r\n"B Corp,2000,book-entry,tendered\r\n'
                           'C,3000,book-entry,tendered\r\nD 12" Fund",4000,book-entry,tendered\r\n'
                           'E,5000,book-entry,tendered\r\n')
    assert problems(sources.read_tally, path) == [
        f"t.csv: row 2, column Holder: {JOINED.format(2, 2, 4)}, got "
        "'B Corp,2000,book-entry,tendered\\r\\nC,3000,book-entry,tendered\\r\\nD 12 Fund\"'"]
    # in the status column, below a blank row
    path = write(tmp_path, 'Holder,Shares,Method,Status\r\nA,100,book-entry,tendered\r\n\r\n'
                           'B,100,book-entry,"tendered\nC,200,book-entry,withdrawn"\nD,5,book-entry,tendered\n')
    assert [p.split(", got")[0] for p in problems(sources.read_tally, path)] == [
        f"t.csv: row 4, column Status: {JOINED.format(4, 4, 5)}"]
    # a quoted id with Alt+Enter in it: one holder, but no tally cell holds a line break (nor a workbook's CR)
    path = write(tmp_path, 'holder_id,units,method,status\r\n"Smith\r\nTrust",5,book-entry,tendered\r\n')
    assert problems(sources.read_tally, path) == [
        "t.csv: row 2, column holder_id: holds a line break, which no tally cell holds: make it one line, "
        "got 'Smith\\r\\nTrust'"]


def test_a_holder_id_holding_a_line_break_in_an_xlsx_tally_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["Holder", "Shares", "Method", "Status"], ["Smith\nTrust", 5, "book-entry", "tendered"],
                ["A-1", 7, "book-entry", "tendered"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert problems(sources.read_tally, tmp_path / "t.xlsx") == [
        "t.xlsx: row 2, column Holder: holds a line break, which no tally cell holds: make it one line, "
        "got 'Smith\\nTrust'"]


@pytest.mark.parametrize("end", ["\r\n", ""])
def test_a_quote_never_closed_is_named_by_its_row_in_our_words(tmp_path, stated, end):
    """pandas said "Error tokenizing data. C error: EOF inside string starting at row 2" of a quote on row 3."""
    path = write(tmp_path, 'Holder,Shares,Method,Status\r\nB Corp,2000,book-entry,tendered\r\n'
                           '"C,3000,book-entry,tendered\r\nE,5000,book-entry,tendered' + end)
    assert problems(sources.read_tally, path) == [
        "t.csv: row 3: holds a quote that is never closed, so the rest of the file would be one value: " + FIX]
    # counted as a spreadsheet counts rows: a quoted value holding a line break (in a column not read) is one
    path = write(tmp_path, 'Holder,Shares,Note\r\nA,1,"two\r\nlines"\r\nB,2,x\r\n"C,3,x\r\n')
    assert problems(sources.read_tally, path, stated) == [
        "t.csv: row 4: holds a quote that is never closed (line 5 of the file), so the rest of the file would be one "
        "value: " + FIX]


@pytest.mark.parametrize("first, why", [
    ("\r\n", "t.csv: row 1: is blank: the header must be the first row (delete the blank row above it)"),
    (",,,\r\n", "t.csv: row 1: is blank: the header must be the first row (delete the blank row above it)"),
    (",,,\r\n\r\n", "t.csv: row 1: is blank: the header must be the first row (delete the 2 blank rows above it)"),
    ("sep=,\r\n", "t.csv: row 1: is Excel's separator line, not a header: delete it, so that the header is the "
                  "first row, got 'sep=,'")])
def test_a_line_above_the_header_is_named_not_taken_for_an_empty_file(tmp_path, first, why):
    """A blank row above the header was "is empty: no header row"; Excel's sep= line made row 2 "too wide"."""
    path = write(tmp_path, first + "holder_id,units,method,status\r\nA-1,100,book-entry,tendered\r\n")
    assert problems(sources.read_tally, path) == [why]
    path = write(tmp_path, "\r\n\r\n")
    assert problems(sources.read_tally, path) == ["t.csv: is empty: no header row"]


def test_a_bad_byte_on_an_early_row_is_named_by_its_row_and_a_named_encoding_not_advised_again(tmp_path):
    """A byte within the first few kilobytes was named by its offset (the header's reader reads ahead); and a
    file not in the cp1252 its mapping names was told to set encoding to cp1252."""
    path = write(tmp_path, "holder_id,units,method,status\r\nH1,1,book-entry,tendered\r\nMüller,5,book-entry,"
                           "tendered\r\n", encoding="cp1252")
    assert problems(sources.read_tally, path) == [
        "t.csv: row 3: is not UTF-8 text (byte 0xfc); save it as CSV UTF-8, or set encoding in a mapping file "
        "(e.g. cp1252)"]
    mapping = sources.read_mapping(write(tmp_path, 'encoding = "cp1252"\n', "map.toml"))
    path = tmp_path / "t.csv"
    path.write_bytes(b"holder_id,units,method,status\r\nA\x81,1,book-entry,tendered\r\n")
    assert problems(sources.read_tally, path, mapping) == [
        "t.csv: row 2: is not cp1252 text (byte 0x81); its mapping file names cp1252: save the file in that "
        "encoding, or name the one it is in"]


def test_a_bad_byte_past_8_kib_is_named_by_its_row_in_a_count_file_and_a_header(tmp_path):
    """A count file named the byte by its offset in the chunk its text reader was decoding (offset 884 of a byte at
    9,076), and so did a header line longer than the chunk: each is named by its row, as a tally's line is."""
    from xlpy.files import counts

    note = "x" * 9000
    path = write(tmp_path, f"tendered,guaranteed delivery,notes\r\n274000,3500,{note} Müller\r\n", "c4.csv",
                 encoding="cp1252")
    assert path.read_bytes().index(b"\xfc") > 8192
    utf8 = "is not UTF-8 text (byte 0xfc); save it as CSV UTF-8, or set encoding in a mapping file (e.g. cp1252)"
    assert problems(counts.read_counts, path) == [f"c4.csv: row 2: {utf8}"]
    path = write(tmp_path, f"holder_id,units,method,status,{note} Müller\r\nA-1,1,book-entry,tendered,\r\n",
                 encoding="cp1252")
    assert problems(sources.read_tally, path) == [f"t.csv: row 1: {utf8}"]
    assert problems(counts.read_counts, path) == [f"t.csv: row 1: {utf8}"]


def test_a_bad_byte_in_a_file_of_cr_line_ends_is_named_by_its_row(tmp_path):
    """Review 83: a "CSV (Macintosh)" file ends its lines with a CR alone, which the CSV readers take as a line
    break and a line-by-line search for the bad byte did not: every byte was named at row 1."""
    from xlpy.files import counts

    utf8 = "is not UTF-8 text (byte 0xfc); save it as CSV UTF-8, or set encoding in a mapping file (e.g. cp1252)"
    path = tmp_path / "t.csv"
    path.write_bytes(b"holder_id,units,method,status\rA-1,1,book-entry,tendered\rM\xfcller,2,book-entry,tendered\r")
    assert problems(sources.read_tally, path) == [f"t.csv: row 3: {utf8}"]
    path.write_bytes(b"holder_id,units\r\nA-1,1\rB-2,1\r\nM\xfcller,2\n")  # (each kind of break in one file)
    assert problems(sources.read_tally, path) == [f"t.csv: row 4: {utf8}"]
    path = tmp_path / "c.csv"
    path.write_bytes(b"tendered,guaranteed delivery,notes\r274000,3500,M\xfcller\r")
    assert problems(counts.read_counts, path) == [f"c.csv: row 2: {utf8}"]
    mapping = sources.read_mapping(write(tmp_path, 'encoding = "utf-16-le"\n', "map.toml"))
    path = tmp_path / "t.txt"
    path.write_bytes("holder_id\tunits\rA-1\t100\r".encode("utf-16-le") + b"\n")
    assert problems(sources.read_tally, path, mapping)[0].startswith("t.txt: row 3: ")


def test_a_stray_byte_at_the_end_of_a_utf16_file_is_named_by_its_row(tmp_path):
    """A file of odd length read as UTF-16-LE, as its mapping file says: the count file named its stray byte
    (0x0a, at offset 60) at offset 0 of what the decoder had left, and the tally named no byte."""
    from xlpy.files import counts

    mapping = sources.read_mapping(write(tmp_path, 'encoding = "utf-16-le"\n', "map.toml"))
    why = ("is not utf-16-le text (byte 0x0a); its mapping file names utf-16-le: save the file in that encoding, or "
           "name the one it is in")
    path = tmp_path / "c.txt"
    path.write_bytes("tendered\tfailed\r\n274000\t3500\r\n".encode("utf-16-le") + b"\n")
    assert len(path.read_bytes()) == 61
    assert problems(counts.read_counts, path, mapping) == [f"c.txt: row 3: {why}"]
    path = tmp_path / "t.txt"
    path.write_bytes("holder_id\tunits\r\nA-1\t100\r\n".encode("utf-16-le") + b"\n")
    assert problems(sources.read_tally, path, mapping) == [f"t.txt: row 3: {why}"]
    path.write_bytes("holder_id\tunits".encode("utf-16-le") + b"\n")  # (the header line's own reader)
    assert problems(sources.read_tally, path, mapping) == [f"t.txt: row 1: {why}"]


def test_codes_shaped_like_small_or_negative_exponents_are_read(tmp_path):
    """Excel writes a long whole number as 1.23457E+11: E+ and two digits. 2E-10 or 3E-001 are codes."""
    path = write(tmp_path, "holder_id,units,method,status\r\n2E-10,1,book-entry,tendered\r\n"
                           "3E-001,1,book-entry,tendered\r\n2E4,1,book-entry,tendered\r\n")
    assert sources.read_tally(path).holder_id == ("2E-10", "3E-001", "2E4")


def test_damaged_utf16_is_not_told_to_set_the_encoding_it_was_read_in(tmp_path):
    """Read as UTF-16 after its byte-order mark, with no mapping: "set encoding = utf-16" asked for what was so."""
    path = tmp_path / "t.csv"
    path.write_bytes("holder_id,units,method,status\r\nA,1,book-entry,tendered\r\n".encode("utf-16")
                     + b"\x00\xd8" + "x,1,book-entry,tendered\r\n".encode("utf-16-le"))
    got = problems(sources.read_tally, path)
    assert len(got) == 1 and got[0].endswith("; save it again, as CSV UTF-8 or Unicode Text"), got
