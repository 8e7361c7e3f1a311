"""Demand from history: the Poisson rate with its exact interval, the demand class, a
phase-out test, and the rates at which a decision flips (``docs/model.md``, demand from
history).

A history is an array of demand quantities per period, SKUs x periods (one SKU: a 1-D
array); the last axis is time, oldest first. ``NaN`` marks a period that was not observed
(typically the periods before the SKU existed); it counts neither as demand nor as
exposure time. Every other entry must be a whole number >= 0. Results have the shape of
the history without its last axis (a 1-D history gives 0-d arrays).

Nothing here writes sentences: every function returns numbers, flags and short labels
(``"lumpy"``, ``"robust"``) for the wording module to phrase.

* :func:`poisson_rate_estimate`: maximum-likelihood rate ``N / T`` and the exact
  (Garwood) two-sided interval from Gamma quantiles.
* :func:`demand_class`: Syntetos-Boylan-Croston classification (ADI 1.32, CV² 0.49) with
  the tsintermittent ``idclass`` conventions, plus the multi-unit (compound) demand flag.
* :func:`phase_out_flag`: exact conditional binomial test of recent against earlier counts.
* :func:`rate_breakeven` and :func:`decision_robustness`: every sign change of a cost
  difference in a rate range, each root-found by :func:`scipy.optimize.brentq`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from amspares.core.scipy_special import special

# scipy.stats and scipy.optimize cost about 1 CPU-s to import; they are imported by the
# functions that use them, so that a catalogue without history never pays for them.

#: Syntetos-Boylan-Croston cut-offs (Syntetos, Boylan & Croston 2005).
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

#: Demand class labels returned by :func:`demand_class`.
SMOOTH, INTERMITTENT, ERRATIC, LUMPY, NO_DEMAND = (
    "smooth", "intermittent", "erratic", "lumpy", "no demand")
DEMAND_CLASSES = (SMOOTH, INTERMITTENT, ERRATIC, LUMPY, NO_DEMAND)

#: Robustness labels returned by :func:`decision_robustness`.
ROBUST, FLIPS_INSIDE = "robust", "flips inside the interval"


# --------------------------------------------------------------------------- input


def _history(history) -> np.ndarray:
    """The history as a float array (>= 1-D), checked: NaN or a whole number >= 0."""
    try:
        h = np.asarray(history, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"history = {history!r}: must be numbers (demand per period), "
                         f"one row per SKU of equal length") from None
    if h.ndim == 0:
        raise ValueError(f"history = {history!r}: must be a list of demand quantities per period")
    if h.shape[-1] == 0:
        raise ValueError("history = []: must hold at least one period")
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(h) & ~((h >= 0) & np.isfinite(h) & (h == np.floor(h)))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        index = ", ".join(map(str, where))
        raise ValueError(f"history[{index}] = {float(h[where])!r}: demand per period must be a "
                         f"whole number >= 0 (NaN for a period that was not observed)")
    return h


def _observed_periods(h: np.ndarray) -> np.ndarray:
    n = np.sum(~np.isnan(h), axis=-1)
    if np.any(n == 0):
        where = tuple(int(i) for i in np.argwhere(np.atleast_1d(n == 0))[0])
        row = f" row {', '.join(map(str, where))}" if h.ndim > 1 else ""
        raise ValueError(f"history{row} has no observed period: at least one period "
                         f"(with 0 or more demand) is needed")
    return n


def _out(x):
    return x if np.ndim(x) else np.asarray(x)


def _significance(significance) -> float:
    sig = float(significance)
    if not (0.0 < sig < 1.0):
        raise ValueError(f"significance = {significance!r}: must be between 0 and 1 (0.05 for 5 %)")
    return sig


# --------------------------------------------------------------------------- rate


@dataclass(frozen=True)
class RateEstimate:
    """Poisson rate per year with its exact two-sided confidence interval.

    ``rate = total / years``; ``lower``/``upper`` at confidence ``level``; ``periods`` is the
    number of observed periods, ``years = periods / periods_per_year`` the exposure time
    and ``total`` the demand in them.
    """

    rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    periods: np.ndarray
    years: np.ndarray
    total: np.ndarray
    level: float


def poisson_rate_estimate(history, periods_per_year, level=0.90) -> RateEstimate:
    """Maximum-likelihood Poisson rate per year and its exact (Garwood) interval.

    With ``N`` units of demand in ``T = periods / periods_per_year`` years of observed
    history, the maximum-likelihood rate of a Poisson process is ``N / T``. The exact
    two-sided interval at confidence ``level = 1 - alpha`` (Garwood 1936) is::

        lower = Gamma^-1(alpha/2; N) / T        (0 when N = 0)
        upper = Gamma^-1(1 - alpha/2; N + 1) / T

    with ``Gamma^-1(q; a)`` the ``q``-quantile of a unit-scale Gamma(a) distribution
    (equal to ``chi2.ppf(q, 2a) / 2``). Each tail holds at most ``alpha / 2``, so the
    coverage is at least ``level`` at every true rate. For ``N = 0`` the upper bound is
    ``-ln(alpha / 2) / T`` (still the two-sided rule, not the one-sided ``-ln(alpha)``).

    The interval assumes unit-sized demands (a Poisson count of units); when demand comes
    in sizes above one it is too narrow (see :func:`demand_class`).

    Examples
    --------
    Ten years of monthly history with 20 parts demanded:

    >>> h = [2, 0, 0, 1] + [0] * 115 + [17]
    >>> e = poisson_rate_estimate(h, periods_per_year=12)
    >>> float(e.rate), float(e.years), round(float(e.lower), 4), round(float(e.upper), 4)
    (2.0, 10.0, 1.3255, 2.9062)
    >>> from scipy.stats import chi2           # the same bounds as chi-square quantiles / 2T
    >>> round(float(chi2.ppf(0.05, 40)) / 20, 4), round(float(chi2.ppf(0.95, 42)) / 20, 4)
    (1.3255, 2.9062)

    No demand in 5 years: lower bound 0, upper ``-ln(0.05) / 5``:

    >>> e = poisson_rate_estimate([[0] * 60, [1] * 60], 12)
    >>> e.rate.tolist(), round(float(e.upper[0]), 6), round(math.log(20) / 5, 6)
    ([0.0, 12.0], 0.599146, 0.599146)
    """
    h = _history(history)
    ppy = float(periods_per_year)
    if not (math.isfinite(ppy) and ppy > 0):
        raise ValueError(f"periods_per_year = {periods_per_year!r}: must be a number > 0 "
                         f"(12 for months, 52 for weeks, 4 for quarters)")
    lev = float(level)
    if not (0.0 < lev < 1.0):
        raise ValueError(f"level = {level!r}: must be between 0 and 1 (0.90 for 90 %)")
    alpha = 1.0 - lev
    periods = _observed_periods(h)
    total = np.nansum(h, axis=-1)
    years = periods / ppy
    rate = total / years
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(total > 0, special.gammaincinv(np.where(total > 0, total, 1.0), alpha / 2), 0.0)
    upper = special.gammainccinv(total + 1.0, alpha / 2)
    return RateEstimate(_out(rate), _out(lower / years), _out(upper / years), _out(periods),
                        _out(years), _out(total), lev)


# --------------------------------------------------------------------------- class


@dataclass(frozen=True)
class DemandClass:
    """Syntetos-Boylan-Croston class of each history, with the numbers behind it.

    ``label``: one of :data:`DEMAND_CLASSES`. ``adi``: average inter-demand interval in
    periods (NaN without demand). ``cv2``: squared coefficient of variation of the
    non-zero demand sizes (NaN with fewer than two). ``demand_periods``: periods with
    demand; ``periods``: observed periods. ``mean_size``/``max_size``: of the non-zero
    demands. ``multi_unit``: some demand came in a size above one. ``dispersion``: the
    index of dispersion of the demand per observed period, sample variance (divisor
    ``periods - 1``) over mean: about 1 for Poisson demand, ``E[size²] / E[size]`` for
    compound Poisson demand (batches), i.e. the factor by which the unit-demand Poisson
    model understates the variance; NaN without demand or with one observed period.
    ``dispersion_p_value``: one-sided p-value of the test that demand is no more variable
    than unit-demand Poisson (see :func:`poisson_dispersion_test`); ``overdispersed``: it
    is at most ``significance``. Use ``overdispersed`` (not ``multi_unit``) for the note
    that demand comes in batches: two single parts in one period also make a period
    total of 2.
    """

    label: np.ndarray
    adi: np.ndarray
    cv2: np.ndarray
    demand_periods: np.ndarray
    periods: np.ndarray
    mean_size: np.ndarray
    max_size: np.ndarray
    multi_unit: np.ndarray
    dispersion: np.ndarray
    dispersion_p_value: np.ndarray
    overdispersed: np.ndarray
    significance: float


def demand_class(history, significance=0.05) -> DemandClass:
    """Syntetos-Boylan-Croston (SBC) classification of intermittent demand.

    Conventions (those of ``idclass(type="SBC")`` in the R package tsintermittent,
    Kourentzes; the ADI equals statsforecast's ``_intervals`` mean):

    * Unobserved (NaN) periods are dropped first, so the history starts at its first
      observed period.
    * ADI = mean of the inter-demand intervals, the first interval counted from the start
      of the history: with the non-zero periods at 1-based positions ``t_1 < ... < t_k``
      the intervals are ``t_1, t_2 - t_1, ..., t_k - t_(k-1)`` and ``ADI = t_k / k``
      (zero periods after the last demand do not count; the phase-out test covers them).
    * CV² = ``(s / m)²`` of the ``k`` non-zero sizes, ``s`` the sample standard deviation
      (divisor ``k - 1``, R's ``sd``) and ``m`` their mean.
    * Classes (tsintermittent's strict ``>``): smooth (ADI <= 1.32 and CV² <= 0.49),
      intermittent (ADI > 1.32, CV² <= 0.49), erratic (ADI <= 1.32, CV² > 0.49), lumpy
      (ADI > 1.32 and CV² > 0.49).
    * No demand in any observed period: ``"no demand"`` (ADI and CV² NaN).
    * One period with demand: CV² is undefined (NaN); one size shows no spread, so the
      size side counts as low and the class follows the ADI alone (intermittent or
      smooth). tsintermittent gives the same (SBA, i.e. intermittent or lumpy) when
      ADI > 1.32 and no class otherwise.

    Examples
    --------
    Demand of 1, 1, 3 in periods 2, 5 and 6: intervals 2, 3, 1 so ADI = 6/3 = 2; sizes
    mean 5/3, sample variance 4/3, CV² = (4/3)/(25/9) = 0.48: intermittent, multi-unit.

    >>> c = demand_class([0, 1, 0, 0, 1, 3, 0])
    >>> str(c.label), float(c.adi), round(float(c.cv2), 12), bool(c.multi_unit)
    ('intermittent', 2.0, 0.48, True)
    >>> demand_class([[0, 0, 0], [np.nan, 0, 2]]).label.tolist()
    ['no demand', 'intermittent']
    """
    h = _history(history)
    sig = _significance(significance)
    periods = _observed_periods(h)
    observed = ~np.isnan(h)
    position = np.cumsum(observed, axis=-1)                 # 1-based among observed periods
    hz = np.where(observed, h, 0.0)
    demand = hz > 0
    k = demand.sum(axis=-1)
    last = np.max(np.where(demand, position, 0), axis=-1)
    total = hz.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(k > 0, last / np.maximum(k, 1), np.nan)
        mean = np.where(k > 0, total / np.maximum(k, 1), np.nan)
        dev = np.where(demand, hz - mean[..., None], 0.0)
        var = np.where(k > 1, np.sum(dev * dev, axis=-1) / np.maximum(k - 1, 1), np.nan)
        cv2 = var / (mean * mean)
        pmean = total / periods
        pdev = np.where(observed, hz - pmean[..., None], 0.0)
        pvar = np.sum(pdev * pdev, axis=-1) / np.maximum(periods - 1, 1)
        ratio = np.where((total > 0) & (periods > 1), pvar / pmean, np.nan)
    long_intervals = adi > ADI_CUTOFF
    varied = np.where(np.isnan(cv2), False, cv2 > CV2_CUTOFF)
    label = np.where(long_intervals, np.where(varied, LUMPY, INTERMITTENT),
                     np.where(varied, ERRATIC, SMOOTH)).astype(object)
    label = np.where(k == 0, NO_DEMAND, label).astype(object)
    max_size = np.where(k > 0, hz.max(axis=-1), np.nan)
    p_disp = poisson_dispersion_test(total, periods, np.sum(hz * hz, axis=-1))
    over = np.where(np.isnan(p_disp), False, p_disp <= sig)
    return DemandClass(_out(label), _out(adi), _out(cv2), _out(k), _out(periods), _out(mean),
                       _out(max_size), _out(max_size > 1), _out(ratio), _out(p_disp), _out(over), sig)


# --------------------------------------------------------------------------- dispersion

#: Up to this many units the dispersion test is exact (enumerated), above it chi-square.
EXACT_DISPERSION_UNITS = 30


def _partitions(n: int, largest: int):
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first,) + rest


_EXACT_CACHE: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _exact_sum_of_squares(units: int, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Distribution of ``T = sum x_j²`` when ``units`` parts fall uniformly at random into
    ``periods`` periods (multinomial), by enumerating the occupancy patterns (partitions of
    ``units``): values ascending and their probabilities."""
    key = (units, periods)
    if key not in _EXACT_CACHE:
        lf = [math.lgamma(i + 1.0) for i in range(max(units, periods) + 1)]     # log i!
        base = lf[units] - units * math.log(periods)
        ts, logp = [], []
        for parts in _partitions(units, units):
            k = len(parts)
            if k > periods:
                continue
            mult = {}
            for x in parts:
                mult[x] = mult.get(x, 0) + 1
            logp.append(base + lf[periods] - lf[periods - k] - sum(lf[m] for m in mult.values())
                        - sum(lf[x] for x in parts))
            ts.append(sum(x * x for x in parts))
        t, pr = np.array(ts, dtype=float), np.exp(np.array(logp))
        order = np.argsort(t)
        vals, first = np.unique(t[order], return_index=True)
        _EXACT_CACHE[key] = (vals, np.add.reduceat(pr[order], first))
    return _EXACT_CACHE[key]


def poisson_dispersion_test(total, periods, sum_of_squares):
    """One-sided p-value that per-period demand is more variable than Poisson.

    Under unit-demand Poisson with a constant rate, given the total ``N`` the ``N`` parts
    fall uniformly at random into the ``n`` observed periods, and the statistic is the
    sum of squared period totals ``T = sum x_j²`` (equivalent to the index of dispersion).
    The p-value is ``P(T >= T_obs | N, n)``: exact for ``N <=``
    :data:`EXACT_DISPERSION_UNITS` (every occupancy pattern enumerated), else Fisher's
    index-of-dispersion test ``chi2.sf(n T / N - N, n - 1)``. NaN when ``N = 0`` or
    ``n < 2``.

    Examples
    --------
    Three parts in four periods: all in one period has probability ``4 / 4^3 = 1/16``:

    >>> float(poisson_dispersion_test(3, 4, 9)), float(poisson_dispersion_test(3, 4, 3))
    (0.0625, 1.0)
    """
    from scipy import stats
    n_units, n, t = np.broadcast_arrays(np.asarray(total, dtype=float), np.asarray(periods, dtype=float),
                                        np.asarray(sum_of_squares, dtype=float))
    p = np.full(n_units.shape, np.nan)
    ok = (n_units > 0) & (n >= 2)
    exact = ok & (n_units <= EXACT_DISPERSION_UNITS)
    big = ok & ~exact
    if big.any():
        nb, tb, ub = n[big], t[big], n_units[big]
        p[big] = stats.chi2.sf(nb * tb / ub - ub, nb - 1)
    if exact.any():
        for units, per in set(zip(n_units[exact].astype(int).tolist(), n[exact].astype(int).tolist())):
            vals, probs = _exact_sum_of_squares(units, per)
            tail = np.concatenate((np.cumsum(probs[::-1])[::-1], [0.0]))
            sel = exact & (n_units == units) & (n == per)
            p[sel] = np.minimum(tail[np.searchsorted(vals, t[sel] - 0.5)], 1.0)
    return p if p.ndim else float(p)


# --------------------------------------------------------------------------- phase-out


@dataclass(frozen=True)
class PhaseOut:
    """Result of :func:`phase_out_flag` per history.

    ``flag``: the recent rate is significantly below the earlier rate. ``p_value``: of the
    one-sided test (NaN when not testable: no observed recent or earlier period).
    ``recent_total``/``earlier_total``: demand in each part; ``recent_periods``/
    ``earlier_periods``: observed periods in each; ``ratio``: recent rate / earlier rate
    (NaN when the earlier rate is 0 or not testable). ``significance``: the test level.
    """

    flag: np.ndarray
    p_value: np.ndarray
    recent_total: np.ndarray
    earlier_total: np.ndarray
    recent_periods: np.ndarray
    earlier_periods: np.ndarray
    ratio: np.ndarray
    significance: float


def phase_out_flag(history, recent_periods, significance=0.05, counts="units") -> PhaseOut:
    """Flag a falling demand: the last ``recent_periods`` periods against all earlier ones.

    The test: under a constant Poisson rate, given the total ``N = n_r + n_e`` of demand,
    the recent count ``n_r`` is Binomial(N, p0) with ``p0 = T_r / (T_r + T_e)``, the
    recent share of the observed periods (the exact conditional test of two Poisson
    rates, Przyborowski & Wilenski 1940). The one-sided p-value is
    ``P(X <= n_r) = binom.cdf(n_r, N, p0)``; the flag is raised when
    ``p <= significance``. The window is the last ``recent_periods`` columns of the history
    (calendar periods; unobserved ones in it count as no exposure). With no demand at all
    the p-value is 1 (no flag). Few demands cannot give a flag: with 10 % of the periods
    recent and none of ``N`` demands in them, ``p = 0.9^N`` needs ``N >= 29`` to reach 0.05.

    ``counts="units"`` (default) counts parts. When demand comes in batches
    (``demand_class(...).overdispersed``) units are over-dispersed and that test is too
    eager; ``counts="periods"`` then counts the periods with demand instead: given ``K``
    such periods among the ``n`` observed ones, under a constant chance of demand per
    period the recent number is hypergeometric (``K`` draws from ``n`` periods of which
    ``T_r`` are recent), ``p = hypergeom.cdf(k_r, n, K, T_r)``, whatever the batch sizes.
    ``recent_total``/``earlier_total`` then hold those period counts.

    Examples
    --------
    Nine years with 3 units a year, then none for a year: ``p = 0.9^27 = 0.058`` (no
    flag at 5 %); with 4 a year ``p = 0.9^36 = 0.023`` (flag):

    >>> h = [[1 if m % 4 == 0 else 0 for m in range(108)] + [0] * 12,
    ...      [1 if m % 3 == 0 else 0 for m in range(108)] + [0] * 12]
    >>> r = phase_out_flag(h, recent_periods=12)
    >>> r.flag.tolist(), [round(p, 4) for p in r.p_value.tolist()], round(0.9 ** 27, 4)
    ([False, True], [0.0581, 0.0225], 0.0581)
    """
    from scipy import stats
    h = _history(history)
    _observed_periods(h)
    n = h.shape[-1]
    if isinstance(recent_periods, bool) or not float(recent_periods).is_integer() \
            or not (1 <= int(recent_periods) < n):
        raise ValueError(f"recent_periods = {recent_periods!r}: must be a whole number from 1 "
                         f"to {n - 1} (fewer than the {n} periods of history)")
    sig = _significance(significance)
    if counts not in ("units", "periods"):
        raise ValueError(f"counts = {counts!r}: must be 'units' or 'periods'")
    r = int(recent_periods)
    if counts == "periods":
        h = np.where(np.isnan(h), np.nan, (h > 0).astype(float))
    early, recent = h[..., : n - r], h[..., n - r:]
    t_e = np.sum(~np.isnan(early), axis=-1)
    t_r = np.sum(~np.isnan(recent), axis=-1)
    n_e = np.nansum(early, axis=-1)
    n_r = np.nansum(recent, axis=-1)
    testable = (t_e > 0) & (t_r > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if counts == "units":
            p0 = np.where(testable, t_r / np.maximum(t_e + t_r, 1), 0.5)
            p = np.where(testable, stats.binom.cdf(n_r, n_e + n_r, p0), np.nan)
        else:
            p = np.where(testable, stats.hypergeom.cdf(n_r, t_e + t_r, n_e + n_r, t_r), np.nan)
        p = np.where(testable & (n_e + n_r == 0), 1.0, p)
        ratio = np.where(testable & (n_e > 0), (n_r / np.maximum(t_r, 1)) / (n_e / np.maximum(t_e, 1)),
                         np.nan)
    flag = testable & (np.where(np.isnan(p), 1.0, p) <= sig)
    return PhaseOut(_out(flag), _out(p), _out(n_r), _out(n_e), _out(t_r), _out(t_e), _out(ratio), sig)


# --------------------------------------------------------------------------- flips


@dataclass(frozen=True)
class Crossings:
    """Rates where a cost difference changes sign, ascending.

    ``jump[i]`` is True where the difference jumps across zero (a discontinuity of the
    model: the two sides still differ by more than 1e-9 relative at ``rates[i]``) rather
    than passing through it.
    """

    rates: np.ndarray
    jump: np.ndarray


_JUMP_TOL = 1e-9


def _evaluator(fn: Callable):
    """``fn`` applied to an array of rates: one call when ``fn`` is vectorised, else a loop."""

    def loop(x):
        return np.array([float(np.asarray(fn(float(v))).reshape(())) for v in x])

    def call(x):
        x = np.asarray(x, dtype=float)
        try:
            y = np.asarray(fn(x), dtype=float)
        except (TypeError, ValueError):
            return loop(x)
        return y if y.shape == x.shape else loop(x)

    return call


def _grid(lower: float, upper: float, points: int) -> np.ndarray:
    """Bracketing grid on [lower, upper]: linear plus geometric (rates span decades)."""
    g = [np.linspace(lower, upper, points)]
    if upper > 0:
        g.append(np.geomspace(max(lower, upper * 1e-6), upper, points))
    return np.unique(np.clip(np.concatenate(g), lower, upper))


def rate_breakeven(cost_difference: Callable, lower, upper, *, points: int = 201) -> Crossings:
    """Every rate in ``[lower, upper]`` where ``cost_difference(rate)`` changes sign.

    ``cost_difference`` maps a rate (per year) to the cost of one method minus another's;
    it may take an array of rates (one call for the whole grid) or only a float. A grid of
    about ``2 * points`` rates (linear and geometric) only brackets the sign changes; each
    is then root-found by :func:`scipy.optimize.brentq` on the function itself
    (``xtol = 1e-13 * max(1, |rate|)``), never read off the grid. A grid point where the
    difference is exactly 0 between opposite signs is a crossing as it is. Two crossings
    closer together than the grid spacing can be missed (they cancel in one grid cell);
    a touch of zero without a change of sign is not a crossing.

    Examples
    --------
    ``(r - 1)(r - 4)`` crosses zero at 1 and 4:

    >>> c = rate_breakeven(lambda r: (r - 1.0) * (r - 4.0), 0.0, 10.0)
    >>> [round(float(x), 12) for x in c.rates], c.jump.tolist()
    ([1.0, 4.0], [False, False])

    A scalar-only function works too; a jump across zero is found and marked:

    >>> c = rate_breakeven(lambda r: math.floor(r) - 2.5, 0.0, 5.0)
    >>> round(float(c.rates[0]), 9), bool(c.jump[0])
    (3.0, True)
    """
    from scipy import optimize
    lo, hi = float(lower), float(upper)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 <= lo <= hi):
        raise ValueError(f"rate range = [{lower!r}, {upper!r}]: must satisfy 0 <= lower <= upper")
    if int(points) < 2:
        raise ValueError(f"points = {points!r}: must be at least 2")
    f = _evaluator(cost_difference)
    if lo == hi:
        return Crossings(np.empty(0), np.empty(0, bool))
    g = _grid(lo, hi, int(points))
    d = f(g)
    if not np.all(np.isfinite(d)):
        i = int(np.flatnonzero(~np.isfinite(d))[0])
        raise ValueError(f"cost difference at rate {float(g[i])!r} = {float(d[i])!r}: must be a finite number")
    s = np.sign(d)
    nz = np.flatnonzero(s != 0)
    rates, jumps = [], []

    def scalar(x):
        return float(f(np.array([x]))[0])

    for a_i, b_i in zip(nz[:-1], nz[1:]):
        if s[a_i] == s[b_i]:
            continue
        if b_i - a_i > 1:                           # exact zeros on the grid between them
            zeros = np.arange(a_i + 1, b_i)
            rates.append(float(g[zeros[len(zeros) // 2]]))
            jumps.append(False)
            continue
        a, b = float(g[a_i]), float(g[b_i])
        x = optimize.brentq(scalar, a, b, xtol=1e-13 * max(1.0, abs(a), abs(b)),
                            rtol=4 * np.finfo(float).eps, maxiter=500)
        scale = max(abs(d[a_i]), abs(d[b_i]), 1e-300)
        rates.append(float(x))
        jumps.append(bool(abs(scalar(x)) > _JUMP_TOL * scale))
    return Crossings(np.array(rates, dtype=float), np.array(jumps, dtype=bool))


@dataclass(frozen=True)
class Robustness:
    """Result of :func:`decision_robustness`.

    ``sign_at_estimate``/``sign_at_lower``/``sign_at_upper``: sign of the cost difference
    (-1: the first method is cheaper, +1: the second, 0: a tie). ``robust``: the same
    non-zero sign at all three and no crossing inside ``[lower, upper]``; ``label``:
    :data:`ROBUST` or :data:`FLIPS_INSIDE`. ``inside``: crossings inside the interval.
    ``flip_below``/``flip_above``: the nearest crossing below ``lower`` / above ``upper``
    within the search range (NaN when none). ``crossings``: all crossings found.
    """

    robust: bool
    label: str
    sign_at_estimate: int
    sign_at_lower: int
    sign_at_upper: int
    inside: np.ndarray
    flip_below: float
    flip_above: float
    crossings: Crossings


def decision_robustness(cost_difference: Callable, estimate, lower, upper, *, search_lower=None,
                        search_upper=None, points: int = 201) -> Robustness:
    """Does the decision stay the same across the rate's confidence interval?

    Evaluates ``cost_difference`` (first method minus second, as in
    :func:`rate_breakeven`) at the estimate and at both ends of ``[lower, upper]``, and
    finds every crossing in ``[search_lower, search_upper]`` (default: the interval
    itself; widen it to also report the nearest flip outside). Robust when the sign is the
    same and non-zero at all three and no crossing lies in ``[lower, upper]``; otherwise
    the decision flips inside the interval (or is a tie) and should be reviewed.

    Examples
    --------
    Stock minus print costs ``r - 6`` (printing cheaper below 6 per year); estimate 2.9
    with interval [1.8, 4.4], searched up to 20:

    >>> rb = decision_robustness(lambda r: r - 6.0, 2.9, 1.8, 4.4, search_upper=20.0)
    >>> rb.label, rb.sign_at_estimate, round(rb.flip_above, 12), math.isnan(rb.flip_below)
    ('robust', -1, 6.0, True)
    >>> decision_robustness(lambda r: r - 6.0, 5.0, 3.5, 7.0).label
    'flips inside the interval'
    """
    est, lo, hi = float(estimate), float(lower), float(upper)
    if not (math.isfinite(est) and lo <= est <= hi):
        raise ValueError(f"estimate = {estimate!r}: must lie in the interval [{lower!r}, {upper!r}]")
    s_lo = lo if search_lower is None else float(search_lower)
    s_hi = hi if search_upper is None else float(search_upper)
    if not (s_lo <= lo and hi <= s_hi):
        raise ValueError(f"search range = [{s_lo!r}, {s_hi!r}]: must contain the interval "
                         f"[{lower!r}, {upper!r}]")
    cross = rate_breakeven(cost_difference, s_lo, s_hi, points=points)
    f = _evaluator(cost_difference)
    d = f(np.array([est, lo, hi]))
    if not np.all(np.isfinite(d)):
        raise ValueError(f"cost difference at rates {[est, lo, hi]!r} = {d.tolist()!r}: must be finite")
    sign = [int(v) for v in np.sign(d)]
    r = cross.rates
    inside = r[(r >= lo) & (r <= hi)]
    below, above = r[r < lo], r[r > hi]
    robust = bool(sign[0] != 0 and sign[0] == sign[1] == sign[2] and inside.size == 0)
    return Robustness(robust, ROBUST if robust else FLIPS_INSIDE, sign[0], sign[1], sign[2], inside,
                      float(below[-1]) if below.size else math.nan,
                      float(above[0]) if above.size else math.nan, cross)
