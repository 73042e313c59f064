"""What the workbook must hold: every formula the layout writes, and the engine's value of each figure.

The validator compares a workbook with these; the builder and the refresh
save the engine's values beside the formulas (:mod:`xlpy.workbook.saved_values`);
the switch between counts and holders rewrites the formulas that differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from openpyxl.utils import get_column_letter

from ..engine.charge import estimated_charge
from ..engine.entries import amounts_to_book, charge_account
from ..engine.numbers import CONTEXT, excel_round, plain
from ..engine.release import count_status, in_principal, release_figures, release_sentences
from ..engine.schema import value_of
from . import data as bookdata
from .layout import (
    CHECK_COLS,
    ENTRY_LINES,
    MONEY_FMTS,
    NEEDS_CARRYING,
    NEEDS_INPUT,
    NEEDS_PAR,
    SENS_PARTICIPATIONS,
    SENS_PRICE_STEPS,
    VALUE_COL,
    Layout,
    sensitivity_cells,
    sensitivity_origin,
    tie_cells,
)

__all__ = ["Expect", "at_half_cent", "expected_cells", "formula_cells", "not_for_a_workbook"]


@dataclass(frozen=True)
class Expect:
    """A value the engine says a cell must hold.

    *cent*: a figure of the journal entry where one of its amounts (the
    carrying amount, the charge, the cash paid...) sits at a half cent
    (:func:`at_half_cent`): a workbook's binary arithmetic may round it to
    either cent, so one cent from the engine's is no finding but a note.

    *also*: other words a text may read: the release's, where the charge lies
    within binary noise of a rounding edge of its words (from $1 a half cent,
    which EntryCharge may take either way, as *cent* allows; below, half of the
    second significant figure); and
    False for Check's flag of the charge's words and ChecksPass, as LibreOffice
    recalculates them: its stand-in for APPROX holds the engine's words, from
    the exact charge, where the function reads the workbook's binary charge.

    *noise*: the error a workbook's binary arithmetic may leave in the
    incremental shares, the difference of two larger counts (a ratio raised
    by 0.000001 on a million units accepted gives 1 in the engine and
    0.9999999974752427 in a workbook), or in a Sensitivity charge not rounded
    to the cent (near 10^12, its saved 15 digits alone may be half a cent off):
    no finding within it (for money, within half a cent and it).
    """

    label: str
    value: object
    fmt: str = "general"
    cent: bool = False
    noise: Decimal = Decimal(0)
    also: tuple[object, ...] = ()


#: The relative error of a few steps of binary arithmetic (8 units in the last place of a double).
BINARY_NOISE = Decimal("1.7763568394002504646778106689453125E-15")  # 2^-49 exactly (a literal: no context rounds it)

#: Half a unit of a number's 15th significant digit, relative: what a workbook saved with 15 digits may be off by.
SAVED_HALF_UNIT = Decimal("5e-15")

#: The figures that are a difference of two share counts (Results' and Check's incremental shares): the only
#: ones an :attr:`Expect.noise` is given.
INCREMENTAL = ("IncrementalShares", "CheckIncremental")


def at_half_cent(amount: Decimal, scale: Decimal) -> bool:
    """Whether *amount* is a half cent, or nearer one than binary arithmetic on figures the size of *scale* can
    tell: ``ROUND(amount, 2)`` in a workbook may then give either cent where the engine rounds the exact figure
    half away from zero (53,967.915 is 53,967.91499999992 in binary)."""
    cents = amount * 100
    off = abs(cents - int(cents) - (Decimal("0.5") if cents >= 0 else Decimal("-0.5")))
    return off <= BINARY_NOISE * abs(scale) * 100


def formula_cells(lay: Layout, tables: bool = True) -> dict[tuple[str, str], str]:
    """Every formula the layout writes: (sheet, cell) -> formula text (without the tables' rows
    when *tables* is False)."""
    out: dict[tuple[str, str], str] = {}
    for s, _, item, row in lay.items():
        if s.check and item.function:
            for col, (formula, _) in tie_cells(item, row).items():
                out[(s.title, f"{get_column_letter(col)}{row}")] = formula
        elif item.formula is not None:
            out[(s.title, f"{get_column_letter(VALUE_COL)}{row}")] = item.formula
    for s in lay.sheets if tables else ():
        for t in s.tables:
            for i, c in enumerate(t.columns):
                if c.formula is None:
                    continue
                col = get_column_letter(t.first_col + i)
                for row in range(t.first_row, t.first_row + max(t.rows, 1)):
                    out[(s.title, f"{col}{row}")] = t.row_formula(c, row)
    for (row, col), (formula, _) in sensitivity_cells(lay).items():
        out[("Sensitivity", f"{get_column_letter(col)}{row}")] = formula
    return out


#: What the Entries sheet's amounts and totals read where the engine's entry is short of an input (its
#: ``missing``) and has no figure for them: the texts of the layout's formulas (:mod:`xlpy.workbook.layout.entries`),
#: by ``entry.`` key.  The carrying amount and the par value read theirs only when that input is the one missing;
#: additional paid-in capital (the balance), the totals and *Debits = credits* whenever one is.
SHORT_OF_INPUT = {
    "entry.carrying": NEEDS_CARRYING,
    "entry.par": NEEDS_PAR,
    "entry.apic": NEEDS_INPUT,
    "entry.debits": NEEDS_INPUT,
    "entry.credits": NEEDS_INPUT,
    "entry.balanced": NEEDS_INPUT,  # (not FALSE: short of an input, not wrong)
}


def _entry_figure(entry: dict, key: str):
    """The value of the Entries (or Cover) cell of *key* (``entry.``), from :func:`_entry_values`: the engine's
    figure, or, where the engine's entry names an input missing and has none, the text the layout reads there
    (:data:`SHORT_OF_INPUT`), never a number."""
    value = entry.get(key)
    return SHORT_OF_INPUT.get(key) if value is None and entry["entry.missing"] else value


def _entry_values(offer, results) -> dict[str, object]:
    """The journal entry's figures by ``entry.`` key (None where an input is missing: :func:`_entry_figure` gives
    the cell's text then), the inputs the entry says are missing (``entry.missing``) and the account of its charge
    line (``entry.charge_account``)."""
    from ..engine.entries import ACCOUNTS, journal_entry

    entry = journal_entry(offer, results)
    complete = not entry.missing
    return {
        "entry.missing": entry.missing,
        "entry.carrying": next((line.debit for line in entry.lines if line.memo.startswith("carrying amount")), None),
        "entry.interest": next((line.debit for line in entry.lines if line.account == ACCOUNTS["accrued_interest"]),
                               Decimal(0)),
        "entry.par": next((line.credit for line in entry.lines if line.account == "Common stock, at par"), None),
        "entry.apic": next((line.credit if line.credit is not None else -line.debit for line in entry.lines
                            if line.account == "Additional paid-in capital" and complete), None),
        "entry.debits": entry.total_debits if complete else None,
        "entry.credits": entry.total_credits if complete else None,
        "entry.balanced": entry.balanced if complete else None,
        "entry.status": ("balances" if entry.balanced else "DOES NOT BALANCE: see Entries") if complete
        else "needs input: see Entries",
        "entry.charge_account": charge_account(results.charge_kind, results.charge),
    }


def _derived(offer, results, entry: dict) -> dict[str, object]:
    """Item name -> the engine's value, for the workbook's steps between its inputs and the results' keys.

    Each is one step from the engine's results (and the offer's inputs), as the
    workbook takes it: the ratio in parts of a share, the test's verdict, the
    units the cap prorates into, the days the window and the period hold, the
    journal entry's amounts to the cent.
    """
    prorated = offer.max_units is not None and results.units_eligible > offer.max_units
    odd = results.odd_lot_units_accepted or 0
    out: dict[str, object] = {
        "RatioUnits": results.offer_ratio * bookdata.RATIO_SCALE,
        "SweetenerPerUnit": results.exchanges[0].cash_per_unit,
        "InducedTest": results.treatment == "induced_conversion",
        "Prorated": prorated,
        "Capacity": offer.max_units - odd if prorated else results.units_eligible,
        "RestUnits": results.units_eligible - odd,
        "EntryDate": offer.valuation.date,
        "EntryCharge": excel_round(results.charge, 2),
        "ChargeAccount": charge_account(results.charge_kind, results.charge),
        "EntryCash": excel_round(results.cash_paid, 2),
        "EntriesComplete": not entry["entry.missing"],
    }
    if offer.period is not None:
        out["PeriodDays"] = (offer.period.end - offer.period.start).days + 1
    if results.eps is not None:  # (what separates income before and after: the charges, after tax for notes)
        out["ChargesAfterTax"] = results.eps.income_available_before - results.eps.income_available_after
    if offer.consideration.formula is not None:  # every trading day of the window has its price (the engine's rule)
        out["WindowDays"] = offer.consideration.formula.averaging_days
    return out


def _entry_lines(lay: Layout, offer, results, entry: dict) -> dict[tuple[str, str], Expect]:
    """The journal entry's table, line by line as the layout orders it (:data:`ENTRY_LINES`): the engine's account,
    the date, the amount (debit positive, 0 where an input is missing) in the debit or credit column, the memo."""
    from ..engine.entries import ACCOUNTS

    sheet, t = lay.table("tblEntries")
    amounts = [entry["entry.carrying"], entry["entry.interest"], excel_round(results.charge, 2), entry["entry.par"],
               excel_round(results.cash_paid, 2), entry["entry.apic"]]
    accounts = [ACCOUNTS[offer.kind], ACCOUNTS["accrued_interest"], entry["entry.charge_account"], ACCOUNTS["common"],
                ACCOUNTS["cash"], ACCOUNTS["apic"]]
    out = {}
    for k, ((_, signed, memo), amount, account) in enumerate(zip(ENTRY_LINES, amounts, accounts)):
        row = t.first_row + k
        value = Decimal(0) if amount is None else -amount if signed.startswith("-") else amount
        cells = {"account": (account, "text"), "date": (offer.valuation.date, "date"), "amount": (value, "money"),
                 "memo": (f"{NEEDS_INPUT}: see the amounts above" if amount is None else "none" if value == 0
                          else memo if not memo.startswith("=") else _memo(k, offer, results), "text")}
        if value:  # the other column is left blank ("")
            cells["debit" if value > 0 else "credit"] = (abs(value), "money")
        for key, (v, fmt) in cells.items():
            out[(sheet.title, f"{t.letter(key)}{row}")] = Expect(f"journal entry line {k + 1}: {key}", v, fmt)
    return out


def _memo(line: int, offer, results) -> str:
    """The memo of the entry's line *line* (0: the first) that the layout words by an expression, as the engine's
    entry words it: the carrying line's security, the accrued interest given up or settled, the charge's word, the
    cash line's parts."""
    from ..engine.entries import cash_memo, interest_memo

    if line == 0:
        return f"carrying amount of the {'preferred shares' if offer.kind == 'preferred' else 'notes'} accepted"
    if line == 1:
        return interest_memo(results)
    return cash_memo(offer, results) if line == 4 else _charge_memo(offer, results)


def _charge_memo(offer, results) -> str:
    """The Entries charge line's memo: "the charge", or "the credit" (preferred) or "the gain" (notes) for a
    negative redemption or extinguishment measure, as the engine's entry words it."""
    from ..engine.release import is_credit

    return ("the credit" if offer.kind == "preferred" else "the gain") if is_credit(results) else "the charge"


def _exchange_rows(lay: Layout, offer, results) -> dict[tuple[str, str], Expect]:
    """Results' row of each later exchange (``tblExchangeResults``), as the layout's columns take it: the exchange's
    number, its units, its ratio in parts of 1/RATIO_SCALE share, the common issued, the cash in lieu, the charge
    (and, with a period, the days its shares are outstanding in it).  Empty without later exchanges."""
    from ..engine.eps import days_outstanding

    try:
        sheet, t = lay.table("tblExchangeResults")
    except KeyError:
        return {}
    p = offer.period
    out = {}
    for i, e in enumerate(results.exchanges[1:t.rows + 1], 1):
        values = {"n": i, "units": e.units, "ratio_units": excel_round(e.ratio * bookdata.RATIO_SCALE, 0),
                  "common": e.common_issued, "cash_in_lieu": e.fractional_cash, "charge": e.charge,
                  "days": days_outstanding(e.date, p.start, p.end) if p is not None else None}
        for c in t.columns:
            if values.get(c.key) is not None:
                out[(sheet.title, f"{t.letter(c.key)}{t.first_row + i - 1}")] = Expect(
                    f"exchange {i}: {c.header}", values[c.key], c.fmt)
    return out


def _sensitivity(lay: Layout, offer, results, step: Decimal) -> dict[tuple[str, str], Expect]:
    """The Sensitivity grid: its participations, prices and the engine's estimate of the charge at each
    (:func:`xlpy.engine.charge.estimated_charge`)."""
    top, left = sensitivity_origin(lay)
    parts, prices, per_unit, carrying, total = _sensitivity_terms(offer, results, step)
    exp = {("Sensitivity", f"{get_column_letter(left + 1 + j)}{top}"): Expect(_participation_label(j), part, "pct")
           for j, part in enumerate(parts)}
    for i, (k, price) in enumerate(zip(SENS_PRICE_STEPS, prices)):
        row = top + 1 + i
        exp[("Sensitivity", f"{get_column_letter(left)}{row}")] = Expect(_price_label(k), price, "price")
        for j, part in enumerate(parts):
            units = offer.outstanding * part
            charge = estimated_charge(units, price, results.offer_ratio, results.original_ratio, per_unit, carrying,
                                      total)
            # unrounded: binary noise on its terms, and a saved value's 15 digits, may pass half a cent near 10^12
            terms = units * (max(abs(results.offer_ratio), abs(results.original_ratio)) * abs(price) + abs(per_unit)
                             + abs(carrying or 0)) + abs(total or 0)
            exp[("Sensitivity", f"{get_column_letter(left + 1 + j)}{row}")] = Expect(
                f"sensitivity charge at {excel_round(price, 4)} and {excel_round(part * 100, 2)}%", charge, "money",
                noise=BINARY_NOISE * terms + SAVED_HALF_UNIT * abs(charge))
    return exp


def _participation_label(j: int) -> str:
    """How a finding or a refresh's warning names the grid's *j*-th participation heading (from 0), the last the
    offer's own."""
    own = ", the offer's own" if j == len(SENS_PARTICIPATIONS) else ""
    return f"the grid's participation heading {j + 1}{own}"


def _price_label(k: int) -> str:
    """How a finding or a refresh's warning names the grid's price *k* steps from Price (Inputs)."""
    steps = f"{abs(k)} step{'s' * (abs(k) > 1)}"
    return "the grid's price at Price" if k == 0 else f"the grid's price {steps} {'below' if k < 0 else 'above'} Price"


def _sensitivity_terms(offer, results, step: Decimal):
    """The Sensitivity grid's terms: ``(participations, prices, cash per unit, carrying amount per unit accepted,
    cash in total)``, the carrying amount None when the induced-conversion test passes (the charge is then the
    induced-conversion measure), the cash in total None unless the sweetener is given so (``cash_total``)."""
    accepted = results.units_accepted
    carrying = None  # per unit accepted, for the extinguishment measure: notes with the accrued interest given up
    if results.treatment != "induced_conversion":
        carrying = CONTEXT.divide(offer.carrying_amount, Decimal(accepted)) if accepted else Decimal(0)
        if offer.kind == "note":
            carrying = CONTEXT.add(carrying, offer.accounting.accrued_interest_per_unit)
    total = offer.consideration.cash_total  # (paid whole to whatever is accepted: not a per-unit figure)
    per_unit = (results.exchanges[0].cash_per_unit if total is None else 0) + offer.consideration.arrears_per_unit
    # a capped offer's participations are those shares of its cap, which it cannot pass
    reach = Decimal(1) if offer.max_units is None else min(Decimal(1), CONTEXT.divide(Decimal(offer.max_units),
                                                                                      Decimal(offer.outstanding)))
    parts = [Decimal(p) * reach for p in SENS_PARTICIPATIONS] + [results.participation]
    prices = [offer.valuation.price * (1 + k * step) for k in SENS_PRICE_STEPS]
    return parts, prices, per_unit, carrying, total


def _release_texts(offer, results) -> dict[str, str]:
    """The Release sheet's texts as the engine words them: its name -> its words."""
    sentences = release_sentences(offer, results)
    release = {f"ReleaseSentence{i}": s for i, s in enumerate(sentences, 1)}
    figures = release_figures(offer, results)
    release.update(ReleaseTenderedText=figures["tendered"], ReleaseGuaranteedText=figures["guaranteed"],
                   ReleaseAcceptedText=figures["accepted"],
                   **{f"Release{k.title()}Principal": figures[f"{k}_principal"]
                      for k in ("tendered", "guaranteed", "accepted", "remaining")},
                   ReleaseRemainingText=figures["remaining"], ReleaseCommonBeforeText=figures["common_before"],
                   ReleaseCommonIssuedText=figures["common_issued"], ReleaseCommonAfterText=figures["common_after"],
                   ReleaseChargeText=figures["charge"])
    release["ReleaseParagraph"] = " ".join(sentences)
    return release


def expected_cells(lay: Layout, offer, results, step: Decimal = bookdata.SENSITIVITY_STEP
                   ) -> dict[tuple[str, str], Expect]:
    """(sheet, cell) -> what the engine says it must hold, for every checked figure.

    *step* is the workbook's sensitivity price step.
    """
    exp: dict[tuple[str, str], Expect] = {}
    release = _release_texts(offer, results)
    scale = abs(results.fair_value_offer) + abs(results.fair_value_original)
    # A charge within binary noise of a rounding edge of its words (a half cent from $1, which EntryCharge may
    # take either way; half of the second significant figure below): the words from either side of the edge.
    noise = BINARY_NOISE * max(scale, abs(results.charge))
    sides = [_release_texts(offer, replace(results, charge=results.charge + d)) for d in (-noise, noise)]
    also = {k: tuple(dict.fromkeys(s[k] for s in sides if s[k] != v)) for k, v in release.items()
            if any(s[k] != v for s in sides)}  # (only the texts that move: none, away from an edge)
    entry = _entry_values(offer, results)
    derived = _derived(offer, results, entry)
    for s, _, item, row in lay.items():
        if s.title == "Inputs" or (item.name is None and not item.key):  # the Cover's summary has keys, not names
            continue
        value_col = get_column_letter(VALUE_COL)
        if s.check and item.function:
            native, fn, _, flag = (get_column_letter(c) for c in CHECK_COLS[1:])
            value = release["ReleaseChargeText"] if item.key == "release_charge_text" else value_of(results, item.key)
            if value is None:
                continue
            other = also.get("ReleaseChargeText", ()) if item.key == "release_charge_text" else ()
            exp[(s.title, f"{native}{row}")] = Expect(item.name + " (native)", value, item.fmt, also=other)
            exp[(s.title, f"{fn}{row}")] = Expect(item.name + " (function)", value, item.fmt, also=other)
            exp[(s.title, f"{flag}{row}")] = Expect(item.name, True, "bool", also=other and (False,))
        elif s.check:  # (a half-cent charge: LibreOffice's stand-in for APPROX is the engine's words, from the other
            exp[(s.title, f"{value_col}{row}")] = Expect(  # cent than the native one may take)
                item.name, True, "bool", also=(False,) if item.name == "ChecksPass" and also else ())
        elif item.name in release:
            exp[(s.title, f"{value_col}{row}")] = Expect(item.name, release[item.name], "text",
                                                         also=also.get(item.name, ()))
        elif item.key:  # (the journal entry's figures and the Cover's count line: the engine's words, not results')
            value = (_entry_figure(entry, item.key) if item.key.startswith("entry.") else
                     count_status(offer, results) if item.key == "count.status" else value_of(results, item.key))
            if value is not None:  # (a figure or flag short of an input reads "needs input": a text, not a number)
                fmt = "text" if item.fmt in ("bool", *MONEY_FMTS) and isinstance(value, str) else item.fmt
                exp[(s.title, f"{value_col}{row}")] = Expect(item.name or f"{s.title}: {item.label}", value, fmt)
        elif item.name in derived:
            exp[(s.title, f"{value_col}{row}")] = Expect(item.name, derived[item.name], item.fmt)
    exp.update(_entry_lines(lay, offer, results, entry))
    exp.update(_exchange_rows(lay, offer, results))
    # the incremental shares: the units accepted at the offer's ratio, less as many at the original one
    noise = BINARY_NOISE * results.units_accepted * max(abs(results.offer_ratio), abs(results.original_ratio))
    exp = {k: replace(e, noise=noise) if e.fmt == "count4" and e.label.startswith(INCREMENTAL) else e
           for k, e in exp.items()}
    exp.update(_sensitivity(lay, offer, results, step))
    if any(at_half_cent(a, max(scale, abs(a))) for a in amounts_to_book(offer, results)):
        exp = {k: replace(e, cent=True) if k[0] == "Entries" and e.fmt in MONEY_FMTS else e for k, e in exp.items()}
    return exp


#: A workbook (Excel, LibreOffice) holds a number in 15 significant digits: whole shares below 10^15,
#: money to the cent below 10^13.  The engine computes larger figures exactly, but a workbook would round
#: them and then disagree with it; each offer-file field's bound allows them only through a product.
WORKBOOK_SHARES = 10**15
WORKBOOK_MONEY = Decimal(10**13)  # (from whole numbers: exact whatever the decimal context)
#: The principal outstanding the Release sheet states to the cent is held lower: LibreOffice takes two numbers
#: within 2^-48 of their size for equal (a cent of $2.8 trillion), so the cent of a larger one could go unseen.
WORKBOOK_PRINCIPAL = Decimal(10**12)
#: ... and whole numbers exactly below 2^53: the units times the ratio in parts of 1/RATIO_SCALE share.
WORKBOOK_PARTS = 2**53


def not_for_a_workbook(offer, results, step: Decimal = bookdata.SENSITIVITY_STEP) -> list:
    """What a workbook cannot hold of an offer and its *results*, as input errors naming each (empty: none);
    *step* is the Sensitivity grid's price step.

    Figures it cannot hold exactly, ratios finer than it counts shares in, and
    an exchange calendar whose weekend is not Saturday and Sunday (a
    workbook counts the averaging window with ``WORKDAY``, which skips those).
    """
    from ..engine.errors import InputError
    from ..files import calendars

    f = offer.consideration.formula
    why = calendars.not_for_workday(f.calendar) if f is not None else None
    if why:
        return [InputError("offer.consideration.formula.calendar", f.calendar, why)]
    return _too_large(offer, results) + _grid_too_large(offer, results, step)


def _grid_too_large(offer, results, step: Decimal) -> list:
    """The Sensitivity grid's largest figures, where a workbook cannot hold them to the cent, as input errors (empty:
    none).  The grid values every unit outstanding (up to a cap), not only those tendered, at prices up to
    ``SENS_PRICE_STEPS`` steps of *step* from the valuation price: its charges are the difference of the
    consideration's value and the original terms' (or the carrying amount), and a workbook computes them to the
    cent only while both are below :data:`WORKBOOK_MONEY`."""
    from ..engine.errors import InputError

    parts, prices, per_unit, carrying, total = _sensitivity_terms(offer, results, step)
    units = offer.outstanding * max(parts)
    price = max(prices, key=abs)
    at = f"for {units:,.0f} units at {plain(price)} a share"
    figures = [(f"Sensitivity grid: fair value of the offer's consideration {at}",
                units * (abs(results.offer_ratio * price) + abs(per_unit)) + (total or 0),
                "offer.outstanding, the ratios, the cash per unit and valuation.price")]
    if carrying is None:
        figures.append((f"Sensitivity grid: fair value under the original terms {at}",
                        units * abs(results.original_ratio * price),
                        "offer.outstanding, offer.original_ratio and valuation.price"))
    else:
        interest = offer.kind == "note" and bool(offer.accounting.accrued_interest_per_unit)
        figures.append((f"Sensitivity grid: carrying amount{' and accrued interest payable' if interest else ''} of "
                        f"{units:,.0f} units", units * abs(carrying), "offer.outstanding and "
                        "extinguishment.carrying_amount (taken per unit accepted)"
                        + (" and accounting.accrued_interest_per_unit" if interest else "")))
    steps = max(abs(k) for k in SENS_PRICE_STEPS)
    return [InputError(name, Decimal(plain(value)), f"must be below {WORKBOOK_MONEY:,} for a workbook (it holds 15 digits with the "
                                    f"cents exactly): the grid takes every unit outstanding at prices up to {steps} "
                                    f"steps of {plain(step * 100)}% from valuation.price; check {keys}")
            for name, value, keys in figures if value >= WORKBOOK_MONEY]


def _finer_than(value: Decimal, places: int) -> bool:
    """Whether *value* has a digit other than 0 past *places* decimals, read from its own digits and exponent: exact
    at any length, where ``(value * 10**places) % 1`` is taken to 28 significant digits and can round a digit away.

    >>> _finer_than(Decimal("7.9400000"), 6), _finer_than(Decimal("7.9400001"), 6)
    (False, True)
    >>> _finer_than(Decimal("7.94000000000000000000000000001"), 6), _finer_than(Decimal("2E+3"), 0)
    (True, False)
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or an infinity: no decimals a workbook counts
        return True
    kept = "".join(map(str, digits)).rstrip("0")
    return bool(kept) and exponent + len(digits) - len(kept) < -places


def _too_large(offer, results) -> list:
    """The figures of *offer*'s *results* a workbook cannot hold exactly, as input errors naming each (empty: none);
    a ratio set by formula is named by the places it is rounded to, with those places as the value given."""
    from ..engine.errors import Counted, InputError

    figures = [("common stock issued", results.common_issued, WORKBOOK_SHARES, "15 digits of whole shares"),
               ("common stock outstanding after the offer", results.common_outstanding_after, WORKBOOK_SHARES,
                "15 digits of whole shares"),
               ("fair value of the offer's consideration", results.fair_value_offer, WORKBOOK_MONEY,
                "15 digits with the cents"),
               ("fair value under the original terms", results.fair_value_original, WORKBOOK_MONEY,
                "15 digits with the cents")]
    # (shares shown as counts, 6,352,000,000,000,000; money as it is)
    problems = [InputError(name, Counted.of(value), f"must be below {bound:,} for a workbook (it holds {digits} "
                           "exactly); check offer.outstanding, the ratios and valuation.price")
                for name, value, bound, digits in figures if abs(value) >= bound]
    face = in_principal(offer)  # the Release sheet states the principal outstanding to the cent
    if face is not None and offer.outstanding * face >= WORKBOOK_PRINCIPAL:
        problems.append(InputError("principal outstanding (offer.outstanding x offer.face_per_unit)",
                                   offer.outstanding * face, f"must be below {WORKBOOK_PRINCIPAL:,} for a workbook "
                                   "(its Release sheet states it to the cent, and a spreadsheet tells a cent apart "
                                   "only below about 14 digits); check offer.outstanding and offer.face_per_unit"))
    # A workbook counts shares in whole parts of 1/RATIO_SCALE share: a ratio finer than that would be rounded
    # there and kept exact by the engine, so the two would disagree.
    scale = bookdata.RATIO_SCALE
    places = len(str(scale)) - 1
    f = offer.consideration.formula
    if f is not None and _finer_than(results.offer_ratio, places):  # the places given, the ratio they give beside them
        problems.append(InputError("offer.consideration.formula.places", f.places,
                                   f"gives a ratio ({results.offer_ratio}) with more decimals than a workbook counts "
                                   f"shares in (parts of 1/{scale:,} share): at most {places}"))
    ratios = [] if f is not None else [("offer.consideration.ratio", results.offer_ratio)]
    ratios += [(f"exchange[{i}].ratio", e.ratio) for i, e in enumerate(results.exchanges[1:], 1)]
    problems += [InputError(name, ratio, f"has more decimals than a workbook counts shares in (parts of 1/{scale:,} "
                                         f"share): round it to {places} decimals or fewer")
                 for name, ratio in ratios if _finer_than(ratio, places)]
    # ... and multiplies the units by the ratio in those parts before INT and MOD: exact in binary below 2^53.
    counted = [("offer", results.units_accepted, results.offer_ratio)] + [
        (f"exchange[{i}]", e.units, e.ratio) for i, e in enumerate(results.exchanges[1:], 1)]
    problems += [InputError(f"{name}: units x ratio in parts of 1/{scale:,} share", Counted(units * ratio * scale),
                            f"must be below 2^53 ({WORKBOOK_PARTS:,}) for a workbook, which counts shares in those "
                            "parts exactly only below it; check offer.outstanding and the ratios")
                 for name, units, ratio in counted if units * ratio * scale >= WORKBOOK_PARTS]
    return problems
