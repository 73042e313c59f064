"""The holder table's seal (xlpy/workbook/seal.py): a refresh trusts only the bytes it wrote itself.

A refresh records what it wrote; the next one, finding the sheet's stored
bytes unchanged, skips the searches for what a person did to the table.
Every other workbook -- one a person or a program saved since -- is searched
as before, so nothing typed over or beside the table goes without a word.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter
from repo_paths import DATA, PRICES, TALLY

from xlpy.workbook import backends, package, shared_formulas
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.refresh_file import refresh_file
from xlpy.workbook.seal import SEAL_NAME, Seal, digest
from xlpy.workbook.workbook_xml import defined_names


@pytest.fixture
def holders(standard_books, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077580800")
    return standard_books.copy_into("holders", tmp_path)


def _tally(path: Path, extra: int) -> Path:
    rows = list(csv.reader((DATA / TALLY).open(encoding="utf-8")))
    rows += [[f"NEW-{i:04d}", str(100 + i), "book-entry", "tendered"] for i in range(extra)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _seal(path: Path) -> Seal | None:
    return Seal.decode(defined_names(_parts(path)["xl/workbook.xml"]).get(SEAL_NAME))


def _table(path: Path):
    names = defined_names(_parts(path)["xl/workbook.xml"])
    return layout(Shape.decode(names[LAYOUT_NAME])).table("tblTenders")[1]


def _stored(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    with path.open("rb") as fh:
        fh.seek(info.header_offset + 26)
        skip = int.from_bytes(fh.read(2), "little") + int.from_bytes(fh.read(2), "little")
        fh.seek(skip, 1)
        return fh.read(info.compress_size)


def _rewrite(path: Path, part: str, edit) -> None:
    """Rewrite *path* with *part*'s text edited by *edit*, every other part as it was (the seal name included)."""
    parts = _parts(path)
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def _no_search(monkeypatch, seal: Seal) -> None:
    """Make every search of the sealed table a failure: a refresh that trusts the seal makes none."""
    def boom(*a, **k):
        raise AssertionError("the sealed sheet was searched")

    def unshare(text: str, area):
        if (area[0], area[2], area[3]) == (seal.first_row, seal.first_col, seal.last_col):
            boom()
        return real(text, area)

    def foreign(sx, *a):
        if sx.name.endswith(seal.part):
            boom()
        return search(sx, *a)

    def overrides(sx, *a):
        if sx.name.endswith(seal.part):
            boom()
        return typed(sx, *a)

    real, search, typed = shared_formulas.unshare_crossing, package.SheetXml._foreign_search, backends.package_overrides
    monkeypatch.setattr(backends, "package_overrides", overrides)
    monkeypatch.setattr(package.SheetXml, "_foreign_search", foreign)
    monkeypatch.setattr(shared_formulas, "unshare_crossing", unshare)


def test_a_refresh_seals_the_holder_table_and_the_next_refresh_trusts_the_seal(holders, tmp_path, monkeypatch):
    assert _seal(holders) is None  # a built workbook carries none: its first refresh searches it
    refresh_file(holders, _tally(tmp_path / "a.csv", 30), backup=False)
    seal, t = _seal(holders), _table(holders)
    assert seal is not None
    assert (seal.first_row, seal.last_row, seal.first_col, seal.last_col) == (
        t.first_row, t.last_row, t.first_col, t.first_col + len(t.columns) - 1)
    assert seal.sha256 == digest(_stored(holders, seal.part))  # the part's bytes as the file stores them

    unsealed = tmp_path / "unsealed.xlsm"  # the same workbook without its seal: searched in full
    shutil.copy(holders, unsealed)
    _rewrite(unsealed, "xl/workbook.xml", lambda text: re.sub(
        rf'<definedName name="{SEAL_NAME}"[^>]*>[^<]*</definedName>', "", text))
    refresh_file(unsealed, _tally(tmp_path / "b.csv", 45), backup=False)
    with monkeypatch.context() as m:
        _no_search(m, seal)
        refresh_file(holders, tmp_path / "b.csv", backup=False)  # the same tally, trusting the seal
    # Both wrote the same table, and each sealed it anew.
    assert _parts(holders)[seal.part] == _parts(unsealed)[seal.part]
    assert _seal(holders) == _seal(unsealed) != seal
    assert _seal(holders).last_row == t.last_row + 15


@pytest.mark.parametrize("edit, said", [
    ("typed over", "the value typed over its formula (1,234) was replaced by the formula"),
    ("beside", "'call the agent' beside the holder table stays in row"),
])
def test_an_edit_made_after_the_seal_is_found_and_named(holders, tmp_path, edit, said):
    """The sheet edited since the refresh that sealed it, the seal kept (a tool that leaves workbook.xml alone):
    its bytes differ, so the refresh searches it and names the edit, as it would without a seal."""
    refresh_file(holders, _tally(tmp_path / "a.csv", 30), backup=False)
    seal, t = _seal(holders), _table(holders)
    row = t.first_row + 3
    accepted = f"{t.letter('accepted')}{row}"
    beside = f"{get_column_letter(seal.last_col + 2)}{row}"

    def typed_over(text: str) -> str:
        new, n = re.subn(rf'<c r="{accepted}"( s="\d+")?>.*?</c>', rf'<c r="{accepted}"\1><v>1234</v></c>', text,
                         count=1, flags=re.DOTALL)
        assert n == 1
        return new

    def note_beside(text: str) -> str:
        at = text.index("</row>", text.index(f'<row r="{row}"'))
        return text[:at] + f'<c r="{beside}" t="inlineStr"><is><t>call the agent</t></is></c>' + text[at:]

    _rewrite(holders, seal.part, typed_over if edit == "typed over" else note_beside)
    assert _seal(holders) == seal
    rows = list(csv.reader((tmp_path / "a.csv").open(encoding="utf-8")))
    first = min(r[0] for r in rows[1:])  # the table's lines go by holder: without the first one's, all move up
    rows[1:] = [r for r in rows[1:] if r[0] != first]
    with (tmp_path / "b.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = refresh_file(holders, tmp_path / "b.csv", backup=False)
    assert [line for line in result.lines + result.warnings if said in line]
    text = _parts(holders)[seal.part].decode("utf-8")
    if edit == "beside":  # kept where it was, and no seal now: something other than the table is in its rows
        assert "call the agent" in text and _seal(holders) is None
    else:
        assert _seal(holders) is not None


def test_a_value_below_the_holder_table_leaves_the_sheet_unsealed(holders, tmp_path):
    """A note typed some rows below the table is no cell of the table: the refresh keeps it, and the sheet, holding
    something other than the table from its first row down, is not sealed (review 111: with the check of the rows
    below the table dropped, it was sealed, the seal saying the sheet holds only the table there)."""
    refresh_file(holders, _tally(tmp_path / "a.csv", 30), backup=False)
    seal, t = _seal(holders), _table(holders)
    below = t.last_row + 5

    def note_below(text: str) -> str:
        at = text.index("</sheetData>")
        return (text[:at] + f'<row r="{below}"><c r="{get_column_letter(seal.first_col)}{below}" t="inlineStr">'
                "<is><t>checked against the agent's list</t></is></c></row>" + text[at:])

    _rewrite(holders, seal.part, note_below)
    refresh_file(holders, _tally(tmp_path / "b.csv", 30), backup=False)  # the same lines: the table keeps its rows
    assert _table(holders).last_row == t.last_row
    assert "checked against the agent's list" in _parts(holders)[seal.part].decode("utf-8")
    assert _seal(holders) is None

def test_a_seal_of_another_form_is_no_seal_and_is_dropped(holders, tmp_path):
    refresh_file(holders, _tally(tmp_path / "a.csv", 30), backup=False)
    seal = _seal(holders)
    forged = f'"{seal.part}|{"0" * 64}|{seal.first_row}|{seal.last_row}|{seal.first_col}|{seal.last_col}"'
    for i, text in enumerate(('"not a seal"', forged)):
        _rewrite(holders, "xl/workbook.xml", lambda wb: re.sub(
            rf'(<definedName name="{SEAL_NAME}"[^>]*>)[^<]*(</definedName>)', lambda m: m.group(1) + text
            + m.group(2), wb))
        assert _seal(holders) != seal
        assert Seal.decode(text) is None or Seal.decode(text).sha256 == "0" * 64
        refresh_file(holders, _tally(tmp_path / f"t{i}.csv", 31 + i), backup=False)  # searched in full
        assert _seal(holders) is not None and _seal(holders).sha256 != "0" * 64


def test_a_refresh_that_leaves_the_holder_sheet_as_it_was_keeps_its_seal(holders, tmp_path):
    """A refresh of the prices alone copies the holder sheet's stored bytes: the seal still holds."""
    refresh_file(holders, _tally(tmp_path / "a.csv", 30), backup=False)
    seal = _seal(holders)
    prices = tmp_path / "p.csv"
    prices.write_text((DATA / PRICES).read_text(encoding="utf-8").replace(",", ",", 1) + "\n", encoding="utf-8")
    refresh_file(holders, prices=prices, backup=False)
    assert _seal(holders) == seal and digest(_stored(holders, seal.part)) == seal.sha256


@pytest.mark.parametrize("text", ['"a|b"', '"x|' + "g" * 64 + '|1|2|3|4"', '"x|' + "a" * 64 + '|1|2|3"', "", None,
                                  '"x|' + "a" * 64 + '|1|2|-3|4"'])
def test_only_a_seal_of_its_own_form_is_read(text):
    assert Seal.decode(text) is None


def test_a_seal_reads_back_as_written():
    seal = Seal("xl/worksheets/sheet3.xml", "ab" * 32, 21, 100_020, 2, 12)
    assert Seal.decode(seal.encode()) == seal
    assert seal.covers(21, 2, 12) and seal.covers(500, 2, 12)
    assert not seal.covers(20, 2, 12) and not seal.covers(21, 2, 13) and not seal.covers(21, 3, 12)
    assert seal.covers_whole(21, 100_020, 2, 12) and seal.covers_whole(21, 100_500, 2, 12)
    assert not seal.covers_whole(22, 100_020, 2, 12) and not seal.covers_whole(21, 100_019, 2, 12)


def test_rows_replaced_or_spliced_down_to_the_seal_drop_it():
    """Review 137: no test held that rows replaced whole drop the sheet's seal and its sealable rows, nor that a splice
    ending on the sealed table's first row drops them where one ending above it keeps them."""
    from xlpy.workbook.package import SheetXml

    def sheet() -> SheetXml:
        rows = "".join(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c></row>' for r in range(1, 31))
        sx = SheetXml(f'<worksheet xmlns="x"><sheetData>{rows}</sheetData></worksheet>'.encode())
        sx.sealed, sx.sealable = object(), (21, 30, 2, 12)
        return sx

    sx = sheet()
    sx.replace_rows(21, 30, ['<row r="21"><c r="B21"><v>1</v></c></row>'])
    assert (sx.sealed, sx.sealable) == (None, None)
    assert '<row r="21"><c r="B21"><v>1</v></c></row></sheetData>' in sx.text
    sx = sheet()
    sx.splice(10, 20, 2, 2, [(10, '<c r="B10"><v>0</v></c>')])
    assert sx.sealed is None and sx.sealable == (21, 30, 2, 12)  # (above the table: its rows are as they were)
    sx = sheet()
    sx.splice(10, 21, 2, 2, [(21, '<c r="B21"><v>0</v></c>')])
    assert sx.sealable is None
