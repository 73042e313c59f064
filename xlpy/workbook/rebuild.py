"""What to run for a workbook of an earlier layout: the commands that rebuild it from the files its Cover records.

A workbook built by an earlier xlpy is never read as this one's (:class:`xlpy.workbook.layout.model.OtherLayout`);
it is rebuilt under another name and refreshed.  A new build records the offer file's own tally and prices, so the
refresh must be given the files the old workbook's Cover records (the agent's latest tally, the price history),
or the new workbook would hold the offer file's figures and validate clean.  The records are read by their names,
which every layout has kept, from any :class:`xlpy.workbook.backends.Book` or an openpyxl workbook.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from ..files.recorded import NO_PRICE_FILE, NO_TALLY_FILE, SEED_OFFER, composed_alike, written_path

__all__ = ["HISTORY", "RECORDS", "book_records", "quoted", "rebuild_commands", "said", "workbook_records"]

#: The Cover's records a rebuild reads: the offer file, the tally, its mapping and the price history.
RECORDS = ("OfferFile", "OfferSha256", "TallySource", "TallyMapping", "PriceSource")
#: The name of History's first column (every layout since History came has it): a rebuild carries History over
#: (``xlpy build --history-from``, :mod:`xlpy.workbook.history_carry`) when the old workbook has it.
HISTORY = "HistWhen"

_CELL = re.compile(r"'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>[0-9]+)")


def _cell(definition: str | None) -> tuple[str, str] | None:
    """``'Cover'!$C$12`` -> ``("Cover", "C12")``; None for anything else."""
    m = _CELL.fullmatch((definition or "").strip())
    return (m["sheet"].replace("''", "'"), m["col"] + m["row"]) if m else None


def _kept(out: dict[str, str], name: str, value: object) -> None:
    if isinstance(value, str) and value.strip():  # (a record is text: a number there is no path)
        out[name] = value.strip()


def book_records(book) -> dict[str, str]:
    """The Cover's records (:data:`RECORDS`) of a :class:`~xlpy.workbook.backends.Book`, those it holds, and
    :data:`HISTORY` when it holds a History table a rebuild can carry over."""
    out: dict[str, str] = {}
    for name in RECORDS:
        try:
            where = _cell(book.name(name))
            _kept(out, name, book.get(*where) if where else None)
        except Exception:  # noqa: BLE001  (a sheet gone, a damaged cell: no record, and the advice says less)
            continue
    try:
        if book.name(HISTORY):
            out[HISTORY] = HISTORY
    except Exception:  # noqa: BLE001  (as above)
        pass
    return out


def workbook_records(wb) -> dict[str, str]:
    """The Cover's records (:data:`RECORDS`) of an openpyxl workbook, those it holds (and :data:`HISTORY`, as
    :func:`book_records` says it)."""
    out: dict[str, str] = {}
    for name in RECORDS:
        try:
            defined = wb.defined_names.get(name)
            for sheet, ref in defined.destinations if defined is not None else ():
                _kept(out, name, wb[sheet][ref.replace("$", "")].value)
        except Exception:  # noqa: BLE001  (as above)
            continue
    if wb.defined_names.get(HISTORY) is not None:
        out[HISTORY] = HISTORY
    return out


def quoted(text: str) -> str:
    """*text* as one argument of a command line run as written: POSIX shell quoting, or on Windows double quotes
    (cmd.exe and PowerShell both read them; a Windows name holds no double quote); a leading ``-`` behind ``./``."""
    if text.startswith("-"):  # (an option to the command, else)
        text = (".\\" if os.name == "nt" else "./") + text
    if os.name == "nt":
        return f'"{text}"' if any(c in text for c in " '&()^%!;,=`$@{}[]") else text
    return shlex.quote(text)


def _offer_given(records: dict[str, str], folder: Path, quoted) -> tuple[str, Path | None] | str | None:
    """The offer-file argument of the rebuild's ``xlpy build``, and the file: the one the Cover records (its path
    from the workbook's *folder*, or one of its name beside the workbook: :func:`~xlpy.files.recorded.recorded_offer`)
    with the SHA-256 it records, named by *quoted*; "" (and no file) for the built-in example, where no file is
    found (a workbook sent on alone) and the example has those bytes; the file found, named by *quoted*, where it has
    other bytes (edited since: not the built-in example, though it was a copy of it); None when nothing is found."""
    from ..files.recorded import recorded_offer
    from ..files.steady import digest as sha256  # (the plain digest: no build or refresh reads the file here)

    name, digest = records.get("OfferFile", ""), records.get("OfferSha256", "")
    try:
        found = recorded_offer(name, folder)
        if found is not None:
            same = sha256(found[0]) == digest
            return (quoted(found[1]) + " ", found[0]) if same else quoted(found[1])
        from importlib import resources

        seed = Path(str(resources.files("xlpy.examples") / SEED_OFFER))  # (under any name: its bytes tell it)
        return ("", None) if digest and seed.is_file() and sha256(seed) == digest else None
    except OSError:
        return None


def rebuild_commands(records: dict[str, str], workbook: str | Path) -> str:
    """The commands that rebuild the workbook *workbook* (as the user named it) under another name and refresh it
    from the files its Cover *records* (:func:`book_records`), each path as seen from where *workbook* was named,
    quoted for the platform's shell, on one line (``&&``: bash and zsh; on Windows the two commands one after the
    other, ``then run:`` between them, since Windows PowerShell 5.1, its default shell, runs no ``&&``, and cmd.exe
    no ``;``).  What cannot be
    found is said instead of a command that would rebuild from other files and validate clean: an offer file neither
    where the Cover records it nor beside the workbook with the SHA-256 it records, a tally or price record that
    cannot be read."""
    book = Path(workbook)
    folder = book.parent
    real = book.resolve().parent  # (a link's target's folder: the Cover records paths from there)

    def at(text: str) -> str:  # a path named relative to the workbook's folder (the new workbook, this one)
        path = written_path(text)
        return quoted(str(path if path.is_absolute() else folder / path))

    def recorded(text: str) -> str:  # a path the Cover records, as seen from where the workbook was named
        from .source_lines import from_here

        try:
            return quoted(from_here(text, real, book.is_absolute()))
        except OSError:  # (a name no file can have)
            return at(text)

    missing = [name for name in ("TallySource", "PriceSource") if name not in records]
    if missing:
        return (f"its Cover's record of {' and '.join(missing)} cannot be read: build the new workbook from the "
                "offer file under another name and refresh it from the agent's latest tally and the price history")
    new = at(f"{book.stem}-rebuilt.xlsm")
    history = f" --history-from {at(book.name)}" if HISTORY in records else ""  # (its counts, carried over)
    given = _offer_given(records, real, recorded)
    if isinstance(given, str) or given is None:
        name = records.get("OfferFile", "")
        shown = f", {given}," if given else f", {name}," if name else ""
        where = ("has other bytes than at the build" if given else "is not beside it" if Path(name).name == name
                 else "is neither where its Cover records it nor beside it") if name else "is not recorded"
        return (f"its offer file{shown} {where} (the Cover records its SHA-256 {records.get('OfferSha256', '?')[:12]}"
                f"...): run xlpy build OFFER -o {new}{history} with that file"
                + _refresh_part(records, recorded, new, real))
    refresh = _refresh_part(records, recorded, new, real, given[1] is not None and _offer_maps(given[1]))
    return (f"from the files its Cover records, run: xlpy build {given[0]}-o {new}{history}"
            f"{refresh.replace('; then', ', then run:' if os.name == 'nt' else ' &&')}"
            " (then type into the new workbook any input typed into this one since its build)")


def _offer_maps(path: Path) -> bool:
    """Whether the offer file *path* names a mapping file for its tally (False when it cannot be read)."""
    import tomllib

    from ..engine.errors import XlpyError
    from ..files.sniff import toml_text

    try:
        return bool(tomllib.loads(toml_text(path)).get("tally", {}).get("mapping"))
    except (OSError, ValueError, AttributeError, XlpyError):  # (not there, not TOML, a tally not a table)
        return False


def _refresh_part(records: dict[str, str], at, new: str, real: Path, offer_maps: bool = False) -> str:
    """``; then xlpy refresh NEW --tally ... --prices ...`` from the records, or "" when they name no file; the
    files recorded that are not there now (from the workbook's folder *real*) said after it (review 161: a
    workbook moved away from its files was given a refresh that could only fail)."""
    args, absent = [], []

    def named(text: str) -> str:
        shown = at(text)
        try:
            there = composed_alike(real / written_path(text)).is_file()  # (its accents as the file there has them)
        except (OSError, ValueError):  # (a name no file can have)
            there = False
        absent.extend([] if there else [shown])
        return shown

    if records["TallySource"] != NO_TALLY_FILE:
        args += ["--tally", named(records["TallySource"])]
        if records.get("TallyMapping"):
            args += ["--mapping", named(records["TallyMapping"])]
        elif offer_maps:  # (the new workbook records the offer file's mapping: the tally was read by its own header)
            args += ["--no-mapping"]
    if records["PriceSource"] != NO_PRICE_FILE:
        args += ["--prices", named(records["PriceSource"])]
    which = "each" if len(absent) > 1 else "it"
    gone = f" (not found: {', '.join(absent)}; name {which} where it is now)" if absent else ""
    return f"; then xlpy refresh {new} {' '.join(args)}{gone}" if args else ""


def said(exc: Exception, book=None, records: dict[str, str] | None = None, path: str | Path | None = None) -> str:
    """*exc*, a layout this xlpy does not read (:class:`~xlpy.workbook.layout.model.OtherLayout`), as a refresh
    or a validation says it of *book* (a file, or one open in Excel; or its *records* and *path*): for an earlier
    layout, with the commands that rebuild it from the files its Cover records (none for a book with no folder on
    this computer: nothing to run them from)."""
    if getattr(exc, "later", True) is not False:  # (a later xlpy's workbook, or a layout that cannot be read)
        return str(exc)
    if path is None:
        path = getattr(book, "path", None)
    if path is None:  # (open in Excel: its folder and its name)
        folder, name = getattr(book, "folder", None), getattr(getattr(book, "book", None), "name", None)
        if folder is None or not name:
            return f"{exc}; {getattr(book, 'no_folder', None) or 'the workbook has no folder on this computer'}"
        path = Path(folder) / str(name)
    commands = rebuild_commands(book_records(book) if records is None else records, path)
    return f"{exc}; {commands}"
