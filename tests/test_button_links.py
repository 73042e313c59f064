"""The Cover's buttons as a validation reads them back (xlpy/workbook/button_links.py).

QA (round trip): a workbook saved by LibreOffice kept its four buttons but none ran a macro, and saved again it
had none; a button edited to run another macro passed too; ``xlpy validate`` said nothing of either.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from repo_paths import ROOT

from xlpy.workbook import button_links
from xlpy.workbook.layout import COVER_BUTTONS
from xlpy.workbook.validate import validate

BOOK = ROOT / "workbook" / "offer_results.xlsm"


def _vml_part(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing"))


def _edited(src: Path, out: Path, part: str, edit) -> Path:
    """A copy of *src* with *part* passed through *edit* (bytes to bytes), every other part as it was."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            data = z.read(info.filename)
            o.writestr(info, edit(data) if info.filename == part else data)
    return out


def _said(report) -> tuple[list[str], list[str]]:
    return [str(f) for f in report.findings], [n for n in report.notes if "button" in n]


def test_the_built_workbook_s_buttons_each_run_their_macro():
    with zipfile.ZipFile(BOOK) as z:
        found = button_links.vml_buttons(z.read(_vml_part(BOOK)))
    assert found == [(b.caption, f"[0]!{b.macro}") for b in COVER_BUTTONS]
    report = validate(BOOK, legs=())
    assert _said(report) == ([], [])


def test_a_button_running_another_macro_is_a_finding(tmp_path):
    book = _edited(BOOK, tmp_path / "evil.xlsm", _vml_part(BOOK),
                   lambda d: d.replace(b"[0]!xlpy_refresh_prices<", b"[0]!Module9.evil_macro<", 1))
    findings, notes = _said(validate(book, legs=()))
    assert findings == ["evil.xlsm: Cover button 'Refresh prices': runs another macro than the layout's: clicking "
                        "it would run code the validation never compared with the template's: expected "
                        "xlpy_refresh_prices, found [0]!Module9.evil_macro [structure]"]
    assert notes == []


def test_buttons_that_run_no_macro_are_a_note_with_how_to_link_them(tmp_path):
    import re

    book = _edited(BOOK, tmp_path / "unlinked.xlsm", _vml_part(BOOK),
                   lambda d: re.sub(rb"<x:FmlaMacro>\[0\]!xlpy_(refresh_all|draft_release)</x:FmlaMacro>", b"", d))
    findings, notes = _said(validate(book, legs=()))
    assert findings == [] and notes == [
        "the Cover's buttons 'Refresh all' and 'Check release draft' run no macro (LibreOffice drops their macro "
        "links when it saves a workbook, and the buttons when it saves that file again): the figures are "
        "unaffected, and xlpy refresh still refreshes it; rebuild the workbook for its buttons; in Excel, "
        "right-click each and Assign Macro (xlpy_refresh_all, xlpy_draft_release)"]


class _Package:
    """The parts :func:`button_links.check` reads, in memory: the Cover, its drawing's relationships and parts."""

    def __init__(self, parts: dict[str, bytes], rels: list[tuple[str, str, str]], sheet: bytes = b"<worksheet/>"):
        self.parts, self.rels = {**parts, "xl/worksheets/sheet1.xml": sheet}, rels

    def sheet_parts(self):
        return {"Cover": "xl/worksheets/sheet1.xml"}

    def relationships(self, part):
        return self.rels

    def has(self, part):
        return part in self.parts or part == "xl/vbaProject.bin"

    def read(self, part):
        from xlpy.excel.vba import vba_project_bytes

        return vba_project_bytes(BOOK) if part == "xl/vbaProject.bin" else self.parts[part]


def _check(pkg) -> tuple[list, list]:
    findings, notes = [], []
    button_links.check("b.xlsm", pkg, findings, notes, lambda *a: a)
    return findings, notes


VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
ANY = "xlpy_refresh_all or xlpy_refresh_tenders or xlpy_refresh_prices or xlpy_draft_release"


def test_an_excel_2010_control_s_own_macro_link_in_the_sheet_is_checked_too():
    """Review: Excel 2010 and later keep a copy of each button's link in the sheet's list of controls
    (``controlPr/@macro``, MS-XLSX), not in the control's properties part: that copy is checked."""
    with zipfile.ZipFile(BOOK) as z:
        vml = z.read(_vml_part(BOOK))
    sheet = ('<worksheet><controls><mc:AlternateContent><mc:Choice Requires="x14"><control shapeId="1025" r:id="rId3" '
             'name="Button 1"><controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" '
             'macro="[0]!xlpy_refresh_all"/></control></mc:Choice></mc:AlternateContent><mc:AlternateContent>'
             '<mc:Choice Requires="x14"><control shapeId="1026" r:id="rId4" name="Button 2"><controlPr '
             'defaultSize="0" macro="[0]!evil_macro"/></control></mc:Choice></mc:AlternateContent></controls>'
             '</worksheet>')
    findings, notes = _check(_Package({"v.vml": vml}, [("rId1", VML_REL, "v.vml")], sheet.encode()))
    assert findings == [("b.xlsm", "Cover control 'Button 2'", "runs another macro than the layout's: clicking it "
                         "would run code the validation never compared with the template's", ANY,
                         "[0]!evil_macro")] and notes == []


def _vml(*buttons: tuple[str, str]) -> bytes:
    return ("<xml>" + "".join(f'<v:shape id="s{k}"><v:textbox><div>{caption}</div></v:textbox><x:ClientData '
                              f'ObjectType="Button">{f"<x:FmlaMacro>{macro}</x:FmlaMacro>" if macro else ""}'
                              "</x:ClientData></v:shape>" for k, (caption, macro) in enumerate(buttons))
            + "</xml>").encode()


def test_a_button_the_layout_does_not_have_is_a_finding_when_it_runs_a_macro_and_gone_ones_a_note():
    findings, notes = _check(_Package({"v.vml": _vml(("Pay &amp; go", "[0]!pay"), ("Mine", ""))},
                                      [("rId1", VML_REL, "v.vml")]))
    assert findings == [("b.xlsm", "Cover button 'Pay & go'", "runs another macro than the layout's: clicking it "
                         "would run code the validation never compared with the template's", ANY, "[0]!pay")]
    assert len(notes) == 1 and notes[0].startswith("the Cover's buttons 'Refresh all', 'Refresh tenders', 'Refresh "
                                                   "prices' and 'Check release draft' are gone (LibreOffice drops")
    assert "Assign Macro" not in notes[0]


def test_macros_of_another_workbook_and_swapped_ones_are_findings_renamed_and_other_case_ones_are_not():
    """Review: a button running a macro of another workbook (``[1]!``, a path) passed, its name being the
    layout's; one renamed by the user, or its macro's name in other letter case, were findings."""
    evil = "'C:\\Users\\Public\\evil.xlsm'!xlpy_refresh_tenders"
    findings, notes = _check(_Package({"v.vml": _vml(
        ("Refresh all", "[1]!xlpy_refresh_all"), ("Refresh tenders", evil),
        ("Refresh prices", "[0]!xlpy_refresh_all"),  # (swapped: the words say prices, the macro refreshes all)
        ("Update the release check", "[0]!XLPY_Draft_Release"))}, [("rId1", VML_REL, "v.vml")]))
    assert [(f[1], f[3], f[4]) for f in findings] == [
        ("Cover button 'Refresh all'", "xlpy_refresh_all", "[1]!xlpy_refresh_all"),
        ("Cover button 'Refresh tenders'", "xlpy_refresh_tenders", evil),
        ("Cover button 'Refresh prices'", "xlpy_refresh_prices", "[0]!xlpy_refresh_all")]
    assert notes == []  # ('Check release draft' renamed, and linked: not gone)


@pytest.mark.parametrize(("reference", "name"), [
    ("[0]!xlpy_refresh_all", "xlpy_refresh_all"), ("Module1.xlpy_refresh_all", "xlpy_refresh_all"),
    ("xlpy_refresh_all", "xlpy_refresh_all"), (" [0]!Cover.Evil ", "evil"), ("[1]!xlpy_refresh_all", None),
    ("'book.xlsm'!Module1.xlpy_refresh_all", None),
])
def test_macro_name(reference, name):
    assert button_links.macro_name(reference) == name


@pytest.mark.libreoffice
def test_a_workbook_libreoffice_saved_once_and_twice_is_noted(tmp_path):
    """The round trip the QA pass made: saved once, the buttons run no macro; saved again, they are gone. The
    figures stay valid either way: a note, not a finding."""
    from xlpy.workbook import libreoffice

    once = libreoffice.convert([BOOK], convert_to="xlsm:Calc MS Excel 2007 VBA XML", ext="xlsm",
                               out_dir=tmp_path / "once", timeout=240, what="re-save the workbook")[0]
    twice = libreoffice.convert([once], convert_to="xlsm:Calc MS Excel 2007 VBA XML", ext="xlsm",
                                out_dir=tmp_path / "twice", timeout=240, what="re-save the workbook")[0]
    for path, said in ((once, "run no macro"), (twice, "are gone")):
        findings, notes = _said(validate(path, legs=()))
        assert findings == [] and len(notes) == 1 and said in notes[0], (path, findings, notes)


def _refreshed(book: Path, folder: Path) -> None:
    """*book* refreshed from a count file written in *folder*, its warnings left to capsys."""
    from xlpy.cli import main

    counts = folder / "counts.csv"
    counts.write_text("tendered,guaranteed delivery,failed delivery\n300000,2000,0\n", encoding="utf-8")
    assert main(["refresh", str(book), "--tally", str(counts), "--no-backup", "-q"]) == 0


def test_a_workbook_saved_without_macros_gets_one_finding_and_a_refresh_warning(tmp_path, capsys):
    """QA (round trip): a copy saved as .xlsx (no VBA project) got a finding per template module and no word of
    the cause, and a refresh went through without saying its macros and buttons were gone."""
    from xlpy.workbook.validate import NO_VBA

    book = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(BOOK) as z, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            if info.filename != "xl/vbaProject.bin":
                data = z.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                                        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
                o.writestr(info, data)
    report = validate(book, legs=())
    (found,) = [str(f) for f in report.findings]  # (with the commands that rebuild it: review, its History kept)
    assert found.startswith(f"plain.xlsx: VBA project: {NO_VBA}; ") and found.endswith(
        ": expected the template's modules, found none [structure]"), found
    assert "xlpy build " in found and "plain-rebuilt.xlsm" in found, found
    assert [n for n in report.notes if "button" in n] == []  # (the finding says the macros are gone)
    _refreshed(book, tmp_path)
    warned = [line for line in capsys.readouterr().err.splitlines() if "VBA project" in line]
    assert len(warned) == 1 and warned[0].startswith(
        "xlpy refresh: warning: plain.xlsx has no VBA project (saved in a format without macros), so its refresh "
        "macros and buttons are gone: rebuild it (xlpy build) under another name for them, carrying its History "
        "over with --history-from; ") and "plain-rebuilt.xlsm" in warned[0], warned


def _empty_project() -> bytes:
    """An OLE compound file holding its root and nothing else (1,536 bytes: the header, one FAT sector, one
    directory sector), byte for byte as LibreOffice writes the VBA project of a workbook saved as .ods and back."""
    import struct

    free, end = 0xFFFFFFFF, 0xFFFFFFFE
    header = struct.pack("<8s16s5H6s9I", bytes.fromhex("d0cf11e0a1b11ae1"), bytes(16), 0x3B, 3, 0xFFFE, 9, 6,
                         bytes(6), 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    header += struct.pack("<I", 0) + b"\xff" * (512 - len(header) - 4)  # (the FAT in sector 0)
    fat = struct.pack("<2I", 0xFFFFFFFD, end) + b"\xff" * 504  # (sector 0: the FAT; sector 1: the directory)
    name = "Root Entry".encode("utf-16-le") + bytes(2)
    root = name.ljust(64, b"\0") + struct.pack("<HBB3I16sI2QIQ", len(name), 5, 0, free, free, free, bytes(16), 0,
                                                  0, 0, end, 0)
    unused = bytes(64) + struct.pack("<HBB3I16sI2QIQ", 0, 0, 0, free, free, free, bytes(16), 0, 0, 0, end, 0)
    return header + fat + root + unused * 3


def test_a_workbook_saved_as_ods_and_back_gets_one_finding_and_a_refresh_warning(tmp_path, capsys):
    """Review 98: a copy LibreOffice saved as .ods and back as .xlsm holds a VBA project with no module (its macros
    kept as LibreOffice Basic in the .ods, not written back) and buttons linked to nothing. validate said it was
    saved as .xlsx, a note told to assign the buttons macros that are not there, and a refresh said nothing."""
    import re

    from xlpy.excel import vba
    from xlpy.workbook.validate import EMPTY_VBA

    empty = _empty_project()
    assert len(empty) == 1536 and not vba.holds_modules(empty) and vba.holds_modules(vba.vba_project_bytes(BOOK))
    unlinked = _edited(BOOK, tmp_path / "unlinked.xlsm", _vml_part(BOOK),
                       lambda d: re.sub(rb"<x:FmlaMacro>[^<]*</x:FmlaMacro>", b"", d))
    book = _edited(unlinked, tmp_path / "back.xlsm", "xl/vbaProject.bin", lambda d: empty)
    assert vba.vba_modules(book) == {}
    report = validate(book, legs=())
    (found,) = [str(f) for f in report.findings]
    assert found.startswith(f"back.xlsm: VBA project: {EMPTY_VBA}; ") and found.endswith(
        ": expected the template's modules, found none (an empty VBA project, 1,536 bytes) [structure]"), found
    assert "format without macros" not in found and "back-rebuilt.xlsm" in found, found
    assert [n for n in report.notes if "button" in n] == []  # (no macro to assign them: the finding says so)
    _refreshed(book, tmp_path)
    warned = [line for line in capsys.readouterr().err.splitlines() if "VBA project" in line]
    assert len(warned) == 1 and warned[0].startswith(
        "xlpy refresh: warning: back.xlsm has a VBA project holding no module (LibreOffice writes it empty when a "
        "workbook saved as OpenDocument, .ods, is saved back as .xlsm), so its refresh macros are gone and its "
        "buttons run nothing: rebuild it (xlpy build) under another name for them, carrying its History over with "
        "--history-from; ") and "back-rebuilt.xlsm" in warned[0], warned


def _compressed(data: bytes) -> bytes:
    """*data* compressed as MS-OVBA (2.4.1) compresses a VBA project's streams: chunks of 4,096 bytes, each a run of
    literal bytes and copy tokens of the longest earlier match (what oletools reads back as *data*)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk, body, pos = data[start:start + 4096], bytearray(), 0
        seen: dict[bytes, list[int]] = {}  # three bytes -> where they start, earlier first
        while pos < len(chunk):
            at, flags = len(body), 0
            body.append(0)
            for bit in range(8):
                if pos >= len(chunk):
                    break
                bits = max((pos - 1).bit_length(), 4)
                most, best, offset = (0xFFFF >> bits) + 3, 0, 0
                for earlier in reversed(seen.get(chunk[pos:pos + 3], ())):  # the nearest first
                    n = 0
                    while n < most and pos + n < len(chunk) and chunk[earlier + n] == chunk[pos + n]:
                        n += 1
                    if n > best:
                        best, offset = n, pos - earlier
                step = best if best >= 3 else 1
                if best >= 3:
                    body += (((offset - 1) << (16 - bits)) | (best - 3)).to_bytes(2, "little")
                    flags |= 1 << bit
                else:
                    body.append(chunk[pos])
                for p in range(pos, pos + step):
                    seen.setdefault(chunk[p:p + 3], []).append(p)
                pos += step
            body[at] = flags
        out += ((len(body) - 1) | 0xB000).to_bytes(2, "little") + body
    return bytes(out)


def _without_module(project: bytes, name: str) -> bytes:
    """The bytes of a ``vbaProject.bin`` whose project lists no module *name* (its record taken out of the ``dir``
    stream, the count of modules one less) and whose stream of that module holds no code (zeros: oletools would
    read its source there as one outside the project).  The ``dir`` stream keeps its size (padding after its end),
    so olefile writes it in place."""
    import io
    import random

    import olefile
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(io.BytesIO(project))
    old = ole.openstream("VBA/dir").read()
    ole.close()
    d = bytes(decompress_stream(bytearray(old)))
    start = d.index(b"\x19\x00" + len(name).to_bytes(4, "little") + name.encode())  # its MODULENAME record
    end = d.index(b"\x2b\x00\x00\x00\x00\x00", start) + 6  # to its terminator
    count = d.index(b"\x0f\x00\x02\x00\x00\x00") + 6  # PROJECTMODULES
    d = d[:count] + (int.from_bytes(d[count:count + 2], "little") - 1).to_bytes(2, "little") + d[count + 2:start] \
        + d[end:]
    noise = random.Random(0).randbytes(len(old))  # (incompressible: each byte of it one more, nearly)
    new = next(c for c in (_compressed(d + noise[:pad] + b"\xee" * more) for pad in range(len(old))
                           for more in range(5)) if len(c) == len(old))
    out = io.BytesIO(project)
    ole = olefile.OleFileIO(out, write_mode=True)
    ole.write_stream("VBA/dir", new)
    ole.write_stream(f"VBA/{name}", bytes(ole.get_size(f"VBA/{name}")))
    ole.close()
    return out.getvalue()


def test_a_workbook_missing_the_module_its_buttons_need_is_told_what_to_do(tmp_path, capsys):
    """A project missing the xlwings module the buttons' macros run through got only 'template VBA module is
    missing', which said neither that the buttons run nothing nor what to do, and a refresh said nothing."""
    from xlpy.excel import vba

    book = _edited(BOOK, tmp_path / "gone.xlsm", "xl/vbaProject.bin", lambda d: _without_module(d, "xlwings"))
    assert set(vba.vba_modules(book)) == vba.expected_modules() - {"xlwings"}
    copy = vba.template_path().parent / "xlwings.bas"
    assert copy.is_file()
    found = [str(f) for f in validate(book, legs=()).findings]
    assert len(found) == 1 and found[0].startswith(
        "gone.xlsm: VBA module xlwings: template VBA module is missing: the Cover's buttons run their macros through "
        "it (the xlwings_udfs macros call its XLPy.CallUDF), so they run nothing; rebuild it (xlpy build) under "
        "another name and refresh it, carrying its History over with --history-from; from the files its Cover "
        "records, run: xlpy build ") and found[0].endswith(
        f"; or import xlwings' own copy of it (VBA editor > File > Import File: {copy}): expected xlwings, found "
        "none [structure]") and "gone-rebuilt.xlsm" in found[0], found
    _refreshed(book, tmp_path)
    warned = [line for line in capsys.readouterr().err.splitlines() if "VBA project" in line]
    assert len(warned) == 1 and warned[0].startswith(
        "xlpy refresh: warning: gone.xlsm has a VBA project missing the template's module xlwings, which its buttons "
        "run their macros through, so its buttons run nothing: rebuild it (xlpy build) under another name for them, "
        "carrying its History over with --history-from; from the files its Cover records, run: xlpy build ") and \
        warned[0].endswith(f"; or import xlwings' own copy of it (VBA editor > File > Import File: {copy})") and \
        "gone-rebuilt.xlsm" in warned[0], warned


@pytest.mark.parametrize("name, loss, copy", [
    ("Dictionary", "the Cover's buttons lose nothing in Windows Excel (xlwings' code uses this class only on a Mac, "
                   "where they do not run)", ("addin", "Dictionary.cls")),
    ("Module1", "the Cover's buttons lose nothing (they do not call it)", None)])
def test_a_module_the_buttons_do_not_need_is_said_so_and_a_refresh_is_silent(tmp_path, capsys, name, loss, copy):
    """The other template modules: the finding says the buttons lose nothing, with the same remedies (an import only
    where xlwings ships a copy), and a refresh does not warn."""
    from xlpy.excel import vba

    book = _edited(BOOK, tmp_path / "gone.xlsm", "xl/vbaProject.bin", lambda d: _without_module(d, name))
    (found,) = [str(f) for f in validate(book, legs=()).findings]
    assert found.startswith(f"gone.xlsm: VBA module {name}: template VBA module is missing: {loss}; rebuild it (xlpy "
                            "build) under another name and refresh it, carrying its History over with "
                            "--history-from; from the files its Cover records, run: xlpy build "), found
    imported = f"; or import xlwings' own copy of it (VBA editor > File > Import File: " \
               f"{vba.template_path().parent.joinpath(*copy)})" if copy else ""
    assert found.endswith(f"{imported}: expected {name}, found none [structure]"), found
    assert ("or import" in found) == bool(copy), found
    _refreshed(book, tmp_path)
    assert [line for line in capsys.readouterr().err.splitlines() if "VBA" in line] == []


def test_a_refresh_of_a_workbook_as_built_does_not_parse_its_vba_project(tmp_path, monkeypatch, capsys):
    """A workbook whose VBA project is the template's, byte for byte (as every build writes it and every refresh
    keeps it), is refreshed without its modules read again (about 40 ms of a 100,000-line refresh went to it), and
    with no warning; one missing a module is still parsed and warned of (the tests above)."""
    import shutil

    from xlpy.excel import vba

    calls = []
    for name in ("project_modules", "holds_modules"):
        plain = getattr(vba, name)
        monkeypatch.setattr(vba, name, lambda data, _plain=plain, _name=name: calls.append(_name) or _plain(data))
    book = shutil.copy(BOOK, tmp_path / "built.xlsm")
    assert vba.is_template_project(vba.vba_project_bytes(book))
    _refreshed(book, tmp_path)
    assert calls == []
    assert [line for line in capsys.readouterr().err.splitlines() if "VBA" in line] == []
    assert not vba.is_template_project(_without_module(vba.vba_project_bytes(book), "Module1"))
