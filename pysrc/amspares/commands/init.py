"""``amspares init``: write a scenario file to start from (the thesis case study, or with
``--catalogue`` a base scenario meant for a catalogue)."""

from __future__ import annotations

CATALOGUE_BASE = "catalogue_base.toml"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "init", help="write the thesis case study (or, with --catalogue, a catalogue base) as a scenario file to edit",
        description="Write the built-in thesis case study as a commented TOML scenario file, "
                    "a starting point for your own part. Edit it, then run "
                    "'amspares evaluate FILE' or 'amspares scenario FILE'. With --catalogue, "
                    "write instead a base scenario meant for a whole catalogue ('amspares "
                    "portfolio SKUS.csv --scenario FILE'), documented key by key.")
    p.add_argument("output", nargs="?", default=None, metavar="OUT.toml",
                   help="file to write (default: scenario.toml, or catalogue_base.toml with --catalogue)")
    p.add_argument("--catalogue", action="store_true",
                   help="write a base scenario for a catalogue (service years, downtime, holding, "
                        "the print hub's lead time and price, transport legs), not the LCD cover")
    p.add_argument("--force", action="store_true", help="overwrite OUT.toml if it exists")
    p.set_defaults(func=run_init)


def run_init(args) -> int:
    from importlib import resources

    from amspares.fileio import atomic_output
    from amspares.scenario import CASE_STUDY

    catalogue = getattr(args, "catalogue", False)
    name = CATALOGUE_BASE if catalogue else CASE_STUDY
    output = args.output or ("catalogue_base.toml" if catalogue else "scenario.toml")
    text = resources.files("amspares.data").joinpath(name).read_text(encoding="utf-8")
    with atomic_output(output, force=args.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    if catalogue:
        print(f"wrote {output}: a base scenario for a catalogue; check every value, then run "
              f"'amspares portfolio SKUS.csv --scenario {output} -o results.csv'")
    else:
        print(f"wrote {output}: the thesis case study; edit it and run "
              f"'amspares evaluate {output}'")
    return 0
