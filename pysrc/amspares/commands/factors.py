"""``amspares factors``: list the factor tables a scenario can refer to by name."""

from __future__ import annotations



#: The factor tables' names, ``sorted(amspares.factors.TABLES)`` (tests/test_startup.py checks
#: it): written out so that ``amspares --help`` does not load the tables' module.
TABLE_NAMES = ("am_machines", "grids", "materials", "processes", "transport_modes")


def add_parser(sub) -> None:
    f = sub.add_parser(
        "factors", help="list the factor tables (thesis Tables 1-4, electricity grids) with their sources",
        description="List the factor tables a scenario can refer to by name: materials "
                    "(part.material), AM machines (methods.<m>.am_machine), processes "
                    "(methods.<m>.process), transport modes (legs' mode) and electricity grids, "
                    "each with its Eco-indicator 99 value and its kg CO2e (GWP100) value and source.")
    f.add_argument("table", nargs="?", choices=TABLE_NAMES, help="one table only")
    f.set_defaults(func=run_factors)


#: The scenario key that refers to each table's names.
KEYS = {"materials": "part.material", "am_machines": "methods.<m>.am_machine",
        "processes": "methods.<m>.process", "transport_modes": "legs: { mode = ..., km = ... }",
        "grids": "impact.electricity_*_per_kwh: copy the number"}


def _climate(r) -> str:
    """The kg CO2e line of a factor row: its value and citation, or why there is none."""
    from decimal import Decimal

    from amspares import factors

    if r.kgco2e is not None:
        c = r.citation
        return (f"kg CO2e: {format(Decimal(repr(r.kgco2e)), 'f')} {r.kgco2e_unit}  "
                f"[{c.source}: {c.row}; {c.year}; {c.licence}]")
    if r.unit == "MJ/kg":
        return (f"kg CO2e: electricity {r.value * factors.KWH_PER_MJ:g} kWh/kg "
                f"x the grid's kg CO2e/kWh (grids table)")
    text = "kg CO2e: no openly licensed value"
    if r.kwh_per_kg is not None:
        text += f"; electricity {r.kwh_per_kg:g} kWh/kg x the grid's kg CO2e/kWh (grids table)"
    note = r.kgco2e_note.removeprefix("no openly licensed value").lstrip(".;: ")
    if note and r.kwh_per_kg is None:
        text += f" ({note[0].lower()}{note[1:]})"
    return text


def run_factors(args) -> int:
    from amspares import factors

    names = [args.table] if args.table else list(factors.TABLES)
    for name in names:
        rows = factors.TABLES[name]()
        print(f"{name}  (use as {KEYS[name]})")
        width = max(len(r) for r in rows)
        for r in rows.values():
            value = f"{r.value:>9g}" if r.value is not None else f"{'-':>9}"
            source = f"  [{r.source}]" if r.source else "  [no mPts value in the thesis]"
            print(f"  {r.name:<{width}}  {value} {r.unit:<13} {r.description}{source}")
            print(f"  {'':<{width}}  {_climate(r)}")
        print()
    return 0
