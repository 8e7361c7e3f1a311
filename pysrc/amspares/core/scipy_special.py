"""``scipy.special``, imported without the NumPy submodules it never uses (start-up time).

SciPy (1.15 and later) builds its array-API namespace for NumPy by copying every public
name of ``numpy`` (``from numpy import *`` and a ``dir()`` walk). That imports NumPy's
lazily loaded submodules ``f2py``, ``testing``, ``random``, ``ma``, ``polynomial`` and
others: about 0.25 CPU-s, a third of ``amspares evaluate``'s start-up and most of the
first worksheet function's import in Excel. None of them is part of the array API that
SciPy's wrappers use, and amspares never reaches NumPy through that namespace. So, while
``scipy.special`` is first imported, ``numpy.__all__`` and ``dir(numpy)`` leave out the
submodules not loaded yet; both are restored right after. If SciPy was already imported
(by another package), nothing changes. ``tests/test_startup.py`` checks that they are
not imported and that the copied namespace still holds the array API's functions.

>>> import math
>>> from amspares.core.scipy_special import special
>>> p = float(special.pdtrc(2, 1.0))     # P(N > 2), N ~ Poisson(1): 1 - (1 + 1 + 1/2) / e
>>> round(p, 12), abs(p - (1 - 2.5 / math.e)) < 1e-15
(0.080301397071, True)
"""

from __future__ import annotations

import sys

#: NumPy's lazily imported submodules that the array-API copy would load.
UNUSED = ("f2py", "testing", "random", "ma", "polynomial", "ctypeslib", "rec", "char", "strings",
          "matrixlib", "distutils")


def _import_special():
    if "scipy.special" in sys.modules:
        return sys.modules["scipy.special"]
    import numpy

    skip = {n for n in UNUSED if f"numpy.{n}" not in sys.modules}
    saved_all = numpy.__all__
    saved_dir = numpy.__dict__.get("__dir__")
    numpy.__all__ = [n for n in saved_all if n not in skip]
    if saved_dir is not None:
        numpy.__dir__ = lambda: [n for n in saved_dir() if n not in skip]
    try:
        from scipy import special
    finally:
        numpy.__all__ = saved_all
        if saved_dir is not None:
            numpy.__dir__ = saved_dir
    return special


special = _import_special()
