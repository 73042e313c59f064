"""A refresh from another tally or price file names the values typed into the tables since the last refresh,
which the new file's lines are written over (``xlpy.workbook.typed_since``), and where they are still kept.
"""

from __future__ import annotations

import json
import shutil

from xlpy import cli


def test_values_typed_into_the_tables_are_named_when_another_file_is_written_over_them(tmp_path, capsys):
    """Review 56: a holder's units and a day's price typed into the tables passed validate, then a refresh from the
    agent's next files wrote over them without a word (exit 0).  Each cell is now named beside the value the file
    the Cover records holds; without a typed value, nothing is said."""
    from openpyxl import load_workbook
    from repo_paths import DATA, FORMULA, PRICES, TALLY

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    book = tmp_path / "b.xlsm"
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    tally, prices = (DATA / TALLY).read_text(encoding="utf-8"), (DATA / PRICES).read_text(encoding="utf-8")
    (tmp_path / "next.csv").write_text(tally + "ZZ-NEW,100,book-entry,tendered\n", encoding="utf-8")
    (tmp_path / "next-prices.csv").write_text(prices + "\n", encoding="utf-8")  # (the same days, other bytes)
    assert tally.splitlines()[0] == "holder_id,units,method,status"
    untouched = tmp_path / "untouched.xlsm"
    shutil.copy(book, untouched)
    wb = load_workbook(book, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    _, p = lay.table("tblPrices")
    units, price = f"{t.letter('units')}{t.first_row + 4}", f"{p.letter('price')}{p.first_row + 1}"
    holder = wb["Tenders"][f"{t.letter('holder')}{t.first_row + 4}"].value
    day = wb["Prices"][f"{p.letter('date')}{p.first_row + 1}"].value.date().isoformat()
    was = wb["Tenders"][units].value, wb["Prices"][price].value
    wb["Tenders"][units], wb["Prices"][price] = 9999, 9.99
    wb.save(book)
    shutil.copy(book, tmp_path / "renamed.xlsm")
    shutil.copy(book, tmp_path / "tally-only.xlsm")
    for path, typed in ((book, True), (untouched, False)):
        capsys.readouterr()
        assert cli.main(["refresh", str(path), "--tally", str(tmp_path / "next.csv"), "--prices",
                         str(tmp_path / "next-prices.csv"), *([] if typed else ["--no-backup"]), "--json"]) == 0
        done = json.loads(capsys.readouterr().out)
        said = [w for w in done["warnings"] if "typed into" in w]
        # (where the values written over are still kept: the backup this refresh wrote, named)
        kept = f"the backup {done['backup']} keeps them"
        assert said == ([
            f"{path.name}: Tenders: typed into the holder table since the last refresh, and not in the tally the "
            f"Cover records ({TALLY}): Tenders!{units} ({holder}): 9,999, the file {was[0]:,}; the new file's lines "
            f"are written over them ({kept}): put a value that belongs in the file, and refresh again",
            f"{path.name}: Prices: typed into the price table since the last refresh, and not in the price file the "
            f"Cover records ({PRICES}): Prices!{price} ({day}): 9.99, the file {was[1]}; the new file's lines are "
            f"written over them ({kept}): put a value that belongs in the file, and refresh again"]
            if typed else []), said
        assert typed == (done["backup"] is not None) and (tmp_path / done["backup"] if typed else book).is_file()
    # Review 62: the recorded files sent again under other names (the same bytes) wrote over both without a word.
    shutil.copy(DATA / TALLY, tmp_path / "sent-again.csv")
    shutil.copy(DATA / PRICES, tmp_path / "sent-again-prices.csv")
    capsys.readouterr()
    assert cli.main(["refresh", str(tmp_path / "renamed.xlsm"), "--tally", str(tmp_path / "sent-again.csv"),
                     "--prices", str(tmp_path / "sent-again-prices.csv"), "--no-backup", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [w for w in report["warnings"] if "typed into" in w], report["warnings"]
    assert [w for w in report["warnings"] if "differed" in w] == [  # (the values typed are written over: warned of)
        "renamed.xlsm: Tenders: the holder table differed from the tally the Cover records (edited since): rewritten "
        f"from it (Tenders!{units} ({holder}): 9,999, the file {was[0]:,}: a value that belongs goes in the file)"
        "; no backup was kept: what was typed is gone",
        "renamed.xlsm: Prices: the price table differed from the price file the Cover records (edited since): "
        f"rewritten from it (Prices!{price} ({day}): 9.99, the file {was[1]}: a value that belongs goes in the file)"
        "; no backup was kept: what was typed is gone"
    ], report["warnings"]
    wb = load_workbook(tmp_path / "renamed.xlsm")
    assert (wb["Tenders"][units].value, wb["Prices"][price].value) == was
    assert cli.main(["refresh", str(tmp_path / "tally-only.xlsm"), "--tally", str(tmp_path / "next.csv"),
                     "--no-backup", "--json"]) == 0  # a new tally, the recorded price file read again
    report = json.loads(capsys.readouterr().out)
    assert [w[:57] for w in report["warnings"] if "typed into" in w] == [
        "tally-only.xlsm: Tenders: typed into the holder table sin"]
    assert [w for w in report["warnings"] if "differed" in w] == [
        "tally-only.xlsm: Prices: the price table differed from the price file the Cover records (edited since): "
        f"rewritten from it (Prices!{price} ({day}): 9.99, the file {was[1]}: a value that belongs goes in the file)"
        "; no backup was kept: what was typed is gone"
    ], report["warnings"]


def test_a_table_sorted_since_names_only_the_cells_typed_at_the_rows_they_are_in(tmp_path, capsys):
    """Review 59: after the holder table was sorted by units (LibreOffice, Excel's table sort alike), a refresh named
    some 950 cells "typed since", each row against the line of its place.  Rows are matched by their tally line
    (holders) and their date (prices): only the value typed is named, at its row, and a sort alone is said as one."""
    from openpyxl import load_workbook
    from repo_paths import DATA, FORMULA, PRICES, TALLY

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    book = tmp_path / "b.xlsm"
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    lay = None

    def sort(name: str, out):  # the table sorted last to first: every row holds another line
        nonlocal lay
        wb = load_workbook(book, keep_vba=True)
        lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
        sheet, t = lay.table(name)
        ws = wb[sheet.title]
        letters = [t.letter(c.key) for c in t.columns if c.formula is None]
        rows = [[ws[f"{x}{r}"].value for x in letters] for r in range(t.first_row, t.last_row + 1)]
        for r, values in zip(range(t.first_row, t.last_row + 1), reversed(rows)):
            for x, v in zip(letters, values):
                ws[f"{x}{r}"] = v
        wb.save(out)
        return wb

    sort("tblPrices", tmp_path / "prices.xlsm")
    sorted_only = tmp_path / "sorted.xlsm"
    wb = sort("tblTenders", sorted_only)
    _, t = lay.table("tblTenders")
    units = f"{t.letter('units')}{t.first_row + 4}"
    holder, was = wb["Tenders"][f"{t.letter('holder')}{t.first_row + 4}"].value, wb["Tenders"][units].value
    wb["Tenders"][units] = 9999
    wb.save(book)
    capsys.readouterr()
    assert cli.main(["refresh", str(shutil.copy(sorted_only, tmp_path / "once.xlsm")), "--no-backup", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert ("Tenders: the holder table differed from the tally the Cover records (edited since): rewritten from it "
            "(its lines in another order: sorted since; they are written in the table's own order, by holder, and a "
            "holder's lines in the tally file's order)") in notes, notes
    assert cli.main(["refresh", str(tmp_path / "prices.xlsm"), "--no-backup", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert ("Prices: the price table differed from the price file the Cover records (edited since): rewritten from it "
            "(its lines in another order: sorted since; they are written in the table's own order, by date)") in \
        notes, notes
    assert cli.main(["refresh", str(book), "--no-backup", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)  # (a value typed, written over: a warning; a sort alone, a note)
    assert (f"{book.name}: Tenders: the holder table differed from the tally the Cover records (edited since): "
            f"rewritten from it (Tenders!{units} ({holder}): 9,999, the file {was:,}: a value that belongs goes in the "
            "file); no backup was kept: what was typed is gone") in done["warnings"], done
    assert not [n for n in done["notes"] if "differed" in n], done
    shutil.copy(sorted_only, book)
    wb = load_workbook(book, keep_vba=True)
    wb["Tenders"][units] = 9999
    wb.save(book)
    tally = (DATA / TALLY).read_text(encoding="utf-8")
    (tmp_path / "next.csv").write_text(tally + "ZZ-NEW,100,book-entry,tendered\n", encoding="utf-8")
    assert (DATA / PRICES).is_file()
    assert cli.main(["refresh", str(book), "--tally", str(tmp_path / "next.csv"), "--no-backup", "--json"]) == 0
    said = [w for w in json.loads(capsys.readouterr().out)["warnings"] if "typed into" in w]
    assert said == [
        f"{book.name}: Tenders: typed into the holder table since the last refresh, and not in the tally the Cover "
        f"records ({TALLY}): Tenders!{units} ({holder}): 9,999, the file {was:,}; the new file's lines are written "
        "over them (no backup was kept: they are gone): put a value that belongs in the file, and refresh again"], said


def test_a_key_typed_over_is_named_at_its_cell_and_a_day_deleted_as_deleted(tmp_path, capsys):
    """Review 60: a tally line typed over (C25: 6 to 4) matched the row with another holder's line, naming B25 and
    D25 as typed and never C25; a price day deleted inside the table was named as the last day typed blank."""
    from openpyxl import load_workbook
    from repo_paths import DATA, FORMULA

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    built = tmp_path / "built.xlsm"
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(built), "--no-validate", "-q"]) == 0
    wb = load_workbook(built, keep_vba=True)
    lay = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text))
    _, t = lay.table("tblTenders")
    line = f"{t.letter('line')}{t.first_row + 4}"
    other, was = wb["Tenders"][f"{t.letter('line')}{t.first_row + 1}"].value, wb["Tenders"][line].value
    holder = wb["Tenders"][f"{t.letter('holder')}{t.first_row + 4}"].value
    wb["Tenders"][line] = other  # (the tally line of another row: two rows now hold it)
    wb.save(tmp_path / "line.xlsm")
    wb = load_workbook(built, keep_vba=True)
    _, p = lay.table("tblPrices")
    ws, gone = wb["Prices"], p.first_row + 2
    day = ws[f"{p.letter('date')}{gone}"].value.date().isoformat()
    for r in range(gone, p.last_row + 1):  # (as LibreOffice deletes a row inside the table: those below move up)
        for key in ("date", "price", "volume"):
            ws[f"{p.letter(key)}{r}"] = ws[f"{p.letter(key)}{r + 1}"].value if r < p.last_row else None
    wb.save(tmp_path / "day.xlsm")
    capsys.readouterr()
    assert cli.main(["refresh", str(tmp_path / "line.xlsm"), "--no-backup", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["warnings"]
    assert ("line.xlsm: Tenders: the holder table differed from the tally the Cover records (edited since): rewritten "
            f"from it (Tenders!{line} ({holder}): {other:,}, the file {was:,}: a value that belongs goes in the file)"
            "; no backup was kept: what was typed is gone") in notes, notes
    # review 61: two rows swapped (a sort), then the first one's tally line typed over: only that cell is named
    wb = load_workbook(built, keep_vba=True)
    ws, r = wb["Tenders"], t.first_row + 4
    letters = [t.letter(c.key) for c in t.columns if c.formula is None]
    for x in letters:
        ws[f"{x}{r}"], ws[f"{x}{r + 1}"] = ws[f"{x}{r + 1}"].value, ws[f"{x}{r}"].value
    moved, mine = ws[f"{t.letter('line')}{r}"].value, ws[f"{t.letter('holder')}{r}"].value
    ws[f"{t.letter('line')}{r}"] = 9999
    wb.save(tmp_path / "swap.xlsm")
    assert cli.main(["refresh", str(tmp_path / "swap.xlsm"), "--no-backup", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["warnings"]
    assert ("swap.xlsm: Tenders: the holder table differed from the tally the Cover records (edited since): rewritten "
            f"from it (Tenders!{t.letter('line')}{r} ({mine}): 9,999, the file {moved:,}: a value that belongs goes in "
            "the file); no backup was kept: what was typed is gone") in notes, notes
    assert cli.main(["refresh", str(tmp_path / "day.xlsm"), "--no-backup", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["warnings"]
    assert ("day.xlsm: Prices: the price table differed from the price file the Cover records (edited since): "
            f"rewritten from it (the day {day}: in no row of the table, deleted since); no backup was kept: what was "
            "typed is gone") in notes, notes


def test_a_tally_and_its_mapping_sent_again_renamed_say_the_values_typed_since(tmp_path, capsys):
    """Review 65: the recorded tally and its mapping, each sent again under another name, wrote over a value typed
    since without a word: the mapping was compared by its recorded name, not its bytes."""
    from openpyxl import load_workbook
    from repo_paths import DATA, FORMULA, TALLY

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    book = tmp_path / "b.xlsm"
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    text = (DATA / TALLY).read_text(encoding="utf-8")
    (tmp_path / "t2.csv").write_text(text.replace("holder_id,", "Holder,", 1), encoding="utf-8")
    (tmp_path / "map.toml").write_text('[columns]\nholder_id = "Holder"\n', encoding="utf-8")
    assert cli.main(["refresh", str(book), "--tally", str(tmp_path / "t2.csv"), "--mapping",
                     str(tmp_path / "map.toml"), "--no-backup", "-q"]) == 0
    wb = load_workbook(book, keep_vba=True)
    first = int(wb["Tenders"].tables["tblTenders"].ref.split(":")[0][1:]) + 1
    cell = f"D{first + 3}"
    was, holder = wb["Tenders"][cell].value, wb["Tenders"][f"B{first + 3}"].value
    wb["Tenders"][cell] = 9999
    wb.save(book)
    shutil.copy(tmp_path / "t2.csv", tmp_path / "t2-again.csv")
    shutil.copy(tmp_path / "map.toml", tmp_path / "map-again.toml")
    capsys.readouterr()
    assert cli.main(["refresh", str(book), "--tally", str(tmp_path / "t2-again.csv"), "--mapping",
                     str(tmp_path / "map-again.toml"), "--no-backup", "--json"]) == 0
    notes = [w for w in json.loads(capsys.readouterr().out)["warnings"] if "differed" in w]
    assert notes == [f"{book.name}: Tenders: the holder table differed from the tally the Cover records (edited "
                     f"since): rewritten from it (Tenders!{cell} ({holder}): 9,999, the file {was:,}: a value that "
                     "belongs goes in the file); no backup was kept: what was typed is gone"], notes


def test_a_table_whose_row_has_no_number_refuses_the_refresh_not_its_warning(tmp_path, capsys):
    """Review 130: a row of a long holder table written without its number (``<row>``, as no program saves it)
    made the table's reading refuse, which the warning of values typed since took for "nothing to compare with":
    the refresh wrote over a holder's units typed into the table without a word.  The refresh now refuses the
    workbook, by its part, and leaves it as it was."""
    import re
    import zipfile

    from holder_books import holder_book

    lines = [(f"H{i:04d}", 100 + i) for i in range(300)]
    book = holder_book(tmp_path, lines, outstanding=1_000_000)
    (tmp_path / "next.csv").write_text("holder_id,units,method,status\n" + "".join(
        f"{h},{u},book-entry,tendered\n" for h, u in lines + [("ZZ-NEW", 5)]), encoding="utf-8")
    doctored = tmp_path / "doctored.xlsm"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(doctored, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if b">H0150<" in data:  # (the holder sheet)
                text = data.decode()
                units = re.search(r'<c r="([A-Z]+)(\d+)"[^>]*><v>100</v></c>', text)  # (H0000's units)
                row = int(units.group(2))
                text = text.replace(units.group(), units.group().replace("<v>100</v>", "<v>9999</v>"), 1)
                text, n = re.subn(rf'<row r="{row + 150}"([^>]*)>', r"<row\1>", text, count=1)  # (no number)
                assert n == 1
                data = text.encode()
            zout.writestr(info, data)
    before = doctored.read_bytes()
    capsys.readouterr()
    assert cli.main(["refresh", str(doctored), "--tally", str(tmp_path / "next.csv"), "--no-backup"]) == 2
    err = capsys.readouterr().err
    assert "a row has no number (r attribute); open and save it in Excel first; it was not changed" in err, err
    assert doctored.read_bytes() == before


def test_a_price_typed_as_text_is_written_over_as_the_number_it_reads(tmp_path, capsys):
    """Review 158: a price typed as text ('8.0573', which validate finds) read as the file's number, so a refresh
    from the same files said "nothing to refresh" and left the workbook failing validate; units so typed were
    rewritten.  The price is now named and written over as the file's number."""
    from openpyxl import load_workbook
    from repo_paths import DATA, FORMULA

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    book = tmp_path / "book.xlsm"
    assert cli.main(["build", str(tmp_path / "offer.toml"), "-o", str(book), "--no-validate", "-q"]) == 0
    wb = load_workbook(book, keep_vba=True)
    _, t = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).table("tblPrices")
    price, date = f"{t.letter('price')}{t.first_row + 8}", f"{t.letter('date')}{t.first_row + 8}"
    was, day = wb["Prices"][price].value, wb["Prices"][date].value.date().isoformat()
    wb["Prices"][price] = str(was)
    wb.save(book)
    capsys.readouterr()
    assert cli.main(["refresh", str(book), "--no-backup", "--json"]) == 0
    assert [w for w in json.loads(capsys.readouterr().out)["warnings"] if "differed" in w] == [
        "book.xlsm: Prices: the price table differed from the price file the Cover records (edited since): rewritten "
        f"from it (Prices!{price} ({day}): '{was}', the file {was}: a value that belongs goes in the file); no backup "
        "was kept: what was typed is gone"]
    assert load_workbook(book)["Prices"][price].value == was
