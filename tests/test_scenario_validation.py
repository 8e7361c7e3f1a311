"""Every validation error of the scenario loader (docs/model.md section 2): the exact one-line
message ``key = value: rule`` naming the input, its value and the rule.

The expected messages are written from the rules of docs/model.md section 2 ("rates, prices, costs, days,
km, weights >= 0; service_years > 0; shares in [0, 1]; efficiencies in (0, 1]; moq an
integer >= 1; confidence in (0, 1)"; unknown keys name the nearest valid one).
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from amspares.errors import AmsparesError, ScenarioError
from amspares.scenario import load_scenario, parse_scenario

CASE = tomllib.loads(resources.files("amspares.data").joinpath("case_study.toml")
                     .read_text(encoding="utf-8"))


def case(**edits):
    """A deep copy of the case study with dotted-key edits (value DELETE removes the key)."""
    data = copy.deepcopy(CASE)
    for dotted, value in edits.items():
        *path, last = dotted.split("__")
        node = data
        for p in path:
            node = node.setdefault(p, {})
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return data


DELETE = object()
TRANSPORT_MODES = "van, truck_16t, truck_28t, truck_40t, ship, plane, plane_rf"
PROCESSES = ("aluminium_extrusion, metal_pressing, injection_moulding_pe_pp_ps_abs, "
             "injection_moulding_pvc_pc, pressure_forming, vacuum_forming")

CASES = [
    # ---- unknown keys, with the suggestion
    (dict(demnd={"rate_per_year": 2.0}),
     "demnd = {'rate_per_year': 2.0}: unknown key; did you mean demand?"),
    (dict(demand__rate=2.0), "demand.rate = 2.0: unknown key; did you mean demand.rate_per_year?"),
    (dict(methods__regular__prise=15.0),
     "methods.regular.prise = 15.0: unknown key; did you mean methods.regular.price?"),
    (dict(storage__holding=0.45),
     "storage.holding = 0.45: unknown key; did you mean storage.holding_per_part_year?"),
    (dict(methods__regular__transport_to_factory=[{"mode": "truck_28t", "kms": 5}]),
     "methods.regular.transport_to_factory[1].kms = 5: unknown key; did you mean km?"),
    # ---- wrong types
    (dict(demand__rate_per_year="two"), "demand.rate_per_year = 'two': must be a number"),
    (dict(methods__regular__moq=True), "methods.regular.moq = True: must be a number"),
    (dict(methods__regular__moq=2.5), "methods.regular.moq = 2.5: must be a whole number"),
    (dict(demand__rate_per_year=float("inf")), "demand.rate_per_year = inf: must be a finite number"),
    (dict(name=5), "name = 5: must be text"),
    (dict(demand=5), "demand = 5: must be a table ([demand])"),
    (dict(methods__regular__transport_to_customer="van"),
     'methods.regular.transport_to_customer = \'van\': must be a list of legs like '
     '[{ mode = "truck_28t", km = 5000 }]'),
    (dict(part__material_mpts_per_kg="PA"), "part.material_mpts_per_kg = 'PA': must be a number"),
    # ---- each range rule
    (dict(demand__rate_per_year=-1), "demand.rate_per_year = -1: must be >= 0"),
    (dict(methods__regular__price=-0.5), "methods.regular.price = -0.5: must be >= 0"),
    (dict(downtime__emergency_per_day=-100), "downtime.emergency_per_day = -100: must be >= 0"),
    (dict(methods__am_mto__production_days=-1), "methods.am_mto.production_days = -1: must be >= 0"),
    (dict(part__weight_kg=-0.25), "part.weight_kg = -0.25: must be >= 0"),
    (dict(methods__regular__transport_to_factory=[{"mode": "truck_28t", "km": -5}]),
     "methods.regular.transport_to_factory[1].km = -5: must be >= 0"),
    (dict(demand__service_years=0), "demand.service_years = 0: must be > 0"),
    (dict(methods__regular__inbound_transport_share=1.5),
     "methods.regular.inbound_transport_share = 1.5: must be between 0 and 1"),
    (dict(methods__regular__material_efficiency=0),
     "methods.regular.material_efficiency = 0: must be > 0 and <= 1"),
    (dict(methods__regular__material_efficiency=1.2),
     "methods.regular.material_efficiency = 1.2: must be > 0 and <= 1"),
    (dict(methods__regular__moq=0), "methods.regular.moq = 0: must be >= 1"),
    (dict(model__accepted_q_confidence=1),
     "model.accepted_q_confidence = 1: must be >= 0.5 and < 1"),
    (dict(model__accepted_q_confidence=0.0),
     "model.accepted_q_confidence = 0.0: must be >= 0.5 and < 1"),
    (dict(model__accepted_q_confidence=0.4),        # v2: below 0.5 accepted_q could be < n - 1
     "model.accepted_q_confidence = 0.4: must be >= 0.5 and < 1"),
    # ---- choices
    (dict(model__waiting_time="erlang"),
     "model.waiting_time = 'erlang': must be one of erlang_c, exact; did you mean erlang_c?"),
    (dict(model__production_rule="max"),
     "model.production_rule = 'max': must be one of demand, max_demand_stock"),
    (dict(methods__regular__kind="stocks"),
     "methods.regular.kind = 'stocks': must be one of stock, order; did you mean stock?"),
    # ---- table names
    (dict(methods__regular__transport_to_factory=[{"mode": "lorry", "km": 5}]),
     f"methods.regular.transport_to_factory[1].mode = 'lorry': unknown transport_modes name "
     f"(known: {TRANSPORT_MODES})"),
    (dict(methods__regular__process_mpts_per_kg=DELETE, methods__regular__process="injection"),
     f"methods.regular.process = 'injection': unknown processes name (known: {PROCESSES}); "
     "did you mean injection_moulding_pvc_pc?"),
    (dict(methods__regular__process="injection_moulding_pvc_pc"),
     "methods.regular.process = 'injection_moulding_pvc_pc': give either process or "
     "process_mpts_per_kg, not both"),
    (dict(part__material_mpts_per_kg=DELETE, part__material=3),
     "part.material = 3: must be a name from the materials table"),
    # ---- missing required keys
    (dict(demand__rate_per_year=DELETE), "demand.rate_per_year = None: is required"),
    (dict(demand__service_years=DELETE), "demand.service_years = None: is required"),
    (dict(methods__regular__price=DELETE), "methods.regular.price = None: is required"),
    (dict(methods__regular__production_days=DELETE),
     "methods.regular.production_days = None: is required"),
    (dict(methods__regular__kind=DELETE),
     "methods.regular.kind = None: is required (\"stock\" or \"order\")"),
    (dict(methods__regular__transport_to_factory=[{"mode": "truck_28t"}]),
     "methods.regular.transport_to_factory[1].km = None: is required"),
    (dict(part__weight_kg=DELETE), "part.weight_kg = None: is required when [part] is given"),
    (dict(part__material_mpts_per_kg=DELETE),
     "part.material_mpts_per_kg = None: give exactly one of material_mpts_per_kg or material"),
    (dict(methods={}), "methods = {}: at least one method is required ([methods.<name>])"),
    # ---- holding cost: both forms, neither form, half of the volume form
    (dict(storage__volume_cost_per_m3=180.0, storage__package_m3=0.002),
     "storage.volume_cost_per_m3 = 180.0: give either holding_per_part_year or "
     "volume_cost_per_m3 with package_m3, not both"),
    (dict(storage__package_m3=0.002),
     "storage.package_m3 = 0.002: give either holding_per_part_year or "
     "volume_cost_per_m3 with package_m3, not both"),
    (dict(storage={}),
     "storage.holding_per_part_year = None: is required (or volume_cost_per_m3 with package_m3, "
     "or holding_rate_per_year)"),
    (dict(storage={"package_m3": 0.002}),
     "storage.volume_cost_per_m3 = None: is required with the other volume key"),
    # ---- stock-only keys on an order method
    *[(dict(**{f"methods__am_mto__{k}": v}),
       f"methods.am_mto.{k} = {v!r}: means nothing for a make-to-order method (kind = \"order\")")
      for k, v in (("inbound_transport_share", 0.08), ("moq", 1),
                   ("transport_to_warehouse", []), ("holding_per_part_year", 1.0),
                   ("holding_rate_per_year", 0.2))],
]


@pytest.mark.parametrize("edits,message", CASES, ids=[m.split(":")[0] for _, m in CASES])
def test_validation_message(edits, message):
    with pytest.raises(ScenarioError) as err:
        parse_scenario(case(**edits))
    assert str(err.value) == message
    assert "\n" not in str(err.value)
    assert isinstance(err.value, AmsparesError)


def test_volume_form_is_accepted_and_multiplied():
    # docs/model.md section 2: h_item = h_vol * package_m3 (thesis: 180 EUR/m3 x 0.002 m3 = 0.36)
    sc = parse_scenario(case(storage={"volume_cost_per_m3": 180.0, "package_m3": 0.002}))
    assert sc.inputs()["storage.holding_per_part_year"] == pytest.approx(0.36, rel=1e-15)


def test_with_values_validates_like_a_file():
    with pytest.raises(ScenarioError) as err:
        load_scenario().with_values({"methods.regular.moq": -3})
    assert str(err.value) == "methods.regular.moq = -3: must be >= 1"


def test_corrupt_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[demand\nrate_per_year = 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    msg = str(err.value)
    assert msg.startswith(f"scenario file = {str(bad)!r}: is not valid TOML: ")
    assert "\n" not in msg


def test_not_utf8(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"name = \"\xff\xfe\"\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    assert str(err.value) == f"scenario file = {str(bad)!r}: is not UTF-8 text (is it a TOML file?)"


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError) as err:
        load_scenario(missing)
    assert str(err.value) == f"scenario file = {str(missing)!r}: does not exist"


def test_valid_case_study_round_trips():
    sc = parse_scenario(copy.deepcopy(CASE))
    again = parse_scenario(sc.to_mapping())
    assert dict(again.values) == dict(sc.values)
    assert dict(again.inputs()) == dict(sc.inputs())


# Magnitude limits: values past them are typos that would overflow the model (moq = 1e30
# wraps around in int64; rate 1e308 makes n infinite). The limits are scenario.py's rules.
@pytest.mark.parametrize("key,value,message", [
    ("methods.regular.moq", 10**30, "methods.regular.moq = 1000000000000000000000000000000: must be <= 1e+09 (a typo?)"),
    ("demand.rate_per_year", 1e308, "demand.rate_per_year = 1e+308: must be <= 1e+06 (a typo?)"),
    ("demand.service_years", 5000, "demand.service_years = 5000: must be <= 1000 (a typo?)"),
    ("methods.regular.price", 2e12, "methods.regular.price = 2000000000000.0: must be <= 1e+12 (a typo?)"),
])
def test_absurd_magnitudes_are_rejected_with_the_limit(key, value, message):
    from amspares.errors import ScenarioError
    from amspares.scenario import load_scenario
    with pytest.raises(ScenarioError) as err:
        load_scenario().with_values({key: value})
    assert str(err.value) == message


@pytest.mark.parametrize("text", ["1\x1f", "\x0b2", "3\x85", "\x00"])
def test_control_characters_are_refused_from_every_source(text):
    """A value pasted with an invisible control character is refused, naming its code, by a
    scenario file, a workbook's Inputs sheet (read back through the same rules) and a
    portfolio cell alike; ordinary white space around a number is fine everywhere."""
    import openpyxl

    from amspares import portfolio
    from amspares.errors import ScenarioError as Err
    from amspares.workbook import fill

    code = next(f"U+{ord(c):04X}" for c in text if c not in "0123456789")
    words = f"must be a number without control characters (found {code})"
    base = load_scenario()
    with pytest.raises(Err) as exc:
        base.with_values({"demand.rate_per_year": text})
    assert (exc.value.key, exc.value.value, exc.value.rule) == ("demand.rate_per_year", text, words)

    class Pasted(fill.OpenpyxlBackend):       # Excel can hold what openpyxl refuses to write
        def read(self, name):
            value = super().read(name)
            if name == "inputs_table":
                value = [[r[0], text, *r[2:]] if r and r[0] == "demand.rate_per_year" else r
                         for r in value]
            return value

    template = Path(__file__).resolve().parents[1] / "templates" / "scenario.xlsx"
    with pytest.raises(Err) as exc:
        fill.read_scenario(Pasted(openpyxl.load_workbook(template)))
    assert (exc.value.key, exc.value.rule) == ("demand.rate_per_year", words)

    col = next(c for c in portfolio.plan_columns(["sku", "demand.rate_per_year"], base)
               if c.name == "demand.rate_per_year")
    _values, _given, problems = portfolio.check_numbers(col, [text, " 2\t"])
    assert problems == {0: words}
    assert base.with_values({"demand.rate_per_year": " 2\t"})["demand.rate_per_year"] == 2.0
