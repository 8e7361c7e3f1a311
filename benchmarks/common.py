"""What every benchmark shares: CPU-time best-of-N, the load average, one row format.

A row is ``(benchmark, amspares, baseline, target)``: the figure measured for amspares, the
figure of its baseline measured in the same run (with the ratio), and the target. Timings are
CPU seconds of this process (``time.process_time``) or of child processes
(``getrusage(RUSAGE_CHILDREN)``), best of N: the machines are shared, and CPU time swings
much less with the other processes' load than wall time does.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

Row = tuple[str, str, str, str]


def byte_compile() -> None:
    """Byte-compile the amspares tree the benchmarks run, as an editable install does
    (``hatch_build.compile_bytecode``) and pip does for a wheel: where PYTHONDONTWRITEBYTECODE
    is set, each child process would otherwise compile every module from source (about 0.1
    CPU-s a start), and a source edited since the install has no fresh bytecode."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    try:
        from hatch_build import compile_bytecode
    finally:
        sys.path.remove(str(root))
    compile_bytecode(root)


def best_cpu(fn, repeat: int = 3):
    """(best CPU seconds, wall seconds of that run, its result) over ``repeat`` runs of ``fn``."""
    best = None
    for _ in range(max(repeat, 1)):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        if best is None or cpu < best[0]:
            best = (cpu, wall, out)
    return best


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def child(argv: list[str], repeat: int = 3, env: dict | None = None, check: bool = True):
    """Best-of-``repeat`` (CPU seconds, wall seconds) of a child process ``argv``."""
    best = None
    for _ in range(max(repeat, 1)):
        c0, w0 = children_cpu(), time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, env=env)
        cpu, wall = children_cpu() - c0, time.perf_counter() - w0
        if check and proc.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        if best is None or cpu < best[0]:
            best = (cpu, wall)
    return best


def load() -> str:
    """The 1-minute load average and the number of cores, as printed by every benchmark."""
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def print_rows(rows: list[Row], title: str = "") -> None:
    if title:
        print(title)
    w = [max(len(r[i]) for r in rows + [("benchmark", "amspares", "baseline (same run)", "target")])
         for i in range(4)]
    for r in [("benchmark", "amspares", "baseline (same run)", "target")] + rows:
        print("  ".join(f"{c:<{w[i]}}" for i, c in enumerate(r)).rstrip())
