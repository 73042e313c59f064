"""Limits on packages from outside the firm, checked before any part is read.

Workbooks and XLSX tallies arrive by e-mail.  A zip package says in its
directory how large each part unpacks to; a hostile one says 2 GiB for a
2 MB file (a "zip bomb"), or lies.  Every package xlpy opens is therefore
checked from its directory first (:func:`check_package`):

* the number of parts;
* each part's unpacked size, and all parts' together;
* each large part's compression ratio (unpacked / packed);
* that no part is named twice (readers differ on which copy they read);
* the number of strings in the shared strings (:func:`shared_strings_over`),
  counted from the part's bytes, unparsed: a reader builds every one of them,
  whether or not a cell uses it.

A part that declares a DTD (:func:`dtd_part`: its entities are how XML reaches
files and memory) or is not well-formed XML (:func:`part_fault`) is named by
part, in one line, as a damaged part is (:func:`refused_part`).

Python's :mod:`zipfile` never unpacks more of a part than the directory
declares (it stops there and fails the CRC check), and :func:`read_part`
reads in slices and stops at the limit, so a directory that lies cannot make
a read larger than the limits either.

The defaults are sized from a workbook holding a 100,000-line holder tally
(its largest sheet unpacks to 92 MB at a ratio of 10): about five times that.
The shared strings' limit leaves room for an XLSX tally as long as Excel
holds (1,048,576 rows) with two columns of distinct text, a holder id and a
name; the same 100,000-line workbook saved by LibreOffice holds 98,301.
Raise them with the command line (``--max-part-mb``, ``--max-total-mb``,
``--max-ratio``, ``--max-parts``, ``--max-strings``) or the environment
(``XLPY_MAX_PART_MB``, ``XLPY_MAX_TOTAL_MB``, ``XLPY_MAX_RATIO``,
``XLPY_MAX_PARTS``, ``XLPY_MAX_STRINGS``); the command line wins.

A package xlpy had LibreOffice make from a workbook that passed these limits
(its recalculated copy, which ``validate`` reads back) is not from outside:
it is held to the sizes and the number of parts (:func:`converted_limits`),
not to the ratio, and a refusal names it as that copy of its workbook.
"""

from __future__ import annotations

import contextvars
import io
import math
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException

from ..engine.errors import Busy, InputError

__all__ = ["DAMAGE", "DEFAULTS", "DTD", "XML_ERRORS", "Limits", "check_intact", "check_no_dtd", "check_package",
           "configure", "converted_limits", "damage_first", "damage_named", "damage_said", "damaged", "dtd_part",
           "entries_from_end", "inflate_part", "limits", "part_fault", "part_faults", "read_part", "refused_part",
           "shared_strings_over", "unreadable"]

MB = 1 << 20
#: Parts smaller than this are not held to the ratio (tiny XML parts compress well and cost nothing).
RATIO_FLOOR = 1 * MB

#: name -> (default, environment variable, command-line flag, unit)
DEFAULTS: dict[str, tuple[float, str, str]] = {
    "part_mb": (512, "XLPY_MAX_PART_MB", "--max-part-mb"),
    "total_mb": (1024, "XLPY_MAX_TOTAL_MB", "--max-total-mb"),
    "ratio": (100, "XLPY_MAX_RATIO", "--max-ratio"),
    "parts": (10_000, "XLPY_MAX_PARTS", "--max-parts"),
    "strings": (2_500_000, "XLPY_MAX_STRINGS", "--max-strings"),
}

#: The limits the running command was given (its ``--max-*`` options), in its own context: a thread's, and one
#: call of :func:`xlpy.cli.main` (which runs in a copy), so concurrent or later calls never see another's.
_given: contextvars.ContextVar[dict[str, float]] = contextvars.ContextVar("xlpy_limits_given", default={})


@dataclass(frozen=True)
class Limits:
    part_mb: float
    total_mb: float
    ratio: float
    parts: int
    strings: int = int(DEFAULTS["strings"][0])

    @property
    def part_bytes(self) -> int:
        return int(self.part_mb * MB)

    @property
    def total_bytes(self) -> int:
        return int(self.total_mb * MB)


def configure(**given: float | None) -> None:
    """Set limits from the command line (``part_mb=``, ``total_mb=``, ``ratio=``, ``parts=``, ``strings=``; None:
    unchanged)."""
    for key, value in given.items():
        if key not in DEFAULTS:
            raise TypeError(f"configure: no limit {key!r}")
        if value is None:
            continue
        if not value > 0:
            raise InputError(DEFAULTS[key][2], value, "must be > 0")
        if not math.isfinite(value):  # (inf would switch the limit off, and fail where it is applied)
            raise InputError(DEFAULTS[key][2], value, "must be a finite number")
        _given.set({**_given.get(), key: value})


def reset() -> None:
    """Forget limits set by :func:`configure`: the environment's or the defaults again (each command starts so)."""
    _given.set({})


def limits() -> Limits:
    """The limits in force: the command line's, else the environment's, else the defaults."""
    values = {}
    for key, (default, env, _flag) in DEFAULTS.items():
        if key in _given.get():
            values[key] = _given.get()[key]
            continue
        raw = os.environ.get(env, "").strip()
        if not raw:
            values[key] = default
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not value > 0 or not math.isfinite(value):
            raise InputError(f"environment variable {env}", raw, "must be a finite number > 0")
        values[key] = value
    return Limits(values["part_mb"], values["total_mb"], values["ratio"], int(values["parts"]), int(values["strings"]))


def converted_limits() -> Limits:
    """The limits in force, for a package LibreOffice made for xlpy from a workbook that passed
    them: its recalculated copy. Its sizes and parts are bounded as a file's from outside; its compression ratio,
    a bound on what a file from outside claims to unpack to, is not (the copy holds what it says: 2,000 holder ids of
    1,000 characters that differ at their ends pack 134 times in LibreOffice's shared strings, 24 in the workbook)."""
    return replace(limits(), ratio=math.inf)


def _mb(n: int) -> str:
    """A size in MB with enough digits to differ from a limit below 1 MB (0.013 MB, not 0.0 MB)."""
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n / MB:.2g} MB"


def _refuse(label: str, part: str | None, what: str, key: str, before: str = "unpacking") -> InputError:
    _default, env, flag = DEFAULTS[key]
    where = f"{label}: part {part}" if part else label
    return InputError(where, None, f"{what}; refused before {before} (raise the limit with {flag} or {env})",
                      show_value=False)


def entries_from_end(fh, size: int) -> int | None:
    """The number of entries the end-of-directory record of the zip file *fh* (*size* bytes) declares, read from its
    last 64 KiB, its directory never parsed; None when there is none to read, or it leaves the count to a ZIP64
    record (0xFFFF).  The parts' limit is checked by it (:func:`check_package`), and a zip archive over it is never
    looked into (:func:`~xlpy.files.sniff.zip_no_workbook`)."""
    tail = min(size, 22 + 0xFFFF)
    fh.seek(size - tail)
    data = fh.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    _sig, _disk, _cd_disk, _n_disk, total, _cd_size, _cd_off, _comment = struct.unpack("<4sHHHHIIH", data[at:at + 22])
    return None if total == 0xFFFF else total


def check_package(source: str | os.PathLike | bytes, label: str | None = None, lim: Limits | None = None) -> None:
    """Refuse a package whose directory declares more than the limits allow, or whose shared strings are more than
    they allow; nothing is decompressed but the shared strings, counted unparsed (:func:`shared_strings_over`).

    *source* is a path or the file's bytes; *label* names it in messages
    (default: the path as given).  A file that is not a zip package passes:
    the reader that opens it next says so in its own words.

    Raises
    ------
    InputError
        One line naming the file, the part and the limit.
    """
    lim = lim or limits()
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = label or "package"
        fh: io.IOBase = io.BytesIO(source)
        size = len(source)
    else:
        label = label or str(source)
        try:
            size = os.stat(source).st_size
        except OSError:
            return  # not found: the reader says so
        if size > lim.total_bytes:
            raise _refuse(label, None, f"is {_mb(size)}, over the limit of {lim.total_mb:g} MB in all", "total_mb")
        try:
            fh = open(source, "rb")  # noqa: SIM115  (closed below)
        except OSError as exc:  # (locked by Excel, or no permission)
            raise unreadable(label, exc) from None
    try:
        declared = entries_from_end(fh, size)
        if declared is not None and declared > lim.parts:
            raise _refuse(label, None, f"has {declared:,} parts, over the limit of {lim.parts:,}", "parts")
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
        with zf:  # closed here, not by a finaliser an interrupt could land in
            _check_directory(zf.infolist(), label, lim)
            for info in _shared_strings_parts(zf):  # (the sizes passed: what holds the strings is unpacked, unparsed)
                if shared_strings_over(zf, info, lim.strings):
                    raise _refuse(label, info.filename, f"holds more than {lim.strings:,} shared strings, the limit",
                                  "strings", "reading them")
    finally:
        fh.close()


def _check_directory(infos: list[zipfile.ZipInfo], label: str, lim: Limits) -> None:
    """Refuse a package whose directory (*infos*) declares more parts, a larger part or a larger whole, or a part
    packed tighter, than *lim* allows, or names a part twice."""
    if len(infos) > lim.parts:
        raise _refuse(label, None, f"has {len(infos):,} parts, over the limit of {lim.parts:,}", "parts")
    _refuse_twice_named(infos, label)
    total = 0
    for info in infos:
        if info.file_size > lim.part_bytes:
            raise _refuse(label, info.filename, f"unpacks to {_mb(info.file_size)}, over the limit of "
                          f"{lim.part_mb:g} MB per part", "part_mb")
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > lim.ratio:
                raise _refuse(label, info.filename, f"unpacks {ratio:,.0f} times its packed size "
                              f"({_mb(info.file_size)}), over the limit of {lim.ratio:g}", "ratio")
        total += info.file_size
        if total > lim.total_bytes:
            raise _refuse(label, None, f"unpacks to over {_mb(total)}, over the limit of {lim.total_mb:g} MB "
                          "in all", "total_mb")


#: The content type of the shared strings, which openpyxl's reader finds them by ([Content_Types].xml), and the
#: relationship type xlpy's readers follow to them (the workbook's relationships), in lower case.
_STRINGS_TYPE, _STRINGS_REL = "sharedstrings+xml", "/sharedstrings"
#: The start of a string item, ``<si>`` (or ``<x:si>``, its namespace given a prefix); ``</si>`` is not one.
_SI = re.compile(rb"<(?:[^\s<>/:!?]+:)?si[\s/>]")


def _shared_strings_parts(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The parts of package *zf* a reader may take for its shared strings: those [Content_Types].xml gives their
    content type (openpyxl's reader), those a relationship of their type names (xlpy's), and any named
    ``sharedStrings.xml``; the content types and relationships read to their first 4 MB, unparsed past a DTD."""
    parts = {i.filename.lower(): i for i in zf.infolist() if not i.is_dir()}
    names = {n for n in parts if n.rsplit("/", 1)[-1] == "sharedstrings.xml"}
    for low, info in parts.items():
        if low == "[content_types].xml":
            names |= {a.get("PartName", "").lstrip("/").lower() for a in _attributes(zf, info, "Override")
                      if a.get("ContentType", "").lower().endswith(_STRINGS_TYPE)}
        elif low.endswith(".rels"):
            base = low.rpartition("_rels/")[0]  # (the folder of the part they are the relationships of)
            for a in _attributes(zf, info, "Relationship"):
                target = a.get("Target", "").lower()
                if a.get("Type", "").lower().endswith(_STRINGS_REL) and a.get("TargetMode") != "External":
                    names.add(target.lstrip("/") if target.startswith("/") else posixpath.normpath(base + target))
    return [parts[n] for n in sorted(names) if n in parts]


def _attributes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, local: str) -> list[dict[str, str]]:
    """The attributes of each element named *local* (in any namespace) in the first 4 MB of the small XML part
    *info*; none past a DTD, nor past where it is not XML (its reader says what is wrong with it)."""
    found: list[dict[str, str]] = []
    parser = _expat()
    parser.StartElementHandler = lambda name, attrs: found.append(attrs) if name.rsplit(" ", 1)[-1] == local else None
    try:
        with zf.open(info) as fh:
            parser.Parse(fh.read(4 << 20), False)
    except (_Seen, expat.ExpatError, ValueError, LookupError, *DAMAGE, RuntimeError, NotImplementedError):
        pass
    return found


def shared_strings_over(zf: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bool:
    """Whether the shared strings part *info* of *zf* holds more than *most* strings (``<si>`` items), counted in its
    bytes as they are unpacked (never parsed) and no further than the first past *most*: a reader (openpyxl's)
    builds every one, used by a cell or not, 7 microseconds each (28 million of one letter, a 20 MB file within
    the other limits, took 2.6 GB and 200 s).  A part that cannot be unpacked is left to its reader."""
    count, tail = 0, b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(8 << 20):
                data = tail + chunk
                cut = data.rfind(b"<", max(0, len(data) - 256))  # (a tag cut short at the end: counted with the next)
                cut = len(data) if cut < 0 else cut
                count += len(_SI.findall(data, 0, cut))
                if count > most:
                    return True
                tail = data[cut:]
    except (*DAMAGE, RuntimeError, NotImplementedError):  # (damaged, encrypted, Deflate64: its reader says so)
        return False
    return count + len(_SI.findall(tail)) > most


def _refuse_twice_named(infos: list[zipfile.ZipInfo], label: str) -> None:
    """Refuse a package naming a part twice (part names compare without case, as the package format has it):
    readers differ on which copy they read (Python's zipfile the last, others the first)."""
    seen: set[str] = set()
    for info in infos:
        key = info.filename.lower()
        if key in seen:
            raise InputError(f"{label}: part {info.filename}", None, "is in the package twice, which a package does "
                             "not hold (readers differ on which copy they read); refused before unpacking",
                             show_value=False)
        seen.add(key)


def read_part(zf: zipfile.ZipFile, name: str, label: str, lim: Limits | None = None) -> bytes:
    """One part's bytes, read in slices; refused as soon as it passes the per-part limit.

    :mod:`zipfile` itself stops at the size the directory declares (and then
    fails the CRC check if the directory lied); this bounds the read by the
    limit whatever the directory says.
    """
    lim = lim or limits()
    out: list[bytes] = []
    size = 0
    with zf.open(name) as fh:
        while True:
            chunk = fh.read(8 << 20)  # large slices, joined once: a long sheet is copied once, not twice
            if not chunk:
                break
            out.append(chunk)
            size += len(chunk)
            if size > lim.part_bytes:
                raise _refuse(label, name, f"unpacks to more than {lim.part_mb:g} MB, over the limit per part",
                              "part_mb")
    return out[0] if len(out) == 1 else b"".join(out)


def inflate_part(raw: bytes, info: zipfile.ZipInfo, label: str, lim: Limits | None = None) -> bytes:
    """A deflated part's bytes from its *raw* stream: what :func:`read_part` gives, by the fast backend.

    Bounded by the per-part limit whatever the directory says, and checked
    against the directory's CRC-32 (:class:`zipfile.BadZipFile` if it differs,
    as :mod:`zipfile` raises).
    """
    from . import deflate

    lim = lim or limits()
    out = deflate.inflate(raw, lim.part_bytes)
    if out is None:
        raise _refuse(label, info.filename, f"unpacks to more than {lim.part_mb:g} MB, over the limit per part",
                      "part_mb")
    if len(out) != info.file_size or deflate.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return out


#: What reading a damaged part raises: a CRC that differs, a deflate stream that does not inflate, one cut short.
DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError)


def damaged(label: str, exc: BaseException, done: str, unchanged: bool = False) -> InputError:
    """The problem of a damaged package *label* (*exc*: what reading it raised; *done*: what was not done, as
    "it was not changed", which *unchanged* marks it as saying: :attr:`InputError.unchanged`)."""
    return InputError(label, None, f"is damaged ({exc}); {done}", show_value=False, unchanged=unchanged)


def check_intact(path: str | os.PathLike, label: str, done: str) -> None:
    """Refuse a package one of whose parts is damaged (:func:`damaged`), for a command that hands the whole file
    to another program (LibreOffice quietly leaves out a part it cannot read). Every part is read in slices,
    bounded by the limits (check the package with :func:`check_package` first), and checked against its CRC-32."""
    exc = damage_of(path, label)
    if exc is not None:
        raise damaged(label, exc, done) from None


def damage_of(path: str | os.PathLike, label: str) -> str | None:
    """What reading every part of *path* in slices against its CRC-32 raises (a part damaged), naming the part;
    None if intact."""
    name = ""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    name = info.filename
                    read_part(zf, name, label)
    except DAMAGE as exc:
        return damage_named(name, exc)
    return None


def damage_named(name: str, exc: BaseException) -> str:
    """What reading part *name* raised (*exc*, one of :data:`DAMAGE`), naming the part once: zipfile's CRC-32
    refusal names it (``Bad CRC-32 for file 'xl/vbaProject.bin'``), zlib's does not."""
    return str(exc) if not name or name in str(exc) else f"part {name}: {exc}"


def damage_first(path: str | os.PathLike, label: str) -> str | None:
    """:func:`damage_of`, before a reader opens the package, so that a damaged part is named alike whichever it is
    (a sheet, which the reader would fail on, or the VBA project, which it leaves alone); None also where a part
    cannot be unpacked at all (Deflate64, encrypted), which the reader then names."""
    try:
        return damage_of(path, label)
    except (RuntimeError, NotImplementedError):
        return None


def _whose(name) -> str:
    """``: -rw------- bob's; ask bob to let you read it`` for a file a permission refused (POSIX), or ""."""
    try:
        import pwd

        st = os.stat(name)
        owner = pwd.getpwuid(st.st_uid).pw_name
    except (ImportError, KeyError, OSError, TypeError):
        return ""
    return f": {stat.filemode(st.st_mode)}, {owner}'s; ask {owner} to let you read it"


def unreadable(label: str, exc: OSError) -> InputError:
    """A file that is there but cannot be opened, named by *label*: on Windows, Excel locks a file it has open
    (a CSV as much as a workbook), which is the everyday case of a permission refused."""
    why = exc.strerror or str(exc)
    if isinstance(exc, PermissionError) and os.name == "nt":
        why += "; is it open in another program, such as Excel?"
    elif isinstance(exc, PermissionError):  # (no program locks a file here: its permissions refuse you, review 175)
        why += _whose(exc.filename)
    kind = Busy if in_use(exc) else InputError
    return kind(label, None, f"cannot be read ({why})", show_value=False)


def in_use(exc: OSError) -> bool:
    """Whether *exc* says a file is in use by another program, so the same command may pass later (exit status
    3): Windows' sharing and lock violations (32, 33), as ``os.replace`` reports them; and on Windows any
    permission refused opening a file, which is how Python's ``open`` reports a file Excel holds (errno 13, no
    Windows code: a file whose permissions refuse it there is taken as in use too). Elsewhere a permission
    refused is bad input."""
    return getattr(exc, "winerror", None) in (32, 33) or os.name == "nt" and isinstance(exc, PermissionError)


def held_hint(exc: OSError) -> str:
    """What to add to a file's "cannot be written" when *exc* is a file in use (:func:`in_use`): on Windows, a
    workbook Excel holds open is refused so, with or without an owner file beside it."""
    if not in_use(exc):
        return ""
    if getattr(exc, "winerror", None) in (32, 33):  # (a sharing or lock violation: another program has it)
        return "; is it open in another program, such as Excel?"
    return "; is it open in another program, such as Excel, or its folder read-only?"  # (access denied: either)


# --- XML parts ---------------------------------------------------------------------------------------------

#: Why a part holding a DTD is refused (a workbook's XML never declares one; its entities are how XML is made to
#: read files or fill memory).
DTD = "declares a DTD (entities), which a workbook does not hold"

#: What parsing a part that is not well-formed XML, or that declares a DTD, raises: the standard library's parsers,
#: defusedxml's refusals, and lxml's (openpyxl parses with it when it is installed), whose XMLSyntaxError is a
#: SyntaxError, as ElementTree's ParseError is (so lxml is not imported here, for every command).
XML_ERRORS: tuple[type[BaseException], ...] = (SyntaxError, ParseError, expat.ExpatError, DefusedXmlException)

#: The parts read as XML: a DTD in any of them is refused (VML too, which is not always well-formed XML).
_XML_PARTS = (".xml", ".rels", ".vml")


class _Seen(Exception):
    """Raised from a parser's handler to stop it where what was looked for begins."""


def _expat(dtd_seen=None):
    """A bare expat parser that stops (:class:`_Seen`) where a DTD begins: no declaration of it is read, so no
    entity is ever declared, expanded or fetched; with *dtd_seen* (a list), the first element stops it too and
    a DTD is noted there.  Namespaces are processed, as every reader of a part processes them: a prefix no
    declaration binds (``<workbookPr r:x="1"``) is an error here, as it is there."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_):
        if dtd_seen is not None:
            dtd_seen.append(True)
        raise _Seen

    def element(*_):
        raise _Seen

    parser.StartDoctypeDeclHandler = doctype
    if dtd_seen is not None:
        parser.StartElementHandler = element
    return parser


def _declares_dtd(fh) -> bool:
    """Whether the XML read from *fh* declares a DTD before its first element: read only that far (or to the first
    error: a part that is not XML is its reader's to name)."""
    seen: list[bool] = []
    parser = _expat(seen)
    try:
        while chunk := fh.read(64 << 10):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Seen, expat.ExpatError, ValueError, LookupError):  # (an encoding expat lacks: not a DTD it could read)
        pass
    return bool(seen)


def _zip_of(source):
    return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source)


def dtd_part(source: str | os.PathLike | bytes) -> str | None:
    """The first XML part of package *source* (a path or its bytes) that declares a DTD, or None.  Only each part's
    start is unpacked, to its first element; a part that cannot be unpacked is left to its reader (check the
    package with :func:`check_package` first)."""
    try:
        with _zip_of(source) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.lower().endswith(_XML_PARTS):
                    continue
                try:
                    with zf.open(info) as fh:
                        if _declares_dtd(fh):
                            return info.filename
                except (*DAMAGE, RuntimeError, NotImplementedError):  # (damaged, encrypted, Deflate64: said later)
                    continue
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # not a package: its reader says so
    return None


def bad_part(label: str, part: str, why: str, done: str = "", unchanged: bool = False) -> InputError:
    """The problem of part *part* of package *label*: *why* (as :data:`DTD`), and what was not done (*unchanged*:
    *done* says the package was left as it was, :attr:`InputError.unchanged`)."""
    return InputError(f"{label}: part {part}", None, f"{why}; {done}" if done else why, show_value=False,
                      unchanged=unchanged)


def check_no_dtd(source: str | os.PathLike | bytes, label: str, done: str = "", unchanged: bool = False) -> None:
    """Refuse a package one of whose XML parts declares a DTD (:func:`dtd_part`), naming the part (*done*,
    *unchanged*: as :func:`bad_part` has them)."""
    part = dtd_part(source)
    if part is not None:
        raise bad_part(label, part, DTD, done, unchanged)


def xml_fault(data: bytes) -> str | None:
    """Why *data* cannot be read as a part's XML (it declares a DTD, or is not well-formed: what, and where, the
    column counted from 1 as an editor counts it), or None.  No entity is ever declared or expanded."""
    try:
        _expat().Parse(data, True)
    except _Seen:
        return DTD
    except (ValueError, LookupError):  # (an encoding expat does not read, Shift_JIS, UCS-2: not looked at)
        return None
    except expat.ExpatError as exc:
        what = expat.ErrorString(exc.code)
        what = what[len("not well-formed ("):-1] if what.startswith("not well-formed (") else what
        return f"is not well-formed XML ({what}, line {exc.lineno}, column {exc.offset + 1})"
    return None


def damage_said(path: str | os.PathLike, label: str) -> str | None:
    """The damaged part of the package at *path* (its CRC-32 or its compressed data) or one not well-formed XML, in
    words, or None: what a parser's error ("mismatched tag") does not say, the part."""
    try:
        exc = damage_of(path, label)
        xml = part_fault(path, label) if exc is None else None  # (or a part that is not well-formed XML)
    except Exception:  # noqa: BLE001  (a part zipfile cannot read at all: Deflate64, encrypted; openpyxl's words)
        return None
    return f"a damaged part ({exc})" if exc is not None else xml and f"part {xml[0]}, which {xml[1]}"


def part_fault(source: str | os.PathLike | bytes, label: str) -> tuple[str, str] | None:
    """The first XML part of package *source* that declares a DTD or is not well-formed, and why: (part, why); None
    if there is none (:func:`part_faults`)."""
    found = part_faults(source, label, most=1)
    return found[0] if found else None


def part_faults(source: str | os.PathLike | bytes, label: str, skip=None, most: int | None = None
                ) -> list[tuple[str, str]]:
    """(part, why) of each XML part of package *source* that declares a DTD or is not well-formed (at most *most*),
    in the package's order.  Each part is read whole (in slices, bounded by the limits); VML, which Excel does not
    always write as well-formed XML, is not looked at, nor a part that cannot be unpacked, nor one whose name
    *skip* (a callable) is true of: a part its reader parses anyway, which names it then."""
    found: list[tuple[str, str]] = []
    with _zip_of(source) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or not name.lower().endswith((".xml", ".rels")) or skip is not None and skip(name):
                continue
            try:
                why = xml_fault(read_part(zf, name, label))
            except (*DAMAGE, RuntimeError, NotImplementedError):
                continue
            if why is not None:
                found.append((name, why))
                if most is not None and len(found) >= most:
                    break
    return found


def refused_part(path: str | os.PathLike, label: str, exc: BaseException, done: str, unchanged: bool = False
                 ) -> BaseException:
    """What to raise when reading package *path* (named *label*) raised *exc*, a damaged part's error or an XML
    parser's (:data:`DAMAGE`, :data:`XML_ERRORS`): the damaged part (:func:`damaged`), else the part that is not XML
    to be read (:func:`part_fault`), each with what was not *done* (*unchanged*: as :func:`bad_part` has it); else
    *exc* itself, for an XML error met in a file other than this package (an XLSX tally)."""
    crc = damage_of(path, label)
    if crc is not None:
        return damaged(label, crc, done, unchanged)
    found = part_fault(path, label)
    if found is not None:
        return bad_part(label, *found, done, unchanged)
    return damaged(label, exc, done, unchanged) if isinstance(exc, DAMAGE) else exc
