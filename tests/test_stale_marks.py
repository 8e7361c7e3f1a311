"""Stale marks (amspares.workbook.stale), recalculated by headless LibreOffice.

The case-study workbook of ``amspares scenario -o`` is edited as a recipient would (through
the input cells' defined names, tests/lo.py recalculates every formula), and the marks on
Results and on the six situation sheets must say, live, whether the inputs still equal
those the Python numbers were computed from. The expected states follow from the edits
themselves: no edit, or a value typed again equal to the one used, is "the same inputs";
the issue's recipient edit (rate 10, AM price 40) makes exactly those two rows differ;
"Run scenario" (fill.run_scenario_on, the add-in's logic) renews the blue cells only.
"""

from __future__ import annotations

import openpyxl
import pytest

import lo
from amspares.report import study_json
from amspares.scenario import load_scenario
from amspares.workbook import fill, stale, write_scenario_workbook
from amspares.workbook.situations import SHEETS

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    raise RuntimeError("LibreOffice (soffice) is not installed; tests/run.sh installs it")

EDITS = {"demand_rate_per_year": 10, "methods_am_mto_price": 40}


def _marks(wb):
    return {"Results": wb["Results"]["A4"].value, **{s: wb[s]["A3"].value for s in SHEETS}}


def _differing(wb):
    ws = wb[stale.SHEET]
    rows = range(stale.FIRST, ws.max_row + 1)
    return ({ws[f"A{r}"].value for r in rows if ws[f"C{r}"].value is not True},
            {ws[f"A{r}"].value for r in rows if ws[f"E{r}"].value is not True})


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("stale")
    sc = load_scenario()
    emailed = write_scenario_workbook(sc, study_json(sc), d / "case.xlsx")
    out = {}
    # typed again: the same numbers (2 as 2.0, 175 as 175.0) are the same inputs
    wb = openpyxl.load_workbook(emailed)
    b = fill.OpenpyxlBackend(wb)
    b.write("demand_rate_per_year", 2.0)
    b.write("methods_am_mto_price", 175.0)
    wb.save(d / "retyped.xlsx")
    # the recipient's edit of the issue report
    wb = openpyxl.load_workbook(emailed)
    b = fill.OpenpyxlBackend(wb)
    for name, v in EDITS.items():
        b.write(name, v)
    wb.save(d / "edited.xlsx")
    # ... then "Run scenario": amspares' blue cells are computed for the new inputs
    assert fill.run_scenario_on(b) is None
    wb.save(d / "rerun.xlsx")
    for name in ("retyped", "edited", "rerun"):
        out[name] = openpyxl.load_workbook(lo.recalculate(d / f"{name}.xlsx", d / f"out_{name}"), data_only=True)
    out["cached"] = openpyxl.load_workbook(emailed, data_only=True)
    return out


def test_fresh_workbook_says_so_in_its_cached_values_and_after_recalculation(books):
    for which in ("cached", "retyped"):
        assert set(_marks(books[which]).values()) == {stale.FRESH}, which
        assert _differing(books[which]) == (set(), set())


def test_an_edit_marks_results_and_every_situation_sheet(books):
    wb = books["edited"]
    marks = _marks(wb)
    assert marks["Results"] == stale.STALE
    assert marks["Results"].startswith("computed for other inputs: press Run scenario or run amspares scenario again")
    assert {marks[s] for s in SHEETS} == {stale.STALE_SITUATIONS}
    assert _differing(wb) == ({"demand.rate_per_year", "methods.am_mto.price"},) * 2
    # the live results do follow the edit (they are formulas): at rate 10, am_mto at 40 EUR
    # costs 10 * 30 parts * (40 + 5) EUR = 13,500 EUR (Eq. 1 with S = 0, printing to order)
    (sheet, ref), = list(wb.defined_names["result_am_mto_total_cost"].destinations)
    assert wb[sheet][ref.replace("$", "")].value == pytest.approx(13500.0, rel=1e-12)


def test_run_scenario_renews_the_blue_cells_but_not_the_situation_sheets(books):
    wb = books["rerun"]
    marks = _marks(wb)
    assert marks["Results"] == stale.FRESH
    assert {marks[s] for s in SHEETS} == {stale.STALE_SITUATIONS}
    assert _differing(wb) == (set(), {"demand.rate_per_year", "methods.am_mto.price"})
