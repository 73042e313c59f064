"""An expiration typed later on Inputs (an offer extended) carries the window past the Holidays table (review 133).

The table lists the exchange's closings for the expiration the build or the last refresh of the prices was given,
to ten days past it.  An expiration typed later made WORKDAY take Martin Luther King Day (2005-01-17) for a
trading day: 7.90 for the engine's 7.95, and validate found 241 figures apart without saying why.  It now names
the closing the table lacks first, and the refresh that lists it again; after that refresh the workbook is valid.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

from repo_paths import DATA, FORMULA

from xlpy.cli import main
from xlpy.files import calendars
from xlpy.workbook.backends import PackageBook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout


def _extended(tmp_path, capsys):
    """A workbook built for an offer expiring 2005-01-05 (XNYS), then its expiration and valuation date typed as
    2005-01-21, as for an offer extended: (the workbook, the price file)."""
    days = calendars.sessions("XNYS", dt.date(2004, 11, 1), dt.date(2005, 1, 31))
    prices = tmp_path / "prices.csv"
    prices.write_text("date,price,volume\n" + "".join(f"{d.isoformat()},{8 + (i % 7) / 10:.2f},{1_000_000 + i}\n"
                                                      for i, d in enumerate(days)), encoding="utf-8")
    shutil.copy(DATA / "hecla-2004-tally.csv", tmp_path / "tally.csv")
    text = FORMULA.read_text(encoding="utf-8").replace("data/hecla-2004-prices-illustrative.csv", "prices.csv")
    text = text.replace("data/hecla-2004-tally.csv", "tally.csv")
    text = re.sub(r"(?m)^(expiration|date) = 2004-02-20", r"\1 = 2005-01-05", text)
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    book = tmp_path / "book.xlsm"
    assert main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-libreoffice", "-q"]) == 0
    capsys.readouterr()
    with PackageBook(book) as b:
        lay = layout(Shape.decode(b.name(LAYOUT_NAME).strip('"')))
        for name in ("Expiration", "ValuationDate"):
            b.set(*lay.cell(name), dt.datetime(2005, 1, 21))
        b.save()
    return book, prices


def test_the_closing_the_holiday_table_lacks_is_named_first_and_a_refresh_of_the_prices_mends_it(tmp_path, capsys):
    book, prices = _extended(tmp_path, capsys)
    assert main(["validate", str(book), "--no-libreoffice"]) == 1
    out = capsys.readouterr().out.splitlines()
    cause = [line for line in out if "holiday table" in line]
    assert cause == [
        "book.xlsm: Prices!F13:F14: holiday table does not list the exchange's closing on 2005-01-17, from the "
        "averaging window's start (2005-01-12) to the expiration (2005-01-21): WORKDAY takes it for trading days, so "
        "the workbook's window, average and ratio are not the engine's (the table listed for an earlier expiration, "
        "or a closing cleared since?); refresh the prices (xlpy refresh WORKBOOK --prices FILE, or the Refresh prices "
        "button) to list the exchange's closings again [inputs]"], out[:5]
    figures = [line for line in out if "differs from the engine" in line]
    assert figures and out.index(cause[0]) < out.index(figures[0])  # (the cause before the figures that follow)
    assert main(["refresh", str(book), "--prices", str(prices), "--no-backup", "-q"]) == 0
    capsys.readouterr()
    assert main(["validate", str(book), "--no-libreoffice"]) == 0
    assert "book.xlsm: valid" in capsys.readouterr().out


def test_a_built_workbook_draws_no_holiday_finding(tmp_path, capsys):
    from xlpy.workbook.validate import validate

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    assert main(["build", str(tmp_path / "offer.toml"), "-o", str(tmp_path / "b.xlsm"), "--no-validate", "-q"]) == 0
    report = validate(tmp_path / "b.xlsm", legs=())
    assert not [f for f in report.findings if "holiday table" in f.what]


def test_a_trading_day_typed_into_the_holiday_table_inside_the_window_is_named(tmp_path, capsys):
    from xlpy.workbook.validate import validate

    book, _ = _extended(tmp_path, capsys)
    with PackageBook(book) as b:
        lay = layout(Shape.decode(b.name(LAYOUT_NAME).strip('"')))
        for name in ("Expiration", "ValuationDate"):  # (the build's again: the table covers its window)
            b.set(*lay.cell(name), dt.datetime(2005, 1, 5))
        sheet, t = lay.table("tblHolidays")
        b.set(sheet.title, f"{t.letter('holiday')}{t.last_row}", dt.datetime(2004, 12, 29))  # (a Wednesday)
        b.save()
    found = [f.said() for f in validate(book, legs=()).findings if "holiday table" in f.what]
    assert found == ["book.xlsm: Prices!F13:F14: holiday table lists 2004-12-29, from the averaging window's start to "
                     "the expiration, when XNYS traded: WORKDAY skips it, so the workbook's window, average and "
                     "ratio are not the engine's; refresh the prices (xlpy refresh WORKBOOK --prices FILE, or the "
                     "Refresh prices button) to list the exchange's closings again"]


def test_compute_of_the_workbook_warns_that_its_own_figures_are_not_the_engine_s(tmp_path, capsys):
    book, _ = _extended(tmp_path, capsys)
    assert main(["compute", str(book)]) == 0
    err = capsys.readouterr().err
    assert ("xlpy compute: warning: book.xlsm: Prices!F13:F14: holiday table does not list the exchange's closing on "
            "2005-01-17, from the averaging window's start (2005-01-12) to the expiration (2005-01-21)") in err, err
    assert "these figures are the engine's, not the workbook's own" in err


def test_a_holiday_cell_that_lost_its_date_format_is_still_its_day(tmp_path, capsys):
    """A holiday read as its serial number (its date format cleared, as LibreOffice saves Long Date as General) is
    the day WORKDAY reads: no finding for a table that lists every closing."""
    from xlpy.workbook.validate import validate

    from openpyxl import load_workbook

    book, prices = _extended(tmp_path, capsys)
    assert main(["refresh", str(book), "--prices", str(prices), "--no-backup", "-q"]) == 0  # (lists 2005-01-17)
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text.strip('"')))
    sheet, t = lay.table("tblHolidays")
    col = t.letter("holiday")
    for (cell,) in wb[sheet.title][f"{col}{t.first_row}:{col}{t.last_row}"]:
        cell.number_format = "General"  # (each now read as its serial: 2005-01-17's, in the window, 38369)
    wb.save(book)
    assert 38369 in [c.value for (c,) in load_workbook(book)[sheet.title][f"{col}{t.first_row}:{col}{t.last_row}"]]
    assert not [f for f in validate(book, legs=()).findings if "holiday table" in f.what]


def test_a_closing_cleared_from_the_table_is_listed_again_by_a_refresh_from_the_same_price_file(tmp_path, capsys):
    """Review 134: the finding's advice did nothing where the price file was the one the Cover records (a closing
    cleared by hand, or an expiration typed later that moved no figure of History's): "nothing to refresh".  The
    refresh now lists the closings again, and says so."""
    from repo_paths import PRICES

    book, wb, _, cells = _formula_book(tmp_path)
    (cell,) = [c for c in cells if c.value == dt.datetime(2004, 2, 16)]  # (Presidents' Day, in the window)
    cell.value = None
    wb.save(book)
    capsys.readouterr()
    assert main(["validate", str(book), "--no-libreoffice"]) == 1
    assert "holiday table does not list the exchange's closing on 2004-02-16" in capsys.readouterr().out
    assert main(["refresh", str(book), "--prices", str(tmp_path / "data" / PRICES), "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "Prices: the holiday table differed from the exchange's closings for the workbook's expiration (a day " \
           "typed or cleared since, or the expiration moved): listed again" in out, out
    assert main(["validate", str(book), "--no-libreoffice"]) == 0
    assert "b.xlsm: valid" in capsys.readouterr().out


def _formula_book(tmp_path):
    """The formula example built (--no-validate), with its Holidays column: (book, openpyxl workbook, layout, the
    column's cells)."""
    from openpyxl import load_workbook

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    book = tmp_path / "b.xlsm"
    assert main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text.strip('"')))
    sheet, t = lay.table("tblHolidays")
    col = t.letter("holiday")
    return book, wb, lay, [c for (c,) in wb[sheet.title][f"{col}{t.first_row}:{col}{t.last_row}"]]


def _holiday_findings(book) -> list[str]:
    from xlpy.workbook.validate import validate

    return [f.said() for f in validate(book, legs=()).findings if "holiday table" in f.what]


def test_a_closing_between_the_window_and_the_expiration_is_named(tmp_path):
    """Review 137: a closing in the lag (Presidents' Day, 2004-02-16, between the window's end, 2004-02-12, and an
    expiration typed as 2004-02-17) cleared from the table moves WORKDAY's window as one inside it does; no test
    held the finding to the expiration rather than the window's end."""
    book, wb, lay, cells = _formula_book(tmp_path)
    for name in ("Expiration", "ValuationDate"):
        sheet, ref = lay.cell(name)
        wb[sheet][ref].value = dt.datetime(2004, 2, 17)
    (cell,) = [c for c in cells if c.value == dt.datetime(2004, 2, 16)]
    cell.value = None
    wb.save(book)
    (said,) = _holiday_findings(book)
    assert "does not list the exchange's closing on 2004-02-16, from the averaging window's start (2004-02-06) to " \
           "the expiration (2004-02-17)" in said, said


def test_a_text_or_a_saturday_in_the_holiday_table_is_no_closing_and_crashes_nothing(tmp_path, capsys):
    """Review 137: text typed in a holiday cell (``n/a``) is no day: the refresh of the prices lists the closings
    again, and says so (a crash had no test); a Saturday typed inside the window is no trading day listed as
    closed; a cell holding "" is a blank one."""
    from repo_paths import PRICES

    book, wb, lay, cells = _formula_book(tmp_path)
    (cell,) = [c for c in cells if c.value == dt.datetime(2004, 2, 16)]
    cell.value = "n/a"
    wb.save(book)
    (said,) = _holiday_findings(book)
    assert "does not list the exchange's closing on 2004-02-16" in said, said
    capsys.readouterr()
    assert main(["refresh", str(book), "--prices", str(tmp_path / "data" / PRICES), "--no-backup"]) == 0
    assert "Prices: the holiday table differed from the exchange's closings" in capsys.readouterr().out
    assert _holiday_findings(book) == []
    book, wb, lay, cells = _formula_book(tmp_path / "again")
    before = cells[0]  # (Thanksgiving 2003: before the window, which the finding does not look at)
    assert before.value == dt.datetime(2003, 11, 27)
    before.value = dt.datetime(2004, 2, 14)  # (a Saturday, in the window: WORKDAY skips it anyway)
    wb.save(book)
    assert _holiday_findings(book) == []

