"""The holder sheet as a refresh left it: a seal that spares the next refresh from searching what it wrote itself.

Before it rewrites the holder table, a refresh searches the sheet for what a
person did to it: a value or formula typed over the table's formulas, a value
beside a line, a hidden row, a shared formula of one's own crossing the
table (:mod:`xlpy.workbook.table_edits`).  At 100,000 lines those searches
read some 60 MB of XML, about half a second, and in a workbook nobody has
touched since the last refresh they find nothing.

So when a refresh has written the holder table, and the sheet then holds
nothing from the table's first row down but the table's own cells, it
records a seal in a hidden workbook name (:data:`SEAL_NAME`): the sheet's
part, the SHA-256 of that part's bytes as the file stores them (compressed),
and the table's first row and columns.  The next refresh reads the seal and
hashes the stored part (7 MB at 100,000 lines, a few milliseconds); the same
bytes are the same sheet, so there is nothing to search for.  Anything that
writes the part again -- Excel, LibreOffice, openpyxl, a tool that repacks
the file -- changes its bytes, the seal no longer matches, and every search
runs as before.

A seal is a record of what xlpy wrote, not a signature: a person who wrote a
matching seal by hand over a part of their own would hide their edits from
the refresh's report.  It decides only whether to search, never a figure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["SEAL_NAME", "Seal", "digest", "new_seal", "seal_of", "stale"]

#: The hidden workbook name holding the seal (a text constant, as ``xlpyLayout`` is).
SEAL_NAME = "xlpyTableSeal"


def digest(stored: bytes) -> str:
    """The SHA-256 (hex) of a part's bytes as the package stores them."""
    return hashlib.sha256(stored).hexdigest()


@dataclass(frozen=True)
class Seal:
    """Part *part* is stored as bytes of SHA-256 *sha256*, and from row *first_row* down it holds only the cells of
    columns *first_col*..*last_col* of a table xlpy wrote to row *last_row* (its own formulas, nothing typed over,
    nothing beside it, no row below it)."""

    part: str
    sha256: str
    first_row: int
    last_row: int
    first_col: int
    last_col: int

    def encode(self) -> str:
        """The name's definition: a text constant Excel keeps as it is."""
        return f'"{self.part}|{self.sha256}|{self.first_row}|{self.last_row}|{self.first_col}|{self.last_col}"'

    @classmethod
    def decode(cls, text: str | None) -> Seal | None:
        """The seal a name's definition holds, or None for anything else (a seal of another form is no seal)."""
        if not text or len(text) < 2 or text[0] != '"' or text[-1] != '"':
            return None
        fields = text[1:-1].split("|")
        if len(fields) != 6 or len(fields[1]) != 64 or not all(f.isdecimal() for f in fields[2:]):
            return None
        try:
            int(fields[1], 16)
        except ValueError:
            return None
        return cls(fields[0], fields[1].lower(), *map(int, fields[2:]))

    def covers(self, first_row: int, first_col: int, last_col: int) -> bool:
        """Whether the seal speaks for rows *first_row* and below of exactly columns *first_col*..*last_col*."""
        return first_row >= self.first_row and (first_col, last_col) == (self.first_col, self.last_col)

    def covers_whole(self, first_row: int, last_row: int, first_col: int, last_col: int) -> bool:
        """Whether rows *first_row*..*last_row* of those columns take in the whole sealed table, and nothing above
        it (no shared formula of the table then crosses the area's edge)."""
        return first_row == self.first_row and last_row >= self.last_row and self.covers(first_row, first_col,
                                                                                         last_col)

    def covers_table(self, table) -> bool:
        """Whether the seal speaks for the whole of :class:`~xlpy.workbook.layout.Table` *table*'s rows and columns."""
        return self.covers(table.first_row, table.first_col, table.first_col + len(table.columns) - 1)


def seal_of(names: dict[str, str], pkg, part: str) -> Seal | None:
    """The seal the workbook's *names* record for *part* of package *pkg*, if the part is still stored as sealed."""
    seal = Seal.decode(names.get(SEAL_NAME))
    if seal is None or seal.part != part:
        return None
    stored = pkg.stored(part)
    return seal if stored is not None and digest(stored) == seal.sha256 else None


def new_seal(pkg, sheets: dict[str, object]) -> Seal | None:
    """The seal of the holder table written into one of *sheets* (part -> :class:`~xlpy.workbook.package.SheetXml`,
    written to *pkg*), if that sheet holds nothing else from the table's first row down; else None."""
    for part, sx in sheets.items():
        if sx.sealable is not None and sx.last_row() <= sx.sealable[1]:
            return Seal(part, digest(pkg.packed(part)), *sx.sealable)
    return None


def stale(names: dict[str, str], pkg) -> bool:
    """Whether *names* hold a seal to drop: one of another form, or one whose part was written again."""
    if SEAL_NAME not in names:
        return False
    seal = Seal.decode(names[SEAL_NAME])
    return seal is None or pkg.stored(seal.part) is None
