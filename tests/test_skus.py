"""The repeated-SKU check (amspares.portfolio.skus) against plain Python.

References: the hash against Python's exact integers (the polynomial in the SKU's 64-bit
words written out, reduced modulo 2**64); the repeats against a dict of first rows over the rows in file order (what
the check did before it hashed). A hash with many collisions (multiplier 1: SKUs whose
words are the same words in another order collide) must give the same repeats: the bytes decide, not the hash.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amspares.portfolio import skus as S


def reference_hash(b: bytes) -> int:
    """``(sum_j w_j Q**j) * Q + len`` modulo 2**64, ``w_j`` the j-th 8 bytes (little-endian)."""
    padded = b + bytes(-len(b) % 8)
    words = [int.from_bytes(padded[i:i + 8], "little") for i in range(0, len(padded), 8)]
    return (sum(w * S._Q ** j for j, w in enumerate(words)) * S._Q + len(b)) % 2 ** 64


def reference_repeats(chunks: list[tuple[list[bytes], list[int]]]) -> list[tuple[bytes, int, int]]:
    first, found = {}, []
    for skus, rows in chunks:
        for sku, row in zip(skus, rows):
            if sku:
                earlier = first.setdefault(sku, row)
                if earlier != row:
                    found.append((sku, earlier, row))
    return found


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.text(max_size=2 * S.WIDE), max_size=30))
def test_hash_is_the_polynomial_modulo_two_to_the_64(cells):
    # text up to twice WIDE characters: SKUs hashed in the matrix and one by one
    keys = S.sku_keys(cells)
    encoded = [c.encode("utf-8", "surrogatepass") for c in cells]
    assert keys.hashes.tolist() == [reference_hash(c) for c in encoded]
    assert keys.bytes_of(np.arange(len(cells))) == encoded


def _catalogue(seed: int, chunks: int = 4, rows: int = 50):
    rng = random.Random(seed)
    pool = [b"", b"A", b"AB", b"BA", b"a\0", b"a", "Gr\u00f6\u00dfe".encode(), b"w" * 70, b"w" * 71] + \
        [f"SKU-{i}".encode() for i in range(40)]
    out, row = [], 2
    for _ in range(chunks):
        skus = [rng.choice(pool) for _ in range(rows)]
        out.append((skus, list(range(row, row + rows))))
        row += rows + rng.randrange(3)          # rows may be skipped (blank lines)
    return out


def _index(chunks) -> S.SkuIndex:
    index = S.SkuIndex()
    for skus, rows in chunks:
        index.add(S.sku_keys([s.decode("utf-8", "surrogateescape") for s in skus]), range(rows[0], rows[-1] + 1))
    return index


@pytest.mark.parametrize("seed", range(5))
def test_repeats_are_the_first_rows_in_file_order(seed):
    chunks = _catalogue(seed)
    expected = reference_repeats(chunks)
    assert expected                                   # the test can fail: there are repeats
    assert _index(chunks).repeats(10 ** 6) == (len(expected), expected)
    assert _index(chunks).repeats(3) == (len(expected), expected[:3])


def test_colliding_hashes_are_told_apart_by_the_bytes(monkeypatch):
    monkeypatch.setattr(S, "_Q", 1)
    ab, ba = b"AAAAAAAABBBBBBBB", b"BBBBBBBBAAAAAAAA"
    chunks = [([ab, ba, ab, b"C", ba], [2, 3, 4, 5, 6])]
    keys = S.sku_keys([ab.decode(), ba.decode()])
    assert keys.hashes[0] == keys.hashes[1]           # they collide
    assert _index(chunks).repeats(10) == (2, [(ab, 2, 4), (ba, 3, 6)])


def test_no_repeats_and_no_chunks():
    assert S.SkuIndex().repeats(5) == (0, [])
    assert _index([([b"A", b"B", b"", b""], [2, 3, 4, 5])]).repeats(5) == (0, [])   # empty SKUs never count
