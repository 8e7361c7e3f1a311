"""Poisson loss functions in closed form (used for thesis Eq. 21-26 and the exact wait).

For ``X ~ Poisson(m)`` and integer ``y``:

* first-order loss ``G1(y) = E[(X - y)^+] = m P(X >= y) - y P(X > y)``;
* second-order loss ``G2(y) = sum_{k > y} G1(k) = E[(X - y)(X - y - 1)^+] / 2
  = (m^2 P(X >= y-1) - 2 y m P(X >= y) + y (y+1) P(X > y)) / 2``.

Both use the identities ``E[X; X >= y] = m P(X >= y - 1)`` and
``E[X (X-1); X >= y] = m^2 P(X >= y - 2)``; survival probabilities come from
:func:`scipy.special.pdtrc`, accurate far into the tail. No X-by-U matrices, no sums.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats


def _survival(k, m):
    """``P(X > k)`` for integer-valued ``k`` (1 for ``k < 0``)."""
    k = np.asarray(k, dtype=float)
    m = np.asarray(m, dtype=float)
    k, m = np.broadcast_arrays(k, m)
    out = np.ones(k.shape)
    pos = k >= 0
    if np.any(pos):
        out[pos] = special.pdtrc(k[pos], m[pos])
    return out


def poisson_loss(y, mean):
    """First-order Poisson loss ``G1(y) = E[(X - y)^+]``, ``X ~ Poisson(mean)``.

    Expected backorders of a base-stock level ``y`` (the "exact" wait of spec 3.1 is
    ``G1(S) / lambda`` by Little's law).

    Examples
    --------
    >>> round(float(poisson_loss(0, 2.5)), 12)    # E[X] when y = 0
    2.5
    >>> round(float(poisson_loss(-3, 2.5)), 12)   # y < 0: E[X] - y
    5.5
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(mean, dtype=float)
    g = m * _survival(y - 1, m) - y * _survival(y, m)
    g = np.maximum(g, 0.0)
    return g if g.ndim else float(g)


def poisson_second_loss(y, mean):
    """Second-order Poisson loss ``G2(y) = sum_{k > y} G1(k) = E[(X-y)(X-y-1)^+] / 2``.

    Examples
    --------
    For y = 0: ``E[X (X - 1)] / 2 = mean^2 / 2``.

    >>> round(float(poisson_second_loss(0, 3.0)), 12)
    4.5
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(mean, dtype=float)
    g = 0.5 * (m * m * _survival(y - 2, m) - 2.0 * y * m * _survival(y - 1, m)
               + y * (y + 1.0) * _survival(y, m))
    g = np.maximum(g, 0.0)
    return g if g.ndim else float(g)


def accepted_quantity(total_demand, confidence):
    """``accepted_q``: smallest k with ``P{Poisson(n) <= k} >= confidence`` (thesis Eq. 31).

    The number of parts worth keeping from one large order: with 99.9 % confidence the
    total demand over the service period does not exceed it.

    Parameters
    ----------
    total_demand : float or array_like
        ``n = lambda * T``, the expected total demand (may be fractional).
    confidence : float or array_like
        In (0, 1); the thesis uses 0.999.

    Examples
    --------
    >>> accepted_quantity(60.0, 0.999)      # spec section 8
    85
    """
    n = np.asarray(total_demand, dtype=float)
    c = np.asarray(confidence, dtype=float)
    n, c = np.broadcast_arrays(n, c)
    k = np.asarray(stats.poisson.ppf(c, n), dtype=float)
    k = np.where(np.isnan(k), 0.0, k)
    # Guard the float boundary of ppf in both directions (exact definition of Eq. 31).
    too_high = (k > 0) & (stats.poisson.cdf(k - 1, n) >= c)
    k = np.where(too_high, k - 1, k)
    too_low = stats.poisson.cdf(k, n) < c
    k = np.where(too_low, k + 1, k)
    k = k.astype(np.int64)
    return k if k.ndim else int(k)
