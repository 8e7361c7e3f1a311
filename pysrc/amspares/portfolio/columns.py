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
import re
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np

from amspares import rules
from amspares.core.costs import COST_COMPONENTS
from amspares.core.impact import IMPACT_COMPONENTS
from amspares.errors import AmsparesError, ScenarioError
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
    """One input column and how its cells are checked.

    ``name`` is the file's own header (used in messages), ``key`` the scenario key it gives
    (the header itself without a column map). Kinds: ``sku``; ``number`` (checked by the
    key's rule after multiplying by ``factor``); ``choice``; ``table`` (a factor-table name,
    ``part.material`` / ``methods.<m>.process`` / ``methods.<m>.am_machine``, looked up and
    given to the model as the number ``key``); ``text`` (not a scenario key: carried through
    to the output); ``unknown`` (a dotted name that is no key: its cells make a row fail);
    ``history`` (``history.<period>``: parts demanded in that period, instead of
    ``demand.rate_per_year``; :mod:`amspares.portfolio.history`).
    """

    index: int
    name: str
    kind: str                   # "sku", "number", "choice", "table", "text", "unknown"
    rule: str = ""
    integer: bool = False
    maximum: float = 1e12       # the scenario Key's typo guard (|value| <= maximum)
    choices: tuple = ()
    base: Any = None            # the base scenario's value (used for empty cells)
    problem: str = ""           # for unknown columns: the rule text, with a suggestion
    key: str = ""               # the scenario key (number and choice: the model input)
    factor: float = 1.0         # unit conversion: value = cell * factor
    unit: str = ""              # the unit's name, for messages
    table: str = ""             # table columns: the factor table
    periods_per_year: float = 0.0   # history columns: their periods per year
    period: str = ""            # history columns: month, quarter, week (or "" when undated)

    def __post_init__(self):
        if not self.key:
            object.__setattr__(self, "key", self.name)


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


#: Factor-table name columns: the number each gives to the model, and its table.
TABLE_COLUMNS = {"material": ("material_mpts_per_kg", "materials"),
                 "process": ("process_mpts_per_kg", "processes"),
                 "am_machine": ("energy_kwh_per_kg", "am_machines")}
_TABLE_ALTERNATIVE = {"volume_cost_per_m3": "holding_per_part_year",
                      "package_m3": "holding_per_part_year"}
_SECTIONS = ("model", "demand", "downtime", "storage", "part", "impact", "methods")


def _table_target(key: str, scenario: Scenario) -> tuple[str, str] | None:
    """``(numeric key, table)`` for a table-name column key, or None."""
    parts = key.split(".")
    last = parts[-1]
    if last not in TABLE_COLUMNS:
        return None
    num, table = TABLE_COLUMNS[last]
    target = ".".join(parts[:-1] + [num])
    if (key == "part.material" and scenario.has_part) or (
            len(parts) == 3 and parts[0] == "methods" and parts[1] in scenario.methods):
        return target, table
    return None


def column_keys(scenario: Scenario) -> dict[str, str]:
    """Every key a catalogue column may give for this base scenario, with its help text."""
    help_of = {k.key: k.help for k in SCENARIO_KEYS}
    by_field = {k.key.split(".")[-1]: k.help for k in METHOD_KEYS}
    out = {}
    for key in scenario.inputs():
        parts = key.split(".")
        out[key] = help_of.get(key) or (by_field.get(parts[-1], "") if parts[0] == "methods" else "")
    if scenario.has_part:
        out["part.material"] = help_of["part.material"]
    for m in scenario.methods:
        out[f"methods.{m}.process"] = by_field["process"]
        out[f"methods.{m}.am_machine"] = by_field["am_machine"]
    return out


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


def _looks_like_key(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 2 and parts[0] in _SECTIONS


def plan_columns(header: Sequence[str], scenario: Scenario, colmap=None, *, period: str | None = None,
                 periods_per_year=None) -> list[Column]:
    """Check a header against the base scenario: how each column will be read.

    ``colmap`` (a :class:`~amspares.portfolio.columnmap.ColumnMap`) maps the file's own
    headers to keys with a unit. A header that is neither mapped nor a key is carried
    through as text (``kind = "text"``), unless it looks like a dotted key
    (``demand.rate_per_yr``): then it is ``unknown`` and its cells make a row fail.
    Raises :class:`PortfolioInputError` when there is no ``sku`` column, a column is
    repeated, or the map names a key the base scenario does not have.

    ``history.<period>`` columns (``history.2021-01``, ...) give the demand history
    instead of a rate: they must be consecutive periods, oldest first, named by month,
    quarter or week, or else ``period`` / ``periods_per_year`` says how long a period is.

    >>> from amspares.scenario import load_scenario
    >>> cols = plan_columns(["sku", "demand.rate_per_year", "methods.regular.moq",
    ...                      "demand.rate_per_yr", "Planner"], load_scenario())
    >>> [(c.kind, c.rule, c.integer) for c in cols[1:3]]
    [('number', '>= 0', False), ('number', '>= 1', True)]
    >>> cols[3].problem, cols[4].kind
    ('unknown column; did you mean demand.rate_per_year?', 'text')
    """
    names = [str(h if h is not None else "").strip() for h in header]
    seen = set()
    for name in names:
        if name and name in seen:
            raise PortfolioInputError(f"column {name!r} appears twice in the header")
        seen.add(name)
    mapped = {}
    if colmap is not None:
        for name in names:
            m = colmap.key_of(name)
            if m is not None:
                mapped[name] = m
    keys = [mapped[n].key if n in mapped else n for n in names]
    if "sku" not in keys:
        close = difflib.get_close_matches("sku", [n.lower() for n in names], n=1, cutoff=0.6)
        hint = f" (found {close[0]!r}; the header must be exactly 'sku')" if close else ""
        how = ("map the SKU column in the column map, e.g. \"Material\" = \"sku\"" if colmap is not None
               else "rename it, or map it with --columns MAP.toml (--suggest-columns writes one)")
        raise PortfolioInputError(f"the catalogue has no 'sku' column{hint}; {how}; "
                                  f"header: {', '.join(names) or '(empty)'}")
    inputs = scenario.inputs()
    numeric = [k for k in inputs if k not in CHOICE_KEYS]
    valid = ["sku", *CHOICE_KEYS, *numeric, *[k for k in column_keys(scenario) if k not in inputs]]
    choice_specs = {k.key: k for k in SCENARIO_KEYS if k.key in CHOICE_KEYS}
    cols = []
    given_keys: dict[str, str] = {}
    for i, (name, key) in enumerate(zip(names, keys)):
        m = mapped.get(name)
        factor, unit = (m.factor, m.unit) if m else (1.0, "")
        label = name or f"(column {i + 1} has no name)"
        target = _table_target(key, scenario)
        if key in given_keys or (target and target[0] in given_keys):
            other = given_keys.get(key) or given_keys.get(target[0])
            raise PortfolioInputError(f"columns {other!r} and {label!r} both give {key}")
        if key == "sku":
            cols.append(Column(i, label, "sku", key="sku"))
        elif key in CHOICE_KEYS:
            cols.append(Column(i, label, "choice", choices=choice_specs[key].choices,
                               base=inputs[key], key=key))
        elif key in numeric:
            rule, integer, maximum = _spec_for(key, scenario)
            cols.append(Column(i, label, "number", rule=rule, integer=integer, maximum=maximum,
                               base=inputs[key], key=key, factor=factor, unit=unit))
        elif target is not None:
            cols.append(Column(i, label, "table", base=inputs.get(target[0]), key=target[0],
                               table=target[1]))
        elif key.lower().startswith("history."):
            cols.append(Column(i, label, "history", key=key))
        elif m is not None:
            raise PortfolioInputError(f"column map: {name!r} = {key!r}: "
                                      + _unknown_rule(key, valid, scenario).replace("unknown column", "not a key of the base scenario"))
        elif _looks_like_key(key):
            cols.append(Column(i, label, "unknown", problem=_unknown_rule(key, valid, scenario)))
        else:
            cols.append(Column(i, label, "text"))
        if cols[-1].kind in ("number", "choice", "table"):
            given_keys[cols[-1].key] = label
            if target:
                given_keys[key] = label
    history = [c for c in cols if c.kind == "history"]
    if history:
        from amspares.portfolio.history import column_periods

        try:
            _, kind, ppy = column_periods([c.key for c in history], period, periods_per_year)
        except ScenarioError as exc:
            raise PortfolioInputError(f"the catalogue's history columns: {exc}") from None
        cols = [replace(c, periods_per_year=ppy, period=kind or "") if c.kind == "history" else c
                for c in cols]
    return cols


def inherited_keys(plan: list[Column], scenario: Scenario, history: bool = False) -> list[str]:
    """The model inputs no column gives: every row takes them from the base scenario
    (with a demand history, history columns or a ``--history`` file, not the rate)."""
    given = {c.key for c in plan if c.kind in ("number", "choice", "table")}
    if history or any(c.kind == "history" for c in plan):
        given.add("demand.rate_per_year")
    return [k for k in scenario.inputs() if k not in given]


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


_THOUSANDS = {".": re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+(\.\d*)?\s*$"),
              ",": re.compile(r"^\s*[+-]?\d{1,3}(\.\d{3})+(,\d*)?\s*$")}
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+\s*$")
_SPACE_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(\D|$))")
DECIMAL_COMMA_HINT = "looks like a decimal comma: use --decimal ,"


def normalise_numbers(cells: Sequence[str], decimal: str = ".") -> tuple[list, set]:
    """Cells with thousands separators and decimal commas rewritten for ``float``.

    ``decimal = ","``: ``1.234,5`` -> ``1234.5``, ``2,5`` -> ``2.5``; ``decimal = "."``:
    ``1,234.5`` -> ``1234.5``. Spaces between digit groups (``1 234``) are dropped. Returns
    the cells and the positions that look like a decimal comma in a decimal-point file
    (for the hint :data:`DECIMAL_COMMA_HINT`).

    >>> normalise_numbers(["1.234,5", "2,5", "7", "1 234,0"], ",")[0]
    ['1234.5', '2.5', '7', '1234.0']
    >>> normalise_numbers(["1,234.5", "2,5", "3"], ".")
    (['1234.5', '2,5', '3'], {1})
    """
    cells = list(cells)
    sep = "," if decimal == "." else "."
    probe = "".join(c for c in cells if isinstance(c, str))
    if sep not in probe and "," not in probe and " " not in probe and "\u00a0" not in probe \
            and "'" not in probe and "\u202f" not in probe:
        return cells, set()
    thousands = _THOUSANDS[decimal]
    hints = set()
    for i, c in enumerate(cells):
        if not isinstance(c, str) or not c:
            continue
        t = c
        if " " in t.strip() or "\u00a0" in t or "\u202f" in t or "'" in t:
            t = _SPACE_GROUPS.sub("", t.strip())
        if thousands.match(t):
            t = t.replace(sep, "")
        if decimal == ",":
            if "," in t and "." not in t:
                t = t.replace(",", ".", 1) if t.count(",") == 1 else t
        elif _DECIMAL_COMMA.match(t):
            hints.add(i)
        cells[i] = t
    return cells, hints


def check_numbers(col: Column, cells: Sequence[str], decimal: str | None = None) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Validate one numeric column of a chunk, vectorised.

    Returns ``(values, given, problems)``: float values (the base value where a cell is
    empty), a mask of non-empty cells, and ``{position: rule}`` for bad cells (whose value
    is then the base value; the row is not evaluated). The rules are those of
    :func:`amspares.scenario._number` (a number, finite, at most the Key's maximum, whole
    for integers, in range), applied after the column's unit conversion (``col.factor``).
    ``decimal`` (``"."`` or ``","``) first reads thousands separators and decimal commas
    (:func:`normalise_numbers`); ``None`` reads cells exactly as a scenario file would.

    >>> c = Column(1, "demand.rate_per_year", "number", rule=">= 0", base=2.0)
    >>> v, given, bad = check_numbers(c, ["3", "", "-3", "x", "1e400"])
    >>> v.tolist(), given.tolist()
    ([3.0, 2.0, 2.0, 2.0, 2.0], [True, False, True, True, True])
    >>> dict(sorted(bad.items()))
    {2: 'must be >= 0', 3: 'must be a number', 4: 'must be a finite number'}
    >>> g = Column(1, "Weight (g)", "number", rule=">= 0", base=0.25, key="part.weight_kg", factor=0.001, unit="g")
    >>> check_numbers(g, ["250", "1.250,5", "-5"], decimal=",")[0].tolist()
    [0.25, 1.2505, 0.25]
    >>> check_numbers(g, ["-5"], decimal=".")[2]
    {0: 'must be >= 0 (in part.weight_kg after g: -0.005)'}
    """
    rule = Rule(col.rule, integer=col.integer, maximum=col.maximum, **rules.minimum_of(col.key or ""))
    hints: set = set()
    if hasattr(cells, "read_numbers"):         # CSV bytes, read as the lines below would
        values, why, hints = cells.read_numbers(decimal)
    else:
        if decimal is not None:
            cells, hints = normalise_numbers(cells, decimal)
        values, why = rules.to_numbers(cells, all_text=all(isinstance(c, str) for c in cells))
    if col.factor != 1.0:
        with np.errstate(over="ignore", invalid="ignore"):
            values = values * col.factor
        if col.integer:      # 1e-12 relative: 2.5 weeks x 7 is 17.5, 3 weeks is 21
            r = np.rint(values)
            close = np.abs(values - r) <= 1e-12 * np.maximum(np.abs(r), 1.0)
            values = np.where(close, r, values)
    why = rules.reasons_of_numbers(rule, values, why)
    given = why != rules.EMPTY
    problems = rules.messages(rule, cells, why)
    if col.factor != 1.0:
        for i, text in problems.items():
            if why[i] in (rules.OUT_OF_RANGE, rules.NOT_WHOLE, rules.TOO_LARGE):
                problems[i] = f"{text} (in {col.key} after {col.unit}: {values[i]:g})"
    for i in hints:
        if i in problems:
            problems[i] += f"; {DECIMAL_COMMA_HINT}"
    values = np.where(why == rules.OK, values, float(col.base))
    return values, given, problems


def check_tables(col: Column, cells: Sequence[str]) -> tuple[np.ndarray, dict[int, str]]:
    """Look up a factor-table name column (``part.material = PA``), once per distinct name.

    Returns the numbers for the model (``col.key``; the base value where a cell is empty)
    and ``{position: rule}`` for unknown names (the words of :mod:`amspares.scenario`).

    >>> c = Column(1, "part.material", "table", key="part.material_mpts_per_kg", table="materials", base=630.0)
    >>> v, bad = check_tables(c, ["PA", "", "nylonx"])
    >>> float(v[0]), float(v[1]), sorted(bad)
    (630.0, 630.0, [2])
    """
    from amspares import factors
    from amspares.core.impact import megajoules_to_kwh
    from amspares.errors import ScenarioError
    from amspares.scenario import _table_value

    values = np.full(len(cells), np.nan if col.base is None else float(col.base))
    problems: dict[int, str] = {}
    looked: dict[str, object] = {}
    factors.TABLES[col.table]()
    for i, c in enumerate(cells):
        name = c.strip() if isinstance(c, str) else c
        if name in ("", None):
            continue
        if name not in looked:
            try:
                v = _table_value(col.name, col.table, name)
                looked[name] = float(megajoules_to_kwh(v)) if col.table == "am_machines" else v
            except ScenarioError as exc:
                looked[name] = exc.rule if hasattr(exc, "rule") else str(exc).split(": ", 1)[-1]
        got = looked[name]
        if isinstance(got, str):
            problems[i] = got
        else:
            values[i] = got
    return values, problems


def check_choices(col: Column, cells: Sequence[str]) -> tuple[np.ndarray, dict[int, str]]:
    """Validate a choice column (``model.waiting_time`` ...), vectorised.

    Returns ``(codes, problems)``: the index into ``col.choices`` of each cell (the base
    value's for empty and bad cells) and ``{position: rule}`` for bad cells.

    >>> c = Column(1, "model.waiting_time", "choice", choices=("erlang_c", "exact"), base="erlang_c")
    >>> codes, bad = check_choices(c, ["exact", "", "exakt"])
    >>> codes.tolist(), bad
    ([1, 0, 0], {2: 'must be one of erlang_c, exact; did you mean exact?'})

    The cells of a quote-free CSV chunk are matched as bytes: a cell that is exactly a
    choice's bytes, or empty, needs no text; the others are checked as text, as above.
    """
    if hasattr(cells, "matrix"):
        return _check_choice_bytes(col, cells)
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



def _check_choice_bytes(col: Column, cells) -> tuple[np.ndarray, dict[int, str]]:
    """:func:`check_choices` of a CSV chunk's column of bytes (``cells.lengths``, ``cells.matrix``)."""
    size = len(cells)
    choices = [c.encode("utf-8") for c in col.choices]
    width = -(-max(map(len, choices), default=0) // 8) * 8
    words = cells.matrix(width).view("<u8")    # each cell's first bytes, 0-padded, 8 to a word
    codes = np.full(size, col.choices.index(col.base), dtype=np.int64)
    done = cells.lengths == 0                  # empty: the base value
    for j, choice in enumerate(choices):
        hit = cells.lengths == len(choice)
        for k, word in enumerate(np.frombuffer(choice.ljust(width, b"\0"), "<u8").tolist()):
            hit &= words[:, k] == word
        codes[hit] = j
        done |= hit
    rest = np.flatnonzero(~done)
    if not rest.size:
        return codes, {}
    some, bad = check_choices(col, [cells[i] for i in rest.tolist()])
    codes[rest] = some
    return codes, {int(rest[k]): rule for k, rule in bad.items()}


INTEGER_FIELDS = ("S", "s", "Q", "advice_Q", "moq_to_win")


def method_columns(scenario: Scenario, advice: bool = False, breakdown: bool = False) -> list[str]:
    """``<method>.<field>`` output columns: S, s, Q, total_cost, impact_mpts, impact_kgco2e per method.

    ``breakdown`` adds each cost component before ``total_cost`` (``<method>.cost.<c>``
    for every ``c`` of :data:`~amspares.core.costs.COST_COMPONENTS`, the ``cost`` object
    of ``amspares evaluate --json``) and each impact component before ``impact_mpts``
    (``<method>.impact.<c>``, :data:`IMPACT_COMPONENTS`), and the same in kg CO2e before
    ``impact_kgco2e`` (``<method>.impact_co2e.<c>``). ``advice`` adds the cheapest
    order quantity ``Q >= moq`` and its saving (stock methods). Every method ends with its
    service measures (:data:`SERVICE_COLUMNS`).

    >>> from amspares.scenario import load_scenario
    >>> method_columns(load_scenario(), advice=True)[:7]
    ['regular.S', 'regular.s', 'regular.Q', 'regular.total_cost', 'regular.impact_mpts', 'regular.impact_kgco2e', 'regular.advice_Q']
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
        if breakdown:
            cols += [f"{m}.impact_co2e.{c}" for c in IMPACT_COMPONENTS]
        cols.append(f"{m}.impact_kgco2e")
        if advice and kind == "stock":
            cols += [f"{m}.advice_Q", f"{m}.advice_saving"]
        cols += [f"{m}.{c}" for c in SERVICE_COLUMNS]
    return cols


def negotiation_columns(scenario: Scenario, negotiate: bool = False) -> list[str]:
    """The price to negotiate: ``<order method>.price_to_win`` (always) and, with
    ``negotiate``, ``<stock method>.moq_to_win`` (:mod:`amspares.core.negotiate`).

    >>> from amspares.scenario import load_scenario
    >>> negotiation_columns(load_scenario(), negotiate=True)
    ['am_mto.price_to_win', 'regular.moq_to_win', 'am_mts.moq_to_win']
    """
    cols = [f"{m}.price_to_win" for m, k in scenario.methods.items() if k == "order"]
    if negotiate:
        cols += [f"{m}.moq_to_win" for m, k in scenario.methods.items() if k == "stock"]
    return cols


def result_columns(scenario: Scenario, advice: bool = False, breakdown: bool = False,
                   negotiate: bool = False) -> list[str]:
    """The numeric result columns: :func:`method_columns` then :func:`negotiation_columns`."""
    return method_columns(scenario, advice, breakdown) + negotiation_columns(scenario, negotiate)


def output_header(scenario: Scenario, advice: bool = False, breakdown: bool = False,
                  negotiate: bool = False, carried: Sequence[str] = (), history: bool = False) -> list[str]:
    """Output columns: sku, the carried-through columns (as in the file), demand rate,
    :func:`result_columns`, decisions, error. With ``history`` the carried columns end with
    the history's text columns and the demand rate is followed by its number columns
    (:data:`amspares.portfolio.history.TEXT_COLUMNS`, ``NUMBER_COLUMNS``)."""
    from amspares.portfolio.history import NUMBER_COLUMNS, TEXT_COLUMNS

    extra = list(NUMBER_COLUMNS) if history else []
    carried = list(carried) + (list(TEXT_COLUMNS) if history else [])
    return (["sku", *carried, "demand.rate_per_year", *extra]
            + result_columns(scenario, advice, breakdown, negotiate)
            + list(DECISION_COLUMNS))


#: The decision columns that end every output row (the writers fill them by name).
DECISION_COLUMNS = ("cheapest", "lowest_impact", "lowest_impact_co2e", "saving", "error")
