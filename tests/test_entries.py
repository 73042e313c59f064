"""The journal entry: golden entries worked by hand, bad accounting inputs, and ``xlpy entries``."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from repo_paths import OFFERS

from xlpy import cli
from xlpy.engine.compute import compute
from xlpy.engine.entries import journal_entry
from xlpy.engine.errors import InputErrors
from xlpy.files import offerfile

GOLDEN = sorted((Path(__file__).parent / "golden" / "entries").glob("*.toml"))


def load_case(path: Path):
    case = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    offer = offerfile.parse(case["input"], source=path.name)
    return case, offer, compute(offer)


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_entry(path):
    case, offer, results = load_case(path)
    entry = journal_entry(offer, results)
    got = [{"date": line["date"], "account": line["account"], "debit": line["debit"] or "",
            "credit": line["credit"] or ""} for line in entry.to_dict()["entries"]]
    assert got == case["expected"]["entries"]
    total = Decimal(case["expected"]["total"])
    assert entry.total_debits == entry.total_credits == total
    assert entry.balanced and entry.missing == ()


def test_golden_charge_line_is_the_engines_charge():
    for path in GOLDEN:
        _, offer, results = load_case(path)
        entry = journal_entry(offer, results)
        charge = [line for line in entry.lines if "expense" in line.account or "deemed dividend" in line.account
                  or "extinguishment" in line.account]
        assert len(charge) == 1, path.name
        assert abs(results.charge) == (charge[0].debit or charge[0].credit)


def test_missing_inputs_are_named_never_zero():
    case, offer, results = load_case(GOLDEN[0])
    case["input"].pop("accounting")
    offer = offerfile.parse(case["input"], source="x.toml")
    entry = journal_entry(offer, compute(offer))
    assert entry.missing == ("accounting.par_value", "accounting.carrying_per_unit (or accounting.carrying_amount)")
    assert not entry.balanced
    blanks = {line.account: line.memo for line in entry.lines if line.debit is None and line.credit is None}
    assert set(blanks) == {"Preferred stock", "Common stock, at par", "Additional paid-in capital"}
    assert all(memo.startswith("needs input: accounting.par_value") for memo in blanks.values())


BAD_ACCOUNTING = {
    "negative par": ({"par_value": Decimal("-0.25")}, "preferred", "accounting.par_value", "must not be negative"),
    "both carrying forms": ({"carrying_per_unit": Decimal(50), "carrying_amount": Decimal(1000)}, "preferred",
                            "accounting.carrying_amount", "not both"),
    "interest on preferred": ({"accrued_interest_per_unit": Decimal(5)}, "preferred",
                              "accounting.accrued_interest_per_unit", "convertible notes only"),
    "unknown key": ({"par": Decimal(1)}, "preferred", "accounting.par", "not a known key"),
}


@pytest.mark.parametrize("name", sorted(BAD_ACCOUNTING))
def test_bad_accounting_inputs(name):
    table, kind, key, reason = BAD_ACCOUNTING[name]
    case = tomllib.loads(GOLDEN[0].read_text(encoding="utf-8"), parse_float=Decimal)
    case["input"]["accounting"] = table
    case["input"]["offer"]["kind"] = kind
    with pytest.raises(InputErrors) as info:
        offerfile.parse(case["input"], source="x.toml")
    assert any(key in str(p) and reason in str(p) for p in info.value.problems), str(info.value)


def test_entries_command_json(capsys):
    assert cli.main(["entries", str(OFFERS / "hecla-2004.toml"), "--json"]) == 0
    out = capsys.readouterr().out
    got = json.loads(out, parse_float=lambda text: pytest.fail(f"bare JSON number {text}"))
    assert set(got) == {"entries"}
    assert [set(line) for line in got["entries"]] == [{"date", "account", "debit", "credit", "memo"}] * 4
    debits = sum(Decimal(line["debit"]) for line in got["entries"] if line["debit"] is not None)
    credits = sum(Decimal(line["credit"]) for line in got["entries"] if line["credit"] is not None)
    assert debits == credits == Decimal("23297836.4")


def test_entries_command_without_inputs_exits_2(tmp_path, capsys):
    text = (OFFERS / "hecla-2004.toml").read_text(encoding="utf-8")
    text = text[:text.index("[accounting]")]
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "accounting.par_value: is missing" in err and "accounting.carrying_per_unit" in err
