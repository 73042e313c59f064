"""Offers at the edges of size: a price too small for any real share, one odd-lot unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlpy.engine import InputErrors
from xlpy.files.offerfile import compute_file, load

BASE = """schema = 1
[offer]
id = "edge"
issuer = "Edge Co"
kind = "preferred"
outstanding = 1000
original_ratio = 1
common_outstanding_before = 5000
expiration = 2024-03-15
[offer.consideration]
ratio = 2
[tally]
tendered = 10
[valuation]
date = 2024-03-15
price = 5
"""


def _offer(tmp_path, text: str, name: str = "o.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("price", ["0.0000000000000001", "0.0000009"])
def test_a_price_below_a_millionth_is_refused_by_its_key(tmp_path, price):
    """1e-16 was taken, and build then wrote a workbook whose Check read it as a price of 0 and failed."""
    with pytest.raises(InputErrors) as info:
        load(_offer(tmp_path, BASE.replace("price = 5", f"price = {price}")))
    assert [str(p) for p in info.value.problems] == [
        f"o.toml: valuation.price: must be at least 0.000001 (the least price per share taken), got {price}"]


def test_a_price_of_a_millionth_is_taken(tmp_path):
    offer, results = compute_file(_offer(tmp_path, BASE.replace("price = 5", "price = 0.000001")))
    assert str(offer.valuation.price) == "0.000001"
    assert results.charge == Decimal("0.00001")  # 10 units x 1 more share x a millionth


def test_one_odd_lot_unit_is_named_in_the_singular(tmp_path):
    (tmp_path / "t.csv").write_text("holder_id,units,method,status\nCEDE-1,1999,book-entry,tendered\n"
                                    "SMALL-1,1,book-entry,tendered\n", encoding="utf-8")
    text = (BASE.replace("tendered = 10", 'file = "t.csv"\nfinal = true')
            .replace('expiration = 2024-03-15', 'expiration = 2024-03-15\nmax_units = 500\nodd_lot = 2')
            .replace("outstanding = 1000", "outstanding = 2000"))
    _, results = compute_file(_offer(tmp_path, text))
    prorated = [w for w in results.warnings if w.startswith("offer is oversubscribed")]
    assert len(prorated) == 1 and prorated[0].endswith(" after 1 unit of odd lots accepted in full")


def test_a_prorated_offer_accepting_fewer_units_than_its_cap_says_so(tmp_path):
    """Review 144: three holders of 1 unit under a cap of 2 were each prorated to 0 (rounded down), and the warning
    said only that the offer was oversubscribed, the release that no units would be accepted."""
    (tmp_path / "t.csv").write_text("holder_id,units,method,status\nA-1,1,book-entry,tendered\n"
                                    "B-1,1,book-entry,tendered\nC-1,1,book-entry,tendered\n", encoding="utf-8")
    text = (BASE.replace("tendered = 10", 'file = "t.csv"\nfinal = true')
            .replace('expiration = 2024-03-15', 'expiration = 2024-03-15\nmax_units = {cap}'))
    _, results = compute_file(_offer(tmp_path, text.format(cap=2)))
    assert results.units_accepted == 0
    assert [w for w in results.warnings if w.startswith("offer is oversubscribed")] == [
        "offer is oversubscribed: 3 units eligible for 2; prorated by 0.6666666667; 0 units accepted of the 2 it "
        "takes, as each holder's prorated units are rounded down to whole units"]
    (tmp_path / "t.csv").write_text("holder_id,units,method,status\nA-1,10,book-entry,tendered\n"
                                    "B-1,10,book-entry,tendered\n", encoding="utf-8")
    _, results = compute_file(_offer(tmp_path, text.format(cap=10)))  # (5 each: the cap taken whole)
    assert results.units_accepted == 10 and not [w for w in results.warnings if "accepted of the" in w]


def test_an_eps_effect_that_rounds_to_nothing_is_shown_without_a_sign(tmp_path, capsys):
    """A $50 charge on 5 billion shares: an EPS effect of -0.00000001, shown as -0.0000 before."""
    from xlpy.cli import main

    text = BASE.replace("common_outstanding_before = 5000", "common_outstanding_before = 5000000000") + (
        "[period]\nstart = 2024-01-01\nend = 2024-03-31\nsettlement = 2024-03-20\nnet_income = 12000000\n"
        "tax_rate = 0.21\n")
    assert main(["compute", str(_offer(tmp_path, text))]) == 0
    shown = dict(line.split("  ", 1) for line in capsys.readouterr().out.splitlines() if "  " in line)
    assert shown["EPS effect"].strip() == "0.0000"
    assert shown["Basic EPS, before"].strip() == "0.0024"
