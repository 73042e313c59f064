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
