"""Portfolio xlsx: a catalogue sheet's rows, streamed in one pass over the sheet's XML.

openpyxl opens the workbook (the sheets, which styles are dates, the date system); the
shared strings are read here (:func:`shared_strings`, ten times faster than openpyxl), and
the sheet's cells, each once, giving both what openpyxl's read-only sheet gives with
``data_only=True`` (the saved values) and with ``data_only=False`` (the formulas): the
same values, cell for cell, more than ten times faster than reading the sheet through
openpyxl's cells (``benchmarks/bench_xlsx.py``). A block of rows whose cells are all plain
(a number, a shared or inline string, a boolean, an error, a date; no formula) is matched
with one regular expression and its values built in one loop; other rows are read with
regular expressions cell by cell, and unusual XML with the standard library's parser
(``xml.etree.ElementTree.iterparse``).

The values follow :meth:`openpyxl.worksheet._reader.WorkSheetParser.parse_cell`: numbers are
``int`` without ``.``/``e`` and ``float`` otherwise, date-styled numbers ``datetime`` /
``time`` / ``timedelta`` (``#VALUE!`` outside the dates), shared and inline strings their
text, booleans ``bool``, errors their text (``#DIV/0!``), empty cells ``None``; missing rows
and cells are ``None`` up to the sheet's stated dimension, as openpyxl fills them.
"""

from __future__ import annotations

import re
from typing import Iterator
from xml.etree.ElementTree import Element, SubElement, iterparse

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = _NS + "row", _NS + "c", _NS + "v", _NS + "f"
_INLINE, _TEXT, _RUN = _NS + "is", _NS + "t", _NS + "r"


_COLUMNS: dict[str, int] = {}
_BYTE_COLUMNS: dict[bytes, int] = {}


def _column(ref: str) -> int:
    """1-based column of a cell reference (``"AB12"`` -> 28), as openpyxl's ``coordinate_to_tuple``."""
    letters = ref.rstrip("0123456789")
    col = _COLUMNS.get(letters)
    if col is None:
        from openpyxl.utils.cell import coordinate_to_tuple
        col = _COLUMNS[letters] = coordinate_to_tuple(ref)[1]
    return col


def open_workbook(path):
    """The workbook as ``openpyxl.load_workbook(path, read_only=True, data_only=True)`` opens
    it, except that a sheet's size is read from its ``<dimension>`` element only: openpyxl
    parses a sheet without one (every file openpyxl itself writes) to its end just to find
    that out, once per sheet, before any row is read."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(path, read_only=True, data_only=True)
    action = "read manifest"
    try:
        reader.read_manifest()
        action = "read strings"
        _read_strings(reader)
        action = "read workbook"
        reader.read_workbook()
        action = "read properties"
        reader.read_properties()
        action = "read custom properties"
        reader.read_custom()
        action = "read theme"
        reader.read_theme()
        action = "read stylesheet"
        apply_stylesheet(reader.archive, reader.wb)
        action = "read worksheets"
        sheet_class = _sheet_class()
        for sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files:
                continue
            if "chartsheet" in rel.Type:
                reader.read_chartsheet(sheet, rel)
                continue
            ws = sheet_class(reader.wb, sheet.name, rel.target, reader.shared_strings)
            ws.sheet_state = sheet.state
            reader.wb._sheets.append(ws)
        action = "assign names"
        reader.parser.assign_names()
    except ValueError as e:
        raise ValueError(
            f"Unable to read workbook: could not {action} from {reader.archive.filename}.\n"
            "This is most probably because the workbook source files contain some invalid XML.\n"
            "Please see the exception for more details.") from e
    return reader.wb


def _read_strings(reader) -> None:
    """``reader.read_strings()`` of openpyxl's ``ExcelReader`` (the shared strings, as text),
    by :func:`shared_strings`."""
    from openpyxl.xml.constants import SHARED_STRINGS

    ct = reader.package.find(SHARED_STRINGS)
    if ct is not None:
        reader.shared_strings = shared_strings(reader.archive.read(ct.PartName[1:]))


_SI = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si\s*/>|<si>(.*?)</si>', re.S)
_SST = re.compile(rb'(<\?xml[^>]*\?>)?\s*<sst\b[^>]*>')
_BAD_CHARS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def shared_strings(data: bytes) -> list[str]:
    """The shared strings part ``data`` as openpyxl's ``read_string_table`` reads it: each
    ``<si>``'s text (its ``<t>`` and then its runs' ``<t>``, not the phonetic ones), with
    ``x005F_`` taken out.

    The plain ``<si><t>text</t></si>`` Excel writes is read with a regular expression, any
    other ``<si>`` (runs of rich text) with the XML parser; a part that is not plain UTF-8
    XML in the main namespace as the default one (a CDATA section, a comment, a CR, an
    entity declaration, ...) entirely by openpyxl.

    >>> shared_strings(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ...     b'<si><t>A&amp;B</t></si><si><r><t xml:space="preserve">rich </t></r><r><rPr><b/></rPr>'
    ...     b'<t>bold</t></r><rPh><t>ph</t></rPh></si><si><t/></si></sst>')
    ['A&B', 'rich bold', '']
    """
    head = _SST.match(data)
    plain = (head is not None and _MAIN in head.group(0)
             and (head.group(1) is None or _UTF8.fullmatch(head.group(1)) is not None)
             and not any(data.find(bad, head.end()) >= 0 for bad in _NOT_PLAIN)
             and _BAD_CHARS.search(data) is None)
    with _without_gc():
        found = _SI.findall(data) if plain else None
    if found is None or len(found) != data.count(b"<si"):
        from io import BytesIO

        from openpyxl.reader.strings import read_string_table
        return list(read_string_table(BytesIO(data)))
    out = []
    for text, body in found:
        if body:
            value = _rich_text(body)
        elif b"&" in text:
            value = _text(text)
        else:
            value = text.decode("utf-8")
        out.append(value.replace("x005F_", "") if "x005F_" in value else value)
    return out


_DECLARATION = re.compile(rb"<\?xml[^>]*\?>")
_UTF8 = re.compile(rb"""<\?xml(?:(?!encoding)[^>])*(?:encoding\s*=\s*["']utf-8["'][^>]*)?\?>""", re.I)


def _rich_text(body: bytes) -> str:
    """The text of an ``<si>`` or ``<is>`` with this content, as openpyxl's ``Text.content``:
    its last ``<t>``, then the last ``<t>`` of each ``<r>`` (tags by local name, as openpyxl)."""
    from xml.etree.ElementTree import fromstring

    node = fromstring(b"<si " + _MAIN + b">" + body + b"</si>")
    plain, runs = None, []
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "t":
            plain = child.text
        elif tag == "r":
            t = None
            for el in child:
                if el.tag.rsplit("}", 1)[-1] == "t":
                    t = el.text
            runs.append(t)
    return "".join(t for t in [plain, *runs] if t is not None)


_SHEET_CLASS: list = []


def _sheet_class():
    """openpyxl's read-only worksheet, sized from its ``<dimension>`` (or unsized) without
    reading past the start of its cells."""
    if _SHEET_CLASS:
        return _SHEET_CLASS[0]
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet.dimensions import SheetDimension

    dimension, data = _NS + "dimension", _NS + "sheetData"

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self):
            with self._get_source() as src:
                for event, el in iterparse(src, events=("start", "end")):
                    if event == "start" and el.tag == data:
                        return
                    if event == "end" and el.tag == dimension:
                        found = SheetDimension.from_tree(el).boundaries
                        if found is not None:
                            self._min_column, self._min_row, self._max_column, self._max_row = found
                        return

    _SHEET_CLASS.append(Sheet)
    return Sheet


def _inline_text(node) -> str | None:
    """An inline string's text, as openpyxl's ``Text.content``: the plain ``t`` and the runs' ``t``."""
    if node is None:
        return None
    parts = []
    for child in node:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            t = child.find(_TEXT)
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


class _Cells:
    """Cell values as openpyxl gives them (both modes), for one worksheet."""

    def __init__(self, ws):
        wb = ws.parent
        self.strings = ws._shared_strings
        self.epoch = wb.epoch
        self.dates = wb._date_formats
        self.durations = wb._timedelta_formats
        self.shared_formulae: dict = {}

    def value(self, c) -> tuple:
        """(saved value, formula or value) of a ``<c>`` element."""
        t = c.get("t", "n")
        style = c.get("s", 0)
        if style:
            style = int(style)
        if t == "inlineStr":
            v = None
        else:
            v = c.findtext(_VALUE, None) or None
        if v is not None:
            if t == "n":
                v = self.number(v, style)
            elif t == "s":
                v = self.strings[int(v)]
            elif t == "b":
                v = bool(int(v))
            elif t == "d":
                from openpyxl.utils.datetime import from_ISO8601
                v = from_ISO8601(v)
        elif t == "inlineStr":
            v = _inline_text(c.find(_INLINE))
        f = c.find(_FORMULA)
        return v, (self.formula(f, c.get("r")) if f is not None else v)

    def number(self, v: str, style: int):
        """A number cell's text as openpyxl reads it: an int or a float, a date or a
        duration in a date style (``#VALUE!`` when out of range)."""
        v = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
        if style in self.dates:
            from openpyxl.utils.datetime import from_excel
            try:
                v = from_excel(v, self.epoch, timedelta=style in self.durations)
            except (OverflowError, ValueError):
                v = "#VALUE!"
        return v

    def plain(self, t: bytes, style: int, raw: bytes):
        """:meth:`value` of a cell without a formula whose ``<v>`` (or inline ``<t>``) is
        ``raw``, plain text (no markup, no entity)."""
        if t == b"n":
            v = raw.decode()
            return self.number(v, style) if v else None
        if t == b"inlineStr":
            return raw.decode("utf-8")
        v = raw.decode("utf-8") or None
        if v is None:
            return None
        if t == b"s":
            return self.strings[int(v)]
        if t == b"b":
            return bool(int(v))
        if t == b"d":
            from openpyxl.utils.datetime import from_ISO8601
            return from_ISO8601(v)
        return v

    def formula(self, f, ref):
        """The formula text as openpyxl's ``parse_formula`` gives it (array and data-table
        formulas as openpyxl's objects)."""
        kind = f.get("t")
        text = "=" + (f.text if f.text is not None else "")
        if kind == "array":
            from openpyxl.worksheet.formula import ArrayFormula
            return ArrayFormula(ref=f.get("ref"), text=text)
        if kind == "shared":
            from openpyxl.formula.translate import Translator
            idx = f.get("si")
            if idx in self.shared_formulae:
                return self.shared_formulae[idx].translate_formula(ref)
            if text != "=":
                self.shared_formulae[idx] = Translator(text, ref)
            return text
        if kind == "dataTable":
            from openpyxl.worksheet.formula import DataTableFormula
            return DataTableFormula(**f.attrib)
        return text


def sheet_rows(ws, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[int, tuple, tuple]]:
    """``(row number, values, formulas)`` of every row of a read-only openpyxl worksheet from
    ``min_row``: what ``ws.iter_rows(min_row=..., values_only=True)`` gives with
    ``data_only=True`` (values) and with ``data_only=False`` (formulas), in one pass.

    The cells come from :func:`_scan_rows` (regular expressions over the XML, for the plain
    XML every spreadsheet program writes) or, for anything else, from the XML parser."""
    cells = _Cells(ws)
    max_col = ws.max_column
    last = ws.max_row if max_row is None else max_row
    empty = (None,) * max_col if max_col is not None else ()
    counter = min_row
    number = 1
    cut = False
    for batch in _rows(ws, cells):
        for number, values, formulas in batch:
            if last is not None and number > last:
                cut = True
                break
            if number < min_row:
                continue
            while counter < number:
                counter += 1
                yield counter - 1, empty, empty
            if counter <= number:
                counter += 1
                if formulas is None:             # a plain row: its values by column, no formula
                    n = len(values)
                    if max_col and n != max_col:
                        values = tuple(values[:max_col]) if n > max_col else (*values, *(None,) * (max_col - n))
                    elif type(values) is not tuple:
                        values = tuple(values)
                    yield number, values, values
                    continue
                if not values and not max_col:
                    yield number, (), ()
                    continue
                width = max_col or values[-1][0]
                vrow = [None] * width
                frow = [None] * width
                for (j, v), f in zip(values, formulas):
                    if 1 <= j <= width:
                        vrow[j - 1] = v
                        frow[j - 1] = f
                values = tuple(vrow)
                # a row whose formulas are its values (no formula): one tuple for both
                yield number, values, (values if vrow == frow else tuple(frow))
        if cut:
            break
    if cut:                                  # as openpyxl: up to the last row asked for
        for k in range(counter, last + 1):
            yield k, empty, empty


def _row_number(r, previous: int) -> int:
    if r is None:
        return previous + 1
    try:
        return int(r)
    except ValueError:
        val = float(r)
        if not val.is_integer():
            raise ValueError(f"{r} is not a valid row number") from None
        return int(val)


def _rows(ws, cells: _Cells):
    """Lists of ``(row number, [(column, value)], [formula])`` of each ``<row>``, in file
    order (``(row number, [value by column], None)`` for a row without formulas)."""
    done = 0
    try:
        for batch in _scan_rows(ws, cells):
            if batch:
                done = batch[-1][0]
                yield batch
        return
    except _NotPlain:
        pass
    cells = _Cells(ws)                       # from the start (shared formulas), after ``done``
    row_counter = 0
    with ws._get_source() as src:
        for _event, el in iterparse(src):
            if el.tag != _ROW:
                continue
            row_counter = _row_number(el.get("r"), row_counter)
            values: list = []
            formulas: list = []
            col = 0
            for c in el:
                if c.tag != _CELL:
                    continue
                ref = c.get("r")
                col = _column(ref) if ref else col + 1
                v, f = cells.value(c)
                values.append((col, v))
                formulas.append(f)
            el.clear()
            if row_counter > done or not done:
                yield [(row_counter, values, formulas)]


class _NotPlain(Exception):
    """The sheet's XML uses something the scanner does not read (the XML parser does)."""


_BLOCK = 1 << 22
_FIRST_BLOCK = 1 << 16       # the start of a sheet: its header found without reading 4 MB
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_ROW_RE = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_RE = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V_RE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_F_RE = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_IS_RE = re.compile(rb"<is>(.*?)</is>", re.S)
_FAST_ATTRS = re.compile(rb' r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?\s*')
_ROW_R = re.compile(rb' r="([0-9]+)"(?: spans="[0-9:]*")?\s*')
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="(n|s|str|b|e|inlineStr)")?'
                        rb'(?:/>|><v>([^<&]*)</v></c>|(><is>)<t(?: xml:space="preserve")?>([^<&]*)</t></is></c>)')
_PLAIN_V = re.compile(rb"<v>([^<&]*)</v>")
_PLAIN_IS = re.compile(rb'<is><t(?: xml:space="preserve")?>([^<&]*)</t></is>')
_PLAIN_T = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>')
_NOT_PLAIN = (b"<![CDATA[", b"<!--", b"<?", b"<!DOCTYPE", b"<!ENTITY", b"\r")


def _attrs(text: bytes) -> dict:
    return {m.group(1).decode(): _text(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR_RE.finditer(text)}


def _text(raw: bytes) -> str:
    """XML character data as the parser gives it (entities and character references)."""
    text = raw.decode("utf-8")
    if "&" in text:
        from xml.etree.ElementTree import fromstring
        text = fromstring("<t>" + text + "</t>").text or ""
    return text


class _Cell:
    """A ``<c>`` read by the scanner, with the element interface :meth:`_Cells.value` uses."""

    __slots__ = ("attrib", "body")

    def __init__(self, attrib: dict, body: bytes | None):
        self.attrib, self.body = attrib, body

    def get(self, key, default=None):
        return self.attrib.get(key, default)

    def findtext(self, tag, default=None):
        if self.body is None or b"<v" not in self.body:
            return default
        m = _V_RE.search(self.body)
        return _text(m.group(1)) if m else default

    def find(self, tag):
        if self.body is None:
            return None
        if tag == _FORMULA:
            m = _F_RE.search(self.body) if b"<f" in self.body else None
            if m is None:
                return None
            f = Element(_FORMULA, _attrs(m.group(1)))
            f.text = _text(m.group(2)) if m.group(2) is not None else None
            return f
        if tag == _INLINE:
            m = _IS_RE.search(self.body)
            if m is None:
                return None
            plain = _PLAIN_T.fullmatch(m.group(1))
            if plain is not None:             # one plain <t>: no need to parse
                node = Element(_INLINE)
                SubElement(node, _TEXT).text = _text(plain.group(1))
                return node
            from xml.etree.ElementTree import fromstring
            return fromstring(b"<is " + _MAIN + b">" + m.group(1) + b"</is>")
        raise _NotPlain(tag)


#: a ``<row>`` start tag (its ``r`` first) or a whole plain ``<c>`` (as :data:`_FAST_CELL`,
#: and ISO dates, and entities in an inline string)
_TOKEN = re.compile(rb'<row r="([0-9]+)"[^>]*>|<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?'
                    rb'(?: t="(n|s|str|b|e|d|inlineStr)")?'
                    rb'(?:/>|><v>([^<&]*)</v></c>|(><is>)<t(?: xml:space="preserve")?>([^<]*)</t></is></c>)')


def _all_plain(block: bytes, found: list) -> bool:
    """Whether the :data:`_TOKEN` matches ``found`` in ``block`` are all its rows and cells,
    the first a row: as many matches as the block has ``<row`` and ``<c`` (no other element
    of a sheet's data starts so; a match holds one of them, a row's start tag at least one,
    a ``<c`` at most one: so each is matched, and as what it is)."""
    if not found or not found[0][0]:
        return False
    return len(found) == block.count(b"<row") + block.count(b"<c")


def _plain_block(block: bytes, cells: _Cells) -> list | None:
    """The rows of a block of a sheet's ``<sheetData>`` (whole rows) by :func:`_plain_rows`
    when its rows and cells are all plain (:func:`_all_plain`), else ``None``.

    The cyclic garbage collector is off meanwhile (nothing is yielded then): the block's
    matches and rows are some 10^5 new tuples, which would set it off every 700 of them
    to walk all the objects alive, for nothing (a block makes no cycle); this halves the
    time a block takes."""
    with _without_gc():
        found = _TOKEN.findall(block)
        if not _all_plain(block, found):
            return None
        return list(_plain_rows(found, cells))


class _without_gc:
    """The cyclic garbage collector off inside (as it was after): for building many tuples
    that make no reference cycle."""

    def __enter__(self):
        import gc
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.enabled:
            import gc
            gc.enable()


def _plain_rows(found: list, cells: _Cells):
    """``(row number, values, None)`` of the rows of :data:`_TOKEN` matches: the values a
    tuple by column (``None`` where no cell is), as :meth:`_Cells.plain` gives them; a row
    with a column again or back ``(row number, [(column, value)], [value])``."""
    strings, plain = cells.strings, cells.plain
    dates = cells.dates
    date_style: dict = {}
    columns = _BYTE_COLUMNS
    number, row, pairs, n = 0, None, None, 0
    for r, letters, style, kind, v, inline, text in found:
        if r:
            if pairs is not None:
                yield number, pairs, [p for _, p in pairs]
                pairs = None
            elif row is not None:
                yield number, tuple(row), None
            number, row, n = int(r), [], 0
            continue
        try:
            col = columns[letters]
        except KeyError:
            col = columns[letters] = _column(letters.decode() + "1")
        if not kind or kind == b"n":
            if not v:
                value = None
            elif style and dates and (date_style[style] if style in date_style
                                      else date_style.setdefault(style, int(style) in dates)):
                value = plain(b"n", int(style), v)
            else:
                try:
                    value = float(v) if (b"." in v or b"e" in v or b"E" in v) else int(v)
                except ValueError:                # as openpyxl reads the text (or fails)
                    value = plain(b"n", 0, v)
        elif kind == b"s":
            value = strings[int(v)] if v else None
        elif kind == b"inlineStr":
            value = (text.decode("utf-8") if b"&" not in text else _text(text)) if inline else None
        else:
            value = plain(kind, int(style) if style else 0, v)
        if col == n + 1:
            row.append(value)
            n = col
        elif pairs is not None:
            pairs.append((col, value))
        elif col > n:
            row.extend([None] * (col - n - 1))
            row.append(value)
            n = col
        else:           # a column again, or back: (column, value) pairs, placed as openpyxl does
            pairs = [(j, p) for j, p in enumerate(row, start=1)]
            pairs.append((col, value))
            n = -2                                # no column follows on
    if pairs is not None:
        yield number, pairs, [p for _, p in pairs]
    elif row is not None:
        yield number, tuple(row), None


def _scan_rows(ws, cells: _Cells):
    """The rows of a sheet whose XML is plain (UTF-8, the main namespace as the default one;
    no CDATA, comments, processing instructions, entity declarations or CR), read with
    regular expressions a block at a time (4 MB; the first rows, up to 64 kB, a block of
    their own), a list of rows per block; :class:`_NotPlain` otherwise (before the first
    row, or at the block where it is met: the caller then reads on with the XML parser)."""
    row_counter = 0
    with ws._get_source() as src:
        buf = src.read(_FIRST_BLOCK)
        root = buf.find(b"<worksheet")
        if root < 0 or _MAIN not in buf[root:buf.find(b">", root)]:
            raise _NotPlain("namespace")
        start = buf.find(b"<sheetData")
        while start < 0 or buf.find(b">", start) < 0:
            more = src.read(_BLOCK)
            if not more:
                return
            buf += more
            start = buf.find(b"<sheetData")
        decl = _DECLARATION.match(buf)         # <?xml ...?> in UTF-8, as every writer starts
        if decl is not None and _UTF8.fullmatch(decl.group(0)) is None:
            raise _NotPlain("encoding")
        if any(buf.find(bad, decl.end() if decl else 0, start) >= 0 for bad in _NOT_PLAIN):
            raise _NotPlain("header")
        head_end = buf.find(b">", start)
        if buf[head_end - 1:head_end] == b"/":
            return
        buf = buf[head_end + 1:]
        end = False
        first = True                 # the rows read with the start: a block of their own
        while True:
            stop = buf.find(b"</sheetData>")
            cut = buf.rfind(b"<row") if first and stop < 0 else -1
            first = False
            if stop >= 0:
                buf, end = buf[:stop], True
            elif cut > 0:
                block, buf = buf[:cut], buf[cut:]
            elif not end:
                more = src.read(_BLOCK)
                if more:
                    buf += more
                    cut = buf.rfind(b"<row")
                    if cut <= 0:
                        continue
                    block, buf = buf[:cut], buf[cut:]
                else:
                    block, buf, end = buf, b"", True
            if end:
                block = buf
            if any(bad in block for bad in _NOT_PLAIN):
                raise _NotPlain("block")
            rows = _plain_block(block, cells)
            if rows is not None:             # every row and cell in one pass (the common case)
                if rows:
                    row_counter = rows[-1][0]
                yield rows
                if end:
                    return
                continue
            batch: list = []
            for m in _ROW_RE.finditer(block):
                head = m.group(1)
                plain_r = _ROW_R.fullmatch(head)
                if plain_r is not None:
                    row_counter = int(plain_r.group(1))
                else:
                    row_counter = _row_number(_attrs(head).get("r"), row_counter)
                values: list = []
                formulas: list = []
                col = 0
                body = m.group(2)
                if body:
                    found = _FAST_CELL.findall(body)
                    if len(found) == body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/"):
                        plain = cells.plain
                        for letters, style, kind, v, inline, text in found:   # the common cells
                            col = _BYTE_COLUMNS.get(letters)
                            if col is None:
                                col = _BYTE_COLUMNS[letters] = _column(letters.decode() + "1")
                            if not kind and not style and v:
                                value = float(v) if (b"." in v or b"e" in v or b"E" in v) else int(v)
                            elif kind == b"inlineStr":
                                value = text.decode("utf-8") if inline else None
                            else:
                                value = plain(kind or b"n", int(style) if style else 0, v)
                            values.append((col, value))
                        formulas = [v for _, v in values]
                        batch.append((row_counter, values, formulas))
                        continue
                    for c in _CELL_RE.finditer(body):
                        head, inner = c.group(1), c.group(2)
                        fast = _FAST_ATTRS.fullmatch(head)
                        if fast is not None:          # r, s, t as every writer orders them
                            letters, style, kind = fast.groups()
                            col = _BYTE_COLUMNS.get(letters)
                            if col is None:
                                col = _BYTE_COLUMNS[letters] = _column(letters.decode() + "1")
                            kind = b"n" if kind is None else kind
                            if inner is None:
                                values.append((col, None))
                                formulas.append(None)
                                continue
                            plain = (_PLAIN_V if kind != b"inlineStr" else _PLAIN_IS).fullmatch(inner)
                            if plain is not None:
                                v = cells.plain(kind, int(style) if style else 0, plain.group(1))
                                values.append((col, v))
                                formulas.append(v)
                                continue
                        ca = _attrs(head)
                        ref = ca.get("r")
                        col = _column(ref) if ref else col + 1
                        v, f = cells.value(_Cell(ca, inner))
                        values.append((col, v))
                        formulas.append(f)
                batch.append((row_counter, values, formulas))
            yield batch
            if end:
                return
