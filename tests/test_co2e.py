"""Climate impact in kg CO2e beside Eco-indicator 99 (issue 16; docs/model.md sections 2.5, 4, 6).

Expected numbers come from the hand derivation in docs/data-notes/case_study_co2e_expected.py
(exact rational arithmetic on the cited factors, no amspares import), or are derived in the
test from the equations of docs/model.md section 4.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amspares import cli, factors
from amspares.binding import bind
from amspares.core.evaluate import evaluate as evaluate_params
from amspares.errors import ScenarioError
from amspares.model import evaluate
from amspares.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HAND = ROOT / "docs" / "data-notes" / "case_study_co2e_expected.py"


def hand_derivation():
    spec = importlib.util.spec_from_file_location("case_study_co2e_expected", HAND)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def case():
    return evaluate(load_scenario(), spec_only=True)


def test_case_study_matches_the_hand_derivation(case):
    hand = hand_derivation()
    for method in ("regular", "am_mts", "am_mto"):
        exp = hand.impact(method, hand.PA_KGCO2E, hand.NL_KGCO2E_PER_KWH, hand.T)
        got = case["methods"][method]
        assert got["impact_kgco2e"] == pytest.approx(float(exp["total"]), rel=1e-12), method
        for part in ("material", "process", "transport", "extra"):
            assert got["impact_co2e"][part] == pytest.approx(float(exp[part]), rel=1e-12, abs=1e-12), (method, part)
    # the totals printed in docs/data-notes/case_study_co2e_expected.md
    assert case["methods"]["regular"]["impact_kgco2e"] == pytest.approx(230.800987229875, rel=1e-13)
    assert case["methods"]["am_mts"]["impact_kgco2e"] == pytest.approx(Fraction(11510719603, 30000000), rel=1e-13)
    assert case["methods"]["am_mto"]["impact_kgco2e"] == pytest.approx(363.631663, rel=1e-13)
    assert case["lowest_impact_co2e"] == "regular" and case["lowest_impact"] == "regular"
    assert case["notes"] == []


def test_the_mpts_result_is_unchanged(case):
    # docs/model.md section 8: regular 18913.75 mPts
    assert case["methods"]["regular"]["impact_mpts"] == pytest.approx(18913.75, abs=1e-9)


def test_a_missing_material_factor_gives_null_and_a_note_not_zero():
    sc = load_scenario().with_values({"part.material_kgco2e_per_kg": None})
    r = evaluate(sc)
    for name, m in r["methods"].items():
        assert m["impact_kgco2e"] is None and m["impact_co2e"] is None, name
        assert m["impact_mpts"] > 0                         # the other indicator is still there
    assert r["lowest_impact_co2e"] is None and r["lowest_impact"] == "regular"
    assert any("part.material_kgco2e_per_kg is missing" in n for n in r["notes"])


def test_a_material_name_without_an_open_value_names_the_table_row():
    sc = load_scenario().with_values({"part.material": "PA", "part.material_kgco2e_per_kg": None})
    r = evaluate(sc)
    assert r["lowest_impact_co2e"] is None
    note = next(n for n in r["notes"] if "part.material_kgco2e_per_kg" in n)
    assert "materials PA: no openly licensed kg CO2e value" in note and "9.14" in note


def test_one_method_missing_leaves_the_others_and_picks_among_them():
    sc = load_scenario().with_values({"methods.regular.process_kgco2e_per_kg": None})
    r = evaluate(sc)
    assert r["methods"]["regular"]["impact_kgco2e"] is None
    assert r["methods"]["am_mto"]["impact_kgco2e"] == pytest.approx(363.631663, rel=1e-13)
    assert r["lowest_impact_co2e"] == "am_mto"       # greenest among the methods that have the value
    assert any("methods.regular.process_kgco2e_per_kg is missing" in n
               and "process_mpts_per_kg is given" in n for n in r["notes"])
    assert any(n.startswith("kg CO2e not computed for regular (a climate factor is missing)") for n in r["notes"])


def test_zero_defaults_only_where_the_eco_indicator_value_is_zero_too():
    sc = load_scenario()
    inputs = sc.inputs()
    # am_mto gives no process and no extra impact in either indicator: both 0
    assert inputs["methods.am_mto.process_kgco2e_per_kg"] == 0.0
    # an extra Eco-indicator impact without its twin is missing, not 0
    sc2 = sc.with_values({"methods.am_mto.extra_mpts_per_part": 5.0, "methods.am_mto.extra_kgco2e_per_part": None})
    assert "methods.am_mto.extra_kgco2e_per_part" not in sc2.inputs()
    assert evaluate(sc2)["methods"]["am_mto"]["impact_kgco2e"] is None
    # a given 0 is 0
    sc3 = sc2.with_values({"methods.am_mto.extra_kgco2e_per_part": 0.0})
    assert evaluate(sc3)["methods"]["am_mto"]["impact_kgco2e"] == pytest.approx(363.631663, rel=1e-13)


def test_electricity_factor_counts_only_where_electricity_is_used():
    sc = load_scenario().with_values({"impact.electricity_kgco2e_per_kwh": None})
    r = evaluate(sc)
    assert r["methods"]["regular"]["impact_kgco2e"] == pytest.approx(230.800987229875, rel=1e-13)
    assert r["methods"]["am_mto"]["impact_kgco2e"] is None and r["methods"]["am_mts"]["impact_kgco2e"] is None
    note = next(n for n in r["notes"] if "impact.electricity_kgco2e_per_kwh" in n)
    assert note.startswith("kg CO2e not computed for am_mts and am_mto")


def test_grid_gives_both_factors_and_a_number_beside_it_wins():
    base = load_scenario().with_values({"impact.electricity_mpts_per_kwh": None,
                                        "impact.electricity_kgco2e_per_kwh": None, "impact.grid": "NL"})
    inputs = base.inputs()
    assert inputs["impact.electricity_mpts_per_kwh"] == 37.0
    assert inputs["impact.electricity_kgco2e_per_kwh"] == 0.2527
    assert evaluate(base)["methods"]["am_mto"]["impact_kgco2e"] == pytest.approx(363.631663, rel=1e-13)
    with pytest.raises(ScenarioError, match="impact.grid = 'DE'.*give impact.electricity_mpts_per_kwh"):
        base.with_values({"impact.grid": "DE"})
    de = base.with_values({"impact.grid": "DE", "impact.electricity_mpts_per_kwh": 37.0})
    assert de.inputs()["impact.electricity_kgco2e_per_kwh"] == factors.grid_kgco2e_per_kwh("DE")
    # am_mto on the German grid: EP = 60 x 0.25 x 29.746 x 0.34206 (Eq. 37-38), the rest unchanged
    expected = 228.5 + 22.37945 + 60 * 0.25 * 29.746 * 0.34206
    assert evaluate(de)["methods"]["am_mto"]["impact_kgco2e"] == pytest.approx(expected, rel=1e-12)


def test_process_by_name_takes_its_electricity_times_the_grid():
    sc = load_scenario().with_values({"methods.regular.process": "injection_moulding_pvc_pc",
                                      "methods.regular.process_kgco2e_per_kg": None})
    assert sc.inputs()["methods.regular.process_kgco2e_per_kg"] == pytest.approx(1.189189 * 0.2527, rel=1e-15)
    r = evaluate(sc)
    assert r["methods"]["regular"]["impact_kgco2e"] == pytest.approx(230.800987229875, rel=1e-12)


def test_a_material_factor_including_forming_makes_moulding_zero():
    sc = load_scenario().with_values({"part.material": "PP", "part.material_kgco2e_per_kg": None,
                                      "methods.regular.process": "injection_moulding_pe_pp_ps_abs",
                                      "methods.regular.process_kgco2e_per_kg": None})
    inputs = sc.inputs()
    assert inputs["part.material_kgco2e_per_kg"] == 2.57757
    assert inputs["methods.regular.process_kgco2e_per_kg"] == 0.0


def test_custom_legs_carry_their_own_factor_or_are_missing():
    legs = [{"km": 800.0, "mpts_per_kg_km": 0.05}]
    sc = load_scenario().with_values({"methods.am_mto.transport_to_customer": legs})
    r = evaluate(sc)
    assert r["methods"]["am_mto"]["impact_kgco2e"] is None
    assert any("methods.am_mto.transport_to_customer[1].kgco2e_per_kg_km is missing" in n for n in r["notes"])
    sc2 = sc.with_values({"methods.am_mto.transport_to_customer": [{**legs[0], "kgco2e_per_kg_km": 0.0002}]})
    # ET customer part: n weight sum(km t) = 60 x 0.25 x 800 x 0.0002 replaces 60 x 0.25 x 0.06313
    expected = 363.631663 - 60 * 0.25 * 0.06313 + 60 * 0.25 * 800 * 0.0002
    assert evaluate(sc2)["methods"]["am_mto"]["impact_kgco2e"] == pytest.approx(expected, rel=1e-12)
    # the custom factor survives a round trip through the file form
    mapping = sc2.to_mapping()
    assert mapping["methods"]["am_mto"]["transport_to_customer"][0]["kgco2e_per_kg_km"] == 0.0002
    # a leg of 0 km needs no factor
    sc3 = sc.with_values({"methods.am_mto.transport_to_customer": [{"km": 0.0, "mpts_per_kg_km": 0.05}]})
    assert evaluate(sc3)["methods"]["am_mto"]["impact_kgco2e"] is not None


def test_mode_legs_take_the_table_twin_and_plane_rf_differs():
    sc = load_scenario().with_values({"methods.regular.transport_to_customer":
                                      [{"mode": "van", "km": 100}, {"mode": "plane_rf", "km": 1000}]})
    hand = hand_derivation()
    exp = hand.impact("regular", hand.PA_KGCO2E, hand.NL_KGCO2E_PER_KWH, hand.T, plane="plane_rf")
    r = evaluate(sc)
    assert r["methods"]["regular"]["impact_kgco2e"] == pytest.approx(float(exp["total"]), rel=1e-12)
    assert r["methods"]["regular"]["impact_mpts"] == pytest.approx(18913.75, abs=1e-9)   # same mPts


CLIMATE_MODEL_FIELDS = ("material_kgco2e_per_kg", "electricity_kgco2e_per_kwh")
CLIMATE_METHOD_FIELDS = ("process_kgco2e_per_kg", "extra_kgco2e_per_part", "transport_to_factory_kgco2e",
                         "transport_to_warehouse_kgco2e", "transport_to_customer_kgco2e")


def scaled(params, k):
    out = replace(params, **{f: getattr(params, f) * k for f in CLIMATE_MODEL_FIELDS})
    for name, m in params.methods.items():
        out = out.with_method(name, **{f: getattr(m, f) * k for f in CLIMATE_METHOD_FIELDS
                                       if getattr(m, f) is not None})
    return out


@settings(derandomize=True, max_examples=40, deadline=None)
@given(k=st.floats(min_value=1e-3, max_value=1e3), extra=st.floats(min_value=0.0, max_value=50.0))
def test_kgco2e_is_linear_in_the_climate_factors(k, extra):
    # the model (docs/model.md section 4) is linear in every factor: scaling them all by k scales
    # every component and the total by k, and leaves the costs and the mPts alone
    params = bind(load_scenario().with_values({"methods.am_mts.extra_kgco2e_per_part": extra}))
    base = evaluate_params(params, advice=False)
    big = evaluate_params(scaled(params, k), advice=False)
    for name, r in base.methods.items():
        b = big.methods[name]
        assert float(b.impact_kgco2e[0]) == pytest.approx(k * float(r.impact_kgco2e[0]), rel=1e-12)
        for c, v in r.impact_co2e.as_dict().items():
            assert float(np.asarray(getattr(b.impact_co2e, c))[0]) == pytest.approx(k * float(v[0]), rel=1e-12, abs=1e-300)
        assert float(b.impact_mpts[0]) == float(r.impact_mpts[0])
        assert float(b.total_cost[0]) == float(r.total_cost[0])


def test_vectorised_skus_match_one_by_one():
    params = bind(load_scenario())
    factors_ = np.array([0.0, 2.0, 9.14, np.nan])
    many = evaluate_params(replace(params, material_kgco2e_per_kg=factors_), advice=False)
    for i, f in enumerate(factors_):
        one = evaluate_params(replace(params, material_kgco2e_per_kg=float(f)), advice=False)
        for name in params.methods:
            a, b = float(many.methods[name].impact_kgco2e[i]), float(one.methods[name].impact_kgco2e[0])
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-15)
        assert many.lowest_impact_co2e[i] == one.lowest_impact_co2e[0]
    assert many.lowest_impact_co2e[3] is None


def test_the_material_decides_the_winner_by_kg_co2e():
    # with a climate-free material the printed part's saved transport cannot outweigh its
    # electricity: regular stays greener (material 0 -> regular 45.14 vs am_mto 135.13 kg CO2e)
    r = evaluate(load_scenario().with_values({"part.material_kgco2e_per_kg": 0.0}))
    assert r["methods"]["regular"]["impact_kgco2e"] == pytest.approx(230.800987229875 - 185.65625, rel=1e-12)
    assert r["lowest_impact_co2e"] == "regular"


def test_evaluate_table_shows_kg_co2e(capsys):
    assert cli.main(["evaluate"]) == 0
    out = capsys.readouterr().out
    assert "= impact (kg CO2e)" in out and "230.80" in out
    assert "Greenest (kg CO2e): regular" in out


def test_evaluate_table_says_when_kg_co2e_is_missing(capsys, tmp_path):
    path = ROOT / "examples" / "metal_bracket.toml"
    assert cli.main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Greenest (kg CO2e): not computed" in out
    assert "Note: kg CO2e not computed for pressed: methods.pressed.process_kgco2e_per_kg is missing;" in out


# --------------------------------------------------------------------------- amspares scenario


@pytest.fixture(scope="module")
def study():
    from amspares.report import study_json

    return study_json(load_scenario())


def test_moq_breakeven_by_kg_co2e_matches_the_linear_regime(study):
    # moq > accepted_q = 85: one order bills P = moq, ships W = 85, delivers n = 60 (docs/model.md
    # section 4), so regular's kg CO2e is a + b moq with the case study's factors (Eq. 32-41):
    F = Fraction
    up, w = F("0.25") / F("0.8"), F("0.25")
    fac = 5000 * F("0.00017146")
    per_moq = F("9.14") * up + w * F("0.3005080603") + up * fac
    fixed = 85 * w * fac + 60 * w * (100 * F("0.0006313") + 1000 * F("0.0005313"))
    am_mto = F("363.631663")            # docs/data-notes/case_study_co2e_expected.md
    expected = (am_mto - fixed) / per_moq
    assert study["co2e"]["breakeven"]["moq_breakeven_impact_co2e"] == pytest.approx(float(expected), rel=1e-9)
    assert study["co2e"]["sides"]["moq_breakeven_impact_co2e"] == {"below": "regular", "above": "am_mto"}


def test_energy_breakeven_by_kg_co2e_is_null_with_the_reason(study):
    # docs/data-notes/case_study_co2e_expected.md: AM MTO without process energy still emits
    # 228.5 + 22.37945 = 250.87945 > 230.800987 kg CO2e, so no energy makes it greener; by mPts
    # the break-even is 203.75 / (60 x 0.25 x 37 x 0.278) MJ/kg
    assert study["co2e"]["breakeven"]["am_energy_breakeven_mj_per_kg_co2e"] is None
    assert "larger climate impact than regular even with no machine energy" in \
        study["co2e"]["reasons"]["am_energy_breakeven_mj_per_kg_co2e"]
    assert study["breakeven"]["am_energy_breakeven_mj_per_kg"] == pytest.approx(
        203.75 / (60 * 0.25 * 37 * 0.278), rel=1e-9)


def test_mould_breakevens_by_kg_co2e_flip_the_winner(study):
    from amspares.core.casestudy import MOULD_KGCO2E, MOULD_MPTS

    # the climate twin of a mould: its steel (M / 86 mPts per kg) x 1.95 kg CO2e per kg
    assert MOULD_KGCO2E[0] == pytest.approx(900000 / 86 * 1.95, rel=1e-15)
    p = bind(load_scenario())
    T = float(p.service_years)
    for mp, kg in zip(MOULD_MPTS, MOULD_KGCO2E):
        key = f"{mp:.0f}"
        v = study["co2e"]["breakeven"]["mould_breakeven_demand_impact_co2e"][key]
        sides = study["co2e"]["sides"][f"mould_breakeven_demand_impact_co2e/{key}"]
        for x, side in ((v * (1 - 1e-4), "below"), (v * (1 + 1e-4), "above")):
            ev = evaluate_params(replace(p, rate_per_year=x / T).only(["regular", "am_mto"]), advice=False)
            reg = float(ev.methods["regular"].impact_kgco2e[0]) + kg
            mto = float(ev.methods["am_mto"].impact_kgco2e[0])
            assert sides[side] == ("regular" if reg < mto else "am_mto"), (key, side)


def test_scenario_text_has_the_kg_co2e_breakevens(capsys):
    assert cli.main(["scenario"]) == 0
    out = capsys.readouterr().out
    assert "-> impact (kg CO2e): regular is greener" in out
    assert "-> kg CO2e: no break-even in AM machine energy" in out
    assert "kg CO2e (the 900,000 mPts mould): am_mto is greener below total demand n = " in out


def test_climate_breakevens_are_not_applicable_without_the_factors():
    from amspares.report import case_study

    out = case_study(load_scenario().with_values({"part.material_kgco2e_per_kg": None}))
    assert out["co2e"]["breakeven"]["moq_breakeven_impact_co2e"] is None
    assert "climate factors (kg CO2e)" in out["co2e"]["reasons"]["moq_breakeven_impact_co2e"]
    assert out["breakeven"]["moq_breakeven_impact"] is not None      # mPts unaffected


# --------------------------------------------------------------------------- Excel


def test_eco2e_equals_the_core_for_every_method():
    from amspares import udfs
    from amspares.core.evaluate import impact_terms

    params = bind(load_scenario())
    ev = evaluate_params(params, advice=False)
    for name, r in ev.methods.items():
        t = impact_terms(params, name, indicator="kgco2e")
        got = udfs.ECO2E(float(r.produced[0]), float(r.shipped_to_warehouse[0]), float(r.delivered[0]),
                         t["weight_kg"], t["material_mpts_per_kg"], t["material_efficiency"],
                         t["process_mpts_per_kg_of_part"], t["factory_leg_mpts_per_kg"],
                         t["warehouse_leg_mpts_per_kg"], t["customer_leg_mpts_per_kg"], t["extra_mpts_per_part"])
        assert got == pytest.approx(float(r.impact_kgco2e[0]), rel=1e-14), name


def test_eco2e_bad_input_is_an_excel_error_text():
    from amspares import udfs

    out = udfs.ECO2E(65, 65, 60, 0.25, -1, 0.8, 0.3, 0.8573, 0.8573, 0.59443)
    assert isinstance(out, str) and out.startswith("#NUM!") and "material_kgco2e_per_kg" in out


# --------------------------------------------------------------------------- portfolio


def test_portfolio_columns_equal_evaluate(tmp_path, capsys):
    import csv

    header = ["sku", "demand.rate_per_year", "part.material_kgco2e_per_kg", "methods.regular.moq",
              "impact.electricity_kgco2e_per_kwh"]
    rows = [["A", "2", "", "1", ""], ["B", "0.5", "1.5", "1", "0.05"], ["C", "10", "30", "200", ""],
            ["D", "3", "0", "1", "0"]]
    src = tmp_path / "skus.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header] + rows)
    out = tmp_path / "out.csv"
    assert cli.main(["portfolio", str(src), "-o", str(out), "--breakdown"]) == 0
    summary = capsys.readouterr().out
    with open(out, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    base = load_scenario()
    totals = {m: 0.0 for m in base.methods}
    for g, row in zip(got, rows):
        changes = {k: (int(v) if k.endswith(".moq") else float(v)) for k, v in zip(header[1:], row[1:]) if v != ""}
        exp = evaluate(base.with_values(changes))
        for m, e in exp["methods"].items():
            assert float(g[f"{m}.impact_kgco2e"]) == pytest.approx(e["impact_kgco2e"], rel=1e-9, abs=1e-12), (row, m)
            for c, v in e["impact_co2e"].items():
                assert float(g[f"{m}.impact_co2e.{c}"]) == pytest.approx(v, rel=1e-9, abs=1e-12)
            totals[m] += e["impact_kgco2e"]
        assert g["lowest_impact_co2e"] == exp["lowest_impact_co2e"]
    assert {g["lowest_impact_co2e"] for g in got} == {"regular", "am_mto"}   # the rows differ
    assert "kg CO2e if all SKUs" in summary
    line = next(s for s in summary.splitlines() if s.strip().startswith("am_mto "))
    assert f"{totals['am_mto']:,.2f}" in line


def test_portfolio_without_a_climate_factor_leaves_the_cells_empty(tmp_path, capsys):
    import csv

    base = tmp_path / "base.toml"
    text = (ROOT / "pysrc" / "amspares" / "data" / "case_study.toml").read_text(encoding="utf-8")
    base.write_text(text.replace("material_kgco2e_per_kg = 9.14", ""), encoding="utf-8")
    src = tmp_path / "skus.csv"
    src.write_text("sku,demand.rate_per_year\nA,2\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["portfolio", str(src), "--scenario", str(base), "-o", str(out)]) == 0
    capsys.readouterr()
    with open(out, newline="", encoding="utf-8") as f:
        g = next(csv.DictReader(f))
    assert g["regular.impact_kgco2e"] == "" and g["lowest_impact_co2e"] == ""     # empty, not 0
    assert float(g["regular.impact_mpts"]) == pytest.approx(18913.75, abs=1e-6)
