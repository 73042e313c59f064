"""A name of the layout held in other letter case (``TENDERED``, typed so in Excel's Name Manager, or written so by
another tool) is the same name to Excel and LibreOffice, whose formulas read it as ever: it is no name deleted.
Validate named it missing, and compute, release, entries and a refresh warned that it was deleted and saved no
figures (review 97), though every figure agreed."""

from __future__ import annotations

import re
import zipfile

from test_refresh_warnings import OFFER
from xlpy import cli
from xlpy.workbook.saved_values import _alike
from xlpy.workbook.validate import validate
from xlpy.workbook.workbook_xml import name_in, remove_defined_name, set_defined_name



def _upper(book, to, name: str = "OriginalRatio"):
    """*book* with the workbook-level name *name* written in capitals, every other byte as it was."""
    with zipfile.ZipFile(book) as z:
        infos, parts = z.infolist(), {i.filename: z.read(i.filename) for i in z.infolist()}
    text = parts["xl/workbook.xml"].decode()
    upper = text.replace(f'<definedName name="{name}"', f'<definedName name="{name.upper()}"')
    assert upper != text
    parts["xl/workbook.xml"] = upper.encode()
    with zipfile.ZipFile(to, "w", zipfile.ZIP_DEFLATED) as z:
        for i in infos:
            z.writestr(i, parts[i.filename])
    return to


def test_a_name_in_other_letter_case_is_the_layout_s_name_to_every_command(tmp_path, monkeypatch, capsys):
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    (tmp_path / "offer.toml").write_text(OFFER, encoding="utf-8")
    (tmp_path / "t1.csv").write_text("holder_id,units,method,status\nBIG,1000,book-entry,tendered\n", encoding="utf-8")
    (tmp_path / "t2.csv").write_text("holder_id,units,method,status\nBIG,1200,book-entry,tendered\n", encoding="utf-8")
    assert cli.main(["build", "offer.toml", "-o", "b.xlsm", "--no-validate", "-q"]) == 0
    book = _upper(tmp_path / "b.xlsm", tmp_path / "upper.xlsm")
    report = validate(book, legs=("formulas",))
    assert report.findings == [], [str(f) for f in report.findings]
    capsys.readouterr()
    for command in ("compute", "release"):
        assert cli.main([command, "upper.xlsm"]) == 0
        assert "OriginalRatio" not in capsys.readouterr().err
    assert cli.main(["refresh", "upper.xlsm", "--tally", "t2.csv", "--no-backup"]) == 0
    err = capsys.readouterr().err
    assert "not as the layout has" not in err and "OriginalRatio" not in err, err
    assert load_workbook(book, data_only=True)["Results"]["C26"].value == 1200 * 2.5 * 10  # (its figures saved)
    with zipfile.ZipFile(book) as z:
        names = re.findall(r'<definedName name="([^"]*)"', z.read("xl/workbook.xml").decode())
    assert [n for n in names if n.casefold() == "originalratio"] == ["ORIGINALRATIO"]  # (one name, as Excel holds)
    assert validate(book, legs=("formulas",)).findings == []


def test_names_are_found_and_written_without_regard_to_letter_case():
    text = ('<workbook><sheets/><definedNames><definedName name="TENDERED">Tenders!$C$5</definedName>'
            "</definedNames></workbook>")
    assert name_in({"TENDERED": 1}, "Tendered") == "TENDERED" and name_in({"Other": 1}, "Tendered") is None
    again = set_defined_name(text, "Tendered", "Tenders!$C$6")
    assert again.count("<definedName ") == 1 and 'name="TENDERED">Tenders!$C$6<' in again
    assert "definedName" not in remove_defined_name(text, "Tendered")


def test_only_an_error_the_workbook_s_own_recalculation_gives_is_alike():
    """The error recalculated saved: the workbook's own.  Another error saved beside the one recalculated (#DIV/0!
    beside #N/A; #REF! beside #NAME?, now that the formulas leg computes a deleted name's #NAME? as Excel does) is
    not (review 97)."""
    def never(*_):
        return False

    assert _alike(None, "#N/A", "#N/A", never) and _alike(None, "#NAME?", "#NAME?", never)
    assert not _alike(None, "#REF!", "#NAME?", never)
    assert not _alike(None, "#N/A", "#DIV/0!", never) and not _alike(None, "#VALUE!", "#NAME?", never)
