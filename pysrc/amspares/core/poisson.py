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
from amspares.core.scipy_special import special

_LOADER_FROM = 256         # from here on the point probability uses Loader's saddle-point form
_LOG_FACTORIAL = special.gammaln(np.arange(1.0, _LOADER_FROM + 1.0))   # log y! for y = 0..255


def _stirling_error(k):
    """``log k! - log(sqrt(2 pi k) (k/e)^k)`` for ``k >= 16`` (Loader 2000, its series)."""
    nn = k * k
    return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / (1188 * nn)) / nn) / nn) / nn) / k


def _deviance(x, m):
    """``bd0(x, m) = x log(x/m) + m - x`` without cancellation (Loader 2000): a series in
    ``v = (x - m)/(x + m)`` when ``|x - m| < 0.1 (x + m)``, the plain formula otherwise."""
    d = x - m
    near = np.abs(d) < 0.1 * (x + m)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = x * np.log(x / m) + d * -1.0
        v = d / (x + m)
        s = d * v
        ej = 2.0 * x * v
        v2 = v * v
        for j in range(1, 9):                 # |v| < 0.1: each term 100x smaller
            ej = ej * v2
            s = s + ej / (2 * j + 1)
    return np.where(near, s, far)


def poisson_pmf(k, mean):
    """Point probability ``P(X = k)`` of ``X ~ Poisson(mean)`` for integer ``k`` (0 for k < 0).

    Accurate at any size: for ``k >= 256`` Loader's saddle-point form
    ``exp(-stirlerr(k) - bd0(k, m)) / sqrt(2 pi k)`` (C. Loader, "Fast and accurate
    computation of binomial probabilities", 2000), which avoids the ``k log m - m - log k!``
    cancellation (1e-9 relative at k = 10^6); below, ``exp(k log m - m - log k!)`` with a
    table of ``log k!`` (a few 1e-13 relative at worst).
    The building block of the exact Erlang B for large S (docs/model.md section 3.1).

    Examples
    --------
    >>> round(float(poisson_pmf(2, 2.0)), 15)       # 2 e^-2
    0.270670566473225
    >>> float(poisson_pmf(-1, 2.0)), float(poisson_pmf(3, 0.0))
    (0.0, 0.0)
    """
    y = np.asarray(k, dtype=float)
    m = np.asarray(mean, dtype=float)
    y, m = np.broadcast_arrays(y, m)
    out = _point(y, m)
    return out if out.ndim else float(out)


def _point(y, m):
    """P(X = y) for float arrays of whole numbers y (0 when y < 0)."""
    if y.size and float(y.min()) >= 0 and float(y.max()) < _LOADER_FROM:   # the common case
        point = special.xlogy(y, m)
        point -= m
        point -= _LOG_FACTORIAL[y.astype(np.intp)]
        return np.exp(point)
    small = y < _LOADER_FROM
    ys = np.clip(np.where(small, y, 0.0), 0.0, _LOADER_FROM - 1).astype(np.intp)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        low = np.exp(special.xlogy(ys, m) - m - _LOG_FACTORIAL[ys])
        if small.all():
            out = low
        else:
            yb = np.where(small, float(_LOADER_FROM), y)
            big = np.exp(-_stirling_error(yb) - _deviance(yb, m)) / np.sqrt(2.0 * np.pi * yb)
            big = np.where(m > 0, big, 0.0)
            out = np.where(small, low, big)
    return np.where(y < 0, 0.0, out)


def _tail_and_point(y, m):
    """``S = P(X > y)`` and ``p = P(X = y)`` for integer-valued ``y`` (``S = 1, p = 0`` if y < 0).

    One :func:`scipy.special.pdtrc` call per element (the expensive part) and a point
    probability from :func:`poisson_pmf`'s formulas.
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(m, dtype=float)
    if y.shape != m.shape and y.ndim:          # one y for all means stays a scalar: the same
        y, m = np.broadcast_arrays(y, m)       # element-wise values, without a y array
    neg = y < 0
    anyneg = bool(neg.any())
    yy = np.where(neg, 0.0, y) if anyneg else y
    surv = special.pdtrc(yy, m)
    point = _point(yy, m)
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
    pos = k >= 0                                   # P(X <= k) = 0 for k < 0
    if pos.all():                                  # the usual case: no gather and scatter
        c = np.asarray(special.pdtr(k, m), dtype=float)
    else:
        c = np.zeros(k.shape)
        at = np.flatnonzero(pos)
        c.reshape(-1)[at] = special.pdtr(k.reshape(-1)[at], m.reshape(-1)[at])
    return c if c.ndim else float(c)


def poisson_loss(y, mean):
    """First-order Poisson loss ``G1(y) = E[(X - y)^+]``, ``X ~ Poisson(mean)``.

    Expected backorders of a base-stock level ``y`` (the "exact" wait of docs/model.md section 3.1 is
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


def poisson_left_second_loss(y, mean):
    """Second-order left loss ``H2(y) = sum_{k <= y} E[(k - X)^+] = E[(y - X)(y + 1 - X); X <= y] / 2``.

    Closed form (the mirror image of :func:`poisson_second_loss`, with ``F = P(X <= y)``):
    ``H2(y) = ((y - m)^2 + y) F / 2 + m (y - m) P(X = y) / 2``; exactly 0 for ``y <= 0``.
    It gives the (s,Q) on-hand stock as ``(H2(s + Q) - H2(s)) / Q`` (docs/model.md section
    3.2, thesis Eq. 22, 25) without the cancellation of ``E[BO] + s + (Q + 1)/2 - u``.

    Examples
    --------
    ``H2(1) = E[(1 - X)^+] = P(X = 0)``:

    >>> round(float(poisson_left_second_loss(1, 2.0)), 15) == round(float(np.exp(-2.0)), 15)
    True
    >>> float(poisson_left_second_loss(0, 2.0)), float(poisson_left_second_loss(-4, 2.0))
    (0.0, 0.0)
    """
    y = np.asarray(y, dtype=float)
    m = np.asarray(mean, dtype=float)
    y, m = np.broadcast_arrays(y, m)
    pos = y > 0
    yy = np.where(pos, y, 1.0)
    cdf = special.pdtr(yy, m)
    point = _point(yy, m)
    d = yy - m
    g = 0.5 * ((d * d + yy) * cdf + m * d * point)
    g = np.where(pos, np.maximum(g, 0.0), 0.0)
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
    >>> accepted_quantity(60.0, 0.999)      # docs/model.md section 8
    85
    """
    n = np.asarray(total_demand, dtype=float)
    c = np.asarray(confidence, dtype=float)
    n, c = np.broadcast_arrays(n, c)
    shape = n.shape
    n, c = n.reshape(-1), c.reshape(-1)
    # Start from the Cornish-Fisher expansion of the Poisson quantile with the continuity
    # correction (cheap; within a part or two of the answer, most often on it), then step to
    # the exact definition of Eq. 31: the smallest whole k with P(X <= k) >= confidence. The
    # CDF increases with k, so that k is one number whatever the start; SKUs still stepping
    # after a few steps restart from the continuous inverse of the CDF
    # (scipy.special.pdtrik), as do those without a finite start. A step reuses the CDF it
    # already has (moving up, P(X <= k - 1) is the last P(X <= k); moving down, the reverse),
    # so each further step costs one CDF per SKU still moving.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # one confidence for all SKUs (a broadcast value): its normal quantile once
        z = special.ndtri(c[:1] if c.size and not any(c.strides) else c)
        k = np.ceil(n + z * np.sqrt(n) + (z * z - 1.0) / 6.0 - 0.5)
    k = np.maximum(k, 0.0)
    bad = ~np.isfinite(k)
    if bad.any():
        k[bad] = _pdtrik_start(n[bad], c[bad])
    todo = np.arange(n.size)
    below = at = None                          # P(X <= k - 1), P(X <= k) of the SKUs todo
    for steps in range(72):                    # one or two steps in practice
        kk, nn, cc = k[todo], n[todo], c[todo]
        if steps == 8:                         # a poor start: from the continuous inverse
            kk = _pdtrik_start(nn, cc)
            k[todo] = kk
            below = at = None
        if below is None:
            below = np.asarray(poisson_cdf(kk - 1, nn), dtype=float)
            at = np.asarray(poisson_cdf(kk, nn), dtype=float)
        too_high = (kk > 0) & (below >= cc)
        too_low = at < cc
        move = too_high | too_low
        if not move.any():
            break
        k[todo] = np.where(too_high, kk - 1, np.where(too_low, kk + 1, kk))
        todo, up = todo[move], ~too_high[move]
        kept = np.where(up, at[move], below[move])     # the CDF the new k already has
        new = np.asarray(poisson_cdf(np.where(up, kk[move] + 1, kk[move] - 2), nn[move]), dtype=float)
        below, at = np.where(up, kept, new), np.where(up, new, kept)
    k = k.astype(np.int64).reshape(shape)
    return k if k.ndim else int(k)


def _pdtrik_start(n, c):
    """``ceil`` of the continuous inverse of the Poisson CDF (0 where not finite)."""
    with np.errstate(invalid="ignore"):
        k = np.ceil(special.pdtrik(c, n))
    return np.where(np.isfinite(k), np.maximum(k, 0.0), 0.0)


def smallest_integer_where(holds, lo, hi, *, subset=False):
    """Smallest whole number ``x`` in ``[lo, hi]`` with ``holds(x)``, element by element.

    A vectorised bisection for a predicate that is false below some point and true from it on
    (a monotone condition such as "the on-time rate reaches the target"); ``holds(hi)`` must be
    true. ``lo`` and ``hi`` are float arrays of whole numbers; ``holds`` takes and returns arrays
    of their shape. Costs ``log2(hi - lo)`` calls of ``holds`` for all elements together.

    With ``subset=True`` ``holds(x, k)`` is asked only about the elements whose interval is
    still open: ``x[i]`` is a candidate for element ``k[i]`` (flat indices). Each element
    sees the same candidates either way, so the result is the same; the work shrinks as
    intervals close.

    >>> smallest_integer_where(lambda x: x * x >= 50, np.array([0.0, 8.0]), np.array([100.0, 100.0]))
    array([8., 8.])
    >>> smallest_integer_where(lambda x, k: x * x >= 50 + k, np.array([0.0, 8.0]),
    ...                        np.array([100.0, 100.0]), subset=True)
    array([8., 8.])
    """
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    if subset:
        shape = lo.shape
        lo, hi = lo.reshape(-1), hi.reshape(-1)
        k = np.flatnonzero(lo < hi)
        while k.size:
            a, b = lo[k], hi[k]
            mid = np.floor((a + b) / 2.0)
            ok = np.asarray(holds(mid, k), dtype=bool)
            hi[k] = np.where(ok, mid, b)
            lo[k] = np.where(ok, a, mid + 1.0)
            k = k[lo[k] < hi[k]]
        return lo.reshape(shape)
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = np.floor((lo + hi) / 2.0)
        ok = np.asarray(holds(mid), dtype=bool)
        hi = np.where(open_ & ok, mid, hi)
        lo = np.where(open_ & ~ok, mid + 1.0, lo)
