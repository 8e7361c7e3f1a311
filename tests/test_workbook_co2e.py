"""kg CO2e in the scenario workbook (issue 16): the live kg CO2e rows beside the mPts ones,
recalculated by headless LibreOffice (tests/lo.py), equal the core's kg CO2e per method and
component (``amspares.core.evaluate``: MethodResult.impact_co2e) to 1e-9; a missing climate
factor shows its text, never 0, and the live greenest by kg CO2e skips it as the core's
``lowest_impact_co2e`` does; a recipient's edit of a climate factor cell recalculates to the
core's values for the edited scenario; a custom leg's kg CO2e per kg-km survives reading the
workbook back.
"""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pytest

import lo
from amspares.binding import bind
from amspares.core.evaluate import evaluate as core_evaluate
from amspares.core.impact import impact_components
from amspares.model import evaluate
from amspares.scenario import load_scenario
from amspares.workbook import fill
from amspares.workbook.template import build_template
from amspares.workbook.writer import write_scenario_workbook

if lo.soffice() is None:  # a missing engine is a failure, not a skip: tests/run.sh installs it
    pytest.fail("LibreOffice (soffice) is required for these tests; run tests/run.sh", pytrace=False)

#: The case study's regular supplier with a custom customer leg that has no kg CO2e factor
#: (docs/model.md section 4: the method's kg CO2e is missing, never 0).
NO_TWIN_LEG = {"methods.regular.transport_to_customer": [{"km": 100, "mpts_per_kg_km": 0.14},
                                                        {"mode": "plane", "km": 1000}]}


def value_at(wb, name, sheet=None):
    if sheet is None:
        (sheet, ref), = list(wb.defined_names[name].destinations)
    else:                                   # a sheet-scoped name of a model sheet
        ref = wb[sheet].defined_names[name].attr_text.split("!")[-1]
    return wb[sheet][ref.replace("$", "")].value


def close(a, b, rel=1e-9):
    if b == "" and a is None:        # an empty-text formula result (an unused (s,Q) table row)
        return True
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)


def mismatches(recalculated, cache):
    return [(s, ref, recalculated[s][ref].value, want) for s, cells in cache.items()
            for ref, want in cells.items() if not close(recalculated[s][ref].value, want)]


def recalculated(sc, d, edit=None):
    """(LibreOffice's recalculated workbook, the cache of the scenario's own workbook)."""
    path = write_scenario_workbook(sc, None, d / "co2e.xlsx")
    if edit is not None:
        wb = openpyxl.load_workbook(path)
        edit(wb)
        wb.save(d / "edited.xlsx")
        path = d / "edited.xlsx"
    out = lo.recalculate(path, d / "out")
    return openpyxl.load_workbook(out, data_only=True), build_template(sc)[1]


def assert_co2e_equals_core(wb, sc):
    """Per method: the live total and every component == the core's kg CO2e (NaN: a text)."""
    ev = core_evaluate(bind(sc))
    for m, r in ev.methods.items():
        sheet = f"Model {m}"
        want = float(r.impact_kgco2e[0])
        got = value_at(wb, f"result_{m}_impact_kgco2e")
        if math.isnan(want):
            assert isinstance(got, str) and got.startswith("missing: "), (m, got)
        else:
            assert close(got, want), (m, got, want)
        for c in impact_components():
            want = float(np.asarray(getattr(r.impact_co2e, c))[0])
            got = value_at(wb, f"impact_kgco2e_{c}", sheet)
            if math.isnan(want):
                assert isinstance(got, str) and got.startswith("missing: "), (m, c, got)
            else:
                assert close(got, want), (m, c, got, want)
    assert value_at(wb, "result_lowest_impact_co2e") == ev.lowest_impact_co2e[0]
    return ev


def test_case_study_kgco2e_recalculates_to_the_core(tmp_path):
    sc = load_scenario()
    wb, cache = recalculated(sc, tmp_path)
    ev = assert_co2e_equals_core(wb, sc)
    assert mismatches(wb, cache) == []
    # hand derivation (docs/case-study.md section 7): regular at S* = 5, P = W = 65, n = 60,
    # weight 0.25, ueff 0.8: EM = 9.14 * 0.3125 * 65 = 185.65625 kg CO2e
    assert close(value_at(wb, "impact_kgco2e_material", "Model regular"), 9.14 * 0.25 / 0.8 * 65)
    assert ev.lowest_impact_co2e[0] == "regular"


def test_missing_factor_is_a_text_and_the_greenest_skips_it(tmp_path):
    sc = load_scenario().with_values(NO_TWIN_LEG)
    wb, cache = recalculated(sc, tmp_path)
    ev = assert_co2e_equals_core(wb, sc)
    assert mismatches(wb, cache) == []
    text = "missing: methods.regular.transport_to_customer kgco2e_per_kg_km"
    assert value_at(wb, "result_regular_impact_kgco2e") == text            # not 0
    assert value_at(wb, "impact_kgco2e_transport", "Model regular") == text
    # the core: regular's kg CO2e is NaN; the greenest among the known (am_mts 383.69, am_mto
    # 363.63 kg CO2e in the case study) is am_mto, while regular stays the greenest by mPts
    assert math.isnan(float(ev.methods["regular"].impact_kgco2e[0]))
    assert ev.lowest_impact_co2e[0] == "am_mto" == value_at(wb, "result_lowest_impact_co2e")
    assert value_at(wb, "result_lowest_impact") == "regular"


def test_recipient_edits_climate_factor_cells(tmp_path):
    """A recipient types a grid factor of 0.5 kg CO2e/kWh on the Inputs sheet and a custom
    kg CO2e per kg-km for regular's plane leg (plane with radiative forcing) in the Transport
    legs sheet; LibreOffice's values == the core's for the same edits."""
    sc = load_scenario()
    rows = fill.leg_rows(sc)
    plane = next(i for i, r in enumerate(rows) if r[0] == "regular" and r[2] == "plane")

    def edit(wb):
        backend = fill.OpenpyxlBackend(wb)
        backend.write("impact_electricity_kgco2e_per_kwh", 0.5)
        wb[fill.LEGS_SHEET][f"H{2 + plane}"] = 0.00089939
        wb.save(tmp_path / "edited.xlsx")
        back = fill.read_scenario(fill.OpenpyxlBackend(openpyxl.load_workbook(tmp_path / "edited.xlsx")))
        assert back.to_mapping() == edited.to_mapping()

    legs = [leg.as_dict() for leg in sc["methods.regular.transport_to_customer"]]
    legs[1]["kgco2e_per_kg_km"] = 0.00089939
    edited = sc.with_values({"impact.electricity_kgco2e_per_kwh": 0.5,
                             "methods.regular.transport_to_customer": legs})
    wb, _cache = recalculated(sc, tmp_path, edit)
    ev = assert_co2e_equals_core(wb, edited)
    # hand check of the edit: am_mto's process = 60 * 0.25 * 29.746 kWh/kg * 0.5 kg CO2e/kWh
    assert close(value_at(wb, "impact_kgco2e_process", "Model am_mto"), 60 * 0.25 * 29.746 * 0.5)
    assert close(float(ev.methods["am_mto"].impact_co2e.process[0]), 60 * 0.25 * 29.746 * 0.5)


def test_custom_leg_kgco2e_reads_back():
    legs = [{"km": 100, "mpts_per_kg_km": 0.14, "kgco2e_per_kg_km": 0.0007}, {"mode": "plane", "km": 1000}]
    sc = load_scenario().with_values({"methods.regular.transport_to_customer": legs})
    wb, _cache = build_template(sc)
    back = fill.read_scenario(fill.OpenpyxlBackend(wb))
    assert back.to_mapping() == sc.to_mapping()
    assert back["methods.regular.transport_to_customer"][0].kgco2e_per_kg_km == 0.0007
    # amspares' own values in the Results sheet's kg CO2e block (py_co2e_<method>)
    r = evaluate(sc)["methods"]["regular"]
    py = [row[0] for row in fill.OpenpyxlBackend(wb).read("py_co2e_regular")]
    assert py == [r["impact_kgco2e"], *(r["impact_co2e"][c.name] for c in impact_components())]
