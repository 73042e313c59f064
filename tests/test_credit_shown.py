"""A credit or a gain reads as one: the charge figures' own number format shows a negative charge as
"$7,625,420.00 credit", as the release and the journal entry word it, not as a red "-$7,625,420.00"; the value
keeps its sign, so every formula and the validator's tie-out are as they were.  And the Release sheet's figures
say they leave failed deliveries out, which the Cover and Tenders count in."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from repo_paths import NOTES, SEED_TEXT

from xlpy.files.offerfile import compute_file
from xlpy.workbook import shown
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import CHECK_COLS, FMT, LABEL_COL, LAYOUT_NAME, Shape, layout, sensitivity_origin
from xlpy.workbook.validate import validate

#: The seed, its ratio below the original, and a carrying amount above the fair value: a redemption credit.
REDEMPTION = SEED_TEXT.replace("ratio = 7.94", "ratio = 3.0") + "\n[extinguishment]\ncarrying_amount = 13700000\n"
CHARGE = '$#,##0.00;$#,##0.00" credit"'


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """{name: (offer file, workbook, results)}: the redemption credit and the capped notes (a charge)."""
    folder = tmp_path_factory.mktemp("credit-shown")
    (folder / "redemption.toml").write_text(REDEMPTION, encoding="utf-8")
    out = {}
    for name, path in (("redemption", folder / "redemption.toml"), ("notes", NOTES)):
        offer, results = compute_file(path)
        out[name] = (path, build_workbook(offer, results, folder / f"{name}.xlsm"), results)
    return out


def _charge_cells(book) -> dict[str, tuple[str, str]]:
    """Every cell the layout shows the offer's charge in: what -> (sheet, reference)."""
    lay = layout(Shape.decode(load_workbook(book).defined_names[LAYOUT_NAME].attr_text))
    cover = next(row for s, _, item, row in lay.items() if s.title == "Cover" and item.key == "induced_charge")
    _, check = lay.cell("CheckCharge")
    history, t = lay.table("tblHistory")
    history_col = t.first_col + [c.key for c in t.columns].index("charge")
    top, left = sensitivity_origin(lay)
    col = lambda c: chr(ord("A") + c - 1)  # noqa: E731  (columns below Z)
    return {"Cover": ("Cover", f"C{cover}"), "Results": lay.cell("InducedCharge"),
            "all exchanges": lay.cell("TotalInducedCharge"), "Entries": lay.cell("EntryCharge"),
            "Check native": ("Check", f"{col(CHECK_COLS[1])}{check[1:]}"),  # (the name: its flag)
            "Check function": ("Check", f"{col(CHECK_COLS[2])}{check[1:]}"),
            "History": (history.title, f"{col(history_col)}{t.first_row}"),
            "Sensitivity": ("Sensitivity", f"{col(left + 5)}{top + 3}")}


def test_a_credit_reads_as_a_credit_in_every_charge_cell(books):
    path, book, results = books["redemption"]
    assert results.charge < 0  # (a redemption below carrying amount: the measure negative, a credit)
    cells, values = _charge_cells(book), load_workbook(book, data_only=True)
    wb = load_workbook(book)
    assert FMT["charge"] == CHARGE
    for what, (sheet, ref) in cells.items():
        assert wb[sheet][ref].number_format == CHARGE, what
    # the figure keeps its sign: the formulas and the tie-out read it as they did
    for what in ("Cover", "Results", "Entries", "History", "Sensitivity"):
        sheet, ref = cells[what]
        assert round(values[sheet][ref].value, 2) == float(results.charge), what
    # other money is the money format, the Check's difference too (not a charge: a difference of two)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    for name in ("FairValueOffer", "CashPaid", "EntryCarrying"):
        sheet, ref = lay.cell(name)
        assert wb[sheet][ref].number_format == FMT["money"], name
    row = cells["Check native"][1][1:]
    assert wb["Check"][f"{chr(ord('A') + CHECK_COLS[3] - 1)}{row}"].number_format == FMT["money"]
    report = validate(book, path, require_libreoffice=True)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]


def test_the_charge_format_reads_a_credit_and_leaves_a_charge_as_it_was():
    assert shown.misleading_format(CHARGE, "charge") is None
    assert shown.misleading_format('$#,##0.00" credit";$#,##0.00', "charge") == \
        "shows a positive figure as a negative one"
    assert shown.misleading_format('$#,##0.00;$#,##0.00" debit"') is None
    assert shown.misleading_format('$#,##0.00;$#,##0.00" creditor"') == "shows a negative figure without its sign"


def test_the_printed_pages_read_the_credit_and_the_charge(books, tmp_path):
    """LibreOffice prints the format as written: the Cover's charge and Results' read "$7,625,420.00 credit";
    a positive charge reads as it did."""
    from xlpy.workbook import rendering

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = rendering.to_pdf(books["redemption"][1], tmp_path / "pdf")
    printed = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    for label in ("Charge", "Charge \\(this offer\\)", "Charges of all exchanges", "The charge, to the cent"):
        assert re.search(rf"\n\s*{label}\s+\$7,625,420\.00 credit\b", printed), label
    assert "-$7,625,420.00" not in printed.split("Amount (debit +)")[0]  # (the entry's signed amounts, by design)
    _, book, results = books["notes"]
    wb, values = load_workbook(book), load_workbook(book, data_only=True)
    sheet, ref = _charge_cells(book)["Results"]
    assert wb[sheet][ref].number_format == CHARGE and values[sheet][ref].value == float(results.charge) > 0


def test_the_release_figures_say_failed_deliveries_are_left_out(books):
    """The capped notes: 79,300 units tendered (the Cover, Tenders), 300 of them failed deliveries; the release
    states 79,000 and 1,000 guaranteed, and its labels say why."""
    path, book, _ = books["notes"]
    wb, values = load_workbook(book), load_workbook(book, data_only=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    ws = wb["Release"]
    labels = {name: ws.cell(int(lay.cell(name)[1][1:]), LABEL_COL).value
              for name in ("ReleaseTenderedText", "ReleaseGuaranteedText")}
    assert labels == {"ReleaseTenderedText": "Tendered, less failed",
                      "ReleaseGuaranteedText": "Guaranteed, less failed"}
    title_row = int(lay.cell("ReleaseTenderedText")[1][1:]) - 1
    assert ws.cell(title_row, LABEL_COL).value == "Figures as the release states them (failed deliveries left out)"
    got = {n: values[lay.cell(n)[0]][lay.cell(n)[1]].value for n in ("Tendered", "FailedDelivery",
                                                                      "ReleaseTenderedText")}
    assert got == {"Tendered": 79300, "FailedDelivery": 300, "ReleaseTenderedText": "79,000"}
    report = validate(book, path, require_libreoffice=True)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]
