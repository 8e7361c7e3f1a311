"""Base stock (thesis 3.2, docs/model.md section 3.1): the optimiser against a brute-force argmin over a
wide S window, both waiting-time models, both production rules; TC(S) against the
formulas of docs/model.md recomputed here independently in 50-digit mpmath."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from amspares.core import backorder_wait, base_stock_costs, optimal_base_stock

CASE = dict(rate=2.0, years=30.0, price=15.0, lead_time_years=86 / 365,
            emergency_per_day=100.0, holding_per_part_year=0.45, inbound_share=0.08,
            outbound_per_part=10.0)


def mp_wait(S, lam, L, model):
    """W(S) of docs/model.md section 3.1 in 50 digits: Erlang C from the factorial series; "exact" as
    sum_{x > S} (x - S) P(X = x) / lambda."""
    with mpmath.workdps(50):
        lam, L = mpmath.mpf(lam), mpmath.mpf(L)
        u = lam * L
        if model == "erlang_c":
            if S == 0:
                return L
            if u >= S:
                return mpmath.inf
            terms = [u ** k / mpmath.factorial(k) for k in range(S + 1)]
            top = terms[S] * S / (S - u)
            ec = top / (mpmath.fsum(terms[:S]) + top)
            return ec * L / (S - u)
        p = lambda x: mpmath.exp(-u) * u ** x / mpmath.factorial(x)
        return mpmath.nsum(lambda x: (x - S) * p(int(x)), [S + 1, mpmath.inf]) / lam


def mp_total(S, p, model, rule="demand"):
    """Eq. 1, 7-13 of docs/model.md section 3.1 written out again, with the mpmath wait."""
    n = p["rate"] * p["years"]
    w = mp_wait(S, p["rate"], p["lead_time_years"], model)
    cd = 365 * w * n * p["emergency_per_day"] if p["emergency_per_day"] else 0
    ch = p["holding_per_part_year"] * S * p["years"]
    cpr = (n if rule == "demand" else max(n, S)) * p["price"]
    cr = p["price"] * S
    ctr = (cpr + cr) * p["inbound_share"] + n * p["outbound_per_part"]
    return cd + ch + cpr + cr + ctr


@pytest.mark.parametrize("model", ["erlang_c", "exact"])
@pytest.mark.parametrize("S", [0, 1, 2, 3, 5, 8])
def test_case_study_cost_curve_against_mpmath(model, S):
    c = base_stock_costs(S, waiting_time=model, **CASE)
    ref = mp_total(S, CASE, model)
    assert c.total == pytest.approx(float(ref), rel=1e-12)
    assert backorder_wait(S, 2.0, 86 / 365, model) == pytest.approx(
        float(mp_wait(S, 2.0, 86 / 365, model)), rel=1e-12)


def test_infeasible_erlang_wait_is_infinite():
    # docs/model.md section 3.1: 1 <= S <= u is an unstable M/M/S queue, W = inf; S = 0 gives W = L
    assert backorder_wait(2, 10.0, 0.3) == math.inf          # u = 3 >= S = 2
    assert backorder_wait(0, 10.0, 0.3) == 0.3
    assert math.isfinite(backorder_wait(2, 10.0, 0.3, "exact"))


def brute_argmin(params, model, rule, window=400):
    """argmin_S TC(S) over S = 0..window by evaluating every S (ties to smaller S)."""
    S = np.arange(window + 1)
    tc = np.asarray(base_stock_costs(S, waiting_time=model, production_rule=rule,
                                     **params).total, dtype=float)
    tc = np.where(np.isnan(tc), np.inf, tc)
    return int(np.argmin(tc)), tc          # np.argmin returns the first (smaller) S


PARAMS = [
    CASE,
    dict(CASE, lead_time_years=11 / 365, price=175.0),                          # AM MTS
    dict(CASE, emergency_per_day=0.0),                                            # S* = 0
    dict(CASE, emergency_per_day=5000.0, rate=20.0),                              # large u
    dict(CASE, rate=0.001),                                                       # tiny demand
    dict(CASE, rate=150.0, lead_time_years=120 / 365, holding_per_part_year=0.0),  # S* ~ 60+
    dict(CASE, price=0.0, holding_per_part_year=0.01, inbound_share=0.0),         # cheap stock
    dict(CASE, years=1.0, rate=0.1),                                              # portfolio-like
]


@pytest.mark.parametrize("model", ["erlang_c", "exact"])
@pytest.mark.parametrize("rule", ["demand", "max_demand_stock"])
@pytest.mark.parametrize("i", range(len(PARAMS)))
def test_optimiser_is_brute_force_argmin(model, rule, i):
    params = PARAMS[i]
    ref, tc = brute_argmin(params, model, rule)
    p = optimal_base_stock(waiting_time=model, production_rule=rule, **params)
    assert p.S == ref
    assert p.total_cost == tc[ref]


def test_vectorised_optimiser_equals_scalar_calls():
    rng = np.random.default_rng(7)
    n = 300
    lam = rng.uniform(0.001, 20, n)
    lead = rng.uniform(5, 120, n) / 365
    ce = rng.choice([0.0, 1.0, 100.0, 5000.0], n)
    for model in ("erlang_c", "exact"):
        v = optimal_base_stock(rate=lam, years=30.0, price=15.0, lead_time_years=lead,
                               emergency_per_day=ce, holding_per_part_year=0.45,
                               inbound_share=0.08, outbound_per_part=10.0, waiting_time=model)
        for i in range(0, n, 7):
            s = optimal_base_stock(rate=lam[i], years=30.0, price=15.0, lead_time_years=lead[i],
                                   emergency_per_day=ce[i], holding_per_part_year=0.45,
                                   inbound_share=0.08, outbound_per_part=10.0, waiting_time=model)
            assert v.S[i] == s.S and v.total_cost[i] == s.total_cost


def test_zero_demand():
    # lambda = 0: no demand, no downtime; any stock only costs, so S* = 0 (docs/model.md section 3.1: W = 0).
    for model in ("erlang_c", "exact"):
        p = optimal_base_stock(**dict(CASE, rate=0.0), waiting_time=model)
        assert p.S == 0 and p.total_cost == 0.0


def test_portfolio_rule_reproduces_thesis_double_charge():
    # thesis 5.1.3 (docs/model.md section 3.1, "max_demand_stock"): CP = max(n, S) cp and CR = S cp both
    # charge the stock; at n = 0.1, S = 1: CP = 15 (not 1.5) and CR = 15.
    c = base_stock_costs(1, production_rule="max_demand_stock", **dict(CASE, rate=0.1 / 30))
    assert c.production == pytest.approx(15.0, rel=1e-15)
    assert c.scrapping == 15.0


def test_free_stock_stops_where_more_stock_no_longer_changes_the_total():
    """Price 0 and holding 0: every extra part still cuts the (Erlang C) downtime a little,
    so the exact argmin is unbounded. Ties to the smaller S at the precision of the total:
    S* is the first S from which no larger S lowers TC by more than 1e-12 of it. Expected
    values from base_stock_costs over S = 0..300 (brute force)."""
    kw = dict(rate=2.0, years=30.0, price=0.0, lead_time_years=86 / 365,
              emergency_per_day=100.0, holding_per_part_year=0.0, outbound_per_part=1.0)
    best = optimal_base_stock(**kw)
    tc = np.asarray(base_stock_costs(np.arange(301), **kw).total)
    assert best.S < 30                                     # not ~140, chasing rounding noise
    assert tc.min() >= best.total_cost * (1 - 1e-12)       # nothing beats it beyond 1e-12
    assert tc[best.S - 1] > best.total_cost * (1 + 1e-12)  # one part fewer is really dearer
