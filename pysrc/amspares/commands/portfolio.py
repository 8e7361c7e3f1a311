"""``amspares portfolio``: print or stock for every SKU of a catalogue (CSV or xlsx).

A thin adapter: reading, validating, evaluating and writing live in
:mod:`amspares.portfolio` (a package); this module parses arguments, shows progress and reports.
Exit status: 0 all rows evaluated, 1 some rows failed (they are reported and carry an
``error`` in the output), 2 unusable input (missing file, no ``sku`` column, existing
output without ``--force``, bad scenario).
"""

from __future__ import annotations

import sys

from amspares.periods import PERIODS_PER_YEAR
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
                    "runner-up, the print price to win, and prints totals by decision. An ERP "
                    "export with its own headers and units is read through a column map "
                    "(--columns; --suggest-columns writes one). A row may give its demand "
                    "history instead of demand.rate_per_year (history.2021-01, ... columns, or "
                    "--history FILE): it is evaluated at the estimated rate, with the rate's "
                    "interval, the demand class and whether the decision holds across the "
                    "interval; see docs/catalogues.md.",
        epilog="Exit status: 0 every row evaluated; 1 some rows failed (reported on stderr with "
               "row number, column and rule, and in the output's error column; the other rows "
               "are written); 2 unusable input.",
    )
    p.add_argument("catalogue", metavar="SKUS.csv|SKUS.xlsx", help="the catalogue, one row per SKU")
    p.add_argument("--scenario", metavar="BASE.toml",
                   help="base scenario (default: the built-in thesis case study)")
    p.add_argument("-o", "--output", metavar="OUT.csv|OUT.xlsx",
                   help="results file (xlsx adds a Summary sheet with a chart); required, except "
                        "with --suggest-columns (then the map file, default: standard output)")
    p.add_argument("--columns", metavar="MAP.toml",
                   help="column map: the file's own headers to scenario keys, with a unit or "
                        "scale per column and fixed values for keys the file lacks "
                        "(see docs/catalogues.md)")
    p.add_argument("--suggest-columns", action="store_true",
                   help="write a starting column map from the file's headers (to -o FILE, or "
                        "standard output), one commented line per header; evaluates nothing")
    p.add_argument("--decimal", choices=(".", ","), metavar="{. or ,}",
                   help="decimal mark of the file's numbers (default: detected; ',' reads 1.234,5)")
    p.add_argument("--delimiter", choices=(",", ";", "tab"), metavar="{, or ; or tab}",
                   help="field separator of a CSV file (default: detected from the header row)")
    p.add_argument("--header-row", type=int, metavar="N",
                   help="the row holding the headers (default: the first row naming the sku "
                        "column or a mapped header)")
    p.add_argument("--negotiate", action="store_true",
                   help="also write, per stock method with a minimum order quantity, the moq "
                        "at which printing to order would win (<method>.moq_to_win; a root "
                        "search per SKU, slower). The print price to win "
                        "(<order method>.price_to_win) is always written")
    p.add_argument("--history", metavar="HISTORY.csv",
                   help="demand history per SKU instead of demand.rate_per_year: a wide file "
                        "(sku, history.2021-01, history.2021-02, ...) or transactions (sku, date, "
                        "quantity; summed per --period). The catalogue may instead hold the "
                        "history.<period> columns itself (docs/catalogues.md)")
    hg = p.add_mutually_exclusive_group()
    hg.add_argument("--period", choices=tuple(PERIODS_PER_YEAR),
                    help="period length: what a transactions file is summed into (default month), "
                         "or the period of history columns not named by month, quarter or week")
    hg.add_argument("--periods-per-year", type=float, metavar="N",
                    help="periods per year of history columns not named by month, quarter or week")
    p.add_argument("--level", type=float, default=0.90, metavar="L",
                   help="confidence level of the rate's interval estimated from history (default 0.90)")
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


def _suggest(args, scenario) -> int:
    from pathlib import Path

    from amspares.fileio import atomic_output
    from amspares.portfolio import PortfolioInputError, read_header, suggest_map
    from amspares.portfolio import _same_file

    delimiter = {"tab": "\t"}.get(args.delimiter, args.delimiter)
    source = read_header(args.catalogue, delimiter=delimiter, header_row=args.header_row)
    text = suggest_map(source.header, scenario, delimiter=source.delimiter if
                       Path(args.catalogue).suffix.lower() not in (".xlsx", ".xlsm") else None,
                       decimal=args.decimal or (source.decimal if source.decimal == "," else None),
                       header_row=source.header_row)
    if not args.output:
        sys.stdout.write(text)
        return 0
    if _same_file(Path(args.catalogue), Path(args.output)):
        raise PortfolioInputError(f"the output {args.output!r} is the catalogue itself: choose "
                                  f"another name (even --force never replaces the input)")
    with atomic_output(args.output, force=args.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: a column map suggested from the {len(source.header)} headers of "
          f"{args.catalogue}; check it, then run 'amspares portfolio {args.catalogue} "
          f"--columns {args.output} -o RESULTS.csv'")
    return 0


def run(args) -> int:
    from amspares.portfolio import MAX_REPORTED, run_portfolio
    from amspares.scenario import load_scenario
    from amspares.portfolio import load_map

    scenario = load_scenario(args.scenario)
    if args.suggest_columns:
        return _suggest(args, scenario)
    if not args.output:
        print("amspares portfolio: -o OUT.csv|OUT.xlsx is required (the results file)", file=sys.stderr)
        return 2
    colmap = load_map(args.columns) if args.columns else None
    progress = Progress()
    try:
        report = run_portfolio(args.catalogue, args.output, scenario, force=args.force,
                               chunk_rows=args.chunk_size, jobs=args.jobs, advice=args.advice,
                               breakdown=args.breakdown, negotiate=args.negotiate,
                               columns=colmap, decimal=args.decimal,
                               delimiter={"tab": "\t"}.get(args.delimiter, args.delimiter),
                               header_row=args.header_row, history=args.history,
                               period=args.period, periods_per_year=args.periods_per_year,
                               level=args.level, progress=progress)
    finally:
        progress.close()
    err = sys.stderr
    for line in report.warnings:
        print(f"amspares portfolio: warning: {line}", file=err)
    if report.warning_count > len(report.warnings):
        print(f"amspares portfolio: warning: ... and {report.warning_count - len(report.warnings):,} "
              f"more repeated SKUs (first {MAX_REPORTED} shown)", file=err)
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
    how = [f"header on row {report.header_row}"] if report.header_row != 1 else []
    if report.decimal == ",":
        how.append("decimal comma")
    if report.delimiter != ",":
        how.append({"\t": "tab", ";": "semicolon"}[report.delimiter] + "-separated")
    if how:
        print("read as: " + ", ".join(how))
    if report.carried:
        print("carried through as text: " + ", ".join(report.carried))
    print(inherited_text(report.base, report.inherited))
    print(report.summary.text())
    return 1 if report.problem_count else 0


def _short(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def inherited_text(base: str, inherited: dict, width: int = 100) -> str:
    """The base scenario and every key the rows inherit from it, grouped by table.

    >>> print(inherited_text("Base (b.toml)", {"demand.service_years": 10.0,
    ...                                        "methods.regular.moq": 1, "methods.regular.price": 2.5}))
    base scenario: Base (b.toml); every row inherits these 3 values from it (no column gives them):
      demand: service_years = 10
      methods.regular: moq = 1, price = 2.5
    """
    if not inherited:
        return f"base scenario: {base}; every model input is given by a column"
    groups: dict[str, list[str]] = {}
    for key, value in inherited.items():
        table, _, name = key.rpartition(".")
        groups.setdefault(table, []).append(f"{name} = {_short(value)}")
    lines = [f"base scenario: {base}; every row inherits these {len(inherited)} values from it "
             f"(no column gives them):"]
    for table, items in groups.items():
        line = f"  {table}: "
        for j, item in enumerate(items):          # wrap between items, never inside one
            piece = item + ("," if j < len(items) - 1 else "")
            if len(line) + len(piece) > width and not line.endswith(": "):
                lines.append(line.rstrip())
                line = " " * (len(table) + 4)
            line += piece + " "
        lines.append(line.rstrip())
    return "\n".join(lines)
