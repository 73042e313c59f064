"""How a tally is laid out, checked before its columns are matched: a column with values but no header.

Read by :func:`xlpy.files.sources.read_tally`, CSV and XLSX alike.
"""

from __future__ import annotations

from ..engine.errors import InputError

__all__ = ["headless_columns"]


def headless_columns(name: str, headers, columns, row_of, lettered: bool) -> list[InputError]:
    """A column whose header is empty but which holds a value on some line: refused, naming it (its letter when
    *lettered*, an XLSX's; else its number, a CSV's, counted from 1) and its first value.  Not read, it would leave
    the tally without the column it is (a status: then a mapping's ``[defaults] status`` would count its
    withdrawals as tendered).  *row_of*: line index -> its row in the file."""
    blank = [j for j, header in enumerate(headers) if not str(header).strip()]
    if not blank:
        return []
    if hasattr(columns, "first_values"):  # (an XLSX sheet's: its rows read as they are, no column made)
        firsts = columns.first_values(blank)
    else:
        firsts = {j: next((i for i, v in enumerate(columns[j]) if _held(v)), None) for j in blank}
    out = []
    for j, first in sorted(firsts.items()):
        if first is not None:
            where = _letter(j) if lettered else str(j + 1)
            out.append(InputError(f"{name}: column {where}", columns[j][first],
                                  f"has no header but holds values (the first on row {row_of(first)}): write its "
                                  "header (Status, Method...) in the header row, or delete the column if it is not "
                                  "part of the tally"))
    return out


def _held(v) -> bool:
    """Whether a cell holds something (a blank cell is "" or None, spaces alone are blank)."""
    return v is not None and bool(str(v).strip())


def _letter(j: int) -> str:
    """Column index *j* (from 0) as a sheet names it (A, B, ... AA)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)
