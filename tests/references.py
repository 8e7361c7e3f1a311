"""Independent reference implementations shared by the tests (never the core's code).

Each is written from the textbook definition in mpmath's arbitrary precision, so an
expected number computed here does not depend on amspares' own numerics.
"""

import mpmath


def mp_erlang_c(S, u, digits=50):
    """Erlang C from its textbook definition with factorials (thesis Eq. 5), in ``digits``
    decimal digits; 1 when the queue is unstable (S <= u), as spec section 7 defines it.

    >>> round(float(mp_erlang_c(5, 2 * 86 / 365)), 14)     # spec section 8
    0.00013345406250
    """
    with mpmath.workdps(digits):
        a = mpmath.mpf(u)
        if S <= a:
            return mpmath.mpf(1)
        top = a ** S / mpmath.factorial(S) * S / (S - a)
        return top / (mpmath.fsum(a ** k / mpmath.factorial(k) for k in range(S)) + top)
