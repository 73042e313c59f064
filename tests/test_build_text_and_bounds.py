"""What `xlpy build` writes of a person's text (as text, whatever it begins with), and what it refuses up front:
figures of the Sensitivity grid a workbook cannot hold to the cent, ratios finer than it counts shares in."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from repo_paths import SEED

from xlpy import cli
from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.expected import _finer_than, formula_cells
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

SEED_TEXT = SEED.read_text()


def _offer(tmp_path, *edits: tuple[str, str], name: str = "o.toml"):
    text = SEED_TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_issuer_and_security_beginning_with_equals_are_text_on_every_sheet(tmp_path):
    """The subtitle under each sheet's title is the issuer and the security as typed, never a formula; and every
    formula the workbook holds is one the layout writes (no text from the offer file became one)."""
    path = _offer(tmp_path, ('issuer = "Hecla Mining Company"', 'issuer = "=1+1"'),
                  ('security = "Series B Cumulative Convertible Preferred Stock"', 'security = "=SUM(A1:A9)"'),
                  ('short_name = "Hecla"', 'short_name = "@cmd"'))
    offer, results = compute_file(path)
    book = build_workbook(offer, results, tmp_path / "eq.xlsm")
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(sheets) == 10
    for ws in sheets:
        assert (ws["B2"].value, ws["B2"].data_type) == ("=1+1: =SUM(A1:A9)", "s"), ws.title
    written = formula_cells(lay)
    stray = [f"{ws.title}!{c.coordinate}: {c.value}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.data_type == "f" and (ws.title, c.coordinate) not in written]
    assert stray == []
    for name, want in (("Issuer", "=1+1"), ("ShortName", "@cmd")):
        sheet, ref = lay.cell(name)
        assert (wb[sheet][ref].value, wb[sheet][ref].data_type) == (want, "s")


@pytest.mark.parametrize(("text", "stored"), [
    ("_x0041_", "_x005F_x0041_"), ("_x0041_x0042_", "_x005F_x0041_x005F_x0042_"),
    ("a_x0041_x0042_x0043_b", "a_x005F_x0041_x005F_x0042_x005F_x0043_b"),
    ("_x005F_", "_x005F_x005F_"), ("_x12_ _xZZZZ_ x0041_", "_x12_ _xZZZZ_ x0041_")])
def test_excels_escape_of_overlapping_codes_reads_back_as_written(text, stored):
    """Each underscore that opens a code is escaped, one shared with the code before too: openpyxl's reading of a
    shared string and xlpy's of an inline one give the text back (``_x0041_x0042_`` stored as
    ``_x005F_x0041_x0042_`` read as ``_x0041B``)."""
    from openpyxl.utils.escape import unescape

    from xlpy.workbook.data import excel_text
    from xlpy.workbook.package import excel_escape

    assert excel_escape(text) == stored
    assert unescape(stored) == text and excel_text(stored) == text


@pytest.mark.parametrize("text, preserved", [(" a", True), ("a ", True), ("\ta", True), ("a\nb", True), ("a b", False),
                                             ("a", False)])
def test_text_with_spaces_at_its_ends_is_written_for_excel_to_keep_them(text, preserved):
    """Excel drops the spaces at the ends of a cell's text unless its ``<t>`` says ``xml:space="preserve"``: ' a'
    would read back as 'a' (review 111: no test looked at the attribute)."""
    from xlpy.workbook.package import cell_xml, text_xml

    assert text_xml(text) == (f'<is><t xml:space="preserve">{text}</t></is>' if preserved else
                              f"<is><t>{text}</t></is>")
    assert cell_xml("B2", text, None, text=True) == f'<c r="B2" t="inlineStr">{text_xml(text)}</c>'


def test_a_subtitle_holding_excels_escape_reads_back_as_typed(tmp_path):
    """``_x0041_`` in an issuer's name is stored as Excel stores it typed (``_x005F_x0041_``, as on Inputs), not
    as the letter A a workbook would read it as."""
    path = _offer(tmp_path, ('issuer = "Hecla Mining Company"', 'issuer = "Hecla_x0041_"'))
    offer, results = compute_file(path)
    wb = load_workbook(build_workbook(offer, results, tmp_path / "x.xlsm"))
    assert wb["Results"]["B2"].value == "Hecla_x005F_x0041_: Series B Cumulative Convertible Preferred Stock"
    assert wb["Inputs"]["C6"].value == "Hecla_x005F_x0041_"


@pytest.mark.libreoffice
@pytest.mark.parametrize("security", ["Series _x0041_ Preferred Stock", "Series _x0041_x0042_ Preferred Stock"])
def test_a_security_holding_excels_escape_validates_on_both_legs(tmp_path, security):
    """The release sentences name the security: ``_x0041_`` in it is the text ``_x0041_`` in the engine's sentence,
    in the formulas leg's reading of the Inputs cell (stored escaped, ``_x005F_x0041_``) and in LibreOffice's result
    (written escaped too); each leg read the escape as text, and the build failed its own validation."""
    from xlpy.workbook.validate import validate

    path = _offer(tmp_path, ('security = "Series B Cumulative Convertible Preferred Stock"',
                             f'security = "{security}"'))
    offer, results = compute_file(path)
    report = validate(build_workbook(offer, results, tmp_path / "s.xlsm"), require_libreoffice=True)
    assert report.findings == [] and report.legs_run == ["formulas", "libreoffice"]


GRID = ("must be below 10,000,000,000,000 for a workbook (it holds 15 digits with the cents exactly): the grid takes "
        "every unit outstanding at prices up to 2 steps of 10% from valuation.price; check ")


@pytest.mark.parametrize("outstanding", ["2000000000000", "99999999999999"])
def test_a_sensitivity_grid_past_what_a_workbook_holds_is_refused_and_nothing_written(outstanding, tmp_path, capsys):
    """All units outstanding valued at the grid's highest price: the charges there would differ from the engine's
    (or be saved without their cents), so build refuses the offer up front, naming the figures, exit 2."""
    path = _offer(tmp_path, ("outstanding = 464777 ", f"outstanding = {outstanding} "), name="b.toml")
    assert cli.main(["build", str(path), "-o", str(tmp_path / "b.xlsm")]) == 2
    units = f"{int(outstanding):,}"
    offered, original = (("140823840000000", "56755200000000") if outstanding == "2000000000000"
                         else ("7041191999999929.58808", "2837759999999971.6224"))
    assert capsys.readouterr().err == (
        f"xlpy build: b.toml: Sensitivity grid: fair value of the offer's consideration for {units} units at 8.868 a "
        f"share: {GRID}offer.outstanding, the ratios, the cash per unit and valuation.price, got {offered}\n"
        f"xlpy build: b.toml: Sensitivity grid: fair value under the original terms for {units} units at 8.868 a "
        f"share: {GRID}offer.outstanding, offer.original_ratio and valuation.price, got {original}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.toml"]


def test_an_extinguishment_grid_is_bounded_by_its_terms_not_its_charge(tmp_path):
    """A ratio below the original with the carrying amount near the shares' value: the grid's charges are small
    (4.4 x 10^12 at most) but the difference of two figures past 10^13, which a workbook computes a fraction of a
    cent off (4,433,999,999,999.994 for 4,434,000,000,000): refused, naming both."""
    path = _offer(tmp_path, ("outstanding = 464777 ", "outstanding = 1000000000000 "), ("ratio = 7.94 ", "ratio = 3.0 "))
    path.write_text(path.read_text() + "\n[extinguishment]\ncarrying_amount = 6074580\n")
    offer, results = compute_file(path)
    from xlpy.engine.errors import InputErrors

    with pytest.raises(InputErrors) as info:
        build_workbook(offer, results, tmp_path / "e.xlsm")
    assert [str(p) for p in info.value.problems] == [
        f"Sensitivity grid: fair value of the offer's consideration for 1,000,000,000,000 units at 8.868 a share: "
        f"{GRID}offer.outstanding, the ratios, the cash per unit and valuation.price, got 26604000000000",
        f"Sensitivity grid: carrying amount of 1,000,000,000,000 units: {GRID}offer.outstanding and "
        "extinguishment.carrying_amount (taken per unit accepted), got 22170000000000"]
    assert not (tmp_path / "e.xlsm").exists()


def test_a_grid_just_inside_the_bound_builds(tmp_path):
    """141,000,000,000 units: the consideration at the grid's highest price is 9.93 x 10^12, below the bound."""
    path = _offer(tmp_path, ("outstanding = 464777 ", "outstanding = 141000000000 "))
    offer, results = compute_file(path)
    assert build_workbook(offer, results, tmp_path / "in.xlsm").exists()


def test_a_ratio_finer_than_a_millionth_past_28_digits_is_refused(tmp_path, capsys):
    """The check reads the ratio's own digits: a 1 in its 29th decimal is as fine as 7.9400001 (28-digit arithmetic
    on ratio x 1,000,000 rounded it away and let it through)."""
    for ratio in ("7.94000000000000000000000000001", "7.9400001"):
        path = _offer(tmp_path, ("ratio = 7.94 ", f"ratio = {ratio} "), name="r.toml")
        assert cli.main(["build", str(path), "-o", str(tmp_path / "r.xlsm"), "--no-validate"]) == 2
        assert capsys.readouterr().err == (
            "xlpy build: r.toml: offer.consideration.ratio: has more decimals than a workbook counts shares in (parts "
            f"of 1/1,000,000 share): round it to 6 decimals or fewer, got {ratio}\n")
        assert not (tmp_path / "r.xlsm").exists()


@pytest.mark.parametrize(("value", "places", "finer"), [
    ("7.94", 6, False), ("7.940000", 6, False), ("7.9400000000000000000000000000000", 6, False),
    ("7.940001", 6, False), ("7.9400001", 6, True), ("7.94000000000000000000000000001", 6, True),
    ("0", 6, False), ("0E-40", 6, False), ("2E+3", 0, False), ("1234567.1234567", 6, True), ("-0.0000001", 6, True),
    ("0.5", 0, True), ("5", 0, False)])
def test_finer_than_reads_every_digit(value, places, finer):
    assert _finer_than(D(value), places) is finer


def _stepped_book(tmp_path, step: float):
    """The seed with 141 billion units outstanding (its grid inside the bound at the default 10% step), built, and
    its SensitivityStep typed over with *step*: (workbook, openpyxl workbook, layout, the step's sheet and cell)."""
    path = _offer(tmp_path, ("outstanding = 464777 ", "outstanding = 141000000000 "))
    offer, results = compute_file(path)
    book = build_workbook(offer, results, tmp_path / "in.xlsm")
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("SensitivityStep")
    wb[sheet][ref] = step
    wb.save(book)
    return book, wb, lay, sheet, ref


def test_validate_holds_the_grid_to_the_workbook_s_own_price_step(tmp_path):
    """The grid's highest price is the workbook's step (Inputs, SensitivityStep) above the price: a person's wider
    step takes a grid inside the bound at 10% past it, and validate names it at that step, not the default's."""
    from xlpy.workbook.validate import validate

    book = _stepped_book(tmp_path, 0.3)[0]
    grid = [f for f in validate(book, legs=()).findings
            if "Sensitivity grid" in f.where]
    assert [(f.where, f.leg) for f in grid] == [
        ("Sensitivity grid: fair value of the offer's consideration for 141,000,000,000 units at 11.824 a share",
         "inputs")]


def test_refresh_holds_the_grid_to_the_workbook_s_own_price_step(tmp_path):
    """refresh checks the grid at the step the workbook holds, as validate does: a person's wider step takes the
    grid past the bound and the refresh is refused, naming the grid's figure, the file left as it was; a
    narrower step brings a grid past the bound at 10% back inside it, and the refresh goes through."""
    from xlpy.engine.errors import InputErrors
    from xlpy.workbook.refresh_file import refresh_file

    counts = tmp_path / "c.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n274000,3500,0\n")
    book, wb, lay, sheet, ref = _stepped_book(tmp_path, 0.3)
    before = book.read_bytes()
    with pytest.raises(InputErrors) as info:
        refresh_file(book, counts, backup=False)
    price, outstanding = (f"{sheet}!{lay.cell(n)[1]} ({n})" for n in ("Price", "Outstanding"))
    assert [str(p) for p in info.value.problems] == [
        "in.xlsm: Sensitivity grid: fair value of the offer's consideration for 141,000,000,000 units at 11.824 a "
        "share: must be below 10,000,000,000,000 for a workbook (it holds 15 digits with the cents exactly): the grid "
        f"takes every unit outstanding at prices up to 2 steps of 30% from {price}; check {outstanding}, the ratios, "
        f"the cash per unit and {price}, got 13237440960000"]
    assert book.read_bytes() == before

    wb[sheet][ref] = 0.01  # 160 billion units: past the bound at 10% above the price, inside it at 1%
    wb[lay.cell("Outstanding")[0]][lay.cell("Outstanding")[1]] = 160_000_000_000
    wb.save(book)
    refresh_file(book, counts, backup=False)
    assert load_workbook(book)[sheet][ref].value == 0.01
    offer, results = compute_file(_offer(tmp_path, ("outstanding = 464777 ", "outstanding = 160000000000 "),
                                         name="wide.toml"))
    with pytest.raises(InputErrors):  # the default step's grid is past the bound for this offer
        build_workbook(offer, results, tmp_path / "wide.xlsm")


def test_a_ratio_raised_by_a_millionth_validates_though_binary_arithmetic_cancels(tmp_path):
    """100 against 99.999999 on a million units: 1 incremental share in the engine, 0.9999999974752427 in a
    workbook (a difference of two counts of 100 million). build's own validation takes that as the noise of binary
    arithmetic at the size of the terms, not a finding; a share off by far less than any real error still is."""
    from xlpy.workbook.expected import Expect, expected_cells
    from xlpy.workbook.validate import same_figure, validate

    path = _offer(tmp_path, ("outstanding = 464777 ", "outstanding = 2000000 "),
                  ("original_ratio = 3.2 ", "original_ratio = 99.999999 "), ("ratio = 7.94 ", "ratio = 100 "),
                  ("tendered = 274000 ", "tendered = 1000000 "),
                  ("guaranteed_delivery = 3500 ", "guaranteed_delivery = 0 "))
    offer, results = compute_file(path)
    assert results.incremental_shares == 1
    book = build_workbook(offer, results, tmp_path / "nz.xlsm")
    report = validate(book, path, legs=("formulas",))
    assert (report.ok, report.findings) == (True, [])
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    exp = expected_cells(lay, offer, results)
    e = exp[lay.cell("IncrementalShares")]
    assert e.noise == D(2) ** -49 * 1_000_000 * 100  # the units accepted at the higher ratio
    assert same_figure(e, 0.9999999974752427)
    assert not same_figure(e, 0.99999)  # a hundred-thousandth of a share is past it
    assert not same_figure(Expect("x", D(1), "count4"), 0.9999999974752427)  # without noise: a finding, as before
    # only the incremental shares (Results and Check) have it: no other share count is a difference of two
    noisy = sorted(x.label for x in exp.values() if x.noise and not x.label.startswith("sensitivity charge"))
    assert noisy == ["CheckIncremental (function)", "CheckIncremental (native)", "IncrementalShares"]


def test_a_sensitivity_charge_near_a_trillion_is_compared_to_what_15_digits_and_binary_arithmetic_can_hold(
        tmp_path):
    """230 million preferred at $1,500.33: the grid's charge at 80% of the price and full participation is
    1,308,527,875,381.76496 exactly, and LibreOffice saved 1,308,527,875,381.77 (its 15 digits, of a sum a little
    over the exact one), so build failed its own workbook. A figure this size is compared within half a cent and
    the noise of its terms and its saved digits (a cent, at this size); three cents off is still a finding."""
    from xlpy.workbook.expected import expected_cells
    from xlpy.workbook.validate import same_figure

    path = _offer(tmp_path, ("outstanding = 464777 ", "outstanding = 230000011 "),
                  ("common_outstanding_before = 115000000 ", "common_outstanding_before = 4000000000 "),
                  ("tendered = 274000 ", "tendered = 100000000 "),
                  ("guaranteed_delivery = 3500 ", "guaranteed_delivery = 0 "), ("price = 7.39", "price = 1500.33"))
    offer, results = compute_file(path)
    book = build_workbook(offer, results, tmp_path / "big.xlsm")
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    e = expected_cells(lay, offer, results)[("Sensitivity", "F9")]
    assert e.value == D("1308527875381.764960")
    assert same_figure(e, 1308527875381.77)
    assert e.noise < D("0.011") and not same_figure(e, 1308527875381.80)
    # the seed's grid, a hundred-thousandth of its size, is held to the half cent as before
    offer, results = compute_file(SEED)
    seed = expected_cells(lay, offer, results)[("Sensitivity", "F9")]
    assert seed.noise < D("0.00001") and not same_figure(seed, float(seed.value) + 0.0051)
