"""``amspares portfolio`` with demand history instead of ``demand.rate_per_year``.

Where expected values come from:

* the estimate, interval, class, phase-out flag and the decision's robustness of every SKU:
  ``amspares demand --base`` on the same history (:func:`amspares.robustness.assess_many`,
  checked against scipy/mpmath and hand examples in tests/test_demand.py and
  tests/test_robustness.py), compared at 1e-11 relative (12 significant digits in CSV);
* a row that overrides other inputs too: :func:`amspares.robustness.assess_demand` (the
  one-SKU path: :func:`amspares.core.demand.decision_robustness` with brentq) on the
  scenario built from that row by :mod:`amspares.scenario`;
* the costs of a history row: ``amspares portfolio`` on a catalogue giving the estimate as
  ``demand.rate_per_year`` (the rate-given path, itself checked against ``amspares
  evaluate`` in tests/test_portfolio.py);
* error texts: the rules of :mod:`amspares.history` (docs/demand.md).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from amspares.binding import bind
from amspares.cli import main
from amspares.robustness import assess_demand
from amspares.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BASE_TOML = str(ROOT / "pysrc" / "amspares" / "data" / "case_study.toml")


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def num(text):
    return math.nan if text == "" else float(text)


def close(a, b, rel=1e-11):
    a, b = num(a) if isinstance(a, str) else a, num(b) if isinstance(b, str) else b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


def run(*argv):
    return main(list(map(str, argv)))


# the columns of `amspares demand -o` and of the portfolio that say the same thing
SAME = [("rate_per_year", "demand.rate_estimate"), ("lower", "demand.rate_lower"),
        ("upper", "demand.rate_upper"), ("level", "demand.level"), ("periods", "demand.periods"),
        ("total", "demand.total"), ("adi", "demand.adi"), ("cv2", "demand.cv2"),
        ("flip_below", "decision.flip_below"), ("flip_above", "decision.flip_above")]
SAME_TEXT = [("class", "demand.class"), ("overdispersed", "demand.overdispersed"),
             ("phase_out", "demand.phase_out"), ("decision", "cheapest"),
             ("at_lower", "decision.at_lower"), ("at_upper", "decision.at_upper")]


def assert_same_as_demand(port_rows, demand_rows):
    by_sku = {r["sku"]: r for r in demand_rows}
    for p in port_rows:
        d = by_sku[p["sku"]]
        assert p["error"] == ""
        for a, b in SAME:
            assert close(d[a], p[b]), (p["sku"], a, d[a], p[b])
        for a, b in SAME_TEXT:
            assert d[a] == p[b], (p["sku"], a, d[a], p[b])
        want = "robust" if d["robustness"] == "robust" else "flips inside the interval: review"
        assert p["decision.robustness"] == want
        assert close(p["demand.rate_per_year"], d["rate_per_year"])


@pytest.mark.parametrize("level", ["0.9", "0.8"])
def test_history_columns_equal_amspares_demand(tmp_path, capsys, level):
    out = tmp_path / "out.csv"
    dem = tmp_path / "dem.csv"
    hist = EXAMPLES / "demand_history.csv"
    assert run("portfolio", hist, "-o", out, "--level", level) == 0
    text = capsys.readouterr().out
    assert run("demand", hist, "--base", BASE_TOML, "--level", level, "-o", dem) == 0
    port, demand = read(out), read(dem)
    assert len(port) == len(demand) == 8
    assert_same_as_demand(port, demand)
    review = sum(r["decision.robustness"] != "robust" for r in port)
    assert f"rate from history for 8 SKUs: decision robust for {8 - review}, to review for {review}" in text


def test_history_row_costs_equal_the_rate_given_path(tmp_path, capsys):
    out, out2 = tmp_path / "h.csv", tmp_path / "r.csv"
    assert run("portfolio", EXAMPLES / "demand_history.csv", "-o", out) == 0
    hist = read(out)
    cat = write(tmp_path / "rates.csv", ["sku", "demand.rate_per_year"],
                [[r["sku"], r["demand.rate_per_year"]] for r in hist])
    assert run("portfolio", cat, "-o", out2) == 0
    capsys.readouterr()
    given = {r["sku"]: r for r in read(out2)}
    for r in hist:
        g = given[r["sku"]]
        for k, v in g.items():
            if k in ("demand.rate_per_year", "sku", "error", "cheapest", "lowest_impact",
                     "lowest_impact_co2e"):
                assert r[k] == v
            else:
                assert close(r[k], v, 1e-11), (r["sku"], k)


def test_rows_with_their_own_inputs_decide_on_their_own_model(tmp_path, capsys):
    """Each row's robustness is searched on its own model: a new mould (investment) on one
    row, a minimum order on another, the base on a third; as assess_demand on the
    scenario built from that row."""
    months = [f"history.2021-{m:02d}" for m in range(1, 13)] + [f"history.2022-{m:02d}" for m in range(1, 13)]
    hist = [[0, 1, 0, 0, 2, 0] * 4, [1, 0, 0, 0, 0, 0] * 4, [0, 0, 3, 0, 0, 1] * 4, [0] * 24]
    extra = [["", ""], ["20000", ""], ["", "50"], ["20000", "10"]]
    header = ["sku", "methods.regular.investment", "methods.regular.moq"] + months
    rows = [[f"SKU-{i}"] + e + [str(x) for x in h] for i, (e, h) in enumerate(zip(extra, hist))]
    cat = write(tmp_path / "cat.csv", header, rows)
    out = tmp_path / "out.csv"
    assert run("portfolio", cat, "-o", out, "--chunk-size", "3") == 0
    capsys.readouterr()
    got = read(out)
    for r, e, h in zip(got, extra, hist):
        values = {k: float(v) for k, v in zip(header[1:3], e) if v}
        if "methods.regular.moq" in values:
            values["methods.regular.moq"] = int(values["methods.regular.moq"])
        a = assess_demand(np.array(h, float), 12.0, 0.9, bind(load_scenario().with_values(values)))
        assert close(r["demand.rate_estimate"], float(a.estimate.rate))
        assert close(r["demand.rate_lower"], float(a.estimate.lower))
        assert close(r["demand.rate_upper"], float(a.estimate.upper))
        assert r["demand.class"] == str(a.demand_class.label)
        assert r["cheapest"] == a.decision.at_estimate
        assert r["decision.at_lower"] == a.decision.at_lower
        assert r["decision.at_upper"] == a.decision.at_upper
        assert (r["decision.robustness"] == "robust") == a.decision.robust
        assert close(r["decision.flip_below"], a.decision.flip_below, 1e-9)
        assert close(r["decision.flip_above"], a.decision.flip_above, 1e-9)


def test_transactions_file_with_history_option(tmp_path, capsys):
    """--history TRANSACTIONS.csv: as amspares demand on the same file; a catalogue SKU the
    file does not list had no demand in its window; a row with its own rate keeps it."""
    tx = EXAMPLES / "demand_transactions.csv"
    skus = sorted({r["sku"] for r in read(tx)})
    cat = write(tmp_path / "cat.csv", ["sku", "demand.rate_per_year", "Planner"],
                [[s, "", "Ann"] for s in skus] + [["NEVER-ASKED", "", "Bob"], ["GIVEN-RATE", "3", "Bob"]])
    out, dem = tmp_path / "out.csv", tmp_path / "dem.csv"
    assert run("portfolio", cat, "--history", tx, "--period", "quarter", "-o", out) == 0
    assert run("demand", tx, "--period", "quarter", "--base", BASE_TOML, "-o", dem) == 0
    capsys.readouterr()
    got = read(out)
    assert_same_as_demand(got[:len(skus)], read(dem))
    assert [r["Planner"] for r in got] == ["Ann"] * len(skus) + ["Bob", "Bob"]
    never, given = got[-2], got[-1]
    periods = float(got[0]["demand.periods"])
    assert never["demand.rate_estimate"] == "0" and never["demand.total"] == "0"
    assert never["demand.class"] == "no demand" and float(never["demand.periods"]) == periods
    assert close(never["demand.rate_upper"], -math.log(0.05) / (periods / 4))    # Garwood, N = 0
    assert given["demand.rate_per_year"] == "3" and given["demand.rate_estimate"] == ""
    assert given["demand.class"] == "" and given["decision.robustness"] == "" and given["error"] == ""


def test_wide_history_file_option_and_xlsx_output(tmp_path, capsys):
    hist = EXAMPLES / "demand_history.csv"
    skus = [r["sku"] for r in read(hist)]
    cat = write(tmp_path / "cat.csv", ["sku"], [[s] for s in skus])
    out, ref = tmp_path / "out.xlsx", tmp_path / "ref.csv"
    assert run("portfolio", cat, "--history", hist, "-o", out) == 0
    assert run("portfolio", hist, "-o", ref) == 0
    capsys.readouterr()
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    rows = list(wb["Results"].iter_rows(values_only=True))
    header = list(rows[0])
    summary = [r for r in wb["Summary"].iter_rows(values_only=True) if r and r[0] == "demand"]
    wb.close()
    want = read(ref)
    assert header == list(want[0].keys())
    for row, w in zip(rows[1:], want):
        for k, v in zip(header, row):
            if isinstance(v, float):
                assert close(v, w[k]), k
            else:
                assert ("" if v is None else str(v)) == w[k], k
    assert summary and summary[0][1].startswith("rate from history for 8 SKUs")


def test_bad_history_cells_name_sku_column_value_and_rule(tmp_path, capsys):
    header = ["sku", "demand.rate_per_year", "history.2024-01", "history.2024-02", "history.2024-03"]
    rows = [["GOOD", "", "0", "1", "0"],
            ["TEXT", "", "0", "two", "0"],
            ["NEG", "", "0", "-1", "0"],
            ["HALF", "", "1.5", "0", "0"],
            ["GAP", "", "1", "", "0"],
            ["BOTH", "2", "0", "1", "0"],
            ["NONE", "", "", "", ""],
            ["RATE-ONLY", "2", "", "", ""],
            ["LATE-START", "", "", "", "1"]]
    cat = write(tmp_path / "cat.csv", header, rows)
    out = tmp_path / "out.csv"
    assert run("portfolio", cat, "-o", out) == 1
    err = capsys.readouterr().err
    got = {r["sku"]: r["error"] for r in read(out)}
    assert got["GOOD"] == got["RATE-ONLY"] == got["LATE-START"] == ""
    assert got["TEXT"] == "row 3 (SKU TEXT), history.2024-02 = two: must be a number"
    assert got["NEG"] == ("row 4 (SKU NEG), history.2024-02 = -1: must be a whole number >= 0 "
                          "(the parts demanded in that period)")
    assert got["HALF"].startswith("row 5 (SKU HALF), history.2024-01 = 1.5: must be a whole number")
    assert got["GAP"].startswith("row 6 (SKU GAP), history.2024-02 = (empty): is empty after the SKU's "
                                 "first period: write 0")
    assert got["BOTH"].startswith("row 7 (SKU BOTH), demand.rate_per_year = (given): has a demand "
                                  "history too: give either")
    assert got["NONE"].startswith("row 8 (SKU NONE), history = (empty): needs at least one period")
    assert got["TEXT"] in err
    rate_only = next(r for r in read(out) if r["sku"] == "RATE-ONLY")
    assert rate_only["demand.rate_per_year"] == "2" and rate_only["demand.rate_estimate"] == ""
    late = next(r for r in read(out) if r["sku"] == "LATE-START")
    assert late["demand.periods"] == "1" and late["demand.rate_estimate"] == "12"   # 1 part in 1/12 year


@pytest.mark.parametrize("header,extra,message", [
    (["sku", "history.2024-01", "history.2024-03"], (), "history.2024-02 is missing"),
    (["sku", "history.a", "history.b"], (), "periods_per_year = '(not given)': needed when the history columns"),
    (["sku", "history.2024-01"], ("--history", "HIST"), "give the history one way only"),
    (["sku"], ("--history", "MISSING"), "the file does not exist"),
    (["sku", "history.2024-01"], ("--level", "90"), "--level = 90.0: must be between 0 and 1"),
])
def test_unusable_history_exits_2(tmp_path, capsys, header, extra, message):
    cat = write(tmp_path / "cat.csv", header, [["A"] + ["1"] * (len(header) - 1)])
    extra = [str(EXAMPLES / "demand_history.csv") if e == "HIST" else
             str(tmp_path / "nope.csv") if e == "MISSING" else e for e in extra]
    assert run("portfolio", cat, "-o", tmp_path / "out.csv", *extra) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_undated_columns_with_periods_per_year_and_a_wide_file_missing_a_sku(tmp_path, capsys):
    cat = write(tmp_path / "cat.csv", ["sku", "history.1", "history.2", "history.3", "history.4"],
                [["Q", "1", "0", "2", "0"]])
    out = tmp_path / "out.csv"
    assert run("portfolio", cat, "-o", out, "--periods-per-year", "4") == 0
    r = read(out)[0]
    assert r["demand.rate_estimate"] == "3" and r["demand.periods"] == "4"     # 3 parts in one year
    cat2 = write(tmp_path / "cat2.csv", ["sku"], [["LCD-COVER-PA"], ["NOT-IN-FILE"]])
    assert run("portfolio", cat2, "--history", EXAMPLES / "demand_history.csv", "-o", tmp_path / "o2.csv") == 1
    capsys.readouterr()
    errs = [r["error"] for r in read(tmp_path / "o2.csv")]
    assert errs[0] == ""
    assert errs[1].startswith("row 3 (SKU NOT-IN-FILE), sku = NOT-IN-FILE: has no row in the history file")


def test_jobs_and_chunks_do_not_change_history_output(tmp_path, capsys):
    hist = EXAMPLES / "demand_history.csv"
    outs = []
    for i, extra in enumerate([(), ("--chunk-size", "3"), ("--chunk-size", "2", "--jobs", "2")]):
        out = tmp_path / f"o{i}.csv"
        assert run("portfolio", hist, "-o", out, *extra) == 0
        outs.append(out.read_bytes())
    capsys.readouterr()
    assert outs[0] == outs[1] == outs[2]


def test_example_catalogue_with_history_columns_and_the_docs(tmp_path, capsys):
    """examples/catalogue_history.csv: the eight SKUs of demand_history.csv with their own
    inputs (from examples/catalogue.csv) and one row with a given rate; each history row
    as assess_demand on the scenario built from its row; the docs' blocks are real output."""
    out = tmp_path / "out.csv"
    assert run("portfolio", EXAMPLES / "catalogue_history.csv", "-o", out) == 0
    text = capsys.readouterr().out
    got = read(out)
    with open(EXAMPLES / "catalogue_history.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    hist_cols = [j for j, h in enumerate(header) if h.startswith("history.")]
    inputs = [j for j, h in enumerate(header) if h.startswith(("methods.", "part.", "downtime."))]
    assert len(got) == 9
    for r, raw in zip(got, rows[1:]):
        assert r["sku"] == raw[0] and r["Planner"] == raw[1] and r["error"] == ""
        if raw[2]:                                   # the row with a given rate
            assert r["demand.rate_per_year"] == raw[2] and r["demand.rate_estimate"] == ""
            continue
        values = {header[j]: (int(raw[j]) if header[j].endswith(".moq") else float(raw[j])) for j in inputs}
        q = np.array([float(raw[j]) if raw[j] else math.nan for j in hist_cols])
        a = assess_demand(q, 12.0, 0.9, bind(load_scenario().with_values(values)))
        assert close(r["demand.rate_per_year"], float(a.estimate.rate))
        assert close(r["demand.rate_upper"], float(a.estimate.upper))
        assert r["demand.class"] == str(a.demand_class.label)
        assert r["cheapest"] == a.decision.at_estimate
        assert (r["decision.robustness"] == "robust") == a.decision.robust
    docs = (ROOT / "docs" / "demand.md").read_text(encoding="utf-8")
    block = next(b for b in docs.split("```")[1::2] if b.startswith("\n9 SKUs evaluated"))
    for line in block.strip("\n").splitlines():
        assert line in text.splitlines(), line
    review = [r["sku"] for r in got if r["decision.robustness"].endswith("review")]
    assert review == ["BEZEL-TV55"]                 # as docs/demand.md section 8 says


def test_the_error_lines_in_docs_catalogues_are_real(tmp_path, capsys):
    test_bad_history_cells_name_sku_column_value_and_rule(tmp_path, capsys)
    got = {r["sku"]: r["error"] for r in read(tmp_path / "out.csv")}
    docs = (ROOT / "docs" / "catalogues.md").read_text(encoding="utf-8")
    block = next(b for b in docs.split("```")[1::2] if b.startswith("\nrow 3 (SKU TEXT)"))
    for line in block.strip("\n").splitlines():
        assert line in got.values(), line


def test_shared_search_and_row_by_row_search_agree(tmp_path, capsys, monkeypatch):
    """Rows sharing every input but the history: one search for all
    (robustness.decide_many, brentq) or each its own (decide_rows, bisection) give the same
    decisions and flips (1e-9)."""
    from amspares.portfolio import history as ph

    hist = EXAMPLES / "demand_history.csv"
    outs = {}
    for shared in (1, 10 ** 9):
        monkeypatch.setattr(ph, "SHARED_SEARCH_ROWS", shared)
        out = tmp_path / f"o{shared}.csv"
        assert run("portfolio", hist, "--scenario", EXAMPLES / "lost_mould.toml", "-o", out) == 0
        outs[shared] = read(out)
    capsys.readouterr()
    for a, b in zip(outs[1], outs[10 ** 9]):
        for k in a:
            if k.startswith("decision.flip"):
                assert close(a[k], b[k], 1e-9), (a["sku"], k)
            else:
                assert a[k] == b[k], (a["sku"], k)
    assert sum(r["decision.flip_above"] != "" for r in outs[1]) >= 3       # flips were compared
