"""A refresh from the other kind of tally switches the workbook between aggregate counts and a holder table.

The issue's done-when: the default counts workbook (``xlpy build`` of the
built-in example), refreshed from half of a holder tally and then from all of
it, becomes a holder workbook, validates after each step and has three History
rows; the reverse switch from a count file; inputs and notes typed elsewhere
survive; and the package stays consistent (ECMA-376 table parts).
"""

from __future__ import annotations

import argparse
import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from repo_paths import ROOT, SEED
from test_workbook_print import unshown_whole_counts

from xlpy import macros
from xlpy.cli import refresh as cli_refresh
from xlpy.engine.errors import InputErrors
from xlpy.files import sources
from xlpy.files.offerfile import compute_file
from xlpy.workbook import data as bookdata
from xlpy.workbook.backends import PackageBook
from xlpy.workbook.build import build_workbook
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.live_book import XlwingsBook
from xlpy.workbook.switch import tenders_areas
from xlpy.workbook.validate import validate

TALLY = ROOT / "workbook" / "offers" / "data" / "hecla-2004-tally.csv"
EPOCHS = ("1077494400", "1077580800", "1077667200", "1077753600")  # 23, 24, 25, 26 February 2004


def _refresh(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="xlpy refresh")
    cli_refresh.setup_refresh(p)
    return cli_refresh.refresh_command(p.parse_args(argv + ["--no-backup"]))


#: Parallel runs (tests/conftest.py): the counts workbook is built once on each worker that needs it
#: (about a second) and copied per test; the tests are long and spread across the workers.
SPREAD_ACROSS_WORKERS = True


@pytest.fixture(scope="module")
def counts_built(tmp_path_factory) -> Path:
    """The default counts workbook, built once; tests change only their copy (``counts``)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCHS[0])
        offer, results = compute_file(SEED)
        return build_workbook(offer, results, tmp_path_factory.mktemp("counts") / "book.xlsm", record={
            "OfferFile": SEED.name, "TallySource": "aggregate counts in the offer file"})


@pytest.fixture
def counts(counts_built, tmp_path, monkeypatch):
    """The default counts workbook, beside half of the holder tally, all of it and a count file."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCHS[0])
    book = tmp_path / counts_built.name
    shutil.copy(counts_built, book)
    lines = TALLY.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "half.csv").write_text("".join(lines[: 1 + len(lines) // 2]), encoding="utf-8")
    shutil.copy(TALLY, tmp_path / "all.csv")
    (tmp_path / "counts.csv").write_text("tendered,guaranteed delivery,failed delivery\n280000,3000,500\n",
                                         encoding="utf-8")
    return book


def _layout_of(path: Path):
    wb = load_workbook(path)
    return wb, layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))


def _type(path: Path, edits: dict[tuple[str, str], object]) -> None:
    """What a person types (written into the package, as Excel keeps everything else)."""
    book = PackageBook(path)
    for (sheet, ref), v in edits.items():
        book.set(sheet, ref, v, text=isinstance(v, str))
    book.save()


def _zoom(path: Path, sheet_part: str, zoom: int) -> None:
    """A person's zoom on a sheet (a view setting outside any cell)."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    parts[sheet_part] = parts[sheet_part].replace(b"<sheetView ", f'<sheetView zoomScale="{zoom}" '.encode(), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in infos:
            z.writestr(i, parts[i.filename])


def _history_rows(path: Path) -> list[tuple]:
    wb, lay = _layout_of(path)
    sheet, t = lay.table("tblHistory")
    ws = wb[sheet.title]
    return [tuple(ws.cell(r, c).value for c in range(t.first_col, t.first_col + 4))
            for r in range(t.first_row, t.last_row + 1) if ws.cell(r, t.first_col).value is not None]


def _area_cells(path: Path) -> dict[tuple[int, int], tuple]:
    """Every cell of the Tenders areas the layout declares: value or formula, number format, font, fill."""
    wb, lay = _layout_of(path)
    ws = wb["Tenders"]
    out = {}
    for r1, r2, c1, c2 in tenders_areas(lay):
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                x = ws.cell(r, c)
                out[(r, c)] = (x.value, x.number_format, x.font.b, x.font.i, x.font.color and x.font.color.rgb,
                               x.fill.fgColor.rgb)
    return out


def _widths(path: Path) -> dict[str, float]:
    """Tenders' column widths, A to L."""
    dims = load_workbook(path)["Tenders"].column_dimensions
    return {x: dims[x].width for x in "ABCDEFGHIJKL" if x in dims}


def _as_built(path: Path, tmp: Path) -> Path:
    """A build of the offer the workbook now describes (its inputs, its tally)."""
    wb, lay = _layout_of(path)
    offer = bookdata.read_offer(lambda s, r: wb[s][r].value, lay)
    tmp.mkdir(exist_ok=True)
    return build_workbook(offer, None, tmp / "as-built.xlsm")


def _consistent(path: Path) -> None:
    """Content types, relationships, <tableParts> and table ids agree (ECMA-376 Part 1 and Part 2)."""
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    ct = z.read("[Content_Types].xml").decode("utf-8")
    for part in re.findall(r'PartName="/([^"]+)"', ct):
        assert part in names, f"{part} has a content type but is missing"
    tables = sorted(n for n in names if re.fullmatch(r"xl/tables/table\d+\.xml", n))
    for t in tables:
        assert f'PartName="/{t}"' in ct, f"{t} has no content type"
    ids = [re.search(r'<table\b[^>]*\sid="(\d+)"', z.read(t).decode("utf-8")).group(1) for t in tables]
    assert len(set(ids)) == len(ids), ids
    related = []
    for sheet in (n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
        text = z.read(sheet).decode("utf-8")
        rels_name = f"xl/worksheets/_rels/{PurePosixPath(sheet).name}.rels"
        rels = z.read(rels_name).decode("utf-8") if rels_name in names else ""
        table_rels = {}
        for rel in re.findall(r"<Relationship\b[^>]*/>", rels):
            if rel.count('/relationships/table"'):
                rid = re.search(r'Id="([^"]+)"', rel).group(1)
                target = re.search(r'Target="([^"]+)"', rel).group(1)
                table_rels[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target.replace("../", "")
        parts = re.findall(r'<tablePart\b[^>]*r:id="([^"]+)"', text)
        m = re.search(r'<tableParts count="(\d+)"', text)
        assert int(m.group(1)) == len(parts) if m else not parts
        assert sorted(parts) == sorted(table_rels), (sheet, parts, table_rels)
        related += [table_rels[p] for p in parts]
    assert sorted(related) == tables


def test_counts_workbook_switches_to_holders_and_back(counts, tmp_path, monkeypatch):
    folder = counts.parent
    _, lay = _layout_of(counts)
    price = lay.cell("Price")
    typed = {("Inputs", "F2"): "checked by J. Smith", price: 7.5, ("Tenders", "H2"): "agent: call on Friday",
             ("Tenders", "N25"): "beside the holder table"}
    _type(counts, typed)
    _zoom(counts, PackageBook(counts).pkg.sheet_parts()["Tenders"], 85)
    assert len(_history_rows(counts)) == 1

    for step, name in enumerate(("half.csv", "all.csv"), start=1):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCHS[step])
        assert _refresh([str(counts), "--tally", str(folder / name)]) == 0
        wb, lay = _layout_of(counts)
        lines = len(sources.read_tally(folder / name))
        assert (lay.shape.tally, lay.shape.holder_rows) == ("holders", lines)
        assert "tblTenders" in wb["Tenders"].tables and wb["Tenders"].tables["tblTenders"].ref == \
            lay.table("tblTenders")[1].ref
        assert _area_cells(counts) == _area_cells(_as_built(counts, tmp_path / f"built{step}"))
        # the widths of a holder workbook (layout 10: the units in counts' 48-wide notes column, 12 wide now)
        assert _widths(counts) == _widths(_as_built(counts, tmp_path / f"built{step}")), step
        assert len(_history_rows(counts)) == 1 + step
        assert _history_rows(counts)[-1][1] == name
        for (sheet, ref), v in typed.items():
            assert wb[sheet][ref].value == v
        view = wb["Tenders"]
        assert (view.sheet_view.zoomScale, view.freeze_panes) == (85, lay.sheet("Tenders").freeze)
        report = validate(counts, legs=("formulas",))
        assert report.findings == [], [str(f) for f in report.findings]
        _consistent(counts)
        assert unshown_whole_counts(counts) == []
    table = sources.read_tally(folder / "all.csv")
    tendered = sum(u for u, s in zip(table.units, table.status) if s != "withdrawn")
    assert load_workbook(counts, data_only=True)["Tenders"]["C5"].value == tendered

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCHS[3])
    assert _refresh([str(counts), "--tally", str(folder / "counts.csv")]) == 0
    wb, lay = _layout_of(counts)
    assert (lay.shape.tally, lay.shape.holder_rows) == ("aggregate", 0)
    assert wb["Tenders"].tables == {} and "TenderUnits" not in wb.defined_names
    assert [wb["Tenders"][lay.cell(n)[1]].value for n in ("Tendered", "GuaranteedDelivery", "FailedDelivery")] == \
        [280000, 3000, 500]
    assert _area_cells(counts) == _area_cells(_as_built(counts, tmp_path / "built3"))
    assert _widths(counts) == _widths(_as_built(counts, tmp_path / "built3"))  # the notes' 48 again
    sheet, ref = lay.cell("TallySource")
    note = wb[sheet]["D" + ref[1:]].value
    assert "switched from a holder tally to aggregate counts" in note
    assert len(_history_rows(counts)) == 4
    for (sheet, ref), v in typed.items():
        assert wb[sheet][ref].value == v
    assert (wb["Tenders"].sheet_view.zoomScale, wb["Tenders"].freeze_panes) == (85, None)
    report = validate(counts, legs=("formulas",))
    assert report.findings == [], [str(f) for f in report.findings]
    _consistent(counts)


def test_a_switch_keeps_a_column_width_of_the_persons_own(counts):
    """The switch gives Tenders the widths the layout gives the other kind of workbook where the workbook still has
    the old layout's; one a person set is theirs."""
    from openpyxl import load_workbook as load

    wb = load(counts, keep_vba=True)
    wb["Tenders"].column_dimensions["D"].width = 20
    wb.save(counts)
    assert _refresh([str(counts), "--tally", str(counts.parent / "all.csv"), "--no-backup"]) == 0
    widths = _widths(counts)
    assert widths["D"] == 20 and widths["E"] == 11 and widths["B"] == 36


@pytest.mark.libreoffice
def test_switched_workbooks_recalculate_under_libreoffice(counts, monkeypatch):
    folder = counts.parent
    for epoch, name in zip(EPOCHS[1:], ("all.csv", "counts.csv")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert _refresh([str(counts), "--tally", str(folder / name)]) == 0
        report = validate(counts, legs=("libreoffice",), require_libreoffice=True)
        assert report.findings == [] and report.legs_run == ["libreoffice"], [str(f) for f in report.findings]


def test_a_note_where_the_holder_table_goes_is_in_the_way(counts):
    _, table = layout(Shape(tally="holders", holder_rows=3)).table("tblTenders")
    where = f"{get_column_letter(table.first_col + 1)}{table.first_row + 2}"
    _type(counts, {("Tenders", where): "do not lose this"})
    before = counts.read_bytes()
    with pytest.raises(InputErrors, match=rf"Tenders!{where}.*is in the way"):
        _refresh([str(counts), "--tally", str(counts.parent / "half.csv")])
    assert counts.read_bytes() == before
    assert not list(counts.parent.glob(".*.tmp"))


def test_a_live_book_refuses_the_switch(counts, monkeypatch):
    """... saying what to run in a terminal: the tally's whole path, quoted (the advice gave its name alone, which
    a terminal in another folder, or a tally recorded in a subfolder, does not find)."""
    from fake_excel import FakeBook

    monkeypatch.chdir(counts.parent.parent)
    with pytest.raises(InputErrors, match="Refresh buttons do not do that in an open workbook") as info:
        macros.refresh_tenders(XlwingsBook(FakeBook(counts)), counts.parent / "half.csv")
    assert str(info.value.problems[0]).endswith(
        f'then run xlpy refresh "PATH OF THE WORKBOOK" --tally "{counts.parent / "half.csv"}" in a terminal')


def test_styles_are_mapped_into_the_workbooks_own_style_sheet():
    from xlpy.workbook.style_map import StyleMap

    built = (b'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.####"/></numFmts>'
             b'<fonts count="2"><font><b/></font><font><i/></font></fonts><fills count="1"><fill/></fills>'
             b'<borders count="1"><border/></borders><cellXfs count="2"><xf fontId="0"/>'
             b'<xf numFmtId="164" fontId="1"/></cellXfs></styleSheet>')
    own = (b'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00"/></numFmts>'
           b'<fonts count="2" x14ac:knownFonts="1"><font><u/></font><font><b/></font></fonts>'
           b'<fills count="1"><fill/></fills><borders count="1"><border/></borders>'
           b'<cellXfs count="2"><xf fontId="0"/><xf fontId="1"/></cellXfs></styleSheet>')
    styles = StyleMap(built, own)
    assert styles.cell('<c r="B5" s="0"><v>1</v></c>') == '<c r="B5" s="1"><v>1</v></c>'  # the same bold font
    assert styles.style("1") == "2"  # italic and #,##0.#### added to the workbook's own lists
    text = styles.result().decode()
    assert '<fonts x14ac:knownFonts="1" count="3">' in text and "<font><i/></font></fonts>" in text
    assert '<numFmt numFmtId="165" formatCode="#,##0.####"/>' in text and '<numFmts count="2">' in text
    assert text.endswith('<xf numFmtId="165" fontId="2"/></cellXfs></styleSheet>')


def _edit_parts(path: Path, edits: dict) -> None:
    """Rewrite parts of the package as another program saves them: part -> function of its text."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    for name, edit in edits.items():
        parts[name] = edit(parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in infos:
            z.writestr(i, parts[i.filename])


def _numfmts(path: Path) -> tuple[int, list[str]]:
    """(the count the styles' numFmts element gives, the ids of its numFmt elements)."""
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    own = re.search(r"<numFmts\b.*?</numFmts>", styles, re.S).group()  # (the dxfs hold formats of their own)
    return int(re.search(r'<numFmts count="(\d+)"', own).group(1)), re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"', own)


def test_a_switch_counts_the_number_formats_another_program_wrote_twice(counts):
    """LibreOffice saves one format code under two ids (General as 165 and 171): the switch to holders counted the
    codes, not the elements, and wrote numFmts count one short; and the id it gave a new format could be one
    already taken."""
    def twice(styles: str) -> str:  # and the fractions' format spelt as LibreOffice spells it: the switch adds ours
        first = re.search(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*/>', styles)
        top = max(map(int, re.findall(r'numFmtId="(\d+)"', styles)))
        again = re.sub(r'numFmtId="\d+"', f'numFmtId="{top + 1}"', first.group())  # first, the highest id
        styles = styles.replace(first.group(), again + first.group(), 1)
        assert 'formatCode="#,##0.####;-#,##0.####;0"' in styles
        styles = styles.replace('formatCode="#,##0.####;-#,##0.####;0"', 'formatCode="#,##0.####;\\-#,##0.####;0"')
        return re.sub(r'<numFmts count="(\d+)"', lambda m: f'<numFmts count="{int(m.group(1)) + 1}"', styles, count=1)

    _edit_parts(counts, {"xl/styles.xml": twice})
    count, ids = _numfmts(counts)
    assert count == len(ids) and len(set(ids)) == len(ids)
    top = max(map(int, ids))
    assert _refresh([str(counts), "--tally", str(counts.parent / "all.csv")]) == 0
    count, ids = _numfmts(counts)
    assert count == len(ids) and len(set(ids)) == len(ids), (count, ids)
    assert max(map(int, ids)) == top + 1  # the format the holder layout added: past every id taken


def test_a_switch_to_counts_leaves_no_override_of_a_part_it_removed(counts):
    """LibreOffice lists a sheet's relationships part among the content-type overrides: the switch back to counts
    removed Tenders' relationships part (its one table gone) and left the override naming it."""
    assert _refresh([str(counts), "--tally", str(counts.parent / "all.csv")]) == 0  # to holders: a table
    from xlpy.workbook import package

    pkg = package.Package(counts)
    rels = package.Package.rels_name(pkg.sheet_parts()["Tenders"])  # holding the holder table's relationship
    pkg.close()
    listed = f'<Override PartName="/{rels}" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    _edit_parts(counts, {"[Content_Types].xml": lambda ct: ct.replace("</Types>", listed + "</Types>")})
    assert _refresh([str(counts), "--tally", str(counts.parent / "counts.csv")]) == 0  # back: no table
    with zipfile.ZipFile(counts) as z:
        names = set(z.namelist())
        overrides = re.findall(r'<Override\b[^>]*PartName="/([^"]+)"', z.read("[Content_Types].xml").decode())
    assert rels not in names, "the test meant a relationships part the switch removes"
    assert [p for p in overrides if p not in names] == []
