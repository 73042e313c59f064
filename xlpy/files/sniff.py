"""What a data file is, from its first bytes: a workbook, UTF-16 or UTF-32 text, or text in an encoding.

The tally, counts and price readers ask here before they read, so a file
saved in the wrong form is named with how to save it, not misread.
"""

from __future__ import annotations

import codecs
import re
import zlib
from pathlib import Path

from ..engine.errors import InputError, InputErrors

__all__ = ["DEFAULT_ENCODING", "ENCODING_WANTED", "MAX_TOML_DEPTH", "NOT_CHARSETS", "NO_KIND", "blank_first_row",
           "blank_lines", "file_encoding", "first_line_problem", "given_workbook", "header_line", "not_utf8",
           "not_xlsx_problem", "nul_problem", "ole_problem", "other_kind", "text_encoding", "toml_data", "toml_text",
           "undecodable", "utf16_bom", "workbook_problem", "zip_no_workbook"]

#: A CSV file's encoding when its mapping file names none (UTF-8, its byte-order mark read past).
DEFAULT_ENCODING = "utf-8-sig"


#: Codecs Python counts as text encodings in which no file's characters are saved: a domain name's (IDNA, Punycode),
#: a mail's (UTF-7), Python's own escapes, and none at all (``undefined``; ``charmap`` without its table), by the
#: name :func:`codecs.lookup` gives them (``utf_7``, ``UTF7``: ``utf-7``).
NOT_CHARSETS = frozenset({"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "charmap"})
#: Why an encoding name given for a CSV file (a mapping file's ``encoding``) is refused: what it must be.
ENCODING_WANTED = "must be the name of a character set a CSV file is saved in (e.g. utf-8, cp1252, latin-1, utf-16)"


def text_encoding(name: object) -> bool:
    """Whether *name* names a character set a CSV file can be saved in: a codec that decodes bytes to text
    (``rot13`` and ``base64`` do not), none of :data:`NOT_CHARSETS` (``utf-7``, ``idna``, ``unicode_escape``).

    >>> [text_encoding(n) for n in ("cp1252", "UTF_16-le", "utf7", "idna", "unicode_escape", "rot13", "klingon", 5)]
    [True, True, False, False, False, False, False, False]
    """
    try:
        found = codecs.lookup(name) if isinstance(name, str) else None
    except (LookupError, ValueError):  # (ValueError: a name holding a NUL character)
        return False
    return found is not None and found._is_text_encoding and found.name not in NOT_CHARSETS


#: A file's first bytes that say it is a workbook, not text: a zip package (.xlsx), an OLE file (Excel 97-2003's .xls).
WORKBOOK_MAGIC = ((b"PK\x03\x04", "an Excel workbook (a zip package)"),
                  (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"))


#: The names of a workbook given where an offer file or a workbook goes: a file so named is read as a workbook
#: whatever it holds (text renamed .xlsm, an empty file: the workbook's reader says what it is instead).
WORKBOOK_SUFFIXES = (".xlsm", ".xlsx")


def given_workbook(path: Path) -> bool:
    """Whether *path*, given where an offer file (TOML) or a standard workbook goes (``xlpy compute``, ``release``,
    ``entries``), is to be read as a workbook: its first bytes say it is one (a zip package, an .xls), whatever its
    name (``offer.toml`` saved over by a workbook), or its name is a workbook's (:data:`WORKBOOK_SUFFIXES`); any
    other file is an offer file."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    start = _first_bytes(path) if path.is_file() else b""  # (a pipe is never opened here: nothing waits)
    return any(start.startswith(magic) for magic, _ in WORKBOOK_MAGIC)


def _first_bytes(path: Path, n: int = 8) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return b""  # (the reader says why)


def utf16_bom(path: Path) -> bool:
    """Whether *path* starts with a UTF-16 byte-order mark (FF FE or FE FF), as Excel's "Unicode Text" does."""
    return _first_bytes(path, 2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def toml_text(path: Path) -> str:
    """A TOML file's text (an offer file, a mapping file): UTF-8, or UTF-16 after its byte-order mark (Notepad's
    "Unicode", as a tally's "Unicode Text" is read); a UTF-8 byte-order mark (Notepad writes one) is not TOML
    and is dropped."""
    return path.read_text(encoding="utf-16" if utf16_bom(path) else "utf-8-sig")


#: How deep a TOML file may nest arrays and tables within one another: an offer file's keys nest a few deep;
#: a thousand ``[`` ran Python's TOML reader out of stack (a RecursionError traceback).
MAX_TOML_DEPTH = 32


def toml_data(text: str, name: str, **options) -> dict:
    """The data of the TOML *text* of the file *name* (``tomllib.loads`` with *options*), or one line saying why
    not: not valid TOML, or nested more than :data:`MAX_TOML_DEPTH` deep."""
    import tomllib

    deep = InputError(name, None, f"nests arrays or tables within one another more than {MAX_TOML_DEPTH} deep, "
                      "which no key of xlpy's is: it is not read", show_value=False)
    try:
        data = tomllib.loads(text, **options)
    except tomllib.TOMLDecodeError as exc:  # (the line it names shown too: the key and the value at fault)
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        lines = text.split("\n")  # (TOML counts lines by LF alone: not U+2028, NEL or a form feed)
        line = lines[int(at.group(1)) - 1].strip() if at and 0 < int(at.group(1)) <= len(lines) else None
        if line and "#" in line and not {'"', "'"} & set(line):  # (its comment is no matter)
            line = line.split("#")[0].rstrip() or line
        why = toml_reason(str(exc), lines, int(at.group(1)) if at else 0)
        raise InputErrors([InputError(name, line, f"is not valid TOML: {why}", show_value=bool(line))]) from None
    except RecursionError:
        raise InputErrors([deep]) from None
    level = [data]  # (walked a level at a time, not recursively: its values are as deep as it parsed)
    for _ in range(MAX_TOML_DEPTH + 1):  # (a container MAX_TOML_DEPTH below the root is read; one more is not)
        level = [v for x in level for v in (x.values() if isinstance(x, dict) else x) if isinstance(v, (dict, list))]
        if not level:
            return data
    raise InputErrors([deep])


#: A key/value line of bare keys (``price = 7.40``, ``consideration.ratio = 7.94``): its key, spaces left out.
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=")
#: A table's header of bare keys (``[valuation]``, ``[[exchange]]``): its brackets and its name.
_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*\]\]?\s*(?:#.*)?")


def toml_reason(said: str, lines: list[str], at: int) -> str:
    """The TOML reader's reason *said* for the error at line *at* of *lines*, in a person's words where it is one
    recognised for sure (a table or a key given twice, quoted text not closed), else as the reader said it.

    >>> toml_reason("Cannot declare ('valuation',) twice (at line 3, column 11)", ["[valuation]", "", "[valuation]"], 3)
    'the table [valuation] is given twice (at line 3, column 11; first at line 1)'
    >>> toml_reason("Cannot overwrite a value (at line 3, column 8)", ["[valuation]", "price = 1", "price = 2"], 3)
    'valuation.price is given twice (at line 3, column 8; first at line 2)'
    >>> toml_reason("Illegal character '\\\\n' (at line 1, column 9)", ['issuer = "Hecla'], 1)
    'the quoted text on line 1 is not closed: a " is missing at its end (at line 1, column 9)'
    >>> toml_reason('Expected "\\'" (at end of document)', ["# Hecla's", "issuer = 'Hecla", "x = 1"], 0)
    "the quoted text on line 2 is not closed: a ' is missing at its end (the reader ran to the end of the file)"
    >>> toml_reason("Duplicate inline table key 'x' (at line 1, column 18)", ["a = {x = 1, x = 2}"], 1)
    'x is given twice in the inline table on line 1 (at line 1, column 18)'
    """
    where = said[said.rindex(" (at line "):] if " (at line " in said else ""
    line = lines[at - 1] if 0 < at <= len(lines) else ""
    if said.startswith("Illegal character '\\n'") and line.count('"') % 2 == 1:  # (a basic string runs to its end)
        return f'the quoted text on line {at} is not closed: a " is missing at its end{where}'
    if said == 'Expected "\'" (at end of document)':  # (a literal string runs to the file's end: the first line so)
        open_at = next((i for i, text in enumerate(lines, 1) if not text.lstrip().startswith("#") and
                        re.sub(r'"(?:[^"\\]|\\.)*"', "", text).count("'") % 2 == 1), None)  # (not in "...")
        return said if open_at is None else (f"the quoted text on line {open_at} is not closed: a ' is missing at its "
                                             "end (the reader ran to the end of the file)")
    inline = re.fullmatch(r"Duplicate inline table key '(.*)'", said.removesuffix(where))
    if inline:
        return f"{inline.group(1)} is given twice in the inline table on line {at}{where}"
    declared = re.fullmatch(r"Cannot declare (\(.*\)) twice", said.removesuffix(where))
    if declared:
        import ast

        try:
            table = ".".join(ast.literal_eval(declared.group(1)))
        except (ValueError, SyntaxError, TypeError):
            return said
        first = _first_line(lines[:at - 1], lambda m: m.group(1) == "[" and _bare(m.group(2)) == table, _HEADER)
        return f"the table [{table}] is given twice{where[:-1]}{first})"
    key = _KEY_LINE.match(line) if said.removesuffix(where) == "Cannot overwrite a value" else None
    if key is None:
        return said
    start = max((i for i, text in enumerate(lines[:at - 1]) if _HEADER.fullmatch(text)), default=-1)
    first = _first_line(lines[start + 1:at - 1], lambda m: _bare(m.group(1)) == _bare(key.group(1)), _KEY_LINE,
                        start + 1)
    if not first:
        return said  # (not given before in its table: another clash, told as the reader tells it)
    table = _HEADER.fullmatch(lines[start]) if start >= 0 else None
    named = _bare(key.group(1))
    if table:
        numbered = sum(1 for text in lines[:start + 1] if (m := _HEADER.fullmatch(text)) and m.group(1) == "[["
                       and _bare(m.group(2)) == _bare(table.group(2)))
        named = _bare(table.group(2)) + (f"[{numbered}]" if table.group(1) == "[[" else "") + "." + named
    return f"{named} is given twice{where[:-1]}{first})"


def _bare(key: str) -> str:
    """A dotted key of bare keys without its spaces: ``offer . consideration`` -> ``offer.consideration``."""
    return re.sub(r"\s+", "", key)


def _first_line(lines: list[str], same, pattern: re.Pattern, offset: int = 0) -> str:
    """``; first at line N``: the first of *lines* (line 1 at *offset*) that *pattern* matches as *same* says, or
    "" when none does."""
    for i, text in enumerate(lines):
        m = pattern.match(text) if pattern is _KEY_LINE else pattern.fullmatch(text)
        if m and same(m):
            return f"; first at line {offset + i + 1}"
    return ""


def not_utf8(field: str, exc: UnicodeError) -> InputError:
    """A TOML file that is not UTF-8 text (a cp1252 save, say), named with its first bad byte."""
    at = f" (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
    return InputError(field, None, f"is not UTF-8 text{at}; save it as UTF-8", show_value=False)


def encoding_name(encoding: str) -> str:
    """*encoding* as a message names it: ``UTF-8`` for the default ``utf-8-sig`` (its byte-order mark optional)."""
    return "UTF-8" if encoding.replace("_", "-").lower() in ("utf-8-sig", "utf8-sig", "utf-8", "utf8") else encoding


#: The bytes of a file :func:`utf8_given_another` looks at at once.
_UTF8_BLOCK = 1 << 23


def utf8_given_another(path: Path, encoding: str) -> InputError | None:
    """A problem naming *path* as UTF-8 text when a mapping file names another encoding for it (cp1252): the
    mapping recorded on yesterday's Windows export, today's file saved as Excel's "CSV UTF-8". Read as cp1252,
    ``Müller`` would become ``MÃ¼ller`` on the Tenders sheet, the figures right and the names wrong.  Read a
    block at a time: a tally 16,384 columns wide (Excel's, a stray cell in column XFD) is 328 MB at 20,000 lines."""
    try:
        if codecs.lookup(encoding).name.startswith("utf"):
            return None
    except LookupError:
        return None  # (the reader names the encoding)
    with open(path, "rb") as fh:
        data = fh.read(_UTF8_BLOCK)
        if data.startswith(codecs.BOM_UTF8):
            why = "starts with a UTF-8 byte-order mark"
        else:
            decoder, ascii = codecs.getincrementaldecoder("utf-8")(), True
            try:
                while data:
                    ascii = ascii and data.isascii()
                    if not ascii:
                        decoder.decode(data)
                    data = fh.read(_UTF8_BLOCK)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return None
            if ascii:
                return None  # (the same text either way)
            why = "is UTF-8 text"
    return InputError(path.name, None, f"{why}, but its mapping file names encoding {encoding}: remove encoding "
                      "from the mapping file (UTF-8 is the default), or save the file as that encoding",
                      show_value=False)


def file_encoding(path: Path, encoding: str) -> str:
    """*encoding*, or ``utf-16`` when it is the default and the file starts with a UTF-16 byte-order mark.

    A byte-order mark names UTF-16 unambiguously; an encoding a mapping file
    names is kept as given.
    """
    return "utf-16" if encoding == DEFAULT_ENCODING and utf16_bom(path) else encoding


#: The first part of an OpenDocument spreadsheet's package (.ods), as the standard has it: its name, ``mimetype``,
#: stored uncompressed, then its text.
_ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_ODS_NAME = "an OpenDocument spreadsheet (.ods)"


def workbook_problem(path: Path, advice: str) -> InputError | None:
    """A problem naming *path* as a workbook when its first bytes say it is one (*advice*: how to save it)."""
    start = _first_bytes(path, 128)
    for magic, what in WORKBOOK_MAGIC:
        if start.startswith(magic):
            what = _ODS_NAME if _ODS in start else zip_no_workbook(path) or what
            return InputError(path.name, None, f"is {what}, not CSV text: {advice}", show_value=False)
    return None


def not_xlsx_problem(path: Path) -> InputError | None:
    """A problem naming *path*, given for an XLSX, when its first bytes say it is an OpenDocument spreadsheet or
    text (a CSV renamed .xlsx): neither is a zip package of Excel's, whose reader's words would not say so."""
    start = _first_bytes(path, 128)
    if _ODS in start:
        return InputError(path.name, None, f"is {_ODS_NAME}, not XLSX: save it as .xlsx or .csv", show_value=False)
    if not start or any(start.startswith(magic) for magic, _ in WORKBOOK_MAGIC):
        return None
    if b"\0" in start and not utf16_bom(path):
        return None  # (not text: the XLSX reader says what it cannot read)
    return InputError(path.name, None, "is a text file, not an XLSX workbook: if it is CSV, rename it .csv",
                      show_value=False)


#: What :func:`other_kind` calls a file that is not empty, and neither a zip package nor another spreadsheet's file
#: (text, a PDF, a CSV renamed .xlsm): refresh, render and validate say it in these words alike.
NO_KIND = "a file of no kind xlpy knows (no zip package, as an .xlsx or .xlsm is, nor an .xls or an .ods)"
#: A text file named ``.toml`` given as the workbook: an offer file, what ``xlpy build`` makes the workbook from.
OFFER_KIND = "an offer file (TOML), which xlpy build makes the workbook from: give the workbook (.xlsm)"


def other_kind(path: Path, data: bytes | None = None) -> str | None:
    """What a file given as the standard workbook (*path*, or its bytes *data*) is instead, with what to do, when its
    first bytes say (an Excel 97-2003 workbook, one saved with a password to open, an OpenDocument spreadsheet, a
    zip package cut short, an empty file, an offer file (:data:`OFFER_KIND`, by its name) or :data:`NO_KIND`), or
    None: a zip package whose parts say the rest (or a file that could not be read: its reader says why)."""
    import io
    import zipfile

    start = data[:128] if data is not None else _first_bytes(path, 128)
    if not start and _empty(path, data):
        return "an empty file (0 bytes): a save or a copy that did not finish? take it from its backup or copy it again"
    if start.startswith(WORKBOOK_MAGIC[1][0]):
        if _ENCRYPTION_INFO in (data[:1 << 16] if data is not None else b"") or (
                data is None and _ole_holds(path, _ENCRYPTION_INFO)):
            return "a workbook saved with a password to open (encrypted): remove the password in Excel, save it again"
        return (f"{WORKBOOK_MAGIC[1][1]}, not the standard workbook: open it in Excel and save it as an Excel "
                "Macro-Enabled Workbook (.xlsm)")
    if _ODS in start:
        return (f"{_ODS_NAME}, LibreOffice's own format: open it in LibreOffice Calc and save it as Excel 2007-365 "
                "(.xlsm), keeping that format")
    if start:  # (a zip package may start with other bytes: a self-extracting one does)
        try:
            whole = zipfile.is_zipfile(io.BytesIO(data) if data is not None else path)
        except OSError:
            return None
        if not whole and start.startswith(WORKBOOK_MAGIC[0][0]):
            return "a zip package cut short (a copy or download that did not finish): copy it again"
        if not whole:
            return OFFER_KIND if path.suffix.lower() == ".toml" else NO_KIND
        return zip_no_workbook(path, data)  # (a zip of text files renamed .xlsm: as the tally reader says it)
    return None


#: The content types a package declares its workbook by (an .xlsx's, an .xlsm's, a template's): readers find it so.
_WORKBOOK_TYPES = (b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml",
                   b"ms-excel.sheet.macroEnabled.main+xml", b"ms-excel.template.macroEnabled.main+xml")


def zip_no_workbook(path: Path, data: bytes | None = None) -> str | None:
    """What a zip archive (*path*, or its bytes *data*) that holds no workbook is, as every command says it (a zip
    of text files renamed .xlsm, a Word file renamed .xlsx): it has no ``[Content_Types].xml``, or neither an
    ``xl/workbook.xml`` nor a part declared a workbook's; None for any other file (a workbook, damaged or not, or
    no zip archive: its reader says what it is).  Nothing is unpacked but a small ``[Content_Types].xml``.

    >>> import io, zipfile
    >>> def zipped(*names):
    ...     out = io.BytesIO()
    ...     with zipfile.ZipFile(out, "w") as zf:
    ...         for name in names:
    ...             zf.writestr(name, "<Types/>")
    ...     return out.getvalue()
    >>> zip_no_workbook(Path("x.xlsm"), zipped("notes.txt"))
    'a zip archive that holds no workbook (no [Content_Types].xml, which every .xlsx and .xlsm holds)'
    >>> zip_no_workbook(Path("x.xlsx"), zipped("[Content_Types].xml", "word/document.xml")).endswith(
    ...     "(no xl/workbook.xml, which every .xlsx and .xlsm holds)")
    True
    >>> zip_no_workbook(Path("x.xlsx"), zipped("[Content_Types].xml", "xl/workbook.xml")) is None
    True
    """
    import io
    import zipfile

    from .safety import entries_from_end, limits

    try:
        with io.BytesIO(data) if data is not None else open(path, "rb") as fh:
            declared = entries_from_end(fh, fh.seek(0, io.SEEK_END))  # (a directory over the limit: not read here)
            if declared is None or declared > limits().parts:
                return None
            with zipfile.ZipFile(fh) as zf:
                names = {info.filename.lower(): info for info in zf.infolist()}
                types = names.get("[content_types].xml")
                if types is None:
                    missing = "[Content_Types].xml"
                elif "xl/workbook.xml" in names or types.file_size > 1 << 20:  # (large: the reader says the rest)
                    return None
                elif any(t in zf.read(types) for t in _WORKBOOK_TYPES):  # (its workbook part named otherwise)
                    return None
                else:
                    missing = "xl/workbook.xml"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            ValueError, zlib.error):
        return None  # (not a zip archive, or a damaged one: its reader says why)
    return f"a zip archive that holds no workbook (no {missing}, which every .xlsx and .xlsm holds)"


def _empty(path: Path, data: bytes | None) -> bool:
    """Whether the file is there and holds nothing (not one that could not be read: locked, say)."""
    if data is not None:
        return not data
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


#: The name of the stream an encrypted Office Open XML file's OLE container holds (MS-OFFCRYPTO), as an OLE
#: directory entry writes it (UTF-16LE): a workbook saved with a password to open is such a container, not a zip.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def ole_problem(path: Path) -> InputError | None:
    """A problem naming *path*, given for an XLSX, when its first bytes say it is an OLE file: a workbook saved with
    a password to open (its container holds an ``EncryptionInfo`` stream), else an Excel 97-2003 workbook."""
    if not _first_bytes(path).startswith(WORKBOOK_MAGIC[1][0]):
        return None
    if _ole_holds(path, _ENCRYPTION_INFO):
        return InputError(path.name, None, "is password-protected (encrypted): remove the password in Excel and save "
                          "it again", show_value=False)
    return InputError(path.name, None, f"is {WORKBOOK_MAGIC[1][1]}, not XLSX: save it as Excel Workbook (.xlsx)",
                      show_value=False)


def _ole_holds(path: Path, name: bytes, most: int = 4096) -> bool:
    """Whether the OLE file at *path* names *name* (UTF-16LE) in its first 64 KiB, or in its directory's sectors
    (followed from the header through the allocation table, at most *most* of them): Excel may write the
    directory after a long encrypted stream."""
    import struct

    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
            if name in head:
                return True
            shift, = struct.unpack_from("<H", head, 0x1E)
            size = 1 << shift if shift in (9, 12) else 512
            sector, = struct.unpack_from("<I", head, 0x30)
            fat_sectors = [s for s in struct.unpack_from("<109I", head, 0x4C) if s < 0xFFFFFFFA]
            per = size // 4
            for _ in range(most):
                if sector >= 0xFFFFFFFA:  # (the end of the directory's chain)
                    return False
                fh.seek((sector + 1) * size)
                if name in fh.read(size):
                    return True
                if sector // per >= len(fat_sectors):
                    return False
                fh.seek((fat_sectors[sector // per] + 1) * size + sector % per * 4)
                sector, = struct.unpack("<I", fh.read(4).ljust(4, b"\xff"))
    except (OSError, struct.error):
        return False  # (too short to be one: the XLSX reader says what it is)
    return False


def nul_problem(path: Path, encoding: str, advice: str) -> InputError | None:
    """A problem naming *path* as UTF-16 without its byte-order mark, or UTF-32, when its first bytes are a
    quarter or more zeros (a zero beside every ASCII character) and *encoding* is not one of those; read as
    8-bit text, its header would show as ``h\\x00o\\x00...`` (*advice*: how to save it)."""
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError, ValueError):
        name = ""  # (the reader names the encoding)
    start = _first_bytes(path, 4096)
    if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # (FF FE 00 00: UTF-16's mark, then more)
        wrong = not name.startswith("utf-32")
    elif start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        wrong = False  # UTF-16 after its mark (read as such, or named by the reader when a mapping says otherwise)
    else:
        wrong = not name.startswith(("utf-16", "utf-32")) and start.count(0) * 4 >= len(start) > 0
    if not wrong:
        return None
    return InputError(path.name, None, "holds NUL characters (it is UTF-16 saved without a byte-order mark, or "
                      f"UTF-32): {advice}", show_value=False)


def blank_first_row(name: str, blank: int) -> InputError:
    """The problem of a file (*name*) whose first *blank* rows (one or more) are blank above its header: ``t.csv: row
    1: ...``, a CSV's and an XLSX's alike, a tally's and a count file's."""
    rows = "the blank row" if blank == 1 else f"the {blank:,} blank rows"
    return InputError(f"{name}: row 1", None, f"is blank: the header must be the first row (delete {rows} above it)",
                      show_value=False)


def blank_lines(text: str) -> int:
    """How many lines *text* starts with that are blank (empty, or separators and spaces alone: ``,,,``)."""
    n = 0
    for line in re.split(r"\r\n|\r|\n", text):
        if line.strip(_BLANK):
            return n
        n += 1
    return n


#: What a CSV's blank line may hold.
_BLANK = " \t\r\n,;"


def first_line_problem(path: Path, first: str, encoding: str) -> InputError | None:
    """A problem naming the first line of a CSV file when it is not a header but is followed by one: a blank row
    above the header, or the ``sep=;`` line some exports write for Excel (without this, the file was called
    empty, or its second row too wide for its header)."""
    if re.fullmatch(r"\s*sep=.\s*", first, re.IGNORECASE):
        return InputError(f"{path.name}: row 1", first.strip(), "is Excel's separator line, not a header: delete it, "
                          "so that the header is the first row")
    if first.strip(_BLANK) == "" and first:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            rest = fh.read(1 << 16)
        if rest.strip(_BLANK):
            return blank_first_row(path.name, blank_lines(rest))
    return None


def header_line(path: Path, encoding: str) -> str:
    """The first line of a text file (a problem naming the file when it is not *encoding* text, or is a workbook,
    or when it is a blank or ``sep=`` line above the header: :func:`first_line_problem`)."""
    if not text_encoding(encoding):  # (a ColumnMapping made in code: a mapping file's is refused as it is read)
        raise InputErrors([InputError(f"{path.name}: encoding", encoding, ENCODING_WANTED)])
    workbook = workbook_problem(path, "save it as .xlsx or CSV UTF-8") or nul_problem(
        path, encoding, 'save it as CSV UTF-8 (or name its encoding in a mapping file, e.g. encoding = "utf-16-le")')
    if workbook is not None:
        raise InputErrors([workbook])
    try:
        with open(path, encoding=encoding, newline="") as fh:
            first = fh.readline()
    except UnicodeDecodeError as exc:
        first = _first_line_alone(path, encoding)  # (the bad byte further on: the reader names its row)
        if first is not None:
            return _checked(path, first, encoding)
        if utf16_bom(path) and codecs.lookup(encoding).name.startswith("utf-16"):  # (read so: damaged)
            hint = "save it again, as CSV UTF-8 or Unicode Text"
        elif utf16_bom(path):  # (a mapping file named another encoding)
            hint = 'it starts with a UTF-16 byte-order mark: set encoding = "utf-16" in the mapping file'
        else:
            hint = None  # (encoding_hint)
        raise InputErrors([undecodable(path, encoding, exc, hint)]) from None  # (exc's offset: in a chunk)
    except UnicodeError as exc:  # (utf-16 without its byte-order mark, for one)
        raise InputErrors([InputError(path.name, None, f"is not {encoding_name(encoding)} text ({exc}); "
                                      f"{encoding_hint(encoding)}", show_value=False)]) from None
    except OSError as exc:  # (locked by Excel, or no permission)
        from .safety import unreadable

        raise InputErrors([unreadable(path.name, exc)]) from None
    except (LookupError, TypeError, ValueError):  # (a codec that fails so on reading: refused, not a traceback)
        raise InputErrors([InputError(f"{path.name}: encoding", encoding, ENCODING_WANTED)]) from None
    return _checked(path, first, encoding)


def _checked(path: Path, first: str, encoding: str) -> str:
    problem = first_line_problem(path, first, encoding)
    if problem is not None:
        raise InputErrors([problem])
    return first


def _first_line_alone(path: Path, encoding: str) -> str | None:
    """The first line of *path* decoded alone (a decoder reads ahead, and met a bad byte past it), or None when
    it is the line that does not decode (or lines cannot be told apart in the bytes: UTF-16, UTF-32)."""
    try:
        if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
            return None
        with open(path, "rb") as fh:
            return fh.readline().decode(encoding)
    except (UnicodeDecodeError, LookupError, OSError):
        return None


def encoding_hint(encoding: str) -> str:
    """What to do about a file that is not *encoding* text: save it as UTF-8 or name its encoding; or, when a
    mapping file names one already, save the file in it or name the one it is in."""
    if encoding_name(encoding) == "UTF-8":
        return "save it as CSV UTF-8, or set encoding in a mapping file (e.g. cp1252)"
    return f"its mapping file names {encoding}: save the file in that encoding, or name the one it is in"


def undecodable(path: Path, encoding: str, exc: UnicodeError, hint: str | None = None) -> InputError:
    """The row (as a text editor numbers lines) and the byte of the first byte of *path* that is not *encoding*
    text, then *hint* (:func:`encoding_hint` when None): Excel's "CSV (Comma delimited)" writes cp1252, and a
    Müller on row 302 is the first byte that is not UTF-8.  Found in the file itself: a text reader's *exc* gives
    an offset in the chunk it was decoding, not in the file."""
    name, hint = encoding_name(encoding), encoding_hint(encoding) if hint is None else hint
    found = _first_undecodable(path, encoding)
    if found is None:  # (the file changed since it was read)
        why = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        return InputError(path.name, None, f"is not {name} text ({why}); {hint}", show_value=False)
    row, byte = found
    return InputError(f"{path.name}: row {row}", None, f"is not {name} text (byte 0x{byte:02x}); {hint}",
                      show_value=False)


#: A line break as the CSV readers take one: CR LF, LF, or a CR alone (a "CSV (Macintosh)" file's).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lone_returns(line: bytes) -> int:
    """The line breaks in *line* that are a CR alone (``CSV (Macintosh)``'s), not the CR of a CR LF."""
    return line.count(b"\r") - line.count(b"\r\n")


def _first_undecodable(path: Path, encoding: str) -> tuple[int, int] | None:
    """(row, byte) of the first byte of *path* that is not *encoding* text, or None when there is none: read a line
    at a time (rows counted as the CSV readers count them, a CR alone a line break too), or whole in UTF-16 and
    UTF-32, whose lines are not split on one byte (a stray byte at the end of
    a file of odd length is on the row after its last line break)."""
    try:
        with open(path, "rb") as fh:
            if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
                data = fh.read()
                try:
                    data.decode(encoding)
                except UnicodeDecodeError as bad:
                    before = data[:bad.start].decode(encoding, errors="replace")
                    return len(_LINE_BREAK.findall(before)) + 1, data[bad.start]
                return None
            decoder, row = codecs.getincrementaldecoder(encoding)(), 1
            try:
                for line in fh:
                    try:
                        decoder.decode(line)
                    except UnicodeDecodeError as bad:  # (the object: the line, after what the decoder held)
                        return row + _lone_returns(bad.object[:bad.start]), bad.object[bad.start]
                    row += _lone_returns(line) + line.endswith(b"\n")
                decoder.decode(b"", final=True)  # (a character cut short at the end of the file)
            except UnicodeDecodeError as bad:
                return row, bad.object[bad.start]
    except (UnicodeError, LookupError, OSError):
        return None
    return None
