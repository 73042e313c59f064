"""What a refresh of a file does with the layout's formulas outside the tables that someone changed.

A value typed over one of them (the charge on ``Results``, a figure of the Cover) stays what it is whatever the
count, and so does every figure reading it: a refresh that left it there gave a workbook showing the last count's
charge beside History's row of this one's, with a warning that named neither.  So a refresh that writes the
workbook puts the layout's formula back in each such cell, and in one whose formula was deleted, as it puts the
holder table's back (:func:`xlpy.workbook.table_edits.typed_over`), naming each cell, the value replaced and what
the formula computes from the refreshed inputs (the backup the refresh keeps holds the file as it was).  A refresh
from the files the Cover records writes the workbook for them too, where it would otherwise change nothing.

Another formula than the layout's, or one of its names pointed elsewhere or deleted, is a person's own working,
and follows the count: the refresh keeps it, naming each with what it holds and what the engine computes there,
and saves none of the engine's figures beside the formulas (:data:`EDITED_NOT_SAVED`), since a preview or pandas
would show them while the formulas compute others.  ``xlpy validate`` names every one of them.

The Excel buttons do the same in the workbook open in Excel (:class:`xlpy.workbook.live_book.XlwingsBook`, whose
``Range.value`` gives a formula's result: :meth:`~xlpy.workbook.live_book.XlwingsBook.formulas_held` reads what
the cells hold): each formula put back is named with the value replaced and that Excel cannot undo a macro
(:data:`LIVE_GONE`), and nothing is saved beside the formulas there, Excel computing them.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation

__all__ = ["EDITED_NOT_SAVED", "LIVE_GONE", "MERGED", "REPLACED", "REPLACED_MANY", "SHOWN", "Changed", "formulas_held"]

#: Cells (and names) named one by one; one more line counts the rest.
SHOWN = 10

#: What the warning of a value typed over a formula says of it, and of those counted past :data:`SHOWN`, before
#: where it is still kept (:func:`xlpy.workbook.typed_since.kept_said`: the backup, or none).
REPLACED, REPLACED_MANY = "was replaced by the layout's formula", "were replaced by the layout's formulas"

#: Where the value replaced is still kept, in the workbook open in Excel (no backup; ``{them}``: it, them): the
#: buttons' refresh says it after :data:`REPLACED`, as a refresh of a file names its backup.
LIVE_GONE = " (Excel cannot undo a macro: only the file as last saved may still hold {them})"

#: What the warning of a cell in a merged block says, whose formula is not put back (Excel refuses a write to part
#: of a merged block, and a file's merged cell shows only its block's first cell).
MERGED = ("is part of merged cells, so the layout's formula was not put back in it (Excel cannot write part of a "
          "merged block); unmerge it (Home > Merge & Center), then refresh again")

#: The last warning of a refresh that kept formulas or names not as the layout has them (:attr:`Changed.kept`).
EDITED_NOT_SAVED = ("warning: the workbook is saved without the engine's figures beside its formulas, as {what} not "
                    "as the layout has {them} (a preview or pandas would show the engine's figures, while the "
                    "formulas compute others): the spreadsheet application calculates them when it opens the "
                    "workbook, and xlpy validate names each difference")


class Changed:
    """The layout's formula cells outside the tables and its names that a book does not hold as laid out
    (:func:`xlpy.workbook.saved_values.edited_formulas`), read before a refresh writes anything.

    Attributes:
        typed: ``(Sheet!A1, value)`` of each cell holding a value typed over its formula, or nothing (None): the
            refresh puts the formula back (:meth:`put_back`).
        kept: ``(Sheet!A1, formula)`` of each holding another formula, ``(name X, None)`` of each name pointed
            elsewhere or deleted (``name X (deleted)``): the refresh keeps them, and saves no engine figure.

    Raises XlpyError, before anything is written, where a live book's sheet holding a cell of :attr:`typed` is
    protected (``not_writable``): Excel would refuse the formula put back after the tables were written.
    """

    def __init__(self, book=None, lay=None, rewrites: Collection[str] = (), switching: bool = False):
        from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

        from ..engine.errors import XlpyError
        from .saved_values import HOLDER_TABLE, edited_formulas

        self.typed: list[tuple[str, object]] = []
        self.kept: list[tuple[str, object]] = []
        self._back: list[tuple[str, object]] = []
        rewrites = [*rewrites, *[HOLDER_TABLE] * switching]  # (a switch writes the holder table with its names too)
        cells = formulas_held(book, lay) if book is not None else {}
        for where in edited_formulas(book, lay, rewrites, cells) if book is not None else ():
            if switching and where.startswith("Tenders!"):  # (a switch writes Tenders as a build does)
                continue
            held = None if where.startswith("name ") else cells[tuple(where.split("!", 1))]
            held = getattr(held, "text", held) if isinstance(held, (ArrayFormula, DataTableFormula)) else held
            formula = isinstance(held, str) and held.startswith("=") or isinstance(held, DataTableFormula)
            (self.kept if where.startswith("name ") or formula else self.typed).append((where, held))
        merged = getattr(book, "merged", None)  # (Excel refuses a write to part of a merged block: not put back)
        self._merged = [(w, held) for w, held in self.typed if merged and merged(*w.split("!", 1))]
        why = book.not_writable(list(dict.fromkeys(w.split("!", 1)[0] for w, _ in self.typed))) if (
            self.typed and hasattr(book, "not_writable")) else None
        if why:  # (a live book's sheet protected: Excel would refuse the formula put back, after the tables written)
            raise XlpyError(why)

    def put_back(self, book, lay) -> list[str]:
        """Write the layout's formula (*lay*'s, as the refresh leaves it) in each cell of :attr:`typed`; the cells
        written."""
        from .expected import formula_cells

        want = formula_cells(lay, tables=False)
        self._back = [(where, held) for where, held in self.typed if tuple(where.split("!", 1)) in want and
                      (where, held) not in self._merged]
        for where, _ in self._back:
            book.set(*where.split("!", 1), want[tuple(where.split("!", 1))])
        return [where for where, _ in self._back]

    def save(self, book, offer, results, tables: dict) -> list[str]:
        """Save the engine's figures (*offer*, *results*) with *book*'s formulas as written, and *tables*' (a
        :class:`~xlpy.workbook.backends.PackageBook`'s ``set_saved_values``), or none where something is kept (no
        saved value is then left); the refresh's warnings of the cells put back and of those kept, each with what
        the engine computes there from the refreshed inputs.  A live book (no ``set_saved_values``: Excel computes
        its formulas) saves nothing, and its warnings say that Excel cannot undo the values replaced."""
        if not hasattr(book, "set_saved_values"):
            return self._said(book, offer, results, live=True)[0] if self._back or self.kept or self._merged else []
        notes, values = self._said(book, offer, results)
        book.set_saved_values(values, {} if self.kept else tables)
        return notes

    def _said(self, book, offer, results, live: bool = False) -> tuple[list[str], dict[tuple[str, str], object]]:
        from .saved_values import engine_cells

        expect = _expected(book, offer, results)
        lay = _layout(book)
        labels = {(sheet, ref.replace("$", "")): name for name, (sheet, ref) in lay.names.items()}
        notes = [_put_back(where, held, expect, labels, not self.kept, live)  # (a formula or name kept: the cells
                 for where, held in self._back[:SHOWN]]  # compute from it, not the engine's figures)
        if (more := len(self._back) - SHOWN) > 0:
            gone = LIVE_GONE.format(them="them" if more > 1 else "it") if live else ""
            notes.append(f"warning: {more:,} more cell{'s' * (more > 1)} outside the tables holding a value typed "
                         f"over {'their formulas' if more > 1 else 'its formula'}, or nothing, "
                         f"{REPLACED_MANY if more > 1 else REPLACED}{gone}")
        notes += [f"warning: {_cell(where, expect, labels)[0]}: {MERGED}" for where, _ in self._merged[:SHOWN]]
        notes += [_kept(where, held, expect, labels, lay) for where, held in self.kept[:SHOWN]]
        if (more := len(self.kept) - SHOWN) > 0:
            notes.append(f"warning: {more:,} more formula{'s' * (more > 1)} or name{'s' * (more > 1)} not as the "
                         "layout has them, kept (xlpy validate names each)")
        values = engine_cells(expect)
        if not self.kept or live:  # (nothing is saved beside a live book's formulas: Excel computes them)
            return notes, values
        cells = ", ".join(where for where, _ in self.kept[:3]) + (f" and {len(self.kept) - 3:,} more" if len(
            self.kept) > 3 else "")
        notes.append(EDITED_NOT_SAVED.format(what=f"{cells} {'is' if len(self.kept) == 1 else 'are'}",
                                             them="it" if len(self.kept) == 1 else "them"))
        return notes, dict.fromkeys(values)


def formulas_held(book, lay) -> dict[tuple[str, str], object]:
    """What each of *lay*'s formula cells outside the tables holds in *book*, as a file holds it: a formula's text,
    a value typed over it, or None.  A file's backend gives that from ``get``; a live book's ``get`` gives a
    formula's result, so its :meth:`~xlpy.workbook.live_book.XlwingsBook.formulas_held` reads them instead."""
    from .expected import formula_cells

    cells = formula_cells(lay, tables=False)
    read = getattr(book, "formulas_held", None)
    return read(cells) if read is not None else {cell: book.get(*cell) for cell in cells}


def _layout(book):
    from .layout import LAYOUT_NAME, Shape, layout

    return layout(Shape.decode(book.name(LAYOUT_NAME)))


def _expected(book, offer, results) -> dict:
    """What the engine says each figure of the book (its layout and sensitivity step as written) must hold."""
    from . import data as bookdata
    from .expected import expected_cells

    lay = _layout(book)
    step = bookdata.CellReader(book.get, lay).number("SensitivityStep")
    return expected_cells(lay, offer, results, bookdata.SENSITIVITY_STEP if step is None else step)


def _cell(where: str, expect: dict, labels: dict) -> tuple[str, str]:
    """``Results!C28 (InducedCharge)``, and ``, which computes 9,615,354.38 from the refreshed inputs`` (or
    nothing: a figure only the spreadsheet application knows, such as the Cover's checks)."""
    from .layout import MONEY_FMTS

    key = tuple(where.split("!", 1))
    e = expect.get(key)
    label = e.label if e is not None else labels.get(key)
    figure = "" if e is None or e.value is None else _figure(e.value, e.fmt in MONEY_FMTS)
    return f"{where} ({label})" if label else where, figure


def _put_back(where: str, held, expect: dict, labels: dict, engine: bool = True, live: bool = False) -> str:
    """The warning of a formula put back at *where*, which held *held*; with what it computes where that is the
    engine's figure (*engine*: no other formula or name kept that it may read); in a *live* book, that Excel cannot
    undo it (:data:`LIVE_GONE`)."""
    named, figure = _cell(where, expect, labels)
    computes = f", which computes {figure} from the refreshed inputs" if figure and engine else ""
    if held is None or held == "":
        return f"warning: {named}: blank where the layout has a formula: the formula was put back{computes}"
    gone = LIVE_GONE.format(them="it") if live else ""
    return (f"warning: {named}: the value typed over its formula ({_figure(held)}) {REPLACED}{gone}{computes} (a "
            "value typed does not follow the count, nor do the figures reading it)")


def _kept(where: str, held, expect: dict, labels: dict, lay) -> str:
    from .layout_names import DELETED

    if where.startswith("name "):
        name = where.removeprefix("name ").removesuffix(DELETED)
        sheet, ref = lay.names.get(name, ("", ""))
        cell = f"{sheet}!{ref.replace('$', '')}" if sheet else ""
        if where.endswith(DELETED):
            return (f"warning: name {name} is deleted: the formulas that read it compute #NAME?; define it again"
                    f"{' as ' + cell if cell else ''} (Formulas > Name Manager: a refresh does not), or rebuild the "
                    "workbook")
        return (f"warning: name {name} refers to another cell than the layout's{f' ({cell})' if cell else ''}: the "
                "formulas that read it compute from that cell; point it back (Formulas > Name Manager: a refresh "
                "does not), or rebuild the workbook")
    from .expected import formula_cells

    named, figure = _cell(where, expect, labels)
    engine = f", not the {figure} the engine computes there from the refreshed inputs," if figure else ""
    want = formula_cells(lay, tables=False).get(tuple(where.split("!", 1)))
    return (f"warning: {named} holds another formula than the layout's ({held}), which the refresh keeps: the "
            f"workbook computes that{engine} and the figures reading it follow; put the layout's formula back "
            f"({want}), or rebuild the workbook")


def _figure(v, money: bool = False) -> str:
    """A figure as a warning shows it: 9,615,354.38 (money to the cent), 274,000, TRUE, 'text', 2004-02-20."""
    from .findings import engine_figure, show

    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if not isinstance(v, (int, float, Decimal)):
        return show(v)
    try:
        d = Decimal(engine_figure(v))
    except (InvalidOperation, ValueError):  # (a NaN or an infinity)
        return show(v)
    return f"{d:,.2f}" if money else f"{d:,f}"
