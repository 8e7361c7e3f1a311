"""Fuzz suite of issue 17: seeded hostile inputs, bounded in time (about a minute in all).

Categories: scenario-file mutants, hostile names (scenario name, custom transport modes,
method names), output faults, hostile workbook cells through "Run scenario"
(:func:`amspares.workbook.fill.run_scenario_on` on a fake xlwings book, as in
tests/test_ribbon.py). Catalogue files are fuzzed by the portfolio tests.

For every case exactly one of these holds:

* exit 0 (or no error): the results are valid JSON with finite numbers, counts and
  policies non-negative, and no text cell was turned into a formula;
* exit 1/2 (or a returned error): one line of bounded length naming the input and the
  rule; never exit 3, a traceback or warning text.

The generator is ``random.Random`` with a fixed seed, so a failure repeats; the case
that failed is printed in the assertion.
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import pytest

from amspares import cli
from amspares.errors import AmsparesError
from amspares.scenario import load_scenario, parse_scenario
from amspares.workbook import fill

SEED = 17
CASE_SECONDS = 10.0            # one case: a hang is a failure
LINE_CHARS = 1200              # the longest error line accepted

HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example","click")', "=cmd|'/c calc'!A1", "=1+1", "+1+2", "-2",
    "@SUM(A1)", "#N/A", "#DIV/0!", "a\nb", "tab\there", "nul\x00x", "bell\x07", "\u202e rtl",
    "x" * 5000, "", " ", "é€𝄞", "=" * 3, "'quoted", "\ufeffbom",
]
HOSTILE_NUMBERS = [-1, 0, -0.0, 1e-320, 5e-324, 1e-9, 1e308, 1.7e308, 1e12, 1e13, 2**63,
                   10**400, float("nan"), float("inf"), -float("inf"), True, False, 0.5, 1, 2, 1e6]
HOSTILE_OTHER = [None, [], [1, 2], {}, {"a": 1}, [[[]]], "1e3", " 2.5 ", "1,5", "nan", "inf",
                 "1\x1f", "0x10"]


def _values(rng: random.Random):
    pool = rng.choice((HOSTILE_TEXT, HOSTILE_NUMBERS, HOSTILE_NUMBERS, HOSTILE_OTHER))
    return rng.choice(pool)


def _leaf_paths(node, prefix=()):
    for k, v in node.items():
        if isinstance(v, dict):
            yield from _leaf_paths(v, prefix + (k,))
        else:
            yield prefix + (k,)


def mutate(base: dict, rng: random.Random) -> tuple[dict, str]:
    data = copy.deepcopy(base)
    what = []
    for _ in range(rng.randint(1, 3)):
        paths = list(_leaf_paths(data))
        op = rng.random()
        path = rng.choice(paths)
        node = data
        for p in path[:-1]:
            node = node[p]
        if op < 0.6:
            node[path[-1]] = v = _values(rng)
            what.append(f"{'.'.join(path)} = {v!r:.60}")
        elif op < 0.75:
            node.pop(path[-1])
            what.append(f"del {'.'.join(path)}")
        elif op < 0.9:
            k = rng.choice(HOSTILE_TEXT[:12] + ["rate_per_yaer", "kind", "moq"])
            node[k] = _values(rng)
            what.append(f"add {'.'.join(path[:-1] + (k,))!r:.60}")
        else:
            methods = data.get("methods", {})
            if methods:
                old = rng.choice(list(methods))
                new = rng.choice(HOSTILE_TEXT[:12] + ["am_mto2"])
                methods[new] = methods.pop(old)
                what.append(f"rename method {old} -> {new!r:.40}")
    return data, "; ".join(what)


def _toml_value(v) -> str | None:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string is a JSON string (for these)
    if isinstance(v, list):
        parts = [_toml_value(x) for x in v]
        return None if None in parts else "[" + ", ".join(parts) + "]"
    if isinstance(v, dict):
        parts = [f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(x)}" for k, x in v.items()]
        return "{" + ", ".join(parts) + "}"
    return None


def to_toml(data: dict) -> str | None:
    """Nested data as TOML text (``None`` when it cannot be written, e.g. a None value)."""
    lines = []

    def table(node, prefix):
        scalars = {k: v for k, v in node.items() if not isinstance(v, dict) or not v}
        subs = {k: v for k, v in node.items() if isinstance(v, dict) and v}
        if prefix:
            lines.append("[" + ".".join(json.dumps(p, ensure_ascii=False) for p in prefix) + "]")
        for k, v in scalars.items():
            t = _toml_value(v)
            if t is None:
                raise ValueError
            lines.append(f"{json.dumps(k, ensure_ascii=False)} = {t}")
        for k, v in subs.items():
            table(v, prefix + (k,))
    try:
        table(data, ())
    except ValueError:
        return None
    return "\n".join(lines) + "\n"


def check_json_result(text: str, case: str) -> None:
    def no_constant(c):
        raise AssertionError(f"{case}: {c} in JSON")
    obj = json.loads(text, parse_constant=no_constant)

    def walk(x, path):
        if isinstance(x, float):
            assert math.isfinite(x), f"{case}: {path} = {x}"
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            last = path.rsplit(".", 1)[-1]
            if last in ("S", "s", "Q", "n", "accepted_q", "produced", "shipped_to_warehouse",
                        "delivered", "impact_mpts") and last != "s":
                assert x >= 0, f"{case}: {path} = {x}"
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{path}.{k}")
        if isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, f"{path}.{i}")
    walk(obj, "")


def check_error_line(err: str, case: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"{case}: {err[:500]!r}"
    line = lines[0]
    assert len(line) <= LINE_CHARS, f"{case}: {len(line)} characters"
    assert "internal error" not in line and "Traceback" not in err, f"{case}: {line}"
    assert "Warning" not in err and ".py:" not in err, f"{case}: {line}"
    assert ": error: " in line and (" = " in line or "cannot" in line or "exists" in line or "must" in line), \
        f"{case}: the line names no input: {line}"


def run_cli(argv, capsys):
    t = time.perf_counter()
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err, time.perf_counter() - t


# ----------------------------------------------------------------- scenario mutants

def test_scenario_file_mutants(tmp_path, capsys):
    rng = random.Random(SEED)
    base = load_scenario().to_mapping()
    counts = {0: 0, 2: 0}
    written = 0
    for i in range(160):
        data, case = mutate(base, rng)
        text = to_toml(data)
        if text is None:
            continue
        written += 1
        p = tmp_path / f"m{i}.toml"
        p.write_text(text, encoding="utf-8")
        rc, out, err, seconds = run_cli(["evaluate", p, "--json"], capsys)
        case = f"mutant {i} ({case})"
        assert seconds < CASE_SECONDS, f"{case}: {seconds:.1f} s"
        assert rc in (0, 2), f"{case}: exit {rc}: {err}"
        counts[rc] += 1
        if rc == 0:
            assert err == "", f"{case}: {err}"
            check_json_result(out, case)
        else:
            assert out == ""
            check_error_line(err, case)
    assert written >= 120
    assert counts[0] >= 10 and counts[2] >= 50, counts       # both outcomes are exercised


def test_scenario_byte_mutants(tmp_path, capsys):
    """Raw bytes: truncation, stray bytes, BOMs, deep nesting, long lines."""
    rng = random.Random(SEED + 1)
    from importlib import resources
    raw = resources.files("amspares.data").joinpath("case_study.toml").read_bytes()
    extra = [b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"[[[[", b"= =", b'"\\u0000"', b"\r", b"\x1a",
             b"[" * 3000, b"a." * 3000 + b"b = 1\n", b"x = " + b"9" * 6000 + b"\n"]
    for i in range(40):
        b = bytearray(raw)
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            pos = rng.randrange(len(b) + 1)
            if op < 0.3:
                del b[pos:]
            elif op < 0.7:
                b[pos:pos] = rng.choice(extra)
            else:
                b[pos:pos + rng.randint(1, 20)] = b""
        p = tmp_path / f"b{i}.toml"
        p.write_bytes(bytes(b))
        rc, out, err, seconds = run_cli(["evaluate", p, "--json"], capsys)
        case = f"byte mutant {i}"
        assert seconds < CASE_SECONDS and rc in (0, 2), f"{case}: exit {rc}: {err}"
        if rc == 0:
            check_json_result(out, case)
        else:
            check_error_line(err, case)


# ----------------------------------------------------------------- hostile names

def _formula_cells(wb):
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


def test_hostile_names_stay_text(capsys, tmp_path):
    from amspares.workbook.template import build_template

    base = load_scenario()
    wb, _cache = build_template(base)
    own = {(t, c) for t, c, _ in _formula_cells(wb)}          # amspares' own formulas
    backend = fill.OpenpyxlBackend(wb)
    capacity = len(backend.read("transport_legs"))
    for i, text in enumerate(HOSTILE_TEXT):
        data = base.to_mapping()
        data["name"] = text[:1000]          # a longer name is refused (test_reliability)
        data["methods"]["am_mto"]["transport_to_customer"] = [{"mode": text, "km": 10.0,
                                                               "mpts_per_kg_km": 0.1}]
        case = f"hostile name {i} ({text!r:.50})"
        sc = parse_scenario(data)
        fill.apply(fill.input_plan(sc, capacity), backend)
        for title, coord, value in _formula_cells(wb):
            assert (title, coord) in own, f"{case}: {title}!{coord} became a formula: {value!r:.80}"
        # the CLI on the same file: valid JSON, the name as given
        p = tmp_path / f"n{i}.toml"
        text_toml = to_toml(data)
        p.write_text(text_toml, encoding="utf-8")
        rc, out, err, _ = run_cli(["evaluate", p, "--json"], capsys)
        assert rc == 0, f"{case}: {err}"
        check_json_result(out, case)
        assert json.loads(out)["name"] == text[:1000]
    for text in HOSTILE_TEXT[:10]:                     # a method name is letters, digits, _
        data = base.to_mapping()
        data["methods"][text] = data["methods"].pop("am_mto")
        with pytest.raises(AmsparesError) as e:
            parse_scenario(data)
        assert "\n" not in str(e.value) and len(str(e.value)) <= LINE_CHARS


# ----------------------------------------------------------------- output faults

def test_output_faults(tmp_path, capsys, monkeypatch):
    import errno
    import tempfile

    cases = []
    d = tmp_path / "faults"
    d.mkdir()
    (d / "exists.toml").write_text("mine")
    cases.append(("existing file", ["init", d / "exists.toml"], "exists"))
    (d / "dangling.toml").symlink_to(d / "nowhere")
    cases.append(("dangling link", ["init", d / "dangling.toml"], "exists"))
    (d / "folder.toml").mkdir()
    cases.append(("a folder", ["init", d / "folder.toml"], "folder"))
    cases.append(("missing folder", ["init", d / "no" / "s.toml"], "does not exist"))
    (d / "afile").write_text("x")
    cases.append(("parent is a file", ["init", d / "afile" / "s.toml"], "not a folder"))
    cases.append(("not xlsx", ["scenario", "-o", d / "w.txt"], ".xlsx"))
    cases.append(("scenario over a file", ["scenario", "-o", d / "exists.toml"], ".xlsx"))
    before = sorted(p.name for p in d.iterdir())
    for name, argv, word in cases:
        rc, out, err, seconds = run_cli(argv, capsys)
        assert rc == 2, f"{name}: exit {rc}: {err}"
        check_error_line(err, name)
        assert word in err, f"{name}: {err}"
    assert sorted(p.name for p in d.iterdir()) == before
    assert (d / "exists.toml").read_text() == "mine"
    for code in (errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EDQUOT, errno.EIO):
        def fail(*a, _code=code, **k):
            raise OSError(_code, os.strerror(_code))
        with monkeypatch.context() as m:
            m.setattr(tempfile, "mkstemp", fail)
            for argv in (["init", d / "new.toml"], ["scenario", "-o", d / "new.xlsx"]):
                rc, out, err, _ = run_cli(argv, capsys)
                case = f"{errno.errorcode[code]} {argv[0]}"
                assert rc == 2, f"{case}: exit {rc}: {err}"
                check_error_line(err, case)
        with monkeypatch.context() as m:       # the write itself fails (disk full, I/O error)
            m.setattr(Path, "write_text", fail)
            rc, out, err, _ = run_cli(["init", d / "new.toml"], capsys)
            assert rc == 2, f"write {errno.errorcode[code]}: exit {rc}: {err}"
            check_error_line(err, f"write {errno.errorcode[code]}")
    assert sorted(p.name for p in d.iterdir()) == before


# ----------------------------------------------------------------- hostile workbook cells

@pytest.fixture(scope="module")
def template_book():
    sys.path.insert(0, str(Path(__file__).parent))
    from test_ribbon import TEMPLATE, FakeBook
    return FakeBook.from_xlsx(TEMPLATE)


def test_hostile_workbook_cells(template_book):
    from test_ribbon import FakeBook

    from amspares.excel.ribbon import XlwingsBackend

    rng = random.Random(SEED + 2)
    input_names = [fill.name_of(k.key) for k in
                   __import__("amspares.scenario", fromlist=["all_keys"]).all_keys(load_scenario().methods)
                   if k.type != "legs"] + ["scenario_name"]
    pool = HOSTILE_TEXT + HOSTILE_NUMBERS + [None, "1e3", " 2.5 ", "1,5", "nan", "1\x1f",
                                             "9" * 100_000, "=A1", "stock", "order"]
    outcomes = {"ok": 0, "error": 0}
    for i in range(70):
        book = FakeBook(copy.deepcopy(template_book.cells), dict(template_book._names))
        case = []
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(input_names)
            value = rng.choice(pool)
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**62:
                value = float(value) if abs(value) < 1e308 else 1e308
            book.set(name, value)
            case.append(f"{name} = {value!r:.40}")
        if rng.random() < 0.15:
            victim = rng.choice([n for n in book._names if n.startswith(("py_", "sq_"))])
            del book._names[victim]
            case.append(f"deleted name {victim}")
        case = f"workbook {i} ({'; '.join(case)})"
        t = time.perf_counter()
        error = fill.run_scenario_on(XlwingsBackend(book))
        assert time.perf_counter() - t < CASE_SECONDS, case
        status = book.get(fill.STATUS)
        for _sheet, _coord, v in book.writes:
            if isinstance(v, str):
                assert not v.startswith(("=", "+", "-", "@")), f"{case}: wrote {v!r:.80}"
                assert len(v) <= 32767
            if isinstance(v, float):
                assert math.isfinite(v), f"{case}: wrote {v}"
        if error is None:
            outcomes["ok"] += 1
            assert str(status).startswith("OK"), case
        else:
            outcomes["error"] += 1
            text = str(error)
            assert "\n" not in text and len(text) <= LINE_CHARS, f"{case}: {text[:200]!r}"
            assert str(status).startswith("Error: ") and len(status) <= fill.STATUS_CHARS, case
            assert len(book.writes) == 1, f"{case}: {len(book.writes)} cells written before the error"
    assert outcomes["ok"] >= 5 and outcomes["error"] >= 20, outcomes
