"""Progress bars: drawn on a terminal for steps over a second, silent otherwise and with --quiet."""

from __future__ import annotations

import io
import sys
import time

import pytest
from repo_paths import SEED

from xlpy import cli
from xlpy.workbook import progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.05)
    monkeypatch.setattr(progress, "TICK", 0.02)
    yield
    progress.configure()


def test_bar_on_a_terminal():
    out = Tty()
    progress.configure(stream=out)
    with progress.step("counting", total=10, unit="row") as update:
        for _ in range(10):
            time.sleep(0.02)
            update(1)
    assert "counting" in out.getvalue() and "row" in out.getvalue()


def test_bar_without_counts_shows_the_time():
    out = Tty()
    progress.configure(stream=out)
    with progress.step("recalculating"):
        time.sleep(0.3)
    assert "recalculating: 00:00" in out.getvalue()
    # cleared when the step ends, so the line printed next does not run on after "00:00"
    last = out.getvalue().rsplit("recalculating", 1)[1]
    assert out.getvalue().endswith("\r") and "\r" in last, repr(out.getvalue()[-80:])


def test_short_step_draws_nothing(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 5.0)
    out = Tty()
    progress.configure(stream=out)
    with progress.step("quick", total=3) as update:
        update(3)
    assert out.getvalue() == ""


def test_silent_when_not_a_terminal():
    out = io.StringIO()
    progress.configure(stream=out)
    assert not progress.enabled()
    with progress.step("counting", total=2) as update:
        time.sleep(0.1)
        update(2)
    assert out.getvalue() == ""


def test_silent_when_quiet():
    out = Tty()
    progress.configure(quiet=True, stream=out)
    assert not progress.enabled()
    with progress.step("counting") as update:
        time.sleep(0.1)
        update(1)
    assert out.getvalue() == ""


def _build(tmp_path, monkeypatch, *extra) -> str:
    """The build's standard error on a terminal, every step's bar drawn at once (on a fast machine writing the
    example's workbook takes less than the fixture's 0.05 s, and its bar was not drawn)."""
    monkeypatch.setattr(progress, "DELAY", 0)
    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", str(SEED), "-o", "book.xlsm", "--no-libreoffice", *extra]) == 0
    return err.getvalue()


def test_build_shows_its_steps_on_a_terminal(tmp_path, monkeypatch):
    err = _build(tmp_path, monkeypatch)
    assert "writing book.xlsm" in err and "formulas leg" in err


def test_build_quiet_draws_nothing(tmp_path, monkeypatch):
    err = _build(tmp_path, monkeypatch, "--quiet")
    assert "\r" not in err and "formulas leg" not in err


def test_validate_piped_draws_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", str(SEED), "-o", "book.xlsm", "--no-validate"]) == 0
    assert cli.main(["validate", "book.xlsm", "--no-libreoffice"]) == 0
    assert "\r" not in capsys.readouterr().err


def test_lite_shows_its_step_on_a_terminal(tmp_path, monkeypatch):
    """``xlpy lite`` builds every calendar the library lists once (some seconds), to name those it cannot build:
    the step is drawn on a terminal, as build's are, and nothing is drawn when standard error is not one."""
    monkeypatch.setattr(progress, "DELAY", 0)
    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["lite", "-o", str(tmp_path / "app")]) == 0
    assert "writing the xlwings Lite project" in err.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # (piped: no bar)
    assert cli.main(["lite", "-o", str(tmp_path / "app2")]) == 0
    assert sys.stderr.getvalue() == ""


def test_one_calls_quiet_is_not_the_next_calls(tmp_path, monkeypatch):
    """Each call of ``main`` sets its own bars: a ``validate --json`` (no bars) before ``xlpy lite`` in the same
    process left lite drawing none (the CI run where another test's call came first on the worker), and
    ``lite --quiet`` draws none."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", str(SEED), "-o", "book.xlsm", "--no-validate", "--quiet"]) == 0
    assert cli.main(["validate", "book.xlsm", "--no-libreoffice", "--no-formulas", "--json"]) == 0
    monkeypatch.setattr(progress, "DELAY", 0)
    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["lite", "-o", "app"]) == 0
    assert "writing the xlwings Lite project" in err.getvalue()
    quiet = Tty()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert cli.main(["lite", "-o", "app2", "--quiet"]) == 0
    assert quiet.getvalue() == "" and (tmp_path / "app2" / "main.py").is_file()
