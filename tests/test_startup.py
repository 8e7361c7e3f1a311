"""Start-up: what ``amspares --help`` and Excel's first worksheet-function call import.

Not timed (the machines are shared; ``benchmarks/bench_startup.py`` measures the times): each
test runs a fresh interpreter and checks which heavy modules it has imported. scipy costs
about 0.5 s of imports, openpyxl and xlwings about 0.2-0.4 s each; the command line's parser
needs none of them, and the worksheet functions need scipy only when a function computes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "pysrc")


def _printed_set(code: str) -> set[str]:
    """The JSON list ``code`` prints last, run in a fresh interpreter with this tree's source."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def imported_after(code: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    return _printed_set(code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")


def modules_after(code: str) -> set[str]:
    """Every module name in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                         check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_probe_sees_heavy_imports():
    # the check can fail: importing the model does bring scipy in
    assert "scipy" in imported_after("import amspares.core.erlang")
    assert "openpyxl" in imported_after("import openpyxl")


def test_building_the_parser_imports_no_heavy_package():
    mods = imported_after("import amspares.cli\namspares.cli.build_parser()")
    assert not mods & {"numpy", "scipy", "openpyxl", "xlwings"}, mods & {"numpy", "scipy", "openpyxl", "xlwings"}


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["evaluate", "--help"], ["portfolio", "--help"]])
def test_help_and_version_import_no_heavy_package(argv):
    code = ("import sys\nfrom amspares.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass")
    mods = imported_after(code)
    assert not mods & {"numpy", "scipy", "openpyxl", "xlwings"}


def test_excel_functions_import_neither_openpyxl_nor_scipy():
    for code in ("import amspares.udfs", "import amspares.excel.functions"):
        mods = modules_after(code)
        assert not {m for m in mods if m.split(".")[0] in ("openpyxl", "scipy")}, code


def test_a_computing_function_brings_the_model_in():
    # the lazy exports still reach the model: the first call imports scipy.special
    mods = modules_after("from amspares.excel import functions as fx\nprint(fx.erlangc(5, 1.0))")
    assert "scipy.special" in mods and "scipy.optimize" not in mods


def test_evaluate_does_not_import_the_workbook_or_optimize():
    mods = modules_after("from amspares.cli import main\nmain(['evaluate'])")
    assert "scipy.special" in mods
    assert not {m for m in mods if m.split(".")[0] in ("openpyxl", "xlwings")}
    assert "scipy.optimize" not in mods


def test_lazy_core_exports_are_the_submodules_objects():
    import importlib

    import amspares.core as core
    for name in core.__all__:
        module = importlib.import_module(f"amspares.core.{core._EXPORTS[name]}")
        assert getattr(core, name) is getattr(module, name), name
    assert core.basestock is importlib.import_module("amspares.core.basestock")
    assert "erlang_c" in dir(core)
    with pytest.raises(AttributeError):
        core.not_a_name  # noqa: B018


def test_the_help_text_chunk_size_is_the_portfolio_default():
    # commands/portfolio.py repeats the default so that --help need not import the model
    import amspares.portfolio
    from amspares.commands import portfolio as cmd
    assert cmd.CHUNK_ROWS == amspares.portfolio.CHUNK_ROWS


#: Standard-library modules ``--help`` has no use for (tens of ms each: dataclasses pulls in
#: inspect, ast, dis and tokenize); the sub-commands import them where they run.
NOT_FOR_HELP = {"dataclasses", "inspect", "json", "csv", "subprocess", "tempfile", "pathlib",
                "amspares.factors", "amspares.fileio", "amspares.scenario", "amspares.core"}


def loaded_by(code: str) -> set[str]:
    """Modules ``code`` loads in a fresh interpreter beyond the bare interpreter's own (the
    list is taken before the probe imports json to print it)."""
    def probe(c: str) -> set[str]:
        return _printed_set(c + "\nimport sys\n_seen = sorted(sys.modules)\nimport json\nprint(json.dumps(_seen))")
    return probe(code) - probe("pass")


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_and_version_import_only_the_parser(argv):
    code = ("import sys\nfrom amspares.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass")
    mods = loaded_by(code)
    assert not mods & NOT_FOR_HELP, mods & NOT_FOR_HELP


def test_the_probe_sees_standard_library_imports():
    # the check above can fail: running a command does import them
    assert {"json", "dataclasses"} <= loaded_by("from amspares.cli import main\nmain(['evaluate', '--json'])")


def test_the_factor_table_names_of_the_help_are_the_tables():
    # commands/factors.py writes the names out so that --help need not load the tables
    from amspares import factors
    from amspares.commands import factors as cmd
    assert cmd.TABLE_NAMES == tuple(sorted(factors.TABLES))


def test_a_catalogue_without_history_does_not_import_scipy_stats(tmp_path):
    # scipy.stats and scipy.optimize cost about 1 CPU-s to import; only demand history needs them
    cat = tmp_path / "c.csv"
    cat.write_text("sku,demand.rate_per_year\nA,1.5\nB,0.2\n")
    code = (f"from amspares.cli import main\n"
            f"try:\n    main(['portfolio', {str(cat)!r}, '-o', {str(tmp_path / 'o.csv')!r}, '--jobs', '1'])\n"
            f"except SystemExit as e:\n    assert not e.code, e.code")
    mods = modules_after(code)
    assert (tmp_path / "o.csv").exists()
    assert "scipy.special" in mods
    assert "scipy.stats" not in mods and "scipy.optimize" not in mods


def test_the_model_does_not_import_numpys_unused_submodules():
    # scipy's array-API copy of numpy would import them (about 0.25 CPU-s); the probe can
    # fail: importing scipy.special directly does import them
    unused = {f"numpy.{n}" for n in ("f2py", "testing", "random", "ma", "polynomial")}
    assert unused <= modules_after("import scipy.special")
    assert not unused & modules_after("import amspares.core.evaluate")
    # and numpy itself is as it was; scipy's copy still has the array API's functions
    out = _printed_set(
        "import numpy, amspares.core.evaluate, json\n"
        "from scipy._lib.array_api_compat import array_namespace\n"
        "xp = array_namespace(numpy.ones(2))\n"
        "names = ('asarray', 'exp', 'log1p', 'where', 'linalg', 'fft', 'float64', 'isnan')\n"
        "print(json.dumps(['all' if 'random' in numpy.__all__ and 'f2py' in dir(numpy) else 'cut']"
        " + [n for n in names if hasattr(xp, n)]))")
    assert out == {"all", "asarray", "exp", "log1p", "where", "linalg", "fft", "float64", "isnan"}


def _threads_after(code: str, env_extra: dict) -> tuple[int, str]:
    """This interpreter's thread count after ``code`` and its OPENBLAS_NUM_THREADS."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env.update(env_extra, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    probe = code + ("\nimport os, json\nprint(json.dumps([len(os.listdir('/proc/self/task')), "
                    "os.environ.get('OPENBLAS_NUM_THREADS', '')]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                         check=True).stdout
    threads, setting = json.loads(out.splitlines()[-1])
    return threads, setting


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="threads are counted in Linux's /proc")
def test_the_command_line_starts_no_openblas_threads():
    # numpy alone starts OpenBLAS's worker threads on a machine with more than one CPU (the
    # probe can fail); the command line has no use for them (elementwise arithmetic only)
    if (os.cpu_count() or 1) > 1:
        assert _threads_after("import numpy", {})[0] > 1
    assert _threads_after("import amspares.cli, numpy", {}) == (1, "1")
    # a user's own setting wins
    assert _threads_after("import amspares.cli, numpy", {"OPENBLAS_NUM_THREADS": "2"})[1] == "2"


def test_an_editable_install_byte_compiles_the_package(tmp_path):
    # hatch_build.py's hook: without it, PYTHONDONTWRITEBYTECODE=1 makes every start compile
    # every module from source
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        import hatch_build
    finally:
        sys.path.pop(0)
    pkg = tmp_path / hatch_build.SOURCE.parents[1]
    pkg.mkdir(parents=True)
    (pkg / "mod.py").write_text("X = 1\n")
    assert hatch_build.compile_bytecode(tmp_path)
    assert list((pkg / "__pycache__").glob("mod.*.pyc"))
    (pkg / "bad.py").write_text("def (\n")
    assert not hatch_build.compile_bytecode(tmp_path)      # says so when a module does not compile
