"""Reading demand history (amspares.history): the wide form, the long transactions form,
and the examples in examples/.

Expected numbers are written into the small files each test builds (so they are read back,
not computed), or, for the examples, the design of the example (which SKU starts late,
which comes in batches, which stops) checked with the core's tests.
"""

import math
from pathlib import Path

import numpy as np
import pytest

from amspares.core.demand import demand_class, phase_out_flag, poisson_rate_estimate
from amspares.errors import ScenarioError
from amspares.history import (
    PERIODS_PER_YEAR, History, history_columns, parse_history_cells, period_labels,
    read_transactions, read_wide_history,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def write(tmp_path, text, name="h.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------- wide form


def test_wide_form_reads_quantities_and_blanks_before_the_first_period(tmp_path):
    p = write(tmp_path, "sku,part.weight_kg,history.2021-11,history.2021-12,history.2022-01\n"
                        "A,0.2,1,0,3\nB,0.1,,,2\nC,0.3,0,0,0\n")
    h = read_wide_history(p)
    assert h.skus == ("A", "B", "C")
    assert h.labels == ("2021-11", "2021-12", "2022-01")
    assert h.period == "month" and h.periods_per_year == 12.0
    assert np.array_equal(h.quantities, [[1, 0, 3], [np.nan, np.nan, 2], [0, 0, 0]], equal_nan=True)
    assert h.wide_header() == ["sku", "history.2021-11", "history.2021-12", "history.2022-01"]
    # B was observed for 1 month with 2 parts: 24 a year
    assert poisson_rate_estimate(h.quantities, h.periods_per_year).rate.tolist() == [16.0, 24.0, 0.0]


def test_semicolons_bom_quarters_and_iso_weeks(tmp_path):
    p = write(tmp_path, "\ufeffsku;history.2021-Q4;history.2022-Q1\nA;1;2\n")
    h = read_wide_history(p)
    assert h.period == "quarter" and h.periods_per_year == 4.0 and h.quantities.tolist() == [[1, 2]]
    # 2020 has an ISO week 53; week 1 of 2021 follows it
    labels, kind, ppy = period_labels(["history.2020-W52", "history.2020-W53", "history.2021-W01"])
    assert kind == "week" and ppy == pytest.approx(365.2425 / 7)
    assert period_labels(["history.2021-W52", "history.2022-W01"])[1] == "week"
    with pytest.raises(ScenarioError, match=r"history.2021-W53 = '2021-W53': is not a week"):
        period_labels(["history.2021-W52", "history.2021-W53"])   # 2021 has no week 53


def test_unnamed_periods_need_periods_per_year(tmp_path):
    p = write(tmp_path, "sku,history.1,history.2,history.3\nA,1,0,1\n")
    with pytest.raises(ScenarioError, match=r"periods_per_year = '\(not given\)': needed when"):
        read_wide_history(p)
    h = read_wide_history(p, periods_per_year=52)
    assert h.period is None and h.periods_per_year == 52.0 and h.labels == ("1", "2", "3")
    with pytest.raises(ScenarioError, match=r"the history columns are months \(12 per year\)"):
        period_labels(["history.2021-01"], periods_per_year=52)


@pytest.mark.parametrize("body, match", [
    ("A,1,,2\n", r"row 2, history.2021-02 = '\(empty\)': is empty after the SKU's first period: write 0"),
    ("A,1,-1,2\n", r"row 2, history.2021-02 = '-1': must be a whole number >= 0"),
    ("A,1,0.5,2\n", r"row 2, history.2021-02 = '0.5': must be a whole number >= 0"),
    ("A,1,two,2\n", r"row 2, history.2021-02 = 'two': must be a number"),
    ("A,1,nan,2\n", r"row 2, history.2021-02 = 'nan': must be a number"),
    ("A,1,inf,2\n", r"row 2, history.2021-02 = 'inf': must be a whole number"),
    ("A,,,\n", r"row 2, history.2021-01 = '\(empty\)': needs at least one period"),
    ("A,1,0,2\nA,0,0,0\n", r"row 3, sku = 'A': appears twice \(also row 2\)"),
    (",1,0,2\n", r"row 2, sku = '\(empty\)': must not be empty"),
    ("A,1,0,2\nB,1,0,2,7\n", r"row 3 = '5 fields': the header has 4"),
])
def test_wide_form_errors_name_row_column_cell_and_rule(tmp_path, body, match):
    p = write(tmp_path, "sku,history.2021-01,history.2021-02,history.2021-03\n" + body)
    with pytest.raises(ScenarioError, match=match):
        read_wide_history(p)


@pytest.mark.parametrize("header, match", [
    ("sku,history.2021-01,history.2021-03", r"history.2021-03 = 'after history.2021-01': the periods "
                                            r"must be consecutive, oldest first \(history.2021-02 is missing\)"),
    ("sku,history.2021-02,history.2021-01", r"\(it is out of order\)"),
    ("sku,history.2021-01,history.2021-Q2", r"history.2021-Q2 = '2021-Q2': is not a month"),
    ("sku,history.2021-13", r"periods_per_year = '\(not given\)'"),
    ("sku,history.a,history.a", r"history.a = '\(twice\)': each period needs its own column"),
    ("sku,demand.rate_per_year", r"needs history.<period> columns"),
    ("part,history.2021-01", r"needs a column named sku"),
])
def test_wide_form_header_errors(tmp_path, header, match):
    p = write(tmp_path, header + "\n" + "A" + ",1" * (header.count(",")) + "\n")
    with pytest.raises(ScenarioError, match=match):
        read_wide_history(p)


def test_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match=r"history file = '.*nope.csv': the file does not exist"):
        read_wide_history(tmp_path / "nope.csv")
    with pytest.raises(ScenarioError, match=r"is a folder"):
        read_wide_history(tmp_path)
    (tmp_path / "latin1.csv").write_bytes("sku,history.2021-01\nCaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"is not UTF-8 text"):
        read_wide_history(tmp_path / "latin1.csv")
    with pytest.raises(ScenarioError, match=r"is empty"):
        read_wide_history(write(tmp_path, "\n\n"))


def test_parse_history_cells_reports_the_first_problem_per_row():
    names = ["history.2021-01", "history.2021-02", "history.2021-03"]
    cols = [["", "1", "x", "", "2"], ["3", "", "1", "", "1.0"], ["0", "2", "-2", "", "0"]]
    q, bad = parse_history_cells(cols, names)
    assert sorted(bad) == [1, 2, 3]
    assert bad[1] == ("history.2021-02", "(empty)", pytest.approx(bad[1][2]))
    assert bad[2][:2] == ("history.2021-01", "x")
    assert bad[3][:2] == ("history.2021-01", "(empty)")
    assert np.array_equal(q[0], [np.nan, 3, 0], equal_nan=True) and q[4].tolist() == [2, 1, 0]
    assert np.all(np.isnan(q[1:4]))                   # a bad row's quantities are not used
    assert history_columns(["SKU", " History.2021-01", "x"]) == [1]


# --------------------------------------------------------------------------- long form


TRANSACTIONS = ("sku,date,quantity,comment\n"
                "A,2021-01-31,1,x\n"
                "B,2021-02-01,2,\n"
                "A,2021-03-15,1,\n"
                "A,2021-03-16T10:30:00,2,\n")


def test_transactions_by_month_quarter_and_week(tmp_path):
    p = write(tmp_path, TRANSACTIONS)
    h = read_transactions(p, "month")
    assert h.skus == ("A", "B") and h.labels == ("2021-01", "2021-02", "2021-03")
    assert h.quantities.tolist() == [[1, 0, 3], [0, 2, 0]] and h.periods_per_year == 12.0
    assert read_transactions(p, "quarter").quantities.tolist() == [[4], [2]]
    # ISO weeks: 2021-01-31 is a Sunday (week 4), 2021-02-01 a Monday (week 5);
    # 2021-03-15/16 are Monday/Tuesday of week 11
    w = read_transactions(p, "week")
    assert w.labels[0] == "2021-W04" and w.labels[-1] == "2021-W11" and len(w.labels) == 8
    assert w.quantities[0].tolist() == [1, 0, 0, 0, 0, 0, 0, 3]
    assert w.quantities[1].tolist() == [0, 2, 0, 0, 0, 0, 0, 0]
    assert w.periods_per_year == PERIODS_PER_YEAR["week"]


def test_transactions_window_and_skus_without_demand(tmp_path):
    p = write(tmp_path, TRANSACTIONS)
    h = read_transactions(p, "month", start="2021-02", end="2021-06-30", skus=["Z", "B"])
    assert h.skus == ("Z", "B", "A")
    assert h.labels == ("2021-02", "2021-03", "2021-04", "2021-05", "2021-06")
    assert h.quantities.tolist() == [[0] * 5, [2, 0, 0, 0, 0], [0, 3, 0, 0, 0]]
    assert h.ignored == 1                             # A's January part is before the window
    with pytest.raises(ScenarioError, match=r"end = '2020-12': must not be before start 2021-02"):
        read_transactions(p, "month", start="2021-02", end="2020-12")
    with pytest.raises(ScenarioError, match=r"start = 'March': must be a month like 2021-01 or a date"):
        read_transactions(p, "month", start="March")


@pytest.mark.parametrize("row, match", [
    ("A,31/01/2021,1", r"row 2, date = '31/01/2021': must be a date YYYY-MM-DD"),
    ("A,2021-01-31,-1", r"row 2, quantity = '-1': must be a whole number >= 0"),
    ("A,2021-01-31,1.5", r"row 2, quantity = '1.5': must be a whole number"),
    ("A,2021-01-31,", r"row 2, quantity = '\(empty\)': must be a number"),
    (",2021-01-31,1", r"row 2, sku = '\(empty\)': must not be empty"),
    ("A,2021-01-31", r"row 2 = '2 fields': needs the sku, date and quantity columns"),
])
def test_transaction_errors(tmp_path, row, match):
    p = write(tmp_path, "sku,date,quantity\n" + row + "\n")
    with pytest.raises(ScenarioError, match=match):
        read_transactions(p, "month")


def test_transaction_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match=r"period = 'day': must be one of month, quarter, week"):
        read_transactions(write(tmp_path, TRANSACTIONS), "day")
    with pytest.raises(ScenarioError, match=r"needs a column named quantity"):
        read_transactions(write(tmp_path, "sku,date,qty\nA,2021-01-01,1\n"))
    empty = write(tmp_path, "sku,date,quantity\n")
    with pytest.raises(ScenarioError, match=r"has no transactions"):
        read_transactions(empty)
    h = read_transactions(empty, start="2021-01", end="2021-02", skus=["A"])
    assert h.quantities.tolist() == [[0, 0]]


# --------------------------------------------------------------------------- examples


def test_example_files_agree_and_show_what_they_are_built_for():
    wide = read_wide_history(EXAMPLES / "demand_history.csv")
    assert wide.labels[0] == "2021-01" and wide.labels[-1] == "2025-12" and len(wide.labels) == 60
    long = read_transactions(EXAMPLES / "demand_transactions.csv", "month", start="2021-01",
                             end="2025-12", skus=wide.skus)
    assert long.skus == wide.skus and long.labels == wide.labels and long.ignored == 0
    # the same demand; where the wide form is blank (before the SKU existed) the long form
    # can only say 0
    q = wide.quantities
    assert np.array_equal(np.where(np.isnan(q), 0, q), long.quantities)
    i = {s: k for k, s in enumerate(wide.skus)}
    assert np.isnan(q[i["BEZEL-TV55"], :24]).all() and not np.isnan(q[i["BEZEL-TV55"], 24:]).any()
    assert np.isnan(q[i["LATCH-DOOR-FRIDGE"], :30]).all()
    c = demand_class(q)
    assert c.label[i["BEZEL-TV55"]] == "no demand"
    assert c.label[i["CLIP-CABLE-SET"]] == "smooth"
    assert c.label[i["HINGE-DISHW-L"]] == "lumpy" and c.overdispersed[i["HINGE-DISHW-L"]]
    assert c.overdispersed.sum() == 1                 # only the batch SKU
    units = phase_out_flag(q, 12)
    periods = phase_out_flag(q, 12, counts="periods")
    assert units.flag[i["SPOOL-HOLDER-OLD"]] and periods.flag[i["SPOOL-HOLDER-OLD"]]
    assert periods.flag.sum() == 1                    # only the SKU that stopped
    assert units.flag[i["HINGE-DISHW-L"]]             # batches fool the unit count test
    e = poisson_rate_estimate(q, wide.periods_per_year)
    # 8 parts in 5 years for the case-study part: 1.6 a year
    assert e.rate[i["LCD-COVER-PA"]] == pytest.approx(np.nansum(q[i["LCD-COVER-PA"]]) / 5)
    assert math.isclose(float(e.years[i["LATCH-DOOR-FRIDGE"]]), 2.5)


def test_history_is_a_frozen_record():
    h = History(("A",), ("1",), np.zeros((1, 1)), None, 12.0)
    with pytest.raises(AttributeError):
        h.skus = ("B",)
