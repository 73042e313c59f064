"""Layout 14, what a controller must know at a glance: the Cover says whether the count is final or preliminary
(and what guaranteed deliveries it still holds open), its Macros note says the buttons need Windows desktop Excel,
and the Check sheet shows amber, not red, a FALSE that only says xlpy's functions are not loaded."""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from repo_paths import NOTES, ROOT

from xlpy.engine.release import count_status
from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
from xlpy.workbook.layout.cover import count_status_formula
from xlpy.workbook.validate import validate

PRELIMINARY = "preliminary: {} by guaranteed delivery not yet delivered"


@pytest.mark.parametrize("final, guaranteed, failed, kind, face, said", [
    (True, 3500, 0, "preferred", 50, "final"),
    (True, 1300, 300, "note", 1000, "final"),
    (False, 0, 0, "preferred", 50, "preliminary"),  # no guaranteed delivery: just preliminary
    (False, 3500, 3500, "note", 1000, "preliminary"),  # every one known to have failed
    (False, 3500, 0, "preferred", 50, PRELIMINARY.format("3,500 shares")),  # the seed (preferred: counted)
    (False, 1, 0, "preferred", None, PRELIMINARY.format("1 share")),
    (False, 1, 0, "note", None, PRELIMINARY.format("1 note")),
    (False, 1234567, 0, "note", None, PRELIMINARY.format("1,234,567 notes")),  # notes without a face: counted
    (False, 1300, 300, "note", 1000, PRELIMINARY.format("$1,000,000 principal")),  # with a face: in principal
    (False, 3, 0, "note", Decimal("1000.25"), PRELIMINARY.format("$3,000.75 principal")),
    (False, 2000000000000, 0, "note", 1, PRELIMINARY.format("$2,000,000,000,000 principal")),
])
def test_the_count_line_says_final_or_what_is_still_open_as_the_engine_does(final, guaranteed, failed, kind, face,
                                                                          said):
    """The Cover's native formula gives the engine's words, figures with literal separators (no machine's language
    reads them as its own), shares or notes counted as the release counts them, a notes offer with a face in
    principal (the `formulas` library as judge, ROUND as Excel rounds)."""
    import formulas

    from xlpy.workbook.formulas_access import register_functions

    offer = SimpleNamespace(kind=kind, face_per_unit=None if face is None else Decimal(face),
                            tally=SimpleNamespace(final=final))
    count = SimpleNamespace(units_guaranteed_delivery=guaranteed, units_failed_delivery=failed)
    assert count_status(offer, count) == said
    values = {"FinalCount": str(final).upper(), "GuaranteedDelivery": str(guaranteed), "FailedDelivery": str(failed),
              "Kind": f'"{kind}"', "FacePerUnit": '""' if face is None else str(face)}
    text = re.sub(r"\b(" + "|".join(values) + r")\b", lambda m: values[m.group(1)], count_status_formula())
    register_functions()
    got = formulas.Parser().ast(text)[1].compile()()
    assert str(got.item() if hasattr(got, "item") else got) == said


def _count_cell(book) -> tuple[str, str]:
    lay = layout(Shape.decode(load_workbook(book, read_only=True).defined_names[LAYOUT_NAME].attr_text))
    ((sheet, item, row),) = [(s.title, i, r) for s, _, i, r in lay.items("Cover") if i.key == "count.status"]
    assert sheet == "Cover" and item.label == "Count" and item.fmt == "text"
    return sheet, f"C{row}"


def test_the_seed_s_cover_says_its_count_is_preliminary_and_a_stale_or_doctored_line_is_a_finding(standard_books,
                                                                                                tmp_path):
    """The built-in example's build warns of a preliminary count with 3,500 shares by guaranteed delivery: its Cover
    says so beside the checks, saved with its formula; the validator ties the line to the engine, so a saved value
    left from another count, or a value typed over the formula, is a finding."""
    seed = standard_books["seed"]
    sheet, ref = _count_cell(seed)
    assert ref == "C6"  # under the checks line, above the charge it qualifies
    shown = load_workbook(seed, data_only=True)[sheet]
    assert (shown["B6"].value, shown[ref].value) == ("Count", PRELIMINARY.format("3,500 shares"))
    assert validate(seed, legs=()).findings == []
    stale = tmp_path / "stale.xlsm"
    with zipfile.ZipFile(seed) as z, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # (the Cover: the first sheet)
                data, n = re.subn(rb'(<c r="C6"[^>]*><f>[^<]*</f><v>)[^<]*(</v>)', rb"\1final\2", data)
                assert n == 1
            out.writestr(info, data)
    found = [str(f) for f in validate(stale, legs=()).findings]
    assert [f for f in found if "Cover!C6" in f and "saved value differs from the engine" in f
            and "preliminary: 3,500 shares" in f and "'final'" in f], found
    doctored = Path(shutil.copy(seed, tmp_path / "doctored.xlsm"))
    wb = load_workbook(doctored, keep_vba=True)
    wb[sheet][ref] = "final"
    wb.save(doctored)
    found = [str(f) for f in validate(doctored, legs=("formulas",)).findings]
    assert any(f.startswith("doctored.xlsm: Cover!C6: formula replaced by a value") for f in found), found


def test_a_preliminary_notes_offer_says_its_open_deliveries_in_principal_on_both_recalculations(tmp_path):
    """The capped notes example taken on a preliminary count: 1,300 notes by guaranteed delivery, 300 of them
    failed, a $1,000 face: the Cover says $1,000,000 principal still open, the engine's words, which the build saves
    and each recalculation (the `formulas` library, LibreOffice where installed) gives again."""
    from xlpy.files.offerfile import compute_file
    from xlpy.workbook.build import build_workbook

    (tmp_path / "data").mkdir()
    for f in (NOTES.parent / "data").iterdir():
        shutil.copy(f, tmp_path / "data" / f.name)
    text = NOTES.read_text(encoding="utf-8")
    assert text.count("\nfinal = true") == 1
    (tmp_path / "notes.toml").write_text(text.replace("\nfinal = true", "\nfinal = false"), encoding="utf-8")
    offer, results = compute_file(tmp_path / "notes.toml")
    book = build_workbook(offer, results, tmp_path / "notes.xlsm")
    sheet, ref = _count_cell(book)
    assert load_workbook(book, data_only=True)[sheet][ref].value == PRELIMINARY.format("$1,000,000 principal")
    report = validate(book, tmp_path / "notes.toml")
    assert report.findings == [], [str(f) for f in report.findings]


def _shown_fill(ws, ref: str, values: dict[str, bool]) -> str | None:
    """The fill Excel gives cell *ref* of Check from its conditional formats, the status cells holding *values*
    (by name): the rule of highest priority that holds (as a fill two rules set is taken from), else none."""
    import formulas

    rules = sorted((r for cf in ws.conditional_formatting if ref in str(cf.sqref).split() for r in cf.rules),
                   key=lambda r: r.priority)
    value = values[next(n for n, at in _status_cells(ws).items() if at == ref)]
    for rule in rules:
        if rule.type == "cellIs":
            holds = str(value).upper() == rule.formula[0]
        else:
            text = re.sub(r"\b(" + "|".join(values) + r")\b", lambda m: str(values[m.group(1)]).upper(),
                          rule.formula[0]).replace(ref, str(value).upper())
            got = formulas.Parser().ast("=" + text)[1].compile()()
            holds = bool(got.item() if hasattr(got, "item") else got)
        if holds:
            return rule.dxf.fill.fgColor.rgb[-6:]
    return None


def _status_cells(ws) -> dict[str, str]:
    names = ws.parent.defined_names
    return {n: next(iter(names[n].destinations))[1].replace("$", "")
            for n in ("FunctionsLoaded", "IdentitiesPass", "ChecksPass")}


GREEN, RED, AMBER = "C6EFCE", "FFC7CE", "FFEB9C"


@pytest.mark.parametrize("loaded, identities, checks, shown", [
    # Excel without xlpy's functions, the identities holding: a state (amber), as the Cover's "Identities hold;
    # tie-outs not run" says, not a failure
    (False, True, False, (AMBER, GREEN, AMBER)),
    # ... an identity failing: all checks pass is red, as the Cover's "CHECKS FAIL"
    (False, False, False, (AMBER, RED, RED)),
    # the functions loaded and a tie-out failing: red
    (True, True, False, (GREEN, GREEN, RED)),
    (True, True, True, (GREEN, GREEN, GREEN)),
])
def test_check_shows_functions_not_loaded_amber_and_a_failure_red(standard_books, loaded, identities, checks, shown):
    wb = load_workbook(standard_books["seed"])
    ws = wb["Check"]
    cells = _status_cells(ws)
    assert cells == {"FunctionsLoaded": "C5", "IdentitiesPass": "C6", "ChecksPass": "C7"}
    values = {"FunctionsLoaded": loaded, "IdentitiesPass": identities, "ChecksPass": checks}
    assert tuple(_shown_fill(ws, cells[n], values) for n in ("FunctionsLoaded", "IdentitiesPass", "ChecksPass")) \
        == shown


def test_the_macros_note_says_where_the_buttons_run_as_the_readme_does(standard_books):
    """The buttons run through xlwings, which only Windows desktop Excel has (README, "Excel on Mac and the web"):
    the Cover says so, and what to run elsewhere, in the two printed lines the note had."""
    from xlpy.workbook.build import CHARS_PER_WIDTH

    lay = layout(Shape())
    ((note, row),) = [(i.note, r) for _, b, i, r in lay.items("Cover") if i.label == "Macros"]
    assert "Windows desktop Excel only" in note and "on a Mac or the web" in note
    assert "`xlpy refresh WORKBOOK` in a terminal" in note
    assert len(note) <= 2 * 66 * CHARS_PER_WIDTH
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "server, which only Windows desktop Excel has" in readme
    assert "`xlpy refresh WORKBOOK`\nin a terminal" in readme
    assert load_workbook(standard_books["seed"])["Cover"][f"C{row}"].value == note


def test_the_functions_note_says_how_to_get_them_on_windows_and_on_a_mac_or_the_web(standard_books):
    """Review 75: the Cover's Functions note gave the desktop's route alone (Import Functions, Windows), where a Mac
    or Excel on the web gets the same functions through xlwings Lite (README, "Excel on Mac and the web")."""
    lay = layout(Shape())
    ((note, row),) = [(i.note, r) for _, b, i, r in lay.items("Cover") if i.label == "Functions"]
    assert "Windows desktop Excel: install xlpy and xlwings, then xlwings ribbon > Import Functions" in note
    assert "On a Mac or the web: xlwings Lite, with the project `xlpy lite` writes." in note
    assert "`xlpy lite` writes the worksheet functions as an xlwings\nLite project" in \
        (ROOT / "README.md").read_text(encoding="utf-8")
    assert load_workbook(standard_books["seed"])["Cover"][f"C{row}"].value == note
