"""One wording of break-evens (amspares.wording): the sentence names who wins on each side.

Where the expected facts come from:

* which method wins just below and just above a break-even: the model itself, evaluated
  there through :func:`amspares.core.evaluate.evaluate` on parameters varied here (not
  through the case-study code that found the break-even);
* which method wins at the scenario's own value: the scenario's base evaluation;
* the AM price break-evens, derived by hand: printing to order costs n (p + 5) EUR
  (Eq. 1 with S = 0: price and 5 EUR outbound transport per part, n = 60 parts), the
  optimal regular stock 1735.7055 EUR (docs/model.md reference values) plus its investment,
  so p* = (TC_regular - 300) / 60: 23.93 EUR for the thesis case, 357.26 EUR with the lost
  mould's 20,000 EUR (examples/lost_mould.toml);
* the regular price break-even 144.12 EUR is the value the issue report quotes; its sides
  are checked by the model as above.
"""

from __future__ import annotations

import io
import math
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest

from amspares import cli
from amspares.binding import bind
from amspares.core.breakeven import BreakEven
from amspares.core.evaluate import evaluate
from amspares.core.impact import megajoules_to_kwh
from amspares.report import study_json
from amspares.scenario import load_scenario
from amspares.wording import BETTER, QUANTITIES, breakeven_sentence, sentence_for
from amspares.workbook.situations import breakeven_sentence as sheet_sentence

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TC_REGULAR = 1735.7055282105157          # optimal regular stock of the thesis case (reference value)


def scenarios():
    base = load_scenario()
    return {
        "thesis": base,
        "lost_mould": load_scenario(EXAMPLES / "lost_mould.toml"),
        "regular_200": base.with_values({"methods.regular.price": 200.0}),
        "minimum_order": load_scenario(EXAMPLES / "minimum_order.toml"),
        "metal_bracket": load_scenario(EXAMPLES / "metal_bracket.toml"),
        # no machine energy: printing becomes greener than a small (s,Q) order of regular
        "clean_printing": base.with_values({"methods.am_mto.energy_kwh_per_kg": 0.0,
                                            "methods.am_mts.energy_kwh_per_kg": 0.0}),
    }


@pytest.fixture(scope="module")
def studies():
    return {name: (sc, study_json(sc)) for name, sc in scenarios().items()}


# --------------------------------------------------------------------------- the sentence


@pytest.mark.parametrize("name", sorted(QUANTITIES))
@pytest.mark.parametrize("order", [("regular", "am_mto"), ("am_mto", "regular")])
def test_every_sentence_follows_the_sides_in_both_directions(name, order):
    below, above = order
    label, unit, measure = QUANTITIES[name]
    text = sentence_for(name, BreakEven(12.5, below=below, above=above))
    assert text == f"{below} is {BETTER[measure]} below {label} = 12.50 {unit}, {above} above it"
    # the workbook words it the same way (with its own number format and the case in front)
    assert sheet_sentence(name, 12.5, "", "", below, above) == text
    keyed = sheet_sentence(name, 12.5, "T1" if name.startswith("portfolio") else "", "", below, above)
    assert keyed.endswith(text)


def test_sentence_without_a_breakeven_says_why_or_who_wins_throughout():
    assert breakeven_sentence(BreakEven(None, "am_mto costs more even when printing is free",
                                        below="regular", above="regular"), "AM price", "EUR") == \
        "no break-even in AM price (am_mto costs more even when printing is free)"
    assert breakeven_sentence(BreakEven(None, below="am_mto", above="am_mto"), "N", "SKUs",
                              measure="impact") == "no break-even in N: am_mto is greener at every N"
    # the same winner on both sides of a value cannot be worded as a flip
    assert "both are equally cheap" in breakeven_sentence(BreakEven(3.0, below="a", above="a"), "N", "SKUs")


# --------------------------------------------------------------------------- the sides are the model's


def _lower(p, name, key, x, R, M):
    """The method (R or M) with the lower cost / impact when the break-even's quantity is x."""
    measure = QUANTITIES[name][2]
    T = float(p.service_years)
    extra = 0.0
    if name == "am_price_breakeven":
        q = p.with_method(M, price=x)
    elif name == "regular_price_breakeven":
        q = p.with_method(R, price=x)
    elif name.startswith("moq_"):
        q = p.with_method(R, moq=float(x))
    elif name == "portfolio_breakeven_skus":
        Tp = float(key[1:])
        q = replace(p, production_rule="max_demand_stock", service_years=Tp, rate_per_year=1.0 / (x * Tp))
    elif name == "mould_breakeven_demand_cost":
        q = replace(p.with_method(R, investment=float(p.methods[R].investment) + float(key)),
                    rate_per_year=x / T)
    elif name == "mould_breakeven_demand_impact":
        q, extra = replace(p, rate_per_year=x / T), float(key)
    else:
        q = p.with_method(M, energy_kwh_per_kg=megajoules_to_kwh(x))
    ev = evaluate(q.only([R, M]), advice=False)
    r, m = ev.methods[R], ev.methods[M]
    if measure == "cost":
        a, b = float(r.total_cost[0]), float(m.total_cost[0])
    else:
        a, b = float(r.impact_mpts[0]) + extra, float(m.impact_mpts[0])
    return R if a < b else M


def _items(study):
    for name, v in study["breakeven"].items():
        if isinstance(v, dict):
            for k, vv in v.items():
                yield name, k, vv, study["sides"][f"{name}/{k}"]
        else:
            yield name, "", v, study["sides"][name]


@pytest.mark.parametrize("which", list(scenarios()))
def test_sides_are_the_winners_just_below_and_above(studies, which):
    sc, study = studies[which]
    p = bind(sc)
    R, M = study["roles"]["regular"], study["roles"]["am_mto"]
    checked = 0
    for name, key, v, sides in _items(study):
        if v is None:
            continue
        if name.startswith("moq_"):
            # whole order quantities either side; a whole v (a jump point) is the first
            # moq with the other winner
            lo, hi = math.ceil(v) - 1, math.ceil(v)
        else:
            lo, hi = v * (1 - 1e-4), v * (1 + 1e-4)
        if lo >= (1 if name.startswith("moq_") else 0):
            assert _lower(p, name, key, lo, R, M) == sides["below"], (name, key, v)
        assert _lower(p, name, key, hi, R, M) == sides["above"], (name, key, v)
        assert sides["below"] != sides["above"]
        checked += 1
    assert checked >= 5


#: break-even -> (the ``current`` value compared with it, cost or impact)
NOW = {"am_price_breakeven": "am_price", "regular_price_breakeven": "regular_price",
       "moq_breakeven_cost": "moq", "moq_breakeven_impact": "moq",
       "am_energy_breakeven_mj_per_kg": "am_energy_mj_per_kg"}


def test_the_sentence_names_todays_winner_on_either_side(studies):
    """At the scenario's own value the side the sentence names wins in the base evaluation;
    the scenarios put today's value on both sides of every break-even listed here."""
    seen = set()
    for which, (sc, study) in studies.items():
        R, M = study["roles"]["regular"], study["roles"]["am_mto"]
        ms = study["base"]["methods"]
        for name, now_key in NOW.items():
            v = study["breakeven"][name]
            if v is None:
                continue
            now = study["current"][now_key]
            side = "below" if now < v else "above"
            named = study["sides"][name][side]
            crossings = study["crossings"][name]
            if len(crossings) > 1:
                # several crossings (the sentence names every range): today's winner is
                # the side of the range holding today's value (a whole-number crossing k
                # starts its "above" side at k)
                past = [c for c in crossings if c["value"] <= now]
                named = past[-1]["above"] if past else crossings[0]["below"]
            what = "total_cost" if QUANTITIES[name][2] == "cost" else "impact_mpts"
            actual = R if ms[R][what] < ms[M][what] else M
            assert named == actual, (which, name, now, v)
            seen.add((name, side))
    assert seen == {(n, s) for n in NOW for s in ("below", "above")}


# --------------------------------------------------------------------------- the command line


def _scenario_text(*args):
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert cli.main(["scenario", *args]) == 0
    return out.getvalue()


def test_command_line_price_sentences_in_both_directions():
    thesis = _scenario_text()
    assert round((TC_REGULAR - 300) / 60, 2) == 23.93
    assert "am_mto is cheaper below AM price = 23.93 EUR, regular above it (now 175.00 EUR)" in thesis
    assert "regular is cheaper below regular price = 144.12 EUR, am_mto above it (now 15.00 EUR)" in thesis

    lost = _scenario_text(str(EXAMPLES / "lost_mould.toml"))
    assert round((TC_REGULAR + 20000 - 300) / 60, 2) == 357.26
    assert "am_mto is cheaper below AM price = 357.26 EUR, regular above it (now 175.00 EUR)" in lost

    # the readable report of `amspares scenario` for a scenario with a regular price of 200
    from amspares.commands.scenario import format_study
    text = format_study(study_json(load_scenario().with_values({"methods.regular.price": 200.0})))
    assert "regular is cheaper below regular price = 144.12 EUR, am_mto above it (now 200.00 EUR)" in text
    for wrong in ("becomes the cheaper once", "loses once its price"):
        assert wrong not in thesis + lost + text


# --------------------------------------------------------------------------- the decision first


def _evaluate_text(*args):
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert cli.main(["evaluate", *args]) == 0
    return out.getvalue()


def _model(sc):
    from amspares.model import evaluate as evaluate_object
    return evaluate_object(sc, with_saving=True)


def test_decision_sentence_when_stock_wins_leads_evaluate_and_scenario():
    from amspares.wording import decision_sentence
    # printing to order: 60 parts at 175 EUR plus 5 EUR outbound transport = 10,800 EUR (Eq. 1
    # with S = 0); the optimal regular stock 1735.7055 EUR (docs/model.md reference values)
    am_mto = 60 * (175 + 5)
    saving = am_mto - TC_REGULAR
    assert f"{saving:,.0f}" == "9,064" and round(saving / am_mto * 100) == 84
    want = ("Keep it in stock with regular supply: S = 5, 1,735.71 EUR over 30 years, "
            "9,064 EUR (84 %) less than printing to order (am_mto)")
    assert decision_sentence(_model(load_scenario()), years=30) == want
    assert _evaluate_text().splitlines()[0] == want
    assert _scenario_text().splitlines()[0] == want
    # the table follows, and its closing lines stay
    text = _evaluate_text()
    assert text.index(want) < text.index("= total cost (EUR)") < text.index("Cheapest: regular")


def test_decision_sentence_when_printing_wins_and_the_greenest_likewise():
    from amspares.wording import decision_sentence, greenest_sentence
    sc = load_scenario().with_values({"methods.am_mto.price": 20.0})
    # printing to order at 20 EUR: 60 (20 + 5) = 1,500 EUR, below the regular stock's
    # 1735.7055 EUR (unchanged: the AM price is not one of its inputs); am_mts stays dearer
    r = _model(sc)
    assert r["cheapest"] == "am_mto" and r["runner_up"] == "regular"
    saving = TC_REGULAR - 60 * (20 + 5)
    assert f"{saving:,.0f}" == "236" and round(saving / TC_REGULAR * 100) == 14
    want = ("Print it to order (am_mto): 1,500.00 EUR over 30 years, 236 EUR (14 %) less than "
            "keeping it in stock with regular supply")
    assert decision_sentence(r, years=30) == want
    # the greenest: the impacts are the model's (the price changes none of them); the
    # sentence's difference and share are computed here from them
    ms = r["methods"]
    assert r["lowest_impact"] == "regular"
    other = min((m for m in ms if m != "regular"), key=lambda m: ms[m]["impact_mpts"])
    diff = ms[other]["impact_mpts"] - ms["regular"]["impact_mpts"]
    green = (f"Greenest: keep it in stock with regular supply, S = 5, {ms['regular']['impact_mpts']:,.1f} mPts, "
             f"{diff:,.1f} mPts ({diff / ms[other]['impact_mpts'] * 100:.0f} %) less than printing to order (am_mto)")
    assert other == "am_mto" and greenest_sentence(r) == green
    from amspares.commands.evaluate import format_result
    assert format_result(r, {}, sc).splitlines()[:2] == [want, green]     # the table of amspares evaluate


def test_decision_sentence_without_a_runner_up_and_on_a_tie():
    from amspares.wording import decision_sentence, method_phrase
    one = {"cheapest": "hub", "methods": {"hub": {"kind": "order", "policy": "make_to_order",
                                                  "S": 0, "total_cost": 12.5}}}
    assert decision_sentence(one) == "Make it to order (hub): 12.50 EUR"
    tie = {"cheapest": "a", "runner_up": "b", "methods": {
        "a": {"kind": "stock", "policy": "reorder_point", "s": 3, "Q": 50, "total_cost": 100.0},
        "b": {"kind": "stock", "policy": "base_stock", "S": 2, "total_cost": 100.0}}}
    # a tie: no saving to state; the sentence says the two cost the same and what decided
    # (no impacts, both stock methods: the first declared, docs/model.md section 3.5; the
    # workbook's Summary formula says the same)
    assert decision_sentence(tie) == ("Keep it in stock (a): s = 3, Q = 50, 100.00 EUR, the same cost as "
                                      "keeping it in stock (b) (a tie: the method declared first in the "
                                      "scenario decides)")
    assert method_phrase("am_mts", "stock", form="doing") == "keeping it in stock, printed ahead (am_mts)"
