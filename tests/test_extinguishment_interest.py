"""An extinguishment of convertible notes takes the accrued interest the holders give up with the notes' carrying
amount (ASC 470-50-40-2): the engine, the command line and the workbook agree, and workbooks built before the fix
still pass the structure check."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlpy import cli
from xlpy.engine.compute import compute
from xlpy.files import offerfile
from xlpy.workbook import libreoffice
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import NOTE_COL, Shape, layout
from xlpy.workbook.validate import validate

CASE = Path(__file__).parent / "golden" / "entries" / "notes-extinguishment-interest.toml"


def _offer():
    case = tomllib.loads(CASE.read_text(encoding="utf-8"), parse_float=Decimal)
    return offerfile.parse(case["input"], source=CASE.name)


def _offer_file(tmp_path: Path) -> Path:
    """The golden case's [input] as an offer file of its own."""
    text = CASE.read_text(encoding="utf-8")
    body = text[text.index("[input]\n") + len("[input]\n"):text.index("[expected]")]
    path = tmp_path / "offer.toml"
    path.write_text(body.replace("[input.", "["), encoding="utf-8")
    return path


def test_the_measure_takes_the_accrued_interest_given_up():
    offer = _offer()
    results = compute(offer)
    assert results.treatment == "extinguishment"
    assert results.fair_value_offer == Decimal(605000)  # 20,000 shares x 30 + 5,000 of accrued interest paid
    assert results.charge == Decimal(-380000)  # 605,000 - (980,000 + 5,000)
    assert ("induced-conversion test failed (offer ratio 20 is below the original ratio 40: holders do not receive "
            "all the shares issuable under the original terms): measured as FV of consideration − carrying amount − "
            "accrued interest payable (5000)") in results.warnings


def test_preferred_and_induced_notes_are_measured_as_before():
    offer = _offer()
    from dataclasses import replace

    from xlpy.engine.model import Accounting

    no_interest = replace(offer, accounting=Accounting(par_value=Decimal("0.01")))
    assert compute(no_interest).charge == Decimal(-375000)  # 605,000 - 980,000: nothing more given up
    assert compute(no_interest).accrued_interest_given_up == 0
    preferred = replace(offer, kind="preferred")  # preferred stock gives up no interest, whatever the file says
    assert (compute(preferred).charge, compute(preferred).accrued_interest_given_up) == (Decimal(-375000), 0)
    assert compute(offer).accrued_interest_given_up == Decimal(5000)
    induced = replace(offer, consideration=replace(offer.consideration, ratio=Decimal(42)), carrying_amount=None)
    # 1,000 x (42 - 40) x 30 + 1,000 x 5: the accrued interest given up goes to equity, not into the charge
    assert compute(induced).charge == Decimal(65000)
    assert compute(induced).accrued_interest_given_up is None
    assert "accrued_interest_given_up" not in compute(induced).to_dict()


def test_a_preferred_entry_derecognises_no_accrued_interest_whatever_the_file_says():
    from dataclasses import replace

    from xlpy.engine.entries import journal_entry

    preferred = replace(_offer(), kind="preferred")  # accounting.accrued_interest_per_unit = 5 still given
    entry = journal_entry(preferred, compute(preferred))
    assert [x.account for x in entry.lines] == ["Preferred stock", "Retained earnings: redemption below carrying "
                                                "amount", "Common stock, at par", "Cash", "Additional paid-in capital"]
    assert entry.balanced and entry.total_debits == Decimal("980000.00")


def test_a_measure_of_nothing_is_booked_as_the_charge_not_as_a_gain():
    from dataclasses import replace

    from xlpy.engine.entries import journal_entry

    even = replace(_offer(), carrying_amount=Decimal(600000))  # 605,000 - (600,000 + 5,000) = 0
    results = compute(even)
    assert results.treatment == "extinguishment" and results.charge == 0
    [line] = [x for x in journal_entry(even, results).lines if "extinguishment" in x.account]
    assert (line.account, line.debit, line.credit, line.memo) == (
        "Loss on extinguishment of convertible notes", Decimal("0.00"), None,
        "the charge: fair value less carrying amount and accrued interest")


def test_the_command_line_books_the_shares_at_fair_value(tmp_path, capsys):
    path = _offer_file(tmp_path)
    assert cli.main(["entries", str(path), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["entries"]
    assert [(x["account"], x["debit"], x["credit"], x["memo"]) for x in lines] == [
        ("Convertible notes, net carrying amount", "980000.00", None,
         "carrying amount of the 1,000 notes ($1,000,000 principal) accepted"),
        ("Accrued interest payable", "5000.00", None, "accrued interest settled by the exchange"),  # (paid in cash)
        ("Gain on extinguishment of convertible notes", None, "380000.00",
         "the gain: carrying amount and accrued interest less fair value"),
        ("Common stock, at par", None, "200.00", "par value of the 20,000 common shares issued"),
        ("Cash", None, "5000.00", "accrued interest paid"),  # (the arrears_per_unit a note pays)
        ("Additional paid-in capital", None, "599800.00", "the balance"),  # 600,000 at fair value - 200 at par
    ]
    assert cli.main(["compute", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["induced_charge"], printed["carrying_amount"], printed["accrued_interest_given_up"]) == (
        "-380000", "980000", "5000")  # -380,000 = 605,000 - (980,000 + 5,000), each of its terms a key
    assert cli.main(["compute", str(path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert [line for line in table if line.startswith(("Carrying amount", "Accrued interest", "Gain on"))] == [
        "Carrying amount                                    $980,000.00",
        "Accrued interest payable                           $5,000.00",
        "Gain on extinguishment (carrying + interest − FV)  $380,000.00",
    ]
    from xlpy.cli.report import charge_words

    assert charge_words(compute(_offer()), _offer()) == ("gain on extinguishment (carrying amount and accrued "
                                                         "interest payable, less fair value) $380,000.00")
    assert cli.main(["release", str(path)]) == 0
    assert "will record a one-time gain on extinguishment in the second quarter in the amount of approximately " \
           "$380,000 as a result of the offer." in " ".join(capsys.readouterr().out.split())


def test_a_loss_says_it_subtracts_the_interest_with_the_carrying_amount(tmp_path, capsys):
    """The table's loss row reads FV − (carrying + interest), the measure, where it read FV − carrying + interest,
    which adds the interest back (review 100); the build's summary and the entry's memo say it in words."""
    path = tmp_path / "loss.toml"
    path.write_text(_offer_file(tmp_path).read_text(encoding="utf-8").replace("price = 30.00", "price = 60.00"),
                    encoding="utf-8")
    assert cli.main(["compute", str(path)]) == 0
    table = capsys.readouterr().out.splitlines()
    # 220,000 = 1,205,000 (20,000 shares x 60 + 5,000 of accrued interest paid) - (980,000 + 5,000)
    assert [line for line in table if line.startswith("Loss on")] == [
        "Loss on extinguishment (FV − (carrying + interest))  $220,000.00"]
    from xlpy.cli.report import charge_words

    offer = offerfile.load(path)
    assert charge_words(compute(offer), offer) == ("loss on extinguishment (fair value less carrying amount and "
                                                   "accrued interest payable) $220,000.00")
    assert cli.main(["entries", str(path), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["entries"]
    assert ("Loss on extinguishment of convertible notes", "220000.00", None,
            "the charge: fair value less carrying amount and accrued interest") in [
        (x["account"], x["debit"], x["credit"], x["memo"]) for x in lines]


def test_the_workbook_validates_by_its_formulas(tmp_path):
    offer = _offer()
    build_workbook(offer, compute(offer), tmp_path / "book.xlsm")
    report = validate(tmp_path / "book.xlsm", legs=("formulas",))
    assert report.findings == [], [str(f) for f in report.findings]
    assert report.legs_run == ["formulas"]
    lay = layout(Shape.decode(load_workbook(tmp_path / "book.xlsm").defined_names["xlpyLayout"].attr_text))
    _, _, row = lay.item("InducedCharge")  # the note beside the charge says what a failing notes measure takes
    note = load_workbook(tmp_path / "book.xlsm")["Results"].cell(row, NOTE_COL).value
    assert note.endswith("failing: fair value less carrying amount (notes: and accrued interest payable)")


#: (the golden case's offer file edited, its memos: the accrued interest's and the cash's): the interest paid in
#: cash is settled by the exchange, not given up, and the cash per unit is a sweetener only in an induced conversion.
MEMOS = {
    "failing, interest paid": ((("ratio = 20\n", "ratio = 20\ncash_per_unit = 2\n"),),
                               "accrued interest settled by the exchange",
                               "cash consideration and accrued interest paid"),
    "failing, interest given up": ((("arrears_per_unit = 5", "cash_per_unit = 2"),),
                                   "accrued interest the holders give up", "cash consideration"),
    "induced, interest paid": ((("ratio = 20\n", "ratio = 42\ncash_per_unit = 2\n"),),
                               "accrued interest settled by the exchange",
                               "cash sweetener and accrued interest paid"),
    "induced, interest given up": ((("ratio = 20\n", "ratio = 42\n"), ("arrears_per_unit = 5", "cash_per_unit = 2")),
                                   "accrued interest the holders give up", "cash sweetener"),
}


@pytest.mark.parametrize("case", MEMOS)
def test_the_memos_say_whether_the_interest_is_paid_and_the_cash_a_sweetener(tmp_path, capsys, case):
    """The accrued-interest line read "accrued interest the holders give up" where the offer pays it in cash, and the
    cash line "cash sweetener" where the test fails (the cash then part of the price paid to extinguish): the engine's
    entry and the workbook's Entries sheet (which validation ties to the engine's words) say it by case."""
    edits, interest, cash = MEMOS[case]
    text = _offer_file(tmp_path).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "memo.toml"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["entries", str(path), "--json"]) == 0
    memos = {x["account"]: x["memo"] for x in json.loads(capsys.readouterr().out)["entries"]}
    assert (memos["Accrued interest payable"], memos["Cash"]) == (interest, cash)
    assert cli.main(["build", str(path), "-o", str(tmp_path / "book.xlsm"), "-q"]) == 0
    report = validate(tmp_path / "book.xlsm", legs=("formulas",))
    assert report.findings == [], [str(f) for f in report.findings]
    wb = load_workbook(tmp_path / "book.xlsm", data_only=True)
    sheet, t = layout(Shape.decode(wb.defined_names["xlpyLayout"].attr_text)).table("tblEntries")
    shown = [wb[sheet.title][f"{t.letter('memo')}{t.first_row + k}"].value for k in (1, 4)]
    assert shown == [interest, cash]


@pytest.mark.libreoffice
def test_the_workbook_agrees_under_libreoffice(tmp_path, capsys):
    assert cli.main(["build", str(_offer_file(tmp_path)), "-o", str(tmp_path / "book.xlsm")]) == 0
    assert "book.xlsm: valid (" in capsys.readouterr().out  # the build validates it
    names = libreoffice.named_values(tmp_path / "book.xlsm")
    assert names["InducedCharge"] == pytest.approx(-380000, abs=1e-6)
    assert names["EntryCharge"] == pytest.approx(-380000, abs=1e-6)
    assert names["EntryAPIC"] == pytest.approx(599800, abs=1e-6)
    assert names["EntriesBalanced"] is True and names["IdEntries"] is True and names["IdTest"] is True
    report = validate(tmp_path / "book.xlsm", legs=("formulas", "libreoffice"), require_libreoffice=True)
    assert report.findings == [], [str(f) for f in report.findings]


def test_a_grid_too_large_for_a_workbook_names_the_interest_it_takes(tmp_path, capsys):
    """The Sensitivity grid's carrying amount takes the accrued interest given up: a refusal of a grid past what a
    workbook holds names that input too, not the carrying amount alone (50,000 units carry 49,000,000)."""
    text = _offer_file(tmp_path).read_text(encoding="utf-8")
    path = tmp_path / "big.toml"
    path.write_text(text.replace("accrued_interest_per_unit = 5", "accrued_interest_per_unit = 900000000").replace(
        "outstanding = 5000\n", "outstanding = 50000\n"), encoding="utf-8")
    assert cli.main(["build", str(path), "-o", str(tmp_path / "big.xlsm"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "Sensitivity grid: carrying amount and accrued interest payable of " in err
    assert "check offer.outstanding and extinguishment.carrying_amount (taken per unit accepted) and " \
           "accounting.accrued_interest_per_unit, got " in err
    assert not (tmp_path / "big.xlsm").exists()
