"""``amspares init``: write a scenario file to start from, and ``amspares factors``."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

from amspares import factors
from amspares.fileio import atomic_output
from amspares.scenario import CASE_STUDY


def add_parser(sub) -> None:
    p = sub.add_parser(
        "init", help="write the thesis case study as a scenario file to edit",
        description="Write the built-in thesis case study as a commented TOML scenario file, "
                    "a starting point for your own part. Edit it, then run "
                    "'amspares evaluate FILE' or 'amspares scenario FILE'.")
    p.add_argument("output", nargs="?", default="scenario.toml", metavar="OUT.toml",
                   help="file to write (default: scenario.toml)")
    p.add_argument("--force", action="store_true", help="overwrite OUT.toml if it exists")
    p.set_defaults(func=run_init)

    f = sub.add_parser(
        "factors", help="list the factor tables (thesis Tables 1-4) with their sources",
        description="List the factor tables a scenario can refer to by name: materials "
                    "(part.material), AM machines (methods.<m>.am_machine), processes "
                    "(methods.<m>.process) and transport modes (legs' mode).")
    f.add_argument("table", nargs="?", choices=sorted(factors.TABLES), help="one table only")
    f.set_defaults(func=run_factors)


def run_init(args) -> int:
    text = resources.files("amspares.data").joinpath(CASE_STUDY).read_text(encoding="utf-8")
    with atomic_output(args.output, force=args.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: the thesis case study; edit it and run "
          f"'amspares evaluate {args.output}'")
    return 0


_KEYS = {"materials": "part.material", "am_machines": "methods.<m>.am_machine",
         "processes": "methods.<m>.process", "transport_modes": "legs: { mode = ..., km = ... }",
         "grids": "impact.electricity_*_per_kwh: copy the number"}


def _climate(r) -> str:
    """The kg CO2e line of a factor row: its value and citation, or why there is none."""
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
    names = [args.table] if args.table else list(factors.TABLES)
    for name in names:
        rows = factors.TABLES[name]()
        print(f"{name}  (use as {_KEYS[name]})")
        width = max(len(r) for r in rows)
        for r in rows.values():
            value = f"{r.value:>9g}" if r.value is not None else f"{'-':>9}"
            source = f"  [{r.source}]" if r.source else "  [no mPts value in the thesis]"
            print(f"  {r.name:<{width}}  {value} {r.unit:<13} {r.description}{source}")
            print(f"  {'':<{width}}  {_climate(r)}")
        print()
    return 0
