"""The kg CO2e (climate, GWP100) columns of the factor tables.

Expected values come from the cited source file, not from this test: every shipped kg CO2e
value must equal the value of the row it cites in ``kgco2e_factor_candidates.csv`` (the project's
reference data, each row with its source, exact source row, year, licence and a second-source
check). That file is read from ``../shared/data/`` beside the repository when present (CI has a
read-only copy there) and otherwise from the copy in ``tests/data/``; when both exist they must be
identical, so the copy cannot drift.
"""

import csv
import re
from pathlib import Path

import pytest

from amspares import cli, factors

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "kgco2e_factor_candidates.csv"
COPY = REPO / "tests" / "data" / "kgco2e_factor_candidates.csv"
CANDIDATES = SHARED if SHARED.is_file() else COPY

# table of amspares -> (its CSV, its kg CO2e column, the candidates' table name, their unit)
CLIMATE_TABLES = {
    "materials": ("materials.csv", "kgco2e_per_kg", "materials", "kg CO2e per kg"),
    "processes": ("processes.csv", "kgco2e_per_kg", "processes", "kg CO2e per kg"),
    "transport_modes": ("transport_modes.csv", "kgco2e_per_kg_km", "transport_modes", "kg CO2e per kg-km"),
    "grids": ("grids.csv", "kgco2e_per_kwh", "impact", "kg CO2e per kWh"),
}


def _candidates():
    return list(csv.DictReader(CANDIDATES.read_text(encoding="utf-8").splitlines()))


def _raw(filename):
    from importlib import resources
    text = resources.files("amspares.data").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _is_open(licence):
    return "NOT open" not in licence and ("OGL" in licence or "CC BY" in licence)


def _shipped():
    for table in CLIMATE_TABLES:
        for f in factors.TABLES[table]().values():
            if f.kgco2e is not None:
                yield table, f


def test_the_shipped_copy_of_the_source_file_is_the_reference_file():
    assert COPY.is_file()
    if SHARED.is_file():
        assert COPY.read_bytes() == SHARED.read_bytes(), "tests/data copy differs from shared/data"


def test_there_are_shipped_climate_values_in_every_table_but_processes():
    tables = {t for t, _ in _shipped()}
    assert tables == {"materials", "transport_modes", "grids"}
    assert len(list(_shipped())) == 3 + 7 + 5          # PP, HDPE, PS; 7 modes; 5 grids


@pytest.mark.parametrize("table,factor", list(_shipped()), ids=lambda x: getattr(x, "name", x))
def test_every_shipped_value_equals_its_cited_source_value(table, factor):
    _, _, cand_table, cand_unit = CLIMATE_TABLES[table]
    c = factor.citation
    matches = [r for r in _candidates() if r["table"] == cand_table and r["source_row"] == c.row]
    assert len(matches) == 1, f"{table} {factor.name}: cited row {c.row!r} not found once in {CANDIDATES}"
    src = matches[0]
    assert factor.kgco2e == float(src["kgco2e_value"])                     # the cited value, exactly
    assert c.year == int(src["year"])
    assert src["unit"] == cand_unit
    assert _is_open(src["licence"]), f"{factor.name}: its source is not openly licensed"
    assert c.licence and c.source
    # the value is the number written in the cited row (g or kg per tonne-km / per tonne -> /1000)
    number = re.search(r"=\s*([0-9.]+)", c.row)
    if number:
        assert factor.kgco2e == pytest.approx(float(number.group(1)) / 1000, rel=1e-5)
    # the radiative-forcing variant is the mode named so
    if "RF" in c.row:
        assert (factor.name == "plane_rf") == ("With RF" in c.row)


def test_empty_cells_are_none_with_a_reason_never_zero():
    empty = 0
    for table, (filename, column, _, _) in CLIMATE_TABLES.items():
        rows = factors.TABLES[table]()
        for raw in _raw(filename):
            f = rows[raw["name"]]
            if raw[column].strip() == "":
                empty += 1
                assert f.kgco2e is None and f.citation is None, (table, f.name)
                assert f.kgco2e_note.startswith("no openly licensed"), (table, f.name)
                assert factors.climate_twin(table, f.name) is None
                assert f.name in factors.missing_climate_note(table, f.name)
            else:
                assert float(raw[column]) > 0 and f.kgco2e == float(raw[column]), (table, f.name)
                assert raw["kgco2e_source"] and raw["kgco2e_row"] and raw["kgco2e_year"] and raw["kgco2e_licence"]
    assert empty == 7 + 6        # materials without an open value (PA ... titanium); all processes


def test_values_that_are_not_openly_licensed_are_not_shipped():
    cited = {(CLIMATE_TABLES[t][2], f.citation.row) for t, f in _shipped()}
    for r in _candidates():
        if not _is_open(r["licence"]):
            assert (r["table"], r["source_row"]) not in cited, r["amspares_row"]


def test_every_openly_licensed_candidate_for_an_existing_row_is_shipped():
    cited = {(CLIMATE_TABLES[t][2], f.citation.row) for t, f in _shipped()}
    for r in _candidates():
        if _is_open(r["licence"]) and "no amspares row" not in r["amspares_row"]:
            assert (r["table"], r["source_row"]) in cited, r["amspares_row"]


def test_plane_rf_keeps_the_eco_indicator_value_of_plane():
    modes = factors.transport_modes()
    assert modes["plane_rf"].value == modes["plane"].value == 0.078    # thesis Table 4
    assert modes["plane_rf"].kgco2e > modes["plane"].kgco2e


def test_injection_moulding_electricity_is_the_eco_indicator_score_over_the_nl_grid():
    """kWh/kg = process mPts/kg / 37 mPts/kWh (thesis Table 3 and 4.2.3), rounded to 6 decimals."""
    nl = factors.grids()["NL"].value
    assert nl == 37.0
    for name, mpts in (("injection_moulding_pe_pp_ps_abs", 21.0), ("injection_moulding_pvc_pc", 44.0)):
        f = factors.processes()[name]
        assert f.value == mpts and f.kwh_per_kg == pytest.approx(mpts / nl, abs=5e-7)
        # climate factor through a grid: kWh/kg x kg CO2e/kWh (Ember 2024, grids table)
        for grid in factors.grids():
            assert factors.process_kgco2e_per_kg(name, grid) == pytest.approx(
                f.kwh_per_kg * factors.grids()[grid].kgco2e, rel=1e-15)
    assert factors.process_kgco2e_per_kg("metal_pressing", "NL") is None
    # UK plastics factors include forming: those rows say so, the others do not
    assert {n for n, f in factors.materials().items() if f.includes_forming} == {"PP", "HDPE", "PS"}


def test_lookups_are_by_table_name_and_unknown_names_are_clear():
    assert factors.climate_twin("transport_modes", "TRUCK_28T") == 0.00017146
    assert factors.grid_kgco2e_per_kwh("UK") == 0.177
    with pytest.raises(KeyError, match="unknown grids name 'FR'.*NL"):
        factors.grid_kgco2e_per_kwh("FR")
    with pytest.raises(KeyError, match="unknown factor table"):
        factors.climate_twin("fuels", "diesel")


def test_factors_command_lists_every_climate_value_and_says_when_there_is_none(capsys):
    assert cli.main(["factors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    seen = 0
    for table in CLIMATE_TABLES:
        for f in factors.TABLES[table]().values():
            i = next(k for k, line in enumerate(lines) if line.split()[:1] == [f.name]
                     and table in next(h for h in reversed(lines[:k]) if not h.startswith(" ")))
            climate = lines[i + 1]
            if f.kgco2e is None:
                assert "kg CO2e: no openly licensed value" in climate, f.name
            else:
                decimal = format(__import__("decimal").Decimal(repr(f.kgco2e)), "f")
                assert f"kg CO2e: {decimal} " in climate and f.citation.row in climate, f.name
                assert str(f.citation.year) in climate and f.citation.licence in climate
            seen += 1
    assert seen == 10 + 6 + 7 + 5
    assert cli.main(["factors", "grids"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("grids") and "NL" in out and "0.38355" in out


def test_a_zero_or_uncited_climate_value_in_an_edited_table_is_a_clear_error(monkeypatch, tmp_path):
    import importlib.resources as ir
    data = ir.files("amspares.data")
    text = data.joinpath("materials.csv").read_text(encoding="utf-8")
    (tmp_path / "materials.csv").write_text(text.replace(",4.37680,", ",0,"),
                                            encoding="utf-8")
    monkeypatch.setattr(factors.resources, "files", lambda pkg: tmp_path)
    with pytest.raises(ValueError, match=r"materials.csv, row PS, kgco2e_per_kg = 0: must be > 0, or empty"):
        factors._read("materials.csv", "mpts_per_kg", "mPts/kg", "kgco2e_per_kg", "kg CO2e/kg")
    (tmp_path / "materials.csv").write_text(text.replace(",2025,Open Government Licence v3.0", ",,Open Government Licence v3.0", 1),
                                            encoding="utf-8")
    with pytest.raises(ValueError, match=r"row PP, kgco2e_per_kg = 2.57757: needs kgco2e_source"):
        factors._read("materials.csv", "mpts_per_kg", "mPts/kg", "kgco2e_per_kg", "kg CO2e/kg")
