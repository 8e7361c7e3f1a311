"""Benchmark: the full case-study run (``amspares scenario --json``) on the thesis case study.

Run ``python benchmarks/bench_case_study.py [--repeat R]``. Prints, from one run:

* the in-process time of ``study_json`` (every sweep and break-even of spec section 5) plus
  the JSON encoding, best of R;
* the end-to-end wall time of the CLI in a child process (``amspares scenario --json``,
  interpreter start-up and imports included). Target: under 10 s;
* the naive baseline measured in the same run: the same sweeps computed point by point
  (one scalar ``evaluate_inputs`` call per sweep row, as a loop over the scalar API would),
  and the ratio to the vectorised sweeps. The break-evens are not in the baseline;
* the worst cases: the in-process CPU time of the whole case study on the hardest valid
  scenarios we could construct (long lead times, tiny and short service periods, the
  largest accepted rate, overflowing inputs, and the sawtooth scenarios of
  tests/test_crossings.py whose break-evens cross AM MTO 50-85 times), and the slowest of
  them end to end through the CLI. Target: every one under 10 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

import tempfile
from dataclasses import replace
from pathlib import Path

from amspares.binding import bind
from amspares.commands.scenario import study_json
from amspares.core import casestudy as cs
from amspares.core.evaluate import evaluate_inputs
from amspares.scenario import load_scenario

#: The hardest valid scenarios (changes to the thesis case study).
WORST = {
    "regular production_days 1e4": {"methods.regular.production_days": 10000.0},
    "regular production_days 1e5": {"methods.regular.production_days": 1e5},
    "regular shipping_days 1e5": {"methods.regular.shipping_days": 1e5},
    "service_years 1e-9": {"demand.service_years": 1e-9},
    "service_years 0.5": {"demand.service_years": 0.5},
    "service_years 1e-320": {"demand.service_years": 1e-320},
    "material_efficiency 1e-320": {"methods.regular.material_efficiency": 1e-320},
    "rate 1e6": {"demand.rate_per_year": 1e6},
    "rate 1e6, exact, lead times 1e5 days": {
        "model.waiting_time": "exact", "demand.rate_per_year": 1e6,
        "methods.regular.production_days": 1e5, "methods.am_mts.production_days": 1e5},
    "sawtooth: regular moq 857 (51 crossings)": {
        "methods.regular.moq": 857, "methods.regular.price": 110.6, "methods.am_mto.price": 129.42,
        "methods.regular.production_days": 80.0, "demand.service_years": 5.0},
    "sawtooth: regular moq 193 (85 crossings)": {
        "methods.regular.moq": 193, "methods.regular.price": 119.64, "methods.am_mto.price": 137.31,
        "methods.regular.production_days": 99.0, "demand.service_years": 5.0},
    "sawtooth moq 193, exact, rate 1e4": {
        "methods.regular.moq": 193, "methods.regular.price": 119.64, "methods.am_mto.price": 137.31,
        "methods.regular.production_days": 99.0, "demand.service_years": 5.0,
        "model.waiting_time": "exact", "demand.rate_per_year": 1e4},
}

TARGET_SECONDS = 10.0


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def vectorised_sweeps(sc) -> None:
    """The sweeps only, as the case study computes them (one evaluate call each)."""
    st = cs._Study(bind(sc))
    p = st.p
    cs._emergency(st)
    cs._price_sweep(st, "am_mto", "am_price", None)
    cs._price_sweep(st, "regular", "regular_price", None)
    st.ev(st.method("regular", moq=cs.MOQ_RANGE.astype(float)))
    for T, N in cs.PORTFOLIO_TABLES.values():
        st.ev(replace(p, production_rule="max_demand_stock", service_years=T, rate_per_year=1.0 / (N * T)))
    n = cs.MOULD_DEMAND
    for inv in (0.0,) + cs.MOULD_EUR:
        st.ev(replace(st.method("regular", investment=np.full(n.size, inv)), rate_per_year=n / 30.0))
    st.ev(st.method("am_mto", energy_kwh_per_kg=np.linspace(0, 600, 25) * 0.278))


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


def _scenario_file(base, changes, folder: Path) -> Path:
    """The thesis case study with ``changes``, as a scenario file for the CLI."""
    text = (Path(cs.__file__).resolve().parent.parent / "data" / "case_study.toml").read_text()
    lines = text.splitlines()
    out, table = [], ""
    pending = dict(changes)
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            table = stripped.split("]")[0].strip("[ ")
        key = stripped.split("=")[0].strip() if "=" in stripped and not stripped.startswith("#") else None
        full = f"{table}.{key}" if key else None
        if full in pending:
            out.append(f"{key} = {json.dumps(pending.pop(full))}")
        else:
            out.append(line)
    # keys the file does not set: appended to their tables
    for full, value in pending.items():
        table, key = full.rsplit(".", 1)
        i = next(j for j, line in enumerate(out) if line.strip().startswith(f"[{table}]"))
        out.insert(i + 1, f"{key} = {json.dumps(value)}")
    path = folder / "worst.toml"
    path.write_text("\n".join(out) + "\n")
    return path


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

    rows, slowest = worst_cases(sc)
    print("worst cases, whole case study in process (CPU s, most crossings of one break-even):")
    for label, spent, most in rows:
        print(f"  {label:<44} {spent:7.2f} s  {most:3d} crossings")
    with tempfile.TemporaryDirectory() as tmp:
        path = _scenario_file(sc, WORST[slowest], Path(tmp))
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "amspares.cli", "scenario", str(path), "--json"],
                              capture_output=True, text=True)
        worst_cli = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    worst_ok = worst_cli < TARGET_SECONDS and all(r[1] < TARGET_SECONDS for r in rows)
    print(f"slowest ({slowest}) through amspares scenario --json: {worst_cli:8.3f} s wall  "
          f"(target < {TARGET_SECONDS:g} s: {'ok' if worst_ok else 'MISSED'})")
    return 0 if cli < TARGET_SECONDS and worst_ok else 1


if __name__ == "__main__":
    sys.exit(main())
