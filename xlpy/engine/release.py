"""The announcement: figures stated the way a results release states them.

The seed release (Hecla, 23 February 2004) says "approximately 274,000 shares",
"approximately 3,500", "approximately 115 million", "approximately $9.6
million".  The rules (``style="auto"``):

* counts below 10,000: two significant figures (3,500), never fewer digits
  than the whole number has (7, 73);
* counts below 1,000,000: the nearest thousand (274,000; 191,000);
* counts from 10 million: whole millions (115 million); from 1 to 10 million:
  millions with one decimal (2.4 million);
* money (``style="dollars"``): from $1 million, millions with one decimal
  ($9.6 million, $10.5 million, $16.3 million); from $10,000, the nearest
  thousand ($950,000); below, two significant figures ($350, $1,200, $2.2,
  $0.42).

Every figure keeps at least two significant digits (or all of a whole number
below 100): a small offer never reads "approximately $0".  A bracket is
chosen by the figure as it rounds: 999,600 units round to the thousand
1,000,000 and read "1.0 million", $999,500 reads "$1.0 million" and 9,960,000
units read "10 million".

The paragraph (:func:`release_sentences`) states the offer's own figures
(later exchanges in the period left out), leaves failed deliveries out of a
final count, says a figure of nothing in words ("no shares were tendered",
never "approximately 0"), calls the charge "noncash" only when no cash but
cash in lieu is paid, and states a negative redemption or extinguishment
measure as a credit or a gain.

Rounding is half away from zero throughout, as Excel's ROUND, so the workbook's
native formulas give the same words.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import InputError
from .numbers import excel_round, to_decimal

__all__ = ["APPROX_STYLES", "approx", "release_sentences", "release_paragraph", "quarter_name"]

APPROX_STYLES = ("auto", "sig2", "thousands", "millions", "dollars")

_MILLION = Decimal(1_000_000)


def _thousands(n: Decimal) -> str:
    return f"{excel_round(n, -3):,.0f}"


def _sig2(n: Decimal) -> str:
    """Two significant figures; whole numbers keep their units digit (7, not 7.0)."""
    if n == 0:
        return "0"
    places = 1 - n.copy_abs().adjusted()
    if n.copy_abs() < 1:
        return f"{excel_round(n, places):.{places}f}"
    return f"{excel_round(n, min(0, places)):,.0f}"


def _small_money(a: Decimal) -> str:
    """Dollars below $10,000 in two significant figures: a charge of $2.217 is $2.2, not $2 (a count of 7
    shares stays 7)."""
    if 1 <= a < 10:
        r = excel_round(a, 1)
        return "10" if r >= 10 else f"{r:.1f}"
    return _sig2(a)


def _millions(n: Decimal, whole_from_ten: bool = True) -> str:
    """Millions with one decimal; whole millions from 10 million (as rounded) unless *whole_from_ten* is false."""
    m = n / _MILLION
    if whole_from_ten and excel_round(abs(m), 1) >= 10:
        return f"{excel_round(m, 0):,.0f} million"
    return f"{excel_round(m, 1):,.1f} million"


def approx(value: object, style: str = "auto") -> str:
    """A figure as the release states it, without the word "approximately".

    Parameters
    ----------
    value : number
    style : {"auto", "sig2", "thousands", "millions", "dollars"}

    Examples
    --------
    >>> approx(274000), approx(3500), approx(190777), approx(117175560)
    ('274,000', '3,500', '191,000', '117 million')
    >>> approx(Decimal("9597836.4"), "dollars")
    '$9.6 million'
    >>> approx(Decimal("16280487.62"), "dollars"), approx(999500, "dollars"), approx(999600)
    ('$16.3 million', '$1.0 million', '1.0 million')
    >>> approx(Decimal("350.3"), "dollars"), approx(7), approx(Decimal("2.217"), "dollars")
    ('$350', '7', '$2.2')
    """
    if style not in APPROX_STYLES:
        raise InputError("style", style, "must be one of " + ", ".join(APPROX_STYLES))
    n = to_decimal(value, "value")
    a = n.copy_abs()
    if style == "dollars":
        sign = "-" if n < 0 else ""
        millions = excel_round(a, -3) >= _MILLION
        return sign + "$" + (_millions(a, False) if millions else _thousands(a) if a >= 10_000 else _small_money(a))
    if style == "sig2" or (style == "auto" and a < 10_000):
        return _sig2(n)
    if style == "thousands" or (style == "auto" and excel_round(a, -3) < _MILLION):
        return _thousands(n)
    return _millions(n)


def quarter_name(month: int) -> str:
    """``first quarter`` ... ``fourth quarter`` for a calendar month."""
    return ("first", "second", "third", "fourth")[(month - 1) // 3] + " quarter"


def release_sentences(offer, results) -> list[str]:
    """The results paragraph, one sentence per item, from an offer and its results.

    Always six sentences, whatever the offer, so that the standard workbook's
    ``Release`` sheet builds the same sentences in the same cells with native
    formulas; the validator compares them word for word.

    Every figure is the offer's own, as the paragraph describes the offer:
    later exchanges in the period (``[[exchange]]``) are not in the units
    remaining or the common stock after.  On a final count the units tendered
    and those by notice of guaranteed delivery leave out the failed
    deliveries, as the final count drops them.  A figure of nothing is said in
    words: no guaranteed deliveries drops that clause, no units tendered,
    accepted or remaining, no common shares issued and no charge are each said
    plainly.  Common stock whose before and after round alike is said as an
    increase "by" the shares issued.  The charge is "noncash" only when the
    consideration is stock alone (cash in lieu of fractions aside); a negative
    measure of a redemption or an extinguishment is a credit to retained
    earnings or a gain on extinguishment, of the amount without its sign.
    """
    name = offer.short_name or offer.issuer
    noun = "shares" if offer.kind == "preferred" else "notes"
    count = "final" if offer.tally.final else "preliminary"
    failed = results.units_failed_delivery if offer.tally.final else 0
    tendered = results.units_tendered - failed
    guaranteed = results.units_guaranteed_delivery - failed
    remaining = results.units_outstanding - results.units_accepted
    common_after = results.common_outstanding_before + results.common_issued
    s = []
    if tendered == 0:
        s.append(f"Based on a {count} count, no {noun} were tendered.")
    elif guaranteed == 0:
        s.append(f"Based on a {count} count, approximately {approx(tendered)} {noun} were tendered and not withdrawn.")
    else:
        s.append(
            f"Based on a {count} count, approximately {approx(tendered)} {noun} were tendered and not "
            f"withdrawn, of which approximately {approx(guaranteed)} were tendered pursuant to "
            "notices of guaranteed delivery."
        )
    if results.units_accepted == 0:
        s.append(f"{name} will accept no {noun}.")
    elif offer.max_units is None or results.units_eligible <= offer.max_units:  # not oversubscribed (a factor
        # rounded to 10 decimals reads 1 when fewer than one unit in 20 billion is turned away)
        s.append(f"{name} will accept all of the properly tendered {noun}.")
    else:
        s.append(
            f"{name} will accept approximately {approx(results.units_accepted)} of the properly tendered {noun} "
            "on a pro rata basis."
        )
    s.append(
        f"When the offer commenced there were {results.units_outstanding:,} {noun} of {offer.security} issued and "
        "outstanding."
    )
    left = "no" if remaining == 0 else "approximately " + approx(remaining)
    s.append(
        f"As a result of the exchange offer, {name} expects to have {left} {noun} of {offer.security} outstanding "
        "immediately following issuance of the exchanged common shares."
    )
    s.append(_common_sentence(results, common_after))
    s.append(_charge_sentence(offer, results, count, name))
    return s


def _common_sentence(results, common_after: int) -> str:
    """The common stock before and after: "remain" when none is issued, "by" when the two round alike."""
    before, after = approx(results.common_outstanding_before), approx(common_after)
    if results.common_issued == 0:
        return f"The outstanding shares of common stock will remain approximately {before}."
    if before == after:
        return ("The outstanding shares of common stock will increase by approximately "
                f"{approx(results.common_issued)} to approximately {after}.")
    return (f"The outstanding shares of common stock will increase from approximately {before} to approximately "
            f"{after}.")


def _charge_sentence(offer, results, count: str, name: str) -> str:
    """The charge: "noncash" only for stock alone; a negative redemption or extinguishment measure a credit."""
    noncash = "noncash " if results.cash_paid - results.fractional_cash == 0 else ""
    cents = excel_round(results.charge, 2)  # a charge below half a cent is no charge
    credit = cents < 0 and results.charge_kind in ("redemption", "extinguishment_loss")
    what = (
        "one-time credit to retained earnings on the redemption"
        if credit and results.charge_kind == "redemption"
        else "one-time gain on extinguishment"
        if credit
        else f"one-time {noncash}dividend charge against earnings"
        if results.charge_kind == "deemed_dividend"
        else f"one-time {noncash}inducement expense"
        if results.charge_kind == "inducement_expense"
        else "one-time charge on the redemption"
        if results.charge_kind == "redemption"
        else "one-time loss on extinguishment"
    )
    if cents == 0:
        return f"Based on the {count} count, {name} will not be required to take a {what} as a result of the offer."
    return (
        f"Based on the {count} count, {name} will " + ("record" if credit else "be required to take")
        + f" a {what} in the {quarter_name(offer.valuation.date.month)} in the amount of approximately "
        f"{approx(-results.charge if credit else results.charge, 'dollars')} as a result of the offer."
    )


def release_paragraph(offer, results) -> str:
    """The sentences of :func:`release_sentences` as one paragraph."""
    return " ".join(release_sentences(offer, results))
