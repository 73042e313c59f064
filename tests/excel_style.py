"""Rewrite a workbook package the way Excel saves one (for tests; no Excel needed).

Each rewrite follows ECMA-376 Part 1 (SpreadsheetML), so a test of a file
"saved by Excel" does not rest on guesses:

* **shared strings** (18.4): every inline-string cell (``t="inlineStr"``)
  becomes ``t="s"`` with the index of its text in ``xl/sharedStrings.xml``
  (``<sst count uniqueCount>``), a part the workbook relates to.
* **shared formulas** (18.3.1.40): in each column, a run of cells whose
  formulas are the first one's shifted down row by row is stored once: the
  first cell holds ``<f t="shared" ref="C5:C9" si="n">text</f>``, the others
  ``<f t="shared" si="n"/>``.
* **future functions** (MS-XLSX 2.2.2, "Future Functions"): functions added
  after Excel 2007 are written with the ``_xlfn.`` prefix.  None of the
  standard workbook's functions is one, so *also_prefix* lets a test prefix
  others the same way.
* **calculation chain** (18.6): ``xl/calcChain.xml`` lists every formula
  cell (``<c r="C5" i="sheetId"/>``).
* **renumbered styles** (18.8.10, 18.3.1.4): the cell formats of
  ``cellXfs`` are stored in another order and every ``s=`` index of cells and
  rows (and ``style=`` of columns) follows them.
* **renumbered parts** (Part 2, OPC): worksheets are renamed
  ``sheetN.xml`` with new numbers; the relationships and content types follow.
* the workbook is marked as calculated (``fullCalcOnLoad`` removed), as Excel
  writes it after recalculating.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from xlpy.workbook.formula_text import shifted

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
N = {"m": MAIN, "r": REL, "p": PKG_REL, "ct": CT}
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CHAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"

#: Some of the functions Excel writes with ``_xlfn.`` (MS-XLSX 2.2.2).
FUTURE_FUNCTIONS = ("IFS", "IFNA", "SWITCH", "MAXIFS", "MINIFS", "CONCAT", "TEXTJOIN", "XLOOKUP", "XMATCH", "DAYS",
                    "STDEV.S", "STDEV.P", "FORECAST.LINEAR", "CEILING.MATH", "FLOOR.MATH", "AGGREGATE", "LET")

_REF = re.compile(r"([A-Z]+)(\d+)")


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _xml(data: bytes):
    return etree.fromstring(data)


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = []
    for x in (PurePosixPath(part).parent / target).parts:
        if x == "..":
            parts.pop()
        elif x != ".":
            parts.append(x)
    return "/".join(parts)


def excel_style(src: bytes, also_prefix: tuple[str, ...] = (), style_order=None) -> bytes:
    """The package *src* as Excel would save it (see the module docstring)."""
    zin = zipfile.ZipFile(io.BytesIO(src))
    parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    order = [i.filename for i in zin.infolist()]
    wb_part = "xl/workbook.xml"
    wb_rels = _rels_name(wb_part)
    rels = _xml(parts[wb_rels])
    wb = _xml(parts[wb_part])
    sheets = []  # (sheetId, part)
    targets = {r.get("Id"): r for r in rels.findall("p:Relationship", N)}
    for s in wb.find("m:sheets", N):
        rel = targets[s.get(f"{{{REL}}}id")]
        sheets.append((s.get("sheetId"), _target(wb_part, rel.get("Target"))))

    # Styles in another order: reverse every format but the first (index 0 is the default).
    styles = _xml(parts["xl/styles.xml"])
    xfs = styles.find("m:cellXfs", N)
    old = list(xfs)
    new_order = style_order(len(old)) if style_order else [0] + list(range(len(old) - 1, 0, -1))
    remap = {str(o): str(n) for n, o in enumerate(new_order)}
    for x in old:
        xfs.remove(x)
    for o in new_order:
        xfs.append(old[o])
    parts["xl/styles.xml"] = _bytes(styles)

    strings: list[str] = []
    index: dict[str, int] = {}
    prefixes = tuple(FUTURE_FUNCTIONS) + tuple(also_prefix)
    future = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(re.escape(f) for f in prefixes) + r")\(", re.IGNORECASE)
    chain = []
    si = 0
    for sheet_id, part in sheets:
        root = _xml(parts[part])
        for col in root.iterfind("m:cols/m:col", N):
            if col.get("style") in remap:
                col.set("style", remap[col.get("style")])
        data = root.find("m:sheetData", N)
        columns: dict[str, list] = {}
        for row in data:
            if row.get("s") in remap:
                row.set("s", remap[row.get("s")])
            for c in row:
                if c.get("s") in remap:
                    c.set("s", remap[c.get("s")])
                if c.get("t") == "inlineStr":
                    inline = c.find("m:is", N)
                    text = "".join(inline.itertext()) if inline is not None else ""
                    if text not in index:
                        index[text] = len(strings)
                        strings.append(text)
                    for child in list(c):
                        c.remove(child)
                    c.set("t", "s")
                    etree.SubElement(c, _q("v")).text = str(index[text])
                f = c.find("m:f", N)
                if f is not None:
                    chain.append((c.get("r"), sheet_id))
                    if f.text and f.get("t") is None:
                        f.text = future.sub(lambda m: "_xlfn." + m.group(1).upper() + "(", f.text)
                        col = _REF.match(c.get("r")).group(1)
                        columns.setdefault(col, []).append(c)
                    elif f.get("t") == "shared" and f.get("si") is not None:
                        si = max(si, int(f.get("si")) + 1)
        si = _share(columns, si)
        parts[part] = _bytes(root)
    # si numbers are per sheet (18.3.1.40); one counter across sheets is allowed and simpler.

    sst = etree.Element(_q("sst"), nsmap={None: MAIN})
    sst.set("count", str(len(strings)))
    sst.set("uniqueCount", str(len(strings)))
    for text in strings:
        t = etree.SubElement(etree.SubElement(sst, _q("si")), _q("t"))
        t.text = text
        if text != text.strip() or "\n" in text:
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    parts["xl/sharedStrings.xml"] = _bytes(sst)
    calc = etree.Element(_q("calcChain"), nsmap={None: MAIN})
    for ref, sheet_id in chain:
        etree.SubElement(calc, _q("c"), r=ref, i=sheet_id)
    parts["xl/calcChain.xml"] = _bytes(calc)
    ids = {r.get("Id") for r in rels}
    for name, kind in (("sharedStrings.xml", "sharedStrings"), ("calcChain.xml", "calcChain")):
        if any(r.get("Type").endswith("/" + kind) for r in rels):
            continue
        k = 1
        while f"rId{k}" in ids:
            k += 1
        ids.add(f"rId{k}")
        etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=f"rId{k}", Type=f"{REL}/{kind}", Target=name)
    ct = _xml(parts["[Content_Types].xml"])
    for name, kind in (("/xl/sharedStrings.xml", SST_TYPE), ("/xl/calcChain.xml", CHAIN_TYPE)):
        if not any(o.get("PartName") == name for o in ct.findall("ct:Override", N)):
            etree.SubElement(ct, f"{{{CT}}}Override", PartName=name, ContentType=kind)
    for name in ("xl/sharedStrings.xml", "xl/calcChain.xml"):
        if name not in order:
            order.append(name)

    # Calculated, as Excel saves it.
    calc_pr = wb.find("m:calcPr", N)
    if calc_pr is not None and "fullCalcOnLoad" in calc_pr.attrib:
        del calc_pr.attrib["fullCalcOnLoad"]
    parts[wb_part] = _bytes(wb)

    # Worksheets renamed: sheet1.xml -> sheet101.xml, ... (relationships and content types follow).
    renames = {part: str(PurePosixPath(part).parent / f"sheet{100 + k}.xml") for k, (_, part) in
               enumerate(sheets, 1)}
    for r in rels:
        t = _target(wb_part, r.get("Target"))
        if t in renames:
            r.set("Target", renames[t][len("xl/"):])
    parts[wb_rels] = _bytes(rels)
    for o in ct.findall("ct:Override", N):
        name = o.get("PartName")[1:]
        if name in renames:
            o.set("PartName", "/" + renames[name])
    parts["[Content_Types].xml"] = _bytes(ct)
    for old_part, new_part in renames.items():
        parts[new_part] = parts.pop(old_part)
        order[order.index(old_part)] = new_part
        old_rels, new_rels = _rels_name(old_part), _rels_name(new_part)
        if old_rels in parts:
            parts[new_rels] = parts.pop(old_rels)
            order[order.index(old_rels)] = new_rels

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in order:
            zout.writestr(name, parts[name])
    return out.getvalue()


def _share(columns: dict[str, list], si: int) -> int:
    """Store each run of filled-down formulas in a column as one shared formula; the next free si."""
    for cells in columns.values():
        i = 0
        while i < len(cells):
            master = cells[i]
            ref = master.get("r")
            text = master.find("m:f", N).text
            row = int(_REF.match(ref).group(2))
            j = i + 1
            while j < len(cells):
                c = cells[j]
                r = int(_REF.match(c.get("r")).group(2))
                if r != row + (j - i) or c.find("m:f", N).text != shifted(text, ref, c.get("r")):
                    break
                j += 1
            if j - i >= 2:
                last = cells[j - 1].get("r")
                f = master.find("m:f", N)
                f.set("t", "shared")
                f.set("ref", f"{ref}:{last}")
                f.set("si", str(si))
                for c in cells[i + 1:j]:
                    g = c.find("m:f", N)
                    g.text = None
                    g.set("t", "shared")
                    g.set("si", str(si))
                si += 1
            i = j
    return si


def excel_style_copy(path: Path, out: Path, **kw) -> Path:
    out.write_bytes(excel_style(Path(path).read_bytes(), **kw))
    return out
