"""Poisson loss functions and the (s,Q) closed forms against brute-force sums.

The reference is the thesis's own construction (Eq. 21-26): lead-time demand
X ~ Poisson(u) against the inventory position U ~ uniform{1..Q}, summed over an explicit
X-by-U matrix (x from 0 far into the tail), with Poisson probabilities computed in
50-digit mpmath and rounded once to float. Sums of non-negative terms only, so the
reference carries no cancellation.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from amspares.core import (optimal_reorder_point, poisson_loss, poisson_second_loss,
                           sq_expected_backorders, sq_expected_on_hand)

MEANS = [1e-6, 1e-3, 0.05, 2 * 11 / 365, 2 * 86 / 365, 1.0, 2.5, 7.0, 20.0, 60.0, 150.0]
QS = [1, 2, 3, 5, 7, 10, 20, 40, 50, 75, 100]
REORDER = [-100, -37, -20, -10, -5, -2, -1, 0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 100, 160, 200]


def pmf(mean, xmax):
    """P(X = x), x = 0..xmax, from 50-digit mpmath (no float cancellation)."""
    with mpmath.workdps(50):
        m = mpmath.mpf(mean)
        p = [mpmath.exp(-m)]
        for x in range(1, xmax + 1):
            p.append(p[-1] * m / x)
        return np.array([float(v) for v in p])


def xmax_for(mean, top):
    return int(top + mean + 40 * math.sqrt(mean) + 60)


def brute_g1(y, mean, p):
    x = np.arange(p.size)
    return math.fsum(np.maximum(x - y, 0) * p)


def brute_g2(y, mean, p):
    x = np.arange(p.size)
    d = np.maximum(x - y, 0)
    return math.fsum(d * np.maximum(d - 1, 0) / 2 * p)


def brute_sq(s, Q, p):
    """Thesis Eq. 21-26: the X-by-U matrix, E[OH] = E[(s+U-X)^+], E[BO] = E[(X-s-U)^+]."""
    x = np.arange(p.size)[:, None]
    U = np.arange(1, Q + 1)[None, :]
    level = s + U - x
    oh = (np.maximum(level, 0) * p[:, None]).sum() / Q
    bo = (np.maximum(-level, 0) * p[:, None]).sum() / Q
    return oh, bo


def agree(value, ref, scale):
    """1e-10 relative, or 1e-15 of the problem's scale in the far tail (the closed
    forms subtract two tail terms there; the absolute error stays at rounding level)."""
    return abs(value - ref) <= 1e-10 * abs(ref) + 1e-15 * scale


@pytest.mark.parametrize("mean", MEANS)
def test_loss_functions_against_brute_force(mean):
    ys = sorted(set(REORDER + [int(mean), int(mean) + 1, int(mean + 3 * math.sqrt(mean)) + 1]))
    p = pmf(mean, xmax_for(mean, max(ys)))
    g1 = poisson_loss(np.array(ys), mean)
    g2 = poisson_second_loss(np.array(ys), mean)
    for i, y in enumerate(ys):
        scale = (1 + mean + abs(y)) ** 2
        assert agree(g1[i], brute_g1(y, mean, p), scale), ("G1", y, mean)
        assert agree(g2[i], brute_g2(y, mean, p), scale), ("G2", y, mean)
        assert g1[i] == poisson_loss(y, mean) and g2[i] == poisson_second_loss(y, mean)


@pytest.mark.parametrize("mean", MEANS)
def test_sq_closed_forms_against_x_by_u_matrix(mean):
    grid = [(s, Q) for Q in QS for s in REORDER if s >= -Q - 5]
    s = np.array([g[0] for g in grid])
    q = np.array([g[1] for g in grid])
    oh = sq_expected_on_hand(s, q, mean)
    bo = sq_expected_backorders(s, q, mean)
    p = pmf(mean, xmax_for(mean, max(REORDER) + max(QS)))
    for i, (ss, Q) in enumerate(grid):
        ref_oh, ref_bo = brute_sq(ss, Q, p)
        scale = (1 + mean + abs(ss) + Q) ** 2
        assert agree(oh[i], ref_oh, scale), ("E[OH]", ss, Q, mean, oh[i], ref_oh)
        assert agree(bo[i], ref_bo, scale), ("E[BO]", ss, Q, mean, bo[i], ref_bo)


def test_q1_is_base_stock():
    # With Q = 1 the (s,Q) policy is a base stock S = s + 1 (thesis 3.3 reduces to 3.2):
    # E[BO] = G1(s + 1) and E[OH] = E[(S - X)^+] = S - u + G1(S), brute force here.
    mean = 2 * 86 / 365
    p = pmf(mean, 200)
    for s in range(-1, 8):
        assert agree(sq_expected_backorders(s, 1, mean), brute_g1(s + 1, mean, p), 1.0)
        x = np.arange(p.size)
        assert agree(sq_expected_on_hand(s, 1, mean), math.fsum(np.maximum(s + 1 - x, 0) * p), 1.0)


def brute_reorder_point(Q, mean, h, ce, p):
    """argmin over s = -Q..(a window well above the core's bisection bracket) of CD + CH
    per year (Eq. 15-16, T cancels), ties to the smaller s."""
    best_s, best_f, costs = None, math.inf, {}
    for s in range(-Q, int(mean + 25 * math.sqrt(mean)) + 40):
        oh, bo = brute_sq(s, Q, p)
        f = 365 * ce * bo + h * oh
        costs[s] = f
        if f < best_f:
            best_s, best_f = s, f
    return best_s, best_f, costs


@pytest.mark.parametrize("mean", [1e-3, 0.05, 2 * 86 / 365, 2.5, 20.0])
@pytest.mark.parametrize("Q", [1, 2, 5, 20, 60, 100])
@pytest.mark.parametrize("h,ce", [(0.45, 100.0), (3.0, 1.0), (0.45, 5000.0), (10.0, 0.0)])
def test_optimal_reorder_point_is_brute_force_argmin(mean, Q, h, ce):
    p = pmf(mean, xmax_for(mean, 200 + Q))
    ref_s, ref_f, costs = brute_reorder_point(Q, mean, h, ce, p)
    s = optimal_reorder_point(Q, mean, h, ce)
    # Same minimum; and if a smaller s ties to rounding the core may pick it (ties to
    # the smaller s), so compare costs, then require no smaller s to be cheaper.
    assert costs[s] <= ref_f * (1 + 1e-12) + 1e-15
    assert all(costs[t] > ref_f * (1 - 1e-12) for t in range(-Q, s) if t != s) or s == ref_s
    # the vectorised call agrees with the scalar one
    assert optimal_reorder_point(np.array([Q, Q]), np.array([mean, mean]), h, ce).tolist() == [s, s]


def test_thesis_reorder_point_example():
    # Case study with Q = 20: brute force over the X-by-U matrix (as in the thesis).
    mean = 2 * 86 / 365
    p = pmf(mean, 300)
    ref_s, _, _ = brute_reorder_point(20, mean, 0.45, 100.0, p)
    assert optimal_reorder_point(20, mean, 0.45, 100.0) == ref_s


def _accepted_q_by_definition(n, conf):
    """Eq. 31 by brute force: the smallest k with sum_{j<=k} e^-n n^j / j! >= conf (mpmath, 30 digits)."""
    import mpmath
    with mpmath.workdps(30):
        n_ = mpmath.mpf(n)
        term = mpmath.exp(-n_)
        total, k = term, 0
        while total < conf:
            k += 1
            term = term * n_ / k
            total += term
    return k


@pytest.mark.parametrize("n", [0.0, 1e-9, 0.3, 1.0, 2.5, 7.0, 60.0, 123.4, 1000.0])
@pytest.mark.parametrize("conf", [0.5, 0.9, 0.95, 0.999, 0.99999])
def test_accepted_quantity_is_the_smallest_k_meeting_the_confidence(n, conf):
    from amspares.core import accepted_quantity
    assert accepted_quantity(n, conf) == _accepted_q_by_definition(n, conf)


def test_accepted_quantity_vectorised_equals_scalar():
    from amspares.core import accepted_quantity
    n = np.array([0.0, 0.5, 60.0, 1000.0])
    c = np.array([0.999, 0.9, 0.999, 0.5])
    assert accepted_quantity(n, c).tolist() == [accepted_quantity(a, b) for a, b in zip(n, c)]
