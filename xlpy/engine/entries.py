"""The journal entries for the exchange: what the charge is computed for.

The offer's entry is dated the measurement date (``valuation.date``); each
later exchange of the period (``[[exchange]]``) has an entry of its own, dated
its own date (:func:`journal_entries`).  The lines:

Preferred stock, induced conversion (ASC 260-10-S99-2)
    Dr preferred stock, at the carrying amount of the units accepted;
    Dr retained earnings, for the deemed dividend (the induced charge);
    Cr common stock, at par × shares issued; Cr cash, for any cash
    (sweetener, arrears, cash in lieu); Cr additional paid-in capital for
    the balance.

Convertible notes, induced conversion (ASC 470-20-40-16)
    Dr convertible notes, at their net carrying amount; Dr accrued interest
    payable, for the interest the holders give up (or that the exchange
    settles, where the offer pays it in cash); Dr induced conversion expense,
    for the charge; Cr common stock at par; Cr cash; Cr additional paid-in
    capital for the balance.

When the induced-conversion test fails (an extinguishment or redemption)
    The same lines, the charge being fair value less carrying amount: for
    preferred a deemed dividend in retained earnings (a credit when it is a
    benefit), for notes a loss on extinguishment (a gain when negative), the
    notes' carrying amount taken with the accrued interest payable (given up,
    or settled by the exchange where the offer pays it; ASC 470-50-40-2), so
    the shares land at fair value: additional paid-in capital is their fair
    value less par.

An entry is booked in cents: every line but additional paid-in capital is its
exact amount rounded to the cent (half away from zero, as Excel's ``ROUND``),
and additional paid-in capital is the balance of those rounded lines, so it
carries the rounding difference and the debits equal the credits to the cent
(the exact figures stay in the results of :func:`xlpy.engine.compute`).  The
standard workbook's ``EntriesBalanced`` check proves its native formulas
balance too.  An amount whose input is missing (par value,
carrying amount) is None, and the entry names what is missing: nothing is
silently zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .numbers import CONTEXT, ZERO, excel_round, plain, units

__all__ = ["ACCOUNTS", "EntryLine", "JournalEntry", "amounts_to_book", "cash_memo", "charge_account",
           "entry_warnings", "interest_memo", "journal_entries", "journal_entry"]

#: Account names, in plain words; the charge's account says what the charge is.
ACCOUNTS = {
    "preferred": "Preferred stock",
    "note": "Convertible notes, net carrying amount",
    "accrued_interest": "Accrued interest payable",
    "deemed_dividend": "Retained earnings: deemed dividend (induced conversion)",
    "inducement_expense": "Induced conversion expense",
    "redemption": "Retained earnings: deemed dividend (redemption above carrying amount)",
    "redemption_benefit": "Retained earnings: redemption below carrying amount",
    "extinguishment_loss": "Loss on extinguishment of convertible notes",
    "extinguishment_gain": "Gain on extinguishment of convertible notes",
    "common": "Common stock, at par",
    "apic": "Additional paid-in capital",
    "cash": "Cash",
}


@dataclass(frozen=True)
class EntryLine:
    """One line of the journal entry.

    Attributes:
        date: the entry's date.
        account: the account, in plain words.
        debit: the debit, or None (a credit line, or an amount whose input is missing).
        credit: the credit, or None.
        memo: what the amount is, or which input it needs.
    """

    date: dt.date
    account: str
    debit: object
    credit: object
    memo: str

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "account": self.account,
                "debit": None if self.debit is None else plain(self.debit),
                "credit": None if self.credit is None else plain(self.credit), "memo": self.memo}


@dataclass(frozen=True)
class JournalEntry:
    """The entry for one exchange: the offer, or a later exchange of the period.

    Attributes:
        lines: the debit lines first, then the credits.
        missing: the inputs the entry still needs (offer-file keys); empty when complete.
        label: ``offer`` or ``exchange N`` (as in the results' ``exchanges``).
        date: the entry's date: the offer's measurement date, or the exchange's date.
    """

    lines: tuple[EntryLine, ...]
    missing: tuple[str, ...]
    label: str = "offer"
    date: dt.date | None = None

    @property
    def total_debits(self):
        return _total(line.debit for line in self.lines)

    @property
    def total_credits(self):
        return _total(line.credit for line in self.lines)

    @property
    def balanced(self) -> bool:
        return not self.missing and self.total_debits == self.total_credits

    def to_dict(self) -> dict:
        return {"entries": [line.to_dict() for line in self.lines], "missing": list(self.missing)}


def _total(amounts):
    total = ZERO
    for a in amounts:
        if a is not None:
            total = CONTEXT.add(total, a)
    return total


def journal_entry(offer, results) -> JournalEntry:
    """The journal entry for *offer*'s exchange, from its *results*.

    Parameters
    ----------
    offer : Offer
        Its ``accounting`` gives the par value and carrying amount.
    results : Results
        From :func:`xlpy.engine.compute`.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> from types import SimpleNamespace as NS
    >>> from xlpy.engine.model import Accounting
    >>> offer = NS(kind="preferred", valuation=NS(date=dt.date(2004, 2, 20)), carrying_amount=None,
    ...            accounting=Accounting(par_value=D("0.25"), carrying_per_unit=D(50)))
    >>> results = NS(units_accepted=274000, common_issued=2175560, cash_paid=D(0), treatment="induced_conversion",
    ...              charge=D("9597836.4"), charge_kind="deemed_dividend", cash_sweetener=D(0), arrears_paid=D(0),
    ...              fractional_cash=D(0))
    >>> e = journal_entry(offer, results)
    >>> [(line.account, line.debit, line.credit) for line in e.lines]  # doctest: +NORMALIZE_WHITESPACE
    [('Preferred stock', Decimal('13700000.00'), None),
     ('Retained earnings: deemed dividend (induced conversion)', Decimal('9597836.40'), None),
     ('Common stock, at par', None, Decimal('543890.00')),
     ('Additional paid-in capital', None, Decimal('22753946.40'))]
    >>> e.balanced
    True
    """
    acc = offer.accounting
    missing = []
    if acc.par_value is None:
        missing.append("accounting.par_value")
    carrying = _cents(_carrying(offer, results))
    if carrying is None:
        missing.append("accounting.carrying_per_unit (or accounting.carrying_amount)")
    interest = _cents(_interest(offer, results))
    charge = _cents(results.charge)
    carried = "carrying amount and accrued interest" if interest else "carrying amount"
    memo = ("the charge: fair value of the inducement" if results.treatment == "induced_conversion"
            else f"the charge: fair value less {carried}" if charge >= 0
            else f"the {'credit' if offer.kind == 'preferred' else 'gain'}: {carried} less fair value")
    return _book(offer, "offer", offer.valuation.date, missing, f"{_held(offer, results.units_accepted)} accepted",
                 carrying, interest, (ACCOUNTS[_charge_account(results.charge_kind, charge)], charge, memo),
                 results.common_issued, _cents(results.cash_paid), cash_memo(offer, results), interest_memo(results))


def cash_memo(offer, results) -> str:
    """The offer entry's cash line's memo: what the cash paid is, by its parts that are not nothing (the workbook's
    Entries sheet words it alike).  The offer's cash per unit is a sweetener in an induced conversion only; when the
    test fails it is part of the price paid to redeem or extinguish, "cash consideration".

    >>> from types import SimpleNamespace as N
    >>> cash_memo(N(kind="preferred"), N(cash_sweetener=0, arrears_paid=0, fractional_cash=Decimal("41.55"),
    ...                                  treatment="induced_conversion"))
    'cash in lieu of fractional shares'
    >>> cash_memo(N(kind="note"), N(cash_sweetener=1, arrears_paid=2, fractional_cash=3,
    ...                             treatment="induced_conversion"))
    'cash sweetener, accrued interest paid and cash in lieu of fractional shares'
    >>> cash_memo(N(kind="note"), N(cash_sweetener=1, arrears_paid=2, fractional_cash=0, treatment="extinguishment"))
    'cash consideration and accrued interest paid'
    """
    cash = "cash sweetener" if results.treatment == "induced_conversion" else "cash consideration"
    return _cash_memo(((cash, results.cash_sweetener),
                       ("dividend arrears" if offer.kind == "preferred" else "accrued interest paid",
                        results.arrears_paid),
                       ("cash in lieu of fractional shares", results.fractional_cash)))


def interest_memo(results) -> str:
    """The offer entry's accrued-interest line's memo: the payable the holders give up, or, where the offer pays the
    accrued interest in cash (``arrears_per_unit``), the payable the exchange settles (the cash line's "accrued
    interest paid"), whether the test passes or fails (the workbook's Entries sheet words it alike).

    >>> from types import SimpleNamespace as N
    >>> interest_memo(N(arrears_paid=Decimal(0))), interest_memo(N(arrears_paid=Decimal(5000)))
    ('accrued interest the holders give up', 'accrued interest settled by the exchange')
    """
    return "accrued interest settled by the exchange" if results.arrears_paid else \
        "accrued interest the holders give up"


def journal_entries(offer, results) -> tuple[JournalEntry, ...]:
    """The period's journal entries: the offer's (:func:`journal_entry`), then one for each later exchange.

    A later exchange (``[[exchange]]``) is always an induced conversion
    (:mod:`xlpy.engine.compute`), dated its own date: Dr the security at
    ``accounting.carrying_per_unit`` × its units; Dr the charge (a deemed
    dividend for preferred, an inducement expense for notes); Cr common stock
    at par × its shares; Cr cash (its cash per unit and cash in lieu); Cr
    additional paid-in capital for the balance.  ``accounting.carrying_amount``
    is the offer's units in total, so it gives no later exchange's carrying
    amount: that entry then names ``accounting.carrying_per_unit`` as missing.
    The offer file gives no accrued interest for a later exchange, so its entry
    has no accrued-interest line.

    Examples
    --------
    >>> from decimal import Decimal as D
    >>> from types import SimpleNamespace as NS
    >>> from xlpy.engine.model import Accounting
    >>> offer = NS(kind="preferred", valuation=NS(date=dt.date(2004, 2, 20)), carrying_amount=None,
    ...            accounting=Accounting(par_value=D("0.25"), carrying_per_unit=D(50)))
    >>> later = NS(label="exchange 1", date=dt.date(2004, 3, 22), units=12961, common_issued=100447,
    ...            fractional_cash=D("6.375"), cash_per_unit=D(0), charge=D("501266.675"))
    >>> results = NS(units_accepted=274000, common_issued=2175560, cash_paid=D(0), treatment="induced_conversion",
    ...              charge=D("9597836.4"), charge_kind="deemed_dividend", exchanges=(NS(label="offer"), later),
    ...              cash_sweetener=D(0), arrears_paid=D(0), fractional_cash=D(0))
    >>> offer_entry, e = journal_entries(offer, results)
    >>> e.label, [(line.account, line.debit, line.credit) for line in e.lines]  # doctest: +NORMALIZE_WHITESPACE
    ('exchange 1',
     [('Preferred stock', Decimal('648050.00'), None),
      ('Retained earnings: deemed dividend (induced conversion)', Decimal('501266.68'), None),
      ('Common stock, at par', None, Decimal('25111.75')),
      ('Cash', None, Decimal('6.38')),
      ('Additional paid-in capital', None, Decimal('1124198.55'))])
    >>> e.total_debits == e.total_credits == D("1149316.68")
    True
    """
    entries = [journal_entry(offer, results)]
    acc = offer.accounting
    kind = "deemed_dividend" if offer.kind == "preferred" else "inducement_expense"
    for ex in results.exchanges[1:]:
        missing = []
        if acc.par_value is None:
            missing.append("accounting.par_value")
        carrying = None
        if acc.carrying_per_unit is not None:
            carrying = _cents(CONTEXT.multiply(acc.carrying_per_unit, ex.units))
        elif acc.carrying_total is not None:
            missing.append("accounting.carrying_per_unit (for the later exchanges: accounting.carrying_amount "
                           "is the offer's units only)")
        else:
            missing.append("accounting.carrying_per_unit")
        cash = _cents(CONTEXT.add(ex.fractional_cash, CONTEXT.multiply(ex.cash_per_unit, ex.units)))
        charge = (ACCOUNTS[kind], _cents(ex.charge), "the charge: fair value of the inducement")
        paid = (("cash sweetener", CONTEXT.multiply(ex.cash_per_unit, ex.units)),  # (an induced conversion's)
                ("cash in lieu of fractional shares", ex.fractional_cash))
        entries.append(_book(offer, ex.label, ex.date, missing, f"{_held(offer, ex.units)} exchanged", carrying,
                             None, charge, ex.common_issued, cash, _cash_memo(paid)))
    return tuple(entries)


def entry_warnings(offer, results, entries: int) -> list[str]:
    """What a reviewer of the journal entries (*entries* of them: the offer's and each later exchange's) must see
    that the results' warnings do not say: notes paying accrued interest with no payable given to derecognise,
    later exchanges' entries without an accrued-interest line, and a carrying amount in ``[accounting]`` other than
    the extinguishment's, which the entry takes."""
    out = []
    acc = offer.accounting
    book = acc.carrying_total if acc.carrying_total is not None else None if acc.carrying_per_unit is None else \
        CONTEXT.multiply(acc.carrying_per_unit, results.units_accepted)
    # (to the cent, as booked; with later exchanges, carrying_per_unit is theirs, at their dates: not a second one)
    if results.treatment != "induced_conversion" and offer.carrying_amount is not None and book is not None and \
            entries == 1 and excel_round(book, 2) != excel_round(offer.carrying_amount, 2):
        key = "carrying_amount" if acc.carrying_total is not None else "carrying_per_unit"
        out.append(f"accounting.{key} gives the units accepted a carrying amount of {plain(book)}, but the "
                   f"measure and the entry take extinguishment.carrying_amount, {plain(offer.carrying_amount)}: "
                   "give the one carrying amount (see docs/accounting.md, section 9: xlpy docs accounting)")
    interest = offer.accounting.accrued_interest_per_unit
    if offer.kind == "note" and offer.consideration.arrears_per_unit and not interest:
        out.append("the offer pays accrued interest (offer.consideration.arrears_per_unit) but accounting."
                   "accrued_interest_per_unit is 0 or not given: the entry derecognises no accrued interest payable, "
                   "and interest accrued on the books would stay there: give accounting.accrued_interest_per_unit, "
                   "the interest accrued per note (often the amount paid; see docs/accounting.md, section 9: "
                   "xlpy docs accounting)")
    if offer.kind == "note" and interest and entries > 1:
        out.append("the later exchanges' entries have no accrued-interest line: accounting.accrued_interest_per_unit "
                   "is the offer's, and the offer file gives none for a later exchange")
    booked = sum((_cents(e.charge) for e in results.exchanges[:entries]), ZERO)
    if entries > 1 and booked != _cents(results.total_charge):  # (each entry rounds its own charge)
        out.append(f"the entries book {booked:,.2f} of charges in all, each to the cent on its own, where the "
                   f"charge of all exchanges, {_cents(results.total_charge):,.2f}, is rounded once: the "
                   f"{abs(booked - _cents(results.total_charge)):,.2f} between them is rounding")
    return out


def _held(offer, n: int) -> str:
    """*n* units of *offer*'s security as a ledger's memo names them: ``274,000 preferred shares``; ``40,000 notes
    ($40,000,000 principal)`` (notes with a face; without one, counted alone).

    >>> from types import SimpleNamespace as N
    >>> _held(N(kind="preferred", face_per_unit=50), 274000), _held(N(kind="note", face_per_unit=1000), 1)
    ('274,000 preferred shares', '1 note ($1,000 principal)')
    """
    from .release import exact_dollars, in_principal

    if offer.kind == "preferred":
        return units(n, "preferred shares")
    face = in_principal(offer)
    return units(n, "notes") + (f" ({exact_dollars(CONTEXT.multiply(face, n))} principal)" if face is not None else "")


def _cash_memo(paid) -> str:
    """The cash line's memo: what the cash paid is, by its parts that are not nothing (*paid*: (words, amount)),
    ``cash in lieu of fractional shares`` alone when that is all of it."""
    said = [words for words, amount in paid if amount]
    return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0] if said else "cash"


def _book(offer, label, date, missing, units_words, carrying, interest, charge, shares, cash, cash_memo,
          interest_memo=""):
    """An entry's lines, every amount in cents (None where *missing* names an input), APIC the balance."""
    needs = "needs input: " + ", ".join(missing) if missing else ""
    lines: list[EntryLine] = []

    def line(account, amount, memo, debit: bool):
        if amount is not None and amount < 0:  # a negative debit is a credit, and the reverse
            amount, debit = CONTEXT.minus(amount), not debit
        lines.append(EntryLine(date, account, amount if debit else None, None if debit else amount, memo))

    line(ACCOUNTS[offer.kind], carrying, needs if carrying is None else f"carrying amount of the {units_words}",
         debit=True)
    if interest is not None:
        line(ACCOUNTS["accrued_interest"], interest, interest_memo, debit=True)
    account, amount, memo = charge
    line(account, amount, memo, debit=True)
    par = _cents(_par(offer, shares))
    line(ACCOUNTS["common"], par,
         f"par value of the {units(shares, 'common shares')} issued" if par is not None else needs,
         debit=False)
    if cash:
        line(ACCOUNTS["cash"], cash, cash_memo, debit=False)
    apic = None
    if carrying is not None and par is not None:
        apic = CONTEXT.subtract(CONTEXT.add(CONTEXT.add(carrying, interest or ZERO), amount), CONTEXT.add(par, cash))
    line(ACCOUNTS["apic"], apic, "the balance" if apic is not None else needs, debit=False)
    lines.sort(key=lambda x: x.debit is None)  # debits first, stable otherwise
    return JournalEntry(tuple(lines), tuple(missing), label, date)


def amounts_to_book(offer, results) -> list[Decimal]:
    """The offer's entry amounts before they are booked to the cent: the carrying amount, the accrued interest
    payable, the charge, the common stock at par and the cash paid (those given).  A workbook rounds each to the
    cent in binary, which may take an exact half cent either way (:func:`xlpy.workbook.expected.at_half_cent`)."""
    out = [_carrying(offer, results), _interest(offer, results), results.charge, _par(offer, results.common_issued),
           results.cash_paid]
    return [a for a in out if a is not None]


def _interest(offer, results):
    """The accrued interest payable on the notes accepted, derecognised with them (given up by the holders, or settled
    by the exchange where the offer pays it), or None (preferred, or none given)."""
    per_unit = offer.accounting.accrued_interest_per_unit
    return CONTEXT.multiply(per_unit, results.units_accepted) if offer.kind == "note" and per_unit else None


def _par(offer, shares: int):
    """The par value of *shares* common shares, or None when not given."""
    par_value = offer.accounting.par_value
    return None if par_value is None else CONTEXT.multiply(par_value, shares)


def _cents(amount):
    """*amount* booked to the cent (half away from zero, as Excel's ``ROUND``), or None when not given; a
    negative amount below half a cent is 0.00, not -0.00."""
    if amount is None:
        return None
    cents = excel_round(amount, 2)
    return cents if cents else abs(cents)


def _carrying(offer, results):
    """The carrying amount of the units accepted, or None when not given."""
    if results.treatment != "induced_conversion" and offer.carrying_amount is not None:
        return offer.carrying_amount  # the extinguishment measure's own carrying amount
    acc = offer.accounting
    if acc.carrying_total is not None:
        return acc.carrying_total
    if acc.carrying_per_unit is not None:
        return CONTEXT.multiply(acc.carrying_per_unit, results.units_accepted)
    return offer.carrying_amount


def charge_account(charge_kind: str, charge) -> str:
    """The account the offer's charge is booked to: its kind, a negative measure (to the cent) a gain or benefit.

    >>> charge_account("extinguishment_loss", Decimal("-20420")), charge_account("redemption", Decimal("-0.004"))
    ('Gain on extinguishment of convertible notes', 'Retained earnings: deemed dividend (redemption above carrying amount)')
    """
    return ACCOUNTS[_charge_account(charge_kind, _cents(charge))]


def _charge_account(charge_kind: str, charge) -> str:
    if charge_kind == "redemption" and charge < 0:
        return "redemption_benefit"
    if charge_kind == "extinguishment_loss" and charge < 0:
        return "extinguishment_gain"
    return charge_kind
