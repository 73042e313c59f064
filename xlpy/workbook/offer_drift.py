"""The offer file a workbook records, edited since the build and not carried into it: the refresh says so.

A workbook is built from an offer file once; from then on its inputs live in
the workbook (a person types a later exchange into Inputs, or the final count
flag), and a refresh reads the tally and the price history, never the offer
file.  A person who instead edits the offer file (adds an ``[[exchange]]``,
sets ``final = true``) would see a refresh succeed, or say "nothing to
refresh", without their change.  The Cover records the offer file's path
from the workbook's folder (a workbook built by an earlier xlpy: its name)
and its SHA-256: when the file there, or one of that name beside the
workbook, no longer has that SHA-256 and its inputs differ from the
workbook's, the refresh names the inputs that differ and what to do.
Inputs the workbook already holds as the file now says (typed in by hand)
are no difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import InputError, InputErrors, MoreProblems, XlpyError
from ..files.recorded import written_path
from . import data as bookdata
from .findings import Finding, show

__all__ = ["Unread", "compare_offer_file", "counts_typed", "differences", "held_to", "offer_file_drift", "read_given",
           "where"]

#: Differences named one by one; the rest are counted.
SHOWN = 3


def _shown(value) -> str:
    """An input as the workbook shows it: TRUE/FALSE, blank, or its text."""
    return "blank" if value is None else ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)


#: Inputs a tally or count file gives once the workbook refreshes from one: the offer file's are not the workbook's.
COUNTS = ("Tendered", "GuaranteedDelivery", "FailedDelivery")


def differences(file_offer, book_offer, lay, counts: bool) -> list[str]:
    """The inputs (named cells, and the later exchanges) the offer file gives otherwise than the workbook; the
    aggregate counts only when *counts* (typed into the workbook, not refreshed from a file)."""
    want, got = bookdata.input_values(file_offer), bookdata.input_values(book_offer)
    out = []
    for name in want:
        if (counts or name not in COUNTS) and not bookdata.same_input(want[name], got.get(name)):
            at = "!".join(lay.cell(name)) + ": " if name in lay.names else ""
            out.append(f"{name} ({at}file {_shown(want[name])}, workbook {_shown(got.get(name))})")
    rows = [sorted(bookdata.table_rows(o).get("tblExchanges", []), key=lambda r: (r[0], *map(str, r[1:])))
            for o in (file_offer, book_offer)]
    if len(rows[0]) != len(rows[1]):
        out.append(f"the later exchanges (file {len(rows[0])}, workbook {len(rows[1])})")
    else:
        fields = ("date", "units", "ratio", "price", "cash per unit")
        out += [f"later exchange {i} {what} (file {_shown(a)}, workbook {_shown(b)})"
                for i, (r, q) in enumerate(zip(*rows), 1) for what, a, b in zip(fields, r, q) if not bookdata.same_input(a, b)]
    return out


def counts_typed(tally_source, path: Path) -> bool:
    """Whether the workbook's aggregate counts are the offer file's at *path* to compare (its Cover's record of the
    tally, *tally_source*, names no file, nor does the offer file), not a tally or count file's."""
    import tomllib

    from ..files.recorded import NO_TALLY_FILE
    from ..files.sniff import toml_text

    return str(tally_source or "").strip() == NO_TALLY_FILE and "file" not in tomllib.loads(
        toml_text(path)).get("tally", {})


def offer_file_drift(book, book_offer, named: str | Path | None = None) -> str | None:
    """The warning for the offer file *book*'s Cover records, where it is not the one it was built from and gives
    inputs the workbook does not hold, or None.

    *book* is a :class:`~xlpy.workbook.backends.Book` (its Cover records
    ``OfferFile``, the path from the workbook's folder, and ``OfferSha256``);
    *book_offer* the offer the refresh read from it.  The file is found as
    :func:`~xlpy.files.recorded.recorded_offer` says (the path recorded, else
    one of its name beside the workbook).  An offer file not found, as built,
    or another offer's (another id), says nothing; neither do its tally and
    price files (not read), nor its counts once the workbook's come from a
    tally or count file.
    """
    from ..files.offerfile import load
    from ..files.recorded import recorded_offer, sha256
    from .layout import LAYOUT_NAME, Shape, layout

    try:
        lay = layout(Shape.decode(book.name(LAYOUT_NAME) or ""))
    except ValueError:  # (the refresh has named it)
        return None

    def record(key: str):
        return book.get(*lay.cell(key)) if key in lay.names else None

    folder = getattr(book, "folder", None)
    text = str(record("OfferFile") or "").strip()
    if folder is None or book_offer is None or not text:
        return None
    found = None
    try:  # (a file a sync service has not brought down, or one locked, is named, never the refresh's loss)
        found = recorded_offer(text, folder)
        if found is None or sha256(found[0]) == str(record("OfferSha256") or "").strip():
            return None
    except OSError as exc:
        return (f"the offer file {where(text, found, folder, named)} cannot be read to compare with the one it was "
                f"built from ({exc})")
    path, name = found
    head = f"the offer file {where(text, found, folder, named)} is not the one it was built from (another SHA-256)"
    from .rebuild import quoted

    def at(file: str) -> str:  # as seen from where the workbook was named (*named*, as typed); the buttons: its folder
        return file if named is None else quoted(str(Path(named).parent / file)) if file == "NEW.xlsm" else \
            quoted(_from_here(file, folder, named))

    todo = ("a refresh reads the tally and the price history, not the offer file: where the file gives the value "
            "meant, type it into the workbook where it has a cell for it (Inputs, Tenders), or build a new workbook "
            f"from the offer file (xlpy build {at(name)} -o {at('NEW.xlsm')}; a workbook built without later exchanges "
            "has no rows "
            "for them); where the workbook's is (typed there since the build), write it into the offer file, and "
            "this is not said again")
    try:
        file_offer = load(path, read_sources=False)  # its own inputs: its tally and price files are not read
        if file_offer.id != book_offer.id:  # another offer's file under that name (an example copied in)
            return None
        differ = differences(file_offer, book_offer, lay, counts_typed(record("TallySource"), path))
    except InputErrors as exc:
        return f"{head} and cannot be read ({exc.problems[0]}); {todo}"
    except (XlpyError, OSError) as exc:
        return f"{head} and cannot be read ({exc}); {todo}"
    if not differ:
        return None
    shown = "; ".join(differ[:SHOWN]) + (f"; and {len(differ) - SHOWN} more" if len(differ) > SHOWN else "")
    return f"{head}, and gives inputs the workbook does not hold: {shown}; {todo}"


def where(text: str, found: tuple[Path, str] | None, folder: Path, named: str | Path | None = None) -> str:
    """The offer file the Cover records (as *text*), found as :func:`~xlpy.files.recorded.recorded_offer` says
    (*found*: the file, and its path from the workbook's *folder*), as a message names it: seen from where the
    workbook was named (*named*, :func:`~xlpy.workbook.source_lines.from_here`: ``deal/offer.toml beside the
    workbook``, ``terms/offer.toml``); for the buttons (no *named*), from the workbook's folder (``offer.toml beside
    the workbook``, ``../terms/offer.toml (from the workbook's folder)``)."""
    name = written_path(text).as_posix() if found is None else found[1]
    beside = Path(name).name == name
    if named is not None:
        shown = _from_here(name, folder, named)
        return f"{shown} beside the workbook" if beside else shown
    return (f"{name} beside the workbook" if beside else name if Path(name).is_absolute()
            else f"{name} (from the workbook's folder)")


def _from_here(name: str, folder: Path, named: str | Path) -> str:
    """*name* (from the workbook's *folder*) as seen from where the workbook was named (*named*), or as it is where
    that cannot be told (a name no file can have)."""
    from .source_lines import from_here

    try:
        return from_here(name, folder, Path(named).is_absolute())
    except OSError:
        return name


@dataclass(frozen=True)
class Unread:
    """An offer file given to validate (``--offer``) that reads only without its tally, mapping or price files (one
    not there, or bad): *offer* its own inputs, its tally a count of nothing; *problems* the files' (why not read)."""

    offer: object
    problems: tuple


def read_given(path):
    """The offer file at *path* given to validate (``--offer``): its Offer, read whole, or an :class:`Unread` where
    it reads only without its own tally and price files (the folder copied without ``data/``), which a refreshed
    workbook, its counts and prices the refresh's files', needs not (:func:`held_to`); otherwise refused."""
    from ..files.offerfile import load

    try:
        return load(path)
    except InputErrors as exc:
        try:  # (nothing else differs between the two: what the first refuses is in the files it reads)
            return Unread(load(path, read_sources=False), tuple(exc.problems))
        except InputErrors:
            raise exc from None


def held_to(given, refreshed: str, book: str):
    """``(offer, notes)``: what validate holds the workbook *book* to for ``--offer`` *given* (an Offer, or an
    :class:`Unread`), with its notes; *refreshed* the Cover's RefreshedAt ("": never).  A workbook never refreshed
    holds the offer file's counts and prices, compared with its files: without them it is refused, not validated."""
    problems = given.problems if isinstance(given, Unread) else ()
    if problems and not refreshed:  # (the files' problems as they are, each with its value; then the workbook's line)
        why = "never refreshed: its counts, holder lines and price days are the offer file's, compared with those files"
        raise InputErrors([*problems, InputError(book, None, f"not validated ({why})", show_value=False)])
    every = sum(p.count if isinstance(p, MoreProblems) else 1 for p in problems)  # (a counting line: those it counts)
    shown = problems[:SHOWN]
    more = every - sum(p.count if isinstance(p, MoreProblems) else 1 for p in shown)
    unread = "; ".join(map(str, shown)) + (f"; and {more:,} more" if more else "")
    return getattr(given, "offer", given), [
        f"--offer: the counts, holder lines and price days are the refresh's of {refreshed} (the Cover records its "
        "files), not compared with the offer file's" + (f", whose files could not be read ({unread})" if unread else "")
    ] if refreshed else []


#: What each input table holds, as a finding of another kind names it.
_WHAT = {"tblTenders": "the count differs", "tblPrices": "the ratio differs",
         "tblExchanges": "the later exchanges differ"}


def _kinds(file_offer, offer, lay) -> list[tuple[str, str, str, str]]:
    """(table, where, the offer file's, the workbook's) of each input table the offer file gives and the workbook's
    layout has not, or the other way round: a holder tally against aggregate counts, a ratio by the offer's formula
    against a fixed one, later exchanges against a workbook built without them."""
    rows = bookdata.table_rows(file_offer)
    holders, formula = "tblTenders" in rows, "tblPrices" in rows
    lines = f"{len(rows.get('tblTenders', [])):,} holder lines"
    book_lines = f"{lay.shape.holder_rows:,} holder lines"
    ratio = file_offer.consideration.ratio
    fixed = f"a fixed ratio ({show(ratio)})" if ratio is not None else "a fixed ratio"
    days = "a ratio by the offer's formula" + (f" over {n:,} price days" if (n := len(rows.get("tblPrices", []))) else
                                               "")  # (none: its price file not read, :class:`Unread`)
    book_days = f"a ratio by the offer's formula over {lay.shape.price_rows:,} price days"
    book_fixed = f"a fixed ratio ({show(offer.consideration.ratio)})"
    ratio_at = "!".join(lay.cell("FixedRatio")) if "FixedRatio" in lay.names else "Prices"
    found = []
    if holders != (lay.shape.tally == "holders"):
        found.append(("tblTenders", "Tenders", lines if holders else "aggregate counts",
                      "aggregate counts" if holders else book_lines))
    if formula != (lay.shape.ratio == "formula"):
        found.append(("tblPrices", ratio_at, days if formula else fixed, book_fixed if formula else book_days))
    exchanges = len(rows.get("tblExchanges", []))
    if exchanges and not lay.shape.exchange_rows:
        found.append(("tblExchanges", "Inputs", f"{exchanges:,} later exchange(s)", "no table of later exchanges"))
    return found


#: What one line of each input table is (a count of them: :func:`_lines`).
_LINE = {"tblTenders": "holder line", "tblPrices": "price day", "tblExchanges": "later exchange"}


def _lines(table: str, n: int) -> str:
    """*n* lines of input table *table* in words: ``no later exchanges``, ``1 later exchange``, ``1,200 holder
    lines``."""
    word = _LINE.get(table, "row")
    return f"no {word}s" if n == 0 else f"1 {word}" if n == 1 else f"{n:,} {word}s"


def compare_offer_file(book: str, offer, file_offer, lay, findings: list[Finding], refreshed: str = ""):
    """--offer: the workbook's inputs against the offer file's; once *refreshed* (the Cover's RefreshedAt), not the
    counts, holder lines and price days, which are then the refresh's sources' (the Cover records them)."""
    # (once refreshed, the count is the refresh's file's, which may switch a tally's kind; a ratio's kind, fixed or
    # by formula, is a term of the offer no refresh changes)
    kinds = [k for k in _kinds(file_offer, offer, lay) if not refreshed or k[0] != "tblTenders"]
    findings += [Finding(book, where, f"{_WHAT[table]} in kind from the offer file's", want, got, "inputs")
                 for table, where, want, got in kinds]
    skip = {t for t, *_ in kinds}
    got, want = bookdata.input_values(offer), bookdata.input_values(file_offer)
    for name, w in want.items():
        if name not in lay.names or (refreshed or "tblTenders" in skip) and name in COUNTS:
            continue
        g = got.get(name)
        if not bookdata.same_input(w, g):
            sheet, ref = lay.cell(name)
            findings.append(Finding(book, f"{sheet}!{ref}", f"{name} differs from the offer file", show(w), show(g),
                                    "inputs"))
    t_got, t_want = bookdata.table_rows(offer), bookdata.table_rows(file_offer)
    for table in ("tblExchanges",) if refreshed else ("tblTenders", "tblPrices", "tblExchanges"):
        if table in skip:
            continue
        a, b = t_got.get(table), t_want.get(table)
        if a is None and b is None:
            continue
        if table == "tblTenders" and a and b:
            # The workbook keeps each line's source row; compare the lines themselves.
            a, b = bookdata.without_line(a), bookdata.without_line(b)
        if a and b and len(a) == len(b):  # the lines that differ: the first named by its row
            # (each cell read alike as an input is: a later exchange's price of 16 digits, saved to 15, is the same)
            rows = [i for i, (x, y) in enumerate(zip(a, b)) if x != y and not (
                len(x) == len(y) and all(map(bookdata.same_input, y, x)))]
            if rows:
                sheet, t = lay.table(table)
                findings.append(Finding(book, f"{sheet.title}!{table} row {t.first_row + rows[0]}", "table differs "
                                        f"from the offer file on {len(rows):,} line(s), the first here",
                                        show(tuple(b[rows[0]])), show(tuple(a[rows[0]])), "inputs"))
        elif a != b:
            findings.append(Finding(book, f"{lay.table(table)[0].title}!{table}", "table differs from the offer file",
                                    _lines(table, len(b or [])), _lines(table, len(a or [])), "inputs"))
