"""Catalogues as planners have them: column maps, files as they come, the price to negotiate.

Where expected numbers come from:

* per-row results: ``amspares.model.evaluate(base.with_values(row))`` -- what
  ``amspares evaluate --json`` prints -- on a scenario built one row at a time by
  :mod:`amspares.scenario` (the scalar path, with its own factor-table look-ups), compared
  at 1e-9 relative;
* the ERP example: the same SKUs written by this test as a plain dotted-key catalogue from
  the generator's numbers (its own unit conversions: grams / 1000, price per 100 / 100);
* the price to win: re-evaluating the SKU with the order method's price set to it, both
  methods cost the same (1e-9), and :func:`amspares.core.made_to_order_breakeven_price`
  (the closed form) gives the same price;
* the moq to win: re-evaluating at moq and moq - 1 brackets the crossing (brute force);
* file quirks: each quirky file gives the same output rows as the plain file.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import zipfile
from pathlib import Path

import pytest

from amspares import core
from amspares.cli import main
from amspares.model import evaluate
from amspares.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BASE = load_scenario()


def _generator():
    spec = importlib.util.spec_from_file_location("make_erp_export", EXAMPLES / "make_erp_export.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, text: str | bytes) -> str:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def run(args, capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def num(t):
    return None if t in ("", None) else float(t)


def same_results(a: list[dict], b: list[dict], skip=()) -> None:
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        for k, va in ra.items():
            if k in skip:
                continue
            vb = rb[k]
            try:
                fa, fb = float(va), float(vb)
            except ValueError:
                assert va == vb, (ra["sku"], k)
            else:
                assert math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-9), (ra["sku"], k, va, vb)


PLAIN_HEADER = ["sku", "demand.rate_per_year", "methods.regular.price", "methods.regular.moq"]
PLAIN_ROWS = [["A", "2", "15", "1"], ["B", "0.5", "1234.5", "40"], ["C", "12.25", "3.5", "1"]]


@pytest.fixture
def plain(tmp_path, capsys):
    src = write(tmp_path / "plain.csv", "\n".join(",".join(r) for r in [PLAIN_HEADER] + PLAIN_ROWS) + "\n")
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "plain_out.csv")], capsys)
    assert code == 0, err
    return read_rows(tmp_path / "plain_out.csv")


# --------------------------------------------------------------------------- the ERP example


def test_erp_example_file_is_the_generators_output():
    assert (EXAMPLES / "erp_export.csv").read_bytes() == _generator().csv_text().encode("utf-8")


def test_erp_export_with_its_map_equals_the_dotted_key_catalogue(tmp_path, capsys):
    gen = _generator()
    base = tmp_path / "base.toml"
    assert run(["init", "--catalogue", str(base)], capsys)[0] == 0
    out = tmp_path / "erp.csv"
    code, stdout, err = run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--columns",
                             str(EXAMPLES / "erp_columns.toml"), "--scenario", str(base), "-o", str(out)], capsys)
    assert code == 0, err
    assert "200 SKUs evaluated, 0 failed" in stdout
    # the same SKUs as a dotted-key catalogue, converted here from the generator's cells
    def eu(t):                              # 1.234,50 -> 1234.5
        return float(t.replace(".", "").replace(",", "."))

    dotted = [["sku", "demand.rate_per_year", "methods.regular.price", "methods.regular.moq",
               "methods.regular.production_days", "part.weight_kg", "part.material"]]
    for r in gen.rows():
        dotted.append([r[0], repr(eu(r[2])), repr(eu(r[3]) / 100), r[4], r[5], repr(eu(r[6]) / 1000), r[7]])
    plain = tmp_path / "dotted.csv"
    with open(plain, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(dotted)
    # (the map's [fixed] shipping_days = 0 is the catalogue base's value too)
    code, _, err = run(["portfolio", str(plain), "--scenario", str(base), "-o", str(tmp_path / "d.csv")], capsys)
    assert code == 0, err
    got, want = read_rows(out), read_rows(tmp_path / "d.csv")
    assert [g["Description"] for g in got] == [r[1] for r in gen.rows()]      # carried through
    assert [g["Planner"] for g in got] == [r[8] for r in gen.rows()]
    same_results([{k: v for k, v in g.items() if k not in ("Description", "Planner")} for g in got], want)
    # a sample of SKUs against amspares evaluate on each SKU's own scenario
    sc = load_scenario(base)
    for i in (0, 1, 7, 42, 99, 150, 199):
        r = gen.rows()[i]
        one = sc.with_values({"demand.rate_per_year": eu(r[2]), "methods.regular.price": eu(r[3]) / 100,
                              "methods.regular.moq": int(r[4]), "methods.regular.production_days": float(r[5]),
                              "part.weight_kg": eu(r[6]) / 1000, "part.material": r[7],
                              "methods.regular.shipping_days": 0.0})
        exp = evaluate(one)
        g = got[i]
        for m, e in exp["methods"].items():
            assert math.isclose(num(g[f"{m}.total_cost"]), e["total_cost"], rel_tol=1e-9), (i, m)
            assert math.isclose(num(g[f"{m}.impact_mpts"]), e["impact_mpts"], rel_tol=1e-9), (i, m)
        assert g["cheapest"] == exp["cheapest"] and g["lowest_impact"] == exp["lowest_impact"]


def test_summary_names_the_base_and_every_inherited_key(tmp_path, capsys):
    base = tmp_path / "base.toml"
    run(["init", "--catalogue", str(base)], capsys)
    code, out, _ = run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--columns",
                        str(EXAMPLES / "erp_columns.toml"), "--scenario", str(base),
                        "-o", str(tmp_path / "r.xlsx")], capsys)
    assert code == 0
    sc = load_scenario(base)
    assert f"base scenario: {sc.name} ({base}); every row inherits these" in out
    block = out.split("(no column gives them):\n", 1)[1].split("\n200 SKUs evaluated", 1)[0]
    listed, table = [], ""
    for line in block.splitlines():
        if not line.startswith("   "):                 # "  table: a = 1, b = 2," (else a continuation)
            table, line = line.strip().split(": ", 1)
        listed += [f"{table}.{item.split(' = ')[0].strip()}" for item in line.split(",") if item.strip()]
    given = {"demand.rate_per_year", "methods.regular.price", "methods.regular.moq",
             "methods.regular.production_days", "part.weight_kg", "part.material_mpts_per_kg"}
    assert listed == [k for k in sc.inputs() if k not in given]
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "r.xlsx", read_only=True)["Summary"]
    cells = [r[0] for r in ws.iter_rows(values_only=True) if r]
    assert "inherited from the base: storage.holding_rate_per_year" in cells
    assert "fixed by the map: methods.regular.shipping_days" in cells


def test_init_catalogue_writes_a_commented_base_that_is_not_the_lcd_cover(tmp_path, capsys):
    out = tmp_path / "cat.toml"
    code, stdout, _ = run(["init", "--catalogue", str(out)], capsys)
    assert code == 0 and "base scenario for a catalogue" in stdout
    sc = load_scenario(out)
    text = out.read_text(encoding="utf-8")
    assert sc["demand.service_years"] != BASE["demand.service_years"]
    assert sc["methods.regular.shipping_days"] == 0.0
    # every key given in the file is explained by a comment on or above it
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith(("name", "kind")):
            assert "#" in line or lines[i - 1].lstrip().startswith("#"), line
    assert run(["init", "--catalogue", str(out)], capsys)[0] == 2          # no overwrite


# --------------------------------------------------------------------------- column maps


def test_units_scale_and_fixed_values(tmp_path, capsys):
    src = write(tmp_path / "u.csv", "Part;Rate;Price/100;Lead (weeks);Weight (g);Holding %;Share\n"
                                    "P1;2;1500;12;250;45;8\nP2;0,5;250;2;1200;10;0\n")
    cmap = write(tmp_path / "m.toml", """
[columns]
"Part" = "sku"
"Rate" = "demand.rate_per_year"
"Price/100" = { key = "methods.regular.price", unit = "per 100" }
"Lead (weeks)" = { key = "methods.regular.production_days", unit = "weeks" }
"Weight (g)" = { key = "part.weight_kg", unit = "g" }
"Holding %" = { key = "storage.holding_per_part_year", scale = 0.01 }
"Share" = { key = "methods.regular.inbound_transport_share", unit = "percent" }
[fixed]
"methods.regular.shipping_days" = 0
"demand.service_years" = 10
""")
    out = tmp_path / "o.csv"
    code, stdout, err = run(["portfolio", src, "--columns", cmap, "-o", str(out)], capsys)
    assert code == 0, err
    got = read_rows(out)
    for g, (rate, price, days, kg, h, share) in zip(got, [(2.0, 15.0, 84.0, 0.25, 0.45, 0.08),
                                                         (0.5, 2.5, 14.0, 1.2, 0.10, 0.0)]):
        exp = evaluate(BASE.with_values({"demand.rate_per_year": rate, "methods.regular.price": price,
                                         "methods.regular.production_days": days, "part.weight_kg": kg,
                                         "storage.holding_per_part_year": h,
                                         "methods.regular.inbound_transport_share": share,
                                         "methods.regular.shipping_days": 0.0, "demand.service_years": 10.0}))
        for m, e in exp["methods"].items():
            assert math.isclose(num(g[f"{m}.total_cost"]), e["total_cost"], rel_tol=1e-9)
            assert math.isclose(num(g[f"{m}.impact_mpts"]), e["impact_mpts"], rel_tol=1e-9)


def test_a_converted_value_breaking_a_rule_names_the_header_the_value_and_the_rule(tmp_path, capsys):
    src = write(tmp_path / "u.csv", "Part,Weight (g),MOQ (x10)\nP1,-5,1\nP2,250,1\nP3,250,0.15\n")
    cmap = write(tmp_path / "m.toml", '[columns]\n"Part" = "sku"\n'
                                      '"Weight (g)" = { key = "part.weight_kg", unit = "g" }\n'
                                      '"MOQ (x10)" = { key = "methods.regular.moq", scale = 10 }\n')
    code, _, err = run(["portfolio", src, "--columns", cmap, "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 1
    assert "row 2, Weight (g) = -5: must be >= 0 (in part.weight_kg after g: -0.005)" in err
    assert "row 4, MOQ (x10) = 0.15: must be a whole number (in methods.regular.moq after scale = 10: 1.5)" in err
    got = read_rows(tmp_path / "o.csv")
    assert got[1]["error"] == "" and got[1]["regular.Q"] == "10"


def test_unmapped_columns_are_carried_through_and_escaped(tmp_path, capsys):
    src = write(tmp_path / "c.csv", "sku,Description,Plant,demand.rate_per_year\n"
                                    'A,"=HYPERLINK(""x"")",1000,2\nB,-5 pcs,@SUM(1),1\n')
    out = tmp_path / "o.csv"
    code, stdout, _ = run(["portfolio", src, "-o", str(out)], capsys)
    assert code == 0 and "carried through as text: Description, Plant" in stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("sku,Description,Plant,demand.rate_per_year,")
    got = read_rows(out)
    assert [g["Description"] for g in got] == ["'=HYPERLINK(\"x\")", "'-5 pcs"]
    assert [g["Plant"] for g in got] == ["1000", "'@SUM(1)"]
    xo = tmp_path / "o.xlsx"
    assert run(["portfolio", src, "-o", str(xo)], capsys)[0] == 0
    with zipfile.ZipFile(xo) as z:
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_dotted_typo_is_still_an_error_not_carried(tmp_path, capsys):
    src = write(tmp_path / "c.csv", "sku,demand.rate_per_yr\nA,4\n")
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 1 and "did you mean demand.rate_per_year?" in err


def test_map_errors_are_one_line(tmp_path, capsys):
    src = write(tmp_path / "c.csv", "Part,Rate\nA,1\n")
    for body, words in [('[columns]\n"Part" = "sku"\n"Rate" = "demand.rate_per_yr"\n',
                         "'Rate' = 'demand.rate_per_yr': not a key of the base scenario; did you mean demand.rate_per_year?"),
                        ('[columns]\n"Rate" = { key = "demand.rate_per_year", unit = "furlongs" }\n', "unknown unit"),
                        ('[column]\n', "did you mean [columns]?"),
                        ('[columns]\n"Rate" = "demand.rate_per_year"\n', "no 'sku' column"),
                        ('[columns]\n"Part" = "sku"\n[fixed]\n"demand.service_years" = -1\n',
                         "demand.service_years = -1: must be > 0"),
                        ("\ufeff[columns]\n\"Part\" = \"sku\"\n\"Rate\" = \"demand.rate_per_year\"\n", None)]:
        cmap = write(tmp_path / "m.toml", body)
        code, _, err = run(["portfolio", src, "--columns", cmap, "-o", str(tmp_path / "o.csv"), "--force"], capsys)
        if words is None:                  # a byte-order mark (Notepad) is fine
            assert code == 0, err
            continue
        assert code == 2 and words in err and err.count("\n") == 1, err


def test_suggest_columns_writes_a_commented_map_and_never_overwrites(tmp_path, capsys):
    code, out, _ = run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--suggest-columns"], capsys)
    assert code == 0
    assert '"Material" = "sku"    # ' in out
    assert '"Weight (g)" = { key = "part.weight_kg", unit = "g" }    # ' in out and "grams -> kg" in out
    assert 'decimal = ","' in out and "header_row = 3" in out and 'delimiter = ";"' in out
    assert '# "Description" = ""    # no key matched: carried through' in out
    target = tmp_path / "map.toml"
    assert run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--suggest-columns", "-o", str(target)], capsys)[0] == 0
    assert target.read_text(encoding="utf-8") == out
    code, _, err = run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--suggest-columns", "-o", str(target)], capsys)
    assert code == 2 and "exists; use --force" in err
    # the suggested map runs as it is (prices then read per piece)
    code, _, err = run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--columns", str(target),
                        "-o", str(tmp_path / "r.csv")], capsys)
    assert code == 0, err


def test_per_sku_factor_table_names(tmp_path, capsys):
    src = write(tmp_path / "t.csv", "sku,part.material,methods.regular.process,methods.am_mto.am_machine\n"
                                    "A,PP,metal_pressing,fdm_300mc\nB,,,\nC,nylonx,,\nD,abs,,\n")
    out = tmp_path / "o.csv"
    code, _, err = run(["portfolio", src, "-o", str(out)], capsys)
    assert code == 1
    assert "row 4, part.material = nylonx: unknown materials name" in err
    got = read_rows(out)
    cases = {"A": {"part.material": "PP", "methods.regular.process": "metal_pressing",
                   "methods.am_mto.am_machine": "fdm_300mc"}, "B": {}, "D": {"part.material": "abs"}}
    for g in got:
        if g["sku"] not in cases:
            continue
        ch = dict(cases[g["sku"]])
        if "part.material" in ch:
            ch["part.material_mpts_per_kg"] = None
        if "methods.regular.process" in ch:
            ch["methods.regular.process_mpts_per_kg"] = None
        if "methods.am_mto.am_machine" in ch:
            ch["methods.am_mto.energy_kwh_per_kg"] = None
        exp = evaluate(BASE.with_values(ch))
        for m, e in exp["methods"].items():
            assert math.isclose(num(g[f"{m}.impact_mpts"]), e["impact_mpts"], rel_tol=1e-9), (g["sku"], m)


def test_duplicate_skus_are_both_evaluated_and_reported(tmp_path, capsys):
    src = write(tmp_path / "d.csv", "sku,demand.rate_per_year\nA,1\nB,2\nA,3\n")
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "o.csv"), "--chunk-size", "1"], capsys)
    assert code == 0
    assert "warning: SKU 'A' appears on rows 2 and 4 (both are evaluated)" in err
    assert [g["demand.rate_per_year"] for g in read_rows(tmp_path / "o.csv")] == ["1", "2", "3"]


def test_output_is_the_input_is_refused_even_with_force(tmp_path, capsys):
    src = write(tmp_path / "c.csv", "sku,demand.rate_per_year\nA,1\n")
    before = Path(src).read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    for target in (src, str(link), str(tmp_path / "." / "c.csv")):
        code, _, err = run(["portfolio", src, "-o", target, "--force"], capsys)
        assert code == 2 and "is the catalogue itself" in err
    assert Path(src).read_bytes() == before


# --------------------------------------------------------------------------- files as they come


def _same_as_plain(tmp_path, capsys, plain, name, data, *extra, code=0):
    src = write(tmp_path / name, data)
    out = tmp_path / f"{name}.out.csv"
    got_code, stdout, err = run(["portfolio", src, "-o", str(out), *extra], capsys)
    assert got_code == code, err
    if code == 0:
        same_results(read_rows(out), plain)
    return stdout, err


def test_delimiters_decimal_comma_and_thousands(tmp_path, capsys, plain):
    rows = [PLAIN_HEADER] + PLAIN_ROWS
    def table(sep, conv=lambda c: c):
        return "\n".join(sep.join(c if i == 0 else conv(c) for c in r) for i, r in enumerate(rows)) + "\n"

    _same_as_plain(tmp_path, capsys, plain, "tab.csv", table("\t"))
    _same_as_plain(tmp_path, capsys, plain, "tab2.csv", table("\t"), "--delimiter", "tab")
    comma = lambda c: c.replace(".", ",")                            # noqa: E731
    out, _ = _same_as_plain(tmp_path, capsys, plain, "semi.csv", table(";", comma))
    assert "decimal comma" in out
    _same_as_plain(tmp_path, capsys, plain, "semi2.csv", table(";", comma), "--decimal", ",")
    thousands = {"1234.5": "1.234,5"}
    _same_as_plain(tmp_path, capsys, plain, "th.csv", table(";", lambda c: thousands.get(c, comma(c))))
    _same_as_plain(tmp_path, capsys, plain, "th2.csv", table(";", lambda c: {"1234.5": "1 234,5"}.get(c, comma(c))))
    point = {"1234.5": '"1,234.5"'}
    _same_as_plain(tmp_path, capsys, plain, "pt.csv", table(",", lambda c: point.get(c, c)))


def test_decimal_comma_without_the_option_gives_a_hint(tmp_path, capsys):
    # a tab file with a decimal point in one cell and commas in others: read as decimal point
    src = write(tmp_path / "h.csv", "sku\tdemand.rate_per_year\tmethods.regular.price\nA\t2,5\t1.5\n")
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 1
    assert "row 2, demand.rate_per_year = 2,5: must be a number; looks like a decimal comma: use --decimal ," in err


def test_header_row_given_or_found_bom_blank_lines_quotes_cr(tmp_path, capsys, plain):
    body = "\n".join(",".join(r) for r in [PLAIN_HEADER] + PLAIN_ROWS) + "\n"
    pre = "Export of 2026-11-30,,,\nPlant 1000,,,\n"
    _same_as_plain(tmp_path, capsys, plain, "found.csv", pre + body)
    _same_as_plain(tmp_path, capsys, plain, "given.csv", pre + body, "--header-row", "3")
    _, err = _same_as_plain(tmp_path, capsys, plain, "rowno.csv", pre + body.replace(",1234.5,", ",-1,"), code=1)
    assert "row 5, methods.regular.price = -1: must be >= 0" in err          # file rows, header on row 3
    _same_as_plain(tmp_path, capsys, plain, "bom.csv", b"\xef\xbb\xbf" + body.encode())
    _same_as_plain(tmp_path, capsys, plain, "blank.csv", body.replace("\n", "\n\n", 2))
    _same_as_plain(tmp_path, capsys, plain, "quoted.csv", body.replace("A,2,", '"A",2,').replace(",15,", ',"15",'))
    _same_as_plain(tmp_path, capsys, plain, "cr.csv", body.replace("\n", "\r"))
    _same_as_plain(tmp_path, capsys, plain, "crlf.csv", body.replace("\n", "\r\n"))
    _same_as_plain(tmp_path, capsys, plain, "cr1.csv", body.replace("\n", "\r"), "--chunk-size", "1")


def _xlsx(path: Path, rows, formulas=None):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for cell, f in (formulas or {}).items():
        ws[cell] = f
    wb.save(path)
    return str(path)


def test_xlsx_header_row_found_and_formula_cells_without_saved_value(tmp_path, capsys, plain):
    rows = [["Export"], [], PLAIN_HEADER] + [[r[0], float(r[1]), float(r[2]), int(r[3])] for r in PLAIN_ROWS]
    src = _xlsx(tmp_path / "x.xlsx", rows)
    out = tmp_path / "x.csv"
    assert run(["portfolio", src, "-o", str(out)], capsys)[0] == 0
    same_results(read_rows(out), plain)
    bad = _xlsx(tmp_path / "f.xlsx", rows, {"B5": "=2*3", "C6": "=1/0"})   # openpyxl saves no values
    code, _, err = run(["portfolio", bad, "-o", str(tmp_path / "f.csv")], capsys)
    assert code == 1
    assert "row 5, demand.rate_per_year = =2*3: a formula with no saved value" in err
    assert "row 6, methods.regular.price = =1/0: a formula with no saved value" in err
    got = read_rows(tmp_path / "f.csv")
    assert got[0]["error"] == "" and got[1]["error"] != "" and got[2]["error"] != ""
    assert got[1]["regular.total_cost"] == ""                              # never the base value


def _rezip(src: Path, dst: Path, change) -> str:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return str(dst)


def test_damaged_xlsx_is_one_clear_line(tmp_path, capsys):
    good = Path(_xlsx(tmp_path / "g.xlsx", [PLAIN_HEADER] + [[r[0], 1.0, 2.0, 1] for r in PLAIN_ROWS]))
    sheet = "xl/worksheets/sheet1.xml"
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
            '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&f;&f;&f;&f;&f;&f;&f;&f;</t></is></c></row>'
            '</sheetData></worksheet>').encode()
    cases = {
        "truncated": lambda n, d: d[: len(d) // 2] if n == sheet else d,
        "missing": lambda n, d: None if n == sheet else d,
        "entities": lambda n, d: bomb if n == sheet else d,
    }
    for name, change in cases.items():
        src = _rezip(good, tmp_path / f"{name}.xlsx", change)
        code, _, err = run(["portfolio", src, "-o", str(tmp_path / f"{name}.csv")], capsys)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, (name, err)
        assert not (tmp_path / f"{name}.csv").exists()
    raw = bytearray(good.read_bytes())             # bad deflate: flip bytes inside the sheet's data
    with zipfile.ZipFile(good) as z:
        info = z.getinfo(sheet)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 5, start + min(info.compress_size, 60)):
        raw[k] ^= 0x5A
    src = write(tmp_path / "deflate.xlsx", bytes(raw))
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "deflate.csv")], capsys)
    assert code == 2 and err.count("\n") == 1, err
    from openpyxl import Workbook
    from openpyxl.chart import BarChart

    wb = Workbook()
    cs = wb.create_chartsheet("Chart")
    cs.add_chart(BarChart())
    wb.remove(wb.active)
    wb.save(tmp_path / "chart.xlsx")
    code, _, err = run(["portfolio", str(tmp_path / "chart.xlsx"), "-o", str(tmp_path / "chart.csv")], capsys)
    assert code == 2 and "no worksheet, only chart sheets" in err and err.count("\n") == 1, err


def test_a_tiny_xlsx_with_a_huge_shared_string_is_refused_quickly(tmp_path, capsys):
    import time

    good = Path(_xlsx(tmp_path / "g.xlsx", [PLAIN_HEADER, ["A", 1.0, 2.0, 1]]))
    huge = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>' + "x" * 300_000_000
            + "</t></si></sst>").encode()

    def change(n, d):                      # wire a shared-strings part in, as Excel writes it
        if n == "xl/_rels/workbook.xml.rels":
            return d.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxml'
                             b'formats.org/officeDocument/2006/relationships/sharedStrings" '
                             b'Target="sharedStrings.xml"/></Relationships>')
        if n == "[Content_Types].xml":
            return d.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                             b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        return d

    src = _rezip(good, tmp_path / "bomb.xlsx", change)
    with zipfile.ZipFile(src, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", huge)
    del huge
    assert Path(src).stat().st_size < 1_000_000
    t = time.perf_counter()
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "b.csv")], capsys)
    assert time.perf_counter() - t < 5
    assert code == 2 and "unpacks to 286 MB" in err and err.count("\n") == 1, err


def test_an_overlong_cell_fails_its_row_only(tmp_path, capsys):
    src = write(tmp_path / "l.csv", "sku,Note,demand.rate_per_year\nA," + "n" * 40_000 + ",1\nB,ok,2\n")
    code, _, err = run(["portfolio", src, "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 1 and "row 2, Note = nnnn" in err and "longer than 32,767 characters" in err
    assert len(err.splitlines()[0]) < 300


# --------------------------------------------------------------------------- the price to negotiate


NEG_ROWS = [["CASE", "2", "", ""], ["MOQ-50", "2", "", "50"], ["DEAR", "0.7", "240", "1"],
            ["MOQ-300", "3", "9", "300"], ["ZERO", "0", "", ""]]


def test_price_to_win_ties_the_cheapest_other_method(tmp_path, capsys):
    src = write(tmp_path / "n.csv", "sku,demand.rate_per_year,methods.regular.price,methods.regular.moq\n"
                + "\n".join(",".join(r) for r in NEG_ROWS) + "\n")
    out = tmp_path / "o.csv"
    assert run(["portfolio", src, "-o", str(out), "--negotiate"], capsys)[0] == 0
    got = {g["sku"]: g for g in read_rows(out)}
    assert math.isclose(num(got["CASE"]["am_mto.price_to_win"]), 23.9284254702, rel_tol=1e-10)  # model.md section 8
    assert got["ZERO"]["am_mto.price_to_win"] == ""
    for r in NEG_ROWS[:4]:
        ch = {"demand.rate_per_year": float(r[1])}
        if r[2]:
            ch["methods.regular.price"] = float(r[2])
        if r[3]:
            ch["methods.regular.moq"] = int(r[3])
        sc = BASE.with_values(ch)
        price = num(got[r[0]]["am_mto.price_to_win"])
        at = evaluate(sc.with_values({"methods.am_mto.price": price}))
        others = min(at["methods"][m]["total_cost"] for m in ("regular", "am_mts"))
        assert math.isclose(at["methods"]["am_mto"]["total_cost"], others, rel_tol=1e-9), r[0]
        # the closed form of the core gives the same price
        closed = core.made_to_order_breakeven_price(others, rate=float(r[1]), years=30.0, outbound_per_part=5.0)
        assert math.isclose(price, float(closed), rel_tol=1e-9)


def test_moq_to_win_brackets_the_crossing_by_brute_force(tmp_path, capsys):
    src = write(tmp_path / "n.csv", "sku,demand.rate_per_year,methods.regular.price,methods.regular.moq\n"
                + "\n".join(",".join(r) for r in NEG_ROWS) + "\n")
    out = tmp_path / "o.csv"
    assert run(["portfolio", src, "-o", str(out), "--negotiate"], capsys)[0] == 0
    got = {g["sku"]: g for g in read_rows(out)}
    assert got["CASE"]["regular.moq_to_win"] == "" and got["DEAR"]["regular.moq_to_win"] == ""   # moq = 1
    for sku in ("MOQ-50", "MOQ-300"):
        r = next(r for r in NEG_ROWS if r[0] == sku)
        q = num(got[sku]["regular.moq_to_win"])
        assert q is not None and q == int(q) and q > 1
        ch = {"demand.rate_per_year": float(r[1])}
        if r[2]:
            ch["methods.regular.price"] = float(r[2])

        def costs(moq):
            e = evaluate(BASE.with_values({**ch, "methods.regular.moq": int(moq)}))
            return e["methods"]["regular"]["total_cost"], e["methods"]["am_mto"]["total_cost"]

        below, at = costs(q - 1), costs(q)
        assert below[0] < below[1] and at[0] >= at[1], (sku, q, below, at)
    plain = tmp_path / "p.csv"
    assert run(["portfolio", src, "-o", str(plain)], capsys)[0] == 0
    assert "moq_to_win" not in plain.read_text(encoding="utf-8").split("\n", 1)[0]     # only with --negotiate


def test_parallel_jobs_with_a_map_carried_columns_and_negotiate_write_the_same_bytes(tmp_path, capsys):
    base = tmp_path / "base.toml"
    run(["init", "--catalogue", str(base)], capsys)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.csv"
        code, _, err = run(["portfolio", str(EXAMPLES / "erp_export.csv"), "--columns", str(EXAMPLES / "erp_columns.toml"),
                            "--scenario", str(base), "-o", str(out), "--chunk-size", "37", "--jobs", jobs,
                            "--negotiate"], capsys)
        assert code == 0, err
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
