"""The VBA project the add-in build writes (amspares.excel.ovba), checked by independent readers.

* Compression: the worked examples of [MS-OVBA] section 3.2 (3.2.1 "no compression",
  3.2.3 "maximum compression" as printed there; 3.2.2 "normal compression" decompressed
  from the printed bytes) and round trips of seeded random and real VBA text.
* Compound file: olefile (an independent reader, installed with oletools) reads what
  :func:`ovba.write_cfb` writes; the directory is a valid red-black tree (MS-CFB 2.6.4).
* The shipped add-in: olevba lists every module with its source; LibreOffice's own VBA
  import (``soffice --infilter="Calc MS Excel 2007 VBA XML" --convert-to ods``) sees the
  same modules with the same text in ``Basic/amspares/<module>.xml``.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser

from amspares.excel import addin_build, ovba
from amspares.excel.functions import DESCRIPTIONS
from amspares.excel.functions import arg_help as fx_help

ROOT = Path(__file__).resolve().parents[1]
XLAM = ROOT / "xlam" / "amspares.xlam"

# [MS-OVBA] 3.2.1 and 3.2.3, as printed.
NO_COMPRESSION = (b"abcdefghijklmnopqrstuv.",
                  "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E")
MAXIMUM_COMPRESSION = (b"a" * 73, "01 03 B0 02 61 45 00")
# [MS-OVBA] 3.2.2 as printed (its copy tokens differ from what the algorithm of 2.4.1.3
# yields for the same text; both decompress to it).
NORMAL_TEXT = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
NORMAL_PRINTED = ("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 "
                  "6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")


def test_spec_examples():
    for text, printed in (NO_COMPRESSION, MAXIMUM_COMPRESSION):
        assert ovba.compress(text) == bytes.fromhex(printed)
        assert ovba.decompress(bytes.fromhex(printed)) == text
    assert ovba.decompress(bytes.fromhex(NORMAL_PRINTED)) == NORMAL_TEXT
    c = ovba.compress(NORMAL_TEXT)
    assert ovba.decompress(c) == NORMAL_TEXT and len(c) < len(NORMAL_TEXT)


def test_round_trip_random_and_real_text():
    rng = random.Random(20261201)
    cases = [b"", b"x", b"ab" * 5000]
    # incompressible: whole 4096-byte chunks are stored raw, a short tail still compresses
    cases.append(bytes(rng.randrange(256) for _ in range(8192)) + b"tail tail tail")
    for _ in range(20):
        n = rng.randrange(1, 12000)
        alphabet = b"ab \r\n" if rng.random() < 0.5 else bytes(range(32, 127))
        cases.append(bytes(rng.choice(alphabet) for _ in range(n)))
    project = ovba.VbaProject.from_bytes(addin_build.read_vba_project(addin_build.source_xlam()))
    cases += [m.source.encode("cp1252") for m in project.modules]
    for data in cases:
        c = ovba.compress(data)
        assert ovba.decompress(c) == data
        # every chunk header carries the signature 0b011 and fits its 12-bit size
        pos = 1
        while pos < len(c):
            header = struct.unpack_from("<H", c, pos)[0]
            assert (header >> 12) & 7 == 3
            pos += (header & 0xFFF) + 3
        assert pos == len(c)
    xl = project.module("xlwings").source.encode("cp1252")
    assert len(ovba.compress(xl)) < len(xl) / 2


def _rb_check(entries, i):
    """Black height of the subtree at ``i``; asserts the red-black rules and the order."""
    if i == 0xFFFFFFFF:
        return 1
    e = entries[i]
    for side in (e.sid_left, e.sid_right):
        if side != 0xFFFFFFFF and e.color == 0:
            assert entries[side].color == 1, "red node with a red child"
    for side, sign in ((e.sid_left, -1), (e.sid_right, 1)):
        if side != 0xFFFFFFFF:
            a, b = (len(entries[side].name), entries[side].name.upper()), (len(e.name), e.name.upper())
            assert (a > b) - (a < b) == sign
    left, right = _rb_check(entries, e.sid_left), _rb_check(entries, e.sid_right)
    assert left == right, "unequal black heights"
    return left + (e.color == 1)


def test_compound_file_read_by_olefile():
    rng = random.Random(7)
    streams = {f"S{i:02d}": bytes(rng.randrange(256) for _ in range(rng.choice([0, 10, 63, 64, 65, 4095, 4096, 9000])))
               for i in range(23)}
    streams.update({"VBA/dir": b"d" * 100, "VBA/xlwings": b"x" * 20000, "PROJECT": b"ID=1"})
    blob = ovba.write_cfb(streams)
    assert ovba.write_cfb(dict(reversed(list(streams.items())))) == blob    # order-independent
    ole = olefile.OleFileIO(io.BytesIO(blob))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, data in streams.items():
        assert ole.openstream(path).read() == data
    for d in ole.direntries:
        if d is not None and d.entry_type in (1, 5):
            assert ole.direntries[d.sid_child].color == 1            # a tree's root is black
            _rb_check(ole.direntries, d.sid_child)
    ole.close()
    assert ovba.read_cfb(blob) == streams


@pytest.fixture(scope="module")
def olevba_modules() -> dict[str, str]:
    parser = VBA_Parser(str(XLAM))
    try:
        assert parser.detect_vba_macros()
        return {path.split("/")[-1]: code.replace("\r\n", "\n")
                for _f, path, _n, code in parser.extract_macros()}
    finally:
        parser.close()


def test_shipped_project_as_olevba_reads_it(olevba_modules):
    assert sorted(olevba_modules) == sorted(
        ["ThisWorkbook", "Dictionary", "RibbonMyAddin", "Sheet2", "xlwings", "xlwings_udfs", "AmsparesAddin"])
    udfs = olevba_modules["xlwings_udfs"]
    assert udfs == addin_build.generate_udf_vba().replace("\r\n", "\n")
    import amspares.udfs

    for name in amspares.udfs.__all__:
        assert re.search(rf"^Function {name}\(", udfs, re.M), name
    assert addin_build.vba_constant(olevba_modules, "PROJECT_NAME") == "amspares"
    ribbon = olevba_modules["AmsparesAddin"]
    assert "If ActiveWorkbook Is Nothing Then" in ribbon
    assert ribbon.index("If ActiveWorkbook Is Nothing") < ribbon.index('RunPython "import amspares; amspares.main()"')


def test_shipped_project_streams_follow_ms_ovba():
    streams = ovba.read_cfb(addin_build.read_vba_project(XLAM))
    # 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF (no performance cache to trust), 7 bytes
    assert streams["VBA/_VBA_PROJECT"][:4] == bytes.fromhex("CC61FFFF") and len(streams["VBA/_VBA_PROJECT"]) == 7
    records = ovba.parse_dir(ovba.decompress(streams["VBA/dir"]))
    get = lambda rid: [b for r, b in records if r == rid]  # noqa: E731
    names = [b.decode() for b in get(0x0019)]
    assert struct.unpack("<H", get(0x000F)[0])[0] == len(names) == 7
    assert get(0x0004) == [b"amspares"]
    assert set(get(0x0031)) == {b"\0\0\0\0"}                    # MODULEOFFSET: source only
    for name in names:                                         # the stream is the compressed source
        assert ovba.decompress(streams["VBA/" + name]).startswith(f'Attribute VB_Name = "{name}"'.encode())
    project = streams["PROJECT"].decode("cp1252").split("\r\n")
    assert 'Name="amspares"' in project
    assert {"Module=xlwings_udfs", "Module=AmsparesAddin", "Module=xlwings", "Module=RibbonMyAddin"} <= set(project)
    wm = streams["PROJECTwm"]
    for name in names:
        assert name.encode() + b"\0" + name.encode("utf-16-le") + b"\0\0" in wm


def _libreoffice_modules(xlam: Path, workdir: Path) -> dict[str, tuple[str, str]]:
    """{module: (module type, text)} as LibreOffice's VBA import stores them in an .ods."""
    shutil.copy(xlam, workdir / xlam.name)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(workdir / 'profile').as_uri()}", "--headless",
         "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir", str(workdir),
         str(workdir / xlam.name)],
        check=True, capture_output=True, timeout=240,
    )
    out = {}
    with zipfile.ZipFile(workdir / (xlam.stem + ".ods")) as z:
        for name in z.namelist():
            m = re.fullmatch(r"Basic/([^/]+)/([^/]+)\.xml", name)
            if not m or m.group(2) == "script-lb":
                continue
            root = ET.fromstring(z.read(name))
            ns = "{http://openoffice.org/2000/script}"
            out[root.get(ns + "name")] = (m.group(1), root.get(ns + "moduleType"), root.text or "")
    return out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_imports_the_same_modules_and_text(tmp_path, olevba_modules):
    lo = _libreoffice_modules(XLAM, tmp_path)
    assert sorted(lo) == sorted(olevba_modules)
    assert {lib for lib, _t, _x in lo.values()} == {"amspares"}           # the project's name
    assert lo["xlwings_udfs"][1] == lo["AmsparesAddin"][1] == "normal"
    for name, (_lib, _type, text) in lo.items():
        lines = text.split("\n")
        # LibreOffice prefixes its own markers and drops VBA's Attribute lines ...
        assert re.fullmatch(r"Rem Attribute VBA_ModuleType=VBA\w*Module", lines.pop(0))
        assert lines.pop(0) == "Option VBASupport 1"
        if lines[0] == "Option ClassModule":
            lines.pop(0)
        ours = [ln for ln in olevba_modules[name].split("\n") if not re.match(r"\s*Attribute ", ln)]
        # ... and ends the module with one more line break.
        assert lines == ours + [""], name


def test_function_wizard_help_matches_what_import_functions_sends(olevba_modules):
    """Auto_Open gives Excel, per function, the description, category and argument help that
    xlwings' import_udfs sends (tests/test_udf_vba.py records those calls); here the texts
    are read back out of the VBA and compared with amspares' own tables."""
    import inspect

    import amspares.udfs

    code = olevba_modules["AmsparesAddin"]
    auto = re.search(r"^Sub Auto_Open\(\)\n(.*?)^End Sub", code, re.S | re.M).group(1)
    assert "On Error Resume Next" in auto
    unq = lambda s: s[1:-1].replace('""', '"')  # noqa: E731
    for name in amspares.udfs.__all__:
        assert f"    Register_{name}\n" in auto
        body = re.search(rf"^Private Sub Register_{name}\(\)\n(.*?)^End Sub", code, re.S | re.M).group(1)
        args = [unq(t) for t in re.findall(r'^    a\(\d+\) = (".*")$', body, re.M)]
        params = list(inspect.signature(getattr(amspares.udfs, name)).parameters)
        assert args == [fx_help(name, p) for p in params]
        call = re.search(r'Application\.MacroOptions Macro:="\'" & ThisWorkbook\.Name & "\'!(\w+)", '
                         r'Description:=(".*?"), Category:=(".*?"), ArgumentDescriptions:=a$', body, re.M)
        assert call.group(1) == name
        assert unq(call.group(2)) == DESCRIPTIONS[name][:255]
        assert unq(call.group(3)) == "AM Spares"
    assert max(map(len, code.splitlines())) <= 1023                       # VBA's line limit
