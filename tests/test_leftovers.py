"""What a killed xlpy leaves in the system's temporary folder, and a replaced workbook's access (review 80: the
confidentiality of the holder data, material non-public before the results are announced)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from repo_paths import ROOT, SEED

from xlpy.workbook import leftovers, locks
from xlpy.workbook.libreoffice import libreoffice_profile


def _gone_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _aged(folder: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(folder, (then, then))
    return folder


def test_the_sweep_removes_only_old_folders_of_processes_that_are_gone(tmp_path):
    gone, host = _gone_pid(), leftovers._host()
    old = leftovers.ORPHANED_AFTER + 60
    made = {}
    for name, age in ((f"xlpy-validate-{host}-{gone}-a1", old), (f"xlpy-save-{host}-{gone}-b2", old),
                      (f"xlpy-switch-{host}-{gone}-c3", 60),  # a run killed a minute ago: left for now
                      (f"xlpy-recalc-{host}-{os.getpid()}-d4", old),  # this process's own
                      (f"xlpy-lo-profile-{host}-{os.getppid()}-e5", old),  # a process still running
                      (f"xlpy-validate-other.{host}-{gone}-g7", old),  # another computer's, sharing the folder
                      (f"xlpy-other-{host}-{gone}-f6", old), (f"keep-{gone}", old)):  # not xlpy's kinds
        (tmp_path / name).mkdir()
        (tmp_path / name / "book.lo-input.xlsm").write_bytes(b"holder rows")
        made[name] = _aged(tmp_path / name, age)
    (tmp_path / f"xlpy-validate-{host}-{gone}-file").write_text("a file, not a folder")
    removed = leftovers.sweep(tmp_path)
    assert sorted(p.name for p in removed) == [f"xlpy-save-{host}-{gone}-b2", f"xlpy-validate-{host}-{gone}-a1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"xlpy-switch-{host}-{gone}-c3", f"xlpy-recalc-{host}-{os.getpid()}-d4",
         f"xlpy-lo-profile-{host}-{os.getppid()}-e5", f"xlpy-validate-other.{host}-{gone}-g7",
         f"xlpy-other-{host}-{gone}-f6", f"keep-{gone}", f"xlpy-validate-{host}-{gone}-file"])
    assert leftovers.sweep(tmp_path, now=time.time() + old) == [made[f"xlpy-switch-{host}-{gone}-c3"]]


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="gives a folder to another user: root")
def test_the_sweep_leaves_another_user_s_folders(tmp_path):
    folder = tmp_path / f"xlpy-validate-{leftovers._host()}-{_gone_pid()}-x"
    folder.mkdir()
    os.chown(folder, 65534, 65534)
    _aged(folder, leftovers.ORPHANED_AFTER + 60)
    assert leftovers.sweep(tmp_path) == [] and folder.is_dir()


def test_each_temporary_folder_names_its_process_and_is_the_user_s_alone(tmp_path):
    with libreoffice_profile(tmp_path) as profile:
        assert profile.name.startswith(f"xlpy-lo-profile-{leftovers._host()}-{os.getpid()}-")
        if os.name == "posix":
            assert profile.stat().st_mode & 0o777 == 0o700
    with leftovers.temporary_directory("validate", tmp_path) as folder:
        assert Path(folder).name.startswith(f"xlpy-validate-{leftovers._host()}-{os.getpid()}-")
    with pytest.raises(ValueError, match="kind: must be one of validate, "):
        leftovers.mkdtemp("stage", tmp_path)


_KILLED_MID_SAVE = textwrap.dedent("""
    import os, signal, sys
    import openpyxl.worksheet._writer as w
    def kill_after(self, *args, **kwargs):  # a sheet file made: the process killed outright, as kill -9 does
        with open(self.out, "w") as fh:
            fh.write("<row><c><is><t>DTC-0001</t></is></c></row>")
        os.kill(os.getpid(), signal.SIGKILL)
    w.WorksheetWriter.write_top = kill_after
    from xlpy.cli import main
    sys.exit(main(["build", sys.argv[1], "-o", sys.argv[2], "--no-validate", "-q"]))
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_save_killed_outright_leaves_its_sheet_files_in_a_folder_the_next_run_removes(tmp_path):
    """Review 80: openpyxl's sheet files (``openpyxl.*``) were left loose in the system's temporary folder by a
    build killed mid-save, for good; they are now in xlpy's own folder, named for the process, which a later run
    removes once it is older than ORPHANED_AFTER."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_SAVE, str(SEED), str(tmp_path / "k.xlsm")], env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    (left,) = temp.iterdir()
    assert left.name.startswith("xlpy-save-") and left.is_dir(), left
    assert [p.name.startswith("openpyxl.") for p in left.iterdir()] == [True]
    assert not (tmp_path / "k.xlsm").exists()
    _aged(left, leftovers.ORPHANED_AFTER + 60)
    done = subprocess.run([sys.executable, "-m", "xlpy", "build", str(SEED), "-o", str(tmp_path / "k.xlsm"),
                           "--no-validate", "-q"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert list(temp.iterdir()) == [] and (tmp_path / "k.xlsm").is_file()


def _xattrs_supported(path: Path) -> bool:
    try:
        os.setxattr(path, "user.xlpy-test", b"1")
        os.removexattr(path, "user.xlpy-test")
        return True
    except (OSError, AttributeError):
        return False


def test_a_replacement_keeps_no_attribute_the_workbook_had_not(tmp_path):
    """Review 80: a refresh in a folder with a default access list gave the new workbook (and its backup) the
    folder's list, which the workbook kept private had not: an outsider could read it, the group could not.  An
    attribute the new file inherited is removed; the original's are kept."""
    original, new = tmp_path / "book.xlsm", tmp_path / "new.xlsm"
    original.write_bytes(b"old")
    new.write_bytes(b"new")
    if not _xattrs_supported(original):
        pytest.skip("this file system keeps no extended attributes")
    os.chmod(original, 0o640)
    os.setxattr(original, "user.kept", b"the original's")
    os.setxattr(new, "user.inherited", b"the folder's")
    locks.keep_access(original, new)
    assert sorted(os.listxattr(new)) == ["user.kept"] and os.getxattr(new, "user.kept") == b"the original's"
    assert new.stat().st_mode & 0o7777 == 0o640


def test_only_openpyxl_s_files_of_the_saving_thread_go_to_its_folder():
    """Review 83: the save swapped the system's temporary folder for every thread, so a folder another thread made
    meanwhile (LibreOffice's profile, a script's) was in the save's, removed when the save ended."""
    import tempfile
    import threading

    from openpyxl.worksheet import _writer

    system = tempfile.gettempdir()
    with leftovers.openpyxl_files_private() as folder:
        assert tempfile.gettempdir() == system
        mine = Path(_writer.create_temporary_file())
        theirs = []
        other = threading.Thread(target=lambda: theirs.append(Path(_writer.create_temporary_file())))
        other.start()
        other.join()
        with leftovers.openpyxl_files_private() as inner:  # (a save within a save: its own folder, then this one's)
            assert Path(_writer.create_temporary_file()).parent == inner
        assert mine.parent == folder and Path(_writer.create_temporary_file()).parent == folder
    assert theirs[0].parent == Path(system) and not folder.exists()
    theirs[0].unlink()
