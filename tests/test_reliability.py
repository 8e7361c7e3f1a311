"""Reliability: each failure of the hostile-user run of issue 17 (as reproduced there),
fixed and checked here. Expected outcomes are the rules of docs/limits.md: an input is
refused with exit 2 and one bounded line naming it, a file is never half-written,
overwritten without --force or left behind; user text is never a live formula."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from amspares import cli, fileio
from amspares.errors import OutputError, OutputExistsError, ScenarioError, shown
from amspares.scenario import load_scenario, parse_scenario
from amspares.workbook import fill
from amspares.workbook.cells import CELL_CHARS, excel_text, text_cell

ROOT = Path(__file__).resolve().parents[1]
PYSRC = ROOT / "pysrc"


def run(argv, capsys):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def case_study_text() -> str:
    from importlib import resources
    return resources.files("amspares.data").joinpath("case_study.toml").read_text(encoding="utf-8")


def assert_one_clean_line(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert len(lines[0]) <= 1200, len(lines[0])
    assert "Traceback" not in err and "Warning" not in err and "internal error" not in err
    for w in words:
        assert w in lines[0], (w, lines[0])


# ----------------------------------------------------------------- hostile text -> text cells

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "=cmd|'/c calc'!A1", "+1+2", "-2-3",
           "@SUM(A1:A2)", "#N/A", "=1/0", "a\x07b\x00c"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_cell_is_never_a_formula(text):
    ws = Workbook().active
    cell = text_cell(ws["A1"], text)
    assert cell.data_type == "s"
    assert not re.search(r"[\x00-\x08]", cell.value)          # XML cannot hold them: escaped


def test_excel_text_marks_formula_starts_as_text():
    assert [excel_text(t) for t in ("=1", "+1", "-1", "@x", "OK")] == ["'=1", "'+1", "'-1", "'@x", "OK"]
    assert excel_text([["=1", 2.0]]) == [["'=1", 2.0]]


def test_text_cell_cuts_at_excel_cell_limit():
    ws = Workbook().active
    cell = text_cell(ws["A1"], "x" * 1_000_000)
    assert len(cell.value) == CELL_CHARS and cell.value.endswith("(1,000,000 characters)")


def _sheet_formulas(xlsx: Path) -> str:
    with zipfile.ZipFile(xlsx) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_hostile_scenario_name_is_a_text_cell_in_the_workbook(tmp_path):
    from amspares.workbook.writer import write_scenario_workbook

    name = '=HYPERLINK("http://evil.example","click")'
    sc = parse_scenario({**load_scenario().to_mapping(), "name": name})
    out = write_scenario_workbook(sc, None, tmp_path / "w.xlsx")
    xml = _sheet_formulas(out)
    formulas = re.findall(r"<f>(.*?)</f>", xml)
    assert formulas, "the model's own formulas are there"
    assert not any("evil.example" in f for f in formulas)
    assert "evil.example" in xml                              # ... as text


# ----------------------------------------------------------------- messages

def test_shown_escapes_and_bounds():
    assert "\n" not in shown("a\nb") and "\\n" in shown("a\nb")
    assert len(shown("y" * 1_000_000)) < 130
    assert shown({f"k{i}": 1 for i in range(200_000)}).startswith("a table of 200,000 keys")


def test_method_name_with_newline_is_one_line():
    data = load_scenario().to_mapping()
    data["methods"]["am\nmto"] = data["methods"].pop("am_mto")
    with pytest.raises(ScenarioError) as e:
        parse_scenario(data)
    assert "\n" not in str(e.value) and "am\\nmto" in str(e.value)


def test_huge_unknown_table_is_a_short_line():
    data = load_scenario().to_mapping()
    data["junk"] = {f"k{i}": i for i in range(200_000)}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(data)
    assert len(str(e.value)) < 300 and "200,000 keys" in str(e.value)


# ----------------------------------------------------------------- inputs refused cleanly

@pytest.mark.parametrize("content, words", [
    ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", ("nested too deeply",)),
    ("[demand]\nrate_per_year = " + "9" * 5000 + "\n", ("more than", "digits")),
    ("name = 'x'\n" + "# padding\n" * 120_000, ("at most 1 MB",)),
])
def test_bad_scenario_files_are_one_line(tmp_path, capsys, content, words):
    p = tmp_path / "s.toml"
    p.write_text(content)
    rc, out, err = run(["evaluate", p], capsys)
    assert rc == 2
    assert_one_clean_line(err, "s.toml", *words)


def test_dev_zero_is_refused_without_reading(capsys):
    rc, out, err = run(["evaluate", "/dev/zero"], capsys)
    assert rc == 2
    assert_one_clean_line(err, "/dev/zero", "not a regular file")


def test_byte_order_mark_is_skipped(tmp_path, capsys):
    p = tmp_path / "bom.toml"
    p.write_bytes(b"\xef\xbb\xbf" + case_study_text().encode())
    rc, out, err = run(["evaluate", p, "--json"], capsys)
    assert rc == 0, err
    # the same numbers as the file without the mark
    p2 = tmp_path / "plain.toml"
    p2.write_text(case_study_text())
    rc2, out2, _ = run(["evaluate", p2, "--json"], capsys)
    assert json.loads(out) == json.loads(out2)


def test_tiny_material_efficiency_is_refused_with_the_limit(tmp_path, capsys):
    p = tmp_path / "me.toml"
    p.write_text(case_study_text().replace("material_efficiency = 0.6", "material_efficiency = 1e-320", 1))
    rc, out, err = run(["evaluate", p, "--json"], capsys)
    assert rc == 2 and out == ""
    assert_one_clean_line(err, "material_efficiency", "1e-320", ">= 1e-06")
    # the limit itself is accepted and gives finite, valid JSON
    p.write_text(case_study_text().replace("material_efficiency = 0.6", "material_efficiency = 1e-6", 1))
    rc, out, err = run(["evaluate", p, "--json"], capsys)
    assert rc == 0 and err == ""
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_json_text_refuses_non_finite():
    with pytest.raises(Exception) as e:
        cli.json_text({"base": {"x": [1.0, float("nan")]}})
    assert "base.x.1" in str(e.value)


# ----------------------------------------------------------------- output files

def test_dangling_symlink_is_not_replaced_without_force(tmp_path, capsys):
    link = tmp_path / "s.toml"
    link.symlink_to(tmp_path / "nowhere")
    rc, out, err = run(["init", link], capsys)
    assert rc == 2 and link.is_symlink() and not (tmp_path / "nowhere").exists()
    assert_one_clean_line(err, "exists", "--force")
    rc, out, err = run(["init", link, "--force"], capsys)
    assert rc == 0 and not link.is_symlink() and "[demand]" in link.read_text()


def test_read_only_file_system_is_one_line(tmp_path, capsys, monkeypatch):
    import errno
    import tempfile

    def erofs(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))
    monkeypatch.setattr(tempfile, "mkstemp", erofs)
    for argv in (["init", tmp_path / "s.toml"], ["scenario", "-o", tmp_path / "w.xlsx"]):
        rc, out, err = run(argv, capsys)
        assert rc == 2, err
        assert_one_clean_line(err, "cannot write", "Read-only file system")
    assert list(tmp_path.iterdir()) == []


def test_full_disk_while_writing_is_one_line(tmp_path):
    import errno

    with pytest.raises(OutputError, match="No space left"):
        with fileio.atomic_output(tmp_path / "x.txt"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert list(tmp_path.iterdir()) == []


def test_file_created_meanwhile_is_not_clobbered(tmp_path):
    target = tmp_path / "w.xlsx"
    with pytest.raises(OutputExistsError):
        with fileio.atomic_output(target) as tmp:
            tmp.write_bytes(b"new")
            target.write_bytes(b"theirs")          # appears while we write
    assert target.read_bytes() == b"theirs" and list(tmp_path.iterdir()) == [target]


def test_scenario_workbook_goes_through_the_no_clobber_writer(tmp_path, monkeypatch):
    from amspares.workbook import writer

    target = tmp_path / "w.xlsx"
    real = writer.inject_cached_values

    def racing(plain, tmp, cache):
        real(plain, tmp, cache)
        target.write_bytes(b"theirs")
    monkeypatch.setattr(writer, "inject_cached_values", racing)
    with pytest.raises(OutputExistsError):
        writer.write_scenario_workbook(load_scenario(), None, target)
    assert target.read_bytes() == b"theirs" and list(tmp_path.iterdir()) == [target]


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path, capsys):
    dead = tmp_path / ".s.toml.amspares-999999999-abcd.toml"       # beyond any pid_max
    alive = tmp_path / f".s.toml.amspares-{os.getppid()}-abcd.toml"
    other = tmp_path / ".hidden.txt"
    for p in (dead, alive, other):
        p.write_text("x")
    rc, out, err = run(["init", tmp_path / "s.toml"], capsys)
    assert rc == 0
    assert not dead.exists() and alive.exists() and other.exists()


SIGTERM_SCRIPT = r"""
import os, signal, sys, time
from amspares import cli, fileio
import amspares.commands.init as init
def slow(args):
    with fileio.atomic_output(args.output) as tmp:
        tmp.write_text("half")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
init.run_init = slow
sys.exit(cli.main(["init", sys.argv[1]]))
"""


def test_sigterm_removes_temporaries_and_exits_143(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PYSRC)}
    p = subprocess.run([sys.executable, "-c", SIGTERM_SCRIPT, str(tmp_path / "s.toml")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 128 + signal.SIGTERM
    assert_one_clean_line(p.stderr, "terminated")
    assert list(tmp_path.iterdir()) == []


def test_abandoned_xlsx_output_leaves_nothing_and_prints_no_traceback(tmp_path):
    rows = "\n".join(f"S{i},2" for i in range(40))
    (tmp_path / "cat.csv").write_bytes(b"sku,demand.rate_per_year\n" + rows.encode()
                                       + b"\nbad\xff,1\n")
    env = {**os.environ, "PYTHONPATH": str(PYSRC)}
    p = subprocess.run([sys.executable, "-m", "amspares.cli", "portfolio", "cat.csv", "-o",
                        "out.xlsx", "--chunk-size", "10"], cwd=tmp_path, capture_output=True,
                       text=True, env=env, timeout=300)
    assert p.returncode == 2
    assert "Exception ignored" not in p.stderr and "Traceback" not in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["cat.csv"]


def test_openpyxl_streams_into_the_target_folder(tmp_path, monkeypatch):
    import tempfile

    from amspares.portfolio.xlsx import XlsxWriter
    seen = []
    real = tempfile.NamedTemporaryFile
    monkeypatch.setattr("openpyxl.worksheet._writer.NamedTemporaryFile",
                        lambda *a, **k: seen.append(k) or real(*a, **k))
    w = XlsxWriter(tmp_path / ".o.xlsx.amspares-1-x.xlsx", ["sku", "demand.rate_per_year", "a", "b",
                                                         "saving", "error"], ["m"])
    assert seen == []                                  # nothing in /tmp
    # openpyxl's two sheet streams and the Results rows amspares writes as sheet XML
    assert len(list(tmp_path.glob(".o.xlsx.amspares-1-x.xlsx.*"))) == 3
    w.abort()
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- Run scenario

@pytest.fixture(scope="module")
def template_book():
    sys.path.insert(0, str(Path(__file__).parent))
    from test_ribbon import TEMPLATE, FakeBook
    return FakeBook.from_xlsx(TEMPLATE)


def fresh(book):
    import copy
    from test_ribbon import FakeBook
    return FakeBook(copy.deepcopy(book.cells), dict(book._names))


def test_deleted_result_name_is_found_before_anything_is_written(template_book):
    from amspares.excel.ribbon import XlwingsBackend
    book = fresh(template_book)
    del book._names["py_am_mto"]
    error = fill.run_scenario_on(XlwingsBackend(book))
    assert error is not None and "py_am_mto" in str(error)
    status = book.cells["Inputs"][book._names[fill.STATUS][1].replace("$", "")]
    assert status.startswith("Error") and "py_am_mto" in status
    assert [w[:2] for w in book.writes] == [("Inputs", book._names[fill.STATUS][1].replace("$", ""))]


def test_changed_result_range_is_found_before_anything_is_written(template_book):
    from amspares.excel.ribbon import XlwingsBackend
    book = fresh(template_book)
    sheet, ref = book._names["py_regular"]
    book._names["py_regular"] = (sheet, ref.rsplit("$", 1)[0] + "$" + str(int(ref.rsplit("$", 1)[1]) - 3))
    error = fill.run_scenario_on(XlwingsBackend(book))
    assert error is not None and "py_regular" in str(error)
    assert len(book.writes) == 1


def test_million_character_cell_gives_a_bounded_status(template_book):
    from amspares.excel.ribbon import XlwingsBackend
    book = fresh(template_book)
    book.set("demand_rate_per_year", "9" * 10 + "x" * 1_000_000)
    error = fill.run_scenario_on(XlwingsBackend(book))
    assert error is not None and len(str(error)) < 1200
    status = book.get(fill.STATUS)
    assert status.startswith("Error: demand.rate_per_year") and len(status) <= fill.STATUS_CHARS


def test_libreoffice_does_not_evaluate_hostile_text(tmp_path):
    """LibreOffice, recalculating everything on load, keeps the hostile name as text: if it
    were a formula, ``=1+1`` would show 2 and ``=HYPERLINK`` a link."""
    sys.path.insert(0, str(Path(__file__).parent))
    import openpyxl
    from lo import recalculate

    from amspares.workbook.writer import write_scenario_workbook

    name = "=1+1"
    data = load_scenario().to_mapping()
    data["name"] = name
    data["methods"]["am_mto"]["transport_to_customer"] = [
        {"mode": '=HYPERLINK("http://evil.example","x")', "km": 10.0, "mpts_per_kg_km": 0.1}]
    out = write_scenario_workbook(parse_scenario(data), None, tmp_path / "w.xlsx")
    back = recalculate(out, tmp_path / "lo")
    values = openpyxl.load_workbook(back, data_only=True)
    formulas = openpyxl.load_workbook(back)
    assert values["Inputs"]["B2"].value == name
    assert formulas["Inputs"]["B2"].data_type == "s"
    legs = formulas[fill.LEGS_SHEET]
    modes = [c for row in legs.iter_rows() for c in row if isinstance(c.value, str) and "evil" in c.value]
    assert modes and all(c.data_type == "s" for c in modes)
