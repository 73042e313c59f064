"""A value typed over a formula: validate names it once, and the figures it moves say they follow from it.

A person types ``0`` over a holder line's Accepted (``Tenders!J21``) and the
spreadsheet application saves the file with every figure recalculated from
that value.  The structure finding names the cell; the saved values and the
recalculation then differ from the engine (which computes from the inputs)
in some fifty figures each.  Those differences are neither a stale file nor
a doctored one: each shown says it follows from the value typed over the
formula, the first ten of each leg are shown and a note counts the rest.  A
saved value that differs with no formula typed over keeps its diagnosis
(stale or doctored), and so does one the typed value does not move (the
recalculation agrees with the engine there): it is always shown.  With no
recalculation to tell, a saved difference may follow, or else is doctored.

The application's save is made here with openpyxl and the formulas leg's own
recalculation (:mod:`xlpy.workbook.recalc`), which writes what the file's
formulas give as every formula cell's saved value.

Below, Results' row of a later exchange (``[[exchange]]``): built and
refreshed with the engine's saved values, and tied out by validate.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from repo_paths import DATA, FORMULA, PRICES, SEED_TEXT
from test_roundtrip import _set_saved  # a saved <v> changed inside the package, as with a zip tool

from xlpy.workbook import saved_values
from xlpy.workbook.validate import validate

TALLY = ("holder_id,units,method,status\nDTC-0001,2500,book-entry,tendered\nDTC-0002,625,book-entry,tendered\n"
         "CERT-0003,75,certificate,tendered\nDTC-0004,1000,book-entry,tendered\n")
ACCEPTED = "=IF(I21=0,0,IF(NOT(Prorated),I21,IF(AND(OddLotUnits>0,I21<OddLot),I21,INT(I21*Capacity/RestUnits))))"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The formula example with a four-line holder tally, as built."""
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    folder = tmp_path_factory.mktemp("override")
    (folder / "data").mkdir()
    shutil.copy(DATA / PRICES, folder / "data" / PRICES)
    (folder / "data" / "hecla-2004-tally.csv").write_text(TALLY, encoding="utf-8")
    offer_file = folder / FORMULA.name
    shutil.copy(FORMULA, offer_file)
    offer, results = compute_file(offer_file)
    return build_workbook(offer, results, folder / "book.xlsm")


def _app_save(src: Path, dst: Path, values: dict[str, float]) -> Path:
    """*src* with *values* (``sheet!cell`` -> number) typed in, saved with every formula's value recalculated."""
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.openpyxl_access import cell_map
    from xlpy.workbook.package import Package
    from xlpy.workbook.readback import table_columns
    from xlpy.workbook.recalc import recalculate

    wb = load_workbook(src, keep_vba=True)
    for where, value in values.items():
        sheet, ref = where.split("!")
        wb[sheet][ref].value = value
    wb.save(dst)
    wb = load_workbook(dst, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheets = [s.title for s in lay.sheets]
    cells = [(ws.title, c.coordinate) for ws in wb.worksheets if ws.title in sheets
             for c in cell_map(ws).values() if c.data_type == "f"]
    got = recalculate(wb, table_columns(lay, wb), cells, sheets=sheets)
    pkg = Package(dst)
    parts = pkg.sheet_parts()
    for ws in wb.worksheets:
        if ws.title in parts:
            mine = {ref: float(v) if isinstance(v, Decimal) else v for (s, ref), v in got.items()
                    if s == ws.title.upper() and v is not None}
            pkg.write(parts[ws.title], saved_values.fill(pkg.read(parts[ws.title]), mine, drop_others=False))
    dst.write_bytes(pkg.to_bytes())
    return dst


def test_a_value_typed_over_accepted_is_the_one_cause_named(book, tmp_path):
    path = _app_save(book, tmp_path / "typed.xlsm", {"Tenders!J21": 0})
    report = validate(path, legs=("formulas",))
    f = report.findings
    assert [(x.where, x.what, x.expected, x.found, x.leg) for x in f[:1]] == [
        ("Tenders!J21", "formula replaced by a value", ACCEPTED, "0", "structure")]
    why = ("it follows from the value typed over the formula of Tenders!J21 (the workbook computes from that value, "
           "the engine from the inputs): put the formula back, then validate again")
    assert [x.leg for x in f] == ["structure"] + ["saved"] * 10 + ["formulas"] * 10
    assert str(next(x for x in f if x.where == "Results!C9" and x.leg == "saved")) == (
        f"typed.xlsm: Results!C9: UnitsAccepted: saved value differs from the engine; {why}: expected 4200, "
        "found 4125 [saved]")
    assert str(next(x for x in f if x.where == "Results!C9" and x.leg == "formulas")) == (
        f"typed.xlsm: Results!C9: UnitsAccepted differs from the engine; {why}: expected 4200, found 4125 [formulas]")
    assert all(x.what.endswith(why) for x in f[1:])
    assert not any("stale" in x.what or "doctored" in x.what for x in f)
    # (the workbook, built with no record, names no tally or price file: validate notes that neither was compared)
    assert [n for n in report.notes if ": not compared with a file: the Cover records none" not in n] == [
        "40 more saved value(s) differ from the engine, following from the values typed over formulas "
        "(the first 10 are shown)",
        "formulas leg: 46 more figure(s) differ from the engine, following from the values typed over formulas "
        "(the first 10 are shown)"]


def test_two_values_typed_over_are_both_named_never_doctored(book, tmp_path):
    """A price typed over too: the few saved figures it moves are not called doctored either."""
    path = _app_save(book, tmp_path / "two.xlsm", {"Tenders!J21": 0, "Prices!C8": 8.5})
    f = validate(path, legs=("formulas",)).findings
    assert [(x.where, x.what) for x in f if x.leg == "structure"] == [
        ("Tenders!J21", "formula replaced by a value"), ("Prices!C8", "formula replaced by a value")]
    why = ("it follows from the values typed over 2 formulas (Tenders!J21 and Prices!C8; the workbook computes from "
           "those values, the engine from the inputs): put the formulas back, then validate again")
    moved = [x for x in f if x.leg != "structure"]
    assert moved and all(x.what.endswith(why) for x in moved)


def test_a_formula_changed_not_typed_over_is_the_cause_named_never_doctored(book, tmp_path):
    """QA (round trip): a formula edited (``=...+1``) and the file saved recalculated: one structure finding, then
    every figure it moves was called doctored, though the workbook's own recalculation gives exactly those values."""
    path = _app_save(book, tmp_path / "edited.xlsm", {"Results!C28": "=FairValueOffer-FairValueOriginal+1"})
    report = validate(path, legs=("formulas",))
    f = report.findings
    assert [(x.where, x.what, x.leg) for x in f[:1]] == [("Results!C28", saved_values.CHANGED, "structure")]
    why = ("it follows from the formula changed in Results!C28 (the workbook computes by that formula, the engine "
           "by the layout's): put the layout's formula back, then validate again")
    moved = f[1:]
    assert moved and {x.leg for x in moved} == {"saved", "formulas"} and all(x.what.endswith(why) for x in moved)
    assert not any("stale" in x.what or "doctored" in x.what for x in f)
    both = _app_save(book, tmp_path / "both.xlsm", {"Results!C28": "=FairValueOffer-FairValueOriginal+1",
                                                     "Tenders!J21": 0})
    mixed = [x for x in validate(both, legs=("formulas",)).findings if x.leg != "structure"]
    assert mixed and all("it follows from the values typed over, or formulas changed, in 2 cells (Tenders!J21 and "
                         "Results!C28; the workbook computes from what they hold, the engine by the layout): put "
                         "the layout's formulas back, then validate again" in x.what for x in mixed)


def test_typed_over_why_names_two_cells_and_counts_the_rest():
    assert saved_values.typed_over_why(["Tenders!J21", "Tenders!J22", "Results!C9"]).startswith(
        "it follows from the values typed over 3 formulas (Tenders!J21, Tenders!J22 and 1 more; ")
    assert saved_values.typed_over_rest(10, "saved value(s)") is None


def test_a_doctored_saved_value_with_no_formula_typed_over_is_still_doctored(book, tmp_path):
    path = tmp_path / "doctored.xlsm"
    shutil.copy(book, path)
    _set_saved(path, "Results", "C9", "4000")
    assert [str(x) for x in validate(path, legs=()).findings] == [
        "doctored.xlsm: Results!C9: UnitsAccepted: saved value differs from the engine; the file looks doctored: its "
        "other saved figures agree with the engine, this one does not (edited inside the file, or calculated "
        "differently by the application): expected 4200, found 4000 [saved]"]


def test_in_a_workbook_calculated_by_hand_a_saved_figure_behind_the_engine_may_be_either(book, tmp_path):
    """Review: an input typed in a workbook set to calculate by hand, and saved so, had each figure behind it called
    doctored ("find out who changed it") where a few hundred holder lines were compared: in manual calculation a
    figure saved behind its inputs is what Excel saves.  Review 55: called stale, a figure edited inside the file was
    hidden.  Both are said, and what to do for each."""
    import zipfile

    path = tmp_path / "manual.xlsm"
    shutil.copy(book, path)
    _set_saved(path, "Results", "C9", "4000")
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    text = parts["xl/workbook.xml"].decode("utf-8")
    parts["xl/workbook.xml"] = re.sub(r"<calcPr ", '<calcPr calcMode="manual" ', text, count=1).encode("utf-8")
    assert b'calcMode="manual"' in parts["xl/workbook.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    saved = [x for x in validate(path, legs=()).findings if x.leg == "saved"]
    assert [(x.where, x.what.split("; ", 1)[1]) for x in saved] == [("Results!C9", saved_values.SAVED_EITHER)]
    assert "stale: press F9, then save" in saved_values.SAVED_EITHER
    assert "doctored: find out who changed it" in saved_values.SAVED_EITHER


def test_saved_values_left_from_other_inputs_with_no_formula_typed_over_are_still_stale(book, tmp_path):
    """An input changed without recalculating (a tool that does not calculate): the saved figures read as stale."""
    path = tmp_path / "stale.xlsm"
    shutil.copy(book, path)
    _set_saved(path, "Tenders", "D21", "1075")  # CERT-0003's units: an input cell, not a saved formula value
    f = validate(path, legs=()).findings
    assert f and all(x.leg == "saved" and x.what.endswith(
        "the file looks saved before recalculation (stale): open it in Excel, recalculate and save") for x in f)
    assert any(x.where == "Results!C9" for x in f)



def _type_over(path: Path, sheet: str, ref: str, value: str) -> None:
    """Replace the formula cell *ref* by the plain value *value* inside the package, keeping its style."""
    from xlpy.workbook.package import Package

    pkg = Package(path)
    part = pkg.sheet_parts()[sheet]
    text = pkg.read(part).decode("utf-8")
    new, n = re.subn(rf'<c r="{ref}"( s="\d+")?[^>]*>.*?</c>', rf'<c r="{ref}"\g<1>><v>{value}</v></c>', text, count=1)
    assert n == 1
    pkg.write(part, new.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())


def _remaining(path: Path) -> str:
    """The cell of UnitsRemaining (``C33``), as the workbook's own name places it."""
    (_, ref), = load_workbook(path).defined_names["UnitsRemaining"].destinations
    return ref.replace("$", "")


DOCTORED = ("the file looks doctored: its other saved figures agree with the engine, this one does not (edited "
            "inside the file, or calculated differently by the application)")


def test_a_doctored_figure_the_typed_value_does_not_move_is_still_doctored(book, tmp_path):
    """The ratio typed over, and UnitsRemaining (outstanding less accepted, which no ratio moves) edited: the
    recalculation agrees with the engine on it, so it is doctored, not a consequence of the typed value."""
    path = tmp_path / "ratio.xlsm"
    shutil.copy(book, path)
    _type_over(path, "Results", "C5", "8")
    remaining = _remaining(path)
    _set_saved(path, "Results", remaining, "999")
    f = validate(path, legs=("formulas",)).findings
    assert [(x.where, x.what) for x in f if x.leg == "structure"] == [("Results!C5", "formula replaced by a value")]
    assert [str(x) for x in f if x.leg == "saved"] == [
        f"ratio.xlsm: Results!{remaining}: UnitsRemaining: saved value differs from the engine; {DOCTORED}: "
        "expected 460577, found 999 [saved]"]
    assert any(x.leg == "formulas" and x.where == "Results!C14" and "follows from the value typed" in x.what
               for x in f)


def test_beside_figures_a_typed_value_moves_a_doctored_one_is_shown_and_named_doctored(book, tmp_path):
    """Accepted typed over and saved recalculated (some fifty figures follow), then a price and a holder line's
    common shares edited: those two are doctored, and shown although ten figures that follow are shown already."""
    path = _app_save(book, tmp_path / "typed.xlsm", {"Tenders!J21": 0})
    _set_saved(path, "Prices", "C5", "1")
    _set_saved(path, "Tenders", "K22", "99999")
    report = validate(path, legs=("formulas",))
    saved = [x for x in report.findings if x.leg == "saved"]
    assert [str(x) for x in saved if "doctored" in x.what] == [
        f"typed.xlsm: Prices!C5: AveragingEnd: saved value differs from the engine; {DOCTORED}: expected 2004-02-18, "
        "found 1899-12-31 [saved]",
        f"typed.xlsm: Tenders!K22: Common shares (holder table): saved value differs from the engine; {DOCTORED}: "
        "expected 19850, found 99999 [saved]"]
    follows = [x for x in saved if "doctored" not in x.what]
    assert len(follows) == 10 and all("it follows from the value typed over the formula of Tenders!J21" in x.what
                                      for x in follows)
    assert [n for n in report.notes if "saved value(s)" in n] == [
        "40 more saved value(s) differ from the engine, following from the values typed over formulas (the first 10 "
        "are shown)"]


def test_a_figure_the_typed_value_moves_but_edited_inside_the_file_is_doctored(book, tmp_path):
    """Accepted typed over and saved recalculated, then UnitsAccepted (which the typed value moves: 4125) edited to
    4000: the recalculation gives neither the engine's 4200 nor the saved 4000, so it does not follow from the
    typed value; it is doctored, and shown as such."""
    path = _app_save(book, tmp_path / "typed.xlsm", {"Tenders!J21": 0})
    assert not [x for x in validate(path, legs=("formulas",)).findings if "doctored" in x.what]
    _set_saved(path, "Results", "C9", "4000")
    saved = [str(x) for x in validate(path, legs=("formulas",)).findings if x.leg == "saved" and "doctored" in x.what]
    assert saved == [f"typed.xlsm: Results!C9: UnitsAccepted: saved value differs from the engine; {DOCTORED}: "
                     "expected 4200, found 4000 [saved]"]


def test_with_no_recalculation_a_saved_difference_may_follow_from_the_typed_value(book, tmp_path):
    path = tmp_path / "ratio.xlsm"
    shutil.copy(book, path)
    _type_over(path, "Results", "C5", "8")
    remaining = _remaining(path)
    _set_saved(path, "Results", remaining, "999")
    assert [str(x) for x in validate(path, legs=()).findings if x.leg == "saved"] == [
        f"ratio.xlsm: Results!{remaining}: UnitsRemaining: saved value differs from the engine; it may follow from "
        "the value typed over the formula of Results!C5 (the workbook computes from that value, the engine from the "
        "inputs): "
        "put the formula back, then validate again; no recalculation ran to tell, and if it does not follow, "
        f"{DOCTORED}: expected 460577, found 999 [saved]"]

# --- the rows of later exchanges on Results: saved and tied out like every other figure -----------------------

EXCHANGE = SEED_TEXT + """[period]
start = 2004-01-01
end = 2004-03-31
settlement = 2004-02-25
net_income = 6200000

[[exchange]]
date = 2004-03-05
units = 20000
ratio = 7.94
price = 8.40
"""
#: The exchange's row by hand: its number, 20,000 units, 7.94 in millionths of a share, 158,800 common
#: (20,000 x 7.94), no cash in lieu, the charge 158,800 x 8.40 - 20,000 x 3.2 x 8.40 = 796,320, and 27 days
#: (5 to 31 March) outstanding in the period.
EXCHANGE_ROW = [1, 20000, 7940000, 158800, 0, 796320, 27]


@pytest.fixture(scope="module")
def exchange_book(tmp_path_factory) -> Path:
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    folder = tmp_path_factory.mktemp("exchange")
    (folder / "q1.toml").write_text(EXCHANGE, encoding="utf-8")
    offer, results = compute_file(folder / "q1.toml")
    return build_workbook(offer, results, folder / "q1.xlsm")


def _exchange_row(path: Path) -> tuple[str, list]:
    """(the first cell of Results' row of the later exchange, the values a file preview shows there)."""
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    sheet, t = layout(Shape.decode(load_workbook(path).defined_names[LAYOUT_NAME].attr_text)).table(
        "tblExchangeResults")
    ws = load_workbook(path, data_only=True)[sheet.title]
    return f"{sheet.title}!{t.letter('n')}{t.first_row}", [
        ws.cell(t.first_row, t.first_col + i).value for i in range(len(t.columns))]


def test_a_built_workbook_saves_the_engines_values_on_the_row_of_a_later_exchange(exchange_book):
    assert _exchange_row(exchange_book) == ("Results!B50", EXCHANGE_ROW)


def test_a_refresh_saves_them_again(exchange_book, tmp_path):
    from xlpy import cli

    path = tmp_path / "q1.xlsm"
    shutil.copy(exchange_book, path)
    counts = tmp_path / "counts.csv"
    counts.write_text("tendered,guaranteed delivery\n290000,2500\n", encoding="utf-8")
    assert cli.main(["refresh", str(path), "--tally", str(counts), "--no-backup", "-q"]) == 0
    assert _exchange_row(path)[1] == EXCHANGE_ROW


def test_validate_ties_out_the_saved_values_of_a_later_exchange(exchange_book, tmp_path):
    path = tmp_path / "q1.xlsm"
    shutil.copy(exchange_book, path)
    assert validate(path, legs=()).findings == []
    _set_saved(path, "Results", "G50", "800000")
    assert [str(x) for x in validate(path, legs=()).findings] == [
        "q1.xlsm: Results!G50: exchange 1: Charge: saved value differs from the engine; the file looks doctored: its "
        "other saved figures agree with the engine, this one does not (edited inside the file, or calculated "
        "differently by the application): expected 796320, found 800000 [saved]"]


def _recalculated(src: Path, dst: Path, values: dict[str, float], names: tuple[str, ...]) -> dict[str, object]:
    """The named cells of *src* with *values* (``sheet!cell`` -> number) typed in, as its formulas recalculate."""
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.readback import table_columns
    from xlpy.workbook.recalc import recalculate

    wb = load_workbook(src, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    for where, value in values.items():  # a cell, or a name
        sheet, ref = where.split("!") if "!" in where else lay.cell(where)
        wb[sheet][ref].value = value
    wb.save(dst)
    wb = load_workbook(dst, keep_vba=True)
    cells = {name: lay.cell(name) for name in names}
    got = recalculate(wb, table_columns(lay, wb), list(cells.values()), sheets=[s.title for s in lay.sheets])
    return {name: got[(sheet.upper(), ref)] for name, (sheet, ref) in cells.items()}


@pytest.mark.parametrize(("offer", "typed", "holds"), [
    ("seed", {}, True),
    ("seed", {"Results!C9": 270000}, False),  # 274,000 eligible, no cap: all are accepted
    # a cap of 300,000 above the 274,000 eligible: Tenders' own Eligible or Oversubscribed typed over moves
    # Results' formula alike, and the identity, from the counts, still sees it
    ("capped", {}, True),
    ("capped", {"Eligible": 270000}, False),
    ("capped", {"Prorated": True}, False),
    ("notes", {}, True),  # capped, 79,000 eligible for 40,000: 40,000 accepted, holders rounded down
    ("notes", {"Tenders!J21": 9000}, False),  # a holder's 10,000 -> 9,000: 39,000 accepted under a 40,000 cap
    # 13 holders prorated (20 more are odd lots, whole): up to 12 units short is rounding, 20 is not
    ("notes", {"Tenders!J21": 9988}, True),
    ("notes", {"Tenders!J21": 9980}, False),
])
def test_the_check_sheet_names_units_accepted_that_do_not_follow_the_acceptance_rule(tmp_path, offer, typed, holds):
    """The tie-outs take the units accepted as given, so an identity holds them to the rule, from the counts
    themselves: every eligible unit unless oversubscribed; then the cap (counts), or the cap less under a unit a
    prorated holder (a holder tally)."""
    from repo_paths import NOTES

    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    path = tmp_path / "offer.toml"
    if offer in ("seed", "capped"):
        capped = SEED_TEXT.replace("expiration = 2004-02-20\n", "expiration = 2004-02-20\nmax_units = 300000\n")
        path.write_text(SEED_TEXT if offer == "seed" else capped, encoding="utf-8")
    else:
        shutil.copytree(NOTES.parent / "data", tmp_path / "data")
        shutil.copy(NOTES, path)
    built = build_workbook(*compute_file(path), tmp_path / "built.xlsm")
    if offer == "notes":
        assert load_workbook(built)["Tenders"]["J21"].value.startswith("=IF(")  # a holder line's Accepted
    got = _recalculated(built, tmp_path / "typed.xlsm", typed, ("IdAccepted", "IdentitiesPass"))
    assert got == {"IdAccepted": holds, "IdentitiesPass": holds}


def test_an_array_formula_typed_over_a_formula_is_named_by_its_text(book, tmp_path):
    """Review 130: an array formula (Ctrl+Shift+Enter) entered over Accepted was shown as ``found
    <openpyxl.worksheet.formula.ArrayFormula object at 0x...>`` and called a value; a refresh reading the table
    through openpyxl passed it by (the sheet's XML reading named it).  It is a formula of the person's own, shown as
    Excel shows one; a data table's formula, which has no text, is passed by in both readings."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.overrides import OwnFormula, not_formulas

    wb = load_workbook(book, keep_vba=True)
    wb["Tenders"]["J21"] = ArrayFormula("J21", "=I21*3")
    wb.save(path := tmp_path / "array.xlsm")
    f = [x for x in validate(path, legs=()).findings if x.where == "Tenders!J21"]
    assert [(x.what, x.expected, x.found) for x in f] == [
        (saved_values.CHANGED, ACCEPTED, "{=I21*3} (an array formula)")]
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    rows = [[ws.cell(r, t.first_col + i).value for i in range(len(t.columns))]
            for r in range(t.first_row, t.last_row + 1)]
    j = [get_column_letter(t.first_col + i) for i in range(len(t.columns))].index("J")
    rows[1][j] = DataTableFormula(f"J{t.first_row + 1}")
    found = not_formulas(t, rows)
    assert found == [("J21", "=I21*3")] and isinstance(found[0][1], OwnFormula)


def _empty_formula(book: Path, out: Path, data_table: bool) -> Path:
    """*book* with ``<f/>`` in J24 (a line's Accepted) and, with *data_table*, a data table's formula in J23."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if b'<c r="J24"' in data:
                text = re.sub(r'(<c r="J24"[^>]*>).*?</c>', r"\1<f/></c>", data.decode(), count=1)
                if data_table:
                    text = re.sub(r'(<c r="J23"[^>]*>).*?</c>', r'\1<f t="dataTable" ref="J23" dt2D="0" dtr="0" '
                                  r'r1="D23"/><v>0</v></c>', text, count=1)
                data = text.encode()
            zout.writestr(info, data)
    return out


def test_an_empty_formula_is_named_by_both_readings_and_a_data_table_by_neither(book, tmp_path, monkeypatch):
    """Review 130: ``<f/>`` over a line's Accepted (openpyxl reads "=", a formula) was passed by where the sheet's
    XML is read (a refresh said nothing) and read as a blank by validate's fast load; a data table's formula (``<f
    t="dataTable" .../>``, no text) is passed by in both readings."""
    from openpyxl.utils import get_column_letter

    from xlpy.workbook import fastload
    from xlpy.workbook.backends import open_book
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.overrides import not_formulas

    monkeypatch.setattr(fastload, "MIN_ROWS", 1)  # (the table read from the sheet's XML, however short)
    alone = _empty_formula(book, tmp_path / "alone.xlsm", data_table=False)
    assert fastload.load(alone)["Tenders"]["J24"].value == "="
    out = _empty_formula(book, tmp_path / "empty.xlsm", data_table=True)
    wb = load_workbook(out)
    assert (wb["Tenders"]["J24"].value, wb["Tenders"]["J24"].data_type) == ("=", "f")
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    ws = wb["Tenders"]
    rows = [[ws.cell(r, t.first_col + i).value for i in range(len(t.columns))]
            for r in range(t.first_row, t.last_row + 1)]
    assert t.last_row == 24 and get_column_letter(t.first_col + len(t.columns) - 3) == "J"
    assert not_formulas(t, rows) == open_book(out).typed_over("Tenders", t) == [("J24", "=")]


def _text_in(book: Path, out: Path, texts: dict[str, str]) -> Path:
    """*book* with each cell of *texts* (``sheet part`` ``J21`` -> text) made text, as a person types ``'=foo``."""
    import re
    import zipfile
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            for ref, text in texts.items():
                if f'<c r="{ref}"'.encode() in data and info.filename in ("xl/worksheets/sheet3.xml",
                                                                          "xl/worksheets/sheet5.xml"):
                    data = re.sub(rf'<c r="{ref}"( s="\d+")?[^>]*>.*?</c>', lambda m: f'<c r="{ref}"{m[1] or ""} '
                                  f't="inlineStr"><is><t>{escape(text)}</t></is></c>', data.decode(), count=1).encode()
            zout.writestr(info, data)
    return out


@pytest.mark.parametrize("fast", [True, False])
def test_text_that_begins_with_an_equals_sign_is_a_value_typed_over_not_a_formula(book, tmp_path, monkeypatch, fast):
    """Review 130: text typed over a formula (``'=foo``, or the layout's own formula typed after an apostrophe) was
    "formula differs from the layout" to validate, or, spelled as the formula, nothing at all, where a refresh
    names it a value typed over the formula: it is one, and the figures that follow from it say so."""
    from xlpy.workbook import fastload

    monkeypatch.setattr(fastload, "MIN_ROWS", 1 if fast else 10**6)  # (the table read from the XML, or by openpyxl)
    j23 = ACCEPTED.replace("I21", "I23")  # (rows 22 and 23: not the first, which holds the column's shared formula)
    path = _text_in(book, tmp_path / "text.xlsm", {"J22": "=foo", "J23": j23, "C9": "=IF(Prorated,MaxUnits,Eligible)"})
    wb = load_workbook(path)
    assert [wb[s][c].data_type for s, c in (("Tenders", "J22"), ("Tenders", "J23"), ("Results", "C9"))] == ["s"] * 3
    f = validate(path, legs=("formulas",)).findings
    assert [(x.where, x.what, x.found) for x in f if x.leg == "structure"] == [
        ("Tenders!J22", saved_values.TYPED_OVER, "'=foo' (text)"),
        ("Tenders!J23", saved_values.TYPED_OVER, f"{j23!r} (text)"),
        ("Results!C9", saved_values.TYPED_OVER, "'=IF(Prorated,MaxUnits,Eligible)' (text)")]
    figures = [x for x in f if x.leg == "formulas"]
    assert figures and all("it follows from the values typed over 3 formulas (Tenders!J22, Tenders!J23 and 1 more;"
                           in x.what for x in figures)
