"""The parts a standard workbook may hold, and the ones nothing accounts for.

The allow-list covers the layout's own parts (:mod:`xlpy.workbook.build`), the xlwings
template's, and those a spreadsheet application's normal save adds (Excel or
LibreOffice: comments, images, pivot tables, slicers, custom XML, printer
settings...).  Anything else is *unknown*: :mod:`xlpy.workbook.validate` names it as a
finding, and ``xlpy refresh`` refuses to carry an unknown binary part
(an embedded program, an ActiveX control, an OLE object...) forward unless
``--allow-unknown-parts`` is given.
"""

from __future__ import annotations

import re
import zipfile

__all__ = ["MACRO_NAME", "is_binary_name", "malformed", "misnamed_macro_book", "unknown_parts"]

#: Why a workbook with a VBA project is named .xlsm: ``xlpy build`` refuses another name, and ``validate`` and
#: ``refresh`` name a standard workbook renamed since (Excel will not open it).
MACRO_NAME = ("must end in .xlsm: the standard workbook carries the refresh macros (a VBA project), which Excel "
              "refuses to open under any other name")

_N = r"\d*"
_KNOWN = [
    r"\[Content_Types\]\.xml",
    r"_rels/\.rels",
    r"docProps/(app|core|custom)\.xml",
    r"docMetadata/LabelInfo\.xml",  # a sensitivity label (Microsoft Purview): Excel adds it where a policy applies
    r"docProps/thumbnail\.(jpeg|jpg|png|wmf|emf)",
    r"xl/workbook\.xml",
    r"xl/(styles|sharedStrings|calcChain|metadata|connections|volatileDependencies)\.xml",
    rf"xl/theme/theme(Override)?{_N}\.xml",  # an override: a chart pasted from another workbook
    rf"xl/(worksheets|chartsheets|dialogsheets|macrosheets)/sheet{_N}\.xml",
    rf"xl/tables/(table|tableSingleCells){_N}\.xml",
    r"xl/xmlMaps\.xml",
    rf"xl/drawings/(drawing{_N}\.xml|vmlDrawing{_N}\.vml)",
    rf"xl/charts/(chart|chartEx|style|colors){_N}\.xml",  # chartEx: a waterfall, a treemap, a funnel...
    rf"xl/diagrams/(data|layout|quickStyle|colors|drawing){_N}\.xml",  # SmartArt
    rf"xl/media/(image|hdphoto){_N}\.(png|jpeg|jpg|gif|emf|wmf|bmp|tif|tiff|svg|wdp)",
    rf"xl/comments{_N}\.xml",
    rf"xl/comments/comment{_N}\.xml",  # openpyxl's name for a sheet's comments
    rf"xl/drawings/commentsDrawing{_N}\.vml",
    rf"xl/threadedComments/threadedComment{_N}\.xml",
    r"xl/persons/person\.xml",
    rf"xl/ctrlProps/ctrlProps?{_N}\.xml",  # Excel: ctrlProp1.xml, LibreOffice: ctrlProps1.xml
    rf"xl/printerSettings/printerSettings{_N}\.bin",
    r"xl/vbaProject\.bin",
    r"xl/vbaProjectSignature(Agile|V3)?\.bin",
    r"xl/vbaData\.xml",
    rf"xl/externalLinks/externalLink{_N}\.xml",
    rf"xl/pivotTables/pivotTable{_N}\.xml",
    rf"xl/pivotCache/pivotCache(Definition|Records){_N}\.xml",
    rf"xl/(slicers/slicer|slicerCaches/slicerCache|timelines/timeline|timelineCaches/timelineCache){_N}\.xml",
    rf"xl/queryTables/queryTable{_N}\.xml",
    rf"xl/richData/[A-Za-z]+{_N}\.xml",
    rf"xl/customProperty{_N}\.bin",
    rf"customXml/(item|itemProps){_N}\.xml",
    rf"xl/webextensions/(webextension{_N}|taskpanes)\.xml",
    r"xl/featurePropertyBag/featurePropertyBag\.xml",  # Excel 365's cell checkboxes
]
_RELS = re.compile(r"(?P<folder>(.*/)?)_rels/(?P<part>[^/]+)\.rels$")
_ALLOWED = re.compile("|".join(f"(?:{p})" for p in _KNOWN), re.IGNORECASE)
_TEXT = (".xml", ".rels", ".vml")


def is_known(name: str) -> bool:
    """True when *name* is a part the allow-list accounts for (a known part's relationships included)."""
    if _ALLOWED.fullmatch(name):
        return True
    m = _RELS.fullmatch(name)
    return bool(m) and _ALLOWED.fullmatch(m.group("folder") + m.group("part")) is not None


def is_binary_name(name: str) -> bool:
    return not name.lower().endswith(_TEXT)


def unknown_parts(zf: zipfile.ZipFile) -> list[tuple[str, int, bool]]:
    """(name, unpacked size, binary?) of every part the allow-list does not account for.

    A part is binary when its name is not an XML one, or when its first bytes
    are not XML (at most 64 bytes are unpacked to tell).
    """
    out = []
    for info in zf.infolist():
        if info.is_dir() or is_known(info.filename):
            continue
        binary = is_binary_name(info.filename)
        if not binary:
            try:
                with zf.open(info) as fh:
                    head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
                binary = bool(head) and not head.startswith(b"<")
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
                binary = True
        out.append((info.filename, info.file_size, binary))
    return out


def describe(name: str, size: int, binary: bool) -> str:
    return f"{name} ({size:,} bytes, {'binary' if binary else 'XML'})"


#: The refusal of an .xlsm saved without its macros (:func:`xlsx_named_xlsm`).
XLSX_NAMED_XLSM = ("is an .xlsx workbook (no macros: its refresh macros and buttons are gone) under an .xlsm name, as "
                   "LibreOffice's 'Excel 2007-365' format saves one: Excel refuses to open it so; save it as 'Excel "
                   "2007-365 (macro-enabled)' from the LibreOffice window it is still open in, or rebuild it with xlpy "
                   "build")


def xlsx_named_xlsm(path) -> bool:
    """Whether the package at *path*, named .xlsm, declares its workbook an .xlsx's (no VBA project, the
    spreadsheetml ``sheet.main`` content type), which Excel refuses to open under that name; False otherwise."""
    from pathlib import Path

    if Path(path).suffix.lower() != ".xlsm":
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            types = zf.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return False  # (the reader says what it is)
    return b"spreadsheetml.sheet.main+xml" in types and b"macroEnabled.main+xml" not in types


def misnamed_macro_book(path) -> bool:
    """Whether the package at *path* holds a VBA project (``xl/vbaProject.bin``) under a name not ending in .xlsm
    (an .xlsm renamed .xlsx, which Excel refuses to open); False for a file that is not a package."""
    from pathlib import Path

    if Path(path).suffix.lower() == ".xlsm":
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower() == "xl/vbaproject.bin" for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False  # (the reader says what it is)


#: The parts a validation parses anyway, openpyxl opening the workbook (it names one that is not well-formed, and
#: the workbook is not validated further): the sheets and their strings, the long parts, are not parsed twice.
_PARSED = re.compile(r"xl/(worksheets/sheet\d*|sharedStrings)\.xml", re.IGNORECASE)

#: What Excel does with a workbook one of whose parts is not well-formed XML, though openpyxl opens it.
EXCEL_REFUSES = 'which Excel reports when it opens the workbook ("We found a problem with some content")'


def malformed(path, book: str) -> list:
    """A finding for each XML part of the workbook at *path*, among those openpyxl leaves unread (its document
    properties, custom XML, the calculation chain...), that is not well-formed XML (:func:`xlpy.files.safety.
    part_faults`, parsed once with expat, in slices bounded by the limits); *book* names the workbook."""
    from ..files.safety import DAMAGE, part_faults
    from .findings import Finding

    try:
        found = part_faults(path, book, skip=_PARSED.fullmatch)
    except (*DAMAGE, OSError):  # (a damaged package: named where it is read)
        return []
    return [Finding(book, f"part {name}", f"{why}, {EXCEL_REFUSES}") for name, why in found]
