"""Registry of xlpy's worksheet functions and macros.

xlwings' decorators (``xw.func``, ``xw.arg``, ``xw.ret``, ``xw.sub``) only do
something on Windows; elsewhere they hand the function back untouched and record
nothing.  This module keeps its own record, on every platform, so that the VBA
module "Import Functions" would write (:mod:`xlpy.excel.vba`), the documentation and
the validator can all be produced and checked anywhere.

Usage (in ``xlpy/udfs.py`` or ``xlpy/macros.py``)::

    from xlpy.excel.registry import macro, worksheet_function

    @worksheet_function(
        category="xlpy",
        args={
            "units": "Units accepted (number of preferred shares or notes)",
            "offer_ratio": "Common shares per unit under the offer",
            "original_ratio": "Common shares per unit under the original terms",
            "price": "Fair value of one common share on the acceptance date",
            "cash_per_unit": "Cash paid per unit on top of the shares (optional)",
        },
        ret={"index": False},            # optional: xw.ret(**ret)
        arg_options={"units": {"ndim": 1}},  # optional: xw.arg(name, **options)
        volatile=False,
    )
    def INDUCED_CHARGE(units, offer_ratio, original_ratio, price, cash_per_unit=None):
        '''Induced-conversion charge: fair value of the sweetener.

        The first docstring line is the description Excel shows.
        '''

    @macro
    def refresh_offer():
        '''Refresh the offer sheet from the offer file.'''

Rules checked when the module is imported (decoration time), each failure a
:class:`TypeError` naming the function and the argument:

* the function has a docstring (its first line is the description);
* every parameter has non-empty help text in ``args`` -- except a parameter
  Excel never sees: one named ``caller`` or one bound with the ``vba`` option;
* ``args`` and ``arg_options`` name only real parameters;
* parameters are positional (``*args`` is allowed, keyword-only and ``**kwargs``
  are not, and ``*args`` cannot be combined with defaults -- as in xlwings).

Besides recording a :class:`FunctionSpec` in :data:`REGISTRY`, the decorator
sets ``__xlfunc__`` on the function with exactly the structure xlwings'
Windows decorators build (``xlwings/udfs.py``: ``xlfunc``/``xlarg``/``xlret``/
``xlsub``), then applies the real ``xw.arg``/``xw.ret``/``xw.func`` (or
``xw.sub``).  xlwings 0.37 keeps everything in that one attribute: arguments in
``__xlfunc__["args"]``/``["argmap"]``, the return in ``["ret"]`` and
``["sub"] = True`` for macros; there are no separate ``__xlargs__``,
``__xlret__`` or ``__xlsub__`` attributes.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import (
    Annotated,
    Any,
    Literal,
    TypeVar,
    get_args,
    get_origin,
    get_type_hints,
)

__all__ = [
    "ArgSpec",
    "FunctionSpec",
    "REGISTRY",
    "worksheet_function",
    "macro",
    "functions",
    "macros",
    "get",
]

#: The module name a workbook records for functions defined elsewhere (``xlwings.conf`` "UDF Modules",
#: the VBA that "Import Functions" writes): the worksheet functions live in :mod:`xlpy.excel.udfs`, and
#: workbooks call them through :mod:`xlpy.udfs`, a name that stays whatever the package's layout.
RECORDED_MODULES = {"xlpy.excel.udfs": "xlpy.udfs"}

_F = TypeVar("_F", bound=Callable[..., Any])

#: Every registered worksheet function and macro, by Excel name, in
#: registration order.
REGISTRY: OrderedDict[str, FunctionSpec] = OrderedDict()

# A VBA identifier: a letter, then letters, digits or underscores.
_VBA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_VBA_NAME_MAX = 255


@dataclass(frozen=True)
class ArgSpec:
    """One parameter of a worksheet function or macro.

    ``options`` are the xlwings conversion options of the argument, as they end
    up in ``__xlfunc__["args"][i]["options"]`` (type-hint ``convert`` plus
    ``arg_options``).  ``vba`` is the VBA expression the argument is bound to
    (xlwings' ``vba`` option); such an argument is not in the Excel signature.
    """

    name: str
    help: str
    optional: bool
    options: Mapping[str, Any]
    vararg: bool = False
    vba: str | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """A registered worksheet function (``kind="function"``) or macro (``"macro"``)."""

    name: str
    func: Callable[..., Any]
    description: str
    args: tuple[ArgSpec, ...]
    ret: Mapping[str, Any]
    category: str | int
    volatile: bool
    kind: Literal["function", "macro"]
    module: str
    call_in_wizard: bool = True


def functions() -> list[FunctionSpec]:
    """The registered worksheet functions, in registration order."""
    return [s for s in REGISTRY.values() if s.kind == "function"]


def macros() -> list[FunctionSpec]:
    """The registered macros, in registration order."""
    return [s for s in REGISTRY.values() if s.kind == "macro"]


def get(name: str) -> FunctionSpec:
    """The spec registered under ``name`` (exact Excel name); KeyError if none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no worksheet function or macro named {name!r} is registered") from None


def worksheet_function(
    func: _F | None = None,
    *,
    category: str | int = "xlpy",
    args: Mapping[str, str] | None = None,
    ret: Mapping[str, Any] | None = None,
    arg_options: Mapping[str, Mapping[str, Any]] | None = None,
    volatile: bool = False,
    call_in_wizard: bool = True,
) -> _F | Callable[[_F], _F]:
    """Register ``func`` as an Excel worksheet function (``@xw.func``).

    ``args`` maps each parameter to its help text (shown by Excel's function
    wizard), ``arg_options`` maps a parameter to ``xw.arg`` options (``ndim``,
    ``expand``, ``numbers``, ``vba``, ...), ``ret`` holds ``xw.ret`` options.
    Usable bare (``@worksheet_function``) only for functions without parameters.
    """

    def decorate(f: _F) -> _F:
        return _register(
            f,
            kind="function",
            category=category,
            args=args,
            ret=ret,
            arg_options=arg_options,
            volatile=volatile,
            call_in_wizard=call_in_wizard,
        )

    return decorate if func is None else decorate(func)


def macro(
    func: _F | None = None,
    *,
    category: str | int = "xlpy",
    args: Mapping[str, str] | None = None,
    arg_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> _F | Callable[[_F], _F]:
    """Register ``func`` as an Excel macro (``@xw.sub``): a VBA ``Sub`` wrapper.

    Usable bare (``@macro``) for macros without parameters, the usual case.
    """

    def decorate(f: _F) -> _F:
        return _register(
            f,
            kind="macro",
            category=category,
            args=args,
            ret=None,
            arg_options=arg_options,
            volatile=False,
            call_in_wizard=True,
        )

    return decorate if func is None else decorate(func)


# --------------------------------------------------------------------------- #
# internals


def _register(
    f: _F,
    *,
    kind: Literal["function", "macro"],
    category: str | int,
    args: Mapping[str, str] | None,
    ret: Mapping[str, Any] | None,
    arg_options: Mapping[str, Mapping[str, Any]] | None,
    volatile: bool,
    call_in_wizard: bool,
) -> _F:
    if not callable(f) or not hasattr(f, "__code__"):
        raise TypeError(f"{kind} decorator needs a plain Python function, got {f!r}")
    name = f.__name__
    args = dict(args or {})
    arg_options = {k: dict(v) for k, v in (arg_options or {}).items()}
    ret = dict(ret or {})

    description = _check_function(f, name, volatile, call_in_wizard)
    category = _check_category(name, category)

    params = _params(f)  # [(name, optional, default, vararg)]
    _check_args(name, params, args, arg_options)

    xlfunc = _build_xlfunc(
        f, params, kind, category, args, arg_options, ret, volatile, call_in_wizard
    )

    spec = _spec(f, xlfunc, kind, description, category, args, volatile, call_in_wizard)
    _add(spec)

    f.__xlfunc__ = xlfunc
    return _apply_xlwings(f, spec, args, arg_options, ret)


def _check_function(f: Callable[..., Any], name: str, volatile: bool, call_in_wizard: bool) -> str:
    """The function's description (its docstring's first line); TypeError for a bad name or flag."""
    if not _VBA_NAME.match(name) or len(name) > _VBA_NAME_MAX:
        raise TypeError(
            f"{name}: not usable as an Excel/VBA name "
            "(a letter, then letters, digits or underscores, at most 255 characters)"
        )
    description = _description(f)
    if not description:
        raise TypeError(f"{name}: missing docstring (its first line is the description Excel shows)")
    if not isinstance(volatile, bool):
        raise TypeError(f"{name}: volatile must be True or False, got {volatile!r}")
    if not isinstance(call_in_wizard, bool):
        raise TypeError(f"{name}: call_in_wizard must be True or False, got {call_in_wizard!r}")
    return description


def _check_args(name: str, params: list[tuple[str, bool, Any, bool]], args: Mapping[str, str],
                arg_options: Mapping[str, Mapping[str, Any]]) -> None:
    """TypeError unless every argument has a VBA name and help text, and every option names an argument."""
    param_names = [p[0] for p in params]
    for key in args:
        if key not in param_names:
            raise TypeError(f"{name}: help text given for unknown argument {key!r}")
    for key, opts in arg_options.items():
        if key not in param_names:
            raise TypeError(f"{name}: arg_options given for unknown argument {key!r}")
        if "doc" in opts:
            raise TypeError(f"{name}: argument {key!r}: put help text in args=, not in arg_options")
        vba = opts.get("vba")
        if vba is not None and not (isinstance(vba, str) and vba.strip()):
            raise TypeError(f"{name}: argument {key!r}: the vba option must be a VBA expression")
    missing = []
    for pname, _optional, _default, _vararg in params:
        if not _VBA_NAME.match(pname):
            raise TypeError(
                f"{name}: argument {pname!r} is not usable as a VBA name "
                "(a letter, then letters, digits or underscores)"
            )
        hidden = pname == "caller" or arg_options.get(pname, {}).get("vba")
        helptext = args.get(pname)
        if helptext is not None and not isinstance(helptext, str):
            raise TypeError(f"{name}: help text of argument {pname!r} must be a string")
        if not hidden and not (helptext and helptext.strip()):
            missing.append(pname)
    if missing:
        raise TypeError(
            f"{name}: missing help text for argument{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(m) for m in missing)
        )


def _spec(f: Callable[..., Any], xlfunc: dict[str, Any], kind: Literal["function", "macro"], description: str,
          category: str | int, args: Mapping[str, str], volatile: bool, call_in_wizard: bool) -> FunctionSpec:
    """The registry's record of one function, from its ``__xlfunc__``."""
    name = f.__name__
    return FunctionSpec(
        name=name,
        func=f,
        description=description,
        args=tuple(
            ArgSpec(
                name=a["name"],
                help=args.get(a["name"], ""),
                optional="optional" in a,
                options=MappingProxyType(dict(a["options"])),
                vararg=a["vararg"],
                vba=a["vba"],
            )
            for a in xlfunc["args"]
        ),
        ret=MappingProxyType(dict(xlfunc["ret"]["options"])),
        category=category,
        volatile=volatile,
        kind=kind,
        module=RECORDED_MODULES.get(f.__module__, f.__module__),
        call_in_wizard=call_in_wizard,
    )


def _description(f: Callable[..., Any]) -> str:
    doc = inspect.getdoc(f)
    if not doc:
        return ""
    return doc.strip().splitlines()[0].strip()


def _check_category(name: str, category: str | int) -> str | int:
    # same rule as xlwings.udfs.get_category
    if isinstance(category, bool):
        raise TypeError(f"{name}: category must be a string or an int 1-14, got {category!r}")
    if isinstance(category, int):
        if 1 <= category <= 14:
            return category
        raise TypeError(f"{name}: a numeric category must be one of Excel's built-in 1-14")
    if isinstance(category, str) and category:
        return category[:255]
    raise TypeError(f"{name}: category must be a non-empty string or an int 1-14, got {category!r}")


def _params(f: Callable[..., Any]) -> list[tuple[str, bool, Any, bool]]:
    """(name, optional, default, vararg) per parameter, as xlwings.udfs.func_sig allows."""
    out = []
    has_default = has_vararg = False
    for p in inspect.signature(f).parameters.values():
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            optional = p.default is not inspect.Parameter.empty
            has_default |= optional
            out.append((p.name, optional, p.default if optional else None, False))
        elif p.kind is inspect.Parameter.VAR_POSITIONAL:
            has_vararg = True
            out.append((p.name, False, None, True))
        else:
            raise TypeError(
                f"{f.__name__}: argument {p.name!r}: worksheet functions take positional "
                "arguments only (no keyword-only, positional-only or **kwargs)"
            )
    if has_vararg and has_default:
        raise TypeError(
            f"{f.__name__}: xlwings does not support optional and variable-length "
            "arguments together"
        )
    return out


def _split_hint(type_hint: Any) -> tuple[Any, list[Any]]:
    # xlwings.udfs.extract_type_and_annotations
    origin = get_origin(type_hint)
    if origin is Annotated:
        base_type, *annotations = get_args(type_hint)
        return get_origin(base_type) or base_type, annotations
    return origin or type_hint, []


def _build_xlfunc(
    f: Callable[..., Any],
    params: list[tuple[str, bool, Any, bool]],
    kind: str,
    category: str | int,
    args: Mapping[str, str],
    arg_options: Mapping[str, Mapping[str, Any]],
    ret: Mapping[str, Any],
    volatile: bool,
    call_in_wizard: bool,
) -> dict[str, Any]:
    """``__xlfunc__`` as xlwings' xlret/xlarg/xlfunc (or xlsub) would leave it.

    Mirrors xlwings/udfs.py (0.37): xlfunc builds name/sub/args/argmap/ret from
    the signature, type hints and docstring; xlarg pops ``vba``/``doc`` into the
    argument and merges the rest into its options; xlret merges into the return
    options; the outermost xlfunc/xlsub sets category, call_in_wizard, volatile,
    async_mode (and sub=True).
    """
    type_hints = get_type_hints(f, include_extras=True)
    xlf: dict[str, Any] = {"name": f.__name__, "sub": False}
    xlargs: list[dict[str, Any]] = []
    argmap: dict[str, dict[str, Any]] = {}
    xlf["args"] = xlargs
    xlf["argmap"] = argmap
    for vpos, param in enumerate(params):
        arg_info = _xlarg(vpos, param, type_hints)
        xlargs.append(arg_info)
        argmap[arg_info["name"]] = arg_info
    # xlwings keeps the whole docstring here, and "Import Functions" gives Excel its first 255 characters as the
    # description: line breaks, indentation and all.  The Function Wizard gets the one line meant for it.
    xlf["ret"] = {
        "doc": _description(f)
        or "Python function '" + f.__name__ + "' defined in '" + str(f.__code__.co_filename) + "'.",
        "options": {},
    }
    if "return" in type_hints:
        type_hint, annotations = _split_hint(type_hints["return"])
        xlf["ret"]["options"]["convert"] = type_hint
        if annotations:
            xlf["ret"]["options"].update(annotations[0])

    # xw.ret(**ret)
    ret_opts = dict(ret)
    xlf["ret"]["options"].update(ret_opts)
    # xw.arg(name, doc=help, **options) per argument
    for vname, xla in argmap.items():
        _apply_arg_options(xla, arg_options.get(vname, {}), {"doc": args[vname]} if vname in args else {})
    # the outermost xw.func(...) / xw.sub(...)
    xlf["category"] = category
    xlf["call_in_wizard"] = call_in_wizard
    xlf["volatile"] = volatile
    xlf["async_mode"] = None
    if kind == "macro":
        xlf["sub"] = True
    return xlf


def _xlarg(vpos: int, param: tuple[str, bool, Any, bool], type_hints: Mapping[str, Any]) -> dict[str, Any]:
    """One argument's entry as xlwings' xlfunc makes it from the signature and its type hint."""
    vname, optional, default, vararg = param
    arg_info: dict[str, Any] = {
        "name": vname,
        "pos": vpos,
        "vba": None,
        "doc": "Positional argument " + str(vpos + 1),
        "vararg": vararg,
        "options": {},
    }
    if vname in type_hints:
        type_hint, annotations = _split_hint(type_hints[vname])
        if type_hint is not dt.datetime and type_hint is not dt.date:
            arg_info["options"]["convert"] = type_hint
            if annotations:
                for key, value in annotations[0].items():
                    if key == "doc":
                        arg_info["doc"] = value
                    else:
                        arg_info["options"][key] = value
    if optional:
        arg_info["optional"] = default
    return arg_info


def _apply_arg_options(xla: dict[str, Any], options: Mapping[str, Any], doc: Mapping[str, Any]) -> None:
    """What ``xw.arg(name, doc=help, **options)`` does to one argument's entry (*doc*: the help given, if any)."""
    opts = {**options, **doc}
    if not opts:
        return
    if opts.get("convert", "absent") is None:  # xlarg's convert=None means "not given"
        del opts["convert"]
    for special in ("vba", "doc"):
        if special in opts:
            xla[special] = opts.pop(special)
    xla["options"].update(opts)


def _add(spec: FunctionSpec) -> None:
    old = REGISTRY.get(spec.name)
    if old is not None and (old.module, old.func.__qualname__) == (
        spec.module,
        spec.func.__qualname__,
    ):
        # the same definition again (module reloaded): replace it in place
        REGISTRY[spec.name] = spec
        return
    for other in REGISTRY.values():
        # Excel and VBA names are case-insensitive
        if other.name.lower() == spec.name.lower():
            raise TypeError(
                f"{spec.name}: name already registered by {other.module}.{other.func.__qualname__}"
            )
    REGISTRY[spec.name] = spec


def _apply_xlwings(
    f: _F,
    spec: FunctionSpec,
    args: Mapping[str, str],
    arg_options: Mapping[str, Mapping[str, Any]],
    ret: Mapping[str, Any],
) -> _F:
    """Apply the real xlwings decorators, innermost first, as a stack would.

    Order matters on Windows: every ``xw.arg``/``xw.ret`` call runs ``xlfunc``
    with default keyword arguments, which resets category/volatile, so
    ``xw.func``/``xw.sub`` must come last.
    """
    import xlwings as xw  # lazily: only the Excel layer needs it

    g: Any = f
    if ret:
        g = xw.ret(**dict(ret))(g)
    for a in reversed(spec.args):  # bottom-up, like stacked @xw.arg lines
        opts = dict(arg_options.get(a.name, {}))
        if a.name in args:
            opts["doc"] = args[a.name]
        if opts:
            g = xw.arg(a.name, **opts)(g)
    if spec.kind == "macro":
        g = xw.sub(category=spec.category)(g)
    else:
        g = xw.func(
            category=spec.category,
            volatile=spec.volatile,
            call_in_wizard=spec.call_in_wizard,
        )(g)
    return g
