"""Write examples/erp_export.csv: 200 SKUs as an ERP exports them (seeded, reproducible).

Run from the repository root: ``python3 examples/make_erp_export.py``. The file is what a
planner gets from a European ERP: a title line above the header, semicolons, decimal
commas with thousands points (``1.234,50``), prices per 100 pieces, weights in grams, a
description with quotes, and the columns named the ERP's way. ``examples/erp_columns.toml``
maps it to amspares keys; ``tests/test_catalogue.py`` checks that the result equals the
same catalogue written with dotted keys.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

SEED = 13
N = 200
PLANNERS = ("A. Jansen", "B. de Vries", "C. Bakker", "D. Visser")
POLYMERS = ("PA", "PP", "ABS", "HDPE")
KINDS = ("Cover", "Bracket", "Knob", "Housing", "Clip", "Gear", "Bezel", "Hinge")


def _comma(x: float, decimals: int) -> str:
    """A number the European way: thousands points, decimal comma (1.234,50)."""
    text = f"{x:,.{decimals}f}"                       # 1,234.50
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def rows(seed: int = SEED, n: int = N) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    demand = np.round(np.exp(rng.normal(0.0, 1.6, n)), 2)            # parts per year, 0.01..100+
    demand[rng.random(n) < 0.03] = 0.0                               # a few discontinued
    price = np.round(np.exp(rng.normal(2.5, 1.3, n)), 2)             # EUR per piece
    price[:3] = (2712.40, 1480.00, 1199.99)                          # a few expensive parts
    moq = rng.choice([1, 1, 1, 1, 10, 25, 50, 100, 500], n)
    lead = rng.integers(10, 121, n)
    grams = np.round(np.exp(rng.normal(4.5, 1.0, n)), 1)
    out = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        desc = f"{kind} {100 + i}, {POLYMERS[i % 4]}"
        if i % 37 == 5:
            desc = f'{kind} "long" type; left'                  # quotes and a semicolon: quoted
        out.append([f"MAT-{100000 + i:06d}", desc, _comma(float(demand[i]), 2),
                    _comma(float(price[i]) * 100, 2), str(int(moq[i])), str(int(lead[i])),
                    _comma(float(grams[i]), 1), POLYMERS[(i * 7) % 4], PLANNERS[i % 4]])
    return out


HEADER = ["Material", "Description", "Annual demand", "Unit price", "MOQ", "Lead time days",
          "Weight (g)", "Polymer", "Planner"]


def csv_text(seed: int = SEED, n: int = N) -> str:
    def field(t: str) -> str:
        return '"' + t.replace('"', '""') + '"' if any(c in t for c in ';"\n') else t

    lines = ["Material list export;created 2026-11-30;plant 1000", ""]
    lines.append(";".join(HEADER))
    lines += [";".join(field(c) for c in r) for r in rows(seed, n)]
    return "\r\n".join(lines) + "\r\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("erp_export.csv")
    target.write_bytes(csv_text().encode("utf-8"))
    print(f"wrote {target}: {N} SKUs")
