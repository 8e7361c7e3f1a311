"""Text cells: user text is written as text, never as a formula.

openpyxl takes a ``str`` starting with ``=`` as a formula (and ``"#N/A"`` as an error
value); Excel, given a value through a range, also reads ``+``, ``-`` and ``@`` as the
start of a formula. A scenario name, a note or an echoed input such as
``=HYPERLINK(...)`` or a DDE payload (``=cmd|'/c calc'!A1``) must stay inert text:
every cell amspares writes from user data goes through :func:`text_cell` (openpyxl) or
:func:`excel_text` (a value handed to Excel through xlwings).

Text is also made fit for a cell: control characters that XML cannot hold are written as
escapes, and text longer than Excel's 32,767 characters per cell is cut, saying so.

>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> c = text_cell(ws["A1"], "=HYPERLINK(\\"http://x\\",\\"y\\")")
>>> c.data_type, c.value
('s', '=HYPERLINK("http://x","y")')
>>> text_cell(ws["A2"], 2.5).data_type, text_cell(ws["A3"], "a\\x07b").value
('n', 'a\\\\x07b')
>>> excel_text("=1+1"), excel_text("OK")
("'=1+1", 'OK')
"""

from __future__ import annotations

import re
from typing import Any

#: Excel's limit of characters in one cell.
CELL_CHARS = 32767
#: Characters an XML 1.0 document cannot hold (openpyxl refuses them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: First characters that make Excel read typed-in text as a formula.
FORMULA_START = ("=", "+", "-", "@")


def cell_text(text: str, limit: int = CELL_CHARS) -> str:
    """``text`` as a cell may hold it: XML-illegal characters escaped, at most ``limit`` long."""
    text = _ILLEGAL.sub(lambda m: repr(m.group())[1:-1], text)
    if len(text) > limit:
        tail = f"… ({len(text):,} characters)"
        text = text[:limit - len(tail)] + tail
    return text


def text_cell(cell, value: Any):
    """Set an openpyxl cell to ``value``; a ``str`` is always a text cell (never a formula).

    Returns the cell. Numbers, booleans, dates and ``None`` are set as they are.
    """
    if isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def excel_text(value: Any) -> Any:
    """A value for Excel (xlwings ``range.value = ...``): text that Excel would read as a
    formula gets a leading apostrophe (Excel's "this is text" mark, not shown in the cell)."""
    if isinstance(value, str):
        value = cell_text(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    elif isinstance(value, list):
        return [excel_text(v) for v in value]
    return value
