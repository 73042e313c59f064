"""History carried from an earlier workbook of the same offer into a new build (``xlpy build --history-from OLD``).

A workbook of an earlier layout is rebuilt, never read as this layout's (:mod:`xlpy.workbook.rebuild`); without
this its History, the record of every count the offer has had, stays behind in the old file.  The old workbook's
History rows are read by the name of the table's first column (``HistWhen``, which every layout has kept), their
columns checked against this layout's by their headers, and written into the new workbook before its build's own
row, as they stand: a record is carried, never recomputed.  The old workbook must be of the same offer (its
``OfferId``), so one offer's counts never land in another's History.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..engine.errors import InputError
from .layout.history import HISTORY_COLUMNS

__all__ = ["FIELD", "carried_history"]

#: The command-line option a problem of the old workbook is named by.
FIELD = "--history-from"

_RANGE = re.compile(r"'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<first>[0-9]+)"
                    r"(?::\$?[A-Z]{1,3}\$?(?P<last>[0-9]+))?")


def carried_history(path: Path, offer_id: str) -> list[tuple]:
    """The History rows of the standard workbook at *path* (one per build or refresh it recorded, blank rows left
    out), each as :data:`HISTORY_COLUMNS` orders a row, for a new build of the offer *offer_id*.  Raises
    :class:`InputError` naming :data:`FIELD` and *path* when the file is no xlpy workbook, is another offer's, or
    holds its History otherwise."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    from .backends import PackageBook
    from .layout import Shape, layout
    from .layout.model import LAYOUT_NAME

    headers = tuple(c.header for c in layout(Shape()).table("tblHistory")[1].columns)[:len(HISTORY_COLUMNS)]

    def refused(why: str) -> InputError:
        return InputError(FIELD, str(path), why)

    if not path.is_file():
        raise refused("names no workbook that exists" if not path.exists() else "is not a file")
    try:
        book = PackageBook(path)
    except Exception as exc:  # noqa: BLE001  (not a package, a damaged one: said as the reader says it)
        raise refused(f"cannot be read as a workbook ({exc})") from None
    try:
        if book.name(LAYOUT_NAME) is None:
            raise refused("is not a standard xlpy workbook (it holds no name xlpyLayout)")
        theirs = _offer_id(book)
        if theirs != offer_id:
            raise refused(f"is the workbook of another offer ({theirs!r}, not {offer_id!r}): its counts are not "
                          "this offer's")
        m = _RANGE.fullmatch((book.name("HistWhen") or "").strip())
        if m is None:
            raise refused("holds no History table this xlpy can read (no name HistWhen)")
        sheet, first = m["sheet"].replace("''", "'"), int(m["first"])
        last = int(m["last"] or first)
        col = column_index_from_string(m["col"])
        end = get_column_letter(col + len(HISTORY_COLUMNS) - 1)
        header = book.get_rows(sheet, f"{m['col']}{first - 1}:{end}{first - 1}")
        found = tuple(str(v or "").strip() for v in (header[0] if header else ()))
        if found != headers:
            raise refused(f"holds a History whose columns are not this layout's ({', '.join(found)}; this xlpy "
                          f"writes {', '.join(headers)}): carry its rows by hand")
        rows = book.get_rows(sheet, f"{m['col']}{first}:{end}{last}")
    finally:
        book.close()
    return [tuple(r) for r in rows if any(v not in (None, "") for v in r)]


def _offer_id(book) -> object:
    """The offer id the workbook's Inputs hold (its ``OfferId``), or None."""
    m = _RANGE.fullmatch((book.name("OfferId") or "").strip())
    return book.get(m["sheet"].replace("''", "'"), f"{m['col']}{m['first']}") if m else None
