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
