"""Benchmark: ``amspares portfolio`` on 1,000,000 SKUs, CSV in, CSV out.

Run ``python benchmarks/bench_portfolio.py [N]``. Prints, from one run:

* end-to-end wall time and peak memory of the CLI run as a child process, best of 3 by CPU
  time, the baseline engine's too (the sum of the
  resident sizes of its process tree, polled every 20 ms from /proc, and the kernel's
  max RSS of the largest process; targets: <= 10 s and < 1 GB for N = 1,000,000), once
  with one process and once with ``--jobs 2``;
* the naive baseline: a per-SKU loop over the scalar API
  (``model.evaluate(scenario.with_values(...))``), timed in CPU time on a sample of the same
  SKUs and extrapolated to N; and the ratio of CPU times (the CLI's CPU time is its process
  tree's, from getrusage).

The catalogue is generated with a fixed seed: slow movers (gamma demand, most below one
part a year), prices, weights, 20 % of the rows with a minimum order quantity, some rows
with the exact waiting-time model.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

N = 1_000_000
SAMPLE = 300
COLUMNS = ["sku", "demand.rate_per_year", "methods.regular.price", "methods.regular.moq",
           "methods.am_mts.price", "methods.am_mto.price", "part.weight_kg", "model.waiting_time"]


def generate(path: str, n: int, seed: int = 7, block: int = 100_000) -> list[tuple]:
    """Write the catalogue in blocks (this process stays small); return the first rows."""
    rng = np.random.default_rng(seed)
    sample: list = []
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for start in range(0, n, block):
            k = min(block, n - start)
            rate = np.round(rng.gamma(0.6, 2.0, k), 3)
            weight = np.round(rng.uniform(0.005, 1.5, k), 3)
            price = np.round(rng.uniform(0.1, 40.0, k), 2)
            am = np.round(50 + 500 * weight, 2)
            moq = np.where(rng.random(k) < 0.2, rng.choice([10, 50, 100, 500], k), 1)
            wait = np.where(rng.random(k) < 0.1, "exact", "")
            cols = [[f"SKU-{i:07d}" for i in range(start, start + k)], rate.astype(str),
                    price.astype(str), moq.astype(str), am.astype(str), am.astype(str),
                    weight.astype(str), wait]
            rows = list(zip(*cols))
            w.writerows(rows)
            if len(sample) < SAMPLE:
                sample += rows[:SAMPLE - len(sample)]
    return sample


def tree_rss_mib(pid: int) -> float:
    """Resident size of a process and all its descendants, in MiB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total / 1024


def cpu_of_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def engine_env(compiled: bool) -> dict:
    """The environment of a child with the compiled CSV fast path on (if built) or off."""
    return dict(os.environ, AMSPARES_NATIVE="1" if compiled else "0")


def run_cli(args: list[str], env: dict | None = None) -> tuple[float, float, float, str]:
    """Wall time, CPU seconds (all its processes), peak tree RSS (MiB) and stdout of a child."""
    cpu = cpu_of_children()
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "amspares.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mib(proc.pid))
        time.sleep(0.02)
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"portfolio failed ({proc.returncode}): {err[-2000:]}")
    return wall, cpu_of_children() - cpu, peak, out


def system_of_children() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime


def best_run(args: list[str], env: dict | None = None, repeat: int = 3) -> tuple[float, float, float, float]:
    """(wall, CPU seconds, peak MiB, system seconds) of the run with the least CPU time of
    ``repeat`` runs (system time: the kernel's page faults and file copies, which swing most
    with the machine's memory state)."""
    runs = []
    for _ in range(repeat):
        s0 = system_of_children()
        wall, cpu, peak, _ = run_cli(args, env)
        runs.append((wall, cpu, peak, system_of_children() - s0))
    return min(runs, key=lambda r: r[1])


def naive(sample: list) -> float:
    """Seconds per SKU for the scalar API, one scenario per SKU."""
    from amspares.model import evaluate
    from amspares.scenario import load_scenario

    base = load_scenario()
    start = time.perf_counter()
    for row in sample:
        changes = {k: float(v) for k, v in zip(COLUMNS[1:-1], row[1:-1])}
        changes["methods.regular.moq"] = int(changes["methods.regular.moq"])
        if row[-1]:
            changes["model.waiting_time"] = row[-1]
        evaluate(base.with_values(changes))
    return (time.perf_counter() - start) / len(sample)


#: A child that runs ``amspares portfolio --jobs 1`` with a CPU-time clock around each stage
#: (the functions are wrapped where the portfolio calls them) and prints the split as JSON.
_STAGES = r"""
import json, resource, sys, time
t0 = time.process_time()
import amspares.cli, amspares.portfolio as P, amspares.portfolio.chunks as C, amspares.portfolio.csv as K
spent = dict.fromkeys(("model", "cells", "write_bytes", "write_file", "process"), 0.0)

def clocked(f, key):
    def g(*a, **k):
        s = time.process_time()
        try:
            return f(*a, **k)
        finally:
            spent[key] += time.process_time() - s
    return g

for name in ("evaluate", "price_to_win", "moq_to_win"):
    setattr(C, name, clocked(getattr(C, name), "model"))
P.evaluate_chunk = clocked(P.evaluate_chunk, "cells")
P.csv_chunk_buffer = clocked(P.csv_chunk_buffer, "write_bytes")
P._process = clocked(P._process, "process")
K.CsvWriter.write = clocked(K.CsvWriter.write, "write_file")
t1 = time.process_time()
code = amspares.cli.main(sys.argv[1:])
t2 = time.process_time()
r = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"imports": t1 - t0, "run": t2 - t1, "process_total": r.ru_utime + r.ru_stime, **spent}))
sys.exit(code)
"""


def stages(cat: str, out: str, env: dict | None = None) -> dict:
    """CPU seconds of each stage of one ``--jobs 1`` run: imports; reading (the file cut into
    chunks and cells, the summary and the repeated-SKU check); cell checks (numbers read from
    the cells, the rules); the model; writing (numbers to text, the file); the rest (the
    summary of each chunk)."""
    proc = subprocess.run([sys.executable, "-c", _STAGES, "portfolio", cat, "-o", out, "--force",
                           "--jobs", "1"], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"portfolio (stages) failed ({proc.returncode}): {proc.stderr[-2000:]}")
    t = __import__("json").loads(proc.stdout.strip().splitlines()[-1])
    return {"imports": t["imports"], "reading": t["run"] - t["process"] - t["write_file"],
            "cell checks": t["cells"] - t["model"], "model": t["model"],
            "writing": t["write_bytes"] + t["write_file"],
            "the rest": t["process"] - t["cells"] - t["write_bytes"], "whole process": t["process_total"]}


def best_stages(cat: str, out: str, env: dict | None = None, repeat: int = 3) -> dict:
    """:func:`stages` of the run with the least CPU time of ``repeat`` runs (one run's stages
    swing by 0.3 CPU-s each on these machines)."""
    return min((stages(cat, out, env) for _ in range(repeat)), key=lambda t: t["whole process"])


def baselines(cat: str, sample_rows: int = 100_000) -> tuple[float, float]:
    """CPU seconds per row of the plain-Python way: ``csv.reader`` and ``float`` over the
    numeric columns; ``csv.writer`` with ``'%.12g'`` over 35 numeric fields a row."""
    c0 = time.process_time()
    with open(cat, newline="") as f:
        rd = csv.reader(f)
        next(rd)
        k = 0
        for row in rd:
            [float(v) for v in row[1:7]]
            k += 1
            if k >= sample_rows:
                break
    read = (time.process_time() - c0) / k
    rng = np.random.default_rng(3)
    values = rng.lognormal(3, 2, (k, 35)).tolist()
    sink = open(os.devnull, "w", newline="")
    c0 = time.process_time()
    w = csv.writer(sink)
    for row in values:
        w.writerow(["%.12g" % v for v in row])
    write = (time.process_time() - c0) / k
    sink.close()
    return read, write


XLSX_N = 20_000


def openpyxl_cells(rows: int, cols: int) -> float:
    """CPU seconds of openpyxl's write-only mode writing ``rows`` x ``cols`` numbers with a
    number format on each column, as the catalogue workbook's Results sheet has them."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rng = np.random.default_rng(5)
    values = rng.lognormal(3, 2, (rows, cols)).tolist()
    with tempfile.TemporaryDirectory() as tmp:
        c0 = time.process_time()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Results")
        for row in values:
            out = []
            for v in row:
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "#,##0.00"
                out.append(c)
            ws.append(out)
        wb.save(os.path.join(tmp, "b.xlsx"))
        return time.process_time() - c0


def xlsx_rows(n: int = XLSX_N) -> list[tuple[str, str, str, str]]:
    """``amspares portfolio`` with an xlsx output (Results and Summary sheets, chart) against
    openpyxl writing the Results sheet's cells alone, cell by cell (write-only mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        cat, out = os.path.join(tmp, "skus.csv"), os.path.join(tmp, "out.xlsx")
        generate(cat, n)
        wall, cpu, peak, _ = run_cli(["portfolio", cat, "-o", out, "--force", "--jobs", "1"])
        from openpyxl import load_workbook
        ws = load_workbook(out, read_only=True)["Results"]
        width = len(next(ws.iter_rows(max_row=1, values_only=True)))
        size = os.path.getsize(out)
    base = openpyxl_cells(n, width)
    return [(f"`amspares portfolio`, {n:,} SKUs, CSV in, xlsx out ({width} columns, {size / 2**20:.1f} MB)",
             f"{cpu:.2f} CPU-s ({wall:.2f} s wall), {peak:.0f} MiB",
             f"openpyxl write-only, the Results cells alone: {base:.2f} CPU-s ({base / cpu:.1f}x)", "")]


def rows(n: int = N) -> list[tuple[str, str, str, str]]:
    """(benchmark, amspares, baseline, target) rows: CPU seconds of the CLI's process tree
    (getrusage of the children) with its wall time, against the per-SKU loop's CPU time."""
    with tempfile.TemporaryDirectory() as tmp:
        cat, out = os.path.join(tmp, "skus.csv"), os.path.join(tmp, "out.csv")
        sample = generate(cat, n)
        from amspares.portfolio import native
        compiled = native.LIB is not None
        runs = {}
        for jobs in (1, 2):
            runs[jobs] = best_run(["portfolio", cat, "-o", out, "--force", "--jobs", str(jobs)], engine_env(True))
        plain = best_run(["portfolio", cat, "-o", out, "--force", "--jobs", "1"], engine_env(False))
        split = best_stages(cat, out, engine_env(True))
        split_plain = best_stages(cat, out, engine_env(False))
        read_base, write_base = baselines(cat)
        c0 = time.process_time()
        naive(sample)
        per_sku = (time.process_time() - c0) / len(sample)
    engine = "compiled CSV fast path" if compiled else f"numpy CSV engine ({native.status()})"
    out_rows = []
    for jobs, (wall, cpu, peak, system) in runs.items():
        out_rows.append((f"`amspares portfolio --jobs {jobs}`, {n:,} SKUs, CSV in and out, {engine}",
                         f"{cpu:.2f} CPU-s (of which system {system:.2f}; {wall:.2f} s wall), {peak:.0f} MiB",
                         f"per-SKU scalar loop: {per_sku * n:,.0f} CPU-s extrapolated "
                         f"({per_sku * n / cpu:,.0f}x); numpy CSV engine (AMSPARES_NATIVE=0): "
                         f"{plain[1]:.2f} CPU-s ({plain[1] / cpu:.2f}x)" if jobs == 1 else "",
                         "<= 3 CPU-s, < 1 GiB" if jobs == 1 else "< 1 GiB"))
    base = {"reading": f"csv.reader + float(): {read_base * n:.2f} CPU-s extrapolated",
            "writing": f"csv.writer + '%.12g', 35 numbers a row: {write_base * n:.2f} CPU-s extrapolated"}
    for stage in ("imports", "reading", "cell checks", "model", "writing", "the rest"):
        numpy_engine = f"numpy engine: {split_plain[stage]:.2f}"
        out_rows.append((f"of the --jobs 1 run: {stage}", f"{split[stage]:.2f} CPU-s",
                         "; ".join(x for x in (numpy_engine, base.get(stage, "")) if x), ""))
    return out_rows + xlsx_rows(min(n, XLSX_N))


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from common import byte_compile, load, print_rows
    byte_compile()
    print_rows(rows(int(sys.argv[1]) if len(sys.argv) > 1 else N), f"portfolio; {load()}")


if __name__ == "__main__":
    main()
