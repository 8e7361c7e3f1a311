"""JSON shaping of the case study: the object ``amspares scenario --json`` prints.

:func:`case_study` runs the six situations (:func:`amspares.core.casestudy.run_situations`)
on a scenario's parameters and turns the result into plain JSON data: every sweep a list
of row objects (columns named as in :mod:`amspares.core.casestudy`), every break-even a
number or ``null``, with ``reasons`` (why there is none, or a note) and ``sides`` (which
method wins below and above it). :func:`study_json` adds the base evaluation. No
arithmetic happens here.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from amspares.binding import bind
from amspares.core.breakeven import BreakEven
from amspares.core.casestudy import CaseStudy, run_situations
from amspares.model import evaluate
from amspares.wording import note_text, reason_text


def _whole(column: str) -> bool:
    """Columns holding whole numbers (printed as integers)."""
    return column in ("S", "N", "moq") or column.endswith((".S", ".s", ".Q"))


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else None
    return v


def rows(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Columns (equal-length arrays or scalars) to a list of row dicts, JSON-ready.

    ``inf`` and ``nan`` become ``None``; no columns give no rows.

    >>> rows({"S": np.array([0, 1]), "x.total_cost": np.array([np.inf, 2.5])})
    [{'S': 0, 'x.total_cost': None}, {'S': 1, 'x.total_cost': 2.5}]
    >>> rows({})
    []
    """
    if not columns:
        return []
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    size = max((a.size for a in arrays.values() if a.ndim), default=1)
    arrays = {k: np.broadcast_to(a, (size,)) if a.ndim == 0 else a for k, a in arrays.items()}
    out = []
    for i in range(size):
        row = {}
        for k, a in arrays.items():
            v = _plain(a[i])
            row[k] = int(v) if v is not None and _whole(k) and not isinstance(v, str) else v
        out.append(row)
    return out


def study_dict(cs: CaseStudy) -> dict[str, Any]:
    """A :class:`~amspares.core.casestudy.CaseStudy` as plain JSON data.

    ``{"roles", "breakeven", "co2e", "reasons", "sweeps", "notes", "current", "sides",
    "crossings"}``; ``co2e`` holds the impact break-evens by kg CO2e
    (``moq_breakeven_impact_co2e``, ``mould_breakeven_demand_impact_co2e`` keyed like the mPts
    moulds, ``am_energy_breakeven_mj_per_kg_co2e``) as ``{"breakeven", "reasons", "sides",
    "crossings"}``, shaped like the main ones;
    ``reasons``, ``sides`` and ``crossings`` are keyed by the break-even name, with
    ``/<key>`` for the keyed ones (``"mould_breakeven_demand_cost/3000"``); ``sides[k]`` is
    ``{"below": method, "above": method}``; ``crossings[k]`` lists every crossing in range,
    smallest first, as ``{"value", "below", "above", "jump"}`` (empty without one; the
    break-even's value is one of them).
    """
    co2e = {"breakeven": {}, "reasons": {}, "sides": {}, "crossings": {}}
    values: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    sides: dict[str, dict] = {}
    crossings: dict[str, list] = {}

    def put(label: str, be: BreakEven, reasons=reasons, sides=sides, crossings=crossings):
        text = reason_text(be)
        if text:
            reasons[label] = text
        sides[label] = {"below": be.below, "above": be.above}
        crossings[label] = [{"value": _plain(c.value), "below": c.below, "above": c.above, "jump": bool(c.jump)}
                            for c in be.crossings]
        return _plain(be.value) if be.value is not None else None

    for found, into, where in ((cs.breakevens, values, (reasons, sides, crossings)),
                               (cs.breakevens_co2e, co2e["breakeven"],
                                (co2e["reasons"], co2e["sides"], co2e["crossings"]))):
        for name, be in found.items():
            if isinstance(be, Mapping):
                into[name] = {k: put(f"{name}/{k}", v, *where) for k, v in be.items()}
            else:
                into[name] = put(name, be, *where)
    return {"roles": dict(cs.roles), "breakeven": values, "co2e": co2e, "reasons": reasons,
            "sweeps": {name: rows(cols) for name, cols in cs.sweeps.items()},
            "notes": [note_text(n) for n in cs.notes], "current": {k: _plain(v) for k, v in cs.current.items()},
            "sides": sides, "crossings": crossings}


def case_study(scenario_or_inputs, methods: Mapping[str, str] | None = None, *,
               progress=None) -> dict[str, Any]:
    """The six situations of a scenario as JSON data (:func:`study_dict`).

    Takes a :class:`~amspares.scenario.Scenario` or ``Scenario.inputs()`` with its methods.

    >>> from amspares.scenario import load_scenario
    >>> out = case_study(load_scenario())
    >>> round(out["breakeven"]["am_price_breakeven"], 4), out["sides"]["am_price_breakeven"]
    (23.9284, {'below': 'am_mto', 'above': 'regular'})
    """
    return study_dict(run_situations(bind(scenario_or_inputs, methods), progress=progress))


def study_json(scenario, progress=None) -> dict[str, Any]:
    """The object ``amspares scenario --json`` prints (and the workbook writer receives):
    ``{"base": <evaluate object>, "breakeven", "sweeps", "roles", "reasons",
    "notes", "current", "sides", "crossings", "co2e"}``."""
    cs = case_study(scenario, progress=progress)
    return {"base": evaluate(scenario), "breakeven": cs["breakeven"], "sweeps": cs["sweeps"],
            "roles": cs["roles"], "reasons": cs["reasons"], "notes": cs["notes"],
            "current": cs["current"], "sides": cs["sides"], "crossings": cs["crossings"], "co2e": cs["co2e"]}
