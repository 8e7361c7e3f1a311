"""Property tests (hypothesis, bounded example counts, derandomised by tests/conftest.py):
monotonicity of TC, Erlang C's range and monotonicity, the optimiser's optimality over a
wide window, vectorised results equal to element-wise scalar calls, and one rule checker
for scenario files, portfolio cells and Excel function arguments."""

from __future__ import annotations

import math as _math
import unicodedata as _ud

import numpy as np
import pytest
from amspares import portfolio as _portfolio
from amspares.core import (
    base_stock_costs,
    erlang_c,
    optimal_base_stock,
    poisson_loss,
    poisson_second_loss,
    sq_expected_backorders,
    sq_expected_on_hand,
    sq_policy_costs,
)
from amspares.errors import ScenarioError as _ScenarioError
from amspares.excel import functions as _fx
from amspares.scenario import load_scenario as _load_scenario
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rates = st.floats(0.001, 30.0)
leads = st.floats(1 / 365, 150 / 365)
years = st.floats(0.5, 40.0)
prices = st.floats(0.0, 500.0)
holding = st.floats(0.0, 10.0)
emergency = st.floats(0.0, 5000.0)
shares = st.floats(0.0, 1.0)
models = st.sampled_from(["erlang_c", "exact"])
rules = st.sampled_from(["demand", "max_demand_stock"])


@st.composite
def stock_params(draw):
    return dict(rate=draw(rates), years=draw(years), price=draw(prices),
                lead_time_years=draw(leads), emergency_per_day=draw(emergency),
                holding_per_part_year=draw(holding), inbound_share=draw(shares),
                outbound_per_part=draw(st.floats(0.0, 50.0)))


def optimum(p, model, rule="demand"):
    return optimal_base_stock(waiting_time=model, production_rule=rule, **p)


@FAST
@given(stock_params(), models, st.floats(1.0, 3.0))
def test_optimal_tc_monotone_in_price_holding_and_emergency(p, model, factor):
    # Raising any cost input cannot lower the optimal total: TC(S) is non-decreasing in
    # each for every S, hence so is the minimum over S (Eq. 1, 7-12).
    base = optimum(p, model).total_cost
    for key in ("price", "holding_per_part_year", "emergency_per_day"):
        up = dict(p, **{key: p[key] * factor + 0.01})
        assert optimum(up, model).total_cost >= base * (1 - 1e-12), key


@FAST
@given(stock_params(), models, st.integers(0, 40), st.floats(1.0, 3.0))
def test_tc_at_fixed_s_monotone(p, model, S, factor):
    base = base_stock_costs(S, waiting_time=model, **p).total
    for key in ("price", "holding_per_part_year", "emergency_per_day"):
        up = base_stock_costs(S, waiting_time=model, **dict(p, **{key: p[key] * factor + 0.01})).total
        assert up >= base or (np.isinf(base) and np.isinf(up)), key


@FAST
@given(st.integers(0, 2000), st.floats(0.0, 3000.0))
def test_erlang_c_in_unit_interval_and_decreasing_in_s(S, u):
    c0, c1 = erlang_c(S, u), erlang_c(S + 1, u)
    assert 0.0 <= c1 <= 1.0 and 0.0 <= c0 <= 1.0
    assert c1 <= c0 * (1 + 1e-12)   # more servers, less waiting


@FAST
@given(stock_params(), models, rules)
def test_no_s_in_a_wide_window_beats_the_optimum(p, model, rule):
    best = optimum(p, model, rule)
    S = np.arange(0, max(300, 4 * best.S + 50))
    tc = np.asarray(base_stock_costs(S, waiting_time=model, production_rule=rule, **p).total)
    tc = np.where(np.isnan(tc), np.inf, tc)
    # The optimiser's rule (docs/model.md section 3.1 "ties to the smaller S", at the precision of the
    # total): no S beats S* by more than 1e-12 of the total, and no smaller S reaches it.
    margin = 2e-12 * abs(best.total_cost)
    assert best.total_cost <= tc.min() + margin
    assert not np.any(tc[: best.S] < best.total_cost - margin)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(rates, leads, emergency, holding, prices), min_size=1, max_size=12), models)
def test_vectorised_equals_elementwise(rows, model):
    lam, lead, ce, h, cp = (np.array(c) for c in zip(*rows))
    kw = dict(years=30.0, inbound_share=0.08, outbound_per_part=10.0, waiting_time=model)
    v = optimal_base_stock(rate=lam, lead_time_years=lead, emergency_per_day=ce,
                           holding_per_part_year=h, price=cp, **kw)
    for i in range(len(rows)):
        s = optimal_base_stock(rate=lam[i], lead_time_years=lead[i], emergency_per_day=ce[i],
                               holding_per_part_year=h[i], price=cp[i], **kw)
        assert v.S[i] == s.S and v.total_cost[i] == s.total_cost
    u = lam * lead
    assert np.array_equal(erlang_c(v.S, u), [erlang_c(int(a), b) for a, b in zip(v.S, u)])


@FAST
@given(st.lists(st.tuples(st.integers(-50, 80), st.integers(1, 100), st.floats(0.0, 60.0)),
                min_size=1, max_size=20))
def test_sq_vectorised_equals_elementwise_and_identity(rows):
    s, q, m = (np.array(c) for c in zip(*rows))
    bo, oh = sq_expected_backorders(s, q, m), sq_expected_on_hand(s, q, m)
    for i in range(len(rows)):
        assert bo[i] == sq_expected_backorders(int(s[i]), int(q[i]), float(m[i]))
        assert oh[i] == sq_expected_on_hand(int(s[i]), int(q[i]), float(m[i]))
    assert np.all(bo >= 0) and np.all(oh >= 0)
    # E[OH] - E[BO] = E[s + U - X] = s + (Q+1)/2 - u (docs/model.md section 3.2), up to rounding
    assert np.allclose(oh - bo, s + (q + 1) / 2 - m, rtol=1e-12, atol=1e-9)


@FAST
@given(st.integers(-30, 100), st.floats(0.0, 80.0))
def test_loss_function_recursions(y, m):
    # G1(y) - G1(y+1) = P(X > y) and G2(y) - G2(y+1) = G1(y+1) (definitions, docs/model.md section 3.2):
    # decreasing, and consistent with each other.
    g1, g1n = poisson_loss(y, m), poisson_loss(y + 1, m)
    assert g1n <= g1 + 1e-12
    d2 = poisson_second_loss(y, m) - poisson_second_loss(y + 1, m)
    assert d2 == pytest.approx(g1n, rel=1e-9, abs=1e-12 * (1 + m + abs(y)) ** 2)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 200), rates, leads, holding, emergency)
def test_sq_cost_monotone_in_price(Q, lam, lead, h, ce):
    kw = dict(rate=lam, years=30.0, lead_time_years=lead, holding_per_part_year=h,
              emergency_per_day=ce, inbound_share=0.08, outbound_per_part=10.0)
    assert (sq_policy_costs(Q, price=20.0, **kw).total_cost
            >= sq_policy_costs(Q, price=10.0, **kw).total_cost)


# --------------------------------------------------------------------------- one rule checker
# A scenario file, a portfolio cell and an Excel function argument are checked by the same
# rules (amspares.rules). The oracle below restates the rules of docs/model.md's inputs
# section independently, in plain Python, one value at a time: a number is text that
# Python's float() reads after removing surrounding white space and that holds no control
# character (Unicode category Cc other than tab, CR, LF); then finite, in range, whole for
# whole-number inputs, and at most the input's maximum (checked in this order).

_BASE = _load_scenario()
#: (scenario key, range, whole number, the key's maximum)
_KEYS = [("demand.rate_per_year", ">= 0", False, 1e6), ("demand.service_years", "> 0", False, 1e3),
         ("methods.regular.moq", ">= 1", True, 1e9),
         ("methods.regular.inbound_transport_share", "[0, 1]", False, 1e12),
         ("model.accepted_q_confidence", "[0.5, 1)", False, 1e12),
         ("methods.am_mts.material_efficiency", "(0, 1]", False, 1e12)]
_IN_RANGE = {">= 0": lambda v: v >= 0, "> 0": lambda v: v > 0, ">= 1": lambda v: v >= 1,
             "[0, 1]": lambda v: 0 <= v <= 1, "(0, 1)": lambda v: 0 < v < 1, "[0.5, 1)": lambda v: 0.5 <= v < 1,
             "(0, 1]": lambda v: 0 < v <= 1}
_RANGE_WORDS = {">= 0": "must be >= 0", "> 0": "must be > 0", ">= 1": "must be >= 1",
                "[0, 1]": "must be between 0 and 1", "(0, 1)": "must be strictly between 0 and 1", "[0.5, 1)": "must be >= 0.5 and < 1",
                "(0, 1]": "must be > 0 and <= 1"}


#: The smallest values the model computes, where the range allows smaller (scenario files,
#: the Inputs sheet and catalogue columns; the Excel functions take the range alone)
_MINIMUM = {"methods.am_mts.material_efficiency": (1e-6, "smaller values overflow the impact model")}


def _oracle(text, rng, integer, maximum, maximum_text, minimum=None):
    """(value, None) for an accepted text, (None, the rule's words) for a rejected one."""
    control = [c for c in text if _ud.category(c) == "Cc" and c not in "\t\n\r"]
    if control:
        return None, f"must be a number without control characters (found U+{ord(control[0]):04X})"
    try:
        v = float(text.strip())
    except ValueError:
        return None, "must be a number"
    if not _math.isfinite(v):
        return None, "must be a finite number"
    if not _IN_RANGE[rng](v):
        return None, _RANGE_WORDS[rng]
    if minimum is not None and v < minimum[0]:
        return None, f"must be >= {minimum[0]:g} ({minimum[1]})"
    if integer and v != _math.floor(v):
        return None, "must be a whole number"
    if abs(v) > maximum:
        return None, f"must be <= {maximum_text}"
    return v, None


_texts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**7, 10**10).map(str),
    st.sampled_from([" 2 ", "2\t", "\r\n3", "1_000", "0x10", "TRUE", "1\xa0", "\u20032", "1e400",
                     "-0", "0.5\x00", "\x7f1", "1\x85", "\x0b1", "2.0", "1e-320", "abc"]),
    st.text(alphabet="0123456789.e-+ _\x1f\x00\t\x0c\x9f", max_size=6),
    st.text(max_size=6))


@settings(max_examples=300, deadline=None)
@given(_texts, st.sampled_from(_KEYS))
@example("1\x1f", _KEYS[0])          # seed 7 of the random runs: read as 1.0 by the scenario
@example("1\x1f", _KEYS[2])
@example("\x1f", _KEYS[0])
@example("5.67946787128878e-282", _KEYS[5])   # CI: the scenario refused it, the catalogue took it
def test_scenario_portfolio_and_excel_functions_apply_the_same_rules(text, key_rule):
    key, rng, integer, maximum = key_rule
    if not text.strip() and not any(_ud.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        return                       # blank: each consumer's own default (file: required)
    value, words = _oracle(text, rng, integer, maximum, f"{maximum:g} (a typo?)", _MINIMUM.get(key))

    # the scenario (file, Inputs sheet)
    try:
        sc = _BASE.with_values({key: text})
    except _ScenarioError as exc:
        assert (None, exc.rule) == (value, words) and exc.key == key
    else:
        assert words is None and sc[key] == value

    # a portfolio cell (the same key as a column)
    col = next(c for c in _portfolio.plan_columns(["sku", key], _BASE) if c.name == key)
    got, given_, problems = _portfolio.check_numbers(col, [text, "0.5" if not integer else "2"])
    assert given_[0]
    assert problems.get(0) == words
    if words is None:
        assert got[0] == value

    # an Excel function argument (no typo guard: the Excel functions' own maximum)
    if text.strip().upper() in _fx.EXCEL_ERRORS:
        return
    udf_max = _fx.MAX_STOCK if integer else _math.inf
    value, words = _oracle(text, rng, integer, udf_max, f"{udf_max:.0f}")
    arg = _fx._coerce("k", text, rule=rng, integer=integer)
    err = None if arg.errors is None else arg.errors.item()
    if words is None:
        assert err is None and float(arg.values) == value
    else:
        code = "#VALUE!" if words.startswith("must be a number") else "#NUM!"
        shown = text if words.startswith("must be a number") else None
        assert err is not None and err.startswith(f"{code} k {words} (got "), (err, words)
        if shown is not None:
            assert err.endswith(f'(got "{shown}")')
