"""The optional compiled fast path for catalogue CSV files (``_fastcsv.c``, loaded with ctypes).

``pip install`` compiles ``_fastcsv.c`` when a C compiler is there (``hatch_build.py``);
without one, or with the environment variable ``AMSPARES_NATIVE=0``, :data:`LIB` is None
and :mod:`amspares.portfolio.csv` uses its numpy twins, which define every result: the
compiled code reads and writes the same numbers and bytes (``tests/test_native_csv.py``).
It does byte work only (text to numbers, numbers to text), never model arithmetic or rules.
:func:`keep_large_arrays` (glibc's ``mallopt``, set by a portfolio run) sits here too: the
other place amspares speaks to the C library through ctypes.

:func:`status` says which path is in use (``amspares doctor`` prints it).
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "_fastcsv.c"
ABI = 2                          # amspares_abi() of the library this module speaks to


class Field(ctypes.Structure):
    """``amspares_field`` of ``_fastcsv.c``: one output field of every row."""

    _fields_ = [("kind", ctypes.c_int32), ("lead", ctypes.c_int32), ("data", ctypes.c_void_p),
                ("width", ctypes.c_int64), ("table", ctypes.c_void_p), ("count", ctypes.c_int64)]


def library_paths() -> list[Path]:
    """Where the compiled library may be: next to this module, named as the build names it."""
    return sorted(p for p in HERE.glob("_fastcsv*") if p.suffix in (".so", ".dll", ".dylib"))


def _load():
    if os.environ.get("AMSPARES_NATIVE", "1").strip() in ("0", "no", "off", "false"):
        return None, "switched off (AMSPARES_NATIVE=0)"
    paths = library_paths()
    if not paths:
        return None, "not built (no C compiler when amspares was installed)"
    try:
        lib = ctypes.CDLL(str(paths[0]))
        if lib.amspares_abi() != ABI:
            return None, f"{paths[0].name} is from another version of amspares: reinstall"
    except (OSError, AttributeError) as exc:
        return None, f"{paths[0].name} cannot be loaded ({exc})"
    p, i64, i32 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32
    lib.amspares_number_room.restype = i32
    lib.amspares_write_rows.argtypes = [i64, i64, p, i32, p, i64, i32, p, p]
    lib.amspares_write_rows.restype = i64
    lib.amspares_read_plain.argtypes = [p, p, p, i64, i32, p, p]
    lib.amspares_read_plain.restype = i64
    lib.amspares_split.argtypes = [ctypes.c_char_p, i64, i32, i64, p, p]
    lib.amspares_split.restype = i64
    lib.amspares_line_end.argtypes = [ctypes.c_char_p, i64, i64]
    lib.amspares_line_end.restype = i64
    return lib, f"compiled ({paths[0].name})"


LIB, STATUS = _load()


def status() -> str:
    """One line: which CSV engine writes numbers, e.g. ``"compiled (_fastcsv.so)"``."""
    return STATUS


#: glibc's ``mallopt`` parameters (malloc.h) and the values :func:`keep_large_arrays` sets.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
LARGE = 1 << 28                  # 256 MiB: a chunk's arrays stay on the heap between chunks


def keep_large_arrays() -> bool:
    """Let glibc keep a catalogue chunk's large arrays between chunks (``mallopt``).

    By default glibc gives every array over about 32 MB its own memory map and returns it
    on ``free``; the next chunk's arrays then fault in fresh zeroed pages (about 190,000
    page faults and 1.4 CPU-s of system time for a million SKUs). With a 256 MiB mmap and
    trim threshold the freed memory is reused: about half the faults, for up to 256 MiB
    more resident memory. The numbers computed do not change. Only on glibc (Linux);
    elsewhere nothing happens. Returns whether it was set.
    """
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return all(mallopt(p, v) == 1 for p, v in ((M_MMAP_THRESHOLD, LARGE), (M_TRIM_THRESHOLD, LARGE),
                                               (M_TOP_PAD, 1 << 26)))
