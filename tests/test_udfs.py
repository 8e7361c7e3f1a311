"""The Excel functions (docs/model.md section 7), called as plain Python.

Where expected numbers come from:

* the reference values of docs/model.md section 8 (TOTALCOST 1735.71, OPTIMAL_S 5, MTO 10800,
  ERLANGC 0.00013345406250, ACCEPTED_Q 85) and the JSON example of section 6 (impact
  18913.75, which the comment next to the test also derives by hand);
* an independent reference implementation in this file, written from the
  formulas of docs/model.md with mpmath at 40 digits: Erlang C by its textbook factorial formula (not the
  Erlang B recursion of the core), the exact wait and the (s,Q) expectations by
  brute-force summation over the Poisson distribution (the thesis's X-by-U matrix),
  TC(S) of Eq. 1 term by term, and S* / s* by exhaustive search;
* Table 4's transport factors multiplied by hand.

Array calls are compared with element-wise calls of the same function; error texts
are compared with the texts the functions promise in their docstrings.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from references import mp_erlang_c

import amspares.udfs as udfs
from amspares.excel import functions as fx

mp.mp.dps = 40

# The case study's regular supplier (docs/model.md section 2): rate, years, price, lead_days,
# emergency_per_day, regular_per_demand, inbound_share, outbound_per_part, holding.
REGULAR = (2, 30, 15, 86, 100, 0, 0.08, 10, 0.45)
AM_MTS = (2, 30, 175, 11, 100, 0, 0.08, 10, 0.45)


# --------------------------------------------------------------------------- reference


def ref_pmf(k, m):
    return mp.e ** (-mp.mpf(m)) * mp.mpf(m) ** k / mp.factorial(k) if m > 0 else mp.mpf(k == 0)


def ref_wait_years(S, rate, lead_years, model):
    u = mp.mpf(rate) * lead_years
    if model == "erlang_c":
        if S == 0:
            return mp.mpf(lead_years)
        if S <= u:
            return mp.inf
        return mp_erlang_c(S, u) * lead_years / (S - u)          # Eq. 6
    if rate == 0:
        return mp.mpf(0)
    ebo = mp.fsum((k - S) * ref_pmf(k, u) for k in range(S + 1, S + 60 + int(10 * u)))
    return ebo / rate                                              # Little's law


def ref_tc(S, rate, years, price, lead_days, ce, cd, tr_in, tr_out, h, inv=0, bp=0,
           model="erlang_c"):
    """TC(S) of thesis Eq. 1 with Eq. 7-13, term by term (docs/model.md section 3.1)."""
    n = mp.mpf(rate) * years
    w = ref_wait_years(S, rate, mp.mpf(lead_days) / 365, model)
    cd_total = (365 * w * n * ce if n * ce else 0) + n * cd
    cp_total = n * price
    cr = price * S
    return (cd_total + h * S * years + cp_total + cr + (cp_total + cr) * tr_in + n * tr_out
            + inv - mp.mpf(bp) * n * years / 2)


def ref_optimal(params, model="erlang_c", inv=0, bp=0, smax=30):
    costs = [ref_tc(S, *params, inv=inv, bp=bp, model=model) for S in range(smax)]
    best = min(range(smax), key=lambda S: (costs[S], S))
    assert best < smax - 5, "search range too small"
    return best, costs[best]


def ref_sq(s, Q, u):
    """(E[OH], E[BO]) of an (s,Q) policy by summing the X-by-U matrix (thesis Eq. 21-25)."""
    xs = range(0, int(s + Q + 60 + 20 * u))
    pmf = [ref_pmf(x, u) for x in xs]
    oh = mp.fsum(max(s + U - x, 0) * p for U in range(1, Q + 1) for x, p in zip(xs, pmf)) / Q
    bo = mp.fsum(max(x - s - U, 0) * p for U in range(1, Q + 1) for x, p in zip(xs, pmf)) / Q
    return oh, bo


PARAM_SETS = [
    REGULAR,
    AM_MTS,
    (0.5, 10, 40, 30, 500, 20, 0.1, 3, 1.2),
    (7, 5, 2, 120, 10, 0, 0, 0, 0.05),
    (0.05, 30, 80, 200, 1000, 0, 0.05, 8, 2.0),
]


# --------------------------------------------------------------------------- references


def test_spec_reference_values():
    # docs/model.md section 8, with the thesis's switches (version 2 defaults are "exact" and "charged")
    assert fx.totalcost(5, *REGULAR, waiting_time="erlang_c") == pytest.approx(1735.71, abs=0.005)
    assert fx.optimal_s(*REGULAR, waiting_time="erlang_c") == 5
    assert fx.totalcost("MTO", 2, 30, 175, 11, 100, 0, 0, 5, 0.45, order_wait="free") == \
        pytest.approx(10800, abs=1e-9)
    assert fx.erlangc(5, 2 * 86 / 365) == pytest.approx(0.00013345406250, rel=1e-12)
    assert fx.accepted_q(60) == 85
    assert fx.mto_cost(2, 30, 175, 0, 5) == pytest.approx(10800, abs=1e-9)


def test_udf_module_gives_the_same_as_the_pure_functions():
    assert udfs.TOTALCOST(5, *REGULAR) == fx.totalcost(5, *REGULAR)
    assert udfs.OPTIMAL_S(*REGULAR, with_cost=True) == fx.optimal_s(*REGULAR, with_cost=True)
    assert udfs.ERLANGC([[5]], [[2 * 86 / 365]]) == [[fx.erlangc(5, 2 * 86 / 365)]]


def test_ecompts_case_study():
    # docs/model.md section 6: regular at S* = 5 is 18913.75 mPts. By hand (docs/model.md section 4):
    # up = 0.25/0.8 = 0.3125 kg; EM = 630*0.3125*65 = 12796.875; EP = 65*0.25*44 = 715;
    # ET = 65*0.3125*(5000*0.022) + 65*0.25*(5000*0.022) + 60*0.25*(100*0.14 + 1000*0.078)
    #    = 2234.375 + 1787.5 + 1380 = 5401.875; total 18913.75.
    got = fx.ecompts(65, 65, 60, 0.25, 630, 0.8, 44, 110, 110, 92)
    assert got == pytest.approx(18913.75, rel=1e-12)
    # extra impact per part produced: + 65 * 2 (EE = extra P)
    assert fx.ecompts(65, 65, 60, 0.25, 630, 0.8, 44, 110, 110, 92, 2) == pytest.approx(18913.75 + 130)


@pytest.mark.parametrize("S,u", [(1, 0.3), (2, 0.5), (5, 2 * 86 / 365), (12, 7.5), (40, 31.2),
                                 (3, 3.0), (2, 5.0), (0, 0.0)])
def test_erlangc_against_factorial_formula(S, u):
    assert fx.erlangc(S, u) == pytest.approx(float(mp_erlang_c(S, u)), rel=1e-12)


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("model", ["erlang_c", "exact"])
def test_optimal_s_and_totalcost_against_brute_force(params, model):
    S_ref, tc_ref = ref_optimal(params, model)
    assert fx.optimal_s(*params, waiting_time=model) == S_ref
    S, tc = fx.optimal_s(*params, waiting_time=model, with_cost=True)[0]
    assert (S, tc) == (S_ref, pytest.approx(float(tc_ref), rel=1e-10))
    for s in range(0, S_ref + 4):
        want = ref_tc(s, *params, model=model)
        got = fx.totalcost(s, *params, waiting_time=model)
        if want == mp.inf:
            assert got.startswith("#NUM! infinite wait")
        else:
            assert got == pytest.approx(float(want), rel=1e-10)


def test_investment_and_benefit():
    # I is added, B = bp n T / 2 subtracted (Eq. 1, 13); S* unchanged by either.
    S_ref, tc_ref = ref_optimal(REGULAR, inv=3000, bp=0.5)
    assert fx.optimal_s(*REGULAR, 3000, 0.5, "erlang_c", with_cost=True) == \
        [[S_ref, pytest.approx(float(tc_ref), rel=1e-10)]]
    assert fx.totalcost(5, *REGULAR, 3000, 0.5, "erlang_c") == \
        pytest.approx(float(ref_tc(5, *REGULAR, inv=3000, bp=0.5)))


def test_totalcost_mto_ignores_stock_only_inputs():
    # docs/model.md section 3.3: TC = n cp + n cd + n Tr_out + I - B; here 60*175 + 60*20 + 60*5 + 100 - 0.4*60*30/2
    want = 60 * 175 + 60 * 20 + 60 * 5 + 100 - 0.4 * 60 * 30 / 2
    assert fx.totalcost("MTO", 2, 30, 175, 11, 100, 20, 0.5, 5, 0.45, 100, 0.4,
                        order_wait="free") == pytest.approx(want)
    assert fx.totalcost("mto", 2, 30, 175, None, None, 20, None, 5, None, 100, 0.4,
                        order_wait="free") == pytest.approx(want)
    assert fx.mto_cost(2, 30, 175, 20, 5, 100, 0.4) == pytest.approx(want)


@pytest.mark.parametrize("S,rate,lead", [(0, 2, 86), (1, 2, 86), (3, 2, 86), (5, 2, 86),
                                         (2, 0.5, 300), (4, 6, 40)])
@pytest.mark.parametrize("model", ["erlang_c", "exact"])
def test_backorder_wait_in_days(S, rate, lead, model):
    want = ref_wait_years(S, rate, mp.mpf(lead) / 365, model) * 365
    got = fx.backorder_wait(S, rate, lead, model)
    if want == mp.inf:
        assert got.startswith("#NUM! infinite wait")
    else:
        assert got == pytest.approx(float(want), rel=1e-10, abs=1e-300)


def test_backorder_wait_spec_ratio():
    # docs/model.md section 3.1: Erlang C overstates the exact wait 4.4-fold at S = 1 in the case study
    ratio = fx.backorder_wait(1, 2, 86, "erlang_c") / fx.backorder_wait(1, 2, 86, "exact")
    assert round(ratio, 1) == 4.4


@pytest.mark.parametrize("s,Q,u", [(0, 1, 0.47), (3, 20, 2 * 86 / 365), (-2, 5, 1.3),
                                   (4, 3, 4.0), (-5, 5, 0.8), (10, 40, 6.5)])
def test_sq_expectations_against_x_by_u_matrix(s, Q, u):
    oh, bo = ref_sq(s, Q, u)
    assert fx.sq_onhand(s, Q, u) == pytest.approx(float(oh), rel=1e-9, abs=1e-15)
    assert fx.sq_backorders(s, Q, u) == pytest.approx(float(bo), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("Q,u,h,ce", [(20, 2 * 86 / 365, 0.45, 100), (5, 1.3, 1.0, 10),
                                      (1, 0.47, 0.45, 100), (10, 4.0, 2.0, 0.5), (3, 0.2, 5, 0)])
def test_optimal_reorder_point_against_exhaustive_search(Q, u, h, ce):
    # docs/model.md section 3.2: s* minimises CD + CH = T (365 ce E[BO](s) + h E[OH](s)) over s >= -Q
    cands = range(-Q, 16)
    sums = {s: ref_sq(s, Q, u) for s in cands}
    cost = {s: 365 * ce * sums[s][1] + h * sums[s][0] for s in cands}
    best = min(cands, key=lambda s: (cost[s], s))
    assert best < 12, "search range too small"
    assert fx.optimal_reorder_point(Q, u, h, ce) == best


@pytest.mark.parametrize("n,c", [(60, 0.999), (0.5, 0.9), (10, 0.5), (200, 0.99), (0, 0.999)])
def test_accepted_q_against_summation(n, c):
    # Eq. 31: smallest k with P{Poisson(n) <= k} >= c, by summing the pmf in 40 digits
    k, cdf = 0, ref_pmf(0, n)
    while cdf < c:
        k += 1
        cdf += ref_pmf(k, n)
    assert fx.accepted_q(n, c) == k


def test_breakeven_price():
    # Case study (docs/model.md section 5.2): AM MTO costs n cp + n Tr_out = 60 cp + 60*5; it equals the
    # optimal regular total (brute force) at cp = (TC* - 300) / 60.
    S_ref, tc_ref = ref_optimal(REGULAR)
    want = float((tc_ref - 60 * 5) / 60)
    assert fx.breakeven_price(*REGULAR, 5, waiting_time="erlang_c") == pytest.approx(want, rel=1e-10)
    assert want == pytest.approx((1735.71 - 300) / 60, abs=1e-4)     # docs/model.md section 8 total
    # With a stock-side investment, a shared cd, an MTO investment and benefit:
    params = (0.5, 10, 40, 30, 500, 20, 0.1, 3, 1.2)
    S_ref, tc_ref = ref_optimal(params, "exact", inv=1000)
    n = 5
    want = float((tc_ref - n * 20 - n * 4 - 250 + 0.6 * n * 10 / 2) / n)
    got = fx.breakeven_price(*params, 4, 1000, 0, 250, 0.6, "exact")
    assert got == pytest.approx(want, rel=1e-10)
    # ... and printing at that price costs exactly the stock optimum
    assert fx.totalcost("MTO", 0.5, 10, got, None, None, 20, None, 4, None, 250, 0.6,
                        order_wait="free") == \
        pytest.approx(float(tc_ref), rel=1e-10)


def test_transport_mpts_table_4():
    # Table 4: truck_28t 0.022, van 0.14, plane 0.078, ship 0.0011 mPts/(kg km)
    assert fx.transport_mpts("truck_28t", 5000) == pytest.approx(110.0)
    assert fx.transport_mpts([["van"], ["plane"]], [[100], [1000]]) == pytest.approx(92.0)
    assert fx.transport_mpts([["Ship", "VAN"]], [[12000, 30]]) == pytest.approx(12000 * 0.0011 + 30 * 0.14)
    # blank rows are skipped (a fixed-size table with empty rows); a number is a custom factor
    assert fx.transport_mpts([["van"], [None], [0.5]], [[100], [None], [10]]) == pytest.approx(14 + 5)
    assert fx.transport_mpts([[None]], [[None]]) == 0.0


# --------------------------------------------------------------------------- arrays


def column(values):
    return [[v] for v in values]


def test_optimal_s_array_equals_element_wise():
    rng = np.random.default_rng(4)
    rates = rng.uniform(0, 8, 200).round(3).tolist()
    prices = rng.uniform(1, 200, 200).round(2).tolist()
    got = fx.optimal_s(column(rates), 30, column(prices), 86, 100, 0, 0.08, 10, 0.45,
                       with_cost=True)
    assert len(got) == 200 and all(len(r) == 2 for r in got)
    for r, p, (S, tc) in zip(rates, prices, got):
        assert [[S, tc]] == fx.optimal_s(r, 30, p, 86, 100, 0, 0.08, 10, 0.45, with_cost=True)
        assert isinstance(S, int)
    plain = fx.optimal_s(column(rates), 30, column(prices), 86, 100, 0, 0.08, 10, 0.45)
    assert plain == [[S] for S, _ in got]


def test_broadcasting_row_against_column():
    # a column of S against a row of rates: a table, cell (i, j) = TOTALCOST(S_i, rate_j)
    got = fx.totalcost(column([0, 3, 5, 8]), [[0.5, 2, 4]], 30, 15, 86, 100, 0, 0.08, 10, 0.45)
    assert np.shape(got) == (4, 3)
    for i, S in enumerate([0, 3, 5, 8]):
        for j, rate in enumerate([0.5, 2, 4]):
            single = fx.totalcost(S, rate, 30, 15, 86, 100, 0, 0.08, 10, 0.45)
            assert got[i][j] == single


@pytest.mark.parametrize("name,args,array_pos", [
    ("erlangc", (None, 1.7), [0]),
    ("totalcost", (None, *REGULAR), [0, 1]),
    ("ecompts", (None, 65, 60, 0.25, 630, 0.8, 44, 110, 110, 92), [0, 3]),
    ("accepted_q", (None, 0.999), [0]),
    ("sq_onhand", (None, 20, 0.47), [0]),
    ("sq_backorders", (None, 20, 0.47), [0]),
    ("backorder_wait", (None, 2, 86), [0]),
    ("breakeven_price", (None, 30, 15, 86, 100, 0, 0.08, 10, 0.45, 5), [0, 2]),
    ("optimal_reorder_point", (None, 0.47, 0.45, 100), [0]),
    ("mto_cost", (None, 30, 175, 0, 5), [0, 2]),
])
def test_every_function_array_equals_element_wise(name, args, array_pos):
    fn = getattr(fx, name)
    rng = np.random.default_rng(7)
    count = 25
    cols = {}
    for pos in array_pos:
        if name in ("erlangc", "backorder_wait", "totalcost") and pos == 0:
            vals = rng.integers(0, 12, count).tolist()                 # S
        elif name.startswith("sq") or name == "optimal_reorder_point":
            vals = rng.integers(1, 30, count).tolist()                 # s or Q
        else:
            vals = rng.uniform(0.1, 90, count).round(3).tolist()
        cols[pos] = vals
    call = list(args)
    for pos, vals in cols.items():
        call[pos] = column([float(v) for v in vals])                   # Excel passes floats
    got = fn(*call)
    assert np.shape(got) == (count, 1)
    for i in range(count):
        single = list(args)
        for pos, vals in cols.items():
            single[pos] = vals[i]
        assert got[i][0] == fn(*single)


def test_numpy_arrays_and_1d_lists_are_columns():
    rates = np.array([1.0, 2.0, 3.0])
    assert fx.optimal_s(rates, *REGULAR[1:]) == fx.optimal_s([1, 2, 3], *REGULAR[1:]) == \
        [[fx.optimal_s(r, *REGULAR[1:])] for r in (1, 2, 3)]


# --------------------------------------------------------------------------- coercion


def test_floats_as_integers_and_numeric_text():
    assert fx.erlangc(5.0, 2 * 86 / 365) == fx.erlangc(5, 2 * 86 / 365)
    assert fx.totalcost(" 5 ", *REGULAR) == fx.totalcost(5, *REGULAR)
    assert fx.optimal_s("2", *REGULAR[1:]) == 5
    assert fx.sq_onhand(3.0, 20.0, 0.47) == fx.sq_onhand(3, 20, 0.47)
    assert fx.accepted_q(np.float64(60)) == 85


def test_blank_optionals_take_defaults():
    base = fx.optimal_s(*REGULAR, with_cost=True)
    assert fx.optimal_s(*REGULAR, None, None, None, None) == fx.optimal_s(*REGULAR)
    assert fx.optimal_s(*REGULAR, "", " ", "", True) == base
    assert fx.totalcost(5, *REGULAR, None, None, None) == fx.totalcost(5, *REGULAR)
    assert fx.accepted_q(60, None) == 85
    assert fx.ecompts(65, 65, 60, 0.25, 630, 0.8, 44, 110, 110, 92, None) == \
        fx.ecompts(65, 65, 60, 0.25, 630, 0.8, 44, 110, 110, 92)
    # in a range, a blank optional cell is the default for that row only
    got = fx.optimal_s(*REGULAR, [[None], [3000]], with_cost=True)
    assert got[0] == base[0] and got[1][1] == pytest.approx(base[0][1] + 3000)


def test_blank_required_cell_is_an_error_for_that_row_only():
    got = fx.optimal_s(column([2, None, 2, ""]), *REGULAR[1:])
    assert got == [[5], ["#VALUE! rate must not be blank"], [5], ["#VALUE! rate must not be blank"]]
    got = fx.optimal_s(column([2, None]), *REGULAR[1:], with_cost=True)
    assert got[0][0] == 5
    assert got[1] == ["#VALUE! rate must not be blank"] * 2
    assert fx.erlangc(None, 1) == "#VALUE! S must not be blank"
    assert fx.totalcost(5, 2, 30, 15, None, 100, 0, 0.08, 10, 0.45) == "#VALUE! lead_days must not be blank"


def test_settings_accept_case_and_flags():
    exact = fx.optimal_s(*REGULAR, waiting_time="exact")
    assert fx.optimal_s(*REGULAR, waiting_time=" EXACT ") == exact
    assert fx.optimal_s(*REGULAR, waiting_time=[["exact"]]) == exact
    assert fx.optimal_s(*REGULAR, with_cost=1) == fx.optimal_s(*REGULAR, with_cost=True)
    assert fx.optimal_s(*REGULAR, with_cost=0.0) == 5
    assert fx.optimal_s(*REGULAR, with_cost="TRUE") == fx.optimal_s(*REGULAR, with_cost=True)


# --------------------------------------------------------------------------- error texts

ERRORS = [
    (lambda: fx.erlangc(-1, 0.5), "#NUM! S must be >= 0 (got -1)"),
    (lambda: fx.erlangc(2.5, 0.5), "#NUM! S must be a whole number (got 2.5)"),
    (lambda: fx.erlangc(2_000_000, 0.5), "#NUM! S must be <= 1000000 (got 2000000)"),
    (lambda: fx.erlangc(2, -0.5), "#NUM! u must be >= 0 (got -0.5)"),
    (lambda: fx.erlangc(2, math.inf), "#NUM! u must be a finite number (got inf)"),
    (lambda: fx.erlangc(2, "abc"), '#VALUE! u must be a number (got "abc")'),
    (lambda: fx.erlangc(True, 1), "#VALUE! S must be a number (got TRUE)"),
    (lambda: fx.erlangc(2, "#N/A"), "#N/A u is #N/A"),
    (lambda: fx.erlangc(2, [[1, 2], [3]]), "#VALUE! u must be a rectangular range"),
    (lambda: fx.erlangc(2, []), "#VALUE! u is an empty range"),
    (lambda: fx.erlangc(2, object()), "#VALUE! u must be a number (got object)"),
    (lambda: fx.erlangc(column([1, 2]), column([1, 2, 3])),
     "#VALUE! ranges of different sizes (S 2x1, u 3x1)"),
    (lambda: fx.optimal_s(-1, *REGULAR[1:]), "#NUM! rate must be >= 0 (got -1)"),
    (lambda: fx.optimal_s(2, 0, *REGULAR[2:]), "#NUM! years must be > 0 (got 0)"),
    (lambda: fx.optimal_s(2, 30, 15, 86, 100, 0, 1.5, 10, 0.45),
     "#NUM! inbound_share must be between 0 and 1 (got 1.5)"),
    (lambda: fx.optimal_s(*REGULAR, waiting_time="erl"),
     '#VALUE! waiting_time must be "erlang_c" or "exact" (got "erl")'),
    (lambda: fx.optimal_s(*REGULAR, waiting_time=3),
     '#VALUE! waiting_time must be "erlang_c" or "exact" (got 3)'),
    (lambda: fx.optimal_s(*REGULAR, waiting_time=[["exact", "exact"]]),
     "#VALUE! waiting_time must be a single cell"),
    (lambda: fx.optimal_s(*REGULAR, waiting_time="#REF!"), "#REF! waiting_time is #REF!"),
    (lambda: fx.optimal_s(*REGULAR, with_cost="yes"), '#VALUE! with_cost must be TRUE or FALSE (got "yes")'),
    (lambda: fx.optimal_s(*REGULAR, with_cost=2), "#VALUE! with_cost must be TRUE or FALSE (got 2)"),
    (lambda: fx.optimal_s([[1, 2]], *REGULAR[1:], with_cost=True),
     "#VALUE! with_cost=TRUE needs the inputs in one column"),
    (lambda: fx.totalcost("x", *REGULAR), '#VALUE! S must be a number or "MTO" (got "x")'),
    (lambda: fx.totalcost(1, 5, 30, 15, 86, 100, 0, 0.08, 10, 0.45, waiting_time="erlang_c"),
     '#NUM! infinite wait: with waiting_time "erlang_c" the queue is unstable for 1 <= S <= u;'
     ' raise S or use "exact"'),
    (lambda: fx.ecompts(65, 65, 60, 0.25, 630, 0, 44, 110, 110, 92),
     "#NUM! material_efficiency must be > 0 and <= 1 (got 0)"),
    (lambda: fx.accepted_q(60, 1), "#NUM! confidence must be strictly between 0 and 1 (got 1)"),
    (lambda: fx.sq_onhand(-6, 5, 1), "#NUM! s must be >= -Q (got s = -6, Q = 5)"),
    (lambda: fx.sq_backorders(1, 0, 1), "#NUM! Q must be >= 1 (got 0)"),
    (lambda: fx.backorder_wait(1, 5, 86, "erlang_c"), '#NUM! infinite wait: with waiting_time "erlang_c" the'
     ' queue is unstable for 1 <= S <= u; raise S or use "exact"'),
    (lambda: fx.breakeven_price(0, 30, 15, 86, 100, 0, 0.08, 10, 0.45, 5),
     "#DIV/0! no demand (rate x years = 0): no break-even price"),
    (lambda: fx.breakeven_price(*REGULAR, -5), "#NUM! mto_outbound_per_part must be >= 0 (got -5)"),
    (lambda: fx.transport_mpts(["van", "bus"], [1, 2]),
     '#VALUE! modes (leg 2) = "bus": unknown transport_modes name (known: van, truck_16t, '
     "truck_28t, truck_40t, ship, plane, plane_rf)"),
    (lambda: fx.transport_mpts(["van", -0.5], [1, 2]), "#NUM! modes (leg 2) = -0.5: must be >= 0"),
    (lambda: fx.transport_mpts(["van"], [1, 2]),
     "#VALUE! modes and kms must have the same number of cells (got 1 and 2)"),
    (lambda: fx.transport_mpts(["van", "ship"], [1, -2]), "#NUM! kms (leg 2) must be >= 0 (got -2)"),
    (lambda: fx.transport_mpts(["van", None], [1, 2]), "#VALUE! modes (leg 2) must not be blank"),
    (lambda: fx.transport_mpts(["van", "ship"], [1, None]), "#VALUE! kms (leg 2) must not be blank"),
    (lambda: fx.transport_mpts(["van", True], [1, 2]),
     "#VALUE! modes (leg 2) must be a mode name or a number (got TRUE)"),
    (lambda: fx.transport_mpts(["van", "#N/A"], [1, 2]), "#N/A modes (leg 2) is #N/A"),
    (lambda: fx.optimal_reorder_point(0, 1, 1, 1), "#NUM! Q must be >= 1 (got 0)"),
    (lambda: fx.mto_cost(2, 30, -175, 0, 5), "#NUM! price must be >= 0 (got -175)"),
]


@pytest.mark.parametrize("call,text", ERRORS, ids=[t for _, t in ERRORS])
def test_error_texts(call, text):
    assert call() == text


def test_first_argument_error_wins_and_other_rows_still_compute():
    got = fx.totalcost(column([5, -1, 5, "MTO"]), column([2, 2, -2, 2]), 30, 15, 86, 100, 0,
                       0.08, 10, 0.45, waiting_time="erlang_c", order_wait="free")
    assert got[0][0] == pytest.approx(1735.71, abs=0.005)
    assert got[1] == ["#NUM! S must be >= 0 (got -1)"]
    assert got[2] == ["#NUM! rate must be >= 0 (got -2)"]
    assert got[3][0] == pytest.approx(60 * 15 + 60 * 10)       # MTO at the regular price


def test_udf_turns_unexpected_exceptions_into_one_line(monkeypatch):
    def boom(*args):
        raise RuntimeError("something\nbroke")
    monkeypatch.setattr(fx, "erlangc", boom)
    assert udfs.ERLANGC(1, 1) == "#VALUE! ERLANGC failed unexpectedly: RuntimeError: something broke"


# --------------------------------------------------------------------------- wizard texts


def test_every_function_and_argument_has_wizard_help_within_excel_limits():
    import inspect
    for name in udfs.__all__:
        f = getattr(udfs, name)
        assert f.__doc__ == fx.DESCRIPTIONS[name]
        assert 20 < len(f.__doc__) <= 255 and "\n" not in f.__doc__
        params = inspect.signature(f).parameters
        assert list(params) == list(inspect.signature(fx.FUNCTIONS[name]).parameters)
        for arg in params:
            text = fx.arg_help(name, arg)
            assert 10 < len(text) <= 255, (name, arg)
            assert "Positional argument" not in text
            if params[arg].default is not inspect.Parameter.empty:
                assert text.startswith("Optional") or "optional" in text.lower(), (name, arg)


def test_spec_names_and_argument_order():
    import inspect
    sig = lambda f: list(inspect.signature(f).parameters)  # noqa: E731
    assert sig(udfs.ERLANGC) == ["S", "u"]
    assert sig(udfs.TOTALCOST) == ["S", "rate", "years", "price", "lead_days", "emergency_per_day",
                                   "regular_per_demand", "inbound_share", "outbound_per_part",
                                   "holding_per_part_year", "investment", "benefit_per_part_year",
                                   "waiting_time", "free_days", "order_wait"]
    # version 2: the new inputs are optional trailing arguments (docs/model.md, Excel functions)
    assert sig(udfs.OPTIMAL_S) == sig(udfs.TOTALCOST)[1:13] + ["with_cost", "free_days",
                                                               "service_target"]
    assert sig(udfs.ECOMPTS) == ["produced", "shipped_to_warehouse", "delivered", "weight_kg",
                                 "material_mpts_per_kg", "material_efficiency",
                                 "process_mpts_per_kg_of_part", "factory_leg_mpts_per_kg",
                                 "warehouse_leg_mpts_per_kg", "customer_leg_mpts_per_kg",
                                 "extra_mpts_per_part"]
    assert sig(udfs.ACCEPTED_Q) == ["total_demand", "confidence"]
    assert sig(udfs.SQ_ONHAND) == sig(udfs.SQ_BACKORDERS) == ["s", "Q", "u"]
    assert sig(udfs.BACKORDER_WAIT) == ["S", "rate", "lead_days", "waiting_time", "free_days"]
    assert sig(udfs.TRANSPORT_MPTS) == ["modes", "kms"]
