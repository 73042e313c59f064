"""The standard workbook as a reviewer reads and prints it: print titles, widths, formats, alignment, charts."""

from __future__ import annotations

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
