"""Start-up: ``amspares --help`` / ``--version``, ``amspares evaluate``, ``import amspares.udfs``.

    python benchmarks/bench_startup.py [--repeat 5]

Each is a fresh interpreter (``sys.executable``, not a shell shim), best of ``--repeat`` in
CPU time (user + system of the child) with the wall time of that run. Baselines, measured in
the same run: the bare interpreter (``python -c pass``: what no program can go below) for
--help and --version, ``import scipy.special`` (which the model needs) for evaluate, and ``import xlwings`` for the worksheet functions (Excel's Python process
imports xlwings in any case). Targets (issue 15): --help and --version under 0.15 s,
evaluate under 1 s wall on a quiet machine, ``import amspares.udfs`` under 0.3 CPU-s.

Excel's Python process is xlwings' COM server: it has imported xlwings (and with it numpy)
before it imports a UDF module, so what Excel's first call pays for amspares is the import
*after* xlwings. That share is measured in a child that imports xlwings first and then
times ``import amspares.udfs`` with ``time.process_time``; so is the first computing call
(``ERLANGC``), which brings scipy.special in. The whole fresh-interpreter import is printed
too, beside ``import xlwings`` alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, byte_compile, child, load, print_rows  # noqa: E402

SRC = str(Path(__file__).resolve().parents[1] / "pysrc")


def rows(repeat: int = 5) -> list[Row]:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    py = [sys.executable]
    cli = py + ["-c", "import sys; from amspares.cli import main; sys.exit(main())"]
    bare = child(py + ["-c", "pass"], repeat, env)
    xlw = child(py + ["-c", "import xlwings"], repeat, env)
    special = child(py + ["-c", "import scipy.special"], repeat, env)
    out = []
    for label, argv, base, target in (
            ("amspares --help", cli + ["--help"], ("python -c pass", bare), "< 0.15 s"),
            ("amspares --version", cli + ["--version"], ("python -c pass", bare), "< 0.15 s"),
            ("amspares evaluate (case study)", cli + ["evaluate"], ("import scipy.special", special),
             "< 1 s wall (quiet)")):
        cpu, wall = child(argv, repeat, env)
        out.append((label, f"{cpu:.3f} CPU-s ({wall:.3f} s wall)",
                    f"{base[0]}: {base[1][0]:.3f} CPU-s ({base[1][1]:.3f} s wall)", target))
    cpu, wall = child(py + ["-c", "import amspares.udfs"], repeat, env)
    share, first_call = udf_share(repeat, env)
    out.append(("import amspares.udfs, after xlwings (as in Excel's Python)", f"{share:.3f} CPU-s",
                f"import xlwings: {xlw[0]:.3f} CPU-s", "< 0.3 CPU-s"))
    out.append(("first computing call, =ERLANGC(5, 1) (imports scipy.special)", f"{first_call:.3f} CPU-s",
                f"import scipy.special: {special[0]:.3f} CPU-s (numpy included)", ""))
    out.append(("import amspares.udfs, fresh interpreter (xlwings included)", f"{cpu:.3f} CPU-s",
                f"import xlwings: {xlw[0]:.3f} CPU-s (amspares adds {cpu - xlw[0]:+.3f})", ""))
    return out


_SHARE = (
    "import time, xlwings\n"
    "t = time.process_time(); import amspares.udfs as u; a = time.process_time() - t\n"
    "t = time.process_time(); u.ERLANGC(5, 1.0); b = time.process_time() - t\n"
    "print(a, b)")


def udf_share(repeat: int, env: dict) -> tuple[float, float]:
    """Best-of-``repeat`` CPU seconds of ``import amspares.udfs`` after ``import xlwings``,
    and of the first ``ERLANGC`` call after it, each timed inside a fresh child."""
    best = [float("inf"), float("inf")]
    for _ in range(max(repeat, 1)):
        proc = subprocess.run([sys.executable, "-c", _SHARE], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.exit(f"the udfs import child failed ({proc.returncode}): {proc.stderr[-2000:]}")
        a, b = map(float, proc.stdout.split())
        best = [min(best[0], a), min(best[1], b)]
    return best[0], best[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    byte_compile()
    print_rows(rows(a.repeat), f"start-up, best of {a.repeat} ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
