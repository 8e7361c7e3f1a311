"""The compiled CSV fast path (``_fastcsv.c``) writes the bytes of the numpy path, which
defines them (the rule is written out value by value in ``tests/test_csv_write.py``).

The library is built by ``pip install`` wherever a C compiler is (``hatch_build.py``); on
such a machine a missing library fails here instead of being skipped. The references are
the plain-Python rule of ``test_csv_write`` (independent of both engines) and the numpy
engine itself, over awkward values (powers of ten and their neighbours, rounding
half-way at the 12th digit, the limits of plain notation), random bit patterns and a
seeded hypothesis search; and whole catalogues run both ways through the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amspares.portfolio import csv as C
from amspares.portfolio import native
from test_csv_write import _awkward, _chunk, _reference_csv, _reference_texts

ROOT = Path(__file__).resolve().parents[1]


def _compiler() -> str | None:
    """The compiler the build hook would use (hatch_build.py imports without hatchling)."""
    sys.path.insert(0, str(ROOT))
    try:
        from hatch_build import find_compiler
    finally:
        sys.path.pop(0)
    cc = find_compiler()
    return cc[0] if cc else None


def test_the_library_is_built_and_loaded_where_a_compiler_is():
    if os.environ.get("AMSPARES_NATIVE", "1") == "0":
        assert native.LIB is None and "AMSPARES_NATIVE=0" in native.status()
        return
    if _compiler() is None:
        assert native.LIB is None and "not built" in native.status()
        return
    assert native.LIB is not None, (f"{native.status()}: a C compiler is here, so installing amspares "
                                    "builds it; in a checkout used without installing, run python3 hatch_build.py")
    assert native.status().startswith("compiled (")


needs_lib = pytest.mark.skipif(native.LIB is None, reason="the compiled library is not built here "
                               "(test_the_library_is_built_and_loaded_where_a_compiler_is says why)")


def _native_texts(values) -> list[str]:
    """One number column written by the compiled writer, a row each."""
    v = np.asarray(values, dtype=float).ravel()
    fields = [("number", v, 0), ("text", np.zeros((v.size, 0), np.uint8), 0, ord("\n"))]
    out = C._native_bytes(fields, v.size).tobytes().decode()
    return out.split("\n")[:-1]


def _plain(values) -> np.ndarray:
    """The values the compiled formatter writes itself (``repr`` ones go to numpy)."""
    v = np.asarray(values, dtype=float).ravel()
    a = np.abs(v)
    return v[(a == 0) | ((a >= 1e-6) & (a < 1e15)) | np.isnan(v)]


@needs_lib
def test_awkward_numbers_match_the_reference():
    vals = _plain(_awkward())
    assert len(vals) > 500
    assert _native_texts(vals) == _reference_texts(vals)


@needs_lib
def test_random_numbers_match_the_reference():
    rng = np.random.default_rng(2026)
    n = 50_000
    v = np.concatenate([
        rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-6, 15, n),
        np.round(rng.gamma(0.6, 200.0, n) * (p := 10.0 ** rng.integers(0, 13, n))) / p,
        rng.integers(-10 ** 15 + 1, 10 ** 15, n).astype(float),
        rng.integers(-120_000, 120_000, n).astype(float),
        rng.random(n),
        1 - rng.random(n) ** 4 / 1e6,                      # fill rates near 1
        np.frombuffer(rng.bytes(8 * n), dtype=np.float64),
    ])
    v[rng.random(v.size) < 0.02] = np.nan
    v = _plain(v)
    assert _native_texts(v) == _reference_texts(v)


@needs_lib
def test_columns_with_repr_numbers_match_numpy():
    # a column with a number outside [1e-6, 1e15) is written by numpy's formatter: the
    # same bytes, the tiny and huge values in Python's repr
    v = np.array(_awkward())
    assert _native_texts(v) == _reference_texts(v)


@needs_lib
@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.floats(min_value=-1e15, max_value=1e15),
                          st.sampled_from([float(x) for x in _plain(_awkward())]),
                          st.integers(-10 ** 15 + 1, 10 ** 15 - 1).map(float),
                          st.floats(min_value=1e-6, max_value=1e-4)),
                min_size=1, max_size=40))
def test_any_column_matches_the_reference(values):
    assert _native_texts(values) == _reference_texts(values)


@needs_lib
def test_decimals_follow_numpy_log10_at_every_power_of_ten():
    vals = []
    for k in range(-6, 16):
        x = float(f"1e{k}")
        below = [x]
        for _ in range(6000):
            below.append(np.nextafter(below[-1], 0.0))
        above = [x]
        for _ in range(6000):
            above.append(np.nextafter(above[-1], np.inf))
        vals += below + above
    rng = np.random.default_rng(5)
    vals += (10.0 ** rng.uniform(-6, 15, 100_000)).tolist()
    a = np.array([x for x in vals if 1e-6 <= x < 1e15])
    d, special = C.native_decimals(a)
    assert special == 0
    assert np.array_equal(d, C._decimals(a, 12, C._tables(0, 12)))
    d, special = C.native_decimals(np.array([0.0, np.nan, 1e-7, 1e15, np.inf, -3.5]))
    assert d.tolist() == [0, -3, -2, -2, -2, 11] and special == 3


@needs_lib
@pytest.mark.parametrize("n", [1, 7, 3000])
def test_chunk_rows_are_the_reference_fields_joined(n):
    methods = ["regular", "am_mts", "=am_mto"]
    res, header = _chunk(np.random.default_rng(n), n, methods)
    assert C.csv_chunk_bytes(res, methods, header) == _reference_csv(res, methods, header)


@needs_lib
def test_text_with_nul_characters_is_written_as_numpy_writes_it(monkeypatch):
    methods = ["regular", "am_mts", "am_mto"]
    res, header = _chunk(np.random.default_rng(4), 200, methods)
    res.sku[3] = "a\0b"
    res.errors[5] = "\0x\0"
    compiled = C.csv_chunk_bytes(res, methods, header)
    monkeypatch.setattr(native, "LIB", None)
    assert compiled == C.csv_chunk_bytes(res, methods, header)


@needs_lib
@pytest.mark.parametrize("example", ["catalogue.csv", "catalogue_history.csv"])
def test_catalogues_give_the_same_file_either_way(tmp_path, example):
    src = ROOT / "examples" / example
    outs = []
    for flag in ("1", "0"):
        out = tmp_path / f"out{flag}.csv"
        env = dict(os.environ, AMSPARES_NATIVE=flag)
        proc = subprocess.run([sys.executable, "-m", "amspares.cli", "portfolio", str(src), "-o", str(out)],
                              capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 5


@needs_lib
@pytest.mark.parametrize("mark", [".", ","])
def test_plain_numbers_are_read_as_the_numpy_reader_reads_them(mark):
    from test_csv_engine import _cells, _short_cells

    rng = np.random.default_rng(9)
    cells = _cells(rng, 4000) + _short_cells(rng, 8000) + [
        "", "-", "+", ".", "-.", "+.5", "-0", "007", "1.2.3", "1,5", "123456789012345", "1234567890123456",
        "-123456789012345", "+12345678901234.5", "1" * 17, "0.000000000000001", "9" * 15 + ".", "\0", "1\0",
        "٣", "１", "1e5", " 1", "1 ", "--1", "+-1", "12345678", "-1234567", "1234567.8"]
    data = "\n".join(f"S{i};{c}" for i, c in enumerate(cells)).encode()
    col = C._SplitLater(data, ";", 2).columns()[1]
    v, fast = C.native_plain_numbers(col.arr, col.starts, col.lengths, ord(mark))
    v0, fast0 = C._short_numbers(col.arr, col.starts, col.lengths, ord(mark))
    wide = np.flatnonzero((col.lengths > 8) & (col.lengths <= C._FIELD_MAX))
    part = C._ByteColumn(col.data, col.arr, col.starts[wide], col.ends[wide])
    v0[wide], fast0[wide] = C._wide_numbers(part.matrix(part.longest()), part.lengths, ord(mark))
    assert fast.tolist() == fast0.tolist() and fast.sum() > 5000
    assert np.array_equal(v[fast], v0[fast]) and (np.signbit(v[fast]) == np.signbit(v0[fast])).all()
    # and against float() itself, cell by cell
    for c, x in zip(np.array(cells, dtype=object)[fast].tolist(), v[fast].tolist()):
        assert float(c.replace(mark, ".") if mark == "," else c) == x


def _read_all(path: Path, chunk_rows: int) -> list:
    """Every chunk read_csv yields: its row numbers, its cells as text, its problems."""
    src = C.read_csv(path, chunk_rows)
    out = []
    for rows, cols, problems in src.chunks:
        if hasattr(cols, "columns"):
            cols = cols.columns()
        out.append((list(rows), [[c[i] for i in range(len(c))] for c in cols], problems))
    src.close()
    return src.header, out


_FILES = {
    "lf": b"sku,a,b\nS1,1,2\nS2,,3.5\nS3,x,\n",
    "crlf": b"sku,a,b\r\nS1,1,2\r\nS2,,3.5\r\nS3,x,\r\n",
    "no final line end": b"sku,a,b\r\nS1,1,2\r\nS2,4,5",
    "quotes": b'sku,a,b\nS1,"1",2\nS2,"x,y",3\n',
    "empty line": b"sku,a,b\nS1,1,2\n\nS2,4,5\n",
    "empty crlf line": b"sku,a,b\r\nS1,1,2\r\n\r\nS2,4,5\r\n",
    "lone cr": b"sku,a,b\nS1,1\r2,3\nS2,4,5\n",
    "short and long rows": b"sku,a,b\nS1,1\nS2,4,5,6\nS3,7,8,\n",
    "one column": b"sku\nS1\nS2\n\nS3\n",
    "semicolons": "sku;a;b\r\nS1;1,5;2\r\nSé;4;5\r\n".encode(),
    "nul and utf-8": "sku,a,b\nS\0,1,2\nGröße,3,4\n".encode(),
}


@needs_lib
@pytest.mark.parametrize("name", sorted(_FILES))
@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
def test_chunks_are_cut_as_numpy_cuts_them(tmp_path, monkeypatch, name, chunk_rows):
    path = tmp_path / "c.csv"
    path.write_bytes(_FILES[name])
    compiled = _read_all(path, chunk_rows)
    monkeypatch.setattr(native, "LIB", None)
    assert compiled == _read_all(path, chunk_rows)


@needs_lib
def test_split_refuses_what_is_not_plain():
    def split(data: bytes, width: int) -> int:
        return native.LIB.amspares_split(data, len(data), ord(","), width, None, None)

    assert split(b"a,b\nc,d\n", 2) == 2 and split(b"a,b\r\nc,d", 2) == 2 and split(b"a\n", 1) == 1
    assert split(b",\n,\n", 2) == 2                     # empty cells are fine
    for bad in (b'a,"b"\n', b"a,b\rc,d\n", b"a,b\n\nc,d\n", b"\na,b\n", b"a,b,c\n", b"a\n", b"a,b\r"):
        assert split(bad, 2) == -1, bad
    assert split(b"a\n\nb\n", 1) == -1


def test_the_build_hook_compiles_or_says_why(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT))
    try:
        import hatch_build
    finally:
        sys.path.pop(0)
    monkeypatch.setenv("AMSPARES_BUILD_NATIVE", "0")
    assert hatch_build.compile_library(ROOT, tmp_path / "x.so") == "skipped (AMSPARES_BUILD_NATIVE=0)"
    monkeypatch.setenv("AMSPARES_BUILD_NATIVE", "1")
    monkeypatch.setenv("CC", "no-such-compiler-here")
    monkeypatch.setenv("PATH", str(tmp_path))              # and none on the PATH either
    monkeypatch.setattr(hatch_build.sysconfig, "get_config_var", lambda name: None)
    assert "no C compiler found" in hatch_build.compile_library(ROOT, tmp_path / "x.so")
    assert not (tmp_path / "x.so").exists()


@needs_lib
def test_the_build_hook_builds_a_library_that_loads(tmp_path):
    import ctypes

    sys.path.insert(0, str(ROOT))
    try:
        import hatch_build
    finally:
        sys.path.pop(0)
    out = tmp_path / hatch_build.library_name()
    assert hatch_build.compile_library(ROOT, out) is None
    assert ctypes.CDLL(str(out)).amspares_abi() == native.ABI
    assert not list(tmp_path.glob("*.tmp"))                # built under a temporary name, then renamed


def test_large_arrays_are_kept_on_glibc():
    # the allocator setting is process-wide: run it in a child, and only where it applies
    import platform

    code = ("from amspares.portfolio.native import keep_large_arrays; import sys; "
            "sys.exit(0 if keep_large_arrays() else 3)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == (0 if platform.libc_ver()[0] == "glibc" else 3), proc.stderr
