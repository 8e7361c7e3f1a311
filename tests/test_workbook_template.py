"""The template workbook and the emailed copy, checked without a spreadsheet engine.

Expected numbers come from docs/model.md section 8 or from mpmath (high precision, stated at
each use); structural expectations come from the key list of docs/model.md section 2.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from pathlib import Path

import mpmath
import openpyxl
import pytest
from references import mp_erlang_c

from amspares.errors import OutputExistsError
from amspares.scenario import all_keys, load_scenario, parse_scenario
from amspares.workbook import build_template, fill, write_scenario_workbook
from amspares.workbook.cached import inject_cached_values
from amspares.workbook.template import LEG_UNIT, default_path, sq_table_letters
from amspares.workbook.writer import main as template_main

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "scenario.xlsx"

# Built-in functions Excel and LibreOffice 7.4 both compute, none needing an _xlfn. prefix
# (EXP: the Erlang C wait beyond the free window; OR: the eligibility of a method under a
# service target)
ALLOWED_FUNCTIONS = {"IF", "AND", "OR", "INDEX", "MATCH", "MIN", "MAX", "SUMPRODUCT", "COUNTIF", "ISNUMBER",
                     "POISSON", "ROUNDUP", "N", "EXP", "ABS",   # ABS: the tie rule's relative tolerance
                    "NOT", "EXACT", "FIXED"}   # the input checks and the Summary sentences (Excel 2000, LibreOffice)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "scenario.xlsx"
    assert template_main(["-o", str(path)]) == 0
    return path


def _stable(value):
    """A cached number to 12 significant digits: the last bits of Poisson tails differ
    between scipy releases (seen: 2.169434916895795e-09 vs ...8957984e-09), which is not
    staleness of the template."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def snapshot(path):
    """Everything but timestamps: sheets, cells (formulas as text), cached values, names,
    validations, merged cells."""
    wb = openpyxl.load_workbook(path)
    data = openpyxl.load_workbook(path, data_only=True)
    out = {"sheets": wb.sheetnames,
           "names": {n: d.attr_text for n, d in wb.defined_names.items()},
           "calc": wb.calculation.fullCalcOnLoad}
    for ws in wb.worksheets:
        cached = data[ws.title]
        out[ws.title] = {
            "cells": {c.coordinate: (c.value, _stable(cached[c.coordinate].value))
                      for row in ws.iter_rows() for c in row if c.value is not None},
            "validations": sorted((dv.type, dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation),
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        }
    return out


def test_committed_template_is_a_fresh_generation(fresh):
    assert default_path() == TEMPLATE
    assert snapshot(TEMPLATE) == snapshot(fresh), \
        "templates/scenario.xlsx is stale: run python -m amspares.workbook"


def test_inputs_sheet_has_every_key_with_name_unit_symbol_help_and_validation():
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb["Inputs"]
    sc = load_scenario()
    rows = {ws[f"A{r}"].value: r for r in range(1, ws.max_row + 1)}
    validated = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            validated[rng.coord] = dv.formula1
    for spec in all_keys(sc.methods):                       # docs/model.md section 2 keys
        r = rows[spec.key]
        unit = LEG_UNIT if spec.type == "legs" else spec.unit        # a leg row's cell is a leg factor
        assert ws[f"C{r}"].value == (unit or None) and ws[f"D{r}"].value == (spec.symbol or None)
        assert ws[f"E{r}"].value and spec.help in ws[f"E{r}"].value
        name = spec.key.replace(".", "_")
        (sheet, ref), = list(wb.defined_names[name].destinations)
        assert (sheet, ref) == ("Inputs", f"$B${r}")
        if spec.type == "choice":
            assert validated[f"B{r}"] == '"' + ",".join(spec.choices) + '"'
    for key in ("model_waiting_time", "model_production_rule", "methods_regular_kind", "methods_am_mto_kind"):
        assert key in wb.defined_names
    # the legs design: transport_to_* rows are SUMPRODUCT formulas over the legs table
    r = rows["methods.regular.transport_to_customer"]
    assert ws[f"B{r}"].value.startswith("=SUMPRODUCT(") and "Transport legs" in ws[f"B{r}"].value


def test_result_names_exist():
    wb = openpyxl.load_workbook(TEMPLATE)
    for m in ("regular", "am_mts", "am_mto"):
        for f in ("S", "total_cost", "impact_mpts"):
            assert f"result_{m}_{f}" in wb.defined_names
    assert "result_cheapest" in wb.defined_names and "result_lowest_impact" in wb.defined_names


def formulas(path):
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if isinstance(c.value, str) and c.value.startswith("=")}


def test_only_portable_builtin_functions():
    used = set()
    for f in formulas(TEMPLATE).values():
        body = re.sub(r'"[^"]*"', '""', f)                   # ignore text literals
        assert "_xlfn" not in body and "_xll" not in body
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", body))
    assert used <= ALLOWED_FUNCTIONS, used - ALLOWED_FUNCTIONS


def test_every_formula_cell_has_a_cached_value():
    with zipfile.ZipFile(TEMPLATE) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        total = 0
        for name in sheets:
            xml = z.read(name).decode()
            cells = re.findall(r"<c [^>]*?( t=\"str\")?><f>.*?</f>(.*?)</c>", xml)
            total += len(cells)
            # a value, or the empty text of an (s,Q) table row outside the current s range
            assert all(re.fullmatch(r"<v>[^<]+</v>", v) or (t and v == "<v></v>") for t, v in cells), name
        assert total > 1000
        assert not any("vbaProject" in n for n in z.namelist())          # no macros
        assert b"macroEnabled" not in z.read("[Content_Types].xml")
        assert re.search(rb'fullCalcOnLoad="(1|true)"', z.read("xl/workbook.xml"))


def test_formula_cells_and_cached_values_correspond_one_to_one():
    wb, cache = build_template(load_scenario())
    cells = {(t, ref) for t, c in cache.items() for ref in c}
    written = {(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
               for c in row if isinstance(c.value, str) and c.value.startswith("=")}
    assert cells == written


def test_cached_model_values_match_independent_references():
    data = openpyxl.load_workbook(TEMPLATE, data_only=True)
    ws = data["Model regular"]
    u = mpmath.mpf(2) * 86 / 365
    # the value of docs/model.md section 8, and mpmath, at S = 5 (row 75; row 70 is S = 0)
    assert round(ws["C75"].value, 14) == 0.00013345406250
    for S in (1, 2, 5, 9, 20):
        assert math.isclose(ws[f"C{70 + S}"].value, float(mp_erlang_c(S, u)), rel_tol=1e-12), S
    # W exact = E[(X-S)^+] / lambda by brute-force summation of the Poisson pmf (mpmath)
    for S in (0, 1, 3, 6):
        with mpmath.workdps(40):
            loss = mpmath.nsum(lambda k: (k - S) * mpmath.exp(-u) * u**k / mpmath.factorial(k), [S, mpmath.inf])
        assert math.isclose(ws[f"F{70 + S}"].value, float(loss / 2), rel_tol=1e-12), S


def value_at(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def test_cached_results_are_the_spec_reference_values():
    wb = openpyxl.load_workbook(TEMPLATE, data_only=True)
    # docs/model.md section 8
    assert value_at(wb, "result_regular_S") == 5
    assert round(value_at(wb, "result_regular_total_cost"), 2) == 1735.71
    assert value_at(wb, "result_am_mto_total_cost") == 10800
    assert value_at(wb, "py_accepted_q") == 85
    assert value_at(wb, "result_cheapest") == "regular"
    # docs/model.md section 6 example: regular impact 18913.75 mPts
    assert round(value_at(wb, "result_regular_impact_mpts"), 2) == 18913.75


def test_template_reads_back_as_the_case_study():
    wb = openpyxl.load_workbook(TEMPLATE)
    back = fill.read_scenario(fill.OpenpyxlBackend(wb))
    assert back.to_mapping() == load_scenario().to_mapping()


def test_writer_refuses_to_overwrite_and_writes_atomically(tmp_path):
    out = tmp_path / "case.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError) as exc:
        write_scenario_workbook(load_scenario(), None, out)
    assert str(out) in str(exc.value) and "--force" in str(exc.value)
    assert out.read_bytes() == b"keep me"
    write_scenario_workbook(load_scenario(), None, out, force=True)
    assert zipfile.is_zipfile(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.xlsx"]      # no temp files left
    new = write_scenario_workbook(load_scenario(), None, tmp_path / "new.xlsx")
    umask = os.umask(0)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask      # not mkstemp's private 0600


def test_writer_leaves_nothing_behind_on_failure(tmp_path, monkeypatch):
    import amspares.workbook.writer as writer

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "inject_cached_values", boom)
    with pytest.raises(RuntimeError):
        write_scenario_workbook(load_scenario(), None, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_writer_missing_directory_is_a_one_line_error(tmp_path):
    from amspares.errors import AmsparesError

    with pytest.raises(AmsparesError, match="does not exist"):
        write_scenario_workbook(load_scenario(), None, tmp_path / "no" / "x.xlsx")


def test_scenario_without_part_says_so(tmp_path):
    data = load_scenario().to_mapping()
    del data["part"]
    sc = parse_scenario(data)
    path = write_scenario_workbook(sc, None, tmp_path / "nopart.xlsx")
    wb = openpyxl.load_workbook(path, data_only=True)
    assert value_at(wb, "result_regular_impact_mpts") == "no part"
    assert value_at(wb, "result_lowest_impact") == "no part"
    assert round(value_at(wb, "result_regular_total_cost"), 2) == 1735.71     # docs/model.md section 8


def test_inject_refuses_a_cell_that_is_not_a_formula(tmp_path):
    wb, cache = build_template(load_scenario())
    wb.save(tmp_path / "a.xlsx")
    cache = {"Inputs": {"B7": 1.0}}                      # an input cell, not a formula
    with pytest.raises(KeyError):
        inject_cached_values(tmp_path / "a.xlsx", tmp_path / "b.xlsx", cache)


# ---------------------------------------------------------------- the live (s,Q) policy

def bruteforce_sq(s, Q, u, terms=80):
    """E[BO](s), E[OH](s) of an (s,Q) policy by the thesis's X-by-U matrix (Eq. 22-24):
    X ~ Poisson(u) summed term by term, U ~ uniform{1..Q}, in 40-digit mpmath."""
    with mpmath.workdps(40):
        u = mpmath.mpf(u)
        pmf = [mpmath.exp(-u) * u**x / mpmath.factorial(x) for x in range(terms)]
        bo = oh = mpmath.mpf(0)
        for U in range(1, Q + 1):
            for x, p in enumerate(pmf):
                bo += p * max(x - s - U, 0)
                oh += p * max(s + U - x, 0)
        return float(bo / Q), float(oh / Q)


@pytest.fixture(scope="module")
def moq40():
    sc = load_scenario().with_values({"methods.regular.moq": 40})
    wb, cache = build_template(sc)
    return sc, wb, cache


def test_sq_table_cached_values_match_the_x_by_u_matrix(moq40):
    _sc, wb, cache = moq40
    c = cache["Model regular"]
    u = 2 * 86 / 365                          # lambda L of the case study
    T, h, ce = 30.0, 0.45, 100.0
    col = sq_table_letters()                  # the (s,Q) table's column letters by column name
    R, V, W, X = col["s"], col["backorders"], col["on_hand"], col["total"]
    rows = {c[f"{R}{r}"]: r for r in range(70, 70 + 200) if isinstance(c.get(f"{R}{r}"), int)}
    assert min(rows) == -40 and c[f"{R}{rows[-40]}"] == -40       # s = -Q .. s_hi
    costs = {}
    for s in range(-40, 22):
        bo, oh = bruteforce_sq(s, 40, u)
        r = rows[s]
        if s in (-40, -7, 0, 1, 3, 6, 12):
            assert math.isclose(c[f"{V}{r}"], bo, rel_tol=1e-9, abs_tol=1e-15), s
            assert math.isclose(c[f"{W}{r}"], oh, rel_tol=1e-9, abs_tol=1e-15), s
        costs[s] = 365 * ce * T * bo + h * T * oh          # the s-dependent part of TC (Eq. 15-16)
    best = min(costs, key=lambda s: (costs[s], s))
    assert best == 3                                        # brute force: s* = 3 for Q = 40
    assert c["B23"] == 3                                    # the live block's s* (cached)
    # Eq. 18/20 by hand: q = ceil(60/40) = 2 orders, billed = shipped = 80, CP = 80 * 15 = 1200,
    # CTr = 80 * 15 * 0.08 + 60 * 10 = 696
    assert (c["B25"], c["B26"], c["B29"], c["B31"]) == (80.0, 80.0, 1200.0, 696.0)
    # TC(s*) = brute-force CD + CH + CP + CTr (Eq. 15-20), live block and results
    tc = costs[3] + 1200.0 + 696.0
    assert math.isclose(c["B34"], tc, rel_tol=1e-9)
    (sheet, ref), = list(wb.defined_names["result_regular_total_cost"].destinations)
    assert math.isclose(cache[sheet][ref.replace("$", "")], tc, rel_tol=1e-9)
    # rows past s_hi and past the table are empty text
    assert c[f"{R}{rows[21] + 1}"] == "" and c[f"{X}1169"] == ""


def test_sq_block_labels_and_python_column(moq40):
    _sc, wb, _cache = moq40
    ws = wb["Model regular"]
    (sheet, ref), = list(wb.defined_names["sq_regular"].destinations)
    assert (sheet, ref) == ("Model regular", "$C$23:$C$34")
    # the Python column holds amspares' values on the rows of the same quantities:
    # s* = 3 (brute force above), TC = the live cell's value (checked against brute force above)
    assert ws["A23"].value.startswith("reorder point s") and ws["C23"].value == 3
    assert ws["A34"].value.startswith("TC total") and ws["C34"].value == _cache["Model regular"]["B34"]
    assert ws["B23"].value.startswith("=IF(AND(methods_regular_moq>1")


def test_accepted_q_is_live_and_matches_the_reference():
    wb = openpyxl.load_workbook(TEMPLATE)
    data = openpyxl.load_workbook(TEMPLATE, data_only=True)
    assert "COUNTIF" in value_at(wb, "model_accepted_q")
    assert value_at(data, "model_accepted_q") == 85                       # docs/model.md section 8
    assert value_at(data, "model_accepted_q") == value_at(data, "py_accepted_q")


def test_template_size_stays_reasonable():
    # two stock sheets with 1,100-row (s,Q) tables (Q up to 1000), about 270 kB each, are most
    # of it; the Summary sheet, the input checks, the stale marks and the kg CO2e formulas
    # brought it from 580 to 610 kB (2026-12): still fine to email; a jump is a regression
    assert TEMPLATE.stat().st_size < 650_000
