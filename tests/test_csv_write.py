"""The CSV writer's vectorised number formatting gives, byte for byte, the documented format.

The reference is the rule :func:`amspares.portfolio.csv._number_words` documents, written
out value by value in plain Python: NaN is empty, 0 is ``0``; ``1e-6 <= |x| < 1e15`` is
rounded to 12 significant digits as the integer ``m = rint(|x| * 10**d)`` with
``d = min(max(11 - floor(log10|x|), 0), 17)`` decimals (``floor(log10|x|)`` as numpy's
``log10`` gives it) and written in plain notation without trailing fraction zeros; every
other number is Python's ``repr``. Whole numbers are exact: ``str(int(x))``, checked
against Python too. The rows of a chunk are the reference fields joined by commas.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amspares.portfolio import csv as C
from amspares.portfolio.chunks import ChunkResult
from engines import engine  # noqa: F401  (every test: both CSV engines)


def _reference_texts(values) -> list[str]:
    v = np.asarray(values, dtype=float).ravel()
    a = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log10(np.where((a >= 1e-6) & (a < 1e15), a, 1.0))).astype(int).tolist()
    out = []
    for x, ex in zip(v.tolist(), e):
        if math.isnan(x):
            out.append("")
        elif x == 0:
            out.append("0")
        elif not 1e-6 <= abs(x) < 1e15:
            out.append(repr(x))
        else:
            d = min(max(11 - ex, 0), 17)
            m = int(np.rint(abs(x) * float(10 ** d)))
            whole, frac = divmod(m, 10 ** d)
            text = ("-" if x < 0 else "") + str(whole)
            if frac:
                text += "." + str(frac).rjust(d, "0").rstrip("0")
            if x == int(x):
                assert text == str(int(x)), (x, text)      # whole numbers: exact (Python's str)
            out.append(text)
    return out


def _texts(values) -> list[str]:
    return [bytes(r[r > 0]).decode() for r in C.format_numbers(np.asarray(values, dtype=float))]


def _awkward() -> list[float]:
    """Boundaries: powers of ten and their neighbours (where log10 rounds), the [1e-6, 1e15)
    plain-notation limits, rounding to 12 digits that carries into a new digit, subnormals,
    signed zeros, whole numbers at the small-number table's limits, inf."""
    vals = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
            -1.7976931348623157e308, math.inf, -math.inf, 1e-6, 1e15, 999999999999999.0,
            999999999999999.5, 999999999999999.9, 99999.0, -99999.0, 100000.0, -100000.0,
            999.0, -99.0, 1000.0, -100.0, 9.9999999999995e-5, 9.99999999999949e-5,
            9.9999999999995, 0.99999999999995, 99999999999.9995, 999999999999.5,
            123456789012.5, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 2.5, 0.5, 1.5e-6, 4503599627370495.5]
    for k in range(-8, 17):
        p = float(f"1e{k}")
        vals += [p, np.nextafter(p, 0.0), np.nextafter(p, np.inf), p * (1 - 1e-13), p * (1 + 1e-13),
                 p * (1 - 6e-13), p * 9.9999999999995, p * 1.0000000000005]
    for k in range(0, 17):          # rounding half-way at the 12th digit
        vals += [float(f"1.00000000000{d}5e{k}") for d in range(10)]
    return vals + [-x for x in vals]


def test_awkward_numbers_match_the_reference():
    vals = _awkward()
    assert _texts(vals) == _reference_texts(vals)
    assert "nan" not in "".join(_texts([math.nan, 1.0])) and _texts([math.nan, 1.0]) == ["", "1"]


def test_random_numbers_match_the_reference():
    rng = np.random.default_rng(15)
    n = 60_000
    mag = 10.0 ** rng.uniform(-9, 18, n)
    v = np.concatenate([
        rng.choice([-1.0, 1.0], n) * mag,
        np.round(rng.gamma(0.6, 200.0, n) * (p := 10.0 ** rng.integers(0, 13, n))) / p,   # few decimals
        rng.integers(-10 ** 15, 10 ** 15, n).astype(float),                # whole, wide
        rng.integers(-120_000, 120_000, n).astype(float),                  # around the table
        rng.random(n),
        np.frombuffer(rng.bytes(8 * n), dtype=np.float64),                 # any bit pattern
    ])
    v[rng.random(v.size) < 0.02] = np.nan
    assert _texts(v) == _reference_texts(v)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
                          st.sampled_from(_awkward()),
                          st.integers(-10 ** 16, 10 ** 16).map(float),
                          st.integers(-200, 1000).map(float)), min_size=1, max_size=40))
def test_any_column_matches_the_reference(values):
    # one column at a time, as written: the column decides the widths and the table path
    assert _texts(values) == _reference_texts(values)


def test_small_whole_columns_take_the_table_and_match_python():
    rng = np.random.default_rng(7)
    for lo, hi in ((-99, 999), (-99_999, 99_999), (0, 15)):
        v = rng.integers(lo, hi + 1, 5000).astype(float)
        v[::17] = np.nan
        assert C._small_int_words(v, C._tables(0, 12)) is not None
        assert _texts(v) == ["" if math.isnan(x) else str(int(x)) for x in v.tolist()]
    assert C._small_int_words(np.array([1.0, 100_000.0]), C._tables(0, 12)) is None
    assert C._small_int_words(np.array([1.0, 0.5]), C._tables(0, 12)) is None


def test_decimals_follow_numpy_log10_at_every_power_of_ten():
    # the exponent is found without log10 except within 1e-12 of a power of ten: compare
    # with floor(log10) itself on the neighbours of every power of ten in [1e-6, 1e15)
    vals = []
    for k in range(-6, 16):
        p = float(f"1e{k}")
        x = p
        for _ in range(6000):               # thousands of ulps on either side
            x = np.nextafter(x, 0.0)
        below = [x]
        for _ in range(12000):
            below.append(np.nextafter(below[-1], np.inf))
        vals += below
    rng = np.random.default_rng(3)
    vals += (10.0 ** rng.uniform(-6, 15, 200_000)).tolist()
    a = np.array([x for x in vals if 1e-6 <= x < 1e15])
    want = np.clip(11 - np.floor(np.log10(a)).astype(np.int64), 0, 17)
    assert np.array_equal(C._decimals(a, 12, C._tables(0, 12)), want)


def _chunk(rng: np.random.Generator, n: int, methods: list[str]) -> tuple[ChunkResult, list[str]]:
    names = ["regular.S", "regular.total_cost", "regular.fill_rate", "am_mto.mean_wait_days",
             "am_mto.price_to_win"]
    cols = {
        "regular.S": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 30, n).astype(float)),
        "regular.total_cost": rng.gamma(0.6, 2000.0, n),
        "regular.fill_rate": np.where(rng.random(n) < 0.1, 1.0, 1 - rng.random(n) ** 3 / 8),
        "am_mto.mean_wait_days": np.where(rng.random(n) < 0.3, 0.0, rng.random(n) * 1e-3),
        "am_mto.price_to_win": np.where(rng.random(n) < 0.05, np.nan,
                                        rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-8, 16, n)),
    }
    skus = [rng.choice(["SKU-", "=cmd", "-7", "a,b", 'q"x', "Größe ", "x\ny", ""]) + str(i) for i in range(n)]
    errors = [rng.choice(["", "", "", "row 3, demand.rate_per_year = -1: must be >= 0", '"quoted", too'])
              for _ in range(n)]
    idx = lambda: rng.integers(-1, len(methods), n)                     # noqa: E731
    res = ChunkResult(row_numbers=list(range(2, n + 2)), sku=skus, rate=rng.gamma(1.0, 3.0, n),
                      columns=cols, cheapest=idx(), lowest_impact=idx(), saving=rng.gamma(0.5, 1e3, n),
                      errors=errors, carried={"plant": [rng.choice(["P1", "+P2", "P,3", ""]) for _ in range(n)]},
                      lowest_impact_co2e=idx())
    header = ["sku", "plant", "demand.rate_per_year", *names, "cheapest", "lowest_impact",
              "lowest_impact_co2e", "saving", "error"]
    return res, header


def _reference_csv(res: ChunkResult, methods: list[str], header: list[str]) -> bytes:
    def text(t: str) -> str:
        t = C.escape_text(t)
        return '"' + t.replace('"', '""') + '"' if any(ch in t for ch in ',"\n\r') else t

    carried = list(res.carried.values())
    columns = [[text(s) for s in res.sku]] + [[text(s) for s in c] for c in carried]
    columns.append(_reference_texts(res.rate))
    columns += [_reference_texts(res.columns[name]) for name in header[2 + len(carried):-5]]
    for idx in (res.cheapest, res.lowest_impact, res.lowest_impact_co2e):
        columns.append([C.escape_text(methods[i]) if i >= 0 else "" for i in idx.tolist()])
    columns.append(_reference_texts(res.saving))
    columns.append([text(e) for e in res.errors])
    return "".join(",".join(row) + "\n" for row in zip(*columns)).encode("utf-8")


@pytest.mark.parametrize("block", [7, 1 << 14])
def test_chunk_rows_are_the_reference_fields_joined(monkeypatch, block):
    monkeypatch.setattr(C, "WRITE_BLOCK", block)
    methods = ["regular", "am_mts", "=am_mto"]
    rng = np.random.default_rng(block)
    res, header = _chunk(rng, 3000, methods)
    assert C.csv_chunk_bytes(res, methods, header) == _reference_csv(res, methods, header)
    one = dataclasses.replace(res, sku=["A"], rate=res.rate[:1], cheapest=res.cheapest[:1],
                              lowest_impact=res.lowest_impact[:1], saving=res.saving[:1],
                              errors=[""], carried={"plant": [""]},
                              lowest_impact_co2e=res.lowest_impact_co2e[:1],
                              columns={k: v[:1] for k, v in res.columns.items()})
    assert C.csv_chunk_bytes(one, methods, header) == _reference_csv(one, methods, header)
