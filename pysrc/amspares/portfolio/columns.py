"""Portfolio columns: how a catalogue's header is read, how its cells are checked, and
which result columns are written.

Input columns are the base scenario's numeric model inputs in dotted form and the choice
keys (:data:`CHOICE_KEYS`); their cells are checked by :mod:`amspares.rules`, the checker
of scenario files and Excel function arguments, so a value is accepted or refused with
the same words everywhere. Result columns per method (:func:`method_columns`) derive from
the one list of cost components (:data:`amspares.core.costs.COST_COMPONENTS`) and of
impact components (:data:`amspares.core.impact.IMPACT_COMPONENTS`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from amspares import rules
from amspares.core.costs import COST_COMPONENTS
from amspares.core.impact import IMPACT_COMPONENTS
from amspares.errors import AmsparesError
from amspares.rules import Rule
from amspares.scenario import METHOD_KEYS, SCENARIO_KEYS, Scenario

CHOICE_KEYS = ("model.waiting_time", "model.production_rule", "model.order_wait")
#: Service measures per method (docs/model.md section 3.4), after each method's other columns.
SERVICE_COLUMNS = ("fill_rate", "on_time_rate", "mean_wait_days")
#: Impact components (mPts), in the order of the breakdown dataclass (Eq. 32).


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
    values, why = rules.to_numbers(cells, all_text=True)
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



INTEGER_FIELDS = ("S", "s", "Q", "advice_Q")


def method_columns(scenario: Scenario, advice: bool = False, breakdown: bool = False) -> list[str]:
    """``<method>.<field>`` output columns: S, s, Q, total_cost, impact_mpts per method.

    ``breakdown`` adds each cost component before ``total_cost`` (``<method>.cost.<c>``
    for every ``c`` of :data:`~amspares.core.costs.COST_COMPONENTS`, the ``cost`` object
    of ``amspares evaluate --json``) and each impact component before ``impact_mpts``
    (``<method>.impact.<c>``, :data:`IMPACT_COMPONENTS`). ``advice`` adds the cheapest
    order quantity ``Q >= moq`` and its saving (stock methods). Every method ends with its
    service measures (:data:`SERVICE_COLUMNS`).

    >>> from amspares.scenario import load_scenario
    >>> method_columns(load_scenario(), advice=True)[:7]
    ['regular.S', 'regular.s', 'regular.Q', 'regular.total_cost', 'regular.impact_mpts', 'regular.advice_Q', 'regular.advice_saving']
    >>> method_columns(load_scenario(), breakdown=True)[3:16]     # doctest: +NORMALIZE_WHITESPACE
    ['regular.cost.downtime', 'regular.cost.holding', 'regular.cost.production',
     'regular.cost.scrapping', 'regular.cost.transport', 'regular.cost.investment',
     'regular.cost.benefit', 'regular.total_cost', 'regular.impact.material',
     'regular.impact.process', 'regular.impact.transport', 'regular.impact.extra',
     'regular.impact_mpts']
    """
    cols = []
    for m, kind in scenario.methods.items():
        cols += [f"{m}.S", f"{m}.s", f"{m}.Q"]
        if breakdown:
            cols += [f"{m}.cost.{c}" for c in COST_COMPONENTS]
        cols.append(f"{m}.total_cost")
        if breakdown:
            cols += [f"{m}.impact.{c}" for c in IMPACT_COMPONENTS]
        cols.append(f"{m}.impact_mpts")
        if advice and kind == "stock":
            cols += [f"{m}.advice_Q", f"{m}.advice_saving"]
        cols += [f"{m}.{c}" for c in SERVICE_COLUMNS]
    return cols


def output_header(scenario: Scenario, advice: bool = False, breakdown: bool = False) -> list[str]:
    """Output columns: sku, demand rate, :func:`method_columns`, decisions, error."""
    return (["sku", "demand.rate_per_year"] + method_columns(scenario, advice, breakdown)
            + ["cheapest", "lowest_impact", "saving", "error"])
