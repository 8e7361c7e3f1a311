"""Make to order: print on demand at a hub near the customer (spec 3.3)."""

from __future__ import annotations

import numpy as np

from amspares.core.costs import CostBreakdown, benefit


def made_to_order_costs(*, rate, years, price, regular_per_demand=0.0, outbound_per_part=0.0,
                        investment=0.0, benefit_per_part_year=0.0):
    """Cost of make to order: ``TC = n cp + n cd + n Tr_out + I - B`` (spec 3.3, thesis Eq. 1).

    No stock, no scrapping, no inbound transport and no emergency downtime (printing fits
    inside the regular downtime window).

    Examples
    --------
    The case study's AM MTO (spec section 8: 10800):

    >>> c = made_to_order_costs(rate=2.0, years=30.0, price=175.0, outbound_per_part=5.0)
    >>> float(c.total)
    10800.0
    """
    lam, yrs = np.broadcast_arrays(np.asarray(rate, dtype=float), np.asarray(years, dtype=float))
    n = lam * yrs
    zero = np.zeros_like(n)
    parts = np.broadcast_arrays(n * regular_per_demand, zero, n * np.asarray(price, dtype=float),
                                zero, n * outbound_per_part, np.asarray(investment, dtype=float),
                                benefit(benefit_per_part_year, n, yrs))
    return CostBreakdown(*[p if p.ndim else float(p) for p in parts])


def made_to_order_breakeven_price(target_total_cost, *, rate, years, regular_per_demand=0.0,
                                  outbound_per_part=0.0, investment=0.0, benefit_per_part_year=0.0):
    """Price per part at which make to order costs exactly ``target_total_cost`` (spec 5.2).

    Make to order is linear in its price (spec 3.3, thesis Eq. 1), so the break-even is
    closed-form: ``cp* = (TC_target - n cd - n Tr_out - I + B) / n``. Use the optimal
    stock method's total as the target to get the AM price at which printing to order
    costs as much as keeping stock. NaN when ``n = 0``; may be negative when no positive
    price makes printing competitive.

    Examples
    --------
    The case study: the AM price at which AM MTO costs as much as optimal regular stock
    (1735.71, spec section 8):

    >>> round(float(made_to_order_breakeven_price(1735.7055282105157, rate=2.0, years=30.0,
    ...                                           outbound_per_part=5.0)), 4)
    23.9284
    """
    lam, yrs = np.broadcast_arrays(np.asarray(rate, dtype=float), np.asarray(years, dtype=float))
    n = lam * yrs
    fixed = (n * np.asarray(regular_per_demand, dtype=float) + n * np.asarray(outbound_per_part, dtype=float)
             + np.asarray(investment, dtype=float) - benefit(benefit_per_part_year, n, yrs))
    with np.errstate(divide="ignore", invalid="ignore"):
        price = np.where(n > 0, (np.asarray(target_total_cost, dtype=float) - fixed) / np.where(n > 0, n, 1.0), np.nan)
    return price if price.ndim else float(price)
