"""Make-to-stock with a minimum order quantity: the (s,Q) policy (thesis section 3.3).

Two regimes (docs/model.md section 3.2), with ``Q = moq`` and ``n = lambda T``:

* ``Q <= n`` -- several orders, steady state (Eq. 21-26). The thesis builds an X-by-U matrix
  of lead-time demand X ~ Poisson(u) against U ~ uniform{1..Q}; here the same expectations
  come from Poisson loss functions in closed form:
  ``E[BO](s) = (G2(s) - G2(s + Q)) / Q`` and ``E[OH](s) = E[BO](s) + s + (Q + 1)/2 - u``.
  ``q = ceil(n / Q)`` orders: billed = shipped = ``q Q``.
* ``Q > n`` -- one order (Eq. 27-30): shipped = ``min(Q, accepted_q)``, billed = ``Q``;
  ``E[OH] = shipped - n/2`` (Eq. 28), ``E[BO] = 0`` (Eq. 29), no reorder point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amspares.core.basestock import DAYS_PER_YEAR
from amspares.core.costs import CostBreakdown, benefit
from amspares.core.poisson import (
    accepted_quantity,
    poisson_left_second_loss,
    poisson_loss,
    poisson_second_loss,
    smallest_integer_where,
)


def sq_expected_backorders(reorder_point, order_quantity, mean):
    """Steady-state expected backorders ``E[BO](s)`` of an (s,Q) policy (thesis Eq. 23-24).

    ``E[(X - s - U)^+]`` with ``X ~ Poisson(mean)`` (lead-time demand ``u``) and
    ``U ~ uniform{1..Q}`` (inventory position), in closed form
    ``(G2(s) - G2(s + Q)) / Q``.

    Examples
    --------
    With Q = 1 the policy is a base stock S = s + 1, so E[BO] = G1(s + 1):

    >>> round(float(sq_expected_backorders(2, 1, 1.5)), 12) == round(float(poisson_loss(3, 1.5)), 12)
    True
    """
    s = np.asarray(reorder_point, dtype=float)
    q = np.asarray(order_quantity, dtype=float)
    r = (np.asarray(poisson_second_loss(s, mean)) - np.asarray(poisson_second_loss(s + q, mean))) / q
    r = np.maximum(r, 0.0)
    return r if r.ndim else float(r)


def sq_expected_on_hand(reorder_point, order_quantity, mean):
    """Steady-state expected on-hand stock ``E[OH](s)`` of an (s,Q) policy (thesis Eq. 22, 25).

    ``E[(s + U - X)^+] = (H2(s + Q) - H2(s)) / Q`` with the second-order left loss ``H2``
    (:func:`amspares.core.poisson.poisson_left_second_loss`); equal to
    ``E[BO](s) + s + (Q + 1)/2 - u`` but without its cancellation, so an on-hand stock that
    is 0 in exact arithmetic (``s + Q <= 0``) is exactly 0 (docs/model.md section 3.2).

    Examples
    --------
    >>> round(float(sq_expected_on_hand(0, 1, 0.0)), 12)     # no demand: one part on hand
    1.0
    >>> float(sq_expected_on_hand(-5, 5, 1e4))               # s + Q = 0: never any stock
    0.0
    """
    s = np.asarray(reorder_point, dtype=float)
    q = np.asarray(order_quantity, dtype=float)
    r = (np.asarray(poisson_left_second_loss(s + q, mean)) - np.asarray(poisson_left_second_loss(s, mean))) / q
    r = np.where(s + q <= 0, 0.0, np.maximum(r, 0.0))
    return r if r.ndim else float(r)


def reorder_point_search_top(mean):
    """Top of the reorder-point search, ``ceil(u + 12 sqrt(u) + 12)``: beyond it the Poisson
    tail of the lead-time demand is below 1e-25, so no larger s changes E[BO].

    Examples
    --------
    >>> int(reorder_point_search_top(2 * 86 / 365))
    21
    """
    m = np.asarray(mean, dtype=float)
    top = np.ceil(m + 12.0 * np.sqrt(m) + 12.0)
    return top if top.ndim else int(top)


def optimal_reorder_point(order_quantity, mean, holding_per_part_year, emergency_per_day,
                          window_mean=None, minimum=None):
    """Cost-optimal reorder point ``s* = argmin_{s >= -Q}`` of ``CD + CH`` (Eq. 15-16, 26).

    ``f(s) = 365 ce T E[BO_w](s) + h T E[OH](s)`` with ``E[OH] = E[BO] + s + (Q + 1)/2 - u``;
    ``E[BO_w]`` is E[BO] at the lead-time demand beyond the free window, ``window_mean`` =
    ``u_w = lambda (L - w)^+`` (docs/model.md section 3.2; default ``u``: version 1). f is
    convex in s; its forward difference is
    ``h T - (h T (G1_u(s + 1) - G1_u(s + Q + 1)) + 365 ce T (G1_w(s + 1) - G1_w(s + Q + 1))) / Q``,
    so s* is the smallest s where that is >= 0 (ties to the smaller s), found by an integer
    bisection, vectorised. T cancels. ``minimum`` (optional): a lower bound on s (a service
    target, :func:`amspares.core.service.minimum_reorder_point`); by convexity the constrained
    optimum is ``max(s*, minimum)``.

    Examples
    --------
    Case study with Q = 20 (the thesis's X-by-U matrix, summed by brute force, gives 3):

    >>> optimal_reorder_point(20, 86 / 365 * 2, 0.45, 100.0)
    3
    """
    q = np.asarray(order_quantity, dtype=float)
    m = np.asarray(mean, dtype=float)
    mw = m if window_mean is None else np.asarray(window_mean, dtype=float)
    h = np.asarray(holding_per_part_year, dtype=float)
    ce = np.asarray(emergency_per_day, dtype=float)
    q, m, mw, h, ce = np.broadcast_arrays(q, m, mw, h, ce)
    same = window_mean is None

    shape = q.shape
    qf, mf, mwf, hf, cef = (x.reshape(-1) for x in (q, m, mw, h, ce))

    def holds(s, k):                       # the elements k whose search is still open
        q, m, h, ce = qf[k], mf[k], hf[k], cef[k]
        drop = np.asarray(poisson_loss(s + 1, m)) - np.asarray(poisson_loss(s + q + 1, m))
        if same:
            return h * q >= (DAYS_PER_YEAR * ce + h) * drop
        mw = mwf[k]
        drop_w = np.asarray(poisson_loss(s + 1, mw)) - np.asarray(poisson_loss(s + q + 1, mw))
        return h * q >= h * drop + DAYS_PER_YEAR * ce * drop_w

    lo = -q.copy()
    hi = np.maximum(np.asarray(reorder_point_search_top(m), dtype=float), lo)
    lo = smallest_integer_where(holds, lo, hi, subset=True).reshape(shape)
    if minimum is not None:
        lo = np.maximum(lo, np.asarray(minimum, dtype=float))
    s = lo.astype(np.int64)
    return s if s.ndim else int(s)


@dataclass(frozen=True)
class SQPolicy:
    """An (s,Q) policy and its cost (docs/model.md section 3.2). ``s`` is NaN in the one-order regime."""

    s: np.ndarray | float
    Q: np.ndarray | int
    billed: np.ndarray | float
    shipped: np.ndarray | float
    expected_on_hand: np.ndarray | float
    expected_backorders: np.ndarray | float
    accepted_q: np.ndarray | int
    cost: CostBreakdown
    fill_rate: np.ndarray | float | None = None       # docs/model.md section 3.4
    on_time_rate: np.ndarray | float | None = None
    mean_wait_days: np.ndarray | float | None = None

    @property
    def total_cost(self):
        return self.cost.total


def sq_policy_costs(order_quantity, *, rate, years, price, lead_time_years, emergency_per_day,
                    regular_per_demand=0.0, holding_per_part_year=0.0, inbound_share=0.0,
                    outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0,
                    accepted_q_confidence=0.999, reorder_point=None, free_days=0.0,
                    service_target=None, service_measures=True):
    """Cost of ordering ``Q`` at a time, at the optimal (or a given) reorder point (docs/model.md section 3.2).

    * ``CD = 365 E[BO_w] ce T + n cd`` (Eq. 15; ``E[BO_w]`` = E[BO] at ``u_w = lambda (L - w)^+``,
      ``w = free_days / 365``, docs/model.md section 3.2), ``CH = E[OH] h T`` (Eq. 16)
    * ``CP = billed cp`` (Eq. 18), ``CR = 0`` (left-overs are already in CP)
    * ``CTr = shipped cp Tr_in + n Tr_out`` (inbound transport on the parts actually shipped,
      thesis 5.1.2), ``B = bp n T / 2``.

    One-order regime (``Q > n``): shipped ``= max(1, min(Q, accepted_q))`` when ``n > 0``
    (docs/model.md 3.2: at least one part, so ``E[OH] = shipped - n/2 >= 0``); no demand
    (``n = 0``): nothing is ordered (billed = shipped = 0).

    Parameters are those of :func:`amspares.core.base_stock_costs`, plus
    ``order_quantity`` (Q >= 1), ``accepted_q_confidence`` (Eq. 31), an optional fixed
    ``reorder_point`` (default: :func:`optimal_reorder_point`), ``free_days`` and an optional
    ``service_target`` (minimum on-time rate: the reorder point is the cheapest meeting it;
    the one-order regime has no reorder point and meets it or not).

    Returns an :class:`SQPolicy` with the service measures ``fill_rate``, ``on_time_rate``
    and ``mean_wait_days`` (docs/model.md section 3.4; None with ``service_measures=False``).

    Examples
    --------
    The case study with a minimum order quantity of 100 (> n = 60, one order): 85 parts are
    shipped (accepted_q), 100 billed.

    >>> p = sq_policy_costs(100, rate=2.0, years=30.0, price=15.0, lead_time_years=86/365,
    ...                     emergency_per_day=100.0, holding_per_part_year=0.45,
    ...                     inbound_share=0.08, outbound_per_part=10.0)
    >>> float(p.shipped), float(p.billed), float(p.expected_on_hand)
    (85.0, 100.0, 55.0)
    """
    from amspares.core.service import (
        _check_target,
        minimum_reorder_point,
        one_order_service,
        sq_service,
    )

    q = np.asarray(order_quantity, dtype=float)
    lam = np.asarray(rate, dtype=float)
    yrs = np.asarray(years, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    fdays = np.asarray(free_days, dtype=float)
    q, lam, yrs, lead, fdays = np.broadcast_arrays(q, lam, yrs, lead, fdays)
    n = lam * yrs
    u = lam * lead
    window = bool(np.any(fdays > 0))
    uw = lam * np.maximum(lead - fdays / DAYS_PER_YEAR, 0.0) if window else u
    cp = np.asarray(price, dtype=float)
    h = np.asarray(holding_per_part_year, dtype=float)
    ce = np.asarray(emergency_per_day, dtype=float)
    acc = np.asarray(accepted_quantity(n, accepted_q_confidence), dtype=float)
    several = (q <= n) & (n > 0)
    # The reorder point, E[BO] and E[OH] of the steady state only where there are several
    # orders (the one-order regime has none): every value is element-wise, so computing them
    # on that subset gives the same numbers.
    pick = np.flatnonzero(several) if several.ndim and not several.all() else None

    def sub(x):
        x = np.asarray(x, dtype=float)
        return x if pick is None else np.broadcast_to(x, several.shape).reshape(-1)[pick]

    def spread(x, rest):
        """``where(several, x, rest)`` from ``x`` on the subset."""
        if pick is None:
            return np.where(several, x, rest)
        full = np.array(np.broadcast_to(np.asarray(rest, dtype=float), several.shape), dtype=float)
        full.reshape(-1)[pick] = x
        return full

    qk, uk, uwk = sub(q), sub(u), sub(uw)
    if reorder_point is None:
        smin = None
        if service_target is not None:
            _check_target(service_target)      # every row's, not only the subset's
            smin = minimum_reorder_point(sub(service_target), qk, rate=sub(lam), lead_time_years=sub(lead),
                                         free_days=sub(fdays))
        sk = np.asarray(optimal_reorder_point(qk, uk, sub(h), sub(ce), window_mean=uwk if window else None,
                                              minimum=smin), dtype=float)
    else:
        sk = sub(np.broadcast_to(np.asarray(reorder_point, dtype=float), q.shape))
    s = spread(sk, 0.0)
    ebok = np.asarray(sq_expected_backorders(sk, qk, uk))
    ebo = spread(ebok, 0.0)
    ebo_w = spread(np.asarray(sq_expected_backorders(sk, qk, uwk)), 0.0) if window else ebo
    orders = np.ceil(n / q)
    billed = np.where(several, orders * q, np.where(n > 0, q, 0.0))
    shipped = np.where(several, orders * q, np.where(n > 0, np.maximum(np.minimum(q, acc), 1.0), 0.0))
    eoh = spread(np.asarray(sq_expected_on_hand(sk, qk, uk)), np.maximum(shipped - n / 2.0, 0.0))
    with np.errstate(invalid="ignore"):
        downtime = np.where(ce * n == 0, 0.0, DAYS_PER_YEAR * ebo_w * ce * yrs) + n * regular_per_demand
    holding = eoh * h * yrs
    production = billed * cp
    scrapping = np.zeros_like(production)
    transport = shipped * cp * inbound_share + n * outbound_per_part
    parts = np.broadcast_arrays(downtime, holding, production, scrapping, transport,
                                np.asarray(investment, dtype=float),
                                benefit(benefit_per_part_year, n, yrs))
    cost = CostBreakdown(*[p if p.ndim else float(p) for p in parts])
    s_out = np.where(several, s, np.nan)

    def out(x, integer=False):
        x = np.asarray(x)
        if integer:
            x = x.astype(np.int64)
        return x if x.ndim else x.item()

    if not service_measures:
        return SQPolicy(s=out(s_out), Q=out(q, True), billed=out(billed), shipped=out(shipped),
                        expected_on_hand=out(eoh), expected_backorders=out(ebo),
                        accepted_q=out(acc, True), cost=cost)
    sv_many = sq_service(sk, qk, rate=sub(lam), lead_time_years=sub(lead), free_days=sub(fdays),
                         expected_backorders=ebok)
    if pick is None:
        sv_one = one_order_service(shipped, total_demand=n)
        fill = spread(sv_many.fill_rate, sv_one.fill_rate)
        on_time = spread(sv_many.on_time_rate, sv_one.on_time_rate)
        wait = spread(sv_many.mean_wait_days, sv_one.mean_wait_days)
    else:                                      # each regime's measures on its own SKUs
        other = np.flatnonzero(~several.reshape(-1))
        sv_one = one_order_service(shipped.reshape(-1)[other], total_demand=n.reshape(-1)[other])
        fill, on_time, wait = (np.empty(several.shape) for _ in range(3))
        for full, many, one in ((fill, sv_many.fill_rate, sv_one.fill_rate),
                                (on_time, sv_many.on_time_rate, sv_one.on_time_rate),
                                (wait, sv_many.mean_wait_days, sv_one.mean_wait_days)):
            full.reshape(-1)[pick] = many
            full.reshape(-1)[other] = one

    return SQPolicy(s=out(s_out), Q=out(q, True), billed=out(billed), shipped=out(shipped),
                    expected_on_hand=out(eoh), expected_backorders=out(ebo),
                    accepted_q=out(acc, True), cost=cost, fill_rate=out(fill),
                    on_time_rate=out(on_time), mean_wait_days=out(wait))


@dataclass(frozen=True)
class OrderQuantityAdvice:
    """The cheapest order quantity ``Q >= moq`` (docs/model.md section 3.2, thesis 5.1.2)."""

    Q: np.ndarray | int
    s: np.ndarray | float
    total_cost: np.ndarray | float
    saving: np.ndarray | float  # TC(moq) - TC(Q): what ordering Q instead of moq saves


#: An advised order quantity must save more than this share of the cost at Q = moq
#: (docs/model.md section 3.5): no advice from float residue.
ADVICE_MIN_SAVING = 1e-9


def optimal_sq_policy(minimum_order_quantity, *, advice=True, **params):
    """(s,Q) policy at ``Q = moq`` with the optimal reorder point, and the Q advice.

    Returns ``(policy, advice)``: ``policy`` is :func:`sq_policy_costs` at ``Q = moq``;
    ``advice`` (when asked) is the cheapest ``Q`` in ``moq .. max(moq, accepted_q)``,
    ties to the smaller Q, as :class:`OrderQuantityAdvice`. A larger Q is advised only when
    it saves more than 1e-9 of the total (``ADVICE_MIN_SAVING``, docs/model.md 3.5); with a
    ``service_target`` (passed on to :func:`sq_policy_costs`, like ``free_days``) a Q whose
    policy meets the target beats one that does not.

    Examples
    --------
    Thesis 5.1.2: with moq = 40 and n = 60, ordering 40 twice (80 billed) is dearer than
    one order just above n, which needs no reorder point and has no backorders (Eq. 29):

    >>> pol, adv = optimal_sq_policy(40, rate=2.0, years=30.0, price=15.0,
    ...     lead_time_years=86/365, emergency_per_day=100.0, holding_per_part_year=0.45,
    ...     inbound_share=0.08, outbound_per_part=10.0)
    >>> adv.Q, round(adv.total_cost, 2), round(float(pol.total_cost), 2)
    (61, 2006.7, 2211.09)
    """
    policy = sq_policy_costs(minimum_order_quantity, **params)
    if not advice:
        return policy, None
    scalar = np.ndim(policy.Q) == 0
    moq = np.atleast_1d(np.asarray(policy.Q))
    upper = np.maximum(moq, np.atleast_1d(policy.accepted_q))
    best_q = moq.copy()
    best_tc = np.broadcast_to(np.atleast_1d(np.asarray(policy.total_cost, dtype=float)), moq.shape).copy()
    best_s = np.broadcast_to(np.atleast_1d(np.asarray(policy.s, dtype=float)), moq.shape).copy()
    target = params.get("service_target")

    def meets(pol, target):
        if target is None:
            return np.ones(np.atleast_1d(pol.Q).shape, dtype=bool)
        return np.atleast_1d(np.asarray(pol.on_time_rate) >= np.asarray(target, dtype=float))

    best_ok = np.broadcast_to(meets(policy, target), moq.shape).copy()
    span = int((upper - moq).max(initial=0))
    full = {k: np.broadcast_to(np.asarray(v), moq.shape) if not (v is None or isinstance(v, str)) else v
            for k, v in params.items()}
    for d in range(1, span + 1):
        live = np.flatnonzero((moq + d) <= upper)     # by index: faster than a mask, same SKUs
        if not live.size:
            break
        sub = {k: (v.take(live) if isinstance(v, np.ndarray) and v.ndim else v) for k, v in full.items()}
        cand = sq_policy_costs(moq.take(live) + d, service_measures=target is not None, **sub)
        tc = np.atleast_1d(np.asarray(cand.total_cost, dtype=float))
        ok = np.broadcast_to(meets(cand, sub.get("service_target")), tc.shape)   # the live SKUs' targets
        ref = best_tc[live]
        cheaper = tc < ref - ADVICE_MIN_SAVING * np.abs(ref)
        better = (ok & ~best_ok[live]) | ((ok == best_ok[live]) & cheaper)
        pos = live[better]
        best_tc[pos] = tc[better]
        best_q[pos] = (moq.take(live) + d)[better]
        best_s[pos] = np.atleast_1d(np.asarray(cand.s, dtype=float))[better]
        best_ok[pos] = ok[better]
    saving = np.asarray(policy.total_cost, dtype=float) - best_tc

    def out(x):
        return x.reshape(-1)[0].item() if scalar else x

    return policy, OrderQuantityAdvice(Q=out(best_q), s=out(best_s), total_cost=out(best_tc),
                                       saving=out(saving))
