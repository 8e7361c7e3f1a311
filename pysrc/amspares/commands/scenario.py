"""``amspares scenario``: runs the thesis's six case-study situations for a scenario.

A thin adapter: :func:`amspares.report.study_json` puts :func:`amspares.model.evaluate`
and the six situations (:func:`amspares.core.casestudy.run_situations`) together;
:func:`amspares.wording.format_study` only words their numbers (it computes nothing). The
JSON object is ``{"base": <evaluate object>, "breakeven": {...}, "sweeps": {...},
"roles": {...}, "reasons": {...}, "notes": [...], "current": {...}, "sides": {...}}``;
sweep and column names are documented in :mod:`amspares.core.casestudy`.
"""

from __future__ import annotations

import sys

from amspares.progress import Progress as _Progress

__all__ = ["add_parser", "run", "Progress", "study_json", "format_study"]


# The model (numpy, scipy) is imported on first use, not when the command line starts.
def study_json(*args, **kwargs):
    """:func:`amspares.report.study_json`."""
    from amspares.report import study_json
    return study_json(*args, **kwargs)


def format_study(*args, **kwargs):
    """:func:`amspares.wording.format_study`."""
    from amspares.wording import format_study
    return format_study(*args, **kwargs)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "scenario",
        help="run the thesis's six case-study situations for a scenario: when does printing win?",
        description="Run the six situations of the thesis's case study for a scenario "
                    "(default: the built-in thesis case study): the base comparison, price, "
                    "minimum-order-quantity, portfolio, mould and AM-energy situations, each "
                    "with its sweep and the break-even at which the cheaper (or greener) "
                    "method flips. 'regular' is the method named regular (else the first "
                    "stock method); 'am_mto' the method named am_mto (else the first order "
                    "method).",
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                   help="scenario file (default: the built-in thesis case study)")
    p.add_argument("--json", action="store_true",
                   help='print {"base": ..., "breakeven": ..., "sweeps": ...} as JSON')
    p.add_argument("-o", "--output", metavar="OUT.xlsx",
                   help="also write the scenario workbook (situation sheets and charts)")
    p.add_argument("--force", action="store_true", help="overwrite OUT.xlsx if it exists")
    p.set_defaults(func=run)


class Progress(_Progress):
    """Progress of the case-study run: the core calls it as ``progress(what, i, total)``."""

    def __init__(self, stream=None, after: float = 1.0):
        super().__init__("scenario", stream, after)

    def __call__(self, what: str, i: int, total: int) -> None:
        self.show(f"[{i}/{total}] {what}", i / total if total else None)

    done = _Progress.close


def run(args) -> int:
    from amspares.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.output:   # refuse a bad output path before seconds of work, not after
        from amspares.errors import OutputError
        from amspares.fileio import check_writable
        if not args.output.lower().endswith(".xlsx"):
            raise OutputError(f"output {args.output!r}: the workbook must be a .xlsx file")
        check_writable(args.output, force=args.force, probe=True)
    progress = Progress()
    study = study_json(scenario, progress)
    if args.output:
        progress.done()
        # writing the workbook takes seconds: always say so (one line on stderr)
        print(f"amspares scenario: writing {args.output} ...", file=sys.stderr, flush=True)
        from amspares.workbook import write_scenario_workbook
        write_scenario_workbook(scenario, study, args.output, force=args.force)
    progress.done()
    if args.json:
        from amspares.cli import json_text
        text = json_text(study, indent=1)
    else:
        from amspares.wording import climate_gaps
        text = format_study(study, years=float(scenario.inputs()["demand.service_years"]),
                            gaps=climate_gaps(study["base"], scenario.climate_missing))
    try:
        print(text)
    except BrokenPipeError:          # e.g. piped into head: not an error for the user
        sys.stderr.close()
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
