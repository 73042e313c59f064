"""How an exchange agent lays out a tally, read as it means or refused: merged cells, a column with no header,
the sheet of a workbook with several."""

from __future__ import annotations

import pytest

from xlpy.engine import InputErrors
from xlpy.files import sources

HEADER = ["Holder", "Shares", "Method", "Status"]


def _problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def _book(path, rows, merge=()):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    for ref in merge:
        wb.active.merge_cells(ref)
    wb.save(path)
    return path


def test_a_merged_status_over_two_lines_is_refused_not_read_as_the_default(tmp_path):
    """A merged "withdrawn" over D3:D4 read D4 as empty, which the mapping's [defaults] status made tendered:
    4,000 units tendered where 1,000 were."""
    path = _book(tmp_path / "merged.xlsx", [HEADER, ["Alpha Fund", 1000, "book-entry", "tendered"],
                                           ["Beta LLC", 2000, "book-entry", "withdrawn"],
                                           ["Gamma SA", 3000, "book-entry", None]], merge=["D3:D4"])
    mapping = sources.ColumnMapping(defaults={"method": "book-entry", "status": "tendered"})
    assert _problems(sources.read_tally, path, mapping) == [
        "merged.xlsx: cells D3:D4, column Status: are merged: only the first cell of a merged range holds its "
        "value, the others read as empty; unmerge it and fill each row"]
    path = _book(tmp_path / "method.xlsx", [HEADER, ["A", 1, "guaranteed", "tendered"], ["B", 2, None, "tendered"],
                                           ["C", 3, "book-entry", "tendered"]], merge=["C2:C3"])
    assert [p.split(": are")[0] for p in _problems(sources.read_tally, path, mapping)] == [
        "method.xlsx: cells C2:C3, column Method"]


def test_a_merged_title_or_a_merged_unread_column_is_read(tmp_path):
    """A merge in the header row within one header, or over the lines of a column not read, changes nothing."""
    rows = [HEADER + ["Note"], ["A", 1, "book-entry", "tendered", "see"], ["B", 2, "book-entry", "tendered"]]
    path = _book(tmp_path / "t.xlsx", rows, merge=["E2:E3"])
    assert sources.read_tally(path).units == (1, 2)


def test_a_merge_over_rows_that_hold_no_line_is_read(tmp_path):
    """An empty merged band below the lines, the last line's Status merged down into the blank row below it, an
    empty merged separator between two blocks of lines: each was refused as merged cells, though no line's cell
    reads as empty."""
    lines = [HEADER, ["A", 100, "book-entry", "tendered"], ["B", 200, "book-entry", "tendered"]]
    assert sources.read_tally(_book(tmp_path / "band.xlsx", lines, merge=["A5:D5"])).units == (100, 200)
    assert sources.read_tally(_book(tmp_path / "down.xlsx", lines, merge=["D3:D4"])).units == (100, 200)
    blocks = lines + [[None] * 4, ["C", 300, "book-entry", "tendered"], ["D", 400, "book-entry", "tendered"]]
    assert sources.read_tally(_book(tmp_path / "gap.xlsx", blocks, merge=["A4:D4"])).units == (100, 200, 300, 400)
    # a merge reaching down onto a line is still refused
    assert [p.split(": are")[0] for p in _problems(sources.read_tally, _book(tmp_path / "on.xlsx", blocks,
                                                                             merge=["D4:D5"]))] == [
        "on.xlsx: cells D4:D5, column Status"]


def test_a_column_with_values_but_no_header_is_refused_naming_it(tmp_path):
    """A status column with no header was not read: without a mapping the refusal advised [defaults] status =
    "tendered" (and showed pandas' 'Unnamed: 3'); with that mapping the withdrawal counted as tendered."""
    (tmp_path / "h.csv").write_bytes(b"Holder,Shares,Method,\r\nAlpha Fund,1000,book-entry,tendered\r\n"
                                     b"Beta LLC,2000,book-entry,withdrawn\r\n")
    expected = ["h.csv: column 4: has no header but holds values (the first on row 2): write its header (Status, "
                "Method...) in the header row, or delete the column if it is not part of the tally, got 'tendered'"]
    assert _problems(sources.read_tally, tmp_path / "h.csv") == expected
    assert _problems(sources.read_tally, tmp_path / "h.csv", sources.ColumnMapping(defaults={"status": "tendered"})
                     ) == expected
    # A header merged across C1:D1 leaves column D without one, the last column here
    path = _book(tmp_path / "h.xlsx", [["Holder", "Shares", "Method", None], ["A", 1, "book-entry", None],
                                      ["B", 2, "book-entry", "withdrawn"]], merge=["C1:D1"])
    assert _problems(sources.read_tally, path, sources.ColumnMapping(defaults={"status": "tendered"})) == [
        "h.xlsx: column D: has no header but holds values (the first on row 3): write its header (Status, "
        "Method...) in the header row, or delete the column if it is not part of the tally, got 'withdrawn'"]
    path = _book(tmp_path / "m.xlsx", [["Holder", None, "Shares", "Method"], ["A", "withdrawn", 1, "book-entry"]])
    assert [p.split(":")[1] for p in _problems(sources.read_tally, path)] == [" column B"]


def test_a_title_row_above_the_header_is_named_as_such_not_as_columns_with_no_header(tmp_path):
    """A title line above the header was refused as three columns with no header, 'got units': advice to write
    headers that were one row down."""
    expected = ("{}: row 1: is a title, not the header (the header is on row 2: holder_id, units, method, status): "
                "the header must be the first row; delete the title row, got 'Tally as of 2004-02-19'")
    (tmp_path / "t.csv").write_text("Tally as of 2004-02-19,,,\nholder_id,units,method,status\n"
                                    "A,100,book-entry,tendered\n", encoding="utf-8")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [expected.format("t.csv")]
    # with no separators after the title (Notepad, or a script): one problem, not one 'has 4 cells' a row
    (tmp_path / "t.csv").write_text("Tally as of 2004-02-19\nholder_id,units,method,status\n"
                                    "A,100,book-entry,tendered\nB,5,book-entry,tendered\n", encoding="utf-8")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [expected.format("t.csv")]
    # a first line of one cell over lines of four that is no title above a header: the rows are named
    (tmp_path / "t.csv").write_text("holder_id\nA,100,book-entry,tendered\n", encoding="utf-8")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [
        "t.csv: row 2: has 4 cells and the header 1, got 'A,100,book-entry,tendered'"]
    rows = [["Tally as of 2004-02-19"], ["holder_id", "units", "method", "status"], ["A", 100, "book-entry",
                                                                                     "tendered"]]
    for merge in ((), ["A1:D1"]):
        path = _book(tmp_path / "t.xlsx", rows, merge=merge)
        assert _problems(sources.read_tally, path) == [expected.format("t.xlsx")], merge


def test_a_title_over_a_blank_row_above_the_header_is_named_as_a_title(tmp_path):
    """Review 96: a title, a blank row (empty, or separators alone), then the header on row 3 was refused as three
    columns with no header (a title with separators after it) or as every row wider than the header (one without):
    it is named once, as a title over the header is, and the blank rows are said with it."""
    said = ("t.csv: row 1: is a title, not the header (the header is on row {}: holder_id, units, method, status): the "
            "header must be the first row; delete the title row{}, got 'Tally as of 2004-02-19'")
    lines = "holder_id,units,method,status\nA,100,book-entry,tendered\nB,5,book-entry,tendered\n"
    for title, blank, row, under in [(",,,", ",,,", 3, " and the blank row under it"),
                                     (",,,", "", 3, " and the blank row under it"),
                                     ("", "", 3, " and the blank row under it"),
                                     ("", ",,,", 3, " and the blank row under it"),
                                     ("", " \n,,", 4, " and the 2 blank rows under it"),
                                     (",,,", ",,,\n,,,", 4, " and the 2 blank rows under it")]:
        (tmp_path / "t.csv").write_text(f"Tally as of 2004-02-19{title}\n{blank}\n{lines}", encoding="utf-8")
        assert _problems(sources.read_tally, tmp_path / "t.csv") == [said.format(row, under)], (title, blank)
    path = _book(tmp_path / "t.xlsx", [["Tally as of 2004-02-19"], [], ["holder_id", "units", "method", "status"],
                                      ["A", 100, "book-entry", "tendered"]])
    assert _problems(sources.read_tally, path) == [
        said.format(3, " and the blank row under it").replace("t.csv", "t.xlsx")]


def test_a_blank_first_row_above_an_xlsx_header_is_named_as_a_csvs_is(tmp_path):
    """A blank row 1 (no cells, a cell formatted but empty, cells cleared with the space bar) above the header was
    "header: has no holder_id column" and "has no units column", got ''; a CSV's is named in one line, and so is
    it.  A sheet of nothing but blank rows is empty."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    said = "{}: row 1: is blank: the header must be the first row (delete the blank row above it)"
    several = "{}: row 1: is blank: the header must be the first row (delete the {} blank rows above it)"
    line = ["A", 100, "book-entry", "tendered"]
    for top in ([[]], [["  ", None, " "]]):
        path = _book(tmp_path / "t.xlsx", top + [HEADER, line])
        assert _problems(sources.read_tally, path) == [said.format("t.xlsx")], top
    for top in ([[], []], [[None, "\t"], []], [[], [" "], [None, None, "  "]]):  # (the blank rows counted)
        path = _book(tmp_path / "t.xlsx", top + [HEADER, line])
        assert _problems(sources.read_tally, path) == [several.format("t.xlsx", len(top))], top
    wb = Workbook()
    wb.active["B1"].font = Font(bold=True)  # (a cell there, holding nothing)
    for row in [HEADER, line]:
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert _problems(sources.read_tally, tmp_path / "t.xlsx") == [said.format("t.xlsx")]
    (tmp_path / "t.csv").write_text(",,,\nHolder,Shares,Method,Status\nA,100,book-entry,tendered\n", encoding="utf-8")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [said.format("t.csv")]
    (tmp_path / "t.csv").write_bytes(b",,,\r\n\r\n ; \r\nHolder,Shares,Method,Status\r\nA,100,book-entry,tendered\r\n")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [several.format("t.csv", 3)]
    path = _book(tmp_path / "t.xlsx", [[], [" ", None, "  "]])
    assert _problems(sources.read_tally, path) == ["t.xlsx: sheet 'Sheet' is empty (no header row)"]


def test_a_blank_first_row_above_an_xlsx_count_file_s_header_is_named_as_a_tally_s_is(tmp_path):
    """A count file (one row of figures) kept as an XLSX with row 1 blank was "header: has no tendered column";
    it is named as a tally's is, and as a CSV count file's is."""
    from xlpy.files import counts

    said = "c.{}: row 1: is blank: the header must be the first row (delete the blank row above it)"
    path = _book(tmp_path / "c.xlsx", [[], ["tendered", "guaranteed delivery"], [274000, 3500]])
    assert _problems(counts.read_counts, path) == [said.format("xlsx")]
    (tmp_path / "c.csv").write_text(",\ntendered,guaranteed delivery\n274000,3500\n", encoding="utf-8")
    assert _problems(counts.read_counts, tmp_path / "c.csv") == [said.format("csv")]
    several = said.replace("the blank row", "the 2 blank rows")
    path = _book(tmp_path / "c.xlsx", [[], [" "], ["tendered", "guaranteed delivery"], [274000, 3500]])
    assert _problems(counts.read_counts, path) == [several.format("xlsx")]
    (tmp_path / "c.csv").write_text(",\n\ntendered,guaranteed delivery\n274000,3500\n", encoding="utf-8")
    assert _problems(counts.read_counts, tmp_path / "c.csv") == [several.format("csv")]
    path = _book(tmp_path / "c.xlsx", [[], [" ", None]])
    assert _problems(counts.read_counts, path) == ["c.xlsx: sheet 'Sheet' is empty (no header row)"]
    assert counts.read_counts(_book(tmp_path / "c.xlsx", [["tendered", "guaranteed delivery"], [274000, 3500]]))[
        :2] == (274000, 3500)


def test_a_header_repeated_on_a_line_is_named_once_not_as_values_to_map(tmp_path):
    """Review 96: the header again on row 151 (exported over each page, or pasted with lines added) was three
    problems, its units 'must be a number' and mapping advice for the words method and status."""
    lines = "".join(f"A-{k},{100 + k},book-entry,tendered\n" for k in range(6))
    (tmp_path / "t.csv").write_text(f"holder_id,units,method,status\n{lines}Holder_ID, Units ,method,status\n{lines}"
                                    f"holder_id,units,method,status\n", encoding="utf-8")
    again = ("repeats the header (holder_id, units, method, status): a tally has one header, its first row; delete "
             "this row")
    # (and, those rows apart, the lines there twice: found at once, not once row 8 is deleted)
    twice = ("t.csv: row 9: begins the lines of rows 2 to 7 again, line for line (holder, units, method and "
             "status): the tally is there twice, pasted or exported twice, and every unit would count twice; delete "
             "rows 9 to 14")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [f"t.csv: row 8: {again}", f"t.csv: row 15: {again}",
                                                                 twice]
    path = _book(tmp_path / "t.xlsx", [["Holder", "Shares", "Method", "Status"], ["A", 100, "book-entry", "tendered"],
                                      ["Holder", "Shares", "Method", "Status"], ["B", 5, "book-entry", "tendered"]])
    assert _problems(sources.read_tally, path) == [
        "t.xlsx: row 3: repeats the header (Holder, Shares, Method, Status): a tally has one header, its first row; "
        "delete this row"]
    # other problems stand as they were when no line repeats the header
    (tmp_path / "t.csv").write_text("holder_id,units,method,status\nA,units,book-entry,tendered\n", encoding="utf-8")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [
        "t.csv: row 2, column units: must be a number, got 'units'"]


def test_a_header_repeated_mid_file_does_not_hide_the_file_s_other_problems(tmp_path):
    """The header again on row 151 was the tally's one problem named: its bad units cell on row 20, blank id on row
    300 and failed delivery not guaranteed on row 310 were met only once row 151 was deleted.  All are named at
    once, each by its row in the file (a blank line skipped counted), the header's row not as a cell refused."""
    lines = ["holder_id,units,method,status"] + [f"A-{r},{r},book-entry,tendered" for r in range(2, 320)]
    lines[19], lines[150] = "A-20,12x,book-entry,tendered", "holder_id,units,method,status"
    lines[299], lines[309], lines[99] = ",300,book-entry,tendered", "A-310,310,book-entry,failed", ""
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _problems(sources.read_tally, tmp_path / "t.csv") == [
        "t.csv: row 151: repeats the header (holder_id, units, method, status): a tally has one header, its first "
        "row; delete this row", "t.csv: row 20, column units: must be a number, got '12x'",
        "t.csv: row 300, column holder_id: must name the holder, got ''",
        "t.csv: row 310, column status: only a guaranteed delivery can fail, got 'failed'"]
    # up to the usual 50, the rest counted
    header = ",".join(HEADER)
    lines = [f"A-{r},{'x' if r % 2 else r},book-entry,tendered" for r in range(2, 150)]  # (74 units refused)
    (tmp_path / "t.csv").write_text("\n".join([header, *lines, header, "B,1,book-entry,tendered"]) + "\n",
                                    encoding="utf-8")
    got = _problems(sources.read_tally, tmp_path / "t.csv")
    assert got[0].startswith("t.csv: row 150: repeats the header (Holder, Shares, Method, Status)"), got
    assert got[1:3] == ["t.csv: row 3, column Shares: must be a number, got 'x'",
                        "t.csv: row 5, column Shares: must be a number, got 'x'"]
    assert len(got) == 51 and got[-1] == "t.csv: and 25 more problems, all in column Shares", got[-2:]
    path = _book(tmp_path / "t.xlsx", [HEADER, ["A", 1, "book-entry", "tendered"], [], HEADER,
                                       ["B", "1x", "book-entry", "wire"]])
    assert _problems(sources.read_tally, path) == [
        "t.xlsx: row 4: repeats the header (Holder, Shares, Method, Status): a tally has one header, its first row; "
        "delete this row", "t.xlsx: row 5, column Shares: must be a number, got '1x'",
        "t.xlsx: row 5, column Status: must be one of tendered, withdrawn, failed; if it is the agent's word for one "
        "of them, map it in a mapping file: [statuses] \"wire\" = the one of ours it means, got 'wire'"]


def test_a_wrapped_header_is_named_on_one_line(tmp_path):
    """Excel's wrapped header (Shares, Alt+Enter, Tendered) printed its line break in every message naming the
    column: one problem over two lines.  It is still matched as written."""
    path = _book(tmp_path / "w.xlsx", [["Holder", "Shares\nTendered", "Method", "Status"],
                                       ["A", "x1", "book-entry", "tendered"]])
    assert _problems(sources.read_tally, path) == ["w.xlsx: row 2, column Shares Tendered: must be a number, got 'x1'"]
    path = _book(tmp_path / "m.xlsx", [["Holder", "Shares\r\nTendered", "Method", "Status"],
                                       ["A", 5, "book-entry", "tendered"]])
    assert sources.read_tally(path, sources.ColumnMapping(columns={"units": "Shares\r\nTendered"})).units == (5,)
    call, path = _notes(tmp_path, '"Net\nQuantity"', "DTC-1,25000,book-entry,tendered\n")
    assert "column Net Quantity, is a multiple of 1,000" in "".join(call(path)[1].warnings)


def test_an_empty_column_with_no_header_is_read_and_never_named_unnamed(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"Holder,Shares,Method,,Status\r\nA,1,book-entry,,tendered\r\n")
    assert sources.read_tally(tmp_path / "e.csv").units == (1,)
    (tmp_path / "s.csv").write_bytes(b"Holder,Shares,,Method\r\nA,1,,book-entry\r\n")
    (got,) = _problems(sources.read_tally, tmp_path / "s.csv")
    assert "Unnamed" not in got and got.startswith("s.csv: header: has no status column"), got


def _tabs(path, hidden_first: bool, active: int = 1):
    """The agent's workbook of a sheet a day: "Feb 18" (500 units), then "Feb 19" (3,000), saved showing *active*."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Feb 18"
    for ws, units in ((wb.active, 500), (wb.create_sheet("Feb 19"), 3000)):
        ws.append(HEADER)
        ws.append(["Alpha Fund", units, "book-entry", "tendered"])
    wb["Feb 18"].sheet_state = "hidden" if hidden_first else "visible"
    wb.active = active
    wb.save(path)
    return path


def test_a_workbook_whose_first_sheet_is_hidden_or_of_several_tallies_names_the_sheets(tmp_path):
    """The hidden "Feb 18" was read, 500 units where the agent's "Feb 19" showed 3,000, without a word."""
    assert _problems(sources.read_tally, _tabs(tmp_path / "tabs.xlsx", hidden_first=True)) == [
        "tabs.xlsx: its first sheet 'Feb 18' is hidden; the sheets: 'Feb 18', 'Feb 19': name the one to read with a "
        "mapping file's sheet key (sheet = \"Feb 19\")"]
    assert _problems(sources.read_tally, _tabs(tmp_path / "both.xlsx", hidden_first=False)) == [
        "both.xlsx: more than one sheet holds a tally header: 'Feb 18', 'Feb 19': name the one to read with a "
        "mapping file's sheet key (sheet = \"Feb 19\")"]
    assert sources.read_tally(tmp_path / "tabs.xlsx", sources.ColumnMapping(sheet="Feb 19")).units == (3000,)
    assert sources.read_tally(tmp_path / "both.xlsx", sources.ColumnMapping(sheet="Feb 18")).units == (500,)


def test_a_sheet_of_notes_beside_the_tally_changes_nothing(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["Alpha Fund", 500, "book-entry", "tendered"])
    wb.create_sheet("Notes").append(["Called DTC at 4pm"])
    wb.create_sheet("Old").append(HEADER)
    wb["Old"].sheet_state = "hidden"  # (a hidden sheet past the first is not read, and not in the way)
    wb.save(tmp_path / "t.xlsx")
    assert sources.read_tally(tmp_path / "t.xlsx").units == (500,)


OFFER = """schema = 1
[offer]
id = "tabs"
issuer = "Tabs Co"
kind = "preferred"
outstanding = 5000
original_ratio = 2.5
common_outstanding_before = 1000000
expiration = 2026-03-02
[offer.consideration]
ratio = 3
[tally]
file = "t1.csv"
[valuation]
date = 2026-03-02
price = 10
"""


def test_the_refresh_report_names_the_sheet_of_an_xlsx_tally(tmp_path, monkeypatch, capsys):
    from xlpy import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "offer.toml").write_text(OFFER, encoding="utf-8")
    (tmp_path / "t1.csv").write_text("holder_id,units,method,status\nA,100,book-entry,tendered\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text('sheet = "Feb 19"\n', encoding="utf-8")
    _tabs(tmp_path / "tabs.xlsx", hidden_first=True)
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    capsys.readouterr()
    assert cli.main(["refresh", "book.xlsm", "--tally", "tabs.xlsx", "--mapping", "m.toml", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "book.xlsm: holder tally: tabs.xlsx, sheet 'Feb 19' (1 line, columns mapped by m.toml; SHA-256 " in out, out


def _notes(tmp_path, header: str, lines: str):
    """The capped notes example (a note of $1,000 principal, 100,000 outstanding) over a tally of *lines*."""
    from repo_paths import OFFERS

    from xlpy.files.offerfile import compute_file

    text = (OFFERS / "notes-capped-example.toml").read_text(encoding="utf-8")
    (tmp_path / "o.toml").write_text(text.replace('"data/notes-capped-tally.csv"', '"amt.csv"'), encoding="utf-8")
    (tmp_path / "amt.csv").write_text(f"Holder,{header},Method,Status\n{lines}", encoding="utf-8")
    return compute_file, tmp_path / "o.toml"


def test_a_notes_tally_headed_amount_is_refused_as_principal(tmp_path):
    """65,000 "units" under Amount were counted as 65,000 notes (below the 100,000 outstanding: prorated, no
    word), where the agent meant $65,000 of principal: 65 notes."""
    call, path = _notes(tmp_path, "Amount",
                        'DTC-1,"25,000",book-entry,tendered\nDTC-2,"40,000",book-entry,tendered\n')
    assert _problems(call, path) == [
        "o.toml: tally.file: amt.csv: column Amount: a unit is one note of 1,000 principal; is the tally in principal "
        "amounts (65,000 ÷ 1,000 = 65 notes)? give each holder's notes, headed Notes or Units, got 'Amount'"]
    call, path = _notes(tmp_path, "Quantity", "DTC-1,25000,book-entry,tendered\nDTC-2,40000,book-entry,tendered\n")
    _, results = call(path)
    assert ("every line of tally.file amt.csv, column Quantity, is a multiple of 1,000, a note's principal: if the "
            "column is principal amounts, not notes, give each holder's notes") in results.warnings
    call, path = _notes(tmp_path, "Quantity", "DTC-1,25,book-entry,tendered\nDTC-2,40000,book-entry,tendered\n")
    assert not [w for w in call(path)[1].warnings if "principal" in w]


@pytest.mark.parametrize("face", [25, 100])
def test_baby_bonds_tendered_in_round_lots_are_not_warned_of_as_principal(tmp_path, face):
    """100, 200 and 1,000 notes of a $25 or $100 face (baby bonds, tendered in round lots of 100) were warned of as
    perhaps principal amounts: a count of notes in round lots is a multiple of so small a face.  Principal amounts
    of whole round lots (multiples of 100 notes' face) still are."""
    call, path = _notes(tmp_path, "Quantity", "DTC-1,100,book-entry,tendered\nDTC-2,200,book-entry,tendered\n"
                                              "DTC-3,1000,book-entry,tendered\n")
    path.write_text(path.read_text(encoding="utf-8").replace("face_per_unit = 1000", f"face_per_unit = {face}"),
                    encoding="utf-8")
    assert not [w for w in call(path)[1].warnings if "principal" in w]
    (tmp_path / "amt.csv").write_text(f"Holder,Quantity,Method,Status\nDTC-1,{face * 100},book-entry,tendered\n"
                                      f"DTC-2,{face * 300},book-entry,tendered\n", encoding="utf-8")
    assert [w for w in call(path)[1].warnings if "principal" in w] == [
        f"every line of tally.file amt.csv, column Quantity, is a multiple of {face * 100:,}, {100:,} notes' "
        "principal: if the column is principal amounts, not notes, give each holder's notes"]


def test_a_notes_tally_headed_amount_that_cannot_be_principal_or_headed_notes_is_read(tmp_path, capsys):
    """3 and 7 under Amount (not whole multiples of the $1,000 face: no principal amounts) were refused as
    principal; and the advice's own header, Notes, was refused as "has no units column"."""
    call, path = _notes(tmp_path, "Amount", "DTC-1,3,book-entry,tendered\nDTC-2,7,book-entry,tendered\n")
    assert call(path)[1].units_tendered == 10
    for header in ("Notes", "Number of Notes", "Notes Tendered"):
        call, path = _notes(tmp_path, header, "DTC-1,25,book-entry,tendered\nDTC-2,40,book-entry,tendered\n")
        assert call(path)[1].units_tendered == 65, header
    # a Notes column of remarks beside the Shares is no second units column
    (tmp_path / "r.csv").write_text("Holder,Shares,Method,Status,Notes\nA,100,book-entry,tendered,called DTC\n",
                                    encoding="utf-8")
    assert sources.read_tally(tmp_path / "r.csv").units == (100,)
    # nor beside a column of whole numbers headed otherwise (Shs Tendered, ADS): remarks were read as the units
    for header, cell in (("Shs Tendered", '"1,200"'), ("ADS", '"1,000.00"'), ("Position", "")):  # (a blank too)
        (tmp_path / "r.csv").write_text(f"Holder,{header},Method,Status,Notes\nA,100,book-entry,tendered,7\n"
                                        f"B,{cell},book-entry,tendered,8\n", encoding="utf-8")
        assert _problems(sources.read_tally, tmp_path / "r.csv") == [
            f"r.csv: column Notes: is read as the units only when no other column could be, and column {header} "
            "holds whole numbers: give the units column a header of the units (Number of Notes, Units), or name it "
            "in a mapping file (units = \"Notes\" if Notes holds them), got 'Notes'"], header
    # a notes tally with columns of other things (a CUSIP, remarks, a date, a withdrawals column): its Notes read
    (tmp_path / "n.csv").write_text("Holder,Notes,Method,Status,CUSIP,Comments,Tender Date,Withdrawn Notes,DTC #\n"
                                    "A,5,book-entry,tendered,912828XX1,called,2004-02-19,0,0005\n"
                                    "B,6,book-entry,tendered,912828XX1,,2004-02-19,0,0352\n", encoding="utf-8")
    assert sources.read_tally(tmp_path / "n.csv").units == (5, 6)
    (tmp_path / "r.csv").write_text("Holder,Shs Tendered,Method,Status,Notes\nA,100,book-entry,tendered,7\n",
                                    encoding="utf-8")
    (tmp_path / "m.toml").write_text('[columns]\nunits = "Shs Tendered"\n', encoding="utf-8")
    assert sources.read_tally(tmp_path / "r.csv", sources.read_mapping(tmp_path / "m.toml")).units == (100,)


def test_a_refresh_names_a_tally_headed_as_principal_by_its_file_as_other_tally_problems(tmp_path, monkeypatch,
                                                                                         capsys):
    from xlpy import cli

    monkeypatch.chdir(tmp_path)
    _, path = _notes(tmp_path, "Units", "DTC-1,25,book-entry,tendered\n")
    assert cli.main(["build", str(path), "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    (tmp_path / "p.csv").write_text('Holder,Amount,Method,Status\nDTC-1,"25,000",book-entry,tendered\n',
                                    encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["refresh", "book.xlsm", "--tally", "p.csv", "--no-backup"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "xlpy refresh: p.csv: column Amount: a unit is one note of 1,000 principal; is the tally in principal amounts "
        "(25,000 ÷ 1,000 = 25 notes)? give each holder's notes, headed Notes or Units, got 'Amount'",
        "xlpy refresh: book.xlsm was not changed"]
