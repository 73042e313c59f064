"""The formulas of this layout as workbooks built by earlier versions hold them.

A fix that changes a formula's text, not the layout, leaves the workbooks
built before it holding the earlier text.  Where their figures are right the
validator accepts that text (:func:`earlier_forms`); their figures are still
compared with the engine's, so a workbook whose earlier formula gives another
figure gets a figure finding, not a structure finding.
"""

from __future__ import annotations

from .release import earlier_form
from .results import INTEREST_GIVEN_UP
from .sensitivity import INTEREST_PER_UNIT

__all__ = ["earlier_forms"]

#: Terms added to formulas on 2026-12-03: the accrued interest notes' holders give up, which an extinguishment
#: measures with the notes' carrying amount (the charge on Results, its tie-out on Check, the Sensitivity grid).
_INTEREST_TERMS = ("-" + INTEREST_GIVEN_UP, "-" + INTEREST_PER_UNIT)


def earlier_forms(sheet: str, formula: str) -> tuple[str, ...]:
    """The texts earlier workbooks of this layout hold for the cell of *sheet* whose formula is now *formula*
    (none when it has not changed).

    >>> earlier_forms("Results", '=IF(InducedTest,FairValueOffer-FairValueOriginal,FairValueOffer-CarryingAmount-'
    ...               'IF(Kind="note",N(AccruedInterestPerUnit)*UnitsAccepted,0))')
    ('=IF(InducedTest,FairValueOffer-FairValueOriginal,FairValueOffer-CarryingAmount)',)
    >>> earlier_forms("Results", "=UnitsAccepted/Outstanding")
    ()
    """
    if sheet == "Release":
        earlier = earlier_form(formula)
        return (earlier,) if earlier != formula else ()
    for term in _INTEREST_TERMS:
        if term in formula:
            return (formula.replace(term, ""),)
    return ()
