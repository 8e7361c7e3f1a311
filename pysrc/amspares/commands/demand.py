"""``amspares demand``: demand rates from history, per SKU, and how sure each decision is.

Reads a wide history file (a ``sku`` column and ``history.<period>`` columns) or a long
transactions file (``sku, date, quantity``), estimates every SKU's rate with its exact
interval, classes the demand, tests for a phase-out and, with a base scenario, says per
SKU which method is cheapest at the estimate and whether that survives the interval
(:mod:`amspares.robustness`, ``docs/demand.md``). Prints a table, or writes a CSV with
``-o``. Exit status: 0 done, 2 unusable input.
"""

from __future__ import annotations

import math

from amspares.errors import ScenarioError
from amspares.periods import PERIODS_PER_YEAR
from amspares.progress import Progress

#: Output columns, in order (the decision columns only with --base).
COLUMNS = ("sku", "periods", "years", "total", "rate_per_year", "lower", "upper", "level",
           "class", "adi", "cv2", "overdispersed", "phase_out", "phase_out_p_value")
DECISION_COLUMNS = ("decision", "at_lower", "at_upper", "robustness", "flip_below", "winner_below",
                    "flip_above", "winner_above")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "demand",
        help="demand rates from history per SKU: estimate, interval, class, and whether the decision is robust",
        description="Estimate every SKU's demand rate from its history: the Poisson rate, its "
                    "exact confidence interval, the Syntetos-Boylan-Croston demand class, a "
                    "note when demand comes in batches and a phase-out test. With --base, also "
                    "the cheapest method at the estimate, at both ends of the interval, the rate "
                    "at which the decision flips and whether it is robust (docs/demand.md).",
        epilog="The history file is either wide (sku, history.2021-01, history.2021-02, ...: "
               "parts demanded per period, oldest first) or long (sku, date, quantity: one row "
               "per demand, summed per --period). Exit status: 0 done; 2 unusable input.",
    )
    p.add_argument("history", metavar="HISTORY.csv", help="wide history or long transactions file")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--periods-per-year", type=float, metavar="N",
                   help="periods per year of history columns not named by month, quarter or week")
    g.add_argument("--period", choices=tuple(PERIODS_PER_YEAR),
                   help="period length: what a transactions file is summed into (default month), "
                        "or the period of undated history columns")
    p.add_argument("--level", type=float, default=0.90, metavar="L",
                   help="confidence level of the rate's interval (default 0.90)")
    p.add_argument("--base", metavar="SCENARIO.toml",
                   help="base scenario: adds each SKU's decision, its flip rate and robustness")
    p.add_argument("-o", "--output", metavar="OUT.csv", help="write the results as CSV")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.set_defaults(func=run)


def read_history(path, periods_per_year=None, period=None):
    """A wide or long history file (told apart by its ``history.<period>`` columns)."""
    from amspares import history as hist

    header = hist._read_rows(path, "history file")[0]
    if hist.history_columns(header):
        ppy = periods_per_year if period is None else hist.PERIODS_PER_YEAR[period]
        return hist.read_wide_history(path, ppy)
    if periods_per_year is not None:
        by = {v: k for k, v in hist.PERIODS_PER_YEAR.items()}
        period = next((k for v, k in by.items() if math.isclose(v, periods_per_year, rel_tol=1e-3)), None)
        if period is None:
            raise ScenarioError("--periods-per-year", periods_per_year,
                                "a transactions file is summed into months (12), quarters (4) or "
                                "weeks (52.1775): use --period")
    return hist.read_transactions(path, period or "month")


def _level(value) -> float:
    if not (0.0 < value < 1.0):
        raise ScenarioError("--level", value, "must be between 0 and 1 (0.9 for 90 %)")
    return value


def table_row(sku: str, d: dict) -> dict:
    """One output row (plain values) from a SKU's ``demand`` object."""
    c, po, dec = d["class"], d["phase_out"], d["decision"]
    row = {"sku": sku, "periods": d["periods"], "years": d["years"], "total": d["total"],
           "rate_per_year": d["rate_per_year"], "lower": d["lower"], "upper": d["upper"],
           "level": d["level"], "class": c["label"], "adi": c["adi"], "cv2": c["cv2"],
           "overdispersed": c["overdispersed"], "phase_out": None if po is None else po["flag"],
           "phase_out_p_value": None if po is None else po["p_value"]}
    if dec is not None:
        row.update({"decision": dec["at_estimate"], "at_lower": dec["at_lower"], "at_upper": dec["at_upper"],
                    "robustness": dec["label"], "flip_below": dec["flip_below"],
                    "winner_below": dec["winner_below"], "flip_above": dec["flip_above"],
                    "winner_above": dec["winner_above"]})
    row["notes"] = list(d["notes"])
    return row


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return " | ".join(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return str(v)


def run(args) -> int:
    from amspares.binding import bind
    from amspares.robustness import assess_many
    from amspares.scenario import load_scenario

    level = _level(args.level)
    params = None
    if args.base:
        scenario = load_scenario(args.base)
        if len(scenario.methods) < 2:
            raise ScenarioError("--base", args.base, "needs at least two methods to compare")
        params = bind(scenario)
    if args.output:
        from amspares.fileio import check_writable

        check_writable(args.output, args.force)
    progress = Progress("demand")
    try:
        progress.show(f"reading {args.history}")
        h = read_history(args.history, args.periods_per_year, args.period)
        progress.show(f"{len(h.skus):,} SKUs read; estimating")

        def step(i, n):
            progress.show(f"decision flips: method {i} of {n}", i / n)

        rows = assess_many(h.quantities, h.periods_per_year, level, params, progress=step)
    finally:
        progress.close()
    out = [table_row(s, d) for s, d in zip(h.skus, rows)]
    columns = list(COLUMNS) + (list(DECISION_COLUMNS) if params is not None else []) + ["notes"]
    if args.output:
        import csv

        from amspares.fileio import atomic_output

        with atomic_output(args.output, args.force) as tmp:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(columns)
                for r in out:
                    w.writerow([_cell(r.get(c)) for c in columns])
        print(f"{len(out):,} SKUs from {args.history} ({len(h.labels)} {h.period or 'period'}s, "
              f"{h.periods_per_year:g} per year); results in {args.output}")
    else:
        print(format_table(out, params is not None, level))
    if h.ignored:
        print(f"amspares demand: note: {h.ignored} transactions outside the window were left out")
    return 0


def format_table(rows: list[dict], with_decision: bool, level: float) -> str:
    """The readable table: one line per SKU, then its notes."""
    width = max([len("sku")] + [len(r["sku"]) for r in rows])
    head = f"{'sku':<{width}}  {'rate/yr':>8}  {f'{level * 100:g} % interval':>17}  {'class':<12}"
    if with_decision:
        head += f"  {'decision':<14}  robustness"
    lines = [head]
    for r in rows:
        interval = f"{r['lower']:.3g} to {r['upper']:.3g}"
        line = f"{r['sku']:<{width}}  {r['rate_per_year']:>8.3g}  {interval:>17}  {r['class']:<12}"
        if with_decision:
            line += f"  {r['decision']:<14}  {r['robustness']}"
        lines.append(line)
    lines.append("")
    for r in rows:
        lines.append(f"{r['sku']}:")
        lines += [f"  {n}" for n in r["notes"]]
    return "\n".join(lines)
