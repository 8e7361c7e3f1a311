"""Make to order: print on demand at a hub near the customer (docs/model.md section 3.3)."""

from __future__ import annotations

import numpy as np

from amspares.core.costs import CostBreakdown, benefit

ORDER_WAIT_RULES = ("charged", "free")


def made_to_order_costs(*, rate, years, price, regular_per_demand=0.0, outbound_per_part=0.0,
                        investment=0.0, benefit_per_part_year=0.0, delivery_days=0.0,
                        emergency_per_day=0.0, free_days=0.0, order_wait="charged"):
    """Cost of make to order: ``TC = CD + n cp + n Tr_out + I - B`` (docs/model.md section 3.3,
    thesis Eq. 1).

    No stock, no scrapping, no inbound transport. The downtime cost (v2):

    * ``order_wait = "charged"``: ``CD = n ce (D_o - free_days)^+ + n cd``, with
      ``D_o = delivery_days`` (production plus shipping days): every demand waits its print and
      delivery, charged like a backorder;
    * ``order_wait = "free"``: ``CD = n cd`` (the thesis, 5.1: printing fits inside the regular
      downtime window).

    With the defaults (``delivery_days = 0``) both give version 1.

    Examples
    --------
    The case study's AM MTO (docs/model.md section 8: 10800):

    >>> c = made_to_order_costs(rate=2.0, years=30.0, price=175.0, outbound_per_part=5.0)
    >>> float(c.total)
    10800.0

    The pump impeller of the README: 45 parts, 10 print days at 2,000 EUR/day each:

    >>> c = made_to_order_costs(rate=3.0, years=15.0, price=480.0, delivery_days=10.0,
    ...                         emergency_per_day=2000.0)
    >>> float(c.downtime), float(c.total)
    (900000.0, 921600.0)
    """
    if order_wait not in ORDER_WAIT_RULES:
        raise ValueError(f"order_wait must be one of 'charged', 'free', not {order_wait!r}")
    lam, yrs = np.broadcast_arrays(np.asarray(rate, dtype=float), np.asarray(years, dtype=float))
    n = lam * yrs
    zero = np.zeros_like(n)
    downtime = n * regular_per_demand
    if order_wait == "charged":
        late = np.maximum(np.asarray(delivery_days, dtype=float) - np.asarray(free_days, dtype=float), 0.0)
        ce = np.asarray(emergency_per_day, dtype=float)
        downtime = downtime + np.where(n * ce == 0, 0.0, n * ce * late)
    parts = np.broadcast_arrays(downtime, zero, n * np.asarray(price, dtype=float),
                                zero, n * outbound_per_part, np.asarray(investment, dtype=float),
                                benefit(benefit_per_part_year, n, yrs))
    return CostBreakdown(*[p if p.ndim else float(p) for p in parts])


def made_to_order_breakeven_price(target_total_cost, *, rate, years, regular_per_demand=0.0,
                                  outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0,
                                  delivery_days=0.0, emergency_per_day=0.0, free_days=0.0,
                                  order_wait="charged"):
    """Price per part at which make to order costs exactly ``target_total_cost`` (docs/model.md section 5.2).

    Make to order is linear in its price (docs/model.md section 3.3, thesis Eq. 1), so the break-even is
    closed-form: ``cp* = (TC_target - CD - n Tr_out - I + B) / n`` with the downtime ``CD`` of
    :func:`made_to_order_costs` (same ``delivery_days``, ``emergency_per_day``, ``free_days``,
    ``order_wait``). Use the optimal
    stock method's total as the target to get the AM price at which printing to order
    costs as much as keeping stock. NaN when ``n = 0``; may be negative when no positive
    price makes printing competitive.

    Examples
    --------
    The case study: the AM price at which AM MTO costs as much as optimal regular stock
    (1735.71, docs/model.md section 8):

    >>> round(float(made_to_order_breakeven_price(1735.7055282105157, rate=2.0, years=30.0,
    ...                                           outbound_per_part=5.0)), 4)
    23.9284
    """
    lam, yrs = np.broadcast_arrays(np.asarray(rate, dtype=float), np.asarray(years, dtype=float))
    n = lam * yrs
    rest = made_to_order_costs(rate=lam, years=yrs, price=0.0, regular_per_demand=regular_per_demand,
                               outbound_per_part=outbound_per_part, investment=investment,
                               benefit_per_part_year=benefit_per_part_year, delivery_days=delivery_days,
                               emergency_per_day=emergency_per_day, free_days=free_days,
                               order_wait=order_wait)
    fixed = np.asarray(rest.total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        price = np.where(n > 0, (np.asarray(target_total_cost, dtype=float) - fixed) / np.where(n > 0, n, 1.0), np.nan)
    return price if price.ndim else float(price)
