"""Factor tables shipped with the package (thesis Tables 1-4 and electricity grids), each row citing its source.

The tables are plain CSV files in ``amspares/data`` (editable); they are read once. Every
row has its Eco-indicator 99 number (``value``, mPts) and, where an openly licensed source
gives one, its climate twin (``kgco2e``, kg CO2e, GWP100) with the exact source row, year and
licence. A missing climate value is ``None``, never 0; ``kgco2e_note`` says why it is missing.

>>> transport_modes()["truck_28t"].value
0.022
>>> transport_modes()["truck_28t"].kgco2e     # UK government conversion factors 2025, per kg-km
0.00017146
>>> sorted(transport_modes())
['plane', 'plane_rf', 'ship', 'truck_16t', 'truck_28t', 'truck_40t', 'van']
>>> print(materials()["PA"].kgco2e)          # no openly licensed value for nylon
None
>>> grids()["NL"].value, grids()["NL"].kgco2e  # mPts/kWh (thesis 4.2.3), kg CO2e/kWh (Ember 2024)
(37.0, 0.2527)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: thesis Eq. 36: kWh = 0.278 MJ
KWH_PER_MJ = 0.278


@dataclass(frozen=True)
class Citation:
    """Where a climate (kg CO2e) value comes from: source, exact row, year, licence, scope."""

    source: str
    row: str
    year: int
    licence: str
    scope: str = ""


@dataclass(frozen=True)
class Factor:
    """One row of a factor table: its name, its number, what it is and where it comes from.

    ``value`` is the Eco-indicator 99 number in ``unit`` (``None`` only in the grids table, for
    a grid the thesis gives no mPts for). ``kgco2e`` is the climate twin in ``kgco2e_unit``,
    ``None`` when no openly licensed value exists (``kgco2e_note`` says why); ``citation`` is
    then ``None`` too. ``kwh_per_kg`` is the electricity per kg of part of a process, where
    known, so that a grid's factor can be applied to it (``kwh_source`` says where it comes from).
    """

    name: str
    value: float | None
    unit: str
    description: str
    source: str
    kgco2e: float | None = None
    kgco2e_unit: str = ""
    citation: Citation | None = None
    kgco2e_note: str = ""
    kwh_per_kg: float | None = None
    kwh_source: str = ""
    includes_forming: bool = False


def _optional(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _read(filename: str, column: str, unit: str, climate_column: str | None = None,
          climate_unit: str = "", source_column: str = "source") -> dict[str, Factor]:
    text = resources.files("amspares.data").joinpath(filename).read_text(encoding="utf-8")
    out = {}
    for r in csv.DictReader(text.splitlines()):
        kg = _optional(r.get(climate_column)) if climate_column else None
        citation = None
        if kg is not None:
            where = f"factor table {filename}, row {r['name']}, {climate_column} = {kg:g}"
            if not kg > 0:
                raise ValueError(f"{where}: must be > 0, or empty when there is no openly "
                                 "licensed value (empty means missing; 0 would mean no impact)")
            cited = [r.get(k, "").strip() for k in ("kgco2e_source", "kgco2e_row", "kgco2e_year",
                                                     "kgco2e_licence")]
            if not all(cited) or not cited[2].isdigit():
                raise ValueError(f"{where}: needs kgco2e_source, kgco2e_row, kgco2e_year "
                                 "(a year) and kgco2e_licence")
            citation = Citation(cited[0], cited[1], int(cited[2]), cited[3], r.get("kgco2e_scope", ""))
        out[r["name"]] = Factor(
            r["name"], _optional(r[column]), unit, r["description"], r[source_column],
            kgco2e=kg, kgco2e_unit=climate_unit if climate_column else "", citation=citation,
            kgco2e_note=r.get("kgco2e_note", "") or "",
            kwh_per_kg=_optional(r.get("kwh_per_kg")), kwh_source=r.get("kwh_source", "") or "",
            includes_forming=(r.get("includes_forming", "") or "").strip().lower() == "yes")
    return out


@lru_cache(maxsize=None)
def materials() -> dict[str, Factor]:
    """Material impact in mPts per kg of material (thesis Table 1), with kg CO2e per kg."""
    return _read("materials.csv", "mpts_per_kg", "mPts/kg", "kgco2e_per_kg", "kg CO2e/kg")


@lru_cache(maxsize=None)
def am_machines() -> dict[str, Factor]:
    """AM machine energy in MJ per kg of part, full build (thesis Table 2).

    No kg CO2e column: the climate impact is the electricity (``am_machine_kwh_per_kg``)
    times a grid's kg CO2e per kWh.
    """
    return _read("am_machines.csv", "mj_per_kg", "MJ/kg")


@lru_cache(maxsize=None)
def processes() -> dict[str, Factor]:
    """Regular production process impact in mPts per kg of part (thesis Table 3, per-kg rows),
    with kg CO2e per kg and electricity per kg where known."""
    return _read("processes.csv", "mpts_per_kg", "mPts/kg", "kgco2e_per_kg", "kg CO2e/kg")


@lru_cache(maxsize=None)
def transport_modes() -> dict[str, Factor]:
    """Transport impact in mPts per kg per km (thesis Table 4), with kg CO2e per kg per km.

    ``plane`` is air freight without radiative forcing, ``plane_rf`` with it (same mPts).
    """
    return _read("transport_modes.csv", "mpts_per_kg_km", "mPts/(kg km)",
                 "kgco2e_per_kg_km", "kg CO2e/(kg km)")


@lru_cache(maxsize=None)
def grids() -> dict[str, Factor]:
    """Electricity grids: mPts per kWh (NL only, thesis 4.2.3) and kg CO2e per kWh, with the year."""
    return _read("grids.csv", "mpts_per_kwh", "mPts/kWh", "kgco2e_per_kwh", "kg CO2e/kWh",
                 source_column="mpts_source")


TABLES = {
    "materials": materials,
    "am_machines": am_machines,
    "processes": processes,
    "transport_modes": transport_modes,
    "grids": grids,
}


def _row(table: str, name: str) -> Factor:
    if table not in TABLES:
        raise KeyError(f"unknown factor table {table!r} (known: {', '.join(TABLES)})")
    rows = TABLES[table]()
    if name in rows:
        return rows[name]
    lower = {k.lower(): k for k in rows}
    if isinstance(name, str) and name.lower() in lower:
        return rows[lower[name.lower()]]
    raise KeyError(f"unknown {table} name {name!r} (known: {', '.join(rows)})")


def climate_twin(table: str, name: str) -> float | None:
    """The kg CO2e twin of a table row by table and row name; ``None`` when no openly licensed
    value exists (never 0). Names match case-insensitively, like scenario look-ups.

    >>> climate_twin("transport_modes", "van")
    0.0006313
    >>> climate_twin("materials", "pp")
    2.57757
    >>> print(climate_twin("materials", "titanium"))
    None
    """
    return _row(table, name).kgco2e


def climate_citation(table: str, name: str) -> Citation | None:
    """The citation (source, exact row, year, licence) of a row's kg CO2e value, or ``None``.

    >>> climate_citation("grids", "DE").year
    2024
    """
    return _row(table, name).citation


def missing_climate_note(table: str, name: str) -> str:
    """A plain sentence naming a row whose kg CO2e value is missing, for a result's notes
    (empty string when the value exists).

    >>> missing_climate_note("materials", "PA").startswith("materials PA: no openly licensed kg CO2e value.")
    True
    >>> missing_climate_note("materials", "PP")
    ''
    """
    f = _row(table, name)
    if f.kgco2e is not None:
        return ""
    rest = f.kgco2e_note.strip()
    prefix = "no openly licensed value"
    if rest.startswith(prefix):
        rest = rest[len(prefix):].lstrip(".;: ")
    text = f"{table} {f.name}: no openly licensed kg CO2e value."
    if rest:
        text += " " + rest[0].upper() + rest[1:] + ("" if rest.endswith(".") else ".")
    return text


def grid_kgco2e_per_kwh(name: str) -> float:
    """A grid's kg CO2e per kWh (every shipped grid has one).

    >>> grid_kgco2e_per_kwh("EU-27")
    0.21302
    """
    return _row("grids", name).kgco2e


def am_machine_kwh_per_kg(name: str) -> float:
    """Electricity of an AM machine in kWh per kg of part: MJ/kg x 0.278 (thesis Eq. 36).

    >>> round(am_machine_kwh_per_kg("sls_eosint_p390"), 6)   # the case study's 29.746
    29.746
    """
    return _row("am_machines", name).value * KWH_PER_MJ


def process_kgco2e_per_kg(name: str, grid: str = "NL") -> float | None:
    """Climate factor of a process in kg CO2e per kg of part: its own kg CO2e value where one is
    shipped, else its electricity per kg (``kwh_per_kg``) times the grid's kg CO2e per kWh, else
    ``None``. Note: with a material whose factor includes forming (``Factor.includes_forming``,
    the UK plastics rows), the moulding process's climate factor is 0; the caller decides.

    >>> round(process_kgco2e_per_kg("injection_moulding_pvc_pc", "NL"), 8)   # 1.189189 x 0.2527
    0.30050806
    >>> print(process_kgco2e_per_kg("metal_pressing"))
    None
    """
    f = _row("processes", name)
    if f.kgco2e is not None:
        return f.kgco2e
    if f.kwh_per_kg is not None:
        return f.kwh_per_kg * grid_kgco2e_per_kwh(grid)
    return None
