"""Headless LibreOffice: recalculate workbooks and read their values (rendering them: :mod:`.rendering`).

LibreOffice is used here only as an independent *checker* and *renderer*:
it recalculates a copy of a workbook so that formula results can be compared
with what Python computed, and it prints a workbook to PDF/PNG so a human
can look at it.  A file written by LibreOffice must never be shipped; every
function in this module writes its output next to (never over) its input.

Notes
-----
* Every ``soffice`` call gets its own throw-away user profile (see
  :func:`libreoffice_profile`), so concurrent calls from several processes or
  threads do not interfere, and the user's own LibreOffice settings are
  neither used nor modified.
* By default LibreOffice trusts the cached formula results stored in an
  ``.xlsx`` and does *not* recalculate on load.  The private profile sets
  ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 ("always recalculate"), so
  stale or missing cached values are recomputed.
* Macros are never run (macro security "very high" and macro execution
  disabled) and external links are never updated (their cached values are
  used).
* Functions LibreOffice does not know -- in particular xlpy's Python UDFs --
  evaluate to ``#NAME?``.  Callers that need such workbooks checked must
  replace those formulas by their values before recalculating.
* Start-up dominates the cost (about 1 s per ``soffice`` call), so prefer
  :func:`recalculate_many` over repeated :func:`recalculate` calls.
* ``soffice --convert-to`` exits with status 0 even when it wrote nothing;
  every output is checked and a :class:`LibreOfficeError` naming the input
  file is raised when it is missing or empty.
* Outputs are produced in a hidden staging directory inside ``out_dir`` and
  moved into place with :func:`os.replace`, so no half-written file is ever
  visible under its final name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path

from . import leftovers

__all__ = [
    "LibreOfficeError",
    "TimedOut",
    "SOFFICE_ENV_VAR",
    "ci_set",
    "find_soffice",
    "libreoffice_profile",
    "recalculate",
    "recalculate_many",
    "read_values",
    "read_named_values",
    "recalculated_values",
    "named_values",
    "convert",
    "why_no_soffice",
    "run_tool",
    "full_disk",
    "DEFAULT_TIMEOUT",
    "PDF_FILTER",
]

#: Environment variable naming the ``soffice`` executable (a path or a name
#: looked up on ``PATH``).  When set, it wins over the ``PATH`` search.
SOFFICE_ENV_VAR = "XLPY_SOFFICE"

#: Values of ``CI`` that mean "not in CI" (as runners and people write them), beside unset and blank.
CI_UNSET = frozenset({"0", "false", "no", "off"})


def ci_set() -> bool:
    """Whether the ``CI`` environment variable says this is a CI run: set, and not blank, ``0``, ``false``,
    ``no`` or ``off`` (any case).  There a missing LibreOffice is a finding, and its tests fail, not skip."""
    value = os.environ.get("CI", "").strip()
    return bool(value) and value.lower() not in CI_UNSET

_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
PDF_FILTER = "pdf:calc_pdf_Export"
_SOFFICE_FLAGS = ("--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault")
#: The seconds a step not sized to its workbook is given (a PDF, or its pages, made alone); a recalculation is sized.
DEFAULT_TIMEOUT = 120.0
_STDERR_TAIL_CHARS = 2000

# Settings written into every private profile.  Paths and property names are
# those of LibreOffice's configuration schema (officecfg).
_PROFILE_SETTINGS: tuple[tuple[str, str, str, str], ...] = (
    # Recalculation on load: 0 = always, 1 = never, 2 = prompt (default 1).
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "int", "0"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "int", "0"),
    # External links: 0 = always update, 1 = never, 2 = on request.
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "int", "1"),
    # Never run macros and never ask about them (xlsm inputs).
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "int", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "boolean", "true"),
    # No first-start / tip-of-the-day dialogs, no lock files.
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "ShowTipOfTheDay", "boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "boolean", "false"),
)


class LibreOfficeError(RuntimeError):
    """A LibreOffice (or pdftoppm) step failed.

    The message names the file(s) concerned and what failed, and ends with
    the tail of the tool's standard error when there is one.

    Parameters
    ----------
    message : str
        Human-readable description.
    files : sequence of path-like, optional
        The input file(s) the failure concerns.
    stderr : str, optional
        Standard error of the external tool (full text).

    Attributes
    ----------
    files : tuple of pathlib.Path
        The input file(s) the failure concerns.
    stderr : str
        Standard error of the external tool, or ``""``.
    """

    def __init__(self, message: str, files: Sequence[os.PathLike | str] = (), stderr: str = ""):
        self.files = tuple(Path(f) for f in files)
        self.stderr = stderr or ""
        tail = _tail(self.stderr)
        if tail:
            message = f"{message}\n--- stderr (tail) ---\n{tail}"
        super().__init__(message)


class TimedOut(LibreOfficeError):
    """A tool (``soffice``, ``pdftoppm``) ran past its time and was killed with its process group.

    Attributes
    ----------
    program : str
        The tool's file name (``soffice``, ``pdftoppm``).
    seconds : float
        The time it was given.
    what : str
        What it was doing (``export to PDF``).
    pages : int or None
        The pages it was drawing, when it is known (a render's ``pdftoppm``), else None.
    """

    def __init__(self, message: str, files: Sequence[os.PathLike | str] = (), stderr: str = "", *,
                 program: str = "", seconds: float = 0.0, what: str = ""):
        super().__init__(message, files, stderr)
        self.program, self.seconds, self.what = program, seconds, what
        self.pages: int | None = None


def _tail(text: str, limit: int = _STDERR_TAIL_CHARS) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        text = "..." + text[-limit:]
    return text


# --------------------------------------------------------------------------
# Locating the tools
# --------------------------------------------------------------------------


def find_soffice() -> str | None:
    """Locate the LibreOffice ``soffice`` executable.

    Returns
    -------
    str or None
        Full path of the executable, or ``None`` when it cannot be found.

    Notes
    -----
    The environment variable ``XLPY_SOFFICE`` is honoured first; it may hold
    a path or a command name.  When it is set (non-empty) but does not name an
    executable, ``None`` is returned rather than silently falling back to
    another installation.  Otherwise ``soffice`` and then ``libreoffice`` are
    looked up on ``PATH``, then where LibreOffice's installer puts it on
    Windows and macOS, neither of which adds it to ``PATH``
    (:func:`installed_places`).
    """
    configured = os.environ.get(SOFFICE_ENV_VAR, "").strip()
    if configured:
        return shutil.which(configured)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for place in installed_places(sys.platform, os.environ):
        if os.path.isfile(place) and os.access(place, os.X_OK):
            return place
    return None


def installed_places(platform: str, environ: Mapping[str, str]) -> list[str]:
    r"""Where LibreOffice's own installer puts ``soffice`` on *platform* (``sys.platform``), in the order looked in.

    >>> for place in installed_places("win32", {"ProgramFiles": r"C:\Program Files",
    ...                                         "ProgramFiles(x86)": r"C:\Program Files (x86)"}):
    ...     print(place)
    C:\Program Files\LibreOffice\program\soffice.exe
    C:\Program Files (x86)\LibreOffice\program\soffice.exe
    >>> installed_places("darwin", {}), installed_places("linux", {})
    (['/Applications/LibreOffice.app/Contents/MacOS/soffice'], [])
    """
    if platform == "win32":
        roots = dict.fromkeys(environ[k].rstrip("\\") for k in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")
                              if environ.get(k, "").rstrip("\\"))
        return [f"{root}\\LibreOffice\\program\\soffice.exe" for root in roots]
    if platform == "darwin":
        return ["/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    return []


def why_no_soffice() -> str:
    """Why :func:`find_soffice` found nothing, for a note, a finding or a refusal: ``XLPY_SOFFICE`` set to what
    names no program (LibreOffice may well be installed: the variable is what to mend), else not installed."""
    configured = os.environ.get(SOFFICE_ENV_VAR, "").strip()
    if configured:
        return f"{SOFFICE_ENV_VAR} is {configured!r}, which names no program (unset it, or name soffice)"
    return (f"soffice not found (install LibreOffice; Debian: libreoffice-calc-nogui; one installed elsewhere than "
            f"on PATH or in its installer's folder: set {SOFFICE_ENV_VAR} to its soffice)")


def _require_soffice(files: Sequence[Path]) -> str:
    exe = find_soffice()
    if exe is None:
        configured = os.environ.get(SOFFICE_ENV_VAR, "").strip()
        hint = (
            f"{SOFFICE_ENV_VAR}={configured!r} does not name an executable"
            if configured
            else f"neither 'soffice' nor 'libreoffice' is on PATH or in its installer's folder, and {SOFFICE_ENV_VAR} "
                 "is not set"
        )
        raise LibreOfficeError(
            f"{_names(files)}: LibreOffice is not available ({hint}); "
            "install it (Debian: libreoffice-calc-nogui)",
            files,
        )
    return exe


# --------------------------------------------------------------------------
# Private profile and process handling
# --------------------------------------------------------------------------


def _registry_xcu() -> str:
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, _type, value in _PROFILE_SETTINGS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}\n"
        "</oor:items>\n"
    )


@contextlib.contextmanager
def libreoffice_profile(base_dir: os.PathLike | str | None = None) -> Iterator[Path]:
    """Create a private, throw-away LibreOffice user profile.

    Parameters
    ----------
    base_dir : path-like, optional
        Where to create the temporary profile directory; defaults to the
        system temporary directory.

    Yields
    ------
    pathlib.Path
        The profile directory.  Pass it to ``soffice`` as
        ``-env:UserInstallation=<profile.as_uri()>``.  It is removed when the
        context exits.

    Notes
    -----
    The profile's ``user/registrymodifications.xcu`` makes Calc recalculate
    every formula on load (xlsx and ods), never update external links, never
    run macros and skip first-start dialogs and lock files.
    """
    profile = Path(leftovers.mkdtemp("lo-profile", base_dir)).absolute()
    try:
        user = profile / "user"
        user.mkdir()
        (profile / "tmp").mkdir()  # (soffice's temporary folder: see convert)
        (user / "registrymodifications.xcu").write_text(_registry_xcu(), encoding="utf-8")
        yield profile
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _kill_process_group(proc: subprocess.Popen) -> None:
    # Called only while the leader is not yet reaped, so its pid (= the
    # process group id) cannot have been reused.
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


#: A full disk's error numbers; and the free space below which LibreOffice's failure is put down to the disk.
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_ROOM, _FULL_BELOW = 64 * 2**20, 2 * 2**20


def full_disk(what: str, *folders: Path) -> str:
    """After a tool failed (*what*): the first of *folders* that is full (below 2 MB free: not even
    LibreOffice's profile fits) raised as a full disk, for the command to name the folder, not the workbook;
    else, for one with little room (below 64 MB), a hint for the tool's message that it may be why ("")."""
    for folder in folders:
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue
        if free < _FULL_BELOW:
            raise OSError(errno.ENOSPC, f"{what}; it has only {free // 1024:,} KB free", str(folder))
        if free < _ROOM:
            return f"; {folder} has only {free / 2**20:,.1f} MB free, which may be why"
    return ""


def _with_usable_temp(folder: os.PathLike | str | None = None) -> dict[str, str]:
    """The environment for a tool, its temporary folder *folder*, else the one Python found it can write (a
    ``TMPDIR`` that is read-only or not there is passed over by Python, and made soffice wait two minutes for
    nothing)."""
    folder = str(folder or tempfile.gettempdir())  # (given even when none is set: /tmp may be the read-only one)
    return {**os.environ, "TMPDIR": folder, "TEMP": folder, "TMP": folder}


def run_tool(cmd: list[str], *, cwd: Path, timeout: float | None, what: str,
             files: Sequence[Path], temp: Path | None = None) -> subprocess.CompletedProcess:
    """Run an external tool in its own process group with a timeout; *temp*: its temporary folder, else the
    system's."""
    popen_kwargs: dict = {}
    if os.name == "posix":
        popen_kwargs["start_new_session"] = True
    else:  # pragma: no cover - Windows
        popen_kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_with_usable_temp(temp),
            **popen_kwargs,
        )
    except OSError as exc:
        raise LibreOfficeError(f"{_names(files)}: could not start {cmd[0]!r} to {what}: {exc}",
                               files) from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_process_group(proc)
        out, err = _drain(proc)
        raise TimedOut(
            f"{_names(files)}: {Path(cmd[0]).name} timed out after {timeout:g} s while trying "
            f"to {what}; its process group was killed",
            files,
            _decode(err),
            program=Path(cmd[0]).name, seconds=timeout or 0.0, what=what,
        ) from None
    except BaseException:
        _kill_process_group(proc)
        _drain(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, _decode(out), _decode(err))


def _drain(proc: subprocess.Popen) -> tuple[bytes, bytes]:
    try:
        return proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        return b"", b""


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def _names(files: Sequence[Path]) -> str:
    return ", ".join(str(f) for f in files) if files else "<no file>"


# --------------------------------------------------------------------------
# Conversion core
# --------------------------------------------------------------------------


def _check_inputs(paths: Sequence[os.PathLike | str]) -> list[Path]:
    inputs = [Path(p) for p in paths]
    if not inputs:
        raise ValueError("no input files given")
    missing = [p for p in inputs if not p.is_file()]
    if missing:
        raise LibreOfficeError(f"{_names(missing)}: input file not found (or not a regular file)",
                               missing)
    return inputs


#: A file name soffice is given as it is, and a footer's &F prints as it is (a letter or digit of any script, then
#: those, spaces and ``_.()+-&',!{}~$=@``: "Procter & Gamble.xlsm"): no option, nothing soffice reads as a URL's
#: (``#``, ``%``) or escapes in &F (``[``, ``]``, ``;``); any other is copied under a name of its own (``_0000.xlsm``).
_PLAIN_NAME = re.compile(r"[^\W_][\w .()+&',!{}~$=@-]*")


def convert(paths: Sequence[os.PathLike | str], *, convert_to: str, ext: str, out_dir: Path,
             timeout: float | None, what: str) -> list[Path]:
    """Convert ``paths`` with ONE soffice start-up; all-or-nothing."""
    inputs = _check_inputs(paths)
    out_dir = Path(out_dir)
    finals = [out_dir / f"{p.stem}.{ext}" for p in inputs]
    seen: dict[str, Path] = {}
    for src, dst in zip(inputs, finals):
        key = os.path.normcase(str(dst.absolute()))
        if key in seen:
            raise ValueError(f"{seen[key]} and {src} would both be written to {dst}; "
                             "convert them into different out_dir")
        seen[key] = src
        if dst.exists() and dst.resolve() == src.resolve():
            raise ValueError(f"{src}: refusing to overwrite the input with its converted copy; "
                             "choose another out_dir")
    exe = _require_soffice(inputs)
    out_dir.mkdir(parents=True, exist_ok=True)

    with contextlib.ExitStack() as stack:
        stage = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix=".xlpy-lo-stage-", dir=out_dir))).absolute()
        profile = stack.enter_context(libreoffice_profile())
        stage_in, stage_out = stage / "in", stage / "out"
        stage_in.mkdir()
        stage_out.mkdir()
        # Copy the inputs under safe, distinct names: no option-like or
        # clashing names reach soffice, and no lock file lands next to them.
        # A plain name is kept, so a footer's &F prints the workbook's own.
        staged, stems = [], set()
        for i, src in enumerate(inputs):
            plain = _PLAIN_NAME.fullmatch(src.name) is not None and src.stem.lower() not in stems
            dst = stage_in / (src.name if plain else f"_{i:04d}{src.suffix}")  # (never a plain name: no clash)
            stems.add(dst.stem.lower())
            try:
                shutil.copyfile(src, dst)
            except OSError as exc:
                if exc.errno in _FULL:  # the folder it is copied to: named by the command, not the workbook
                    raise OSError(exc.errno, exc.strerror, str(stage)) from None
                raise LibreOfficeError(f"{src}: cannot be copied for LibreOffice: {exc}", [src]) from exc
            staged.append(dst)
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", *_SOFFICE_FLAGS,
               "--convert-to", convert_to, "--outdir", str(stage_out), *map(str, staged)]
        # (soffice's own lu*.tmp folders go in the profile, removed with it: a soffice killed by a timeout, or
        # with xlpy, left them in the system's temporary folder for good; a profile left is swept as xlpy's own)
        result = run_tool(cmd, cwd=stage, timeout=timeout, what=what, files=inputs, temp=profile / "tmp")

        produced = [stage_out / f"{s.stem}.{ext}" for s in staged]
        failed = [src for src, out in zip(inputs, produced)
                  if not out.is_file() or out.stat().st_size == 0]
        if failed:
            room = full_disk(f"LibreOffice could not {what} (soffice exit status {result.returncode})", stage.parent,
                             profile.parent)
            # (soffice says a file it cannot load with status 0; one that fails with a status of its own and writes
            # none of the files is the program; a crash on a file, a signal's status, may be the file's doing)
            if result.returncode > 0 and len(failed) == len(inputs):
                last = next((line.strip() for line in reversed(str(result.stderr or "").splitlines()) if line.strip()),
                            "")
                said = (f": {Path(exe).name} ({exe}) failed with exit status {result.returncode} and wrote nothing"
                        f"{f' ({last})' if last else ''}{room}: the program failed, not the spreadsheet; try it: "
                        f"{exe} --headless --version")
            else:
                said = (f" (no output written; soffice exit status {result.returncode}{room}). Is it a readable "
                        "spreadsheet?")
            raise LibreOfficeError(f"{_names(failed)}: LibreOffice could not {what}{said}", failed, result.stderr)
        for out, dst in zip(produced, finals):
            os.replace(out, dst)
    return finals


# --------------------------------------------------------------------------
# Recalculation
# --------------------------------------------------------------------------


def recalculate(path: os.PathLike | str, out_dir: os.PathLike | str | None = None,
                timeout: float | None = None) -> Path:
    """Recalculate a workbook with LibreOffice and save the result as ``.xlsx``.

    Parameters
    ----------
    path : path-like
        The workbook (``.xlsx`` or ``.xlsm``; anything Calc opens works).
    out_dir : path-like, optional
        Directory for the recalculated copy.  When omitted a new temporary
        directory is created (``xlpy-recalc-PID-...``); the caller owns it and
        should remove it.  Once this process is gone and it is 15 minutes old,
        a later xlpy run removes it (:mod:`xlpy.workbook.leftovers`).
    timeout : float or None, optional
        Seconds before ``soffice`` is killed; by default sized to the workbook (:func:`recalculate_many`).

    Returns
    -------
    pathlib.Path
        ``out_dir / (path.stem + ".xlsx")``, an existing non-empty file whose
        cached values are LibreOffice's results.  Macros are not kept.

    Raises
    ------
    LibreOfficeError
        If the file is missing, LibreOffice is unavailable, times out, or
        writes no output (e.g. the file is not a spreadsheet).
    ValueError
        If the output would overwrite the input.

    Notes
    -----
    For a ready-made value dictionary use :func:`recalculated_values`.  The
    copy is for checking only and must not be shipped.
    """
    if out_dir is None:
        _check_inputs([path])
        out_dir = leftovers.mkdtemp("recalc")
    return recalculate_many([path], out_dir, timeout=timeout)[0]


def recalculate_many(paths: Sequence[os.PathLike | str], out_dir: os.PathLike | str,
                     timeout: float | None = None) -> list[Path]:
    """Recalculate several workbooks with a single ``soffice`` start-up.

    Parameters
    ----------
    paths : sequence of path-like
        Workbooks to recalculate.  Their stems must differ (outputs are named
        ``<stem>.xlsx``).
    out_dir : path-like
        Directory receiving the recalculated ``.xlsx`` copies (created if
        needed).
    timeout : float or None, optional
        Seconds for the whole batch; by default sized to the workbooks, read cheaply
        (:func:`~xlpy.workbook.book_size.recalc_time`: 120, and 15 for each and 1.5 for each thousand rows of
        its sheets).

    Returns
    -------
    list of pathlib.Path
        The recalculated copies, in the order of ``paths``.

    Raises
    ------
    LibreOfficeError
        If any input is missing or could not be converted; the message and
        ``.files`` name the failing inputs.  The batch is all-or-nothing: on
        error no output is moved into ``out_dir``.
    ValueError
        If two inputs share a stem or an output would overwrite its input.
    """
    paths = list(paths)
    if timeout is None:
        from .book_size import recalc_time, workbook_size

        timeout = recalc_time([workbook_size(p) for p in paths])
    return convert(paths, convert_to=_XLSX_FILTER, ext="xlsx", out_dir=Path(out_dir),
                    timeout=timeout, what="recalculate and save as xlsx")


def read_values(xlsx: os.PathLike | str, sheets: Collection[str] | None = None) -> dict[str, dict[str, object]]:
    """Read the cached cell values of a workbook (e.g. a recalculated copy).

    Parameters
    ----------
    xlsx : path-like
        An ``.xlsx``/``.xlsm`` file, typically from :func:`recalculate_many`.
    sheets : the titles of the worksheets to read; every worksheet when None
        (a large table on a sheet nobody asks about is not read).

    Returns
    -------
    dict
        ``{sheet name: {cell coordinate: value}}`` for every non-empty cell,
        read with openpyxl ``data_only=True``.  Errors appear as strings such
        as ``"#NAME?"``; dates as :class:`datetime.datetime` when formatted so.
    """
    from .openpyxl_access import load_workbook

    wb = load_workbook(xlsx, data_only=True, read_only=True)
    try:
        result: dict[str, dict[str, object]] = {}
        for ws in wb.worksheets:
            if sheets is not None and ws.title not in sheets:
                continue
            cells: dict[str, object] = {}
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is not None:
                        cells[cell.coordinate] = value
            result[ws.title] = cells
        return result
    finally:
        wb.close()


def read_named_values(xlsx: os.PathLike | str) -> dict[str, object]:
    """Read the values of the workbook-level defined names of a workbook.

    Parameters
    ----------
    xlsx : path-like
        An ``.xlsx``/``.xlsm`` file, typically from :func:`recalculate_many`.

    Returns
    -------
    dict
        ``{name: value}``.  A name referring to one cell gives that cell's
        cached value; a name referring to several cells gives a list of rows
        (each a list of values; the rows of every area of a multi-area name,
        one after another).  A name holding a constant (``=0.05``, ``="x"``,
        ``=TRUE``) gives the constant.

    Notes
    -----
    Sheet-scoped names, reserved names (``_xlnm.*``) and names defined by a
    formula (e.g. ``=Sheet1!$A$1*2``) are left out: a file stores no value
    for them.
    """
    from openpyxl.formula.tokenizer import Tokenizer
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.workbook.defined_name import SHEETRANGE_RE

    from .openpyxl_access import load_workbook  # (openpyxl's, its shared strings read fast)
    wb = load_workbook(xlsx, data_only=True)
    try:
        result: dict[str, object] = {}
        for name, dn in wb.defined_names.items():
            if dn.localSheetId is not None or dn.is_reserved or name.startswith("_xlnm."):
                continue
            text = (dn.attr_text or "").strip()
            if not text:
                continue
            try:
                tokens = Tokenizer("=" + text.lstrip("=")).items
            except Exception:  # unparsable definition
                continue
            tokens = [t for t in tokens if t.type not in ("PAREN", "WHITE-SPACE")]
            if len(tokens) == 1 and tokens[0].type == "OPERAND" and tokens[0].subtype != "RANGE":
                result[name] = _literal(tokens[0].value, tokens[0].subtype)
                continue
            areas = tokens[::2]
            if not areas or any(t.type != "OPERAND" or t.subtype != "RANGE" for t in areas) or any(
                    t.value != "," for t in tokens[1::2]):
                continue  # a formula, not a reference
            rows: list[list[object]] = []
            ok = True
            for token in areas:
                m = SHEETRANGE_RE.match(token.value)
                if not m:
                    ok = False
                    break
                sheet = m.group("notquoted") or (m.group("quoted") or "").replace("''", "'")
                if sheet not in wb.sheetnames:
                    ok = False
                    break
                ws = wb[sheet]
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(m.group("cells").replace("$", ""))
                except ValueError:
                    ok = False
                    break
                rows.extend(
                    list(r) for r in ws.iter_rows(
                        min_row=min_row or 1, max_row=max_row or ws.max_row,
                        min_col=min_col or 1, max_col=max_col or ws.max_column,
                        values_only=True))
            if not ok:
                continue
            if len(rows) == 1 and len(rows[0]) == 1:
                result[name] = rows[0][0]
            else:
                result[name] = rows
        return result
    finally:
        wb.close()


def _literal(text: str, subtype: str) -> object:
    if subtype == "NUMBER":
        number = float(text)
        return int(number) if number.is_integer() and re.fullmatch(r"[+-]?\d+", text) else number
    if subtype == "TEXT":
        return text[1:-1].replace('""', '"')
    if subtype == "LOGICAL":
        return text.upper() == "TRUE"
    return text  # ERROR: keep e.g. "#REF!"


def recalculated_values(path: os.PathLike | str, timeout: float | None = None) -> dict[str, dict[str, object]]:
    """Recalculate a workbook with LibreOffice and return all cell values.

    Parameters
    ----------
    path : path-like
        The workbook (``.xlsx`` or ``.xlsm``).
    timeout : float or None, optional
        Seconds before ``soffice`` is killed; by default sized to the workbook (:func:`recalculate_many`).

    Returns
    -------
    dict
        ``{sheet name: {cell coordinate: value}}`` as :func:`read_values`
        returns it; temporary files are removed.

    Raises
    ------
    LibreOfficeError
        See :func:`recalculate`.
    """
    with leftovers.temporary_directory("recalc") as tmp:
        return read_values(recalculate(path, tmp, timeout=timeout))


def named_values(path: os.PathLike | str, timeout: float | None = None) -> dict[str, object]:
    """Recalculate a workbook and return the values of its workbook-level names.

    Parameters
    ----------
    path : path-like
        The workbook (``.xlsx`` or ``.xlsm``).
    timeout : float or None, optional
        Seconds before ``soffice`` is killed; by default sized to the workbook (:func:`recalculate_many`).

    Returns
    -------
    dict
        ``{name: value}`` as :func:`read_named_values` returns it (single
        cell -> value, several cells -> list of rows).

    Raises
    ------
    LibreOfficeError
        See :func:`recalculate`.
    """
    with leftovers.temporary_directory("recalc") as tmp:
        return read_named_values(recalculate(path, tmp, timeout=timeout))


# --------------------------------------------------------------------------
# Rendering
