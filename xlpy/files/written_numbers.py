"""Numbers as data files write them: the separator a CSV export uses, and whole numbers and prices read from its
text without guessing.

A file separated by semicolons (the default in many European locales) writes
a decimal comma and groups thousands with dots or spaces; a comma- or
tab-separated file (or a spreadsheet's cell of text) writes a decimal point.
A lone mark before exactly three digits could be either convention's, and is
refused, never guessed (:func:`ambiguous_whole`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..engine.errors import InputError
from ..engine.numbers import to_decimal
from . import typed

__all__ = ["GROUPED", "NOT_DIGITS", "NOT_GROUPED", "WHOLE_CELLS", "WHOLE_LIMIT", "ambiguous_whole", "delimiter",
           "lone_group", "european_number", "european_whole", "separated", "spaced_whole", "whole_cell", "wide_row"]


def delimiter(header_line: str) -> str:
    """The separator a CSV export uses, read from its header line.

    Comma unless the header has more semicolons (the default in many European
    locales) or tabs outside quoted names.

    >>> delimiter("Holder;Units;Status"), delimiter('"Smith; J",Units'), delimiter("date\\tprice")
    (';', ',', '\\t')
    """
    bare = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: bare.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def european_number(text: str) -> str:
    """A number written with a decimal comma (``7,39``; ``1.234,5``) in the form :func:`to_decimal` reads.

    Used only for files separated by semicolons, where the comma is the decimal
    mark and dots or spaces (a no-break space too, as a French export writes
    it) separate thousands, in groups of three; anything else is left as it is
    for the reader to refuse, never guessed.

    >>> european_number("7,39"), european_number("1.234,5"), european_number("7.39"), european_number("1.500.000")
    ('7.39', '1234.5', '7.39', '1500000')
    >>> european_number("2\xa0517\xa0000"), european_number("2 517 000,00"), european_number("25 17,0")
    ('2517000', '2517000.00', '25 17,0')
    """
    text = text.strip()
    if _SPACED.fullmatch(text):
        text = re.sub(r"[ \xa0\u202f]", "", text)
    elif re.search(r"\s", text):
        return text  # 25 17,0: not groups of three
    if "," not in text:  # 7.39 as written; 1.500.000 (dots between groups of three) is thousands
        return text.replace(".", "") if GROUPED.fullmatch(text) and text.count(".") > 1 else text
    if "." in text and not GROUPED.fullmatch(text):
        return text  # 1.2.3,5: not a European number
    return text.replace(".", "").replace(",", ".")


#: Spaces between groups of three digits (``2 517 000,00``; a no-break or narrow no-break space alike).
_SPACED = re.compile(r"[+-]?[0-9]{1,3}(?:[ \xa0\u202f][0-9]{3})+(?:,[0-9]*)?")


#: A whole number with ``.`` between groups of three digits (``1.000``, ``280.000,0``), as a ';' file writes it.
GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:[.][0-9]{3})+(?:,[0-9]*)?")
#: Whole numbers in a data file (tally units, counts) are below this: Excel holds 15 digits exactly.
WHOLE_LIMIT = 10**15
#: How a data file's whole number is read: text or a spreadsheet's number.
WHOLE_CELLS = typed.Scheme(text_numbers=True)
NOT_GROUPED = ("must be a whole number, with '.' or spaces only between groups of three digits (1.000, 1 000) in a "
               "';'-separated file")
NOT_DIGITS = "must be a whole number written in the digits 0-9"


def european_whole(text: str) -> str | None:
    """A whole number from a file separated by semicolons, in the form :func:`to_decimal` reads.

    There ``.`` or a space (a no-break or narrow no-break space too, as a
    French export writes it) separates thousands, in groups of three, and
    ``,`` is the decimal mark; None when the dots or spaces are not exactly
    such groups (``1.00``: a decimal point or a typing slip, never guessed).

    >>> european_whole("280.000"), european_whole("10,5"), european_whole("1.00"), european_whole("1000")
    ('280000', '10.5', None, '1000')
    >>> european_whole("270 000"), european_whole("2\u202f500"), european_whole("27 00")
    ('270000', '2500', None)
    """
    text = text.strip()
    if _SPACED.fullmatch(text):
        return re.sub(r"[ \xa0\u202f]", "", text).replace(",", ".")
    if re.search(r"\s", text):
        return None
    if "." in text:
        if not GROUPED.fullmatch(text):
            return None
        text = text.replace(".", "")
    return text.replace(",", ".")


_EXPONENT = re.compile(r"[0-9.][eE][+-]?[0-9]")
#: One group of three digits after a lone decimal mark: ``1.000`` (``.``) or ``1,000`` (``,``).
_ONE_GROUP = {".": re.compile(r"[+-]?[0-9]{1,3}[.][0-9]{3}"), ",": re.compile(r"[+-]?[0-9]{1,3},[0-9]{3}")}


def separated(sep: str) -> str:
    """How a problem names a file separated by *sep* ("": a spreadsheet's cell of text)."""
    return {";": "a ';'-separated file", ",": "a ','-separated file", "\t": "a tab-separated file"}.get(
        sep, "a cell of text")


def lone_group(text: str, mark: str) -> tuple[str, str] | None:
    """(the digits before *mark*, the three after) when *text* is one group of three digits after a lone *mark*
    (``1.000``, ``8,306``): a thousands separator in one convention, a decimal mark in the other; else None."""
    text = text.strip()
    if not _ONE_GROUP[mark].fullmatch(text):
        return None
    whole, group = text.split(mark)
    return whole, group


def ambiguous_whole(text: str, sep: str) -> str:
    """Why *text*, a whole number in a file separated by *sep*, could be either of two numbers ("" when it cannot).

    A lone decimal mark before exactly three digits is a thousands separator
    in the other convention: ``1.000`` in a comma or tab file (or a
    spreadsheet's cell of text) is 1000 in a German export and 1 with a
    decimal point; ``1,000`` in a ';' file likewise.  Never guessed.

    >>> ambiguous_whole("25.000", "\\t")
    'could be thousands or decimals in a tab-separated file: write 25000 or 25, not 25.000'
    >>> ambiguous_whole("1.500", "")  # (1.5 is no count: only the thousands are offered)
    'could be thousands or decimals in a cell of text: write 1500 (as a decimal, 1.5 is no whole number), not 1.500'
    >>> ambiguous_whole("1.000", ";"), ambiguous_whole("1.00", ","), ambiguous_whole("1234.000", ",")
    ('', '', '')
    """
    mark = "," if sep == ";" else "."
    parts = lone_group(text, mark)
    if parts is None:
        return ""
    whole, group = parts
    decimals = group.rstrip("0")
    other = f" (as a decimal, {whole}{mark}{decimals} is no whole number)" if decimals else f" or {whole}"
    return f"could be thousands or decimals in {separated(sep)}: write {whole}{group}{other}, not {text.strip()}"


def spaced_whole(text: str, sep: str) -> str:
    """Why *text*, a whole number in a file separated by *sep* other than ``;``, is refused when spaces separate its
    thousands (``2 500``), as only a ';' file writes them; "" otherwise.

    >>> spaced_whole("2 500", "\\t").removeprefix("must be a number: ")
    "spaces separate thousands only in a ';'-separated file, not in a tab-separated file: write 2500, not 2 500"
    >>> spaced_whole("2 500", ";"), spaced_whole("25 00", ","), spaced_whole("2500", ",")
    ('', '', '')
    """
    plain = text.strip()
    if sep == ";" or not _SPACED_WHOLE.fullmatch(plain):
        return ""
    digits = "".join(plain.split())  # (str.split: a no-break space too)
    return (f"must be a number: spaces separate thousands only in a ';'-separated file, not in {separated(sep)}: "
            f"write {digits}, not {plain}")


#: A whole number with spaces between groups of three digits (``2 500``; a no-break space too).
_SPACED_WHOLE = re.compile(r"[+-]?[0-9]{1,3}(?:[ \xa0\u202f][0-9]{3})+")


def whole_cell(value: object, sep: str = "", scheme: typed.Scheme = WHOLE_CELLS) -> tuple[int | None, str]:
    """A data file's whole number: ``(number, "")``, or ``(None, reason)``.

    *sep* is the separator of the CSV file it comes from ("" for a
    spreadsheet's cell).  Text must be ASCII and not ambiguous
    (:func:`ambiguous_whole`); a file separated by semicolons is read by
    :func:`european_whole`; the number must be whole, not negative and below
    :data:`WHOLE_LIMIT`, checked before it is made an ``int`` (``1e10000000``
    is refused at once).  *scheme* says which cells are blank.
    """
    if type(value) is str:
        if _EXPONENT.search(value):  # 1e5: digits, please (and 1e10000000 is never made)
            return None, NOT_DIGITS
        ambiguous = ambiguous_whole(value, sep) or spaced_whole(value, sep)
        if ambiguous:
            return None, ambiguous
        if sep == ";" and value.strip() not in scheme.blank:
            value = european_whole(value)
            if value is None:
                return None, NOT_GROUPED
        if not value.isascii():
            return None, NOT_DIGITS
        plain = value.strip()
        if plain.isdigit() and len(plain.lstrip("0")) > 15:  # digits past any count (and past exact decimals)
            return None, f"must be below {WHOLE_LIMIT:,} (Excel holds 15 digits exactly)"
        try:  # the size first: abs() or int() of a huge number overflows or takes minutes
            if to_decimal(value, "").adjusted() >= 15:
                return None, f"must be below {WHOLE_LIMIT:,} (Excel holds 15 digits exactly)"
        except InputError:
            pass  # the reader says why
    r = typed.one(value, "", scheme)
    number = r.whole("", below=WHOLE_LIMIT)
    return (None, r.problems[0].reason) if r.problems else (number, "")


def wide_row(name: str, line: int, row: Sequence, width: int, sep: str) -> InputError | None:
    """The problem of row *line* of file *name* holding more cells than its header's *width* (a stray separator:
    ``1,845,000`` unquoted in a comma file, ``8,45`` there), which would shift or drop a figure; else None."""
    if len(row) <= width:
        return None
    return InputError(f"{name}: row {line}", (sep or ",").join(map(str, row)),
                      f"has {len(row):,} cells and the header {width:,}")
