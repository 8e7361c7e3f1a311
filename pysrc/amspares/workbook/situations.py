"""Situation sheets: the case-study run (docs/model.md section 5) as tables and native Excel charts.

:func:`add_situation_sheets` takes the object printed by ``amspares scenario --json``
(``{"base": ..., "breakeven": {...}, "reasons": {...}, "sweeps": {name: [row, ...]}}``, the
sweeps and column names of :mod:`amspares.core.casestudy`) and adds one sheet per situation
of the thesis's chapter 5 to an openpyxl workbook:

===================  =====================================================================
sheet                content
===================  =====================================================================
``Base comparison``  optimal policy per method, cost breakdown (Fig. 15), TC(S) per stock
                     method (Fig. 13), total cost against the emergency cost (Fig. 14)
``Price``            AM and regular price sweeps and their break-evens (Fig. 16-17)
``MOQ``              cost and impact against the minimum order quantity (Fig. 18-19, 27-28)
``Portfolio``        N SKUs sharing one expected demand (Fig. 20-22, 29)
``Mould``            regular with a mould investment against total demand (Fig. 23, 30)
``Environment``      impact vs S, impact breakdown, AM machine energy (Fig. 24-26)
===================  =====================================================================

Each sheet: a title, the break-evens with a plain-language sentence each, a grid of charts,
then the sweep tables (every column of every row, as given). This is an adapter: it
computes nothing. Every number on these sheets is a value of ``study_json`` written as it is
(no formulas, no arithmetic); the sentences only format the number the root finder returned.
Output is deterministic (no timestamps), so the same study gives the same sheets.

>>> from openpyxl import Workbook
>>> wb = Workbook()
>>> study = {"base": {"name": "demo", "methods": {}},
...          "breakeven": {"am_price_breakeven": 23.9},
...          "sweeps": {"am_price": [{"am_price": 10.0, "am_mto.total_cost": 900.0, "regular.total_cost": 1735.7},
...                                  {"am_price": 50.0, "am_mto.total_cost": 3300.0, "regular.total_cost": 1735.7}]}}
>>> add_situation_sheets(wb, study)
['Base comparison', 'Price', 'MOQ', 'Portfolio', 'Mould', 'Environment']
>>> ws = wb["Price"]
>>> [c.value for c in ws[find_table(ws, "am_price")][0]]
['am_price', 'am_mto.total_cost', 'regular.total_cost']
>>> [ch.title.tx.rich.p[0].r[0].t for ch in ws._charts]
['Fig. 16 Total cost vs the AM price']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.data_source import NumFmt
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from amspares.core.costs import Component, cost_components
from amspares.workbook.cells import text_cell
from amspares.core.impact import impact_components
from amspares.core.breakeven import BreakEven
from amspares.wording import QUANTITIES, sentence_for

__all__ = ["add_situation_sheets", "find_table", "breakeven_sentence", "SHEETS", "SWEEPS"]

SHEETS = ("Base comparison", "Price", "MOQ", "Portfolio", "Mould", "Environment")

_INTRO = {
    "Base comparison": "Thesis 5.1: every supply option at its cost-optimal policy.",
    "Price": "Thesis 5.1.1: how the AM price and the regular price move the choice between stock and print on demand.",
    "MOQ": "Thesis 5.1.2: a minimum order quantity forces (s,Q) ordering, or one large order and scrap.",
    "Portfolio": "Thesis 5.1.3: N SKUs share one expected demand over T; every SKU holds its own optimal stock "
                 "(production rule max_demand_stock).",
    "Mould": "Thesis 5.1.4: regular production first pays for a mould; expected total demand n over the service period.",
    "Environment": "Thesis 5.2: Eco-indicator 99 impact (mPts) of each option at its cost-optimal policy.",
}

# ----------------------------------------------------------------------------- styles

_TITLE = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_ITALIC = Font(italic=True, color="555555")
_CAPTION = Font(bold=True, size=12, color="1F4E79")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EUR = "#,##0.00"
_MPTS = "#,##0.0"
_COUNT = "#,##0"
_TOP = 4                                # first row below the frozen title rows (row 3: the stale mark)
_CHART_W, _CHART_H = 14.0, 8.0          # cm (estimated from column widths: two-cell anchors)
_CHART_ROWS = 17                        # rows a chart takes (default row height 0.53 cm), gap included
_CM_PER_CHAR = 0.19                     # column width unit in cm (Calibri 11, approximately)

# ----------------------------------------------------------------------------- what is drawn


@dataclass(frozen=True)
class ChartSpec:
    """One chart of one sweep: which columns, how titled, how scaled.

    ``ys`` picks the y columns from a sweep's column names (and the study's roles); the
    series are drawn in that order. ``kind``: ``"scatter"`` (numeric x), ``"line"`` (x as
    categories: unevenly spaced values such as 0, 5, ..., 5000) or ``"bar"`` (stacked bars,
    one per row).
    """

    title: str
    x: str
    ys: Callable[[Sequence[str], Mapping[str, str]], list[str]]
    x_title: str
    y_title: str
    kind: str = "scatter"
    log_x: bool = False
    log_y: bool = False
    rows: int | None = None             # only the first `rows` data rows


@dataclass(frozen=True)
class SweepSpec:
    sheet: str
    caption: str
    charts: tuple[ChartSpec, ...] = ()


def _ending(*suffixes: str, only_roles: bool = False, also: Sequence[str] = ()):
    """y columns ``<method>.<suffix>`` for every method in column order (or only the roles),
    plus the columns matched by the ``also`` patterns (regular expressions)."""

    def pick(columns: Sequence[str], roles: Mapping[str, str]) -> list[str]:
        wanted = set(roles.values()) if only_roles else None
        out = []
        for c in columns:
            head, _, tail = c.partition(".")
            if tail in suffixes and not head.startswith("mould_") and (wanted is None or head in wanted):
                out.append(c)
        for pattern in also:
            out.extend(c for c in columns if re.fullmatch(pattern, c) and c not in out)
        return out

    return pick


def _components(listing: Callable[[], Sequence[Component]]):
    """The y columns of a breakdown chart: the added components of ``listing()`` (the one list
    of :mod:`amspares.core.costs` / :mod:`amspares.core.impact`), in its order. A subtracted
    component (the benefit) cannot be stacked, so it is left to the table beside the chart."""

    def pick(columns: Sequence[str], roles: Mapping[str, str]) -> list[str]:
        return [c.name for c in listing() if c.sign > 0 and c in columns]

    return pick


_TOTAL = _ending("total_cost")
_IMPACT = _ending("impact_mpts")
_CO2E = _ending("impact_kgco2e")
_EUR_T = "total cost over the service period (EUR)"
_MPTS_T = "impact over the service period (mPts)"
_CO2E_T = "climate impact over the service period (kg CO2e)"

SWEEPS: dict[str, SweepSpec] = {
    "cost_breakdown": SweepSpec("Base comparison", "Cost breakdown at the optimal policy (Fig. 15)", (
        ChartSpec("Fig. 15 Cost breakdown at the optimal policy", "method",
                  _components(cost_components),
                  "supply method", _EUR_T, kind="bar"),)),
    "cost_vs_S": SweepSpec("Base comparison", "Total cost TC(S) at a fixed base stock S (Fig. 13)", (
        ChartSpec("Fig. 13 Total cost TC(S) against the base stock S", "S", _TOTAL,
                  "base stock S (parts)", "total cost, log scale (EUR)", log_y=True),)),
    "emergency_cost": SweepSpec("Base comparison", "Total cost against the emergency cost ce (Fig. 14)", (
        ChartSpec("Fig. 14 Total cost vs the emergency cost ce", "emergency_per_day", _TOTAL,
                  "emergency cost ce (EUR/day per backordered part)", _EUR_T, kind="line"),)),
    "am_price": SweepSpec("Price", "Total cost against the AM price (Fig. 16)", (
        ChartSpec("Fig. 16 Total cost vs the AM price", "am_price", _TOTAL,
                  "AM price (EUR/part)", _EUR_T),)),
    "regular_price": SweepSpec("Price", "Total cost against the regular price, S re-optimised (Fig. 17)", (
        ChartSpec("Fig. 17 Total cost vs the regular price", "regular_price", _TOTAL,
                  "regular price (EUR/part)", _EUR_T),)),
    "moq": SweepSpec("MOQ", "Cost and impact against the minimum order quantity, Q = moq (Fig. 18-19, 27-28)", (
        ChartSpec("Fig. 18-19 Total cost vs the minimum order quantity", "moq", _TOTAL,
                  "minimum order quantity (parts, log scale)", _EUR_T, log_x=True),
        ChartSpec("Fig. 27-28 Impact vs the minimum order quantity", "moq", _IMPACT,
                  "minimum order quantity (parts, log scale)", _MPTS_T, log_x=True),
        ChartSpec("Fig. 27-28 in kg CO2e: climate impact vs the minimum order quantity", "moq", _CO2E,
                  "minimum order quantity (parts, log scale)", _CO2E_T, log_x=True))),
    "portfolio_T10": SweepSpec("Portfolio", "Portfolio, T = 10 years, N = 1..50 SKUs (Fig. 20)", (
        ChartSpec("Fig. 20 Portfolio total cost, T = 10 years", "N", _ending("portfolio_total_cost"),
                  "SKUs sharing one expected demand, N (SKUs)", "portfolio total cost (EUR)"),)),
    "portfolio_T10_log": SweepSpec("Portfolio", "Portfolio, T = 10 years, N = 1..10^6 SKUs (Fig. 21, 29)", (
        ChartSpec("Fig. 21 Portfolio total cost, T = 10 years", "N", _ending("portfolio_total_cost"),
                  "SKUs sharing one expected demand, N (SKUs, log scale)", "portfolio total cost, log scale (EUR)",
                  log_x=True, log_y=True),
        ChartSpec("Fig. 29 Portfolio impact, T = 10 years", "N", _ending("portfolio_impact_mpts"),
                  "SKUs sharing one expected demand, N (SKUs, log scale)", "portfolio impact, log scale (mPts)",
                  log_x=True, log_y=True))),
    "portfolio_T1": SweepSpec("Portfolio", "Portfolio, T = 1 year, N = 1..5 SKUs (Fig. 22)", (
        ChartSpec("Fig. 22 Portfolio total cost, T = 1 year", "N", _ending("portfolio_total_cost"),
                  "SKUs sharing one expected demand, N (SKUs)", "portfolio total cost (EUR)"),)),
    "mould": SweepSpec("Mould", "Regular with a mould against expected total demand n (Fig. 23, 30)", (
        ChartSpec("Fig. 23 Total cost vs demand, regular with a mould", "n",
                  _ending("total_cost", only_roles=True, also=(r"mould_\d+\.total_cost",)),
                  "expected total demand n (parts, log scale)", "total cost, log scale (EUR)",
                  log_x=True, log_y=True),
        ChartSpec("Fig. 30 Impact vs demand, regular with a mould", "n",
                  _ending("impact_mpts", only_roles=True, also=(r"mould_\d+\.impact_mpts",)),
                  "expected total demand n (parts, log scale)", "impact, log scale (mPts)",
                  log_x=True, log_y=True),
        ChartSpec("Fig. 30 in kg CO2e: climate impact vs demand", "n",
                  _ending("impact_kgco2e", only_roles=True, also=(r"mould_\d+\.impact_kgco2e",)),
                  "expected total demand n (parts, log scale)", "climate impact, log scale (kg CO2e)",
                  log_x=True, log_y=True))),
    "impact_breakdown": SweepSpec("Environment", "Impact breakdown at the optimal policy (Fig. 25)", (
        ChartSpec("Fig. 25 Impact breakdown at the optimal policy", "method",
                  _components(impact_components), "supply method", _MPTS_T,
                  kind="bar"),)),
    "impact_vs_S": SweepSpec("Environment", "Impact at a fixed base stock S (Fig. 24)", (
        ChartSpec("Fig. 24 Impact against the base stock S", "S", _IMPACT, "base stock S (parts)", _MPTS_T),)),
    "am_energy": SweepSpec("Environment", "Impact against the AM machine energy (Fig. 26)", (
        ChartSpec("Fig. 26 Impact vs the AM machine energy", "am_energy_mj_per_kg", _IMPACT,
                  "AM machine energy (MJ/kg)", _MPTS_T),
        ChartSpec("Fig. 26 in kg CO2e: climate impact vs the AM machine energy", "am_energy_mj_per_kg", _CO2E,
                  "AM machine energy (MJ/kg)", _CO2E_T),)),
}


def _figure(title: str) -> int:
    m = re.search(r"Fig\. (\d+)", title)
    return int(m.group(1)) if m else 0


def _sheet_for(sweep: str) -> str:
    """The sheet of a sweep: from :data:`SWEEPS`, else by the words in its name."""
    if sweep in SWEEPS:
        return SWEEPS[sweep].sheet
    s = sweep.lower()
    for words, sheet in ((("portfolio", "sku"), "Portfolio"), (("mould", "mold"), "Mould"),
                         (("moq", "minimum_order"), "MOQ"), (("price",), "Price"),
                         (("energy", "impact", "environment"), "Environment")):
        if any(w in s for w in words):
            return sheet
    return "Base comparison"


# ----------------------------------------------------------------------------- number formats


def _format(column: str, sweep: str) -> str:
    """Number format of a sweep column, from its name (casestudy's column vocabulary)."""
    tail = column.rpartition(".")[2]
    if column.startswith("mould_") and tail == "total_cost":
        return _EUR
    if "." in column:                                        # <method>.<field>
        field = column.partition(".")[2]
        if field in ("S", "s", "Q"):
            return _COUNT
        if field.startswith(("cost.", "total_cost", "portfolio_total_cost")):
            return _EUR
        if field.startswith(("impact", "portfolio_impact")):
            return _MPTS
        return "General"
    if column in ("S", "s", "Q", "moq", "N", "n_skus"):
        return _COUNT
    if column == "rate_per_year":
        return "0.00E+00"
    if "price" in column or "per_day" in column or column == "total_cost":
        return _EUR
    if "mj" in column or column == "impact_mpts":
        return _MPTS
    if "breakdown" in sweep and column not in ("method", "kind"):
        return _MPTS if "impact" in sweep else _EUR
    return "General"


# ----------------------------------------------------------------------------- legend text


def _label(column: str) -> str:
    """Legend entry of a y column: the method (and what of it, if not the headline number).

    >>> _label("regular.total_cost"), _label("am_mto.portfolio_impact_mpts"), _label("mould_3000.total_cost")
    ('regular', 'am_mto', 'regular + mould 3,000 EUR')
    >>> _label("mould_900000.impact_mpts"), _label("regular.cost.downtime"), _label("transport")
    ('regular + mould 900,000 mPts', 'regular: downtime', 'transport')
    """
    head, _, tail = column.partition(".")
    m = re.fullmatch(r"mould_(\d+)", head)
    if m:
        unit = {"total_cost": "EUR", "impact_kgco2e": "kg CO2e"}.get(tail, "mPts")
        return f"regular + mould {int(m.group(1)):,} {unit}"
    if not tail:
        return column.replace("_", " ")
    if tail in ("total_cost", "impact_mpts", "impact_kgco2e", "portfolio_total_cost", "portfolio_impact_mpts"):
        return head
    return f"{head}: {tail.rpartition('.')[2].replace('_', ' ')}"


# ----------------------------------------------------------------------------- break-evens

#: break-even name -> (unit, sentence with {v} and {q}, what "none" means when no reason is given)
BREAKEVENS: dict[str, tuple[str, str, str]] = {
    "am_price_breakeven": (
        "EUR/part", "printing on demand wins once the AM price drops below {v} EUR per part",
        "no AM price makes printing on demand as cheap as optimal regular stock"),
    "regular_price_breakeven": (
        "EUR/part", "printing on demand wins once the regular part costs more than {v} EUR",
        "no regular price makes optimal regular stock as dear as printing on demand"),
    "moq_breakeven_cost": (
        "parts", "printing on demand wins once the minimum order quantity exceeds {v} parts",
        "the totals of regular stock and printing on demand do not cross at any minimum order quantity"),
    "moq_breakeven_impact": (
        "parts", "printing on demand is greener once the minimum order quantity exceeds {v} parts",
        "the impacts of regular stock and printing on demand do not cross at any minimum order quantity"),
    "portfolio_breakeven_skus": (
        "SKUs", "{q}: printing on demand wins once one expected demand is spread over more than {v} SKUs",
        "the portfolio totals do not cross at any number of SKUs"),
    "mould_breakeven_demand_cost": (
        "parts", "{q}: regular production pays back the mould once expected total demand exceeds {v} parts",
        "regular production with the mould does not catch up with printing on demand"),
    "mould_breakeven_demand_impact": (
        "parts", "{q}: regular production is greener than printing once expected total demand exceeds {v} parts",
        "regular production with the mould does not become greener than printing on demand"),
    "am_energy_breakeven_mj_per_kg": (
        "MJ/kg", "printing on demand is greener once the printer uses less than {v} MJ per kg of part",
        "no machine energy makes printing on demand as green as regular stock"),
}
_BREAKEVEN_SHEET = {"am_price_breakeven": "Price", "regular_price_breakeven": "Price",
                    "moq_breakeven_cost": "MOQ", "moq_breakeven_impact": "MOQ",
                    "portfolio_breakeven_skus": "Portfolio", "mould_breakeven_demand_cost": "Mould",
                    "mould_breakeven_demand_impact": "Mould", "am_energy_breakeven_mj_per_kg": "Environment"}


#: ``current`` (the scenario's own values of the swept inputs) -> (sheet, number format)
_CURRENT = {"am_price": ("Price", _EUR), "regular_price": ("Price", _EUR), "moq": ("MOQ", _COUNT),
            "n": ("Mould", "General"), "regular_investment": ("Mould", _EUR),
            "am_energy_mj_per_kg": ("Environment", _MPTS)}


def _fmt(v: float) -> str:
    return f"{v:,.1f}" if abs(v) >= 100 else f"{v:,.2f}"


def _case(name: str, key: str) -> str:
    """``"T1"`` -> ``"T = 1 year"``, mould keys -> ``"mould 3,000 EUR"``."""
    if not key:
        return ""
    if name == "portfolio_breakeven_skus":
        m = re.fullmatch(r"T(\d+(?:\.\d+)?)", key)
        if m:
            return f"T = {m.group(1)} year" + ("" if m.group(1) == "1" else "s")
    if name.startswith("mould_") and key.isdigit():
        return f"mould {int(key):,} " + ("EUR" if name.endswith("cost") else "mPts")
    return key


def breakeven_sentence(name: str, value: float | None, key: str = "", reason: str = "",
                       below: str | None = None, above: str | None = None) -> str:
    """One plain-language line explaining a break-even (``None``: why there is none).

    With ``below``/``above`` (the methods that win on each side, the study's ``sides``)
    the sentence is :func:`amspares.wording.breakeven_sentence`'s, right in both directions.

    >>> breakeven_sentence("moq_breakeven_cost", 123.4)
    'printing on demand wins once the minimum order quantity exceeds 123.4 parts'
    >>> breakeven_sentence("mould_breakeven_demand_cost", 20.29, "3000")
    'mould 3,000 EUR: regular production pays back the mould once expected total demand exceeds 20.29 parts'
    >>> breakeven_sentence("am_price_breakeven", None, reason="am_mto costs more than optimal regular even when printing is free")
    'none: am_mto costs more than optimal regular even when printing is free'
    """
    unit, sentence, none = BREAKEVENS.get(name, ("", name.replace("_", " ") + " = {v}", "no break-even in range"))
    case = _case(name, key)
    if value is None:
        return f"none ({case}): {reason or none}" if case and not reason else f"none: {reason or none}"
    if below and above and name in QUANTITIES:
        text = sentence_for(name, BreakEven(value, below=below, above=above), number=_fmt)
        text = f"{case}: {text}" if case else text
    else:
        text = sentence.format(v=_fmt(value), q=case)
    if text.startswith(": "):
        text = text[2:]
    return f"{text} (note: {reason})" if reason else text


def _breakevens_for(sheet: str, study: Mapping[str, Any]) -> list[tuple[str, str, Any, str, dict]]:
    """[(name, key, value, reason, sides)] of the break-evens shown on ``sheet``."""
    reasons = study.get("reasons") or {}
    sides = study.get("sides") or {}
    out = []
    for name, v in (study.get("breakeven") or {}).items():
        if _BREAKEVEN_SHEET.get(name, _sheet_for(name)) != sheet:
            continue
        if isinstance(v, Mapping):
            out.extend((name, str(k), vv, reasons.get(f"{name}/{k}", ""), sides.get(f"{name}/{k}") or {})
                       for k, vv in v.items())
        else:
            out.append((name, "", v, reasons.get(name, ""), sides.get(name) or {}))
    return out


# ----------------------------------------------------------------------------- layout


def _defined_name(table: str) -> str:
    return "tbl_" + re.sub(r"[^A-Za-z0-9_.]", "_", table)


def find_table(ws: Worksheet, name: str) -> str:
    """Cell range (``"A7:C9"``, header row included) of the table ``name`` on a situation sheet.

    Every table is a sheet-scoped defined name ``tbl_<name>``, so the range can be found
    again in the saved file (and by a planner, from Excel's Name Box).
    """
    dn = ws.defined_names.get(_defined_name(name))
    if dn is None:
        raise KeyError(name)
    return dn.attr_text.split("!", 1)[1].replace("$", "")


def _order(columns: list[str], x: str | None) -> list[str]:
    """Headline columns first (swept inputs, totals, impacts, policy), components after."""

    def rank(c: str) -> int:
        if c == x or "." not in c:
            return 0
        tail = c.partition(".")[2]
        if tail in ("total_cost", "portfolio_total_cost"):
            return 1
        if tail in ("impact_mpts", "impact_kgco2e", "portfolio_impact_mpts"):
            return 2
        if tail in ("S", "s", "Q"):
            return 3
        return 4

    return sorted(columns, key=lambda c: (rank(c), columns.index(c)))


@dataclass
class _Table:
    name: str
    columns: list[str]
    header_row: int
    n_rows: int

    def col(self, name: str) -> int:
        return self.columns.index(name) + 1

    def ref(self, ws: Worksheet, column: str, header: bool = False, rows: int | None = None) -> Reference:
        last = self.header_row + (self.n_rows if rows is None else min(rows, self.n_rows))
        return Reference(ws, min_col=self.col(column), max_col=self.col(column),
                         min_row=self.header_row + (0 if header else 1), max_row=last)


def _write_table(ws: Worksheet, row: int, name: str, caption: str, rows: Sequence[Mapping[str, Any]],
                 x: str | None) -> _Table:
    """Caption at ``row``, bold headers at ``row + 1``, the rows below; values exactly as given."""
    seen: list[str] = []
    for r in rows:
        seen.extend(k for k in r if k not in seen)
    columns = _order(seen, x)
    ws.cell(row, 1, caption).font = _CAPTION
    header = row + 1
    for j, c in enumerate(columns, start=1):
        cell = ws.cell(header, j, c)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=False)
        fmt = _format(c, name)
        for i, r in enumerate(rows, start=1):
            v = r.get(c)
            if isinstance(v, (list, dict)):
                v = str(v)
            out = text_cell(ws.cell(header + i, j), v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.number_format = fmt
        _widen(ws, j, len(c) + 2)
    t = _Table(name, columns, header, len(rows))
    last = get_column_letter(len(columns))
    dn = _defined_name(name)
    ws.defined_names[dn] = DefinedName(
        dn, attr_text=f"{quote_sheetname(ws.title)}!$A${header}:${last}${header + len(rows)}")
    return t


def _widen(ws: Worksheet, col: int, width: float) -> None:
    d = ws.column_dimensions[get_column_letter(col)]
    d.width = max(d.width or 0, min(width, 60), 11)


def _title(text: str, size_pt: float) -> Title:
    """A chart or axis title in a given font size (openpyxl's default is 18 pt, too large here)."""
    cp = CharacterProperties(sz=int(size_pt * 100), b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=cp), r=[RegularTextRun(rPr=cp, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _style_axes(chart, spec: ChartSpec, y_format: str) -> None:
    chart.title = _title(spec.title, 11)
    chart.x_axis.title = _title(spec.x_title, 9)
    chart.y_axis.title = _title(spec.y_title, 9)
    chart.x_axis.numFmt = NumFmt(formatCode="#,##0", sourceLinked=False)
    # openpyxl leaves <c:delete> unset and newer Excel then hides the axes: say it explicitly.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.numFmt = NumFmt(formatCode=y_format, sourceLinked=False)
    if spec.log_x:
        chart.x_axis.scaling.logBase = 10
    if spec.log_y:
        chart.y_axis.scaling.logBase = 10
    chart.width, chart.height = _CHART_W, _CHART_H
    chart.legend.position = "b"


_COLOURS = ("1F77B4", "D62728", "2CA02C", "9467BD", "FF7F0E", "8C564B", "E377C2", "7F7F7F")


def _paint(series, k: int, column: str) -> None:
    """Explicit colours (the same in Excel and LibreOffice); moulds dashed, on top of regular."""
    colour = _COLOURS[k % len(_COLOURS)]
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = 22225                  # 1.75 pt
    if column.startswith("mould_"):
        series.graphicalProperties.line.dashStyle = "dash"
    if series.marker.symbol != "none":
        series.marker.size = 5
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour


def _text_categories(chart, ref: Reference) -> None:
    """Category labels that are text (method names) as a text reference (``c:strRef``):
    openpyxl's ``set_categories`` writes a number reference, which Excel reads as numbers."""
    from openpyxl.chart.data_source import AxDataSource, StrRef

    for s in chart.series:
        s.cat = AxDataSource(strRef=StrRef(f=str(ref)))


def _chart(ws: Worksheet, table: _Table, spec: ChartSpec, ys: list[str]):
    y_format = "#,##0"
    if spec.kind == "bar":
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        for y in ys:
            chart.add_data(table.ref(ws, y, header=True), titles_from_data=True)
        _text_categories(chart, table.ref(ws, spec.x))
    elif spec.kind == "line":
        chart = LineChart()
        for y in ys:
            s = Series(table.ref(ws, y), title=_label(y))
            s.marker.symbol = "circle"
            s.smooth = False
            _paint(s, len(chart.series), y)
            chart.series.append(s)
        chart.set_categories(table.ref(ws, spec.x))
    else:
        chart = ScatterChart()
        chart.scatterStyle = "lineMarker"
        xref = table.ref(ws, spec.x, rows=spec.rows)
        for y in ys:
            s = Series(table.ref(ws, y, rows=spec.rows), xref, title=_label(y))
            s.marker.symbol = "circle" if table.n_rows <= 25 else "none"
            s.smooth = False
            _paint(s, len(chart.series), y)
            chart.series.append(s)
        chart.x_axis.majorGridlines = None
    _style_axes(chart, spec, y_format)
    if len(ys) > 3:
        chart.legend.position = "r"
    return chart


class _Sheet:
    def __init__(self, wb, title: str, study: Mapping[str, Any]):
        self.ws = ws = wb.create_sheet(title)
        self.title = title
        ws["A1"] = title
        ws["A1"].font = _TITLE
        name = (study.get("base") or {}).get("name")
        text_cell(ws["A2"], _INTRO[title] + (f" Scenario: {name}." if name else ""))
        ws["A2"].font = _ITALIC
        # row 3: the stale mark of amspares.workbook.stale (amspares scenario -o puts it there)
        ws["A3"] = "Values from the Python run (amspares scenario); no formulas."
        ws["A3"].font = _ITALIC
        ws.freeze_panes = f"A{_TOP}"
        ps = ws.page_setup
        ps.orientation = "landscape"
        ps.paperSize = ws.PAPERSIZE_A4
        ps.fitToWidth = 1
        ps.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        self.row = _TOP
        self.sentence_cm = 0.0
        self.chart_cols = 0

    def breakevens(self, items: list[tuple[str, str, Any, str, dict]]) -> None:
        ws = self.ws
        ws.cell(self.row, 1, "Break-evens (found by a root finder on the model, not read off the tables)").font = _CAPTION
        self.row += 1
        for j, h in enumerate(("break-even", "case", "value", "unit", "meaning"), start=1):
            c = ws.cell(self.row, j, h)
            c.font = _BOLD
            c.fill = _HEADER_FILL
        for name, key, v, reason, sides in items:
            self.row += 1
            text_cell(ws.cell(self.row, 1), name)
            if key.isdigit():                       # a mould size: a number, shown as one
                ws.cell(self.row, 2, int(key)).number_format = _COUNT
            else:
                text_cell(ws.cell(self.row, 2), key or None)
            cell = text_cell(ws.cell(self.row, 3), v if v is not None else "none")
            if v is not None:
                cell.number_format = "#,##0.00"
            cell.alignment = Alignment(horizontal="right")
            ws.cell(self.row, 4, BREAKEVENS.get(name, ("",))[0]).alignment = Alignment(indent=1)
            text = breakeven_sentence(name, v, key, reason, sides.get("below"), sides.get("above"))
            text_cell(ws.cell(self.row, 5), text)
            self.sentence_cm = max(self.sentence_cm, len(text) * _CM_PER_CHAR * 1.1)
        _widen(ws, 1, max(len(n) for n, *_ in items) + 2)
        self.row += 2

    def current(self, items: list[tuple[str, Any]]) -> None:
        """The scenario's own values of the inputs swept on this sheet: where "we" are on the x axes."""
        ws = self.ws
        ws.cell(self.row, 1, "This scenario").font = _BOLD
        for j, (name, v) in enumerate(items):
            ws.cell(self.row, 2 + 2 * j, name).alignment = Alignment(horizontal="right")
            c = ws.cell(self.row, 3 + 2 * j, v)
            c.number_format = _CURRENT[name][1]
            c.alignment = Alignment(horizontal="left")
        self.row += 2

    def note(self, text: str) -> None:
        text_cell(self.ws.cell(self.row, 1), text).font = _ITALIC
        self.row += 1

    def small_table(self, name: str, caption: str, rows: list[dict]) -> None:
        t = _write_table(self.ws, self.row, name, caption, rows, None)
        self.row = t.header_row + t.n_rows + 2

    def print_area(self, last_row: int) -> None:
        """Print the break-evens, the charts and the headline columns (fit to one page wide)."""
        col = max(self.chart_cols, self._cols_for(4, self.sentence_cm) if self.sentence_cm else 0, 5)
        self.ws.print_area = f"A1:{get_column_letter(col)}{max(last_row, _TOP)}"

    def _cols_for(self, start: int, cm: float) -> int:
        """First 0-based column at which ``cm`` centimetres of columns starting at ``start`` end."""
        col, acc = start, 0.0
        while acc < cm:
            acc += (self.ws.column_dimensions[get_column_letter(col + 1)].width or 8.43) * _CM_PER_CHAR
            col += 1
        return col

    def place(self, charts: list, top: int) -> None:
        """Charts two per row, each anchored to cells (two-cell anchors: the chart follows the
        columns whatever their rendered width, so the two never overlap)."""
        mid = self._cols_for(0, _CHART_W)
        end = self._cols_for(mid, _CHART_W)
        gap = 180000                                   # EMU, 0.5 cm
        for i, chart in enumerate(charts):
            row = top - 1 + (i // 2) * _CHART_ROWS
            left, right = (0, mid) if i % 2 == 0 else (mid, end)
            chart.anchor = TwoCellAnchor(
                _from=AnchorMarker(col=left, colOff=0 if i % 2 == 0 else gap, row=row),
                to=AnchorMarker(col=right, colOff=0, row=row + _CHART_ROWS - 1))
            self.ws.add_chart(chart)
        self.chart_cols = end


def add_situation_sheets(wb, study_json: Mapping[str, Any]) -> list[str]:
    """Add the six situation sheets of a case-study run to ``wb``; return their names.

    Parameters
    ----------
    wb : openpyxl.Workbook
        Workbook to extend; other sheets are left alone. A sheet of the same name already
        there is an error (openpyxl would silently rename the new one).
    study_json : mapping
        The object of ``amspares scenario --json``: ``base`` (docs/model.md section 6), ``breakeven``
        (docs/model.md section 5 names; ``null`` where none exists), optionally ``reasons`` (why a
        break-even is null) and ``roles``, and ``sweeps`` (``{name: [row objects]}`` with the
        column names of :mod:`amspares.core.casestudy`). Sweeps this module does not know
        are laid out as tables on the sheet their name suggests, without a chart.

    Returns
    -------
    list of str
        The sheet names added, in order (:data:`SHEETS`).
    """
    for title in SHEETS:
        if title in wb.sheetnames:
            raise ValueError(f"the workbook already has a sheet named {title!r}")
    base = study_json.get("base") or {}
    roles = study_json.get("roles") or {"regular": "regular", "am_mto": "am_mto"}
    sweeps = study_json.get("sweeps") or {}
    sheets = [_Sheet(wb, t, study_json) for t in SHEETS]
    for sheet in sheets:
        items = _breakevens_for(sheet.title, study_json)
        if items:
            sheet.breakevens(items)
        here = [(k, v) for k, v in (study_json.get("current") or {}).items()
                if k in _CURRENT and _CURRENT[k][0] == sheet.title and isinstance(v, (int, float))]
        if here:
            sheet.current(here)
        if sheet.title == "Base comparison":
            for text in study_json.get("notes") or ():
                sheet.note(f"Note: {text}")
        if sheet.title == "Base comparison" and base.get("methods"):
            sheet.small_table("optimal_policy", "Optimal policy per method (docs/model.md section 6)", _policy_rows(base))
        # plan: which sweeps, which charts (columns are known before anything is written)
        plan = []
        for name, rows in sweeps.items():
            if _sheet_for(name) != sheet.title:
                continue
            if not rows:
                sheet.note(f"{name}: not applicable to this scenario (no rows).")
                continue
            columns = list(dict.fromkeys(k for r in rows for k in r))
            charts = []
            for spec in (SWEEPS[name].charts if name in SWEEPS else ()):
                # a column without a single value (no impact without [part]) draws nothing
                ys = [y for y in spec.ys(columns, roles) if any(r.get(y) is not None for r in rows)]
                if spec.x in columns and ys:
                    charts.append((spec, ys))
            plan.append((name, rows, charts))
        n_charts = sum(len(c) for *_, c in plan)
        chart_top = sheet.row + 1
        table_row = chart_top + math.ceil(n_charts / 2) * _CHART_ROWS + (1 if n_charts else 0)
        sheet.row = table_row
        made = []
        for name, rows, charts in plan:
            caption = SWEEPS[name].caption if name in SWEEPS else name.replace("_", " ").capitalize()
            x = charts[0][0].x if charts else None
            t = _write_table(sheet.ws, sheet.row, name, caption, rows, x)
            sheet.row = t.header_row + t.n_rows + 3
            made.extend((spec, _chart(sheet.ws, t, spec, ys)) for spec, ys in charts)
        made = [c for _, c in sorted(made, key=lambda sc: _figure(sc[0].title))]      # thesis order
        sheet.place(made, chart_top)
        if not plan and sheet.row == _TOP:
            sheet.note("This situation was not part of the run.")
        sheet.print_area(sheet.row)
    return list(SHEETS)


def _policy_rows(base: Mapping[str, Any]) -> list[dict]:
    """The base evaluation's policies, one row per method (values as given)."""
    rows = []
    for name, m in base.get("methods", {}).items():
        rows.append({"method": name, "kind": m.get("kind"), "policy": m.get("policy"), "S": m.get("S"),
                     "s": m.get("s"), "Q": m.get("Q"), "total_cost": m.get("total_cost"),
                     "impact_mpts": m.get("impact_mpts"),
                     "cheapest": "yes" if base.get("cheapest") == name else None,
                     "lowest_impact": "yes" if base.get("lowest_impact") == name else None})
    return rows
