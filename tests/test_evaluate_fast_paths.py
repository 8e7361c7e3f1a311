"""The fast paths of :func:`amspares.core.evaluate.evaluate` (issue 15) give the numbers and
the choices of the general computations, bit for bit.

* The choice rule (``_pick``, ``lowest_known``) applied row by row, with the second criterion
  only where the first tied, against the rule written on the whole ``(methods, N)`` matrix
  (:func:`tied_with_minimum` on the matrix, then numpy's ``argmax``: the code it replaces,
  kept here as the reference) on random matrices full of ties, near-ties (1e-12 apart),
  NaN and inf, with random eligibility and order methods.
* A stock method whose moq is 1 for every SKU (one base-stock search, no merging) against
  the same SKUs evaluated beside an MOQ row (the masked, merged path): every field equal.
* Factors that are one value for all SKUs (kept scalars in the impact terms) against the
  same factors given as arrays of that value.
* ``saving`` and ``runner_up`` against the matrix formulation (fancy indexing of the
  stacked totals), and the cached totals against the signed sums of their breakdowns.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

import numpy as np
import pytest

from amspares.binding import bind, with_inputs
from amspares.core.evaluate import TIE_REL, _pick, evaluate, lowest_known, tied_with_minimum
from amspares.scenario import load_scenario


def reference_pick(first, second, eligible, order_first):
    """The choice rule on the whole matrix (the previous implementation of ``_pick``)."""
    _, tie = tied_with_minimum(first, eligible)
    tied = tie.sum(axis=0) > 1
    if second is not None:
        _, tie = tied_with_minimum(second, tie)
    orders = tie & order_first[:, None]
    tie = np.where(orders.any(axis=0), orders, tie)
    return np.argmax(tie, axis=0), tied


def reference_lowest_known(values, totals, eligible, order_first, names):
    """``lowest_known`` on the whole matrix (its previous implementation)."""
    known = ~np.isnan(values)
    among = eligible & known
    among = np.where(among.any(axis=0), among, known)
    idx, tied = reference_pick(np.where(known, values, np.inf), totals, among, order_first)
    out = names[idx].astype(object)
    out[~known.any(axis=0)] = None
    return out, tied & known.any(axis=0)


def tie_heavy(rng, m, n, nan_share=0.05):
    """(m, n) values from a few levels, some 1e-12 or 1e-9 relative apart, with NaN and inf."""
    levels = np.array([0.0, -0.0, 1.0, 1.0 + 1e-12, 1.0 + 2e-9, 2.0, -3.0, np.inf, 1e6, 1e6 * (1 + 5e-10)])
    v = rng.choice(levels, size=(m, n))
    v[rng.random((m, n)) < nan_share] = np.nan
    return v


@pytest.mark.parametrize("seed", range(12))
def test_pick_is_the_matrix_rule(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 5))
    n = 3000
    first, second = tie_heavy(rng, m, n), tie_heavy(rng, m, n)
    eligible = rng.random((m, n)) < [0.3, 0.7, 1.0][seed % 3]
    order_first = rng.random(m) < 0.5
    for sec in (second, None):
        want = reference_pick(first, sec, eligible, order_first)
        got = _pick(first, sec, eligible, order_first)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        rows = _pick(list(first), None if sec is None else list(sec), list(eligible), order_first)
        assert np.array_equal(rows[0], want[0]) and np.array_equal(rows[1], want[1])
    # the cases the shortcut must get right occur in these inputs
    _, tie = tied_with_minimum(first, eligible)
    single = tie.sum(axis=0) == 1
    if m > 1:
        assert single.any() and (tie.sum(axis=0) > 1).any() and (tie.sum(axis=0) == 0).any()
        assert (single & np.isnan(np.where(tie, second, 0.0)).any(axis=0)).any()


@pytest.mark.parametrize("seed", range(6))
def test_lowest_known_is_the_matrix_rule(seed):
    rng = np.random.default_rng(100 + seed)
    m, n = 3, 3000
    values = tie_heavy(rng, m, n, nan_share=[0.0, 0.2, 0.6][seed % 3])
    values[:, :50] = np.nan                              # no method known
    totals = tie_heavy(rng, m, n, nan_share=0.0)
    eligible = rng.random((m, n)) < 0.6
    order_first = np.array([False, False, True])
    names = np.array(["a", "b", "c"], dtype=object)
    want = reference_lowest_known(values, totals, eligible, order_first, names)
    got = lowest_known(values, totals, eligible, order_first, names)
    assert got[0].tolist() == want[0].tolist() and np.array_equal(got[1], want[1])
    got = lowest_known(list(values), list(totals), eligible, order_first, names)
    assert got[0].tolist() == want[0].tolist() and np.array_equal(got[1], want[1])


def _equal(a, b, where=""):
    """Every field of two results equal (bit for bit, NaN = NaN; object arrays by value)."""
    if is_dataclass(a):
        assert type(a) is type(b), where
        for f in fields(a):
            _equal(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _equal(a[k], b[k], f"{where}.{k}")
    elif a is None or isinstance(a, str):
        assert a == b, where
    else:
        x, y = np.asarray(a), np.asarray(b)
        assert x.shape == y.shape and x.dtype == y.dtype, where
        if x.dtype == object:
            assert x.tolist() == y.tolist(), where
        else:
            assert np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), where
            assert np.array_equal(np.signbit(x), np.signbit(y)) if x.dtype.kind == "f" else True, where


def _rows(ev, k):
    """The first ``k`` SKUs of an evaluation, as plain dicts of arrays (for comparison)."""
    def cut(x):
        if is_dataclass(x):
            return {f.name: cut(getattr(x, f.name)) for f in fields(x)}
        if isinstance(x, dict):
            return {key: cut(v) for key, v in x.items()}
        if x is None or isinstance(x, str) or np.ndim(x) == 0:
            return x
        return np.asarray(x)[:k]
    out = {name: cut(r) for name, r in ev.methods.items()}
    for name, r in ev.methods.items():
        out[name].pop("advice")                          # only (s,Q) methods have advice
        out[name]["total"] = np.asarray(r.total_cost)[:k]
        out[name]["impact_mpts_total"] = np.asarray(r.impact_mpts)[:k]
        out[name]["impact_kgco2e_total"] = np.asarray(r.impact_kgco2e)[:k]
    for key in ("cheapest", "lowest_impact", "lowest_impact_co2e", "cheapest_tied", "lowest_impact_tied",
                "lowest_impact_co2e_tied", "none_meets_target", "cheapest_index"):
        out[key] = cut(getattr(ev, key))
    out["saving"], out["runner_up"] = ev.saving[:k], ev.runner_up[:k]
    return out


def catalogue(seed, size, **fixed):
    """SKUs of a catalogue: demand from none to ~40 a year, prices, weights; ``fixed`` more keys."""
    rng = np.random.default_rng(seed)
    rate = rng.choice([0.0, 0.001, 0.05, 0.6, 2.0, 7.0, 40.0], size) * rng.uniform(0.5, 1.5, size)
    rate[:3] = 2.0                                       # the case study's exact ties
    price = rng.choice([15.0, 0.0, 3.0, 175.0], size)
    am = np.where(rng.random(size) < 0.3, 175.0, rng.uniform(20.0, 400.0, size))
    changes = {"demand.rate_per_year": rate, "methods.regular.price": price,
               "methods.am_mts.price": am, "methods.am_mto.price": np.where(rng.random(size) < 0.5, am, 175.0),
               "part.weight_kg": rng.choice([0.25, 0.01, 1.5], size)}
    changes.update(fixed)
    return changes


SETTINGS = [dict(), {"model.waiting_time": "exact"}, {"model.production_rule": "max_demand_stock"},
            {"downtime.free_days": 5.0, "model.order_wait": "charged"},
            {"model.service_target": 0.9}, {"model.service_target": 0.99, "model.waiting_time": "exact"}]


@pytest.mark.parametrize("setting", range(len(SETTINGS)))
def test_moq_one_throughout_equals_the_merged_path(setting):
    base = bind(load_scenario())
    size = 400
    changes = catalogue(setting, size, **SETTINGS[setting])
    alone = with_inputs(base, changes)
    beside = {k: (np.append(v, v[-1]) if isinstance(v, np.ndarray) else v) for k, v in changes.items()}
    beside["methods.regular.moq"] = np.append(np.ones(size), 50.0)   # one MOQ row: masks and merges
    beside["methods.am_mts.moq"] = np.append(np.ones(size), 10.0)
    ev, ev_mixed = evaluate(alone, advice=True), evaluate(with_inputs(base, beside), advice=True)
    assert ev_mixed.methods["regular"].policy[-1] in ("reorder_point", "one_order")
    assert set(ev.methods["regular"].policy.tolist()) == {"base_stock"}
    _equal(_rows(ev, size), _rows(ev_mixed, size))


@pytest.mark.parametrize("setting", range(len(SETTINGS)))
def test_scalar_factors_equal_factor_arrays(setting):
    base = bind(load_scenario())
    size = 300
    changes = catalogue(10 + setting, size, **SETTINGS[setting])
    changes["methods.regular.moq"] = np.where(np.arange(size) % 5 == 0, 100.0, 1.0)
    scalar = with_inputs(base, changes)
    # every impact factor (and the rest of the scalars) as an array of its value
    top = {f: np.full(size, float(getattr(scalar, f))) for f in
           ("material_mpts_per_kg", "material_kgco2e_per_kg", "electricity_mpts_per_kwh",
            "electricity_kgco2e_per_kwh", "service_years", "emergency_per_day", "free_days")}
    methods = {}
    for name, mp in scalar.methods.items():
        arrays = {}
        for f in fields(mp):
            v = getattr(mp, f.name)
            if isinstance(v, float) and f.name != "moq":
                arrays[f.name] = np.full(size, v)
        methods[name] = replace(mp, **arrays)
    arrays = replace(scalar, methods=methods, **top)
    _equal(_rows(evaluate(scalar, advice=False), size), _rows(evaluate(arrays, advice=False), size))


def test_missing_and_nan_climate_factors():
    """kg CO2e unknown for a whole method (None) and for some SKUs (NaN): the greenest by kg
    CO2e among the known, None where none is known; the numbers as with arrays."""
    base = bind(load_scenario())
    size = 200
    p = with_inputs(base, catalogue(3, size))
    some = np.where(np.arange(size) % 3 == 0, np.nan, 0.3005080603)
    p = replace(p, methods={**p.methods,
                            "regular": replace(p.methods["regular"], process_kgco2e_per_kg=some),
                            "am_mts": replace(p.methods["am_mts"], process_kgco2e_per_kg=None)})
    ev = evaluate(p)
    co2e = np.vstack([r.impact_kgco2e for r in ev.methods.values()])
    assert np.isnan(co2e[1]).all() and np.isnan(co2e[0][::3]).all()
    totals = np.vstack([r.total_cost for r in ev.methods.values()])
    order_first = np.array([r.kind == "order" for r in ev.methods.values()])
    names = np.array(list(ev.methods), dtype=object)
    want = reference_lowest_known(co2e, totals, np.ones(co2e.shape, bool), order_first, names)
    assert ev.lowest_impact_co2e.tolist() == want[0].tolist()
    assert np.array_equal(ev.lowest_impact_co2e_tied, want[1])
    # lowest_impact_co2e_index: the position of that name, -1 where it is None
    want_index = [-1 if w is None else list(ev.methods).index(w) for w in want[0].tolist()]
    assert ev.lowest_impact_co2e_index.tolist() == want_index
    gone = replace(p, material_kgco2e_per_kg=None)       # no method's kg CO2e known
    assert evaluate(gone).lowest_impact_co2e.tolist() == [None] * size
    assert evaluate(gone).lowest_impact_co2e_index.tolist() == [-1] * size


@pytest.mark.parametrize("target", [None, 0.9])
def test_saving_and_runner_up_are_the_matrix_formulation(target):
    base = bind(load_scenario())
    size = 500
    extra = {} if target is None else {"model.service_target": target}
    ev = evaluate(with_inputs(base, catalogue(5, size, **extra)))
    totals = np.vstack([r.total_cost for r in ev.methods.values()])
    impacts = np.vstack([r.impact_mpts for r in ev.methods.values()])
    at = np.arange(size)
    first = ev.cheapest_index
    meets = [np.ones(size, bool) if r.meets_service_target is None else r.meets_service_target
             for r in ev.methods.values()]
    eligible = np.vstack(meets)
    eligible[first, at] = False
    others = np.ones_like(eligible)
    others[first, at] = False
    eligible = np.where(eligible.any(axis=0), eligible, others)
    order_first = np.array([r.kind == "order" for r in ev.methods.values()])
    runner, _ = reference_pick(totals, impacts, eligible, order_first)
    names = np.array(list(ev.methods), dtype=object)
    assert ev.runner_up.tolist() == names[runner].tolist()
    want = totals[runner, at] - totals[first, at]
    assert np.array_equal(ev.saving, want) and np.array_equal(np.signbit(ev.saving), np.signbit(want))
    if target is not None:
        assert (~eligible.all(axis=0)).any()          # the target excluded some methods


def test_cached_totals_are_the_signed_sums_and_read_only():
    ev = evaluate(with_inputs(bind(load_scenario()), catalogue(8, 50)))
    for r in ev.methods.values():
        for total, breakdown in ((r.total_cost, r.cost), (r.impact_mpts, r.impact), (r.impact_kgco2e, r.impact_co2e)):
            assert total is not None and not total.flags.writeable
            want = 0.0
            for c in breakdown.components():
                want = want + getattr(breakdown, c) if c.sign > 0 else want - getattr(breakdown, c)
            assert np.array_equal(total, want, equal_nan=True)
        assert r.total_cost is r.total_cost                 # computed once
    assert TIE_REL == 1e-9


def test_advice_with_a_service_target_is_each_skus_own():
    """Order-quantity advice under a service target for SKUs whose searches end at different
    Q (the candidates are judged against the live SKUs' own targets): each SKU's advice as
    when it is evaluated alone. (Before, this combination stopped with a shape error.)"""
    base = with_inputs(bind(load_scenario()), {"model.service_target": 0.9})
    rate = np.array([0.2, 2.0, 0.05, 1.0, 0.5, 3.0])
    moq = np.array([10.0, 50.0, 5.0, 20.0, 1.0, 100.0])
    ev = evaluate(with_inputs(base, {"demand.rate_per_year": rate, "methods.regular.moq": moq}))
    adv = ev.methods["regular"].advice
    for i in range(rate.size):
        one = evaluate(with_inputs(base, {"demand.rate_per_year": rate[i:i + 1], "methods.regular.moq": moq[i:i + 1]}))
        if moq[i] == 1:
            assert one.methods["regular"].advice is None
            continue
        a = one.methods["regular"].advice
        for f in ("Q", "s", "total_cost", "saving"):
            assert np.array_equal(getattr(adv, f)[i:i + 1], getattr(a, f), equal_nan=True), (i, f)


def stepped_accepted_quantity(n, c):
    """Eq. 31 by plain stepping (the previous implementation of ``accepted_quantity``): from
    the Cornish-Fisher start without continuity correction, both CDFs every step."""
    from scipy import special

    from amspares.core.poisson import _pdtrik_start, poisson_cdf
    n, c = (np.asarray(x, dtype=float).reshape(-1) for x in np.broadcast_arrays(n, c))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = special.ndtri(c)
        k = np.maximum(np.ceil(n + z * np.sqrt(n) + (z * z - 1.0) / 6.0), 0.0)
    bad = ~np.isfinite(k)
    k[bad] = _pdtrik_start(n[bad], c[bad])
    todo = np.arange(n.size)
    for steps in range(72):
        if steps == 8:
            k[todo] = _pdtrik_start(n[todo], c[todo])
        kk, nn, cc = k[todo], n[todo], c[todo]
        too_high = (kk > 0) & (np.asarray(poisson_cdf(kk - 1, nn)) >= cc)
        too_low = np.asarray(poisson_cdf(kk, nn)) < cc
        move = too_high | too_low
        if not move.any():
            break
        k[todo] = np.where(too_high, kk - 1, np.where(too_low, kk + 1, kk))
        todo = todo[move]
    return k.astype(np.int64)


@pytest.mark.parametrize("confidence", [1e-9, 0.1, 0.5, 0.9, 0.999, 0.999999, 1 - 1e-12])
def test_accepted_quantity_from_the_corrected_start_is_the_stepped_one(confidence):
    """The continuity-corrected start and the reused CDFs change the path, not the answer
    (the smallest k with P(X <= k) >= confidence is one number): the plain stepping's k for
    demands from none to 3e9, catalogue-like and log-uniform."""
    from amspares.core.poisson import accepted_quantity
    rng = np.random.default_rng(31)
    n = np.concatenate([[0.0, 1e-300, 1e-12, 1e-6, 0.01, 0.5, 1.0, 2.5, 60.0, 1e3, 1e5, 1e7, 3e9],
                        np.round(rng.gamma(0.6, 2.0, 4000), 3) * 30, rng.uniform(0, 5, 2000),
                        10 ** rng.uniform(-8, 8, 2000)])
    assert np.array_equal(accepted_quantity(n, confidence), stepped_accepted_quantity(n, confidence))
    mixed = rng.choice([0.5, 0.9, 0.999], n.size)      # a confidence per SKU
    assert np.array_equal(accepted_quantity(n, mixed), stepped_accepted_quantity(n, mixed))


def test_the_index_fields_name_the_chosen_methods():
    # cheapest_index / lowest_impact_index are the positions of the chosen names (the
    # portfolio takes them instead of looking the names up)
    ev = evaluate(with_inputs(bind(load_scenario()), catalogue(11, 3000)))
    names = np.array(list(ev.methods), dtype=object)
    assert (names[ev.cheapest_index] == ev.cheapest).all()
    assert (names[ev.lowest_impact_index] == ev.lowest_impact).all()
    assert (names[ev.lowest_impact_co2e_index] == ev.lowest_impact_co2e).all()
    assert len(set(ev.lowest_impact_co2e.tolist())) >= 2
    assert len(set(ev.lowest_impact.tolist())) >= 2           # the check can tell positions apart
