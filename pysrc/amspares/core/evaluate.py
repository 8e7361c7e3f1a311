"""Evaluate every method of a scenario: optimal policy, cost (Eq. 1) and impact (Eq. 32).

:func:`evaluate_inputs` is the one code path from numbers to results. It takes the model
inputs as a mapping of dotted keys (``Scenario.inputs()``) whose values may be scalars or
arrays of one length (one element per SKU), so a portfolio of a million SKUs and a single
scenario go through the same functions. Pure numpy; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from amspares.core.basestock import lead_time_years, optimal_base_stock
from amspares.core.costs import CostBreakdown
from amspares.core.impact import ImpactBreakdown, environmental_impact, process_factor
from amspares.core.mto import made_to_order_costs
from amspares.core.poisson import accepted_quantity
from amspares.core.sq import OrderQuantityAdvice, optimal_sq_policy

POLICIES = ("base_stock", "reorder_point", "one_order", "make_to_order")


@dataclass(frozen=True)
class MethodResult:
    """One method's optimal policy, cost and impact; every field has one element per SKU.

    ``policy`` says which model applied: ``base_stock`` (moq = 1, spec 3.1),
    ``reorder_point`` ((s,Q) with several orders, moq <= n), ``one_order`` (moq > n) or
    ``make_to_order``. ``S`` is the base stock (0 for make to order, -1 where an (s,Q)
    policy applies); ``s`` is NaN where there is no reorder point; ``Q`` is 0 for make
    to order.
    """

    name: str
    kind: str
    policy: np.ndarray
    S: np.ndarray
    s: np.ndarray
    Q: np.ndarray
    cost: CostBreakdown
    produced: np.ndarray
    shipped_to_warehouse: np.ndarray
    delivered: np.ndarray
    impact: ImpactBreakdown | None
    advice: OrderQuantityAdvice | None

    @property
    def total_cost(self) -> np.ndarray:
        return np.asarray(self.cost.total, dtype=float)

    @property
    def impact_mpts(self) -> np.ndarray | None:
        return None if self.impact is None else np.asarray(self.impact.total, dtype=float)


@dataclass(frozen=True)
class Evaluation:
    """All methods of a scenario (or of many SKUs), and the winners per SKU."""

    n: np.ndarray
    accepted_q_confidence: np.ndarray
    methods: dict[str, MethodResult]
    cheapest: np.ndarray            # method names
    lowest_impact: np.ndarray | None

    @cached_property
    def accepted_q(self) -> np.ndarray:
        """``accepted_q`` per SKU (Eq. 31), computed on first use: it costs a Poisson
        quantile per SKU, and only (s,Q) methods and reports need it."""
        return np.atleast_1d(accepted_quantity(self.n, self.accepted_q_confidence))

    @cached_property
    def saving(self) -> np.ndarray:
        """What the cheapest method saves over the runner-up, per SKU (EUR; NaN with one method)."""
        totals = np.vstack([r.total_cost for r in self.methods.values()])
        if totals.shape[0] < 2:
            return np.full(totals.shape[1], np.nan)
        two = np.partition(totals, 1, axis=0)[:2]
        return two[1] - two[0]


def _column(inputs: Mapping[str, Any], key: str, size: int) -> np.ndarray:
    value = np.asarray(inputs[key], dtype=float)
    return np.broadcast_to(value, (size,)) if value.ndim == 0 else value


def _size(inputs: Mapping[str, Any]) -> int:
    sizes = {np.size(v) for v in inputs.values() if isinstance(v, np.ndarray) and np.ndim(v)}
    if len(sizes) > 1:
        raise ValueError(f"input arrays differ in length: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def evaluate_inputs(inputs: Mapping[str, Any], methods: Mapping[str, str], *,
                    advice: bool = True) -> Evaluation:
    """Evaluate every method for every SKU (spec sections 3-4).

    Parameters
    ----------
    inputs : mapping
        ``Scenario.inputs()``-style dotted keys; numeric values may be arrays of one common
        length N. ``model.waiting_time`` and ``model.production_rule`` must be scalars
        (group SKUs by them).
    methods : mapping
        ``{method name: "stock" | "order"}``.
    advice : bool
        Also search the cheapest order quantity ``Q >= moq`` for (s,Q) methods.

    Returns
    -------
    Evaluation
        Arrays of length N (N = 1 for a plain scenario).

    Examples
    --------
    >>> from amspares.scenario import load_scenario
    >>> sc = load_scenario()
    >>> ev = evaluate_inputs(sc.inputs(), sc.methods)
    >>> int(ev.methods["regular"].S[0]), round(float(ev.methods["regular"].total_cost[0]), 2)
    (5, 1735.71)
    >>> str(ev.cheapest[0]), str(ev.lowest_impact[0])
    ('regular', 'regular')
    """
    size = _size(inputs)
    col = lambda key: _column(inputs, key, size)  # noqa: E731
    waiting = inputs["model.waiting_time"]
    rule = inputs["model.production_rule"]
    lam, years = col("demand.rate_per_year"), col("demand.service_years")
    n = lam * years
    conf = col("model.accepted_q_confidence")
    common = dict(rate=lam, years=years, emergency_per_day=col("downtime.emergency_per_day"),
                  regular_per_demand=col("downtime.regular_per_demand"),
                  holding_per_part_year=col("storage.holding_per_part_year"))
    has_part = "part.weight_kg" in inputs
    results: dict[str, MethodResult] = {}
    for name, kind in methods.items():
        m = lambda f: col(f"methods.{name}.{f}")  # noqa: E731
        mine = dict(price=m("price"), outbound_per_part=m("outbound_per_part"),
                    investment=m("investment"), benefit_per_part_year=m("benefit_per_part_year"))
        adv = None
        if kind == "order":
            cost = made_to_order_costs(rate=lam, years=years,
                                       regular_per_demand=common["regular_per_demand"], **mine)
            policy = np.full(size, "make_to_order", dtype=object)
            S = np.zeros(size, dtype=np.int64)
            s = np.full(size, np.nan)
            Q = np.zeros(size, dtype=np.int64)
            produced, shipped = n.copy(), np.zeros(size)
        else:
            lead = lead_time_years(m("production_days"), m("shipping_days"))
            moq = m("moq").astype(np.int64)
            stock = dict(common, lead_time_years=lead, inbound_share=m("inbound_transport_share"), **mine)
            base = moq == 1
            parts = {}
            S = np.where(base, 0, -1).astype(np.int64)
            s = np.full(size, np.nan)
            Q = moq.copy()
            policy = np.where(base, "base_stock", np.where(moq <= n, "reorder_point", "one_order")).astype(object)
            produced = np.zeros(size)
            shipped = np.zeros(size)
            if base.any():
                sel = _subset(stock, base)
                bs = optimal_base_stock(waiting_time=waiting, production_rule=rule, **sel)
                S[base] = bs.S
                parts[base.tobytes()] = (base, bs.cost)
                produced[base] = n[base] + bs.S        # physical units, whatever the rule (spec 4)
                shipped[base] = n[base] + bs.S
            if (~base).any():
                sq_mask = ~base
                sel = _subset(stock, sq_mask)
                pol, a = optimal_sq_policy(moq[sq_mask], advice=advice,
                                           accepted_q_confidence=conf[sq_mask], **sel)
                s[sq_mask] = pol.s
                parts[sq_mask.tobytes()] = (sq_mask, pol.cost)
                produced[sq_mask] = pol.billed
                shipped[sq_mask] = pol.shipped
                if advice:
                    adv = _advice_full(a, sq_mask, size)
            cost = _merge_costs(list(parts.values()), size)
        impact = None
        if has_part:
            impact = environmental_impact(
                produced, shipped, n, weight_kg=col("part.weight_kg"),
                material_mpts_per_kg=col("part.material_mpts_per_kg"),
                material_efficiency=m("material_efficiency"),
                process_mpts_per_kg_of_part=process_factor(
                    m("process_mpts_per_kg"), m("energy_kwh_per_kg"),
                    col("impact.electricity_mpts_per_kwh")),
                factory_leg_mpts_per_kg=m("transport_to_factory"),
                warehouse_leg_mpts_per_kg=(m("transport_to_warehouse") if kind == "stock" else 0.0),
                customer_leg_mpts_per_kg=m("transport_to_customer"),
                extra_mpts_per_part=m("extra_mpts_per_part"))
            impact = ImpactBreakdown(*(np.broadcast_to(np.asarray(v, dtype=float), (size,))
                                       for v in impact.as_dict().values()))
        results[name] = MethodResult(name=name, kind=kind, policy=policy, S=S, s=s, Q=Q,
                                     cost=cost, produced=produced, shipped_to_warehouse=shipped,
                                     delivered=n.copy(), impact=impact, advice=adv)
    names = np.array(list(methods), dtype=object)
    totals = np.vstack([r.total_cost for r in results.values()])
    cheapest = names[np.argmin(totals, axis=0)]     # ties: first declared method
    lowest = None
    if has_part:
        impacts = np.vstack([r.impact_mpts for r in results.values()])
        lowest = names[np.argmin(impacts, axis=0)]
    return Evaluation(n=n, accepted_q_confidence=conf, methods=results, cheapest=cheapest, lowest_impact=lowest)


def _subset(params: dict, mask: np.ndarray) -> dict:
    return {k: (np.asarray(v)[mask] if np.ndim(v) else v) for k, v in params.items()}


def _merge_costs(parts, size: int) -> CostBreakdown:
    out = {k: np.zeros(size) for k in CostBreakdown.components()}
    for mask, cost in parts:
        for k, v in cost.as_dict().items():
            out[k][mask] = v
    return CostBreakdown(**out)


def _advice_full(a: OrderQuantityAdvice, mask: np.ndarray, size: int) -> OrderQuantityAdvice:
    def spread(x, fill, dtype):
        full = np.full(size, fill, dtype=dtype)
        full[mask] = x
        return full

    return OrderQuantityAdvice(Q=spread(a.Q, 0, np.int64), s=spread(a.s, np.nan, float),
                               total_cost=spread(a.total_cost, np.nan, float),
                               saving=spread(a.saving, np.nan, float))
