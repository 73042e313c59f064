"""A mapping file's tables checked, for :func:`xlpy.files.sources.read_mapping`: each word of ``[methods]`` and
``[statuses]`` mapped to one of ours, and no two of them that the tally reader reads as one (another case, spacing
or hyphenation) mapped to different words of ours; each of ``[columns]`` one of ours naming a header, and no two
naming the same one.  Either clash would be read without a word of warning: the last word kept, or one column
read as two (and every line refused for it).
"""

from __future__ import annotations

import difflib
import re

from ..engine.errors import InputError
from .sniff import DEFAULT_ENCODING

__all__ = ["TOP", "column_problems", "other_kinds_key", "mapped_header_missing", "toml_key", "unknown_key",
           "word_problems"]

#: A mapping file's tables, then its keys, at its top.
TOP = ("columns", "methods", "statuses", "defaults", "holders", "encoding", "sheet")

#: At most this many of a tally's headers are named where a mapping names one it lacks.
_SHOWN = 12

#: Our word each table of words maps to, as its message names it.
_OURS = {"methods": "method", "statuses": "status"}


def word_problems(name: str, section: str, words: dict, allowed, key) -> list[InputError]:
    """The problems of the table *section* of mapping file *name* (its *words*: the agent's word -> ours): an entry
    mapping to a word not *allowed*, and one whose word *key* reads as an earlier entry's while it maps to another
    word of ours.  Two entries mapping to the same word are no matter: a cell reads the same whichever is kept
    (the agent writes ``NOG`` one day and ``nog`` the next)."""
    first: dict[str, tuple[str, str]] = {}  # the word as read -> (the word as written, ours)
    problems = []
    for word, ours in words.items():
        if not isinstance(ours, str) or ours not in allowed:  # (a list: ["guaranteed"])
            problems.append(InputError(f"{name}: {section}.{word}", ours, "must be one of " + ", ".join(allowed)))
            continue
        earlier = first.setdefault(key(word), (word, ours))
        if earlier[1] != ours:
            problems.append(InputError(
                f"{name}: {section}.{toml_key(word)}", word,
                f"is the word of {section}.{toml_key(earlier[0])} written another way (case, spaces or hyphens), "
                f"mapped to another {_OURS[section]}: write it once"))
    return problems


def unknown_key(name: str, key: str, value) -> InputError:
    """Mapping file *name*'s *key* at its top that is none of :data:`TOP`, with the one it is close to, as an offer
    file's is named.

    >>> str(unknown_key("map.toml", "colums", {"units": "Shs"}))
    'map.toml: colums: is not a known table of a mapping file (did you mean [columns]?)'
    >>> unknown_key("map.toml", "Encoding", "cp1252").reason
    'is not a known key of a mapping file (did you mean encoding? keys and tables are written in lower case)'
    """
    lower = {top.lower(): top for top in TOP}
    close = [lower[key.lower()]] if key.lower() in lower else difflib.get_close_matches(key, TOP, n=1, cutoff=0.75)
    what = "table" if isinstance(value, dict) else "key"
    if close:
        meant = f"[{close[0]}]" if close[0] in TOP[:5] else close[0]
        case = " keys and tables are written in lower case" if close[0] == key.lower() else ""
        hint = f" (did you mean {meant}?{case})"
    else:
        hint = " (its tables: " + ", ".join(f"[{top}]" for top in TOP[:5]) + "; its keys: encoding, sheet)"
    return InputError(f"{name}: {key}", value, f"is not a known {what} of a mapping file{hint}", show_value=False)


def column_problems(name: str, columns: dict, allowed) -> list[InputError]:
    """The problems of ``[columns]`` of mapping file *name* (our column -> the tally's header): a column not one of
    the *allowed*, a header not written as text, and a header an earlier entry names, compared as
    :func:`xlpy.files.sources.match_columns` finds a mapped header: as written (an exact match)."""
    first: dict[str, str] = {}  # the header -> our column naming it first
    problems = []
    for ours, header in columns.items():
        if ours not in allowed:
            problems.append(InputError(f"{name}: columns.{ours}", ours, "is not one of " + ", ".join(allowed)))
        elif not isinstance(header, str) or not header.strip():  # (holder_id = 5: the header is text, in quotes)
            problems.append(InputError(f"{name}: columns.{ours}", header, "must be the column's header as "
                                       'written in the tally, in quotes (holder_id = "Account")'))
        elif (earlier := first.setdefault(header, ours)) != ours:
            problems.append(InputError(f"{name}: columns.{ours}", header, f"names the header of columns.{earlier}"))
    return problems


def mapped_header_missing(source: str, ours: str, header: str, name: str, headers, key) -> InputError:
    """The problem of mapping file *source*'s ``columns.ours`` naming *header*, which the header (*headers*) of
    tally *name* lacks: the headers it has, or the one that *key* reads as it (another case or spacing), which a
    mapping must name as written."""
    near = [h for h in headers if key(h) == key(header)]
    if near:
        where = f"; the header has {str(near[0])!r}: a mapping names a header exactly, as it is written"
    else:
        shown = [str(h) for h in headers[:_SHOWN]] + ([f"and {len(headers) - _SHOWN:,} more"]
                                                      if len(headers) > _SHOWN else [])
        where = f" ({', '.join(shown)})"
    field = f"{source}: columns.{ours}" if source else f"columns.{ours}"  # (a mapping given in Python: no file)
    return InputError(field, header, f"is not in {name}'s header{where}")


def other_kinds_key(mapping, name: str, xlsx: bool) -> InputError | None:
    """The refusal of a key of *mapping* (a :class:`~xlpy.files.sources.ColumnMapping`) that only the other kind of
    file has, for tally or count file *name*: ``sheet`` for a CSV file, which has no sheets, ``encoding`` for an XLSX
    file, which has no encoding to give (either would mean nothing, said nowhere); else None.  A mapping file's
    ``encoding = "utf-8-sig"``, the default's name, is refused too (``encoding_given``).

    >>> from xlpy.files.sources import ColumnMapping
    >>> str(other_kinds_key(ColumnMapping(sheet="Tenders", source="map.toml"), "agent.csv", False))
    "map.toml: sheet: names a worksheet, but agent.csv is a CSV file, which has none: leave the key out of the mapping \
file for a CSV tally (it names the sheet of an XLSX one), got 'Tenders'"
    >>> str(other_kinds_key(ColumnMapping(encoding="cp1252", source="map.toml"), "agent.xlsx", True))
    "map.toml: encoding: names a CSV file's character set, but agent.xlsx is an XLSX file, which has no encoding to \
give: leave the key out of the mapping file for an XLSX tally (it names the character set of a CSV one), got 'cp1252'"
    """
    if xlsx:
        key, value, given = "encoding", mapping.encoding, mapping.encoding_given or mapping.encoding != DEFAULT_ENCODING
    else:
        key, value, given = "sheet", mapping.sheet, mapping.sheet != ""
    if not given:
        return None
    said = (f"names a CSV file's character set, but {name} is an XLSX file, which has no encoding to give: leave the "
            "key out of the mapping file for an XLSX tally (it names the character set of a CSV one)") if xlsx else (
        f"names a worksheet, but {name} is a CSV file, which has none: leave the key out of the mapping file for a "
        "CSV tally (it names the sheet of an XLSX one)")
    return InputError(f"{mapping.source}: {key}" if mapping.source else key, value, said)


def toml_key(word: str) -> str:
    """*word* as a TOML key is written: bare when it can be, else quoted (``" NOG "``)."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
