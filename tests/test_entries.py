"""The journal entry: golden entries worked by hand, bad accounting inputs, and ``xlpy entries``."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from repo_paths import OFFERS, SEED_TEXT

from xlpy import cli
from xlpy.engine.compute import compute
from xlpy.engine.entries import journal_entries, journal_entry
from xlpy.engine.errors import InputErrors
from xlpy.engine.model import (
    Accounting,
    Consideration,
    Exchange,
    Offer,
    Tally,
    Valuation,
)
from xlpy.engine.numbers import excel_round
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
    out, err = capsys.readouterr()
    got = json.loads(out, parse_float=lambda text: pytest.fail(f"bare JSON number {text}"))
    assert set(got) == {"entries", "warnings"}
    # the warnings as on standard error, so a script need not read it (QA: compute --json gave them, entries not)
    assert got["warnings"] == [w.split("xlpy entries: warning: ", 1)[1] for w in err.splitlines()]
    assert len(got["warnings"]) == 1 and got["warnings"][0].startswith("preliminary count: 3,500 units")
    assert [set(line) for line in got["entries"]] == [{"entry", "date", "account", "debit", "credit", "memo"}] * 4
    assert {line["entry"] for line in got["entries"]} == {"offer"}
    debits = sum(Decimal(line["debit"]) for line in got["entries"] if line["debit"] is not None)
    credits = sum(Decimal(line["credit"]) for line in got["entries"] if line["credit"] is not None)
    assert debits == credits == Decimal("23297836.4")
    # as booked, in cents, each with its two places, as a ledger's import file has them (review 73: "9597836.4")
    assert [(line["debit"], line["credit"]) for line in got["entries"]] == [
        ("13700000.00", None), ("9597836.40", None), (None, "543890.00"), (None, "22753946.40")]


def test_entries_command_without_inputs_exits_2(tmp_path, capsys):
    text = (OFFERS / "hecla-2004.toml").read_text(encoding="utf-8")
    text = text[:text.index("[accounting]")]
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"xlpy entries: {tmp_path / 'offer.toml'}: accounting.par_value: is required: the journal entry needs it "
        "(see docs/offer-file.md, [accounting]: xlpy docs offer-file), got nothing",
        f"xlpy entries: {tmp_path / 'offer.toml'}: accounting.carrying_per_unit (or accounting.carrying_amount): is "
        "required: the journal entry needs it (see docs/offer-file.md, [accounting]: xlpy docs offer-file), got "
        "nothing"]


# --- booked in cents ------------------------------------------------------------------

SEED = SEED_TEXT  # the seed offer file, [accounting] and all

#: Every unit tendered at a par of $0.001: par 3,690.329, cash in lieu 2.8082, charge 16,280,487.6222 exactly.
ALL_TENDERED = SEED.replace("tendered = 274000", "tendered = 464777").replace("par_value = 0.25", "par_value = 0.001")


def _cents(amount) -> bool:
    return amount is None or amount.as_tuple().exponent >= -2


def test_entry_is_booked_in_cents_and_foots(tmp_path, capsys):
    (tmp_path / "offer.toml").write_text(ALL_TENDERED, encoding="utf-8")
    offer, results = offerfile.compute_file(tmp_path / "offer.toml")
    assert (results.charge, results.cash_paid) == (Decimal("16280487.6222"), Decimal("2.8082"))  # compute: exact
    entry = journal_entry(offer, results)
    got = [(line.account, line.debit, line.credit) for line in entry.lines]
    assert got == [("Preferred stock", Decimal(23238850), None),
                   ("Retained earnings: deemed dividend (induced conversion)", Decimal("16280487.62"), None),
                   ("Common stock, at par", None, Decimal("3690.33")),
                   ("Cash", None, Decimal("2.81")),
                   ("Additional paid-in capital", None, Decimal("39515644.48"))]  # the balance: carries the rounding
    assert entry.total_debits == entry.total_credits == Decimal("39519337.62") and entry.balanced

    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 0
    text = capsys.readouterr().out.splitlines()
    assert "$3,690.33" in text[3] and "$2.81" in text[4] and "$39,515,644.48" in text[5]
    assert text[6].split() == ["Total", "$39,519,337.62", "$39,519,337.62"]

    assert cli.main(["entries", str(tmp_path / "offer.toml"), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["entries"]
    assert [(line["debit"], line["credit"]) for line in lines] == [
        ("23238850.00", None), ("16280487.62", None), (None, "3690.33"), (None, "2.81"), (None, "39515644.48")]


def test_golden_charge_line_is_the_charge_to_the_cent():
    for path in GOLDEN:
        _, offer, results = load_case(path)
        entry = journal_entry(offer, results)
        assert all(_cents(line.debit) and _cents(line.credit) for line in entry.lines), path.name


def decimals(max_units: int, max_places: int = 4, min_units: int = 1):
    """Exact decimals n / 10**p, as in tests/test_properties.py."""
    return st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(min_units, max_units), st.integers(0, max_places))


ratios = decimals(200_000, 4)
prices = decimals(50_000, 2)
cash = st.one_of(st.just(Decimal(0)), decimals(10_000, 4))


@st.composite
def offers_with_accounting(draw):
    """Random offers, preferred or notes, induced or not, with every [accounting] input, to 4 decimals."""
    kind = draw(st.sampled_from(("preferred", "note")))
    r0 = draw(ratios)
    induced = draw(st.booleans())
    r1 = r0 + draw(decimals(50_000, 4, min_units=0)) if induced else draw(decimals(10_000, 4)).min(r0) / 2
    units = draw(st.integers(1, 1_000_000))
    carrying = draw(decimals(10_000_000, 4))
    in_total = draw(st.booleans())
    accounting = Accounting(
        par_value=draw(decimals(100_000, 4, min_units=0)),
        carrying_per_unit=None if in_total else draw(decimals(1_000_000, 4)),
        carrying_total=draw(decimals(10**12, 4)) if in_total else None,
        accrued_interest_per_unit=draw(decimals(100_000, 4, min_units=0)) if kind == "note" else Decimal(0))
    exchanges = tuple(Exchange(dt.date(2024, 3, 1 + i), draw(st.integers(1, 100_000)),
                               # (a share a unit above R0 at least: never less than the original terms give)
                               r0 + 1 + draw(decimals(50_000, 4, min_units=0)), draw(prices), draw(cash))
                      for i in range(draw(st.integers(0, 2))))
    return Offer(
        id="p", issuer="Property Co", security="Convertible securities", common_outstanding_before=100_000_000,
        expiration=dt.date(2024, 2, 20), exchanges=exchanges, kind=kind, original_ratio=r0, tally=Tally(units, 0, 0),
        outstanding=units + sum(e.units for e in exchanges) + draw(st.integers(0, 1000)),
        consideration=Consideration(ratio=r1, cash_per_unit=draw(cash), arrears_per_unit=draw(cash),
                                    fractional=draw(st.sampled_from(("cash", "down", "nearest")))),
        valuation=Valuation(dt.date(2024, 2, 20), draw(prices)),
        # (given to the induced too: fractions forfeited may leave holders less than the original terms give)
        carrying_amount=carrying, accounting=accounting)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offer=offers_with_accounting())
def test_every_entry_foots_to_the_cent(offer):
    results = compute(offer)
    entries = journal_entries(offer, results)
    assert len(entries) == len(results.exchanges)
    for entry, exchange in zip(entries, results.exchanges, strict=True):
        if entry.label != "offer" and offer.accounting.carrying_per_unit is None:
            assert entry.missing and not entry.balanced  # a total carrying amount is the offer's units only
            continue
        assert entry.missing == () and entry.balanced
        assert all(_cents(line.debit) and _cents(line.credit) for line in entry.lines)
        assert entry.total_debits == entry.total_credits
        line = next(line for line in entry.lines if line.memo.startswith(("the charge", "the gain", "the credit")))
        assert (line.debit if line.debit is not None else -line.credit) == excel_round(exchange.charge, 2)


# --- later exchanges in the period ----------------------------------------------------

#: The seed with a first quarter and two later exchanges (docs/accounting.md, hecla-2004-q1).
LATER = SEED + """[period]
start = 2004-01-01
end = 2004-03-31
settlement = 2004-02-25
net_income = 6200000
[[exchange]]
date = 2004-03-05
units = 20000
ratio = 7.94
price = 8.40
[[exchange]]
date = 2004-03-22
units = 12961
ratio = 7.75
price = 8.50
"""


def test_each_later_exchange_has_its_own_entry(tmp_path, capsys):
    (tmp_path / "offer.toml").write_text(LATER, encoding="utf-8")
    offer, results = offerfile.compute_file(tmp_path / "offer.toml")
    entries = journal_entries(offer, results)
    assert [(e.label, e.date.isoformat()) for e in entries] == [
        ("offer", "2004-02-20"), ("exchange 1", "2004-03-05"), ("exchange 2", "2004-03-22")]
    assert entries[0] == journal_entry(offer, results)
    # exchange 1: 20,000 x 50; charge 20,000 x (7.94 - 3.2) x 8.40; par 158,800 x 0.25
    assert [(line.account, line.debit, line.credit) for line in entries[1].lines] == [
        ("Preferred stock", Decimal(1000000), None),
        ("Retained earnings: deemed dividend (induced conversion)", Decimal(796320), None),
        ("Common stock, at par", None, Decimal(39700)),
        ("Additional paid-in capital", None, Decimal(1756620))]
    # exchange 2: 12,961 x 50; charge 501,266.675 to the cent; par 100,447 x 0.25; 0.75 share x 8.50 in cash
    assert [(line.account, line.debit, line.credit) for line in entries[2].lines] == [
        ("Preferred stock", Decimal(648050), None),
        ("Retained earnings: deemed dividend (induced conversion)", Decimal("501266.68"), None),
        ("Common stock, at par", None, Decimal("25111.75")),
        ("Cash", None, Decimal("6.38")),
        ("Additional paid-in capital", None, Decimal("1124198.55"))]
    assert all(e.balanced for e in entries)
    assert [e.total_debits for e in entries] == [Decimal("23297836.4"), Decimal(1796320), Decimal("1149316.68")]

    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 0
    text = capsys.readouterr().out
    assert [line for line in text.splitlines() if line and not line[0].isspace() and "," in line[:20]] == [
        "Offer, 2004-02-20", "Exchange 1, 2004-03-05", "Exchange 2, 2004-03-22"]
    assert [line.split()[1:] for line in text.splitlines() if line.lstrip().startswith("Total")] == [
        ["$23,297,836.40", "$23,297,836.40"], ["$1,796,320.00", "$1,796,320.00"], ["$1,149,316.68", "$1,149,316.68"]]

    assert cli.main(["entries", str(tmp_path / "offer.toml"), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["entries"]
    assert [line["entry"] for line in lines] == ["offer"] * 4 + ["exchange 1"] * 4 + ["exchange 2"] * 5
    charges = [line["debit"] for line in lines if line["memo"].startswith("the charge")]
    assert charges == ["9597836.40", "796320.00", "501266.68"]


def test_memos_name_the_security_and_what_the_cash_pays(tmp_path):
    """Review 76: the memos said "274,000 units accepted" (the Cover says shares; for notes with a face, a count of
    notes read as principal) and "sweetener, arrears or accrued interest, and cash in lieu" over $41.55 of cash in
    lieu alone."""
    (tmp_path / "offer.toml").write_text(LATER, encoding="utf-8")
    offer, results = offerfile.compute_file(tmp_path / "offer.toml")
    offer_entry, first, second = (e.lines for e in journal_entries(offer, results))
    assert [line.memo for line in offer_entry][0::2] == ["carrying amount of the 274,000 preferred shares accepted",
                                                         "par value of the 2,175,560 common shares issued"]
    assert first[0].memo == "carrying amount of the 20,000 preferred shares exchanged"
    assert [line.memo for line in second if line.account == "Cash"] == ["cash in lieu of fractional shares"]
    notes, results = offerfile.compute_file(OFFERS / "notes-capped-example.toml")
    lines = {line.account: line.memo for line in journal_entry(notes, results).lines}
    units = results.units_accepted
    assert lines["Convertible notes, net carrying amount"] == (
        f"carrying amount of the {units:,} notes (${units * notes.face_per_unit:,} principal) accepted")
    assert results.cash_sweetener and results.arrears_paid and results.fractional_cash
    assert lines["Cash"] == "cash sweetener, accrued interest paid and cash in lieu of fractional shares"


def test_a_later_exchanges_cash_is_a_sweetener(tmp_path):
    """A later exchange is booked as an induced conversion: its cash per unit is the sweetener, as the offer's is
    (its memo read "cash per unit")."""
    text = LATER.replace('ratio = 7.94\nprice = 8.40\n', 'ratio = 7.94\nprice = 8.40\ncash_per_unit = 0.25\n')
    assert text != LATER
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    offer, results = offerfile.compute_file(tmp_path / "offer.toml")
    first = journal_entries(offer, results)[1]
    cash = [line for line in first.lines if line.account == "Cash"]
    assert [line.memo for line in cash] == ["cash sweetener"] and first.balanced
    assert cash[0].credit == results.exchanges[1].units * Decimal("0.25")


def test_later_exchanges_need_the_carrying_amount_per_unit(tmp_path, capsys):
    text = LATER.replace("carrying_per_unit = 50", "carrying_amount = 13700000")
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    offer, results = offerfile.compute_file(tmp_path / "offer.toml")
    offer_entry, *later = journal_entries(offer, results)
    assert offer_entry.balanced  # the total is the offer's units
    assert later  # the later exchanges' entries, each checked below
    for entry in later:
        assert entry.missing == (("accounting.carrying_per_unit (for the later exchanges: "
                                  "accounting.carrying_amount is the offer's units only)"),)
        assert not entry.balanced
    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("accounting.carrying_per_unit (for the later exchanges") == 1, err


def test_later_exchange_of_notes_says_it_has_no_accrued_interest(tmp_path, capsys):
    text = (OFFERS / "notes-capped-example.toml").read_text(encoding="utf-8")
    assert "accrued_interest_per_unit = 12.50" in text  # (the example gives the interest it pays as the payable)
    text = text.replace('"data/', f'"{(OFFERS / "data").as_posix()}/')
    text += "\n[[exchange]]\ndate = 2024-06-03\nunits = 1000\nratio = 32\nprice = 37\n"
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    offer, results = offerfile.compute_file(tmp_path / "offer.toml")
    offer_entry, later = journal_entries(offer, results)
    accounts = [line.account for line in later.lines]
    assert "Accrued interest payable" in [line.account for line in offer_entry.lines]
    assert accounts == ["Convertible notes, net carrying amount", "Induced conversion expense",
                        "Common stock, at par", "Additional paid-in capital"]
    assert later.balanced
    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 0
    assert ("warning: the later exchanges' entries have no accrued-interest line: accounting.accrued_interest_per_unit "
            "is the offer's, and the offer file gives none for a later exchange") in capsys.readouterr().err


def test_a_key_missing_for_the_offer_and_the_later_exchanges_is_named_once(tmp_path, capsys):
    """With no [accounting], the offer's entry and each later exchange's need the same two keys: each is named once,
    as the offer's entry words it."""
    text = LATER[:LATER.index("[accounting]")] + LATER[LATER.index("[period]"):]
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    assert cli.main(["entries", str(tmp_path / "offer.toml")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert [line.split(": ")[2] for line in err.splitlines()] == [
        "accounting.par_value", "accounting.carrying_per_unit (or accounting.carrying_amount)"], err


EXTINGUISHED = """schema = 1
[offer]
id = "n4b"
issuer = "Notewell Corp."
security = "2.50% Convertible Senior Notes due 2029"
kind = "note"
face_per_unit = 1000
outstanding = 5000
original_conversion_price = 40
common_outstanding_before = 80000000
expiration = 2025-03-14
substantive_conversion = false
[offer.consideration]
ratio = 26
[tally]
tendered = 1000
final = true
[valuation]
date = 2025-03-14
price = 30
[extinguishment]
carrying_amount = 980000
[accounting]
par_value = 0.01
"""


@pytest.mark.parametrize(("accounting", "said"), [
    ("carrying_per_unit = 900", "accounting.carrying_per_unit gives the units accepted a carrying amount of 900000"),
    ("carrying_amount = 970000", "accounting.carrying_amount gives the units accepted a carrying amount of 970000"),
    ("carrying_per_unit = 980", None),  # the same amount, given twice: nothing to say
    ("carrying_per_unit = 980.000004", None),  # the same to the cent, as booked
    ("carrying_per_unit = 979.99999", "accounting.carrying_per_unit gives the units accepted a carrying amount of "
                                      "979999.99"),
    ("", None),
])
def test_a_second_carrying_amount_the_entry_does_not_take_is_said(tmp_path, capsys, accounting, said):
    """QA: a failed test's extinguishment takes [extinguishment] carrying_amount; a different carrying amount in
    [accounting] was accepted silently, and an auditor would want the two named."""
    path = tmp_path / "offer.toml"
    path.write_text(EXTINGUISHED + accounting + "\n", encoding="utf-8")
    assert cli.main(["entries", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "$980,000.00" in out
    found = [w for w in err.splitlines() if "gives the units accepted a carrying amount" in w]
    assert found == ([] if said is None else [f"xlpy entries: warning: {said}, but the measure and the entry take "
                                              "extinguishment.carrying_amount, 980000: give the one carrying amount "
                                              "(see docs/accounting.md, section 9: xlpy docs accounting)"]), err


def test_accounting_md_section_9_says_which_carrying_amount_the_entry_takes():
    """QA: the warning sent readers to docs/accounting.md, which did not say which of two carrying amounts a failed
    test's entry takes; section 9 now does, quoting the warning as the engine words it."""
    from repo_paths import ROOT

    from xlpy.engine.compute import compute
    from xlpy.engine.entries import entry_warnings, journal_entries
    from xlpy.files.offerfile import parse

    offer = parse(tomllib.loads(EXTINGUISHED + "carrying_per_unit = 900\n", parse_float=Decimal))
    results = compute(offer)
    said = [w for w in entry_warnings(offer, results, len(journal_entries(offer, results)))
            if "carrying amount of 900000" in w]
    section = (ROOT / "docs" / "accounting.md").read_text(encoding="utf-8").split("## 9.", 1)[1].split("\n## ", 1)[0]
    quoted = " ".join(section.split())
    assert len(said) == 1 and said[0].split(" (see docs/accounting.md, section 9")[0] in quoted, said
    assert "[extinguishment] carrying_amount" in quoted


@pytest.mark.parametrize("kind, carrying, cash", [
    ("seed", "carrying amount of the preferred shares accepted", "none"),  # (no cash paid: the line says none)
    ("holders", "carrying amount of the preferred shares accepted", "cash in lieu of fractional shares")])
def test_the_workbooks_memos_name_the_security_and_what_the_cash_pays(standard_books, kind, carrying, cash):
    """Review 78: the Entries sheet kept "sweetener, arrears or accrued interest, and cash in lieu" over $33.24 of
    cash in lieu alone (the words review 76 objected to in the command's entry), the workbook being what is handed
    over; its memos are formulas, which validation ties to the engine's words (expected.py)."""
    from openpyxl import load_workbook

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    wb = load_workbook(standard_books[kind], data_only=True)
    sheet, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblEntries")
    memos = [wb[sheet.title][f"{t.letter('memo')}{t.first_row + k}"].value for k in range(t.rows)]
    assert memos[0] == carrying and memos[3] == "par value of the common shares issued" and memos[4] == cash
