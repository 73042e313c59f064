"""The words of a tally's totals rows, for :mod:`xlpy.files.totals` and :mod:`xlpy.files.pages`: which words make a
line a total (in English, and as German, French, Dutch, Italian and Spanish Excel and LibreOffice label their
subtotals), how an id is read (its totals word at its start or end, its qualifiers, the holder a subtotal row names),
and what a line judged a total is told.  The names with a leading underscore are this module's own; the rest
are public, as those two modules use them.
"""

from __future__ import annotations

import json
import re

__all__ = ["ADDED", "ANY", "ANY_WORDS", "CANDIDATE", "COUNTED", "COUNT_LABEL_WORDS", "ENDS_IN_COUNT", "FIRST", "FOOTER",
           "GRAND", "GRAND_WORDS", "HOLDER", "LABEL", "LABEL_WORDS", "LAST", "MAIN", "PAGE", "REPEATED",
           "SHORT_ACCOUNT", "SHORT_ENDS", "TOKEN", "TOTALS_WORDS", "bare", "label", "named_holders", "way_out",
           "without_qualifiers", "word_inside"]

#: Words that make a line a total wherever they stand in its id (English, and as German, French, Dutch,
#: Italian and Spanish Excel, and LibreOffice, label their subtotals).
TOTALS_WORDS = ("total", "totals", "subtotal", "subtotals", "grandtotal", "sum", "summe", "zwischensumme", "gesamt",
                "gesamtsumme", "insgesamt", "ergebnis", "gesamtergebnis", "somme", "totaal", "eindtotaal", "subtotaal",
                "totale", "suma",
                "aggregate", "summary", "ttl", "tot", "count", "anzahl", "gesamtanzahl")
#: Words that may stand beside a totals word in a label that is a total whatever its units (``Grand Total``, and
#: ``Overall``, ``Report``, ``Final``, ``Combined`` and ``Cumulative Total`` as the words of :data:`GRAND_WORDS`).
LABEL_WORDS = frozenset(TOTALS_WORDS + ("grand", "sub", "general", "général", "generale", "overall", "report",
                                        "final", "combined", "cumulative"))
#: The substrings one of which any id with a totals word holds: a tally holding none is passed over at once.
ANY = ("tota", "sum", "gesamt", "ergebnis", "somme", "aggregate", "holders", "accounts", "anzahl")
#: The short totals words, found as words only (``Account``, ``Seattle``, ``Tottenham`` hold none): each pattern begins
#: with its word, so it is searched for at C speed as a string is.
ANY_WORDS = tuple((w, re.compile(rf"{w}(?<!\w{w})(?!\w)")) for w in ("tot", "ttl", "count"))
_WORDS = "|".join(sorted(TOTALS_WORDS, key=len, reverse=True)) + r"|all[^\w\0]+(?:holders|accounts)"
_NOT_WORD = r"[^\w\0]*"  # within one line: spaces and punctuation
#: An id holding a totals word (letters and digits: ``SUM001`` is one word) anywhere.
CANDIDATE = re.compile(rf"[^\0]*?(?<!\w)(?:{_WORDS})(?!\w)[^\0]*")
#: An id headed by a totals word (``Grand Total`` too).
FIRST = re.compile(rf"{_NOT_WORD}(?:(?:grand|general)[^\w\0]+)?(?:{_WORDS})(?!\w)")
LAST = re.compile(rf"(?<!\w)(?:{_WORDS}){_NOT_WORD}\Z")
#: Words that make a line holding a totals word the file's grand total, as a label does (``Overall Total``).
GRAND_WORDS = frozenset(("grand", "overall", "general", "report", "final", "combined", "cumulative"))
#: The short totals words: an id holding only these is a total only in the shapes :func:`_short_holder` names.
_SHORT = ("tot", "ttl", "count")
#: An id holding a totals word other than the short ones and Count's (``Anzahl``, as German Excel writes Count).
MAIN = re.compile(r"(?<!\w)(?:%s|all[^\w\0]+(?:holders|accounts))(?!\w)" % "|".join(
    sorted(set(TOTALS_WORDS) - set(_SHORT) - {"anzahl"}, key=len, reverse=True)))
#: An id (without its qualifiers) beginning or ending with TTL or Tot (``TTL DTC``, ``DTC TTL``, ``CEDE Tot.``).
SHORT_ENDS = re.compile(r"\W*(?:tot|ttl)(?!\w)|[^\0]*(?<!\w)(?:tot|ttl)\W*\Z")
#: An account number headed TOT or TTL (``TOT-74898``, ``TTL001``): a name.
SHORT_ACCOUNT = re.compile(r"(?:tot|ttl)(?:[-_ ]?[0-9]+|[-_/]?(?=[\w\-/]*[0-9])\w[\w\-/]*)")
#: The words before Count in a count footer, a total whatever its units (``Holder count: 3``, ``Record Count``,
#: ``Shareholder Count``, ``Share Count``, ``Number of holders: Count``).
COUNT_LABEL_WORDS = frozenset((
    "holder", "holders", "shareholder", "shareholders", "record", "records", "row", "rows", "line", "lines",
    "account", "accounts", "participant", "participants", "investor", "investors", "client", "clients",
    "beneficial", "owner", "owners", "instruction", "instructions", "voi", "position", "positions", "tender",
    "tenders", "tendered", "share", "shares", "unit", "units", "note", "notes", "number", "of", "no", "total",
    "grand", "sub"))
TOKEN = re.compile(r"\w+")
#: An id ending in Count, as Excel's Data > Subtotal labels a subtotal made with the function Count (``A Count``;
#: ``A Anzahl`` in German Excel).
ENDS_IN_COUNT = re.compile(r"(?<!\w)(?:count|anzahl)\W*(?:[0-9]+\W*)?\Z")
#: Words that may follow a totals word in a total's id (``DTC total tendered``, ``Total 4 holders as of 2/19``,
#: ``DTC Total - Feb 19, 2004``, ``DTC Total Qty``): of status, count, quantity and date.
_QUALIFIER_WORDS = frozenset((
    "tendered", "withdrawn", "accepted", "rejected", "defective", "deficient", "pending", "valid", "invalid",
    "guaranteed", "delivery", "delivered", "book", "entry", "certificated", "certificate", "certificates", "final",
    "shares", "share", "shs", "sh", "units", "unit", "notes", "holders", "holder", "accounts", "account", "accts",
    "acct", "lines", "line", "records", "positions", "qty", "quantity", "amount", "amt", "count", "no", "nr",
    "only", "as", "of", "at", "on", "per", "to", "for", "by", "thru", "through", "date", "day", "days",
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
    "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december"))
#: Qualifiers that make a totals word a label whatever the units (``Total holders``, ``Total tendered``).
_LABEL_QUALIFIERS = frozenset(("tendered", "withdrawn", "accepted", "rejected", "defective", "guaranteed", "shares",
                               "shs", "units", "notes", "holders", "accounts", "accts", "lines", "records", "positions",
                               "qty", "quantity", "amount"))
_ORDINAL = re.compile(r"[0-9]+(?:st|nd|rd|th)")
_CLOSING = {")": "(", "]": "[", "}": "{"}
_SPACES_BACKWARDS = re.compile(r"[^\w)\]}]*")  # (what stands between qualifiers, read backwards)
_TOKEN_BACKWARDS = re.compile(r"[\w/.\-]*[^\W_][\w/.\-]*")  # a word, number or date (not _ alone)
_PARTS = re.compile(r"[/.\-_]")

#: What a line judged a total is told, and both ways out ({holder}: :func:`way_out`).
LABEL = "looks like a totals row, not a holder: delete it if it is one{holder}"
ADDED = "looks like a totals row, not a holder: its units are those of {} added up; delete it if it is one{holder}"
COUNTED = ("looks like a totals row, not a holder: its units are a count of the lines of {} (Excel's Count subtotal); "
           "delete it if it is one{holder}")
REPEATED = ("looks like a totals row, not a holder: its id and units are those of row {}, a total (repeated in a "
            "summary); delete it if it is one{holder}")
PAGE = ("looks like a totals row, not a holder: its units are those of {} added up, the lines since the line before "
        "of its id (a page total), as row {}'s are; delete it if it is one{holder}")
GRAND = ("looks like a totals row, not a holder: its units are those of the page totals of its id ({}) added up; "
         "delete it if it is one{holder}")
#: The last line's, whatever its id (:func:`xlpy.files.totals._footer`): to be deleted if a totals row, as its
#: units alone do not prove (a holder's may add up the rest's).
FOOTER = ("looks like a totals row at the foot of the tally, not a holder: its units are those of {} added up; delete "
          "it if it is a totals row{holder}")
HOLDER = "; if it is a holder, name it in a mapping file's [holders] not_totals list (not_totals = [{}])"


def way_out(holder_id: str) -> str:
    """The holder's way out of a line judged a total (:data:`HOLDER`, its *holder_id* as a TOML string), or nothing
    for an empty id, which names no holder (a totals row's, as ``,274000,,``: told to name its holder already)."""
    return HOLDER.format(json.dumps(holder_id, ensure_ascii=False)) if holder_id else ""


def named_holders(text: str, core: str) -> list[str]:
    """The holders (bare) a subtotal row's id (case-folded; *core* without its qualifiers) may name: the id but its
    totals word or Count at the end (``Acme Total``, ``Acme Count``), or at the start (``Total Acme``)."""
    count = ENDS_IN_COUNT.search(text)
    if count is not None:
        return [bare(text[:count.start()])]
    names = [bare(LAST.sub("", core))] if LAST.search(core) else []
    first = FIRST.match(text)
    if first is not None:  # the name as written, and without its qualifiers (Total A (2 holders))
        names += [bare(text[first.end():]), bare(core[first.end():])]
    return [name for name in dict.fromkeys(names) if name]


def bare(text: str) -> str:
    """A name as a subtotal's label repeats it, without the spaces and punctuation at its ends (``Acme Inc.``
    heads ``Acme Inc. Count``)."""
    return text.strip(" \t-–—:*.,;")


def label(text: str, core: str) -> bool:
    """Whether an id (*text*; *core* without its qualifiers) is a totals label and qualifiers of status or count
    (``Total holders``, ``Grand Total (4 holders)``, ``Total tendered``, ``Count of holders``): a total whatever its
    units.  ``Sum May``, ``Total 2``, ``+SUM(A1:A9)`` are none: names, or a formula's text, judged by their units."""
    if not TOKEN.search(core):  # (a word of count, itself a qualifier, heads it: Count of holders)
        word = TOKEN.search(text)
        core = text[:word.end()] if word else core
    words = set(TOKEN.findall(core))
    return bool(words) and words <= LABEL_WORDS and bool(_LABEL_QUALIFIERS & set(TOKEN.findall(text[len(core):])))


def word_inside(text: str, core: str | None = None) -> bool:
    """Whether the (case-folded) id holds its totals word inside only: neither first (``Grand Total``, ``All
    holders`` too) nor last, before any qualifiers (``DTC Subtotal (2 holders)``, ``A-1 Total 2/19``, ``DTC
    total tendered`` end with theirs)."""
    return not FIRST.match(text) and not LAST.search(text) and not LAST.search(
        without_qualifiers(text) if core is None else core)


def without_qualifiers(text: str) -> str:
    """The (case-folded) id without the qualifiers that end it: remarks in brackets, nested or not (``(2
    holders)``), numbers, ordinals and dates (``2/19``, ``19-feb-2004``, ``2nd``), and words of
    :data:`_QUALIFIER_WORDS`.  Read from the end (the id reversed, matched a token at a time), each character
    once: a long id costs no more than a short one."""
    backwards, at = text[::-1], 0
    while at < len(backwards):
        j = _SPACES_BACKWARDS.match(backwards, at).end()  # spaces and punctuation
        if j < len(backwards) and backwards[j] in _CLOSING:  # a remark in brackets, back to its opening one
            closing, opening, depth, k = backwards[j], _CLOSING[backwards[j]], 0, j
            while k < len(backwards):
                depth += (backwards[k] == closing) - (backwards[k] == opening)
                k += 1
                if not depth:
                    break
            if depth:  # (never opened)
                break
            at = k
            continue
        token = _TOKEN_BACKWARDS.match(backwards, j)
        if token is None or not all(p.isdigit() or p in _QUALIFIER_WORDS or _ORDINAL.fullmatch(p)
                                    for p in _PARTS.split(token.group()[::-1]) if p):
            break
        at = token.end()
    return text[:len(text) - at]
