"""The thesis's case-study run (spec section 5), for any scenario: sweeps and break-evens.

:func:`case_study` takes a scenario's model inputs (``Scenario.inputs()``) and its methods
and returns the break-evens and the sweeps of spec section 5. Every number comes from
:func:`amspares.core.evaluate.evaluate_inputs` (whole sweeps in one vectorised call) or, for
the fixed-``S`` tables, from the core functions it uses itself. Pure numpy/scipy, no I/O.

Roles
-----
Situations compare two methods:

* **regular** -- the method named ``regular`` if it is a stock method, else the first stock
  method of the scenario;
* **am_mto** -- the method named ``am_mto`` if it is an order method, else the first order
  method.

A situation that needs a missing role is not applicable: its break-even is ``None`` and
``reasons[name]`` says why; its sweep is an empty list.

Column names (stable; the workbook reads them)
----------------------------------------------
Every sweep is a list of row objects. A row holds the swept input(s) and, for every method
``<m>`` of the scenario, the same fields as that method's object in the JSON of spec
section 6, flattened with dots:

* ``<m>.S`` (base stock; ``None`` where an (s,Q) policy applies), ``<m>.s`` (reorder point,
  ``None`` without one), ``<m>.Q`` (order quantity, ``None`` for an order method);
* ``<m>.total_cost`` and ``<m>.cost.<c>`` for ``c`` in ``downtime, holding, production,
  scrapping, transport, investment, benefit`` (EUR over the service period);
* ``<m>.impact_mpts`` and ``<m>.impact.<c>`` for ``c`` in ``material, process, transport,
  extra`` (mPts; ``None`` without a ``[part]``).

``inf`` (an infeasible base stock under Erlang C) and ``nan`` become ``None`` in JSON.
The sweeps, their swept columns and their extra columns:

``cost_vs_S``
    ``S`` = 0..15; for each stock method with ``moq = 1``: ``<m>.total_cost`` and
    ``<m>.cost.<c>`` at that fixed ``S`` (Fig. 13); for each order method its
    ``<m>.total_cost`` (flat line).
``impact_vs_S``
    ``S`` = 0..15; ``<m>.impact_mpts`` and ``<m>.impact.<c>`` at that ``S`` (P = W = n + S;
    Fig. 24); order methods' ``<m>.impact_mpts``.
``cost_breakdown`` / ``impact_breakdown``
    One row per method at its optimal policy: ``method``, ``kind``, the components by their
    plain names (``downtime`` ... / ``material`` ...) and ``total_cost`` / ``impact_mpts``
    (Fig. 15, Fig. 25).
``emergency_cost``
    ``emergency_per_day`` in 0, 5, 10, 50, 100, 500, 1000, 5000; all methods, S re-optimised
    (Fig. 14).
``am_price``
    ``am_price`` (the am_mto method's price, EUR/part; 21 points from 0); all methods.
``regular_price``
    ``regular_price`` (the regular method's price; 21 points from 0); S re-optimised.
``moq``
    ``moq`` = 1..1000 (regular's minimum order quantity, ordered ``Q = moq`` at a time with
    the optimal reorder point); all methods (Fig. 18-19, 27-28).
``portfolio_T10``, ``portfolio_T10_log``, ``portfolio_T1``
    ``N`` (SKUs; 1..50, 1, 10, ..., 10^6, 1..5), ``service_years`` (10 or 1),
    ``rate_per_year`` = 1/(N T) per SKU; per-SKU columns for all methods under
    ``production_rule = "max_demand_stock"``, plus ``<m>.portfolio_total_cost`` and
    ``<m>.portfolio_impact_mpts`` (N x per SKU; Fig. 20-22, 29).
``mould``
    ``n`` (expected total demand over the scenario's service period, 1..100000 on a
    1-2-5-like grid), ``rate_per_year`` = n / T; all methods (regular's own investment as in
    the scenario), plus ``mould_<I>.total_cost`` = regular's total with a mould of
    ``I`` EUR added to its investment (I = 3000, 20000, 80000) and ``mould_<M>.impact_mpts``
    = regular's impact plus a mould of ``M`` mPts (M = 900000, 4000000, 7300000) (Fig. 30).
``am_energy``
    ``am_energy_mj_per_kg`` (0..600 by 25, or further to show the break-even): machine
    energy of every printing method (every method other than regular with a non-zero
    ``energy_kwh_per_kg``, and am_mto), converted by Eq. 36; all methods (Fig. 26).

Break-evens (spec section 5 names)
----------------------------------
``am_price_breakeven``, ``regular_price_breakeven``, ``moq_breakeven_cost``,
``moq_breakeven_impact``, ``portfolio_breakeven_skus`` (``{"T1": .., "T10": ..}``),
``mould_breakeven_demand_cost`` (``{"3000": .., "20000": .., "80000": ..}``),
``mould_breakeven_demand_impact`` (``{"900000": .., "4000000": .., "7300000": ..}``),
``am_energy_breakeven_mj_per_kg``.

``moq_breakeven_cost`` and ``moq_breakeven_impact`` are real-valued minimum order
quantities: from ``moq >= accepted_q`` (and ``> n``) one order ships ``accepted_q`` parts and
bills ``moq`` (Eq. 27-30), so regular's cost and impact are exactly linear in moq there and
the model between two whole moq is their linear interpolation. If the two methods cross
below that (where the model exists only at whole moq), the first whole moq at which printing
wins is reported as a jump point, with the reason.

Each break-even is found by :func:`find_breakeven`: the model is
evaluated on a coarse grid to find the first sign change, then
:func:`scipy.optimize.brentq` refines it on the continuous model to full precision. A
break-even that does not exist in range is ``None`` with the reason in ``reasons``; one
where the model jumps across equality (a discontinuity, not a root) is the jump point,
with a note in ``reasons``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
from scipy.optimize import brentq

from amspares.core.basestock import base_stock_costs, lead_time_years
from amspares.core.evaluate import Evaluation, evaluate_inputs
from amspares.core.impact import IMPACT_COMPONENTS  # noqa: F401  (re-exported; defined in core.impact)
from amspares.core.impact import KWH_PER_MJ, environmental_impact, megajoules_to_kwh, process_factor

S_RANGE = np.arange(16)
EMERGENCY_PER_DAY = (0.0, 5.0, 10.0, 50.0, 100.0, 500.0, 1000.0, 5000.0)
MOQ_RANGE = np.arange(1, 1001)
PORTFOLIO_TABLES = {
    "portfolio_T10": (10.0, np.arange(1, 51, dtype=float)),
    "portfolio_T10_log": (10.0, 10.0 ** np.arange(0, 7)),
    "portfolio_T1": (1.0, np.arange(1, 6, dtype=float)),
}
MOULD_EUR = (3000.0, 20000.0, 80000.0)
MOULD_MPTS = (900000.0, 4000000.0, 7300000.0)
MOULD_DEMAND = np.concatenate([np.arange(1, 101), np.arange(110, 1001, 10),
                               np.arange(1100, 10001, 100), np.arange(11000, 100001, 1000)]).astype(float)
REL_TOL = 1e-9          # both sides of a reported break-even agree to this (relative)


def mould_key(amount: float) -> str:
    """The JSON key of a mould size: ``3000.0 -> "3000"``."""
    return f"{amount:.0f}"


# --------------------------------------------------------------------------- roles


def roles(methods: Mapping[str, str]) -> dict[str, str | None]:
    """Which methods play "regular" and "am_mto" (see the module docstring).

    >>> roles({"regular": "stock", "am_mts": "stock", "am_mto": "order"})
    {'regular': 'regular', 'am_mto': 'am_mto'}
    >>> roles({"cnc": "stock", "hub": "order", "hub2": "order"})
    {'regular': 'cnc', 'am_mto': 'hub'}
    >>> roles({"cnc": "stock"})
    {'regular': 'cnc', 'am_mto': None}
    """
    def pick(name, kind):
        if methods.get(name) == kind:
            return name
        return next((m for m, k in methods.items() if k == kind), None)

    return {"regular": pick("regular", "stock"), "am_mto": pick("am_mto", "order")}


# --------------------------------------------------------------------------- root finding


@dataclass(frozen=True)
class BreakEven:
    """A break-even: ``value`` (None when none exists in range) and why / a note."""

    value: float | None
    reason: str = ""
    jump: bool = False


def find_breakeven(sides: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], grid,
                   *, discrete_below: float = -math.inf) -> BreakEven:
    """The smallest x on ``grid``'s span where ``lhs(x) = rhs(x)``, by bracketing + brentq.

    ``sides(x)`` evaluates the model at an array of x and returns ``(lhs, rhs)``. The model
    is evaluated at every grid point; the first interval where ``lhs - rhs`` changes sign
    is refined with :func:`scipy.optimize.brentq` on the continuous model. If the two
    sides still differ by more than 1e-9 (relative) at the limit, the model jumps across
    equality there (a discontinuity): the jump point is returned with ``jump=True``.
    Where the model is only defined on whole numbers (x below ``discrete_below``), the
    first grid point past the sign change is returned as a jump.

    Examples
    --------
    >>> be = find_breakeven(lambda x: (x ** 2, np.full_like(x, 2.0)), [0.0, 1.0, 2.0])
    >>> round(be.value, 12), be.jump
    (1.414213562373, False)
    >>> find_breakeven(lambda x: (np.floor(x), np.full_like(x, 1.5)), [0.0, 4.0]).jump
    True
    >>> find_breakeven(lambda x: (x, x - 1.0), [0.0, 4.0]).value is None
    True
    """
    g = np.asarray(grid, dtype=float)
    d = np.empty(0)
    for i in range(len(g)):
        if i + 1 >= d.size and d.size < g.size:    # evaluate the grid in growing chunks
            chunk = g[d.size:d.size + 64]
            lhs, rhs = sides(chunk)
            d = np.concatenate([d, np.asarray(lhs, dtype=float) - np.asarray(rhs, dtype=float)])
            ok = np.isfinite(d)
        if ok[i] and d[i] == 0.0:
            return BreakEven(float(g[i]))
        if i + 1 < len(g) and ok[i] and ok[i + 1] and np.sign(d[i]) * np.sign(d[i + 1]) < 0:
            a, b = float(g[i]), float(g[i + 1])
            if b <= discrete_below:
                return BreakEven(b, f"defined only at whole numbers here: equality is crossed "
                                    f"between {a:g} and {b:g}", jump=True)

            def f(x):
                lo, hi = sides(np.array([x]))
                return float(np.asarray(lo)[0] - np.asarray(hi)[0])

            x = brentq(f, a, b, xtol=1e-13 * max(1.0, abs(a), abs(b)), rtol=4 * np.finfo(float).eps,
                       maxiter=500)
            lo, hi = (float(np.asarray(v)[0]) for v in sides(np.array([x])))
            if abs(lo - hi) <= REL_TOL * max(abs(lo), abs(hi), 1e-300):
                return BreakEven(float(x))
            return BreakEven(float(x), f"the model jumps across equality at {x:.10g} "
                                       f"({lo:.6g} vs {hi:.6g} there): a discontinuity, not a root",
                             jump=True)
    return BreakEven(None, "")


# --------------------------------------------------------------------------- helpers


def _f(x) -> float:
    return float(np.asarray(x).reshape(-1)[0])


def _columns(ev: Evaluation) -> dict[str, np.ndarray]:
    """The per-method columns of every sweep (module docstring)."""
    cols: dict[str, np.ndarray] = {}
    for name, r in ev.methods.items():
        base = np.isin(r.policy, ("base_stock", "make_to_order"))
        cols[f"{name}.S"] = np.where(base, r.S, np.nan)
        cols[f"{name}.s"] = np.asarray(r.s, dtype=float)
        cols[f"{name}.Q"] = np.where(r.kind == "order", np.nan, r.Q).astype(float)
        cols[f"{name}.total_cost"] = r.total_cost
        for k, v in r.cost.as_dict().items():
            cols[f"{name}.cost.{k}"] = np.asarray(v, dtype=float)
        if r.impact is not None:
            cols[f"{name}.impact_mpts"] = r.impact_mpts
            for k, v in r.impact.as_dict().items():
                cols[f"{name}.impact.{k}"] = np.asarray(v, dtype=float)
        else:
            cols[f"{name}.impact_mpts"] = np.full(r.total_cost.shape, np.nan)
    return cols


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

    >>> rows({"S": np.array([0, 1]), "x.total_cost": np.array([np.inf, 2.5])})
    [{'S': 0, 'x.total_cost': None}, {'S': 1, 'x.total_cost': 2.5}]
    """
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


def _nice_upper(x: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten >= x (x > 0)."""
    if not x > 0 or not math.isfinite(x):
        return 1.0
    e = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0 ** e >= x * (1 - 1e-12):
            return m * 10.0 ** e
    return 10.0 ** (e + 1)


def _expanding(start: float, top: float = 1e9) -> np.ndarray:
    """0 and then a doubling grid from ``start / 64`` up to ``top``."""
    s = max(start, 1e-6) / 64.0
    pts = [0.0]
    while s <= top:
        pts.append(s)
        s *= 2.0
    return np.array(pts)


class _Study:
    """The inputs, roles and one evaluation helper shared by the situations."""

    def __init__(self, inputs: Mapping[str, Any], methods: Mapping[str, str]):
        self.inputs = dict(inputs)
        self.methods = dict(methods)
        self.role = roles(methods)
        self.R = self.role["regular"]
        self.M = self.role["am_mto"]
        self.has_part = "part.weight_kg" in inputs

    def ev(self, changes: Mapping[str, Any] | None = None, names=None, advice=False) -> Evaluation:
        """``evaluate_inputs`` with some inputs changed (arrays = one row per element)."""
        inputs = dict(self.inputs)
        inputs.update(changes or {})
        methods = self.methods if names is None else {n: self.methods[n] for n in names}
        return evaluate_inputs(inputs, methods, advice=advice)

    def key(self, method: str, field: str) -> str:
        return f"methods.{method}.{field}"

    def missing(self, *needed: str) -> str:
        """Why a situation is not applicable ('' when it is)."""
        words = {"regular": "stock method (regular)", "am_mto": "order method (am_mto)"}
        lacking = [words[r] for r in needed if r in words and self.role[r] is None]
        if "impact" in needed and not self.has_part:
            lacking.append("[part] section (no impact)")
        lacking = [x for x in lacking if x]
        return ("not applicable: the scenario has no " + " and no ".join(lacking)) if lacking else ""


# --------------------------------------------------------------------------- situations


def _fixed_s_tables(st: _Study) -> tuple[list, list, list[str]]:
    """TC(S) and impact(S) for S = 0..15 per stock method with moq = 1 (Fig. 13, 24)."""
    inp = st.inputs
    S = S_RANGE
    lam, years = inp["demand.rate_per_year"], inp["demand.service_years"]
    n = lam * years
    cost_cols: dict[str, Any] = {"S": S}
    imp_cols: dict[str, Any] = {"S": S}
    notes = []
    ev = st.ev(names=[m for m, k in st.methods.items() if k == "order"]) if "order" in st.methods.values() else None
    for m, kind in st.methods.items():
        k = lambda f: inp[st.key(m, f)]  # noqa: E731
        if kind == "order":
            r = ev.methods[m]
            cost_cols[f"{m}.total_cost"] = _f(r.total_cost)
            if st.has_part:
                imp_cols[f"{m}.impact_mpts"] = _f(r.impact_mpts)
            continue
        if int(k("moq")) != 1:
            notes.append(f"{m} orders at least {int(k('moq'))} parts: no base stock S, left out of TC(S)")
            continue
        c = base_stock_costs(S, rate=lam, years=years, price=k("price"),
                             lead_time_years=lead_time_years(k("production_days"), k("shipping_days")),
                             emergency_per_day=inp["downtime.emergency_per_day"],
                             regular_per_demand=inp["downtime.regular_per_demand"],
                             holding_per_part_year=inp["storage.holding_per_part_year"],
                             inbound_share=k("inbound_transport_share"),
                             outbound_per_part=k("outbound_per_part"), investment=k("investment"),
                             benefit_per_part_year=k("benefit_per_part_year"),
                             waiting_time=inp["model.waiting_time"],
                             production_rule=inp["model.production_rule"])
        cost_cols[f"{m}.total_cost"] = np.asarray(c.total, dtype=float)
        for comp, v in c.as_dict().items():
            cost_cols[f"{m}.cost.{comp}"] = v
        if st.has_part:
            units = n + S                     # P = W = n + S (spec 4)
            i = environmental_impact(
                units, units, n, weight_kg=inp["part.weight_kg"],
                material_mpts_per_kg=inp["part.material_mpts_per_kg"],
                material_efficiency=k("material_efficiency"),
                process_mpts_per_kg_of_part=process_factor(k("process_mpts_per_kg"), k("energy_kwh_per_kg"),
                                                           inp["impact.electricity_mpts_per_kwh"]),
                factory_leg_mpts_per_kg=k("transport_to_factory"),
                warehouse_leg_mpts_per_kg=k("transport_to_warehouse"),
                customer_leg_mpts_per_kg=k("transport_to_customer"),
                extra_mpts_per_part=k("extra_mpts_per_part"))
            imp_cols[f"{m}.impact_mpts"] = np.asarray(i.total, dtype=float)
            for comp, v in i.as_dict().items():
                imp_cols[f"{m}.impact.{comp}"] = v
    return rows(cost_cols), (rows(imp_cols) if st.has_part else []), notes


def _breakdowns(st: _Study) -> tuple[list, list]:
    ev = st.ev()
    cost, imp = [], []
    for m, r in ev.methods.items():
        cost.append({"method": m, "kind": r.kind,
                     **{c: _plain(_f(v)) for c, v in r.cost.as_dict().items()},
                     "total_cost": _plain(_f(r.total_cost))})
        if r.impact is not None:
            imp.append({"method": m, "kind": r.kind,
                        **{c: _plain(_f(v)) for c, v in r.impact.as_dict().items()},
                        "impact_mpts": _plain(_f(r.impact_mpts))})
    return cost, imp


def _emergency(st: _Study) -> list:
    ce = np.array(EMERGENCY_PER_DAY)
    ev = st.ev({"downtime.emergency_per_day": ce})
    return rows({"emergency_per_day": ce, **_columns(ev)})


def _price_sweep(st: _Study, role: str, column: str, breakeven: float | None) -> list:
    m = st.role[role]
    price = float(st.inputs[st.key(m, "price")])
    top = max(price, 1.5 * breakeven if breakeven else 0.0)
    grid = np.linspace(0.0, _nice_upper(top), 21)
    ev = st.ev({st.key(m, "price"): grid})
    return rows({column: grid, **_columns(ev)})


def _price_breakeven(st: _Study, swept: str, other: str, none_reason: str) -> BreakEven:
    """Price of method ``swept`` at which its total equals ``other``'s (at its own price).

    The swept method's policy is re-optimised at every price (one ``evaluate_inputs`` call
    per bracket probe); the other side is a constant.
    """
    target = _f(st.ev(names=[other]).methods[other].total_cost)

    def sides(p):
        ev = st.ev({st.key(swept, "price"): p}, names=[swept])
        return ev.methods[swept].total_cost, np.full(p.shape, target)

    be = find_breakeven(sides, _expanding(float(st.inputs[st.key(swept, "price")]) or 1.0))
    if be.value is None:
        return BreakEven(None, none_reason.format(target=target))
    return be


def _am_price_breakeven(st: _Study) -> BreakEven:
    return _price_breakeven(st, st.M, st.R, f"{st.M} costs more than optimal {st.R} "
                            "({target:,.2f} EUR) even when printing is free")


def _regular_price_breakeven(st: _Study) -> BreakEven:
    return _price_breakeven(st, st.R, st.M, f"optimal {st.R} costs more than {st.M} "
                            "({target:,.2f} EUR) even at price 0")


def _moq_linear_start(st: _Study, ev: Evaluation) -> int:
    """Smallest whole moq from which regular's cost and impact are linear in moq.

    From ``moq >= accepted_q`` (and ``moq > n``) one order ships ``accepted_q`` parts and
    bills ``moq`` (Eq. 27-30): every term is constant or proportional to moq.
    """
    n = _f(ev.n)
    return int(max(_f(ev.accepted_q), math.floor(n) + 1, 1))


def _moq(st: _Study) -> tuple[list, BreakEven, BreakEven]:
    """MOQ sweep 1..1000 and the break-evens by cost and impact (spec 5.3)."""
    R, M = st.R, st.M
    key = st.key(R, "moq")
    grid = MOQ_RANGE
    ev = st.ev({key: grid.astype(float)})
    table = rows({"moq": grid, **_columns(ev)})
    lin0 = _moq_linear_start(st, ev)

    def model(x, what):
        """Regular's cost/impact at real moq x: the model at whole moq, linear between
        neighbours (exact where x >= lin0, the linear regime)."""
        x = np.asarray(x, dtype=float)
        k = np.floor(x)
        both = np.concatenate([k, k + 1.0])
        e = st.ev({key: both}, names=[R, M])
        r, o = e.methods[R], e.methods[M]
        v = r.total_cost if what == "cost" else r.impact_mpts
        w = o.total_cost if what == "cost" else o.impact_mpts
        lo, hi = v[:k.size], v[k.size:]
        return lo + (x - k) * (hi - lo), w[:k.size]

    def solve(what, label):
        other = model(grid.astype(float), what)
        # the grid first, then (linear regime) further out by doubling
        extra = lin0 * 2.0 ** np.arange(1, 31) + 1000.0
        be = find_breakeven(lambda x: model(x, what), np.concatenate([grid.astype(float), extra]),
                            discrete_below=lin0)
        if be.value is None:
            d = other[0] - other[1]
            if np.all(d >= 0):
                return BreakEven(None, f"{M} has the lower {label} at every moq from 1")
            return BreakEven(None, f"{R} keeps the lower {label} at every moq up to {extra[-1]:.3g}")
        if be.jump:
            return BreakEven(be.value, f"printing wins from moq = {be.value:g}, below accepted_q "
                                       f"= {lin0} where the model is defined only at whole moq",
                             jump=True)
        return be

    be_cost = solve("cost", "cost")
    be_imp = solve("impact", "impact") if st.has_part else BreakEven(None, st.missing("impact"))
    return table, be_cost, be_imp


def _portfolio(st: _Study) -> tuple[dict, dict]:
    """Portfolio of N SKUs sharing one expected demand over T (spec 5.4)."""
    R, M = st.R, st.M
    tables = {}
    base = {"model.production_rule": "max_demand_stock"}
    for name, (T, N) in PORTFOLIO_TABLES.items():
        ev = st.ev({**base, "demand.service_years": T, "demand.rate_per_year": 1.0 / (N * T)})
        cols = {"N": N, "service_years": T, "rate_per_year": 1.0 / (N * T), **_columns(ev)}
        for m, r in ev.methods.items():
            cols[f"{m}.portfolio_total_cost"] = N * r.total_cost
            cols[f"{m}.portfolio_impact_mpts"] = (N * r.impact_mpts if r.impact is not None
                                                  else np.full(N.shape, np.nan))
        tables[name] = rows(cols)
    found = {}
    grid = np.unique(np.concatenate([np.arange(1, 51), np.round(10 ** np.arange(0, 6.01, 0.125))])).astype(float)
    for label, T in (("T1", 1.0), ("T10", 10.0)):
        def sides(N, T=T):
            ev = st.ev({**base, "demand.service_years": T, "demand.rate_per_year": 1.0 / (N * T)},
                       names=[R, M])
            return N * ev.methods[R].total_cost, N * ev.methods[M].total_cost

        be = find_breakeven(sides, grid)
        if be.value is None:
            lo, hi = sides(grid[:1])
            if lo[0] > hi[0]:
                be = BreakEven(None, f"T = {T:g}: {M} is cheaper even for a single SKU")
            else:
                be = BreakEven(None, f"T = {T:g}: {R} stays cheaper up to N = {grid[-1]:g} SKUs")
        found[label] = be
    return tables, found


def _mould(st: _Study) -> tuple[list, dict, dict]:
    """Mould investment for regular; demand n over the service period (spec 5.5)."""
    R, M = st.R, st.M
    T = float(st.inputs["demand.service_years"])
    inv0 = float(st.inputs[st.key(R, "investment")])
    n = MOULD_DEMAND
    k = len(MOULD_EUR)
    # one call: the plain scenario, then each mould, all at every n
    lam = np.tile(n / T, k + 1)
    inv = np.repeat(np.array((0.0,) + MOULD_EUR), n.size) + inv0
    ev = st.ev({"demand.rate_per_year": lam, st.key(R, "investment"): inv})
    cols = {"n": n, "rate_per_year": n / T, **{c: v[:n.size] for c, v in _columns(ev).items()}}
    total = ev.methods[R].total_cost
    for j, eur in enumerate(MOULD_EUR, start=1):
        cols[f"mould_{mould_key(eur)}.total_cost"] = total[j * n.size:(j + 1) * n.size]
    if st.has_part:
        for mp in MOULD_MPTS:
            cols[f"mould_{mould_key(mp)}.impact_mpts"] = ev.methods[R].impact_mpts[:n.size] + mp
    table = rows(cols)

    search = np.concatenate([[1e-3, 0.01, 0.1, 0.5], n, [2e5, 5e5, 1e6]])
    by_cost, by_impact = {}, {}
    for eur in MOULD_EUR:
        def sides(x, eur=eur):
            e = st.ev({"demand.rate_per_year": x / T, st.key(R, "investment"): inv0 + eur}, names=[R, M])
            return e.methods[R].total_cost, e.methods[M].total_cost

        be = find_breakeven(sides, search)
        if be.value is None:
            lo, hi = sides(search[:1])
            be = BreakEven(None, f"mould {eur:,.0f} EUR: " + (
                f"{R} with the mould is cheaper at every demand" if lo[0] < hi[0]
                else f"{M} stays cheaper up to n = {search[-1]:,.0f}"))
        by_cost[mould_key(eur)] = be
    for mp in MOULD_MPTS:
        if not st.has_part:
            by_impact[mould_key(mp)] = BreakEven(None, st.missing("impact"))
            continue

        def sides(x, mp=mp):
            e = st.ev({"demand.rate_per_year": x / T}, names=[R, M])
            return e.methods[R].impact_mpts + mp, e.methods[M].impact_mpts

        be = find_breakeven(sides, search)
        if be.value is None:
            lo, hi = sides(search[:1])
            be = BreakEven(None, f"mould {mp:,.0f} mPts: " + (
                f"{R} with the mould has the lower impact at every demand" if lo[0] < hi[0]
                else f"{M} keeps the lower impact up to n = {search[-1]:,.0f}"))
        by_impact[mould_key(mp)] = be
    return table, by_cost, by_impact


def printing_methods(st: _Study) -> list[str]:
    """Methods whose machine energy the AM energy sweep varies (module docstring)."""
    out = [m for m in st.methods if m != st.R and float(st.inputs[st.key(m, "energy_kwh_per_kg")]) > 0]
    if st.M and st.M not in out:
        out.append(st.M)
    return out


def _am_energy(st: _Study) -> tuple[list, BreakEven]:
    R, M = st.R, st.M
    am = printing_methods(st)

    def changes(mj):
        kwh = megajoules_to_kwh(np.asarray(mj, dtype=float))
        return {st.key(m, "energy_kwh_per_kg"): kwh for m in am}

    def sides(mj):
        e = st.ev(changes(mj), names=[R, M])
        return e.methods[M].impact_mpts, e.methods[R].impact_mpts

    be = find_breakeven(sides, _expanding(100.0, 1e7))
    if be.value is None:
        lo, hi = sides(np.array([0.0]))
        be = BreakEven(None, f"{M} has a larger impact than {R} even with no machine energy"
                       if lo[0] > hi[0] else f"{M} keeps the lower impact up to 1e7 MJ/kg")
    far = 1.5 * be.value if be.value else 0.0
    top = 600.0 if far <= 600.0 else _nice_upper(far)
    grid = np.linspace(0.0, top, 25)
    ev = st.ev(changes(grid))
    return rows({"am_energy_mj_per_kg": grid, **_columns(ev)}), be


# --------------------------------------------------------------------------- the run


SITUATIONS = ("base comparison", "price sensitivity", "minimum order quantity", "portfolio",
              "mould investment", "environmental sensitivity")


def case_study(inputs: Mapping[str, Any], methods: Mapping[str, str], *,
               progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Every sweep and break-even of spec section 5 for one scenario's inputs.

    Parameters
    ----------
    inputs, methods
        ``Scenario.inputs()`` and ``Scenario.methods`` (scalar inputs).
    progress
        Called as ``progress(situation, i, total)`` before each situation.

    Returns
    -------
    dict
        ``{"roles": {"regular": .., "am_mto": ..}, "breakeven": {name: float | None |
        {key: float | None}}, "reasons": {name: str}, "sweeps": {name: [row, ...]},
        "notes": [str, ...], "current": {..}}``; ``current`` holds the scenario's own
        values of the swept inputs (``am_price``, ``regular_price``, ``moq``,
        ``am_energy_mj_per_kg`` of am_mto, ``regular_investment``, ``n``); ``reasons`` keys are the break-even names, with
        ``/<key>`` for the keyed ones (``"mould_breakeven_demand_cost/3000"``).

    Examples
    --------
    The thesis case study: printing to order costs as much as the optimal regular stock
    (spec section 8: 1735.71 EUR) at an AM price of (1735.71 - 60 x 5) / 60 EUR:

    >>> from amspares.scenario import load_scenario
    >>> sc = load_scenario()
    >>> out = case_study(sc.inputs(), sc.methods)
    >>> round(out["breakeven"]["am_price_breakeven"], 4)
    23.9284
    >>> [r["regular.S"] for r in out["sweeps"]["emergency_cost"]]
    [0, 4, 4, 5, 5, 6, 6, 7]
    """
    st = _Study(inputs, methods)
    step = iter(range(len(SITUATIONS)))

    def tick(i_name):
        if progress:
            progress(i_name, next(step) + 1, len(SITUATIONS))

    be: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    sweeps: dict[str, list] = {}
    notes: list[str] = []

    def put(name, result: BreakEven, sub: str | None = None):
        target = be if sub is None else be.setdefault(name, {})
        target[name if sub is None else sub] = result.value
        if result.reason:
            reasons[name if sub is None else f"{name}/{sub}"] = result.reason

    both = st.missing("regular", "am_mto")
    both_imp = st.missing("regular", "am_mto", "impact")

    tick("base comparison")
    sweeps["cost_vs_S"], sweeps["impact_vs_S"], more = _fixed_s_tables(st)
    notes += more
    sweeps["cost_breakdown"], sweeps["impact_breakdown"] = _breakdowns(st)
    sweeps["emergency_cost"] = _emergency(st)

    tick("price sensitivity")
    if both:
        for name in ("am_price_breakeven", "regular_price_breakeven"):
            put(name, BreakEven(None, both))
        sweeps["am_price"] = sweeps["regular_price"] = []
    else:
        a, r = _am_price_breakeven(st), _regular_price_breakeven(st)
        put("am_price_breakeven", a)
        put("regular_price_breakeven", r)
        sweeps["am_price"] = _price_sweep(st, "am_mto", "am_price", a.value)
        sweeps["regular_price"] = _price_sweep(st, "regular", "regular_price", r.value)

    tick("minimum order quantity")
    if both:
        put("moq_breakeven_cost", BreakEven(None, both))
        put("moq_breakeven_impact", BreakEven(None, both_imp))
        sweeps["moq"] = []
    else:
        sweeps["moq"], c, i = _moq(st)
        put("moq_breakeven_cost", c)
        put("moq_breakeven_impact", i)

    tick("portfolio")
    if both:
        for key in ("T1", "T10"):
            put("portfolio_breakeven_skus", BreakEven(None, both), key)
        for name in PORTFOLIO_TABLES:
            sweeps[name] = []
    else:
        tables, found = _portfolio(st)
        sweeps.update(tables)
        for key in ("T1", "T10"):
            put("portfolio_breakeven_skus", found[key], key)

    tick("mould investment")
    if both:
        for eur in MOULD_EUR:
            put("mould_breakeven_demand_cost", BreakEven(None, both), mould_key(eur))
        for mp in MOULD_MPTS:
            put("mould_breakeven_demand_impact", BreakEven(None, both_imp), mould_key(mp))
        sweeps["mould"] = []
    else:
        sweeps["mould"], by_cost, by_imp = _mould(st)
        for k, v in by_cost.items():
            put("mould_breakeven_demand_cost", v, k)
        for k, v in by_imp.items():
            put("mould_breakeven_demand_impact", v, k)

    tick("environmental sensitivity")
    if both_imp:
        put("am_energy_breakeven_mj_per_kg", BreakEven(None, both_imp))
        sweeps["am_energy"] = []
    else:
        sweeps["am_energy"], e = _am_energy(st)
        put("am_energy_breakeven_mj_per_kg", e)

    order = ("am_price_breakeven", "regular_price_breakeven", "moq_breakeven_cost",
             "moq_breakeven_impact", "portfolio_breakeven_skus", "mould_breakeven_demand_cost",
             "mould_breakeven_demand_impact", "am_energy_breakeven_mj_per_kg")
    current = {}
    if st.M:
        current["am_price"] = float(inputs[st.key(st.M, "price")])
        current["am_energy_mj_per_kg"] = float(inputs[st.key(st.M, "energy_kwh_per_kg")]) / KWH_PER_MJ
    if st.R:
        current["regular_price"] = float(inputs[st.key(st.R, "price")])
        current["moq"] = int(inputs[st.key(st.R, "moq")])
        current["regular_investment"] = float(inputs[st.key(st.R, "investment")])
    current["n"] = float(inputs["demand.rate_per_year"]) * float(inputs["demand.service_years"])
    return {"roles": dict(st.role), "breakeven": {k: be[k] for k in order},
            "reasons": reasons, "sweeps": sweeps, "notes": notes, "current": current}
