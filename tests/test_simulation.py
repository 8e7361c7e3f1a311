"""Seeded discrete-event simulations of the two waiting-time models of spec 3.1.

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
    # Spec 3.1: ~4.4x at S = 1 in the case study. Closed forms: Erlang C W = u L/(1-u)
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
