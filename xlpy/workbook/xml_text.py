"""XML text as it reads: the five entities XML names and character references (``&#8203;``, ``&#x200B;``) replaced,
in one pass (``&amp;#8203;`` is the seven characters typed, not a zero-width space).

Read from a sheet's text by :mod:`xlpy.workbook.package` (a long table's cells, a cell's inline or formula text)
and :mod:`xlpy.workbook.fastload`.  A writer may give any character as a reference (openpyxl gives every one
outside ASCII so, ``&#233;`` for ``é``), which the standard library's ``xml.sax.saxutils.unescape`` leaves as it
is: a holder id with an accent, or a zero-width space, was read from the sheet's text as ``&#214;lund`` or
``DTC-0022&#8203;``, where openpyxl's reader gives ``Ölund`` and ``DTC-0022\u200b``.

A workbook's shared strings of plain text (:func:`plain_strings`) are read here too, as openpyxl's reader gives
them.
"""

from __future__ import annotations

import re

__all__ = ["boolean", "plain_strings", "unescape"]

_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    """*text*, XML's, as it reads (text without an ``&``, most of a sheet's, as it is: a long table's hundreds of
    thousands of cells are read through here).  Text with no character reference, such as the formulas LibreOffice
    writes out (``IF(F500=&quot;tendered&quot;,D500,0)``, a million entities in a 100,000-line table), has the five
    named entities replaced in turn, ``&amp;`` last so that ``&amp;lt;`` reads ``&lt;``: the same text, without a
    call a match."""
    if "&" not in text:
        return text
    if "&#" not in text:
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
                   .replace("&amp;", "&")
    return _ENTITY.sub(_one, text)


def _one(m: re.Match) -> str:
    e = m.group(1)
    if e[0] != "#":
        return _NAMED[e]
    code = int(e[2:], 16) if e[1] == "x" else int(e[1:])
    return chr(code) if code <= 0x10FFFF else m.group(0)  # (past Unicode: no character; the text as written)


def boolean(text: str) -> bool:
    """A boolean cell's value (``t="b"``) as openpyxl's reader reads it: ``bool(int(text))``, so ``2`` and ``01``
    are true as ``1`` is; ``true`` and ``false``, which openpyxl refuses, as they say."""
    try:
        return bool(int(text))
    except ValueError:
        return text.strip() == "true"


#: A shared-strings part of plain text alone, as Excel and LibreOffice write one: an XML declaration, then ``<sst>``
#: in the main namespace holding ``<si><t>text</t></si>`` after one another, nothing between them (white space
#: outside it as XML counts it: not Python's ``\s``, which takes U+3000 and the like too).
_PLAIN_SST = re.compile(
    r'(?:<\?xml version="1\.0"(?: encoding="[Uu][Tt][Ff]-8")?(?: standalone="yes")?\?>)?[ \t\r\n]*'
    r'<sst xmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"(?: count="[0-9]+")?'
    r'(?: uniqueCount="[0-9]+")?>((?:<si><t(?: xml:space="preserve")?>[^<]*</t></si>)*)</sst>[ \t\r\n]*')
_SI_TEXT = re.compile(r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
#: What a parser would read otherwise or refuse, beside a CR (it reads a line feed), a character reference and
#: "]]>" (each found by a plain search): a character XML does not allow, an ampersand of no named entity.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)")


def plain_strings(data: bytes) -> list[str] | None:
    """The strings of the shared-strings part *data* as openpyxl's reader gives them, when the part holds plain text
    alone (:data:`_PLAIN_SST`), read by one pattern: a 100,000-line table's holder ids, saved by LibreOffice, took
    openpyxl's reader about a second.  None for any other part (rich text, another form): openpyxl's reader then
    (:func:`xlpy.workbook.openpyxl_access.load_workbook`, :mod:`xlpy.workbook.fastload`)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    whole = _PLAIN_SST.fullmatch(text)
    if whole is None:
        return None
    body = whole.group(1)
    if "\r" in body or "&#" in body or "]]>" in body or _NOT_XML.search(body) or _BARE_AMPERSAND.search(body):
        return None
    return [unescape(t).replace("x005F_", "") for t in _SI_TEXT.findall(body)]  # (openpyxl's own replace)
