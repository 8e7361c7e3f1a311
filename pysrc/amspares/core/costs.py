"""The cost breakdown of thesis Eq. 1, shared by every supply method."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

COST_COMPONENTS = ("downtime", "holding", "production", "scrapping", "transport",
                   "investment", "benefit")


@dataclass(frozen=True)
class CostBreakdown:
    """Total supply-chain cost over the service period, by component (thesis Eq. 1).

    ``total = downtime + holding + production + scrapping + transport + investment - benefit``
    (CD + CH + CP + CR + CTr + I - B). Each field is a float or an array (vectorised calls).
    """

    downtime: np.ndarray | float
    holding: np.ndarray | float
    production: np.ndarray | float
    scrapping: np.ndarray | float
    transport: np.ndarray | float
    investment: np.ndarray | float
    benefit: np.ndarray | float

    @property
    def total(self):
        """TC of Eq. 1 (EUR)."""
        return (self.downtime + self.holding + self.production + self.scrapping
                + self.transport + self.investment - self.benefit)

    def as_dict(self) -> dict:
        """Components by name (the ``cost`` object of the JSON output, spec section 6)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def take(self, index) -> "CostBreakdown":
        """The breakdown of some elements of a vectorised result."""
        return CostBreakdown(**{k: np.asarray(v)[index] for k, v in self.as_dict().items()})


def benefit(benefit_per_part_year, total_demand, years):
    """Benefit ``B = bp * n * T / 2`` (thesis Eq. 13)."""
    return np.asarray(benefit_per_part_year) * total_demand * years / 2.0
