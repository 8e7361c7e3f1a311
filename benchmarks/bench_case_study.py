"""Benchmark: the full case-study run (``amspares scenario --json``) on the thesis case study.

Run ``python benchmarks/bench_case_study.py [--repeat R]``. Prints, from one run:

* the in-process time of ``study_json`` (every sweep and break-even of docs/model.md section 5) plus
  the JSON encoding, best of R;
* the end-to-end wall time of the CLI in a child process (``amspares scenario --json``,
  interpreter start-up and imports included). Target: under 10 s;
* the naive baseline measured in the same run: the same sweeps computed point by point
  (one scalar ``evaluate_inputs`` call per sweep row, as a loop over the scalar API would),
  and its ratio to the whole in-process study. The break-evens are not in the baseline (so
  the ratio understates). All CPU time; the in-process study best of R.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, best_cpu, child, load, print_rows  # noqa: E402

from amspares.binding import bind  # noqa: E402
from amspares.commands.scenario import study_json  # noqa: E402
from amspares.core import casestudy as cs  # noqa: E402
from amspares.core.evaluate import evaluate_inputs  # noqa: E402
from amspares.scenario import load_scenario  # noqa: E402

TARGET_SECONDS = 10.0


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


#: The hardest valid scenarios (changes to the thesis case study).
WORST = {
    "regular production_days 1e4": {"methods.regular.production_days": 10000.0},
    "regular production_days 1e5": {"methods.regular.production_days": 1e5},
    "regular shipping_days 1e5": {"methods.regular.shipping_days": 1e5},
    "service_years 1e-9": {"demand.service_years": 1e-9},
    "service_years 0.5": {"demand.service_years": 0.5},
    "service_years 1e-320": {"demand.service_years": 1e-320},
    "rate 1e6": {"demand.rate_per_year": 1e6},
    "rate 1e6, exact, lead times 1e5 days": {
        "model.waiting_time": "exact", "demand.rate_per_year": 1e6,
        "methods.regular.production_days": 1e5, "methods.am_mts.production_days": 1e5},
    "sawtooth: regular moq 857": {
        "methods.regular.moq": 857, "methods.regular.price": 110.6, "methods.am_mto.price": 129.42,
        "methods.regular.production_days": 80.0, "demand.service_years": 5.0},
    "sawtooth: regular moq 193": {
        "methods.regular.moq": 193, "methods.regular.price": 119.64, "methods.am_mto.price": 137.31,
        "methods.regular.production_days": 99.0, "demand.service_years": 5.0},
    "sawtooth moq 193, exact, rate 1e4": {
        "methods.regular.moq": 193, "methods.regular.price": 119.64, "methods.am_mto.price": 137.31,
        "methods.regular.production_days": 99.0, "demand.service_years": 5.0,
        "model.waiting_time": "exact", "demand.rate_per_year": 1e4},
}

def worst_cases(base) -> tuple[list[tuple[str, float, int]], str]:
    """(label, CPU seconds of the whole case study, most crossings of one break-even) per
    :data:`WORST` scenario, slowest first, and the slowest one's label."""
    out = []
    for label, changes in WORST.items():
        params = bind(base.with_values(changes))
        t = time.process_time()
        study = cs.run_situations(params)
        spent = time.process_time() - t
        most = max(len(b.crossings) for be in study.breakevens.values()
                   for b in (be.values() if isinstance(be, dict) else [be]))
        out.append((label, spent, most))
    out.sort(key=lambda r: -r[1])
    return out, out[0][0]


def rows(repeat: int = 3) -> list[Row]:
    """The case study in process and as a child process; the sweeps against a per-point loop.
    All CPU time, best of ``repeat`` (the naive loop once)."""
    sc = load_scenario()
    full, _, _ = best_cpu(lambda: json.dumps(study_json(sc)), repeat)
    cli, cli_wall = child([sys.executable, "-m", "amspares.cli", "scenario", "--json"], 1)
    naive, _, _ = best_cpu(lambda: naive_sweeps(sc), 1)
    points = (len(cs.EMERGENCY_PER_DAY) + 42 + cs.MOQ_RANGE.size
              + sum(N.size for _, N in cs.PORTFOLIO_TABLES.values()) + 4 * cs.MOULD_DEMAND.size + 25)
    return [
        ("case study: every sweep and break-even (in process)", f"{full:.3f} CPU-s",
         f"its {points:,} sweep points, one scalar call each (no break-evens): {naive:.3f} CPU-s "
         f"({naive / full:.0f}x)", ""),
        ("`amspares scenario --json` (child, with start-up)", f"{cli:.3f} CPU-s ({cli_wall:.2f} s wall)",
         "", f"< {TARGET_SECONDS:g} s"),
    ] + [(f"worst valid scenario: {label} ({most} crossings)", f"{spent:.3f} CPU-s",
          f"the thesis case study: {full:.3f} CPU-s", f"< {TARGET_SECONDS:g} s")
         for label, spent, most in worst_cases(sc)[0][:3]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print_rows(rows(args.repeat), f"case study; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
