"""Stale marks: do the inputs still equal those amspares' own numbers were computed from?

Some numbers of a scenario workbook come from a Python run, not from formulas: the blue
"amspares" cells (Results, the (s,Q) comparison on a stock method's model sheet; written by
``amspares scenario -o`` and by "Run scenario") and the six situation sheets (written once,
by ``amspares scenario -o``). They do not follow a recipient's edit. The ``Computed for``
sheet keeps, per input, the value each of them was computed from, and compares it live with
the input cell (numbers within 1e-9 relative, text exactly, an empty cell with an empty
one); a cell on every such sheet then says, in a formula::

    computed for other inputs: press Run scenario or run amspares scenario again

as soon as one input differs (and "computed for the inputs on the Inputs sheet" while none
does). The comparison uses only IF, ISNUMBER, ABS, MAX and COUNTIF, which Excel and
LibreOffice both compute. The stored values are plain values written by amspares (text
from a file stays text: :func:`amspares.workbook.cells.text_cell`).

Not covered: an edit of the Factors sheet's tables (a material's mPts per kg, say) changes
no input cell, so it marks nothing.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill

from amspares.scenario import Scenario, all_keys
from amspares.workbook.cells import text_cell

SHEET = "Computed for"
FRESH = "computed for the inputs on the Inputs sheet"
STALE = "computed for other inputs: press Run scenario or run amspares scenario again"
STALE_SITUATIONS = ("computed for other inputs: run amspares scenario again "
                    "(Run scenario does not redo the situation sheets)")
#: Defined names: the keys, the values the blue cells were computed from, the two marks.
KEYS, PY_INPUTS, PY_MARK = "computed_keys", "py_inputs", "amspares_fresh"
SITUATION_INPUTS, SITUATION_MARK = "situation_inputs", "situations_fresh"
FIRST = 6                       # first key row of the Computed for sheet

_RED = PatternFill(start_color="F8CBAD", end_color="F8CBAD", fill_type="solid")
_GREEN = PatternFill(start_color="E2EFDA", end_color="E2EFDA", fill_type="solid")
_STORED = PatternFill("solid", fgColor="DDEBF7")        # blue: written by amspares


def input_keys(scenario: Scenario) -> list[str]:
    """The keys compared, in the order of docs/model.md section 2 (every input cell)."""
    return [spec.key for spec in all_keys(scenario.methods)]


def used_values(scenario: Scenario) -> dict[str, Any]:
    """Each input cell's value as amspares writes it into the workbook (the transport legs'
    sums as the numbers their formulas give)."""
    inputs = scenario.inputs()
    out = {}
    for spec in all_keys(scenario.methods):
        if spec.type == "legs":
            out[spec.key] = float(inputs[spec.key])
        else:
            v = scenario.get(spec.key)
            out[spec.key] = v if v is None or isinstance(v, (int, float, str)) else str(v)
    return out


def workbook_values(scenario: Scenario, table: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """The values of the Inputs sheet's ``inputs_table`` rows (key, value) as "Run scenario"
    read them; a formula the backend returns as text (the transport sums) as its value."""
    used = used_values(scenario)
    out = {}
    for row in table:
        row = list(row) + [None, None]
        if row[0] is None:
            continue
        key, v = str(row[0]).strip(), row[1]
        out[key] = used.get(key) if isinstance(v, str) and v.startswith("=") else v
    return out


def block(keys: Iterable[str], values: Mapping[str, Any]) -> list[list]:
    """The stored column (one row per key) for :data:`PY_INPUTS` or :data:`SITUATION_INPUTS`."""
    out = []
    for k in keys:
        v = values.get(k)
        if isinstance(v, bool) or (v is not None and not isinstance(v, (int, float, str))):
            v = str(v)
        out.append([v])
    return out


def _same(name: str, stored: str) -> str:
    """TRUE when the input cell ``name`` equals the stored value (an error is not TRUE)."""
    return (f'IF(ISNUMBER({name}),IF(ISNUMBER({stored}),ABS({name}-{stored})<=1E-9*MAX(1,ABS({stored})),FALSE),'
            f'IF(ISNUMBER({stored}),FALSE,{name}&""={stored}&""))')


def add_sheet(b, scenario: Scenario) -> None:
    """The ``Computed for`` sheet of the template (the blue cells' column; the situation
    column is added by :func:`add_situations`). ``b`` is the template's builder."""
    from openpyxl.utils import quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName

    from amspares.workbook.fill import name_of

    wb = b.wb
    ws = wb.create_sheet(SHEET)
    keys = input_keys(scenario)
    last = FIRST + len(keys) - 1
    ws["A1"] = "Computed for: the inputs amspares' own numbers were computed from"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("Blue cells (the amspares columns of Results and of the model sheets) and the situation "
                "sheets hold numbers of a Python run; they do not follow an edit of the inputs. Each row "
                "compares an input with the value used (numbers within 1e-9, text exactly).")
    ws["A3"] = "amspares cells (blue)"
    ws["A3"].font = Font(bold=True)
    for c, h in zip("ABC", ("key", "value used by the amspares cells", "same now?")):
        ws[f"{c}5"] = h
        ws[f"{c}5"].font = Font(bold=True)
    for i, k in enumerate(keys):
        r = FIRST + i
        text_cell(ws[f"A{r}"], k)
        ws[f"B{r}"].fill = _STORED
        b.formula(ws, f"C{r}", _same(name_of(k), f"B{r}"), True)
    b.formula(ws, "B3", f'IF(COUNTIF(C{FIRST}:C{last},TRUE)={len(keys)},"{FRESH}","{STALE}")', FRESH)
    q = quote_sheetname(SHEET)
    for name, ref in ((KEYS, f"$A${FIRST}:$A${last}"), (PY_INPUTS, f"$B${FIRST}:$B${last}"), (PY_MARK, "$B$3")):
        wb.defined_names[name] = DefinedName(name, attr_text=f"{q}!{ref}")
    _colour(ws, "B3")
    ws.column_dimensions["A"].width = 44
    for c in "BCDE":
        ws.column_dimensions[c].width = 30
    ws.freeze_panes = f"A{FIRST}"


def mark(b_or_cache, ws, ref: str, name: str, fresh_value: str = FRESH) -> None:
    """A live stale mark in ``ws[ref]``: the text of the defined name ``name``, red while stale."""
    ws[ref] = "=" + name
    ws[ref].font = Font(bold=True)
    cache = b_or_cache.cache if hasattr(b_or_cache, "cache") else b_or_cache
    cache.setdefault(ws.title, {})[ref] = fresh_value
    _colour(ws, ref)


def _colour(ws, ref: str) -> None:
    """Red while the mark says "computed for other inputs", green while it matches."""
    ws.conditional_formatting.add(ref, FormulaRule(formula=[f'LEFT({ref},18)="computed for other"'],
                                                   stopIfTrue=True, fill=_RED))
    ws.conditional_formatting.add(ref, FormulaRule(formula=[f'{ref}="{FRESH}"'], fill=_GREEN))


def add_situations(wb, cache: dict, scenario: Scenario, values: Mapping[str, Any],
                   sheets: Iterable[str], ref: str = "A3") -> None:
    """The situation sheets' column of the ``Computed for`` sheet (the values ``values``
    the study was run with) and a live mark at ``ref`` on each sheet of ``sheets``."""
    from openpyxl.utils import quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName

    from amspares.workbook.fill import name_of

    ws = wb[SHEET]
    keys = input_keys(scenario)
    last = FIRST + len(keys) - 1
    own = cache.setdefault(SHEET, {})
    ws["A4"] = "situation sheets"
    ws["A4"].font = Font(bold=True)
    for c, h in zip("DE", ("value used by the situation sheets", "same now?")):
        ws[f"{c}5"] = h
        ws[f"{c}5"].font = Font(bold=True)
    for i, (k, (v,)) in enumerate(zip(keys, block(keys, values))):
        r = FIRST + i
        text_cell(ws[f"D{r}"], v)
        ws[f"D{r}"].fill = _STORED
        ws[f"E{r}"] = "=" + _same(name_of(k), f"D{r}")
        own[f"E{r}"] = True
    ws["B4"] = f'=IF(COUNTIF(E{FIRST}:E{last},TRUE)={len(keys)},"{FRESH}","{STALE_SITUATIONS}")'
    own["B4"] = FRESH
    _colour(ws, "B4")
    q = quote_sheetname(SHEET)
    wb.defined_names[SITUATION_INPUTS] = DefinedName(SITUATION_INPUTS, attr_text=f"{q}!$D${FIRST}:$D${last}")
    wb.defined_names[SITUATION_MARK] = DefinedName(SITUATION_MARK, attr_text=f"{q}!$B$4")
    for title in sheets:
        mark(cache, wb[title], ref, SITUATION_MARK)
