"""A refused tally's problems past the first 50: every kind found is shown, and the line counting the rest says
which columns they are in, in every command (review 91).

A units column bad on thousands of lines hid the unknown method words, status words and missing columns found
after it in the count (``and 99,950 more problems``): the agent's file was mended one kind at a time.
"""

from __future__ import annotations

from fake_excel import FakeBook
from refresh_books import built, holders  # noqa: F401  (the fixtures a refresh from Excel needs)
from test_offerfile import tally_case, write_case
from test_sources_hostile import HEADER, problems, tally

from xlpy import cli, macros
from xlpy.engine.errors import InputError, MoreProblems, capped
from xlpy.files import sources


def test_the_problems_shown_cover_every_kind_found_in_the_file(tmp_path):
    """3,000 bad units, then an unknown method word on five lines and an unknown status word: the method and
    status problems are shown among the 50, in the file's order, the units' rest counted by column."""
    bad = "".join(f"H{i},x{i},book-entry,tendered\n" for i in range(3000))
    later = "".join(f"W{i},10,wire,tendered\n" for i in range(5)) + "P1,10,book-entry,pending\n"
    said = problems(sources.read_tally, tally(tmp_path, HEADER + bad + later))
    assert len(said) == 51
    assert said[:48] == [f"t.csv: row {n}, column units: must be a number, got 'x{n - 2}'" for n in range(2, 50)]
    assert said[48].startswith("t.csv: rows 3002, 3003, 3004 and 2 more, column method: must be one of")
    assert said[49].startswith("t.csv: row 3007, column status: must be one of tendered, withdrawn, failed")
    assert said[50] == "t.csv: and 2,952 more problems, all in column units"


def test_a_missing_column_is_shown_past_the_bad_cells_before_it(tmp_path):
    """A tally with no status column (nor a default) and 200 bad units: the missing column is said, not counted."""
    path = tally(tmp_path, "holder_id,units,method\n" + "".join(f"H{i},-{i + 1},book-entry\n" for i in range(200)))
    said = problems(sources.read_tally, path)
    assert len(said) == 51 and said[-1] == "t.csv: and 151 more problems, all in column units"
    assert said[-2].startswith("t.csv: header: has no status column (expected one of: status, state")
    assert said[0] == "t.csv: row 2, column units: must not be negative, got -1"


def test_each_reason_in_a_column_is_shown_before_a_second_of_any(tmp_path):
    """Units written as text on 100 lines and negative on the next 100: an example of each is shown."""
    lines = ([f"H{i},x,book-entry,tendered\n" for i in range(100)]
             + [f"N{i},-5,book-entry,tendered\n" for i in range(100)])
    said = problems(sources.read_tally, tally(tmp_path, HEADER + "".join(lines)))
    assert len(said) == 51 and "t.csv: row 102, column units: must not be negative, got '-5'" in said
    assert said[-1] == "t.csv: and 150 more problems, all in column units"


def test_the_count_line_says_how_many_are_in_each_column(tmp_path):
    """100 bad units and 60 lines of no holder: the line counting the rest names each column's share."""
    lines = ([f"H{i},x,book-entry,tendered\n" for i in range(100)]
             + [f",{i + 1},book-entry,tendered\n" for i in range(60)])
    said = problems(sources.read_tally, tally(tmp_path, HEADER + "".join(lines)))
    assert said[-1] == "t.csv: and 110 more problems: 51 in column units, 59 in column holder_id"
    assert "t.csv: row 102, column holder_id: must name the holder, got ''" in said


def test_capping_again_keeps_the_columns_of_those_counted():
    """A refresh caps the reader's 50 and its own problems again: the columns of the first count are kept, and
    those of a file other than the one the line names are said with it."""
    units = [InputError(f"t.csv: row {n}, column units", "x", "must be a number") for n in range(2, 102)]
    once = capped(units, 50)
    again = capped(once + [InputError(f"p.csv: row {n}, column price", "y", "bad") for n in range(2, 5)], 50)
    assert str(once[-1]) == "t.csv: and 50 more problems, all in column units"
    assert isinstance(again[-1], MoreProblems) and again[-1].count == 53
    assert str(again[-1]) == "and 53 more problems: 51 in column units of t.csv, 2 in column price of p.csv"
    assert str(again[0]).startswith("t.csv: row 2,") and any(p.field.startswith("p.csv") for p in again[:-1])


def test_a_line_break_and_many_bad_units_are_capped_once(tmp_path):
    """A holder id holding a line break, and 80 bad units after it: 50 problems and one count line (there were
    51 and two counting lines' worth: the two readers' capped lists were joined uncapped)."""
    body = HEADER + '"A\nB",10,book-entry,tendered\n' + "".join(f"H{i},x,book-entry,tendered\n" for i in range(80))
    said = problems(sources.read_tally, tally(tmp_path, body))
    assert len(said) == 51 and said[0].startswith("t.csv: row 2, column holder_id: holds a line break")
    assert said[-1] == "t.csv: and 31 more problems, all in column units"


def _twins(folder) -> None:
    """offer.toml and tally.csv in *folder*: 120 lines, 60 holder ids differing from the one before only in case."""
    rows = "".join(f"{'H' if i % 2 == 0 else 'h'}{i // 2:04d},10,book-entry,tendered\n" for i in range(120))
    write_case(tally_case("twins", rows, []), folder)


def test_a_build_counts_what_a_worksheet_cannot_hold_without_a_stray_ellipsis(tmp_path, capsys, monkeypatch):
    """Review 91: the line counting what a worksheet cannot hold past the first 50 read ``offer.toml: tally.file:
    tally.csv: ...: and 10 more problems`` in xlpy build (a refresh said it cleanly)."""
    _twins(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "offer.toml", "-o", "b.xlsm", "--no-validate"]) == 2
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 51 and not (tmp_path / "b.xlsm").exists()
    assert said[-1] == ("xlpy build: offer.toml: tally.file: tally.csv: and 10 more problems, all in column "
                        "holder_id")


def test_a_count_line_in_workbook_terms_stays_one():
    """A problem named in a workbook's terms (a refresh, a validation) is made again: a counting line among them
    stays one, its file said before it without the ``...``."""
    from xlpy.workbook import data as bookdata
    from xlpy.workbook.layout import Shape, layout

    more = capped([InputError(f"t.csv: row {n}, column units", "x", "bad") for n in range(2, 10)], 3)[-1]
    again = bookdata.in_workbook_terms(layout(Shape()), more.located("tally.file"))
    assert isinstance(again, MoreProblems) and again.count == 5
    assert str(again) == "t.csv: and 5 more problems, all in column units"


def test_a_refusal_in_excel_shows_every_kind_and_counts_all_the_rest(holders, monkeypatch):  # noqa: F811
    """The dialog lists 20 of the 50 a refresh shows: an unknown status after 100 bad units is among them, and
    the counting line counts those the reader counted too (it said "and 31 more problems" of 182), and says the
    command lists 50 of them, not all."""
    import xlwings

    from repo_paths import TALLY

    fake = FakeBook(holders)
    lines = "".join(f"A{i},-{i},book-entry,tendered\n" for i in range(1, 101)) + "Z1,5,book-entry,pending\n"
    (holders.parent / TALLY).write_text("holder_id,units,method,status\n" + lines, encoding="utf-8")
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: fake))
    macros.xlpy_refresh_tenders()
    title, text = fake.app.alerts[-1]
    shown = text.split("\n")[1:]
    assert title == "xlpy: refresh refused" and len(shown) == macros.SHOWN + 1, text
    assert any("row 102, column status: must be one of tendered" in line for line in shown[:-1]), text
    assert shown[-1] == (f"{TALLY}: and 81 more problems, all in column units (xlpy refresh on the workbook lists "
                         f"{sources.MAX_PROBLEMS} of them)")


def test_a_hundred_thousand_problems_are_capped_in_time():
    """Choosing the 50 by kind and counting the rest by column is linear: 100,000 problems of two columns, well
    under a second (a search of all for each kind took minutes)."""
    import time

    n = 100_000
    many = [InputError(f"t.csv: row {i}, column units", "x", "must be a number") for i in range(2, n + 2)]
    many.append(InputError(f"t.csv: row {n + 2}, column method", "wire", "must be one of"))
    start = time.perf_counter()
    out = capped(many, 50)
    assert time.perf_counter() - start < 2.0
    assert str(out[-1]) == f"t.csv: and {n - 49:,} more problems, all in column units"
    assert out[-2].field == f"t.csv: row {n + 2}, column method"


def test_a_word_counted_not_made_a_problem_keeps_its_column():
    """The lines a reader only counts (past 50 distinct words) are counted in their column."""
    from xlpy.engine.errors import Problems

    found = Problems(InputError(f"t.csv: row {n}, column units", "x", "bad") for n in range(2, 60))
    found.count_more("t.csv: column Status", 7)
    out = capped(found, 50)
    assert str(out[-1]) == "t.csv: and 15 more problems: 8 in column units, 7 in column Status"


def test_bad_units_past_50_of_a_reason_are_counted_and_each_value_read_once(tmp_path, monkeypatch):
    """A million bad units took 40 s and 900 MB to refuse, each a problem of its own and each read alike: the cells
    past 50 of one reason are counted in their column, and a value written on many lines is read once."""
    made, read = [], []

    class Counting(InputError):
        def __init__(self, *args, **kw):
            made.append(args[0])
            super().__init__(*args, **kw)

    real = sources.whole_cell
    monkeypatch.setattr(sources, "InputError", Counting)
    monkeypatch.setattr(sources, "whole_cell", lambda v, sep: read.append(v) or real(v, sep))
    lines = "".join(f"H{i},{('N/A', '1.5', '-3')[i % 3]},book-entry,tendered\n" for i in range(3000))
    said = problems(sources.read_tally, tally(tmp_path, HEADER + lines))
    assert sorted(read) == ["-3", "1.5", "N/A"] and len(made) == 150
    assert said[:3] == ["t.csv: row 2, column units: must be a number, got 'N/A'",
                        "t.csv: row 3, column units: must be a whole number, got '1.5'",
                        "t.csv: row 4, column units: must not be negative, got '-3'"]
    assert said[-1] == "t.csv: and 2,950 more problems, all in column units"


def test_a_failed_delivery_not_guaranteed_is_shown_past_many_bad_units(tmp_path):
    """Past 50 problems of any kind, the failed lines not guaranteed were only counted: none was shown, and the
    line counting them said only that they were in column status."""
    lines = "".join(f"H{i},{'x' if i % 2 else -5},book-entry,tendered\n" for i in range(200))
    said = problems(sources.read_tally, tally(tmp_path, HEADER + lines + "F1,10,book-entry,failed\n"))
    assert "t.csv: row 202, column status: only a guaranteed delivery can fail, got 'failed'" in said
    assert said[-1] == "t.csv: and 151 more problems, all in column units"


def test_a_counting_line_located_then_capped_again_counts_each_column_once():
    """A counting line located after its cap (``t.csv: ...``) kept the places it counts unlocated, so a cap of it
    with the located problems named one column two ways: ``11 in column units of t.csv, 30 in column units``."""
    once = capped([InputError(f"row {n}, column units", "x", "must be a number") for n in range(2, 82)], 50)
    located = [p.located("t.csv") for p in once]
    assert str(located[-1]) == "t.csv: and 30 more problems, all in column units"
    again = capped(located + [InputError(f"p.csv: row {n}, column price", "y", "bad") for n in (2, 3)], 40)
    assert isinstance(again[-1], MoreProblems) and again[-1].count == 42
    assert str(again[-1]) == "and 42 more problems: 41 in column units of t.csv, 1 in column price of p.csv"


def test_a_counting_line_reworded_names_the_places_it_counts_as_its_field_does():
    """A build names a tally by its name where its reader named it by its path: the places the line counts are
    named so too, and counted with the problems named so."""
    once = capped([InputError(f"in/t.csv: row {n}, column units", "x", "bad") for n in range(2, 62)], 50)
    named = [p.reworded("t.csv" + p.field.removeprefix("in/t.csv")) for p in once]
    assert named[-1].kinds == {"t.csv: column units": 10}
    again = capped(named + [InputError("p.csv: row 2, column price", "y", "bad")], 50)
    assert str(again[-1]) == "and 11 more problems, all in column units of t.csv"


def test_a_counting_line_named_by_paths_says_its_columns_so_unless_its_reason_is_another_s():
    """:meth:`MoreProblems.named` (a refresh naming a tally by the path given): each place it counts at named so,
    its columns of that file said so; a reason worded since by another (a dialog's) is kept as it was."""
    units = [InputError(f"t.csv: row {n}, column units", "x", "bad") for n in range(2, 62)]
    once = capped(units + [InputError("p.csv: row 2, column price", "y", "bad")], 50)
    assert str(once[-1]) == "and 11 more problems, all in column units of t.csv"

    def named(field):
        return "in/" + field if field.startswith("t.csv") else field

    said = once[-1].named(named)
    assert (said.count, said.kinds) == (11, {"in/t.csv: column units": 11})
    assert str(said) == "and 11 more problems, all in column units of in/t.csv"
    own = once[-1].reworded("...", "and 11 more (the log lists them)").named(named)
    assert (str(own), own.kinds) == ("and 11 more (the log lists them)", {"in/t.csv: column units": 11})


def test_a_problem_located_keeps_its_kind_and_all_it_holds():
    """A problem put after its file's name was made again of its field, value and reason alone: a
    :class:`BeforeRecords` lost the first day its calendar knows (``start`` None), which compute reads of it."""
    import datetime as dt

    from xlpy.engine.errors import BeforeRecords, Busy

    first = dt.date(1990, 1, 2)
    located = BeforeRecords("calendar", "XNYS", "has no sessions", start=first).located("offer.toml")
    assert (type(located), located.start) == (BeforeRecords, first)
    assert str(located) == "offer.toml: calendar: has no sessions, got 'XNYS'"
    busy = Busy("t.csv", None, "is open in Excel", show_value=False).located("offer.toml: tally.file")
    assert (type(busy), str(busy)) == (Busy, "offer.toml: tally.file: t.csv: is open in Excel")


def test_compute_prints_50_problems_in_all_with_the_offer_files_own(tmp_path, capsys, monkeypatch):
    """The offer file's own problems were printed besides the tally's 50 and the line counting the rest
    (53 lines); the 50 printed are of both, every kind among them, and one line counts all the rest, each column
    once, named by its file as the offer file names it."""
    case = tally_case("many", "".join(f"H{i},x{i},book-entry,tendered\n" for i in range(120)), [])
    case.offer = case.offer.replace("outstanding = 464777", "outstanding = -5").replace("price = 7.39", "price = -7.39")
    write_case(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compute", "offer.toml"]) == 2
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 51, said
    assert said[0] == "xlpy compute: offer.toml: offer.outstanding: must be a positive whole number, got -5"
    assert said[-2] == "xlpy compute: offer.toml: valuation.price: must be > 0, got -7.39"
    assert said[-1] == "xlpy compute: offer.toml: and 72 more problems, all in column units of tally.csv"
    assert sum("column units: must be a number" in line for line in said) == 48


def test_the_counting_line_under_json_has_the_file_for_its_field(tmp_path, capsys, monkeypatch):
    """Under ``--json``, the counting line's field was ``offer.toml: tally.file: tally.csv: ...``; it is the
    file the line is said after, or null when it names none, its message as printed."""
    import json

    from xlpy.cli.commands import refusal_json

    write_case(tally_case("many", "".join(f"H{i},x{i},book-entry,tendered\n" for i in range(120)), []), tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compute", "offer.toml", "--json"]) == 2
    out, err = capsys.readouterr()
    last = json.loads(out)["errors"][-1]
    assert last["field"] == "offer.toml: tally.file: tally.csv" and last["value"] is None
    assert last["message"] == "offer.toml: tally.file: tally.csv: and 70 more problems, all in column units"
    assert err.splitlines()[-1] == f"xlpy compute: {last['message']}"
    bare = capped([InputError("a", n, "bad") for n in range(3)], 1)
    assert refusal_json(bare, 2)["errors"][-1] == {
        "field": None, "value": None, "reason": "and 2 more problems", "message": "and 2 more problems", "busy": False}
    assert refusal_json(capped(bare, 1)[-1:], 2)["errors"][0]["field"] is None
    assert refusal_json([bare[-1].located("t.csv")], 2)["errors"][0]["field"] == "t.csv"


def test_a_failed_delivery_names_the_status_column_as_the_file_heads_it(tmp_path):
    """A line failed but not guaranteed was said to be in ``column status`` (and those past 50 counted
    there) where the agent's file heads it ``Tender Status`` or a mapping reads it from ``Estado``; the file's own
    header is named, as for its other problems."""
    lines = "".join(f"H{i},10,book-entry,failed\n" for i in range(60))
    said = problems(sources.read_tally, tally(tmp_path, "holder_id,units,method,Tender Status\n" + lines))
    assert said[0] == "t.csv: row 2, column Tender Status: only a guaranteed delivery can fail, got 'failed'"
    assert len(said) == 51 and said[-1] == "t.csv: and 10 more problems, all in column Tender Status"
    mapped = sources.ColumnMapping(columns={"status": "Estado"})
    said = problems(sources.read_tally, tally(tmp_path, "holder_id,units,method,Estado\n" + lines), mapped)
    assert said[0] == "t.csv: row 2, column Estado: only a guaranteed delivery can fail, got 'failed'"
    assert said[-1] == "t.csv: and 10 more problems, all in column Estado"


def test_a_failed_delivery_shows_its_status_cell_as_the_file_holds_it(tmp_path, capsys, monkeypatch):
    """A line failed but not a guaranteed delivery showed our word (``got 'failed'``), not the agent's cell
    (``Not Delivered``, ``UNDELIVERED``) the line is in the file as: read by columns at C speed (no guaranteed
    column), line by line (one), under ``--json``; an empty cell the mapping's ``[defaults]`` fills says so."""
    import json

    from test_offerfile import HOLDERS, Case

    lines = "H1,10,book-entry,Not Delivered\nH2,10,cert,UNDELIVERED\nH3,10,guaranteed,Failed Delivery\n"
    said = problems(sources.read_tally, tally(tmp_path, HEADER + lines))
    assert said == ["t.csv: row 2, column status: only a guaranteed delivery can fail, got 'Not Delivered'",
                    "t.csv: row 3, column status: only a guaranteed delivery can fail, got 'UNDELIVERED'"]
    marked = "holder_id,units,method,status,guaranteed\nH1,10,book-entry,failed delivery,N\nH2,10,,Not Delivered,Y\n"
    said = problems(sources.read_tally, tally(tmp_path, marked))
    assert said == ["t.csv: row 2, column status: only a guaranteed delivery can fail, got 'failed delivery'"]
    filled = sources.ColumnMapping(defaults={"status": "failed"})
    said = problems(sources.read_tally, tally(tmp_path, HEADER + "H1,10,book-entry,\nH2,10,book-entry,tendered\n"),
                    filled)
    assert said == ["t.csv: row 2, column status: only a guaranteed delivery can fail (the mapping file's [defaults] "
                    "status, failed, fills the empty cell), got ''"]
    case = Case("failed", HOLDERS, [], files={"tally.csv": HEADER + "H1,10,book-entry,Not Delivered\n"})
    write_case(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert cli.main(["compute", "offer.toml", "--json"]) == 2
    out = capsys.readouterr()
    assert out.err.splitlines() == ["xlpy compute: offer.toml: tally.file: tally.csv: row 2, column status: only a "
                                    "guaranteed delivery can fail, got 'Not Delivered'"]
    error = json.loads(out.out)["errors"][0]
    assert (error["field"], error["value"]) == ("offer.toml: tally.file: tally.csv: row 2, column status",
                                                "'Not Delivered'")


def test_a_failed_delivery_with_no_status_column_names_the_mappings_default(tmp_path):
    """A tally with no status column whose mapping's ``[defaults] status`` is ``failed`` was said to be wrong in
    ``column status``, which the file does not have (and the lines past 50 counted there): the default is named."""
    mapped = sources.ColumnMapping(defaults={"status": "failed"})
    said = problems(sources.read_tally, tally(tmp_path, "holder_id,units,method\nH1,10,guaranteed\nH2,10,cert\n"),
                    mapped)
    assert said == ["t.csv: row 3: only a guaranteed delivery can fail (the tally has no status column: the mapping "
                    "file's [defaults] status, failed, is every line's)"]
    lines = "".join(f"H{i},10\n" for i in range(60))
    mapped = sources.ColumnMapping(defaults={"status": "failed", "method": "book-entry"})
    said = problems(sources.read_tally, tally(tmp_path, "holder_id,units\n" + lines), mapped)
    assert len(said) == 51 and not any("column status" in line for line in said)
    assert said[0].startswith("t.csv: row 2: only a guaranteed delivery can fail (the tally has no status column")
    assert said[-1] == "t.csv: and 10 more problems"
