"""The English wording of results: one sentence per break-even, and the readable case study.

A break-even (:class:`~amspares.core.breakeven.BreakEven`) says which method is lower
below its value and which above; :func:`breakeven_sentence` turns that into one sentence,
so the sentence is right whichever side the scenario is on. The command line
(``amspares scenario``) and the workbook's situation sheets both word their break-evens
with it. :func:`format_study` is the readable report of ``amspares scenario``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from amspares.core.breakeven import BreakEven, Crossing
from amspares.core.casestudy import MOULD_EUR, MOULD_KGCO2E, MOULD_MPTS, mould_key

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
#: The same for the impact break-evens by kg CO2e (:data:`amspares.core.casestudy.BREAKEVEN_CO2E_NAMES`).
QUANTITIES_CO2E: dict[str, tuple[str, str, str]] = {
    "moq_breakeven_impact_co2e": ("minimum order quantity", "parts", "impact"),
    "mould_breakeven_demand_impact_co2e": ("total demand n", "parts", "impact"),
    "am_energy_breakeven_mj_per_kg_co2e": ("AM machine energy", "MJ/kg", "impact"),
}
#: What "lower" means for each measure.
BETTER = {"cost": "cheaper", "impact": "greener"}


#: What a situation lacks, in words (``BreakEven.facts["lacking"]``).
LACKING = {"regular": "stock method (regular)", "am_mto": "order method (am_mto)",
           "impact": "[part] section (no impact)",
           "climate": "climate factors (kg CO2e) for both methods (see the notes of amspares evaluate)"}
#: Why a break-even is missing (or a note on it), by ``BreakEven.why``; filled from ``facts``.
REASONS = {
    "dearer_even_free": "{method} costs more than optimal {other} ({target:,.2f} EUR) even when printing is free",
    "dearer_even_at_zero": "optimal {method} costs more than {other} ({target:,.2f} EUR) even at price 0",
    "moq_lower_throughout": "{winner} has the lower {measure} at every moq from 1",
    "moq_keeps_lower": "{winner} keeps the lower {measure} at every moq up to {top:.3g}",
    "moq_whole_numbers": "{winner} wins from moq = {value:g}, below accepted_q = {start} where the model "
                         "is defined only at whole moq",
    "not_finite": "the {measure} is too large to compute (not a finite number) for these inputs",
    "mould_period_too_short": "the service period of {years:g} years is too short: a demand of even 0.001 "
                              "parts would mean more than {rate:g} parts a year",
    "portfolio_single_sku": "T = {years:g}: {winner} is cheaper even for a single SKU",
    "portfolio_stays": "T = {years:g}: {winner} stays cheaper up to N = {top:g} SKUs",
    "mould_cost_always": "mould {eur:,.0f} EUR: {winner} with the mould is cheaper at every demand",
    "mould_cost_stays": "mould {eur:,.0f} EUR: {winner} stays cheaper up to n = {top:,.0f}",
    "mould_impact_always": "mould {mpts:,.0f} {unit}: {winner} with the mould has the lower impact at every demand",
    "mould_impact_stays": "mould {mpts:,.0f} {unit}: {winner} keeps the lower impact up to n = {top:,.0f}",
    "energy_dirtier_even_at_zero": "{method} has a larger {measure} than {other} even with no machine energy",
    "energy_keeps_lower": "{method} keeps the lower {measure} up to 1e7 MJ/kg",
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
    "impact_co2e_tie": "{methods} have the same climate impact (kg CO2e, within 1e-9); {winner} is chosen "
                       "by the tie rule: lower cost, then make to order, then the order of the scenario.",
    "co2e_missing": "kg CO2e not computed for {methods}: {key} is missing; {why}",
    "co2e_missing_some": "kg CO2e not computed for {methods} (a climate factor is missing); the greenest by "
                         "kg CO2e is chosen among the others.",
    "co2e_missing_all": "kg CO2e not computed for {methods}: a climate factor is missing "
                        "(docs/model.md section 2.5).",
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
    if "why" in facts:                   # a sentence of its own
        why = str(facts["why"]).strip()
        facts = {**facts, "why": why + ("" if why.endswith(".") else ".")}
    return EVALUATE_NOTES[what].format(**facts).strip()


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
    throughout. With several crossings (``be.crossings``) it names the ranges where one
    method is lower, and the other "elsewhere".

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
    >>> from amspares.core.breakeven import Crossing
    >>> three = (Crossing(20.3, "regular", "am_mto"), Crossing(40.1, "am_mto", "regular"),
    ...          Crossing(55.0, "regular", "am_mto"))
    >>> breakeven_sentence(BreakEven(20.3, below="regular", above="am_mto", crossings=three),
    ...                    "total demand n", "parts")
    'regular is cheaper for total demand n below 20.30 and between 40.10 and 55.00 parts; am_mto elsewhere'
    """
    better = BETTER[measure]
    if be.value is None:
        if be.reason:
            return f"no break-even in {quantity_label} ({be.reason})"
        if be.below and be.below == be.above:
            return f"no break-even in {quantity_label}: {be.below} is {better} at every {quantity_label}"
        return f"no break-even in {quantity_label} in range"
    several = _several(be, quantity_label, unit, better, number or _two)
    if several:
        return several
    shown = (number or _two)(be.value)
    where = f"{quantity_label} = {shown} {unit}".rstrip()
    if be.below and be.above and be.below != be.above:
        return f"{be.below} is {better} below {where}, {be.above} above it"
    return f"both are equally {'cheap' if measure == 'cost' else 'green'} at {where}"


def _several(be: BreakEven, quantity_label: str, unit: str, better: str,
             number: Callable[[float], str]) -> str:
    """The sentence of a break-even with several crossings ('' with at most one): the
    ranges where the first winner is lower, the other one "elsewhere"."""
    cs = sorted(be.crossings, key=lambda c: c.value)
    if len(cs) < 2:
        return ""
    # winner of each range between crossings (below the first, between, above the last)
    winners = [cs[0].below] + [c.above or (cs[i + 1].below if i + 1 < len(cs) else None)
                               for i, c in enumerate(cs)]
    if any(w is None for w in winners):
        return ""
    bounds = [None] + [c.value for c in cs] + [None]
    ranges = []                      # merged: [winner, start, end]
    for i, w in enumerate(winners):
        if ranges and ranges[-1][0] == w:
            ranges[-1][2] = bounds[i + 1]
        else:
            ranges.append([w, bounds[i], bounds[i + 1]])
    if len(ranges) <= 2:
        return ""
    first = ranges[0][0]
    other = next(w for w, _, _ in ranges if w != first)
    parts = []
    for w, a, b in ranges:
        if w != first:
            continue
        if a is None:
            parts.append(f"below {number(b)}")
        elif b is None:
            parts.append(f"above {number(a)}")
        else:
            parts.append(f"between {number(a)} and {number(b)}")
    said = ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{first} is {better} for {quantity_label} {said} {unit}".rstrip() + f"; {other} elsewhere"


def sentence_for(name: str, be: BreakEven, *, number: Callable[[float], str] | None = None) -> str:
    """:func:`breakeven_sentence` with the quantity, unit and measure of break-even ``name``."""
    label, unit, measure = QUANTITIES[name] if name in QUANTITIES else QUANTITIES_CO2E[name]
    return breakeven_sentence(be, label, unit, measure=measure, number=number)


def breakeven_from_study(study: Mapping[str, Any], name: str, key: str = "") -> BreakEven:
    """The break-even ``name`` (``key`` for the keyed ones) of a study's JSON object."""
    label = f"{name}/{key}" if key else name
    if name in QUANTITIES_CO2E:                  # the kg CO2e break-evens: their own object
        study = study["co2e"]
    value = study["breakeven"][name]
    if key:
        value = value[key]
    sides = (study.get("sides") or {}).get(label) or {}
    crossings = tuple(Crossing(c["value"], c.get("below"), c.get("above"), bool(c.get("jump")))
                      for c in (study.get("crossings") or {}).get(label) or ())
    return BreakEven(value, (study.get("reasons") or {}).get(label, ""),
                     below=sides.get("below"), above=sides.get("above"), crossings=crossings)


# --------------------------------------------------------------------------- the decision in a sentence


def method_phrase(name: str, kind: str, start: bool = True, *, form: str | None = None) -> str:
    """What a supply method means for the planner, in plain words.

    ``kind`` is the method's ``"stock"`` or ``"order"``; ``form`` ``"do"`` gives the advice
    ("Keep it in stock ..."), ``"doing"`` the same as a noun ("keeping it in stock ..."), to
    compare with. A method whose name starts with ``am`` is 3D printing (additive
    manufacturing), as one whose name says ``print``; the method named ``regular`` is
    regular supply; others are named as they are.

    >>> method_phrase("regular", "stock")
    'Keep it in stock with regular supply'
    >>> method_phrase("am_mts", "stock")
    'Keep it in stock, printed ahead (am_mts)'
    >>> method_phrase("am_mto", "order", form="doing")
    'printing to order (am_mto)'
    >>> method_phrase("hub", "order")
    'Make it to order (hub)'
    >>> method_phrase("pressed", "stock", form="doing"), method_phrase("am_mto", "order", start=False)
    ('keeping it in stock (pressed)', 'printing to order (am_mto)')
    """
    form = form or ("do" if start else "doing")
    printed = name.lower().startswith("am") or "print" in name.lower()
    if kind == "stock":
        how = ("with regular supply" if name == "regular" else
               f", printed ahead ({name})" if printed else f"({name})")
        text = ("keep it in stock" if form == "do" else "keeping it in stock") + ("" if how[0] == "," else " ") + how
    else:
        verb = ("print" if form == "do" else "printing") if printed else ("make" if form == "do" else "making")
        text = f"{verb} {'it ' if form == 'do' else ''}to order ({name})"
    return text[0].upper() + text[1:] if form == "do" else text


def policy_words(m: Mapping[str, Any]) -> str:
    """A method's optimal policy in short (``S = 5``, ``s = 3, Q = 50``, ``one order of 61``;
    '' when printed or made to order).

    >>> policy_words({"policy": "base_stock", "S": 5})
    'S = 5'
    >>> policy_words({"policy": "make_to_order", "S": 0})
    ''
    """
    return {"base_stock": lambda: f"S = {m['S']}", "reorder_point": lambda: f"s = {m['s']}, Q = {m['Q']}",
            "one_order": lambda: f"one order of {m['Q']} parts"}.get(m["policy"], lambda: "")()


# --------------------------------------------------------------------------- readable report


def _eur(x) -> str:
    return f"{x:,.2f} EUR"


def _num(x, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def format_study(study: dict, years: float | None = None, gaps: Mapping[str, str] | None = None) -> str:
    """One screen: the decision first (:func:`decision_sentence`, over ``years`` when
    given, the greenest by mPts and by kg CO2e, ``gaps`` naming the missing climate factors:
    :func:`climate_gaps`), then per situation the winner, the threshold where it flips, and why."""
    base, roles, cur = study["base"], study["roles"], study["current"]
    R, M = roles["regular"], roles["am_mto"]
    ms = base["methods"]
    out = [decision_sentence(base, years=years), greenest_sentence(base)]
    if base["lowest_impact"] is not None:
        out.append(greenest_co2e_sentence(base, gaps))
    out += ["",
           base["name"],
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
    if "co2e" in study:
        line(f"   -> impact (kg CO2e): {said('moq_breakeven_impact_co2e')}.")
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
    if "co2e" in study:
        for mp, kg in zip(MOULD_MPTS, MOULD_KGCO2E):
            line(f"   mould {kg:>9,.0f} kg CO2e (the {mp:,.0f} mPts mould): "
                 f"{said('mould_breakeven_demand_impact_co2e', mould_key(mp), number=lambda v: _num(v, 1))}")
    line("   Why: the mould is paid once; printing costs more per part, so the mould pays "
         "back above the break-even demand.")
    line()

    # 6. environment
    line("6. Environmental sensitivity")
    line(f"   -> {said('am_energy_breakeven_mj_per_kg', now=_num(cur['am_energy_mj_per_kg'], 1) + ' MJ/kg', number=lambda v: _num(v, 3))}.")
    if "co2e" in study:
        line(f"   -> kg CO2e: {said('am_energy_breakeven_mj_per_kg_co2e', number=lambda v: _num(v, 3))}.")
    line("   Why: printing wastes more material per part and its machine electricity "
         "outweighs the stock that regular supply makes and scraps.")
    for n in study["notes"]:
        line(f"   Note: {n}")
    for k, v in study["reasons"].items():
        if "jumps" in v:
            line(f"   Note ({k}): {v}")
    return "\n".join(out)


# --------------------------------------------------------------------------- demand from history


def demand_notes(demand: Mapping[str, Any]) -> list[str]:
    """The sentences on a rate estimated from history: the decision and how sure it is,
    the demand class, batches, phase-out (``docs/demand.md``).

    ``demand`` is the ``demand`` object of ``amspares evaluate --json``
    (:func:`amspares.robustness.demand_dict`). The first sentence is the estimate (with the
    decision when there is one), ending in ``robust`` or ``review``.

    >>> d = {"rate_per_year": 2.9, "lower": 1.8, "upper": 4.4, "level": 0.9, "periods": 60,
    ...      "years": 5.0, "total": 14.5, "class": {"label": "intermittent", "adi": 4.0,
    ...      "cv2": 0.2, "overdispersed": False, "max_size": 2.0, "dispersion": 1.1},
    ...      "phase_out": None, "decision": {"at_estimate": "print", "at_lower": "print",
    ...      "at_upper": "print", "robust": True, "flip_below": None, "winner_below": None,
    ...      "flip_above": 6.1, "winner_above": "stock", "flips_inside": [], "search_upper": 44.0}}
    >>> demand_notes(d)[0]
    'print at 2.9/yr; stock would win above 6.1/yr, outside the 90 % interval (1.8 to 4.4/yr): robust'
    >>> d["decision"].update(at_upper="stock", robust=False, flip_above=None, flips_inside=[3.5])
    >>> demand_notes(d)[0]
    'print at 2.9/yr, but the decision flips inside the 90 % interval (1.8 to 4.4/yr): stock wins above 3.5/yr: review'
    """
    rate, lo, hi = demand["rate_per_year"], demand["lower"], demand["upper"]
    level = f"{demand['level'] * 100:g} %"
    interval = f"the {level} interval ({_rate(lo)} to {_rate(hi)}/yr)"
    notes = []
    dec = demand.get("decision")
    if dec is None:
        notes.append(f"demand rate {_rate(rate)}/yr from {demand['periods']} periods "
                     f"({demand['years']:g} years, {demand['total']:g} parts); {level} interval "
                     f"{_rate(lo)} to {_rate(hi)}/yr")
    elif dec["robust"]:
        wins = []
        if dec["flip_below"] is not None:
            wins.append(f"{dec['winner_below']} would win below {_rate(dec['flip_below'])}/yr")
        if dec["flip_above"] is not None:
            wins.append(f"{dec['winner_above']} would win above {_rate(dec['flip_above'])}/yr")
        where = (" and ".join(wins) + ", outside " + interval) if wins else \
            (f"no other method wins anywhere from 0 to {_rate(dec['search_upper'])}/yr, far beyond "
             f"{interval}")
        notes.append(f"{dec['at_estimate']} at {_rate(rate)}/yr; {where}: robust")
    else:
        m = dec["at_estimate"]
        flips = dec.get("flips_inside") or []
        parts = []
        if dec["at_lower"] != m:
            first = [x for x in flips if x <= rate]
            at = f" below {_rate(first[-1])}/yr" if first else " at its lower end"
            parts.append(f"{dec['at_lower']} wins{at}")
        if dec["at_upper"] != m:
            first = [x for x in flips if x >= rate]
            at = f" above {_rate(first[0])}/yr" if first else " at its upper end"
            parts.append(f"{dec['at_upper']} wins{at}")
        if not parts:
            parts.append(f"another method wins between {', '.join(_rate(x) for x in flips)}/yr"
                         if flips else "two methods cost the same at an end")
        notes.append(f"{m} at {_rate(rate)}/yr, but the decision flips inside {interval}: "
                     f"{'; '.join(parts)}: review")
    c = demand["class"]
    if c["label"] == "no demand":
        notes.append(f"no demand in the {demand['periods']} observed periods: the rate's upper end "
                     f"({_rate(hi)}/yr) is what the history cannot rule out")
    else:
        cv2 = "n/a (one demand)" if c["cv2"] is None else f"{c['cv2']:.2f}"
        notes.append(f"demand class: {c['label']} (Syntetos-Boylan-Croston: a demand every "
                     f"{c['adi']:.2f} periods on average, size variation CV² {cv2})")
    if c.get("overdispersed"):
        notes.append(f"demand comes in batches (up to {c['max_size']:g} parts at once; variance "
                     f"{c['dispersion']:.1f} times that of one-by-one Poisson demand): the model "
                     f"assumes one part per demand, so it understates the variance, the interval "
                     f"is too narrow and stock levels may be too low")
    po = demand.get("phase_out")
    if po and po["flag"]:
        what = "periods with demand" if po["counts"] == "periods" else "parts"
        notes.append(f"demand may be phasing out: the last {po['recent_periods']} periods had "
                     f"{po['recent_total']:g} {what} against {po['earlier_total']:g} in the earlier "
                     f"periods (p = {po['p_value']:.3f}): the rate over the whole history may be too high")
    return notes


def _rate(x: float) -> str:
    """A rate per year in few digits: ``2.9``, ``0.0071``, ``1,235``."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) >= 0.01 else f"{x:.2g}"


# --------------------------------------------------------------------------- the decision in words
# The workbook's Summary sheet says the same sentences live, in formulas
# (amspares.workbook.summary builds them from the phrases and number formats below).

def fixed(x: float, digits: int) -> str:
    """``x`` with thousands separators and ``digits`` decimals, the exact binary value rounded
    half away from zero, as LibreOffice's FIXED shows it (Excel rounds the 15-digit decimal
    instead, which can differ in the last digit when ``x`` lies within 1e-15 of a half).

    >>> fixed(1735.7055, 2), fixed(9064.29, 0), fixed(0.125, 2), fixed(-2.5, 0)
    ('1,735.71', '9,064', '0.13', '-3')
    """
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(float(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{q:,.{digits}f}"


#: What each indicator is called, its unit and its decimals in the decision sentences:
#: measure -> (result field, unit, decimals, decimals of the saving).
INDICATORS = {"cost": ("total_cost", "EUR", 2, 0), "impact": ("impact_mpts", "mPts", 1, 1),
              "co2e": ("impact_kgco2e", "kg CO2e", 2, 2)}
#: The result key naming each measure's chosen method.
WINNERS = {"cost": "cheapest", "impact": "lowest_impact", "co2e": "lowest_impact_co2e"}
#: What two methods with the same value have "the same" of (a tie), by measure.
SAME = {"cost": "cost", "impact": "impact", "co2e": "kg CO2e"}
#: What decides a tie (docs/model.md section 3.5), by measure: the second criterion, then an
#: order method before a stock method, then the first declared.
TIE_DECIDES = {"cost": "the lower impact decides", "impact": "the lower cost decides",
               "co2e": "the lower cost decides", "kind": "an order method comes before a stock method",
               "declared": "the method declared first in the scenario decides"}
NO_PART_WORDS = "not computed: the scenario has no [part] section (no weight)"
#: Before a missing climate factor's key (the workbook shows a missing factor so too).
MISSING_WORDS = "missing: "


def _eligible(result: Mapping[str, Any]) -> list[str]:
    ms = result["methods"]
    anyone = any(m.get("meets_service_target") for m in ms.values())
    return [k for k, m in ms.items() if m.get("meets_service_target") is not False or not anyone]


def _compared(result: Mapping[str, Any], measure: str) -> list[str]:
    """The methods a measure compares: the eligible ones (docs/model.md section 3.4); by kg CO2e
    only those whose kg CO2e is known (all known ones when no eligible one is)."""
    eligible = _eligible(result)
    if measure != "co2e":
        return eligible
    known = [k for k, m in result["methods"].items() if m.get("impact_kgco2e") is not None]
    return [k for k in eligible if k in known] or known


def runner_up(result: Mapping[str, Any], measure: str = "cost") -> str | None:
    """The method with the lowest cost (or impact, or kg CO2e) after the chosen one, among the
    methods the measure compares (the eligible ones under the service target; by kg CO2e those
    whose kg CO2e is known); the first declared of equal ones; ``None`` when there is no other."""
    field = INDICATORS[measure][0]
    best = result[WINNERS[measure]]
    others = [k for k in _compared(result, measure) if k != best and result["methods"][k].get(field) is not None]
    return min(others, key=lambda k: result["methods"][k][field], default=None)


def tie_decided_by(result: Mapping[str, Any], measure: str = "cost") -> str | None:
    """What chose the winner over the runner-up when the two tie on ``measure`` (``None`` when
    they do not tie): ``measure`` itself when its second criterion decided (the lower impact
    for the cheapest, the lower cost for the greenest), ``"kind"`` an order method before a
    stock method, ``"declared"`` the first declared (docs/model.md section 3.5); the words are
    :data:`TIE_DECIDES`. Values within ``TIE_REL`` (1e-9) relative of the lowest are equal, as in
    :func:`amspares.core.evaluate.tied_with_minimum`.

    >>> r = {"cheapest": "am_mto", "methods": {
    ...     "am_mts": {"kind": "stock", "total_cost": 100.0, "impact_mpts": 5.0, "meets_service_target": None},
    ...     "am_mto": {"kind": "order", "total_cost": 100.0, "impact_mpts": 5.0, "meets_service_target": None}}}
    >>> tie_decided_by(r)
    'kind'
    >>> r["methods"]["am_mto"]["impact_mpts"] = 4.0; tie_decided_by(r)
    'cost'
    >>> r["methods"]["am_mto"]["total_cost"] = 90.0; tie_decided_by(r) is None
    True
    """
    from amspares.core.evaluate import TIE_REL

    best, other = result[WINNERS[measure]], runner_up(result, measure)
    if best is None or other is None:
        return None
    ms = result["methods"]
    field = INDICATORS[measure][0]
    among = [k for k in _compared(result, measure) if ms[k].get(field) is not None]

    def near(values):
        low = min(values.values())
        return {k for k, v in values.items() if v <= low + TIE_REL * abs(low)}

    tied = near({k: ms[k][field] for k in among})
    if other not in tied:
        return None
    second = "impact_mpts" if measure == "cost" else "total_cost"
    if other not in near({k: ms[k].get(second) if ms[k].get(second) is not None else 0.0 for k in tied}):
        return measure
    return "kind" if ms[best]["kind"] != ms[other]["kind"] else "declared"


def decision_sentence(result: Mapping[str, Any], measure: str = "cost", *,
                      years: float | None = None) -> str:
    """The chosen method of a result object (docs/model.md section 6) in one sentence: what
    to do, its policy, its cost (or impact, or kg CO2e: ``measure`` ``"cost"``, ``"impact"``,
    ``"co2e"``) and how much less that is than the next best, or, when the two tie
    (docs/model.md section 3.5), that they are the same and what decided.

    >>> r = {"cheapest": "regular", "lowest_impact": "regular", "lowest_impact_co2e": "regular", "methods": {
    ...     "regular": {"kind": "stock", "policy": "base_stock", "S": 5, "total_cost": 1735.7055,
    ...                 "impact_mpts": 18913.75, "impact_kgco2e": 230.80, "meets_service_target": None},
    ...     "am_mto": {"kind": "order", "policy": "make_to_order", "total_cost": 10800.0,
    ...                "impact_mpts": 35219.03, "impact_kgco2e": 363.63, "meets_service_target": None}}}
    >>> decision_sentence(r)
    'Keep it in stock with regular supply: S = 5, 1,735.71 EUR, 9,064 EUR (84 %) less than printing to order (am_mto)'
    >>> decision_sentence(r, years=30)
    'Keep it in stock with regular supply: S = 5, 1,735.71 EUR over 30 years, 9,064 EUR (84 %) less than printing to order (am_mto)'
    >>> decision_sentence(r, "impact")
    'Keep it in stock with regular supply: S = 5, 18,913.8 mPts, 16,305.3 mPts (46 %) less than printing to order (am_mto)'
    >>> decision_sentence(r, "co2e")
    'Keep it in stock with regular supply: S = 5, 230.80 kg CO2e, 132.83 kg CO2e (37 %) less than printing to order (am_mto)'
    >>> r["methods"]["am_mto"]["total_cost"] = 1735.7055
    >>> decision_sentence(r)
    'Keep it in stock with regular supply: S = 5, 1,735.71 EUR, the same cost as printing to order (am_mto) (a tie: the lower impact decides)'
    """
    field, unit, digits, saving_digits = INDICATORS[measure]
    best = result[WINNERS[measure]]
    if best is None:
        return NO_PART_WORDS
    ms = result["methods"]
    m = ms[best]
    pol = policy_words(m)
    over = f" over {years:g} years" if years is not None else ""
    text = f"{method_phrase(best, m['kind'])}: {pol + ', ' if pol else ''}{fixed(m[field], digits)} {unit}{over}"
    other = runner_up(result, measure)
    if other is not None:
        theirs = ms[other][field]
        saving = theirs - m[field]
        decided = tie_decided_by(result, measure)
        if decided is not None:
            text += (f", the same {SAME[measure]} as {method_phrase(other, ms[other]['kind'], start=False)} "
                     f"(a tie: {TIE_DECIDES[decided]})")
        else:
            pct = f" ({fixed(100 * saving / theirs, 0)} %)" if theirs > 0 else ""
            text += (f", {fixed(saving, saving_digits)} {unit}{pct} less than "
                     f"{method_phrase(other, ms[other]['kind'], start=False)}")
    return text


def _lower_first(text: str) -> str:
    return (text[0].lower() + text[1:]).replace(": ", ", ", 1)


def greenest_sentence(result: Mapping[str, Any]) -> str:
    """The greenest method (lowest Eco-indicator 99 impact) in one sentence, worded as
    :func:`decision_sentence` words the cheapest.

    >>> greenest_sentence({"lowest_impact": None, "methods": {}})
    'Greenest: not computed: the scenario has no [part] section (no weight)'
    """
    text = decision_sentence(result, "impact")
    if result["lowest_impact"] is None:
        return "Greenest: " + text
    return "Greenest: " + _lower_first(text)


def climate_gaps(result: Mapping[str, Any], climate_missing=()) -> dict[str, str]:
    """The methods whose kg CO2e is not computed, each with the first missing climate factor
    that lists it in ``climate_missing`` (a scenario's
    :attr:`~amspares.scenario.Scenario.climate_missing`; ``"a climate factor"`` when it names
    none). Nothing without a part (no impact at all).

    >>> from amspares.model import evaluate
    >>> from amspares.scenario import load_scenario
    >>> sc = load_scenario().with_values({"part.material_kgco2e_per_kg": None})
    >>> climate_gaps(evaluate(sc), sc.climate_missing)["am_mto"]
    'part.material_kgco2e_per_kg'
    """
    out = {}
    for name, m in result["methods"].items():
        if m.get("impact_mpts") is None or m.get("impact_kgco2e") is not None:
            continue
        out[name] = next((c.key for c in climate_missing if name in c.methods), "a climate factor")
    return out


def co2e_sentence(result: Mapping[str, Any], gaps: Mapping[str, str] | None = None) -> str:
    """The greenest method by kg CO2e (GWP100) as :func:`decision_sentence` words it, among the
    methods whose kg CO2e is known; ``gaps`` (:func:`climate_gaps`: method -> the missing
    climate factor) names those it is not computed for, never 0. The Summary sheet's
    "Greenest (kg CO2e)" row says the same live.

    >>> r = {"lowest_impact": "a", "lowest_impact_co2e": None, "methods": {
    ...     "a": {"impact_mpts": 1.0, "impact_kgco2e": None}, "b": {"impact_mpts": 2.0, "impact_kgco2e": None}}}
    >>> co2e_sentence(r, {"a": "part.material_kgco2e_per_kg", "b": "part.material_kgco2e_per_kg"})
    'not computed (missing: part.material_kgco2e_per_kg)'
    >>> co2e_sentence(r, {"a": "part.material_kgco2e_per_kg", "b": "methods.b.process_kgco2e_per_kg"})
    'not computed (missing: part.material_kgco2e_per_kg; missing: methods.b.process_kgco2e_per_kg)'
    """
    if result["lowest_impact"] is None:
        return NO_PART_WORDS
    gaps = dict(gaps) if gaps is not None else climate_gaps(result)
    if result.get("lowest_impact_co2e") is None:
        return f"not computed ({'; '.join(MISSING_WORDS + k for k in dict.fromkeys(gaps.values()))})"
    return decision_sentence(result, "co2e") + "".join(
        f"; not computed for {m} ({MISSING_WORDS}{key})" for m, key in gaps.items())


def greenest_co2e_sentence(result: Mapping[str, Any], gaps: Mapping[str, str] | None = None) -> str:
    """:func:`co2e_sentence` as the command line prints it, after the mPts one.

    >>> greenest_co2e_sentence({"lowest_impact": None, "methods": {}})
    'Greenest (kg CO2e): not computed: the scenario has no [part] section (no weight)'
    """
    text = co2e_sentence(result, gaps)
    if result.get("lowest_impact_co2e") is None:
        return "Greenest (kg CO2e): " + text
    return "Greenest (kg CO2e): " + _lower_first(text)


def service_sentence(result: Mapping[str, Any], free_days: float) -> str:
    """The service measures (docs/model.md section 3.4) of the cheapest method's policy.

    >>> service_sentence({"cheapest": "am_mto", "methods": {"am_mto": {"fill_rate": 0.0,
    ...     "on_time_rate": 0.0, "mean_wait_days": 7.0}}}, 0)
    'Service of am_mto: 0.00 % of demands served from stock at once, 0.00 % delivered within 0 free days, mean wait 7.000 days per demand'
    """
    best = result["cheapest"]
    m = result["methods"][best]
    return (f"Service of {best}: {fixed(100 * m['fill_rate'], 2)} % of demands served from stock at once, "
            f"{fixed(100 * m['on_time_rate'], 2)} % delivered within {fixed(free_days, 0)} free days, "
            f"mean wait {fixed(m['mean_wait_days'], 3)} days per demand")


def price_breakeven(result: Mapping[str, Any], prices: Mapping[str, float]) -> BreakEven | None:
    """The price of the order method among the two cheapest at which the decision flips.

    The value is :func:`amspares.core.breakeven.order_price_breakeven` (exact: a
    make-to-order total is linear in its price). ``None`` without an order method
    among the two cheapest, or without demand.

    >>> r = {"n": 60.0, "cheapest": "regular", "methods": {
    ...     "regular": {"kind": "stock", "total_cost": 1735.7, "meets_service_target": None},
    ...     "am_mto": {"kind": "order", "total_cost": 10800.0, "meets_service_target": None}}}
    >>> be = price_breakeven(r, {"am_mto": 175.0}); round(be.value, 4), be.below, be.above
    (23.9283, 'am_mto', 'regular')
    """
    best, other = result["cheapest"], runner_up(result)
    ms, n = result["methods"], float(result["n"])
    if other is None or n <= 0:
        return None
    order = best if ms[best]["kind"] == "order" else other if ms[other]["kind"] == "order" else None
    if order is None:
        return None
    rival = other if order == best else best
    from amspares.core.breakeven import order_price_breakeven

    value = order_price_breakeven(prices[order], ms[order]["total_cost"], ms[rival]["total_cost"], n)
    if value < 0:
        why = (f"{order} costs more than optimal {rival} ({fixed(ms[rival]['total_cost'], 2)} EUR) "
               "even when printing is free")
        return BreakEven(None, why, below=rival, above=rival)
    return BreakEven(value, below=order, above=rival)


def both_stock_words(best: str, other: str) -> str:
    """Why there is no printing-price break-even when the two cheapest methods hold stock.

    >>> both_stock_words("regular", "am_mts")
    'none: the two cheapest (regular, am_mts) both hold stock; the price break-even is for a method that prints to order'
    """
    return (f"none: the two cheapest ({best}, {other}) both hold stock; "
            "the price break-even is for a method that prints to order")


def price_breakeven_sentence(result: Mapping[str, Any], prices: Mapping[str, float]) -> str:
    """:func:`price_breakeven` in one sentence (``''`` without a runner-up or demand; why
    there is none when the two cheapest hold stock), right whichever side of it the
    scenario is.

    >>> r = {"n": 60.0, "cheapest": "regular", "methods": {
    ...     "regular": {"kind": "stock", "total_cost": 1735.7, "meets_service_target": None},
    ...     "am_mto": {"kind": "order", "total_cost": 10800.0, "meets_service_target": None}}}
    >>> price_breakeven_sentence(r, {"am_mto": 175.0})
    'am_mto is cheaper below am_mto price = 23.93 EUR, regular above it'
    """
    be = price_breakeven(result, prices)
    if be is None:
        other = runner_up(result)
        if other is None or float(result["n"]) <= 0:
            return ""
        return both_stock_words(result["cheapest"], other)
    order = be.below if be.value is not None else next(
        k for k in (result["cheapest"], runner_up(result)) if result["methods"][k]["kind"] == "order")
    return breakeven_sentence(be, f"{order} price", "EUR", number=lambda v: fixed(v, 2))
