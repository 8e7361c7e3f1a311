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
