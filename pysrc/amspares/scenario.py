"""Scenario files (TOML, docs/model.md section 2): schema, validation, factor-table look-ups.

A :class:`Scenario` is an immutable, validated set of dotted keys
(``demand.rate_per_year``, ``methods.regular.price``, ...). Every input that reaches the
model passes through :func:`parse_scenario`, whatever its origin (a TOML file, the
workbook's Inputs sheet, a row of a portfolio CSV), so the rules are written once.

>>> sc = load_scenario()                       # the thesis case study, shipped in the package
>>> sc["demand.rate_per_year"], sc.method_names
(2.0, ('regular', 'am_mts', 'am_mto'))
>>> sc.with_values({"demand.rate_per_year": -1})
Traceback (most recent call last):
...
amspares.errors.ScenarioError: demand.rate_per_year = -1: must be >= 0
"""

from __future__ import annotations

import difflib
import re
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from amspares import factors, rules
from amspares.core.impact import megajoules_to_kwh, transport_leg_factor
from amspares.errors import ScenarioError
from amspares.rules import Rule

# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Key:
    """One scenario key: how it is checked and how it is explained to a planner."""

    key: str                      # dotted; method keys use the placeholder "<method>"
    type: str                     # "number", "integer", "choice", "text", "legs", "table"
    rule: str = ""                # ">= 0", "> 0", "(0, 1]", "[0, 1]", "(0, 1)", ">= 1"
    unit: str = ""
    symbol: str = ""
    help: str = ""
    default: Any = None           # None: no default (required, or optional without value)
    required: bool = False
    choices: tuple = ()
    table: str = ""               # factor table a name is looked up in ("table" keys)
    stock_only: bool = False      # meaningless for an order method (giving one is an error)
    maximum: float = 1e12         # a larger value is a typo, and would overflow the model


MODEL_KEYS = (
    Key("model.waiting_time", "choice", unit="", symbol="W(S)", default="exact",
        choices=("erlang_c", "exact"),
        help="How long a demand waits when the shelf is empty: exact = every open order is made in "
             "parallel (checked by simulation, the default); erlang_c = the thesis's queue (Eq. 5-6), "
             "which overstates the wait. See docs/model.md section 3.1."),
    Key("model.order_wait", "choice", default="charged", choices=("charged", "free"),
        help="Printed-to-order parts: charged = each demand waits the production + shipping days and "
             "pays the emergency cost per day beyond free_days (the default); free = the thesis's "
             "assumption that printing fits inside the normal repair time."),
    Key("model.service_target", "number", "(0, 1)", "share", "",
        help="Optional: the smallest share of demands that must be served within free_days (e.g. 0.95). "
             "Every stock policy is set to meet it; the cheapest and greenest are chosen among the "
             "methods that meet it."),
    Key("model.production_rule", "choice", symbol="CP", default="demand",
        choices=("demand", "max_demand_stock"),
        help="Production cost: demand = n*cp (Eq. 10); max_demand_stock = max(n, S)*cp (thesis 5.1.3)."),
    Key("model.accepted_q_confidence", "number", "[0.5, 1)", "", "", default=0.999,
        help="Confidence for accepted_q, the parts worth keeping from one large order (Eq. 31); "
             "from 0.5 up to (not including) 1."),
)
SCENARIO_KEYS = MODEL_KEYS + (
    Key("demand.rate_per_year", "number", ">= 0", "parts/year", "lambda", required=True, maximum=1e6,
        help="Expected demand rate (Poisson) while the part must be offered."),
    Key("demand.service_years", "number", "> 0", "years", "T", required=True, maximum=1000.0,
        help="Service period after sales stop during which the part must be supplied."),
    Key("downtime.emergency_per_day", "number", ">= 0", "EUR/part/day", "ce", default=0.0,
        help="Penalty per backordered part per day of waiting."),
    Key("downtime.regular_per_demand", "number", ">= 0", "EUR/demand", "cd", default=0.0,
        help="Fixed downtime or repair cost per demand, whatever the supply."),
    Key("downtime.free_days", "number", ">= 0", "days", "w", default=0.0, maximum=1e5,
        help="Days a customer can wait at no extra cost (their own repair or diagnosis time); "
             "only waiting beyond this is charged, for every method alike."),
    Key("storage.holding_per_part_year", "number", ">= 0", "EUR/part/year", "h_item",
        help="Holding cost per part per year. Or give volume_cost_per_m3 and package_m3, "
             "or holding_rate_per_year."),
    Key("storage.volume_cost_per_m3", "number", ">= 0", "EUR/m3/year", "h_vol",
        help="Warehouse cost per m3 per year (with package_m3, instead of holding_per_part_year)."),
    Key("storage.package_m3", "number", ">= 0", "m3", "",
        help="Volume of one packed part (with volume_cost_per_m3)."),
    Key("storage.holding_rate_per_year", "number", ">= 0", "share of price/year", "r", maximum=1e3,
        help="Holding cost as a share of each method's price per year (0.25 = 25 %), instead of "
             "holding_per_part_year."),
    Key("part.weight_kg", "number", ">= 0", "kg", "weight",
        help="Weight of the finished part. Without [part] the impact is not computed."),
    Key("part.material_mpts_per_kg", "number", ">= 0", "mPts/kg", "m",
        help="Eco-indicator 99 impact of the material per kg (thesis Table 1)."),
    Key("part.material", "table", unit="", symbol="m", table="materials",
        help="Material name looked up in the materials table (instead of material_mpts_per_kg); "
             "gives the kg CO2e twin too where the table has one."),
    Key("part.material_kgco2e_per_kg", "number", ">= 0", "kg CO2e/kg", "m_co2",
        help="Optional: climate impact of the material per kg (kg CO2e, GWP100). Without it (and "
             "without a material name whose table row has one) the kg CO2e result is not computed."),
    Key("impact.electricity_mpts_per_kwh", "number", ">= 0", "mPts/kWh", "ee", default=0.0,
        help="Impact of one kWh of electricity (37 for the Dutch grid)."),
    Key("impact.electricity_kgco2e_per_kwh", "number", ">= 0", "kg CO2e/kWh", "ee_co2",
        help="Optional: climate impact of one kWh of electricity (0.2527 for the Dutch grid, 2024). "
             "Needed for the kg CO2e result of a method that uses electricity (energy_kwh_per_kg)."),
    Key("impact.grid", "table", table="grids", symbol="ee",
        help="Electricity grid looked up in the grids table (NL, EU-27, DE, UK, US): gives "
             "electricity_kgco2e_per_kwh, and electricity_mpts_per_kwh where the table has it; "
             "a number given beside it wins."),
)
METHOD_KEYS = (
    Key("methods.<method>.kind", "choice", choices=("stock", "order"), required=True,
        help="stock = make to stock at a warehouse; order = make to order, no stock."),
    Key("methods.<method>.price", "number", ">= 0", "EUR/part", "cp", required=True,
        help="Production price per part."),
    Key("methods.<method>.production_days", "number", ">= 0", "days", "", default=0.0, maximum=1e5,
        help="Production time; with shipping_days the replenishment lead time L."),
    Key("methods.<method>.shipping_days", "number", ">= 0", "days", "", default=0.0, maximum=1e5,
        help="Shipping time: to the warehouse for a stock method (lead time = production + shipping "
             "days), to the customer for an order method (delivery time = production + shipping days)."),
    Key("methods.<method>.holding_per_part_year", "number", ">= 0", "EUR/part/year", "h_item",
        stock_only=True,
        help="Optional: this method's own holding cost per part per year (instead of [storage])."),
    Key("methods.<method>.holding_rate_per_year", "number", ">= 0", "share of price/year", "r",
        stock_only=True, maximum=1e3,
        help="Optional: this method's holding cost as a share of its price per year (instead of [storage])."),
    Key("methods.<method>.inbound_transport_share", "number", "[0, 1]", "share of value", "Tr_in",
        default=0.0, stock_only=True,
        help="Inbound transport cost as a share of the value of the parts shipped in."),
    Key("methods.<method>.outbound_per_part", "number", ">= 0", "EUR/part", "Tr_out", default=0.0,
        help="Transport cost per part sent to a customer."),
    Key("methods.<method>.investment", "number", ">= 0", "EUR", "I", default=0.0,
        help="One-off investment, e.g. a new mould."),
    Key("methods.<method>.benefit_per_part_year", "number", ">= 0", "EUR/part/year", "bp",
        default=0.0, help="Benefit per part per year (Eq. 13: B = bp*n*T/2)."),
    Key("methods.<method>.moq", "integer", ">= 1", "parts", "Q", default=1, stock_only=True, maximum=1e9,
        help="Minimum order quantity; 1 = one-by-one replenishment (base stock)."),
    Key("methods.<method>.material_efficiency", "number", "(0, 1]", "share", "ueff", default=1.0,
        help="Share of the material input that ends up in the part (Eq. 33)."),
    Key("methods.<method>.process_mpts_per_kg", "number", ">= 0", "mPts/kg", "ue", default=0.0,
        help="Process impact per kg of part (thesis Table 3)."),
    Key("methods.<method>.process", "table", table="processes", symbol="ue",
        help="Process name looked up in the processes table (instead of process_mpts_per_kg); gives "
             "the kg CO2e twin too where the table has it (or the process's electricity x the grid)."),
    Key("methods.<method>.process_kgco2e_per_kg", "number", ">= 0", "kg CO2e/kg", "ue_co2",
        help="Optional: climate impact of the process per kg of part (kg CO2e). Needed when the "
             "process has an Eco-indicator impact; 0 when it has none."),
    Key("methods.<method>.energy_kwh_per_kg", "number", ">= 0", "kWh/kg", "e_kWh", default=0.0,
        help="Electricity per kg of part (AM machines; Eq. 36: kWh = 0.278 MJ)."),
    Key("methods.<method>.am_machine", "table", table="am_machines", symbol="e_MJ",
        help="AM machine name looked up in the machines table (instead of energy_kwh_per_kg)."),
    Key("methods.<method>.extra_mpts_per_part", "number", ">= 0", "mPts/part", "EE", default=0.0,
        help="Extra impact per part produced, e.g. post-processing."),
    Key("methods.<method>.extra_kgco2e_per_part", "number", ">= 0", "kg CO2e/part", "EE_co2",
        help="Optional: extra climate impact per part produced (kg CO2e). Needed when "
             "extra_mpts_per_part is given; 0 when it is not."),
    Key("methods.<method>.transport_to_factory", "legs", unit="km by mode", symbol="km_man",
        default=(), help="Legs of the raw material to the factory: list of {mode, km} (a custom leg: "
                        "{km, mpts_per_kg_km, kgco2e_per_kg_km})."),
    Key("methods.<method>.transport_to_warehouse", "legs", unit="km by mode", symbol="km_war",
        default=(), stock_only=True, help="Legs from the factory to the warehouse: list of {mode, km}."),
    Key("methods.<method>.transport_to_customer", "legs", unit="km by mode", symbol="km_cus",
        default=(), help="Legs to the customer: list of {mode, km}."),
)

# --------------------------------------------------------------------------- demand history
# Demand history in place of demand.rate_per_year (docs/demand.md): the estimated rate
# becomes the rate the model uses. These keys are not in SCENARIO_KEYS (they are not
# model inputs: no workbook cell or portfolio column of their own).
HISTORY_KEYS = (
    Key("demand.history", "history", unit="parts/period", symbol="",
        help="Demand per period, oldest first (instead of rate_per_year), with periods_per_year or period."),
    Key("demand.history_file", "text", help="CSV file of demand history (wide history.<period> columns, "
        "or sku, date, quantity rows), relative to the scenario file; with sku."),
    Key("demand.sku", "text", help="The SKU whose history is read from history_file."),
    Key("demand.periods_per_year", "number", "> 0", "periods/year", "", maximum=1e4,
        help="Periods per year of the history (12 for months, 52 for weeks, 4 for quarters)."),
    Key("demand.period", "choice", choices=("month", "quarter", "week"),
        help="Length of a history period (instead of periods_per_year; needed for a transactions file)."),
    Key("demand.confidence_level", "number", "(0, 1)", "share", "", default=0.90,
        help="Confidence level of the rate's interval estimated from the history (0.90 = 90 %)."),
)
_HISTORY_FIELDS = {k.key.split(".", 1)[1]: k for k in HISTORY_KEYS}
#: What a history scenario drops when given a plain rate (and the reverse).
_HISTORY_ONLY = tuple(_HISTORY_FIELDS)


@dataclass(frozen=True)
class DemandHistory:
    """The history a scenario's rate was estimated from (``Scenario.history``).

    ``quantities``: demand per period, oldest first (NaN: not observed); ``source``: where
    it came from (``"[demand] history"`` or the file and SKU); ``level``: the confidence
    level of the interval.
    """

    quantities: Any
    periods_per_year: float
    level: float
    source: str
    period: str | None = None


def _base_dir(source: str) -> Path:
    p = Path(source)
    return p.parent if source and not source.startswith(("<", "case study")) else Path(".")


def _load_history(values: dict, source: str) -> DemandHistory | None:
    """Check the history keys (already type-checked) and estimate the rate from them."""
    given = [k for k in ("demand.history", "demand.history_file") if k in values]
    extras = [k for k in ("demand.sku", "demand.periods_per_year", "demand.period",
                          "demand.confidence_level") if k in values]
    if not given:
        if extras:
            raise ScenarioError(extras[0], values[extras[0]],
                                "means nothing without demand.history or demand.history_file")
        return None
    import math                      # only for a history: scipy.stats is not needed otherwise

    import numpy as np

    from amspares import history as hist
    from amspares.core.demand import poisson_rate_estimate

    if len(given) == 2:
        raise ScenarioError("demand.history_file", values["demand.history_file"],
                            "give either demand.history or demand.history_file, not both")
    if "demand.rate_per_year" in values:
        raise ScenarioError("demand.rate_per_year", values["demand.rate_per_year"],
                            f"give either rate_per_year or {given[0].split('.', 1)[1]}, not both "
                            f"(the rate is estimated from the history)")
    if "demand.periods_per_year" in values and "demand.period" in values:
        raise ScenarioError("demand.period", values["demand.period"],
                            "give either period or periods_per_year, not both")
    level = float(values.get("demand.confidence_level", 0.90))
    period = values.get("demand.period")
    ppy = values.get("demand.periods_per_year")
    if ppy is None and period is not None:
        ppy = hist.PERIODS_PER_YEAR[period]
    if given[0] == "demand.history":
        if "demand.sku" in values:
            raise ScenarioError("demand.sku", values["demand.sku"], "is used only with demand.history_file")
        raw = values["demand.history"]
        if not isinstance(raw, (list, tuple)) or not raw:
            raise ScenarioError("demand.history", raw, "must be a list of demand quantities per period, "
                                                       "oldest first, like [0, 1, 0, 0, 2]")
        for i, v in enumerate(raw, start=1):
            ok = (isinstance(v, (int, float)) and not isinstance(v, bool)
                  and (math.isnan(v) or (math.isfinite(v) and v >= 0 and v == math.floor(v) and v <= 1e12)))
            if not ok:
                raise ScenarioError(f"demand.history[{i}]", v, "must be a whole number >= 0 (the parts "
                                                               "demanded in that period)")
        q = np.asarray(raw, dtype=float)
        if np.isnan(q).all():
            raise ScenarioError("demand.history", raw, "needs at least one observed period (0 or more)")
        if ppy is None:
            raise ScenarioError("demand.periods_per_year", None,
                                "is required with demand.history (12 for months, 52 for weeks, 4 for quarters; "
                                "or period = \"month\")")
        where, kind = "[demand] history", period
    else:
        name = values["demand.history_file"]
        path = Path(name)
        if not path.is_absolute():
            path = _base_dir(source) / path
        sku = values.get("demand.sku")
        header = hist._read_rows(path, "demand.history_file")[0]
        if hist.history_columns(header):
            h = hist.read_wide_history(path, ppy)
        else:
            if period is None:
                by_ppy = {v: k for k, v in hist.PERIODS_PER_YEAR.items()}
                period = next((k for v, k in by_ppy.items() if ppy is not None and math.isclose(v, ppy, rel_tol=1e-3)), None)
                if period is None:
                    raise ScenarioError("demand.period", ppy if ppy is not None else None,
                                        "is required with a transactions file (sku, date, quantity): "
                                        "month, quarter or week")
            h = hist.read_transactions(path, period, skus=() if sku is None else (sku,))
        if sku is None:
            if len(h.skus) != 1:
                raise ScenarioError("demand.sku", None, f"is required: {name} holds {len(h.skus)} SKUs "
                                                        f"({', '.join(h.skus[:5])}{', ...' if len(h.skus) > 5 else ''})")
            sku = h.skus[0]
        if sku not in h.skus:
            raise ScenarioError("demand.sku", sku, f"is not in {name}" + _suggest(sku, h.skus))
        q = h.quantities[h.skus.index(sku)]
        ppy, kind = h.periods_per_year, h.period
        where = f"{name}, sku {sku}"
    try:
        est = poisson_rate_estimate(q, ppy, level)
    except ValueError as exc:
        raise ScenarioError(given[0], where, str(exc)) from None
    if float(est.rate) > 1e6:
        raise ScenarioError(given[0], where, f"gives {float(est.rate):g} parts/year; the rate must be <= 1e6")
    values["demand.rate_per_year"] = float(est.rate)
    return DemandHistory(q, float(ppy), level, where, kind)

SECTIONS = ("model", "demand", "downtime", "storage", "part", "impact")
_METHOD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_METHOD_BY_FIELD = {k.key.split(".")[-1]: k for k in METHOD_KEYS}


def method_key(method: str, field_name: str) -> str:
    return f"methods.{method}.{field_name}"


def all_keys(method_kinds: Mapping[str, str] | None = None) -> list[Key]:
    """The keys of a scenario with these methods (``{name: kind}``), in file order."""
    keys = list(SCENARIO_KEYS)
    for name, kind in (method_kinds or {}).items():
        for k in METHOD_KEYS:
            if kind == "order" and k.stock_only:
                continue
            keys.append(Key(**{**k.__dict__, "key": k.key.replace("<method>", name)}))
    return keys


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Leg:
    """One transport leg: a mode (from Table 4, or "custom") and its distance, with the mode's
    factors in mPts and kg CO2e per kg-km (``kgco2e_per_kg_km`` is ``None`` when missing)."""

    mode: str
    km: float
    mpts_per_kg_km: float
    kgco2e_per_kg_km: float | None = None

    def as_dict(self) -> dict:
        out = {"mode": self.mode, "km": self.km}
        twin = factors.transport_modes().get(self.mode)
        if self.kgco2e_per_kg_km is not None and (twin is None or twin.kgco2e != self.kgco2e_per_kg_km):
            out["kgco2e_per_kg_km"] = self.kgco2e_per_kg_km
        return out


def _suggest(name: str, candidates) -> str:
    """``"; did you mean X?"`` with the closest candidate (ties: the first listed), or ``""``.

    >>> _suggest("storage.holding", ["storage.holding_per_part_year", "storage.holding_rate_per_year"])
    '; did you mean storage.holding_per_part_year?'
    """
    best, best_score = None, 0.5
    for c in candidates:
        m = difflib.SequenceMatcher(None, name, c)
        if m.real_quick_ratio() < best_score or m.quick_ratio() < best_score:
            continue
        score = m.ratio()
        if score > best_score or (best is None and score >= best_score):
            best, best_score = c, score
    return f"; did you mean {best}?" if best is not None else ""


def key_rule(spec: Key) -> Rule:
    """The :class:`amspares.rules.Rule` a numeric key's values must satisfy."""
    return Rule(spec.rule, integer=spec.type == "integer", maximum=spec.maximum, **rules.minimum_of(spec.key))


def _number(key: str, value, rule: str, integer: bool = False, maximum: float = 1e12):
    """``value`` checked by :func:`amspares.rules.number` (kept for the legs' ``km``)."""
    return rules.number(key, value, Rule(rule, integer=integer, maximum=maximum))


def _table_name(key: str, table: str, name) -> str:
    """The table's spelling of a (checked) name, matched case-insensitively."""
    rows = factors.TABLES[table]()
    return name if name in rows else {k.lower(): k for k in rows}[str(name).lower()]


def _table_value(key: str, table: str, name) -> float:
    rows = factors.TABLES[table]()
    if not isinstance(name, str):
        raise ScenarioError(key, name, f"must be a name from the {table} table")
    if name not in rows:
        # case-insensitive match is forgiving without being ambiguous
        lower = {k.lower(): k for k in rows}
        if name.lower() in lower:
            return rows[lower[name.lower()]].value
        raise ScenarioError(key, name, f"unknown {table} name (known: {', '.join(rows)})"
                            + _suggest(name, rows))
    return rows[name].value


def parse_legs(key: str, value) -> tuple[Leg, ...]:
    """Validate transport legs (a list of ``{mode, km}`` or ``{mpts_per_kg_km, km}`` tables)."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ScenarioError(key, value, "must be a list of legs like [{ mode = \"truck_28t\", km = 5000 }]")
    modes = factors.transport_modes()
    legs = []
    for i, leg in enumerate(value, start=1):
        where = f"{key}[{i}]"
        if isinstance(leg, Leg):
            legs.append(leg)
            continue
        if not isinstance(leg, dict):
            raise ScenarioError(where, leg, "must be a table like { mode = \"van\", km = 100 }")
        for k in leg:
            if k not in LEG_FIELDS:
                raise ScenarioError(f"{where}.{k}", leg[k], "unknown key" + _suggest(k, LEG_FIELDS))
        if "km" not in leg:
            raise ScenarioError(f"{where}.km", None, "is required")
        km = _number(f"{where}.km", leg["km"], ">= 0")
        if "mpts_per_kg_km" in leg:
            t = _number(f"{where}.mpts_per_kg_km", leg["mpts_per_kg_km"], ">= 0")
            mode = str(leg.get("mode", "custom"))
        elif "mode" in leg:
            mode = leg["mode"]
            t = _table_value(f"{where}.mode", "transport_modes", mode)
            mode = next((m for m in modes if m.lower() == str(mode).lower()), mode)
        else:
            raise ScenarioError(f"{where}.mode", None, "is required (a mode from the transport table, or mpts_per_kg_km)")
        if "kgco2e_per_kg_km" in leg:
            co2 = _number(f"{where}.kgco2e_per_kg_km", leg["kgco2e_per_kg_km"], ">= 0")
        elif "mpts_per_kg_km" in leg:
            co2 = None                           # a custom leg without its climate twin: missing
        else:
            co2 = factors.transport_modes()[mode].kgco2e if mode in modes else None
        legs.append(Leg(mode, km, t, co2))
    return tuple(legs)


#: The keys a transport leg may hold.
LEG_FIELDS = ("mode", "km", "mpts_per_kg_km", "kgco2e_per_kg_km")


def leg_factor(legs) -> float:
    """``sum(km * t)`` over the legs, in mPts per kg (thesis Eq. 40-41; see
    :func:`amspares.core.impact.transport_leg_factor`)."""
    legs = tuple(legs)
    return transport_leg_factor([leg.km for leg in legs], [leg.mpts_per_kg_km for leg in legs])


def leg_factor_kgco2e(legs) -> float:
    """``sum(km * t)`` over the legs in kg CO2e per kg; NaN when a leg with km > 0 has no
    climate factor (missing, never 0).

    >>> leg_factor_kgco2e([Leg("van", 100.0, 0.14, 0.0006313), Leg("custom", 0.0, 0.1, None)])
    0.06313
    >>> leg_factor_kgco2e([Leg("custom", 5.0, 0.1, None)])
    nan
    """
    legs = [leg for leg in legs if leg.km != 0]
    if any(leg.kgco2e_per_kg_km is None for leg in legs):
        return float("nan")
    return transport_leg_factor([leg.km for leg in legs], [leg.kgco2e_per_kg_km for leg in legs])


def _check(spec: Key, key: str, value):
    if spec.type in ("number", "integer"):
        return rules.number(key, value, key_rule(spec))
    if spec.type == "choice":
        if value not in spec.choices:
            raise ScenarioError(key, value, f"must be one of {', '.join(spec.choices)}"
                                + _suggest(str(value), spec.choices))
        return value
    if spec.type == "legs":
        return parse_legs(key, value)
    if spec.type == "table":
        _table_value(key, spec.table, value)
        return value
    if spec.type == "text" and not isinstance(value, str):
        raise ScenarioError(key, value, "must be text (in quotes)")
    return value


# --------------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: dotted keys to values, method kinds, and resolved numbers.

    Use :func:`load_scenario`, :func:`parse_scenario` or :meth:`with_values`; do not
    build one by hand.
    """

    name: str
    methods: Mapping[str, str]           # method name -> "stock" | "order", in file order
    values: Mapping[str, Any]            # every given or defaulted key, validated
    source: str = "<scenario>"
    _inputs: Mapping[str, Any] = field(default=None, repr=False, compare=False)
    #: The demand history the rate was estimated from (None: the rate was given).
    history: "DemandHistory | None" = field(default=None, repr=False, compare=False)
    #: The climate (kg CO2e) factors the scenario lacks (:class:`MissingClimate`; empty: none).
    climate_missing: tuple = field(default=(), repr=False, compare=False)

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    @property
    def method_names(self) -> tuple[str, ...]:
        return tuple(self.methods)

    @property
    def has_part(self) -> bool:
        return "part.weight_kg" in self.values

    def inputs(self) -> Mapping[str, Any]:
        """The model's inputs: resolved numbers only (tables looked up, legs as ``sum km*t``).

        Keys are the scenario's dotted keys; ``storage.holding_per_part_year`` is present
        unless the storage gives ``holding_rate_per_year`` (then that key is), the per-method
        holding keys and ``model.service_target`` only when given, ``part.*`` only with a
        part, and each ``methods.<m>.transport_to_*`` holds the leg factor in mPts per kg.
        The kg CO2e twins (``part.material_kgco2e_per_kg``, ``impact.electricity_kgco2e_per_kwh``,
        ``methods.<m>.process_kgco2e_per_kg``, ``methods.<m>.extra_kgco2e_per_part`` and the leg
        factors ``methods.<m>.transport_to_*_kgco2e``) are absent where missing
        (:attr:`climate_missing` says which and why). :func:`amspares.binding.bind` turns the holding forms into one holding cost per
        part-year per method.
        """
        return self._inputs

    def to_mapping(self) -> dict:
        """Nested plain data, as a TOML file would hold it (round-trips through parse)."""
        out: dict = {"name": self.name}
        for key, value in self.values.items():
            if key == "demand.rate_per_year" and self.history is not None:
                continue                   # estimated from the history, not given
            parts = key.split(".")
            node = out
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            if isinstance(value, tuple) and value and isinstance(value[0], Leg):
                value = [leg.as_dict() if leg.mode != "custom" else
                         {"km": leg.km, "mpts_per_kg_km": leg.mpts_per_kg_km,
                          **({} if leg.kgco2e_per_kg_km is None else {"kgco2e_per_kg_km": leg.kgco2e_per_kg_km})}
                         for leg in value]
            elif isinstance(value, tuple):
                value = list(value)
            node[parts[-1]] = value
        return out

    def with_values(self, changes: Mapping[str, Any]) -> "Scenario":
        """A new scenario with some dotted keys changed (validated like a file).

        A value of ``None`` removes the key (back to its default). Table-name keys and
        their numeric alternatives replace each other: setting
        ``methods.am_mts.energy_kwh_per_kg`` drops ``methods.am_mts.am_machine``, and one form
        of holding cost drops the others at the same level.
        """
        data = self.to_mapping()
        alternatives = {"material_mpts_per_kg": "material", "material": "material_mpts_per_kg",
                        "process_mpts_per_kg": "process", "process": "process_mpts_per_kg",
                        "energy_kwh_per_kg": "am_machine", "am_machine": "energy_kwh_per_kg",
                        "holding_per_part_year": "holding_rate_per_year",
                        "holding_rate_per_year": "holding_per_part_year"}
        for key, value in changes.items():
            parts = key.split(".")
            node = data
            for p in parts[:-1]:
                nxt = node.setdefault(p, {})
                if not isinstance(nxt, dict):
                    raise ScenarioError(key, value, "is not a key of this scenario")
                node = nxt
            last = parts[-1]
            if last in alternatives and value is not None:
                other = alternatives[last]
                if other:
                    node.pop(other, None)
                if last in ("holding_per_part_year", "holding_rate_per_year"):
                    node.pop("volume_cost_per_m3", None)
                    node.pop("package_m3", None)
            if last in ("volume_cost_per_m3", "package_m3") and value is not None:
                node.pop("holding_per_part_year", None)
                node.pop("holding_rate_per_year", None)
            if parts[0] == "demand" and value is not None:
                if last == "rate_per_year":          # a given rate replaces the history
                    for k in _HISTORY_ONLY:
                        node.pop(k, None)
                elif last in ("history", "history_file"):
                    node.pop("rate_per_year", None)
                    node.pop("history_file" if last == "history" else "history", None)
            if value is None:
                node.pop(last, None)
            else:
                node[last] = value
        return parse_scenario(data, source=self.source)


def parse_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate nested scenario data (a parsed TOML document) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        On the first problem: unknown key (with the nearest valid key suggested), wrong
        type, value out of range, unknown choice or table name, missing required key.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("scenario", type(data).__name__, "must be a table of keys")
    values: dict[str, Any] = {}
    top_allowed = ("name",) + SECTIONS + ("methods",)
    for top in data:
        if top not in top_allowed:
            dotted = [k.key for k in SCENARIO_KEYS]
            hint = _suggest(top, list(top_allowed) + dotted)
            raise ScenarioError(top, data[top], "unknown key" + hint)
    name = data.get("name", "Unnamed scenario")
    if not isinstance(name, str):
        raise ScenarioError("name", name, "must be text")
    if len(name) > NAME_CHARS:
        raise ScenarioError("name", name, f"must be at most {NAME_CHARS:,} characters")

    for section in SECTIONS:
        content = data.get(section, {})
        if not isinstance(content, Mapping):
            raise ScenarioError(section, content, "must be a table ([" + section + "])")
        allowed = {k.key.split(".", 1)[1]: k for k in SCENARIO_KEYS if k.key.startswith(section + ".")}
        if section == "demand":
            allowed.update(_HISTORY_FIELDS)
        for k, v in content.items():
            key = f"{section}.{k}"
            if k not in allowed:
                everything = [s.key for s in SCENARIO_KEYS + HISTORY_KEYS]
                raise ScenarioError(key, v, "unknown key" + _suggest(key, everything))
            values[key] = _check(allowed[k], key, v)

    demand_history = _load_history(values, source)
    for spec in SCENARIO_KEYS:
        if spec.key in values:
            continue
        if spec.required:
            raise ScenarioError(spec.key, None, "is required")
        if spec.default is not None and spec.key.startswith(("model.", "downtime.", "impact.")):
            if spec.key == "impact.electricity_mpts_per_kwh" and "impact.grid" in values:
                continue                         # the grid's value (checked below)
            values[spec.key] = spec.default
    if "impact.grid" in values and "impact.electricity_mpts_per_kwh" not in values:
        grid = factors.grids()[_table_name("impact.grid", "grids", values["impact.grid"])]
        if grid.value is None:
            raise ScenarioError("impact.grid", values["impact.grid"],
                                f"the grids table has no Eco-indicator 99 value (mPts/kWh) for {grid.name}: "
                                "give impact.electricity_mpts_per_kwh too")

    # storage: exactly one of the three forms (per part, per m3 with package volume, rate)
    has_item = "storage.holding_per_part_year" in values
    has_vol = "storage.volume_cost_per_m3" in values or "storage.package_m3" in values
    has_rate = "storage.holding_rate_per_year" in values
    if has_rate and (has_item or has_vol):
        raise ScenarioError("storage.holding_rate_per_year", values["storage.holding_rate_per_year"],
                            "give only one of holding_per_part_year, volume_cost_per_m3 with package_m3, "
                            "or holding_rate_per_year")
    if has_item and has_vol:
        given = next(k for k in ("storage.volume_cost_per_m3", "storage.package_m3") if k in values)
        raise ScenarioError(given, values[given],
                            "give either holding_per_part_year or volume_cost_per_m3 with package_m3, not both")
    if not has_item and not has_rate:
        if not has_vol:
            raise ScenarioError("storage.holding_per_part_year", None,
                                "is required (or volume_cost_per_m3 with package_m3, or holding_rate_per_year)")
        for k in ("storage.volume_cost_per_m3", "storage.package_m3"):
            if k not in values:
                raise ScenarioError(k, None, "is required with the other volume key")

    # part: weight and one form of the material
    part_keys = [k for k in values if k.startswith("part.")]
    if part_keys:
        if "part.weight_kg" not in values:
            raise ScenarioError("part.weight_kg", None, "is required when [part] is given")
        has_m = "part.material_mpts_per_kg" in values
        has_name = "part.material" in values
        if has_m == has_name:
            raise ScenarioError("part.material_mpts_per_kg", values.get("part.material_mpts_per_kg"),
                                "give exactly one of material_mpts_per_kg or material")

    methods_data = data.get("methods")
    if not isinstance(methods_data, Mapping) or not methods_data:
        raise ScenarioError("methods", methods_data, "at least one method is required ([methods.<name>])")
    kinds: dict[str, str] = {}
    for mname, mdata in methods_data.items():
        if not _METHOD_NAME.match(mname):
            raise ScenarioError(f"methods.{mname}", None,
                                "a method name must start with a letter and hold only letters, digits and _")
        if not isinstance(mdata, Mapping):
            raise ScenarioError(f"methods.{mname}", mdata, "must be a table ([methods." + mname + "])")
        if "kind" not in mdata:
            raise ScenarioError(method_key(mname, "kind"), None, "is required (\"stock\" or \"order\")")
        kind = mdata.get("kind")
        kinds[mname] = _check(_METHOD_BY_FIELD["kind"], method_key(mname, "kind"), kind)
        for k, v in mdata.items():
            key = method_key(mname, k)
            if k not in _METHOD_BY_FIELD:
                raise ScenarioError(key, v, "unknown key" + _suggest(k, _METHOD_BY_FIELD).replace(
                    "did you mean ", f"did you mean methods.{mname}."))
            spec = _METHOD_BY_FIELD[k]
            if kind == "order" and spec.stock_only:
                raise ScenarioError(key, v, "means nothing for a make-to-order method (kind = \"order\")")
            values[key] = _check(spec, key, v)
        for k, spec in _METHOD_BY_FIELD.items():
            key = method_key(mname, k)
            if key in values:
                continue
            if spec.required or (k == "production_days" and kind == "stock"):
                raise ScenarioError(key, None, "is required")
            if spec.default is not None and not (kind == "order" and spec.stock_only) and spec.type != "table":
                if k == "process_mpts_per_kg" and method_key(mname, "process") in values:
                    continue
                if k == "energy_kwh_per_kg" and method_key(mname, "am_machine") in values:
                    continue
                values[key] = spec.default
        if method_key(mname, "holding_per_part_year") in values and method_key(mname, "holding_rate_per_year") in values:
            raise ScenarioError(method_key(mname, "holding_rate_per_year"),
                                values[method_key(mname, "holding_rate_per_year")],
                                "give either holding_per_part_year or holding_rate_per_year, not both")
        for num, name_ in (("process_mpts_per_kg", "process"), ("energy_kwh_per_kg", "am_machine")):
            if method_key(mname, num) in values and method_key(mname, name_) in values:
                raise ScenarioError(method_key(mname, name_), values[method_key(mname, name_)],
                                    f"give either {name_} or {num}, not both")

    inputs = _resolve(values, kinds)
    missing = _resolve_climate(values, kinds, inputs)
    return Scenario(name=name, methods=MappingProxyType(kinds), values=MappingProxyType(values),
                    source=source, _inputs=MappingProxyType(inputs), history=demand_history,
                    climate_missing=missing)


def _resolve(values: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    """Numbers the model needs, with tables looked up and legs reduced to ``sum km*t``."""
    out: dict[str, Any] = {}
    for k in ("model.waiting_time", "model.order_wait", "model.production_rule",
              "model.accepted_q_confidence", "demand.rate_per_year", "demand.service_years",
              "downtime.emergency_per_day", "downtime.regular_per_demand", "downtime.free_days"):
        out[k] = values[k]
    if "impact.electricity_mpts_per_kwh" in values:
        out["impact.electricity_mpts_per_kwh"] = values["impact.electricity_mpts_per_kwh"]
    else:                                        # checked in parse_scenario: the grid has a value
        out["impact.electricity_mpts_per_kwh"] = _table_value("impact.grid", "grids", values["impact.grid"])
    if "model.service_target" in values:
        out["model.service_target"] = values["model.service_target"]
    if "storage.holding_per_part_year" in values:
        out["storage.holding_per_part_year"] = values["storage.holding_per_part_year"]
    elif "storage.holding_rate_per_year" in values:
        out["storage.holding_rate_per_year"] = values["storage.holding_rate_per_year"]
    else:
        out["storage.holding_per_part_year"] = values["storage.volume_cost_per_m3"] * values["storage.package_m3"]
    if "part.weight_kg" in values:
        out["part.weight_kg"] = values["part.weight_kg"]
        if "part.material" in values:
            out["part.material_mpts_per_kg"] = _table_value("part.material", "materials", values["part.material"])
        else:
            out["part.material_mpts_per_kg"] = values["part.material_mpts_per_kg"]
    for m, kind in kinds.items():
        for spec in METHOD_KEYS:
            f = spec.key.split(".")[-1]
            key = method_key(m, f)
            if spec.type == "table" or (kind == "order" and spec.stock_only):
                continue
            if f == "kind":
                continue
            if f == "process_mpts_per_kg" and method_key(m, "process") in values:
                out[key] = _table_value(method_key(m, "process"), "processes", values[method_key(m, "process")])
            elif f == "energy_kwh_per_kg" and method_key(m, "am_machine") in values:
                mj = _table_value(method_key(m, "am_machine"), "am_machines", values[method_key(m, "am_machine")])
                out[key] = float(megajoules_to_kwh(mj))
            elif f in CLIMATE_METHOD_FIELDS:
                continue                         # _resolve_climate
            elif spec.type == "legs":
                out[key] = leg_factor(values[key])
            elif key in values:                  # optional keys without a default may be absent
                out[key] = values[key]
    return out


#: Method keys whose numbers :func:`_resolve_climate` gives to the model.
CLIMATE_METHOD_FIELDS = ("process_kgco2e_per_kg", "extra_kgco2e_per_part")
#: The model inputs of the kg CO2e leg factors, per leg (``methods.<m>.transport_to_<leg>_kgco2e``).
LEG_CLIMATE_SUFFIX = "_kgco2e"
NAN = float("nan")


@dataclass(frozen=True)
class MissingClimate:
    """A climate (kg CO2e) factor a scenario lacks: the key that would give it, the methods
    whose kg CO2e it leaves uncomputed, and why (e.g. the factor table's note)."""

    key: str
    methods: tuple[str, ...]
    why: str


def _resolve_climate(values: Mapping[str, Any], kinds: Mapping[str, str], out: dict) -> tuple[MissingClimate, ...]:
    """The kg CO2e inputs (docs/model.md sections 2.5 and 4), added to ``out``; a missing
    factor has no key (the model then reports no kg CO2e), never 0. Returns what is missing, for the result's notes.

    Rules: a number given wins; else a table name's twin (material, process, grid, transport
    mode); a process or extra impact defaults to 0 only where its Eco-indicator value is 0 too
    (nothing there); the electricity factor matters only to methods using electricity.
    """
    missing: list[MissingClimate] = []
    climate: dict[str, float] = {}
    grid = values.get("impact.grid")
    if "impact.electricity_kgco2e_per_kwh" in values:
        elec = values["impact.electricity_kgco2e_per_kwh"]
    elif grid is not None:
        elec = factors.grid_kgco2e_per_kwh(_table_name("impact.grid", "grids", grid))
    else:
        elec = NAN
    climate["impact.electricity_kgco2e_per_kwh"] = elec
    if "part.weight_kg" not in values:
        _insert_in_order(out, {k: v for k, v in climate.items() if v == v})
        return ()
    forming = False
    if "part.material_kgco2e_per_kg" in values:
        material = values["part.material_kgco2e_per_kg"]
    elif "part.material" in values:
        name = _table_name("part.material", "materials", values["part.material"])
        twin = factors.climate_twin("materials", name)
        material = NAN if twin is None else twin
        forming = twin is not None and factors.materials()[name].includes_forming
        why = factors.missing_climate_note("materials", name)
    else:
        material, why = NAN, "material_mpts_per_kg is given without its kg CO2e twin"
    climate["part.material_kgco2e_per_kg"] = material
    if material != material:
        missing.append(MissingClimate("part.material_kgco2e_per_kg", tuple(kinds), why))
    no_elec: list[str] = []
    for m, kind in kinds.items():
        key = method_key(m, "process_kgco2e_per_kg")
        process_name = values.get(method_key(m, "process"))
        if key in values:
            process = values[key]
        elif process_name is not None:
            name = _table_name(method_key(m, "process"), "processes", process_name)
            row = factors.processes()[name]
            if forming and row.kgco2e is None and name.startswith("injection_moulding"):
                process = 0.0                    # the material's factor includes the forming
            elif row.kgco2e is not None:
                process = row.kgco2e
            elif row.kwh_per_kg is not None and elec == elec:
                process = row.kwh_per_kg * elec
            else:
                process = NAN
                why = (factors.missing_climate_note("processes", name) if row.kwh_per_kg is None else
                       f"processes {name} gives electricity per kg, to be multiplied by the grid's kg CO2e "
                       "per kWh: give impact.electricity_kgco2e_per_kwh or impact.grid")
                missing.append(MissingClimate(key, (m,), why))
        elif values.get(method_key(m, "process_mpts_per_kg"), 0.0) > 0:
            process = NAN
            missing.append(MissingClimate(key, (m,), "process_mpts_per_kg is given without its kg CO2e twin"))
        else:
            process = 0.0
        climate[key] = process
        key = method_key(m, "extra_kgco2e_per_part")
        if key in values:
            climate[key] = values[key]
        elif values.get(method_key(m, "extra_mpts_per_part"), 0.0) > 0:
            climate[key] = NAN
            missing.append(MissingClimate(key, (m,), "extra_mpts_per_part is given without its kg CO2e twin"))
        else:
            climate[key] = 0.0
        energy = out.get(method_key(m, "energy_kwh_per_kg"), 0.0)
        if energy > 0 and elec != elec:
            no_elec.append(m)
        for leg in ("factory", "warehouse", "customer"):
            if leg == "warehouse" and kind == "order":
                continue
            lkey = method_key(m, f"transport_to_{leg}")
            legs = values.get(lkey, ())
            co2 = leg_factor_kgco2e(legs)
            climate[lkey + LEG_CLIMATE_SUFFIX] = co2
            if co2 != co2:
                lacking = [i for i, g in enumerate(legs, start=1) if g.km != 0 and g.kgco2e_per_kg_km is None]
                missing.append(MissingClimate(f"{lkey}[{lacking[0]}].kgco2e_per_kg_km", (m,),
                                              "a custom leg without its kg CO2e per kg-km"))
    if no_elec:
        missing.append(MissingClimate("impact.electricity_kgco2e_per_kwh", tuple(no_elec),
                                      "the electricity they use (energy_kwh_per_kg) needs it: give "
                                      "impact.electricity_kgco2e_per_kwh or impact.grid"))
    _insert_in_order(out, {k: v for k, v in climate.items() if v == v})     # a missing factor: no key
    return tuple(missing)


def _insert_in_order(out: dict, new: Mapping[str, Any]) -> None:
    """Add ``new`` to ``out`` keeping the file's order: a top-level twin after its Eco-indicator
    key, a method's after the method's other keys."""
    after = {"part.material_kgco2e_per_kg": "part.material_mpts_per_kg",
             "impact.electricity_kgco2e_per_kwh": "impact.electricity_mpts_per_kwh"}
    keys = list(out)
    last_of: dict[str, str] = {}
    for k in keys:
        if k.startswith("methods."):
            last_of[k.split(".")[1]] = k
    extra: dict[str, list[str]] = {}
    for k in new:
        anchor = after.get(k) or last_of.get(k.split(".")[1]) if k.startswith("methods.") or k in after else None
        extra.setdefault(anchor if anchor in out else keys[-1], []).append(k)
    merged = {}
    for k in keys:
        merged[k] = out[k]
        for e in extra.get(k, ()):
            merged[e] = new[e]
    out.clear()
    out.update(merged)


#: The largest scenario file read (a scenario is a few KB; this bounds memory and time).
MAX_FILE_BYTES = 1_000_000
#: The longest scenario name.
NAME_CHARS = 1000


def read_toml(path: str | Path) -> dict:
    """Read a TOML file, turning I/O and syntax problems into one-line errors.

    Refused: a path that is not a regular file (a folder, ``/dev/zero``, a pipe), a file
    over :data:`MAX_FILE_BYTES`, text that is not UTF-8, invalid TOML, nesting too deep
    for the parser and integers of more than 4,300 digits. A byte-order mark at the start
    (Notepad writes one) is skipped.
    """
    import stat

    p = Path(path)
    limit = f"{MAX_FILE_BYTES // 1_000_000} MB"
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ScenarioError("scenario file", str(p), "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ScenarioError("scenario file", str(p), "is not a regular file (a device or a pipe?)")
        if st.st_size > MAX_FILE_BYTES:
            raise ScenarioError("scenario file", str(p),
                                f"is {st.st_size:,} bytes; a scenario file is at most {limit}")
        with open(p, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError("scenario file", str(p), "does not exist") from None
    except OSError as exc:
        raise ScenarioError("scenario file", str(p), f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError("scenario file", str(p), f"is larger than {limit}, the most a scenario file may be")
    if raw.startswith(b"\xef\xbb\xbf"):     # UTF-8 byte-order mark (Notepad): not part of the text
        raw = raw[3:]
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError("scenario file", str(p), "is not UTF-8 text (is it a TOML file?)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError("scenario file", str(p), f"is not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError("scenario file", str(p), "is nested too deeply (arrays or tables "
                            "inside each other hundreds of levels deep)") from None
    except ValueError:            # Python's limit on digits when converting an integer
        raise ScenarioError("scenario file", str(p), "holds an integer of more than "
                            f"{sys.get_int_max_str_digits():,} digits") from None


CASE_STUDY = "case_study.toml"


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file; without a path, the thesis case study."""
    if path is None:
        text = resources.files("amspares.data").joinpath(CASE_STUDY).read_text(encoding="utf-8")
        return parse_scenario(tomllib.loads(text), source="case study (built in)")
    return parse_scenario(read_toml(path), source=str(path))
