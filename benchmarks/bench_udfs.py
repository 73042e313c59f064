"""Benchmark of the worksheet functions (issue 3).  A script, not a test.

Measured in one run:

1. call cost: one ``INDUCED_CHARGE`` call with float arguments (what Excel
   passes) as a ratio to a plain-float Python version of the same formula;
   timeit, the two alternated repeat by repeat (so both see the same machine
   load), best of each.  Target ≤ 15.  The plain call costs about 100 ns, so
   a pause of the machine during its repeats moves the ratio by a third: the
   median of the repeats' own ratios is printed beside it.
2. import cost: ``import xlpy.udfs`` in a fresh interpreter as a ratio to
   ``import xlwings`` alone (the registry needs xlwings for its decorators);
   subprocess wall times of 15 alternated pairs (xlwings, xlpy.udfs), the
   ratio taken per pair and the median of those reported, so a change in
   machine load mid-run moves both halves of a pair alike.  Target ≤ 1.10.

Prints PASS or MISS per target and exits 1 on a miss.  For information it
also prints the cost of a call that takes the general path (a ratio with
more than 9 decimals), i.e. what every call cost before the fast path.

    python benchmarks/bench_udfs.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

CALL_TARGET = 15.0
IMPORT_TARGET = 1.10
REPEATS = 7
IMPORT_RUNS = 15

ROOT = Path(__file__).resolve().parent.parent


def plain_induced_charge(units, offer_ratio, original_ratio, price, cash_per_unit=None):
    """The same formula on plain floats: no checks, no exactness."""
    return units * (offer_ratio - original_ratio) * price + units * (cash_per_unit or 0.0)


def best_per_call(stmt: str, namespace: dict, number: int) -> float:
    return min(timeit.repeat(stmt, globals=namespace, number=number, repeat=REPEATS)) / number


def call_cost() -> tuple[float, float, float, float]:
    """(udf seconds per call, plain seconds per call, general-path seconds per call, median of the repeats'
    ratios): the udf and the plain call alternated, repeat by repeat."""
    sys.path.insert(0, str(ROOT))
    from xlpy.excel.udfs import INDUCED_CHARGE

    assert INDUCED_CHARGE(274000.0, 7.94, 3.2, 7.39) == 9597836.4
    ns = {"udf": INDUCED_CHARGE, "plain": plain_induced_charge}
    n = 50_000
    udf_timer = timeit.Timer("udf(274000.0, 7.94, 3.2, 7.39)", globals=ns)
    plain_timer = timeit.Timer("plain(274000.0, 7.94, 3.2, 7.39)", globals=ns)
    pairs = [(udf_timer.timeit(n) / n, plain_timer.timeit(n) / n) for _ in range(REPEATS)]
    udf, plain = min(u for u, _ in pairs), min(p for _, p in pairs)
    general = best_per_call("udf(274000.0, 7.94, 3.2000000001, 7.39)", ns, n // 5)
    return udf, plain, general, statistics.median(u / p for u, p in pairs)


def walls(*codes: str) -> tuple[list[list[float]], list[list[float]]]:
    """Wall and CPU times of a fresh interpreter running each of *codes*: one list per code, each.

    CPU time (user + system, of the child) is what the import itself costs and
    moves little with the machine's load; wall time is what a user waits.

    Runs alternate (a, b, a, b, ...) so that both see the same machine load;
    one warm-up run each first writes the bytecode caches and fills the file
    cache (so the figures are imports, not compilations).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmds = [[sys.executable, "-c", code] for code in codes]
    for cmd in cmds:
        subprocess.run(cmd, check=True, env=env)
    times: list[list[float]] = [[] for _ in cmds]
    cpu: list[list[float]] = [[] for _ in cmds]
    for _ in range(IMPORT_RUNS):
        for i, cmd in enumerate(cmds):
            used = _children_cpu()
            start = time.perf_counter()
            subprocess.run(cmd, check=True, env=env)
            times[i].append(time.perf_counter() - start)
            cpu[i].append(_children_cpu() - used)
    return times, cpu


def _children_cpu() -> float:
    """User + system seconds of the finished child processes (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    udf, plain, general, call_median = call_cost()
    call_ratio = udf / plain
    (xlwings_runs, udfs_runs), (xlwings_cpu, udfs_cpu) = walls("import xlwings", "import xlpy.udfs")
    import_ratio = statistics.median(u / x for x, u in zip(xlwings_runs, udfs_runs))
    xlwings_s, udfs_s = statistics.median(xlwings_runs), statistics.median(udfs_runs)
    spread = sorted(u / x for x, u in zip(xlwings_runs, udfs_runs))

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    call_ok = call_ratio <= CALL_TARGET
    import_ok = import_ratio <= IMPORT_TARGET
    print(
        f"INDUCED_CHARGE call: {udf * 1e9:.0f} ns vs plain float {plain * 1e9:.0f} ns: "
        f"ratio {call_ratio:.1f} (median of the repeats' ratios {call_median:.1f}; target <= {CALL_TARGET:g}) "
        f"{verdict(call_ok)}"
    )
    print(
        f"  general path (10-decimal ratio, Decimal via to_decimal): {general * 1e9:.0f} ns, "
        f"ratio {general / plain:.1f} (information)"
    )
    print(
        f"import xlpy.udfs: {udfs_s * 1e3:.0f} ms vs import xlwings {xlwings_s * 1e3:.0f} ms (medians of "
        f"{IMPORT_RUNS}): ratio {import_ratio:.2f}, median of the pairs' ratios (quartiles "
        f"{spread[len(spread) // 4]:.2f}-{spread[3 * len(spread) // 4]:.2f}) "
        f"(target <= {IMPORT_TARGET:.2f}) {verdict(import_ok)}"
    )
    if sum(xlwings_cpu):
        cpu_ratio = statistics.median(u / x for x, u in zip(xlwings_cpu, udfs_cpu))
        print(
            f"  CPU time: {statistics.median(udfs_cpu) * 1e3:.0f} ms vs {statistics.median(xlwings_cpu) * 1e3:.0f} ms: "
            f"ratio {cpu_ratio:.2f}, median of the pairs' ratios (information: steadier under load)"
        )
    return 0 if call_ok and import_ok else 1


if __name__ == "__main__":
    sys.exit(main())
