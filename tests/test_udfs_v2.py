"""The version-2 Excel functions and defaults (docs/model.md, Excel functions), as plain Python.

Where expected numbers come from (never from the core's own code paths):

* mpmath references of tests/references.py: Erlang C by its factorial formula, Poisson
  probabilities by the incomplete gamma function, and the excess wait beyond a free window
  as the numerical integral of the delay's survival function (``mpmath.quad``);
* brute force in this file: TC(S) of thesis Eq. 1 term by term with that wait and S* by
  exhaustive search; the (s,Q) expectations by summing the thesis's X-by-U matrix and s*
  by exhaustive search; the smallest S meeting a service target by stepping S up;
* hand derivations written next to the test (make-to-order charged wait, the one-order
  regime), scipy's chi-square quantiles for the Garwood interval, and the thesis case study
  (docs/model.md section 8: S* = 5, 1735.71, 10800) for the catalogue.
"""

from __future__ import annotations

import functools
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from references import (mp_erlang_c, mp_excess_wait_erlang, mp_excess_wait_exact, mp_poisson_cdf,
                        mp_poisson_pmf)
from scipy.stats import chi2

import amspares.udfs as udfs
from amspares.binding import bind
from amspares.core.evaluate import evaluate
from amspares.excel import functions as fx
from amspares.scenario import load_scenario

mp.mp.dps = 30
ROOT = Path(__file__).resolve().parents[1]

REGULAR = (2, 30, 15, 86, 100, 0, 0.08, 10, 0.45)
PARAM_SETS = [
    REGULAR,
    (0.5, 10, 40, 30, 500, 20, 0.1, 3, 1.2),
    (7, 5, 2, 120, 10, 0, 0, 0, 0.05),
    (3, 15, 120, 124, 2000, 0, 0.05, 0, 30),      # the pump impeller's regular supplier
]


@functools.lru_cache(maxsize=None)
def ref_wait(S, rate, lead_days, free_days, model):
    """Wait beyond the free window (years): the integral of the delay's survival function."""
    L, w = mp.mpf(lead_days) / 365, mp.mpf(free_days) / 365
    if model == "erlang_c" and 1 <= S <= rate * L:
        return mp.inf
    return (mp_excess_wait_exact(S, rate, L, w, 20) if model == "exact"
            else mp_excess_wait_erlang(S, rate, L, w, 20))


def ref_tc(S, rate, years, price, lead_days, ce, cd, tr_in, tr_out, h, model, free_days=0,
           downtime=True):
    """TC(S), thesis Eq. 1 and 7-13, with the wait beyond the free window (docs/model.md 3.1);
    ``downtime=False`` leaves out the emergency term 365 Wx n ce (>= 0, so a lower bound)."""
    n = mp.mpf(rate) * years
    cp_total = n * price
    rest = (n * cd + h * S * years + cp_total + price * S + (cp_total + price * S) * tr_in
            + n * tr_out)
    if not downtime:
        return rest
    wait = ref_wait(S, rate, lead_days, free_days, model)
    return mp.inf if wait == mp.inf else 365 * wait * n * ce + rest


def ref_on_time(S, rate, lead_days, free_days, model):
    """Share of demands whose delay is at most w: 1 - P(delay > w) (docs/model.md 3.1, 3.4)."""
    L, w = mp.mpf(lead_days) / 365, mp.mpf(free_days) / 365
    if rate == 0:
        return mp.mpf(1)
    if model == "exact":
        return mp.mpf(1) if w >= L else mp_poisson_cdf(S - 1, rate * (L - w))
    u = rate * L
    if S == 0:
        return mp.mpf(1 if L <= w else 0)
    if S <= u:
        return mp.mpf(0)
    return 1 - mp_erlang_c(S, u) * mp.exp(-(S / L - rate) * w)


def ref_optimal(params, model, free_days=0, target=None):
    """S* by exhaustive search, stopped once the cost without its downtime term (which only
    grows with S) exceeds the best total: no larger S can be cheaper (docs/model.md 3.1)."""
    best, best_tc, S = None, mp.inf, 0
    while ref_tc(S, *params, model=model, downtime=False) <= best_tc:
        if target is None or ref_on_time(S, params[0], params[3], free_days, model) >= target:
            tc = ref_tc(S, *params, model=model, free_days=free_days)
            if tc < best_tc:
                best, best_tc = S, tc
        S += 1
    return best, best_tc


# --------------------------------------------------------------------------- defaults


def test_defaults_are_exact_and_charged():
    for S in range(0, 8):
        want = ref_tc(S, *REGULAR, model="exact")
        assert fx.totalcost(S, *REGULAR) == pytest.approx(float(want), rel=1e-10)
        assert udfs.TOTALCOST(S, *REGULAR) == fx.totalcost(S, *REGULAR, waiting_time="exact")
    S_ref, tc_ref = ref_optimal(REGULAR, "exact")
    assert fx.optimal_s(*REGULAR) == S_ref
    assert fx.optimal_s(*REGULAR, with_cost=True)[0] == [S_ref, pytest.approx(float(tc_ref), rel=1e-10)]
    # BACKORDER_WAIT: the exact wait (mean of E[(X - 1)^+] / lambda, in days)
    want = mp_excess_wait_exact(1, 2, mp.mpf(86) / 365, 0) * 365
    assert fx.backorder_wait(1, 2, 86) == pytest.approx(float(want), rel=1e-10)
    # the version-1 numbers are one switch away
    assert fx.optimal_s(*REGULAR, waiting_time="erlang_c", with_cost=True)[0][1] == \
        pytest.approx(1735.71, abs=0.005)


def test_totalcost_mto_charges_the_delivery_time():
    # docs/model.md 3.3, by hand: CD = n ce (D_o - free_days)^+ + n cd. The pump impeller:
    # n = 3 * 15 = 45, 10 days of printing at 2000 EUR/day, 480 EUR per part.
    impeller = (3, 15, 480, 10, 2000, 0, 0, 0, 0)
    assert fx.totalcost("MTO", *impeller) == pytest.approx(45 * 2000 * 10 + 45 * 480)
    assert fx.totalcost("MTO", *impeller, free_days=4) == pytest.approx(45 * 2000 * 6 + 45 * 480)
    assert fx.totalcost("MTO", *impeller, free_days=14) == pytest.approx(45 * 480)
    assert fx.totalcost("MTO", *impeller, order_wait="free") == pytest.approx(45 * 480)
    assert fx.mto_cost(3, 15, 480, 0, 0, 0, 0, 10, 2000) == pytest.approx(45 * 2000 * 10 + 45 * 480)
    assert fx.mto_cost(3, 15, 480, 0, 0, 0, 0, 10, 2000, 4) == pytest.approx(45 * 2000 * 6 + 45 * 480)
    assert fx.mto_cost(3, 15, 480, 0, 0, 0, 0, 10, 2000, 0, "free") == pytest.approx(45 * 480)
    # charged: the delivery time and the penalty are needed; free: they may be blank
    assert fx.totalcost("MTO", 3, 15, 480, None, 2000, 0, 0, 0, 0) == "#VALUE! lead_days must not be blank"
    assert fx.totalcost("MTO", 3, 15, 480, None, None, 0, None, 0, None, order_wait="free") == \
        pytest.approx(45 * 480)
    assert fx.totalcost("MTO", *impeller, order_wait="late") == \
        '#VALUE! order_wait must be "charged" or "free" (got "late")'


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("model", ["exact", "erlang_c"])
@pytest.mark.parametrize("free_days", [0, 5, 30])
def test_free_window_against_integrated_wait(params, model, free_days):
    S_ref, tc_ref = ref_optimal(params, model, free_days)
    got = fx.optimal_s(*params, waiting_time=model, with_cost=True, free_days=free_days)[0]
    assert got == [S_ref, pytest.approx(float(tc_ref), rel=1e-9)]
    for S in range(0, S_ref + 3):
        want = ref_tc(S, *params, model=model, free_days=free_days)
        tc = fx.totalcost(S, *params, waiting_time=model, free_days=free_days)
        if want == mp.inf:
            assert tc.startswith("#NUM! infinite wait")
            continue
        assert tc == pytest.approx(float(want), rel=1e-9)
        wait = ref_wait(S, params[0], params[3], free_days, model)
        assert fx.backorder_wait(S, params[0], params[3], model, free_days) == \
            pytest.approx(float(wait * 365), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("model", ["exact", "erlang_c"])
@pytest.mark.parametrize("target,free_days", [(0.95, 0), (0.999, 0), (0.99, 10)])
def test_service_target_against_stepping_s(params, model, target, free_days):
    S_ref, tc_ref = ref_optimal(params, model, free_days, target)
    got = fx.optimal_s(*params, waiting_time=model, with_cost=True, free_days=free_days,
                       service_target=target)[0]
    assert got == [S_ref, pytest.approx(float(tc_ref), rel=1e-9)]
    assert fx.on_time_rate(S_ref, params[0], params[3], free_days, model) >= target


def test_breakeven_price_with_a_charged_order_wait():
    # The make-to-order side pays n ce (D_o - free_days)^+ too, so the break-even price is
    # (TC* - n Tr_out - n ce (D_o - w)^+) / n with TC* the stock optimum (brute force).
    S_ref, tc_ref = ref_optimal(REGULAR, "exact", 10)
    n = 60
    want = float((tc_ref - n * 5 - n * 100 * (10.1 - 10)) / n)
    got = fx.breakeven_price(*REGULAR, 5, free_days=10, mto_delivery_days=10.1)
    assert got == pytest.approx(want, rel=1e-10) and got > 0
    assert fx.totalcost("MTO", 2, 30, got, 10.1, 100, 0, 0, 5, 0, free_days=10) == \
        pytest.approx(float(tc_ref), rel=1e-10)


@pytest.mark.parametrize("Q,free,lead", [(20, 80, 86), (5, 10, 86), (3, 30, 40)])
def test_optimal_reorder_point_with_a_free_window(Q, free, lead):
    # docs/model.md 3.2: minimise 365 ce E[BO_w](s) + h E[OH](s) with E[BO_w] at
    # u_w = rate (L - w)^+; both by summing the X-by-U matrix, s* by exhaustive search.
    rate, h, ce = 2.0, 0.45, 100
    u, uw = rate * lead / 365, rate * (lead - free) / 365
    xs = range(0, 60)

    def bo(s, m):
        return mp.fsum(max(x - s - U, 0) * mp_poisson_pmf(x, m) for U in range(1, Q + 1) for x in xs) / Q

    def oh(s):
        return mp.fsum(max(s + U - x, 0) * mp_poisson_pmf(x, u) for U in range(1, Q + 1) for x in xs) / Q

    cost = {s: 365 * ce * bo(s, uw) + h * oh(s) for s in range(-Q, 12)}
    best = min(cost, key=lambda s: (cost[s], s))
    assert best < 10
    assert fx.optimal_reorder_point(Q, u, h, ce, free, lead) == best
    assert fx.optimal_reorder_point(Q, u, h, ce, free) == "#VALUE! lead_days must not be blank"


# --------------------------------------------------------------------------- service


def ref_sq_fill(s, Q, u):
    """Mean over j = 1..Q of P(Poisson(u) <= s + j - 1) (docs/model.md 3.4), summed."""
    return mp.fsum(mp_poisson_cdf(s + j - 1, u) for j in range(1, Q + 1)) / Q


@pytest.mark.parametrize("S,u", [(0, 0.47), (1, 0.47), (5, 2 * 86 / 365), (3, 2.5), (12, 8.0)])
def test_fill_rate_base_stock(S, u):
    assert fx.fill_rate(S, u) == pytest.approx(float(mp_poisson_cdf(S - 1, u)), rel=1e-12, abs=1e-15)
    want = 0.0 if S == 0 or S <= u else float(1 - mp_erlang_c(S, u))
    assert fx.fill_rate(S, u, "erlang_c") == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("s,Q,u", [(3, 20, 2 * 86 / 365), (-2, 5, 1.3), (0, 1, 0.8), (4, 3, 4.0)])
def test_fill_rate_sq(s, Q, u):
    assert fx.fill_rate(s, u, Q=Q) == pytest.approx(float(ref_sq_fill(s, Q, u)), rel=1e-10, abs=1e-15)
    assert fx.fill_rate(s, u, "erlang_c", Q).startswith('#VALUE! waiting_time "erlang_c" is for base stock')


@pytest.mark.parametrize("S,rate,lead,free", [(0, 2, 86, 0), (2, 2, 86, 30), (1, 2, 86, 60),
                                              (4, 6, 40, 10), (3, 0.5, 300, 100), (2, 2, 86, 90)])
@pytest.mark.parametrize("model", ["exact", "erlang_c"])
def test_on_time_rate_base_stock(S, rate, lead, free, model):
    want = float(ref_on_time(S, rate, lead, free, model))
    assert fx.on_time_rate(S, rate, lead, free, model) == pytest.approx(want, rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("s,Q,rate,lead,free", [(2, 10, 2, 86, 30), (-1, 4, 6, 40, 10), (1, 3, 2, 86, 0)])
def test_on_time_rate_sq(s, Q, rate, lead, free):
    uw = rate * max(lead - free, 0) / 365
    assert fx.on_time_rate(s, rate, lead, free, Q=Q) == pytest.approx(float(ref_sq_fill(s, Q, uw)), rel=1e-10)


# --------------------------------------------------------------------------- POLICY


def ref_sq_policy(moq, rate, years, price, lead_days, ce, cd, tr_in, tr_out, h):
    """(s*, TC) of an (s,Q) policy with several orders (thesis Eq. 15-26): E[OH] and E[BO]
    by the X-by-U matrix, s* by exhaustive search, billed = shipped = ceil(n/Q) Q."""
    n = mp.mpf(rate) * years
    u = mp.mpf(rate) * lead_days / 365
    xs = range(0, 80)
    pmf = [mp_poisson_pmf(x, u) for x in xs]
    best = None
    for s in range(-moq, 20):
        oh = mp.fsum(max(s + U - x, 0) * p for U in range(1, moq + 1) for x, p in zip(xs, pmf)) / moq
        bo = mp.fsum(max(x - s - U, 0) * p for U in range(1, moq + 1) for x, p in zip(xs, pmf)) / moq
        f = 365 * ce * bo * years + h * oh * years
        if best is None or f < best[1]:
            best = (s, f, oh, bo)
    s, f, oh, bo = best
    billed = mp.ceil(n / moq) * moq
    return s, f + n * cd + billed * price + billed * price * tr_in + n * tr_out


def test_policy_moq_1_is_optimal_s_with_service_measures():
    S_ref, tc_ref = ref_optimal(REGULAR, "exact")
    (row,) = fx.policy(*REGULAR)
    u = 2 * 86 / 365
    assert row[:3] == ["base_stock", S_ref, 1]
    assert row[3] == pytest.approx(float(tc_ref), rel=1e-10)
    assert row[4] == pytest.approx(float(mp_poisson_cdf(S_ref - 1, u)), rel=1e-12)   # fill
    assert row[5] == row[4]                                                             # no window
    assert row[6] == pytest.approx(float(mp_excess_wait_exact(S_ref, 2, mp.mpf(86) / 365, 0) * 365), rel=1e-9)
    assert fx.policy(*REGULAR, waiting_time="erlang_c")[0][3] == pytest.approx(1735.71, abs=0.005)


@pytest.mark.parametrize("moq", [2, 20, 40])
def test_policy_reorder_point_against_x_by_u_matrix(moq):
    s_ref, tc_ref = ref_sq_policy(moq, *REGULAR)
    (row,) = fx.policy(*REGULAR, moq)
    assert row[:3] == ["reorder_point", s_ref, moq]
    assert row[3] == pytest.approx(float(tc_ref), rel=1e-9)
    assert row[4] == pytest.approx(float(ref_sq_fill(s_ref, moq, 2 * 86 / 365)), rel=1e-10)


def test_policy_one_order_and_header_and_column():
    # moq 100 > n = 60 (docs/model.md 3.2): shipped = accepted_q = 85, billed 100,
    # E[OH] = 85 - 30; TC = 55*0.45*30 + 100*15 + 85*15*0.08 + 60*10 = 2944.5;
    # fill = E[min(N, 85)] / 60 with N ~ Poisson(60).
    fill = float(1 - mp.nsum(lambda k: (k - 85) * mp_poisson_pmf(int(k), 60), [86, mp.inf]) / 60)
    got = fx.policy(*REGULAR, 100, header=True)
    assert got[0] == list(fx.POLICY_COLUMNS)
    assert got[1][:4] == ["one_order", None, 100, pytest.approx(2944.5, rel=1e-12)]
    assert got[1][4] == pytest.approx(fill, rel=1e-12) and got[1][6] == 0.0
    # a column of moq: one row each, equal to the single calls; a bad row is an error row
    col = fx.policy(*REGULAR, [[1], [20], [100], [0]])
    assert col[:3] == [fx.policy(*REGULAR, m)[0] for m in (1, 20, 100)]
    assert col[3] == ["#NUM! moq must be >= 1 (got 0)"] * 7
    assert fx.policy(*REGULAR, 2.5)[0][0] == "#NUM! moq must be a whole number (got 2.5)"
    assert fx.policy(*REGULAR, 20, accepted_q_confidence=0.4)[0][0] == \
        "#NUM! accepted_q_confidence must be >= 0.5 and < 1 (got 0.4)"
    assert fx.policy([[1, 2]], *REGULAR[1:]) == \
        "#VALUE! POLICY needs the inputs in one column (one row per part)"


def test_policy_service_target_sq():
    # the cheapest reorder point whose on-time rate meets the target, by stepping s up
    u = 2 * 86 / 365
    s_free, _ = ref_sq_policy(20, *REGULAR)
    s_min = next(s for s in range(-20, 30) if ref_sq_fill(s, 20, u) >= 0.99999999)
    (row,) = fx.policy(*REGULAR, 20, service_target=0.99999999)
    assert row[1] == max(s_free, s_min) and row[5] >= 0.99999999


# --------------------------------------------------------------------------- DEMAND_RATE


def test_demand_rate_against_garwood_and_sbc():
    # 10 years monthly, 20 units: rate 2/yr, interval chi2.ppf(a/2, 2N)/2T .. chi2.ppf(1-a/2, 2N+2)/2T
    h1 = [2, 0, 0, 1] + [0] * 115 + [17]
    # 2 years monthly, demand of 1 in 6 months spread evenly: ADI = 24/6 = 4 > 1.32, one size: intermittent
    h2 = [0, 0, 0, 1] * 6
    got = fx.demand_rate([h1, h2 + [None] * (120 - 24)], header=True)
    assert got[0] == ["rate", "lower", "upper", "class"]
    assert got[1][:3] == [2.0, pytest.approx(chi2.ppf(0.05, 40) / 20, rel=1e-10),
                          pytest.approx(chi2.ppf(0.95, 42) / 20, rel=1e-10)]
    assert got[1][3] == "lumpy"
    assert got[2][:3] == [3.0, pytest.approx(chi2.ppf(0.05, 12) / 4, rel=1e-10),
                          pytest.approx(chi2.ppf(0.95, 14) / 4, rel=1e-10)]
    assert got[2][3] == "intermittent"
    # a single column is one part; quarterly periods; 80 % level
    col = [[x] for x in [1, 0, 2, 0, 0, 1, 0, 0]]
    (row,) = fx.demand_rate(col, 4, 0.8)
    assert row[:3] == [2.0, pytest.approx(chi2.ppf(0.1, 8) / 4), pytest.approx(chi2.ppf(0.9, 10) / 4)]
    assert fx.demand_rate([[0] * 12])[0] == [0.0, 0.0, pytest.approx(-np.log(0.05)), "no demand"]


def test_demand_rate_errors_per_part():
    got = fx.demand_rate([[1, 0, 2], [1, -1, 0], [None, None, None], [1, "#N/A", 0]])
    # demand in periods 1 and 3: ADI = 3/2 > 1.32; sizes 1, 2: CV^2 = 0.5 / 1.5^2 = 0.22
    assert got[0][3] == "intermittent"
    assert got[1] == ["#NUM! history (row 2, period 2) must be >= 0 (got -1)"] * 4
    assert got[2] == ["#VALUE! history has no observed period (all blank)"] * 4
    assert got[3] == ["#N/A history (row 4, period 2) is #N/A"] * 4
    assert fx.demand_rate([[1, 0.5]])[0][0] == "#NUM! history (period 2) must be a whole number (got 0.5)"
    assert fx.demand_rate([[1, 0]], 0) == "#NUM! periods_per_year must be > 0 (got 0)"
    assert fx.demand_rate([[1, 0]], 12, 1) == "#NUM! level must be strictly between 0 and 1 (got 1)"


# --------------------------------------------------------------------------- CATALOGUE


def _case_study_result(overrides):
    base = load_scenario()
    ev = evaluate(bind({**base.inputs(), **overrides}, base.methods))
    return ev


def test_catalogue_matches_evaluate_per_row():
    table = [["sku", "demand.rate_per_year", "methods.regular.moq", "methods.am_mto.price"],
             ["CASE", 2, None, None],
             ["FAST", 6.5, 20, 90],
             ["BAD", -1, None, None],
             ["ERR", "#N/A", None, None],
             ["HALF", 2, 2.5, None]]
    got = fx.catalogue(table)
    header = got[0]
    rows = {r[0]: dict(zip(header, r)) for r in got[1:]}
    case = rows["CASE"]
    # docs/model.md section 8 (the case study sets the thesis's switches)
    assert case["regular.S"] == 5 and case["regular.total_cost"] == pytest.approx(1735.71, abs=0.005)
    assert case["am_mto.total_cost"] == pytest.approx(10800, abs=1e-9)
    assert case["cheapest"] == "regular" and case["error"] == ""
    ev = _case_study_result({"demand.rate_per_year": 6.5, "methods.regular.moq": 20.0,
                             "methods.am_mto.price": 90.0})
    fast = rows["FAST"]
    for m, res in ev.methods.items():
        assert fast[f"{m}.total_cost"] == pytest.approx(float(res.total_cost[0]), rel=1e-12)
    assert fast["cheapest"] == str(ev.cheapest[0])
    assert rows["BAD"]["error"] == "row 4, demand.rate_per_year = -1: must be >= 0"
    assert rows["BAD"]["regular.total_cost"] is None and rows["BAD"]["cheapest"] is None
    assert rows["ERR"]["error"] == "row 5, demand.rate_per_year = #N/A: an Excel error value"
    assert rows["HALF"]["error"] == "row 6, methods.regular.moq = 2.5: must be a whole number"
    # without the header row: the same rows
    assert fx.catalogue(table, None, False) == got[1:]


def test_catalogue_base_scenario_and_table_errors(tmp_path):
    text = (ROOT / "pysrc" / "amspares" / "data" / "case_study.toml").read_text(encoding="utf-8")
    path = tmp_path / "base.toml"
    path.write_text(text.replace("rate_per_year = 2.0", "rate_per_year = 4.0", 1), encoding="utf-8")
    got = fx.catalogue([["sku"], ["A"]], str(path))
    assert got[1][1] == 4.0
    assert got[1][header_index(got, "regular.total_cost")] == pytest.approx(
        float(_case_study_result({"demand.rate_per_year": 4.0}).methods["regular"].total_cost[0]), rel=1e-12)
    assert fx.catalogue([["rate"], [2]]).startswith("#VALUE! table: the catalogue has no 'sku' column")
    assert fx.catalogue([["sku", "demand.rate_per_year"]]) == \
        "#VALUE! table needs a header row and at least one row of parts"
    missing = fx.catalogue([["sku"], ["A"]], str(tmp_path / "nope.toml"))
    assert missing.startswith('#VALUE! base_scenario_path = "') and len(udfs.CATALOGUE([["sku"], ["A"]], str(tmp_path / "nope.toml"))) <= 255


def header_index(out, name):
    return out[0].index(name)


def test_catalogue_is_one_vectorised_call(monkeypatch):
    # 2,000 rows, one waiting-time model: evaluate runs once
    import amspares.portfolio.chunks as chunks

    calls = []
    # the portfolio's one evaluation call (by either name the chunk evaluator has used)
    name = "evaluate_inputs" if hasattr(chunks, "evaluate_inputs") else "evaluate"
    real = getattr(chunks, name)
    monkeypatch.setattr(chunks, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    rates = np.linspace(0, 20, 2000)
    table = [["sku", "demand.rate_per_year"]] + [[f"S{i}", float(r)] for i, r in enumerate(rates)]
    got = fx.catalogue(table, header=False)
    assert len(got) == 2000 and len(calls) == 1
    assert all(r[-1] == "" for r in got)


def test_error_texts_fit_in_a_cell():
    long_table = [["sku", "x" * 300], ["A", 1]]
    out = udfs.CATALOGUE(long_table)
    assert all(len(c) <= 255 for row in out for c in row if isinstance(c, str))
    assert len(udfs.POLICY(*REGULAR, "x" * 400)[0][0]) <= 255


# --------------------------------------------------------------------------- arrays


def test_new_functions_arrays_equal_element_wise():
    rng = np.random.default_rng(11)
    S = rng.integers(0, 8, 15).tolist()
    u = rng.uniform(0.05, 5, 15).round(3).tolist()
    got = fx.fill_rate([[float(x)] for x in S], [[x] for x in u])
    assert got == [[fx.fill_rate(a, b)] for a, b in zip(S, u)]
    free = rng.uniform(0, 60, 15).round(1).tolist()
    got = fx.on_time_rate([[float(x)] for x in S], 2, 86, [[x] for x in free], "erlang_c")
    assert got == [[fx.on_time_rate(a, 2, 86, f, "erlang_c")] for a, f in zip(S, free)]
    rates = rng.uniform(0, 6, 10).round(2).tolist()
    moqs = rng.integers(1, 50, 10).tolist()
    got = fx.policy([[r] for r in rates], *REGULAR[1:], [[float(m)] for m in moqs])
    assert got == [fx.policy(r, *REGULAR[1:], m)[0] for r, m in zip(rates, moqs)]

