"""Files put in place together by ``xlpy render`` (a PDF and its pages) and ``xlpy lite`` (main.py and
requirements.txt): Ctrl-C, SIGTERM and SIGHUP wait while they are renamed in, then say truly what was written
(review 127: a signal among the renames left a new PDF beside old pages, or a new main.py beside an old
requirements.txt, and said "nothing was written"; a signal after the last rename said so too).  A killed lite's
temporary files are removed by the next lite into the folder (they built up)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from test_render_time import _PDF, POSIX, _stand_ins

from xlpy import cli
from xlpy.excel import lite
from xlpy.files.in_place import InterruptedAfterWriting
from xlpy.workbook import rendering

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture(autouse=True)
def main_thread():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")


def _signal_at_rename(monkeypatch, folder: Path, signum: int, at: int) -> list[str]:
    """Send *signum* to this thread at the *at*-th rename into *folder* (the rename made after it), as a signal
    coming between two renames does; returns the names renamed into *folder*, in order."""
    real, moved = os.replace, []

    def replace(source, target, *args, **kwargs):
        if Path(target).parent == folder:
            moved.append(Path(target).name)
            if len(moved) == at:
                signal.raise_signal(signum)  # (to this thread, at once: its handler runs as this call returns)
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return moved


@pytest.fixture
def as_from_a_terminal():
    """SIGINT, SIGTERM and SIGHUP as a terminal starts xlpy with them (a run in the background has Ctrl-C
    ignored, and an ignored one stays so); put back after."""
    stops = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    before = {s: signal.signal(s, signal.default_int_handler if s == signal.SIGINT else signal.SIG_DFL) for s in stops}
    yield
    for s, handler in before.items():
        signal.signal(s, signal.SIG_DFL if handler is None else handler)


# --- render -------------------------------------------------------------------------------------------------------


@pytest.fixture
def book(standard_books, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Path(standard_books.copy_into("holders", tmp_path).name)


@POSIX
@pytest.mark.parametrize("name, at, status, how",
                         [("SIGTERM", 2, 143, "terminated"), ("SIGINT", 4, 130, "interrupted")],
                         ids=["SIGTERM-among-the-renames", "SIGINT-at-the-last"])
def test_a_signal_while_a_render_is_moved_in_waits_for_every_file_and_says_they_were_written(
        book, tmp_path, monkeypatch, capsys, as_from_a_terminal, name, at, status, how):
    """An earlier render of five pages in the folder; this one has three: a signal at its second rename left the
    new PDF beside the earlier pages 2 to 5, and one at its last said "nothing was written" of a folder all new."""
    _stand_ins(tmp_path, monkeypatch, f'printf "{_PDF}" > "$out/$stem.pdf"\n',
               pdftoppm='for n in 1 2 3; do printf "new page $n" > "$last-$n.png"; done\n')
    pages = (tmp_path / "pages").absolute()
    pages.mkdir()
    (pages / "book.pdf").write_bytes(b"%PDF earlier")
    for n in range(1, 6):
        (pages / f"book-{n}.png").write_bytes(b"earlier page")
    moved = _signal_at_rename(monkeypatch, pages, getattr(signal, name), at)
    assert cli.main(["render", str(book), "-o", str(pages), "-q"]) == status
    assert moved == ["book.pdf", "book-1.png", "book-2.png", "book-3.png"]
    assert capsys.readouterr().err == f"xlpy render: {how} after {pages / 'book.pdf'} and its 3 pages were written\n"
    assert sorted(p.name for p in pages.iterdir()) == ["book-1.png", "book-2.png", "book-3.png", "book.pdf"]
    assert [(pages / f"book-{n}.png").read_bytes() for n in (1, 2, 3)] == [b"new page 1", b"new page 2", b"new page 3"]
    assert rendering.pdf_pages(pages / "book.pdf") == 3


@POSIX
def test_a_signal_while_a_pdf_alone_is_moved_in_says_the_pdf_was_written(book, tmp_path, monkeypatch, capsys,
                                                                        as_from_a_terminal):
    """``--pdf-only``: the one rename, and the words of a workbook's (review 128: "and its 0 pages" was untested)."""
    _stand_ins(tmp_path, monkeypatch, f'printf "{_PDF}" > "$out/$stem.pdf"\n')
    pages = (tmp_path / "pages").absolute()
    pages.mkdir()
    (pages / "book.pdf").write_bytes(b"%PDF earlier")
    moved = _signal_at_rename(monkeypatch, pages, signal.SIGTERM, 1)
    assert cli.main(["render", str(book), "-o", str(pages), "--pdf-only", "-q"]) == 143
    assert moved == ["book.pdf"] and (pages / "book.pdf").read_bytes() != b"%PDF earlier"
    assert capsys.readouterr().err == f"xlpy render: terminated after {pages / 'book.pdf'} was written\n"


@POSIX
@pytest.mark.parametrize("at", [1, 2, 3], ids=["at-the-first", "between", "at-the-last"])
def test_pdf_to_pngs_called_alone_moves_its_pages_in_together(tmp_path, monkeypatch, as_from_a_terminal, at):
    """``rendering.pdf_to_pngs`` used as a library function (review 128: it moved pages in one at a time without
    holding the signals, so a Ctrl-C among them left new pages 1 and 2 beside an earlier render's 3 to 5)."""
    _stand_ins(tmp_path, monkeypatch, "exit 1\n",
               pdftoppm='for n in 1 2 3; do printf "new page $n" > "$last-$n.png"; done\n')
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    pages = (tmp_path / "pages").absolute()
    pages.mkdir()
    for n in range(1, 6):
        (pages / f"book-{n}.png").write_bytes(b"earlier page")
    moved = _signal_at_rename(monkeypatch, pages, signal.SIGINT, at)
    with pytest.raises(KeyboardInterrupt) as caught:
        rendering.pdf_to_pngs(pdf, pages)
    assert isinstance(caught.value, InterruptedAfterWriting)
    assert moved == ["book-1.png", "book-2.png", "book-3.png"]
    assert caught.value.said == f"3 pages of book were written ({pages / 'book-1.png'} to book-3.png)"
    assert sorted(p.name for p in pages.iterdir()) == ["book-1.png", "book-2.png", "book-3.png"]
    assert [(pages / f"book-{n}.png").read_bytes() for n in (1, 2, 3)] == [b"new page 1", b"new page 2", b"new page 3"]


@POSIX
def test_pdf_to_pngs_of_one_page_says_the_page_was_written(tmp_path, monkeypatch, as_from_a_terminal):
    _stand_ins(tmp_path, monkeypatch, "exit 1\n", pdftoppm='printf "new page 1" > "$last-1.png"\n')
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    pages = (tmp_path / "pages").absolute()
    pages.mkdir()
    _signal_at_rename(monkeypatch, pages, signal.SIGINT, 1)
    with pytest.raises(InterruptedAfterWriting) as caught:
        rendering.pdf_to_pngs(pdf, pages)
    assert caught.value.said == f"1 page of book was written ({pages / 'book-1.png'})"


# --- lite ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A folder holding an earlier project; main.py's text a stand-in (the renames are what is tested)."""
    monkeypatch.setattr(lite, "main_py", lambda codes: '"""xlpy, new"""\n')
    out = (tmp_path / "app").absolute()
    out.mkdir()
    (out / "main.py").write_text("# old\n")
    (out / "requirements.txt").write_text("old\n")
    return out


@pytest.mark.parametrize("name, at, status, how",
                         [("SIGTERM", 1, 143, "terminated"), ("SIGINT", 2, 130, "interrupted")],
                         ids=["SIGTERM-between-the-renames", "SIGINT-at-the-last"])
def test_a_signal_while_lite_moves_its_files_in_waits_for_both_and_says_they_were_written(
        project, monkeypatch, capsys, as_from_a_terminal, name, at, status, how):
    moved = _signal_at_rename(monkeypatch, project, getattr(signal, name), at)
    assert cli.main(["lite", "-o", str(project), "--force", "-q"]) == status
    assert moved == ["main.py", "requirements.txt"]
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"xlpy lite: {how} after the xlwings Lite project {project} (main.py, requirements.txt) "
                              "was written\n")
    assert (project / "main.py").read_text() == '"""xlpy, new"""\n'
    assert (project / "requirements.txt").read_text() == lite.requirements_txt()
    assert sorted(p.name for p in project.iterdir()) == ["main.py", "requirements.txt"]  # no temporary file left


def test_a_signal_before_lite_moves_anything_leaves_the_project_as_it_was(project, monkeypatch, capsys,
                                                                           as_from_a_terminal):
    real, written = lite._write_temporary, []

    def write_temporary(path, text):
        if written:  # (as requirements.txt's is begun: main.py's is written)
            signal.raise_signal(signal.SIGTERM)
        written.append(real(path, text))
        return written[-1]

    monkeypatch.setattr(lite, "_write_temporary", write_temporary)
    assert cli.main(["lite", "-o", str(project), "--force", "-q"]) == 143
    assert capsys.readouterr().err == "xlpy lite: terminated; nothing was written\n"
    assert (project / "main.py").read_text() == "# old\n" and (project / "requirements.txt").read_text() == "old\n"
    assert sorted(p.name for p in project.iterdir()) == ["main.py", "requirements.txt"]


@contextlib.contextmanager
def _stopped_as_the_hold_begins():
    """A held_signals whose hold a SIGTERM beat: raised as the block is entered, before any rename."""
    from xlpy.cli.commands import Terminated

    raise Terminated(signal.SIGTERM)
    yield


def test_a_signal_just_before_the_hold_leaves_lite_s_project_and_a_render_s_pdf_as_they_were(
        project, book, tmp_path, monkeypatch, capsys, as_from_a_terminal):
    """Review 128: one that comes as the move-in starts, before its hold, is a stop before anything was moved: it
    says nothing was written, and so it is (the render's one PDF, ``--pdf-only``, included)."""
    monkeypatch.setattr(lite, "held_signals", _stopped_as_the_hold_begins)
    assert cli.main(["lite", "-o", str(project), "--force", "-q"]) == 143
    assert capsys.readouterr().err == "xlpy lite: terminated; nothing was written\n"
    assert (project / "main.py").read_text() == "# old\n" and (project / "requirements.txt").read_text() == "old\n"
    _stand_ins(tmp_path, monkeypatch, f'printf "{_PDF}" > "$out/$stem.pdf"\n')
    pages = (tmp_path / "pages").absolute()
    pages.mkdir()
    (pages / "book.pdf").write_bytes(b"%PDF earlier")
    monkeypatch.setattr(rendering, "held_signals", _stopped_as_the_hold_begins)
    assert cli.main(["render", str(book), "-o", str(pages), "--pdf-only", "-q"]) == 143
    assert capsys.readouterr().err == "xlpy render: terminated; nothing was written\n"
    assert [p.name for p in pages.iterdir()] == ["book.pdf"] and (pages / "book.pdf").read_bytes() == b"%PDF earlier"


def test_the_temporary_files_a_killed_lite_left_are_removed_by_the_next_once_old(project):
    """A kill between the temporary files and the renames left ``.main.py.<hex>.tmp`` (the whole of main.py, some
    280 KB) and ``.requirements.txt.<hex>.tmp`` in the project's folder for good, one pair a kill.  Now xlpy's are
    named as its own and removed by the next lite there once older than any run takes; one of a run going on
    meanwhile (fresh), and a file of the user's, are left."""
    made = lite._write_temporary(project / "main.py", "x")
    assert made.name.startswith(".~xlpy-partial.main.py.") and lite._TEMPORARY.fullmatch(made.name)
    made.unlink()
    hour_ago = time.time() - 3600
    killed = [".~xlpy-partial.main.py.0123456789ab.tmp", ".~xlpy-partial.requirements.txt.0123456789ab.tmp",
              ".main.py.a1b2c3d4e5f6.tmp", ".requirements.txt.a1b2c3d4e5f6.tmp"]  # (the last two: earlier xlpy's names)
    kept = [".~xlpy-partial.main.py.fedcba987654.tmp", ".main.py.notes.tmp", "main.py.0123456789ab.tmp"]
    for name in killed + kept:
        (project / name).write_text("left")
    for name in killed + kept[1:]:
        os.utime(project / name, (hour_ago, hour_ago))
    assert cli.main(["lite", "-o", str(project), "--force", "-q"]) == 0
    assert sorted(p.name for p in project.iterdir()) == sorted(kept + ["main.py", "requirements.txt"])
