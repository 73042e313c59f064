"""validate's text: a finding both recalculations make alike is one line naming both legs, where the first of them
stood (review 98: one sort of the example workbook gave 33 findings, each explanation read twice); ``--json`` keeps
one finding a leg."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from xlpy.cli import main
from xlpy.cli.workbook import _print_reports
from xlpy.workbook.findings import Finding, Report, lines


def _alike(leg: str, found: str = "8") -> Finding:
    return Finding("b.xlsm", "Results!C16", "FractionalPriceUsed differs from the engine", "7.39", found, leg)


def test_findings_alike_but_for_their_leg_are_one_line_where_the_first_stood():
    typed = Finding("b.xlsm", "Results!C16", "formula replaced by a value", "=Price", "8", "structure")
    other = _alike("libreoffice", found="9")  # (another figure: a line of its own)
    got = lines([typed, _alike("formulas"), other, _alike("libreoffice")])
    assert got == [
        "b.xlsm: Results!C16: formula replaced by a value: expected =Price, found 8 [structure]",
        "b.xlsm: Results!C16: FractionalPriceUsed differs from the engine: expected 7.39, found 8 "
        "[formulas, libreoffice]",
        "b.xlsm: Results!C16: FractionalPriceUsed differs from the engine: expected 7.39, found 9 [libreoffice]",
    ]
    assert lines([_alike("formulas")]) == [str(_alike("formulas"))]  # (one leg: the finding's own line)
    assert lines([]) == []


def test_the_text_prints_one_line_and_counts_each_leg_and_json_keeps_each(capsys):
    report = Report("b.xlsm", [_alike("formulas"), _alike("libreoffice")], ["formulas", "libreoffice"], [])
    assert _print_reports([report], as_json=False) == 1
    assert capsys.readouterr().out.splitlines() == [
        "b.xlsm: Results!C16: FractionalPriceUsed differs from the engine: expected 7.39, found 8 "
        "[formulas, libreoffice]",
        "b.xlsm: 2 finding(s) (0 figures compared; recalculated by: formulas, libreoffice)"]
    assert _print_reports([report], as_json=True) == 1
    assert [f["leg"] for f in json.loads(capsys.readouterr().out)[0]["findings"]] == ["formulas", "libreoffice"]


@pytest.mark.libreoffice
def test_a_value_typed_over_a_formula_is_explained_once_for_both_legs(standard_books, tmp_path, capsys):
    book = tmp_path / "typed.xlsm"
    shutil.copy(standard_books["plain"], book)
    wb = load_workbook(book, keep_vba=True)
    wb["Results"]["C16"] = 8  # (FractionalPriceUsed: the price 7.39)
    wb.save(book)
    assert main(["validate", str(book)]) == 1
    out = capsys.readouterr().out.splitlines()
    figure = [line for line in out if line.startswith("typed.xlsm: Results!C16: FractionalPriceUsed differs")]
    assert len(figure) == 1 and figure[0].endswith(": expected 7.39, found 8 [formulas, libreoffice]"), out
    assert "it follows from the value typed over the formula of Results!C16" in figure[0]
    assert out[-1].startswith("typed.xlsm: 3 finding(s) (")  # (the structure finding, and one a leg)
