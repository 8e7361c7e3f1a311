"""What goes where in a scenario workbook, as plain data, and two ways to apply it.

Every cell amspares reads or writes is a workbook-level defined name (they follow their
cells when a user inserts rows or columns), so neither side needs addresses:

* inputs: one name per scenario key (``demand_rate_per_year``, ``methods_regular_price``,
  ...), the range ``inputs_table`` (key, value columns of the Inputs sheet), the range
  ``transport_legs`` (method, leg, mode, km, custom factor), ``transport_legs_kgco2e``
  (the custom kg CO2e per kg-km beside it) and ``scenario_name``;
* results written by amspares: ``py_<method>`` (the "amspares (Python)" column of the
  Results sheet), ``sq_<method>`` (the "amspares (Python)" column beside the live (s,Q)
  block of a stock method's model sheet, one row per :func:`sq_rows` quantity, for
  comparison: the model sheet computes the (s,Q) policy itself), ``py_n``,
  ``py_accepted_q``, ``py_cheapest``, ``py_lowest_impact``, the kg CO2e block's
  ``py_co2e_<method>`` and ``py_lowest_impact_co2e`` (skipped by "Run scenario" in a
  workbook written before them) and ``amspares_status``.

A *plan* is a list of ``(name, value)`` pairs: a scalar for a one-cell name, a list of rows
for a range. :func:`input_plan` and :func:`result_plan` make plans; a *backend* applies
them: :class:`OpenpyxlBackend` (the file writer) or the xlwings backend of
:mod:`amspares.excel.ribbon` (the "Run scenario" button). :func:`run_scenario_on` is the
whole "Run scenario" logic, backend-agnostic, so it is tested without Excel.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol

from amspares import __version__
from amspares.core.costs import cost_components
from amspares.core.impact import impact_components
from amspares.errors import AmsparesError, ScenarioError
from amspares.model import evaluate
from amspares import rules
from amspares.scenario import Leg, Scenario, all_keys, parse_scenario
from amspares.workbook.cached import cell_value
from amspares.workbook.cells import cell_text, text_cell

INPUTS_SHEET = "Inputs"
LEGS_SHEET = "Transport legs"
LEG_NAMES = ("factory", "warehouse", "customer")
#: The Transport legs sheet's custom kg CO2e per kg-km column (beside ``transport_legs``).
LEGS_KGCO2E = "transport_legs_kgco2e"

def _component_rows(components, prefix: str, indent: str, unit: str | None):
    out = []
    for c in components:
        label = f"{indent}{c.label} {c.symbol}" + (" (subtracted)" if unit and c.sign < 0 else "")
        out.append((label, f"{prefix}.{c.name}", unit) if unit else (label, f"{prefix}.{c.name}"))
    return out


def result_rows() -> tuple[tuple[str, str, str], ...]:
    """Rows of the Results table: (label, path into the method object of docs/model.md, unit).

    The cost and impact rows come from the one list of components
    (:func:`amspares.core.costs.cost_components`, :func:`amspares.core.impact.impact_components`).
    """
    return (
        ("kind", "kind", ""),
        ("policy", "policy", ""),
        ("base stock S", "S", "parts"),
        ("reorder point s", "s", "parts"),
        ("order quantity Q", "Q", "parts"),
        ("total cost TC", "total_cost", "EUR"),
        *_component_rows(cost_components(), "cost", "  ", "EUR"),
        ("impact ETC", "impact_mpts", "mPts"),
        *_component_rows(impact_components(), "impact", "  ", "mPts"),
        ("units produced P", "units.produced", "parts"),
        ("units shipped to warehouse W", "units.shipped_to_warehouse", "parts"),
        ("units delivered n", "units.delivered", "parts"),
        ("fill rate", "fill_rate", "share"),
        ("on-time rate (within free_days)", "on_time_rate", "share"),
        ("mean wait per demand", "mean_wait_days", "days"),
        ("meets the service target", "meets_service_target", ""),
    )


def sq_rows() -> tuple[tuple[str, str], ...]:
    """The (s,Q) values amspares writes beside a stock sheet's live (s,Q) block, in this row
    order (the template puts the live cells of the same quantities on the same rows):
    (label, path into the method object)."""
    return (
        ("reorder point s", "s"),
        ("order quantity Q", "Q"),
        ("units produced (billed)", "units.produced"),
        ("units shipped to warehouse", "units.shipped_to_warehouse"),
        *_component_rows(cost_components(), "cost", "", None),
        ("total cost TC", "total_cost"),
    )


#: :func:`result_rows` and :func:`sq_rows` for the components as shipped.
RESULT_ROWS = result_rows()
SQ_ROWS = sq_rows()

STATUS = "amspares_status"
#: Result names a workbook written before the kg CO2e rows lacks ("Run scenario" skips them there).
OPTIONAL_RESULTS = ("py_co2e_", "py_lowest_impact_co2e")
LAYOUT = "amspares_methods"


def name_of(key: str) -> str:
    """The defined name of a scenario key's input cell: dots become underscores.

    >>> name_of("methods.regular.price")
    'methods_regular_price'
    """
    return key.replace(".", "_")


def _get(obj: dict, path: str):
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part)
    return obj


def _show(value):
    """A result as a cell holds it (None -> "n/a", True/False -> "yes"/"no").

    >>> _show(True), _show(None), _show(2.5)
    ('yes', 'n/a', 2.5)
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    return cell_value(value)


def leg_rows(scenario: Scenario) -> list[list]:
    """The scenario's transport legs as rows (method, leg, mode, km, custom mPts/kg/km)."""
    rows = []
    for method in scenario.methods:
        for leg in LEG_NAMES:
            for item in scenario.get(f"methods.{method}.transport_to_{leg}", ()):
                item: Leg
                custom = item.mpts_per_kg_km if item.mode == "custom" else None
                rows.append([method, leg, item.mode, item.km, custom])
    return rows


def input_plan(scenario: Scenario, leg_capacity: int) -> list[tuple[str, Any]]:
    """Writes that put a scenario's inputs into the Inputs and Transport legs sheets."""
    plan: list[tuple[str, Any]] = [("scenario_name", scenario.name)]
    for spec in all_keys(scenario.methods):
        if spec.type == "legs":
            continue                      # formulas over the Transport legs table
        value = scenario.get(spec.key)
        plan.append((name_of(spec.key), value))
    rows = leg_rows(scenario)
    if len(rows) > leg_capacity:
        raise ScenarioError("transport legs", len(rows), f"at most {leg_capacity} legs fit the workbook")
    co2 = [[leg.as_dict().get("kgco2e_per_kg_km")] for method in scenario.methods for which in LEG_NAMES
           for leg in scenario.get(f"methods.{method}.transport_to_{which}", ())]
    rows += [[None] * 5 for _ in range(leg_capacity - len(rows))]
    plan.append(("transport_legs", rows))
    plan.append((LEGS_KGCO2E, co2 + [[None] for _ in range(leg_capacity - len(co2))]))
    return plan


def result_plan(scenario: Scenario, result: dict, status: str | None = None) -> list[tuple[str, Any]]:
    """Writes that put amspares' own results (the object of docs/model.md section 6) into the result areas."""
    plan: list[tuple[str, Any]] = []
    for method, kind in scenario.methods.items():
        r = result["methods"][method]
        plan.append((f"py_{method}", [[_show(_get(r, path))] for _, path, _ in result_rows()]))
        if kind == "stock":
            if r["policy"] == "base_stock":
                block = [[None] for _ in sq_rows()]
            else:
                block = [[_show(_get(r, path))] for _, path in sq_rows()]
            plan.append((f"sq_{method}", block))
    for method in scenario.methods:             # the kg CO2e block (template.co2e_result_rows)
        r = result["methods"][method]
        co2 = r.get("impact_co2e") or {}
        plan.append((f"py_co2e_{method}", [[_show(r.get("impact_kgco2e"))]]
                     + [[_show(co2.get(c.name))] for c in impact_components()]))
    plan.append(("py_lowest_impact_co2e", _show(result.get("lowest_impact_co2e"))))
    plan += [("py_n", result["n"]), ("py_accepted_q", result["accepted_q"]),
             ("py_cheapest", result["cheapest"]),
             ("py_lowest_impact", _show(result["lowest_impact"])),
             ("py_waiting_time", result.get("waiting_time")), ("py_order_wait", result.get("order_wait"))]
    plan.append((STATUS, status or f"OK: results computed by amspares {__version__}"))
    return plan


def layout_text(methods) -> str:
    """The method layout a workbook was built for, e.g. ``regular=stock;am_mto=order``."""
    return ";".join(f"{m}={k}" for m, k in methods.items())


# --------------------------------------------------------------------------- backends


class Backend(Protocol):
    def read(self, name: str) -> Any: ...          # scalar, or list of rows for a range
    def write(self, name: str, value: Any) -> None: ...
    def has(self, name: str) -> bool: ...


def apply(plan: Iterable[tuple[str, Any]], backend: Backend) -> None:
    for name, value in plan:
        backend.write(name, value)


class OpenpyxlBackend:
    """Apply plans to an openpyxl workbook through its defined names."""

    def __init__(self, wb):
        self.wb = wb

    def _cells(self, name: str):
        from openpyxl.utils.cell import range_boundaries

        dn = self.wb.defined_names[name]
        (title, ref), = list(dn.destinations)
        ws = self.wb[title]
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        return [[ws.cell(row=r, column=c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    def has(self, name: str) -> bool:
        return name in self.wb.defined_names

    def read(self, name: str):
        cells = self._cells(name)
        if len(cells) == 1 and len(cells[0]) == 1:
            return cells[0][0].value
        return [[c.value for c in row] for row in cells]

    def write(self, name: str, value) -> None:
        cells = self._cells(name)
        if not isinstance(value, list):
            value = [[value]]
        if len(value) != len(cells) or any(len(v) != len(row) for v, row in zip(value, cells)):
            raise ValueError(f"{name}: {len(value)} rows do not fit its range")
        for vrow, crow in zip(value, cells):
            for v, c in zip(vrow, crow):
                text_cell(c, v)           # user text stays text, never a formula


# --------------------------------------------------------------------------- reading


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _clean(v):
    if isinstance(v, str):      # text with a control character: left for the rules to refuse
        return v if rules.has_control(v) else v.strip()
    if isinstance(v, float) and v.is_integer():
        return int(v) if abs(v) < 2**53 else v
    return v


def read_scenario(backend: Backend) -> Scenario:
    """Read a scenario back from a workbook's Inputs and Transport legs sheets.

    Validated by :func:`amspares.scenario.parse_scenario` like a TOML file; raises
    :class:`ScenarioError` naming the key, the cell's value and the rule.
    """
    data: dict[str, Any] = {}
    name = backend.read("scenario_name")
    if not _blank(name):
        data["name"] = str(name).strip()
    rows = backend.read("inputs_table")
    kinds = {}
    values = {}
    for row in rows:
        if not row or _blank(row[0]):
            continue
        key = str(row[0]).strip()
        values[key] = row[1]
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "methods" and parts[2] == "kind":
            kinds[parts[1]] = row[1]
    specs = {k.key: k for k in all_keys({m: (k if k in ("stock", "order") else "stock")
                                         for m, k in kinds.items()})}
    for key, value in values.items():
        spec = specs.get(key)
        if spec is not None and spec.type == "legs":
            continue
        if _blank(value):
            continue
        node = data
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ScenarioError(key, value, "is not a key of a scenario")
        node[parts[-1]] = _clean(value)
    legs = backend.read("transport_legs")
    # the custom kg CO2e per kg-km column (a workbook written before it has none)
    co2s = backend.read(LEGS_KGCO2E) if backend.has(LEGS_KGCO2E) else []
    co2s = [(c[0] if isinstance(c, (list, tuple)) else c) for c in co2s] + [None] * len(legs)
    for i, (row, co2) in enumerate(zip(legs, co2s), start=1):
        row = list(row) + [None] * (5 - len(row))
        method, leg, mode, km, custom = row[:5]
        if all(_blank(x) for x in (method, leg, mode, km, custom, co2)):
            continue
        where = f"transport legs row {i}"
        if _blank(method) or str(method).strip() not in kinds:
            raise ScenarioError(f"{where} method", method, f"must be one of {', '.join(kinds)}")
        if _blank(leg) or str(leg).strip() not in LEG_NAMES:
            raise ScenarioError(f"{where} leg", leg, f"must be one of {', '.join(LEG_NAMES)}")
        item = {"km": _clean(km) if not _blank(km) else None}
        if item["km"] is None:
            raise ScenarioError(f"{where} km", km, "is required")
        if not _blank(custom):
            item["mpts_per_kg_km"] = _clean(custom)
            if not _blank(mode):
                item["mode"] = str(mode).strip()
        elif not _blank(mode):
            item["mode"] = str(mode).strip()
        if not _blank(co2):
            item["kgco2e_per_kg_km"] = _clean(co2)
        node = data.setdefault("methods", {}).setdefault(str(method).strip(), {})
        node.setdefault(f"transport_to_{str(leg).strip()}", []).append(item)
    return parse_scenario(data, source="workbook Inputs sheet")


def check_layout(backend: Backend, scenario: Scenario) -> None:
    """The workbook's model sheets were built for certain methods and kinds: insist on them."""
    built = str(backend.read(LAYOUT) or "")
    want = dict(item.split("=", 1) for item in built.split(";") if "=" in item)
    for method, kind in scenario.methods.items():
        if method not in want:
            raise ScenarioError(f"methods.{method}.kind", kind,
                                "this workbook has no model sheet for this method; "
                                "write a new workbook with amspares scenario")
        if want[method] != kind:
            raise ScenarioError(f"methods.{method}.kind", kind,
                                f"this workbook was built for a {want[method]} method; "
                                "write a new workbook with amspares scenario")
    for method in want:
        if method not in scenario.methods:
            raise ScenarioError(f"methods.{method}.kind", None, "is required (the workbook has this method)")


def run_scenario_on(backend: Backend, progress: Callable[[str], None] = lambda msg: None,
                    ) -> AmsparesError | None:
    """"Run scenario" on an open workbook: read and validate the inputs, evaluate, write.

    Writes only amspares' result names (see the module docstring). On a bad input the
    error goes into ``amspares_status`` and nothing else is written; the error is returned
    so that the caller can also show it (a message box in Excel).
    """
    progress("amspares: reading the inputs ...")
    if not backend.has(STATUS):
        return LayoutError(f"this workbook has no {STATUS} cell (the name was deleted); "
                           "write a new workbook with amspares scenario")
    try:
        scenario = read_scenario(backend)
        check_layout(backend, scenario)
        progress("amspares: computing ...")
        result = evaluate(scenario)
        plan = [(name, value) for name, value in result_plan(scenario, result)
                if backend.has(name) or not name.startswith(OPTIONAL_RESULTS)]
        from amspares.workbook import stale
        if backend.has(stale.PY_INPUTS):      # what the results are computed from (the stale marks)
            used = stale.workbook_values(scenario, backend.read("inputs_table"))
            keys = [row[0] for row in backend.read(stale.KEYS)]
            plan.append((stale.PY_INPUTS, stale.block(keys, used)))
        check_plan(backend, plan)           # every name and shape, before anything is written
    except AmsparesError as exc:
        backend.write(STATUS, status_text(f"Error: {exc}"))
        return exc
    progress("amspares: writing the results ...")
    apply(plan, backend)
    return None


class LayoutError(AmsparesError):
    """The workbook's result names or layout were changed: amspares cannot write its results."""


#: The longest status text (a message box shows the same words).
STATUS_CHARS = 1000


def status_text(text: str) -> str:
    """The status cell's text: one line, at most :data:`STATUS_CHARS` characters."""
    return cell_text(" ".join(str(text).split()), STATUS_CHARS)


def _shape(value) -> tuple[int, ...]:
    if not isinstance(value, list):
        return (1, 1)
    return (len(value), *sorted({len(row) if isinstance(row, list) else 1 for row in value}))


def check_plan(backend: Backend, plan: Iterable[tuple[str, Any]]) -> None:
    """Refuse a plan that the workbook cannot take whole: a name that is missing, or a
    range whose size changed. Raises :class:`LayoutError` before any cell is written."""
    for name, value in plan:
        if not backend.has(name):
            raise LayoutError(f"this workbook has no cell named {name} (the name was deleted "
                              "or the layout changed); write a new workbook with amspares scenario")
        current = backend.read(name)
        if _shape(current) != _shape(value):
            raise LayoutError(f"the range {name} has changed size; "
                              "write a new workbook with amspares scenario")
