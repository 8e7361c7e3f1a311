"""The model against a single-thread compiled kernel doing the same work, in one run.

    python benchmarks/bench_model_kernel.py [--skus 1000000] [--repeat 3]

Optimal base stock (thesis Eq. 14) for N SKUs (default 10^6; the population of
``bench_core.py``: demand rate uniform on 0.001-20 per year, lead time uniform on 5-120
days, the case study's regular method otherwise, Erlang C waiting time). The baseline is a
numba kernel (``numba`` is a benchmark-only dependency: ``pip install numba``; without it the
kernel is C, compiled here with the system ``cc`` and called through ctypes) that runs the
same search per SKU as :func:`amspares.core.basestock._step_search`: S = 0, 1, 2, ... with the
Erlang B recursion carried from one S to the next, the same tie rule (a larger S must beat the
best by more than 1e-12 of the total) and the same stopping rule, then the cost breakdown
(Eq. 1, 7-13) and the service measures at S*, with the same floating-point operations in the
same order. The run asserts that S* is identical for every SKU and reports how many totals are
bit-identical (and the largest relative difference).

Both sides are timed in CPU time (``time.process_time``), best of ``--repeat`` runs, after a
warm-up (the kernel's compilation is not counted). Target (issue 15): amspares within 3x of
the kernel. Not part of pytest.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_cpu  # noqa: E402  (the benchmarks' one CPU-time helper)

from amspares.core import optimal_base_stock  # noqa: E402

CASE = dict(years=30.0, price=15.0, emergency_per_day=100.0, holding_per_part_year=0.45,
            inbound_share=0.08, outbound_per_part=10.0)
REL = 1e-12                 # the core's tie tolerance (basestock._REL)
DAYS = 365.0

C_SOURCE = r"""
#include <math.h>
#include <stdint.h>
void kernel(int64_t m, const double *lam, const double *lead, double yrs, double cp, double ce,
            double h, double tr, double trout, double rel, int64_t *S, double *total,
            double *fill, double *on_time, double *wait) {
    for (int64_t i = 0; i < m; i++) {
        double n = lam[i] * yrs, u = lam[i] * lead[i], L = lead[i];
        double weight = n * ce * 365.0, unit = h * yrs + cp * (1.0 + tr);
        double fix = (0.0 + fabs(trout)) * n + 0.0 + 0.0 * (n * yrs);
        fix = fix + n * cp * (1.0 + tr);
        double b = 1.0, bc = INFINITY, bb = 1.0; int64_t bs = 0;
        for (int64_t s = 0;; s++) {
            double t2;
            if (s == 0) t2 = L;
            else {
                double t1 = u * b; b = t1 / (t1 + (double)s);
                t1 = (double)s - (1.0 - b) * u;
                t2 = b * (double)s; t2 /= t1; t2 *= L; t1 = (double)s - u; t2 /= t1;
                if (u >= (double)s) t2 = INFINITY;
            }
            if (weight == 0.0) t2 = 0.0;
            t2 *= weight;
            double cost = unit * (double)s + t2;
            int better;
            if (s == 0) better = cost < bc;
            else better = cost < (bc + fix) * -rel + bc;
            if (better) { bc = cost; bs = s; bb = b; }
            if (!(unit * (double)(s + 1) < (bc + fix) * -rel + bc)) break;
        }
        double sd = (double)bs, ec = 1.0, wq, f;
        int stable = bs >= 1 && u < sd;
        if (sd > u) ec = sd * bb / (sd - u * (1.0 - bb));
        wq = bs == 0 ? L : (stable ? ec * L / (sd - u) : INFINITY);
        f = stable ? 1.0 - ec : 0.0;
        double ot = bs == 0 ? (L <= 0.0 ? 1.0 : 0.0) : (L > 0.0 ? f : (stable ? 1.0 : 0.0));
        ot = ot < 0.0 ? 0.0 : (ot > 1.0 ? 1.0 : ot);
        double w2 = n * ce;
        double down = (w2 == 0.0 ? 0.0 : 365.0 * wq * w2) + n * 0.0;
        double hold = h * sd * yrs, prod = n * cp, scrap = cp * sd;
        double tran = (prod + scrap) * tr + n * trout;
        double ben = 0.0 * n * yrs / 2.0;
        S[i] = bs;
        total[i] = 0.0 + down + hold + prod + scrap + tran + 0.0 - ben;
        fill[i] = lam[i] == 0.0 ? 1.0 : f;
        on_time[i] = lam[i] == 0.0 ? 1.0 : ot;
        wait[i] = (lam[i] == 0.0 ? 0.0 : wq) * 365.0;
    }
}
"""


def _kernel_python(lam, lead, yrs, cp, ce, h, tr, trout, rel, S, total, fill, on_time, wait):
    """The C kernel above, line for line, for numba (single thread, no fastmath)."""
    for i in range(lam.size):
        n = lam[i] * yrs
        u = lam[i] * lead[i]
        L = lead[i]
        weight = n * ce * 365.0
        unit = h * yrs + cp * (1.0 + tr)
        fix = (0.0 + abs(trout)) * n + 0.0 + 0.0 * (n * yrs)
        fix = fix + n * cp * (1.0 + tr)
        b = 1.0
        bc = np.inf
        bb = 1.0
        bs = 0
        s = 0
        while True:
            if s == 0:
                t2 = L
            else:
                t1 = u * b
                b = t1 / (t1 + s)
                t1 = s - (1.0 - b) * u
                t2 = b * s
                t2 /= t1
                t2 *= L
                t1 = s - u
                t2 /= t1
                if u >= s:
                    t2 = np.inf
            if weight == 0.0:
                t2 = 0.0
            t2 *= weight
            cost = unit * s + t2
            if s == 0:
                better = cost < bc
            else:
                better = cost < (bc + fix) * -rel + bc
            if better:
                bc = cost
                bs = s
                bb = b
            if not (unit * (s + 1) < (bc + fix) * -rel + bc):
                break
            s += 1
        sd = float(bs)
        ec = 1.0
        if sd > u:
            ec = sd * bb / (sd - u * (1.0 - bb))
        stable = bs >= 1 and u < sd
        wq = L if bs == 0 else (ec * L / (sd - u) if stable else np.inf)
        f = 1.0 - ec if stable else 0.0
        if bs == 0:
            ot = 1.0 if L <= 0.0 else 0.0
        else:
            ot = f if L > 0.0 else (1.0 if stable else 0.0)
        ot = min(max(ot, 0.0), 1.0)
        w2 = n * ce
        down = (0.0 if w2 == 0.0 else 365.0 * wq * w2) + n * 0.0
        hold = h * sd * yrs
        prod = n * cp
        scrap = cp * sd
        tran = (prod + scrap) * tr + n * trout
        ben = 0.0 * n * yrs / 2.0
        S[i] = bs
        total[i] = 0.0 + down + hold + prod + scrap + tran + 0.0 - ben
        fill[i] = 1.0 if lam[i] == 0.0 else f
        on_time[i] = 1.0 if lam[i] == 0.0 else ot
        wait[i] = (0.0 if lam[i] == 0.0 else wq) * 365.0


def compiled_kernel():
    """(name, run(lam, lead) -> (S, total, fill, on_time, wait)): numba if installed, else C."""
    c = CASE
    args = (c["years"], c["price"], c["emergency_per_day"], c["holding_per_part_year"],
            c["inbound_share"], c["outbound_per_part"], REL)
    try:
        import numba
    except ImportError:
        numba = None
    if numba is not None:
        jit = numba.njit(cache=False, fastmath=False, parallel=False)(_kernel_python)

        def run(lam, lead):
            out = (np.empty(lam.size, np.int64),) + tuple(np.empty(lam.size) for _ in range(4))
            jit(lam, lead, *args, *out)
            return out
        return f"numba {numba.__version__} (single thread)", run
    tmp = Path(tempfile.mkdtemp(prefix="amspares-kernel-"))
    (tmp / "k.c").write_text(C_SOURCE)
    subprocess.run(["cc", "-O2", "-fno-fast-math", "-ffp-contract=off", "-shared", "-fPIC",
                    str(tmp / "k.c"), "-o", str(tmp / "k.so"), "-lm"], check=True)
    lib = ctypes.CDLL(str(tmp / "k.so"))
    dp = np.ctypeslib.ndpointer(np.float64, flags="C")
    ip = np.ctypeslib.ndpointer(np.int64, flags="C")
    lib.kernel.argtypes = [ctypes.c_int64, dp, dp] + [ctypes.c_double] * 7 + [ip, dp, dp, dp, dp]

    def run(lam, lead):
        out = (np.empty(lam.size, np.int64),) + tuple(np.empty(lam.size) for _ in range(4))
        lib.kernel(lam.size, np.ascontiguousarray(lam), np.ascontiguousarray(lead), *args, *out)
        return out
    return "C (cc -O2, single thread, ctypes)", run


def measure(skus: int = 1_000_000, repeat: int = 3) -> dict:
    rng = np.random.default_rng(20240601)
    lam = rng.uniform(0.001, 20.0, skus)
    lead = rng.uniform(5.0, 120.0, skus) / 365.0
    load = os.getloadavg()[0]
    name, kernel = compiled_kernel()
    kernel(lam[:1000], lead[:1000])                     # compile (numba) outside the timing
    optimal_base_stock(rate=lam[:1000], lead_time_years=lead[:1000], **CASE)
    k_cpu, k_wall, (ks, kt, kf, ko, kw) = best_cpu(lambda: kernel(lam, lead), repeat)
    a_cpu, a_wall, pol = best_cpu(lambda: optimal_base_stock(rate=lam, lead_time_years=lead, **CASE),
                                  repeat)
    same_s = int(np.sum(ks == pol.S))
    assert same_s == skus, f"S* differs for {skus - same_s} SKUs"
    tc = np.asarray(pol.total_cost)
    rel = float(np.max(np.abs(kt - tc) / np.abs(tc)))
    assert rel <= 1e-12, rel
    for mine, theirs in ((kf, pol.fill_rate), (ko, pol.on_time_rate), (kw, pol.mean_wait_days)):
        assert np.allclose(mine, theirs, rtol=1e-12, atol=0.0)
    return dict(skus=skus, kernel=name, kernel_cpu=k_cpu, kernel_wall=k_wall, amspares_cpu=a_cpu,
                amspares_wall=a_wall, ratio=a_cpu / k_cpu, same_s=same_s,
                same_total=int(np.sum(kt == tc)), max_rel=rel, load_before=load,
                load_after=os.getloadavg()[0], s_max=int(pol.S.max()))


def rows(r: dict) -> list[tuple[str, str, str, str]]:
    """(measure, amspares, baseline, target) rows."""
    return [
        (f"optimal base stock, {r['skus']:,} SKUs (CPU, best of N)",
         f"{r['amspares_cpu']:.3f} s", f"{r['kernel_cpu']:.3f} s ({r['kernel']})",
         f"<= 3x kernel: {r['ratio']:.1f}x"),
        ("  same S* / bit-identical totals", f"{r['same_s']:,} / {r['same_total']:,}",
         f"max rel. difference {r['max_rel']:.1e}", "S* all equal"),
    ]


def table_rows(skus: int = 1_000_000, repeat: int = 3):
    return rows(measure(skus, repeat))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skus", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    r = measure(a.skus, a.repeat)
    for name, mine, base, target in rows(r):
        print(f"{name:<52} amspares {mine:<14} baseline {base:<40} {target}")
    print(f"wall: amspares {r['amspares_wall']:.3f} s, kernel {r['kernel_wall']:.3f} s; "
          f"load average {r['load_before']:.2f} / {r['load_after']:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
