"""Run every benchmark once and write the README's performance table from that one run.

    python benchmarks/run_all.py [--quick] [--no-readme]

Runs bench_startup, bench_core, bench_model_kernel, bench_udfs, bench_case_study,
bench_portfolio and bench_xlsx in this order, each in a fresh interpreter, prints each one's rows (amspares beside its baseline, both
measured in this run, in CPU time, best of N), and replaces the part of README.md between
``<!-- perf table -->`` and ``<!-- /perf table -->`` with the table, the date, the load
average before and after, and the machine's core count. ``--quick`` uses small sizes (a
smoke run: the README is then left alone). It byte-compiles ``pysrc/amspares`` first, as
pip does when it installs a wheel. Not part of pytest.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pysrc"))
# the child processes (the CLI runs) import this tree's amspares too
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent / "pysrc"),
                                                         os.environ.get("PYTHONPATH")]))

from common import Row, byte_compile, print_rows  # noqa: E402

BEGIN, END = "<!-- perf table -->", "<!-- /perf table -->"


def in_child(module: str, call: str) -> list[Row]:
    """The rows ``call`` (e.g. ``"bench_xlsx.rows(100000, 2)"``) returns, run after ``import
    module`` in a fresh interpreter: each benchmark starts from a clean process (no other
    benchmark's objects for the garbage collector to walk, no other benchmark's heap), as a
    user's command does."""
    code = (f"import json, sys\nsys.path[:0] = [{str(HERE)!r}, {str(HERE.parent / 'pysrc')!r}]\n"
            f"import {module}\nrows = {call}\nprint('\\n' + json.dumps(rows))")
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{call} failed ({proc.returncode})")
    return [tuple(r) for r in json.loads(proc.stdout.strip().splitlines()[-1])]


def run(quick: bool) -> list[tuple[str, list[Row]]]:
    core = ("['--skus', '100000', '--sq', '100000', '--sample', '200', '--sq-sample', '50', '--repeat', '1']"
            if quick else "[]")
    steps = [
        ("bench_startup.py", f"bench_startup.rows({2 if quick else 5})"),
        ("bench_core.py", f"[r for r in bench_core.rows(bench_core.parser().parse_args({core})) "
                          f"if not r[0].startswith('machine')]"),
        ("bench_model_kernel.py", f"bench_model_kernel.table_rows({100_000 if quick else 1_000_000}, "
                                  f"{1 if quick else 3})"),
        ("bench_udfs.py", f"bench_udfs.rows({2_000 if quick else 10_000}, {2 if quick else 5})"),
        ("bench_case_study.py", f"bench_case_study.rows({1 if quick else 3})"),
        ("bench_portfolio.py", f"bench_portfolio.rows({20_000 if quick else 1_000_000})"),
        ("bench_xlsx.py", f"bench_xlsx.rows({5_000 if quick else 100_000}, {1 if quick else 3})"),
    ]
    out = []
    for name, call in steps:
        load = os.getloadavg()[0]
        rows = in_child(name.removesuffix(".py"), call)
        after = os.getloadavg()[0]
        print_rows(rows, f"\n== {name} (load average {load:.2f} -> {after:.2f})")
        out.append((name, rows, load, after))
    return out


def markdown(results, load_before: float, load_after: float) -> str:
    today = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
    lines = [BEGIN,
             f"From one run of `python benchmarks/run_all.py` ({today}; {os.cpu_count()} cores, load "
             f"average {load_before:.1f} before and {load_after:.1f} after: a loaded machine inflates "
             "every figure, the baselines' too). Times are CPU seconds, best of N, each beside its "
             "baseline measured in the same run; each benchmark's first row gives the "
             "load average when it started and ended.",
             "",
             "| benchmark | amspares | baseline (same run) | target |",
             "|---|---|---|---|"]
    for name, rows, load, after in results:
        for i, (what, mine, base, target) in enumerate(rows):
            label = f"`{name}` (load {load:.1f} -> {after:.1f}): {what.strip()}" if i == 0 else what.strip()
            lines.append(f"| {label} | {mine} | {base} | {target} |")
    lines.append(END)
    return "\n".join(lines)


def write_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.exit(f"{README}: no {BEGIN} ... {END} markers")
    README.write_text(pattern.sub(lambda _: table, text), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes; leaves README.md alone")
    ap.add_argument("--no-readme", action="store_true", help="print only")
    a = ap.parse_args(argv)
    byte_compile()
    before = os.getloadavg()[0]
    results = run(a.quick)
    table = markdown(results, before, os.getloadavg()[0])
    print("\n" + table)
    if not (a.quick or a.no_readme):
        write_readme(table)
        print(f"\nwrote the table into {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
