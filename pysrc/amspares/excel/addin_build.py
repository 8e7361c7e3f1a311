"""Build ``xlam/amspares.xlam`` from xlwings' quickstart ribbon add-in, and read its VBA.

The add-in is the ``quickstart_addin_ribbon.xlam`` that ships inside the pinned xlwings
wheel (BSD 3-clause, Zoomer Analytics), with only its XML parts edited:

* ``customUI/customUI.xml``: an "AM Spares" ribbon tab whose "Run scenario" button calls
  the quickstart's ``RibbonMyAddin.RunMain``.  RunMain runs
  ``import <workbook name>; <workbook name>.main()``, so naming the file
  ``amspares.xlam`` makes it call :func:`amspares.main`.
* the configuration sheet: the quickstart's inactive ``_myaddin.conf`` sheet is renamed
  to ``myaddin.conf`` (the VBA constant ``PROJECT_NAME`` is ``"myaddin"`` and the VBA
  reads the sheet ``PROJECT_NAME & ".conf"``) and holds exactly one setting,
  ``UDF Modules = amspares.udfs``.  Interpreter, PYTHONPATH and Conda rows are removed,
  not left empty: an empty row in the add-in's sheet would shadow the user's config file.
* ``docProps/core.xml``: title and description.

``xl/vbaProject.bin`` (and every other part) is copied byte for byte.  The zip is written
with fixed timestamps and in the source's member order, so a build is reproducible.

The module also reads VBA source out of an ``.xlam`` without oletools
(:func:`read_vba_modules`): a minimal OLE compound-file reader plus the MS-OVBA
decompression, enough for ``amspares doctor``.  Only the standard library is imported.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

#: The member whose bytes must never change.
VBA_PART = "xl/vbaProject.bin"
#: Timestamp written for every zip member (zip cannot store dates before 1980).
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
#: The sheet the VBA reads its add-in configuration from (``PROJECT_NAME & ".conf"``).
CONFIG_SHEET = "myaddin.conf"
#: The quickstart's (inactive) name of that sheet.
SOURCE_CONFIG_SHEET = "_myaddin.conf"
#: The settings written to the add-in's configuration sheet, in order.
CONFIG_SETTINGS = (("UDF Modules", "amspares.udfs"),)
#: The ribbon macro; the quickstart's VBA module ``RibbonMyAddin`` defines ``RunMain``.
RIBBON_ACTION = "RibbonMyAddin.RunMain"
RIBBON_TAB_LABEL = "AM Spares"
RIBBON_BUTTON_LABEL = "Run scenario"

CUSTOM_UI = f"""<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
    <ribbon>
        <tabs>
            <tab id="amsparesTab" label="{RIBBON_TAB_LABEL}">
                <group id="amsparesScenarioGroup" label="Scenario">
                    <button id="amsparesRunScenario" label="{RIBBON_BUTTON_LABEL}" size="large" onAction="{RIBBON_ACTION}" imageMso="MacroPlay" screentip="Run scenario" supertip="Evaluates the scenario of the active workbook with amspares (runs amspares.main() through xlwings' RunPython)." />
                </group>
            </tab>
        </tabs>
    </ribbon>
</customUI>
"""

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shared_strings(settings) -> str:
    items = [s for pair in settings for s in pair]
    body = "".join(f"<si><t>{_xml_text(s)}</t></si>" for s in items)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<sst xmlns="{_NS_MAIN}" count="{len(items)}" uniqueCount="{len(items)}">{body}</sst>'
    )


def _config_sheet(source_xml: str, settings) -> str:
    """Replace the quickstart sheet's rows by ``settings`` (shared strings 0..2n-1)."""
    rows = []
    for i, _ in enumerate(settings):
        r = i + 1
        rows.append(
            f'<row r="{r}" spans="1:2" ht="15.75">'
            f'<c r="A{r}" s="1" t="s"><v>{2 * i}</v></c>'
            f'<c r="B{r}" s="1" t="s"><v>{2 * i + 1}</v></c></row>'
        )
    xml = _replace_once(source_xml, r"<sheetData>.*</sheetData>", "<sheetData>" + "".join(rows) + "</sheetData>")
    xml = _replace_once(xml, r'<dimension ref="[^"]*" />', f'<dimension ref="A1:B{len(settings)}" />')
    # Column B holds module names: widen it so that they are readable.
    return _replace_once(
        xml,
        r'<col min="2" max="2" width="[^"]*"',
        '<col min="2" max="2" width="24.75"',
    )


def _replace_once(text: str, pattern: str, replacement: str) -> str:
    new, n = re.subn(pattern, lambda _m: replacement, text, flags=re.S)
    if n != 1:
        raise ValueError(f"expected exactly one match of {pattern!r} in the quickstart add-in, found {n}")
    return new


def transform_part(name: str, data: bytes) -> bytes:
    """Return the bytes of zip member ``name`` of the amspares add-in.

    Parameters
    ----------
    name : str
        Member name inside the quickstart ``.xlam``.
    data : bytes
        The member's bytes in the quickstart add-in.

    Returns
    -------
    bytes
        ``data`` itself for every member that is not edited (including ``xl/vbaProject.bin``).

    Raises
    ------
    ValueError
        If the quickstart's XML does not look as expected (e.g. a new xlwings release changed it).
    """
    if name == "customUI/customUI.xml":
        return CUSTOM_UI.encode("utf-8")
    if name == "xl/workbook.xml":
        xml = data.decode("utf-8")
        return _replace_once(xml, f'name="{re.escape(SOURCE_CONFIG_SHEET)}"', f'name="{CONFIG_SHEET}"').encode("utf-8")
    if name == "xl/worksheets/sheet1.xml":
        return _config_sheet(data.decode("utf-8"), CONFIG_SETTINGS).encode("utf-8")
    if name == "xl/sharedStrings.xml":
        return _shared_strings(CONFIG_SETTINGS).encode("utf-8")
    if name == "docProps/core.xml":
        xml = data.decode("utf-8")
        xml = _replace_once(xml, r"<dc:title ?/>", "<dc:title>AM Spares</dc:title>")
        xml = _replace_once(
            xml,
            r"<dc:description ?/>",
            "<dc:description>amspares: stock a spare part or print it on demand. "
            "Built from the xlwings quickstart ribbon add-in (BSD 3-clause, Zoomer Analytics)."
            "</dc:description>",
        )
        return xml.encode("utf-8")
    return data


def source_xlam() -> Path:
    """Path of ``quickstart_addin_ribbon.xlam`` inside the installed xlwings package."""
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def build_members(source: Path | str) -> list[tuple[str, bytes]]:
    """The (name, bytes) members of the amspares add-in, in the source's order."""
    with zipfile.ZipFile(source) as zin:
        return [(info.filename, transform_part(info.filename, zin.read(info))) for info in zin.infolist()]


def write_xlam(members, dest: Path | str) -> Path:
    """Write ``members`` as a zip with fixed timestamps and attributes (reproducible)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # MS-DOS, like Excel's own files
            info.external_attr = 0
            zout.writestr(info, data, compresslevel=9)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buf.getvalue())
    return dest


def build_xlam(dest: Path | str, source: Path | str | None = None) -> Path:
    """Build the amspares add-in at ``dest`` from the xlwings quickstart ribbon add-in.

    Parameters
    ----------
    dest : path
        Output ``.xlam``; its file name must be ``amspares.xlam`` for RunMain to import
        :mod:`amspares` (it imports the module named like the workbook).
    source : path, optional
        The quickstart add-in; default :func:`source_xlam`.

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    return write_xlam(build_members(source or source_xlam()), dest)


def read_members(path: Path | str) -> list[tuple[str, bytes]]:
    """The (name, bytes) members of a zip, in stored order."""
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


# --------------------------------------------------------------------------------------
# Reading VBA without oletools: OLE compound file + MS-OVBA decompression.
# --------------------------------------------------------------------------------------

_FREESECT, _ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE


class VbaReadError(ValueError):
    """The VBA project could not be read (not an OLE file, corrupt, ...)."""


def _ole_streams(data: bytes) -> dict[str, bytes]:
    """Every stream of an OLE compound file, keyed by its ``/``-joined path."""
    if data[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
        raise VbaReadError("not an OLE compound file")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    ssz, msz = 1 << sector_shift, 1 << mini_shift
    (n_fat, first_dir, _, mini_cutoff, first_minifat, n_minifat, first_difat, n_difat) = struct.unpack_from(
        "<IIIIIIII", data, 0x2C
    )

    def sector(i: int) -> bytes:
        off = (i + 1) * ssz
        return data[off : off + ssz]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt = first_difat
    for _ in range(n_difat):
        if nxt in (_FREESECT, _ENDOFCHAIN):
            break
        vals = struct.unpack(f"<{ssz // 4}I", sector(nxt))
        difat.extend(vals[:-1])
        nxt = vals[-1]
    fat: list[int] = []
    for s in difat[:n_fat]:
        fat.extend(struct.unpack(f"<{ssz // 4}I", sector(s)))

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen = [], set()
        while start not in (_FREESECT, _ENDOFCHAIN):
            if start in seen or start >= len(table):
                raise VbaReadError("corrupt sector chain")
            seen.add(start)
            out.append(start)
            start = table[start]
        return out

    def read_big(start: int) -> bytes:
        return b"".join(sector(s) for s in chain(start, fat))

    dir_bytes = read_big(first_dir)
    entries = []
    for off in range(0, len(dir_bytes) - 127, 128):
        e = dir_bytes[off : off + 128]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[: max(name_len - 2, 0)].decode("utf-16-le", "replace")
        etype = e[66]
        left, right, child = struct.unpack_from("<III", e, 68)
        start, size = struct.unpack_from("<IQ", e, 116)
        if ssz == 512:
            size &= 0xFFFFFFFF
        entries.append((name, etype, left, right, child, start, size))
    if not entries:
        raise VbaReadError("no directory entries")
    root = entries[0]
    ministream = read_big(root[5]) if root[5] not in (_FREESECT, _ENDOFCHAIN) else b""
    minifat: list[int] = []
    if n_minifat:
        raw = read_big(first_minifat)
        minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw))

    def read_stream(start: int, size: int) -> bytes:
        if size < mini_cutoff:
            return b"".join(ministream[s * msz : (s + 1) * msz] for s in chain(start, minifat))[:size]
        return read_big(start)[:size]

    streams: dict[str, bytes] = {}

    def walk(idx: int, prefix: str, depth: int = 0) -> None:
        # Directory entries form a red-black tree per storage; visit it iteratively.
        stack = [idx]
        while stack:
            i = stack.pop()
            if i == _FREESECT or i >= len(entries) or depth > 64:
                continue
            name, etype, left, right, child, start, size = entries[i]
            stack.extend((left, right))
            path = f"{prefix}{name}"
            if etype == 2:
                streams[path] = read_stream(start, size)
            elif etype == 1:
                walk(child, path + "/", depth + 1)

    walk(root[4], "")
    return streams


def decompress_ovba(data: bytes) -> bytes:
    """Decompress an MS-OVBA compressed container (section 2.4.1 of [MS-OVBA]).

    Raises
    ------
    VbaReadError
        If ``data`` is not a valid compressed container.
    """
    if not data or data[0] != 1:
        raise VbaReadError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise VbaReadError("truncated chunk header")
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != 0b011:
            raise VbaReadError("bad chunk signature")
        compressed = header & 0x8000
        chunk = data[pos + 2 : pos + size]
        pos += size
        start = len(out)
        if not compressed:
            out += chunk
            continue
        i = 0
        while i < len(chunk):
            flags = chunk[i]
            i += 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags & (1 << bit):
                    out.append(chunk[i])
                    i += 1
                    continue
                if i + 2 > len(chunk):
                    raise VbaReadError("truncated copy token")
                token = struct.unpack_from("<H", chunk, i)[0]
                i += 2
                decompressed = len(out) - start
                bit_count = max((decompressed - 1).bit_length(), 4)
                length_mask = 0xFFFF >> bit_count
                offset = (token >> (16 - bit_count)) + 1
                length = (token & length_mask) + 3
                if offset > decompressed:
                    raise VbaReadError("copy token points before the chunk")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _module_offsets(dir_stream: bytes) -> dict[str, int]:
    """Map module stream name -> source offset, from the decompressed ``VBA/dir`` stream."""
    d = decompress_ovba(dir_stream)
    offsets: dict[str, int] = {}
    pos, stream_name = 0, None
    while pos + 6 <= len(d):
        rid, size = struct.unpack_from("<HI", d, pos)
        if rid == 0x0009:  # PROJECTVERSION: Size is 4 but the record holds 6 bytes
            size = 6
        body = d[pos + 6 : pos + 6 + size]
        pos += 6 + size
        if rid == 0x001A:  # MODULESTREAMNAME (MBCS); a unicode record 0x0032 follows
            stream_name = body.decode("latin-1")
        elif rid == 0x0031 and stream_name is not None:  # MODULEOFFSET
            offsets[stream_name] = struct.unpack("<I", body)[0]
            stream_name = None
    return offsets


def read_vba_modules_from_project(vba_project: bytes) -> dict[str, str]:
    """VBA source of every module in a ``vbaProject.bin``: {module name: code}.

    Lines end with ``\\n``; ``Attribute`` lines are kept.
    """
    streams = _ole_streams(vba_project)
    prefix = next((p[: -len("dir")] for p in streams if p.endswith("VBA/dir")), None)
    if prefix is None:
        raise VbaReadError("no VBA/dir stream")
    modules = {}
    for name, offset in _module_offsets(streams[prefix + "dir"]).items():
        raw = streams.get(prefix + name)
        if raw is None:
            continue
        code = decompress_ovba(raw[offset:]).decode("latin-1")
        modules[name] = code.replace("\r\n", "\n").replace("\r", "\n")
    return modules


def read_vba_project(xlam: Path | str) -> bytes:
    """The bytes of ``xl/vbaProject.bin`` inside an ``.xlam``/``.xlsm``."""
    with zipfile.ZipFile(xlam) as z:
        return z.read(VBA_PART)


def read_vba_modules(xlam: Path | str) -> dict[str, str]:
    """VBA source of every module of a workbook/add-in file, without oletools.

    Parameters
    ----------
    xlam : path
        An ``.xlam`` or ``.xlsm`` file.

    Returns
    -------
    dict of str to str
        Module (stream) name to its source code, lines joined with ``\\n``.

    Raises
    ------
    VbaReadError, zipfile.BadZipFile, KeyError
        If the file holds no readable VBA project.
    """
    return read_vba_modules_from_project(read_vba_project(xlam))


def read_vba_modules_olevba(xlam: Path | str) -> dict[str, str]:
    """Same as :func:`read_vba_modules`, through oletools' ``VBA_Parser`` (a test dependency)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam))
    try:
        out = {}
        for _file, stream_path, _vba_filename, code in parser.extract_macros():
            name = stream_path.split("/")[-1]
            if isinstance(code, bytes):
                code = code.decode("latin-1")
            out[name] = code.replace("\r\n", "\n").replace("\r", "\n")
        return out
    finally:
        parser.close()


def vba_constant(modules: dict[str, str], name: str) -> str | None:
    """Value of a ``Const <name> As String = "..."`` declared in any module, or None."""
    pattern = re.compile(rf'^\s*(?:Public\s+|Private\s+)?Const\s+{re.escape(name)}\s+As\s+String\s*=\s*"([^"]*)"', re.M | re.I)
    for code in modules.values():
        m = pattern.search(code)
        if m:
            return m.group(1)
    return None


def vba_procedures(modules: dict[str, str]) -> set[str]:
    """Qualified names (``Module.Proc``) and bare names of every Sub/Function in ``modules``."""
    pattern = re.compile(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", re.M | re.I)
    out = set()
    for module, code in modules.items():
        for proc in pattern.findall(code):
            out.add(proc)
            out.add(f"{module}.{proc}")
    return out


def find_xlam() -> Path | None:
    """The add-in shipped with the installed package, or the checkout's ``xlam/amspares.xlam``.

    A wheel carries the add-in as package data (``amspares/addin/amspares.xlam``); an
    editable install from a checkout falls back to the repository's ``xlam`` folder.
    Returns None when neither exists.
    """
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "addin" / "amspares.xlam", package.parents[1] / "xlam" / "amspares.xlam"):
        if candidate.is_file():
            return candidate
    return None


def read_config_sheet(xlam: Path | str, sheet: str = CONFIG_SHEET) -> dict[str, str] | None:
    """Settings (column A -> column B) of the configuration sheet of an add-in file.

    Returns None when the file has no sheet named ``sheet``.
    """
    ns = "{%s}" % _NS_MAIN
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    import posixpath
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(xlam) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rid = next((s.get(rel_ns + "id") for s in wb.iter(ns + "sheet") if s.get("name") == sheet), None)
        if rid is None:
            return None
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        part = posixpath.normpath(posixpath.join("xl", target)) if not target.startswith("/") else target[1:]
        names = z.namelist()
        strings = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(ns + "si"):
                strings.append("".join(t.text or "" for t in si.iter(ns + "t")))
        out: dict[str, str] = {}
        for row in ET.fromstring(z.read(part)).iter(ns + "row"):
            cells = {}
            for c in row.iter(ns + "c"):
                v = c.find(ns + "v")
                text = "" if v is None else (v.text or "")
                if c.get("t") == "s" and text:
                    text = strings[int(text)]
                elif c.get("t") == "b":
                    text = "TRUE" if text == "1" else "FALSE"
                cells[re.sub(r"\d", "", c.get("r", ""))] = text
            if cells.get("A"):
                out[cells["A"]] = cells.get("B", "")
        return out
