"""The standard workbook as a reviewer reads and prints it: print titles, widths, formats, alignment, charts."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import load_workbook

from xlpy.workbook.layout import Shape, layout


def _book(path):
    wb = load_workbook(path)
    return wb, layout(Shape.decode(wb.defined_names["xlpyLayout"].attr_text))


def test_every_long_table_prints_its_header_on_every_page(standard_books):
    wb, lay = _book(standard_books["holders"])
    for sheet_title, table_name in (("Tenders", "tblTenders"), ("Prices", "tblPrices"), ("History", "tblHistory")):
        _, table = lay.table(table_name)
        header = table.header_row
        assert wb[sheet_title].print_title_rows == f"${header}:${header}", sheet_title
    # A fixed ratio has no price table: nothing to repeat.
    wb, _ = _book(standard_books["seed"])
    assert wb["Prices"].print_title_rows is None


def test_the_ratio_quotient_shows_its_ten_decimals_and_its_note_prints_whole(standard_books):
    wb, lay = _book(standard_books["holders"])
    sheet, item, row = lay.item("RatioQuotient")
    ws = wb[sheet.title]
    assert ws[f"C{row}"].number_format == "0.0000000000"  # ROUND(...,10): all ten decimals shown
    note = ws[f"D{row}"]
    assert note.value == item.note and note.alignment.wrap_text
    # Wrapped to the lines its column gives it at about 1.36 characters a unit of width, the row as tall as them.
    width = ws.column_dimensions["D"].width
    lines = -(-len(item.note) // int(width * 1.36))
    assert lines > 1 and ws.row_dimensions[row].height >= 15 * lines
    assert lines <= 3  # wide enough not to make the row a column of words
    assert {ws[f"{c}{row}"].alignment.vertical for c in "BCD"} == {"top"}


def _history_record(ws, table):
    tally, sha = (ws[f"{table.letter(k)}{table.first_row}"] for k in ("tally", "sha256"))
    return tally, sha


def test_history_prints_the_tally_file_and_its_sha256_whole(standard_books, tmp_path):

    from repo_paths import TALLY

    from xlpy.workbook.refresh_file import refresh_file

    wb, lay = _book(standard_books["holders"])
    _, table = lay.table("tblHistory")
    ws = wb["History"]
    tally, sha = _history_record(ws, table)
    assert len(sha.value) == 64 and tally.value == TALLY
    assert tally.alignment.wrap_text and sha.alignment.wrap_text
    # The hash in a monospace font, in a column wide enough for half of it a line (32 characters at 9 points,
    # 0.6 em each in the widest common monospace font: about 230 pixels, the indent besides).
    assert sha.font.name == "Consolas" and sha.font.sz == 9
    assert ws.column_dimensions[table.letter("sha256")].width >= 34
    assert ws.column_dimensions[table.letter("tally")].width >= 36
    # ... and not absurdly wide: the count and its figures (the first page wide, layout 15 printing the price file,
    # its SHA-256, the user and the version on the page beside) within 15 % of what they were with the record cut off
    keys = [c.key for c in table.columns]
    widths = [ws.column_dimensions[table.letter(k)].width for k in keys[:keys.index("change") + 1]]
    assert sum(widths) <= 190 * 1.15
    # Layout 16 (review 109): the tally's SHA-256 prints on the page beside, with the price file's, so the count's
    # page prints at 55% or more, where it printed at 49% (about 5-point type); the chart begins after When, which
    # the page beside repeats: a strip of it printed beside the SHA-256s
    assert keys.index("sha256") > keys.index("change") and ws.col_breaks.brk[0].id == table.first_col + keys.index(
        "change")
    assert ws.page_setup.scale >= 55, ws.page_setup.scale
    (chart,) = ws._charts
    assert chart.anchor._from.col == table.first_col, chart.anchor._from.col  # (0-based: column C)
    # Every History row holds three lines (a path of three lines printed over the row above when rows held two), the
    # rows a refresh adds too (written without a height of their own): the sheet's default height; the chart's rows
    # above the table keep the usual height.
    assert ws.sheet_format.customHeight and ws.sheet_format.defaultRowHeight >= 13.5 * 3
    assert ws.row_dimensions[table.first_row].height is None
    assert {ws.row_dimensions[r].height for r in range(1, table.header_row)} == {15}

    book = tmp_path / "book.xlsm"
    standard_books.copy_into("holders", tmp_path)
    lines = (tmp_path / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    today = tmp_path / "today.csv"  # today's tally: a line fewer
    today.write_text("".join(lines[:-1]), encoding="utf-8")
    refresh_file(book, today, backup=False)
    wb, lay = _book(book)
    ws = wb["History"]
    _, table = lay.table("tblHistory")
    assert table.rows == 2
    for row in (table.first_row, table.last_row):
        assert ws.row_dimensions[row].height is None  # the default, three lines
        for key in ("tally", "sha256"):
            assert ws[f"{table.letter(key)}{row}"].alignment.wrap_text
    assert ws[f"{table.letter('sha256')}{table.last_row}"].font.name == "Consolas"
    assert ws.sheet_format.defaultRowHeight >= 13.5 * 3
    # History's rows are a record, not inputs: black, not the inputs' blue, the build's row and a refresh's alike
    colors = {(ws.cell(row, table.first_col + i).font.color.rgb or "")[-6:] for row in (table.first_row,
              table.last_row) for i, c in enumerate(table.columns) if c.formula is None}
    assert colors == {"000000"}


def _chart_xml(path, sheet_title: str) -> str:
    """The XML of the chart whose series read *sheet_title* (each chart of the workbook reads one sheet)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    found = [c for c in charts if f"<f>'{sheet_title}'!" in c]
    assert len(found) == 1
    return found[0]


def test_the_participation_chart_marks_each_count_so_a_new_workbooks_one_count_shows(standard_books):
    import re

    _, lay = _book(standard_books["seed"])
    assert lay.table("tblHistory")[1].rows == 1  # a new workbook: one count, a line of one point draws nothing
    xml = _chart_xml(standard_books["seed"], "History")
    markers = re.findall(r"<marker><symbol val=\"(\w+)\"/><size val=\"(\d+)\"/>", xml)
    assert markers == [("circle", "7")]
    assert '<symbol val="none"/>' not in xml


def test_a_label_beside_wrapped_text_sits_at_its_first_line(standard_books):
    wb, lay = _book(standard_books["seed"])
    rows = [(s.title, row) for s, b, item, row in lay.items()
            if b.title == "Using this workbook" or (s.title, item.label) == ("History", "Rows")]
    assert len(rows) == 5
    for title, row in rows:
        ws = wb[title]
        assert ws[f"C{row}"].alignment.wrap_text and ws[f"C{row}"].alignment.vertical == "top"
        assert ws[f"B{row}"].alignment.vertical == "top", (title, row, ws[f"B{row}"].value)
    # The longest of them wraps to two lines of the Cover's 66-wide column: its row holds both.
    _, _, item, row = max(((s, b, i, r) for s, b, i, r in lay.items("Cover") if b.title == "Using this workbook"),
                              key=lambda x: len(x[2].note))
    assert len(item.note) > 66 * 1.36 and wb["Cover"].row_dimensions[row].height >= 30


def test_checks_texts_stay_inside_their_columns(standard_books):
    from openpyxl.utils import get_column_letter

    from xlpy.workbook.layout import CHECK_COLS, FUNCTIONS_NOT_LOADED, TIES_NOT_RUN

    wb, lay = _book(standard_books["seed"])
    ws = wb["Check"]
    _, function, _, flag = CHECK_COLS[1:]
    _, _, row = lay.item("CheckCharge")
    # Where xlpy's functions are not loaded, these are what the columns show (one unit of width a character is
    # on the safe side for Calibri 10): inside the header band and the used range, not past them.
    for col, text in ((function, FUNCTIONS_NOT_LOADED), (flag, TIES_NOT_RUN)):
        letter = get_column_letter(col)
        assert f'"{text}"' in ws[f"{letter}{row}"].value
        assert ws.column_dimensions[letter].width >= len(text), letter
    assert col == ws.max_column
    band = next(b.row - 1 for _, b, i, _ in lay.items("Check") if i.name == "CheckCharge")
    assert ws.cell(band, col).fill.fgColor.rgb.endswith("1F3864")  # the tie-outs' header band reaches it


def test_checks_figures_sit_right_under_their_headers_and_the_flag_in_the_middle(standard_books):
    """A tie-out row's figures, text ones too ("$9.6 million" as announced, "functions not loaded"), sit on the right
    of their columns as their headers do, and the flag in the middle of its own: a figure no longer runs into the
    text beside it ("$9,597,836.40functions not loaded")."""
    from openpyxl.utils import get_column_letter

    from xlpy.workbook.layout import CHECK_COLS

    wb, lay = _book(standard_books["seed"])
    ws = wb["Check"]
    band = next(b.row - 1 for _, b, i, _ in lay.items("Check") if i.name == "CheckCharge")
    for name in ("CheckCharge", "CheckChargeText"):
        _, _, row = lay.item(name)
        for col, where in zip(CHECK_COLS[1:], ("right", "right", "right", "center")):
            letter = get_column_letter(col)
            assert ws[f"{letter}{row}"].alignment.horizontal == where, f"{letter}{row}"
            assert ws[f"{letter}{band}"].alignment.horizontal == where, f"{letter}{band}"


def test_a_long_text_input_wraps_inside_its_box_and_its_row_shows_it(standard_books):
    wb, lay = _book(standard_books["seed"])
    sheet, _, row = lay.item("Security")
    ws = wb[sheet.title]
    cell = ws[f"C{row}"]
    assert cell.value == "Series B Cumulative Convertible Preferred Stock"
    assert cell.alignment.wrap_text  # not spilt over the notes column
    # 47 characters in a column 22 wide (about 30 of Calibri 10 a line): two lines, the row as tall as both
    assert ws.column_dimensions["C"].width == 22 and ws.row_dimensions[row].height >= 30
    assert ws[f"B{row}"].alignment.vertical == cell.alignment.vertical == "top"
    # A short one keeps the usual height.
    _, _, row = lay.item("Issuer")
    assert ws[f"C{row}"].alignment.wrap_text and ws.row_dimensions[row].height is None


def test_a_blocks_rows_read_alike_and_a_note_that_fits_keeps_the_usual_height(standard_books):
    wb, lay = _book(standard_books["seed"])
    ws = wb["Inputs"]
    labels = {ws[f"B{row}"].alignment.vertical for _, _, _, row in lay.items("Inputs")}
    assert labels == {"top"}  # a row with a note beside it sits as its neighbours without one
    # The longest note of Inputs (90 characters of 9-point italic) fits the 60-wide column on one line.
    _, item, row = lay.item("CarryingPerUnit")
    assert len(item.note) == 90 and ws.row_dimensions[row].height is None


def test_no_frozen_pane_fills_a_laptops_window(standard_books):
    """A frozen pane taller than the window leaves nothing to scroll: a 1366x768 screen shows some 450 pixels of
    grid (about 340 points). Tenders and History keep their blocks and chart above the table unfrozen (Excel shows
    a table's headers in place of the column letters as it scrolls); what is frozen stays well under that."""
    for kind in ("holders", "seed"):
        wb, _ = _book(standard_books[kind])
        for ws in wb.worksheets:
            pane = ws.freeze_panes
            if pane is None:
                continue
            row = int(pane.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            height = sum(ws.row_dimensions[r].height or 15 for r in range(1, row))
            assert height <= 240, (kind, ws.title, pane, height)
        assert wb["Tenders"].freeze_panes is None and wb["History"].freeze_panes is None


def test_a_tables_columns_are_as_wide_as_the_layout_gives_them(standard_books):
    """A column a table shares with the blocks above it is as wide as the wider of the two asks: a block's
    narrow value column does not cut the table's text (a holder id of 30 characters fits on Tenders)."""
    wb, lay = _book(standard_books["holders"])
    for sheet in lay.sheets:
        ws = wb[sheet.title]
        for table in sheet.tables:
            for c in table.columns:
                letter = table.letter(c.key)
                assert ws.column_dimensions[letter].width >= max(c.width, sheet.widths.get(letter, 0)), \
                    (sheet.title, c.key)
    _, table = lay.table("tblTenders")
    assert wb["Tenders"].column_dimensions[table.letter("holder")].width * 1.1 >= 30  # Calibri 10, ~1.1 a unit


def _printed_points(ws, last_col: int) -> float:
    """Points a sheet's columns A..*last_col* take printed at 100%: a column of width w is about 8w + 5 pixels, at
    96 pixels an inch, widths being counted in digits of the workbook's Normal style (the template's Calibri 12;
    7w + 5 would be Calibri 11's, and put the holder table's print near 7.6 points where LibreOffice draws 6.6)."""
    from openpyxl.utils import get_column_letter

    dims = ws.column_dimensions
    widths = [dims[get_column_letter(c)].width if get_column_letter(c) in dims and dims[get_column_letter(c)].width
              else 8.43 for c in range(1, last_col + 1)]
    return sum(8 * w + 5 for w in widths) * 72 / 96


def test_the_holder_table_prints_at_a_size_that_can_be_read(standard_books):
    """Fit to the width of a landscape page, the holder table printed at about 5-point type: the line number sat
    in the blocks' 36-wide label column and the units in their 48-wide note column. The holder's name now takes
    the label column, the tally line the value column, the notes column is as narrow as the units in it (its
    notes written over the empty cells beside them, not wrapped into a column of words), and the other columns
    as narrow as their words and realistic figures (LibreOffice draws the table at 7.3 points); a figure wider
    than its column shrinks to fit it, never ####."""
    wb, lay = _book(standard_books["holders"])
    ws = wb["Tenders"]
    sheet, table = lay.table("tblTenders")
    assert [table.letter(k) for k in ("holder", "line", "units")] == ["B", "C", "D"]
    assert ws[f"B{table.header_row}"].value == "Holder" and ws[f"C{table.header_row}"].value == "Tally line"
    last = table.first_col + len(table.columns) - 1
    page = (11 - 2 * ws.page_margins.left) * 72  # landscape letter, between the margins
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    size = 10 * min(1.0, page / _printed_points(ws, last))  # the table's Calibri 10, as fit-to-width scales it
    assert size >= 7.0, size
    for c in table.columns:
        cell = ws[f"{table.letter(c.key)}{table.first_row}"]
        assert bool(cell.alignment.shrink_to_fit) == (c.fmt != "text"), c.key
    for _, _, item, row in lay.items("Tenders"):
        if item.note:  # written over the cells beside it, which hold nothing
            assert not ws[f"D{row}"].alignment.wrap_text and ws.row_dimensions[row].height is None, item.name
            assert all(ws.cell(row=row, column=c).value is None for c in range(5, last + 1)), item.name
    # Typed counts have no table: their notes keep a wide column of their own.
    wb, _ = _book(standard_books["seed"])
    assert wb["Tenders"].column_dimensions["D"].width == 48


def test_every_printed_page_names_the_issuer(standard_books, tmp_path):
    """A continuation page (the holder list's, the EPS page) said only the sheet's name and its number: an auditor's
    workpaper names the entity on every page. The footer's middle holds the issuer, a footer's & doubled; its left
    the file and the sheet, its right the page and the day it was printed (review 67)."""
    from repo_paths import SEED_TEXT

    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import FOOTER_ISSUER, build_workbook

    wb, _ = _book(standard_books["holders"])
    for ws in wb.worksheets[:-1]:  # (the hidden xlwings settings print nothing)
        footer = ws.oddFooter
        assert (footer.left.text, footer.center.text, footer.right.text) == (
            "&F: &A", "Hecla Mining Company", "Page &P of &N, printed &D"), ws.title
    long = "Procter & Gamble" + " Holdings" * 10
    (tmp_path / "pg.toml").write_text(SEED_TEXT.replace('issuer = "Hecla Mining Company"', f'issuer = "{long}"'),
                                      encoding="utf-8")
    offer, results = compute_file(tmp_path / "pg.toml")
    assert offer.issuer == long
    wb, _ = _book(build_workbook(offer, results, tmp_path / "pg.xlsm"))
    center = wb["Results"].oddFooter.center.text
    assert center.startswith("Procter && Gamble Holdings") and center.endswith("…")
    assert len(center.replace("&&", "&")) == FOOTER_ISSUER
    # a name holding what reads as a footer code ("&[Page]" openpyxl writes as "&P") stays text
    (tmp_path / "codes.toml").write_text(SEED_TEXT.replace('issuer = "Hecla Mining Company"',
                                                           'issuer = "Smith &[Page] & Co &P"'), encoding="utf-8")
    offer, results = compute_file(tmp_path / "codes.toml")
    path = build_workbook(offer, results, tmp_path / "codes.xlsm")
    with zipfile.ZipFile(path) as z:
        footers = set(re.findall(r"<oddFooter>(.*?)</oddFooter>", z.read("xl/worksheets/sheet5.xml").decode()))
    assert footers == {"&amp;L&amp;F: &amp;A&amp;CSmith &amp;&amp; [Page] &amp;&amp; Co &amp;&amp;P&amp;RPage "
                       "&amp;P of &amp;N, printed &amp;D"}


def test_eps_prints_on_a_page_of_its_own_and_the_cover_prints_its_text(standard_books, tmp_path):
    """Results' EPS block was split at a page's foot (its title and four rows on one page, the EPS figures alone on
    the next); the Cover printed at three quarters of its size, its buttons (which print nothing) to its right."""
    from repo_paths import NOTES

    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    offer, results = compute_file(NOTES)
    wb, lay = _book(build_workbook(offer, results, tmp_path / "notes.xlsm"))
    (eps,) = [b for s in lay.sheets if s.title == "Results" for b in s.blocks if b.title == "Earnings per share"]
    assert [b.id for b in wb["Results"].row_breaks.brk] == [eps.row - 2]  # after the blank row above its title
    seed, _ = _book(standard_books["seed"])
    assert seed["Results"].row_breaks.brk == []  # no period, no EPS block: the page breaks where it falls
    for book in (wb, seed):
        cover = book["Cover"]
        assert cover.print_area == f"'Cover'!$B$1:$D${cover.max_row}"


def test_the_sensitivity_charts_prices_sit_below_its_plot(standard_books):
    """A charge that goes negative (a failed test, a low price) drew the share prices over the lines at $0."""
    import re
    import zipfile

    with zipfile.ZipFile(standard_books["seed"]) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    (sensitivity,) = [c for c in charts if "Charge by share price" in c]
    assert re.search(r"<(?:c:)?catAx>(?:(?!</(?:c:)?catAx>).)*<(?:c:)?tickLblPos val=\"low\"/>", sensitivity, re.S)
    # a charge below zero is a credit on the value axis too, as the grid prints it (review 112: "-$2,000,000")
    (value_axis,) = re.findall(r"<(?:c:)?valAx>.*?</(?:c:)?valAx>", sensitivity, re.S)
    assert 'formatCode="$#,##0;$#,##0&quot; credit&quot;"' in value_axis, value_axis


def test_the_identities_say_the_later_exchanges_their_formulas_add():
    """Accepted + remaining = outstanding showed TRUE beside 274,000 + 155,777 ≠ 464,777: the formula adds the later
    exchanges' units, and now the label says so."""
    plain, later = layout(Shape()), layout(Shape(exchange_rows=2, period=True))
    assert plain.item("IdTotals")[1].label == "Accepted + remaining = outstanding"
    assert later.item("IdTotals")[1].label == "Accepted + later exchanges + remaining = outstanding"
    assert "+SUM(ExUnits)" in later.item("IdTotals")[1].formula
    assert later.item("IdCommon")[1].label == "Common after = before + issued (this offer and later exchanges)"


def test_a_fixed_note_is_true_whichever_way_its_figure_goes(standard_books):
    """A note is text, the same whatever the figure beside it: "test failing: ..." stood beside a charge whose
    test passes, "FALSE: preliminary" beside TRUE, and Sensitivity began "Test failed:" on every workbook."""
    for shape in (Shape(), Shape(tally="holders", holder_rows=3)):
        lay = layout(shape)
        charge, final = lay.item("InducedCharge")[1].note, lay.item("FinalCount")[1].note
        assert "passing" in charge and "failing" in charge, charge
        assert final.startswith("TRUE: final; FALSE: preliminary"), final
    wb, _ = _book(standard_books["seed"])
    texts = [c.value for row in wb["Sensitivity"].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(t.startswith("Test failed") for t in texts)
    assert any(t.startswith("When the induced-conversion test fails:") for t in texts)


def unshown_whole_counts(path) -> list[str]:
    """The cells of a fractional count (``count4``) outside a table that Excel would show as ``1,298,760.``: every
    such cell needs a zero section and a ``MOD(ref,1)=0`` rule formatting it ``#,##0``."""
    from xlpy.workbook.layout.model import FMT

    wb = load_workbook(path)
    missing = []
    for ws in wb.worksheets:
        in_tables = [t.ref for t in ws.tables.values()]
        ruled = {(str(cf.sqref), rule.formula[0], rule.dxf.numFmt.formatCode if rule.dxf and rule.dxf.numFmt else None)
                 for cf in ws.conditional_formatting for rule in cf.rules if rule.formula}
        for row in ws.iter_rows():
            for cell in row:
                if not cell.number_format.startswith("#,##0.####"):
                    continue
                if any(_inside(cell.coordinate, ref) for ref in in_tables):
                    continue  # a table's fraction of a share: below 1, and its zero reads 0 by the format
                ref = cell.coordinate
                if cell.number_format != FMT["count4"] or (ref, f"MOD({ref},1)=0", "#,##0") not in ruled:
                    missing.append(f"{ws.title}!{ref}")
    return missing


def _inside(coordinate: str, ref: str) -> bool:
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    row, col = coordinate_to_tuple(coordinate)
    c1, r1, c2, r2 = range_boundaries(ref)
    return r1 <= row <= r2 and c1 <= col <= c2


def test_a_whole_count_shows_no_trailing_point(standard_books):
    """Excel shows ``#,##0.####`` as "1,298,760." and "0." for whole values (LibreOffice drops the point, so the
    renders never showed it): a zero reads 0 by the format's third section, and a conditional format gives a
    whole count outside a table ``#,##0``; a fraction keeps its four decimals."""
    from xlpy.workbook.layout.model import FMT

    assert FMT["count4"] == "#,##0.####;-#,##0.####;0"
    for kind in ("seed", "holders"):
        assert unshown_whole_counts(standard_books[kind]) == [], kind
    wb, lay = _book(standard_books["seed"])
    sheet, _, row = lay.item("IncrementalShares")
    assert wb[sheet.title][f"C{row}"].number_format == FMT["count4"]  # the cell the rule is for (checked above)


def test_the_tolerance_is_shown_as_a_plain_number(standard_books):
    """It bounds differences in shares and ratios as well as dollars: 0.005, not "$0.0050"."""
    from xlpy.workbook.layout.model import FMT

    wb, lay = _book(standard_books["seed"])
    sheet, item, row = lay.item("Tolerance")
    cell = wb[sheet.title][f"C{row}"]
    assert cell.value == 0.005 and cell.number_format == FMT["ratio"] == "0.00####"
    assert "shares" in item.note


def test_a_subtitle_wider_than_its_sheet_wraps_across_it_and_one_that_fits_stays_one_line(standard_books, tmp_path):
    """A long issuer and security wrap under each sheet's title across its columns (merged, the row as tall as the
    lines), so no page is shrunk to fit them nor cut by the Cover's print area; the seed's fit and stay as they
    were."""
    import math

    from repo_paths import SEED

    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import SUBTITLE_CHAR_WIDTH, SUBTITLE_LINE_CM, build_workbook

    path = tmp_path / "long.toml"
    issuer = "Consolidated Amalgamated Transcontinental Mining, Metals, Refining and Industrial Holdings Corporation"
    path.write_text(SEED.read_text().replace('issuer = "Hecla Mining Company"', f'issuer = "{issuer}"'))
    offer, results = compute_file(path)
    wb, _ = _book(build_workbook(offer, results, tmp_path / "long.xlsm"))
    subtitle = f"{issuer}: Series B Cumulative Convertible Preferred Stock"
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        last = 4 if ws.title == "Cover" else ws.max_column
        assert ws["B2"].value == subtitle
        width = sum(ws.column_dimensions[chr(64 + c)].width for c in range(2, last + 1))
        lines = math.ceil(len(subtitle) * SUBTITLE_CHAR_WIDTH / width)
        merged = [str(r) for r in ws.merged_cells.ranges if r.min_row == 2]
        if ws.title in ("Entries", "History"):  # wide enough for it: one line, the row as built
            assert (lines, merged, ws["B2"].alignment.wrap_text) == (1, [], None), ws.title
            continue
        assert merged == [f"B2:{chr(64 + last)}2"], ws.title
        assert ws["B2"].alignment.wrap_text and ws.row_dimensions[2].height == 15 * lines >= 30, ws.title
        if ws.title == "Sensitivity":  # its chart gives up the subtitle's extra lines: the page stays one
            (chart,) = ws._charts  # (read back, its height is the anchor's extent, in EMU: 360,000 a cm)
            assert chart.anchor.ext.height / 360000 == pytest.approx(6.75 - SUBTITLE_LINE_CM * (lines - 1), 1e-3)
    wb, _ = _book(standard_books["seed"])
    for ws in wb.worksheets:
        assert not [r for r in ws.merged_cells.ranges if r.min_row == 2] and not ws["B2"].alignment.wrap_text


def test_the_sensitivity_notes_say_what_the_grid_adds_and_the_chart_sits_below_them(standard_books):
    """The grid's cells add the sweetener and the arrears or interest paid, and take the accrued interest given up
    from a failing notes offer: its notes say so (\"cash per unit\" alone read as the sweetener), and the chart
    starts below the last of them."""
    from xlpy.workbook.layout.sensitivity import SENS_PRICE_STEPS, sensitivity_origin

    wb, lay = _book(standard_books["seed"])
    ws = wb["Sensitivity"]
    top, left = sensitivity_origin(lay)
    first = top + len(SENS_PRICE_STEPS) + 1
    notes = [ws.cell(row=r, column=left).value for r in range(first, first + 4)]
    assert notes[0] == ("Cash per unit: the cash consideration (the sweetener, where the offer induces conversion) "
                        "and the dividend arrears or accrued interest paid, per unit (cash given in total: added "
                        "whole).")
    assert notes[2].endswith("− carrying amount and, for notes, accrued interest payable, per unit).")
    # (layout 16, review 112: Results called that cash the sweetener when the induced-conversion test fails too)
    labels = {item.name: item.label for block in lay.sheet("Results").blocks for item in block.items}
    assert (labels["Sweetener"], labels["SweetenerPerUnit"]) == ("Cash consideration", "Cash consideration per unit")
    sheet, ref = lay.cell("Sweetener")
    assert wb[sheet].cell(row=int(ref[1:]), column=2).value == "Cash consideration"
    grid = ws.cell(row=top + 1, column=left + 1).value
    assert 'IF(CashTotal="",SweetenerPerUnit,0)+ArrearsPerUnit' in grid and "AccruedInterestPerUnit" in grid
    assert grid.endswith(f'+IF(OR(CashTotal="",{chr(64 + left + 1)}${top}=0),0,CashTotal)')  # its participation
    (chart,) = ws._charts
    assert chart.anchor._from.row == first + 4 - 1  # zero-based: the row below the fourth note


def test_the_offers_own_column_is_named_where_its_percentage_repeats_the_caps(tmp_path):
    """An oversubscribed capped offer accepts its cap: the grid's last column (its own participation, 40%) repeated
    the cap's column (40% of outstanding), and the chart's legend read 40.00% twice.  The column is named over the
    grid and in the legend."""
    import re
    import zipfile
    from decimal import Decimal

    from xlpy.engine.compute import compute
    from xlpy.files import offerfile
    from xlpy.workbook.build import build_workbook
    from xlpy.workbook.layout.sensitivity import SENS_PARTICIPATIONS, sensitivity_cells, sensitivity_origin
    from repo_paths import NOTES

    offer = offerfile.load(NOTES)
    results = compute(offer)
    assert (results.participation, results.proration_factor) == (Decimal("0.4"), Decimal("0.5"))  # at its cap
    build_workbook(offer, results, tmp_path / "capped.xlsm")
    wb, lay = _book(tmp_path / "capped.xlsm")
    ws = wb["Sensitivity"]
    top, left = sensitivity_origin(lay)
    last = left + len(SENS_PARTICIPATIONS) + 1
    assert sensitivity_cells(lay)[(top, last)][0] == "=Participation"
    assert sensitivity_cells(lay)[(top, last - 1)][0] == '=1*IF(MaxUnits="",1,MIN(1,MaxUnits/Outstanding))'
    assert ws.cell(top - 1, last).value == "This offer"
    assert [ws.cell(top - 1, c).value for c in range(left, last)] == [None] * (last - left)
    with zipfile.ZipFile(tmp_path / "capped.xlsm") as z:
        (chart,) = [z.read(n).decode() for n in z.namelist()
                    if n.startswith("xl/charts/chart") and "Charge by share price" in z.read(n).decode()]
    series = re.findall(r"<(?:c:)?ser>(.*?)</(?:c:)?ser>", chart, re.S)
    titles = [re.search(r"<(?:c:)?tx>(.*?)</(?:c:)?tx>", s, re.S).group(1) for s in series]
    assert len(titles) == len(SENS_PARTICIPATIONS) + 1
    assert all(re.search(r"<(?:c:)?f>'Sensitivity'!\w+</(?:c:)?f>", t) for t in titles[:-1]), titles  # their cells
    assert re.search(r"<(?:c:)?v>This offer</(?:c:)?v>", titles[-1]), titles[-1]


def test_results_prints_across_the_page_when_it_holds_the_later_exchanges():
    """The later exchanges' table runs Results to column H: printed upright, the page shrank to about 57%."""
    from xlpy.workbook.layout.model import Shape

    assert not layout(Shape()).sheet("Results").landscape
    assert not layout(Shape(period=True)).sheet("Results").landscape
    assert layout(Shape(exchange_rows=2, period=True)).sheet("Results").landscape
    assert layout(Shape(exchange_rows=1)).sheet("Results").landscape
    landscape = {s.title for s in layout(Shape()).sheets if s.landscape}
    assert landscape == {"Tenders", "Sensitivity", "Entries", "History"}, landscape  # as the README says
    # Across the page its blocks overran the first by "Outstanding", printed alone on a page before EPS's: with
    # the later exchanges and a period, the second page begins at "Outstanding", EPS and the exchanges' table after
    # it. Without a period the blocks fit the first page (a break there printed a third page).
    for shape, first in ((Shape(exchange_rows=2, period=True), "Outstanding"), (Shape(exchange_rows=1), None),
                         (Shape(period=True), "Earnings per share"), (Shape(), None)):
        breaks = [b.title for b in layout(shape).sheet("Results").blocks if b.new_page]
        assert breaks == ([first] if first else []), (shape, breaks)


@pytest.mark.libreoffice
def test_the_cover_says_an_identity_fails_where_xlpys_functions_are_not_loaded(standard_books, tmp_path):
    """An auditor opens the workbook without xlpy: the Cover said "Tie-outs not run" though a native identity
    (guaranteed deliveries within tendered) failed. It says CHECKS FAIL now, and "Identities hold" while they
    do; Check says which, beside an All checks pass that is FALSE for the tie-outs not run."""
    from openpyxl import load_workbook as load

    from xlpy.workbook.libreoffice import recalculated_values

    wb, lay = _book(standard_books["seed"])
    checks = next(r for r in range(1, 40) if wb["Cover"].cell(r, 2).value == "Checks")
    values = recalculated_values(standard_books["seed"])
    sheet, ref = lay.cell("IdentitiesPass")
    assert values["Cover"][f"C{checks}"] == ("Identities hold; tie-outs not run: xlpy functions not loaded "
                                            "(see below)")
    assert (values[sheet][ref], values[sheet][lay.cell("ChecksPass")[1]]) == (True, False)
    book = load(standard_books["seed"], keep_vba=True)
    tendered = lay.cell("Tendered")
    book[lay.cell("GuaranteedDelivery")[0]][lay.cell("GuaranteedDelivery")[1]] = 300000  # above 274,000 tendered
    assert tendered[0] == lay.cell("GuaranteedDelivery")[0]
    book.save(tmp_path / "edited.xlsm")
    values = recalculated_values(tmp_path / "edited.xlsm")
    assert values["Cover"][f"C{checks}"] == "CHECKS FAIL: see the Check sheet"
    assert values[sheet][ref] is False


@pytest.mark.libreoffice
def test_inputs_print_every_decimal_typed_so_the_page_ties_to_the_entry(tmp_path):
    """QA (quarter end): accrued interest of $8.125 a note printed as $8.13 on Inputs (86,547 notes: $432.73 off
    the entry booked), a par of $0.000006 as $0.0000, a carrying amount of $987.354 as $987.35. An input prints
    as typed, to eight decimals."""
    import shutil
    import subprocess

    from repo_paths import NOTES

    from xlpy.files.offerfile import compute_file
    from xlpy.workbook import rendering
    from xlpy.workbook.build import build_workbook
    from xlpy.workbook.layout import FMT

    text = NOTES.read_text(encoding="utf-8")
    for old, new in [("par_value = 0.01 ", "par_value = 0.000006 "),
                     ("carrying_per_unit = 980 ", "carrying_per_unit = 987.354 "),
                     ("accrued_interest_per_unit = 12.50 ", "accrued_interest_per_unit = 8.125 ")]:
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    (tmp_path / "data").symlink_to(NOTES.parent / "data")
    offer, results = compute_file(tmp_path / "offer.toml")
    path = build_workbook(offer, results, tmp_path / "notes.xlsm")
    wb, lay = _book(path)
    for name, kind in [("AccruedInterestPerUnit", "amount"), ("CarryingPerUnit", "amount"), ("ParValue", "unit_price"),
                       ("Price", "unit_price"), ("CashPerUnit", "amount"), ("TaxRate", "rate")]:
        sheet, ref = lay.cell(name)
        assert wb[sheet][ref].number_format == FMT[kind], name
    pdf = rendering.to_pdf(path, tmp_path / "pdf")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the formats above were checked, not the print")
    printed = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    inputs = printed.split("Accrued interest payable per unit", 1)[1].split("\n", 1)[0]
    assert "$8.125" in inputs, inputs
    assert re.search(r"Common stock par value per share\s+\$0\.000006\b", printed)
    assert re.search(r"Carrying amount per unit exchanged\s+\$987\.354\b", printed)


def test_no_printed_text_names_a_cell_by_its_formula_name(standard_books):
    """Review 109: Sensitivity's note printed "(MaxUnits ÷ Outstanding)", the names its formula reads, to a reader
    of the page; the text on the sheets says what it means in words (a formula is no text: its names stay)."""
    import re

    for kind in ("seed", "holders"):
        wb, _ = _book(standard_books[kind])
        joined = {n for n in wb.defined_names if re.search(r"[a-z][A-Z]", n)}  # (MaxUnits, not Outstanding)
        said = [(ws.title, c.coordinate, n) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and not c.value.startswith("=")
                for n in joined if re.search(rf"\b{n}\b", c.value)]
        assert said == [], said
