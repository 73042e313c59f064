"""XML text as it reads: the five entities XML names and character references (``&#8203;``, ``&#x200B;``) replaced,
in one pass (``&amp;#8203;`` is the seven characters typed, not a zero-width space).

Read from a sheet's text by :mod:`xlpy.workbook.package` (a long table's cells, a cell's inline or formula text)
and :mod:`xlpy.workbook.fastload`.  A writer may give any character as a reference (openpyxl gives every one
outside ASCII so, ``&#233;`` for ``é``), which the standard library's ``xml.sax.saxutils.unescape`` leaves as it
is: a holder id with an accent, or a zero-width space, was read from the sheet's text as ``&#214;lund`` or
``DTC-0022&#8203;``, where openpyxl's reader gives ``Ölund`` and ``DTC-0022\u200b``.
"""

from __future__ import annotations

import re

__all__ = ["unescape"]

_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    """*text*, XML's, as it reads (text without an ``&``, most of a sheet's, as it is: a long table's hundreds of
    thousands of cells are read through here)."""
    return _ENTITY.sub(_one, text) if "&" in text else text


def _one(m: re.Match) -> str:
    e = m.group(1)
    if e[0] != "#":
        return _NAMED[e]
    code = int(e[2:], 16) if e[1] == "x" else int(e[1:])
    return chr(code) if code <= 0x10FFFF else m.group(0)  # (past Unicode: no character; the text as written)
