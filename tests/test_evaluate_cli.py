"""``amspares evaluate``: the CLI path for good and bad scenarios, and (s,Q) results
through the one evaluation path, checked against numbers worked out by hand from the
formulas of docs/model.md section 3.2, the derivation in each comment."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib import resources

import pytest

from amspares import cli
from amspares.model import evaluate
from amspares.scenario import load_scenario

CASE_TEXT = resources.files("amspares.data").joinpath("case_study.toml").read_text(encoding="utf-8")


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_error(code, out, err, *needles):
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("amspares evaluate: error: ")
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0]


def test_bad_value_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(CASE_TEXT.replace("rate_per_year = 2.0", "rate_per_year = -2.0"), encoding="utf-8")
    code, out, err = run_cli(capsys, "evaluate", str(bad))
    assert_one_line_error(code, out, err, "demand.rate_per_year = -2.0: must be >= 0")


def test_unknown_key_exits_2_with_suggestion(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(CASE_TEXT.replace("price = 15.0", "prise = 15.0"), encoding="utf-8")
    code, out, err = run_cli(capsys, "evaluate", str(bad), "--json")
    assert_one_line_error(code, out, err,
                          "methods.regular.prise = 15.0: unknown key; did you mean methods.regular.price?")


def test_corrupt_and_missing_files(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[demand\n", encoding="utf-8")
    assert_one_line_error(*run_cli(capsys, "evaluate", str(bad)), "is not valid TOML")
    missing = tmp_path / "missing.toml"
    assert_one_line_error(*run_cli(capsys, "evaluate", str(missing)), "does not exist")


def test_bad_scenario_as_a_real_process(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(CASE_TEXT.replace("moq = 1", "moq = 0"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "amspares.cli", "evaluate", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == "amspares evaluate: error: methods.regular.moq = 0: must be >= 1"


def test_readable_table(capsys):
    code, out, err = run_cli(capsys, "evaluate")
    assert code == 0 and err == ""
    assert "S = 5" in out and "1,735.71" in out and "10,800.00" in out   # docs/model.md section 8
    assert "Cheapest: regular" in out and "Greenest: regular" in out


def scenario_with(tmp_path, **changes):
    sc = load_scenario().with_values(changes)
    path = tmp_path / "s.toml"
    data = sc.to_mapping()
    path.write_text(_to_toml(data), encoding="utf-8")
    assert tomllib.loads(path.read_text(encoding="utf-8"))
    return path


def _to_toml(data, prefix=""):
    """Tiny TOML writer for the scenario mapping (tables, numbers, strings, arrays of tables)."""
    simple, tables = [], []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            simple.append(f"{k} = {_value(v)}")
    out = "\n".join(simple) + "\n"
    for k, v in tables:
        name = f"{prefix}{k}"
        if any(isinstance(x, dict) for x in v.values()) and all(isinstance(x, dict) for x in v.values()):
            out += _to_toml(v, prefix=name + ".")
        else:
            out += f"\n[{name}]\n" + _to_toml(v, prefix=name + ".")
    return out


def _value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join("{ " + ", ".join(f"{a} = {_value(b)}" for a, b in x.items()) + " }"
                               if isinstance(x, dict) else _value(x) for x in v) + "]"
    return repr(v)


def test_json_for_an_sq_method(tmp_path, capsys):
    path = scenario_with(tmp_path, **{"methods.regular.moq": 61})
    code, out, err = run_cli(capsys, "evaluate", str(path), "--json")
    assert code == 0
    reg = json.loads(out)["methods"]["regular"]
    # moq = 61 > n = 60: one order (docs/model.md section 3.2, Eq. 27-30). shipped = min(61, accepted_q 85)
    # = 61, billed = 61: CP = 61 * 15 = 915; E[OH] = 61 - 60/2 = 31 -> CH = 31 * 0.45 * 30
    # = 418.5; E[BO] = 0 -> CD = 0; CTr = 61 * 15 * 0.08 + 60 * 10 = 673.2; CR = 0.
    assert reg["s"] is None and reg["Q"] == 61
    assert reg["cost"]["production"] == pytest.approx(915.0, rel=1e-15)
    assert reg["cost"]["holding"] == pytest.approx(418.5, rel=1e-14)
    assert reg["cost"]["downtime"] == 0.0 and reg["cost"]["scrapping"] == 0.0
    assert reg["cost"]["transport"] == pytest.approx(673.2, rel=1e-14)
    assert reg["total_cost"] == pytest.approx(915 + 418.5 + 673.2, rel=1e-14)


def test_sq_with_moq_2_is_cheaper_than_base_stock_as_specified():
    # An observed consequence of the model (docs/model.md section 3.2): 3.2 charges holding on the
    # average on-hand stock and no scrapping, 3.1 charges reserved space h S T and
    # scrapping cp S. With moq = 2 (30 orders of 2): CP = 60 * 15 = 900, CR = 0,
    # CTr = 60 * 15 * 0.08 + 600 = 672, versus base stock S* = 5: CR = 75, CTr = 678.
    base = evaluate(load_scenario())["methods"]["regular"]
    sq = evaluate(load_scenario().with_values({"methods.regular.moq": 2}))["methods"]["regular"]
    assert sq["Q"] == 2 and sq["s"] is not None and sq["S"] is None
    assert sq["cost"]["production"] == 900.0 and sq["cost"]["scrapping"] == 0.0
    assert sq["cost"]["transport"] == pytest.approx(672.0, rel=1e-15)
    assert base["cost"]["scrapping"] == 75.0
    assert base["cost"]["transport"] == pytest.approx(678.0, rel=1e-15)
    assert sq["total_cost"] < base["total_cost"]


def test_order_quantity_advice_thesis_512():
    # Thesis 5.1.2 / docs/model.md section 3.2: with moq 40 and n = 60 one order above n beats two orders
    # of 40 (80 billed). The cheapest Q >= 40 is 61, the first Q in the one-order regime
    # (Q > n); its total is the hand computation of test_json_for_an_sq_method: 2006.7.
    r = evaluate(load_scenario().with_values({"methods.regular.moq": 40}))["methods"]["regular"]
    adv = r["order_quantity_advice"]
    assert adv["Q"] == 61 and adv["s"] is None
    assert adv["total_cost"] == pytest.approx(915 + 418.5 + 673.2, rel=1e-14)
    assert adv["saving"] == pytest.approx(r["total_cost"] - adv["total_cost"], rel=1e-12)
    assert r["cost"]["production"] == 80 * 15.0      # ceil(60/40) = 2 orders of 40 billed
