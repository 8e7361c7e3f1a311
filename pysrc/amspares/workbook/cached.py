"""Cached values for the workbook's formula cells, from the core, and their injection.

openpyxl writes a formula cell as ``<c r="B4"><f>...</f><v/></c>``: no cached value, so
Protected View, phones and preview panes (which never calculate) show nothing or 0.
:func:`expected_values` computes, through the same core functions the CLI uses
(:func:`amspares.core.evaluate.evaluate` on the parameters of
:func:`amspares.binding.bind` and, for the per-S base-stock table,
:func:`amspares.core.base_stock_costs` with an array of S), the value every formula must
evaluate to; :func:`inject_cached_values` writes them into the saved file's sheet XML.

Values that the model defines as infinite (the Erlang C wait of an unstable queue) are
shown by the formulas as the text ``"infeasible"``; the cached values do the same.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Mapping
from xml.sax.saxutils import escape

import numpy as np

from amspares import core
from amspares.binding import bind
from amspares.core.evaluate import Evaluation, cost_terms, evaluate
from amspares.core.params import ModelParams
from amspares.model import result_dict
from amspares.scenario import Scenario, leg_factor

INFEASIBLE = "infeasible"
NOT_APPLICABLE = "n/a"
NO_PART = "no part"


def cell_value(x) -> Any:
    """A model number as a cell shows it: inf -> "infeasible", NaN/None -> "n/a"."""
    if x is None:
        return NOT_APPLICABLE
    if isinstance(x, (bool, str)):
        return x
    if isinstance(x, (np.integer,)):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return NOT_APPLICABLE
    if math.isinf(x):
        return INFEASIBLE
    return x


@dataclass(frozen=True)
class BaseStockTable:
    """Every column of a stock method's per-S table (S = 0..Smax), from the core."""

    S: np.ndarray
    lead_time_years: float
    offered_load: float
    offered_load_w: float         # u_w = lambda (L - w)^+, the lead-time demand beyond the free window
    holding_per_part_year: float  # the method's own (resolved) holding cost
    erlang_b: np.ndarray
    erlang_c: np.ndarray
    wait_erlang_c: np.ndarray     # Wx: the wait beyond the free window (docs/model.md 3.1)
    loss: np.ndarray              # G1(S; u_w) = E[(X_w - S)^+]
    wait_exact: np.ndarray
    wait: np.ndarray              # the scenario's waiting-time model
    cost: core.CostBreakdown
    fill_rate: np.ndarray         # service measures (docs/model.md 3.4), the model in use
    on_time_rate: np.ndarray
    mean_wait_days: np.ndarray
    total_target: list            # total, or "below target" where the on-time rate misses it

    def column(self, name: str) -> list:
        if name in self.cost.components():
            values = np.broadcast_to(np.asarray(getattr(self.cost, name), dtype=float), self.S.shape)
        elif name == "total":
            values = np.asarray(self.cost.total, dtype=float)
        elif name == "total_target":
            return list(self.total_target)
        else:
            values = getattr(self, name)
        return [cell_value(v) for v in np.asarray(values)]


def base_stock_table(params: ModelParams, method: str, smax: int) -> BaseStockTable:
    """The per-S table of a stock method, column by column, from the core functions."""
    terms = cost_terms(params, method, float)
    rate, lead, free = terms["rate"], terms["lead_time_years"], float(terms["free_days"])
    u = core.basestock.offered_load(rate, lead)
    u_w = float(rate * max(lead - free / 365.0, 0.0))
    S = np.arange(smax + 1)
    waiting = params.waiting_time
    cost = core.base_stock_costs(S, waiting_time=waiting, production_rule=params.production_rule,
                                 **terms)
    sv = core.service.base_stock_service(S, rate=rate, lead_time_years=lead, waiting_time=waiting,
                                         free_days=free)
    on_time = np.asarray(sv.on_time_rate, dtype=float)
    total = [cell_value(v) for v in np.asarray(cost.total, dtype=float)]
    target = params.service_target
    if target is not None:
        total = [t if isinstance(t, float) and ok >= float(target) else BELOW_TARGET
                 for t, ok in zip(total, on_time)]
    return BaseStockTable(
        S=S, lead_time_years=lead, offered_load=u, offered_load_w=u_w,
        holding_per_part_year=float(terms["holding_per_part_year"]),
        erlang_b=np.asarray(core.erlang_b(S, u)), erlang_c=np.asarray(core.erlang_c(S, u)),
        wait_erlang_c=np.asarray(core.backorder_wait(S, rate, lead, "erlang_c", free)),
        loss=np.asarray(core.poisson_loss(S, u_w)),
        wait_exact=np.asarray(core.backorder_wait(S, rate, lead, "exact", free)),
        wait=np.asarray(core.backorder_wait(S, rate, lead, waiting, free)),
        cost=cost, fill_rate=np.asarray(sv.fill_rate, dtype=float), on_time_rate=on_time,
        mean_wait_days=np.asarray(sv.mean_wait_days, dtype=float), total_target=total)


#: Largest order quantity the live (s,Q) reorder-point table covers (rows s = -Q .. s_hi).
SQ_MAX_Q = 1000
#: Text of the cells of the (s,Q) table outside the current s range (and of the whole
#: table when moq = 1 or moq > n).
BLANK = ""
#: Text of a cost cell whose policy misses ``model.service_target``.
BELOW_TARGET = "below target"


def reorder_point_search_top(offered_load: float) -> int:
    """Top of the reorder-point range: the core's search bound
    (:func:`amspares.core.sq.reorder_point_search_top`); the workbook's table rows stop there."""
    return int(core.reorder_point_search_top(float(offered_load)))


def sq_table_rows(params: ModelParams, tables: Mapping[str, "BaseStockTable"]) -> int:
    """Rows of every stock sheet's (s,Q) table: ``Q_max + margin`` (``Q_max`` = 1000 or the
    largest moq of the scenario; the margin covers s up to twice the scenario's s_hi)."""
    qmax = max([SQ_MAX_Q] + [int(m.moq) for m in params.methods.values() if m.kind == "stock"])
    top = max([reorder_point_search_top(t.offered_load) for t in tables.values()] + [0])
    return qmax + max(100, 2 * top + 1)


def accepted_q_rows(n: float, accepted_q: int) -> int:
    """Rows k = 0..K of the accepted_q helper column (Eq. 31): generous for n."""
    return max(250, 2 * int(accepted_q) + 50, int(math.ceil(n + 12.0 * math.sqrt(max(n, 0.0)) + 12.0)))


@dataclass(frozen=True)
class SQTable:
    """A stock method's live (s,Q) block and reorder-point table (docs/model.md section 3.2), from the core.

    ``columns`` maps a column name to its ``rows`` cell values (``""`` outside the active
    range s = -Q .. s_hi, and everywhere when moq = 1 or moq > n); ``block`` maps a block
    row to its value ("n/a" where the row does not apply).
    """

    rows: int
    columns: dict
    block: dict


def sq_table(model: ModelParams, method: str, rows: int) -> SQTable:
    """The (s,Q) values of one stock method for ``rows`` table rows, from the core functions."""
    params = cost_terms(model, method, float)
    rate, years, lead = params["rate"], params["years"], params["lead_time_years"]
    free = float(params["free_days"])
    n = rate * years                   # n = lambda T, as in core.evaluate: picks the regime
    u = core.basestock.offered_load(rate, lead)
    u_w = float(rate * max(lead - free / 365.0, 0.0))
    target = model.service_target
    Q = int(model.methods[method].moq)
    s_hi = reorder_point_search_top(u)
    params["accepted_q_confidence"] = float(model.accepted_q_confidence)
    names = ("s", "tail", "g2", "g2_shift", "backorders", "on_hand", "total", "tail_w", "g2_w",
             "backorders_w", "on_time")
    columns = {c: [BLANK] * rows for c in names}
    block: dict[str, Any] = {"s_hi": s_hi, "Q": Q}
    if Q == 1:
        block.update({k: NOT_APPLICABLE for k in (
            "backorders", "on_hand", "s", "billed", "shipped", *core.costs.cost_components(), "total")})
        block["last_row"] = -1
        return SQTable(rows, columns, block)
    pol, _adv = core.optimal_sq_policy(Q, advice=False, service_target=target, **params)
    several = Q <= n
    block["last_row"] = Q + s_hi if several else -1
    bo_w = float(core.sq_expected_backorders(pol.s, Q, u_w)) if several else 0.0
    block.update(backorders=bo_w, on_hand=float(pol.expected_on_hand),
                 s=cell_value(pol.s) if several else NOT_APPLICABLE,
                 billed=float(pol.billed), shipped=float(pol.shipped), total=float(pol.total_cost),
                 **{c: float(v) for c, v in pol.cost.as_dict().items()})
    if several and Q + s_hi < rows:
        s = np.arange(-Q, s_hi + 1)
        k = s.size
        tail = core.poisson_survival(s, np.full(k, u))
        table = core.sq_policy_costs(np.full(k, Q), reorder_point=s, **params)
        on_time = np.asarray(core.service.sq_service(s, Q, rate=rate, lead_time_years=lead,
                                                     free_days=free).on_time_rate, dtype=float)
        values = {"s": s, "tail": tail, "g2": core.poisson_second_loss(s, u),
                  "g2_shift": core.poisson_second_loss(s + Q, u),
                  "backorders": core.sq_expected_backorders(s, Q, u),
                  "on_hand": core.sq_expected_on_hand(s, Q, u),
                  "total": table.total_cost,
                  "tail_w": core.poisson_survival(s, np.full(k, u_w)),
                  "g2_w": core.poisson_second_loss(s, u_w),
                  "backorders_w": core.sq_expected_backorders(s, Q, u_w),
                  "on_time": on_time}
        for c, v in values.items():
            columns[c][:k] = [cell_value(x) for x in np.asarray(v)]
        if target is not None:
            columns["total"][:k] = [t if ok >= float(target) else BELOW_TARGET
                                    for t, ok in zip(columns["total"][:k], on_time)]
    return SQTable(rows, columns, block)


@dataclass(frozen=True)
class Expected:
    """What every formula of a scenario's workbook evaluates to (all from the core)."""

    scenario: Scenario
    params: ModelParams               # the scenario's model parameters (amspares.binding.bind)
    evaluation: Evaluation
    result: dict                      # result object of docs/model.md section 6 (amspares.model.result_dict)
    tables: dict                      # stock method -> BaseStockTable
    smax: int
    sq: dict                          # stock method -> SQTable (the live (s,Q) policy)
    accepted_q_cdf: list              # P{Poisson(n) <= k}, k = 0..K (Eq. 31 helper column)

    def leg_factor(self, legs) -> float:
        return leg_factor(legs)

    def material_per_part(self, method: str):
        p = self.params
        if not p.has_part:
            return NO_PART
        return float(core.material_per_part(p.weight_kg, p.methods[method].material_efficiency))

    def process_factor(self, method: str) -> float:
        m = self.params.methods[method]
        return float(core.process_factor(m.process_mpts_per_kg, m.energy_kwh_per_kg,
                                          self.params.electricity_mpts_per_kwh))


def choose_smax(evaluation: Evaluation, minimum: int = 150, loads=()) -> int:
    """Rows of the per-S table: at least ``minimum``, well past every optimum, and past every
    stock method's lead-time demand ``u`` (``loads``) with headroom for a recipient's edits
    (``2u + 12 sqrt(u) + 20``: the Erlang C queue needs S > u, and the optimum lies a few
    standard deviations above u)."""
    top = max([int(r.S[0]) for r in evaluation.methods.values()] + [0])
    room = max([int(math.ceil(2 * u + 12 * math.sqrt(u) + 20)) for u in loads] + [0])
    return max(minimum, 2 * top + 20, room)


def expected_values(scenario: Scenario, smax: int | None = None) -> Expected:
    """Evaluate a scenario once for the workbook: results, and every per-S table."""
    params = bind(scenario)
    ev = evaluate(params)
    loads = [float(core.basestock.offered_load(*(lambda t: (t["rate"], t["lead_time_years"]))(
        cost_terms(params, m, float)))) for m, kind in params.kinds.items() if kind == "stock"]
    smax = choose_smax(ev, loads=loads) if smax is None else smax
    tables = {m: base_stock_table(params, m, smax) for m, kind in params.kinds.items()
              if kind == "stock"}
    rows = sq_table_rows(params, tables)
    sq = {m: sq_table(params, m, rows) for m in tables}
    result = result_dict(scenario.name, ev)
    n = float(result["n"])
    k = np.arange(accepted_q_rows(n, result["accepted_q"]) + 1)
    cdf = [float(x) for x in core.poisson_cdf(k, n)]
    return Expected(scenario=scenario, params=params, evaluation=ev, result=result, tables=tables, smax=smax,
                    sq=sq, accepted_q_cdf=cdf)


# --------------------------------------------------------------------------- injection

_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v>[^<]*</v>)?</c>',
                           re.S)
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
_REL2 = re.compile(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')
_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> path of its XML part inside the package."""
    from xml.sax.saxutils import unescape

    wb = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {rid: tgt for rid, tgt in _REL.findall(rels)}
    targets.update({rid: tgt for tgt, rid in _REL2.findall(rels)})
    out = {}
    for name, rid in _SHEET.findall(wb):
        tgt = targets[rid]
        path = tgt.lstrip("/") if tgt.startswith("/") else "xl/" + tgt
        out[unescape(name, {"&quot;": '"', "&apos;": "'"})] = path
    return out


def _v(value) -> tuple[str, str]:
    """(t attribute, <v> text) of a cached value."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if not math.isfinite(x):
            return ' t="str"', escape(INFEASIBLE)
        return "", repr(x) if x != int(x) or abs(x) >= 1e16 else str(int(x))
    return ' t="str"', escape(str(value))


def inject_cached_values(src: str, dst: str, cache: Mapping[str, Mapping[str, Any]]) -> int:
    """Copy the xlsx ``src`` to ``dst`` with ``<v>`` values in the listed formula cells.

    ``cache`` maps sheet title -> {cell reference: value}. Returns the number of cells
    filled. Raises ``KeyError`` if a listed cell is not a formula cell in the file (so a
    layout change cannot silently leave cells without values).
    """
    filled = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        paths = _sheet_paths(zin)
        by_path = {paths[title]: cells for title, cells in cache.items() if cells}
        for item in zin.infolist():
            data = zin.read(item.filename)
            cells = by_path.get(item.filename)
            if cells:
                seen = set()

                def fill(match):
                    ref, attrs, formula = match.group(1), match.group(2), match.group(3)
                    if ref not in cells:
                        return match.group(0)
                    seen.add(ref)
                    attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
                    t, v = _v(cells[ref])
                    return f'<c r="{ref}"{attrs}{t}><f>{formula}</f><v>{v}</v></c>'

                text = _FORMULA_CELL.sub(fill, data.decode("utf-8"))
                missing = set(cells) - seen
                if missing:
                    raise KeyError(f"not formula cells in {item.filename}: {sorted(missing)[:5]}")
                filled += len(seen)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return filled
