"""``amspares evaluate``: one scenario, every method, a readable table or the JSON object."""

from __future__ import annotations


# The model's modules (numpy, scipy) are imported where they are used, not at start-up.


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="evaluate a scenario: optimal policy, cost and impact of every method",
        description="Evaluate every supply method of a scenario (default: the thesis case "
                    "study): the cost-optimal stocking policy, the cost breakdown (Eq. 1), the "
                    "impact (Eq. 32) in Eco-indicator 99 mPts and in kg CO2e, the service measures (fill rate, share on "
                    "time, mean wait), and which method is cheapest and greenest (among those "
                    "meeting the service target, when the scenario sets one).",
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                   help="scenario file (default: the built-in thesis case study)")
    p.add_argument("--json", action="store_true", help="print the JSON object of docs/model.md section 6")
    p.set_defaults(func=run)


def run(args) -> int:
    from amspares.model import evaluate, waiting_time_disagreements
    from amspares.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    result = evaluate(scenario, with_saving=not args.json, spec_only=args.json)
    demand = demand_object(scenario)
    if demand is not None:
        result["demand"] = demand
    if args.json:
        from amspares.cli import json_text
        print(json_text(result, indent=2))
        return 0
    print(format_result(result, waiting_time_disagreements(scenario), scenario))
    return 0


def demand_object(scenario):
    """The ``demand`` object of a scenario whose rate comes from history (else None)."""
    if scenario.history is None:
        return None
    from amspares.robustness import assess_scenario, demand_dict

    return demand_dict(assess_scenario(scenario), scenario.history.source)


def format_demand(d: dict) -> list[str]:
    """The table's lines on a rate estimated from history."""
    cls = d["class"]
    lines = [f"  demand from history ({d['source']}): {d['total']:g} parts in {d['periods']} periods "
             f"({d['years']:g} years)",
             f"  rate {d['rate_per_year']:.4g}/yr, {d['level'] * 100:g} % interval {d['lower']:.4g} to "
             f"{d['upper']:.4g}/yr; class {cls['label']}"
             + (f"; robustness: {d['decision']['label']}" if d["decision"] else "")]
    lines += [f"  Note: {n}" for n in d["notes"]]
    return lines


def _money(x: float) -> str:
    return f"{x:,.2f}"


def format_result(r: dict, disagreements: dict, scenario) -> str:
    """The readable table of ``amspares evaluate``."""
    from amspares.core.costs import cost_components
    from amspares.core.impact import impact_components
    from amspares.wording import (climate_gaps, decision_sentence, greenest_co2e_sentence, greenest_sentence,
                                  model_words)

    inputs = scenario.inputs()
    free = float(inputs.get("downtime.free_days", 0.0))
    target = inputs.get("model.service_target")
    lines = [decision_sentence(r, years=float(inputs["demand.service_years"])), greenest_sentence(r)]
    if r["lowest_impact"] is not None:
        lines.append(greenest_co2e_sentence(r, climate_gaps(r, scenario.climate_missing)))
    lines += ["",
             f"{r['name']}",
             f"  expected demand n = {r['n']:g} parts over {inputs['demand.service_years']:g} years; "
             f"accepted_q = {r['accepted_q']}",
             f"  waiting time model: {model_words('waiting_time', r['waiting_time'])}",
             f"  order wait: {model_words('order_wait', r['order_wait'])}",
             f"  free downtime window: {free:g} days"
             + ("" if target is None else f"; service target: {target:.4g} of demands on time")]
    if r.get("demand"):
        lines += format_demand(r["demand"])
    lines.append("")
    names = list(r["methods"])
    width = max(12, *(len(n) for n in names))
    head = f"  {'':<22}" + "".join(f"{n:>{width + 2}}" for n in names)
    lines.append(head)

    def row(label, values):
        lines.append(f"  {label:<22}" + "".join(f"{v:>{width + 2}}" for v in values))

    def policy(m):
        if m["policy"] == "base_stock":
            return f"S = {m['S']}"
        if m["policy"] == "reorder_point":
            return f"s={m['s']}, Q={m['Q']}"
        if m["policy"] == "one_order":
            return f"1 order Q={m['Q']}"
        return "to order"

    ms = [r["methods"][n] for n in names]
    row("policy", [policy(m) for m in ms])
    for comp in cost_components():
        vals = [m["cost"][comp] for m in ms]
        if any(vals):
            row(f"{'-' if comp.sign < 0 else ' '} {comp.label}", [_money(v) for v in vals])
    row("= total cost (EUR)", [_money(m["total_cost"]) for m in ms])
    if r["lowest_impact"] is not None:
        for comp in impact_components():
            vals = [m["impact"][comp] for m in ms]
            if any(vals):
                row(f"{'-' if comp.sign < 0 else ' '} {comp.label} (mPts)", [f"{v:,.1f}" for v in vals])
        row("= impact (mPts)", [f"{m['impact_mpts']:,.1f}" for m in ms])
        if any(m.get("impact_kgco2e") is not None for m in ms):
            for comp in impact_components():
                vals = [None if m["impact_co2e"] is None else m["impact_co2e"][comp] for m in ms]
                if any(vals):
                    row(f"{'-' if comp.sign < 0 else ' '} {comp.label} (kg CO2e)", [_co2e(v) for v in vals])
        row("= impact (kg CO2e)", [_co2e(m.get("impact_kgco2e")) for m in ms])
    row("fill rate", [_share(m["fill_rate"]) for m in ms])
    row(f"on time (<= {free:g} days)", [_share(m["on_time_rate"]) for m in ms])
    row("mean wait (days)", [_days(m["mean_wait_days"]) for m in ms])
    if target is not None:
        row(f"meets target {target:.4g}", ["yes" if m["meets_service_target"] else "no" for m in ms])
    lines.append("")
    cheapest = r["cheapest"]
    text = f"  Cheapest: {cheapest}"
    if r.get("runner_up"):
        saving = r["saving_over_runner_up"]
        text += (f" (saves {_money(saving)} EUR over {r['runner_up']})" if saving >= 0 else
                 f" ({_money(-saving)} EUR dearer than {r['runner_up']}, which misses the service target)")
    lines.append(text)
    if r["lowest_impact"] is None:
        lines.append("  Greenest: not computed (the scenario has no [part] section)")
    else:
        lines.append(f"  Greenest: {r['lowest_impact']}")
        lines.append(f"  Greenest (kg CO2e): {r['lowest_impact_co2e'] or 'not computed (climate factors missing, see the notes)'}")
    for name, m in r["methods"].items():
        a = m.get("order_quantity_advice")
        if a and a["Q"] != m["Q"]:
            lines.append(f"  Advice: {name} should order {a['Q']} at a time, not the minimum "
                         f"{m['Q']}: saves {_money(a['saving'])} EUR")
    other = "exact" if inputs["model.waiting_time"] == "erlang_c" else "erlang_c"
    for name, (mine, theirs) in disagreements.items():
        lines.append(f"  Note: for {name} the {other} waiting-time model would choose S = {theirs} "
                     f"instead of S = {mine} (see docs/model.md).")
    for note in r.get("notes", ()):
        lines.append(f"  Note: {note}")
    return "\n".join(lines)


def _co2e(x) -> str:
    return "n/a" if x is None else f"{x:,.2f}"


def _share(x) -> str:
    return "n/a" if x is None else f"{x:.6f}"


def _days(x) -> str:
    return "n/a" if x is None else f"{x:,.3f}"
