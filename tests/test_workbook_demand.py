"""The workbook's Demand sheet (a scenario whose rate comes from history), recalculated by
LibreOffice (tests/lo.py forces every formula to be computed on load).

Where expected values come from:

* the rate and its interval: the Garwood bounds as chi-square quantiles,
  ``chi2.ppf(alpha/2, 2N) / 2T`` and ``chi2.ppf(1 - alpha/2, 2N + 2) / 2T`` (scipy.stats,
  independent of the Gamma inversion the core and the sheet use), and
  :func:`amspares.core.demand.poisson_rate_estimate`; 1e-9 relative;
* the class, ADI and CV²: :func:`amspares.core.demand.demand_class` (checked against
  tsintermittent conventions in tests/test_demand.py);
* the cached cells: every formula's LibreOffice value equals the value amspares cached;
* the decision's words: :func:`amspares.robustness.assess_scenario`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from scipy import stats

import lo
from amspares.core import demand as dm
from amspares.robustness import assess_scenario
from amspares.scenario import load_scenario
from amspares.workbook.demand_sheet import SHEET, TOP
from amspares.workbook.writer import write_scenario_workbook

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    raise RuntimeError("LibreOffice (soffice) is needed for these tests; tests/run.sh installs it")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "demand_from_history.toml"


def close(a, b, rel=1e-9):
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return (a if a is not None else "") == (b if b is not None else "")
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)


def scenario_for(tmp_path, sku):
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('history_file = "demand_history.csv"',
                        f'history_file = "{(ROOT / "examples" / "demand_history.csv").as_posix()}"')
    text = text.replace('sku = "LCD-COVER-PA"', f'sku = "{sku}"')
    path = tmp_path / f"{sku}.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def garwood(q, ppy, level):
    q = np.asarray(q, float)
    n = int(np.sum(~np.isnan(q)))
    N = float(np.nansum(q))
    T = n / ppy
    a = 1 - level
    lower = stats.chi2.ppf(a / 2, 2 * N) / (2 * T) if N > 0 else 0.0
    return N / T, lower, stats.chi2.ppf(1 - a / 2, 2 * N + 2) / (2 * T)


def first_row(ws):
    return next(r for r in range(TOP, ws.max_row + 1) if ws[f"A{r}"].value == "period") + 1


def errors(ws):
    return [(c.coordinate, c.value) for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("#")]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """LCD-COVER-PA (intermittent), HINGE-DISHW-L (lumpy, batches), BEZEL-TV55 (no demand,
    history starting 2 years late: empty cells before it existed)."""
    d = tmp_path_factory.mktemp("demand_sheet")
    out = {}
    for sku in ("LCD-COVER-PA", "HINGE-DISHW-L", "BEZEL-TV55"):
        s = scenario_for(d, sku)
        path = write_scenario_workbook(s, None, d / f"{sku}.xlsx")
        cached = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path)
        # edit the history: one more part in the SKU's first observed period, 3 in the last
        ws = formulas[SHEET]
        first = first_row(ws)
        q = np.array(s.history.quantities, float)
        j0 = int(np.flatnonzero(~np.isnan(q))[0])
        edited = q.copy()
        edited[j0] += 1
        edited[-1] = 3
        ws[f"B{first + j0}"] = int(edited[j0])
        ws[f"B{first + q.size - 1}"] = 3
        formulas.save(d / f"{sku}-edited.xlsx")
        out[sku] = {"scenario": s, "cached": cached,
                    "lo": openpyxl.load_workbook(lo.recalculate(path, d / "lo"), data_only=True),
                    "edited_lo": openpyxl.load_workbook(lo.recalculate(d / f"{sku}-edited.xlsx", d / "lo_e"),
                                                        data_only=True),
                    "edited": edited}
    return out


SKUS = ("LCD-COVER-PA", "HINGE-DISHW-L", "BEZEL-TV55")


@pytest.mark.parametrize("sku", SKUS)
def test_every_formula_equals_its_cached_value_and_none_fails(books, sku):
    b = books[sku]
    ws_lo, ws_c = b["lo"][SHEET], b["cached"][SHEET]
    assert errors(ws_lo) == []
    checked = 0
    for row in ws_c.iter_rows():
        for c in row:
            if c.value is None:
                continue
            got = ws_lo[c.coordinate].value
            assert close(got, c.value), (sku, c.coordinate, got, c.value)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("sku", SKUS)
def test_rate_interval_and_class_equal_scipy_and_the_core(books, sku):
    b = books[sku]
    s, ws = b["scenario"], b["lo"][SHEET]
    h = s.history
    rate, lower, upper = garwood(h.quantities, h.periods_per_year, h.level)
    assert close(ws["B11"].value, rate) and close(ws["B12"].value, lower) and close(ws["B13"].value, upper)
    c = dm.demand_class(np.array(h.quantities, float))
    assert ws["B26"].value == str(c.label)
    assert ws["B8"].value == int(c.periods) and ws["B18"].value == int(c.demand_periods)
    if int(c.demand_periods):
        assert close(ws["B19"].value, float(c.adi))
    if int(c.demand_periods) > 1:
        assert close(ws["B21"].value, float(c.cv2))
    assert ws["B15"].value == "yes"          # the Inputs sheet's rate is this estimate
    assert close(ws["B14"].value, s.inputs()["demand.rate_per_year"])


@pytest.mark.parametrize("sku", SKUS)
def test_edited_history_recalculates_to_the_core(books, sku):
    b = books[sku]
    ws = b["edited_lo"][SHEET]
    h = b["scenario"].history
    e = dm.poisson_rate_estimate(b["edited"], h.periods_per_year, h.level)
    c = dm.demand_class(b["edited"])
    assert close(ws["B10"].value, float(e.total))
    assert close(ws["B11"].value, float(e.rate))
    assert close(ws["B12"].value, float(e.lower))
    assert close(ws["B13"].value, float(e.upper))
    assert ws["B26"].value == str(c.label)
    assert close(ws["B19"].value, float(c.adi))
    if int(c.demand_periods) > 1:
        assert close(ws["B21"].value, float(c.cv2))
    assert ws["B15"].value.startswith("no")   # the Inputs rate is no longer the estimate


def test_cached_decision_words_are_amspares(books):
    b = books["LCD-COVER-PA"]
    a = assess_scenario(b["scenario"])
    ws = b["cached"][SHEET]
    labels = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(TOP, TOP + 8)}
    assert labels["cheapest at the estimate"] == a.decision.at_estimate
    assert labels["robustness"] == ("robust" if a.decision.robust else "flips inside the interval: review")
    flip = labels["nearest flip above the interval (parts/year)"]
    assert close(flip, a.decision.flip_above, 1e-12)
    assert labels["phase-out (last year clearly below the rest)"].startswith("no")
    lumpy = books["HINGE-DISHW-L"]["cached"][SHEET]
    row = next(r for r in range(TOP, TOP + 3) if lumpy[f"A{r}"].value.startswith("demand comes in batches"))
    assert lumpy[f"B{row}"].value.startswith("yes")
