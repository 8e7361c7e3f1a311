"""Break-evens with several crossings (docs/model.md, the case-study run).

Every break-even lists all its crossings in range, smallest first, with the method that is
lower on each side; ``moq_breakeven_cost`` / ``moq_breakeven_impact`` are the crossing into
the linear regime (the last one); every other headline value is the smallest crossing.

The scenarios were found by the seeded search at the bottom of this file
(``PYTHONPATH=pysrc python3 tests/test_crossings.py --search 60``: random regular moq,
prices, lead time and service period around the thesis case study, comparing the old
rule -- the first sign change on the sweep's own grid, refined by brentq -- with every
crossing) and are frozen here:

* ``saw_moq``: the thesis case with the AM price at 23.3333 EUR. By hand (docs/model.md,
  order method): AM MTO costs 60 x (23.3333 + 5) = 1700.00 EUR, between regular at moq 1
  (1735.71) and at moq 2 (1646.25: the moq = 1 vs moq = 2 accounting jump), so printing
  wins at moq 1, loses at moq 2 and wins again further up. The old rule reported moq = 2,
  where regular is cheaper.
* ``saw_mould``: the search's worst case (regular moq 857): regular's total against the
  demand n is a sawtooth and crosses AM MTO's line 51 times; the old rule's mould 3,000
  EUR break-even was 96% above the smallest crossing.
* ``saw_mould_193``: the second scenario of the search (regular moq 193).
* ``minimum_order``: ``examples/minimum_order.toml``; its mould 20,000 EUR curve crosses
  three times within 0.05% of n.

Where expected values come from: the model's difference evaluated independently through
:func:`amspares.core.evaluate.evaluate` (not through the case study's own grids) just below
and just above every reported crossing, and on a fine brute-force grid (every whole moq;
100,001 geometric points of n) on which every sign change must hold a reported crossing.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from amspares.binding import bind
from amspares.core.casestudy import MOULD_DEMAND, MOULD_EUR, MOULD_MPTS, mould_key, run_situations
from amspares.core.evaluate import evaluate
from amspares.core.impact import megajoules_to_kwh
from amspares.report import study_dict
from amspares.scenario import load_scenario
from amspares.wording import sentence_for

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SAW_MOULD = {"methods.regular.moq": 857, "methods.regular.price": 110.6, "methods.am_mto.price": 129.42,
             "methods.regular.production_days": 80.0, "demand.service_years": 5.0}
SAW_MOULD_193 = {"methods.regular.moq": 193, "methods.regular.price": 119.64,
                 "methods.am_mto.price": 137.31, "methods.regular.production_days": 99.0,
                 "demand.service_years": 5.0}


def scenarios():
    base = load_scenario()
    return {"saw_moq": base.with_values({"methods.am_mto.price": 23.3333}),
            "saw_mould": base.with_values(SAW_MOULD),
            "saw_mould_193": base.with_values(SAW_MOULD_193),
            "minimum_order": load_scenario(EXAMPLES / "minimum_order.toml")}


@pytest.fixture(scope="module")
def studies():
    out = {}
    for name, sc in scenarios().items():
        p = bind(sc)
        out[name] = (p, run_situations(p))
    return out


def difference(p, name, key, x):
    """regular minus am_mto (cost or impact, with the mould for the mould break-evens) at
    the break-even's quantity x (an array), straight from the model."""
    R, M = "regular", "am_mto"
    x = np.asarray(x, dtype=float)
    T = float(p.service_years)
    extra, measure = 0.0, "cost"
    if name == "am_price_breakeven":
        q = p.with_method(M, price=x)
    elif name == "regular_price_breakeven":
        q = p.with_method(R, price=x)
    elif name.startswith("moq_"):
        q = p.with_method(R, moq=x)
        measure = "impact" if name.endswith("impact") else "cost"
    elif name == "portfolio_breakeven_skus":
        Tp = float(key[1:])
        q = replace(p, production_rule="max_demand_stock", service_years=Tp, rate_per_year=1.0 / (x * Tp))
    elif name == "mould_breakeven_demand_cost":
        q = replace(p.with_method(R, investment=float(p.methods[R].investment) + float(key)), rate_per_year=x / T)
    elif name == "mould_breakeven_demand_impact":
        q, extra, measure = replace(p, rate_per_year=x / T), float(key), "impact"
    else:
        q, measure = p.with_method(M, energy_kwh_per_kg=megajoules_to_kwh(x)), "impact"
        for m in p.methods:
            if m != R and float(p.methods[m].energy_kwh_per_kg) > 0:
                q = q.with_method(m, energy_kwh_per_kg=megajoules_to_kwh(x))
    ev = evaluate(q.only([R, M]), advice=False)
    r, m = ev.methods[R], ev.methods[M]
    if measure == "cost":
        d = r.total_cost - m.total_cost
    else:
        d = r.impact_mpts + extra - m.impact_mpts
    return np.broadcast_to(np.asarray(d, dtype=float), x.shape)


def items(cs):
    for name, be in cs.breakevens.items():
        if isinstance(be, dict):
            for k, b in be.items():
                yield name, k, b
        else:
            yield name, "", be


def lower(d):
    return "regular" if d < 0 else "am_mto"


def test_the_scenarios_have_several_crossings(studies):
    many = {w: max(len(b.crossings) for _, _, b in items(cs)) for w, (_, cs) in studies.items()}
    assert all(v >= 3 for v in many.values()), many
    assert len(studies["saw_mould"][1].breakevens["mould_breakeven_demand_cost"]["3000"].crossings) >= 20


@pytest.mark.parametrize("which", list(scenarios()))
def test_every_crossing_is_a_real_sign_change_with_its_sides(studies, which):
    p, cs = studies[which]
    checked = 0
    for name, key, be in items(cs):
        xs = [c.value for c in be.crossings]
        assert xs == sorted(xs) and len(set(xs)) == len(xs), (name, key)
        for c in be.crossings:
            if name.startswith("moq_"):
                lo, hi = math.ceil(c.value) - 1.0, math.ceil(c.value)   # whole moq either side
            else:
                lo, hi = c.value * (1 - 1e-9), c.value * (1 + 1e-9)
            d = difference(p, name, key, np.array([lo, hi]))
            assert np.sign(d[0]) * np.sign(d[1]) < 0, (name, key, c, d)
            assert (lower(d[0]), lower(d[1])) == (c.below, c.above), (name, key, c)
            checked += 1
        if be.crossings:
            head = be.crossings[-1] if name.startswith("moq_") else be.crossings[0]
            assert (be.value, be.below, be.above) == (head.value, head.below, head.above), (name, key)
    assert checked >= 3


def test_moq_crossings_are_every_whole_sign_change(studies):
    for which, (p, cs) in studies.items():
        q = np.arange(1.0, 1001.0)
        for name in ("moq_breakeven_cost", "moq_breakeven_impact"):
            d = difference(p, name, "", q)
            flips = {int(q[i + 1]) for i in range(q.size - 1) if np.sign(d[i]) * np.sign(d[i + 1]) < 0}
            found = {math.ceil(c.value) for c in cs.breakevens[name].crossings if c.value <= 1000}
            assert found == flips, (which, name)


def test_the_moq_breakeven_is_where_printing_wins_for_good(studies):
    p, cs = studies["saw_moq"]
    be = cs.breakevens["moq_breakeven_cost"]
    assert len(be.crossings) >= 3 and be.crossings[0].value == 2.0
    assert be.above == "am_mto" and be.value == be.crossings[-1].value
    # printing (1700.00) wins at the reported moq and at every whole moq above it up to 1000
    q = np.arange(be.value, 1001.0)
    assert np.all(difference(p, "moq_breakeven_cost", "", q) > 0)
    assert difference(p, "moq_breakeven_cost", "", np.array([be.value - 1.0]))[0] < 0
    # the old report, moq = 2, is a moq where regular (1646.25) is cheaper than 1700
    assert difference(p, "moq_breakeven_cost", "", np.array([2.0]))[0] < 0


@pytest.mark.parametrize("which", ["saw_mould", "saw_mould_193", "minimum_order"])
def test_no_mould_crossing_is_missed_on_a_fine_grid(studies, which):
    p, cs = studies[which]
    x = np.geomspace(1e-3, 1e6, 100001)
    for name, keys in (("mould_breakeven_demand_cost", MOULD_EUR), ("mould_breakeven_demand_impact", MOULD_MPTS)):
        for amount in keys:
            key = mould_key(amount)
            d = difference(p, name, key, x)
            flips = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)
            found = np.array([c.value for c in cs.breakevens[name][key].crossings])
            for i in flips:
                assert np.any((found >= x[i]) & (found <= x[i + 1])), (name, key, x[i], x[i + 1])
            assert found.size >= flips.size


def old_rule(p, eur):
    """The break-even as reported before: the first sign change on the sweep's n grid."""
    from scipy.optimize import brentq
    g = np.concatenate([[1e-3, 0.01, 0.1, 0.5], MOULD_DEMAND, [2e5, 5e5, 1e6]])
    d = difference(p, "mould_breakeven_demand_cost", mould_key(eur), g)
    i = next(i for i in range(g.size - 1) if d[i] * d[i + 1] < 0)
    return brentq(lambda v: float(difference(p, "mould_breakeven_demand_cost", mould_key(eur), np.array([v]))[0]),
                  g[i], g[i + 1])


def test_the_old_rule_missed_earlier_crossings(studies):
    for which in ("saw_mould", "saw_mould_193"):
        p, cs = studies[which]
        new = cs.breakevens["mould_breakeven_demand_cost"]["3000"].value
        assert old_rule(p, 3000.0) > 1.5 * new, which


def test_json_lists_the_crossings_and_the_sentence_names_the_ranges(studies):
    p, cs = studies["minimum_order"]
    out = study_dict(cs)
    listed = out["crossings"]["mould_breakeven_demand_cost/20000"]
    be = cs.breakevens["mould_breakeven_demand_cost"]["20000"]
    assert [c["value"] for c in listed] == [c.value for c in be.crossings] and len(listed) == 3
    assert out["breakeven"]["mould_breakeven_demand_cost"]["20000"] == listed[0]["value"]
    assert {"value", "below", "above", "jump"} == set(listed[0])
    text = sentence_for("mould_breakeven_demand_cost", be)
    a, b, c = (f"{x.value:,.2f}" for x in be.crossings)
    assert text == f"am_mto is cheaper for total demand n below {a} and between {b} and {c} parts; regular elsewhere"


# --------------------------------------------------------------------------- the search


def search(trials: int, seed: int = 11):
    """Seeded search for scenarios where the old rule's mould break-even is off."""
    rng = np.random.default_rng(seed)
    base = load_scenario()
    found = []
    for _ in range(trials):
        ch = {"methods.regular.moq": int(rng.choice([1, 1, rng.integers(2, 1000)])),
              "methods.regular.price": float(np.round(rng.uniform(5, 200), 2)),
              "methods.am_mto.price": float(np.round(rng.uniform(20, 400), 2)),
              "methods.regular.production_days": float(np.round(rng.uniform(5, 300))),
              "demand.service_years": float(rng.choice([5, 10, 30]))}
        p = bind(base.with_values(ch))
        cs = run_situations(p)
        for eur in MOULD_EUR:
            be = cs.breakevens["mould_breakeven_demand_cost"][mould_key(eur)]
            try:
                old = old_rule(p, eur)
            except StopIteration:
                continue
            if be.value and abs(old - be.value) > 1e-6 * be.value:
                found.append((abs(old - be.value) / be.value, ch, eur, len(be.crossings)))
    return sorted(found, key=lambda f: -f[0])


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--search") + 1]) if "--search" in sys.argv else 20
    for row in search(n)[:10]:
        print(row)
