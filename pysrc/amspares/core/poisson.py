"""Poisson loss functions in closed form (used for thesis Eq. 21-26 and the exact wait).

For ``X ~ Poisson(m)`` and integer ``y``:

* first-order loss ``G1(y) = E[(X - y)^+] = m P(X >= y) - y P(X > y)``;
* second-order loss ``G2(y) = sum_{k > y} G1(k) = E[(X - y)(X - y - 1)^+] / 2
  = (m^2 P(X >= y-1) - 2 y m P(X >= y) + y (y+1) P(X > y)) / 2``.

Both use the identities ``E[X; X >= y] = m P(X >= y - 1)`` and
``E[X (X-1); X >= y] = m^2 P(X >= y - 2)``. Writing ``S = P(X > y)`` and ``p = P(X = y)``
(so ``P(X >= y) = S + p`` and ``P(X = y - 1) = p y / m``) they reduce to one survival
probability and one point probability each:

* ``G1(y) = (m - y) S + m p``;
* ``G2(y) = ((y - m)^2 + y) S / 2 + m (m - y) p / 2``.

``S`` comes from :func:`scipy.special.pdtrc` (accurate far into the tail) and ``p`` from
``exp(y log m - m - log y!)``. No X-by-U matrices, no sums.
"""

from __future__ import annotations

import numpy as np
from scipy import special


_LOG_FACTORIAL = special.gammaln(np.arange(1.0, 4097.0))   # log y! for y = 0..4095


def _tail_and_point(y, m):
    """``S = P(X > y)`` and ``p = P(X = y)`` for integer-valued ``y`` (``S = 1, p = 0`` if y < 0).

    One :func:`scipy.special.pdtrc` call per element (the expensive part) and a point
    probability ``exp(y log m - m - log y!)`` with ``log y!`` from a table for small y.
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(m, dtype=float)
    if y.shape != m.shape:
        y, m = np.broadcast_arrays(y, m)
    neg = y < 0
    anyneg = bool(neg.any())
    yy = np.where(neg, 0.0, y) if anyneg else y
    surv = special.pdtrc(yy, m)
    if yy.size and float(yy.max()) < _LOG_FACTORIAL.size:
        logfact = _LOG_FACTORIAL[yy.astype(np.intp)]
    else:
        logfact = special.gammaln(yy + 1.0)
    point = special.xlogy(yy, m)
    if np.ndim(point):                       # in place: fewer temporaries for big arrays
        point -= m
        point -= logfact
        np.exp(point, out=point)
    else:
        point = np.exp(point - m - logfact)
    if anyneg:
        surv = np.where(neg, 1.0, surv)
        point = np.where(neg, 0.0, point)
    return surv, point


def poisson_survival(k, mean):
    """Tail probability ``P(X > k)`` of ``X ~ Poisson(mean)`` for integer ``k`` (1 for k < 0).

    Accurate far into the tail (no ``1 - CDF`` cancellation); the building block of the
    loss functions below and of the workbook's (s,Q) table.

    Examples
    --------
    >>> round(float(poisson_survival(0, 2.0)), 12)       # 1 - exp(-2)
    0.864664716763
    >>> float(poisson_survival(-1, 2.0))
    1.0
    """
    s, _point = _tail_and_point(y=np.asarray(k, dtype=float), m=np.asarray(mean, dtype=float))
    return s if np.ndim(s) else float(s)


def poisson_cdf(k, mean):
    """``P(X <= k)`` of ``X ~ Poisson(mean)`` (the CDF behind ``accepted_q``, Eq. 31).

    Examples
    --------
    >>> round(float(poisson_cdf(85, 60.0)), 6) >= 0.999 > round(float(poisson_cdf(84, 60.0)), 6)
    True
    """
    k = np.asarray(k, dtype=float)
    m = np.asarray(mean, dtype=float)
    k, m = np.broadcast_arrays(k, m)
    c = np.zeros(k.shape)
    pos = k >= 0                                   # P(X <= k) = 0 for k < 0
    c[pos] = special.pdtr(k[pos], m[pos])
    return c if c.ndim else float(c)


def poisson_loss(y, mean):
    """First-order Poisson loss ``G1(y) = E[(X - y)^+]``, ``X ~ Poisson(mean)``.

    Expected backorders of a base-stock level ``y`` (the "exact" wait of spec 3.1 is
    ``G1(S) / lambda`` by Little's law). Closed form ``G1(y) = (m - y) P(X > y) + m P(X = y)``
    (thesis Eq. 24 with Q = 1).

    Examples
    --------
    >>> round(float(poisson_loss(0, 2.5)), 12)    # E[X] when y = 0
    2.5
    >>> round(float(poisson_loss(-3, 2.5)), 12)   # y < 0: E[X] - y
    5.5
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(mean, dtype=float)
    surv, point = _tail_and_point(y, m)
    g = (m - y) * surv + m * point
    g = np.maximum(g, 0.0)
    return g if g.ndim else float(g)


def poisson_second_loss(y, mean):
    """Second-order Poisson loss ``G2(y) = sum_{k > y} G1(k) = E[(X-y)(X-y-1)^+] / 2``.

    Closed form ``G2(y) = ((y - m)^2 + y) P(X > y) / 2 + m (m - y) P(X = y) / 2``; it turns
    the thesis's X-by-U matrix sums (Eq. 23-24) into two evaluations.

    Examples
    --------
    For y = 0: ``E[X (X - 1)] / 2 = mean^2 / 2``.

    >>> round(float(poisson_second_loss(0, 3.0)), 12)
    4.5
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(mean, dtype=float)
    surv, point = _tail_and_point(y, m)
    d = y - m
    g = 0.5 * ((d * d + y) * surv - m * d * point)
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
    # Start from the continuous inverse of the CDF (scipy.special.pdtrik), then step to the
    # exact definition of Eq. 31: the smallest whole k with P(X <= k) >= confidence.
    with np.errstate(invalid="ignore"):
        k = np.ceil(special.pdtrik(c, n))
    k = np.where(np.isfinite(k), np.maximum(k, 0.0), 0.0)
    for _ in range(64):                            # one or two steps in practice
        too_high = (k > 0) & (np.asarray(poisson_cdf(k - 1, n)) >= c)
        too_low = np.asarray(poisson_cdf(k, n)) < c
        if not (too_high.any() or too_low.any()):
            break
        k = np.where(too_high, k - 1, np.where(too_low, k + 1, k))
    k = k.astype(np.int64)
    return k if k.ndim else int(k)
