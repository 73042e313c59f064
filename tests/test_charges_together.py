"""Figures of unlike kinds in one offer (review 107): the offer's gain on extinguishment or credit on redemption
beside later exchanges' inducement charges is netted in words, not shown as a negative charge; and a carrying amount
given as a total for the units accepted is said to be taken for the count it was computed on, as
extinguishment.carrying_amount is."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlpy import cli

#: Notes failing the induced-conversion test (R1 18 below R0 20) at a gain of 78,000: 600 x 18 x 40 + 600 x 100
#: cash + 600 x 5 interest paid = 495,000, against 570,000 carried and 3,000 of interest given up; then a later
#: exchange of 100 notes at 22, an inducement of 100 x 2 x 40 = 8,000.
NOTES = """schema = 1
[offer]
id = "mixed"
issuer = "Acme Corp"
kind = "note"
face_per_unit = 1000
outstanding = 1000
original_ratio = 20
common_outstanding_before = 1000000
expiration = 2024-03-15
[offer.consideration]
ratio = 18
cash_per_unit = 100
arrears_per_unit = 5
[tally]
tendered = 600
final = true
[valuation]
date = 2024-03-15
price = 40
[extinguishment]
carrying_amount = 570000
[accounting]
par_value = 0.01
carrying_per_unit = 950
accrued_interest_per_unit = 5
[[exchange]]
date = 2024-03-25
units = 100
ratio = 22
price = 40
"""


def _run(tmp_path: Path, capsys, text: str, *args: str) -> tuple[list[str], str]:
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert cli.main([args[0], str(tmp_path / "offer.toml"), *args[1:]]) == 0
    out, err = capsys.readouterr()
    return out.splitlines(), err


@pytest.mark.parametrize("edit, want", [
    ({}, "Net of all exchanges  $70,000.00 credit to income before tax: the offer's gain $78,000.00 less the later "
         "exchanges' charges $8,000.00"),
    ({"carrying_amount = 570000": "carrying_amount = 400000"},  # a loss of 495,000 - 403,000 = 92,000
     "Net of all exchanges  $100,000.00 charge against income before tax: the offer's loss $92,000.00 and the later "
     "exchanges' charges $8,000.00"),
    ({"carrying_amount = 570000": "carrying_amount = 494000"},  # a gain of 2,000, smaller than the 8,000 after it
     "Net of all exchanges  $6,000.00 charge against income before tax: the later exchanges' charges $8,000.00 less "
     "the offer's gain $2,000.00"),
    ({'kind = "note"': 'kind = "preferred"', "face_per_unit = 1000\n": "", "arrears_per_unit = 5\n": "",
      "accrued_interest_per_unit = 5\n": ""},  # preferred: 600 x 18 x 40 + 60,000 = 492,000 against 570,000
     "Net of all exchanges  $70,000.00 credit to income available to common: the offer's credit $78,000.00 less "
     "the later exchanges' charges $8,000.00"),
])
def test_a_gain_and_later_charges_are_netted_in_words(tmp_path, capsys, edit, want):
    """The table said 'Charge, all exchanges -$70,000.00' of a gain of 78,000 and a charge of 8,000, two line items
    of unlike kinds, and the build 'the charge of all 2 exchanges -$70,000.00'."""
    text = NOTES
    for old, new in edit.items():
        text = text.replace(old, new)
    table, _ = _run(tmp_path, capsys, text, "compute")
    rows = [" ".join(line.split("  ", 1)[0].split()) + "  " + line.split("  ", 1)[1].strip() for line in table
            if line.startswith(("Net of all", "Charge, all"))]
    assert rows == [want]
    said, _ = _run(tmp_path, capsys, text, "build", "-o", str(tmp_path / "b.xlsm"), "--no-validate")
    assert said[0].endswith(f" (the offer's; all 2 exchanges: {want.split('  ', 1)[1]})"), said[0]


def test_later_induced_charges_beside_an_induced_offer_are_still_one_charge(tmp_path, capsys):
    text = NOTES.replace("ratio = 18", "ratio = 21").replace("[extinguishment]\ncarrying_amount = 570000\n", "")
    table, _ = _run(tmp_path, capsys, text, "compute")
    # the offer's 600 x 1 x 40 + 63,000 of cash and interest = 87,000, and the later exchange's 8,000
    assert [" ".join(line.split()) for line in table if line.startswith("Charge, all")] == [
        "Charge, all exchanges $95,000.00"]


def test_a_total_carrying_amount_is_said_to_be_the_counts(tmp_path, capsys):
    """``[accounting] carrying_amount`` is the units accepted in total: a later count booked it unchanged against
    other units without a word, where extinguishment.carrying_amount is said to be taken for its count."""
    text = NOTES.replace("ratio = 18", "ratio = 21").replace("[extinguishment]\ncarrying_amount = 570000\n", "")
    text = text.replace("carrying_per_unit = 950", "carrying_amount = 570000")
    text = text[:text.index("[[exchange]]")]
    said = ("warning: accounting.carrying_amount 570000 is taken as the carrying amount of the 600 units accepted in "
            "the journal entry: give it again whenever the count changes (or give accounting.carrying_per_unit, "
            "which follows it)")
    for command in ("compute", "entries"):
        _, err = _run(tmp_path, capsys, text, command)
        assert f"xlpy {command}: {said}" in err.splitlines(), err
    _, err = _run(tmp_path, capsys, text.replace("carrying_amount = 570000", "carrying_per_unit = 950"), "entries")
    assert "accounting.carrying_amount" not in err
