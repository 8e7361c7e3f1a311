"""Root finding on the model: where two methods' totals (or impacts) are equal.

:func:`find_breakeven` brackets the first sign change of ``lhs(x) - rhs(x)`` on a coarse
grid and refines it with :func:`scipy.optimize.brentq` on the continuous model. The
result, a :class:`BreakEven`, also says which method is lower (cheaper, greener) on
each side of the value, so a sentence about it can be right in both directions. Pure
numpy/scipy, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from scipy.optimize import brentq

REL_TOL = 1e-9          # both sides of a reported break-even agree to this (relative)


@dataclass(frozen=True)
class BreakEven:
    """A break-even of a swept quantity x between two methods.

    ``value`` is the x where both are equal (None when they do not cross in range);
    ``below`` is the method that is lower (cheaper or greener) just below ``value`` and
    ``above`` the one lower just above it. Without a crossing, ``below`` and ``above``
    are both the method that is lower throughout (None where unknown or not applicable).
    ``reason`` is the root finder's note (a jump, a whole-number crossing); ``jump`` marks a
    value where the model jumps across equality (a discontinuity, not a root). ``why``
    names, for the situation that asked, why there is no value (or a note about it) and
    ``facts`` holds its numbers; :func:`amspares.wording.reason_text` words both.
    """

    value: float | None
    reason: str = ""
    jump: bool = False
    below: str | None = None
    above: str | None = None
    why: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)


def find_breakeven(sides: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], grid,
                   *, names: Sequence[str] = ("lhs", "rhs"),
                   discrete_below: float = -math.inf) -> BreakEven:
    """The smallest x on ``grid``'s span where ``lhs(x) = rhs(x)``, by bracketing + brentq.

    ``sides(x)`` evaluates the model at an array of x and returns ``(lhs, rhs)``;
    ``names`` names the two sides (the lower one is the winner: ``below`` / ``above``).
    The model is evaluated at every grid point; the first interval where ``lhs - rhs``
    changes sign is refined with :func:`scipy.optimize.brentq` on the continuous model. If
    the two sides still differ by more than 1e-9 (relative) at the limit, the model jumps
    across equality there (a discontinuity): the jump point is returned with
    ``jump=True``. Where the model is only defined on whole numbers (x below
    ``discrete_below``), the first grid point past the sign change is returned as a jump.

    Examples
    --------
    >>> be = find_breakeven(lambda x: (x ** 2, np.full_like(x, 2.0)), [0.0, 1.0, 2.0],
    ...                     names=("square", "two"))
    >>> round(be.value, 12), be.jump, be.below, be.above
    (1.414213562373, False, 'square', 'two')
    >>> find_breakeven(lambda x: (np.floor(x), np.full_like(x, 1.5)), [0.0, 4.0]).jump
    True
    >>> none = find_breakeven(lambda x: (x, x - 1.0), [0.0, 4.0], names=("a", "b"))
    >>> none.value is None, none.below, none.above
    (True, 'b', 'b')
    """
    g = np.asarray(grid, dtype=float)
    d = np.empty(0)

    def lower(diff: float) -> str | None:
        return names[0] if diff < 0 else names[1] if diff > 0 else None

    for i in range(len(g)):
        if i + 1 >= d.size and d.size < g.size:    # evaluate the grid in growing chunks
            chunk = g[d.size:d.size + 64]
            lhs, rhs = sides(chunk)
            d = np.concatenate([d, np.asarray(lhs, dtype=float) - np.asarray(rhs, dtype=float)])
            ok = np.isfinite(d)
        if ok[i] and d[i] == 0.0:
            before = lower(d[i - 1]) if i > 0 and ok[i - 1] else None
            after = lower(d[i + 1]) if i + 1 < d.size and ok[i + 1] else None
            return BreakEven(float(g[i]), below=before, above=after)
        if i + 1 < len(g) and ok[i] and ok[i + 1] and np.sign(d[i]) * np.sign(d[i + 1]) < 0:
            a, b = float(g[i]), float(g[i + 1])
            who = dict(below=lower(d[i]), above=lower(d[i + 1]))
            if b <= discrete_below:
                return BreakEven(b, f"defined only at whole numbers here: equality is crossed "
                                    f"between {a:g} and {b:g}", jump=True, **who)

            def f(x):
                lo, hi = sides(np.array([x]))
                return float(np.asarray(lo)[0] - np.asarray(hi)[0])

            x = brentq(f, a, b, xtol=1e-13 * max(1.0, abs(a), abs(b)), rtol=4 * np.finfo(float).eps,
                       maxiter=500)
            lo, hi = (float(np.asarray(v)[0]) for v in sides(np.array([x])))
            if abs(lo - hi) <= REL_TOL * max(abs(lo), abs(hi), 1e-300):
                return BreakEven(float(x), **who)
            return BreakEven(float(x), f"the model jumps across equality at {x:.10g} "
                                       f"({lo:.6g} vs {hi:.6g} there): a discontinuity, not a root",
                             jump=True, **who)
    finite = d[np.isfinite(d)] if d.size else d
    winner = lower(finite[0]) if finite.size else None
    return BreakEven(None, "", below=winner, above=winner)
