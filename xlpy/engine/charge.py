"""The induced-conversion charge and the measure that replaces it when the test fails.

    charge = FV(all securities and other consideration transferred)
           − FV(securities issuable under the original conversion terms)

    FV(offer)    = shares delivered × P + cash in lieu + units × (C + A)
    FV(original) = units × R0 × P

For preferred stock the charge is a deemed dividend (ASC 260-10-S99-2): net
income is unchanged, income available to common falls.  For notes it is an
inducement expense in net income (ASC 470-20-40-13 to 40-17).

The formula applies only when holders receive at least everything the original
terms give, in the original form, for a limited period.  Otherwise the
exchange is an extinguishment (notes) or a redemption (preferred), measured as
FV(consideration) − carrying amount, less for notes the accrued interest the
holders give up (extinguished with them, ASC 470-50-40-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import InputError
from .numbers import ZERO

__all__ = ["incremental_shares", "induced_charge", "FairValues", "fair_values", "charge_kind", "induced_test",
           "estimated_charge"]


def incremental_shares(units: int | Decimal, offer_ratio: Decimal, original_ratio: Decimal) -> Decimal:
    """Shares above the original terms: ``units × (R1 − R0)``.

    >>> from decimal import Decimal as D
    >>> incremental_shares(274000, D("7.94"), D("3.2"))
    Decimal('1298760.00')
    """
    return Decimal(units) * (offer_ratio - original_ratio)


def induced_charge(
    units: int | Decimal,
    offer_ratio: Decimal,
    original_ratio: Decimal,
    price: Decimal,
    cash_per_unit: Decimal = ZERO,
    arrears_per_unit: Decimal = ZERO,
) -> Decimal:
    """The charge in aggregate: ``units × (R1 − R0) × P + units × (C + A)``.

    Parameters
    ----------
    units : int
        Units accepted.
    offer_ratio, original_ratio : Decimal
        R1 and R0, common shares per unit.
    price : Decimal
        Fair value of one common share at the measurement date (P).
    cash_per_unit, arrears_per_unit : Decimal
        Cash sweetener and arrears paid per unit.

    Examples
    --------
    Hecla, February 2004: 274,000 preferred shares at 7.94 instead of 3.2
    common shares each, common stock at $7.39:

    >>> from decimal import Decimal as D
    >>> induced_charge(274000, D("7.94"), D("3.2"), D("7.39"))
    Decimal('9597836.4000')
    """
    units = Decimal(units)
    if units < 0:
        raise InputError("units", units, "must not be negative")
    if price <= 0:
        raise InputError("price", price, "must be > 0")
    return units * (offer_ratio - original_ratio) * price + units * (cash_per_unit + arrears_per_unit)


@dataclass(frozen=True)
class FairValues:
    """The two sides of the charge.

    Attributes:
        offer: fair value of everything transferred.
        original: fair value of the shares issuable under the original terms.
    """

    offer: Decimal
    original: Decimal

    @property
    def charge(self) -> Decimal:
        """``offer − original``."""
        return self.offer - self.original


def fair_values(
    units: int,
    common_issued: int,
    fractional_cash: Decimal,
    sweetener_and_arrears: Decimal,
    original_ratio: Decimal,
    price: Decimal,
) -> FairValues:
    """FV(offer) = shares × P + cash in lieu + sweetener and arrears; FV(original) = units × R0 × P.

    *sweetener_and_arrears* is the cash paid besides the cash in lieu (which
    :attr:`xlpy.engine.compute.Results.cash_paid` includes).
    """
    offer = Decimal(common_issued) * price + fractional_cash + sweetener_and_arrears
    original = Decimal(units) * original_ratio * price
    return FairValues(offer, original)


def charge_kind(kind: str, induced: bool) -> str:
    """``deemed_dividend`` / ``inducement_expense``, or ``redemption`` / ``extinguishment_loss``."""
    if induced:
        return "deemed_dividend" if kind == "preferred" else "inducement_expense"
    return "redemption" if kind == "preferred" else "extinguishment_loss"


def induced_test(offer_ratio: Decimal, original_ratio: Decimal, substantive: bool = True) -> list[str]:
    """Reasons the induced-conversion test fails; empty when it passes.

    Holders must receive at least every share the original terms give, in the
    original form, and (ASU 2024-04) the conversion feature must be substantive.
    """
    reasons = []
    if offer_ratio < original_ratio:
        reasons.append(
            f"offer ratio {offer_ratio} is below the original ratio {original_ratio}: holders do not receive "
            "all the shares issuable under the original terms"
        )
    if not substantive:
        reasons.append("the conversion feature is not substantive (ASU 2024-04)")
    return reasons


def estimated_charge(units: Decimal, price: Decimal, offer_ratio: Decimal, original_ratio: Decimal,
                     cash_per_unit: Decimal, carrying_per_unit: Decimal | None = None,
                     cash_total: Decimal | None = None) -> Decimal:
    """The charge *units* would bring at share *price*, fractions valued as shares: what-if figures around the
    offer's own (the standard workbook's Sensitivity grid).

    ``units × ((R1 − R0) × price + cash per unit)``; with *carrying_per_unit*
    (the induced-conversion test failed) the extinguishment measure
    ``units × (R1 × price + cash per unit − carrying per unit)``, the carrying
    amount per unit including, for notes, the accrued interest given up.  Differs
    from the offer's charge only by cash in lieu valued at another price than
    *price* and by shares delivered holder by holder.

    >>> from decimal import Decimal as D
    >>> estimated_charge(D(274000), D("7.39"), D("7.94"), D("3.2"), D(0))
    Decimal('9597836.4000')
    >>> estimated_charge(D(274000), D("7.39"), D("3.0"), D("3.2"), D(0), D(50))
    Decimal('-7625420.000')

    *cash_total*, a sweetener given in total (``cash_total``), is paid whole to
    whatever units are accepted (none to none), so it adds itself, not a share
    of itself per unit:

    >>> estimated_charge(D(25000), D(10), D("3.5"), D(3), D(0), cash_total=D(1000000))
    Decimal('1125000.0')
    """
    total = cash_total if cash_total is not None and units else 0
    if carrying_per_unit is None:
        return units * ((offer_ratio - original_ratio) * price + cash_per_unit) + total
    return units * (offer_ratio * price + cash_per_unit - carrying_per_unit) + total
