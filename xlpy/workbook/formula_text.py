"""Formulas compared by meaning, not by spelling.

A workbook saved by Excel or LibreOffice holds the formulas xlpy wrote, but
spelt the application's way: LibreOffice writes our worksheet functions in
lower case and the constant ``FALSE`` as ``FALSE()``; Excel puts ``_xlfn.``
in front of functions newer than Excel 2007, may add spaces, and stores a
filled-down column as one *shared formula* (ECMA-376 Part 1, 18.3.1.40: the
first cell holds the text, the others ``<f t="shared" si="n"/>`` and take the
master's formula with its relative references shifted to their own cell).

:func:`canonical` reduces a formula to a spelling-free form, from the tokens
of openpyxl's formula tokenizer (which follows Excel's grammar: strings,
sheet-qualified references, error literals and array constants are single
tokens, so nothing inside a string is ever rewritten):

* function names in upper case, without the ``_xlfn.``/``_xlws.`` prefixes
  (``_xlfn._xlws.SORT`` too);
* ``TRUE()``/``FALSE()`` as the constants ``TRUE``/``FALSE``;
* whitespace tokens dropped;
* names, references and error literals in upper case (Excel's names are not
  case-sensitive), sheet names without their optional quotes;
* numbers by value (``1.50`` is ``1.5``).

:func:`shifted` gives a shared formula's text for one of its cells;
:func:`row_shifter` gives it for every row of a filled-down column at the cost
of a string format each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator

__all__ = ["canonical", "same_formula", "boolean_formula", "shifted", "row_shifter", "FormulaTextError",
           "STRING_LITERAL"]

#: A formula's string literal, ``""`` inside it standing for one quote: a quick scan of a formula's text blanks
#: them first (``STRING_LITERAL.sub('""', formula)``), so nothing spelt inside a string is taken for a name,
#: a function's call or a number.
STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_PREFIXES = ("_XLFN.", "_XLWS.")
_QUOTED_SHEET = re.compile(r"^'((?:[^']|'')+)'!")


class FormulaTextError(ValueError):
    """A formula the tokenizer cannot read."""


def _function(name: str) -> str:
    name = name.upper()
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if name.startswith(p):
                name, changed = name[len(p):], True
    return name


def _operand(tok: Token) -> str:
    v = tok.value
    if tok.subtype == Token.TEXT:
        return v
    if tok.subtype == Token.NUMBER:
        try:
            return format(Decimal(v).normalize(), "f") if "e" not in v.lower() else str(Decimal(v).normalize())
        except InvalidOperation:
            return v
    if tok.subtype == Token.RANGE:
        m = _QUOTED_SHEET.match(v)
        if m and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", m.group(1)):
            v = m.group(1) + "!" + v[m.end():]
        return v.upper()
    return v.upper()  # LOGICAL, ERROR


def tokens(formula: str) -> list[tuple[str, str, str]]:
    """The formula's tokens as (type, subtype, canonical value), whitespace left out."""
    text = formula if formula.startswith("=") else "=" + formula
    try:
        toks = Tokenizer(text).items
    except Exception as exc:  # noqa: BLE001  (the tokenizer raises TokenizerError and plain ValueError/IndexError)
        raise FormulaTextError(f"cannot read formula {formula!r}: {exc}") from None
    out: list[tuple[str, str, str]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.type == Token.WSPACE:
            i += 1
            continue
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = _function(t.value[:-1])
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if name in ("TRUE", "FALSE") and nxt is not None and nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE:
                out.append((Token.OPERAND, Token.LOGICAL, name))
                i += 2
                continue
            out.append((t.type, t.subtype, name + "("))
        elif t.type == Token.OPERAND and t.subtype == Token.RANGE and t.value.upper() in ("TRUE", "FALSE"):
            out.append((t.type, Token.LOGICAL, t.value.upper()))  # the tokenizer knows only upper-case constants
        elif t.type == Token.OPERAND:
            out.append((t.type, t.subtype, _operand(t)))
        else:
            out.append((t.type, t.subtype, t.value))
        i += 1
    return out


def canonical(formula: str) -> str:
    """A formula's spelling-free form (see the module docstring); the same for two formulas that mean the same."""
    # Strings keep their quotes (the tokenizer's value), so a separator cannot be confused with text.
    return "=" + "\x1f".join(value for _, _, value in tokens(formula))


def same_formula(a: object, b: object) -> bool:
    """True when *a* and *b* are formulas (``=...``) that mean the same; False for anything else that differs."""
    if a == b:
        return True
    if not (isinstance(a, str) and isinstance(b, str) and a.startswith("=") and b.startswith("=")):
        return False
    try:
        return canonical(a) == canonical(b)
    except FormulaTextError:
        return False


def boolean_formula(value: object) -> bool | None:
    """True or False for ``=TRUE()``, ``=FALSE()``, ``=TRUE``, ``=FALSE`` (any case and spacing); else None."""
    if not (isinstance(value, str) and value.startswith("=")):
        return None
    try:
        toks = tokens(value)
    except FormulaTextError:
        return None
    if len(toks) == 1 and toks[0][:2] == (Token.OPERAND, Token.LOGICAL):
        return toks[0][2] == "TRUE"
    return None


def shifted(formula: str, origin: str, dest: str) -> str:
    """The text a shared formula whose master is at *origin* has in cell *dest* (ECMA-376 18.3.1.40).

    Relative references move by the distance between the two cells; absolute
    ones (``$A$1``) and names stay.  *formula* may be given with or without ``=``;
    the result is given the same way.
    """
    bare = not formula.startswith("=")
    out = Translator("=" + formula if bare else formula, origin=origin).translate_formula(dest)
    return out[1:] if bare else out


_CELL_PART = re.compile(r"(\$?[A-Za-z]{1,3}\$?)(\d+)")
_ROW_PART = re.compile(r"(\$?)(\d+)")


def row_shifter(formula: str, origin: str, last_row: int) -> Callable[[int], str] | None:
    """What :func:`shifted` gives for the cells below *origin* in its column, as one function of the row.

    *formula* (with ``=``) is a shared formula's master text at *origin*
    (``"G21"``); the function gives its text in row *r* of the same column,
    for rows up to *last_row*.  Each relative row number in the formula's
    references (found by openpyxl's tokenizer, names and strings left alone)
    becomes a slot, so a column of 100,000 cells costs a string format each,
    not a tokenizer run each.  The function is checked against :func:`shifted`
    at the first and the last row it serves; None when it differs there, or
    when the formula cannot be read (the caller shifts cell by cell).
    """
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", origin)
    if m is None or not formula.startswith("="):
        return None
    col, row0 = m.group(1), int(m.group(2))
    try:
        toks = Tokenizer(formula).items
    except Exception:  # noqa: BLE001  (the tokenizer raises TokenizerError and plain ValueError/IndexError)
        return None
    pieces, bases = ["="], []

    def slot(base: int) -> str:
        bases.append(base)
        return "{" + str(len(bases) - 1) + "}"

    for t in toks:
        value = t.value.replace("{", "{{").replace("}", "}}")
        if t.type == Token.OPERAND and t.subtype == Token.RANGE:
            sheet, bang, ref = value.rpartition("!")
            parts = []
            for part in ref.split(":"):
                c, r = _CELL_PART.fullmatch(part), _ROW_PART.fullmatch(part)
                if c and not c.group(1).endswith("$"):
                    part = c.group(1) + slot(int(c.group(2)))
                elif r and not r.group(1) and ":" in ref:
                    part = slot(int(r.group(2)))
                parts.append(part)
            value = sheet + bang + ":".join(parts)
        pieces.append(value)
    fmt = "".join(pieces)
    if not bases:
        text = fmt.format()
        at: Callable[[int], str] = lambda r: text
    else:
        def at(r: int) -> str:
            return fmt.format(*map((r - row0).__add__, bases))
    for r in {row0 + 1, last_row}:
        if r > row0:
            try:
                want = shifted(formula, origin, f"{col}{r}")
            except Exception:  # noqa: BLE001  (a reference shifted off the sheet: leave it to the caller)
                return None
            if at(r) != want:
                return None
    return at
