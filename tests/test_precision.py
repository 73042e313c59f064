"""Excel's Set precision as displayed (``<calcPr fullPrecision="0"/>``): each figure stored rounded to its number
format.  Review 98: with the charge formatted without decimals the workbook's charge was 9,597,839 where the
engine's is 9,597,840.08; validate called 57 figures doctored (its LibreOffice leg, which rounds so too, said only
"differs from the engine"), compute and refresh said nothing, and a refreshed file kept the setting, so Excel rounded
its figures again when it opened it.  Validate names it once and the figures that differ say they follow from it;
compute, release and entries warn of it; a refresh that writes the workbook turns it off and says so; the buttons
refuse a workbook Excel holds with it on."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from xlpy.workbook import precision
from xlpy.workbook.package import Package
from xlpy.workbook.saved_values import SAVED_DOCTORED
from xlpy.workbook.validate import validate

FINDING = ("precision as displayed is on: Excel stores each figure rounded to its number format (so the figures are "
           "not the engine's) and each number typed rounded to its format, for good; turn it off: File > Options > "
           "Advanced > When calculating this workbook > Set precision as displayed; then check the inputs typed, "
           "recalculate (Ctrl+Alt+F9) and save")
FOLLOWS = ("it follows from precision as displayed (named in a finding of its own: the workbook's figures are rounded "
           "to their number formats, the engine's are not): turn it off as that finding says, then validate again")
MAY = FOLLOWS.replace("it follows", "it may follow", 1)
UNTOLD = "no recalculation that rounds as displayed (LibreOffice's) ran to tell"


def _edit(path: Path, part_of, edit) -> None:
    pkg = Package(path)
    part = part_of(pkg)
    text = pkg.read(part).decode("utf-8")
    new = edit(text)
    assert new != text, part
    pkg.write(part, new.encode("utf-8"))
    path.write_bytes(pkg.to_bytes())
    pkg.close()


def _as_displayed(path: Path) -> None:
    """Tick Set precision as displayed, as Excel saves it."""
    _edit(path, lambda pkg: pkg.workbook_part(),
          lambda text: re.sub(r"<calcPr\b", '<calcPr fullPrecision="0"', text, count=1))


def _whole(path: Path, sheet: str, ref: str, rounded: bool) -> str:
    """Give *sheet*!*ref* the number format ``#,##0`` (a new cell format, Excel's built-in 3), and with *rounded*
    its saved value rounded to it, as Excel saves it with precision as displayed: the saved value, as it was."""
    held = {}

    def styles(text: str) -> str:
        m = re.search(r'<cellXfs count="(\d+)">', text)
        held["xf"] = int(m.group(1))
        text = text.replace(m.group(), f'<cellXfs count="{held["xf"] + 1}">', 1)
        return text.replace("</cellXfs>", '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" '
                            'applyNumberFormat="1"/></cellXfs>', 1)

    def cell(text: str) -> str:
        m = re.search(rf'<c r="{ref}"( s="\d+")?([^>]*>.*?<v>)([^<]*)(</v>)', text)
        held["v"] = m.group(3)
        v = Decimal(m.group(3)).quantize(Decimal(1), ROUND_HALF_UP) if rounded else m.group(3)
        return text[:m.start()] + f'<c r="{ref}" s="{held["xf"]}"{m.group(2)}{v}{m.group(4)}' + text[m.end():]

    _edit(path, lambda pkg: next(n for n in pkg.names() if n.endswith("styles.xml")), styles)
    _edit(path, lambda pkg: pkg.sheet_parts()[sheet], cell)
    return held["v"]


@pytest.fixture
def rounded(standard_books, tmp_path) -> Path:
    """The holder workbook, its charge (Results!C28) formatted without decimals and saved rounded to them, precision
    as displayed on: what Excel saves."""
    path = standard_books.copy_into("holders", tmp_path)
    assert Decimal(_whole(path, "Results", "C28", True)) % 1  # (the engine's charge has cents)
    _as_displayed(path)
    return path


def test_the_setting_is_read_as_excel_and_openpyxl_write_it_and_turned_off_byte_for_byte():
    calc = '<calcPr calcId="191029"{}/>'
    for attr, on in (('fullPrecision="0"', True), ("fullPrecision='false'", True), ('fullPrecision="1"', False),
                     ('fullPrecision="true"', False), ("", False)):
        text = f"<workbook><sheets/>{calc.format(' ' + attr if attr else '')}</workbook>"
        assert precision.on_text(text) is on, attr
        assert precision.in_full(text) == (f"<workbook><sheets/>{calc.format('')}</workbook>" if on else text)
    prefixed = '<x:workbook><x:calcPr fullPrecision="0" calcId="1"/></x:workbook>'
    assert precision.on_text(prefixed)
    assert precision.in_full(prefixed) == '<x:workbook><x:calcPr calcId="1"/></x:workbook>'
    assert not precision.on_text('<workbook><workbookPr fullPrecision="0"/></workbook>')  # (only calcPr's)


def test_validate_names_it_once_and_a_saved_figure_rounded_may_follow_from_it(rounded):
    """The formulas leg computes in full: its agreeing with the engine does not make the charge Excel saved rounded
    a doctored one (review 98: 'the file looks doctored'); the setting is named once, in its own finding."""
    report = validate(rounded, legs=("formulas",))
    said = [(f.where, f.what, f.leg) for f in report.findings]
    assert said[0] == ("workbook calculation", FINDING, "shown"), said
    assert [w for w, _, _ in said].count("workbook calculation") == 1
    saved = [(w, what) for w, what, leg in said if leg == "saved"]
    assert saved == [("Results!C28", f"InducedCharge: saved value differs from the engine; {MAY}; {UNTOLD}, and if it "
                      f"does not follow, {SAVED_DOCTORED}")], said
    assert len(said) == 2 and "formulas" in report.legs_run, said


def test_without_it_the_rounded_figure_is_doctored_and_nothing_is_said_of_the_setting(standard_books, tmp_path):
    path = standard_books.copy_into("holders", tmp_path)
    _whole(path, "Results", "C28", True)
    said = [(f.where, f.what) for f in validate(path, legs=()).findings]
    assert said == [("Results!C28", f"InducedCharge: saved value differs from the engine; {SAVED_DOCTORED}")], said


@pytest.mark.libreoffice
def test_libreoffice_rounds_as_displayed_and_its_figures_and_the_saved_ones_follow_from_it(rounded):
    """LibreOffice honours the setting when it recalculates: the charge and every figure computed from it differ
    from the engine there too, and say why (the first ten, a note counting the rest); the saved charge, which it
    recalculates to, follows from it (not 'may')."""
    report = validate(rounded, legs=("libreoffice",), require_libreoffice=True)
    lo = [f for f in report.findings if f.leg == "libreoffice"]
    assert lo and all(f.what.endswith(f"differs from the engine; {FOLLOWS}") for f in lo), lo
    charge = next(f for f in lo if f.where == "Results!C28")
    assert Decimal(str(charge.found)) % 1 == 0 and Decimal(str(charge.expected)) % 1, charge
    saved = [(f.where, f.what) for f in report.findings if f.leg == "saved"]
    assert saved == [("Results!C28", f"InducedCharge: saved value differs from the engine; {FOLLOWS}")], saved
    assert [f.where for f in report.findings if f.leg == "shown"] == ["workbook calculation"]
    assert not any("doctored" in f.what or "stale" in f.what for f in report.findings)


def test_compute_release_and_entries_warn_of_it(rounded, capsys):
    from xlpy import cli

    for command in ("compute", "release", "entries"):
        capsys.readouterr()
        assert cli.main([command, str(rounded)]) == 0, command
        err = capsys.readouterr().err
        assert (f"xlpy {command}: warning: book.xlsm: precision as displayed is on: Excel stores each figure rounded "
                "to its number format (so the workbook's own figures are not these, the engine's in full) and each "
                "number typed rounded to its format, for good (these figures are computed from the inputs as it "
                "keeps them); turn it off: File > Options > Advanced > When calculating this workbook > Set "
                "precision as displayed, and check the inputs typed (a refresh that writes the workbook turns it "
                "off)") in err, (command, err)


def test_a_refresh_that_writes_the_workbook_turns_it_off_and_says_so(rounded, tmp_path, capsys):
    """Left on, Excel rounds the engine's figures the refresh saved as soon as it opens the file (it recalculates
    them on load): the figures a finance user reads would be rounded again without a word.  Turned off, the
    engine's figures are saved in full and validate finds the file valid."""
    from repo_paths import TALLY
    from xlpy import cli

    tally = tmp_path / TALLY
    tally.write_text(tally.read_text(encoding="utf-8").replace("DTC-0024,600,", "DTC-0024,700,"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["refresh", str(rounded), "--no-backup", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert ("book.xlsm: precision as displayed was on (File > Options > Advanced > When calculating this workbook > "
            "Set precision as displayed): Excel stored each figure rounded to its number format, not the engine's; "
            "this refresh turned it off and saved the engine's figures in full (each shown to its format as "
            "before); a number typed while it was on stays rounded to its format: check the inputs typed"
            ) in out["warnings"], out["warnings"]
    pkg = Package(rounded)
    text = pkg.read(pkg.workbook_part()).decode("utf-8")
    pkg.close()
    assert "fullPrecision" not in text and 'fullCalcOnLoad="1"' in text
    report = validate(rounded, legs=())
    assert report.findings == [], report.findings


def test_a_refresh_that_writes_nothing_leaves_it_on_and_warns(rounded, capsys):
    from xlpy import cli

    before = rounded.read_bytes()
    capsys.readouterr()
    assert cli.main(["refresh", str(rounded), "--no-backup"]) == 0
    err = capsys.readouterr().err
    assert ("xlpy refresh: warning: book.xlsm: precision as displayed is on: Excel stores each figure rounded to its "
            "number format, so the workbook's figures are not the engine's; this refresh wrote nothing, so it is "
            "still on: turn it off: File > Options > Advanced > When calculating this workbook > Set precision as "
            "displayed; then check the inputs typed, recalculate (Ctrl+Alt+F9) and save") in err, err
    assert rounded.read_bytes() == before


def _windows(on: bool):
    """The COM Workbook's setting."""
    from fake_excel import FakeApi

    return FakeApi(PrecisionAsDisplayed=on)


class _Mac:
    """An appscript reference's: read with ``get()``."""

    def __init__(self, on: bool):
        self.precision_as_displayed = type("Reference", (), {"get": staticmethod(lambda: on)})()


@pytest.mark.parametrize("api", [_windows, _Mac])
def test_a_button_refuses_a_workbook_excel_holds_with_it_on(standard_books, tmp_path, monkeypatch, api):
    """Excel would keep each input a refresh writes rounded to its format, and the figures computed from them: the
    refresh is refused, nothing written, and the dialog says how to turn it off; off, the refresh runs."""
    import xlwings
    from fake_excel import FakeBook

    from xlpy import macros

    path = standard_books.copy_into("holders", tmp_path)
    fake = FakeBook(path)
    fake.name = path.name
    alerts = fake.app.alerts
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    fake.api = api(True)
    macros.xlpy_refresh_all()
    assert alerts == [("xlpy: refresh refused", f"Nothing was changed:\n{precision.REFUSAL}")], alerts
    assert not any(s.writes for s in fake.sheets)
    macros.xlpy_draft_release()  # (its comparison would be of the figures Excel rounded)
    assert alerts[-1] == ("xlpy: refused", "Nothing was changed:\nprecision as displayed is on: Excel stores each "
                          "figure rounded to its number format, so the figures the draft is compared with would not be "
                          "the engine's; turn it off: File > Options > Advanced > When calculating this workbook > "
                          "Set precision as displayed; then click the button again"), alerts  # (review 101: it wrote
    # nothing, where the refresh buttons' words spoke of the inputs it writes)
    assert precision.REFUSAL.endswith("turn it off: File > Options > Advanced > When calculating this workbook > Set "
                                      "precision as displayed; then click the button again")
    fake.api = api(False)
    alerts.clear()
    macros.xlpy_refresh_all()
    assert alerts and alerts[0][0] == "xlpy", alerts
    assert precision.live_on(type("Book", (), {"api": {"book": {}}})()) is None  # (xlwings Server's: not said)


def test_in_full_drops_the_setting_and_nothing_else(rounded):
    """The setting dropped, the workbook part otherwise byte for byte (what a refresh edits it with)."""
    pkg = Package(rounded)
    text = pkg.read(pkg.workbook_part()).decode("utf-8")
    pkg.close()
    assert precision.on_text(text)
    assert precision.in_full(text) == text.replace(' fullPrecision="0"', "", 1)
