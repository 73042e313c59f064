"""A CSV tally as Excel saves a sheet with one stray cell in column XFD: every line, header and all, ends in 16,380
separators.  Read from its named columns alone when no cell under the empty names holds anything (pandas made every
cell of every column: 20,000 lines took 95 s and 8 GB); read whole, as before, when one does, or when a quote is not
one Excel writes (inside a cell, or a quoted cell not closed on its line), and refused or noted in the same words
either way."""

from __future__ import annotations

import pytest
from office_tallies import problems, write

from xlpy.files import sources

HEADER = "holder_id,units,method,status"
#: The separators Excel writes after the last named cell of each line (16,384 columns in all).
TAIL = "," * 16_380
LINES = ["A-1,100,book-entry,tendered", "B-2,250,guaranteed,tendered", "C-3,75,book-entry,withdrawn"]


def wide(lines: list[str], header: str = HEADER) -> str:
    """A tally's text as Excel writes it: every line but a blank one ending in the separators that make the
    *header* 16,384 columns, CR LF after each."""
    tail = "," * (16_384 - len(header.split(",")))
    return "".join(f"{line}{tail if line else ''}\r\n" for line in [header, *lines])


@pytest.fixture
def given(monkeypatch):
    """The column labels pandas is given at each read of a tally (``None``: read by its header)."""
    import pandas

    read_csv, labels = pandas.read_csv, []

    def spy(*args, **kwargs):
        labels.append(None if kwargs.get("names") is None else len(kwargs["names"]))
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pandas, "read_csv", spy)
    return labels


def _shown(table):
    """What a table read shows: its lines, each line's row, the units' and the holders' headers."""
    return table, getattr(table, "_rows", None), table.units_header, getattr(table, "_id_header", None)


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_a_tally_as_wide_as_a_sheet_reads_as_the_narrow_one_from_its_named_columns_alone(tmp_path, given, end):
    """A blank line (one row more) and Excel's cleared rows of separators alone at the end, as in the narrow tally;
    pandas is given the 4 named columns, not 16,384."""
    body = [*LINES[:2], "", LINES[2]]
    table = sources.read_tally(write(tmp_path, wide(body).replace("\r\n", end) + f"{',' * 16_383}{end}" * 2))
    (tmp_path / "n").mkdir()
    narrow = sources.read_tally(write(tmp_path / "n", end.join([HEADER, *body, ",,,", ",,,"]) + end))
    assert _shown(table) == _shown(narrow)
    assert (table.holder_id, table.units, table.status, table._rows) == (
        ("A-1", "B-2", "C-3"), (100, 250, 75), ("tendered", "tendered", "withdrawn"), (2, 3, 5))
    assert given[0] == 4 and 16_384 not in given  # (the wide tally's 4 named columns; then the narrow one's)


def test_rows_narrower_than_a_header_ending_in_empty_names_read_as_the_narrow_tally(tmp_path, given):
    """Lines without the header's trailing separators (a tally mended by hand), or some of them only."""
    text = HEADER + TAIL + "\n" + "\n".join([LINES[0], LINES[1] + "," * 500, LINES[2] + TAIL]) + "\n"
    table = sources.read_tally(write(tmp_path, text))
    narrow = sources.read_tally(write(tmp_path, "\n".join([HEADER, *LINES]) + "\n", "n.csv"))
    assert (table.holder_id, table.units, table.method, table.status) == (
        narrow.holder_id, narrow.units, narrow.method, narrow.status)
    assert given == [4, None]


FAR = "t.csv: column {}: has no header but holds values (the first on row {}): write its header (Status, Method...) " \
      "in the header row, or delete the column if it is not part of the tally, got {!r}"


@pytest.mark.parametrize("line, said", [
    (LINES[1] + TAIL + "x", FAR.format("16384", 4, "x")),  # (column XFD)
    (LINES[1] + ",Y" + TAIL[1:], FAR.format("5", 4, "Y")),
    (LINES[1] + TAIL + ",", "t.csv: row 4: has 16,385 cells and the header 16,384, got "
                            "'B-2,250,guaranteed,tendered,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,'... (16,408 characters)"),
])
def test_a_cell_under_an_empty_name_or_past_the_header_is_refused_as_ever(tmp_path, line, said):
    assert problems(sources.read_tally, write(tmp_path, wide([LINES[0], ""]) + line + "\r\n")) == [said]


def test_a_far_cell_of_spaces_alone_is_blank_as_ever(tmp_path):
    table = sources.read_tally(write(tmp_path, wide(LINES[:2]) + LINES[2] + "," * 9_000 + "   " + TAIL[9_000:]))
    assert table.units == (100, 250, 75)


def test_a_title_above_a_wide_header_is_said_as_ever(tmp_path):
    text = "Tally as of 2004-02-19" + "," * 16_383 + "\r\n" + wide(LINES[:1])
    assert problems(sources.read_tally, write(tmp_path, text)) == [
        "t.csv: row 1: is a title, not the header (the header is on row 2: holder_id, units, method, status): the "
        "header must be the first row; delete the title row, got 'Tally as of 2004-02-19'"]


def test_a_lines_problems_in_a_wide_tally_are_named_by_their_rows_and_the_files_headers(tmp_path, given):
    """Each check of the lines sees the columns read: a unit not a number after a blank row, a byte not UTF-8, a
    cell longer than a cell holds (the line longer than one too: the columns are measured), a method unknown."""
    lines = [LINES[0], "", "B-2,N/A,book-entry,tendered", "C-3,75,by hand,tendered"]
    assert problems(sources.read_tally, write(tmp_path, wide(lines))) == [
        "t.csv: row 4, column units: must be a number, got 'N/A'",
        "t.csv: row 5, column method: must be one of book-entry, certificate, guaranteed; if it is the agent's word "
        "for one of them, map it in a mapping file: [methods] \"by hand\" = the one of ours it means, got 'by hand'"]
    path = tmp_path / "b.csv"
    path.write_bytes(wide([LINES[0], "M\xfcller,5,book-entry,tendered"]).encode("latin-1"))
    assert problems(sources.read_tally, path) == [
        "b.csv: row 3: is not UTF-8 text (byte 0xfc); save it as CSV UTF-8, or set encoding in a mapping file (e.g. "
        "cp1252)"]
    long = "A" * 40_000
    assert problems(sources.read_tally, write(tmp_path, wide([LINES[0], f"{long},5,book-entry,tendered"]))) == [
        f"t.csv: row 3, column holder_id: is longer than a cell holds (32,767 characters), got "
        f"'{long[:60]}'... (40,000 characters)"]
    assert set(given) == {4}  # (every one read from its named columns alone)


def test_notes_beside_a_column_of_numbers_are_said_in_a_wide_tally_as_in_a_narrow_one(tmp_path, given):
    header = "holder_id,Notes,Position,method,status"
    lines = ["A-1,100,100,book-entry,tendered", "B-2,250,250,book-entry,tendered"]
    said = problems(sources.read_tally, write(tmp_path, "\n".join([header, *lines]) + "\n", "n.csv"))
    assert problems(sources.read_tally, write(tmp_path, wide(lines, header), "n.csv")) == said == [
        "n.csv: column Notes: is read as the units only when no other column could be, and column Position holds "
        "whole numbers: give the units column a header of the units (Number of Notes, Units), or name it in a "
        "mapping file (units = \"Notes\" if Notes holds them), got 'Notes'"]
    assert given == [None, 5]


def test_a_quoted_value_holding_separators_and_line_breaks_in_a_wide_tally_is_read_whole(tmp_path, given):
    """A quote may hide a separator or a line break: the file is read whole, every column, as before."""
    lines = ['"Smith, J",100,book-entry,tendered,"see,\r\nbelow"', "B-2,250,guaranteed,tendered,x"]
    table = sources.read_tally(write(tmp_path, wide(lines, HEADER + ",Remarks")))
    assert (table.holder_id, table.units, table.method, table._rows) == (
        ("Smith, J", "B-2"), (100, 250), ("book-entry", "guaranteed"), (2, 3))
    assert given == [16_384]


def _read(tmp_path, text: str, name: str):
    """What reading the tally *text* (as t.csv, in the folder *name*) shows, or the problems it is refused with."""
    from xlpy.engine.errors import InputErrors

    (tmp_path / name).mkdir()
    try:
        return _shown(sources.read_tally(write(tmp_path / name, text)))
    except InputErrors as exc:
        return [str(p) for p in exc.problems]


QUOTED = ['"Smith, J",100,book-entry,tendered', '"5"" disk",250,"guaranteed","tendered"',
          '"E-5",75,book-entry,"tendered"', '"C-3,""x"", y",75,book-entry,"withdrawn"']


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_cells_quoted_as_excel_quotes_them_in_a_wide_tally_are_read_from_its_named_columns_alone(tmp_path, given, end):
    """A quoted cell holding the separator, or a quote written twice, cut after the 4 named cells byte for byte."""
    body = [QUOTED[0], "", *QUOTED[1:], '"D-4",5,"book-entry",tendered', LINES[2]]
    table = _read(tmp_path, wide(body).replace("\r\n", end), "w")
    assert table == _read(tmp_path, end.join([HEADER, *body]) + end, "n")
    assert table[0].holder_id == ("Smith, J", '5" disk', "E-5", 'C-3,"x", y', "D-4", "C-3")
    assert (table[0].units, table[1]) == ((100, 250, 75, 75, 5, 75), (2, 4, 5, 6, 7, 8))
    assert given == [4, None]


@pytest.mark.parametrize("line", [
    'Smith "J",100,book-entry,tendered',  # (a quote inside a cell not quoted)
    '"Smith\r\nJ",100,book-entry,tendered',  # (a quoted cell over two lines)
    '"Smith\nJ",100,book-entry,tendered',
    '"Smith" J,100,book-entry,tendered',  # (text after the closing quote)
    '"Smith,100,book-entry,tendered',  # (a quote never closed)
])
def test_a_quote_excel_would_not_write_in_a_wide_tally_reads_it_whole_as_before(tmp_path, given, line):
    """The whole file read, every column, and read (or refused) as the narrow tally is; a quoted cell under an empty
    name is refused as any cell there."""
    table = _read(tmp_path, wide([line, LINES[1]]), "w")
    assert table == _read(tmp_path, "".join(f"{x}\r\n" for x in [HEADER, line, LINES[1]]), "n")
    assert problems(sources.read_tally, write(tmp_path, wide([LINES[0], ""]) + LINES[1] + ',"x"' + TAIL[1:])) == [
        FAR.format("5", 4, "x")]
    assert given[0] == given[-1] == 16_384


class _Looked(list):
    """A column that counts the times it is looked through."""

    looked = 0

    def __iter__(self):
        self.looked += 1
        return super().__iter__()


def test_one_list_given_for_the_columns_under_the_empty_names_is_looked_through_once():
    """Each check of every column (a column with no header holding values, notes beside numbers, a cell too long, the
    lines cut for the header repeated) looks at the list of blanks once, not 16,380 times a line."""
    from xlpy.files.csv_cells import refuse_long_cells
    from xlpy.files.tally_csv import without_lines
    from xlpy.files.tally_shape import beside_notes, headless_columns

    blank = _Looked(["", ""])
    headers, columns = ["holder_id", "Notes", *[""] * 1_000], [["A-1", "B-2"], ["1", "2"], *[blank] * 1_000]
    assert headless_columns("t.csv", headers, columns, lambda i: i + 2, False) == []
    assert beside_notes("t.csv", headers, columns, {"holder_id": 0, "units": 1}, set()) == []
    assert refuse_long_cells("t.csv", headers, columns, lambda i: i + 2) is None
    assert blank.looked == 3
    cut, _ = without_lines(columns, [0], lambda i: i + 2)
    assert cut[2] is cut[1_001] and cut[2] == [""] and cut[1] == ["2"]


@pytest.mark.parametrize("text, said", [
    ("holder_id,units\nJos\u00e9,5\n", "is UTF-8 text"),  # (the \u00e9's two bytes in two blocks of 5)
    ("holder_id,units\nA-1,5\n" * 3 + "\ufeff", "is UTF-8 text"),
    ("holder_id,units\nJos\u00e9,5\n" + "A-1,5\n" * 4, "is UTF-8 text"),  # (the blocks after the \u00e9's ASCII)
    ("\ufeffholder_id,units\n", "starts with a UTF-8 byte-order mark"),
    ("holder_id,units\nA-1,5\n", None)])
def test_a_utf8_file_given_another_encoding_is_named_from_blocks_of_it_never_the_file_whole(
        tmp_path, monkeypatch, text, said):
    """The file is looked at a block at a time (a wide tally is 328 MB at 20,000 lines; it was held whole, then
    decoded whole: 695 MB with a mapping naming cp1252): a character split between two blocks is one character."""
    from pathlib import Path

    from xlpy.files import sniff

    monkeypatch.setattr(sniff, "_UTF8_BLOCK", 5)
    monkeypatch.setattr(Path, "read_bytes", None)
    path = write(tmp_path, text)
    problem = sniff.utf8_given_another(path, "cp1252")
    assert (problem and str(problem)) == (said and f"t.csv: {said}, but its mapping file names encoding cp1252: "
                                          "remove encoding from the mapping file (UTF-8 is the default), or save the "
                                          "file as that encoding")
    path.write_bytes(text.encode("utf-8") + b"\xfc")  # (a byte not UTF-8 at the end: cp1252 text, but for the mark)
    assert (sniff.utf8_given_another(path, "cp1252") is None) == (not text.startswith("\ufeff"))


@pytest.mark.parametrize("block", [5, 1 << 23])
def test_a_cp1252_file_ending_in_what_starts_a_utf8_character_is_read_as_its_mapping_says(tmp_path, monkeypatch, block):
    """Its last byte (\u00c3 in cp1252) begins a UTF-8 character the file never finishes: not UTF-8 text, read as
    cp1252 from blocks of it as from the file whole."""
    from xlpy.files import sniff

    monkeypatch.setattr(sniff, "_UTF8_BLOCK", block)
    mapping = sources.read_mapping(write(tmp_path, 'encoding = "cp1252"\n', "map.toml"))
    path = tmp_path / "t.csv"
    path.write_bytes(b"units,method,status,holder_id\n5,book-entry,tendered,A-1\n7,book-entry,tendered,Jos\xc3")
    assert sources.read_tally(path, mapping).holder_id == ("A-1", "Jos\u00c3")


#: The separators after the last named cell of a header of 200 columns: 196 empty names, more than EMPTY_NAMES.
SHORT_TAIL = "," * 196


def _sheet(lines: list[str], tail: str = SHORT_TAIL) -> str:
    """A tally's text: the header ending in *tail*, then the *lines* as given, CR LF after each."""
    return "".join(f"{line}\r\n" for line in [HEADER + tail, *lines])


def _whole(tmp_path, monkeypatch, text: str):
    """What the tally *text* shows read whole, every column (as a file with a cell under an empty name is)."""
    from xlpy.files import tally_csv

    with monkeypatch.context() as patch:
        patch.setattr(tally_csv, "_named_lines", lambda *args: None)
        return _read(tmp_path, text, "whole")


@pytest.mark.parametrize("holder", ["A-1", '"A-1"'])
def test_a_cr_alone_after_the_named_cells_of_a_wide_tally_breaks_the_line_as_it_does_read_whole(
        tmp_path, monkeypatch, holder):
    """A CR alone ends a line to pandas: the separators after it are a line of their own (row 3), refused as the
    whole file is, not dropped with the CR."""
    text = _sheet([f"{holder},100,book-entry,tendered\r{SHORT_TAIL}", LINES[1] + SHORT_TAIL])
    said = _read(tmp_path, text, "w")
    assert said == _whole(tmp_path, monkeypatch, text) == [
        "t.csv: row 3, column units: must be a number, got ''",
        "t.csv: row 3, column holder_id: must name the holder, got ''",
        "t.csv: row 3, column method: is required (or state the method of empty cells in a mapping file: [defaults] "
        "method; a totals row is to be deleted), got ''",
        "t.csv: row 3, column status: is required (or state the status of empty cells in a mapping file: [defaults] "
        "status; a totals row is to be deleted), got ''"]


@pytest.mark.parametrize("line, said", [
    ('"A-1",100,book-entry,tendered,x', [FAR.format("5", 2, "x")]),  # (a short row: its fifth cell held)
    # (text after a closing quote: pandas reads it in the cell, and the quote after it too; 5 cells, not 4)
    ('"a"x"b,c,d",100,book-entry' + SHORT_TAIL[1:], [FAR.format("5", 2, "book-entry")]),
    ('"",5",book-entry,"tendered"' + SHORT_TAIL, [  # (an empty quoted cell, then a quote inside a cell)
        "t.csv: row 2, column units: must be a number, got '5\"'",
        "t.csv: row 2, column holder_id: must name the holder, got ''"]),
])
def test_a_quoted_line_of_a_wide_tally_is_refused_in_the_words_of_the_whole_read(tmp_path, monkeypatch, line, said):
    text = _sheet([line, LINES[1] + SHORT_TAIL])
    assert _read(tmp_path, text, "w") == _whole(tmp_path, monkeypatch, text) == said


WHOLE_LINES = {  # (the lines, and the columns pandas is first given: 200 where the file is read whole)
    "CR alone": ([LINES[0], LINES[2]], "\r", 200),
    "quoted": ([LINES[0], QUOTED[0], QUOTED[3], LINES[2]], "\r\n", 4),
    "plain": ([LINES[0], LINES[1], "", LINES[2]], "\r\n", 4)}


@pytest.mark.parametrize("name", WHOLE_LINES)
@pytest.mark.parametrize("block", [1, 7, len(HEADER + SHORT_TAIL) + 12])  # (the last: line 2 in two blocks)
def test_a_wide_tally_looked_at_in_blocks_of_any_size_reads_as_it_does_whole(tmp_path, monkeypatch, given, name, block):
    """Each block's lines cut to the last line break in it, the rest carried to the next block (a file of CRs
    alone has none: it is read whole)."""
    from xlpy.files import tally_csv

    lines, end, labels = WHOLE_LINES[name]
    text = _sheet([f"{line}{SHORT_TAIL if line else ''}" for line in lines]).replace("\r\n", end)
    with monkeypatch.context() as patch:
        patch.setattr(tally_csv, "_BLOCK", block)
        table = _read(tmp_path, text, "w")
    assert given[0] == labels
    assert table == _whole(tmp_path, monkeypatch, text) == _read(tmp_path, end.join([HEADER, *lines]) + end, "n")
    assert table[0].units[0] == 100  # (a table, not a refusal)


@pytest.mark.parametrize("empty, labels", [(63, 67), (64, 4)])
def test_a_header_ending_in_64_empty_names_or_more_is_read_from_its_named_columns(tmp_path, given, empty, labels):
    """63 read whole, as ever; 64 (EMPTY_NAMES) from the 4 named columns alone: the same table either way."""
    body = [LINES[0], "", LINES[1], LINES[2]]
    table = _read(tmp_path, _sheet([f"{line}{',' * empty if line else ''}" for line in body], "," * empty), "w")
    assert given[0] == labels
    assert table == _read(tmp_path, "".join(f"{x}\r\n" for x in [HEADER, *body]), "n")
    assert table[0].holder_id == ("A-1", "B-2", "C-3") and table[1] == (2, 4, 5)
