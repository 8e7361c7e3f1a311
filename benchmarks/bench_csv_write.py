"""Benchmark: writing the portfolio's output CSV alone (35 columns, numbers to 12 digits).

Run ``python benchmarks/bench_csv_write.py [N]`` (default 200,000 rows). The rows are the
results of the portfolio benchmark's catalogue (``bench_portfolio.generate``, same seed),
evaluated once; then, in CPU time, best of 3, in this run:

* amspares: ``csv_chunk_buffer`` on every chunk (the bytes ``amspares portfolio`` writes);
* the baseline: Python's ``csv.writer`` with ``'%.12g'`` numbers (NaN empty) on the same rows.

Both are printed per 1,000,000 rows, with the load average. Target: at most 1.6 CPU-s per
million rows (3x faster than the writer before issue 15, which took 4.5-5 CPU-s).
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pysrc"))

N = 200_000


def chunks(n: int) -> list[tuple]:
    """(result, methods, header) of every chunk of the benchmark catalogue's first n rows."""
    import amspares.portfolio as P
    import bench_portfolio
    from amspares.scenario import load_scenario

    caught: list = []
    real = P.csv_chunk_buffer

    def keep(res, methods, header):
        caught.append((res, methods, header))
        return b""

    with tempfile.TemporaryDirectory() as tmp:
        cat = os.path.join(tmp, "catalogue.csv")
        bench_portfolio.generate(cat, n)
        P.csv_chunk_buffer = keep          # where run_portfolio formats each chunk
        try:
            P.run_portfolio(Path(cat), Path(tmp) / "out.csv", load_scenario())
        finally:
            P.csv_chunk_buffer = real
    if not caught:
        sys.exit("bench_csv_write: no chunk reached amspares.portfolio.csv_chunk_buffer")
    return caught


def python_csv(caught: list) -> int:
    """The baseline: csv.writer, numbers as '%.12g' (NaN empty), text as it is."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for res, methods, header in caught:
        carried = list((res.carried or {}).values())
        names = [*methods, ""]

        def num(col):
            return ["" if x != x else "%.12g" % x for x in np.asarray(col).tolist()]
        cols = [res.sku, *carried, num(res.rate)]
        cols += [num(res.columns[h]) for h in header[2 + len(carried):-5]]
        cols += [[names[i] for i in idx.tolist()] for idx in (res.cheapest, res.lowest_impact,
                                                              res.lowest_impact_co2e)]
        cols += [num(res.saving), res.errors]
        w.writerows(zip(*cols))
    return len(out.getvalue())


def rows(n: int = N) -> list[tuple[str, str, str, str]]:
    from common import best_cpu

    from amspares.portfolio.csv import csv_chunk_buffer

    caught = chunks(n)
    ours, _, size = best_cpu(lambda: sum(len(csv_chunk_buffer(*c)) for c in caught), 3)
    base, _, _ = best_cpu(lambda: python_csv(caught), 3)
    per = 1_000_000 / n
    return [(f"write the output CSV, {n:,} rows ({size / n:.0f} bytes a row), per 1M rows",
             f"{ours * per:.2f} CPU-s", f"csv.writer + '%.12g': {base * per:.2f} CPU-s ({base / ours:.1f}x)",
             "<= 1.6 CPU-s")]


def main() -> None:
    from common import load, print_rows
    print_rows(rows(int(sys.argv[1]) if len(sys.argv) > 1 else N), f"CSV writing; {load()}")


if __name__ == "__main__":
    main()
