"""Model version 2 through evaluation and its outputs (docs/model.md sections 2, 3.3-3.5, 6):
the charged order wait, holding as a rate, service measures and a service target that
constrains the choice, the tie rule, zero demand, and the JSON / table / portfolio outputs.

Every expected number is derived by hand below (written out in the test) or computed
independently with mpmath (Poisson sums, the Erlang C formula from factorials), never copied
from the tool's output.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import mpmath as mp
import pytest

from amspares import cli
from amspares.model import evaluate
from amspares.scenario import load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
mp.mp.dps = 40


def _poisson_pmf(k, mean):
    return mp.e ** (-mp.mpf(mean)) * mp.mpf(mean) ** k / mp.factorial(k)


def _accepted_q(n, confidence=0.999):
    """Eq. 31 by direct summation: the smallest k with P(Poisson(n) <= k) >= confidence."""
    total, k = mp.mpf(0), 0
    while True:
        total += _poisson_pmf(k, n)
        if total >= confidence:
            return k
        k += 1


def _erlang_c(S, u):
    """Erlang C from its textbook formula (thesis Eq. 5), with factorials in mpmath."""
    u = mp.mpf(u)
    top = u ** S / mp.factorial(S) * S / (S - u)
    return top / (sum(u ** k / mp.factorial(k) for k in range(S)) + top)


# ---------------------------------------------------------------- the pump impeller example

def test_pump_impeller_charges_the_print_days_and_stocking_wins():
    r = evaluate(load_scenario(EXAMPLES / "pump_impeller.toml"))
    n = 3.0 * 15.0                                       # 45 impellers
    mto = r["methods"]["am_mto"]
    # docs/model.md 3.3, order wait charged: CD = n ce D_o = 45 * 2000 * 10 = 900,000;
    # production n cp = 45 * 480 = 21,600; outbound n Tr_out = 45 * 5 = 225
    assert mto["cost"]["downtime"] == pytest.approx(900_000.0, rel=1e-15)
    assert mto["cost"]["production"] == pytest.approx(21_600.0, rel=1e-15)
    assert mto["total_cost"] == pytest.approx(900_000.0 + 21_600.0 + 225.0, rel=1e-15)   # 921,825
    assert (mto["fill_rate"], mto["on_time_rate"], mto["mean_wait_days"]) == (0.0, 0.0, 10.0)
    # regular: moq 500 > n, one order (docs/model.md 3.2). shipped = min(500, accepted_q),
    # billed 500, E[OH] = shipped - n/2, h = 0.25 * 120 = 30 EUR per part-year (a rate of the price)
    acc = _accepted_q(n)
    assert r["accepted_q"] == acc
    reg = r["methods"]["regular"]
    assert reg["policy"] == "one_order" and reg["Q"] == 500
    assert reg["cost"]["production"] == pytest.approx(500 * 120.0, rel=1e-15)
    assert reg["cost"]["holding"] == pytest.approx((acc - n / 2) * 0.25 * 120.0 * 15.0, rel=1e-13)
    assert reg["cost"]["downtime"] == 0.0                 # one order: no backorders (Eq. 29)
    assert reg["total_cost"] == pytest.approx(500 * 120.0 + (acc - n / 2) * 450.0 + n * 5.0, rel=1e-13)
    # fill rate of one order: E[min(N, shipped)] / n, N ~ Poisson(n), by summation
    fill = sum(min(k, acc) * _poisson_pmf(k, n) for k in range(400)) / n
    assert reg["fill_rate"] == pytest.approx(float(fill), rel=1e-12)
    assert reg["on_time_rate"] == reg["fill_rate"] and reg["mean_wait_days"] == 0.0
    assert r["cheapest"] == "regular"
    # impact (docs/model.md 4): regular makes the lot of 500, printing only the 45 used
    up = 0.8 / 0.9
    assert reg["impact_mpts"] == pytest.approx(900 * up * 500, rel=1e-12)
    assert mto["impact_mpts"] == pytest.approx(900 * up * n + n * 0.8 * 83 * 0.278 * 37, rel=1e-12)
    assert r["lowest_impact"] == "am_mto"
    assert r["waiting_time"] == "exact" and r["order_wait"] == "charged"


def test_pump_impeller_with_the_thesis_assumption_prints():
    # order_wait "free" (the thesis): CD = n cd = 0, TC = 21,600 + 225 = 21,825 (issue 11)
    sc = load_scenario(EXAMPLES / "pump_impeller.toml").with_values({"model.order_wait": "free"})
    r = evaluate(sc)
    assert r["methods"]["am_mto"]["total_cost"] == pytest.approx(21_825.0, rel=1e-15)
    assert r["cheapest"] == "am_mto"


@pytest.mark.parametrize("days", [0.0, 10.0, 365.0, 3650.0])
def test_the_print_time_changes_the_answer(days):
    # issue 11: production_days of 0, 10, 365 or 3650 gave the same answer; now CD = n ce D_o
    sc = load_scenario(EXAMPLES / "pump_impeller.toml").with_values({"methods.am_mto.production_days": days})
    r = evaluate(sc)
    assert r["methods"]["am_mto"]["total_cost"] == pytest.approx(45 * 2000 * days + 21_825.0, rel=1e-15)
    # printing wins only while its wait costs less than stocking: 45*2000*D < 80,250 - 21,825
    assert r["cheapest"] == ("am_mto" if 45 * 2000 * days < r["methods"]["regular"]["total_cost"] - 21_825 else "regular")


# ---------------------------------------------------------------- order wait charged vs free

@pytest.mark.parametrize("free_days,shipping,extra", [
    (0.0, 0.0, 60 * 100 * 7.0),          # n ce D_o = 60 * 100 * 7 = 42,000
    (5.0, 0.0, 60 * 100 * 2.0),          # only the 2 days beyond the window: 12,000
    (7.0, 0.0, 0.0),                     # a window as long as the print: nothing
    (0.0, 3.0, 60 * 100 * 10.0),         # D_o = 7 production + 3 shipping days
])
def test_order_wait_charged_against_free(free_days, shipping, extra):
    base = load_scenario().with_values({"downtime.free_days": free_days,
                                        "methods.am_mto.shipping_days": shipping})
    free = evaluate(base)["methods"]["am_mto"]
    charged = evaluate(base.with_values({"model.order_wait": "charged"}))["methods"]["am_mto"]
    assert free["total_cost"] == 10800.0                  # the thesis's AM MTO (Table 6)
    assert charged["total_cost"] == pytest.approx(10800.0 + extra, rel=1e-15)
    assert charged["cost"]["downtime"] == pytest.approx(extra, rel=1e-15)
    assert charged["mean_wait_days"] == 7.0 + shipping
    assert charged["on_time_rate"] == (1.0 if 7.0 + shipping <= free_days else 0.0)


def test_the_defaults_are_exact_and_charged():
    data = load_scenario().to_mapping()
    del data["model"]["waiting_time"], data["model"]["order_wait"]
    sc = parse_scenario(data)
    r = evaluate(sc)
    assert (r["waiting_time"], r["order_wait"]) == ("exact", "charged")
    assert r["methods"]["am_mto"]["total_cost"] == pytest.approx(10800.0 + 42000.0, rel=1e-15)


def test_case_study_still_gives_the_thesis_tables():
    # the shipped case study sets erlang_c and order_wait free: S* = 5, 1735.71; 10800
    r = evaluate(load_scenario())
    assert (r["waiting_time"], r["order_wait"]) == ("erlang_c", "free")
    assert r["methods"]["regular"]["S"] == 5
    assert round(r["methods"]["regular"]["total_cost"], 2) == 1735.71
    assert r["methods"]["am_mto"]["total_cost"] == 10800.0
    assert r["notes"] == []


# ---------------------------------------------------------------- holding as a rate

def test_holding_rate_is_the_per_part_value():
    # storage rate 0.03 of the price: regular 0.03 * 15 = 0.45 (the case study's h), am_mts
    # 0.03 * 175 = 5.25; the same results as those per-part values given directly
    rate = evaluate(load_scenario().with_values({"storage.holding_rate_per_year": 0.03}))
    per_part = evaluate(load_scenario().with_values({"methods.am_mts.holding_per_part_year": 0.03 * 175.0}))
    for m in ("regular", "am_mts"):
        assert rate["methods"][m]["S"] == per_part["methods"][m]["S"]
        assert rate["methods"][m]["total_cost"] == pytest.approx(per_part["methods"][m]["total_cost"], rel=1e-14)
    assert round(rate["methods"]["regular"]["total_cost"], 2) == 1735.71
    # am_mts at S = 2 (its case-study S*): CH = h S T = 5.25 * 2 * 30 = 315
    assert per_part["methods"]["am_mts"]["cost"]["holding"] == pytest.approx(5.25 * per_part["methods"]["am_mts"]["S"] * 30)


def test_a_method_rate_overrides_the_storage():
    r = evaluate(load_scenario().with_values({"methods.regular.holding_rate_per_year": 0.1}))
    reg = r["methods"]["regular"]
    assert reg["cost"]["holding"] == pytest.approx(0.1 * 15.0 * reg["S"] * 30.0, rel=1e-14)
    # am_mts keeps the storage's 0.45: CH = 0.45 * S * 30
    assert r["methods"]["am_mts"]["cost"]["holding"] == pytest.approx(0.45 * r["methods"]["am_mts"]["S"] * 30.0)


@pytest.mark.parametrize("storage,message", [
    ({"holding_per_part_year": 0.45, "holding_rate_per_year": 0.2},
     "storage.holding_rate_per_year = 0.2: give only one of holding_per_part_year, "
     "volume_cost_per_m3 with package_m3, or holding_rate_per_year"),
    ({"holding_rate_per_year": -0.2}, "storage.holding_rate_per_year = -0.2: must be >= 0"),
])
def test_holding_forms_are_exclusive(storage, message):
    data = load_scenario().to_mapping()
    data["storage"] = storage
    with pytest.raises(Exception) as err:
        parse_scenario(data)
    assert str(err.value) == message


def test_a_method_gives_one_holding_form():
    data = load_scenario().to_mapping()
    data["methods"]["regular"].update(holding_per_part_year=1.0, holding_rate_per_year=0.1)
    with pytest.raises(Exception) as err:
        parse_scenario(data)
    assert str(err.value) == ("methods.regular.holding_rate_per_year = 0.1: give either "
                              "holding_per_part_year or holding_rate_per_year, not both")


# ---------------------------------------------------------------- service target

def test_service_target_raises_the_base_stock():
    # Erlang C (the case study): fill = on-time = 1 - Ec(S, u) with u = 2 * 86/365 (free_days 0).
    u = mp.mpf(2) * 86 / 365
    on_time = {S: 1 - _erlang_c(S, u) for S in range(1, 10)}
    target = 0.9999
    smin = min(S for S in on_time if on_time[S] >= target)
    assert on_time[5] < target                          # S* = 5 misses it (0.999867)
    r = evaluate(load_scenario().with_values({"model.service_target": target}))
    reg = r["methods"]["regular"]
    assert reg["S"] == smin and reg["meets_service_target"] is True
    assert reg["on_time_rate"] == pytest.approx(float(on_time[smin]), rel=1e-12)
    # TC(S) (Eq. 1, 6-12) at smin, with W = Ec L / (S - u) (Eq. 6), n = 60, L = 86/365
    L = mp.mpf(86) / 365
    W = _erlang_c(smin, u) * L / (smin - u)
    tc = 365 * W * 60 * 100 + 0.45 * smin * 30 + 60 * 15 + 15 * smin + (60 * 15 + 15 * smin) * 0.08 + 60 * 10
    assert reg["total_cost"] == pytest.approx(float(tc), rel=1e-12)
    assert r["methods"]["am_mto"]["meets_service_target"] is False     # fill 0, D_o = 7 > 0 free days
    assert r["cheapest"] == "regular"


def test_service_target_decides_the_cheapest_and_greenest():
    # pump impeller with the thesis's free order wait: printing is cheapest (21,825) and
    # greenest but is never on time (D_o = 10 > 0 free days); the cast lot is on time with
    # probability 0.99995 (one order covering accepted_q = 67 of n = 45), so with a target of
    # 0.99 it is chosen for both
    sc = load_scenario(EXAMPLES / "pump_impeller.toml").with_values({"model.order_wait": "free",
                                                                      "model.service_target": 0.99})
    r = evaluate(sc)
    assert r["methods"]["am_mto"]["meets_service_target"] is False
    assert r["methods"]["regular"]["meets_service_target"] is True
    assert r["cheapest"] == "regular" and r["lowest_impact"] == "regular"
    assert any("am_mto cannot meet the service target" in n for n in r["notes"])


def test_when_no_method_meets_the_target_all_are_considered():
    # the cast lot's on-time rate 0.99995 (test above) is below 0.99999: nobody meets it
    sc = load_scenario(EXAMPLES / "pump_impeller.toml").with_values({"model.order_wait": "free",
                                                                      "model.service_target": 0.99999})
    r = evaluate(sc)
    assert not any(m["meets_service_target"] for m in r["methods"].values())
    assert r["cheapest"] == "am_mto" and r["lowest_impact"] == "am_mto"
    assert any(n.startswith("No method meets the service target") for n in r["notes"])


def test_service_target_rule():
    with pytest.raises(Exception) as err:
        load_scenario().with_values({"model.service_target": 1.0})
    assert str(err.value) == "model.service_target = 1.0: must be strictly between 0 and 1"


# ---------------------------------------------------------------- ties and zero demand

def _two_hubs(price_b, eff_b=0.6, names=("hub_a", "hub_b")):
    data = load_scenario().to_mapping()
    hub = dict(data["methods"]["am_mto"])
    a, b = dict(hub), dict(hub, price=price_b, material_efficiency=eff_b)
    data["methods"] = {names[0]: a, names[1]: b, "regular": data["methods"]["regular"]}
    return parse_scenario(data)


def test_equal_cost_goes_to_the_lower_impact():
    # hub_b costs 175 (1 + 1e-12) per part (within 1e-9 of hub_a: equal) but wastes less
    # material (efficiency 0.9 instead of 0.6): the lower impact wins
    # (regular, 1735.71, is far cheaper than either: compare the hubs alone)
    sc = _two_hubs(175.0 * (1 + 1e-12), eff_b=0.9)
    r = evaluate(sc)
    assert r["methods"]["hub_b"]["impact_mpts"] < r["methods"]["hub_a"]["impact_mpts"]
    assert r["methods"]["hub_b"]["total_cost"] > r["methods"]["hub_a"]["total_cost"]
    sc = parse_scenario({**sc.to_mapping(), "methods": {k: v for k, v in sc.to_mapping()["methods"].items()
                                                         if k != "regular"}})
    r = evaluate(sc)
    assert r["cheapest"] == "hub_b"
    assert any("hub_a and hub_b cost the same" in n for n in r["notes"])
    # 1e-6 dearer is a real difference: the cheaper hub_a wins
    sc2 = parse_scenario({**sc.to_mapping(), "methods": {
        "hub_a": sc.to_mapping()["methods"]["hub_a"],
        "hub_b": dict(sc.to_mapping()["methods"]["hub_b"], price=175.0 * (1 + 1e-6))}})
    assert evaluate(sc2)["cheapest"] == "hub_a"


def test_equal_cost_and_impact_go_to_the_first_declared():
    data = load_scenario().to_mapping()
    hub = data["methods"]["am_mto"]
    for order in (("x", "y"), ("y", "x")):
        data["methods"] = {order[0]: dict(hub), order[1]: dict(hub)}
        r = evaluate(parse_scenario(data))
        assert r["cheapest"] == order[0] and r["lowest_impact"] == order[0]


def test_equal_impact_goes_to_the_cheaper():
    # same material efficiency (same impact), hub_b cheaper: greenest = the cheaper one
    data = load_scenario().to_mapping()
    hub = data["methods"]["am_mto"]
    data["methods"] = {"hub_a": dict(hub), "hub_b": dict(hub, price=100.0)}
    r = evaluate(parse_scenario(data))
    assert r["methods"]["hub_a"]["impact_mpts"] == r["methods"]["hub_b"]["impact_mpts"]
    assert r["lowest_impact"] == "hub_b" and r["cheapest"] == "hub_b"


@pytest.mark.parametrize("path", [None, EXAMPLES / "minimum_order.toml"])
def test_zero_demand_stocks_nothing_and_the_order_method_wins_the_tie(path):
    # n = 0 (docs/model.md 3.5): S = 0, no order even with moq 700; every cost scales with
    # demand or stock here (no investment, no benefit), so all totals are 0 and the tie goes to
    # the order method, although it is declared last
    r = evaluate(load_scenario(path).with_values({"demand.rate_per_year": 0.0}))
    assert r["n"] == 0.0
    for name, m in r["methods"].items():
        assert m["total_cost"] == 0.0, name
        assert all(v == 0.0 for v in m["cost"].values()), name
        assert m["units"]["produced"] == 0.0 and m["units"]["shipped_to_warehouse"] == 0.0
    assert r["methods"]["regular"]["S"] in (0, None)
    assert r["cheapest"] == "am_mto" and r["lowest_impact"] == "am_mto"
    assert any(n.startswith("There is no demand (n = 0)") for n in r["notes"])


# ---------------------------------------------------------------- outputs

def test_json_has_the_v2_fields(capsys):
    assert cli.main(["evaluate", str(EXAMPLES / "pump_impeller.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["waiting_time"] == "exact" and out["order_wait"] == "charged" and out["notes"] == []
    for m in out["methods"].values():
        assert {"fill_rate", "on_time_rate", "mean_wait_days", "meets_service_target"} <= set(m)
        assert m["meets_service_target"] is None              # no target
    assert out["methods"]["am_mto"]["cost"]["downtime"] == 900_000.0


def test_table_names_the_models_and_shows_service(capsys):
    assert cli.main(["evaluate", str(EXAMPLES / "pump_impeller.toml")]) == 0
    text = capsys.readouterr().out
    assert "waiting time model: exact" in text and "order wait: charged" in text
    assert "fill rate" in text and "mean wait (days)" in text
    assert "Cheapest: regular" in text


def test_portfolio_writes_the_service_columns(tmp_path):
    cat = tmp_path / "cat.csv"
    cat.write_text("sku,demand.rate_per_year,downtime.free_days\nA,2,0\nB,0.5,10\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["portfolio", str(cat), "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    for row, (rate, free) in zip(rows, ((2.0, 0.0), (0.5, 10.0))):
        r = evaluate(load_scenario().with_values({"demand.rate_per_year": rate, "downtime.free_days": free}))
        for m, e in r["methods"].items():
            for c in ("fill_rate", "on_time_rate", "mean_wait_days"):   # the CSV keeps 12 digits
                assert float(row[f"{m}.{c}"]) == pytest.approx(e[c], rel=1e-11, abs=1e-15), (m, c)
