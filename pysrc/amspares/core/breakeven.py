"""Root finding on the model: where two methods' totals (or impacts) are equal.

:func:`find_crossings` finds every crossing of ``lhs(x)`` and ``rhs(x)`` in a range: the
model is evaluated on a grid, the grid is refined where the difference comes close to
zero without changing sign (so that a pair of crossings between two grid points is not
missed), every sign change is bracketed and refined with :func:`scipy.optimize.brentq`
on the continuous model (or, where the model exists only at whole numbers, by bisection
on whole numbers). :func:`find_breakeven` reports them as a :class:`BreakEven`: the
headline value (the smallest crossing), which method is lower (cheaper, greener) on each
side of it, and every crossing with its sides, so that a sentence about it can be right
in both directions (docs/model.md, the case-study run). Pure numpy/scipy, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

REL_TOL = 1e-9          # both sides of a reported break-even agree to this (relative)
REFINE_ROUNDS = 5       # rounds of grid refinement where crossings may hide
REFINE_POINTS = 16      # points added inside each interval refined
REFINE_MAX = 4096       # at most this many points added per round
BRENTQ_MAX = 4          # up to this many brackets: scipy's brentq each; more: all at once


@dataclass(frozen=True)
class Crossing:
    """One crossing of the two sides at ``value``: ``below`` is the lower side just
    below it, ``above`` the lower one just above it; ``jump`` marks a discontinuity or a
    whole-number crossing (``reason`` says which)."""

    value: float
    below: str | None
    above: str | None
    jump: bool = False
    reason: str = ""


@dataclass(frozen=True)
class BreakEven:
    """A break-even of a swept quantity x between two methods.

    ``value`` is the x where both are equal (None when they do not cross in range);
    ``below`` is the method that is lower (cheaper or greener) just below ``value`` and
    ``above`` the one lower just above it. Without a crossing, ``below`` and ``above``
    are both the method that is lower throughout (None where unknown or not applicable).
    ``reason`` is the root finder's note (a jump, a whole-number crossing); ``jump`` marks a
    value where the model jumps across equality (a discontinuity, not a root). ``why``
    names, for the situation that asked, why there is no value (or a note about it) and
    ``facts`` holds its numbers; :func:`amspares.wording.reason_text` words both.
    ``crossings`` lists every crossing in range (:class:`Crossing`), smallest first;
    ``value`` is one of them (the smallest unless the situation defines another).
    """

    value: float | None
    reason: str = ""
    jump: bool = False
    below: str | None = None
    above: str | None = None
    why: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    crossings: tuple = ()


def _diff(sides, x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return np.empty(0)
    lhs, rhs = sides(x)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.asarray(lhs, dtype=float) - np.asarray(rhs, dtype=float)
    return np.broadcast_to(d, x.shape).astype(float)


def _refine(sides, g: np.ndarray, d: np.ndarray, discrete_below: float):
    """Refine the grid where crossings may hide: every interval with a sign change (it
    may hold three crossings, or a jump and a root); both intervals around every
    near-miss of zero (an interior grid point where ``|d|`` is a local minimum, its
    neighbours have the same sign, and ``|d|`` is no larger than twice the change of ``d``
    to a neighbour, so ``d`` may reach zero in between); and every interval whose slope
    differs from a neighbour's by so much that ``d`` could reach zero within it (``min |d|
    <= 2 x width x slope change``: a kink or a jump of a sawtooth). Each round splits those intervals
    into :data:`REFINE_POINTS` + 1 parts; nothing is refined at or below ``discrete_below``."""
    for _ in range(REFINE_ROUNDS):
        if g.size < 2:
            break
        fin = np.isfinite(d)
        w = g[1:] - g[:-1]
        wide = w > 1e-9 * np.maximum(np.abs(g[1:]), 1.0)
        # score of each interval: 0 with a sign change, else how far d stays from zero
        # relative to what its curvature or jump allows (<= 1: d may reach zero inside)
        score = np.full(w.shape, np.inf)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            change = fin[:-1] & fin[1:] & (np.sign(d[:-1]) * np.sign(d[1:]) < 0)
            score[change] = 0.0
            if g.size >= 3:
                a, m, b = d[:-2], d[1:-1], d[2:]
                near = (fin[:-2] & fin[1:-1] & fin[2:]
                        & (np.sign(a) == np.sign(m)) & (np.sign(b) == np.sign(m)) & (m != 0)
                        & (np.abs(m) <= np.abs(a)) & (np.abs(m) <= np.abs(b)))
                r = np.where(near, np.abs(m) / (2.0 * np.maximum(np.abs(a - m), np.abs(b - m))), np.inf)
                score[:-1] = np.minimum(score[:-1], r)
                score[1:] = np.minimum(score[1:], r)
                # a kink or a jump: an interval whose slope differs from a neighbour's so
                # much that, over its width, the difference could reach zero (Taylor bound)
                sl = (d[1:] - d[:-1]) / w
                dev = np.zeros(sl.shape)
                dev[1:] = np.abs(sl[1:] - sl[:-1])
                dev[:-1] = np.maximum(dev[:-1], np.abs(sl[:-1] - sl[1:]))
                k = np.minimum(np.abs(d[:-1]), np.abs(d[1:])) / (2.0 * w * dev)
                score = np.minimum(score, np.where(fin[:-1] & fin[1:], k, np.inf))
        score[~wide | (g[:-1] < discrete_below) | ~np.isfinite(score)] = np.inf
        cand = np.flatnonzero(score <= 1.0)
        idx = np.sort(cand[np.argsort(score[cand], kind="stable")][:REFINE_MAX // REFINE_POINTS])
        if idx.size == 0:
            break
        t = np.linspace(0.0, 1.0, REFINE_POINTS + 2)[1:-1]
        lo, hi = g[idx], g[idx + 1]
        new = (lo[:, None] + (hi - lo)[:, None] * t[None, :]).ravel()
        new = np.setdiff1d(np.unique(new), g)
        if new.size == 0:
            break
        dn = _diff(sides, new)
        g = np.concatenate([g, new])
        d = np.concatenate([d, dn])
        order = np.argsort(g, kind="stable")
        g, d = g[order], d[order]
    return g, d


def _xtol(a, b):
    return 1e-15 * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


def solve_brackets(sides, a, b, da, db, maxiter: int = 200) -> np.ndarray:
    """Roots of ``lhs - rhs`` in many brackets ``[a, b]`` at once (``da``, ``db`` the
    differences at the ends, of opposite signs): the Illinois variant of regula falsi,
    every third step a bisection, each step one vectorised model call for all brackets
    still wider than ``1e-15 * max(1, |a|, |b|)``. A jump across equality converges to the
    jump point. Used instead of one :func:`scipy.optimize.brentq` per bracket when there are
    many brackets (each brentq step would be a model call of its own).

    >>> x = solve_brackets(lambda x: (x ** 3, np.full_like(x, 2.0)), np.array([0.0, -3.0]),
    ...                    np.array([2.0, 0.0]), np.array([-2.0, -29.0]), np.array([6.0, -2.0]))
    >>> round(float(x[0]), 12)
    1.25992104989
    """
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    fa, fb = np.array(da, dtype=float), np.array(db, dtype=float)
    ta, tb = fa.copy(), fb.copy()               # true values (fa, fb are Illinois-scaled)
    last = np.zeros(a.shape, dtype=int)         # which end the last step replaced: -1 a, +1 b
    ok = np.sign(fa) * np.sign(fb) < 0
    for it in range(maxiter):
        act = ok & ((b - a) > _xtol(a, b))
        if not act.any():
            break
        i = np.flatnonzero(act)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = b[i] - fb[i] * (b[i] - a[i]) / (fb[i] - fa[i])
        mid = 0.5 * (a[i] + b[i])
        bad = ~np.isfinite(x) | (x <= a[i]) | (x >= b[i]) | (it % 3 == 2)
        x = np.where(bad, mid, x)
        fx = _diff(sides, x)
        zero = fx == 0.0
        same_a = (np.sign(fx) == np.sign(fa[i])) & ~zero
        same_b = (np.sign(fx) == np.sign(fb[i])) & ~zero
        lost = ~np.isfinite(fx)
        ia, ib = i[same_a], i[same_b]
        # replace a: if a was also replaced last time, halve f(b) (Illinois)
        fb[ia[last[ia] == -1]] *= 0.5
        fa[ib[last[ib] == 1]] *= 0.5
        a[ia], fa[ia], ta[ia], last[ia] = x[same_a], fx[same_a], fx[same_a], -1
        b[ib], fb[ib], tb[ib], last[ib] = x[same_b], fx[same_b], fx[same_b], 1
        iz = i[zero]
        a[iz] = b[iz] = x[zero]
        ta[iz] = tb[iz] = 0.0
        ok[i[lost]] = False                       # no finite value inside: stop there
        a[i[lost]] = b[i[lost]] = x[lost]
    return np.where(np.abs(ta) <= np.abs(tb), a, b)


def find_crossings(sides: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], grid,
                   *, names: Sequence[str] = ("lhs", "rhs"),
                   discrete_below: float = -math.inf) -> list[Crossing]:
    """Every x in ``grid``'s span where ``lhs(x) - rhs(x)`` changes sign, smallest first.

    ``sides(x)`` evaluates the model at an array of x and returns ``(lhs, rhs)``;
    ``names`` names the two sides (the lower one wins a side). The model is evaluated at
    every grid point, and the grid refined where the difference nearly touches zero
    (:data:`REFINE_ROUNDS` rounds); each sign change is then refined with
    :func:`scipy.optimize.brentq` on the continuous model. If the two sides still differ by
    more than 1e-9 (relative) at the limit, the model jumps across equality there: the
    jump point is a crossing with ``jump=True``. Where the model is defined only at whole
    numbers (x <= ``discrete_below``), the bracket is narrowed by bisection on whole
    numbers to two neighbours ``k - 1, k`` and ``k`` is the crossing (a jump). Grid
    points where the model is not finite split the range: no crossing is reported across
    them.

    Examples
    --------
    A parabola just dipping below a level crosses it twice between two grid points; the
    refinement around the near-miss at 1.5 finds both:

    >>> cs = find_crossings(lambda x: ((x - 2.0) ** 2, np.full_like(x, 0.01)), [0.0, 1.5, 4.0],
    ...                     names=("parabola", "level"))
    >>> [(round(c.value, 12), c.below, c.above, c.jump) for c in cs]
    [(1.9, 'level', 'parabola', False), (2.1, 'parabola', 'level', False)]
    >>> [c.value for c in find_crossings(lambda x: (np.floor(x), np.full_like(x, 2.5)), [0.0, 9.0],
    ...                                   discrete_below=9.0)]
    [3.0]
    """
    g = np.unique(np.asarray(grid, dtype=float))
    g = g[np.isfinite(g)]
    d = _diff(sides, g)
    g, d = _refine(sides, g, d, discrete_below)

    def lower(diff: float) -> str | None:
        return names[0] if diff < 0 else names[1] if diff > 0 else None

    def f(x):
        return float(_diff(sides, np.array([x]))[0])

    out: list[Crossing] = []
    pending = []                              # (a, b, da, db, who) to refine
    whole = []                                # (ka, kb, da, who) on whole numbers
    prev = None                               # index of the last finite non-zero point
    for i in range(g.size):
        if not np.isfinite(d[i]):
            prev = None
            continue
        if d[i] == 0.0:
            continue
        if prev is not None and np.sign(d[prev]) != np.sign(d[i]):
            a, b = float(g[prev]), float(g[i])
            who = dict(below=lower(d[prev]), above=lower(d[i]))
            zero = np.flatnonzero(d[prev + 1:i] == 0.0)
            if zero.size:                     # an exact zero on the grid
                out.append(Crossing(float(g[prev + 1 + zero[0]]), **who))
            elif b <= discrete_below:
                whole.append((math.floor(a), math.ceil(b), float(d[prev]), who))
            else:
                pending.append((a, b, float(d[prev]), float(d[i]), who))
        prev = i
    if whole:                                 # bisection on whole numbers, all at once
        ka, kb = (np.array([w[j] for w in whole], dtype=float) for j in range(2))
        da = np.array([w[2] for w in whole])
        live = np.ones(ka.shape, dtype=bool)
        while True:
            act = np.flatnonzero(live & (kb - ka > 1))
            if act.size == 0:
                break
            mid = np.floor(0.5 * (ka[act] + kb[act]))
            dm = _diff(sides, mid)
            stop = ~np.isfinite(dm) | (dm == 0.0)
            live[act[stop]] = False
            same = ~stop & (np.sign(dm) == np.sign(da[act]))
            other = ~stop & ~same
            ka[act[same]] = mid[same]
            kb[act[other]] = mid[other]
        for lo_k, hi_k, (_, _, _, who) in zip(ka, kb, whole):
            out.append(Crossing(float(hi_k), jump=True, reason=(
                f"defined only at whole numbers here: equality is crossed between {lo_k:g} and {hi_k:g}"),
                **who))
    if pending:
        if len(pending) <= BRENTQ_MAX:
            from scipy.optimize import brentq     # here: amspares evaluate never needs scipy.optimize

            xs = np.array([brentq(f, a, b, xtol=1e-15 * max(1.0, abs(a), abs(b)),
                                  rtol=4 * np.finfo(float).eps, maxiter=500)
                           for a, b, _, _, _ in pending])
        else:
            a, b, da, db = (np.array([q[j] for q in pending]) for j in range(4))
            xs = solve_brackets(sides, a, b, da, db)
        lo, hi = (np.broadcast_to(np.asarray(v, dtype=float), xs.shape) for v in sides(xs))
        for x, l, h, (_, _, _, _, who) in zip(xs, lo, hi, pending):
            if abs(l - h) <= REL_TOL * max(abs(l), abs(h), 1e-300):
                out.append(Crossing(float(x), **who))
            else:
                out.append(Crossing(float(x), jump=True, reason=(
                    f"the model jumps across equality at {x:.10g} ({l:.6g} vs {h:.6g} there): "
                    f"a discontinuity, not a root"), **who))
    out.sort(key=lambda c: c.value)
    return out


def find_breakeven(sides: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], grid,
                   *, names: Sequence[str] = ("lhs", "rhs"),
                   discrete_below: float = -math.inf, headline: str = "first") -> BreakEven:
    """The crossings of ``lhs`` and ``rhs`` on ``grid``'s span (:func:`find_crossings`),
    as a :class:`BreakEven` whose value is the smallest crossing (``headline="last"``:
    the largest).

    Examples
    --------
    >>> be = find_breakeven(lambda x: (x ** 2, np.full_like(x, 2.0)), [0.0, 1.0, 2.0],
    ...                     names=("square", "two"))
    >>> round(be.value, 12), be.jump, be.below, be.above
    (1.414213562373, False, 'square', 'two')
    >>> find_breakeven(lambda x: (np.floor(x), np.full_like(x, 1.5)), [0.0, 4.0]).jump
    True
    >>> none = find_breakeven(lambda x: (x, x - 1.0), [0.0, 4.0], names=("a", "b"))
    >>> none.value is None, none.below, none.above
    (True, 'b', 'b')
    >>> two = find_breakeven(lambda x: ((x - 2.0) ** 2, np.ones_like(x)), [0.0, 2.0, 4.0], names=("p", "one"))
    >>> [round(c.value, 12) for c in two.crossings], two.value, two.below, two.above
    ([1.0, 3.0], 1.0, 'one', 'p')
    """
    cs = find_crossings(sides, grid, names=names, discrete_below=discrete_below)
    if not cs:
        g = np.unique(np.asarray(grid, dtype=float))
        d = _diff(sides, g[np.isfinite(g)][:64])
        finite = d[np.isfinite(d) & (d != 0)]
        winner = (names[0] if finite[0] < 0 else names[1]) if finite.size else None
        return BreakEven(None, "", below=winner, above=winner)
    c = cs[0] if headline == "first" else cs[-1]
    return BreakEven(c.value, c.reason, jump=c.jump, below=c.below, above=c.above, crossings=tuple(cs))


def order_price_breakeven(price: float, order_total: float, rival_total: float, n: float) -> float:
    """The price of a make-to-order method at which it costs as much as a rival method.

    A make-to-order total is linear in its price with slope ``n`` (docs/model.md section 3.3,
    thesis Eq. 10: CP = n cp; nothing else in it depends on cp), so the two totals are equal at
    ``cp + (TC_rival - TC_order) / n``. The rival's total does not depend on the order
    method's price, so this is exact (no root finder needed). A negative value means the
    order method costs more than the rival even when printing is free.

    Examples
    --------
    The case study: AM MTO 10,800 EUR at 175 EUR/part against regular's optimum 1,735.7055
    EUR over n = 60 parts: 175 + (1735.7055 - 10800) / 60

    >>> round(order_price_breakeven(175.0, 10800.0, 1735.7055, 60.0), 6)
    23.928425
    """
    return float(price) + (float(rival_total) - float(order_total)) / float(n)
