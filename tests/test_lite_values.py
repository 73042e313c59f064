"""``xlpy lite``: values xlwings Lite hands over that the desktop never does, and calendars the desktop has.

Review 106 ran the project's ``main.py`` with a stand-in for how xlwings Lite
hands arguments over and found a whole number read as an error value, dates
shown as serial numbers in messages, and calendars the desktop counts that a
project could not be written with.  Each call here runs under CPython (a
subprocess) and under Pyodide in Node (tests marked ``node``), on a project
written once per module.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lite_driver import encode
from test_lite import (
    DRIVER, HECLA_DAYS, HECLA_PRICES, HECLA_SERIALS, HECLA_VOLUMES, HORIZON, NODE_SCRIPT, desktop, drive, in_lite,
    pyodide_package,
)

from xlpy import cli
from xlpy.excel import lite, udfs
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
    # M4: the calendars 24/7 (every day) and 24/5 (every weekday), written with --calendar as the message says
    "round the clock": (
        "round the clock",
        [("AVERAGING_WINDOW", [38037, 10, 0, code]) for code in ("24/7", "24/5")]
        + [("OFFER_VWAP", [HECLA_SERIALS, HECLA_PRICES, HECLA_VOLUMES, 38036, 5, 1, "24/5"])],
        [("AVERAGING_WINDOW", [D(2004, 2, 20), 10.0, 0.0, code]) for code in ("24/7", "24/5")]
        + [("OFFER_VWAP", [HECLA_DAYS, HECLA_PRICES, HECLA_VOLUMES, D(2004, 2, 19), 5.0, 1.0, "24/5"])],
    ),
    # the one calendar exchange_calendars names in lower case, whatever case its cell has (it was held as
    # US_FUTURES, and no code could be looked up in it)
    "us_futures": (
        "round the clock",
        [("AVERAGING_WINDOW", [45310, 5, 0, code]) for code in ("us_futures", "US_FUTURES")],
        [("AVERAGING_WINDOW", [D(2024, 1, 19), 5.0, 0.0, code]) for code in ("us_futures", "US_FUTURES")],
    ),
}


def run_cpython(project: Path, calls: list) -> list:
    """*calls*' results from the project's main.py under CPython (test_lite's driver run)."""
    return drive(project, calls)["calls"]


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
    """The default project, and one written as its message says for 24/7 and 24/5, with us_futures: ``xlpy lite
    --calendar 24/7 --calendar 24/5 --calendar us_futures``."""
    out = {"default": tmp_path_factory.mktemp("lite-default") / "app",
           "round the clock": tmp_path_factory.mktemp("lite-round") / "app"}
    assert cli.main(["lite", "-o", str(out["default"])]) == 0
    assert cli.main(["lite", "-o", str(out["round the clock"]), "--calendar", "24/7", "--calendar", "24/5",
                     "--calendar", "us_futures"]) == 0
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


def test_the_round_the_clock_calendars_are_held_in_a_few_lines(projects):
    """24/7 is open every day and 24/5 every weekday: their weekmask says it, with no day listed."""
    text = (projects["round the clock"] / "main.py").read_text(encoding="utf-8")
    for code, mask in (("24/7", "1111111"), ("24/5", "1111100")):
        start = text.index(f'    "{code}": (\n')
        entry = text[start: text.index("\n    ),\n", start)]
        assert f'"{mask}",' in entry and entry.count('""') == 2 and len(entry.splitlines()) < 12, entry


def test_a_calendar_not_held_is_told_to_be_written_only_when_it_can_be(projects, tmp_path):
    """The message for a calendar the project does not hold advised ``xlpy lite --calendar CODE`` for 24/7, which
    that command refused, and for a calendar exchange_calendars cannot build (XTAE), which it refuses; such a
    calendar is named as the desktop names it."""
    unbuilt = [name for name, _ in lite._unbuildable()]
    codes = ["24/7", "XTSE", *unbuilt]
    got = run_cpython(projects["default"], [("AVERAGING_WINDOW", [38037, None, None, code]) for code in codes])
    for code, result in zip(codes, got, strict=True):
        if code in unbuilt:
            assert result == desktop("AVERAGING_WINDOW", [38037, None, None, code])
            assert "cannot be built by exchange_calendars" in result["value"] and "xlpy lite" not in result["value"]
        else:  # the command the message gives writes a project that holds it
            assert result["value"].endswith(f'write it again with: xlpy lite --calendar {code}, got "{code}"')
            assert cli.main(["lite", "-o", str(tmp_path / code.replace("/", "-")), "--calendar", code]) == 0


def test_a_calendar_that_cannot_be_built_is_named_as_the_desktop_names_it(tmp_path, monkeypatch):
    """Whichever calendars the installed exchange_calendars cannot build (it builds them all, one day)."""
    why = "cannot be built by exchange_calendars (ValueError): choose another calendar for the exchange's trading days"
    monkeypatch.setattr(lite, "_unbuildable", lambda: (("XTSE", why), ("XLON", why)))
    lite.write_project(tmp_path / "app", calendars=["XLON"])  # (one it holds is held, whatever)
    got = run_cpython(tmp_path / "app", [("AVERAGING_WINDOW", [38037, None, None, code]) for code in ("TSX", "XLON")])
    assert got[0] == {"value": f'#xlpy! calendar {why}, got "TSX"'}
    assert isinstance(got[1]["value"], list)


@pytest.mark.parametrize("code", ["24/7", "24/5", "XTSE"])
def test_the_days_held_are_exchange_calendars_days(code):
    """The stand-in answers as exchange_calendars does over the whole span, with a weekmask of every day (24/7)
    and one of weekdays with holidays (XTSE)."""
    from xlpy.files import calendars

    namespace: dict = {}
    source = lite.bundle([code])["xlpy_lite.files._xcals"][0].replace("from ..engine.errors", "from xlpy.engine.errors")
    exec(compile(source, "_xcals", "exec"), namespace)
    real, mine = calendars.calendar(code), namespace["get_calendar"](code, start=calendars.EARLIEST)
    first, last = real.first_session.date(), real.last_session.date()
    assert (mine.first_session.date(), mine.last_session.date(), mine.weekmask) == (first, last, real.weekmask)
    want = [d.date() for d in real.sessions_in_range(first.isoformat(), last.isoformat())]
    assert [d.date() for d in mine.sessions_in_range(first.isoformat(), last.isoformat())] == want
