"""Portfolio chunks: a block of catalogue rows, validated and evaluated in one go.

:func:`evaluate_chunk` checks each column with :mod:`amspares.portfolio.columns` and
evaluates the good rows through :func:`amspares.core.evaluate.evaluate` (arrays
for the overridden keys, the base scenario's scalars for the rest; one call per
waiting-time model / production rule present in the chunk). No model arithmetic here.
:class:`Source` is what the CSV and xlsx readers hand over: a header and the chunks.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from amspares.binding import bind
from amspares.core.evaluate import evaluate
from amspares.core.negotiate import moq_to_win, price_to_win
from amspares.portfolio.columns import (CHOICE_KEYS, COST_COMPONENTS, IMPACT_COMPONENTS, Column,
                                        PortfolioInputError, _cell_text, check_choices,
                                        SERVICE_COLUMNS, check_numbers, check_tables, result_columns)
from amspares.scenario import Scenario

MAX_CELL_CHARS = 32_767          # Excel's limit for one cell; longer cells fail their row
#: Column kinds whose checks read a quote-free CSV chunk's bytes (the text only where needed).
#: The SKU stays bytes until written (:class:`~amspares.portfolio.csv._ByteColumn`).
BYTE_KINDS = ("number", "choice", "sku")


@dataclass
class ChunkResult:
    """The output columns of one chunk (arrays of one element per row)."""

    row_numbers: Sequence[int]   # spreadsheet row number of each row
    sku: Sequence[str]           # a list, or a CSV chunk's column of bytes (decoded on use)
    rate: np.ndarray
    columns: dict                # "<method>.<field>" -> float array (NaN = empty)
    cheapest: np.ndarray         # method index, -1 for failed rows
    lowest_impact: np.ndarray    # method index, -1 for failed rows or no impact
    saving: np.ndarray
    errors: list                 # error text per row ("" = evaluated)
    carried: dict = None         # header -> cells of the columns carried through as text
    robustness: np.ndarray = None   # with a history: per row "robust", REVIEW or "" (no history)
    lowest_impact_co2e: np.ndarray = None   # method index by kg CO2e, -1 where no method has it
    inputs: dict = None          # the row's given inputs: header -> (float array or None, cells)

    @property
    def ok(self) -> np.ndarray:
        return self.cheapest >= 0


def evaluate_chunk(scenario: Scenario, plan: list[Column], rows_by_column: list[Sequence],
                   row_numbers: Sequence[int], row_problems: dict[int, list[str]] | None = None,
                   advice: bool = False, breakdown: bool = False, negotiate: bool = False,
                   decimal: str = ".", history=None, level: float = 0.90) -> ChunkResult:
    """Validate and evaluate one chunk (``rows_by_column[i]`` = the cells, as text, of column ``i``).

    ``row_numbers[j]`` is the spreadsheet row number of the chunk's row ``j`` (for messages).

    ``row_problems`` carries problems found while reading (e.g. a wrong number of fields).
    ``advice`` adds the order-quantity advice of (s,Q) methods (much slower);
    ``breakdown`` the cost and impact components (:func:`method_columns`); every order
    method's price to win is always computed (:func:`amspares.core.negotiate.price_to_win`),
    ``negotiate`` adds each MOQ stock method's moq to win (:func:`~amspares.core.negotiate.moq_to_win`).
    ``decimal`` is the file's decimal mark (``","``: ``1.234,5``).

    Demand history (``history.<period>`` columns of ``plan``, or ``history``, a
    :class:`~amspares.portfolio.history.HistoryInput` read from a file): each row with one is
    evaluated at its estimated rate, and gets its interval at ``level``, class, phase-out
    flag and the decision's robustness (:mod:`amspares.portfolio.history`).
    """
    size = len(rows_by_column[0]) if rows_by_column else 0
    problems: dict[int, list[str]] = {k: list(v) for k, v in (row_problems or {}).items()}

    def complain(i: int, col: str, text: str, rule: str) -> None:
        problems.setdefault(i, []).append(f"row {row_numbers[i]}, {col} = {text}: {rule}")

    inputs = scenario.inputs()
    numbers: dict[str, np.ndarray] = {}
    choices: dict[str, np.ndarray] = {}
    carried: dict[str, list] = {}
    given_inputs: dict[str, tuple] = {}     # for the xlsx output: the inputs each row gave
    sku: list = []
    history_cells: list = []
    rate_given = None
    for col in plan:
        cells = rows_by_column[col.index]
        short = False                           # every cell known to be short enough
        if hasattr(cells, "read_numbers"):      # a column of a quote-free CSV chunk: its bytes
            short = cells.longest() <= MAX_CELL_CHARS     # bytes: at least the characters
            if not short or col.kind not in BYTE_KINDS:
                cells = cells.texts(few=col.kind == "choice")
        if not short and max(map(len, cells), default=0) > MAX_CELL_CHARS:
            cells = list(cells)
            for i in [i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS]:
                complain(i, col.name, cells[i][:40] + "...", f"longer than {MAX_CELL_CHARS:,} characters")
                cells[i] = ""
        if col.kind == "sku":
            sku = cells
            empty = (np.flatnonzero(cells.lengths == 0).tolist() if hasattr(cells, "lengths")
                     else [i for i, s in enumerate(sku) if s == ""] if "" in cells else [])
            for i in empty:
                complain(i, col.name, "(empty)", "must not be empty")
        elif col.kind == "number":
            values, given_mask, bad = check_numbers(col, cells, decimal)
            numbers[col.key] = values
            given_inputs[col.key] = (values, cells)
            if col.key == "demand.rate_per_year":
                rate_given = given_mask
            for i, rule in bad.items():
                complain(i, col.name, _cell_text(cells[i]), rule)
        elif col.kind == "table":
            values, bad = check_tables(col, cells)
            numbers[col.key] = values
            given_inputs[col.name] = (None, cells)
            for i, rule in bad.items():
                complain(i, col.name, _cell_text(cells[i]), rule)
        elif col.kind == "choice":
            codes, bad = check_choices(col, cells)
            choices[col.key] = codes
            given_inputs[col.name] = (None, cells)
            for i, rule in bad.items():
                complain(i, col.name, _cell_text(cells[i]), rule)
        elif col.kind == "text":
            carried[col.name] = cells
        elif col.kind == "history":
            history_cells.append((col, [_cell_text(c) for c in cells]))
        elif any(cells):
            for i, c in enumerate(cells):
                if c:
                    complain(i, col.name, c, col.problem)
    has_history = bool(history_cells) or history is not None
    rate = numbers.get("demand.rate_per_year", np.full(size, float(inputs["demand.rate_per_year"])))
    if has_history:
        hist_rows, q, ppy = _history_of(history_cells, history, list(sku), rate_given, row_numbers, problems)
    ok = np.ones(size, bool)
    if problems:
        ok[list(problems)] = False
    methods = list(scenario.methods)
    if has_history:
        hist_ok = hist_rows & ok
        est = _estimate_block(q, hist_ok, ppy, level)
        rate = np.where(hist_ok, est.rate, rate)
    columns = {name: np.full(size, np.nan) for name in result_columns(scenario, advice, breakdown, negotiate)}
    cheapest = np.full(size, -1, dtype=np.int64)
    lowest = np.full(size, -1, dtype=np.int64)
    lowest_co2e = np.full(size, -1, dtype=np.int64)
    saving = np.full(size, np.nan)
    choice_of = {c.key: c.choices for c in plan if c.kind == "choice"}
    groups = np.zeros(size, dtype=np.int64)        # waiting-time model x production rule
    keys = []
    for key in CHOICE_KEYS:
        options = choice_of.get(key, (inputs[key],))
        keys.append((key, options))
        groups = groups * len(options) + choices.get(key, np.zeros(size, dtype=np.int64))
    for g in np.unique(groups[ok]).tolist():
        idx = np.flatnonzero(ok & (groups == g))
        if idx.size == size:                 # the whole chunk (the usual case): no fancy indexing
            idx = slice(None)                # (the model gets copies of the inputs, as before)
        picked = {}
        for key, options in reversed(keys):
            g, j = divmod(g, len(options))
            picked[key] = options[j]
        given = dict(inputs)
        given.update(picked)
        for key, values in numbers.items():             # (fancy indexing copies already)
            given[key] = values.copy() if isinstance(idx, slice) else values[idx]
        given["demand.rate_per_year"] = rate.copy() if isinstance(idx, slice) else rate[idx]
        params = bind(given, scenario.methods)
        ev = evaluate(params, advice=advice)
        best = ev.cheapest_index if ev.cheapest_index is not None else _index_of(ev.cheapest, methods)
        cheapest[idx] = best
        saving[idx] = ev.saving
        if ev.lowest_impact is not None:
            lowest[idx] = (ev.lowest_impact_index if ev.lowest_impact_index is not None
                           else _index_of(ev.lowest_impact, methods))
        if ev.lowest_impact_co2e is not None:
            lowest_co2e[idx] = (ev.lowest_impact_co2e_index if ev.lowest_impact_co2e_index is not None
                                else _index_of(ev.lowest_impact_co2e, methods))
        for m in methods:
            res = ev.methods[m]
            # the nulls of the JSON object (model.result_dict): S only for base stock and
            # make to order, s only with a reorder point, Q only for stock methods
            has_S = _has_base_stock(res)
            columns[f"{m}.S"][idx] = res.S if has_S is None else np.where(has_S, res.S, np.nan)
            columns[f"{m}.s"][idx] = res.s
            columns[f"{m}.Q"][idx] = res.Q if res.kind == "stock" else np.nan
            columns[f"{m}.total_cost"][idx] = res.total_cost
            for c in SERVICE_COLUMNS:
                columns[f"{m}.{c}"][idx] = getattr(res, c)
            if res.impact_mpts is not None:
                columns[f"{m}.impact_mpts"][idx] = res.impact_mpts
                columns[f"{m}.impact_kgco2e"][idx] = res.impact_kgco2e      # NaN (empty) where missing
            if breakdown:
                cost = res.cost.as_dict()
                for c in COST_COMPONENTS:
                    columns[f"{m}.cost.{c}"][idx] = cost[c]
                if res.impact is not None:
                    impact = res.impact.as_dict()
                    for c in IMPACT_COMPONENTS:
                        columns[f"{m}.impact.{c}"][idx] = impact[c]
                    co2e = res.impact_co2e.as_dict()
                    for c in IMPACT_COMPONENTS:
                        columns[f"{m}.impact_co2e.{c}"][idx] = co2e[c]
            if advice and res.advice is not None:   # as model.result_dict: only for (s,Q) policies
                sq = ~_has_base_stock(res, everywhere=False)
                columns[f"{m}.advice_Q"][idx] = np.where(sq, res.advice.Q, np.nan)
                columns[f"{m}.advice_saving"][idx] = np.where(sq, res.advice.saving, np.nan)
        for m, price in price_to_win(ev, params).items():
            columns[f"{m}.price_to_win"][idx] = price
        if negotiate:
            for m, q in moq_to_win(ev, params).items():
                columns[f"{m}.moq_to_win"][idx] = q
    robustness = None
    if has_history:
        robustness = _history_outputs(scenario, plan, inputs, numbers, choices, keys, groups, hist_ok,
                                      est, level, columns, carried, size)
    errors = [""] * size
    for i, msgs in problems.items():
        errors[i] = "; ".join(msgs)
    return ChunkResult(row_numbers, sku, rate, columns, cheapest, lowest, saving, errors, carried,
                       robustness, lowest_co2e, given_inputs)


def _history_of(history_cells, history, sku, rate_given, row_numbers, problems):
    """Each row's history: ``(has_history, quantities, periods_per_year)``, problems added.

    A row whose history cells are all empty uses its ``demand.rate_per_year`` if given; a
    row with both is refused, as is a row with neither.
    """
    from amspares.history import RULE_EMPTY_ROW, parse_history_cells
    from amspares.portfolio.history import RULE_BOTH

    size = len(sku)
    given = np.zeros(size, bool) if rate_given is None else np.asarray(rate_given, bool)

    def complain(i, col, text, rule):
        who = f" (SKU {sku[i]})" if i < len(sku) and sku[i] else ""
        problems.setdefault(i, []).append(f"row {row_numbers[i]}{who}, {col} = {text}: {rule}")

    if history_cells:
        names = [c.name for c, _ in history_cells]
        q, bad = parse_history_cells([cells for _, cells in history_cells], names)
        ppy = history_cells[0][0].periods_per_year
        has = np.ones(size, bool)
        for i, (col, text, rule) in bad.items():
            if rule == RULE_EMPTY_ROW:
                has[i] = False
                if not given[i]:
                    complain(i, "history", "(empty)", RULE_EMPTY_ROW + ", or give demand.rate_per_year")
            else:
                complain(i, col, text, rule)
    else:
        q, found = history.lookup(sku)
        ppy = history.periods_per_year
        has = found | (history.transactions & ~given)
        for i in np.flatnonzero(~has & ~given).tolist():
            complain(i, "sku", sku[i] or "(empty)",
                     f"has no row in the history file {history.source}: add it, or give demand.rate_per_year")
    for i in np.flatnonzero(has & given).tolist():
        complain(i, "demand.rate_per_year", "(given)", RULE_BOTH)
    return has, np.where(has[:, None], q, 0.0), ppy


def _estimate_block(q, rows, ppy, level):
    """:func:`~amspares.portfolio.history.estimate_rows` of the rows selected (NaN elsewhere)."""
    from amspares.portfolio.history import Estimates, estimate_rows

    size = q.shape[0]
    idx = np.flatnonzero(rows)
    full = Estimates(*(np.full(size, np.nan) for _ in range(7)),
                     np.full(size, "", dtype=object), np.zeros(size, bool), np.full(size, None, dtype=object))
    if idx.size:
        e = estimate_rows(q[idx], ppy, level)
        for name in full.__dataclass_fields__:
            getattr(full, name)[idx] = getattr(e, name)
    return full


def _history_outputs(scenario, plan, inputs, numbers, choices, keys, groups, rows, est, level,
                     columns, carried, size):
    """The history columns of the rows with a history: estimate, interval, class and the
    decision's robustness: :func:`amspares.robustness.decide_many` once for a set of at
    least :data:`~amspares.portfolio.history.SHARED_SEARCH_ROWS` rows sharing every input
    but the rate, :func:`~amspares.portfolio.history.decide_rows` for the other rows (each on
    its own model, vectorised). Returns ``decision.robustness`` per row."""
    from amspares.portfolio.history import (NOT_SEARCHED, REVIEW, ROBUST, SHARED_SEARCH_ROWS, decide_rows,
                                            group_rows, yes_no)
    from amspares.robustness import decide_many

    columns.update({"demand.rate_estimate": np.where(rows, est.rate, np.nan),
                    "demand.rate_lower": est.lower, "demand.rate_upper": est.upper,
                    "demand.level": np.where(rows, float(level), np.nan),
                    "demand.periods": est.periods, "demand.total": est.total,
                    "demand.adi": est.adi, "demand.cv2": est.cv2,
                    "decision.flip_below": np.full(size, np.nan), "decision.flip_above": np.full(size, np.nan)})
    at_lo = np.full(size, "", dtype=object)
    at_hi = np.full(size, "", dtype=object)
    robustness = np.full(size, "", dtype=object)
    idx_all = np.flatnonzero(rows)
    if idx_all.size and len(scenario.methods) >= 2:
        others = [numbers[k] for k in sorted(numbers) if k != "demand.rate_per_year"]
        sets = group_rows([groups] + others, size)
        for g in np.unique(groups[idx_all]).tolist():
            in_g = idx_all[groups[idx_all] == g]
            given = dict(inputs)
            code = g
            for key, options in reversed(keys):
                code, j = divmod(code, len(options))
                given[key] = options[j]
            alone = []
            for s_ in np.unique(sets[in_g]).tolist():
                idx = in_g[sets[in_g] == s_]
                if idx.size < SHARED_SEARCH_ROWS:
                    alone.append(idx)
                    continue
                one = dict(given)               # every input but the rate is shared: one search
                for key, values in numbers.items():
                    one[key] = float(values[idx[0]])
                dec = decide_many(bind(one, scenario.methods), est.rate[idx], est.lower[idx], est.upper[idx])
                at_lo[idx], at_hi[idx] = dec.at_lower, dec.at_upper
                robustness[idx] = np.where(dec.robust, ROBUST, REVIEW)
                columns["decision.flip_below"][idx] = dec.flip_below
                columns["decision.flip_above"][idx] = dec.flip_above
            if alone:                            # each row its own model: searched together
                idx = np.sort(np.concatenate(alone))
                own = dict(given)
                for key, values in numbers.items():
                    own[key] = values[idx]
                dec = decide_rows(own, scenario.methods, est.rate[idx], est.lower[idx], est.upper[idx])
                at_lo[idx], at_hi[idx] = dec.at_lower, dec.at_upper
                robustness[idx] = np.where(dec.robust, ROBUST, np.where(dec.searched, REVIEW, NOT_SEARCHED))
                columns["decision.flip_below"][idx] = dec.flip_below
                columns["decision.flip_above"][idx] = dec.flip_above
    carried["demand.class"] = [str(v) for v in est.label]
    carried["demand.overdispersed"] = [y if r else "" for y, r in zip(yes_no(est.overdispersed.tolist()), rows)]
    carried["demand.phase_out"] = yes_no(est.phase_out.tolist())
    carried["decision.at_lower"] = [str(v) for v in at_lo]
    carried["decision.at_upper"] = [str(v) for v in at_hi]
    carried["decision.robustness"] = [str(v) for v in robustness]
    return robustness


def _index_of(names: np.ndarray, methods: list[str]) -> np.ndarray:
    """The position of each name in ``methods`` (-1 for a name that is none of them, e.g. None).

    >>> _index_of(np.array(["b", None, "a", "c"], dtype=object), ["a", "b"]).tolist()
    [1, -1, 0, -1]
    """
    where = collections.defaultdict(lambda: -1, {m: j for j, m in enumerate(methods)})
    return np.fromiter(map(where.__getitem__, names.tolist()), np.int64, len(names))


def _has_base_stock(res, everywhere: bool = True) -> np.ndarray | None:
    """Where a method's policy has a base stock S (``base_stock``, ``make_to_order``; not the
    (s,Q) policies ``reorder_point`` and ``one_order``), as the model marks it: S = -1 where an
    (s,Q) policy applies (:class:`~amspares.core.evaluate.MethodResult`). ``everywhere``: None
    when every row has one (an order method). Comparing the policy names row by row would cost
    more than the rest of the result's assembly."""
    if everywhere and res.kind == "order":
        return None
    return np.asarray(res.S) != -1


@dataclass
class Source:
    header: list
    chunks: Iterator            # yields (row_numbers, rows_by_column, row_problems)
    done: Callable[[], float]   # fraction read, 0..1
    close: Callable[[], None]
    header_row: int = 1         # spreadsheet row of the header (the first SKU is the next)
    delimiter: str = ","
    decimal: str = "."


def _open_input(path: Path):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise PortfolioInputError(f"catalogue {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise PortfolioInputError(f"catalogue {str(path)!r} is a directory") from None
    except OSError as exc:
        raise PortfolioInputError(f"catalogue {str(path)!r} cannot be read ({exc.strerror})") from None


