"""Hostile tallies, count files and price files, continued (``test_sources_hostile.py``): a column named twice,
methods and statuses left empty, totals rows, closed days, headers, count files' columns, separators.
"""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal as D

import pytest
from repo_paths import DATA, FORMULA, PRICES, TALLY
from test_sources_hostile import HEADER, IS_NONE, NO_COUNT, SEMICOLON, _ambiguous, problems, tally

from xlpy import cli
from xlpy.engine import InputError, InputErrors
from xlpy.files import counts, prices, sources


# --- 6. a column named twice ------------------------------------------------------------------------------


def test_a_column_named_twice_is_refused(tmp_path):
    """Two columns headed alike cannot be told apart by a mapping file, which names a header by its text: the
    refusal says to rename one, as the mapping's own refusal does."""
    path = tally(tmp_path, "holder_id,units,units,method,status\nA-1,100,5,book-entry,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: columns: more than one column could be units; delete or rename one of them, got 'units (2 columns)'"]
    mapping = sources.ColumnMapping(columns={"units": "units"})
    assert problems(sources.read_tally, path, mapping) == [
        "t.csv: columns: more than one column has the header named for units; rename one, got 'units (2 columns)'"]


def test_a_mapping_file_is_advised_only_where_it_can_name_one_of_the_columns(tmp_path):
    """Beside two columns headed ``units``, one headed ``Units`` can be named, and naming it reads the tally."""
    path = tally(tmp_path, "holder_id,units,Units,units,method,status\nA-1,5,100,5,book-entry,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: columns: more than one column could be units; name one in a mapping file, "
        "got 'units (2 columns), Units'"]
    rows = sources.read_tally(path, sources.ColumnMapping(columns={"units": "Units"}))
    assert rows.units == (100,)


def test_a_header_of_thousands_of_like_names_is_said_in_a_few_words(tmp_path):
    """A header repeating ``units`` across a sheet 16,384 columns wide was quoted whole, 114,665 characters."""
    header = ",".join(["holder_id", *["units"] * 16381, "method", "status"])
    path = tally(tmp_path, header + "\n" + ",".join(["A-1", *["5"] * 16381, "book-entry", "tendered"]) + "\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: columns: more than one column could be units; delete or rename one of them, "
        "got 'units (16,381 columns)'"]


@pytest.mark.parametrize("header, said", [
    ("holder,units,units,status", "could be units; delete or rename one of them, got 'units (2 columns)'"),
    ("holder_id,units,Units,status", "could be units; name one in a mapping file, got 'units, Units'"),
    ("holder_id, Shares, units_tendered ,status", "could be units; name one in a mapping file, got "
                                                  "'Shares, units_tendered '"),  # (as pandas reads the header)
    ("Holder,Account,units,status", "could be holder_id; name one in a mapping file, got 'Holder, Account'"),
    ("holder_id,units,Tender-Status,status", "could be status; name one in a mapping file, got "
                                             "'Tender-Status, status'")])
def test_a_header_with_two_columns_that_could_be_one_of_ours_is_refused_before_a_line_is_read(
        tmp_path, monkeypatch, header, said):
    """The refusal depends on the header alone, and pandas read every line first (3.5 s at a million lines): it is
    said before pandas reads a line, in the same words, whatever the lines hold (a row wider than the header, a
    quote never closed, a byte not UTF-8)."""
    import pandas

    read_csv, asked = pandas.read_csv, []

    def spy(*args, **kwargs):
        asked.append(kwargs.get("nrows"))
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pandas, "read_csv", spy)
    lines = "A-1,100,5,tendered\n" * 1000 + 'B-1,200,5,tendered,wide\nB-"2,\xfc\n'
    path = tmp_path / "t.csv"
    path.write_bytes((header + "\n" + lines).encode("latin-1"))
    assert problems(sources.read_tally, path) == [f"t.csv: columns: more than one column {said}"]
    assert all(rows == 0 for rows in asked)  # (the header alone, where one name is not as csv reads it)
    repeated = tally(tmp_path, "holder_id,units,method,status,Remark,Remark\nA-1,100,book-entry,tendered,x,y\n")
    assert len(sources.read_tally(repeated)) == 1 and None in asked  # (a column not ours named twice: read)


def test_a_header_repeating_a_name_not_ours_is_read_with_no_name_renamed_apart(tmp_path, monkeypatch):
    """A header of 16,384 names, one not ours repeated 16,380 times, is read as one with its columns not ours is
    (they are not read, its lines are), and cost pandas 3 s before a line was read: it renames each repeat apart
    (x.1, x.2 ...), looking each new name up in the whole header.  It is given the columns' numbers, not the
    header, and the headers are the names as written."""
    import pandas

    read_csv, given = pandas.read_csv, []

    def spy(*args, **kwargs):
        given.append((kwargs.get("header", "infer"), list(kwargs.get("names") or ())))
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pandas, "read_csv", spy)
    header = "holder_id,units,method,status" + ",Remark" * 16_380
    path = tally(tmp_path, f"{header}\nA-1,100,book-entry,tendered\nB-2,50,book-entry,withdrawn,x,y\n")
    table = sources.read_tally(path)
    assert (table.holder_id, table.units, table.status) == (("A-1", "B-2"), (100, 50), ("tendered", "withdrawn"))
    assert given == [(None, list(range(16_384)))]  # (one read, of the lines alone, by the columns' numbers)
    line = "B-2,50,book-entry,withdrawn" + ",x" * 16_381  # (a row wider than the header: named as ever)
    wide = tally(tmp_path, f"{header}\nA-1,100,book-entry,tendered\n{line}\n", "w.csv")
    assert problems(sources.read_tally, wide) == [f"w.csv: row 3: has 16,385 cells and the header 16,384, got "
                                                  f"{line[:60]!r}... ({len(line):,} characters)"]


def test_an_xlsx_tally_with_two_columns_that_could_be_one_of_ours_is_refused_before_a_line_is_read(
        tmp_path, monkeypatch):
    """As a CSV tally's: an XLSX tally's lines were all read first (200,000 lines: 24.6 s, now 10.8 s here)."""
    import openpyxl

    from xlpy.files import xlsx_sheet

    rows_of, read = xlsx_sheet.table_rows, []

    def counted(*args, **kwargs):
        for row in rows_of(*args, **kwargs):
            read.append(row)
            yield row

    monkeypatch.setattr(xlsx_sheet, "table_rows", counted)
    wb = openpyxl.Workbook()
    wb.active.append(["holder_id", "units", "Units", "method", "status"])
    for i in range(50):
        wb.active.append([f"A-{i}", 100, 5, "book-entry", "tendered"])
    wb.save(path := tmp_path / "t.xlsx")
    assert problems(sources.read_tally, path) == [
        "t.xlsx: columns: more than one column could be units; name one in a mapping file, got 'units, Units'"]
    assert len(read) == 1  # (the header alone)
    wb.active["C1"] = "Remark"
    wb.save(path)
    assert len(sources.read_tally(path)) == 50 and len(read) == 52  # (a tally read whole: its header, its 50 lines)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="the open files are read from /proc")
@pytest.mark.parametrize("refused", ["two columns could be units", "an xlpy workbook"])
def test_an_xlsx_tally_refused_by_its_header_is_not_held_open(tmp_path, refused):
    """A tally refused before its lines are read is closed before the refusal is said, not when Python collects
    the reader: the agent's file, held open, stays locked on Windows while the refusal is shown (by the Refresh
    button, in Excel's own process, for as long as the error's traceback lives)."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    if refused == "an xlpy workbook":  # (offer results given as the tally: its first row is no tally's header)
        wb.active.append(["Offer results", None])
        wb.defined_names["xlpyLayout"] = DefinedName("xlpyLayout", attr_text="16")
    else:
        wb.active.append(["holder_id", "units", "Units", "method", "status"])
    for i in range(50):
        wb.active.append([f"A-{i}", 100, 5, "book-entry", "tendered"])
    wb.save(path := tmp_path / "t.xlsx")
    with pytest.raises(InputErrors) as caught:
        sources.read_tally(path)
    held = [f for f in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{f}") == str(path.resolve())]
    assert refused.split()[-1] in str(caught.value) and held == []


def test_a_price_file_with_two_price_columns_is_told_to_delete_or_rename_one(tmp_path):
    """A price file takes no mapping file: the advice is to delete or rename a column, not to name one there."""
    path = tally(tmp_path, "Date,VWAP,Close,Volume\n2004-01-02,8.3059,8.31,2517000\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: columns: more than one column could be price; delete or rename one of them, got 'VWAP, Close'"]


def test_a_price_file_whose_headers_are_in_another_language_is_told_to_rename_them(tmp_path):
    """Review 104: `Datum,Kurs,Volumen` was told the spellings only; a price file takes no mapping file, so the
    header is to be renamed to one of them."""
    path = tally(tmp_path, "Datum,Kurs,Volumen\n2004-01-02,8.3059,2517000\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        f"p.csv: header: has no {ours} column (expected one of: {words}); rename the header of its {ours} column "
        "to one of those (a price file takes no mapping file), got 'Datum, Kurs, Volumen'"
        for ours, words in (("date", "date, trade date, trading day, day"),
                            ("price", "price, vwap, close, closing price, px"),
                            ("volume", "volume, vol, shares traded"))]


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
    assert len(said) == 51 and said[-1] == "t.csv: and 70 more problems, all in column status", said[-1]
    # a word of its own on every line, in both columns: the lines past the shown ones are counted, not each made a
    # problem (a million such lines took 2 GB), and the count stays exact
    path = tally(tmp_path, HEADER + "".join(f"H{i},10,X{i},S{i}\n" for i in range(200)))
    said = problems(sources.read_tally, path)
    assert len(said) == 51 and said[-1] == ("t.csv: and 350 more problems: 151 in column method, 199 in column "
                                            "status"), said[-1]
    assert said[49].startswith("t.csv: row 2, column status: must be one of tendered")  # (its kind shown too)
    assert said[0] == ("t.csv: row 2, column method: must be one of book-entry, certificate, guaranteed; if it is "
                       "the agent's word for one of them, map it in a mapping file: [methods] \"X0\" = the one of "
                       "ours it means, got 'X0'")


def test_an_unknown_word_on_three_lines_is_named_on_each_of_them(tmp_path):
    """Up to three lines, an unknown word is a problem a line, the way out said once, on its last line; from four
    lines on it is one problem (above).  Review 111: three lines were not told apart from four."""
    path = tally(tmp_path, HEADER + "".join(f"H{i},10,book-entry,cancelled\n" for i in range(3))
                 + "H9,5,book-entry,tendered\n")
    word = "must be one of tendered, withdrawn, failed"
    assert problems(sources.read_tally, path) == [
        f"t.csv: row 2, column status: {word}, got 'cancelled'",
        f"t.csv: row 3, column status: {word}, got 'cancelled'",
        f"t.csv: row 4, column status: {word}; if it is the agent's word for one of them, map it in a mapping file: "
        "[statuses] \"cancelled\" = the one of ours it means, got 'cancelled'"]


def test_a_word_holding_a_control_character_is_said_damaged_not_to_be_mapped(tmp_path):
    """Review 164: a NUL in the status column was told to be mapped in a mapping file, as an agent's word."""
    path = tally(tmp_path, HEADER + "H1,10,book-entry,tendered\x00\x00\nH2,5,book\x07,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: row 3, column method: holds a control character (U+0007), which a workbook cannot store: the file is "
        "damaged, or not the agent's tally, got 'book\\x07'",
        "t.csv: row 2, column status: holds a control character (U+0000), which a workbook cannot store: the file is "
        "damaged, or not the agent's tally, got 'tendered\\x00\\x00'"]
    # (review 167: a DEL, which a workbook stores, is no agent's word either)
    path = tally(tmp_path, HEADER + "H1,10,book\x7fentry,tendered\n")
    assert problems(sources.read_tally, path) == [
        "t.csv: row 2, column method: holds a control character (U+007F), which a one-line value does not hold: the "
        "file is damaged, or not the agent's tally, got 'book\\x7fentry'"]


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


UNDERSCORE = "must be a number written without '_' (an underscore is no thousands separator)"


def test_an_underscore_in_a_number_of_a_tally_a_count_file_or_a_price_file_is_refused(tmp_path):
    """Review 96: Python's int() and Decimal() read "2_500", so tally units, a count file's counts and a price file's
    volume were read with an underscore no file writes (the README: digits, commas between groups of three)."""
    from openpyxl import Workbook

    body = HEADER + "A,2_500,book-entry,tendered\nB,600,book-entry,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        f"t.csv: row 2, column units: {UNDERSCORE}, got '2_500'"]
    assert problems(sources.read_tally, tally(tmp_path, body.replace(",", ";"))) == [
        f"t.csv: row 2, column units: {UNDERSCORE}, got '2_500'"]
    wb = Workbook()
    for row in (["holder_id", "units", "method", "status"], ["A", "2_500", "book-entry", "tendered"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert problems(sources.read_tally, tmp_path / "t.xlsx") == [
        f"t.xlsx: row 2, column units: {UNDERSCORE}, got '2_500'"]
    (tmp_path / "c.csv").write_text("tendered,guaranteed delivery,failed delivery\n274_000,3500,0\n", encoding="utf-8")
    assert problems(counts.read_count_file, tmp_path / "c.csv") == [
        f"c.csv: row 2, column tendered: {UNDERSCORE}, got '274_000'"]
    (tmp_path / "p.csv").write_text("date,price,volume\n2004-02-13,7.39,2_517_000\n2004-02-17,8_39,1000\n",
                                    encoding="utf-8")
    assert problems(prices.read_prices, tmp_path / "p.csv") == [
        f"p.csv: row 2, column volume: {UNDERSCORE}, got '2_517_000'",
        f"p.csv: row 3, column price: {UNDERSCORE}, got '8_39'"]


def test_text_that_is_no_number_without_its_underscores_is_told_it_must_be_a_number(tmp_path):
    """Review 97: `N_A` or `see_notes` in a units cell were told to be written without '_', as if a number."""
    from xlpy.engine.numbers import to_decimal

    body = HEADER + "A,N_A,book-entry,tendered\nB,see_notes,book-entry,tendered\nC,1__000,book-entry,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 2, column units: must be a number, got 'N_A'",
        "t.csv: row 3, column units: must be a number, got 'see_notes'",
        f"t.csv: row 4, column units: {UNDERSCORE}, got '1__000'"]
    for text, why in (("_", "must be a number"), ("n_a", "must be a number"), ("7_94", UNDERSCORE),
                      ("-1_000.5", UNDERSCORE)):
        with pytest.raises(InputError, match=f"^offer.outstanding: {re.escape(why)}, got"):
            to_decimal(text, "offer.outstanding")


def test_spaces_between_thousands_outside_a_semicolon_file_are_refused_saying_where_they_are_read(tmp_path):
    """Review 96: `2 500` in a comma CSV was refused with a bare 'must be a number'; a ';' file reads it."""
    body = HEADER + "A,2 500,book-entry,tendered\nB,600,book-entry,tendered\n"
    assert problems(sources.read_tally, tally(tmp_path, body)) == [
        "t.csv: row 2, column units: must be a number: spaces separate thousands only in a ';'-separated file, not "
        "in a ','-separated file: write 2500, not 2 500, got '2 500'"]
    assert problems(sources.read_tally, tally(tmp_path, body.replace(",", "\t").replace(" ", "\u202f")))[0].endswith(
        "not in a tab-separated file: write 2500, not 2\u202f500, got '2\\u202f500'")
    assert sources.read_tally(tally(tmp_path, body.replace(",", ";"))).units == (2500, 600)
    assert problems(sources.read_tally, tally(tmp_path, body.replace("2 500", "25 00"))) == [
        "t.csv: row 2, column units: must be a number, got '25 00'"]


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


@pytest.mark.parametrize("units", [["100", "-5000"], ["100", "-1"], ["-1", "100", "-5000"]],
                         ids=["-5000", "-1", "both"])
def test_negative_units_read_by_pandas_as_whole_numbers_are_refused(tmp_path, units):
    """A units column of plain whole numbers is read as int64 and taken at once where none is negative; a negative
    one, however small (-1) or large, is refused by its row.  Review 111: the check of the column's least value
    was the only thing between -5000 and the tally's totals."""
    import pandas as pd

    path = tally(tmp_path, HEADER + "".join(f"H{i},{u},book-entry,tendered\n" for i, u in enumerate(units)))
    assert pd.read_csv(path)["units"].dtype == "int64"  # (the fast path's column, not text read again)
    assert problems(sources.read_tally, path) == [
        f"t.csv: row {i + 2}, column units: must not be negative, got {u}" for i, u in enumerate(units)
        if u.startswith("-")]


def test_a_price_of_zero_is_refused(tmp_path):
    """A price must be above 0 (a volume of 0 is a day without trades, a price of 0 no price), said by the price
    reader in its own words (review 111: only an offer file's case, through compute, read a price of 0)."""
    path = tally(tmp_path, "date,price,volume\n2024-01-02,0,100\n2024-01-03,0.00,0\n2024-01-04,8.5,0\n", "p.csv")
    assert problems(prices.read_prices, path) == [
        "p.csv: row 2, column price: must be > 0, got '0'", "p.csv: row 3, column price: must be > 0, got '0.00'"]


def test_the_agents_words_for_a_status_are_ours(tmp_path):
    """Review 156: ``Delivered``, a final tally's word for a guaranteed delivery that was made, was refused (``must be
    one of tendered, withdrawn, failed``); it means tendered, as ``received`` does."""
    path = tally(tmp_path, HEADER + "H1,10,NGD,Delivered\nH2,20,NGD,Not Delivered\nH3,5,DTC,Received\n"
                 "H4,7,DTC,Withdrawal\n")
    read = sources.read_tally(path)
    assert list(zip(read.holder_id, read.status)) == [
        ("H1", "tendered"), ("H2", "failed"), ("H3", "tendered"), ("H4", "withdrawn")]
