"""Entries: the journal entry for the exchange (:mod:`xlpy.engine.entries`) in native formulas."""

from __future__ import annotations

from .model import Block, Column, Item, Shape, Sheet, Table, place

#: The account the offer's charge is booked to (:func:`xlpy.engine.entries.charge_account`): a negative measure
#: to the cent (EntryCharge) is a gain or a benefit.  Results shows it beside the charge; the entry's charge line
#: books to it.
CHARGE_ACCOUNT = (
    'IF(InducedTest,IF(Kind="preferred","Retained earnings: deemed dividend (induced conversion)",'
    '"Induced conversion expense"),IF(Kind="preferred",IF(EntryCharge<0,"Retained earnings: redemption '
    'below carrying amount","Retained earnings: deemed dividend (redemption above carrying amount)"),'
    'IF(EntryCharge<0,"Gain on extinguishment of convertible notes","Loss on extinguishment of '
    'convertible notes")))'
)

#: Whether the charge is a credit or a gain (:func:`xlpy.engine.release.is_credit`): the test failing, the measure
#: negative to the cent.  One expression for the release, Check and the entry's memo.
CREDIT = "AND(EntryCharge<0,NOT(InducedTest))"

#: The charge line's memo (an expression): "the charge", or for a credit or a gain (the test failing, the measure
#: negative to the cent) "the credit" or "the gain", as :func:`xlpy.engine.entries.journal_entry` words it.
CHARGE_MEMO = 'IF(' + CREDIT + ',IF(Kind="preferred","the credit","the gain"),"the charge")'

#: The carrying line's memo (an expression): the security by its name, as the engine's entry names it.
CARRYING_MEMO = ('IF(Kind="preferred","carrying amount of the preferred shares accepted",'
                 '"carrying amount of the notes accepted")')

#: The cash line's memo (an expression): what the cash paid is, by its parts that are not nothing, as
#: :func:`xlpy.engine.entries.cash_memo` words it ("cash in lieu of fractional shares" alone when that is all); the
#: cash per unit is a sweetener in an induced conversion only, and part of the price ("cash consideration") when
#: the test fails.
_CASH = 'IF(InducedTest,"cash sweetener","cash consideration")'
_ARREARS = 'IF(Kind="preferred","dividend arrears","accrued interest paid")'
_IN_LIEU = '"cash in lieu of fractional shares"'
CASH_MEMO = ('CHOOSE(1+IF(Sweetener<>0,1,0)+IF(ArrearsPaid<>0,2,0)+IF(FractionalCash<>0,4,0),"cash",'
             f'{_CASH},{_ARREARS},{_CASH}&" and "&{_ARREARS},{_IN_LIEU},{_CASH}&" and "&{_IN_LIEU},'
             f'{_ARREARS}&" and "&{_IN_LIEU},{_CASH}&", "&{_ARREARS}&" and "&{_IN_LIEU})')

#: The accrued-interest line's memo (an expression): the payable the holders give up, or the one the exchange
#: settles where the offer pays the accrued interest in cash (ArrearsPaid), as
#: :func:`xlpy.engine.entries.interest_memo` words it.
INTEREST_MEMO = 'IF(ArrearsPaid<>0,"accrued interest settled by the exchange","accrued interest the holders give up")'

#: The journal entry's lines, in order: (account formula, signed amount formula, memo: a text, or an expression
#: after "="); debits positive.
ENTRY_LINES = (
    ('IF(Kind="preferred","Preferred stock","Convertible notes, net carrying amount")', "EntryCarrying",
     "=" + CARRYING_MEMO),
    ('"Accrued interest payable"', "EntryInterest", "=" + INTEREST_MEMO),
    ("ChargeAccount", "EntryCharge", "=" + CHARGE_MEMO),
    ('"Common stock, at par"', "-EntryPar", "par value of the common shares issued"),
    ('"Cash"', "-EntryCash", "=" + CASH_MEMO),
    ('"Additional paid-in capital"', "-EntryAPIC", "the balance"),
)
NEEDS_INPUT = "needs input"
#: What the carrying amount and the par value read while that input is missing (the validator expects them alike).
NEEDS_CARRYING = f"{NEEDS_INPUT}: carrying amount (Inputs)"
NEEDS_PAR = f"{NEEDS_INPUT}: par value (Inputs)"
#: The account and memo columns' widths: the longest account, "Retained earnings: deemed dividend (redemption above
#: carrying amount)" (69 characters), and the longest memo, "cash consideration, accrued interest paid and cash in
#: lieu of fractional shares" (79), print whole beside the figure after them, not cut at their column's edge.
ACCOUNT_WIDTH, MEMO_WIDTH = 55, 60


def sheet(shape: Shape) -> Sheet:
    """The journal entry for the exchange (:mod:`xlpy.engine.entries`) in native formulas.

    The amounts are named cells, booked in cents: each is ROUND(exact, 2) and
    additional paid-in capital is the balance of the rounded amounts, so the
    debits equal the credits to the cent, as in :mod:`xlpy.engine.entries`.
    The table lays them out as lines with a debit or a credit each (a line
    whose amount is zero is left blank).  An amount whose input is missing
    shows "needs input", never zero.
    """
    amounts = (
        Item("EntryDate", "Date (measurement date)", "=ValuationDate", "date"),
        Item("EntryCarrying", "Carrying amount of the units accepted",
             '=IF(AND(NOT(InducedTest),CarryingAmount<>""),ROUND(CarryingAmount,2),IF(CarryingTotal<>"",'
             'ROUND(CarryingTotal,2),IF(CarryingPerUnit<>"",ROUND(CarryingPerUnit*UnitsAccepted,2),'
             f'IF(CarryingAmount<>"",ROUND(CarryingAmount,2),"{NEEDS_CARRYING}"))))', "money",
             key="entry.carrying"),
        Item("EntryInterest", "Accrued interest derecognised",
             '=IF(Kind="note",ROUND(N(AccruedInterestPerUnit)*UnitsAccepted,2),0)', "money", key="entry.interest"),
        Item("EntryCharge", "The charge, to the cent", "=ROUND(InducedCharge,2)", "charge"),
        Item("EntryPar", "Common stock at par",
             f'=IF(ParValue="","{NEEDS_PAR}",ROUND(ParValue*CommonIssued,2))', "money",
             key="entry.par"),
        Item("EntryCash", "Cash paid, to the cent", "=ROUND(CashPaid,2)", "money"),
        Item("EntryAPIC", "Additional paid-in capital (the balance)",
             "=IF(EntriesComplete,ROUND(EntryCarrying+EntryInterest+EntryCharge-EntryPar-EntryCash,2),"
             f'"{NEEDS_INPUT}")',
             "money", key="entry.apic"),
    )
    totals = (  # the inputs' check sits with the totals, after the amounts it speaks of
        Item("EntriesComplete", "Inputs given", "=AND(ISNUMBER(EntryCarrying),ISNUMBER(EntryPar))", "bool"),
        # (an entry short of an input has no totals: the sums of its lines given would read as an entry that fails)
        Item("EntriesDebits", "Total debits", f'=IF(EntriesComplete,SUM(EntryDebits),"{NEEDS_INPUT}")', "money",
             key="entry.debits"),
        Item("EntriesCredits", "Total credits", f'=IF(EntriesComplete,SUM(EntryCredits),"{NEEDS_INPUT}")', "money",
             key="entry.credits"),
        # (nor a verdict: FALSE would read as an entry that fails to balance; Check and the Cover ask EntriesComplete
        # first, and read this only when it is TRUE or FALSE)
        Item("EntriesBalanced", "Debits = credits",
             f'=IF(EntriesComplete,ABS(EntriesDebits-EntriesCredits)<Tolerance,"{NEEDS_INPUT}")', "bool",
             key="entry.balanced"),
    )
    blocks, next_row = place([Block("Amounts", amounts), Block("Totals", totals)])
    account = "=CHOOSE({index}," + ",".join(a for a, _, _ in ENTRY_LINES) + ")"
    signed = "=CHOOSE({index}," + ",".join(
        f"IF(ISNUMBER({x.lstrip('-')}),{x},0)" for _, x, _ in ENTRY_LINES) + ")"
    memo = ("=IF(ISNUMBER(CHOOSE({index}," + ",".join(x.lstrip("-") for _, x, _ in ENTRY_LINES) + ')),IF({amount}=0,'
            '"none",CHOOSE({index},' + ",".join(m[1:] if m.startswith("=") else f'"{m}"' for _, _, m in ENTRY_LINES)
            + f')),"{NEEDS_INPUT}: see the amounts above")')
    table = Table("tblEntries", (
        Column("account", "Account", None, account, fmt="text", width=ACCOUNT_WIDTH),
        Column("date", "Date", None, "=EntryDate", fmt="date", width=16),
        Column("debit", "Debit", "EntryDebits", '=IF({amount}>0,{amount},"")', fmt="money", width=18),
        Column("credit", "Credit", "EntryCredits", '=IF({amount}<0,-{amount},"")', fmt="money", width=18),
        Column("memo", "Memo", None, memo, fmt="text", width=MEMO_WIDTH),
        Column("amount", "Amount (debit +)", None, signed, fmt="money", width=18),
    ), len(ENTRY_LINES), next_row + 1)
    return Sheet("Entries", "Journal entry", blocks, (table,), landscape=True,
                 widths={"B": ACCOUNT_WIDTH, "C": 16, "D": 18, "E": 18, "F": MEMO_WIDTH, "G": 18})
