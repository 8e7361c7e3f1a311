"""Portfolio chunks: a block of catalogue rows, validated and evaluated in one go.

:func:`evaluate_chunk` checks each column with :mod:`amspares.portfolio.columns` and
evaluates the good rows through :func:`amspares.core.evaluate.evaluate` (arrays
for the overridden keys, the base scenario's scalars for the rest; one call per
waiting-time model / production rule present in the chunk). No model arithmetic here.
:class:`Source` is what the CSV and xlsx readers hand over: a header and the chunks.
"""

from __future__ import annotations

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


@dataclass
class ChunkResult:
    """The output columns of one chunk (arrays of one element per row)."""

    row_numbers: Sequence[int]   # spreadsheet row number of each row
    sku: list
    rate: np.ndarray
    columns: dict                # "<method>.<field>" -> float array (NaN = empty)
    cheapest: np.ndarray         # method index, -1 for failed rows
    lowest_impact: np.ndarray    # method index, -1 for failed rows or no impact
    saving: np.ndarray
    errors: list                 # error text per row ("" = evaluated)
    carried: dict = None         # header -> cells of the columns carried through as text
    inputs: dict = None          # the row's given inputs: header -> (float array or None, cells)

    @property
    def ok(self) -> np.ndarray:
        return self.cheapest >= 0


def evaluate_chunk(scenario: Scenario, plan: list[Column], rows_by_column: list[Sequence],
                   row_numbers: Sequence[int], row_problems: dict[int, list[str]] | None = None,
                   advice: bool = False, breakdown: bool = False, negotiate: bool = False,
                   decimal: str = ".") -> ChunkResult:
    """Validate and evaluate one chunk (``rows_by_column[i]`` = the cells, as text, of column ``i``).

    ``row_numbers[j]`` is the spreadsheet row number of the chunk's row ``j`` (for messages).

    ``row_problems`` carries problems found while reading (e.g. a wrong number of fields).
    ``advice`` adds the order-quantity advice of (s,Q) methods (much slower);
    ``breakdown`` the cost and impact components (:func:`method_columns`); every order
    method's price to win is always computed (:func:`amspares.core.negotiate.price_to_win`),
    ``negotiate`` adds each MOQ stock method's moq to win (:func:`~amspares.core.negotiate.moq_to_win`).
    ``decimal`` is the file's decimal mark (``","``: ``1.234,5``).
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
    for col in plan:
        cells = rows_by_column[col.index]
        if max(map(len, cells), default=0) > MAX_CELL_CHARS:
            cells = list(cells)
            for i in [i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS]:
                complain(i, col.name, cells[i][:40] + "...", f"longer than {MAX_CELL_CHARS:,} characters")
                cells[i] = ""
        if col.kind == "sku":
            sku = cells
            if "" in cells:
                for i in [i for i, s in enumerate(sku) if s == ""]:
                    complain(i, col.name, "(empty)", "must not be empty")
        elif col.kind == "number":
            values, _given, bad = check_numbers(col, cells, decimal)
            numbers[col.key] = values
            given_inputs[col.key] = (values, cells)
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
        elif any(cells):
            for i, c in enumerate(cells):
                if c:
                    complain(i, col.name, c, col.problem)
    ok = np.ones(size, bool)
    if problems:
        ok[list(problems)] = False
    methods = list(scenario.methods)
    rate = numbers.get("demand.rate_per_year", np.full(size, float(inputs["demand.rate_per_year"])))
    columns = {name: np.full(size, np.nan) for name in result_columns(scenario, advice, breakdown, negotiate)}
    cheapest = np.full(size, -1, dtype=np.int64)
    lowest = np.full(size, -1, dtype=np.int64)
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
        picked = {}
        for key, options in reversed(keys):
            g, j = divmod(g, len(options))
            picked[key] = options[j]
        given = dict(inputs)
        given.update(picked)
        for key, values in numbers.items():
            given[key] = values[idx]
        given["demand.rate_per_year"] = rate[idx]       # at least one array: the group size
        params = bind(given, scenario.methods)
        ev = evaluate(params, advice=advice)
        best = _index_of(ev.cheapest, methods)
        cheapest[idx] = best
        saving[idx] = ev.saving
        if ev.lowest_impact is not None:
            lowest[idx] = _index_of(ev.lowest_impact, methods)
        for m in methods:
            res = ev.methods[m]
            pol = res.policy
            # the nulls of the JSON object (model.result_dict): S only for base stock and
            # make to order, s only with a reorder point, Q only for stock methods
            has_S = (pol == "base_stock") | (pol == "make_to_order")
            columns[f"{m}.S"][idx] = np.where(has_S, res.S, np.nan)
            columns[f"{m}.s"][idx] = res.s
            columns[f"{m}.Q"][idx] = res.Q if res.kind == "stock" else np.nan
            columns[f"{m}.total_cost"][idx] = res.total_cost
            for c in SERVICE_COLUMNS:
                columns[f"{m}.{c}"][idx] = getattr(res, c)
            if res.impact_mpts is not None:
                columns[f"{m}.impact_mpts"][idx] = res.impact_mpts
            if breakdown:
                cost = res.cost.as_dict()
                for c in COST_COMPONENTS:
                    columns[f"{m}.cost.{c}"][idx] = cost[c]
                if res.impact is not None:
                    impact = res.impact.as_dict()
                    for c in IMPACT_COMPONENTS:
                        columns[f"{m}.impact.{c}"][idx] = impact[c]
            if advice and res.advice is not None:   # as model.result_dict: only for (s,Q) policies
                sq = (pol == "reorder_point") | (pol == "one_order")
                columns[f"{m}.advice_Q"][idx] = np.where(sq, res.advice.Q, np.nan)
                columns[f"{m}.advice_saving"][idx] = np.where(sq, res.advice.saving, np.nan)
        for m, price in price_to_win(ev, params).items():
            columns[f"{m}.price_to_win"][idx] = price
        if negotiate:
            for m, q in moq_to_win(ev, params).items():
                columns[f"{m}.moq_to_win"][idx] = q
    errors = [""] * size
    for i, msgs in problems.items():
        errors[i] = "; ".join(msgs)
    return ChunkResult(row_numbers, sku, rate, columns, cheapest, lowest, saving, errors, carried,
                       given_inputs)


def _index_of(names: np.ndarray, methods: list[str]) -> np.ndarray:
    out = np.full(len(names), -1, dtype=np.int64)
    for j, m in enumerate(methods):
        out[names == m] = j
    return out


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


