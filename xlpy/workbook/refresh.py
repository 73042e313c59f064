"""The refresh: new tallies and prices into a standard workbook, from a button or headless.

Each macro works on a :class:`xlpy.workbook.backends.Book` it is given -- a live Excel book
(the button's one-line wrapper passes ``xlwings.Book.caller()``) or a file on
disk (``xlpy refresh``) -- and does the same thing either way:

1. **Plan**: read the source files (default: the ones recorded on the Cover,
   relative to the workbook's folder), check every line, read the workbook's
   own inputs, and run the engine on the offer the refreshed workbook will
   describe.  Every problem found -- in the source, with its row, or in the
   inputs, with its cell -- is raised together as
   :class:`~xlpy.engine.errors.InputErrors`, and **nothing is written**.
2. **Write** the areas :meth:`xlpy.workbook.layout.Layout.refresh_areas` declares (the holder table or the aggregate
   counts, the price and holiday tables, History's new row, the Cover's record cells), the names over them, the hidden
   layout name, the layout's formula put back over a value typed (``formulas_back``); and in a file on disk, beyond
   those, the engine's saved values of formula cells on Results, Check, Release, Sensitivity and the rest
   (``formulas_back.Changed.save``, from ``expected.expected_cells``), the holder table's seal and ``fullCalcOnLoad``,
   the calc chain dropped.  ``refresh_areas`` is :mod:`xlpy.macros`'s; inputs, notes and formatting are untouched.

Text from a source is always stored as text (a holder named ``=1+1`` stays
``=1+1``), never as a formula.

The refresh functions do not save: :func:`xlpy.workbook.refresh_file.refresh_file` (``xlpy refresh``)
writes a temporary file and replaces the workbook, with a timestamped backup;
in Excel (the buttons, :mod:`xlpy.macros`) the person saves.

``draft_release`` writes nothing.  The ``Release`` sheet drafts the results
paragraph with native formulas; ``draft_release`` runs the engine on the
workbook's inputs and, in a live Excel book, compares the draft with the
engine's text sentence by sentence (a disk file holds no current formula
results: there it gives the engine's text, and ``xlpy validate`` does the
comparison after recalculating).

Aggregate counts and holder tallies
-----------------------------------
A workbook built for aggregate counts (``Tendered``, ``GuaranteedDelivery``,
``FailedDelivery`` typed on ``Tenders``) refreshes from a *count file*: a CSV
or XLSX with a header naming the counts (``tendered``, ``guaranteed
delivery``/``NGD``, ``failed delivery``) and one row of numbers.  Given a
holder-level tally instead (or a holder workbook given a count file), the
refresh *switches* the workbook to the other kind before writing the tally:
:mod:`xlpy.workbook.switch` lays out ``Tenders``, the names and the formulas that differ
as a build of that offer would.  Only a file on disk is switched; a live Excel
book refuses, saying to run ``xlpy refresh``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from itertools import compress, repeat
from operator import ne
from pathlib import Path

from openpyxl.utils.cell import coordinate_to_tuple

from .. import __version__
from ..engine.compute import compute, in_principal
from ..engine.errors import BeforeRecords, InputError, InputErrors
from ..engine.model import HolderTable, PriceDay, Tally
from ..engine.numbers import engine_context
from ..engine.release import release_sentences
from ..engine.rules import tally_problems
from ..files import calendars, sources, steady, xlsx_sheet
from ..files.recorded import (NO_PRICE_FILE, NO_TALLY_FILE, composed_alike, recorded_path, same_bytes, same_place,
                              same_record, sha256, written_path)
from ..files.prices import read_prices
from ..files.counts import absent_counts, mapping_for_the_next, read_count_file, tally_kind, unmapped_problem
from . import data as bookdata, holders_apart, holiday_cover, rebuild, source_lines, table_edits, typed_since
from . import count_moved, refresh_guards, rows_shown
from .backends import Book
from .clock import run_by, utc_now
from .collector import collector_eased
from .formulas_back import Changed
from .layout import (LAYOUT_NAME, REFRESH_RECORD, Layout, Shape, history_added, history_moved_note, history_row, latest,
                     layout, renamed_hint)
from .layout.history import counts_source, history_moved
from .review import stale_review
from .saved_values import HOLDER_TABLE, TableValues, holder_values

__all__ = ["RefreshReport", "ReleaseCheck", "SourceRecord", "draft_release", "refresh_all", "refresh_prices",
           "refresh_tenders"]
#: Why a file recorded relative to the workbook cannot be found: the workbook has not been saved.
NO_FOLDER = "the workbook has no folder yet (save it first, or give the file)"

# --- what a refresh did ------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRecord:
    """One source file a refresh read.

    Attributes:
        part: ``tenders`` or ``prices``.
        path: the file, as recorded on the Cover (relative to the workbook's folder when it can be).
        sha256: its SHA-256, hex.
        rows: lines (holder tally, prices) or 1 (a count file).
        kind: ``holders``, ``counts`` or ``prices``.
        mapping: the column-mapping file used, as recorded ('' for none).
        sheet: the worksheet read of an XLSX holder tally ('' for any other file).
    """

    part: str
    path: str
    sha256: str
    rows: int
    kind: str
    mapping: str = ""
    sheet: str = ""


@dataclass(frozen=True)
class ReleaseCheck:
    """The engine's results paragraph beside the workbook's native draft.

    Attributes:
        engine: the engine's sentences.
        workbook: the sentences the ``Release`` sheet shows (a live Excel book), else None.
        differences: one line per sentence that differs (empty when they agree or were not compared).
    """

    engine: tuple[str, ...]
    workbook: tuple[str, ...] | None
    differences: tuple[str, ...]

    @property
    def compared(self) -> bool:
        return self.workbook is not None

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def text(self) -> str:
        return " ".join(self.engine)


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh read and wrote.

    Attributes:
        when: the refresh time recorded on the Cover (UTC, ``YYYY-MM-DD HH:MM:SS``).
        tally: the tally read, or None.
        prices: the price history read, or None.
        release: the release check, or None.
        written: every area written, as ``Sheet!A1:B2``.
        notes: what was skipped and why.

    A refresh whose sources are the Cover's, byte for byte, writes nothing (``written`` is empty, not :attr:`changed`).
    """

    when: str
    tally: SourceRecord | None
    prices: SourceRecord | None
    release: ReleaseCheck | None
    written: tuple[str, ...]
    notes: tuple[str, ...] = ()
    offer: object = dataclasses.field(default=None, repr=False, compare=False)  # the workbook's, as refreshed

    @property
    def changed(self) -> bool:
        """False when the sources were the ones already in the workbook: nothing was written."""
        return bool(self.written)

    def lines(self) -> list[str]:
        read = " and ".join(w for w, s in (("the tally", self.tally), ("the price history", self.prices)) if s)
        same = (f"{read} {'are the ones' if ' and ' in read else 'is the one'} the Cover records (same files, same "
                "SHA-256)") if read else "no tally or price file is given or recorded on the Cover"
        out = [f"refreshed at {self.when} UTC" if self.changed else f"nothing to refresh: {same}; the workbook was "
               "not changed"]
        out.extend(source_lines.line(s) for s in (self.tally, self.prices) if s is not None)
        out.extend(self.notes)
        if self.release is not None:
            if self.release.compared and self.release.ok:
                out.append("release draft: matches the engine's text word for word")
            elif self.release.compared:
                out.extend(["release draft differs from the engine's text:", *self.release.differences])
        return out


# --- the refresh ----------------------------------------------------------------------------


class _Refresh:
    """One refresh of one book: plan everything, then write."""

    def __init__(self, book: Book):
        self.book = book
        text = book.name(LAYOUT_NAME)
        if text is None:
            raise InputErrors([InputError(f"name {LAYOUT_NAME}", None, "is missing: not a standard xlpy workbook "
                                          "(build one with xlpy build)", show_value=False)])
        try:
            self.shape = Shape.decode(text)
        except ValueError as exc:  # (another layout: an earlier one with the commands that rebuild it)
            raise InputErrors([InputError(LAYOUT_NAME, None, rebuild.said(exc, book), show_value=False)]) from None
        self.lay: Layout = layout(self.shape)
        present = book.sheet_names()
        refused = [InputError(f"sheet {s.title}", None, f"is missing{renamed_hint(s.title, present)}; the refresh "
                              "writes to it, so nothing was written", show_value=False, unchanged=True)
                   for s in self.lay.sheets if s.title not in present] or table_edits.rows_moved(book, self.lay)
        if refused:  # a sheet renamed or deleted, a row inserted above named cells: before anything is read or written
            raise InputErrors(refused)
        self.problems: list[InputError] = []
        self.notes: list[str] = []
        self.unmapped = ""  # why the mapping the Cover records does not read the tally given (then refused)
        self.tally: Tally | None = None
        self.tally_rows: tuple[tuple, ...] | None = None  # (a ColumnRows: data.holder_rows)
        self.tally_record: SourceRecord | None = None
        self.prices: tuple[PriceDay, ...] | None = None
        self.holidays: list[dt.date] | None = None
        self.price_record: SourceRecord | None = None
        self.switch = None  # an xlpy.workbook.switch.Switch when the tally is the other kind
        self._tables: dict[str, dict[tuple[int, int], object]] = {}
        self.in_folder: set[Path] = set()  # sources recorded relative to the workbook's folder, read there

    # reading the book ----------------------------------------------------------------

    def get(self, sheet: str, ref: str):
        """A cell of the book; a table's cells are read in one go, the first time one is asked for."""
        row, col = coordinate_to_tuple(ref)
        for s in self.lay.sheets:
            if s.title != sheet:
                continue
            for t in s.tables:
                if t.first_row <= row <= t.last_row and t.first_col <= col < t.first_col + len(t.columns):
                    if t.name not in self._tables:
                        values = self.book.get_rows(sheet, self._area(t))
                        self._tables[t.name] = {(t.first_row + i, t.first_col + j): v
                                                for i, r in enumerate(values) for j, v in enumerate(r)}
                    return self._tables[t.name].get((row, col))
        return self.book.get(sheet, ref)

    @staticmethod
    def _area(t, last: int | None = None) -> str:
        from openpyxl.utils import get_column_letter
        return (f"{get_column_letter(t.first_col)}{t.first_row}:"
                f"{get_column_letter(t.first_col + len(t.columns) - 1)}{last or t.last_row}")

    def recorded(self, name: str) -> object:
        sheet, ref = self.lay.cell(name)
        return self.book.get(sheet, ref)

    def where(self, name: str) -> str:
        sheet, ref = self.lay.cell(name)
        return f"{sheet}!{ref} ({name})"

    # sources ---------------------------------------------------------------------------

    def source(self, given, record: str, what: str, required: bool) -> Path | None:
        """The file to read: *given*, else the one recorded on the Cover (relative to the workbook's folder)."""
        if given is not None and str(given).strip():
            path = Path(given)
            if not path.exists():  # (a folder: its reader says it is one)
                self.problems.append(InputError(str(path), None, steady.not_found(path, f"{what} file"),
                                                show_value=False))
                return None
            return path
        recorded = self.recorded(record)
        text = "" if recorded is None else str(recorded).strip()
        if text in ("", NO_TALLY_FILE, NO_PRICE_FILE):  # any other text is a path, whatever its suffix
            message = f"no {what} file is recorded on the Cover" + (f" ({text!r} is not a file)" if text else "")
            if required:
                self.problems.append(InputError(self.where(record), None, message + "; give one", show_value=False))
            else:
                self.notes.append(f"{what}: not refreshed: {message}")
            return None
        return self.recorded_file(record, text, what)

    def recorded_file(self, record: str, text: str, what: str) -> Path | None:
        """The file *text* in *record* names (in the workbook's folder if relative); None: a problem is named."""
        path = written_path(text)  # recorded on Windows, read elsewhere
        if not path.is_absolute():
            if self.book.folder is None:  # (a live book says why it has none: live_book.XlwingsBook.no_folder)
                why = getattr(self.book, "no_folder", None) or NO_FOLDER
                self.problems.append(InputError(self.where(record), text, f"is relative, and {why}"))
                return None
            path = self.book.folder / path
            self.in_folder.add(path)
        path = composed_alike(path)  # its accents composed otherwise (a Mac decomposes them)
        odd = steady.odd_kind(path)  # (a folder, a pipe or a device there is named as one: a pipe is never opened)
        if odd or not path.is_file():
            how = "" if path not in self.in_folder else " (the Cover records it relative to the workbook's folder)"
            option = {"tally": "--tally", "price": "--prices"}.get(what, "--mapping")
            give = getattr(self.book, "give", None) or (lambda w, o: f"give the {w} file with {o}")  # (a live book's)
            found = f"names no {what} file: looked for" if odd is None else f"names {odd}, not a {what} file:"
            self.problems.append(InputError(self.where(record), text, f"{found} "
                                            f"{os.path.abspath(path)}{how}; put the file back, or "
                                            f"{give(what, option)}"))
            return None
        return path

    def as_recorded(self, path: Path) -> str:
        """*path* as the Cover records it (:func:`xlpy.files.recorded.recorded_path`); a file the Cover records
        already, given again in another spelling, keeps its record: it is no new source."""
        for name in ("TallySource", "TallyMapping", "PriceSource"):
            text = str(self.recorded(name) or "").strip()
            if text and self.book.folder is not None and same_place(text, path, self.book.folder):
                return text
        given_absolute = path.is_absolute() and path not in self.in_folder
        return recorded_path(path, self.book.folder, given_absolute)

    # planning -------------------------------------------------------------------------------

    def plan_tenders(self, given=None, mapping=None, required: bool = True) -> None:
        path = self.source(given, "TallySource", "tally", required)
        if path is None:
            return
        mapping_path, columns = self._mapping(mapping, recorded=given is None)
        if columns is None:
            return
        if given is not None and mapping is None:  # the agent's next file: the recorded mapping, if it has its columns
            try:
                mapping_path, columns = self._recorded_mapping_for(path)
            except InputErrors as exc:  # (the recorded mapping is there but refused: as the recorded tally's refresh)
                self.problems.extend(exc.problems)
                return
        kind = tally_kind(path, columns)
        target = "holders" if kind == "holders" else "aggregate"
        try:
            if kind == "holders":
                table = sources.read_tally(path, columns)
                self._check_holders(path.name, table)
                self.tally = Tally(holders=table)
                self.tally_rows = bookdata.holder_rows(table)
                rows = len(table)
            else:
                t, g, f, absent = read_count_file(path, columns)
                self.tally, rows = Tally(t, g, f), 1
                held = self.recorded if self.shape.tally != "holders" else table_edits.history_held(
                    self._history_records(), self.recorded)  # (a holder book's counts are formulas: History's)
                self.notes += [f"warning: {n}" for n in absent_counts(path.name, absent, held)]
        except InputErrors as exc:  # (a problem inside the file may come of the mapping not used: named beside it)
            inside = self.unmapped and any(p.field.startswith(f"{path.name}: ") for p in exc.problems)
            self.problems += [*exc.problems, *[unmapped_problem(path, self.unmapped)] * bool(inside)]
            return
        if self.unmapped:  # readable by its own header, perhaps with another column taken for the one renamed
            self.problems.append(unmapped_problem(path, self.unmapped))
            return
        if target != self.shape.tally:  # the other kind of tally: the workbook switches (xlpy.workbook.switch)
            from .switch import Switch

            self.switch = Switch(self.book, self.lay, target, len(self.tally_rows or ()), path)
            self.problems.extend(self.switch.problems())
        self.tally_record = SourceRecord("tenders", self.as_recorded(path), sha256(path), rows, kind,
                                         self.as_recorded(mapping_path) if mapping_path else "",
                                         getattr(self.tally.holders, "_sheet", ""))  # (an XLSX's: the sheet read)

    def _mapping(self, mapping, recorded: bool):
        """(mapping file or None, ColumnMapping) -- or (None, None) after recording a problem.

        The mapping recorded on the Cover goes with the tally recorded there: a tally given explicitly is read
        with the mapping given with it, or the recorded one if it has its columns (:meth:`_recorded_mapping_for`).
        """
        if isinstance(mapping, sources.ColumnMapping):
            return None, mapping
        path = None
        if mapping is not None and str(mapping).strip():
            path = Path(mapping)
        elif recorded:
            recorded = self.recorded("TallyMapping")
            text = "" if recorded is None else str(recorded).strip()
            if text:
                path = self.recorded_file("TallyMapping", text, "mapping")
                if path is None:
                    return None, None
        if path is None:
            return None, sources.ColumnMapping()
        try:
            return path, sources.read_mapping(path)
        except InputErrors as exc:
            self.problems.extend(exc.problems)
            return None, None

    def _recorded_mapping_for(self, tally: Path):
        """(file, mapping) the Cover records, for a tally given without one whose header has every column it names;
        else (None, no mapping), and why not in :attr:`unmapped` (:func:`~xlpy.files.counts.mapping_for_the_next`:
        the tally is then refused, unless its own header reads it without doubt)."""
        text = str(self.recorded("TallyMapping") or "").strip()
        path = written_path(text) if text else None
        if path is not None and not path.is_absolute() and self.book.folder is not None:
            path = self.book.folder / path
        found, self.unmapped = mapping_for_the_next(tally, path, text)
        return (path, found) if found is not None else (None, sources.ColumnMapping())  # ("columns mapped by" it)

    def _check_holders(self, name: str, table: HolderTable) -> None:
        """What Excel cannot hold faithfully, line by line (read_tally has checked the rest)."""
        lay = self.lay if self.shape.tally == "holders" else layout(dataclasses.replace(self.shape, tally="holders"))
        found = bookdata.holder_problems(table, name, lay.table("tblTenders")[1].first_row)
        if found:
            raise InputErrors(sources.cap_problems(found))

    def plan_prices(self, given=None, required: bool = True) -> None:
        if self.shape.ratio != "formula":
            if given is not None or required:
                self.problems.append(InputError(
                    self.where("FixedRatio"), None, "the offer fixes its ratio: this workbook has no price table "
                    "to refresh (build it from an offer file with a ratio formula)", show_value=False))
            return
        path = self.source(given, "PriceSource", "price", required)
        if path is None:
            return
        calendar = self.get(*self.lay.cell("Calendar"))  # a row on a day its exchange was closed is refused
        calendar = calendar.strip() if isinstance(calendar, str) else ""
        try:
            days = read_prices(path, calendar or None)
        except InputErrors as exc:
            self.problems.extend(exc.problems)
            return
        self.prices = days
        self.price_record = SourceRecord("prices", self.as_recorded(path), sha256(path), len(days), "prices")

    def check(self):
        """The offer the refreshed workbook describes, and its results; raise every problem found."""
        offer = results = None
        if moved := refresh_guards.tables_moved(self.book, self.lay, self.tally, self.prices, self.recorded):
            raise InputErrors(moved)  # (a row inserted inside a table the engine reads from the book)
        named = refresh_guards.other_prices(self.recorded, self.price_record)  # (not the Cover's: named as the file)
        try:
            offer = bookdata.read_offer(self.get, self.lay, tally=self.tally, prices=self.prices,
                                        get_rows=table_edits.holder_columns(self.book, self.lay))  # (a typed table)
        except InputErrors as exc:
            self.problems.extend(exc.problems)
        if offer is not None and self.tally is not None:
            self._check_totals(offer)
        if offer is not None and named is not None:  # (the average "in" the price file read, not in Prices)
            c = offer.consideration
            offer = dataclasses.replace(offer, consideration=dataclasses.replace(c, formula=dataclasses.replace(
                c.formula, source=named)))
        if offer is not None and self.prices is not None:
            f = offer.consideration.formula
            first, last = bookdata.holiday_range(offer)
            try:
                self.holidays = calendars.holidays(f.calendar, first, last)
            except BeforeRecords:  # the window reaches before the calendar's records: the engine names the expiration
                pass
            except InputError as exc:
                self.problems.append(InputError(self.where("Calendar"), exc.value, exc.reason))
        if self.problems:
            raise InputErrors(sources.cap_problems(self.problems))
        from ..files.vector import ALLOCATOR  # numpy: loaded when a refresh runs

        try:
            results = compute(offer, calendars.sessions, ALLOCATOR)
        except (InputErrors, InputError) as exc:
            for p in getattr(exc, "problems", (exc,)):  # named by the workbook's cell where the key has one
                where = None
                if self.price_record is not None and p.field.startswith(
                        "offer.consideration.formula.prices"):  # the price file given: named as the person gave it
                    where = Path(self.price_record.path).name  # as the price file's reader names it
                elif named is not None and p.field == "offer.consideration.formula":  # (a ratio below R0: new prices)
                    where, p = named, p.reworded(p.field, f"{p.reason}, or a price file of this security if this one "
                                                          "is another's")
                self.problems.append(bookdata.in_workbook_terms(self.lay, p, where, "the refreshed workbook: "))
            raise InputErrors(sources.cap_problems(self.problems)) from None
        from .expected import not_for_a_workbook

        too_large = not_for_a_workbook(offer, results, bookdata.sensitivity_step(self.get, self.lay)[0])
        if too_large:
            raise InputErrors([bookdata.in_workbook_terms(self.lay, p) for p in too_large])
        return offer, results

    def unchanged(self, results) -> bool:
        """True when every source read is the file the Cover records, byte for byte, and nothing else would move: a
        count file must match the counts the Inputs hold now (typed over since the last refresh?), and History's last
        row the figures *results* give (an input typed since moved them)."""
        if self.switch is not None:
            return False
        checks = []
        if self.tally_record is not None:
            r = self.tally_record
            checks += [("TallySource", r.path), ("TallySha256", r.sha256), ("TallyMapping", r.mapping)]
            if self.tally is not None and self.tally.holders is None:
                checks += [("Tendered", self.tally.tendered), ("GuaranteedDelivery", self.tally.guaranteed_delivery),
                           ("FailedDelivery", self.tally.failed_delivery)]
        if self.price_record is not None:
            r = self.price_record
            checks += [("PriceSource", r.path), ("PriceSha256", r.sha256)]
        if self._differed() or not all(same_record(self.recorded(name), want) for name, want in checks):
            return False
        for name in self._rewritten():  # resized by hand, or typed over: its range, names and formulas are reset
            sheet, t = self.lay.table(name)
            if table_edits.held_otherwise(self.book, sheet.title, t):
                return False
        moved = history_moved_note(self._history_records(), results, "a new row records the figures as they stand",
                                   self.recorded("BuiltAt"))
        self.notes += [moved] if moved else []
        return moved is None

    def _differed(self) -> bool:
        """Whether a table differs from the file the Cover records, read as recorded (its bytes, by its name or another:
        sent again, renamed), said as edited since (typed_since.typed_notes speaks of a file of other bytes)."""
        differed, t, rows, mapped = False, self.tally_record, self.tally_rows, str(self.recorded("TallyMapping") or "")
        if rows is not None and same_record(self.recorded("TallySha256"), t.sha256) and same_bytes(
                mapped.strip(), t.mapping, self.book.folder) and table_edits.lines_differ(self.book, self.lay, rows):
            self.notes.append(typed_since.differed_note(self.lay.table(HOLDER_TABLE)[0].title, HOLDER_TABLE,
                                                        typed_since.holder_cells(self.book, self.lay, self.tally_rows)))
            differed = True
        if self.prices is not None and same_record(self.recorded("PriceSha256"), self.price_record.sha256) and \
                table_edits.prices_differ(self.book, self.lay, self.prices):
            self.notes.append(typed_since.differed_note(self.lay.table("tblPrices")[0].title, "tblPrices",
                                                        typed_since.price_cells(self.book, self.lay, self.prices)))
            differed = True
        if self.holidays is not None and holiday_cover.differs(self.lay, self.book.get_rows, self.holidays):
            self.notes.append(holiday_cover.REWRITTEN)  # (WORKDAY's closings: an expiration typed later, a day typed)
            differed = True
        return differed

    def _check_totals(self, offer) -> None:
        rec = self.tally_record
        name = Path(rec.path).name if rec else "tally"
        t = self.tally
        if t.holders is not None:
            tendered = sum(compress(t.holders.units, map(ne, t.holders.status, repeat("withdrawn"))))
        else:
            tendered = t.tendered
        sheet, ref = self.lay.cell("Outstanding")
        self.problems += [in_principal(offer, p, tendered, t.holders is not None) for p in tally_problems(
            {"outstanding": offer.outstanding, "tendered": tendered}, {"tendered": name},
            {"outstanding": "Outstanding"}, lambda n: f"{sheet}!{ref}: {n:,}",
            {"tendered": "units tendered and not withdrawn"})]

    # writing -------------------------------------------------------------------------------------

    def write(self, when: dt.datetime, results, saved: dict[str, dict] | None = None) -> list[str]:
        """Write what was planned, and a History row with the *results* it gives; the areas written.

        *saved*, table name -> column key -> values: the engine's values of a table's formula cells, written with
        its rows where the book keeps them."""
        book, lay = self.book, self.lay
        history = self._history(when, results)  # the records the table holds (rows a person added or removed too)
        shape = dataclasses.replace(self.shape, history_rows=len(history))
        if self.tally_rows is not None:
            shape = dataclasses.replace(shape, holder_rows=len(self.tally_rows))
        if self.prices is not None:
            shape = dataclasses.replace(shape, price_rows=len(self.prices), holiday_rows=len(self.holidays or []))
        new = layout(shape)
        table_edits.same_but_tables(lay, new)
        written: list[str] = []
        tables = {}
        if self.tally_rows is not None:
            tables["tblTenders"] = self.tally_rows
        if self.prices is not None:
            tables["tblPrices"] = [(p.date, p.price, p.volume) for p in self.prices]
            tables["tblHolidays"] = [(d,) for d in self.holidays or []]
        tables["tblHistory"] = history
        reset: set[str] = set()
        for name, rows in tables.items():
            reset |= self._write_table(name, rows, new, (saved or {}).get(name), written)
        for name, (sheet, ref) in sorted(new.names.items()):
            if lay.names.get(name) != (sheet, ref) and name not in reset:
                book.set_name(name, f"'{sheet}'!{ref}")
                written.append(f"name {name}")
        if shape != self.shape:
            book.set_name(LAYOUT_NAME, f'"{shape.encode()}"', hidden=True)
            written.append(f"name {LAYOUT_NAME}")
        if self.tally is not None and self.tally.holders is None:
            for name, v in (("Tendered", self.tally.tendered), ("GuaranteedDelivery", self.tally.guaranteed_delivery),
                            ("FailedDelivery", self.tally.failed_delivery)):
                sheet, ref = new.cell(name)
                book.set(sheet, ref, v)
                written.append(f"{sheet}!{ref}")
        record: dict[str, object] = {"RefreshedAt": when.strftime("%Y-%m-%d %H:%M:%S")}
        if self.tally_record is not None:
            r = self.tally_record
            record.update(TallySource=r.path, TallySha256=r.sha256, TallyRows=r.rows, TallyMapping=r.mapping)
        if self.price_record is not None:
            r = self.price_record
            record.update(PriceSource=r.path, PriceSha256=r.sha256, PriceRows=r.rows)
        allowed = set(REFRESH_RECORD["tenders"] + REFRESH_RECORD["prices"] + REFRESH_RECORD["any"])
        for name, v in record.items():
            assert name in allowed, name
            sheet, ref = new.cell(name)
            book.set(sheet, ref, None if v == "" else v, text=True)
            written.append(f"{sheet}!{ref}")
        return written

    def _write_table(self, name: str, rows: list[tuple], new: Layout, saved, written: list[str]) -> set[str]:
        """Rewrite one table as *new* has it, and every name over its columns; the names of its columns.

        The rows cleared past its new end run to the old end the layout records
        or the one the book's table held, whichever is further down; its names are
        written whatever the book held (a row deleted or inserted inside the
        table by hand moved them), saying so when they or its range were moved.
        """
        book = self.book
        sheet, old = self.lay.table(name)
        _, table = new.table(name)
        held = table_edits.held_rows(book, sheet.title, old)
        off = table_edits.names_off(book, sheet.title, old)
        wider = dataclasses.replace(old, rows=max(old.rows, held[1] - old.header_row if held else 0))
        self.notes += table_edits.typed_over(book, sheet.title, wider, table.last_row)
        if name == HOLDER_TABLE:
            self.notes += table_edits.moved_notes(book, sheet.title, wider, table, rows, self.lay)
        self.notes += table_edits.extent_notes(book, sheet.title, old, held, off, table, rows)
        self.notes += rows_shown.shown_again(book, sheet.title, wider, max(table.last_row, wider.last_row), table, rows)
        if saved:
            book.write_table(sheet.title, table, rows, wider.rows, saved=saved)
        else:
            book.write_table(sheet.title, table, rows, wider.rows)
        written.append(f"{sheet.title}!{self._area(table, max(table.last_row, wider.last_row))}")
        stale = table_edits.names_off(book, sheet.title, table)
        for c in table.columns:
            if c.name in stale:
                book.set_name(c.name, f"'{sheet.title}'!{table.range_of(c.key)}")
                written.append(f"name {c.name}")
        return {c.name for c in table.columns if c.name}

    def _rewritten(self) -> list[str]:
        """The tables a refresh of what was planned rewrites (the History table always gains a row)."""
        names = [HOLDER_TABLE] if self.tally_rows is not None and self.switch is None else []
        return names + (["tblPrices", "tblHolidays"] if self.prices is not None else []) + ["tblHistory"]

    def check_places(self) -> list[InputError]:
        """A table the refresh rewrites that is gone, has its header on another row than the layout's, or a Total Row:
        refused."""
        found = []
        for name in self._rewritten():
            sheet, t = self.lay.table(name)
            found += filter(None, (refresh_guards.table_gone(self.book, sheet.title, t),
                                   table_edits.header_moved(self.book, sheet.title, t),
                                   table_edits.totals_row(self.book, sheet.title, t)))
        return found

    def _history_records(self) -> list[tuple]:
        """The History table's records so far (:func:`xlpy.workbook.table_edits.history_records`), read once."""
        if "_records" not in self.__dict__:
            self._records = table_edits.history_records(self.book, self.lay)
        return self._records

    def _history(self, when: dt.datetime, results) -> list[tuple]:
        """The History table's records so far, and this refresh's."""
        rows, t, p = self._history_records(), self.tally_record, self.price_record
        tally = (t.path, t.sha256, t.rows) if t is not None else (  # (counts typed in: said so, review 156)
            counts_source(rows, results, str(self.recorded("TallySource") or "")),
            str(self.recorded("TallySha256") or ""), int(self.recorded("TallyRows") or 0))
        prices = (p.path, p.sha256) if p is not None else tuple(str(self.recorded(n) or "") for n in (
            "PriceSource", "PriceSha256"))  # (the prices the table holds: a fixed ratio's words for none)
        added, said = history_added(rows, history_row(when.strftime("%Y-%m-%d %H:%M:%S"), *tally, results, *prices,
                                                      run_by(), __version__))
        self.notes += said  # (no row: price days past the averaging window moved nothing; a clock set apart)
        stale = stale_review(self.recorded, self.where, history_moved(latest(rows), results) if rows else [])
        self.notes += [stale] if stale and added is not rows else []  # (a sign-off the new row is past: kept)
        return added

    def growth_room(self) -> None:
        """A table that grows must not run over anything below it: refuse, naming the cells."""
        grows = []
        if self.tally_rows is not None and self.switch is None:  # a switch checks its own areas
            grows.append(("tblTenders", len(self.tally_rows)))
        grows.append(("tblHistory", len(self._history_records()) + 1))
        if self.prices is not None:
            grows.append(("tblPrices", len(self.prices)))
            grows.append(("tblHolidays", len(self.holidays or [])))
        self.problems += table_edits.in_the_way(self.book, self.lay, grows) + refresh_guards.merged_cells(
            self.book, self.lay, self.tally, self.tally_record, self.price_record)  # (Excel's write refused halfway)


def _release_check(book: Book, lay: Layout, offer, results) -> ReleaseCheck:
    engine = tuple(release_sentences(offer, results))
    if not book.calculated:
        return ReleaseCheck(engine, None, ())
    book.recalculate()
    cells = [lay.cell(f"ReleaseSentence{i}") for i in range(1, len(engine) + 1)]
    shown = tuple("" if v is None else str(v) for v in (book.get(sheet, ref) for sheet, ref in cells))
    differences = tuple(f"sentence {i} ({'!'.join(cells[i - 1])}): draft {w!r}, engine {e!r}"
                        for i, (w, e) in enumerate(zip(shown, engine), 1) if w != e)
    return ReleaseCheck(engine, shown, differences)


def _run(book: Book, tally=None, prices=None, mapping=None, *, tenders: str, price_part: str,
         when: dt.datetime | None) -> RefreshReport:
    """tenders / price_part: ``required``, ``optional`` (if a source is given or recorded) or ``skip``."""
    when = when or utc_now()
    r = _Refresh(book)
    with steady.one_reading(), xlsx_sheet.one_load():  # the SHA-256s recorded are of the bytes read; one XLSX load
        if tenders != "skip":
            r.plan_tenders(tally, mapping, required=tenders == "required" or tally is not None)
        if price_part != "skip":
            r.plan_prices(prices, required=price_part == "required" or prices is not None)
    if moved := r.check_places():  # a table moved by a row inserted above it: refused before anything else is said
        raise InputErrors(moved)
    if r.problems:
        raise InputErrors(sources.cap_problems(r.problems))
    offer, results = r.check()
    said = count_moved.restated(book, r.lay, r._history_records(), offer, results)  # (the engine's warnings, worded)
    r.notes += said + holders_apart.refresh_notes(r.lay, offer, r.tally)  # (a total carrying amount: the count moved)
    r.notes += table_edits.window_restated(book, r.lay, r.price_record, r.prices, results,
                                           typed_since.recorded_days) if r.prices else []
    r.notes += typed_since.typed_notes(book, r.lay, r.tally_record, r.price_record)  # (another file over them)
    r.growth_room()
    if r.problems:
        raise InputErrors(sources.cap_problems(r.problems))
    keeps = hasattr(book, "set_saved_values")  # a file on disk: save the engine's figures with it
    written, lines = [], None
    # (read before a switch, which writes Tenders as a build does; the tables rewritten get their names again)
    edited = Changed(book, r.lay, r._rewritten(), r.switch is not None)  # (a live book's too: put back, named)
    if not r.unchanged(results) or edited.typed:  # (a value typed over a formula: put back, the sources unchanged)
        if r.switch is not None:  # the other kind of tally: switch the layout first, then refresh as usual
            written += r.switch.apply(offer, results, when.strftime("%Y-%m-%d %H:%M:%S"))
            r.lay, r.shape = r.switch.built, r.switch.built.shape
            kind = "a holder tally" if r.shape.tally == "holders" else "aggregate counts"
            r.notes.append(f"switched the workbook to {kind} (Tenders, the holder table, names and formulas as a "
                           "build gives them)")
        lines = (holder_values(r.lay.table(HOLDER_TABLE)[1], offer, results, r.tally_rows) or None) if (  # (formulas'
            keeps and not edited.kept and r.lay.shape.tally == "holders") else None  # values as the refresh leaves it)
        written += r.write(when, results, {HOLDER_TABLE: lines} if lines else None) + edited.put_back(book, r.lay)
    if written:  # (a live book saves nothing: only the warnings of the cells put back and of those kept)
        tables = {}
        if lines and r.tally_rows is None:  # the holder table stays: its formula cells get their new values
            sheet, t = r.lay.table(HOLDER_TABLE)
            tables[sheet.title] = TableValues(t.first_row, t.last_row, {t.letter(k): v for k, v in lines.items()})
        r.notes += edited.save(book, offer, results, tables)  # (none beside a formula kept; what each cell computes)
    release = _release_check(book, r.lay, offer, results)
    return RefreshReport(when.strftime("%Y-%m-%d %H:%M:%S"), r.tally_record, r.price_record, release,
                         tuple(written), tuple(r.notes if written else holders_apart.unsaved(r.notes)), offer)


# --- the macros -------------------------------------------------------------------------------


def refresh_tenders(book: Book, tally_path=None, mapping=None, *, when: dt.datetime | None = None) -> RefreshReport:
    """Refresh the tally: the holder table (or the aggregate counts) from a tally file.

    Parameters
    ----------
    book : Book
    tally_path : path, optional
        CSV or XLSX; default: ``TallySource`` on the Cover, relative to the workbook's folder.
    mapping : path or ColumnMapping, optional
        Column mapping (TOML, see :func:`xlpy.files.sources.read_mapping`); default: ``TallyMapping`` on the Cover.
    when : datetime, optional
        The refresh time to record (UTC); default ``SOURCE_DATE_EPOCH`` or now.

    Raises
    ------
    InputErrors
        Every problem in the source (with its row) or the workbook (with its cell); nothing is written.
    """
    return _run(book, tally_path, None, mapping, tenders="required", price_part="skip", when=when)


def refresh_prices(book: Book, prices_path=None, *, when: dt.datetime | None = None) -> RefreshReport:
    """Refresh the price history (and the exchange holidays its window needs) from a price CSV.

    Parameters
    ----------
    book : Book
    prices_path : path, optional
        Columns date, price, volume; default: ``PriceSource`` on the Cover.
    when : datetime, optional

    Raises
    ------
    InputErrors
        Every problem; nothing is written.  A workbook whose ratio is fixed has no price table.
    """
    return _run(book, None, prices_path, None, tenders="skip", price_part="required", when=when)


@collector_eased()
@engine_context()
def refresh_all(book: Book, tally_path=None, prices_path=None, mapping=None, *,
                when: dt.datetime | None = None) -> RefreshReport:
    """Refresh the tally and the prices, then check the release draft against the engine.

    A source not given is read from the file recorded on the Cover when one
    is; a workbook with no recorded tally (counts typed in) or a fixed ratio
    skips that part and says so in the report.  All parts are checked before
    anything is written.

    Raises
    ------
    InputErrors
        Every problem in every source and in the workbook; nothing is written.
    """
    formula = "ratio=formula" in (book.name(LAYOUT_NAME) or "")
    return _run(book, tally_path, prices_path, mapping, tenders="optional",
                price_part="optional" if formula or prices_path is not None else "skip", when=when)


def draft_release(book: Book) -> ReleaseCheck:
    """The engine's results paragraph for the workbook's inputs, beside the ``Release`` draft.

    Writes nothing.  In a live Excel book the draft's sentences (native
    formulas) are compared word for word with the engine's; a file on disk
    holds no current formula results, so there only the engine's text is given.

    Raises
    ------
    InputErrors
        The workbook's inputs, if the engine cannot compute them (each naming its cell).
    """
    r = _Refresh(book)
    offer, results = r.check()
    return _release_check(book, r.lay, offer, results)
