"""Sensitivity: the offer's charge by share price and participation."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from .model import Block, Item, Layout, Shape, Sheet, place

# Sensitivity grid geometry: prices down, participations across.
SENS_PRICE_STEPS = (-2, -1, 0, 1, 2)
SENS_PARTICIPATIONS = ("0.25", "0.5", "0.75", "1")

#: The accrued interest payable per unit of notes, extinguished with them when the test fails (as the charge on
#: Results takes it).  Workbooks built before 2026-12-03 lack it (:mod:`.earlier`).
INTEREST_PER_UNIT = 'IF(Kind="note",N(AccruedInterestPerUnit),0)'


def sensitivity_origin(lay: Layout) -> tuple[int, int]:
    """(row, column) of the grid's top-left (blank) corner."""
    s = lay.sheet("Sensitivity")
    last = s.blocks[-1]
    return last.row + len(last.items) + 2, 2


def sheet(shape: Shape) -> Sheet:
    """The Sensitivity sheet for an offer of this *shape*."""
    sensitivity = (
        Item(None, "Charge = Outstanding × participation × ((R1 − R0) × price + cash per unit) + cash in total; "
             "prices step by the Sensitivity price step (Inputs)", record=True),
    )
    blocks, _ = place([Block("Charge by share price and participation", sensitivity)])
    return Sheet("Sensitivity", "Sensitivity", blocks, widths={"B": 16, "C": 16, "D": 16, "E": 16, "F": 16,
                 "G": 16}, landscape=True)


def sensitivity_cells(lay: Layout) -> dict[tuple[int, int], tuple[str, str]]:
    """The Sensitivity grid: (row, column) -> (formula, format key).

    Participations across the top (the last one the offer's own), share prices
    down the side in steps of ``SensitivityStep`` around ``Price``, and in each
    cell the charge the offer's terms give for ``Outstanding × participation``
    units: ``units × ((R1 − R0) × price + cash per unit)`` (a sweetener given in
    total, ``CashTotal``, adds that total whatever the participation), or, when the
    induced-conversion test fails, the extinguishment measure ``units × (R1 ×
    price + cash per unit − carrying amount per unit accepted)``, notes' carrying
    amount with the accrued interest payable per unit.  Fractions
    are valued as shares at the price.  A capped offer's participations are
    those shares of its cap (``MaxUnits ÷ Outstanding``), which it cannot pass.
    """
    top, left = sensitivity_origin(lay)
    parts = [f'={p}*IF(MaxUnits="",1,MIN(1,MaxUnits/Outstanding))' for p in SENS_PARTICIPATIONS] + ["=Participation"]
    cells = {(top, left + 1 + j): (p, "pct") for j, p in enumerate(parts)}
    for i, step in enumerate(SENS_PRICE_STEPS):
        row = top + 1 + i
        cells[(row, left)] = ("=Price" if step == 0 else f"=Price*(1{step:+d}*SensitivityStep)", "price")
        price = f"${get_column_letter(left)}{row}"
        for j in range(len(parts)):
            part = f"{get_column_letter(left + 1 + j)}${top}"
            cells[(row, left + 1 + j)] = (
                f"=Outstanding*{part}*(IF(InducedTest,(OfferRatio-OriginalRatio)*{price},OfferRatio*{price}-"
                f"IF(UnitsAccepted=0,0,CarryingAmount/UnitsAccepted)-{INTEREST_PER_UNIT})+"
                f'IF(CashTotal="",SweetenerPerUnit,0)+ArrearsPerUnit)+IF(OR(CashTotal="",{part}=0),0,CashTotal)',
                "charge"
            )
    return cells
