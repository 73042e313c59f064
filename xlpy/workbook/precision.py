"""Excel's *Set precision as displayed* (File > Options > Advanced > When calculating this workbook), which the
workbook part keeps as ``<calcPr fullPrecision="0"/>``.

While it is on, Excel stores each formula's figure rounded to its cell's number format (a charge formatted with no
decimals is 9,597,839, not 9,597,840.08, and each figure after it is computed from that), and keeps a number typed
in a cell rounded to the cell's format for good; LibreOffice rounds so too when it recalculates such a file (and
drops the setting when it saves one).  Number formats are the user's to change, but with it on they change the
figures, which are then not the engine's (review 98: 57 findings calling the file doctored, compute and refresh
silent, a refreshed file rounded again when Excel opened it):

* ``xlpy validate`` names it once, in a finding of its own beside manual calculation (:func:`findings`,
  :mod:`xlpy.workbook.shown`), and the figures that differ, saved or recalculated by LibreOffice, say they follow
  from it (:func:`with_precision`, as from a value typed over a formula); the formulas leg computes in full, so it
  tells which saved figures follow, never which do not (:func:`moves_of`);
* ``xlpy compute``, ``release`` and ``entries`` given such a workbook warn of it (:func:`warnings`);
* ``xlpy refresh`` turns it off when it writes the workbook, and warns that it did (:func:`refreshed`): the
  engine's figures it saves in full are then the ones Excel computes when it opens the file; a refresh that writes
  nothing leaves it on, and warns of it;
* the buttons refuse a workbook Excel holds with it on (:func:`live_on`, :data:`REFUSAL`): Excel would keep each
  input they write rounded to its format, and round the figures computed from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .date_system import live_setting

__all__ = ["DRAFT_REFUSAL", "FINDING", "REFUSAL", "WithPrecision", "findings", "in_full", "live_on", "moves_of", "on",
           "on_text", "refreshed", "told", "warnings", "with_precision"]

#: Where validate's finding of it is, as of manual calculation.
WHERE = "workbook calculation"
#: Where it is turned off.
SETTING = "File > Options > Advanced > When calculating this workbook > Set precision as displayed"
#: What it does.
ROUNDS = "Excel stores each figure rounded to its number format"
#: Validate's finding of it.
FINDING = (f"precision as displayed is on: {ROUNDS} (so the figures are not the engine's) and each number typed "
           f"rounded to its format, for good; turn it off: {SETTING}; then check the inputs typed, recalculate "
           "(Ctrl+Alt+F9) and save")
#: The refresh buttons' refusal (after "Nothing was changed:").
REFUSAL = (f"precision as displayed is on: {ROUNDS}, and each input a refresh writes rounded to its format, so the "
           f"workbook's figures would not be the engine's; turn it off: {SETTING}; then click the button again")
#: The draft button's, which writes nothing: its comparison would be of the figures Excel rounded.
DRAFT_REFUSAL = (f"precision as displayed is on: {ROUNDS}, so the figures the draft is compared with would not be "
                 f"the engine's; turn it off: {SETTING}; then click the button again")

_CALC_PR = re.compile(r"<(?:\w+:)?calcPr\b[^>]*?/?>")
_ROUNDED = re.compile(r'\sfullPrecision\s*=\s*(["\'])\s*(?:0|false)\s*\1')


def on(wb) -> bool:
    """Whether the openpyxl workbook *wb* is set to precision as displayed."""
    return getattr(getattr(wb, "calculation", None), "fullPrecision", None) is False


def on_text(text: str) -> bool:
    """Whether the workbook part's text *text* is set to precision as displayed (``fullPrecision`` ``0`` or
    ``false``)."""
    m = _CALC_PR.search(text)
    return m is not None and _ROUNDED.search(m.group()) is not None


def in_full(text: str) -> str:
    """The workbook part's text *text* set to full precision (``fullPrecision`` dropped: full is the default, and
    Excel writes none); every other byte as it was."""
    m = _CALC_PR.search(text)
    if m is None or not _ROUNDED.search(m.group()):
        return text
    return text[:m.start()] + _ROUNDED.sub("", m.group(), count=1) + text[m.end():]


def findings(book: str, wb, finding) -> list:
    """Validate's finding of it (made by ``finding(book, where, what, expected, found)``), or none."""
    return [finding(book, WHERE, FINDING, "full precision", "precision as displayed")] if on(wb) else []


class WithPrecision(list):
    """The causes of the figures that differ from the engine (:class:`~xlpy.workbook.saved_values.Overridden`, or
    one wrapping it: *typed*) and precision as displayed (:attr:`ids`): validate's findings of the figures following
    from it say so."""

    #: Why no recalculation told whether a saved figure follows (the formulas library computes in full).
    untold = "no recalculation that rounds as displayed (LibreOffice's) ran to tell"

    def __init__(self, typed: list):
        super().__init__([*typed, WHERE])
        self.inner, self.ids = typed, (WHERE,)
        self.formulas = getattr(typed, "formulas", typed)  # (the formula cells, as saved_values counts them)
        self.changed = getattr(typed, "changed", frozenset())

    def why(self, follows: str, formulas_why: Callable[[list], str]) -> str:
        """Why a figure differs (*follows*: ``it follows`` or ``it may follow``), the other causes first."""
        said = (f"{follows} from precision as displayed (named in a finding of its own: the workbook's figures are "
                "rounded to their number formats, the engine's are not): turn it off as that finding says, then "
                "validate again")
        return f"{formulas_why(self.inner)}; or {said}" if self.inner else said

    def causes(self, formulas: str) -> str:
        """The causes a note counting the rest names (*formulas*: the formulas' words, where there are some)."""
        if not self.inner:
            return "precision as displayed"
        inner = self.inner.causes(formulas) if getattr(self.inner, "ids", ()) else formulas
        return f"{inner}, or precision as displayed"


def with_precision(typed: list, wb) -> list:
    """*typed* (as :func:`~xlpy.workbook.layout_names.with_names` gives it) with precision as displayed where the
    workbook *wb* is set to it, or *typed*: the figures that differ following from it are said to, the first few
    shown, and do not drown its finding."""
    return WithPrecision(typed) if on(wb) else typed


def moves_of(moved: dict[str, bool], typed) -> dict[str, bool]:
    """Where the formulas leg marks the saved figures a recalculation moves (:func:`xlpy.workbook.saved_values.
    moves`): *moved* itself, or, with precision as displayed among the causes *typed*, a dict of its own whose
    moves :func:`told` lays over *moved* (the library computes in full: agreeing with the engine, it does not tell
    that a figure Excel rounded does not follow)."""
    return {} if isinstance(typed, WithPrecision) else moved


def told(moved: dict[str, bool], mine: dict[str, bool]) -> None:
    """The figures the formulas leg found moving (*mine*, as :func:`moves_of` gave it), marked in *moved*."""
    if mine is not moved:
        moved.update({where: True for where, moves in mine.items() if moves})


def warnings(wb, name: str) -> list[str]:
    """The warning of ``xlpy compute``, ``release`` and ``entries`` given the workbook *name* (*wb*) set to it."""
    return [f"{name}: precision as displayed is on: {ROUNDS} (so the workbook's own figures are not these, the "
            "engine's in full) and each number typed rounded to its format, for good (these figures are computed "
            f"from the inputs as it keeps them); turn it off: {SETTING}, and check the inputs typed (a refresh that "
            "writes the workbook turns it off)"] if on(wb) else []


def refreshed(book, name: str, changed: bool) -> list[str]:
    """A refresh's warning of the workbook *name* set to it (*book*: a :class:`~xlpy.workbook.backends.PackageBook`),
    turned off where the refresh writes the workbook (*changed*), or none."""
    was: list[bool] = []

    def edit(text: str) -> str:
        was.append(on_text(text))
        return in_full(text) if changed else text

    book.edit_workbook_xml(edit)
    if not was[0]:
        return []
    if changed:
        return [f"{name}: precision as displayed was on ({SETTING}): Excel stored each figure rounded to its number "
                "format, not the engine's; this refresh turned it off and saved the engine's figures in full (each "
                "shown to its format as before); a number typed while it was on stays rounded to its format: check "
                "the inputs typed"]
    return [f"{name}: precision as displayed is on: {ROUNDS}, so the workbook's figures are not the engine's; this "
            f"refresh wrote nothing, so it is still on: turn it off: {SETTING}; then check the inputs typed, "
            "recalculate (Ctrl+Alt+F9) and save"]


def live_on(book) -> bool | None:
    """Whether the workbook open in Excel as the xlwings book *book* is set to it, as Excel holds it now; None where
    Excel does not say (:func:`xlpy.workbook.date_system.live_setting`: ``PrecisionAsDisplayed`` on Windows,
    ``precision_as_displayed`` on a Mac; xlwings Lite's and Server's books have neither)."""
    return live_setting(book, "PrecisionAsDisplayed", "precision_as_displayed")
