"""Model version 2 in the core (docs/model.md sections 3.1-3.5): the free window, the
charged order wait, service measures and targets, the O(sqrt(u)) base-stock search, and the
edge cases. Expected numbers come from independent mpmath computations (tests/references.py),
exhaustive search over S, brute-force sums, or hand derivations written beside them."""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest
from amspares.core import (
    backorder_wait,
    base_stock_costs,
    base_stock_service,
    erlang_b,
    erlang_c,
    erlang_on_time,
    made_to_order_breakeven_price,
    made_to_order_costs,
    made_to_order_service,
    minimum_base_stock,
    minimum_reorder_point,
    one_order_service,
    optimal_base_stock,
    optimal_reorder_point,
    optimal_sq_policy,
    poisson_left_second_loss,
    poisson_loss,
    poisson_pmf,
    sq_expected_backorders,
    sq_expected_on_hand,
    sq_in_stock_share,
    sq_policy_costs,
    sq_service,
)
from references import (
    mp_erlang_c,
    mp_excess_wait_erlang,
    mp_excess_wait_exact,
    mp_loss,
    mp_poisson_cdf,
    mp_poisson_pmf,
)

CASE = dict(rate=2.0, years=30.0, price=15.0, lead_time_years=86 / 365,
            emergency_per_day=100.0, holding_per_part_year=0.45, inbound_share=0.08,
            outbound_per_part=10.0)


# ---------------------------------------------------------------- accurate building blocks

@pytest.mark.parametrize("m", [0.3, 16.0, 150.0, 1e4, 1e6])
def test_poisson_pmf_against_mpmath(m):
    for k in sorted({0, 1, 15, 16, 17, int(m), int(m) + 1, int(m + 3 * math.sqrt(m)),
                     max(int(m - 3 * math.sqrt(m)), 0)}):
        ref = float(mp_poisson_pmf(k, m))
        assert poisson_pmf(k, m) == pytest.approx(ref, rel=1e-13), (k, m)


@pytest.mark.parametrize("S", [64, 100, 1000, 10**5, 10**6])
def test_one_step_erlang_b_against_mpmath(S):
    # the Poisson form B = P(X = S)/P(X <= S) (S > u, S >= 64) against the textbook definition
    for u in (S * 0.1, S * 0.5, S - math.sqrt(S), S * (1 - 1e-6)):
        with mpmath.workdps(40):   # the textbook sums as incomplete gamma functions (e^-u cancels)
            b = mp_poisson_pmf(S, u, 40) / mp_poisson_cdf(S, u, 40)
            ref_b, ref_c = float(b), float(S * b / (S - u * (1 - b)))
        if ref_b < 1e-290:
            assert erlang_b(S, u) < 1e-280
            continue
        assert erlang_b(S, u) == pytest.approx(ref_b, rel=1e-12), (S, u)
        assert erlang_c(S, u) == pytest.approx(ref_c, rel=1e-12), (S, u)


def test_left_second_loss_and_on_hand_against_brute_sums():
    # H2(y) = sum_{k <= y} E[(k - X)^+] by explicit sums of mpmath probabilities. For y far
    # below m the closed form cancels (two terms of size m^2 P(X = y)): absolute accuracy
    # there, far below anything a cost can see.
    for m in (0.05, 2.0, 37.5):
        for y in (-3, 0, 1, 2, 5, 40, 70):
            with mpmath.workdps(40):
                ref = mpmath.fsum((k - x) * mp_poisson_pmf(x, m, 40)
                                  for k in range(1, y + 1) for x in range(k))
            assert poisson_left_second_loss(y, m) == pytest.approx(float(ref), rel=1e-11, abs=1e-20)


def test_on_hand_that_is_zero_in_exact_arithmetic_is_zero():
    # s + Q <= 0: s + U <= 0 for every U in 1..Q, so (s + U - X)^+ = 0 (docs/model.md 3.2)
    for u in (0.4, 250.0, 1e5):
        for Q in (2, 7, 50):
            assert sq_expected_on_hand(-Q, Q, u) == 0.0
            assert sq_expected_on_hand(-Q - 3, Q, u) == 0.0


# ---------------------------------------------------------------- the free window (3.1, 3.2)

WINDOW_CASES = [(0, 2.0, 86 / 365, 10), (1, 2.0, 86 / 365, 30), (2, 2.0, 86 / 365, 30),
                (3, 10.0, 0.25, 20), (5, 20.0, 0.2, 5), (2, 2.0, 86 / 365, 100)]


@pytest.mark.parametrize("S,lam,L,free", WINDOW_CASES)
def test_exact_excess_wait_is_the_integral_of_the_delay_survival(S, lam, L, free):
    ref = float(mp_excess_wait_exact(S, lam, L, free / 365))
    assert backorder_wait(S, lam, L, "exact", free_days=free) == pytest.approx(ref, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("S,lam,L,free", WINDOW_CASES)
def test_erlang_excess_wait_is_the_integral_of_the_mms_wait_survival(S, lam, L, free):
    if 1 <= S <= lam * L:
        assert backorder_wait(S, lam, L, "erlang_c", free_days=free) == math.inf
        return
    ref = float(mp_excess_wait_erlang(S, lam, L, free / 365))
    assert backorder_wait(S, lam, L, "erlang_c", free_days=free) == pytest.approx(ref, rel=1e-10)


def test_zero_window_is_version_1():
    S = np.arange(12)
    for model in ("erlang_c", "exact"):
        a = base_stock_costs(S, waiting_time=model, **CASE)
        b = base_stock_costs(S, waiting_time=model, free_days=0.0, **CASE)
        assert np.array_equal(a.total, b.total)


def test_window_downtime_in_the_cost():
    # CD = 365 Wx n ce + n cd, the rest unchanged (docs/model.md 3.1)
    for model in ("erlang_c", "exact"):
        c0 = base_stock_costs(2, waiting_time=model, **CASE)
        c = base_stock_costs(2, waiting_time=model, free_days=20.0, **CASE)
        wx = float(mp_excess_wait_exact(2, 2.0, 86 / 365, 20 / 365) if model == "exact"
                   else mp_excess_wait_erlang(2, 2.0, 86 / 365, 20 / 365))
        assert c.downtime == pytest.approx(365 * wx * 60 * 100.0, rel=1e-10)
        assert c.total - c.downtime == pytest.approx(c0.total - c0.downtime, rel=1e-15)


def brute_sq_window(s, Q, u, uw, xmax=400):
    """(E[OH] at u, E[BO] at u_w) from the thesis's X-by-U matrix with mpmath probabilities."""
    out = []
    for m, sign in ((u, 1), (uw, -1)):
        with mpmath.workdps(40):
            p = np.array([float(mp_poisson_pmf(x, m, 40)) for x in range(xmax)])
        level = s + np.arange(1, Q + 1)[None, :] - np.arange(xmax)[:, None]
        out.append(math.fsum((np.maximum(sign * level, 0) * p[:, None]).ravel()) / Q)
    return out


def test_sq_window_backorders_use_the_shortened_lead_time():
    lam, L, free = 2.0, 86 / 365, 40.0
    u, uw = lam * L, lam * (L - free / 365)
    for s in (-3, 0, 1, 2):
        oh, bo_w = brute_sq_window(s, 5, u, uw)
        pol = sq_policy_costs(5, rate=lam, years=30.0, price=15.0, lead_time_years=L,
                              emergency_per_day=100.0, holding_per_part_year=0.45,
                              reorder_point=s, free_days=free)
        assert pol.expected_on_hand == pytest.approx(oh, rel=1e-12)
        assert pol.cost.downtime == pytest.approx(365 * bo_w * 100.0 * 30.0, rel=1e-10)


def test_sq_reorder_point_with_window_is_the_brute_force_argmin():
    lam, L, h, ce = 20.0, 30 / 365, 0.45, 100.0
    for free in (0.0, 5.0, 15.0, 29.0):
        for Q in (3, 10, 40):
            u, uw = lam * L, lam * (L - free / 365)
            s = np.arange(-Q, 60)
            f = (365 * ce * np.asarray(sq_expected_backorders(s, Q, uw))
                 + h * np.asarray(sq_expected_on_hand(s, Q, u)))
            assert optimal_reorder_point(Q, u, h, ce, window_mean=uw) == s[int(np.argmin(f))]


# ---------------------------------------------------------------- order methods (3.3)

def test_order_method_charged_wait_by_hand():
    # pump impeller (issue 11): n = 3 * 15 = 45 parts, each waits 10 days at 2000 EUR/day:
    # CD = 45 * 2000 * 10 = 900000; with a 4-day free window 45 * 2000 * 6 = 540000.
    kw = dict(rate=3.0, years=15.0, price=480.0, emergency_per_day=2000.0, delivery_days=10.0)
    assert made_to_order_costs(**kw).downtime == 900000.0
    assert made_to_order_costs(free_days=4.0, **kw).downtime == 540000.0
    assert made_to_order_costs(free_days=12.0, **kw).downtime == 0.0
    assert made_to_order_costs(order_wait="free", **kw).downtime == 0.0
    v1 = made_to_order_costs(rate=2.0, years=30.0, price=175.0, outbound_per_part=5.0)
    assert v1.total == 10800.0    # docs/model.md section 8
    with pytest.raises(ValueError, match="order_wait"):
        made_to_order_costs(order_wait="paid", **kw)


def test_order_method_breakeven_includes_the_charged_wait():
    kw = dict(rate=3.0, years=15.0, emergency_per_day=2000.0, delivery_days=10.0, outbound_per_part=5.0)
    cp = made_to_order_breakeven_price(1e6, **kw)
    assert made_to_order_costs(price=cp, **kw).total == pytest.approx(1e6, rel=1e-14)


# ---------------------------------------------------------------- service measures (3.4)

@pytest.mark.parametrize("S,lam,L,free", WINDOW_CASES)
def test_base_stock_service_against_definitions(S, lam, L, free):
    u, uw = lam * L, lam * max(L - free / 365, 0)
    sv = base_stock_service(S, rate=lam, lead_time_years=L, waiting_time="exact", free_days=free)
    assert sv.fill_rate == pytest.approx(float(mp_poisson_cdf(S - 1, u)), rel=1e-13, abs=1e-300)
    ot = 1.0 if free / 365 >= L else float(mp_poisson_cdf(S - 1, uw))
    assert sv.on_time_rate == pytest.approx(ot, rel=1e-13, abs=1e-300)
    assert sv.mean_wait_days == pytest.approx(365 * float(mp_loss(S, u)) / lam, rel=1e-12)
    se = base_stock_service(S, rate=lam, lead_time_years=L, waiting_time="erlang_c", free_days=free)
    if S == 0:
        assert (se.fill_rate, se.on_time_rate) == (0.0, float(L <= free / 365))
    elif S <= u:
        assert (se.fill_rate, se.on_time_rate, se.mean_wait_days) == (0.0, 0.0, math.inf)
    else:
        ec = float(mp_erlang_c(S, u))
        assert se.fill_rate == pytest.approx(1 - ec, rel=1e-13)
        assert se.on_time_rate == pytest.approx(1 - ec * math.exp(-(S / L - lam) * free / 365), rel=1e-13)


def test_sq_in_stock_share_is_the_mean_over_j():
    for u in (0.3, 4.7, 60.0):
        for Q in (1, 2, 9, 40):
            for s in (-Q - 2, -Q, -1, 0, 3, 12, 80):
                with mpmath.workdps(40):
                    ref = mpmath.fsum(mp_poisson_cdf(s + j - 1, u, 40) for j in range(1, Q + 1)) / Q
                assert sq_in_stock_share(s, Q, u) == pytest.approx(float(ref), rel=1e-12, abs=1e-15)


def test_sq_service_q1_is_base_stock_and_window():
    a = sq_service(2, 1, rate=2.0, lead_time_years=0.3, free_days=30.0)
    b = base_stock_service(3, rate=2.0, lead_time_years=0.3, waiting_time="exact", free_days=30.0)
    assert a.fill_rate == pytest.approx(b.fill_rate, rel=1e-14)
    assert a.on_time_rate == pytest.approx(b.on_time_rate, rel=1e-14)
    assert a.mean_wait_days == pytest.approx(b.mean_wait_days, rel=1e-12)


def test_one_order_service_is_expected_covered_demand():
    for n, c in ((60.0, 85), (60.0, 50), (0.4, 1), (3.0, 2)):
        with mpmath.workdps(40):
            ref = mpmath.fsum(min(k, c) * mp_poisson_pmf(k, n, 40) for k in range(400)) / n
        sv = one_order_service(c, total_demand=n)
        assert sv.fill_rate == pytest.approx(float(ref), rel=1e-13)
        assert sv.on_time_rate == sv.fill_rate and sv.mean_wait_days == 0.0


def test_order_method_service():
    sv = made_to_order_service(delivery_days=np.array([0.0, 7.0, 7.0]), free_days=np.array([0.0, 7.0, 6.0]))
    assert sv.fill_rate.tolist() == [0.0, 0.0, 0.0]
    assert sv.on_time_rate.tolist() == [1.0, 1.0, 0.0]
    assert sv.mean_wait_days.tolist() == [0.0, 7.0, 7.0]


def test_minimum_base_stock_is_the_first_s_meeting_the_target():
    rng = np.random.default_rng(3)
    for _ in range(60):
        lam, L = rng.uniform(0.1, 400), rng.uniform(1, 200) / 365
        free = float(rng.choice([0.0, rng.uniform(0, 100)]))
        target = float(rng.choice([0.5, 0.9, 0.99, 0.9999]))
        for model in ("exact", "erlang_c"):
            S = np.arange(0, int(lam * L + 20 * math.sqrt(lam * L) + 40))
            ot = np.asarray(base_stock_service(S, rate=lam, lead_time_years=L, waiting_time=model,
                                               free_days=free).on_time_rate)
            assert minimum_base_stock(target, rate=lam, lead_time_years=L, waiting_time=model,
                                      free_days=free) == int(np.flatnonzero(ot >= target)[0])


def test_minimum_reorder_point_is_the_first_s_meeting_the_target():
    for lam, L, free, Q, target in ((2.0, 86 / 365, 0.0, 5, 0.99), (50.0, 0.2, 20.0, 12, 0.95),
                                    (50.0, 0.2, 0.0, 30, 0.999), (5.0, 0.1, 40.0, 3, 0.9)):
        s = np.arange(-Q, 200)
        ot = np.asarray(sq_service(s, Q, rate=lam, lead_time_years=L, free_days=free).on_time_rate)
        assert minimum_reorder_point(target, Q, rate=lam, lead_time_years=L, free_days=free) == \
            s[int(np.flatnonzero(ot >= target)[0])]


# ---------------------------------------------------------------- the search (3.1)

def exhaustive(params, model, rule, free, target, top):
    S = np.arange(top + 1)
    tc = np.asarray(base_stock_costs(S, waiting_time=model, production_rule=rule, free_days=free,
                                     **params).total, dtype=float)
    tc = np.where(np.isnan(tc), np.inf, tc)
    if target is not None:
        ot = np.asarray(base_stock_service(S, rate=params["rate"], lead_time_years=params["lead_time_years"],
                                           waiting_time=model, free_days=free).on_time_rate)
        tc = np.where(ot >= target, tc, np.inf)
    return tc


def test_search_equals_exhaustive_search_on_a_wide_random_grid():
    """S* against TC over every S in 0..u + 25 sqrt(u) + 60 (beyond it the downtime term is
    below 1e-100 of a part's holding cost: the Poisson tail), on a seeded grid of lead-time
    demands 1e-3..3000 (both the stepping and the bisection path), both waiting models, both
    production rules, with and without a free window and a service target."""
    rng = np.random.default_rng(20261201)
    checked = 0
    for i in range(160):
        u_target = 10 ** rng.uniform(-3, 3.5)
        L = rng.uniform(2, 400) / 365
        params = dict(rate=u_target / L, years=float(rng.choice([1.0, 5.0, 30.0])),
                      price=float(rng.choice([0.5, 15.0, 175.0])), lead_time_years=L,
                      emergency_per_day=float(rng.choice([0.5, 100.0, 5000.0])),
                      holding_per_part_year=float(rng.choice([0.0, 0.45, 3.0])),
                      inbound_share=0.08, outbound_per_part=10.0)
        free = float(rng.choice([0.0, rng.uniform(0, 1.5) * L * 365]))
        target = None if i % 3 else float(rng.choice([0.6, 0.95, 0.999]))
        u = params["rate"] * L
        top = int(u + 25 * math.sqrt(u) + 60)
        for model in ("erlang_c", "exact"):
            for rule in ("demand", "max_demand_stock"):
                tc = exhaustive(params, model, rule, free, target, top)
                p = optimal_base_stock(waiting_time=model, production_rule=rule, free_days=free,
                                       service_target=target, **params)
                ref = int(np.argmin(tc))
                assert p.S < top
                assert p.S == ref or tc[p.S] <= tc[ref] * (1 + 1e-12), (i, model, rule, p.S, ref)
                assert p.total_cost == tc[p.S]
                if target is not None:
                    assert p.on_time_rate >= target
                checked += 1
    assert checked == 640


def test_search_is_vectorised_like_scalar_calls_with_window_and_target():
    rng = np.random.default_rng(5)
    n = 120
    lam = 10 ** rng.uniform(-2, 4, n)
    lead = rng.uniform(5, 300, n) / 365
    free = rng.choice([0.0, 10.0, 60.0], n)
    for model in ("erlang_c", "exact"):
        v = optimal_base_stock(rate=lam, years=30.0, price=15.0, lead_time_years=lead, emergency_per_day=100.0,
                               holding_per_part_year=0.45, waiting_time=model, free_days=free,
                               service_target=0.97)
        for i in range(0, n, 9):
            s = optimal_base_stock(rate=lam[i], years=30.0, price=15.0, lead_time_years=lead[i],
                                   emergency_per_day=100.0, holding_per_part_year=0.45,
                                   waiting_time=model, free_days=free[i], service_target=0.97)
            assert v.S[i] == s.S and v.total_cost[i] == s.total_cost
            assert v.on_time_rate[i] == s.on_time_rate


def test_a_lead_time_demand_of_a_million_is_quick_and_uncapped():
    """1e6 parts a year with 400 production days (u = 1.1e6): Erlang C needs S > u. Version 1
    stopped at S = 10^6 and answered S = 0. Checked against the neighbours of S* (convexity:
    a local minimum on S > u is the minimum there) and against S = 0."""
    kw = dict(CASE, rate=1e6, lead_time_years=400 / 365)
    for model in ("erlang_c", "exact"):
        for free in (0.0, 30.0):
            t0 = time.perf_counter()
            p = optimal_base_stock(waiting_time=model, free_days=free, **kw)
            assert time.perf_counter() - t0 < 2.0
            S = p.S
            assert S > 1e6
            near = np.asarray(base_stock_costs(np.arange(S - 3, S + 4), waiting_time=model,
                                               free_days=free, **kw).total)
            assert int(np.argmin(near)) == 3
            assert base_stock_costs(0, waiting_time=model, free_days=free, **kw).total > p.total_cost


# ---------------------------------------------------------------- edge cases (3.2, 3.5)

def test_zero_demand_stocks_and_orders_nothing():
    for model in ("erlang_c", "exact"):
        p = optimal_base_stock(**dict(CASE, rate=0.0), waiting_time=model, service_target=0.99,
                               free_days=5.0)
        assert p.S == 0 and p.total_cost == 0.0 and p.on_time_rate == 1.0
    for moq in (1, 5, 100):
        pol, adv = optimal_sq_policy(moq, **dict(CASE, rate=0.0, investment=250.0))
        assert (pol.billed, pol.shipped, pol.expected_on_hand, pol.expected_backorders) == (0, 0, 0, 0)
        c = pol.cost
        assert (c.downtime, c.holding, c.production, c.scrapping, c.transport) == (0, 0, 0, 0, 0)
        assert pol.total_cost == 250.0 and adv.Q == moq and adv.saving == 0.0


def test_one_order_ships_at_least_one_part_and_no_component_is_negative():
    # n = 0.03: accepted_q = 0 at 99.9 % (P(X = 0) = e^-0.03 = 0.9704 < 0.999? no: >= 0.97),
    # so without the rule nothing would be shipped and E[OH] = -n/2 < 0.
    for conf in (0.5, 0.9, 0.999):
        for n_years in (0.001, 0.03, 0.7):
            pol = sq_policy_costs(5, **dict(CASE, rate=n_years / 30.0), accepted_q_confidence=conf)
            assert pol.shipped >= 1
            assert pol.expected_on_hand == pytest.approx(pol.shipped - n_years / 2, rel=1e-15)
            for v in pol.cost.as_dict().values():
                assert v >= 0.0


def test_advice_must_save_more_than_rounding():
    # Free parts with no holding and no backorders in the one-order regime: every Q costs the
    # same n Tr_out + n cd in exact arithmetic; the advice stays at moq.
    kw = dict(CASE, price=0.0, holding_per_part_year=0.0, regular_per_demand=1 / 3)
    pol, adv = optimal_sq_policy(70, **kw)
    assert adv.Q == 70 and adv.saving == 0.0
    # and whenever a larger Q is advised, it saves more than 1e-9 of the total
    rng = np.random.default_rng(9)
    for _ in range(40):
        moq = int(rng.integers(2, 60))
        pol, adv = optimal_sq_policy(moq, **dict(CASE, rate=float(rng.uniform(0.2, 4.0)),
                                                 price=float(rng.choice([0.0, 15.0])),
                                                 holding_per_part_year=float(rng.choice([0.0, 0.45]))))
        assert adv.Q == moq or adv.saving > 1e-9 * abs(pol.total_cost)


def test_sq_service_target_is_the_constrained_argmin():
    kw = dict(CASE, rate=40.0, lead_time_years=30 / 365)
    for target, free in ((0.99, 0.0), (0.999, 10.0), (0.5, 0.0)):
        pol = sq_policy_costs(10, free_days=free, service_target=target, **kw)
        s = np.arange(-10, 60)
        tc = np.asarray(sq_policy_costs(np.full(s.size, 10), reorder_point=s, free_days=free, **kw).total_cost)
        ot = np.asarray(sq_service(s, 10, rate=40.0, lead_time_years=30 / 365, free_days=free).on_time_rate)
        tc = np.where(ot >= target, tc, np.inf)
        assert pol.s == s[int(np.argmin(tc))] and pol.on_time_rate >= target


def test_erlang_on_time_zero_lead_time():
    assert erlang_on_time(np.array([0, 1, 3]), 0.0, 0.0).tolist() == [1.0, 1.0, 1.0]
    assert poisson_loss(0, 0.0) == 0.0


def test_policy_service_measures_equal_base_stock_service():
    rng = np.random.default_rng(13)
    n = 200
    lam = np.where(rng.random(n) < 0.1, 0.0, 10 ** rng.uniform(-2, 4, n))
    lead = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(1, 300, n) / 365)
    for free in (0.0, rng.choice([0.0, 3.0, 50.0, 400.0], n)):
        for model in ("erlang_c", "exact"):
            p = optimal_base_stock(rate=lam, years=30.0, price=15.0, lead_time_years=lead, emergency_per_day=100.0,
                                   holding_per_part_year=0.45, waiting_time=model, free_days=free)
            sv = base_stock_service(p.S, rate=lam, lead_time_years=lead, waiting_time=model, free_days=free)
            assert np.array_equal(p.fill_rate, sv.fill_rate)
            assert np.array_equal(p.on_time_rate, sv.on_time_rate)
            assert np.array_equal(p.mean_wait_days, sv.mean_wait_days)
            c = base_stock_costs(p.S, rate=lam, years=30.0, price=15.0, lead_time_years=lead,
                                 emergency_per_day=100.0, holding_per_part_year=0.45,
                                 waiting_time=model, free_days=free)
            assert np.array_equal(p.total_cost, c.total)
