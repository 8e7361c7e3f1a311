"""Independent reference implementations shared by the tests (never the core's code).

Each is written from the textbook definition in mpmath's arbitrary precision, so an
expected number computed here does not depend on amspares' own numerics.
"""

import mpmath


def mp_erlang_c(S, u, digits=50):
    """Erlang C from its textbook definition with factorials (thesis Eq. 5), in ``digits``
    decimal digits; 1 when the queue is unstable (S <= u), as docs/model.md section 7 defines it.

    >>> round(float(mp_erlang_c(5, 2 * 86 / 365)), 14)     # docs/model.md section 8
    0.00013345406250
    """
    with mpmath.workdps(digits):
        a = mpmath.mpf(u)
        if S <= a:
            return mpmath.mpf(1)
        top = a ** S / mpmath.factorial(S) * S / (S - a)
        return top / (mpmath.fsum(a ** k / mpmath.factorial(k) for k in range(S)) + top)


def mp_poisson_pmf(k, m, digits=50):
    """``P(X = k)``, ``X ~ Poisson(m)``, from ``exp(-m + k log m - log k!)`` in ``digits`` digits.

    >>> round(float(mp_poisson_pmf(2, 2.0)), 15)
    0.270670566473225
    """
    with mpmath.workdps(digits):
        m = mpmath.mpf(m)
        if k < 0:
            return mpmath.mpf(0)
        if m == 0:
            return mpmath.mpf(1 if k == 0 else 0)
        return mpmath.exp(-m + k * mpmath.log(m) - mpmath.loggamma(k + 1))


def mp_poisson_cdf(k, m, digits=50):
    """``P(X <= k)`` as the regularised upper incomplete gamma ``Q(k + 1, m)``.

    >>> round(float(mp_poisson_cdf(0, 2.0)), 15)     # e^-2
    0.135335283236613
    """
    with mpmath.workdps(digits):
        if k < 0:
            return mpmath.mpf(0)
        return mpmath.gammainc(k + 1, mpmath.mpf(m), mpmath.inf, regularized=True)


def mp_loss(y, m, digits=50):
    """First-order loss ``E[(X - y)^+]`` by its definition, ``sum_{x > y} (x - y) P(X = x)``
    (``mpmath.nsum`` to infinity).

    >>> round(float(mp_loss(0, 2.5)), 12)
    2.5
    """
    with mpmath.workdps(digits):
        m = mpmath.mpf(m)
        if m == 0:
            return mpmath.mpf(max(-y, 0))
        start = max(int(y) + 1, 0)
        return mpmath.nsum(lambda x: (x - y) * mpmath.exp(-m + x * mpmath.log(m) - mpmath.loggamma(x + 1)),
                           [start, mpmath.inf])


def mp_excess_wait_exact(S, lam, L, w, digits=30):
    """``E[(delay - w)^+]`` (years) of a base-stock system with deterministic lead time L, as
    the integral of its survival function: under FIFO a demand is filled by the order placed
    S demands earlier, so ``P(delay > t) = P(Poisson(lam (L - t)) >= S)`` for ``0 <= t < L``
    (0 beyond L). Integrated numerically with ``mpmath.quad`` -- independent of the closed
    form ``E[(Poisson(u_w) - S)^+] / lam``.

    >>> round(float(mp_excess_wait_exact(0, 2.0, 0.25, 0.0)), 12)   # S = 0: everyone waits L
    0.25
    """
    with mpmath.workdps(digits):
        lam, L, w = mpmath.mpf(lam), mpmath.mpf(L), mpmath.mpf(w)
        if w >= L:
            return mpmath.mpf(0)

        def surv(t):
            if S == 0:
                return mpmath.mpf(1)
            return mpmath.gammainc(S, 0, lam * (L - t), regularized=True)   # P(Poisson >= S)
        return mpmath.quad(surv, [w, (w + L) / 2, L])


def mp_excess_wait_erlang(S, lam, L, w, digits=30):
    """``E[(Wq - w)^+]`` (years) of an M/M/S queue with mean service L: the integral from w
    to infinity of ``P(Wq > t) = Ec exp(-(S/L - lam) t)`` (``mpmath.quad``), with Ec from
    :func:`mp_erlang_c`; S = 0 (no server: every demand waits L) gives ``(L - w)^+``.

    >>> round(float(mp_excess_wait_erlang(1, 2.0, 0.25, 0.0)), 12)   # M/M/1: rho L / (1 - rho)
    0.25
    """
    with mpmath.workdps(digits):
        lam, L, w = mpmath.mpf(lam), mpmath.mpf(L), mpmath.mpf(w)
        if S == 0:
            return max(L - w, mpmath.mpf(0))
        ec = mp_erlang_c(S, lam * L, digits)
        rate = S / L - lam
        return mpmath.quad(lambda t: ec * mpmath.exp(-rate * t), [w, mpmath.inf])
