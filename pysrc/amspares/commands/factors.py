"""``amspares factors``: list the factor tables a scenario can refer to by name."""

from __future__ import annotations

from amspares import factors


def add_parser(sub) -> None:
    f = sub.add_parser(
        "factors", help="list the factor tables (thesis Tables 1-4) with their sources",
        description="List the factor tables a scenario can refer to by name: materials "
                    "(part.material), AM machines (methods.<m>.am_machine), processes "
                    "(methods.<m>.process) and transport modes (legs' mode).")
    f.add_argument("table", nargs="?", choices=sorted(factors.TABLES), help="one table only")
    f.set_defaults(func=run_factors)


#: The scenario key that refers to each table's names.
KEYS = {"materials": "part.material", "am_machines": "methods.<m>.am_machine",
        "processes": "methods.<m>.process", "transport_modes": "legs: { mode = ..., km = ... }"}


def run_factors(args) -> int:
    names = [args.table] if args.table else list(factors.TABLES)
    for name in names:
        rows = factors.TABLES[name]()
        print(f"{name}  (use as {KEYS[name]})")
        width = max(len(r) for r in rows)
        for r in rows.values():
            print(f"  {r.name:<{width}}  {r.value:>9g} {r.unit:<13} {r.description}  [{r.source}]")
        print()
    return 0
