"""The two CSV engines as one pytest fixture: import ``engine`` into a test module and every
test there runs with the compiled fast path and with numpy's twin."""

from __future__ import annotations

import pytest

from amspares.portfolio import native


@pytest.fixture(params=["compiled", "numpy"], autouse=True)
def engine(request, monkeypatch):
    """Every test of the importing module runs with the compiled CSV fast path and with numpy's twin."""
    if request.param == "numpy":
        monkeypatch.setattr(native, "LIB", None)
    elif native.LIB is None:
        pytest.skip("no compiled library here (tests/test_native_csv.py says why)")
    return request.param
