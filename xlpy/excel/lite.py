"""``xlpy lite``: the worksheet functions as an xlwings Lite project.

xlwings Lite runs Python inside Excel itself (Pyodide, WebAssembly) on
Windows, Mac and the web, with no local Python.  Its worksheet functions are
plain Python functions in ``main.py`` decorated with ``xlwings.func`` (and
``arg``/``ret``); ``requirements.txt`` lists what it installs.  xlpy is not on
a package index, so the project carries xlpy itself: ``main.py`` holds

* one wrapper per registered worksheet function (:func:`xlpy.excel.registry.functions`),
  under the same Excel name, with the same argument names, the same
  description and the same help text per argument, all written here from the
  registry;
* the modules those functions run on, verbatim but for the lines of :data:`_PATCHES`: the engine, the argument
  handling, :mod:`xlpy.excel.udfs` and :mod:`xlpy.files.calendars`, found by following
  :mod:`xlpy.excel.udfs`' imports and loaded by a small import hook under the
  package name ``xlpy_lite``.  Two modules are stood in for: ``xlpy`` itself
  (only ``__version__``) and :mod:`xlpy.excel.registry` (in xlwings Lite the
  wrappers declare the functions, the registry has nothing to do);
* the trading days of the exchange calendars it is written with (``XNYS`` by
  default; ``24/7`` and ``24/5`` too), taken from ``exchange_calendars`` through :mod:`xlpy.files.calendars`:
  xlwings Lite could install that library (a pure wheel, on Pyodide's pandas), but then the project would fetch
  pandas and numpy when it starts and count the days of whichever release it installed, not the desktop's.
  ``OFFER_VWAP`` and ``AVERAGING_WINDOW`` count the same trading days as on
  the desktop, from 1990 to the last session the library knew; another code
  gives a one-line message saying how to write a project that has it, or, for one the library could not build
  here, the desktop's message.

Everything in the bundle needs only the standard library; :func:`bundle`
refuses to write a project otherwise.

What xlwings Lite expects, and where it is said (xlwings source read at
commit aee5b72 of github.com/xlwings/xlwings; docs at lite.xlwings.org):

* decorators: ``from xlwings import func, arg, ret`` -- in Lite ``xlwings``
  re-exports ``xlwings.server``'s ``func``/``arg``/``ret``
  (``xlwings/__init__.py``, the ``on_server`` branch; ``xlwings/server.py``).
* Excel name: the Python name upper-cased (``custom_functions_meta`` in
  ``xlwings/pro/udfs_officejs.py``: ``xlfunc["name"].upper()``, unless
  ``func(name=...)``); our names are upper-case already.  The description
  is the whole docstring (``xlf["ret"]["doc"] = f.__doc__``), so each wrapper's
  docstring is the registry's description; argument help is
  ``arg(name, doc=...)``.  Office custom functions have no categories.
* type hints: none on the wrappers.  A parameter's hint is its converter
  (``xlfunc``: ``arg_info["options"]["convert"] = type_hint``), and the
  argument converters must see values as Excel sent them, to name a bad one.
* arguments: every parameter is declared a matrix of "any"; a single cell
  arrives as a scalar (``to_scalar``), an empty or omitted one as the
  parameter's default (JS ``null``/``JsNull``, made None for newer Pyodide in
  xlwings 0.36.6, ``js_to_none``, and a blank inside a range too in 0.36.7,
  ``_is_jsnull``), a range as a list, or a list of rows with
  ``ndim=2`` (``AdjustDimensionsStage`` in ``xlwings/conversion/standard.py``).
  A date cell arrives as its serial number ("normal date-formatted cells
  aren't recognized", ``xlwings/pro/_xlofficejs.py``), and numbers come from
  JavaScript, so a whole number may arrive as a Python ``int``; the argument
  converters (:mod:`xlpy.excel.args`) take all of these.
* results: spilled as a dynamic array whatever their shape (the result is
  declared ``"dimensionality": "matrix"``); a ``date`` goes back as its serial
  number with the workbook's date format; a text starting with ``#`` that is
  not one of Excel's error names goes back as text (``errorstr_to_errortype``),
  so a ``#xlpy!`` message shows as it does on the desktop.
* ``requirements.txt``: pure-Python wheels from PyPI or Pyodide's own packages
  (lite.xlwings.org, "Python Dependencies"); xlwings Lite records the exact
  versions it installs in ``requirements-pinned.txt``, so an upper bound is
  enough.  Only ``xlwings`` is listed.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import importlib
import importlib.util
import inspect
import os
import re
import secrets
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..files.in_place import ORPHANED_AFTER, PARTIAL, InterruptedAfterWriting, flush_to_disk, held_signals

__all__ = [
    "DEFAULT_DIR",
    "DEFAULT_CALENDARS",
    "PACKAGE",
    "PROJECT_FILES",
    "LiteError",
    "ProjectExists",
    "bundle",
    "main_py",
    "requirements_txt",
    "write_project",
]

#: Where ``xlpy lite`` writes the project when no ``-o`` is given.
DEFAULT_DIR = "xlpy-lite"
#: The files of a project.
PROJECT_FILES = ("main.py", "requirements.txt")
#: A project file's temporary file (``.~xlpy-partial.main.py.<12 hex digits>.tmp``; before, without ``~xlpy-partial.``),
#: one a killed run left removed by the next run into the folder once older than ORPHANED_AFTER.
_TEMPORARY = re.compile(r"\.(?:%s)?(?:%s)\.[0-9a-f]{12}\.tmp"
                        % (re.escape(PARTIAL[1:]), "|".join(re.escape(name) for name in PROJECT_FILES)))
#: Package name of the bundled xlpy inside ``main.py`` (not ``xlpy``, so that
#: it can never be mistaken for, or shadow, an installed xlpy).
PACKAGE = "xlpy_lite"
#: Exchange calendars a project carries unless told otherwise.
DEFAULT_CALENDARS = ("XNYS",)
#: xlwings 0.36.7 turns Pyodide's ``JsNull`` (an empty cell, one in a range too) back into None (0.36.6 did so for
#: a lone argument only; before, a blank read as ``jsnull``, neither blank nor a number);
#: xlwings Lite records what it installed, so an upper bound is enough.
REQUIREMENT = "xlwings>=0.36.7,<1.0.0"

_ROOT = "xlpy"
_START = "xlpy.excel.udfs"
_CALENDARS = "xlpy.files.calendars"


class LiteError(Exception):
    """The project cannot be written as asked (one line, for the command line)."""


class ProjectExists(LiteError):
    """The output folder already holds a main.py or a requirements.txt and replacing them was not asked for."""


# --------------------------------------------------------------------------- #
# stand-ins


def _init_source() -> str:
    from .. import __version__

    return (
        '"""xlpy, as bundled into an xlwings Lite project by ``xlpy lite``."""\n\n'
        f"__version__ = {__version__!r}\n"
    )


_REGISTRY_SOURCE = '''\
"""Stands in for xlpy.excel.registry inside an xlwings Lite project.

The wrappers in main.py declare the worksheet functions to xlwings Lite
(written from the registry by ``xlpy lite``), so here the decorators only
hand the function back.
"""


def worksheet_function(func=None, **options):
    def decorate(f):
        return f

    return decorate if func is None else decorate(func)


macro = worksheet_function
'''

#: Source changes made while bundling, each of which must match exactly once:
#: module -> ((old, new), ...).
_PATCHES = {
    "xlpy.excel.args": (
        ("COM_ERROR_CODES = True", "COM_ERROR_CODES = False  # xlpy lite: xlwings Lite sends error values as text"),
    ),
    _CALENDARS: (
        (
            "import exchange_calendars as xcals",
            "from . import _xcals as xcals  # xlpy lite: the trading days written into this project",
        ),
    ),
}


def _relative(module: str, target: str) -> str:
    """How module *module* (not a package) imports *target* relatively: ``.engine.errors``."""
    here, there = module.split(".")[:-1], target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "." * (len(here) - common + 1) + ".".join(there[common:])


def _canonical(codes: Sequence[str]) -> tuple[str, ...]:
    """*codes* as exchange_calendars names the calendars they stand for (``XNAS`` and ``NYSE`` are ``XNYS``'s
    aliases: the same days, held once), in order, each once."""
    import exchange_calendars as xcals

    aliases = xcals.aliases_to_names()
    named = {name.upper(): name for name in xcals.get_calendar_names(include_aliases=True)}  # (us_futures)
    return tuple(dict.fromkeys(aliases.get(named.get(code, code), named.get(code, code)) for code in codes))


def _calendar_source(codes: Sequence[str], module: str) -> str:
    """The stand-in for ``exchange_calendars``: the sessions of *codes*, as :mod:`xlpy.files.calendars` sees them."""
    import exchange_calendars as xcals

    from ..engine.errors import InputError
    from ..files import calendars

    rows = "".join(
        f'    "{code}": (\n        "{first.isoformat()}",\n        "{last.isoformat()}",\n        "{weekmask}",\n'
        f"        {_day_list(closed)},\n        {_day_list(opened)},\n    ),\n"
        for code, first, last, weekmask, closed, opened in map(_calendar_days, codes)
    )
    names = sorted(xcals.get_calendar_names(include_aliases=True))
    aliases = sorted(xcals.aliases_to_names().items())
    return _CALENDAR_MODULE.format(
        held=", ".join(codes), version=xcals.__version__, earliest=calendars.EARLIEST, rows=rows,
        name_lines="".join(f"    {n!r},\n" for n in names), errors_module=_relative(module, InputError.__module__),
        alias_lines="".join(f"    {a!r}: {n!r},\n" for a, n in aliases),
        unbuilt_lines="".join(f"    {n!r}: {why!r},\n" for n, why in _unbuilt(codes)),
        again="".join(f"--calendar {c} " for c in codes if c not in DEFAULT_CALENDARS),  # (those held, kept)
        again_now="".join(f" --calendar {c}" for c in codes if c not in DEFAULT_CALENDARS),
    )


def _calendar_days(code: str) -> tuple[str, dt.date, dt.date, str, list[dt.date], list[dt.date]]:
    """``(code, first, last, weekmask, days of the weekmask closed, days outside it open)`` of one calendar (its
    weekmask as exchange_calendars writes it: ``1111100`` for Monday to Friday, ``1111111`` for ``24/7``)."""
    from ..engine.errors import InputError
    from ..files import calendars

    try:
        cal = calendars.calendar(code)
    except InputError as exc:
        raise LiteError(f"--calendar {code}: {exc.reason}") from None
    first, last = cal.first_session.date(), cal.last_session.date()
    weekmask = str(cal.weekmask)
    if not re.fullmatch(r"[01]{7}", weekmask):  # (the library writes it so; a day name list would read wrong)
        raise LiteError(f"--calendar {code}: its weekmask {weekmask!r} is not seven 0s and 1s; update xlpy/lite.py")
    open_days = {d.date() for d in cal.sessions_in_range(first.isoformat(), last.isoformat())}
    closed, opened = [], []
    day = first
    while day <= last:
        if weekmask[day.weekday()] == "1" and day not in open_days:
            closed.append(day)
        elif weekmask[day.weekday()] == "0" and day in open_days:
            opened.append(day)
        day += dt.timedelta(days=1)
    return code, first, last, weekmask, closed, opened


@functools.lru_cache(maxsize=1)
def _unbuildable() -> tuple[tuple[str, str], ...]:
    """The calendars exchange_calendars lists but cannot build here, each with what the desktop says of it
    (``cannot be built by exchange_calendars (ValueError): ...``): building every calendar takes seconds, once."""
    import exchange_calendars as xcals

    from ..engine.errors import InputError
    from ..files import calendars

    out = []
    with warnings.catch_warnings():  # (the library's own deprecation warnings, building calendars no one asked for)
        warnings.simplefilter("ignore")
        for name in sorted(xcals.get_calendar_names(include_aliases=False)):
            try:
                calendars.calendar(name)
            except InputError as exc:
                out.append((name, exc.reason))
    return tuple(out)


def _unbuilt(held: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The calendars a project holding *held* names as the desktop does, not as one to write it again with."""
    return tuple((name, why) for name, why in _unbuildable() if name not in held)


def _day_list(values: list[dt.date]) -> str:
    """Days as the Python source of one string of YYYYMMDD words, eight to a line."""
    words = [d.strftime("%Y%m%d") for d in values]
    lines = [" ".join(words[i : i + 8]) for i in range(0, len(words), 8)]
    return "(\n" + "".join(f'            "{line} "\n' for line in lines) + '            ""\n        )'


#: The stand-in module's text (``str.format`` fields: held, version, earliest, rows, name_lines, errors_module,
#: alias_lines, unbuilt_lines, again, again_now).
_CALENDAR_MODULE = '''\
"""Stands in for exchange_calendars inside an xlwings Lite project: the trading days of {held}.

Written by ``xlpy lite`` from exchange_calendars {version} (calendars
built from {earliest}), with just what xlpy's calendars module asks of
that library.  Per calendar: its first and last session, its weekmask
(Monday to Sunday, 1 a trading day), the days of its weekmask it is closed
and the days outside it it is open (YYYYMMDD).
"""

import datetime as dt

from {errors_module} import InputError

START = {earliest!r}
DATA = {{
{rows}}}
#: Every calendar code exchange_calendars knows.
NAMES = frozenset((
{name_lines}))
#: Codes exchange_calendars takes for another calendar's (XNAS: XNYS's days).
ALIASES = {{
{alias_lines}}}
#: Calendars exchange_calendars could not build where this project was written, and what the desktop says of them.
UNBUILT = {{
{unbuilt_lines}}}


class errors:
    class InvalidCalendarName(Exception):
        pass


def get_calendar_names(include_aliases=False):
    return sorted(NAMES | set(ALIASES)) if include_aliases else sorted(NAMES)


class _Session(dt.date):
    def date(self):
        return dt.date(self.year, self.month, self.day)


def _day(text):
    return _Session.fromisoformat(text[:4] + "-" + text[4:6] + "-" + text[6:8] if len(text) == 8 else text)


class _Calendar:
    # (the desktop's calendars move on with the date; a project's end a year after the day it was written)
    xlpy_beyond = (" (this xlwings Lite project holds them to a year after the day it was written: write it again "
                   "with: xlpy lite{again_now})")

    def __init__(self, first, last, weekmask, closed, opened):
        self.first_session = _day(first)
        self.last_session = _day(last)
        self.weekmask = weekmask
        self._closed = frozenset(_day(d).date() for d in closed.split())
        self._opened = frozenset(_day(d).date() for d in opened.split())

    def sessions_in_range(self, start, end):
        day, last, out = _day(start), _day(end), []
        while day <= last:
            plain = day.date()
            if (self.weekmask[plain.weekday()] == "1" and plain not in self._closed) or plain in self._opened:
                out.append(day)
            day = _Session.fromordinal(day.toordinal() + 1)
        return out


def get_calendar(code, start=START, end=None):
    # (end: the days this project holds end where they were written)
    if start != START:
        raise ValueError("this project's calendars start on " + START)
    name = ALIASES.get(code, code)
    data = DATA.get(name)
    if data is not None:
        return _Calendar(*data)
    if name not in NAMES:
        raise errors.InvalidCalendarName(code)
    if name in UNBUILT:  # (writing the project again with it would fail: the desktop's words)
        raise InputError("calendar", code, UNBUILT[name])
    raise InputError(
        "calendar",
        code,
        "is not in this xlwings Lite project, which holds the trading days of {held} only; "
        "write it again with: xlpy lite {again}--calendar " + name,
    )
'''


# --------------------------------------------------------------------------- #
# the bundle


def _module_source(name: str) -> str:
    module = importlib.import_module(name)
    path = inspect.getsourcefile(module)
    if path is None:  # pragma: no cover - xlpy is always installed from source files
        raise LiteError(f"{name}: no source file to bundle")
    return Path(path).read_text(encoding="utf-8")


def _is_package(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.submodule_search_locations is not None


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _stdlib(name: str) -> bool:
    top = name.split(".")[0]
    return top == "__future__" or top in sys.stdlib_module_names


def _imports(name: str, source: str, package: str) -> Iterable[str]:
    """xlpy modules *source* imports (anywhere in it: lazy imports count); refuses anything not in the stdlib."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == _ROOT:
                    raise LiteError(f"{name}: import {alias.name}: bundled modules must import xlpy relatively")
                if not _stdlib(alias.name):
                    raise LiteError(f"{name}: imports {alias.name}, which xlwings Lite does not have")
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if (node.module or "").split(".")[0] == _ROOT:
                    raise LiteError(f"{name}: from {node.module}: bundled modules must import xlpy relatively")
                if not _stdlib(node.module or ""):
                    raise LiteError(f"{name}: imports {node.module}, which xlwings Lite does not have")
                continue
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            yield base
            for alias in node.names:
                if _is_module(f"{base}.{alias.name}"):
                    yield f"{base}.{alias.name}"


def bundle(calendars: Sequence[str] = DEFAULT_CALENDARS) -> dict[str, tuple[str, bool]]:
    """The modules ``main.py`` carries: bundled name -> (source, is_package), parents first."""
    stand_ins = {_ROOT: _init_source(), "xlpy.excel.registry": _REGISTRY_SOURCE}
    found: dict[str, tuple[str, bool]] = {}
    todo = [_START]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
        is_package = name == _ROOT or _is_package(name)
        if name in stand_ins:
            found[name] = (stand_ins[name], is_package)
            continue
        source = _module_source(name)
        for old, new in _PATCHES.get(name, ()):
            if source.count(old) != 1:
                raise LiteError(f"{name}: expected {old!r} once to bundle it; update xlpy/lite.py")
            source = source.replace(old, new)
        if name == _CALENDARS:  # its exchange_calendars: the trading days written into the project
            shim = (name if is_package else name.rpartition(".")[0]) + "._xcals"
            found[shim] = (_calendar_source(calendars, shim), False)
        found[name] = (source, is_package)
        todo.extend(_imports(name, source, name if is_package else name.rpartition(".")[0]))
    out = {}
    for name in sorted(found, key=lambda n: (n.count("."), n)):
        out[PACKAGE + name[len(_ROOT):]] = found[name]
    return out


def _literal(text: str) -> str:
    """*text* as a Python string literal, readable (raw triple-quoted) when that is exact."""
    for quote in ('"""', "'''"):
        if quote not in text and not text.endswith(("\\", quote[0])):
            literal = ("r" if "\\" in text else "") + f"{quote}{text}{quote}"
            try:
                if ast.literal_eval(literal) == text:
                    return literal
            except SyntaxError:
                pass
    return repr(text)


# --------------------------------------------------------------------------- #
# main.py


def _default(spec, name: str):
    param = inspect.signature(spec.func).parameters[name]
    return None if param.default is inspect.Parameter.empty else param.default


def _option_literal(fname: str, key: str, value: object) -> str:
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise LiteError(f"{fname}: option {key}={value!r} cannot be written into main.py")
    return text


def _wrapper(spec) -> str:
    """One worksheet function as xlwings Lite declares it, calling the bundled function."""
    lines = ["@func" if not spec.volatile else "@func(volatile=True)"]
    params, call = [], []
    for a in spec.args:
        if a.vba is not None or a.name == "caller":
            raise LiteError(f"{spec.name}: argument {a.name} is bound in VBA, which xlwings Lite does not have")
        options = {k: v for k, v in a.options.items() if k != "doc"}
        extra = "".join(f", {k}={_option_literal(spec.name, k, v)}" for k, v in options.items())
        lines.append(f"@arg({a.name!r}, doc={a.help!r}{extra})")
        if a.vararg:
            params.append("*" + a.name)
            call.append("*" + a.name)
        else:
            params.append(a.name if not a.optional else f"{a.name}={_default(spec, a.name)!r}")
            call.append(a.name)
    if spec.ret:
        lines.append("@ret(" + ", ".join(f"{k}={_option_literal(spec.name, k, v)}" for k, v in spec.ret.items()) + ")")
    lines.append(f"def {spec.name}({', '.join(params)}):")
    lines.append(f"    {_literal(spec.description)}")
    lines.append(f"    return _udfs.{spec.name}({', '.join(call)})")
    return "\n".join(lines) + "\n"


_LOADER = f'''\
def _load():
    """Load the bundle above as the package {PACKAGE!r} and return its worksheet functions."""
    import importlib.abc
    import importlib.util
    import sys

    class XlpyLiteBundle(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name not in _BUNDLE:
                return None
            return importlib.util.spec_from_loader(
                name, self, origin="main.py:" + name, is_package=_BUNDLE[name][1]
            )

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            source = _BUNDLE[module.__name__][0]
            filename = "<main.py: " + module.__name__ + ">"
            exec(compile(source, filename, "exec"), module.__dict__)

    # main.py may run again in the same interpreter: drop what an earlier run loaded
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "XlpyLiteBundle"]
    for name in [m for m in sys.modules if m == {PACKAGE!r} or m.startswith({PACKAGE + "."!r})]:
        del sys.modules[name]
    sys.meta_path.insert(0, XlpyLiteBundle())
    return importlib.import_module({PACKAGE + _START[len(_ROOT):]!r})
'''


def main_py(calendars: Sequence[str] = DEFAULT_CALENDARS) -> str:
    """The text of ``main.py``."""
    from .. import __version__
    from . import registry, udfs

    specs = [s for s in registry.functions() if s.module == registry.RECORDED_MODULES.get(udfs.__name__, udfs.__name__)]
    calendars = _canonical(calendars)
    modules = bundle(calendars)
    if udfs.__name__ != _START:  # the loader imports it by this name
        raise LiteError(f"{udfs.__name__}: update xlpy/excel/lite.py for the worksheet functions' new module")
    names = ", ".join(s.name for s in specs)
    held = ", ".join(calendars)
    head = f'''\
"""xlpy's worksheet functions for xlwings Lite: Excel on Windows, Mac and the web.

Written by ``xlpy lite`` (xlpy {__version__}).  Do not edit: write it again
with ``xlpy lite``.  Paste this file into xlwings Lite's main.py and the
project's requirements.txt into its requirements.txt, then restart xlwings Lite.

Functions: {names}.
Each is the desktop function, computed by the same code: xlpy's engine, argument
handling and worksheet functions are carried at the end of this file,
verbatim, and need only Python's standard library.  A bad argument gives the
same one-line ``#xlpy! ...`` message as on the desktop.  Trading days
(OFFER_VWAP, AVERAGING_WINDOW) come from the exchange calendars written into
this file: {held}.
"""

from xlwings import arg, func, ret  # noqa: F401  (xlwings Lite's decorators)

'''
    body = "\n\n".join(_wrapper(s) for s in specs)
    entries = "".join(
        f"    {name!r}: (\n        {_literal(source)},\n        {is_package!r},\n    ),\n"
        for name, (source, is_package) in modules.items()
    )
    tail = (
        "\n\n# " + "-" * 75 + "\n"
        "# The bundle: module name -> (source, is package).  Sources as in xlpy " + __version__ + ".\n\n"
        "_BUNDLE = {\n" + entries + "}\n\n\n" + _LOADER + "\n\n_udfs = _load()\n"
    )
    return head + "\n" + body + tail


def requirements_txt() -> str:
    """The text of ``requirements.txt``."""
    return f"{REQUIREMENT}\n"  # xlpy itself is inside main.py


# --------------------------------------------------------------------------- #
# writing


def _write_temporary(path: Path, text: str) -> Path:
    """*text* written to a new temporary file beside *path* (to be moved onto it); its path."""
    # created as any file is (0666 less the umask), not mkstemp's 0600: main.py is shared like any source
    tmp = path.with_name(f"{PARTIAL}{path.name}.{secrets.token_hex(6)}.tmp")  # (xlpy's own: _TEMPORARY)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            flush_to_disk(f.fileno())  # (before the rename that relies on it: a power cut loses neither file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _remove_leftovers(folder: Path) -> None:
    """Remove from *folder* the temporary files a killed ``xlpy lite`` left there (main.py's, some 280 KB, and
    requirements.txt's), those older than any run takes (:data:`~xlpy.files.in_place.ORPHANED_AFTER`): one of a run
    going on meanwhile is left alone.  One that cannot be read or removed is passed over."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if _TEMPORARY.fullmatch(entry.name) and entry.is_file(follow_symlinks=False) and \
                    now - entry.stat(follow_symlinks=False).st_mtime > ORPHANED_AFTER:
                os.unlink(entry.path)
        except OSError:  # (gone meanwhile, or a folder that keeps its files: the project is written all the same)
            continue


def _move_in(temporary: dict[str, Path], folder: Path) -> None:
    """Rename the *temporary* files onto the project's files in *folder*, each taken out of *temporary* once
    moved, Ctrl-C, SIGTERM and SIGHUP held meanwhile: one that comes finds the folder as it was (nothing moved yet)
    or holding both new files, raised then as :class:`~xlpy.files.in_place.InterruptedAfterWriting`, which says so."""
    try:
        with held_signals():  # (two renames: a signal between them left the new main.py beside the old requirements)
            for name in PROJECT_FILES:
                os.replace(temporary[name], folder / name)
                del temporary[name]
    except KeyboardInterrupt as exc:
        if temporary or isinstance(exc, InterruptedAfterWriting):
            raise
        said = f"the xlwings Lite project {folder} ({', '.join(PROJECT_FILES)}) was written"
        raise InterruptedAfterWriting(folder / PROJECT_FILES[0], said=said) from exc


def _output_refused(kind: type[LiteError], out, reason: str) -> LiteError:
    """A refusal of the folder *out*, named as the command line's ``--output`` with the value given."""
    from ..engine.errors import InputError

    return kind(str(InputError("--output", os.fsdecode(out), reason)))


def write_project(
    out: str | os.PathLike = DEFAULT_DIR,
    *,
    force: bool = False,
    calendars: Sequence[str] = (),
) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` into folder *out*; return their paths.

    The project carries the trading days of the default calendar (``XNYS``,
    what the functions use when no calendar is given) and of *calendars*.

    The folder is made if needed.  A folder that already holds either file is
    left alone (:class:`ProjectExists`) unless *force*.  Both files are
    written to temporary files first, then moved into place, so a failure
    while writing them (no room left) leaves the folder as it was, and a
    folder made for them is removed.  The two moves are two renames, not one:
    Ctrl-C, SIGTERM and SIGHUP wait for both (then raised as
    :class:`~xlpy.files.in_place.InterruptedAfterWriting`), but a process killed
    outright between them leaves the new ``main.py`` beside the old
    ``requirements.txt``, and its temporary files, which the next run into the
    folder removes once they are 15 minutes old.
    """
    folder = Path(out)
    codes = tuple(dict.fromkeys([*DEFAULT_CALENDARS, *(c.strip().upper() for c in calendars)]))
    for code in codes:
        if not re.fullmatch(r"[A-Z0-9_]+|24/[57]", code):  # (24/7 and 24/5: every day, every weekday)
            raise LiteError(f"--calendar: {code!r} is not an exchange calendar code such as XNYS")
    codes = _canonical(codes)
    if folder.exists() and not folder.is_dir():
        raise _output_refused(LiteError, out, "exists and is not a folder")
    above = next((p for p in folder.parents if p.exists()), None)  # (as given; before the calendars are built)
    if above is not None and not above.is_dir():
        raise _output_refused(LiteError, out, f"cannot be made: {os.fsdecode(above)} is a file, not a folder")
    present = [name for name in PROJECT_FILES if (folder / name).exists()]
    if present and not force:
        raise _output_refused(ProjectExists, out, f"already holds {' and '.join(present)}, which xlpy lite writes (an "
                              f"xlwings Lite project?); pass --force to replace {'them' if len(present) > 1 else 'it'}")
    texts = {"main.py": main_py(codes), "requirements.txt": requirements_txt()}  # all made before anything is written
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if not made:
        _remove_leftovers(folder)
    temporary: dict[str, Path] = {}
    try:
        for name in PROJECT_FILES:
            temporary[name] = _write_temporary(folder / name, texts[name])
        _move_in(temporary, folder)
    except BaseException:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
        if made:
            try:
                folder.rmdir()  # (only if empty: a file moved in stays)
            except OSError:
                pass
        raise
    return [folder / name for name in PROJECT_FILES]
