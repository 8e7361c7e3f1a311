"""Make-to-stock with one-by-one replenishment: base stock S (thesis section 3.2).

``TC(S) = CD + CH + CP + CR + CTr + I - B`` (Eq. 1) with the components of Eq. 7-13, and the
optimal base stock ``S* = argmin TC(S)`` (Eq. 14), vectorised over any number of SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amspares.core.costs import CostBreakdown, benefit
from amspares.core.erlang import erlang_b, erlang_c
from amspares.core.poisson import poisson_cdf, poisson_loss

WAITING_TIME_MODELS = ("erlang_c", "exact")
PRODUCTION_RULES = ("demand", "max_demand_stock")
DAYS_PER_YEAR = 365.0


def lead_time_years(production_days, shipping_days=0.0):
    """Replenishment lead time ``L = (production_days + shipping_days) / 365`` in years (docs/model.md section 3).

    docs/model.md section 9: the thesis's lead times (86 and 11 days) are production plus 4 shipping days.

    Examples
    --------
    >>> round(lead_time_years(82.0, 4.0) * 365, 9)
    86.0
    """
    return (np.asarray(production_days, dtype=float) + shipping_days) / DAYS_PER_YEAR if np.ndim(production_days) \
        else (float(production_days) + float(shipping_days)) / DAYS_PER_YEAR


def offered_load(rate, lead_time_years):
    """Expected demand during the lead time ``u = lambda L`` (docs/model.md section 3; the Erlang "offered load").

    Examples
    --------
    >>> round(offered_load(2.0, 86 / 365), 6)
    0.471233
    """
    return np.multiply(rate, lead_time_years) if np.ndim(rate) or np.ndim(lead_time_years) \
        else float(rate) * float(lead_time_years)


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")


def backorder_wait(stock, rate, lead_time_years, waiting_time="erlang_c", free_days=0.0):
    """Mean backorder delay per demand beyond the free window, ``Wx(S)``, in years
    (docs/model.md section 3.1; thesis Eq. 6 when ``free_days = 0``).

    With ``w = free_days / 365`` (``Wx = W`` for ``w = 0``):

    * ``"erlang_c"``: ``Wx = Ec(S, u) L / (S - u) exp(-(S - u) w / L)`` for ``u < S`` (Eq. 6,
      M/M/S queue: ``P(delay > t) = Ec exp(-(S/L - lambda) t)``), ``Wx = (L - w)^+`` for
      ``S = 0``, ``inf`` when ``1 <= S <= u`` (unstable queue).
    * ``"exact"``: ``Wx = E[(Poisson(u_w) - S)^+] / lambda`` with ``u_w = lambda (L - w)^+``
      (M/G/inf pipeline, Palm's theorem, Little's law: under FIFO
      ``P(delay > t) = P(Poisson(lambda (L - t)) >= S)``); 0 when ``lambda = 0``.

    Parameters
    ----------
    stock : int or array_like of int
        Base stock level S >= 0.
    rate : float or array_like
        Demand rate lambda per year.
    lead_time_years : float or array_like
        Replenishment lead time L in years.
    waiting_time : {"erlang_c", "exact"}
    free_days : float or array_like
        The free downtime window in days (default 0).

    Examples
    --------
    At S = 1 in the case study Erlang C overstates the exact wait 4.4-fold (docs/model.md 3.1):

    >>> L = 86 / 365
    >>> ratio = backorder_wait(1, 2.0, L) / backorder_wait(1, 2.0, L, "exact")
    >>> round(float(ratio), 2)
    4.4

    A window as long as the lead time leaves no excess wait under "exact":

    >>> backorder_wait(0, 2.0, L, "exact", free_days=86.0)
    0.0
    """
    _check_choice("waiting_time", waiting_time, WAITING_TIME_MODELS)
    s = np.asarray(stock)
    lam = np.asarray(rate, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    w = np.asarray(free_days, dtype=float) / DAYS_PER_YEAR
    s, lam, lead, w = np.broadcast_arrays(s, lam, lead, w)
    u = lam * lead
    window = bool(np.any(w > 0))
    if waiting_time == "erlang_c":
        ec = np.asarray(erlang_c(s, u), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            wq = ec * lead / (s - u)
            if window:
                wq = wq * np.where(w > 0, np.exp(-(s - u) * w / np.where(lead > 0, lead, 1.0)), 1.0)
            w0 = np.maximum(lead - w, 0.0) if window else lead
            out = np.where(s == 0, w0, np.where(u < s, wq, np.inf))
    else:
        uw = lam * np.maximum(lead - w, 0.0) if window else u
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(lam > 0, np.asarray(poisson_loss(s, uw)) / np.where(lam > 0, lam, 1.0), 0.0)
    return out if out.ndim else float(out)


def _downtime_emergency(wait, total_demand, emergency_per_day):
    """``365 W n ce`` of Eq. 7, with 0 * inf taken as 0 (no demand or no penalty)."""
    weight = total_demand * emergency_per_day
    with np.errstate(invalid="ignore"):
        return np.where(weight == 0, 0.0, DAYS_PER_YEAR * wait * weight)


def base_stock_costs(stock, *, rate, years, price, lead_time_years, emergency_per_day,
                     regular_per_demand=0.0, holding_per_part_year=0.0, inbound_share=0.0,
                     outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0,
                     waiting_time="erlang_c", production_rule="demand", free_days=0.0):
    """Cost breakdown of a stock method at base stock ``S`` (thesis Eq. 1, 7-13).

    * ``CD  = 365 Wx(S) n ce + n cd`` (Eq. 7; ``Wx`` the wait beyond ``free_days``,
      docs/model.md section 3.1, :func:`backorder_wait`)
    * ``CH  = h S T`` (Eq. 8-9; space is reserved for S parts)
    * ``CP  = n cp`` (Eq. 10), or ``max(n, S) cp`` under ``production_rule="max_demand_stock"``
      (thesis 5.1.3)
    * ``CR  = cp S`` (Eq. 11, the stock is scrapped at the end)
    * ``CTr = (CP + CR) Tr_in + n Tr_out`` (Eq. 12)
    * ``B   = bp n T / 2`` (Eq. 13)

    Parameters
    ----------
    stock : int or array_like
        Base stock S >= 0.
    rate, years : float or array_like
        Demand rate lambda (per year) and service period T (years); ``n = lambda T``.
    price : float or array_like
        Production price per part ``cp`` (EUR).
    lead_time_years : float or array_like
        Replenishment lead time L (years).
    emergency_per_day, regular_per_demand : float or array_like
        Downtime penalty ``ce`` per backordered part per day; fixed downtime cost ``cd``
        per demand.
    holding_per_part_year, inbound_share, outbound_per_part : float or array_like
        ``h_item``; ``Tr_in`` (share of the value shipped in); ``Tr_out`` (per part out).
    investment, benefit_per_part_year : float or array_like
        One-off investment ``I``; benefit ``bp``.
    waiting_time : {"erlang_c", "exact"}
    production_rule : {"demand", "max_demand_stock"}
    free_days : float or array_like
        Free downtime window in days (default 0: version 1).

    Returns
    -------
    CostBreakdown

    Examples
    --------
    The case study's regular supplier at S = 5 (docs/model.md section 8: TC = 1735.71):

    >>> c = base_stock_costs(5, rate=2.0, years=30.0, price=15.0, lead_time_years=86/365,
    ...                      emergency_per_day=100.0, holding_per_part_year=0.45,
    ...                      inbound_share=0.08, outbound_per_part=10.0)
    >>> round(float(c.total), 2), round(float(c.downtime), 2), float(c.transport)
    (1735.71, 15.21, 678.0)
    """
    _check_choice("production_rule", production_rule, PRODUCTION_RULES)
    w = backorder_wait(stock, rate, lead_time_years, waiting_time, free_days)
    return _costs_from_wait(stock, w, rate=rate, years=years, price=price,
                            emergency_per_day=emergency_per_day, regular_per_demand=regular_per_demand,
                            holding_per_part_year=holding_per_part_year, inbound_share=inbound_share,
                            outbound_per_part=outbound_per_part, investment=investment,
                            benefit_per_part_year=benefit_per_part_year, production_rule=production_rule)


def _costs_from_wait(stock, w, *, rate, years, price, emergency_per_day, regular_per_demand,
                     holding_per_part_year, inbound_share, outbound_per_part, investment,
                     benefit_per_part_year, production_rule):
    """Eq. 1, 7-13 given the excess wait ``Wx(S)`` (years)."""
    s = np.asarray(stock)
    if s.dtype.kind in "iu":
        s = s.astype(float)        # what every product with a float does, once
    n = np.asarray(rate, dtype=float) * np.asarray(years, dtype=float)
    cp = np.asarray(price, dtype=float)
    downtime = _downtime_emergency(w, n, emergency_per_day) + n * regular_per_demand
    holding = np.asarray(holding_per_part_year, dtype=float) * s * years
    if production_rule == "demand":
        production = n * cp
    else:
        production = np.maximum(n, s) * cp
    scrapping = cp * s
    transport = (production + scrapping) * inbound_share + n * outbound_per_part
    inv = np.asarray(investment, dtype=float)
    ben = benefit(benefit_per_part_year, n, years)
    parts = np.broadcast_arrays(downtime, holding, production, scrapping, transport, inv, ben)
    return CostBreakdown(*[p if p.ndim else float(p) for p in parts])


@dataclass(frozen=True)
class BaseStockPolicy:
    """The cost-optimal base stock of a stock method with moq = 1, with its service measures
    (docs/model.md section 3.4: per demand, at ``S``)."""

    S: np.ndarray | int
    cost: CostBreakdown
    fill_rate: np.ndarray | float | None = None
    on_time_rate: np.ndarray | float | None = None
    mean_wait_days: np.ndarray | float | None = None

    @property
    def total_cost(self):
        return self.cost.total


#: SKUs whose lead-time demand u is at most this step S = 0, 1, 2, ... (cheap steps, about
#: u + 10 sqrt(u) of them); larger ones are searched by bisection on the first difference.
STEP_SEARCH_MAX_LOAD = 64.0
_REL = 1e-12          # ties: costs within 1e-12 of the total are equal (to the smaller S)
_NEGLIGIBLE = 1e-13   # a downtime cost below this share of the total can no longer matter


def optimal_base_stock(*, rate, years, price, lead_time_years, emergency_per_day,
                       regular_per_demand=0.0, holding_per_part_year=0.0, inbound_share=0.0,
                       outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0,
                       waiting_time="erlang_c", production_rule="demand", free_days=0.0,
                       service_target=None):
    """Cost-optimal base stock ``S* = argmin_S TC(S)`` (thesis Eq. 14), vectorised, no cap on S.

    Ties go to the smaller S: a larger S must beat the best total by more than 1e-12 of it.
    Infeasible S (Erlang C with ``1 <= S <= u``) are skipped. With ``service_target`` the
    minimum is over the S whose on-time rate is at least the target (docs/model.md 3.4;
    :func:`amspares.core.service.minimum_base_stock`).

    Search (docs/model.md section 3.1), in O(sqrt(u) + log u) vectorised steps per SKU:

    * ``u <= 64``: all such SKUs step together over S = 0, 1, 2, ... (the Erlang B recursion
      carried from one S to the next), each stopping as soon as no larger S can be cheaper
      (a larger S adds at least ``h T + cp (1 + Tr_in)`` while the downtime cost is >= 0).
    * ``u > 64``: TC is convex on the feasible S: under "exact" ``E[(X - S)^+]`` is convex and
      every other term linear or convex (``max(n, S)``); under Erlang C the M/M/S mean delay
      is convex decreasing in S > u (Dyer & Proll 1977), and so is its product with the
      window factor ``exp(-(S - u) w / L)``. The first difference (under "exact" in closed
      form, ``h T + cp (1 + Tr_in) - 365 ce T P(Poisson(u_w) > S)``: the newsvendor quantile)
      is bracketed by doubling from ``sqrt(u)`` and bisected; a second bisection applies the
      tie rule; Erlang C compares the result with S = 0. Erlang B comes from its one-step
      Poisson form (:mod:`amspares.core.erlang`).

    Parameters are those of :func:`base_stock_costs` (without ``stock``); any of them may
    be arrays, broadcast together. ``service_target``: optional minimum on-time rate in (0, 1).

    Returns
    -------
    BaseStockPolicy
        ``S`` (int or int array), the :class:`CostBreakdown` at ``S`` and its service
        measures ``fill_rate``, ``on_time_rate``, ``mean_wait_days``.

    Examples
    --------
    The case study's regular supplier (docs/model.md section 8): S* = 5, TC = 1735.71.

    >>> p = optimal_base_stock(rate=2.0, years=30.0, price=15.0, lead_time_years=86/365,
    ...                        emergency_per_day=100.0, holding_per_part_year=0.45,
    ...                        inbound_share=0.08, outbound_per_part=10.0)
    >>> p.S, round(float(p.total_cost), 2)
    (5, 1735.71)

    A lead-time demand of 10^6 parts (10^6 per year, 400 production days) under Erlang C:

    >>> p = optimal_base_stock(rate=1e6, years=30.0, price=15.0, lead_time_years=400/365,
    ...                        emergency_per_day=100.0, holding_per_part_year=0.45)
    >>> p.S > 1e6
    True
    """
    _check_choice("waiting_time", waiting_time, WAITING_TIME_MODELS)
    _check_choice("production_rule", production_rule, PRODUCTION_RULES)
    numbers = dict(rate=rate, years=years, price=price, lead_time_years=lead_time_years,
                   emergency_per_day=emergency_per_day, regular_per_demand=regular_per_demand,
                   holding_per_part_year=holding_per_part_year, inbound_share=inbound_share,
                   outbound_per_part=outbound_per_part, investment=investment,
                   benefit_per_part_year=benefit_per_part_year, free_days=free_days)
    if service_target is not None:
        numbers["service_target"] = service_target
    numbers = {k: np.asarray(v, dtype=float) for k, v in numbers.items()}
    shape = np.broadcast_shapes(*(v.shape for v in numbers.values()))
    size = int(np.prod(shape))
    if size <= SEARCH_BLOCK:
        return _optimal_base_stock(waiting_time=waiting_time, production_rule=production_rule,
                                   **numbers)
    # Blocks of SEARCH_BLOCK SKUs from start to end (search, service measures, costs): every
    # SKU's result is computed by the same element-wise operations whatever its block, and
    # the working arrays of a block stay in the processor's cache.
    flat = {k: np.broadcast_to(v, shape).reshape(-1) for k, v in numbers.items()}
    S = np.empty(size, dtype=np.int64)
    service = [np.empty(size) for _ in range(3)]
    parts = [np.empty(size) for _ in CostBreakdown.components()]
    for start in range(0, size, SEARCH_BLOCK):
        block = slice(start, start + SEARCH_BLOCK)
        p = _optimal_base_stock(waiting_time=waiting_time, production_rule=production_rule,
                                **{k: v[block] for k, v in flat.items()})
        S[block] = p.S
        for out, got in zip(service, (p.fill_rate, p.on_time_rate, p.mean_wait_days)):
            out[block] = got
        for out, c in zip(parts, CostBreakdown.components()):
            out[block] = getattr(p.cost, c)
    fill, on_time, wait = (x.reshape(shape) for x in service)
    return BaseStockPolicy(S=S.reshape(shape), cost=CostBreakdown(*(x.reshape(shape) for x in parts)),
                           fill_rate=fill, on_time_rate=on_time, mean_wait_days=wait)


def _optimal_base_stock(*, rate, years, price, lead_time_years, emergency_per_day,
                        regular_per_demand, holding_per_part_year, inbound_share,
                        outbound_per_part, investment, benefit_per_part_year,
                        waiting_time, production_rule, free_days, service_target=None):
    """:func:`optimal_base_stock` of at most about :data:`SEARCH_BLOCK` SKUs (float arrays)."""
    from amspares.core.service import minimum_base_stock

    args = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (
        rate, years, price, lead_time_years, emergency_per_day, holding_per_part_year,
        inbound_share, free_days)))
    shape = args[0].shape
    lam, yrs, cp, lead, ce, h, tr_in, fdays = (a.reshape(-1) for a in args)   # views if 1-D
    n = lam * yrs
    u = lam * lead
    # ``fix`` is the size of the S-independent part of TC (n cp (1 + Tr_in), n Tr_out, n cd,
    # I, B): ties are judged at the precision of the total. Without this, a part whose stock
    # costs nothing (no price, no holding) climbs to S ~ 140 chasing downtime savings that
    # vanish when the total is rounded.
    fix = np.broadcast_to(
        (np.abs(np.asarray(regular_per_demand, dtype=float)) + np.abs(np.asarray(outbound_per_part, dtype=float))) * n.reshape(shape)
        + np.abs(np.asarray(investment, dtype=float))
        + np.abs(np.asarray(benefit_per_part_year, dtype=float)) * (n * yrs).reshape(shape), shape).reshape(-1)
    fix = fix + n * cp * (1.0 + tr_in)
    if service_target is None:
        smin = np.zeros(lam.size, dtype=np.int64)
    else:
        smin = np.atleast_1d(np.asarray(minimum_base_stock(
            np.broadcast_to(np.asarray(service_target, dtype=float), shape).ravel(), rate=lam,
            lead_time_years=lead, waiting_time=waiting_time, free_days=fdays), dtype=np.int64))
    best_s = np.zeros(lam.size, dtype=np.int64)
    best_b = np.full(lam.size, np.nan)         # Erlang B at S* where the step search has it
    small = u <= STEP_SEARCH_MAX_LOAD
    cols = (lam, yrs, cp, lead, ce, h, tr_in, fdays, fix, smin)
    kw = dict(waiting_time=waiting_time, production_rule=production_rule)
    if small.all():
        best_s, best_b = _blocked(_step_search, cols, **kw)
    elif small.any():
        best_s[small], best_b[small] = _blocked(_step_search, [c[small] for c in cols], **kw)
    if not small.any():
        best_s = _bisect_search(*cols, **kw)
    elif not small.all():
        best_s[~small] = _bisect_search(*[c[~small] for c in cols], **kw)
    best_s = best_s.reshape(shape)
    wx, fill, on_time, wait = _wait_and_service(best_s, lam.reshape(shape), lead.reshape(shape),
                                                fdays.reshape(shape), waiting_time,
                                                best_b.reshape(shape))
    cost = _costs_from_wait(best_s, wx, rate=rate, years=years, price=price,
                            emergency_per_day=emergency_per_day, regular_per_demand=regular_per_demand,
                            holding_per_part_year=holding_per_part_year, inbound_share=inbound_share,
                            outbound_per_part=outbound_per_part, investment=investment,
                            benefit_per_part_year=benefit_per_part_year, production_rule=production_rule)

    def out(x):
        return x if x.ndim else float(x)

    return BaseStockPolicy(S=best_s if best_s.ndim else int(best_s), cost=cost, fill_rate=out(fill),
                           on_time_rate=out(on_time), mean_wait_days=out(wait))


#: SKUs evaluated at a time (search, service measures, costs): the working arrays of a block
#: stay in the processor's caches, and each step's Python overhead is shared by many SKUs.
#: Every SKU's numbers are independent of the others', so the result does not depend on it.
SEARCH_BLOCK = 1 << 15
_COMPRESS_AT = 0.5     # the step search drops finished SKUs once at most this share is live


def _blocked(search, cols, **kw):
    """``search(*cols, **kw)`` (S*, Erlang B at S*) over blocks of :data:`SEARCH_BLOCK` SKUs."""
    size = cols[0].size
    if size <= SEARCH_BLOCK:
        return search(*cols, **kw)
    out_s, out_b = np.empty(size, dtype=np.int64), np.empty(size)
    for start in range(0, size, SEARCH_BLOCK):
        block = slice(start, start + SEARCH_BLOCK)
        out_s[block], out_b[block] = search(*(c[block] for c in cols), **kw)
    return out_s, out_b


def _wait_and_service(S, lam, lead, fdays, waiting_time, erlang_b_at=None):
    """``Wx(S)`` (:func:`backorder_wait`) and the service measures of
    :func:`amspares.core.service.base_stock_service` from one Erlang C or Poisson evaluation.

    ``erlang_b_at``: Erlang B at ``S`` where the search computed it by the recursion (NaN
    elsewhere); used where :func:`amspares.core.erlang.erlang_b` takes the same recursion."""
    u = lam * lead
    w = fdays / DAYS_PER_YEAR
    window = bool(np.any(w > 0))
    none = lam == 0
    safe = np.where(none, 1.0, lam)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if waiting_time == "erlang_c":
            ec = _erlang_c_at(S, u, erlang_b_at)
            S = np.asarray(S, dtype=float)     # the int -> float conversion of every product, once
            zero = S == 0
            stable = (S >= 1) & (u < S)
            wq = np.where(zero, lead, np.where(stable, ec * lead / (S - u), np.inf))
            fill = np.where(stable, 1.0 - ec, 0.0)
            if window:
                decay = np.where(w > 0, np.exp(-(S - u) * w / np.where(lead > 0, lead, 1.0)), 1.0)
                wx = np.where(zero, np.maximum(lead - w, 0.0), np.where(stable, wq * decay, np.inf))
                late = np.where(lead > 0, ec * decay, 0.0)
                on_time = np.where(zero, (lead <= w).astype(float), np.where(stable, 1.0 - late, 0.0))
            else:
                wx = wq
                on_time = np.where(zero, (lead <= w).astype(float), np.where(lead > 0, fill, np.where(stable, 1.0, 0.0)))
            on_time = np.clip(on_time, 0.0, 1.0)
        else:
            g = np.asarray(poisson_loss(S, u), dtype=float)
            wq = np.where(none, 0.0, g / safe)
            fill = np.asarray(poisson_cdf(S - 1, u), dtype=float)
            if window:
                uw = lam * np.maximum(lead - w, 0.0)
                wx = np.where(none, 0.0, np.asarray(poisson_loss(S, uw)) / safe)
                on_time = np.where(w >= lead, 1.0, np.asarray(poisson_cdf(S - 1, uw), dtype=float))
            else:
                wx = wq
                on_time = np.where(w >= lead, 1.0, fill)
    fill = np.where(none, 1.0, fill)
    on_time = np.where(none, 1.0, on_time)
    wait = np.where(none, 0.0, wq) * DAYS_PER_YEAR
    return wx, fill, on_time, wait

def _erlang_c_at(S, u, b):
    """:func:`~amspares.core.erlang.erlang_c` ``(S, u)``, reusing Erlang B ``b`` where it is known
    and erlang_b would take the same recursion (not its one-step form: ``S >= 64`` and ``S > u``)."""
    if b is None:
        return np.asarray(erlang_c(S, u), dtype=float)
    from amspares.core.erlang import _CLOSED_FROM
    S, u, b = np.broadcast_arrays(S, u, b)
    unknown = np.isnan(b)
    if S.size and S.max() >= _CLOSED_FROM:
        unknown |= (S >= _CLOSED_FROM) & (S > u)
    if unknown.any():
        b = b.copy()
        b[unknown] = np.asarray(erlang_b(S[unknown], u[unknown]), dtype=float)
    S = S.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ec = np.where(S > u, S * b / (S - u * (1.0 - b)), 1.0)   # erlang_c's own formula
    return ec


def _stock_part(s, n, unit, cp, tr, maxrule):
    """S-dependent cost other than downtime: h S T + CR + the S-part of CP and CTr."""
    c = unit * s
    if maxrule:  # CP = max(n, S) cp: extra (max(n,S) - n) cp (1 + Tr_in)
        c = c + np.maximum(s - n, 0.0) * cp * (1.0 + tr)
    return c


def _step_search(lam, yrs, cp, lead, ce, h, tr_in, fdays, fix, smin, *, waiting_time, production_rule):
    """S* for SKUs with a small lead-time demand: all step over S = 0, 1, 2, ... together.

    No SKU-by-S matrix is held. A SKU is done once the stock part alone of S + 1 reaches its
    best total (no larger S can then be strictly cheaper: cost >= stock part, both
    non-decreasing in S, and float products and sums are monotone), so a done SKU never
    updates its best again. The working set is compressed lazily (once at most half of it is
    live); scratch arrays are allocated once per search, not per step.
    """
    n = lam * yrs
    u = lam * lead
    w = fdays / DAYS_PER_YEAR
    weight = n * ce * DAYS_PER_YEAR            # 365 n ce: W (years) -> emergency cost
    unit = h * yrs + cp * (1.0 + tr_in)       # per-unit S cost (rule "demand")
    maxrule = production_rule == "max_demand_stock"
    erl = waiting_time == "erlang_c"
    window = bool(np.any(w > 0))
    target = bool(np.any(smin > 0))
    uw = lam * np.maximum(lead - w, 0.0) if window else u
    umax = float(u.max(initial=0.0))
    rel = _REL
    size = lam.size
    best_s = np.zeros(size, dtype=np.int64)
    idx = np.arange(size)
    w_lam, w_lead, w_u, w_uw, w_w, w_win, w_n, w_unit, w_cp, w_tr, w_fix, w_min = (
        lam, lead, u, uw, weight, w, n, unit, cp, tr_in, fix, smin)
    w_bs = best_s.copy()
    b = np.ones(size)                          # Erlang B at S = 0
    best_b = np.ones(size)                     # Erlang B at the best S (Erlang C only)
    w_bb = best_b.copy()
    nlive = size
    zero_weight = not bool(np.all(weight))     # some SKU has no demand or no penalty
    w_zero = weight == 0 if zero_weight else None   # those SKUs (compressed with the rest)
    positive_weight = bool(np.all(weight > 0))  # an infinite wait costs +inf for every SKU

    def scratch(k):
        return (np.empty(k), np.empty(k), np.empty(k), np.empty(k, dtype=bool),
                np.empty(k, dtype=bool), np.empty(k, dtype=np.int64))

    def threshold(best, out):
        """What a larger S must beat: best - 1e-12 (|fixed part| + best) (inf while no best)."""
        np.add(best, w_fix, out=out)           # (called where inf - inf is ignored)
        out *= -rel
        out += best
        if target:
            np.putmask(out, np.isinf(best), np.inf)

    full = scratch(size)                       # scratch arrays; after a compression, views
    t1, t2, cost, flag, feasible, step = full
    w_thr = np.empty(size)                     # threshold of the best so far (from S = 1 on)
    w_next = unit * 0                          # stock part of S (rule "demand"): unit S
    s = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while nlive:
            if s == 0:
                if erl and window:
                    np.copyto(t2, np.maximum(w_lead - w_win, 0.0))   # Wx(0) = (L - w)^+
                elif erl:
                    np.copyto(t2, w_lead)          # W(0) = L
                else:
                    t2[...] = np.where(w_lam > 0, w_uw / np.where(w_lam > 0, w_lam, 1.0), 0.0)
            elif erl:
                np.multiply(w_u, b, out=t1)    # u B_{s-1}
                np.add(t1, s, out=b)
                np.divide(t1, b, out=b)        # B_s = u B_{s-1} / (s + u B_{s-1})
                np.subtract(1.0, b, out=t1)
                t1 *= w_u
                np.subtract(s, t1, out=t1)     # s - u (1 - B)
                np.multiply(b, s, out=t2)
                t2 /= t1                       # Ec = s B / (s - u (1 - B))
                t2 *= w_lead
                np.subtract(s, w_u, out=t1)
                t2 /= t1                       # W = Ec L / (s - u)
                if window:                     # Wx = W exp(-(s - u) w / L)
                    t2 *= np.where(w_win > 0, np.exp(-t1 * w_win / np.where(w_lead > 0, w_lead, 1.0)), 1.0)
                if s <= umax and not positive_weight:
                    np.greater_equal(w_u, s, out=flag)
                    np.putmask(t2, flag, np.inf)   # unstable queue: infeasible
            else:
                t2[...] = np.where(w_lam > 0, poisson_loss(s, w_uw) / np.where(w_lam > 0, w_lam, 1.0), 0.0)
            if zero_weight:
                np.putmask(t2, w_zero, 0.0)    # no demand or no penalty: no emergency cost
            t2 *= w_w                          # 365 W n ce
            if maxrule:
                np.add(t2, _stock_part(s, w_n, w_unit, w_cp, w_tr, True), out=cost)
            else:
                np.add(w_next, t2, out=cost)       # stock part S (h T + cp (1 + Tr_in)), + downtime
            if target:
                np.putmask(cost, w_min > s, np.inf)   # below the service target: infeasible
            # Only the threshold of the best total is kept (it is a function of the best): where
            # S beats it, the threshold becomes that of S (best S and Erlang B likewise).
            if s == 0:                             # S = 0 (when allowed): the first best
                threshold(np.where(cost < np.inf, cost, np.inf), w_thr)
            else:
                np.less(cost, w_thr, out=flag)     # strictly better, beyond rounding of the total
                if erl and s <= umax and positive_weight:
                    # unstable queue (u >= s, i.e. s - u <= 0 in t1): infeasible, never better
                    np.greater(t1, 0.0, out=feasible)
                    flag &= feasible
                threshold(cost, t1)
                # where ``flag``: the threshold (and Erlang B) of S, by bit operations on the
                # numbers' bits (x ^= (x ^ y) & -flag), not a putmask: the better SKUs lie
                # scattered, and a branch per SKU mispredicts (t1 and t2 are free now)
                np.multiply(flag, -1, out=step)    # all bits set where better, else 0
                _blend(w_thr, t1, step, t1)
                if erl:
                    _blend(w_bb, b, step, t2)
                np.bitwise_and(step, s, out=step)  # the best S is the last S that was better
                np.maximum(w_bs, step, out=w_bs)
            if maxrule:
                np.less(_stock_part(s + 1, w_n, w_unit, w_cp, w_tr, True), w_thr, out=flag)
            else:
                np.multiply(w_unit, s + 1, out=w_next)
                np.less(w_next, w_thr, out=flag)   # live: S + 1 could still be cheaper
            nlive = int(np.count_nonzero(flag))
            if nlive and nlive <= _COMPRESS_AT * flag.size:
                done = np.flatnonzero(~flag)           # finished: their best is final
                at = idx[done]
                best_s[at] = w_bs[done]
                best_b[at] = w_bb[done]
                keep = np.flatnonzero(flag)            # one index array, taken by every column
                idx, b, w_bs, w_bb, w_thr, w_next = (
                    x.take(keep) for x in (idx, b, w_bs, w_bb, w_thr, w_next))
                # only the columns the steps still read are compressed (the rest stay stale)
                w_lead, w_u, w_w, w_unit, w_fix = (x.take(keep) for x in (w_lead, w_u, w_w, w_unit, w_fix))
                if not erl:
                    w_lam, w_uw = w_lam.take(keep), w_uw.take(keep)
                if window:
                    w_win = w_win.take(keep)
                if maxrule:
                    w_n, w_cp, w_tr = w_n.take(keep), w_cp.take(keep), w_tr.take(keep)
                if target:
                    w_min = w_min.take(keep)
                if zero_weight:
                    w_zero = w_zero.take(keep)
                t1, t2, cost, flag, feasible, step = (x[:nlive] for x in full)
            s += 1
    best_s[idx] = w_bs
    best_b[idx] = w_bb
    return best_s, best_b


def _blend(x, y, ones, scratch):
    """``x[ones != 0] = y[ones != 0]`` in place, bit for bit, for float arrays ``x`` and ``y``
    and an int64 ``ones`` that is -1 (all bits) or 0: ``x ^= (x ^ y) & ones`` on the bits,
    through the float array ``scratch`` (may be ``y``)."""
    xb, tb = x.view(np.int64), scratch.view(np.int64)
    np.bitwise_xor(y.view(np.int64), xb, out=tb)
    np.bitwise_and(tb, ones, out=tb)
    np.bitwise_xor(xb, tb, out=xb)


def _bisect_search(lam, yrs, cp, lead, ce, h, tr_in, fdays, fix, smin, *, waiting_time, production_rule):
    """S* for SKUs with a large lead-time demand, by convexity (see :func:`optimal_base_stock`)."""
    n = lam * yrs
    u = lam * lead
    weight = n * ce * DAYS_PER_YEAR
    unit = h * yrs + cp * (1.0 + tr_in)
    maxrule = production_rule == "max_demand_stock"
    erl = waiting_time == "erlang_c"
    uw = lam * np.maximum(lead - fdays / DAYS_PER_YEAR, 0.0)
    per_part = np.where(lam > 0, weight / np.where(lam > 0, lam, 1.0), 0.0)   # 365 ce T

    def part(S, k):
        return _stock_part(S, n[k], unit[k], cp[k], tr_in[k], maxrule)

    def down(S, k):
        wx = np.asarray(backorder_wait(S, lam[k], lead[k], waiting_time, fdays[k]), dtype=float)
        with np.errstate(invalid="ignore"):
            return np.where(weight[k] == 0, 0.0, weight[k] * wx)

    def step(S, k):
        """TC(S + 1) - TC(S)."""
        if erl:
            return (part(S + 1, k) + down(S + 1, k)) - (part(S, k) + down(S, k))
        from amspares.core.poisson import poisson_survival
        d = part(S + 1, k) - part(S, k)
        return d - per_part[k] * np.asarray(poisson_survival(S, uw[k]), dtype=float)

    def settled(S, k):
        """No S' >= S is cheaper than S (by convexity), or by more than 1e-13 of the total."""
        sp, dn = part(S, k), down(S, k)
        return (step(S, k) >= 0) | (dn <= _NEGLIGIBLE * (fix[k] + sp + dn))

    lo0 = np.maximum(np.floor(u) + 1.0, smin) if erl else smin.astype(float)
    allk = np.arange(lam.size)
    hi = lo0 + np.ceil(np.sqrt(u)) + 1.0
    todo = allk
    for _ in range(200):                       # bracket: double the distance from lo0
        ok = settled(hi[todo], todo)
        todo = todo[~ok]
        if not todo.size:
            break
        hi[todo] = lo0[todo] + 2.0 * (hi[todo] - lo0[todo])

    def bisect(lo, hi, test):
        """Smallest S in [lo, hi] with test(S) (test monotone, true at hi)."""
        lo, hi = lo.copy(), hi.copy()
        k = np.flatnonzero(lo < hi)
        while k.size:
            mid = np.floor((lo[k] + hi[k]) / 2.0)
            g = test(mid, k)
            hi[k] = np.where(g, mid, hi[k])
            lo[k] = np.where(g, lo[k], mid + 1.0)
            k = k[lo[k] < hi[k]]
        return lo

    s_m = bisect(lo0, hi, settled)
    c_m = part(s_m, allk) + down(s_m, allk)
    tol = _REL * (c_m + fix)
    best = bisect(lo0, s_m, lambda S, k: part(S, k) + down(S, k) <= c_m[k] + tol[k])
    if erl:
        c0 = down(np.zeros(lam.size), allk)
        low = np.minimum(c0, c_m)
        best = np.where((smin <= 0) & (c0 <= low + _REL * (low + fix)), 0.0, best)
    return best.astype(np.int64)
