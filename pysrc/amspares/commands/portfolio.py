"""``amspares portfolio``: print or stock for every SKU of a catalogue (CSV or xlsx).

A thin adapter: reading, validating, evaluating and writing live in
:mod:`amspares.portfolio` (a package); this module parses arguments, shows progress and reports.
Exit status: 0 all rows evaluated, 1 some rows failed (they are reported and carry an
``error`` in the output), 2 unusable input (missing file, no ``sku`` column, existing
output without ``--force``, bad scenario).
"""

from __future__ import annotations

import sys

from amspares.progress import Progress as _Progress

# amspares.portfolio (numpy, the model) is imported by run(), not at start-up; its default chunk
# size is repeated here for the help text (tests/test_startup.py checks that the two agree).
CHUNK_ROWS = 100_000


def add_parser(sub) -> None:
    p = sub.add_parser(
        "portfolio",
        help="print or stock for a whole catalogue: one row per SKU in, one result per SKU out",
        description="Evaluate every SKU of a catalogue (CSV or xlsx; a 'sku' column plus any "
                    "numeric scenario key in dotted form, e.g. demand.rate_per_year, "
                    "methods.regular.price, methods.regular.moq, part.weight_kg, or "
                    "model.waiting_time) against a base scenario (default: the thesis case "
                    "study). A cell overrides the base value for that SKU; an empty cell keeps "
                    "it. Writes, per SKU, each method's policy (S, or s and Q), total cost and "
                    "impact, the cheapest and greenest method and the saving over the "
                    "runner-up, and prints totals by decision.",
        epilog="Exit status: 0 every row evaluated; 1 some rows failed (reported on stderr with "
               "row number, column and rule, and in the output's error column; the other rows "
               "are written); 2 unusable input.",
    )
    p.add_argument("catalogue", metavar="SKUS.csv|SKUS.xlsx", help="the catalogue, one row per SKU")
    p.add_argument("--scenario", metavar="BASE.toml",
                   help="base scenario (default: the built-in thesis case study)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv|OUT.xlsx",
                   help="results file (xlsx adds a Summary sheet with a chart)")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.add_argument("--chunk-size", type=int, default=CHUNK_ROWS, metavar="ROWS",
                   help=f"rows evaluated at a time (default {CHUNK_ROWS:,}); bounds memory")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="processes evaluating chunks in parallel (CSV output; default 1, "
                        "0 = one per CPU); the output is identical")
    p.add_argument("--advice", action="store_true",
                   help="also write each stock method's cheapest order quantity Q >= moq and its "
                        "saving (advice_Q, advice_saving; rows with an (s,Q) policy; slower)")
    p.add_argument("--breakdown", action="store_true",
                   help="also write each method's cost components (<method>.cost.downtime, "
                        "... as in 'amspares evaluate --json') and impact components "
                        "(<method>.impact.material, ...)")
    p.set_defaults(func=run)


class Progress(_Progress):
    """Progress of a catalogue: :func:`amspares.portfolio.run_portfolio` calls it as
    ``progress(fraction_done, rows_so_far)``."""

    def __init__(self, stream=None, after: float = 1.0):
        super().__init__("portfolio", stream, after)

    def __call__(self, fraction: float, rows: int) -> None:
        self.show(f"{rows:,} SKUs ({fraction:.0%}) in {self.elapsed:.1f} s", fraction)


def run(args) -> int:
    from amspares.portfolio import MAX_REPORTED, run_portfolio
    from amspares.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    progress = Progress()
    try:
        report = run_portfolio(args.catalogue, args.output, scenario, force=args.force,
                               chunk_rows=args.chunk_size, jobs=args.jobs, advice=args.advice,
                               breakdown=args.breakdown,
                               progress=progress)
    finally:
        progress.close()
    err = sys.stderr
    for name, problem in report.unknown_columns:
        print(f"amspares portfolio: column {name}: {problem} (rows with a value in it are not evaluated)",
              file=err)
    for line in report.problems:
        print(f"amspares portfolio: {line}", file=err)
    if report.problem_count > len(report.problems):
        print(f"amspares portfolio: ... and {report.problem_count - len(report.problems):,} more bad rows "
              f"(first {MAX_REPORTED} shown; every one is in the error column of {args.output})", file=err)
    print(f"{report.rows:,} SKUs read from {args.catalogue} against {scenario.name!r}; "
          f"results in {args.output} ({report.seconds:.1f} s)")
    print(report.summary.text())
    return 1 if report.problem_count else 0
