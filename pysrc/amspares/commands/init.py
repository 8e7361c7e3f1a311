"""``amspares init``: write a scenario file to start from."""

from __future__ import annotations

from importlib import resources

from amspares.fileio import atomic_output


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


def run_init(args) -> int:
    from amspares.scenario import CASE_STUDY

    text = resources.files("amspares.data").joinpath(CASE_STUDY).read_text(encoding="utf-8")
    with atomic_output(args.output, force=args.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: the thesis case study; edit it and run "
          f"'amspares evaluate {args.output}'")
    return 0
