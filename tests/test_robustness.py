"""How sure a decision is when its rate comes from history (amspares.robustness).

Where the expected numbers come from:

* three make-to-order methods whose totals are linear in the rate (``TC = n cp + I`` with
  ``n = r T``, docs/model.md section 3.3), so every flip is solved by hand (written in the
  tests);
* the model itself, evaluated through a different path (``Scenario.with_values`` and
  :func:`amspares.model.evaluate`, one scenario at a time) just below and just above every
  root-found flip: the cheapest method must change there;
* the interval ends: scipy.stats.chi2 quantiles (``chi2.ppf(alpha/2, 2N) / 2T``,
  ``chi2.ppf(1 - alpha/2, 2N + 2) / 2T``);
* the batch path (:func:`assess_many`) against the one-SKU path (:func:`assess_demand`).
"""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from amspares import robustness as rb
from amspares.binding import bind
from amspares.history import read_wide_history
from amspares.model import evaluate
from amspares.scenario import load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def linear(history=None, rate=None, years=10.0, level=None):
    """Three order methods, T = 10 years: A = 100 r + 1000, B = 500 r, C = 300 r + 300.

    By hand: B < C iff 200 r < 300 iff r < 1.5; C < A iff 200 r < 700 iff r < 3.5; B < A iff
    r < 2.5. So B is cheapest below 1.5, C from 1.5 to 3.5, A above 3.5.
    """
    demand = {"service_years": years}
    if history is not None:
        demand.update(history=list(history), periods_per_year=12)
    else:
        demand["rate_per_year"] = rate
    if level is not None:
        demand["confidence_level"] = level
    return parse_scenario({
        "name": "linear", "demand": demand, "storage": {"holding_per_part_year": 1.0},
        "methods": {"A": {"kind": "order", "price": 10.0, "investment": 1000.0},
                    "B": {"kind": "order", "price": 50.0},
                    "C": {"kind": "order", "price": 30.0, "investment": 300.0}}})


def cheapest_at(scenario, rate):
    return evaluate(scenario.with_values({"demand.rate_per_year": rate}))["cheapest"]


def monthly(total, months):
    """A monthly history with ``total`` single parts spread over ``months``."""
    h = np.zeros(months)
    h[np.linspace(0, months - 1, total).astype(int)] = 1
    assert h.sum() == total
    return h.tolist()


# --------------------------------------------------------------------------- analytic flips


def test_the_hand_derived_costs_hold():
    sc = linear(rate=2.0)
    r = evaluate(sc)
    assert r["methods"]["A"]["total_cost"] == pytest.approx(100 * 2 + 1000)
    assert r["methods"]["B"]["total_cost"] == pytest.approx(500 * 2)
    assert r["methods"]["C"]["total_cost"] == pytest.approx(300 * 2 + 300)


def test_flips_are_root_found_at_the_hand_derived_rates():
    p = bind(linear(rate=1.0))
    d = rb.decide(p, 2.5, 2.0, 3.0)                   # C cheapest, interval inside (1.5, 3.5)
    assert (d.at_estimate, d.at_lower, d.at_upper) == ("C", "C", "C")
    assert d.robust and d.label == "robust"
    assert d.flip_below == pytest.approx(1.5, rel=1e-12) and d.winner_below == "B"
    assert d.flip_above == pytest.approx(3.5, rel=1e-12) and d.winner_above == "A"
    assert d.inside == () and not d.jump


def test_the_runner_up_is_the_cheapest_other_method_at_each_rate():
    # B is cheapest at 1.0; at 2.5 B = A (both 1250), but C (1050) took over already at
    # 1.5: the flip is at 1.5 (to C), not at B's crossing with A.
    d = rb.decide(bind(linear(rate=1.0)), 1.0, 0.5, 1.2)
    assert d.at_estimate == "B" and d.robust
    assert d.flip_above == pytest.approx(1.5, rel=1e-12) and d.winner_above == "C"
    assert math.isnan(d.flip_below) and d.winner_below is None


def test_a_flip_inside_the_interval_is_a_decision_to_review():
    d = rb.decide(bind(linear(rate=1.0)), 1.2, 0.8, 2.0)
    assert not d.robust and d.label == "flips inside the interval"
    assert (d.at_estimate, d.at_lower, d.at_upper) == ("B", "B", "C")
    assert d.inside == pytest.approx((1.5,), rel=1e-12)


def test_no_flip_in_the_search_range():
    # search range [0, max(10 * upper, 1)] = [0, 0.3]: B cheapest throughout
    d = rb.decide(bind(linear(rate=1.0)), 0.02, 0.01, 0.03)
    assert d.robust and math.isnan(d.flip_above) and d.search_upper == pytest.approx(1.0)
    d = rb.decide(bind(linear(rate=1.0)), 0.1, 0.05, 0.14)      # up to 1.4: still none
    assert math.isnan(d.flip_above)
    d = rb.decide(bind(linear(rate=1.0)), 0.1, 0.05, 0.16)      # up to 1.6: 1.5 found
    assert d.flip_above == pytest.approx(1.5, rel=1e-12)


# --------------------------------------------------------------------------- scenario with history


@pytest.mark.parametrize("total,months,level", [(30, 360, 0.90), (10, 120, 0.90), (25, 120, 0.8)])
def test_a_scenario_with_history_uses_the_estimate_and_its_exact_interval(total, months, level):
    sc = linear(history=monthly(total, months), level=level)
    T = months / 12
    assert sc["demand.rate_per_year"] == total / T
    assert bind(sc).rate_per_year == total / T
    a = rb.assess_scenario(sc)
    alpha = 1 - level
    assert float(a.estimate.lower) == pytest.approx(stats.chi2.ppf(alpha / 2, 2 * total) / (2 * T), rel=1e-10)
    assert float(a.estimate.upper) == pytest.approx(stats.chi2.ppf(1 - alpha / 2, 2 * total + 2) / (2 * T),
                                                    rel=1e-10)
    lo, hi = float(a.estimate.lower), float(a.estimate.upper)
    # robust exactly when no hand-derived boundary (1.5, 3.5) lies in [lo, hi]
    assert a.decision.robust == (not any(lo <= b <= hi for b in (1.5, 3.5)))


def test_thirty_years_at_one_a_year_is_robust_ten_years_is_not():
    # N = 30 in 30 years: chi2 interval [0.72, 1.37] < 1.5: B robust.
    # N = 10 in 10 years: [0.54, 1.70] contains 1.5: review.
    lo30 = stats.chi2.ppf(0.05, 60) / 60
    hi30 = stats.chi2.ppf(0.95, 62) / 60
    hi10 = stats.chi2.ppf(0.95, 22) / 20
    assert hi30 < 1.5 < hi10
    long_ = rb.demand_dict(rb.assess_scenario(linear(history=monthly(30, 360))))
    short = rb.demand_dict(rb.assess_scenario(linear(history=monthly(10, 120))))
    assert long_["lower"] == pytest.approx(lo30, rel=1e-10)
    assert long_["decision"]["label"] == "robust" and long_["decision"]["flip_above"] == pytest.approx(1.5)
    assert long_["notes"][0] == (f"B at 1/yr; C would win above 1.5/yr, outside the 90 % interval "
                                 f"({lo30:.3g} to {hi30:.3g}/yr): robust")
    assert short["decision"]["label"] == "flips inside the interval"
    assert short["decision"]["flips_inside"] == pytest.approx([1.5])
    assert short["notes"][0].endswith("C wins above 1.5/yr: review")


# --------------------------------------------------------------------------- the real model


def flip_checked_on_the_model(scenario, rate, method_before, method_after):
    """The cheapest method (through Scenario.with_values and model.evaluate) changes at rate."""
    eps = 1e-6 * rate
    assert cheapest_at(scenario, rate - eps) == method_before
    assert cheapest_at(scenario, rate + eps) == method_after


def test_lost_mould_flip_is_where_the_model_changes_its_decision():
    sc = load_scenario(EXAMPLES / "demand_from_history.toml")
    a = rb.assess_scenario(sc)
    d = a.decision
    assert sc["demand.rate_per_year"] == 8 / 5                       # 8 parts in 60 months
    assert d.at_estimate == "am_mto" and d.robust and d.winner_above == "regular"
    flip_checked_on_the_model(sc, d.flip_above, "am_mto", "regular")
    assert d.flip_above > float(a.estimate.upper)


def test_case_study_flip_near_zero_is_checked_on_the_model():
    sc = load_scenario()
    d = rb.decide(bind(sc), 2.0, 1.3255, 2.9062)
    assert d.at_estimate == "regular" and d.winner_below == "am_mto"
    flip_checked_on_the_model(sc, d.flip_below, "am_mto", "regular")


def test_no_demand_reads_the_lower_end_just_above_zero():
    # N = 0: estimate and lower end 0, where every method of the case study costs 0;
    # the decision there is read at 1e-9 * max(upper, 1) (am_mto: nothing stocked).
    sc = load_scenario().with_values({"demand.rate_per_year": None, "demand.history": [0] * 36,
                                      "demand.periods_per_year": 12})
    a = rb.assess_scenario(sc)
    assert float(a.estimate.upper) == pytest.approx(math.log(20) / 3, rel=1e-12)   # -ln(alpha/2)/T
    d = a.decision
    assert d.at_estimate == "am_mto" and d.at_upper == "regular" and not d.robust
    flip_checked_on_the_model(sc, d.inside[0], "am_mto", "regular")


# --------------------------------------------------------------------------- many SKUs


@pytest.mark.parametrize("base", ["lost_mould", "minimum_order"])
def test_many_skus_give_what_each_sku_gives_alone(base):
    h = read_wide_history(EXAMPLES / "demand_history.csv")
    params = bind(load_scenario(EXAMPLES / f"{base}.toml"))
    many = rb.assess_many(h.quantities, 12, params=params)
    for i, sku in enumerate(h.skus):
        one = rb.demand_dict(rb.assess_demand(h.quantities[i], 12, params=params))
        one["decision"].pop("jump")
        for key in ("rate_per_year", "lower", "upper", "class", "phase_out", "notes"):
            assert many[i][key] == one[key], (sku, key)
        for key, v in one["decision"].items():
            if isinstance(v, float):
                assert many[i]["decision"][key] == pytest.approx(v, rel=1e-9), (sku, key)
            elif key == "flips_inside":
                assert many[i]["decision"][key] == pytest.approx(v, rel=1e-9), (sku, key)
            else:
                assert many[i]["decision"][key] == v, (sku, key)


def test_many_skus_flip_rates_are_the_model_s():
    sc = load_scenario(EXAMPLES / "lost_mould.toml")
    h = read_wide_history(EXAMPLES / "demand_history.csv")
    m = rb.decide_many(bind(sc), *(getattr(rb.dm.poisson_rate_estimate(h.quantities, 12), f)
                                   for f in ("rate", "lower", "upper")))
    flips = {float(x) for x in np.concatenate([m.flip_below, m.flip_above]) if not math.isnan(x)}
    assert flips                                          # lost mould: am_mto below, regular above
    for x in flips:
        flip_checked_on_the_model(sc, x, "am_mto", "regular")
    labels = dict(zip(h.skus, m.label.tolist()))
    # LATCH-DOOR-FRIDGE: 7 parts in 30 months, 90 % interval (1.31, 5.26) holds the flip 4.38
    assert labels["LATCH-DOOR-FRIDGE"] == "flips inside the interval"
    assert labels["LCD-COVER-PA"] == "robust"


def test_a_single_method_has_nothing_to_compare():
    sc = parse_scenario({"demand": {"history": [0, 1, 0], "periods_per_year": 12, "service_years": 5},
                         "storage": {"holding_per_part_year": 1.0},
                         "methods": {"A": {"kind": "order", "price": 1.0}}})
    assert rb.assess_scenario(sc).decision is None
    with pytest.raises(ValueError, match="at least two methods"):
        rb.cost_difference(bind(sc), "A")
