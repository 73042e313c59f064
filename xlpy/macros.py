"""The refresh macros' Excel entry points: what the Cover's buttons run.

A workbook names this module in its ``xlwings.conf`` sheet (``UDF Modules =
xlpy.udfs;xlpy.macros``), and "Import Functions" writes one VBA ``Sub`` per
function registered here with :func:`xlpy.excel.registry.macro`, so the name stays
``xlpy.macros`` whatever the layout of the package.  Each entry point runs a
refresh of :mod:`xlpy.workbook.refresh` on the calling book and shows its outcome in a
dialog; the refresh itself is the same as ``xlpy refresh`` on a file.
"""

from __future__ import annotations

from pathlib import Path

from .engine.errors import MoreProblems, XlpyError, capped
from .engine.numbers import engine_context
from .excel.registry import macro
from .files.sources import MAX_PROBLEMS
from .workbook import date_system, precision, rebuild, refresh_guards
from .workbook.layout import LAYOUT_NAME, OtherLayout, Shape, layout
from .workbook.live_book import XlwingsBook
from .workbook.offer_drift import offer_file_drift
from .workbook.typed_since import unsaved_said
from .workbook.refresh import (
    ReleaseCheck,
    draft_release,
    refresh_all,
    refresh_prices,
    refresh_tenders,
)

__all__ = [
    "draft_release",
    "refresh_all",
    "refresh_prices",
    "refresh_tenders",
    "xlpy_draft_release",
    "xlpy_refresh_all",
    "xlpy_refresh_prices",
    "xlpy_refresh_tenders",
]


#: Problems a refusal's dialog lists; a line then counts the rest.
SHOWN = 20


def _shown(exc: XlpyError) -> list[str]:
    """A refusal's lines as its dialog lists them: the first :data:`SHOWN` (each kind of problem found among them,
    as the command line shows its 50), then a line counting the rest, by column, and where more are listed."""
    problems = list(getattr(exc, "problems", ()))
    if len(problems) <= SHOWN + 1:
        return [str(p) for p in problems] or [str(exc)]
    listed = f"{MAX_PROBLEMS} of them" if any(isinstance(p, MoreProblems) for p in problems) else "them all"
    *shown, more = capped(problems, SHOWN)
    return [str(p) for p in shown] + [f"{more} (xlpy refresh on the workbook lists {listed})"]


@engine_context()  # (Excel's Python may hold another decimal context: a notebook's, another add-in's)
def _excel(task, parts: tuple[str, ...] = ()) -> None:
    """Run *task* on the calling Excel book and show its outcome in a dialog (the message is the UI).

    A refresh of *parts* (``tenders``, ``prices``) is refused, nothing written, where the book could not keep what
    it writes: open read-only, or a sheet it writes protected (Excel would refuse a write halfway, leaving the
    Cover's record behind the data).  Every *task* is refused, nothing written, where the book is set to the 1904
    date system (:mod:`xlpy.workbook.date_system`): each reads dates, and the refreshes write them; and so where
    Excel holds it set to precision as displayed (:mod:`xlpy.workbook.precision`): it keeps each input a refresh
    writes rounded to its format, and rounds the figures the draft is compared with.
    """
    import xlwings as xw

    book = XlwingsBook(xw.Book.caller())
    try:
        sheets = _written_sheets(book, parts) if parts else []  # (another layout's workbook said first)
        if _uses_1904(book):  # (every date it reads and writes four years off, one way or the other)
            raise date_system.refusal(_name(book), None)
        if precision.live_on(book.book):  # (each figure Excel computes, each input written, rounded as shown)
            raise XlpyError(precision.REFUSAL if parts else precision.DRAFT_REFUSAL)
        why = book.not_writable(sheets) if parts else None
        if why:
            raise XlpyError(why)
        outcome = task(book)
    except XlpyError as exc:
        _alert(book, "Nothing was changed:\n" + "\n".join(_shown(exc)),
               "xlpy: refresh refused" if parts else "xlpy: refused")
        return
    except Exception as exc:  # noqa: BLE001  (Excel refusing a write: a COM error, shown, not a VBA run-time error)
        _alert(book, _failed(book, exc), "xlpy: refresh failed" if parts else "xlpy: failed")
        return
    if isinstance(outcome, ReleaseCheck):
        text = ("The draft matches the engine's text word for word." if outcome.ok
                else "The draft differs from the engine's text:\n" + "\n".join(outcome.differences))
    else:
        drift = offer_file_drift(book, outcome.offer)  # an offer file edited since the build, not carried in
        opened = refresh_guards.open_elsewhere(outcome, outcome, book.folder) if book.folder is not None else []
        warned = [f"warning: {w}" for w in opened + ([drift] if drift else [])]
        text = "\n".join(unsaved_said(outcome.lines()) + book.said + warned)  # (what was typed: not saved yet)
    _alert(book, text, "xlpy")


def _failed(book: XlwingsBook, exc: Exception) -> str:
    """The dialog's text for an error the refresh did not foresee (Excel refusing a write): what failed, and, where
    the book was written before it, that it is partly written and how to get back to the file as it was."""
    args = getattr(exc, "args", ())
    excel = len(args) > 2 and isinstance(args[2], tuple) and len(args[2]) > 2 and args[2][2]  # (pywin32's excepinfo)
    said = f"{type(exc).__name__}: {args[2][2] if excel else exc}"
    if not book.written:
        return f"Nothing was changed: the refresh stopped with an error ({said})."
    return (f"The refresh stopped with an error{' from Excel' if excel else ''} ({said}) after it had written part "
            "of the workbook (some of its tables, names, layout or the Cover's record), so the workbook no longer "
            "agrees with itself.\nClose the workbook without saving (or open the file again), then refresh again.")


def _uses_1904(book: XlwingsBook) -> bool:
    """Whether *book* is set to the 1904 date system, as Excel holds it now (:func:`date_system.live_uses_1904`);
    where Excel does not say (xlwings Server's book), as the file saved on this computer holds it, if there is one;
    False where neither says."""
    live = date_system.live_uses_1904(book.book)
    if live is not None or book.folder is None:
        return bool(live)
    try:
        path = Path(str(book.book.fullname))
    except Exception:  # noqa: BLE001  (xlwings' error for a synced folder it cannot find: the refresh names it)
        return False
    return date_system.saved_standard_1904(path)


def _name(book: XlwingsBook) -> str:
    """The workbook's name (``offer.xlsm``), as xlwings gives it."""
    try:
        return str(book.book.name)
    except Exception:  # noqa: BLE001  (a book xlwings cannot name)
        return "the workbook"


def _written_sheets(book: XlwingsBook, parts: tuple[str, ...]) -> list[str]:
    """The sheets a refresh of *parts* of *book* may write (its layout's refresh areas, in order); none when it has
    no layout we read."""
    try:
        lay = layout(Shape.decode(book.name(LAYOUT_NAME) or ""))
    except OtherLayout as exc:  # said first: no read-only or protected sheet matters for a workbook never refreshed
        raise XlpyError(rebuild.said(exc, book)) from None
    except ValueError:  # (the refresh names it)
        return []
    return list(dict.fromkeys(sheet for part in parts for sheet, _ in lay.refresh_areas(part)))


def _alert(book: XlwingsBook, text: str, title: str) -> None:
    app = getattr(book.book, "app", None)
    if app is not None and hasattr(app, "alert"):
        app.alert(text, title=title)


@macro
def xlpy_refresh_all():
    """Refresh the tally and the prices from the files recorded on the Cover, then check the release draft."""
    _excel(refresh_all, ("tenders", "prices"))


@macro
def xlpy_refresh_tenders():
    """Refresh the tally (holder table or counts) from the file recorded on the Cover."""
    _excel(refresh_tenders, ("tenders",))


@macro
def xlpy_refresh_prices():
    """Refresh the price history from the file recorded on the Cover."""
    _excel(refresh_prices, ("prices",))


@macro
def xlpy_draft_release():
    """Compare the Release draft with the engine's results paragraph, sentence by sentence."""
    _excel(draft_release)


