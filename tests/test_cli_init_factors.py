"""`amspares init`, `amspares factors`, and the atomic/no-overwrite file writing they share.

Expected values: the factor numbers are thesis Tables 1-4 as restated in docs/model.md section 2
(transport modes) and the thesis text (materials, machines); the case-study numbers are the
docs/model.md section 8 reference values.
"""

import csv
import json
from importlib import resources

import pytest

from amspares import cli, factors
from amspares.errors import OutputExistsError
from amspares.fileio import atomic_output
from amspares.scenario import load_scenario


def test_init_writes_the_case_study_and_it_evaluates_to_the_spec_reference(tmp_path, capsys):
    out = tmp_path / "mine.toml"
    assert cli.main(["init", str(out)]) == 0
    assert cli.main(["evaluate", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert result["methods"]["regular"]["S"] == 5                          # docs/model.md section 8
    assert result["methods"]["regular"]["total_cost"] == pytest.approx(1735.71, abs=0.005)
    assert result["methods"]["am_mto"]["total_cost"] == pytest.approx(10800.0)


def test_init_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "mine.toml"
    out.write_text("my own notes")
    assert cli.main(["init", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exists; use --force to overwrite it" in err and "Traceback" not in err
    assert out.read_text() == "my own notes"                                # untouched
    assert cli.main(["init", str(out), "--force"]) == 0
    assert load_scenario(out).name.startswith("Thesis case study")


def test_init_into_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["init", str(tmp_path / "nope" / "x.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_atomic_output_leaves_the_old_file_when_writing_fails(tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(out, force=True) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]                # no temp left
    with pytest.raises(OutputExistsError):
        with atomic_output(out):
            pass


@pytest.mark.parametrize("table,name,value", [
    ("transport_modes", "van", 0.14), ("transport_modes", "truck_16t", 0.034),   # docs/model.md section 2
    ("transport_modes", "truck_28t", 0.022), ("transport_modes", "truck_40t", 0.015),
    ("transport_modes", "ship", 0.0011), ("transport_modes", "plane", 0.078),
    ("materials", "PA", 630.0), ("materials", "ABS", 400.0),                      # thesis Table 1
    ("am_machines", "sls_eosint_p390", 107.0), ("am_machines", "fdm_300mc", 519.0),  # Table 2
    ("processes", "injection_moulding_pvc_pc", 44.0),                             # Table 3
])
def test_factor_tables_hold_the_thesis_numbers(table, name, value):
    assert factors.TABLES[table]()[name].value == value


def test_every_factor_row_cites_a_source():
    data = resources.files("amspares.data")
    for fname in ("materials.csv", "am_machines.csv", "processes.csv", "transport_modes.csv"):
        rows = list(csv.DictReader(data.joinpath(fname).read_text().splitlines()))
        assert rows, fname
        for row in rows:
            assert row["source"].strip(), f"{fname}: {row['name']} has no source"


def test_factors_command_lists_every_table_with_sources(capsys):
    assert cli.main(["factors"]) == 0
    out = capsys.readouterr().out
    for table in factors.TABLES:
        assert table in out
    assert "Baumers et al. (2011)" in out and "Goedkoop & Spriensma (1999)" in out


def test_a_closed_pipe_is_not_an_error():
    """`amspares scenario | head -1`: the reader leaves early; no traceback, exit 0."""
    import subprocess
    import sys
    # 2.7 MB of JSON: far more than a pipe buffer, so the writer does hit the closed pipe
    proc = subprocess.run(f"{sys.executable} -m amspares.cli scenario --json | head -1",
                          shell=True, capture_output=True, text=True)
    assert proc.stdout.startswith("{")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_an_internal_error_is_one_line_unless_debugging(monkeypatch, capsys):
    from amspares.commands import factors as factors_command

    def boom(args):
        raise ZeroDivisionError("float division by zero")
    monkeypatch.setattr(factors_command, "run_factors", boom)
    monkeypatch.delenv("AMSPARES_DEBUG", raising=False)
    assert cli.main(["factors"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError" in err and "AMSPARES_DEBUG=1" in err
    monkeypatch.setenv("AMSPARES_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["factors"])


# --------------------------------------------------------------------------- one atomic writer
# init, the scenario workbook and the portfolio write through amspares.fileio.atomic_output:
# the same permissions, the same words for every problem, nothing left behind.

import os  # noqa: E402
import stat  # noqa: E402

from amspares import fileio  # noqa: E402

WRITERS = {   # command line of each command that writes OUT (a path with the writer's suffix)
    "init": (".toml", lambda out, *more: ["init", str(out), *more]),
    "scenario": (".xlsx", lambda out, *more: ["scenario", "-o", str(out), *more]),
    "portfolio": (".csv", None),
}


def _argv(name, out, tmp_path, *more):
    if name == "portfolio":
        cat = tmp_path / "cat" / "skus.csv"
        cat.parent.mkdir(exist_ok=True)
        cat.write_text("sku,demand.rate_per_year\nA,2\n", encoding="utf-8")
        return ["portfolio", str(cat), "-o", str(out), *more]
    return WRITERS[name][1](out, *more)


def _umask_mode():
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask        # what an ordinary new file gets (POSIX open(2) with 0666)


@pytest.mark.parametrize("name", sorted(WRITERS))
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_get_the_umask_permissions(name, umask, tmp_path, capsys):
    old = os.umask(umask)
    try:
        out = tmp_path / ("out" + WRITERS[name][0])
        assert cli.main(_argv(name, out, tmp_path)) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cat") == [out.name]


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_writer_words_each_problem_the_same(name, tmp_path, capsys):
    suffix = WRITERS[name][0]
    cases = []
    existing = tmp_path / ("exists" + suffix)
    existing.write_text("keep")
    cases.append((existing, f"{existing} exists; use --force to overwrite it"))
    missing = tmp_path / "nope" / ("x" + suffix)
    cases.append((missing, f"cannot write {missing}: the folder {missing.parent} does not exist"))
    afile = tmp_path / "afile"
    afile.write_text("")
    under = afile / ("x" + suffix)
    cases.append((under, f"cannot write {under}: {afile} is a file, not a folder"))
    folder = tmp_path / ("folder" + suffix)
    folder.mkdir()
    cases.append((folder, f"cannot write {folder}: it is a folder, not a file"))
    if os.geteuid() != 0:            # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        cases.append((locked / ("x" + suffix), f"cannot write {locked / ('x' + suffix)}: "
                                                  f"the folder {locked} is not writable"))
    for out, words in cases:
        assert cli.main(_argv(name, out, tmp_path)) == 2
        err = capsys.readouterr().err
        assert err == f"amspares {name}: error: {words}\n", (name, out)
    assert existing.read_text() == "keep"
    leftovers = [p for p in tmp_path.rglob(".*") if p.is_file()]
    assert leftovers == []


def test_no_temporary_file_is_left_after_an_error_while_writing(tmp_path, monkeypatch, capsys):
    import amspares.portfolio as portfolio
    import amspares.workbook.writer as writer

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    runs = []
    monkeypatch.setattr(writer, "inject_cached_values", boom)
    runs.append(("scenario", tmp_path / "w.xlsx"))
    monkeypatch.setattr(portfolio.CsvWriter, "finish", boom)
    runs.append(("portfolio", tmp_path / "p.csv"))
    runs.append(("init", tmp_path / "i.toml"))
    argvs = [(_argv(name, out, tmp_path), out) for name, out in runs]
    import pathlib
    monkeypatch.setattr(pathlib.Path, "write_text", boom)           # init writes its temp file so
    for argv, out in argvs:
        # a full disk is the file system's refusal, not a bug: one line, exit 2 (issue 17)
        assert cli.main(argv) == 2
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat"]
    assert os.listdir(tmp_path / "cat") == ["skus.csv"]


def test_a_file_that_appears_while_writing_is_not_clobbered(tmp_path):
    out = tmp_path / "r.csv"
    with pytest.raises(OutputExistsError, match="use --force"):
        with fileio.atomic_output(out) as tmp:
            tmp.write_text("new")
            out.write_text("someone else's")           # appears after the check
    assert out.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_a_command_module_that_fails_to_import_is_an_error_not_a_missing_command(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", cli.COMMAND_MODULES + ("amspares.commands.not_there",))
    with pytest.raises(ModuleNotFoundError):
        cli.build_parser()
    monkeypatch.delenv("AMSPARES_DEBUG", raising=False)
    assert cli.main(["factors"]) == 3               # not silently run without that command
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "amspares.commands.not_there" in err and "reinstall" in err


def test_every_command_has_its_own_module():
    import importlib

    for name in cli.COMMAND_MODULES:
        module = importlib.import_module(name)
        assert callable(module.add_parser), name
    assert "amspares.commands.factors" in cli.COMMAND_MODULES
    import amspares.commands.init as init
    assert not hasattr(init, "run_factors")          # factors moved to commands/factors.py
