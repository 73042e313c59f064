"""Edit an ``.xlsx``/``.xlsm`` package part by part, without a spreadsheet library.

openpyxl reads a whole workbook into cell objects and writes all of it back.
For a workbook holding a 100,000-line tally that takes most of a minute, and
whatever openpyxl does not model (form controls, threaded comments, slicers,
extensions a person's Excel added) is dropped on the way.  The refresh
therefore edits the package the way a careful person edits a file:

* parts it does not touch are copied byte for byte, compressed bytes included
  (so ``xl/vbaProject.bin``, charts, drawings and buttons cannot change);
* in a worksheet it replaces only the cells it writes, as text, and leaves
  every other byte of the part as it was;
* names, table ranges and data-validation ranges are edited in place; the
  calculation chain is dropped and a full recalculation on load is asked for,
  so Excel recomputes every formula when the file is next opened.

Values are *read* with openpyxl in read-only mode (shared strings, styles and
dates are its business); see :class:`xlpy.workbook.backends.PackageBook`.

Text is always written as an inline string (``t="inlineStr"``), so a value
that begins with ``=``, ``+``, ``-`` or ``@`` is text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape as _xml_escape

from defusedxml.ElementTree import (
    fromstring as _parse_xml,  # a workbook is untrusted input
)
from openpyxl.utils import column_index_from_string, get_column_letter

from ..engine.errors import XlpyError
from ..files import deflate as fast
from ..files.safety import DTD, damage_named, inflate_part, read_part, xml_fault
from ..files.serial_dates import serial_text
from . import sheet_data
from .xml_text import boolean, unescape

__all__ = ["REL", "Package", "PackageError", "SheetXml", "cell_xml", "number_text", "text_xml"]


def retarget_charts(pkg: "Package", sheet: str, first_row: int, old_last: int, new_last: int) -> list[str]:
    """Point every chart series over rows *first_row*..*old_last* of *sheet* at *first_row*..*new_last*.

    A table that grows or shrinks keeps its charts whole (Excel itself would
    extend a chart over a table it resizes).  Returns the chart parts changed.
    """
    if old_last == new_last:
        return []
    sheet_ref = "(?:'" + re.escape(sheet.replace("'", "''")) + "'|" + re.escape(sheet) + ")"
    # A one-row range is written as one cell ('History'!$J$9); a longer one as $J$9:$J$11.
    tail = "" if old_last == first_row else rf":\$(?P=col)\${old_last}"
    pattern = re.compile(rf"(?P<head>{sheet_ref}!\$(?P<col>[A-Z]{{1,3}})\${first_row}){tail}(?=</)")

    def widen(m: re.Match) -> str:
        col = m.group("col")
        return m.group("head") + (f":${col}${new_last}" if new_last != first_row else "")

    changed = []
    for name in pkg.names():
        if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
            text = pkg.read(name).decode("utf-8")
            new = pattern.sub(widen, text)
            if new != text:
                pkg.write(name, new.encode("utf-8"))
                changed.append(name)
    return changed


class PackageError(XlpyError):
    """A package xlpy cannot edit safely.

    Attributes:
        where: the file or part that is wrong.
        reason: what is wrong with it.
    """

    def __init__(self, where: str, reason: str):
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = "[Content_Types].xml"


# Characters XML 1.0 cannot hold (tab, line feed and carriage return can).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # each underscore opening one, overlapping ones too


# --- zip reading and writing -----------------------------------------------------------


class Package:
    """The parts of a zip package, read from *path*; edits stay in memory until :meth:`to_bytes`.

    Parameters
    ----------
    path : path of an ``.xlsx``/``.xlsm`` file (only named in messages when *data* is given).
    data : the file's bytes, optional.
    label : how messages name it (default: the file's name); lim : the limits it is held to (default: in force).

    Raises
    ------
    PackageError
        The file is not a zip package.
    """

    def __init__(self, path: str | os.PathLike, data: bytes | None = None, label: str | None = None, lim=None):
        from ..files.safety import check_no_dtd, check_package
        from ..files.sniff import other_kind

        self.path = Path(path)
        self.label = label or self.path.name
        kind = other_kind(self.path, data)  # (an .xls, an .ods, a copy cut short: said as such, first)
        if kind is not None:
            raise PackageError(self.label, f"not a workbook: it is {kind}")
        if data is None:
            check_package(self.path, self.label, lim)  # from the directory, before anything is unpacked
            self.blob = self.path.read_bytes()
        else:
            self.blob = data
            check_package(data, self.label, lim)
        check_no_dtd(self.blob, self.label)  # (its entities never reach a parser, nor a refreshed copy)
        try:
            zf = zipfile.ZipFile(io.BytesIO(self.blob))
        except zipfile.BadZipFile as exc:
            raise PackageError(self.label, "not a workbook: it is no zip package (an .xlsx or .xlsm), nor any "
                               f"other spreadsheet's file xlpy knows ({exc})") from None
        self._infos = {i.filename: i for i in zf.infolist()}
        self._order = [i.filename for i in zf.infolist()]
        self._zip = zf
        self._data: dict[str, bytes] = {}
        self._changed: set[str] = set()
        self._packed: dict[str, tuple[int, int, bytes]] = {}  # part -> (level, CRC-32, deflated bytes), packed ahead

    def close(self) -> None:
        """Close the package's zip reader (the parts already read or written stay readable)."""
        self._zip.close()

    # parts ------------------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self._order)

    def has(self, name: str) -> bool:
        return name in self._infos or name in self._data

    def read(self, name: str) -> bytes:
        if name not in self._data:
            try:
                info = self._infos.get(name)
                if info is not None and (info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 1
                                         and info.file_size > fast.LARGE):
                    # A long sheet: unpacked by the fast backend, bounded and CRC-checked as zipfile would.
                    self._data[name] = inflate_part(self._raw(name)[1], info, self.label)
                else:
                    self._data[name] = read_part(self._zip, name, self.label)
            except KeyError:
                raise PackageError(self.label, f"has no part {name}") from None
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # the directory lied, or the data is damaged
                raise PackageError(self.label, f"is damaged ({damage_named(name, exc)})") from None  # (as any part)
        return self._data[name]

    def write(self, name: str, data: bytes) -> None:
        if name not in self._order:
            self._order.append(name)
        self._data[name] = data
        self._changed.add(name)
        self._packed.pop(name, None)

    def remove(self, name: str) -> None:
        if name in self._order:
            self._order.remove(name)
        self._data.pop(name, None)
        self._changed.discard(name)
        self._infos.pop(name, None)
        self._packed.pop(name, None)

    def stored(self, name: str) -> bytes | None:
        """Part *name*'s bytes as the file stores them (compressed), or None once it has been written here."""
        if name in self._changed or name not in self._infos:
            return None
        return self._raw(name)[1]

    def packed(self, name: str, level: int = 6) -> bytes:
        """Part *name*'s bytes as :meth:`to_bytes` will store them: a written part is deflated now, once."""
        stored = self.stored(name)
        if stored is not None:
            return stored
        if self._packed.get(name, (None,))[0] != level:
            data = self._data[name]
            self._packed[name] = (level, fast.crc32(data), fast.deflate(data, level))
        return self._packed[name][2]

    @property
    def changed(self) -> set[str]:
        return set(self._changed)

    def _raw(self, name: str) -> tuple[zipfile.ZipInfo, bytes]:
        info = self._infos[name]
        off = info.header_offset
        head = self.blob[off:off + 30]
        if head[:4] != b"PK\x03\x04":
            raise PackageError(self.label, f"damaged zip entry {name}")
        n, m = struct.unpack("<HH", head[26:30])
        start = off + 30 + n + m
        return info, self.blob[start:start + info.compress_size]

    # relationships -------------------------------------------------------------------

    @staticmethod
    def rels_name(part: str) -> str:
        p = PurePosixPath(part)
        return str(p.parent / "_rels" / (p.name + ".rels")) if str(p.parent) != "." else f"_rels/{p.name}.rels"

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, target part name) of each relationship of *part* ('' for the package)."""
        rels = self.rels_name(part) if part else "_rels/.rels"
        if not self.has(rels):
            return []
        base = PurePosixPath(part).parent if part else PurePosixPath("")
        out = []
        for r in _parse_xml(self.read(rels)).findall(f"{{{PKG_REL}}}Relationship"):
            target = r.get("Target", "")
            if r.get("TargetMode") == "External":
                out.append((r.get("Id"), r.get("Type"), target))
                continue
            path = target.lstrip("/") if target.startswith("/") else _normpath(base / target)
            out.append((r.get("Id"), r.get("Type"), path))
        return out

    def workbook_part(self) -> str:
        for _, kind, target in self.relationships(""):
            if kind.endswith("/officeDocument"):
                return target
        raise PackageError(self.label, "no workbook part")

    def sheet_parts(self) -> dict[str, str]:
        """Sheet title -> part name, in the workbook's order."""
        wbp = self.workbook_part()
        targets = {rid: target for rid, _, target in self.relationships(wbp)}
        root = _parse_xml(self.read(wbp))
        out = {}
        sheets = root.find(f"{{{_MAIN}}}sheets")
        for s in sheets if sheets is not None else ():
            rid = s.get(f"{{{REL}}}id")
            if rid in targets:
                out[s.get("name")] = targets[rid]
        return out

    # output ---------------------------------------------------------------------------

    def to_bytes(self, when: dt.datetime | None = None, level: int = 6) -> bytes:
        """The package as zip bytes: unchanged parts copied compressed as they were, once each unpacks to the size
        and CRC-32 its directory declares (:class:`zipfile.BadZipFile` if not: a damaged part is never copied).

        Every entry's time is *when* (or 1980-01-01), as :func:`xlpy.workbook.saving.atomic_save` sets it.
        """
        stamp = (when or dt.datetime(1980, 1, 1)).timetuple()[:6]
        stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
        dos_time = (stamp[3] << 11) | (stamp[4] << 5) | (stamp[5] // 2)
        dos_date = ((stamp[0] - 1980) << 9) | (stamp[1] << 5) | stamp[2]
        out = io.BytesIO()
        central = []
        for name in self._order:
            if name in self._changed or name not in self._infos:
                data = self._data[name]
                packed = self._packed.get(name)
                crc, comp = packed[1:] if packed and packed[0] == level else (fast.crc32(data), fast.deflate(data, level))
                method, size = 8, len(data)
            else:
                info, comp = self._raw(name)
                if name not in self._data:  # (a part read was checked then; one no reader reads, docProps/app.xml,
                    _check_stored(info, comp)  # is here: its damage is never copied into a new file)
                crc, method, size = info.CRC, info.compress_type, info.file_size
            if size >= 0xFFFFFFFF or len(comp) >= 0xFFFFFFFF or out.tell() >= 0xFFFFFFFF:
                raise PackageError(self.label, f"{name} is too large for a workbook (over 4 GB)")
            raw_name = name.encode("utf-8")
            flags = 0x800 if not name.isascii() else 0
            offset = out.tell()
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, dos_time, dos_date, crc,
                                  len(comp), size, len(raw_name), 0))
            out.write(raw_name)
            out.write(comp)
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x0314, 20, flags, method, dos_time,
                                       dos_date, crc, len(comp), size, len(raw_name), 0, 0, 0, 0,
                                       0o600 << 16, offset) + raw_name)
        start = out.tell()
        for c in central:
            out.write(c)
        end = out.tell()
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0))
        return out.getvalue()


def _check_stored(info: zipfile.ZipInfo, comp: bytes) -> None:
    """Raise :class:`zipfile.BadZipFile`, naming the part, if part *info*'s stored bytes *comp* do not unpack to the
    size and CRC-32 its directory declares (unpacked no further than that size)."""
    if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return  # (encrypted, or packed by a method a workbook's parts are not: carried as they are)
    try:
        data = comp if info.compress_type == zipfile.ZIP_STORED else fast.inflate(comp, info.file_size)
    except (EOFError, zlib.error) as exc:
        raise zipfile.BadZipFile(f"part {info.filename}: {exc}") from None
    if data is None or len(data) != info.file_size or fast.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _normpath(p: PurePosixPath) -> str:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


# --- cell text ---------------------------------------------------------------------------


def number_text(v) -> str:
    """A number as the text of a ``<v>`` element: exact for int and Decimal, shortest for float."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError(f"not a finite number: {v}")
        t = format(v, "f")
        return t.rstrip("0").rstrip(".") if "." in t else t
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"not a finite number: {v}")
        return repr(v)
    raise TypeError(f"not a number: {v!r}")


def excel_escape(s: str) -> str:
    """Text as Excel stores it: a literal ``_xHHHH_`` is written ``_x005F_xHHHH_`` (ECMA-376 Part 1, 22.9.2.19),
    and so is one that shares its opening underscore with the one before (``_x0041_x0042_`` is
    ``_x005F_x0041_x005F_x0042_``: a reader undoing escapes from left to right takes the second for the letter B
    otherwise).

    openpyxl writes text as given, so what goes through it is escaped here
    (it undoes the escape when it reads a shared string, and
    :func:`xlpy.workbook.data.excel_text` when it reads an inline one).
    """
    return _EXCEL_ESCAPE.sub("_x005F_", s) if "_x" in s else s


def escape_text(s: str) -> str:
    """Text as XML element content, with Excel's ``_xHHHH_`` escape for what XML cannot hold."""
    s = excel_escape(s)
    if _ILLEGAL.search(s):
        s = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    return _xml_escape(s)


def text_xml(s: str) -> str:
    """The ``<is>`` content of an inline string cell."""
    body = escape_text(s)
    if s != s.strip() or "\n" in s:
        return f'<is><t xml:space="preserve">{body}</t></is>'
    return f"<is><t>{body}</t></is>"


def serial(value: dt.date, date1904: bool = False) -> str:
    """A date or date-time as Excel's serial day number (:func:`xlpy.files.serial_dates.serial_text`)."""
    return serial_text(value, date1904)


def cell_xml(ref: str, value, style: str | None, text: bool = False, date1904: bool = False) -> str:
    """One ``<c>`` element holding *value*; a str beginning with ``=`` is a formula unless *text*."""
    s = f' s="{style}"' if style is not None else ""
    if value is None or value == "" and not text:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"{s}><v>{number_text(value)}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f'<c r="{ref}"{s}><v>{serial(value, date1904)}</v></c>'
    value = str(value)
    if value.startswith("=") and not text and len(value) > 1:
        return f'<c r="{ref}"{s}><f>{escape_text(value[1:])}</f></c>'
    return f'<c r="{ref}"{s} t="inlineStr">{text_xml(value)}</c>'


# --- worksheet XML ------------------------------------------------------------------------------


_ATTR = r'\s{name}="([^"]*)"'
#: The tags of a cell's XML as :func:`cell_xml` writes it, to be given the prefix of a sheet that uses one.
_CELL_TAG = re.compile(r"<(/?)(c|v|f|is|t)(?=[\s/>])")


#: Why a sheet is refused whose row, where xlpy looks, has no ``r`` attribute.
_NO_NUMBER = "a row has no number (r attribute); open and save it in Excel first"


class SheetXml:
    """A worksheet part as text, with the few edits a refresh makes.

    Rows are found by their ``r`` attribute, by bisection (rows are in
    ascending order, as Excel writes and requires them); a row looked at that
    lacks it (no Excel writes one) is refused with a :class:`PackageError`.
    """

    def __init__(self, data: bytes, name: str = "sheet"):
        self.name = name
        self.text = data.decode("utf-8")
        m = re.search(r"<(\w+:)?worksheet\b", self.text)
        if not m:
            raise PackageError(name, "not a worksheet")
        self.p = m.group(1) or ""
        p = re.escape(self.p)
        self._row_re = re.compile(rf"<{p}row\b[^>]*?>")
        self._row_r = re.compile(r'\sr="(\d+)"')
        self._unnumbered = re.compile(rf'<{p}row(?![^>]*\sr=")[\s/>]')
        self._cell_re = re.compile(rf"<{p}c\b([^>]*?)(/>|>.*?</{p}c>)", re.DOTALL)
        found = sheet_data.bounds(self.text, self.p)
        if found is None:  # not well-formed (cut short): an XML error, named by part as a parser's (refused_part)
            if xml_fault(data) not in (None, DTD):
                raise ParseError(f"{name}: {xml_fault(data)}")
            raise PackageError(name, f"has no <{self.p}sheetData> element (its rows), as its <{self.p}worksheet> "
                               "element is spelled; open and save it in Excel first")
        self.text, self.data_start, self.data_end = found
        #: A :class:`~xlpy.workbook.seal.Seal` that holds for this text: from its row down, only a table's own
        #: cells (dropped by any splice).  *sealable*: (first row, last row, first column, last column) of the table
        #: written here last, with nothing else in its rows (:mod:`xlpy.workbook.seal`).
        self.sealed = None
        self.sealable: tuple[int, int, int, int] | None = None
        #: (the row sheetData now ends at, the data validations' ranges to change): made in the text around the rows
        #: at the next :meth:`replace_rows`, not by copying a long table's text again after it (review 166).
        self.at_join: tuple[int, dict[str, str]] | None = None

    def to_bytes(self) -> bytes:
        return self.text.encode("utf-8")

    # locating rows -----------------------------------------------------------------------

    def _row_at(self, pos: int) -> int:
        m = self._row_re.match(self.text, pos)
        r = self._row_r.search(m.group()) if m else None
        if r is None:
            raise PackageError(self.name, _NO_NUMBER)
        return int(r.group(1))

    def _numbered(self, a: int, b: int) -> None:
        """Refuse (:class:`PackageError`) a row without its number between text positions *a* and *b*, which a read
        of cells by their references would take for blanks (one search: 37 ms over a 100,000-line table)."""
        if self._unnumbered.search(self.text, a, b):
            raise PackageError(self.name, _NO_NUMBER)

    def _span(self, r1: int, r2: int) -> tuple[int, int]:
        """Text positions [start, end) of the row elements numbered r1..r2 (found by bisection: the rows are in
        ascending order, as Excel writes and requires them)."""
        t, start, end = self.text, self.data_start, self.data_end
        tag = f"<{self.p}row"
        first = sheet_data.first_row(t, tag, start, end, r1, self._row_at)  # (the first row numbered r1 or more)
        if first == end:
            return end, end
        return first, sheet_data.first_row(t, tag, first, end, r2 + 1, self._row_at)  # (the first after r2)

    def rows_between(self, r1: int, r2: int) -> list[tuple[int, str, str, list[tuple[int, str]]]]:
        """Rows r1..r2 as (number, opening tag, closing, [(column, cell XML)]); closing is '' for ``<row/>``."""
        a, b = self._span(r1, r2)
        return list(self._parse_rows(self.text[a:b]))

    def _parse_rows(self, chunk: str) -> Iterator[tuple[int, str, str, list[tuple[int, str]]]]:
        tag, close = f"<{self.p}row", f"</{self.p}row>"
        pos = 0
        while True:
            p = chunk.find(tag, pos)
            if p < 0:
                return
            m = self._row_re.match(chunk, p)
            opening = m.group()
            r = self._row_r.search(opening)
            if r is None:
                raise PackageError(self.name, _NO_NUMBER)
            r = int(r.group(1))
            if opening.endswith("/>"):
                yield r, opening, "", []
                pos = m.end()
                continue
            q = chunk.index(close, m.end())
            cells, col = [], 0
            for c in self._cell_re.finditer(chunk, m.end(), q):
                ref = re.search(r'\sr="([A-Z]+)(\d+)"', c.group(1))
                col = column_index_from_string(ref.group(1)) if ref else col + 1
                cells.append((col, c.group()))
            yield r, opening, close, cells
            pos = q + len(close)

    def area_facts(self, r1: int, r2: int, c1: int, c2: int) -> tuple[int, bool]:
        """(largest shared-formula index ``si`` that stays, -1 if none; whether other columns share the rows).

        The cells of columns c1..c2 in rows r1..r2 are about to be replaced, so
        their indexes may be reused; pass the second item to :meth:`splice`.
        """
        a, b = self._span(r1, r2)
        pat = re.compile(r' si="(\d+)"')
        found = [int(x) for x in pat.findall(self.text, 0, a)] + [int(x) for x in pat.findall(self.text, b)]
        foreign = self._foreign(a, b, c1, c2)
        if foreign:
            found += [int(x) for x in pat.findall(self.text, a, b)]
        return max(found, default=-1), foreign

    def rows_of_columns(self, r1: int, r2: int, letters: Sequence[str], strings: Callable[[], list[str]]
                        ) -> list[tuple]:
        """The values of columns *letters* in rows r1..r2, row by row (None for a blank), read straight from the
        text, no cell objects (a long table's lines).

        One pass takes the cells written as xlpy, Excel and LibreOffice write a plain number or text; only if a
        cell is left blank by it is every cell looked at again, whatever its form.
        """
        a, b = self._span(r1, r2)
        self._numbered(a, b)
        p = re.escape(self.p)
        cols = "|".join(map(re.escape, letters))
        at = {letter: i for i, letter in enumerate(letters)}
        rows = [[None] * len(letters) for _ in range(r2 - r1 + 1)]
        plain = re.compile(rf'<{p}c r="({cols})(\d+)"(?: s="\d+")?(?: t="(\w+)")?>'
                           rf'(?:<{p}v>([^<]*)</{p}v>|<{p}is><{p}t(?: [^>]*)?>([^<]*)</{p}t></{p}is>)</{p}c>')
        table = None
        for col, row, t, v, inline in plain.findall(self.text, a, b):
            i = int(row) - r1
            if not 0 <= i < len(rows):
                continue
            if t in ("", "n"):
                value = int(v) if v.isdecimal() else self.typed_value(f"<c><v>{v}</v></c>", strings)
            elif t == "s":  # (the index checked here: the strings' own check, a Python call, is spared 300,000 times)
                table = strings() if table is None else table
                k = int(v) if v.isdecimal() else -1
                value = list.__getitem__(table, k) if 0 <= k < len(table) else v
            elif t == "inlineStr":
                value = unescape(inline)
            else:
                value = self.typed_value(f'<c t="{t}"><v>{v}</v></c>', strings)
            rows[i][at[col]] = value
        if any(None in r for r in rows):  # a blank, or a cell of another form: each cell as it is
            cell = re.compile(rf'<{p}c r="({cols})(\d+)"[^>]*?(?:/>|>.*?</{p}c>)', re.DOTALL)
            for m in cell.finditer(self.text, a, b):
                i = int(m.group(2)) - r1
                if 0 <= i < len(rows):
                    rows[i][at[m.group(1)]] = self.typed_value(m.group(), strings)
        return [tuple(r) for r in rows]

    def typed_value(self, xml: str, strings: Callable[[], list[str]]):
        """The value a cell's XML holds, as a person typed it (None: blank); *strings* gives the shared strings."""
        p = re.escape(self.p)
        t = re.search(r'\st="(\w+)"', xml.split(">", 1)[0])
        t = t.group(1) if t else "n"
        if t == "inlineStr":
            return unescape("".join(re.findall(rf"<{p}t\b[^>]*>(.*?)</{p}t>", xml, re.DOTALL)))
        v = re.search(rf"<{p}v>(.*?)</{p}v>", xml, re.DOTALL)
        if v is None:
            return None
        text = unescape(v.group(1))
        if t == "s":
            table = strings()
            return table[int(text)] if text.strip().isdecimal() and int(text) < len(table) else text
        if t == "b":
            return boolean(text)
        if t in ("str", "e"):
            return text
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and abs(number) < 2**53 else number

    def rows_beside(self, r1: int, r2: int, c1: int, c2: int, strings: Callable[[], list[str]]
                    ) -> dict[int, dict[int, object]]:
        """Rows r1..r2 holding a value outside columns c1..c2: row -> {column: value} of its cells with a value, or
        a formula (one that shows nothing, or was saved without its value, as ``""``: a flag column's
        ``=IF(D21>1000,"big","")`` is beside every line, not only those it marks)."""
        a, b = self._span(r1, r2)
        if a >= b or not self._foreign(a, b, c1, c2):
            return {}
        out, formula = {}, f"<{self.p}f"
        for r, _, _, cells in self._parse_rows(self.text[a:b]):
            values = {c: "" if v is None else v for c, v, xml in ((c, self.typed_value(xml, strings), xml)
                                                                  for c, xml in cells)
                      if v not in (None, "") or formula in xml}
            if any(not c1 <= c <= c2 for c in values):
                out[r] = values
        return out

    def span(self, r1: int, r2: int) -> tuple[int, int]:
        """Text positions [start, end) of rows r1..r2 in :attr:`text` (start == end: none of them is written)."""
        return self._span(r1, r2)

    def count_in_rows(self, text: str, r1: int, r2: int) -> int:
        """How often *text* (after the namespace prefix, e.g. ``f t="shared" si="`` for ``<f t=...``) occurs in rows
        r1..r2: one pass in C, no parsing."""
        a, b = self._span(r1, r2)
        return self.text.count(f"<{self.p}{text}", a, b) if a < b else 0

    def has_row_content(self, r1: int, r2: int) -> bool:
        a, b = self._span(r1, r2)
        return a < b

    def style_of(self, row: int, col: int) -> str | None:
        for _, _, _, cells in self.rows_between(row, row):
            for c, xml in cells:
                if c == col:
                    m = re.search(r'\ss="(\d+)"', xml.split(">", 1)[0])
                    return m.group(1) if m else None
        return None

    # writing -------------------------------------------------------------------------------

    def splice(self, r1: int, r2: int, c1: int, c2: int, new_rows: Iterable[tuple[int, str]] | str,
               fast: bool = True, foreign: bool | None = None) -> None:
        """Replace the cells of columns c1..c2 in rows r1..r2.

        *new_rows* gives ``(row, cells XML)`` in row order (cells of columns
        c1..c2 only, in column order), or all the rows' XML at once as one
        string (``<row r=..>...</row>`` elements, used as it is when nothing
        else lives in those rows; *foreign*, if known, says whether something
        does).  Cells of other columns in those rows are kept in place; a row
        left with no cells keeps its own attributes (height, style) only if it
        had some.
        """
        self._will_change(r2)
        a, b = self._span(r1, r2)
        if foreign is None and isinstance(new_rows, str) and fast:
            foreign = self._foreign(a, b, c1, c2)
        if isinstance(new_rows, str) and fast and not foreign:
            self.text = "".join((self.text[:a], new_rows, self.text[b:]))
            self.data_end = self.text.rindex(f"</{self.p}sheetData>")
            return
        old = self.text[a:b]
        if isinstance(new_rows, str):
            new_rows = [(r, cells) for r, _, _, cells in self._parse_rows_text(new_rows)]
        existing = {r: (opening, close, cells) for r, opening, close, cells in self._parse_rows(old)}
        out = []
        rows = dict(new_rows) if not self.p else {r: _CELL_TAG.sub(rf"<\1{self.p}\2", x) for r, x in new_rows}
        for r in sorted(set(existing) | set(rows)):
            opening, close, cells = existing.get(r, (f'<{self.p}row r="{r}">', f"</{self.p}row>", []))
            keep = [(c, x) for c, x in cells if not c1 <= c <= c2]
            before = "".join(x for c, x in keep if c < c1)
            after = "".join(x for c, x in keep if c > c2)
            middle = rows.get(r, "")
            if not (before or middle or after):
                attrs = re.sub(r'\s(r|spans)="[^"]*"', "", opening)
                if attrs.rstrip("/>").strip() == f"<{self.p}row":
                    continue  # nothing left, nothing of its own
            opening = re.sub(r'\sspans="[^"]*"', "", opening)
            if opening.endswith("/>"):
                opening = opening[:-2].rstrip() + ">"
                close = f"</{self.p}row>"
            out.append(f"{opening}{before}{middle}{after}{close}")
        self.text = self.text[:a] + "".join(out) + self.text[b:]
        self.data_end = self.text.rindex(f"</{self.p}sheetData>")

    def replace_rows(self, r1: int, r2: int, pieces: Iterable[str]) -> None:
        """Rows *r1*..*r2* replaced whole by the ``<row>`` elements *pieces* join to, where nothing else lives in
        them (:meth:`area_facts` says so): the pieces and the text around them joined once (a long table's 60 MB
        are not copied again)."""
        self._will_change(r2)
        a, b = self._span(r1, r2)
        head, tail = self.text[:a], self.text[b:]
        if self.at_join is not None:  # (the dimension and the validations set in the few KB around the rows)
            (last, ranges), self.at_join = self.at_join, None
            if f"<{self.p}row" not in tail[:tail.find(f"</{self.p}sheetData>")]:  # (else set_dimension finds it)
                head = sheet_data.dimension_to(head, self.p, last)
            tail = sheet_data.ranges_sub(tail, self.p, "dataValidation", "sqref", ranges)[0]
        self.text = "".join(chain((head,), pieces, (tail,)))
        self.data_end = self.text.rindex(f"</{self.p}sheetData>")

    def _will_change(self, r2: int) -> None:
        """The text is about to change down to row *r2*: the search kept and the seal go."""
        self.__dict__.pop("_foreign_seen", None)  # let the old text go
        self.sealed = None
        if self.sealable is not None and r2 >= self.sealable[0]:
            self.sealable = None

    def _parse_rows_text(self, chunk: str):
        return [(r, o, c, "".join(x for _, x in cells)) for r, o, c, cells in self._parse_rows(chunk)]

    def _foreign(self, a: int, b: int, c1: int, c2: int) -> bool:
        """True when the text between positions *a* and *b* holds a cell outside columns c1..c2 (or one
        without a reference); searched in place, the region is not copied, and once for the same text."""
        if self.sealed is not None and self.sealed.covers(self._row_at(a) if a < b else 0, c1, c2):
            return False  # the rows from the seal's down hold the table's cells alone
        key = (a, b, c1, c2)
        seen = self.__dict__.get("_foreign_seen")
        if seen is None or seen[0] is not self.text or seen[1] != key:
            # the text itself is kept with the answer (not its id, which a new text could take)
            seen = self._foreign_seen = (self.text, key, self._foreign_search(a, b, c1, c2))
        return seen[2]

    def _foreign_search(self, a: int, b: int, c1: int, c2: int) -> bool:

        # One pass: any cell not opening with r="<one of the columns><digit>" (another column, or
        # attributes in another order) sends the caller to the careful path.
        cols = "|".join(get_column_letter(c) for c in range(c1, c2 + 1))
        p = re.escape(self.p)
        return re.compile(rf'<{p}c(?:>|/>| (?!r="(?:{cols})\d))').search(self.text, a, b) is not None

    def set_cell(self, row: int, col: int, build: Callable[[str | None], str]) -> None:
        """Replace one cell; *build(style)* gives the new XML from the old cell's style."""
        style = self.style_of(row, col)
        self.splice(row, row, col, col, [(row, build(style))], fast=False)

    def replace_ranges_after_data(self, element: str, attr: str, ranges: dict[str, str]) -> int:
        """After sheetData, in every *element* whose *attr* lists a range of *ranges*, put its new range.

        Returns how many attributes changed (data validation lives after
        sheetData, so the rows are not scanned).
        """
        at = self.data_end
        tail, n = sheet_data.ranges_sub(self.text[at:], self.p, element, attr, ranges)
        if n:  # (a long sheet is not copied for nothing)
            self.text = self.text[:at] + tail
        return n

    def last_row(self) -> int:
        """The number of the last row element in sheetData (0: none)."""
        last = self.text.rfind(f"<{self.p}row", self.data_start, self.data_end)
        while last >= 0 and self.text[last + len(self.p) + 4] not in " >/":
            last = self.text.rfind(f"<{self.p}row", self.data_start, last)
        return self._row_at(last) if last >= 0 else 0

    def set_dimension(self) -> None:
        """Make ``<dimension>`` end at the last row of sheetData (it only ever grows or shrinks in rows)."""
        p = re.escape(self.p)
        m = re.search(rf'<{p}dimension\b[^>]*\sref="([^"]+)"', self.text)
        if not m or ":" not in m.group(1):
            return
        last = self.text.rfind(f"<{self.p}row", self.data_start, self.data_end)
        if last < 0:
            return
        lo, hi = m.group(1).split(":")
        col = re.match(r"[A-Z]+", hi).group()
        new = f"{lo}:{col}{self._row_at(last)}"
        if new != m.group(1):  # a long sheet is not copied for nothing
            self.text = self.text[:m.start(1)] + new + self.text[m.end(1):]


# --- workbook.xml: xlpy.workbook.workbook_xml ----------------------------------------------------


def drop_calc_chain(pkg: Package) -> None:
    """Remove ``xl/calcChain.xml`` (Excel rebuilds it; a stale one makes Excel repair the file)."""
    wbp = pkg.workbook_part()
    chain = [(rid, t) for rid, kind, t in pkg.relationships(wbp) if kind.endswith("/calcChain")]
    if not chain:
        return
    rels = Package.rels_name(wbp)
    text = pkg.read(rels).decode("utf-8")
    for rid, target in chain:
        text = re.sub(rf'<Relationship\b[^>]*\sId="{re.escape(rid)}"[^>]*/>', "", text)
        pkg.remove(target)
        ct = pkg.read(CONTENT_TYPES).decode("utf-8")
        ct = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(target)}"[^>]*/>', "", ct)
        pkg.write(CONTENT_TYPES, ct.encode("utf-8"))
    pkg.write(rels, text.encode("utf-8"))


def table_parts(pkg: Package, sheet_part: str) -> dict[str, str]:
    """Table name -> table part of a worksheet."""
    out = {}
    for _, kind, target in pkg.relationships(sheet_part):
        if kind.endswith("/table"):
            root = _parse_xml(pkg.read(target))
            out[root.get("displayName") or root.get("name")] = target
    return out

