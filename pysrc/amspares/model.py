"""Scenario-level evaluation: one scenario in, the spec-section-6 result out.

A thin layer over :func:`amspares.core.evaluate.evaluate` (which does all the arithmetic,
on the parameters :func:`amspares.binding.bind` makes of the scenario) that turns its
one-element arrays into plain Python values.

>>> from amspares.scenario import load_scenario
>>> r = evaluate(load_scenario())
>>> r["methods"]["regular"]["S"], round(r["methods"]["regular"]["total_cost"], 2)
(5, 1735.71)
>>> r["methods"]["am_mto"]["total_cost"], r["accepted_q"], r["cheapest"]
(10800.0, 85, 'regular')
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from amspares.binding import bind
from amspares.core.evaluate import Evaluation
from amspares.core.evaluate import evaluate as evaluate_params
from amspares.scenario import Scenario

#: Keys of a method's object that spec section 6 does not list, kept for the workbook and
#: the readable reports; ``amspares evaluate --json`` leaves them out (``spec_only``).
EXTRA_METHOD_KEYS = ("policy", "units")


def result_dict(scenario_name: str, ev: Evaluation, i: int = 0, *,
                spec_only: bool = False) -> dict[str, Any]:
    """Element ``i`` of an evaluation as the JSON object of spec section 6.

    Each method also carries ``policy`` (base_stock, reorder_point, one_order,
    make_to_order) and ``units`` (P, W, n of spec section 4) unless ``spec_only``.
    """
    methods = {}
    for name, r in ev.methods.items():
        policy = r.policy[i]
        s = float(r.s[i])
        entry: dict[str, Any] = {
            "kind": r.kind,
            "policy": policy,
            "S": int(r.S[i]) if policy in ("base_stock", "make_to_order") else None,
            "s": None if math.isnan(s) else int(s),
            "Q": None if r.kind == "order" else int(r.Q[i]),
            "total_cost": float(r.total_cost[i]),
            "cost": {k: float(np.asarray(v)[i]) for k, v in r.cost.as_dict().items()},
            "impact_mpts": None if r.impact is None else float(r.impact_mpts[i]),
            "impact": None if r.impact is None else {k: float(np.asarray(v)[i]) for k, v in r.impact.as_dict().items()},
            "units": {"produced": float(r.produced[i]), "shipped_to_warehouse": float(r.shipped_to_warehouse[i]),
                      "delivered": float(r.delivered[i])},
            "order_quantity_advice": None,
        }
        if r.advice is not None and policy in ("reorder_point", "one_order"):
            a = r.advice
            as_ = float(a.s[i])
            entry["order_quantity_advice"] = {"Q": int(a.Q[i]), "s": None if math.isnan(as_) else int(as_),
                                              "total_cost": float(a.total_cost[i]), "saving": float(a.saving[i])}
        if spec_only:
            for key in EXTRA_METHOD_KEYS:
                entry.pop(key)
        methods[name] = entry
    return {
        "name": scenario_name,
        "n": float(ev.n[i]),
        "accepted_q": int(ev.accepted_q[i]),
        "methods": methods,
        "cheapest": str(ev.cheapest[i]),
        "lowest_impact": None if ev.lowest_impact is None else str(ev.lowest_impact[i]),
    }


def evaluate(scenario: Scenario, *, with_saving: bool = False,
             spec_only: bool = False) -> dict[str, Any]:
    """Evaluate a scenario: the object of spec section 6 (plain floats, full precision).

    ``spec_only`` gives exactly the spec's keys (``amspares evaluate --json``);
    ``with_saving`` adds ``saving_over_runner_up`` (EUR; None with one method), which the
    readable table shows.
    """
    ev = evaluate_params(bind(scenario))
    out = result_dict(scenario.name, ev, spec_only=spec_only)
    if with_saving:
        out["saving_over_runner_up"] = None if math.isnan(ev.saving[0]) else float(ev.saving[0])
    return out


def waiting_time_disagreements(scenario: Scenario) -> dict[str, tuple[int, int]]:
    """Base-stock methods whose optimal S differs between the two waiting-time models.

    Returns ``{method: (S under this scenario's model, S under the other model)}``.
    """
    params = bind(scenario)
    mine = evaluate_params(params, advice=False)
    other_model = "exact" if params.waiting_time == "erlang_c" else "erlang_c"
    other = evaluate_params(replace(params, waiting_time=other_model), advice=False)
    out = {}
    for name, r in mine.methods.items():
        if r.policy[0] == "base_stock" and r.S[0] != other.methods[name].S[0]:
            out[name] = (int(r.S[0]), int(other.methods[name].S[0]))
    return out
