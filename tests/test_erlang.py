"""Erlang B and C (thesis Eq. 5) against independent 50-digit mpmath computations.

Two independent references, cross-checked against each other where both are cheap:

* the textbook series with factorials, ``sum_{k<S} u^k/k!`` (mpmath.factorial), S <= 400;
* the same sums through the regularised incomplete gamma function,
  ``e^-u sum_{k<S} u^k/k! = Q(S, u)`` (mpmath.gammainc), for any S up to 10^5.

Required accuracy (docs/model.md section 3.1): 1e-12 relative for S up to 10^5, u across regimes.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from amspares.core import erlang_b, erlang_c

DPS = 50


def mp_erlang_series(S, u):
    """(B, C) by the direct series with mpmath factorials."""
    with mpmath.workdps(DPS):
        u = mpmath.mpf(u)
        terms = [u ** k / mpmath.factorial(k) for k in range(S + 1)]
        below = mpmath.fsum(terms[:S])
        b = terms[S] / (below + terms[S])
        c = terms[S] * S / (S - u) / (below + terms[S] * S / (S - u)) if u < S else mpmath.mpf(1)
        return b, c


def mp_erlang_gamma(S, u):
    """(B, C) with the Poisson sums as regularised incomplete gamma functions."""
    with mpmath.workdps(DPS):
        u = mpmath.mpf(u)
        top = mpmath.exp(-u + S * mpmath.log(u) - mpmath.loggamma(S + 1)) if u > 0 else mpmath.mpf(0)
        below = mpmath.gammainc(S, u, mpmath.inf, regularized=True)   # P(Poisson(u) <= S-1)
        b = top / (below + top)
        c = top * S / (S - u) / (below + top * S / (S - u)) if u < S else mpmath.mpf(1)
        return b, c


def u_grid(S):
    """Loads across regimes: u << S, u = S/2, u ~ S - sqrt(S), u just below S, u >= S."""
    grid = {S * 1e-3, S * 0.1, S * 0.5, max(S - math.sqrt(S), S * 0.5), S * (1 - 1e-6),
            S * (1 - 1e-9), float(S), S * 1.5}
    return sorted(grid)


SERVERS = [1, 2, 3, 5, 10, 30, 100, 400, 1000, 10_000, 100_000]


def close(value, reference, rel=1e-12):
    """Relative accuracy; a reference below the normal float range must come out (sub)normal-tiny."""
    reference = float(reference)
    if reference < 1e-290:
        return value < 1e-280
    return abs(value - reference) <= rel * reference


def test_references_agree_with_each_other():
    # The two mpmath references (series with factorials vs incomplete gamma) agree to
    # 1e-40 where both are computed: a check of the test itself.
    for S in (1, 2, 5, 30, 100, 400):
        for u in u_grid(S):
            b1, c1 = mp_erlang_series(S, u)
            b2, c2 = mp_erlang_gamma(S, u)
            assert abs(b1 - b2) <= mpmath.mpf("1e-40") * abs(b1) + mpmath.mpf("1e-300")
            assert abs(c1 - c2) <= mpmath.mpf("1e-40") * abs(c1) + mpmath.mpf("1e-300")


@pytest.mark.parametrize("S", SERVERS)
def test_erlang_b_and_c_against_mpmath(S):
    bad = []
    for u in u_grid(S):
        ref_b, ref_c = mp_erlang_series(S, u) if S <= 400 else mp_erlang_gamma(S, u)
        b, c = erlang_b(S, u), erlang_c(S, u)
        if not close(b, ref_b):
            bad.append(("B", S, u, b, float(ref_b)))
        if not close(c, ref_c):
            bad.append(("C", S, u, c, float(ref_c)))
    assert not bad


def test_vectorised_grid_against_mpmath():
    # One vectorised call over the whole (S, u) grid equals the references element-wise.
    pairs = [(S, u) for S in SERVERS[:9] for u in u_grid(S)]
    s = np.array([p[0] for p in pairs])
    u = np.array([p[1] for p in pairs])
    b, c = erlang_b(s, u), erlang_c(s, u)
    for i, (S, uu) in enumerate(pairs):
        ref_b, ref_c = mp_erlang_gamma(S, uu)
        assert close(b[i], ref_b) and close(c[i], ref_c), (S, uu)
        assert b[i] == erlang_b(S, uu) and c[i] == erlang_c(S, uu)   # same as scalar calls


def test_edge_cases():
    # S = 0: B = 1 (every demand blocked) and C = 1 (docs/model.md section 7: 1 when S <= u).
    assert erlang_b(0, 3.0) == 1.0 and erlang_c(0, 3.0) == 1.0
    # u = 0: nobody waits for S >= 1 (from the definition: B = 0^S/S! / ... = 0).
    assert erlang_b(4, 0.0) == 0.0 and erlang_c(4, 0.0) == 0.0
    # S <= u: unstable queue, C = 1 (docs/model.md section 7).
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 7.5) == 1.0
    # M/M/1: C(1, u) = u (textbook: probability the single server is busy).
    assert erlang_c(1, 0.3) == pytest.approx(0.3, rel=1e-15)
    # B(1, u) = u / (1 + u) (the recursion's first step, textbook M/M/1/1).
    assert erlang_b(1, 0.3) == pytest.approx(0.3 / 1.3, rel=1e-15)


@pytest.mark.parametrize("bad", [-1, 2.5, float("nan")])
def test_invalid_servers_raise(bad):
    with pytest.raises((ValueError, TypeError)):
        erlang_c(bad, 1.0)


def test_invalid_load_raises():
    with pytest.raises(ValueError):
        erlang_b(2, -0.1)
