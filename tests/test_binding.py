"""The one binding from scenario keys to model parameters (amspares.binding).

Expected facts come from the scenario files themselves (every key a scenario resolves must
reach a parameter, and back), and from the transition wrapper ``evaluate_inputs`` which
must give bit-identical results to ``evaluate(bind(...))``.
"""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from amspares.binding import MODEL_KEYS, bind, method_key, with_inputs
from amspares.core.evaluate import evaluate, evaluate_inputs
from amspares.core.params import METHOD_FIELDS, MethodParams, ModelParams
from amspares.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORE = ROOT / "pysrc" / "amspares" / "core"


@pytest.mark.parametrize("path", [None, *sorted(EXAMPLES.glob("*.toml"))], ids=lambda p: getattr(p, "stem", "thesis"))
def test_every_scenario_key_reaches_one_parameter_and_back(path):
    sc = load_scenario(path)
    inputs = sc.inputs()
    p = bind(sc)
    read = set()
    for name, key in MODEL_KEYS.items():
        if key in inputs:
            assert getattr(p, name) == inputs[key], key
            read.add(key)
        else:
            assert getattr(p, name) is None, key
    for m, kind in sc.methods.items():
        assert p.methods[m].kind == kind
        for f in METHOD_FIELDS:
            key = method_key(m, f)
            if f in HOLDING:               # resolved per method: test_holding_is_resolved_per_method
                read.update([key] if key in inputs else [])
                continue
            if key in inputs:
                assert getattr(p.methods[m], f) == inputs[key], key
                read.add(key)
            else:
                assert getattr(p.methods[m], f) is None, key
    # no key of the scenario is left unread (a new input needs a parameter)
    assert set(inputs) == read


def test_every_parameter_has_a_key():
    bound = {f.name for f in fields(ModelParams)} - {"methods"}
    assert bound == set(MODEL_KEYS)
    # holding_own is not an input: it says whether the method gave its own holding cost
    assert set(METHOD_FIELDS) == {f.name for f in fields(MethodParams)} - {"kind", "holding_own"}


HOLDING = ("holding_per_part_year", "holding_rate_per_year")


def _expected_holding(values, m, price):
    """docs/model.md section 2, written out: (per part-year, the rate it came from)."""
    own, own_rate = values.get(f"methods.{m}.holding_per_part_year"), values.get(f"methods.{m}.holding_rate_per_year")
    if own is not None:
        return own, None
    if own_rate is not None:
        return own_rate * price, own_rate
    if "storage.holding_rate_per_year" in values:
        r = values["storage.holding_rate_per_year"]
        return r * price, r
    if "storage.holding_per_part_year" in values:
        return values["storage.holding_per_part_year"], None
    return values["storage.volume_cost_per_m3"] * values["storage.package_m3"], None


@pytest.mark.parametrize("changes", [
    {},                                                                   # the case study: 0.45 for all
    {"storage.holding_rate_per_year": 0.2},                               # 0.2 x 15 = 3, 0.2 x 175 = 35
    {"storage.holding_rate_per_year": 0.2, "methods.am_mts.holding_per_part_year": 1.0},
    {"methods.regular.holding_rate_per_year": 0.1},                       # 1.5 for regular, 0.45 else
    {"storage.volume_cost_per_m3": 180.0, "storage.package_m3": 0.002,    # 0.36, and 4 for am_mts
     "methods.am_mts.holding_per_part_year": 4.0},
])
def test_holding_is_resolved_per_method(changes):
    sc = load_scenario().with_values(changes)
    p = bind(sc)
    for m, kind in sc.methods.items():
        mp = p.methods[m]
        if kind == "order":
            assert mp.holding_per_part_year is None and mp.holding_rate_per_year is None
            continue
        h, r = _expected_holding(dict(sc.values), m, sc[f"methods.{m}.price"])
        assert mp.holding_per_part_year == pytest.approx(h, rel=1e-15), m
        assert mp.holding_rate_per_year == r, m
    # a price sweep keeps holding = rate x price (with a rate), and leaves a per-part value alone
    swept = p.with_method("regular", price=np.array([10.0, 20.0]))
    h = swept.methods["regular"].holding_per_part_year
    r = p.methods["regular"].holding_rate_per_year
    if r is None:
        assert h == p.methods["regular"].holding_per_part_year
    else:
        assert np.allclose(h, [10.0 * r, 20.0 * r], rtol=1e-15)


def test_a_storage_holding_change_reaches_only_methods_without_their_own():
    sc = load_scenario().with_values({"methods.am_mts.holding_per_part_year": 1.0})
    p = with_inputs(bind(sc), {"storage.holding_rate_per_year": 0.1})
    assert p.methods["regular"].holding_per_part_year == pytest.approx(0.1 * 15.0, rel=1e-15)
    assert p.methods["am_mts"].holding_per_part_year == 1.0          # its own value stays
    assert p.holding_per_part_year is None and p.holding_rate_per_year == 0.1


def test_the_core_holds_no_scenario_keys():
    """No string literal in the core spells a dotted scenario key (``demand.rate_per_year``,
    ``methods.<m>.price``): only the binding reads them."""
    sections = tuple(k.split(".")[0] for k in MODEL_KEYS.values()) + ("methods",)
    found = []
    for path in sorted(CORE.glob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr)
                      and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if any(node.value.startswith(s + ".") for s in sections):
                    found.append(f"{path.name}: {node.value!r}")
    assert found == []


def test_arrays_bind_and_evaluate_per_sku_like_one_scenario_each():
    sc = load_scenario()
    inputs = dict(sc.inputs())
    prices = np.array([15.0, 40.0, 150.0])
    inputs["methods.regular.price"] = prices
    many = evaluate(bind(inputs, sc.methods))
    for i, price in enumerate(prices):
        one = evaluate(bind(sc.with_values({"methods.regular.price": float(price)})))
        assert many.methods["regular"].total_cost[i] == one.methods["regular"].total_cost[0]
        assert many.methods["regular"].S[i] == one.methods["regular"].S[0]


def test_evaluate_inputs_is_bind_then_evaluate():
    sc = load_scenario(EXAMPLES / "minimum_order.toml")
    a = evaluate_inputs(sc.inputs(), sc.methods)
    b = evaluate(bind(sc))
    for m in sc.methods:
        assert a.methods[m].cost.as_dict() == b.methods[m].cost.as_dict()
        assert a.methods[m].impact.as_dict() == b.methods[m].impact.as_dict()


def test_arrays_of_different_lengths_are_refused():
    sc = load_scenario()
    inputs = dict(sc.inputs(), **{"demand.rate_per_year": np.ones(2), "methods.regular.price": np.ones(3)})
    with pytest.raises(ValueError, match=r"input arrays differ in length: \[2, 3\]"):
        evaluate(bind(inputs, sc.methods))


def test_with_inputs_equals_binding_the_changed_scenario():
    sc = load_scenario()
    from amspares.binding import with_inputs
    changes = {"demand.rate_per_year": 3.0, "methods.regular.moq": 4, "model.production_rule": "max_demand_stock"}
    assert with_inputs(bind(sc), changes) == bind(dict(sc.inputs(), **changes), sc.methods)
    with pytest.raises(KeyError, match="not a model input"):
        with_inputs(bind(sc), {"demand.rate_per_yr": 1.0})
