"""Count files: the exchange agent's aggregate counts, and telling them from a holder tally.

A workbook built for aggregate counts (``Tendered``, ``GuaranteedDelivery``,
``FailedDelivery`` typed on ``Tenders``) refreshes from a *count file*: a CSV
or XLSX with a header naming the counts (``tendered``, ``guaranteed
delivery``/``NGD``, ``failed delivery``) and one row of numbers.
:func:`tally_kind` tells a count file from a holder-level tally by its header;
:func:`read_counts` reads the three counts, every problem located and
reported together.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from ..engine.errors import Counted, InputError, InputErrors
from ..engine.rules import tally_problems
from ..engine.numbers import engine_context
from . import sources, steady, typed, written_numbers
from .csv_cells import file_text, records
from .mapping_tables import other_kinds_key
from .sniff import blank_first_row, file_encoding, header_line, undecodable
from .settled import check_settled
from .written_numbers import wide_row
from .xlsx_sheet import (check_xlsx, empty_sheet, load, release, sheet_rows, strict_ooxml, table_rows,
                         unsaved_formulas, xlsx_sheet)

__all__ = ["COUNT_COLUMNS", "absent_counts", "read_count_file", "read_counts", "tally_kind"]

#: Count-file columns -> spellings (case, spaces, hyphens and underscores ignored).
COUNT_COLUMNS = {
    "tendered": ("tendered", "units tendered", "shares tendered", "total tendered", "tendered not withdrawn",
                 "tendered and not withdrawn", "notes tendered"),
    "guaranteed_delivery": ("guaranteed delivery", "guaranteed deliveries", "guaranteed", "ngd",
                            "notice of guaranteed delivery", "notices of guaranteed delivery", "gd"),
    "failed_delivery": ("failed delivery", "failed deliveries", "failed", "failed ngd", "ngd failed",
                        "failed guaranteed deliveries", "failed guaranteed delivery", "failed to deliver",
                        "not delivered", "undelivered", "units failed", "shares failed", "notes failed",
                        "units not delivered", "shares not delivered", "notes not delivered"),
}
#: The tendered spellings that say the count is net of withdrawals.
NET_TENDERED = ("tendered not withdrawn", "tendered and not withdrawn")
#: A withdrawn count: not read (the count is tendered *and not withdrawn*), but it makes a bare "Tendered" ambiguous.
WITHDRAWN = tuple(w for w in sources.UNREAD_UNITS if "withdraw" in w)


def _key(text: object) -> str:
    return " ".join(str(text).replace("_", " ").replace("-", " ").strip().lower().split())


def _header(path: Path, mapping: sources.ColumnMapping) -> list[str] | None:
    """The header row of a CSV or XLSX file, or None when it cannot be read (the reader will say why)."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            check_xlsx(path)  # refused here: read_tally then says why
            if strict_ooxml(path) is not None:
                return None  # (read_tally says what it is)
            wb = load(path)  # (within one_load, the load its reader reads the lines of)
            try:
                ws = wb[mapping.sheet] if mapping.sheet and mapping.sheet in wb.sheetnames else wb.worksheets[0]
                row = next(iter(sheet_rows(ws, 1, 1)), None)
            finally:
                release(wb)
            return None if row is None else ["" if v is None else str(v) for v in row]
        encoding = file_encoding(path, mapping.encoding)
        first = header_line(path, encoding)
        mark = codecs.BOM_UTF8.decode(encoding, errors="replace")  # a UTF-8 file named cp1252: read_tally says so
        first = first[len(mark):] if first.startswith(mark) and len(mark) > 1 else first
        return next(records(path.name, [first], written_numbers.delimiter(first), lambda: first), None)
    except Exception:  # noqa: BLE001  (a damaged or wrongly encoded file: read_tally/read_counts say why)
        return None


def columns_missing(path: Path, mapping: sources.ColumnMapping, held: set[str] | None = None
                    ) -> dict[str, str] | None:
    """Our column -> the tally's header *mapping* names for it, for each header *path* lacks, as written (the reader
    matches a mapped header exactly, spaces around it apart); {} when it has them all; None when its header cannot
    be read (the reader says why).  *held*, when given, gets the header's keys (in any case and spacing)."""
    if not mapping.columns:
        return {}
    header = _header(path, mapping) if not steady.not_a_file(path, "a tally file") else None
    if header is None:
        return None
    (held if held is not None else set()).update(map(_key, header))
    names = {str(h).strip() for h in header}  # (as the reader takes them: "Acct No., Shs Tendered" has both)
    return {ours: theirs for ours, theirs in mapping.columns.items() if theirs not in names}


def mapping_for_the_next(tally: Path, path: Path | None, shown: str) -> tuple[sources.ColumnMapping | None, str]:
    """The mapping file *path* a workbook records (*shown* as recorded), for the agent's next *tally* given without
    one: (the mapping, "") when the tally has every column it names; else (None, why it cannot read the tally: a
    column renamed by the agent may leave another read as the units, so the refresh refuses the tally unless it
    fails by its own header anyway).  (None, "") when no mapping is recorded, when the tally names those columns in
    our words (``units``), or when its header cannot be read (its reader then says why).  A recorded mapping file
    that is there but refused raises its problems, as the recorded tally's refresh would; a folder, a pipe or a
    device there is named as one (a pipe never opened: nothing waits), not as a file that is not there."""
    if path is None:
        return None, ""
    odd = steady.odd_kind(path)  # (the readers' words for a folder, a pipe or a device: a pipe is never opened)
    if odd or not path.is_file():
        return None, f"the mapping file the Cover records ({shown}) " + (f"is {odd}, not a mapping file" if odd else
                                                                        "is not there")
    found = sources.read_mapping(path)
    held: set[str] = set()
    missing = columns_missing(tally, found, held)
    if not missing:
        return (found if missing == {} else None), ""
    if {_key(ours) for ours in missing} <= held:  # a file in our own words (holder_id, units): nothing to doubt
        return None, ""
    named = ", ".join(f"{theirs!r} (its {ours})" for ours, theirs in missing.items())
    return None, f"{tally.name} has no column {named} of the mapping file the Cover records ({shown})"


def unmapped_problem(tally: Path, why: str) -> InputError:
    """The refusal of the agent's next *tally*, given without a mapping, which the one the Cover records cannot read
    (*why*: :func:`mapping_for_the_next`)."""
    return InputError("--tally", tally.name, f"{why}, so it is not read (by its own header another column could be "
                      "taken for that one): give --mapping naming a mapping for its header, or --no-mapping to read it "
                      "by its own header")


def tally_kind(path: Path, mapping: sources.ColumnMapping | None = None) -> str:
    """``holders`` when the file has a holder column (or the mapping names one), else ``counts`` if it names one."""
    mapping = mapping or sources.ColumnMapping()
    steady.reading(path)
    if "holder_id" in mapping.columns or steady.not_a_file(path, "a tally file"):  # (read_tally refuses a pipe)
        return "holders"
    header = _header(path, mapping)
    if header is None:
        return "holders"
    keys = {_key(h) for h in header}
    if keys & set(sources.TALLY_COLUMNS["holder_id"]) or sources.looks_like_data(header):
        return "holders"  # (a holder tally without its header: read_tally says so)
    if keys & set(COUNT_COLUMNS["tendered"]):
        return "counts"
    if keys & set(sources.TALLY_COLUMNS["units"]):
        return "holders"  # (units but no holder column: read_tally names the missing column)
    counts_only = set(COUNT_COLUMNS["guaranteed_delivery"]) | set(COUNT_COLUMNS["failed_delivery"]) | set(WITHDRAWN)
    return "counts" if keys & counts_only else "holders"  # (a count file without its tendered column: named)


@engine_context()
def read_counts(path: str | os.PathLike, mapping: sources.ColumnMapping | None = None) -> tuple[int, int, int]:
    """Read a count file: a header naming the counts and one row of whole numbers.

    Returns ``(tendered, guaranteed_delivery, failed_delivery)``; a missing
    guaranteed or failed column counts 0 (:func:`read_count_file` says which).

    Raises
    ------
    InputErrors
        Every problem, each naming the file, the row and the column.
    """
    return read_count_file(path, mapping)[:3]


#: The counts a count file may leave out (each then 0), by the workbook's name for it.
_MAY_LACK = {"guaranteed_delivery": "GuaranteedDelivery", "failed_delivery": "FailedDelivery"}


def absent_counts(name: str, absent: tuple[str, ...], held=None) -> list[str]:
    """A note for each count the count file *name* has no column for (*absent*, as :func:`read_count_file` gives
    them), taken as 0: with what the workbook held, from ``held(workbook name)``, when that was not 0 (``held.said``,
    if it has one, says where that figure comes from: "History's last row records"; else "the workbook held").  An agent's
    export that dropped a column must not silently turn 3,500 guaranteed deliveries into none.  (No failed
    deliveries on a preliminary count that had none is no news: the count is still open.)"""
    notes = []
    for ours in absent:
        words = ours.replace("_", " ")
        was = held(_MAY_LACK[ours]) if held is not None else None
        was = int(was) if type(was) in (int, float) and was == int(was) else 0  # (a live book's 3500.0: 3,500)
        if ours == "failed_delivery" and not was and (held is None or held("FinalCount") is not True):
            continue
        before = f", where {getattr(held, 'said', 'the workbook held')} {was:,}" if was else ""
        notes.append(f"{name}: has no {words} column: its count is taken as 0{before} (add the column if the "
                     "agent's count has any)")
    return notes


def read_count_file(path: str | os.PathLike, mapping: sources.ColumnMapping | None = None
                    ) -> tuple[int, int, int, tuple[str, ...]]:
    """:func:`read_counts`, and the counts the file has no column for (``guaranteed_delivery``,
    ``failed_delivery``), each counted 0."""
    path = Path(path)
    mapping = mapping or sources.ColumnMapping()
    name = path.name
    rows, sep = _count_file_rows(path, mapping)
    header = [str(h).strip() for h in rows[0]]
    found, problems = _count_columns(header, name)
    data = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(str(v).strip() for v in r)]
    if not problems and len(data) != 1:
        problems.append(InputError(name, Counted(len(data)), "must hold exactly one row of counts under the header" + (
            " (a holder tally whose holder column is not recognised? name its columns in a mapping file: --mapping)"
            if len(data) > 1 else "")))
    if problems:
        raise InputErrors(problems)
    line, row = data[0]
    wide = wide_row(name, line, row, len(header), sep) if sep else None  # 280,000,0,0 under three names: 280
    if wide is not None:  # (an XLSX has no separator to split a figure: a note to the right is a note)
        raise InputErrors([wide])
    places = {ours: f"{name}: row {line}, column {header[i]}" for ours, i in found.items()}
    counts = {}
    for ours, i in found.items():
        raw = row[i] if i < len(row) else ""
        counts[ours], reason = written_numbers.whole_cell(raw, sep, _COUNT_CELLS)
        if reason:
            problems.append(InputError(places[ours], raw, reason))
    if not problems:  # (the net count against a gross and a withdrawn column beside it)
        problems = _net_problems(name, header, row, line, sep, found["tendered"], counts["tendered"])
    if problems:
        raise InputErrors(problems)
    t, g, f = counts["tendered"], counts.get("guaranteed_delivery", 0), counts.get("failed_delivery", 0)
    problems = tally_problems({"tendered": t, "guaranteed_delivery": g, "failed_delivery": f}, places,
                              {"tendered": "tendered", "guaranteed_delivery": "guaranteed deliveries"})
    absent = tuple(k for k in _MAY_LACK if k not in found)
    if problems and "guaranteed_delivery" in absent:  # (failed deliveries above none: say why none)
        problems = [InputError(p.field, p.value, p.reason + " (the file has no guaranteed delivery column, so its "
                               "count is taken as 0)") if "guaranteed" in p.reason else p for p in problems]
    if problems:
        raise InputErrors(problems)
    return t, g, f, absent


def _net_problems(name: str, header: list[str], row: list, line: int, sep: str, at: int, net: int
                  ) -> list[InputError]:
    """The net count (column *at*, *net*) against a gross tendered and a withdrawn column beside it, when the file
    gives both: a file whose figures do not add up contradicts itself, and which one is right only the agent knows."""
    if _key(header[at]) not in NET_TENDERED:
        return []
    gross = [i for i, h in enumerate(header) if _key(h) in COUNT_COLUMNS["tendered"] and _key(h) not in NET_TENDERED]
    withdrawn = [i for i, h in enumerate(header) if _key(h) in WITHDRAWN]
    if len(gross) != 1 or len(withdrawn) != 1:
        return []
    (a, reason_a), (w, reason_w) = (written_numbers.whole_cell(row[i] if i < len(row) else "", sep, _COUNT_CELLS)
                                    for i in (gross[0], withdrawn[0]))
    if reason_a or reason_w or a - w == net:
        return []  # (a gross or withdrawn cell that is no count is not read: the net count is the one)
    return [InputError(f"{name}: row {line}, column {header[at]}", Counted(net), f"is not {header[gross[0]]} less "
                       f"{header[withdrawn[0]]} ({a:,} - {w:,} = {a - w:,}): the file contradicts itself; ask the "
                       "agent which figure is right and correct the file")]


#: A count file's cells: text, as CSV holds it (``274,000`` is a number); a blank cell is missing.
_COUNT_CELLS = typed.Scheme(blank=("",), text_numbers=True)


def _count_file_rows(path: Path, mapping: sources.ColumnMapping) -> tuple[list[list], str]:
    """The rows of a count file (CSV, or an XLSX's sheet), blank cells as "", and its separator ("": an XLSX).

    Problems reading it are raised.
    """
    name = path.name
    sep, encoding = "", mapping.encoding
    if path.is_dir():
        raise InputErrors([InputError(str(path), None, "is a folder, not a tally file", show_value=False)])
    piped = steady.not_a_file(path, "a tally file")  # (a pipe; /dev/stdin, even redirected from a file)
    if piped is not None or not path.is_file():
        raise InputErrors([piped or InputError(str(path), None, steady.not_found(path, "tally file"),
                                               show_value=False)])
    steady.reading(path)
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    if other := other_kinds_key(mapping, name, xlsx):  # (a CSV's sheet, an XLSX's encoding: never ignored unsaid)
        raise InputErrors([other])
    try:
        if xlsx:
            with xlsx_sheet(path, mapping.sheet) as (wb, ws):  # (its package checked before anything is unpacked)
                rows = [["" if v is None else v for v in r] for r in table_rows(ws)]  # whatever size it states
                if not any(str(v).strip() for r in rows for v in r):
                    raise InputErrors([empty_sheet(name, wb, ws)])
                if not any(str(v).strip() for v in rows[0]):  # (row 1 blank above the header: as a CSV's, named)
                    raise InputErrors([blank_first_row(name, next(n for n, r in enumerate(rows)
                                                                  if any(str(v).strip() for v in r)))])
        else:
            encoding = file_encoding(path, mapping.encoding)
            sep = written_numbers.delimiter(header_line(path, encoding))  # ';': 280.000 is 280000
            check_settled(path)
            with open(path, encoding=encoding, newline="") as fh:  # (a cell too long refused: csv_cells)
                rows = list(records(name, fh, sep, lambda: file_text(path, encoding)))
    except InputErrors:
        raise  # (the header line said why)
    except UnicodeDecodeError as exc:  # past the header line, which was read: named by its row
        raise InputErrors([undecodable(path, encoding, exc)]) from None
    except Exception as exc:  # noqa: BLE001  (csv.Error, or the many kinds openpyxl raises for a bad XLSX)
        raise InputErrors([InputError(name, None, f"cannot be read: {exc}", show_value=False)]) from None
    if not rows:
        raise InputErrors([InputError(name, None, "is empty: no header row", show_value=False)])
    if not sep:  # (an XLSX: a blank cell may be a formula Excel never calculated)
        _refuse_unsaved_formulas(path, mapping, rows)
    return rows, sep


def _refuse_unsaved_formulas(path: Path, mapping: sources.ColumnMapping, rows: list[list]) -> None:
    """Refuse a blank cell below the header that holds a formula with no saved value (a file a program wrote and
    Excel never calculated), as the tally reader does: read as blank, it would be called missing."""
    header = [str(h) for h in rows[0]]  # (the rows are cut at its width)
    counts = {c for c, h in enumerate(header) if any(_key(h) in words for words in COUNT_COLUMNS.values())}
    columns = {c: [r[c] if c < len(r) else "" for r in rows[1:]] for c in counts}  # (only those looked at)
    problems = unsaved_formulas(path, mapping.sheet, header, columns, list(range(2, len(rows) + 1)), counts)
    if problems:
        raise InputErrors(problems)


def _count_columns(header: list[str], name: str) -> tuple[dict[str, int], list[InputError]]:
    """Which column holds each count (``{"tendered": 0, ...}``), and the header's problems."""
    found, problems = {}, []
    for ours, words in COUNT_COLUMNS.items():
        hits = [i for i, h in enumerate(header) if _key(h) in words]
        net = [i for i in hits if _key(header[i]) in NET_TENDERED]
        if ours == "tendered" and len(hits) > 1 and len(net) == 1:
            hits = net  # "Tendered" beside "Tendered not withdrawn": the net count is the one
        if len(hits) > 1:
            problems.append(InputError(f"{name}: columns", ", ".join(header[i] for i in hits),
                                       f"more than one column could be {ours}; delete or rename one of them "
                                       "(a count file's mapping names no columns)"))
            found[ours] = None
        elif hits:
            found[ours] = hits[0]
    ambiguous = [k for k, v in found.items() if v is None]
    found = {k: v for k, v in found.items() if v is not None}
    if "tendered" not in found and "tendered" not in ambiguous:
        problems.append(InputError(f"{name}: header", ", ".join(header),
                                   "has no tendered column (expected one of: " + ", ".join(COUNT_COLUMNS["tendered"])
                                   + ")"))
    withdrawn = [header[i] for i, h in enumerate(header) if _key(h) in WITHDRAWN]
    if "tendered" in found and withdrawn and _key(header[found["tendered"]]) not in NET_TENDERED:
        problems.append(InputError(f"{name}: columns", f"{header[found['tendered']]}, {withdrawn[0]}",
                                   "a count file with a withdrawn column must give its tendered count net of "
                                   "withdrawals, headed 'Tendered not withdrawn' (subtract the withdrawn units "
                                   "first if the tendered figure includes them)"))
    return found, problems


