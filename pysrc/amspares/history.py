"""Reading demand history: the wide form (one row per SKU, a column per period) and the
long form (one row per transaction). The estimates are in :mod:`amspares.core.demand`.

**Wide form**: a ``sku`` column and one column per period named ``history.<period>``,
oldest first, with consecutive periods: ``history.2021-01`` (months), ``history.2021-Q1``
(quarters), ``history.2021-W01`` (ISO weeks), or any other names (``history.1``, ...)
when the number of periods per year is given. Each cell is the number of parts demanded
in that period (0 if none). A cell is left empty only for the periods before the SKU
existed; an empty cell after the SKU's first period is an error (write 0).

**Long form**: columns ``sku``, ``date`` (``YYYY-MM-DD``) and ``quantity``, one row per
demand, summed into periods of a stated length (``month``, ``quarter`` or ``week``). All
SKUs share one observation window, from the first to the last period with a transaction
in the file (or the stated ``start``/``end``): a transactions file does not say when an
SKU began, so every SKU counts as observed over the whole window.

Periods per year: 12 months, 4 quarters, 365.2425 / 7 = 52.1775 weeks (the mean ISO
year).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from amspares.errors import ScenarioError

from amspares.periods import PERIODS_PER_YEAR  # noqa: E402  (one place; numpy-free for the CLI)

PREFIX = "history."
_EXAMPLE = {"month": "2021-01", "quarter": "2021-Q1", "week": "2021-W01"}

_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-[Qq]([1-4])$"),
    "week": re.compile(r"^(\d{4})-[Ww](\d{2})$"),
}

RULE_QUANTITY = "must be a whole number >= 0 (the parts demanded in that period)"
RULE_GAP = ("is empty after the SKU's first period: write 0 for a period without demand "
            "(leave a cell empty only for the periods before the SKU existed)")
RULE_EMPTY_ROW = "needs at least one period: write 0 for a period without demand"


@dataclass(frozen=True)
class History:
    """Demand history of several SKUs, ready for :mod:`amspares.core.demand`.

    ``quantities[i, j]``: parts demanded of ``skus[i]`` in period ``labels[j]`` (oldest
    first); NaN before the SKU's first period. ``period``: ``"month"``, ``"quarter"``,
    ``"week"`` or ``None`` (periods named otherwise). ``ignored``: transactions outside the
    stated window (long form only).
    """

    skus: tuple
    labels: tuple
    quantities: np.ndarray
    period: str | None
    periods_per_year: float
    ignored: int = 0

    def wide_header(self) -> list[str]:
        """The wide form's header: ``sku`` and one ``history.<label>`` per period.

        >>> History(("A",), ("2021-01", "2021-02"), np.zeros((1, 2)), "month", 12.0).wide_header()
        ['sku', 'history.2021-01', 'history.2021-02']
        """
        return ["sku"] + [PREFIX + label for label in self.labels]


# --------------------------------------------------------------------------- periods


def _period_index(kind: str, label: str) -> int | None:
    """Consecutive integer of a period label (``None`` if it is not of this kind)."""
    m = _PATTERNS[kind].match(label)
    if not m:
        return None
    year, part = int(m.group(1)), int(m.group(2))
    if kind == "month":
        return year * 12 + part - 1 if 1 <= part <= 12 else None
    if kind == "quarter":
        return year * 4 + part - 1
    try:
        return (dt.date.fromisocalendar(year, part, 1).toordinal() - 1) // 7
    except ValueError:
        return None


def _label(kind: str, index: int) -> str:
    if kind == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if kind == "quarter":
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    y, w, _ = dt.date.fromordinal(index * 7 + 1).isocalendar()
    return f"{y:04d}-W{w:02d}"


def _date_index(kind: str, day: dt.date) -> int:
    if kind == "month":
        return day.year * 12 + day.month - 1
    if kind == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return (day.toordinal() - 1) // 7                 # ISO weeks start on Monday (ordinal 1)


def _check_kind(period: str, what: str = "period") -> str:
    if period not in PERIODS_PER_YEAR:
        raise ScenarioError(what, period, f"must be one of {', '.join(PERIODS_PER_YEAR)}")
    return period


def history_columns(header: Sequence[str]) -> list[int]:
    """Positions of the ``history.<period>`` columns in a header.

    >>> history_columns(["sku", "history.2021-01", "part.weight_kg", "history.2021-02"])
    [1, 3]
    """
    return [j for j, name in enumerate(header) if name.strip().lower().startswith(PREFIX)]


def period_labels(names: Sequence[str], periods_per_year=None) -> tuple[tuple, str | None, float]:
    """Check the history column names; return ``(labels, period, periods_per_year)``.

    Dated names (all months, all quarters or all ISO weeks) must be consecutive, oldest
    first; their period fixes the periods per year (a different ``periods_per_year`` is
    an error). Other names are taken in column order and need ``periods_per_year``.

    >>> period_labels(["history.2021-11", "history.2021-12", "history.2022-01"])
    (('2021-11', '2021-12', '2022-01'), 'month', 12.0)
    >>> period_labels(["history.2020-W53", "history.2021-W01"])[1:]
    ('week', 52.1775)
    >>> period_labels(["history.2021-01", "history.2021-03"])
    Traceback (most recent call last):
    ...
    amspares.errors.ScenarioError: history.2021-03 = 'after history.2021-01': the periods must be consecutive, oldest first (history.2021-02 is missing)
    """
    if not names:
        raise ScenarioError("history", "(no columns)", "needs at least one history.<period> column")
    labels = tuple(n.strip()[len(PREFIX):] for n in names)
    for n, lab in zip(names, labels):
        if not lab:
            raise ScenarioError(n.strip(), "(no period)", "name the period, e.g. history.2021-01")
    kind = next((k for k in _PATTERNS if _period_index(k, labels[0]) is not None), None)
    if kind is not None:
        idx = []
        for lab in labels:
            i = _period_index(kind, lab)
            if i is None:
                raise ScenarioError(PREFIX + lab, lab, f"is not a {kind} like the first history "
                                                       f"column ({PREFIX}{labels[0]})")
            if idx and i != idx[-1] + 1:
                missing = _label(kind, idx[-1] + 1)
                rule = ("the periods must be consecutive, oldest first "
                        + (f"({PREFIX}{missing} is missing)" if i > idx[-1] else "(it is out of order)"))
                raise ScenarioError(PREFIX + lab, f"after {PREFIX}{labels[len(idx) - 1]}", rule)
            idx.append(i)
        ppy = PERIODS_PER_YEAR[kind]
        if periods_per_year is not None and not math.isclose(float(periods_per_year), ppy, rel_tol=1e-3):
            raise ScenarioError("periods_per_year", periods_per_year,
                                f"the history columns are {kind}s ({ppy:g} per year)")
        return labels, kind, ppy
    if len(set(labels)) != len(labels):
        dup = next(lab for lab in labels if labels.count(lab) > 1)
        raise ScenarioError(PREFIX + dup, "(twice)", "each period needs its own column")
    if periods_per_year is None:
        raise ScenarioError("periods_per_year", "(not given)",
                            f"needed when the history columns are not named by month, quarter or "
                            f"week (like {PREFIX}2021-01, {PREFIX}2021-Q1, {PREFIX}2021-W01)")
    ppy = float(periods_per_year)
    if not (math.isfinite(ppy) and ppy > 0):
        raise ScenarioError("periods_per_year", periods_per_year, "must be a number > 0")
    return labels, None, ppy


# --------------------------------------------------------------------------- cells


def parse_history_cells(columns: Sequence[Sequence[str]], names: Sequence[str]
                        ) -> tuple[np.ndarray, dict[int, tuple[str, str, str]]]:
    """Cells as text (``columns[j][i]``: period ``j`` of row ``i``) to a quantities array.

    Returns ``(quantities, problems)``: a rows x periods float array (NaN where empty) and
    ``{row: (column name, cell text, rule)}`` for the first bad cell of each bad row (its
    quantities are then all NaN). Vectorised per column; text is parsed one by one only in a
    column that has some.

    >>> q, bad = parse_history_cells([["", "1", "", ""], ["0", "", "x", ""]], ["history.a", "history.b"])
    >>> q[0].tolist()
    [nan, 0.0]
    >>> bad[1][:2], bad[2], bad[3][:2]
    (('history.b', '(empty)'), ('history.b', 'x', 'must be a number'), ('history.a', '(empty)'))
    """
    if len(columns) != len(names):
        raise ValueError(f"{len(columns)} history columns but {len(names)} names")
    rows = len(columns[0]) if columns else 0
    q = np.empty((rows, len(columns)))
    problems: dict[int, tuple[str, str, str]] = {}
    for j, cells in enumerate(columns):
        blank = np.fromiter((not c.strip() for c in cells), bool, rows)
        try:
            v = np.array([c if c.strip() else "nan" for c in cells], dtype=float)
        except ValueError:
            v = np.empty(rows)
            for i, c in enumerate(cells):
                try:
                    v[i] = float(c) if c.strip() else math.nan
                except ValueError:
                    v[i] = math.nan
                    problems.setdefault(i, (names[j].strip(), c, "must be a number"))
        with np.errstate(invalid="ignore"):
            ok = blank | (np.isfinite(v) & (v >= 0) & (v == np.floor(v)) & (v <= 1e12))
        for i in np.flatnonzero(~ok).tolist():
            problems.setdefault(i, (names[j].strip(), cells[i],
                                    "must be a number" if np.isnan(v[i]) else RULE_QUANTITY))
        q[:, j] = np.where(blank | ~ok, np.nan, v)
    given = ~np.isnan(q)
    started = np.cumsum(given, axis=1) > 0
    gap = started & ~given
    for i in np.flatnonzero(gap.any(axis=1)).tolist():
        j = int(np.argmax(gap[i]))
        problems.setdefault(i, (names[j].strip(), "(empty)", RULE_GAP))
    for i in np.flatnonzero(~given.any(axis=1)).tolist():
        problems.setdefault(i, (names[0].strip(), "(empty)", RULE_EMPTY_ROW))
    if problems:
        q[sorted(problems)] = np.nan
    return q, problems


# --------------------------------------------------------------------------- files


def _read_rows(path, what: str) -> tuple[list[str], list[list[str]]]:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(what, str(p), "the file does not exist") from None
    except IsADirectoryError:
        raise ScenarioError(what, str(p), "is a folder, not a file") from None
    except OSError as exc:
        raise ScenarioError(what, str(p), f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(what, str(p), "is not UTF-8 text (save it as CSV UTF-8)") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ScenarioError(what, str(p), f"is not a valid CSV file ({exc})") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ScenarioError(what, str(p), "is empty (no header row)")
    return [h.strip() for h in rows[0]], rows[1:]


def _column(header: list[str], name: str, what: str) -> int:
    lower = [h.lower() for h in header]
    if name not in lower:
        raise ScenarioError(what, ", ".join(header), f"needs a column named {name}")
    return lower.index(name)


def read_wide_history(path: str | os.PathLike, periods_per_year=None) -> History:
    """Read a wide history CSV (a ``sku`` column and ``history.<period>`` columns).

    Other columns are ignored. The first problem found raises a
    :class:`~amspares.errors.ScenarioError` naming the row (as numbered in a spreadsheet,
    the header being row 1), the column, the cell and the rule.

    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> _ = f.write_text("sku,history.2021-01,history.2021-02\\nA,,2\\nB,0,1\\n")
    >>> h = read_wide_history(f)
    >>> h.skus, h.labels, h.quantities.tolist(), h.period
    (('A', 'B'), ('2021-01', '2021-02'), [[nan, 2.0], [0.0, 1.0]], 'month')
    """
    what = "history file"
    header, rows = _read_rows(path, what)
    sku_col = _column(header, "sku", what)
    cols = history_columns(header)
    if not cols:
        raise ScenarioError(what, str(path), f"needs {PREFIX}<period> columns, e.g. {PREFIX}2021-01")
    names = [header[j] for j in cols]
    labels, kind, ppy = period_labels(names, periods_per_year)
    width = len(header)
    for n, r in enumerate(rows, start=2):
        if len(r) > width and any(c.strip() for c in r[width:]):
            raise ScenarioError(f"row {n}", f"{len(r)} fields", f"the header has {width}")
    rows = [r + [""] * (width - len(r)) for r in rows]
    skus = [r[sku_col].strip() for r in rows]
    for n, s in enumerate(skus, start=2):
        if not s:
            raise ScenarioError(f"row {n}, sku", "(empty)", "must not be empty")
    seen: dict[str, int] = {}
    for n, s in enumerate(skus, start=2):
        if s in seen:
            raise ScenarioError(f"row {n}, sku", s, f"appears twice (also row {seen[s]})")
        seen[s] = n
    q, problems = parse_history_cells([[r[j] for r in rows] for j in cols], names)
    if problems:
        i = min(problems)
        col, text, rule = problems[i]
        raise ScenarioError(f"row {i + 2}, {col}", text, rule)
    return History(tuple(skus), labels, q, kind, ppy)


def _period_arg(kind: str, value, name: str) -> int | None:
    """``start``/``end`` as a period label (``2021-01``) or a date (``2021-01-15``)."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return _date_index(kind, value)
    text = str(value).strip()
    i = _period_index(kind, text)
    if i is not None:
        return i
    try:
        return _date_index(kind, dt.date.fromisoformat(text))
    except ValueError:
        raise ScenarioError(name, value, f"must be a {kind} like {_EXAMPLE[kind]} or a date "
                                         f"YYYY-MM-DD") from None


def read_transactions(path: str | os.PathLike, period: str = "month", start=None, end=None,
                      skus: Sequence[str] = ()) -> History:
    """Read a long transactions CSV (``sku, date, quantity``) into per-period history.

    ``period``: ``month``, ``quarter`` or ``week`` (ISO weeks, Monday to Sunday).
    ``start``/``end``: the first/last period of the window (a label such as ``2021-01`` or
    a date); by default the first and last period with a transaction. Transactions outside
    the window are left out and counted in ``History.ignored``. Quantities are whole
    numbers >= 0; several rows of one SKU in one period add up. Every SKU is observed over
    the whole window (zeros where it has no transaction). An SKU without any transaction
    is not in the file: list it in ``skus`` to get its all-zero history (``skus`` come
    first, in their order, then the others in order of first appearance).

    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = f.write_text("sku,date,quantity\\nA,2021-01-05,1\\nB,2021-03-31,2\\nA,2021-03-01,1\\nA,2021-03-09,3\\n")
    >>> h = read_transactions(f, "month")
    >>> h.skus, h.labels, h.quantities.tolist()
    (('A', 'B'), ('2021-01', '2021-02', '2021-03'), [[1.0, 0.0, 4.0], [0.0, 0.0, 2.0]])
    >>> read_transactions(f, "quarter").quantities.tolist()
    [[5.0], [2.0]]
    """
    what = "transactions file"
    kind = _check_kind(period)
    header, rows = _read_rows(path, what)
    cs, cd, cq = (_column(header, name, what) for name in ("sku", "date", "quantity"))
    need = max(cs, cd, cq)
    sku_order: dict[str, int] = {}
    for s in skus:
        sku_order.setdefault(str(s).strip(), len(sku_order))
    records = []
    for n, r in enumerate(rows, start=2):
        if len(r) <= need:
            raise ScenarioError(f"row {n}", f"{len(r)} fields", "needs the sku, date and quantity columns")
        s, d, qtext = r[cs].strip(), r[cd].strip(), r[cq].strip()
        if not s:
            raise ScenarioError(f"row {n}, sku", "(empty)", "must not be empty")
        try:
            day = dt.date.fromisoformat(d[:10]) if len(d) >= 10 else dt.date.fromisoformat(d)
        except ValueError:
            raise ScenarioError(f"row {n}, date", d, "must be a date YYYY-MM-DD") from None
        try:
            qty = float(qtext)
        except ValueError:
            raise ScenarioError(f"row {n}, quantity", qtext or "(empty)", "must be a number") from None
        if not (math.isfinite(qty) and qty >= 0 and qty == math.floor(qty) and qty <= 1e12):
            raise ScenarioError(f"row {n}, quantity", qtext, "must be a whole number >= 0 (parts demanded)")
        sku_order.setdefault(s, len(sku_order))
        records.append((sku_order[s], _date_index(kind, day), qty))
    lo = _period_arg(kind, start, "start")
    hi = _period_arg(kind, end, "end")
    if not records and (lo is None or hi is None):
        raise ScenarioError(what, str(path), "has no transactions (only a header); state start and end")
    idx = np.array([r[1] for r in records], dtype=int)
    lo = int(idx.min()) if lo is None else lo
    hi = int(idx.max()) if hi is None else hi
    if hi < lo:
        raise ScenarioError("end", _label(kind, hi), f"must not be before start {_label(kind, lo)}")
    inside = (idx >= lo) & (idx <= hi)
    q = np.zeros((len(sku_order), hi - lo + 1))
    row = np.array([r[0] for r in records], dtype=int)
    np.add.at(q, (row[inside], idx[inside] - lo), np.array([r[2] for r in records], dtype=float)[inside])
    labels = tuple(_label(kind, i) for i in range(lo, hi + 1))
    return History(tuple(sku_order), labels, q, kind, PERIODS_PER_YEAR[kind], int((~inside).sum()))
