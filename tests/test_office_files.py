"""Tallies as a finance office's spreadsheets write them: subtotal rows, a withdrawn column, account numbers
Excel has rounded, encodings that a mapping file gets wrong.  Each is read exactly or refused by row."""

from __future__ import annotations

import pytest

from xlpy.engine import InputErrors
from xlpy.files import sources

DEFAULTS = '[defaults]\nmethod = "book-entry"\nstatus = "tendered"\n'


def problems(call, *args) -> list[str]:
    """The problems *call* raises, one string each (the test fails if it raises none)."""
    with pytest.raises(InputErrors) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def write(tmp_path, body: str, name: str = "t.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


@pytest.fixture
def stated(tmp_path):
    """A mapping whose [defaults] state the method and status: a totals line would otherwise be one more holder."""
    return sources.read_mapping(write(tmp_path, DEFAULTS, "map.toml"))


@pytest.fixture
def named(tmp_path, stated):
    """The rows a tally's reader refuses, ``row 4``...: ``named(body, header)``, *body* its lines after the header."""
    def refused(body: str, header: str = "Holder,Shares") -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, f"{header}\r\n{body}"), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]
    return refused


def lines(ids_units: str) -> str:
    """A tally's lines, CRLF-ended, from ``id,units / id,units / ...``."""
    return "".join(f"{line}\r\n" for line in ids_units.split(" / "))


def label(holder: str) -> str:
    return f"looks like a totals row, not a holder: delete it if it is one; {way_out(holder)}"


def added(what: str, holder: str) -> str:
    return (f"looks like a totals row, not a holder: its units are those of {what} added up; delete it if it is "
            f"one; {way_out(holder)}")


def way_out(holder: str) -> str:
    return f'if it is a holder, name it in a mapping file\'s [holders] not_totals list (not_totals = ["{holder}"])'


def test_excels_subtotal_rows_are_refused_not_counted_twice(tmp_path, stated):
    """Data > Subtotal writes `A Total` under each holder's lines and `Grand Total` at the end: with the grand
    total deleted as asked, the group totals would have doubled every unit."""
    path = write(tmp_path, "Account,Shares\r\nA,100\r\nA,50\r\nA Total,150\r\nB,200\r\nB Total,200\r\n"
                           "Grand Total,350\r\n")
    assert problems(sources.read_tally, path, stated) == [
        f"t.csv: row 4, column Account: {added('rows 2 to 3', 'A Total')}, got 'A Total'",
        f"t.csv: row 6, column Account: {added('row 5', 'B Total')}, got 'B Total'",
        f"t.csv: row 7, column Account: {label('Grand Total')}, got 'Grand Total'"]
    # LibreOffice's Subtotals write "Sum"; German Excel's "Ergebnis"
    path = write(tmp_path, "Account,Shares\r\nMüller,100\r\nMüller Ergebnis,100\r\nX,5\r\nX Sum,5\r\n"
                           "Gesamtergebnis,105\r\n")
    assert [p.split(": ", 2)[1] for p in problems(sources.read_tally, path, stated)] == [
        "row 3, column Account", "row 5, column Account", "row 6, column Account"]


def test_section_subtotals_and_a_total_under_them_are_refused(tmp_path, stated):
    """Subtotals of groups of holders (by broker, by method) and the total under them: each was counted."""
    path = write(tmp_path, "Holder,Shares\r\nDTC-0022,2500\r\nDTC-0024,600\r\nSubtotal DTC,3100\r\nCERT-1,1200\r\n"
                           "CERT-2,1400\r\nSubtotal certificated,2600\r\nTotal tendered,5700\r\n")
    assert problems(sources.read_tally, path, stated) == [
        f"t.csv: row 4, column Holder: {added('rows 2 to 3', 'Subtotal DTC')}, got 'Subtotal DTC'",
        f"t.csv: row 7, column Holder: {added('rows 5 to 6', 'Subtotal certificated')}, got 'Subtotal certificated'",
        f"t.csv: row 8, column Holder: {added('rows 2 to 6', 'Total tendered')}, got 'Total tendered'"]


@pytest.mark.parametrize("name", ["Total tendered", "TOTAL UNITS", "Total.", "TOTAL -", "Totals (2 holders)",
                                   "Summe", "Total (2)"])
def test_a_totals_line_of_any_wording_is_refused(tmp_path, stated, name):
    path = write(tmp_path, f"Account,Shares\r\nA-1,100\r\nB-2,200\r\n{name},300\r\n")
    assert problems(sources.read_tally, path, stated) == [
        f"t.csv: row 4, column Account: "
        f"{label(name) if name in ('Summe', 'Total.', 'TOTAL -') else added('rows 2 to 3', name)}, got '{name}'"]
    # first, as some agents put it
    path = write(tmp_path, f"Account,Shares\r\n{name},300\r\nA-1,100\r\nB-2,200\r\n")
    assert len(problems(sources.read_tally, path, stated)) == 1



@pytest.mark.parametrize("name", ["Grand Total (2 holders)", "Grand Total (4 holders)", "Grand Total - 4 accounts",
                                   "GRAND TOTAL 2/19", "Grand total of shares", "All Holders", "Aggregate", "Summary",
                                   "all accounts"])
def test_a_totals_line_whose_totals_word_is_not_at_either_end_is_refused(tmp_path, stated, name):
    """An agent's `Grand Total (2 holders)` (or `All Holders`, `Aggregate`, `Summary`) under the holders was read
    as one more holder with [defaults]: the count doubled."""
    path = write(tmp_path, f"Holder,Shares\r\nAlpha Fund,1000\r\nBeta LLC,2000\r\n{name},3000\r\n")
    assert problems(sources.read_tally, path, stated) == [
        f"t.csv: row 4, column Holder: "
        f"{label(name) if name in ('Aggregate', 'Summary') else added('rows 2 to 3', name)}, got '{name}'"]
    path = write(tmp_path, f"Holder,Shares\r\n{name},3000\r\nAlpha Fund,1000\r\nBeta LLC,2000\r\n")
    assert len(problems(sources.read_tally, path, stated)) == 1


def test_a_holder_whose_units_equal_the_one_line_above_is_read(tmp_path, stated):
    """Holder 2 tendering what holder 1 did is no total of lines above, whatever its name holds."""
    for second in ("Grand Central Partners", "All Holders Trust", "Aggregate Capital LLC", "Lee Sum Wing",
                   "Summary Holdings", "Grand Total Return Fund"):
        path = write(tmp_path, f"Holder,Shares\r\nAlpha Fund,1000\r\n{second},1000\r\n")
        assert sources.read_tally(path, stated).units == (1000, 1000), second
    path = write(tmp_path, "Holder,Shares\r\nA,100\r\nB,200\r\nAll Holders Trust,250\r\nC,50\r\n")
    assert sources.read_tally(path, stated).units == (100, 200, 250, 50)

def test_totals_of_the_lines_of_one_status_are_refused_though_other_lines_sit_among_them(tmp_path, stated):
    """`Total tendered` leaves out the withdrawn lines above it, and `Total withdrawn` under it the rest: each
    was read as a holder, 675 tendered where there were 300."""
    path = write(tmp_path, "Holder,Shares,Status\r\nA,100,tendered\r\nB,200,tendered\r\nC,50,withdrawn\r\n"
                           "D,25,withdrawn\r\nTotal tendered,300,\r\nTotal withdrawn,75,\r\n")
    assert problems(sources.read_tally, path, stated) == [
        f"t.csv: row 6, column Holder: {added('the tendered lines above it', 'Total tendered')}, got 'Total tendered'",
        f"t.csv: row 7, column Holder: {added('the withdrawn lines above it', 'Total withdrawn')}, got 'Total withdrawn'"]


def test_a_holder_whose_name_holds_a_totals_word_is_read(tmp_path, stated):
    """A fund named Total Return, a holder named Sum, an account SUM001: holders, even beside lines of the
    same units (round lots), as long as their units are not a total of other lines."""
    for body, units in [("A-1,100\r\nTotal Return Fund,500\r\nSumitomo Trust,7\r\nJane Sum,8\r\n"
                         "Sumner Total Fund,300\r\n", (100, 500, 7, 8, 300)),
                        ("Acme Corp,1000\r\nTotal Return Fund,1000\r\n", (1000, 1000)),
                        ("Lee Ka Wing,500\r\nChan Ka Sum,500\r\n", (500, 500)),
                        ("Ravi Rao,200\r\nSuma Patel,200\r\nX,5\r\n", (200, 200, 5)),
                        ('A,100\r\n"Sum, Ka Wing",100\r\n', (100, 100)),
                        ("A,100\r\nTotal S.A.,100\r\nB,7\r\n", (100, 100, 7)),
                        ("SUM001,100\r\nSUM002,250\r\nSUMME-7,3\r\n", (100, 250, 3)),
                        # one whose units happen to be a sum of lines above: read once its line is moved
                        ("A-1,200\r\nB-2,300\r\nTotal Return Fund,500\r\nC-3,9\r\n", None),
                        ("A-1,200\r\nTotal Return Fund,500\r\nB-2,300\r\nC-3,9\r\n", (200, 500, 300, 9))]:
        path = write(tmp_path, "Account,Shares\r\n" + body)
        if units is None:
            assert problems(sources.read_tally, path, stated) == [
                f"t.csv: row 4, column Account: {added('rows 2 to 3', 'Total Return Fund')}, got 'Total Return Fund'"]
        else:
            assert sources.read_tally(path, stated).units == units, body


def test_a_withdrawn_column_beside_gross_units_is_refused(tmp_path, stated):
    """The agent's Shares Tendered is gross when a Shares Withdrawn column sits beside it: counting it would
    count the withdrawn units as tendered."""
    # (not 003,200: a last line of the units of the lines above added up is refused as a footer)
    path = write(tmp_path, "Account,Shares Tendered,Shares Withdrawn\r\n001,100,0\r\n002,100,40\r\n003,250,250\r\n")
    assert problems(sources.read_tally, path, stated) == [
        "t.csv: row 3, column Shares Withdrawn: is not read, so column Shares Tendered would count these units as "
        "tendered: give each holder's units still tendered (or a line of their own with status withdrawn or "
        "failed) and delete this column, or head the units 'Net shares' if they are, got '40'"]
    for header in ("Withdrawn Notes", "Notes Failed", "Notes Not Delivered", "Failed Notes", "Undelivered Notes",
                   "Withdrawn (Notes)", "Principal Withdrawn", "Withdrawn Qty", "Amount Withdrawn", "Shares W/D",
                   "Withdrawn?", "Withdrawal", "Withdrawn ADS", "Rejected Shares",
                   "WithdrawnQty", "QtyWithdrawn", "SharesWD", "failed_notes", "TotalWithdrawn", "FailedDelivery",
                   "SharesNotDelivered", "NotDelivered", "SharesWithdrawnQty", "Withdrawn Y/N", "WithdrawnYN",
                   "Withdrawn Flag", "TTL Withdrawn", "Tot Withdrawn", "Withdrawn Count", "Is Withdrawn",  # (review 41)
                   "Count of Withdrawals", "Partial Withdrawal"):  # (review 42)
        path = write(tmp_path, f"Holder,Number of Notes,{header}\r\nA,5,0\r\nB,7,2\r\n")
        assert problems(sources.read_tally, path, stated)[0].startswith(
            f"t.csv: row 3, column {header}: is not read, so column Number of Notes would count these units"), header
    for header in ("Withdrawal Notes", "Withdrawal Fee Amount", "Failed Delivery Fee Amount", "WithdrawalNotes",
                   "WithdrawalFeeAmt", "FailedReason", "Tendered Y/N", "NGD Y/N", "Withdrawal Status",
                   "Guaranteed Delivery Flag"):  # remarks, fees, other flags
        path = write(tmp_path, f"Holder,Number of Notes,{header}\r\nA,5,0\r\nB,7,2\r\n")
        assert sources.read_tally(path, stated).units == (5, 7), header
    # a flag column marking withdrawn lines: the marked line would be counted as tendered (review 40)
    path = write(tmp_path, "Holder,Shares,Withdrawn Y/N\r\nA,5,N\r\nB,7,Y\r\n")
    assert problems(sources.read_tally, path, stated)[0].startswith("t.csv: row 3, column Withdrawn Y/N: is not read")
    path = write(tmp_path, "holder_id,units,method,status,Failed delivery\r\nA,100,guaranteed,tendered,Y\r\n")
    assert problems(sources.read_tally, path)[0].startswith("t.csv: row 2, column Failed delivery: is not read")
    # a column of nothing withdrawn, however written, is no matter; units headed net are net
    path = write(tmp_path, "Account,Shares Tendered,Shares Withdrawn\r\n001,100,0\r\n002,200,\r\n003,5,-\r\n"
                           "004,6,0.000\r\n005,7,N/A\r\n006,8,\"0,00\"\r\n")
    assert sources.read_tally(path, stated).units == (100, 200, 5, 6, 7, 8)
    path = write(tmp_path, "Account,Net Shares,Shares Withdrawn\r\n001,60,40\r\n")
    assert sources.read_tally(path, stated).units == (60,)
    # a line whose status says withdrawn is counted so, whatever the column beside it says
    path = write(tmp_path, "Account,Shares,Status,Withdrawn\r\nA,100,tendered,N\r\nB,50,withdrawn,Y\r\n"
                           "C,9,withdrawn,9\r\n")
    assert sources.read_tally(path, stated).status == ("tendered", "withdrawn", "withdrawn")


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


def test_a_holder_id_holding_a_control_character_is_refused_for_a_workbook(tmp_path):
    """A tab in a holder id: a workbook would show none.  (A line break is refused by every command, below.)"""
    from xlpy.workbook.data import holder_problems

    path = write(tmp_path, 'holder_id,units,method,status\r\nJones\tTrust,5,book-entry,tendered\r\n'
                           'A-1,5,book-entry,tendered\r\n')
    table = sources.read_tally(path)
    assert [str(p).split(", got")[0] for p in holder_problems(table, "t.csv", 21)] == [
        "t.csv: row 2, column holder_id: holds a control character (U+0009), which a workbook cannot store"]


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


def test_a_holder_with_a_totals_word_inside_its_name_is_a_total_only_when_it_sums_its_block(tmp_path, stated):
    """`Vanguard Total Stock Market Index Fund` tendering what the withdrawn lines above it add up to, or what
    the lines below it do as the first line, was refused as a totals row: a real tender the user was told to
    delete.  With the word inside the name only, a line is a total when it sums the holders' lines since the last
    total (two or more), or, only totals following it, all the holders' lines above it."""
    fund = "Vanguard Total Stock Market Index Fund"
    for body, units in [(f"A,100,withdrawn\r\nB,200,withdrawn\r\nC,5,tendered\r\n{fund},300,tendered\r\n",
                         (100, 200, 5, 300)),  # the withdrawn lines' sum
                        (f"{fund},300,tendered\r\nA,100,tendered\r\nB,200,tendered\r\n", (300, 100, 200)),  # first
                        (f"A,100,tendered\r\nB,200,tendered\r\n{fund},350,tendered\r\nC,7,tendered\r\n",
                         (100, 200, 350, 7)),  # no sum, a holder's line below it
                        (f"A,100,tendered\r\nB,200,tendered\r\n{fund},350,tendered\r\nTotal Return Fund,7,tendered\r\n",
                         (100, 200, 350, 7))]:  # no sum, below it a line with a totals word that is a holder
        path = write(tmp_path, "Holder,Shares,Status\r\n" + body)
        assert sources.read_tally(path, stated).units == units, body
    # the last line, or followed by totals only, or mid-file summing its block: a total, the message naming both
    # ways out (a subtotal worded in ways no list foresees, DTC Total Feb 19 or Sub-Total (Memo), is caught so)
    for body in (f"A,100,tendered\r\nB,200,tendered\r\n{fund},300,\r\n",
                 f"A,100,tendered\r\nB,200,tendered\r\n{fund},300,\r\nTotal,300,\r\n",
                 f"A,100,tendered\r\nB,200,tendered\r\n{fund},300,tendered\r\nC,7,tendered\r\n",
                 # (a holder with a totals word below it, as any holder's line: review 40 found it read)
                 f"A,100,tendered\r\nB,200,tendered\r\n{fund},300,tendered\r\nTotal Return Fund,7,tendered\r\n"):
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
        assert got[0] == f"t.csv: row 4, column Holder: {added('rows 2 to 3', fund)}, got '{fund}'"


def test_a_subtotal_whose_totals_word_is_followed_by_a_qualifier_is_a_total_mid_file(tmp_path, stated):
    """`DTC Subtotal (2 holders)` mid-file was read as a holder whose name holds the word inside (a fund's), and
    a tally of 5,700 shares was read as 17,100 with no warning.  A count in brackets, a date, a number or a
    status word after the totals word leaves it the id's last word; the Vanguard fund is a holder still."""
    body = ("DTC-0022,2500\r\nDTC-0024,600\r\nDTC Subtotal (2 holders),3100\r\nCERT-1,1200\r\nCERT-2,1400\r\n"
            "CERT Subtotal (2 holders),2600\r\nGrand Total (4 holders),5700\r\n")
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
    assert got == [f"t.csv: row 4, column Holder: {added('rows 2 to 3', 'DTC Subtotal (2 holders)')}, "
                   "got 'DTC Subtotal (2 holders)'",
                   f"t.csv: row 7, column Holder: {added('rows 5 to 6', 'CERT Subtotal (2 holders)')}, "
                   "got 'CERT Subtotal (2 holders)'",
                   f"t.csv: row 8, column Holder: {added('rows 2 to 6', 'Grand Total (4 holders)')}, "
                   "got 'Grand Total (4 holders)'"]
    for subtotal in ("A-1 Total 2/19", "Tendered Total (2 holders)", "DTC total tendered", "DTC Total as of 2004-02-19",
                     "Subtotal [DTC]"):
        body = f"A-1,100,tendered\r\nA-1,200,tendered\r\n{subtotal},300,tendered\r\nB,7,tendered\r\n"
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
        assert got == [f"t.csv: row 4, column Holder: {added('rows 2 to 3', subtotal)}, got '{subtotal}'"], subtotal
    for subtotal in ("DTC Total Feb 19", "DTC Total 19-Feb-2004", "DTC Total - Feb 19, 2004", "DTC Total for 2/19",
                     "DTC Total Qty", "DTC Total - 2 accts", "DTC Total 2nd", "DTC total (2 (two) holders) - final"):
        body = f'A,100,tendered\r\nB,50,tendered\r\nC,200,withdrawn\r\n"{subtotal}",150,tendered\r\nD,7,tendered\r\n'
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
        assert got == [f"t.csv: row 5, column Holder: {added('the tendered lines above it', subtotal)}, "
                       f"got '{subtotal}'"], subtotal  # (only a total ending in the word sums one status's lines)
    # a fund's name, the word inside and no qualifier after it: read, unless its units sum its block
    fund = "Vanguard Total Stock Market Index Fund (Admiral)"
    body = f"A,100,tendered\r\nB,200,tendered\r\n{fund},300,tendered\r\nC,7,tendered\r\n"
    assert sources.read_tally(write(tmp_path, "Holder,Shares,Status\r\n" + body.replace(",300,", ",301,")),
                              stated).units == (100, 200, 301, 7)


def test_a_holder_named_in_the_mappings_not_totals_list_is_read_whatever_its_units(tmp_path):
    """The way out the message names: the agent's file is left as received (its SHA-256 recorded)."""
    mapping = sources.read_mapping(write(tmp_path, DEFAULTS + '[holders]\nnot_totals = ["Total Return Fund", '
                                         '"Vanguard Total Stock Market Index Fund"]\n', "map.toml"))
    assert mapping.not_totals == {"Total Return Fund", "Vanguard Total Stock Market Index Fund"}
    for body, units in [("Total Return Fund,300\r\nA,100\r\nB,200\r\n", (300, 100, 200)),
                        ("A,100\r\nB,200\r\nVanguard Total Stock Market Index Fund,300\r\n", (100, 200, 300)),
                        ("A,100\r\nB,200\r\n Total Return Fund ,300\r\n", (100, 200, 300)),
                        ("A,100\r\nB,200\r\nTOTAL RETURN  FUND,300\r\n", (100, 200, 300))]:  # any case, spacing
        assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), mapping).units == units, body
    # other totals are refused still
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\nA,100\r\nB,200\r\nTotal,300\r\n"), mapping)
    assert got == [f"t.csv: row 4, column Holder: {label('Total')}, got 'Total'"]
    # a holder named there but misspelt is refused still, and the ids on no line of the tally are told beside it
    # (only then: a mapping kept from day to day may name a holder who has left the tally)
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\nA,100\r\nB,200\r\nTotal Retrun Fund,300"),
                   mapping)
    assert got[1:] == [
        "map.toml: holders.not_totals: is the holder id of no line of this tally; row 4, refused as a totals row, "
        "holds \"Total Retrun Fund\": if that is the holder meant, write its id as the tally does, got 'Total Return "
        "Fund'"], got
    assert got[0].startswith("t.csv: row 4, column Holder: looks like a totals row"), got
    # no holder is told it is a label (a holder gone from the tally, Total A, and the file's Total)
    gone = sources.read_mapping(write(tmp_path, DEFAULTS + '[holders]\nnot_totals = ["Total A"]\n', "gone.toml"))
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\nA,100\r\nB,200\r\nTotal,300\r\n"), gone)
    assert got == [f"t.csv: row 4, column Holder: {label('Total')}, got 'Total'"]
    # a key or an id that is not one: named
    for text, problem in [('[holders]\nnot_total = ["X"]\n',
                           "map.toml: holders.not_total: unknown key (the key of [holders] is not_totals), got "
                           "'not_total'"),
                          ('[holders]\nnot_totals = "X"\n',
                           "map.toml: holders.not_totals: must be a list of holder ids, in quotes (not_totals = "
                           "[\"Total Return Fund\"]), got 'X'"),
                          ('[holders]\nnot_totals = ["A", 5]\n',
                           "map.toml: holders.not_totals: must be a holder id as written in the tally, in quotes "
                           "(not_totals = [\"Total Return Fund\"]), got 5"),
                          ('holders = "X"\n', "map.toml: holders: must be a table: [holders], then not_totals = "
                           "[...], got 'X'")]:
        assert problems(sources.read_mapping, write(tmp_path, text, "map.toml")) == [problem], text


class _Counted(list):
    """Units that count how many lines are read one at a time."""

    reads = 0

    def __getitem__(self, i):
        _Counted.reads += 1
        return super().__getitem__(i)


def test_the_lines_above_a_holder_with_a_totals_word_are_added_up_at_numpy_speed():
    """A holder with a totals word near the end of a 1,000,000-line tally had every line above it added up in
    Python (a second); they are added up by cumulative sums, the few lines with a totals word read one by one,
    and the sums are those of the lines added one by one."""
    from xlpy.files.totals import totals_rows

    n = 100_000
    ids = [f"H{i}" for i in range(n)]
    units = _Counted([1 + i % 7 for i in range(n)])
    statuses = ["withdrawn" if i % 3 == 0 else "tendered" for i in range(n)]
    ids[n - 5] = "Total Return Fund"  # a holder: its units are no sum
    _Counted.reads = 0
    assert totals_rows(ids, None, units, statuses) == []
    assert _Counted.reads < 100
    # the sums by status, of the block since the last total, and first-line ones, are those of the lines
    ids[n - 6] = "Sub Total"  # a label: the block since the last total starts below it
    ids[n - 3], units[n - 3] = "Block Total", units[n - 5] + units[n - 4]  # Total Return Fund's line and the next
    ids[n - 2], units[n - 2] = "Total", 0
    withdrawn = sum(u for i, (u, s) in enumerate(zip(units[:n - 3], statuses)) if s == "withdrawn" and i != n - 6)
    ids[n - 1], units[n - 1] = "Total withdrawn", withdrawn
    got = totals_rows(ids, None, units, statuses)
    assert [i for i, _ in got] == [n - 6, n - 3, n - 2, n - 1]
    assert "its units are those of rows 99997 to 99998 added up" in got[1][1]
    assert "its units are those of the withdrawn lines above it added up" in got[3][1]
    # units whose sums pass 2**63 are added up exactly too
    big = [10**15 - 1] * 10_000
    assert totals_rows(["A"] * 9_999 + ["Total"], None, big[:-1] + [(10**15 - 1) * 9_999])[0][1].startswith(
        "looks like a totals row, not a holder: delete it")
    assert totals_rows(["A"] * 9_999 + ["A Total"], None, big[:-1] + [(10**15 - 1) * 9_999])[0][0] == 9_999


def test_the_sums_of_the_holders_lines_are_those_of_the_lines_added_one_by_one():
    """The cumulative sums behind the totals rule (all lines, by status, first and last line) against the lines
    added one by one, on random tallies where random lines holding a totals word are held as holders in order.
    Each sum is a few lookups however many lines are held (it rebuilt a set of the held lines at every line: a
    tally of 100,000 fund names with Total in each took two minutes)."""
    import random

    from xlpy.files.sums import Lines

    rnd = random.Random(7)
    for _ in range(2000):
        n = rnd.randint(1, 30)
        units = [rnd.randint(0, 9) for _ in range(n)]
        statuses = [rnd.choice(["tendered", "withdrawn", "failed"]) for _ in range(n)]
        found = sorted(rnd.sample(range(n), rnd.randint(0, n)))
        ids = [rnd.choice(["A Total", "B Total", "C"]) if i in found else f"H{i}" for i in range(n)]
        lines, held = Lines(ids, units, statuses, found), set()
        for i in found:
            if rnd.random() < 0.5:
                lines.hold(i)
                held.add(i)
            end = rnd.randint(0, i + 1)  # (the lines judged so far)
            start = rnd.randint(0, end)
            got = lines.sums(start, end)
            read = [j for j in range(start, end) if j not in found or j in held]
            by_status: dict[str, list[int]] = {}
            for j in read:
                by_status.setdefault(statuses[j], [0, 0])
                by_status[statuses[j]][0] += units[j]
                by_status[statuses[j]][1] += 1
            assert (got.count, got.total) == (len(read), sum(units[j] for j in read))
            with_units = [j for j in read if units[j]]
            for key in ("A Total", "B Total", "C"):  # (its lines of some units all of one id)
                assert got.all_of(key) == (bool(with_units) and all(ids[j] == key for j in with_units)), (key, start)
            assert (got.first, got.last) == ((read[0], read[-1]) if read else (None, None))
            assert not read or got.by_status == by_status


def test_totals_over_subtotals_footers_and_totals_at_the_top_are_each_named(tmp_path, stated):
    """Review 34's tallies, each read with a subtotal or total counted as a holder: a total over subtotals (its
    block since the last subtotal empty), a group's total of its tendered lines, count footers (Total holders 3
    kept as a holder, so Total shares no longer summed the lines), totals at the top (Total withdrawn read as 20
    tendered once Total tendered was deleted), and Dutch Excel's Eindtotaal."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    assert named("Holder,Shares\r\nA,10\r\nA Total,10\r\nB,20\r\nB Total,20\r\nDTC Total,30\r\nC,5\r\nC Total,5\r\n"
                 "D,7\r\nD Total,7\r\nEuroclear Total,12\r\nGrand Total,42\r\n") == [
        "row 3", "row 5", "row 6", "row 8", "row 10", "row 11", "row 12"]
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\nA,10\r\nA Total,10\r\nC,5\r\nD,7\r\n"
                                                       "Euroclear Total,12\r\nE,1\r\n"), stated)
    assert got[1].startswith("t.csv: row 6, column Holder: looks like a totals row, not a holder: its units are "
                             "those of rows 4 to 5 added up"), got
    assert named("Holder,Shares,Status\r\nA,5,tendered\r\nB,6,tendered\r\nTotal,11,\r\nD,7,tendered\r\n"
                 "E,3,tendered\r\nF,1,withdrawn\r\nEuroclear Total tendered,10,tendered\r\nG,1,tendered\r\n") == [
        "row 4", "row 8"]
    assert named("Holder,Shares\r\nA,10\r\nB,20\r\nC,5\r\nTotal holders,3\r\nTotal shares,35\r\n") == ["row 5", "row 6"]
    assert named("Holder,Shares,Status\r\nTotal tendered,15,\r\nTotal withdrawn,20,\r\nA,10,tendered\r\n"
                 "B,5,tendered\r\nC,20,withdrawn\r\n") == ["row 2", "row 3"]
    for label in ("Eindtotaal", "GrandTotal", "Total (4 holders)", "Total holders as of 2/19"):
        assert named(f"Holder,Shares\r\nA,10\r\nB,20\r\n{label},31\r\n") == ["row 4"], label
    # holders with the word, their units no sum, read: names (Sum May, Total 2), a formula's text (review 35)
    body = ("Holder,Shares\r\nTotal Return Fund,10\r\nVanguard Total Stock Market,20\r\nChan Ka Sum,5\r\nA,7\r\n"
            "Sum May,3\r\nTotal 2,4\r\n+SUM(A1:A9),6\r\n")
    assert sources.read_tally(write(tmp_path, body), stated).units == (10, 20, 5, 7, 3, 4, 6)
    # a holder under a subtotal whose units are those of the block above it: no total over subtotals (one only)
    got = named("Holder,Shares\r\nA,100\r\nB,200\r\nSubtotal,300\r\nC,50\r\nD,50\r\nSubtotal,100\r\n"
                "Chan Ka Sum,100\r\nE,1\r\n")
    assert got == ["row 4", "row 7"], got


def test_count_subtotals_and_abbreviated_totals_are_refused(tmp_path, stated):
    """Data > Subtotal with the function Count writes `A Count` under each holder's lines and `Grand Count` at the
    end, their units the number of lines; agents abbreviate totals `TTL` and `Tot.`: each was read as a holder."""
    body = ("Account,Shares\r\nA,100\r\nA,200\r\nA Count,2\r\nB,50\r\nB Count,1\r\nC,7\r\nC,8\r\nC,9\r\n"
            "C Count,3\r\nGrand Count,6\r\n")
    counted = ("looks like a totals row, not a holder: its units are a count of the lines of {} (Excel's Count "
               "subtotal); delete it if it is one; {}")
    assert problems(sources.read_tally, write(tmp_path, body), stated) == [
        f"t.csv: row 4, column Account: {counted.format('rows 2 to 3', way_out('A Count'))}, got 'A Count'",
        f"t.csv: row 6, column Account: {counted.format('row 5', way_out('B Count'))}, got 'B Count'",
        f"t.csv: row 10, column Account: {counted.format('rows 7 to 9', way_out('C Count'))}, got 'C Count'",
        f"t.csv: row 11, column Account: {label('Grand Count')}, got 'Grand Count'"]
    body = "Holder,Shares\r\nH1,100\r\nH2,200\r\nDTC Ttl,300\r\nH3,5\r\nH4,6\r\nCEDE TOT.,11\r\nGrand TTL,311\r\n"
    assert problems(sources.read_tally, write(tmp_path, body), stated) == [
        f"t.csv: row 4, column Holder: {added('rows 2 to 3', 'DTC Ttl')}, got 'DTC Ttl'",
        f"t.csv: row 7, column Holder: {added('rows 5 to 6', 'CEDE TOT.')}, got 'CEDE TOT.'",
        f"t.csv: row 8, column Holder: {label('Grand TTL')}, got 'Grand TTL'"]
    for name in ("TTL", "Tot.", "Total count"):
        assert len(problems(sources.read_tally, write(tmp_path, f"Holder,Shares\r\nH1,1\r\nH2,2\r\n{name},9\r\n"),
                            stated)) == 1, name
    # names holding the words, their units no count and no sum, are holders; so is a single line's count unnamed
    body = ("Holder,Shares\r\nCount Basie Trust,7\r\nTottenham Fund,300\r\nAccount 5,2\r\nThe Count Fund,3\r\n"
            "Tot Lot LLC,4\r\nZ,1\r\nMonte Cristo Count,1\r\n")
    assert sources.read_tally(write(tmp_path, body), stated).units == (7, 300, 2, 3, 4, 1, 1)


def test_the_quick_search_for_totals_words_finds_every_line_the_full_pattern_does():
    """The ids are searched joined, a needle at a time (letters first, then strings or patterns at C speed): a
    line the full pattern would judge a total but the search missed would be counted as a holder."""
    import random

    from xlpy.files import totals

    pieces = ["Total", "tot.", "TTL", "Count", "sum", "Summe", "Gesamt", "ergebnis", "Somme", "aggregate",
              "all holders", "All  Accounts", "Account", "Seattle", "Tottenham", "SUM001", "subtotal", "_total",
              "count_", "étot", "Viscount", "2/19", "(4 holders)", "A-1", "H0000001", "Fund", "-", " ", "é", "ß"]
    rng = random.Random(2004)
    for _ in range(300):
        ids = ["".join(rng.choice(pieces) + rng.choice(("", " ", "-", ".", "_")) for _ in range(rng.randint(1, 4)))
               for _ in range(rng.randint(1, 40))]
        folded = "\0".join(ids).casefold()
        assert totals._lines_with_a_totals_word(folded) == [
            i for i, h in enumerate(ids) if totals._CANDIDATE.fullmatch(h.casefold())], ids


def test_holders_with_a_totals_word_hide_no_total_and_nested_count_subtotals_are_each_named(tmp_path, stated):
    """Review 40: a holder whose id holds a totals word (Count Basie Trust) below a first-line total, or after a
    subtotal worded as no list foresees, made the total be read as a holder; count labels with qualifiers were
    read as holders of 3 units; Data > Subtotal run twice (Sum, then Count, or the other way) left the second
    row of a one-line group, and the group after it, counted."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    for holder in ("Count Basie Trust", "Stichting tot Beheer", "Total Return Fund"):
        assert named(f"Total 2/19/2004,300\r\nA,100\r\n{holder},200\r\n") == ["row 2"], holder
        assert named(f"A,100\r\nB,200\r\nDTC Total Memo,300\r\n{holder},50\r\n") == ["row 4"], holder
    for label in ("Count of holders", "Count (3 holders)", "Count tendered", "Holder count: 3", "Count: 3"):
        assert named(f"A,10\r\nB,20\r\nC,5\r\n{label},3\r\n") == ["row 5"], label
    groups = [("A", (10, 20)), ("B", (5,)), ("C", (1, 2))]
    for order in (("Total", "Count"), ("Count", "Total")):
        body = ""
        for name, lines in groups:
            body += "".join(f"{name},{u}\r\n" for u in lines)
            body += "".join(f"{name} {kind},{sum(lines) if kind == 'Total' else len(lines)}\r\n" for kind in order)
        body += "".join(f"Grand {kind},{38 if kind == 'Total' else 5}\r\n" for kind in order)
        assert named(body) == [f"row {r}" for r in (4, 5, 7, 8, 11, 12, 13, 14)], order


def test_totals_under_a_first_line_total_and_count_rows_of_names_with_stops_are_each_named(tmp_path, stated):
    """Review 41: a first-line total over a holder whose id holds a totals word and a later subtotal was read
    (the first line kept for a holder, its units hid the subtotal, and the subtotal then hid it); `Acme Inc.
    Count` under `Acme Inc.` was read, and every Count row after it; ids that merely begin with Count or TOT
    (`Count Capital Partners`, the account `TOT-74898`) were refused when their units happened to match."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    for holder in ("Count Basie Trust", "Total Return Fund", "Tot Lot LLC"):
        assert named(f"Total 2/19,30\r\nA,10\r\n{holder},20\r\nDTC Total,30\r\n") == ["row 2", "row 5"], holder
    assert named("Acme Inc.,10\r\nAcme Inc.,20\r\nAcme Inc. Count,2\r\nBrown LLC,5\r\nBrown LLC,6\r\n"
                 "Brown LLC Count,2\r\nCede & Co,7\r\nCede & Co Count,1\r\n") == ["row 4", "row 7", "row 9"]
    assert named("Acme Inc.,10\r\nAcme Inc. Total,10\r\nB,1\r\n") == ["row 3"]
    # (B under Count Capital Partners: a last line adding up the lines above is refused as a footer)
    for body, units in [("Lee Count,2\r\nLee Count,2\r\nLee Count,2\r\n", (2, 2, 2)),
                        ("A0284036,1\r\nA0284036,2\r\nCount Capital Partners,3\r\nB,4\r\n", (1, 2, 3, 4)),
                        ("TOT-74898,3\r\nTOT-86396,1\r\nTOT-96769,4\r\nTOT 5,5\r\n", (3, 1, 4, 5))]:
        assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == units, body
    for total in ("TTL 2/19", "DTC TTL", "Holder count: 2"):
        assert named(f"A,1\r\nB,{1 if 'count' in total else 2}\r\n{total},{2 if 'count' in total else 3}\r\n") \
            == ["row 4"], total


def test_excel_subtotals_are_judged_by_the_holder_they_name_so_one_miss_hides_none_below(tmp_path, stated):
    """Review 42: Data > Subtotal's rows were judged against the lines since the last total, so one subtotal
    missed (a zero-unit group's) or one holder refused above them hid every later one, and deleting the rows
    named left the file read at twice its units; TTL before a name and Count footers were read."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    fund = "PIMCO Total Return Fund"
    body = (f"A,100\r\nA,200\r\nA Total,300\r\n{fund},100\r\n{fund},100\r\n{fund},200\r\n{fund} Total,400\r\n"
            "B,500\r\nB Total,500\r\n")
    assert named(body) == ["row 4", "row 8", "row 10"]  # (the fund's 200 is a line of its own, no total)
    assert named("Total DTC,1200\r\n" + body + "Grand Total,1200\r\n") == [
        "row 2", "row 5", "row 9", "row 11", "row 12"]
    body = ("A,0\r\nA Count,1\r\nA Total,0\r\nB,500\r\nB,4647\r\nB Count,2\r\nB Total,5147\r\nC,10\r\nC Count,1\r\n"
            "C Total,10\r\n")
    assert named(body) == [f"row {r}" for r in (3, 4, 7, 8, 10, 11)]
    assert named("A,10\r\nB,20\r\nTTL DTC,30\r\nC,5\r\nD,6\r\nTTL EUROCLEAR,11\r\n") == ["row 4", "row 7"]
    for footer in ("Shareholder Count", "Participant Count", "Number of holders: Count", "Share Count"):
        for units in (3, 35):
            assert named(f"A,10\r\nB,20\r\nC,5\r\n{footer},{units}\r\n") == ["row 5"], (footer, units)
    # review 43: the label before the name (French, Spanish, Italian Excel), a name ending in a stop under both
    # of its group's rows, accounts headed TOT or TTL, and a holder's own lines, whole file or not
    assert named("A,100\r\nTotal A,100\r\nB,50\r\nTotal B,50\r\nC,10\r\nC,20\r\nTotal C,30\r\n") == [
        "row 3", "row 5", "row 8"]
    assert named("Acme Inc.,100\r\nAcme Inc.,200\r\nAcme Inc. Total,300\r\nAcme Inc. Count,2\r\nB,50\r\n") == [
        "row 4", "row 5"]
    for body, units in [("A,10\r\nB,20\r\nTOT/74898,30\r\nTOT-74898-01,30\r\nTTL-A100,50\r\n", (10, 20, 30, 30, 50)),
                        ("F,100\r\nF,100\r\nF,200\r\n".replace("F", "ABC Total Return Fund"), (100, 100, 200)),
                        ("Acme Total,100\r\nAcme Total,100\r\nAcme Total,200\r\nB,5\r\n", (100, 100, 200, 5))]:
        assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == units, body
    # subtotals above their groups (Data > Subtotal with Summary below data off): judged by the lines below them
    assert named("A Total,300\r\nA,100\r\nA,200\r\nB Total,50\r\nB,50\r\n") == ["row 2", "row 5"]
    assert named("A Count,2\r\nA,100\r\nA,200\r\nB Count,1\r\nB,50\r\n") == ["row 2", "row 5"]


def test_subtotals_named_before_a_number_or_above_their_groups_are_each_named_and_a_groups_own_lines_are_read(
        tmp_path, stated):
    """Review 44: French Excel's `Total 12345678` was read (the name taken without what looked like a qualifier);
    with Summary below data off, a subtotal over a group whose neighbour above differs by a stop was missed, and
    Subtotal run twice was named over two rounds; a first line, or a group's first line under its own subtotal
    rows, was refused as a sum of lines that held its own id or that it heads."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    def units(body: str) -> tuple:
        return sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units

    assert named("Total 12345678,300\r\n12345678,100\r\n12345678,200\r\nTotal 87654321,50\r\n87654321,50\r\n") == [
        "row 2", "row 5"]
    for name in ("12345678", "Fund 1", "Smith Trust 2019", "Acme Shares", "Chan Ka Sum"):
        assert named(f"{name},10\r\nTotal {name},10\r\nB,5\r\n") == ["row 3"], name
    assert named("Acme Inc Total,100\r\nAcme Inc,100\r\nAcme Inc. Total,50\r\nAcme Inc.,50\r\n") == ["row 2", "row 4"]
    for body in ("A Total,300\r\nA Count,2\r\nA,100\r\nA,200\r\nB Total,50\r\nB Count,1\r\nB,50\r\n",
                 "A Count,2\r\nA Total,300\r\nA,100\r\nA,200\r\nB Count,1\r\nB Total,50\r\nB,50\r\n"):
        assert named(body) == ["row 2", "row 3", "row 6", "row 7"], body
    assert units("TTL Partners,200\r\nTTL Partners,100\r\nTTL Partners,100\r\n") == (200, 100, 100)
    assert units("Total SA,300\r\nTotal SA,150\r\nTotal SA,150\r\n") == (300, 150, 150)
    assert units("B,0\r\nAcme Total Return,100\r\nAcme Total Return,100\r\n") == (0, 100, 100)
    assert named("Monte Cristo Total,200\r\nMonte Cristo Count,2\r\nMonte Cristo,100\r\nMonte Cristo,100\r\n"
                 "Sum Ka Wai Total,1412\r\nSum Ka Wai Count,4\r\nSum Ka Wai,200\r\nSum Ka Wai,812\r\nSum Ka Wai,100\r\n"
                 "Sum Ka Wai,300\r\n") == ["row 2", "row 3", "row 6", "row 7"]
    assert named("Chan Ka Sum,100\r\nTotal Chan Ka Sum,100\r\nTotal Total Return Fund,400\r\nTotal Return Fund,100\r\n"
                 "Total Return Fund,300\r\n") == ["row 3", "row 4"]


def test_a_zero_unit_line_of_a_totals_id_hides_no_later_total_and_subtotals_repeated_at_the_end_are_refused(
        tmp_path, stated):
    """Review 45: a `DTC Total` row of no units, read as a holder, made every later `DTC Total` a sum of lines of
    its own id, so each was read (532 units counted twice); a holder stepped over a neighbour's subtotal row to
    its lines; a group's row was taken as any id it began (`Total Acme Corp` heads `Total Acme`); a summary
    repeating the subtotals at the end was read.  Review 46: one `Total DTC` missed below a first-line `Total DTC`
    made that line a holder ("its own id below it"), and it then hid every later one: a sum is a holder's own
    lines only when its lines of some units are all of that id; a repeat is a total only in the summary at the end,
    and says whose."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    assert named("A,0\r\nDTC Total,0\r\nB,314\r\nC,218\r\nDTC Total,532\r\n") == ["row 6"]
    assert named("Cede,100\r\nCede,200\r\nDTC Total,300\r\nEuroclear,0\r\nDTC Total,0\r\nClearstream,50\r\n"
                 "Clearstream,70\r\nDTC Total,120\r\nDTC Total,420\r\n") == ["row 4", "row 9", "row 10"]
    assert named("Total DTC,300\r\nA,0\r\nTotal DTC,0\r\nChan Ka Sum,100\r\nB,200\r\n") == ["row 2"]
    assert named("Chan Ka Sum,100\r\nChan Ka Sum,300\r\nChan Ka Total,300\r\nChan Ka,100\r\nChan Ka,200\r\n") == [
        "row 4"]
    assert named("Acme Inc.,100\r\nAcme Inc.,200\r\nTotal Acme Inc.,300\r\nAcme Corp,50\r\nTotal Acme Corp,50\r\n"
                 "Total Acme,350\r\n") == ["row 4", "row 6", "row 7"]
    assert named("Cede,100\r\nCede,200\r\nCede Total,300\r\nEuroclear,50\r\nEuroclear,70\r\nEuroclear Total,120\r\n"
                 "Cede Total,300\r\nEuroclear Total,120\r\nGrand Total,420\r\n") == [
        f"row {r}" for r in (4, 7, 8, 9, 10)]
    assert named("Total DTC,300\r\nA,100\r\nB,100\r\nTotal DTC,200\r\nC,100\r\nTotal DTC,100\r\n")[:2] == [
        "row 2", "row 5"]
    assert named("A,60\r\nB,40\r\nDTC Total,100\r\nC,70\r\nD,30\r\nChan Ka Sum,100\r\nDTC Total,200\r\nE,100\r\n"
                 "Chan Ka Sum,100\r\nF,50\r\nDTC Total,250\r\n") == ["row 4", "row 7", "row 8", "row 12"]
    body = "Holder,Shares\r\nCede,100\r\nCede,200\r\nCede Total,300\r\nEuroclear,50\r\nEuroclear Total,50\r\n"
    got = problems(sources.read_tally, write(tmp_path, body + "Cede Total,300\r\n"), stated)
    assert got[-1].startswith("t.csv: row 7, column Holder: looks like a totals row, not a holder: its id and units "
                              "are those of row 4, a total (repeated in a summary)")


def test_german_excels_count_subtotals_are_refused_as_its_sum_subtotals_are(tmp_path, stated):
    """Review 46: German Excel writes Data > Subtotal's Count rows as `A Anzahl` and `Gesamtanzahl`; they were
    read, so once the grand total was deleted as told the file was read at twice its units (443 for 220)."""
    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    body = "A,100\r\nA,50\r\nA Anzahl,2\r\nA Ergebnis,150\r\nB,70\r\nB Anzahl,1\r\nB Ergebnis,70\r\n"
    assert named(body + "Gesamtanzahl,3\r\nGesamtergebnis,220\r\n") == [f"row {r}" for r in (4, 5, 7, 8, 9, 10)]
    assert named(body) == ["row 4", "row 5", "row 7", "row 8"]
    assert named("A Ergebnis,150\r\nA Anzahl,2\r\nA,100\r\nA,50\r\n") == ["row 2", "row 3"]  # (Summary below off)
    # a name holding the word elsewhere, or a Count row that counts no lines of its holder, is read
    for body, units in [("Anzahl Capital,2\r\nA,1\r\nB,1\r\n", (2, 1, 1)),
                        ("Müller,3\r\nMüller Anzahl,5\r\n", (3, 5))]:
        assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == units, body


def test_an_agents_page_totals_under_one_label_are_refused_over_a_single_line_too(tmp_path, stated):
    """An agent's page totals under one label (`DTC Total` after each page): a page of a single line was read as a
    holder, and every later `DTC Total` then added up lines that held it, so none was refused (4 of the 33,000 page
    totals of a 99,000-line tally named); a grand total under the same label, first or last, was read too.  A
    label on two or more lines is judged first by the lines since the line before of that label."""
    from xlpy.files.totals import totals_rows

    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    body = "A,100\r\nDTC Total,100\r\nB,50\r\nC,50\r\nDTC Total,100\r\nD,7\r\nDTC Total,7\r\n"
    assert named(body) == ["row 3", "row 6", "row 8"]
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
    assert got[0].startswith("t.csv: row 3, column Holder: looks like a totals row, not a holder: its units are those "
                             "of row 2 added up, the lines since the line before of its id (a page total), as row 6's "
                             "are; delete it if it is one")
    top = ("DTC Total,700\r\nF,200\r\nJ,100\r\nDTC Total,300\r\nB,50\r\nF,100\r\nDTC Total,150\r\nC,200\r\n"
           "S,50\r\nDTC Total,250\r\n")
    assert named(top) == ["row 2", "row 5", "row 8", "row 11"]
    assert "its units are those of the page totals of its id (rows 5, 8, 11) added up" in problems(
        sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + top), stated)[0]
    assert named("Smith,100\r\nDTC Total,100\r\nBrown,4051\r\nDTC Total,4051\r\nDTC Total,4151\r\n") == [
        "row 3", "row 5", "row 6"]
    # any case and spacing; a holder whose id holds a totals word within a page is one of its lines
    assert named("A,100\r\nPage Total,100\r\nTotal Return Fund,50\r\nC,50\r\nPAGE  TOTAL,100\r\nD,7\r\n"
                 "page total,7\r\n") == ["row 3", "row 6", "row 8"]
    # a holder's name on lines here and there is not a label unless every line of it adds up the lines between, and
    # a holder that subtotal rows name (French Excel's Total Total SA over the Total SA lines) is none
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\nTotal SA,100\r\nB,50\r\nC,50\r\nTotal SA,70\r\n"
                                    "D,30\r\nTotal SA,5\r\n"), stated).units == (100, 50, 50, 70, 30, 5)
    assert named("Total Total SA,100\r\nTotal SA,100\r\nTotal B,100\r\nB,50\r\nB,50\r\nTotal Total SA,100\r\n"
                 "Total SA,100\r\nTotal C,100\r\nC,100\r\nTotal Total SA,100\r\nTotal SA,100\r\n") == [
        f"row {r}" for r in (2, 4, 7, 9, 11)]
    # a label above the first page, one page under a grand total of the same label, a section's grand total between
    assert named("Grand Total,1600\r\nTTL Partners,100\r\nTotal Certificated,100\r\nEuroclear,500\r\nEuroclear,1000\r\n"
                 "Total Certificated,1500\r\n") == ["row 2", "row 4", "row 7"]
    assert named("DTC Total,2600\r\nSmith,2500\r\nAcme,100\r\nDTC Total,2600\r\n") == ["row 2", "row 5"]
    assert named("A,100\r\nB,50\r\nTTL DTC,150\r\nC,70\r\nTTL DTC,70\r\nTTL DTC,220\r\nD,5\r\nE,5\r\nTTL DTC,10\r\n"
                 "F,3\r\nTTL DTC,3\r\n") == [f"row {r}" for r in (4, 6, 7, 10, 12)]
    # a holder's lines of other units one under another are no page totals
    body = ("Total SA,300\r\nBlackRock Inc.,100\r\nPIMCO Total Return Fund,0\r\nTotal SA,100\r\nTotal SA,150\r\n"
            "PIMCO Total Return Fund,50\r\nPIMCO Total Return Fund,100\r\nSum Ka Wai,100\r\nTotal SA,150\r\n")
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (
        300, 100, 0, 100, 150, 50, 100, 100, 150)
    # at scale: 30,000 pages of one to three lines, each page total named
    ids, units = [], []
    for k in range(30_000):
        lines = [100, 50, 7][:1 + k % 3]
        ids += [f"H{k:06d}-{j}" for j in range(len(lines))] + ["DTC Total"]
        units += lines + [sum(lines)]
    assert [i for i, _ in totals_rows(ids, None, units)] == [i for i, h in enumerate(ids) if h == "DTC Total"]


def test_a_summary_with_lines_after_it_is_refused_and_no_line_sums_its_own_lines_of_one_status(tmp_path, stated):
    """Review 47: the subtotals repeated in a summary were refused only at the very end of the file, so a summary
    followed by a late line, or by another section, was read (850 units counted for 430); a line was refused as the
    sum of the tendered lines above it when those were its own (`Total Return Fund` 200 under its 100 and 100, a
    withdrawn line between)."""
    def named(body: str, header: str = "Holder,Shares") -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, f"{header}\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    subtotals = "Cede,100\r\nCede,200\r\nCede Total,300\r\nEuroclear,50\r\nEuroclear,70\r\nEuroclear Total,120\r\n"
    assert named(subtotals + "Cede Total,300\r\nEuroclear Total,120\r\nSmith,10\r\n") == [
        "row 4", "row 7", "row 8", "row 9"]
    pages = "A,100\r\nB,200\r\nDTC Total,300\r\nC,50\r\nD,70\r\nDTC Total,120\r\nDTC Total,300\r\nDTC Total,120\r\n"
    assert named(pages + "Grand Total,420\r\nSmith,10\r\n") == [f"row {r}" for r in (4, 7, 8, 9, 10)]
    assert named(pages + "E,10\r\nF,20\r\nTotal Certificated,30\r\n") == [f"row {r}" for r in (4, 7, 8, 9, 12)]
    # a holder's lines under a summary of its own are read (not directly under a total: a holder's line between)
    assert named("A,60\r\nB,40\r\nDTC Total,100\r\nC,70\r\nD,30\r\nChan Ka Sum,100\r\nDTC Total,200\r\nE,100\r\n"
                 "Chan Ka Sum,100\r\nF,50\r\nDTC Total,250\r\n") == ["row 4", "row 7", "row 8", "row 12"]
    for fund in ("Total Return Fund", "Chan Ka Sum"):
        body = f"{fund},100,tendered\r\nSmith,50,withdrawn\r\n{fund},100,tendered\r\n{fund},200,tendered\r\n"
        tally = sources.read_tally(write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
        assert tally.units == (100, 50, 100, 200), fund
    assert named("A,100,tendered\r\nSmith,50,withdrawn\r\nB,100,tendered\r\nDTC Total,200,tendered\r\n",
                 "Holder,Shares,Status") == ["row 5"]
    # a summary above a late line, at least two of its lines one under another, or a single line naming a holder
    assert named("A Ergebnis,300\r\nA,100\r\nA,200\r\nB Ergebnis,50\r\nB,50\r\nA Ergebnis,300\r\nB Ergebnis,50\r\n"
                 "C,10\r\n") == ["row 2", "row 5", "row 7", "row 8"]
    assert named("Total DTC 0022,7155\r\nDTC 0022,7155\r\nTotal Acme,9026\r\nAcme,9026\r\nTotal DTC 0022,7155\r\n"
                 "Euroclear,8709\r\n") == ["row 2", "row 4", "row 6"]


def test_an_agents_sections_summaries_and_grand_totals_under_one_page_label(tmp_path, stated):
    """Review 48: a section's grand total standing over its pages made the whole label a holder's (334 units read
    for 167 after 31009b8's refusals, 501 now and before it); a summary line directly under a page total of no units
    was read; a holder's two equal lines one under another passed as a page total and its grand total; runs of
    lines of no units repeating a total were walked line by line from each of them (32,000 lines: 47 s); and units
    of -2**63 passed the overflow guard, so sums wrapped."""
    from xlpy.files.totals import totals_rows

    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    def refused(ids: list[str], units: list[int]) -> list[int]:
        return [i for i, _ in totals_rows(ids, None, units)]

    ids = ["DTC Total", "A", "DTC Total", "B", "C", "DTC Total", "DTC Total", "D", "DTC Total", "E", "DTC Total"]
    assert refused(ids, [151, 100, 100, 50, 1, 51, 16, 7, 7, 9, 9]) == [0, 2, 5, 6, 8, 10]
    assert "its units are those of the page totals of its id (rows 10, 12) added up" in dict(
        totals_rows(ids, None, [151, 100, 100, 50, 1, 51, 16, 7, 7, 9, 9]))[6]
    assert named("A,100\r\nB,150\r\nTTL DTC,250\r\nC,50\r\nD,70\r\nTTL DTC,120\r\nAcme,0\r\nTTL DTC,0\r\n"
                 "TTL DTC,250\r\nTTL DTC,120\r\n") == ["row 4", "row 7", "row 10", "row 11"]
    body = "Tot Lot LLC,3000\r\nA,50\r\nB,50\r\nTot Lot LLC,100\r\nTot Lot LLC,100\r\n"
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (3000, 50, 50, 100, 100)
    zeros = ["Chan Ka Sum", "Chan Ka Sum Total", "Smith"] + ["Chan Ka Sum Total"] * 20_000 + ["Jones"]
    assert refused(zeros, [0, 0, 100] + [0] * 20_000 + [50]) == [1]
    assert refused(["A", "B", "C", "DTC Total"], [-2**63, -2**63, 5, 5]) == []
    # a grand total of 100,000 page totals names five of them and their number
    ids, units = ["A", "DTC Total"] * 100_000 + ["DTC Total"], [5, 5] * 100_000 + [500_000]
    assert totals_rows(ids, None, units)[-1][1].startswith(
        "looks like a totals row, not a holder: its units are those of the page totals of its id (rows 3, 5, 7, 9, "
        "11, ... (100,000 page totals)) added up")


def test_an_agents_pages_of_one_line_each_are_refused_when_the_files_grand_total_leaves_them_out(
        tmp_path, stated, named):
    """Every page of one line, its page total is what an honest holder tendering the units of the line above
    looks like: `A 100 / DTC Total 100 / B 120 / DTC Total 120 / Grand Total 220` was read at 440 units once the
    grand total was deleted as told.  The file's own grand total (a label, or an id saying grand, below the pages or
    above them) adding up every line but the label's says those lines were not counted in it.  A holder's name on
    such lines stays a holder's when the grand total counts them, or when there is none."""

    body = "A,100\r\nDTC Total,100\r\nB,120\r\nDTC Total,120\r\nGrand Total,220\r\n"
    assert problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated) == [
        "t.csv: row 3, column Holder: looks like a totals row, not a holder: its units are those of row 2 added up, "
        f"the lines since the line before of its id (a page total), as row 5's are; delete it if it is one; "
        f"{way_out('DTC Total')}, got 'DTC Total'",
        "t.csv: row 5, column Holder: looks like a totals row, not a holder: its units are those of row 4 added up, "
        f"the lines since the line before of its id (a page total), as row 3's are; delete it if it is one; "
        f"{way_out('DTC Total')}, got 'DTC Total'",
        f"t.csv: row 6, column Holder: {label('Grand Total')}, got 'Grand Total'"]
    # with a late line after the pages, a grand total of another id under them, or one above them
    assert named("A,100\r\nTotal SA,100\r\nB,50\r\nTotal SA,50\r\nC,10\r\nGrand Total,160\r\n") == [
        "row 3", "row 5", "row 7"]
    assert named("A,100\r\nDTC Total,100\r\nB,120\r\nDTC Total,120\r\nEuroclear Grand Total,220\r\n") == [
        "row 3", "row 5", "row 6"]
    assert named("Grand Total,220\r\nA,100\r\nDTC Total,100\r\nB,120\r\nDTC Total,120\r\n") == [
        "row 2", "row 4", "row 6"]
    # a grand total counting the lines of the label: a holder's lines
    assert named("A,100\r\nTotal SA,100\r\nB,50\r\nTotal SA,50\r\nC,10\r\nGrand Total,310\r\n") == ["row 7"]
    body = "A,100\r\nTotal SA,100\r\nB,50\r\nTotal SA,50\r\nC,10\r\n"
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (100, 100, 50, 50, 10)


def test_an_agents_page_totals_of_the_tendered_lines_are_refused_past_a_withdrawn_line(tmp_path, stated):
    """A page total of the tendered lines of its page, past a withdrawn one on it, was no page total: the page
    total over two lines under it went with it, and both were read (300 tendered units for 150)."""
    path = write(tmp_path, "Holder,Shares,Status\r\nA,100,tendered\r\nB,50,withdrawn\r\nDTC Total,100,\r\n"
                           "C,30,tendered\r\nD,20,tendered\r\nDTC Total,50,\r\n")
    assert problems(sources.read_tally, path, stated) == [
        "t.csv: row 4, column Holder: looks like a totals row, not a holder: its units are those of the tendered "
        "lines of rows 2 to 3 added up, the lines since the line before of its id (a page total), as row 7's are; "
        f"delete it if it is one; {way_out('DTC Total')}, got 'DTC Total'",
        "t.csv: row 7, column Holder: looks like a totals row, not a holder: its units are those of rows 5 to 6 "
        "added up, the lines since the line before of its id (a page total), as row 4's are; delete it if it is "
        f"one; {way_out('DTC Total')}, got 'DTC Total'"]
    # pages of one line each but for the withdrawn: confirmed by the tendered lines' own total at the end
    path = write(tmp_path, "Holder,Shares,Status\r\nA,100,tendered\r\nB,50,withdrawn\r\nDTC Total,100,\r\n"
                           "C,30,tendered\r\nDTC Total,30,\r\nD,20,tendered\r\nE,5,withdrawn\r\nDTC Total,20,\r\n"
                           "Total tendered,150,\r\n")
    assert [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in problems(
        sources.read_tally, path, stated)] == ["row 4", "row 6", "row 9", "row 10"]


def test_a_second_labels_first_page_and_a_sections_grand_total_under_the_files_are_refused(tmp_path, stated, named):
    """A label's first page was added up from the top of the file only: under another label's pages it added up
    nothing, and with its one other page of one line the label was read as a holder's (`DTC Total` 80, 100 and
    their grand total 180 under the `Total Book Entry` pages).  A section's grand total as its label's first line,
    under the file's own grand total, was read too (`Total Book Entry` 300, once `Gesamtsumme` was deleted)."""

    body = ("Gesamtsumme,480\r\nTotal Book Entry,300\r\nA,100\r\nTotal Book Entry,100\r\nB,200\r\n"
            "Total Book Entry,200\r\nC,50\r\nD,30\r\nDTC Total,80\r\nE,100\r\nDTC Total,100\r\nDTC Total,180\r\n")
    assert named(body) == [f"row {r}" for r in (2, 3, 5, 7, 10, 12, 13)]
    assert named(body.split("\r\n", 1)[1]) == [f"row {r}" for r in (2, 4, 6, 9, 11, 12)]
    # a first page since another label's line is no page of two or more lines on its own: a holder's line again
    assert named("A,60\r\nB,40\r\nDTC Total,100\r\nC,70\r\nD,30\r\nChan Ka Sum,100\r\nDTC Total,200\r\nE,100\r\n"
                 "Chan Ka Sum,100\r\nF,50\r\nDTC Total,250\r\n") == ["row 4", "row 7", "row 8", "row 12"]


def test_a_sections_grand_total_of_one_page_or_of_all_above_and_a_summary_of_grand_totals_keep_the_label(
        tmp_path, stated, named):
    """Review 49: a line of an agent's page-total label directly under another that was no section's grand total of
    two or more pages, no repeat of a page total and no grand total of two or more pages next below it made the whole
    label a holder's: a section of one page with its grand total under it (42 units read for 12 once the first two
    were deleted), a summary repeating a grand total (29 for 7), two equal totals over a single page (12 for 3), a
    section of one page with its grand total over it, and the last line a section's grand total past a `Page Total`
    of 0.  A grand total of all the page totals above it, under a section of one page and a summary after it, was
    read right before and is still (a section's grand total of one page alone would have lost it)."""
    assert named(lines("A,100 / B,200 / DTC Total,300 / DTC Total,300 / C,400 / DTC Total,400 / D,500 / "
                       "DTC Total,500 / DTC Total,900 / DTC Total,1200")) == [f"row {r}" for r in (4, 5, 7, 9, 10, 11)]
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + lines(
        "A,100 / B,200 / DTC Total,300 / C,400 / DTC Total,400 / DTC Total,700 / DTC Total,300 / DTC Total,700 / "
        "DTC Total,400")), stated)
    assert [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got] == [
        f"row {r}" for r in (4, 6, 7, 8, 9, 10)]
    assert "its id and units are those of row 4, a total (repeated in a summary)" in got[3]
    assert "its units are those of the page totals of its id (rows 4, 6) added up" in got[4]
    assert named(lines("DTC Total,300 / DTC Total,300 / A,100 / B,200 / DTC Total,300")) == ["row 2", "row 3", "row 6"]
    assert named(lines("Orion LP,9712 / Orion LP,24535 / Lee,300 / Euroclear Total,34547 / Euroclear Total,34547 / "
                       "Euroclear Total,9046 / Lee,150 / DTC 0352,8596 / Euroclear Total,8746 / DTC 0352,200 / "
                       "DTC 0352,100 / Euroclear Total,300 / Euroclear Total,43593 / Euroclear Total,300")) == [
        f"row {r}" for r in (5, 6, 7, 10, 13, 14, 15)]
    assert named(lines("A,100 / B,200 / DTC Total,300 / C,400 / DTC Total,400 / DTC Total,700 / DTC Total,500 / "
                       "D,500 / DTC Total,500 / DTC Total,1200")) == [f"row {r}" for r in (4, 6, 7, 8, 10, 11)]
    assert named(lines("Euroclear Total,517 / Blue Fund,10 / Zeta Capital,500 / Cede,2 / Orion,5 / "
                       "Euroclear Total,517 / Euroclear Total,7976 / Acme,1994 / Cede,4985 / Smith,997 / "
                       "Euroclear Total,7976")) == [
        f"row {r}" for r in (2, 7, 8, 12)]
    assert named(lines("A,100 / B,50 / DTC Total,150 / DTC Total,150 / C,70 / D,30 / DTC Total,100 / E,5 / "
                       "DTC Total,5 / Page Total,0 / DTC Total,105")) == [f"row {r}" for r in (4, 5, 8, 10, 12)]
    # a holder's lines of other units one under another are still no page totals (review 48), nor its equal lines
    # under one page of some units with a line of its own above
    body = lines("Tot Lot LLC,3000 / A,50 / B,50 / Tot Lot LLC,100 / Tot Lot LLC,100")
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (3000, 50, 50, 100, 100)


def test_a_page_total_repeated_under_itself_mid_section_and_honest_names_near_page_labels(tmp_path, stated, named):
    """Review 50: a page total repeated directly under itself was taken for a section's grand total of one page, so
    the section's real grand total under the next page added up nothing and the whole label was read (128,035 units
    for 39,559); a running grand total under every page held a list of every page total above it (60,000 lines:
    1.6 GB).  An honest holder's line was taken for the file's grand total, or for another label's page total
    (the first page of a label may run from one), and a coincidence of the tendered lines for a page of two."""
    assert named(lines("A,6012 / B,3977 / DTC Total,9989 / C,5120 / DTC Total,5120 / DTC Total,15109 / D,20345 / "
                       "DTC Total,20345 / DTC Total,20345 / E,3107 / DTC Total,3107 / DTC Total,23452 / F,998 / "
                       "DTC Total,998")) == [f"row {r}" for r in (4, 6, 7, 9, 10, 12, 13, 15)]
    # a page total and a running grand total under every page, at scale: each page total and grand total named
    from xlpy.files.totals import totals_rows
    ids, units, running = [], [], 0
    for k in range(20_000):
        running += 1 + k % 997
        ids += [f"H{k:07d}", "DTC Total", "DTC Total"]
        units += [1 + k % 997, 1 + k % 997, running]
    assert [i for i, _ in totals_rows(ids, None, units)] == [i for i in range(len(ids)) if i % 3]
    # honest holders: no grand total of another id, no page from an honest line, no page of tendered lines alone
    for body in ("Acme Corp,1000 / Total SA,1000 / Blue Fund,500 / Total SA,500 / Chan Ka Sum,1500",
                 "Smith,100 / Chan Ka Sum,50 / Orion LP,150 / Total SA,150 / Blue Fund,50 / Orion LP,100 / "
                 "Total SA,150"):
        tally = sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + lines(body)), stated)
        assert tally.units == tuple(int(x.rsplit(",", 1)[1]) for x in body.split(" / ")), body
    body = lines("Blue Fund,300,tendered / TTL Partners,300,tendered / Acme Corp,100,tendered / "
                "Lee Family Trust,200,tendered / Jones,200,withdrawn / TTL Partners,300,tendered")
    tally = sources.read_tally(write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
    assert tally.units == (300, 300, 100, 200, 200, 300)
    # a grand total of the tendered lines says nothing of a label's withdrawn lines
    body = lines("Lee Family Trust,4991685,tendered / Total SA,4991685,withdrawn / Lee Family Trust,4740339,tendered / "
                "Total SA,4740339,withdrawn / TOTAL TENDERED,9732024,")
    assert named(body, "Holder,Shares,Status") == ["row 6"]


def test_a_running_grand_total_a_page_from_a_certain_total_and_an_overall_total_keep_the_label(tmp_path, stated, named):
    """Review 51: a grand total of all the page totals above it (a running one) ended the section, so the section's
    grand total under the next pages added up nothing and the label was read (4,314 units for 1,207); a label's first
    page from another label's page total no longer counted as one of its two pages, nor from a line such as
    `Summe` (203 and 120 units counted twice); and `Overall Total` was no file's grand total over one-line pages."""
    assert named(lines("A,100 / Total DTC,100 / B,150 / C,50 / Total DTC,200 / Total DTC,300 / D,300 / Total DTC,300 / "
                       "Total DTC,600 / E,100 / Total DTC,100 / F,200 / Total DTC,200 / G,300 / Total DTC,300 / "
                       "Total DTC,900 / H,7 / Total DTC,7")) == [
        f"row {r}" for r in (3, 6, 7, 9, 10, 12, 14, 16, 17, 19)]
    assert named(lines("A,100 / B,50 / Euroclear Total,150 / C,10 / Euroclear Total,10 / D,200 / DTC Total,200 / E,1 / "
                       "F,2 / DTC Total,3")) == [f"row {r}" for r in (4, 6, 8, 11)]
    assert named(lines("A,100 / B,200 / Summe,300 / C,50 / DTC Total,50 / D,70 / DTC Total,70 / Grand Total,420")) == [
        f"row {r}" for r in (4, 6, 8, 9)]
    assert named(lines("A,100 / DTC Total,100 / B,120 / DTC Total,120 / Overall Total,220")) == ["row 3", "row 5",
                                                                                               "row 6"]
    # many labels, each its own agent's pages: the lines certainly totals are kept in order once, not sorted again
    # for each label (10,000 labels were 7 s; 50,000, 143 s), and every page total is named
    from xlpy.files.totals import totals_rows
    ids, units = [], []
    for k in range(10_000):
        for a, b in ((1 + k % 97, 2 + k % 89), (3 + k % 83, 4 + k % 79)):
            ids += [f"H{k}a", f"H{k}b", f"Acct {k} Total"]
            units += [a, b, a + b]
    assert [i for i, _ in totals_rows(ids, None, units)] == list(range(2, len(ids), 3))


def test_an_agents_sections_of_one_line_pages_are_refused_by_two_of_their_grand_totals(tmp_path, stated, named):
    """Every page of one line and no file grand total: two sections' grand totals of two or more pages each (under
    their pages, or over them) say the label's lines are totals (1,020 units were read for 340), while a holder's
    name on one-page sections (two equal lines under a line of those units) is still a holder's."""
    sections = ("A,100 / DTC Total,100 / B,120 / DTC Total,120 / DTC Total,220 / C,50 / DTC Total,50 / D,70 / "
                "DTC Total,70")
    assert named(lines(f"{sections} / DTC Total,120")) == [f"row {r}" for r in (3, 5, 6, 8, 10, 11)]
    assert named(lines(f"{sections} / DTC Total,120 / E,9")) == [f"row {r}" for r in (3, 5, 6, 8, 10, 11)]
    assert named(lines("DTC Total,220 / A,100 / DTC Total,100 / B,120 / DTC Total,120 / DTC Total,120 / C,50 / "
                       "DTC Total,50 / D,70 / DTC Total,70")) == [f"row {r}" for r in (2, 4, 6, 7, 9, 11)]
    # (review 53: row 7 is the grand total of the page totals below it, not a summary's repeat of row 6)
    from xlpy.files.totals import totals_rows
    ids = ["DTC Total", "A", "DTC Total", "B", "DTC Total", "DTC Total", "C", "DTC Total", "D", "DTC Total"]
    why = dict(totals_rows(ids, None, [220, 100, 100, 120, 120, 120, 50, 50, 70, 70]))
    assert "the page totals of its id (rows 9, 11) added up" in why[5], why[5]
    # one section of two pages is not enough (a holder's name under two lines it equals, then their sum), nor are
    # sections of one page (a holder's two equal lines under a line of those units)
    for body in ("A,100 / Total SA,100 / B,120 / Total SA,120 / Total SA,220 / C,50 / Total SA,50 / E,9",
                 "Acme,400 / Total SA,400 / Total SA,400 / Blue,2000 / Total SA,2000 / Total SA,2000"):
        tally = sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + lines(body)), stated)
        assert tally.units == tuple(int(x.rsplit(",", 1)[1]) for x in body.split(" / ")), body


def test_overall_report_and_final_totals_are_labels_as_grand_totals_are(named):
    """Review 52: `Overall Total` (or `Report`, `Final Total`) was judged by its sum only, unlike `Grand Total`: last,
    over subtotals read as holders, it was read too (660 units for 220), and first it was never judged at all."""
    assert named(lines("A,100 / Subtotal Euroclear,100 / B,50 / C,70 / Subtotal DTC,120 / Overall Total,220")) == [
        "row 7"]
    assert named(lines("Overall Total,1000 / A,100 / B,200 / Subtotal Certificated,300 / C,300 / D,400 / "
                       "Subtotal DTC,700")) == ["row 2", "row 5", "row 8"]
    assert named(lines("Report Total,1000 / A,100 / B,200")) == ["row 2"]
    assert named(lines("A,100 / B,200 / Final Total,999")) == ["row 4"]
    # (review 53: Combined and Cumulative Totals too)
    assert named(lines("A,100 / Subtotal Euroclear,100 / B,50 / C,70 / Subtotal DTC,120 / Combined Total,220")) == [
        "row 7"]
    assert named(lines("A,100 / B,200 / Cumulative Total,999")) == ["row 4"]


def test_numbered_page_totals_are_one_labels_pages(named):
    """Review 52: `Page Total 1`, `Page Total 2`... were each a label of its own, so a page of one line (`Page Total
    2` under `C` alone) was read as a holder's, and with it every later page total of one label."""
    body = "A,100 / B,50 / Page Total 1,150 / C,70 / Page Total 2,70 / D,5 / E,6 / Page Total 3,11 / F,1 / G,2 / " \
           "Page Total 4,3 / H,1 / I,1 / Page Total 5,2"
    assert named(lines(body)) == [f"row {r}" for r in (4, 6, 9, 12, 15)]
    assert named(lines(body + " / Grand Total,236")) == [f"row {r}" for r in (4, 6, 9, 12, 15, 16)]
    assert named(lines(body.replace("Page Total ", "DTC Total #"))) == [f"row {r}" for r in (4, 6, 9, 12, 15)]
    # pages numbered again in a summary are the label's still; numbers that do not rise page by page (a total of
    # each broker's, twice) are ids of their own, each judged alone (review 53: one broker's miss dropped them all)
    assert named(lines(body + " / Page Total 1,150 / Page Total 2,70 / Page Total 3,11")) == [
        f"row {r}" for r in (4, 6, 9, 12, 15, 16, 17, 18)]
    assert named(lines("A,100 / Total Broker 22,100 / C,30 / D,20 / Total Broker 22,50 / E,10 / Total Broker 55,99 / "
                       "F,1 / Total Broker 55,1")) == ["row 3", "row 6"]
    # numbered ids beside the label unnumbered, not judged together: each judged alone, once (this never ended)
    from xlpy.files.totals import totals_rows
    assert totals_rows(["H0", "Euroclear Subtotal 1", "Euroclear Subtotal", "H1", "Euroclear Subtotal 3",
                        "Euroclear Subtotal"], None, [900, 900, 900, 600, 600, 600]) == []
    # a holder's number or an account after the word is an id of its own, not a page number
    from xlpy.files.pages import _page_number
    assert [_page_number(k) for k in ("page total 3", "dtc total #12", "total 2", "total dtc 0022", "dtc total 2/19")] \
        == [("page total", 3), ("dtc total", 12), ("total 2", None), ("total dtc 0022", None), ("dtc total 2/19", None)]


def test_a_summary_of_page_totals_under_a_section_total_of_another_id_keeps_the_label(named):
    """Review 52: a summary repeating the page totals under a section's total of another id (`Section Total`, no
    label) added up nothing since the line before of its id, so the whole label was read as a holder's (580 units
    for 220); a line with nothing but lines holding a totals word since the one before is as directly under it."""
    for label in ("DTC Total", "Total DTC"):
        assert named(lines(f"A,100 / B,50 / {label},150 / C,70 / {label},70 / Section Total,220 / {label},150 / "
                           f"{label},70")) == [f"row {r}" for r in (4, 6, 7, 8, 9)]
    # a page after a section's total is a page still
    assert named(lines("A,100 / B,50 / DTC Total,150 / C,70 / DTC Total,70 / Section Total,220 / D,10 / E,20 / "
                       "DTC Total,30 / F,5 / DTC Total,5 / Section Total,35")) == [
        f"row {r}" for r in (4, 6, 7, 10, 12, 13)]


def test_a_labels_first_page_runs_from_a_one_off_total_of_two_or_more_lines(named):
    """Review 52: a label's first page ran from a label or another label's page total only, so under a one-off total
    of another id (`Total Certificated`) it added up nothing, and the label, left one page, was read (8 units for 3);
    a one-off line adding up the two or more lines since the line before holding a totals word is certainly a
    total too."""
    assert named(lines("A,100 / B,50 / Total Certificated,150 / C,5 / DTC Total,5 / D,1 / E,2 / DTC Total,3")) == [
        "row 4", "row 6", "row 9"]


def test_a_first_line_ending_with_the_word_and_saying_grand_is_judged_as_the_files_total(tmp_path, stated, named):
    """Review 52: a first line whose id ends with the word (`DTC Grand Total`) was never judged as a total of the lines
    below it, and once read as a holder it hid the subtotals below it too; `Chan Ka Sum` first is a holder's still."""
    assert named(lines("DTC Grand Total,1000 / A,100 / B,200 / Subtotal Certificated,300 / C,300 / D,400 / "
                       "Subtotal DTC,700")) == ["row 2", "row 5", "row 8"]
    assert named(lines("DTC Grand Total,300 / A,100 / B,200")) == ["row 2"]
    tally = sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + lines("Chan Ka Sum,300 / A,100 / B,200")), stated)
    assert tally.units == (300, 100, 200)
