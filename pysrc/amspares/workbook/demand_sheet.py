"""The "Demand" sheet of a scenario workbook whose rate comes from history (``docs/demand.md``).

Added by :func:`amspares.workbook.writer.write_scenario_workbook` when the scenario has a
``[demand]`` history. The history is in a table (one row per period, oldest first; an empty
cell is a period before the SKU existed) and everything that follows from it alone is a
live formula, in functions LibreOffice (7.4) and Excel both have:

* the rate ``N / T`` and its exact (Garwood) interval ``GAMMAINV(alpha/2; N; 1) / T`` and
  ``GAMMAINV(1 - alpha/2; N + 1; 1) / T`` (:func:`amspares.core.demand.poisson_rate_estimate`);
* the Syntetos-Boylan-Croston class: ADI from the positions of the periods with demand,
  CV² of the demand sizes (sample variance), the cut-offs 1.32 and 0.49
  (:func:`amspares.core.demand.demand_class`).

What needs a search or an exact test is written as numbers and words computed by amspares
(cached, not recalculated when the history is edited): the batches note (dispersion test),
the phase-out test, and the decision at the estimate and at both ends of the interval with
the rates where it flips (:func:`amspares.robustness.assess_scenario`). Every formula cell
carries its cached value from the core.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from openpyxl.styles import Alignment, Font

from amspares.core import demand as dm
from amspares.scenario import Scenario
from amspares.workbook.cached import NOT_APPLICABLE
from amspares.workbook.cells import text_cell

SHEET = "Demand"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
TOP = 29                       # first row of the notes and the decision
YES, NO = "yes", "no"

#: Defined names of the sheet's main cells (workbook level).
NAMES = ("demand_history_periods", "demand_history_total", "demand_estimate_rate",
         "demand_estimate_lower", "demand_estimate_upper", "demand_class")


def _rate(x: float) -> Any:
    return NOT_APPLICABLE if x is None or not math.isfinite(x) else float(x)


def history_columns(quantities) -> dict[str, list]:
    """The helper columns of the history table, as the formulas compute them: position of
    each observed period, that position where there is demand, and the squared deviation of
    each demand size from the mean size.

    >>> c = history_columns([np.nan, 0, 2, 0, 1])
    >>> c["position"], c["demand_position"], c["squared_deviation"]
    (['', 1, 2, 3, 4], ['', '', 2, '', 4], ['', '', 0.25, '', 0.25])
    """
    q = np.asarray(quantities, dtype=float)
    observed = ~np.isnan(q)
    pos = np.cumsum(observed)
    demand = observed & (np.nan_to_num(q) > 0)
    k = int(demand.sum())
    mean = float(np.nansum(q)) / k if k else math.nan
    return {"position": [int(p) if o else "" for p, o in zip(pos, observed)],
            "demand_position": [int(p) if d else "" for p, d in zip(pos, demand)],
            "squared_deviation": [float((x - mean) ** 2) if d else "" for x, d in zip(q, demand)]}


def _facts(d: dict, c) -> list[tuple[str, Any]]:
    """The cached rows: batches note, phase-out test and (with a decision) its robustness."""
    po = d["phase_out"]
    facts = [("demand comes in batches (over-dispersed)",
              (YES if c.overdispersed else NO) + (f" (index of dispersion {float(c.dispersion):.3g}, "
                                                   f"p = {float(c.dispersion_p_value):.3g})"
                                                   if math.isfinite(float(c.dispersion)) else "")),
             ("phase-out (last year clearly below the rest)",
              "n/a (one year of history or less)" if po is None else
              (YES if po["flag"] else NO) + (f" (p = {po['p_value']:.3g})" if po["p_value"] is not None else ""))]
    dec = d["decision"]
    if dec is not None:
        facts += [("cheapest at the estimate", dec["at_estimate"]),
                  ("cheapest at the interval's lower end", dec["at_lower"]),
                  ("cheapest at the interval's upper end", dec["at_upper"]),
                  ("nearest flip below the interval (parts/year)",
                   dec["flip_below"] if dec["flip_below"] is not None else "none"),
                  ("nearest flip above the interval (parts/year)",
                   dec["flip_above"] if dec["flip_above"] is not None else
                   f"none up to {dec['search_upper']:g}"),
                  ("robustness", "robust" if dec["robust"] else dm.FLIPS_INSIDE + ": review")]
    return facts


def add_demand_sheet(wb, cache: dict, scenario: Scenario, assessment=None) -> Any:
    """Add the Demand sheet after Results; its formula cells' values go into ``cache``.

    ``assessment``: :func:`amspares.robustness.assess_scenario` of ``scenario`` (computed
    when not given). Returns the worksheet.
    """
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.utils import quote_sheetname

    from amspares.robustness import assess_scenario, demand_dict

    h = scenario.history
    a = assessment or assess_scenario(scenario)
    d = demand_dict(a, h.source)
    q = np.asarray(h.quantities, dtype=float)
    e, c = a.estimate, a.demand_class
    index = next((i for i, t in enumerate(wb.sheetnames) if t == "Results"), len(wb.sheetnames) - 1) + 1
    ws = wb.create_sheet(SHEET, index)
    values = cache.setdefault(SHEET, {})
    facts = _facts(d, c)
    first = TOP + len(facts) + len(d["notes"]) + 3     # the history table, under the rest
    last = first + q.size - 1
    hist = f"$B${first}:$B${last}"

    def label(ref, text, bold=False):
        text_cell(ws[ref], text)
        if bold:
            ws[ref].font = BOLD

    def formula(ref, text, value, fmt=None):
        ws[ref] = "=" + text
        values[ref] = value
        if fmt:
            ws[ref].number_format = fmt

    def name(n, ref):
        col = "".join(ch for ch in ref if ch.isalpha())
        wb.defined_names[n] = DefinedName(n, attr_text=f"{quote_sheetname(SHEET)}!${col}${ref[len(col):]}")

    ws["A1"] = "Demand from history"
    ws["A1"].font = TITLE
    label("A2", f"{h.source}: the demand rate on the Inputs sheet (demand.rate_per_year) is the estimate "
                f"below. Edit the history (column B from row {first}) and the estimate, its interval and "
                f"the class follow; the notes and the decision's robustness (from row {TOP - 1}) are "
                f"amspares' results for the history as written.")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:E3")
    ws.row_dimensions[2].height = 30
    rows = [  # (row, label, unit; None: a heading)
        (5, "The rate and its interval", None),
        (6, "periods per year", "periods/year"),
        (7, "confidence level", "share"),
        (8, "observed periods n", "periods"),
        (9, "years of history T = n / periods per year", "years"),
        (10, "parts demanded N", "parts"),
        (11, "rate estimate N / T", "parts/year"),
        (12, "lower end GAMMAINV(alpha/2; N; 1) / T", "parts/year"),
        (13, "upper end GAMMAINV(1 - alpha/2; N + 1; 1) / T", "parts/year"),
        (14, "rate on the Inputs sheet", "parts/year"),
        (15, "the Inputs sheet uses this estimate", ""),
        (17, "Demand class (Syntetos-Boylan-Croston)", None),
        (18, "periods with demand k", "periods"),
        (19, "ADI: last period with demand / k", "periods"),
        (20, "mean demand size N / k", "parts"),
        (21, "CV² of the demand sizes", ""),
        (22, "ADI cut-off", "periods"),
        (23, "CV² cut-off", ""),
        (24, "intervals long (ADI above its cut-off)", ""),
        (25, "sizes vary (CV² above its cut-off)", ""),
        (26, "demand class", ""),
        (TOP - 1, "Notes and the decision (amspares, for the history as written)", None),
    ]
    for r, text, unit in rows:
        label(f"A{r}", text, bold=unit is None)
        if unit:
            label(f"C{r}", unit)
    ws["B6"] = float(h.periods_per_year)
    ws["B7"] = float(h.level)
    ws["B7"].number_format = "0%"
    n, T, N = int(e.periods), float(e.years), float(e.total)
    formula("B8", f"COUNT({hist})", n)
    formula("B9", "B8/B6", T, "0.00")
    formula("B10", f"SUM({hist})", N)
    formula("B11", "B10/B9", float(e.rate), "0.000")
    formula("B12", "IF(B10=0,0,GAMMAINV((1-B7)/2,B10,1)/B9)", float(e.lower), "0.000")
    formula("B13", "GAMMAINV(1-(1-B7)/2,B10+1,1)/B9", float(e.upper), "0.000")
    inputs_rate = float(scenario.inputs()["demand.rate_per_year"])
    formula("B14", "demand_rate_per_year", inputs_rate, "0.000")
    same = abs(inputs_rate - float(e.rate)) <= 1e-9 * max(1.0, abs(float(e.rate)))
    formula("B15", 'IF(ABS(B14-B11)<=1E-9*MAX(1,ABS(B11)),"yes","no: the rate on the Inputs sheet was changed")',
            YES if same else "no: the rate on the Inputs sheet was changed")
    k = int(c.demand_periods)
    adi, cv2 = float(c.adi), float(c.cv2)
    formula("B18", f'COUNTIF({hist},">0")', k)
    formula("B19", f'IF(B18=0,"{NOT_APPLICABLE}",MAX($D${first}:$D${last})/B18)',
            NOT_APPLICABLE if k == 0 else adi, "0.000")
    formula("B20", f'IF(B18=0,"{NOT_APPLICABLE}",B10/B18)', NOT_APPLICABLE if k == 0 else float(c.mean_size),
            "0.000")
    formula("B21", f'IF(B18<2,"{NOT_APPLICABLE}",SUM($E${first}:$E${last})/(B18-1)/B20^2)',
            NOT_APPLICABLE if k < 2 else cv2, "0.000")
    ws["B22"] = dm.ADI_CUTOFF
    ws["B23"] = dm.CV2_CUTOFF
    long_ = k > 0 and adi > dm.ADI_CUTOFF
    varied = k > 1 and cv2 > dm.CV2_CUTOFF
    formula("B24", 'IF(B18=0,"no",IF(B19>B22,"yes","no"))', YES if long_ else NO)
    formula("B25", 'IF(B18<2,"no",IF(B21>B23,"yes","no"))', YES if varied else NO)
    formula("B26", 'IF(B18=0,"no demand",IF(B24="yes",IF(B25="yes","lumpy","intermittent"),'
                   'IF(B25="yes","erratic","smooth")))', str(c.label))
    ws["B26"].font = BOLD
    for n_, ref in zip(NAMES, ("B8", "B10", "B11", "B12", "B13", "B26")):
        name(n_, ref)

    # cached from amspares: batches, phase-out, the decision, the notes
    r = TOP
    for text, value in facts:
        label(f"A{r}", text)
        if isinstance(value, float):
            ws[f"B{r}"] = value
            ws[f"B{r}"].number_format = "0.000"
        else:
            text_cell(ws[f"B{r}"], value)
        r += 1
    if d["decision"] is not None:
        ws[f"B{r - 1}"].font = BOLD
    for note in d["notes"]:
        text_cell(ws[f"A{r}"], note)
        ws[f"A{r}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{r}:E{r}")
        ws.row_dimensions[r].height = 15 * max(1, math.ceil(len(note) / 100))
        r += 1

    for ref in ["B24", "B25", "B26"] + [f"B{TOP + i}" for i, (_, v) in enumerate(facts)
                                         if isinstance(v, str) and len(v) <= 16]:
        ws[ref].alignment = Alignment(horizontal="right")   # beside the numbers above them

    # the history table
    label(f"A{first - 2}", "Demand history (one row per period, oldest first; empty: before the SKU existed)",
          bold=True)
    for col, text in zip("ABCDE", ("period", "demand (parts)", "position", "position if demand",
                                   "(size - mean size)²")):
        label(f"{col}{first - 1}", text, bold=True)
    helper = history_columns(q)
    for j, x in enumerate(q.tolist()):
        row = first + j
        ws[f"A{row}"] = j + 1
        ws[f"A{row}"].alignment = Alignment(horizontal="left")
        if not math.isnan(x):
            ws[f"B{row}"] = int(x) if x == int(x) else x
        formula(f"C{row}", f'IF(ISNUMBER(B{row}),COUNT($B${first}:B{row}),"")', helper["position"][j])
        formula(f"D{row}", f'IF(ISNUMBER(B{row}),IF(B{row}>0,C{row},""),"")', helper["demand_position"][j])
        formula(f"E{row}", f'IF(D{row}="","",(B{row}-$B$20)^2)', helper["squared_deviation"][j], "0.000")
    for col, width in zip("ABCDE", (52, 16, 12, 18, 20)):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws
