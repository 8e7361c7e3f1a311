"""Portfolio: print or stock, for every SKU of a catalogue (``amspares portfolio``).

A catalogue is a CSV or xlsx table with one row per SKU: a ``sku`` column plus any of the
base scenario's numeric model inputs in dotted form (``demand.rate_per_year``,
``methods.regular.price``, ``methods.regular.moq``, ``part.weight_kg``, ...), and the choice
keys ``model.waiting_time`` / ``model.production_rule``. A cell overrides the base scenario
(default: the thesis case study) for that SKU; an empty cell keeps the base value.

The file is read in chunks (:data:`CHUNK_ROWS` rows); each chunk is validated with numpy
(the rules and words of :mod:`amspares.rules`, as for a scenario file) and evaluated through :func:`amspares.core.evaluate.evaluate_inputs`
(arrays for the overridden keys, the base scenario's scalars for the rest; one call per
waiting-time model / production rule present in the chunk). Results are streamed to the
output, so memory stays bounded whatever the size of the catalogue. This module does no
model arithmetic: every cost, impact, policy and saving over the runner-up comes from
``evaluate_inputs``; it only adds up totals for the summary (:class:`Summary`).

Row numbers are spreadsheet row numbers: the header is row 1, the first SKU row 2.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from amspares.core.evaluate import evaluate_inputs
from amspares.errors import AmsparesError
from amspares.fileio import atomic_output, check_writable
from amspares import rules
from amspares.rules import Rule
from amspares.scenario import METHOD_KEYS, SCENARIO_KEYS, Scenario

CHUNK_ROWS = 100_000
SIGNIFICANT_DIGITS = 12          # CSV numbers: 12 significant digits (relative error < 5e-13)
XLSX_MAX_ROWS = 1_048_576        # Excel's sheet limit, header included
CHART_MAX_POINTS = 10_000        # the xlsx scatter chart plots the first SKUs only
CHOICE_KEYS = ("model.waiting_time", "model.production_rule")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")   # OWASP CSV injection
MAX_REPORTED = 50                # problems echoed on stderr; all are in the error column


class PortfolioInputError(AmsparesError):
    """The catalogue cannot be used at all (missing file, no ``sku`` column, bad format)."""


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One input column and how its cells are checked."""

    index: int
    name: str
    kind: str                   # "sku", "number", "choice", "unknown"
    rule: str = ""
    integer: bool = False
    maximum: float = 1e12       # the scenario Key's typo guard (|value| <= maximum)
    choices: tuple = ()
    base: Any = None            # the base scenario's value (used for empty cells)
    problem: str = ""           # for unknown columns: the rule text, with a suggestion


def _spec_for(key: str, scenario: Scenario) -> tuple[str, bool, float]:
    """Rule, integer flag and maximum of the scenario Key that checks numeric input ``key``.

    Transport legs are given per SKU as their factor ``sum(km * t)`` in mPts/kg (>= 0);
    resolved numbers without a Key of their own (h_item, m) are >= 0.
    """
    by_key = {k.key: k for k in SCENARIO_KEYS}
    spec = by_key.get(key)
    parts = key.split(".")
    if spec is None and len(parts) == 3 and parts[0] == "methods":
        spec = next((k for k in METHOD_KEYS if k.key.split(".")[-1] == parts[2]), None)
    default_max = Column.__dataclass_fields__["maximum"].default
    if spec is None or spec.type == "legs":
        return ">= 0", False, default_max
    return spec.rule or ">= 0", spec.type == "integer", getattr(spec, "maximum", default_max)


_TABLE_ALTERNATIVE = {"material": "material_mpts_per_kg", "process": "process_mpts_per_kg",
                      "am_machine": "energy_kwh_per_kg", "volume_cost_per_m3": "holding_per_part_year",
                      "package_m3": "holding_per_part_year"}


def _unknown_rule(name: str, valid: Sequence[str], scenario: Scenario) -> str:
    parts = name.split(".")
    if parts[-1] in _TABLE_ALTERNATIVE and len(parts) >= 2:
        alt = ".".join(parts[:-1] + [_TABLE_ALTERNATIVE[parts[-1]]])
        if alt in valid:
            return f"unknown column (not a per-SKU number); give {alt} instead"
    if parts[0] == "part" and not scenario.has_part:
        return "unknown column: the base scenario has no [part], so no impact is computed"
    if len(parts) == 3 and parts[0] == "methods" and parts[1] not in scenario.methods:
        return (f"unknown column: the base scenario has no method {parts[1]!r} "
                f"(methods: {', '.join(scenario.methods)})")
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    return "unknown column" + (f"; did you mean {close[0]}?" if close else "")


def plan_columns(header: Sequence[str], scenario: Scenario) -> list[Column]:
    """Check a header against the base scenario: how each column will be read.

    Raises :class:`PortfolioInputError` when there is no ``sku`` column or a column is
    repeated. Unknown columns are returned with ``kind = "unknown"`` (their cells make a
    row fail).

    >>> from amspares.scenario import load_scenario
    >>> cols = plan_columns(["sku", "demand.rate_per_year", "methods.regular.moq",
    ...                      "demand.rate_per_yr"], load_scenario())
    >>> [(c.kind, c.rule, c.integer) for c in cols[1:3]]
    [('number', '>= 0', False), ('number', '>= 1', True)]
    >>> cols[3].problem
    'unknown column; did you mean demand.rate_per_year?'
    """
    names = [str(h if h is not None else "").strip() for h in header]
    if "sku" not in names:
        close = difflib.get_close_matches("sku", [n.lower() for n in names], n=1, cutoff=0.6)
        hint = f" (found {close[0]!r}; the header must be exactly 'sku')" if close else ""
        raise PortfolioInputError(f"the catalogue has no 'sku' column{hint}; "
                                  f"header: {', '.join(names) or '(empty)'}")
    seen = set()
    for name in names:
        if name and name in seen:
            raise PortfolioInputError(f"column {name!r} appears twice in the header")
        seen.add(name)
    inputs = scenario.inputs()
    numeric = [k for k in inputs if k not in CHOICE_KEYS]
    valid = ["sku", *CHOICE_KEYS, *numeric]
    choice_specs = {k.key: k for k in SCENARIO_KEYS if k.key in CHOICE_KEYS}
    cols = []
    for i, name in enumerate(names):
        if name == "sku":
            cols.append(Column(i, name, "sku"))
        elif name in CHOICE_KEYS:
            cols.append(Column(i, name, "choice", choices=choice_specs[name].choices,
                               base=inputs[name]))
        elif name in numeric:
            rule, integer, maximum = _spec_for(name, scenario)
            cols.append(Column(i, name, "number", rule=rule, integer=integer, maximum=maximum,
                               base=inputs[name]))
        else:
            cols.append(Column(i, name or f"(column {i + 1} has no name)", "unknown",
                               problem=_unknown_rule(name, valid, scenario)))
    return cols


# --------------------------------------------------------------------------- validation

def _cell_text(value) -> str:
    """A cell as text: CSV cells already are; xlsx numbers round-trip through repr."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return str(value)


def check_numbers(col: Column, cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Validate one numeric column of a chunk, vectorised.

    Returns ``(values, given, problems)``: float values (the base value where a cell is
    empty), a mask of non-empty cells, and ``{position: rule}`` for bad cells (whose value
    is then the base value; the row is not evaluated). The rules are those of
    :func:`amspares.scenario._number` (a number, finite, at most the Key's maximum, whole
    for integers, in range).

    >>> c = Column(1, "demand.rate_per_year", "number", rule=">= 0", base=2.0)
    >>> v, given, bad = check_numbers(c, ["3", "", "-3", "x", "1e400"])
    >>> v.tolist(), given.tolist()
    ([3.0, 2.0, 2.0, 2.0, 2.0], [True, False, True, True, True])
    >>> dict(sorted(bad.items()))
    {2: 'must be >= 0', 3: 'must be a number', 4: 'must be a finite number'}
    """
    rule = Rule(col.rule, integer=col.integer, maximum=col.maximum)
    values, why = rules.to_numbers(cells)
    why = rules.reasons_of_numbers(rule, values, why)
    given = why != rules.EMPTY
    problems = rules.messages(rule, cells, why)
    values = np.where(why == rules.OK, values, float(col.base))
    return values, given, problems


def check_choices(col: Column, cells: Sequence[str]) -> tuple[np.ndarray, dict[int, str]]:
    """Validate a choice column (``model.waiting_time`` ...), vectorised.

    Returns ``(codes, problems)``: the index into ``col.choices`` of each cell (the base
    value's for empty and bad cells) and ``{position: rule}`` for bad cells.

    >>> c = Column(1, "model.waiting_time", "choice", choices=("erlang_c", "exact"), base="erlang_c")
    >>> codes, bad = check_choices(c, ["exact", "", "exakt"])
    >>> codes.tolist(), bad
    ([1, 0, 0], {2: 'must be one of erlang_c, exact; did you mean exact?'})
    """
    size = len(cells)
    arr = np.array(cells, dtype=str) if size else np.array([], dtype=str)
    codes = np.full(size, col.choices.index(col.base), dtype=np.int64)
    matched = np.zeros(size, bool)
    for j, choice in enumerate(col.choices):
        hit = arr == choice
        codes[hit] = j
        matched |= hit
    problems = {}
    for i in np.flatnonzero((arr != "") & ~matched).tolist():
        close = difflib.get_close_matches(str(arr[i]), col.choices, n=1, cutoff=0.5)
        problems[i] = f"must be one of {', '.join(col.choices)}" + (
            f"; did you mean {close[0]}?" if close else "")
    return codes, problems


# --------------------------------------------------------------------------- evaluation


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

    @property
    def ok(self) -> np.ndarray:
        return self.cheapest >= 0


INTEGER_FIELDS = ("S", "s", "Q", "advice_Q")


def method_columns(scenario: Scenario, advice: bool = False) -> list[str]:
    """``<method>.<field>`` output columns: S, s, Q, total_cost, impact_mpts per method, and
    with ``advice`` the cheapest order quantity ``Q >= moq`` and its saving (stock methods).

    >>> from amspares.scenario import load_scenario
    >>> method_columns(load_scenario(), advice=True)[:7]
    ['regular.S', 'regular.s', 'regular.Q', 'regular.total_cost', 'regular.impact_mpts', 'regular.advice_Q', 'regular.advice_saving']
    """
    cols = []
    for m, kind in scenario.methods.items():
        cols += [f"{m}.S", f"{m}.s", f"{m}.Q", f"{m}.total_cost", f"{m}.impact_mpts"]
        if advice and kind == "stock":
            cols += [f"{m}.advice_Q", f"{m}.advice_saving"]
    return cols


def output_header(scenario: Scenario, advice: bool = False) -> list[str]:
    """Output columns: sku, demand rate, :func:`method_columns`, decisions, error."""
    return (["sku", "demand.rate_per_year"] + method_columns(scenario, advice)
            + ["cheapest", "lowest_impact", "saving", "error"])


def evaluate_chunk(scenario: Scenario, plan: list[Column], rows_by_column: list[Sequence],
                   row_numbers: Sequence[int], row_problems: dict[int, list[str]] | None = None,
                   advice: bool = False) -> ChunkResult:
    """Validate and evaluate one chunk (``rows_by_column[i]`` = the cells, as text, of column ``i``).

    ``row_numbers[j]`` is the spreadsheet row number of the chunk's row ``j`` (for messages).

    ``row_problems`` carries problems found while reading (e.g. a wrong number of fields).
    ``advice`` adds the order-quantity advice of (s,Q) methods (spec 3.2; much slower).
    """
    size = len(rows_by_column[0]) if rows_by_column else 0
    problems: dict[int, list[str]] = {k: list(v) for k, v in (row_problems or {}).items()}

    def complain(i: int, col: str, text: str, rule: str) -> None:
        problems.setdefault(i, []).append(f"row {row_numbers[i]}, {col} = {text}: {rule}")

    inputs = scenario.inputs()
    numbers: dict[str, np.ndarray] = {}
    choices: dict[str, np.ndarray] = {}
    sku: list = []
    for col in plan:
        cells = rows_by_column[col.index]
        if col.kind == "sku":
            sku = cells
            if "" in cells:
                for i in [i for i, s in enumerate(sku) if s == ""]:
                    complain(i, "sku", "(empty)", "must not be empty")
        elif col.kind == "number":
            values, _given, bad = check_numbers(col, cells)
            numbers[col.name] = values
            for i, rule in bad.items():
                complain(i, col.name, _cell_text(cells[i]), rule)
        elif col.kind == "choice":
            codes, bad = check_choices(col, cells)
            choices[col.name] = codes
            for i, rule in bad.items():
                complain(i, col.name, _cell_text(cells[i]), rule)
        elif any(cells):
            for i, c in enumerate(cells):
                if c:
                    complain(i, col.name, c, col.problem)
    ok = np.ones(size, bool)
    if problems:
        ok[list(problems)] = False
    methods = list(scenario.methods)
    rate = numbers.get("demand.rate_per_year", np.full(size, float(inputs["demand.rate_per_year"])))
    columns = {name: np.full(size, np.nan) for name in method_columns(scenario, advice)}
    cheapest = np.full(size, -1, dtype=np.int64)
    lowest = np.full(size, -1, dtype=np.int64)
    saving = np.full(size, np.nan)
    choice_of = {c.name: c.choices for c in plan if c.kind == "choice"}
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
        ev = evaluate_inputs(given, scenario.methods, advice=advice)
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
            if res.impact_mpts is not None:
                columns[f"{m}.impact_mpts"][idx] = res.impact_mpts
            if advice and res.advice is not None:   # as model.result_dict: only for (s,Q) policies
                sq = (pol == "reorder_point") | (pol == "one_order")
                columns[f"{m}.advice_Q"][idx] = np.where(sq, res.advice.Q, np.nan)
                columns[f"{m}.advice_saving"][idx] = np.where(sq, res.advice.saving, np.nan)
    errors = [""] * size
    for i, msgs in problems.items():
        errors[i] = "; ".join(msgs)
    return ChunkResult(row_numbers, sku, rate, columns, cheapest, lowest, saving, errors)


def _index_of(names: np.ndarray, methods: list[str]) -> np.ndarray:
    out = np.full(len(names), -1, dtype=np.int64)
    for j, m in enumerate(methods):
        out[names == m] = j
    return out


# --------------------------------------------------------------------------- summary


@dataclass
class Summary:
    """Totals and counts over the whole catalogue (sums of the core's per-SKU results)."""

    methods: list
    evaluated: int = 0
    failed: int = 0
    has_impact: bool = True
    total_cost: np.ndarray = None          # per method: every SKU supplied by it
    total_impact: np.ndarray = None
    cheapest_count: np.ndarray = None      # per method: SKUs where it is cheapest
    cheapest_cost: np.ndarray = None       # ... their cost with it
    cheapest_saving: np.ndarray = None     # ... their saving over the runner-up
    greenest_count: np.ndarray = None

    def __post_init__(self):
        k = len(self.methods)
        for name in ("total_cost", "total_impact", "cheapest_cost", "cheapest_saving"):
            setattr(self, name, np.zeros(k))
        self.cheapest_count = np.zeros(k, dtype=np.int64)
        self.greenest_count = np.zeros(k, dtype=np.int64)

    def add(self, res: ChunkResult) -> None:
        ok = res.ok
        self.evaluated += int(ok.sum())
        self.failed += int((~ok).sum())
        if not ok.any():
            return
        k = len(self.methods)
        best = res.cheapest[ok]
        totals = np.vstack([res.columns[f"{m}.total_cost"][ok] for m in self.methods])
        self.total_cost += totals.sum(axis=1)
        chosen = np.take_along_axis(totals, best[None, :], axis=0)[0]
        self.cheapest_count += np.bincount(best, minlength=k)
        self.cheapest_cost += np.bincount(best, weights=chosen, minlength=k)
        if k > 1:
            self.cheapest_saving += np.bincount(best, weights=res.saving[ok], minlength=k)
        green = res.lowest_impact[ok]
        if (green < 0).any():
            self.has_impact = False
        else:
            impacts = np.vstack([res.columns[f"{m}.impact_mpts"][ok] for m in self.methods])
            self.total_impact += impacts.sum(axis=1)
            self.greenest_count += np.bincount(green, minlength=k)

    def merge(self, other: "Summary") -> None:
        """Add another part's totals (chunks evaluated elsewhere)."""
        self.evaluated += other.evaluated
        self.failed += other.failed
        self.has_impact = self.has_impact and other.has_impact
        for name in ("total_cost", "total_impact", "cheapest_cost", "cheapest_saving",
                     "cheapest_count", "greenest_count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def rows(self) -> list[list]:
        """The summary table: one row per method (as in the stdout text and the xlsx sheet)."""
        out = []
        for j, m in enumerate(self.methods):
            out.append([m, int(self.cheapest_count[j]), float(self.cheapest_cost[j]),
                        float(self.cheapest_saving[j]) if len(self.methods) > 1 else None,
                        float(self.total_cost[j]),
                        float(self.total_impact[j]) if self.has_impact else None,
                        int(self.greenest_count[j]) if self.has_impact else None])
        return out

    HEADER = ["method", "SKUs cheapest", "their cost (EUR)", "their saving (EUR)",
              "cost if all SKUs (EUR)", "impact if all SKUs (mPts)", "SKUs lowest impact"]

    def text(self) -> str:
        lines = [f"{self.evaluated:,} SKUs evaluated, {self.failed:,} failed"]
        if not self.evaluated:
            return lines[0]
        rows = self.rows()
        table = [self.HEADER] + [[r[0]] + [_human(v) for v in r[1:]] for r in rows]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(self.HEADER))]
        for row in table:
            lines.append("  " + "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                                          for i, (v, w) in enumerate(zip(row, widths))))
        best = float(self.cheapest_cost.sum())
        lines.append(f"  cheapest method per SKU: total cost {best:,.2f} EUR, saving "
                     f"{float(self.cheapest_saving.sum()):,.2f} EUR over each SKU's runner-up")
        return "\n".join(lines)


def _human(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.2f}"


# --------------------------------------------------------------------------- reading


@dataclass
class Source:
    header: list
    chunks: Iterator            # yields (row_numbers, rows_by_column, row_problems)
    done: Callable[[], float]   # fraction read, 0..1
    close: Callable[[], None]


def _open_input(path: Path):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise PortfolioInputError(f"catalogue {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise PortfolioInputError(f"catalogue {str(path)!r} is a directory") from None
    except OSError as exc:
        raise PortfolioInputError(f"catalogue {str(path)!r} cannot be read ({exc.strerror})") from None


def _regularise(rows: list, numbers: Sequence[int], width: int, problems: dict) -> tuple[list, list]:
    """Rows with the wrong number of fields: blank lines dropped, short rows padded with
    empty cells, trailing empty fields dropped; other long rows become bad rows."""
    out, nums = [], []
    for rec, no in zip(rows, numbers):
        if len(rec) != width:
            if not rec or (len(rec) == 1 and not rec[0]):
                continue
            if len(rec) < width:
                rec = rec + [""] * (width - len(rec))
            elif not any(rec[width:]):
                rec = rec[:width]
            else:
                problems[len(out)] = [f"row {no}: {len(rec)} fields, the header has {width}"]
                rec = [rec[0]] + [""] * (width - 1)
        out.append(rec)
        nums.append(no)
    return out, nums


def _fields_per_line(data: bytes, delimiter: bytes) -> np.ndarray:
    r"""Number of delimiters on each line of ``data`` (no quotes in it), vectorised.

    >>> _fields_per_line(b"a,b,c\nd,e\n\nf,g,h", b",").tolist()
    [2, 1, 0, 2]
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    if not data.endswith(b"\n"):
        ends = np.append(ends, arr.size)
    marks = np.flatnonzero(arr == delimiter[0])
    return np.diff(np.concatenate(([0], np.searchsorted(marks, ends))))


@dataclass(frozen=True)
class _SplitLater:
    """Quote-free CSV text whose every line has ``width`` fields (checked), split on use.

    Splitting where the chunk is evaluated keeps the reading process light (with
    ``--jobs``, a chunk travels to its worker as one string).
    """

    text: str
    delimiter: str
    width: int

    def columns(self) -> list[list[str]]:
        flat = self.text.replace("\n", self.delimiter).split(self.delimiter)
        return [flat[j::self.width] for j in range(self.width)]


def read_csv(path: Path, chunk_rows: int) -> Source:
    """Stream a CSV catalogue in chunks of ``chunk_rows`` rows.

    Chunks without quotes are split with ``str.split`` after a vectorised check that every
    line has the header's number of fields; other chunks go through the csv module. A chunk
    is extended until its quotes balance, so a quoted line break never splits a record.
    """
    f = _open_input(path)
    size = max(os.fstat(f.fileno()).st_size, 1)
    consumed = [0]
    first = f.readline()
    consumed[0] += len(first)
    if first.startswith(b"\xef\xbb\xbf"):          # Excel's "CSV UTF-8" byte-order mark
        first = first[3:]
    try:
        first_text = first.decode("utf-8")
    except UnicodeDecodeError:
        f.close()
        raise PortfolioInputError(f"catalogue {str(path)!r} is not UTF-8 text (save it as CSV UTF-8)") from None
    delimiter = ";" if first_text.count(";") > first_text.count(",") else ","
    header = next(csv.reader([first_text], delimiter=delimiter), [])
    if not header:
        f.close()
        raise PortfolioInputError(f"catalogue {str(path)!r} is empty (no header row)")
    width = len(header)
    dl = delimiter.encode()

    def chunks():
        next_row = 2
        while True:
            lines = list(itertools.islice(f, chunk_rows))
            if not lines:
                return
            data = b"".join(lines)
            if b'"' in data:
                while data.count(b'"') % 2:          # inside a quoted field: read on
                    more = f.readline()
                    if not more:
                        break
                    data += more
            consumed[0] += len(data)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise PortfolioInputError(f"catalogue {str(path)!r} is not UTF-8 text "
                                          f"(save it as CSV UTF-8)") from None
            plain = text
            if b"\r" in data:
                plain = text.replace("\r\n", "\n")
            if b'"' not in data and "\r" not in plain and "\n\n" not in plain and not plain.startswith("\n"):
                body = plain[:-1] if plain.endswith("\n") else plain
                counts = _fields_per_line(plain.encode("utf-8") if plain is not text else data, dl)
                if counts.size and (counts == width - 1).all():
                    nrows = counts.size
                    yield range(next_row, next_row + nrows), _SplitLater(body, delimiter, width), {}
                    next_row += nrows
                    continue
            try:
                rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
            except csv.Error as exc:
                raise PortfolioInputError(f"catalogue {str(path)!r}, near row {next_row}: "
                                          f"not valid CSV ({exc})") from None
            numbers = range(next_row, next_row + len(rows))
            next_row += len(rows)
            problems: dict[int, list[str]] = {}
            if any(len(r) != width for r in rows):
                rows, numbers = _regularise(rows, numbers, width, problems)
                if not rows:
                    continue
            yield numbers, [list(c) for c in zip(*rows)], problems

    return Source(header, chunks(), lambda: min(consumed[0] / size, 1.0), f.close)


def read_xlsx(path: Path, chunk_rows: int) -> Source:
    import zipfile

    from openpyxl import load_workbook

    _open_input(path).close()
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PortfolioInputError(f"catalogue {str(path)!r} is not a readable xlsx workbook ({exc})") from None
    ws = wb.worksheets[0]
    for sheet in wb.worksheets:          # the first sheet whose header has a 'sku' column
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        if any(isinstance(v, str) and v.strip() == "sku" for v in first or ()):
            ws = sheet
            break
    rows_iter = ws.iter_rows(values_only=True)
    header = list(next(rows_iter, ()) or ())
    while header and header[-1] is None:
        header.pop()
    if not header:
        wb.close()
        raise PortfolioInputError(f"catalogue {str(path)!r}: the first sheet has no header row")
    width = len(header)
    total = max((ws.max_row or 1) - 1, 1)
    seen = [0]

    def chunks():
        row_no = 1
        rows: list = []
        numbers: list = []
        for rec in rows_iter:
            row_no += 1
            seen[0] += 1
            rec = list(rec[:width]) + [None] * (width - len(rec))
            if all(v is None for v in rec):       # empty row: skipped
                continue
            rows.append([_cell_text(v) for v in rec])
            numbers.append(row_no)
            if len(rows) >= chunk_rows:
                yield numbers, [list(c) for c in zip(*rows)], {}
                rows, numbers = [], []
        if rows:
            yield numbers, [list(c) for c in zip(*rows)], {}

    return Source([_cell_text(h) for h in header], chunks(), lambda: min(seen[0] / total, 1.0), wb.close)


# --------------------------------------------------------------------------- writing


def escape_text(text: str) -> str:
    """Neutralise spreadsheet formulas in CSV text (OWASP): prefix ``'`` to ``= + - @ TAB CR``.

    >>> escape_text("=HYPERLINK(1)"), escape_text("-3"), escape_text("A-7")
    ("'=HYPERLINK(1)", "'-3", 'A-7')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_POW10 = 10 ** np.arange(19, dtype=np.int64)


def format_numbers(values: np.ndarray, sig: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Numbers as CSV text bytes, vectorised: a ``(len, width)`` uint8 matrix, 0-padded.

    Plain decimal notation with ``sig`` significant digits (trailing zeros dropped); NaN is
    an empty field; magnitudes outside [1e-6, 1e15) fall back to Python's ``repr``.

    >>> m = format_numbers(np.array([1735.7134039, -0.5, 0.0, np.nan, 3.0, 1e-9, 12345678.9]))
    >>> [bytes(r[r > 0]).decode() for r in m]
    ['1735.7134039', '-0.5', '0', '', '3', '1e-09', '12345678.9']
    """
    v = np.asarray(values, dtype=float).ravel()
    size = v.size
    small = _small_ints(v)
    if small is not None:
        return small
    a = np.abs(v)
    zero = a == 0
    with np.errstate(invalid="ignore"):
        fast = zero | ((a >= 1e-6) & (a < 1e15))
        whole = fast & (v == np.floor(v))
    slow = ~fast & ~np.isnan(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log10(np.where(fast & ~zero, a, 1.0))).astype(np.int64)
    d = np.clip(sig - 1 - e, 0, 17)
    d[~fast | whole] = 0
    m = np.rint(np.where(fast, a, 0.0) * _POW10[d].astype(float)).astype(np.int64)
    # drop trailing zeros of the fraction (only rows that still have some)
    live = np.flatnonzero((d > 0) & (m % 10 == 0))
    while live.size:
        m[live] //= 10
        d[live] -= 1
        live = live[(d[live] > 0) & (m[live] % 10 == 0)]
    n_digits = np.maximum(np.floor(np.log10(np.maximum(m, 1))).astype(np.int64) + 1, d + 1)
    n_digits[np.isnan(v)] = 0
    neg = (v < 0) & fast & ~zero
    length = neg + n_digits + (d > 0)
    width = max(int(length.max(initial=0)), 25 if slow.any() else 0, 1) + 1
    # column 0 is scratch (absent digits are written there, then cleared); the number is
    # right-aligned: digit k from the right at column width-1-k, one further left past the dot
    out = np.zeros((size, width), dtype=np.uint8)
    flat = out.reshape(-1)
    base = np.arange(size, dtype=np.int64) * width
    q = m.copy()
    has_dot = d > 0
    for k in range(int(n_digits.max(initial=0))):
        q, digit = np.divmod(q, 10)
        col = np.where(k < n_digits, width - 1 - k - ((k >= d) & has_dot), 0)
        flat[base + col] = digit + 48
    out[:, 0] = 0
    dot = np.flatnonzero(has_dot)
    out[dot, width - 1 - d[dot]] = ord(".")
    out[neg, width - length[neg]] = ord("-")
    for i in np.flatnonzero(slow).tolist():
        text = repr(float(v[i])).encode()
        out[i, :] = 0
        out[i, :len(text)] = np.frombuffer(text, dtype=np.uint8)
    return out


_INT_LOW, _INT_HIGH = -99_999, 99_999
_INT_TABLE: list = []


def _small_ints(v: np.ndarray) -> np.ndarray | None:
    """Whole numbers in [-99999, 99999] (or NaN), by table look-up; None for other values."""
    with np.errstate(invalid="ignore"):
        finite = ~np.isnan(v)
        if not (((v >= _INT_LOW) & (v <= _INT_HIGH) & (v == np.floor(v))) | ~finite).all():
            return None
    if not _INT_TABLE:
        texts = [b""] + [str(i).encode() for i in range(_INT_LOW, _INT_HIGH + 1)]
        _INT_TABLE.append(np.array(texts, dtype="S6"))
    index = np.where(finite, np.nan_to_num(v) - _INT_LOW + 1, 0).astype(np.int64)
    return _INT_TABLE[0][index].view(np.uint8).reshape(v.size, 6)


def _text_matrix(texts: Sequence[str], escape: bool = True) -> np.ndarray:
    """CSV fields for text (escaped against formulas, quoted when needed) as a byte matrix."""
    def field(t: str) -> bytes:
        if escape:
            t = escape_text(t)
        if any(ch in t for ch in ',"\n\r'):
            t = '"' + t.replace('"', '""') + '"'
        return t.encode("utf-8")

    joined = "".join(texts)
    if not joined:
        return np.zeros((len(texts), 0), dtype=np.uint8)
    if joined.isascii() and not any(ch in joined for ch in ',"\n\r'):
        arr = np.array(texts, dtype="S")
        out = arr.view(np.uint8).reshape(len(texts), max(arr.dtype.itemsize, 1))
        triggers = np.frombuffer("".join(FORMULA_TRIGGERS).encode(), dtype=np.uint8)
        if not (escape and np.isin(out[:, 0], triggers).any()):
            return out
    arr = np.array([field(t) for t in texts], dtype=object).astype("S")
    return arr.view(np.uint8).reshape(len(texts), max(arr.dtype.itemsize, 1))


def csv_chunk_bytes(res: ChunkResult, methods: list[str], header: list[str]) -> bytes:
    """One chunk of output rows as CSV bytes (vectorised; no Python loop per number)."""
    size = len(res.sku)
    names = np.array([escape_text(m).encode() for m in methods] + [b""], dtype="S")
    parts = [_text_matrix(res.sku), format_numbers(res.rate)]
    for name in header[2:-4]:
        parts.append(format_numbers(res.columns[name]))
    for idx in (res.cheapest, res.lowest_impact):
        sel = names[np.where(idx >= 0, idx, len(methods))]
        parts.append(sel.view(np.uint8).reshape(size, max(sel.dtype.itemsize, 1)))
    parts.append(format_numbers(res.saving))
    parts.append(_text_matrix(res.errors))
    assert len(parts) == len(header)
    comma = np.full((size, 1), ord(","), dtype=np.uint8)
    newline = np.full((size, 1), ord("\n"), dtype=np.uint8)
    blocks = []
    for i, p in enumerate(parts):
        blocks.append(p)
        blocks.append(comma if i < len(parts) - 1 else newline)
    flat = np.hstack(blocks).ravel()
    return flat[flat != 0].tobytes()


class CsvWriter:
    def __init__(self, path: Path, header: list[str], methods: list[str]):
        self.file = open(path, "wb")
        self.header = header
        self.methods = methods
        self.file.write((",".join(header) + "\n").encode())

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def finish(self, summary: Summary, meta: dict) -> None:
        self.file.close()

    def abort(self) -> None:
        self.file.close()


_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


class XlsxWriter:
    """Results sheet streamed with openpyxl's write-only mode, plus a Summary sheet and chart."""

    def __init__(self, path: Path, header: list[str], methods: list[str]):
        from openpyxl import Workbook

        self.path = path
        self.header = header
        self.methods = methods
        self.wb = Workbook(write_only=True)
        self.summary_ws = self.wb.create_sheet("Summary")
        self.ws = self.wb.create_sheet("Results")
        self.ws.append(header)
        self.rows = 1
        self.saving_col = header.index("saving") + 1
        self.rate_col = header.index("demand.rate_per_year") + 1

    def _text(self, value: str):
        from openpyxl.cell import WriteOnlyCell

        if not value:
            return None
        cell = WriteOnlyCell(self.ws, value=_ILLEGAL.sub("\ufffd", value))
        cell.data_type = "s"          # text, never a formula, whatever its first character
        return cell

    def write(self, res: ChunkResult) -> None:
        size = len(res.sku)
        if self.rows + size > XLSX_MAX_ROWS:
            raise PortfolioInputError(f"an xlsx sheet holds at most {XLSX_MAX_ROWS - 1:,} SKUs; "
                                      f"write CSV for larger catalogues")
        cols: list[list] = [[self._text(s) for s in res.sku], _cells(res.rate)]
        for name in self.header[2:-4]:
            cols.append(_cells(res.columns[name], integer=name.rsplit(".", 1)[1] in INTEGER_FIELDS))
        for idx in (res.cheapest, res.lowest_impact):
            cols.append([self.methods[i] if i >= 0 else None for i in idx.tolist()])
        cols.append(_cells(res.saving))
        cols.append([self._text(e) for e in res.errors])
        for row in zip(*cols):
            self.ws.append(row)
        self.rows += size

    def finish(self, summary: Summary, meta: dict) -> None:
        from openpyxl.chart import Reference, ScatterChart, Series

        ws = self.summary_ws
        for letter, width in zip("ABCDEFG", (40, 14, 16, 18, 22, 24, 18)):
            ws.column_dimensions[letter].width = width
        ws.append([self._summary_text("amspares portfolio")])
        for k, v in meta.items():
            ws.append([self._summary_text(k), self._summary_text(str(v))])
        ws.append(["SKUs evaluated", summary.evaluated])
        ws.append(["SKUs failed (see the error column)", summary.failed])
        ws.append([])
        ws.append(Summary.HEADER)
        for row in summary.rows():
            ws.append(row)
        ws.append([])
        ws.append(["Cheapest method per SKU: total cost (EUR)", float(summary.cheapest_cost.sum())])
        ws.append(["Saving over each SKU's runner-up (EUR)", float(summary.cheapest_saving.sum())])
        summary_rows = 8 + len(meta) + len(self.methods)
        last = min(self.rows, CHART_MAX_POINTS + 1)
        if last >= 2:
            chart = ScatterChart()
            title = "Saving of the cheapest method vs demand"
            if self.rows > last:
                title += f" (first {last - 1:,} SKUs)"
            chart.title = title
            chart.style = 13
            chart.x_axis.title = "demand rate (parts/year)"
            chart.y_axis.title = "saving over the runner-up (EUR)"
            chart.legend = None
            xs = Reference(self.ws, min_col=self.rate_col, min_row=2, max_row=last)
            ys = Reference(self.ws, min_col=self.saving_col, min_row=2, max_row=last)
            series = Series(ys, xs, title="SKUs")
            series.marker.symbol = "circle"
            series.marker.size = 5
            series.marker.graphicalProperties.solidFill = "1F77B4"
            series.marker.graphicalProperties.line.solidFill = "1F77B4"
            series.graphicalProperties.line.noFill = True
            chart.series.append(series)
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            chart.width, chart.height = 18, 10
            ws.add_chart(chart, f"A{summary_rows + 2}")        # under the table
        self.wb.save(self.path)

    def _summary_text(self, value: str):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.summary_ws, value=_ILLEGAL.sub("\ufffd", value))
        cell.data_type = "s"
        return cell

    def abort(self) -> None:
        pass


def _cells(values: np.ndarray, integer: bool = False) -> list:
    out = values.tolist()
    if integer:
        return [None if x != x else int(x) for x in out]
    return [None if x != x else x for x in out]


# --------------------------------------------------------------------------- driver


@dataclass
class Report:
    """What a run did: the summary, the row problems (first :data:`MAX_REPORTED`), timing."""

    summary: Summary
    problems: list = field(default_factory=list)
    problem_count: int = 0
    unknown_columns: list = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0


def _format_of(path: Path, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise PortfolioInputError(f"{what} {str(path)!r}: use a .csv or .xlsx file")


@dataclass
class _Done:
    """One processed chunk: what the writer needs, the summary part, the problems."""

    payload: Any                # CSV bytes, or the ChunkResult for the xlsx writer
    summary: Summary
    errors: list
    rows: int


_STATE: dict = {}               # set before a worker pool forks (scenarios do not pickle)


def _process(row_numbers, by_column, read_problems) -> _Done:
    scenario, plan, header, out_fmt, advice = (
        _STATE[k] for k in ("scenario", "plan", "header", "out_fmt", "advice"))
    methods = list(scenario.methods)
    if isinstance(by_column, _SplitLater):
        by_column = by_column.columns()
    res = evaluate_chunk(scenario, plan, by_column, row_numbers, read_problems, advice=advice)
    part = Summary(methods, has_impact=scenario.has_part)
    part.add(res)
    payload = csv_chunk_bytes(res, methods, header) if out_fmt == "csv" else res
    return _Done(payload, part, [e for e in res.errors if e], len(res.sku))


def _results(chunks, jobs: int) -> Iterator[_Done]:
    """Process chunks in order: here, or in ``jobs`` forked processes (CSV output only)."""
    if jobs <= 1:
        for chunk in chunks:
            yield _process(*chunk)
        return
    import collections
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: collections.deque = collections.deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            for chunk in chunks:
                pending.append(pool.submit(_process, *chunk))
                if len(pending) > jobs:          # bounded: at most jobs + 1 chunks in flight
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            for f in pending:
                f.cancel()
            raise


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def default_jobs() -> int:
    """Worker processes for ``--jobs 0``: the usable CPUs (1 where fork is unavailable)."""
    if not _can_fork():
        return 1
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_portfolio(catalogue: str | Path, output: str | Path, scenario: Scenario, *,
                  force: bool = False, chunk_rows: int = CHUNK_ROWS, jobs: int = 1,
                  advice: bool = False,
                  progress: Callable[[float, int], None] | None = None) -> Report:
    """Evaluate every SKU of ``catalogue`` against ``scenario`` and write ``output``.

    ``advice`` adds each stock method's cheapest order quantity ``Q >= moq`` and its saving
    (spec 3.2; (s,Q) rows only; about ten times slower). ``jobs > 1`` evaluates and formats chunks in that many forked processes (CSV output on
    platforms with fork; otherwise one process); the output is the same byte for byte.
    Raises :class:`PortfolioInputError` / :class:`OutputExistsError` for unusable input or
    an existing output without ``force`` (nothing is written). Bad rows do not raise: they
    are in ``Report.problems`` and in the output's ``error`` column.
    """
    catalogue, output = Path(catalogue), Path(output)
    in_fmt = _format_of(catalogue, "catalogue")
    out_fmt = _format_of(output, "output")
    if chunk_rows < 1:
        raise PortfolioInputError(f"chunk size = {chunk_rows}: must be >= 1")
    if jobs < 0:
        raise PortfolioInputError(f"jobs = {jobs}: must be >= 0 (0 = one per CPU)")
    jobs = default_jobs() if jobs == 0 else jobs
    if out_fmt != "csv" or not _can_fork():
        jobs = 1
    check_writable(output, force)          # before reading: fail fast, nothing written
    start = time.perf_counter()
    source = (read_csv if in_fmt == "csv" else read_xlsx)(catalogue, chunk_rows)
    try:
        plan = plan_columns(source.header, scenario)
        methods = list(scenario.methods)
        header = output_header(scenario, advice)
        summary = Summary(methods, has_impact=scenario.has_part)
        report = Report(summary, unknown_columns=[(c.name, c.problem) for c in plan if c.kind == "unknown"])
        writer = None
        _STATE.update(scenario=scenario, plan=plan, header=header, out_fmt=out_fmt, advice=advice)
        try:
            with atomic_output(output, force) as temp:
                try:
                    writer = (CsvWriter if out_fmt == "csv" else XlsxWriter)(temp, header, methods)
                    for done in _results(source.chunks, jobs):
                        writer.write(done.payload)
                        summary.merge(done.summary)
                        report.rows += done.rows
                        report.problem_count += len(done.errors)
                        report.problems.extend(done.errors[:MAX_REPORTED - len(report.problems)])
                        if progress:
                            progress(source.done(), report.rows)
                    writer.finish(summary, {"catalogue": str(catalogue), "base scenario": scenario.name})
                except BaseException:
                    try:               # close the temporary file before it is removed
                        if writer is not None:
                            writer.abort()
                    except Exception:  # noqa: BLE001 - the original error matters
                        pass
                    raise
        finally:
            _STATE.clear()
    finally:
        source.close()
    report.seconds = time.perf_counter() - start
    return report
