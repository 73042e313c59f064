"""xlpy.excel.registry and xlpy.excel.vba, checked against xlwings' own Windows code.

xlwings' real decorators and VBA generator live in ``xlwings/udfs.py``, which
imports pywin32 at the top; the ``xlwings_udfs`` fixture below imports it with
three tiny stand-in modules for pywin32 so the real ``xlfunc``/``xlarg``/
``xlret``/``xlsub``, ``generate_vba_wrapper`` and ``import_udfs`` run here.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import types
import zipfile
from types import SimpleNamespace

import pytest
from repo_paths import ROOT

from xlpy.excel import registry, vba
from xlpy.excel.registry import REGISTRY, ArgSpec, macro, worksheet_function

# --------------------------------------------------------------------------- #
# the toy UDF module: written to a temporary folder and imported like a user's
# udfs.py, so the global registry can be restored afterwards

TOY_MODULE = "xlpy_toy_udfs"
TOY_SOURCE = '''\
from xlpy.excel.registry import macro, worksheet_function


@worksheet_function(
    category="xlpy",
    args={
        "units": "Units accepted (number of preferred shares or notes)",
        "offer_ratio": "Common shares per unit under the offer",
        "original_ratio": "Common shares per unit under the original terms",
        "price": "Fair value of one common share",
        "cash_per_unit": "Cash paid per unit on top of the shares",
    },
    ret={"index": False},
    arg_options={"units": {"numbers": int}},
)
def TOY_CHARGE(units: float, offer_ratio, original_ratio, price, cash_per_unit=None):
    """Toy induced-conversion charge: extra shares times price, plus cash.

    Only the first line is the description.
    """
    return units * (offer_ratio - original_ratio) * price + units * (cash_per_unit or 0)


@worksheet_function(
    category="xlpy",
    args={"prices": "A block of prices, one row per date"},
    arg_options={"prices": {"ndim": 2}},
    ret={"expand": "table"},
    volatile=True,
    call_in_wizard=False,
)
def TOY_TABLE(prices):
    """Toy table: each price doubled."""
    return [[2 * p for p in row] for row in prices]


@worksheet_function(args={"values": "Numbers to add up"})
def TOY_SUM(*values):
    """Toy sum of any number of values."""
    return sum(values)


@worksheet_function(args={"label": "Text to prefix"})
def TOY_WHERE(label, caller):
    """Toy: label and the calling cell's address."""
    return f"{label} {caller.address}"


@macro
def toy_refresh():
    """Toy macro: refresh the offer sheet."""
'''
TOY_NAMES = ["TOY_CHARGE", "TOY_TABLE", "TOY_SUM", "TOY_WHERE", "toy_refresh"]


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toyudfs")
    (folder / f"{TOY_MODULE}.py").write_text(TOY_SOURCE, encoding="utf-8")
    saved = REGISTRY.copy()
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(TOY_MODULE)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(TOY_MODULE, None)
        REGISTRY.clear()
        REGISTRY.update(saved)


@pytest.fixture
def clean_registry():
    saved = REGISTRY.copy()
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(saved)


@pytest.fixture(scope="module")
def xlwings_udfs():
    """xlwings/udfs.py imported on Linux, with pywin32 stood in for."""
    import xlwings

    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *a, **k: None
    win32com.client = client
    with pytest.MonkeyPatch.context() as mp:
        for name, mod in [
            ("pythoncom", pythoncom),
            ("pywintypes", pywintypes),
            ("win32com", win32com),
            ("win32com.client", client),
        ]:
            mp.setitem(sys.modules, name, mod)
        sys.modules.pop("xlwings.udfs", None)
        try:
            yield importlib.import_module("xlwings.udfs")
        finally:
            sys.modules.pop("xlwings.udfs", None)
            if hasattr(xlwings, "udfs"):
                delattr(xlwings, "udfs")


class FakeWorkbook:
    """Stands in for the COM workbook xlwings' import_udfs is handed.

    generate_vba_wrapper only reads ``.Name`` (an .xlam gets ActiveWorkbook);
    import_udfs also removes/imports the ``xlwings_udfs`` component and calls
    ``Application.MacroOptions``, both recorded here.  It is falsy so that
    get_udf_module skips its scan for code embedded in sheets (which needs COM).
    """

    def __init__(self, name: str = "xlpy.xlsm"):
        self.Name = name
        self.imported: bytes | None = None
        self.removed: list[str] = []
        self.macro_options: list[tuple[str, dict]] = []
        wb = self

        class Components:
            def __call__(self, name):
                return name

            def Remove(self, component):
                wb.removed.append(component)

            def Import(self, path):
                with open(path, "rb") as fh:
                    wb.imported = fh.read()

        self.VBProject = SimpleNamespace(VBComponents=Components())
        self.Application = SimpleNamespace(
            Version="16.0",
            MacroOptions=lambda macro, **kw: self.macro_options.append((macro, kw)),
        )

    def __bool__(self):
        return False


def _xlwings_text(xlwings_udfs, module, module_name, workbook) -> str:
    """The module text as xlwings.udfs.import_udfs assembles it."""
    from xlwings.utils import VBAWriter

    buf = io.StringIO()
    w = VBAWriter(buf)
    w.writeln('Attribute VB_Name = "xlwings_udfs"')
    w.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
    w.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
    xlwings_udfs.generate_vba_wrapper(module_name, module, buf, workbook)
    return buf.getvalue()


@pytest.fixture
def pristine_xlfunc(toy, monkeypatch):
    """xlwings' generator writes into ``__xlfunc__`` (caller -> vba "Nothing"):
    let it write into copies."""
    import copy

    for name in TOY_NAMES:
        f = getattr(toy, name)
        monkeypatch.setattr(f, "__xlfunc__", copy.deepcopy(f.__xlfunc__))
    return toy


# --------------------------------------------------------------------------- #
# registry


def test_registry_records_the_toys(toy):
    names = [n for n in REGISTRY if n in TOY_NAMES]
    assert names == TOY_NAMES  # registration order

    charge = registry.get("TOY_CHARGE")
    assert charge.func is toy.TOY_CHARGE
    assert charge.kind == "function"
    assert charge.module == TOY_MODULE
    assert charge.category == "xlpy"
    assert charge.volatile is False
    assert charge.call_in_wizard is True
    assert charge.description == "Toy induced-conversion charge: extra shares times price, plus cash."
    assert dict(charge.ret) == {"index": False}
    assert [a.name for a in charge.args] == [
        "units", "offer_ratio", "original_ratio", "price", "cash_per_unit",
    ]
    assert charge.args[0] == ArgSpec(
        name="units",
        help="Units accepted (number of preferred shares or notes)",
        optional=False,
        options={"convert": float, "numbers": int},
    )
    assert [a.optional for a in charge.args] == [False, False, False, False, True]
    assert charge.args[4].help == "Cash paid per unit on top of the shares"

    table = registry.get("TOY_TABLE")
    assert (table.volatile, table.call_in_wizard) == (True, False)
    assert dict(table.args[0].options) == {"ndim": 2}
    assert dict(table.ret) == {"expand": "table"}

    total = registry.get("TOY_SUM")
    assert total.args == (ArgSpec("values", "Numbers to add up", False, {}, vararg=True),)

    where = registry.get("TOY_WHERE")
    assert [(a.name, a.help) for a in where.args] == [("label", "Text to prefix"), ("caller", "")]

    refresh = registry.get("toy_refresh")
    assert (refresh.kind, refresh.args, refresh.description) == (
        "macro", (), "Toy macro: refresh the offer sheet.",
    )

    assert [s.name for s in registry.functions() if s.module == TOY_MODULE] == TOY_NAMES[:4]
    assert [s.name for s in registry.macros() if s.module == TOY_MODULE] == ["toy_refresh"]
    with pytest.raises(KeyError, match="NO_SUCH_FUNCTION"):
        registry.get("NO_SUCH_FUNCTION")


def test_decorated_functions_still_work_on_linux(toy):
    # xw.func & co. are no-ops here: the decorator hands back the function itself
    assert toy.TOY_CHARGE(100, 1.5, 1.25, 40) == 1000.0
    assert toy.TOY_CHARGE(100, 1.5, 1.25, 40, 2) == 1200.0
    assert toy.TOY_TABLE([[1, 2], [3, 4]]) == [[2, 4], [6, 8]]
    assert toy.TOY_SUM(1, 2, 3.5) == 6.5
    assert toy.toy_refresh() is None


def test_xlfunc_attribute_matches_real_xlwings_decorators(toy, xlwings_udfs):
    """Our __xlfunc__ == what @xw.func/@xw.arg/@xw.ret/@xw.sub build on Windows."""
    u = xlwings_udfs

    def bare(f):
        g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
        g.__doc__ = f.__doc__
        g.__annotations__ = dict(f.__annotations__)
        g.__module__ = f.__module__
        assert not hasattr(g, "__xlfunc__")
        return g

    charge = bare(toy.TOY_CHARGE)
    for deco in [  # bottom-up, as the decorator lines stack in a udfs.py
        u.xlret(index=False),
        u.xlarg("cash_per_unit", doc="Cash paid per unit on top of the shares"),
        u.xlarg("price", doc="Fair value of one common share"),
        u.xlarg("original_ratio", doc="Common shares per unit under the original terms"),
        u.xlarg("offer_ratio", doc="Common shares per unit under the offer"),
        u.xlarg("units", doc="Units accepted (number of preferred shares or notes)", numbers=int),
        u.xlfunc(category="xlpy"),
    ]:
        charge = deco(charge)
    table = bare(toy.TOY_TABLE)
    for deco in [
        u.xlret(expand="table"),
        u.xlarg("prices", doc="A block of prices, one row per date", ndim=2),
        u.xlfunc(category="xlpy", volatile=True, call_in_wizard=False),
    ]:
        table = deco(table)
    total = u.xlfunc(category="xlpy")(u.xlarg("values", doc="Numbers to add up")(bare(toy.TOY_SUM)))
    where = u.xlfunc(category="xlpy")(u.xlarg("label", doc="Text to prefix")(bare(toy.TOY_WHERE)))
    refresh = u.xlsub(category="xlpy")(bare(toy.toy_refresh))

    for ours, real in [
        (toy.TOY_CHARGE, charge),
        (toy.TOY_TABLE, table),
        (toy.TOY_SUM, total),
        (toy.TOY_WHERE, where),
        (toy.toy_refresh, refresh),
    ]:
        # the one difference: the description Excel is given is the docstring's first line, not all of it
        real.__xlfunc__["ret"]["doc"] = registry.get(ours.__name__).description
        assert ours.__xlfunc__ == real.__xlfunc__, ours.__name__
        # argmap entries are the very dicts in args, as in xlwings
        assert all(ours.__xlfunc__["argmap"][a["name"]] is a for a in ours.__xlfunc__["args"])

    assert toy.TOY_CHARGE.__xlfunc__["args"][4]["optional"] is None
    assert toy.TOY_CHARGE.__xlfunc__["args"][0]["options"] == {"convert": float, "numbers": int}
    assert toy.toy_refresh.__xlfunc__["sub"] is True
    assert toy.TOY_CHARGE.__xlfunc__["sub"] is False


def test_missing_arg_help_raises_naming_function_and_arg(clean_registry):
    before = list(REGISTRY)
    with pytest.raises(TypeError) as err:

        @worksheet_function(args={"units": "Units accepted", "price": "Share price"})
        def NO_HELP(units, offer_ratio, price):
            """Missing help for offer_ratio."""

    assert str(err.value) == "NO_HELP: missing help text for argument 'offer_ratio'"
    with pytest.raises(TypeError, match=r"^BLANK_HELP: missing help text for arguments 'a', 'b'$"):

        @worksheet_function(args={"a": "  "})
        def BLANK_HELP(a, b):
            """Blank help counts as missing."""

    with pytest.raises(TypeError, match=r"^NO_DOC: missing docstring"):

        @worksheet_function(args={"a": "A"})
        def NO_DOC(a):
            pass

    with pytest.raises(TypeError, match=r"^TYPO: help text given for unknown argument 'prise'$"):

        @worksheet_function(args={"price": "Price", "prise": "Price"})
        def TYPO(price):
            """Typo in args."""

    with pytest.raises(TypeError, match=r"^KWONLY: argument 'b': worksheet functions take positional"):

        @worksheet_function(args={"a": "A", "b": "B"})
        def KWONLY(a, *, b):
            """Keyword-only argument."""

    with pytest.raises(TypeError, match=r"^macro_args: missing help text for argument 'path'$"):

        @macro
        def macro_args(path):
            """A macro needs argument help too."""

    assert list(REGISTRY) == before  # nothing half-registered


def test_names_are_unique_case_insensitively(clean_registry):
    @worksheet_function(args={"x": "X"})
    def DUP_NAME(x):
        """First."""

    first = registry.get("DUP_NAME")

    @worksheet_function(args={"x": "X"})  # same definition again (module reload): replaced
    def DUP_NAME(x):  # noqa: F811
        """First, reloaded."""

    assert registry.get("DUP_NAME") is not first
    assert registry.get("DUP_NAME").description == "First, reloaded."

    def make():
        @worksheet_function(args={"x": "X"})
        def dup_name(x):
            """Clashes with DUP_NAME in Excel."""

    with pytest.raises(TypeError, match=r"^dup_name: name already registered by "):
        make()


# --------------------------------------------------------------------------- #
# generate_bas vs xlwings' generator


EXPECTED_CHARGE = """\
Function TOY_CHARGE(units, offer_ratio, original_ratio, price, Optional cash_per_unit)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        TOY_CHARGE = XLPy.CallUDF("xlpy_toy_udfs", "TOY_CHARGE", Array(units, offer_ratio, original_ratio, price, cash_per_unit), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        TOY_CHARGE = XLPy.CallUDF("xlpy_toy_udfs", "TOY_CHARGE", Array(units, offer_ratio, original_ratio, price, cash_per_unit))
        Exit Function
    #End If
failed:
    TOY_CHARGE = Err.Description
End Function
"""


def test_generate_bas_matches_xlwings_generate_vba_wrapper(pristine_xlfunc, xlwings_udfs):
    toy = pristine_xlfunc
    for workbook, addin in [(FakeWorkbook("xlpy.xlsm"), False), (FakeWorkbook("xlpy.xlam"), True)]:
        theirs = _xlwings_text(xlwings_udfs, toy, TOY_MODULE, workbook)
        ours = vba.generate_bas(TOY_MODULE, addin=addin)
        assert ours == theirs  # character for character

    ours = vba.generate_bas(TOY_MODULE)
    assert ours.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert EXPECTED_CHARGE in ours
    # dir() order: upper case sorts before lower case
    order = [line.split()[1].split("(")[0] for line in ours.splitlines()
             if line.startswith(("Function ", "Sub "))]
    assert order == ["TOY_CHARGE", "TOY_SUM", "TOY_TABLE", "TOY_WHERE", "toy_refresh"]
    assert "Function TOY_WHERE(label)\n" in ours
    assert 'Array(label, Nothing)' in ours
    assert "Function TOY_SUM(ParamArray values())\n" in ours
    assert "Sub toy_refresh()\n" in ours
    assert '        XLPy.CallUDF "xlpy_toy_udfs", "toy_refresh", Array(), ThisWorkbook, Application.Caller\n' in ours
    assert "    Application.Volatile\n" in ours
    # explicit specs give the same text
    specs = [registry.get(n) for n in TOY_NAMES]
    assert vba.generate_bas(TOY_MODULE, specs) == ours
    with pytest.raises(ValueError, match="TOY_SUM is defined in 'xlpy_toy_udfs'"):
        vba.generate_bas("xlpy.udfs", [registry.get("TOY_SUM")])


def test_generate_bas_matches_xlwings_import_udfs_end_to_end(pristine_xlfunc, xlwings_udfs, tmp_path):
    """Run xlwings' whole "Import Functions" against the toy module."""
    wb = FakeWorkbook("xlpy.xlsm")
    xlwings_udfs.import_udfs(TOY_MODULE, wb)

    assert wb.removed == ["xlwings_udfs"]
    # here import_udfs wrote its temp file in text mode with "\n"; on Windows the
    # same text mode writes "\r\n", which is what write_bas writes
    assert wb.imported.decode("ascii") == vba.generate_bas(TOY_MODULE)
    out = vba.write_bas(tmp_path / "xlwings_udfs.bas", vba.generate_bas(TOY_MODULE))
    assert out.read_bytes() == wb.imported.replace(b"\n", b"\r\n")

    # what xlwings registers with Excel, from our __xlfunc__
    options = {macro_name: kw for macro_name, kw in wb.macro_options}
    assert sorted(options) == [f"'xlpy.xlsm'!{n}" for n in sorted(TOY_NAMES)]
    charge = options["'xlpy.xlsm'!TOY_CHARGE"]
    assert charge["Category"] == "xlpy"
    assert charge["Description"] == registry.get("TOY_CHARGE").description  # one line, not the docstring
    assert charge["ArgumentDescriptions"] == [a.help for a in registry.get("TOY_CHARGE").args]
    assert options["'xlpy.xlsm'!TOY_WHERE"]["ArgumentDescriptions"] == ["Text to prefix"]
    assert options["'xlpy.xlsm'!toy_refresh"]["ArgumentDescriptions"] is None


def test_write_bas_crlf_and_atomic(tmp_path):
    target = tmp_path / "xlwings_udfs.bas"
    target.write_bytes(b"old")
    vba.write_bas(target, 'Attribute VB_Name = "xlwings_udfs"\nSub a()\r\nEnd Sub\n')
    assert target.read_bytes() == b'Attribute VB_Name = "xlwings_udfs"\r\nSub a()\r\nEnd Sub\r\n'
    assert [p.name for p in tmp_path.iterdir()] == ["xlwings_udfs.bas"]

    with pytest.raises(UnicodeEncodeError):
        vba.write_bas(target, "Sub \u4e2d()\n")
    assert target.read_bytes().startswith(b"Attribute")  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["xlwings_udfs.bas"]


# --------------------------------------------------------------------------- #
# the template and its VBA project

TEMPLATE_MODULES = {"ThisWorkbook", "Sheet1", "Sheet2", "Module1"}


def test_template_path_and_modules():
    standalone = vba.template_path()
    plain = vba.template_path(standalone=False)
    assert standalone.name == "quickstart_standalone.xlsm" and standalone.is_file()
    assert plain.name == "quickstart.xlsm" and plain.is_file()
    assert standalone.parent == plain.parent and standalone.parent.name == "xlwings"

    modules = vba.vba_modules(standalone)
    assert set(modules) == TEMPLATE_MODULES | {"xlwings", "Dictionary"}
    assert modules["Module1"].startswith('Attribute VB_Name = "Module1"\r\nSub SampleCall()')
    assert modules["xlwings"].startswith('Attribute VB_Name = "xlwings"\n')
    # the generated wrappers call XLPy.CallUDF; XLPy comes from the xlwings module
    xlwings_lines = modules["xlwings"].splitlines()
    assert "Function XLPy()" in xlwings_lines
    assert "Sub ImportPythonUDFs()" in xlwings_lines
    assert set(vba.vba_modules(plain)) == TEMPLATE_MODULES

    assert vba.expected_modules() == TEMPLATE_MODULES | {"xlwings", "Dictionary"}
    assert vba.expected_modules(standalone=False) == TEMPLATE_MODULES
    assert vba.UDF_MODULE_NAME not in vba.expected_modules()


def test_reading_a_vba_project_prints_no_warning_of_oletools_code_under_w_default():
    """oletools still calls pyparsing's old names: with ``-W default`` (or a script's own warnings shown), loading
    it printed some thirty PyparsingDeprecationWarning lines about oletools' code before a workbook was read."""
    code = ("import warnings; from xlpy.excel import vba; "
            "modules = vba.vba_modules(vba.template_path()); assert 'Module1' in modules; "
            "warnings.warn('still shown', DeprecationWarning)")  # (the others' warnings are still shown)
    r = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False)
    assert r.returncode == 0, r.stderr
    assert "oletools" not in r.stderr and "Pyparsing" not in r.stderr
    assert "DeprecationWarning: still shown" in r.stderr


def test_vba_project_bytes_is_ole_and_survives_a_zip_rewrite(tmp_path):
    src = vba.template_path()
    blob = vba.vba_project_bytes(src)
    assert blob[:4] == b"\xd0\xcf\x11\xe0"
    assert blob[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # full OLE signature
    with zipfile.ZipFile(src) as zf:
        assert zipfile.crc32(blob) == zf.getinfo("xl/vbaProject.bin").CRC

    # re-pack every part (as a workbook writer does): the VBA project is unchanged
    copy = tmp_path / "copy.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    assert vba.vba_project_bytes(copy) == blob
    assert vba.vba_modules(copy) == vba.vba_modules(src)


def test_workbook_without_vba(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    assert vba.vba_modules(plain) == {}
    with pytest.raises(KeyError, match="xl/vbaProject.bin"):
        vba.vba_project_bytes(plain)


def test_a_category_longer_than_excel_takes_is_cut_as_xlwings_cuts_it(clean_registry, xlwings_udfs):
    long = "Offer accounting " * 20  # (340 characters)

    @worksheet_function(category=long, args={"x": "X"})
    def LONG_CATEGORY(x):
        """A function in a category of more than 255 characters."""

    got = registry.get("LONG_CATEGORY").category
    assert got == xlwings_udfs.get_category(category=long) == long[:255]
    assert LONG_CATEGORY.__xlfunc__["category"] == got


def test_write_bas_writes_windows_1252_and_makes_every_line_end_crlf(tmp_path):
    """The module is written in the ANSI code page VBComponents.Import reads (Windows-1252, which has the euro sign
    and curly quotes that Latin-1 lacks), and a line ending in a lone CR (an old Mac's) ends in CRLF too."""
    target = tmp_path / "m.bas"
    vba.write_bas(target, "' \u20ac \u2019\rSub a()\r\nEnd Sub\n")
    assert target.read_bytes() == b"' \x80 \x92\r\nSub a()\r\nEnd Sub\r\n"


@pytest.mark.parametrize("key", ["Interpreter", "Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "Conda Path",
                                 "Conda Env"])
def test_each_setting_naming_the_python_on_the_conf_sheet_is_said_to_be_pinned(key):
    """A row of the xlwings.conf sheet that says which Python (or which of its paths) runs the workbook overrides each
    person's own setting: each is named; another setting is not."""
    rows = [(key, "x"), ("Show Console", False), ("UDF Modules", vba.UDF_MODULES)]
    (line,) = vba.pinned_settings(vba.sheet_settings(rows))
    assert line.startswith(f"xlwings.conf pins {key.upper()} = 'x' for everyone who opens the workbook, "), line
    assert vba.pinned_settings(vba.sheet_settings(rows[1:])) == []
