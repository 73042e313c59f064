"""A tally's footer no totals word names, and a tally there twice (review 96): `Overall`, `Σ`, `All` or `Net
tendered` under the lines, their units added up, was one more holder (the count and the charge doubled, no word
said); a file whose lines were pasted twice counted every unit twice.  Review 97: the rule refused plain tallies of
three to five holders (1,000, 2,000 and 3,000; a holder's withdrawn units added in; a holder's second line), so a
last line written as a holder's is judged over ten lines or more, and one of a holder's id above it never."""

from __future__ import annotations

import pytest

from xlpy.engine import InputErrors
from xlpy.files import sources

HEADER = "holder_id,units,method,status\n"
WAY_OUT = "if it is a holder, name it in a mapping file's [holders] not_totals list (not_totals = [{}])"


def problems(path, mapping=None) -> list[str]:
    with pytest.raises(InputErrors) as info:
        sources.read_tally(path, mapping)
    return [str(p) for p in info.value.problems]


def write(tmp_path, body: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def agent_lines(n: int = 50) -> list[tuple[str, int]]:
    return [(f"DTC-{k:04d}", 100 * (k % 7 + 1) + 50 * (k % 3)) for k in range(n)]


def body(lines, method: str = "book-entry", status: str = "tendered") -> str:
    return HEADER + "".join(f"{h},{u},{method},{status}\n" for h, u in lines)


def added(rows: str, holder: str) -> str:
    return (f"looks like a totals row at the foot of the tally, not a holder: its units are those of {rows} added up; "
            "delete it if it is a totals row; " + WAY_OUT.format(f'"{holder}"'))


DEFAULTS = '[defaults]\nmethod = "book-entry"\nstatus = "tendered"\n'


def defaults(tmp_path, more: str = ""):
    return sources.read_mapping(write(tmp_path, DEFAULTS + more, "map.toml"))


def read(path, mapping=None) -> tuple:
    return sources.read_tally(path, mapping).units


@pytest.mark.parametrize("footer", ["Overall", "Σ", "All", "Net tendered", "DTC-9999", "Holders"])
def test_a_last_line_of_the_units_of_all_the_lines_above_added_up_is_refused_whatever_its_id(tmp_path, footer):
    lines = agent_lines()
    total = sum(u for _, u in lines)
    path = write(tmp_path, body(lines + [(footer, total)]))
    assert problems(path) == [f"t.csv: row 52, column holder_id: {added('rows 2 to 51', footer)}, got {footer!r}"]
    # the way out the message names: a holder whose units happen to be those of the rest
    mapping = sources.read_mapping(write(tmp_path, f'[holders]\nnot_totals = ["{footer.upper()}"]\n', "map.toml"))
    assert sources.read_tally(path, mapping).units[-1] == total
    # one unit other: a holder
    assert sources.read_tally(write(tmp_path, body(lines + [(footer, total + 1)]))).units[-1] == total + 1


def test_a_footer_under_totals_a_word_names_and_in_an_xlsx_tally_is_refused(tmp_path):
    """Its cells empty, the mapping's [defaults] filling them: judged over two lines, of the tendered ones too."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Holder", "Shares", "Method", "Status"])
    for row in (["A", 1500, "DTC", "tendered"], ["B", 250, "DTC", "withdrawn"], ["C", 500, "DTC", "tendered"],
                ["Overall", 2000, None, None], ["Total", 4250, None, None]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    got = problems(tmp_path / "t.xlsx", defaults(tmp_path))
    assert [p.split(": looks like")[0] for p in got] == ["t.xlsx: row 5, column Holder", "t.xlsx: row 6, column Holder"]
    assert got[0] == f"t.xlsx: row 5, column Holder: {added('the tendered lines of rows 2 to 4', 'Overall')}, " \
                     "got 'Overall'"


@pytest.mark.parametrize("lines", [
    [("A", 100), ("B", 100)],  # a holder tendering what the one line above it did
    [("A", 100), ("B", 0), ("C", 100)],  # one line of some units above it
    [("A", 100), ("A", 200), ("A", 300)],  # the lines of its own id
    [("A", 100), ("B", 200), ("C", 250)],
])
def test_a_last_line_that_adds_up_fewer_than_two_other_lines_is_a_holder(tmp_path, lines):
    assert sources.read_tally(write(tmp_path, body(lines))).units == tuple(u for _, u in lines)


def test_a_tally_pasted_twice_is_refused_at_the_row_where_the_repeat_begins(tmp_path):
    lines = agent_lines(40)
    path = write(tmp_path, body(lines + lines))
    assert problems(path) == [
        "t.csv: row 42: begins the lines of rows 2 to 41 again, line for line (holder, units, method and status): "
        "the tally is there twice, pasted or exported twice, and every unit would count twice; delete rows 42 to 81"]
    # read as the mapping reads it: the agent's words and a blank line between the halves
    text = "Account,Shares,Type,Status\n" + "".join(f"{h},{u},DTC,valid\n" for h, u in lines)
    path = write(tmp_path, text + "\n" + text.split("\n", 1)[1])
    assert problems(path)[0].startswith("t.csv: row 43: begins the lines of rows 2 to 41 again, line for line")


@pytest.mark.parametrize("lines", [
    [("A", 100), ("A", 100)],  # a holder's two like instructions
    [("A", 100)] * 4,  # a holder's four certificates of 100
    [("A", 100), ("B", 200), ("A", 100), ("B", 200)],  # two holders' two like instructions each (review 97)
    [("A", 100), ("B", 200), ("A", 100)] * 2,  # and two distinct lines a half, however many
    [("A", 100), ("B", 200), ("A", 100), ("B", 250)],
    [("A", 100), ("B", 200), ("C", 100), ("A", 100), ("B", 200)],
])
def test_lines_that_repeat_but_not_the_whole_tally_line_for_line_are_holders(tmp_path, lines):
    assert sources.read_tally(write(tmp_path, body(lines))).units == tuple(u for _, u in lines)


def test_the_second_half_of_other_statuses_is_no_repeat(tmp_path):
    lines = agent_lines(10)
    path = write(tmp_path, body(lines) + body(lines, status="withdrawn").split("\n", 1)[1])
    table = sources.read_tally(path)
    assert table.status == ("tendered",) * 10 + ("withdrawn",) * 10


def test_review_96s_footer_under_the_example_tally_is_refused_written_or_empty(tmp_path):
    """`head -51` of the example tally, then `Overall,71800,book-entry,tendered`: the 50 lines' units added up,
    which doubled the units and the charge; under the whole tally, its cells empty (the mapping's [defaults]), of
    its tendered lines or of all of them."""
    from repo_paths import DATA, TALLY

    text = (DATA / TALLY).read_text(encoding="utf-8")
    head = "".join(text.splitlines(keepends=True)[:51])
    assert problems(write(tmp_path, head + "Overall,71800,book-entry,tendered\n")) == [
        f"t.csv: row 52, column holder_id: {added('rows 2 to 51', 'Overall')}, got 'Overall'"]
    table = sources.read_tally(DATA / TALLY)
    tendered = sum(u for u, s in zip(table.units, table.status) if s == "tendered")
    last = 2 + max(i for i, s in enumerate(table.status) if s == "tendered")  # (row 297: three withdrawn lines below)
    for units, rows in ((tendered, f"the tendered lines of rows 2 to {last}"), (sum(table.units), "rows 2 to 300")):
        for cells in (",book-entry,tendered", ",,"):
            got = problems(write(tmp_path, text + f"Overall,{units}{cells}\n"), defaults(tmp_path))
            assert got == [f"t.csv: row 301, column holder_id: {added(rows, 'Overall')}, got 'Overall'"], cells


def test_a_footer_without_an_id_is_told_to_be_deleted_not_named_a_holder(tmp_path):
    """Review 104: the agent's last line `,274000,,` (no label) was told to name its holder and, too, that if it was
    a holder, to name it in not_totals (not_totals = [""]): an empty id names no holder, so that way out is not
    given; "delete it if it is a totals row" is."""
    lines = agent_lines()
    total = sum(u for _, u in lines)
    said = problems(write(tmp_path, body(lines) + f",{total},book-entry,tendered\n"))
    foot = ("looks like a totals row at the foot of the tally, not a holder: its units are those of rows 2 to 51 "
            "added up; delete it if it is a totals row")
    assert said == ["t.csv: row 52, column holder_id: must name the holder, got ''",
                    f"t.csv: row 52, column holder_id: {foot}, got ''"]
    # a footer with an id keeps both ways out
    assert problems(write(tmp_path, body(lines + [("Overall", total)]))) == [
        f"t.csv: row 52, column holder_id: {added('rows 2 to 51', 'Overall')}, got 'Overall'"]


@pytest.mark.parametrize("lines", [
    [("DTC-0101", 1000), ("DTC-0202", 2000), ("DTC-0303", 3000)],
    [("A", 500), ("B", 500), ("C", 1000)],
    [("h1", 1), ("h2", 2), ("h3", 3), ("h4", 6), ("h5", 12)],  # sorted by units
    [(f"DTC-{k:04d}", 100) for k in range(9)] + [("DTC-9999", 900)],  # nine lines above
])
def test_a_last_line_written_as_a_holders_adding_up_fewer_than_ten_lines_is_a_holder(tmp_path, lines):
    """Review 97: three to five holders' round lots add up by chance (1 tally in 100 of three holders)."""
    assert read(write(tmp_path, body(lines))) == tuple(u for _, u in lines)
    ten = [(f"DTC-{k:04d}", 100) for k in range(10)]
    assert problems(write(tmp_path, body(ten + [("DTC-9999", 1000)])))[0].startswith(
        "t.csv: row 12, column holder_id: looks like a totals row at the foot of the tally")


def test_a_withdrawn_last_line_is_no_footer_nor_a_holders_line_over_a_withdrawn_one(tmp_path):
    """Review 97: `A 100 tendered, A 100 withdrawn, B 200 tendered` (the withdrawn units added into the sum) and
    `A 100, B 100 tendered, C 200 withdrawn` were refused; so, written as holders' lines, under ten lines or more."""
    for lines in ([("A", 100, "tendered"), ("A", 100, "withdrawn"), ("B", 200, "tendered")],
                  [("A", 100, "tendered"), ("B", 100, "tendered"), ("C", 200, "withdrawn")]):
        path = write(tmp_path, HEADER + "".join(f"{h},{u},book-entry,{s}\n" for h, u, s in lines))
        assert read(path) == (100, 100, 200)
    ten = HEADER + "".join(f"H{k},100,book-entry,{'withdrawn' if k % 5 else 'tendered'}\n" for k in range(50))
    assert read(write(tmp_path, ten + "Z,1000,book-entry,withdrawn\n"))[-1] == 1000  # (the tendered lines': 1,000)
    assert problems(write(tmp_path, ten + "Z,1000,book-entry,tendered\n")) == [
        f"t.csv: row 52, column holder_id: {added('the tendered lines of rows 2 to 47', 'Z')}, got 'Z'"]
    # its cells empty under holders' written ones, the mark of a footer: of all the lines, as a totals word's may be
    assert problems(write(tmp_path, HEADER + "A,100,book-entry,tendered\nA,100,book-entry,withdrawn\nB,200,,\n"),
                    defaults(tmp_path)) == [f"t.csv: row 4, column holder_id: {added('rows 2 to 3', 'B')}, got 'B'"]


def test_a_last_line_of_a_holders_id_above_it_is_that_holders(tmp_path):
    """Review 97: `A 100, B 100, A 200` (A tendering more) was judged a footer: it passed only when every line
    above was of its id.  No footer carries a listed holder's id."""
    for text in ("holder_id,units\nA,100\nB,100\nA,200\n", HEADER + "A,100,,\nB,100,,\nA,200,,\n"):
        assert read(write(tmp_path, text), defaults(tmp_path)) == (100, 100, 200)
    lines = agent_lines(20)
    total = sum(u for _, u in lines)
    assert read(write(tmp_path, body(lines + [(lines[7][0], total)])))[-1] == total


def test_a_last_line_with_no_written_method_and_status_is_judged_over_two_lines(tmp_path):
    """A tally without such columns, or a line of empty cells: its cells say nothing, so two lines decide, and the
    way out is the message's (delete it if it is a totals row, else name it in not_totals)."""
    path = write(tmp_path, "holder_id,units\nA,100\nB,200\nC,300\n")
    assert problems(path, defaults(tmp_path)) == [
        f"t.csv: row 4, column holder_id: {added('rows 2 to 3', 'C')}, got 'C'"]
    assert read(path, defaults(tmp_path, '[holders]\nnot_totals = ["C"]\n')) == (100, 200, 300)
    path = write(tmp_path, HEADER + "A,100,book-entry,tendered\nB,200,book-entry,tendered\nOverall,300,,\n")
    assert problems(path, defaults(tmp_path)) == [
        f"t.csv: row 4, column holder_id: {added('rows 2 to 3', 'Overall')}, got 'Overall'"]
    # without [defaults], beside its empty cells' problems
    assert problems(path)[0] == f"t.csv: row 4, column holder_id: {added('rows 2 to 3', 'Overall')}, got 'Overall'"


def test_a_refused_units_cell_leaves_the_last_line_unjudged(tmp_path):
    """Review 97: a refused cell counted 0 in the sum, so `A 100, B 50, C "1,00", D 150` named D a totals row
    beside C's real error."""
    path = write(tmp_path, HEADER + 'A,100,,\nB,50,,\nC,"1,00",,\nD,150,,\n')
    assert problems(path, defaults(tmp_path)) == ["t.csv: row 4, column units: must be a number, got '1,00'"]
