"""Seeded discrete-event simulations of the two waiting-time models of docs/model.md section 3.1.

(a) A base-stock system: Poisson demand (rate lambda), every demand triggers a
    replenishment order that arrives after a deterministic lead time L, backorders are
    filled first come first served. Demand i is then filled by the unit ordered at
    demand i - S, so its delay is max(0, t_{i-S} + L - t_i): measured mean delay per
    demand vs ``backorder_wait(..., "exact")`` (M/G/inf pipeline, Palm's theorem).
(b) An M/M/S queue with exponential service of mean L: mean wait in queue vs
    ``backorder_wait(..., "erlang_c")`` (thesis Eq. 5-6).

Tolerances come from the runs themselves: batch means (independent-ish batches of
consecutive customers), 5 standard errors. Expected numbers come from the simulations;
the core is the thing under test.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from amspares.core import backorder_wait

LAM = 2.0                  # case study: 2 demands per year
L = 86 / 365               # regular lead time, 86 days
BATCHES = 40


def batch_mean(values, batches=BATCHES):
    """(mean, standard error) from batch means."""
    values = np.asarray(values)
    k = values.size // batches
    means = values[: k * batches].reshape(batches, k).mean(axis=1)
    return float(means.mean()), float(means.std(ddof=1) / math.sqrt(batches))


def simulate_base_stock(S, lam, lead, demands, seed):
    """Mean delay per demand of a base-stock system with deterministic lead time (FIFO)."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(1.0 / lam, demands))
    delay = np.zeros(demands)
    if S == 0:
        delay[:] = lead
    else:
        delay[S:] = np.maximum(0.0, t[:-S] + lead - t[S:])
    return delay


def simulate_mms(S, lam, mean_service, customers, seed):
    """Waiting times in queue of an M/M/S FCFS queue (heap of server free times)."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / lam, customers)).tolist()
    services = rng.exponential(mean_service, customers).tolist()
    free = [0.0] * S
    waits = [0.0] * customers
    for i, (a, d) in enumerate(zip(arrivals, services)):
        f = heapq.heappop(free)
        start = a if a > f else f
        waits[i] = start - a
        heapq.heappush(free, start + d)
    return np.array(waits)


@pytest.mark.parametrize("S,lam,lead", [(1, LAM, L), (2, LAM, L), (3, 10.0, 0.25), (0, LAM, L)])
def test_exact_wait_matches_simulated_base_stock_system(S, lam, lead):
    delay = simulate_base_stock(S, lam, lead, 400_000, seed=11 + S)
    mean, se = batch_mean(delay)
    predicted = backorder_wait(S, lam, lead, "exact")
    assert abs(mean - predicted) <= 5 * se + 1e-12, (mean, se, predicted)


@pytest.mark.parametrize("S,lam,mean_service", [(1, LAM, L), (3, 10.0, 0.25)])
def test_erlang_c_wait_matches_simulated_mms_queue(S, lam, mean_service):
    waits = simulate_mms(S, lam, mean_service, 200_000, seed=21 + S)
    mean, se = batch_mean(waits[1000:])          # drop a short warm-up (starts empty)
    predicted = backorder_wait(S, lam, mean_service, "erlang_c")
    assert abs(mean - predicted) <= 5 * se, (mean, se, predicted)


def test_erlang_c_overstates_the_base_stock_wait_at_s1():
    # docs/model.md section 3.1: ~4.4x at S = 1 in the case study. Closed forms: Erlang C W = u L/(1-u)
    # (M/M/1), exact W = (u - 1 + e^-u)/lambda; their ratio u^2 / ((1-u)(u-1+e^-u)).
    u = LAM * L
    closed = u * u / ((1 - u) * (u - 1 + math.exp(-u)))
    core = backorder_wait(1, LAM, L) / backorder_wait(1, LAM, L, "exact")
    assert core == pytest.approx(closed, rel=1e-12)
    assert round(core, 1) == 4.4
    # and the two simulated systems show the same gap (ratio of simulated means)
    bs_mean, bs_se = batch_mean(simulate_base_stock(1, LAM, L, 400_000, seed=5))
    q_mean, q_se = batch_mean(simulate_mms(1, LAM, L, 200_000, seed=6)[1000:])
    ratio = q_mean / bs_mean
    ratio_se = ratio * math.hypot(bs_se / bs_mean, q_se / q_mean)
    assert abs(ratio - closed) <= 5 * ratio_se, (ratio, ratio_se, closed)
    assert ratio > 3.5


# ---------------------------------------------------------------- version 2 (docs/model.md 3.1-3.4)

from amspares.core import (base_stock_service, made_to_order_costs, sq_expected_backorders,  # noqa: E402
                           sq_expected_on_hand, sq_service)


def mean_ci(values):
    """(mean, standard error) of independent values."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


@pytest.mark.parametrize("S,lam,lead,free", [(1, LAM, L, 30.0), (2, LAM, L, 60.0), (4, 10.0, 0.25, 20.0)])
def test_free_window_excess_wait_and_service_match_simulated_base_stock(S, lam, lead, free):
    """The FIFO base-stock simulation, measured beyond a free window w: the mean of
    (delay - w)^+ against the exact Wx(S) (docs/model.md 3.1), the share of delay 0 against
    the fill rate and the share of delay <= w against the on-time rate (3.4). Erlang C's Wx
    is shown far outside the simulation's confidence interval."""
    w = free / 365
    delay = simulate_base_stock(S, lam, lead, 400_000, seed=31 + S)
    mean, se = batch_mean(np.maximum(delay - w, 0.0))
    exact = backorder_wait(S, lam, lead, "exact", free_days=free)
    assert abs(mean - exact) <= 5 * se + 1e-12, (mean, se, exact)
    erl = backorder_wait(S, lam, lead, "erlang_c", free_days=free)
    assert abs(erl - mean) > 20 * se, (erl, mean, se)          # how far Erlang C is
    sv = base_stock_service(S, rate=lam, lead_time_years=lead, waiting_time="exact", free_days=free)
    fill, fse = batch_mean(delay == 0.0)
    on_time, ose = batch_mean(delay <= w)
    assert abs(fill - sv.fill_rate) <= 5 * fse + 1e-12, (fill, fse, sv.fill_rate)
    assert abs(on_time - sv.on_time_rate) <= 5 * ose + 1e-12, (on_time, ose, sv.on_time_rate)


@pytest.mark.parametrize("S,lam,mean_service,free", [(1, LAM, L, 30.0), (3, 10.0, 0.25, 15.0)])
def test_erlang_c_window_formulas_match_simulated_mms_queue(S, lam, mean_service, free):
    """Under its own model (M/M/S), Erlang C's Wx and on-time rate are right: the mean of
    (wait - w)^+ and the share of waits <= w of the simulated queue."""
    w = free / 365
    waits = simulate_mms(S, lam, mean_service, 200_000, seed=41 + S)[1000:]
    mean, se = batch_mean(np.maximum(waits - w, 0.0))
    assert abs(mean - backorder_wait(S, lam, mean_service, "erlang_c", free_days=free)) <= 5 * se
    share, sse = batch_mean(waits <= w)
    sv = base_stock_service(S, rate=lam, lead_time_years=mean_service, waiting_time="erlang_c", free_days=free)
    assert abs(share - sv.on_time_rate) <= 5 * sse, (share, sse, sv.on_time_rate)


def simulate_sq(s, Q, lam, lead, demands, seed):
    """Continuous-review (s,Q) with Poisson demand, deterministic lead time, FIFO backorders.

    Returns (delay per demand, time-average on-hand stock). The inventory position starts
    at s + Q (an order of Q is placed whenever it drops to s); on-hand stock is integrated
    over time between events.
    """
    rng = np.random.default_rng(seed)
    t_dem = np.cumsum(rng.exponential(1.0 / lam, demands)).tolist()
    on_hand, position = s + Q, s + Q
    if on_hand < 0:
        on_hand = 0
    waiting = []                     # FIFO of (index, demand time) not yet filled
    arrivals = []                    # heap of order arrival times
    delay = [0.0] * demands
    area, last = 0.0, 0.0
    head = 0
    for i, t in enumerate(t_dem):
        while arrivals and arrivals[0] <= t:
            ta = heapq.heappop(arrivals)
            area += on_hand * (ta - last)
            last = ta
            on_hand += Q
            while head < len(waiting) and on_hand > 0:
                j, td = waiting[head]
                head += 1
                delay[j] = ta - td
                on_hand -= 1
        area += on_hand * (t - last)
        last = t
        if on_hand > 0:
            on_hand -= 1
        else:
            waiting.append((i, t))
        position -= 1
        while position <= s:
            position += Q
            heapq.heappush(arrivals, t + lead)
    for j, td in waiting[head:]:
        delay[j] = np.nan            # still waiting at the end: dropped below
    return np.array(delay), area / last


@pytest.mark.parametrize("s,Q,lam,lead,free", [(1, 5, 10.0, 0.25, 20.0), (3, 8, 20.0, 0.3, 40.0)])
def test_sq_window_backorders_and_service_match_simulation(s, Q, lam, lead, free):
    """(s,Q) with a free window: mean (delay - w)^+ = E[BO] at u_w / lambda (docs/model.md
    3.2), on-hand stock E[OH] at u, fill and on-time rates (3.4), against the simulation."""
    w = free / 365
    delay, on_hand = simulate_sq(s, Q, lam, lead, 200_000, seed=51 + s)
    delay = delay[1000:]
    delay = delay[~np.isnan(delay)]
    u, uw = lam * lead, lam * (lead - w)
    mean, se = batch_mean(np.maximum(delay - w, 0.0))
    assert abs(mean - sq_expected_backorders(s, Q, uw) / lam) <= 5 * se, (mean, se)
    sv = sq_service(s, Q, rate=lam, lead_time_years=lead, free_days=free)
    fill, fse = batch_mean(delay == 0.0)
    on_time, ose = batch_mean(delay <= w)
    assert abs(fill - sv.fill_rate) <= 5 * fse, (fill, fse, sv.fill_rate)
    assert abs(on_time - sv.on_time_rate) <= 5 * ose, (on_time, ose, sv.on_time_rate)
    # time-average on-hand: one long run, so a loose 2 % check on the mean level
    assert on_hand == pytest.approx(sq_expected_on_hand(s, Q, u), rel=0.02)


def test_charged_order_wait_matches_simulated_service_period():
    """Print to order, charged wait (docs/model.md 3.3): over 4000 simulated service periods
    the downtime cost sum_i ce (D_o - w)^+ over N ~ Poisson(lambda T) demands averages to
    n ce (D_o - w)^+."""
    rng = np.random.default_rng(61)
    lam, T, ce, d_o, free = 3.0, 15.0, 2000.0, 10.0, 4.0
    counts = rng.poisson(lam * T, 4000)
    mean, se = mean_ci(counts * ce * max(d_o - free, 0.0))
    cd = made_to_order_costs(rate=lam, years=T, price=480.0, emergency_per_day=ce,
                             delivery_days=d_o, free_days=free).downtime
    assert abs(mean - cd) <= 5 * se, (mean, se, cd)
