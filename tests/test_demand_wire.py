"""Demand history in scenario files, ``amspares evaluate`` and ``amspares demand``.

Expected numbers: rates are counts over years (hand arithmetic on the example files,
written in each test); interval ends are scipy.stats.chi2 quantiles; the batch command's
rows are compared with the one-SKU path.
"""

import csv
import json
import math
from pathlib import Path

import pytest
from scipy import stats

from amspares import cli, robustness as rb
from amspares.errors import ScenarioError
from amspares.scenario import load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def base(**demand):
    d = {"service_years": 10.0}
    d.update(demand)
    return {"name": "t", "demand": d, "storage": {"holding_per_part_year": 1.0},
            "methods": {"stock": {"kind": "stock", "price": 15.0, "production_days": 80.0},
                        "print": {"kind": "order", "price": 150.0}}}


# --------------------------------------------------------------------------- scenario keys


def test_history_in_place_of_the_rate():
    sc = parse_scenario(base(history=[0, 1, 0, 0, 2, 0] * 4, periods_per_year=12))
    assert sc["demand.rate_per_year"] == 12 / 2            # 12 parts in 24 months
    assert sc.inputs()["demand.rate_per_year"] == 6.0
    assert sc.history.level == 0.90 and sc.history.periods_per_year == 12.0
    assert "rate_per_year" not in sc.to_mapping()["demand"]          # estimated, not given
    again = parse_scenario(sc.to_mapping())
    assert again["demand.rate_per_year"] == 6.0


def test_period_instead_of_periods_per_year():
    sc = parse_scenario(base(history=[1, 0, 0, 0] * 5, period="quarter"))
    assert sc["demand.rate_per_year"] == 5 / 5 and sc.history.periods_per_year == 4.0


def test_a_given_rate_replaces_the_history_and_back():
    sc = parse_scenario(base(history=[0, 1] * 12, periods_per_year=12))
    plain = sc.with_values({"demand.rate_per_year": 3.0})
    assert plain.history is None and plain["demand.rate_per_year"] == 3.0
    assert "demand.periods_per_year" not in plain.values
    back = plain.with_values({"demand.history": [2] * 12, "demand.periods_per_year": 12})
    assert back.history is not None and back["demand.rate_per_year"] == 24.0


@pytest.mark.parametrize("demand,message", [
    ({"history": [0, 1], "periods_per_year": 12, "rate_per_year": 2.0},
     "demand.rate_per_year = 2.0: give either rate_per_year or history, not both (the rate is "
     "estimated from the history)"),
    ({"history": [0, 1]}, "demand.periods_per_year = None: is required with demand.history (12 for "
                          "months, 52 for weeks, 4 for quarters; or period = \"month\")"),
    ({"history": [0, 1.5], "periods_per_year": 12},
     "demand.history[2] = 1.5: must be a whole number >= 0 (the parts demanded in that period)"),
    ({"history": [0, True], "periods_per_year": 12},
     "demand.history[2] = True: must be a whole number >= 0 (the parts demanded in that period)"),
    ({"history": [], "periods_per_year": 12},
     "demand.history = []: must be a list of demand quantities per period, oldest first, like [0, 1, 0, 0, 2]"),
    ({"history": "0,1", "periods_per_year": 12},
     "demand.history = '0,1': must be a list of demand quantities per period, oldest first, like [0, 1, 0, 0, 2]"),
    ({"history": [0, 1], "periods_per_year": 0}, "demand.periods_per_year = 0: must be > 0"),
    ({"history": [0, 1], "periods_per_year": 12, "period": "month"},
     "demand.period = 'month': give either period or periods_per_year, not both"),
    ({"history": [0, 1], "period": "year"}, "demand.period = 'year': must be one of month, quarter, week"),
    ({"history": [0, 1], "periods_per_year": 12, "confidence_level": 1.0},
     "demand.confidence_level = 1.0: must be strictly between 0 and 1"),
    ({"rate_per_year": 2.0, "confidence_level": 0.8},
     "demand.confidence_level = 0.8: means nothing without demand.history or demand.history_file"),
    ({"history": [0, 1], "periods_per_year": 12, "sku": "A"},
     "demand.sku = 'A': is used only with demand.history_file"),
    ({"history": [0, 1], "history_file": "h.csv", "periods_per_year": 12},
     "demand.history_file = 'h.csv': give either demand.history or demand.history_file, not both"),
    ({"history_file": 3}, "demand.history_file = 3: must be text (in quotes)"),
    ({"history": [0, 1], "periods": 12}, "demand.periods = 12: unknown key; did you mean demand.period?"),
])
def test_history_keys_are_validated(demand, message):
    with pytest.raises(ScenarioError) as err:
        parse_scenario(base(**demand))
    assert str(err.value) == message


def test_the_confidence_level_must_lie_strictly_between_0_and_1():
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(ScenarioError):
            parse_scenario(base(history=[0, 1], periods_per_year=12, confidence_level=bad))


def test_history_file_wide_and_long(tmp_path):
    wide = EXAMPLES / "demand_history.csv"
    sc = parse_scenario(base(history_file=str(wide), sku="LATCH-DOOR-FRIDGE"))
    # LATCH-DOOR-FRIDGE: first 30 months empty (before it existed), then 7 parts in 30 months
    assert sc["demand.rate_per_year"] == pytest.approx(7 / 2.5, rel=1e-15)
    assert sc.history.source.endswith("sku LATCH-DOOR-FRIDGE") and sc.history.period == "month"
    long_ = EXAMPLES / "demand_transactions.csv"
    sc = parse_scenario(base(history_file=str(long_), sku="HINGE-DISHW-L", period="quarter"))
    assert sc["demand.rate_per_year"] == pytest.approx(74 / 5)       # 74 parts over 2021-2025
    # relative to the scenario file's folder
    (tmp_path / "h.csv").write_text("sku,history.2024-01,history.2024-02\nA,1,3\n")
    (tmp_path / "s.toml").write_text(
        'name = "t"\n[demand]\nhistory_file = "h.csv"\nservice_years = 5\n'
        '[storage]\nholding_per_part_year = 1\n[methods.a]\nkind = "order"\nprice = 1\n')
    sc = load_scenario(tmp_path / "s.toml")
    assert sc["demand.rate_per_year"] == 4 / (2 / 12)                # one SKU: no sku needed


def test_history_file_errors(tmp_path):
    wide = str(EXAMPLES / "demand_history.csv")
    with pytest.raises(ScenarioError, match=r"^demand.sku = None: is required: .* holds 8 SKUs"):
        parse_scenario(base(history_file=wide))
    with pytest.raises(ScenarioError, match=r"^demand.sku = 'LCD-COVER': is not in .*did you mean LCD-COVER-PA\?"):
        parse_scenario(base(history_file=wide, sku="LCD-COVER"))
    with pytest.raises(ScenarioError, match="the file does not exist"):
        parse_scenario(base(history_file=str(tmp_path / "none.csv"), sku="A"))
    with pytest.raises(ScenarioError, match="is required with a transactions file"):
        parse_scenario(base(history_file=str(EXAMPLES / "demand_transactions.csv"), sku="A"))
    with pytest.raises(ScenarioError, match="the history columns are months"):
        parse_scenario(base(history_file=wide, sku="LCD-COVER-PA", periods_per_year=4))


# --------------------------------------------------------------------------- evaluate


def test_evaluate_json_has_the_demand_object(capsys):
    assert cli.main(["evaluate", str(EXAMPLES / "demand_from_history.toml"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["demand"]
    # LCD-COVER-PA: 8 parts in 60 months
    assert d["rate_per_year"] == 1.6 and d["total"] == 8 and d["periods"] == 60
    assert d["lower"] == pytest.approx(stats.chi2.ppf(0.05, 16) / 10, rel=1e-10)
    assert d["upper"] == pytest.approx(stats.chi2.ppf(0.95, 18) / 10, rel=1e-10)
    assert d["class"]["label"] == "intermittent"
    assert d["decision"]["at_estimate"] == "am_mto" and d["decision"]["robust"] is True
    assert d["notes"][0].startswith("am_mto at 1.6/yr; regular would win above ")


def test_evaluate_table_shows_the_estimate(capsys):
    assert cli.main(["evaluate", str(EXAMPLES / "demand_from_history.toml")]) == 0
    out = capsys.readouterr().out
    assert "demand from history (demand_history.csv, sku LCD-COVER-PA): 8 parts in 60 periods" in out
    assert "90 % interval" in out and "robustness: robust" in out and "Cheapest: am_mto" in out


def test_evaluate_without_history_has_no_demand_object(capsys):
    assert cli.main(["evaluate", "--json"]) == 0
    assert "demand" not in json.loads(capsys.readouterr().out)


# --------------------------------------------------------------------------- amspares demand


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_demand_command_writes_every_sku(tmp_path, capsys):
    out = tmp_path / "d.csv"
    assert cli.main(["demand", str(EXAMPLES / "demand_history.csv"), "--base",
                     str(EXAMPLES / "lost_mould.toml"), "-o", str(out)]) == 0
    rows = {r["sku"]: r for r in read_csv(out)}
    assert len(rows) == 8
    r = rows["SPOOL-HOLDER-OLD"]                       # 28 parts in 60 months, none in the last 12
    assert float(r["rate_per_year"]) == 28 / 5
    assert float(r["upper"]) == pytest.approx(stats.chi2.ppf(0.95, 58) / 10, rel=1e-10)
    assert r["phase_out"] == "yes" and "phasing out" in r["notes"]
    assert float(r["phase_out_p_value"]) == pytest.approx((48 / 60) ** 28, rel=1e-10)   # binom.cdf(0, 28, 12/60)
    h = rows["HINGE-DISHW-L"]
    assert h["class"] == "lumpy" and h["overdispersed"] == "yes" and "batches" in h["notes"]
    assert rows["LATCH-DOOR-FRIDGE"]["robustness"] == "flips inside the interval"
    assert rows["LCD-COVER-PA"]["decision"] == "am_mto" and rows["LCD-COVER-PA"]["robustness"] == "robust"
    assert rows["BEZEL-TV55"]["class"] == "no demand" and rows["BEZEL-TV55"]["lower"] == "0.0"
    flip = float(rows["LCD-COVER-PA"]["flip_above"])
    sc = load_scenario(EXAMPLES / "lost_mould.toml")
    from amspares.model import evaluate
    assert evaluate(sc.with_values({"demand.rate_per_year": flip * (1 - 1e-6)}))["cheapest"] == "am_mto"
    assert evaluate(sc.with_values({"demand.rate_per_year": flip * (1 + 1e-6)}))["cheapest"] == "regular"
    assert "8 SKUs" in capsys.readouterr().out
    # an existing output needs --force
    assert cli.main(["demand", str(EXAMPLES / "demand_history.csv"), "-o", str(out)]) == 2
    assert cli.main(["demand", str(EXAMPLES / "demand_history.csv"), "-o", str(out), "--force"]) == 0
    assert "decision" not in read_csv(out)[0]


def test_demand_command_reads_transactions(capsys):
    assert cli.main(["demand", str(EXAMPLES / "demand_transactions.csv"), "--period", "quarter",
                     "--level", "0.8"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["sku", "rate/yr", "80", "%"]
    line = next(x for x in out.splitlines() if x.startswith("CLIP-CABLE-SET "))
    assert line.split()[1] == "44"                      # 220 parts over 2021-2025


@pytest.mark.parametrize("argv,message", [
    (["--level", "1.5"], "--level = 1.5: must be between 0 and 1"),
    (["--periods-per-year", "7"], "--periods-per-year = 7.0: a transactions file is summed into"),
])
def test_demand_command_errors(argv, message, capsys):
    assert cli.main(["demand", str(EXAMPLES / "demand_transactions.csv")] + argv) == 2
    assert message in capsys.readouterr().err


def test_demand_command_missing_file(tmp_path, capsys):
    assert cli.main(["demand", str(tmp_path / "nope.csv")]) == 2
    assert "the file does not exist" in capsys.readouterr().err


def test_demand_rows_match_the_single_sku_path(tmp_path):
    out = tmp_path / "d.csv"
    assert cli.main(["demand", str(EXAMPLES / "demand_history.csv"), "--base",
                     str(EXAMPLES / "minimum_order.toml"), "-o", str(out)]) == 0
    from amspares.binding import bind
    from amspares.history import read_wide_history
    h = read_wide_history(EXAMPLES / "demand_history.csv")
    params = bind(load_scenario(EXAMPLES / "minimum_order.toml"))
    for i, r in enumerate(read_csv(out)):
        one = rb.demand_dict(rb.assess_demand(h.quantities[i], 12, params=params))
        assert r["sku"] == h.skus[i]
        assert r["robustness"] == one["decision"]["label"]
        assert r["decision"] == one["decision"]["at_estimate"]
        fa = one["decision"]["flip_above"]
        assert (r["flip_above"] == "") == (fa is None)
        if fa is not None:
            assert float(r["flip_above"]) == pytest.approx(fa, rel=1e-9)
        assert not math.isnan(float(r["rate_per_year"]))


# --------------------------------------------------------------------------- docs/demand.md


def test_the_worked_examples_in_docs_are_the_real_output(capsys):
    docs = (EXAMPLES.parent / "docs" / "demand.md").read_text(encoding="utf-8")
    blocks = docs.split("```")[1::2]
    assert cli.main(["evaluate", str(EXAMPLES / "demand_from_history.toml")]) == 0
    evaluated = capsys.readouterr().out
    assert cli.main(["demand", str(EXAMPLES / "demand_history.csv"), "--base",
                     str(EXAMPLES / "lost_mould.toml")]) == 0
    table = capsys.readouterr().out
    shown = [b for b in blocks if b.startswith(("\nLost mould", "\nsku ", "\nLATCH"))]
    assert len(shown) == 3
    for block in shown:
        for line in block.strip("\n").splitlines():
            assert line in evaluated.splitlines() or line in table.splitlines(), line
