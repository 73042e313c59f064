"""What a person can do in Excel that moves the workbook's figures without touching a formula, named by validate.

A name of one sheet only, spelled as one of the layout's, hides the workbook's
name on that sheet: Excel's Name Manager makes one with the scope set to a
sheet (``Price`` = 10 on Results changes every Results figure that reads
``Price``).  ``validate`` names it as a structure finding, on every leg (the
`formulas` leg alone would not see the figures move).  Text typed where a date
or TRUE/FALSE belongs (a cell formatted as Text) is named as an input.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName
from repo_paths import SEED

from xlpy.workbook.validate import validate


def test_a_sheet_only_name_hiding_a_layout_name_is_a_finding(standard_books, tmp_path):
    book = tmp_path / "shadow.xlsm"
    shutil.copy(standard_books["plain"], book)
    assert validate(book, SEED, legs=("formulas",)).findings == []
    wb = load_workbook(book, keep_vba=True)
    wb["Results"].defined_names["price"] = DefinedName("price", attr_text="10")  # Excel compares names without case
    wb.save(book)
    report = validate(book, SEED, legs=("formulas",))
    shadow = [f for f in report.findings if f.where.startswith("name price")]
    assert [(f.where, f.what, f.found) for f in shadow] == [
        ("name price (Results only)", "a name of this sheet only hides the workbook's name Price in its formulas",
         "10")]


def test_a_hidden_name_is_computed_as_excel_computes_it(standard_books, tmp_path):
    """Review 143, MEDIUM: the name Price marked hidden (as VBA or a tool can; Excel computes it as any other) gave
    75 findings of #NAME? from the formulas leg, none saying why, where LibreOffice computed the workbook."""
    book = tmp_path / "hidden.xlsm"
    shutil.copy(standard_books["plain"], book)
    wb = load_workbook(book, keep_vba=True)
    wb.defined_names["Price"].hidden = True
    wb.save(book)
    assert load_workbook(book).defined_names["Price"].hidden
    report = validate(book, SEED, legs=("formulas",))
    assert report.findings == [] and report.compared_by_leg.get("formulas", 0) > 100, report.findings


def test_a_name_of_ones_own_sheet_is_its_own(standard_books, tmp_path):
    """A sheet of one's own may have its own ``Price``: only that sheet's formulas read it, none of the layout's."""
    book = tmp_path / "mine.xlsm"
    shutil.copy(standard_books["plain"], book)
    wb = load_workbook(book, keep_vba=True)
    mine = wb.create_sheet("Mine")
    mine["A1"] = 12.5
    mine.defined_names["Price"] = DefinedName("Price", attr_text="Mine!$A$1")
    wb.save(book)
    assert [str(f) for f in validate(book, SEED, legs=("formulas",)).findings] == []


def _link_to_another_workbook(book: Path, target: str) -> None:
    """The parts Excel writes for a workbook whose formulas read another's: xl/externalLinks/externalLink1.xml,
    its relationship to the file, the content type, and workbook.xml's externalReferences."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(book) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    link = (f'<externalLink xmlns="{main}" xmlns:r="{rel}"><externalBook r:id="rId1"><sheetNames>'
            '<sheetName val="Sheet1"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1">'
            '<cell r="A1"><v>5</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>')
    link_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{rel}/externalLinkPath" Target="{target}" TargetMode="External"/>'
                 '</Relationships>')
    types = parts["[Content_Types].xml"].decode("utf-8").replace("</Types>", (
        '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>'))
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8").replace("</Relationships>", (
        f'<Relationship Id="rIdLink1" Type="{rel}/externalLink" Target="externalLinks/externalLink1.xml"/>'
        '</Relationships>'))
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    workbook = workbook.replace("</sheets>", f'</sheets><externalReferences><externalReference xmlns:r="{rel}" '
                                             'r:id="rIdLink1"/></externalReferences>', 1)
    parts.update({"[Content_Types].xml": types.encode("utf-8"), "xl/_rels/workbook.xml.rels": rels.encode("utf-8"),
                  "xl/workbook.xml": workbook.encode("utf-8")})
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for i in infos:
            z.writestr(i, parts[i.filename])
        z.writestr("xl/externalLinks/externalLink1.xml", link)
        z.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", link_rels)


def test_a_link_to_another_workbook_is_a_finding(standard_books, tmp_path):
    """A workbook Excel has linked to another (a formula once read budget.xlsx) holds an external link part even
    when no formula reads it now: validate names the link and its file."""
    book = tmp_path / "linked.xlsm"
    shutil.copy(standard_books["plain"], book)
    _link_to_another_workbook(book, "file:///C:/Finance/budget.xlsx")
    report = validate(book, SEED, legs=("formulas",))
    found = [(f.where, f.what, f.expected, f.found) for f in report.findings]
    assert found == [("external link 1", "workbook links to another file", "no external links",
                      "file:///C:/Finance/budget.xlsx")], [str(f) for f in report.findings]
    assert not report.ok


def test_text_where_a_date_or_true_false_belongs_is_named_as_an_input(standard_books, tmp_path):
    """``FALSE`` or ``2004-02-20`` typed into a cell formatted as Text stays text: Excel's AND skips it and its
    date comparisons put it after every date, so the workbook would compute other figures than were read. One
    input finding names the cell, rather than a page of figures called doctored."""
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    book = tmp_path / "text.xlsm"
    shutil.copy(standard_books["plain"], book)
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    cells = {name: lay.cell(name) for name in ("Substantive", "ValuationDate")}
    for name, text in (("Substantive", "FALSE"), ("ValuationDate", "2004-02-20")):
        sheet, ref = cells[name]
        wb[sheet][ref].value = text
        wb[sheet][ref].data_type = "s"
    wb.save(book)
    report = validate(book, SEED, legs=("formulas",))
    retype = "not text: type it again (a cell formatted as Text keeps what is typed as text)"
    (s1, r1), (s2, r2) = cells["Substantive"], cells["ValuationDate"]
    assert sorted((f.where, f.leg) for f in report.findings) == sorted([(f"{s1}!{r1}", "inputs"),
                                                                        (f"{s2}!{r2}", "inputs")])
    assert all(retype in f.what for f in report.findings), [str(f) for f in report.findings]


def test_an_input_beyond_the_offer_files_bounds_is_refused_as_the_offer_file_refuses_it(standard_books, tmp_path,
                                                                                        capsys):
    """One typed reader: Outstanding at 1e16 is past the 15 digits a workbook holds exactly (validate named only
    figures that differ from the engine), and at 1e40 validate and refresh said "number: cannot be rounded ..."
    naming no cell. Each is now the offer file's message at its cell, a finding of validate and bad input to
    refresh."""
    from xlpy.cli import main
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    for value, name, why in ((1e16, "Outstanding", "must be below 1,000,000,000,000,000 (Excel holds 15 digits "
                              "exactly), got 1e+16"),
                             (1e40, "Outstanding", "must be below 1,000,000,000,000,000 (Excel holds 15 digits "
                              "exactly), got 1e+40"),
                             (1e40, "Price", "must be below 10,000,000 (the bound for a price per share), got 1e+40")):
        book = tmp_path / "big.xlsm"
        shutil.copy(standard_books["plain"], book)
        wb = load_workbook(book, keep_vba=True)
        sheet, ref = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).cell(name)
        wb[sheet][ref].value = value
        wb.save(book)
        found = [str(f) for f in validate(book, legs=("formulas",)).findings]
        assert found == [f"big.xlsm: {sheet}!{ref}: {name} {why} [inputs]"], found
        before = book.read_bytes()
        assert main(["refresh", str(book), "-q", "--no-backup"]) == 2
        assert capsys.readouterr().err == (f"xlpy refresh: big.xlsm: {sheet}!{ref}: {name} {why}\n"
                                           f"xlpy refresh: {book} was not changed\n")
        assert book.read_bytes() == before


# --- --offer: an offer file of another kind than the workbook ------------------------------------------------


def _kind_findings(book, offer_path) -> list[tuple[str, str, str, str]]:
    return [(f.where, f.what, f.expected, f.found) for f in validate(book, offer_path, legs=()).findings
            if "in kind" in f.what]


def test_a_holder_tally_offer_file_against_aggregate_counts_is_named_in_words(standard_books):
    """Review 58: ``validate seed.xlsm --offer hecla-2004-formula.toml`` raised KeyError 'tblTenders' (exit 1, a
    traceback): the seed's layout has no holder table, nor a price table."""
    from repo_paths import FORMULA, NOTES

    assert _kind_findings(standard_books["plain"], FORMULA) == [
        ("Tenders", "the count differs in kind from the offer file's", "299 holder lines", "aggregate counts"),
        ("Inputs!C21", "the ratio differs in kind from the offer file's",
         "a ratio by the offer's formula over 39 price days", "a fixed ratio (7.94)")]
    report = validate(standard_books["plain"], NOTES, legs=())
    assert ("Tenders", "the count differs in kind from the offer file's", "36 holder lines", "aggregate counts") in [
        (f.where, f.what, f.expected, f.found) for f in report.findings]
    counts = ("Tendered", "GuaranteedDelivery", "FailedDelivery")  # (no count compared with a holder tally's)
    assert not any(f.what.startswith(counts) for f in report.findings)


def test_aggregate_counts_and_a_fixed_ratio_against_a_holder_workbook_are_named_in_words(standard_books):
    assert _kind_findings(standard_books["holders"], SEED) == [
        ("Tenders", "the count differs in kind from the offer file's", "aggregate counts", "299 holder lines"),
        ("Prices", "the ratio differs in kind from the offer file's", "a fixed ratio (7.94)",
         "a ratio by the offer's formula over 39 price days")]


def test_a_refreshed_workbook_is_still_told_a_ratio_of_another_kind_but_not_a_count(standard_books, tmp_path):
    """Review 59: once refreshed, a workbook whose ratio is the offer's formula passed against an offer file that
    fixes it: both kinds were passed over, though a refresh switches a tally's kind, never the ratio's."""
    from repo_paths import DATA, TALLY

    from xlpy.cli import main

    holders = Path(standard_books["holders"])
    for f in holders.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    book = tmp_path / holders.name
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "day2.csv").write_text("".join(lines[:200]), encoding="utf-8")
    assert main(["refresh", str(book), "--tally", str(tmp_path / "day2.csv"), "--no-backup", "-q"]) == 0
    assert _kind_findings(book, SEED) == [
        ("Prices", "the ratio differs in kind from the offer file's", "a fixed ratio (7.94)",
         "a ratio by the offer's formula over 39 price days")]


def test_later_exchanges_against_a_workbook_without_them_are_named_in_words(standard_books, tmp_path):
    from repo_paths import SEED_TEXT

    later = tmp_path / "later.toml"
    later.write_text(SEED_TEXT + "[[exchange]]\ndate = 2004-03-05\nunits = 20000\nratio = 7.94\nprice = 8.40\n",
                     encoding="utf-8")
    assert _kind_findings(standard_books["plain"], later) == [
        ("Inputs", "the later exchanges differ in kind from the offer file's", "1 later exchange(s)",
         "no table of later exchanges")]


def test_each_workbook_is_reported_when_one_is_of_another_kind(standard_books, tmp_path, capsys):
    from repo_paths import FORMULA

    from xlpy.cli import main

    seed, holders = (shutil.copy(standard_books[k], tmp_path / f"{k}.xlsm") for k in ("plain", "holders"))
    assert main(["validate", str(seed), str(holders), "--offer", str(FORMULA), "--no-formulas",
                 "--no-libreoffice"]) == 1
    out = capsys.readouterr().out
    assert "plain.xlsm: Tenders: the count differs in kind from the offer file's: expected 299 holder lines, " \
           "found aggregate counts [inputs]" in out
    assert "holders.xlsm: valid" in out


def test_later_exchanges_the_offer_file_has_not_or_more_of_are_counted_in_words(tmp_path):
    """A workbook with a later exchange against the seed offer file (none) was "expected 0 rows, found 1 rows"."""
    from repo_paths import SEED_TEXT

    from xlpy.cli import main

    exchange = "\n[[exchange]]\ndate = 2004-06-01\nunits = 1000\nratio = 8\nprice = 5\n"
    (tmp_path / "one.toml").write_text(SEED_TEXT + exchange, encoding="utf-8")
    (tmp_path / "two.toml").write_text(SEED_TEXT + exchange + exchange.replace("06-01", "06-02"), encoding="utf-8")
    book = tmp_path / "one.xlsm"
    assert main(["build", str(tmp_path / "one.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    for offer, want in ((SEED, "no later exchanges"), (tmp_path / "two.toml", "2 later exchanges")):
        found = [(f.what, f.expected, f.found) for f in validate(book, offer, legs=()).findings]
        assert found == [("table differs from the offer file", want, "1 later exchange")], found


def test_a_finding_shows_a_date_as_a_person_writes_it():
    """A review: a date read from a cell showed as 2004-02-20T00:00:00; a date-time with a time had ISO's T."""
    import datetime as dt

    from xlpy.workbook.findings import show

    assert show(dt.datetime(2004, 2, 20)) == show(dt.date(2004, 2, 20)) == "2004-02-20"
    assert show(dt.datetime(2004, 2, 20, 14, 30)) == "2004-02-20 14:30:00"
