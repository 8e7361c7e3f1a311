"""Service measures of every supply method and the smallest policy meeting a service target
(docs/model.md section 3.4).

Per demand, at a given policy:

* ``fill_rate``: the share of demands served from stock at once;
* ``on_time_rate``: the share delivered within the free window ``w = free_days / 365``
  (docs/model.md section 3.1); with ``free_days = 0`` it equals the fill rate, except for an
  order method with no delivery time;
* ``mean_wait_days``: the mean delay per demand, ``365 W`` (stock) or ``D_o`` (order).

A stock method with no demand (``rate = 0``) keeps nobody waiting: fill and on-time rates 1,
mean wait 0. No X-by-U matrices: the (s,Q) measures come from Poisson loss functions in
closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amspares.core.erlang import erlang_c
from amspares.core.poisson import accepted_quantity, poisson_cdf, poisson_loss, smallest_integer_where

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class ServiceLevels:
    """Service measures per demand of one policy (docs/model.md section 3.4)."""

    fill_rate: np.ndarray | float
    on_time_rate: np.ndarray | float
    mean_wait_days: np.ndarray | float

    def meets(self, service_target):
        """``on_time_rate >= service_target`` (True everywhere when there is no target)."""
        if service_target is None:
            return np.ones(np.shape(self.on_time_rate), dtype=bool) if np.ndim(self.on_time_rate) else True
        ok = np.asarray(self.on_time_rate) >= np.asarray(service_target, dtype=float)
        return ok if ok.ndim else bool(ok)


def _out(x):
    x = np.asarray(x, dtype=float)
    return x if x.ndim else float(x)


def _check_target(service_target):
    t = np.asarray(service_target, dtype=float)
    if np.any(~((t > 0) & (t < 1))):
        bad = t[~((t > 0) & (t < 1))].ravel()[0]
        raise ValueError(f"service_target must be between 0 and 1 (both excluded), not {bad!r}")
    return t


def _window_years(free_days):
    return np.asarray(free_days, dtype=float) / DAYS_PER_YEAR


def erlang_on_time(stock, offered_load, lead_time_years, free_days=0.0):
    """On-time rate of an M/M/S queue (Erlang C): ``1 - Ec(S, u) exp(-(S - u) w / L)``.

    docs/model.md sections 3.1 and 3.4 (thesis Eq. 5): in M/M/S with ``mu = 1/L`` the delay
    exceeds ``t`` with probability ``Ec exp(-(S/L - lambda) t)``. ``S = 0``: every demand
    waits ``L``, on time iff ``L <= w``; an unstable queue (``1 <= S <= u``) is never on time
    (0).

    Examples
    --------
    M/M/1 with u = 0.5 and no window: ``1 - Ec = 1 - u = 0.5``.

    >>> float(erlang_on_time(1, 0.5, 0.25))
    0.5
    """
    s = np.asarray(stock)
    u = np.asarray(offered_load, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    w = _window_years(free_days)
    s, u, lead, w = np.broadcast_arrays(s, u, lead, w)
    ec = np.asarray(erlang_c(s, u), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        decay = np.where(w > 0, np.exp(-(s - u) * w / np.where(lead > 0, lead, 1.0)), 1.0)
        late = np.where(lead > 0, ec * decay, 0.0)
    r = np.where(s == 0, (lead <= w).astype(float), np.where(u < s, 1.0 - late, 0.0))
    return _out(np.clip(r, 0.0, 1.0))


def base_stock_service(stock, *, rate, lead_time_years, waiting_time="erlang_c", free_days=0.0):
    """Service measures of a base stock ``S`` (docs/model.md section 3.4).

    * ``"exact"``: fill rate ``P(Poisson(u) <= S - 1)``; on-time rate
      ``P(Poisson(u_w) <= S - 1)`` with ``u_w = lambda (L - w)^+`` (1 when ``w >= L``: every
      order placed before a demand has arrived by then); mean wait ``365 E[(X - S)^+] / lambda``.
    * ``"erlang_c"``: fill rate ``1 - Ec(S, u)`` (0 for S = 0 or an unstable queue); on-time
      rate from :func:`erlang_on_time`; mean wait ``365 W(S)`` (thesis Eq. 6, ``inf`` when
      unstable).

    Examples
    --------
    The case study's regular supplier at S = 5, exact: 99.99 % of demands from stock
    (``P(Poisson(0.4712) <= 4)``).

    >>> sv = base_stock_service(5, rate=2.0, lead_time_years=86/365, waiting_time="exact")
    >>> round(sv.fill_rate, 6), round(sv.mean_wait_days, 6)
    (0.999869, 0.001988)
    """
    s = np.asarray(stock)
    lam = np.asarray(rate, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    w = _window_years(free_days)
    s, lam, lead, w = np.broadcast_arrays(s, lam, lead, w)
    u = lam * lead
    none = lam == 0
    if waiting_time == "exact":
        uw = lam * np.maximum(lead - w, 0.0)
        fill = np.asarray(poisson_cdf(s - 1, u), dtype=float)
        on_time = np.where(w >= lead, 1.0, np.asarray(poisson_cdf(s - 1, uw), dtype=float))
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = np.asarray(poisson_loss(s, u)) / np.where(none, 1.0, lam)
    elif waiting_time == "erlang_c":
        ec = np.asarray(erlang_c(s, u), dtype=float)
        stable = (s >= 1) & (u < s)
        fill = np.where(stable, 1.0 - ec, 0.0)
        on_time = np.asarray(erlang_on_time(s, u, lead, free_days=w * DAYS_PER_YEAR), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = np.where(s == 0, lead, np.where(stable, ec * lead / (s - u), np.inf))
    else:
        raise ValueError(f"waiting_time must be one of 'erlang_c', 'exact', not {waiting_time!r}")
    fill = np.where(none, 1.0, fill)
    on_time = np.where(none, 1.0, on_time)
    wait = np.where(none, 0.0, wait) * DAYS_PER_YEAR
    return ServiceLevels(_out(fill), _out(on_time), _out(wait))


def sq_in_stock_share(reorder_point, order_quantity, mean):
    """Mean over ``j = 1..Q`` of ``P(Poisson(mean) <= s + j - 1)``, in closed form.

    docs/model.md section 3.4: the identity ``sum_{k<y} P(X <= k) = E[(y - X)^+] = y - m + G1(y)``
    gives ``1 - (G1(s) - G1(s + Q)) / Q`` with the Poisson loss ``G1`` (two evaluations, no sum
    over j). With ``Q = 1`` it is the base-stock fill rate at ``S = s + 1``.

    Examples
    --------
    >>> round(float(sq_in_stock_share(1, 1, 2.0)), 12) == round(float(poisson_cdf(1, 2.0)), 12)
    True
    """
    s = np.asarray(reorder_point, dtype=float)
    q = np.asarray(order_quantity, dtype=float)
    drop = np.asarray(poisson_loss(s, mean)) - np.asarray(poisson_loss(s + q, mean))
    r = np.clip(1.0 - drop / q, 0.0, 1.0)
    r = np.where(s + q <= 0, 0.0, r)           # s + j - 1 < 0 for every j: never in stock
    return _out(r)


def sq_service(reorder_point, order_quantity, *, rate, lead_time_years, free_days=0.0,
               expected_backorders=None):
    """Service measures of an (s,Q) policy in steady state (docs/model.md section 3.4, thesis Eq. 21-26).

    Fill rate :func:`sq_in_stock_share` at ``u``; on-time rate the same at ``u_w`` (1 when
    ``w >= L``); mean wait ``365 E[BO] / lambda`` (Little; ``E[BO]`` of thesis Eq. 23-24).
    ``expected_backorders``: ``E[BO]`` at these arguments when the caller has it
    (:func:`amspares.core.sq.sq_expected_backorders`), so it is not computed twice.

    Examples
    --------
    >>> sv = sq_service(3, 20, rate=2.0, lead_time_years=86/365)
    >>> round(sv.fill_rate, 12) == round(sv.on_time_rate, 12), sv.fill_rate > 0.9999
    (True, True)
    """
    from amspares.core.sq import sq_expected_backorders

    s = np.asarray(reorder_point, dtype=float)
    q = np.asarray(order_quantity, dtype=float)
    lam = np.asarray(rate, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    w = _window_years(free_days)
    s, q, lam, lead, w = np.broadcast_arrays(s, q, lam, lead, w)
    u = lam * lead
    uw = lam * np.maximum(lead - w, 0.0)
    none = lam == 0
    fill = np.asarray(sq_in_stock_share(s, q, u), dtype=float)
    if np.any(w > 0):
        on_time = np.where(w >= lead, 1.0, np.asarray(sq_in_stock_share(s, q, uw), dtype=float))
    else:
        on_time = np.where(lead == 0, 1.0, fill)
    with np.errstate(divide="ignore", invalid="ignore"):
        ebo = sq_expected_backorders(s, q, u) if expected_backorders is None else expected_backorders
        wait = np.asarray(ebo) / np.where(none, 1.0, lam)
    fill = np.where(none, 1.0, fill)
    on_time = np.where(none, 1.0, on_time)
    wait = np.where(none, 0.0, wait) * DAYS_PER_YEAR
    return ServiceLevels(_out(fill), _out(on_time), _out(wait))


def one_order_service(shipped, *, total_demand):
    """Service measures of the one-order regime (moq > n; docs/model.md sections 3.2, 3.4).

    Fill rate and on-time rate ``E[min(N, shipped)] / n = 1 - G1(shipped; n) / n`` with
    ``N ~ Poisson(n)``: the share of the demand the one shipment covers. Mean wait 0
    (thesis Eq. 29: no backorders). No demand: 1, 1, 0.

    Examples
    --------
    >>> sv = one_order_service(85, total_demand=60.0)    # accepted_q for n = 60
    >>> sv.fill_rate > 0.9999, sv.mean_wait_days
    (True, 0.0)
    """
    c = np.asarray(shipped, dtype=float)
    n = np.asarray(total_demand, dtype=float)
    c, n = np.broadcast_arrays(c, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(n > 0, 1.0 - np.asarray(poisson_loss(c, n)) / np.where(n > 0, n, 1.0), 1.0)
    r = np.clip(r, 0.0, 1.0)
    return ServiceLevels(_out(r), _out(r), _out(np.zeros(c.shape)))


def made_to_order_service(*, delivery_days, free_days=0.0):
    """Service measures of an order method (docs/model.md sections 3.3, 3.4).

    Fill rate 0 (nothing is in stock); on-time rate 1 when ``D_o <= free_days``, else 0;
    mean wait ``D_o`` (production plus shipping days).

    Examples
    --------
    >>> sv = made_to_order_service(delivery_days=10.0, free_days=14.0)
    >>> sv.fill_rate, sv.on_time_rate, sv.mean_wait_days
    (0.0, 1.0, 10.0)
    """
    d = np.asarray(delivery_days, dtype=float)
    f = np.asarray(free_days, dtype=float)
    d, f = np.broadcast_arrays(d, f)
    return ServiceLevels(_out(np.zeros(d.shape)), _out((d <= f).astype(float)), _out(d + 0.0))


def minimum_base_stock(service_target, *, rate, lead_time_years, waiting_time="erlang_c",
                       free_days=0.0):
    """Smallest base stock ``S`` whose on-time rate is at least ``service_target`` (section 3.4).

    The on-time rate is non-decreasing in S, so the target's feasible set is ``S >= S_min``.

    * ``"exact"``: ``S_min = 0`` when ``w >= L`` (or no demand); otherwise ``1 + k`` with
      ``k`` the smallest whole number with ``P(Poisson(u_w) <= k) >= target`` (the inverse of
      thesis Eq. 31's CDF).
    * ``"erlang_c"``: ``S_min = 0`` when ``L <= w``; otherwise the smallest stable ``S > u``
      with ``1 - Ec(S, u) exp(-(S - u) w / L) >= target``, by bracketing and bisection.

    Examples
    --------
    The case study (u = 0.4712): ``P(X <= 1) = 0.918 < 0.95 <= P(X <= 2) = 0.988``, so S = 3.

    >>> int(minimum_base_stock(0.95, rate=2.0, lead_time_years=86/365, waiting_time="exact"))
    3
    """
    t = _check_target(service_target)
    lam = np.asarray(rate, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    w = _window_years(free_days)
    t, lam, lead, w = np.broadcast_arrays(t, lam, lead, w)
    u = lam * lead
    if waiting_time == "exact":
        uw = lam * np.maximum(lead - w, 0.0)
        k = np.asarray(accepted_quantity(uw, t), dtype=np.int64)
        smin = np.where((w >= lead) | (lam == 0), 0, k + 1)
    else:
        free0 = (lead <= w) | (lam == 0)
        lo = np.floor(u) + 1.0
        fd = w * DAYS_PER_YEAR

        def ok(S):
            return np.asarray(erlang_on_time(S, u, lead, fd), dtype=float) >= t

        hi = lo + np.ceil(np.sqrt(u)) + 1.0
        for _ in range(200):
            good = ok(hi) | free0
            if good.all():
                break
            hi = np.where(good, hi, lo + 2.0 * (hi - lo))
        lo = smallest_integer_where(ok, lo, hi)
        smin = np.where(free0, 0, lo.astype(np.int64))
    smin = np.asarray(smin, dtype=np.int64)
    return smin if smin.ndim else int(smin)


def minimum_reorder_point(service_target, order_quantity, *, rate, lead_time_years, free_days=0.0):
    """Smallest reorder point ``s >= -Q`` whose (s,Q) on-time rate meets ``service_target``
    (docs/model.md section 3.4), by integer bisection (the rate is non-decreasing in s).

    Examples
    --------
    >>> int(minimum_reorder_point(0.95, 1, rate=2.0, lead_time_years=86/365))   # = S_min - 1
    2
    """
    t = _check_target(service_target)
    q = np.asarray(order_quantity, dtype=float)
    lam = np.asarray(rate, dtype=float)
    lead = np.asarray(lead_time_years, dtype=float)
    w = _window_years(free_days)
    t, q, lam, lead, w = np.broadcast_arrays(t, q, lam, lead, w)
    uw = lam * np.maximum(lead - w, 0.0)
    free0 = (w >= lead) | (lam == 0)
    lo = -q.copy()
    hi = np.maximum(np.asarray(accepted_quantity(uw, t), dtype=float), lo)
    lo = smallest_integer_where(lambda x: np.asarray(sq_in_stock_share(x, q, uw), dtype=float) >= t,
                                lo, hi)
    s = np.where(free0, -q, lo).astype(np.int64)
    return s if s.ndim else int(s)
