"""The cost breakdown of thesis Eq. 1, shared by every supply method.

The components are the fields of :class:`CostBreakdown`; each field carries its
:class:`Component` metadata (symbol, label, equation, sign), so the total and every table of
components (CLI, workbook, portfolio) are derived from this one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache

import numpy as np


class Component(str):
    """One component of a breakdown: its field name (the string itself) plus metadata.

    A component *is* its name, so ``getattr(breakdown, c)`` and ``d[c]`` work as with a plain
    name; ``symbol`` (thesis symbol), ``label`` (plain words), ``equation`` (where it is
    defined) and ``sign`` (+1 added to the total, -1 subtracted) describe it.

    >>> c = Component("benefit", "B", "benefit", "Eq. 13", -1)
    >>> c == "benefit", c.sign, c.title
    (True, -1, 'B benefit (Eq. 13)')
    """

    symbol: str
    label: str
    equation: str
    sign: int

    def __new__(cls, name: str, symbol: str, label: str, equation: str = "", sign: int = 1):
        self = super().__new__(cls, name)
        self.symbol, self.label, self.equation, self.sign = symbol, label, equation, int(sign)
        return self

    def __getnewargs__(self):
        return (str(self), self.symbol, self.label, self.equation, self.sign)

    @property
    def name(self) -> str:
        return str(self)

    @property
    def title(self) -> str:
        """``"CD downtime (Eq. 7)"``: symbol, label and equation, for table rows."""
        return f"{self.symbol} {self.label}" + (f" ({self.equation})" if self.equation else "")


def component(symbol: str, label: str, equation: str = "", sign: int = 1, **kwargs):
    """A breakdown dataclass field that is a component (``kwargs`` go to :func:`dataclasses.field`)."""
    return field(metadata={"component": (symbol, label, equation, sign)}, **kwargs)


def components_of(cls) -> tuple[Component, ...]:
    """The components of a breakdown dataclass (or instance), in field order.

    >>> [c.symbol for c in components_of(CostBreakdown)]
    ['CD', 'CH', 'CP', 'CR', 'CTr', 'I', 'B']
    """
    return _components_of_class(cls if isinstance(cls, type) else type(cls))


@lru_cache(maxsize=None)
def _components_of_class(cls) -> tuple[Component, ...]:
    """:func:`components_of` of a class, made once (totals and tables ask for it per call)."""
    return tuple(Component(f.name, *f.metadata["component"]) for f in fields(cls)
                 if "component" in f.metadata)


def signed_total(breakdown):
    """``sum(sign * value)`` over the components of ``breakdown``: ``0.0 + v1 +- v2 +- ...``
    in component order (TC of Eq. 1, ETC of Eq. 32).

    Once the running sum is a float array of its own (from ``0.0 + v1``) the further terms
    are added in place, and a term that is one zero for all elements (a broadcast ``0.0``
    or ``-0.0``, or a scalar zero) is left out: ``x + 0.0`` and ``x - 0.0`` are ``x`` for
    every ``x`` but ``-0.0``, and a sum that starts ``0.0 + v1`` is never ``-0.0``. The
    numbers are those of the plain left-to-right sum, bit for bit.

    >>> signed_total(CostBreakdown(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0))
    14.0
    >>> t = signed_total(CostBreakdown(*(np.array([-0.0, 1.0]),) * 6, np.zeros(2)))
    >>> t.tolist(), bool(np.signbit(t[0]))
    ([0.0, 6.0], False)
    """
    total = 0.0
    own = False                    # ``total`` is an array made here: may be written in place
    for c in components_of(breakdown):
        v = getattr(breakdown, c)
        if own and (type(v) is float or (type(v) is np.ndarray and v.shape == total.shape
                                         and v.dtype == np.float64)):
            if _one_zero(v):
                continue
            if c.sign > 0:
                np.add(total, v, out=total)
            else:
                np.subtract(total, v, out=total)
            continue
        total = total + v if c.sign > 0 else total - v
        own = type(total) is np.ndarray and total.dtype == np.float64 and total.ndim > 0
    return total


def _one_zero(v) -> bool:
    """``v`` is a float zero (either sign), or an array of one zero broadcast to every element."""
    if type(v) is float:
        return v == 0.0
    return v.size > 0 and not any(v.strides) and v.flat[0] == 0.0


@dataclass(frozen=True)
class CostBreakdown:
    """Total supply-chain cost over the service period, by component (thesis Eq. 1).

    ``total = downtime + holding + production + scrapping + transport + investment - benefit``
    (CD + CH + CP + CR + CTr + I - B). Each field is a float or an array (vectorised calls).
    The components (and their signs) are :func:`cost_components`.

    >>> CostBreakdown(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0).total
    14.0
    """

    downtime: np.ndarray | float = component("CD", "downtime", "Eq. 7")
    holding: np.ndarray | float = component("CH", "holding", "Eq. 8-9")
    production: np.ndarray | float = component("CP", "production", "Eq. 10")
    scrapping: np.ndarray | float = component("CR", "scrapping", "Eq. 11")
    transport: np.ndarray | float = component("CTr", "transport", "Eq. 12")
    investment: np.ndarray | float = component("I", "investment")
    benefit: np.ndarray | float = component("B", "benefit", "Eq. 13", sign=-1)

    @classmethod
    def components(cls) -> tuple[Component, ...]:
        return components_of(cls)

    @property
    def total(self):
        """TC of Eq. 1 (EUR): the signed sum of the components."""
        return signed_total(self)

    def as_dict(self) -> dict:
        """Components by name (the ``cost`` object of the JSON output, docs/model.md)."""
        return {c.name: getattr(self, c) for c in self.components()}

    def take(self, index) -> "CostBreakdown":
        """The breakdown of some elements of a vectorised result."""
        return type(self)(**{k: np.asarray(v)[index] for k, v in self.as_dict().items()})


def cost_components() -> tuple[Component, ...]:
    """The cost components, in order, with their metadata: the one list every table uses.

    >>> [(c.name, c.sign) for c in cost_components()][-2:]
    [('investment', 1), ('benefit', -1)]
    """
    return CostBreakdown.components()


#: The cost components (names with metadata) of :class:`CostBreakdown`.
COST_COMPONENTS = cost_components()


def benefit(benefit_per_part_year, total_demand, years):
    """Benefit ``B = bp * n * T / 2`` (thesis Eq. 13)."""
    return np.asarray(benefit_per_part_year) * total_demand * years / 2.0
