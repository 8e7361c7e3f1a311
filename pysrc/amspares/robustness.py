"""How sure is a decision whose demand rate was estimated from history? (``docs/demand.md``)

The core (:mod:`amspares.core.demand`) estimates the rate with its exact interval, classes
the demand and root-finds where a cost difference changes sign; this module joins that to
the model. The decision is the cheapest method (``docs/model.md``); as a function of the
rate ``r`` it flips where

    d(r) = cost of the method cheapest at the estimate - cost of the cheapest other method

changes sign, ``d(r) = TC_m(r) - min_{k != m} TC_k(r)`` (so a third method overtaking is a
flip too). Every evaluation of ``d`` is :func:`amspares.core.evaluate.evaluate` on the
scenario's parameters with only ``demand.rate_per_year`` changed (a whole grid of rates in
one vectorised call); the crossings are root-found with :func:`scipy.optimize.brentq`
(:func:`amspares.core.demand.decision_robustness`), never read off the grid.

* :func:`assess_demand`: one history (with or without a scenario): the estimate, class,
  phase-out test and, with a scenario, the decision's robustness.
* :func:`assess_many`: many SKUs' histories against one base scenario, vectorised: the
  flips of every method are found once (the base scenario is the same for all SKUs, only
  the rate differs), then each SKU is placed against them.
* :func:`demand_dict`: the JSON-ready ``demand`` object of ``amspares evaluate --json``.

Conventions (stated in ``docs/demand.md``): the rate's search range for flips is
``[0, max(SEARCH_FACTOR * upper, MIN_SEARCH)]``; at a rate of exactly 0 every method costs
its fixed part only, so an end of the interval at 0 (no demand observed) is read at
``RATE_FLOOR * upper`` instead; the phase-out test compares the last year
(``round(periods_per_year)`` periods) with the earlier history, counting periods with
demand rather than units when demand comes in batches (over-dispersed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from amspares.binding import bind, with_inputs
from amspares.core import demand as dm
from amspares.core.evaluate import evaluate
from amspares.core.params import ModelParams

#: The flip search reaches this many times the interval's upper end ...
SEARCH_FACTOR = 10.0
#: ... and at least this rate (parts/year).
MIN_SEARCH = 1.0
#: An interval end (or estimate) of 0 is read at this share of the upper end.
RATE_FLOOR = 1e-9
#: Significance of the phase-out and over-dispersion tests.
SIGNIFICANCE = 0.05


# --------------------------------------------------------------------------- model side


def method_costs(params: ModelParams, rates) -> tuple[tuple[str, ...], np.ndarray]:
    """Total cost of every method at each rate: ``(names, costs)``, costs methods x rates.

    One vectorised :func:`~amspares.core.evaluate.evaluate` call on ``params`` with only
    ``demand.rate_per_year`` replaced (``params`` must describe one scenario, size 1).

    >>> from amspares.scenario import load_scenario
    >>> names, c = method_costs(bind(load_scenario()), [2.0])
    >>> names, round(float(c[0, 0]), 2)
    (('regular', 'am_mts', 'am_mto'), 1735.71)
    """
    r = np.atleast_1d(np.asarray(rates, dtype=float))
    if params.size != 1:
        raise ValueError(f"params of {params.size} SKUs: the flip search needs one scenario")
    ev = evaluate(with_inputs(params, {"demand.rate_per_year": r}), advice=False)
    names = tuple(ev.methods)
    return names, np.vstack([np.broadcast_to(m.total_cost, r.shape) for m in ev.methods.values()])


def cost_difference(params: ModelParams, method: str):
    """``d(r) = TC_method(r) - min over the other methods TC_k(r)``, vectorised in ``r``.

    Negative where ``method`` is the cheapest. Needs at least two methods.

    >>> from amspares.scenario import load_scenario
    >>> d = cost_difference(bind(load_scenario()), "regular")
    >>> bool(d(np.array([2.0]))[0] < 0), bool(d(np.array([1e-6]))[0] > 0)
    (True, True)
    """
    names = tuple(params.methods)
    if len(names) < 2:
        raise ValueError("the decision's robustness needs at least two methods")
    i = names.index(method)

    def d(rates):
        _, c = method_costs(params, rates)
        others = np.delete(c, i, axis=0)
        return c[i] - others.min(axis=0)

    return d


def _cheapest(params: ModelParams, rates) -> np.ndarray:
    names, c = method_costs(params, rates)
    return np.array(names, dtype=object)[np.argmin(c, axis=0)]   # ties: first declared


def _search_upper(upper) -> np.ndarray:
    return np.maximum(SEARCH_FACTOR * np.asarray(upper, dtype=float), MIN_SEARCH)


def _floor(x, upper):
    x, upper = np.asarray(x, dtype=float), np.asarray(upper, dtype=float)
    return np.where(x > 0, x, RATE_FLOOR * np.maximum(upper, MIN_SEARCH))


@dataclass(frozen=True)
class Decision:
    """The decision at the estimate and at both ends of the interval, and where it flips.

    ``at_estimate``/``at_lower``/``at_upper``: the cheapest method there. ``robust``: the
    same at all three and no flip inside the interval; ``label``: ``"robust"`` or ``"flips
    inside the interval"``. ``flip_below``/``flip_above``: the nearest rate below the
    interval / above it where the method cheapest at the estimate stops being cheapest
    (NaN: none in ``[0, search_upper]``), and ``winner_below``/``winner_above`` the method
    cheapest just beyond it. ``inside``: flips inside the interval. ``jump``: some flip is a
    jump of the model (e.g. where a minimum order starts to bind), not a smooth crossing.
    """

    at_estimate: str
    at_lower: str
    at_upper: str
    robust: bool
    label: str
    flip_below: float
    flip_above: float
    winner_below: str | None
    winner_above: str | None
    inside: tuple[float, ...]
    search_upper: float
    jump: bool


def decide(params: ModelParams, estimate: float, lower: float, upper: float) -> Decision:
    """The robustness of one scenario's decision over the rate interval ``[lower, upper]``.

    Uses :func:`amspares.core.demand.decision_robustness` on :func:`cost_difference` of the
    method cheapest at the estimate, searched over ``[0, max(10 upper, 1)]``.

    >>> from amspares.scenario import load_scenario
    >>> dec = decide(bind(load_scenario()), 2.0, 1.3255, 2.9062)
    >>> dec.at_estimate, dec.label, dec.winner_below, round(dec.flip_below, 6)
    ('regular', 'robust', 'am_mto', 0.007103)
    """
    est, lo, hi = (float(v) for v in _floor([estimate, lower, upper], upper))
    top = float(_search_upper(upper))
    method = str(_cheapest(params, [est])[0])
    d = cost_difference(params, method)
    rb = dm.decision_robustness(d, est, lo, hi, search_lower=0.0, search_upper=top)
    at = _cheapest(params, [lo, hi])
    return _decision(params, method, str(at[0]), str(at[1]), rb.robust, rb.flip_below, rb.flip_above,
                     tuple(float(x) for x in rb.inside), top, bool(np.any(rb.crossings.jump)))


def _decision(params, method, at_lo, at_hi, robust, below, above, inside, top, jump) -> Decision:
    def beyond(x, side):
        if math.isnan(x):
            return None
        step = 1e-7 * max(x, 1e-9)
        return str(_cheapest(params, [max(x + side * step, 0.0)])[0])

    return Decision(method, at_lo, at_hi, bool(robust), dm.ROBUST if robust else dm.FLIPS_INSIDE,
                    float(below), float(above), beyond(below, -1), beyond(above, +1), inside,
                    float(top), jump)


# --------------------------------------------------------------------------- one history


@dataclass(frozen=True)
class DemandAssessment:
    """Everything said about one SKU's demand history (one element of each core result).

    ``phase_out`` is None when the history is no longer than the recent window (one
    year); ``decision`` is None without a scenario (or with a single method).
    """

    estimate: dm.RateEstimate
    demand_class: dm.DemandClass
    phase_out: dm.PhaseOut | None
    recent_periods: int | None
    decision: Decision | None
    periods_per_year: float


def recent_window(periods: int, periods_per_year: float) -> int | None:
    """Periods of the phase-out window: one year, if the history is longer than that.

    >>> recent_window(60, 12), recent_window(12, 12), recent_window(20, 52.1775)
    (12, None, None)
    """
    r = max(1, int(round(periods_per_year)))
    return r if r < periods else None


def assess_demand(history, periods_per_year, level=0.90, params: ModelParams | None = None
                  ) -> DemandAssessment:
    """Estimate, class, phase-out test and (with ``params``) the decision's robustness.

    >>> from amspares.scenario import load_scenario
    >>> a = assess_demand([0, 1, 0, 0, 2, 0] * 10, 12, params=bind(load_scenario()))
    >>> float(a.estimate.rate), str(a.demand_class.label), a.decision.at_estimate, a.decision.label
    (6.0, 'intermittent', 'regular', 'robust')
    """
    h = np.asarray(history, dtype=float)
    if h.ndim != 1:
        raise ValueError("assess_demand takes one history (use assess_many for several)")
    est = dm.poisson_rate_estimate(h, periods_per_year, level)
    cls = dm.demand_class(h, SIGNIFICANCE)
    recent = recent_window(h.shape[-1], float(periods_per_year))
    po = None
    if recent is not None:
        po = dm.phase_out_flag(h, recent, SIGNIFICANCE,
                               counts="periods" if bool(cls.overdispersed) else "units")
    dec = None
    if params is not None and len(params.methods) >= 2:
        dec = decide(params, float(est.rate), float(est.lower), float(est.upper))
    return DemandAssessment(est, cls, po, recent, dec, float(periods_per_year))


def assess_scenario(scenario) -> DemandAssessment | None:
    """:func:`assess_demand` for a scenario whose rate comes from history (else None)."""
    h = getattr(scenario, "history", None)
    if h is None:
        return None
    return assess_demand(h.quantities, h.periods_per_year, h.level, bind(scenario))


# --------------------------------------------------------------------------- many SKUs


@dataclass(frozen=True)
class ManyDecisions:
    """:class:`Decision` fields as arrays, one element per SKU (see :func:`assess_many`)."""

    at_estimate: np.ndarray
    at_lower: np.ndarray
    at_upper: np.ndarray
    robust: np.ndarray
    label: np.ndarray
    flip_below: np.ndarray
    flip_above: np.ndarray
    winner_below: np.ndarray
    winner_above: np.ndarray
    inside: np.ndarray                  # number of flips inside the interval
    search_upper: np.ndarray
    inside_rates: tuple = ()            # per SKU, the flips inside its interval


def decide_many(params: ModelParams, estimate, lower, upper, progress=None) -> ManyDecisions:
    """:func:`decide` for many SKUs sharing one base scenario (only their rates differ).

    Vectorised: the cheapest method at every estimate and interval end is one
    :func:`~amspares.core.evaluate.evaluate` call; the rates where each method stops being
    cheapest are root-found once per method (:func:`amspares.core.demand.rate_breakeven`
    on :func:`cost_difference`, over the widest search range any SKU needs), and each SKU
    then takes those within its own range ``[0, max(10 upper, 1)]``: the same answer as
    :func:`decide` SKU by SKU. ``progress(i, n)`` is called after each method.
    """
    est = _floor(estimate, upper)
    lo, hi = _floor(lower, upper), np.asarray(upper, dtype=float)
    top = _search_upper(hi)
    n = est.size
    names = tuple(params.methods)
    if len(names) < 2:
        raise ValueError("the decision's robustness needs at least two methods")
    at = _cheapest(params, np.concatenate([est, lo, hi]))
    at_est, at_lo, at_hi = at[:n], at[n:2 * n], at[2 * n:]
    robust = np.zeros(n, bool)
    below, above = np.full(n, np.nan), np.full(n, np.nan)
    inside = np.zeros(n, int)
    inside_rates: list = [()] * n
    win_below = np.full(n, None, dtype=object)
    win_above = np.full(n, None, dtype=object)
    for i, m in enumerate(names):
        sel = at_est == m
        if sel.any():
            c = dm.rate_breakeven(cost_difference(params, m), 0.0, float(top[sel].max())).rates
            l_, h_, t_ = lo[sel], hi[sel], top[sel]
            ins = ((c[None, :] >= l_[:, None]) & (c[None, :] <= h_[:, None])).sum(axis=1)
            k_lo = np.searchsorted(c, l_, side="left") - 1           # last crossing < lo
            k_hi = np.searchsorted(c, h_, side="right")               # first crossing > hi
            b = np.where(k_lo >= 0, c[np.clip(k_lo, 0, max(c.size - 1, 0))] if c.size else np.nan, np.nan)
            a = np.where(k_hi < c.size, c[np.clip(k_hi, 0, max(c.size - 1, 0))] if c.size else np.nan, np.nan)
            a = np.where(a <= t_, a, np.nan)
            below[sel], above[sel], inside[sel] = b, a, ins
            for j, l1, h1 in zip(np.flatnonzero(sel).tolist(), l_.tolist(), h_.tolist()):
                inside_rates[j] = tuple(float(x) for x in c[(c >= l1) & (c <= h1)])
            robust[sel] = (at_lo[sel] == m) & (at_hi[sel] == m) & (ins == 0)
            for vals, out, side in ((b, win_below, -1), (a, win_above, +1)):
                ok = ~np.isnan(vals)
                if ok.any():
                    x = np.unique(vals[ok])
                    w = _cheapest(params, np.maximum(x + side * 1e-7 * np.maximum(x, 1e-9), 0.0))
                    lookup = dict(zip(x.tolist(), w.tolist()))
                    idx = np.flatnonzero(sel)[ok]
                    out[idx] = [lookup[v] for v in vals[ok].tolist()]
        if progress is not None:
            progress(i + 1, len(names))
    # a tie at an end is not robust (decision_robustness: the sign must be non-zero)
    _, c3 = method_costs(params, np.concatenate([est, lo, hi]))
    part = np.sort(c3, axis=0)
    tie = (part[0] == part[1]).reshape(3, n).any(axis=0)
    robust &= ~tie
    label = np.where(robust, dm.ROBUST, dm.FLIPS_INSIDE).astype(object)
    return ManyDecisions(at_est, at_lo, at_hi, robust, label, below, above, win_below, win_above,
                         inside, top, tuple(inside_rates))


# --------------------------------------------------------------------------- JSON


def _f(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def demand_dict(a: DemandAssessment, source: str = "") -> dict[str, Any]:
    """The ``demand`` object (JSON-ready) of one assessment, with its notes in words.

    >>> d = demand_dict(assess_demand([0, 1, 0, 0, 2, 0] * 10, 12))
    >>> d["rate_per_year"], d["class"]["label"], d["decision"]
    (6.0, 'intermittent', None)
    """
    from amspares.wording import demand_notes

    e, c = a.estimate, a.demand_class
    out: dict[str, Any] = {
        "source": source,
        "periods": int(e.periods), "periods_per_year": a.periods_per_year, "years": float(e.years),
        "total": float(e.total),
        "rate_per_year": float(e.rate), "lower": float(e.lower), "upper": float(e.upper),
        "level": e.level,
        "class": {"label": str(c.label), "adi": _f(c.adi), "cv2": _f(c.cv2),
                  "demand_periods": int(c.demand_periods), "max_size": _f(c.max_size),
                  "multi_unit": bool(c.multi_unit), "dispersion": _f(c.dispersion),
                  "dispersion_p_value": _f(c.dispersion_p_value), "overdispersed": bool(c.overdispersed)},
        "phase_out": None,
        "decision": None,
    }
    if a.phase_out is not None:
        p = a.phase_out
        out["phase_out"] = {"flag": bool(p.flag), "p_value": _f(p.p_value), "recent_periods": a.recent_periods,
                            "recent_total": float(p.recent_total), "earlier_total": float(p.earlier_total),
                            "ratio": _f(p.ratio),
                            "counts": "periods" if bool(c.overdispersed) else "units"}
    if a.decision is not None:
        d = a.decision
        out["decision"] = {"at_estimate": d.at_estimate, "at_lower": d.at_lower, "at_upper": d.at_upper,
                           "robust": d.robust, "label": d.label, "flip_below": _f(d.flip_below),
                           "winner_below": d.winner_below, "flip_above": _f(d.flip_above),
                           "winner_above": d.winner_above, "flips_inside": list(d.inside),
                           "search_upper": d.search_upper, "jump": d.jump}
    out["notes"] = demand_notes(out)
    return out


def assess_many(quantities, periods_per_year, level=0.90, params: ModelParams | None = None,
                sources=None, progress=None) -> list[dict[str, Any]]:
    """:func:`demand_dict` of every row of a SKUs x periods history, computed vectorised.

    The estimates, classes and phase-out tests are one call each over all rows; with
    ``params`` (a base scenario) the decisions come from :func:`decide_many`. Gives the
    same objects as ``demand_dict(assess_demand(row, ...))`` row by row.

    >>> rows = assess_many([[0, 1, 0, 0, 2, 0] * 10, [0] * 60], 12)
    >>> [r["rate_per_year"] for r in rows], [r["class"]["label"] for r in rows]
    ([6.0, 0.0], ['intermittent', 'no demand'])
    """
    from amspares.wording import demand_notes

    q = np.asarray(quantities, dtype=float)
    if q.ndim != 2:
        raise ValueError("assess_many takes a SKUs x periods history")
    ppy = float(periods_per_year)
    e = dm.poisson_rate_estimate(q, ppy, level)
    c = dm.demand_class(q, SIGNIFICANCE)
    recent = recent_window(q.shape[1], ppy)
    po_u = po_p = None
    if recent is not None:
        po_u = dm.phase_out_flag(q, recent, SIGNIFICANCE, counts="units")
        po_p = dm.phase_out_flag(q, recent, SIGNIFICANCE, counts="periods")
    dec = None
    if params is not None and len(params.methods) >= 2 and q.shape[0]:
        dec = decide_many(params, e.rate, e.lower, e.upper, progress=progress)
    out = []
    for i in range(q.shape[0]):
        a = DemandAssessment(
            dm.RateEstimate(*(np.asarray(getattr(e, f)[i]) for f in
                              ("rate", "lower", "upper", "periods", "years", "total")), e.level),
            dm.DemandClass(*(np.asarray(getattr(c, f)[i]) for f in
                             ("label", "adi", "cv2", "demand_periods", "periods", "mean_size", "max_size",
                              "multi_unit", "dispersion", "dispersion_p_value", "overdispersed")),
                           c.significance),
            None, recent, None, ppy)
        if recent is not None:
            po = po_p if bool(c.overdispersed[i]) else po_u
            a = DemandAssessment(a.estimate, a.demand_class, dm.PhaseOut(
                *(np.asarray(getattr(po, f)[i]) for f in ("flag", "p_value", "recent_total", "earlier_total",
                                                          "recent_periods", "earlier_periods", "ratio")),
                po.significance), recent, None, ppy)
        if dec is not None:
            d = Decision(str(dec.at_estimate[i]), str(dec.at_lower[i]), str(dec.at_upper[i]),
                         bool(dec.robust[i]), str(dec.label[i]), float(dec.flip_below[i]),
                         float(dec.flip_above[i]), dec.winner_below[i], dec.winner_above[i],
                         (), float(dec.search_upper[i]), False)
            a = DemandAssessment(a.estimate, a.demand_class, a.phase_out, recent, d, ppy)
        row = demand_dict(a, "" if sources is None else sources[i])
        if dec is not None:
            row["decision"]["flips_inside"] = [float(x) for x in dec.inside_rates[i]]
            row["decision"].pop("jump")
            row["notes"] = demand_notes(row)
        out.append(row)
    return out
