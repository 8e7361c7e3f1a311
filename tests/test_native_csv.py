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


def _numpy_texts(values) -> list[str]:
    """One number column written by the numpy engine (which defines the bytes), a row each."""
    v = np.asarray(values, dtype=float).ravel()
    return [bytes(r[r > 0]).decode() for r in C.format_numbers(v)]


def _near_powers(ulps: int) -> np.ndarray:
    """Every double within ``ulps`` units in the last place of 10**k, k = -7..16, both signs."""
    powers = np.array([float(f"1e{k}") for k in range(-7, 17)])
    near = (powers.view(np.int64)[:, None] + np.arange(-ulps, ulps + 1)).view(np.float64).ravel()
    return np.concatenate([near, -near])


@needs_lib
def test_numbers_near_powers_of_ten_are_written_as_numpy_writes_them():
    # within 1e-12 of a power of ten numpy's log10 decides the decimals (the compiled writer
    # looks them up in _near_exponents); 6000 > 4600 ulps: the table's edges and beyond
    v = _near_powers(6000)
    plain = _plain(v)
    assert plain.size > 500_000
    assert _native_texts(plain) == _numpy_texts(plain) == _reference_texts(plain)
    rng = np.random.default_rng(5)
    v = rng.choice([-1.0, 1.0], 200_000) * 10.0 ** rng.uniform(-6, 15, 200_000)
    assert _native_texts(v) == _numpy_texts(v)


@needs_lib
def test_the_near_table_is_numpy_log10_wherever_it_is_asked():
    # the table is np.log10 of one array; _decimals asks np.log10 of the near numbers of a
    # column, any subset in any order: the same floor for each number either way
    table = C._near_exponents()
    assert table.shape == (23, 2 * C._NEAR_ULPS + 1) and table.dtype == np.int8
    powers = np.array([float(f"1e{j}") for j in range(-6, 17)])
    near = (powers.view(np.int64)[:, None] + np.arange(-C._NEAR_ULPS, C._NEAR_ULPS + 1)).view(np.float64)
    assert set(np.unique(table - np.arange(-6, 17)[:, None]).tolist()) == {-1, 0}
    rng = np.random.default_rng(3)
    for _ in range(20):
        pick = rng.choice(near.size, rng.integers(1, 5000), replace=False)
        assert np.array_equal(np.floor(np.log10(near.ravel()[pick])).astype(np.int8), table.ravel()[pick])
    assert [int(np.floor(np.log10(x))) for x in near[::97, ::89].ravel().tolist()] == \
        table[::97, ::89].ravel().tolist()


@needs_lib
def test_near_powers_of_ten_the_writer_follows_numpy_log10_whatever_it_says(monkeypatch):
    # this numpy's log10 floors as the exact comparison does; one that rounds down within
    # 1e-9 above each power of ten (as another build's might) must move both engines alike
    real = np.log10
    v = _plain(_near_powers(6000))
    before = _numpy_texts(v)
    monkeypatch.setattr(np, "log10", lambda x, *args, **kw: real(x, *args, **kw) - 1e-9)
    monkeypatch.setattr(C, "_NEAR", [])                  # the table made again, with it
    compiled = _native_texts(v)
    monkeypatch.setattr(native, "LIB", None)
    assert compiled == _numpy_texts(v)
    assert sum(x != y for x, y in zip(compiled, before)) > 1000      # it did move them


@needs_lib
@pytest.mark.parametrize("sig", [1, 6, 9, 12, 15])
def test_other_significant_digits_are_written_as_numpy_writes_them(sig):
    # with sig digits, numbers rounding up to a new digit lie outside the near-power band
    # (for sig < 12): the compiled writer's fast path must give them to its general path
    rng = np.random.default_rng(sig)
    k = rng.integers(-5, 14, 20_000).astype(float)
    v = np.concatenate([rng.choice([-1.0, 1.0], 50_000) * 10.0 ** rng.uniform(-6, 15, 50_000),
                        10.0 ** k * (1 - rng.uniform(0, 9, k.size) * 10.0 ** -(sig + 1)),
                        10.0 ** k * (1 + rng.uniform(0, 9, k.size) * 10.0 ** -(sig + 1)),
                        np.array(_CASES), _near_powers(50)])
    v = _plain(v)                                      # (a number for repr: numpy writes the column)
    fields = [("number", v, 0), ("text", np.zeros((v.size, 0), np.uint8), 0, ord("\n"))]
    got = C._native_bytes(fields, v.size, sig).tobytes().decode().split("\n")[:-1]
    assert got == [bytes(r[r > 0]).decode() for r in C.format_numbers(v, sig)]


_CASES = [
    0.0, -0.0, np.nan, -np.nan, 1.0, -1.0, 7.0, 10.0, 99.0, 100.0, 12345678.0, 99999999.0, 100000000.0,
    999999999999.0, -999999999999.0, 1e12, 1e12 + 1, 123456789012345.0, 999999999999999.0,  # whole
    0.5, -0.25, 1 / 3, 2 / 3, 0.1, 0.01, 1e-5, 1.5e-6, 1.0000000000005e-6, 1e-6, 9.99999e-6,  # fractions
    9.9999999999995, 0.99999999999995, 99999999999.9995, 999999999999.5, 123456789012.5,  # rounding up
    1234567890123.25, 5e14 + 0.5, 999999999999999.9, 4503599627370495.5,              # >= 1e12
    1.000000000005, 1.0000000000005, 1.00000000000049, 1.00000000000051, 2.5, 1735.7134039,
    0.000123456789012345, 0.0000123456789012345, 1e-7, 1e15, -1e16, np.inf, -np.inf, 5e-324,  # repr
]


@needs_lib
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_each_kind_of_number_is_written_as_numpy_writes_it(sign):
    # NaN, zeros, whole numbers (the compiled writer's shortcut below 10**12 and the rule
    # above), fractions with sig digits (its fast path) and the others (rounding up to a
    # new digit, clipped decimals: its general path), and the numbers for repr
    v = sign * np.array(_CASES)
    assert _native_texts(v) == _numpy_texts(v) == _reference_texts(v)
    plain = _plain(v)
    assert _native_texts(plain) == _reference_texts(plain)
    for x in v.tolist():                                # each alone: a column of one kind
        assert _native_texts([x]) == _reference_texts([x]), x


@needs_lib
def test_fields_with_numbers_for_repr_are_written_by_numpy_the_others_by_the_library():
    rng = np.random.default_rng(8)
    n = 500
    a = rng.gamma(0.6, 200.0, n)
    b = a.copy()
    b[[3, n - 1]] = [1e-9, 2e20]                        # repr numbers, one in the last row
    c = np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 30, n).astype(float))
    d = c.copy()
    d[0] = -np.inf
    names = np.frombuffer(b"x\0\0yz\0", np.uint8).reshape(2, 3)[rng.integers(0, 2, n)]
    fields = [("number", a, 0), ("number", b, ord(",")), ("text", names, ord(","), 0), ("number", c, ord(",")),
              ("number", d, ord(";")), ("text", np.zeros((n, 0), np.uint8), ord(","), ord("\n"))]
    got = C._native_bytes(fields, n).tobytes().decode()
    want = ["".join(row) for row in zip(_numpy_texts(a), [","] * n, _numpy_texts(b), [","] * n,
                                         [bytes(r[r > 0]).decode() for r in names], [","] * n, _numpy_texts(c),
                                         [";"] * n, _numpy_texts(d), [",\n"] * n)]
    assert got == "".join(want)
    assert "1e-09" in got and "2e+20" in got and "-inf" in got


@needs_lib
@pytest.mark.parametrize("width", [1, 3, 7, 8, 9, 15, 16, 17, 40])
def test_text_fields_are_their_non_zero_bytes_at_every_width(width):
    # the library copies fields of up to 16 bytes as two words (the length from the first
    # 0 byte), others and those with a 0 before a letter byte by byte; the last rows of the
    # matrix are read without reading past it
    rng = np.random.default_rng(width)
    n = 300
    m = rng.integers(1, 256, (n, width)).astype(np.uint8)
    lengths = rng.integers(0, width + 1, n)
    m[np.arange(width) >= lengths[:, None]] = 0          # 0-padded to the width
    holes = rng.random((n, width)) < 0.05                # and some 0 bytes inside
    m[holes] = 0
    m = m[::-1].copy()                                   # padded and holed rows at the end too
    fields = [("text", m, 0, 0), ("number", rng.random(n), ord(",")),
              ("text", m[::-1].copy(), ord(";"), ord("\n"))]
    got = C._native_bytes(fields, n).tobytes()
    rows = [bytes(r[r > 0]) + b"," + t.encode() + b";" + bytes(q[q > 0]) + b"\n"
            for r, t, q in zip(m, _numpy_texts(fields[1][1]), m[::-1])]
    assert got == b"".join(rows)


@needs_lib
@pytest.mark.parametrize("n", [1, 7, 3000])
def test_chunk_rows_are_the_reference_fields_joined(n):
    methods = ["regular", "am_mts", "=am_mto"]
    res, header = _chunk(np.random.default_rng(n), n, methods)
    assert C.csv_chunk_bytes(res, methods, header) == _reference_csv(res, methods, header)


@needs_lib
def test_a_chunk_with_numbers_for_repr_after_the_choices_is_written_as_numpy_writes_it(monkeypatch):
    methods = ["regular", "am_mts", "=am_mto"]
    res, header = _chunk(np.random.default_rng(6), 400, methods)
    res.saving[[0, 7, 399]] = [1e-9, -3e17, np.inf]      # the field after the three choices
    res.rate[5] = 5e-7
    compiled = C.csv_chunk_bytes(res, methods, header)
    assert compiled == _reference_csv(res, methods, header)
    monkeypatch.setattr(native, "LIB", None)
    assert compiled == C.csv_chunk_bytes(res, methods, header)


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
