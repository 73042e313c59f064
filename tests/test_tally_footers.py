"""A tally's footer no totals word names, and a tally there twice (review 96): `Overall`, `Σ`, `All` or `Net
tendered` under the lines, their units added up, was one more holder (the count and the charge doubled, no word
said); a file whose lines were pasted twice counted every unit twice."""

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
    return (f"looks like a totals row, not a holder: its units are those of {rows} added up; delete it if it is one; "
            + WAY_OUT.format(f'"{holder}"'))


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
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Holder", "Shares", "Method", "Status"])
    for row in (["A", 1500, "DTC", "tendered"], ["B", 250, "DTC", "withdrawn"], ["Overall", 1750, "DTC", "tendered"],
                ["Total", 3500, "DTC", "tendered"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert [p.split(": looks like")[0] for p in problems(tmp_path / "t.xlsx")] == [
        "t.xlsx: row 4, column Holder", "t.xlsx: row 5, column Holder"]
    assert problems(tmp_path / "t.xlsx")[0] == f"t.xlsx: row 4, column Holder: {added('rows 2 to 3', 'Overall')}, " \
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
