"""The environmental model (thesis chapter 4, Eq. 32-41), in Eco-indicator 99 milli-points and,
with the climate twins of the factors, in kg CO2e (GWP100; docs/model.md section 4).

The equations are linear in the factors, so one function serves both indicators: called with
mPts factors it gives mPts, with kg CO2e factors kg CO2e. A missing climate factor is NaN and
makes the result NaN (never a silent 0); the electricity factor counts only where a method
uses electricity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amspares.core.costs import Component, component, components_of, signed_total

KWH_PER_MJ = 0.278  # thesis Eq. 36


def megajoules_to_kwh(megajoules):
    """``e_kWh = 0.278 e_MJ`` (thesis Eq. 36).

    Examples
    --------
    >>> round(megajoules_to_kwh(107.0), 3)    # SLS EOSINT P 390, Table 2
    29.746
    """
    return KWH_PER_MJ * np.asarray(megajoules) if np.ndim(megajoules) else KWH_PER_MJ * float(megajoules)


def material_per_part(weight_kg, material_efficiency):
    """Material used per part ``up = weight / ueff`` in kg (thesis Eq. 33).

    Examples
    --------
    >>> material_per_part(0.25, 0.8)
    0.3125
    """
    return np.asarray(weight_kg, dtype=float) / material_efficiency if np.ndim(weight_kg) else float(weight_kg) / material_efficiency


def process_factor(process_mpts_per_kg, energy_kwh_per_kg, electricity_mpts_per_kwh):
    """Process impact per kg of part: ``ue + e_kWh ee`` (thesis Eq. 37-38 combined).

    Works for either indicator (mPts, or kg CO2e with the climate twins). Where no electricity
    is used (``e_kWh = 0``) the electricity factor does not count, so a missing (NaN) one does
    not make the result missing.

    Examples
    --------
    >>> round(float(process_factor(0.0, 29.746, 37.0)), 3)   # SLS printing on the Dutch grid
    1100.602
    >>> round(float(process_factor(0.0, 29.746, 0.2527)), 7)   # the same in kg CO2e (NL 2024)
    7.5168142
    >>> float(process_factor(0.3, 0.0, float("nan")))          # moulding: no electricity term
    0.3
    """
    energy = np.asarray(energy_kwh_per_kg, dtype=float)
    with np.errstate(invalid="ignore"):
        electric = np.where(energy == 0, 0.0, energy * np.asarray(electricity_mpts_per_kwh, dtype=float))
    out = np.asarray(process_mpts_per_kg, dtype=float) + electric
    return out if out.ndim else float(out)


def transport_leg_factor(kms, mpts_per_kg_km):
    """Leg factor ``sum_i km_i t_i`` in mPts per kg of freight (thesis Eq. 40-41).

    Examples
    --------
    The case study's customer legs: 100 km by van (0.14) and 1000 km by plane (0.078):

    >>> round(transport_leg_factor([100, 1000], [0.14, 0.078]), 6)
    92.0
    """
    return float(np.sum(np.multiply(np.asarray(kms, dtype=float), np.asarray(mpts_per_kg_km, dtype=float))))


@dataclass(frozen=True)
class ImpactBreakdown:
    """Impact by component: ``ETC = EM + EP + ET + EE`` (Eq. 32), in mPts (Eco-indicator 99) or
    in kg CO2e (the same breakdown computed with the climate factors).

    The components (and their signs) are :func:`impact_components`.

    >>> ImpactBreakdown(1.0, 2.0, 3.0, 4.0).total
    10.0
    """

    material: np.ndarray | float = component("EM", "material", "Eq. 34-35")
    process: np.ndarray | float = component("EP", "process", "Eq. 37-38")
    transport: np.ndarray | float = component("ET", "transport", "Eq. 40-41")
    extra: np.ndarray | float = component("EE", "extra")

    @classmethod
    def components(cls) -> tuple[Component, ...]:
        return components_of(cls)

    @property
    def total(self):
        """ETC of Eq. 32 (mPts or kg CO2e): the signed sum of the components."""
        return signed_total(self)

    def as_dict(self) -> dict:
        return {c.name: getattr(self, c) for c in self.components()}


def impact_components() -> tuple[Component, ...]:
    """The impact components, in order, with their metadata: the one list every table uses.

    >>> [c.symbol for c in impact_components()]
    ['EM', 'EP', 'ET', 'EE']
    """
    return ImpactBreakdown.components()


#: The impact components (names with metadata) of :class:`ImpactBreakdown`.
IMPACT_COMPONENTS = impact_components()


def environmental_impact(produced, shipped_to_warehouse, delivered, *, weight_kg,
                         material_mpts_per_kg, material_efficiency, process_mpts_per_kg_of_part,
                         factory_leg_mpts_per_kg=0.0, warehouse_leg_mpts_per_kg=0.0,
                         customer_leg_mpts_per_kg=0.0, extra_mpts_per_part=0.0):
    """Impact of producing ``P``, shipping ``W`` into the warehouse and delivering ``n`` parts.

    * ``EM = m up P`` with ``up = weight / ueff`` (Eq. 33-35)
    * ``EP = P weight (ue + e_kWh ee)`` (Eq. 37-38; pass the combined factor from
      :func:`process_factor`)
    * ``ET = P up sum_fac + W weight sum_war + n weight sum_cus`` (Eq. 40-41); a leg factor
      is ``sum(km * t)`` over its transport modes, in mPts per kg
    * ``EE = extra P``; ``ETC = EM + EP + ET + EE`` (Eq. 32)

    Examples
    --------
    The case study's regular supplier at S* = 5 (P = W = 65, n = 60):

    >>> i = environmental_impact(65, 65, 60, weight_kg=0.25, material_mpts_per_kg=630.0,
    ...     material_efficiency=0.8, process_mpts_per_kg_of_part=44.0,
    ...     factory_leg_mpts_per_kg=5000 * 0.022, warehouse_leg_mpts_per_kg=5000 * 0.022,
    ...     customer_leg_mpts_per_kg=100 * 0.14 + 1000 * 0.078)
    >>> round(float(i.material), 2), round(float(i.transport), 2), round(float(i.total), 2)
    (12796.88, 5401.88, 18913.75)

    The same in kg CO2e with the climate twins (PA 9.14 per kg, moulding 0.3005080603 per kg,
    truck_28t 0.00017146, van 0.0006313, plane 0.0005313 per kg-km; docs/case-study.md):

    >>> c = environmental_impact(65, 65, 60, weight_kg=0.25, material_mpts_per_kg=9.14,
    ...     material_efficiency=0.8, process_mpts_per_kg_of_part=0.3005080603,
    ...     factory_leg_mpts_per_kg=5000 * 0.00017146, warehouse_leg_mpts_per_kg=5000 * 0.00017146,
    ...     customer_leg_mpts_per_kg=100 * 0.0006313 + 1000 * 0.0005313)
    >>> round(float(c.material), 5), round(float(c.total), 9)
    (185.65625, 230.80098723)
    """
    p = np.asarray(produced, dtype=float)
    w = np.asarray(shipped_to_warehouse, dtype=float)
    d = np.asarray(delivered, dtype=float)
    weight = np.asarray(weight_kg, dtype=float)
    up = weight / material_efficiency
    material = np.asarray(material_mpts_per_kg, dtype=float) * up * p
    process = p * weight * process_mpts_per_kg_of_part
    transport = (p * up * factory_leg_mpts_per_kg + w * weight * warehouse_leg_mpts_per_kg
                 + d * weight * customer_leg_mpts_per_kg)
    extra = np.asarray(extra_mpts_per_part, dtype=float) * p
    parts = np.broadcast_arrays(material, process, transport, extra)
    return ImpactBreakdown(*[x if x.ndim else float(x) for x in parts])
