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


_AUTO_OPEN = 'Sub Auto_Open()\r\n    ThisWorkbook.Worksheets("Results").Range("C28").Value = 9000000\r\nEnd Sub\r\n'


@pytest.mark.parametrize("change, line", [
    (lambda text: text + _AUTO_OPEN, 'ThisWorkbook.Worksheets("Results").Range("C28").Value = 9000000'),
    (lambda text: text.replace("    INDUCED_CHARGE = Err.Description", "    INDUCED_CHARGE = 9597836.4"),
     "INDUCED_CHARGE = 9597836.4"),
    (lambda text: text.replace('CallUDF("xlpy.udfs", "INDUCED_CHARGE"', 'CallUDF("mine", "INDUCED_CHARGE"'),
     'INDUCED_CHARGE = XLPy.CallUDF("mine", "INDUCED_CHARGE", Array(units, offer_ratio, original_ratio, price, '
     'cash_per_unit), ThisWorkbook, Application.Caller)'),
    (lambda text: text.replace("INDUCED_CHARGE\", Array(units, offer_ratio,", "INDUCED_CHARGE\", Array(units, 8,", 1),
     'INDUCED_CHARGE = XLPy.CallUDF("xlpy.udfs", "INDUCED_CHARGE", Array(units, 8, original_ratio, price, '
     'cash_per_unit), ThisWorkbook, Application.Caller)'),
    (lambda text: text.replace("INDUCED_CHARGE\", Array(units, offer_ratio, original_ratio,",
                               "INDUCED_CHARGE\", Array(units, original_ratio, offer_ratio,", 1),
     'INDUCED_CHARGE = XLPy.CallUDF("xlpy.udfs", "INDUCED_CHARGE", Array(units, original_ratio, offer_ratio, price, '
     'cash_per_unit), ThisWorkbook, Application.Caller)'),
    (lambda text: text + 'Sub Auto_Open()\r\n    XLPy.CallUDF "mine", "Auto_Open", Array(ThisWorkbook.Worksheets('
     '"Results").Range("C28").Replace("7", "9")), ThisWorkbook, Application.Caller\r\nEnd Sub\r\n',
     'XLPy.CallUDF "mine", "Auto_Open", Array(ThisWorkbook.Worksheets("Results").Range("C28").Replace("7", "9")), '
     "ThisWorkbook, Application.Caller"),
], ids=["auto-open", "a-constant", "another-module", "an-argument-constant", "arguments-swapped",
        "a-call-in-an-argument"])
def test_code_of_its_own_in_the_functions_module_is_a_finding(standard_books, monkeypatch, change, line):
    """Review 143, HIGH: the module "Import Functions" writes was allowed by its name, whatever it held: an
    ``Auto_Open`` writing the charge, or ``INDUCED_CHARGE`` standing in for xlpy's, validated clean.  Review 146:
    xlpy's wrapper with an argument made a constant or two swapped, or a macro of one's own calling Excel in its
    arguments, passed the first check."""
    from xlpy.workbook.validate import validate

    book = standard_books["seed"]
    module = vba.generate_bas(vba.UDF_MODULES).replace("\n", "\r\n")
    _read_as(monkeypatch, book, lambda found: {**found, vba.UDF_MODULE_NAME: change(module)})
    found = [(f.where, f.what.split(":")[0], f.found) for f in validate(book, legs=()).findings]
    assert found == [("VBA module xlwings_udfs", "holds code that xlwings' Import Functions does not write", line)]


def test_the_functions_module_as_import_functions_writes_it_is_no_finding(standard_books, monkeypatch):
    """xlwings' wrappers of xlpy's functions and macros, for a workbook or an add-in, and of a person's own Python
    functions imported alongside (another module's, one passing an Excel object), as "Import Functions" writes
    them."""
    from xlpy.workbook.validate import validate

    book = standard_books["seed"]
    own = vba.generate_bas("xlpy.udfs").split("\n", 3)[3].replace("xlpy.udfs", "mine")
    for name in {s.name for s in vba.REGISTRY.values()}:
        own = own.replace(name, f"MY_{name}")
    own += ('Function ADDRESS_OF(x)\n    ADDRESS_OF = XLPy.CallUDF("mine", "ADDRESS_OF", Array(Application.Caller, '
            "x), ThisWorkbook, Application.Caller)\n    Exit Function\nEnd Function\n")  # (review 145: vba="...")
    own += ("Function TOTAL(first, ParamArray rest())\n    Application.Volatile\n    Dim argsArray() As Variant\n"
            "    argsArray = Array(first)\n    ReDim Preserve argsArray(0 To UBound(rest) - LBound(rest) + 1)\n"
            "    For k = LBound(rest) To UBound(rest)\n    argsArray(1 + k - LBound(rest)) = rest(k)\n    Next k\n"
            '    TOTAL = XLPy.CallUDF("mine", "TOTAL", argsArray, ThisWorkbook, Application.Caller)\n'
            "    Exit Function\nEnd Function\n")  # (review 146: volatile, ParamArray, as the VBA editor cases "To")
    for module in (vba.generate_bas(vba.UDF_MODULES), vba.generate_bas(vba.UDF_MODULES, addin=True) + own):
        _read_as(monkeypatch, book, lambda found, m=module: {**found, vba.UDF_MODULE_NAME: m.replace("\n", "\r\n")})
        assert validate(book, legs=()).findings == []


def test_a_wrapper_an_earlier_xlpy_wrote_is_said_as_such(standard_books, monkeypatch):
    """Review 147, MEDIUM: CHARGE_GRID's wrapper as an earlier xlpy wrote it, before its cash_per_unit argument,
    was said to be code of its own that may write figures; it is xlpy's, to import again."""
    from xlpy.workbook.validate import validate

    book = standard_books["seed"]
    module = vba.generate_bas(vba.UDF_MODULES)
    for new, old in (("participations, Optional cash_per_unit)", "participations)"),
                     ("participations, cash_per_unit)", "participations)")):
        assert new in module
        module = module.replace(new, old)
    _read_as(monkeypatch, book, lambda found: {**found, vba.UDF_MODULE_NAME: module})
    found = [(f.where, f.what.split(";")[0], f.found) for f in validate(book, legs=()).findings]
    assert found == [("VBA module xlwings_udfs", "wraps xlpy's functions as another xlpy wrote them (an earlier one, "
                      "before they took the arguments they take now): the workbook calls them otherwise than this "
                      "xlpy's Check expects", "CHARGE_GRID")], found


def test_the_functions_module_is_judged_with_xlpys_functions_not_yet_imported(tmp_path):
    """Review 147, HIGH: validate imports neither xlpy.udfs nor xlpy.macros, so the registry the check reads was
    empty and every xlpy wrapper passed as a person's own (a swapped argument: valid).  Run where nothing imported
    them first."""
    import subprocess
    import sys

    module = vba.generate_bas(vba.UDF_MODULES).replace('CASH_IN_LIEU", Array(units, ratio, price)',
                                                        'CASH_IN_LIEU", Array(units, price, ratio)')
    (tmp_path / "module.bas").write_text(module, encoding="utf-8")
    code = ("import sys; from xlpy.excel import vba; assert 'xlpy.udfs' not in sys.modules; "
            "print(vba.udf_module_differences(open(sys.argv[1], encoding='utf-8').read())[0])")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "module.bas")], capture_output=True, text=True,
                         check=True).stdout
    assert "Array(units, price, ratio)" in out, out


def test_a_function_typed_in_the_module_with_a_long_name_is_named_at_once():
    """Review 147, HIGH: a procedure line that is no wrapper's (``Function X(name As Double) As Double``) made the
    pattern of a procedure split a long name every way it could: a 32-letter name took minutes."""
    module = vba.generate_bas(vba.UDF_MODULES) + ("Function MY_RATE(" + "p" * 40 + " As Double) As Double\n"
                                                  "    MY_RATE = 1\nEnd Function\n")
    foreign, older = vba.udf_module_differences(module)
    assert foreign[0] == "Function MY_RATE(" + "p" * 40 + " As Double) As Double" and older == [], foreign
