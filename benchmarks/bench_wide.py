"""Benchmark: a CSV tally 16,384 columns wide, as Excel saves a sheet with one stray cell in column XFD.

Run from the repository root (a script, not a test)::

    python benchmarks/bench_wide.py                 # 1,000 and 20,000 lines
    python benchmarks/bench_wide.py --sizes 1000

Each line, header and all, ends in 16,380 separators (``holder_id,units,method,status,,,,...``: 328 MB at 20,000
lines).  ``xlpy.files.sources.read_tally`` reads it in a fresh process (so its peak memory is its own: resident
set, ``resource.getrusage``), and the table is held to the same tally written without the separators.  Targets
(PASS/MISS, never a failing test): at most 5 s and 1 GB at 20,000 lines (pandas made every cell of every column:
95 s and 8.2 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (1_000, 20_000)
SECONDS_TARGET = 5.0
MEMORY_TARGET_MB = 1024.0
#: The separators Excel writes after the 4 named cells of each line.
TAIL = "," * 16_380

#: Reads one tally and prints its seconds, peak memory and what its table shows, as JSON.
_READER = r"""
import json, resource, sys, time
from pathlib import Path
from xlpy.files.sources import read_tally
t = time.perf_counter()
table = read_tally(Path(sys.argv[1]))
seconds = time.perf_counter() - t
shown = repr((table.holder_id, table.units, table.method, table.status, getattr(table, "_rows", None)))
print(json.dumps({"s": seconds, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "table": shown}))
"""


def write(path: Path, lines: int, tail: str) -> None:
    """A tally of *lines* lines, each (and the header) ending in *tail*, CR LF as Excel ends them."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(f"holder_id,units,method,status{tail}\r\n")
        for i in range(lines):
            fh.write(f"H{i:07d},{i % 400 + 1},book-entry,{'withdrawn' if i % 97 == 0 else 'tendered'}{tail}\r\n")


def read(path: Path, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", _READER, str(path)], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(repo) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="xlpy-bench-wide-") as tmp:
        for n in args.sizes:
            wide, narrow = Path(tmp) / f"wide{n}.csv", Path(tmp) / f"narrow{n}.csv"
            write(wide, n, TAIL)
            write(narrow, n, "")
            got, want = read(wide, env), read(narrow, env)
            same = got["table"] == want["table"]
            verdict = "" if n != 20_000 else " " + (
                "PASS" if got["s"] <= SECONDS_TARGET and got["mb"] <= MEMORY_TARGET_MB else "MISS") + \
                f" (<= {SECONDS_TARGET:g} s, <= {MEMORY_TARGET_MB:,.0f} MB)"
            print(f"{n:,} lines, {wide.stat().st_size / 1e6:,.0f} MB: {got['s']:.2f} s, {got['mb']:,.0f} MB peak "
                  f"(narrow: {want['s']:.2f} s, {want['mb']:,.0f} MB); "
                  f"{'the same table as the narrow tally' if same else 'A TABLE NOT THE NARROW ONE'}{verdict}",
                  flush=True)
            wide.unlink()
            if not same:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
