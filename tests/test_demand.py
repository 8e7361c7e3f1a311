"""Demand from history (amspares.core.demand): rate and interval, class, phase-out, flips.

Where the expected numbers come from:

* the interval: an independent mpmath solution of the Garwood definition (Poisson tail
  sums set to alpha/2, solved by findroot; no Gamma-quantile identity) and scipy.stats'
  chi-square quantiles; the rate: a numeric maximisation of the Poisson log-likelihood;
* coverage: the exact coverage sum over the Poisson distribution, and a seeded
  simulation of 2000 ten-year monthly histories with a binomial-standard-error tolerance;
* the class: hand derivations (written in each test) with the conventions of
  tsintermittent's ``idclass(type="SBC")`` (ADI = mean of intervals with the first
  counted from the start, CV² with the sample standard deviation, strict ``>`` cut-offs);
* the phase-out test: scipy.stats.binomtest and hand-derived ``0.9^N`` p-values;
* the crossings: analytic roots.
"""

import math

import mpmath
import numpy as np
import pytest
from scipy import optimize, stats

from amspares.core.demand import (
    ADI_CUTOFF, CV2_CUTOFF, EXACT_DISPERSION_UNITS, FLIPS_INSIDE, ROBUST, decision_robustness,
    demand_class, poisson_dispersion_test,
    phase_out_flag, poisson_rate_estimate, rate_breakeven,
)


# --------------------------------------------------------------------------- references


def mp_garwood(n, level, digits=30):
    """Garwood's exact interval for a Poisson mean from the tail-sum definitions:
    lower L: P(X >= n | L) = alpha/2 (L = 0 for n = 0); upper U: P(X <= n | U) = alpha/2."""
    with mpmath.workdps(digits):
        a2 = (1 - mpmath.mpf(level)) / 2

        def cdf(k, m):                             # sum_{j<=k} e^-m m^j / j!, term by term
            term, total = mpmath.exp(-m), mpmath.mpf(0)
            for j in range(k + 1):
                total += term
                term *= m / (j + 1)
            return total

        def bisect(g, lo, hi):                     # g(lo) < 0 < g(hi) or the reverse
            glo = g(lo)
            for _ in range(64):                  # width (2n + 10) / 2^64: far below 1e-10 relative
                mid = (lo + hi) / 2
                if (g(mid) < 0) == (glo < 0):
                    lo, glo = mid, g(mid)
                else:
                    hi = mid
            return (lo + hi) / 2

        upper = bisect(lambda m: cdf(n, m) - a2, mpmath.mpf(n), mpmath.mpf(2 * n + 10))
        if n == 0:
            return 0.0, float(upper)
        lower = bisect(lambda m: 1 - cdf(n - 1, m) - a2, mpmath.mpf(0), mpmath.mpf(n))
        return float(lower), float(upper)


# --------------------------------------------------------------------------- rate


@pytest.mark.parametrize("total", [0, 1, 2, 5, 20, 137])
@pytest.mark.parametrize("level", [0.8, 0.9, 0.95])
def test_interval_matches_the_garwood_definition_in_mpmath(total, level):
    periods = 120
    h = np.zeros(periods)
    h[: total % periods] += 1
    h[-1] += total - h.sum()                     # any split of the total: only N and T matter
    e = poisson_rate_estimate(h, periods_per_year=12, level=level)
    lo, up = mp_garwood(total, level)
    years = 10.0
    assert float(e.years) == years and float(e.total) == total and float(e.periods) == periods
    assert float(e.lower) == pytest.approx(lo / years, rel=1e-10, abs=1e-300)
    assert float(e.upper) == pytest.approx(up / years, rel=1e-10)
    # and the chi-square form (scipy.stats): lower = chi2(alpha/2, 2N)/2T, upper = chi2(1-alpha/2, 2N+2)/2T
    a = 1 - level
    chi_lo = stats.chi2.ppf(a / 2, 2 * total) / (2 * years) if total else 0.0
    assert float(e.lower) == pytest.approx(chi_lo, rel=1e-9, abs=1e-300)
    assert float(e.upper) == pytest.approx(stats.chi2.ppf(1 - a / 2, 2 * total + 2) / (2 * years), rel=1e-9)
    assert e.level == level


def test_rate_maximises_the_poisson_likelihood():
    # log L(lam) = N log(lam T) - lam T (+ const); maximised numerically, not by N/T
    h = np.array([[np.nan] * 10 + [0, 3, 0, 1, 0, 0, 2, 0] * 11 + [1, 0]])
    e = poisson_rate_estimate(h, periods_per_year=52)
    n, t = float(np.nansum(h)), 90 / 52
    best = optimize.minimize_scalar(lambda lam: -(n * math.log(lam * t) - lam * t), bounds=(1e-6, 100),
                                    method="bounded", options={"xatol": 1e-10})
    assert e.rate.shape == (1,) and e.periods.tolist() == [90]
    assert float(e.rate[0]) == pytest.approx(best.x, rel=1e-7)


def test_leading_nan_is_not_exposure_and_shapes_follow_the_history():
    h = np.array([[np.nan, np.nan, 1, 0], [0, 0, 1, 0]])
    e = poisson_rate_estimate(h, 4)
    assert e.periods.tolist() == [2, 4]
    assert e.rate.tolist() == [2.0, 1.0]             # 1 unit in half a year; 1 in a year
    assert np.ndim(poisson_rate_estimate([0, 1], 12).rate) == 0
    assert poisson_rate_estimate(np.ones((2, 3, 5)), 12).rate.shape == (2, 3)


def exact_coverage(rate, years, level):
    """P(L(N) <= rate <= U(N)) for N ~ Poisson(rate * years), summed over N."""
    mean = rate * years
    n = np.arange(0, int(mean + 20 * math.sqrt(mean) + 40))
    e = poisson_rate_estimate(n[:, None].astype(float), 1 / years, level)
    inside = (e.lower <= rate) & (rate <= e.upper)
    return float(np.sum(stats.poisson.pmf(n, mean)[inside]))


def test_exact_coverage_is_at_least_nominal_at_every_rate():
    # one observed period of length `years` holding N: the same N and T as a full history
    for rate in np.geomspace(0.01, 50, 157):
        assert exact_coverage(rate, 10.0, 0.90) >= 0.90 - 1e-12, rate


@pytest.mark.parametrize("rate", [0.3, 2.0, 6.5, 25.0])
def test_simulated_coverage_is_at_least_nominal(rate):
    # 2000 simulated 10-year monthly Poisson histories; coverage >= 0.90 up to 3 binomial SE
    rng = np.random.default_rng(20261201 + int(rate * 10))
    sims = 2000
    h = rng.poisson(rate / 12, size=(sims, 120))
    e = poisson_rate_estimate(h, 12, level=0.90)
    covered = np.mean((e.lower <= rate) & (rate <= e.upper))
    se = math.sqrt(0.9 * 0.1 / sims)
    assert covered >= 0.90 - 3 * se
    # and it agrees with the exact coverage within 4 SE of the simulation
    exact = exact_coverage(rate, 10.0, 0.90)
    assert abs(covered - exact) <= 4 * math.sqrt(exact * (1 - exact) / sims)


@pytest.mark.parametrize("history, periods_per_year, level, match", [
    ([0, -1, 2], 12, 0.9, r"history\[1\] = -1.0: .*whole number >= 0"),
    ([[0, 1], [0.5, 1]], 12, 0.9, r"history\[1, 0\] = 0.5: .*whole number"),
    ([0, math.inf], 12, 0.9, r"history\[1\] = inf"),
    ([[np.nan, np.nan], [1, 0]], 12, 0.9, r"history row 0 has no observed period"),
    ([0, 1], 0, 0.9, r"periods_per_year = 0: must be a number > 0"),
    ([0, 1], 12, 90, r"level = 90: must be between 0 and 1"),
    ([], 12, 0.9, r"at least one period"),
    (3, 12, 0.9, r"history = 3: must be a list"),
    (["1", "x"], 12, 0.9, r"history = \['1', 'x'\]: must be numbers"),
    ([[1, 2], [1]], 12, 0.9, r"must be numbers .*equal length"),
])
def test_bad_input_names_the_input_and_the_rule(history, periods_per_year, level, match):
    with pytest.raises(ValueError, match=match):
        poisson_rate_estimate(history, periods_per_year, level)


# --------------------------------------------------------------------------- class


def test_the_four_classes_by_hand():
    h = np.array([
        [1, 1, 1, 1, 1, 1, 1, 1],   # ADI 8/8 = 1; sizes all 1: CV² 0 -> smooth
        [0, 1, 0, 1, 0, 1, 0, 1],   # t = 2,4,6,8: ADI 8/4 = 2; CV² 0 -> intermittent
        [1, 5, 1, 5, 1, 5, 1, 5],   # ADI 1; sizes mean 3, sample var 8*4/7, CV² (32/7)/9 -> erratic
        [0, 1, 0, 5, 0, 1, 0, 5],   # ADI 2; sizes 1,5,1,5: mean 3, var 16/3, CV² 16/27 -> lumpy
    ], dtype=float)
    c = demand_class(h)
    assert c.label.tolist() == ["smooth", "intermittent", "erratic", "lumpy"]
    assert c.adi.tolist() == [1.0, 2.0, 1.0, 2.0]
    assert c.cv2 == pytest.approx([0.0, 0.0, (32 / 7) / 9, 16 / 27], rel=1e-14)
    assert c.demand_periods.tolist() == [8, 4, 8, 4] and c.periods.tolist() == [8] * 4
    assert c.multi_unit.tolist() == [False, False, True, True]
    assert c.mean_size.tolist() == [1.0, 1.0, 3.0, 3.0] and c.max_size.tolist() == [1.0, 1.0, 5.0, 5.0]
    # index of dispersion (sample variance / mean per period): constant 1s -> 0;
    # 0,1 x4: (8 * 0.25 / 7) / 0.5 = 4/7; 1,5 x4: (8 * 4 / 7) / 3 = 32/21;
    # 0,1,0,5 x2: squared deviations from 1.5: 4*2.25 + 2*0.25 + 2*12.25 = 34 -> (34/7)/1.5 = 68/21
    assert c.dispersion == pytest.approx([0.0, 4 / 7, 32 / 21, 68 / 21], rel=1e-14)


def test_tsintermittent_conventions():
    # Trailing zeros do not count: intervals 1,1,1 -> ADI 1 (not 8/3 as periods/demands)
    assert float(demand_class([1, 1, 1, 0, 0, 0, 0, 0]).adi) == 1.0
    # The first interval counts from the start: t = 3, 4 -> intervals 3, 1 -> ADI 2
    assert float(demand_class([0, 0, 1, 1]).adi) == 2.0
    # NaN periods are dropped first (tsintermittent's temp[!is.na(temp)]): t = 2 -> ADI 2
    assert float(demand_class([np.nan, np.nan, 0, 1]).adi) == 2.0
    # Strict '>' at the cut-off: 25 demands, the last in period 33: ADI = 33/25 = 1.32 -> smooth
    h = np.zeros(33)
    h[[0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21, 22, 24, 25, 26, 28, 29, 30, 32]] = 1
    c = demand_class(h)
    assert float(c.adi) == ADI_CUTOFF and str(c.label) == "smooth"
    # CV² exactly 0.49: sizes 2, 13, 15 have mean 10, sample variance (64 + 9 + 25)/2 = 49,
    # CV² = 49/100; with R's sd (divisor k-1). Strict '>': smooth, not erratic
    c = demand_class([2, 13, 15])
    assert float(c.cv2) == CV2_CUTOFF and str(c.label) == "smooth"
    # (the population variance, divisor k, would give 98/3/100 = 0.327: a different number)


def test_edge_cases():
    c = demand_class([[0, 0, 0, 0], [0, 0, 3, 0], [2, np.nan, np.nan, np.nan], [np.nan, 0, 0, 0]])
    # no demand; one demand at t = 3 (ADI 3, CV² undefined -> by ADI: intermittent);
    # one demand at t = 1 (ADI 1 -> smooth); no demand after a NaN
    assert c.label.tolist() == ["no demand", "intermittent", "smooth", "no demand"]
    assert np.isnan(c.adi[0]) and c.adi[1:3].tolist() == [3.0, 1.0]
    assert np.all(np.isnan(c.cv2))
    assert c.multi_unit.tolist() == [False, True, True, False]
    # 0,0,3,0: mean 3/4, squared deviations 3 * 9/16 + 81/16 = 108/16, / 3 = 2.25 -> 2.25/0.75 = 3
    assert np.isnan(c.dispersion[0]) and c.dispersion[1] == pytest.approx(3.0, rel=1e-14)
    assert np.isnan(c.dispersion[2])               # one observed period: no variance


def test_dispersion_is_the_compound_poisson_over_dispersion():
    # Compound Poisson demand (occurrences Poisson(0.3)/period, sizes 1 + Poisson(1.5)):
    # var/mean of the per-period totals = E[S²]/E[S] = (2.5² + 1.5)/2.5 = 3.1. A seeded
    # sample of 200000 periods estimates it to well within 3 %; Poisson demand gives 1.
    rng = np.random.default_rng(14)
    n = rng.poisson(0.3, 200_000)
    sizes = 1 + rng.poisson(1.5, n.sum())
    totals = np.zeros(n.size)
    np.add.at(totals, np.repeat(np.arange(n.size), n), sizes)
    assert float(demand_class(totals).dispersion) == pytest.approx(3.1, rel=0.03)
    assert float(demand_class(rng.poisson(0.75, 200_000)).dispersion) == pytest.approx(1.0, rel=0.03)


# --------------------------------------------------------------------------- phase-out


def test_phase_out_on_constructed_histories():
    steady3 = [1 if m % 4 == 0 else 0 for m in range(108)]          # 27 units in 9 years
    steady4 = [1 if m % 3 == 0 else 0 for m in range(108)]          # 36 units
    h = np.array([steady3 + [0] * 12, steady4 + [0] * 12, steady4 + [0, 0, 1] * 4,
                  [0] * 120, [5] * 108 + [0] * 12])
    r = phase_out_flag(h, recent_periods=12, significance=0.05)
    # p0 = 12/120; n_r = 0: p = 0.9^N (27 -> 0.058, 36 -> 0.0225); same rate: no flag;
    # no demand: p = 1; 540 units then none: p = 0.9^540
    assert r.p_value[:2] == pytest.approx([0.9 ** 27, 0.9 ** 36], rel=1e-12)
    assert r.flag.tolist() == [False, True, False, False, True]
    assert r.p_value[3] == 1.0 and r.p_value[4] == pytest.approx(0.9 ** 540, rel=1e-9)
    assert r.recent_total.tolist() == [0, 0, 4, 0, 0] and r.earlier_total.tolist() == [27, 36, 36, 0, 540]
    assert r.recent_periods.tolist() == [12] * 5 and r.earlier_periods.tolist() == [108] * 5
    assert r.ratio[2] == pytest.approx((4 / 12) / (36 / 108)) and np.isnan(r.ratio[3])
    # scipy.stats.binomtest, one-sided 'less', as an independent check of every p-value
    for i in range(5):
        nn = int(r.recent_total[i] + r.earlier_total[i])
        ref = stats.binomtest(int(r.recent_total[i]), nn, 0.1, alternative="less").pvalue if nn else 1.0
        assert r.p_value[i] == pytest.approx(ref, rel=1e-10)


def test_phase_out_exposure_skips_unobserved_periods():
    # 24 observed earlier months (after 96 NaN) with 12 units, 12 recent months empty:
    # p0 = 12/36, p = (2/3)^12 = 0.0077 -> flag
    h = [np.nan] * 96 + [1, 0] * 12 + [0] * 12
    r = phase_out_flag(h, 12)
    assert int(r.earlier_periods) == 24 and float(r.p_value) == pytest.approx((2 / 3) ** 12, rel=1e-12)
    assert bool(r.flag)
    # nothing observed before the window: not testable
    r = phase_out_flag([np.nan] * 6 + [1] * 6, 6)
    assert np.isnan(float(r.p_value)) and not bool(r.flag)


def test_phase_out_false_alarms_stay_below_the_significance():
    # constant rate 6/yr for 10 years (seeded): the conditional test is exact/conservative,
    # so at most 5 % false flags (+3 binomial SE)
    rng = np.random.default_rng(5)
    r = phase_out_flag(rng.poisson(0.5, size=(2000, 120)), 12, significance=0.05)
    assert np.mean(r.flag) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 2000)


def test_phase_out_by_periods_ignores_batch_sizes():
    # 6 months with demand among the first 12, none in the last 12 (n = 24, K = 6):
    # P(0 of the 6 demand months recent) = C(12, 6) / C(24, 6) = 924 / 134596
    h = np.array([[1, 0] * 6 + [0] * 12, [20, 0] * 6 + [0] * 12, [1, 0] * 6 + [0, 20] + [0] * 10])
    r = phase_out_flag(h, 12, counts="periods")
    assert r.p_value[:2] == pytest.approx([math.comb(12, 6) / math.comb(24, 6)] * 2, rel=1e-12)
    assert r.recent_total.tolist() == [0, 0, 1] and r.earlier_total.tolist() == [6, 6, 6]
    # one recent batch of 20: by periods, 1 of 7 demand months recent;
    # P(X <= 1) = [C(12,7) + C(12,1) C(12,6)] / C(24,7) = 11880 / 346104 = 0.034: flagged
    assert r.p_value[2] == pytest.approx((math.comb(12, 7) + 12 * math.comb(12, 6)) / math.comb(24, 7), rel=1e-12)
    assert r.flag.tolist() == [True, True, True]
    # by units the batch of 20 is 20 of 26 parts recent: no phase-out (p = 1 - tiny)
    assert not bool(phase_out_flag(h[2], 12).flag)
    # a batch history without a batch in the last year: flagged by units, not by periods
    lumpy = [0, 20, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0] * 2 + [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert bool(phase_out_flag(lumpy, 12).flag) and not bool(phase_out_flag(lumpy, 12, counts="periods").flag)


@pytest.mark.parametrize("recent, sig, match", [
    (0, 0.05, r"recent_periods = 0: must be a whole number from 1 to 9"),
    (10, 0.05, r"recent_periods = 10"),
    (2.5, 0.05, r"recent_periods = 2.5"),
    (3, 5, r"significance = 5: must be between 0 and 1"),
])
def test_phase_out_bad_input(recent, sig, match):
    with pytest.raises(ValueError, match=match):
        phase_out_flag([1] * 10, recent, sig)
    with pytest.raises(ValueError, match=r"counts = 'parts': must be 'units' or 'periods'"):
        phase_out_flag([1] * 10, 3, counts="parts")


# --------------------------------------------------------------------------- crossings


def test_two_crossings_are_root_found_not_read_off_the_grid():
    # (r - sqrt 2)(r - pi) on [0, 10]: roots sqrt(2) and pi, neither a grid point
    calls = []

    def diff(r):
        calls.append(np.ndim(r))
        return (r - math.sqrt(2)) * (r - math.pi)

    c = rate_breakeven(diff, 0.0, 10.0, points=11)
    assert c.rates == pytest.approx([math.sqrt(2), math.pi], rel=1e-13)
    assert c.jump.tolist() == [False, False]
    assert calls[0] == 1                          # vectorised: the grid in one call


def test_close_crossings_a_scalar_function_and_exact_grid_zeros():
    # two roots 0.01 apart near 3 (default grid spacing ~0.05 linear, but geometric too)
    c = rate_breakeven(lambda r: (r - 3.0) * (r - 3.01), 0.1, 5.0, points=1001)
    assert c.rates == pytest.approx([3.0, 3.01], rel=1e-13)
    # a zero exactly on a grid point between opposite signs is a crossing
    c = rate_breakeven(lambda r: r - 5.0, 0.0, 10.0, points=11)
    assert c.rates.tolist() == [5.0]
    # a touch without a change of sign is not a crossing
    assert rate_breakeven(lambda r: (r - 2.0) ** 2 + 1e-3, 0.0, 4.0).rates.size == 0
    # a cost step (e.g. one more part in stock) crossing zero is a jump
    c = rate_breakeven(lambda r: float(r > 2.2) - 0.5, 0.0, 4.0)
    assert c.rates == pytest.approx([2.2], abs=1e-12) and c.jump.tolist() == [True]


def test_robustness_labels():
    # print minus stock... = r - 6: sign -1 below 6
    rb = decision_robustness(lambda r: r - 6.0, 2.9, 1.8, 4.4, search_lower=0.0, search_upper=50.0)
    assert rb.robust and rb.label == ROBUST and rb.inside.size == 0
    assert (rb.sign_at_estimate, rb.sign_at_lower, rb.sign_at_upper) == (-1, -1, -1)
    assert rb.flip_above == pytest.approx(6.0, rel=1e-14) and math.isnan(rb.flip_below)
    # the flip inside: 6 lies in [3.5, 7]
    rb = decision_robustness(lambda r: r - 6.0, 5.0, 3.5, 7.0)
    assert not rb.robust and rb.label == FLIPS_INSIDE and rb.inside == pytest.approx([6.0])
    assert (rb.sign_at_lower, rb.sign_at_upper) == (-1, 1)
    # two flips inside: the same decision at the estimate and both ends, still not robust
    rb = decision_robustness(lambda r: (r - 2.0) * (r - 3.0), 1.5, 1.0, 4.0)
    assert rb.sign_at_lower == rb.sign_at_upper == 1 and not rb.robust
    assert rb.inside == pytest.approx([2.0, 3.0], rel=1e-13)
    # a crossing below the interval is reported
    rb = decision_robustness(lambda r: 1.0 - r, 3.0, 2.0, 4.0, search_lower=0.0)
    assert rb.robust and rb.flip_below == pytest.approx(1.0)


def test_crossing_bad_input():
    with pytest.raises(ValueError, match=r"rate range = \[5.0, 1.0\]: must satisfy 0 <= lower <= upper"):
        rate_breakeven(lambda r: r, 5.0, 1.0)
    with pytest.raises(ValueError, match=r"cost difference at rate 0.0 = nan"):
        rate_breakeven(lambda r: np.where(r == 0, np.nan, r), 0.0, 1.0)
    with pytest.raises(ValueError, match=r"estimate = 9.0: must lie in the interval"):
        decision_robustness(lambda r: r, 9.0, 1.0, 2.0)
    with pytest.raises(ValueError, match=r"search range = \[1.5, 2.0\]: must contain"):
        decision_robustness(lambda r: r, 1.5, 1.0, 2.0, search_lower=1.5)


# --------------------------------------------------------------------------- dispersion


def brute_force_sum_of_squares(units, periods):
    """sum x_j² of every one of the periods^units equally likely allocations of the parts."""
    import itertools
    alloc = np.array(list(itertools.product(range(periods), repeat=units)))
    x = np.stack([(alloc == j).sum(axis=1) for j in range(periods)], axis=1)
    return np.sum(x * x, axis=1)


@pytest.mark.parametrize("units, periods", [(1, 3), (3, 4), (5, 4), (6, 5), (7, 3)])
def test_exact_dispersion_test_matches_brute_force(units, periods):
    t_all = brute_force_sum_of_squares(units, periods)
    for t in range(units, units * units + 1):
        assert poisson_dispersion_test(units, periods, t) == pytest.approx(
            np.mean(t_all >= t), rel=1e-12, abs=1e-15), t


def test_dispersion_test_above_the_exact_limit_is_the_chi_square():
    # N = 40 > EXACT_DISPERSION_UNITS: Fisher's index of dispersion, (n - 1) D ~ chi2(n - 1)
    n, units = 60, 40
    x = np.zeros(n)
    x[:20] = 2                                       # 40 parts as 20 pairs
    t = float(np.sum(x * x))
    d = x.var(ddof=1) / x.mean()
    assert units > EXACT_DISPERSION_UNITS
    assert poisson_dispersion_test(units, n, t) == pytest.approx(stats.chi2.sf((n - 1) * d, n - 1), rel=1e-10)
    c = demand_class(x)
    assert float(c.dispersion) == pytest.approx(d) and bool(c.overdispersed)


@pytest.mark.parametrize("rate", [0.5, 2.0, 20.0])
def test_dispersion_false_alarms_under_poisson(rate):
    # unit-demand Poisson (seeded, 2000 ten-year monthly histories): the batch note is
    # raised at most 5 % of the time (+3 binomial SE); two parts in a month happen anyway
    rng = np.random.default_rng(77 + int(rate))
    c = demand_class(rng.poisson(rate / 12, size=(2000, 120)))
    tested = ~np.isnan(c.dispersion_p_value)
    assert np.mean(c.overdispersed[tested]) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / tested.sum())
    if rate >= 2:
        assert np.mean(c.multi_unit) > 0.2              # why multi_unit alone is no batch test


def test_batches_are_detected():
    # 2 orders a year of 5 parts each (seeded, 10 years monthly): overdispersed in nearly all
    rng = np.random.default_rng(9)
    h = 5 * np.minimum(rng.poisson(2 / 12, size=(500, 120)), 1)
    c = demand_class(h)
    assert np.mean(c.overdispersed) > 0.95 and c.significance == 0.05
