"""The CSV engine's fast paths give exactly what the text path gives.

The reference is the text path itself (``normalise_numbers`` then ``rules.to_numbers``,
i.e. Python's ``float``): every cell read from the bytes must be bit-identical to it,
including the sign of zero, and every other cell must get the same reason.
"""

from __future__ import annotations

import numpy as np
import pytest

from amspares import rules
from amspares.portfolio.columns import normalise_numbers
from amspares.portfolio.csv import _SplitLater
from engines import engine  # noqa: F401  (every test: both CSV engines)


def _cells(rng: np.random.Generator, n: int) -> list[str]:
    """Random numeric-looking cells: plain decimals of 1-18 digits, signs, marks, oddities."""
    out = []
    odd = ["", " 7", "1e3", "nan", "inf", "-", ".", "+.5", "5.", "1_000", "0x10", "1.2.3",
           "--1", "٣", "1 234", "1,5", "1.234,5", "00012", "-0", "+0.000", "9" * 15, "9" * 16,
           "0." + "0" * 14 + "1", "12345678901234.5", "1234567890123456.7", "abc", "\x0b5"]
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            out.append(odd[rng.integers(len(odd))])
            continue
        digits = "".join(rng.choice(list("0123456789"), rng.integers(1, 19)))
        k = rng.integers(0, len(digits) + 1)
        mark = rng.choice([".", ","]) if rng.random() < 0.7 else ""
        text = digits[:k] + mark + digits[k:] if mark else digits
        out.append(rng.choice(["", "-", "+"], p=[0.8, 0.15, 0.05]) + text)
    return out


def _reference(cells: list[str], decimal):
    hints: set = set()
    if decimal is not None:
        cells, hints = normalise_numbers(cells, decimal)
    v, why = rules.to_numbers(cells, all_text=True)
    return v, why, hints


@pytest.mark.parametrize("decimal", [".", ",", None])
@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_numbers_from_bytes_are_bit_identical_to_float(decimal, delimiter):
    _assert_read_as_the_text_path(_cells(np.random.default_rng(15), 6_000), decimal, delimiter)


def _assert_read_as_the_text_path(cells: list[str], decimal, delimiter: str = ";") -> None:
    data = "\n".join(f"SKU-{i}{delimiter}{c}" for i, c in enumerate(cells)).encode()
    col = _SplitLater(data, delimiter, 2).columns()[1]
    assert col.texts() == cells
    v, why, hints = col.read_numbers(decimal)
    v0, why0, hints0 = _reference(cells, decimal)
    assert why.tolist() == why0.tolist()
    assert hints == hints0
    assert np.array_equal(v, v0, equal_nan=True)
    assert (np.signbit(v) == np.signbit(v0)).all()          # -0 stays -0


def test_text_columns_keep_every_character():
    cells = ["SKU-1", "Größe 7", "", "a\x00b", "x" * 40, "日本"]
    data = "\n".join(f"{c},1" for c in cells).encode()
    col = _SplitLater(data, ",", 2).columns()[0]
    assert col.texts() == cells
    assert [col[i] for i in range(len(cells))] == cells
    ascii_only = ["A1", "", "B22", "C"]
    col = _SplitLater("\n".join(f"{c},1" for c in ascii_only).encode() + b"\n", ",", 2).columns()[0]
    assert col.texts() == ascii_only


def test_numbers_written_with_12_significant_digits():
    """Every written number reads back within half a unit of its 12th significant digit,
    in plain notation with at most 12 significant digits and no trailing fraction zeros;
    whole numbers are exact. (The definition of the CSV number format, checked value by value.)"""
    from amspares.portfolio.csv import format_numbers

    rng = np.random.default_rng(12)
    v = np.concatenate([rng.gamma(0.6, 200.0, 4000), rng.standard_normal(4000) * 10.0 ** rng.integers(-6, 15, 4000),
                        np.round(rng.random(2000) * 1e4, 3), rng.integers(-10**14, 10**14, 2000).astype(float),
                        [0.0, -0.0, 1e-6, 0.5, 999999999999999.0, 123456789012.5, 99999.5, 100000.0]])
    texts = [bytes(r[r > 0]).decode() for r in format_numbers(v)]
    for x, t in zip(v.tolist(), texts):
        if x != 0 and not 1e-6 <= abs(x) < 1e15:     # outside: Python's repr, as documented
            assert t == repr(x), (x, t)
            continue
        assert "e" not in t and not t.startswith("+"), (x, t)
        digits = t.lstrip("-").replace(".", "").lstrip("0")
        if "." in t:
            assert not t.endswith("0") and not t.endswith("."), (x, t)
            assert len(digits) <= 12, (x, t)
        if x == int(x) and abs(x) < 1e15 and "." not in t:
            assert float(t) == x, (x, t)
        else:
            assert abs(float(t) - x) <= 5e-12 * abs(x), (x, t)
        assert t == "0" or not t.lstrip("-").startswith("0") or t.lstrip("-").startswith("0."), (x, t)


def test_a_sku_repeated_in_a_later_chunk_is_reported(tmp_path):
    # the duplicate check skips the row-by-row loop for chunks without a repeat: a repeat
    # across chunks must still be found (rows 2 and 5, chunks of two rows)
    from amspares.portfolio import run_portfolio
    from amspares.scenario import load_scenario

    cat = tmp_path / "c.csv"
    cat.write_text("sku,demand.rate_per_year\nA,1\nB,2\nC,3\nA,4\nD,5\n")
    rep = run_portfolio(cat, tmp_path / "o.csv", load_scenario(), chunk_rows=2)
    assert rep.warnings == ["SKU 'A' appears on rows 2 and 5 (both are evaluated)"]
    assert rep.warning_count == 1


def test_repeats_within_and_across_chunks_are_reported_in_row_order(tmp_path):
    # the SKU index keeps a set while no SKU repeats and switches to first rows at the first
    # repeat: the warnings must be those of a row-by-row look-up (written out here by hand)
    from amspares.portfolio import run_portfolio
    from amspares.scenario import load_scenario

    cat = tmp_path / "c.csv"
    cat.write_text("sku,demand.rate_per_year\nA,1\nB,2\nC,3\nD,4\nB,5\nE,6\nA,7\nB,8\nF,9\n")
    rep = run_portfolio(cat, tmp_path / "o.csv", load_scenario(), chunk_rows=3)
    assert rep.warnings == ["SKU 'B' appears on rows 3 and 6 (both are evaluated)",
                            "SKU 'A' appears on rows 2 and 8 (both are evaluated)",
                            "SKU 'B' appears on rows 3 and 9 (both are evaluated)"]
    assert rep.warning_count == 3


def _short_cells(rng: np.random.Generator, n: int) -> list[str]:
    """Cells of 1 to 9 bytes (the eight-bytes-at-a-time path and its edge), every mark
    position, signs, and bytes that are nearly digits ('/' and ':' border '0' and '9')."""
    alphabet = list("0123456789") * 4 + list("./:,-+ e") + ["\u00e9", "\u0663"]
    out = []
    for _ in range(n):
        k = int(rng.integers(1, 10))
        out.append("".join(rng.choice(alphabet, k)))
        if rng.random() < 0.5:            # mostly well-formed: digits with one mark somewhere
            digits = "".join(rng.choice(list("0123456789"), int(rng.integers(1, 9))))
            cut = int(rng.integers(0, len(digits) + 1))
            sign = rng.choice(["", "-", "+"], p=[0.7, 0.2, 0.1])
            out[-1] = (sign + digits[:cut] + rng.choice([".", ",", ""]) + digits[cut:])[:9]
    return out


@pytest.mark.parametrize("decimal", [".", ","])
def test_short_cells_read_eight_bytes_at_a_time_are_bit_identical_to_float(decimal):
    _assert_read_as_the_text_path(_short_cells(np.random.default_rng(8), 20_000), decimal)


def test_choice_cells_decoded_once_per_distinct_cell_keep_every_character():
    # texts(few=True) decodes each distinct cell once; it must give texts() exactly, with
    # NUL bytes, non-ASCII, cells of 8 and 9 bytes (the long way) and empty cells
    cells = ["exact", "", "erlang_c", "exakt", "\u00e9x", "ex\x00", "exact", "12345678", "", "ex"]
    for extra in ([], ["123456789"]):
        data = "\n".join(f"S{i};{c}" for i, c in enumerate(cells + extra)).encode()
        few = _SplitLater(data, ";", 2).columns()[1].texts(few=True)
        assert few == cells + extra


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 22])
def test_line_blocks_take_the_lines_the_file_iterator_gives(monkeypatch, block):
    import io
    import itertools

    from amspares.portfolio.csv import _LineBlocks

    monkeypatch.setattr(_LineBlocks, "BLOCK", block)
    rng = np.random.default_rng(block)
    for trial in range(30):
        lines = [b"x" * int(rng.integers(0, 12)) + b"\n" for _ in range(int(rng.integers(0, 60)))]
        data = b"".join(lines) + (b"tail" if trial % 3 == 0 else b"")
        pending = int(rng.integers(0, 4))
        f = io.BytesIO(data)
        it = iter(f)
        first = list(itertools.islice(it, pending))
        reader = _LineBlocks(f, first)
        want_it = iter(io.BytesIO(data))
        while True:
            k = int(rng.integers(1, 9))
            got, want = reader.take(k), b"".join(itertools.islice(want_it, k))
            assert got == want
            if not want:
                break
