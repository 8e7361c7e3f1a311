"""Erlang B and Erlang C (thesis Eq. 5) by the numerically stable Erlang B recursion.

No factorials and no powers: ``B_0 = 1``, ``B_k = u B_{k-1} / (k + u B_{k-1})`` keeps every
intermediate value in [0, 1], so the result stays accurate to about 1e-13 relative for
S up to 10^5 and beyond (verified against mpmath in ``tests/test_erlang.py``).

The recursion costs S steps. For a stable queue with many servers (``S > u`` and
``S >= 64``) the same value comes in one step from its Poisson form
``B(S, u) = P(X = S) / P(X <= S)``, ``X ~ Poisson(u)`` (the definition
``(u^S/S!) / sum_{k<=S} u^k/k!`` with ``e^-u`` cancelled), with ``P(X = S)`` from Loader's
saddle-point formula and ``P(X <= S)`` from :func:`scipy.special.pdtr` (>= 1/2 there, so no
cancellation): the optimal base stock of a lead-time demand of 10^6 parts costs the same as
one of 10 (docs/model.md section 3.1).
"""

from __future__ import annotations

import numpy as np
from amspares.core.scipy_special import special

from amspares.core.poisson import _point

_CLOSED_FROM = 64     # S from which a stable queue uses the one-step Poisson form


def _as_servers(servers) -> np.ndarray:
    s = np.asarray(servers)
    if s.dtype.kind == "f":
        if not np.all(np.isfinite(s)) or np.any(s != np.floor(s)):
            raise ValueError("servers (S) must be whole numbers")
        s = s.astype(np.int64)
    elif s.dtype.kind not in "iu":
        raise TypeError("servers (S) must be integers")
    if np.any(s < 0):
        raise ValueError("servers (S) must be >= 0")
    return s


def erlang_b(servers, offered_load):
    """Erlang B blocking probability ``B(S, u)`` of an M/M/S/S loss system.

    Computed by the recursion ``B_0 = 1``, ``B_k = u B_{k-1} / (k + u B_{k-1})``, vectorised
    over any broadcastable ``servers`` and ``offered_load``.

    Parameters
    ----------
    servers : int or array_like of int
        Number of servers ``S >= 0`` (in the thesis: the base stock level).
    offered_load : float or array_like
        Offered load ``u = lambda * L >= 0`` (expected demand during the lead time).

    Returns
    -------
    float or ndarray
        ``B(S, u)`` in [0, 1].

    Examples
    --------
    >>> round(float(erlang_b(2, 1.0)), 12)   # (1/2) / (1 + 1 + 1/2) = 0.2
    0.2
    """
    s = _as_servers(servers)
    u = np.asarray(offered_load, dtype=float)
    if np.any(u < 0) or np.any(np.isnan(u)):
        raise ValueError("offered_load (u) must be >= 0")
    s, u = np.broadcast_arrays(s, u)
    closed = (s >= _CLOSED_FROM) & (s > u)
    if closed.any():
        b = np.empty(s.shape, dtype=float)
        b[closed] = _erlang_b_closed(s[closed].astype(float), u[closed])
        rest = ~closed
        if rest.any():
            b[rest] = np.atleast_1d(erlang_b(s[rest], u[rest]))
        return b if b.ndim else float(b)
    b = np.ones(s.shape, dtype=float)
    kmax = int(s.max(initial=0))
    if s.size == 1:  # scalar fast path: plain floats are ~20x faster than 0-d arrays
        bb, uu = 1.0, float(u.reshape(-1)[0])
        for k in range(1, kmax + 1):
            ub = uu * bb
            bb = ub / (k + ub)
        b = np.full(s.shape, bb)
    else:
        b = _erlang_b_many(s.ravel(), u.ravel()).reshape(s.shape)
    return b if b.ndim else float(b)


def _erlang_b_closed(s, u):
    """``B(S, u) = P(X = S) / P(X <= S)`` for ``S > u`` (one step; see the module docstring)."""
    return _point(s, u) / special.pdtr(s, u)


def _erlang_b_many(s: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The recursion for many (S, u) pairs at once.

    The pairs are ordered by decreasing S (a stable radix sort on small integers), so
    the pairs still stepping at step k are a prefix of the arrays: each step works on a
    contiguous slice, with no masks, and every pair keeps ``B_S`` once its steps end.
    """
    n = s.size
    smax = int(s.max(initial=0))
    if smax == 0:
        return np.ones(n)
    key = smax - s
    key = key.astype(np.uint16) if smax < 2**16 else key.astype(np.uint32)
    order = np.argsort(key, kind="stable")
    ws = s[order]
    wu = u[order]
    wb = np.ones(n)
    ub = np.empty(n)
    # live[k] = number of pairs with S >= k (a prefix, S decreasing)
    live = n - np.searchsorted(ws[::-1], np.arange(smax + 1), side="left")
    for k in range(1, smax + 1):
        m = int(live[k])
        x, b = ub[:m], wb[:m]
        np.multiply(wu[:m], b, out=x)      # u B_{k-1}
        np.add(x, k, out=b)
        np.divide(x, b, out=b)             # B_k = u B_{k-1} / (k + u B_{k-1})
    out = np.empty(n)
    out[order] = wb
    return out


def erlang_c(servers, offered_load):
    """Erlang C: probability that a demand has to wait in an M/M/S queue (thesis Eq. 5).

    ``Ec(S, u) = S B / (S - u (1 - B))`` with ``B = B(S, u)`` from :func:`erlang_b`.
    When ``S <= u`` the queue is unstable and every demand waits: the result is 1
    (docs/model.md section 7). ``S = 0`` also gives 1.

    Parameters
    ----------
    servers : int or array_like of int
        Base stock level ``S >= 0`` (the number of "servers").
    offered_load : float or array_like
        ``u = lambda * L``, expected demand during the replenishment lead time.

    Returns
    -------
    float or ndarray
        Probability of waiting, in [0, 1].

    Examples
    --------
    The case study (docs/model.md section 8): S = 5, lambda = 2 per year, L = 86 days.

    >>> round(float(erlang_c(5, 2 * 86 / 365)), 14)
    0.00013345406250
    """
    s = _as_servers(servers)
    u = np.asarray(offered_load, dtype=float)
    b = np.asarray(erlang_b(s, u), dtype=float)
    s, u, b = np.broadcast_arrays(s, u, b)
    stable = s > u
    with np.errstate(divide="ignore", invalid="ignore"):
        ec = np.where(stable, s * b / (s - u * (1.0 - b)), 1.0)
    return ec if ec.ndim else float(ec)
