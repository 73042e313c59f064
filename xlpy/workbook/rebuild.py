"""What to run for a workbook of an earlier layout: the commands that rebuild it from the files its Cover records.

A workbook built by an earlier xlpy is never read as this one's (:class:`xlpy.workbook.layout.model.OtherLayout`);
it is rebuilt under another name and refreshed.  A new build records the offer file's own tally and prices, so the
refresh must be given the files the old workbook's Cover records (the agent's latest tally, the price history),
or the new workbook would hold the offer file's figures and validate clean.  The records are read by their names,
which every layout has kept, from any :class:`xlpy.workbook.backends.Book` or an openpyxl workbook.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ..files.recorded import NO_PRICE_FILE, NO_TALLY_FILE, SEED_OFFER, written_path

__all__ = ["RECORDS", "book_records", "rebuild_commands", "said", "workbook_records"]

#: The Cover's records a rebuild reads: the offer file, the tally, its mapping and the price history.
RECORDS = ("OfferFile", "TallySource", "TallyMapping", "PriceSource")

_CELL = re.compile(r"'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>[0-9]+)")


def _cell(definition: str | None) -> tuple[str, str] | None:
    """``'Cover'!$C$12`` -> ``("Cover", "C12")``; None for anything else."""
    m = _CELL.fullmatch((definition or "").strip())
    return (m["sheet"].replace("''", "'"), m["col"] + m["row"]) if m else None


def _kept(out: dict[str, str], name: str, value: object) -> None:
    if value is not None and str(value).strip():
        out[name] = str(value).strip()


def book_records(book) -> dict[str, str]:
    """The Cover's records (:data:`RECORDS`) of a :class:`~xlpy.workbook.backends.Book`, those it holds."""
    out: dict[str, str] = {}
    for name in RECORDS:
        try:
            where = _cell(book.name(name))
            _kept(out, name, book.get(*where) if where else None)
        except Exception:  # noqa: BLE001  (a sheet gone, a damaged cell: no record, and the advice says less)
            continue
    return out


def workbook_records(wb) -> dict[str, str]:
    """The Cover's records (:data:`RECORDS`) of an openpyxl workbook, those it holds."""
    out: dict[str, str] = {}
    for name in RECORDS:
        try:
            defined = wb.defined_names.get(name)
            for sheet, ref in defined.destinations if defined is not None else ():
                _kept(out, name, wb[sheet][ref.replace("$", "")].value)
        except Exception:  # noqa: BLE001  (as above)
            continue
    return out


def rebuild_commands(records: dict[str, str], workbook: str | Path, seed_name: str = SEED_OFFER) -> str:
    """The commands that rebuild the workbook *workbook* (as the user named it) under another name and refresh it
    from the files its Cover *records* (:func:`book_records`), each path as seen from where *workbook* was named,
    quoted for a shell; "" when it records nothing to go on.  An offer file of the name *seed_name* that is not
    beside the workbook is the built-in example: ``xlpy build`` without one builds it."""
    book = Path(workbook)
    folder = book.parent

    def at(text: str) -> str:
        path = written_path(text)
        return shlex.quote(str(path if path.is_absolute() else folder / path))

    new = shlex.quote(str(folder / f"{book.stem}-rebuilt.xlsm"))
    offer = records.get("OfferFile", "")
    if not offer:
        return ""
    given = "" if offer == seed_name and not (folder / written_path(offer)).is_file() else at(offer) + " "
    refresh = []
    tally = records.get("TallySource", "")
    if tally and tally != NO_TALLY_FILE:
        refresh += ["--tally", at(tally)]
        if records.get("TallyMapping"):
            refresh += ["--mapping", at(records["TallyMapping"])]
    prices = records.get("PriceSource", "")
    if prices and prices != NO_PRICE_FILE:
        refresh += ["--prices", at(prices)]
    steps = f"xlpy build {given}-o {new}" + (f", then xlpy refresh {new} {' '.join(refresh)}" if refresh else "")
    return (f"from the files its Cover records: {steps} (type again into the new workbook any input typed into "
            "this one since its build)")


def said(exc: Exception, book=None, records: dict[str, str] | None = None, path: str | Path | None = None) -> str:
    """*exc*, a layout this xlpy does not read (:class:`~xlpy.workbook.layout.model.OtherLayout`), as a refresh
    or a validation says it of *book* (a file, or one open in Excel; or its *records* and *path*): for an earlier
    layout, with the commands that rebuild it from the files its Cover records."""
    if getattr(exc, "later", True):  # (a later xlpy's workbook, or a layout text that cannot be read at all)
        return str(exc)
    if path is None:
        path = getattr(book, "path", None)
    if path is None:  # (open in Excel: its folder and its name)
        folder, name = getattr(book, "folder", None), getattr(getattr(book, "book", None), "name", None)
        path = Path(folder) / str(name) if folder is not None and name else Path("WORKBOOK.xlsm")
    commands = rebuild_commands(book_records(book) if records is None else records, path)
    return f"{exc}{'; ' + commands if commands else ''}"
