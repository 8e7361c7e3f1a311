"""Make-to-stock with one-by-one replenishment: base stock S (thesis section 3.2).

``TC(S) = CD + CH + CP + CR + CTr + I - B`` (Eq. 1) with the components of Eq. 7-13, and the
optimal base stock ``S* = argmin TC(S)`` (Eq. 14), vectorised over any number of SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amspares.core.costs import CostBreakdown, benefit
from amspares.core.erlang import erlang_c
from amspares.core.poisson import poisson_loss

WAITING_TIME_MODELS = ("erlang_c", "exact")
PRODUCTION_RULES = ("demand", "max_demand_stock")
DAYS_PER_YEAR = 365.0


def lead_time_years(production_days, shipping_days=0.0):
    """Replenishment lead time ``L = (production_days + shipping_days) / 365`` in years (spec 3).

    Spec section 9: the thesis's lead times (86 and 11 days) are production plus 4 shipping days.

    Examples
    --------
    >>> round(lead_time_years(82.0, 4.0) * 365, 9)
    86.0
    """
    return (np.asarray(production_days, dtype=float) + shipping_days) / DAYS_PER_YEAR if np.ndim(production_days) \
        else (float(production_days) + float(shipping_days)) / DAYS_PER_YEAR


def offered_load(rate, lead_time_years):
    """Expected demand during the lead time ``u = lambda L`` (spec 3; the Erlang "offered load").

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


def backorder_wait(stock, rate, lead_time_years, waiting_time="erlang_c"):
    """Mean backorder delay per demand ``W(S)`` in years (spec 3.1; thesis Eq. 6).

    * ``"erlang_c"``: ``W = Ec(S, u) L / (S - u)`` for ``u < S`` (Eq. 6, M/M/S queue),
      ``W = L`` for ``S = 0``, ``inf`` when ``1 <= S <= u`` (unstable queue).
    * ``"exact"``: lead-time demand ``X ~ Poisson(u)``, ``W = E[(X - S)^+] / lambda``
      (M/G/inf pipeline, Palm's theorem, and Little's law); 0 when ``lambda = 0``.

    Parameters
    ----------
    stock : int or array_like of int
        Base stock level S >= 0.
    rate : float or array_like
        Demand rate lambda per year.
    lead_time_years : float or array_like
        Replenishment lead time L in years.
    waiting_time : {"erlang_c", "exact"}

    Examples
    --------
    At S = 1 in the case study Erlang C overstates the exact wait 4.4-fold (spec 3.1):

    >>> L = 86 / 365
    >>> ratio = backorder_wait(1, 2.0, L) / backorder_wait(1, 2.0, L, "exact")
    >>> round(float(ratio), 2)
    4.4
    """
    _check_choice("waiting_time", waiting_time, WAITING_TIME_MODELS)
    s = np.asarray(stock)
    lam = np.asarray(rate, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    s, lam, lead = np.broadcast_arrays(s, lam, lead)
    u = lam * lead
    if waiting_time == "erlang_c":
        ec = np.asarray(erlang_c(s, u), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(s == 0, lead, np.where(u < s, ec * lead / (s - u), np.inf))
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(lam > 0, np.asarray(poisson_loss(s, u)) / np.where(lam > 0, lam, 1.0), 0.0)
    return w if w.ndim else float(w)


def _downtime_emergency(wait, total_demand, emergency_per_day):
    """``365 W n ce`` of Eq. 7, with 0 * inf taken as 0 (no demand or no penalty)."""
    weight = total_demand * emergency_per_day
    with np.errstate(invalid="ignore"):
        return np.where(weight == 0, 0.0, DAYS_PER_YEAR * wait * weight)


def base_stock_costs(stock, *, rate, years, price, lead_time_years, emergency_per_day,
                     regular_per_demand=0.0, holding_per_part_year=0.0, inbound_share=0.0,
                     outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0,
                     waiting_time="erlang_c", production_rule="demand"):
    """Cost breakdown of a stock method at base stock ``S`` (thesis Eq. 1, 7-13).

    * ``CD  = 365 W(S) n ce + n cd`` (Eq. 7)
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

    Returns
    -------
    CostBreakdown

    Examples
    --------
    The case study's regular supplier at S = 5 (spec section 8: TC = 1735.71):

    >>> c = base_stock_costs(5, rate=2.0, years=30.0, price=15.0, lead_time_years=86/365,
    ...                      emergency_per_day=100.0, holding_per_part_year=0.45,
    ...                      inbound_share=0.08, outbound_per_part=10.0)
    >>> round(float(c.total), 2), round(float(c.downtime), 2), float(c.transport)
    (1735.71, 15.21, 678.0)
    """
    _check_choice("production_rule", production_rule, PRODUCTION_RULES)
    s = np.asarray(stock)
    n = np.asarray(rate, dtype=float) * np.asarray(years, dtype=float)
    w = backorder_wait(s, rate, lead_time_years, waiting_time)
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
    """The cost-optimal base stock of a stock method with moq = 1."""

    S: np.ndarray | int
    cost: CostBreakdown

    @property
    def total_cost(self):
        return self.cost.total


def optimal_base_stock(*, rate, years, price, lead_time_years, emergency_per_day,
                       regular_per_demand=0.0, holding_per_part_year=0.0, inbound_share=0.0,
                       outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0,
                       waiting_time="erlang_c", production_rule="demand", max_stock=10**6):
    """Cost-optimal base stock ``S* = argmin_S TC(S)`` (thesis Eq. 14), vectorised.

    All SKUs advance together over S = 0, 1, 2, ...; the Erlang B recursion is carried from
    one S to the next, so no SKU-by-S matrix is held. A SKU stops as soon as no larger S
    can be cheaper: a larger S adds at least ``h T + cp (1 + Tr_in)`` per unit to the
    S-dependent cost while the emergency downtime cost is >= 0 (spec 3.1), or once its
    downtime cost is exactly 0. Ties go to the smaller S. Infeasible S (Erlang C with
    ``1 <= S <= u``) are skipped.

    Parameters are those of :func:`base_stock_costs` (without ``stock``); any of them may
    be arrays, broadcast together. ``max_stock`` caps the search (a guard for degenerate
    inputs with no holding, price or transport cost).

    Returns
    -------
    BaseStockPolicy
        ``S`` (int or int array) and the :class:`CostBreakdown` at ``S``.

    Examples
    --------
    The case study's regular supplier (spec section 8): S* = 5, TC = 1735.71.

    >>> p = optimal_base_stock(rate=2.0, years=30.0, price=15.0, lead_time_years=86/365,
    ...                        emergency_per_day=100.0, holding_per_part_year=0.45,
    ...                        inbound_share=0.08, outbound_per_part=10.0)
    >>> p.S, round(float(p.total_cost), 2)
    (5, 1735.71)
    """
    _check_choice("waiting_time", waiting_time, WAITING_TIME_MODELS)
    _check_choice("production_rule", production_rule, PRODUCTION_RULES)
    args = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (
        rate, years, price, lead_time_years, emergency_per_day, holding_per_part_year,
        inbound_share)))
    shape = args[0].shape
    lam, yrs, cp, lead, ce, h, tr_in = (a.ravel() for a in args)
    n = lam * yrs
    u = lam * lead
    weight = n * ce * DAYS_PER_YEAR            # 365 n ce: W (years) -> emergency cost
    unit = h * yrs + cp * (1.0 + tr_in)       # per-unit S cost (rule "demand")
    maxrule = production_rule == "max_demand_stock"
    erl = waiting_time == "erlang_c"
    umax = float(u.max(initial=0.0))
    # Ties to the smaller S at the precision of the total: a larger S must beat the best
    # total by more than 1e-12 of it, or it is a tie. ``fix`` is the size of the
    # S-independent part of TC (n cp (1 + Tr_in), n Tr_out, n cd, I, B). Without this, a part
    # whose stock costs nothing (no price, no holding) climbs to S ~ 140 chasing downtime
    # savings that vanish when the total is rounded.
    fix = np.broadcast_to(
        (np.abs(np.asarray(regular_per_demand, dtype=float)) + np.abs(np.asarray(outbound_per_part, dtype=float))) * n
        + np.abs(np.asarray(investment, dtype=float)) + np.abs(np.asarray(benefit_per_part_year, dtype=float)) * n * yrs
        + n * cp * (1.0 + tr_in), n.shape).astype(float)
    rel = 1e-12

    def stock_part(s, n_, unit_, cp_, tr_):
        """S-dependent cost other than downtime: h S T + CR + S-part of CP and CTr."""
        c = unit_ * s
        if maxrule:  # CP = max(n, S) cp: extra (max(n,S) - n) cp (1 + Tr_in)
            c = c + np.maximum(s - n_, 0.0) * cp_ * (1.0 + tr_)
        return c

    size = lam.size
    best_s = np.zeros(size, dtype=np.int64)
    best_c = np.full(size, np.inf)
    # Working set, compressed lazily: a SKU that is done stays in the arrays until at most
    # half of them are live. That is harmless: a SKU is done once the stock part alone of
    # S + 1 reaches its best total; no larger S can then be strictly cheaper (cost >= stock
    # part, both non-decreasing in S, and float products and sums are monotone), so a done
    # SKU never updates its best again, and stays done. (A SKU whose downtime cost is 0
    # is done by the same test: its best is at most its stock part.) Scratch arrays are
    # allocated once per compression, not per step.
    idx = np.arange(size)
    w_lam, w_lead, w_u, w_w, w_n, w_unit, w_cp, w_tr, w_fix = lam, lead, u, weight, n, unit, cp, tr_in, fix
    w_bc = best_c.copy()
    w_bs = best_s.copy()
    b = np.ones(size)                          # Erlang B at S = 0
    nlive = size

    def scratch(k):
        return np.empty(k), np.empty(k), np.empty(k), np.empty(k), np.empty(k, dtype=bool)

    def threshold(out):
        """What a larger S must beat: best - 1e-12 (|fixed part| + best)."""
        np.add(w_bc, w_fix, out=out)
        out *= -rel
        out += w_bc

    t1, t2, t3, cost, flag = scratch(size)
    s = 0
    while nlive and s <= max_stock:
        with np.errstate(divide="ignore", invalid="ignore"):
            if s == 0:
                np.copyto(t2, w_lead)          # W(0) = L
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
                if s <= umax:
                    np.greater_equal(w_u, s, out=flag)
                    np.copyto(t2, np.inf, where=flag)   # unstable queue: infeasible
            else:
                t2[...] = np.where(w_lam > 0, poisson_loss(s, w_u) / np.where(w_lam > 0, w_lam, 1.0), 0.0)
            t2 *= w_w                          # 365 W n ce (inf * 0 = nan only for done SKUs)
        if maxrule:
            np.add(t2, stock_part(s, w_n, w_unit, w_cp, w_tr), out=cost)
        else:
            np.multiply(w_unit, s, out=cost)   # stock part: S (h T + cp (1 + Tr_in))
            cost += t2
        if s == 0:
            np.less(cost, w_bc, out=flag)      # S = 0 is always feasible: the first best
        else:
            threshold(t3)
            np.less(cost, t3, out=flag)        # strictly better, beyond rounding of the total
        np.copyto(w_bc, cost, where=flag)
        np.copyto(w_bs, s, where=flag)
        threshold(t3)
        if maxrule:
            np.less(stock_part(s + 1, w_n, w_unit, w_cp, w_tr), t3, out=flag)
        else:
            np.multiply(w_unit, s + 1, out=t1)
            np.less(t1, t3, out=flag)          # live: S + 1 could still be cheaper
        nlive = int(np.count_nonzero(flag))
        if nlive and 2 * nlive <= flag.size:
            best_s[idx] = w_bs
            best_c[idx] = w_bc
            keep = flag.copy()
            idx, b, w_bc, w_bs = idx[keep], b[keep], w_bc[keep], w_bs[keep]
            w_lam, w_lead, w_u, w_w, w_n, w_unit, w_cp, w_tr, w_fix = (
                x[keep] for x in (w_lam, w_lead, w_u, w_w, w_n, w_unit, w_cp, w_tr, w_fix))
            t1, t2, t3, cost, flag = scratch(idx.size)
        s += 1
    best_s[idx] = w_bs
    best_c[idx] = w_bc
    best_s = best_s.reshape(shape)
    cost = base_stock_costs(best_s, rate=rate, years=years, price=price,
                            lead_time_years=lead_time_years, emergency_per_day=emergency_per_day,
                            regular_per_demand=regular_per_demand,
                            holding_per_part_year=holding_per_part_year,
                            inbound_share=inbound_share, outbound_per_part=outbound_per_part,
                            investment=investment, benefit_per_part_year=benefit_per_part_year,
                            waiting_time=waiting_time, production_rule=production_rule)
    return BaseStockPolicy(S=best_s if best_s.ndim else int(best_s), cost=cost)
