"""What `xlpy build` writes of a person's text: text, whatever it begins with."""

from __future__ import annotations

from openpyxl import load_workbook
from repo_paths import SEED

from xlpy.files.offerfile import compute_file
from xlpy.workbook.build import build_workbook
from xlpy.workbook.expected import formula_cells
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

SEED_TEXT = SEED.read_text()


def _offer(tmp_path, *edits: tuple[str, str], name: str = "o.toml"):
    text = SEED_TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_issuer_and_security_beginning_with_equals_are_text_on_every_sheet(tmp_path):
    """The subtitle under each sheet's title is the issuer and the security as typed, never a formula; and every
    formula the workbook holds is one the layout writes (no text from the offer file became one)."""
    path = _offer(tmp_path, ('issuer = "Hecla Mining Company"', 'issuer = "=1+1"'),
                  ('security = "Series B Cumulative Convertible Preferred Stock"', 'security = "=SUM(A1:A9)"'),
                  ('short_name = "Hecla"', 'short_name = "@cmd"'))
    offer, results = compute_file(path)
    book = build_workbook(offer, results, tmp_path / "eq.xlsm")
    wb = load_workbook(book)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(sheets) == 10
    for ws in sheets:
        assert (ws["B2"].value, ws["B2"].data_type) == ("=1+1: =SUM(A1:A9)", "s"), ws.title
    written = formula_cells(lay)
    stray = [f"{ws.title}!{c.coordinate}: {c.value}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.data_type == "f" and (ws.title, c.coordinate) not in written]
    assert stray == []
    for name, want in (("Issuer", "=1+1"), ("ShortName", "@cmd")):
        sheet, ref = lay.cell(name)
        assert (wb[sheet][ref].value, wb[sheet][ref].data_type) == (want, "s")


def test_a_subtitle_holding_excels_escape_reads_back_as_typed(tmp_path):
    """``_x0041_`` in an issuer's name is stored as Excel stores it typed (``_x005F_x0041_``, as on Inputs), not
    as the letter A a workbook would read it as."""
    path = _offer(tmp_path, ('issuer = "Hecla Mining Company"', 'issuer = "Hecla_x0041_"'))
    offer, results = compute_file(path)
    wb = load_workbook(build_workbook(offer, results, tmp_path / "x.xlsm"))
    assert wb["Results"]["B2"].value == "Hecla_x005F_x0041_: Series B Cumulative Convertible Preferred Stock"
    assert wb["Inputs"]["C6"].value == "Hecla_x005F_x0041_"
