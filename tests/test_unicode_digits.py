"""Characters Python's ``str.isdigit`` calls digits but ``int`` refuses (``²``, ``¹``, ``①``): a file holding one
where xlpy reads a number is refused or read as text, never a traceback.

``"²".isdigit()`` is True and ``int("²")`` raises ValueError: a check of ``isdigit`` before ``int`` let such a
cell through to the conversion.  A tally with ``²`` in its withdrawn column stopped ``xlpy compute`` with "an
error xlpy did not expect", as did such a character in a workbook's seal, its layout number, and a holder table's
number cell read back.  ``str.isdecimal`` is the test ``int`` keeps.
"""

from __future__ import annotations

import shutil

import pytest
from repo_paths import DATA, NOTES

from xlpy.cli import main
from xlpy.files.sources import read_tally
from xlpy.workbook.layout.model import OtherLayout
from xlpy.workbook.package import SheetXml
from xlpy.workbook.seal import Seal

ODD = ["\u00b2", "\u2460", "1\u00b9"]  # ², ①, 1¹: digits to isdigit, not to int


@pytest.mark.parametrize("odd", ODD)
def test_a_tally_whose_withdrawn_column_holds_one_is_refused_by_its_cell(tmp_path, capsys, odd):
    shutil.copy(NOTES, tmp_path / NOTES.name)
    (tmp_path / "data").mkdir()
    lines = (DATA / "notes-capped-tally.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",withdrawn", lines[1] + f",{odd}"] + [line + "," for line in lines[2:]]
    (tmp_path / "data" / "notes-capped-tally.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["compute", str(tmp_path / NOTES.name)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column withdrawn: is not read" in err and f"got {odd!r}" in err
    assert "did not expect" not in err


def test_a_zero_in_other_digits_is_still_no_units(tmp_path):
    """``٠`` (Arabic-Indic zero) is a decimal digit to int as to isdecimal: a withdrawn cell holding it says none,
    as ``0`` does; the odd characters are not zero, so they are refused (above)."""
    path = tmp_path / "t.csv"
    path.write_text("holder_id,units,method,status,withdrawn\nA,5,book-entry,tendered,\u0660\n"
                    "B,7,book-entry,tendered,0\n", encoding="utf-8")
    assert read_tally(path).units == (5, 7)


@pytest.mark.parametrize("odd", ODD)
def test_a_number_cell_or_shared_string_index_holding_one_is_read_as_its_text(odd):
    sx = SheetXml(('<worksheet><sheetData><row r="1"><c r="A1"><v>' + odd + '</v></c><c r="B1" t="s"><v>' + odd
                   + '</v></c></row><row r="2"><c r="A2"><v>5</v></c><c r="B2" t="s"><v>0</v></c></row>'
                   "</sheetData></worksheet>").encode())
    assert sx.rows_of_columns(1, 2, ["A", "B"], lambda: ["zero"]) == [(odd, odd), (5, "zero")]
    assert sx.typed_value(f'<c t="s"><v>{odd}</v></c>', lambda: ["zero"]) == odd


@pytest.mark.parametrize("odd", ODD)
def test_a_seal_or_a_layout_number_holding_one_is_none_of_either(odd):
    assert Seal.decode(f'"Tenders|{"a" * 64}|1|2|3|{odd}"') is None
    assert Seal.decode(f'"Tenders|{"a" * 64}|1|2|3|4"') is not None
    assert OtherLayout(odd).later is None and OtherLayout("99").later is True
