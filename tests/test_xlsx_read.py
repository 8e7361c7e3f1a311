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


# --------------------------------------------------------------- workbooks as Excel saves them

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: shared strings: plain, entities and character references, xml:space, rich text runs (and a
#: phonetic run, which is not part of the text), an empty one, openpyxl's ``x005F_`` escape
_SST = [
    "<si><t>sku</t></si>", "<si><t>rate</t></si>", "<si><t>when</t></si>", "<si><t>flag</t></si>",
    "<si><t>err</t></si>", "<si><t>note</t></si>",
    '<si><r><t xml:space="preserve">rich </t></r><r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/>'
    '<rFont val="Calibri"/><charset val="1"/></rPr><t>bold</t></r></si>',
    "<si><t>A&amp;B &lt;c&gt; &quot;q&quot; &apos;a&apos; &#x41;&#66;</t></si>",
    '<si><t xml:space="preserve">  spaces  </t></si>',
    "<si><t/></si>",
    "<si><t>x005F_x000D_ kept</t></si>",
    "<si><t>\u65e5\u672c \u00fc</t><rPh sb=\"0\" eb=\"1\"><t>\u306b\u307b\u3093</t></rPh>"
    "<phoneticPr fontId=\"1\"/></si>",
    "<si><t>line\nbreak</t></si>",
]

_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    "</numFmts><fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
    "<fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"5\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"46\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"2\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>")

#: rows as Excel writes them (``spans``, ``x14ac:dyDescent``; numbers without ``t``): booleans,
#: errors, dates by a built-in (14) and a custom (164) format, a duration ([h]:mm:ss, 46), a
#: number format that is no date (2), ISO dates, inline strings (plain, xml:space, rich),
#: empty and empty styled cells, a row with no cells, missing rows and cells
_PLAIN_ROWS = [
    '<row r="1" spans="1:6" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>'
    '<c r="F1" t="s"><v>5</v></c></row>',
    '<row r="2" spans="1:6" x14ac:dyDescent="0.25"><c r="A2" t="s"><v>6</v></c><c r="B2"><v>1.5</v></c>'
    '<c r="C2" s="1"><v>45000</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#DIV/0!</v></c>'
    '<c r="F2" t="inlineStr"><is><t xml:space="preserve"> inline </t></is></c></row>',
    '<row r="3" spans="1:6"><c r="A3" t="s"><v>7</v></c><c r="B3" t="n"><v>-1E-3</v></c>'
    '<c r="C3" s="2"><v>45000.25</v></c><c r="D3" t="b"><v>0</v></c><c r="E3" s="3"><v>1.25</v></c>'
    '<c r="F3" s="4"><v>2.5</v></c></row>',
    '<row r="4" spans="1:6" ht="20" customHeight="1"/>',
    '<row r="6" spans="1:6"><c r="A6" t="s"><v>8</v></c><c r="C6"><v>12</v></c><c r="D6" s="1"/>'
    '<c r="E6" t="s"><v>9</v></c><c r="F6" t="s"><v>10</v></c></row>',
    '<row r="7"><c r="A7" t="s"><v>11</v></c><c r="B7"><v>1e20</v></c><c r="C7" t="d"><v>2024-01-05T12:30:00</v></c>'
    '<c r="D7" t="str"><v>text</v></c><c r="E7" t="s"><v>12</v></c><c r="F7" t="inlineStr"/></row>',
    '<row r="8"><c r="B8" s="1"><v>-5</v></c><c r="C8" t="inlineStr"><is><t>&amp;x</t></is></c></row>',
]

#: rows the XML parser reads: formulas with their saved values (a number, a text, a shared
#: formula), rich inline text, a cell in a column already read
_OTHER_ROWS = [
    '<row r="9" spans="1:6"><c r="A9"><f>B2*2</f><v>3</v></c><c r="B9" t="str"><f>A1&amp;"x"</f><v>skux</v></c>'
    '<c r="C9"><f t="shared" ref="C9:C10" si="0">B9+1</f><v>1</v></c>'
    '<c r="D9" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b</t></r></is></c></row>',
    '<row r="10"><c r="C10"><f t="shared" si="0"/><v>2</v></c><c r="E10"><f>NOW()</f></c></row>',
    '<row r="11"><c r="B11"><v>1</v></c><c r="A11"><v>2</v></c></row>',
]


def _excel_workbook(path: Path, date1904: bool, rows: list[str], sst_change=lambda d: d) -> Path:
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    last = max(int(r.split('"')[1]) for r in rows)
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN_NS}" '
             f'xmlns:r="{_REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
             'mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
             f'<dimension ref="A1:F{last}"/><sheetData>' + "".join(rows) + "</sheetData></worksheet>")
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN_NS}" '
           f'count="{len(_SST)}" uniqueCount="{len(_SST)}">' + "".join(_SST) + "</sst>")
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>',
        "_rels/.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL}">{pr}<sheets>'
            '<sheet name="Catalogue" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst_change(sst),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return path


def _compare(path: Path) -> None:
    numbers, values, formulas = _ours(path)
    expected = _openpyxl_rows(path, True)
    assert _same(values, expected)
    assert _same(formulas, _openpyxl_rows(path, False))
    assert numbers == list(range(1, len(values) + 1))


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
@pytest.mark.parametrize("rows", ["plain", "all"])
def test_excel_workbooks_give_openpyxls_values(tmp_path, monkeypatch, date1904, rows):
    """Shared strings (rich text, entities, xml:space, phonetic runs), dates in both date
    systems, durations, booleans, errors, ISO dates, inline strings, empty cells, formulas
    with saved values: openpyxl's values and formulas, cell for cell."""
    from amspares.portfolio import xlsx_read

    blocks = []
    real = xlsx_read._plain_rows
    monkeypatch.setattr(xlsx_read, "_plain_rows", lambda found, cells: blocks.append(1) or real(found, cells))
    path = _excel_workbook(tmp_path / "e.xlsx", date1904, _PLAIN_ROWS + (_OTHER_ROWS if rows == "all" else []))
    _compare(path)
    _, values, _ = _ours(path)
    # serial 45000: 2023-03-15 in the 1900 system (Excel's documented example dates), 1,462
    # days later in the 1904 one (the documented offset between the two systems)
    assert values[1][2] == dt.datetime(2023, 3, 15) + dt.timedelta(days=1462 if date1904 else 0)
    assert values[2][4] == dt.timedelta(hours=30)                                         # 1.25 days
    if rows == "plain":
        assert blocks, "the plain rows are read in one pass over their block"


@pytest.mark.parametrize("change", [
    lambda d: d.replace("<si><t>rate</t></si>", "<si><t><![CDATA[rate]]></t></si>"),
    lambda d: d.replace("<si><t>rate</t></si>", "<!-- c --><si><t>rate</t></si>"),
    lambda d: d.replace("<si><t>rate</t></si>", '<si><t xml:lang="en">rate</t></si>'),
    lambda d: d.replace(f'xmlns="{_MAIN_NS}"', f'xmlns:x="{_MAIN_NS}"').replace("<si>", "<x:si>")
    .replace("</si>", "</x:si>").replace("<t", "<x:t").replace("</t>", "</x:t>").replace("<r>", "<x:r>")
    .replace("</r>", "</x:r>").replace("<rPh", "<x:rPh").replace("</rPh>", "</x:rPh>")
    .replace("<rPr>", "<x:rPr>").replace("</rPr>", "</x:rPr>").replace("<phon", "<x:phon")
    .replace("<sst", "<x:sst").replace("</sst>", "</x:sst>"),
    lambda d: d.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(_SST[11], "<si><t>\u00fc</t></si>"),
], ids=["cdata", "comment", "t-attribute", "prefixed", "latin1"])
def test_unusual_shared_strings_give_openpyxls(tmp_path, change):
    from io import BytesIO

    from openpyxl.reader.strings import read_string_table

    from amspares.portfolio.xlsx_read import shared_strings

    path = _excel_workbook(tmp_path / "e.xlsx", False, _PLAIN_ROWS, change)
    with zipfile.ZipFile(path) as z:
        data = z.read("xl/sharedStrings.xml")
    if b"ISO-8859-1" in data:
        data = data.decode("utf-8").encode("latin-1")
        path = _rewrite_part(path, tmp_path / "l.xlsx", "xl/sharedStrings.xml", data)
    assert shared_strings(data) == list(read_string_table(BytesIO(data)))
    _compare(path)


def test_plain_shared_strings_are_openpyxls():
    from io import BytesIO

    from openpyxl.reader.strings import read_string_table

    from amspares.portfolio.xlsx_read import shared_strings

    data = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{_MAIN_NS}">' + "".join(_SST)
            + "<si/></sst>").encode()
    ours = shared_strings(data)
    assert ours == list(read_string_table(BytesIO(data)))
    assert ours[6:9] == ["rich bold", "A&B <c> \"q\" 'a' AB", "  spaces  "]     # by hand from _SST


def _rewrite_part(src: Path, dst: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, data if item.filename == name else zin.read(item.filename))
    return dst


@pytest.mark.parametrize("excel", [False, True], ids=["openpyxl", "excel"])
def test_rows_across_blocks_are_openpyxls(tmp_path, monkeypatch, excel):
    """The sheet read a few hundred bytes at a time: rows cut at every block's end, plain
    blocks and blocks with formulas (the XML parser's cells) in turn."""
    from amspares.portfolio import xlsx_read

    monkeypatch.setattr(xlsx_read, "_FIRST_BLOCK", 200)
    monkeypatch.setattr(xlsx_read, "_BLOCK", 300)
    if excel:
        path = _excel_workbook(tmp_path / "e.xlsx", False, _PLAIN_ROWS + _OTHER_ROWS + [
            f'<row r="{k}" spans="1:6"><c r="A{k}" t="s"><v>{k % 13}</v></c><c r="B{k}"><v>{k / 7!r}</v></c>'
            f'<c r="C{k}" s="1"><v>{40000 + k}</v></c></row>' for k in range(12, 60)])
    else:
        path = _workbook(tmp_path / "c.xlsx", False)
    _compare(path)
