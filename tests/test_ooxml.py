"""What Excel is strict about, checked in the saved files' XML (Office Open XML, ECMA-376).

The case-study workbook (``amspares scenario -o``), the template (``python -m
amspares.workbook``) and a catalogue workbook (``amspares portfolio -o out.xlsx``) are
opened as zip archives and their parts parsed with the standard library. The rules, each
from ECMA-376 Part 1 and what Excel does when it is broken:

* a ``scatterChart`` holds a ``scatterStyle`` element (minOccurs = 1 in the schema's
  CT_ScatterChart; Excel "repairs" a chart without it, and the validator openxml-audit
  reports it as a missing required element);
* chart categories that are text (method names) are a string reference ``strRef``, not a
  number reference ``numRef`` (CT_AxDataSource; Excel reads a numRef as numbers);
* a data-validation list source (``formula1``) is a formula without the leading ``=``
  (18.3.1.32: formulas are stored without it; ``='Factors'!$A$5:$A$14`` is an invalid
  formula that Excel rejects or repairs);
* a number is stored as a number (``<c t="n">``), never as text that looks like one (Excel
  flags "number stored as text" and does not compute with it).

openxml-audit (pip) was tried: it installs, but it brings lxml (which switches openpyxl's
XML writer for the whole test run), rich and a pytest plugin of its own, and it reports
openpyxl's font element order in styles.xml on every workbook, while it does not check the
data-validation and category rules above; so these focused checks stand in for it.
"""

from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from amspares.cli import main
from amspares.report import study_json
from amspares.scenario import load_scenario
from amspares.workbook import write_scenario_workbook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("ooxml")
    sc = load_scenario()
    write_scenario_workbook(sc, None, d / "template.xlsx")
    write_scenario_workbook(sc, study_json(sc), d / "case.xlsx")
    assert main(["portfolio", str(EXAMPLES / "catalogue.csv"), "-o", str(d / "portfolio.xlsx")]) == 0
    return {name: d / f"{name}.xlsx" for name in ("template", "case", "portfolio")}


def parts(path: Path, prefix: str):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith(prefix) and name.endswith(".xml"):
                yield name, ET.fromstring(z.read(name))


@pytest.mark.parametrize("which", ["case", "portfolio"])
def test_every_scatter_chart_has_a_scatter_style(files, which):
    charts = list(parts(files[which], "xl/charts/chart"))
    scatters = [(n, sc) for n, root in charts for sc in root.iter(f"{C}scatterChart")]
    assert scatters, "no scatter chart to check"
    for name, sc in scatters:
        style = sc.find(f"{C}scatterStyle")
        assert style is not None and style.get("val") in ("lineMarker", "marker", "line", "none",
                                                          "smooth", "smoothMarker"), name


def _cells_of(book, ref: str):
    sheet, _, cells = ref.rpartition("!")
    ws = book[sheet.strip("'").replace("''", "'")]
    c1, r1, c2, r2 = range_boundaries(cells.replace("$", ""))
    return [ws.cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def test_text_categories_are_string_references(files):
    book = load_workbook(files["case"])
    seen_text = seen_numbers = 0
    for name, root in parts(files["case"], "xl/charts/chart"):
        for cat in root.iter(f"{C}cat"):
            num, txt = cat.find(f"{C}numRef"), cat.find(f"{C}strRef")
            ref = (num if num is not None else txt).find(f"{C}f").text
            values = [v for v in _cells_of(book, ref) if v is not None]
            assert values, (name, ref)
            if num is not None:
                assert all(isinstance(v, (int, float)) for v in values), (name, ref, values)
                seen_numbers += 1
            else:
                assert all(isinstance(v, str) for v in values), (name, ref, values)
                seen_text += 1
    # Fig. 15 and 25 (method names) are text; Fig. 14 (the emergency cost) numbers
    assert seen_text >= 2 and seen_numbers >= 1


@pytest.mark.parametrize("which", ["template", "case"])
def test_list_validations_have_no_leading_equals_sign(files, which):
    lists = 0
    for name, root in parts(files[which], "xl/worksheets/sheet"):
        for dv in root.iter(f"{S}dataValidation"):
            f1 = dv.find(f"{S}formula1")
            if f1 is not None and f1.text:
                assert not f1.text.startswith("="), (name, f1.text)
                lists += dv.get("type") == "list"
    assert lists >= 2         # the choice keys, and the factor tables' names


def _shared(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        if "xl/sharedStrings.xml" not in z.namelist():
            return []
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{S}t")) for si in root.iter(f"{S}si")]


@pytest.mark.parametrize("which", ["template", "case", "portfolio"])
def test_numbers_are_stored_as_numbers(files, which):
    shared = _shared(files[which])
    numbers = 0
    for name, root in parts(files[which], "xl/worksheets/sheet"):
        for c in root.iter(f"{S}c"):
            t = c.get("t", "n")
            if t == "s":
                text = shared[int(c.find(f"{S}v").text)]
            elif t == "inlineStr":
                text = "".join(x.text or "" for x in c.iter(f"{S}t"))
            else:
                numbers += t == "n" and c.find(f"{S}v") is not None
                continue
            assert not NUMBER.fullmatch(text), f"{name} {c.get('r')}: the number {text!r} is stored as text"
    assert numbers > 50
