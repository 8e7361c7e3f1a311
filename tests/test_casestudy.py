"""The case-study run (docs/model.md section 5): break-evens, sweeps and ``amspares scenario``.

Where expected numbers come from:

* docs/model.md section 8 (regular S* = 5, TC = 1735.71; AM MTO 10800; accepted_q = 85);
* closed forms derived by hand from the equations of docs/model.md section 3.2-3.3 (written out in each
  test), independent of :mod:`amspares.core.casestudy`;
* brute force: the optimal base stock as ``min`` over S = 0..400 of
  :func:`base_stock_costs` (Eq. 1, 7-13 at a fixed S), not the core's stopping search;
* "both sides agree": every break-even is re-evaluated through the core at the root and
  the two methods must agree to 1e-9 relative.
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

from amspares import cli
from amspares.core.basestock import base_stock_costs
from amspares.binding import bind
from amspares.core.breakeven import find_breakeven
from amspares.core.casestudy import MOULD_EUR, MOULD_MPTS, mould_key, roles
from amspares.core.evaluate import evaluate
from amspares.errors import ScenarioError
from amspares.report import case_study
from amspares.core.impact import environmental_impact, megajoules_to_kwh
from amspares.core.mto import made_to_order_costs
from amspares.core.sq import sq_policy_costs
from amspares.scenario import load_scenario

REL = 1e-9

# ---- the case study's numbers, typed from docs/model.md section 2 (not read from our code)
LAM, T, H, CE = 2.0, 30.0, 0.45, 100.0
REG = dict(price=15.0, lead=86 / 365, tr_in=0.08, tr_out=10.0)
MTO = dict(price=175.0, tr_out=5.0)
W = 0.25                                   # kg
M_PTS = 630.0                              # mPts/kg, PA
FAC = 5000 * 0.022                         # truck_28t 5000 km
REG_CUS = 100 * 0.14 + 1000 * 0.078        # van 100 + plane 1000
MTO_CUS = 100 * 0.14
EE = 37.0                                  # mPts/kWh


def close(a, b, rel=REL):
    return abs(a - b) <= rel * max(abs(a), abs(b))


def brute_regular(rate, years=T, price=REG["price"], rule="demand", investment=0.0):
    """(S*, TC(S*)) by brute force over S = 0..400 (ties to the smaller S)."""
    S = np.arange(401)
    c = base_stock_costs(S, rate=rate, years=years, price=price, lead_time_years=REG["lead"],
                         emergency_per_day=CE, holding_per_part_year=H, inbound_share=REG["tr_in"],
                         outbound_per_part=REG["tr_out"], investment=investment, production_rule=rule)
    tc = np.asarray(c.total, dtype=float)
    k = int(np.argmin(tc))
    return k, float(tc[k])


def mto_cost(rate, years=T, price=MTO["price"]):
    return float(made_to_order_costs(rate=rate, years=years, price=price, outbound_per_part=MTO["tr_out"]).total)


def regular_impact(produced, shipped, n):
    return float(environmental_impact(produced, shipped, n, weight_kg=W, material_mpts_per_kg=M_PTS,
                                      material_efficiency=0.8, process_mpts_per_kg_of_part=44.0,
                                      factory_leg_mpts_per_kg=FAC, warehouse_leg_mpts_per_kg=FAC,
                                      customer_leg_mpts_per_kg=REG_CUS).total)


def mto_impact(n, kwh_per_kg=29.746):
    return float(environmental_impact(n, 0.0, n, weight_kg=W, material_mpts_per_kg=M_PTS,
                                      material_efficiency=0.6,
                                      process_mpts_per_kg_of_part=kwh_per_kg * EE,
                                      factory_leg_mpts_per_kg=FAC, customer_leg_mpts_per_kg=MTO_CUS).total)


@pytest.fixture(scope="module")
def sc():
    return load_scenario()


@pytest.fixture(scope="module")
def study(sc):
    return case_study(sc.inputs(), sc.methods)


@pytest.fixture(scope="module")
def study_json():
    out = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(out):
        assert cli.main(["scenario", "--json"]) == 0
    return json.loads(out.getvalue(), parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


# --------------------------------------------------------------------------- our own helpers


def test_spec8_reference_values_hold_in_our_helpers():
    # docs/model.md section 8: regular S* = 5, TC = 1735.71; AM MTO 10800
    S, tc = brute_regular(LAM)
    assert S == 5 and round(tc, 2) == 1735.71
    assert mto_cost(LAM) == 10800.0


def test_roles():
    assert roles({"a": "order", "b": "stock", "regular": "order"}) == {"regular": "b", "am_mto": "a"}
    assert roles({"x": "stock", "am_mto": "order", "y": "order"}) == {"regular": "x", "am_mto": "am_mto"}


def test_find_breakeven_reports_jumps_and_absence():
    step = find_breakeven(lambda x: (np.where(x < 2.5, 0.0, 10.0), np.full_like(x, 5.0)), np.arange(6.0))
    assert step.jump and abs(step.value - 2.5) < 1e-9 and "jumps" in step.reason
    assert find_breakeven(lambda x: (x + 1.0, x), np.arange(5.0)).value is None
    smooth = find_breakeven(lambda x: (np.exp(x), np.full_like(x, 3.0)), [0.0, 0.5, 1.0, 1.5])
    assert not smooth.jump and close(smooth.value, math.log(3.0), 1e-14)


# --------------------------------------------------------------------------- break-evens


def test_am_price_breakeven(study):
    p = study["breakeven"]["am_price_breakeven"]
    # closed form (docs/model.md section 3.3): 60 (p + 5) = TC_regular*  =>  p = TC*/60 - 5
    _, tc = brute_regular(LAM)
    assert close(p, tc / 60.0 - 5.0)
    assert close(mto_cost(LAM, price=p), tc)


def test_regular_price_breakeven(study):
    c = study["breakeven"]["regular_price_breakeven"]
    _, tc = brute_regular(LAM, price=c)      # S re-optimised at that price, by brute force
    assert close(tc, 10800.0)
    assert 15.0 < c < 175.0


def test_moq_breakeven_cost_is_the_closed_form(study):
    q = study["breakeven"]["moq_breakeven_cost"]
    # docs/model.md section 3.2, one order (moq > accepted_q = 85 > n = 60): shipped 85, billed moq,
    # TC = h T (85 - 60/2) + 15 moq + 85*15*0.08 + 60*10 = 10800  =>  moq = 623.7
    assert close(q, (10800.0 - H * T * (85 - 30) - 85 * 15 * 0.08 - 600.0) / 15.0)
    pol = sq_policy_costs(q, rate=LAM, years=T, price=15.0, lead_time_years=REG["lead"],
                          emergency_per_day=CE, holding_per_part_year=H, inbound_share=0.08,
                          outbound_per_part=10.0)
    assert close(float(pol.total_cost), 10800.0)
    assert q > 85                               # the thesis says 654: docs/model.md section 9, not tuned


def test_moq_breakeven_impact(study):
    q = study["breakeven"]["moq_breakeven_impact"]
    assert q > 85
    # produced = billed = moq, shipped = accepted_q = 85, delivered 60 (docs/model.md section 4)
    assert close(regular_impact(q, 85.0, 60.0), mto_impact(60.0))


@pytest.mark.parametrize("key,years", [("T1", 1.0), ("T10", 10.0)])
def test_portfolio_breakeven(study, key, years):
    N = study["breakeven"]["portfolio_breakeven_skus"][key]
    rate = 1.0 / (N * years)
    _, tc = brute_regular(rate, years=years, rule="max_demand_stock")
    assert close(N * tc, N * mto_cost(rate, years=years))
    assert 1.0 < N < 50.0


@pytest.mark.parametrize("eur", MOULD_EUR)
def test_mould_breakeven_cost(study, eur):
    n = study["breakeven"]["mould_breakeven_demand_cost"][mould_key(eur)]
    _, tc = brute_regular(n / T, investment=eur)
    assert close(tc, mto_cost(n / T))


@pytest.mark.parametrize("mpts", MOULD_MPTS)
def test_mould_breakeven_impact(study, mpts):
    n = study["breakeven"]["mould_breakeven_demand_impact"][mould_key(mpts)]
    S, _ = brute_regular(n / T)
    assert close(regular_impact(n + S, n + S, n) + mpts, mto_impact(n))


def test_am_energy_breakeven(study):
    e = study["breakeven"]["am_energy_breakeven_mj_per_kg"]
    assert close(mto_impact(60.0, float(megajoules_to_kwh(e))), regular_impact(65.0, 65.0, 60.0))
    assert 0.0 < e < 107.0


def test_no_reasons_when_every_breakeven_exists(study):
    assert study["reasons"] == {}


# --------------------------------------------------------------------------- sweeps


def test_cost_vs_S_matches_brute_force_and_reference(study):
    rows = study["sweeps"]["cost_vs_S"]
    assert [r["S"] for r in rows] == list(range(16))
    r5 = rows[5]
    assert round(r5["regular.total_cost"], 2) == 1735.71          # docs/model.md section 8
    assert (round(r5["regular.cost.downtime"], 2), r5["regular.cost.holding"], r5["regular.cost.scrapping"]) \
        == (15.21, 67.5, 75.0)                                     # docs/model.md section 8
    best = min(rows, key=lambda r: r["regular.total_cost"])
    assert best["S"] == 5
    assert all(r["am_mto.total_cost"] == 10800.0 for r in rows)
    for r in rows:
        parts = sum(r[f"regular.cost.{c}"] for c in ("downtime", "holding", "production", "scrapping",
                                                         "transport", "investment")) - r["regular.cost.benefit"]
        assert close(parts, r["regular.total_cost"], 1e-12)


def test_impact_vs_S(study):
    rows = study["sweeps"]["impact_vs_S"]
    for r in rows:
        assert close(r["regular.impact_mpts"], regular_impact(60 + r["S"], 60 + r["S"], 60))
    # impact grows with S: every stocked part is made, shipped and scrapped (docs/model.md section 4)
    assert all(b["regular.impact_mpts"] > a["regular.impact_mpts"] for a, b in zip(rows, rows[1:]))


def test_emergency_sweep_reoptimises_S(study):
    for r in study["sweeps"]["emergency_cost"]:
        ce = r["emergency_per_day"]
        S = np.arange(401)
        tc = np.asarray(base_stock_costs(S, rate=LAM, years=T, price=15.0, lead_time_years=REG["lead"],
                                         emergency_per_day=ce, holding_per_part_year=H, inbound_share=0.08,
                                         outbound_per_part=10.0).total)
        assert r["regular.S"] == int(np.argmin(tc))
        assert close(r["regular.total_cost"], float(tc.min()))
    assert [r["emergency_per_day"] for r in study["sweeps"]["emergency_cost"]] == [0, 5, 10, 50, 100, 500, 1000, 5000]


def nondecreasing(xs):
    return all(b >= a - 1e-9 * max(1.0, abs(a)) for a, b in zip(xs, xs[1:]))


def test_costs_monotone_in_prices(study):
    am = study["sweeps"]["am_price"]
    assert nondecreasing([r["am_mto.total_cost"] for r in am])
    reg = study["sweeps"]["regular_price"]
    assert nondecreasing([r["regular.total_cost"] for r in reg])
    # S re-optimised: a dearer part is stocked less (or as much)
    assert nondecreasing([-r["regular.S"] for r in reg])


def test_moq_sweep(study):
    rows = study["sweeps"]["moq"]
    assert [r["moq"] for r in rows] == list(range(1, 1001))
    beyond = [r for r in rows if r["moq"] >= 85]
    assert nondecreasing([r["regular.total_cost"] for r in beyond])
    assert nondecreasing([r["regular.impact_mpts"] for r in beyond])
    assert rows[0]["regular.S"] == 5 and rows[0]["regular.Q"] == 1
    # (s,Q) regime: reorder point given, no base stock
    r20 = rows[19]
    assert r20["regular.S"] is None and r20["regular.s"] == 3      # sq.py doctest: brute-force X-by-U matrix gives 3
    # the break-even lies between the grid rows that bracket it
    q = study["breakeven"]["moq_breakeven_cost"]
    lo, hi = rows[int(q) - 1], rows[int(q)]
    assert lo["regular.total_cost"] < lo["am_mto.total_cost"] and hi["regular.total_cost"] > hi["am_mto.total_cost"]


def test_mould_sweep_monotone_in_mould_cost(study):
    rows = study["sweeps"]["mould"]
    for r in rows:
        vals = [r[f"mould_{mould_key(e)}.total_cost"] for e in MOULD_EUR]
        assert vals == sorted(vals)
        assert close(vals[0], r["regular.total_cost"] + 3000.0, 1e-12)
    be = study["breakeven"]["mould_breakeven_demand_cost"]
    assert be["3000"] < be["20000"] < be["80000"]
    bi = study["breakeven"]["mould_breakeven_demand_impact"]
    assert bi["900000"] < bi["4000000"] < bi["7300000"]


def test_portfolio_tables(study):
    t10 = study["sweeps"]["portfolio_T10"]
    assert [r["N"] for r in t10] == list(range(1, 51))
    assert [r["N"] for r in study["sweeps"]["portfolio_T10_log"]] == [10 ** k for k in range(7)]
    assert [r["N"] for r in study["sweeps"]["portfolio_T1"]] == [1, 2, 3, 4, 5]
    for r in t10:
        # AM MTO makes exactly the one expected part: (175 + 5) x 1
        assert close(r["am_mto.portfolio_total_cost"], 180.0)
        S, tc = brute_regular(1.0 / (r["N"] * 10.0), years=10.0, rule="max_demand_stock")
        assert r["regular.S"] == S and close(r["regular.portfolio_total_cost"], r["N"] * tc)
    assert nondecreasing([r["regular.portfolio_total_cost"] for r in t10])


def test_am_energy_sweep(study):
    rows = study["sweeps"]["am_energy"]
    assert rows[0]["am_energy_mj_per_kg"] == 0.0 and rows[-1]["am_energy_mj_per_kg"] >= 519  # Table 2's largest
    assert nondecreasing([r["am_mto.impact_mpts"] for r in rows])
    assert all(r["regular.impact_mpts"] == rows[0]["regular.impact_mpts"] for r in rows)


# --------------------------------------------------------------------------- moving inputs


def test_dearer_mould_raises_the_demand_where_regular_wins(sc, study):
    dear = sc.with_values({"methods.regular.investment": 1000.0})
    out = case_study(dear.inputs(), dear.methods)
    for k, v in study["breakeven"]["mould_breakeven_demand_cost"].items():
        assert out["breakeven"]["mould_breakeven_demand_cost"][k] > v


def test_cheaper_print_lowers_the_moq_where_printing_wins(sc, study):
    cheap = sc.with_values({"methods.am_mto.price": 150.0})
    out = case_study(cheap.inputs(), cheap.methods)
    b = out["breakeven"]
    assert b["moq_breakeven_cost"] < study["breakeven"]["moq_breakeven_cost"]
    # closed form as above with AM MTO = 60 x (150 + 5) = 9300
    assert close(b["moq_breakeven_cost"], (9300.0 - H * T * 55 - 85 * 15 * 0.08 - 600.0) / 15.0)
    assert b["am_price_breakeven"] == pytest.approx(study["breakeven"]["am_price_breakeven"], rel=1e-12)
    assert b["regular_price_breakeven"] < study["breakeven"]["regular_price_breakeven"]


def test_more_machine_energy_is_irrelevant_to_the_energy_breakeven_but_a_dirtier_grid_lowers_it(sc, study):
    dirty = sc.with_values({"impact.electricity_mpts_per_kwh": 74.0})
    e = case_study(dirty.inputs(), dirty.methods)["breakeven"]["am_energy_breakeven_mj_per_kg"]
    assert close(e, study["breakeven"]["am_energy_breakeven_mj_per_kg"] / 2.0, 1e-9)


def test_moq_crossing_below_accepted_q_is_reported_as_a_jump(sc):
    # AM MTO at 30 EUR: 60 x 35 = 2100, between regular at moq 1 (1735.71) and at moq 40
    # (2211.09, sq.py doctest): printing wins at some whole moq below accepted_q = 85
    s2 = sc.with_values({"methods.am_mto.price": 30.0})
    out = case_study(s2.inputs(), s2.methods)
    q = out["breakeven"]["moq_breakeven_cost"]
    assert q == int(q) and 1 < q < 85
    assert "whole" in out["reasons"]["moq_breakeven_cost"]
    rows = {r["moq"]: r for r in out["sweeps"]["moq"]}
    assert rows[q]["regular.total_cost"] > 2100.0 >= rows[q - 1]["regular.total_cost"]


def test_missing_role_is_not_applicable(sc):
    only_stock = sc.with_values({"methods.am_mto": None})
    out = case_study(only_stock.inputs(), only_stock.methods)
    assert out["roles"]["am_mto"] is None
    assert out["breakeven"]["moq_breakeven_cost"] is None
    assert out["breakeven"]["mould_breakeven_demand_cost"] == {"3000": None, "20000": None, "80000": None}
    assert out["reasons"]["moq_breakeven_cost"] == "not applicable: the scenario has no order method (am_mto)"
    assert out["sweeps"]["moq"] == [] and len(out["sweeps"]["cost_vs_S"]) == 16


def test_no_breakeven_gives_null_and_reason(sc):
    # AM MTO with 1000 EUR outbound per part costs at least 60 x 1000 = 60000 > regular's
    # 1735.71 (docs/model.md section 8) even when printing is free: no AM price break-even exists
    s3 = sc.with_values({"methods.am_mto.outbound_per_part": 1000.0})
    out = case_study(s3.inputs(), s3.methods)
    assert out["breakeven"]["am_price_breakeven"] is None
    assert "even when printing is free" in out["reasons"]["am_price_breakeven"]


# --------------------------------------------------------------------------- CLI and JSON


def test_json_shape(study_json, sc):
    assert list(study_json)[:3] == ["base", "breakeven", "sweeps"]
    base = study_json["base"]
    # docs/model.md section 6 object
    assert {"name", "n", "accepted_q", "methods", "cheapest", "lowest_impact"} <= set(base)
    assert base["accepted_q"] == 85 and base["n"] == 60.0
    reg = base["methods"]["regular"]
    assert reg["S"] == 5 and round(reg["total_cost"], 2) == 1735.71
    assert set(reg["cost"]) == {"downtime", "holding", "production", "scrapping", "transport", "investment", "benefit"}
    assert set(reg["impact"]) == {"material", "process", "transport", "extra"}
    mto = base["methods"]["am_mto"]
    assert mto["S"] == 0 and mto["s"] is None and mto["Q"] is None
    be = study_json["breakeven"]
    assert set(be) == {"am_price_breakeven", "regular_price_breakeven", "moq_breakeven_cost",
                       "moq_breakeven_impact", "portfolio_breakeven_skus", "mould_breakeven_demand_cost",
                       "mould_breakeven_demand_impact", "am_energy_breakeven_mj_per_kg"}
    assert set(be["portfolio_breakeven_skus"]) == {"T1", "T10"}
    assert set(be["mould_breakeven_demand_cost"]) == {"3000", "20000", "80000"}
    assert set(be["mould_breakeven_demand_impact"]) == {"900000", "4000000", "7300000"}
    for name, rows in study_json["sweeps"].items():
        assert isinstance(rows, list) and rows, name
        assert all(isinstance(r, dict) and set(r) == set(rows[0]) for r in rows), name


def test_readable_output(capsys):
    assert cli.main(["scenario"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) < 60
    for text in ("cheapest: regular", "623.70 parts", "Why:", "N = 2.30 SKUs", "20.29 parts"):
        assert text in out


def test_output_option_passes_the_json_object(monkeypatch, tmp_path, capsys, study_json):
    import amspares.workbook as wb
    seen = {}

    def fake(scenario, study, path, force=False):
        seen.update(scenario=scenario, study=study, path=path, force=force)

    monkeypatch.setattr(wb, "write_scenario_workbook", fake)
    target = tmp_path / "out.xlsx"
    assert cli.main(["scenario", "-o", str(target), "--force"]) == 0
    assert seen["path"] == str(target) and seen["force"] is True
    assert json.loads(json.dumps(seen["study"])) == study_json


def test_bad_scenario_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[demand]\nrate_per_year = -1\nservice_years = 30\n")
    assert cli.main(["scenario", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "demand.rate_per_year = -1" in err


def test_progress_lines_when_not_a_tty():
    from amspares.commands.scenario import Progress
    buf = io.StringIO()
    p = Progress(buf, after=0.0)
    p("portfolio", 4, 6)
    p.done()
    assert buf.getvalue() == "amspares scenario: [4/6] portfolio\n"
    quiet = io.StringIO()
    q = Progress(quiet, after=3600.0)
    q("portfolio", 4, 6)
    assert quiet.getvalue() == ""


def test_evaluate_inputs_is_the_path(sc, study):
    # the base row of every sweep at the scenario's own values equals evaluate_inputs
    ev = evaluate(bind(sc))
    row = next(r for r in study["sweeps"]["emergency_cost"] if r["emergency_per_day"] == 100)
    for m, r in ev.methods.items():
        assert row[f"{m}.total_cost"] == float(r.total_cost[0])


def test_readable_output_for_other_scenarios(sc):
    from amspares.commands.scenario import format_study, study_json as make
    moq = make(sc.with_values({"methods.regular.moq": 50}))
    text = format_study(moq)
    assert "S* = None" not in text and "even for a single SKU" in text     # 50 parts per SKU: printing wins
    alone = format_study(make(sc.with_values({"methods.am_mto": None})))
    assert "not applicable: the scenario has no order method (am_mto)" in alone


def test_an_existing_output_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    """`-o EXISTING` without --force fails at once: the study is never computed."""
    import amspares.commands.scenario as cmd
    from amspares import cli

    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"a colleague's workbook")
    monkeypatch.setattr(cmd, "study_json", lambda *a, **k: pytest.fail("computed before refusing"))
    assert cli.main(["scenario", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exists" in err and "--force" in err and "Traceback" not in err
    assert out.read_bytes() == b"a colleague's workbook"


def test_the_workbook_output_must_be_an_xlsx_file(tmp_path, capsys):
    from amspares import cli

    out = tmp_path / "case.txt"
    assert cli.main(["scenario", "-o", str(out)]) == 2
    assert "must be a .xlsx file" in capsys.readouterr().err
    assert not out.exists()


# --------------------------------------------------------------------------- extreme valid inputs

#: Valid scenarios that used to take minutes (or fail): long lead times (the mould sweep
#: reaches a lead-time demand near 10^6), tiny and short service periods, the largest
#: accepted rate, and values so extreme that the model overflows (issue reports).
EXTREME = {
    "production_days_1e4": {"methods.regular.production_days": 10000.0},
    "production_days_1e5": {"methods.regular.production_days": 1e5},
    "shipping_days_1e5": {"methods.regular.shipping_days": 1e5},
    "service_years_1e-9": {"demand.service_years": 1e-9},
    "service_years_0.5": {"demand.service_years": 0.5},
    "rate_1e6": {"demand.rate_per_year": 1e6},
    "rate_1e6_exact_long": {"model.waiting_time": "exact", "demand.rate_per_year": 1e6,
                            "methods.regular.production_days": 1e5, "methods.am_mts.production_days": 1e5},
    "service_years_1e-320": {"demand.service_years": 1e-320},
}
CPU_SECONDS = 60.0          # generous: each takes a few seconds on one core


def _finite_or_null(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            _finite_or_null(v, f"{path}/{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _finite_or_null(v, f"{path}[{i}]")
    elif isinstance(x, float):
        assert math.isfinite(x), path


@pytest.mark.parametrize("which", list(EXTREME))
def test_extreme_valid_inputs_finish_quickly_with_finite_results(sc, which):
    import time
    import warnings
    s2 = sc.with_values(EXTREME[which])
    t = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no RuntimeWarning reaches the user
        out = case_study(s2)
    spent = time.process_time() - t
    assert spent < CPU_SECONDS, (which, spent)
    _finite_or_null(out)
    json.dumps(out, allow_nan=False)
    # every missing break-even says why, or who wins throughout
    for label, side in out["sides"].items():
        name, _, key = label.partition("/")
        value = out["breakeven"][name][key] if key else out["breakeven"][name]
        if value is None:
            assert label in out["reasons"] or (side["below"] and side["below"] == side["above"]), (which, label)


def test_overflowing_inputs_are_null_with_the_true_reason(sc):
    tiny = case_study(sc.with_values({"demand.service_years": 1e-320}))
    for key in ("3000", "20000", "80000"):
        assert tiny["breakeven"]["mould_breakeven_demand_cost"][key] is None
        assert "too short" in tiny["reasons"][f"mould_breakeven_demand_cost/{key}"]
    assert all(r["regular.total_cost"] is None for r in tiny["sweeps"]["mould"])
    # Validation now refuses a material_efficiency below 1e-6 (docs/limits.md); the case study
    # itself must still be safe when handed such a model directly (inputs, not a file).
    with pytest.raises(ScenarioError, match="material_efficiency"):
        sc.with_values({"methods.regular.material_efficiency": 1e-320})
    inputs = dict(sc.inputs(), **{"methods.regular.material_efficiency": 1e-320})
    waste = case_study(inputs, sc.methods)
    # 0.25 kg / 1e-320 of material overflows: regular's impact is not a number, so no impact
    # break-even exists, and the reason says so (not "printing wins at every moq")
    for label in ("moq_breakeven_impact", "am_energy_breakeven_mj_per_kg", "mould_breakeven_demand_impact/900000"):
        assert "too large to compute" in waste["reasons"][label], label
    # the cost break-evens do not depend on the material: the thesis values stay
    assert round(waste["breakeven"]["am_price_breakeven"], 4) == 23.9284
