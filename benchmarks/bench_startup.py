"""Start-up: ``amspares --help`` / ``--version``, ``amspares evaluate``, ``import amspares.udfs``.

    python benchmarks/bench_startup.py [--repeat 5]

Each is a fresh interpreter (``sys.executable``, not a shell shim), best of ``--repeat`` in
CPU time (user + system of the child) with the wall time of that run. Baselines, measured in
the same run: the bare interpreter (``python -c pass``: what no program can go below) for
--help and --version, ``import scipy.special`` (which the model needs) for evaluate, and ``import xlwings`` for the worksheet functions (Excel's Python process
imports xlwings in any case). Targets (issue 15): --help and --version under 0.15 s,
evaluate under 1 s wall on a quiet machine, ``import amspares.udfs`` under 0.3 CPU-s.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, child, load, print_rows  # noqa: E402

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
    out.append(("import amspares.udfs (Excel's first call)", f"{cpu:.3f} CPU-s",
                f"import xlwings: {xlw[0]:.3f} CPU-s (amspares adds {cpu - xlw[0]:+.3f})", "< 0.3 CPU-s"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    print_rows(rows(a.repeat), f"start-up, best of {a.repeat} ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
