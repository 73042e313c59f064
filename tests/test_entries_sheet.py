"""The Entries sheet: the journal entry in native formulas, recalculated by LibreOffice and tied to the engine."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter
from repo_paths import OFFERS

from xlpy.engine.entries import journal_entry
from xlpy.files.offerfile import compute_file, load
from xlpy.workbook import libreoffice
from xlpy.workbook.build import build_workbook
from xlpy.workbook.validate import validate


def _build(offer_path: Path, out: Path) -> tuple[object, object]:
    offer, results = compute_file(offer_path)
    build_workbook(offer, results, out)
    return offer, results


@pytest.mark.libreoffice
def test_entries_balance_under_libreoffice_and_tie_to_the_engine_notes(tmp_path):
    offer, results = _build(OFFERS / "notes-capped-example.toml", tmp_path / "book.xlsm")
    names = libreoffice.named_values(tmp_path / "book.xlsm")
    report = validate(tmp_path / "book.xlsm", legs=("formulas", "libreoffice"), require_libreoffice=True)
    _entries_balance_and_tie(offer, results, names, report)


@pytest.mark.libreoffice
def test_entries_balance_under_libreoffice_and_tie_to_the_engine_seed(seed_named_values, seed_report):
    """The seed workbook's one LibreOffice recalculation and full validation, shared (tests/conftest.py)."""
    offer, results = compute_file(OFFERS / "hecla-2004.toml")
    _entries_balance_and_tie(offer, results, seed_named_values, seed_report)
    assert seed_report.legs_run == ["formulas", "libreoffice"]


def _entries_balance_and_tie(offer, results, names, report) -> None:
    entry = journal_entry(offer, results)
    assert names["EntriesBalanced"] is True and names["EntriesComplete"] is True
    assert Decimal(str(names["EntriesDebits"])) == pytest.approx(entry.total_debits, abs=Decimal("0.005"))
    assert Decimal(str(names["EntriesCredits"])) == pytest.approx(entry.total_credits, abs=Decimal("0.005"))
    # the charge line is xlpy compute's induced_charge
    debits = [row[0] for row in names["EntryDebits"]]
    assert any(isinstance(d, (int, float)) and abs(Decimal(str(d)) - results.charge) < Decimal("0.005")
               for d in debits), debits
    assert report.findings == [], [str(f) for f in report.findings]


@pytest.mark.libreoffice
def test_entries_without_inputs_say_so_and_never_zero(tmp_path):
    assert load(_without_accounting(tmp_path)).accounting.par_value is None
    _build(tmp_path / "offer.toml", tmp_path / "book.xlsm")
    names = libreoffice.named_values(tmp_path / "book.xlsm")
    # "Debits = credits" says what the totals say, not FALSE, which reads as an entry that fails to balance
    assert names["EntriesComplete"] is False and names["EntriesBalanced"] == "needs input"
    assert str(names["EntryPar"]).startswith("needs input") and str(names["EntryAPIC"]).startswith("needs input")
    # no totals of the lines given, which read as an entry that fails to balance (review 109: $13,673,273.90 of
    # debits against $7,081.39 of credits, the Check sheet saying it balances)
    assert names["EntriesDebits"] == names["EntriesCredits"] == "needs input"
    assert names["IdEntries"] is True  # the Check identity holds: the entry is incomplete, not wrong
    report = validate(tmp_path / "book.xlsm", legs=("formulas", "libreoffice"), require_libreoffice=True)
    assert report.findings == [], [str(f) for f in report.findings]


def _without_accounting(folder: Path) -> Path:
    """The seed offer without its [accounting] table: no par value, no carrying amount."""
    text = (OFFERS / "hecla-2004.toml").read_text(encoding="utf-8")
    (folder / "offer.toml").write_text(text[:text.index("[accounting]")], encoding="utf-8")
    return folder / "offer.toml"


#: Offer files short of an input the journal entry needs: (offer file, the line of it taken out), and what the
#: amounts read then (those of the input given are figures).
SHORT = {
    "no-par": (OFFERS / "hecla-2004.toml", "par_value = 0.25", {"EntryPar": "needs input: par value (Inputs)"}),
    "no-carrying": (OFFERS / "hecla-2004.toml", "carrying_per_unit = 50",
                    {"EntryCarrying": "needs input: carrying amount (Inputs)"}),
    "notes-no-par": (OFFERS / "notes-capped-example.toml", "par_value = 0.01",
                     {"EntryPar": "needs input: par value (Inputs)"}),
}
#: The cells that read "needs input" whichever input is missing: the balance and the totals.
TOTALS = {"EntryAPIC": "needs input", "EntriesDebits": "needs input", "EntriesCredits": "needs input",
          "EntriesBalanced": "needs input"}


def _short_book(folder: Path, case: str = "both") -> tuple[Path, object, object]:
    """A workbook built from an offer short of an input (*case*: a key of :data:`SHORT`, or ``both``: the seed
    without its [accounting] table), with its offer and results."""
    if case == "both":
        offer_path = _without_accounting(folder)
    else:
        source, line, _ = SHORT[case]
        text = source.read_text(encoding="utf-8")
        assert text.count(line) == 1
        shutil.copytree(source.parent / "data", folder / "data")  # (its tally file, where the offer file says)
        (offer_path := folder / "offer.toml").write_text(text.replace(line, ""), encoding="utf-8")
    offer, results = _build(offer_path, folder / "book.xlsm")
    return folder / "book.xlsm", offer, results


@pytest.mark.parametrize("case", sorted(SHORT))
def test_the_validator_expects_needs_input_in_the_amounts_and_totals_short_of_an_input(tmp_path, case):
    """An entry short of one input (the par value, or the carrying amount; a notes offer too): the validator expects
    the exact text the layout's formulas read in the totals (Debits, Credits, Debits = credits), the balance, the
    amount of the missing input and the Cover's entry status, from the engine's entry (it expected none in the
    totals and the amounts, so a 0 or a wrong text there went unseen), and the book, recalculated, ties."""
    from openpyxl import load_workbook

    from xlpy.workbook.expected import expected_cells
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.layout.model import VALUE_COL

    path, offer, results = _short_book(tmp_path, case)
    assert journal_entry(offer, results).missing
    lay = layout(Shape.decode(load_workbook(path).defined_names[LAYOUT_NAME].attr_text))
    exp = expected_cells(lay, offer, results)
    want = {**TOTALS, **SHORT[case][2]}
    assert {name: (exp[lay.cell(name)].value, exp[lay.cell(name)].fmt) for name in want} == \
        {name: (text, "text") for name, text in want.items()}
    given = {"EntryCarrying", "EntryPar"} - set(want)  # (the input given: its amount a figure, as before)
    assert all(isinstance(exp[lay.cell(name)].value, Decimal) for name in given)
    status = next((s.title, f"{get_column_letter(VALUE_COL)}{row}") for s, _, item, row in lay.items()
                  if item.key == "entry.status")
    assert exp[status].value == "needs input: see Entries"
    report = validate(path, legs=("formulas",))
    assert report.findings == [], [str(f) for f in report.findings]
    assert not any("hold no saved value" in n for n in report.notes), report.notes  # (the texts saved at a build)


def _value_findings(report, where: str, leg: str) -> list:
    return [f for f in report.findings if f.where == where and f.leg == leg and "differs from the engine" in f.what]


@pytest.mark.parametrize("value", [0, "needs input: see Entries"], ids=["zero", "wrong-text"])
@pytest.mark.parametrize("name", ["EntriesDebits", "EntriesCredits", "EntryAPIC", "EntryPar", "EntryCarrying"])
def test_a_total_or_amount_typed_over_while_an_input_is_missing_is_found(tmp_path, name, value):
    """A total (or the balance, or an amount short of its input) typed over with 0 or another text while the entry
    is short of an input: the formulas leg names the cell, its figure differing from the engine's "needs input"
    (it had no expectation there: only the structure's "typed over" said anything)."""
    from openpyxl import load_workbook

    path, _, _ = _short_book(tmp_path)
    wb = load_workbook(path, keep_vba=True)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")] = value
    wb.save(path)
    report = validate(path, legs=("formulas",))
    assert _value_findings(report, f"{sheet}!{ref.replace('$', '')}", "formulas"), [str(f) for f in report.findings]


def _save_value(path: Path, sheet: str, ref: str, value) -> None:
    """The value saved beside the formula of *sheet*!*ref* set inside the package (a number, or a text), as a zip
    tool would, whether one was saved there or not; its formula kept."""
    import re

    from xlpy.workbook.package import Package

    pkg = Package(path)
    part = pkg.sheet_parts()[sheet]
    cell = re.compile(rf'(<c r="{ref}"[^>]*?)(?: t="\w+")?>(<f>[^<]*</f>)(?:<v>[^<]*</v>)?</c>')
    kind = ' t="str"' if isinstance(value, str) else ""
    text, n = cell.subn(lambda m: f"{m[1]}{kind}>{m[2]}<v>{value}</v></c>", pkg.read(part).decode("utf-8"), count=1)
    assert n == 1, ref
    pkg.write(part, text.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())


@pytest.mark.parametrize("value", [0, "balances"], ids=["zero", "wrong-text"])
@pytest.mark.parametrize("name", ["EntriesDebits", "EntriesCredits", "EntryAPIC", "EntryPar", "EntryCarrying"])
def test_a_total_or_amount_saved_otherwise_while_an_input_is_missing_is_found(tmp_path, name, value):
    """The value saved beside a total's formula (or the balance's, or an amount's short of its input) changed to 0
    or another text, its formula kept: the saved values' check names the cell (a build saved none there, and none
    was expected)."""
    from openpyxl import load_workbook

    path, _, _ = _short_book(tmp_path)
    sheet, ref = next(iter(load_workbook(path).defined_names[name].destinations))
    _save_value(path, sheet, ref.replace("$", ""), value)
    report = validate(path, legs=())
    where = f"{sheet}!{ref.replace('$', '')}"
    assert [f for f in report.findings if f.where == where and f.leg == "saved"], [str(f) for f in report.findings]


@pytest.mark.libreoffice
def test_a_total_typed_over_while_an_input_is_missing_is_found_by_libreoffice(tmp_path):
    """LibreOffice's recalculation of a book short of an input, Total credits typed over with another text: its leg
    names the cell, its text differing from the engine's "needs input"."""
    from openpyxl import load_workbook

    path, _, _ = _short_book(tmp_path)
    wb = load_workbook(path, keep_vba=True)
    sheet, ref = next(iter(wb.defined_names["EntriesCredits"].destinations))
    wb[sheet][ref.replace("$", "")] = "needs input: par value (Inputs)"
    wb.save(path)
    report = validate(path, legs=("libreoffice",), require_libreoffice=True)
    assert report.legs_run == ["libreoffice"]
    assert _value_findings(report, f"{sheet}!{ref.replace('$', '')}", "libreoffice"), \
        [str(f) for f in report.findings]


def test_an_entry_short_of_an_input_reads_needs_input_not_false_in_the_formulas_model(tmp_path):
    """Debits = credits reads "needs input" beside the totals while an input is missing (it read FALSE: the entry
    failing to balance); Check's identity and the Cover, which read it, hold a flag and their words, and the
    validator expects the text."""
    from openpyxl import load_workbook

    from xlpy.workbook.expected import expected_cells
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.readback import formulas_values

    offer, results = _build(_without_accounting(tmp_path), tmp_path / "book.xlsm")
    lay = layout(Shape.decode(load_workbook(tmp_path / "book.xlsm").defined_names[LAYOUT_NAME].attr_text))
    cells = {name: ref for s, _, item, ref in _named_cells(lay) for name in (item.name, item.key) if name}
    values = formulas_values(tmp_path / "book.xlsm")
    assert values[cells["EntriesComplete"]] is False
    assert values[cells["EntriesBalanced"]] == values[cells["entry.debits"]] == "needs input"
    assert values[cells["IdEntries"]] is True and values[cells["IdentitiesPass"]] is True
    assert values[cells["entry.status"]] == "needs input: see Entries"
    expect = expected_cells(lay, offer, results, Decimal(1))[("Entries", cells["EntriesBalanced"][1])]
    assert (expect.value, expect.fmt) == ("needs input", "text")


def _named_cells(lay):
    """(sheet, block, item, (SHEET, value cell)) of each block item, the sheet's title upper-cased as the formulas
    library gives it."""
    from xlpy.workbook.layout.model import VALUE_COL

    for s, b, item, row in lay.items():
        yield s, b, item, (s.title.upper(), f"{get_column_letter(VALUE_COL)}{row}")


def test_the_longest_account_and_memo_print_whole_in_their_columns():
    """Each account and memo the entry's lines can read (the longest: a preferred redemption above its carrying
    amount's account, and the cash line's three parts when the test fails) fits its column at its font: they were
    cut at the next column on the printed page."""
    import re
    from types import SimpleNamespace as N

    from xlpy.engine.entries import cash_memo, interest_memo
    from xlpy.workbook.build import CHARS_PER_WIDTH
    from xlpy.workbook.layout import ENTRY_LINES, Shape, layout
    from xlpy.workbook.layout.entries import CHARGE_ACCOUNT

    accounts = set(re.findall(r'"([^"]*)"', CHARGE_ACCOUNT + "".join(a for a, _, _ in ENTRY_LINES)))
    memos = {m for _, _, m in ENTRY_LINES if not m.startswith("=")} | {"needs input: see the amounts above"}
    memos |= {interest_memo(N(arrears_paid=a)) for a in (0, 1)}
    memos |= {cash_memo(N(kind=kind), N(cash_sweetener=s, arrears_paid=a, fractional_cash=f, treatment=t))
              for kind in ("preferred", "note") for t in ("induced_conversion", "extinguishment")
              for s in (0, 1) for a in (0, 1) for f in (0, 1)}
    longest = {"account": max(accounts, key=len), "memo": max(memos, key=len)}
    assert longest == {"account": "Retained earnings: deemed dividend (redemption above carrying amount)",
                       "memo": "cash consideration, accrued interest paid and cash in lieu of fractional shares"}
    sheet, table = layout(Shape()).table("tblEntries")
    for key, text in longest.items():
        width = sheet.column_widths()[table.letter(key)]
        assert len(text) + 2 <= width * CHARS_PER_WIDTH, (key, width)  # (+2: the column's indent)


def test_tampered_entry_amount_is_found(standard_books, tmp_path):
    import shutil

    from openpyxl import load_workbook

    shutil.copy(standard_books["plain"], tmp_path / "book.xlsm")  # the seed workbook, built once (conftest.py)
    wb = load_workbook(tmp_path / "book.xlsm", keep_vba=True)
    dest = wb.defined_names["EntryPar"].destinations
    sheet, ref = next(iter(dest))
    wb[sheet][ref.replace("$", "")] = 543890
    wb.save(tmp_path / "book.xlsm")
    report = validate(tmp_path / "book.xlsm", legs=())
    assert any(f"{sheet}!{ref.replace('$', '')}" in str(f) for f in report.findings), [str(f) for f in report.findings]


@pytest.mark.libreoffice
def test_history_follows_the_offers_days(tmp_path):
    """Built, refreshed from half the agent's tally, then from all of it: three History rows and their changes."""
    import argparse
    import csv
    import shutil

    from openpyxl import load_workbook

    from xlpy.cli import refresh as cli_refresh
    from xlpy.workbook.layout import Shape, layout

    data = OFFERS / "data"
    for name in ("hecla-2004-tally.csv", "hecla-2004-prices-illustrative.csv"):
        shutil.copyfile(data / name, tmp_path / name)
    text = (OFFERS / "hecla-2004-formula.toml").read_text(encoding="utf-8").replace('"data/', '"')
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    offer, results = _build(tmp_path / "offer.toml", tmp_path / "book.xlsm")
    rows = list(csv.reader((tmp_path / "hecla-2004-tally.csv").open(encoding="utf-8")))
    with (tmp_path / "half.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[: len(rows) // 2])

    def refresh(tally):
        p = argparse.ArgumentParser()
        cli_refresh.setup_refresh(p)
        assert cli_refresh.refresh_command(p.parse_args([str(tmp_path / "book.xlsm"), "--tally", str(tally),
                                                    "--no-backup"])) == 0

    refresh(tmp_path / "half.csv")
    _, half = compute_file_with_tally(tmp_path, "half.csv")
    refresh(tmp_path / "hecla-2004-tally.csv")
    wb = load_workbook(tmp_path / "book.xlsm", read_only=False)
    shape = Shape.decode(wb.defined_names["xlpyLayout"].attr_text)
    _, table = layout(shape).table("tblHistory")
    assert shape.history_rows == table.rows == 3
    ws = wb["History"]
    tendered_col = table.first_col + [c.key for c in table.columns].index("tendered")
    tendered = [ws.cell(row=r, column=tendered_col).value for r in range(table.first_row, table.last_row + 1)]
    assert tendered == [results.units_tendered, half.units_tendered, results.units_tendered]
    tally_col = table.first_col + [c.key for c in table.columns].index("tally")
    assert ws.cell(row=table.first_row + 1, column=tally_col).value == "half.csv"
    names = libreoffice.named_values(tmp_path / "book.xlsm")
    changes = [row[0] for row in names["HistChange"]]
    assert changes == [0, half.units_tendered - results.units_tendered, results.units_tendered - half.units_tendered]
    assert names["EntriesBalanced"] is True
    debits = [row[0] for row in names["EntryDebits"]]
    assert any(isinstance(d, (int, float)) and abs(Decimal(str(d)) - results.charge) < Decimal("0.005")
               for d in debits)
    report = validate(tmp_path / "book.xlsm", legs=("formulas", "libreoffice"), require_libreoffice=True)
    assert report.findings == [], [str(f) for f in report.findings]
    # nothing new: no fourth row
    refresh(tmp_path / "hecla-2004-tally.csv")
    assert Shape.decode(load_workbook(tmp_path / "book.xlsm").defined_names["xlpyLayout"].attr_text).history_rows == 3


def compute_file_with_tally(folder: Path, tally: str):
    """The offer of *folder*/offer.toml with its tally file replaced by *tally*."""
    text = (folder / "offer.toml").read_text(encoding="utf-8").replace('"hecla-2004-tally.csv"', f'"{tally}"')
    (folder / "offer-half.toml").write_text(text, encoding="utf-8")
    return compute_file(folder / "offer-half.toml")


def test_entries_sheet_is_booked_in_cents_like_the_engine(tmp_path):
    """Every unit tendered at a par of $0.001 (tests/test_entries.py): the sheet's lines are the engine's, to the
    cent, and foot (recalculated by the formulas library)."""
    from openpyxl import load_workbook
    from test_entries import ALL_TENDERED

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.readback import formulas_table_values

    (tmp_path / "offer.toml").write_text(ALL_TENDERED, encoding="utf-8")
    offer, results = _build(tmp_path / "offer.toml", tmp_path / "book.xlsm")
    wb = load_workbook(tmp_path / "book.xlsm")
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, table = lay.table("tblEntries")
    cols = {c.key: table.first_col + i for i, c in enumerate(table.columns)}
    cells = {(sheet.title, f"{get_column_letter(cols[k])}{r}"): (k, r - table.first_row)
             for k in ("debit", "credit") for r in range(table.first_row, table.first_row + table.rows)}
    names = ("EntriesDebits", "EntriesCredits")
    cells.update({lay.cell(n): (n, None) for n in names})
    raw = formulas_table_values(wb, lay, list(cells))  # keyed by the sheet's name in capitals
    got = {what: raw[(s.upper(), ref)] for (s, ref), what in cells.items()}
    entry = journal_entry(offer, results)
    want = [line.debit or line.credit for line in entry.lines]
    sheet_lines = [got[("debit", i)] if got[("debit", i)] != "" else got[("credit", i)] for i in range(table.rows)]
    sheet_lines = [Decimal(str(v)) for v in sheet_lines if v != ""]
    assert sheet_lines == want  # 23,238,850; 16,280,487.62; 3,690.33; 2.81; 39,515,644.48
    assert Decimal(str(got[("EntriesDebits", None)])) == Decimal(str(got[("EntriesCredits", None)])) \
        == entry.total_debits == Decimal("39519337.62")


def _drop_value(path: Path, sheet: str, ref: str) -> None:
    """The value saved beside the formula of *sheet*!*ref* taken out of the package, its formula kept: what a build
    by an xlpy that saved none there left."""
    import re

    from xlpy.workbook.package import Package

    pkg = Package(path)
    part = pkg.sheet_parts()[sheet]
    cell = re.compile(rf'(<c r="{ref}"[^>]*?)(?: t="\w+")?>(<f>[^<]*</f>)<v>[^<]*</v></c>')
    text, n = cell.subn(lambda m: f"{m[1]}>{m[2]}</c>", pkg.read(part).decode("utf-8"), count=1)
    assert n == 1, ref
    pkg.write(part, text.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())


def test_needs_input_saved_by_no_value_is_no_note_of_a_file_saved_before_it_was_calculated(tmp_path):
    """A book short of an input whose "needs input" cells hold no saved value (as an xlpy before the validator
    expected them saved none there): validate says nothing of a file "saved before it was calculated", which that
    file was not, and still counts another formula cell short of its saved value."""
    from openpyxl import load_workbook

    path, _, _ = _short_book(tmp_path, "no-par")
    names = load_workbook(path).defined_names
    for name in (*TOTALS, "EntryPar"):
        sheet, ref = next(iter(names[name].destinations))
        _drop_value(path, sheet, ref.replace("$", ""))
    report = validate(path, legs=())
    assert report.findings == [], [str(f) for f in report.findings]
    assert not any("hold no saved value" in n for n in report.notes), report.notes
    sheet, ref = next(iter(names["InducedCharge"].destinations))  # (a figure's saved value missing is still said)
    _drop_value(path, sheet, ref.replace("$", ""))
    report = validate(path, legs=())
    assert any(n.startswith("1 formula cell(s) the engine knows hold no saved value") for n in report.notes), \
        report.notes
