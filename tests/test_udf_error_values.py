"""Excel's newer error values reach the functions as integers; texts fit in a cell.

Where the numbers come from: Excel's ``XlCVError`` enumeration (Microsoft's VBA reference:
xlErrGettingData 2043, xlErrSpill 2045, xlErrConnect 2046, xlErrBlocked 2047,
xlErrUnknown 2048, xlErrField 2049, xlErrCalc 2050) and COM's error HRESULT for a cell
error, 0x800A0000 + code, read as a signed 32-bit integer.  xlwings 0.37.8 turns only the
seven classic errors into text (its ``_xlwindows.py`` table, read below); every other
error value arrives as that integer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlwings

import amspares.udfs as udfs
from amspares.excel import functions as fx

XLCVERROR = {"#GETTING_DATA": 2043, "#SPILL!": 2045, "#CONNECT!": 2046, "#BLOCKED!": 2047,
             "#UNKNOWN!": 2048, "#FIELD!": 2049, "#CALC!": 2050}


def hresult(code: int) -> int:
    value = 0x800A0000 + code
    return value - 2**32          # as a signed 32-bit integer


def test_xlwings_maps_only_the_classic_errors():
    source = (Path(xlwings.__file__).parent / "_xlwindows.py").read_text(encoding="utf-8")
    mapped = dict((int(k), v) for k, v in re.findall(r"(-2146826\d{3}): \"(#[^\"]+)\"", source))
    assert sorted(mapped.values()) == sorted(["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"])
    assert hresult(2007) in mapped and mapped[hresult(2007)] == "#DIV/0!"      # the formula holds
    assert not set(map(hresult, XLCVERROR.values())) & set(mapped)


@pytest.mark.parametrize("text,code", sorted(XLCVERROR.items()))
def test_integer_error_values_are_errors(text, code):
    assert udfs.ERLANGC([[1]], [[hresult(code)]]) == [[f"{text} u is {text}"]]
    assert udfs.ERLANGC([[hresult(code)]], [[0.5]]) == [[f"{text} S is {text}"]]
    # in a range: only that cell
    got = udfs.ERLANGC([[1], [1]], [[0.5], [hresult(code)]])
    assert got[1] == [f"{text} u is {text}"] and isinstance(got[0][0], float)


def test_unknown_code_in_range_and_plain_numbers():
    assert udfs.ERLANGC([[1]], [[hresult(2099)]])[0][0].startswith("#VALUE! u is #VALUE!")
    # the same number typed into a cell arrives as a float: a number, judged by the rules
    assert udfs.ERLANGC([[1]], [[float(hresult(2045))]])[0][0].startswith("#NUM! u must be >= 0")
    assert fx.excel_error_text(True) is None and fx.excel_error_text(5) is None


def test_error_texts_fit_in_a_cell():
    long_text = "x" * 1000
    out = udfs.TOTALCOST([[long_text]], *[[[1.0]]] * 9)
    text = out[0][0] if isinstance(out, list) else out
    assert text.startswith("#VALUE! S must be a number") and len(text) == udfs.MAX_TEXT
    out = udfs.ERLANGC([[long_text], [2]], [[0.5], [0.5]])
    assert len(out[0][0]) <= 255 and isinstance(out[1][0], float)
