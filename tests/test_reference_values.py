"""The reference values of docs/model.md section 8, through the core
functions, through ``evaluate_inputs``/``model.evaluate`` and through ``amspares evaluate
--json`` (in-process and as a real subprocess), and the JSON shape of docs/model.md section 6.

Every expected number below is quoted from docs/model.md section 8, unless a comment says
otherwise (some are derived by hand from the formulas of docs/model.md, the derivation is given).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import mpmath
import pytest
from references import mp_erlang_c

from amspares import cli
from amspares.core import (accepted_quantity, base_stock_costs, erlang_c, made_to_order_costs,
                           optimal_base_stock)
from amspares.model import evaluate
from amspares.scenario import load_scenario

# Case study, regular supplier (docs/model.md section 2): lambda = 2/yr, T = 30 yr, cp = 15,
# L = (82 + 4)/365, ce = 100/day, h = 0.45, Tr_in = 0.08, Tr_out = 10.
REGULAR = dict(rate=2.0, years=30.0, price=15.0, lead_time_years=86 / 365,
               emergency_per_day=100.0, holding_per_part_year=0.45, inbound_share=0.08,
               outbound_per_part=10.0)

# docs/model.md section 8 (rounded to cents there, so compared to 0.005)
SPEC_REGULAR = {"S": 5, "total_cost": 1735.71, "downtime": 15.21, "holding": 67.5,
                "production": 900.0, "scrapping": 75.0, "transport": 678.0}
SPEC_AM_MTO_TOTAL = 10800.0   # docs/model.md section 8
SPEC_ACCEPTED_Q = 85          # docs/model.md section 8
SPEC_EC_5 = 0.00013345406250  # docs/model.md section 8: Ec(5, 2*86/365), 14 decimals
CENTS = 0.005 + 1e-9          # the numbers of docs/model.md section 8 are rounded to cents (12796.875 -> 12796.88)


def test_erlang_c_reference_value_and_mpmath():
    u = 2 * 86 / 365
    value = erlang_c(5, u)
    assert value == pytest.approx(SPEC_EC_5, abs=5e-15)                 # docs/model.md section 8
    assert value == pytest.approx(float(mp_erlang_c(5, u)), rel=1e-13)  # mpmath, 50 digits


def test_regular_optimal_base_stock_reference_values():
    p = optimal_base_stock(**REGULAR)
    assert p.S == SPEC_REGULAR["S"]
    assert p.total_cost == pytest.approx(SPEC_REGULAR["total_cost"], abs=CENTS)
    for comp in ("downtime", "holding", "production", "scrapping", "transport"):
        assert getattr(p.cost, comp) == pytest.approx(SPEC_REGULAR[comp], abs=CENTS), comp
    # Same numbers through the cost function at S = 5, and the downtime by hand from
    # Eq. 6-7 (docs/model.md section 3.1) with the mpmath Erlang C: 365 * Ec*L/(S-u) * n * ce.
    c = base_stock_costs(5, **REGULAR)
    assert c.total == pytest.approx(p.total_cost, rel=1e-15)
    u = 2 * 86 / 365
    w = mp_erlang_c(5, u) * (86 / 365) / (5 - u)
    assert c.downtime == pytest.approx(float(365 * w * 60 * 100), rel=1e-12)


def test_am_mto_and_accepted_q_reference_values():
    c = made_to_order_costs(rate=2.0, years=30.0, price=175.0, outbound_per_part=5.0)
    assert c.total == SPEC_AM_MTO_TOTAL   # 60 * 175 + 60 * 5, exact in binary
    assert accepted_quantity(60.0, 0.999) == SPEC_ACCEPTED_Q
    # Eq. 31 by definition, with 50-digit Poisson CDF sums: 84 is not enough, 85 is.
    with mpmath.workdps(50):
        cdf = lambda k: mpmath.fsum(mpmath.exp(-60) * mpmath.mpf(60) ** i / mpmath.factorial(i)
                                    for i in range(k + 1))
        assert cdf(84) < mpmath.mpf("0.999") <= cdf(85)


# --------------------------------------------------------------------------- JSON shape

METHOD_KEYS_SPEC = {"kind", "S", "s", "Q", "total_cost", "cost", "impact_mpts", "impact",
                    "order_quantity_advice",
                    # model version 2 (docs/model.md section 6.2): the service measures
                    "fill_rate", "on_time_rate", "mean_wait_days", "meets_service_target",
                    # ... and the climate indicator (docs/model.md sections 4 and 6)
                    "impact_kgco2e", "impact_co2e"}
COST_KEYS_SPEC = {"downtime", "holding", "production", "scrapping", "transport",
                  "investment", "benefit"}
IMPACT_KEYS_SPEC = {"material", "process", "transport", "extra"}
TOP_KEYS_SPEC = {"name", "n", "accepted_q", "methods", "cheapest", "lowest_impact",
                 "waiting_time", "order_wait", "notes",          # the last three: version 2
                 "lowest_impact_co2e"}                           # version 2, climate


def check_spec_json(obj, exact=False):
    """Assert the shape of docs/model.md section 6 and the section-8 values of the case study.

    ``exact``: a method holds exactly the keys of docs/model.md section 6 (``amspares evaluate --json``);
    otherwise the internal result may add ``policy`` and ``units``."""
    assert set(obj) == TOP_KEYS_SPEC
    assert obj["n"] == 60.0 and obj["accepted_q"] == SPEC_ACCEPTED_Q
    assert list(obj["methods"]) == ["regular", "am_mts", "am_mto"]   # file order
    for name, m in obj["methods"].items():
        if exact:
            assert set(m) == METHOD_KEYS_SPEC, name
        else:
            assert METHOD_KEYS_SPEC <= set(m) <= METHOD_KEYS_SPEC | {"policy", "units"}, name
        assert set(m["cost"]) == COST_KEYS_SPEC
        assert set(m["impact"]) == IMPACT_KEYS_SPEC
        assert set(m["impact_co2e"]) == IMPACT_KEYS_SPEC
        assert math.fsum(m["impact_co2e"].values()) == pytest.approx(m["impact_kgco2e"], rel=1e-12)
        assert all(isinstance(v, float) for v in m["cost"].values())
        assert isinstance(m["total_cost"], float) and isinstance(m["impact_mpts"], float)
        assert math.fsum(m["impact"].values()) == pytest.approx(m["impact_mpts"], rel=1e-12)
        c = m["cost"]
        total = (c["downtime"] + c["holding"] + c["production"] + c["scrapping"]
                 + c["transport"] + c["investment"] - c["benefit"])   # Eq. 1
        assert total == pytest.approx(m["total_cost"], rel=1e-12)
    reg = obj["methods"]["regular"]
    assert reg["kind"] == "stock" and reg["S"] == 5 and reg["s"] is None and reg["Q"] == 1
    assert reg["total_cost"] == pytest.approx(SPEC_REGULAR["total_cost"], abs=CENTS)
    for comp in ("downtime", "holding", "production", "scrapping", "transport"):
        assert reg["cost"][comp] == pytest.approx(SPEC_REGULAR[comp], abs=CENTS)
    assert reg["order_quantity_advice"] is None
    # docs/model.md section 6 example (rounded to cents there): impact of regular at S* = 5
    assert reg["impact_mpts"] == pytest.approx(18913.75, abs=CENTS)
    assert reg["impact"]["material"] == pytest.approx(12796.88, abs=CENTS)
    assert reg["impact"]["process"] == pytest.approx(715.0, abs=CENTS)
    assert reg["impact"]["transport"] == pytest.approx(5401.88, abs=CENTS)
    mto = obj["methods"]["am_mto"]
    # docs/model.md section 6: for an order method S is 0 and s, Q are null
    assert mto["kind"] == "order" and mto["S"] == 0 and mto["s"] is None and mto["Q"] is None
    assert mto["total_cost"] == SPEC_AM_MTO_TOTAL
    assert obj["cheapest"] == "regular" and obj["lowest_impact"] == "regular"   # docs/model.md section 6


def test_model_evaluate_matches_spec_json():
    check_spec_json(json.loads(json.dumps(evaluate(load_scenario()))))
    check_spec_json(json.loads(json.dumps(evaluate(load_scenario(), spec_only=True))), exact=True)


def test_cli_evaluate_json_in_process(capsys):
    assert cli.main(["evaluate", "--json"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    check_spec_json(json.loads(out.out), exact=True)


def test_cli_evaluate_json_subprocess(tmp_path):
    # The installed console entry point path, through the module's __main__ guard.
    scenario = tmp_path / "case.toml"
    scenario.write_text(load_scenario.__globals__["resources"].files("amspares.data")
                        .joinpath("case_study.toml").read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "amspares.cli", "evaluate", str(scenario), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    check_spec_json(json.loads(proc.stdout), exact=True)


def test_saving_over_the_runner_up_is_the_gap_between_the_two_cheapest():
    """Evaluation.saving (core) on the case study: am_mto (10800, docs/model.md section 8) minus
    regular (1735.71, docs/model.md section 8) = 9064.29; with one method there is no runner-up."""
    import math

    from amspares.binding import bind
    from amspares.core.evaluate import evaluate
    from amspares.scenario import load_scenario

    sc = load_scenario()
    ev = evaluate(bind(sc))
    assert float(ev.saving[0]) == pytest.approx(10800.0 - 1735.7055282105157, rel=1e-12)
    only = evaluate(bind(sc).only(["regular"]))
    assert math.isnan(float(only.saving[0]))
    assert int(ev.accepted_q[0]) == 85                     # docs/model.md section 8, computed lazily
