"""The price and minimum order quantity to negotiate, per SKU (docs/model.md section 5.1).

* :func:`price_to_win`: for each order method (print on demand), the price per part at
  which it costs exactly as much as the cheapest *other* method: below it, printing to
  order wins. Make to order is linear in its price with slope ``n = lambda T`` (thesis
  Eq. 1), so this is the closed form of
  :func:`amspares.core.made_to_order_breakeven_price`, written as
  ``cp* = cp + (TC_target - TC_mto(cp)) / n`` so that every other term of the order
  method's cost is taken from the same evaluation.
* :func:`moq_to_win`: for a stock method with a minimum order quantity, the whole moq at
  which its cost reaches the best order method's: from this moq on, printing to order is
  cheaper. Found by bisection on whole moq over the model (each step one vectorised
  evaluation of all SKUs).
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np

from amspares.core.evaluate import Evaluation, evaluate
from amspares.core.params import METHOD_FIELDS, ModelParams

MOQ_SEARCH_TOP = 1_000_000_000      # the largest moq a scenario accepts


def price_to_win(ev: Evaluation, params: ModelParams) -> dict[str, np.ndarray]:
    """Per order method: the price at which it ties the cheapest other method (NaN when
    ``n = 0`` or there is no other method; may be negative: no price makes it win).

    >>> from amspares.binding import bind
    >>> from amspares.scenario import load_scenario
    >>> p = bind(load_scenario())
    >>> round(float(price_to_win(evaluate(p, advice=False), p)["am_mto"][0]), 4)  # docs/model.md section 8
    23.9284
    """
    size = ev.n.size
    totals = {m: np.asarray(r.total_cost, dtype=float) for m, r in ev.methods.items()}
    out = {}
    for m, mp in params.methods.items():
        if mp.kind != "order":
            continue
        others = [t for o, t in totals.items() if o != m]
        if not others:
            out[m] = np.full(size, np.nan)
            continue
        target = np.min(np.vstack(others), axis=0)
        price = np.broadcast_to(np.asarray(mp.price, dtype=float), (size,))
        n = ev.n
        with np.errstate(divide="ignore", invalid="ignore"):
            out[m] = np.where(n > 0, price + (target - totals[m]) / np.where(n > 0, n, 1.0), np.nan)
    return out


def moq_to_win(ev: Evaluation, params: ModelParams, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per stock method: the smallest whole moq at which it costs at least as much as the
    best order method (from there on printing to order wins), for the SKUs where the
    method's moq is > 1 (and ``mask``); NaN elsewhere, and where no moq up to
    :data:`MOQ_SEARCH_TOP` (or none at all: printing wins already at moq = 1) changes the
    winner between the two.

    Bisection on whole moq assumes the cost rises with the moq; below ``accepted_q`` the
    billed quantity ``ceil(n/Q) Q`` saw-tooths, and the moq found is then one crossing.

    >>> from amspares.binding import bind, with_inputs
    >>> from amspares.scenario import load_scenario
    >>> p = with_inputs(bind(load_scenario()), {"methods.regular.moq": 50})
    >>> q = int(moq_to_win(evaluate(p, advice=False), p)["regular"][0])
    >>> def cost(moq):
    ...     e = evaluate(with_inputs(p, {"methods.regular.moq": moq}), advice=False)
    ...     return float(e.methods["regular"].total_cost[0]), float(e.methods["am_mto"].total_cost[0])
    >>> (lambda a, b: a[0] < a[1] and b[0] >= b[1])(cost(q - 1), cost(q))
    True
    """
    size = ev.n.size
    orders = [m for m, mp in params.methods.items() if mp.kind == "order"]
    out: dict[str, np.ndarray] = {}
    stocks = [m for m, mp in params.methods.items() if mp.kind == "stock"]
    if not orders:
        return {m: np.full(size, np.nan) for m in stocks}
    target = np.min(np.vstack([np.asarray(ev.methods[m].total_cost, dtype=float) for m in orders]), axis=0)
    for m in stocks:
        res = np.full(size, np.nan)
        moq = np.broadcast_to(np.asarray(params.methods[m].moq, dtype=float), (size,)).astype(np.int64)
        live = (moq > 1) & (ev.n > 0)
        if mask is not None:
            live &= mask
        idx = np.flatnonzero(live)
        if idx.size:
            one = replace(params, methods={m: params.methods[m]})
            res[idx] = _bisect_moq(one, m, idx, target[idx], size)
        out[m] = res
    return out


def _take(params: ModelParams, idx: np.ndarray, size: int) -> ModelParams:
    """The SKUs ``idx`` of ``params`` (array fields of length ``size`` are indexed)."""
    def pick(v):
        return v[idx] if isinstance(v, np.ndarray) and v.ndim and v.size == size else v

    top = {f.name: pick(getattr(params, f.name)) for f in fields(params) if f.name != "methods"}
    methods = {m: replace(mp, **{f: pick(getattr(mp, f)) for f in METHOD_FIELDS})
               for m, mp in params.methods.items()}
    return replace(params, methods=methods, **top)


def _cost_at(params: ModelParams, method: str, idx: np.ndarray, moq: np.ndarray, size: int) -> np.ndarray:
    sub = _take(params, idx, size).with_method(method, moq=moq.astype(float))
    return np.asarray(evaluate(sub, advice=False).methods[method].total_cost, dtype=float)
def _bisect_moq(inputs: ModelParams, method: str, idx: np.ndarray, target: np.ndarray, size: int) -> np.ndarray:
    lo = np.ones(idx.size, dtype=np.int64)               # cost(lo) < target (checked)
    at_one = _cost_at(inputs, method, idx, lo, size)
    found = at_one < target
    hi = np.full(idx.size, 2, dtype=np.int64)
    # grow hi until cost(hi) >= target (or the top is reached)
    active = found.copy()
    while active.any():
        c = _cost_at(inputs, method, idx[active], hi[active], size)
        reached = c >= target[active]
        grow = np.flatnonzero(active)[~reached]
        stop = hi[grow] >= MOQ_SEARCH_TOP
        found[grow[stop]] = False
        hi[grow[~stop]] = np.minimum(hi[grow[~stop]] * 4, MOQ_SEARCH_TOP)
        lo[grow[~stop]] = hi[grow[~stop]] // 4
        active[:] = False
        active[grow[~stop]] = True
    # invariant: cost(lo) < target <= cost(hi)
    todo = found & (hi - lo > 1)
    while todo.any():
        t = np.flatnonzero(todo)
        mid = (lo[t] + hi[t]) // 2
        c = _cost_at(inputs, method, idx[t], mid, size)
        up = c >= target[t]
        hi[t[up]] = mid[up]
        lo[t[~up]] = mid[~up]
        todo = found & (hi - lo > 1)
    return np.where(found, hi.astype(float), np.nan)
