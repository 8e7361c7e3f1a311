"""The model's fast paths (issue 15) give the numbers of the plain computations.

* :func:`optimal_base_stock` in blocks (``SEARCH_BLOCK``), with the step search's compaction
  of finished SKUs: the same S*, costs and service measures, bit for bit, as one block, and
  S* the brute-force argmin of ``base_stock_costs`` over S = 0..400.
* :func:`sq_policy_costs` on a mix of several-order and one-order SKUs (the steady-state
  terms computed on the several-order subset only): element by element what the scalar
  call gives.
* :func:`accepted_quantity` from its Cornish-Fisher start: Eq. 31 by its definition, summed
  in 30-digit mpmath.
* :func:`smallest_integer_where` with ``subset=True``: the brute-force smallest whole number.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from amspares.core import base_stock_costs, optimal_base_stock, sq_policy_costs
from amspares.core import basestock
from amspares.core.poisson import accepted_quantity, smallest_integer_where


def population(seed, size):
    """SKUs over the ranges the step search meets: no demand, no penalty, free stock,
    free windows longer and shorter than the lead time, loads up to ~60."""
    rng = np.random.default_rng(seed)
    return dict(rate=rng.choice([0.0, 0.001, 0.3, 2.0, 20.0, 150.0], size) * rng.uniform(0.5, 1.5, size),
                years=rng.choice([1.0, 10.0, 30.0], size),
                price=rng.choice([0.0, 15.0, 175.0], size),
                lead_time_years=rng.uniform(5.0, 120.0, size) / 365.0,
                emergency_per_day=rng.choice([0.0, 1.0, 100.0, 5000.0], size),
                holding_per_part_year=rng.choice([0.0, 0.45, 3.0], size),
                inbound_share=0.08, outbound_per_part=10.0,
                free_days=rng.choice([0.0, 0.0, 3.0, 200.0], size))


def _policy_arrays(p):
    cost = p.cost.as_dict()
    return [np.asarray(p.S)] + [np.asarray(cost[k], dtype=float) for k in cost] + [
        np.asarray(x, dtype=float) for x in (p.fill_rate, p.on_time_rate, p.mean_wait_days)]


@pytest.mark.parametrize("model", ["erlang_c", "exact"])
@pytest.mark.parametrize("rule", ["demand", "max_demand_stock"])
@pytest.mark.parametrize("target", [None, 0.9])
def test_blocks_give_the_numbers_of_one_block(monkeypatch, model, rule, target):
    kw = population(11, 203)
    one = optimal_base_stock(waiting_time=model, production_rule=rule, service_target=target, **kw)
    monkeypatch.setattr(basestock, "SEARCH_BLOCK", 16)     # 13 blocks, the last one short
    blocks = optimal_base_stock(waiting_time=model, production_rule=rule, service_target=target, **kw)
    for a, b in zip(_policy_arrays(one), _policy_arrays(blocks)):
        assert a.shape == b.shape == (203,)
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("model", ["erlang_c", "exact"])
def test_blocked_search_is_the_brute_force_argmin(monkeypatch, model):
    """S* against argmin_S TC(S) over S = 0..400, every S evaluated by base_stock_costs
    (the lead-time demand here stays below 64, so every SKU takes the step search)."""
    kw = population(5, 120)
    kw["free_days"] = 0.0
    monkeypatch.setattr(basestock, "SEARCH_BLOCK", 16)
    p = optimal_base_stock(waiting_time=model, **kw)
    S = np.arange(401)
    for i in range(120):
        one = {k: (v[i] if np.ndim(v) else v) for k, v in kw.items()}
        tc = np.asarray(base_stock_costs(S, waiting_time=model, **one).total, dtype=float)
        tc = np.where(np.isnan(tc), np.inf, tc)
        ref = int(np.argmin(tc))
        got = int(p.S[i])
        # ties go to the smaller S at the precision of the total (1e-12 of it): a different
        # S may only be one whose total equals the minimum to that precision
        n = one["rate"] * one["years"]
        fixed = 10.0 * n + n * one["price"] * 1.08          # n Tr_out + n cp (1 + Tr_in)
        assert got == ref or abs(tc[got] - tc[ref]) <= 2e-12 * (abs(tc[ref]) + fixed)
        assert p.total_cost[i] == pytest.approx(tc[got], rel=1e-12, abs=1e-9)


def test_compaction_keeps_late_finishers():
    """Most SKUs finish at S = 0 or 1, a few climb to S ~ 60: the live set shrinks to a few
    SKUs, and every one of them still gets the S* of its own scalar call."""
    rng = np.random.default_rng(3)
    lam = np.where(rng.uniform(size=500) < 0.02, 150.0, 0.01)
    lead = rng.uniform(60.0, 120.0, 500) / 365.0
    p = optimal_base_stock(rate=lam, years=30.0, price=15.0, lead_time_years=lead,
                           emergency_per_day=100.0, holding_per_part_year=0.45)
    for i in np.flatnonzero(lam > 1.0).tolist() + [0, 1, 2]:
        s = optimal_base_stock(rate=lam[i], years=30.0, price=15.0, lead_time_years=lead[i],
                               emergency_per_day=100.0, holding_per_part_year=0.45)
        assert p.S[i] == s.S and p.total_cost[i] == s.total_cost
    assert p.S.max() > 40


@pytest.mark.parametrize("free_days,target", [(0.0, None), (20.0, None), (0.0, 0.8)])
def test_sq_subset_equals_scalar_calls(free_days, target):
    """Q <= n (several orders), Q > n (one order) and n = 0 side by side: each SKU gets the
    numbers of its own scalar call."""
    rng = np.random.default_rng(17)
    size = 60
    lam = rng.choice([0.0, 0.05, 0.5, 2.0, 20.0], size)
    moq = rng.choice([2, 5, 20, 100, 500], size)
    kw = dict(years=30.0, price=15.0, lead_time_years=rng.uniform(5.0, 120.0, size) / 365.0,
              emergency_per_day=100.0, holding_per_part_year=0.45, inbound_share=0.08,
              outbound_per_part=10.0, free_days=free_days, service_target=target)
    v = sq_policy_costs(moq, rate=lam, **kw)
    several = (moq <= lam * 30.0) & (lam > 0)
    assert 0 < several.sum() < size
    for i in range(size):
        one = {k: (x[i] if np.ndim(x) else x) for k, x in kw.items()}
        s = sq_policy_costs(int(moq[i]), rate=float(lam[i]), **one)
        for name in ("s", "billed", "shipped", "expected_on_hand", "expected_backorders",
                     "fill_rate", "on_time_rate", "mean_wait_days", "total_cost"):
            a, b = float(np.asarray(getattr(v, name))[i]), float(getattr(s, name))
            assert a == b or (np.isnan(a) and np.isnan(b)), (i, name, a, b)
        assert np.isnan(float(v.s[i])) != bool(several[i])


def _accepted_q_by_definition(n, conf):
    """Eq. 31 by brute force (30-digit mpmath): the reference of tests/test_poisson_sq.py."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_poisson_sq import _accepted_q_by_definition as by_definition
    return by_definition(n, conf)


CASES = [(n, c) for n in (0.0, 1e-6, 0.02, 0.7, 3.0, 11.0, 60.0, 444.4, 2500.0)
         for c in (1e-6, 0.01, 0.5, 0.999, 0.999999)]
CASES += [(1e-6, 0.9999999999999999),      # the start is 10 parts off: the fallback from pdtrik
          (5000.0, 0.999), (0.5, 0.3678794411714424)]   # the last: P(X <= 0) = e^-0.5 to 16 digits


@pytest.mark.parametrize("n,conf", CASES)
def test_accepted_quantity_by_definition(n, conf):
    assert accepted_quantity(n, conf) == _accepted_q_by_definition(n, conf)


def test_accepted_quantity_vectorised_over_mixed_inputs():
    n = np.array([c[0] for c in CASES])
    c = np.array([c[1] for c in CASES])
    assert accepted_quantity(n, c).tolist() == [_accepted_q_by_definition(a, b) for a, b in CASES]
    assert accepted_quantity(n.reshape(-1, 1)[:6], 0.999).shape == (6, 1)


def test_smallest_integer_where_on_open_elements_only():
    """x^2 >= t + k: the answer is ceil(sqrt(t + k)) (clipped to [lo, hi]); the subset form
    must also ask only about open elements."""
    rng = np.random.default_rng(2)
    t = rng.uniform(0.0, 5000.0, 300)
    lo = np.floor(rng.uniform(0.0, 40.0, 300))
    hi = np.full(300, 200.0)
    asked = []

    def holds(x, k):
        asked.append(k.size)
        assert np.all(lo[k] <= x) and np.all(x <= hi[k])
        return x * x >= t[k] + k

    got = smallest_integer_where(holds, lo, hi, subset=True)
    want = np.maximum(np.ceil(np.sqrt(t + np.arange(300))), lo)
    assert np.array_equal(got, want)
    assert np.array_equal(got, smallest_integer_where(lambda x: x * x >= t + np.arange(300), lo, hi))
    assert asked[-1] < 300
