"""Validate holds a workbook to the files its Cover records (review 76, an external auditor's).

The Cover records the tally, the price file and the offer file a workbook was built or refreshed from, each with
its SHA-256: what an auditor traces the figures to.  ``xlpy validate`` read none of them: 100 units moved between
two holders (the totals unchanged), a price typed into the averaging window (the charge moved by $148k), a par
value and a carrying amount typed over: each was ``valid`` (exit 0), while the Cover still named the files the
figures no longer were.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy.cli import main
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.validate import validate

pytestmark = pytest.mark.usefixtures("fresh_limits")


def _edited(standard_books, folder: Path, edit) -> Path:
    """A copy of the standard holder workbook (its tally and price file beside it) with *edit(wb, lay)* applied."""
    book = standard_books.copy_into("holders", folder)
    wb = load_workbook(book, keep_vba=True)
    edit(wb, layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)))
    wb.save(book)
    return book


def _built_from_the_offer_file(wb, lay) -> None:
    """The Cover's record of the offer file's SHA-256, as ``xlpy build`` writes it (the fixture's records its name)."""
    sheet, ref = lay.cell("OfferSha256")
    wb[sheet][ref] = hashlib.sha256(FORMULA.read_bytes()).hexdigest()


def _units(wb, lay, line: int) -> str:
    """The cell of the units of the holder table's *line* (1: its first)."""
    sheet, t = lay.table("tblTenders")
    return f"{t.letter('units')}{t.first_row + line - 1}"


def _sources(report) -> list[str]:
    return [str(f) for f in report.findings if f.leg == "sources"]


def test_units_moved_between_two_holders_are_a_finding(standard_books, tmp_path, capsys):
    def move(wb, lay):
        ws = wb["Tenders"]
        a, b = _units(wb, lay, 4), _units(wb, lay, 5)
        ws[a], ws[b] = ws[a].value - 100, ws[b].value + 100  # (the totals, and every figure, unchanged)

    book = _edited(standard_books, tmp_path, move)
    report = validate(book, legs=())
    assert _sources(report) == [
        f"book.xlsm: Tenders (the holder table): differs from the tally the Cover records ({TALLY}), typed since the "
        "build: Tenders!D24 (DTC-0048): 1,300, the file 1,400; Tenders!D25 (DTC-0055): 2,200, the file 2,100: the "
        "figures are not the file's (a value that belongs goes in the file; a refresh writes the file's lines over "
        "these) [sources]"]
    assert main(["validate", str(book), "--no-formulas", "--no-libreoffice"]) == 1


def test_a_price_typed_into_the_window_is_a_finding(standard_books, tmp_path):
    def typed(wb, lay):
        sheet, t = lay.table("tblPrices")
        wb[sheet.title][f"{t.letter('price')}{t.first_row + 30}"] = 8

    report = validate(_edited(standard_books, tmp_path, typed), legs=())
    [said] = _sources(report)
    assert "Prices (the price table): differs from the price file the Cover records" in said
    assert ": 8, the file " in said and said.endswith("[sources]")


def test_a_table_sorted_since_holds_the_files_lines(standard_books, tmp_path):
    """Each row is held to its own line of the file (the Tally line column), wherever a sort put it."""
    def swap(wb, lay):
        sheet, t = lay.table("tblTenders")
        ws, (first, last) = wb[sheet.title], (t.letter("holder"), t.letter("status"))
        rows = [[c.value for c in row] for row in ws[f"{first}{t.first_row}:{last}{t.first_row + 1}"]]
        for row, values in zip(ws[f"{first}{t.first_row}:{last}{t.first_row + 1}"], reversed(rows)):
            for cell, value in zip(row, values):
                cell.value = value

    report = validate(_edited(standard_books, tmp_path, swap), legs=())
    assert _sources(report) == [] and report.ok


def test_a_file_gone_or_replaced_is_a_note_and_not_compared(standard_books, tmp_path):
    book = _edited(standard_books, tmp_path, lambda wb, lay: None)
    report = validate(book, legs=())
    assert report.ok and not any("not compared" in n for n in report.notes)  # the files as recorded: no word
    (tmp_path / TALLY).unlink()
    with (tmp_path / PRICES).open("a", encoding="utf-8") as fh:
        fh.write("2004-03-01,8.5,100000\n")
    got = hashlib.sha256((tmp_path / PRICES).read_bytes()).hexdigest()
    report = validate(book, legs=())
    assert report.ok
    assert [n for n in report.notes if "not compared" in n] == [
        f"Tenders (the holder table): not compared with the tally the Cover records ({TALLY}): there is no such "
        "file (its path read from the workbook's folder)",
        f"Prices (the price table): not compared with the price file the Cover records ({PRICES}): the file there "
        f"has other bytes (SHA-256 {got[:12]}...) than the Cover records ("
        f"{hashlib.sha256((standard_books['holders'].parent / PRICES).read_bytes()).hexdigest()[:12]}...): "
        "replaced since the build, or the record typed over"]


def test_a_record_typed_over_to_another_file_of_other_lines_is_a_finding(standard_books, tmp_path):
    """The Cover's record made to name a file of other lines: the table is not that file's."""
    other = tmp_path / "other.csv"
    text = (standard_books["holders"].parent / TALLY).read_text(encoding="utf-8")
    other.write_text(text + "NEW-0001,100,book-entry,tendered\n", encoding="utf-8")

    def record(wb, lay):
        for name, value in (("TallySource", other.name),
                            ("TallySha256", hashlib.sha256(other.read_bytes()).hexdigest())):
            sheet, ref = lay.cell(name)
            wb[sheet][ref] = value

    report = validate(_edited(standard_books, tmp_path, record), legs=())
    lines = len(text.splitlines()) - 1
    assert _sources(report) == [
        "book.xlsm: Tenders (the holder table): holds other lines than the tally the Cover records (other.csv), "
        "changed since the build: the figures are not the file's; refresh the workbook from it: expected "
        f"{lines + 1:,} lines, found {lines:,} [sources]"]


def test_through_a_link_the_files_are_those_beside_its_target(standard_books, tmp_path):
    def move(wb, lay):
        wb["Tenders"][_units(wb, lay, 4)] = 1

    book = _edited(standard_books, tmp_path, move)
    (tmp_path / "desk").mkdir()
    link = tmp_path / "desk" / "link.xlsm"
    link.symlink_to(book)
    [said] = _sources(validate(link, legs=()))
    assert "Tenders!D24 (DTC-0048): 1, the file 1,400" in said


def test_offer_given_that_is_not_the_builds_file_is_noted(standard_books, tmp_path):
    book = _edited(standard_books, tmp_path, _built_from_the_offer_file)
    shutil.copy(FORMULA, tmp_path / FORMULA.name)  # the file the Cover records, as built, and the files it names
    shutil.copytree(DATA, tmp_path / "data")
    assert not any(n.startswith("--offer") for n in validate(book, tmp_path / FORMULA.name, legs=()).notes)
    edited = tmp_path / "edited.toml"
    edited.write_text(FORMULA.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    [note] = [n for n in validate(book, edited, legs=()).notes if n.startswith("--offer")]
    recorded = hashlib.sha256(FORMULA.read_bytes()).hexdigest()
    assert note == (f"--offer: {edited} is not the offer file the Cover records at the build ({FORMULA.name}, "
                    f"SHA-256 {recorded[:12]}...; this one {hashlib.sha256(edited.read_bytes()).hexdigest()[:12]}...)"
                    ": the workbook is held to the file given")
    shutil.copy(edited, tmp_path / FORMULA.name)  # the very file the Cover records, edited (review 157)
    [note] = [n for n in validate(book, tmp_path / FORMULA.name, legs=()).notes if n.startswith("--offer")]
    assert note == (f"--offer: {tmp_path / FORMULA.name} has other bytes than at the build, when the Cover recorded "
                    f"it ({FORMULA.name}, SHA-256 {recorded[:12]}...; now "
                    f"{hashlib.sha256(edited.read_bytes()).hexdigest()[:12]}...): the workbook is held to the file as "
                    "it is now")


def test_inputs_typed_since_the_build_are_noted_against_the_offer_file_beside_it(standard_books, tmp_path):
    def typed(wb, lay):
        _built_from_the_offer_file(wb, lay)
        for name, value in (("ParValue", 0.1), ("CarryingPerUnit", 45)):
            sheet, ref = lay.cell(name)
            wb[sheet][ref] = value

    book = _edited(standard_books, tmp_path, typed)
    assert not any("typed since the build" in n for n in validate(book, legs=()).notes)  # (no offer file beside)
    shutil.copy(FORMULA, tmp_path / FORMULA.name)
    report = validate(book, legs=())
    assert report.ok and [n for n in report.notes if n.startswith("inputs typed")] == [
        f"inputs typed since the build, not as the offer file the Cover records ({tmp_path / FORMULA.name}, unchanged "
        "since): "
        "ParValue (Inputs!C44: file 0.25, workbook 0.1); CarryingPerUnit (Inputs!C45: file 50, workbook 45) "
        f"(no fault: validate --offer {tmp_path / FORMULA.name} holds the workbook to the file)"]
    with (tmp_path / FORMULA.name).open("a", encoding="utf-8") as fh:
        fh.write("\n# edited since the build\n")  # (another file than the build's: the refresh warns of it)
    notes = validate(book, legs=()).notes
    assert not any(n.startswith("inputs typed") for n in notes)
    # (review 143: said, where nothing was; a record typed over silenced the note of inputs typed alike)
    digest = hashlib.sha256((tmp_path / FORMULA.name).read_bytes()).hexdigest()[:12]
    recorded = hashlib.sha256(FORMULA.read_bytes()).hexdigest()[:12]
    assert [n for n in notes if n.startswith("inputs not compared")] == [
        f"inputs not compared with the offer file the Cover records ({tmp_path / FORMULA.name}): it has other bytes "
        "(SHA-256 "
        f"{digest}...) than the Cover records ({recorded}...), edited since the build or the record typed over "
        f"(Cover!C22); validate --offer {tmp_path / FORMULA.name} holds the workbook to it"]


def test_the_offer_file_is_found_where_the_cover_records_it(standard_books, tmp_path, monkeypatch):
    """The Cover records the offer file's path from the workbook's folder (``xlpy build terms/offer.toml -o
    book.xlsm``): validate finds it there, and names it as seen from where the workbook was named."""
    def typed(wb, lay):
        _built_from_the_offer_file(wb, lay)
        wb[lay.cell("OfferFile")[0]][lay.cell("OfferFile")[1]] = f"terms/{FORMULA.name}"
        sheet, ref = lay.cell("ParValue")
        wb[sheet][ref] = 0.1

    book = _edited(standard_books, tmp_path, typed)
    (tmp_path / "terms").mkdir()
    shutil.copy(FORMULA, tmp_path / "terms" / FORMULA.name)
    monkeypatch.chdir(tmp_path.parent)
    assert [n for n in validate(Path(tmp_path.name, book.name), legs=()).notes if n.startswith("inputs typed")] == [
        f"inputs typed since the build, not as the offer file the Cover records ({tmp_path.name}/terms/{FORMULA.name}, "
        "unchanged since): ParValue (Inputs!C44: file 0.25, workbook 0.1) (no fault: validate --offer "
        f"{tmp_path.name}/terms/{FORMULA.name} holds the workbook to the file)"]


def test_the_json_record_ties_to_the_workbooks_bytes_and_time(standard_books, tmp_path, capsys):
    """A validation's record (kept in the working papers) names the file it proved by its SHA-256, and when."""
    import datetime as dt
    import json

    book = standard_books.copy_into("holders", tmp_path)
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    assert main(["validate", str(book), "--json", "--no-formulas", "--no-libreoffice"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["sha256"] == hashlib.sha256(book.read_bytes()).hexdigest()
    assert record["validated_at"].endswith("Z")
    at = dt.datetime.fromisoformat(record["validated_at"].replace("Z", "+00:00"))
    assert before <= at <= dt.datetime.now(dt.timezone.utc)


def test_a_record_no_file_system_takes_is_said_cut_short(standard_books, tmp_path):
    def record(wb, lay):
        sheet, ref = lay.cell("TallySource")
        wb[sheet][ref] = "x" * 5000 + ".csv"

    book = _edited(standard_books, tmp_path, record)
    report = validate(book, legs=())
    [found] = report.findings  # (History's last row records the tally beside the workbook: held to it, review 143)
    assert found.found.startswith(f"{'x' * 60}... (5,004 characters) (") and len(str(found)) < 700, found
    (book.parent / TALLY).unlink()  # (and with no file of History's beside it: the note, cut short)
    report = validate(book, legs=())
    [note] = [n for n in report.notes if n.startswith("Tenders (the holder table): not compared")]
    assert note.startswith(f"Tenders (the holder table): not compared with the tally the Cover records ({'x' * 60}... "
                           "(5,004 characters)): it cannot be read (")
    assert report.ok and len(note) < 300


def test_a_ratio_by_formula_with_counts_in_the_offer_file_is_no_input_typed(tmp_path, capsys):
    """Review 78: the offer file read without its price file held 'no price days', and a workbook built from it,
    untouched, was noted as holding inputs typed since the build (its 39 price days)."""
    shutil.copytree(DATA, tmp_path / "data")
    text = FORMULA.read_text(encoding="utf-8").replace('file = "data/hecla-2004-tally.csv"',
                                                       "tendered = 274000\nguaranteed_delivery = 3500")
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    book = tmp_path / "book.xlsm"
    assert main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    capsys.readouterr()
    assert not any(n.startswith("inputs typed") for n in validate(book, legs=()).notes)
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    sheet, ref = lay.cell("Tendered")
    wb[sheet][ref] = 274500  # (the count typed: the workbook's counts are the offer file's to compare)
    wb.save(book)
    [note] = [n for n in validate(book, legs=()).notes if n.startswith("inputs typed")]
    assert f"Tendered ({sheet}!{ref}: file 274000, workbook 274500)" in note


def test_a_record_blank_or_of_no_file_is_said_not_compared(standard_books, tmp_path):
    """Review 78: a Cover cell blanked switched the comparison off without a trace (100 units moved: 'valid')."""
    def blank(wb, lay):
        wb["Tenders"][_units(wb, lay, 4)] = 1
        sheet, ref = lay.cell("TallySource")
        wb[sheet][ref] = None

    book = _edited(standard_books, tmp_path, blank)
    report = validate(book, legs=())
    # (History's last row names the tally the table was read from, beside the workbook: held to it, review 143)
    [record, table] = _sources(report)
    digest = hashlib.sha256((book.parent / TALLY).read_bytes()).hexdigest()[:12]
    assert record == ("book.xlsm: Cover!C23 (the tally): the Cover's record of the file is not History's last "
                      "row's, whose file is beside the workbook byte for byte: the record typed over since the build? "
                      "the holder table is compared with History's file; put its name and SHA-256 back on the Cover: "
                      f"expected {TALLY} ({digest}...), found blank ({digest}...) [sources]"), record
    assert f"Tenders (the holder table): differs from the tally History's last row records ({TALLY})" in table, table
    (book.parent / TALLY).unlink()  # (no file of History's beside it: said, as review 122 M1 asked)
    report = validate(book, legs=())
    assert _sources(report) == []  # (a holder table typed in, with no file, is the workbook's to hold)
    assert any(n.startswith("Tenders (the holder table): not compared with a file: the Cover records none (Cover!C23 "
                            "is blank), though History's last row (") for n in report.notes), report.notes


@pytest.mark.parametrize("share", ["\\\\deal-server\\agent\\tally.csv", "//deal-server/agent/tally.csv"])
def test_a_network_location_the_cover_names_is_not_opened(standard_books, tmp_path, monkeypatch, share):
    """Review 78: validate opened whatever path a received workbook's Cover named; on Windows a \\\\host\\share
    record would connect to that host (and hand it the user's credentials)."""
    from xlpy.workbook import recorded_sources

    def record(wb, lay):
        sheet, ref = lay.cell("TallySource")
        wb[sheet][ref] = share

    book = _edited(standard_books, tmp_path, record)
    opened = []
    monkeypatch.setattr(recorded_sources, "sha256", lambda p: opened.append(p) or "0" * 64)
    report = validate(book, legs=())
    assert opened == [tmp_path / TALLY, tmp_path / PRICES]  # (files beside the workbook alone: the price file, and
    # the tally History's last row records, whose SHA-256 the stand-in gives otherwise: not held to it)
    assert (f"Tenders (the holder table): not compared with the tally the Cover records ({share}): it names a "
            "network location, which validate does not open (a workbook from elsewhere may name any); copy the file "
            "beside the workbook, or refresh it from there") in report.notes


def test_with_a_mapping_recorded_a_difference_may_be_the_mappings(standard_books, tmp_path):
    """Review 78: a mapping file changed since the refresh reads the tally otherwise; the Cover records its name,
    not its bytes, so the finding says either may be why."""
    (tmp_path / "map.toml").write_text('[columns]\nholder_id = "holder_id"\nunits = "units"\n', encoding="utf-8")

    def mapped(wb, lay):
        wb["Tenders"][_units(wb, lay, 4)] = 1
        sheet, ref = lay.cell("TallyMapping")
        wb[sheet][ref] = "map.toml"

    [said] = _sources(validate(_edited(standard_books, tmp_path, mapped), legs=()))
    assert ("typed since the build, or the mapping file the Cover records (map.toml) changed since: Tenders!D24 "
            "(DTC-0048): 1, the file 1,400") in said


def test_a_damaged_workbooks_record_names_its_bytes_and_one_saved_meanwhile_none(standard_books, tmp_path,
                                                                                 capsys, monkeypatch):
    """Review 78: the SHA-256 was read after the workbook was opened (a save between named bytes not validated), and
    a damaged workbook, where an auditor most wants it, had none."""
    import json

    from xlpy.workbook import validate as validating

    damaged = tmp_path / "damaged.xlsm"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    book = standard_books.copy_into("holders", tmp_path)
    assert main(["validate", str(damaged), "--json", "--no-formulas", "--no-libreoffice"]) == 1
    [record] = json.loads(capsys.readouterr().out)
    assert record["sha256"] == hashlib.sha256(damaged.read_bytes()).hexdigest() and not record["ok"]
    real = validating._validate

    def saved_meanwhile(p, *args):
        report = real(p, *args)
        Path(p).write_bytes(Path(p).read_bytes() + b"\x00")  # (Excel's save, as the validation ends)
        return report

    monkeypatch.setattr(validating, "_validate", saved_meanwhile)
    # (review 85: it ended 0, "valid", a nightly job's gate passing a report of no one version: 3, run it again)
    assert main(["validate", str(book), "--json", "--no-formulas", "--no-libreoffice"]) == 3
    [record] = json.loads(capsys.readouterr().out)
    assert record["sha256"] is None and record["changed_while_validated"] and not record["ok"]  # (review 86)
    assert record["status"] == 3 and record["errors"][0]["busy"] and record["findings"] == []  # (review 110)
    # (review 86: the verdict said "valid" beside status 3; review 110: it is refused, its line on standard error)
    assert main(["validate", str(book), "--no-formulas", "--no-libreoffice"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"xlpy validate: {book.name}: changed while it was validated (")


def test_builds_validation_record_names_the_workbook_it_wrote(tmp_path, capsys):
    """Review 79: build's validation record (as validate --json gives one) had no SHA-256, its hash being read by
    the command that validates several workbooks, which build does not call."""
    import json

    from repo_paths import SEED

    book = tmp_path / "seed.xlsm"
    assert main(["build", str(SEED), "-o", str(book), "--json", "--no-libreoffice"]) == 0
    record = json.loads(capsys.readouterr().out)["validation"]
    assert record["ok"] and record["sha256"] == hashlib.sha256(book.read_bytes()).hexdigest()


# --- a workbook of aggregate counts refreshed from a count file ------------------------------------------------

COUNTS = "tendered,guaranteed delivery,failed delivery\n280000,3000,0\n"


def _refreshed_from_counts(standard_books, folder: Path, capsys, *mapping: str) -> Path:
    """A copy of the seed workbook (aggregate counts) refreshed from the count file ``counts.csv`` beside it (or
    ``counts.xlsx``, with *mapping*: ``--mapping``, its file)."""
    book = standard_books.copy_into("seed", folder)
    tally = folder / ("counts.xlsx" if mapping else "counts.csv")
    if not mapping:
        tally.write_text(COUNTS, encoding="utf-8")
    assert main(["refresh", str(book), "--tally", str(tally), *mapping, "--no-backup", "-q"]) == 0
    capsys.readouterr()
    return book


def _typed(book: Path, **values) -> dict[str, str]:
    """*values* (``Tendered=280500``) typed over the counts, as a person saves them; {name: its sheet!cell}."""
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    assert lay.shape.tally == "aggregate"
    cells = {}
    for name, value in values.items():
        sheet, ref = lay.cell(name)
        wb[sheet][ref] = value
        cells[name] = f"{sheet}!{ref}"
    wb.save(book)
    return cells


def test_a_count_typed_over_since_a_refresh_from_a_count_file_is_a_finding(standard_books, tmp_path, capsys):
    """Review 79: a workbook of aggregate counts was not held to its count file: a count typed over on the inputs
    after the refresh was 'valid', while the Cover still named the count file its figures no longer were."""
    book = _refreshed_from_counts(standard_books, tmp_path, capsys)
    cells = _typed(book, Tendered=280500, GuaranteedDelivery=2000)
    said = ("differs from the count file the Cover records (counts.csv), typed since the last refresh: {}: the "
            "figure is not the file's (a count that belongs goes in the file; a refresh writes the file's counts over "
            "it)")
    assert _sources(validate(book, legs=())) == [
        f"seed.xlsm: {cells['Tendered']} (Tendered): {said.format('280,500, the file 280,000')} [sources]",
        f"seed.xlsm: {cells['GuaranteedDelivery']} (GuaranteedDelivery): {said.format('2,000, the file 3,000')} "
        "[sources]"]
    assert main(["validate", str(book), "--no-formulas", "--no-libreoffice"]) == 1
    assert f"seed.xlsm: {cells['Tendered']} (Tendered): differs from the count file" in capsys.readouterr().out


def test_counts_as_the_count_file_gives_them_are_valid_without_a_word(standard_books, tmp_path, capsys):
    book = _refreshed_from_counts(standard_books, tmp_path, capsys)
    report = validate(book, legs=())
    assert report.ok and report.notes == []


def test_a_count_file_changed_since_is_a_note_not_a_finding(standard_books, tmp_path, capsys):
    book = _refreshed_from_counts(standard_books, tmp_path, capsys)
    recorded = hashlib.sha256((tmp_path / "counts.csv").read_bytes()).hexdigest()
    _typed(book, Tendered=280500)
    (tmp_path / "counts.csv").write_text(COUNTS.replace("280000", "280500"), encoding="utf-8")  # (the agent's next)
    got = hashlib.sha256((tmp_path / "counts.csv").read_bytes()).hexdigest()
    report = validate(book, legs=())
    assert _sources(report) == []
    assert [n for n in report.notes if "not compared" in n] == [
        "Tenders (the aggregate counts): not compared with the count file the Cover records (counts.csv): the file "
        f"there has other bytes (SHA-256 {got[:12]}...) than the Cover records ({recorded[:12]}...): replaced since "
        "the last refresh, or the record typed over"]
    (tmp_path / "counts.csv").unlink()
    assert [n for n in validate(book, legs=()).notes if "not compared" in n] == [
        "Tenders (the aggregate counts): not compared with the count file the Cover records (counts.csv): there is "
        "no such file (its path read from the workbook's folder)"]
    (tmp_path / "counts.csv").mkdir()  # (review 82: a folder where the file was was said to be no file at all)
    assert [n for n in validate(book, legs=()).notes if "not compared" in n] == [
        "Tenders (the aggregate counts): not compared with the count file the Cover records (counts.csv): it names "
        "a folder, not a file (its path read from the workbook's folder)"]


def test_counts_from_the_offer_file_are_no_count_files(standard_books, tmp_path):
    """No count file recorded (the counts the offer file's): nothing to compare, and nothing said of it
    (typed_input_notes compares them with the offer file)."""
    book = standard_books.copy_into("seed", tmp_path)
    _typed(book, Tendered=280500)
    report = validate(book, legs=())
    assert _sources(report) == [] and not any("not compared" in n or "count file" in n for n in report.notes)


def test_a_count_file_is_read_again_with_the_mapping_the_cover_records(standard_books, tmp_path, capsys):
    """The refresh read the count file's second sheet, as the mapping file says; so does validate."""
    from openpyxl import Workbook

    counts = Workbook()
    counts.active.title = "Summary"
    counts.active.append(["tendered", "guaranteed delivery"])
    counts.active.append([1000, 0])  # (the first sheet: not the agent's count)
    counts.create_sheet("Counts").append(["tendered", "guaranteed delivery", "failed delivery"])
    counts["Counts"].append([281000, 2000, 0])
    counts.save(tmp_path / "counts.xlsx")
    (tmp_path / "map.toml").write_text('sheet = "Counts"\n', encoding="utf-8")
    book = _refreshed_from_counts(standard_books, tmp_path, capsys, "--mapping", str(tmp_path / "map.toml"))
    report = validate(book, legs=())
    assert report.ok and report.notes == []
    cells = _typed(book, Tendered=281500)
    assert _sources(validate(book, legs=())) == [
        f"seed.xlsm: {cells['Tendered']} (Tendered): differs from the count file the Cover records (counts.xlsx), "
        "typed since the last refresh, or the mapping file the Cover records (map.toml) changed since: 281,500, the "
        "file 281,000: the figure is not the file's (a count that belongs goes in the file; a refresh writes the "
        "file's counts over it) [sources]"]


def test_compute_on_a_workbook_warns_of_a_count_typed_over(standard_books, tmp_path, capsys):
    """compute, release and entries on a workbook warn of what validate's sources leg finds: the counts too."""
    book = _refreshed_from_counts(standard_books, tmp_path, capsys)
    cells = _typed(book, Tendered=280500)
    assert main(["compute", str(book)]) == 0
    assert (f"xlpy compute: warning: seed.xlsm: {cells['Tendered']} (Tendered): differs from the count file the "
            "Cover records (counts.csv), typed since the last refresh: 280,500, the file 280,000: the figure is not "
            "the file's (a count that belongs goes in the file; a refresh writes the file's counts over it); these "
            "figures are the engine's from the workbook's inputs as they stand (xlpy validate names it)") in \
        capsys.readouterr().err


def test_a_count_files_record_blanked_is_said_not_compared(standard_books, tmp_path, capsys):
    """As a holder table's: a Cover cell blanked does not switch the comparison off without a trace (its SHA-256
    still recorded says the counts were a count file's)."""
    book = _refreshed_from_counts(standard_books, tmp_path, capsys)
    _typed(book, Tendered=280500, TallySource=None)
    record, count = _sources(validate(book, legs=()))  # (History's count file beside it: held to it, review 143)
    assert "Cover!C23 (the count file): the Cover's record of the file is not History's last row's" in record, record
    assert count == ("seed.xlsm: Tenders!C5 (Tendered): differs from the count file History's last row records "
                     "(counts.csv), typed since the last refresh: 280,500, the file 280,000: the figure is not the "
                     "file's (a count that belongs goes in the file; a refresh writes the file's counts over it) "
                     "[sources]"), count
    (tmp_path / "counts.csv").unlink()  # (no file of History's beside it: a note)
    report = validate(book, legs=())
    assert _sources(report) == []
    assert "Tenders (the aggregate counts): not compared with a file: the Cover records none (its cell, Cover!C23, " \
        "is blank)" in report.notes


def test_a_count_the_count_file_has_no_column_for_is_held_to_0(standard_books, tmp_path, capsys):
    """The refresh writes 0 for a count the file has no column for (and warns of it); a count typed there since
    differs from the file as the refresh reads it, and the finding says why the file's is 0."""
    book = standard_books.copy_into("seed", tmp_path)
    (tmp_path / "counts.csv").write_text("tendered,guaranteed delivery\n280000,3000\n", encoding="utf-8")
    assert main(["refresh", str(book), "--tally", str(tmp_path / "counts.csv"), "--no-backup", "-q"]) == 0
    capsys.readouterr()
    assert validate(book, legs=()).ok
    cells = _typed(book, FailedDelivery=500)
    [said] = _sources(validate(book, legs=()))
    assert said.startswith(f"seed.xlsm: {cells['FailedDelivery']} (FailedDelivery): differs from the count file the "
                           "Cover records (counts.csv), typed since the last refresh: 500, the file 0 (it has no "
                           "failed delivery column: 0, as the refresh reads it): the figure is not the file's")


def test_a_count_file_the_offer_file_names_is_recorded_and_held_to(tmp_path, capsys):
    """Review 83: an offer file whose tally.file named the agent's count file was refused (it has no holder_id
    column), so such counts could reach a workbook only typed into the offer file, and validate never held them to
    the file.  The build reads it as the refresh reads a count file, and records it on the Cover as the refresh
    does (its path from the workbook's folder, SHA-256, one line, the mapping): a count typed over since is a
    finding, and the offer file's counts are no input typed."""
    from repo_paths import SEED_TEXT

    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "counts.csv").write_text(COUNTS, encoding="utf-8")
    text = SEED_TEXT.replace("tendered = 274000\nguaranteed_delivery = 3500\nfailed_delivery = 0\n",
                             'file = "agent/counts.csv"\n')
    assert 'file = "agent/counts.csv"' in text
    (tmp_path / "offer.toml").write_text(text, encoding="utf-8")
    (tmp_path / "books").mkdir()
    for book in (tmp_path / "books" / "book.xlsm", tmp_path / "book.xlsm"):  # (elsewhere; beside the offer file)
        assert main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
        capsys.readouterr()
        wb = load_workbook(book)
        lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
        recorded = {k: wb[lay.cell(k)[0]][lay.cell(k)[1]].value for k in (
            "TallySource", "TallySha256", "TallyRows", "Tendered", "GuaranteedDelivery")}
        assert recorded == {"TallySource": "../agent/counts.csv" if book.parent.name == "books" else
                            "agent/counts.csv", "TallyRows": 1, "Tendered": 280000, "GuaranteedDelivery": 3000,
                            "TallySha256": hashlib.sha256((tmp_path / "agent" / "counts.csv").read_bytes()).hexdigest()}
    report = validate(book, legs=())
    assert report.ok and report.notes == []
    cells = _typed(book, Tendered=280500)
    report = validate(book, legs=())
    assert _sources(report) == [
        f"book.xlsm: {cells['Tendered']} (Tendered): differs from the count file the Cover records "
        "(agent/counts.csv), typed since the build: 280,500, the file 280,000: the figure is not the file's (a "
        "count that belongs goes in the file; a refresh writes the file's counts over it) [sources]"]
    assert not any(n.startswith("inputs typed") for n in report.notes)  # (the count file's, not the offer file's)


@pytest.mark.parametrize("written", ["counts.csv", "agent/counts.csv"])
def test_a_count_file_the_offer_file_names_is_refused_by_its_own_name(tmp_path, capsys, written):
    """A count the offer file's count file gives past offer.outstanding is refused naming the file and its column,
    not the key tally.tendered, which the offer file does not have.  A mutation review: a count file in a folder
    (agent/counts.csv) is named by the path the offer file writes, as its "not found" names it; named by its name
    alone (counts.csv), no test failed, as every count file tested sat beside the offer file."""
    from repo_paths import SEED_TEXT

    (tmp_path / written).parent.mkdir(exist_ok=True)
    (tmp_path / written).write_text("tendered,guaranteed delivery\n500000,0\n", encoding="utf-8")
    (tmp_path / "offer.toml").write_text(SEED_TEXT.replace(
        "tendered = 274000\nguaranteed_delivery = 3500\nfailed_delivery = 0\n", f'file = "{written}"\n'),
        encoding="utf-8")
    assert main(["compute", str(tmp_path / "offer.toml")]) == 2
    assert capsys.readouterr().err.strip() == (f"xlpy compute: offer.toml: tally.file: {written}: tendered: must not "
                                               "exceed offer.outstanding (464,777), got 500,000")

def test_a_build_from_a_count_file_says_a_count_it_has_no_column_for_is_taken_as_0(tmp_path, monkeypatch, capsys):
    """A build from a count file the offer file names, without its guaranteed delivery column, counted none without
    a word, where a refresh from the same file warns: the 3,500 Hecla's release gives by guaranteed delivery matter.
    The build says it in the refresh's words, with what History's last row records when --history-from carried
    one, and of a missing failed delivery column on a final count."""
    from repo_paths import SEED, SEED_TEXT

    monkeypatch.chdir(tmp_path)
    (tmp_path / "counts.csv").write_text("Tendered\n274000\n", encoding="utf-8")
    counts = SEED_TEXT.replace("tendered = 274000\nguaranteed_delivery = 3500\nfailed_delivery = 0\n",
                               'file = "counts.csv"\n')
    assert 'file = "counts.csv"' in counts
    (tmp_path / "offer.toml").write_text(counts, encoding="utf-8")
    said = ("counts.csv: has no guaranteed delivery column: its count is taken as 0 (add the column if the agent's "
            "count has any)")
    assert main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "--json"]) == 0
    out, err = capsys.readouterr()
    assert f"xlpy build: warning: {said}\n" in err and said in json.loads(out)["warnings"], err
    wb = load_workbook("book.xlsm")
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    assert wb[lay.cell("GuaranteedDelivery")[0]][lay.cell("GuaranteedDelivery")[1]].value == 0
    # the workbook of the offer file's 3,500 carried: named as a refresh of a holder workbook names History's
    assert main(["build", str(SEED), "-o", "old.xlsm", "--no-validate", "-q"]) == 0
    capsys.readouterr()
    assert main(["build", "offer.toml", "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "-q"]) == 0
    err = capsys.readouterr().err
    assert ("xlpy build: warning: counts.csv: has no guaranteed delivery column: its count is taken as 0, where "
            "History's last row records 3,500 (add the column if the agent's count has any)") in err
    assert err.count("has no guaranteed delivery column") == 1, err  # (that line in place of the plain one)
    # --json's results say it as its warnings do: the plain line was kept in results.warnings
    assert main(["build", "offer.toml", "-o", "new.xlsm", "--history-from", "old.xlsm", "--no-validate", "--force",
                 "--no-backup", "--json"]) == 0
    built = json.loads(capsys.readouterr().out)
    assert [w for w in built["results"]["warnings"] if "guaranteed delivery" in w] == [
        w for w in built["warnings"] if "guaranteed delivery" in w] and "History's last row" in built["warnings"][0]
    # compute, release and entries read the same offer file: they say it too (compute --json in its warnings)
    for command in (["compute", "offer.toml"], ["release", "offer.toml"], ["entries", "offer.toml"]):
        assert main(command) == 0
        assert f"xlpy {command[0]}: warning: {said}\n" in capsys.readouterr().err, command
    assert main(["compute", "offer.toml", "--json"]) == 0
    assert said in json.loads(capsys.readouterr().out)["warnings"]
    # the same file given to a refresh of the workbook the offer file's counts built: the same words
    assert main(["refresh", "old.xlsm", "--tally", "counts.csv", "--no-backup", "-q"]) == 0
    assert ("xlpy refresh: warning: counts.csv: has no guaranteed delivery column: its count is taken as 0, where "
            "the workbook held 3,500 (add the column if the agent's count has any)") in capsys.readouterr().err
    # a final count without its failed delivery column: said; with both columns, nothing
    (tmp_path / "final.csv").write_text("Tendered,NGD\n274000,3500\n", encoding="utf-8")
    (tmp_path / "final.toml").write_text(counts.replace('file = "counts.csv"', 'file = "final.csv"\nfinal = true'),
                                         encoding="utf-8")
    assert main(["build", "final.toml", "-o", "final.xlsm", "--no-validate", "-q"]) == 0
    err = capsys.readouterr().err
    assert ("xlpy build: warning: final.csv: has no failed delivery column: its count is taken as 0 (add the column "
            "if the agent's count has any)\n") in err and "guaranteed" not in err, err
    (tmp_path / "final.csv").write_text("Tendered,NGD,Failed\n274000,3500,0\n", encoding="utf-8")
    assert main(["build", "final.toml", "-o", "again.xlsm", "--no-validate", "-q"]) == 0
    assert "column" not in capsys.readouterr().err


def test_a_count_files_record_blanked_with_its_sha256_is_said_from_history(standard_books, tmp_path, capsys):
    """Review 83: the count file's record blanked with the SHA-256 beside it looked like counts typed in, and the
    comparison went off without a word (a count typed over since: 'valid', no note).  History's last row still
    records the count file the counts were read from: a note names the Cover's cell and that file."""
    book = _refreshed_from_counts(standard_books, tmp_path, capsys)
    digest = hashlib.sha256((tmp_path / "counts.csv").read_bytes()).hexdigest()
    cells = _typed(book, Tendered=280500, TallySource=None, TallySha256=None)
    record, _ = _sources(validate(book, legs=()))  # (the count file beside it: held to it, review 143)
    assert record.endswith(f": expected counts.csv ({digest[:12]}...), found blank (blank) [sources]"), record
    (tmp_path / "counts.csv").rename(tmp_path / "counts-kept.csv")  # (none of History's beside it: a note)
    report = validate(book, legs=())
    assert _sources(report) == []
    [note] = [n for n in report.notes if n.startswith("Tenders (the aggregate counts)")]
    assert note.startswith(f"Tenders (the aggregate counts): not compared with a file: the Cover records none "
                           f"({cells['TallySource']} is blank), though History's last row (")
    assert note.endswith(f") records the count file counts.csv (SHA-256 {digest[:12]}...) the counts were read from: "
                         "the record blanked or typed over since? put the file's name and SHA-256 back on the Cover "
                         "as History has them (the counts are then compared with it), or refresh the workbook with "
                         "--tally and that file")
    _typed(book, TallySource="aggregate counts in the offer file")  # (typed over with the build's words: alike)
    assert any("(Cover!C23 says 'aggregate counts in the offer file'), though History's last row" in n
               for n in validate(book, legs=()).notes)


def test_counts_of_the_offer_file_or_typed_in_are_not_said_from_history(standard_books, tmp_path):
    """A workbook of the offer file's counts (History's rows name none) or one built with no record at all (the
    Python API's): nothing to compare, and nothing said."""
    for kind in ("seed", "plain"):
        folder = tmp_path / kind
        folder.mkdir()
        book = standard_books.copy_into(kind, folder)
        _typed(book, Tendered=280500)
        assert not any("count file" in n or "not compared" in n for n in validate(book, legs=()).notes), kind


def test_a_holder_tables_record_blanked_is_said_from_history_as_a_count_files_is(standard_books, tmp_path):
    """Review 122 M1: a holder line deleted (the table, its names and the layout's count edited to fit) and the
    Cover's tally record blanked read as a table typed in, 'not compared with a file', while History's last row
    still named the tally it was read from, as the aggregate counts' note says."""
    def blank(wb, lay):
        for key in ("TallySource", "TallySha256"):
            sheet, ref = lay.cell(key)
            wb[sheet][ref] = None
        ws = wb["Tenders"]
        ws[_units(wb, lay, 1)] = ws[_units(wb, lay, 1)].value + 100

    book = _edited(standard_books, tmp_path, blank)
    digest = hashlib.sha256((book.parent / TALLY).read_bytes()).hexdigest()
    record, table = _sources(validate(book, legs=()))  # (the tally beside it: held to it, review 143)
    assert record.endswith(f": expected {TALLY} ({digest[:12]}...), found blank (blank) [sources]"), record
    assert "differs from the tally History's last row records" in table, table
    (book.parent / TALLY).rename(book.parent / "kept.csv")  # (none of History's beside it: a note)
    [note] = [n for n in validate(book, legs=()).notes if n.startswith("Tenders (the holder table)")]
    assert note.startswith("Tenders (the holder table): not compared with a file: the Cover records none (Cover!C23 "
                           "is blank), though History's last row ("), note
    assert note.endswith(f") records the tally file {TALLY} (SHA-256 {digest[:12]}...) the table was read from: the "
                         "record blanked or typed over since? put the file's name and SHA-256 back on the Cover as "
                         "History has them (the table is then compared with it), or refresh the workbook with --tally "
                         "and that file"), note


def test_a_record_typed_over_is_held_to_historys_file_beside_the_workbook(standard_books, tmp_path):
    """Review 143, HIGH: a unit typed into the holder table was a finding until the Cover's SHA-256 of the tally was
    typed over too: then a note alone, and 'valid' for figures that were not the file's.  History's last row records
    the file the table was read from, beside the workbook byte for byte: the table is held to it, and the record
    named.  A price file's record naming another file than History's is not (a refresh from prices that moved no
    figure adds no History row, so the Cover may name a newer price file): a note, as before."""
    def typed(wb, lay):
        wb["Tenders"][_units(wb, lay, 2)] = wb["Tenders"][_units(wb, lay, 2)].value + 10000
        for key, value in (("TallySha256", "0" * 64), ("PriceSha256", "1" * 64)):
            sheet, ref = lay.cell(key)
            wb[sheet][ref] = value

    book = _edited(standard_books, tmp_path, typed)
    found = _sources(validate(book, legs=()))
    assert [f.split(": the Cover's record")[0] for f in (found[0], found[2])] == [
        "book.xlsm: Cover!C23 (the tally)", "book.xlsm: Cover!C26 (the price file)"], found
    assert found[0].endswith("found hecla-2004-tally.csv (000000000000...) [sources]"), found[0]
    assert found[2].endswith("found hecla-2004-prices-illustrative.csv (111111111111...) [sources]"), found[2]
    assert len(found) == 3 and "differs from the tally History's last row records" in found[1], found

    def renamed(wb, lay):
        sheet, ref = lay.cell("PriceSource")
        wb[sheet][ref] = "prices-newer.csv"

    (tmp_path / "other").mkdir()
    book = _edited(standard_books, tmp_path / "other", renamed)
    report = validate(book, legs=())
    assert _sources(report) == [] and any(n.startswith("Prices (the price table): not compared with the price file "
                                                       "the Cover records (prices-newer.csv)") for n in report.notes)
