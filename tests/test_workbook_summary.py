"""The Summary sheet's kg CO2e sentence and the wording of ties, recalculated by LibreOffice.

* "Greenest (kg CO2e)" says what amspares.wording.co2e_sentence says for the same inputs: the
  case study (regular greenest), after a recipient edit that makes printing to order the
  greenest by kg CO2e (but not by mPts), and after edits that blank a climate factor (for every
  method: no sentence with a number, the missing key named; for one method: the greenest among
  the others, the missing one named).
* A tie (docs/model.md section 3.5) reads "the same cost as ..." with what decided, live as in
  Python: the lower impact (am_mto priced so that it costs what regular's optimum costs), an
  order method before a stock method (no demand: everything costs 0), the first declared (two
  identical printing methods).

Every expected sentence is built here from the model's numbers (amspares.model.evaluate), and
the ties are checked on the model's own tie flags and notes first.
"""

from __future__ import annotations

import math

import openpyxl
import pytest

import lo
from amspares import wording
from amspares.model import evaluate
from amspares.scenario import load_scenario
from amspares.workbook import fill
from amspares.workbook.writer import write_scenario_workbook

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    pytest.fail("LibreOffice (soffice) is required for these tests; run tests/run.sh", pytrace=False)

SC = load_scenario()
BASE = evaluate(SC)
#: am_mto costs 60 (p + 5) (order wait free, cd = 0: docs/model.md section 9); at this p it costs
#: what regular's optimum costs
TIE_PRICE = BASE["methods"]["regular"]["total_cost"] / 60 - 5

# recipient edits of the emailed case-study workbook (defined name: value) and the same change
# in the scenario's dotted keys
EDITS = {
    "case": ({}, {}),
    "greener_mto": ({"methods_regular_extra_kgco2e_per_part": 3.0}, {"methods.regular.extra_kgco2e_per_part": 3.0}),
    "no_material_co2e": ({"part_material_kgco2e_per_kg": None}, {"part.material_kgco2e_per_kg": None}),
    "no_regular_process_co2e": ({"methods_regular_process_kgco2e_per_kg": None},
                                {"methods.regular.process_kgco2e_per_kg": None}),
    "cost_tie": ({"methods_am_mto_price": TIE_PRICE}, {"methods.am_mto.price": TIE_PRICE}),
    "no_demand": ({"demand_rate_per_year": 0.0}, {"demand.rate_per_year": 0.0}),
}
NAMES = ("summary_cost", "summary_impact", "summary_co2e")


def twin_scenario(tmp):
    """The case study with a copy of am_mto declared after it, both at 20 EUR: two methods
    with identical inputs (hand: 60 x (20 + 5) = 1,500 EUR each, below regular's 1,735.71)."""
    from importlib.resources import files
    text = files("amspares.data").joinpath("case_study.toml").read_text(encoding="utf-8")
    block = text[text.index("[methods.am_mto]"):]
    text = text + "\n" + block.replace("[methods.am_mto]", "[methods.am_mto2]", 1)
    path = tmp / "twins.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path).with_values({"methods.am_mto.price": 20.0, "methods.am_mto2.price": 20.0})


def value_at(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("summary")
    emailed = write_scenario_workbook(SC, None, d / "case.xlsx")
    paths, scenarios = [], {}
    for label, (cells, keys) in EDITS.items():
        wb = openpyxl.load_workbook(emailed)
        backend = fill.OpenpyxlBackend(wb)
        for name, value in cells.items():
            backend.write(name, value)
        paths.append(d / f"edit_{label}.xlsx")
        wb.save(paths[-1])
        scenarios[label] = SC.with_values(keys)
    twins = twin_scenario(d)
    scenarios["twins"] = twins
    paths.append(write_scenario_workbook(twins, None, d / "written_twins.xlsx"))
    scenarios["written_no_material_co2e"] = SC.with_values({"part.material_kgco2e_per_kg": None})
    paths.append(write_scenario_workbook(scenarios["written_no_material_co2e"], None, d / "written_nomat.xlsx"))
    cached = {p.stem: openpyxl.load_workbook(p, data_only=True) for p in paths[-2:]}
    out = lo.recalculate_many(paths, d / "out")
    return {label: (sc, openpyxl.load_workbook(p, data_only=True))
            for (label, sc), p in zip(scenarios.items(), out)}, cached


def python_sentences(sc):
    r = evaluate(sc)
    return r, {"summary_cost": wording.decision_sentence(r),
               "summary_impact": wording.decision_sentence(r, "impact"),
               "summary_co2e": wording.co2e_sentence(r, wording.climate_gaps(r, sc.climate_missing))}


@pytest.mark.parametrize("label", [*EDITS, "twins", "written_no_material_co2e"])
def test_summary_sentences_equal_wording_after_recalculation(books, label):
    sc, wb = books[0][label]
    _r, want = python_sentences(sc)
    assert value_at(wb, "decision_check") == "OK"
    for name in NAMES:
        assert value_at(wb, name) == want[name], (name, value_at(wb, name), want[name])


def test_written_workbooks_cache_what_libreoffice_computes(books):
    """The values a written file opens with (before any recalculation) are the live ones."""
    recalculated, cached = books
    for label, stem in (("twins", "written_twins"), ("written_no_material_co2e", "written_nomat")):
        for name in NAMES:
            assert value_at(cached[stem], name) == value_at(recalculated[label][1], name), (label, name)


def _phrase(r, m, start=True):
    return wording.method_phrase(m, r["methods"][m]["kind"], start)


def test_co2e_sentence_from_the_model_numbers_both_ways(books):
    for label, green, other in (("case", "regular", "am_mto"), ("greener_mto", "am_mto", "am_mts")):
        sc, wb = books[0][label]
        r = evaluate(sc)
        ms = r["methods"]
        kg = {m: ms[m]["impact_kgco2e"] for m in ms}
        # the greenest and the next by kg CO2e, found here from the model's totals
        order = sorted(kg, key=kg.get)
        assert order[:2] == [green, other], kg
        assert r["lowest_impact_co2e"] == green and r["lowest_impact"] == "regular"
        saving = kg[other] - kg[green]
        pol = "S = 5, " if green == "regular" else ""
        want = (f"{_phrase(r, green)}: {pol}{kg[green]:,.2f} kg CO2e, {saving:,.2f} kg CO2e "
                f"({100 * saving / kg[other]:.0f} %) less than {_phrase(r, other, False)}")
        assert value_at(wb, "summary_co2e") == want
    # the case study: regular 230.80, am_mto 363.63 kg CO2e (amspares evaluate's table)
    assert value_at(books[0]["case"][1], "summary_co2e") == (
        "Keep it in stock with regular supply: S = 5, 230.80 kg CO2e, 132.83 kg CO2e (37 %) less than "
        "printing to order (am_mto)")
    # greener_mto: regular's 3 kg CO2e per part made (65 parts: n = 60 plus S = 5) on top of its 230.80
    r = evaluate(books[0]["greener_mto"][0])
    assert math.isclose(r["methods"]["regular"]["impact_kgco2e"] - BASE["methods"]["regular"]["impact_kgco2e"],
                        3.0 * 65, rel_tol=1e-9)


def test_a_missing_climate_factor_is_named_never_zero(books):
    sc, wb = books[0]["no_material_co2e"]
    r = evaluate(sc)
    assert r["lowest_impact_co2e"] is None and all(m["impact_kgco2e"] is None for m in r["methods"].values())
    assert value_at(wb, "summary_co2e") == "not computed (missing: part.material_kgco2e_per_kg)"
    assert "part.material_kgco2e_per_kg is missing" in r["notes"][0]            # the note names it too
    sc, wb = books[0]["no_regular_process_co2e"]
    r = evaluate(sc)
    ms = r["methods"]
    assert ms["regular"]["impact_kgco2e"] is None and r["lowest_impact_co2e"] == "am_mto"
    saving = ms["am_mts"]["impact_kgco2e"] - ms["am_mto"]["impact_kgco2e"]
    assert value_at(wb, "summary_co2e") == (
        f"Print it to order (am_mto): {ms['am_mto']['impact_kgco2e']:,.2f} kg CO2e, {saving:,.2f} kg CO2e "
        f"({100 * saving / ms['am_mts']['impact_kgco2e']:.0f} %) less than keeping it in stock, printed ahead "
        f"(am_mts); not computed for regular (missing: methods.regular.process_kgco2e_per_kg)")
    for label in ("no_material_co2e", "no_regular_process_co2e"):
        assert " 0.00 kg CO2e" not in value_at(books[0][label][1], "summary_co2e")


def test_ties_say_the_same_and_what_decided(books):
    # the lower impact: regular and am_mto cost the same (the model says so: a tie note)
    sc, wb = books[0]["cost_tie"]
    r = evaluate(sc)
    ms = r["methods"]
    assert math.isclose(ms["am_mto"]["total_cost"], ms["regular"]["total_cost"], rel_tol=1e-9)
    assert r["cheapest"] == "regular" and any("cost the same" in n for n in r["notes"])
    assert ms["regular"]["impact_mpts"] < ms["am_mto"]["impact_mpts"]               # what decided
    assert value_at(wb, "summary_cost") == (
        f"Keep it in stock with regular supply: S = 5, {ms['regular']['total_cost']:,.2f} EUR, the same cost as "
        "printing to order (am_mto) (a tie: the lower impact decides)")
    # an order method before a stock method: no demand, every method costs and emits nothing
    sc, wb = books[0]["no_demand"]
    r = evaluate(sc)
    assert r["n"] == 0 and all(m["total_cost"] == 0 and m["impact_mpts"] == 0 for m in r["methods"].values())
    assert r["cheapest"] == r["lowest_impact"] == r["lowest_impact_co2e"] == "am_mto"
    tail = "as keeping it in stock with regular supply (a tie: an order method comes before a stock method)"
    assert value_at(wb, "summary_cost") == f"Print it to order (am_mto): 0.00 EUR, the same cost {tail}"
    assert value_at(wb, "summary_impact") == f"Print it to order (am_mto): 0.0 mPts, the same impact {tail}"
    assert value_at(wb, "summary_co2e") == f"Print it to order (am_mto): 0.00 kg CO2e, the same kg CO2e {tail}"
    # the first declared: two identical printing methods (equal cost, impact and kind)
    sc, wb = books[0]["twins"]
    r = evaluate(sc)
    ms = r["methods"]
    assert ms["am_mto"]["total_cost"] == ms["am_mto2"]["total_cost"] == 60 * (20 + 5)
    assert ms["am_mto"]["impact_mpts"] == ms["am_mto2"]["impact_mpts"] and r["cheapest"] == "am_mto"
    assert any(n.startswith("am_mto and am_mto2 cost the same") for n in r["notes"])
    assert value_at(wb, "summary_cost") == (
        "Print it to order (am_mto): 1,500.00 EUR, the same cost as printing to order (am_mto2) "
        "(a tie: the method declared first in the scenario decides)")
    # no tie, no tie words: the greenest by mPts is regular, well apart
    assert "tie" not in value_at(wb, "summary_impact")
