"""The formulas leg at scale (xlpy.workbook.recalc): the same values as the library's whole-workbook model."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from repo_paths import OFFERS

from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.readback import formulas_table_values, formulas_values, table_columns
from xlpy.workbook.recalc import RecalcError, TableColumn, recalculate
from xlpy.workbook.validate import validate

#: Parallel runs (tests/conftest.py): a workbook is built in about a second where it is first asked for,
#: and a whole-workbook model takes ten; the tests spread across the workers.
SPREAD_ACROSS_WORKERS = True


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-12 * max(1.0, abs(a))
    return type(a) is type(b) and a == b


def _holder_offer(folder: Path, lines: int, seed: int) -> Path:
    """The formula example with a random holder tally: repeated holders, withdrawals, odd lots."""
    shutil.copytree(OFFERS / "data", folder / "data")
    rng = random.Random(seed)
    with open(folder / "data" / "tally.csv", "w") as fh:
        fh.write("holder_id,units,method,status\n")
        holder = 0
        for _ in range(lines):
            holder += rng.random() > 0.3  # runs of lines of one holder
            status = rng.choice(["tendered"] * 6 + ["withdrawn", "failed"])
            method = "guaranteed" if status == "failed" else rng.choice(["book-entry", "certificate", "guaranteed"])
            fh.write(f"H{holder:05d},{rng.randint(1, 60)},{method},{status}\n")
    text = (OFFERS / "hecla-2004-formula.toml").read_text()
    start = text.index("[tally]")
    end = text.index("\n[", start + 1)
    text = text[:start] + '[tally]\nfile = "data/tally.csv"\n' + text[end:]
    path = folder / "offer.toml"
    path.write_text(text)
    return path


class _Books(dict):
    """{name: built workbook}: an example offer's by its stem, or "holders" (120 holder lines) or "holders-short"
    (30); each built when first asked for."""

    def __init__(self, folder: Path, standard_books):
        super().__init__()
        self.folder = folder
        self.standard_books = standard_books

    def __missing__(self, name: str) -> Path:
        if name == "hecla-2004":  # the seed workbook, built once per run (tests/conftest.py)
            return self.standard_books["plain"]
        lines = {"holders": 120, "holders-short": 30}.get(name)
        offer = OFFERS / f"{name}.toml" if lines is None else _holder_offer(self.folder / name, lines, 11)
        o, r = compute_file(offer)
        self[name] = build_workbook(o, r, self.folder / f"{name}.xlsm")
        return self[name]


@pytest.fixture(scope="module")
def books(tmp_path_factory, standard_books) -> dict[str, Path]:
    return _Books(tmp_path_factory.mktemp("recalc"), standard_books)


@pytest.mark.parametrize("name", ["hecla-2004", "notes-capped-example", "holders"])
def test_table_recalculation_equals_the_whole_workbook_model(books, name):
    path = books[name]
    wb = load_workbook(path)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    fast = formulas_table_values(wb, lay, None)
    model = formulas_values(path)
    assert len(fast) > 80
    diffs = [(k, v, model.get(k)) for k, v in fast.items() if not _same(v, model.get(k))]
    assert diffs == []


def test_every_table_row_is_evaluated(books):
    """Change one row's input: the table's aggregates follow (nothing is sampled)."""
    wb = load_workbook(books["holders"])
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    spec = next(c for c in table_columns(lay) if c.sheet == "Tenders")
    units_col = spec.col - 3  # units: holder, units, method, status, then the formula columns
    last = spec.last_row
    sheet, ref = lay.cell("Tendered")
    before = formulas_table_values(wb, lay, [(sheet, ref)])[(sheet.upper(), ref)]
    cell = wb["Tenders"].cell(last, units_col)
    status = wb["Tenders"].cell(last, units_col + 2).value
    cell.value = cell.value + 1000
    after = formulas_table_values(wb, lay, [(sheet, ref)])[(sheet.upper(), ref)]
    assert after - before == (1000 if status != "withdrawn" else 0)


def test_running_total_of_one_long_holder():
    """A running total over many lines of one holder settles to the row-by-row values."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "T"
    n = 200
    for r in range(2, 2 + n):
        ws.cell(r, 1, "H1" if r < 150 else f"H{r}")
        ws.cell(r, 2, r)
        ws.cell(r, 3, "=B2" if r == 2 else f"=IF(A{r}=A{r - 1},C{r - 1},0)+B{r}")
    ws["E1"] = f"=SUM(C2:C{n + 1})"
    spec = TableColumn("T", 3, 2, n + 1, lambda r: ws.cell(r, 3).value, lambda r: "first" if r == 2 else "rest")
    got = recalculate(wb, [spec], [("T", "E1")])[("T", "E1")]
    want, run, prev = 0, 0, None
    for r in range(2, 2 + n):
        h = ws.cell(r, 1).value
        run = (run if h == prev else 0) + r
        prev = h
        want += run
    assert got == want


def test_a_name_the_workbook_does_not_define_computes_name_error_as_excel_does():
    """A formula reading a name no workbook defines (one deleted in the Name Manager) computes #NAME?, as Excel and
    LibreOffice do, in a table's column and beside it, where the formulas library compiles it as #REF!; a #REF! the
    formula holds itself (a row deleted) stays #REF!."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    wb = Workbook()
    ws = wb.active
    ws.title = "T"
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="T!$E$1")
    ws["E1"] = 2
    for r in range(1, 5):
        ws.cell(r, 1, r)
        ws.cell(r, 2, f"=A{r}*Gone")
    ws["E2"], ws["E3"], ws["E4"], ws["E5"] = "=Rate*Gone", "=Rate*3", "=IF(E1<>#REF!,1,2)", "=SUM(B1:B4)"
    spec = TableColumn("T", 2, 1, 4, lambda r: ws.cell(r, 2).value, lambda r: "all")
    got = {ref: str(v) for (_, ref), v in recalculate(wb, [spec], [("T", f"E{r}") for r in range(2, 6)]).items()}
    assert got == {"E2": "#NAME?", "E3": "6.0", "E4": "#REF!", "E5": "#NAME?"}


def test_a_circular_column_is_refused():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "T"
    for r in range(1, 5):
        ws.cell(r, 1, f"=A{r + 1}+1" if r < 4 else "=A1+1")
    spec = TableColumn("T", 1, 1, 4, lambda r: ws.cell(r, 1).value, lambda r: r)
    with pytest.raises(RecalcError):
        recalculate(wb, [spec])


def test_tampered_table_row_is_found(books, tmp_path):
    """A row formula changed in one holder line: the structure check names it; the leg still runs."""
    wb = load_workbook(books["holders"], keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    spec = next(c for c in table_columns(lay) if c.sheet == "Tenders")
    row = spec.first_row + 7
    wb["Tenders"].cell(row, spec.col).value = "=0"
    bad = tmp_path / "bad.xlsm"
    wb.save(bad)
    report = validate(bad, legs=("formulas",))
    ref = f"Tenders!{wb['Tenders'].cell(row, spec.col).coordinate}"
    assert any(f.where == ref and "formula differs" in f.what for f in report.findings)
    assert report.legs_run == ["formulas"]
    # the tampered row evaluated on its own, not the whole-workbook model (openpyxl's save drops saved values: a note)
    assert not any("whole-workbook model" in n for n in report.notes), report.notes


@pytest.mark.parametrize("tamper", [("=0", "=0"), (7, 7), ("=2*D{r}", "=IF(B{r}=B{p},123,0)+G{r}")])
def test_tampered_rows_evaluate_as_the_model_does(books, tmp_path, tamper):
    """Rows that differ from the layout (one in the running total) give the model's values.  The holder table of 30
    lines, not 120: the whole-workbook model takes a second for every ten lines or so, and the table at scale is
    held to the model untampered (test_table_recalculation_equals_the_whole_workbook_model)."""
    wb = load_workbook(books["holders-short"], keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    cols = [c for c in table_columns(lay) if c.sheet == "Tenders"]
    row = cols[0].first_row + 5
    for spec, text in zip(cols[:2], tamper):  # eligible, and the running total
        wb["Tenders"].cell(row, spec.col).value = text.format(r=row, p=row - 1) if isinstance(text, str) else text
    bad = tmp_path / "bad.xlsm"
    wb.save(bad)
    wb = load_workbook(bad)
    fast = formulas_table_values(wb, lay, None, as_found=True)
    model = formulas_values(bad)
    assert [(k, v, model.get(k)) for k, v in fast.items() if not _same(v, model.get(k))] == []


def _same_cells(fast, slow) -> None:
    assert fast.sheetnames == slow.sheetnames
    for a, b in zip(fast.worksheets, slow.worksheets):
        assert set(a._cells) == set(b._cells), a.title
        for k, c in b._cells.items():
            d = a._cells[k]
            assert (d.value, d.data_type, d.number_format, d.style_id) == (
                c.value, c.data_type, c.number_format, c.style_id), (a.title, k)


def test_fast_load_reads_the_cells_openpyxl_reads(books, monkeypatch):
    """The holder table read from the sheet's XML: every cell as openpyxl's own reader gives it."""
    from xlpy.workbook import fastload

    monkeypatch.setattr(fastload, "MIN_ROWS", 10)
    path = books["holders"]
    fast, slow = fastload._load(path), load_workbook(path)
    _same_cells(fast, slow)
    assert set(fast.defined_names) == set(slow.defined_names)


def test_fast_load_reads_a_refreshed_table_shared_formulas_and_all(books, tmp_path, monkeypatch):
    """A refresh writes the formula columns as shared formulas: read fast, member by member as openpyxl shifts them."""
    from xlpy.workbook import fastload
    from xlpy.workbook.refresh_file import refresh_file

    monkeypatch.setattr(fastload, "MIN_ROWS", 10)
    book = tmp_path / "holders.xlsm"
    shutil.copy(books["holders"], book)
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    spec = next(c for c in table_columns(lay) if c.sheet == "Tenders")
    ws = wb["Tenders"]  # holder, units, method, status: the four columns before the formulas
    rows = [[ws.cell(r, spec.col - k).value for k in (4, 3, 2, 1)] for r in range(spec.first_row, spec.last_row + 1)]
    tally = tmp_path / "today.csv"  # today's tally: seven lines fewer
    tally.write_text("holder_id,units,method,status\n" + "".join(f"{h},{u},{m},{s}\n" for h, u, m, s in rows[:-7]),
                     encoding="utf-8")
    refresh_file(book, tally, backup=False)
    import zipfile

    with zipfile.ZipFile(book) as zf:
        part = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and b'si="0"' in zf.read(n))
        assert b'<f t="shared" si="0"/>' in zf.read(part)  # members, whose text only a shift gives
    _same_cells(fastload._load(book), load_workbook(book))  # _load raises rather than fall back


def test_fast_load_falls_back_on_a_shared_formula_it_cannot_shift(books, tmp_path, monkeypatch):
    """A member whose master lies outside the table's rows: openpyxl's reader decides, and load still matches it."""
    import zipfile

    from openpyxl.utils import get_column_letter

    from xlpy.workbook import fastload

    monkeypatch.setattr(fastload, "MIN_ROWS", 10)
    src = books["holders"]
    wb = load_workbook(src)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    spec = next(c for c in table_columns(lay) if c.sheet == "Tenders")
    out = tmp_path / "odd.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            cell = f'<c r="{get_column_letter(spec.col)}{spec.first_row + 1}"'.encode()
            if cell in data:  # the second row's cell: a member of a group with no master in the table
                start = data.index(cell)
                end = data.index(b"</c>", start) + 4
                data = data[:start] + cell + b' s="0"><f t="shared" si="40"/></c>' + data[end:]
            zout.writestr(info, data)
    with pytest.raises(fastload._Fallback, match="master is not in the table"):
        fastload._load(out)
    _same_cells(fastload.load(out), load_workbook(out))


@pytest.mark.parametrize("aca", ["false", "true"])
def test_fast_load_reads_formulas_as_libreoffice_writes_them_out(books, tmp_path, monkeypatch, aca):
    """LibreOffice writes each formula of the table out, ``<f aca="false">``: read fast (a 100,000-line table
    saved by LibreOffice went to openpyxl's reader, half a minute of ``validate``), as openpyxl reads it."""
    import zipfile

    from xlpy.workbook import fastload

    monkeypatch.setattr(fastload, "MIN_ROWS", 10)
    out = tmp_path / "saved.xlsm"
    with zipfile.ZipFile(books["holders"]) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<f>", f'<f aca="{aca}">'.encode())
            zout.writestr(info, data)
    with zipfile.ZipFile(out) as zf:
        assert sum(zf.read(n).count(b'<f aca="') for n in zf.namelist() if n.startswith("xl/worksheets/")) > 100
    _same_cells(fastload._load(out), load_workbook(out))  # _load raises rather than fall back


def test_fast_load_reads_shared_strings_as_openpyxl_does(books, tmp_path, monkeypatch):
    """A workbook saved by openpyxl (text in shared strings, one holder with Excel's _x escape)."""
    from xlpy.workbook import fastload

    monkeypatch.setattr(fastload, "MIN_ROWS", 10)
    wb = load_workbook(books["holders"], keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    spec = next(c for c in table_columns(lay) if c.sheet == "Tenders")
    wb["Tenders"].cell(spec.first_row + 3, spec.col - 4).value = "H_x0041_ & <co>"
    path = tmp_path / "saved.xlsm"
    wb.save(path)
    fast, slow = fastload._load(path), load_workbook(path)
    for a, b in zip(fast.worksheets, slow.worksheets):
        assert {k: (c.value, c.data_type) for k, c in a._cells.items()} == {
            k: (c.value, c.data_type) for k, c in b._cells.items()}, a.title


def test_formulas_access_leaves_the_function_table_as_it_found_it():
    """AND and OR go element by element only while a row template compiles; ROUND is Excel's once registered."""
    import formulas

    from xlpy.workbook import formulas_access as fa

    fa.register_functions()
    table = formulas.get_functions()
    before = (table.get("AND"), table.get("OR"))
    with fa.elementwise_and_or():
        assert (table.get("AND"), table.get("OR")) != before
    assert (table.get("AND"), table.get("OR")) == before
    fa.register_functions()  # a second time changes nothing
    cell = fa.compile_cell("'S'!A1", "=ROUND(2.675, 2)", "S", {})
    import numpy as np

    assert not cell.inputs
    assert float(np.asarray(cell.func()).ravel()[0]) == 2.68  # half away from zero, not Python's 2.67
    assert fa.is_error(fa.error_values()["#N/A"]) and not fa.is_error(1.0)


@pytest.mark.parametrize("formula, serial", [
    ("=WORKDAY(38038,-1)", 38037),  # Saturday 21 February 2004, one working day back: Friday the 20th
    ("=WORKDAY(38038,1)", 38040),  # forward: Monday the 23rd
    ("=WORKDAY(38038,0)", 38038),  # no days: the start day itself
    ("=WORKDAY(38037+1,-1)", 38037),  # the Prices sheet's window end for a Friday expiration and lag 0
    ("=WORKDAY(38033,1,38033)", 38034),  # from a holiday (Presidents' Day, 16 February): Tuesday
    ("=WORKDAY(38040,-5,38033)", 38030),  # five back from the 23rd over the holiday: Friday the 13th
])
def test_workday_counts_from_a_day_off_as_excel_does(formula, serial):
    """The formulas library refused a start day off (#VALUE!), Excel and LibreOffice count from it."""
    import formulas

    from xlpy.workbook.formulas_access import register_functions

    register_functions()
    assert formulas.Parser().ast(formula)[1].compile()() == serial


def _formula_offer(folder: Path, name: str, formula: str, *, expiration: str = "2004-02-20", outstanding: int = 464777,
                   tendered: int = 274000, common: int = 115000000) -> Path:
    """An offer file *name*.toml in *folder* whose ratio is set by *formula* (the lines of its table)."""
    path = folder / f"{name}.toml"
    path.write_text(f"""schema = 1
[offer]
id = "{name}"
issuer = "Formula Co"
kind = "preferred"
outstanding = {outstanding}
original_ratio = 3.2
common_outstanding_before = {common}
expiration = {expiration}
[offer.consideration.formula]
{formula}
[tally]
tendered = {tendered}
[valuation]
date = {expiration}
price = 7.39
""")
    return path


def _price_file(folder: Path, rows) -> None:
    """p.csv in *folder*: (date, price, volume) rows."""
    (folder / "p.csv").write_text("date,price,volume\n" + "".join(f"{d},{p},{v}\n" for d, p, v in rows))


def test_a_friday_expiration_with_no_lag_validates(tmp_path):
    """The ratio's window ends on the expiration day itself: WORKDAY(Expiration+1,-1) starts on a Saturday."""
    shutil.copy(OFFERS / "data" / "hecla-2004-prices-illustrative.csv", tmp_path / "prices.csv")
    formula = 'value = 66\nprices = "prices.csv"\naveraging_days = 5\nlag_days = 0'
    offer_path = _formula_offer(tmp_path, "friday", formula, outstanding=1000, tendered=100, common=1000000)
    offer, results = compute_file(offer_path)
    assert results.averaging_end.isoformat() == "2004-02-20"
    book = build_workbook(offer, results, tmp_path / "friday.xlsm")
    report = validate(book, offer_path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []


def test_an_original_ratio_that_does_not_terminate_validates_against_its_offer_file(tmp_path):
    """50 / 15.12 is carried to 34 digits by the engine; the workbook's cell holds the nearest binary number, which is
    the same input, not a difference from the offer file."""
    (tmp_path / "r0.toml").write_text("""schema = 1
[offer]
id = "r0"
issuer = "Fuzz Co"
kind = "preferred"
outstanding = 100
face_per_unit = 50
original_conversion_price = 15.12
common_outstanding_before = 1000
expiration = 2024-05-15
[offer.consideration]
ratio = 4
[tally]
tendered = 10
[valuation]
date = 2024-05-15
price = 1
""")
    offer, results = compute_file(tmp_path / "r0.toml")
    assert len(offer.original_ratio.as_tuple().digits) > 15
    book = build_workbook(offer, results, tmp_path / "r0.xlsm")
    report = validate(book, tmp_path / "r0.toml", legs=("formulas",))
    assert [str(f) for f in report.findings] == []


@pytest.mark.parametrize("value, price, places, ratio", [
    ("66", "17.60", 1, "3.8"),   # 66 / 17.6 = 3.75: in binary 3.7499999999999996
    ("66", "8.80", 0, "8"),      # 7.5: in binary 7.499999999999999
    ("9.12", "1.28", 2, "7.13"),  # 7.125
])
def test_a_ratio_on_an_exact_half_rounds_up_in_the_workbook_as_in_the_engine(tmp_path, value, price, places, ratio):
    """value ÷ average price landing exactly on a half of the last decimal: the engine's exact quotient rounds away
    from zero; the workbook takes the binary quotient to 10 decimals first (Prices' RatioQuotient), so it does too."""
    days = ("2004-02-11", "2004-02-12", "2004-02-13", "2004-02-17", "2004-02-18")
    _price_file(tmp_path, [(d, price, 1000) for d in days])
    offer_path = _formula_offer(tmp_path, "half", f'value = {value}\nprices = "p.csv"\nplaces = {places}')
    offer, results = compute_file(offer_path)
    assert results.offer_ratio == Decimal(ratio)
    book = build_workbook(offer, results, tmp_path / "half.xlsm")
    report = validate(book, offer_path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []


def test_a_calendar_that_does_not_trade_monday_to_friday_is_refused_for_a_workbook(tmp_path):
    """Tadawul (XSAU) trades Sunday to Thursday: the engine counts its window; a workbook's WORKDAY skips Saturday
    and Sunday, so build refuses it by key rather than write a workbook that disagrees with the engine."""
    from xlpy.engine.errors import InputErrors
    from xlpy.files.calendars import sessions

    _price_file(tmp_path, [(d, "8.10", 1000) for d in sessions("XSAU", dt.date(2024, 1, 1), dt.date(2024, 2, 29))])
    _formula_offer(tmp_path, "xsau", 'value = 66\nprices = "p.csv"\ncalendar = "XSAU"', expiration="2024-02-22",
                   outstanding=1000, tendered=100, common=1000000)
    offer, results = compute_file(tmp_path / "xsau.toml")
    assert results.averaging_start == dt.date(2024, 2, 14)  # Sunday the 18th counts, Friday and Saturday do not
    with pytest.raises(InputErrors) as info:
        build_workbook(offer, results, tmp_path / "xsau.xlsm")
    assert [str(p) for p in info.value.problems] == [
        "offer.consideration.formula.calendar: does not trade Monday to Friday (its days off: Friday, Saturday), and "
        "a workbook counts trading days with WORKDAY, which skips Saturday and Sunday: the engine computes it (xlpy "
        "compute), a workbook cannot, got 'XSAU'"]
    assert not (tmp_path / "xsau.xlsm").exists()


def test_a_calendar_typed_into_a_workbook_that_does_not_trade_monday_to_friday_is_named_by_its_cell(
        standard_books, tmp_path):
    """validate names the Calendar cell, as refresh does, rather than every price row dated on its weekend."""
    from xlpy.workbook.validate import validate

    wb = load_workbook(standard_books["holders"], keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("Calendar")
    wb[sheet][ref] = "XSAU"
    wb.save(tmp_path / "xsau.xlsm")
    assert [str(f) for f in validate(tmp_path / "xsau.xlsm", legs=("formulas",)).findings] == [
        f"xsau.xlsm: {sheet}!{ref}: Calendar does not trade Monday to Friday (its days off: Friday, Saturday), and "
        "a workbook counts trading days with WORKDAY, which skips Saturday and Sunday: the engine computes it (xlpy "
        "compute), a workbook cannot, got 'XSAU' [inputs]"]


def test_a_price_row_typed_on_a_closed_day_or_twice_is_named_by_its_cell(standard_books, tmp_path):
    """The engine averages each trading day of the window once; the workbook's formula every row between the
    window's ends. A row dated on an exchange holiday, or a date given twice, is named as the price file's reader
    names it, not left to show as differences downstream."""
    from xlpy.workbook.validate import validate

    wb = load_workbook(standard_books["holders"], keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, t = lay.table("tblPrices")
    ws = wb[sheet.title]
    col = t.letter("date")
    dates = {ws[f"{col}{r}"].value.date(): r for r in range(t.first_row, t.last_row + 1)}
    holiday, twice = dt.date(2004, 2, 16), dt.date(2004, 2, 19)
    before = max(r for d, r in dates.items() if d < holiday)
    ws[f"{col}{before}"] = dt.datetime.combine(holiday, dt.time())
    ws[f"{col}{dates[twice] + 1}"] = dt.datetime.combine(twice, dt.time())
    wb.save(tmp_path / "edited.xlsm")
    report = validate(tmp_path / "edited.xlsm", legs=("formulas",))
    assert sorted(str(f) for f in report.findings) == sorted([
        f"edited.xlsm: {sheet.title}!{col}{before}: must be a trading day of XNYS, which was closed (President's Day), "
        "got 2004-02-16 [inputs]",
        f"edited.xlsm: {sheet.title}!{col}{dates[twice] + 1}: is given twice (also {sheet.title}!{col}{dates[twice]}), "
        "got 2004-02-19 [inputs]"])


def test_a_quotient_just_below_a_half_rounds_down_in_the_workbook_as_in_the_engine(tmp_path):
    """66 over a volume-weighted average of 8.28474414577836... is 7.96644999998358...: 4.9e-11 below the half at 4
    decimals. Both take the quotient to 10 decimals first (the engine's exact one, the workbook's binary one), so
    both round the same way; the workbook once rounded it up while the engine rounded it down (95 findings)."""
    from xlpy.engine.ratio import QUOTIENT_PLACES

    rows = [("2004-02-11", "8.0355", 2979000), ("2004-02-12", "8.4320", 2855000), ("2004-02-13", "8.5537", 2000000),
            ("2004-02-17", "8.3600", 2319000), ("2004-02-18", "8.0871", 1975000)]
    _price_file(tmp_path, rows)
    _formula_offer(tmp_path, "dr4", 'value = 66\nprices = "p.csv"\ncap = 9\nplaces = 4')
    offer, results = compute_file(tmp_path / "dr4.toml")
    exact = Decimal(66) / results.average_price
    assert Decimal("7.96645") - exact < Decimal("5e-11") and QUOTIENT_PLACES == 10
    assert results.ratio_quotient == Decimal("7.9664500000")  # to 10 decimals: exactly the half
    assert results.offer_ratio == Decimal("7.9665")  # ... which rounds up
    book = build_workbook(offer, results, tmp_path / "dr4.xlsm")
    report = validate(book, tmp_path / "dr4.toml", legs=("formulas",))
    assert [str(f) for f in report.findings] == []


def test_a_structured_reference_of_ones_own_on_a_standard_sheet_leaves_the_check_whole(standard_books, tmp_path):
    """The README's advice for formulas of one's own, ``=SUM(tblTenders[Units])``, typed in an empty cell of
    Tenders: the `formulas` library cannot compile a structured reference, and no figure of the layout refers
    to the cell, so every figure is still compared (before, the whole leg stopped: 0 figures compared)."""
    from repo_paths import FORMULA

    book = tmp_path / "mine.xlsm"
    standard_books.copy_into("holders", tmp_path)
    wb = load_workbook(standard_books["holders"], keep_vba=True)
    wb.save(book)  # saved by openpyxl as the edited one is (no saved values: those are not compared)
    clean = validate(book, FORMULA, legs=("formulas",))
    wb["Tenders"]["P5"] = "=SUM(tblTenders[Units])"
    wb.save(book)
    report = validate(book, FORMULA, legs=("formulas",))
    assert [str(f) for f in report.findings] == [] and report.legs_run == ["formulas"]
    assert report.cells_compared == clean.cells_compared > 0
    with pytest.raises(RecalcError, match="cannot compile"):  # asked for, it is still named
        recalculate(load_workbook(book), [], [("Tenders", "P5")], sheets=["Tenders"])
