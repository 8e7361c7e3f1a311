"""Factor tables shipped with the package (thesis Tables 1-4), each row citing its source.

The tables are plain CSV files in ``amspares/data`` (editable); they are read once.

>>> transport_modes()["truck_28t"].value
0.022
>>> sorted(transport_modes())
['plane', 'ship', 'truck_16t', 'truck_28t', 'truck_40t', 'van']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Factor:
    """One row of a factor table: its name, its number, what it is and where it comes from."""

    name: str
    value: float
    unit: str
    description: str
    source: str


def _read(filename: str, column: str, unit: str) -> dict[str, Factor]:
    text = resources.files("amspares.data").joinpath(filename).read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["name"]: Factor(r["name"], float(r[column]), unit, r["description"], r["source"])
            for r in rows}


@lru_cache(maxsize=None)
def materials() -> dict[str, Factor]:
    """Material impact in mPts per kg of material (thesis Table 1)."""
    return _read("materials.csv", "mpts_per_kg", "mPts/kg")


@lru_cache(maxsize=None)
def am_machines() -> dict[str, Factor]:
    """AM machine energy in MJ per kg of part, full build (thesis Table 2)."""
    return _read("am_machines.csv", "mj_per_kg", "MJ/kg")


@lru_cache(maxsize=None)
def processes() -> dict[str, Factor]:
    """Regular production process impact in mPts per kg of part (thesis Table 3, per-kg rows)."""
    return _read("processes.csv", "mpts_per_kg", "mPts/kg")


@lru_cache(maxsize=None)
def transport_modes() -> dict[str, Factor]:
    """Transport impact in mPts per kg per km (thesis Table 4)."""
    return _read("transport_modes.csv", "mpts_per_kg_km", "mPts/(kg km)")


TABLES = {
    "materials": materials,
    "am_machines": am_machines,
    "processes": processes,
    "transport_modes": transport_modes,
}
