"""A holder table written from its columns: the same XML as from its rows, each line's numbers its own.

The holder table's rows keep the columns they were zipped from
(:class:`xlpy.workbook.column_rows.ColumnRows`), and the table's XML writes a
column of whole numbers equal to one already written from that one's texts.
Both are shortcuts: these tests hold them to the long way round.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from xlpy.workbook.column_rows import ColumnRows, columns_of
from xlpy.workbook.layout import Shape, layout
from xlpy.workbook.table_xml import table_rows_xml


def holder_table(lines: int):
    return layout(Shape(tally="holders", holder_rows=lines)).table("tblTenders")[1]


def test_column_rows_are_the_rows_zipped_and_keep_their_columns():
    columns = (("a", "b", "c"), (2, 3, 4), (10, 20, 30))
    rows = ColumnRows(columns)
    assert rows == (("a", 2, 10), ("b", 3, 20), ("c", 4, 30))
    assert isinstance(rows, tuple) and rows[1] == ("b", 3, 20) and len(rows) == 3
    assert columns_of(rows, 3) is rows.columns
    assert columns_of(list(rows), 3) == list(columns)  # plain rows: transposed
    assert columns_of(rows, 4) == list(columns)  # another width asked: not its columns
    assert columns_of([], 2) == [(), ()]
    with pytest.raises(TypeError):
        rows[0] = ("z", 0, 0)  # as unchangeable as a tuple: its columns cannot go stale


def test_column_rows_take_an_iterator_column_once():
    rows = ColumnRows([iter(["x", "y"]), map(int, "12")])
    assert list(rows) == [("x", 1), ("y", 2)] and rows.columns == (("x", "y"), (1, 2))


def _cells(xml: str, letter: str) -> dict[int, str]:
    """Row -> the saved value text of column *letter*'s cells."""
    return {int(m[1]): m[2] for m in re.finditer(rf'<c r="{letter}(\d+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?'
                                                  r"<v>([^<]*)</v>", xml)}


@pytest.mark.parametrize("seed", range(16))
def test_a_column_like_another_but_for_one_line_writes_that_line_its_own(seed):
    """Formula columns equal to the units column, or to each other, but for one line (the first, a middle one, the
    last), as tuples or lists, of a few distinct numbers or many: every line's value is its own, and the XML is the
    same from columns as from rows."""
    rnd = random.Random(seed)
    n = (3, 7, 50, 50)[seed % 4]
    table = holder_table(n)
    ids = [f"H{i:04d}" for i in range(n)]
    top = (3, 999)[seed // 4 % 2]  # a few distinct sizes (each one's text made once) or many
    units = [rnd.randint(1, top) for _ in range(n)]
    columns = {"holder": ids, "line": [i + 2 for i in range(n)], "units": units,
               "method": [rnd.choice(["book-entry", "certificate"]) for _ in range(n)], "status": ["tendered"] * n}
    inputs = [c.key for c in table.columns if c.formula is None]
    rows = ColumnRows(columns[k] for k in inputs)
    saved = {}
    for c in table.columns:
        if c.formula is None:
            continue
        values = list(units)
        if rnd.random() < 0.6:
            values[rnd.choice([0, n // 2, n - 1])] += rnd.choice([1, -1, 10 ** 6])
        if c.key == "fraction":
            values = [Decimal(v % 7) / 10 for v in values]
        saved[c.key] = tuple(values) if rnd.random() < 0.5 else values
    styles = {}
    from_columns = table_rows_xml(table, rows, styles, 0, False, saved=saved)
    assert from_columns == table_rows_xml(table, list(rows), styles, 0, False, saved=saved)
    for c in table.columns:
        letter = table.letter(c.key)
        want = {table.first_row + i: str(v) for i, v in enumerate(saved[c.key] if c.formula else columns[c.key])}
        if c.key in ("holder", "method", "status"):  # inline text
            got = {int(m[1]): m[2] for m in re.finditer(rf'<c r="{letter}(\d+)"[^>]*><is><t>([^<]*)</t>', from_columns)}
        else:
            got = _cells(from_columns, letter)
        assert got == want, c.key


def test_a_table_as_its_tally_has_it_is_told_so_by_one_comparison(tmp_path, monkeypatch):
    """The tally's rows (a ColumnRows, a tuple) and the table's (a list) compare as lines: a table as the file has
    it is found so without matching its rows one by one (which took 0.4 s at 100,000 lines), and one value typed
    since is still found by that matching."""
    from holder_books import holder_book

    from xlpy.files.sources import ColumnMapping, read_tally
    from xlpy.workbook import typed_since
    from xlpy.workbook.backends import PackageBook
    from xlpy.workbook.data import holder_rows
    from xlpy.workbook.layout import LAYOUT_NAME

    book = holder_book(tmp_path, [(f"H{i:03d}", 100 + i) for i in range(40)], outstanding=1_000_000)
    rows = holder_rows(read_tally(tmp_path / "tally.csv", ColumnMapping()))
    assert isinstance(rows, ColumnRows)
    matched = typed_since._matched
    with PackageBook(book) as b:
        lay = layout(Shape.decode(b.name(LAYOUT_NAME).strip('"')))

        def refused(*args, **kwargs):
            raise AssertionError("the rows were matched one by one")

        monkeypatch.setattr(typed_since, "_matched", refused)
        assert typed_since.holder_cells(b, lay, rows) == ([], [], False)
        sheet, t = lay.table("tblTenders")
        b.set(sheet.title, f"{t.letter('units')}{t.first_row + 3}", 9999)
        monkeypatch.setattr(typed_since, "_matched", matched)
        cells, gone, reordered = typed_since.holder_cells(b, lay, rows)
        assert cells == [f"Tenders!{t.letter('units')}{t.first_row + 3} (H003): 9,999, the file 103"]
        assert (gone, reordered) == ([], False)
        b.set(sheet.title, f"{t.letter('units')}{t.first_row + 3}", 103)  # (review 137: the first and last lines)
        b.set(sheet.title, f"{t.letter('units')}{t.first_row}", 1)
        b.set(sheet.title, f"{t.letter('units')}{t.last_row}", 2)
        cells, _, _ = typed_since.holder_cells(b, lay, rows)
    assert cells == [f"Tenders!{t.letter('units')}{t.first_row} (H000): 1, the file 100",
                     f"Tenders!{t.letter('units')}{t.last_row} (H039): 2, the file 139"]


def test_a_copy_or_a_pickle_of_column_rows_is_the_same_rows():
    """Review 132: a tuple is made again from its items, which a ColumnRows would have taken for its columns."""
    import copy
    import pickle

    rows = ColumnRows([("a", "b", "c"), (1, 2, 3)])
    for again in (copy.copy(rows), copy.deepcopy(rows), pickle.loads(pickle.dumps(rows))):
        assert isinstance(again, ColumnRows) and again == rows and again.columns == rows.columns


def test_a_saved_column_of_numbers_of_several_types_writes_each_as_its_own():
    """A saved column holding 1.0, 1 and True (equal to Python, one key of a dictionary) writes each line's value
    as that line's value writes alone, in the first two rows (each cell on its own) as below them (review 132:
    rows 3 on took the text of whichever equal value came first)."""
    from xlpy.workbook.saved_values import value_texts

    table = holder_table(6)
    n = 6  # (the table's lines)
    inputs = [c.key for c in table.columns if c.formula is None]
    columns = {"holder": [f"H{i}" for i in range(n)], "line": list(range(2, n + 2)), "units": [1] * n,
               "method": ["book-entry"] * n, "status": ["tendered"] * n}
    saved = {c.key: [1.0, 1, True, 1, 1.0, 2] for c in table.columns if c.formula is not None}
    saved["eligible"] = [1.0, 1, 1, 1.0, 1, 2]
    xml = table_rows_xml(table, ColumnRows(columns[k] for k in inputs), {}, 0, False, saved=saved)
    for key in ("eligible", "accepted"):
        cells = {int(m[1]): (m[2] or "", m[3]) for m in re.finditer(
            rf'<c r="{table.letter(key)}(\d+)"( t="\w+")?>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)<v>([^<]*)</v>', xml)}
        assert cells == {table.first_row + i: value_texts([x], False)[0] for i, x in enumerate(saved[key])}, key
