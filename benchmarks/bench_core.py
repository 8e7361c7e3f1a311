"""Benchmark of the core against a naive thesis-style implementation, in one run.

    python benchmarks/bench_core.py [--skus 1000000] [--repeat 3]

1. Optimal base stock (thesis Eq. 14) for N SKUs (default 10^6): demand rate uniform on
   0.001-20 per year, lead time uniform on 5-120 days, every other parameter as the case
   study's regular method (T = 30, cp = 15, ce = 100, h = 0.45, Tr_in = 0.08, Tr_out = 10).
   Vectorised ``optimal_base_stock`` vs two pure-Python per-SKU baselines with factorial
   Erlang C (``naive.py``): the thesis's table of TC(S) over S = 0..30, and a loop with
   the stopping rule of docs/model.md section 3.1 (same model work as the core), each timed on a sample and
   extrapolated per SKU. Targets: <= 1.5 s, < 300 MB extra peak memory, >= 300x naive.
2. (s,Q) E[OH] and E[BO] (thesis Eq. 21-26) for 10^6 random (s, Q, u): the closed forms
   vs the thesis's X-by-U matrix. Target: >= 2 million evaluations per second.
3. Worst cases of the base-stock search (docs/model.md section 3.1: no cap on S, O(sqrt(u))
   steps): one SKU with 10^6 parts a year and 400 production days (u = 1.1e6; version 1
   stopped at S = 10^6 and answered S = 0 under Erlang C), both waiting models, with and
   without a free window and a service target; and 10^4 SKUs with u log-uniform on 10-10^7.
   Target: < 0.1 s per single SKU, < 5 s for the 10^4.

Timings of the core are the best of ``--repeat`` runs in CPU time (with the wall time of
that run); the naive baselines are timed in CPU time, and the speed-ups are CPU time against
CPU time (the machine is shared: wall-clock ratios swing with the other processes' load).
The compiled-kernel baseline of the base-stock search is ``bench_model_kernel.py``.
Not part of pytest.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import naive  # noqa: E402
from common import Row, best_cpu, print_rows  # noqa: E402

from amspares.core import optimal_base_stock, sq_expected_backorders, sq_expected_on_hand  # noqa: E402

CASE = dict(years=30.0, price=15.0, emergency_per_day=100.0, holding_per_part_year=0.45,
            inbound_share=0.08, outbound_per_part=10.0)


def timed(fn, repeat):
    """Best CPU time over ``repeat`` runs: (wall time of that run, its CPU time, result)."""
    cpu, wall, out = best_cpu(fn, repeat)
    return wall, cpu, out


def peak_extra_mb(fn):
    """Peak memory allocated during ``fn`` above what was allocated before (tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - before) / 2**20


def parser():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skus", type=int, default=1_000_000)
    ap.add_argument("--sq", type=int, default=1_000_000, help="(s,Q) evaluations")
    ap.add_argument("--sample", type=int, default=2000, help="SKUs timed with the naive loop")
    ap.add_argument("--sq-sample", type=int, default=300, help="(s,Q) points timed naively")
    ap.add_argument("--repeat", type=int, default=3)
    return ap


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    print_rows(rows(args))
    return 0


def rows(args) -> list[Row]:
    """(benchmark, amspares, baseline, target) rows; every time CPU, best of ``args.repeat``."""

    rng = np.random.default_rng(20240601)
    n = args.skus
    lam = rng.uniform(0.001, 20.0, n)
    lead = rng.uniform(5.0, 120.0, n) / 365.0
    rows = []
    load_before = os.getloadavg()[0]

    # ---- 1. optimal base stock
    run = lambda: optimal_base_stock(rate=lam, lead_time_years=lead, **CASE)  # noqa: E731
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu, pol = timed(run, args.repeat)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak = peak_extra_mb(run)

    k = min(args.sample, n)
    pick = rng.choice(n, k, replace=False)
    t0 = time.process_time()
    naive_s = [naive.optimal_base_stock(lam[i], 30.0, 15.0, lead[i], 100.0, 0.45, 0.08, 10.0)[0]
               for i in pick]
    per_sku = (time.process_time() - t0) / k
    agree = int(np.sum(np.asarray(naive_s) == pol.S[pick]))
    naive_total = per_sku * n
    kt = max(k // 4, 1)
    t0 = time.process_time()
    table_s = [naive.optimal_base_stock_table(lam[i], 30.0, 15.0, lead[i], 100.0, 0.45, 0.08, 10.0)[0]
               for i in pick[:kt]]
    per_sku_table = (time.process_time() - t0) / kt
    agree_table = int(np.sum(np.asarray(table_s) == pol.S[pick[:kt]]))
    rows += [
        (f"optimal base stock, {n:,} SKUs", f"{cpu:.3f} CPU-s ({wall:.3f} s wall)",
         f"thesis-style TC table S = 0..30: {per_sku_table * n:,.0f} CPU-s extrapolated "
         f"({per_sku_table * n / cpu:,.0f}x)", "<= 1.5 s, >= 300x"),
        ("  same work in a pure-Python loop (stopping rule)", "",
         f"{naive_total:,.0f} CPU-s extrapolated ({naive_total / cpu:,.0f}x); S* agree "
         f"{agree_table}/{kt}, {agree}/{k}", ""),
        ("  peak extra memory (tracemalloc / RSS growth)",
         f"{peak:.0f} MB / {max(rss1 - rss0, 0):.0f} MB", "", "< 300 MB"),
    ]

    # ---- 2. (s,Q) closed forms
    m = args.sq
    q = rng.integers(1, 101, m)
    u = rng.uniform(0.001, 20.0, m)
    s = rng.integers(-10, 40, m)
    bo_wall, bo_cpu, bo = timed(lambda: sq_expected_backorders(s, q, u), args.repeat)
    oh_wall, oh_cpu, oh = timed(lambda: sq_expected_on_hand(s, q, u), args.repeat)
    j = rng.choice(m, min(args.sq_sample, m), replace=False)
    t0 = time.process_time()
    ref = [naive.sq_on_hand_backorders(int(s[i]), int(q[i]), float(u[i])) for i in j]
    naive_per = (time.process_time() - t0) / j.size
    err = max(max(abs(r[0] - oh[i]), abs(r[1] - bo[i])) / max(1.0, abs(r[0]))
              for r, i in zip(ref, j))
    pair = 1.0 / (bo_wall / m + oh_wall / m)
    del pair
    rows += [
        (f"(s,Q) E[BO] / E[OH], {m:,} points each",
         f"{m / bo_cpu / 1e6:.2f} / {m / oh_cpu / 1e6:.2f} M/s (CPU)",
         f"X-by-U matrix: {1 / naive_per / 1e3:.1f} k pairs/s "
         f"({naive_per / (bo_cpu / m + oh_cpu / m):,.0f}x); max rel. difference {err:.1e}",
         ">= 2 M/s, <= 1e-9"),
    ]
    # ---- 3. worst cases of the search: huge lead-time demands
    big = dict(CASE, rate=1e6, lead_time_years=400 / 365)
    for model in ("erlang_c", "exact"):
        for extra, label in ((dict(), ""), (dict(free_days=30.0), ", 30 free days"),
                             (dict(service_target=0.999999), ", target 0.999999")):
            wall, cpu, pol = timed(lambda m=model, e=extra: optimal_base_stock(waiting_time=m, **big, **e), args.repeat)
            rows.append((f"S*, one SKU, u = 1.1e6, {model}{label}",
                         f"{cpu * 1e3:.1f} ms CPU (S* = {pol.S:,})", "", "< 100 ms"))
    k = 10_000
    ub = 10 ** rng.uniform(1, 7, k)
    lb = rng.uniform(1, 400, k) / 365
    for model in ("erlang_c", "exact"):
        wall, cpu, pol = timed(lambda m=model: optimal_base_stock(rate=ub / lb, lead_time_years=lb,
                                                                  waiting_time=m, **CASE), args.repeat)
        rows.append((f"S*, {k:,} SKUs, u = 10..1e7, {model}",
                     f"{cpu:.3f} CPU-s (max S* = {int(pol.S.max()):,})", "", "< 5 s"))
    rows.append(("machine load average (before / after)",
                 f"{load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", "", ""))
    return rows


if __name__ == "__main__":
    sys.exit(main())
