"""An offer file edited after the build: the refresh reads the tally and prices, not the offer file, and says so
when the offer file beside the workbook gives inputs the workbook does not hold (xlpy.workbook.offer_drift)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy import cli
from xlpy.workbook.backends import PackageBook

EXCHANGE = "\n[[exchange]]\ndate = 2004-03-15\nunits = 1000\nratio = 7.5\nprice = 7.80\n"
TODO = ("a refresh reads the tally and the price history, not the offer file: where the file gives the value meant, "
        "type it into the workbook where it has a cell for it (Inputs, Tenders), or build a new workbook from the "
        "offer file (xlpy build offer.toml -o NEW.xlsm; a workbook built without later exchanges has no rows for "
        "them); where the workbook's is (typed there since the build), write it into the offer file, and this is not "
        "said again")
HEAD = ("xlpy refresh: warning: book.xlsm: the offer file offer.toml beside the workbook is not the one it was built "
        "from (another SHA-256)")


#: Parallel runs (tests/conftest.py): the workbook (``built``) is built in a second or two where first asked for; the
#: tests spread across the workers, each building it once.
SPREAD_ACROSS_WORKERS = True


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The folder of the formula example (as ``offer.toml``, its data beside it) built as ``book.xlsm``, once;
    shared read-only (``folder`` copies it)."""
    made = tmp_path_factory.mktemp("built")
    shutil.copytree(DATA, made / "data")
    shutil.copy(FORMULA, made / "offer.toml")
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        mp.chdir(made)
        assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    return made


@pytest.fixture
def folder(built, tmp_path, monkeypatch):
    """A copy of ``built``'s folder in the test's, the current folder."""
    shutil.copytree(built, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refresh(capsys) -> list[str]:
    assert cli.main(["refresh", "book.xlsm", "--no-backup"]) == 0
    out, err = capsys.readouterr()
    assert "warning" not in out  # warnings go to standard error, as every command's
    return [line for line in err.splitlines() if "warning: book.xlsm: the offer file " in line]  # (not the engine's)


def final_count(text: str) -> str:
    return text.replace('file = "data/hecla-2004-tally.csv"', 'file = "data/hecla-2004-tally.csv"\nfinal = true')


def test_an_offer_file_as_built_says_nothing(folder, capsys):
    assert refresh(capsys) == []


def test_an_exchange_and_the_final_count_added_to_the_offer_file_are_named(folder, capsys):
    offer = folder / "offer.toml"
    offer.write_text(final_count(offer.read_text(encoding="utf-8")) + EXCHANGE, encoding="utf-8")
    assert refresh(capsys) == [
        f"{HEAD}, and gives inputs the workbook does not hold: FinalCount (Tenders!C8: file TRUE, workbook FALSE); "
        f"the later exchanges (file 1, workbook 0); {TODO}"]
    assert cli.main(["refresh", "book.xlsm", "--no-backup", "--json"]) == 0  # (nothing to refresh: named alike)
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert [w for w in warnings if "the offer file " in w] == [HEAD.split("warning: ", 1)[1] + (
        ", and gives inputs the workbook does not hold: FinalCount (Tenders!C8: file TRUE, workbook FALSE); the later "
        f"exchanges (file 1, workbook 0); {TODO}")]


def test_a_change_the_workbook_already_holds_is_no_difference(folder, capsys):
    """The final count typed into the workbook as the offer file now says: no warning, though the file changed."""
    offer = folder / "offer.toml"
    offer.write_text("# final count from the agent's letter\n" + final_count(offer.read_text(encoding="utf-8")),
                     encoding="utf-8")
    with PackageBook(folder / "book.xlsm") as book:
        book.set("Tenders", "C8", True)
        book.save()
    assert refresh(capsys) == []


def test_the_workbook_s_value_written_into_the_offer_file_ends_the_warning(folder, capsys):
    """Review: a price typed into the workbook on purpose (7.45), then the final count added to the offer file: the
    warning names both; once the workbook's price is written into the file too, only the final count is named, and
    once it is typed into the workbook, nothing."""
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    offer = folder / "offer.toml"
    with PackageBook(folder / "book.xlsm") as book:
        sheet, ref = layout(Shape.decode(book.name(LAYOUT_NAME))).cell("Price")
        book.set(sheet, ref, 7.45)
        book.save()
    text = final_count(offer.read_text(encoding="utf-8"))
    offer.write_text(text, encoding="utf-8")
    (line,) = refresh(capsys)
    assert f"Price ({sheet}!{ref}: file 7.39, workbook 7.45); FinalCount (Tenders!C8: file TRUE" in line, line
    offer.write_text(text.replace("price = 7.39", "price = 7.45"), encoding="utf-8")
    (line,) = refresh(capsys)
    assert "Price" not in line and "FinalCount (Tenders!C8: file TRUE, workbook FALSE)" in line, line
    with PackageBook(folder / "book.xlsm") as book:
        book.set("Tenders", "C8", True)
        book.save()
    assert refresh(capsys) == []


def test_an_offer_file_that_no_longer_reads_is_named(folder, capsys):
    (folder / "offer.toml").write_text("schema = 1\n[offer\n", encoding="utf-8")
    (line,) = refresh(capsys)
    assert line.startswith(f"{HEAD} and cannot be read (offer.toml: is not valid TOML: ")
    assert line.endswith(f"); {TODO}")


def test_an_offer_file_elsewhere_is_not_looked_for(folder, capsys):
    offer = folder / "offer.toml"
    offer.write_text(offer.read_text(encoding="utf-8") + EXCHANGE, encoding="utf-8")
    (folder / "elsewhere").mkdir()
    offer.rename(folder / "elsewhere" / "offer.toml")
    assert refresh(capsys) == []


def test_any_book_is_read_alike(folder):
    """The refresh buttons ask a live Excel book the same questions (name, cells, folder): an openpyxl book
    stands in for it here, with the workbook's own offer read back as the refresh reads it."""
    from xlpy.workbook import data as bookdata
    from xlpy.workbook.backends import OpenpyxlBook
    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout
    from xlpy.workbook.offer_drift import offer_file_drift

    offer = folder / "offer.toml"
    offer.write_text(final_count(offer.read_text(encoding="utf-8")), encoding="utf-8")
    with OpenpyxlBook(folder / "book.xlsm") as book:
        lay = layout(Shape.decode(book.name(LAYOUT_NAME)))
        held = bookdata.read_offer(book.get, lay, get_rows=book.get_rows)
        assert offer_file_drift(book, held) == (
            f"{HEAD.split('book.xlsm: ', 1)[1]}, and gives inputs the workbook does not hold: FinalCount "
            f"(Tenders!C8: file TRUE, workbook FALSE); {TODO}")
        assert offer_file_drift(book, None) is None


def test_counts_a_tally_file_gives_are_not_compared(tmp_path, monkeypatch, capsys):
    """A workbook of aggregate counts refreshed from a count file holds the agent's counts, not the offer file's."""
    shutil.copy(DATA.parent / "hecla-2004.toml", tmp_path / "offer.toml")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    (tmp_path / "counts.csv").write_text("tendered,guaranteed delivery,failed delivery\n280000,3000,0\n",
                                         encoding="utf-8")
    assert cli.main(["refresh", "book.xlsm", "--tally", "counts.csv", "--no-backup"]) == 0
    capsys.readouterr()
    with open(tmp_path / "offer.toml", "a", encoding="utf-8") as fh:
        fh.write("# reviewed\n")
    assert refresh(capsys) == []


def test_the_offer_files_own_sources_are_not_read(folder, capsys):
    """The tally and price files the offer file names are the refresh's business: gone, they are no difference."""
    offer = folder / "offer.toml"
    offer.write_text(offer.read_text(encoding="utf-8") + "# checked\n", encoding="utf-8")
    shutil.rmtree(folder / "data")
    assert cli.main(["refresh", "book.xlsm", "--no-backup", "--tally", str(DATA / "hecla-2004-tally.csv"),
                     "--prices", str(DATA / "hecla-2004-prices-illustrative.csv")]) == 0
    assert "the offer file " not in "".join(capsys.readouterr())


def test_later_exchanges_are_compared_field_by_field_as_cells_hold_them(folder, capsys, monkeypatch):
    offer = folder / "offer.toml"
    many = EXCHANGE.replace("price = 7.80", "price = 7.8000000000000000001\ncash_per_unit = 0.3333333333333333333")
    offer.write_text(offer.read_text(encoding="utf-8") + many, encoding="utf-8")
    monkeypatch.chdir(folder)
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q", "--force"]) == 0
    capsys.readouterr()
    offer.write_text(offer.read_text(encoding="utf-8") + "# digits past a double's are no difference\n",
                     encoding="utf-8")
    assert refresh(capsys) == []
    offer.write_text(offer.read_text(encoding="utf-8").replace("units = 1000", "units = 1200"), encoding="utf-8")
    assert refresh(capsys) == [f"{HEAD}, and gives inputs the workbook does not hold: later exchange 1 units (file "
                               f"1200, workbook 1000); {TODO}"]


def test_another_offers_file_under_the_same_name_is_not_this_workbooks(folder, capsys):
    shutil.copy(DATA.parent / "hecla-2004.toml", folder / "offer.toml")  # another id: not the offer built
    assert refresh(capsys) == []


def test_the_build_command_names_the_offer_file_as_seen_from_where_the_workbook_was_named(folder, capsys):
    """Review 62: refreshed as deal/book.xlsm, the warning said "xlpy build offer.toml -o NEW.xlsm", which the folder
    the user is in has no offer.toml for."""
    (folder / "deal").mkdir()
    for name in ("book.xlsm", "offer.toml"):
        shutil.move(folder / name, folder / "deal" / name)
    shutil.move(folder / "data", folder / "deal" / "data")
    offer = folder / "deal" / "offer.toml"
    offer.write_text(final_count(offer.read_text(encoding="utf-8")), encoding="utf-8")
    assert cli.main(["refresh", "deal/book.xlsm", "--no-backup"]) == 0
    (line,) = [x for x in capsys.readouterr().err.splitlines() if "warning: book.xlsm: the offer file " in x]
    assert "(xlpy build deal/offer.toml -o deal/NEW.xlsm; " in line, line


def test_validate_offer_holds_a_refreshed_workbook_to_the_terms_without_the_offer_file_s_data(folder, capsys):
    """Review 93: the offer file copied beside a refreshed workbook without its data/ folder refused the whole run
    (status 2: "price file not found", "tally file not found"), though once refreshed only the offer's terms are
    compared; a workbook never refreshed, whose counts and prices are compared with those files, still needs them."""
    shutil.copy(folder / "book.xlsm", folder / "fresh.xlsm")
    (folder / "agent.csv").write_text((DATA / TALLY).read_text(encoding="utf-8") + "R-39999,100,certificate,tendered\n",
                                      encoding="utf-8")
    assert cli.main(["refresh", "book.xlsm", "--tally", "agent.csv", "--no-backup"]) == 0
    shutil.rmtree(folder / "data")
    capsys.readouterr()
    legs = ["--no-formulas", "--no-libreoffice"]
    assert cli.main(["validate", "book.xlsm", "--offer", "offer.toml", *legs]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "book.xlsm: valid" in out, (out, err)
    assert ("book.xlsm: note: --offer: the counts, holder lines and price days are the refresh's of " in out
            and "(the Cover records its files), not compared with the offer file's, whose files could not be read "
            "(offer.toml: offer.consideration.formula.prices: data/hecla-2004-prices-illustrative.csv: price file not "
            "found; offer.toml: tally.file: data/hecla-2004-tally.csv: tally file not found)\n" in out), out
    offer = folder / "offer.toml"
    offer.write_text(offer.read_text(encoding="utf-8").replace("cap = 8.25", "cap = 8.5"), encoding="utf-8")
    assert cli.main(["validate", "book.xlsm", "fresh.xlsm", "--offer", "offer.toml", *legs]) == 2
    out, err = capsys.readouterr()
    assert "book.xlsm: Inputs!" in out and "RatioCap differs from the offer file: expected 8.5, found 8.25" in out, out
    assert err.splitlines() == [
        f"xlpy validate: offer.toml: {key}: data/{name}: {what} file not found"
        for key, name, what in (("offer.consideration.formula.prices", "hecla-2004-prices-illustrative.csv", "price"),
                                ("tally.file", TALLY, "tally"))] + [
        "xlpy validate: fresh.xlsm: not validated (never refreshed: its counts, holder lines and price days are the "
        "offer file's, compared with those files)"], err


def test_an_offer_file_s_bad_tally_is_counted_whole_in_the_note_and_said_once_in_a_refusal(folder, capsys):
    """Review 94: the note counted the printed lines past the three it shows ("and 48 more" of 117 problems, the
    line counting the rest as one), and a workbook never refreshed was refused with its reason put before each
    problem's value (``...: must be a whole number; fresh.xlsm was not validated (...), got '2500.5'``), on each of
    51 lines."""
    shutil.copy(folder / "book.xlsm", folder / "fresh.xlsm")
    (folder / "agent.csv").write_text((DATA / TALLY).read_text(encoding="utf-8") + "R-39999,100,certificate,tendered\n",
                                      encoding="utf-8")
    assert cli.main(["refresh", "book.xlsm", "--tally", "agent.csv", "--no-backup"]) == 0
    lines = (folder / "data" / TALLY).read_text(encoding="utf-8").splitlines()
    bad = [lines[0]] + [line.replace(",", ".5,", 2).replace(".5,", ",", 1) for line in lines[1:121]] + lines[121:]
    (folder / "data" / TALLY).write_text("\n".join(bad) + "\n", encoding="utf-8")
    capsys.readouterr()
    legs = ["--no-formulas", "--no-libreoffice"]
    assert cli.main(["validate", "book.xlsm", "--offer", "offer.toml", *legs]) == 0
    note = next(line for line in capsys.readouterr().out.splitlines() if "--offer:" in line)
    assert note.endswith("row 4, column units: must be a whole number, got '1200.5'; and 117 more)"), note
    assert note.count("must be a whole number") == 3
    assert "whose files could not be read (offer.toml: tally.file: " in note
    assert cli.main(["validate", "fresh.xlsm", "--offer", "offer.toml", *legs]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 52 and err[-1].startswith("xlpy validate: fresh.xlsm: not validated (never refreshed: "), err
    assert err[0].endswith("row 2, column units: must be a whole number, got '2500.5'"), err[0]
    assert sum("not validated" in line for line in err) == 1


def test_a_ratio_of_another_kind_is_named_without_the_offer_file_s_unread_price_days(standard_books, tmp_path):
    """Its price file not read (not there), a formula offer file held to a refreshed workbook of a fixed ratio
    would have been "a ratio by the offer's formula over 0 price days"."""
    from xlpy.workbook.validate import validate

    book = tmp_path / "book.xlsm"
    book.write_bytes(standard_books["seed"].read_bytes())
    (tmp_path / "counts.csv").write_text("tendered,guaranteed delivery,failed delivery\n280000,3000,0\n")
    assert cli.main(["refresh", str(book), "--tally", str(tmp_path / "counts.csv"), "--no-backup"]) == 0
    shutil.copy(FORMULA, tmp_path / "formula.toml")  # (no data/ beside it)
    found = [(f.what, f.expected) for f in validate(book, tmp_path / "formula.toml", legs=()).findings
             if "in kind" in f.what]
    assert found == [("the ratio differs in kind from the offer file's", "a ratio by the offer's formula")], found


def test_an_offer_file_in_another_folder_is_followed_from_the_cover(tmp_path, monkeypatch, capsys):
    """The Cover records the offer file's path from the workbook's folder (``../terms/offer.toml``), as it records
    the tally's: a refresh finds the file edited there, and names it so; the command it gives names it as seen from
    where the workbook was named.  Sent on with the offer file beside it, the workbook finds that one; the built-in
    example is recorded by its name, which a build without an offer file builds."""
    from openpyxl import load_workbook

    from xlpy.workbook.layout import LAYOUT_NAME, Shape, layout

    def offer_file(book):  # the Cover's record of the offer file
        wb = load_workbook(book)
        sheet, ref = layout(Shape.decode(wb.defined_names[LAYOUT_NAME].attr_text)).cell("OfferFile")
        return wb[sheet][ref].value

    (tmp_path / "terms").mkdir()
    (tmp_path / "books").mkdir()
    shutil.copytree(DATA, tmp_path / "terms" / "data")
    shutil.copy(FORMULA, tmp_path / "terms" / "offer.toml")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "terms/offer.toml", "-o", "books/book.xlsm", "--no-validate", "-q"]) == 0
    assert cli.main(["build", "-o", "books/seed.xlsm", "--no-validate", "-q"]) == 0
    capsys.readouterr()
    assert [offer_file(tmp_path / "books" / name) for name in ("book.xlsm", "seed.xlsm")] == ["../terms/offer.toml", "hecla-2004.toml"]
    offer = tmp_path / "terms" / "offer.toml"
    offer.write_text(final_count(offer.read_text(encoding="utf-8")), encoding="utf-8")
    assert cli.main(["refresh", "books/book.xlsm", "--no-backup"]) == 0
    [warning] = [line for line in capsys.readouterr().err.splitlines() if "the offer file " in line]
    assert warning.startswith(
        "xlpy refresh: warning: book.xlsm: the offer file terms/offer.toml is not the one it was built from (another "
        "SHA-256), and gives inputs the workbook does not hold: FinalCount (Tenders!C8: file TRUE, workbook FALSE); "
    ), warning  # (named from where the workbook was named, as the tally's lines name their files)
    assert "(xlpy build terms/offer.toml -o books/NEW.xlsm; " in warning, warning
    (tmp_path / "links").mkdir()  # (a link to the workbook: the record is read from its target's folder)
    (tmp_path / "links" / "book.xlsm").symlink_to(tmp_path / "books" / "book.xlsm")
    assert cli.main(["refresh", "links/book.xlsm", "--no-backup"]) == 0
    [warning] = [line for line in capsys.readouterr().err.splitlines() if "the offer file " in line]
    assert warning.startswith("xlpy refresh: warning: book.xlsm: the offer file terms/offer.toml is not the one "), \
        warning
    assert "(xlpy build terms/offer.toml -o links/NEW.xlsm; " in warning, warning
    (tmp_path / "links" / "book.xlsm").unlink()
    shutil.move(tmp_path / "books", tmp_path / "sent")  # (sent on with the offer file beside it)
    shutil.copytree(tmp_path / "terms", tmp_path / "sent", dirs_exist_ok=True)
    shutil.rmtree(tmp_path / "terms")
    assert cli.main(["refresh", "sent/book.xlsm", "--no-backup", "--tally", f"sent/data/{TALLY}", "--prices",
                     f"sent/data/{PRICES}"]) == 0
    [warning] = [line for line in capsys.readouterr().err.splitlines() if "the offer file " in line]
    assert "the offer file sent/offer.toml beside the workbook is not the one it was built from" in warning, warning
    assert "(xlpy build sent/offer.toml -o sent/NEW.xlsm; " in warning, warning
