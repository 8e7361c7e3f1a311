"""Portfolio CSV: reading a catalogue in chunks and writing results, vectorised.

Reading: quote-free chunks are cut into cells after a vectorised field count and their
numbers read from the bytes; other chunks go through the :mod:`csv` module. Writing:
numbers are formatted by numpy (:func:`format_numbers`) and text is escaped against
spreadsheet formulas (:func:`escape_text`).

Where ``pip install`` could compile ``_fastcsv.c`` (:mod:`amspares.portfolio.native`),
the cutting, the reading of plain numbers and the writing of rows are done by that
library instead: the same cells, numbers and bytes (``tests/test_native_csv.py``); the
numpy functions here define them and remain the fallback.
"""

from __future__ import annotations

import collections
import csv
import ctypes
import io
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from amspares.portfolio import native
from amspares.portfolio.chunks import ChunkResult, Source, _open_input
from amspares.portfolio.columns import PortfolioInputError

if TYPE_CHECKING:
    from amspares.portfolio.summary import Summary

SIGNIFICANT_DIGITS = 12          # CSV numbers: 12 significant digits (relative error < 5e-13)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")   # OWASP CSV injection


def _regularise(rows: list, numbers: Sequence[int], width: int, problems: dict) -> tuple[list, list]:
    """Rows with the wrong number of fields: blank lines dropped, short rows padded with
    empty cells, trailing empty fields dropped; other long rows become bad rows."""
    out, nums = [], []
    for rec, no in zip(rows, numbers):
        if len(rec) != width:
            if not rec or (len(rec) == 1 and not rec[0]):
                continue
            if len(rec) < width:
                rec = rec + [""] * (width - len(rec))
            elif not any(rec[width:]):
                rec = rec[:width]
            else:
                problems[len(out)] = [f"row {no}: {len(rec)} fields, the header has {width}"]
                rec = [rec[0]] + [""] * (width - 1)
        out.append(rec)
        nums.append(no)
    return out, nums


def _fields_per_line(data: bytes, delimiter: bytes) -> np.ndarray:
    r"""Number of delimiters on each line of ``data`` (no quotes in it), vectorised.

    >>> _fields_per_line(b"a,b,c\nd,e\n\nf,g,h", b",").tolist()
    [2, 1, 0, 2]
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    if not data.endswith(b"\n"):
        ends = np.append(ends, arr.size)
    marks = np.flatnonzero(arr == delimiter[0])
    return np.diff(np.concatenate(([0], np.searchsorted(marks, ends))))


@dataclass(frozen=True)
class _SplitLater:
    """Quote-free CSV bytes (LF line ends) whose every line has ``width`` fields (checked),
    cut into columns on use (:meth:`columns`).

    Cutting where the chunk is evaluated keeps the reading process light (with ``--jobs``,
    a chunk travels to its worker as one bytes object).
    """

    data: bytes
    delimiter: str
    width: int
    rows: int = -1               # cut by the compiled splitter (CR LF line ends allowed)

    def columns(self) -> list["_ByteColumn"]:
        arr = np.frombuffer(self.data, dtype=np.uint8)
        if self.rows >= 0:
            starts = np.empty((self.rows, self.width), dtype=np.int64)
            ends = np.empty((self.rows, self.width), dtype=np.int64)
            native.LIB.amspares_split(self.data, len(self.data), ord(self.delimiter), self.width,
                                      starts.ctypes.data, ends.ctypes.data)
            return [_ByteColumn(self.data, arr, starts[:, j], ends[:, j]) for j in range(self.width)]
        ends = np.flatnonzero((arr == ord(self.delimiter)) | (arr == 10))
        if not self.data.endswith(b"\n"):
            ends = np.append(ends, arr.size)
        starts = np.empty_like(ends)
        starts[:1] = 0
        starts[1:] = ends[:-1] + 1
        starts = starts.reshape(-1, self.width)
        ends = ends.reshape(-1, self.width)
        return [_ByteColumn(self.data, arr, starts[:, j], ends[:, j]) for j in range(self.width)]


_DIGITS_MAX = 15                 # at most 15 digits: the integer and 10**k are exact doubles
_FIELD_MAX = _DIGITS_MAX + 2     # and a sign and a decimal mark
_P10 = np.array([float(10 ** k) for k in range(_DIGITS_MAX + 1)])


class _ByteColumn:
    """One column of a quote-free chunk: the byte offsets of its cells in the chunk.

    Behaves as the sequence of its cells (``len``, ``[i]``, :meth:`texts`); numbers are
    read straight from the bytes (:meth:`read_numbers`), the text made only for the cells
    that need it.
    """

    def __init__(self, data: bytes, arr: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        self.data, self.arr, self.starts, self.ends = data, arr, starts, ends
        self.lengths = ends - starts
        self._texts: list | None = None
        self._matrix: np.ndarray | None = None      # matrix(longest()), kept (read-only)

    def __len__(self) -> int:
        return self.starts.size

    def __getitem__(self, i):
        if isinstance(i, slice):                     # the cells of some rows, still as bytes
            part = _ByteColumn(self.data, self.arr, self.starts[i], self.ends[i])
            part._texts = None if self._texts is None else self._texts[i]
            part._matrix = None if self._matrix is None else self._matrix[i]
            return part
        if self._texts is not None:
            return self._texts[i]
        return self.data[self.starts[i]:self.ends[i]].decode("utf-8")

    def __iter__(self):
        return iter(self.texts())

    def longest(self) -> int:
        """The longest cell, in bytes (at least its length in characters)."""
        return int(self.lengths.max(initial=0))

    def matrix(self, width: int) -> np.ndarray:
        """The cells' first ``width`` bytes as a ``(len, width)`` matrix, 0-padded.

        Read eight bytes at a time: each cell's words are gathered from the chunk's bytes seen
        as unaligned 64-bit words, the bytes past the cell's end masked off. The matrix of
        the longest cell's width is kept (read-only): narrower ones are its first columns."""
        kept = self._matrix
        if kept is not None and kept.shape[1] >= width:
            return kept if kept.shape[1] == width else np.ascontiguousarray(kept[:, :width])
        n, k = self.starts.size, -(-width // 8)
        if not n or not k:
            return np.zeros((n, width), np.uint8)
        arr = self.arr
        words = np.zeros((n, k), dtype="<u8")
        if arr.size >= 8:
            view = np.ndarray((arr.size - 7,), dtype="<u8", buffer=arr, strides=(1,))
            for j in range(k):
                at = self.starts + 8 * j
                inside = at < arr.size - 7
                words[:, j] = view[np.where(inside, at, 0)]
                words[~inside, j] = 0
        m = words.view(np.uint8).reshape(n, 8 * k)
        near_end = np.flatnonzero(self.starts + 8 * k > arr.size - 7 if arr.size >= 8 else np.ones(n, bool))
        for i in near_end.tolist():                    # the last bytes of the chunk: one by one
            cell = self.data[self.starts[i]:self.ends[i]][:8 * k]
            m[i] = 0
            m[i, :len(cell)] = np.frombuffer(cell, np.uint8)
        left = np.clip(self.lengths[:, None] - 8 * np.arange(k), 0, 8).astype(np.uint64)
        words &= np.where(left >= 8, ~np.uint64(0), (np.uint64(1) << (np.uint64(8) * left)) - np.uint64(1))
        m = m if 8 * k == width else np.ascontiguousarray(m[:, :width])
        if width == self.longest():
            m.flags.writeable = False
            self._matrix = m
        return m

    def texts(self, few: bool = False) -> list[str]:
        """Every cell as text. ``few``: the column holds few distinct cells (a choice such as
        ``exact``): each distinct cell of up to 8 bytes is decoded once."""
        if self._texts is None:
            width = self.longest()
            if width == 0:
                self._texts = [""] * len(self)
            elif few and width <= 8:
                m = np.zeros((len(self), 8), np.uint8)
                m[:, :width] = self.matrix(width)
                keys, inverse = np.unique(m.view(np.uint64).ravel(), return_inverse=True)
                raw = [bytes(w).rstrip(b"\0") for w in keys.view(np.uint8).reshape(-1, 8)]
                # a cell ending in a NUL byte would lose it to the padding: read it the long way
                if (np.array([len(r) for r in raw])[inverse.ravel()] == self.lengths).all():
                    try:
                        distinct = np.array([r.decode("utf-8") for r in raw], dtype=object)
                        self._texts = distinct[inverse.ravel()].tolist()
                        return self._texts
                    except UnicodeDecodeError:
                        pass
                return self.texts()
            else:
                m = self.matrix(width)
                if (m < 128).all() and np.count_nonzero(m) == int(self.lengths.sum()):   # ASCII, no NUL
                    self._texts = m.view(f"S{width}").ravel().astype(f"U{width}").tolist()
                else:
                    d = self.data
                    self._texts = [d[a:b].decode("utf-8")
                                   for a, b in zip(self.starts.tolist(), self.ends.tolist())]
        return self._texts

    def read_numbers(self, decimal: str | None) -> tuple[np.ndarray, np.ndarray, set]:
        r"""The cells as numbers: ``(values, reasons, hints)`` as
        :func:`~amspares.portfolio.columns.normalise_numbers` then
        :func:`amspares.rules.to_numbers` give them, bit for bit.

        Plain decimals (an optional sign, at most :data:`_DIGITS_MAX` digits, at most one
        decimal mark: ``decimal``, ``"."`` when None) are read from the bytes at once: the
        digits make an exact integer ``m`` and the value is ``m / 10**k``, one correctly
        rounded division of two exact doubles, which is what ``float`` returns. Empty cells
        are ``EMPTY``; every other cell goes through the text path.

        >>> c = _SplitLater(b"x,2.5\ny,-0\nz,\nw,1e3\nv, 7", ",", 2).columns()[1]
        >>> v, why, hints = c.read_numbers(".")
        >>> v.tolist(), why.tolist()
        ([2.5, -0.0, nan, 1000.0, 7.0], [0, 0, 1, 0, 0])
        """
        from amspares import rules
        from amspares.portfolio.columns import normalise_numbers

        size = len(self)
        lengths = self.lengths
        mark = ord(decimal or ".")
        if native.LIB is not None and size:
            values, fast = native_plain_numbers(self.arr, self.starts, lengths, mark)
        else:
            values, fast = _short_numbers(self.arr, self.starts, lengths, mark)
            wide = np.flatnonzero((lengths > 8) & (lengths <= _FIELD_MAX))
            if wide.size:
                part = _ByteColumn(self.data, self.arr, self.starts[wide], self.ends[wide])
                values[wide], fast[wide] = _wide_numbers(part.matrix(part.longest()), part.lengths, mark)
        why = np.zeros(size, dtype=np.int8)
        empty = lengths == 0
        values[empty] = np.nan
        why[empty] = rules.EMPTY
        hints: set = set()
        slow = np.flatnonzero(~fast & ~empty)
        if slow.size:
            cells = [self[i] for i in slow.tolist()]
            if decimal is not None:
                cells, found = normalise_numbers(cells, decimal)
                hints = {int(slow[h]) for h in found}
            v, w = rules.to_numbers(cells, all_text=True)
            values[slow] = v
            why[slow] = w
        return values, why, hints


_H = np.uint64(0x8080808080808080)     # the high bit of each of a word's eight bytes
_LO7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_ZEROS = np.uint64(0x3030303030303030)  # eight ASCII '0'
_NINES = np.uint64(0x3939393939393939)
_ONES = np.uint64(0x0101010101010101)


def _bytes_equal(x: np.ndarray, byte: int) -> np.ndarray:
    """The high bit of each byte of the words ``x`` that equals ``byte`` (exact, no borrows)."""
    y = x ^ (np.uint64(byte) * _ONES)
    return ~(((y & _LO7) + _LO7) | y) & _H


def _short_numbers(arr: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                   mark: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Cells of 1 to 8 bytes that are plain decimals, read eight bytes at a time.

    Each cell's bytes are one 64-bit word (byte 0 its first character); digits, the decimal
    mark and a leading sign are found with bit operations on whole words, the mark and the
    sign are taken out, the digits are left-padded with zeros to eight and turned into
    their integer with three multiply-and-shift steps (two digits, four, eight). The value
    is that integer divided by ``10 ** (digits after the mark)``, as in
    :meth:`_ByteColumn.read_numbers`. Returns ``(values, fast)``: ``fast`` marks the cells
    read here (the others' values are meaningless).

    >>> a = np.frombuffer(b"12.5|-0.75|+3|7.|.5|1e3|x|12345678", np.uint8)
    >>> starts = np.array([0, 5, 11, 14, 17, 20, 24, 26]); lengths = np.array([4, 5, 2, 2, 2, 3, 1, 8])
    >>> v, fast = _short_numbers(a, starts, lengths, ord("."))
    >>> v[fast].tolist(), fast.tolist()
    ([12.5, -0.75, 3.0, 7.0, 0.5, 12345678.0], [True, True, True, True, True, False, False, True])
    """
    n = starts.size
    padded = np.zeros(arr.size + 8, np.uint8)
    padded[:arr.size] = arr
    words = np.ndarray((arr.size + 1,), dtype="<u8", buffer=padded, offset=0, strides=(1,))
    x = words[starts].astype(np.uint64) if n else np.zeros(0, np.uint64)
    L = np.minimum(lengths, 8).astype(np.uint64)
    inside = np.where(L >= 8, ~np.uint64(0), (np.uint64(1) << (np.uint64(8) * L)) - np.uint64(1))
    x &= inside
    low7 = x & _LO7
    digit = ((low7 | _H) - _ZEROS) & ((_NINES | _H) - low7) & _H & ~(x & _H)
    dot = _bytes_equal(x, mark)
    first = x & np.uint64(0xFF)
    sign = ((first == 45) | (first == 43)).astype(np.uint64)
    allowed = digit | dot | (sign << np.uint64(7))
    fast = ((inside & _H & ~allowed) == 0) & ((dot & (dot - np.uint64(1))) == 0) & (digit != 0) \
        & (lengths >= 1) & (lengths <= 8)
    shift = sign * np.uint64(8)                                   # the sign out
    x >>= shift
    dot >>= shift
    L -= sign
    has_dot = dot != 0
    p = np.where(has_dot, np.frexp(dot.astype(float))[1].astype(np.int64) - 8, 0).astype(np.uint64) // np.uint64(8)
    below = np.where(p > 0, (np.uint64(1) << (np.uint64(8) * p)) - np.uint64(1), np.uint64(0))
    above = np.where(p < 7, x >> np.minimum(np.uint64(8) * p + np.uint64(8), np.uint64(63)), np.uint64(0))
    above = np.where(p < 7, above, np.uint64(0))
    x = np.where(has_dot, (x & below) | (above << (np.uint64(8) * p)), x)
    nd = L - has_dot.astype(np.uint64)                            # digits, 1..8 where fast
    nd = np.where(fast, nd, np.uint64(8))
    pad = np.uint64(8) * (np.uint64(8) - nd)
    x = np.where(pad > 0, (x << pad) | (_ZEROS & ((np.uint64(1) << pad) - np.uint64(1))), x)
    x = np.where(fast, x, _ZEROS)
    v = x - _ZEROS
    v = (v * np.uint64(10) + (v >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    v = (v * np.uint64(100) + (v >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    v = (v * np.uint64(10000) + (v >> np.uint64(32))) & np.uint64(0x00000000FFFFFFFF)
    after = np.where(has_dot, L - np.uint64(1) - p, np.uint64(0)).astype(np.int64)
    values = v.astype(float) / _P10[np.clip(after, 0, _DIGITS_MAX)]
    np.negative(values, out=values, where=first == 45)
    return values, fast


def native_plain_numbers(arr: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                         mark: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_short_numbers` and :func:`_wide_numbers` in one pass of the compiled reader
    (``amspares_read_plain``): ``(values, fast)``, the same numbers for the same cells."""
    n = starts.size
    values = np.zeros(n)
    fast = np.zeros(n, dtype=np.uint8)
    a = np.ascontiguousarray(arr)
    st = np.ascontiguousarray(starts, dtype=np.int64)
    ln = np.ascontiguousarray(lengths, dtype=np.int64)
    native.LIB.amspares_read_plain(a.ctypes.data, st.ctypes.data, ln.ctypes.data, n, mark,
                                   values.ctypes.data, fast.ctypes.data)
    return values, fast.view(bool)


def _wide_numbers(m_bytes: np.ndarray, lengths: np.ndarray, mark: int) -> tuple[np.ndarray, np.ndarray]:
    """Plain decimals of up to :data:`_FIELD_MAX` bytes from a 0-padded byte matrix (one row a
    cell): ``(values, fast)`` as :func:`_short_numbers` gives them."""
    size, width = m_bytes.shape
    inside = np.arange(width) < lengths[:, None]
    digit = (m_bytes >= 48) & (m_bytes <= 57)
    dot = m_bytes == mark
    first = m_bytes[:, 0] if width else np.zeros(size, np.uint8)
    signed = (first == 45) | (first == 43)
    allowed = digit | dot | ~inside
    if width:
        allowed[:, 0] |= signed
    n_digits = digit.sum(axis=1)
    fast = (allowed.all(axis=1) & (dot.sum(axis=1) <= 1) & (n_digits >= 1)
            & (n_digits <= _DIGITS_MAX) & (lengths <= _FIELD_MAX))
    whole = np.zeros(size, dtype=np.int64)
    for j in range(width):
        d = digit[:, j]
        whole = np.where(d, whole * 10 + (m_bytes[:, j].astype(np.int64) - 48), whole)
    after = (np.cumsum(dot, axis=1) > 0) & digit
    scale = _P10[np.minimum(after.sum(axis=1), _DIGITS_MAX)]
    values = whole.astype(float) / scale
    values = np.where(first == 45, -values, values)
    return values, fast


class _CrLines:
    """Lines of a file whose line ends are a lone CR (old Mac, some ERP exports), as LF lines.

    A file with a CR-only end has no LF at all, so every CR is a line end (a quoted line
    break becomes an LF, as Excel would read it)."""

    def __init__(self, f):
        self.f = f
        self.partial = b""
        self.ready: collections.deque = collections.deque()

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        while not self.ready:
            block = self.f.read(1 << 20)
            if not block:
                if self.partial:
                    line, self.partial = self.partial, b""
                    return line
                raise StopIteration
            parts = (self.partial + block).split(b"\r")
            self.partial = parts.pop()
            self.ready.extend(p + b"\n" for p in parts)
        return self.ready.popleft()


class _IterLines:
    """``take(k)``: the next ``k`` lines of an iterator of lines, joined (b"" at the end)."""

    def __init__(self, lines):
        self.lines = lines

    def take(self, k: int) -> bytes:
        return b"".join(itertools.islice(self.lines, k))

    def unread(self) -> int:
        return 0


class _LineBlocks:
    """The rest of a file (LF line ends) after ``pending`` lines, read in large blocks:
    ``take(k)`` gives the next ``k`` lines joined, as the file's line iterator would (the
    last line may lack its LF; b"" at the end), without a Python step per line."""

    BLOCK = 1 << 22

    def __init__(self, f, pending: Sequence[bytes]):
        self.f = f
        self.buf = b"".join(pending)
        self.eof = False

    def take(self, k: int) -> bytes:
        if native.LIB is not None:
            cut = native.LIB.amspares_line_end(self.buf, len(self.buf), k)
            while cut < 0 and not self.eof:
                block = self.f.read(self.BLOCK)
                if not block:
                    self.eof = True
                    break
                seen = len(self.buf)
                self.buf += block
                more = native.LIB.amspares_line_end(block, len(block), k - (-1 - cut))
                cut = seen + more if more >= 0 else cut + (more + 1)
            cut = cut if cut >= 0 else len(self.buf)
        else:
            while not self.eof and self.buf.count(b"\n") < k:
                block = self.f.read(self.BLOCK)
                if block:
                    self.buf += block
                else:
                    self.eof = True
            ends = np.flatnonzero(np.frombuffer(self.buf, dtype=np.uint8) == 10)
            cut = int(ends[k - 1]) + 1 if ends.size >= k else len(self.buf)
        out, self.buf = self.buf[:cut], self.buf[cut:]
        return out

    def unread(self) -> int:
        """Bytes read from the file but not taken yet (progress counts what was taken)."""
        return len(self.buf)


HEADER_SEARCH_ROWS = 50          # a header below row 1 is looked for in the first 50 rows
DECIMAL_SAMPLE_ROWS = 200        # data rows read to detect a decimal comma
_COMMA_NUMBER = re.compile(r"^\s*[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*$")
_POINT_NUMBER = re.compile(r"^\s*[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+\s*$")
_GROUPED_POINT = re.compile(r"^\s*[+-]?\d{1,3}(\.\d{3})+\s*$")


def _not_utf8(path: Path) -> PortfolioInputError:
    return PortfolioInputError(f"catalogue {str(path)!r} is not UTF-8 text (save it as CSV UTF-8)")


def _split(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        return text.split(delimiter)


def _pick_delimiter(text: str) -> str:
    counts = {d: text.count(d) for d in (",", ";", "\t")}
    best = max(counts.values())
    return next(d for d in (",", ";", "\t") if counts[d] == best) if best else ","


def detect_decimal(lines: Sequence[str], delimiter: str) -> str:
    """``","`` when the sample's numbers are written with a decimal comma, else ``"."``.

    A comma-separated file has a decimal point (a decimal comma would have to be quoted:
    give ``--decimal ,``). Otherwise: some cells like ``2,5`` or ``1.234,5`` and none
    like ``2.5`` (``1.234`` counts for neither: a thousands group or three decimals).

    >>> detect_decimal(["A;2,5;7", "B;1.234,5;8"], ";"), detect_decimal(["A;2.5;1,5"], ";")
    (',', '.')
    """
    if delimiter == ",":
        return "."
    comma = point = 0
    for line in lines:
        for cell in line.rstrip("\r\n").split(delimiter):
            cell = cell.strip().strip('"')
            if _COMMA_NUMBER.match(cell):
                comma += 1
            elif _POINT_NUMBER.match(cell) and not _GROUPED_POINT.match(cell):
                point += 1
    return "," if comma and not point else "."


def read_csv(path: Path, chunk_rows: int, *, delimiter: str | None = None, decimal: str | None = None,
             header_row: int | None = None, wanted: Sequence[str] = ("sku",)) -> Source:
    """Stream a CSV catalogue in chunks of ``chunk_rows`` rows.

    Chunks without quotes are split with ``str.split`` after a vectorised check that every
    line has the header's number of fields; other chunks go through the csv module. A chunk
    is extended until its quotes balance, so a quoted line break never splits a record.

    The file as it comes: a byte-order mark is dropped; CR-only line ends are read as line
    ends; the delimiter (``,`` ``;`` tab) is the one the header row holds most of (or
    ``delimiter``); the header is row ``header_row``, or else the first of the first
    :data:`HEADER_SEARCH_ROWS` rows holding one of the ``wanted`` names (``sku`` or a
    mapped header), or row 1; the decimal mark is ``decimal`` or :func:`detect_decimal`.
    """
    f = _open_input(path)
    size = max(os.fstat(f.fileno()).st_size, 1)
    head = f.read(1 << 16)
    f.seek(0)
    if head.startswith(b"\xef\xbb\xbf"):          # Excel's "CSV UTF-8" byte-order mark
        f.read(3)
    lines_in = _CrLines(f) if (b"\r" in head and b"\n" not in head) else iter(f)
    first_lines: list[bytes] = []
    for line in lines_in:
        first_lines.append(line)
        if len(first_lines) >= (header_row or 0) + HEADER_SEARCH_ROWS + DECIMAL_SAMPLE_ROWS:
            break
    try:
        texts = [line.decode("utf-8") for line in first_lines]
    except UnicodeDecodeError:
        f.close()
        raise _not_utf8(path) from None
    if header_row is not None:
        if header_row > len(texts):
            f.close()
            raise PortfolioInputError(f"catalogue {str(path)!r}: header row {header_row} is past the "
                                      f"end of the file ({len(texts)} rows)")
        h = header_row - 1
    else:
        names = {w.strip() for w in wanted}
        h = next((i for i, t in enumerate(texts[:HEADER_SEARCH_ROWS])
                  if any(c.strip() in names for d in ((delimiter,) if delimiter else (",", ";", "\t"))
                         for c in _split(t.rstrip("\r\n"), d))), 0)
    first_text = texts[h] if texts else ""
    delimiter = delimiter or _pick_delimiter(first_text)
    header = _split(first_text.rstrip("\r\n"), delimiter) if first_text.strip() else []
    if not header:
        f.close()
        raise PortfolioInputError(f"catalogue {str(path)!r} is empty (no header row)")
    decimal = decimal or detect_decimal(texts[h + 1:], delimiter)
    width = len(header)
    dl = delimiter.encode()
    if isinstance(lines_in, _CrLines):
        rest = _IterLines(itertools.chain(first_lines[h + 1:], lines_in))
    else:
        rest = _LineBlocks(f, first_lines[h + 1:])

    def chunks():
        next_row = h + 2
        while True:
            data = rest.take(chunk_rows)
            if not data:
                return
            if b'"' in data:
                while data.count(b'"') % 2:          # inside a quoted field: read on
                    more = rest.take(1)
                    if not more:
                        break
                    data += more
            if native.LIB is not None and len(dl) == 1:
                if not data.isascii():
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError:
                        raise _not_utf8(path) from None
                nrows = native.LIB.amspares_split(data, len(data), dl[0], width, None, None)
                if nrows > 0:                        # plain: cut into cells where evaluated
                    yield range(next_row, next_row + nrows), _SplitLater(data, delimiter, width, nrows), {}
                    next_row += nrows
                    continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _not_utf8(path) from None
            plain = text
            if b"\r" in data:
                plain = text.replace("\r\n", "\n")
            if len(dl) == 1 and b'"' not in data and "\r" not in plain and "\n\n" not in plain and not plain.startswith("\n"):
                lf = plain.encode("utf-8") if plain is not text else data
                counts = _fields_per_line(lf, dl)
                if counts.size and (counts == width - 1).all():
                    nrows = counts.size
                    yield range(next_row, next_row + nrows), _SplitLater(lf, delimiter, width), {}
                    next_row += nrows
                    continue
            try:
                rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
            except csv.Error as exc:
                raise PortfolioInputError(f"catalogue {str(path)!r}, near row {next_row}: "
                                          f"not valid CSV ({exc})") from None
            numbers = range(next_row, next_row + len(rows))
            next_row += len(rows)
            problems: dict[int, list[str]] = {}
            if any(len(r) != width for r in rows):
                rows, numbers = _regularise(rows, numbers, width, problems)
                if not rows:
                    continue
            yield numbers, [list(c) for c in zip(*rows)], problems

    def done() -> float:
        try:
            return min((f.tell() - rest.unread()) / size, 1.0)
        except (OSError, ValueError):
            return 0.0

    return Source(header, chunks(), done, f.close, header_row=h + 1, delimiter=delimiter,
                  decimal=decimal)


def escape_text(text: str) -> str:
    """Neutralise spreadsheet formulas in CSV text (OWASP): prefix ``'`` to ``= + - @ TAB CR``.

    >>> escape_text("=HYPERLINK(1)"), escape_text("-3"), escape_text("A-7")
    ("'=HYPERLINK(1)", "'-3", 'A-7')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_POW10 = 10 ** np.arange(19, dtype=np.int64)
_P10F = _POW10.astype(float)                     # 10**k as exact doubles (k <= 22)
_NEAR_ULPS = 4600                                # 1e-12 relative, in units in the last place


def _words(texts: list[bytes]) -> np.ndarray:
    """Byte strings of at most 4 bytes (0 = no character) as little-endian uint32 words."""
    return np.array(texts, dtype="S4").view(np.uint32)


_TABLES: dict = {}


def _tables(lead: int, sig: int) -> dict:
    """The look-up tables of :func:`_number_words` (built once): four-digit groups as uint32
    words (four bytes, 0 = no character), each a table of 10,000 or 100 entries per kind:

    * ``top``/``one``: a whole part's first word: ``lead`` (the field separator), the sign
      and two digits without leading zeros (``one``: the only word, 0 is ``0`` unless blank);
    * ``mid``: a group without its leading zeros (nothing further left), or as it is;
    * ``last``: the last group of a whole part: as ``mid``, but 0 is ``0``; blank rows: nothing;
    * ``frac``: a fraction group without its trailing zeros (nothing further right), or as it is;
    * ``ftop[b]``: a fraction's first group, whose byte ``b`` is the leading 1 that marks
      the start of the fraction: it becomes the decimal point (nothing when the fraction is 0);
    * ``exp_b``/``exp_d``: by binary exponent, the power of ten ``10**(k + 1)`` that decides
      the decimal exponent (``k`` or ``k + 1``) and the number of decimals for either.
    """
    key = (lead, sig)
    if key in _TABLES:
        return _TABLES[key]
    full = [b"%04d" % i for i in range(10_000)]
    lead0 = [t.lstrip(b"0").rjust(4, b"\0") for t in full]
    last = lead0[:]
    last[0] = b"\0\0\0" + b"0"
    trail = [t.rstrip(b"0").ljust(4, b"\0") for t in full]
    sep = bytes([lead])

    def top(q: int, sign: bytes, zero: bool) -> bytes:
        digits = (b"%d" % q if q or zero else b"").rjust(2, b"\0")
        return sep + sign + digits

    minus = b"-"
    t: dict = {
        "top": _words([top(q, b"\0", False) for q in range(100)] + [top(q, minus, False) for q in range(100)]),
        "one": _words([top(q, b"\0", True) for q in range(100)] + [top(q, minus, True) for q in range(100)]
                      + [top(0, b"\0", False)] * 100),
        "mid": _words(lead0 + full),
        "last": _words(last + full + lead0),
        "frac": _words(trail + full),
    }
    ftop = []
    for b in range(4):
        alone, more = [], []
        for i in range(10_000):
            s = bytearray(full[i])
            s[:b] = b"\0" * b
            s[b] = ord(".")
            more.append(bytes(s))
            digits = bytes(s[b + 1:]).rstrip(b"0")
            alone.append(b"\0" * b + (b"." + digits if digits else b"").ljust(4 - b, b"\0"))
        ftop.append(_words(alone + more))
    t["ftop"] = ftop
    # binary exponent -> k = floor(log10(2**e2)); 10**(k+1); decimals with e = k, k + 1
    e2 = np.arange(2048) - 1023
    k = (e2 * 78913) >> 18
    outside = (e2 < -21) | (e2 > 50)             # far outside [1e-6, 1e15): no decimals needed
    t["exp_b"] = np.where(outside, 1.0, [float(f"1e{j + 1}") for j in k.tolist()])
    d = np.clip(sig - 1 - np.stack([k, k + 1], axis=1), 0, 17)
    d[outside] = 0
    t["exp_d"] = d.ravel()
    _TABLES[key] = t
    return t


def _decimals(a: np.ndarray, sig: int, t: dict) -> np.ndarray:
    """The decimals ``d = min(max(sig - 1 - floor(log10(a)), 0), 17)`` of numbers ``a >= 0``
    (``floor(log10(a))`` exactly as ``np.log10`` gives it), from the binary exponent and one
    comparison; ``np.log10`` itself only within 1e-12 of a power of ten (where its rounding
    decides the floor). Meaningful for ``1e-6 <= a < 1e15`` only.

    >>> _decimals(np.array([1e-6, 0.5, 1.0, 999.9, 1000.0, 5e14]), 12, _tables(0, 12)).tolist()
    [17, 12, 11, 9, 8, 0]
    """
    bits = a.view(np.int64)
    be = bits >> 52                               # the biased binary exponent
    b = np.take(t["exp_b"], be, mode="clip")
    idx = be << 1
    idx |= a >= b
    d = np.take(t["exp_d"], idx, mode="clip")
    near = bits - b.view(np.int64)
    near += _NEAR_ULPS
    near = near.view(np.uint64) <= 2 * _NEAR_ULPS
    if near.any():
        e = np.floor(np.log10(a[near])).astype(np.int64)   # positive, finite
        d[near] = np.clip(sig - 1 - e, 0, 17)
    return d


def _small_int_words(v: np.ndarray, t: dict) -> list[np.ndarray] | None:
    """Whole numbers in [-99999, 99999] (or NaN) by table look-up, as :func:`_number_words`
    gives them (one word when all are in [-99, 999]); None for other values."""
    with np.errstate(invalid="ignore"):
        head = v[:16]                              # a quick look first (most columns: no)
        if not ((head.astype(np.int64) == head) | (head != head)).all():
            return None
        i = v.astype(np.int64)                     # NaN: some integer, never equal to v
        good = i == v
        nan = v != v
        good |= nan
        if not good.all():
            return None
    any_nan = bool(nan.any())
    if any_nan:
        i[nan] = 0
    lo, hi = (int(i.min()), int(i.max())) if i.size else (0, 0)
    if lo < _INT_LOW or hi > _INT_HIGH:
        return None
    tab = t.get("ints")
    if tab is None:
        lead = t["top"][0].tobytes()[:1]
        texts = [lead] + [lead + str(j).encode() for j in range(_INT_LOW, _INT_HIGH + 1)]
        both = np.array(texts, dtype="S8").view(np.uint32).reshape(-1, 2)
        tab = t["ints"] = (np.ascontiguousarray(both[:, 0]), np.ascontiguousarray(both[:, 1]))
    i -= _INT_LOW - 1                              # the table's index; 0: blank
    if any_nan:
        i[nan] = 0
    if lo >= -99 and hi <= 999:                    # the text fits in the first word
        return [np.take(tab[0], i, mode="clip")]
    return [np.take(tab[0], i, mode="clip"), np.take(tab[1], i, mode="clip")]


def _int_words(x: np.ndarray, groups: int, t: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """Whole numbers ``x`` in four-digit groups: (the first group's value, the words of the
    other groups); a group keeps its leading zeros when a non-zero group is further left."""
    words = []
    q = x
    for k in range(groups - 1, 0, -1):
        nq = q // 10_000
        r = nq * 10_000
        np.subtract(q, r, out=r)
        r += (nq > 0) * 10_000
        words.append(np.take(t["last"] if k == groups - 1 else t["mid"], r, mode="clip"))
        q = nq
    return q, words[::-1]


def _fraction_words(x: np.ndarray, groups: int, t: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """A fraction ``x`` (its leading 1 in the first group) in four-digit groups: (the first
    group's index in ``ftop``, the words of the other groups); a group keeps its trailing
    zeros when a non-zero group is further right. Last groups that are 0 in every row
    (nothing to write) get no word."""
    words = []
    q = x
    other = None                                   # a non-zero group further right
    frac = t["frac"]
    for _ in range(groups - 1):
        nq = q // 10_000
        r = nq * 10_000
        np.subtract(q, r, out=r)
        q = nq
        if other is None:
            if not r.any():                        # 0 in every row: nothing to write
                continue
            other = r != 0
        else:
            nz = r != 0
            r += other * 10_000
            other |= nz
        words.append(np.take(frac, r, mode="clip"))
    if other is not None:
        q += other * 10_000
    return q, words[::-1]


def _number_words(values: np.ndarray, lead: int = 0, sig: int = SIGNIFICANT_DIGITS) -> list[np.ndarray]:
    """:func:`format_numbers` as uint32 words (rows of ``len`` words each): the bytes of
    every number are the non-zero bytes of its words, row after row; ``lead`` (0 or the
    field separator) comes first in every number, empty ones too.

    Small whole numbers come from a table (:func:`_small_int_words`). Other numbers
    ``1e-6 <= |x| < 1e15`` are rounded to ``sig`` significant digits as an integer
    ``m = rint(|x| * 10**d)`` (in doubles, exact below 2**53) with ``d`` decimals
    (:func:`_decimals`; for whole numbers the fraction is 0 and not written) and written as
    [separator, sign and whole part][decimal point and fraction], four digits at a time
    (:func:`_tables`); 0 is ``0``, NaN is empty, other numbers are Python's ``repr``.
    """
    v = np.ascontiguousarray(values, dtype=float).ravel()
    t = _tables(lead, sig)
    small = _small_int_words(v, t)
    if small is not None:
        return small
    a = np.abs(v)
    fast = a >= 1e-6
    fast &= a < 1e15                               # non-zero, plain notation (NaN: False)
    blank = fast | (a == 0)
    any_blank = not blank.all()
    if any_blank:
        np.logical_not(blank, out=blank)           # NaN, inf and the numbers written by repr
    d = _decimals(a, sig, t)
    scale = np.take(_P10F, d, mode="clip")
    if any_blank:
        mf = np.where(fast, a, 0.0)
        mf *= scale
    else:
        mf = a * scale
    np.rint(mf, out=mf)                            # m, a whole number below 2**53
    ip = mf / scale
    np.floor(ip, out=ip)                           # exact: m // 10**d (m < 2**53)
    fp = ip * scale
    np.subtract(mf, fp, out=fp)                    # m % 10**d
    ipart = ip.astype(np.int64)
    neg = None
    if v.size and np.fmin.reduce(v) < 0:           # (NaN aside)
        neg = v < 0
        neg &= fast
    # the whole part: separator, sign, digits right-aligned (a group: four digits)
    groups = -(-(len(str(int(ipart.max(initial=0)))) + 2) // 4)
    if groups == 1:
        r = ipart
        if neg is not None:
            r += neg * 100
        if any_blank:
            r += blank * 200
        words = [np.take(t["one"], r, mode="clip")]
    else:
        q, lower = _int_words(ipart, groups, t)
        if any_blank:                              # blank rows: the last group 0 is nothing
            lower[-1][blank] = 0
        if neg is not None:
            q += neg * 100
        words = [np.take(t["top"], q, mode="clip")] + lower
    fw = int(d.max(initial=0))
    if fw:
        # 1 and the fraction on fw places, the 1 then replaced by the decimal point (none
        # when the fraction is 0): "." and the digits of m after its d-th, trailing zeros dropped
        groups = -(-(fw + 1) // 4)
        x = np.take(_POW10[fw::-1], d, mode="clip")   # 10**(fw - d)
        x *= fp.astype(np.int64)
        x += _POW10[fw]
        q, lower = _fraction_words(x, groups, t)
        words += [np.take(t["ftop"][4 * groups - fw - 1], q, mode="clip")] + lower
    if any_blank:
        slow = blank & (v == v)
        if slow.any():
            texts = np.zeros((v.size, 28), dtype=np.uint8)
            for i in np.flatnonzero(slow).tolist():
                text = repr(float(v[i])).encode()
                texts[i, :len(text)] = np.frombuffer(text, dtype=np.uint8)
            words += list(texts.view(np.uint32).T)
    return words


def prepare_writer() -> None:
    """Build the writer's look-up tables now (about 0.1 CPU-s): worker processes forked
    afterwards share them instead of building their own. Not needed by the compiled
    writer (:mod:`amspares.portfolio.native`)."""
    if native.LIB is not None:
        return
    _number_words(np.array([1.5]), ord(","))        # the digit tables
    _number_words(np.array([0.0]), ord(","))        # and the small whole numbers


def format_numbers(values: np.ndarray, sig: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Numbers as CSV text bytes, vectorised: a ``(len, width)`` uint8 matrix whose non-zero
    bytes, in order, are the text.

    Plain decimal notation with ``sig`` significant digits (trailing zeros dropped); NaN is
    an empty field; magnitudes outside [1e-6, 1e15) fall back to Python's ``repr``.

    >>> m = format_numbers(np.array([1735.7134039, -0.5, 0.0, np.nan, 3.0, 1e-9, 12345678.9]))
    >>> [bytes(r[r > 0]).decode() for r in m]
    ['1735.7134039', '-0.5', '0', '', '3', '1e-09', '12345678.9']
    """
    words = _number_words(values, 0, sig)
    size = np.asarray(values).size
    return np.ascontiguousarray(np.stack(words, axis=1)).view(np.uint8).reshape(size, 4 * len(words))


_INT_LOW, _INT_HIGH = -99_999, 99_999


def _text_words(texts: Sequence[str] | np.ndarray, lead: int, escape: bool = True,
                end: int = 0) -> list[np.ndarray]:
    """Text fields (escaped, quoted when needed; or a ``(len, width)`` byte matrix), with
    ``lead`` before each and ``end`` after each, as rows of uint32 words."""
    m = texts if isinstance(texts, np.ndarray) else _text_matrix(texts, escape)
    size, w = m.shape
    buf = np.zeros((size, -(-(w + 1 + (end != 0)) // 4) * 4), dtype=np.uint8)
    buf[:, 0] = lead
    buf[:, -1] = end
    if w:
        buf[:, 1:1 + w] = m
    return list(buf.view(np.uint32).T)


def _text_matrix(texts: Sequence[str], escape: bool = True) -> np.ndarray:
    """CSV fields for text (escaped against formulas, quoted when needed) as a byte matrix.

    A column of a quote-free chunk (:class:`_ByteColumn`) is written as its bytes when no
    cell needs quotes or starts with a formula trigger (all ASCII, as its first byte is)."""
    if isinstance(texts, _ByteColumn):
        m = texts.matrix(texts.longest())
        if not (_NEEDS_QUOTES[m].any() or (escape and m.shape[1] and _TRIGGER_BYTES[m[:, 0]].any())):
            return m
        texts = texts.texts()

    def field(t: str) -> bytes:
        if escape:
            t = escape_text(t)
        if any(ch in t for ch in ',"\n\r'):
            t = '"' + t.replace('"', '""') + '"'
        return t.encode("utf-8")

    joined = "".join(texts)
    if not joined:
        return np.zeros((len(texts), 0), dtype=np.uint8)
    if joined.isascii() and not any(ch in joined for ch in ',"\n\r'):
        arr = np.array(texts, dtype="S")
        out = arr.view(np.uint8).reshape(len(texts), max(arr.dtype.itemsize, 1))
        triggers = np.frombuffer("".join(FORMULA_TRIGGERS).encode(), dtype=np.uint8)
        if not (escape and np.isin(out[:, 0], triggers).any()):
            return out
    arr = np.array([field(t) for t in texts], dtype=object).astype("S")
    return arr.view(np.uint8).reshape(len(texts), max(arr.dtype.itemsize, 1))


_NEEDS_QUOTES = np.zeros(256, bool)            # bytes that make a text field quoted
_NEEDS_QUOTES[list(b',"\n\r')] = True
_TRIGGER_BYTES = np.zeros(256, bool)           # first bytes escaped against formulas
_TRIGGER_BYTES[list("".join(FORMULA_TRIGGERS).encode())] = True
WRITE_BLOCK = 1 << 14            # rows formatted at a time: the byte matrices stay small


def _rows_of(res: ChunkResult, rows: slice) -> ChunkResult:
    """The rows ``rows`` of a chunk's result (every per-row field sliced)."""
    import dataclasses

    def cut(v):
        if isinstance(v, dict):
            return {k: cut(x) for k, x in v.items()}
        return v if v is None or isinstance(v, (str, int, float)) else v[rows]
    return dataclasses.replace(res, **{f.name: cut(getattr(res, f.name)) for f in dataclasses.fields(res)})


def _fields(res: ChunkResult, methods: list[str], header: list[str]) -> list[tuple]:
    """The fields of every output row, in order: ``("text", matrix, lead, end)`` (a
    ``(rows, width)`` byte matrix whose non-zero bytes are the field, :func:`_text_matrix`),
    ``("number", values, lead)`` or ``("choice", index, names, lead)`` (the method of each
    row, by its position in ``methods``: the row of the byte matrix ``names``; nothing for
    -1); ``lead`` (0 or the separator) comes before the field, ``end`` (0 or a newline)
    after it. Both writers (numpy's and the compiled one) take them."""
    comma = ord(",")
    names = np.array([escape_text(m).encode() for m in methods], dtype="S")
    names = names.view(np.uint8).reshape(len(names), names.dtype.itemsize)

    def text(cells, lead, end=0):
        return ("text", cells if isinstance(cells, np.ndarray) else _text_matrix(cells), lead, end)

    carried = list((res.carried or {}).values())
    fields = [text(res.sku, 0)] + [text(c, comma) for c in carried]
    fields.append(("number", res.rate, comma))
    for name in header[2 + len(carried):-5]:
        fields.append(("number", res.columns[name], comma))
    for idx in (res.cheapest, res.lowest_impact, res.lowest_impact_co2e):
        fields.append(("choice", idx, names, comma))
    fields.append(("number", res.saving, comma))
    fields.append(text(res.errors, comma, ord("\n")))
    assert len(fields) == len(header)
    return fields


def csv_chunk_bytes(res: ChunkResult, methods: list[str], header: list[str]) -> bytes:
    """One chunk of output rows as CSV bytes (vectorised; no Python loop per number).

    With the compiled fast path (:mod:`amspares.portfolio.native`), one call writes the
    rows (:func:`_native_bytes`); otherwise numpy does, :data:`WRITE_BLOCK` rows at a time:
    every field is a few rows of uint32 words (:func:`_number_words`, :func:`_text_words`;
    4 bytes per row of the output, 0 = nothing), the separator in its first byte; the
    rows of words are stacked, turned into the output's row order and the 0s dropped.
    Both give the same bytes."""
    out = csv_chunk_buffer(res, methods, header)
    return out if isinstance(out, bytes) else out.tobytes()


def csv_chunk_buffer(res: ChunkResult, methods: list[str], header: list[str]) -> bytes | np.ndarray:
    """:func:`csv_chunk_bytes` without the last copy: bytes, or a uint8 array of them (from
    the compiled writer), for a file's ``write``."""
    size = len(res.sku)
    if native.LIB is not None and size:
        return _native_bytes(_fields(res, methods, header), size)
    if size > WRITE_BLOCK:
        return b"".join(csv_chunk_bytes(_rows_of(res, slice(a, a + WRITE_BLOCK)), methods, header)
                        for a in range(0, size, WRITE_BLOCK))
    rows = []
    for f in _fields(res, methods, header):
        if f[0] == "text":
            rows += _text_words(f[1], f[2], end=f[3])
        elif f[0] == "choice":
            names = np.concatenate([f[2], np.zeros((1, f[2].shape[1]), np.uint8)])   # -1: nothing
            rows += _text_words(names[np.where(f[1] >= 0, f[1], len(f[2]))], f[3])
        else:
            rows += _number_words(f[1], f[2])
    # the rows of words one below the other (16 words more than the row length, so that
    # the words of one output row do not share a cache set), then the output's row order
    stacked = np.empty((len(rows), size + 16), dtype=np.uint32)
    for j, w in enumerate(rows):
        stacked[j, :size] = w
    out = np.ascontiguousarray(stacked[:, :size].T)      # (size, words): the bytes, 0 = nothing
    return out.tobytes().translate(None, b"\0")


_NEAR: list = []                 # the table of _near_exponents(), built on first use


def _near_exponents() -> np.ndarray:
    """``floor(log10(a))`` as ``np.log10`` gives it (as :func:`_decimals` takes it) for every
    number ``a`` within :data:`_NEAR_ULPS` units in the last place of a power of ten
    ``10**j``, ``j = -6..16``: row ``j + 6``, column ``ulps + _NEAR_ULPS`` (int8). The
    compiled writer looks the floor up here where :func:`_decimals` asks ``np.log10``;
    elsewhere the binary exponent and one comparison decide it. About 0.2 million
    logarithms, once a process."""
    if not _NEAR:
        powers = np.array([float(f"1e{j}") for j in range(-6, 17)])   # _tables' exp_b values
        bits = powers.view(np.int64)[:, None] + np.arange(-_NEAR_ULPS, _NEAR_ULPS + 1)
        e = np.floor(np.log10(bits.view(np.float64))).astype(np.int8)
        e.flags.writeable = False
        _NEAR.append(e)
    return _NEAR[0]


def _native_bytes(fields: list[tuple], size: int, sig: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """The rows of :func:`_fields` written by ``amspares_write_rows``: numbers formatted by
    the rule of :func:`_number_words` with ``sig`` (1..15) significant digits (the decimals
    of :func:`_decimals`, with :func:`_near_exponents` where ``np.log10`` decides), text
    bytes and chosen names copied. A number field with a value for ``repr`` is formatted
    by :func:`_number_words` instead (rare: tiny or huge numbers, inf; the library says
    which fields, and the rows are written again)."""
    specs = (native.Field * len(fields))()
    keep = []                                      # the arrays stay alive until written
    numbers = {}                                   # a number field's values, by position
    room = native.LIB.amspares_number_room()
    cap = 0
    for j, f in enumerate(fields):
        if f[0] == "number":
            v = numbers[j] = np.ascontiguousarray(f[1], dtype=float)
            specs[j] = native.Field(0, f[2], v.ctypes.data, 0)
            cap += room
        elif f[0] == "choice":
            idx = np.ascontiguousarray(f[1], dtype=np.int64)
            names = np.zeros((len(f[2]), max(f[2].shape[1], 16)), dtype=np.uint8)
            names[:, :f[2].shape[1]] = f[2]                # (16 bytes a row: read as two words)
            keep += [idx, names]
            specs[j] = native.Field(2, f[3], idx.ctypes.data, names.shape[1], names.ctypes.data, names.shape[0])
            cap += names.shape[1] + 2
        else:
            m = np.ascontiguousarray(f[1], dtype=np.uint8)
            keep.append(m)
            specs[j] = native.Field(1, f[2], m.ctypes.data, m.shape[1])
            cap += m.shape[1] + 2
            assert not f[3] or j == len(fields) - 1, "only the last field has an end byte"
    end = fields[-1][3] if fields[-1][0] == "text" else 0
    near = _near_exponents()
    repr_fields = np.zeros(len(fields), dtype=np.int8)
    buf = np.empty(cap * size + 64, dtype=np.uint8)   # (glibc reuses the last chunk's: native.py)
    args = (size, len(fields), ctypes.addressof(specs), end)
    n = native.LIB.amspares_write_rows(*args, buf.ctypes.data, buf.size, sig,
                                       near.ctypes.data, repr_fields.ctypes.data)
    if n == -2:                                    # numbers for repr: those fields as text
        for j in np.flatnonzero(repr_fields).tolist():
            words = _number_words(numbers[j], fields[j][2], sig)
            m = np.ascontiguousarray(np.stack(words, axis=1)).view(np.uint8).reshape(size, 4 * len(words))
            keep.append(m)
            specs[j] = native.Field(1, 0, m.ctypes.data, m.shape[1])
            cap += m.shape[1] + 2 - room
        buf = np.empty(cap * size + 64, dtype=np.uint8)
        n = native.LIB.amspares_write_rows(*args, buf.ctypes.data, buf.size, sig,
                                           near.ctypes.data, repr_fields.ctypes.data)
    if n < 0:                                      # cannot happen: cap is an upper bound
        raise RuntimeError(f"amspares_write_rows: {n}")
    return buf[:n]


class CsvWriter:
    def __init__(self, path: Path, header: list[str], methods: list[str]):
        self.file = open(path, "wb")
        self.header = header
        self.methods = methods
        self.file.write((",".join(header) + "\n").encode())

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def finish(self, summary: Summary, meta: dict) -> None:
        self.file.close()

    def abort(self) -> None:
        self.file.close()


