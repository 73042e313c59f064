"""The results paragraph at the exact edges of its rules, on offers built in code: a cap met exactly, shares issued
of exactly half the unit the common stock is rounded to, a measure below half a cent (the paragraph's cases built
from offer files, and the Release sheet's formulas: ``test_release.py``)."""

from __future__ import annotations

from decimal import Decimal as D

from test_engine_compute import offer  # (a small preferred offer: 1,000 of 10,000 units tendered, a final count)

from xlpy.engine import Consideration, Offer, compute
from xlpy.engine.release import is_credit, release_sentences


def sentences(o: Offer) -> list[str]:
    return release_sentences(o, compute(o))


def test_a_cap_met_exactly_accepts_every_unit_tendered():
    # 1,000 eligible for a cap of 1,000: all of them, not "approximately 1,000 ... on a pro rata basis"
    assert sentences(offer(max_units=1000))[1] == "Test Co will accept all of the properly tendered shares."
    assert sentences(offer(max_units=999))[1] == (
        "Test Co will accept approximately 1,000 of the properly tendered shares on a pro rata basis.")


def test_shares_issued_of_half_the_unit_are_said_from_and_to():
    # after 115,500,001 reads 116 million, a unit of a million: 500,000 shares issued are half of it, not under half
    half = offer(common_outstanding_before=115000001, consideration=Consideration(ratio=D("500")))
    assert sentences(half)[4] == ("The outstanding shares of common stock will increase from approximately 115 "
                                  "million to approximately 116 million.")
    under = offer(common_outstanding_before=115000001, consideration=Consideration(ratio=D("499.999")))
    assert sentences(under)[4] == ("The outstanding shares of common stock will increase by approximately 500,000 "
                                   "to approximately 116 million.")


def test_a_measure_under_half_a_cent_below_0_is_no_credit_or_gain():
    # 1,000 x 3.0 x 10 = 30,000 against a carrying amount of 30,000.004: -0.004, $0.00 to the cent
    below = dict(consideration=Consideration(ratio=D("3.0")), carrying_amount=D("30000.004"))
    for kind, what in (("preferred", "charge on the redemption"), ("note", "loss on extinguishment")):
        o = offer(kind=kind, **below)
        results = compute(o)
        assert results.charge == D("-0.004") and not is_credit(results)
        assert release_sentences(o, results)[5] == (
            f"Based on the final count, Test Co will not be required to take a one-time {what} as a result of the "
            "offer.")
    # half a cent below is a cent below, as it is booked: a credit
    assert is_credit(compute(offer(consideration=Consideration(ratio=D("3.0")), carrying_amount=D("30000.005"))))
