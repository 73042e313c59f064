"""Input files that change while a build or a refresh reads them, and inputs that are pipes.

The Cover and History record each input file's SHA-256; the readers open a
file several times and the hash is taken after them.  A file replaced in
between (an agent's upload, a sync client) left a workbook holding one
file's lines under another file's hash (:mod:`xlpy.files.steady`).  A pipe
given as a file was read empty the second time, or waited for ever.
"""

from __future__ import annotations

import os
import shutil

import pytest
from repo_paths import DATA, FORMULA, PRICES, TALLY

from xlpy import cli
from xlpy.files import recorded, sources, steady


@pytest.fixture
def deal(tmp_path, monkeypatch):
    """The formula example's offer file, its tally and prices, and a tally of 100 of its lines, in one folder."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1077494400")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    for name in (TALLY, PRICES):
        shutil.copy(DATA / name, tmp_path / "data" / name)
    shutil.copy(FORMULA, tmp_path / "offer.toml")
    lines = (DATA / TALLY).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "short.csv").write_text("".join(lines[:101]), encoding="utf-8")
    return tmp_path


def _replaced_after_reading(monkeypatch, module, name: str, target: str, replacement, event=os.replace):
    """*module*.*name* (a reader) that, once it has read *target*, replaces it with *replacement* (or removes it)."""
    read = getattr(module, name)
    done = []

    def reader(path, *args, **kw):
        out = read(path, *args, **kw)
        if os.path.basename(path) == target and not done:  # once: the next run reads the file as it is now
            event(replacement, path) if replacement is not None else os.remove(path)
            done.append(path)
        return out

    monkeypatch.setattr(module, name, reader)


def test_a_tally_replaced_while_a_refresh_reads_it_is_refused(deal, monkeypatch, capsys):
    """The report said 100 lines and recorded the 100-line file's SHA-256 over the 299 lines it had read."""
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    shutil.copy(deal / "data" / TALLY, deal / "today.csv")
    before = (deal / "book.xlsm").read_bytes()
    capsys.readouterr()
    from xlpy.workbook import refresh

    _replaced_after_reading(monkeypatch, refresh.sources, "read_tally", "today.csv", deal / "short.csv")
    assert cli.main(["refresh", "book.xlsm", "--tally", "today.csv", "--no-backup"]) == 3  # busy: run it again
    err = capsys.readouterr().err
    assert "today.csv: changed while it was read (replaced or written: an upload or a sync still at work?), so its " \
           "lines and the SHA-256 recorded for them could be two different files: run again once the file is " \
           "complete" in err, err
    assert (deal / "book.xlsm").read_bytes() == before
    assert cli.main(["refresh", "book.xlsm", "--tally", "today.csv", "--no-backup", "-q"]) == 0  # now complete
    assert "(100 lines; SHA-256 " in capsys.readouterr().out


def test_a_tally_replaced_while_a_build_reads_it_is_refused(deal, monkeypatch, capsys):
    from xlpy.files import offerfile

    _replaced_after_reading(monkeypatch, offerfile.sources, "read_tally", TALLY, deal / "short.csv")
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate"]) == 3
    assert f"{TALLY}: changed while it was read" in capsys.readouterr().err
    assert not (deal / "book.xlsm").exists()


def test_a_price_file_removed_once_read_is_refused_by_name(deal, monkeypatch, capsys):
    from xlpy.files import offerfile

    _replaced_after_reading(monkeypatch, offerfile, "read_prices", PRICES, None)
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate"]) == 3  # (in use: run again once it is in place)
    err = capsys.readouterr().err
    assert f"{PRICES}: cannot be read again for its SHA-256 (No such file or directory): moved or removed while " \
           "it was read? run again once it is in place" in err, err
    assert "Traceback" not in err and not (deal / "book.xlsm").exists()


def test_outside_a_build_or_a_refresh_a_hash_is_a_hash(deal):
    """The worksheet functions and compute note nothing: hashing a file another program rewrites is no refusal."""
    path = deal / "short.csv"
    steady.reading(path)  # (no reading under way: nothing noted)
    path.write_text("holder_id,units\nA,1\n", encoding="utf-8")
    assert len(recorded.sha256(path)) == 64
    with steady.one_reading():
        steady.reading(path)
        assert len(recorded.sha256(path)) == 64  # unchanged since it was read
    with steady.one_reading():
        steady.reading(path)
        os.utime(path, ns=(0, 0))  # touched by a sync client, its bytes the same: no change
        assert len(recorded.sha256(path)) == 64
        path.write_text("holder_id,units\nA,2\n", encoding="utf-8")  # the same size, another unit
        with pytest.raises(sources.InputErrors, match="changed while it was read"):
            recorded.sha256(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_refused_as_a_tally_or_an_offer_file_not_read_twice(deal, capsys):
    """A named pipe hung the refresh (its second reading waited for a writer); a pipe given as the offer file read
    as an empty one ("schema: must be 1, got nothing")."""
    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    os.mkfifo(deal / "pipe.csv")
    capsys.readouterr()
    assert cli.main(["refresh", "book.xlsm", "--tally", "pipe.csv", "--no-backup"]) == 2
    assert "pipe.csv: is a pipe or a device, not a tally file: save it to a file and give that" in \
        capsys.readouterr().err
    os.mkfifo(deal / "offer-pipe.toml")
    assert cli.main(["compute", "offer-pipe.toml"]) == 2
    assert "offer-pipe.toml: is a pipe or a device, not an offer file: save it to a file and give that" in \
        capsys.readouterr().err
    (deal / "prices-pipe.csv").unlink(missing_ok=True)
    os.mkfifo(deal / "prices-pipe.csv")
    assert cli.main(["refresh", "book.xlsm", "--prices", "prices-pipe.csv", "--no-backup"]) == 2
    assert "prices-pipe.csv: is a pipe or a device, not a price file" in capsys.readouterr().err


def test_a_write_in_place_that_sets_the_time_back_is_still_seen(deal):
    """The same size, the modification time restored (as a file system of one-second times does on its own): the
    bytes tell."""
    path = deal / "short.csv"
    with steady.one_reading():
        steady.reading(path)
        st = os.stat(path)
        data = path.read_bytes()
        path.write_bytes(data.replace(b"2500", b"9500", 1) if b"2500" in data else data[::-1])
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
        with pytest.raises(sources.InputErrors, match="changed while it was read"):
            recorded.sha256(path)


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="/dev/stdin is POSIX")
def test_dev_stdin_is_refused_even_redirected_from_a_file(deal, capsys, monkeypatch):
    """Redirected from a file, /dev/stdin is a regular file: it was read, and the Cover recorded "/dev/stdin" as the
    tally, which the next plain refresh read as whatever stdin was then."""
    import sys

    assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate", "-q"]) == 0
    capsys.readouterr()
    with open(deal / "short.csv", "rb") as fh:
        saved = os.dup(0)
        os.dup2(fh.fileno(), 0)  # what `xlpy refresh ... --tally /dev/stdin < short.csv` gives the process
        try:
            monkeypatch.setattr(sys, "stdin", open(0, closefd=False))
            status = cli.main(["refresh", "book.xlsm", "--tally", "/dev/stdin", "--no-backup"])
        finally:
            os.dup2(saved, 0)
            os.close(saved)
    assert status == 2
    assert "/dev/stdin: is a pipe or a device, not a tally file: save it to a file and give that" in \
        capsys.readouterr().err


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="/dev/stdin is POSIX")
def test_a_regular_file_under_dev_is_a_file_and_a_link_to_stdin_is_not(tmp_path):
    """/dev/shm is a RAM disk of regular files (containers, CI): refused as "a device" by its path alone; a link to
    /dev/stdin was taken for a file."""
    from pathlib import Path

    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        ram = Path("/dev/shm") / f"xlpy-steady-{os.getpid()}.toml"
        ram.write_text("schema = 1\n", encoding="utf-8")
        try:
            assert steady.not_a_file(ram, "an offer file") is None
        finally:
            ram.unlink()
    via = tmp_path / "via.toml"
    via.symlink_to("/dev/stdin")  # (redirected from a file, stdin is a regular file: its path is what is refused)
    assert steady._through_a_descriptor(via) and steady._through_a_descriptor("/proc/self/fd/0")
    plain = tmp_path / "plain.toml"
    plain.write_text("schema = 1\n", encoding="utf-8")
    (tmp_path / "link.toml").symlink_to(plain)
    assert not steady._through_a_descriptor(plain) and not steady._through_a_descriptor(tmp_path / "link.toml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_device_given_as_the_workbook_is_named_as_one(deal, capsys):
    """Review 63: a named pipe or /dev/null given to refresh or render was "workbook not found"."""
    os.mkfifo(deal / "book.xlsm")
    assert cli.main(["refresh", "book.xlsm", "--no-backup"]) == 2
    assert capsys.readouterr().err == ("xlpy refresh: book.xlsm: is a pipe or a device, not a workbook: save it to a "
                                       "file and give that\n")
    assert cli.main(["render", os.devnull, "-o", str(deal / "out")]) == 2
    assert capsys.readouterr().err == (f"xlpy render: {os.devnull}: is a pipe or a device, not a workbook: save it "
                                       "to a file and give that\n")
    assert not (deal / "out").exists()


def _let_go(fifo, rescued: list) -> None:
    """Open *fifo* for writing and close it: a reader waiting to open it goes on (and the test fails, not hangs)."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        rescued.append(fifo)
    except OSError:  # (no reader waiting: ENXIO)
        pass


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_validate_names_a_pipe_or_a_device_given_as_the_workbook_and_does_not_wait_on_it(tmp_path, capsys,
                                                                                           monkeypatch):
    """A review: validate called a named pipe or /dev/null "workbook not found", where refresh and render name it
    (6811dbd).  A finding of that workbook, as a folder is; the pipe is never opened.  Each is named by its path as
    given (review 69: /dev/null was named "null", as though a file of that name)."""
    import threading

    monkeypatch.chdir(tmp_path)
    os.mkfifo("book.xlsm")
    rescued: list = []
    timer = threading.Timer(20, _let_go, ("book.xlsm", rescued))
    timer.start()
    try:
        assert cli.main(["validate", "book.xlsm", os.devnull, "--no-formulas", "--no-libreoffice"]) == 1
    finally:
        timer.cancel()
    assert not rescued
    said = [line for line in capsys.readouterr().out.splitlines() if "[structure]" in line]
    assert said == [f"{name}: file: is a pipe or a device, not a workbook: save it to a file and give that [structure]"
                    for name in ("book.xlsm", os.devnull)]


def test_a_link_that_leads_nowhere_or_in_a_loop_is_named_as_one(deal, capsys):
    """Review 170: a symbolic link to a file not there (a share not mounted), or a loop of links, was "workbook not
    found", as if nothing were there; ``build`` alone said it was a link.  Each command says where the link leads."""
    os.symlink("nowhere.xlsm", "a.xlsm")
    os.symlink("a.xlsm", "chain.xlsm")
    os.symlink("c.xlsm", "b.xlsm")
    os.symlink("b.xlsm", "c.xlsm")
    missing = "which is not there (a share not mounted, a file moved or renamed?): mount it, or point the link at the"
    assert cli.main(["refresh", "a.xlsm", "--tally", "data/" + TALLY]) == 2
    assert capsys.readouterr().err == f"xlpy refresh: a.xlsm: is a symbolic link to nowhere.xlsm, {missing} workbook\n"
    assert cli.main(["compute", "chain.xlsm"]) == 2
    assert capsys.readouterr().err == (
        f"xlpy compute: chain.xlsm: is a symbolic link to a.xlsm, which leads through 1 more link to "
        f"{os.path.join(os.path.realpath('.'), 'nowhere.xlsm')}, {missing} workbook\n")  # (by its full path)
    assert cli.main(["validate", "b.xlsm"]) == 1
    assert ("b.xlsm: file: is a symbolic link to c.xlsm, in a loop of links that never reaches a file (b.xlsm -> "
            "c.xlsm -> b.xlsm): point the link at the workbook: expected b.xlsm, found nothing"
            ) in capsys.readouterr().out
    os.symlink("gone.csv", "t.csv")  # the tally, and the offer file, alike
    for argv, what in ((["compute", "t.csv"], "offer file"), (["refresh", "book.xlsm", "--tally", "t.csv"], None)):
        if what is None:
            assert cli.main(["build", "offer.toml", "-o", "book.xlsm", "--no-validate"]) == 0
            capsys.readouterr()
            what = "tally file"
        assert cli.main(argv) == 2
        assert f"t.csv: is a symbolic link to gone.csv, {missing} {what}\n" in capsys.readouterr().err
    os.symlink("gone.toml", "m.toml")  # (review 176: a mapping file too)
    assert cli.main(["refresh", "book.xlsm", "--tally", "data/" + TALLY, "--mapping", "m.toml"]) == 2
    assert f"m.toml: is a symbolic link to gone.toml, {missing} mapping file\n" in capsys.readouterr().err
    os.unlink("m.toml")
    os.symlink("c0.xlsm", "c41.xlsm")  # (review 176: more links than the system follows, no loop: not "a loop")
    for i in range(41):
        os.symlink(f"c{i + 1}.xlsm" if i < 40 else "nowhere.xlsm", f"c{i}.xlsm")
    assert cli.main(["compute", "c41.xlsm"]) == 2
    assert capsys.readouterr().err == ("xlpy compute: c41.xlsm: is a symbolic link to c0.xlsm, the first of more than "
                                       "40 links in a row, more than the system follows: point the link at the "
                                       "workbook\n")
    os.makedirs("far/deep")  # (review 176: a ".." after a linked folder leaves the folder the link points to)
    os.symlink(os.path.abspath("far/deep"), "dlink")
    os.symlink(os.path.join("dlink", "..", "b.xlsm"), "up.xlsm")  # far/b.xlsm: not there (./b.xlsm is a loop)
    assert cli.main(["compute", "up.xlsm"]) == 2
    assert capsys.readouterr().err == (f"xlpy compute: up.xlsm: is a symbolic link to dlink/../b.xlsm, {missing} "
                                       "workbook\n")
    for name in ["up.xlsm", "dlink", *(f"c{i}.xlsm" for i in range(42))]:
        os.unlink(name)
    shutil.rmtree("far")
    assert not os.path.lexists("nowhere.xlsm") and sorted(os.listdir()) == [
        "a.xlsm", "b.xlsm", "book.xlsm", "c.xlsm", "chain.xlsm", "data", "offer.toml", "short.csv", "t.csv"]
