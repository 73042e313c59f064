"""Benchmark: the test suite on every core (pytest-xdist, as `python3 -m pytest` runs it) against one process.

Run from the repository root (a script, not a test)::

    python benchmarks/bench_suite.py                 # the whole suite, twice: several minutes
    python benchmarks/bench_suite.py tests/test_recalc.py tests/test_macros.py

Measured in one run: (a) ``pytest -n 0`` (one process), then (b) ``pytest``
with the project's own options (``-n auto --dist loadgroup``), on the same
tests.  Before them, untimed, a warm-up: the first test of each test file,
one process (``-n 0``), so that (a) does not alone pay for cold caches (every
module imported and compiled for the first time, LibreOffice's files read from
disk), which would favour (b); it runs a test a file, a small part of a
leg's time, and its failures are printed, not counted.  Target: (b) / (a) <= 0.5 on a machine of two or more cores that
nothing else is using; the cores and the load average before each leg are
printed, since other work on the machine takes from (b) first.  Prints both
times, the ratio and PASS or MISS; a leg whose tests fail stops it (exit 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.5


def timed(extra: list[str], paths: list[str]) -> tuple[float, int, str]:
    """Seconds, exit status and closing line of one pytest run from the repository root."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *paths]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        start = time.perf_counter()
        status = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
        took = time.perf_counter() - start
        log.seek(0)
        lines = [line.strip() for line in log if line.strip()]
    return took, status, lines[-1] if lines else "(no output)"


def warm_up(paths: list[str]) -> None:
    """Run the first test of each test file of *paths* once, in one process, untimed (see the module's text)."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only", "-n", "0", *paths]
    listed = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False).stdout
    firsts: dict[str, str] = {}
    for line in listed.splitlines():
        if "::" in line:
            firsts.setdefault(line.split("::", 1)[0], line.strip())
    took, status, closing = timed(["-n", "0"], list(firsts.values()))
    print(f"warm-up, untimed (the first test of each of {len(firsts)} files, -n 0): {took:.1f} s; {closing}"
          + ("" if status == 0 else f" (pytest exited {status}: not counted)"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="test files or folders (default: the whole suite)")
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}")
    warm_up(args.paths)
    results = {}
    for label, extra in (("(a) one process, -n 0", ["-n", "0"]), ("(b) every core, the project's options", [])):
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        took, status, closing = timed(extra, args.paths)
        print(f"{label}: {took:.1f} s (load average before: {load:.2f}); {closing}")
        if status != 0:
            print(f"{label}: pytest exited {status}")
            return 1
        results[label] = took
    serial, parallel = results.values()
    ratio = parallel / serial
    print(f"ratio (b)/(a): {ratio:.2f} (target <= {TARGET}): {'PASS' if ratio <= TARGET else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
