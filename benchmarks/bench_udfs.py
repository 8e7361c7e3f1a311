"""Benchmark: one OPTIMAL_S call over a column of 10,000 demand rates (spec section 7).

Python side only (no Excel): the arguments arrive as xlwings delivers them with
``ndim=2`` (a list of 10,000 one-element rows, floats), the result is the 10,000-row
list that spills. Target: under 50 ms. The naive baseline, measured in the same run,
is what a planner gets by filling the formula down: 10,000 single-cell calls.

    python benchmarks/bench_udfs.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from amspares.udfs import OPTIMAL_S

TARGET_SECONDS = 0.050
# The case study's regular supplier (spec section 2), every argument but the rate.
REST = ([[30.0]], [[15.0]], [[86.0]], [[100.0]], [[0.0]], [[0.08]], [[10.0]], [[0.45]],
        [[0.0]], [[0.0]], [["erlang_c"]], [[False]])


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(2024)
    rates = [[float(r)] for r in rng.uniform(0.01, 10.0, args.rows).round(4)]

    array_result = OPTIMAL_S(rates, *REST)
    t_array = best_of(lambda: OPTIMAL_S(rates, *REST), args.repeat)

    def element_wise():
        return [OPTIMAL_S([row], *REST)[0] for row in rates]

    start = time.perf_counter()
    naive_result = element_wise()
    t_naive = time.perf_counter() - start
    if naive_result != array_result:
        print("MISMATCH: array and element-wise results differ", file=sys.stderr)
        return 1
    ok = t_array < TARGET_SECONDS
    print(f"OPTIMAL_S over {args.rows} rows, one array call (best of {args.repeat}): "
          f"{t_array * 1000:.1f} ms  (target < {TARGET_SECONDS * 1000:.0f} ms: "
          f"{'met' if ok else 'MISSED'})")
    print(f"naive baseline, {args.rows} single-cell calls: {t_naive * 1000:.0f} ms")
    print(f"ratio naive / array: {t_naive / t_array:.0f}x; results identical: True")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
