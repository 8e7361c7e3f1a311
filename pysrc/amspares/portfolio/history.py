"""Portfolio rows whose demand comes from history (``docs/catalogues.md``, ``docs/demand.md``).

A catalogue gives a SKU's demand either as ``demand.rate_per_year`` or as its history:
``history.<period>`` columns (``history.2021-01``, ...: parts demanded per period, oldest
first), or a separate history file (``amspares portfolio --history FILE``: wide
``history.<period>`` columns or long ``sku, date, quantity`` transactions). For every row
with a history this module estimates the rate with its exact interval, classes the demand
and tests for a phase-out (one vectorised call each of :mod:`amspares.core.demand` over the
whole chunk, the same calls and conventions as :func:`amspares.robustness.assess_many`),
and says whether the decision survives the interval (:func:`amspares.robustness.decide_many`,
once per set of rows sharing every input but the rate). The rate evaluated is the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from amspares.core import demand as dm
from amspares.errors import ScenarioError

#: Text columns written after the catalogue's carried columns, when there is a history.
TEXT_COLUMNS = ("demand.class", "demand.overdispersed", "demand.phase_out",
                "decision.at_lower", "decision.at_upper", "decision.robustness")
#: Number columns written after ``demand.rate_per_year``, when there is a history.
NUMBER_COLUMNS = ("demand.rate_estimate", "demand.rate_lower", "demand.rate_upper", "demand.level",
                  "demand.periods", "demand.total", "demand.adi", "demand.cv2",
                  "decision.flip_below", "decision.flip_above")
#: ``decision.robustness`` of a decision that flips inside the interval (or ties at an end).
REVIEW = dm.FLIPS_INSIDE + ": review"
ROBUST = dm.ROBUST
#: ``decision.robustness`` where a cost is not a finite number somewhere in the search range.
NOT_SEARCHED = "not searched: a cost is not a finite number at some rate"

RULE_BOTH = ("has a demand history too: give either demand.rate_per_year or the history, "
             "not both (empty this cell to use the history)")


class HistoryFileError(ScenarioError):
    """A history file given with ``--history`` that cannot be used."""


@dataclass(frozen=True)
class HistoryInput:
    """Where a catalogue's histories come from and how they are read.

    ``names``: the history columns' headers (catalogue columns) or ``history.<label>`` of
    the file's periods; ``periods_per_year``; ``level``: of the interval. ``file``: the
    :class:`amspares.history.History` read from ``--history`` (None: catalogue columns);
    ``transactions``: that file is a transactions file (an SKU it does not list had no
    demand in its window); ``source``: the file's name, for messages.
    """

    names: tuple
    period: str | None
    periods_per_year: float
    level: float = 0.90
    file: object = None
    transactions: bool = False
    source: str = ""
    index: dict = field(default_factory=dict)      # sku -> row of file.quantities

    def lookup(self, skus: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The file's history of each SKU: ``(quantities, found)``; a transactions file's
        absent SKU has all zeros (no demand in the window), a wide file's is all NaN."""
        q = self.file.quantities
        rows = np.array([self.index.get(s, -1) for s in skus], dtype=np.int64)
        found = rows >= 0
        out = np.full((len(skus), q.shape[1]), 0.0 if self.transactions else np.nan)
        out[found] = q[rows[found]]
        return out, found


def check_level(level) -> float:
    """The interval's confidence level, strictly between 0 and 1.

    >>> check_level(0.9)
    0.9
    >>> check_level(90)
    Traceback (most recent call last):
    ...
    amspares.errors.ScenarioError: --level = 90: must be between 0 and 1 (0.9 for 90 %)
    """
    lev = float(level)
    if not (0.0 < lev < 1.0):
        raise ScenarioError("--level", level, "must be between 0 and 1 (0.9 for 90 %)")
    return lev


def read_history_file(path, period: str | None = None, periods_per_year=None,
                      level: float = 0.90) -> HistoryInput:
    """Read ``--history FILE``: wide (``sku``, ``history.<period>`` columns) or long
    (``sku, date, quantity``, summed per ``period``, default month), as ``amspares demand``
    reads it (:func:`amspares.commands.demand.read_history`)."""
    from amspares import history as hist
    from amspares.commands.demand import read_history

    header = hist._read_rows(path, "history file")[0]
    h = read_history(path, periods_per_year, period)
    names = tuple(hist.PREFIX + lab for lab in h.labels)
    return HistoryInput(names, h.period, float(h.periods_per_year), check_level(level), h,
                        not hist.history_columns(header), str(Path(path)),
                        {s: i for i, s in enumerate(h.skus)})


def column_periods(names: Sequence[str], period: str | None = None, periods_per_year=None):
    """The catalogue's history columns checked: ``(labels, period, periods_per_year)``
    (:func:`amspares.history.period_labels`)."""
    from amspares import history as hist
    from amspares.periods import PERIODS_PER_YEAR

    ppy = periods_per_year if period is None else PERIODS_PER_YEAR[period]
    return hist.period_labels(list(names), ppy)


# --------------------------------------------------------------------------- estimates


@dataclass
class Estimates:
    """Per row (of the rows given): the rate, its interval, the class and phase-out flag."""

    rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    periods: np.ndarray
    total: np.ndarray
    adi: np.ndarray
    cv2: np.ndarray
    label: np.ndarray           # demand class
    overdispersed: np.ndarray   # bool
    phase_out: np.ndarray       # object: True / False / None (history of one year or less)


def estimate_rows(q: np.ndarray, periods_per_year: float, level: float) -> Estimates:
    """Every row of a SKUs x periods history at once: the calls of
    :func:`amspares.robustness.assess_many` (rate and interval, SBC class, phase-out test
    counting periods with demand when demand comes in batches, else units).

    >>> e = estimate_rows(np.array([[0, 1, 0, 0, 2, 0] * 10, [0] * 60], float), 12, 0.9)
    >>> e.rate.tolist(), e.label.tolist(), e.phase_out.tolist()
    ([6.0, 0.0], ['intermittent', 'no demand'], [False, False])
    """
    from amspares.robustness import SIGNIFICANCE, recent_window

    ppy = float(periods_per_year)
    e = dm.poisson_rate_estimate(q, ppy, level)
    c = dm.demand_class(q, SIGNIFICANCE)
    recent = recent_window(q.shape[1], ppy)
    if recent is None:
        po = np.full(q.shape[0], None, dtype=object)
    else:
        units = dm.phase_out_flag(q, recent, SIGNIFICANCE, counts="units").flag
        periods = dm.phase_out_flag(q, recent, SIGNIFICANCE, counts="periods").flag
        po = np.where(c.overdispersed, periods, units).astype(bool).astype(object)
    return Estimates(np.asarray(e.rate, float), np.asarray(e.lower, float), np.asarray(e.upper, float),
                     np.asarray(e.periods, float), np.asarray(e.total, float), np.asarray(c.adi, float),
                     np.asarray(c.cv2, float), np.asarray(c.label, object),
                     np.asarray(c.overdispersed, bool), po)


def yes_no(values) -> list[str]:
    """``yes`` / ``no`` / empty (None) cells.

    >>> yes_no([True, False, None])
    ['yes', 'no', '']
    """
    return ["" if v is None else ("yes" if v else "no") for v in values]


def group_rows(parts: Sequence[np.ndarray], size: int) -> np.ndarray:
    """A group number per row: rows with equal values in every array of ``parts`` share it.

    >>> group_rows([np.array([1., 2., 1.]), np.array([0, 0, 0])], 3).tolist()
    [0, 1, 0]
    """
    if not parts:
        return np.zeros(size, dtype=np.int64)
    m = np.column_stack([np.asarray(p, dtype=float) for p in parts])
    m = np.where(np.isnan(m), math.inf, m)        # NaN == NaN for grouping
    _, inverse = np.unique(m, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


# --------------------------------------------------------------------------- robustness, row by row

#: Rows sharing every input but the rate: at least this many share one flip search
#: (:func:`amspares.robustness.decide_many`); fewer are searched row by row, vectorised
#: (:func:`decide_rows`). One shared search costs about as much as 20 rows' own.
SHARED_SEARCH_ROWS = 20
#: Grid points (times two: linear and geometric) per row, as :func:`amspares.core.demand.rate_breakeven`.
GRID_POINTS = 201
#: Rate evaluations per block of :func:`decide_rows` (bounds memory).
BLOCK_EVALUATIONS = 400_000


@dataclass
class RowDecisions:
    """Per row: the cheapest method at both interval ends, the nearest flips outside the
    interval (NaN: none in the search range), and whether the decision is robust."""

    at_lower: np.ndarray
    at_upper: np.ndarray
    flip_below: np.ndarray
    flip_above: np.ndarray
    robust: np.ndarray
    searched: np.ndarray        # False: a cost was not a finite number somewhere in the range


def _take(given: dict, rows: np.ndarray) -> dict:
    return {k: (v[rows] if isinstance(v, np.ndarray) and v.ndim else v) for k, v in given.items()}


def _costs(given: dict, methods, rows: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Total cost of every method (methods x len(rows)) for SKU ``rows[j]`` at ``rates[j]``."""
    from amspares.binding import bind
    from amspares.core.evaluate import evaluate

    g = _take(given, rows)
    g["demand.rate_per_year"] = rates
    ev = evaluate(bind(g, methods), advice=False)
    return np.vstack([np.broadcast_to(np.asarray(m.total_cost, float), rates.shape) for m in ev.methods.values()])


def _difference(c: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``TC_m - min over the other methods``, column by column (``m``: method per column)."""
    cols = np.arange(c.shape[1])
    own = c[m, cols]
    others = c.copy()
    others[m, cols] = np.inf
    return own - others.min(axis=0)


def decide_rows(given: dict, methods, estimate, lower, upper) -> RowDecisions:
    """:func:`amspares.robustness.decide` for SKUs that each have their own model inputs.

    ``given``: the model inputs, arrays of one element per SKU (or scalars shared by all),
    with one choice of each ``model.*`` key. Vectorised over the SKUs: each SKU's cost
    difference ``d(r) = TC_m(r) - min_(k != m) TC_k(r)`` (``m`` cheapest at its estimate) is
    evaluated on the grid that :func:`amspares.core.demand.rate_breakeven` uses on that
    SKU's search range ``[0, max(10 upper, 1)]`` (all SKUs in a few
    :func:`~amspares.core.evaluate.evaluate` calls), every sign change is bracketed there
    and root-found on the model by bisection to ``1e-13 * max(1, rate)`` (all brackets at
    once), never read off the grid; an exact zero between opposite signs on the grid is the
    crossing as it is, as in ``rate_breakeven``. The conventions (floor at a rate of 0, a
    tie at an end is not robust) are those of :func:`amspares.robustness.decide_many`.

    >>> from amspares.scenario import load_scenario
    >>> from amspares.robustness import decide
    >>> from amspares.binding import bind
    >>> base = dict(load_scenario().inputs())
    >>> given = dict(base, **{"methods.regular.investment": np.array([0.0, 20000.0])})
    >>> r = decide_rows(given, load_scenario().methods, np.array([2.0, 2.0]), np.array([1.3, 1.3]),
    ...                 np.array([2.9, 2.9]))
    >>> one = decide(bind(load_scenario().with_values({"methods.regular.investment": 20000.0})), 2.0, 1.3, 2.9)
    >>> r.at_lower.tolist(), abs(float(r.flip_above[1]) - one.flip_above) < 1e-9 * one.flip_above
    (['regular', 'am_mto'], True)
    """
    from amspares.robustness import _floor, _search_upper

    names = np.array(list(methods), dtype=object)
    hi = np.asarray(upper, dtype=float)
    est, lo = _floor(estimate, hi), _floor(lower, hi)
    top = _search_upper(hi)
    n = est.size
    rows = np.arange(n)
    c3 = _costs(given, methods, np.tile(rows, 3), np.concatenate([est, lo, hi]))
    best = np.argmin(c3, axis=0)                          # ties: the first declared
    m, m_lo, m_hi = best[:n], best[n:2 * n], best[2 * n:]
    part = np.sort(c3, axis=0)
    tie = (part[0] == part[1]).reshape(3, n).any(axis=0)
    searched = np.isfinite(c3).all(axis=0).reshape(3, n).all(axis=0)
    # the grids (one per distinct search range; rate_breakeven's own grid)
    grids = {t: dm._grid(0.0, t, GRID_POINTS) for t in np.unique(top).tolist()}
    size = max(len(g) for g in grids.values())
    grid = np.full((n, size), np.nan)
    for t, g in grids.items():
        grid[top == t, :len(g)] = g
    d = np.full((n, size), np.nan)
    per_block = max(1, BLOCK_EVALUATIONS // size)
    for s in range(0, n, per_block):
        r = rows[s:s + per_block]
        valid = ~np.isnan(grid[r])
        rr = np.broadcast_to(r[:, None], valid.shape)[valid]
        c = _costs(given, methods, rr, grid[r][valid])
        block = np.full(valid.shape, np.nan)
        block[valid] = _difference(c, m[rr])
        d[r] = block
    valid = ~np.isnan(grid)
    finite = np.where(valid, np.isfinite(d), True).all(axis=1)
    searched &= finite
    sgn = np.where(valid & np.isfinite(d), np.sign(d), 0.0)
    # previous non-zero sign on the row, for every grid point
    idx = np.broadcast_to(np.arange(size), (n, size))
    last_nz = np.maximum.accumulate(np.where(sgn != 0, idx, -1), axis=1)
    prev = np.concatenate([np.full((n, 1), -1), last_nz[:, :-1]], axis=1)
    prev_sign = np.take_along_axis(sgn, np.maximum(prev, 0), axis=1)
    cross = (sgn != 0) & (prev >= 0) & (prev_sign != sgn) & searched[:, None]
    cr, cb = np.nonzero(cross)                            # row, index of the right end
    ca = prev[cr, cb]
    roots = np.empty(cr.size)
    gap = cb - ca > 1                                     # exact zeros on the grid between them
    roots[gap] = grid[cr[gap], ca[gap] + 1 + (cb[gap] - ca[gap] - 1) // 2]
    k = np.flatnonzero(~gap)
    a, b = grid[cr[k], ca[k]], grid[cr[k], cb[k]]
    s_a = sgn[cr[k], ca[k]]
    mk = m[cr[k]]
    for _ in range(200):
        live = np.flatnonzero(b - a > 1e-13 * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))
        if not live.size:
            break
        mid = 0.5 * (a[live] + b[live])
        dm_ = _difference(_costs(given, methods, cr[k][live], mid), mk[live])
        left = np.sign(dm_) == s_a[live]
        zero = dm_ == 0
        a[live] = np.where(left | zero, mid, a[live])
        b[live] = np.where(~left | zero, mid, b[live])
    roots[k] = 0.5 * (a + b)
    inside = np.zeros(n, int)
    below = np.full(n, -np.inf)
    above = np.full(n, np.inf)
    np.add.at(inside, cr, (roots >= lo[cr]) & (roots <= hi[cr]))
    sel = roots < lo[cr]
    np.maximum.at(below, cr[sel], roots[sel])
    sel = (roots > hi[cr]) & (roots <= top[cr])
    np.minimum.at(above, cr[sel], roots[sel])
    robust = (m_lo == m) & (m_hi == m) & (inside == 0) & ~tie & searched
    return RowDecisions(names[m_lo], names[m_hi], np.where(np.isfinite(below) & searched, below, np.nan),
                        np.where(np.isfinite(above) & searched, above, np.nan), robust, searched)
