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

from dataclasses import fields, replace
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
}
#: Fields held as text, not numbers.
CHOICE_FIELDS = ("waiting_time", "production_rule")
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
    method) become ``None``.
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
            values[name] = None
        elif name in CHOICE_FIELDS:
            values[name] = inputs[key]
        else:
            values[name] = _number(inputs[key])
    bound = {}
    for m, kind in methods.items():
        given = {f: _number(inputs[method_key(m, f)]) for f in METHOD_FIELDS
                 if method_key(m, f) in inputs}
        bound[m] = MethodParams(kind=kind, **given)
    return ModelParams(methods=bound, **values)


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
    for method, fields_ in per_method.items():
        out = out.with_method(method, **fields_)
    return out
