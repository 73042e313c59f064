"""A refresh that switches a workbook between aggregate counts and a holder tally.

A standard workbook counts its tally in one of two ways (:class:`xlpy.workbook.layout.Shape`
``tally``): *aggregate* counts typed on ``Tenders``, or a *holder* table
(``tblTenders``) with the counts as formulas over it.  The two layouts differ in
three places only (everything else sits in the same cells, with the same names):

* ``Tenders``: the Count and Acceptance blocks (inputs or formulas, and the
  holder items: odd lots, capacity...), the holder table with its Excel table
  part, data validation, column widths, frozen header and printed title row;
* a few formulas of ``Results`` and ``Check`` (per-holder sums and tie-outs);
* the workbook-level names of the holder items and table columns.

When a refresh is given the other kind of tally, :class:`Switch` makes the
workbook what a build of the same offer with that tally gives in those places:
it builds that workbook in a temporary folder (:func:`xlpy.workbook.build.build_workbook`)
and copies its ``Tenders`` areas into the package (cell styles mapped into the
workbook's own style sheet), adds or removes the table part with its
relationship, ``[Content_Types].xml`` override and ``<tableParts>`` entry
(ECMA-376 Part 1, 18.5), and rewrites the formulas and names that differ.  The
refresh then writes the tally, the record and a History row as usual.

Cells outside those areas are not touched: a note typed beside the blocks, an
input changed on ``Inputs``, the History rows.  A cell the new areas would take
that holds something is refused, naming it (nothing is written).  The switch is
done on a file (``xlpy refresh``); a live Excel book refuses it (see
:data:`LIVE_REFUSAL`).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path, PurePosixPath

from openpyxl.utils import get_column_letter

from ..engine.errors import InputError
from . import leftovers, package
from .layout import LABEL_COL, NOTE_COL, Layout, Shape, layout
from .style_map import StyleMap, styles_part

__all__ = ["LIVE_REFUSAL", "SHEET", "Switch", "target_shape", "tenders_areas"]

SHEET = "Tenders"
#: Why a live Excel book (a Refresh button) does not switch: xlpy edits the file's parts to do it.
LIVE_REFUSAL = ("this refresh would switch the workbook from {old} to {new}, which adds or removes the holder table "
                "(an Excel table part); the Refresh buttons do not do that in an open workbook: save and close it, "
                'then run xlpy refresh "PATH OF THE WORKBOOK" --tally "{tally}" in a terminal')
_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
#: Holder lines of the workbook built to copy the switched areas from; the refresh then writes every line.
SAMPLE_LINES = 2
_WORDS = {"holders": "a holder tally", "aggregate": "aggregate counts"}
# Worksheet children that come after <tableParts> (ECMA-376 CT_Worksheet), and after <dataValidations>.
_AFTER_DV = ("hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
             "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
             "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
             "extLst")


def target_shape(shape: Shape, kind: str, rows: int) -> Shape:
    """*shape* counting its tally as *kind* (``holders``/``aggregate``) with *rows* holder lines."""
    from dataclasses import replace

    return replace(shape, tally=kind, holder_rows=rows if kind == "holders" else 0)


def tenders_areas(lay: Layout) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column) of each area of ``Tenders`` the layout writes.

    The blocks (section title row to last item, label to note column) and the
    tables (header row to last data row).
    """
    sheet = lay.sheet(SHEET)
    out = [(b.row - 1, b.row + len(b.items) - 1, LABEL_COL, NOTE_COL) for b in sheet.blocks]
    out += [(t.header_row, t.last_row, t.first_col, t.first_col + len(t.columns) - 1) for t in sheet.tables]
    return out


def _covered(areas, row: int, col: int) -> bool:
    return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, r2, c1, c2 in areas)


def _merged(areas) -> list[tuple[int, int, int, int]]:
    """Areas of the same columns whose rows overlap or touch, merged (splices must not overlap)."""
    out: list[list[int]] = []
    for r1, r2, c1, c2 in sorted(areas, key=lambda a: (a[2], a[3], a[0])):
        if out and out[-1][2:] == [c1, c2] and r1 <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], r2)
        else:
            out.append([r1, r2, c1, c2])
    rows = sorted(out)
    for a, b in itertools.pairwise(rows):
        if b[0] <= a[1]:
            raise AssertionError(f"layout areas overlap on {SHEET}: {a} and {b}")
    return [tuple(a) for a in rows]


class Switch:
    """One switch of *book* from its layout *old* to counting the tally as *kind*.

    Parameters
    ----------
    book : the refresh's Book (a :class:`xlpy.workbook.backends.PackageBook` to be switched).
    old : the workbook's layout now.
    kind : ``holders`` or ``aggregate``.
    rows : holder lines of the new tally (0 for counts).
    tally : the tally file (its name names the problems; its whole path is in the advice of a live book's).
    """

    def __init__(self, book, old: Layout, kind: str, rows: int, tally: Path):
        self.book, self.old, self.kind, self.tally_name = book, old, kind, Path(tally).name
        self.tally = Path(tally).absolute()
        self.new = layout(target_shape(old.shape, kind, rows))
        self.built = self.new  # the layout the package has after apply()

    def problems(self) -> list[InputError]:
        """What stands in the way: a live book, or a cell the new areas take that holds something."""
        from .backends import PackageBook

        if not isinstance(self.book, PackageBook):
            return [InputError(self.tally_name, None, LIVE_REFUSAL.format(
                old=_WORDS[self.old.shape.tally], new=_WORDS[self.kind], tally=self.tally), show_value=False)]
        if self.book.sheet_xml(SHEET).p:  # (the switch splices the sheet's own tags, unprefixed, as Excel writes them)
            return [InputError(self.tally_name, None, f"switching to {_WORDS[self.kind]} rewrites {SHEET}, whose XML "
                               "names its namespace by a prefix (as some programs save it): open the workbook in "
                               "Excel or LibreOffice and save it, then refresh again; it was not changed",
                               show_value=False, unchanged=True)]
        old_areas, found = tenders_areas(self.old), []
        for r1, r2, c1, c2 in tenders_areas(self.new):
            ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
            for i, row in enumerate(self.book.get_rows(SHEET, ref)):
                for j, v in enumerate(row):
                    if v not in (None, "") and not _covered(old_areas, r1 + i, c1 + j):
                        found.append(InputError(
                            f"{SHEET}!{get_column_letter(c1 + j)}{r1 + i}", v,
                            f"is in the way: switching to {_WORDS[self.kind]} puts the layout's "
                            f"{'holder table' if self.kind == 'holders' else 'counts'} there; move it"))
        return found[:20]

    def apply(self, offer, results, when: str) -> list[str]:
        """Make the package what a build of *offer* gives in the switched areas; the areas written.

        Afterwards the package has the layout :attr:`built`: a holder table of
        at most :data:`SAMPLE_LINES` lines (the build of a long tally would take
        minutes), which the refresh then writes in full, as any refresh does.
        """
        fresh = None
        holders = offer.tally.holders
        if holders is not None and len(holders) > SAMPLE_LINES:
            fresh = _fresh_package(_sample(offer), None)
        if fresh is None:
            fresh, self.built = _fresh_package(offer, results), self.new
        else:
            self.built = layout(target_shape(self.old.shape, self.kind, SAMPLE_LINES))
        book = self.book
        written = self._tenders(fresh)
        before = _formulas(self.old)
        for (sheet, ref), want in _formulas(self.built).items():
            if sheet != SHEET and before.get((sheet, ref)) != want:
                book.set(sheet, ref, want)
                written.append(f"{sheet}!{ref}")
        for name, (sheet, ref) in sorted(self.built.names.items()):
            if self.old.names.get(name) != (sheet, ref):
                book.set_name(name, f"'{sheet}'!{ref}")
                written.append(f"name {name}")
        for name in sorted(set(self.old.names) - set(self.built.names)):
            book.remove_name(name)
            written.append(f"name {name} (removed)")
        sheet, ref = self.built.cell("TallySource")
        note_ref = f"{get_column_letter(NOTE_COL)}{re.sub('[A-Z]+', '', ref)}"
        book.set(sheet, note_ref, f"switched from {_WORDS[self.old.shape.tally]} to {_WORDS[self.kind]} "
                 f"by the refresh of {when} UTC", text=True)
        written.append(f"{sheet}!{note_ref}")
        return written

    # Tenders ------------------------------------------------------------------------------

    def _tenders(self, fresh: package.Package) -> list[str]:
        book = self.book
        part = book.sheet_part(SHEET)
        fresh_part = fresh.sheet_parts()[SHEET]
        src = package.SheetXml(fresh.read(fresh_part), f"built {SHEET}")
        styles = StyleMap(fresh.read("xl/styles.xml"), book.pkg.read(styles_part(book.pkg)))
        new_areas, written = tenders_areas(self.built), []
        # Bottom up: a long holder table goes first, so the blocks above are spliced into a short sheet.
        for r1, r2, c1, c2 in reversed(_merged(tenders_areas(self.old) + new_areas)):
            sx = book.sheet_xml(SHEET, unshare=(r1, r2, c1, c2))
            rows = [(r, "".join(_no_value(styles.cell(x)) for c, x in cells
                                if c1 <= c <= c2 and _covered(new_areas, r, c)))
                    for r, _, _, cells in src.rows_between(r1, r2)]
            sx.splice(r1, r2, c1, c2, "".join(f'<{sx.p}row r="{r}">{x}</{sx.p}row>' for r, x in rows if x))
            written.append(f"{SHEET}!{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
        book.pkg.write(styles_part(book.pkg), styles.result())
        sx = book.sheet_xml(SHEET)
        sx.text = _validations(sx.text, src.text, tenders_areas(self.old) + new_areas, new_areas)
        sx.text = _views(sx.text, src.text)
        sx.text = _add_columns(sx.text, src.text, self.old.sheet(SHEET).column_widths())
        sx.text = _widen_dimension(sx.text, tenders_areas(self.built))
        if self.kind == "holders":
            sx.text = _add_table(book.pkg, part, sx.text, fresh, fresh_part)
        else:
            sx.text = _remove_table(book.pkg, part, sx.text, "tblTenders")
        sx.data_end = sx.text.rindex(f"</{sx.p}sheetData>")
        index = book.sheet_index(SHEET)
        titles = self.built.sheet(SHEET).tables
        book.edit_workbook_xml(lambda text: _set_print_titles(
            text, index, f"'{SHEET}'!${titles[0].header_row}:${titles[0].header_row}" if titles else None))
        return written


def _no_value(cell: str) -> str:
    """A formula cell without its saved value (the refresh saves the engine's, :mod:`xlpy.workbook.saved_values`)."""
    return re.sub(r"(</f>)<v>[^<]*</v>", r"\1", cell, count=1)


def _formulas(lay: Layout) -> dict[tuple[str, str], str]:
    """The formulas of the layout's blocks: the tables of other sheets than Tenders are the same either way."""
    from .expected import formula_cells

    return formula_cells(lay, tables=False)


def _sample(offer):
    """*offer* with the first :data:`SAMPLE_LINES` lines of its holder table (in the table's order)."""
    from dataclasses import replace

    from ..engine.model import HolderTable

    h = offer.tally.holders
    keep = sorted(range(len(h)), key=h.holder_id.__getitem__)[:SAMPLE_LINES]
    table = HolderTable(*(tuple(col[i] for i in keep) for col in (h.holder_id, h.units, h.method, h.status)),
                        source=h.source)
    return replace(offer, tally=replace(offer.tally, holders=table))


def _fresh_package(offer, results) -> package.Package | None:
    """The workbook a build of *offer* gives, read into memory (built in a temporary folder, then removed).

    None when the engine refuses *offer* without *results* (a sample of a tally may be refused where the
    whole tally is not: a capped offer, say); the caller then builds from the whole offer.
    """
    from ..engine.errors import InputErrors
    from .build import build_workbook

    with leftovers.temporary_directory("switch") as tmp:
        try:
            path = build_workbook(offer, results, Path(tmp) / "switch.xlsm")
        except (InputError, InputErrors):
            if results is not None:
                raise
            return None
        return package.Package(path, path.read_bytes())


def _insert_before(text: str, element: str, after: tuple[str, ...]) -> str:
    """*text* with *element* inserted before the first of the worksheet children *after* (else at the end)."""
    at = [i for i in (re.search(rf"<{name}\b", text) for name in after) if i]
    pos = min(m.start() for m in at) if at else text.rindex("</worksheet>")
    return text[:pos] + element + text[pos:]


def _validations(text: str, fresh: str, areas, new_areas) -> str:
    """Data validation within the switched *areas* replaced by the built sheet's within *new_areas*."""
    from openpyxl.utils.cell import range_boundaries

    def inside(sqref: str, where) -> bool:
        for part in sqref.split():
            c1, r1, c2, r2 = range_boundaries(part)
            if not any(a[0] <= r1 and r2 <= a[1] and a[2] <= c1 and c2 <= a[3] for a in where):
                return False
        return True

    pat = re.compile(r"<dataValidation\b[^>]*?(?:/>|>.*?</dataValidation>)", re.DOTALL)
    keep = [v for v in pat.findall(_element(text, "dataValidations")) if not inside(_sqref(v), areas)]
    add = [v for v in pat.findall(_element(fresh, "dataValidations")) if inside(_sqref(v), new_areas)]
    items = keep + add
    block = f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""
    if _element(text, "dataValidations"):
        return re.sub(r"<dataValidations\b.*?</dataValidations>|<dataValidations\b[^>]*/>", lambda m: block, text,
                      count=1, flags=re.DOTALL)
    return _insert_before(text, block, _AFTER_DV) if block else text


def _sqref(v: str) -> str:
    return re.search(r'\ssqref="([^"]*)"', v).group(1)


def _element(text: str, name: str) -> str:
    m = re.search(rf"<{name}\b[^>]*?(?:/>|>.*?</{name}>)", text, re.DOTALL)
    return m.group() if m else ""


def _views(text: str, fresh: str) -> str:
    """The sheet's view (zoom, grid lines...) with the built sheet's frozen pane and selection."""
    old, new = _element(text, "sheetViews"), _element(fresh, "sheetViews")
    views = re.findall(r"<sheetView\b[^>]*?/?>", old)
    inner = re.search(r"<sheetView\b[^>]*>(.*?)</sheetView>", new, re.DOTALL)
    if len(views) != 1 or inner is None:  # several windows: the built sheet's view
        return text.replace(old, new, 1) if old and new else text
    opening = views[0][:-2].rstrip() + ">" if views[0].endswith("/>") else views[0]
    return text.replace(old, f"<sheetViews>{opening}{inner.group(1)}</sheetView></sheetViews>", 1)


def _widen_dimension(text: str, areas) -> str:
    """``<dimension>`` reaching the last column of *areas* (its rows are set when the sheet is written)."""
    from openpyxl.utils import column_index_from_string

    m = re.search(r'<dimension\b[^>]*\sref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', text)
    last = max(c2 for _, _, _, c2 in areas)
    if not m or column_index_from_string(m.group(3)) >= last:
        return text
    return text[:m.start(3)] + get_column_letter(last) + text[m.end(3):]


def _add_columns(text: str, fresh: str, old_widths: dict[str, float]) -> str:
    """Column widths of the built sheet for columns the workbook sets none for, or still sets as the old layout
    gave them (*old_widths*: a holder table's narrow units column where typed counts' notes go); a width of the
    person's own stays."""
    def laid_out(col: str) -> bool:
        lo, hi = (int(re.search(rf'{k}="(\d+)"', col).group(1)) for k in ("min", "max"))
        width = re.search(r'\swidth="([\d.]+)"', col)
        return lo == hi and width is not None and float(width.group(1)) == old_widths.get(get_column_letter(lo))

    own = re.findall(r"<col\b[^>]*/>", _element(text, "cols") or "")
    kept = [c for c in own if not laid_out(c)]
    if len(kept) < len(own):
        text = text.replace(_element(text, "cols"), "<cols>" + "".join(kept) + "</cols>" if kept else "", 1)
    have = [(int(a), int(b)) for a, b in re.findall(r'<col\b[^>]*?min="(\d+)"[^>]*?max="(\d+)"', text)]
    cols = re.findall(r"<col\b[^>]*/>", _element(fresh, "cols"))
    add = [c for c in cols if not any(a <= int(re.search(r'min="(\d+)"', c).group(1)) <= b for a, b in have)]
    if not add:
        return text
    old = _element(text, "cols")
    if not old:
        return text.replace("<sheetData", "<cols>" + "".join(add) + "</cols><sheetData", 1)
    items = sorted(re.findall(r"<col\b[^>]*/>", old) + add, key=lambda c: int(re.search(r'min="(\d+)"', c).group(1)))
    return text.replace(old, "<cols>" + "".join(items) + "</cols>", 1)


def _add_table(pkg: package.Package, part: str, text: str, fresh: package.Package, fresh_part: str) -> str:
    """Copy the built sheet's holder table part into *pkg*, related from *part*; the sheet's new XML."""
    source = package.table_parts(fresh, fresh_part)["tblTenders"]
    tables = [n for n in pkg.names() if re.fullmatch(r"xl/tables/table\d+\.xml", n)]
    ids = [int(re.search(r'<table\b[^>]*\sid="(\d+)"', pkg.read(t).decode("utf-8")).group(1)) for t in tables]
    n = 1
    while pkg.has(f"xl/tables/table{n}.xml"):
        n += 1
    target = f"xl/tables/table{n}.xml"
    xml = re.sub(r'(<table\b[^>]*\sid=")\d+(")', rf"\g<1>{max(ids, default=0) + 1}\g<2>",
                 fresh.read(source).decode("utf-8"), count=1)
    pkg.write(target, xml.encode("utf-8"))
    ct = pkg.read("[Content_Types].xml").decode("utf-8")
    ct = ct.replace("</Types>", f'<Override PartName="/{target}" ContentType="{_TABLE_TYPE}"/></Types>')
    pkg.write("[Content_Types].xml", ct.encode("utf-8"))
    rels = package.Package.rels_name(part)
    taken = {rid for rid, _, _ in pkg.relationships(part)}
    rid = next(f"rIdXlpyTable{k}" for k in range(1, 1000) if f"rIdXlpyTable{k}" not in taken)
    rel = (f'<Relationship Id="{rid}" Type="{package.REL}/table" '
           f'Target="../tables/{PurePosixPath(target).name}"/>')
    if pkg.has(rels):
        rtext = pkg.read(rels).decode("utf-8").replace("</Relationships>", rel + "</Relationships>")
    else:
        rtext = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                 f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rel}</Relationships>')
    pkg.write(rels, rtext.encode("utf-8"))
    element = f'<tablePart xmlns:r="{package.REL}" r:id="{rid}"/>'
    old = _element(text, "tableParts")
    if old:
        items = re.findall(r"<tablePart\b[^>]*/>", old) + [element]
        return text.replace(old, f'<tableParts count="{len(items)}">{"".join(items)}</tableParts>', 1)
    return _insert_before(text, f'<tableParts count="1">{element}</tableParts>', ("extLst",))


def _drop(pkg: package.Package, part: str) -> None:
    """Remove *part* and any content-type override naming it (a reader of the package would look for it)."""
    pkg.remove(part)
    ct = pkg.read("[Content_Types].xml").decode("utf-8")
    kept = re.sub(rf'<(\w+:|)Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", ct)
    if kept != ct:
        pkg.write("[Content_Types].xml", kept.encode("utf-8"))


def _remove_table(pkg: package.Package, part: str, text: str, name: str) -> str:
    """Remove table *name* of *part* (the part, its override, the relationship, the tablePart); the new XML."""
    target = package.table_parts(pkg, part).get(name)
    if target is None:
        return text
    rid = next(r for r, kind, t in pkg.relationships(part) if kind.endswith("/table") and t == target)
    _drop(pkg, target)
    rels = package.Package.rels_name(part)
    rtext = re.sub(rf'<Relationship\b[^>]*\sId="{re.escape(rid)}"[^>]*/>', "", pkg.read(rels).decode("utf-8"))
    if "<Relationship " in rtext:
        pkg.write(rels, rtext.encode("utf-8"))
    else:
        _drop(pkg, rels)  # (LibreOffice lists a sheet's relationships part among the overrides too)
    old = _element(text, "tableParts")
    items = [t for t in re.findall(r"<tablePart\b[^>]*/>", old) if not re.search(rf'r:id="{re.escape(rid)}"', t)]
    return text.replace(old, f'<tableParts count="{len(items)}">{"".join(items)}</tableParts>' if items else "", 1)


def _set_print_titles(text: str, sheet_index: int, definition: str | None) -> str:
    """workbook.xml text with the print titles of the sheet at *sheet_index* (0-based) set, or removed (None)."""
    from xml.sax.saxutils import escape

    pat = re.compile(rf'<definedName\b(?=[^>]*\sname="_xlnm\.Print_Titles")(?=[^>]*\slocalSheetId="{sheet_index}")'
                     r"[^>]*>.*?</definedName>", re.DOTALL)
    text = pat.sub("", text, count=1)
    if definition is None:
        return re.sub(r"<definedNames>\s*</definedNames>", "", text)
    element = f'<definedName name="_xlnm.Print_Titles" localSheetId="{sheet_index}">{escape(definition)}</definedName>'
    if "</definedNames>" in text:
        return text.replace("</definedNames>", element + "</definedNames>", 1)
    return text.replace("</sheets>", f"</sheets><definedNames>{element}</definedNames>", 1)
