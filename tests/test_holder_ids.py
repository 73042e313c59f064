"""Holder ids no agent meant, refused by their rows (review 63: a zero-width space split one holder in two and moved
the shares, the cash in lieu and the charge; ``#REF!`` error cells became one holder, their units added; a date
and TRUE were holders)."""

from __future__ import annotations

import datetime as dt

import pytest

from xlpy.engine.errors import InputErrors
from xlpy.files import sources

HEADER = "holder_id,units,method,status\n"
LINE = ",{units},book-entry,tendered\n"


def problems(path) -> list[str]:
    with pytest.raises(InputErrors) as info:
        sources.read_tally(path)
    return [str(p) for p in info.value.problems]


def tally(tmp_path, *ids: str):
    path = tmp_path / "t.csv"
    # (10, 100, 1000...: with 10, 20, 30 the last line would be a footer, the units of the lines above added up)
    path.write_text(HEADER + "".join(h + LINE.format(units=10 ** (k + 1)) for k, h in enumerate(ids)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("other, row, seen, named", [
    ("R-30020\u200b", 3, "R-30020", "U+200B (ZERO WIDTH SPACE)"),
    ("R\u201130020", 3, "R-30020", "U+2011 (NON-BREAKING HYPHEN)"),
    ("D\u0422C-0022", 2, "DTC-0022", "U+0422 (CYRILLIC CAPITAL LETTER TE)"),
    ("R-30020\u00ad", 3, "R-30020", "U+00AD (SOFT HYPHEN)"),
])
def test_an_id_that_prints_as_another_line_s_is_refused_naming_that_line(tmp_path, other, row, seen, named):
    assert problems(tally(tmp_path, "DTC-0022", "R-30020", other)) == [
        f"t.csv: row 4, column holder_id: looks like the holder id on row {row} ({seen!r}) but differs in {named}: "
        f"the two would count as two holders; give the one id on both lines, got {other!r}"]


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u202a", "\u2067", "\u2069"])
def test_an_id_holding_a_control_that_reorders_what_it_shows_is_refused(tmp_path, control):
    """Review 119 M3: ``DTC-\u202e2200`` shows as ``DTC-0022`` beside the real DTC-0022 and was taken as another
    holder (the controls that reorder text: overrides, embeddings, isolates; look-alikes drop them unseen)."""
    import unicodedata

    other = f"DTC-{control}2200"
    named = f"U+{ord(control):04X} ({unicodedata.name(control)})"
    assert problems(tally(tmp_path, "DTC-0022", "R-30020", other)) == [
        f"t.csv: row 4, column holder_id: holds {named}, a control of the order text is shown in, which may show its "
        f"characters in another order than they are held: give the id without it, got {other!r}"]
    # the marks that reorder nothing of their own stay for names written right to left
    assert len(sources.read_tally(tally(tmp_path, "DTC-0022", "\u05d3\u05d5\u05d3\u200f")).holder_id) == 2


def test_an_accent_written_two_ways_is_one_id_refused_and_other_letters_are_other_holders(tmp_path):
    composed, decomposed = "Z\u00fcrich", "Zu\u0308rich"
    said = problems(tally(tmp_path, composed, decomposed))
    assert said == [f"t.csv: row 3, column holder_id: looks like the holder id on row 2 ({composed!r}) but differs in "
                    "U+00FC (LATIN SMALL LETTER U WITH DIAERESIS), U+0308 (COMBINING DIAERESIS): the two would count "
                    f"as two holders; give the one id on both lines, got {decomposed!r}"]
    table = sources.read_tally(tally(tmp_path, "Zürich", "Zurich", "Müller", "Muller", "Rx", "R\u0445y"))
    assert len(table) == 6  # other names, and a Cyrillic letter in an id no other line resembles


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#name?"])
def test_an_excel_error_exported_as_text_is_no_holder(tmp_path, error):
    assert problems(tally(tmp_path, "DTC-0022", error)) == [
        f"t.csv: row 3, column holder_id: is an Excel error saved as a value (a lookup or formula that failed): give "
        f"the holder's id, got {error!r}"]


def test_error_date_and_boolean_cells_of_an_xlsx_tally_are_no_holders(tmp_path):
    """A date cell is shown as its day, one with a time with it (a review: '2004-02-20T00:00:00')."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["holder_id", "units", "method", "status"])
    for holder in ("A1", "#REF!", "#REF!", dt.datetime(2004, 2, 20), True, 12345, dt.datetime(2004, 2, 20, 14, 30)):
        ws.append([holder, 10, "book-entry", "tendered"])
    assert ws["A3"].data_type == "e"  # (an error cell, as Excel saves #REF!)
    wb.save(tmp_path / "t.xlsx")
    error = "is an Excel error saved as a value (a lookup or formula that failed): give the holder's id, got '#REF!'"
    assert problems(tmp_path / "t.xlsx") == [
        f"t.xlsx: row 3, column holder_id: {error}",
        f"t.xlsx: row 4, column holder_id: {error}",
        "t.xlsx: row 5, column holder_id: is a date, not a holder's id (Excel reads an account number such as "
        "2-20-2004 as one): format the column as Text, enter the ids again, and save the tally again, got "
        "2004-02-20",
        "t.xlsx: row 6, column holder_id: is TRUE or FALSE, not a holder's id: give the holder's id, got true",
        "t.xlsx: row 8, column holder_id: is a date, not a holder's id (Excel reads an account number such as "
        "2-20-2004 as one): format the column as Text, enter the ids again, and save the tally again, got "
        "2004-02-20 14:30:00"]


def test_a_whole_number_an_xlsx_tally_stores_with_a_decimal_point_is_the_id_excel_shows(tmp_path):
    """A writer that stores the account number 30020 as ``<v>30020.0</v>`` (a float's text; Excel writes 30020): the
    id read was '30020.0', another holder than the 30020 Excel shows, and than the same number stored as 30020."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    for row in (("holder_id", "units", "method", "status"), (30020, 5, "book-entry", "tendered"),
                (40040, 7, "book-entry", "tendered"), ("A-1", 1, "book-entry", "tendered")):
        wb.active.append(row)
    wb.save(tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as src, zipfile.ZipFile(tmp_path / "t.xlsx", "w") as out:
        for name in src.namelist():
            data = src.read(name)
            out.writestr(name, data.replace(b"<v>30020</v>", b"<v>30020.0</v>") if "worksheets/" in name else data)
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        assert b"<v>30020.0</v>" in z.read("xl/worksheets/sheet1.xml")
    assert sources.read_tally(tmp_path / "t.xlsx").holder_id == ("30020", "40040", "A-1")


def _stored_ids(path, *stored: bytes):
    """An XLSX tally whose holder ids are numbers stored as *stored* (``b"30020.0"``), a writer's text of a float, and
    a last line of 'A-1'."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(("holder_id", "units", "method", "status"))
    for k, _ in enumerate(stored, start=1):
        wb.active.append((k, 10 ** k, "book-entry", "tendered"))
    wb.active.append(("A-1", 1, "book-entry", "tendered"))
    wb.save(path.with_name("w.xlsx"))
    with zipfile.ZipFile(path.with_name("w.xlsx")) as src, zipfile.ZipFile(path, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            for k, v in enumerate(stored, start=1):
                data = data.replace(b'r="A%d" t="n"><v>%d</v>' % (k + 1, k), b'r="A%d" t="n"><v>%s</v>' % (k + 1, v))
            out.writestr(name, data)
    with zipfile.ZipFile(path) as z:
        assert all(b"<v>%s</v>" % v in z.read("xl/worksheets/sheet1.xml") for v in stored)
    return path


def test_an_xlsx_tally_s_id_stored_as_a_float_past_exact_is_refused_by_its_row(tmp_path):
    """From 2**53 on a float is a whole number whatever was typed, its last digits lost: a writer's
    ``<v>9007199254740992.0</v>`` was read as the holder '9007199254740992.0' without a word (review 101), where the
    workbook's reader refuses the same value; it is refused in the workbook's words, as is one whose text has an
    exponent (called a number Excel has shown in scientific notation), and the largest exact one is read."""
    path = _stored_ids(tmp_path / "t.xlsx", b"9007199254740991.0", b"9007199254740992.0", b"-9007199254740994.0",
                       b"1.2345678901234568E+16", b"9.007199254740994e15", b"1.0E15")
    why = ("is a number too long to be read as text exactly (its last digits are lost): format the column as Text, "
           "enter the account numbers again, and save the tally again")
    assert problems(path) == [f"t.xlsx: row {row}, column holder_id: {why}, got {got}" for row, got in (
        (3, "9007199254740992.0"), (4, "-9007199254740994.0"), (5, "1.2345678901234568e+16"),
        (6, "9007199254740994.0"))]
    path = _stored_ids(tmp_path / "t.xlsx", b"9007199254740991.0", b"-9007199254740991.0", b"1.0E15")
    assert sources.read_tally(path).holder_id == ("9007199254740991", "-9007199254740991", "1000000000000000", "A-1")


def test_the_seed_tally_with_a_zero_width_space_is_refused_by_compute(tmp_path, capsys):
    """The review's case: compute gave 2,175,555 shares and $41.55 of cash in lieu, not 2,175,556 and $33.24."""
    import shutil

    from repo_paths import DATA, FORMULA, TALLY

    from xlpy import cli

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    lines = (tmp_path / "data" / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    holder = lines[296].split(",")[0]
    assert sum(line.startswith(holder + ",") for line in lines) == 2  # (one holder on two lines)
    lines[296] = lines[296].replace(holder, holder + "\u200b", 1)
    (tmp_path / "data" / TALLY).write_text("".join(lines), encoding="utf-8")
    assert cli.main(["compute", str(tmp_path / "offer.toml")]) == 2
    err = capsys.readouterr().err
    assert f"{TALLY}: row 297, column holder_id: looks like the holder id on row " in err, err


def test_ids_apart_only_in_letter_case_are_warned_of_by_compute_and_named_by_the_file_s_header(tmp_path, capsys):
    """Review 118 M4 and a LOW: compute, release and entries counted ``CITADEL`` and ``Citadel`` as two holders
    without a word, where build and refresh refuse the tally, so a release drafted from compute gave figures the
    workbook would not allow; and the refusal named ``column holder_id`` where the tally's header is ``Holder Name``
    (its other refusals name the header)."""
    import shutil

    from repo_paths import DATA, FORMULA, TALLY

    from xlpy import cli

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    lines = (tmp_path / "data" / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines[1].split(",")[0]
    lines[0] = lines[0].replace("holder_id", "Holder Name", 1)
    lines += [f"{first.lower()},100,book-entry,tendered\n", f"{first.lower()},200,book-entry,tendered\n"]
    (tmp_path / "data" / TALLY).write_text("".join(lines), encoding="utf-8")
    for command in ("compute", "release", "entries"):
        assert cli.main([command, str(tmp_path / "offer.toml")]) == 0
        err = capsys.readouterr().err
        assert (f"xlpy {command}: warning: data/{TALLY}: row {len(lines) - 1}, column Holder Name: differs from the "
                f"holder id on row 2 ({first!r}) only in letter case: " in err), err
        assert f", got {first.lower()!r}; and 1 more line(s) so (these figures count them as two holders; build and " \
               "refresh refuse the tally)\n" in err, err
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(tmp_path / "b.xlsm"), "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert f"tally.file: data/{TALLY}: row {len(lines) - 1}, column Holder Name: differs from the holder id on row 2" \
        in err, err  # (as the offer file and compute's warning write the file)
    assert not (tmp_path / "b.xlsm").exists()
    lines[-2:] = []  # (none: no warning)
    (tmp_path / "data" / TALLY).write_text("".join(lines), encoding="utf-8")
    assert cli.main(["compute", str(tmp_path / "offer.toml")]) == 0
    assert "letter case" not in capsys.readouterr().err


@pytest.mark.parametrize("control", [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]])
def test_every_bidi_control_is_refused_once(control):
    """Review 121: each control that reorders text as shown, or ends a reordering, is refused, once (one beside
    the id it looks like was refused twice, also as looking like it); the marks are not."""
    from xlpy.files.holder_ids import odd_ids

    for ids in (["DTC-0022", f"DTC-{control}2200"], ["DTC-0022", f"DTC-{control}0022"]):
        out = odd_ids(ids, ids, None, lambda i: i + 2)
        assert [i for i, _ in out] == [1] and f"U+{ord(control):04X}" in out[0][1], out
    for mark in ("\u200e", "\u200f", "\u061c"):
        ids = ["DTC-0022", f"\u05d3\u05d5\u05d3{mark}"]
        assert not [w for _, w in odd_ids(ids, ids, None, lambda i: i + 2) if "order text is shown" in w]


def test_one_case_twin_after_a_blank_row_is_named_by_its_row_and_alone(tmp_path):
    """Review 121: the warning's row is the file's (a blank row skipped), and one pair says no more."""
    from xlpy.files.holder_ids import case_twins_warning

    p = tmp_path / "t.csv"
    p.write_text("holder_id,units,method,status\nR-1,5,book-entry,tendered\n\nDTC-0101,100,book-entry,tendered\n"
                 "R-2,3,book-entry,tendered\ndtc-0101,7,book-entry,tendered\n", encoding="utf-8")
    assert case_twins_warning(sources.read_tally(p)) == (
        "t.csv: row 6, column holder_id: differs from the holder id on row 4 ('DTC-0101') only in letter case: Excel "
        "compares text without regard to case and would count the two lines as one holder, the engine as two; spell "
        "them alike if they are one holder, or make them differ otherwise, got 'dtc-0101' (these figures count them "
        "as two holders; build and refresh refuse the tally)")


def test_a_control_character_is_refused_once_a_cell_ascii_or_not_nul_too(tmp_path):
    """Review 176: a NUL inside an id of an ASCII tally passed ``compute`` (NUL joins the ids the fast check reads),
    and an id holding a line break and a tab was refused twice, once for each."""
    path = tmp_path / "t.csv"
    for other in ("DTC-0003", "Société-0003"):  # (an ASCII tally, and one with an accent: the two checks)
        path.write_bytes((HEADER + "DTC\x00-0001,5,book-entry,tendered\n"
                          '"DTC\n-00\t02",5,book-entry,tendered\n' + other + ",5,book-entry,tendered\n"
                          ).encode("utf-8"))
        said = sorted(p.split(": ", 1)[1] for p in problems(path))
        assert said[0] == "row 2, column holder_id: holds a control character (U+0000), which a workbook cannot "\
            "store, got 'DTC\\x00-0001'", said
        assert len(said) == 2 and said[1].startswith("row 3, column holder_id: holds a line break"), said


def test_the_ids_check_refuses_what_one_line_text_refuses_but_line_breaks():
    """The holder ids' quick pattern and :func:`~xlpy.files.typed.unstorable` (one-line text) agree on every
    character of the Basic Multilingual Plane, line breaks aside (the reader's own words say those)."""
    from xlpy.files import holder_ids, typed

    differ = [hex(c) for c in range(0x10000) if chr(c) not in "\r\n" and
              bool(holder_ids._CONTROLLED.match(chr(c))) != bool(typed.unstorable(chr(c), controls=True))]
    assert differ == []
    assert typed.unstorable("\r", controls=True) and not holder_ids._CONTROLLED.match("\r")


def test_an_id_written_as_a_formula_is_refused_saying_what_it_shows(tmp_path):
    """Review 174: ``="R-ODD"``, an export's way to keep leading zeros, which a spreadsheet shows as R-ODD, was read
    with its wrapper: beside a line of R-ODD, a holder of its own (common issued, cash in lieu and charge moved),
    without a word.  An id merely holding ``="`` elsewhere is an id."""
    path = tally(tmp_path, "R-ODD", '="R-ODD"', 'A="B"C')
    path.write_text(path.read_text(encoding="utf-8").replace('="R-ODD"', '"=""R-ODD"""').replace(
        'A="B"C', '"A=""B""C"'), encoding="utf-8")  # (as a CSV writer quotes them)
    assert problems(path) == [
        "t.csv: row 3, column holder_id: is written as a formula, an export's way to keep leading zeros, which a "
        "spreadsheet shows as 'R-ODD' and the engine would count apart from 'R-ODD': give the id as 'R-ODD' (open "
        "the file in Excel and save it as CSV again), got '=\"R-ODD\"'"]
