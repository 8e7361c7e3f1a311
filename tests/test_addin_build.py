"""The committed add-in (xlam/amspares.xlam) is a faithful, reproducible build.

Expected values come from outside the build code: the xlwings pin is read from
pyproject.toml, the VBA is read with oletools' olevba (independent of our own reader),
and the source add-in is the one inside the installed xlwings wheel.
"""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from amspares.excel import addin_build

ROOT = Path(__file__).resolve().parents[1]
XLAM = ROOT / "xlam" / "amspares.xlam"
CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def pinned_xlwings() -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [d.split("==", 1)[1].strip() for d in deps if d.replace(" ", "").startswith("xlwings==")]
    assert len(pins) == 1, deps
    return pins[0]


@pytest.fixture(scope="module")
def members() -> dict[str, bytes]:
    return dict(addin_build.read_members(XLAM))


@pytest.fixture(scope="module")
def olevba_modules() -> dict[str, str]:
    parser = VBA_Parser(str(XLAM))
    try:
        assert parser.detect_vba_macros()
        return {path.split("/")[-1]: code for _f, path, _n, code in parser.extract_macros()}
    finally:
        parser.close()


def test_installed_xlwings_is_the_pinned_one():
    import xlwings

    assert xlwings.__version__ == pinned_xlwings()


def test_committed_xlam_equals_fresh_build(tmp_path):
    fresh = addin_build.build_xlam(tmp_path / "amspares.xlam")
    assert addin_build.read_members(XLAM) == addin_build.read_members(fresh)


def test_build_is_deterministic(tmp_path):
    a = addin_build.build_xlam(tmp_path / "a" / "amspares.xlam")
    b = addin_build.build_xlam(tmp_path / "b" / "amspares.xlam")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {addin_build.ZIP_DATE_TIME}


def test_same_members_as_source_and_only_xml_parts_and_vba_project_edited(members):
    source = dict(addin_build.read_members(addin_build.source_xlam()))
    assert list(members) == list(source)
    changed = {n for n in members if members[n] != source[n]}
    assert changed == {
        "customUI/customUI.xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
        "docProps/core.xml",
        "xl/vbaProject.bin",   # the functions' module, the ribbon module, the rename
    }
    assert all(n.endswith(".xml") for n in changed - {"xl/vbaProject.bin"})


def test_xlwings_modules_keep_their_source_but_the_project_name(olevba_modules):
    """olevba on the wheel's quickstart add-in vs. on ours: every quickstart module is
    there with the same text, except the one PROJECT_NAME line xlwings' docs ask a
    custom add-in to change."""
    parser = VBA_Parser(str(addin_build.source_xlam()))
    try:
        source = {p.split("/")[-1]: c for _f, p, _n, c in parser.extract_macros()}
    finally:
        parser.close()
    assert set(source) == {"ThisWorkbook", "Dictionary", "RibbonMyAddin", "Sheet2", "xlwings"}
    assert set(olevba_modules) == set(source) | {"xlwings_udfs", "AmsparesAddin"}
    for name in set(source) - {"xlwings"}:
        assert olevba_modules[name] == source[name], name
    old = source["xlwings"].splitlines(keepends=True)
    new = olevba_modules["xlwings"].splitlines(keepends=True)
    assert len(old) == len(new)
    diff = [(a, b) for a, b in zip(old, new) if a != b]
    assert [(a.strip(), b.strip()) for a, b in diff] == [
        ('Public Const PROJECT_NAME As String = "myaddin"', 'Public Const PROJECT_NAME As String = "amspares"')
    ]


def test_every_xml_part_is_well_formed(members):
    xml_parts = [n for n in members if n.endswith((".xml", ".rels"))]
    assert len(xml_parts) == 11
    for name in xml_parts:
        ET.fromstring(members[name])  # raises ParseError if malformed


def test_file_name_makes_runmain_import_amspares(olevba_modules):
    # RunMain imports the module named like the workbook (file name without extension).
    code = olevba_modules["RibbonMyAddin"]
    assert "Sub RunMain(control As IRibbonControl)" in code
    assert 'mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))' in code
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in code
    assert XLAM.name == "amspares.xlam"
    import amspares

    assert callable(amspares.main)


def test_vba_has_runpython_and_pinned_version(olevba_modules):
    assert "Public Function RunPython(PythonCommand As String)" in olevba_modules["xlwings"]
    assert "Sub RunMain(" in olevba_modules["RibbonMyAddin"]
    assert addin_build.vba_constant(olevba_modules, "XLWINGS_VERSION") == pinned_xlwings()
    # The DLL the VBA declares carries the same version.
    assert f'Lib "xlwings64-{pinned_xlwings()}.dll"' in olevba_modules["xlwings"]


def test_ribbon_tab_and_button_call_an_existing_macro(members, olevba_modules):
    root = ET.fromstring(members["customUI/customUI.xml"])
    tabs = [t for t in root.iter(CUI + "tab") if t.get("label") == "AM Spares"]
    assert len(tabs) == 1
    buttons = [b for b in tabs[0].iter(CUI + "button") if b.get("label") == "Run scenario"]
    assert len(buttons) == 1
    action = buttons[0].get("onAction")
    module, proc = action.split(".")
    assert module in olevba_modules
    assert f"Sub {proc}(control As IRibbonControl)" in olevba_modules[module]
    # Every onAction of the ribbon points at an existing macro.
    procs = addin_build.vba_procedures(olevba_modules)
    for el in root.iter():
        if el.get("onAction"):
            assert el.get("onAction") in procs


def _config_sheet(members) -> dict[str, str]:
    strings = [si.find(MAIN + "t").text for si in ET.fromstring(members["xl/sharedStrings.xml"]).iter(MAIN + "si")]
    rows = {}
    for row in ET.fromstring(members["xl/worksheets/sheet1.xml"]).iter(MAIN + "row"):
        cells = {c.get("r")[0]: c for c in row.iter(MAIN + "c")}
        value = lambda c: strings[int(c.find(MAIN + "v").text)] if c.get("t") == "s" else c.find(MAIN + "v").text  # noqa: E731
        rows[value(cells["A"])] = value(cells["B"]) if "B" in cells else None
    return rows


def test_config_sheet_is_active_and_names_udf_module_only(members, olevba_modules):
    # The VBA reads the sheet named PROJECT_NAME & ".conf".
    project = addin_build.vba_constant(olevba_modules, "PROJECT_NAME")
    assert 'Sheets(PROJECT_NAME & ".conf")' in olevba_modules["xlwings"]
    sheets = [s.get("name") for s in ET.fromstring(members["xl/workbook.xml"]).iter(MAIN + "sheet")]
    assert sheets == [f"{project}.conf"]
    config = _config_sheet(members)
    assert config == {"UDF Modules": "amspares.udfs"}
    # No interpreter or path settings: those come from the user's config file.
    assert not {k.upper() for k in config} & {"INTERPRETER", "INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH", "CONDA PATH", "CONDA ENV"}


def test_own_vba_reader_agrees_with_olevba(olevba_modules):
    ours = addin_build.read_vba_modules(XLAM)
    normalise = lambda s: s.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731
    assert ours == {k: normalise(v) for k, v in olevba_modules.items()}


def test_license_notice_shipped():
    text = (ROOT / "xlam" / "LICENSE-xlwings.txt").read_text(encoding="utf-8")
    assert "BSD 3-clause" in text and "Zoomer Analytics" in text
    assert "LICENSE-xlwings.txt" in (ROOT / "docs" / "install-windows.md").read_text(encoding="utf-8")


def test_transform_rejects_unexpected_source():
    with pytest.raises(ValueError, match="exactly one match"):
        addin_build.transform_part("xl/workbook.xml", b"<workbook><sheets/></workbook>")


def test_decompress_rejects_garbage():
    with pytest.raises(addin_build.VbaReadError):
        addin_build.decompress_ovba(b"\x01\xff\xff")


def test_shipped_module_declares_every_function_of_amspares_udfs(olevba_modules):
    # read by olevba (not our writer): one VBA wrapper per Excel function, version 2 included
    import re

    import amspares.udfs as udfs

    declared = re.findall(r"^Function (\w+)\(", olevba_modules["xlwings_udfs"], flags=re.M)
    assert sorted(declared) == sorted(udfs.__all__)
    assert {"POLICY", "FILL_RATE", "ON_TIME_RATE", "DEMAND_RATE", "CATALOGUE"} <= set(declared)
