"""Evaluate every method of a scenario: optimal policy, cost (Eq. 1) and impact (Eq. 32).

:func:`evaluate` is the one code path from numbers to results. It takes typed parameters
(:class:`~amspares.core.params.ModelParams`, made from a scenario by
:func:`amspares.binding.bind`) whose numeric fields may be scalars or arrays of one length
(one element per SKU), so a portfolio of a million SKUs and a single scenario go through
the same functions. Pure numpy; no I/O.
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
from amspares.core.params import ModelParams
from amspares.core.poisson import accepted_quantity
from amspares.core.service import made_to_order_service
from amspares.core.sq import OrderQuantityAdvice, optimal_sq_policy

POLICIES = ("base_stock", "reorder_point", "one_order", "make_to_order")
#: Costs (and impacts) within this share of each other are equal (docs/model.md section 3.5).
TIE_REL = 1e-9


@dataclass(frozen=True)
class MethodResult:
    """One method's optimal policy, cost and impact; every field has one element per SKU.

    ``policy`` says which model applied: ``base_stock`` (moq = 1),
    ``reorder_point`` ((s,Q) with several orders, moq <= n), ``one_order`` (moq > n) or
    ``make_to_order``. ``S`` is the base stock (0 for make to order, -1 where an (s,Q)
    policy applies); ``s`` is NaN where there is no reorder point; ``Q`` is 0 for make
    to order.

    Service measures per demand (docs/model.md section 3.4): ``fill_rate`` (served from
    stock at once), ``on_time_rate`` (delivered within the free window), ``mean_wait_days``;
    ``meets_service_target`` is ``None`` without a target.
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
    fill_rate: np.ndarray | None = None
    on_time_rate: np.ndarray | None = None
    mean_wait_days: np.ndarray | None = None
    meets_service_target: np.ndarray | None = None
    #: The impact in kg CO2e (GWP100), the same breakdown with the climate factors; NaN where
    #: a factor is missing (``None`` without a part).
    impact_co2e: ImpactBreakdown | None = None

    # The totals are computed once, on first use (the breakdowns are not changed after a
    # result is made), and handed out read-only: every caller shares the one array.
    @cached_property
    def total_cost(self) -> np.ndarray:
        return _frozen(self.cost.total)

    @cached_property
    def impact_mpts(self) -> np.ndarray | None:
        return None if self.impact is None else _frozen(self.impact.total)

    @cached_property
    def impact_kgco2e(self) -> np.ndarray | None:
        """The kg CO2e total per SKU (NaN where a climate factor is missing)."""
        return None if self.impact_co2e is None else _frozen(self.impact_co2e.total)


def _frozen(total) -> np.ndarray:
    """``total`` as a float array that cannot be written to (a shared, cached result)."""
    out = np.asarray(total, dtype=float).view()
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Evaluation:
    """All methods of a scenario (or of many SKUs), and the winners per SKU.

    ``cheapest`` / ``lowest_impact`` follow the choice rule of docs/model.md sections 3.4-3.5:
    among the methods meeting the service target (all when none does: ``none_meets_target``),
    the lowest cost, costs within 1e-9 relative being equal; then the lower impact, then an
    order method before a stock method, then the order of declaration (the greenest likewise,
    with cost as the first tie-break). ``lowest_impact_co2e`` is the greenest by kg CO2e, by the
    same rule among the methods whose kg CO2e is known (``None`` where no method's is).
    ``cheapest_tied`` / ``lowest_impact_tied`` / ``lowest_impact_co2e_tied`` say where
    the first criterion alone did not decide. ``cheapest_index``, ``lowest_impact_index`` and
    ``lowest_impact_co2e_index`` are the winners' positions in ``methods`` (-1 where
    ``lowest_impact_co2e`` is None). ``waiting_time`` and ``order_wait`` are the models used.
    """

    n: np.ndarray
    accepted_q_confidence: np.ndarray
    methods: dict[str, MethodResult]
    cheapest: np.ndarray            # method names
    lowest_impact: np.ndarray | None
    waiting_time: str = "exact"
    order_wait: str = "charged"
    service_target: Any = None
    none_meets_target: np.ndarray | None = None
    cheapest_tied: np.ndarray | None = None
    lowest_impact_tied: np.ndarray | None = None
    cheapest_index: np.ndarray | None = None      # position of ``cheapest`` in ``methods``
    lowest_impact_co2e: np.ndarray | None = None  # method names, None where no method has kg CO2e
    lowest_impact_co2e_tied: np.ndarray | None = None
    lowest_impact_index: np.ndarray | None = None  # position of ``lowest_impact`` in ``methods``
    #: position of ``lowest_impact_co2e`` in ``methods``, -1 where it is None
    lowest_impact_co2e_index: np.ndarray | None = None

    def _cheapest_index(self) -> np.ndarray:
        if self.cheapest_index is not None:
            return self.cheapest_index
        where = {name: i for i, name in enumerate(self.methods)}
        return np.array([where[c] for c in self.cheapest], dtype=np.int64)

    @cached_property
    def accepted_q(self) -> np.ndarray:
        """``accepted_q`` per SKU (Eq. 31), computed on first use: it costs a Poisson
        quantile per SKU, and only (s,Q) methods and reports need it."""
        return np.atleast_1d(accepted_quantity(self.n, self.accepted_q_confidence))

    @cached_property
    def _runner_up_index(self) -> np.ndarray:
        """Position of the runner-up in ``methods`` (the next method by the same choice rule)."""
        names = list(self.methods)
        size = self.n.size
        if len(names) < 2:
            return np.full(size, None, dtype=object)
        totals = [r.total_cost for r in self.methods.values()]
        impacts = None if self.lowest_impact is None else [r.impact_mpts for r in self.methods.values()]
        first = self._cheapest_index()
        others = [first != j for j in range(len(names))]
        eligible = [e & o for e, o in zip(_eligible(self.methods, size), others)]
        some = np.logical_or.reduce(eligible)
        if not some.all():                                      # none else meets the target
            eligible = [np.where(some, e, o) for e, o in zip(eligible, others)]
        idx, _ = _pick(totals, impacts, eligible, _order_first(self.methods))
        return idx

    @cached_property
    def runner_up(self) -> np.ndarray:
        """The next method by the same choice rule, per SKU (``None`` with one method)."""
        if len(self.methods) < 2:
            return np.full(self.n.size, None, dtype=object)
        return np.array(list(self.methods), dtype=object)[self._runner_up_index]

    @cached_property
    def saving(self) -> np.ndarray:
        """What the cheapest method saves over the runner-up, per SKU (EUR; NaN with one method)."""
        totals = [r.total_cost for r in self.methods.values()]
        if len(totals) < 2:
            return np.full(self.n.size, np.nan)
        runner, first = _gather((self._runner_up_index, self._cheapest_index()), totals)
        return runner - first


def _column(value, size: int) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    return np.broadcast_to(value, (size,)) if value.ndim == 0 else value


def cost_terms(params: ModelParams, method: str, col=None) -> dict[str, Any]:
    """The keyword arguments of the stock-cost functions for one stock method.

    :func:`~amspares.core.basestock.base_stock_costs`,
    :func:`~amspares.core.basestock.optimal_base_stock`,
    :func:`~amspares.core.sq.sq_policy_costs` and :func:`~amspares.core.sq.optimal_sq_policy`
    take these (Eq. 1, 7-30): demand, downtime (with the free window ``free_days``), the
    method's holding cost per part-year (resolved by the binding; the storage's when a
    method has none) and its own terms, with the lead time L = (production + shipping
    days) / 365. ``col`` maps each value first (:func:`evaluate` broadcasts them to N).

    >>> from amspares.binding import bind
    >>> from amspares.scenario import load_scenario
    >>> t = cost_terms(bind(load_scenario()), "regular")
    >>> t["price"], round(t["lead_time_years"] * 365, 9)
    (15.0, 86.0)
    """
    col = col or (lambda v: v)
    m = params.methods[method]
    holding = m.holding_per_part_year if m.holding_per_part_year is not None else params.holding_per_part_year
    return dict(rate=col(params.rate_per_year), years=col(params.service_years),
                emergency_per_day=col(params.emergency_per_day),
                regular_per_demand=col(params.regular_per_demand),
                holding_per_part_year=col(holding), free_days=col(params.free_days),
                lead_time_years=lead_time_years(col(m.production_days), col(m.shipping_days)),
                inbound_share=col(m.inbound_transport_share),
                price=col(m.price), outbound_per_part=col(m.outbound_per_part),
                investment=col(m.investment), benefit_per_part_year=col(m.benefit_per_part_year))


INDICATORS = ("mpts", "kgco2e")


def _known(value):
    """A climate factor, NaN where missing (``None``)."""
    return np.nan if value is None else value


def impact_terms(params: ModelParams, method: str, col=None, indicator: str = "mpts") -> dict[str, Any]:
    """The keyword arguments of :func:`~amspares.core.impact.environmental_impact` (Eq. 32-37)
    for one method, with the process factor of Eq. 35-36; an order method has no warehouse
    leg. Requires a part (``params.has_part``).

    ``indicator`` ``"kgco2e"`` gives the climate twins of the factors (docs/model.md section 4):
    the same equations then give kg CO2e. A missing twin is NaN.

    >>> from amspares.binding import bind
    >>> from amspares.scenario import load_scenario
    >>> t = impact_terms(bind(load_scenario()), "am_mto")
    >>> round(float(t["process_mpts_per_kg_of_part"]), 6), t["warehouse_leg_mpts_per_kg"]
    (1100.602, 0.0)
    >>> c = impact_terms(bind(load_scenario()), "am_mto", indicator="kgco2e")
    >>> round(float(c["process_mpts_per_kg_of_part"]), 7), c["material_mpts_per_kg"]
    (7.5168142, 9.14)
    """
    col = col or (lambda v: v)
    m = params.methods[method]
    if indicator == "kgco2e":
        return dict(weight_kg=col(params.weight_kg),
                    material_mpts_per_kg=col(_known(params.material_kgco2e_per_kg)),
                    material_efficiency=col(m.material_efficiency),
                    process_mpts_per_kg_of_part=process_factor(
                        col(_known(m.process_kgco2e_per_kg)), col(m.energy_kwh_per_kg),
                        col(_known(params.electricity_kgco2e_per_kwh))),
                    factory_leg_mpts_per_kg=col(_known(m.transport_to_factory_kgco2e)),
                    warehouse_leg_mpts_per_kg=(col(_known(m.transport_to_warehouse_kgco2e))
                                               if m.kind == "stock" else 0.0),
                    customer_leg_mpts_per_kg=col(_known(m.transport_to_customer_kgco2e)),
                    extra_mpts_per_part=col(_known(m.extra_kgco2e_per_part)))
    if indicator != "mpts":
        raise ValueError(f"indicator must be one of {INDICATORS}, not {indicator!r}")
    return dict(weight_kg=col(params.weight_kg),
                material_mpts_per_kg=col(params.material_mpts_per_kg),
                material_efficiency=col(m.material_efficiency),
                process_mpts_per_kg_of_part=process_factor(
                    col(m.process_mpts_per_kg), col(m.energy_kwh_per_kg),
                    col(params.electricity_mpts_per_kwh)),
                factory_leg_mpts_per_kg=col(m.transport_to_factory),
                warehouse_leg_mpts_per_kg=(col(m.transport_to_warehouse) if m.kind == "stock" else 0.0),
                customer_leg_mpts_per_kg=col(m.transport_to_customer),
                extra_mpts_per_part=col(m.extra_mpts_per_part))


def evaluate(params: ModelParams, *, advice: bool = True) -> Evaluation:
    """Evaluate every method for every SKU (``docs/model.md``, the cost and impact sections).

    Parameters
    ----------
    params : ModelParams
        Numeric fields may be arrays of one common length N; ``waiting_time`` and
        ``production_rule`` are scalars (group SKUs by them).
    advice : bool
        Also search the cheapest order quantity ``Q >= moq`` for (s,Q) methods.

    Returns
    -------
    Evaluation
        Arrays of length N (N = 1 for a plain scenario).

    Examples
    --------
    >>> from amspares.binding import bind
    >>> from amspares.scenario import load_scenario
    >>> ev = evaluate(bind(load_scenario()))
    >>> int(ev.methods["regular"].S[0]), round(float(ev.methods["regular"].total_cost[0]), 2)
    (5, 1735.71)
    >>> str(ev.cheapest[0]), str(ev.lowest_impact[0])
    ('regular', 'regular')
    """
    size = params.size
    col = lambda v: _column(v, size)  # noqa: E731
    waiting = params.waiting_time
    rule = params.production_rule
    lam, years = col(params.rate_per_year), col(params.service_years)
    n = lam * years
    conf = col(params.accepted_q_confidence)
    target = None if params.service_target is None else col(params.service_target)
    has_part = params.has_part
    results: dict[str, MethodResult] = {}
    scalar = lambda v: v if np.ndim(v) == 0 else col(v)  # noqa: E731  (one value: left a scalar)
    for name, mp in params.methods.items():
        kind = mp.kind
        adv = None
        if kind == "order":
            sv = made_to_order_service(delivery_days=scalar(mp.delivery_days), free_days=scalar(params.free_days))
            fill, on_time, wait = (_filled(size, v) for v in (sv.fill_rate, sv.on_time_rate, sv.mean_wait_days))
            cost = made_to_order_costs(rate=lam, years=years,
                                       regular_per_demand=col(params.regular_per_demand),
                                       price=col(mp.price), outbound_per_part=col(mp.outbound_per_part),
                                       investment=col(mp.investment),
                                       benefit_per_part_year=col(mp.benefit_per_part_year),
                                       delivery_days=col(mp.delivery_days),
                                       emergency_per_day=col(params.emergency_per_day),
                                       free_days=col(params.free_days), order_wait=params.order_wait)
            policy = _policy_names(size, "make_to_order")
            S = np.zeros(size, dtype=np.int64)
            s = np.full(size, np.nan)
            Q = np.zeros(size, dtype=np.int64)
            produced, shipped = n.copy(), np.zeros(size)
        else:
            moq = col(mp.moq).astype(np.int64)
            stock = cost_terms(params, name, col)
            base = moq == 1
            s = np.full(size, np.nan)
            Q = moq.copy()
            if size and base.all():            # moq = 1 throughout: one base-stock search, no merging
                policy = _policy_names(size, "base_stock")
                bs = optimal_base_stock(waiting_time=waiting, production_rule=rule,
                                        service_target=target, **stock)
                S = np.array(bs.S, dtype=np.int64)
                fill, on_time, wait = (np.array(v, dtype=float) for v in
                                       (bs.fill_rate, bs.on_time_rate, bs.mean_wait_days))
                produced = n + bs.S                # physical units, whatever the rule (docs/model.md)
                shipped = produced.copy()          # the same numbers
                cost = _merge_costs([(slice(None), bs.cost)], size)
            else:
                # every SKU is in at_base or in at_sq: each element is written below
                fill, on_time, wait = np.empty(size), np.empty(size), np.empty(size)
                parts = []
                S = base.astype(np.int64) - 1                        # 0 where base stock, else -1
                # 0 (base stock), 1 (several orders: moq <= n) or 2 (one order), in integer
                # arithmetic: no branch per SKU (a mask of scattered SKUs makes np.where slow)
                code = (moq <= n).astype(np.intp)
                np.subtract(2, code, out=code)
                code *= ~base
                policy = _POLICIES.take(code)
                produced = np.empty(size)
                shipped = np.empty(size)
                # index arrays, not masks: numpy gathers and scatters by index several
                # times faster than by a boolean mask (the same elements, in the same order)
                at_base, at_sq = np.flatnonzero(base), np.flatnonzero(~base)
                if at_base.size:
                    sel = _subset(stock, at_base)
                    bs = optimal_base_stock(waiting_time=waiting, production_rule=rule,
                                            service_target=None if target is None else target[at_base], **sel)
                    S[at_base] = bs.S
                    fill[at_base], on_time[at_base], wait[at_base] = bs.fill_rate, bs.on_time_rate, bs.mean_wait_days
                    parts.append((at_base, bs.cost))
                    n_base = n[at_base]
                    produced[at_base] = n_base + bs.S        # physical units, whatever the rule (docs/model.md)
                    shipped[at_base] = n_base + bs.S
                if at_sq.size:
                    sel = _subset(stock, at_sq)
                    pol, a = optimal_sq_policy(moq[at_sq], advice=advice,
                                               accepted_q_confidence=conf[at_sq],
                                               service_target=None if target is None else target[at_sq], **sel)
                    s[at_sq] = pol.s
                    fill[at_sq], on_time[at_sq], wait[at_sq] = pol.fill_rate, pol.on_time_rate, pol.mean_wait_days
                    parts.append((at_sq, pol.cost))
                    produced[at_sq] = pol.billed
                    shipped[at_sq] = pol.shipped
                    if advice:
                        adv = _advice_full(a, at_sq, size)
                cost = _merge_costs(parts, size)
        impact = impact_co2e = None
        if has_part:
            # one factor for all SKUs stays a scalar: the same products, element by element
            impact, impact_co2e = (
                _full(environmental_impact(produced, shipped, n, **impact_terms(params, name, scalar, ind)), size)
                for ind in INDICATORS)
        meets = None if target is None else on_time >= target
        results[name] = MethodResult(name=name, kind=kind, policy=policy, S=S, s=s, Q=Q,
                                     cost=cost, produced=produced, shipped_to_warehouse=shipped,
                                     delivered=n.copy(), impact=impact, advice=adv,
                                     fill_rate=fill, on_time_rate=on_time, mean_wait_days=wait,
                                     meets_service_target=meets, impact_co2e=impact_co2e)
    names = np.array(list(params.methods), dtype=object)
    totals = [r.total_cost for r in results.values()]         # rows of the (methods, N) choice
    impacts = [r.impact_mpts for r in results.values()] if has_part else None
    eligible = _eligible(results, size)
    if target is not None:
        none_meets = ~eligible.any(axis=0)
        eligible[:, none_meets] = True              # none meets the target: among all (a note says so)
    order_first = _order_first(results)
    best, cheap_tied = _pick(totals, impacts, eligible, order_first)
    cheapest = names[best]
    lowest = lowest_tied = lowest_co2e = co2e_tied = green = co2e_index = None
    if has_part:
        green, lowest_tied = _pick(impacts, totals, eligible, order_first)
        lowest = names[green]
        co2e_index, co2e_tied = lowest_known_index([r.impact_kgco2e for r in results.values()],
                                                   totals, eligible, order_first)
        lowest_co2e = names[np.maximum(co2e_index, 0)]
        if (co2e_index < 0).any():
            lowest_co2e[co2e_index < 0] = None
    return Evaluation(n=n, accepted_q_confidence=conf, methods=results, cheapest=cheapest,
                      lowest_impact=lowest, waiting_time=waiting, order_wait=params.order_wait,
                      service_target=params.service_target,
                      none_meets_target=None if target is None else none_meets,
                      cheapest_tied=cheap_tied, lowest_impact_tied=lowest_tied, cheapest_index=best,
                      lowest_impact_co2e=lowest_co2e, lowest_impact_co2e_tied=co2e_tied,
                      lowest_impact_index=green, lowest_impact_co2e_index=co2e_index)


#: The policy names, for :func:`numpy.take` (an object array of names shares the name objects).
_POLICIES = np.array(["base_stock", "reorder_point", "one_order"], dtype=object)


def _policy_names(size: int, name: str) -> np.ndarray:
    """``size`` times ``name`` as an object array (filled, not converted element by element)."""
    out = np.empty(size, dtype=object)
    out.fill(name)
    return out


def _filled(size: int, value) -> np.ndarray:
    """A new float array of ``size`` elements from ``value`` (a scalar or an array)."""
    out = np.empty(size)
    out[:] = value
    return out


def _full(impact: ImpactBreakdown, size: int) -> ImpactBreakdown:
    return ImpactBreakdown(*(np.broadcast_to(np.asarray(v, dtype=float), (size,))
                             for v in impact.as_dict().values()))


def lowest_known(values: np.ndarray, totals: np.ndarray, eligible: np.ndarray, order_first: np.ndarray,
                 names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The greenest method per column by an indicator that may be missing (NaN) for some
    methods: the choice rule of docs/model.md section 3.5 among the eligible methods whose value
    is known (cost breaks a tie); ``None`` where no method's value is known.

    >>> v = np.array([[2.0, np.nan], [1.0, np.nan]])
    >>> best, tied = lowest_known(v, np.ones((2, 2)), np.ones((2, 2), bool), np.array([False, True]),
    ...                           np.array(["a", "b"], dtype=object))
    >>> best.tolist(), tied.tolist()
    (['b', None], [False, False])
    """
    idx, tied = lowest_known_index(values, totals, eligible, order_first)
    out = names[np.maximum(idx, 0)]
    out = out if out.dtype == object else out.astype(object)
    if (idx < 0).any():
        out[idx < 0] = None
    return out, tied


def lowest_known_index(values, totals, eligible, order_first) -> tuple[np.ndarray, np.ndarray]:
    """:func:`lowest_known` as positions in the method order (``intp``; -1 where no method's
    value is known), and where the first criterion tied.

    >>> v = np.array([[2.0, np.nan], [1.0, np.nan]])
    >>> idx, tied = lowest_known_index(v, np.ones((2, 2)), np.ones((2, 2), bool), np.array([False, True]))
    >>> idx.tolist(), tied.tolist()
    ([1, -1], [False, False])
    """
    if not any(np.isnan(v).any() for v in values):         # every value known: the plain rule
        return _pick(values, totals, eligible, order_first)
    values = np.asarray(values, dtype=float)
    eligible = np.asarray(eligible, dtype=bool)
    known = ~np.isnan(values)
    among = eligible & known
    among = np.where(among.any(axis=0), among, known)     # none eligible known: among the known
    idx, tied = _pick(np.where(known, values, np.inf), totals, among, order_first)
    some = known.any(axis=0)
    return np.where(some, idx, -1), tied & some


def _eligible(results: Mapping[str, MethodResult], size: int) -> np.ndarray:
    """``(methods, N)``: which methods meet the service target (all without one)."""
    if all(r.meets_service_target is None for r in results.values()):
        return np.ones((len(results), size), bool)
    rows = [np.ones(size, bool) if r.meets_service_target is None
            else np.asarray(r.meets_service_target, bool) for r in results.values()]
    return np.vstack(rows).copy()


def _order_first(results: Mapping[str, MethodResult]) -> np.ndarray:
    return np.array([r.kind == "order" for r in results.values()])


def tied_with_minimum(values, among) -> tuple[np.ndarray, np.ndarray]:
    """The minimum of ``values`` over ``among`` (per column) and which entries equal it
    within ``TIE_REL`` relative (docs/model.md section 3.5).

    >>> low, tied = tied_with_minimum(np.array([1.0, 1.0 + 1e-12, 2.0]), np.ones(3, bool))
    >>> float(low), tied.tolist()
    (1.0, [True, True, False])
    """
    values = np.asarray(values, dtype=float)
    among = np.asarray(among, dtype=bool)
    v = np.where(among, values, np.inf)
    with np.errstate(invalid="ignore"):
        low = np.min(v, axis=0)
        equal = among & (v <= low + TIE_REL * np.abs(low))
    return low, equal


def _pick(first, second, eligible, order_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the chosen method per column (docs/model.md 3.5), and whether the first
    criterion tied.

    The lowest ``first`` among ``eligible`` (values within 1e-9 relative are equal), then the
    lowest ``second``, then an order method before a stock method, then the first declared.
    ``first``, ``second`` and ``eligible`` are ``(methods, N)`` arrays or sequences of their
    rows; the rule is applied row by row (a handful of methods, many SKUs): the numbers of
    :func:`tied_with_minimum` on the whole matrix, without building it.

    >>> cost = np.array([[10.0, 5.0], [10.0 * (1 + 1e-12), 5.0]])
    >>> impact = np.array([[2.0, 1.0], [1.0, 1.0]])
    >>> ok = np.ones((2, 2), bool)
    >>> idx, tied = _pick(cost, impact, ok, np.array([False, True]))
    >>> idx.tolist(), tied.tolist()
    ([1, 1], [True, True])
    """
    first = [np.asarray(v, dtype=float) for v in first]
    tie = _tied_rows(first, eligible)
    seen, tied = tie[0], np.zeros(tie[0].shape, bool)
    for t in tie[1:]:                      # more than one row tied
        tied |= seen & t
        seen = seen | t
    # The first tied order method, else the first tied method, else 0 (numpy's argmax of no
    # True): the highest priority written last. Where at most one row tied that is the
    # choice (unless its ``second`` is NaN: then nothing ties and it is 0); the second
    # criterion and the order rule only act where several tied, so only those columns see them.
    rank = [j for j in range(len(tie)) if order_first[j]] + [j for j in range(len(tie)) if not order_first[j]]
    idx = _last_true(tie, reversed(rank))
    if second is None:
        return idx, tied
    second = [np.asarray(v, dtype=float) for v in second]
    for t, v in zip(tie, second):
        if np.isnan(v).any():
            np.putmask(idx, t & ~tied & np.isnan(v), 0)
    at = np.flatnonzero(tied)
    if at.size:
        sub = _tied_rows([v.take(at) for v in second], [t.take(at) for t in tie])
        pick = np.zeros(at.size, dtype=np.intp)
        for j in reversed(rank):
            np.putmask(pick, sub[j], j)
        idx[at] = pick
    return idx, tied


def _tied_rows(values, among) -> list[np.ndarray]:
    """The rows of ``tied_with_minimum(values, among)[1]``, computed row by row."""
    rows = [np.asarray(v, dtype=float) for v in values]
    among = [np.asarray(a, dtype=bool) for a in among]
    everywhere = all(a.all() for a in among)
    v = rows if everywhere else [_where(a, r, np.inf) for a, r in zip(among, rows)]
    low = v[0]
    for r in v[1:]:
        low = np.minimum(low, r)
    with np.errstate(invalid="ignore"):
        bound = low + TIE_REL * np.abs(low)
        if everywhere:
            return [r <= bound for r in v]
        return [a & (r <= bound) for a, r in zip(among, v)]


def _last_true(masks, order) -> np.ndarray:
    """For each element, the last ``j`` of ``order`` whose ``masks[j]`` is true there, else 0
    (an ``intp`` array): ``idx = zeros; for j in order: putmask(idx, masks[j], j)``, in byte
    arithmetic (``sel ^= (sel ^ j) * mask``) instead of a branch per element, which a mask of
    scattered elements makes the processor mispredict."""
    order = list(order)
    shape = masks[0].shape
    if len(masks) > 255:
        idx = np.zeros(shape, dtype=np.intp)
        for j in order:
            np.putmask(idx, masks[j], j)
        return idx
    sel = np.zeros(shape, dtype=np.uint8)
    step = np.empty(shape, dtype=np.uint8)
    for j in order:
        np.bitwise_xor(sel, j, out=step)
        np.multiply(step, np.asarray(masks[j], dtype=bool).view(np.uint8), out=step)
        np.bitwise_xor(sel, step, out=sel)
    return sel.astype(np.intp)


def _where(mask, a, b) -> np.ndarray:
    """``np.where(mask, a, b)`` for float ``a`` and ``b`` (arrays or scalars), bit for bit: the
    bits of ``a`` where ``mask``, else those of ``b`` (``b ^ ((a ^ b) & -mask)`` on the 64-bit
    patterns), with no branch per element."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ones = np.multiply(np.asarray(mask, dtype=bool), -1, dtype=np.int64)    # -1 (all bits) or 0
    bits = np.bitwise_xor(a.view(np.int64), b.view(np.int64))
    bits &= ones
    bits ^= b.view(np.int64)
    return bits.view(np.float64)


def _gather(indices, rows):
    """``np.choose(index, rows)`` for each index array of ``indices``, for 1-D rows of one
    length: one gather each from the rows laid end to end (np.choose branches per element)."""
    rows = [np.asarray(r, dtype=float) for r in rows]
    size = rows[0].size
    flat = np.concatenate(rows)
    at = np.arange(size)
    out = []
    for index in indices:
        k = np.multiply(index, size, dtype=np.intp)
        k += at
        out.append(flat.take(k))
    return out


def evaluate_inputs(inputs: Mapping[str, Any], methods: Mapping[str, str], *,
                    advice: bool = True) -> Evaluation:
    """Transition wrapper: ``evaluate(bind(inputs, methods))`` for callers that still hold
    dotted scenario keys (:func:`amspares.binding.bind` reads them; the core does not)."""
    from amspares.binding import bind

    return evaluate(bind(inputs, methods), advice=advice)


def _subset(params: dict, at: np.ndarray) -> dict:
    """The SKUs ``at`` (an index array) of each array in ``params``."""
    def pick(v):
        v = np.asarray(v)
        if v.ndim == 1 and v.size and v.strides == (0,):   # one value broadcast: no copy
            return np.broadcast_to(v[:1], (at.size,))
        return v.take(at)

    return {k: (pick(v) if np.ndim(v) else v) for k, v in params.items()}


def _merge_costs(parts, size: int) -> CostBreakdown:
    """One breakdown of ``size`` SKUs (new arrays) from ``(index, breakdown)`` parts whose
    indices cover every SKU (or one part ``(slice(None), breakdown)``)."""
    if len(parts) == 1 and isinstance(parts[0][0], slice):    # one part for all SKUs: copies
        return CostBreakdown(**{k: _filled(size, v) for k, v in parts[0][1].as_dict().items()})
    out = {k: np.empty(size) for k in CostBreakdown.components()}
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
