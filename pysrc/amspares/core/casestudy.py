"""The thesis's case study, for any scenario: the six situations, their sweeps and break-evens.

:func:`run_situations` takes a scenario's model parameters
(:class:`~amspares.core.params.ModelParams`, from :func:`amspares.binding.bind`) and
returns a :class:`CaseStudy`: every sweep as named numpy columns and every break-even as a
:class:`~amspares.core.breakeven.BreakEven` (value, the method that wins below it and
above it, the reason). Sweeps vary the parameters (arrays), never scenario keys. Every
number comes from :func:`amspares.core.evaluate.evaluate` (whole sweeps in one vectorised
call) or, for the fixed-``S`` tables, from the core functions it uses itself. Pure
numpy/scipy, no I/O; the JSON rows are made by :mod:`amspares.report`, the sentences by
:mod:`amspares.wording`.

Roles
-----
Situations compare two methods:

* **regular** -- the method named ``regular`` if it is a stock method, else the first stock
  method of the scenario;
* **am_mto** -- the method named ``am_mto`` if it is an order method, else the first order
  method.

A situation that needs a missing role is not applicable: its break-even has value ``None``
and a reason saying why; its sweep has no columns (an empty list in JSON).

Column names (stable; the workbook reads them)
----------------------------------------------
Every sweep is a set of named columns (in JSON, :func:`amspares.report.rows` makes them a
list of row objects). A row holds the swept input(s) and, for every method ``<m>`` of the
scenario, the same fields as that method's object in the JSON of ``amspares evaluate``,
flattened with dots:

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

Break-evens (docs/model.md section 5 names)
----------------------------------
``am_price_breakeven``, ``regular_price_breakeven``, ``moq_breakeven_cost``,
``moq_breakeven_impact``, ``portfolio_breakeven_skus`` (``{"T1": .., "T10": ..}``),
``mould_breakeven_demand_cost`` (``{"3000": .., "20000": .., "80000": ..}``),
``mould_breakeven_demand_impact`` (``{"900000": .., "4000000": .., "7300000": ..}``),
``am_energy_breakeven_mj_per_kg``.

Every break-even lists all its crossings in range (``BreakEven.crossings``, smallest
first, each with the method lower on either side); its value is the smallest crossing,
except for the two below.

``moq_breakeven_cost`` and ``moq_breakeven_impact`` are real-valued minimum order
quantities: from ``moq >= accepted_q`` (and ``> n``) one order ships ``accepted_q`` parts and
bills ``moq`` (Eq. 27-30), so regular's cost and impact are exactly linear in moq there and
the model between two whole moq is their linear interpolation. Their value keeps that
definition: the last crossing, the one into the linear regime, after which the winner
does not change. Below that the model exists only at whole moq and the curves may cross
several times (the sawtooth of ``ceil(n/Q) Q``); those crossings are listed beside it, each
the first whole moq with the other winner. If even the last crossing lies below the linear
regime it is such a whole moq, reported as a jump point with the reason.

Each break-even is found by :func:`amspares.core.breakeven.find_breakeven`: the model is
evaluated on a grid sized by the situation (every whole moq up to 1000, 100 points per
decade of demand for the mould, 64 per decade of N for the portfolio, doubling prices and
energies), refined where the difference changes sign, nearly touches zero, or has a kink
or jump that could hide a crossing; then :func:`scipy.optimize.brentq` (or, for many
brackets, a vectorised bracketing solver) refines every sign change on the continuous
model. A break-even that does not exist in range has value ``None`` and a reason; one where
the model jumps across equality (a discontinuity, not a root) is the jump point, with a
note. The mould sweep and search stop at the demand whose rate ``n / T`` reaches the
largest rate a scenario accepts (:data:`RATE_MAX`); a model that is not finite anywhere in
range (an overflowing input) gives ``None`` with the reason ``not_finite``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np

from amspares.core.basestock import base_stock_costs
from amspares.core.breakeven import BreakEven, find_breakeven
from amspares.core.evaluate import Evaluation, cost_terms, evaluate, impact_terms
from amspares.core.impact import KWH_PER_MJ, environmental_impact, megajoules_to_kwh
from amspares.core.params import ModelParams

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
#: The mould break-evens search n from 1e-3 to 1e6 parts on this many points per decade
#: (and the sweep's points), refined where the two curves nearly touch.
MOULD_SEARCH_PER_DECADE = 100
#: The largest rate a sweep may reach (the largest ``demand.rate_per_year`` a scenario accepts).
RATE_MAX = 1e6
#: The break-evens, in the order they are reported.
BREAKEVEN_NAMES = ("am_price_breakeven", "regular_price_breakeven", "moq_breakeven_cost",
                   "moq_breakeven_impact", "portfolio_breakeven_skus", "mould_breakeven_demand_cost",
                   "mould_breakeven_demand_impact", "am_energy_breakeven_mj_per_kg")
#: The impact break-evens by the climate indicator (kg CO2e), the twins of the mPts ones.
BREAKEVEN_CO2E_NAMES = ("moq_breakeven_impact_co2e", "mould_breakeven_demand_impact_co2e",
                        "am_energy_breakeven_mj_per_kg_co2e")
#: The climate twin of each mould of :data:`MOULD_MPTS` in kg CO2e, keyed like it: the same steel
#: mass (M / 86 mPts per kg of steel, thesis Table 1) times 1.95 kg CO2e per kg of steel (ICE v2.0,
#: Hammond & Jones 2011, Steel > General > World average; a published value, cited, not shipped).
MOULD_STEEL_MPTS_PER_KG = 86.0
MOULD_STEEL_KGCO2E_PER_KG = 1.95
MOULD_KGCO2E = tuple(m / MOULD_STEEL_MPTS_PER_KG * MOULD_STEEL_KGCO2E_PER_KG for m in MOULD_MPTS)

#: A sweep: named columns (arrays of one length, or scalars); empty when not applicable.
Columns = dict


def mould_key(amount: float) -> str:
    """The key of a mould size: ``3000.0 -> "3000"``."""
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
            cols[f"{name}.impact_kgco2e"] = r.impact_kgco2e
            for k, v in r.impact.as_dict().items():
                cols[f"{name}.impact.{k}"] = np.asarray(v, dtype=float)
        else:
            cols[f"{name}.impact_mpts"] = np.full(r.total_cost.shape, np.nan)
            cols[f"{name}.impact_kgco2e"] = np.full(r.total_cost.shape, np.nan)
    return cols


def _impact_of(r, measure: str):
    """A method result's impact in mPts (``"impact"``) or kg CO2e (``"impact_co2e"``)."""
    return r.impact_mpts if measure == "impact" else r.impact_kgco2e


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
    """The parameters, roles and one evaluation helper shared by the situations."""

    def __init__(self, params: ModelParams):
        self.p = params
        self.methods = params.kinds
        self.role = roles(self.methods)
        self.R = self.role["regular"]
        self.M = self.role["am_mto"]
        self.has_part = params.has_part

    def ev(self, params: ModelParams | None = None, names=None, advice=False) -> Evaluation:
        """:func:`evaluate` of some parameters (default: the scenario's), for some methods."""
        p = self.p if params is None else params
        return evaluate(p if names is None else p.only(names), advice=advice)

    def method(self, name: str, **changes) -> ModelParams:
        """The scenario's parameters with some fields of method ``name`` changed."""
        return self.p.with_method(name, **changes)

    def missing(self, *needed: str) -> tuple[str, ...]:
        """What a situation needs and the scenario lacks: ``"regular"``, ``"am_mto"``
        (the roles), ``"impact"`` (a part), ``"climate"`` (the kg CO2e factors of both roles);
        empty when the situation is applicable."""
        lacking = [r for r in needed if r in self.role and self.role[r] is None]
        if ("impact" in needed or "climate" in needed) and not self.has_part:
            lacking.append("impact")
        elif "climate" in needed and not lacking:
            ev = self.ev(names=[self.R, self.M])
            if any(np.isnan(ev.methods[m].impact_kgco2e).any() for m in (self.R, self.M)):
                lacking.append("climate")
        return tuple(lacking)


def _not_applicable(lacking: tuple[str, ...]) -> BreakEven:
    return BreakEven(None, why="not_applicable", facts={"lacking": lacking})


def _not_finite(be: BreakEven, sides, grid, measure: str) -> BreakEven | None:
    """A reason when the model has no finite value anywhere on ``grid`` (an extreme input
    such as a material efficiency of 1e-320 makes the impact overflow), else None."""
    if be.value is not None or be.crossings:
        return None
    g = np.asarray(grid, dtype=float)[:64]
    lhs, rhs = sides(g)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.asarray(lhs, dtype=float) - np.asarray(rhs, dtype=float)
    if np.any(np.isfinite(d)):
        return None
    return _because(be, "not_finite", measure=measure)


def _because(be: BreakEven, why: str, **facts) -> BreakEven:
    """``be`` with the situation's own reason (replacing the root finder's note)."""
    return replace(be, reason="", why=why, facts=facts)


# --------------------------------------------------------------------------- situations


def _fixed_s_tables(st: _Study) -> tuple[Columns, Columns, list[tuple[str, dict]]]:
    """TC(S) and impact(S) for S = 0..15 per stock method with moq = 1 (Fig. 13, 24)."""
    p = st.p
    S = S_RANGE
    n = p.rate_per_year * p.service_years
    cost_cols: dict[str, Any] = {"S": S}
    imp_cols: dict[str, Any] = {"S": S}
    notes = []
    ev = st.ev(names=[m for m, k in st.methods.items() if k == "order"]) if "order" in st.methods.values() else None
    for m, kind in st.methods.items():
        if kind == "order":
            r = ev.methods[m]
            cost_cols[f"{m}.total_cost"] = _f(r.total_cost)
            if st.has_part:
                imp_cols[f"{m}.impact_mpts"] = _f(r.impact_mpts)
            continue
        moq = int(p.methods[m].moq)
        if moq != 1:
            notes.append(("no_base_stock", {"method": m, "moq": moq}))
            continue
        c = base_stock_costs(S, waiting_time=p.waiting_time, production_rule=p.production_rule,
                             **cost_terms(p, m))
        cost_cols[f"{m}.total_cost"] = np.asarray(c.total, dtype=float)
        for comp, v in c.as_dict().items():
            cost_cols[f"{m}.cost.{comp}"] = v
        if st.has_part:
            units = n + S                     # P = W = n + S (docs/model.md, impact)
            i = environmental_impact(units, units, n, **impact_terms(p, m))
            imp_cols[f"{m}.impact_mpts"] = np.asarray(i.total, dtype=float)
            for comp, v in i.as_dict().items():
                imp_cols[f"{m}.impact.{comp}"] = v
    return cost_cols, (imp_cols if st.has_part else {}), notes


def _breakdowns(st: _Study) -> tuple[Columns, Columns]:
    """One row per method at its optimal policy (Fig. 15, 25)."""
    ev = st.ev()
    names = np.array(list(ev.methods), dtype=object)
    kinds = np.array([r.kind for r in ev.methods.values()], dtype=object)
    first = next(iter(ev.methods.values()))
    cost = {"method": names, "kind": kinds,
            **{c: np.array([_f(r.cost.as_dict()[c]) for r in ev.methods.values()])
               for c in first.cost.as_dict()},
            "total_cost": np.array([_f(r.total_cost) for r in ev.methods.values()])}
    if first.impact is None:
        return cost, {}
    imp = {"method": names, "kind": kinds,
           **{c: np.array([_f(r.impact.as_dict()[c]) for r in ev.methods.values()])
              for c in first.impact.as_dict()},
           "impact_mpts": np.array([_f(r.impact_mpts) for r in ev.methods.values()])}
    return cost, imp


def _emergency(st: _Study) -> Columns:
    ce = np.array(EMERGENCY_PER_DAY)
    ev = st.ev(replace(st.p, emergency_per_day=ce))
    return {"emergency_per_day": ce, **_columns(ev)}


def _price_sweep(st: _Study, role: str, column: str, breakeven: float | None) -> Columns:
    m = st.role[role]
    price = float(st.p.methods[m].price)
    top = max(price, 1.5 * breakeven if breakeven else 0.0)
    grid = np.linspace(0.0, _nice_upper(top), 21)
    ev = st.ev(st.method(m, price=grid))
    return {column: grid, **_columns(ev)}


def _price_breakeven(st: _Study, swept: str, other: str, why: str) -> BreakEven:
    """Price of method ``swept`` at which its total equals ``other``'s (at its own price).

    The swept method's policy is re-optimised at every price (one :func:`evaluate` call
    per bracket probe); the other side is a constant.
    """
    target = _f(st.ev(names=[other]).methods[other].total_cost)

    def sides(p):
        ev = st.ev(st.method(swept, price=p), names=[swept])
        return ev.methods[swept].total_cost, np.full(p.shape, target)

    grid = _expanding(float(st.p.methods[swept].price) or 1.0)
    be = find_breakeven(sides, grid, names=(swept, other))
    if be.value is None:
        return (_not_finite(be, sides, grid, "cost")
                or _because(be, why, method=swept, other=other, target=target))
    return be


def _am_price_breakeven(st: _Study) -> BreakEven:
    return _price_breakeven(st, st.M, st.R, "dearer_even_free")


def _regular_price_breakeven(st: _Study) -> BreakEven:
    return _price_breakeven(st, st.R, st.M, "dearer_even_at_zero")


def _moq_linear_start(ev: Evaluation) -> int:
    """Smallest whole moq from which regular's cost and impact are linear in moq.

    From ``moq >= accepted_q`` (and ``moq > n``) one order ships ``accepted_q`` parts and
    bills ``moq`` (Eq. 27-30): every term is constant or proportional to moq.
    """
    n = _f(ev.n)
    return int(max(_f(ev.accepted_q), math.floor(n) + 1, 1))


def _moq(st: _Study) -> tuple[Columns, BreakEven, BreakEven]:
    """MOQ sweep 1..1000 and the break-evens by cost and impact (minimum order quantity)."""
    R, M = st.R, st.M
    grid = MOQ_RANGE
    ev = st.ev(st.method(R, moq=grid.astype(float)))
    table = {"moq": grid, **_columns(ev)}
    lin0 = _moq_linear_start(ev)

    def model(x, what):
        """Regular's cost/impact at real moq x: the model at whole moq, linear between
        neighbours (exact where x >= lin0, the linear regime)."""
        x = np.asarray(x, dtype=float)
        k = np.floor(x)
        both = np.concatenate([k, k + 1.0])
        e = st.ev(st.method(R, moq=both), names=[R, M])
        r, o = e.methods[R], e.methods[M]
        v = r.total_cost if what == "cost" else _impact_of(r, what)
        w = o.total_cost if what == "cost" else _impact_of(o, what)
        lo, hi = v[:k.size], v[k.size:]
        return lo + (x - k) * (hi - lo), w[:k.size]

    # every whole moq up to 1000 (and up to the linear regime, on a whole-number grid of
    # 100 points per decade where that lies further out: a crossing there is narrowed by
    # bisection on whole numbers), then the linear regime by doubling
    below = np.arange(1.0, min(lin0, 1000) + 1.0)
    if lin0 > 1000:
        below = np.unique(np.concatenate([below, np.round(np.logspace(3, math.log10(lin0), 100 * max(
            1, math.ceil(math.log10(lin0) - 3)) + 1))]))
    search = np.unique(np.concatenate([below, [float(lin0)], lin0 * 2.0 ** np.arange(1, 31) + 1000.0]))

    def solve(what, label):
        sides = lambda x: model(x, what)   # noqa: E731
        be = find_breakeven(sides, search, names=(R, M), discrete_below=lin0, headline="last")
        if be.value is None:
            bad = _not_finite(be, sides, search, label)
            if bad:
                return bad
            lo, hi = sides(search[:1])
            if lo[0] >= hi[0]:
                return _because(be, "moq_lower_throughout", winner=M, measure=label)
            return _because(be, "moq_keeps_lower", winner=R, measure=label, top=float(search[-1]))
        if be.jump:
            return _because(be, "moq_whole_numbers", value=be.value, start=lin0, winner=be.above)
        return be

    be_cost = solve("cost", "cost")
    be_imp = solve("impact", "impact") if st.has_part else _not_applicable(st.missing("impact"))
    lacking = st.missing("climate")
    be_co2 = _not_applicable(lacking) if lacking else solve("impact_co2e", "climate impact")
    return table, be_cost, be_imp, be_co2


def _portfolio(st: _Study) -> tuple[dict[str, Columns], dict[str, BreakEven]]:
    """Portfolio of N SKUs sharing one expected demand over T."""
    R, M = st.R, st.M
    tables = {}
    pooled = replace(st.p, production_rule="max_demand_stock")

    def spread(T, N):
        return replace(pooled, service_years=T, rate_per_year=1.0 / (N * T))

    for name, (T, N) in PORTFOLIO_TABLES.items():
        ev = st.ev(spread(T, N))
        cols = {"N": N, "service_years": T, "rate_per_year": 1.0 / (N * T), **_columns(ev)}
        for m, r in ev.methods.items():
            cols[f"{m}.portfolio_total_cost"] = N * r.total_cost
            cols[f"{m}.portfolio_impact_mpts"] = (N * r.impact_mpts if r.impact is not None
                                                  else np.full(N.shape, np.nan))
        tables[name] = cols
    found = {}
    grid = np.unique(np.concatenate([np.arange(1, 51), 10 ** np.linspace(0, 6, 6 * 64 + 1)])).astype(float)
    for label, T in (("T1", 1.0), ("T10", 10.0)):
        def sides(N, T=T):
            ev = st.ev(spread(T, N), names=[R, M])
            return N * ev.methods[R].total_cost, N * ev.methods[M].total_cost

        be = find_breakeven(sides, grid, names=(R, M))
        if be.value is None:
            lo, hi = sides(grid[:1])
            bad = _not_finite(be, sides, grid, "cost")
            if bad:
                be = bad
            elif lo[0] > hi[0]:
                be = _because(be, "portfolio_single_sku", years=T, winner=M)
            else:
                be = _because(be, "portfolio_stays", years=T, winner=R, top=float(grid[-1]))
        found[label] = be
    return tables, found


def _mould(st: _Study) -> tuple[Columns, dict[str, BreakEven], dict[str, BreakEven], dict[str, BreakEven]]:
    """Mould investment for regular; demand n over the service period."""
    R, M = st.R, st.M
    T = float(st.p.service_years)
    inv0 = float(st.p.methods[R].investment)
    n = MOULD_DEMAND
    k = len(MOULD_EUR)
    # demands whose rate n / T a scenario could have (a tiny service period makes n / T
    # overflow): the others are left out of the sweep (null) and of the search
    top = T * RATE_MAX
    ok = n <= top
    nv = n[ok]
    lam = np.tile(nv / T, k + 1)
    inv = np.repeat(np.array((0.0,) + MOULD_EUR), nv.size) + inv0
    cols: dict[str, Any] = {"n": n, "rate_per_year": np.where(ok, n / T if top > 0 else np.nan, np.nan)}

    def full(v):
        out = np.full(n.shape, np.nan)
        out[ok] = v
        return out

    if nv.size:
        ev = st.ev(replace(st.method(R, investment=inv), rate_per_year=lam))
        cols.update({c: full(np.asarray(v, dtype=float)[:nv.size]) if np.ndim(v) else v
                     for c, v in _columns(ev).items()})
        total = ev.methods[R].total_cost
        for j, eur in enumerate(MOULD_EUR, start=1):
            cols[f"mould_{mould_key(eur)}.total_cost"] = full(total[j * nv.size:(j + 1) * nv.size])
        if st.has_part:
            for mp in MOULD_MPTS:
                cols[f"mould_{mould_key(mp)}.impact_mpts"] = full(ev.methods[R].impact_mpts[:nv.size] + mp)
    else:
        ev = st.ev(replace(st.p, rate_per_year=np.zeros(1)))
        cols.update({c: np.full(n.shape, np.nan) for c in _columns(ev)})
        for eur in MOULD_EUR:
            cols[f"mould_{mould_key(eur)}.total_cost"] = np.full(n.shape, np.nan)
        if st.has_part:
            for mp in MOULD_MPTS:
                cols[f"mould_{mould_key(mp)}.impact_mpts"] = np.full(n.shape, np.nan)

    hi = min(1e6, top)
    search = np.unique(np.concatenate([
        np.logspace(-3, 6, 9 * MOULD_SEARCH_PER_DECADE + 1), n, [0.5]]))
    search = search[search <= hi]
    by_cost, by_impact, by_co2 = {}, {}, {}
    too_short = _because(BreakEven(None), "mould_period_too_short", years=T, rate=RATE_MAX)
    for eur in MOULD_EUR:
        if search.size < 2:
            by_cost[mould_key(eur)] = too_short
            continue

        def sides(x, eur=eur):
            e = st.ev(replace(st.method(R, investment=inv0 + eur), rate_per_year=x / T), names=[R, M])
            return e.methods[R].total_cost, e.methods[M].total_cost

        be = find_breakeven(sides, search, names=(R, M))
        if be.value is None:
            lo, hi_ = sides(search[:1])
            be = (_not_finite(be, sides, search, "cost")
                  or (_because(be, "mould_cost_always", eur=eur, winner=R) if lo[0] < hi_[0]
                      else _because(be, "mould_cost_stays", eur=eur, winner=M, top=float(search[-1]))))
        by_cost[mould_key(eur)] = be
    lacking_co2 = st.missing("climate")
    for measure, sizes, found in (("impact", MOULD_MPTS, by_impact), ("impact_co2e", MOULD_KGCO2E, by_co2)):
        lacking = st.missing("impact") if measure == "impact" else lacking_co2
        label = "impact" if measure == "impact" else "climate impact"
        unit = "mPts" if measure == "impact" else "kg CO2e"
        for mp, size in zip(MOULD_MPTS, sizes):
            if lacking:
                found[mould_key(mp)] = _not_applicable(lacking)
                continue
            if search.size < 2:
                found[mould_key(mp)] = too_short
                continue

            def sides(x, size=size, measure=measure):
                e = st.ev(replace(st.p, rate_per_year=x / T), names=[R, M])
                return _impact_of(e.methods[R], measure) + size, _impact_of(e.methods[M], measure)

            be = find_breakeven(sides, search, names=(R, M))
            if be.value is None:
                lo, hi_ = sides(search[:1])
                be = (_not_finite(be, sides, search, label)
                      or (_because(be, "mould_impact_always", mpts=size, unit=unit, winner=R) if lo[0] < hi_[0]
                          else _because(be, "mould_impact_stays", mpts=size, unit=unit, winner=M,
                                        top=float(search[-1]))))
            found[mould_key(mp)] = be
    return cols, by_cost, by_impact, by_co2


def printing_methods(st: _Study) -> list[str]:
    """Methods whose machine energy the AM energy sweep varies (module docstring)."""
    out = [m for m in st.methods if m != st.R and float(st.p.methods[m].energy_kwh_per_kg) > 0]
    if st.M and st.M not in out:
        out.append(st.M)
    return out


def _am_energy(st: _Study) -> tuple[Columns, BreakEven, BreakEven]:
    R, M = st.R, st.M
    am = printing_methods(st)

    def with_energy(mj):
        kwh = megajoules_to_kwh(np.asarray(mj, dtype=float))
        p = st.p
        for m in am:
            p = p.with_method(m, energy_kwh_per_kg=kwh)
        return p

    def solve(measure, label):
        def sides(mj):
            e = st.ev(with_energy(mj), names=[R, M])
            return _impact_of(e.methods[M], measure), _impact_of(e.methods[R], measure)

        be = find_breakeven(sides, _expanding(100.0, 1e7), names=(M, R))
        if be.value is None:
            lo, hi = sides(np.array([0.0]))
            be = (_not_finite(be, sides, _expanding(100.0, 1e7), label)
                  or (_because(be, "energy_dirtier_even_at_zero", method=M, other=R, measure=label)
                      if lo[0] > hi[0] else _because(be, "energy_keeps_lower", method=M, measure=label)))
        return be

    be = solve("impact", "impact")
    lacking = st.missing("climate")
    be_co2 = _not_applicable(lacking) if lacking else solve("impact_co2e", "climate impact")
    far = 1.5 * be.value if be.value else 0.0
    top = 600.0 if far <= 600.0 else _nice_upper(far)
    grid = np.linspace(0.0, top, 25)
    ev = st.ev(with_energy(grid))
    return {"am_energy_mj_per_kg": grid, **_columns(ev)}, be, be_co2


# --------------------------------------------------------------------------- the run


SITUATIONS = ("base comparison", "price sensitivity", "minimum order quantity", "portfolio",
              "mould investment", "environmental sensitivity")


@dataclass(frozen=True)
class CaseStudy:
    """The six situations of one scenario.

    ``breakevens`` maps each name of :data:`BREAKEVEN_NAMES` to a :class:`BreakEven`, or
    (portfolio, mould) to ``{key: BreakEven}``; ``breakevens_co2e`` the same for
    :data:`BREAKEVEN_CO2E_NAMES` (the impact break-evens by kg CO2e; the mould ones keyed by
    the mPts mould whose climate twin they use, :data:`MOULD_KGCO2E`); ``sweeps`` maps each sweep name to its
    named columns (empty when not applicable); ``current`` holds the scenario's own values
    of the swept quantities (``am_price``, ``am_energy_mj_per_kg``, ``regular_price``,
    ``moq``, ``regular_investment``, ``n``); ``notes`` are ``(what, facts)`` pairs
    (worded by :func:`amspares.wording.note_text`).
    """

    roles: dict
    breakevens: dict
    sweeps: dict
    notes: list = field(default_factory=list)
    current: dict = field(default_factory=dict)
    breakevens_co2e: dict = field(default_factory=dict)


def run_situations(params: ModelParams, *,
                   progress: Callable[[str, int, int], None] | None = None) -> CaseStudy:
    """Every sweep and break-even of the six situations for one scenario's parameters.

    Parameters
    ----------
    params
        The scenario's parameters (scalars).
    progress
        Called as ``progress(situation, i, total)`` before each situation.

    Examples
    --------
    The thesis case study: printing to order costs as much as the optimal regular stock
    (1735.71 EUR) at an AM price of (1735.71 - 60 x 5) / 60 EUR, and is cheaper below it:

    >>> from amspares.binding import bind
    >>> from amspares.scenario import load_scenario
    >>> cs = run_situations(bind(load_scenario()))
    >>> be = cs.breakevens["am_price_breakeven"]
    >>> round(be.value, 4), be.below, be.above
    (23.9284, 'am_mto', 'regular')
    >>> [int(s) for s in cs.sweeps["emergency_cost"]["regular.S"]]
    [0, 4, 4, 5, 5, 6, 6, 7]
    """
    # extreme inputs (a material efficiency of 1e-320) overflow some terms: those values
    # are not finite, and each break-even says so (``not_finite``) instead of a warning
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run(params, progress)


def _run(params: ModelParams, progress) -> CaseStudy:
    st = _Study(params)
    step = iter(range(len(SITUATIONS)))

    def tick(i_name):
        if progress:
            progress(i_name, next(step) + 1, len(SITUATIONS))

    be: dict[str, Any] = {}
    sweeps: dict[str, Columns] = {}
    notes: list[tuple[str, dict]] = []

    def put(name, result: BreakEven, sub: str | None = None):
        if sub is None:
            be[name] = result
        else:
            be.setdefault(name, {})[sub] = result

    both = st.missing("regular", "am_mto")
    both_imp = st.missing("regular", "am_mto", "impact")
    both_co2 = st.missing("regular", "am_mto", "climate")

    tick("base comparison")
    sweeps["cost_vs_S"], sweeps["impact_vs_S"], more = _fixed_s_tables(st)
    notes += more
    sweeps["cost_breakdown"], sweeps["impact_breakdown"] = _breakdowns(st)
    sweeps["emergency_cost"] = _emergency(st)

    tick("price sensitivity")
    if both:
        for name in ("am_price_breakeven", "regular_price_breakeven"):
            put(name, _not_applicable(both))
        sweeps["am_price"] = sweeps["regular_price"] = {}
    else:
        a, r = _am_price_breakeven(st), _regular_price_breakeven(st)
        put("am_price_breakeven", a)
        put("regular_price_breakeven", r)
        sweeps["am_price"] = _price_sweep(st, "am_mto", "am_price", a.value)
        sweeps["regular_price"] = _price_sweep(st, "regular", "regular_price", r.value)

    tick("minimum order quantity")
    if both:
        put("moq_breakeven_cost", _not_applicable(both))
        put("moq_breakeven_impact", _not_applicable(both_imp))
        put("moq_breakeven_impact_co2e", _not_applicable(both_co2))
        sweeps["moq"] = {}
    else:
        sweeps["moq"], c, i, ic = _moq(st)
        put("moq_breakeven_cost", c)
        put("moq_breakeven_impact", i)
        put("moq_breakeven_impact_co2e", ic)

    tick("portfolio")
    if both:
        for key in ("T1", "T10"):
            put("portfolio_breakeven_skus", _not_applicable(both), key)
        for name in PORTFOLIO_TABLES:
            sweeps[name] = {}
    else:
        tables, found = _portfolio(st)
        sweeps.update(tables)
        for key in ("T1", "T10"):
            put("portfolio_breakeven_skus", found[key], key)

    tick("mould investment")
    if both:
        for eur in MOULD_EUR:
            put("mould_breakeven_demand_cost", _not_applicable(both), mould_key(eur))
        for mp in MOULD_MPTS:
            put("mould_breakeven_demand_impact", _not_applicable(both_imp), mould_key(mp))
            put("mould_breakeven_demand_impact_co2e", _not_applicable(both_co2), mould_key(mp))
        sweeps["mould"] = {}
    else:
        sweeps["mould"], by_cost, by_imp, by_co2 = _mould(st)
        for k, v in by_cost.items():
            put("mould_breakeven_demand_cost", v, k)
        for k, v in by_imp.items():
            put("mould_breakeven_demand_impact", v, k)
        for k, v in by_co2.items():
            put("mould_breakeven_demand_impact_co2e", v, k)

    tick("environmental sensitivity")
    if both_imp:
        put("am_energy_breakeven_mj_per_kg", _not_applicable(both_imp))
        put("am_energy_breakeven_mj_per_kg_co2e", _not_applicable(both_co2))
        sweeps["am_energy"] = {}
    else:
        sweeps["am_energy"], e, ec = _am_energy(st)
        put("am_energy_breakeven_mj_per_kg", e)
        put("am_energy_breakeven_mj_per_kg_co2e", ec)

    p = params
    current = {}
    if st.M:
        current["am_price"] = float(p.methods[st.M].price)
        current["am_energy_mj_per_kg"] = float(p.methods[st.M].energy_kwh_per_kg) / KWH_PER_MJ
    if st.R:
        current["regular_price"] = float(p.methods[st.R].price)
        current["moq"] = int(p.methods[st.R].moq)
        current["regular_investment"] = float(p.methods[st.R].investment)
    current["n"] = float(p.rate_per_year) * float(p.service_years)
    return CaseStudy(roles=dict(st.role), breakevens={k: be[k] for k in BREAKEVEN_NAMES},
                     sweeps=sweeps, notes=notes, current=current,
                     breakevens_co2e={k: be[k] for k in BREAKEVEN_CO2E_NAMES})
