"""Typed model parameters: what the model functions read, and nothing else.

:class:`ModelParams` holds one scenario's (or many SKUs') numbers; every numeric field is a
float or a numpy array, and all arrays have one common length N (one element per SKU or
per sweep point). :class:`MethodParams` holds one supply method's numbers. The names are
the model's; how a scenario file, the workbook's Inputs sheet or a portfolio row spell
them is the binding's business (:func:`amspares.binding.bind`), not the core's.

Sweeps vary parameters, not keys:

>>> p = ModelParams(rate_per_year=2.0, service_years=30.0, emergency_per_day=100.0,
...                 regular_per_demand=0.0, holding_per_part_year=0.45,
...                 accepted_q_confidence=0.999, electricity_mpts_per_kwh=37.0,
...                 methods={"hub": MethodParams(kind="order", price=175.0, outbound_per_part=5.0,
...                                              investment=0.0, benefit_per_part_year=0.0)})
>>> p.size
1
>>> swept = p.with_method("hub", price=np.array([100.0, 200.0, 300.0]))
>>> swept.size, float(swept.methods["hub"].price[1]), float(p.methods["hub"].price)
(3, 200.0, 175.0)
>>> replace(p, rate_per_year=np.arange(4.0)).size
4
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Mapping, Union

import numpy as np

#: A model number: a float, or an array with one element per SKU / sweep point.
Value = Union[float, np.ndarray]


@dataclass(frozen=True)
class MethodParams:
    """One supply method's parameters (``kind`` is ``"stock"`` or ``"order"``).

    Fields that only stock methods use (``inbound_transport_share``, ``moq``,
    ``transport_to_warehouse``, the holding cost) and the impact fields (used only with a
    part) may be ``None`` where they do not apply. ``shipping_days`` is the shipping time to
    the warehouse (stock: lead time ``L = production + shipping days``) or to the customer
    (order: delivery time ``D_o = production + shipping days``). Leg factors
    (``transport_to_*``) are in mPts per kg of part (Eq. 37); ``energy_kwh_per_kg`` is the
    machine energy per kg of part. The ``*_kgco2e*`` fields are the climate twins (kg CO2e per
    kg of part, per part, per kg of freight); ``None`` or NaN marks a missing factor, which
    makes the method's kg CO2e NaN (never a silent 0).

    ``holding_per_part_year`` is the method's holding cost per part-year, resolved by the
    binding (the method's own value, else its rate times its price, else the storage's;
    docs/model.md section 2): the model reads only this. ``holding_rate_per_year`` is the
    rate it came from (``None`` when given per part), so that :meth:`ModelParams.with_method`
    keeps ``holding = rate x price`` when a sweep changes the price; ``holding_own`` says
    whether the method gave its own holding (then a change of the storage's does not reach it).
    """

    kind: str
    # cost (Eq. 1-30)
    price: Value | None = None
    outbound_per_part: Value | None = None
    investment: Value | None = None
    benefit_per_part_year: Value | None = None
    production_days: Value | None = None
    shipping_days: Value | None = None
    inbound_transport_share: Value | None = None
    moq: Value | None = None
    holding_per_part_year: Value | None = None
    holding_rate_per_year: Value | None = None
    # impact (Eq. 32-37)
    material_efficiency: Value | None = None
    process_mpts_per_kg: Value | None = None
    energy_kwh_per_kg: Value | None = None
    extra_mpts_per_part: Value | None = None
    transport_to_factory: Value | None = None
    transport_to_warehouse: Value | None = None
    transport_to_customer: Value | None = None
    # climate twins in kg CO2e (docs/model.md section 4; None or NaN: missing)
    process_kgco2e_per_kg: Value | None = None
    extra_kgco2e_per_part: Value | None = None
    transport_to_factory_kgco2e: Value | None = None
    transport_to_warehouse_kgco2e: Value | None = None
    transport_to_customer_kgco2e: Value | None = None
    holding_own: bool = False

    @property
    def delivery_days(self) -> Value:
        """``production_days + shipping_days`` in days: the lead time of a stock method, the
        delivery time ``D_o`` of an order method (docs/model.md section 3.3)."""
        prod = 0.0 if self.production_days is None else self.production_days
        ship = 0.0 if self.shipping_days is None else self.shipping_days
        return prod + ship


#: The numeric fields of :class:`MethodParams` (every field but ``kind`` and ``holding_own``).
METHOD_FIELDS = tuple(f.name for f in fields(MethodParams) if f.name not in ("kind", "holding_own"))


@dataclass(frozen=True)
class ModelParams:
    """A scenario's parameters for the model (one element per SKU where arrays).

    ``waiting_time`` (``"exact"`` / ``"erlang_c"``), ``order_wait`` (``"charged"`` /
    ``"free"``) and ``production_rule`` (``"demand"`` / ``"max_demand_stock"``) are scalars:
    group SKUs by them. ``weight_kg`` and ``material_mpts_per_kg`` are ``None`` without a
    part (then no impact is computed). ``methods`` keeps the scenario's order (the last
    tie-break, docs/model.md section 3.5).

    ``holding_per_part_year`` / ``holding_rate_per_year`` are the storage's holding cost (one
    of them is ``None``); every stock method carries its resolved value
    (:attr:`MethodParams.holding_per_part_year`), which is what the model reads.
    ``free_days`` is the customer's free downtime window in days; ``service_target`` the
    optional minimum on-time rate (``None``: no target).
    """

    # demand
    rate_per_year: Value
    service_years: Value
    # downtime
    emergency_per_day: Value
    regular_per_demand: Value
    # storage
    holding_per_part_year: Value
    # model options
    accepted_q_confidence: Value
    # impact
    electricity_mpts_per_kwh: Value
    methods: Mapping[str, MethodParams] = field(default_factory=dict)
    # part (None: no impact)
    weight_kg: Value | None = None
    material_mpts_per_kg: Value | None = None
    waiting_time: str = "exact"
    production_rule: str = "demand"
    # v2 (docs/model.md sections 2, 3.1-3.4)
    free_days: Value = 0.0
    order_wait: str = "charged"
    service_target: Value | None = None
    holding_rate_per_year: Value | None = None
    # climate twins (kg CO2e; None or NaN: missing, docs/model.md section 4)
    material_kgco2e_per_kg: Value | None = None
    electricity_kgco2e_per_kwh: Value | None = None

    @property
    def has_part(self) -> bool:
        """Whether a part is described (so impact is computed)."""
        return self.weight_kg is not None

    @property
    def kinds(self) -> dict[str, str]:
        """``{method: "stock" | "order"}`` in the scenario's order."""
        return {name: m.kind for name, m in self.methods.items()}

    @property
    def size(self) -> int:
        """The common length N of the array fields (1 when all are scalars).

        >>> p = ModelParams(1.0, np.ones(3), 0.0, 0.0, 0.0, 0.999, 0.0,
        ...                 methods={"m": MethodParams("order", price=np.ones(2))})
        >>> p.size
        Traceback (most recent call last):
        ...
        ValueError: input arrays differ in length: [2, 3]
        """
        values = [getattr(self, f.name) for f in fields(self)]
        for m in self.methods.values():
            values.extend(getattr(m, f) for f in METHOD_FIELDS)
        sizes = {np.size(v) for v in values if isinstance(v, np.ndarray) and np.ndim(v)}
        if len(sizes) > 1:
            raise ValueError(f"input arrays differ in length: {sorted(sizes)}")
        return sizes.pop() if sizes else 1

    def with_method(self, name: str, **changes) -> "ModelParams":
        """A copy with some fields of method ``name`` changed (arrays sweep them).

        A holding cost given as a rate follows the price: changing ``price`` (or
        ``holding_rate_per_year``) of such a method recomputes ``holding_per_part_year``
        unless it is changed too.

        >>> m = MethodParams("stock", price=100.0, holding_per_part_year=25.0, holding_rate_per_year=0.25)
        >>> p = ModelParams(1.0, 1.0, 0.0, 0.0, None, 0.999, 0.0, methods={"s": m}, holding_rate_per_year=0.25)
        >>> float(p.with_method("s", price=np.array([40.0, 80.0])).methods["s"].holding_per_part_year[1])
        20.0
        """
        methods = dict(self.methods)
        m = methods[name]
        changes = dict(changes)
        if "holding_per_part_year" in changes:
            changes.setdefault("holding_rate_per_year", None)      # now given per part
        else:
            rate = changes.get("holding_rate_per_year", m.holding_rate_per_year)
            if rate is not None and ("price" in changes or "holding_rate_per_year" in changes):
                changes["holding_per_part_year"] = rate * changes.get("price", m.price)
        methods[name] = replace(m, **changes)
        return replace(self, methods=methods)

    def only(self, names) -> "ModelParams":
        """A copy keeping only the methods ``names`` (in that order)."""
        return replace(self, methods={n: self.methods[n] for n in names})
