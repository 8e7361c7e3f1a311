"""Repeated SKUs in a catalogue: each row is evaluated, a repeat is reported as a warning.

A million SKUs as Python ``bytes`` in a set cost about 0.3 CPU-s and 100 MB; here each
chunk's SKUs are kept as a matrix of their UTF-8 bytes (eight to a 64-bit word) with a
64-bit hash each (:func:`sku_keys`, in the chunk's own process); at the end
(:meth:`SkuIndex.repeats`) the hashes are sorted once, and only rows whose hash is shared
with another row are compared by their bytes. The hash decides nothing: two SKUs are the
same only when their bytes are (a hash shared by different SKUs costs one comparison more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

#: The hash's multiplier (odd).
_Q = 0x9E3779B97F4A7C15
#: SKUs longer than this many bytes are hashed one by one (a matrix as wide as the longest
#: SKU of a chunk would take rows x its length bytes).
WIDE = 64


def word_hashes(words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The hash of each row of ``words`` (a SKU's bytes, zero-padded, as little-endian
    64-bit words ``w_0 w_1 ...``): ``(sum_j w_j Q**j) * Q + length`` modulo 2**64.

    Words of zeros past a SKU's end add nothing, so the hash does not depend on how wide
    the matrix is; the length tells ``b"a"`` from ``b"a\\0"``.

    >>> w = np.frombuffer(b"ABCDEFGHI" + bytes(7), "<u8").reshape(1, 2)
    >>> w0, w1 = (int(x) for x in w[0])
    >>> int(word_hashes(w, np.array([9]))[0]) == ((w0 + w1 * _Q) * _Q + 9) % 2**64
    True
    """
    q = np.uint64(_Q)
    h = np.zeros(words.shape[0], dtype=np.uint64)
    for j in range(words.shape[1] - 1, -1, -1):          # Horner's rule from the last word
        h *= q
        h += words[:, j]
    h *= q
    h += np.asarray(lengths).astype(np.uint64)
    return h


def _words(cells: list[bytes], width: int) -> np.ndarray:
    """``(len(cells), width // 8)`` little-endian words of the cells (each at most ``width``
    bytes), zero-padded."""
    k = width // 8
    if not cells or not k:
        return np.zeros((len(cells), k), dtype="<u8")
    return np.array(cells, dtype=f"S{width}").view("<u8").reshape(len(cells), k)


@dataclass
class SkuKeys:
    """One chunk's SKUs: their bytes as words (rows longer than :data:`WIDE` bytes in
    ``wide`` instead, zero words here), their lengths and hashes."""

    words: np.ndarray            # (rows, k) little-endian uint64
    lengths: np.ndarray          # int64
    hashes: np.ndarray           # uint64
    wide: dict = field(default_factory=dict)      # row -> bytes, for SKUs over WIDE bytes

    def __len__(self) -> int:
        return self.lengths.size

    def bytes_of(self, rows) -> list[bytes]:
        """The SKUs of some rows, as bytes."""
        raw = self.words.view(np.uint8).reshape(len(self), 8 * self.words.shape[1])
        return [self.wide[i] if i in self.wide else raw[i, :n].tobytes()
                for i, n in zip(np.asarray(rows).tolist(), self.lengths[rows].tolist())]


def sku_keys(sku) -> SkuKeys:
    """The :class:`SkuKeys` of a chunk's SKU cells: a CSV chunk's column of bytes (read from
    its matrix of bytes, which the writer uses too; no decoding), or text (its UTF-8 bytes,
    ``surrogatepass``: any text has its bytes).

    >>> k = sku_keys(["A-1", "", "\\u00c4", "x" * 70])
    >>> k.bytes_of(np.arange(3)), k.lengths.tolist()
    ([b'A-1', b'', b'\\xc3\\x84'], [3, 0, 2, 70])
    """
    if hasattr(sku, "matrix"):
        lengths = np.asarray(sku.lengths, dtype=np.int64)
        width = int(lengths.max(initial=0))
        if width <= WIDE:
            m = sku.matrix(width)
            padded = np.zeros((len(lengths), -(-width // 8) * 8), dtype=np.uint8)
            padded[:, :width] = m
            words = padded.view("<u8")
            return SkuKeys(words, lengths, word_hashes(words, lengths))
        cells = [sku.data[s:e] for s, e in zip(sku.starts.tolist(), sku.ends.tolist())]
    else:
        cells = [s.encode("utf-8", "surrogatepass") for s in sku]
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    wide = {i: c for i, c in enumerate(cells) if len(c) > WIDE}
    if wide:
        cells = [b"" if i in wide else c for i, c in enumerate(cells)]
    width = -(-max(map(len, cells), default=0) // 8) * 8
    words = _words(cells, width)
    hashes = word_hashes(words, lengths)
    for i, c in wide.items():
        hashes[i] = word_hashes(_words([c], -(-len(c) // 8) * 8), [len(c)])[0]
    return SkuKeys(words, lengths, hashes, wide)


class SkuIndex:
    """The SKUs of every chunk so far (:meth:`add`), to report the rows that repeat an earlier
    row's SKU (:meth:`repeats`). The empty SKU (a row with an error) never counts."""

    def __init__(self):
        self.keys: list[SkuKeys] = []
        self.rows: list[Sequence[int]] = []

    def add(self, keys: SkuKeys, row_numbers: Sequence[int]) -> None:
        self.keys.append(keys)
        self.rows.append(row_numbers)

    def repeats(self, keep: int) -> tuple[int, list[tuple[bytes, int, int]]]:
        """How many rows repeat an earlier row's SKU, and the first ``keep`` of them in file
        order, each as ``(sku, the SKU's first row, this row)``."""
        if not self.keys:
            return 0, []
        hashes = np.concatenate([k.hashes[k.lengths > 0] for k in self.keys])
        ordered = np.sort(hashes)
        shared = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        if shared.size == 0:                       # the usual case: every SKU once
            return 0, []
        first_row: dict = {}
        found, count = [], 0
        for keys, rows in zip(self.keys, self.rows):
            local = np.flatnonzero(np.isin(keys.hashes, shared) & (keys.lengths > 0))
            for sku, i in zip(keys.bytes_of(local), local.tolist()):
                row = rows[i]
                earlier = first_row.setdefault(sku, row)
                if earlier != row:
                    count += 1
                    if len(found) < keep:
                        found.append((sku, earlier, row))
        return count, found
