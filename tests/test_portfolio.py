"""``amspares portfolio``: every row equals ``amspares evaluate`` on its own scenario.

Where expected numbers come from:

* per-row results: ``amspares.model.evaluate(base.with_values(row))`` -- the function that
  ``amspares evaluate --json`` prints -- on a scenario built and validated one row at a
  time by :mod:`amspares.scenario` (the scalar path), compared at 1e-9 relative;
* the case-study row: docs/model.md section 8 (regular S* = 5, TC = 1735.71; AM MTO TC = 10800);
* error texts: the rules of docs/model.md section 2 in the words of ``amspares.scenario``;
* the CSV number formatter: Python's ``float()`` reading the text back.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from amspares import portfolio as P
from amspares.cli import main
from amspares.commands.portfolio import Progress
from amspares.errors import ScenarioError
from amspares.model import evaluate
from amspares.scenario import _number, load_scenario

BASE = load_scenario()
METHODS = list(BASE.methods)

HEADER = ["sku", "demand.rate_per_year", "methods.regular.moq", "methods.regular.price",
          "model.waiting_time", "model.production_rule", "part.weight_kg",
          "methods.am_mto.transport_to_customer", "storage.holding_per_part_year",
          "demand.service_years"]
# moq = 1 (base stock), 1 < moq <= n (reorder point), moq > n (one order); both waiting-time
# models and production rules; zero demand; empty cells (= the base scenario's value).
ROWS = [
    ["CASE-STUDY", "", "", "", "", "", "", "", "", ""],
    ["MOQ-40", "2", "40", "", "", "", "", "", "", ""],
    ["MOQ-300-ONE-ORDER", "2", "300", "9.5", "", "", "", "", "", ""],
    ["EXACT-WAIT", "3.5", "1", "", "exact", "", "0.1", "", "", ""],
    ["EXACT-MOQ", "0.7", "10", "4", "exact", "", "", "", "", "10"],
    ["MAXRULE", "0.01", "", "", "", "max_demand_stock", "", "", "", "10"],
    ["ZERO-DEMAND", "0", "", "", "", "", "", "", "", ""],
    ["ZERO-DEMAND-MOQ", "0", "25", "", "", "", "", "", "", ""],
    ["FAST-MOVER", "150", "", "0.4", "", "", "0.02", "2.5", "0.05", ""],
    ["SLOW", "0.05", "", "60", "exact", "max_demand_stock", "1.2", "", "1.5", "5"],
]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def changes_of(header, row):
    """The row as ``Scenario.with_values`` changes (the scalar path)."""
    out = {}
    for key, cell in zip(header[1:], row[1:]):
        if cell == "":
            continue
        if key.startswith("model.waiting") or key.startswith("model.production"):
            out[key] = cell
        elif key.endswith("transport_to_customer"):       # a leg factor in mPts/kg
            out[key] = [{"km": 1.0, "mpts_per_kg_km": float(cell)}]
        elif key.endswith(".moq"):
            out[key] = int(cell)
        else:
            out[key] = float(cell)
    return out


def expected(header, row):
    return evaluate(BASE.with_values(changes_of(header, row)))


def num(text):
    return None if text in ("", None) else float(text)


def assert_row_matches(got: dict, exp: dict):
    for m in METHODS:
        e = exp["methods"][m]
        for f in ("S", "s", "Q"):
            assert num(got[f"{m}.{f}"]) == e[f], (got["sku"], m, f)
        assert math.isclose(num(got[f"{m}.total_cost"]), e["total_cost"], rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(num(got[f"{m}.impact_mpts"]), e["impact_mpts"], rel_tol=1e-9, abs_tol=1e-12)
    assert got["cheapest"] == exp["cheapest"]
    assert got["lowest_impact"] == exp["lowest_impact"]
    totals = sorted(e["total_cost"] for e in exp["methods"].values())
    assert math.isclose(num(got["saving"]), totals[1] - totals[0], rel_tol=1e-9, abs_tol=1e-9)
    assert got["error"] in ("", None)


@pytest.fixture
def catalogue(tmp_path):
    return write_csv(tmp_path / "skus.csv", HEADER, ROWS)


def test_every_row_equals_amspares_evaluate(catalogue, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert main(["portfolio", catalogue, "-o", str(out)]) == 0
    got = read_csv(out)
    assert [g["sku"] for g in got] == [r[0] for r in ROWS]
    for g, row in zip(got, ROWS):
        assert_row_matches(g, expected(HEADER, row))
    # the mix really covers every policy (else the test proves less than it claims)
    policies = {expected(HEADER, r)["methods"]["regular"]["policy"] for r in ROWS}
    assert policies == {"base_stock", "reorder_point", "one_order"}
    # docs/model.md section 8: the case study row
    case = got[0]
    assert case["regular.S"] == "5" and round(float(case["regular.total_cost"]), 2) == 1735.71
    assert float(case["am_mto.total_cost"]) == 10800.0
    assert case["am_mto.S"] == "0" and case["am_mto.Q"] == "" and case["regular.s"] == ""


def test_chunks_do_not_change_results(catalogue, tmp_path, capsys):
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    assert main(["portfolio", catalogue, "-o", str(one)]) == 0
    assert main(["portfolio", catalogue, "-o", str(many), "--chunk-size", "3"]) == 0
    assert one.read_bytes() == many.read_bytes()


def test_summary_totals_and_counts(catalogue, tmp_path, capsys):
    assert main(["portfolio", catalogue, "-o", str(tmp_path / "o.csv")]) == 0
    text = capsys.readouterr().out
    exps = [expected(HEADER, r) for r in ROWS]
    # independent tallies from the scalar path
    for m in METHODS:
        count = sum(e["cheapest"] == m for e in exps)
        all_cost = sum(e["methods"][m]["total_cost"] for e in exps)
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(m + " "))
        cells = line.split()
        assert int(cells[1].replace(",", "")) == count
        assert float(cells[4].replace(",", "")) == pytest.approx(all_cost, abs=0.006)
    best = sum(e["methods"][e["cheapest"]]["total_cost"] for e in exps)
    assert f"total cost {best:,.2f} EUR" in text
    assert f"{len(ROWS)} SKUs evaluated, 0 failed" in text


def test_bad_rows_are_reported_and_the_rest_evaluated(tmp_path, capsys):
    header = ["sku", "demand.rate_per_year", "methods.regular.moq", "model.waiting_time",
              "demand.rate_per_yr"]
    rows = [["OK-1", "2", "", "", ""],
            ["NEG", "-3", "", "", ""],
            ["TEXT", "two", "", "", ""],
            ["HALF-MOQ", "2", "2.5", "", ""],
            ["BAD-CHOICE", "2", "", "erlang", ""],
            ["UNKNOWN-COL", "2", "", "", "4"],
            ["", "1", "", "", ""],
            ["INF", "inf", "", "", ""],
            ["OK-2", "0.5", "20", "exact", ""]]
    cat = write_csv(tmp_path / "bad.csv", header, rows)
    out = tmp_path / "out.csv"
    assert main(["portfolio", cat, "-o", str(out)]) == 1          # some rows failed
    captured = capsys.readouterr()
    err = captured.err
    assert "2 SKUs evaluated, 7 failed" in captured.out
    # spreadsheet row numbers: the header is row 1; rules of docs/model.md section 2
    for line in ["row 3, demand.rate_per_year = -3: must be >= 0",
                 "row 4, demand.rate_per_year = two: must be a number",
                 "row 5, methods.regular.moq = 2.5: must be a whole number",
                 "row 6, model.waiting_time = erlang: must be one of erlang_c, exact; did you mean erlang_c?",
                 "row 7, demand.rate_per_yr = 4: unknown column; did you mean demand.rate_per_year?",
                 "row 8, sku = (empty): must not be empty",
                 "row 9, demand.rate_per_year = inf: must be a finite number",
                 "column demand.rate_per_yr: unknown column; did you mean demand.rate_per_year? "
                 "(rows with a value in it are not evaluated)"]:
        assert line in err, line
    got = read_csv(out)
    assert len(got) == len(rows)                    # every row is written, bad ones with an error
    by_sku = {g["sku"]: g for g in got}
    assert_row_matches(by_sku["OK-1"], expected(header[:4], rows[0][:4]))
    assert_row_matches(by_sku["OK-2"], expected(header[:4], rows[-1][:4]))
    bad = by_sku["NEG"]
    assert bad["error"] == "row 3, demand.rate_per_year = -3: must be >= 0"
    assert bad["regular.total_cost"] == "" and bad["cheapest"] == ""
    # the same words as the scenario module gives for the same value
    with pytest.raises(ScenarioError) as exc:
        BASE.with_values({"demand.rate_per_year": -3})
    assert exc.value.rule == "must be >= 0"


def test_wrong_field_count_and_blank_lines(tmp_path, capsys):
    path = tmp_path / "ragged.csv"
    path.write_text("sku,demand.rate_per_year\nA,2\n\nB,1,,\nC,1,7\nD\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["portfolio", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 5: 3 fields, the header has 2" in err
    got = {g["sku"]: g for g in read_csv(out)}
    assert set(got) == {"A", "B", "C", "D"}        # the blank line (row 3) is skipped
    assert got["D"]["error"] == "" and got["D"]["regular.S"] == "5"   # empty = base value
    assert got["C"]["error"] != ""


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                 st.integers(-10**6, 10**6).map(str),
                 st.sampled_from(["1e12", "1000000000001", "-1e12", "1e6", "1000000.5", "1e9", "1000000001"]),
                 st.sampled_from(["", " 2", "1_000", "0x10", "1e400", "-0", "nan", "TRUE", "2.0", "1e-320"]),
                 st.text(max_size=6)),
       st.sampled_from([(">= 0", False, 1e12), ("> 0", False, 1e3), (">= 1", True, 1e9),
                        ("(0, 1]", False, 1e12), ("[0, 1]", False, 1e12), ("(0, 1)", False, 1e12),
                        (">= 0", False, 1e6)]))
@settings(max_examples=400, deadline=None)
@example("1\x1f", (">= 0", False, 1e12))     # once read as 1.0 by the scenario, rejected here
@example("\x1f", (">= 0", False, 1e12))      # a lone control character is not an empty cell
def test_vectorised_checks_agree_with_the_scenario_rules(text, rule):
    rule, integer, maximum = rule
    col = P.Column(1, "k", "number", rule=rule, integer=integer, maximum=maximum,
                   base=0.5 if not integer else 1)
    values, given_, problems = P.check_numbers(col, [text, "1"])
    if not text.strip():
        assert not given_[0] or 0 in problems
        return
    try:
        ok_value = _number("k", text, rule, integer=integer, maximum=maximum)   # the scenario's rule
    except ScenarioError as exc:
        assert problems.get(0) == exc.rule
    else:
        assert 0 not in problems and values[0] == float(ok_value)


def test_formula_injection_is_escaped_in_csv(tmp_path, capsys):
    skus = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "\tTAB", "plain,with comma"]
    cat = write_csv(tmp_path / "inj.csv", ["sku"], [[s] for s in skus])
    out = tmp_path / "o.csv"
    assert main(["portfolio", cat, "-o", str(out)]) == 0
    got = [g["sku"] for g in read_csv(out)]
    # OWASP CSV injection: a leading ' on text starting with = + - @ TAB CR
    assert got == ["'" + s for s in skus[:5]] + ["plain,with comma"]


def test_xlsx_in_and_out_with_summary_chart_and_text_not_formulas(tmp_path, capsys):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in ROWS:                       # numbers as numbers, as a planner's workbook holds them
        ws.append([row[0]] + [float(c) if c and c[0].isdigit() else (c or None) for c in row[1:]])
    ws.append(["=1+2", 2, None, None, None, None, None, None, None, None])
    ws.cell(row=ws.max_row, column=1).data_type = "s"      # a text SKU that looks like a formula
    cat = tmp_path / "skus.xlsx"
    wb.save(cat)
    out = tmp_path / "out.xlsx"
    assert main(["portfolio", str(cat), "-o", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "Results"]
    res = book["Results"]
    header = [c.value for c in res[1]]
    got = [dict(zip(header, (c.value for c in r))) for r in res.iter_rows(min_row=2)]
    for g, row in zip(got, ROWS):
        assert_row_matches(g, expected(HEADER, row))
    # the formula-like SKU is a string cell, not a formula (reopened, and in the sheet XML)
    cell = res.cell(row=len(ROWS) + 2, column=1)
    assert cell.value == "=1+2" and cell.data_type == "s"
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml and "<t>=1+2</t>" in xml
    # summary sheet: counts and a native scatter chart with unit-titled axes
    summary = book["Summary"]
    rows = [[c.value for c in r] for r in summary.iter_rows()]
    assert ["SKUs evaluated", len(ROWS) + 1] in [r[:2] for r in rows]
    exps = [expected(HEADER, r) for r in ROWS] + [evaluate(BASE)]
    table = {r[0]: r for r in rows if r and r[0] in METHODS}
    for m in METHODS:
        assert table[m][1] == sum(e["cheapest"] == m for e in exps)
        assert table[m][4] == pytest.approx(sum(e["methods"][m]["total_cost"] for e in exps), rel=1e-12)
    charts = summary._charts
    assert len(charts) == 1
    chart_xml = zipfile.ZipFile(out).read("xl/charts/chart1.xml").decode()
    assert "<scatterChart>" in chart_xml
    assert "demand rate (parts/year)" in chart_xml and "saving over the runner-up (EUR)" in chart_xml


def test_refuses_to_overwrite_without_force(catalogue, tmp_path, capsys):
    out = tmp_path / "out.csv"
    out.write_text("precious", encoding="utf-8")
    assert main(["portfolio", catalogue, "-o", str(out)]) == 2
    assert "exists; use --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "precious"
    assert main(["portfolio", catalogue, "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("sku,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "skus.csv"]   # no temp left


def test_unusable_input_exits_2(tmp_path, capsys):
    out = str(tmp_path / "o.csv")
    assert main(["portfolio", str(tmp_path / "missing.csv"), "-o", out]) == 2
    assert "does not exist" in capsys.readouterr().err
    nosku = write_csv(tmp_path / "nosku.csv", ["SKU_ID", "demand.rate_per_year"], [["a", "1"]])
    assert main(["portfolio", nosku, "-o", out]) == 2
    assert "no 'sku' column" in capsys.readouterr().err
    assert main(["portfolio", nosku, "-o", str(tmp_path / "o.json")]) == 2
    assert "use a .csv or .xlsx file" in capsys.readouterr().err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert main(["portfolio", str(broken), "-o", out]) == 2
    assert not (tmp_path / "o.csv").exists()
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.err.count("\n") == 1


def test_number_formatter_reads_back_within_1e_11():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-1, 1, 2000) * 10.0 ** rng.integers(-8, 20, 2000),
                        [0.0, -0.0, 1.0, 0.1, 1e15, 999999999999.5, 1e-6, 123456.0, np.inf]])
    text = [bytes(r[r > 0]).decode() for r in P.format_numbers(x)]
    back = np.array([float(t) for t in text])          # Python's own float parser
    assert np.allclose(back, x, rtol=1e-11, atol=0) or np.all(
        np.isclose(back, x, rtol=1e-11, atol=0) | (x == 0))
    assert "e" not in text[-2] and text[-3] == "0.000001"
    assert all(t.strip() == t and t for t in text)


def test_progress_is_line_based_when_not_a_tty():
    stream = io.StringIO()
    p = Progress(stream)
    p(0.5, 100)                       # within the first second: quiet
    assert stream.getvalue() == ""
    p.start -= 2.0
    p(0.5, 100_000)
    assert stream.getvalue().startswith("amspares portfolio: 100,000 SKUs (50%)")
    assert "\r" not in stream.getvalue()


@pytest.mark.parametrize("chunk", ["1", "2", "100000"])
def test_csv_dialects_quotes_crlf_bom_semicolons(tmp_path, capsys, chunk):
    # Excel's "CSV UTF-8": BOM, CRLF; a quoted SKU with a comma and a line break; a
    # semicolon-separated file (European Excel). Expected: the same rows as a plain file.
    plain = write_csv(tmp_path / "plain.csv", HEADER[:3], [r[:3] for r in ROWS[:4]])
    assert main(["portfolio", plain, "-o", str(tmp_path / "plain_out.csv")]) == 0
    want = read_csv(tmp_path / "plain_out.csv")
    body = "\r\n".join(",".join(r[:3]) for r in ROWS[:4])
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbf" + (",".join(HEADER[:3]) + "\r\n" + body + "\r\n").encode())
    semi = tmp_path / "semi.csv"
    semi.write_text(";".join(HEADER[:3]) + "\n" + "\n".join(";".join(r[:3]) for r in ROWS[:4]) + "\n",
                    encoding="utf-8")
    for src in (excel, semi):
        out = tmp_path / f"{src.stem}_out.csv"
        assert main(["portfolio", str(src), "-o", str(out), "--chunk-size", chunk]) == 0
        assert read_csv(out) == want
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('sku,demand.rate_per_year\n"A, left\nhand",2\n"B ""x""",-1\nC,0.5\n', encoding="utf-8")
    out = tmp_path / "quoted_out.csv"
    assert main(["portfolio", str(quoted), "-o", str(out), "--chunk-size", chunk]) == 1
    got = read_csv(out)
    assert [g["sku"] for g in got] == ["A, left\nhand", 'B "x"', "C"]
    # spreadsheet rows count records, not physical lines: B is row 3
    assert got[1]["error"] == "row 3, demand.rate_per_year = -1: must be >= 0"
    assert got[0]["regular.S"] == "5" and got[2]["error"] == ""


def test_parallel_jobs_write_the_same_bytes(catalogue, tmp_path, capsys):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert main(["portfolio", catalogue, "-o", str(one), "--chunk-size", "2"]) == 0
    text_one = capsys.readouterr().out.split("\n", 1)[1]
    assert main(["portfolio", catalogue, "-o", str(two), "--chunk-size", "2", "--jobs", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert capsys.readouterr().out.split("\n", 1)[1] == text_one     # same summary


def test_base_scenario_without_part_has_no_impact(tmp_path, capsys):
    # --scenario: the case study without [part] (docs/model.md section 2: then no impact is computed)
    from importlib import resources

    text = resources.files("amspares.data").joinpath("case_study.toml").read_text(encoding="utf-8")
    start = text.index("[part]")
    end = text.index("\n[", start + 1)
    toml = tmp_path / "nopart.toml"
    toml.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    header = ["sku", "demand.rate_per_year", "part.weight_kg"]
    cat = write_csv(tmp_path / "c.csv", header, [["A", "1", ""], ["B", "2", "0.3"]])
    out = tmp_path / "o.csv"
    assert main(["portfolio", cat, "--scenario", str(toml), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert "row 3, part.weight_kg = 0.3: unknown column: the base scenario has no [part]" in captured.err
    a = read_csv(out)[0]
    assert a["regular.impact_mpts"] == "" and a["lowest_impact"] == "" and a["error"] == ""
    exp = evaluate(load_scenario(toml).with_values({"demand.rate_per_year": 1.0}))
    assert exp["lowest_impact"] is None
    assert math.isclose(float(a["regular.total_cost"]), exp["methods"]["regular"]["total_cost"], rel_tol=1e-9)
    assert "impact if all SKUs" in captured.out


def test_number_formatter_whole_numbers_match_python():
    # whole numbers (S, s, Q columns) take a table look-up: compare with Python's str(int)
    x = np.array([-99999.0, -1.0, 0.0, 7.0, 99999.0, np.nan, 42.0])
    text = [bytes(r[r > 0]).decode() for r in P.format_numbers(x)]
    assert text == ["-99999", "-1", "0", "7", "99999", "", "42"]
    big = np.array([100000.0, -100000.0, 123456789.0, np.nan])        # outside the table
    assert [bytes(r[r > 0]).decode() for r in P.format_numbers(big)] == ["100000", "-100000", "123456789", ""]


def test_order_quantity_advice_equals_amspares_evaluate(catalogue, tmp_path, capsys):
    out = tmp_path / "advice.csv"
    assert main(["portfolio", catalogue, "-o", str(out), "--advice", "--chunk-size", "4"]) == 0
    got = read_csv(out)
    assert "am_mto.advice_Q" not in got[0]                  # order methods have no advice
    seen_advice = False
    for g, row in zip(got, ROWS):
        exp = expected(HEADER, row)
        assert_row_matches(g, exp)
        for m in ("regular", "am_mts"):
            a = exp["methods"][m]["order_quantity_advice"]          # amspares evaluate's advice
            if a is None:
                assert g[f"{m}.advice_Q"] == "" and g[f"{m}.advice_saving"] == ""
            else:
                seen_advice = True
                assert int(g[f"{m}.advice_Q"]) == a["Q"]
                assert math.isclose(float(g[f"{m}.advice_saving"]), a["saving"], rel_tol=1e-9, abs_tol=1e-9)
    assert seen_advice
    # thesis 5.1.2: with moq 40 and n = 60, one order covering the demand beats 40 twice (the
    # model's one-order regime, docs/model.md section 3.2, starts at Q > n: the advice is Q = 61)
    assert int(got[1]["regular.advice_Q"]) >= 60 and float(got[1]["regular.advice_saving"]) > 0


def test_xlsx_chart_is_capped_for_large_catalogues(catalogue, tmp_path, capsys, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr(P.xlsx, "CHART_MAX_POINTS", 3)
    out = tmp_path / "big.xlsx"
    assert main(["portfolio", catalogue, "-o", str(out)]) == 0
    chart_xml = zipfile.ZipFile(out).read("xl/charts/chart1.xml").decode()
    assert "(first 3 SKUs)" in chart_xml and "Results'!$F$2:$F$4" in chart_xml   # F: the demand rate (xlsx layout: decision next to the SKU)
    assert load_workbook(out)["Results"].max_row == len(ROWS) + 1        # all rows written


def test_xlsx_catalogue_on_a_later_sheet(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["this workbook lists spare parts"])
    ws = wb.create_sheet("SKUs")
    ws.append(["sku", "demand.rate_per_year"])
    ws.append(["CASE", 2])
    wb.save(tmp_path / "book.xlsx")
    out = tmp_path / "o.csv"
    assert main(["portfolio", str(tmp_path / "book.xlsx"), "-o", str(out)]) == 0
    got = read_csv(out)[0]
    assert got["regular.S"] == "5" and round(float(got["regular.total_cost"]), 2) == 1735.71   # docs/model.md section 8


def test_breakdown_columns_are_the_one_component_lists_and_equal_amspares_evaluate(catalogue, tmp_path, capsys):
    """--breakdown writes every cost component (amspares.core.costs.COST_COMPONENTS) and
    every impact component (the fields of ImpactBreakdown) of each method; each equals the
    ``cost`` / ``impact`` object of ``amspares evaluate --json`` for that row, and the
    components add up to the row's total by the breakdown's own definition (Eq. 1, Eq. 32)."""
    import dataclasses

    from amspares.core.costs import COST_COMPONENTS, CostBreakdown
    from amspares.core.impact import ImpactBreakdown

    impact_components = [f.name for f in dataclasses.fields(ImpactBreakdown)]
    out = tmp_path / "out.csv"
    assert main(["portfolio", catalogue, "-o", str(out), "--breakdown"]) == 0
    got = read_csv(out)
    header = list(got[0])
    for m in METHODS:
        assert [h for h in header if h.startswith(f"{m}.cost.")] == [f"{m}.cost.{c}" for c in COST_COMPONENTS]
        assert [h for h in header if h.startswith(f"{m}.impact.")] == [f"{m}.impact.{c}" for c in impact_components]
    for g, row in zip(got, ROWS):
        exp = expected(HEADER, row)
        assert_row_matches(g, exp)
        for m in METHODS:
            cost = {c: num(g[f"{m}.cost.{c}"]) for c in COST_COMPONENTS}
            impact = {c: num(g[f"{m}.impact.{c}"]) for c in impact_components}
            for c in COST_COMPONENTS:
                assert math.isclose(cost[c], exp["methods"][m]["cost"][c], rel_tol=1e-9, abs_tol=1e-9), (g["sku"], m, c)
            for c in impact_components:
                assert math.isclose(impact[c], exp["methods"][m]["impact"][c], rel_tol=1e-9, abs_tol=1e-9), (g["sku"], m, c)
            assert math.isclose(CostBreakdown(**cost).total, num(g[f"{m}.total_cost"]), rel_tol=1e-9, abs_tol=1e-6)
            assert math.isclose(ImpactBreakdown(**impact).total, num(g[f"{m}.impact_mpts"]), rel_tol=1e-9, abs_tol=1e-6)
    # without --breakdown the output keeps its compact columns
    plain = tmp_path / "plain.csv"
    assert main(["portfolio", catalogue, "-o", str(plain)]) == 0
    assert not any(".cost." in h or ".impact." in h for h in read_csv(plain)[0])
