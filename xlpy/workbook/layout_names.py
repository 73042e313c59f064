"""The layout's names that a workbook does not hold as laid out: one deleted (Excel's or LibreOffice's Name
Manager), or one of a single cell pointed at another cell.

Every formula that reads such a name computes from another cell than the layout's, or (a name deleted) computes
``#NAME?``, and every figure after it with it; the engine reads the layout's cells.  :func:`off` names them as a
refresh finds them (:func:`xlpy.workbook.saved_values.edited_formulas`): a refresh of a file saves none of the
engine's figures beside such formulas and says why, and ``xlpy compute``, ``release`` and ``entries`` given the
workbook warn of them (:mod:`xlpy.workbook.book_offer`).  ``xlpy validate`` names each in a structure finding of
its own, and the figures that differ say they follow from it (:func:`with_names`, as from a value typed over a
formula), not that the file looks stale.  A table's column names are among them deleted (every formula reading the
column computes ``#NAME?``), though not as pointed at other rows (a table resized by hand:
:mod:`xlpy.workbook.table_edits`), and not for a refresh that writes them again with the table it rewrites.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .layout import Layout

__all__ = ["DELETED", "MISSING", "ELSEWHERE", "WithNames", "off", "with_names"]

#: What follows ``name X`` in :func:`off`'s list for a name the workbook does not define.
DELETED = " (deleted)"
#: Validate's structure findings of a name the workbook does not define, and of one pointed at another cell.
MISSING, ELSEWHERE = "name is missing", "name refers elsewhere"


def off(name_of: Callable[[str], str | None], lay: Layout, rewrites: Collection[str] = ()) -> list[str]:
    """``name X`` for each of *lay*'s names of a single cell that *name_of* (the book's definition of a name, or
    None) gives another cell, ``name X (deleted)`` for each of its names it does not define, in the order of their
    names: a table's column name too, unless the table is one of *rewrites* (a refresh's, which defines its names
    again as it writes it; a command that writes nothing rewrites none)."""
    column_of = {c.name: t.name for s in lay.sheets for t in s.tables for c in t.columns if c.name}
    out = []
    for name, (sheet, ref) in sorted(lay.names.items()):
        got = name_of(name)
        if got is None and column_of.get(name) not in rewrites:  # (a single cell's name is no column's: None)
            out.append(f"name {name}{DELETED}")
        elif got is not None and ":" not in ref and got.replace("'", "") != f"{sheet}!{ref}".replace("'", ""):
            out.append(f"name {name}")  # (a single cell's: a column's over other rows is a table resized, table_edits')
    return out


class WithNames(list):
    """The causes of the figures that differ from the engine (:class:`~xlpy.workbook.saved_values.Overridden`, or
    one wrapping it: *typed*) and the layout's names deleted or pointed elsewhere (:attr:`ids`, ``name X``;
    :attr:`deleted`, those deleted; :attr:`columns`, those of a table's column, spanning its cells): validate's
    findings of the figures following from them say so."""

    def __init__(self, typed: list, names: Sequence[str], deleted: Sequence[str], columns: Sequence[str] = ()):
        super().__init__([*typed, *names])
        self.inner, self.ids, self.deleted = typed, tuple(names), frozenset(deleted)
        self.columns = frozenset(columns)
        self.formulas = getattr(typed, "formulas", typed)  # (the formula cells, as saved_values counts them)
        self.changed = getattr(typed, "changed", frozenset())

    def _named(self) -> str:
        """``the name Tendered, deleted``; ``the names A and B, pointed at other cells``; ``the names A, B and 3
        more, deleted or pointed at other cells``."""
        n, gone = len(self.ids), len(self.deleted)
        if gone == n:
            how = "deleted"
        else:
            how = "deleted or pointed at other cells" if gone else "pointed at another cell" if n == 1 and not \
                self.columns else "pointed at other cells"
        names = [i.removeprefix("name ") for i in self.ids]
        named = names[0] if n == 1 else " and ".join(names) if n == 2 else f"{names[0]}, {names[1]} and {n - 2:,} more"
        return f"the name{'s' * (n > 1)} {named}, {how}"

    def why(self, follows: str, formulas_why: Callable[[list], str]) -> str:
        """Why a figure differs (*follows*: ``it follows`` or ``it may follow``), the other causes first."""
        one = len(self.ids) == 1
        if one:  # (a table's column name spans the column's cells: the engine reads the layout's cells)
            cells = "cells" if self.columns else "cell"
            reads, back = ("compute #NAME?", "define it again") if self.deleted else (
                f"read {'those' if self.columns else 'that'} {cells}", "point it back")
            said = (f"{follows} from {self._named()} (named in a finding of its own: the formulas that read it "
                    f"{reads}, the engine reads the layout's {cells}): {back} as that finding says (Formulas > Name "
                    "Manager), or rebuild the workbook, then validate again")
        else:  # (what holds: #NAME? where each is deleted, other cells where none is, either where some are)
            gone = len(self.deleted)
            reads = "#NAME?" if gone == len(self.ids) else "from other cells, or #NAME?" if gone else "from other cells"
            said = (f"{follows} from {self._named()} (named in findings of their own: the formulas that read them "
                    f"compute {reads}, the engine reads the layout's cells): put each back as its finding says "
                    "(Formulas > Name Manager), or rebuild the workbook, then validate again")
        return f"{formulas_why(self.inner)}; or {said}" if self.inner else said

    def causes(self, formulas: str) -> str:
        """The causes a note counting the rest names (*formulas*: the formulas' words, where there are some)."""
        names = self._named()
        if not self.inner:
            return names
        inner = self.inner.causes(formulas) if getattr(self.inner, "ids", ()) else formulas
        return f"{inner}, or {names}"


def with_names(typed: list, found: Sequence) -> list:
    """*typed* (as :func:`~xlpy.workbook.holders_apart.with_apart` gives it) with the layout's names that validate's
    structure findings *found* name as missing or pointed elsewhere, or *typed* when there are none: the figures
    that differ following from them are said to, the first few shown, and do not drown them (nor call the file
    stale: a recalculation cannot mend a name)."""
    names = [f.where for f in found if f.what in (MISSING, ELSEWHERE) and f.where.startswith("name ")]
    deleted = [f.where for f in found if f.what == MISSING and f.where.startswith("name ")]
    columns = [f.where for f in found if f.where in names and ":" in f.expected]  # (the layout's 'Entries'!$D$21:$D$26)
    return WithNames(typed, names, deleted, columns) if names else typed
