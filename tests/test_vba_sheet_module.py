"""A sheet added in Excel or LibreOffice brings its own, empty, VBA document module (``Sheet3``): not a finding; a
template module's code edited is (validate compares each with the template's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlpy.excel import vba

#: The document module LibreOffice writes for a sheet it adds (Excel's differs only in its line ends).
EMPTY_SHEET_MODULE = (
    'Attribute VB_Name = "Sheet3"\r\nAttribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\nAttribute VB_PredeclaredId = True\r\n"
    "Attribute VB_Exposed = True\r\nAttribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n")


def _read_as(monkeypatch, book: Path, change) -> None:
    """The book's VBA project read as *change* makes it (given and giving each module's source by its name)."""
    real = vba.vba_modules

    def modules(path):
        found = real(path)
        return change(found) if Path(path) == book else found

    monkeypatch.setattr(vba, "vba_modules", modules)


def _with_module(monkeypatch, book: Path, source: str) -> None:
    """The book's VBA project read with one more module, Sheet3, holding *source*."""
    _read_as(monkeypatch, book, lambda found: {**found, "Sheet3": source})


@pytest.mark.parametrize("source", [EMPTY_SHEET_MODULE, EMPTY_SHEET_MODULE.replace("\r\n", "\n") + "\nOption Explicit\n"])
def test_an_empty_sheet_module_is_not_a_finding(standard_books, monkeypatch, source):
    from xlpy.workbook.validate import validate

    book = standard_books["seed"]
    _with_module(monkeypatch, book, source)
    assert [str(f) for f in validate(book, legs=()).findings] == []


def test_a_sheet_module_with_code_is_still_unexpected(standard_books, monkeypatch):
    from xlpy.workbook.validate import validate

    book = standard_books["seed"]
    _with_module(monkeypatch, book, EMPTY_SHEET_MODULE + "Private Sub Worksheet_Activate()\r\n  Beep\r\nEnd Sub\r\n")
    found = [f for f in validate(book, legs=()).findings if f.where == "VBA module Sheet3"]
    assert [f.what for f in found] == ["unexpected VBA module"], [str(f) for f in found]


def test_a_template_modules_code_edited_is_a_finding(standard_books, monkeypatch):
    """A mutation review: validate never comparing the workbook's VBA code with the template's survived its tests
    (``vba.code_differences``, which it calls, is tested on its own): the xlwings module's add-in call edited is
    named by its line."""
    from xlpy.workbook.validate import validate

    book = standard_books["seed"]
    _read_as(monkeypatch, book, lambda found: {**found, "xlwings": found["xlwings"].replace(
        "XLPyDLLActivateAuto", "XLPyDLLActivate", 1)})
    found = validate(book, legs=()).findings
    assert [f.what for f in found] == ["VBA code differs from the template"], [str(f) for f in found]
    assert found[0].where.startswith("VBA module xlwings line ")
