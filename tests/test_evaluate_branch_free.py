"""The branch-free selections of the model (issue 15) give numpy's own results bit for bit.

numpy's ``where``, ``putmask`` and ``choose`` take a branch per element; with a mask of
scattered elements (which method wins, which SKU improved at this S) the processor
mispredicts about half of them. The model selects by arithmetic on bytes or on the numbers'
64-bit patterns instead. Each helper is compared here with the numpy call it replaces (the
reference), on random masks and on values full of the cases where a float select could go
wrong: NaN with payloads and signs, -0.0, +-inf, subnormals. "Bit for bit" is checked on the
bytes (``tobytes``), so a -0.0 for a 0.0 or another NaN would fail. ``signed_total`` is
compared with the plain left-to-right sum ``0.0 + v1 +- v2 ...`` it shortens.
"""

from __future__ import annotations

import numpy as np
import pytest

from amspares.core.basestock import _blend
from amspares.core.costs import CostBreakdown, signed_total
from amspares.core.evaluate import _gather, _last_true, _where
from amspares.core.impact import ImpactBreakdown

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")    # inf - inf and the like

NASTY = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 5e-324, -5e-324, 1.0, -2.5, 1e308])


def nasty(rng, size):
    """Random floats, a third of them from NASTY, plus NaNs with their own payloads."""
    x = rng.normal(size=size) * 10.0 ** rng.integers(-5, 5, size)
    pick = rng.random(size) < 0.35
    x[pick] = rng.choice(NASTY, pick.sum())
    bits = x.view(np.int64)
    payload = rng.random(size) < 0.05
    bits[payload] = np.int64(0x7FF0000000000001) + rng.integers(1, 1 << 40, payload.sum())
    return x


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", range(6))
def test_where_is_numpys_where_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 3000))
    a, b = nasty(rng, size), nasty(rng, size)
    mask = rng.random(size) < rng.random()
    for x, y in ((a, b), (a, np.inf), (np.inf, b), (a, -0.0), (np.nan, b), (a[::-1], b)):
        assert same_bits(_where(mask, x, y), np.where(mask, x, y))
    assert same_bits(_where(mask, np.broadcast_to(a[:1], (size,)) if size else a, b),
                     np.where(mask, np.broadcast_to(a[:1], (size,)) if size else a, b))


@pytest.mark.parametrize("seed", range(6))
def test_last_true_is_the_putmask_loop(seed):
    rng = np.random.default_rng(seed)
    size, rows = int(rng.integers(0, 5000)), int(rng.integers(1, 9))
    masks = [rng.random(size) < rng.random() for _ in range(rows)]
    order = [int(j) for j in rng.permutation(rows)]
    want = np.zeros(size, dtype=np.intp)            # the code it replaces (evaluate._pick)
    for j in order:
        np.putmask(want, masks[j], j)
    got = _last_true(masks, iter(order))
    assert got.dtype == np.intp and np.array_equal(got, want)


def test_last_true_with_many_rows_takes_the_putmask_loop():
    rng = np.random.default_rng(3)
    masks = [rng.random(50) < 0.01 for _ in range(300)]
    want = np.zeros(50, dtype=np.intp)
    for j in range(300):
        np.putmask(want, masks[j], j)
    assert np.array_equal(_last_true(masks, range(300)), want)


@pytest.mark.parametrize("seed", range(4))
def test_gather_is_numpys_choose(seed):
    rng = np.random.default_rng(seed)
    size, rows = int(rng.integers(1, 4000)), int(rng.integers(1, 6))
    totals = [nasty(rng, size) for _ in range(rows)]
    indices = [rng.integers(0, rows, size).astype(np.intp) for _ in range(2)]
    for got, index in zip(_gather(indices, totals), indices):
        assert same_bits(got, np.choose(index, totals))


@pytest.mark.parametrize("seed", range(6))
def test_blend_is_putmask_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 4000))
    x, y = nasty(rng, size), nasty(rng, size)
    flag = rng.random(size) < rng.random()
    want = x.copy()
    np.putmask(want, flag, y)                       # the code it replaces (basestock._step_search)
    ones = np.multiply(flag, -1, dtype=np.int64)
    got, scratch, y0 = x.copy(), np.empty(size), y.copy()
    _blend(got, y, ones, scratch)
    assert same_bits(got, want) and same_bits(y, y0)        # y untouched with its own scratch
    got = x.copy()
    _blend(got, y, ones, y)                          # y as the scratch
    assert same_bits(got, want)


def plain_sum(breakdown):
    """The left-to-right signed sum, as ``signed_total`` wrote it before (the reference)."""
    total = 0.0
    for c in breakdown.components():
        v = getattr(breakdown, c)
        total = total + v if c.sign > 0 else total - v
    return total


@pytest.mark.parametrize("seed", range(8))
def test_signed_total_is_the_plain_sum_bit_for_bit(seed):
    """Arrays full of -0.0, NaN and inf; components that are one zero broadcast (left out),
    scalars, a broadcast non-zero, an integer array: every total as the plain sum."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 500))
    zero = lambda sign: np.broadcast_to(np.array(sign * 0.0), (size,))   # noqa: E731
    choices = [lambda: nasty(rng, size), lambda: zero(1.0), lambda: zero(-1.0), lambda: 0.0, lambda: -0.0,
               lambda: 2.5, lambda: np.broadcast_to(np.array(3.0), (size,)),
               lambda: rng.integers(-3, 3, size), lambda: np.zeros(size)]
    for _ in range(40):
        parts = [choices[int(rng.integers(len(choices)))]() for _ in range(7)]
        b = CostBreakdown(*parts)
        assert same_bits(np.asarray(signed_total(b), dtype=float), np.asarray(plain_sum(b), dtype=float))
    zeros = [np.array([-0.0, -0.0, 0.0]), np.array([-0.0, 0.0, -0.0])]
    b = ImpactBreakdown(zeros[0], zeros[1], zero(-1.0)[:3], zeros[0])
    assert same_bits(signed_total(b), plain_sum(b)) and not np.signbit(signed_total(b)).any()
    assert signed_total(CostBreakdown(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)) == 14.0     # scalars stay scalars


@pytest.mark.parametrize("model", ["erlang_c", "exact"])
def test_step_search_keeps_the_best_threshold_and_erlang_b(monkeypatch, model):
    """The step search keeps, per SKU, the threshold and the Erlang B of its best S by bit
    operations (``_blend``). Its service measures, which read that Erlang B, equal
    :func:`~amspares.core.service.base_stock_service` at S* computed afresh, and S* is the
    cheapest S of ``base_stock_costs`` over 0..60 to the tie precision (1e-12 of the total)."""
    from amspares.core import base_stock_costs, base_stock_service, optimal_base_stock
    from amspares.core import basestock

    rng = np.random.default_rng(17)
    size = 400
    kw = dict(rate=rng.choice([0.0, 0.05, 0.4, 1.5, 6.0], size) * rng.uniform(0.5, 1.5, size),
              years=30.0, price=rng.uniform(0.1, 40.0, size), lead_time_years=rng.uniform(7.0, 90.0, size) / 365,
              emergency_per_day=rng.choice([0.0, 100.0, 2000.0], size), holding_per_part_year=0.45,
              inbound_share=0.08, outbound_per_part=10.0)
    monkeypatch.setattr(basestock, "SEARCH_BLOCK", 64)          # several blocks, compactions
    p = optimal_base_stock(waiting_time=model, **kw)
    sv = base_stock_service(p.S, rate=kw["rate"], lead_time_years=kw["lead_time_years"], waiting_time=model)
    for got, want in ((p.fill_rate, sv.fill_rate), (p.on_time_rate, sv.on_time_rate),
                      (p.mean_wait_days, sv.mean_wait_days)):
        assert same_bits(np.asarray(got, dtype=float), np.asarray(want, dtype=float))
    S = np.arange(61)
    for i in range(size):
        one = {k: (v[i] if np.ndim(v) else v) for k, v in kw.items()}
        tc = np.asarray(base_stock_costs(S, waiting_time=model, **one).total, dtype=float)
        tc = np.where(np.isnan(tc), np.inf, tc)
        best = int(np.argmin(tc))
        n = one["rate"] * 30.0
        fixed = 10.0 * n + n * one["price"] * 1.08
        assert p.S[i] == best or abs(tc[p.S[i]] - tc[best]) <= 2e-12 * (abs(tc[best]) + fixed)
