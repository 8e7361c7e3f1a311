"""Situation sheets (amspares.workbook.situations): tables, break-evens, charts, rendering.

The study is the real case-study run of the built-in thesis scenario (the object
``amspares scenario --json`` prints, round-tripped through JSON like the CLI's output).
Every expected number in these tests is a value of that object: the sheets must lay it out
unchanged, so "expected" is always "what study_json says", never a number from this module.
"""

from __future__ import annotations

import copy
import json
import math
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from amspares.commands.scenario import study_json
from amspares.scenario import load_scenario
from amspares.workbook.situations import SHEETS, add_situation_sheets, breakeven_sentence, find_table

import render

# Where each sweep of docs/model.md section 5 belongs (the brief's sheet list, written out here
# independently of the module's own table).
SWEEP_SHEET = {
    "cost_vs_S": "Base comparison", "cost_breakdown": "Base comparison", "emergency_cost": "Base comparison",
    "am_price": "Price", "regular_price": "Price", "moq": "MOQ",
    "portfolio_T10": "Portfolio", "portfolio_T10_log": "Portfolio", "portfolio_T1": "Portfolio",
    "mould": "Mould", "impact_vs_S": "Environment", "impact_breakdown": "Environment", "am_energy": "Environment",
}
BREAKEVEN_SHEET = {
    "am_price_breakeven": "Price", "regular_price_breakeven": "Price", "moq_breakeven_cost": "MOQ",
    "moq_breakeven_impact": "MOQ", "portfolio_breakeven_skus": "Portfolio",
    "mould_breakeven_demand_cost": "Mould", "mould_breakeven_demand_impact": "Mould",
    "am_energy_breakeven_mj_per_kg": "Environment",
}
UNITS = ("EUR", "parts", "mPts", "kg CO2e", "EUR/day", "EUR/part", "SKUs", "MJ/kg")


@pytest.fixture(scope="module")
def study():
    # the CLI's JSON, exactly: NaN/inf already None, keys as strings
    return json.loads(json.dumps(study_json(load_scenario())))


def build(study):
    wb = Workbook()
    del wb[wb.sheetnames[0]]
    add_situation_sheets(wb, study)
    return wb


@pytest.fixture(scope="module")
def book(study):
    return build(study)


@pytest.fixture(scope="module")
def saved(book, tmp_path_factory):
    path = tmp_path_factory.mktemp("situations") / "situations.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def reloaded(saved):
    return load_workbook(saved)


def cells(ws, ref):
    return [[c.value for c in row] for row in ws[ref]]


def title_text(title) -> str:
    return "".join(r.t for p in title.tx.rich.p for r in (p.r or []))


# --------------------------------------------------------------------------- structure


def test_one_sheet_per_situation_with_page_setup(reloaded):
    for name in SHEETS:
        ws = reloaded[name]
        assert ws["A1"].value == name and ws["A1"].font.b
        assert ws.freeze_panes == "A4"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_area
    assert list(SHEETS) == ["Base comparison", "Price", "MOQ", "Portfolio", "Mould", "Environment"]


def as_saved(v):
    """A number as openpyxl stores it in the file ('%.16g'; Excel itself shows 15 digits)."""
    return float("%.16g" % v) if isinstance(v, float) else v


@pytest.mark.parametrize("which", ["in memory", "saved and reloaded"])
def test_every_sweep_row_appears_with_its_headers_and_exact_values(study, book, reloaded, which):
    # expected values: study_json's rows themselves (the sheet must copy them unchanged);
    # in memory exactly, in the file to the 16 significant digits openpyxl writes
    wb, expect = (book, lambda v: v) if which == "in memory" else (reloaded, as_saved)
    assert set(study["sweeps"]) == set(SWEEP_SHEET)
    for name, rows in study["sweeps"].items():
        assert rows, name
        ws = wb[SWEEP_SHEET[name]]
        grid = cells(ws, find_table(ws, name))
        header, body = grid[0], grid[1:]
        assert set(header) == set(rows[0]) and len(header) == len(rows[0]), name
        assert all(ws.cell(int(re.search(r"\d+", find_table(ws, name)).group()), j + 1).font.b
                   for j in range(len(header)))
        assert len(body) == len(rows), name
        for i, row in enumerate(rows):
            got = dict(zip(header, body[i]))
            for col, want in row.items():
                assert got[col] == expect(want), (name, i, col, got[col], want)


def test_number_formats_and_widths(study, reloaded):
    ws = reloaded["Base comparison"]
    ref = find_table(ws, "cost_vs_S")
    top = int(re.search(r"\d+", ref).group())
    header = [c.value for c in ws[top]]
    fmt = {h: ws.cell(top + 1, j + 1).number_format for j, h in enumerate(header) if h}
    assert fmt["S"] == "#,##0"                        # counts as integers
    assert fmt["regular.total_cost"] == "#,##0.00"    # EUR with 2 decimals
    assert fmt["regular.cost.downtime"] == "#,##0.00"
    env = reloaded["Environment"]
    top = int(re.search(r"\d+", find_table(env, "impact_vs_S")).group())
    header = [c.value for c in env[top]]
    assert env.cell(top + 1, header.index("regular.impact_mpts") + 1).number_format == "#,##0.0"
    for name in SHEETS:
        widths = reloaded[name].column_dimensions
        assert all((widths[c].width or 0) >= 11 for c in "ABCDE")


def test_base_policy_table_is_the_base_evaluation(study, book):
    ws = book["Base comparison"]
    grid = cells(ws, find_table(ws, "optimal_policy"))
    header = grid[0]
    for row in grid[1:]:
        r = dict(zip(header, row))
        m = study["base"]["methods"][r["method"]]
        assert (r["S"], r["total_cost"], r["impact_mpts"]) == (m["S"], m["total_cost"], m["impact_mpts"])
    # docs/model.md section 8: the regular method's optimal S is 5 in the case study
    assert [r for r in grid[1:] if r[0] == "regular"][0][header.index("S")] == 5


# --------------------------------------------------------------------------- break-evens


def breakeven_rows(ws):
    out = {}
    for r in range(1, ws.max_row + 1):
        name = ws.cell(r, 1).value
        if name in BREAKEVEN_SHEET:
            case = ws.cell(r, 2).value          # a mould size is a number cell (3000), other cases text
            out[(name, str(case or ""))] = (ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value)
    return out


def test_breakeven_cells_equal_study_json(study, book):
    seen = 0
    for name, value in study["breakeven"].items():
        rows = breakeven_rows(book[BREAKEVEN_SHEET[name]])
        items = value.items() if isinstance(value, dict) else [("", value)]
        for key, v in items:
            cell, unit, sentence = rows[(name, key)]
            seen += 1
            if v is None:
                assert cell == "none" and sentence.startswith("none")
            else:
                assert cell == v, (name, key)           # the root finder's number, unrounded
                assert unit in UNITS + ("",)
                shown = f"{v:,.1f}" if abs(v) >= 100 else f"{v:,.2f}"
                assert shown in sentence, (sentence, v)
    assert seen == 13      # 4 single + portfolio T1/T10 + 3 mould sizes by cost + 3 by impact + energy (docs/model.md section 5)


def test_null_breakeven_says_why(study):
    s = copy.deepcopy(study)
    s["breakeven"]["am_price_breakeven"] = None
    s["reasons"] = {"am_price_breakeven": "am_mto costs more than optimal regular (1,735.71 EUR) even when printing is free"}
    s["breakeven"]["portfolio_breakeven_skus"]["T10"] = None
    ws = build(s)
    rows = breakeven_rows(ws["Price"])
    assert rows[("am_price_breakeven", "")][0] == "none"
    assert rows[("am_price_breakeven", "")][2] == "none: " + s["reasons"]["am_price_breakeven"]
    # without a reason the sentence still says what "none" means
    text = breakeven_rows(ws["Portfolio"])[("portfolio_breakeven_skus", "T10")][2]
    assert text.startswith("none (T = 10 years): ") and "do not cross" in text


def test_breakeven_sentence_wording():
    assert breakeven_sentence("moq_breakeven_cost", 123.4) == \
        "printing on demand wins once the minimum order quantity exceeds 123.4 parts"
    assert breakeven_sentence("portfolio_breakeven_skus", 2.2168, "T1").startswith("T = 1 year: ")


# --------------------------------------------------------------------------- charts


def series_refs(chart):
    """[(label, x formula, y formula)] of a chart's series."""
    out = []
    for s in chart.series:
        label = s.tx.v if s.tx is not None and s.tx.v is not None else (s.tx.strRef.f if s.tx is not None else None)
        if s.yVal is not None:
            out.append((label, s.xVal.numRef.f, s.yVal.numRef.f))
        else:
            cat = s.cat.numRef.f if s.cat.numRef is not None else s.cat.strRef.f
            out.append((label, cat, s.val.numRef.f))
    return out


def parse_ref(f):
    m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", f)
    assert m, f
    sheet, c1, r1, c2, r2 = m.groups()
    assert c1 == c2, f                                    # one column per series
    return sheet, c1, int(r1), int(r2)


def header_of(ws, col, first_row):
    return ws[f"{col}{first_row - 1}"].value


def table_of(ws, study, col, r1, r2):
    """The sweep whose table holds rows r1..r2 of a column."""
    for name in list(study["sweeps"]) + ["optimal_policy"]:
        try:
            ref = find_table(ws, name)
        except KeyError:
            continue
        top, bottom = map(int, re.findall(r"\d+", ref))
        if top < r1 <= r2 <= bottom:
            return name
    raise AssertionError((ws.title, col, r1, r2))


def test_every_chart_has_titles_units_and_right_ranges(study, book):
    methods = set(study["base"]["methods"])
    figures = set()
    for name in SHEETS:
        ws = book[name]
        assert ws._charts, name                               # at least one chart per situation
        for chart in ws._charts:
            title = title_text(chart.title)
            assert title
            figures.update(int(x) for x in re.findall(r"\d+", re.search(r"Fig\. ([\d-]+)", title).group(1)))
            for axis in (chart.x_axis, chart.y_axis):
                text = title_text(axis.title)
                unit = re.search(r"\(([^()]*)\)\s*$", text)
                assert unit and any(u in unit.group(1) for u in UNITS) or text == "supply method", (title, text)
                assert axis.delete is False                  # newer Excel hides undeleted=None axes
            refs = series_refs(chart)
            assert refs, title
            sweeps = set()
            for label, xf, yf in refs:
                xs, xc, xr1, xr2 = parse_ref(xf)
                ys, yc, yr1, yr2 = parse_ref(yf)
                assert xs == ys == name and (xr1, xr2) == (yr1, yr2)
                sweep = table_of(ws, study, yc, yr1, yr2)
                sweeps.add(sweep)
                rows = study["sweeps"][sweep]
                assert yr2 - yr1 + 1 == len(rows)                # every row of the sweep is plotted
                y_header, x_header = header_of(ws, yc, yr1), header_of(ws, xc, xr1)
                assert y_header in rows[0] and x_header in rows[0]
                # the first plotted value is the sweep's first row (the range starts at the data)
                assert ws[f"{yc}{yr1}"].value == rows[0][y_header]
                # legends name methods (or a cost/impact component of the breakdown bars)
                if "breakdown" in sweep:
                    assert label == f"'{name}'!{yc}{yr1 - 1}"         # series title = the header cell
                    assert y_header in ("downtime", "holding", "production", "scrapping", "transport",
                                        "investment", "material", "process", "extra")
                else:
                    head = y_header.partition(".")[0]
                    assert (label == head and head in methods) or label.startswith("regular + mould"), label
            assert len(sweeps) == 1, title
    assert figures >= set(range(13, 31)), sorted(set(range(13, 31)) - figures)


def test_log_scales_where_the_thesis_spans_decades(book):
    by_title = {title_text(c.title): c for name in SHEETS for c in book[name]._charts}
    log_x = [t for t, c in by_title.items() if c.x_axis.scaling.logBase == 10]
    assert any(t.startswith("Fig. 21") for t in log_x)              # N = 1..10^6
    assert any(t.startswith("Fig. 29") for t in log_x)
    assert any(t.startswith("Fig. 23") for t in log_x) and any(t.startswith("Fig. 30") for t in log_x)
    assert not any(t.startswith("Fig. 20") for t in log_x)          # N = 1..50: linear


def test_chart_xml_keeps_axes_visible(saved):
    with zipfile.ZipFile(saved) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 6
        for n in charts:
            xml = z.read(n).decode()
            assert len(re.findall(r'<(?:c:)?delete val="0"\s*/>', xml)) == 2, n     # x and y axis
            assert len(re.findall(r"<(?:c:)?title>", xml)) == 3, n                  # chart, x, y


# --------------------------------------------------------------------------- adapter rules


def numbers(obj):
    if isinstance(obj, bool):
        return set()
    if isinstance(obj, (int, float)):
        return {obj}
    if isinstance(obj, dict):      # a mould size is a key of the study ("3000"), shown as a number
        keys = {int(k) for k in obj if isinstance(k, str) and k.isdigit()}
        return keys.union(*(numbers(v) for v in obj.values())) if obj else set()
    if isinstance(obj, list):
        return set().union(*(numbers(v) for v in obj)) if obj else set()
    return set()


def test_no_number_is_computed_by_the_adapter(study, book):
    """Every number on the situation sheets is a number of study_json (no arithmetic)."""
    known = numbers(study)
    for name in SHEETS:
        for row in book[name].iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert c.value in known, (name, c.coordinate, c.value)
                assert not (isinstance(c.value, str) and c.value.startswith("=")), (name, c.coordinate)


def test_output_is_deterministic(study, tmp_path):
    blobs = []
    for i in range(2):
        p = tmp_path / f"b{i}.xlsx"
        build(copy.deepcopy(study)).save(p)
        with zipfile.ZipFile(p) as z:
            blobs.append({n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"})
    assert blobs[0] == blobs[1]


def test_existing_sheet_name_is_refused(study):
    wb = Workbook()
    wb.create_sheet("Price")
    with pytest.raises(ValueError, match="'Price'"):
        add_situation_sheets(wb, study)


def test_empty_sweep_is_a_note_not_a_table(study):
    s = copy.deepcopy(study)
    s["sweeps"]["moq"] = []
    ws = build(s)["MOQ"]
    with pytest.raises(KeyError):
        find_table(ws, "moq")
    assert any(c.value and "moq: not applicable" in str(c.value) for c in ws["A"])


# --------------------------------------------------------------------------- rendering


def test_base_comparison_renders_with_libreoffice(study, tmp_path):
    wb = render.keep_only(build(study), "Base comparison")
    book = tmp_path / "base.xlsx"
    wb.save(book)
    pdf = render.to_pdf(book, tmp_path)
    assert render.pdf_pages(pdf) > 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_scenario_workbook_keeps_the_charts(study, tmp_path):
    """The file `amspares scenario -o` writes carries the situation sheets and every chart."""
    from amspares.workbook import write_scenario_workbook

    out = tmp_path / "case.xlsx"
    write_scenario_workbook(load_scenario(), study, out)
    n_charts = sum(len(build(study)[n]._charts) for n in SHEETS)
    with zipfile.ZipFile(out) as z:
        assert len([n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == n_charts
    assert set(SHEETS) <= set(load_workbook(out, read_only=True).sheetnames)


def test_scenario_without_part_draws_no_empty_impact_charts():
    """Without [part] the impact columns are all null: no impact chart, the reasons say why."""
    from amspares.scenario import parse_scenario

    mapping = load_scenario().to_mapping()
    mapping.pop("part")
    study = json.loads(json.dumps(study_json(parse_scenario(mapping))))
    wb = build(study)
    titles = [title_text(c.title) for n in SHEETS for c in wb[n]._charts]
    assert not any("Impact" in t for t in titles), titles
    assert any(t.startswith("Fig. 13") for t in titles)
    why = breakeven_rows(wb["MOQ"])[("moq_breakeven_impact", "")]
    assert why[0] == "none" and why[2] == "none: " + study["reasons"]["moq_breakeven_impact"]
    for row in wb["Mould"].iter_rows():
        for c in row:                      # no impact numbers were invented
            assert not (isinstance(c.value, float) and math.isnan(c.value))
