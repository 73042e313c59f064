"""What a refresh refuses before it writes a cell, beyond its sources, and what it warns of after.

* A table the engine reads from the book that this run does not rewrite (the
  holder table under Refresh prices and Check release draft, the price table
  under Refresh tenders), whose range or names the book holds otherwise than
  the layout: a row inserted or deleted in it by hand.  Excel stretched or
  shrank the table and the names over its columns with it, so the workbook's
  own formulas count other rows than the engine, which reads the layout's: the
  History row a refresh adds would be neither the file's figures nor the
  workbook's (:func:`tables_moved`).  A run that rewrites the table puts it
  and its names back where the layout has them, and says so.
* A cell the refresh writes on its own (the Cover's record, an aggregate count)
  inside a merged block: Excel refuses to write part of one, or keeps only its
  first cell's value, and it would do so after the tables were written
  (:func:`merged_cells`).
* A table the refresh writes that the book no longer holds as a table
  (converted to a range, deleted or renamed): Excel's write would fail once
  its lines were written (:func:`table_gone`).
* A tally or price file the refresh read that is open in Excel or LibreOffice:
  warned of, as what is typed there and not saved is in no refresh
  (:func:`open_elsewhere`).

Each reads the book through :class:`xlpy.workbook.backends.Book`, so a file and
a live Excel book are refused alike.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..engine.errors import InputError
from ..files.recorded import NO_PRICE_FILE, NO_TALLY_FILE, same_record
from . import table_edits
from .layout import REFRESH_RECORD, Layout
from .saved_values import HOLDER_TABLE

__all__ = ["READ_TABLES", "gone_words", "merged_cells", "open_elsewhere", "other_prices", "table_gone",
           "tables_moved"]

#: The tables the engine reads from the book: what writes each again (the source, and the button that reads it).
READ_TABLES = {HOLDER_TABLE: ("tally", "Refresh tenders"), "tblPrices": ("prices", "Refresh prices"),
               "tblHolidays": ("prices", "Refresh prices")}


def gone_words(sheet: str, table, why: str = "") -> str:
    """What a layout table the workbook no longer holds as an Excel table is, *why* that matters (said before the
    advice), and how to make it again: said by validate and by a refresh that would write it."""
    return (f"the table is gone (converted to a range with Table Design > Convert to Range, deleted, or renamed): "
            f"{why}if it was renamed, name it {table.name} again (Table Design > Table Name); else make it again over "
            f"{sheet}!{table.ref} (select it, Insert > Table, My table has headers; then Table Design > Table Name: "
            f"{table.name}), or rebuild the workbook (xlpy build)")


def table_gone(book, sheet: str, table) -> InputError | None:
    """The refusal when *book* holds no Excel table *table* on *sheet*: the refresh writes its lines into it, and a
    button's resize of it would fail once they were written (a file's would leave the lines in no table)."""
    if book.table_ref(sheet, table.name) is not None:
        return None
    return InputError(f"{sheet}!{table.name}", None, f"{gone_words(sheet, table)}; the refresh writes its lines into "
                      "it, so nothing was written", show_value=False, unchanged=True)


def tables_moved(book, lay: Layout, tally, prices, recorded=None) -> list[InputError]:
    """The refusal of each table of :data:`READ_TABLES` in *lay* that the engine reads from *book* (the holder table
    unless the run reads a *tally*, the price and holiday tables unless it reads *prices*), that *book* holds with
    its header on another row (:func:`~xlpy.workbook.table_edits.header_moved`), or with names over its columns
    pointing at other cells than the layout's rows (a row inserted or deleted inside it, which stretches or shrinks
    the table with them; or a name defined again by hand, ``tblTenders[Units]`` included, as validate finds it);
    [] when each is where the layout puts it.  A table grown over a row typed below it, its names where they were, is
    left to :func:`~xlpy.workbook.table_edits.in_the_way` and validate: the workbook's formulas and the engine read
    the same rows.  *recorded* (a name of the Cover's record -> its value) says whether a file to write the table
    again from is recorded, which the advice names."""
    present = {t.name for s in lay.sheets for t in s.tables}
    found = []
    for name, (source, button) in READ_TABLES.items():
        if name not in present or (tally if source == "tally" else prices) is not None:
            continue
        sheet, t = lay.table(name)
        moved = table_edits.header_moved(book, sheet.title, t)
        if moved is not None:
            found.append(moved)
            continue
        defined = {n: book.name(n) for n in table_edits.names_off(book, sheet.title, t)}
        off = [n for n, d in defined.items() if d is not None]  # (a name deleted: written again, no move of rows)
        if not off:
            continue
        held = table_edits.held_rows(book, sheet.title, t)
        listed = table_edits.names_said(off)
        if held is not None and held != (t.header_row, t.last_row):
            what = (f"the table spans rows {held[0]}:{held[1]}, not the layout's {t.header_row}:{t.last_row}, and "
                    f"{listed} point{'s' * (len(off) == 1)} at other rows: a row was inserted or deleted inside it by "
                    f"hand, so the workbook's formulas count other rows than the refresh reads (the layout's, "
                    f"{t.first_row}:{t.last_row}); undo that (Edit > Undo), ")
        elif len(off) == 1:  # (a name defined again by hand: over other cells, or as the table's column)
            want = f"'{sheet.title}'!{t.range_of(next(c.key for c in t.columns if c.name == off[0]))}"
            held_as = defined[off[0]].strip().lstrip("=")
            held_as = held_as if len(held_as) <= 80 else held_as[:77] + "..."
            by = "the table by structured reference, " if held_as.lower().startswith(t.name.lower() + "[") else ""
            what = (f"the name {off[0]} refers to {by}{held_as}, not to the layout's address {want}, which the "
                    f"refresh reads and validate checks: define it again as ={want} (Formulas > Name Manager, the "
                    "address typed), ")
        else:
            what = (f"{listed} refer to other cells than the table's rows the layout gives them ("
                    f"{t.first_row}:{t.last_row}), which the refresh reads (validate names each): define them again "
                    "over those rows (Formulas > Name Manager, the addresses typed), ")
        found.append(InputError(f"{sheet.title}!{t.name}", None, what + _again(source, button, recorded),
                                show_value=False, unchanged=True))
    return found


def _again(source: str, button: str, recorded) -> str:
    """The end of :func:`tables_moved`'s refusal: the refresh that writes the table again from the *source* file the
    Cover records (*recorded*: its record's reader, None: taken as recorded), or that none is recorded."""
    record = "TallySource" if source == "tally" else "PriceSource"
    text = recorded(record) if recorded is not None else "a file"
    if text is None or str(text).strip() in ("", NO_TALLY_FILE, NO_PRICE_FILE):
        return (f"the Cover recording no {'tally' if source == 'tally' else 'price'} file to write the table again "
                f"from (give one: xlpy refresh WORKBOOK --{source} FILE, which writes the table and its names where "
                "the layout puts them); nothing was written")
    return (f"or refresh the {source} (the {button} button, or xlpy refresh), which writes the table and its names "
            "where the layout puts them; nothing was written")


def other_prices(recorded, record) -> str | None:
    """The name of the price file a refresh read (*record*: its SourceRecord, or None) where it is not the one the
    Cover records (*recorded*: its record's reader): other bytes than the SHA-256 recorded, or, that blank, another
    path (its accents composed alike).  A problem its prices make (a ratio below R0) is then named as the file; one
    of the recorded file's is the workbook's (an input typed since)."""
    if record is None:
        return None
    sha = recorded("PriceSha256")
    if sha not in (None, ""):  # (the bytes decide: a copy elsewhere, or a name whose accents a Mac decomposed)
        return None if same_record(sha, record.sha256) else Path(record.path).name
    held = recorded("PriceSource")
    same = unicodedata.normalize("NFC", str(held or "").strip()) == unicodedata.normalize("NFC", record.path)
    return None if same else Path(record.path).name


def merged_cells(book, lay: Layout, tally, tally_record, price_record) -> list[InputError]:
    """The refusal of each of the layout's single cells a refresh writes one by one that *book* holds in a merged
    block other than as its first cell (whose value the block shows, and which Excel writes): the time it records,
    the record of the tally and prices it read (*tally_record*, *price_record*: None for none), and a *tally* of
    aggregate counts' counts; [] for a book that does not say (it has no ``merge_area``)."""
    area = getattr(book, "merge_area", None)
    names = [*REFRESH_RECORD["any"], *REFRESH_RECORD["tenders"] * (tally_record is not None),
             *REFRESH_RECORD["prices"] * (price_record is not None),
             *("Tendered", "GuaranteedDelivery", "FailedDelivery") * (tally is not None and tally.holders is None)]
    found = []
    for name in names if area is not None else ():
        sheet, ref = lay.cell(name)
        block = area(sheet, ref)
        if block is not None and not block.startswith(f"{ref}:"):
            found.append(InputError(
                f"{sheet}!{ref}", None, f"is part of merged cells ({block}), not their first cell: the refresh writes "
                f"{name} there, which Excel refuses or keeps out of sight (a merged block shows its first cell "
                "alone); unmerge it (Home > Merge & Center), then refresh again; nothing was written",
                show_value=False, unchanged=True))
    return found


def open_elsewhere(report, seen, folder: Path) -> list[str]:
    """A warning for each tally or price file the refresh read (*report*'s records) that is open in Excel or
    LibreOffice (its owner file beside it), named as *seen* names it: what is typed there and not saved is in no
    refresh, which read the file as last saved.  *folder*: the one the recorded paths are relative to (the
    workbook's, a link's target's)."""
    from ..files.recorded import written_path
    from .locks import all_opened, beside

    out = []
    for source, named in ((s, n) for s, n in ((report.tally, seen.tally), (report.prices, seen.prices)) if s):
        file = folder / written_path(source.path)
        for app, who, owner in all_opened(file) if file.is_file() else ():  # (review 176: each owner file)
            out.append(f"{named.path}: is open in {app} by {who} ({owner} {beside(owner)}): this refresh read it as "
                       "last saved, so what is typed there and not saved is not in the workbook; save it there, then "
                       "refresh again")
    return out
