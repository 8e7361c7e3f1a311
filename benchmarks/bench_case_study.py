"""Benchmark: the full case-study run (``amspares scenario --json``) on the thesis case study.

Run ``python benchmarks/bench_case_study.py [--repeat R]``. Prints, from one run:

* the in-process time of ``study_json`` (every sweep and break-even of spec section 5) plus
  the JSON encoding, best of R;
* the end-to-end wall time of the CLI in a child process (``amspares scenario --json``,
  interpreter start-up and imports included). Target: under 10 s;
* the naive baseline measured in the same run: the same sweeps computed point by point
  (one scalar ``evaluate_inputs`` call per sweep row, as a loop over the scalar API would),
  and the ratio to the vectorised sweeps. The break-evens are not in the baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

from amspares.commands.scenario import study_json
from amspares.core import casestudy as cs
from amspares.core.evaluate import evaluate_inputs
from amspares.scenario import load_scenario

TARGET_SECONDS = 10.0


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def vectorised_sweeps(sc) -> None:
    """The sweeps only, as case_study computes them (one evaluate_inputs call each)."""
    st = cs._Study(sc.inputs(), sc.methods)
    cs._emergency(st)
    cs._price_sweep(st, "am_mto", "am_price", None)
    cs._price_sweep(st, "regular", "regular_price", None)
    st.ev({"methods.regular.moq": cs.MOQ_RANGE.astype(float)})
    for T, N in cs.PORTFOLIO_TABLES.values():
        st.ev({"model.production_rule": "max_demand_stock", "demand.service_years": T,
               "demand.rate_per_year": 1.0 / (N * T)})
    n = cs.MOULD_DEMAND
    for inv in (0.0,) + cs.MOULD_EUR:
        st.ev({"demand.rate_per_year": n / 30.0, "methods.regular.investment": np.full(n.size, inv)})
    st.ev({"methods.am_mto.energy_kwh_per_kg": np.linspace(0, 600, 25) * 0.278})


def naive_sweeps(sc) -> None:
    """The same sweep points, one scalar evaluate_inputs call per point."""
    inputs, methods = dict(sc.inputs()), sc.methods

    def one(**changes):
        evaluate_inputs(dict(inputs, **changes), methods, advice=False)

    for ce in cs.EMERGENCY_PER_DAY:
        one(**{"downtime.emergency_per_day": ce})
    for p in np.linspace(0, 200, 21):
        one(**{"methods.am_mto.price": p})
    for p in np.linspace(0, 200, 21):
        one(**{"methods.regular.price": p})
    for q in cs.MOQ_RANGE:
        one(**{"methods.regular.moq": int(q)})
    for T, N in cs.PORTFOLIO_TABLES.values():
        for k in N:
            one(**{"model.production_rule": "max_demand_stock", "demand.service_years": T,
                   "demand.rate_per_year": 1.0 / (k * T)})
    for inv in (0.0,) + cs.MOULD_EUR:
        for k in cs.MOULD_DEMAND:
            one(**{"demand.rate_per_year": k / 30.0, "methods.regular.investment": inv})
    for e in np.linspace(0, 600, 25):
        one(**{"methods.am_mto.energy_kwh_per_kg": e * 0.278})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sc = load_scenario()

    full = best_of(lambda: json.dumps(study_json(sc)), args.repeat)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "amspares.cli", "scenario", "--json"],
                          capture_output=True, text=True)
    cli = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    size = len(proc.stdout)

    vec = best_of(lambda: vectorised_sweeps(sc), args.repeat)
    naive = best_of(lambda: naive_sweeps(sc), 1)
    points = (len(cs.EMERGENCY_PER_DAY) + 42 + cs.MOQ_RANGE.size
              + sum(N.size for _, N in cs.PORTFOLIO_TABLES.values()) + 4 * cs.MOULD_DEMAND.size + 25)

    print(f"case study, every sweep and break-even (in process, best of {args.repeat}): {full:8.3f} s")
    print(f"amspares scenario --json (child process, with start-up):       {cli:8.3f} s  "
          f"(target < {TARGET_SECONDS:g} s: {'ok' if cli < TARGET_SECONDS else 'MISSED'}); "
          f"{size / 1e6:.1f} MB of JSON")
    print(f"sweeps, {points} points: vectorised {vec:8.3f} s; naive per-point loop {naive:8.3f} s; "
          f"ratio naive/vectorised = {naive / vec:6.1f}x")
    return 0 if cli < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
