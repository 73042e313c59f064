"""The workbook of an offer with later exchanges in the period ([[exchange]]): every exchange counted, as the engine.

Hecla's first quarter of 2004 (the golden case ``hecla-2004-q1``): the tender of 274,000 units, then 20,000 on
5 March at 7.94 and 12,961 on 22 March at 7.75.  The later exchanges take units out of those remaining and add
their common shares and charges; each row of the Results table of later exchanges reads its own exchange.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from repo_paths import SEED_TEXT

from xlpy.engine.errors import InputErrors
from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.readback import formulas_table_values
from xlpy.workbook.validate import validate

OFFER = SEED_TEXT + """[period]
start = 2004-01-01
end = 2004-03-31
settlement = 2004-02-25
net_income = 6200000
"""
FIRST = """[[exchange]]
date = 2004-03-05
units = 20000
ratio = 7.94
price = 8.40
"""
SECOND = """[[exchange]]
date = 2004-03-22
units = 12961
ratio = 7.75
price = 8.50
"""

#: An exchange dated before the period: its shares count the whole period, its charge is not the period's.
EARLIER = """[[exchange]]
date = 2003-12-15
units = 10000
ratio = 7.94
price = 7.00
"""

#: The engine's figures, by hand (tests/golden/hecla-2004-q1.toml): name -> (results key, one exchange, two).
FIGURES = {
    "UnitsRemaining": ("units_remaining", 464777 - 274000 - 20000, 464777 - 274000 - 20000 - 12961),
    "CommonAfter": ("common_outstanding_after", 115000000 + 2175560 + 158800, 115000000 + 2175560 + 158800 + 100447),
    "TotalInducedCharge": ("total_induced_charge", Decimal("9597836.4") + Decimal("796320"),
                           Decimal("9597836.4") + Decimal("796320") + Decimal("501266.675")),
}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """{exchanges: (offer file, workbook, results)} for one and for two later exchanges."""
    folder = tmp_path_factory.mktemp("exchanges")
    out = {}
    for n, text in ((1, OFFER + FIRST), (2, OFFER + FIRST + SECOND), ("before", OFFER + EARLIER + FIRST)):
        path = folder / f"q1-{n}.toml"
        path.write_text(text)
        offer, results = compute_file(path)
        out[n] = (path, build_workbook(offer, results, folder / f"q1-{n}.xlsm"), results)
    return out


@pytest.mark.parametrize("n", [1, 2, "before"])
def test_the_workbook_of_later_exchanges_validates_with_no_finding(books, n):
    offer_path, book, _ = books[n]
    report = validate(book, offer_path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []
    assert report.legs_run == ["formulas"]


@pytest.mark.parametrize("n", [1, 2])
def test_every_row_of_the_table_of_later_exchanges_holds_its_formulas(books, n):
    _, book, _ = books[n]
    wb = load_workbook(book)
    sheet, table = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblExchangeResults")
    assert table.rows == n
    ws = wb[sheet.title]
    for row in range(table.first_row, table.last_row + 1):
        for i, column in enumerate(table.columns):
            cell = ws.cell(row, table.first_col + i)
            assert cell.value == table.row_formula(column, row), (cell.coordinate, column.key)
    # each row reads its own exchange: the second row the second
    units = ws.cell(table.last_row, table.first_col + [c.key for c in table.columns].index("units")).value
    assert units == f"=INDEX(ExUnits,{table.letter('n')}{table.last_row})"


def test_each_table_of_later_exchanges_has_its_title_band_as_a_block_has(books):
    """The tables of later exchanges on Inputs and Results begin with a title band in the row a next block's title
    would take, as wide as the table (they began at a bare header)."""
    _, book, _ = books[2]
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    for name, title in (("tblExchanges", "Later exchanges"),
                        ("tblExchangeResults", "Later exchanges: shares, cash and charge of each")):
        sheet, table = lay.table(name)
        ws = wb[sheet.title]
        band = [ws.cell(table.header_row - 1, table.first_col + i) for i in range(len(table.columns))]
        assert band[0].value == title and all(c.value is None for c in band[1:]), name
        assert {c.fill.fgColor.rgb for c in band} == {"001F3864"}, name
        assert all(ws.cell(table.header_row - 2, c).value is None for c in range(1, ws.max_column + 1)), name


def test_results_with_later_exchanges_prints_across_the_page(books, standard_books):
    """Its table of later exchanges runs to column H: upright, the printed page shrank to about 57%."""
    assert load_workbook(books[2][1])["Results"].page_setup.orientation == "landscape"
    assert load_workbook(standard_books["seed"])["Results"].page_setup.orientation == "portrait"


@pytest.mark.parametrize("n", [1, 2])
def test_key_figures_recalculated_equal_the_engine(books, n):
    _, book, results = books[n]
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    names = [*FIGURES, "IncomeAfter", "WeightedAfter", "EPSAfter", "EPSEffect"]
    cells = {name: lay.cell(name) for name in names}
    values = formulas_table_values(wb, lay, list(cells.values()))
    got = {name: values[(sheet.upper(), ref)] for name, (sheet, ref) in cells.items()}
    for name, (key, *by_hand) in FIGURES.items():
        engine = results.to_dict()[key]
        assert Decimal(engine) == by_hand[n - 1], name
        assert Decimal(repr(got[name])) == pytest.approx(Decimal(engine), abs=Decimal("0.000001")), name
    eps = results.to_dict()["eps"]
    for name, key in (("IncomeAfter", "income_available_after"), ("WeightedAfter", "weighted_shares_after"),
                      ("EPSAfter", "basic_eps_after"), ("EPSEffect", "eps_effect")):
        assert got[name] == pytest.approx(float(eps[key]), rel=1e-12), name
    if n == 2:  # the golden case's quarter: a loss of 4 cents a share
        assert eps["income_available_after"] == "-4695423.075"
        assert round(float(eps["basic_eps_after"]), 2) == -0.04


def test_an_exchange_before_the_period_is_charged_outside_it(books):
    """The engine leaves the charge of an exchange dated before the period out of the period's income, and counts
    its shares for the whole period; the workbook's ChargesInPeriod and WeightedAfter recalculate the same."""
    _, book, results = books["before"]
    eps = results.to_dict()["eps"]
    # only the tender (settled 25 February) and the 5 March exchange are the period's charges
    assert Decimal(eps["income_available_after"]) == Decimal(6200000) - Decimal("9597836.4") - Decimal("796320")
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    cells = {name: lay.cell(name) for name in ("ChargesInPeriod", "IncomeAfter", "WeightedAfter")}
    values = formulas_table_values(wb, lay, list(cells.values()))
    got = {name: values[(sheet.upper(), ref)] for name, (sheet, ref) in cells.items()}
    assert got["ChargesInPeriod"] == pytest.approx(9597836.4 + 796320, abs=1e-6)
    assert got["IncomeAfter"] == pytest.approx(float(eps["income_available_after"]), abs=1e-6)
    assert got["WeightedAfter"] == pytest.approx(float(eps["weighted_shares_after"]), rel=1e-12)


def test_the_offers_charge_belongs_to_the_period_it_is_measured_in(tmp_path):
    """Accepted on 31 March, settled on 5 April: the charge is the first quarter's (the entry and the release
    date it so), the shares count from the second; the workbook recalculates what the engine computes."""
    text = OFFER.replace("expiration = 2004-02-20", "expiration = 2004-03-31").replace(
        "date = 2004-02-20", "date = 2004-03-31").replace("settlement = 2004-02-25", "settlement = 2004-04-05")
    path = tmp_path / "march.toml"
    path.write_text(text)
    offer, results = compute_file(path)
    eps = results.to_dict()["eps"]
    assert Decimal(eps["income_available_after"]) == Decimal(6200000) - Decimal("9597836.4")
    assert Decimal(eps["weighted_shares_after"]) == 115000000
    book = build_workbook(offer, results, tmp_path / "march.xlsm")
    report = validate(book, path, legs=("formulas",))
    assert [str(f) for f in report.findings] == []


def test_inputs_typed_out_of_range_are_named_as_the_offer_file_names_them(books, tmp_path):
    """A later exchange of 0 units or at a negative price, a negative share price: refused by validate and refresh
    with the cell, as the offer file refuses the same values (nothing computed from them, nothing written)."""
    from xlpy.workbook.refresh_file import refresh_file

    _, book, _ = books[2]
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, table = lay.table("tblExchanges")
    ws = wb[sheet.title]
    first = table.first_row
    ws[f"{table.letter('units')}{first}"] = 0
    ws[f"{table.letter('price')}{first + 1}"] = -8.5
    ws[f"{table.letter('cash')}{first + 1}"] = -3
    ws[lay.cell("Price")[1]] = -7.39
    edited = tmp_path / "edited.xlsm"
    wb.save(edited)
    units, price, cash = (f"{sheet.title}!{table.letter(k)}{r}" for k, r in
                          (("units", first), ("price", first + 1), ("cash", first + 1)))
    share_price = "!".join(lay.cell("Price"))
    expected = [f"{units}: ExUnits must be a positive whole number, got 0",
                f"{price}: ExPrice must be > 0, got -8.5",
                f"{cash}: ExCash must not be negative, got -3",
                f"{share_price}: Price must be > 0, got -7.39"]
    report = validate(edited, legs=("formulas",))
    assert sorted(f"{f.where}: {f.what}, got {f.found}" for f in report.findings) == sorted(expected)
    counts = tmp_path / "c.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    before = edited.read_bytes()
    with pytest.raises(InputErrors) as info:
        refresh_file(edited, counts, backup=False)
    assert sorted(str(p) for p in info.value.problems) == sorted(f"edited.xlsm: {e}" for e in expected)
    assert edited.read_bytes() == before


def test_build_says_the_charge_of_every_exchange_beside_the_offer_s(tmp_path, capsys):
    """Review: build's line gave the offer's charge alone where later exchanges add to it (compute's table has
    "Charge, all exchanges")."""
    from xlpy import cli

    path = tmp_path / "q1.toml"
    path.write_text(OFFER + FIRST + SECOND)
    assert cli.main(["build", str(path), "-o", str(tmp_path / "q1.xlsm"), "--no-validate"]) == 0
    total = FIGURES["TotalInducedCharge"][2]
    assert capsys.readouterr().out.splitlines() == [
        f"built {tmp_path / 'q1.xlsm'}: Hecla Mining Company, 274,000 units accepted, 2,175,560 common issued, "
        f"induced charge $9,597,836.40 (the offer's; the charge of all 3 exchanges ${total:,.2f})"]


def test_compute_s_table_ties_out_the_figures_it_gives_for_every_exchange(tmp_path, capsys):
    """Review 64: compute's table gave the offer's units accepted and common issued beside the units remaining and
    common after of every exchange, unlabelled (115,000,000 + 2,175,560 is not the 117,434,807 shown)."""
    from xlpy import cli

    path = tmp_path / "q1.toml"
    path.write_text(OFFER + FIRST + SECOND)
    assert cli.main(["compute", str(path)]) == 0
    rows = dict(line.split("  ", 1) for line in capsys.readouterr().out.splitlines() if "  " in line.strip())
    rows = {k.strip(): v.strip() for k, v in rows.items()}
    n = lambda key: int(rows[key].replace(",", ""))  # noqa: E731
    assert n("Units accepted") == 274_000 and n("Common issued") == 2_175_560  # the offer's
    assert n("Units exchanged, all") == 274_000 + sum(e["units"] for e in _exchanges())
    assert n("Units outstanding") - n("Units exchanged, all") == n("Units remaining")
    assert n("Common before") + n("Common issued, all") == n("Common after")
    assert n("Common issued, all") > n("Common issued")


def test_entries_that_book_a_cent_more_than_the_period_s_charge_say_it_is_rounding(tmp_path, capsys):
    """Review 64: two exchanges of 501,266.675 each book 501,266.68 (half away from zero), a cent over the period's
    charge rounded once, with nothing saying so; one entry says nothing."""
    from xlpy import cli

    path = tmp_path / "q1.toml"
    path.write_text(OFFER + SECOND + SECOND.replace("03-22", "03-23"))
    assert cli.main(["entries", str(path)]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "rounding" in line]
    assert said == ["xlpy entries: warning: the entries book 10,600,369.76 of charges in all, each to the cent on its "
                    "own, where the charge of all exchanges, 10,600,369.75, is rounded once: the 0.01 between them is "
                    "rounding"], said
    path.write_text(OFFER + FIRST)  # (charges in whole cents: nothing to say)
    assert cli.main(["entries", str(path)]) == 0
    assert "rounding" not in capsys.readouterr().err


def _exchanges() -> list[dict]:
    import tomllib

    return tomllib.loads(OFFER + FIRST + SECOND)["exchange"]


def test_a_ratio_finer_than_the_workbook_counts_is_refused_by_name(tmp_path, capsys):
    """The workbook counts shares in parts of 1/1,000,000 share: a ratio of seven decimals would be rounded there
    and kept exact by the engine. build refuses it from the offer file; typed into a workbook, validate and refresh
    name the cell."""
    from xlpy import cli
    from xlpy.workbook.refresh_file import refresh_file

    path = tmp_path / "fine.toml"
    path.write_text((OFFER + FIRST + SECOND).replace("ratio = 7.75", "ratio = 7.7500005"))
    assert cli.main(["build", str(path), "-o", str(tmp_path / "fine.xlsm"), "--no-validate"]) == 2
    assert capsys.readouterr().err == (
        "xlpy build: fine.toml: exchange[2].ratio: has more decimals than a workbook counts shares in (parts of "
        "1/1,000,000 share): round it to 6 decimals or fewer, got 7.7500005\n")
    assert not (tmp_path / "fine.xlsm").exists()

    path.write_text(OFFER + FIRST + SECOND)
    offer, results = compute_file(path)
    book = build_workbook(offer, results, tmp_path / "typed.xlsm")
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, table = lay.table("tblExchanges")
    cell = f"{table.letter('ratio')}{table.first_row + 1}"
    wb[sheet.title][cell] = 7.7500005
    wb.save(book)
    report = validate(book, legs=("formulas",))
    assert str(report.findings[0]) == (
        f"typed.xlsm: {sheet.title}!{cell} (ExRatio): has more decimals than a workbook counts shares in (parts of "
        "1/1,000,000 share): round it to 6 decimals or fewer, got 7.7500005 [inputs]")
    counts = tmp_path / "c.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    with pytest.raises(InputErrors) as info:
        refresh_file(book, counts, backup=False)
    assert [p.field for p in info.value.problems] == [f"typed.xlsm: {sheet.title}!{cell} (ExRatio)"]

    # a relation the engine checks between inputs is named by the cell, not the offer-file key
    wb[sheet.title][cell] = 2.5
    wb.save(book)
    report = validate(book, legs=("formulas",))
    assert [f.where for f in report.findings] == [f"{sheet.title}!{cell} (ExRatio)"]
    assert "below the original ratio 3.2" in report.findings[0].what


@pytest.mark.parametrize("excel", [True, False], ids=["table grown (Excel)", "table as it was (LibreOffice)"])
def test_a_row_typed_below_the_table_of_exchanges_is_named(books, tmp_path, excel):
    """Excel grows a table over a row typed below it (LibreOffice does not), but the names and Results rows stay:
    that exchange would count nowhere, so validate names the row (and the table's extent, when it grew), and
    refresh refuses to compute and write the results without it."""
    import datetime as dt

    from xlpy.workbook.refresh_file import refresh_file

    _, book, _ = books[2]
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, table = lay.table("tblExchanges")
    ws = wb[sheet.title]
    row = table.last_row + 1
    for key, value in (("date", dt.datetime(2004, 3, 29)), ("units", 1000), ("ratio", 7.75), ("price", 8.6)):
        ws[f"{table.letter(key)}{row}"] = value
    grown = table.ref.rstrip("0123456789") + str(row)
    if excel:
        ws.tables[table.name].ref = grown
    edited = tmp_path / "typed.xlsm"
    wb.save(edited)
    below = (f"typed.xlsm: {sheet.title}!{table.letter('date')}{row}: is just below the table of later exchanges "
             f"({sheet.title}!{table.ref}), where an exchange counts nowhere: add it to the offer file's [[exchange]] "
             "and rebuild (xlpy build), or clear the row, got 2004-03-29")
    extent = (f"typed.xlsm: {sheet.title}!tblExchanges: table spans other rows than the workbook computes (rows "
              f"outside {table.ref} count nowhere: rebuild it with xlpy build from an offer file that holds them; "
              f"tallies and prices: xlpy refresh): expected {table.ref}, found {grown} [structure]")
    report = validate(edited, legs=("formulas",))
    assert sorted(str(f) for f in report.findings) == sorted([below + " [inputs]"] + ([extent] if excel else []))

    counts = tmp_path / "c.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    before = edited.read_bytes()
    with pytest.raises(InputErrors) as info:
        refresh_file(edited, counts, backup=False)
    assert [str(p) for p in info.value.problems] == [below]
    assert edited.read_bytes() == before


def test_excel_stops_what_the_offer_file_refuses(books):
    """Data validation holds the offer file's signs as the value is typed: a price, a ratio, units above 0 (the
    table of later exchanges too), cash at least 0, and a net income that may be a loss."""
    _, book, _ = books[2]
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    rules = {str(dv.sqref): (dv.type, dv.operator, dv.formula1) for dv in wb["Inputs"].data_validations.dataValidation}
    for name in ("Price", "OriginalRatio", "FixedRatio", "Outstanding", "SharesBefore"):
        assert rules[lay.cell(name)[1]][1:] == ("greaterThan", "0"), name
    assert rules[lay.cell("NetIncome")[1]] == ("decimal", "between", "-1E+300")
    _, table = lay.table("tblExchanges")
    column = {c.key: f"{table.letter(c.key)}{table.first_row}:{table.letter(c.key)}{table.last_row}"
              for c in table.columns}
    assert rules[column["units"]] == ("whole", "greaterThan", "0")
    assert rules[column["price"]] == ("decimal", "greaterThan", "0")
    assert rules[column["ratio"]] == ("decimal", "greaterThan", "0")
    assert rules[column["cash"]] == ("decimal", "greaterThanOrEqual", "0")
    assert rules[column["date"]][0] == "date"


def test_a_figure_typed_below_a_table_of_results_or_entries_is_named(books, tmp_path):
    """Review 124's MEDIUM: a false figure typed under the table of later exchanges on Results, or under the
    journal entries, validated as valid: only the rows above a sheet's first table were looked at."""
    wb = load_workbook(books[2][1], keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    below = {sheet: lay.table(name)[1].last_row for sheet, name in (("Results", "tblExchangeResults"),
                                                                    ("Entries", "tblEntries"))}
    wb["Results"][f"B{below['Results'] + 3}"] = "Charge as restated"
    wb["Results"][f"C{below['Results'] + 3}"] = 9999999
    wb["Entries"][f"C{below['Entries'] + 1}"] = 5
    wb.save(tmp_path / "below.xlsm")
    found = [(f.where, f.found) for f in validate(tmp_path / "below.xlsm", legs=()).findings]
    assert found == [(f"Results!C{below['Results'] + 3}", "9999999"), (f"Entries!C{below['Entries'] + 1}", "5")], found
