"""The offer's dates checked against each other: each counts as the rules say, but some are rarely what was meant
(a valuation date before expiration, or a year after it; a later exchange dated before the offer; a date outside
the period), and the engine warns of them (:func:`date_warnings`), computing all the same."""

from __future__ import annotations

__all__ = ["LATE_VALUATION_DAYS", "date_warnings"]

#: A valuation date more days than this after expiration is warned of: holders accept when the offer expires, and
#: the issuer accepts their tenders at once or within days; a month and more is a date mistyped more often than not
#: (a year: the charge would be booked in another period).
LATE_VALUATION_DAYS = 31


def _valuation(offer) -> list[str]:
    """The valuation date before expiration, or more than :data:`LATE_VALUATION_DAYS` after it."""
    when, expired = offer.valuation.date, offer.expiration
    if when < expired:
        return [f"valuation.date {when.isoformat()} is before offer.expiration {expired.isoformat()}: US GAAP measures "
                "the charge when holders accept"]
    late = (when - expired).days
    if late > LATE_VALUATION_DAYS:
        return [f"valuation.date {when.isoformat()} is {late:,} days after offer.expiration {expired.isoformat()}: "
                "US GAAP measures the charge when holders accept, which is when the offer expires as a rule: check "
                "the date"]
    return []


def date_warnings(offer) -> list[str]:
    """The offer's dates that are counted as the rules say, but rarely what was meant: the valuation date before
    expiration or long after it, later exchanges dated before the offer, and dates outside the period."""
    warnings = _valuation(offer)
    for i, ex in enumerate(offer.exchanges, 1):
        if ex.date < offer.expiration:
            warnings.append(f"exchange[{i}].date {ex.date.isoformat()} is before offer.expiration "
                            f"{offer.expiration.isoformat()}: [[exchange]] is for later exchanges")
    p = offer.period
    if p is None:
        return warnings
    for i, ex in enumerate(offer.exchanges, 1):
        if ex.date < p.start:
            warnings.append(f"exchange[{i}].date {ex.date.isoformat()} is before period.start {p.start.isoformat()}: "
                            "its shares count for the whole period on top of period.shares_before (which must not "
                            "hold them), and its charge is not the period's")
        elif ex.date > p.end:
            warnings.append(f"exchange[{i}].date {ex.date.isoformat()} is after period.end {p.end.isoformat()}: "
                            "neither its shares nor its charge are the period's")
    if not p.start <= offer.valuation.date <= p.end:
        warnings.append(f"valuation.date {offer.valuation.date.isoformat()} is outside the period "
                        f"{p.start.isoformat()} to {p.end.isoformat()}: the offer's charge is not the period's")
    if p.settlement < p.start:
        warnings.append(f"period.settlement {p.settlement.isoformat()} is before period.start {p.start.isoformat()}: "
                        "the offer's shares count for the whole period on top of period.shares_before (which must not "
                        "hold them), and the workbook's Check cannot weigh them (WEIGHTED_SHARES refuses a date "
                        "before the period): give the period the shares were issued in")
    accepted = max(offer.expiration, offer.valuation.date)  # shares are issued for tenders accepted, not before
    if p.settlement < accepted:
        warnings.append(f"period.settlement {p.settlement.isoformat()} is before "
                        f"{'offer.expiration' if accepted == offer.expiration else 'valuation.date'} "
                        f"{accepted.isoformat()}: "
                        "the offer's shares are weighted from that day, so weighted shares and EPS count them for "
                        "days before they could be issued; check the date")
    return warnings
