"""One list of components: every consumer takes its rows from the breakdown dataclasses.

A contributor adding a cost (or impact) term adds a field to ``CostBreakdown`` (or
``ImpactBreakdown``) in the core, computes it in the core functions, and gives the workbook
its live formulas (``amspares.workbook.template``: per-S table, (s,Q) block, order sheet /
impact block). Everything else -- the ``evaluate`` table, the JSON, the Results rows, the
per-S table's columns, the (s,Q) block's rows, the situation sheets -- follows.

The ``added`` fixture does exactly that, test-only: a levy of 123 EUR (added) and a rebate of
45 EUR (subtracted) on every cost breakdown, and an offset of 7 mPts on every impact
breakdown, all constant; the workbook formulas for them are the constants. The expected
numbers are the construction itself: each consumer must show the new rows, with those
values, and its rows must add up (with their signs) to the total it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import openpyxl
import pytest

import lo
from amspares.commands.evaluate import format_result
from amspares.core import basestock, costs, evaluate as core_evaluate, impact, mto, sq
from amspares.core.costs import CostBreakdown, component, cost_components
from amspares.core.impact import ImpactBreakdown, impact_components
from amspares.model import evaluate, waiting_time_disagreements
from amspares.scenario import load_scenario, parse_scenario
from amspares.workbook import fill, template
from amspares.workbook.situations import add_situation_sheets, find_table
from amspares.workbook.writer import write_scenario_workbook
from test_workbook_libreoffice import formula_errors, mismatches

LEVY, REBATE, OFFSET = 123.0, 45.0, 7.0


def _constant(value, like):
    """``value`` in the shape of the breakdown's first field (a float for scalar results)."""
    return np.full(np.shape(like), value) if np.ndim(like) else float(value)


@dataclass(frozen=True)
class Levied(CostBreakdown):
    levy: np.ndarray | float = component("LV", "levy", "test term", default=None)
    rebate: np.ndarray | float = component("RB", "rebate", "test term", sign=-1, default=None)

    def __post_init__(self):
        if self.levy is None:
            object.__setattr__(self, "levy", _constant(LEVY, self.downtime))
        if self.rebate is None:
            object.__setattr__(self, "rebate", _constant(REBATE, self.downtime))


@dataclass(frozen=True)
class Offset(ImpactBreakdown):
    offset: np.ndarray | float = component("EO", "offset", "test term", default=None)

    def __post_init__(self):
        if self.offset is None:
            object.__setattr__(self, "offset", _constant(OFFSET, self.material))


@pytest.fixture
def added(monkeypatch):
    """Two cost components and one impact component more, from the core to the workbook."""
    for mod in (costs, basestock, sq, mto, core_evaluate):
        monkeypatch.setattr(mod, "CostBreakdown", Levied)
    for mod in (impact, core_evaluate):
        monkeypatch.setattr(mod, "ImpactBreakdown", Offset)
    for name, value in (("levy", LEVY), ("rebate", REBATE)):
        monkeypatch.setitem(template.PER_S_COST_FORMULAS, name, lambda x, v=value: repr(v))
        monkeypatch.setitem(template.SQ_COST_FORMULAS, name,
                            (f"{name} (test)", lambda x, v=value: f'IF({x.key("moq")}=1,"n/a",{v!r})'))
        monkeypatch.setitem(template.ORDER_COST_FORMULAS, name, (f"{name} (test)", lambda x, v=value: repr(v)))
    monkeypatch.setitem(template.IMPACT_FORMULAS, "offset", ("EO offset (test)", lambda x: repr(OFFSET)))
    assert [c.name for c in cost_components()][-2:] == ["levy", "rebate"]
    assert [c.name for c in impact_components()][-1] == "offset"


def signed(components, value_of):
    return sum(c.sign * value_of(c) for c in components)


# ------------------------------------------------------------------ the core and the JSON


def test_the_list_is_the_dataclass_fields():
    assert [c.name for c in cost_components()] == list(CostBreakdown.__dataclass_fields__)
    assert [c.name for c in impact_components()] == list(ImpactBreakdown.__dataclass_fields__)
    assert [c.sign for c in cost_components()] == [1, 1, 1, 1, 1, 1, -1]     # Eq. 1: TC = ... - B
    assert costs.COST_COMPONENTS == cost_components() and impact.IMPACT_COMPONENTS == impact_components()


def test_added_components_reach_the_json_and_add_up(added):
    r = evaluate(load_scenario())
    for name, m in r["methods"].items():
        assert m["cost"]["levy"] == LEVY and m["cost"]["rebate"] == REBATE, name
        assert m["impact"]["offset"] == OFFSET, name
        assert math.isclose(m["total_cost"], signed(cost_components(), lambda c: m["cost"][c]), rel_tol=1e-12)
        assert math.isclose(m["impact_mpts"], signed(impact_components(), lambda c: m["impact"][c]),
                            rel_tol=1e-12)


# ------------------------------------------------------------------ amspares evaluate


def table_rows(text: str) -> dict[str, list[float]]:
    """{label: [value per method]} of the readable table (labels keep their sign column)."""
    out = {}
    for line in text.splitlines():
        head, body = line[:24], line[24:].split()
        try:
            out[head.strip()] = [float(v.replace(",", "")) for v in body]
        except ValueError:
            continue
    return out


def check_table_adds_up(scenario):
    r = evaluate(scenario, with_saving=True)
    rows = table_rows(format_result(r, waiting_time_disagreements(scenario), scenario))
    k = len(r["methods"])
    total = rows.pop("= total cost (EUR)")
    impact_total = rows.pop("= impact (mPts)")
    cost_rows = {c: rows.get(("- " if c.sign < 0 else "") + c.label, [0.0] * k) for c in cost_components()}
    imp_rows = {c: rows.get(f"{c.label} (mPts)", [0.0] * k) for c in impact_components()}
    for j in range(k):
        # every value is printed to 2 (cost) / 1 (impact) decimals: the sum of the printed rows
        # is within half a unit of the last digit per row of the printed total
        assert abs(signed(cost_components(), lambda c: cost_rows[c][j]) - total[j]) <= 0.005 * (len(cost_rows) + 1)
        assert abs(signed(impact_components(), lambda c: imp_rows[c][j]) - impact_total[j]) \
            <= 0.05 * (len(imp_rows) + 1)
    return cost_rows, imp_rows


def test_evaluate_table_rows_add_up_to_the_total():
    check_table_adds_up(load_scenario())


def test_evaluate_table_shows_added_components(added):
    cost_rows, imp_rows = check_table_adds_up(load_scenario())
    k = len(load_scenario().methods)
    names = {c.name: v for c, v in cost_rows.items()}
    assert names["levy"] == [LEVY] * k and names["rebate"] == [REBATE] * k
    assert {c.name: v for c, v in imp_rows.items()}["offset"] == [OFFSET] * k


# ------------------------------------------------------------------ the workbook (cached values)

ALL_KNOBS = {
    "name": "all knobs on: every optional cost and impact input non-zero",
    "model": {"waiting_time": "erlang_c", "production_rule": "demand", "accepted_q_confidence": 0.99,
              "order_wait": "charged", "service_target": 0.9},
    "demand": {"rate_per_year": 6.0, "service_years": 10.0},                    # n = 60
    "downtime": {"emergency_per_day": 150.0, "regular_per_demand": 25.0, "free_days": 2.0},
    "storage": {"holding_per_part_year": 1.5},
    "part": {"weight_kg": 0.25, "material_mpts_per_kg": 630.0},
    "impact": {"electricity_mpts_per_kwh": 37.0},
    "methods": {
        # (s,Q), several orders: moq 8 <= n = 60
        "regular": {"kind": "stock", "price": 12.0, "production_days": 70, "shipping_days": 20,
                    "inbound_transport_share": 0.1, "outbound_per_part": 5.0, "investment": 2000.0,
                    "benefit_per_part_year": 0.4, "moq": 8, "material_efficiency": 0.8,
                    "process_mpts_per_kg": 44.0, "energy_kwh_per_kg": 1.5, "extra_mpts_per_part": 3.0,
                    "transport_to_factory": [{"mode": "ship", "km": 5000}],
                    "transport_to_warehouse": [{"mode": "truck_40t", "km": 800}],
                    "transport_to_customer": [{"mode": "van", "km": 100}, {"mode": "plane", "km": 1000}]},
        # base stock: moq 1
        "printed": {"kind": "stock", "price": 80.0, "production_days": 3, "shipping_days": 2,
                    "holding_rate_per_year": 0.1,                             # own holding: 8 EUR/part/year
                    "inbound_transport_share": 0.05, "outbound_per_part": 8.0, "investment": 1500.0,
                    "benefit_per_part_year": 0.2, "moq": 1, "material_efficiency": 0.7,
                    "process_mpts_per_kg": 10.0, "energy_kwh_per_kg": 25.0, "extra_mpts_per_part": 12.0,
                    "transport_to_factory": [{"mode": "truck_40t", "km": 300}],
                    "transport_to_warehouse": [{"km": 50, "mpts_per_kg_km": 0.5}],
                    "transport_to_customer": [{"mode": "van", "km": 60}]},
        # (s,Q), one order: moq 200 > n = 60 (left-overs scrapped in CP)
        "bulk": {"kind": "stock", "price": 6.0, "production_days": 90, "shipping_days": 30,
                 "holding_per_part_year": 0.8,                                 # own holding per part
                 "inbound_transport_share": 0.08, "outbound_per_part": 4.0, "investment": 5000.0,
                 "benefit_per_part_year": 0.1, "moq": 200, "material_efficiency": 0.9,
                 "process_mpts_per_kg": 30.0, "energy_kwh_per_kg": 2.0, "extra_mpts_per_part": 1.0,
                 "transport_to_factory": [{"mode": "ship", "km": 12000}],
                 "transport_to_warehouse": [{"mode": "truck_40t", "km": 400}],
                 "transport_to_customer": [{"mode": "van", "km": 80}]},
        # D_o = 2 + 1 days, 1 beyond the 2 free days: the charged order wait
        "hub": {"kind": "order", "price": 95.0, "production_days": 2, "shipping_days": 1.0,
                "outbound_per_part": 6.0,
                "investment": 800.0, "benefit_per_part_year": 0.3, "material_efficiency": 0.6,
                "process_mpts_per_kg": 5.0, "energy_kwh_per_kg": 30.0, "extra_mpts_per_part": 8.0,
                "transport_to_factory": [{"mode": "truck_40t", "km": 200}],
                "transport_to_customer": [{"mode": "van", "km": 40}]},
    },
}

#: Components the model makes zero whatever the inputs (docs/model.md): no stock, no
#: holding or scrapping for make to order; (s,Q) left-overs are paid in CP, not CR.
STRUCTURAL_ZEROS = {("hub", "holding"), ("hub", "scrapping"), ("regular", "scrapping"), ("bulk", "scrapping")}


def test_all_knobs_scenario_turns_every_term_on():
    r = evaluate(parse_scenario(ALL_KNOBS))
    assert [r["methods"][m]["policy"] for m in ("regular", "printed", "bulk", "hub")] == [
        "reorder_point", "base_stock", "one_order", "make_to_order"]
    for m, res in r["methods"].items():
        for c in cost_components():
            assert (res["cost"][c] == 0) == ((m, c.name) in STRUCTURAL_ZEROS), (m, c.name, res["cost"][c])
        for c in impact_components():
            assert res["impact"][c] > 0, (m, c.name)


def rows_by_label(ws, col="A"):
    """{label: first row with it} of a column."""
    out = {}
    for r in range(1, ws.max_row + 1):
        if ws[f"{col}{r}"].value is not None:
            out.setdefault(ws[f"{col}{r}"].value, r)
    return out


def check_workbook(wb, cache, scenario, extra_cost=(), extra_impact=()):
    """Every component-listing area of the workbook has one row/column per component, and its
    cached values add up to the cached total."""
    r = evaluate(scenario)
    comps, imps = cost_components(), impact_components()
    # Results: a row per component, live and Python columns, adding up to the total row
    res = wb["Results"]
    labels = rows_by_label(res)
    for j, method in enumerate(scenario.methods):
        live = openpyxl.utils.get_column_letter(3 + j * 2)
        value = lambda label: cache["Results"][f"{live}{labels[label]}"]  # noqa: E731
        for c in comps:
            label = f"  {c.label} {c.symbol}" + (" (subtracted)" if c.sign < 0 else "")
            assert math.isclose(value(label), r["methods"][method]["cost"][c], rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(signed(comps, lambda c: value(f"  {c.label} {c.symbol}" + (
            " (subtracted)" if c.sign < 0 else ""))), value("total cost TC"), rel_tol=1e-12)
        assert math.isclose(signed(imps, lambda c: value(f"  {c.label} {c.symbol}")), value("impact ETC"),
                            rel_tol=1e-12)
        for name, v in extra_cost:
            assert value(next(lb for lb in labels if lb.strip().startswith(name + " "))) == v
        for name, v in extra_impact:
            assert value(f"  {name} EO") == v
        ws = wb[template.model_sheet_title(method)]
        c = cache[ws.title]
        if scenario.methods[method] == "order":
            sheet = rows_by_label(ws)
            for name, v in extra_cost:
                assert c[f"B{sheet[name + ' (test)']}"] == v
            continue
        # per-S table: a column per component; each row's total is their signed sum
        cols = {f: col for col, _h, f in template.table_columns()}
        assert [f for _c, _h, f in template.table_columns()][7:] == [
            *comps, "total", *(f for _h, f in template.SERVICE_TABLE_COLUMNS)]
        t0 = next(row for row in range(1, ws.max_row) if ws[f"A{row}"].value == 0)
        assert ws[f"{cols['total']}{t0 - 1}"].value == "TC total"
        for name, _v in extra_cost:
            assert ws[f"{cols[name]}{t0 - 1}"].value.endswith(name)
        for S in range(0, 40):
            total = c[f"{cols['total']}{t0 + S}"]
            if isinstance(total, float):
                assert math.isclose(signed(comps, lambda k: c[f"{cols[k]}{t0 + S}"]), total, rel_tol=1e-12)
            for name, v in extra_cost:
                assert c[f"{cols[name]}{t0 + S}"] == v
        # (s,Q) block: a row per component from row 16; the total row is their signed sum
        keys = [k for k, _l in template.sq_live_rows()]
        at = {k: f"B{template.SQ_FIRST_ROW + i}" for i, k in enumerate(keys)}
        assert keys[-1 - len(comps):-1] == list(comps)
        if scenario.inputs()[f"methods.{method}.moq"] > 1:
            assert math.isclose(signed(comps, lambda k: c[at[k]]), c[at["total"]], rel_tol=1e-12)
            for name, v in extra_cost:
                assert c[at[name]] == v
    return r


def test_workbook_rows_come_from_the_list():
    sc = parse_scenario(ALL_KNOBS)
    wb, cache = template.build_template(sc)
    check_workbook(wb, cache, sc)


def test_workbook_shows_added_components(added):
    sc = parse_scenario(ALL_KNOBS)
    wb, cache = template.build_template(sc)
    check_workbook(wb, cache, sc, extra_cost=(("levy", LEVY), ("rebate", REBATE)),
                   extra_impact=(("offset", OFFSET),))
    assert fill.result_rows() != fill.RESULT_ROWS            # the module constant is the shipped list


def test_a_component_without_a_workbook_formula_is_an_error(added, monkeypatch):
    monkeypatch.delitem(template.PER_S_COST_FORMULAS, "levy")
    with pytest.raises(KeyError, match="no formula for the component 'levy' in the per-S table"):
        template.build_template(parse_scenario(ALL_KNOBS))


# ------------------------------------------------------------------ the situation sheets


def test_situation_sheets_show_added_components(added):
    from amspares.commands.scenario import study_json

    study = study_json(load_scenario())
    wb = openpyxl.Workbook()
    add_situation_sheets(wb, study)
    ws = wb["Base comparison"]
    grid = [[c.value for c in row] for row in ws[find_table(ws, "cost_breakdown")]]
    head = grid[0]
    for row in grid[1:]:
        v = dict(zip(head, row))
        assert v["levy"] == LEVY and v["rebate"] == REBATE
        assert math.isclose(signed(cost_components(), lambda c: v[c]), v["total_cost"], rel_tol=1e-12)
    chart = next(ch for ch in ws._charts if ch.tagname == "barChart")
    assert len(chart.series) == sum(1 for c in cost_components() if c.sign > 0)   # the levy stacks
    env = wb["Environment"]
    grid = [[c.value for c in row] for row in env[find_table(env, "impact_breakdown")]]
    for row in grid[1:]:
        v = dict(zip(grid[0], row))
        assert v["offset"] == OFFSET
        assert math.isclose(signed(impact_components(), lambda c: v[c]), v["impact_mpts"], rel_tol=1e-12)


# ------------------------------------------------------------------ LibreOffice recalculation


def recalculated(scenario, tmp_path):
    path = write_scenario_workbook(scenario, None, tmp_path / "knobs.xlsx")
    _wb, cache = template.build_template(scenario)
    out = lo.recalculate(path, tmp_path / "out")
    return openpyxl.load_workbook(out, data_only=True), cache


def test_all_knobs_on_recalculates_in_libreoffice_to_python(tmp_path):
    """Every live cost and impact cell, LibreOffice against the core, to 1e-9: a term some
    formula drops is caught, since every optional input is non-zero."""
    sc = parse_scenario(ALL_KNOBS)
    wb, cache = recalculated(sc, tmp_path)
    assert formula_errors(wb) == []
    assert mismatches(wb, cache, abs_tol=1e-9) == []
    check_workbook(wb, {t: {ref: wb[t][ref].value for ref in cells} for t, cells in cache.items()}, sc)


def test_added_components_recalculate_in_libreoffice(added, tmp_path):
    sc = parse_scenario(ALL_KNOBS)
    wb, cache = recalculated(sc, tmp_path)
    assert formula_errors(wb) == []
    assert mismatches(wb, cache, abs_tol=1e-9) == []
    live = {t: {ref: wb[t][ref].value for ref in cells} for t, cells in cache.items()}
    check_workbook(wb, live, sc, extra_cost=(("levy", LEVY), ("rebate", REBATE)),
                   extra_impact=(("offset", OFFSET),))
