"""A naive, thesis-style pure-Python implementation: the baseline of ``bench_core.py``.

What a spreadsheet or a first script would do, one SKU at a time:

* Erlang C (thesis Eq. 5) from factorials: ``u^S/S! * S/(S-u) / (sum_{k<S} u^k/k! + ...)``;
* S* (thesis Eq. 14) two ways: the thesis's way, a table of TC(S) (Eq. 1, 7-13) over a
  fixed range of S (its Fig. 13 tabulates S = 0..15; here 0..30 so that the table holds
  every S* of the benchmark's population, max 19) and its minimum; and a loop over
  S = 0, 1, 2, ... with the stopping rule of docs/model.md section 3.1 (the same model work as the core, so
  the ratio against it is the gain of vectorisation alone);
* (s,Q) E[OH] and E[BO] from the thesis's X-by-U matrix (Eq. 21-26): lead-time demand
  X ~ Poisson(u) by rows, inventory position U ~ uniform{1..Q} by columns.

Not used by the package; also a second, independent implementation of the formulas
(``bench_core.py`` checks that both give the same S* on its sample).
"""

from __future__ import annotations

import math


def erlang_c(S: int, u: float) -> float:
    """Erlang C by factorials (thesis Eq. 5); 1 when S <= u."""
    if S <= u:
        return 1.0
    below = sum(u ** k / math.factorial(k) for k in range(S))
    top = u ** S / math.factorial(S) * S / (S - u)
    return top / (below + top)


def total_cost(S, rate, years, price, lead, ce, h, tr_in, tr_out):
    """TC(S) of thesis Eq. 1, 7-13 (production rule "demand", Erlang C wait)."""
    n = rate * years
    u = rate * lead
    if S == 0:
        w = lead
    elif u >= S:
        return math.inf
    else:
        w = erlang_c(S, u) * lead / (S - u)
    cd = 365.0 * w * n * ce if n * ce else 0.0
    ch = h * S * years
    cp = n * price
    cr = price * S
    ctr = (cp + cr) * tr_in + n * tr_out
    return cd + ch + cp + cr + ctr


def optimal_base_stock(rate, years, price, lead, ce, h, tr_in, tr_out):
    """S* = argmin TC(S) (thesis Eq. 14): S = 0, 1, ... until h T + cp (1 + Tr_in) per
    unit of S alone exceeds the best total found (the stopping rule of docs/model.md section 3.1)."""
    unit = h * years + price * (1.0 + tr_in)
    fixed = rate * years * (price * (1 + tr_in) + tr_out)
    best_s, best = 0, math.inf
    S = 0
    while True:
        tc = total_cost(S, rate, years, price, lead, ce, h, tr_in, tr_out)
        if tc < best:
            best_s, best = S, tc
        if fixed + unit * (S + 1) >= best:
            return best_s, best
        S += 1


def optimal_base_stock_table(rate, years, price, lead, ce, h, tr_in, tr_out, s_max=30):
    """S* = argmin TC(S) over the table S = 0..s_max, the thesis's spreadsheet way."""
    table = [total_cost(S, rate, years, price, lead, ce, h, tr_in, tr_out) for S in range(s_max + 1)]
    best = min(table)
    return table.index(best), best


def poisson_pmfs(m: float, xmax: int) -> list[float]:
    """P(X = x) for x = 0..xmax (like a column of Excel's POISSON.DIST)."""
    probs = [math.exp(-m)]
    for x in range(1, xmax + 1):
        probs.append(probs[-1] * m / x)
    return probs


def sq_on_hand_backorders(s: int, Q: int, u: float):
    """E[OH], E[BO] of an (s,Q) policy from the X-by-U matrix (thesis Eq. 21-26)."""
    xmax = int(s + Q + u + 10 * math.sqrt(u) + 20)
    probs = poisson_pmfs(u, max(xmax, 0))
    oh = bo = 0.0
    for U in range(1, Q + 1):
        for x, p in enumerate(probs):
            level = s + U - x
            if level > 0:
                oh += level * p
            else:
                bo += -level * p
    return oh / Q, bo / Q
