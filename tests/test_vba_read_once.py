"""A workbook's VBA modules are parsed once for what its package holds (each part's name, size and CRC-32): the
installed template, read two or three times by each validation, is parsed once; a package whose parts change
(the same path, a module's code edited) is parsed again."""

from __future__ import annotations

import shutil
import zipfile

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


def test_the_template_is_parsed_once_and_an_edited_project_again(tmp_path, monkeypatch):
    template = vba.template_path(standalone=True)
    book = shutil.copy(template, tmp_path / "book.xlsm")
    calls = _counting(monkeypatch)
    first = vba.vba_modules(book)
    assert "xlwings" in first and calls == [str(book)]
    first["xlwings"] = "changed by a caller"  # (a copy: the next reading is not changed)
    assert vba.vba_modules(book) == vba.vba_modules(template) != first and len(calls) == 1  # (the same parts)
    shutil.copy(vba.template_path(standalone=False), book)  # (the same path, another project: no xlwings module)
    other = vba.vba_modules(book)
    assert len(calls) == 2 and "xlwings" not in other and other
    with zipfile.ZipFile(book, "a") as zf:  # (a part added: the package is another, its modules read again)
        zf.writestr("customXml/item1.xml", "<a/>")
    assert vba.vba_modules(book) == other and len(calls) == 3


def test_a_file_that_is_no_package_is_parsed_every_time(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    text = tmp_path / "book.xlsm"
    text.write_text("not a workbook", encoding="utf-8")
    assert vba.vba_modules(text) == vba.vba_modules(text)  # (oletools reads plain text as source: as it reads it)
    assert len(calls) == 2
