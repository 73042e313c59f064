"""Reading the exchange agent's tally and the price history.

This is the one layer that reads data files; it may use pandas (imported on
first use), and it hands the engine plain columns.  Every problem is reported
with the file, the row (the line number a spreadsheet or text editor shows:
the header is row 1) and the column, all at once.

Tally files come as exchange agents send them: CSV or XLSX, with common
column spellings mapped (``Holder``, ``Account``, ``Shares``, ``Units``,
``Quantity``, ``Status``, ``Method``, guaranteed-delivery markers).  A mapping
(:class:`ColumnMapping`, or a small TOML file) names the rest.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import eq, ne
from pathlib import Path

from ..engine.errors import InputError, InputErrors, Problems, capped
from ..engine.model import HolderTable
from ..engine.numbers import EXACT_FLOATS, INEXACT_NUMBER, engine_context, whole_text
from . import steady
from .sniff import DEFAULT_ENCODING, ENCODING_WANTED, not_utf8, text_encoding, toml_data, toml_text
from .mapping_tables import TOP, column_problems, mapped_header_missing, other_kinds_key, unknown_key, word_problems
from .holder_ids import controlled_ids, odd_ids
from .quotes import line_break_problems, unclosed_quote
from .totals import misspelt_not_totals, not_totals_problems, totals_rows
from .typed import unstorable
from .withdrawal_headers import UNREAD_UNITS, unread_header
from .tally_csv import HeaderRefused, Whole, Words, Written, csv_columns
from .written_numbers import WHOLE_LIMIT, whole_cell

__all__ = [
    "TALLY_COLUMNS",
    "PRICE_COLUMNS",
    "ColumnMapping",
    "read_mapping",
    "read_tally",
    "MAX_PROBLEMS",
    "cap_problems",
    "match_columns",
]

#: Our column name -> spellings exchange agents use (compared case- and space-insensitively).
TALLY_COLUMNS = {
    "holder_id": ("holder_id", "holder", "holder id", "holder name", "account", "account number", "account no",
                  "account_id", "participant", "name", "registered holder"),
    "units": ("units", "shares", "quantity", "qty", "shares tendered", "units tendered", "number of shares",
              "tendered shares", "amount", "net shares", "net units", "net quantity", "shares tendered not withdrawn",
              "units tendered not withdrawn", "number of notes", "notes tendered"),
    "method": ("method", "delivery", "delivery method", "tender method", "type", "tender type"),
    "status": ("status", "state", "tender status"),
    "guaranteed": ("ngd", "guaranteed", "guaranteed delivery", "notice of guaranteed delivery", "gd"),
}
#: Headers read as our column only when no header of TALLY_COLUMNS is: ``Notes`` holds a notes tally's units, or
#: remarks beside its Shares.
ALONE_TALLY = {"units": ("notes",)}
REQUIRED_TALLY = ("holder_id", "units")
PRICE_COLUMNS = {
    "date": ("date", "trade date", "trading day", "day"),
    "price": ("price", "vwap", "close", "closing price", "px"),
    "volume": ("volume", "vol", "shares traded"),
}

METHOD_VALUES = {
    "book-entry": ("book-entry", "book entry", "bookentry", "dtc", "atop", "electronic", "book"),
    "certificate": ("certificate", "certificated", "cert", "physical"),
    "guaranteed": ("guaranteed", "ngd", "guaranteed delivery", "notice of guaranteed delivery", "gd", "n.g.d."),
}
_TABLES = {"method": "methods", "status": "statuses"}  # a mapping file's table of each column's words
STATUS_VALUES = {
    "tendered": ("tendered", "valid", "accepted", "tender", "received", "delivered"),
    "withdrawn": ("withdrawn", "withdrawal", "withdraw"),
    "failed": ("failed", "failed delivery", "not delivered", "undelivered"),
}
#: Words of a units header that say the units are already net of withdrawals.
NET_UNITS = ("net", "not withdrawn")
TRUE_WORDS = ("y", "yes", "true", "1", "x")
FALSE_WORDS = ("", "n", "no", "false", "0")

#: At most this many problems are listed for one file; a count of the rest follows.
MAX_PROBLEMS = 50


def _key(text: object) -> str:
    return " ".join(str(text).replace("_", " ").replace("-", " ").strip().lower().split())


@dataclass(frozen=True)
class ColumnMapping:
    """How a source file's columns and values map onto ours.

    Attributes:
        columns: our column name -> the file's column header.
        methods: the file's method word -> ours (``book-entry``, ``certificate``, ``guaranteed``).
        statuses: the file's status word -> ours (``tendered``, ``withdrawn``, ``failed``).
        encoding: text encoding of a CSV file.
        sheet: worksheet of an XLSX file (the first one when empty).
        defaults: ``method`` / ``status`` -> ours, for a tally without that column or its empty cells.
        not_totals: holder ids (stripped) read as holders whatever their units, never as a totals row.
        source: the mapping file's name, for the messages ('' when not read from a file).
        encoding_given: whether the mapping file gave ``encoding``, the default's name (``utf-8-sig``) too: for an
            XLSX tally or count file it is refused as any other (a mapping made in code gives one other than the
            default, or none).
    """

    columns: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    encoding: str = DEFAULT_ENCODING
    sheet: str = ""
    defaults: dict[str, str] = field(default_factory=dict)
    not_totals: frozenset[str] = frozenset()
    source: str = field(default="", compare=False)
    encoding_given: bool = field(default=False, compare=False)


def workbook_given(path: str | os.PathLike, what: str, advice: str = "") -> InputError | None:
    """The problem of a workbook (or another ZIP package) given where a TOML file goes (*what*: "an offer file",
    "a mapping file"; *advice*: what takes a workbook), named by the path as given; None for any other file, or
    one that cannot be opened (its reader says why), or a pipe or a device, never opened (its reader refuses it:
    opening a pipe no one writes to waits for ever)."""
    if steady.not_a_file(Path(path), what) is not None:
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return None
    except OSError:
        return None
    return InputError(str(path), None, f"is a workbook or another ZIP package, not {what} (TOML){advice}",
                      show_value=False)


@engine_context()
def read_mapping(path: str | os.PathLike) -> ColumnMapping:
    """Read a mapping file (TOML)::

        encoding = "cp1252"
        sheet = "Tenders"
        [columns]
        holder_id = "Acct #"
        units = "Shs Tendered"
        [methods]
        "NOG" = "guaranteed"
        [statuses]
        "W/D" = "withdrawn"
        [defaults]            # a tally without the column, or its empty cells
        method = "book-entry"
        status = "tendered"
        [holders]
        not_totals = ["Total Return Fund"]   # holders whatever their units, never a totals row
    """
    path = Path(path)
    if path.is_dir():
        raise InputErrors([InputError(str(path), None, "is a folder, not a mapping file", show_value=False)])
    piped = steady.not_a_file(path, "a mapping file")  # (a pipe waits for ever; /dev/zero never ends)
    if piped is not None:
        raise InputErrors([piped])
    zipped = workbook_given(path, "a mapping file", "; an XLSX tally is read as the tally itself")
    if zipped is not None:
        raise InputErrors([zipped])
    try:
        data = toml_data(toml_text(path), path.name)
    except FileNotFoundError:
        raise InputErrors([InputError(str(path), None, steady.not_found(path, "mapping file"),
                                      show_value=False)]) from None
    except UnicodeError as exc:  # (saved as cp1252; UTF-16 with its byte-order mark is read)
        raise InputErrors([not_utf8(path.name, exc)]) from None
    except OSError as exc:  # (open in another program, or no permission)
        from .safety import unreadable

        raise InputErrors([unreadable(path.name, exc)]) from None
    problems = [unknown_key(path.name, key, value) for key, value in data.items() if key not in TOP]
    tables = {section: data.get(section, {}) for section in ("columns", "methods", "statuses", "defaults")}
    for section in [s for s, t in tables.items() if not isinstance(t, dict)]:  # methods = "NOG": no table
        problems.append(InputError(f"{path.name}: {section}", tables[section], f"must be a table: [{section}], then "
                                   "one line each"))
        tables[section] = {}
    problems += column_problems(path.name, tables["columns"], TALLY_COLUMNS)
    for section, allowed in (("methods", METHOD_VALUES), ("statuses", STATUS_VALUES)):
        problems += word_problems(path.name, section, tables[section], allowed, _key)
    if "encoding" in data and not text_encoding(data["encoding"]):  # (utf-7, idna, rot13: no file's characters)
        problems.append(InputError(f"{path.name}: encoding", data["encoding"], ENCODING_WANTED))
    if "sheet" in data and (not isinstance(data["sheet"], str) or not data["sheet"].strip()):  # ("": not the first)
        problems.append(InputError(f"{path.name}: sheet", data["sheet"], "must be the name of a worksheet (leave "
                                   "the key out to read the first sheet)"))
    problems += not_totals_problems(path.name, data.get("holders", {}))
    defaults = tables["defaults"]
    for ours, value in defaults.items():
        allowed = {"method": METHOD_VALUES, "status": STATUS_VALUES}.get(ours)
        if allowed is None:
            problems.append(InputError(f"{path.name}: defaults.{ours}", ours, "must be method or status"))
        elif not isinstance(value, str) or value not in allowed:
            problems.append(InputError(f"{path.name}: defaults.{ours}", value, "must be one of " + ", ".join(allowed)))
    if problems:
        raise InputErrors(problems)
    return ColumnMapping(
        defaults=dict(defaults),
        columns=dict(tables["columns"]),
        methods={_key(k): v for k, v in tables["methods"].items()},
        statuses={_key(k): v for k, v in tables["statuses"].items()},
        encoding=data.get("encoding", "utf-8-sig"), sheet=data.get("sheet", ""),
        not_totals=frozenset(h.strip() for h in data.get("holders", {}).get("not_totals", ())),
        source=path.name, encoding_given="encoding" in data,
    )


def looks_like_data(headers) -> bool:
    """Whether a file's first line holds a number (``DTC-0022,2500,...``): a line of data, no header."""
    return any(isinstance(h, (int, float)) or re.fullmatch(r"\s*[+-]?[0-9][0-9.,]*\s*", str(h)) for h in headers)


def _named(headers, at) -> str:
    """The headers at *at*, each text once, with how many columns bear it when more than one does."""
    times = Counter(headers[i] for i in at)
    return ", ".join(str(h) if n == 1 else f"{h} ({n:,} columns)" for h, n in times.items())


def match_columns(headers, spellings, mapping_columns, name, required, mapped=True, mapping_name="",
                  ambiguous=None):
    """Our column -> index in *headers*; problems for missing or ambiguous ones.

    *mapped*: whether the file can have a mapping file (a price file cannot), which a problem's advice names;
    *mapping_name*: the mapping file whose ``[columns]`` are *mapping_columns*, which a header they name and the
    file lacks is blamed on (that column then not said missing too: the mapping named it); *ambiguous*: a set
    given is filled with our columns that more than one header could be.
    """
    found, problems = {}, []
    keyed, times = [_key(h) for h in headers], Counter(headers)
    ambiguous, named = set() if ambiguous is None else ambiguous, set()  # (named: the mapping's, the file lacks)
    for ours, theirs in mapping_columns.items():
        if theirs not in headers:
            named.add(ours)
            problems.append(mapped_header_missing(mapping_name, ours, theirs, name, headers, _key))
        elif headers.count(theirs) > 1:
            ambiguous.add(ours)
            twice = [i for i, h in enumerate(headers) if h == theirs]
            problems.append(InputError(f"{name}: columns", _named(headers, twice),
                                       f"more than one column has the header named for {ours}; rename one"))
        else:
            found[ours] = headers.index(theirs)
    for ours, words in spellings.items():
        if ours in found or ours in ambiguous:
            continue
        free = [(i, k) for i, k in enumerate(keyed) if i not in found.values()]  # (a mapped header is read once)
        hits = ([i for i, k in free if k in words]  # (Notes only alone: see tally_shape.beside_notes)
                or [i for i, k in free if spellings is TALLY_COLUMNS and k in ALONE_TALLY.get(ours, ())])
        if len(hits) > 1:
            ambiguous.add(ours)
            nameable = mapped and any(times[headers[i]] == 1 for i in hits)  # (a mapping names a header by its text)
            problems.append(
                InputError(
                    f"{name}: columns", _named(headers, hits),
                    f"more than one column could be {ours}; "
                    + ("name one in a mapping file" if nameable else "delete or rename one of them"),
                )
            )
        elif hits:
            found[ours] = hits[0]
    missing = [ours for ours in required if ours not in found and ours not in ambiguous | named]
    if missing and looks_like_data(headers):  # one line that says why, not one a column
        problems.append(InputError(f"{name}: header", ", ".join(map(str, headers)),
                                   "is a line of data, not a header: the file's first line must name its "
                                   f"columns ({', '.join(required)})"))
        return found, problems
    for ours in required:
        if ours not in found and ours not in ambiguous | named:
            taken = [f"; {headers[i]} is read as {o} (the mapping's columns.{o})" for o, i in found.items()
                     if keyed[i] in spellings[ours]]  # (the one column of the header that spells it)
            how = (f"; or name the agent's header in a mapping file: [columns] {ours} = \"...\" (--mapping, or "
                   "tally.mapping)") if spellings is TALLY_COLUMNS and not taken else ""
            if not mapped:  # (a price file: its headers are ours, or renamed to them)
                how = f"; rename the header of its {ours} column to one of those (a price file takes no mapping file)"
            spelled = ", ".join(_spelled(spellings, ours))
            problems.append(InputError(f"{name}: header", ", ".join(map(str, headers)), f"has no {ours} column "
                                       f"(expected one of: {spelled}){''.join(taken)}{how}"))
    return found, problems


def _spelled(spellings, ours: str) -> tuple[str, ...]:
    """The headers read as *ours* (those read only alone too, for a tally's)."""
    return spellings[ours] + (ALONE_TALLY.get(ours, ()) if spellings is TALLY_COLUMNS else ())


@engine_context()
def read_tally(path: str | os.PathLike, mapping: ColumnMapping | None = None, source: str = "") -> HolderTable:
    """Read a holder-level tally (CSV or XLSX) into a :class:`HolderTable`.

    The table's ``source`` is *source*, or the file's name when not given.

    A tally without a ``method`` or ``status`` column is refused unless the
    mapping states the default (``[defaults]``); a ``guaranteed`` marker
    column (Y/N) states the method.

    Raises
    ------
    InputErrors
        Every problem, each naming the file, row and column.
    """
    path = Path(path)
    mapping = mapping or ColumnMapping()
    steady.reading(path)
    if path.is_dir():
        raise InputErrors([InputError(str(path), None, "is a folder, not a tally file", show_value=False)])
    piped = steady.not_a_file(path, "a tally file")  # (a pipe; /dev/stdin, even redirected from a file)
    if piped is not None or not path.is_file():
        raise InputErrors([piped or InputError(str(path), None, steady.not_found(path, "tally file"),
                                               show_value=False)])
    try:
        return _read_tally(path, mapping, source)
    except OSError as exc:  # (moved or removed while it was read)
        from .safety import unreadable

        raise InputErrors([unreadable(str(path), exc)]) from None


def _read_tally(path: Path, mapping: ColumnMapping, source: str) -> HolderTable:
    from .tally_shape import header_again, headless_columns

    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    if other := other_kinds_key(mapping, path.name, xlsx):  # (a CSV's sheet, an XLSX's encoding: never ignored unsaid)
        raise InputErrors([other])
    if xlsx:
        from .xlsx_sheet import xlsx_columns

        headers, columns, rows = xlsx_columns(path, mapping.sheet, partial(_tally_header, mapping),
                                              partial(_header_refused, mapping, path.name))
    else:
        try:
            headers, columns, rows = _csv_columns(path, mapping)
        except HeaderRefused:  # (by its header alone, before a line was read: no line is looked at for it)
            raise
        except InputErrors:
            unclosed = unclosed_quote(path, mapping.encoding)  # (pandas says so in its words, its rows from 0)
            if unclosed is not None:
                raise InputErrors([unclosed]) from None
            raise
    headless = headless_columns(path.name, headers, columns, _row_of(rows), xlsx,  # (not read: no [defaults] then)
                                partial(_tally_header, mapping))
    if headless:
        raise InputErrors(cap_problems(headless))
    if xlsx:
        from .xlsx_sheet import merged_cells, unsaved_formulas

        found, _ = match_columns(headers, TALLY_COLUMNS, mapping.columns, path.name, REQUIRED_TALLY)
        unsaved = (merged_cells(path.name, columns.merged, headers, set(found.values()), columns, rows)
                   or unsaved_formulas(path, mapping.sheet, headers, columns, rows, set(found.values())))
        if unsaved:
            raise InputErrors(cap_problems(unsaved))
    found = match_columns(headers, TALLY_COLUMNS, mapping.columns, path.name, REQUIRED_TALLY)[0]
    broken, joined = line_break_problems(path, None if xlsx else mapping.encoding,
                                         headers, columns, found.values(), _row_of(rows))
    if joined:  # (a quote that joined lines: the cells after it are not as written, their problems no matter)
        raise InputErrors(broken)
    try:
        lines, arrays = _tally_from_columns(path.name, headers, columns, mapping, _row_of(rows))
    except InputErrors as exc:
        again, at = header_again(path.name, headers, columns, found, _row_of(rows))  # (each its one line)
        if again:  # (and the other lines' problems, found without those lines)
            raise InputErrors(cap_problems(broken + again + _other_lines(path.name, headers, columns, mapping, rows,
                                                                         at))) from None
        if not broken:
            raise
        raise InputErrors(cap_problems(broken + list(exc.problems))) from None  # (one count line, not two)
    if broken:
        raise InputErrors(broken)
    units_at = match_columns(headers, TALLY_COLUMNS, mapping.columns, path.name, ())[0]["units"]
    table = HolderTable(*lines, source=source or path.name, units_header=headers[units_at])
    if arrays is not None:
        # The same lines as numpy arrays, read by xlpy.files.vector; dataclasses.replace drops them.
        object.__setattr__(table, "_arrays", arrays)
    if rows is not None:  # each line's row in the file, where a blank row skipped makes it other than its index + 2
        object.__setattr__(table, "_rows", tuple(rows))
    object.__setattr__(table, "_id_header", headers[found["holder_id"]])  # (a problem found later names it so)
    if xlsx:  # the sheet read, which the refresh report names
        object.__setattr__(table, "_sheet", columns.sheet)
    return table


def _other_lines(name: str, headers, columns, mapping: ColumnMapping, rows, again: list[int]) -> list[InputError]:
    """The problems of a tally's lines but *again* (the header repeated, each named once: not as a units cell and
    words refused), each naming its row in the file."""
    from .tally_csv import without_lines

    cut, row_of = without_lines(columns, again, _row_of(rows))
    try:
        _tally_from_columns(name, headers, cut, mapping, row_of)
    except InputErrors as exc:
        return list(exc.problems)
    return []


def _tally_header(mapping: ColumnMapping, row) -> bool:
    """Whether a sheet's first *row* is a tally's header: it has a holder and a units column."""
    found, _ = match_columns(["" if h is None else str(h) for h in row], TALLY_COLUMNS, mapping.columns, "", ())
    return "holder_id" in found and "units" in found


def _row_of(rows: list[int] | None):
    """Line index -> its row in the file as a spreadsheet shows it (the header row 1)."""
    return (lambda i: i + 2) if rows is None else rows.__getitem__


def _csv_columns(path: Path, mapping: ColumnMapping):
    return csv_columns(path, mapping.encoding, lambda names: match_columns(names, TALLY_COLUMNS, mapping.columns,
                                                                           path.name, ())[0],
                       partial(_tally_header, mapping), cap_problems, partial(_header_refused, mapping, path.name))


def _header_refused(mapping: ColumnMapping, name: str, headers) -> list[InputError]:
    """The problems of tally *name*'s *headers* when two of its columns could be one of ours (``units`` twice,
    ``Units`` and ``Shares``, a header the mapping names written twice): the tally is refused for them whatever its
    lines hold, in the words :func:`_tally_from_columns` refuses it in (the header's other problems with them), so a
    tally's, CSV or XLSX, are said before its lines are read; else []."""
    ambiguous: set[str] = set()
    problems = match_columns(headers, TALLY_COLUMNS, mapping.columns, name, REQUIRED_TALLY,
                             mapping_name=mapping.source, ambiguous=ambiguous)[1]
    return problems if ambiguous else []


def _word_codes(raw, ours, n):
    """``(codes, words)``: line *i*'s word is ``words[codes[i]]`` (None when *raw* was not read so)."""
    import numpy as np

    if raw is None:  # the column is absent: every line has the default
        return np.zeros(n, dtype=np.int8), [ours[0]]
    if type(raw) is not Words:
        return None
    codes = raw.codes
    return codes, [ours[int(np.argmax(codes == k))] for k in range(len(raw.categories))]


def _line_arrays(found, columns, method, status, n, ids, joined):
    """The units, word codes and the ids' digest as numpy arrays, for :mod:`xlpy.files.vector`.

    None when not read as such; *joined* (``"\\0".join(ids)``, or None) spares the digest a join.
    """
    if "guaranteed" in found or type(columns[found["units"]]) is not Whole:
        return None
    words = {}
    for key, ours in (("method", method), ("status", status)):
        words[key] = _word_codes(columns[found[key]] if key in found else None, ours, n)
        if words[key] is None:
            return None
    from .vector import holder_digest

    # (False: the ids cannot be digested, so the count hashes them without trying again)
    return {"units": columns[found["units"]].array, **words, "holders": holder_digest(ids, joined) or False}


#: The characters ``str.strip`` removes that ASCII text can hold.
ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _holder_ids(raw):
    """``(ids, joined)``: the ids stripped, as a tuple, and ``"\\0".join(ids)`` when that was taken (else None).

    Joined, the ids are checked for spaces at C speed: an ASCII tally without
    any needs no stripping line by line.
    """
    try:
        joined = "\0".join(raw)
    except TypeError:  # numbers from a spreadsheet (a whole float, 30020.0 as a file may store it: as Excel shows it)
        return tuple(str(v).strip() if (whole := whole_text(v)) is None else whole for v in raw), None
    if joined.isascii() and not any(map(joined.__contains__, ASCII_SPACE)):
        return tuple(raw), joined
    return tuple(map(str.strip, raw)), None


def _id_problems(raw, ids, joined, row_of) -> list[tuple[int, str]]:
    """(line, why) of each holder id refused, in line order: one holding a control character (review 169: compute
    took it, which build and refresh refused), else one Excel rounded or no agent meant."""
    odd = controlled_ids(ids, joined)
    said = {i for i, _ in odd}
    odd += [(i, why) for i, why in odd_ids(raw, ids, joined, row_of) if i not in said]
    return sorted(_rounded_ids(raw, ids, joined) + odd)


def _words(values, table, mapping_words, name, column, default, problems, what, row_of):
    """Map a column of words onto ours; unknown words are problems naming the row.

    An empty cell takes *default*: the mapping file's ``[defaults]`` *what*;
    when None, it is a problem (nothing is taken as tendered unless stated).
    """
    lookup = {w: ours for ours, words in table.items() for w in words}
    lookup.update(mapping_words)
    # A tally has a handful of distinct words: map each once, then the column at C speed.
    resolved = {}
    for raw in values.categories if type(values) is Words else set(values):
        k = _key(raw)
        resolved[raw] = default if k == "" else lookup.get(k)
    if all(type(raw) is str and raw == ours for raw, ours in resolved.items()):
        return values  # already our words: nothing to map
    out = list(map(resolved.__getitem__, values))
    rows: dict[object, list[int]] = {}  # each unknown word (the first MAX_PROBLEMS), the lines it is on
    counted = 0
    for i in (i for i, ours in enumerate(out) if ours is None) if None in resolved.values() else ():
        if len(rows) < MAX_PROBLEMS or values[i] in rows:
            rows.setdefault(values[i], []).append(i)
        else:  # (a million distinct words: counted, not each made a problem)
            counted += 1
    problems.count_more(f"{name}: column {column}", counted)
    for raw, at in rows.items():
        problems += _word_problems(raw, at, table, name, column, what, row_of)
    return out


def _word_problems(raw, at: list[int], table, name, column, what, row_of) -> list[InputError]:
    """An unknown word (or an empty cell) on the lines *at*: a problem a line, or one for more than three."""
    reason = "must be one of " + ", ".join(table) if _key(raw) else _unstated(what)
    hint = (f"; if it is the agent's word for one of them, map it in a mapping file: [{_TABLES[what]}] "  # (TOML)
            f"{json.dumps(str(raw), ensure_ascii=False)} = the one of ours it means") if _key(raw) else ""
    if isinstance(raw, str) and (damaged := unstorable(raw, controls=True)):  # (review 164: no word of an agent's)
        reason, hint = f"{damaged}: the file is damaged, or not the agent's tally", ""
    if len(at) <= 3:  # (the way out said once, on the word's last line)
        return [InputError(f"{name}: row {row_of(i)}, column {column}", raw, reason + hint * (i == at[-1]))
                for i in at]
    first = ", ".join(str(row_of(i)) for i in at[:3])
    return [InputError(f"{name}: rows {first} and {len(at) - 3:,} more, column {column}", raw, reason + hint)]


#: Why a tally of a header and no lines is refused, and what to do.
_NO_LINES = ("has a header but no tally lines: a tally lists a line for each holder's tender, and this one lists none "
             "(the agent's file before the first tender?); give it once it holds lines")


def _tally_from_columns(name, headers, columns, mapping, row_of):
    found, problems = match_columns(headers, TALLY_COLUMNS, mapping.columns, name, REQUIRED_TALLY,
                                    mapping_name=mapping.source)
    problems = Problems(problems)
    if problems:
        raise InputErrors(problems)
    n = len(columns[0]) if columns else 0
    if n == 0:
        raise InputErrors([InputError(name, None, _NO_LINES, show_value=False)])
    units_col = headers[found["units"]]
    if _key(units_col) in ALONE_TALLY["units"] and "units" not in mapping.columns:
        from .tally_shape import beside_notes

        known = {*UNREAD_UNITS, *(k for ks in TALLY_COLUMNS.values() for k in ks), *map(_key, mapping.columns.values())}
        problems += beside_notes(name, headers, columns, found, {j for j, h in enumerate(headers) if _key(h) in known})
    raw_units = columns[found["units"]]
    before = len(problems), problems.more
    units = _whole_column(raw_units, name, units_col, problems, row_of)
    refused = (len(problems), problems.more) != before  # (a units cell refused, read as 0: no sum to judge by)
    ids_raw = columns[found["holder_id"]]
    ids, joined = _holder_ids(ids_raw)
    # joined: an empty id is two separators together, or one at an end
    blank = "" in ids if joined is None else not joined or "\0\0" in joined or "\0" in (joined[0], joined[-1])
    if blank:
        for i, h in enumerate(ids):
            if not h:
                problems.append(InputError(f"{name}: row {row_of(i)}, column {headers[found['holder_id']]}",
                                           ids_raw[i], "must name the holder"))
    for i, why in _id_problems(ids_raw, ids, joined, row_of):
        problems.append(InputError(f"{name}: row {row_of(i)}, column {headers[found['holder_id']]}", ids_raw[i], why))
    at_totals = len(problems)  # (its problems go here, once the statuses are known)
    _missing_columns(found, mapping, name, headers, problems)
    at_unread = len(problems)
    if "method" in found:
        # an empty method cell: the mapping's default, else a guaranteed marker's Y must state it ("")
        unstated = mapping.defaults.get("method", "" if "guaranteed" in found else None)
        method = _words(columns[found["method"]], METHOD_VALUES, mapping.methods, name,
                        headers[found["method"]], unstated, problems, "method", row_of)
    else:
        method = [mapping.defaults.get("method", "book-entry")] * n
    if "guaranteed" in found:
        col = headers[found["guaranteed"]]
        for i, raw in enumerate(columns[found["guaranteed"]]):
            k = _key(raw)
            if k in TRUE_WORDS:
                method[i] = "guaranteed"
            elif k not in FALSE_WORDS:
                problems.append(InputError(f"{name}: row {row_of(i)}, column {col}", raw, "must be Y or N"))
            elif method[i] == "":
                problems.append(InputError(f"{name}: row {row_of(i)}, column {headers[found['method']]}", "",
                                           _unstated("method")))
    if "status" in found:
        status = _words(columns[found["status"]], STATUS_VALUES, mapping.statuses, name,
                        headers[found["status"]], mapping.defaults.get("status"), problems, "status", row_of)
    else:
        status = [mapping.defaults.get("status", "tendered")] * n
    totals = totals_rows(ids, joined, units, status, row_of, mapping.not_totals,  # (counted twice)
                         _cells_written(found, columns), refused)
    later = _pasted_twice(name, ids, units, method, status, row_of) + [
        InputError(f"{name}: row {row_of(i)}, column {headers[found['holder_id']]}", ids_raw[i], why)
        for i, why in totals] + misspelt_not_totals(ids, totals, mapping.not_totals, mapping.source, row_of)
    problems[at_totals:at_totals] = later
    at_unread += len(later)
    problems[at_unread:at_unread] = _unread_units(found, headers, columns, name, units_col, status, row_of)
    arrays = None if problems else _line_arrays(found, columns, method, status, n, ids, joined)
    if arrays is not None:
        from .vector import lines_with

        failed = lines_with(arrays["status"], "failed")
        failed_not_guaranteed = bool((failed & ~lines_with(arrays["method"], "guaranteed")).any())
    else:
        failed_not_guaranteed = "failed" in status and any(
            map(ne, compress(method, map(eq, status, repeat("failed"))), repeat("guaranteed")))
    if failed_not_guaranteed:  # (named by the file's own header, as its other problems: Tender Status; its cells too)
        at = found.get("status")
        _failed_problems(name, None if at is None else headers[at], None if at is None else columns[at], method,
                         status, problems, row_of)
    if problems or problems.more:
        raise InputErrors(cap_problems(problems))
    return (tuple(ids), tuple(units), tuple(method), tuple(status)), arrays


def _cells_written(found, columns):
    """Whether a line's method and status cells are written in the file (a footer's are most often empty), or None
    when it has no such column: for :func:`~xlpy.files.totals.totals_rows`."""
    written = [columns[found[key]] for key in ("method", "status") if key in found]
    return (lambda i: all(_key(cells[i]) for cells in written)) if written else None


def _pasted_twice(name, ids, units, method, status, row_of) -> list[InputError]:
    """The tally's lines there twice, the second half the first again line for line (holder, units, method and
    status; three different lines at least, so two holders' like instructions given twice are their own), refused
    at the row where the repeat begins: each unit would count twice.  The first lines of the halves are compared
    first, so a tally of other lines costs nothing."""
    n = len(ids)
    half = n // 2
    if n % 2 or half < 2 or ids[0] != ids[half] or units[0] != units[half] or ids[:half] != ids[half:]:
        return []
    if list(units[:half]) != list(units[half:]) or list(method[:half]) != list(method[half:]) or \
            list(status[:half]) != list(status[half:]) or len(set(zip(ids[:half], units[:half]))) < 3:
        return []
    return [InputError(f"{name}: row {row_of(half)}", None, f"begins the lines of rows {row_of(0)} to "
                       f"{row_of(half - 1)} again, line for line (holder, units, method and status): the tally is "
                       f"there twice, pasted or exported twice, and every unit would count twice; delete rows "
                       f"{row_of(half)} to {row_of(n - 1)}", show_value=False)]


def _failed_problems(name, column, cells, method, status, problems, row_of) -> None:
    """A problem for each line failed but not a guaranteed delivery, the first 50 (whatever came before them: one
    is shown among the others), the rest counted in the status *column* (the file's header for it); each with its
    cell of *cells* as the file holds it (``Not Delivered``: read, only now, for a problem).  With no status column
    (*column* None) every line's status is the mapping's ``[defaults]``, which each problem names, not a column."""
    made = counted = 0
    for i, (m, s) in enumerate(zip(method, status)):
        if s == "failed" and m != "guaranteed" and made >= MAX_PROBLEMS:
            counted += 1
        elif s == "failed" and m != "guaranteed" and column is None:
            made += 1
            problems.append(InputError(f"{name}: row {row_of(i)}", None, "only a guaranteed delivery can fail (the "
                                       "tally has no status column: the mapping file's [defaults] status, failed, is "
                                       "every line's)", show_value=False))
        elif s == "failed" and m != "guaranteed":
            made += 1
            problems.append(InputError(f"{name}: row {row_of(i)}, column {column}", cells[i], "only a guaranteed "
                                       "delivery can fail" + ("" if _key(cells[i]) else " (the mapping file's "
                                                              "[defaults] status, failed, fills the empty cell)")))
    problems.count_more(name if column is None else f"{name}: column {column}", counted)


#: An id as Excel shows a whole number too long for its column (``1.23457E+11``, ``1E+15``) or a float as
#: written (``1.23456789012346e+17``): E+ and two digits, as they write them (the codes ``2E4`` and ``2E-10``
#: are read).
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+[0-9]{2}")
_SCIENTIFIC_LINE = re.compile(r"(?<=\0)[0-9](?:\.[0-9]+)?[eE]\+[0-9]{2}(?=\0|\Z)")


_RETYPE_IDS = "format the column as Text, enter the account numbers again, and save the tally again"
_SCIENTIFIC_WHY = f"is a number Excel has shown in scientific notation, its last digits lost: {_RETYPE_IDS}"
#: An XLSX's number cell from 2**53 on (``9007199254740992.0``, ``1.2345678901234568e+16``), in the words a
#: workbook's cell holding it is refused in (:data:`~xlpy.engine.numbers.INEXACT_WHOLE`).
_INEXACT_WHY = f"{INEXACT_NUMBER}: {_RETYPE_IDS}"


def _rounded_ids(raw, ids, joined) -> list[tuple[int, str]]:
    """(line, why) of each holder id whose last digits are lost: text in scientific notation, or an XLSX's number
    cell too large for a float to hold each whole number (*raw*: the cells as read): two accounts rounded alike
    would be one holder, their units added (which changes the per-holder rounding)."""
    if joined is not None and "+" not in joined:
        return []
    if joined is None or joined.count("\0") != len(ids) - 1:
        inexact = [type(v) is float and abs(v) >= EXACT_FLOATS for v in raw]
        return [(i, _INEXACT_WHY if inexact[i] else _SCIENTIFIC_WHY) for i, h in enumerate(ids)
                if inexact[i] or _SCIENTIFIC.fullmatch(h)]
    folded = "\0" + joined
    rows, line, at = [], 0, 0
    for match in _SCIENTIFIC_LINE.finditer(folded):
        line += folded.count("\0", at, match.start())
        at = match.start()
        rows.append((line - 1, _SCIENTIFIC_WHY))
    return rows


def _unread_units(found, headers, columns, name, units_col, status, row_of) -> list[InputError]:
    """A column of withdrawn or failed units beside the units read (:data:`UNREAD_UNITS`) holding something on
    a line still tendered: refused at its first such row, else the gross units would be counted (unless the
    units are headed net).  A line whose status says it is withdrawn or failed is no matter."""
    if any(w in f" {_key(units_col)} " for w in (f" {n} " for n in NET_UNITS)):
        return []
    read, out = set(found.values()), []
    for j, header in enumerate(headers):
        if j in read or not unread_header(_key(header)):
            continue
        for i, v in enumerate(columns[j]):
            if _nothing(v) or status[i] in ("withdrawn", "failed"):
                continue
            out.append(InputError(
                f"{name}: row {row_of(i)}, column {header}", v,
                f"is not read, so column {units_col} would count these units as tendered: give each holder's "
                "units still tendered (or a line of their own with status withdrawn or failed) and delete this "
                "column, or head the units 'Net shares' if they are"))
            break
    return out


#: What a cell of an unread units column may hold for none: blank, no, a dash, "n/a".
_NONE_WORDS = FALSE_WORDS + ("-", "–", "—", "n/a", "na", "none", "nil")


def _nothing(v) -> bool:
    """Whether a cell says no units: a zero however written (``0``, ``0.000``, ``0,00``), or a word for none."""
    if v is None or _key(v) in _NONE_WORDS:
        return True
    text = str(v).strip().replace(",", "").replace(".", "").replace(" ", "")
    return text.isdecimal() and int(text) == 0


def _unstated(what: str) -> str:
    """Why an empty method or status cell is refused."""
    return (f"is required (or state the {what} of empty cells in a mapping file: [defaults] {what}; "
            "a totals row is to be deleted)")


def _missing_columns(found, mapping, name, headers, problems) -> None:
    """A tally states each line's method and status, or its mapping file states the default.  A ``guaranteed``
    marker column (NGD Y/N) states the method.  Nothing is silently assumed: a tally of only holders and units could
    hold withdrawals or guaranteed deliveries that would be counted as tendered."""
    stated = set(found) | set(mapping.defaults) | ({"method"} if "guaranteed" in found else set())
    for ours, example in (("method", "book-entry"), ("status", "tendered")):
        if ours not in stated:
            problems.append(InputError(
                f"{name}: header", ", ".join(map(str, headers)),
                f"has no {ours} column (expected one of: {', '.join(TALLY_COLUMNS[ours])}); add it, or state "
                f"the {ours} of every line in a mapping file ([defaults] {ours} = \"{example}\")"))


cap_problems = partial(capped, most=MAX_PROBLEMS)  # (prices, build and refresh cap theirs alike)


def _whole_column(raw, name, column, problems, row_of):
    """Units as ints; the fast path takes plain digits, the rest go through :func:`whole_cell`, once for each value
    written alike (the first :data:`_SAID` such).  Past :data:`MAX_PROBLEMS` bad cells of one reason the rest are
    counted in the column, not each made a problem: a million bad lines took 40 s and 900 MB, of the 50 shown."""
    if type(raw) is Whole:
        return raw  # a list already: the table makes its tuple
    sep = raw.sep if type(raw) is Written else ""  # (an XLSX's cells: "")
    out = []
    append = out.append
    said: dict = {}  # (type, value) -> whole_cell's answer: an agent's "N/A" or "1.5" on thousands of lines
    made: dict = {}  # reason -> the problems made of it
    counted = 0
    for i, v in enumerate(raw):
        if type(v) is int and 0 <= v < WHOLE_LIMIT:
            u = v
        elif type(v) is str and len(v) < 16 and v.isdigit() and v.isascii():
            u = int(v)
        else:
            answer = said.get((type(v), v))  # (the type: True is not 1, nor 1.0)
            if answer is None:
                answer = whole_cell(v, sep)
                if len(said) < _SAID:
                    said[type(v), v] = answer
            u, reason = answer
            if u is None:
                if made.get(reason, 0) < MAX_PROBLEMS:
                    made[reason] = made.get(reason, 0) + 1
                    problems.append(InputError(f"{name}: row {row_of(i)}, column {column}", v, reason))
                else:
                    counted += 1
                u = 0
        append(u)
    problems.count_more(f"{name}: column {column}", counted)
    return out


#: At most this many distinct values outside the fast path are remembered with what they read as.
_SAID = 4096
