"""The offer a standard workbook's inputs describe, and the engine's results on it: ``xlpy compute``, ``xlpy
release`` and ``xlpy entries`` given a workbook in place of an offer file.

After a refresh (a new tally, new prices) or inputs typed in the workbook, its
figures are the current ones and the offer file it was built from is not: the
results, the release and the journal entries are then printed from the
workbook's own inputs, read as ``xlpy validate`` reads them
(:func:`xlpy.workbook.data.read_offer` on the workbook opened by
:func:`xlpy.workbook.fastload.load`) and computed by the engine.  The file is
checked as a package first (its limits, another kind of file, a DTD, a part
missing or damaged), each refusal one line naming it; a workbook open in
Excel is read as it was last saved (reading changes nothing).  A workbook whose
inputs are not in the layout's cells (a sheet renamed or deleted, a row
inserted or deleted above named cells or inside an input table, a line typed
below one) is refused as ``xlpy validate`` names it
(:func:`xlpy.workbook.structure_edits.refusals`), rather than its inputs read
from other cells.  A problem of an input is named at its cell
(:func:`xlpy.workbook.data.in_workbook_terms`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..engine.compute import Results, compute
from ..engine.errors import InputError, InputErrors
from ..engine.model import Offer
from ..engine.numbers import engine_context
from . import data as bookdata, date_system, holders_apart, holiday_cover, precision, structure_edits
from .layout import LAYOUT_NAME, NOT_REFRESHED, Layout, Shape, layout
from .saved_values import HOLDER_TABLE

__all__ = ["BookOffer", "compute_book", "open_standard"]

#: What a command refused a workbook did not do, as each refusal ends.
NOT_DONE = "nothing was computed"


@dataclass(frozen=True)
class BookOffer:
    """A workbook's offer and the engine's results on it (their warnings in the workbook's terms)."""

    offer: Offer
    results: Results
    lay: Layout
    name: str  # the workbook's file name, before each problem of its cells
    note: str  # where the inputs came from: the workbook, when it was last refreshed (or built)

    def problem(self, key: str, reason: str) -> InputError:
        """A problem of a blank input the engine words by offer-file *key* (``accounting.par_value``), at the
        workbook's input cell, ending ``got nothing`` as a blank cell's problem does; each key *reason* names, at
        its cell too."""
        return bookdata.in_workbook_terms(self.lay, InputError(key, None, reason)).located(self.name)

    def said(self, warnings) -> list[str]:
        """Warnings the engine words by offer-file key, each key as the workbook's input cell, after the workbook's
        name as its problems and its other warnings are (``book.xlsm: Inputs!C29 (ValuationDate) ...``)."""
        return [f"{self.name}: {w.removeprefix('warning: ')}" for w in bookdata.engine_warnings(self.lay, warnings)]


def open_standard(path: Path, label: str):
    """``(wb, layout)`` of the standard workbook at *path* (named *label*), opened as ``xlpy validate`` opens it;
    else an :class:`InputError` (or a :class:`~xlpy.engine.errors.Busy` one: a copy still being written)
    in one line naming the file and what it is instead, or :class:`InputErrors`, one line each, where its inputs
    are not in the layout's cells (:func:`~xlpy.workbook.structure_edits.refusals`)."""
    from ..files.safety import check_package, damage_first, damage_of, damaged, unreadable
    from ..files.settled import package_still_written
    from ..files.steady import not_a_file, not_found
    from .package import PackageError
    from .package_checks import check_file

    if path.is_dir():
        raise InputError(label, None, "is a folder, not a workbook", show_value=False)
    if not path.is_file():  # (a pipe or a device is named as one, by its mode: never opened, so nothing waits)
        raise not_a_file(path, "a workbook") or InputError(label, None, not_found(path, "workbook"), show_value=False)
    try:
        open(path, "rb").close()
    except OSError as exc:  # (no permission; on Windows, a file another program locks)
        raise unreadable(label, exc) from None
    if busy := package_still_written(path, label, f"run it again when it is complete; {NOT_DONE}"):
        raise busy
    check_package(path, label)  # a bomb is refused before anything is unpacked
    check_file(path, label, NOT_DONE)  # another kind of file, a DTD, a part missing or not what it should be
    if (crc := damage_first(path, label)) is not None:  # (any part alike: a sheet, or the VBA project, read or not)
        raise damaged(label, crc, NOT_DONE)
    try:
        from .fastload import load

        wb = load(path)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a damaged file: its part named)
        if isinstance(exc, PackageError):  # (a cell naming a shared string not there: the workbook named once)
            raise InputError(label, None, f"{exc.reason}; {NOT_DONE}", show_value=False) from None
        damage = damage_of(path, label)
        raise InputError(label, None, f"cannot be opened as a workbook: {damage or exc}; {NOT_DONE}",
                         show_value=False) from None
    if LAYOUT_NAME not in wb.defined_names:
        raise InputError(label, None, f"is not a standard xlpy workbook (it has no name {LAYOUT_NAME}): give the "
                         f"offer file (TOML), or a workbook xlpy build made; {NOT_DONE}", show_value=False)
    lay = _layout_of(wb, path, label)
    if date_system.uses_1904(wb):  # (its dates four years off, one way or the other: refused, as refresh refuses it)
        raise date_system.refusal(label, NOT_DONE)
    if refused := structure_edits.refusals(wb, lay, label, NOT_DONE):  # (its inputs not in the layout's cells)
        raise InputErrors(refused)
    return wb, lay


def _layout_of(wb, path: Path, label: str) -> Layout:
    """The layout the workbook *wb* records; another layout's workbook (or a chart sheet in place of one of the
    layout's sheets) refused as ``xlpy validate`` refuses it, with the commands that rebuild it."""
    from . import rebuild
    from .layout import SHEETS

    charts = [ws.title for ws in wb.chartsheets if ws.title in SHEETS]
    if charts:  # (its cells are gone: nothing of it can be read)
        raise InputError(f"{label}: sheet {charts[0]}", None, "is a chart sheet in place of the workbook's sheet "
                         f"(rebuild it with xlpy build); {NOT_DONE}", show_value=False)
    try:
        return layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    except ValueError as exc:  # (another layout: an earlier one, with the commands that rebuild it)
        at = Path(os.path.realpath(path)) if path.is_symlink() else path  # (a link: its target's folder has the files)
        said = rebuild.said(exc, records=rebuild.workbook_records(wb), path=at) if getattr(
            exc, "later", None) is not None else f"layout cannot be read: {exc}"
        raise InputError(f"{label}: name {LAYOUT_NAME}", None, said, show_value=False) from None


@engine_context()
def compute_book(path: str | os.PathLike) -> BookOffer:
    """The offer the standard workbook at *path* holds in its inputs (holder table, counts, prices, as they are
    now), computed by the engine with the exchange calendars.

    Raises
    ------
    InputError, InputErrors
        The file is no standard workbook (one line naming it), or its inputs are refused: each problem at its
        cell, after the workbook's name.
    """
    from ..files import calendars
    from ..files.vector import ALLOCATOR  # numpy, for large holder tables
    from .openpyxl_access import WorkbookCells

    path = Path(path)
    name = path.name
    wb, lay = open_standard(path, str(path))

    get, get_rows = (reader := WorkbookCells(wb)).get, reader.get_rows

    aside: list[InputError] = []  # (a holder id typed that looks like another line's: said, and computed still)
    try:
        offer = bookdata.read_offer(get, lay, get_rows=get_rows, aside=aside.append)
    except InputErrors as exc:
        raise InputErrors([p.located(name) for p in exc.problems]) from None
    try:
        results = compute(offer, calendars.sessions, ALLOCATOR)
    except (InputErrors, InputError) as exc:  # the offer-file keys the engine names, as the workbook's cells
        raise InputErrors([bookdata.in_workbook_terms(lay, p).located(name)
                           for p in getattr(exc, "problems", (exc,))]) from None
    book = BookOffer(offer, results, lay, name, _whence(get, lay, name))
    warnings = [str(p.located(name)) for p in aside] + book.said(results.warnings) + _not_the_files(wb, lay, path)
    warnings += _typed_over(wb, lay, path) + _apart(name, lay, offer) + precision.warnings(wb, name)
    warnings += [f"{name}: {f.where}: {f.what}; {APART_FIGURES}" for f in holiday_cover.findings(  # (an extension)
        name, lay, get_rows, offer, results)]
    return replace(book, results=replace(results, warnings=tuple(warnings)))


def _not_the_files(wb, lay: Layout, path: Path) -> list[str]:
    """A warning for each table that differs from the file the Cover records (what ``xlpy validate`` finds, leg
    ``sources``): the figures printed are the engine's from the workbook's inputs as they stand, not from its
    recorded files (review 78), in the words of the other warnings (they said "the workbook's as it stands" beside
    one saying they were not the workbook's own)."""
    from .recorded_sources import check

    found: list = []
    check(path.name, wb, lay, path, found, [])
    return [f"{path.name}: {f.where}: {f.what}; these figures are the engine's from the workbook's inputs as they "
            "stand (xlpy validate names it)" for f in found]


#: Formula cells a warning names one by one, and holders whose lines are apart; each warning counts the rest.
SHOWN = 3
#: What a warning of a holder's lines apart says of the figures printed.
APART_FIGURES = "these figures are the engine's, not the workbook's own"


def _apart(name: str, lay: Layout, offer: Offer) -> list[str]:
    """A warning of each holder whose lines lie apart in the holder table, as ``xlpy validate`` finds them
    (:mod:`xlpy.workbook.holders_apart`): the first :data:`SHOWN`, and one counting the rest."""
    holders = offer.tally.holders
    found = holders_apart.said(lay, holders.holder_id, SHOWN) if holders is not None else []
    return [f"{name}: {where}: {what}; {APART_FIGURES} (xlpy validate {name} names those that differ)"
            for where, what in found]


def _typed_over(wb, lay: Layout, path: Path) -> list[str]:
    """The warning naming the formula cells that hold a value typed over the layout's formula, another formula, or
    nothing, and the names pointed elsewhere or deleted (as a refresh finds them: outside the tables,
    :func:`~xlpy.workbook.saved_values.edited_formulas`; in the tables, the refresh's
    :meth:`~xlpy.workbook.backends.PackageBook.typed_over`, reading the sheet's XML: a holder table refreshed and
    untouched since by its seal, one Excel saved by its shared formulas), or none.  The workbook computes its own
    figures from what they hold; the figures printed are the engine's, from the inputs (review 93)."""
    from ..engine.errors import XlpyError
    from .backends import PackageBook
    from .layout_names import DELETED
    from .openpyxl_access import WorkbookCells
    from .saved_values import edited_formulas
    from .workbook_xml import name_in

    cells = WorkbookCells(wb)
    cells.name = lambda n: wb.defined_names[k].attr_text if (k := name_in(wb.defined_names, n)) else None
    found = [(where, None if where.startswith("name ") else cells.get(*where.split("!", 1)))
             for where in edited_formulas(cells, lay)]
    outside, in_holders = list(found), False
    try:
        with PackageBook(path) as book:  # (closed at once: a script's next step may replace the workbook)
            for sheet, t in ((s, t) for s in lay.sheets for t in s.tables if s.title in book.sheet_names()):
                typed = book.typed_over(sheet.title, t, blanks=True) if any(
                    c.formula is not None for c in t.columns) else []
                if typed:
                    found += [(f"{sheet.title}!{ref}", v) for ref, v in typed]
                    in_holders = in_holders or t.name == HOLDER_TABLE
    except (XlpyError, OSError):  # (read once already: changed meanwhile; the figures are the engine's all the same)
        pass
    if not found:
        return []
    said = [_held(where, v) for where, v in found[:SHOWN]]
    more = len(found) - SHOWN
    said += [f"and {more:,} more cell{'s' * (more > 1)} not as the layout has {'them' if more > 1 else 'it'}"
             ] if more > 0 else []
    held = "it holds" if len(found) == 1 else "they hold"
    names = sum(where.startswith("name ") for where, _ in found)
    back = [f"the formula{'s' * (len(found) - names > 1)} to put back"] if names < len(found) else []
    again = "define again" if all(w.endswith(DELETED) for w, _ in found if w.startswith("name ")) else "point back"
    formulas = " and ".join(back + ([f"the name{'s' * (names > 1)} to {again}"] if names else []))
    back = "; ".join(_refresh_does(outside, len(outside) == len(found))
                     + ["a refresh from the tally writes the holder table's formulas back"] * in_holders)
    return [f"{path.name}: {'; '.join(said)}: the workbook's own figures follow from what {held}, these figures are "
            f"the engine's from its inputs; xlpy validate {path.name} names those that differ and {formulas}"
            + (f" ({back})" if back else "")]


def _refresh_does(outside: list, alone: bool) -> list[str]:
    """What ``xlpy refresh`` does with the cells and names *outside* the tables not as the layout has them
    (``(where, what it holds)``, as :func:`_typed_over` finds them; *alone*: no cell of a table is named besides,
    so that "it" is clear): puts the formula back where a value was typed over it or it was deleted, keeps another
    formula, leaves a name changed (:class:`xlpy.workbook.formulas_back.Changed`)."""
    def formula(v) -> bool:
        return isinstance(v := getattr(v, "text", v), str) and v.startswith("=")

    names = sum(w.startswith("name ") for w, _ in outside)
    own = sum(not w.startswith("name ") and formula(v) for w, v in outside)
    blank = sum(not w.startswith("name ") and (v is None or v == "") for w, v in outside)
    put = len(outside) - own - names
    one = alone and [put, own, names].count(0) == 2  # (of one kind: "it", "them")
    it = "it" if len(outside) == 1 else "them"
    how = "deleted" if blank == put else "typed over" if not blank else "typed over or deleted"
    said = ([f"puts {it} back" if one else f"puts back the formula{'s' * (put > 1)} {how}"] if put else []) + (
        [f"keeps {it}" if one else f"keeps the other formula{'s' * (own > 1)}"] if own else []) + (
        ["does not" if one else f"leaves the name{'s' * (names > 1)}"] if names else [])
    return [f"xlpy refresh {', '.join(said[:-1])} and {said[-1]}" if len(said) > 1 else f"xlpy refresh {said[0]}"
            ] if said else []


def _held(where: str, value) -> str:
    """What a formula cell holds in place of the layout's formula (*where*: ``Tenders!J25``, or ``name Price``)."""
    from .findings import show
    from .layout_names import DELETED

    if where.endswith(DELETED):  # (Excel's Name Manager: every formula reading it computes #NAME?)
        return f"{where.removesuffix(DELETED)} is deleted (the formulas that read it compute #NAME?)"
    if where.startswith("name "):
        return f"{where} refers to another cell than the layout's"
    if value is None or value == "":
        return f"{where} is blank where the layout has a formula"
    if isinstance(value, str) and value.startswith("="):
        return f"{where} holds another formula than the layout's ({value})"
    shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else show(value)
    return f"{where} holds a value typed over its formula ({shown})"


def _whence(get, lay: Layout, name: str) -> str:
    """Where the inputs came from: ``from the workbook's inputs (book.xlsm, refreshed 2026-12-05 10:00:00 UTC)``,
    or when it was built if no refresh has written it."""
    def cell(key: str) -> str:
        return str(get(*lay.cell(key)) or "").strip() if key in lay.names else ""

    refreshed, built = cell("RefreshedAt"), cell("BuiltAt")
    when = f"refreshed {refreshed} UTC" if refreshed and refreshed != NOT_REFRESHED else \
        f"built {built} UTC, never refreshed" if built else ""
    return f"from the workbook's inputs ({', '.join(filter(None, (name, when)))})"

