"""Plain-text presentation of results, for ``xlpy compute`` without ``--json``."""

from __future__ import annotations

from decimal import Decimal

from ..engine.numbers import excel_round
from ..engine.release import is_credit

__all__ = ["results_table", "entry_table", "fmt_count", "fmt_money", "fmt_ratio"]


def fmt_count(n) -> str:
    n = Decimal(n)
    if n == n.to_integral_value():
        return f"{n:,.0f}"
    return f"{excel_round(n, 4):,f}"


def fmt_money(n) -> str:
    n = excel_round(Decimal(n), 2)
    n = n if n else abs(n)  # below half a cent: $0.00, not $-0.00
    return f"-${-n:,.2f}" if n < 0 else f"${n:,.2f}"


def fmt_ratio(n) -> str:
    return f"{Decimal(n).normalize():f}"


#: What each kind of charge is called in a one-line summary (``xlpy build``), and (after "/") a negative measure
#: of its kind: a credit or a gain, stated without its sign as the release and the journal entry state it.
CHARGE_WORDS = {
    "deemed_dividend": "induced charge",
    "inducement_expense": "induced charge",
    "redemption": "charge on redemption (fair value less carrying amount)/credit to retained earnings on the "
                  "redemption (carrying amount less fair value)",
    "extinguishment_loss": "loss on extinguishment (fair value less carrying amount)/gain on extinguishment "
                           "(carrying amount less fair value)",
}


def _with_interest(offer, r) -> bool:
    """Whether *r*'s measure takes accrued interest the holders give up with the carrying amount (notes failing the
    induced-conversion test, :mod:`xlpy.engine.compute`)."""
    return (offer is not None and r.treatment != "induced_conversion" and offer.kind == "note"
            and bool(offer.accounting.accrued_interest_per_unit))


def charge_words(r, offer=None) -> str:
    """*r*'s charge in words and dollars: an induced charge only when the induced-conversion test passed, a
    measure negative to the cent a credit or a gain of its amount; with the *offer*, a measure that takes accrued
    interest given up says so."""
    words = CHARGE_WORDS[r.charge_kind].split("/")
    if _with_interest(offer, r):
        words = [w.replace("carrying amount", "carrying amount and accrued interest payable").replace(
            "interest payable less", "interest payable, less") for w in words]
    if is_credit(r):
        return f"{words[1]} {fmt_money(-r.charge)}"
    return f"{words[0]} {fmt_money(r.charge)}"


def _charge_row(r, offer=None) -> tuple[str, str]:
    """The charge's row: a negative redemption or extinguishment measure is a credit or a gain, without its sign;
    a positive one a charge on redemption or a loss on extinguishment, as the build's summary and the release call
    them (not "Charge" alone beside a gain's own words); a notes measure taking accrued interest given up puts the
    carrying amount and the interest in parentheses after the minus sign, both subtracted."""
    if r.treatment == "induced_conversion":
        return "Induced charge", fmt_money(r.charge)
    interest = _with_interest(offer, r)  # the loss subtracts both: FV − (carrying + interest), not − carrying + it
    redemption = r.charge_kind == "redemption"
    if is_credit(r):
        return ("Credit on redemption" if redemption else "Gain on extinguishment") + \
            f" ({'carrying + interest' if interest else 'carrying'} − FV)", fmt_money(-r.charge)
    return ("Charge on redemption" if redemption else "Loss on extinguishment") + \
        f" (FV − {'(carrying + interest)' if interest else 'carrying'})", fmt_money(r.charge)


def all_exchanges(r, offer) -> tuple[str, str]:
    """The line of every exchange's charge together (*r* with later exchanges): their charge where the offer's is an
    induced charge, as theirs are; else the net of unlike measures (a gain on extinguishment, a credit on redemption
    or a loss, with the later exchanges' inducement charges), without a sign: a credit or a charge, and to what.

    >>> from decimal import Decimal as D
    >>> from types import SimpleNamespace as NS
    >>> r = NS(treatment="extinguishment", charge_kind="extinguishment_loss", charge=D(-78000), total_charge=D(-70000),
    ...        exchanges=(NS(charge=D(-78000)), NS(charge=D(8000))))
    >>> label, figure = all_exchanges(r, NS(kind="note"))
    >>> label
    'Net of all exchanges'
    >>> print(figure)
    $70,000.00 credit to income before tax: the offer's gain $78,000.00 less the later exchanges' charges $8,000.00
    """
    if r.treatment == "induced_conversion":
        return "Charge, all exchanges", fmt_money(r.total_charge)
    later = sum((e.charge for e in r.exchanges[1:]), Decimal(0))
    redemption = r.charge_kind == "redemption"
    own = ("credit" if redemption else "gain") if is_credit(r) else ("charge" if redemption else "loss")
    side = "credit to" if excel_round(r.total_charge, 2) < 0 else "charge against"
    income = "income available to common" if offer.kind == "preferred" else "income before tax"
    offer_part, later_part = f"the offer's {own} {fmt_money(abs(r.charge))}", f"the later exchanges' charges " \
        f"{fmt_money(later)}"
    if not is_credit(r):
        parts = f"{offer_part} and {later_part}"
    else:  # (the larger first: "a credit less larger charges" would read as a negative)
        parts = f"{offer_part} less {later_part}" if -r.charge >= later else f"{later_part} less {offer_part}"
    return "Net of all exchanges", f"{fmt_money(abs(r.total_charge))} {side} {income}: {parts}"


def _treatment(r) -> str:
    """``induced conversion (deemed dividend)``; a negative measure says gain or credit, not loss or charge."""
    kind = r.charge_kind.replace("_", " ")
    if is_credit(r):
        kind = "redemption credit" if r.charge_kind == "redemption" else "extinguishment gain"
    return f"{r.treatment.replace('_', ' ')} ({kind})"


def results_table(offer, r) -> str:
    """A readable summary of :class:`~xlpy.engine.Results` (figures rounded for display only).

    The warnings are not part of it: the command line prints them on standard error.
    """
    rows: list[tuple[str, str]] = [
        ("Offer", f"{offer.issuer}: {offer.security}"),
        ("Treatment", _treatment(r)),
        ("Offer ratio (R1)", fmt_ratio(r.offer_ratio)),
        ("Original ratio (R0)", fmt_ratio(excel_round(r.original_ratio, 6)) if len(
            r.original_ratio.as_tuple().digits) > 12 else fmt_ratio(r.original_ratio)),
    ]
    if r.average_price is not None:
        rows.append(("Average price", f"${excel_round(r.average_price, 4):,f}"))
        rows.append(("Averaging window", f"{r.averaging_start.isoformat()} to {r.averaging_end.isoformat()}"))
    rows += [
        ("Units outstanding", fmt_count(r.units_outstanding)),
        ("Units tendered", fmt_count(r.units_tendered)),
        ("  by guaranteed delivery", fmt_count(r.units_guaranteed_delivery)),
        ("  failed delivery", fmt_count(r.units_failed_delivery)),
        ("Units accepted", fmt_count(r.units_accepted)),
        ("Proration factor", fmt_ratio(r.proration_factor)),
        ("Participation", f"{excel_round(r.participation * 100, 2)}%"),
        ("Common issued", fmt_count(r.common_issued)),
        ("Incremental shares", fmt_count(r.incremental_shares)),
        ("Cash in lieu of fractions", fmt_money(r.fractional_cash)),
        ("Cash paid", fmt_money(r.cash_paid)),
        ("Fair value, offer", fmt_money(r.fair_value_offer)),
        ("Fair value, original terms", fmt_money(r.fair_value_original)),
    ]
    if r.carrying_amount is not None:
        rows.append(("Carrying amount", fmt_money(r.carrying_amount)))
        if r.accrued_interest_given_up:  # notes: extinguished with them
            rows.append(("Accrued interest payable", fmt_money(r.accrued_interest_given_up)))
    rows.append(_charge_row(r, offer))
    if len(r.exchanges) > 1:  # (the lines above are the offer's; those below tie out with every exchange in)
        rows.append(all_exchanges(r, offer))
        for e in r.exchanges[1:]:
            rows.append(
                (f"  {e.label} {e.date.isoformat()}", f"{fmt_count(e.units)} units, charge {fmt_money(e.charge)}")
            )
        rows += [("Units exchanged, all", fmt_count(sum(e.units for e in r.exchanges))),
                 ("Common issued, all", fmt_count(sum(e.common_issued for e in r.exchanges))),
                 ("Cash in lieu, all", fmt_money(sum((e.fractional_cash for e in r.exchanges), Decimal(0))))]
    rows += [
        ("Units remaining", fmt_count(r.units_remaining)),
        ("Common before", fmt_count(r.common_outstanding_before)),
        ("Common after", fmt_count(r.common_outstanding_after)),
    ]
    if r.eps is not None:
        e = r.eps
        rows += [
            ("Income available, before", fmt_money(e.income_available_before)),
            ("Income available, after", fmt_money(e.income_available_after)),
            ("Weighted shares, after", fmt_count(excel_round(e.weighted_shares_after, 0))),
            ("Basic EPS, before", _per_share(e.basic_eps_before)),  # 1,097.3937, as a workbook
            ("Basic EPS, after", _per_share(e.basic_eps_after)),
            ("EPS effect", _per_share(e.eps_effect)),
        ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def entry_table(entry) -> str:
    """The journal entry as a reviewer reads it: date, account, debit, credit, memo, and the totals."""
    rows = [(line.date.isoformat(), line.account, "" if line.debit is None else fmt_money(line.debit),
             "" if line.credit is None else fmt_money(line.credit), line.memo) for line in entry.lines]
    rows.append(("", "Total", fmt_money(entry.total_debits), fmt_money(entry.total_credits), ""))
    head = ("Date", "Account", "Debit", "Credit", "Memo")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    fmt = "{:<%d}  {:<%d}  {:>%d}  {:>%d}  {}" % tuple(widths[:4])
    return "\n".join(fmt.format(*r).rstrip() for r in [head, *rows])


def _per_share(amount) -> str:
    """A per-share amount to 4 decimals, with no sign on one that rounds to nothing (a $100,000 charge on 5
    billion shares: ``0.0000``, not ``-0.0000``)."""
    return format(excel_round(amount, 4) + 0, ",")  # (-0 + 0 is 0)
