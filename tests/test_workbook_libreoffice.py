"""The emailed workbook recalculated by a real spreadsheet engine (headless LibreOffice).

LibreOffice is forced to recalculate every formula on load (tests/lo.py). Each formula's
result must equal the value amspares computed for it with the core (the cached value the
file carries) to 1e-9 relative; the result cells must equal ``amspares evaluate`` for the
same inputs, including after a recipient edits inputs. LibreOffice runs are shared by
module-scoped fixtures (each run costs seconds).
"""

from __future__ import annotations

import math
import shutil

import openpyxl
import pytest

import lo
from amspares.model import evaluate
from amspares.scenario import load_scenario, parse_scenario
from amspares.workbook import fill, stale
from amspares.workbook.cached import inject_cached_values
from amspares.workbook.template import build_template, sq_table_letters, table_columns
from amspares.workbook.writer import write_scenario_workbook

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    pytest.fail("LibreOffice (soffice) is required for these tests; run tests/run.sh", pytrace=False)

RESULT_FIELDS = ("S", "total_cost", "impact_mpts")
NAMES = {"S": "S", "total_cost": "total_cost", "impact_mpts": "impact_mpts", "s": "reorder_point"}


def assert_results_equal_evaluate(wb, scenario):
    """Every result cell (S, s, TC, impact; cheapest, greenest) == amspares evaluate."""
    r = evaluate(scenario)
    for m, res in r["methods"].items():
        for f, name in NAMES.items():
            if m == "am_mto" and f == "s":
                continue                          # an order method has no reorder-point name
            got, want = value_at(wb, f"result_{m}_{name}"), res[f]
            assert close(got, "n/a" if want is None else want), (m, f, got, want)
    assert value_at(wb, "result_cheapest") == r["cheapest"]
    assert value_at(wb, "result_lowest_impact") == r["lowest_impact"]
    return r


def close(a, b, rel=1e-9, abs_=1e-12):
    if b == "" and a is None:        # an empty-text formula result (an unused (s,Q) table row)
        return True
    if isinstance(b, str) or isinstance(a, str) or a is None or b is None:
        return a == b
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


def value_at(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def mismatches(recalculated, cache, abs_tol=1e-12):
    bad = []
    for sheet, cells in cache.items():
        ws = recalculated[sheet]
        for ref, expected in cells.items():
            got = ws[ref].value
            if not close(got, expected, abs_=abs_tol):
                bad.append((sheet, ref, got, expected))
    return bad


def edited_cache(cache, scenario, edited_keys):
    """The cached values of a workbook built for ``scenario``, as a file written for other
    inputs and then edited (``edited_keys``) must show them: every formula the same, but the
    stale marks (amspares.workbook.stale) say the blue cells were computed for other inputs,
    and the rows of exactly the edited keys differ."""
    out = {sheet: dict(cells) for sheet, cells in cache.items()}
    keys = stale.input_keys(scenario)
    out["Results"]["A4"] = out[stale.SHEET]["B3"] = stale.STALE
    for k in edited_keys:
        out[stale.SHEET][f"C{stale.FIRST + keys.index(k)}"] = False
    return out


def formula_errors(wb):
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if isinstance(c.value, str) and c.value.startswith("#")
            and c.value.rstrip("!?0/").upper() in ("#VALUE", "#REF", "#NAME", "#N/A", "#NUM", "#DIV", "#NULL")]


# ---------------------------------------------------------------- the case study as emailed

CORRUPT = (("Results", "result_regular_total_cost"), ("Model regular", "B75"), ("Inputs", None))


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    d = tmp_path_factory.mktemp("lo_case")
    sc = load_scenario()
    emailed = write_scenario_workbook(sc, None, d / "emailed.xlsx")
    wb, cache = build_template(sc)
    # a test copy whose cached values are deliberately wrong in some cells: if LibreOffice
    # really recalculates, they come back right
    wb.save(d / "plain.xlsx")
    corrupted_cache = {s: dict(c) for s, c in cache.items()}
    (sheet, ref), = list(wb.defined_names["result_regular_total_cost"].destinations)
    corrupted_cache[sheet][ref.replace("$", "")] = 999.0
    corrupted_cache["Model regular"]["B75"] = -1.0            # Erlang B at S = 5
    inject_cached_values(d / "plain.xlsx", d / "corrupted.xlsx", corrupted_cache)
    recalc = lo.recalculate(d / "corrupted.xlsx", d / "out")
    return {"scenario": sc, "emailed": emailed, "cache": cache, "corrupted": d / "corrupted.xlsx",
            "recalc": openpyxl.load_workbook(recalc, data_only=True), "dir": d}


def test_recalculation_really_happened(case):
    stale = openpyxl.load_workbook(case["corrupted"], data_only=True)
    assert value_at(stale, "result_regular_total_cost") == 999.0
    assert stale["Model regular"]["B75"].value == -1.0
    # docs/model.md section 8: TC = 1735.71 at S* = 5
    assert round(value_at(case["recalc"], "result_regular_total_cost"), 2) == 1735.71
    assert close(case["recalc"]["Model regular"]["B75"].value, case["cache"]["Model regular"]["B75"])


def test_every_formula_evaluates_without_error(case):
    assert formula_errors(case["recalc"]) == []


def test_every_formula_equals_the_core_value_and_the_cached_value(case):
    # LibreOffice's value == amspares' (core) value for every formula cell
    assert mismatches(case["recalc"], case["cache"]) == []
    # ... and the emailed file carries exactly those values as cached values
    cached = openpyxl.load_workbook(case["emailed"], data_only=True)
    assert mismatches(cached, case["cache"], abs_tol=0.0) == []


def test_results_equal_amspares_evaluate_and_the_model(case):
    wb = case["recalc"]
    r = evaluate(case["scenario"])
    for m, res in r["methods"].items():
        for f in RESULT_FIELDS:
            assert close(value_at(wb, f"result_{m}_{f}"), res[f]), (m, f)
    assert value_at(wb, "result_cheapest") == r["cheapest"] == "regular"          # docs/model.md section 8
    assert value_at(wb, "result_lowest_impact") == r["lowest_impact"]
    assert value_at(wb, "result_regular_S") == 5                                  # docs/model.md section 8
    assert value_at(wb, "result_am_mto_total_cost") == 10800                      # docs/model.md section 8


def test_erlang_c_cell_matches_the_spec_reference(case):
    # docs/model.md section 8: Ec(5, 2*86/365) = 0.00013345406250 (confirmed with mpmath in
    # test_workbook_template.py), given to 14 decimals; row 70 is S = 0, so S = 5 is row 75
    assert round(case["recalc"]["Model regular"]["C75"].value, 14) == 0.00013345406250


# ---------------------------------------------------------------- a recipient edits inputs

@pytest.fixture(scope="module")
def edited(case):
    d = case["dir"]
    wb = openpyxl.load_workbook(case["emailed"])
    backend = fill.OpenpyxlBackend(wb)
    backend.write("downtime_emergency_per_day", 0)
    backend.write("model_waiting_time", "exact")
    backend.write("methods_am_mts_moq", 40)     # (s,Q), several orders: live formulas too
    wb.save(d / "edited.xlsx")
    out = lo.recalculate(d / "edited.xlsx", d / "out_edited")
    sc = case["scenario"].with_values({"downtime.emergency_per_day": 0, "model.waiting_time": "exact",
                                       "methods.am_mts.moq": 40})
    return {"wb": openpyxl.load_workbook(out, data_only=True), "scenario": sc}


def test_edited_inputs_recalculate_to_amspares_evaluate(edited):
    wb = edited["wb"]
    assert formula_errors(wb) == []
    r = evaluate(edited["scenario"])
    assert r["methods"]["am_mts"]["policy"] == "reorder_point"         # moq 40 <= n = 60
    assert_results_equal_evaluate(wb, edited["scenario"])                  # s* from the live table
    # hand calculation: with no downtime cost S* = 0 and regular TC = 60*15*(1 + 0.08)
    # + 60*10 = 1572 (whatever the waiting-time model)
    assert value_at(wb, "result_regular_S") == 0
    assert close(value_at(wb, "result_regular_total_cost"), 1572.0)


# ---------------------------------------------------------------- the live (s,Q) policy

@pytest.fixture(scope="module")
def sq(tmp_path_factory):
    """Regular with moq = 40 (several orders) as written by amspares, recalculated; then the
    same file after a recipient types moq = 100 (one order) and moq = 1 (base stock)."""
    d = tmp_path_factory.mktemp("lo_sq")
    sc = load_scenario().with_values({"methods.regular.moq": 40})
    path = write_scenario_workbook(sc, None, d / "moq40.xlsx")
    runs = {40: (sc, path)}
    for moq in (100, 1):
        wb = openpyxl.load_workbook(path)
        fill.OpenpyxlBackend(wb).write("methods_regular_moq", moq)
        wb.save(d / f"moq{moq}.xlsx")
        runs[moq] = (sc.with_values({"methods.regular.moq": moq}), d / f"moq{moq}.xlsx")
    out = {}
    for moq, (scenario, p) in runs.items():
        wb, cache = build_template(scenario)
        if moq != 40:                        # typed by a recipient: the blue cells are for moq 40
            cache = edited_cache(cache, scenario, ["methods.regular.moq"])
        out[moq] = {"scenario": scenario, "cache": cache, "layout": _layout(wb),
                    "wb": openpyxl.load_workbook(lo.recalculate(p, d / f"out{moq}"), data_only=True)}
    return out


def _layout(wb):
    return {ws.title: (ws.max_row, ws.max_column) for ws in wb.worksheets}


@pytest.mark.parametrize("moq", [40, 100, 1])
def test_sq_every_formula_equals_the_core_value_after_moq_edits(sq, moq):
    run = sq[moq]
    wb = run["wb"]
    assert formula_errors(wb) == []
    # the edited file has the layout amspares would write for the edited scenario, so its
    # cached values (from the core) are the expected value of every cell
    assert run["layout"] == sq[40]["layout"]
    assert mismatches(wb, run["cache"]) == []
    assert_results_equal_evaluate(wb, run["scenario"])


def test_sq_several_orders_reorder_point_from_the_table(sq):
    wb = sq[40]["wb"]
    ws = wb["Model regular"]
    assert ws["B16"].value == "several orders"                 # moq 40 <= n = 60 (docs/model.md section 3.2)
    # s* = 3: brute-force X-by-U summation in test_workbook_template.py
    assert value_at(wb, "result_regular_reorder_point") == 3 == ws["B23"].value
    # Eq. 18: billed = ceil(60/40) * 40 = 80 parts, CP = 80 * 15 = 1200
    assert ws["B25"].value == 80 and ws["B29"].value == 1200
    # the table's rows stop at s_hi = ceil(u + 12 sqrt(u) + 12) = 21 for u = 2*86/365
    R = sq_table_letters()["s"]
    s_values = [ws[f"{R}{r}"].value for r in range(70, 70 + 70)]
    assert s_values[0] == -40 and s_values[61] == 21 and s_values[62] is None


def test_sq_one_order_after_editing_moq_to_100(sq):
    wb = sq[100]["wb"]
    ws = wb["Model regular"]
    assert ws["B16"].value == "one order"
    # docs/model.md section 3.2 and section 8: shipped = min(100, accepted_q = 85) = 85, billed = 100
    assert value_at(wb, "model_accepted_q") == 85
    assert ws["B25"].value == 100 and ws["B26"].value == 85
    assert value_at(wb, "result_regular_reorder_point") == "n/a"
    # Eq. 28-30 by hand: E[OH] = 85 - 60/2 = 55, CH = 55 * 0.45 * 30 = 742.5, CD = 0,
    # CP = 100 * 15 = 1500, CTr = 85 * 15 * 0.08 + 60 * 10 = 702; TC = 2944.5
    assert close(ws["B22"].value, 55.0) and close(ws["B28"].value, 742.5)
    assert close(value_at(wb, "result_regular_total_cost"), 742.5 + 1500 + 702)


def test_sq_back_to_base_stock_after_editing_moq_to_1(sq):
    wb = sq[1]["wb"]
    # docs/model.md section 8: S* = 5, TC = 1735.71
    assert value_at(wb, "result_regular_S") == 5
    assert round(value_at(wb, "result_regular_total_cost"), 2) == 1735.71
    assert wb["Model regular"]["B16"].value == "base stock (moq = 1)"
    assert wb["Model regular"][f"{sq_table_letters()['s']}70"].value is None     # no (s,Q) table


# ---------------------------------------------------------------- every other path

VARIANT = {
    "name": "variant: table names, volume holding, (s,Q), exact wait, portfolio rule",
    "model": {"waiting_time": "exact", "production_rule": "max_demand_stock", "order_wait": "charged"},
    "demand": {"rate_per_year": 0.7, "service_years": 12.0},
    "downtime": {"emergency_per_day": 40.0, "regular_per_demand": 12.0},
    "storage": {"volume_cost_per_m3": 180.0, "package_m3": 0.002},
    "part": {"weight_kg": 0.4, "material": "ABS"},
    "impact": {"electricity_mpts_per_kwh": 37.0},
    "methods": {
        "regular": {"kind": "stock", "price": 9.0, "production_days": 60, "shipping_days": 20,
                    "inbound_transport_share": 0.05, "outbound_per_part": 8.0, "moq": 4,
                    "investment": 3000.0, "process": "injection_moulding_pe_pp_ps_abs",
                    "material_efficiency": 0.9,
                    "transport_to_factory": [{"mode": "ship", "km": 12000}],
                    "transport_to_warehouse": [{"mode": "truck_40t", "km": 800},
                                               {"km": 50, "mpts_per_kg_km": 0.5}],
                    "transport_to_customer": [{"mode": "van", "km": 60}]},
        "printed": {"kind": "stock", "price": 60.0, "production_days": 3, "shipping_days": 2,
                    "inbound_transport_share": 0.1, "outbound_per_part": 8.0,
                    "benefit_per_part_year": 0.5, "am_machine": "fdm_300mc",
                    "material_efficiency": 0.7, "extra_mpts_per_part": 15.0,
                    "transport_to_customer": [{"mode": "plane", "km": 700}]},
        "hub": {"kind": "order", "price": 70.0, "production_days": 2, "outbound_per_part": 3.0,
                "am_machine": "sls_eosint_p390", "material_efficiency": 0.6},
    },
}


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    d = tmp_path_factory.mktemp("lo_variant")
    sc = parse_scenario(VARIANT)
    path = write_scenario_workbook(sc, None, d / "variant.xlsx")
    _wb, cache = build_template(sc)
    out = lo.recalculate(path, d / "out")
    return {"scenario": sc, "cache": cache, "wb": openpyxl.load_workbook(out, data_only=True),
            "path": path}


def test_variant_every_formula_equals_the_core_value(variant):
    wb = variant["wb"]
    assert formula_errors(wb) == []
    # The exact wait in the sheet is u(1 - F(S-1)) - S(1 - F(S)), which cancels to rounding
    # noise once F(S) rounds to 1 (the core uses the Poisson tail directly): those cells
    # are ~1e-16 in absolute terms, so an absolute floor of 1e-9 EUR/years is allowed.
    assert mismatches(wb, variant["cache"], abs_tol=1e-9) == []


def test_variant_results_equal_amspares_evaluate(variant):
    wb = variant["wb"]
    r = evaluate(variant["scenario"])
    assert r["methods"]["regular"]["policy"] == "reorder_point"       # moq 4 <= n = 8.4
    for m, res in r["methods"].items():
        for f in RESULT_FIELDS:
            got = value_at(wb, f"result_{m}_{f}")
            want = res[f] if res[f] is not None else "n/a"
            assert close(got, want), (m, f, got, want)
    assert value_at(wb, "result_cheapest") == r["cheapest"]
    assert value_at(wb, "result_lowest_impact") == r["lowest_impact"]


def test_variant_reads_back_as_the_same_scenario(variant):
    wb = openpyxl.load_workbook(variant["path"])
    back = fill.read_scenario(fill.OpenpyxlBackend(wb))
    assert back.to_mapping() == variant["scenario"].to_mapping()


# ---------------------------------------------------------------- model version 2

def v2_scenario():
    """The case study under the version-2 defaults (waiting_time "exact", order wait
    "charged": not given), with a 3-day free window, holding as a rate of 25 % of each
    method's price, a service target of 0.95, a cheap downtime (2 EUR/day, so that the
    target binds for am_mts) and a minimum order quantity of 20 for regular ((s,Q), several
    orders: the window reaches the (s,Q) table too)."""
    data = load_scenario().to_mapping()
    data["name"] = "v2: exact, charged, free window 3 days, holding rate 25 %, service target 0.95"
    for key in ("waiting_time", "order_wait"):
        data["model"].pop(key, None)
    data["model"]["service_target"] = 0.95
    data["downtime"].update(free_days=3.0, emergency_per_day=2.0)
    data["storage"] = {"holding_rate_per_year": 0.25}
    data["methods"]["regular"]["moq"] = 20
    return parse_scenario(data)


SERVICE = ("fill_rate", "on_time_rate", "mean_wait_days", "meets_service_target")


def assert_service_equal_evaluate(wb, scenario):
    """The service rows, the waiting-time model and the order-wait rule == amspares evaluate."""
    r = evaluate(scenario)
    for m, res in r["methods"].items():
        for f in SERVICE:
            want = {True: "yes", False: "no", None: "n/a"}.get(res[f], res[f]) if f == SERVICE[-1] else res[f]
            got = value_at(wb, f"result_{m}_{f}")
            assert close(got, want), (m, f, got, want)
    assert value_at(wb, "result_waiting_time") == r["waiting_time"]
    assert value_at(wb, "result_order_wait") == r["order_wait"]
    return r


@pytest.fixture(scope="module")
def v2(tmp_path_factory):
    """The v2 scenario as emailed, recalculated; then the same file after a recipient types
    free_days = 10 and order_wait = "free" in the Inputs sheet."""
    d = tmp_path_factory.mktemp("lo_v2")
    sc = v2_scenario()
    path = write_scenario_workbook(sc, None, d / "v2.xlsx")
    wb = openpyxl.load_workbook(path)
    backend = fill.OpenpyxlBackend(wb)
    backend.write("downtime_free_days", 10)
    backend.write("model_order_wait", "free")
    wb.save(d / "edited.xlsx")
    edited = sc.with_values({"downtime.free_days": 10, "model.order_wait": "free"})
    out = {}
    for key, scenario, p in (("emailed", sc, path), ("edited", edited, d / "edited.xlsx")):
        built, cache = build_template(scenario)
        if key == "edited":
            cache = edited_cache(cache, scenario, ["downtime.free_days", "model.order_wait"])
        out[key] = {"scenario": scenario, "cache": cache, "layout": _layout(built),
                    "wb": openpyxl.load_workbook(lo.recalculate(p, d / f"out_{key}"), data_only=True)}
    return out


@pytest.mark.parametrize("run", ["emailed", "edited"])
def test_v2_every_formula_equals_the_core_value(v2, run):
    r = v2[run]
    wb = r["wb"]
    assert formula_errors(wb) == []
    assert r["layout"] == v2["emailed"]["layout"]     # the edit needs no other layout
    # the exact wait's 1 - POISSON cancels to ~1e-16 where the CDF rounds to 1 (as in the
    # variant below): an absolute floor of 1e-9 is allowed
    assert mismatches(wb, r["cache"], abs_tol=1e-9) == []
    assert_results_equal_evaluate(wb, r["scenario"])
    assert_service_equal_evaluate(wb, r["scenario"])


def test_v2_defaults_window_rate_and_target_by_hand(v2):
    wb = v2["emailed"]["wb"]
    r = assert_service_equal_evaluate(wb, v2["emailed"]["scenario"])
    assert (r["waiting_time"], r["order_wait"]) == ("exact", "charged")        # the v2 defaults
    assert (value_at(wb, "result_waiting_time"), value_at(wb, "result_order_wait")) == ("exact", "charged")
    # holding as a rate: h_item = 0.25 x price (15 and 175 EUR)
    assert close(wb["Model regular"]["B8"].value, 3.75) and close(wb["Model am_mts"]["B8"].value, 43.75)
    # am_mto, order wait charged: D_o = 7 days, 4 beyond the 3-day window:
    # CD = 60 x 2 x 4 = 480; TC = 480 + 60 x 175 + 60 x 5 = 11280; on time 0 (7 > 3)
    assert close(value_at(wb, "result_am_mto_total_cost"), 11280.0)
    assert value_at(wb, "result_am_mto_on_time_rate") == 0
    assert value_at(wb, "result_am_mto_meets_service_target") == "no"
    # am_mts (L = 11 days): without stock no demand is on time (11 > 3 days); S = 1 is on time
    # unless another demand came in the last 11 - 3 = 8 days: exp(-2 x 8/365) = 0.9571 >= 0.95.
    ws = wb["Model am_mts"]
    col = {f: c for c, _h, f in table_columns()}
    assert ws[f"{col['on_time_rate']}70"].value == 0
    assert close(ws[f"{col['on_time_rate']}71"].value, math.exp(-2 * 8 / 365))
    # the target binds: S = 0 is cheaper in the table (CD = 60 x 2 x 8 = 960 EUR of waiting
    # beyond the window, against 43.75 x 30 = 1312.5 EUR of holding one part), yet S* = 1
    assert ws[f"{col['total']}70"].value < ws[f"{col['total']}71"].value
    assert ws[f"{col['total_target']}70"].value == "below target"
    assert value_at(wb, "result_am_mts_S") == 1
    assert value_at(wb, "result_am_mts_meets_service_target") == "yes"


def test_v2_recipient_edits_free_days_and_order_wait(v2):
    wb = v2["edited"]["wb"]
    r = assert_service_equal_evaluate(wb, v2["edited"]["scenario"])
    assert value_at(wb, "result_order_wait") == "free"
    # order wait free: am_mto pays no waiting, TC = 60 x 175 + 60 x 5 = 10800 (version 1);
    # D_o = 7 <= 10 free days: on time
    assert close(value_at(wb, "result_am_mto_total_cost"), 10800.0)
    assert value_at(wb, "result_am_mto_on_time_rate") == 1
    assert value_at(wb, "result_am_mto_meets_service_target") == "yes"
    assert value_at(wb, "result_cheapest") == r["cheapest"]


# ---------------------------------------------------------------- the tie rule, live

@pytest.mark.parametrize("changes, expected_cheapest", [
    # zero demand: every method costs its fixed part only (0 here); the order method wins the
    # tie (docs/model.md section 3.5), not the first declared
    ({"demand.rate_per_year": 0.0}, "am_mto"),
    # an exact cost tie between regular and am_mto (am_mto priced at regular's total / n,
    # no outbound difference): the lower impact (regular) wins
    (None, "regular"),
])
def test_live_cheapest_follows_the_tie_rule(tmp_path, changes, expected_cheapest):
    sc = load_scenario()
    if changes is None:
        r0 = evaluate(sc)
        n = r0["n"]
        regular = r0["methods"]["regular"]["total_cost"]
        # am_mto total = n * (price + outbound) with order_wait "free" and cd = 0 (docs/model.md 3.3)
        price = regular / n - float(sc["methods.am_mto.outbound_per_part"])
        changes = {"methods.am_mto.price": price}
    sc = sc.with_values(changes)
    r = evaluate(sc)
    assert r["cheapest"] == expected_cheapest
    path = write_scenario_workbook(sc, None, tmp_path / "tie.xlsx")
    wb, cache = build_template(sc)
    recalc = openpyxl.load_workbook(lo.recalculate(path, tmp_path / "out"), data_only=True)
    assert value_at(recalc, "result_cheapest") == expected_cheapest
    assert value_at(recalc, "result_lowest_impact") == r["lowest_impact"]
    assert mismatches(recalc, {"Results": cache["Results"]}) == []
