"""The offer file beside a workbook, changed since the build and not carried into it: the refresh says so.

A workbook is built from an offer file once; from then on its inputs live in
the workbook (a person types a later exchange into Inputs, or the final count
flag), and a refresh reads the tally and the price history, never the offer
file.  A person who instead edits the offer file (adds an ``[[exchange]]``,
sets ``final = true``) would see a refresh succeed, or say "nothing to
refresh", without their change.  The Cover records the offer file's name and
SHA-256: when a file of that name beside the workbook no longer has that
SHA-256 and its inputs differ from the workbook's, the refresh names the
inputs that differ and what to do.  Inputs the workbook already holds as the
file now says (typed in by hand) are no difference.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..engine.errors import InputErrors, XlpyError
from . import data as bookdata

__all__ = ["offer_file_drift"]

#: Differences named one by one; the rest are counted.
SHOWN = 3


def _same(file_value, book_value) -> bool:
    """Whether an input reads alike in the file and the workbook (a cell holds the binary number nearest the
    file's: 3.306878306878307 for 50 / 15.12 to 34 digits)."""
    if isinstance(file_value, (Decimal, int)) and not isinstance(file_value, bool) \
            and isinstance(book_value, (Decimal, int)) and not isinstance(book_value, bool):
        return Decimal(file_value) == Decimal(book_value) or float(file_value) == float(book_value)
    return (file_value or None) == (book_value or None)


def _shown(value) -> str:
    """An input as the workbook shows it: TRUE/FALSE, blank, or its text."""
    return "blank" if value is None else ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)


def _differences(file_offer, book_offer, lay) -> list[str]:
    """The inputs (named cells, and the later exchanges) the offer file gives otherwise than the workbook."""
    want, got = bookdata.input_values(file_offer), bookdata.input_values(book_offer)
    out = []
    for name in want:
        if not _same(want[name], got.get(name)):
            at = "!".join(lay.cell(name)) + ": " if name in lay.names else ""
            out.append(f"{name} ({at}file {_shown(want[name])}, workbook {_shown(got.get(name))})")
    rows = [bookdata.table_rows(o).get("tblExchanges", []) for o in (file_offer, book_offer)]
    if rows[0] != rows[1]:
        out.append(f"the later exchanges (file {len(rows[0])}, workbook {len(rows[1])})")
    return out


def offer_file_drift(book, book_offer) -> str | None:
    """The warning for an offer file beside *book* that changed since the build and differs from the workbook's
    inputs, or None.

    *book* is a :class:`~xlpy.workbook.backends.Book` (its Cover records
    ``OfferFile`` and ``OfferSha256``); *book_offer* the offer the refresh read
    from it.  An offer file that is not beside the workbook, or is as built,
    says nothing.
    """
    from ..files.offerfile import load
    from ..files.sources import sha256
    from .layout import LAYOUT_NAME, Shape, layout

    try:
        lay = layout(Shape.decode(book.name(LAYOUT_NAME) or ""))
    except ValueError:  # (the refresh has named it)
        return None

    def record(key: str):
        return book.get(*lay.cell(key)) if key in lay.names else None

    folder = getattr(book, "folder", None)
    name = str(record("OfferFile") or "").strip()
    if folder is None or book_offer is None or not name or Path(name).name != name:
        return None
    path = folder / name
    if not path.is_file() or sha256(path) == str(record("OfferSha256") or "").strip():
        return None
    head = f"the offer file {name} beside the workbook has changed since the workbook was built"
    todo = ("a refresh reads the tally and the price history, not the offer file: type the change into the "
            f"workbook where it has a cell for it (Inputs, Tenders), or build a new workbook from the offer file "
            f"(xlpy build {name} -o NEW.xlsm; a workbook built without later exchanges has no rows for them)")
    try:
        found = _differences(load(path), book_offer, lay)
    except InputErrors as exc:
        return f"{head} and cannot be read ({exc.problems[0]}); {todo}"
    except (XlpyError, OSError) as exc:
        return f"{head} and cannot be read ({exc}); {todo}"
    if not found:
        return None
    shown = "; ".join(found[:SHOWN]) + (f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else "")
    return f"{head}, and gives inputs the workbook does not hold: {shown}; {todo}"
