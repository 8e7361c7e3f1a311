"""Benchmark: ``amspares portfolio`` on 1,000,000 SKUs, CSV in, CSV out.

Run ``python benchmarks/bench_portfolio.py [N]``. Prints, from one run:

* end-to-end wall time and peak memory (max RSS of the child process running the CLI;
  targets: <= 10 s and < 1 GB for N = 1,000,000);
* the naive baseline: a per-SKU loop over the scalar API
  (``model.evaluate(scenario.with_values(...))``), timed on a sample of the same SKUs and
  extrapolated to N; and the ratio.

The catalogue is generated with a fixed seed: slow movers (gamma demand, most below one
part a year), prices, weights, 20 % of the rows with a minimum order quantity, some rows
with the exact waiting-time model.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
SAMPLE = 300
COLUMNS = ["sku", "demand.rate_per_year", "methods.regular.price", "methods.regular.moq",
           "methods.am_mts.price", "methods.am_mto.price", "part.weight_kg", "model.waiting_time"]


def generate(path: str, n: int, seed: int = 7) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rate = np.round(rng.gamma(0.6, 2.0, n), 3)
    weight = np.round(rng.uniform(0.005, 1.5, n), 3)
    price = np.round(rng.uniform(0.1, 40.0, n), 2)
    am = np.round(50 + 500 * weight, 2)
    moq = np.where(rng.random(n) < 0.2, rng.choice([10, 50, 100, 500], n), 1)
    wait = np.where(rng.random(n) < 0.1, "exact", "")
    cols = [[f"SKU-{i:07d}" for i in range(n)], rate.astype(str), price.astype(str),
            moq.astype(str), am.astype(str), am.astype(str), weight.astype(str), wait]
    rows = list(zip(*cols))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)
    return rows[:SAMPLE]


def naive(sample: list) -> float:
    """Seconds per SKU for the scalar API, one scenario per SKU."""
    from amspares.model import evaluate
    from amspares.scenario import load_scenario

    base = load_scenario()
    start = time.perf_counter()
    for row in sample:
        changes = {k: float(v) for k, v in zip(COLUMNS[1:-1], row[1:-1])}
        changes["methods.regular.moq"] = int(changes["methods.regular.moq"])
        if row[-1]:
            changes["model.waiting_time"] = row[-1]
        evaluate(base.with_values(changes))
    return (time.perf_counter() - start) / len(sample)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cat, out = os.path.join(tmp, "skus.csv"), os.path.join(tmp, "out.csv")
        t = time.perf_counter()
        sample = generate(cat, N)
        print(f"generated {N:,} SKUs ({os.path.getsize(cat) / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "amspares.cli", "portfolio", cat, "-o", out],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB (Linux)
        if proc.returncode != 0:
            sys.exit(f"portfolio failed ({proc.returncode}): {proc.stderr[-2000:]}")
        print(proc.stdout.strip())
        print(f"output {os.path.getsize(out) / 1e6:.0f} MB")
        per_sku = naive(sample)
    print()
    print(f"amspares portfolio, {N:,} SKUs CSV -> CSV: {wall:.2f} s end to end "
          f"(target <= 10 s: {'met' if wall <= 10 else 'MISSED'}), "
          f"peak RSS {peak:.0f} MiB (target < 1024: {'met' if peak < 1024 else 'MISSED'})")
    print(f"naive per-SKU loop (model.evaluate(scenario.with_values(...))): {per_sku * 1e3:.2f} ms/SKU "
          f"on {len(sample)} SKUs -> {per_sku * N:,.0f} s extrapolated to {N:,}")
    print(f"ratio naive / portfolio: {per_sku * N / wall:,.0f}x")


if __name__ == "__main__":
    main()
