"""The announcement: figures stated the way a results release states them.

The seed release (Hecla, 23 February 2004) says "approximately 274,000 shares",
"approximately 3,500", "approximately 115 million", "approximately $9.6
million".  The rules (``style="auto"``):

* counts below 10,000: two significant figures (3,500), never fewer digits
  than the whole number has (7, 73);
* counts below 1,000,000: the nearest thousand (274,000; 191,000);
* counts from 10 million: whole millions (115 million); from 1 to 10 million:
  millions with one decimal (2.4 million); from 1 billion, billions as
  millions are (1.5 billion, 12 billion), never "1,500 million";
* money (``style="dollars"``): from $1 million, millions with one decimal
  ($9.6 million, $10.5 million, $16.3 million), from $1 billion billions with
  one decimal ($1.2 billion); from $10,000, the nearest thousand ($950,000);
  below, two significant figures ($350, $1,200, $2.2, $0.42); from $1, each
  from the amount rounded to the cent, as it is booked ($19.495 is $19.50,
  so "$20").

Every figure keeps at least two significant digits (or all of a whole number
below 100): a small offer never reads "approximately $0".  A bracket is
chosen by the figure as it rounds: 999,600 units round to the thousand
1,000,000 and read "1.0 million", $999,500 reads "$1.0 million", 9,960,000
units read "10 million" and 999,600,000 units "1.0 billion".

The paragraph (:func:`release_sentences`) states the offer's own figures
(later exchanges in the period left out), leaves failed deliveries out of the
units tendered on any count, as the units accepted and remaining leave them
out (so tendered and remaining never add up to more than were outstanding),
says of a prorated offer that odd lots were accepted first, says a figure
of nothing in words ("no shares were tendered", never "approximately 0"), states
a notes offer whose ``face_per_unit`` is given
in aggregate principal amount ("approximately $79.0 million aggregate principal
amount of notes was tendered", as notes announcements do; preferred shares,
and notes without a face, are counted), calls the charge "noncash" only when no cash but
cash in lieu is paid, states a negative measure as a credit or a gain of the
amount without its sign (a redemption's a credit, an extinguishment's a
gain), says "1 share" (not "1 shares"), and names the
quarter of the issuer's fiscal year ("the first quarter" for a calendar year,
"the fiscal third quarter" for a year ending in June).

Rounding is half away from zero throughout, as Excel's ROUND, so the workbook's
native formulas give the same words.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import InputError
from .numbers import excel_round, to_decimal, units

__all__ = ["APPROX_STYLES", "NOT_STATED", "approx", "count_status", "exact_dollars", "in_principal", "is_credit",
           "release_figures", "release_sentences", "release_paragraph", "quarter_name"]

APPROX_STYLES = ("auto", "sig2", "thousands", "millions", "dollars")

#: A figure in principal of an offer whose paragraph counts its units (a cell's empty text would be read back from
#: a file as a blank, with no saved value).
NOT_STATED = "n/a"

_MILLION = Decimal(1_000_000)
_BILLION = Decimal(1_000_000_000)


def _thousands(n: Decimal) -> str:
    return f"{excel_round(n, -3):,.0f}"


def _sig2(n: Decimal) -> str:
    """Two significant figures; whole numbers keep their units digit (7, not 7.0)."""
    if n == 0:
        return "0"
    places = 1 - n.copy_abs().adjusted()
    if n.copy_abs() < 1:
        r = excel_round(n, places)
        if r and r.copy_abs().adjusted() > n.copy_abs().adjusted():  # 0.995 rounds up to 1.0: a place fewer
            places -= 1
        return f"{r:.{places}f}"
    return f"{excel_round(n, min(0, places)):,.0f}"


def _small_money(a: Decimal) -> str:
    """Dollars below $10,000 in two significant figures: a charge of $2.217 is $2.2, not $2 (a count of 7
    shares stays 7)."""
    if 1 <= a < 10:
        r = excel_round(a, 1)
        return "10" if r >= 10 else f"{r:.1f}"
    return _sig2(a)


def _millions(n: Decimal, whole_from_ten: bool = True, unit: Decimal = _MILLION, word: str = "million") -> str:
    """Millions with one decimal; whole millions from 10 million (as rounded) unless *whole_from_ten* is false.
    Billions alike, with *unit* and *word*."""
    m = n / unit
    if whole_from_ten and excel_round(abs(m), 1) >= 10:
        return f"{excel_round(m, 0):,.0f} {word}"
    return f"{excel_round(m, 1):,.1f} {word}"


def _billions(n: Decimal, whole_from_ten: bool = True) -> str:
    return _millions(n, whole_from_ten, _BILLION, "billion")


def _shown_unit(n: Decimal) -> Decimal:
    """The place of the last digit :func:`approx` shows of the count *n* (auto style): 1,000 for "191,000", a
    million for "117 million", a tenth of one for "9.6 million", 100 for "3,500".

    >>> [int(_shown_unit(Decimal(n))) for n in (7, 3500, 190777, 117175560, 9600000, 1523456789)]
    [1, 100, 1000, 1000000, 100000, 100000000]
    """
    a = n.copy_abs()
    if a < 10_000:
        return Decimal(10) ** max(0, a.adjusted() - 1) if a else Decimal(1)
    if excel_round(a, -3) < _MILLION:
        return Decimal(1000)
    if excel_round(a / _MILLION, 0) < 1000:
        return _MILLION if excel_round(a / _MILLION, 1) >= 10 else _MILLION / 10
    return _BILLION if excel_round(a / _BILLION, 1) >= 10 else _BILLION / 10


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
    >>> approx(1523456789), approx(999600000), approx(Decimal("1234567890.12"), "dollars")
    ('1.5 billion', '1.0 billion', '$1.2 billion')

    A figure that is not 0 is never stated as 0: ``thousands`` and ``millions`` refuse one that rounds to it.

    >>> approx(400, "thousands")
    Traceback (most recent call last):
    ...
    xlpy.engine.errors.InputError: value: rounds to 0 in thousands: use "auto", got 400
    """
    if style not in APPROX_STYLES:
        raise InputError("style", style, "must be one of " + ", ".join(APPROX_STYLES))
    n = to_decimal(value, "value")
    a = n.copy_abs()
    if style == "dollars":
        # From a dollar, money is stated from its cents, as it is booked: a charge of $19.50 is "$20" on every
        # machine, not "$19" where a workbook's binary arithmetic held it as 19.4999999999999 (below, exactly).
        a = excel_round(a, 2) if a >= 1 else a
        sign = "-" if n < 0 else ""
        if excel_round(a / _MILLION, 1) >= 1000:  # $999.95 million reads "$1.0 billion"
            return sign + "$" + _billions(a, False)
        millions = excel_round(a, -3) >= _MILLION
        return sign + "$" + (_millions(a, False) if millions else _thousands(a) if a >= 10_000 else _small_money(a))
    if style == "sig2" or (style == "auto" and a < 10_000):
        return _sig2(n)
    if style in ("thousands", "millions") and n and not excel_round(a, -3 if style == "thousands" else -5):
        raise InputError("value", value, f'rounds to 0 in {style}: use "auto"')  # a figure is never stated as 0
    if style == "thousands" or (style == "auto" and excel_round(a, -3) < _MILLION):
        return _thousands(n)
    if style == "auto" and excel_round(a / _MILLION, 0) >= 1000:  # 999.6 million reads "1.0 billion"
        return _billions(n)
    return _millions(n)


def quarter_name(month: int, fiscal_year_end_month: int = 12) -> str:
    """The quarter of the fiscal year ending in *fiscal_year_end_month* that calendar *month* falls in.

    >>> quarter_name(2), quarter_name(2, 6), quarter_name(7, 6), quarter_name(1, 1)
    ('first quarter', 'fiscal third quarter', 'fiscal first quarter', 'fiscal fourth quarter')
    """
    k = ((month - fiscal_year_end_month - 1) % 12) // 3
    return ("" if fiscal_year_end_month == 12 else "fiscal ") + ("first", "second", "third", "fourth")[k] + " quarter"


def _noun(plural: str, figure: str) -> str:
    """*plural* ("shares", "notes") as *figure* ("1", "274,000", "no") takes it: "1 share"."""
    return plural[:-1] if figure == "1" else plural


def _were(figure: str) -> str:
    return "was" if figure == "1" else "were"


def in_principal(offer) -> Decimal | None:
    """The principal of one unit when the paragraph states *offer*'s units as aggregate principal amount (a notes
    offer whose ``face_per_unit`` is given), else None (units counted: preferred shares, notes without a face)."""
    return offer.face_per_unit if offer.kind != "preferred" and offer.face_per_unit is not None else None


def exact_dollars(amount: object) -> str:
    """An amount stated exactly: whole dollars when it is whole to the cent, else dollars and cents.

    >>> exact_dollars(100_000_000), exact_dollars(Decimal("1234.505")), exact_dollars(Decimal("99.999"))
    ('$100,000,000', '$1,234.51', '$100')
    """
    cents = excel_round(to_decimal(amount, "amount"), 2)
    return f"${cents:,.0f}" if cents == cents.to_integral_value() else f"${cents:,.2f}"


def count_status(offer, results) -> str:
    """Whether the count is final, as the Cover's Status block says it: ``final``; ``preliminary``; or, when
    guaranteed deliveries are still open (tendered by notice, not known to have failed), what they hold, exactly
    and as the release states units: ``preliminary: 3,500 shares by guaranteed delivery not yet delivered``
    (``1 note``; a notes offer with a face in principal, ``$3,500,000 principal``).  Figures are written with
    literal separators (the workbook's twin writes them alike on every machine).

    >>> from types import SimpleNamespace as N
    >>> count = N(units_guaranteed_delivery=3500, units_failed_delivery=0)
    >>> offer = N(kind="preferred", face_per_unit=None, tally=N(final=False))
    >>> count_status(offer, count)
    'preliminary: 3,500 shares by guaranteed delivery not yet delivered'
    >>> count_status(N(kind="note", face_per_unit=1000, tally=N(final=False)), count)
    'preliminary: $3,500,000 principal by guaranteed delivery not yet delivered'
    """
    if offer.tally.final:
        return "final"
    still_open = results.units_guaranteed_delivery - results.units_failed_delivery
    if still_open <= 0:
        return "preliminary"
    face = in_principal(offer)
    held = (f"{exact_dollars(still_open * face)} principal" if face is not None
            else units(still_open, "shares" if offer.kind == "preferred" else "notes"))
    return f"preliminary: {held} by guaranteed delivery not yet delivered"


def release_figures(offer, results) -> dict[str, str]:
    """The figures the paragraph states, as it states them (without "approximately").

    ``tendered`` and ``guaranteed`` leave out the failed deliveries, as the
    units accepted do (a preliminary count's known ones too); ``remaining``
    and ``common_after`` are the offer's own (later exchanges left out);
    ``charge`` is the amount in dollars as the paragraph
    states it: a credit or a gain (:func:`is_credit`) without its sign.  (An
    induced conversion is never negative: holders receiving less than the
    original terms give is a redemption or an extinguishment,
    :mod:`xlpy.engine.compute`.)  The units tendered, by guaranteed delivery,
    accepted and remaining are counted, and, for a notes offer with a face
    (:func:`in_principal`), stated in dollars of principal too (``..._principal``;
    :data:`NOT_STATED` for any other offer), as its paragraph states them.
    """
    failed = results.units_failed_delivery
    face = in_principal(offer)
    units = {"tendered": results.units_tendered - failed, "guaranteed": results.units_guaranteed_delivery - failed,
             "accepted": results.units_accepted, "remaining": results.units_outstanding - results.units_accepted}
    return {
        **{k: approx(n) for k, n in units.items()},
        **{f"{k}_principal": NOT_STATED if face is None else approx(n * face, "dollars") for k, n in units.items()},
        "common_before": approx(results.common_outstanding_before),
        "common_issued": approx(results.common_issued),
        "common_after": approx(results.common_outstanding_before + results.common_issued),
        "charge": approx(-results.charge if is_credit(results) else results.charge, "dollars"),
    }


def is_credit(results) -> bool:
    """Whether the charge is a credit or a gain: a redemption or extinguishment measure negative to the cent."""
    return excel_round(results.charge, 2) < 0 and results.charge_kind in ("redemption", "extinguishment_loss")


def release_sentences(offer, results) -> list[str]:
    """The results paragraph, one sentence per item, from an offer and its results.

    Always six sentences, whatever the offer, so that the standard workbook's
    ``Release`` sheet builds the same sentences in the same cells with native
    formulas; the validator compares them word for word.

    Every figure is the offer's own, as the paragraph describes the offer:
    later exchanges in the period (``[[exchange]]``) are not in the units
    remaining or the common stock after.  The units tendered and those by
    notice of guaranteed delivery leave out the failed deliveries, as the
    units accepted and remaining do, on a preliminary count as on a final one.
    A prorated offer that accepted odd lots in full first says so.  A figure of nothing is said in
    words: no guaranteed deliveries drops that clause, no units tendered,
    accepted or remaining, no common shares issued and no charge are each said
    plainly.  Common stock whose before and after round alike, or whose
    shares issued are under half the unit the after figure is rounded to, is
    said as an increase "by" the shares issued.  The charge is "noncash" only when the
    consideration is stock alone (cash in lieu of fractions aside); a negative
    measure of a redemption or an extinguishment is a credit to retained
    earnings or a gain on extinguishment, of the amount without its sign.
    """
    name = offer.short_name or offer.issuer
    noun = "shares" if offer.kind == "preferred" else "notes"
    count = "final" if offer.tally.final else "preliminary"
    figures = release_figures(offer, results)
    face = in_principal(offer)
    if face is not None:  # the units as the paragraph states them: in principal
        figures = {**figures, **{k: figures[f"{k}_principal"] for k in ("tendered", "guaranteed", "accepted",
                                                                          "remaining")}}
    return [_tendered_sentence(offer, results, count, noun, figures, face),
            _acceptance_sentence(offer, results, name, noun, figures, face),
            _outstanding_sentence(offer, results, noun, face),
            _remaining_sentence(offer, results, name, noun, figures, face),
            _common_sentence(results, figures),
            _charge_sentence(offer, results, count, name, figures["charge"])]


#: A figure of principal: "$79.0 million aggregate principal amount of ..." (an amount, so "was").
_PRINCIPAL = " aggregate principal amount"


def _tendered_sentence(offer, results, count: str, noun: str, figures: dict[str, str], face) -> str:
    """Units tendered and, of them, by notice of guaranteed delivery (failed deliveries left out)."""
    failed = results.units_failed_delivery
    if results.units_tendered - failed == 0:
        return f"Based on a {count} count, no {noun} were tendered."
    guaranteed = results.units_guaranteed_delivery - failed
    t, g = figures["tendered"], figures["guaranteed"]
    what = f"{_PRINCIPAL} of {noun} was" if face is not None else f" {_noun(noun, t)} {_were(t)}"
    return (f"Based on a {count} count, approximately {t}{what} tendered and not withdrawn"
            + ("." if guaranteed == 0 else f", of which approximately {g} {'was' if face is not None else _were(g)} "
               f"tendered pursuant to {'a notice' if guaranteed == 1 else 'notices'} of guaranteed delivery."))


def _acceptance_sentence(offer, results, name: str, noun: str, figures: dict[str, str], face) -> str:
    """All, one, none or a prorated part of the units tendered (after odd lots, accepted in full first)."""
    if results.units_accepted == 0:
        return f"{name} will accept no {noun}."
    if offer.max_units is None or results.units_eligible <= offer.max_units:  # not oversubscribed (a factor
        # rounded to 10 decimals reads 1 when fewer than one unit in 20 billion is turned away)
        return f"{name} will accept " + ("the properly tendered " + noun[:-1] if results.units_accepted == 1
                                         else f"all of the properly tendered {noun}") + "."
    odd = " after giving effect to the priority for odd lots" if results.odd_lot_units_accepted else ""
    return (f"{name} will accept approximately {figures['accepted']}{_PRINCIPAL if face is not None else ''} of the "
            f"properly tendered {noun} on a pro rata basis{odd}.")


def _outstanding_sentence(offer, results, noun: str, face) -> str:
    """The units outstanding when the offer commenced, exactly."""
    if face is not None:
        there = f"was {exact_dollars(results.units_outstanding * face)}{_PRINCIPAL}"
    else:
        before = f"{results.units_outstanding:,}"
        there = f"{_were(before)} {before} {_noun(noun, before)}"
    return f"When the offer commenced, there {there} of {offer.security} issued and outstanding."


def _remaining_sentence(offer, results, name: str, noun: str, figures: dict[str, str], face) -> str:
    """The units of the offer's security left outstanding (later exchanges left out)."""
    left = figures["remaining"]
    if results.units_outstanding == results.units_accepted:  # (in principal: "no 2.50% ... Notes", not "no notes of")
        held = f"no {offer.security}" if face is not None else f"no {noun} of {offer.security}"
    else:
        held = f"approximately {left}" + (_PRINCIPAL if face is not None else f" {_noun(noun, left)}") + \
            f" of {offer.security}"
    return (f"As a result of the exchange offer, {name} expects to have {held} outstanding immediately following "
            "issuance of the exchanged common shares.")


def _common_sentence(results, figures: dict[str, str]) -> str:
    """The common stock before and after: "remain" when none is issued, "by" when the two round alike or the shares
    issued are under half the unit the after figure is rounded to (2,000 shares on 115,499,999 is not "from 115
    million to 116 million")."""
    before, after = figures["common_before"], figures["common_after"]
    if results.common_issued == 0:
        return f"The outstanding shares of common stock will remain approximately {before}."
    unit = _shown_unit(Decimal(results.common_outstanding_before + results.common_issued))
    if before == after or 2 * results.common_issued < unit:
        return ("The outstanding shares of common stock will increase by approximately "
                f"{figures['common_issued']} to approximately {after}.")
    return (f"The outstanding shares of common stock will increase from approximately {before} to approximately "
            f"{after}.")


def _charge_sentence(offer, results, count: str, name: str, stated: str) -> str:
    """The charge: "noncash" only for stock alone; a negative measure (to the cent) a credit or a gain the issuer
    "will record", of the amount without its sign: a redemption's a credit to retained earnings, an
    extinguishment's a gain."""
    noncash = "noncash " if results.cash_paid - results.fractional_cash == 0 else ""
    cents = excel_round(results.charge, 2)  # a charge below half a cent is no charge
    credit = is_credit(results)
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
        f"Based on the {count} count, {name} will " + ("record" if cents < 0 else "be required to take")
        + f" a {what} in the {quarter_name(offer.valuation.date.month, offer.fiscal_year_end_month)} in the amount "
        "of approximately "
        f"{stated} as a result of the offer."
    )


def release_paragraph(offer, results) -> str:
    """The sentences of :func:`release_sentences` as one paragraph."""
    return " ".join(release_sentences(offer, results))
