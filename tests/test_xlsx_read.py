"""The streaming xlsx reader gives openpyxl's values, cell for cell.

The reference is openpyxl itself: ``load_workbook(read_only=True)`` with ``data_only=True``
(saved values) and ``data_only=False`` (formulas), ``iter_rows(values_only=True)``, on
workbooks written to hold every kind of cell a catalogue can have.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from amspares.portfolio.xlsx_read import open_workbook, sheet_rows

ROWS = [
    ["sku", "demand.rate_per_year", "note", "when", "flag", "t"],
    ["A-1", 1.5, "plain", dt.datetime(2024, 1, 5, 12, 30), True, dt.time(6, 15)],
    ["B&2 <x> \"q\" 'a'", -3, "  spaces  ", dt.date(1900, 2, 1), False, dt.timedelta(hours=30)],
    [None, 1e-300, "line\nbreak", None, None, None],
    ["Größe ünï 日本", 123456789012345.0, "", 0.0, "#N/A", 2],
    ["=not a formula", "=1+1", "=A1&\"x\"", 7, "=NOW()", None],
    [12345, 0.1 + 0.2, "x" * 300, -0.0, 3.0, 1e20],
]


def _workbook(path: Path, write_only: bool) -> Path:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("Catalogue") if write_only else wb.active
    if not write_only:
        ws.title = "Catalogue"
    for r in ROWS:
        ws.append(r)
    if not write_only:
        ws["C9"] = CellRichText(["rich ", TextBlock(InlineFont(b=True), "bold")])
        ws["F12"] = "after a gap"
        ws["A12"] = "=SUM(B2:B3)"
        ws["B12"] = 42
        for k in range(13, 16):
            ws.cell(row=k, column=2, value=f"=B{k - 1}*2")
        ws["D2"].number_format = "yyyy-mm-dd"
        ws["D6"].number_format = "0.00"
        ws["E6"].number_format = "[h]:mm"
    wb.save(path)
    return path


def _openpyxl_rows(path: Path, data_only: bool, **kw):
    wb = load_workbook(path, read_only=True, data_only=data_only)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True, **kw)]
    finally:
        wb.close()


def _ours(path: Path, min_row=1, max_row=None):
    wb = open_workbook(path)
    try:
        rows = list(sheet_rows(wb.worksheets[0], min_row, max_row))
    finally:
        wb.close()
    return [n for n, _, _ in rows], [list(v) for _, v, _ in rows], [list(f) for _, _, f in rows]


def _same(a, b) -> bool:
    """Equal values, and of the same type (1 and 1.0 and True are different cells)."""
    return len(a) == len(b) and all(
        len(x) == len(y) and all(type(p) is type(q) and (p == q or repr(p) == repr(q)) for p, q in zip(x, y))
        for x, y in zip(a, b))


@pytest.mark.parametrize("write_only", [False, True])
def test_values_and_formulas_are_openpyxls(tmp_path, write_only):
    path = _workbook(tmp_path / "c.xlsx", write_only)
    numbers, values, formulas = _ours(path)
    assert _same(values, _openpyxl_rows(path, True))
    assert _same(formulas, _openpyxl_rows(path, False))
    assert numbers == list(range(1, len(values) + 1))


def test_from_a_row_and_up_to_a_row_as_openpyxl(tmp_path):
    path = _workbook(tmp_path / "c.xlsx", False)
    numbers, values, _ = _ours(path, 3, 20)
    assert _same(values, _openpyxl_rows(path, True, min_row=3, max_row=20))
    assert numbers == list(range(3, 16))      # the sheet ends at row 15: no row after it


def _rewrite_sheet(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(item, data)
    return dst


@pytest.mark.parametrize("change", [
    lambda d: d.replace(b"<v>42</v>", b"<v><![CDATA[42]]></v>"),          # CDATA: the XML parser
    lambda d: d.replace(b"</row>", b"</row>\r\n"),                           # CR line ends
    lambda d: d.replace(b"<sheetData>", b"<sheetData><!-- a comment -->"),
    lambda d: d.replace(b'<c r="B12"', b'<c cm="1" r="B12"'),               # attribute order
    lambda d: d.replace(b'<row r="12"', b'<row customHeight="1" ht="20" r="12"'),
], ids=["cdata", "cr", "comment", "cell-attrs", "row-attrs"])
def test_unusual_xml_gives_the_same_values(tmp_path, change):
    path = _rewrite_sheet(_workbook(tmp_path / "c.xlsx", False), tmp_path / "u.xlsx", change)
    _, values, formulas = _ours(path)
    assert _same(values, _openpyxl_rows(path, True))
    assert _same(formulas, _openpyxl_rows(path, False))


def test_a_prefixed_namespace_is_read_by_the_parser(tmp_path):
    def prefix(d: bytes) -> bytes:
        d = d.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                      b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
        import re
        return re.sub(rb"<(/?)(?!x:|\?)([A-Za-z]+)", rb"<\1x:\2", d)
    path = _rewrite_sheet(_workbook(tmp_path / "c.xlsx", False), tmp_path / "p.xlsx", prefix)
    _, values, _ = _ours(path)
    assert _same(values, _openpyxl_rows(path, True))
