"""The files the Cover records, as validate holds a workbook to them: its holder and price tables, or its aggregate
counts, are those files'.

A refresh writes the holder table from the exchange agent's tally (in a workbook of aggregate counts, the counts
on Tenders, ``Tendered``, ``GuaranteedDelivery`` and ``FailedDelivery``, from the agent's count file) and the price
table from the price file, and the Cover records each file's name and SHA-256: what an auditor traces the figures
to.  A value typed into one of those tables or counts since then makes the record untrue (the figures are no
longer the file's), and the next refresh writes the file's over it.  So validate reads each recorded file again
when it is beside the workbook byte for byte as recorded (a count file as the refresh reads it,
:func:`~xlpy.files.counts.read_count_file`, with the mapping the Cover records), and a table that differs from it
is a finding (``sources``), its cells named as the refresh names them (:mod:`xlpy.workbook.typed_since`); each
count that differs is a finding of its own, naming its cell, the workbook's count and the file's.  A table sorted
since holds the same lines: no finding.  Counts the offer file gives (the Cover records no count file: its words
for none, or a record blank with no SHA-256 beside it) are no file's: :func:`typed_input_notes` compares them;
unless History's newest row records a count file read, when the record was blanked or typed over since, and a
note says so, naming the Cover's cell (else the counts would pass for typed in, never compared, without a word);
so too of a holder table whose tally record is blank.

A recorded file that is not there (the workbook sent on alone), that has other bytes than the Cover records
(replaced since: the agent's next file under the same name, or a record typed over), or that names a network
location (never opened: a received workbook may name any host, which Windows would connect to) is a note: the
table is not compared with it, and the note says why; so is a record that names no file (of counts: a blank one
with a SHA-256 beside it), naming its cell.  Unless History's last row records another file, beside the workbook
byte for byte (:func:`_history_file`): the Cover's record typed over or blanked since, the table is compared with
that file, and the record is a finding of its own.  Where the Cover records a column mapping file, whose bytes it does
not record, the finding says the mapping may have changed instead.

The offer file is held to the workbook, each difference a finding, only when given (``--offer``):
:func:`offer_notes` says when the one given is not the file the Cover records.  Without it,
:func:`typed_input_notes` names in a note the inputs typed since the build, against the offer file the Cover records
(its path from the workbook's folder, or one of its name beside the workbook) as built.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..engine.errors import XlpyError
from ..files.recorded import (NO_PRICE_FILE, NO_TALLY_FILE, TYPED_COUNTS, composed_alike, recorded_offer, sha256,
                              written_path)
from . import typed_since
from .findings import Finding
from .layout import NOT_REFRESHED, Layout
from .openpyxl_access import WorkbookCells
from .saved_values import HOLDER_TABLE

__all__ = ["check", "offer_file_notes", "offer_notes", "typed_input_notes"]

#: The aggregate counts' input cells (``Tendered`` and the rest), compared as a table is with its file.
_COUNTS = "counts"
#: Each recorded file validate compares a table with: (the table, the Cover's names of its file and SHA-256, the
#: file's words, the table's words).
_RECORDED = ((HOLDER_TABLE, "TallySource", "TallySha256", "the tally", "the holder table"),
             (_COUNTS, "TallySource", "TallySha256", "the count file", "the aggregate counts"),
             ("tblPrices", "PriceSource", "PriceSha256", "the price file", "the price table"))


def _held(lay: Layout, table: str) -> bool:
    """Whether the workbook *lay* has *table* from a file: its holder table or its counts, as its shape says; its
    price table where a formula sets the ratio."""
    holders = lay.shape.tally == "holders"
    return {HOLDER_TABLE: holders, _COUNTS: not holders}.get(table, lay.shape.ratio == "formula")


def _named(text: str) -> str:
    """A recorded path as a note names it: whole, or its first 60 characters and its length when longer than 80."""
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def _short(digest: str) -> str:
    return f"{digest[:12]}..." if len(digest) > 12 else digest or "blank"


def check(name: str, wb, lay: Layout, path: Path, findings: list[Finding], notes: list[str]) -> None:
    """Hold *wb*'s holder and price tables to the files its Cover records (see the module docstring): a finding
    for a table that differs, a note for a file that cannot be compared.  *path*: the workbook's file (a link: its
    target's folder holds the files)."""
    book = WorkbookCells(wb, Path(os.path.realpath(path)).parent)
    refreshed = str(book.get(*lay.cell("RefreshedAt")) or "").strip() if "RefreshedAt" in lay.names else ""
    since = "the last refresh" if refreshed not in ("", NOT_REFRESHED) else "the build"
    for table, source, digest, file, words in _RECORDED:
        if not _held(lay, table):
            continue  # (a workbook of the other kind of tally, or of a fixed ratio)
        where = f"{lay.cell('Tendered')[0] if table == _COUNTS else lay.table(table)[0].title} ({words})"
        given, recorded = (str(book.get(*lay.cell(key)) or "").strip() for key in (source, digest))
        cell = "!".join(lay.cell(source))
        at, why = _recorded_file(book, given, recorded, since)
        kept = _history_file(book, lay, source == "PriceSource", given, recorded, since) if at is None else None
        if kept:  # (the record typed over or blanked, History's file beside the workbook: compared with that)
            at, held = kept
            findings.append(_record_off(name, f"{cell} ({file})", words, since, held, (given, recorded)))
            given, recorded = held
        elif table == _COUNTS and (given == NO_TALLY_FILE or (not given and not recorded)):
            # (counts the offer file gives, or typed in: typed_input_notes compares the offer file's; unless
            # History says a count file was read)
            notes.extend(_file_unrecorded(book, lay, given, f"{where}: not compared with a file", cell))
            continue
        why = f"its cell, {cell}, is blank" if not given else why
        if at is None and table == HOLDER_TABLE and not given:  # (a table typed in, unless History read a file)
            said = _file_unrecorded(book, lay, given, f"{where}: not compared with a file", cell, "tally file", "table")
            if said:
                notes.extend(said)
                continue
        if at is None:  # (a table typed in, not read from a file, says so too: nothing was compared)
            notes.append(f"{where}: not compared with a file: the Cover records none ({why})" if not why.startswith(
                "(") else f"{where}: not compared with {file} the Cover records {why}")
            continue
        by = "History's last row records" if kept else "the Cover records"
        _compare(name, book, lay, (table, _named(given), f"{file} {by}", words, since), at, findings, notes)


def _file_unrecorded(book: WorkbookCells, lay: Layout, given: str, said: str, cell: str,
                           what: str = "count file", read: str = "counts") -> list[str]:
    """The note when the Cover records no count file (*given*, in *cell*: blank with no SHA-256 beside it, or the
    offer file's words) while History's newest row records one read: the record blanked or typed over since the
    refresh (or build) that read the file, which would otherwise look like counts typed in; or none.  Of the holder
    table too (*what* ``tally file``, *read* ``table``), which would otherwise look like a table typed in."""
    from .layout import latest
    from .layout.history import field
    from .table_edits import history_records

    try:
        last = latest(history_records(book, lay))
    except (KeyError, ValueError, TypeError):  # (a History table the workbook does not hold as laid out)
        return []
    named = str(field(last, "tally") or "").strip() if last is not None else ""
    if named in ("", NO_TALLY_FILE, NO_PRICE_FILE, TYPED_COUNTS):
        return []
    digest = str(field(last, "sha256") or "").strip()
    were = "was" if read == "table" else "were"
    return [f"{said}: the Cover records none ({cell} {'is blank' if not given else f'says {given!r}'}), though "
            f"History's last row ({last[0]}) records the {what} {_named(named)} (SHA-256 {_short(digest)}) the "
            f"{read} {were} read from: the record blanked or typed over since? put the file's name and SHA-256 back "
            f"on the Cover as History has them (the {read} {'is' if read == 'table' else 'are'} then compared with "
            "it), or refresh the workbook with --tally and that file"]


def _record_off(name: str, where: str, words: str, since: str, held: tuple[str, str],
                record: tuple[str, str]) -> Finding:
    """The finding of a Cover's record of a file (*record*: its name and SHA-256) that is not History's last row's
    (*held*), whose file is beside the workbook byte for byte: the table (*words*) is compared with that."""
    return Finding(name, where, "the Cover's record of the file is not History's last row's, whose file is beside "
                   f"the workbook byte for byte: the record typed over since {since}? {words} is compared with "
                   "History's file; put its name and SHA-256 back on the Cover",
                   f"{_named(held[0])} ({_short(held[1])})", f"{_named(record[0]) or 'blank'} ({_short(record[1])})",
                   "sources")


def _history_file(book: WorkbookCells, lay: Layout, prices: bool, given: str, recorded: str,
                  since: str) -> tuple[Path, tuple[str, str]] | None:
    """(the file, its (name, SHA-256)) that History's last row records the table was read from, when that is not
    the Cover's record (*given*, *recorded*) and the file is beside the workbook byte for byte; else None.  A Cover
    whose record was typed over (a SHA-256 changed, a name blanked) would otherwise leave the table uncompared, with
    a note alone (review 143)."""
    from .layout import latest
    from .layout.history import field
    from .table_edits import history_records

    try:
        last = latest(history_records(book, lay))
    except (KeyError, ValueError, TypeError):  # (a History table the workbook does not hold as laid out)
        return None
    built = str(book.get(*lay.cell("BuiltAt")) or "").strip() if "BuiltAt" in lay.names else ""
    if last is None or str(last[0] or "") < built:  # (a build that carried History over records no row of its
        return None  # own: its last row is the earlier workbook's, not what the Cover's record replaced, review 145)
    named, digest = (str(field(last, k) or "").strip() for k in (("prices", "price_sha256") if prices else
                                                                   ("tally", "sha256")))
    if (named, digest) == (given, recorded) or not digest or prices and given not in ("", named):
        return None  # (a price file's record alone may name a newer file than History's: a refresh from prices
        # that moved no figure adds no row, so only the same name, or none, is held to History's)
    at, _ = _recorded_file(book, named, digest, since)
    return None if at is None else (at, (named, digest))


def _recorded_file(book: WorkbookCells, given: str, recorded: str, since: str) -> tuple[Path | None, str]:
    """(the file the Cover records as *given*, byte for byte as its SHA-256 *recorded* says, ``""``), or (None, why
    not: the record's cell blank or saying no file; else ``(the record): ...``)."""
    if given in ("", NO_TALLY_FILE, NO_PRICE_FILE):
        return None, f"{given!r}" if given else "its cell is blank"
    text = f"({_named(given)})"
    if given.startswith(("\\\\", "//")):  # (a received workbook may name any host; Windows would connect to it)
        return None, (f"{text}: it names a network location, which validate does not open (a workbook from "
                      "elsewhere may name any); copy the file beside the workbook, or refresh it from there")
    try:  # (a path no file system takes, too long or with a NUL, is said as one that cannot be read)
        at = written_path(given)
        at = composed_alike(at if at.is_absolute() else book.folder / at)
        got = sha256(at) if at.is_file() else None
    except (OSError, ValueError) as exc:
        return None, f"{text}: it cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if got is None:
        return None, f"{text}: {'it names a folder, not a file' if at.is_dir() else 'there is no such file'}" + (
            "" if written_path(given).is_absolute() else " (its path read from the workbook's folder)")
    if got != recorded:
        return None, (f"{text}: the file there has other bytes (SHA-256 {_short(got)}) than the Cover records "
                      f"({_short(recorded)}): replaced since {since}, or the record typed over")
    return at, ""


def _compare(name: str, book: WorkbookCells, lay: Layout, said: tuple[str, ...], at: Path, findings: list[Finding],
             notes: list[str]) -> None:
    """The finding of a table held to its recorded file *at*, byte for byte as the Cover records it (*said*: the
    table, the file as recorded, the file's words with who records it, the table's words, since when)."""
    table, text, file, words, since = said
    if table == _COUNTS:
        _compare_counts(name, book, lay, said, at, findings, notes)
        return
    sheet, t = lay.table(table)
    where = f"{sheet.title} ({words})"
    read = typed_since.tally_reader(book, lay) if table == HOLDER_TABLE else typed_since.price_reader(book, lay)
    try:
        lines = read(at)
        if table == HOLDER_TABLE:
            from .data import holder_rows

            lines = holder_rows(lines)
    except (XlpyError, OSError) as exc:
        notes.append(f"{where}: not compared with {file} ({text}): it cannot be read as the "
                     f"refresh reads it ({exc})")
        return
    kind = "lines" if table == HOLDER_TABLE else "days"
    if t.rows != len(lines):
        findings.append(Finding(name, where, f"holds other {kind} than {file} ({text}), changed "
                                f"since {since}: the figures are not the file's; refresh the workbook from it",
                                f"{len(lines):,} {kind}", f"{t.rows:,}", "sources"))
        return
    cells, deleted, _ = (typed_since.holder_cells(book, lay, lines) if table == HOLDER_TABLE
                         else typed_since.price_cells(book, lay, lines))
    cells = typed_since.values_typed(cells)  # (a date without its format: the same day, validate's [inputs] names it)
    parts = ([typed_since.listed(cells)] if cells else []) + (
        [f"{typed_since.listed(deleted)}: in no row of the table"] if deleted else [])
    mapping = str(book.get(*lay.cell("TallyMapping")) or "").strip() if table == HOLDER_TABLE else ""
    since += f", or the mapping file the Cover records ({_named(mapping)}) changed since" if mapping else ""
    if parts:
        findings.append(Finding(name, where, f"differs from {file} ({text}), typed since {since}: "
                                f"{'; '.join(parts)}: the figures are not the file's (a value that belongs "
                                "goes in the file; a refresh writes the file's lines over these)", leg="sources"))


def _compare_counts(name: str, book: WorkbookCells, lay: Layout, said: tuple[str, ...], at: Path,
                    findings: list[Finding], notes: list[str]) -> None:
    """A finding for each aggregate count the workbook's input cell holds otherwise than the count file *at* gives
    it, read again as the refresh reads it (with the mapping the Cover records), byte for byte as the Cover records
    it (*said*: as for :func:`_compare`)."""
    _, text, file, words, since = said
    try:
        read = typed_since.tally_reader(book, lay, counts=True)(at)
    except (XlpyError, OSError) as exc:
        notes.append(f"{lay.cell('Tendered')[0]} ({words}): not compared with {file} ({text}): it "
                     f"cannot be read as the refresh reads it ({exc})")
        return
    mapping = str(book.get(*lay.cell("TallyMapping")) or "").strip()
    since += f", or the mapping file the Cover records ({_named(mapping)}) changed since" if mapping else ""
    for cell, values in typed_since.count_cells(book, lay, read):
        findings.append(Finding(name, cell, f"differs from {file} ({text}), typed since {since}: "
                                f"{values}: the figure is not the file's (a count that belongs goes in the file; a "
                                "refresh writes the file's counts over it)", leg="sources"))


def offer_file_notes(wb, lay: Layout, path: Path, offer, results, given=None) -> list[str]:
    """``validate``'s notes on the offer file: the one *given* (``--offer``, its path or the Offer read from it), the
    workbook held to it: :func:`offer_notes`, and the note of its total carrying amount the workbook holds for
    another count than the file's (:func:`~xlpy.workbook.count_moved.stale_note`); else, the one the Cover records:
    :func:`typed_input_notes`."""
    from . import count_moved
    from .table_edits import history_records

    if given is None:
        return typed_input_notes(wb, lay, path, offer, results)
    book = WorkbookCells(wb, Path())
    stale = count_moved.stale_note(Path(given), offer, results, lay, str(given), history_records(book, lay), book.get(
        *lay.cell("BuiltAt"))) if isinstance(given, (str, os.PathLike)) else None
    return offer_notes(wb, lay, given, path) + ([stale] if stale else [])


def offer_notes(wb, lay: Layout, given, path: Path | None = None) -> list[str]:
    """The note for an offer file given to validate (``--offer``: its path, or the Offer read from it) that is not
    byte for byte the one the Cover records at the build (by its SHA-256), or none: the workbook is then held to
    the file given, not to the build's.  Where it is the very file the Cover records (found from the folder of the
    workbook *path*), edited since, the note says so, not that it is another file."""
    if not isinstance(given, (str, os.PathLike)) or "OfferSha256" not in lay.names:
        return []
    book = WorkbookCells(wb, Path())
    recorded = str(book.get(*lay.cell("OfferSha256")) or "").strip()
    try:
        got = sha256(Path(given))
    except OSError:
        return []  # (its reading has said why)
    if not recorded or got == recorded:
        return []
    text = str(book.get(*lay.cell("OfferFile")) or "").strip()
    named = text or "blank"
    try:
        found = recorded_offer(text, Path(os.path.realpath(path)).parent) if path is not None else None
        same = found is not None and os.path.samefile(found[0], given)
    except OSError:
        same = False
    if same:
        return [f"--offer: {given} has other bytes than at the build, when the Cover recorded it ({named}, SHA-256 "
                f"{_short(recorded)}; now {_short(got)}): the workbook is held to the file as it is now"]
    return [f"--offer: {given} is not the offer file the Cover records at the build ({named}, SHA-256 "
            f"{_short(recorded)}; this one {_short(got)}): the workbook is held to the file given"]


def typed_input_notes(wb, lay: Layout, path: Path, offer, results=None) -> list[str]:
    """Without ``--offer``: the note naming each input *offer* (the workbook's) holds otherwise than the offer file
    the Cover records, where that file is found (:func:`~xlpy.files.recorded.recorded_offer`) byte for byte as at
    the build, or none.  Typing an input is no fault (a price, the final count), so a note: what an auditor traces
    to the offer file, and what ``--offer`` would hold the workbook to.  Its named inputs and later exchanges are compared, as the refresh
    compares an offer file edited since (:func:`~xlpy.workbook.offer_drift.differences`); its counts only where the
    workbook's are typed, not a tally or count file's; its holder lines and price days never (the Cover records
    their files, which :func:`check` compares).  And, given the workbook's *results*, the note of the file's total
    carrying amount, held by the workbook, for a count that has moved since (:func:`~xlpy.workbook.count_moved.
    stale_note`)."""
    from ..files.offerfile import load
    from . import count_moved, offer_drift
    from .rebuild import quoted
    from .source_lines import from_here
    from .table_edits import history_records

    if not {"OfferFile", "OfferSha256", "TallySource"} <= lay.names.keys():
        return []
    book = WorkbookCells(wb, Path(os.path.realpath(path)).parent)
    try:
        found = recorded_offer(book.get(*lay.cell("OfferFile")), book.folder)
        if found is None:
            return []  # (gone: the workbook sent on alone)
        file, name = found
        name = from_here(name, book.folder, Path(path).is_absolute())  # (as seen from where the workbook was named)
        given = quoted(name)
        got, recorded = sha256(file), str(book.get(*lay.cell("OfferSha256")) or "").strip()
        if got != recorded:  # (edited since, or the record typed over: said, as a note of inputs typed cannot be)
            return [f"inputs not compared with the offer file the Cover records ({name}): it has other bytes "
                    f"(SHA-256 {_short(got)}) than the Cover records ({_short(recorded)}), edited since the build or "
                    f"the record typed over ({'!'.join(lay.cell('OfferSha256'))}); validate --offer {given} holds "
                    "the workbook to it"]
        file_offer = load(file, read_sources=False)  # (its own inputs: its tally and price files are not read)
    except (XlpyError, OSError):
        return []
    if file_offer.id != offer.id:
        return []
    try:  # (its own inputs, and its counts where the workbook's are typed, as the refresh's warning compares them)
        typed = offer_drift.differences(file_offer, offer, lay, offer_drift.counts_typed(
            book.get(*lay.cell("TallySource")), file))
    except (XlpyError, OSError):
        return []
    stale = None if results is None else count_moved.stale_note(  # (the file's total, for another count)
        file, offer, results, lay, name, history_records(book, lay), book.get(*lay.cell("BuiltAt")))
    return ([f"inputs typed since the build, not as the offer file the Cover records ({name}, unchanged since): "
             f"{'; '.join(typed)} (no fault: validate --offer {given} holds the workbook to the file)"] if typed
            else []) + ([stale] if stale else [])
