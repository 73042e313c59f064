"""One offer in, every result out.

:func:`compute` is the engine's front door: it checks the relations between
an offer's fields (:func:`check_offer`), fixes the ratio, counts and prorates
the tally, delivers shares per holder, measures the charge (or, when the
induced-conversion test fails, the extinguishment or redemption), rolls in
later exchanges, and computes EPS before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from . import allocation, charge, dates, eps, ratio, rules, schema
from .errors import BeforeRecords, Counted, InputError, InputErrors, one_line
from .model import Consideration, Offer
from .numbers import CONTEXT, ZERO, excel_round, plain, short, units
from .ratio import session_range

__all__ = ["Sessions", "ExchangeResult", "EPSResult", "Results", "check_offer", "compute", "in_principal",
           "ratio_problems"]

#: ``sessions(calendar_code, first_day, last_day) -> sorted trading days``.
Sessions = Callable[[str, dt.date, dt.date], Sequence[dt.date]]


@dataclass(frozen=True)
class ExchangeResult:
    """One exchange of the period: the offer itself, or a later exchange.

    Attributes:
        label: ``offer`` or ``exchange N``.
        date: measurement (and settlement) date.
        units: units exchanged (accepted).
        ratio: common shares per unit.
        price: fair value of one common share used for the charge.
        cash_per_unit: cash sweetener per unit.
        common_issued: whole shares delivered.
        fractional_cash: cash in lieu of fractions.
        incremental_shares: units × (ratio − R0).
        charge: what the exchange costs, of the kind the offer's ``charge_kind``
            names: the induced-conversion charge, or (the offer itself, when the
            test fails) the extinguishment or redemption measure.  JSON key
            ``induced_charge``.
    """

    label: str
    date: dt.date
    units: int
    ratio: Decimal
    price: Decimal
    cash_per_unit: Decimal
    common_issued: int
    fractional_cash: Decimal
    incremental_shares: Decimal
    charge: Decimal


@dataclass(frozen=True)
class EPSResult:
    """Basic EPS for the period, without and with the exchanges.

    Attributes:
        income_available_before: net income − preferred dividends.
        charges_in_period: the charges of the exchanges measured inside the period (the offer's by its
            valuation date, each later exchange's by its own date).
        income_available_after: income available before, less those charges (after tax, for notes).
        weighted_shares_before: the period's common shares before the exchanges.
        weighted_shares_after: with the shares issued, from each settlement date.
        basic_eps_before, basic_eps_after: income available ÷ weighted shares.
        eps_effect: after − before.
    """

    income_available_before: Decimal
    charges_in_period: Decimal
    income_available_after: Decimal
    weighted_shares_before: Decimal
    weighted_shares_after: Decimal
    basic_eps_before: Decimal
    basic_eps_after: Decimal

    @property
    def eps_effect(self) -> Decimal:
        return CONTEXT.subtract(self.basic_eps_after, self.basic_eps_before)


@dataclass(frozen=True)
class Results:
    """Everything the engine computes for one offer.

    The results object (its JSON keys, kinds and units) is defined once, in
    :mod:`xlpy.engine.schema`; an attribute is named as its key unless the
    schema says otherwise.

    Attributes:
        offer_id: the offer's id.
        kind: the offer's kind, ``preferred`` or ``note``.
        treatment: ``induced_conversion`` or ``extinguishment``.
        charge_kind: ``deemed_dividend``, ``inducement_expense``, ``redemption``
            or ``extinguishment_loss``: what :attr:`charge` is.
        offer_ratio, original_ratio: R1 and R0.
        average_price: the formula's average price (None for a fixed ratio).
        averaging_start, averaging_end: the formula's window (None for a fixed ratio).
        ratio_quotient: the formula's value ÷ average price to 10 decimals, which the ratio is rounded from
            (None for a fixed ratio).
        units_tendered, units_guaranteed_delivery, units_failed_delivery: the tally.
        units_eligible: tendered less failed deliveries: what could be accepted.
        units_accepted: after failed deliveries and proration.
        odd_lot_units_tendered, odd_lot_units_accepted: in an oversubscribed capped offer with an odd lot, the
            odd-lot holders' units, and of those the units accepted in full (none when they alone exceed the
            cap); 0 otherwise, and None for aggregate counts.
        proration_factor: 1 for any and all.
        common_issued: whole shares delivered for the offer.
        fractional_shares: the fractions of a share not delivered as shares (0 under ``nearest``).
        fractional_cash: cash in lieu of fractions.
        fractional_price: the price used for cash in lieu.
        incremental_shares: units_accepted × (R1 − R0).
        cash_sweetener: the sweetener paid for the units accepted (the per-unit rate is the offer's
            ``exchanges`` entry's ``cash_per_unit``).
        arrears_paid: dividend arrears or accrued interest paid for the units accepted.
        cash_paid: all the offer's cash: sweetener + arrears + cash in lieu.
        fair_value_offer, fair_value_original: the two sides of the charge.
        carrying_amount: for an extinguishment, the carrying amount (else None).
        accrued_interest_given_up: for an extinguishment, the accrued interest the holders give up with their
            notes, which the measure takes with the carrying amount: ``accrued_interest_per_unit`` × units
            accepted (0 for preferred stock; else None).
        charge: the offer's charge, of the kind :attr:`charge_kind` names: the
            induced-conversion charge, or, when the test fails, the
            extinguishment or redemption measure (FV of consideration −
            carrying amount, and for notes − accrued interest given up).
            JSON key ``induced_charge``.
        units_remaining: outstanding − units accepted, all exchanges.
        participation: units_accepted ÷ outstanding.
        common_outstanding_after: common before + issued, all exchanges.
        units_outstanding, common_outstanding_before: inputs echoed, for tie-outs.
        valuation_price: P.
        exchanges: the offer first, then each later exchange.
        eps: EPS for the period (None without a period).
        warnings: what a reviewer must see.
        holders_accepted: number of holders with units accepted (holder tallies).
    """

    offer_id: str
    kind: str
    treatment: str
    charge_kind: str
    offer_ratio: Decimal
    original_ratio: Decimal
    average_price: Decimal | None
    averaging_start: dt.date | None
    averaging_end: dt.date | None
    ratio_quotient: Decimal | None
    units_tendered: int
    units_guaranteed_delivery: int
    units_failed_delivery: int
    units_eligible: int
    units_accepted: int
    proration_factor: Decimal
    odd_lot_units_tendered: int | None
    odd_lot_units_accepted: int | None
    common_issued: int
    fractional_shares: Decimal
    fractional_cash: Decimal
    fractional_price: Decimal
    incremental_shares: Decimal
    cash_sweetener: Decimal
    arrears_paid: Decimal
    cash_paid: Decimal
    fair_value_offer: Decimal
    fair_value_original: Decimal
    carrying_amount: Decimal | None
    accrued_interest_given_up: Decimal | None
    charge: Decimal
    units_remaining: int
    participation: Decimal
    common_outstanding_after: int
    units_outstanding: int
    common_outstanding_before: int
    valuation_price: Decimal
    exchanges: tuple[ExchangeResult, ...]
    eps: EPSResult | None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    holders_accepted: int | None = None

    @property
    def total_charge(self) -> Decimal:
        """The charges of every exchange, the tender's and each later one's, one after ``period.end`` too (JSON key
        ``total_induced_charge``; the period's own are EPS's)."""
        total = ZERO
        for e in self.exchanges:
            total = CONTEXT.add(total, e.charge)
        return total

    def to_dict(self) -> dict:
        """The results object of ``xlpy compute --json`` (:mod:`xlpy.engine.schema`):
        exact decimal strings, ISO dates."""
        return {"schema": schema.SCHEMA_VERSION, **schema.encode(self)}



#: Where each tally count is given in an offer.
_TALLY_FIELDS = {"outstanding": "offer.outstanding", "tendered": "tally.tendered",
                 "guaranteed_delivery": "tally.guaranteed_delivery", "failed_delivery": "tally.failed_delivery"}


def check_offer(offer: Offer) -> list[InputError]:
    """Every relation between the offer's fields that does not hold.

    Field-by-field checks (types, signs, required keys) belong to whoever
    builds the :class:`Offer`; these are the ones that need two fields.
    """
    problems = []
    t = offer.tally
    if t.holders is None:
        problems += rules.tally_problems(
            {"outstanding": offer.outstanding, "tendered": t.tendered, "guaranteed_delivery": t.guaranteed_delivery,
             "failed_delivery": t.failed_delivery}, _TALLY_FIELDS)
    if offer.max_units is not None and offer.max_units > offer.outstanding:
        problems.append(InputError("offer.max_units", Counted(offer.max_units),
                                   f"must not exceed offer.outstanding ({offer.outstanding:,})"))
    problems += ratio_problems(offer.original_ratio, offer.consideration, offer.exchanges, offer.carrying_amount,
                               offer.original_conversion_price)
    if offer.period is not None:
        problems += rules.period_problems(offer.period.start, offer.period.end)
    return problems


def ratio_problems(original_ratio: Decimal, consideration: Consideration, exchanges,
                   carrying_amount: Decimal | None, conversion_price: Decimal | None = None) -> list[InputError]:
    """The offer's and later exchanges' ratios below the original one (they need no tally, so an offer
    file reports them beside a bad tally's problems).  *conversion_price*: the price R0 was taken from, if any
    (a ratio that is R0 rounded is then pointed at ``original_ratio``)."""
    problems = []
    shown = _shown_ratio(original_ratio, conversion_price)
    for i, ex in enumerate(exchanges, 1):
        if ex.ratio < original_ratio:
            problems.append(
                InputError(
                    f"exchange[{i}].ratio",
                    ex.ratio,
                    f"is below the original ratio {shown}: not an induced conversion"
                    + _rounded_rate_hint(ex.ratio, original_ratio, conversion_price),
                )
            )
    c = consideration
    if c.ratio is not None and c.ratio < original_ratio and carrying_amount is None:
        problems.append(
            InputError(
                "offer.consideration.ratio",
                c.ratio,
                f"is below offer.original_ratio ({shown}): not an induced conversion; "
                "give [extinguishment] carrying_amount to measure it as an extinguishment or redemption"
                + _rounded_rate_hint(c.ratio, original_ratio, conversion_price),
            )
        )
    return problems


def _shown_ratio(original_ratio: Decimal, conversion_price: Decimal | None) -> str:
    """R0 as a message shows it: as given, or (taken from a conversion price, perhaps never ending) to 10 places
    with the price it came from."""
    if conversion_price is None:
        return plain(original_ratio)
    cut = excel_round(original_ratio, 10)
    return (f"{plain(cut)}{'' if cut == original_ratio else '...'}, offer.face_per_unit ÷ "
            f"offer.original_conversion_price {plain(conversion_price)}")


def _rounded_rate_hint(given: Decimal, original_ratio: Decimal, conversion_price: Decimal | None) -> str:
    """A hint when *given* is R0, taken from a conversion price, rounded to *given*'s places: terms that state
    their conversion rate as that rounded figure give it as ``offer.original_ratio``."""
    places = max(0, -given.as_tuple().exponent)
    if conversion_price is None or places < 3 or _terminates(original_ratio) or \
            given != excel_round(original_ratio, places):  # (a rate is stated to 3 places or more)
        return ""
    return (f"; {plain(given)} is that ratio rounded to {places} place{'' if places == 1 else 's'}: if the terms state the conversion rate "
            f"as {plain(given)}, give offer.original_ratio = {plain(given)} instead of original_conversion_price")


def compute(offer: Offer, sessions: Sessions | None = None, allocator=None) -> Results:
    """Compute every result for *offer*.

    Parameters
    ----------
    offer : Offer
    sessions : callable, optional
        ``sessions(calendar, first, last)`` giving the trading days; needed
        only when the ratio is set by formula.
    allocator : optional
        Counts the tally and delivers shares per holder: an object with
        ``count_tally`` and ``deliver`` that give what :mod:`.allocation`'s
        functions give (the default); :data:`xlpy.files.vector.ALLOCATOR` does it
        with numpy for large holder tallies.  Everything after (cash, the
        charge, EPS) is computed here, in :class:`~decimal.Decimal`.

    Raises
    ------
    InputErrors
        Every relation between fields that does not hold, together.

    Examples
    --------
    See :mod:`xlpy.files.offerfile` for building an :class:`Offer` from a file;
    ``xlpy compute workbook/offers/hecla-2004.toml`` gives an induced charge
    of 9597836.4.
    """
    # Every sum and product below runs at the engine's precision and rounding,
    # whatever decimal context the caller (an add-in host, a notebook) has set.
    with localcontext(CONTEXT):
        return _compute(offer, sessions, allocator or allocation)


def _compute(offer: Offer, sessions: Sessions | None, allocator) -> Results:
    problems = check_offer(offer)
    fixed = _fix_ratio(offer, sessions, problems)
    if problems:
        raise InputErrors(problems)
    counted, exchanged_later = _count(offer, allocator)
    accepted = counted.accepted
    warnings: list[str] = []
    price = offer.valuation.price
    fractional_price, delivery = _deliver(offer, fixed, counted, warnings, allocator)
    cash = _cash(offer.consideration, accepted)
    fv = charge.fair_values(accepted, delivery.common_issued, delivery.fractional_cash,
                            cash.sweetener + cash.arrears, offer.original_ratio, price)
    treatment, offer_charge = _measure(offer, fixed.ratio, fv, warnings, accepted)
    exchanges = [
        ExchangeResult(
            "offer", offer.valuation.date, accepted, fixed.ratio, price, cash.per_unit, delivery.common_issued,
            delivery.fractional_cash, charge.incremental_shares(accepted, fixed.ratio, offer.original_ratio),
            offer_charge,
        )
    ] + _later_exchanges(offer)
    induced = treatment == "induced_conversion"
    warnings += _count_and_input_warnings(offer, counted) + _no_volume_warning(offer, fixed)
    warnings += _outlier_warning(offer, fixed)
    if induced and accepted and offer.accounting.carrying_total is not None:  # (a total: as extinguishment's)
        warnings.append(f"accounting.carrying_amount {plain(offer.accounting.carrying_total)} is taken as the "
                        f"carrying amount of the {units(accepted)} accepted in the journal entry: give it again "
                        "whenever the count changes (or give accounting.carrying_per_unit, which follows it)")
    return Results(
        offer_id=offer.id,
        kind=offer.kind,
        treatment=treatment,
        charge_kind=charge.charge_kind(offer.kind, induced),
        offer_ratio=fixed.ratio,
        original_ratio=offer.original_ratio,
        average_price=fixed.average,
        averaging_start=fixed.window_start,
        averaging_end=fixed.window_end,
        ratio_quotient=fixed.quotient,
        units_tendered=counted.tendered,
        units_guaranteed_delivery=counted.guaranteed_delivery,
        units_failed_delivery=counted.failed_delivery,
        units_eligible=counted.eligible,
        units_accepted=accepted,
        proration_factor=counted.proration_factor,
        odd_lot_units_tendered=None if counted.holders is None else counted.odd_lot_tendered,
        odd_lot_units_accepted=None if counted.holders is None else counted.odd_lot_units,
        common_issued=delivery.common_issued,
        fractional_shares=delivery.fractional_shares,
        fractional_cash=delivery.fractional_cash,
        fractional_price=fractional_price,
        incremental_shares=exchanges[0].incremental_shares,
        cash_sweetener=cash.sweetener,
        arrears_paid=cash.arrears,
        cash_paid=cash.sweetener + cash.arrears + delivery.fractional_cash,
        fair_value_offer=fv.offer,
        fair_value_original=fv.original,
        carrying_amount=None if induced else offer.carrying_amount,
        accrued_interest_given_up=None if induced else _interest_given_up(offer, accepted),
        charge=offer_charge,
        units_remaining=offer.outstanding - accepted - exchanged_later,
        participation=CONTEXT.divide(Decimal(accepted), Decimal(offer.outstanding)),
        common_outstanding_after=offer.common_outstanding_before + sum(e.common_issued for e in exchanges),
        units_outstanding=offer.outstanding,
        common_outstanding_before=offer.common_outstanding_before,
        valuation_price=price,
        exchanges=tuple(exchanges),
        eps=None if offer.period is None else _eps(offer, exchanges),
        warnings=tuple(warnings),
        holders_accepted=counted.holder_count,
    )


@dataclass(frozen=True)
class _FixedRatio:
    """The offer ratio, and for a formula its average price and window (else None)."""

    ratio: Decimal
    average: Decimal | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    quotient: Decimal | None = None


def _fix_ratio(offer: Offer, sessions: Sessions | None, problems: list[InputError]) -> _FixedRatio:
    """The fixed ratio, or the formula's; a formula ratio below R0 without a carrying amount joins *problems*.

    Raises InputErrors (with *problems*) when the formula cannot be worked out.
    """
    c = offer.consideration
    if c.formula is None:
        return _FixedRatio(c.ratio)
    f = c.formula
    if sessions is None:
        raise InputErrors([InputError("sessions", None, f"is required for a ratio by formula (its calendar, "
                                      f"{f.calendar}, gives the window's days): pass "
                                      "sessions=xlpy.files.calendars.sessions, as compute_file does", show_value=False)])
    too_many = ratio.window_days_problem(f.averaging_days, f.lag_days)
    if too_many is not None:
        raise InputErrors(problems + [InputError(f"offer.consideration.formula.{too_many.field}", too_many.value,
                                                 too_many.reason)])
    first, last = session_range(offer.expiration, f.averaging_days, f.lag_days)
    known: Sequence[dt.date] = ()
    try:
        known = sessions(f.calendar, first, last)
        window = ratio.averaging_window(offer.expiration, known, f.averaging_days, f.lag_days)
        average = ratio.average_price(
            f.prices, window, field="offer.consideration.formula.prices" + (f": {f.source}" if f.source else "")
        )
        offer_ratio = ratio.exchange_ratio(f.value, average, f.cap, f.floor, f.places)
    except InputError as exc:
        start = exc.start if isinstance(exc, BeforeRecords) else _records_start(exc, known, first)
        if start is not None:  # the window reaches before the calendar's records: the expiration is at fault
            held = sum(1 for s in known if (s < offer.expiration if f.lag_days else s <= offer.expiration))
            exc = ratio.before_records("offer.expiration", offer.expiration, f.calendar, start, held,
                                       f.averaging_days, f.lag_days)
        elif not exc.field.startswith("offer."):  # name the formula's key: calendar, averaging_days, ...
            exc = InputError(f"offer.consideration.formula.{exc.field}", exc.value, exc.reason,
                             show_value=exc.show_value)
        raise InputErrors(problems + [exc]) from None
    quotient = excel_round(CONTEXT.divide(f.value, average), ratio.QUOTIENT_PLACES)
    if offer_ratio < offer.original_ratio and offer.carrying_amount is None:
        shown = _shown_ratio(offer.original_ratio, offer.original_conversion_price)
        problems.append(InputError("offer.consideration.formula", offer_ratio, f"gives a ratio below "
                                   f"offer.original_ratio ({shown}): {_how(f, average, window, quotient, offer_ratio)}"
                                   f"{_outlier(f.prices, window, ' ({})') if quotient < offer.original_ratio else ''}"
                                   "; not an induced conversion; give [extinguishment] carrying_amount"))
    return _FixedRatio(offer_ratio, average, window[0], window[-1], quotient)


def _how(f, average: Decimal, window: Sequence[dt.date], quotient: Decimal, offer_ratio: Decimal) -> str:
    """How the formula *f* came to its ratio: the quotient of the average price over the window, then the cap or the
    floor and the rounding where they moved it (what took it below R0 is then said)."""
    where = f" in {f.source}" if f.source else ""
    how = (f"{plain(f.value)} ÷ {plain(excel_round(average, 4))}, the average price{where} from "
           f"{window[0].isoformat()} to {window[-1].isoformat()}, is {plain(excel_round(quotient, 6))}")
    bounded = quotient
    if f.cap is not None and quotient > f.cap:
        how, bounded = how + f", capped at {plain(f.cap)}", f.cap
    elif f.floor is not None and quotient < f.floor:
        how, bounded = how + f", floored at {plain(f.floor)}", f.floor
    if bounded != offer_ratio:
        how += f", rounded to {f.places} decimal{'' if f.places == 1 else 's'}: {plain(offer_ratio)}"
    return how


def _outlier(prices: Sequence, window: Sequence[dt.date], form: str) -> str:
    """The window day whose price is furthest from the window's median, when it is 3 times it or a third of it or
    less (a price typed a digit off: 84.50 for 8.45), said in *form* (``" ({})"``: a clause of a message); else "".
    A window of two days names both, as either may be the one (review 137)."""
    days = {p.date: p.price for p in prices if window[0] <= p.date <= window[-1] and p.volume and p.price > 0}
    median = sorted(days.values())[len(days) // 2] if days else None
    if not median:
        return ""
    day, price = max(days.items(), key=lambda d: max(d[1] / median, median / d[1]))
    if max(price / median, median / price) < 3:
        return ""
    if len(days) == 2:  # (no median to stand by: either price may be the one written a digit off)
        (d1, p1), (d2, p2) = sorted(days.items())
        return form.format(f"the prices on {d1.isoformat()}, {plain(p1)}, and {d2.isoformat()}, {plain(p2)}, are "
                           f"{plain(excel_round(max(p1, p2) / min(p1, p2), 1))} times apart: one written a digit off?")
    return form.format(f"the price on {day.isoformat()}, {plain(price)}, is {plain(excel_round(price / median, 1))} "
                       f"times the window's median, {plain(median)}: a price written a digit off?")


def _outlier_warning(offer: Offer, fixed: _FixedRatio) -> list[str]:
    """A window day's price 3 times the window's median or a third of it (:func:`_outlier`): said whatever the
    ratio, as a price typed a digit off that lowers the average raises the ratio, up to its cap, without a word
    (review 133: 0.839 for 8.39 added $627,671 to a charge)."""
    if fixed.window_start is None:
        return []
    said = _outlier(offer.consideration.formula.prices, (fixed.window_start, fixed.window_end),
                    "the averaging window holds a price far from the others ({}; the average price and the ratio are "
                    "computed with it as given)")
    return [said] if said else []


def _no_volume_warning(offer: Offer, fixed: _FixedRatio) -> list[str]:
    """The days of the averaging window whose volume is 0: their prices add nothing to the volume-weighted average,
    which is right for a day the stock did not trade, and wrong for a volume a vendor's file dropped."""
    if fixed.window_start is None:
        return []
    days = [p.date.isoformat() for p in offer.consideration.formula.prices
            if fixed.window_start <= p.date <= fixed.window_end and p.volume == 0]
    if not days:
        return []
    return [f"the prices give a volume of 0 on {', '.join(days[:3])}" + (f" and {len(days) - 3} more day(s)"
            if len(days) > 3 else "") + " of the averaging window: the price of such a day adds nothing to the "
            "volume-weighted average; if the stock traded that day, correct the volume"]


def _records_start(exc: InputError, known: Sequence[dt.date], first: dt.date) -> dt.date | None:
    """The first day of the calendar's records when *exc* says it holds too few sessions for the window, or None.
    The calendar days asked for hold the window with weeks to spare, so a calendar short of sessions for it starts
    its records after the first of them: its first session is that start."""
    short = exc.field in ("averaging_days", "lag_days") and "the calendar has" in exc.reason
    return known[0] if short and known and known[0] > first else None


#: What a tally in principal amounts is asked for instead: a holder tally's, or an aggregate count's.
_WHOSE = {True: "each holder's notes", False: "the notes tendered"}


def in_principal(offer: Offer, problem: InputError, tendered: int, holders: bool = True) -> InputError:
    """*problem* (more units tendered than outstanding) with a hint when the tally of notes looks like principal
    amounts: a whole number of notes of ``face_per_unit`` each, within the notes outstanding (a holder tally's, or
    without *holders* an aggregate count's)."""
    face = offer.face_per_unit
    if offer.kind != "note" or not face or face <= 1 or tendered % face or tendered // face > offer.outstanding:
        return problem
    shown = f"{Decimal(plain(face)):,}"  # (1,000, as the other hints of principal write it)
    return InputError(problem.field, problem.value, f"{problem.reason}: a unit is one note of {shown} "
                      f"principal; is the tally in principal amounts ({tendered:,} ÷ {shown} = "
                      f"{tendered // face:,} notes)? give {_WHOSE[holders]}",
                      show_value=problem.show_value)


#: Words of a notes tally's units header that say principal amounts; and words that could mean either.
_PRINCIPAL_WORDS = {"amount", "principal", "face", "par"}
_EITHER_WORDS = {"quantity", "qty"}
#: Notes of a face below 1,000 (baby bonds) trade and are tendered in round lots of this many.
_ROUND_LOT = 100


def _notes_header(offer: Offer) -> tuple[int, str, set[str]] | None:
    """(the face of a note, its holder tally's units header and that header's words) for a notes offer whose tally
    was read from a file; None otherwise."""
    face, table = offer.face_per_unit, offer.tally.holders
    if offer.kind != "note" or not face or face <= 1 or face % 1 or table is None or not table.units_header:
        return None
    words = set(table.units_header.lower().replace("_", " ").replace("-", " ").split())
    return int(face), table.units_header, words


def _headed_principal(offer: Offer, tendered: int) -> InputError | None:
    """A notes tally whose units column's header says principal (``Amount``, ``Principal Amount``, ``Face``,
    ``Par``), every line a whole multiple of a note's face: its units would be counted as notes, a thousand times
    too many, yet below the notes outstanding.  A line that is no multiple (3 under ``Amount``) is no principal
    amount: the column holds notes, whatever its header says."""
    seen = _notes_header(offer)
    if seen is None or not seen[2] & _PRINCIPAL_WORDS:
        return None
    face, header, _ = seen
    units = offer.tally.holders.units
    if not any(units) or any(u % face for u in units):
        return None
    notes = f" ({tendered:,} ÷ {face:,} = {tendered // face:,} notes)" if tendered and not tendered % face else ""
    return InputError(f"tally.file: {offer.tally.holders.source}: column {header}", header,
                      f"a unit is one note of {face:,} principal; is the tally in principal amounts{notes}? give each "
                      "holder's notes, headed Notes or Units")


def _principal_warning(offer: Offer) -> list[str]:
    """A notes tally headed ``Quantity``, every line a whole number of notes' principal: notes or principal?  For a
    face below 1,000 (baby bonds of $25 or $100), a whole number of round lots' principal (100 notes): a count of
    notes tendered in round lots (100, 200, 1,000) is itself a multiple of so small a face."""
    seen = _notes_header(offer)
    if seen is None or not seen[2] & _EITHER_WORDS:
        return []
    face, header, _ = seen
    lot = 1 if face >= 1000 else _ROUND_LOT
    units = offer.tally.holders.units
    if not any(units) or any(u % (face * lot) for u in units):
        return []
    what = "a note's" if lot == 1 else f"{lot:,} notes'"
    return [f"every line of tally.file {offer.tally.holders.source}, column {one_line(header)}, is a multiple of "
            f"{face * lot:,}, {what} principal: if the column is principal amounts, not notes, give each holder's "
            "notes"]


def _count(offer: Offer, allocator) -> tuple[allocation.Count, int]:
    """The counted tally and the units of later exchanges, checked against the units outstanding."""
    counted = allocator.count_tally(offer.tally, offer.max_units, offer.odd_lot)
    if offer.tally.holders is not None:  # check_offer compares aggregate counts; a holder table is only summed here
        source = offer.tally.holders.source
        holder_problems = rules.tally_problems(
            {"outstanding": offer.outstanding, "tendered": counted.tendered},
            {"outstanding": "offer.outstanding", "tendered": "tally.file" + (f": {source}" if source else "")},
            nouns={"tendered": "units tendered and not withdrawn"})
        if holder_problems:
            raise InputErrors([in_principal(offer, p, counted.tendered) for p in holder_problems])
        headed = _headed_principal(offer, counted.tendered)
        if headed is not None:
            raise InputErrors([headed])
    exchanged_later = sum(e.units for e in offer.exchanges)
    if counted.accepted + exchanged_later > offer.outstanding:
        raise InputErrors(
            [
                InputError(
                    "exchange",
                    Counted(counted.accepted + exchanged_later),
                    f"units accepted in all exchanges exceed offer.outstanding ({offer.outstanding:,})",
                )
            ]
        )
    return counted, exchanged_later


def _deliver(offer: Offer, fixed: _FixedRatio, counted: allocation.Count, warnings: list[str],
             allocator) -> tuple[Decimal, allocation.Delivery]:
    """The price for cash in lieu and the shares delivered, holder by holder when there are holders."""
    c = offer.consideration
    if c.fractional_price is not None:
        fractional_price = c.fractional_price
    elif fixed.average is not None:
        fractional_price = fixed.average
    else:
        fractional_price = offer.valuation.price
    delivery = allocator.deliver(
        counted.holders if counted.holders is not None else counted.accepted, fixed.ratio, c.fractional,
        fractional_price,
    )
    if c.fractional == "cash" and delivery.fractional_shares and c.fractional_price is None:
        source = "the formula's average price" if fixed.average is not None else "the valuation price"
        shown = plain(fractional_price) if len(plain(fractional_price)) <= 12 else \
            f"{plain(excel_round(fractional_price, 6))}..., carried exact"  # (an average to 34 digits: read at six)
        warnings.append(f"cash in lieu of fractional shares is valued at {source} ({shown})")
    return fractional_price, delivery


@dataclass(frozen=True)
class _Cash:
    """The offer's cash besides cash in lieu: the sweetener (also per unit) and the arrears."""

    sweetener: Decimal
    per_unit: Decimal
    arrears: Decimal


def _cash(c: Consideration, accepted: int) -> _Cash:
    if c.cash_total is not None:
        # the total is paid to the units accepted: with none accepted, no sweetener is paid
        sweetener = c.cash_total if accepted else ZERO
        per_unit = CONTEXT.divide(c.cash_total, Decimal(accepted)) if accepted else ZERO
        return _Cash(sweetener, per_unit, c.arrears_per_unit * accepted)
    return _Cash(c.cash_per_unit * accepted, c.cash_per_unit, c.arrears_per_unit * accepted)


_HALF_CENT_BELOW = Decimal("-0.005")


def _measure(offer: Offer, offer_ratio: Decimal, fv: charge.FairValues, warnings: list[str], accepted: int
             ) -> tuple[str, Decimal]:
    """The treatment and the offer's charge: induced conversion, or (the test failing) the extinguishment:
    FV of consideration − the carrying amount of what is extinguished (for notes, with the accrued interest the
    holders give up; for preferred stock the carrying amount alone).

    The extinguishment's carrying amount is a total, of the units accepted: the engine cannot scale it when the
    count changes, so the warning says which count it is taken for (and when none is accepted, that it is all
    booked against nothing exchanged)."""
    failed_test = charge.induced_test(offer_ratio, offer.original_ratio, offer.substantive_conversion)
    if not failed_test and fv.charge <= _HALF_CENT_BELOW:  # short by a cent or more, as it rounds
        # An induced conversion gives at least the original terms' consideration, in form and amount (ASC
        # 470-20-40-13, ASU 2024-04), and books the excess (40-16): less is not one, whatever the ratio.
        failed_test = [f"what holders receive is worth less than the original terms give ({plain(fv.offer)} against "
                       f"{plain(fv.original)}" + (", fractions forfeited" if offer.consideration.fractional != "cash"
                                                   else "") + "): not the original consideration in amount"]
    if not failed_test:
        if accepted and fv.charge < -_HALF_CENT_BELOW:  # (an exchange at the original terms: no inducement)
            money = [f"${v:,.2f}" if abs(v) < 10**15 else f"${short(v)}" for v in (fv.offer, fv.original)]
            # (a measure within half a cent of 0 is said as it stands, -0.0025 in --json, and as it is booked)
            measure = "0" if not fv.charge else f"{plain(fv.charge)}, $0.00 to the cent"
            warnings.append(f"the offer gives holders nothing beyond the original terms (fair value {money[0]} "
                            f"against {money[1]} on them): a conversion on its original terms, with no inducement "
                            f"to book; the induced charge is {measure}")
        return "induced_conversion", fv.charge
    if offer.carrying_amount is None:
        raise InputErrors(
            [InputError("extinguishment.carrying_amount", None, "is required: " + "; ".join(failed_test) + "; the "
                        "exchange is then measured as " + ("a redemption" if offer.kind == "preferred" else
                                                           "an extinguishment") + " against the carrying amount of "
                        "the units accepted", show_value=False)]
        )
    interest = _interest_given_up(offer, accepted)
    warnings.append(
        "induced-conversion test failed (" + "; ".join(failed_test)
        + "): measured as FV of consideration − carrying amount"
        + (f" − accrued interest payable ({plain(interest)})" if interest else "")
    )
    if accepted:
        warnings.append(f"extinguishment.carrying_amount {plain(offer.carrying_amount)} is taken as the carrying "
                        f"amount of the {units(accepted)} accepted: give it again whenever the count changes")
    elif offer.carrying_amount:
        warnings.append(f"no unit is accepted, yet extinguishment.carrying_amount is {plain(offer.carrying_amount)}: "
                        "the measure books all of it against nothing exchanged; give the carrying amount of the "
                        "units accepted (0)")
    return "extinguishment", fv.offer - offer.carrying_amount - interest


def _interest_given_up(offer: Offer, accepted: int) -> Decimal:
    """Notes: the accrued interest the holders give up, extinguished with them (ASC 470-50-40-2); preferred: 0."""
    return offer.accounting.accrued_interest_per_unit * accepted if offer.kind == "note" else ZERO


def _later_exchanges(offer: Offer) -> list[ExchangeResult]:
    """Each later exchange of the period at its own terms: always an induced conversion, so one that gives holders
    less than the original terms (fractions forfeited at a ratio near R0) is refused, as one below R0 is."""
    out, short = [], []
    for i, ex in enumerate(offer.exchanges, 1):
        d = allocation.deliver(ex.units, ex.ratio, offer.consideration.fractional, ex.price)
        fv = charge.fair_values(ex.units, d.common_issued, d.fractional_cash, ex.cash_per_unit * ex.units,
                                offer.original_ratio, ex.price)
        if fv.charge <= _HALF_CENT_BELOW:
            short.append(InputError(f"exchange[{i}].ratio", ex.ratio, "gives holders less than the original terms "
                                    f"({plain(fv.offer)} against {plain(fv.original)}, fractions forfeited): a later "
                                    "exchange is measured as an induced conversion, which gives at least the "
                                    "original consideration"))
        out.append(
            ExchangeResult(
                f"exchange {i}", ex.date, ex.units, ex.ratio, ex.price, ex.cash_per_unit, d.common_issued,
                d.fractional_cash, charge.incremental_shares(ex.units, ex.ratio, offer.original_ratio), fv.charge,
            )
        )
    if short:
        raise InputErrors(short)
    return out


def _count_and_input_warnings(offer: Offer, counted: allocation.Count) -> list[str]:
    """A preliminary count, a proration, an original ratio that does not terminate, an early valuation."""
    warnings = []
    open_ngd = counted.guaranteed_delivery - counted.failed_delivery
    if open_ngd and not offer.tally.final:
        warnings.append(
            f"preliminary count: {units(open_ngd)} tendered by notice of guaranteed delivery "
            f"{'is' if open_ngd == 1 else 'are'} included; "
            "the final count drops those not delivered (when the agent's count is final, set tally.final to true)"
        )
    if offer.max_units is not None and counted.eligible > offer.max_units:
        warnings.append(
            f"offer is oversubscribed: {counted.eligible:,} units eligible for {offer.max_units:,}; "
            f"prorated by {plain(counted.proration_factor)}"
            + (" (below 1 past its 10 decimals)" if counted.proration_factor == 1 else "")
            + (f" after {units(counted.odd_lot_units)} of odd lots accepted in full" if counted.odd_lot_units else "")
            + (f"; {units(counted.accepted)} accepted of the {offer.max_units:,} it takes, as each holder's prorated "
               "units are rounded down to whole units" if counted.accepted < offer.max_units else "")
            + ("; offer.odd_lot is not applied: aggregate counts have no holders to accept in full first, so every "
               "unit is prorated alike (give the holder tally to apply it)"
               if offer.odd_lot is not None and counted.holders is None else "")
        )
    if offer.original_conversion_price is not None and not _terminates(offer.original_ratio):
        warnings.append(
            f"original ratio {plain(offer.face_per_unit)} ÷ {plain(offer.original_conversion_price)} does not "
            f"terminate; carried to {CONTEXT.prec} significant digits "
            f"({plain(excel_round(offer.original_ratio, 6))}...)"
        )
    return warnings + dates.date_warnings(offer) + _principal_warning(offer)


def _eps(offer: Offer, exchanges: list[ExchangeResult]) -> EPSResult:
    p = offer.period
    issues = [(exchanges[0].common_issued, p.settlement)] + [(e.common_issued, e.date) for e in exchanges[1:]]
    in_period = [e.charge for e in exchanges[1:] if p.start <= e.date <= p.end]
    if p.start <= offer.valuation.date <= p.end:  # the charge is measured when holders accept, not at settlement
        in_period.append(exchanges[0].charge)
    charges = sum(in_period, ZERO)
    before = p.net_income - p.preferred_dividends
    if offer.kind == "note":
        after = before - charges * (1 - p.tax_rate)
    else:
        after = before - charges
    w_before = Decimal(p.shares_before)
    w_after = eps.weighted_shares(p.shares_before, issues, p.start, p.end)
    return EPSResult(
        before, charges, after, w_before, w_after, eps.basic_eps(before, w_before), eps.basic_eps(after, w_after)
    )


def _terminates(number: Decimal) -> bool:
    return len(number.as_tuple().digits) < CONTEXT.prec
