"""The Cover: status, the latest count, the record of sources, the review sign-off, how to use the workbook, and
buttons."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Block, Item, Shape, Sheet, place
from .release import IN_PRINCIPAL, english, exact_dollars_formula


@dataclass(frozen=True)
class Button:
    """A form button on the Cover that runs a macro (added to the package by the builder).

    Attributes:
        caption: the text on the button.
        macro: the VBA macro it runs (a wrapper "Import Functions" writes for :mod:`xlpy.macros`).
        cell: the cell its top-left corner sits in.
        width, height: size in pixels.
    """

    caption: str
    macro: str
    cell: str
    width: int = 150
    height: int = 28


#: The Cover's buttons, one per refresh macro, right of the Status and Record blocks.
COVER_BUTTONS = (
    Button("Refresh all", "xlpy_refresh_all", "F5"),
    Button("Refresh tenders", "xlpy_refresh_tenders", "F7"),
    Button("Refresh prices", "xlpy_refresh_prices", "F9"),
    Button("Check release draft", "xlpy_draft_release", "F11"),
)

#: The guaranteed deliveries still open: tendered by notice and not known to have failed.
_STILL_OPEN = "(GuaranteedDelivery-FailedDelivery)"


def count_status_formula() -> str:
    """The Cover's count line, the twin of :func:`xlpy.engine.release.count_status`: "final", "preliminary", or
    "preliminary: 3,500 shares by guaranteed delivery not yet delivered" (notes: "1 note", with a face
    "$3,500,000 principal"), its figures written with literal separators (:func:`.release.english`)."""
    n = _STILL_OPEN
    held = (f'IF({IN_PRINCIPAL},{exact_dollars_formula(f"{n}*FacePerUnit")}&" principal",'
            f'{english(n)}&" "&IF(Kind="preferred","share","note")&IF({n}=1,"","s"))')
    return (f'=IF(FinalCount,"final",IF({n}>0,"preliminary: "&{held}&" by guaranteed delivery not yet delivered",'
            '"preliminary"))')


#: The Review block's sign-off: inputs the engine ignores, which a build leaves blank and a refresh keeps.
REVIEW = ("PreparedBy", "PreparedOn", "ReviewedBy", "ReviewedOn")


def sheet(shape: Shape) -> Sheet:
    """The Cover sheet (the same for every shape)."""
    cover_blocks = [
        Block("Status", (
            Item(None, "Checks", '=IF(ChecksPass,"All checks pass",IF(AND(IdentitiesPass,NOT(FunctionsLoaded)),'
                 '"Identities hold; tie-outs not run: xlpy functions not loaded (see below)",'
                 '"CHECKS FAIL: see the Check sheet"))'),
            Item(None, "Count", count_status_formula(), "text", key="count.status"),
            Item(None, "Charge", "=InducedCharge", "charge", key="induced_charge"),
            Item(None, "Common issued", "=CommonIssued", "count", key="common_issued"),
            Item(None, "Journal entry", '=IF(EntriesComplete,IF(EntriesBalanced,"balances","DOES NOT BALANCE: see '
                 'Entries"),"needs input: see Entries")', "text", key="entry.status"),
        )),
        Block("Latest count (History)", (
            Item(None, "As of (UTC)", "=INDEX(HistWhen,ROWS(HistWhen))", "text"),
            Item(None, "Units tendered", "=INDEX(HistTendered,ROWS(HistTendered))", "count"),
            Item(None, "Change since the previous count",  # (the build's row alone: no count before it)
                 '=IF(ROWS(HistChange)=1,"n/a",INDEX(HistChange,ROWS(HistChange)))', "count"),
            Item(None, "Participation", "=INDEX(HistParticipation,ROWS(HistParticipation))", "pct"),
        )),
        Block("Record", (
            Item("BuiltWith", "Built with", record=True, note="xlpy version that built the workbook"),
            Item("BuiltAt", "Built at (UTC)", record=True),
            Item("RefreshedAt", "Last refresh (UTC)", record=True),
            Item("OfferFile", "Offer file", record=True),
            Item("OfferSha256", "Offer file SHA-256", record=True),
            Item("TallySource", "Tally source", record=True),
            Item("TallySha256", "Tally SHA-256", record=True),
            Item("TallyRows", "Tally lines", record=True, fmt="count"),
            Item("PriceSource", "Price source", record=True),
            Item("PriceSha256", "Price SHA-256", record=True),
            Item("PriceRows", "Price days", record=True, fmt="count"),
            Item("TallyMapping", "Tally column mapping", record=True,
                 note="mapping file (TOML) a refresh reads the tally with; blank: common column spellings"),
        )),
        Block("Review", (
            Item("PreparedBy", "Prepared by", fmt="text", optional=True),
            Item("PreparedOn", "Prepared on", fmt="date", optional=True),
            Item("ReviewedBy", "Reviewed by", fmt="text", optional=True,
                 note="a refresh that then moves the figures warns; it keeps the sign-off"),
            Item("ReviewedOn", "Reviewed on", fmt="date", optional=True,
                 note="xlpy validate notes a review dated before History's last row"),
        )),
        Block("Using this workbook", (
            Item(None, "Formulas", record=True,
                 note="Every figure on Results is a native Excel formula: the workbook computes without Python."),
            Item(None, "Inputs", record=True, note="Blue cells are inputs; black cells are formulas."),
            Item(None, "Functions", record=True,
                 note="Check compares each figure with xlpy's worksheet functions. Windows desktop Excel: install "
                      "xlpy and xlwings, then xlwings ribbon > Import Functions (or import the module written by "
                      "`xlpy vba`). On a Mac or the web: xlwings Lite, with the project `xlpy lite` writes."),
            Item(None, "Macros", record=True,
                 note="Refresh buttons run xlpy.macros through xlwings, in Windows desktop Excel only; on a Mac or "
                      "the web (or headless): `xlpy refresh WORKBOOK` in a terminal, the workbook closed."),
        )),
    ]
    blocks, _ = place(cover_blocks)
    return Sheet("Cover", "Exchange offer results", blocks, widths={"B": 22, "C": 66, "D": 34})
