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
from amspares.workbook import fill
from amspares.workbook.cached import inject_cached_values
from amspares.workbook.template import SQ_STALE, build_template
from amspares.workbook.writer import write_scenario_workbook

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    pytest.fail("LibreOffice (soffice) is required for these tests; run tests/run.sh", pytrace=False)

RESULT_FIELDS = ("S", "total_cost", "impact_mpts")


def close(a, b, rel=1e-9, abs_=1e-12):
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
    # spec section 8: TC = 1735.71 at S* = 5
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


def test_results_equal_amspares_evaluate_and_the_spec(case):
    wb = case["recalc"]
    r = evaluate(case["scenario"])
    for m, res in r["methods"].items():
        for f in RESULT_FIELDS:
            assert close(value_at(wb, f"result_{m}_{f}"), res[f]), (m, f)
    assert value_at(wb, "result_cheapest") == r["cheapest"] == "regular"          # spec section 8
    assert value_at(wb, "result_lowest_impact") == r["lowest_impact"]
    assert value_at(wb, "result_regular_S") == 5                                  # spec section 8
    assert value_at(wb, "result_am_mto_total_cost") == 10800                      # spec section 8


def test_erlang_c_cell_matches_the_spec_reference(case):
    # spec section 8: Ec(5, 2*86/365) = 0.00013345406250 (confirmed with mpmath in
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
    backend.write("methods_am_mts_moq", 40)     # (s,Q): not live; the sheet must say so
    wb.save(d / "edited.xlsx")
    out = lo.recalculate(d / "edited.xlsx", d / "out_edited")
    sc = case["scenario"].with_values({"downtime.emergency_per_day": 0, "model.waiting_time": "exact",
                                       "methods.am_mts.moq": 40})
    return {"wb": openpyxl.load_workbook(out, data_only=True), "scenario": sc}


def test_edited_inputs_recalculate_to_amspares_evaluate(edited):
    wb = edited["wb"]
    assert formula_errors(wb) == []
    r = evaluate(edited["scenario"])
    for m, res in r["methods"].items():
        if m == "am_mts":      # moq 40: (s,Q) numbers come from amspares, not from formulas
            assert value_at(wb, "result_am_mts_total_cost") == SQ_STALE
            assert value_at(wb, "result_am_mts_impact_mpts") == SQ_STALE
            continue
        for f in RESULT_FIELDS:
            assert close(value_at(wb, f"result_{m}_{f}"), res[f]), (m, f, value_at(wb, f"result_{m}_{f}"), res[f])
    assert value_at(wb, "result_cheapest") == r["cheapest"]
    # hand calculation: with no downtime cost S* = 0 and regular TC = 60*15*(1 + 0.08)
    # + 60*10 = 1572 (whatever the waiting-time model)
    assert value_at(wb, "result_regular_S") == 0
    assert close(value_at(wb, "result_regular_total_cost"), 1572.0)


# ---------------------------------------------------------------- every other path

VARIANT = {
    "name": "variant: table names, volume holding, (s,Q), exact wait, portfolio rule",
    "model": {"waiting_time": "exact", "production_rule": "max_demand_stock"},
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
