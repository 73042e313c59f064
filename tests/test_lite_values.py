"""``xlpy lite``: values xlwings Lite hands over that the desktop never does.

Review 106 ran the project's ``main.py`` with a stand-in for how xlwings Lite
hands arguments over and found a whole number read as an error value, and
dates shown as serial numbers in messages.  Each call here runs under CPython (a
subprocess) and under Pyodide in Node (tests marked ``node``), on a project
written once per module.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lite_driver import encode
from test_lite import (
    DRIVER, HECLA_DAYS, HECLA_PRICES, HECLA_SERIALS, HECLA_VOLUMES, HORIZON, NODE_SCRIPT, desktop, in_lite,
    pyodide_package,
)

from xlpy import cli
from xlpy.excel import udfs
from xlpy.excel.args import ERROR_BASE, to_serial

D = dt.datetime
#: COM's codes of Excel's error values, which desktop xlwings hands over as ints: the first, #N/A's, the last.
CODES = (ERROR_BASE + 2000, ERROR_BASE + 2042, ERROR_BASE + 2100)

#: name: (the project, calls in xlwings Lite, the same calls on the desktop: what the project must give)
CASES = {
    # M3: a whole number in the range of COM's error codes is a number in xlwings Lite (every number from
    # JavaScript may arrive as an int), as its float is on the desktop; it was refused as "#N/A"
    "whole numbers": (
        "default",
        [("EPS_AFTER", [code, 0, 0, 1000]) for code in CODES] + [("EPS_AFTER", [[[CODES[1]]], 0, 0, 1000])],
        [("EPS_AFTER", [float(code), 0.0, 0.0, 1000.0]) for code in CODES]
        + [("EPS_AFTER", [float(CODES[1]), 0.0, 0.0, 1000.0])],
    ),
    # L5: a date cell reaches xlwings Lite as its serial number; a message about the date read shows the date, as
    # the desktop shows a date cell (it showed "got 32878" where the desktop shows "got 1990-01-05")
    "dates": (
        "default",
        [("AVERAGING_WINDOW", [32878]), ("AVERAGING_WINDOW", [to_serial(dt.date(1985, 6, 3))]),
         ("AVERAGING_WINDOW", [HORIZON]), ("OFFER_VWAP", [HECLA_SERIALS, HECLA_PRICES, HECLA_VOLUMES, 32878]),
         ("OFFER_VWAP", [HECLA_SERIALS[:1] * 5, HECLA_PRICES, HECLA_VOLUMES, 38037]),
         ("AVERAGING_WINDOW", [32878.75])],
        [("AVERAGING_WINDOW", [D(1990, 1, 5)]), ("AVERAGING_WINDOW", [D(1985, 6, 3)]),
         ("AVERAGING_WINDOW", [D(1899, 12, 30) + dt.timedelta(days=HORIZON)]),
         ("OFFER_VWAP", [HECLA_DAYS, HECLA_PRICES, HECLA_VOLUMES, D(1990, 1, 5)]),
         ("OFFER_VWAP", [HECLA_DAYS[:1] * 5, HECLA_PRICES, HECLA_VOLUMES, D(2004, 2, 20)]),
         ("AVERAGING_WINDOW", [D(1990, 1, 5, 18)])],
    ),
}


def run_cpython(project: Path, calls: list) -> list:
    req = project.parent / "requests.json"
    req.write_text(json.dumps({"calls": [{"func": f, "args": encode(a)} for f, a in calls]}), encoding="utf-8")
    done = subprocess.run([sys.executable, str(DRIVER), str(project), str(req)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["calls"]


def run_pyodide(project: Path, calls: list) -> list:
    work = project.parent
    (work / "requests.json").write_text(json.dumps({"calls": [{"func": f, "args": encode(a)} for f, a in calls]}),
                                        encoding="utf-8")
    shutil.copy(DRIVER, work / "lite_driver.py")
    (work / "run-pyodide.mjs").write_text(NODE_SCRIPT, encoding="utf-8")
    done = subprocess.run(["node", str(work / "run-pyodide.mjs"), str(pyodide_package().resolve()), str(work)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads((work / "pyodide-results.json").read_text(encoding="utf-8"))["calls"]


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """The default project."""
    out = {"default": tmp_path_factory.mktemp("lite-default") / "app"}
    assert cli.main(["lite", "-o", str(out["default"])]) == 0
    return out


def check(projects: dict[str, Path], run) -> None:
    problems = []
    for key, folder in projects.items():
        cases = [(name, *case[1:]) for name, case in CASES.items() if case[0] == key]
        got = run(folder, [call for _, lite_calls, _ in cases for call in lite_calls])
        wanted = [(name, call, in_lite(desktop(*on_desktop)))
                  for name, lite_calls, desktop_calls in cases
                  for call, on_desktop in zip(lite_calls, desktop_calls, strict=True)]
        for (name, call, want), result in zip(wanted, got, strict=True):
            if result != want:
                problems.append(f"{name}: {call}:\n  lite    {result}\n  desktop {want}")
    assert not problems, "\n".join(problems)


def test_lite_gives_what_the_desktop_gives_on_cpython(projects):
    check(projects, run_cpython)


@pytest.mark.node
def test_lite_gives_what_the_desktop_gives_on_pyodide(projects):
    check(projects, run_pyodide)


def test_the_desktop_still_reads_com_error_codes():
    """The switch is the project's alone: desktop xlwings hands Excel's newer error values over as COM's codes."""
    assert udfs.EPS_AFTER(CODES[1], 0.0, 0.0, 1000.0) == '#xlpy! net_income must be a number, got "#N/A"'
    assert udfs.EPS_AFTER(CODES[1] + 3, 0.0, 0.0, 1000.0) == '#xlpy! net_income must be a number, got "#SPILL!"'
    assert udfs.EPS_AFTER(float(CODES[1]), 0.0, 0.0, 1000.0) == -2146826.246
