"""The English wording of results: one sentence per break-even, and the readable case study.

A break-even (:class:`~amspares.core.breakeven.BreakEven`) says which method is lower
below its value and which above; :func:`breakeven_sentence` turns that into one sentence,
so the sentence is right whichever side the scenario is on. The command line
(``amspares scenario``) and the workbook's situation sheets both word their break-evens
with it. :func:`format_study` is the readable report of ``amspares scenario``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from amspares.core.breakeven import BreakEven
from amspares.core.casestudy import MOULD_EUR, MOULD_MPTS, mould_key

#: break-even name -> (the swept quantity, its unit, "cost" or "impact")
QUANTITIES: dict[str, tuple[str, str, str]] = {
    "am_price_breakeven": ("AM price", "EUR", "cost"),
    "regular_price_breakeven": ("regular price", "EUR", "cost"),
    "moq_breakeven_cost": ("minimum order quantity", "parts", "cost"),
    "moq_breakeven_impact": ("minimum order quantity", "parts", "impact"),
    "portfolio_breakeven_skus": ("N", "SKUs", "cost"),
    "mould_breakeven_demand_cost": ("total demand n", "parts", "cost"),
    "mould_breakeven_demand_impact": ("total demand n", "parts", "impact"),
    "am_energy_breakeven_mj_per_kg": ("AM machine energy", "MJ/kg", "impact"),
}
#: What "lower" means for each measure.
BETTER = {"cost": "cheaper", "impact": "greener"}


#: What a situation lacks, in words (``BreakEven.facts["lacking"]``).
LACKING = {"regular": "stock method (regular)", "am_mto": "order method (am_mto)",
           "impact": "[part] section (no impact)"}
#: Why a break-even is missing (or a note on it), by ``BreakEven.why``; filled from ``facts``.
REASONS = {
    "dearer_even_free": "{method} costs more than optimal {other} ({target:,.2f} EUR) even when printing is free",
    "dearer_even_at_zero": "optimal {method} costs more than {other} ({target:,.2f} EUR) even at price 0",
    "moq_lower_throughout": "{winner} has the lower {measure} at every moq from 1",
    "moq_keeps_lower": "{winner} keeps the lower {measure} at every moq up to {top:.3g}",
    "moq_whole_numbers": "printing wins from moq = {value:g}, below accepted_q = {start} where the model "
                         "is defined only at whole moq",
    "portfolio_single_sku": "T = {years:g}: {winner} is cheaper even for a single SKU",
    "portfolio_stays": "T = {years:g}: {winner} stays cheaper up to N = {top:g} SKUs",
    "mould_cost_always": "mould {eur:,.0f} EUR: {winner} with the mould is cheaper at every demand",
    "mould_cost_stays": "mould {eur:,.0f} EUR: {winner} stays cheaper up to n = {top:,.0f}",
    "mould_impact_always": "mould {mpts:,.0f} mPts: {winner} with the mould has the lower impact at every demand",
    "mould_impact_stays": "mould {mpts:,.0f} mPts: {winner} keeps the lower impact up to n = {top:,.0f}",
    "energy_dirtier_even_at_zero": "{method} has a larger impact than {other} even with no machine energy",
    "energy_keeps_lower": "{method} keeps the lower impact up to 1e7 MJ/kg",
}
#: Notes of the case study, by their first element.
NOTES = {"no_base_stock": "{method} orders at least {moq} parts: no base stock S, left out of TC(S)"}


#: The waiting-time models and order-wait rules, in words (every output names the ones used).
MODEL_WORDS = {
    "waiting_time": {"exact": "exact (every open order is made in parallel; confirmed by simulation)",
                     "erlang_c": "erlang_c (the thesis's queue, Eq. 5-6; overstates the wait)"},
    "order_wait": {"charged": "charged (a part printed to order waits its production and shipping days, "
                              "paid like a backorder beyond the free days)",
                   "free": "free (the thesis's assumption: printing fits inside the regular downtime window)"},
}
#: Notes of ``amspares evaluate`` (the JSON's ``notes``), by their first element.
EVALUATE_NOTES = {
    "no_demand": "There is no demand (n = 0): no method stocks or orders anything, so only fixed "
                 "costs remain; on equal cost {winner} is chosen (docs/model.md section 3.5).",
    "none_meets_target": "No method meets the service target of {target:.4g} on time; the cheapest and "
                         "greenest are chosen among all methods.",
    "missed_target": "{methods} cannot meet the service target of {target:.4g} on time and "
                     "{verb} not chosen.",
    "cost_tie": "{methods} cost the same (within 1e-9); {winner} is chosen by the tie rule: lower "
                "impact, then make to order, then the order of the scenario (docs/model.md section 3.5).",
    "impact_tie": "{methods} have the same impact (within 1e-9); {winner} is chosen by the tie rule: "
                  "lower cost, then make to order, then the order of the scenario.",
}


def model_words(kind: str, value: str) -> str:
    """A waiting-time model or order-wait rule in words.

    >>> model_words("order_wait", "free")[:4]
    'free'
    """
    return MODEL_WORDS[kind][value]


def evaluate_note(what: str, **facts) -> str:
    """One note of ``amspares evaluate`` in words.

    >>> evaluate_note("none_meets_target", target=0.99)
    'No method meets the service target of 0.99 on time; the cheapest and greenest are chosen among all methods.'
    """
    if "methods" in facts and not isinstance(facts["methods"], str):
        names = list(facts["methods"])
        facts = {**facts, "methods": names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1],
                 "verb": "is" if len(names) == 1 else "are"}
    return EVALUATE_NOTES[what].format(**facts)


def reason_text(be: BreakEven) -> str:
    """Why a break-even is missing, or a note on it ('' when there is nothing to say).

    >>> reason_text(BreakEven(None, why="not_applicable", facts={"lacking": ("am_mto",)}))
    'not applicable: the scenario has no order method (am_mto)'
    >>> reason_text(BreakEven(None, why="portfolio_single_sku", facts={"years": 10.0, "winner": "hub"}))
    'T = 10: hub is cheaper even for a single SKU'
    """
    if be.why == "not_applicable":
        return "not applicable: the scenario has no " + " and no ".join(LACKING[x] for x in be.facts["lacking"])
    if be.why:
        return REASONS[be.why].format(**be.facts)
    return be.reason


def note_text(note) -> str:
    """A case-study note ``(what, facts)`` in words."""
    what, facts = note
    return NOTES[what].format(**facts)


def _two(v: float) -> str:
    return f"{v:,.2f}"


def breakeven_sentence(be: BreakEven, quantity_label: str, unit: str, *, measure: str = "cost",
                       number: Callable[[float], str] | None = None) -> str:
    """One sentence for a break-even: who wins below the value, who above it.

    ``quantity_label`` names the swept quantity, ``unit`` its unit; ``measure`` is
    ``"cost"`` (cheaper) or ``"impact"`` (greener); ``number`` formats the value (default
    two decimals). Without a value the sentence says why (``be.reason``), or who wins
    throughout.

    >>> be = BreakEven(357.26, below="am_mto", above="regular")
    >>> breakeven_sentence(be, "AM price", "EUR")
    'am_mto is cheaper below AM price = 357.26 EUR, regular above it'
    >>> breakeven_sentence(BreakEven(144.1, below="regular", above="am_mto"), "regular price", "EUR")
    'regular is cheaper below regular price = 144.10 EUR, am_mto above it'
    >>> breakeven_sentence(BreakEven(190.0, below="am_mto", above="regular"), "AM machine energy",
    ...                    "MJ/kg", measure="impact")
    'am_mto is greener below AM machine energy = 190.00 MJ/kg, regular above it'
    >>> breakeven_sentence(BreakEven(None, "no crossing in range", below="b", above="b"), "N", "SKUs")
    'no break-even in N (no crossing in range)'
    >>> breakeven_sentence(BreakEven(None, below="b", above="b"), "N", "SKUs")
    'no break-even in N: b is cheaper at every N'
    """
    better = BETTER[measure]
    if be.value is None:
        if be.reason:
            return f"no break-even in {quantity_label} ({be.reason})"
        if be.below and be.below == be.above:
            return f"no break-even in {quantity_label}: {be.below} is {better} at every {quantity_label}"
        return f"no break-even in {quantity_label} in range"
    shown = (number or _two)(be.value)
    where = f"{quantity_label} = {shown} {unit}".rstrip()
    if be.below and be.above and be.below != be.above:
        return f"{be.below} is {better} below {where}, {be.above} above it"
    return f"both are equally {'cheap' if measure == 'cost' else 'green'} at {where}"


def sentence_for(name: str, be: BreakEven, *, number: Callable[[float], str] | None = None) -> str:
    """:func:`breakeven_sentence` with the quantity, unit and measure of break-even ``name``."""
    label, unit, measure = QUANTITIES[name]
    return breakeven_sentence(be, label, unit, measure=measure, number=number)


def breakeven_from_study(study: Mapping[str, Any], name: str, key: str = "") -> BreakEven:
    """The break-even ``name`` (``key`` for the keyed ones) of a study's JSON object."""
    label = f"{name}/{key}" if key else name
    value = study["breakeven"][name]
    if key:
        value = value[key]
    sides = (study.get("sides") or {}).get(label) or {}
    return BreakEven(value, (study.get("reasons") or {}).get(label, ""),
                     below=sides.get("below"), above=sides.get("above"))


# --------------------------------------------------------------------------- readable report


def _eur(x) -> str:
    return f"{x:,.2f} EUR"


def _num(x, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def format_study(study: dict) -> str:
    """One screen: per situation, the winner, the threshold where it flips, and why."""
    base, roles, cur = study["base"], study["roles"], study["current"]
    R, M = roles["regular"], roles["am_mto"]
    ms = base["methods"]
    out = [base["name"],
           f"  expected demand n = {base['n']:g} parts; accepted_q = {base['accepted_q']}; "
           f"regular = {R or '(none)'}, am_mto = {M or '(none)'}",
           f"  waiting time model: {base.get('waiting_time', 'exact')}; order wait: "
           f"{base.get('order_wait', 'charged')} (see docs/model.md sections 3.1 and 3.3)", ""]

    def line(text=""):
        out.append(("  " + text) if text else "")

    def said(name, key="", now=None, number=None):
        text = sentence_for(name, breakeven_from_study(study, name, key), number=number)
        return text + (f" (now {now})" if now is not None and not text.startswith("no ") else "")

    # 1. base
    line("1. Base comparison")
    for name, m in ms.items():
        pol = {"base_stock": f"S* = {m['S']}", "reorder_point": f"s = {m['s']}, Q = {m['Q']}",
               "one_order": f"one order of {m['Q']}", "make_to_order": "to order"}[m["policy"]]
        imp = "" if m["impact_mpts"] is None else f", {_num(m['impact_mpts'])} mPts"
        line(f"   {name:<12} {pol:<18} {_eur(m['total_cost']):>16}{imp}")
    green = base["lowest_impact"] or "not computed (no [part])"
    line(f"   -> cheapest: {base['cheapest']}; greenest: {green}.")
    for note in base.get("notes", ()):
        line(f"   Note: {note}")
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
    line(f"   Now {cheaper_now} is cheaper ({R} {_eur(ms[R]['total_cost'])}, {M} {_eur(ms[M]['total_cost'])}).")
    line(f"   -> {said('am_price_breakeven', now=_eur(cur['am_price']))}.")
    line(f"   -> {said('regular_price_breakeven', now=_eur(cur['regular_price']))}; "
         f"{R}'s stock re-optimised at every price.")
    line("   Why: printing to order pays its price only for parts demanded; stock pays for "
         "safety stock and scrapping too.")
    line()

    # 3. MOQ
    line("3. Minimum order quantity")
    line(f"   -> cost: {said('moq_breakeven_cost', now=cur['moq'])}.")
    line(f"   -> impact: {said('moq_breakeven_impact')}.")
    line(f"   Why: beyond accepted_q = {base['accepted_q']} every extra part ordered is paid "
         "for (and made) but never used.")
    be = study["breakeven"]
    for k in ("moq_breakeven_cost", "moq_breakeven_impact"):
        if k in study["reasons"] and be[k] is not None:
            line(f"   Note: {study['reasons'][k]}")
    line()

    # 4. portfolio
    line("4. Portfolio of uncertain demand (one expected demand shared by N SKUs)")
    for key, T in (("T10", 10), ("T1", 1)):
        line(f"   T = {T:>2} years: {said('portfolio_breakeven_skus', key)}.")
    line("   Why: every SKU holds its own stock, scrapped at the end; printing makes only the "
         "one part demanded.")
    line()

    # 5. mould
    line(f"5. Mould investment for {R} (total demand n over the service period; now n = {cur['n']:g})")
    for eur in MOULD_EUR:
        line(f"   mould {eur:>9,.0f} EUR: {said('mould_breakeven_demand_cost', mould_key(eur))}")
    for mp in MOULD_MPTS:
        line(f"   mould {mp:>9,.0f} mPts: "
             f"{said('mould_breakeven_demand_impact', mould_key(mp), number=lambda v: _num(v, 1))}")
    line("   Why: the mould is paid once; printing costs more per part, so the mould pays "
         "back above the break-even demand.")
    line()

    # 6. environment
    line("6. Environmental sensitivity")
    line(f"   -> {said('am_energy_breakeven_mj_per_kg', now=_num(cur['am_energy_mj_per_kg'], 1) + ' MJ/kg', number=lambda v: _num(v, 3))}.")
    line("   Why: printing wastes more material per part and its machine electricity "
         "outweighs the stock that regular supply makes and scraps.")
    for n in study["notes"]:
        line(f"   Note: {n}")
    for k, v in study["reasons"].items():
        if "jumps" in v:
            line(f"   Note ({k}): {v}")
    return "\n".join(out)
