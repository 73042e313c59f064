"""Holder ids no agent meant: an Excel error saved as a value, TRUE or FALSE, a date, or an id that looks like another.

A holder tally is added up holder by holder (fractions are settled per holder), so two lines of one holder under
two spellings are two holders, and the shares, the cash in lieu and the charge move.  Excel's own failures reach a
tally too: a lookup that failed is exported as ``#N/A``, a deleted reference as ``#REF!`` (in an XLSX, an error
cell), an account number typed into a General cell may become a date.  Each is refused by its row, never read as a
holder.  Ids that print alike and differ in an invisible character (a zero-width space pasted from a web page), a
dash of another kind (a non-breaking hyphen) or a letter of another alphabet (a Cyrillic ``Р`` for a Latin ``P``)
are refused too, naming the line they look like (and, typed into a workbook's holder table, named by their cells:
:mod:`xlpy.workbook.typed_ids`).  ASCII ids, the usual, are checked at C speed, and so are names
with accents (the distinct characters of the column are looked at first): a million lines cost some 0.4 s more.
Two ids differing only in letter case (:func:`case_twins`) are two holders to the engine and one to Excel, which
compares text without regard to case: a tally holding them is refused by ``build`` and ``refresh`` (a worksheet
cannot hold it faithfully), and the holder table typed into names them by their cells, in the same words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence

from .typed import character, unstorable

__all__ = ["EXCEL_ERRORS", "LOOKS_LIKE", "case_twins", "case_twins_warning", "controlled_ids", "counted_alike",
           "odd_ids"]

#: The error values Excel writes for a formula that failed (and so exports to CSV as text).
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                          "#EXTERNAL!", "#PYTHON!"})

#: Dashes of other kinds, and the Cyrillic and Greek capitals and small letters drawn as Latin ones, as the Latin
#: character they are taken for (after NFKC, which folds full-width forms and no-break spaces already).
_LOOK_ALIKE = str.maketrans({
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58", "-"),
    **dict(zip("АВЕКМНОРСТХУаеорсхуіјѕԁԛԝ", "ABEKMHOPCTXYaeopcxyijsdqw")),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν", "ABEZHIKMNOPTYXoiv")),
})

#: The characters :data:`_LOOK_ALIKE` takes for others.
_SEEN_AS = frozenset(map(chr, _LOOK_ALIKE))

#: How the reason for an id that prints as another line's begins (:func:`odd_ids`): two holders to a workbook's
#: formulas as to the engine, told apart by :mod:`xlpy.workbook.typed_ids` from the ids they read otherwise.
LOOKS_LIKE = "looks like the holder id on row "

#: The bidirectional controls that reorder the characters after them as shown, and those that end such a reordering
#: (overrides, embeddings, isolates: ``DTC-\u202e2200`` shows as ``DTC-0022``).  The marks (U+200E, U+200F, U+061C),
#: which reorder nothing of their own, are left to names written in Hebrew or Arabic.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_REORDERS = ("holds {}, a control of the order text is shown in, which may show its characters in another order "
             "than they are held: give the id without it")


def counted_alike(why: str) -> bool:
    """Whether an id refused for *why* is counted by a workbook's formulas as by the engine: a holder of its own to
    both (an id that looks like another line's, one holding a control that reorders it), not one they read
    otherwise (an Excel error, a date, TRUE or FALSE, letter case), whose figures then differ."""
    return why.startswith(LOOKS_LIKE) or why.endswith(_REORDERS.split("{}")[1])


_ERROR = "is an Excel error saved as a value (a lookup or formula that failed): give the holder's id"
_BOOL = "is TRUE or FALSE, not a holder's id: give the holder's id"
_FORMULA_TEXT = ("is written as a formula, an export's way to keep leading zeros, which a spreadsheet shows as {0!r} "
                 "and the engine would count apart from {0!r}: give the id as {0!r} (open the file in Excel and save "
                 "it as CSV again)")
_CASE = ("differs from the holder id on row {} ({!r}) only in letter case: Excel compares text without regard to "
         "case and would count the two lines as one holder, the engine as two; spell them alike if they are one "
         "holder, or make them differ otherwise")
_DATE = ("is a date, not a holder's id (Excel reads an account number such as 2-20-2004 as one): format the column "
         "as Text, enter the ids again, and save the {} again")


def odd_ids(raw: Sequence, ids: Sequence[str], joined: str | None, row_of: Callable[[int], int],
            saved: str = "tally") -> list[tuple[int, str]]:
    """(line, why) of each holder id no agent meant (see the module), in line order.  *raw*: the column's cells as
    read (an XLSX's may be dates or booleans); *ids*: their text, stripped; *joined*: ``"\\0".join(ids)`` when the
    reader took it (ASCII ids without spaces; any text cells alone), else None; *row_of*: a line's row in the file;
    *saved*: what a date's fix saves again (the tally, or a workbook whose holder table was typed into)."""
    out = []
    if joined is None:  # (cells of other types than text come only so)
        for i, v in enumerate(raw):
            if isinstance(v, bool):
                out.append((i, _BOOL))
            elif isinstance(v, (dt.date, dt.time)):
                out.append((i, _DATE.format(saved)))
    text = joined if joined is not None else "\0".join(ids)
    if "=" in text and '="' in text:  # (review 174: counted apart from the id it shows; "=" alone is found at C
                                      # speed, a two-character search is not)
        out += [(i, _FORMULA_TEXT.format(h[2:-1])) for i, h in enumerate(ids)
                if len(h) > 3 and h.startswith('="') and h.endswith('"') and '"' not in h[2:-1]]
    if "#" in text:
        out += [(i, _ERROR) for i, h in enumerate(ids) if h.upper() in EXCEL_ERRORS]
    if not text.isascii():
        reordered = [(i, _REORDERS.format(character(m.group()))) for i, h in enumerate(ids) if (m := _BIDI.search(h))
                     ] if _BIDI.search(text) else []
        said = {i for i, _ in reordered}  # (refused once: not again as looking like another line)
        out += reordered + [(i, why) for i, why in _look_alikes(ids, row_of, text) if i not in said]
    return sorted(out)


#: What :func:`controlled_ids` looks for: each character :func:`~xlpy.files.typed.unstorable` refuses in one-line
#: text but the line breaks (CR, LF), which the reader names in words of its own.
_CONTROLLED = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
#: The bytes of ASCII text a one-line holder id may hold, and the line breaks (NUL, which joins the ids, is kept).
_ID_BYTES = bytes(range(32, 127)) + b"\r\n"


def controlled_ids(ids: Sequence[str], joined: str | None) -> list[tuple[int, str]]:
    """(line, why) of each holder id holding a control character, a line or paragraph separator, or a character a
    workbook cannot store (:func:`~xlpy.files.typed.unstorable`): a damaged file, or an id pasted with a tab in it,
    which ``compute`` would count as a holder of its own and ``build`` and ``refresh`` would refuse.  An id holding
    a line break (CR, LF) is left to the reader's own words for it (:func:`xlpy.files.quotes.line_break_problems`):
    one refusal a cell.  *ids*: the column's text, stripped; *joined*: ``"\\0".join(ids)`` when the reader took it
    (ASCII), checked at C speed (some 5 ms a million lines; other text, some 50 ms).

    >>> controlled_ids(["DTC-0022", "DTC\\x01-0024", "DTC\\x00-0025"], None)  # doctest: +NORMALIZE_WHITESPACE
    [(1, 'holds a control character (U+0001), which a workbook cannot store'),
     (2, 'holds a control character (U+0000), which a workbook cannot store')]
    """
    if joined is not None and joined.isascii():  # (left: the NULs that join the ids, and any of an id's own, 176)
        if len(joined.encode("ascii").translate(None, _ID_BYTES)) == len(ids) - 1:
            return []
    elif not _CONTROLLED.search("".join(ids)):
        return []
    return [(i, unstorable(h, controls=True)) for i, h in enumerate(ids)
            if _CONTROLLED.search(h) and "\r" not in h and "\n" not in h]


def _look_alikes(ids: Sequence[str], row_of: Callable[[int], int], text: str) -> list[tuple[int, str]]:
    """(line, why) of each id that prints as an earlier line's other id does: alike once compatibility forms are
    folded (NFKC), invisible format characters dropped, look-alike dashes and letters taken for the ASCII ones.
    *text*: the ids joined.  Text outside ASCII that holds none of those (names with accents, the usual) is passed
    at C speed: its distinct characters alone are looked at."""
    odd = {c for c in set(text) if not c.isascii() and (c in _SEEN_AS or unicodedata.category(c) in ("Cf", "Mn"))}
    if not odd and unicodedata.is_normalized("NFKC", text):
        return []
    folded = set(unicodedata.normalize("NFKC", text))
    table = {**_LOOK_ALIKE, **{ord(c): None for c in folded if unicodedata.category(c) == "Cf"}}
    first: dict[str, tuple[int, str]] = {}
    out = []
    for i, h in enumerate(ids):
        j, seen = first.setdefault(h if h.isascii() else unicodedata.normalize("NFKC", h).translate(table), (i, h))
        if seen != h:
            odd = sorted({c for c in h + seen if not c.isascii()} - (set(h) & set(seen)))
            named = ", ".join(map(character, odd[:2]))
            out.append((i, f"{LOOKS_LIKE}{row_of(j)} ({seen!r}) but differs in {named}: the two "
                           "would count as two holders; give the one id on both lines"))
    return out


def case_twins(ids: Sequence[str], row_of: Callable[[int], int], joined: str | None = None) -> list[tuple[int, str]]:
    """(line, why) of each holder id that differs from an earlier line's only in letter case, in line order: Excel
    compares text without regard to case, so a workbook's per-holder totals would join two holders the engine keeps
    apart (a tally refused by ``build`` and ``refresh``, :func:`xlpy.workbook.data.holder_problems`; the holder
    table typed into, by its cells).  *joined*: the ids joined by any separator, when the caller has them so."""
    text = "".join(ids) if joined is None else joined
    # ASCII ids all in one case (the usual DTC-0101) cannot differ only in case; else compare them.
    one_case = text.isascii() and (text == text.upper() or text == text.lower())
    if one_case or len(set(map(str.lower, ids))) == len(set(ids)):  # (else two spellings of one id: line by line)
        return []
    first: dict[str, tuple[int, str]] = {}
    out = []
    for i, h in enumerate(ids):
        j, seen = first.setdefault(h.lower(), (i, h))
        if seen != h:
            out.append((i, _CASE.format(row_of(j), seen)))
    return out


def case_twins_warning(table) -> str | None:
    """The warning ``compute``, ``release`` and ``entries`` give of an offer file's holder tally (a
    :class:`~xlpy.engine.model.HolderTable`) whose ids differ only in letter case (:func:`case_twins`): its
    figures count two holders where a workbook's formulas would count one, and ``build`` and ``refresh`` refuse
    it, so a release drafted from them must not differ from the workbook's unsaid.  The first such line, by its
    row and the file's header, and how many more; None when there is none."""
    rows = getattr(table, "_rows", None)  # each line's row in the file, as the reader saw it
    row_of = rows.__getitem__ if rows is not None else (lambda i: i + 2)
    twins = case_twins(table.holder_id, row_of)
    if not twins:
        return None
    i, why = twins[0]
    more = f"; and {len(twins) - 1:,} more line(s) so" if len(twins) > 1 else ""
    return (f"{table.source or 'tally'}: row {row_of(i)}, column {getattr(table, '_id_header', 'holder_id')}: {why}, "
            f"got {table.holder_id[i]!r}{more} (these figures count them as two holders; build and refresh refuse "
            "the tally)")
