"""The catalogue workbook (``amspares portfolio SKUS.csv -o out.xlsx``) leads with the decision.

Checked on the saved file (openpyxl and the sheet XML): the column order of the Results
sheet (decision next to the SKU), number formats by unit, the frozen header and SKU column,
the autofilter, the fills by decision (conditional formatting on the range, one rule per
method), the inputs each SKU was evaluated with, and the Summary's sentences and chart (one
series per method, in the colour of its fill, on one printed page). Expected values are the
model's own (amspares evaluate on the same row: :func:`amspares.model.evaluate`) or counts
taken from the rows written here. The CSV output keeps its own column order.
"""

from __future__ import annotations

import csv
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook

from amspares.cli import main
from amspares.model import evaluate
from amspares.portfolio import xlsx as X
from amspares.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

ROWS = [  # sku, rate, regular price, moq, waiting time, a text column
    ("LCD-COVER-PA", "2", "15", "1", "", "as in the thesis"),
    ("PRINT-WINS", "2", "200", "1", "exact", "=HYPERLINK(\"x\")"),   # above the 144.12 EUR break-even: printing wins
    ("BAD-RATE", "-5", "15", "1", "", "refused"),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    d = tmp_path_factory.mktemp("pxlsx")
    src = d / "skus.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["sku", "demand.rate_per_year", "methods.regular.price", "methods.regular.moq",
                    "model.waiting_time", "Note"])
        w.writerows(ROWS)
    out = d / "out.xlsx"
    assert main(["portfolio", str(src), "-o", str(out)]) == 1        # one row failed
    assert main(["portfolio", str(src), "-o", str(d / "out.csv")]) == 1
    return {"path": out, "wb": load_workbook(out), "csv": d / "out.csv"}


def _rows(ws):
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, (c for c in r))) for r in ws.iter_rows(min_row=2)]


def test_decision_next_to_the_sku_then_the_inputs_the_row_gave(book):
    header, rows = _rows(book["wb"]["Results"])
    assert header[:6] == ["sku", "cheapest", "saving", "lowest_impact", "lowest_impact_co2e", "Note"]
    assert header[6:10] == ["demand.rate_per_year", "methods.regular.price", "methods.regular.moq",
                           "model.waiting_time"]
    assert header[-1] == "error"
    # the CSV keeps its own order (sku, the text columns, the rate, the results, decisions)
    csv_header = book["csv"].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert csv_header[:3] == ["sku", "Note", "demand.rate_per_year"] and csv_header[-5:] == \
        ["cheapest", "lowest_impact", "lowest_impact_co2e", "saving", "error"]
    base = load_scenario()
    for r, (sku, rate, price, moq, wait, _note) in zip(rows, ROWS[:2]):
        changes = {"demand.rate_per_year": float(rate), "methods.regular.price": float(price),
                   "methods.regular.moq": int(moq)}
        if wait:
            changes["model.waiting_time"] = wait
        want = evaluate(base.with_values(changes), with_saving=True)
        assert r["sku"].value == sku and r["cheapest"].value == want["cheapest"]
        assert r["saving"].value == pytest.approx(want["saving_over_runner_up"], rel=1e-12)
        assert r["methods.regular.moq"].value == int(moq) and r["methods.regular.price"].value == float(price)
        assert r["model.waiting_time"].value == (wait or None)        # empty: the base scenario's
    assert [r["cheapest"].value for r in rows[:2]] == ["regular", "am_mto"]
    # the refused row: no decision, its cell as typed (text), the error says why
    bad = rows[2]
    assert bad["cheapest"].value is None and bad["demand.rate_per_year"].value == 2
    assert "demand.rate_per_year = -5: must be >= 0" in bad["error"].value
    # text from the file is text, never a formula
    note = rows[1]["Note"]
    assert note.value == '=HYPERLINK("x")' and note.data_type == "s"


def test_number_formats_by_unit(book):
    header, rows = _rows(book["wb"]["Results"])
    r = rows[0]
    assert r["saving"].number_format == "#,##0.00"
    assert r["regular.total_cost"].number_format == "#,##0.00"
    assert r["regular.impact_mpts"].number_format == "#,##0.0"
    assert r["regular.fill_rate"].number_format == "0.00%"
    assert r["regular.S"].number_format == "#,##0" and r["regular.Q"].number_format == "#,##0"
    assert r["methods.regular.price"].number_format == "#,##0.00"
    assert r["methods.regular.moq"].number_format == "#,##0"
    assert r["regular.mean_wait_days"].number_format == "#,##0.00"
    for name in header:                     # numbers are stored as numbers
        v = r[name].value
        if name.endswith(("total_cost", "impact_mpts", "fill_rate", ".S")):
            assert isinstance(v, (int, float)) and not isinstance(v, bool), name


def test_frozen_header_and_sku_filter_and_fills_by_decision(book):
    ws = book["wb"]["Results"]
    assert ws.freeze_panes == "B2"
    n = len(ROWS) + 1
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{n}"
    rules = [(str(cf.sqref), rule.formula[0], rule.dxf.fill.fgColor.rgb[-6:] if rule.dxf.fill is not None else None)
             for cf in ws.conditional_formatting for rule in cf.rules]
    methods = list(load_scenario().methods)
    for j, m in enumerate(methods):
        assert (f"A2:C{n}", f'$B2="{m}"', X.DECISION_FILLS[j]) in rules
        assert (f"D2:D{n}", f'$D2="{m}"', X.DECISION_FILLS[j]) in rules
        assert (f"E2:E{n}", f'$E2="{m}"', X.DECISION_FILLS[j]) in rules
    error = ws.cell(1, ws.max_column).column_letter
    assert (f"A2:A{n}", f'${error}2<>""', X.FAILED_FILL) in rules
    assert len(rules) == 3 * len(methods) + 1        # on the range: no rule per row


def test_summary_names_the_base_and_leads_with_the_answer(book):
    ws = book["wb"]["Summary"]
    cells = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert cells["base scenario"][0] == load_scenario().name
    assert cells["base scenario file"][0] == "case study (built in)"
    lead = ws["A2"].value
    # one SKU each way (the rows above), of the two evaluated
    assert lead.startswith("Cheapest per SKU: ") and "regular for 1 of 2 SKUs (50 %)" in lead
    assert "am_mto for 1 (50 %)" in lead
    assert any(str(k).startswith("1 SKUs failed") for k in cells)
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_summary_chart_one_series_per_method_coloured_like_its_fill(book):
    with zipfile.ZipFile(book["path"]) as z:
        chart = ET.fromstring(z.read("xl/charts/chart1.xml"))
    scatter = chart.find(f".//{C}scatterChart")
    assert scatter.find(f"{C}scatterStyle") is not None
    series = scatter.findall(f"{C}ser")
    methods = list(load_scenario().methods)
    assert [s.find(f"{C}tx/{C}v").text for s in series] == [f"cheapest: {m}" for m in methods]
    colours = [s.find(f"{C}marker/{C}spPr/{A}solidFill/{A}srgbClr").get("val") for s in series]
    assert colours == list(X.DECISION_COLOURS[:len(methods)])
    assert chart.find(f"{C}chart/{C}plotVisOnly").get("val") in ("0", "false")   # data in hidden columns
    # each series holds the saving of the SKUs its method is cheapest for, and nothing else
    wb = book["wb"]
    header, rows = _rows(wb["Results"])
    for j, s in enumerate(series):
        ref = s.find(f"{C}yVal/{C}numRef/{C}f").text
        sheet, cells = ref.split("!")
        got = [c.value for row in wb[sheet.strip("'")][cells.replace("$", "")] for c in row]
        want = [r["saving"].value if r["cheapest"].value == methods[j] else None for r in rows]
        assert got == want
        assert s.find(f"{C}xVal/{C}numRef/{C}f").text == f"'Results'!$G$2:$G${len(ROWS) + 1}"   # the rate


# ------------------------------------------------- the rows written as sheet XML

AWKWARD = [  # text and numbers each writer must keep: entities, spaces, formula-like text
    ["A&B<c>", " lead", "trail ", "  ", "=1+1", "tab\tin", "\u00e9\u20ac\U0001f600", None, "x" * 300],
    [1.5, None, 2.0, 1e-300, 123456789.12345679, -0.0, 3, 0.1 + 0.2, 1e22],
    ["=SUM(A1)", 7.25, None, "+5", "-", "'quoted", "a\nb", "1e3", 2 ** 53],
]


def _saved_by_openpyxl(path, cols, styles):
    """The reference: openpyxl itself writing the same cells (text as text, never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Results")
    ws.append(["h"] * len(cols))
    fmts = {sid: f for sid, f in zip(styles, ("General", "#,##0.00", "0.0%"))}
    for row in zip(*cols):
        out = []
        for j, v in enumerate(row):
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                c.data_type = "s"
            if styles[j]:
                c.number_format = fmts[styles[j]]
            out.append(c)
        ws.append(out)
    wb.save(path)


def test_rows_written_as_sheet_xml_read_back_as_openpyxl_writes_them(tmp_path):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    ref = tmp_path / "ref.xlsx"
    _saved_by_openpyxl(ref, AWKWARD, [0, 0, 0])
    # amspares: openpyxl writes the header, the rows are spliced in as sheet XML
    ours = tmp_path / "ours.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Results")
    ws.append(["h"] * len(AWKWARD))
    styles = []
    for fmt in ("General", "#,##0.00", "0.0%"):
        c = WriteOnlyCell(ws, value=0.0)
        c.number_format = fmt
        styles.append(c.style_id if fmt != "General" else 0)
    wb.save(ours)
    rows = tmp_path / "rows.sheet"
    rows.write_bytes(X._CellXml(styles).rows(AWKWARD, 2))
    X._splice_rows(ours, {"Results": str(rows)})
    a = load_workbook(ref)["Results"]
    b = load_workbook(ours)["Results"]
    assert a.max_row == b.max_row == len(AWKWARD[0]) + 1
    for r in range(2, a.max_row + 1):
        for c in range(1, len(AWKWARD) + 1):
            x, y = a.cell(r, c), b.cell(r, c)
            assert (x.value, x.data_type) == (y.value, y.data_type), (r, c, x.value, y.value)
            if isinstance(y.value, float) and y.value == 0:
                assert str(x.value) == str(y.value)        # -0.0 stays -0.0
    assert b.cell(2, 2).number_format == "#,##0.00" and b.cell(3, 3).number_format == "0.0%"
    with zipfile.ZipFile(ours) as z:
        assert z.testzip() is None
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")          # no formula anywhere


def test_a_refused_input_cell_that_looks_like_a_formula_stays_text(tmp_path):
    cat = tmp_path / "c.csv"
    cat.write_text("sku,demand.rate_per_year,methods.regular.price\nA,1,=1+1\nB,2,15\n")
    out = tmp_path / "o.xlsx"
    try:
        main(["portfolio", str(cat), "-o", str(out)])      # one SKU fails: its row says why
    except SystemExit:
        pass
    ws = load_workbook(out)["Results"]
    head = [c.value for c in ws[1]]
    cell = ws.cell(2, head.index("methods.regular.price") + 1)
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
