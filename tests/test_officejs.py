"""``amspares.udfs`` through xlwings' Office.js custom-function path (xlwings Lite / Server).

With ``XLWINGS_ON_SERVER=true`` xlwings' ``func``/``arg``/``ret`` are those of
``xlwings.server`` (``xlwings/__init__.py``).  A fresh interpreter is started so that the
switch is seen at import time, as in xlwings Lite, whose Pyodide runtime also sets
``XLWINGS_LICENSE_KEY=noncommercial`` before importing xlwings.  It registers the module
with ``custom_functions_meta`` (the metadata Excel's Office.js reads) and calls functions
with ``custom_functions_call`` and a request shaped like xlwings' own tests make
(``func_name``, ``args``, ``client="Office.js"``, ``runtime``, culture).

Expected numbers: the case study of docs/model.md (S* = 5, TC(S*) = 1735.71, the same
figures tests/test_udf_vba.py checks through the desktop path) and the desktop path itself.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import amspares.udfs as udfs
from amspares.excel import functions as fx

ROOT = Path(__file__).resolve().parents[1]
CASE = [2.0, 30.0, 15.0, 86.0, 100.0, 0.0, 0.08, 10.0, 0.45]   # OPTIMAL_S's nine required inputs

SCRIPT = r"""
import asyncio, json, sys
import xlwings
from xlwings.pro import udfs_officejs as oj
import amspares.udfs as m

def call(name, args):
    data = {"func_name": name, "args": args, "version": xlwings.__version__, "client": "Office.js",
            "runtime": "1.4", "culture_info_name": "en-US", "date_format": "m/d/yy"}
    return asyncio.run(oj.custom_functions_call(data, m))

calls = json.loads(sys.stdin.read())
out = {"on_server": xlwings.on_server, "meta": oj.custom_functions_meta(m),
       "results": [call(name, args) for name, args in calls]}
print(json.dumps(out))
"""


def m(v):
    """A single-cell argument as Office.js sends a matrix parameter."""
    return [[v]]


CALLS = [
    ("OPTIMAL_S", [m(v) for v in CASE] + [None] * 6),
    ("OPTIMAL_S", [m(v) for v in CASE] + [None, None, m("erlang_c"), m(True), None, None]),
    ("ERLANGC", [[[1], [2], [3]], m(0.5)]),
    ("ACCEPTED_Q", [m(3.0), None]),
    ("ERLANGC", [m(1), m("x")]),
    # version 2
    ("POLICY", [m(v) for v in CASE] + [[[1], [20], [100]]] + [None] * 6 + [m(True)]),
    ("FILL_RATE", [m(5), m(2 * 86 / 365), None, None]),
    ("ON_TIME_RATE", [m(2), m(2), m(86), m(30), None, m(10)]),
    ("DEMAND_RATE", [[[2, 0, 1, 0], [0, 0, 0, 3]], m(4), None, None]),
    ("CATALOGUE", [[["sku", "demand.rate_per_year"], ["A", 2], ["B", -1]], None, None]),
]


@pytest.fixture(scope="module")
def officejs():
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial",
           "PYTHONPATH": str(ROOT / "pysrc")}
    r = subprocess.run([sys.executable, "-c", SCRIPT], input=json.dumps(CALLS), capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def blanks(rows):
    """A desktop result with its empty cells (None) as Office.js shows them ("")."""
    return [["" if c is None else c for c in r] for r in rows]


def test_registers_every_function_with_its_arguments(officejs):
    assert officejs["on_server"] is True
    funcs = {f["id"]: f for f in officejs["meta"]["functions"]}
    assert sorted(funcs) == sorted(udfs.__all__)
    for name in udfs.__all__:
        f = funcs[name]
        params = inspect.signature(getattr(udfs, name)).parameters
        assert [p["name"] for p in f["parameters"]] == list(params)
        for p in f["parameters"]:
            optional = params[p["name"]].default is not inspect.Parameter.empty
            assert p.get("optional", False) == optional, (name, p["name"])
            assert p["dimensionality"] == "matrix"          # ranges arrive as 2-D
            assert p["description"] == fx.arg_help(name, p["name"])
        assert f["description"] == fx.DESCRIPTIONS[name]
        assert f["result"]["dimensionality"] == "matrix"    # results may spill


def test_computes_as_on_the_desktop(officejs):
    opt, opt_cost, erl, acc, bad, pol, fill, on_time, dem, cat = officejs["results"]
    assert opt == [[5]]                                     # docs/model.md case study
    assert opt_cost[0][0] == 5 and round(opt_cost[0][1], 2) == 1735.71
    # the desktop path (plain Python, the same conversion of blanks to defaults)
    assert erl == udfs.ERLANGC([[1], [2], [3]], [[0.5]])
    assert acc == udfs.ACCEPTED_Q([[3.0]], [[fx.DEFAULT_CONFIDENCE]])     # a blank optional: its default
    assert bad[0][0].startswith("#VALUE! u must be a number")
    # version 2: the same results as the desktop path (plain Python; blanks are defaults).
    # An empty result cell (None) arrives as "" through xlwings' Office.js conversion.
    assert pol == blanks(udfs.POLICY(*CASE, [[1], [20], [100]], header=True))
    assert pol[0] == list(fx.POLICY_COLUMNS) and [r[0] for r in pol[1:]] == \
        ["base_stock", "reorder_point", "one_order"]
    assert fill == [[udfs.FILL_RATE(5, 2 * 86 / 365)]]
    assert on_time == [[udfs.ON_TIME_RATE(2, 2, 86, 30, Q=10)]]
    assert dem == blanks(udfs.DEMAND_RATE([[2, 0, 1, 0], [0, 0, 0, 3]], 4))
    assert cat == blanks(udfs.CATALOGUE([["sku", "demand.rate_per_year"], ["A", 2], ["B", -1]]))
    assert cat[1][2] == 5 and cat[2][-1] == "row 3, demand.rate_per_year = -1: must be >= 0"
