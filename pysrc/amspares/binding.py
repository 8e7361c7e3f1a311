"""The one binding from scenario keys to model parameters.

A scenario (a file, the workbook's Inputs sheet, a portfolio row, the Excel functions'
arguments) is a mapping of dotted keys (``Scenario.inputs()``: ``demand.rate_per_year``,
``methods.regular.price``, ...). :func:`bind` turns it into the typed
:class:`~amspares.core.params.ModelParams` the model reads; nothing else in the package
reads dotted keys for the model. Values may be numbers or arrays of one common length
(one element per SKU).

Adding a model input: one field in :mod:`amspares.core.params` and, for a scenario-level
field, one line in :data:`MODEL_KEYS` (a method field ``f`` is read from
``methods.<m>.f`` without further edits).

>>> from amspares.scenario import load_scenario
>>> p = bind(load_scenario())
>>> p.rate_per_year, p.methods["regular"].price, p.methods["am_mto"].moq
(2.0, 15.0, None)
>>> sorted(MODEL_KEYS) == sorted(f for f in MODEL_FIELDS)
True
"""

from __future__ import annotations

from dataclasses import MISSING, fields, replace
from typing import Any, Mapping

import numpy as np

from amspares.core.params import METHOD_FIELDS, MethodParams, ModelParams

#: ModelParams field -> the scenario's dotted key.
MODEL_KEYS: dict[str, str] = {
    "rate_per_year": "demand.rate_per_year",
    "service_years": "demand.service_years",
    "emergency_per_day": "downtime.emergency_per_day",
    "regular_per_demand": "downtime.regular_per_demand",
    "holding_per_part_year": "storage.holding_per_part_year",
    "accepted_q_confidence": "model.accepted_q_confidence",
    "electricity_mpts_per_kwh": "impact.electricity_mpts_per_kwh",
    "weight_kg": "part.weight_kg",
    "material_mpts_per_kg": "part.material_mpts_per_kg",
    "waiting_time": "model.waiting_time",
    "production_rule": "model.production_rule",
    "free_days": "downtime.free_days",
    "order_wait": "model.order_wait",
    "service_target": "model.service_target",
    "holding_rate_per_year": "storage.holding_rate_per_year",
    "material_kgco2e_per_kg": "part.material_kgco2e_per_kg",
    "electricity_kgco2e_per_kwh": "impact.electricity_kgco2e_per_kwh",
}
#: Fields held as text, not numbers.
CHOICE_FIELDS = ("waiting_time", "production_rule", "order_wait")
#: The storage's holding forms (the binding resolves them per stock method).
STORAGE_HOLDING = ("holding_per_part_year", "holding_rate_per_year")
#: ModelParams fields bound from MODEL_KEYS (all but ``methods``).
MODEL_FIELDS = tuple(f.name for f in fields(ModelParams) if f.name != "methods")


def method_key(method: str, field_name: str) -> str:
    """The dotted key of a method's field: ``methods.<method>.<field>``."""
    return f"methods.{method}.{field_name}"


def model_key(field_name: str) -> str:
    """The dotted key of a scenario-level field (``rate_per_year`` -> ``demand.rate_per_year``)."""
    return MODEL_KEYS[field_name]


def _number(value: Any):
    """A number as a float, an array as a float64 array."""
    a = np.asarray(value, dtype=float)
    return a if a.ndim else float(a)


def bind(scenario_or_inputs, methods: Mapping[str, str] | None = None) -> ModelParams:
    """Model parameters of a scenario (or of a ``Scenario.inputs()``-style mapping).

    Parameters
    ----------
    scenario_or_inputs
        A :class:`~amspares.scenario.Scenario`, or a mapping of dotted keys whose numeric
        values may be arrays of one common length N.
    methods
        ``{method name: "stock" | "order"}``; defaults to the scenario's methods (needed
        with a plain mapping).

    Keys missing from the mapping (``part.*`` without a part, stock-only fields of an order
    method) become ``None``, or the model's default where it has one (``free_days`` 0,
    ``order_wait`` "charged", ``waiting_time`` "exact").

    Holding cost (docs/model.md section 2) is resolved here, once, into every stock method's
    ``holding_per_part_year``: the method's own ``holding_per_part_year``, else its own
    ``holding_rate_per_year`` times its price, else the storage's per-part value, else the
    storage's rate times the method's price. The model never sees a rate.

    >>> from amspares.scenario import load_scenario
    >>> sc = load_scenario().with_values({"storage.holding_rate_per_year": 0.2,
    ...                                   "methods.am_mts.holding_per_part_year": 1.0})
    >>> p = bind(sc)
    >>> [float(p.methods[m].holding_per_part_year) for m in ("regular", "am_mts")]
    [3.0, 1.0]
    """
    if hasattr(scenario_or_inputs, "inputs") and callable(scenario_or_inputs.inputs):
        inputs = scenario_or_inputs.inputs()
        methods = scenario_or_inputs.methods if methods is None else methods
    else:
        inputs = scenario_or_inputs
    if methods is None:
        raise TypeError("bind: methods are required with a mapping of inputs")
    values: dict[str, Any] = {}
    for name in MODEL_FIELDS:
        key = MODEL_KEYS[name]
        if key not in inputs:
            values[name] = _DEFAULTS.get(name)
        elif name in CHOICE_FIELDS:
            values[name] = inputs[key]
        else:
            values[name] = _number(inputs[key])
    bound = {}
    for m, kind in methods.items():
        given = {f: _number(inputs[method_key(m, f)]) for f in METHOD_FIELDS
                 if method_key(m, f) in inputs}
        bound[m] = _resolve_holding(MethodParams(kind=kind, **given), values["holding_per_part_year"],
                                    values["holding_rate_per_year"])
    return ModelParams(methods=bound, **values)


#: Defaults of the ModelParams fields that have one (used for keys missing from a mapping).
_DEFAULTS = {f.name: f.default for f in fields(ModelParams)
             if f.name != "methods" and f.default is not MISSING}


def _resolve_holding(m: MethodParams, storage_per_part, storage_rate) -> MethodParams:
    """``m`` with its holding cost per part-year resolved (see :func:`bind`)."""
    if m.kind != "stock":
        return replace(m, holding_per_part_year=None, holding_rate_per_year=None, holding_own=False)
    if m.holding_per_part_year is not None:
        return replace(m, holding_rate_per_year=None, holding_own=True)
    if m.holding_rate_per_year is not None:
        return replace(m, holding_per_part_year=m.holding_rate_per_year * m.price, holding_own=True)
    if storage_per_part is not None:
        return replace(m, holding_per_part_year=storage_per_part, holding_rate_per_year=None)
    if storage_rate is not None:
        return replace(m, holding_per_part_year=storage_rate * m.price, holding_rate_per_year=storage_rate)
    return m


_FIELD_OF_KEY = {key: name for name, key in MODEL_KEYS.items()}


def field_of(key: str) -> tuple[str | None, str]:
    """``(method or None, field)`` of a dotted scenario key.

    >>> field_of("demand.rate_per_year"), field_of("methods.regular.moq")
    ((None, 'rate_per_year'), ('regular', 'moq'))
    """
    if key in _FIELD_OF_KEY:
        return None, _FIELD_OF_KEY[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "methods" and parts[2] in METHOD_FIELDS:
        return parts[1], parts[2]
    raise KeyError(f"{key!r} is not a model input")


def with_inputs(params: ModelParams, changes: Mapping[str, Any]) -> ModelParams:
    """``params`` with some inputs given by their dotted keys changed (values may be arrays):
    how a catalogue row or a workbook cell overrides a base scenario.

    >>> from amspares.scenario import load_scenario
    >>> p = with_inputs(bind(load_scenario()), {"methods.regular.price": np.array([1.0, 2.0]),
    ...                                          "model.waiting_time": "exact"})
    >>> p.size, p.waiting_time, float(p.methods["am_mto"].price)
    (2, 'exact', 175.0)
    """
    top: dict[str, Any] = {}
    per_method: dict[str, dict[str, Any]] = {}
    for key, value in changes.items():
        method, name = field_of(key)
        value = value if name in CHOICE_FIELDS else _number(value)
        if method is None:
            top[name] = value
        else:
            if method not in params.methods:
                raise KeyError(f"{key!r}: the scenario has no method {method!r}")
            per_method.setdefault(method, {})[name] = value
    out = replace(params, **top) if top else params
    if any(f in top for f in STORAGE_HOLDING):
        # a new storage holding cost reaches every stock method without its own
        if "holding_per_part_year" in top and "holding_rate_per_year" not in top:
            out = replace(out, holding_rate_per_year=None)
        elif "holding_rate_per_year" in top and "holding_per_part_year" not in top:
            out = replace(out, holding_per_part_year=None)
        methods = {name: (_resolve_holding(replace(m, holding_per_part_year=None, holding_rate_per_year=None),
                                           out.holding_per_part_year, out.holding_rate_per_year)
                          if m.kind == "stock" and not m.holding_own else m)
                   for name, m in out.methods.items()}
        out = replace(out, methods=methods)
    for method, fields_ in per_method.items():
        if any(f in fields_ for f in STORAGE_HOLDING):
            fields_ = {**fields_, "holding_own": True}
        out = out.with_method(method, **fields_)
    return out
