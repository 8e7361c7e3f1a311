"""Portfolio summary: totals and counts by decision over the whole catalogue.

Sums of the core's per-SKU results only (the stdout table and the xlsx Summary sheet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amspares.portfolio.chunks import ChunkResult


@dataclass
class Summary:
    """Totals and counts over the whole catalogue (sums of the core's per-SKU results)."""

    methods: list
    evaluated: int = 0
    failed: int = 0
    has_impact: bool = True
    total_cost: np.ndarray = None          # per method: every SKU supplied by it
    total_impact: np.ndarray = None
    cheapest_count: np.ndarray = None      # per method: SKUs where it is cheapest
    cheapest_cost: np.ndarray = None       # ... their cost with it
    cheapest_saving: np.ndarray = None     # ... their saving over the runner-up
    greenest_count: np.ndarray = None
    total_impact_co2e: np.ndarray = None   # per method, kg CO2e: every SKU supplied by it
    co2e_known: np.ndarray = None          # per method: its kg CO2e is known for every SKU
    greenest_co2e_count: np.ndarray = None # per method: SKUs where it is greenest by kg CO2e
    with_history: bool = False             # some rows' demand came from history
    from_history: int = 0                  # evaluated SKUs whose rate is estimated from history
    robust: int = 0                        # ... whose decision holds across the rate's interval
    review: int = 0                        # ... whose decision flips inside it (to review)

    def __post_init__(self):
        k = len(self.methods)
        for name in ("total_cost", "total_impact", "cheapest_cost", "cheapest_saving", "total_impact_co2e"):
            setattr(self, name, np.zeros(k))
        self.cheapest_count = np.zeros(k, dtype=np.int64)
        self.greenest_count = np.zeros(k, dtype=np.int64)
        self.greenest_co2e_count = np.zeros(k, dtype=np.int64)
        self.co2e_known = np.ones(k, dtype=bool)

    def add(self, res: ChunkResult) -> None:
        ok = res.ok
        self.evaluated += int(ok.sum())
        self.failed += int((~ok).sum())
        if res.robustness is not None:
            from amspares.portfolio.history import REVIEW, ROBUST

            self.with_history = True
            r = res.robustness[ok]
            self.from_history += int(np.count_nonzero(~np.isnan(res.columns["demand.rate_estimate"][ok])))
            self.robust += int(np.count_nonzero(r == ROBUST))
            self.review += int(np.count_nonzero(r == REVIEW))
        if not ok.any():
            return
        k = len(self.methods)
        if ok.all():                    # every row (the usual case): the columns as they are
            ok = slice(None)
        best = res.cheapest[ok]
        totals = np.vstack([res.columns[f"{m}.total_cost"][ok] for m in self.methods])
        self.total_cost += totals.sum(axis=1)
        chosen = np.take_along_axis(totals, best[None, :], axis=0)[0]
        self.cheapest_count += np.bincount(best, minlength=k)
        self.cheapest_cost += np.bincount(best, weights=chosen, minlength=k)
        if k > 1:
            self.cheapest_saving += np.bincount(best, weights=res.saving[ok], minlength=k)
        green = res.lowest_impact[ok]
        if (green < 0).any():
            self.has_impact = False
        else:
            impacts = np.vstack([res.columns[f"{m}.impact_mpts"][ok] for m in self.methods])
            self.total_impact += impacts.sum(axis=1)
            self.greenest_count += np.bincount(green, minlength=k)
            co2e = np.vstack([res.columns[f"{m}.impact_kgco2e"][ok] for m in self.methods])
            known = ~np.isnan(co2e)
            self.co2e_known &= known.all(axis=1)          # a total over some SKUs only would mislead
            self.total_impact_co2e += np.where(known, co2e, 0.0).sum(axis=1)
            if res.lowest_impact_co2e is not None:
                g2 = res.lowest_impact_co2e[ok]
                self.greenest_co2e_count += np.bincount(g2[g2 >= 0], minlength=k)

    def merge(self, other: "Summary") -> None:
        """Add another part's totals (chunks evaluated elsewhere)."""
        self.evaluated += other.evaluated
        self.failed += other.failed
        self.has_impact = self.has_impact and other.has_impact
        self.with_history = self.with_history or other.with_history
        for name in ("from_history", "robust", "review"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("total_cost", "total_impact", "cheapest_cost", "cheapest_saving",
                     "cheapest_count", "greenest_count", "total_impact_co2e", "greenest_co2e_count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.co2e_known = self.co2e_known & other.co2e_known

    def rows(self) -> list[list]:
        """The summary table: one row per method (as in the stdout text and the xlsx sheet)."""
        out = []
        for j, m in enumerate(self.methods):
            out.append([m, int(self.cheapest_count[j]), float(self.cheapest_cost[j]),
                        float(self.cheapest_saving[j]) if len(self.methods) > 1 else None,
                        float(self.total_cost[j]),
                        float(self.total_impact[j]) if self.has_impact else None,
                        int(self.greenest_count[j]) if self.has_impact else None,
                        float(self.total_impact_co2e[j]) if self.has_impact and self.co2e_known[j] else None,
                        int(self.greenest_co2e_count[j]) if self.has_impact else None])
        return out

    HEADER = ["method", "SKUs cheapest", "their cost (EUR)", "their saving (EUR)",
              "cost if all SKUs (EUR)", "impact if all SKUs (mPts)", "SKUs lowest impact",
              "kg CO2e if all SKUs", "SKUs lowest kg CO2e"]

    def sentences(self) -> list[str]:
        """The catalogue's answer in words (the xlsx Summary sheet's first lines).

        >>> s = Summary(["regular", "am_mto"])
        >>> s.evaluated, s.cheapest_count[:], s.greenest_count[:] = 20, [12, 8], [16, 4]
        >>> s.cheapest_cost[:], s.cheapest_saving[:] = [22125.78, 24593.40], [44762.22, 7494.64]
        >>> for line in s.sentences(): print(line)
        Cheapest per SKU: regular for 12 of 20 SKUs (60 %), am_mto for 8 (40 %); 46,719.18 EUR in all, 52,256.86 EUR less than each SKU's runner-up
        Greenest per SKU: regular for 16 of 20 SKUs (80 %), am_mto for 4 (20 %)
        """
        n = self.evaluated
        if not n:
            return [f"No SKU was evaluated ({self.failed:,} failed: see the error column)"]

        def shares(counts) -> str:
            parts = [(m, int(c)) for m, c in zip(self.methods, counts) if c]
            parts.sort(key=lambda mc: -mc[1])
            out = []
            for i, (m, c) in enumerate(parts):
                of = f" of {n:,} SKUs" if i == 0 else ""
                out.append(f"{m} for {c:,}{of} ({c / n * 100:.0f} %)")
            return ", ".join(out)

        lines = [f"Cheapest per SKU: {shares(self.cheapest_count)}; {float(self.cheapest_cost.sum()):,.2f} EUR "
                 f"in all" + (f", {float(self.cheapest_saving.sum()):,.2f} EUR less than each SKU's runner-up"
                             if len(self.methods) > 1 else "")]
        if self.has_impact:
            lines.append(f"Greenest per SKU: {shares(self.greenest_count)}")
            if self.greenest_co2e_count.sum():
                lines.append(f"Lowest kg CO2e per SKU: {shares(self.greenest_co2e_count)}")
        if self.failed:
            lines.append(f"{self.failed:,} SKUs failed and have no decision: see the error column of Results")
        return lines

    def history_text(self) -> str:
        """The robustness totals of the rates estimated from history, in words.

        >>> print(Summary(["a", "b"], from_history=5, robust=3, review=2).history_text())
        rate from history for 5 SKUs: decision robust for 3, to review for 2 (it flips inside the rate's interval)
        """
        return (f"rate from history for {self.from_history:,} SKUs: decision robust for {self.robust:,}, "
                f"to review for {self.review:,} (it flips inside the rate's interval)")

    def text(self) -> str:
        lines = [f"{self.evaluated:,} SKUs evaluated, {self.failed:,} failed"]
        if self.with_history:
            lines.append("  " + self.history_text())
        if not self.evaluated:
            return "\n".join(lines)
        rows = self.rows()
        table = [self.HEADER] + [[r[0]] + [_human(v) for v in r[1:]] for r in rows]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(self.HEADER))]
        for row in table:
            lines.append("  " + "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                                          for i, (v, w) in enumerate(zip(row, widths))))
        best = float(self.cheapest_cost.sum())
        lines.append(f"  cheapest method per SKU: total cost {best:,.2f} EUR, saving "
                     f"{float(self.cheapest_saving.sum()):,.2f} EUR over each SKU's runner-up")
        return "\n".join(lines)


def _human(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.2f}"


