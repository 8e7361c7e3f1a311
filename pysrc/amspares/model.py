"""Scenario-level evaluation: one scenario in, the result object of docs/model.md section 6 out.

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
from amspares.core.evaluate import TIE_REL, Evaluation
from amspares.core.evaluate import evaluate as evaluate_params
from amspares.scenario import Scenario
from amspares.wording import evaluate_note

#: Keys of a method's object that docs/model.md section 6.2 does not list, kept for the workbook and
#: the readable reports; ``amspares evaluate --json`` leaves them out (``spec_only``).
EXTRA_METHOD_KEYS = ("policy", "units")


def result_dict(scenario_name: str, ev: Evaluation, i: int = 0, *,
                spec_only: bool = False, climate_missing=None) -> dict[str, Any]:
    """Element ``i`` of an evaluation as the JSON object of docs/model.md section 6.

    Each method also carries ``policy`` (base_stock, reorder_point, one_order,
    make_to_order) and ``units`` (P, W, n of docs/model.md section 4) unless ``spec_only``.
    ``climate_missing`` (a scenario's :attr:`~amspares.scenario.Scenario.climate_missing`)
    names the missing kg CO2e factors in the notes.
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
            "impact_kgco2e": _known(r.impact_kgco2e, i),
            "impact_co2e": (None if _known(r.impact_kgco2e, i) is None else
                            {k: float(np.asarray(v)[i]) for k, v in r.impact_co2e.as_dict().items()}),
            "units": {"produced": float(r.produced[i]), "shipped_to_warehouse": float(r.shipped_to_warehouse[i]),
                      "delivered": float(r.delivered[i])},
            "order_quantity_advice": None,
        }
        if r.advice is not None and policy in ("reorder_point", "one_order"):
            a = r.advice
            as_ = float(a.s[i])
            entry["order_quantity_advice"] = {"Q": int(a.Q[i]), "s": None if math.isnan(as_) else int(as_),
                                              "total_cost": float(a.total_cost[i]), "saving": float(a.saving[i])}
        entry["fill_rate"] = _rate(r.fill_rate, i)
        entry["on_time_rate"] = _rate(r.on_time_rate, i)
        entry["mean_wait_days"] = _rate(r.mean_wait_days, i)
        entry["meets_service_target"] = (None if r.meets_service_target is None
                                         else bool(r.meets_service_target[i]))
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
        "lowest_impact_co2e": (None if ev.lowest_impact_co2e is None or ev.lowest_impact_co2e[i] is None
                               else str(ev.lowest_impact_co2e[i])),
        "waiting_time": ev.waiting_time,
        "order_wait": ev.order_wait,
        "notes": notes(ev, i, climate_missing),
    }


def _known(values, i: int):
    """Element ``i`` as a float, ``None`` where missing (NaN) or not computed."""
    if values is None:
        return None
    v = float(np.asarray(values)[i])
    return None if math.isnan(v) else v


def _rate(values, i: int):
    if values is None:
        return None
    v = float(np.asarray(values)[i])
    return v if math.isfinite(v) else None


def notes(ev: Evaluation, i: int = 0, climate_missing=None) -> list[str]:
    """The notes of element ``i`` (docs/model.md sections 3.4-3.5), as sentences: no demand,
    a service target nobody (or only some) can meet, ties decided by the tie rule, and the
    methods whose kg CO2e is not computed (naming the missing factor when ``climate_missing``,
    the scenario's list, is given)."""
    out = []
    cheapest = str(ev.cheapest[i])
    target = None if ev.service_target is None else float(np.asarray(ev.service_target).reshape(-1)[
        i if np.size(ev.service_target) > 1 else 0])
    if float(ev.n[i]) == 0.0:
        out.append(evaluate_note("no_demand", winner=cheapest))
    if target is not None:
        if ev.none_meets_target is not None and bool(ev.none_meets_target[i]):
            out.append(evaluate_note("none_meets_target", target=target))
        else:
            missed = [n for n, r in ev.methods.items() if not bool(r.meets_service_target[i])]
            if missed:
                out.append(evaluate_note("missed_target", methods=missed, target=target))
    out += climate_notes(ev, i, climate_missing)
    co2e_winner = None if ev.lowest_impact_co2e is None else ev.lowest_impact_co2e[i]
    for what, tied, winner, values in (
            ("cost_tie", ev.cheapest_tied, cheapest, [r.total_cost for r in ev.methods.values()]),
            ("impact_tie", ev.lowest_impact_tied, None if ev.lowest_impact is None else str(ev.lowest_impact[i]),
             None if ev.lowest_impact is None else [r.impact_mpts for r in ev.methods.values()]),
            ("impact_co2e_tie", None if co2e_winner is None else ev.lowest_impact_co2e_tied, co2e_winner,
             None if co2e_winner is None else [r.impact_kgco2e for r in ev.methods.values()])):
        if tied is None or not bool(tied[i]) or float(ev.n[i]) == 0.0 and what == "cost_tie":
            continue
        col = np.array([float(v[i]) for v in values])
        low = col[[list(ev.methods).index(winner)]][0]
        same = [n for n, v in zip(ev.methods, col) if abs(v - low) <= TIE_REL * abs(low)]
        out.append(evaluate_note(what, methods=same, winner=winner))
    return out


def climate_notes(ev: Evaluation, i: int = 0, climate_missing=None) -> list[str]:
    """Sentences on the methods whose kg CO2e is not computed at element ``i``: one per missing
    factor when the scenario's ``climate_missing`` is given, else one naming the methods.

    >>> from amspares.scenario import load_scenario
    >>> sc = load_scenario().with_values({"part.material_kgco2e_per_kg": None})
    >>> ev = evaluate_params(bind(sc))
    >>> climate_notes(ev, 0, sc.climate_missing)[0][:75]
    'kg CO2e not computed for regular, am_mts and am_mto: part.material_kgco2e_p'
    """
    lacking = [n for n, r in ev.methods.items()
               if r.impact_co2e is not None and math.isnan(float(r.impact_kgco2e[i]))]
    if not lacking:
        return []
    if climate_missing:
        out = [evaluate_note("co2e_missing", methods=[m for m in c.methods if m in lacking], key=c.key, why=c.why)
               for c in climate_missing if any(m in lacking for m in c.methods)]
        if out:
            if len(lacking) < len(ev.methods):
                out.append(evaluate_note("co2e_missing_some", methods=lacking))
            return out
    return [evaluate_note("co2e_missing_all" if len(lacking) == len(ev.methods) else "co2e_missing_some",
                          methods=lacking)]


def evaluate(scenario: Scenario, *, with_saving: bool = False,
             spec_only: bool = False) -> dict[str, Any]:
    """Evaluate a scenario: the object of docs/model.md section 6 (plain floats, full precision).

    ``spec_only`` gives exactly the keys of docs/model.md section 6 (``amspares evaluate --json``);
    ``with_saving`` adds ``saving_over_runner_up`` (EUR; None with one method) and
    ``runner_up`` (the next method by the same choice rule), which the readable table shows.
    """
    ev = evaluate_params(bind(scenario))
    out = result_dict(scenario.name, ev, spec_only=spec_only, climate_missing=scenario.climate_missing)
    if with_saving:
        out["saving_over_runner_up"] = None if math.isnan(ev.saving[0]) else float(ev.saving[0])
        out["runner_up"] = None if ev.runner_up[0] is None else str(ev.runner_up[0])
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
