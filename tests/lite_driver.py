"""Run a project written by ``xlpy lite`` the way xlwings Lite would, and report as JSON.

Used by tests/test_lite.py, under Pyodide (in Node) and under CPython (a
subprocess).  Standard library only: under Pyodide nothing else is there.

``run(project, requests)`` puts a stand-in ``xlwings`` module in place whose
``func``/``arg``/``ret`` record what each function declares (and hand the
function back), imports the project's ``main.py``, then

* calls each requested worksheet function with the given arguments;
* computes each requested offer with the bundled engine
  (``xlpy_lite.engine.compute``) and the bundled calendars;

and returns the declarations, the results and the Python it ran on.

Values cross as JSON, with tags for what JSON has no type for:
``{"$date": "2004-02-20"}`` (a ``date``), ``{"$datetime": ...}``,
``{"$dec": "7.94"}`` (a ``Decimal``), ``{"$tuple": [...]}`` and
``{"$dc": "Offer", "fields": {...}}`` (an engine dataclass).  Floats and ints
keep their JSON types, so a result compares exactly, type included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import sys
import types
from decimal import Decimal


def encode(value):
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {"$dc": type(value).__name__, "fields": fields}
    raise TypeError(f"cannot encode {value!r}")


def decode(value, classes=None):
    if isinstance(value, list):
        return [decode(v, classes) for v in value]
    if not isinstance(value, dict):
        return value
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$tuple" in value:
        return tuple(decode(v, classes) for v in value["$tuple"])
    if "$dc" in value:
        cls = getattr(classes, value["$dc"])
        return cls(**{k: decode(v, classes) for k, v in value["fields"].items()})
    return {k: decode(v, classes) for k, v in value.items()}


def stand_in_xlwings(declared: dict) -> types.ModuleType:
    """An ``xlwings`` whose decorators record into *declared* (by function name) and change nothing."""

    def entry(f):
        return declared.setdefault(f.__name__, {"func": None, "args": [], "ret": None})

    def func(f=None, **options):
        def decorate(g):
            entry(g)["func"] = options
            return g

        return decorate if f is None else decorate(f)

    def arg(name, convert=None, **options):
        if convert is not None:
            options["convert"] = repr(convert)

        def decorate(g):
            entry(g)["args"].insert(0, [name, options])  # decorators apply bottom-up
            return g

        return decorate

    def ret(convert=None, **options):
        if convert is not None:
            options["convert"] = repr(convert)

        def decorate(g):
            entry(g)["ret"] = options
            return g

        return decorate

    module = types.ModuleType("xlwings")
    module.func, module.arg, module.ret = func, arg, ret
    module.__version__ = "stand-in"
    return module


def run(project: str, requests: str) -> str:
    req = json.loads(requests)
    declared: dict = {}
    sys.modules["xlwings"] = stand_in_xlwings(declared)
    sys.path.insert(0, project)
    try:
        sys.modules.pop("main", None)
        main = importlib.import_module("main")
    finally:
        sys.path.remove(project)
    out = {"python": sys.version, "platform": sys.platform, "declared": declared, "signatures": {}}
    import inspect

    for name in declared:
        f = getattr(main, name)
        out["signatures"][name] = [
            [p.name, p.default is not inspect.Parameter.empty, encode(None if p.default is p.empty else p.default)]
            for p in inspect.signature(f).parameters.values()
        ]
        out.setdefault("docs", {})[name] = f.__doc__

    calls = []
    for call in req.get("calls", []):
        try:
            result = {"value": encode(getattr(main, call["func"])(*decode(call["args"])))}
        except Exception as exc:  # a worksheet function must never raise: report it
            result = {"raised": f"{type(exc).__name__}: {exc}"}
        calls.append(result)
    out["calls"] = calls

    if req.get("offers"):
        from xlpy_lite.engine import compute, model
        from xlpy_lite.files import calendars

        offers = {}
        for key, encoded in req["offers"].items():
            try:
                offers[key] = {"results": compute(decode(encoded, model), calendars.sessions).to_dict()}
            except Exception as exc:
                offers[key] = {"raised": f"{type(exc).__name__}: {exc}"}
        out["offers"] = offers
    return json.dumps(out)


if __name__ == "__main__":  # python lite_driver.py PROJECT REQUESTS.json
    with open(sys.argv[2], encoding="utf-8") as f:
        sys.stdout.write(run(sys.argv[1], f.read()))
