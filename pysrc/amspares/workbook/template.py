"""Generate the scenario workbook: Inputs, Transport legs, Factors, live model, Results.

``python -m amspares.workbook`` regenerates ``templates/scenario.xlsx`` (the thesis case
study). :func:`build_template` builds the same structure for any scenario's methods.

Design (also written into the sheets' help column):

* **Inputs** -- one row per scenario key (docs/model.md section 2): key, value, unit, thesis
  symbol, help. Each value cell has a workbook-level defined name, the key with dots
  replaced by underscores (``demand_rate_per_year``). Choice keys have drop-down
  validation. Table-name keys (``part.material``, ``methods.*.process``,
  ``methods.*.am_machine``) are live: when given, the model looks the number up in the
  Factors sheet (INDEX/MATCH) instead of using the numeric key. Each
  ``methods.<m>.transport_to_<leg>`` row is a SUMPRODUCT formula over the
  **Transport legs** table (method, leg, mode, km), whose mode factor is looked up in
  Factors, giving the leg's ``sum(km * t)`` in mPts per kg.
* **Model** -- ``n = lambda T``, the storage's holding cost per part-year, the material
  factor and ``accepted_q`` (Eq. 31: COUNTIF over a helper column of Poisson CDFs, k = 0..K).
* **Model <method>** -- a stock method: L, u, n, the free window ``w = free_days / 365``,
  ``u_w = lambda (L - w)^+`` and the method's holding ``h_item`` (own per part-year, own
  rate x price, else the storage's); the base-stock table S = 0..Smax with Erlang B by
  its recursion row by row, Erlang C, the wait beyond w under both waiting-time models
  (chosen by ``model_waiting_time``), CD, CH, CP (by ``model_production_rule``), CR, CTr,
  I, B, TC, the service measures (docs/model.md 3.4) and TC restricted to the S meeting
  ``model_service_target``; the optimum by MIN + MATCH over the latter (ties to the
  smaller S). The (s,Q) policy of docs/model.md section 3.2 is live
  too: the regime (several orders when moq <= n, else one order), a reorder-point table
  s = -Q .. s_hi (rows for Q up to 1000) with P(X > s), G2(s), G2(s+Q),
  E[BO], E[OH], TC(s) and the same at u_w with the on-time rate, s* by MIN + MATCH, and
  every cost of docs/model.md section 3.2 for both regimes;
  column C beside the live block holds amspares' (Python) values for comparison. The
  chosen policy is IF(moq = 1, base stock, (s,Q)), with its service measures. An order
  method: the make-to-order cost (its wait of D_o = production + shipping days charged
  beyond free_days when ``model_order_wait`` is "charged") and service measures. Both: the
  environmental breakdown (docs/model.md section 4) at the chosen policy.
* **Results** -- per method a live column (formulas) and an "amspares (Python)" column
  written by amspares; ``result_<method>_S``, ``result_<method>_total_cost``,
  ``result_<method>_impact_mpts``, the service measures ``result_<method>_fill_rate`` ...
  ``result_<method>_meets_service_target``, ``result_cheapest`` and
  ``result_lowest_impact`` (among the methods meeting the service target, when some do),
  and the model in use (``result_waiting_time``, ``result_order_wait``); below, the kg CO2e
  block (``result_<method>_impact_kgco2e``, its breakdown, ``result_lowest_impact_co2e``).
* **kg CO2e** -- beside each model sheet's mPts impact rows, the same equations with the
  climate factors (:func:`_co2e_factor_rows`); a missing factor is the text ``missing: <key>``.

The model sheets' formulas read like the equations: each model sheet has sheet-scoped
names for its quantities (``L``, ``u``, ``n``, ``S_opt``, ``TC_opt``, ``process_factor``,
``cost_<component>``, ``units_produced``, ``impact_<component>``), for the per-S table's
columns (``table_<field>``), the (s,Q) block's rows (``sq_<row>``) and the (s,Q) table's
columns (``sq_table_<column>``); cells of the same table row are plain references (``H75``).
The cost and impact rows and columns follow the one list of components
(:func:`amspares.core.costs.cost_components`, :func:`amspares.core.impact.impact_components`);
each component's live formulas are in :data:`PER_S_COST_FORMULAS`, :data:`SQ_COST_FORMULAS`,
:data:`ORDER_COST_FORMULAS` and :data:`IMPACT_FORMULAS` (a component without one is an error).

Only functions both Excel and LibreOffice 7.4 compute are used (IF, AND, OR, INDEX, MATCH,
MIN, MAX, SUMPRODUCT, COUNTIF, ISNUMBER, POISSON, ROUNDUP, EXP, N): no LET, XLOOKUP, dynamic arrays or
array-entered formulas.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Callable

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from amspares import factors, wording
from amspares.core.costs import cost_components
from amspares.core.evaluate import TIE_REL, tied_with_minimum   # the one tie rule (docs/model.md 3.5)
from amspares.core.impact import KWH_PER_MJ, impact_components, process_factor
from amspares.rules import Rule
from amspares.scenario import Scenario, all_keys, load_scenario
from amspares.workbook import checks, fill, stale
from amspares.workbook.cells import text_cell
from amspares.workbook.cached import BELOW_TARGET, NO_PART, NOT_APPLICABLE, Expected, expected_values

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")     # yellow: type here
PY_FILL = PatternFill("solid", fgColor="DDEBF7")        # blue: written by amspares
WRAP = Alignment(wrap_text=True, vertical="top")
FIXED_TIME = _dt.datetime(2024, 1, 1)                   # reproducible document properties

FACTOR_TABLES = (
    ("materials", "Materials (thesis Table 1)"),
    ("am_machines", "AM machine energy, full build (thesis Table 2)"),
    ("processes", "Processes (thesis Table 3)"),
    ("transport_modes", "Transport modes (thesis Table 4)"),
    ("grids", "Electricity grids (kg CO2e per kWh with the year)"),
)


def model_sheet_title(method: str) -> str:
    return f"Model {method}"[:31]


def _abs(ws_title: str, ref: str) -> str:
    col = "".join(ch for ch in ref if ch.isalpha())
    row = ref[len(col):]
    return f"{quote_sheetname(ws_title)}!${col}${row}"


class _Builder:
    """Writes cells and remembers each formula cell's expected (cached) value."""

    def __init__(self, expected: Expected):
        self.ex = expected
        self.wb = Workbook()
        self.cache: dict[str, dict[str, object]] = {}
        self.co2e_values: dict[str, dict[str, object]] = {}   # method -> impact cell name -> cached value

    def name(self, name: str, ws, ref: str) -> None:
        """A workbook-level defined name (inputs, results: what amspares reads and writes)."""
        self.wb.defined_names[name] = DefinedName(name, attr_text=_abs(ws.title, ref))

    def local(self, ws, name: str, ref: str) -> None:
        """A sheet-scoped defined name (``u``, ``n``, table columns), for readable formulas."""
        ends = [_abs(ws.title, r) for r in ref.split(":")]
        text = ends[0] + "".join(":" + e.split("!")[-1] for e in ends[1:])
        ws.defined_names[name] = DefinedName(name, attr_text=text)

    def formula(self, ws, ref: str, formula: str, value) -> None:
        ws[ref] = "=" + formula
        self.cache.setdefault(ws.title, {})[ref] = value

    def label(self, ws, ref: str, text, bold=False) -> None:
        text_cell(ws[ref], text)
        if bold:
            ws[ref].font = BOLD


def _input_help(spec) -> str:
    if spec.type == "legs":
        return (spec.help + " Formula: sum of km x mPts/(kg km) over this method's legs in the "
                "'Transport legs' sheet (edit the legs there), in mPts per kg.")
    if spec.type == "table":
        return (spec.help + " When given, the model looks the number up in the Factors sheet "
                "and ignores the numeric key; leave empty to use the number.")
    return spec.help


def _factors_sheet(b: _Builder) -> None:
    ws = b.wb.create_sheet("Factors")
    ws["A1"] = "Factor tables shipped with amspares (editable copies; each row cites its source)"
    ws["A1"].font = TITLE
    ws["A2"] = ("Yellow values are editable: the model looks a name up here (part.material, methods.*.process, "
                "methods.*.am_machine, transport modes) and recalculates.")
    row = 3
    for table, title in FACTOR_TABLES:
        rows = list(factors.TABLES[table]().values())
        ws.cell(row=row, column=1, value=title).font = BOLD
        row += 1
        for c, head in enumerate(("name", "value", "unit", "description", "source", "kg CO2e",
                                  "kg CO2e unit", "kg CO2e source (row, year, licence), or why missing"),
                                 start=1):
            ws.cell(row=row, column=c, value=head).font = BOLD
        first = row + 1
        for f in rows:
            row += 1
            cited = (f"{f.citation.source}; {f.citation.row}; {f.citation.year}; {f.citation.licence}"
                     if f.citation is not None else f.kgco2e_note)
            for c, v in enumerate((f.name, f.value, f.unit, f.description, f.source, f.kgco2e,
                                   f.kgco2e_unit if f.kgco2e_unit else None, cited or None), start=1):
                ws.cell(row=row, column=c, value=v)
            ws.cell(row=row, column=2).fill = INPUT_FILL      # editable: looked up live by name
        b.wb.defined_names[f"factor_{table}_names"] = DefinedName(
            f"factor_{table}_names", attr_text=f"{quote_sheetname(ws.title)}!$A${first}:$A${row}")
        b.wb.defined_names[f"factor_{table}_values"] = DefinedName(
            f"factor_{table}_values", attr_text=f"{quote_sheetname(ws.title)}!$B${first}:$B${row}")
        b.wb.defined_names[f"factor_{table}_kgco2e"] = DefinedName(
            f"factor_{table}_kgco2e", attr_text=f"{quote_sheetname(ws.title)}!$F${first}:$F${row}")
        row += 2
    for col, width in zip("ABCDEFGH", (24, 10, 14, 55, 50, 12, 14, 60)):
        ws.column_dimensions[col].width = width


def _legs_sheet(b: _Builder, capacity: int):
    ws = b.wb.create_sheet(fill.LEGS_SHEET)
    heads = ("method", "leg", "mode", "km", "custom mPts/(kg km)", "mPts/(kg km) used", "km x t",
             "custom kg CO2e/(kg km)", "kg CO2e/(kg km) used", "km x t (kg CO2e)")
    for c, h in enumerate(heads, start=1):
        ws.cell(row=1, column=c, value=h).font = BOLD
    ws["N1"] = ("One row per transport leg (docs/model.md section 4, thesis Eq. 40-41). leg is factory, "
                "warehouse or customer; mode is a name from the Factors sheet's transport table "
                "(or leave it empty and give a custom factor). The Inputs sheet's transport_to_* "
                "rows sum km x t per method and leg. The kg CO2e columns are the climate twin: a "
                "mode's kg CO2e comes from the Factors sheet; a custom leg needs its own kg CO2e "
                "per kg-km, else the method's kg CO2e shows \"missing\" (never 0).")
    ws["N1"].alignment = WRAP
    ws.column_dimensions["N"].width = 60
    sc = b.ex.scenario
    legs = [leg for m in sc.methods for which in fill.LEG_NAMES
            for leg in sc.get(f"methods.{m}.transport_to_{which}", ())]
    first, last = 2, 1 + capacity
    b.legs = (first, last)
    dv_leg = DataValidation(type="list", formula1='"factory,warehouse,customer"', allow_blank=True)
    dv_mode = DataValidation(type="list", formula1=_abs_range("Factors", "factor_transport_modes_names", b),
                             allow_blank=True)
    ws.add_data_validation(dv_leg)
    ws.add_data_validation(dv_mode)
    dv_leg.add(f"B{first}:B{last}")
    dv_mode.add(f"C{first}:C{last}")
    for i in range(capacity):
        r = first + i
        leg = legs[i] if i < len(legs) else None
        b.formula(ws, f"F{r}",
                  f'IF(E{r}<>"",E{r},IF(C{r}="",0,INDEX(factor_transport_modes_values,'
                  f'MATCH(C{r},factor_transport_modes_names,0))))',
                  0.0 if leg is None else leg.mpts_per_kg_km)
        b.formula(ws, f"G{r}", f"N(D{r})*F{r}", 0.0 if leg is None else b.ex.leg_factor([leg]))
        # the kg CO2e twin: the custom value, else the mode's (a custom mPts leg without one: missing)
        mode_co2 = f"INDEX(factor_transport_modes_kgco2e,MATCH(C{r},factor_transport_modes_names,0))"
        co2 = 0.0 if leg is None else (LEG_MISSING if leg.kgco2e_per_kg_km is None else leg.kgco2e_per_kg_km)
        b.formula(ws, f"I{r}", f'IF(H{r}<>"",H{r},IF(E{r}<>"","{LEG_MISSING}",IF(C{r}="",0,'
                               f'IF(ISNUMBER({mode_co2}),{mode_co2},"{LEG_MISSING}"))))', co2)
        b.formula(ws, f"J{r}", f'IF(N(D{r})=0,0,IF(ISNUMBER(I{r}),N(D{r})*I{r},"{LEG_MISSING}"))',
                  0.0 if leg is None or leg.km == 0 else (co2 * leg.km if isinstance(co2, float) else co2))
        for c in "ABCDEH":
            ws[f"{c}{r}"].fill = INPUT_FILL
    ws[f"{LEGS_CHECK_COL}1"] = "check"
    ws[f"{LEGS_CHECK_COL}1"].font = BOLD
    methods = list(sc.methods)
    leg_keys, seen = [], {}
    for m in sc.methods:                         # the cached keys, in the order fill writes the rows
        for which in fill.LEG_NAMES:
            for _leg in sc.get(f"methods.{m}.transport_to_{which}", ()):
                seen[(m, which)] = seen.get((m, which), 0) + 1
                leg_keys.append(f"methods.{m}.transport_to_{which}[{seen[(m, which)]}]")
    leg_keys += ["methods..transport_to_[%d]" % (i + 1) for i in range(capacity - len(leg_keys))]
    for r in range(first, last + 1):
        b.formula(ws, f"{LEGS_KEY_COL}{r}", checks.leg_key(r, first), leg_keys[r - first])
        b.formula(ws, f"{LEGS_CHECK_COL}{r}", checks.leg_check(r, first, methods, "factor_transport_modes_names",
                                                               f"{LEGS_KEY_COL}{r}"), "")
        b.formula(ws, f"{LEGS_CHECK_ROW_COL}{r}", f'IF({LEGS_CHECK_COL}{r}="","",{r})', "")
    b.formula(ws, f"{LEGS_CHECK_ROW_COL}1", f"MIN({LEGS_CHECK_ROW_COL}{first}:{LEGS_CHECK_ROW_COL}{last})", 0)
    b.formula(ws, f"{LEGS_CHECK_ROW_COL}{last + 1}",
              f'IF({LEGS_CHECK_ROW_COL}1=0,"{INPUTS_OK}",INDEX({LEGS_CHECK_COL}1:{LEGS_CHECK_COL}{last},'
              f'{LEGS_CHECK_ROW_COL}1))', INPUTS_OK)
    b.name("legs_sheet_check", ws, f"{LEGS_CHECK_ROW_COL}{last + 1}")
    ws.column_dimensions[LEGS_CHECK_ROW_COL].hidden = True
    ws.column_dimensions[LEGS_KEY_COL].hidden = True
    ws.column_dimensions[LEGS_CHECK_COL].width = 50
    dv_km = DataValidation(type="custom", formula1=checks.number_valid(Rule(">= 0"), f"D{first}"), allow_blank=True,
                           showErrorMessage=True, errorStyle="warning", showInputMessage=True,
                           promptTitle="km", prompt="Distance of the leg in km: a number >= 0.",
                           error="The distance must be a number >= 0 (km).")
    dv_km.add(f"D{first}:D{last}")
    ws.add_data_validation(dv_km)
    dv_leg.showInputMessage = dv_mode.showInputMessage = True
    dv_leg.promptTitle, dv_leg.prompt = "leg", "factory, warehouse (stock methods) or customer."
    dv_mode.promptTitle, dv_mode.prompt = "mode", "A transport mode of the Factors sheet, or empty with a custom factor."
    b.wb.defined_names["transport_legs"] = DefinedName(
        "transport_legs", attr_text=f"{quote_sheetname(ws.title)}!$A${first}:$E${last}")
    b.wb.defined_names[fill.LEGS_KGCO2E] = DefinedName(
        fill.LEGS_KGCO2E, attr_text=f"{quote_sheetname(ws.title)}!$H${first}:$H${last}")
    for col, width in zip("ABCDEFGHIJ", (14, 11, 12, 9, 18, 17, 10, 20, 20, 16)):
        ws.column_dimensions[col].width = width
    return ws, first, last


#: What a Transport legs row shows in its kg CO2e columns when the leg has no climate factor.
LEG_MISSING = "missing"


def _abs_range(sheet: str, name: str, b: _Builder) -> str:
    return b.wb.defined_names[name].attr_text


#: The Inputs sheet's groups, in reading order: (title, explanation, which keys). A key
#: belongs to the first group whose test it passes (method keys by their field name).
_COST_FIELDS = ("kind", "price", "production_days", "shipping_days", "moq")
_HOLDING_FIELDS = ("holding_per_part_year", "holding_rate_per_year", "inbound_transport_share",
                   "outbound_per_part", "investment", "benefit_per_part_year")
WAITING_MODEL_WORDS = (
    "model.waiting_time: exact (the default) = every open order is made in parallel, the wait of a real "
    "base-stock system; erlang_c = the thesis's queue (Eq. 5-6), which overstates the wait. A seeded "
    "simulation of a base-stock system (S = 1, 2 demands a year, 86 days lead time, 400,000 demands) "
    "measured a mean wait of 17.36 +/- 0.04 days: exact gives 17.42, erlang_c 76.64 (docs/model.md "
    "section 3.1). The case study uses erlang_c to reproduce the thesis.")


def _field(key: str) -> str:
    return key.rsplit(".", 1)[-1]


INPUT_GROUPS = (
    ("Demand", "How many parts are needed, for how long.",
     lambda k: k.startswith("demand.")),
    ("Methods: price, lead time, order quantity", "One block per method; kind says how it supplies "
     "(stock = keep parts at a warehouse, order = print each part when it is needed).",
     lambda k: k.startswith("methods.") and _field(k) in _COST_FIELDS),
    ("Downtime", "What a waiting customer costs.", lambda k: k.startswith("downtime.")),
    ("Holding and other costs", "Holding is given once in storage (per part-year, per m3, or a rate of "
     "the price) or per method.",
     lambda k: k.startswith("storage.") or (k.startswith("methods.") and _field(k) in _HOLDING_FIELDS)),
    ("Environmental impact", "mPts = milli-points of the Eco-indicator 99 (1000 mPts = one point, "
     "the yearly impact of an average European / 1000); kg CO2e = greenhouse gas in kg of CO2 "
     "equivalent. transport_to_* are leg factors in mPts per kg of part, summed from the "
     "'Transport legs' sheet.",
     lambda k: k.startswith(("part.", "impact.", "methods."))),
    ("Model switches (change only with a reason)", WAITING_MODEL_WORDS,
     lambda k: True),
)
#: The check column of the Inputs and Transport legs sheets, and its helper (row numbers).
CHECK_COL, CHECK_ROW_COL = "F", "G"
LEGS_CHECK_COL, LEGS_CHECK_ROW_COL, LEGS_KEY_COL = "K", "L", "M"
INPUTS_OK = "OK"
#: Unit of a ``transport_to_*`` row of the Inputs sheet: the legs' sum of km x mPts/(kg km).
LEG_UNIT = "mPts/kg (leg factor)"


def _ordered_keys(keys):
    """The keys grouped by :data:`INPUT_GROUPS` (model switches last), file order within a group."""
    groups = [[] for _ in INPUT_GROUPS]
    for spec in keys:
        k = spec.key
        i = next(i for i, (_t, _h, test) in enumerate(INPUT_GROUPS)
                 if test(k) and not (k.startswith("model.") and i < len(INPUT_GROUPS) - 1))
        groups[i].append(spec)
    return groups


def _input_check(spec, ref: str, kinds) -> tuple[str, str | None, str]:
    """(check formula, data-validation condition or None, input message) of one input."""
    from amspares.scenario import key_rule
    key = spec.key
    if spec.type in ("number", "integer"):
        rule = key_rule(spec)
        blank_ok = not spec.required and (spec.default is None or spec.default == 0)
        return (checks.number_check(key, ref, rule, blank_ok), checks.number_valid(rule, ref),
                checks.rule_words(rule, blank_ok))
    if spec.type == "choice":
        built = kinds[key.split(".")[1]] if key.startswith("methods.") and key.endswith(".kind") else None
        words = "One of: " + ", ".join(spec.choices) + "."
        if built:
            words += f" This workbook's model sheets compute {built} (write it again for another kind)."
        return checks.choice_check(key, ref, spec.choices, built), None, words
    if spec.type == "table":
        names = f"factor_{spec.table}_names"
        return (checks.table_check(key, ref, spec.table, names), None,
                "A name from the Factors sheet, or empty to use the number below.")
    return '""', None, ""


def _inputs_sheet(b: _Builder, legs_first: int, legs_last: int):
    sc = b.ex.scenario
    ws = b.wb.create_sheet(fill.INPUTS_SHEET, 0)
    ws["A1"] = "amspares scenario"
    ws["A1"].font = TITLE
    b.label(ws, "A2", "scenario name", bold=True)
    b.name("scenario_name", ws, "B2")
    ws["B2"].fill = INPUT_FILL
    b.label(ws, "A3", "amspares status", bold=True)
    b.name(fill.STATUS, ws, "B3")
    ws["B3"].fill = PY_FILL
    ws["A4"] = ("Yellow cells are inputs (docs/model.md section 2 keys; each value cell has a defined name: "
                "the key with dots replaced by underscores). The model sheets recalculate live; "
                "'Run scenario' (amspares add-in) also writes amspares' own results (blue cells). "
                "Column F checks each input against its rule; the first broken rule is shown on "
                "Summary and Results, which then show no result.")
    ws["A4"].alignment = WRAP
    ws.merge_cells("A4:F4")
    ws.row_dimensions[4].height = 45
    for c, h in enumerate(("key", "value", "unit", "symbol", "help", "check"), start=1):
        ws.cell(row=5, column=c, value=h).font = BOLD
    legs_ref = f"{quote_sheetname(fill.LEGS_SHEET)}!$%s${legs_first}:$%s${legs_last}"
    validations: dict[tuple, DataValidation] = {}
    row = 5
    for (title, explain, _test), specs in zip(INPUT_GROUPS, _ordered_keys(all_keys(sc.methods))):
        if not specs:
            continue
        row += 1
        ws[f"A{row}"] = title
        ws[f"A{row}"].font = BOLD
        ws[f"E{row}"] = explain
        ws[f"E{row}"].alignment = WRAP
        if len(explain) > 110:
            ws.row_dimensions[row].height = 15 * (len(explain) // 95 + 1)
        for spec in specs:
            row += 1
            ref = f"B{row}"
            ws[f"A{row}"] = spec.key
            ws[f"C{row}"] = LEG_UNIT if spec.type == "legs" else spec.unit
            ws[f"D{row}"] = spec.symbol
            ws[f"E{row}"] = _input_help(spec)
            b.name(fill.name_of(spec.key), ws, ref)
            if spec.type == "legs":
                method = spec.key.split(".")[1]
                leg = spec.key.rsplit("_", 1)[1]
                b.formula(ws, ref,
                          f'SUMPRODUCT(({legs_ref % ("A", "A")}="{method}")*'
                          f'({legs_ref % ("B", "B")}="{leg}")*{legs_ref % ("G", "G")})',
                          float(sc.inputs()[spec.key]))
                continue
            ws[ref].fill = INPUT_FILL
            check, valid, words = _input_check(spec, ref, sc.methods)
            b.formula(ws, f"{CHECK_COL}{row}", check, "")
            b.formula(ws, f"{CHECK_ROW_COL}{row}", f'IF({CHECK_COL}{row}="","",{row})', "")
            if spec.type == "choice":
                key = ("choice", spec.choices, words)
                if key not in validations:
                    validations[key] = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"',
                                                      allow_blank=False, showErrorMessage=True,
                                                      error="Pick one of: " + ", ".join(spec.choices))
                dv = validations[key]
            elif spec.type == "table":
                key = ("table", spec.table)
                if key not in validations:
                    validations[key] = DataValidation(
                        type="list", formula1=b.wb.defined_names[f"factor_{spec.table}_names"].attr_text,
                        allow_blank=True, showErrorMessage=True, error="Pick a name from the Factors sheet")
                dv = validations[key]
            else:
                dv = DataValidation(type="custom", formula1=valid, allow_blank=True, showErrorMessage=True,
                                    errorStyle="warning", errorTitle=spec.key[-32:], error=words[:255])
                validations[("number", ref)] = dv
            dv.add(ref)
            dv.showInputMessage = True
            dv.promptTitle = (spec.key if spec.type == "number" or spec.type == "integer" else "Pick one")[-32:]
            dv.prompt = words[:255]
    for dv in validations.values():
        ws.add_data_validation(dv)
    last = row
    ws[f"{CHECK_ROW_COL}5"] = "first"
    b.formula(ws, f"{CHECK_ROW_COL}4", f"MIN({CHECK_ROW_COL}6:{CHECK_ROW_COL}{last})", 0)
    b.local(ws, "first_bad_row", f"{CHECK_ROW_COL}4")
    b.formula(ws, f"{CHECK_COL}3",
              f'IF(first_bad_row=0,"{INPUTS_OK}",INDEX({CHECK_COL}1:{CHECK_COL}{last},first_bad_row))', INPUTS_OK)
    ws["E3"] = "first broken rule on this sheet:"
    b.name("inputs_sheet_check", ws, f"{CHECK_COL}3")
    ws.column_dimensions[CHECK_ROW_COL].hidden = True
    b.wb.defined_names["inputs_table"] = DefinedName(
        "inputs_table", attr_text=f"{quote_sheetname(ws.title)}!$A$6:$B${row}")
    for col, width in zip("ABCDEF", (44, 16, 20, 9, 90, 50)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A6"
    return ws


#: What the Model sheet's storage holding cell shows when [storage] gives a rate of the price.
HOLDING_BY_RATE = "rate x price (per method)"

ACCEPTED_Q_TOO_SHORT = "WARNING: accepted_q beyond the k column; write the workbook again with amspares scenario"


def _common_sheet(b: _Builder):
    ex = b.ex
    inputs = ex.scenario.inputs()
    ws = b.wb.create_sheet("Model")
    ws["A1"] = "Common quantities (docs/model.md section 3)"
    ws["A1"].font = TITLE
    rows = (
        ("n = lambda T (expected total demand)", "model_n", "demand_rate_per_year*demand_service_years",
         float(ex.result["n"]), "parts"),
        ("h_item of [storage] (a rate is applied to each method's price on its sheet)", "model_h_item",
         f'IF(ISNUMBER(storage_holding_per_part_year),storage_holding_per_part_year,'
         f'IF(ISNUMBER(storage_holding_rate_per_year),"{HOLDING_BY_RATE}",'
         f'storage_volume_cost_per_m3*storage_package_m3))',
         (float(inputs["storage.holding_per_part_year"]) if "storage.holding_per_part_year" in inputs
          else HOLDING_BY_RATE), "EUR/part/year"),
        ("m (material impact, looked up when part.material is given)", "model_material_mpts_per_kg",
         'IF(part_material="",part_material_mpts_per_kg,INDEX(factor_materials_values,'
         "MATCH(part_material,factor_materials_names,0)))",
         float(inputs["part.material_mpts_per_kg"]) if "part.material_mpts_per_kg" in inputs else 0.0,
         "mPts/kg"),
    )
    for i, (label, name, f, value, unit) in enumerate(rows, start=3):
        ws[f"A{i}"] = label
        b.formula(ws, f"B{i}", f, value)
        ws[f"C{i}"] = unit
        b.name(name, ws, f"B{i}")
    # accepted_q (Eq. 31): smallest k with P{Poisson(n) <= k} >= confidence, i.e. the number
    # of k = 0..K whose CDF is still below the confidence (no array formula needed)
    cdf = ex.accepted_q_cdf
    K = len(cdf) - 1
    k0 = 4
    cdf_range = "poisson_cdf_k"
    b.local(ws, cdf_range, f"F{k0}:F{k0 + K}")
    ws["E2"], ws["F2"] = "k", "P{Poisson(n) <= k}"
    ws["E2"].font = ws["F2"].font = BOLD
    ws["E1"] = f"accepted_q helper (Eq. 31), k = 0..{K}"
    ws["E1"].font = BOLD
    for k in range(K + 1):
        ws[f"E{k0 + k}"] = k
        b.formula(ws, f"F{k0 + k}", f"POISSON(E{k0 + k},model_n,TRUE)", cdf[k])
    ws["A7"] = "accepted_q (Eq. 31): smallest k with P{Poisson(n) <= k} >= confidence"
    ws["D7"] = ("accepted_q: of one large order (moq above the whole demand n), the parts worth shipping to "
                "the warehouse: with this confidence no more than these are ever needed; the rest is not shipped.")
    ws["D7"].alignment = WRAP
    ws.column_dimensions["D"].width = 40
    ws.row_dimensions[7].height = 60
    b.formula(ws, "B7", f'IF(COUNTIF({cdf_range},"<"&model_accepted_q_confidence)>{K},'
                        f'"{ACCEPTED_Q_TOO_SHORT}",COUNTIF({cdf_range},"<"&model_accepted_q_confidence))',
              ex.result["accepted_q"] if cdf[-1] >= float(inputs["model.accepted_q_confidence"])
              else ACCEPTED_Q_TOO_SHORT)
    ws["C7"] = "parts"
    b.name("model_accepted_q", ws, "B7")
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["F"].width = 20
    return ws


BASE_TABLE_COLUMNS = (
    # header, BaseStockTable field (the sheet-scoped name of the column is table_<field>)
    ("S", "S"),
    ("Erlang B (recursion)", "erlang_b"),
    ("Erlang C Ec(S,u)", "erlang_c"),
    ("Wx erlang_c (years beyond w)", "wait_erlang_c"),
    ("G1 = E[(X_w-S)+]", "loss"),
    ("Wx exact (years beyond w)", "wait_exact"),
    ("Wx used (years)", "wait"),
)

#: Columns of the per-S table after the total: the service measures of docs/model.md
#: section 3.4 under the waiting-time model in use, and the total restricted to the S that
#: meet ``model.service_target`` (the optimum S* is taken over this column).
SERVICE_TABLE_COLUMNS = (
    ("fill rate", "fill_rate"),
    ("on-time rate (within free_days)", "on_time_rate"),
    ("mean wait (days)", "mean_wait_days"),
    ("TC meeting the service target", "total_target"),
)


def table_columns() -> tuple[tuple[str, str, str], ...]:
    """Columns of a stock sheet's per-S table: (column, header, field); one column per cost
    component (:func:`amspares.core.costs.cost_components`) after ``W used``, then the total.

    >>> [c for c, _h, f in table_columns() if f in ("S", "downtime", "total")]
    ['A', 'H', 'O']
    """
    heads = [*BASE_TABLE_COLUMNS, *((f"{c.symbol} {c.label}", c.name) for c in cost_components()),
             ("TC total", "total"), *SERVICE_TABLE_COLUMNS]
    return tuple((get_column_letter(i), h, f) for i, (h, f) in enumerate(heads, start=1))


def signed_sum(components, ref: Callable[[str], str]) -> str:
    """``a+b-c``: the components' cells (``ref(name)``) with their signs, in list order.

    >>> signed_sum(cost_components(), lambda c: c[:2])
    'do+ho+pr+sc+tr+in-be'
    """
    out = ""
    for i, c in enumerate(components):
        sign = "-" if c.sign < 0 else ("+" if i else "")
        out += sign + ref(c.name)
    return out


class _Ctx:
    """What a component formula may refer to on a model sheet: the method's input names
    (``key("price")``), and on a stock sheet the cells of the same row / block (``at``)."""

    def __init__(self, method: str, at: Callable[[str], str] | None = None, S: str = "S"):
        self.method, self.at, self.S = method, at, S

    def key(self, field: str) -> str:
        return fill.name_of(f"methods.{self.method}.{field}")


_CE, _CD, _T, _H = ("downtime_emergency_per_day", "downtime_regular_per_demand", "demand_service_years",
                    "h_item")     # h_item: the stock sheet's own holding cost per part-year

#: Live formula of each cost component in a row of the per-S base-stock table (docs/model.md,
#: base stock): ``x.S`` is the row's S cell, ``x.at(field)`` another column of the row, ``n``
#: and ``u`` are the sheet's names. Adding a cost component means adding its formula here,
#: in :data:`SQ_COST_FORMULAS` and in :data:`ORDER_COST_FORMULAS`.
PER_S_COST_FORMULAS: dict[str, Callable[[_Ctx], str]] = {
    "downtime": lambda x: (f'IF(n*{_CE}=0,n*{_CD},IF(ISNUMBER({x.at("wait")}),'
                           f'365*{x.at("wait")}*n*{_CE}+n*{_CD},"infeasible"))'),
    "holding": lambda x: f"{_H}*{x.S}*{_T}",
    "production": lambda x: f'IF(model_production_rule="demand",n,MAX(n,{x.S}))*{x.key("price")}',
    "scrapping": lambda x: f"{x.key('price')}*{x.S}",
    "transport": lambda x: (f"({x.at('production')}+{x.at('scrapping')})*{x.key('inbound_transport_share')}"
                            f"+n*{x.key('outbound_per_part')}"),
    "investment": lambda x: x.key("investment"),
    "benefit": lambda x: f"{x.key('benefit_per_part_year')}*n*{_T}/2",
}

#: (label, live formula) of each cost component in the (s,Q) block (docs/model.md, (s,Q)
#: policy); ``x.at(key)`` is the sheet-scoped name of a block row (``sq_billed`` ...).
SQ_COST_FORMULAS: dict[str, tuple[str, Callable[[_Ctx], str]]] = {
    "downtime": ("CD = 365 E[BO_w] ce T + n cd (Eq. 15; E[BO] at u_w: backorders older than free_days)",
                 lambda x: (f'IF(ISNUMBER({x.at("backorders")}),IF({_CE}*n=0,0,365*{x.at("backorders")}*{_CE}*{_T})'
                            f'+n*{_CD},{x.at("backorders")})')),
    "holding": ("CH = E[OH] h T (Eq. 16)",
                lambda x: f'IF(ISNUMBER({x.at("on_hand")}),{x.at("on_hand")}*{_H}*{_T},{x.at("on_hand")})'),
    "production": ("CP = billed cp (Eq. 18)",
                   lambda x: f'IF(ISNUMBER({x.at("billed")}),{x.at("billed")}*{x.key("price")},{x.at("billed")})'),
    "scrapping": ("CR = 0 (left-overs are paid in CP)", lambda x: f'IF({x.key("moq")}=1,"{NOT_APPLICABLE}",0)'),
    "transport": ("CTr = shipped cp Tr_in + n Tr_out",
                  lambda x: (f'IF(ISNUMBER({x.at("shipped")}),{x.at("shipped")}*{x.key("price")}*'
                             f'{x.key("inbound_transport_share")}+n*{x.key("outbound_per_part")},{x.at("shipped")})')),
    "investment": ("I investment", lambda x: f'IF({x.key("moq")}=1,"{NOT_APPLICABLE}",{x.key("investment")})'),
    "benefit": ("B benefit (Eq. 13)",
                lambda x: f'IF({x.key("moq")}=1,"{NOT_APPLICABLE}",{x.key("benefit_per_part_year")}*n*{_T}/2)'),
}

#: The cost components that vary with the reorder point s in the (s,Q) table's TC(s) column
#: (``x.at(column)`` is a cell of the row); the others are the block's (constant) values.
SQ_TABLE_COST_FORMULAS: dict[str, Callable[[_Ctx], str]] = {
    "downtime": lambda x: f"IF({_CE}*n=0,0,365*{x.at('backorders')}*{_CE}*{_T})+n*{_CD}",
    "holding": lambda x: f"{x.at('on_hand')}*{_H}*{_T}",
}

#: (label, live formula) of each cost component on a make-to-order sheet (docs/model.md,
#: make to order); ``n`` is the sheet's name for n = lambda T.
ORDER_COST_FORMULAS: dict[str, tuple[str, Callable[[_Ctx], str]]] = {
    "downtime": ("CD = n ce (D_o - free_days)+ + n cd (order wait charged), n cd (free)",
                 lambda x: (f'IF(AND(model_order_wait="charged",n*{_CE}<>0),'
                            f'n*{_CE}*MAX(D_o-downtime_free_days,0),0)+n*{_CD}')),
    "holding": ("CH holding (no stock)", lambda x: "0*n"),
    "production": ("CP production (n cp)", lambda x: f"n*{x.key('price')}"),
    "scrapping": ("CR scrapping (no stock)", lambda x: "0*n"),
    "transport": ("CTr transport (n Tr_out)", lambda x: f"n*{x.key('outbound_per_part')}"),
    "investment": ("I investment", lambda x: x.key("investment")),
    "benefit": ("B benefit (Eq. 13)", lambda x: f"{x.key('benefit_per_part_year')}*n*{_T}/2"),
}

#: (label, live formula) of each impact component (docs/model.md, environmental impact):
#: ``x.at`` gives ``P``, ``W``, ``n`` (units), ``up``, and the factors of the indicator
#: (``m`` material, ``process_factor``, ``leg_factory`` / ``leg_warehouse`` / ``leg_customer``,
#: ``extra``: mPts or kg CO2e, the same equations); ``x.S`` is the method kind ("stock": the
#: warehouse leg applies).
IMPACT_FORMULAS: dict[str, tuple[str, Callable[[_Ctx], str]]] = {
    "material": ("EM material (Eq. 34-35)", lambda x: f"{x.at('m')}*{x.at('up')}*{x.at('P')}"),
    "process": ("EP process (Eq. 37-38)", lambda x: f"{x.at('P')}*part_weight_kg*{x.at('process_factor')}"),
    "transport": ("ET transport (Eq. 40-41)",
                  lambda x: (f"{x.at('P')}*{x.at('up')}*{x.at('leg_factory')}"
                             + (f"+{x.at('W')}*part_weight_kg*{x.at('leg_warehouse')}"
                                if x.S == "stock" else "")
                             + f"+{x.at('n')}*part_weight_kg*{x.at('leg_customer')}")),
    "extra": ("EE extra", lambda x: f"{x.at('extra')}*{x.at('P')}"),
}

#: The factor references of :data:`IMPACT_FORMULAS` (a kg CO2e factor may be a "missing" text).
IMPACT_FACTORS = ("m", "process_factor", "leg_factory", "leg_warehouse", "leg_customer", "extra")


def _formula_for(table: dict, comp, where: str):
    """The formula entry of a component, or a clear error: a component must not silently
    drop out of the workbook."""
    try:
        return table[comp]
    except KeyError:
        raise KeyError(f"the workbook has no formula for the component {comp!r} in {where}; "
                       f"add one to amspares.workbook.template") from None


#: Sheet-scoped names of the chosen policy's rows that other formulas use (the rest are cells).
_CHOSEN_NAMES = {"produced": "units_produced", "shipped": "units_shipped", "delivered": "units_delivered",
                 "total_cost": "total_cost", "fill_rate": "fill_rate", "on_time_rate": "on_time_rate",
                 "mean_wait_days": "mean_wait_days"}


def _local_name(b: _Builder, ws, key: str, ref: str) -> str:
    """The sheet-scoped name of a chosen-policy row (``cost_<component>``, ``units_produced``
    ...), defined for ``ref``; an absolute cell reference for rows without a name."""
    name = "cost_" + key[5:] if key.startswith("cost.") else _CHOSEN_NAMES.get(key)
    if name is None:
        return _abs(ws.title, ref).split("!")[-1]
    b.local(ws, name, ref)
    return name


def _impact_block(b: _Builder, ws, top: int, method: str, kind: str, cells: dict,
                  resolved: bool = False) -> int:
    """Environmental breakdown (docs/model.md) at the chosen policy; rows from ``top``
    (with ``resolved``, the process factor rows of :func:`_resolved_rows` first): the
    Eco-indicator 99 mPts in columns A-C and, beside them, the same equations in kg CO2e
    (:func:`_co2e_factor_rows` in columns G-H, the components and total in columns D-E).

    Returns the row after the block."""
    ex = b.ex
    r = ex.result["methods"][method]
    has = ex.scenario.has_part
    ws[f"A{top}"] = "Environmental impact at the chosen policy (docs/model.md section 4, Eq. 32-41)"
    ws[f"A{top}"].font = BOLD
    header = top
    if resolved:
        top = _resolved_rows(b, ws, top + 1, method, cells) - 1
    P = cells["produced"]

    def part(expr):              # no part: no impact; a text P (a table warning): pass it on
        return f'IF(ISNUMBER(part_weight_kg),IF(ISNUMBER({P}),{expr},{P}),"{NO_PART}")'

    key = lambda f: fill.name_of(f"methods.{method}.{f}")  # noqa: E731
    units = {"P": P, "W": cells["shipped"], "n": cells["delivered"], "up": "impact_up"}
    indicators = {
        "mpts": {**units, "process_factor": cells["process_factor"], "m": "model_material_mpts_per_kg",
                 "leg_factory": key("transport_to_factory"), "leg_warehouse": key("transport_to_warehouse"),
                 "leg_customer": key("transport_to_customer"), "extra": key("extra_mpts_per_part")},
        "kgco2e": {**units, **{f: f"co2_{f}" for f in IMPACT_FACTORS}},
    }
    comps = impact_components()
    ws[f"A{top + 1}"] = "up = weight / ueff (Eq. 33)"
    b.formula(ws, f"B{top + 1}", part(f"part_weight_kg/{key('material_efficiency')}"),
              ex.material_per_part(method) if has else NO_PART)
    ws[f"C{top + 1}"] = "kg"
    b.local(ws, "impact_up", f"B{top + 1}")
    factors_cached = _co2e_factor_rows(b, ws, header, method, kind)
    ev = ex.evaluation.methods[method]
    core_values = {
        "mpts": ({c.name: r["impact"][c] for c in comps} if r["impact"] else {},
                 r["impact_mpts"]),
        "kgco2e": ({c.name: float(np.asarray(getattr(ev.impact_co2e, c))[0]) for c in comps}
                   if ev.impact_co2e is not None else {},
                   float(np.asarray(ev.impact_co2e.total)[0]) if ev.impact_co2e is not None else None),
    }
    for indicator, (col, unit_col, prefix, unit, path) in {
            "mpts": ("B", "C", "impact_", "mPts", "impact."),
            "kgco2e": ("D", "E", "impact_kgco2e_", "kg CO2e", "impact_co2e.")}.items():
        x = _Ctx(method, indicators[indicator].__getitem__, S=kind)
        values, total = core_values[indicator]
        rows = []
        for c in comps:
            label, f = _formula_for(IMPACT_FORMULAS, c, "the impact block")
            expr = f(x)
            value = values.get(c, NO_PART)
            if indicator == "kgco2e":       # a missing factor: its text, never 0
                used = [n for n in IMPACT_FACTORS if re.search(rf"\bco2_{n}\b", expr)]
                for n in reversed(used):
                    expr = f"IF(ISNUMBER(co2_{n}),{expr},co2_{n})"
                texts = [factors_cached[n] for n in used if isinstance(factors_cached[n], str)]
                value = texts[0] if texts else value
            rows.append((label, f"{prefix}{c}", expr, value))
        expr = signed_sum(comps, lambda c: f"{prefix}{c}")
        value = total if total is not None else NO_PART
        if indicator == "kgco2e":
            for c in reversed(comps):
                expr = f"IF(ISNUMBER({prefix}{c}),{expr},{prefix}{c})"
            texts = [v for *_x, v in rows if isinstance(v, str)]
            value = texts[0] if texts else value
        rows.append(("ETC total (Eq. 32)", f"{prefix}total", expr, value))
        if indicator == "kgco2e":
            ws[f"D{top + 1}"] = "kg CO2e (GWP100)"
            ws[f"D{top + 1}"].font = BOLD
        for i, (label, name, expr, value) in enumerate(rows, start=2):
            if indicator == "mpts":
                ws[f"A{top + i}"] = label
            b.formula(ws, f"{col}{top + i}", part(expr), value if has else NO_PART)
            ws[f"{unit_col}{top + i}"] = unit
            b.local(ws, name, f"{col}{top + i}")
            cells[path + name[len(prefix):] if not name.endswith("total") else
                  ("impact.total" if indicator == "mpts" else "impact_kgco2e")] = name
            b.co2e_values.setdefault(method, {})[name] = value if has else NO_PART
    return top + len(comps) + 3


def _missing(key: str) -> str:
    return f"missing: {key}"


def _co2e_factor_rows(b: _Builder, ws, top: int, method: str, kind: str) -> dict:
    """The kg CO2e factors of a method (docs/model.md sections 2.5 and 4), live in columns G-H
    from ``top``: a number given wins, else the table name's twin (material, grid, process;
    a process given as electricity per kg times the grid; a moulding whose material's factor
    includes the forming: 0), else the text ``missing: <key>`` (never 0). The legs come from
    the Transport legs sheet's kg CO2e column. Returns the cached values by factor."""
    ex = b.ex
    inputs = ex.scenario.inputs()
    has = ex.scenario.has_part
    key = lambda f: fill.name_of(f"methods.{method}.{f}")  # noqa: E731
    mkey = lambda f: f"methods.{method}.{f}"  # noqa: E731

    def look(table, name_cell):
        return f"INDEX(factor_{table}_kgco2e,MATCH({name_cell},factor_{table}_names,0))"

    def given_else_table(number, name_cell, table, miss):
        t = look(table, name_cell)
        return (f'IF(ISNUMBER({number}),{number},IF({name_cell}="","{miss}",'
                f'IF(ISNUMBER({t}),{t},"{miss}")))')

    forming = [n for n, f in factors.materials().items() if f.includes_forming and f.kgco2e is not None]
    kwh = {n: f.kwh_per_kg for n, f in factors.processes().items() if f.kwh_per_kg is not None}
    forming_f = ("AND(1-ISNUMBER(part_material_kgco2e_per_kg),OR("
                 + ",".join(f'part_material="{n}"' for n in forming) + "))") if forming else "0"
    moulding = [n for n in factors.processes() if n.startswith("injection_moulding")]
    moulding_f = "OR(" + ",".join(f'{key("process")}="{n}"' for n in moulding) + ")" if moulding else "0"
    pname = key("process")
    kwh_f = '""'
    for n, v in reversed(list(kwh.items())):
        kwh_f = f'IF({pname}="{n}",{v!r},{kwh_f})'
    miss_ue = _missing(mkey("process_kgco2e_per_kg"))
    twin = look("processes", pname)
    legs = {}
    for leg in fill.LEG_NAMES:
        if leg == "warehouse" and kind == "order":
            continue
        rng = lambda c: f"{quote_sheetname(fill.LEGS_SHEET)}!${c}${b.legs[0]}:${c}${b.legs[1]}"  # noqa: E731
        crit = f'({rng("A")}="{method}")*({rng("B")}="{leg}")'
        miss = _missing(f"methods.{method}.transport_to_{leg} kgco2e_per_kg_km")
        legs[leg] = (f'IF(SUMPRODUCT({crit}*({rng("J")}="{LEG_MISSING}"))>0,"{miss}",SUMPRODUCT({crit},{rng("J")}))',
                     inputs.get(mkey(f"transport_to_{leg}_kgco2e"), miss))
    cached_ue = inputs.get(mkey("process_kgco2e_per_kg"), miss_ue)
    cached_ee = inputs.get("impact.electricity_kgco2e_per_kwh", _missing("impact.electricity_kgco2e_per_kwh"))
    energy = float(inputs.get(mkey("energy_kwh_per_kg"), 0.0))
    if isinstance(cached_ue, str) or energy == 0:
        cached_pf = cached_ue
    elif isinstance(cached_ee, str):
        cached_pf = cached_ee
    else:
        cached_pf = float(process_factor(cached_ue, energy, cached_ee))
    rows = [
        ("m", "m_co2: material kg CO2e/kg (the number, else part.material's row)", "kg CO2e/kg",
         given_else_table("part_material_kgco2e_per_kg", "part_material", "materials",
                          _missing("part.material_kgco2e_per_kg")),
         inputs.get("part.material_kgco2e_per_kg", _missing("part.material_kgco2e_per_kg"))),
        ("ee", "ee_co2: electricity kg CO2e/kWh (the number, else impact.grid's row)", "kg CO2e/kWh",
         given_else_table("impact_electricity_kgco2e_per_kwh", "impact_grid", "grids",
                          _missing("impact.electricity_kgco2e_per_kwh")), cached_ee),
        ("ue", "ue_co2: process kg CO2e/kg (the number, else the process's row)", "kg CO2e/kg",
         f'IF(ISNUMBER({key("process_kgco2e_per_kg")}),{key("process_kgco2e_per_kg")},IF({pname}<>"",'
         f'IF(AND({forming_f},{moulding_f},1-ISNUMBER({twin})),0,'
         f'IF(ISNUMBER({twin}),{twin},IF(AND(ISNUMBER({kwh_f}),ISNUMBER(co2_ee)),{kwh_f}*co2_ee,"{miss_ue}"))),'
         f'IF(N({key("process_mpts_per_kg")})>0,"{miss_ue}",0)))', cached_ue),
        ("process_factor", "process factor ue_co2 + e_kWh ee_co2 (Eq. 37-38)", "kg CO2e/kg",
         "IF(ISNUMBER(co2_ue),IF(e_kWh=0,co2_ue,IF(ISNUMBER(co2_ee),co2_ue+e_kWh*co2_ee,co2_ee)),co2_ue)",
         cached_pf),
        *((f"leg_{leg}", f"leg to the {leg}: sum km x kg CO2e/(kg km) (Transport legs)", "kg CO2e/kg", f, v)
          for leg, (f, v) in legs.items()),
        ("extra", "EE_co2: extra kg CO2e per part", "kg CO2e/part",
         f'IF(ISNUMBER({key("extra_kgco2e_per_part")}),{key("extra_kgco2e_per_part")},'
         f'IF(N({key("extra_mpts_per_part")})>0,"{_missing(mkey("extra_kgco2e_per_part"))}",0))',
         inputs.get(mkey("extra_kgco2e_per_part"), _missing(mkey("extra_kgco2e_per_part")))),
    ]
    ws[f"G{top}"] = "kg CO2e factors of this method (docs/model.md section 4)"
    ws[f"G{top}"].font = BOLD
    out = {}
    for i, (name, label, unit, f, value) in enumerate(rows, start=1):
        value = value if has else NO_PART
        b.formula(ws, f"G{top + i}", f'IF(ISNUMBER(part_weight_kg),{f},"{NO_PART}")', value)
        ws[f"H{top + i}"] = f"{unit}  {label}"
        b.local(ws, f"co2_{name}", f"G{top + i}")
        out[name] = value
    out.setdefault("leg_warehouse", 0.0)
    return out


def _resolved_rows(b: _Builder, ws, top: int, method: str, cells: dict) -> int:
    inputs = b.ex.scenario.inputs()
    key = lambda f: fill.name_of(f"methods.{method}.{f}")  # noqa: E731
    rows = (
        ("ue (process mPts/kg; looked up when process is given)", "ue",
         f'IF({key("process")}="",{key("process_mpts_per_kg")},INDEX(factor_processes_values,'
         f'MATCH({key("process")},factor_processes_names,0)))',
         float(inputs[f"methods.{method}.process_mpts_per_kg"]), "mPts/kg"),
        ("e_kWh (electricity; 0.278 x MJ when am_machine is given, Eq. 36)", "e_kWh",
         f'IF({key("am_machine")}="",{key("energy_kwh_per_kg")},{KWH_PER_MJ!r}*INDEX(factor_am_machines_values,'
         f'MATCH({key("am_machine")},factor_am_machines_names,0)))',
         float(inputs[f"methods.{method}.energy_kwh_per_kg"]), "kWh/kg"),
        ("process factor ue + e_kWh ee (Eq. 37-38)", "process_factor",
         "ue+e_kWh*impact_electricity_mpts_per_kwh", b.ex.process_factor(method), "mPts/kg"),
    )
    for i, (label, name, f, value, unit) in enumerate(rows):
        ws[f"A{top + i}"] = label
        b.formula(ws, f"B{top + i}", f, value)
        ws[f"C{top + i}"] = unit
        b.local(ws, name, f"B{top + i}")
    cells["process_factor"] = "process_factor"
    return top + len(rows)


#: The live (s,Q) block of a stock sheet, from row 16: (key, label) of the rows before the
#: cost components; then one row per cost component (:data:`SQ_COST_FORMULAS`) and the
#: total. The rows from ``s`` on are also the rows of :func:`fill.sq_rows`, whose "amspares
#: (Python)" values go in column C. Each row's cell has the sheet-scoped name ``sq_<key>``.
SQ_HEAD_ROWS = (
    ("regime", "regime: several orders (1 < Q <= n, Eq. 21-26) or one order (Q > n, Eq. 27-30)"),
    ("accepted_q", "accepted_q (Eq. 31; Model sheet)"),
    ("s_hi", "s_hi = ceil(u + 12 sqrt(u) + 12), top of the s range"),
    ("last_row", "last table row used, i = Q + s_hi (-1: no table)"),
    ("check", "(s,Q) table check"),
    ("backorders", "E[BO_w](s*): backorders older than free_days, E[BO] at u_w (Eq. 23-24; 0 for one order)"),
    ("on_hand", "E[OH](s*) at u (Eq. 22, 25; shipped - n/2 for one order, Eq. 28)"),
    ("s", "reorder point s* (MIN + MATCH over the table, ties to the smaller s)"),
    ("Q", "order quantity Q = moq"),
    ("billed", "units produced = billed: ceil(n/Q) Q, or moq for one order (Eq. 18, 30; 0 when n = 0)"),
    ("shipped", "units shipped to the warehouse: billed, or max(1, min(moq, accepted_q)) for one order"),
)
SQ_FIRST_ROW = 16


def sq_live_rows() -> tuple[tuple[str, str], ...]:
    """(key, label) of every row of the live (s,Q) block, from row :data:`SQ_FIRST_ROW`."""
    comps = [(c.name, _formula_for(SQ_COST_FORMULAS, c, "the (s,Q) block")[0]) for c in cost_components()]
    return (*SQ_HEAD_ROWS, *comps, ("total", "TC total (Eq. 1)"))


SQ_TABLE_COLUMNS = (
    # column, header, SQTable column (the sheet-scoped name of the column is sq_table_<column>)
    ("Q", "i", "i"),
    ("R", "s", "s"),
    ("S", "P(X > s)", "tail"),
    ("T", "G2(s)", "g2"),
    ("U", "G2(s+Q)", "g2_shift"),
    ("V", "E[BO](s)", "backorders"),
    ("W", "E[OH](s)", "on_hand"),
    ("X", "TC(s) (below target: text)", "total"),
    ("Y", "P(X_w > s)", "tail_w"),
    ("Z", "G2_w(s)", "g2_w"),
    ("AA", "E[BO_w](s)", "backorders_w"),
    ("AB", "on-time rate(s)", "on_time"),
)
SQ_TOO_SHORT = "WARNING: Q + s_hi beyond the (s,Q) table; write the workbook again with amspares scenario"


def _sq_columns(first_col: int):
    """:data:`SQ_TABLE_COLUMNS` moved to start at column number ``first_col``."""
    return tuple((get_column_letter(first_col + i), h, k) for i, (_c, h, k) in enumerate(SQ_TABLE_COLUMNS))


def sq_table_letters() -> dict[str, str]:
    """Column letter of each (s,Q) table column on a stock sheet (one empty column after
    the per-S table).

    >>> sq_table_letters()["s"]
    'V'
    """
    return {k: c for c, _h, k in _sq_columns(len(table_columns()) + 2)}


def _g1_at(y: str, mean: str, tail: str, Q: str, s_hi: str) -> str:
    """``G1(y) = E[(X - y)^+]`` for a whole-number expression ``y >= 0`` (or ``<= 0``) from a
    reorder-point table's tail column ``tail`` (``P(X > z)`` on the row of ``z = i - Q``):
    ``u P(X > y-1) - y P(X > y)``; ``mean - y`` for ``y <= 0``; the tail past ``s_hi`` is 0."""
    def tt(z):
        return f"IF({z}>{s_hi},0,INDEX({tail},{z}+{Q}+1))"
    return f"IF({y}<=0,{mean}-({y}),{mean}*{tt(f'{y}-1')}-({y})*{tt(y)})"


def _sq_block(b: _Builder, ws, method: str, t0: int, first_col: int) -> dict:
    """The live (s,Q) policy (docs/model.md) of a stock sheet: the block from row 16 (names
    ``sq_<key>``), the reorder-point table from row ``t0`` (columns named ``sq_table_<column>``).

    Returns {block key: sheet-scoped name}. Column C of the rows from ``s`` on is
    ``sq_<method>``, the values amspares (Python) wrote for comparison.
    """
    ex = b.ex
    tab = ex.sq[method]
    rows = tab.rows
    x = _Ctx(method)
    moq = x.key("moq")
    first = SQ_FIRST_ROW
    live = sq_live_rows()
    at = {k: f"sq_{k}" for k, _l in live}
    x.at = at.__getitem__
    cols = _sq_columns(first_col)
    letter = {k: c for c, _h, k in cols}
    tl = t0 + rows - 1
    colr = lambda k: f"sq_table_{k}"   # noqa: E731
    ws["A15"] = ("(s,Q) policy (moq > 1, docs/model.md section 3.2): live formulas; column C: amspares (Python), "
                 "written by amspares scenario -o and Run scenario, for comparison")
    ws["A15"].font = BOLD
    ws["B14"], ws["C14"] = "live", "amspares (Python)"
    ws["B14"].font = ws["C14"].font = BOLD
    na = f'"{NOT_APPLICABLE}"'
    several = f"AND({moq}>1,{moq}<=n)"
    comps = cost_components()
    f = {
        "regime": (f'IF({moq}=1,"base stock (moq = 1)",IF({moq}<=n,"several orders","one order"))',
                   {"base_stock": "base stock (moq = 1)", "reorder_point": "several orders",
                    "one_order": "one order"}[ex.result["methods"][method]["policy"]]),
        "accepted_q": ("model_accepted_q", ex.result["accepted_q"]),
        "s_hi": ("ROUNDUP(u+12*u^0.5+12,0)", tab.block["s_hi"]),
        "last_row": (f"IF({several},{moq}+{at['s_hi']},-1)", tab.block["last_row"]),
        "check": (f'IF({at["last_row"]}>{rows - 1},"{SQ_TOO_SHORT}","OK")',
                  SQ_TOO_SHORT if tab.block["last_row"] > rows - 1 else "OK"),
        "backorders": (f'IF({moq}=1,{na},IF({moq}>n,0,IF(ISNUMBER({at["s"]}),'
                       f'INDEX({colr("backorders_w")},{at["s"]}+{at["Q"]}+1),{at["s"]})))', None),
        "on_hand": (f'IF({moq}=1,{na},IF({moq}>n,IF(ISNUMBER({at["shipped"]}),MAX({at["shipped"]}-n/2,0),'
                    f'{at["shipped"]}),IF(ISNUMBER({at["s"]}),INDEX({colr("on_hand")},{at["s"]}+{at["Q"]}+1),'
                    f'{at["s"]})))', None),
        "s": (f'IF({several},IF({at["last_row"]}<={rows - 1},INDEX({colr("s")},MATCH(MIN({colr("total")}),'
              f'{colr("total")},0)),"{SQ_TOO_SHORT}"),{na})', None),
        "Q": (moq, None),
        "billed": (f"IF({moq}=1,{na},IF({moq}>n,IF(n>0,{moq},0),ROUNDUP(n/{moq},0)*{moq}))", None),
        "shipped": (f'IF({moq}=1,{na},IF({moq}>n,IF(ISNUMBER({at["accepted_q"]}),'
                    f'IF(n>0,MAX(1,MIN({moq},{at["accepted_q"]})),0),{at["accepted_q"]}),{at["billed"]}))', None),
        **{c.name: (_formula_for(SQ_COST_FORMULAS, c, "the (s,Q) block")[1](x), None) for c in comps},
        "total": (f'IF(ISNUMBER({at["downtime"]}),IF(ISNUMBER({at["holding"]}),'
                  f'{signed_sum(comps, at.__getitem__)},{at["holding"]}),{at["downtime"]})', None),
    }
    for i, (k, label) in enumerate(live):
        r = first + i
        ws[f"A{r}"] = label
        formula, value = f[k]
        b.formula(ws, f"B{r}", formula, tab.block[k] if value is None and k in tab.block else value)
        b.local(ws, at[k], f"B{r}")
    paths = {"s": "s", "Q": "Q", "units.produced": "billed", "units.shipped_to_warehouse": "shipped",
             "total_cost": "total"}
    keys = [k for k, _l in live]
    rows_of = [first + keys.index(paths.get(p, p.replace("cost.", ""))) for _l, p in fill.sq_rows()]
    assert rows_of == list(range(rows_of[0], rows_of[0] + len(rows_of))), rows_of   # one column range
    for r in rows_of:
        ws[f"C{r}"].fill = PY_FILL
    b.wb.defined_names[f"sq_{method}"] = DefinedName(
        f"sq_{method}", attr_text=_abs(ws.title, f"C{rows_of[0]}") + f":$C${rows_of[-1]}")

    # ---- the reorder-point table, s = -Q .. s_hi (rows i = 0..Q + s_hi)
    c0 = cols[0][0]
    ws[f"{c0}{t0 - 2}"] = (f"(s,Q) reorder-point table (docs/model.md section 3.2), i = 0..{rows - 1}: s = i - Q up to s_hi; "
                           "P(X > s) summed from the far tail upwards (accurate where 1 - POISSON is not); "
                           "G2(y) = (u^2 P(X>=y-1) - 2 y u P(X>=y) + y (y+1) P(X>y)) / 2; "
                           "E[BO] = (G2(s) - G2(s+Q)) / Q; E[OH] = E[BO] + s + (Q+1)/2 - u; "
                           "the _w columns: the same at u_w (free window); TC(s) charges E[BO_w]; "
                           "on-time rate = 1 - (G1_w(s) - G1_w(s+Q)) / Q")
    ws[f"{c0}{t0 - 2}"].font = BOLD
    for c, head, k in cols:
        ws[f"{c}{t0 - 1}"] = head
        ws[f"{c}{t0 - 1}"].font = BOLD
        b.local(ws, colr(k), f"{c}{t0}:{c}{tl}")
    last_used, Qc, s_hi = at["last_row"], at["Q"], at["s_hi"]
    I, R, S, T, U, V, W, X, Yw, Zw, BOw, OT = (letter[k] for k in (
        "i", "s", "tail", "g2", "g2_shift", "backorders", "on_hand", "total", "tail_w", "g2_w", "backorders_w",
        "on_time"))
    for i in range(rows):
        rr = t0 + i
        ws[f"{I}{rr}"] = i
        sR = f"{R}{rr}"
        blank = f'IF({sR}="","",'
        v = {k: tab.columns[k][i] for _c, _h, k in cols if k != "i"}
        b.formula(ws, sR, f'IF({I}{rr}<={last_used},{I}{rr}-{Qc},"")', v["s"])
        b.formula(ws, f"{S}{rr}", blank + f"IF({sR}<0,1,IF({sR}>={s_hi},0,{S}{rr + 1})+POISSON({sR}+1,u,FALSE)))",
                  v["tail"])
        tm1 = "1" if i < 1 else f"IF({sR}<1,1,{S}{rr - 1})"
        tm2 = "1" if i < 2 else f"IF({sR}<2,1,{S}{rr - 2})"
        b.formula(ws, f"{T}{rr}", blank + f"MAX(0,0.5*(u^2*{tm2}-2*{sR}*u*{tm1}+{sR}*({sR}+1)*{S}{rr})))",
                  v["g2"])
        b.formula(ws, f"{U}{rr}", blank + f"IF({sR}+{Qc}>{s_hi},0,INDEX({colr('g2')},{I}{rr}+{Qc}+1)))",
                  v["g2_shift"])
        b.formula(ws, f"{V}{rr}", blank + f"MAX(0,({T}{rr}-{U}{rr})/{Qc}))", v["backorders"])
        b.formula(ws, f"{W}{rr}", blank + f"MAX(0,{V}{rr}+{sR}+({Qc}+1)/2-u))", v["on_hand"])
        # the same at u_w (backorders older than free_days), and the on-time rate
        b.formula(ws, f"{Yw}{rr}", blank + f"IF({sR}<0,1,IF({sR}>={s_hi},0,{Yw}{rr + 1})"
                                           f"+IF(u_w=0,0,POISSON({sR}+1,u_w,FALSE))))", v["tail_w"])
        tm1 = "1" if i < 1 else f"IF({sR}<1,1,{Yw}{rr - 1})"
        tm2 = "1" if i < 2 else f"IF({sR}<2,1,{Yw}{rr - 2})"
        b.formula(ws, f"{Zw}{rr}", blank + f"MAX(0,0.5*(u_w^2*{tm2}-2*{sR}*u_w*{tm1}+{sR}*({sR}+1)*{Yw}{rr})))",
                  v["g2_w"])
        b.formula(ws, f"{BOw}{rr}", blank + f"MAX(0,({Zw}{rr}-IF({sR}+{Qc}>{s_hi},0,"
                                            f"INDEX({colr('g2_w')},{I}{rr}+{Qc}+1)))/{Qc}))", v["backorders_w"])
        own = f"IF({sR}<=0,u_w-{sR},u_w*{Yw}{rr - 1 if i else rr}-{sR}*{Yw}{rr})"
        b.formula(ws, f"{OT}{rr}", blank + f"IF(OR(demand_rate_per_year=0,w>=L),1,MAX(0,MIN(1,1-({own}-"
                                           f"{_g1_at(f'{sR}+{Qc}', 'u_w', colr('tail_w'), Qc, s_hi)})/{Qc}))))",
                  v["on_time"])
        row = _Ctx(method, {"backorders": f"{BOw}{rr}", "on_hand": f"{W}{rr}"}.__getitem__)
        tc = signed_sum(comps, lambda c: (SQ_TABLE_COST_FORMULAS[c](row) if c in SQ_TABLE_COST_FORMULAS
                                          else at[c]))
        b.formula(ws, f"{X}{rr}", blank + f"IF(ISNUMBER(model_service_target),IF({OT}{rr}>=model_service_target,"
                                          f'{tc},"{BELOW_TARGET}"),{tc}))', v["total"])
    for c, _h, _k in cols[1:]:
        ws.column_dimensions[c].width = 13
    return at


#: The service measures of every method (docs/model.md section 3.4): (key of the method
#: object and of the chosen-policy cell, label).
SERVICE_ROWS = (
    ("fill_rate", "fill rate: share of demands served from stock at once (section 3.4)"),
    ("on_time_rate", "on-time rate: share delivered within free_days (section 3.4)"),
    ("mean_wait_days", "mean wait per demand (days)"),
)


def _sq_service_formulas(method: str, sq: dict) -> dict:
    """The (s,Q) policy's service measures (docs/model.md section 3.4) as live formulas:
    several orders from the reorder-point table at s*, one order ``1 - G1(shipped; n) / n``."""
    moq = fill.name_of(f"methods.{method}.moq")
    s, Q, s_hi, shipped = sq["s"], sq["Q"], sq["s_hi"], sq["shipped"]
    g1 = lambda y: _g1_at(y, "u", "sq_table_tail", Q, s_hi)  # noqa: E731
    several_fill = f"MAX(0,MIN(1,1-({g1(s)}-{g1(f'{s}+{Q}')})/{Q}))"
    one = (f"IF(n>0,MAX(0,MIN(1,1-IF({shipped}<=0,n-{shipped},MAX(0,n*(1-POISSON({shipped}-1,n,TRUE))"
           f"-{shipped}*(1-POISSON({shipped},n,TRUE))))/n)),1)")

    def pick(several, single):
        return (f"IF({moq}<=n,IF(ISNUMBER({s}),{several},{s}),"
                f"IF(ISNUMBER({shipped}),{single},{shipped}))")
    return {
        "fill_rate": pick(several_fill, one),
        "on_time_rate": pick(f"INDEX(sq_table_on_time,{s}+{Q}+1)", one),
        "mean_wait_days": pick(f"IF(demand_rate_per_year>0,365*INDEX(sq_table_backorders,{s}+{Q}+1)"
                               f"/demand_rate_per_year,0)", "0"),
    }


def table_end(smax: int) -> str:
    """The check of a per-S table whose optimum may lie beyond its last row."""
    return (f"the base-stock table ends at S = {smax} and the optimum may lie beyond it: write the "
            f"workbook again with amspares scenario")


def table_none(smax: int) -> str:
    """TC(S*) when no S of the table is feasible (or meets the service target)."""
    return f"no S = 0..{smax} is feasible"


def _stock_sheet(b: _Builder, method: str) -> dict:
    ex = b.ex
    table = ex.tables[method]
    r = ex.result["methods"][method]
    ws = b.wb.create_sheet(model_sheet_title(method))
    x = _Ctx(method)
    moq = x.key("moq")
    cells: dict[str, str] = {}
    ws["A1"] = f"{method}: make to stock (docs/model.md section 3.1 base stock; 3.2 (s,Q) when moq > 1)"
    ws["A1"].font = TITLE
    smax = ex.smax
    comps = cost_components()
    columns = table_columns()
    letter = {f: c for c, _h, f in columns}
    sq_rows_used = SQ_FIRST_ROW + len(sq_live_rows())
    chosen_rows = 8 + len(comps) + 1 + len(SERVICE_ROWS)
    impact_rows = len(impact_components()) + 3 + 3     # header, up, components, total; 3 process rows
    top = sq_rows_used + 2                     # the chosen policy: row 37 with the shipped components
    # first table row (S = 0): row 70 with the shipped components, lower when more rows are needed
    t0 = max(70, top + chosen_rows + 2 + impact_rows + 2)
    tl = t0 + smax                            # last table row
    col = lambda f: f"table_{f}"   # noqa: E731

    ws["A3"] = "L lead time (production + shipping days) / 365"
    b.formula(ws, "B3", f"({x.key('production_days')}+{x.key('shipping_days')})/365", table.lead_time_years)
    ws["C3"] = "years"
    b.local(ws, "L", "B3")
    ws["A4"] = "u = lambda L (expected lead-time demand)"
    b.formula(ws, "B4", "demand_rate_per_year*L", table.offered_load)
    b.local(ws, "u", "B4")
    ws["A5"] = "n = lambda T"
    b.formula(ws, "B5", "model_n", float(ex.result["n"]))
    b.local(ws, "n", "B5")
    ws["A6"] = "w = free_days / 365 (free downtime window)"
    b.formula(ws, "B6", "downtime_free_days/365", float(ex.params.free_days) / 365)
    ws["C6"] = "years"
    b.local(ws, "w", "B6")
    ws["A7"] = "u_w = lambda max(L - w, 0) (lead-time demand beyond the window)"
    b.formula(ws, "B7", "demand_rate_per_year*MAX(L-w,0)", table.offered_load_w)
    b.local(ws, "u_w", "B7")
    ws["A8"] = "h_item: this method's holding per part-year (own, own rate x price, else [storage])"
    h = (f'IF(ISNUMBER({x.key("holding_per_part_year")}),{x.key("holding_per_part_year")},'
         f'IF(ISNUMBER({x.key("holding_rate_per_year")}),{x.key("holding_rate_per_year")}*{x.key("price")},'
         f'IF(ISNUMBER(model_h_item),model_h_item,storage_holding_rate_per_year*{x.key("price")})))')
    b.formula(ws, "B8", h, float(ex.params.methods[method].holding_per_part_year))
    ws["C8"] = "EUR/part/year"
    b.local(ws, "h_item", "B8")

    ws["A10"] = ("Base stock policy (moq = 1): optimum of the table below (Eq. 14, ties to the smaller S; "
                 "with a service target, over the S meeting it)")
    ws["A10"].font = BOLD
    best = int(ex.evaluation.methods[method].S[0]) if r["policy"] == "base_stock" else None
    if best is None:              # (s,Q) applies: the base-stock optimum is still shown
        totals = table.column("total_target")
        feasible = [v for v in totals if isinstance(v, float)]
        best = totals.index(min(feasible))
    ws["A11"] = "S* (optimal base stock)"
    b.formula(ws, "B11", f"IF(ISNUMBER(TC_opt),MATCH(TC_opt,{col('total_target')},0)-1,TC_opt)", best)
    b.local(ws, "S_opt", "B11")
    ws["A12"] = "TC(S*)"
    b.formula(ws, "B12", f'IF(SUMPRODUCT(ISNUMBER({col("total_target")})*1)=0,"{table_none(smax)}",MIN({col("total_target")}))',
              table.column("total")[best])
    b.local(ws, "TC_opt", "B12")
    ws["A13"] = "check (the optimum must lie inside the table, below its last row)"
    last_total = table.column("total_target")[-1]
    b.formula(ws, "B13", f'IF(OR(NOT(ISNUMBER(S_opt)),S_opt={smax},NOT(ISNUMBER(INDEX({col("total_target")},'
                         f'{smax + 1})))),"{table_end(smax)}","OK")',
              "OK" if best < smax and isinstance(last_total, float) else table_end(smax))
    b.local(ws, "table_check", "B13")

    sq_first_col = len(columns) + 2            # one empty column after the per-S table
    sq = _sq_block(b, ws, method, t0, sq_first_col)   # rows 16-34 and the (s,Q) table
    ws[f"A{top}"] = "Chosen policy (used in Results): base stock when moq = 1, else (s,Q)"
    ws[f"A{top}"].font = BOLD
    base = f"{moq}=1"
    chosen = [
        ("policy", "policy", f'IF({base},"base_stock",IF({moq}<=n,"reorder_point","one_order"))', r["policy"]),
        ("S", "S", f'IF({base},S_opt,"{NOT_APPLICABLE}")', r["S"] if r["S"] is not None else NOT_APPLICABLE),
        ("s", "s", f'IF({base},"{NOT_APPLICABLE}",{sq["s"]})', r["s"] if r["s"] is not None else NOT_APPLICABLE),
        ("Q", "Q", f"{moq}", r["Q"]),
        ("units produced P", "produced", f"IF({base},n+S_opt,{sq['billed']})", r["units"]["produced"]),
        ("units shipped to warehouse W", "shipped", f"IF({base},n+S_opt,{sq['shipped']})",
         r["units"]["shipped_to_warehouse"]),
        ("units delivered n", "delivered", "n", r["units"]["delivered"]),
    ]
    for c in comps:
        chosen.append((c.title, f"cost.{c}", f"IF({base},INDEX({col(c)},S_opt+1),{sq[c]})", r["cost"][c]))
    chosen.append(("TC total (Eq. 1)", "total_cost", f"IF({base},TC_opt,{sq['total']})", r["total_cost"]))
    sq_service = _sq_service_formulas(method, sq)
    for key, label in SERVICE_ROWS:
        chosen.append((label, key, f"IF({base},INDEX({col(key)},S_opt+1),{sq_service[key]})", r[key]))
    for i, (label, name, f, value) in enumerate(chosen, start=1):
        ws[f"A{top + i}"] = label
        b.formula(ws, f"B{top + i}", f, value)
        cells[name] = _local_name(b, ws, name, f"B{top + i}")
    _impact_block(b, ws, top + len(chosen) + 2, method, "stock", cells, resolved=True)   # rows 57-66

    # ---- the per-S table
    for c, head, f in columns:
        ws[f"{c}{t0 - 1}"] = head
        ws[f"{c}{t0 - 1}"].font = BOLD
        b.local(ws, col(f), f"{c}{t0}:{c}{tl}")
    ws[f"A{t0 - 2}"] = (f"Base-stock table S = 0..{smax} (docs/model.md section 3.1). Erlang B row by row: "
                        "B_k = u B_(k-1) / (k + u B_(k-1)); Wx = the wait beyond the free window w: "
                        "exact E[(X_w-S)+]/lambda, X_w ~ Poisson(u_w); erlang_c Ec L/(S-u) exp(-(S-u) w/L).")
    ws[f"A{t0 - 2}"].font = BOLD
    values = {f: table.column(f) for _c, _h, f in columns if f != "S"}
    for S in range(smax + 1):
        rr = t0 + S
        ws[f"A{rr}"] = S
        A = f"A{rr}"
        at = lambda f: f"{letter[f]}{rr}"  # noqa: E731
        if S == 0:
            ws[f"B{rr}"] = 1.0                # B_0 = 1
        else:
            b.formula(ws, f"B{rr}", f"u*B{rr - 1}/({A}+u*B{rr - 1})", values["erlang_b"][S])
        b.formula(ws, f"C{rr}", f"IF({A}>u,{A}*B{rr}/({A}-u*(1-B{rr})),1)", values["erlang_c"][S])
        b.formula(ws, f"D{rr}", f'IF({A}=0,MAX(L-w,0),IF(u<{A},C{rr}*L/({A}-u)*IF(w>0,EXP(-({A}-u)*w/'
                                f'IF(L>0,L,1)),1),"infeasible"))', values["wait_erlang_c"][S])
        b.formula(ws, f"E{rr}", f"IF({A}=0,u_w,IF(u_w=0,0,MAX(0,u_w*(1-POISSON({A}-1,u_w,TRUE))"
                                f"-{A}*(1-POISSON({A},u_w,TRUE)))))", values["loss"][S])
        b.formula(ws, f"F{rr}", f"IF(demand_rate_per_year>0,E{rr}/demand_rate_per_year,0)",
                  values["wait_exact"][S])
        b.formula(ws, f"G{rr}", f'IF(model_waiting_time="exact",F{rr},D{rr})', values["wait"][S])
        row = _Ctx(method, at, S=A)
        for c in comps:
            b.formula(ws, at(c), _formula_for(PER_S_COST_FORMULAS, c, "the per-S table")(row), values[c][S])
        b.formula(ws, at("total"), f'IF(ISNUMBER({at("downtime")}),{signed_sum(comps, at)},"infeasible")',
                  values["total"][S])
        C = f"C{rr}"
        b.formula(ws, at("fill_rate"),
                  f'IF(demand_rate_per_year=0,1,IF(model_waiting_time="exact",IF({A}=0,0,IF(u=0,1,'
                  f'POISSON({A}-1,u,TRUE))),IF(AND({A}>=1,u<{A}),1-{C},0)))', values["fill_rate"][S])
        b.formula(ws, at("on_time_rate"),
                  f'IF(demand_rate_per_year=0,1,IF(model_waiting_time="exact",IF(w>=L,1,IF({A}=0,0,'
                  f'POISSON({A}-1,u_w,TRUE))),IF({A}=0,IF(L<=w,1,0),IF(u<{A},MAX(0,MIN(1,1-IF(L>0,{C}*'
                  f'IF(w>0,EXP(-({A}-u)*w/L),1),0))),0))))', values["on_time_rate"][S])
        b.formula(ws, at("mean_wait_days"),
                  f'IF(demand_rate_per_year=0,0,IF(model_waiting_time="exact",IF(u=0,0,365*IF({A}=0,u,'
                  f'MAX(0,u*(1-POISSON({A}-1,u,TRUE))-{A}*(1-POISSON({A},u,TRUE))))/demand_rate_per_year),'
                  f'IF({A}=0,365*L,IF(u<{A},365*{C}*L/({A}-u),"infeasible"))))', values["mean_wait_days"][S])
        b.formula(ws, at("total_target"),
                  f'IF(ISNUMBER(model_service_target),IF(AND(ISNUMBER({at("total")}),'
                  f'{at("on_time_rate")}>=model_service_target),{at("total")},"{BELOW_TARGET}"),{at("total")})',
                  values["total_target"][S])
    ws.column_dimensions["A"].width = 62
    for c, _h, _f in columns[1:]:
        ws.column_dimensions[c].width = 15
    return cells


def _order_sheet(b: _Builder, method: str) -> dict:
    ex = b.ex
    r = ex.result["methods"][method]
    ws = b.wb.create_sheet(model_sheet_title(method))
    x = _Ctx(method)
    cells: dict[str, str] = {}
    comps = cost_components()
    ws["A1"] = f"{method}: make to order (docs/model.md section 3.3): TC = CD + n cp + n Tr_out + I - B"
    ws["A1"].font = TITLE
    ws["A3"] = "n = lambda T"
    b.formula(ws, "B3", "model_n", float(ex.result["n"]))
    b.local(ws, "n", "B3")
    ws["A4"] = "D_o delivery time = production + shipping days"
    mp = ex.params.methods[method]
    b.formula(ws, "B4", f"{x.key('production_days')}+{x.key('shipping_days')}",
              float(mp.production_days) + float(mp.shipping_days or 0.0))
    ws["C4"] = "days"
    b.local(ws, "D_o", "B4")
    ws["A5"] = "order wait (model.order_wait): charged = waits beyond free_days cost ce per day"
    b.formula(ws, "B5", "model_order_wait", ex.params.order_wait)
    _resolved_rows(b, ws, 6, method, cells)              # rows 6-8
    rows = [
        ("units produced P", "produced", "n", r["units"]["produced"]),
        ("units shipped to warehouse W", "shipped", "0*n", r["units"]["shipped_to_warehouse"]),
        ("units delivered n", "delivered", "n", r["units"]["delivered"]),
    ]
    for c in comps:
        label, f = _formula_for(ORDER_COST_FORMULAS, c, "a make-to-order sheet")
        rows.append((label, f"cost.{c}", f(x), r["cost"][c]))
    top = 10
    for i, (label, name, f, value) in enumerate(rows):
        ws[f"A{top + i}"] = label
        b.formula(ws, f"B{top + i}", f, value)
        cells[name] = _local_name(b, ws, name, f"B{top + i}")
    t = top + len(rows)
    ws[f"A{t}"] = "TC total (Eq. 1)"
    b.formula(ws, f"B{t}", signed_sum(comps, lambda c: f"cost_{c}"), r["total_cost"])
    cells["total_cost"] = _local_name(b, ws, "total_cost", f"B{t}")
    service = {"fill_rate": "0*n", "on_time_rate": "IF(D_o<=downtime_free_days,1,0)", "mean_wait_days": "D_o"}
    for i, (key, label) in enumerate(SERVICE_ROWS, start=1):
        ws[f"A{t + i}"] = label
        b.formula(ws, f"B{t + i}", service[key], r[key])
        cells[key] = _local_name(b, ws, key, f"B{t + i}")
    _impact_block(b, ws, t + len(SERVICE_ROWS) + 2, method, "order", cells)
    ws.column_dimensions["A"].width = 62
    ws.column_dimensions["B"].width = 16
    return cells



TIE_REL_TEXT = f"{TIE_REL:.12f}".rstrip("0")   # written out in formulas (no exponent notation)


def _tie_rows(b: _Builder, ws, top: int, methods, kinds, result) -> None:
    """Four helper rows that apply the tie rule of docs/model.md section 3.5 live: costs within
    1e-9 relative are equal, then the lower impact wins, then an order method, then the first
    declared (and the same for the greenest, with cost as the first tie-break). Each rank row
    holds a number for the methods still in the race and text for the others, so MIN + MATCH
    picks the winner in Excel and LibreOffice alike (no array formulas).

    Cached values: the same rule applied to amspares' own totals and impacts (``result``)."""
    lastc = get_column_letter(2 + len(methods))
    labels = ("impact among the cheapest (tie-break)", "rank for cheapest (tie rule)",
              "cost among the greenest (tie-break)", "rank for lowest impact (tie rule)")
    for i, label in enumerate(labels):
        ws[f"A{top + i}"] = label
    rng = {k: f"C{top + i}:{lastc}{top + i}" for i, k in
           enumerate(("tie_cost_second", "tie_cost_rank", "tie_impact_second", "tie_impact_rank"))}
    for name, ref in rng.items():
        b.local(ws, name, ref)

    def num(v):
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    eligible = {m: result["methods"][m]["meets_service_target"] is not False
                or not any(result["methods"][k]["meets_service_target"] for k in methods) for m in methods}
    totals = {m: num(result["methods"][m]["total_cost"]) if eligible[m] else None for m in methods}
    impacts = {m: (num(result["methods"][m]["impact_mpts"]) or 0.0) if eligible[m] else None for m in methods}

    def near_min(values):
        ms = list(values)
        among = np.array([values[m] is not None for m in ms])
        vals = np.array([values[m] if values[m] is not None else np.inf for m in ms])
        _, tied = tied_with_minimum(vals, among)
        return dict(zip(ms, tied.tolist()))

    for first, second, row, first_name, second_name in (
            (totals, impacts, top, "winner_totals", "winner_impacts"),
            (impacts, totals, top + 2, "winner_impacts", "winner_totals")):
        tied = near_min(first)
        seconds = {m: (second[m] if second[m] is not None else 0.0) if tied[m] else None for m in methods}
        tied2 = near_min(seconds)
        for j, m in enumerate(methods):
            c = get_column_letter(3 + j)
            me = f"INDEX({first_name},{j + 1})"
            other = f"INDEX({second_name},{j + 1})"
            is_tied = (f"AND(ISNUMBER({me}),{me}<=MIN({first_name})+{TIE_REL_TEXT}*ABS(MIN({first_name})))")
            b.formula(ws, f"{c}{row}", f'IF({is_tied},IF(ISNUMBER({other}),{other},0),"-")',
                      seconds[m] if seconds[m] is not None else "-")
            ws[f"{c}{row}"].number_format = "#,##0.00"
            ws[f"{c}{row + 1}"].number_format = "0"
            second_row = "tie_cost_second" if row == top else "tie_impact_second"
            mine = f"INDEX({second_row},{j + 1})"
            rank = 1000 * (0 if kinds[m] == "order" else 1) + j
            b.formula(ws, f"{c}{row + 1}",
                      f'IF(AND(ISNUMBER({mine}),{mine}<=MIN({second_row})+{TIE_REL_TEXT}*ABS(MIN({second_row}))),'
                      f'{rank},"-")', rank if tied2[m] else "-")

def _results_sheet(b: _Builder, method_cells: dict) -> None:
    ex = b.ex
    sc = ex.scenario
    ws = b.wb.create_sheet("Results")
    ws["A1"] = "Results"
    ws["A1"].font = TITLE
    b.formula(ws, "A2", "scenario_name", sc.name)
    ws["A3"] = ("'live' columns are formulas over the Inputs sheet (they recalculate in Excel and "
                "LibreOffice); 'amspares (Python)' columns hold amspares' own results for the inputs "
                "at the time they were written (amspares scenario -o, or Run scenario).")
    ws["A3"].alignment = WRAP
    ws.merge_cells("A3:H3")
    ws.row_dimensions[3].height = 45
    top_rows = (("check", "decision_check"), ("cheapest", "summary_cost"), ("greenest (mPts)", "summary_impact"),
                ("greenest (kg CO2e)", "summary_co2e"), ("service", "summary_service"),
                ("would flip at", "summary_breakeven"), ("limits", "summary_limits"))
    for i, (label, name) in enumerate(top_rows):
        ws[f"A{5 + i}"] = label
        ws[f"A{5 + i}"].font = BOLD
        ws[f"A{5 + i}"].alignment = WRAP
        b.formula(ws, f"B{5 + i}", name, b.summary_cache[name])
    hdr = 5 + len(top_rows) + 1                 # after a blank row
    ws[f"A{hdr}"] = "quantity"
    ws[f"B{hdr}"] = "unit"
    ws[f"A{hdr}"].font = ws[f"B{hdr}"].font = BOLD
    first = hdr + 1
    result_rows = fill.result_rows()
    methods = list(sc.methods)

    def live(f):            # no numbers computed from an input that breaks its rule
        return f'IF(input_check="{INPUTS_OK}",{f},"")'
    for j, method in enumerate(methods):
        kind = sc.methods[method]
        r = ex.result["methods"][method]
        live_c = get_column_letter(3 + 2 * j)
        py_c = get_column_letter(4 + 2 * j)
        text_cell(ws[f"{live_c}{hdr}"], f"{method} (live)")
        text_cell(ws[f"{py_c}{hdr}"], f"{method} (amspares)")
        ws[f"{live_c}{hdr}"].font = ws[f"{py_c}{hdr}"].font = BOLD
        mc = method_cells[method]
        sheet = quote_sheetname(model_sheet_title(method))
        for i, (label, path, unit) in enumerate(result_rows):
            row = first + i
            ws[f"A{row}"] = label
            ws[f"B{row}"] = unit
            ws[f"{py_c}{row}"].fill = PY_FILL
            ref = f"{live_c}{row}"
            value = fill._show(fill._get(r, path))
            if path == "kind":
                b.formula(ws, ref, fill.name_of(f"methods.{method}.kind"), kind)
            elif path == "meets_service_target":
                on_time = f"{sheet}!{mc['on_time_rate']}"
                b.formula(ws, ref, live(f'IF(ISNUMBER(model_service_target),IF(ISNUMBER({on_time}),'
                                        f'IF({on_time}>=model_service_target,"yes","no"),{on_time}),"{NOT_APPLICABLE}")'),
                          value)
                b.name(f"result_{method}_meets_service_target", ws, ref)
            elif kind == "order" and path in ("policy", "S", "s", "Q"):
                ws[ref] = {"policy": "make_to_order", "S": 0, "s": NOT_APPLICABLE, "Q": NOT_APPLICABLE}[path]
            else:
                target = {"impact_mpts": "impact.total", "units.produced": "produced",
                          "units.shipped_to_warehouse": "shipped", "units.delivered": "delivered"}.get(path, path)
                if path.startswith("impact") and not sc.has_part:
                    value = NO_PART
                b.formula(ws, ref, live(f"{sheet}!{mc[target]}"), value)
            if path in ("S", "total_cost", "impact_mpts", "fill_rate", "on_time_rate", "mean_wait_days"):
                b.name(f"result_{method}_{path}", ws, ref)
            elif path == "s":         # not result_<m>_s: Excel names ignore case (result_<m>_S)
                b.name(f"result_{method}_reorder_point", ws, ref)
        last = first + len(result_rows) - 1
        b.wb.defined_names[f"py_{method}"] = DefinedName(
            f"py_{method}", attr_text=f"{quote_sheetname(ws.title)}!${py_c}${first}:${py_c}${last}")
    # winners: contiguous helper rows (names, totals, impacts) for MIN + MATCH
    w0 = first + len(result_rows) + 2
    # (with a service target, only the methods meeting it compete; when none does, all do)
    lastc = get_column_letter(2 + len(methods))
    names, tot, imp, meets = "winner_methods", "winner_totals", "winner_impacts", "winner_meets"
    ws[f"A{w0}"] = "method"
    ws[f"A{w0 + 1}"] = "total cost TC (eligible)"
    ws[f"A{w0 + 2}"] = "impact ETC (eligible)"
    ws[f"A{w0 + 3}"] = "meets the service target"
    none_meets = f'COUNTIF({meets},"yes")=0'
    for j, method in enumerate(methods):
        c = get_column_letter(3 + j)
        r = ex.result["methods"][method]
        ok = r["meets_service_target"] is not False or not any(
            ex.result["methods"][m]["meets_service_target"] for m in methods)
        text_cell(ws[f"{c}{w0}"], method)
        eligible = f'OR({c}{w0 + 3}<>"no",{none_meets})'
        b.formula(ws, f"{c}{w0 + 1}", f'IF({eligible},result_{method}_total_cost,"not eligible")',
                  r["total_cost"] if ok else "not eligible")
        b.formula(ws, f"{c}{w0 + 2}", f'IF({eligible},result_{method}_impact_mpts,"not eligible")',
                  (r["impact_mpts"] if r["impact_mpts"] is not None else NO_PART) if ok else "not eligible")
        b.formula(ws, f"{c}{w0 + 3}", f"result_{method}_meets_service_target",
                  fill._show(r["meets_service_target"]))
    for i, nm in enumerate((names, tot, imp, meets)):
        b.local(ws, nm, f"C{w0 + i}:{lastc}{w0 + i}")
    kinds = {m: sc.methods[m] for m in methods}
    _tie_rows(b, ws, w0 + 4, methods, kinds, ex.result)
    ck = w0 + 8
    ws[f"A{ck}"] = "check of the method (table limits, a total that is not a number)"
    ws[f"A{ck + 1}"] = "column of the first method with a problem"
    ws[f"A{ck + 2}"] = "decision check"
    ws[f"A{ck + 2}"].font = BOLD
    for j, method in enumerate(methods):
        c = get_column_letter(3 + j)
        tot = f"{c}{w0 + 1}"
        sheet = quote_sheetname(model_sheet_title(method))
        text_total = (f'IF(OR(ISNUMBER({tot}),{tot}="not eligible",{tot}=""),"","{method} has no total cost: "'
                      f'&{tot})')
        if kinds[method] == "stock":
            moq = fill.name_of(f"methods.{method}.moq")
            table = f"IF({moq}=1,{sheet}!table_check,{sheet}!sq_check)"
            f = f'IF({table}<>"OK","{method}: "&{table},{text_total})'
        else:
            f = text_total
        b.formula(ws, f"{c}{ck}", f, b.method_check_cache[method])
        b.formula(ws, f"{c}{ck + 1}", f'IF({c}{ck}="","",{j + 1})', "" if not b.method_check_cache[method] else j + 1)
    b.local(ws, "method_checks", f"C{ck}:{lastc}{ck}")
    b.local(ws, "method_check_columns", f"C{ck + 1}:{lastc}{ck + 1}")
    b.formula(ws, f"C{ck + 2}", f'IF(input_check<>"{INPUTS_OK}",input_check,IF(MIN(method_check_columns)=0,'
                                f'"{INPUTS_OK}",INDEX(method_checks,MIN(method_check_columns))))',
              b.summary_cache["decision_check"])
    b.name("decision_check", ws, f"C{ck + 2}")
    s = ck + 4
    rows = (
        ("cheapest (live)", "result_cheapest", f'IF(decision_check<>"{INPUTS_OK}","",'
         f"INDEX({names},MATCH(MIN(tie_cost_rank),tie_cost_rank,0)))", ex.result["cheapest"]),
        ("lowest impact (live)", "result_lowest_impact",
         f'IF(decision_check<>"{INPUTS_OK}","",IF(ISNUMBER(part_weight_kg),'
         f'INDEX({names},MATCH(MIN(tie_impact_rank),tie_impact_rank,0)),"{NO_PART}"))',
         ex.result["lowest_impact"] or NO_PART),
        ("n (live)", "result_n", "model_n", float(ex.result["n"])),
        ("waiting-time model (live)", "result_waiting_time", "model_waiting_time", ex.result["waiting_time"]),
        ("order-wait rule (live)", "result_order_wait", "model_order_wait", ex.result["order_wait"]),
    )
    for i, (label, name, f, value) in enumerate(rows):
        ws[f"A{s + i}"] = label
        ws[f"A{s + i}"].font = BOLD
        b.formula(ws, f"C{s + i}", f, value)
        b.name(name, ws, f"C{s + i}")
    p = s + len(rows) + 1
    for i, (label, name) in enumerate((("cheapest (amspares)", "py_cheapest"),
                                        ("lowest impact (amspares)", "py_lowest_impact"),
                                        ("n (amspares)", "py_n"),
                                        ("accepted_q (Eq. 31, amspares)", "py_accepted_q"),
                                        ("waiting-time model (amspares)", "py_waiting_time"),
                                        ("order-wait rule (amspares)", "py_order_wait"))):
        ws[f"A{p + i}"] = label
        ws[f"C{p + i}"].fill = PY_FILL
        b.name(name, ws, f"C{p + i}")
    ws[f"A{p + 7}"] = "workbook layout (methods the model sheets were built for)"
    ws[f"C{p + 7}"] = fill.layout_text(sc.methods)
    b.name(fill.LAYOUT, ws, f"C{p + 7}")
    _co2e_results(b, ws, p + 9, method_cells)
    ws.column_dimensions["A"].width = 34
    for j in range(2 * len(methods)):
        ws.column_dimensions[get_column_letter(3 + j)].width = 18
    # number formats by unit (display only; values stay at full precision)
    for i, (_label, path, unit) in enumerate(result_rows):
        fmt = UNIT_FORMATS.get(unit if path not in ("S", "s", "Q") else "count")
        if fmt:
            for j in range(2 * len(methods)):
                ws.cell(row=first + i, column=3 + j).number_format = fmt
    for j in range(len(methods)):
        ws.cell(row=w0 + 1, column=3 + j).number_format = UNIT_FORMATS["EUR"]
        ws.cell(row=w0 + 2, column=3 + j).number_format = UNIT_FORMATS["mPts"]
    ws.freeze_panes = f"C{first}"
    ws.column_dimensions["B"].width = 12
    for r in range(5, 5 + len(top_rows)):
        ws.merge_cells(f"B{r}:{get_column_letter(2 + 2 * len(methods))}{r}")
        ws[f"B{r}"].alignment = WRAP
        ws.row_dimensions[r].height = 30


SUMMARY_ROWS = (
    # label, defined name
    ("Cheapest", "summary_cost"),
    ("Greenest (mPts)", "summary_impact"),
    ("Greenest (kg CO2e)", "summary_co2e"),
    ("Service", "summary_service"),
    ("Would flip at", "summary_breakeven"),
    ("Inputs", "input_check"),
    ("Limits", "summary_limits"),
)


def limits_text(smax: int, sq_rows: int) -> str:
    """What the live tables cover (stated on Summary)."""
    return (f"The live tables cover base stock S = 0..{smax} and (s,Q) orders up to Q + s = {sq_rows - 1}, sized "
            f"for this scenario when the file was written. An edit that needs more shows no decision: "
            f"write the workbook again with amspares scenario.")


def _summary_cache(b: _Builder) -> None:
    """The cached values of the Summary sentences and checks: amspares.wording's sentences for
    the scenario the file is written for (the formulas must say the same)."""
    ex = b.ex
    sc = ex.scenario
    checks_ = {}
    for m, kind in sc.methods.items():
        if kind != "stock":
            checks_[m] = ""
            continue
        moq = int(ex.params.methods[m].moq)
        if moq == 1:
            best = int(ex.evaluation.methods[m].S[0])
            last = ex.tables[m].column("total_target")[-1]
            ok = "OK" if best < ex.smax and isinstance(last, float) else table_end(ex.smax)
        else:
            tab = ex.sq[m]
            ok = SQ_TOO_SHORT if tab.block["last_row"] > tab.rows - 1 else "OK"
        checks_[m] = "" if ok == "OK" else f"{m}: {ok}"
    b.method_check_cache = checks_
    r0 = ex.result
    elig = wording._eligible(r0)
    b.winner_cache = {m: ((r0["methods"][m]["total_cost"] if m in elig else "not eligible"),
                          ((r0["methods"][m]["impact_mpts"] if r0["methods"][m]["impact_mpts"] is not None
                            else NO_PART) if m in elig else "not eligible")) for m in sc.methods}
    first_bad = next((v for v in checks_.values() if v), None)
    r = ex.result
    prices = {m: float(sc.inputs()[f"methods.{m}.price"]) for m in sc.methods}
    ok = first_bad is None
    nod = f"No decision: {first_bad}"
    b.summary_cache = {
        "input_check": INPUTS_OK,
        "decision_check": INPUTS_OK if ok else first_bad,
        "summary_cost": wording.decision_sentence(r) if ok else nod,
        "summary_impact": wording.decision_sentence(r, "impact") if ok else nod,
        "summary_co2e": wording.co2e_sentence(r, _workbook_gaps(b)) if ok else nod,
        "summary_service": wording.service_sentence(r, float(ex.params.free_days)) if ok else "",
        "summary_breakeven": wording.price_breakeven_sentence(r, prices) if ok else "",
        "summary_limits": limits_text(ex.smax, max([t.rows for t in ex.sq.values()] + [0])),
    }


def _workbook_gaps(b: _Builder) -> dict[str, str]:
    """The methods whose kg CO2e is not computed, each with the missing factor the workbook
    names (its Results cell ``missing: <key>``), for :func:`amspares.wording.co2e_sentence`."""
    if not b.ex.scenario.has_part:
        return {}
    out = {}
    for m in b.ex.scenario.methods:
        v = b.co2e_values[m]["impact_kgco2e_total"]
        if isinstance(v, str):
            out[m] = v[len(wording.MISSING_WORDS):] if v.startswith(wording.MISSING_WORDS) else v
    return out


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _summary_sheet(b: _Builder) -> None:
    """The decision first: one sentence per indicator, the chosen policy's service, the
    price that would flip the decision, the first broken input rule and the tables' limits,
    all live (the same words as amspares.wording for the cached case)."""
    ex = b.ex
    sc = ex.scenario
    methods = list(sc.methods)
    cache = b.summary_cache
    ws = b.wb.create_sheet("Summary", 0)
    ws["A1"] = "Decision"
    ws["A1"].font = TITLE
    b.formula(ws, "A2", "scenario_name", sc.name)
    # helper rows, one column per method (C..), under the sentences
    h0 = 4 + len(SUMMARY_ROWS) + 4                     # after the note and a blank row
    ws[f"A{h0 - 1}"] = "How the sentences are made (one column per method; live)"
    ws[f"A{h0 - 1}"].font = BOLD
    helper = ("h_name", "h_start", "h_inside", "h_kind", "h_policy", "h_total", "h_impact", "h_cost_other",
              "h_impact_other", "h_fill", "h_on_time", "h_wait", "h_price", "h_co2e", "h_co2e_other", "h_co2e_gap")
    labels = ("method", "what to do", "the same, inside a sentence", "kind", "policy",
              "total cost (eligible)", "impact (eligible)", "total cost if not the cheapest",
              "impact if not the greenest", "fill rate", "on-time rate", "mean wait (days)", "price",
              "kg CO2e (compared)", "kg CO2e if not the greenest by it", "kg CO2e not computed (missing factor)")
    lastc = get_column_letter(2 + len(methods))
    row = {h: h0 + i for i, h in enumerate(helper)}
    for h, label in zip(helper, labels):
        ws[f"A{row[h]}"] = label
        b.local(ws, h, f"C{row[h]}:{lastc}{row[h]}")
    r = ex.result
    gaps = _workbook_gaps(b)
    compared = wording._compared(r, "co2e") if sc.has_part else []
    co2e_compared = {m: r["methods"][m]["impact_kgco2e"] for m in compared}
    for j, m in enumerate(methods):
        c = get_column_letter(3 + j)
        kind = sc.methods[m]
        rm = r["methods"][m]
        at = lambda h: f"{c}{row[h]}"  # noqa: E731
        text_cell(ws[at("h_name")], m)
        text_cell(ws[at("h_start")], wording.method_phrase(m, kind))
        text_cell(ws[at("h_inside")], wording.method_phrase(m, kind, start=False))
        text_cell(ws[at("h_kind")], kind)
        if kind == "stock":
            moq = fill.name_of(f"methods.{m}.moq")
            pol = (f'IF({moq}=1,"S = "&result_{m}_S,IF({moq}<=model_n,"s = "&result_{m}_reorder_point&'
                   f'", Q = "&{moq},"one order of "&{moq}&" parts"))')
        else:
            pol = '""'
        b.formula(ws, at("h_policy"), pol, wording.policy_words(rm))
        b.formula(ws, at("h_total"), f"INDEX(Results!winner_totals,{j + 1})", b.winner_cache[m][0])
        b.formula(ws, at("h_impact"), f"INDEX(Results!winner_impacts,{j + 1})", b.winner_cache[m][1])
        b.formula(ws, at("h_cost_other"), f'IF(AND(ISNUMBER({at("h_total")}),{at("h_name")}<>result_cheapest),'
                                          f'{at("h_total")},"-")',
                  b.winner_cache[m][0] if isinstance(b.winner_cache[m][0], float) and m != r["cheapest"] else "-")
        b.formula(ws, at("h_impact_other"), f'IF(AND(ISNUMBER({at("h_impact")}),{at("h_name")}<>result_lowest_impact),'
                                            f'{at("h_impact")},"-")',
                  b.winner_cache[m][1] if isinstance(b.winner_cache[m][1], float) and m != r["lowest_impact"]
                  else "-")
        b.formula(ws, at("h_fill"), f"result_{m}_fill_rate", rm["fill_rate"])
        b.formula(ws, at("h_on_time"), f"result_{m}_on_time_rate", rm["on_time_rate"])
        b.formula(ws, at("h_wait"), f"result_{m}_mean_wait_days", rm["mean_wait_days"])
        b.formula(ws, at("h_price"), fill.name_of(f"methods.{m}.price"), float(sc.inputs()[f"methods.{m}.price"]))
        co2e = co2e_compared.get(m)
        b.formula(ws, at("h_co2e"), f"INDEX({b.co2e_rows['co2e_compared']},{j + 1})", "-" if co2e is None else co2e)
        b.formula(ws, at("h_co2e_other"), f'IF(AND(ISNUMBER({at("h_co2e")}),{at("h_name")}<>result_lowest_impact_co2e),'
                                          f'{at("h_co2e")},"-")',
                  co2e if co2e is not None and m != r.get("lowest_impact_co2e") else "-")
        v = f"result_{m}_impact_kgco2e"
        gap = gaps.get(m)
        b.formula(ws, at("h_co2e_gap"), f'IF(ISNUMBER({v}),"",{v})',
                  "" if gap is None else wording.MISSING_WORDS + gap)
    # single helper cells (column B of the helper block)
    single = h0 + len(helper) + 1
    ws[f"A{single - 1}"] = "helper cells"
    ws[f"A{single - 1}"].font = BOLD
    W, G = "result_cheapest", "result_lowest_impact"
    green_other = wording.runner_up(r, "impact") if r["lowest_impact"] else None
    co2e_best = r.get("lowest_impact_co2e") if r["lowest_impact"] else None
    co2e_other = wording.runner_up(r, "co2e") if co2e_best else None
    be = wording.price_breakeven(r, {m: float(sc.inputs()[f"methods.{m}.price"]) for m in methods})
    order_m = (be.below if be.value is not None else next(
        (k for k in (r["cheapest"], wording.runner_up(r)) if r["methods"][k]["kind"] == "order"), "")) if be else ""
    rival_m = ((wording.runner_up(r) if order_m == r["cheapest"] else r["cheapest"]) if order_m else "")
    cells = (
        ("index of the cheapest (0: no decision)", "s_w", f'IF(decision_check<>"OK",0,MATCH({W},h_name,0))',
         methods.index(r["cheapest"]) + 1),
        ("index of the next cheapest (0: none)", "s_o",
         "IF(OR(s_w=0,SUMPRODUCT(ISNUMBER(h_cost_other)*1)=0),0,MATCH(MIN(h_cost_other),h_cost_other,0))",
         methods.index(wording.runner_up(r)) + 1 if wording.runner_up(r) else 0),
        ("index of the greenest", "s_g", f'IF(AND(s_w>0,ISNUMBER(part_weight_kg)),MATCH({G},h_name,0),0)',
         methods.index(r["lowest_impact"]) + 1 if r["lowest_impact"] else 0),
        ("index of the next greenest (0: none)", "s_go",
         "IF(OR(s_g=0,SUMPRODUCT(ISNUMBER(h_impact_other)*1)=0),0,MATCH(MIN(h_impact_other),h_impact_other,0))",
         methods.index(green_other) + 1 if green_other else 0),
        ("index of the greenest, kg CO2e (0: none)", "s_c",
         "IF(s_g=0,0,IF(ISNUMBER(MATCH(result_lowest_impact_co2e,h_name,0)),"
         "MATCH(result_lowest_impact_co2e,h_name,0),0))", methods.index(co2e_best) + 1 if co2e_best else 0),
        ("index of the next, kg CO2e (0: none)", "s_co",
         "IF(OR(s_c=0,SUMPRODUCT(ISNUMBER(h_co2e_other)*1)=0),0,MATCH(MIN(h_co2e_other),h_co2e_other,0))",
         methods.index(co2e_other) + 1 if co2e_other else 0),
        ("order method of the price break-even", "s_order",
         'IF(OR(s_w=0,s_o=0,model_n<=0),"",IF(INDEX(h_kind,s_w)="order",INDEX(h_name,s_w),'
         'IF(INDEX(h_kind,s_o)="order",INDEX(h_name,s_o),"")))', order_m),
        ("its rival", "s_rival", 'IF(s_order="","",IF(s_order=INDEX(h_name,s_w),INDEX(h_name,s_o),INDEX(h_name,s_w)))',
         rival_m),
        ("price break-even (EUR/part)", "s_be",
         'IF(s_order="","",INDEX(h_price,MATCH(s_order,h_name,0))+(INDEX(h_total,MATCH(s_rival,h_name,0))'
         '-INDEX(h_total,MATCH(s_order,h_name,0)))/model_n)',
         (float(sc.inputs()[f"methods.{order_m}.price"]) + (
            r["methods"][rival_m]["total_cost"] - r["methods"][order_m]["total_cost"]) / float(r["n"]))
         if be else ""),
    )
    for i, (label, name, f, value) in enumerate(cells):
        ws[f"A{single + i}"] = label
        b.formula(ws, f"B{single + i}", f, value)
        b.local(ws, name, f"B{single + i}")
    nod = 'IF(decision_check<>"OK","No decision: "&decision_check,'

    def sentence(idx, other, total, others, measure, rank):
        """amspares.wording.decision_sentence, live: a tie (the runner-up within TIE_REL of the
        lowest) says what decided, by the tie rows of Results (a runner-up tied on the first
        criterion but not ranked lost on the second; ranked, on the kind, else on the order)."""
        _field, unit, digits, saving_digits = wording.INDICATORS[measure]
        mine = f"INDEX({total},{idx})"
        theirs = f"INDEX({others},{other})"
        tied = f"{theirs}<=MIN({total})+{TIE_REL_TEXT}*ABS(MIN({total}))"
        decides = (f'IF(ISNUMBER(INDEX({rank},{other})),IF(INDEX(h_kind,{idx})<>INDEX(h_kind,{other}),'
                   f'{_q(wording.TIE_DECIDES["kind"])},{_q(wording.TIE_DECIDES["declared"])}),'
                   f'{_q(wording.TIE_DECIDES[measure])})')
        return (f'INDEX(h_start,{idx})&": "&IF(INDEX(h_policy,{idx})="","",INDEX(h_policy,{idx})&", ")'
                f'&FIXED({mine},{digits})&" {unit}"&IF({other}=0,"",IF({tied},'
                f'", the same {wording.SAME[measure]} as "&INDEX(h_inside,{other})&" (a tie: "&{decides}&")",'
                f'", "&FIXED({theirs}-{mine},{saving_digits})'
                f'&" {unit}"&IF({theirs}>0," ("&FIXED(100*({theirs}-{mine})/{theirs},0)&" %)","")'
                f'&" less than "&INDEX(h_inside,{other})))')
    gap_row = row["h_co2e_gap"]
    gap = [f"{get_column_letter(3 + j)}{gap_row}" for j in range(len(methods))]
    # no kg CO2e at all: each missing factor once (every method has one), "; " between
    listed = "&".join([gap[0]] + [f'IF(OR({",".join(f"{g}={gap[j]}" for g in gap[:j])}),"","; "&{gap[j]})'
                                  for j in range(1, len(gap))])
    # some methods without kg CO2e: each named after the sentence
    named = "&".join(f'IF({g}="","","; not computed for "&INDEX(h_name,{j + 1})&" ("&{g}&")")'
                     for j, g in enumerate(gap))
    formulas = {
        "summary_cost": nod + sentence("s_w", "s_o", "h_total", "h_cost_other", "cost", "Results!tie_cost_rank") + ")",
        "summary_impact": nod + f'IF(s_g=0,{_q(wording.NO_PART_WORDS)},'
                          + sentence("s_g", "s_go", "h_impact", "h_impact_other", "impact", "Results!tie_impact_rank") + "))",
        "summary_co2e": nod + f'IF(s_g=0,{_q(wording.NO_PART_WORDS)},IF(s_c=0,"not computed ("&{listed}&")",'
                        + sentence("s_c", "s_co", "h_co2e", "h_co2e_other", "co2e", b.co2e_rows["co2e_tie_rank"])
                        + f"&{named})))",
        "summary_service": 'IF(decision_check<>"OK","",'
                           '"Service of "&INDEX(h_name,s_w)&": "&FIXED(100*INDEX(h_fill,s_w),2)'
                           '&" % of demands served from stock at once, "&FIXED(100*INDEX(h_on_time,s_w),2)'
                           '&" % delivered within "&FIXED(downtime_free_days,0)&" free days, mean wait "'
                           '&FIXED(INDEX(h_wait,s_w),3)&" days per demand")',
        "summary_breakeven": 'IF(decision_check<>"OK","",IF(s_order="",IF(AND(s_o>0,model_n>0),'
                             + _q(wording.both_stock_words("\x00", "\x01")).replace("\x00", '"&INDEX(h_name,s_w)&"')
                             .replace("\x01", '"&INDEX(h_name,s_o)&"') + ',""),IF(s_be<0,"no break-even in "&s_order'
                             '&" price ("&s_order&" costs more than optimal "&s_rival&" ("'
                             '&FIXED(INDEX(h_total,MATCH(s_rival,h_name,0)),2)&" EUR) even when printing is free)",'
                             's_order&" is cheaper below "&s_order&" price = "&FIXED(s_be,2)&" EUR, "&s_rival'
                             '&" above it")))',
        "input_check": f'IF(inputs_sheet_check<>"{INPUTS_OK}",inputs_sheet_check,legs_sheet_check)',
        "summary_limits": None,
    }
    for i, (label, name) in enumerate(SUMMARY_ROWS):
        rr = 4 + i
        ws[f"A{rr}"] = label
        ws[f"A{rr}"].font = BOLD
        ws[f"A{rr}"].alignment = WRAP
        if formulas[name] is None:
            text_cell(ws[f"B{rr}"], cache[name])
        else:
            b.formula(ws, f"B{rr}", formulas[name], cache[name])
        ws.merge_cells(f"B{rr}:H{rr}")
        ws[f"B{rr}"].alignment = WRAP
        ws.row_dimensions[rr].height = 32
        b.name(name, ws, f"B{rr}")
    note = 4 + len(SUMMARY_ROWS) + 1                    # after a blank row
    ws[f"A{note}"] = ("Every sentence is a formula over the Inputs sheet: it follows any edit. The detail is on "
                 "Results and the model sheets. The price break-even holds the other inputs fixed. "
                 "mPts = milli-points of the Eco-indicator 99 (environmental impact; lower is greener); "
                 "kg CO2e = the climate impact (GWP100).")
    ws[f"A{note}"].alignment = WRAP
    ws.merge_cells(f"A{note}:H{note}")
    ws.row_dimensions[note].height = 30
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 16
    for j in range(len(methods)):
        ws.column_dimensions[get_column_letter(3 + j)].width = 34
        c = get_column_letter(3 + j)
        for h, fmt in (("h_total", "#,##0.00"), ("h_cost_other", "#,##0.00"), ("h_impact", "#,##0.0"),
                       ("h_impact_other", "#,##0.0"), ("h_fill", "0.00%"), ("h_on_time", "0.00%"),
                       ("h_wait", "0.000"), ("h_price", "#,##0.00"), ("h_co2e", "#,##0.00"),
                       ("h_co2e_other", "#,##0.00")):
            ws[f"{c}{row[h]}"].number_format = fmt
    ws[f"B{single + len(cells) - 1}"].number_format = "#,##0.00"
    ws["B4"].font = ws["B5"].font = ws["B6"].font = BOLD


def co2e_result_rows() -> tuple[tuple[str, str, str], ...]:
    """The kg CO2e rows per method on the Results sheet (the components from the one list)."""
    return (("impact kg CO2e (GWP100)", "impact_kgco2e_total", "kg CO2e"),
            *((f"  {c.label} {c.symbol}", f"impact_kgco2e_{c.name}", "kg CO2e") for c in impact_components()))


def _co2e_results(b: _Builder, ws, top: int, method_cells: dict) -> None:
    """The kg CO2e block of the Results sheet from ``top``: per method the live total and
    breakdown (from its model sheet; a missing factor shows its text) and amspares' own
    values (``py_co2e_<method>``), then "greenest (kg CO2e, live)" by the tie rule of
    docs/model.md section 3.5 among the eligible methods whose kg CO2e is known (among the
    known when no eligible one is; cost breaks a tie), as the core's ``lowest_impact_co2e``."""
    ex = b.ex
    sc = ex.scenario
    methods = list(sc.methods)
    ws[f"A{top}"] = "Climate impact in kg CO2e (GWP100; docs/model.md section 4)"
    ws[f"A{top}"].font = BOLD
    rows = co2e_result_rows()
    first = top + 1
    for j, method in enumerate(methods):
        live_c, py_c = get_column_letter(3 + 2 * j), get_column_letter(4 + 2 * j)
        sheet = quote_sheetname(model_sheet_title(method))
        for i, (label, name, unit) in enumerate(rows):
            row = first + i
            ws[f"A{row}"], ws[f"B{row}"] = label, unit
            b.formula(ws, f"{live_c}{row}", f"{sheet}!{name}", b.co2e_values[method][name])
            ws[f"{live_c}{row}"].number_format = ws[f"{py_c}{row}"].number_format = "#,##0.000"
            ws[f"{py_c}{row}"].fill = PY_FILL
        b.name(f"result_{method}_impact_kgco2e", ws, f"{live_c}{first}")
        b.wb.defined_names[f"py_co2e_{method}"] = DefinedName(
            f"py_co2e_{method}", attr_text=f"{quote_sheetname(ws.title)}!${py_c}${first}:${py_c}${first + len(rows) - 1}")
    w = first + len(rows) + 1
    lastc = get_column_letter(2 + len(methods))
    labels = ("impact kg CO2e (eligible, known)", "impact kg CO2e compared (eligible known, else known)",
              "cost among the greenest by kg CO2e (tie-break)", "rank for lowest kg CO2e (tie rule)")
    for i, label in enumerate(labels):
        ws[f"A{w + i}"] = label
    # (Summary reads these rows by address: "Results!co2e_..." would parse as the cell CO2)
    b.co2e_rows = {}
    for i, nm in enumerate(("co2e_eligible", "co2e_compared", "co2e_tie_cost", "co2e_tie_rank")):
        b.local(ws, nm, f"C{w + i}:{lastc}{w + i}")
        b.co2e_rows[nm] = f"{quote_sheetname(ws.title)}!$C${w + i}:${lastc}${w + i}"
    ev = ex.evaluation
    known = {m: ev.methods[m].impact_co2e is not None and not np.isnan(ev.methods[m].impact_kgco2e[0])
             for m in methods}
    eligible = {m: ex.result["methods"][m]["meets_service_target"] is not False
                or not any(ex.result["methods"][k]["meets_service_target"] for k in methods) for m in methods}
    value = {m: float(ev.methods[m].impact_kgco2e[0]) if known[m] else None for m in methods}
    first_ok = {m: value[m] if known[m] and eligible[m] else None for m in methods}
    compared = first_ok if any(v is not None for v in first_ok.values()) else value
    totals = {m: ex.result["methods"][m]["total_cost"] for m in methods}
    totals = {m: v if isinstance(v, (int, float)) else 0.0 for m, v in totals.items()}

    def near_min(values):
        among = np.array([values[m] is not None for m in methods])
        vals = np.array([values[m] if values[m] is not None else np.inf for m in methods])
        return dict(zip(methods, tied_with_minimum(vals, among)[1].tolist()))

    tied = near_min(compared) if any(v is not None for v in compared.values()) else {m: False for m in methods}
    seconds = {m: totals[m] if tied[m] else None for m in methods}
    tied2 = near_min(seconds) if any(tied.values()) else tied
    for j, method in enumerate(methods):
        c = get_column_letter(3 + j)
        v = f"result_{method}_impact_kgco2e"
        b.formula(ws, f"{c}{w}", f'IF(AND(OR(INDEX(winner_meets,{j + 1})<>"no",COUNTIF(winner_meets,"yes")=0),'
                                 f'ISNUMBER({v})),{v},"-")', first_ok[method] if first_ok[method] is not None else "-")
        b.formula(ws, f"{c}{w + 1}", f'IF(COUNTIF(co2e_eligible,">=0")>0,INDEX(co2e_eligible,{j + 1}),IF(ISNUMBER({v}),{v},"-"))',
                  compared[method] if compared[method] is not None else "-")
        me = f"INDEX(co2e_compared,{j + 1})"
        cost = f"result_{method}_total_cost"
        b.formula(ws, f"{c}{w + 2}", f'IF(AND(ISNUMBER({me}),{me}<=MIN(co2e_compared)+{TIE_REL_TEXT}*'
                                     f'ABS(MIN(co2e_compared))),IF(ISNUMBER({cost}),{cost},0),"-")',
                  seconds[method] if seconds[method] is not None else "-")
        mine = f"INDEX(co2e_tie_cost,{j + 1})"
        rank = 1000 * (0 if sc.methods[method] == "order" else 1) + j
        b.formula(ws, f"{c}{w + 3}", f'IF(AND(ISNUMBER({mine}),{mine}<=MIN(co2e_tie_cost)+{TIE_REL_TEXT}*'
                                     f'ABS(MIN(co2e_tie_cost))),{rank},"-")', rank if tied2[method] else "-")
    g = w + 5
    winner = ex.result.get("lowest_impact_co2e")
    ws[f"A{g}"] = "greenest (kg CO2e, live)"
    ws[f"A{g}"].font = BOLD
    b.formula(ws, f"C{g}", f'IF(ISNUMBER(part_weight_kg),IF(COUNTIF(co2e_tie_rank,">=0")=0,"{NOT_APPLICABLE}",'
                           f'INDEX(winner_methods,MATCH(MIN(co2e_tie_rank),co2e_tie_rank,0))),"{NO_PART}")',
              (winner or NOT_APPLICABLE) if sc.has_part else NO_PART)
    b.name("result_lowest_impact_co2e", ws, f"C{g}")
    ws[f"A{g + 1}"] = "greenest (kg CO2e, amspares)"
    ws[f"C{g + 1}"].fill = PY_FILL
    b.name("py_lowest_impact_co2e", ws, f"C{g + 1}")


#: Display formats by unit: EUR with cents, mPts with one decimal, counts whole.
UNIT_FORMATS = {"EUR": "#,##0.00", "mPts": "#,##0.0", "parts": "#,##0.##", "count": "0",
                "share": "0.0000%", "days": "#,##0.00"}


def _print_layout(wb) -> None:
    """Every sheet prints landscape, one page wide (long tables run on in height)."""
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def build_template(scenario: Scenario | None = None, expected: Expected | None = None):
    """Build the scenario workbook for a scenario (default: the thesis case study).

    Returns ``(workbook, cache)``: an openpyxl Workbook with the inputs and amspares'
    results filled in (formulas have no cached values yet), and ``cache`` = {sheet title:
    {cell: value}}, the value every formula evaluates to, from the core (for
    :func:`amspares.workbook.cached.inject_cached_values`).
    """
    scenario = scenario or load_scenario()
    ex = expected or expected_values(scenario)
    b = _Builder(ex)
    default = b.wb.active
    capacity = max(30, len(fill.leg_rows(scenario)) + 10)
    _factors_sheet(b)
    _legs_sheet(b, capacity)
    _inputs_sheet(b, 2, 1 + capacity)
    b.wb.remove(default)
    _common_sheet(b)
    cells = {}
    for method, kind in scenario.methods.items():
        cells[method] = _stock_sheet(b, method) if kind == "stock" else _order_sheet(b, method)
    _summary_cache(b)
    _results_sheet(b, cells)
    _summary_sheet(b)
    stale.add_sheet(b, scenario)                        # what the blue cells were computed from
    stale.mark(b, b.wb["Results"], "A4", stale.PY_MARK)
    # sheet order: Summary, Inputs, Results, Model..., Transport legs, Factors, Computed for
    order = ["Summary", "Inputs", "Results", "Model"] + [model_sheet_title(m) for m in scenario.methods] + [
        fill.LEGS_SHEET, "Factors", stale.SHEET]
    b.wb._sheets = [b.wb[t] for t in order]
    b.wb.active = 0
    backend = fill.OpenpyxlBackend(b.wb)
    fill.apply(fill.input_plan(scenario, capacity), backend)
    fill.apply(fill.result_plan(scenario, ex.result), backend)
    fill.apply([(stale.PY_INPUTS, stale.block(stale.input_keys(scenario), stale.used_values(scenario)))], backend)
    b.wb.properties.creator = "amspares"
    b.wb.properties.created = FIXED_TIME
    b.wb.properties.modified = FIXED_TIME
    b.wb.calculation.fullCalcOnLoad = True
    _print_layout(b.wb)
    return b.wb, b.cache


def default_path() -> Path:
    """``templates/scenario.xlsx`` of the source checkout; from an installed package (no
    checkout around it), ``scenario.xlsx`` in the current folder, never a file inside
    the Python installation."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "templates").is_dir():
        return root / "templates" / "scenario.xlsx"
    return Path.cwd() / "scenario.xlsx"

