"""A package whole before a command carries it forward or hands it on: every part its relationships name is in
it, and every XML part is well-formed.

A workbook rewritten part by part can lose a part (a chart, a drawing, a sheet)
that another part's relationships still name, or hold an XML part cut short.
Excel reports such a workbook as a problem with its content, openpyxl fails
on it or leaves a sheet out, and a refresh that copies the rest of the package
byte for byte would write the damage into a new workbook and its backup.  So
``refresh`` refuses it before writing (:func:`check_whole`), ``render`` before
LibreOffice sees it (:func:`check_file`), and ``validate`` names each missing
part as a finding (:func:`missing_findings`), each naming the part.

Every XML part is parsed whole (expat, no entity ever declared), except a long
one (over :data:`LARGE`, a sheet holding a long holder tally): that one is
looked at its ends, its root element opened at its start and closed at its
end, and parsed whole only when it is not (to say where it is broken).  A part
cut short always loses its end, so the cost of a refresh stays that of the
small parts.  VML, which Excel does not always write as well-formed XML, is not
parsed (a DTD in it is refused by :func:`xlpy.files.safety.check_no_dtd`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote
from xml.parsers import expat

from defusedxml.ElementTree import fromstring

from ..engine.errors import InputError
from ..files.safety import DAMAGE, XML_ERRORS, bad_part, check_no_dtd, read_part, xml_fault
from ..files.sniff import other_kind

__all__ = ["LARGE", "check_file", "check_whole", "missing_findings", "missing_parts", "problems"]

#: Parts over this many bytes are parsed whole only when their ends do not show the root element closed.
LARGE = 4 << 20

_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_RELS = re.compile(r"(?P<folder>(?:.*/)?)_rels/(?P<part>[^/]*)\.rels", re.IGNORECASE)
_XML = (".xml", ".rels")
#: The relationships a reader of the workbook follows (the last word of their types): a part one names that is not
#: there fails openpyxl, or leaves a sheet, a table or a chart out.  Others (a thumbnail, a sheet's printer
#: settings, custom XML) are read by no one, and Excel opens a workbook without their parts.  A VBA project gone is
#: said as that, not as a part missing.
_FOLLOWED = frozenset({"officeDocument", "worksheet", "chartsheet", "dialogsheet", "sharedStrings", "styles", "theme",
                       "drawing", "chart", "chartUserShapes", "table", "vmlDrawing", "comments", "pivotTable",
                       "pivotCacheDefinition", "externalLink", "image"})


def missing_parts(names: Iterable[str], read: Callable[[str], bytes | None]) -> list[tuple[str, str]]:
    """(part, why) of each part an internal relationship a reader follows names that the package does not hold, or
    holds under another spelling (case, escapes: openpyxl does not find it), from the relationships of the package
    and of each part it holds; *read* gives a part's bytes (None: damaged, said where it is read).  Relationships
    that are not XML to be read are left to :func:`problems`."""
    names = list(names)
    have = {n.lower(): n for n in names}
    found = []
    for rels in names:
        m = _RELS.fullmatch(rels)
        source = m and m.group("folder") + m.group("part")
        if not m or source and source.lower() not in have:  # (not relationships; or those of a part not there)
            continue
        data = read(rels)
        try:
            root = fromstring(data) if data is not None else None
        except (*XML_ERRORS, ValueError, LookupError):  # (an encoding expat lacks: its reader says)
            continue
        for r in root.iter(f"{{{_PKG_REL}}}Relationship") if root is not None else ():
            target = (r.get("Target") or "").split("#", 1)[0].replace("\\", "/")  # (a Windows tool's separators)
            if r.get("TargetMode") == "External" or not target or target.rsplit("/", 1)[-1] == "NULL" or \
                    ":" in target.split("/")[0] or (r.get("Type") or "").rsplit("/", 1)[-1] not in _FOLLOWED:
                continue  # (a URL; Excel's NULL; a thumbnail, printer settings: nothing reads them)
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(_base(rels), target))
            while part.startswith("../"):  # (above the package's root: the root, as a URI resolves it)
                part = part[3:]
            stored = have.get(part.lower()) or have.get(unquote(part).lower())
            why = (f"is not in the package, though {rels} names it" if stored is None else None if stored in (
                part, unquote(part)) else f"is stored as {stored}, spelled otherwise than {rels} names it, which "
                "openpyxl does not read: open and save the workbook in Excel, which writes the two alike")
            if why is not None and (part, why) not in found:
                found.append((part, why))
    return found


def _base(rels: str) -> str:
    """The folder a relationships part's relative targets start from: its source part's (``xl/_rels/workbook.xml.
    rels``: ``xl``; ``_rels/.rels``: the package's root)."""
    return rels.rpartition("_rels/")[0].rstrip("/")


def xml_problem(data: bytes) -> str | None:
    """Why *data* is not a part's XML to be read (:func:`xlpy.files.safety.xml_fault`), or None; a part over
    :data:`LARGE` whose root element is closed at its end is taken as whole, unparsed."""
    if len(data) > LARGE and _closed(data):
        return None
    return xml_fault(data)


def _closed(data: bytes) -> bool:
    """Whether *data* opens an element at its start (read to there, no further) and ends by closing it."""
    names: list[str] = []
    parser = expat.ParserCreate()

    def start(name, _attrs):
        names.append(name)
        raise StopIteration

    def doctype(*_):  # (a DTD: parsed whole, which names it)
        names.append("")
        raise StopIteration

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data[:64 << 10], False)
    except (StopIteration, expat.ExpatError):
        pass
    if len(names) != 1 or not names[0]:
        return False
    tail = data[-(len(names[0]) + 256):]
    return re.search(rb"</" + re.escape(names[0].encode()) + rb"[ \t\r\n]*>[ \t\r\n]*\Z", tail) is not None


def problems(names: Iterable[str], read: Callable[[str], bytes | None], most: int | None = None
             ) -> list[tuple[str, str]]:
    """(part, why) of each XML part that is not well-formed (:func:`xml_problem`), then of each part a relationship
    names that is not in the package, in the package's order; *read* as :func:`missing_parts`'s."""
    names = list(names)
    found = []
    for name in names:
        data = read(name) if name.lower().endswith(_XML) else None
        why = xml_problem(data) if data is not None else None
        if why is not None:
            found.append((name, why))
            if most is not None and len(found) >= most:
                return found
    found += missing_parts(names, read)
    return found[:most] if most is not None else found


def check_whole(pkg, label: str, done: str, unchanged: bool = False) -> None:
    """Refuse the :class:`xlpy.workbook.package.Package` *pkg* (named *label*) if :func:`problems` finds one: an
    :class:`InputError` naming the part, and what was not *done* (*unchanged*: it says the package was left as it
    was).  A damaged part is left to its reader."""
    from .package import PackageError

    def read(name: str) -> bytes | None:
        try:
            return pkg.read(name)
        except PackageError:  # (damaged: said as the reader says it, the part and its CRC)
            return None

    found = problems(pkg.names(), read, most=1)
    if found:
        raise bad_part(label, *found[0], done, unchanged)


def check_file(path: str | Path, label: str, done: str, unchanged: bool = False) -> None:
    """:func:`check_whole` of the package file at *path* (check its limits first), its DTDs refused before
    anything is parsed; a file that is not a package is left to its reader."""
    if (kind := other_kind(Path(path))) is not None:  # (an .xls, an .ods, a copy cut short: said as such, first)
        raise InputError(label, None, f"is not a workbook: it is {kind}; {done}", show_value=False,
                         unchanged=unchanged)
    check_no_dtd(path, label, done, unchanged)
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
            found = problems(names, lambda n: _read_or_none(zf, n, label), most=1)
    except (zipfile.BadZipFile, OSError):
        return
    if found:
        raise bad_part(label, *found[0], done, unchanged)


def missing_findings(path: str | Path, book: str) -> list:
    """A finding for each part a relationship of the workbook at *path* names that is not in it (*book* names the
    workbook); nothing else of it is read after."""
    from .findings import Finding

    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
            gone = missing_parts(names, lambda n: _read_or_none(zf, n, book))
    except (zipfile.BadZipFile, OSError):
        return []
    return [Finding(book, f"part {part}", f"{why} (Excel reports the workbook as a problem with its content); "
                    "nothing else of it was read") for part, why in gone]


def _read_or_none(zf: zipfile.ZipFile, name: str, label: str) -> bytes | None:
    try:
        return read_part(zf, name, label)
    except (*DAMAGE, KeyError, RuntimeError, NotImplementedError):
        return None

