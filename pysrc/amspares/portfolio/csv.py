"""Portfolio CSV: reading a catalogue in chunks and writing results, vectorised.

Reading: quote-free chunks are split with ``str.split`` after a vectorised field count;
other chunks go through the :mod:`csv` module. Writing: numbers are formatted by numpy
(:func:`format_numbers`) and text is escaped against spreadsheet formulas
(:func:`escape_text`).
"""

from __future__ import annotations

import collections
import csv
import io
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

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
    """Quote-free CSV text whose every line has ``width`` fields (checked), split on use.

    Splitting where the chunk is evaluated keeps the reading process light (with
    ``--jobs``, a chunk travels to its worker as one string).
    """

    text: str
    delimiter: str
    width: int

    def columns(self) -> list[list[str]]:
        flat = self.text.replace("\n", self.delimiter).split(self.delimiter)
        return [flat[j::self.width] for j in range(self.width)]


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
    rest = itertools.chain(first_lines[h + 1:], lines_in)

    def chunks():
        next_row = h + 2
        while True:
            lines = list(itertools.islice(rest, chunk_rows))
            if not lines:
                return
            data = b"".join(lines)
            if b'"' in data:
                while data.count(b'"') % 2:          # inside a quoted field: read on
                    more = next(rest, b"")
                    if not more:
                        break
                    data += more
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _not_utf8(path) from None
            plain = text
            if b"\r" in data:
                plain = text.replace("\r\n", "\n")
            if b'"' not in data and "\r" not in plain and "\n\n" not in plain and not plain.startswith("\n"):
                body = plain[:-1] if plain.endswith("\n") else plain
                counts = _fields_per_line(plain.encode("utf-8") if plain is not text else data, dl)
                if counts.size and (counts == width - 1).all():
                    nrows = counts.size
                    yield range(next_row, next_row + nrows), _SplitLater(body, delimiter, width), {}
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
            return min(f.tell() / size, 1.0)
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


def format_numbers(values: np.ndarray, sig: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Numbers as CSV text bytes, vectorised: a ``(len, width)`` uint8 matrix, 0-padded.

    Plain decimal notation with ``sig`` significant digits (trailing zeros dropped); NaN is
    an empty field; magnitudes outside [1e-6, 1e15) fall back to Python's ``repr``.

    >>> m = format_numbers(np.array([1735.7134039, -0.5, 0.0, np.nan, 3.0, 1e-9, 12345678.9]))
    >>> [bytes(r[r > 0]).decode() for r in m]
    ['1735.7134039', '-0.5', '0', '', '3', '1e-09', '12345678.9']
    """
    v = np.asarray(values, dtype=float).ravel()
    size = v.size
    small = _small_ints(v)
    if small is not None:
        return small
    a = np.abs(v)
    zero = a == 0
    with np.errstate(invalid="ignore"):
        fast = zero | ((a >= 1e-6) & (a < 1e15))
        whole = fast & (v == np.floor(v))
    slow = ~fast & ~np.isnan(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log10(np.where(fast & ~zero, a, 1.0))).astype(np.int64)
    d = np.clip(sig - 1 - e, 0, 17)
    d[~fast | whole] = 0
    m = np.rint(np.where(fast, a, 0.0) * _POW10[d].astype(float)).astype(np.int64)
    # drop trailing zeros of the fraction (only rows that still have some)
    live = np.flatnonzero((d > 0) & (m % 10 == 0))
    while live.size:
        m[live] //= 10
        d[live] -= 1
        live = live[(d[live] > 0) & (m[live] % 10 == 0)]
    n_digits = np.maximum(np.floor(np.log10(np.maximum(m, 1))).astype(np.int64) + 1, d + 1)
    n_digits[np.isnan(v)] = 0
    neg = (v < 0) & fast & ~zero
    length = neg + n_digits + (d > 0)
    width = max(int(length.max(initial=0)), 25 if slow.any() else 0, 1) + 1
    # column 0 is scratch (absent digits are written there, then cleared); the number is
    # right-aligned: digit k from the right at column width-1-k, one further left past the dot
    out = np.zeros((size, width), dtype=np.uint8)
    flat = out.reshape(-1)
    base = np.arange(size, dtype=np.int64) * width
    q = m.copy()
    has_dot = d > 0
    for k in range(int(n_digits.max(initial=0))):
        q, digit = np.divmod(q, 10)
        col = np.where(k < n_digits, width - 1 - k - ((k >= d) & has_dot), 0)
        flat[base + col] = digit + 48
    out[:, 0] = 0
    dot = np.flatnonzero(has_dot)
    out[dot, width - 1 - d[dot]] = ord(".")
    out[neg, width - length[neg]] = ord("-")
    for i in np.flatnonzero(slow).tolist():
        text = repr(float(v[i])).encode()
        out[i, :] = 0
        out[i, :len(text)] = np.frombuffer(text, dtype=np.uint8)
    return out


_INT_LOW, _INT_HIGH = -99_999, 99_999
_INT_TABLE: list = []


def _small_ints(v: np.ndarray) -> np.ndarray | None:
    """Whole numbers in [-99999, 99999] (or NaN), by table look-up; None for other values."""
    with np.errstate(invalid="ignore"):
        finite = ~np.isnan(v)
        if not (((v >= _INT_LOW) & (v <= _INT_HIGH) & (v == np.floor(v))) | ~finite).all():
            return None
    if not _INT_TABLE:
        texts = [b""] + [str(i).encode() for i in range(_INT_LOW, _INT_HIGH + 1)]
        _INT_TABLE.append(np.array(texts, dtype="S6"))
    index = np.where(finite, np.nan_to_num(v) - _INT_LOW + 1, 0).astype(np.int64)
    return _INT_TABLE[0][index].view(np.uint8).reshape(v.size, 6)


def _text_matrix(texts: Sequence[str], escape: bool = True) -> np.ndarray:
    """CSV fields for text (escaped against formulas, quoted when needed) as a byte matrix."""
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


def csv_chunk_bytes(res: ChunkResult, methods: list[str], header: list[str]) -> bytes:
    """One chunk of output rows as CSV bytes (vectorised; no Python loop per number)."""
    size = len(res.sku)
    names = np.array([escape_text(m).encode() for m in methods] + [b""], dtype="S")
    carried = list((res.carried or {}).values())
    parts = [_text_matrix(res.sku)] + [_text_matrix(c) for c in carried] + [format_numbers(res.rate)]
    for name in header[2 + len(carried):-5]:
        parts.append(format_numbers(res.columns[name]))
    for idx in (res.cheapest, res.lowest_impact, res.lowest_impact_co2e):
        sel = names[np.where(idx >= 0, idx, len(methods))]
        parts.append(sel.view(np.uint8).reshape(size, max(sel.dtype.itemsize, 1)))
    parts.append(format_numbers(res.saving))
    parts.append(_text_matrix(res.errors))
    assert len(parts) == len(header)
    comma = np.full((size, 1), ord(","), dtype=np.uint8)
    newline = np.full((size, 1), ord("\n"), dtype=np.uint8)
    blocks = []
    for i, p in enumerate(parts):
        blocks.append(p)
        blocks.append(comma if i < len(parts) - 1 else newline)
    flat = np.hstack(blocks).ravel()
    return flat[flat != 0].tobytes()


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


