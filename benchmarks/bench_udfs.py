"""Benchmark: one OPTIMAL_S call over a column of 10,000 demand rates (docs/model.md section 7).

Python side only (no Excel): the arguments arrive as xlwings delivers them with
``ndim=2`` (a list of 10,000 one-element rows, floats), the result is the 10,000-row
list that spills. Target: under 50 ms. The naive baseline, measured in the same run,
is what a planner gets by filling the formula down: 10,000 single-cell calls. Both in CPU
time (the array call best of R).

    python benchmarks/bench_udfs.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, best_cpu, load, print_rows  # noqa: E402

from amspares.udfs import OPTIMAL_S  # noqa: E402

TARGET_SECONDS = 0.050
# The case study's regular supplier (docs/model.md section 2), every argument but the rate.
REST = ([[30.0]], [[15.0]], [[86.0]], [[100.0]], [[0.0]], [[0.08]], [[10.0]], [[0.45]],
        [[0.0]], [[0.0]], [["erlang_c"]], [[False]])


def rows(n_rows: int = 10_000, repeat: int = 5) -> list[Row]:
    """One array call (CPU, best of ``repeat``) against ``n_rows`` single-cell calls (CPU)."""
    rng = np.random.default_rng(2024)
    rates = [[float(r)] for r in rng.uniform(0.01, 10.0, n_rows).round(4)]
    OPTIMAL_S(rates[:10], *REST)                                 # imports done outside the timing
    t_array, w_array, array_result = best_cpu(lambda: OPTIMAL_S(rates, *REST), repeat)
    t_naive, w_naive, naive_result = best_cpu(lambda: [OPTIMAL_S([row], *REST)[0] for row in rates], 1)
    if naive_result != array_result:
        sys.exit("MISMATCH: array and element-wise results differ")
    return [(f"OPTIMAL_S over {n_rows:,} rows, one array call (Python side)",
             f"{t_array * 1e3:.1f} ms CPU ({w_array * 1e3:.0f} ms wall)",
             f"{n_rows:,} single-cell calls: {t_naive * 1e3:,.0f} ms CPU ({t_naive / t_array:,.0f}x)",
             f"< {TARGET_SECONDS * 1e3:.0f} ms")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    r = rows(args.rows, args.repeat)
    print_rows(r, f"worksheet functions; results identical; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
