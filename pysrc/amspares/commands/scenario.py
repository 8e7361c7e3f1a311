"""``amspares scenario``: the thesis's case study (spec section 5), recomputed for a scenario.

A thin adapter: :func:`study_json` puts :func:`amspares.model.evaluate` and
:func:`amspares.core.casestudy.case_study` together; :func:`format_study` only words
their numbers (it computes nothing). The JSON object is ``{"base": <evaluate object>,
"breakeven": {...}, "sweeps": {...}, "roles": {...}, "reasons": {...}, "notes": [...],
"current": {...}}``; sweep and column names are documented in
:mod:`amspares.core.casestudy`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from amspares.core.casestudy import MOULD_EUR, MOULD_MPTS, case_study, mould_key
from amspares.progress import Progress as _Progress
from amspares.model import evaluate
from amspares.scenario import Scenario, load_scenario


def add_parser(sub) -> None:
    p = sub.add_parser(
        "scenario",
        help="the thesis's case study for a scenario: when does printing win?",
        description="Recompute the thesis's case study (spec section 5) for a scenario "
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
                   help='print {"base": ..., "breakeven": ..., "sweeps": ...} (spec section 6)')
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


def study_json(scenario: Scenario, progress=None) -> dict[str, Any]:
    """The object ``amspares scenario --json`` prints (and the workbook writer receives)."""
    cs = case_study(scenario.inputs(), scenario.methods, progress=progress)
    return {"base": evaluate(scenario), "breakeven": cs["breakeven"], "sweeps": cs["sweeps"],
            "roles": cs["roles"], "reasons": cs["reasons"], "notes": cs["notes"],
            "current": cs["current"]}


def run(args) -> int:
    scenario = load_scenario(args.scenario)
    if args.output:   # refuse a bad output path before seconds of work, not after
        from amspares.errors import OutputError
        from amspares.fileio import check_writable
        if not args.output.lower().endswith(".xlsx"):
            raise OutputError(f"output {args.output!r}: the workbook must be a .xlsx file")
        check_writable(args.output, force=args.force)
    progress = Progress()
    study = study_json(scenario, progress)
    if args.output:
        progress.done()
        # writing the workbook takes seconds: always say so (one line on stderr)
        print(f"amspares scenario: writing {args.output} ...", file=sys.stderr, flush=True)
        from amspares.workbook import write_scenario_workbook
        write_scenario_workbook(scenario, study, args.output, force=args.force)
    progress.done()
    text = json.dumps(study, indent=1) if args.json else format_study(study)
    try:
        print(text)
    except BrokenPipeError:          # e.g. piped into head: not an error for the user
        sys.stderr.close()
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- readable


def _eur(x) -> str:
    return f"{x:,.2f} EUR"


def _num(x, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def _why_null(study, name) -> str:
    return study["reasons"].get(name, "no break-even in range")


def format_study(study: dict) -> str:
    """One screen: per situation, the winner, the threshold where it flips, and why."""
    base, be, roles, cur = study["base"], study["breakeven"], study["roles"], study["current"]
    R, M = roles["regular"], roles["am_mto"]
    ms = base["methods"]
    out = [base["name"],
           f"  expected demand n = {base['n']:g} parts; accepted_q = {base['accepted_q']}; "
           f"regular = {R or '(none)'}, am_mto = {M or '(none)'}", ""]

    def line(text=""):
        out.append(("  " + text) if text else "")

    # 1. base
    line("1. Base comparison")
    for name, m in ms.items():
        pol = {"base_stock": f"S* = {m['S']}", "reorder_point": f"s = {m['s']}, Q = {m['Q']}",
               "one_order": f"one order of {m['Q']}", "make_to_order": "to order"}[m["policy"]]
        imp = "" if m["impact_mpts"] is None else f", {_num(m['impact_mpts'])} mPts"
        line(f"   {name:<12} {pol:<18} {_eur(m['total_cost']):>16}{imp}")
    green = base["lowest_impact"] or "not computed (no [part])"
    line(f"   -> cheapest: {base['cheapest']}; greenest: {green}.")
    em = study["sweeps"]["emergency_cost"]
    if R and em:
        stock = (f"keeps S* = {em[0][R + '.S']}..{em[-1][R + '.S']} and "
                 if em[0][R + ".S"] is not None and em[-1][R + ".S"] is not None else "")
        line(f"   Emergency cost {em[0]['emergency_per_day']:g}..{em[-1]['emergency_per_day']:g} EUR/day: "
             f"{R} {stock}costs {_eur(em[0][R + '.total_cost'])}..{_eur(em[-1][R + '.total_cost'])}.")
    line("   Why: a stocked part costs its price once more (scrapped at the end) but avoids "
         "waiting for the long lead time.")
    line()
    if not (R and M):
        line("Situations 2-6 compare regular with am_mto: " + study["reasons"].get(
            "am_price_breakeven", "not applicable"))
        return "\n".join(out)

    cheaper_now = base["cheapest"] if base["cheapest"] in (R, M) else (
        R if ms[R]["total_cost"] <= ms[M]["total_cost"] else M)

    # 2. price
    line("2. Price sensitivity")
    a, r = be["am_price_breakeven"], be["regular_price_breakeven"]
    line(f"   Now {cheaper_now} is cheaper ({R} {_eur(ms[R]['total_cost'])}, {M} {_eur(ms[M]['total_cost'])}).")
    if a is None:
        line(f"   AM price: no break-even ({_why_null(study, 'am_price_breakeven')}).")
    else:
        side = "drops below" if cheaper_now == R else "rises above"
        line(f"   -> {M} becomes the cheaper once the AM price {side} {_eur(a)} (now {_eur(cur['am_price'])}).")
    if r is None:
        line(f"   Regular price: no break-even ({_why_null(study, 'regular_price_breakeven')}).")
    else:
        side = "rises above" if cheaper_now == R else "drops below"
        line(f"   -> {R} loses once its price {side} {_eur(r)} (now {_eur(cur['regular_price'])}), "
             "S re-optimised at every price.")
    line("   Why: printing to order pays its price only for parts demanded; stock pays for "
         "safety stock and scrapping too.")
    line()

    # 3. MOQ
    line("3. Minimum order quantity")
    c, i = be["moq_breakeven_cost"], be["moq_breakeven_impact"]
    if c is None:
        line(f"   Cost: no break-even ({_why_null(study, 'moq_breakeven_cost')}).")
    else:
        line(f"   -> cost: printing to order wins once {R}'s minimum order quantity exceeds "
             f"{_num(c, 2)} parts (now {cur['moq']}).")
    if i is None:
        line(f"   Impact: no break-even ({_why_null(study, 'moq_breakeven_impact')}).")
    else:
        line(f"   -> impact: printing to order is greener once the minimum order quantity "
             f"exceeds {_num(i, 2)} parts.")
    line(f"   Why: beyond accepted_q = {base['accepted_q']} every extra part ordered is paid "
         "for (and made) but never used.")
    for k in ("moq_breakeven_cost", "moq_breakeven_impact"):
        if k in study["reasons"] and be[k] is not None:
            line(f"   Note: {study['reasons'][k]}")
    line()

    # 4. portfolio
    line("4. Portfolio of uncertain demand (one expected demand shared by N SKUs)")
    for key, T in (("T10", 10), ("T1", 1)):
        v = be["portfolio_breakeven_skus"][key]
        if v is None:
            line(f"   T = {T:>2} years: no break-even ({_why_null(study, 'portfolio_breakeven_skus/' + key)}).")
        else:
            line(f"   T = {T:>2} years: -> printing to order wins from N = {_num(v, 2)} SKUs "
                 f"(a whole portfolio of more than {int(v)}).")
    line("   Why: every SKU holds its own stock, scrapped at the end; printing makes only the "
         "one part demanded.")
    line()

    # 5. mould
    line(f"5. Mould investment for {R} (total demand n over the service period; now n = {cur['n']:g})")
    for eur in MOULD_EUR:
        v = be["mould_breakeven_demand_cost"][mould_key(eur)]
        key = "mould_breakeven_demand_cost/" + mould_key(eur)
        line(f"   mould {eur:>9,.0f} EUR: " + (
            f"no break-even ({_why_null(study, key)})" if v is None else
            f"-> printing to order is cheaper while total demand is below {_num(v, 2)} parts"))
    for mp in MOULD_MPTS:
        v = be["mould_breakeven_demand_impact"][mould_key(mp)]
        key = "mould_breakeven_demand_impact/" + mould_key(mp)
        line(f"   mould {mp:>9,.0f} mPts: " + (
            f"no break-even ({_why_null(study, key)})" if v is None else
            f"-> printing to order is greener while total demand is below {_num(v, 1)} parts"))
    line("   Why: the mould is paid once; printing costs more per part, so the mould pays "
         "back above the break-even demand.")
    line()

    # 6. environment
    line("6. Environmental sensitivity")
    e = be["am_energy_breakeven_mj_per_kg"]
    if e is None:
        line(f"   No AM-energy break-even ({_why_null(study, 'am_energy_breakeven_mj_per_kg')}).")
    else:
        line(f"   -> {M} is greener than {R} only while its machines use less than "
             f"{_num(e, 3)} MJ/kg (now {_num(cur['am_energy_mj_per_kg'], 1)} MJ/kg).")
    line("   Why: printing wastes more material per part and its machine electricity "
         "outweighs the stock that regular supply makes and scraps.")
    for n in study["notes"]:
        line(f"   Note: {n}")
    for k, v in study["reasons"].items():
        if "jumps" in v:
            line(f"   Note ({k}): {v}")
    return "\n".join(out)
