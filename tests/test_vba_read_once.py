"""A workbook's VBA modules are parsed once for what oletools reads of its package (the name and SHA-256 of each
OLE part: the VBA project): the installed template, read two or three times by each validation, is parsed once, as
is a built workbook's project, the template's byte for byte; a project whose bytes differ is parsed again, even
one forged to keep the part's size and CRC-32 (review 131)."""

from __future__ import annotations

import io
import shutil
import zipfile
import zlib

import olefile

from xlpy.excel import vba


def _counting(monkeypatch) -> list:
    calls = []
    parser = vba._vba_parser()
    monkeypatch.setattr(vba, "_READ", {})  # (nothing read before this test: the packages other tests read)

    def counted(*args, **kw):
        calls.append(args[0])
        return parser(*args, **kw)

    monkeypatch.setattr(vba, "_vba_parser", lambda: counted)
    return calls


def test_the_template_is_parsed_once_and_another_project_again(tmp_path, monkeypatch):
    template = vba.template_path(standalone=True)
    book = shutil.copy(template, tmp_path / "book.xlsm")
    calls = _counting(monkeypatch)
    first = vba.vba_modules(book)
    assert "xlwings" in first and calls == [str(book)]
    first["xlwings"] = "changed by a caller"  # (a copy: the next reading is not changed)
    assert vba.vba_modules(book) == vba.vba_modules(template) != first and len(calls) == 1  # (the same project)
    with zipfile.ZipFile(book, "a") as zf:  # (a part oletools does not read added: the same project)
        zf.writestr("customXml/item1.xml", "<a/>")
    assert vba.vba_modules(book) == vba.vba_modules(template) and len(calls) == 1
    shutil.copy(vba.template_path(standalone=False), book)  # (the same path, another project: no xlwings module)
    other = vba.vba_modules(book)
    assert len(calls) == 2 and "xlwings" not in other and other


def _forged(project: bytes) -> bytes:
    """*project* with a byte of its xlwings module's code changed, and 4 reserved bytes of its OLE header set so
    that it keeps its size and CRC-32 (a CRC is linear: the 4 bytes solve for it)."""
    ole = olefile.OleFileIO(io.BytesIO(project))
    code = ole.openstream("VBA/xlwings").read()
    ole.close()
    out = io.BytesIO(project)
    ole = olefile.OleFileIO(out, write_mode=True)
    i = code.find(b"String", len(code) // 2)
    ole.write_stream("VBA/xlwings", code[:i] + bytes([code[i] ^ 1]) + code[i + 1:])
    ole.close()
    data, at = bytearray(out.getvalue()), 0x22  # (the header's reserved bytes)

    def crc(x: int) -> int:
        data[at:at + 4] = x.to_bytes(4, "little")
        return zlib.crc32(data)

    base = crc(0)
    basis: dict[int, tuple[int, int]] = {}  # (Gaussian elimination over GF(2): which bits give which CRC bits)
    for k in range(32):
        v, m = crc(1 << k) ^ base, 1 << k
        for bit in sorted(basis, reverse=True):
            if v >> bit & 1:
                v, m = v ^ basis[bit][0], m ^ basis[bit][1]
        if v:
            basis[v.bit_length() - 1] = (v, m)
    v, m = base ^ zlib.crc32(project), 0
    for bit in sorted(basis, reverse=True):
        if v >> bit & 1:
            v, m = v ^ basis[bit][0], m ^ basis[bit][1]
    assert v == 0 and crc(m) == zlib.crc32(project) and len(data) == len(project)
    return bytes(data)


def test_a_project_forged_to_keep_its_size_and_crc_is_parsed_again(tmp_path, monkeypatch):
    template = vba.template_path(standalone=True)
    forged = tmp_path / "forged.xlsm"
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, _forged(data) if info.filename == vba.VBA_PROJECT_PART else data)
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(forged) as b:
        assert [(i.filename, i.file_size, i.CRC) for i in a.infolist()] == [
            (i.filename, i.file_size, i.CRC) for i in b.infolist()]
    calls = _counting(monkeypatch)
    clean = vba.vba_modules(template)
    assert vba.vba_modules(forged)["xlwings"] != clean["xlwings"] and len(calls) == 2


def test_a_file_that_is_no_package_is_parsed_every_time(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    text = tmp_path / "book.xlsm"
    text.write_text("not a workbook", encoding="utf-8")
    assert vba.vba_modules(text) == vba.vba_modules(text)  # (oletools reads plain text as source: as it reads it)
    assert len(calls) == 2

