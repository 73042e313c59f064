"""A table's rows kept column by column too: a long tally's 100,000 lines are written without transposing them back.

The holder table's rows are made column by column (:func:`xlpy.workbook.data.holder_rows`: each column picked in
holder order, in C), then zipped into rows, as the readers, the refresh's checks and openpyxl take them.  Writing
the table's XML (:mod:`xlpy.workbook.table_xml`) and the engine's values of its lines
(:func:`xlpy.workbook.saved_values.holder_values`) want the columns again: a :class:`ColumnRows` keeps them, so
neither transposes 100,000 rows back (25 ms of a refresh).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["ColumnRows", "columns_of"]


class ColumnRows(tuple):
    """A table's rows that keep the columns they were zipped from: a tuple of row tuples like any other, and as
    unchangeable, that a long table is written from (:func:`columns_of`) without transposing it back."""

    columns: tuple[tuple, ...]

    def __new__(cls, columns: Iterable[Sequence]) -> ColumnRows:
        columns = tuple(map(tuple, columns))  # (a tuple is taken as it is: no copy)
        self = super().__new__(cls, zip(*columns))
        self.columns = columns
        return self

    def __getnewargs__(self) -> tuple:
        """What a copy or a pickle makes one again from: its columns (a tuple's own would be its rows)."""
        return (self.columns,)


def columns_of(rows: Sequence[tuple], width: int) -> Sequence[Sequence]:
    """*rows* (each *width* values) column by column: a :class:`ColumnRows`' own columns, else transposed (no
    rows: *width* empty columns)."""
    if isinstance(rows, ColumnRows) and len(rows.columns) == width:
        return rows.columns
    return list(zip(*rows)) if rows else [()] * width
