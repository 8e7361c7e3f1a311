"""The workbook's Summary sentences and live input checks, recalculated by LibreOffice.

* Each rule of amspares.rules, turned into spreadsheet formulas by amspares.workbook.checks,
  is evaluated by LibreOffice on sample values and must agree with rules.py (valid or not,
  and the same words).
* A recipient edits the emailed case-study workbook (openpyxl, as typing a value would) in
  each way issue 12 lists: the check names the first broken rule in the words amspares'
  own validation uses (ScenarioError), and Summary and Results show no result.
* The Summary sentences equal amspares.wording's for the same inputs (the case study, and
  with printing cheapest), before and after an edit; the price break-even flips the decision
  on both sides of it (amspares evaluate at the value -/+ 0.01).
* No silent wrong winner: an edit that takes the optimum beyond the base-stock table shows no
  decision; written for that scenario, the table is sized to hold the optimum.
"""

from __future__ import annotations

import math

import openpyxl
import pytest
from openpyxl import Workbook

import lo
from amspares import rules, wording
from amspares.errors import ScenarioError
from amspares.model import evaluate
from amspares.rules import RANGES, Rule
from amspares.scenario import load_scenario, parse_legs
from amspares.workbook import checks, fill
from amspares.workbook.writer import write_scenario_workbook

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    pytest.fail("LibreOffice (soffice) is required for these tests; run tests/run.sh", pytrace=False)

SAMPLES = (-1, 0, 1, 2, 0.5, 1.5, 2.5, 0.999, 10 ** 13, "abc", "")


def value_at(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def text(v):
    return "" if v is None else v


# ---------------------------------------------------------------- rule -> formula, one source

@pytest.fixture(scope="module")
def rule_sheet(tmp_path_factory):
    d = tmp_path_factory.mktemp("rules")
    wb = Workbook()
    ws = wb.active
    cases = []
    row = 1
    for rng in RANGES:
        for integer in (False, True):
            rule = Rule(rng, integer=integer)
            for v in SAMPLES:
                if v != "":
                    ws[f"A{row}"] = v
                ws[f"B{row}"] = "=" + checks.number_check("k", f"A{row}", rule, blank_ok=False)
                ws[f"C{row}"] = "=" + checks.number_valid(rule, f"A{row}")
                cases.append((row, rule, v))
                row += 1
    wb.save(d / "rules.xlsx")
    (out,) = lo.recalculate_many([d / "rules.xlsx"], d / "out")
    return cases, openpyxl.load_workbook(out, data_only=True).active


def test_every_rule_as_a_formula_agrees_with_rules_py(rule_sheet):
    cases, ws = rule_sheet
    assert len(cases) == len(RANGES) * 2 * len(SAMPLES)
    for row, rule, v in cases:
        words = rules.message(rule, v)
        got = text(ws[f"B{row}"].value)
        if words is None:
            assert got == "", (rule, v, got)
            assert ws[f"C{row}"].value is True, (rule, v)
        else:
            assert got == str(ScenarioError("k", v, words)), (rule, v, got)
            if v != "":                        # a blank is left to the validation's "ignore blank"
                assert ws[f"C{row}"].value in (False, "#VALUE!"), (rule, v)


# ---------------------------------------------------------------- a recipient's edits

SC = load_scenario()


def python_error(changes):
    """amspares' own message for the edited scenario (None when it is valid)."""
    try:
        SC.with_values(changes)
    except ScenarioError as e:
        return str(e)
    return None


def legs_error(which, leg):
    try:
        parse_legs(f"methods.regular.transport_to_{which}", [leg])
    except ScenarioError as e:
        return str(e)
    raise AssertionError("valid leg")


# (cell edits as {defined name or (sheet, cell): value}, amspares' message or a prefix of it)
EDITS = {
    "rate_-2": ({"demand_rate_per_year": -2}, python_error({"demand.rate_per_year": -2})),
    "rate_blank": ({"demand_rate_per_year": None}, python_error({"demand.rate_per_year": ""})),
    "years_0": ({"demand_service_years": 0}, python_error({"demand.service_years": 0})),
    "holding_-1": ({"storage_holding_per_part_year": -1}, python_error({"storage.holding_per_part_year": -1})),
    "price_-15": ({"methods_regular_price": -15}, python_error({"methods.regular.price": -15})),
    "price_blank": ({"methods_regular_price": None}, python_error({"methods.regular.price": ""})),
    "moq_-5": ({"methods_regular_moq": -5}, python_error({"methods.regular.moq": -5})),
    "moq_0": ({"methods_regular_moq": 0}, python_error({"methods.regular.moq": 0})),
    "moq_2.5": ({"methods_regular_moq": 2.5}, python_error({"methods.regular.moq": 2.5})),
    "eff_1.5": ({"methods_am_mto_material_efficiency": 1.5},
                python_error({"methods.am_mto.material_efficiency": 1.5})),
    "eff_0": ({"methods_am_mto_material_efficiency": 0}, python_error({"methods.am_mto.material_efficiency": 0})),
    "km_-5000": ({(fill.LEGS_SHEET, "D2"): -5000}, legs_error("factory", {"mode": "truck_28t", "km": -5000})),
    "km_text": ({(fill.LEGS_SHEET, "D2"): "5000 km"}, legs_error("factory", {"mode": "truck_28t", "km": "5000 km"})),
    "mode_typo": ({(fill.LEGS_SHEET, "C2"): "truk"},
                  legs_error("factory", {"mode": "truk", "km": 5000}).split(" (known")[0]),
    "waiting_exakt": ({"model_waiting_time": "exakt"},
                      python_error({"model.waiting_time": "exakt"}).split("; did you mean")[0]),
    "kind_order": ({"methods_regular_kind": "order"},
                   "methods.regular.kind = 'order': this workbook was built for a stock method; "
                   "write a new workbook with amspares scenario"),     # the words of fill.check_layout
}


def edit(wb, changes):
    backend = fill.OpenpyxlBackend(wb)
    for where, value in changes.items():
        if isinstance(where, tuple):
            wb[where[0]][where[1]].value = value
        else:
            backend.write(where, value)


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    d = tmp_path_factory.mktemp("edits")
    emailed = write_scenario_workbook(SC, None, d / "case.xlsx")
    paths = []
    for label, (changes, _want) in EDITS.items():
        wb = openpyxl.load_workbook(emailed)
        edit(wb, changes)
        paths.append(d / f"edit_{label}.xlsx")
        wb.save(paths[-1])
    out = lo.recalculate_many(paths, d / "out")
    return {label: openpyxl.load_workbook(p, data_only=True) for label, p in zip(EDITS, out)}


@pytest.mark.parametrize("label", list(EDITS))
def test_an_invalid_edit_names_its_rule_and_shows_no_result(edited, label):
    wb = edited[label]
    want = EDITS[label][1]
    assert want, label
    got = value_at(wb, "input_check")
    if label in ("mode_typo", "waiting_exakt"):
        assert got.startswith(want), (got, want)              # Python adds the known names / a guess
    else:
        assert got == want
    assert value_at(wb, "decision_check") == got
    assert value_at(wb, "summary_cost") == f"No decision: {got}"
    assert value_at(wb, "summary_impact") == f"No decision: {got}"
    assert value_at(wb, "summary_co2e") == f"No decision: {got}"
    assert text(value_at(wb, "summary_service")) == "" and text(value_at(wb, "summary_breakeven")) == ""
    assert text(value_at(wb, "result_cheapest")) == "" and text(value_at(wb, "result_lowest_impact")) == ""
    for m, kind in SC.methods.items():
        for f in ("total_cost", "impact_mpts", "S") if kind == "stock" else ("total_cost", "impact_mpts"):
            assert text(value_at(wb, f"result_{m}_{f}")) == "", (m, f)
    # the Results sheet shows the check at the top (page 1)
    assert wb["Results"]["B5"].value == got


# ---------------------------------------------------------------- Summary == wording.py

def summary_of(result, sc):
    prices = {m: float(sc[f"methods.{m}.price"]) for m in sc.methods}
    return {"summary_cost": wording.decision_sentence(result),
            "summary_impact": wording.decision_sentence(result, "impact"),
            "summary_co2e": wording.co2e_sentence(result, wording.climate_gaps(result, sc.climate_missing)),
            "summary_service": wording.service_sentence(result, float(sc["downtime.free_days"])),
            "summary_breakeven": wording.price_breakeven_sentence(result, prices),
            "input_check": "OK", "decision_check": "OK"}


PRINTING_WINS = {"methods.am_mto.price": 20.0}           # 60 x (20 + 5) = 1,500 EUR < 1,735.71 EUR
STOCK_PAIR = {"methods.am_mto.price": 400.0}             # 60 x 405 = 24,300 EUR > am_mts' 12,405 EUR


@pytest.fixture(scope="module")
def sentences(tmp_path_factory):
    d = tmp_path_factory.mktemp("sentences")
    written = {"case": SC, "printing": SC.with_values(PRINTING_WINS),
               "v2": SC.with_values({"model.waiting_time": "exact", "model.order_wait": "charged",
                                     "downtime.free_days": 3, "model.service_target": 0.95}),
               "stock_pair": SC.with_values(STOCK_PAIR)}
    paths = [write_scenario_workbook(sc, None, d / f"{k}.xlsx") for k, sc in written.items()]
    wb = openpyxl.load_workbook(paths[0])                  # the case study, edited to printing
    fill.OpenpyxlBackend(wb).write("methods_am_mto_price", 20.0)
    wb.save(d / "edited_printing.xlsx")
    paths.append(d / "edited_printing.xlsx")
    written["edited_printing"] = written["printing"]
    out = lo.recalculate_many(paths, d / "out")
    return {k: (sc, openpyxl.load_workbook(p, data_only=True)) for (k, sc), p in zip(written.items(), out)}


@pytest.mark.parametrize("which", ["case", "printing", "v2", "edited_printing", "stock_pair"])
def test_summary_says_what_wording_says(sentences, which):
    sc, wb = sentences[which]
    r = evaluate(sc)
    for name, want in summary_of(r, sc).items():
        assert text(value_at(wb, name)) == want, (name, value_at(wb, name), want)
    if which == "case":
        assert value_at(wb, "summary_cost") == ("Keep it in stock with regular supply: S = 5, 1,735.71 EUR, "
                                                "9,064 EUR (84 %) less than printing to order (am_mto)")
    if which.endswith("printing"):
        assert r["cheapest"] == "am_mto"
        # hand: 60 x (20 + 5) = 1,500 EUR; 1,735.71 - 1,500 = 235.71 EUR = 13.6 % of 1,735.71
        assert value_at(wb, "summary_cost") == ("Print it to order (am_mto): 1,500.00 EUR, 236 EUR (14 %) less than "
                                                "keeping it in stock with regular supply")
    if which == "stock_pair":          # the two cheapest hold stock: the flip row says why it is empty
        assert [r["methods"][m]["kind"] for m in (r["cheapest"], wording.runner_up(r))] == ["stock", "stock"]
        assert value_at(wb, "summary_breakeven") == (
            f"none: the two cheapest ({r['cheapest']}, {wording.runner_up(r)}) both hold stock; "
            "the price break-even is for a method that prints to order")
    assert wb.sheetnames[0] == "Summary"


@pytest.mark.parametrize("changes", [{}, PRINTING_WINS])
def test_price_breakeven_flips_the_decision_on_both_sides(changes):
    sc = SC.with_values(changes)
    r = evaluate(sc)
    be = wording.price_breakeven(r, {m: float(sc[f"methods.{m}.price"]) for m in sc.methods})
    assert be.below == "am_mto" and be.above == "regular"
    # hand derivation: am_mto costs 60 (p + 5) (order_wait free, cd = 0), equal to regular's
    # optimum 1,735.7055 EUR at p = 1735.7055 / 60 - 5
    assert math.isclose(be.value, r["methods"]["regular"]["total_cost"] / 60 - 5, rel_tol=1e-12)
    below = evaluate(sc.with_values({"methods.am_mto.price": be.value - 0.01}))
    above = evaluate(sc.with_values({"methods.am_mto.price": be.value + 0.01}))
    assert below["cheapest"] == be.below and above["cheapest"] == be.above


# ---------------------------------------------------------------- no silent wrong winner

BIG = {"demand.rate_per_year": 100.0, "methods.regular.production_days": 600.0}


@pytest.fixture(scope="module")
def beyond(tmp_path_factory):
    d = tmp_path_factory.mktemp("beyond")
    emailed = write_scenario_workbook(SC, None, d / "case.xlsx")
    paths = []
    for label, changes in (("big", {"demand_rate_per_year": 100, "methods_regular_production_days": 600}),
                           ("big_target", {"demand_rate_per_year": 100, "methods_regular_production_days": 600,
                                           "model_service_target": 0.95})):
        wb = openpyxl.load_workbook(emailed)
        edit(wb, changes)
        paths.append(d / f"{label}.xlsx")
        wb.save(paths[-1])
    paths.append(write_scenario_workbook(SC.with_values(BIG), None, d / "written_big.xlsx"))
    out = lo.recalculate_many(paths, d / "out")
    return [openpyxl.load_workbook(p, data_only=True) for p in out]


def test_an_optimum_beyond_the_table_shows_no_decision(beyond):
    big, big_target, _written = beyond
    for wb in (big, big_target):
        check = value_at(wb, "decision_check")
        assert check.startswith("regular: the base-stock table ends at S = 150"), check
        assert value_at(wb, "summary_cost") == f"No decision: {check}"
        assert text(value_at(wb, "result_cheapest")) == ""
    # every S of the table misses the target: TC(S*) says so instead of a total of 0.00
    assert big_target["Model regular"]["B12"].value == "no S = 0..150 is feasible"


def test_written_for_the_scenario_the_table_holds_the_optimum(beyond):
    wb = beyond[2]
    r = evaluate(SC.with_values(BIG))
    assert r["methods"]["regular"]["S"] == 220                 # amspares' own optimum (issue 12)
    assert value_at(wb, "decision_check") == "OK"
    assert value_at(wb, "result_regular_S") == 220
    assert math.isclose(value_at(wb, "result_regular_total_cost"), r["methods"]["regular"]["total_cost"],
                        rel_tol=1e-9)
    assert round(r["methods"]["regular"]["total_cost"], 2) == 85240.09
    assert value_at(wb, "result_cheapest") == r["cheapest"]
    assert value_at(wb, "summary_cost") == wording.decision_sentence(r)
    smax = int(value_at(wb, "summary_limits").split("S = 0..")[1].split(" ")[0])
    assert smax >= 2 * 220                                     # headroom above the optimum


def test_every_input_has_validation_with_an_input_message():
    wb = openpyxl.load_workbook(write_scenario_workbook(SC, None, __import__("pathlib").Path(
        __import__("tempfile").mkdtemp()) / "dv.xlsx"))
    ws = wb["Inputs"]
    prompts = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            prompts[rng.coord] = (dv.type, dv.showInputMessage, dv.prompt)
    from amspares.scenario import all_keys
    rows = {ws[f"A{r}"].value: r for r in range(1, ws.max_row + 1)}
    for spec in all_keys(SC.methods):
        if spec.type == "legs":
            continue                                       # a formula over the Transport legs sheet
        kind, shown_, prompt = prompts[f"B{rows[spec.key]}"]
        assert shown_ and prompt, spec.key
        assert kind == {"number": "custom", "integer": "custom"}.get(spec.type, "list"), spec.key
        if spec.type == "integer":
            assert prompt.startswith("A whole number"), prompt
    # model switches come last, demand first
    keys = [ws[f"A{r}"].value for r in range(6, ws.max_row + 1) if "." in str(ws[f"A{r}"].value)]
    assert keys[0].startswith("demand.") and all(k.startswith("model.") for k in keys[-5:])
