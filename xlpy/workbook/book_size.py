"""How much a workbook holds, read cheaply, and the time LibreOffice is given for it.

:func:`workbook_size` reads each worksheet's ``<dimension>`` (its first bytes) and the holder table's part, nothing
else unpacked (under a millisecond for a holder table of 100,000 lines).  A render's time grows with it
(:func:`xlpy.workbook.rendering.time_allowed`), and so does a recalculation's, ``validate``'s LibreOffice leg's
(:func:`recalc_time`).  When the time runs out, the message says the time given as a user gave it
(:func:`said_seconds`) and the ``--timeout`` to try (:func:`more_time`).
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["MAX_SECONDS", "RECALC_BASE", "RECALC_BOOK", "RECALC_SECONDS", "Size", "more_time", "recalc_time",
           "said_seconds", "workbook_size"]

#: The most seconds ``--timeout`` gives (a week: more is no time limit but a process left hanging).
MAX_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Size:
    """How much a workbook prints.

    Attributes
    ----------
    sheets : tuple of int
        The rows of each worksheet, as its ``<dimension>`` says (no more than its part's bytes can hold).
    holder_lines : int or None
        The lines of a standard workbook's holder table (``tblTenders``); None in a workbook without one.
    """

    sheets: tuple[int, ...] = ()
    holder_lines: int | None = None

    @property
    def rows(self) -> int:
        """The rows of all its worksheets."""
        return sum(self.sheets)

    def said(self) -> str:
        """``the holder table has 100,000 lines`` (else ``its sheets have 412 rows``)."""
        if self.holder_lines is not None:
            return f"the holder table has {self.holder_lines:,} line{'s' * (self.holder_lines != 1)}"
        return f"its sheets have {self.rows:,} row{'s' * (self.rows != 1)}"


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\sref="\$?[A-Z]{1,3}\$?(\d+)(?::\$?[A-Z]{1,3}\$?(\d+))?"')
_TABLE = re.compile(rb"<(?:\w+:)?table\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'\s(\w+)="([^"]*)"')
_RANGE = re.compile(rb"\$?[A-Z]{1,3}\$?(\d+):\$?[A-Z]{1,3}\$?(\d+)")
#: The fewest bytes a row that prints takes in a sheet's XML (``<row r="1"><c r="A1"/></row>``, less a margin).
_ROW_BYTES = 20


def workbook_size(path: os.PathLike | str) -> Size:
    """How much the workbook at *path* prints, read cheaply: the first bytes of each worksheet part (its
    ``<dimension>``) and the table parts, nothing else unpacked.  Rows 0 when the package cannot be read."""
    sheets, lines = [], None
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if _SHEET_PART.fullmatch(info.filename):
                    with zf.open(info) as part:
                        found = _DIMENSION.search(part.read(4096))
                    if found:  # (a dimension that says more rows than the part's bytes can hold is not believed)
                        sheets.append(min(int(found.group(2) or found.group(1)), info.file_size // _ROW_BYTES))
                elif info.filename.startswith("xl/tables/") and info.file_size < 2**20:
                    lines = _holder_lines(zf.read(info)) if lines is None else lines
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        pass
    return Size(tuple(sheets), lines)


def _holder_lines(table: bytes) -> int | None:
    """The data rows of the table part *table* when it is the holder table (``tblTenders``), else None."""
    tag = _TABLE.search(table)
    attributes = {k.decode(): v.decode() for k, v in _ATTRIBUTE.findall(tag.group(1))} if tag else {}
    bounds = _RANGE.fullmatch(attributes.get("ref", "").encode())
    if attributes.get("name") != "tblTenders" or bounds is None:
        return None
    header, totals = attributes.get("headerRowCount", "1"), attributes.get("totalsRowCount", "0")
    if not (header.isdigit() and totals.isdigit()):
        return None
    return max(int(bounds.group(2)) - int(bounds.group(1)) + 1 - int(header) - int(totals), 0)


#: The time :func:`recalc_time` gives LibreOffice's recalculation (``soffice --convert-to xlsx``): a start, each
#: workbook, and each thousand rows of their sheets.  Measured on a shared two-core machine (holder tables built from
#: ``benchmarks/bench_engine.py``'s tallies, one workbook a start): 1.2 s for 1,000 lines, 2.1 s of processor time
#: for 10,000, 5.7 s for 40,000, 13 s for 100,000 (16 to 26 s on the clock, the machine busy): some 1 s a workbook
#: and 0.12 s a thousand rows.  Given: 120 s, 15 s a workbook and 1.5 s a thousand rows, more than 4 times the
#: slowest clock time measured (12 times the processor time) besides the start.
RECALC_BASE, RECALC_BOOK, RECALC_SECONDS = 120.0, 15.0, 1.5


def recalc_time(sizes: Sequence[Size]) -> float:
    """The seconds LibreOffice is given by default to recalculate the workbooks of *sizes* in one start, in whole
    seconds: :data:`RECALC_BASE`, and :data:`RECALC_BOOK` for each workbook and :data:`RECALC_SECONDS` for each
    thousand rows of its sheets.

    >>> recalc_time([Size((400,))]), recalc_time([Size((41, 44, 100_020, 5, 34))]), recalc_time([Size(), Size()])
    (136.0, 286.0, 150.0)
    """
    seconds = RECALC_BASE + sum(RECALC_BOOK + RECALC_SECONDS * size.rows / 1000 for size in sizes)
    return float(math.ceil(seconds))


def said_seconds(seconds: float) -> str:
    """Seconds as a message shows them: ``120``, ``1,800``, ``2.5``, and a tiny ``--timeout`` as given
    (``0.000000001``, not ``1e-09``).

    >>> said_seconds(1800), said_seconds(2.5), said_seconds(1e-9)
    ('1,800', '2.5', '0.000000001')
    """
    return f"{seconds:,g}" if seconds >= 1e-4 else format(Decimal(repr(seconds)), "f")


def more_time(seconds: float) -> int:
    """The ``--timeout`` to try after *seconds* ran out: twice the time, in whole minutes, at least one, at most
    :data:`MAX_SECONDS`.

    >>> more_time(120), more_time(0.001), more_time(100), more_time(MAX_SECONDS)
    (240, 60, 240, 604800)
    """
    return min(max(60, math.ceil(2 * seconds / 60) * 60), MAX_SECONDS)
