"""Hostile CSV files and mapping files (review 119): a cell longer than a worksheet cell holds, a header wider than a
sheet, a mapping file that is a pipe or a device, an encoding name holding a NUL.

Each is refused in one line naming the file (the row and the column where there are some) and the value shortened:
never a traceback (csv's own field limit, 131,072 characters, raised one in every CSV reader but pandas'), never a
wait on a pipe, never pandas' quadratic renaming of a million repeated headers.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from office_tallies import problems, write
from repo_paths import DATA, FORMULA, PRICES, offer_text

from xlpy import cli
from xlpy.files import counts, prices, sources, tally_csv

HEADER = "holder_id,units,method,status\n"
LINES = "DTC-1,2500,book-entry,tendered\nDTC-2,600,book-entry,tendered\n"
TOO_LONG = "is longer than a cell holds (32,767 characters)"
#: Past csv's own field limit (131,072 characters), and within it but past a worksheet cell's (32,767).
PAST_CSV, PAST_CELL = 200_000, 40_000


def _shown(value: str) -> str:
    return f"got {value[:60]!r}... ({len(value):,} characters)"


# --- a cell longer than a cell holds: every CSV reader, by its row and column --------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"bc", b"\n", b"\r\n", b"xyz\n"]), max_size=60), st.integers(1, 12))
def test_the_screen_for_a_line_longer_than_a_cell_says_what_the_line_feeds_positions_say(parts, limit):
    """A line is looked for line feeds every half a cell's length (0.5 ms a million lines), where numpy found every
    line feed (11-15 ms, and 120 ms of fresh memory at a first call); the answer is the same, at any limit."""
    data = b"".join(parts)
    assert tally_csv._longer_line_than(data, limit) == (tally_csv._longest_line(data) > limit)


@pytest.mark.parametrize("before", [0, 1, 16_382, 16_383, 16_384, 30_000])
def test_a_cell_one_character_too_long_is_refused_wherever_its_line_falls(tmp_path, before):
    """The line of a holder id of 32,768 characters, after lines of every length around half a cell's, so it
    straddles the screen's stretches every way."""
    holder = "A" * 32_768
    body = HEADER + f"{'B' * before},1,book-entry,tendered\n" * bool(before) + f"{holder},100,book-entry,tendered\n"
    row = 3 if before else 2
    assert problems(sources.read_tally, write(tmp_path, body)) == [
        f"t.csv: row {row}, column holder_id: {TOO_LONG}, {_shown(holder)}"]


@pytest.mark.parametrize("size", [PAST_CSV, PAST_CELL])
def test_a_price_cell_too_long_is_refused_by_its_row_and_column(tmp_path, size):
    """Past csv's limit the price reader raised _csv.Error (a traceback); within it, a price of 40,000 zeros and
    8.1 was read as 8.1."""
    price = "0" * size + "8.1"
    path = write(tmp_path, f"date,price,volume\n2004-02-19,8.2,1000\n2004-02-20,{price},1000\n", "p.csv")
    assert problems(prices.read_prices, path) == [f"p.csv: row 3, column price: {TOO_LONG}, {_shown(price)}"]


@pytest.mark.parametrize("size", [PAST_CSV, PAST_CELL])
def test_a_tally_header_cell_too_long_is_refused_before_pandas_reads_the_file(tmp_path, size):
    remark = "Remarks " + "x" * size
    path = write(tmp_path, HEADER.replace("\n", f",{remark}\n") + LINES.replace("\n", ",\n"))
    assert problems(sources.read_tally, path) == [f"t.csv: row 1, column 5: {TOO_LONG}, {_shown(remark)}"]


@pytest.mark.parametrize("ends", ["\n", "\r", "\r\n"])
@pytest.mark.parametrize("blank", ["", "\n"])
@pytest.mark.parametrize("size", [PAST_CSV, PAST_CELL])
def test_a_tally_cell_too_long_is_refused_by_its_row_and_column(tmp_path, size, blank, ends):
    """A blank line, or CR line ends, made the rows read again by csv: past its limit, a traceback; in a plain file
    pandas read the 200,000-character holder id, which compute counted."""
    holder = "BIG" + "A" * size
    body = (HEADER + LINES + blank + f"{holder},100,book-entry,tendered\n").replace("\n", ends)
    row = 5 if blank else 4
    assert problems(sources.read_tally, write(tmp_path, body)) == [
        f"t.csv: row {row}, column holder_id: {TOO_LONG}, {_shown(holder)}"]


def test_a_tally_cell_too_long_on_a_row_wider_than_the_header_is_named_not_pandas_error(tmp_path):
    """pandas refused the wide row in its own words ("Error tokenizing data. C error: Expected 4 fields"): the rows
    were read again by csv for the wide ones, whose error on the long cell was taken for none."""
    holder = "BIG" + "A" * PAST_CSV
    path = write(tmp_path, HEADER + LINES + f"{holder},100,book-entry,tendered,extra\n")
    assert problems(sources.read_tally, path) == [f"t.csv: row 4, column holder_id: {TOO_LONG}, {_shown(holder)}"]


def test_a_count_file_cell_too_long_is_named_in_words_by_its_row_and_column(tmp_path):
    """It said "cannot be read: field larger than field limit (131072)", naming no row."""
    remark = "x" * PAST_CSV
    path = write(tmp_path, f"tendered,guaranteed delivery,failed delivery,remarks\n274000,3500,0,{remark}\n")
    assert problems(counts.read_counts, path) == [f"t.csv: row 2, column remarks: {TOO_LONG}, {_shown(remark)}"]
    path = write(tmp_path, f"tendered,guaranteed delivery,{remark}\n274000,3500,0\n")
    assert problems(counts.read_counts, path) == [f"t.csv: row 1, column 3: {TOO_LONG}, {_shown(remark)}"]
    # found again in the text past csv's limit: quoted, holding the separator and a quote written twice
    path = write(tmp_path, f'tendered;remarks;guaranteed delivery\n274000;"x;""y{remark}";3500\n')
    assert problems(counts.read_counts, path) == [f"t.csv: row 2, column remarks: {TOO_LONG}, "
                                                  f"{_shown('x;' + chr(34) + 'y' + remark)}"]


def test_a_stray_quote_joining_thousands_of_lines_names_the_lines_it_joins(tmp_path):
    """A quote not matched on its line joined 9,000 lines into one value past csv's limit: a traceback."""
    lines = [f"DTC-{i:05d},100,book-entry,tendered\n" for i in range(10_000)]
    lines[3], lines[9_000] = '"B Corp,100,book-entry,tendered\n', 'X" Fund,100,book-entry,tendered\n'
    [problem] = problems(sources.read_tally, write(tmp_path, HEADER + "".join(lines)))
    assert problem.startswith(
        f"t.csv: row 5, column holder_id: {TOO_LONG}: a quote on line 5 of the file is not matched on its line and "
        "joins lines 5 to 9,002 into one value: delete the stray quote, or close the quoted value on its line (a "
        "quote inside a quoted value is written twice, \"\"), got 'B Corp,100,book-entry,tendered\\nDTC-00004")
    lines[9_000] = "DTC-09000,100,book-entry,tendered\n"  # never closed: the rest of the file one value
    [problem] = problems(sources.read_tally, write(tmp_path, HEADER + "".join(lines) + "\n"))
    assert problem.startswith(f"t.csv: row 5, column holder_id: {TOO_LONG}: a quote on line 5 of the file is never "
                              "closed, so the rest of the file is one value: delete the stray quote")


def test_cells_are_held_to_a_cell_whatever_csv_field_limit_another_library_set(tmp_path):
    """csv's field limit is one setting for the whole process: left as it is, and not relied on."""
    before = csv.field_size_limit()
    holder = "A" * PAST_CSV
    path = write(tmp_path, HEADER + LINES + f"{holder},100,book-entry,tendered\n\n")
    price = write(tmp_path, f"date,price,volume\n2004-02-20,{'0' * PAST_CSV}8.1,1000\n", "p.csv")
    assert problems(sources.read_tally, path)[0].startswith(f"t.csv: row 4, column holder_id: {TOO_LONG}")
    assert csv.field_size_limit() == before
    try:
        csv.field_size_limit(sys.maxsize)
        assert problems(sources.read_tally, path)[0].startswith(f"t.csv: row 4, column holder_id: {TOO_LONG}")
        assert problems(prices.read_prices, price)[0].startswith(f"p.csv: row 2, column price: {TOO_LONG}")
    finally:
        csv.field_size_limit(before)


def test_a_cell_too_long_through_the_command_line_exits_2_without_a_traceback(tmp_path, capsys):
    offer = offer_text(FORMULA).replace('file = "data/hecla-2004-tally.csv"', 'file = "t.csv"')
    (tmp_path / "offer.toml").write_text(offer.replace('"data/hecla-2004-prices-illustrative.csv"', '"p.csv"'),
                                         encoding="utf-8")
    write(tmp_path, (DATA / "hecla-2004-tally.csv").read_text(encoding="utf-8"))
    text = (DATA / PRICES).read_text(encoding="utf-8")
    write(tmp_path, text.replace("2004-02-18,", "2004-02-18," + "0" * PAST_CSV, 1), "p.csv")
    assert cli.main(["compute", str(tmp_path / "offer.toml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith(
        "xlpy compute: offer.toml: offer.consideration.formula.prices: p.csv: row ")
    assert f", column price: {TOO_LONG}, got '000000" in err


# --- a header wider than a sheet: refused before pandas renames or makes a column of each ---------------------


@pytest.mark.parametrize("names", ["repeated", "distinct"])
def test_a_tally_header_wider_than_a_sheet_is_refused_with_its_count(tmp_path, names):
    """A million repeated headers took pandas hours to rename apart (quadratic), a million distinct 2.3 GB; 30,000
    were read, in 14 s."""
    extra = ["x" if names == "repeated" else f"x{j}" for j in range(16_381)]
    body = ",".join(["holder_id", "units", "method", "status", *extra]) + "\n" + "DTC-1,100,book-entry,tendered\n"
    x = "x" if names == "repeated" else "x0"
    assert problems(sources.read_tally, write(tmp_path, body)) == [
        f"t.csv: header: has 16,385 columns (holder_id, units, method, status, {x}, ...), more than a worksheet holds "
        "(16,384): no tally, count or price file is so wide; it is not read"]


def test_a_price_or_count_file_header_wider_than_a_sheet_is_refused_with_its_count(tmp_path):
    wide = "," + ",".join(f"c{j}" for j in range(16_382))
    path = write(tmp_path, f"date,price,volume{wide}\n2004-02-20,8.1,1000\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: header: has 16,385 columns (date, price, volume, c0, c1, ...), more than a worksheet holds (16,384): "
        "no tally, count or price file is so wide; it is not read"]
    path = write(tmp_path, f"tendered,guaranteed delivery,failed delivery{wide}\n274000,3500,0\n", "c.csv")
    assert problems(counts.read_counts, path) == [
        "c.csv: header: has 16,385 columns (tendered, guaranteed delivery, failed delivery, c0, c1, ...), more than "
        "a worksheet holds (16,384): no tally, count or price file is so wide; it is not read"]


def test_a_header_as_wide_as_a_sheet_is_read(tmp_path):
    body = ",".join(["holder_id", "units", "method", "status", *(f"x{j}" for j in range(16_380))]) + "\n"
    table = sources.read_tally(write(tmp_path, body + "DTC-1,100,book-entry,tendered" + "," * 16_380 + "\n"))
    assert table.units == (100,)


# --- a mapping file that is a pipe or a device; an encoding name holding a NUL --------------------------------


def _rescued_after(path, seconds: float = 20):
    """A thread that, after *seconds*, opens *path* (a pipe) for writing and closes it, again and again until it is
    stopped (``stop.set()``): a reader waiting on it goes on each time, and the test fails rather than hangs.  The
    list it returns holds the path if it had to."""
    rescued: list = []
    stop = threading.Event()

    def let_go():
        stop.wait(seconds)
        while not stop.is_set():
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                rescued.append(path)
            except OSError:  # (no reader waiting)
                pass
            stop.wait(0.1)

    threading.Thread(target=let_go, daemon=True).start()
    return stop, rescued


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_mapping_file_that_is_a_pipe_is_refused_not_waited_on(tmp_path, capsys, monkeypatch):
    """The offer file's tally.mapping (and --mapping) as a named pipe waited for ever for a writer."""
    monkeypatch.chdir(tmp_path)
    os.mkfifo("m.toml")
    offer = offer_text(FORMULA).replace('file = "data/hecla-2004-tally.csv"',
                                        f'file = {json.dumps(str(DATA / "hecla-2004-tally.csv"))}\nmapping = "m.toml"')
    (tmp_path / "offer.toml").write_text(offer.replace('"data/hecla-2004-prices-illustrative.csv"',
                                                       json.dumps(str(DATA / PRICES))), encoding="utf-8")
    stop, rescued = _rescued_after(os.path.abspath("m.toml"))
    try:
        assert problems(sources.read_mapping, "m.toml") == [
            "m.toml: is a pipe or a device, not a mapping file: save it to a file and give that"]
        assert cli.main(["compute", "offer.toml"]) == 2
    finally:
        stop.set()
    assert not rescued
    assert capsys.readouterr().err == ("xlpy compute: offer.toml: tally.mapping: m.toml: is a pipe or a device, not "
                                       "a mapping file: save it to a file and give that\n")


def test_a_mapping_file_that_is_a_device_is_refused_not_read(tmp_path):
    """/dev/zero as the mapping file was read until memory ran out (2.6 GB, then a MemoryError traceback); the null
    device, which ends at once, stands for it here (read, it was an empty mapping)."""
    (tmp_path / "m.toml").symlink_to(os.devnull)
    assert problems(sources.read_mapping, tmp_path / "m.toml") == [
        f"{tmp_path / 'm.toml'}: is a pipe or a device, not a mapping file: save it to a file and give that"]



@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes: POSIX")
def test_a_recorded_mapping_that_is_a_pipe_a_device_or_a_folder_is_named_so_not_as_gone(tmp_path):
    """The agent's next tally, given without a mapping, was refused because the mapping the Cover records "is not
    there", of a named pipe (never opened: nothing waits), a device or a folder that is there."""
    tally = write(tmp_path, HEADER + LINES)
    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "dev.toml").symlink_to(os.devnull)
    (tmp_path / "dir.toml").mkdir()
    said = {name: counts.mapping_for_the_next(tally, tmp_path / name, name)
            for name in ("pipe.toml", "dev.toml", "dir.toml", "gone.toml")}
    assert said == {
        "pipe.toml": (None, "the mapping file the Cover records (pipe.toml) is a pipe or a device, not a mapping file"),
        "dev.toml": (None, "the mapping file the Cover records (dev.toml) is a pipe or a device, not a mapping file"),
        "dir.toml": (None, "the mapping file the Cover records (dir.toml) is a folder, not a mapping file"),
        "gone.toml": (None, "the mapping file the Cover records (gone.toml) is not there")}


WANTED = "must be the name of a character set a CSV file is saved in (e.g. utf-8, cp1252, latin-1, utf-16)"


def test_an_encoding_name_holding_a_nul_is_refused_as_a_bad_name(tmp_path):
    """It raised ValueError: embedded null character (a traceback)."""
    path = write(tmp_path, 'encoding = "utf-8\\u0000"\n', "m.toml")
    assert problems(sources.read_mapping, path) == [
        f"m.toml: encoding: {WANTED}, got 'utf-8\\x00'"]
    tally = write(tmp_path, HEADER + LINES)
    assert problems(sources.read_tally, tally, sources.ColumnMapping(encoding="utf-8\0")) == [
        f"t.csv: encoding: {WANTED}, got 'utf-8\\x00'"]


@pytest.mark.parametrize("encoding", ["utf-7", "idna", "unicode_escape"])
def test_an_encoding_no_csv_file_is_saved_in_is_refused_from_a_mapping_made_in_code(tmp_path, encoding):
    """Such a ColumnMapping read the tally (its ASCII alike in utf-7), and a count file, as if it were a character
    set: a mapping file's is refused as it is read, this one as the file is."""
    tally = write(tmp_path, HEADER + LINES)
    assert problems(sources.read_tally, tally, sources.ColumnMapping(encoding=encoding)) == [
        f"t.csv: encoding: {WANTED}, got {encoding!r}"]
    count = write(tmp_path, "tendered,guaranteed delivery,failed delivery\n274000,3500,0\n", "c.csv")
    assert problems(counts.read_count_file, count, sources.ColumnMapping(encoding=encoding)) == [
        f"c.csv: encoding: {WANTED}, got {encoding!r}"]


# --- a price file's quote never closed: named as the tally's is ------------------------------------------------

NEVER_CLOSED = ("holds a quote that is never closed, so the rest of the file would be one value: delete the stray "
                'quote, or close the quoted value on its line (a quote inside a quoted value is written twice, "")')


@pytest.mark.parametrize("line, at", [('"2004-02-19,8.2,1000', "row 3"), ('2004-02-19,"8.2,1000', "row 3"),
                                      ('"date,price,volume', "row 1")])
@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_price_files_quote_never_closed_is_named_not_taken_for_a_bad_date(tmp_path, line, at, end):
    """The rest of the file one value was refused as a bad date (must be a date YYYY-MM-DD, got '2004-02-19,8.2,1000
    \\n2004-02-20,...'), then an empty price and volume: the quote itself was not named."""
    rows = ["date,price,volume", "2004-02-18,8.1,1000", "2004-02-19,8.2,1000", "2004-02-20,8.3,1000"]
    rows[int(at[-1]) - 1] = line
    path = write(tmp_path, end.join(rows) + end, "p.csv")
    assert problems(prices.read_prices, path) == [f"p.csv: {at}: {NEVER_CLOSED}"]
    assert problems(prices.read_prices, write(tmp_path, end.join(rows) + end, "p.csv", "utf-16")) == [
        f"p.csv: {at}: {NEVER_CLOSED}"]  # (Excel's Unicode Text: UTF-16, named by its byte-order mark)


def test_a_price_file_whose_quotes_are_closed_keeps_its_own_problems(tmp_path):
    path = write(tmp_path, 'date,price,volume\n"2004-02-19",8.2,1000\n"19/02/2004","8.2 USD",1000\n', "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: row 3, column date: must be a date YYYY-MM-DD, got '19/02/2004'",
        "p.csv: row 3, column price: must be a number, got '8.2 USD'"]


def test_a_price_files_sep_line_is_said_by_the_price_reader_not_the_tallys(tmp_path):
    """A mutation review: a first line the tally's rules refuse (Excel's separator line, sep=,) met as the price
    file's quotes are looked at leaves the price reader's own problems, each naming what it read as the header; the
    look let raise, the tally's words (is Excel's separator line, not a header) took their place, with no test
    failing."""
    path = write(tmp_path, "sep=,\ndate,price,volume\n2004-01-02,8.1,1000\n", "p.csv")
    advice = "column to one of those (a price file takes no mapping file), got 'sep=, '"
    assert problems(prices.read_prices, path) == [
        f"p.csv: header: has no date column (expected one of: date, trade date, trading day, day); rename the header "
        f"of its date {advice}",
        f"p.csv: header: has no price column (expected one of: price, vwap, close, closing price, px); rename the "
        f"header of its price {advice}",
        f"p.csv: header: has no volume column (expected one of: volume, vol, shares traded); rename the header of its "
        f"volume {advice}"]

# --- a mapping's sheet given for a CSV tally: refused, not ignored -----------------------------------------------

SHEET_OF_A_CSV = ("names a worksheet, but {} is a CSV file, which has none: leave the key out of the mapping file "
                  "for a CSV tally (it names the sheet of an XLSX one), got 'Tenders'")


def test_a_mappings_sheet_for_a_csv_tally_or_count_file_is_refused_naming_key_value_and_file(tmp_path):
    """It was ignored without a word: the mapping's author meant a sheet the CSV file does not have."""
    path = write(tmp_path, 'sheet = "Tenders"\n[columns]\nholder_id = "Acct"\n', "m.toml")
    mapping = sources.read_mapping(path)
    tally = write(tmp_path, HEADER.replace("holder_id", "Acct") + LINES)
    assert problems(sources.read_tally, tally, mapping) == [f"m.toml: sheet: {SHEET_OF_A_CSV.format('t.csv')}"]
    count = write(tmp_path, "tendered,guaranteed delivery,failed delivery\n274000,3500,0\n", "c.csv")
    assert problems(counts.read_count_file, count, sources.ColumnMapping(sheet="Tenders")) == [
        f"sheet: {SHEET_OF_A_CSV.format('c.csv')}"]  # (a mapping made in code: no file to name)
    assert len(sources.read_tally(tally, sources.ColumnMapping(columns={"holder_id": "Acct"}))) == 2


def test_a_mappings_sheet_for_a_csv_tally_is_named_after_tally_mapping_by_compute(tmp_path, capsys):
    offer = offer_text(FORMULA).replace('file = "data/hecla-2004-tally.csv"', 'file = "t.csv"\nmapping = "m.toml"')
    (tmp_path / "offer.toml").write_text(offer.replace("data/hecla", str(DATA / "hecla")), encoding="utf-8")
    write(tmp_path, (DATA / "hecla-2004-tally.csv").read_text(encoding="utf-8"))
    write(tmp_path, 'sheet = "Tenders"\n', "m.toml")
    assert cli.main(["compute", str(tmp_path / "offer.toml")]) == 2
    assert capsys.readouterr().err == (
        f"xlpy compute: offer.toml: tally.mapping: m.toml: sheet: {SHEET_OF_A_CSV.format('t.csv')}\n")


# --- a mapping's encoding given for an XLSX tally: refused, not ignored ------------------------------------------

ENCODING_OF_AN_XLSX = ("names a CSV file's character set, but {} is an XLSX file, which has no encoding to give: leave "
                       "the key out of the mapping file for an XLSX tally (it names the character set of a CSV one), "
                       "got 'cp1252'")


def _xlsx(path, text: str):
    from openpyxl import Workbook

    wb = Workbook()
    for row in csv.reader(text.splitlines()):
        wb.active.append([int(c) if c.isdigit() else c for c in row])
    wb.save(path)
    return path


def test_a_mappings_encoding_for_an_xlsx_tally_or_count_file_is_refused_naming_key_value_and_file(tmp_path):
    """It was ignored without a word, as a CSV tally's sheet was: the mapping's author meant a CSV file."""
    mapping = sources.read_mapping(write(tmp_path, 'encoding = "cp1252"\n', "m.toml"))
    tally = _xlsx(tmp_path / "t.xlsx", HEADER + LINES)
    assert problems(sources.read_tally, tally, mapping) == [f"m.toml: encoding: {ENCODING_OF_AN_XLSX.format('t.xlsx')}"]
    count = _xlsx(tmp_path / "c.xlsx", "tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    assert problems(counts.read_count_file, count, sources.ColumnMapping(encoding="cp1252")) == [
        f"encoding: {ENCODING_OF_AN_XLSX.format('c.xlsx')}"]  # (a mapping made in code: no file to name)
    assert len(sources.read_tally(tally, sources.ColumnMapping())) == 2  # (the default: no key given)
    assert counts.read_count_file(count, sources.ColumnMapping())[:3] == (274000, 3500, 0)


@pytest.mark.parametrize("given", ["utf-8-sig", "UTF-8-SIG"])
def test_a_mappings_encoding_naming_the_default_for_an_xlsx_tally_is_refused_as_any_other(tmp_path, given):
    """encoding = "utf-8-sig", the default's name, was taken without a word for an XLSX tally or count file, where
    every other encoding was refused: the mapping file gave it, so it is refused alike; a CSV tally reads it."""
    def said(name: str) -> str:
        return f"m.toml: encoding: {ENCODING_OF_AN_XLSX.format(name)}".replace("'cp1252'", repr(given))

    mapping = sources.read_mapping(write(tmp_path, f'encoding = "{given}"\n', "m.toml"))
    tally = _xlsx(tmp_path / "t.xlsx", HEADER + LINES)
    assert problems(sources.read_tally, tally, mapping) == [said("t.xlsx")]
    count = _xlsx(tmp_path / "c.xlsx", "tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    assert problems(counts.read_count_file, count, mapping) == [said("c.xlsx")]
    assert len(sources.read_tally(write(tmp_path, HEADER + LINES), mapping)) == 2  # (a CSV tally's: read in it)
    assert len(sources.read_tally(tally, sources.read_mapping(write(tmp_path, "[columns]\n", "n.toml")))) == 2


def test_a_mappings_encoding_for_an_xlsx_tally_is_named_after_tally_mapping_by_compute(tmp_path, capsys):
    offer = offer_text(FORMULA).replace('file = "data/hecla-2004-tally.csv"', 'file = "t.xlsx"\nmapping = "m.toml"')
    (tmp_path / "offer.toml").write_text(offer.replace("data/hecla", str(DATA / "hecla")), encoding="utf-8")
    _xlsx(tmp_path / "t.xlsx", (DATA / "hecla-2004-tally.csv").read_text(encoding="utf-8"))
    write(tmp_path, 'encoding = "cp1252"\n', "m.toml")
    assert cli.main(["compute", str(tmp_path / "offer.toml")]) == 2
    assert capsys.readouterr().err == (
        f"xlpy compute: offer.toml: tally.mapping: m.toml: encoding: {ENCODING_OF_AN_XLSX.format('t.xlsx')}\n")
