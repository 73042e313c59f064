"""Golden cases: ``tests/golden/*.toml``, each an offer with its expected results and provenance.

A case file holds:

* ``[case]``: ``id``, ``source`` (the filing or release, and where in it) and
  ``provenance`` (what is taken from the source, what is illustrative, and the
  hand arithmetic behind every expected figure);
* the offer: ``offer_file`` (a path relative to the case file) or an inline
  ``[input]`` table written exactly as an offer file;
* ``[expected]``: results keys as in ``xlpy compute --json``, each an exact
  decimal string compared by :class:`~decimal.Decimal` equality (nested tables
  and arrays of tables for ``eps`` and ``exchanges``);
* ``[[derived]]``: an arithmetic expression over results keys, compared exactly
  or, with ``places``, after rounding half away from zero (for quotients that do
  not terminate, such as EPS);
* ``[[within]]``: an expression that must fall in ``[lo, hi)``: a filing's
  "approximately" figure.
"""

from __future__ import annotations

import ast
import functools
import json
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from xlpy.engine import compute
from xlpy.engine.numbers import CONTEXT, excel_round
from xlpy.files import calendars, offerfile

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.toml"))


def read_case(path: Path) -> dict:
    # Inline offers are read as the loader reads offer files: numbers from their text.
    return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@functools.lru_cache(maxsize=None)
def results_of(path: Path) -> dict:
    """The case's results object, as ``xlpy compute --json`` prints it (through JSON text)."""
    case = read_case(path)
    if "offer_file" in case["case"]:
        _, results = offerfile.compute_file(path.parent / case["case"]["offer_file"])
    else:
        offer = offerfile.parse(case["input"], base=path.parent, source=path.name)
        results = compute(offer, calendars.sessions)
    return json.loads(json.dumps(results.to_dict()))


def compare(expected, got, where: str, problems: list[str]) -> None:
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            problems.append(f"{where}: expected a table, got {got!r}")
            return
        for key, value in expected.items():
            if key not in got:
                problems.append(f"{where}.{key}: missing from the results")
            else:
                compare(value, got[key], f"{where}.{key}" if where else key, problems)
    elif isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            problems.append(f"{where}: expected {len(expected)} entries, got {got!r}")
            return
        for i, (e, g) in enumerate(zip(expected, got)):
            compare(e, g, f"{where}[{i}]", problems)
    elif isinstance(expected, str):
        if not isinstance(got, str):
            problems.append(f"{where}: results hold {got!r}, not a string")
            return
        try:
            want = Decimal(expected)
        except InvalidOperation:
            if got != expected:
                problems.append(f"{where}: expected {expected!r}, got {got!r}")
            return
        if Decimal(got) != want:
            problems.append(f"{where}: expected {expected}, got {got}")
    else:
        problems.append(f"{where}: expected values are written as strings, found {expected!r} in the case file")


_OPS = {ast.Add: CONTEXT.add, ast.Sub: CONTEXT.subtract, ast.Mult: CONTEXT.multiply, ast.Div: CONTEXT.divide}


def evaluate(expr: str, results: dict) -> Decimal:
    """Evaluate ``+ - * /`` over decimal constants and results keys.

    Keys may be nested: ``eps.basic_eps_after``, ``exchanges[1].units``.
    """

    def lookup(node):
        if isinstance(node, ast.Name):
            return results[node.id]
        if isinstance(node, ast.Attribute):
            return lookup(node.value)[node.attr]
        if isinstance(node, ast.Subscript):
            return lookup(node.value)[node.slice.value]
        raise ValueError(f"unsupported expression {ast.dump(node)}")

    def ev(node) -> Decimal:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return Decimal(str(node.value))
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        value = lookup(node)
        assert isinstance(value, str), f"{expr}: results hold {value!r}, not a decimal string"
        return Decimal(value)

    return ev(ast.parse(expr, mode="eval"))


def test_cases_found():
    assert len(CASES) >= 5
    ids = [read_case(p)["case"]["id"] for p in CASES]
    assert len(set(ids)) == len(ids)
    assert {"hecla-2004-seed", "hecla-2004-q1", "forest-city-2011-05-holders-nearest"} <= set(ids)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_has_provenance(path):
    case = read_case(path)
    meta = case["case"]
    assert meta["id"] == path.stem
    assert len(meta["source"]) > 40 and len(meta["provenance"]) > 40
    assert ("offer_file" in meta) != ("input" in case), "give offer_file or an [input] table, not both"
    assert case.get("expected"), "a case must expect something"
    for check in case.get("derived", []) + case.get("within", []):
        assert check["what"].strip() and check["expr"].strip()
    if "offer_file" in meta:
        assert not Path(meta["offer_file"]).is_absolute(), "offer_file is relative to the case file"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_expected_keys(path):
    case = read_case(path)
    got = results_of(path)
    problems: list[str] = []
    compare(case["expected"], got, "", problems)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_derived_and_within(path):
    case = read_case(path)
    got = results_of(path)
    problems = []
    for check in case.get("derived", []):
        value = evaluate(check["expr"], got)
        if "places" in check:
            value = excel_round(value, int(check["places"]))
        if value != Decimal(check["value"]):
            problems.append(f"{check['what']}: {check['expr']} = {value}, expected {check['value']}")
    for check in case.get("within", []):
        value = evaluate(check["expr"], got)
        if not Decimal(check["lo"]) <= value < Decimal(check["hi"]):
            problems.append(f"{check['what']}: {check['expr']} = {value}, not in [{check['lo']}, {check['hi']})")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_compare_catches_a_wrong_figure():
    problems: list[str] = []
    compare({"common_issued": "2175560", "eps": {"basic_eps_after": "-0.04"}},
            {"common_issued": "2175561", "eps": {"basic_eps_after": "-0.040"}}, "", problems)
    assert problems == ["common_issued: expected 2175560, got 2175561"]
    problems = []
    compare({"induced_charge": "9597836.4"}, {"induced_charge": 9597836.4}, "", problems)
    assert problems and "not a string" in problems[0]


def test_evaluate():
    got = {"a": "10", "eps": {"x": "0.5"}, "exchanges": [{"units": "3"}, {"units": "4"}]}
    assert evaluate("a - exchanges[1].units * eps.x", got) == Decimal("8")
    assert evaluate("9600000 / a", got) == Decimal("960000")
    assert evaluate("-a", got) == Decimal("-10")
