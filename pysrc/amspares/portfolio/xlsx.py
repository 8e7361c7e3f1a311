"""Portfolio xlsx: reading a catalogue sheet, and writing a Results sheet (streamed with
openpyxl's write-only mode) with a Summary sheet and a chart."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from amspares.portfolio.chunks import ChunkResult, Source, _open_input
from amspares.portfolio.columns import DECISION_COLUMNS, INTEGER_FIELDS, PortfolioInputError, _cell_text
from amspares.portfolio.summary import Summary

XLSX_MAX_ROWS = 1_048_576        # Excel's sheet limit, header included
CHART_MAX_POINTS = 10_000        # the xlsx scatter chart plots the first SKUs only
ROWS_PER_BLOCK = 4096            # Results rows formatted as XML at a time


MAX_SHARED_STRINGS_BYTES = 128 * 2**20   # all text of a catalogue workbook, unpacked
MAX_PART_RATIO = 1000                      # unpacked / packed size of one part (a zip bomb)
HEADER_SEARCH_ROWS = 50


def _unreadable(path: Path, why: str) -> PortfolioInputError:
    return PortfolioInputError(f"catalogue {str(path)!r} is not a readable xlsx workbook ({why})")


def _check_archive(path: Path) -> None:
    """Refuse, before parsing, a workbook whose text would unpack to more than
    :data:`MAX_SHARED_STRINGS_BYTES` (one huge shared string from a tiny file)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                name = info.filename.lower()
                if name.endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS_BYTES:
                    raise PortfolioInputError(
                        f"catalogue {str(path)!r}: its text (shared strings) unpacks to "
                        f"{info.file_size / 2**20:,.0f} MB, more than the {MAX_SHARED_STRINGS_BYTES // 2**20} MB "
                        f"a catalogue may hold; save the sheet as CSV")
                if info.file_size > 2**24 and info.file_size > MAX_PART_RATIO * max(info.compress_size, 1):
                    raise PortfolioInputError(
                        f"catalogue {str(path)!r}: part {info.filename} unpacks {info.file_size / 2**20:,.0f} MB "
                        f"from {info.compress_size:,} bytes (over {MAX_PART_RATIO}:1): refused as a zip bomb")
    except zipfile.BadZipFile as exc:
        raise _unreadable(path, str(exc)) from None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None


def read_xlsx(path: Path, chunk_rows: int, *, header_row: int | None = None,
              wanted=("sku",), decimal: str | None = None) -> Source:
    """Read a catalogue sheet: the first sheet holding one of the ``wanted`` header names
    (``sku`` or a mapped header) in its first :data:`HEADER_SEARCH_ROWS` rows (or row
    ``header_row``), else the first sheet.

    A formula cell with no saved value (a file written by a script, never opened in Excel)
    is reported on its row, never read as empty. A damaged workbook is one error line.
    """
    from amspares.portfolio.xlsx_read import open_workbook, sheet_rows

    _open_input(path).close()
    _check_archive(path)
    try:
        wb = open_workbook(path)
        wf = wb                    # the formulas come from the same pass (sheet_rows)
    except PortfolioInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage in the archive: one clear line
        raise _unreadable(path, _why(exc)) from None
    try:
        sheets = list(wb.worksheets)
        if not sheets:
            raise _unreadable(path, "it has no worksheet, only chart sheets")
        names = {w.strip() for w in wanted}
        ws, h = sheets[0], (header_row or 1)
        found = False
        for sheet in sheets:
            top = [rec for _, rec, _ in sheet_rows(sheet, 1, header_row or HEADER_SEARCH_ROWS)]
            for r, rec in enumerate(top, start=1):
                if header_row is not None and r != header_row:
                    continue
                if any(isinstance(v, str) and v.strip() in names for v in rec or ()):
                    ws, h, found = sheet, r, True
                    break
            if found:
                break
        both = sheet_rows(ws, h)
        first = next(both, None)
        header = list(first[1] if first else ())
        rows_iter = ((v, f) for _, v, f in both)
    except PortfolioInputError:
        wb.close()
        wf.close()
        raise
    except Exception as exc:  # noqa: BLE001
        wb.close()
        wf.close()
        raise _unreadable(path, _why(exc)) from None
    while header and header[-1] is None:
        header.pop()
    if not header:
        wb.close()
        wf.close()
        raise PortfolioInputError(f"catalogue {str(path)!r}: the sheet has no header row (row {h} is empty)")
    width = len(header)
    head_text = [_cell_text(v) for v in header]
    total = max((ws.max_row or 1) - h, 1)
    seen = [0]

    def chunks():
        import gc

        row_no = h
        rows: list = []
        numbers: list = []
        problems: dict = {}
        collect = gc.isenabled()         # off while a chunk is read: its rows make no cycle
        try:
            gc.disable()
            for rec, frec in rows_iter:
                row_no += 1
                seen[0] += 1
                same = frec is rec                 # sheet_rows: a row without formulas
                if len(rec) != width:
                    rec = list(rec[:width]) + [None] * (width - len(rec))
                    frec = rec if same else list(frec[:width]) + [None] * (width - len(frec))
                if rec.count(None) == width and (same or frec.count(None) == width):   # empty row
                    continue
                if not same:
                    bad = [f"row {row_no}, {head_text[j]} = {_clip(frec[j])}: a formula with no saved "
                           f"value (open and save the file in Excel, or type the value)"
                           for j in range(width)
                           if rec[j] is None and isinstance(frec[j], str) and frec[j].startswith("=")]
                    if bad:
                        problems[len(rows)] = bad
                rows.append([v if type(v) is str else "" if v is None else
                             repr(v) if type(v) in _REPR else _cell_text(v) for v in rec])
                numbers.append(row_no)
                if len(rows) >= chunk_rows:
                    columns = [list(c) for c in zip(*rows)]
                    if collect:
                        gc.enable()
                    yield numbers, columns, problems
                    gc.disable()
                    rows, numbers, problems = [], [], {}
        except PortfolioInputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet part: one clear line
            raise _unreadable(path, f"near row {row_no + 1}: {_why(exc)}") from None
        finally:
            if collect:
                gc.enable()
        if rows:
            yield numbers, [list(c) for c in zip(*rows)], problems

    def close():
        wb.close()
        wf.close()

    return Source(head_text, chunks(), lambda: min(seen[0] / total, 1.0), close, header_row=h,
                  decimal=decimal or ".")


_REPR = (float, int)              # cells whose text is repr (columns._cell_text)


def _clip(v, n: int = 60) -> str:
    t = str(v).replace("\n", " ").replace("\r", " ")
    return t if len(t) <= n else t[:n] + "..."


def _why(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ").strip() or type(exc).__name__
    return _clip(f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text, 160)


_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


#: Light fills of the decisions (text stays readable), in the scenario's method order; the
#: Summary chart draws each method's SKUs in the matching strong colour.
DECISION_FILLS = ("DDEBF7", "FCE4D6", "E2EFDA", "E4DFEC", "FFF2CC", "EDEDED", "D9F2F2", "F2DCDB")
DECISION_COLOURS = ("1F77B4", "D62728", "2CA02C", "9467BD", "FF7F0E", "7F7F7F", "17BECF", "8C564B")
FAILED_FILL = "F4B084"          # a row that was not evaluated (see its error column)
HEADER_FILL = "D9D9D9"

#: Display formats by unit (values keep their full precision).
EUR, MPTS, KG, SHARE, COUNT, DAYS = "#,##0.00", "#,##0.0", "#,##0.00", "0.00%", "#,##0", "#,##0.00"
#: Summary lines shown above the table (the rest of ``meta`` follows the chart).
TOP_META = ("catalogue", "base scenario", "base scenario file", "demand")


def number_format(name: str) -> str:
    """Display format of a result column, by its name (``General`` for none of these).

    >>> number_format("regular.total_cost"), number_format("am_mto.impact.process"), number_format("regular.S")
    ('#,##0.00', '#,##0.0', '#,##0')
    >>> number_format("am_mts.fill_rate"), number_format("saving"), number_format("demand.rate_per_year")
    ('0.00%', '#,##0.00', 'General')
    """
    tail = name.rsplit(".", 1)[-1]
    field = name.split(".", 1)[1] if "." in name else name
    if name == "saving" or tail in ("total_cost", "price_to_win", "advice_saving") or field.startswith("cost."):
        return EUR
    if tail == "impact_mpts" or field.startswith("impact."):
        return MPTS
    if tail == "impact_kgco2e" or field.startswith("impact_co2e."):
        return KG
    if tail in ("fill_rate", "on_time_rate"):
        return SHARE
    if tail == "mean_wait_days":
        return DAYS
    if tail in ("S", "s", "Q", "advice_Q", "moq_to_win"):
        return COUNT
    return "General"


def input_format(key: str) -> str:
    """Display format of a given input column, by the unit of its scenario key.

    >>> input_format("methods.regular.price"), input_format("methods.am_mto.moq"), input_format("part.weight_kg")
    ('#,##0.00', '#,##0', 'General')
    """
    from amspares.scenario import METHOD_KEYS, SCENARIO_KEYS

    parts = key.split(".")
    if parts[0] == "methods" and len(parts) == 3:
        key = f"methods.<method>.{parts[2]}"
    spec = next((k for k in (*SCENARIO_KEYS, *METHOD_KEYS) if k.key == key), None)
    unit = getattr(spec, "unit", "") or ""
    if unit.startswith("EUR"):
        return EUR
    if getattr(spec, "type", "") == "integer":
        return COUNT
    if unit.startswith("share"):
        return "0.0%"
    return "General"


def _quote(text: str) -> str:
    """A text as a formula string literal."""
    return '"' + text.replace('"', '""') + '"'


class XlsxWriter:
    """Results sheet streamed with openpyxl's write-only mode, plus a Summary sheet and chart.

    The Results sheet leads with the decision: SKU, cheapest method, its saving over the
    runner-up and the greenest method, then the text columns carried through, the demand
    rate and the inputs the row gave, the results per method and the error. Number formats
    by unit, a frozen header row and SKU column, an autofilter, and a fill by decision
    (conditional formatting on the whole range: one rule per method, nothing per row).
    The CSV output has the CSV header's order (:func:`amspares.portfolio.output_header`).
    """

    def __init__(self, path: Path, header: list[str], methods: list[str]):
        from openpyxl import Workbook

        self.path = path
        self.header = header
        self.methods = methods
        self.wb = Workbook(write_only=True)
        self.summary_ws = self.wb.create_sheet("Summary")
        self.ws = self.wb.create_sheet("Results")
        for ws in (self.summary_ws, self.ws):     # openpyxl's temporaries beside the output
            _stream_beside(ws, path, top=False)   # (their top, with the column widths: later)
        # the Results rows: written here as sheet XML, spliced into the saved workbook by
        # finish() (openpyxl writes the header row, the layout and the formats)
        self.rows_path = f"{path}.rows-{id(self)}.sheet"
        self.rows_out = open(self.rows_path, "wb")
        self.spliced: dict[str, str] = {}        # sheet name -> its rows to splice in
        self.rows = 1
        self.layout: list[tuple[str, str, str]] | None = None     # (header, kind, format)
        self.chart: list[tuple[int, float]] = []      # (cheapest, saving) of the first SKUs

    # ------------------------------------------------------------------ Results

    def _start(self, res: ChunkResult | None) -> None:
        """Lay out the Results sheet from the first chunk (its given inputs name the input
        columns), then start streaming it."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        n_carried = len((res.carried or {}) if res is not None else ())
        carried = self.header[1:1 + n_carried]
        results = [h for h in self.header[2 + n_carried:] if h not in DECISION_COLUMNS]
        given = [k for k in ((res.inputs or {}) if res is not None else {}) if k != "demand.rate_per_year"]
        self.given = given
        layout = [("sku", "text", "General")]
        layout += [("cheapest", "text", "General"), ("saving", "number", EUR), ("lowest_impact", "text", "General"),
                   ("lowest_impact_co2e", "text", "General")]
        layout += [(c, "text", "General") for c in carried]
        layout.append(("demand.rate_per_year", "number", "General"))
        numeric_given = {k for k, (v, _) in ((res.inputs or {}) if res is not None else {}).items() if v is not None}
        layout += [(k, "input" if k in numeric_given else "text", input_format(k) if k in numeric_given else "General")
                   for k in given]
        layout += [(r, "number", number_format(r)) for r in results]
        layout.append(("error", "text", "General"))
        self.layout = layout
        ws = self.ws
        longest = max((len(s) for s in (res.sku[:1000] if res is not None else ())), default=8)
        for j, (name, kind, _fmt) in enumerate(layout, start=1):
            width = {"sku": max(12, min(longest + 2, 40)), "error": 60}.get(name)
            if width is None:
                width = min(max(len(name) + 2, 11), 28 if kind != "text" else 30)
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.freeze_panes = "B2"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"          # A4
        ws.page_setup.fitToWidth = 0
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1"
        ws.print_title_cols = "A:A"
        ws._writer.write_top()
        bold, grey = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
        head = []
        for name, _, _ in layout:
            c = WriteOnlyCell(ws, value=name)
            c.data_type = "s"
            c.font, c.fill = bold, grey
            c.alignment = Alignment(horizontal="center")
            head.append(c)
        ws.append(head)
        styles = []
        for _, _, fmt in layout:
            c = WriteOnlyCell(ws, value=0.0)
            c.number_format = fmt
            styles.append(c.style_id if fmt != "General" else 0)
        self.cells = _CellXml(styles)

    def _text(self, value: str):
        return _ILLEGAL.sub("\ufffd", value) if value else None

    def write(self, res: ChunkResult) -> None:
        size = len(res.sku)
        if self.rows + size > XLSX_MAX_ROWS:
            raise PortfolioInputError(f"an xlsx sheet holds at most {XLSX_MAX_ROWS - 1:,} SKUs; "
                                      f"write CSV for larger catalogues")
        if self.layout is None:
            self._start(res)
        ok = res.ok.tolist()
        cols: list[list] = [[self._text(s) for s in res.sku]]
        cols.append([self.methods[i] if i >= 0 else None for i in res.cheapest.tolist()])
        cols.append(_cells(res.saving))
        for idx in (res.lowest_impact, res.lowest_impact_co2e):
            cols.append([None] * size if idx is None else [self.methods[i] if i >= 0 else None for i in idx.tolist()])
        cols += [[self._text(t) for t in c] for c in (res.carried or {}).values()]
        cols.append(_cells(res.rate))
        inputs = res.inputs or {}
        for k in self.given:
            values, cells = inputs[k]
            if values is None:                          # a name or a choice: as given
                cols.append([self._text(t) for t in cells])
            else:                                       # the number used; a refused cell as typed
                used = _cells(values)
                cols.append([u if good and t != "" else (self._text(t) if t != "" else None)
                             for u, good, t in zip(used, ok, cells)])
        n_carried = len(res.carried or {})
        for name in self.header[2 + n_carried:]:
            if name in DECISION_COLUMNS:
                continue
            cols.append(_cells(res.columns[name], integer=name.rsplit(".", 1)[1] in INTEGER_FIELDS))
        cols.append([self._text(e) for e in res.errors])
        room = CHART_MAX_POINTS - len(self.chart)
        if room > 0:
            self.chart.extend(zip(res.cheapest[:room].tolist(), _cells(res.saving[:room])))
        for a in range(0, size, ROWS_PER_BLOCK):     # blocks: the text of a few thousand rows at a time
            self.rows_out.write(self.cells.rows([c[a:a + ROWS_PER_BLOCK] for c in cols], self.rows + 1 + a))
        self.rows += size

    def _results_tail(self) -> None:
        """Autofilter and the fills by decision, on the whole written range."""
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import PatternFill
        from openpyxl.utils import get_column_letter

        ws, last = self.ws, max(self.rows, 2)
        end = get_column_letter(len(self.layout))
        ws.auto_filter.ref = f"A1:{end}{max(self.rows, 1)}"
        error = get_column_letter(len(self.layout))
        ws.conditional_formatting.add(f"A2:A{last}", FormulaRule(
            formula=[f'${error}2<>""'], stopIfTrue=True,
            fill=PatternFill(start_color=FAILED_FILL, end_color=FAILED_FILL, fill_type="solid")))
        for j, m in enumerate(self.methods):
            colour = DECISION_FILLS[j % len(DECISION_FILLS)]
            fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
            ws.conditional_formatting.add(f"A2:C{last}", FormulaRule(formula=[f"$B2={_quote(m)}"], fill=fill))
            ws.conditional_formatting.add(f"D2:D{last}", FormulaRule(formula=[f"$D2={_quote(m)}"], fill=fill))
            ws.conditional_formatting.add(f"E2:E{last}", FormulaRule(formula=[f"$E2={_quote(m)}"], fill=fill))

    # ------------------------------------------------------------------ Summary

    def finish(self, summary: Summary, meta: dict) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.chart import Reference, ScatterChart, Series
        from openpyxl.chart.data_source import NumFmt
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.pagebreak import Break

        if self.layout is None:
            self._start(None)
        self._results_tail()
        ws = self.summary_ws
        widths = (34, 14, 16, 18, 22, 24, 18, 20, 20)
        for letter, width in zip("ABCDEFGHI", widths):
            ws.column_dimensions[letter].width = width
        k = len(self.methods)
        data_col = len(Summary.HEADER) + 2             # after the table: hidden, one column per method
        for j in range(k):
            d = ws.column_dimensions[get_column_letter(data_col + j)]
            d.hidden = True
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"          # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws._writer.write_top()

        def text(value, bold=False, size=None):
            cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("\ufffd", str(value)))
            cell.data_type = "s"
            if bold or size:
                cell.font = Font(bold=bold, size=size)
            return cell

        def styled(value, fmt):
            cell = WriteOnlyCell(ws, value=value)
            if value is not None:
                cell.number_format = fmt
            return cell

        def given(v):
            """A value of the inputs block: a number as a number, anything else as text."""
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return text(v)
            return v

        top: list[list] = [[text("amspares portfolio", bold=True, size=14)]]
        for line in summary.sentences():
            top.append([text(line, bold=True)])
        top.append([])
        for key in TOP_META:
            if key in meta:
                top.append([text(key), text(meta[key])])
        top.append([text("SKUs evaluated"), styled(summary.evaluated, COUNT)])
        top.append([text("SKUs failed (see the error column)"), styled(summary.failed, COUNT)])
        top.append([])
        top.append([text(h, bold=True) for h in Summary.HEADER])
        fmts = (None, COUNT, EUR, EUR, EUR, MPTS, COUNT, KG, COUNT)
        for row in summary.rows():
            top.append([text(row[0])] + [styled(v, f) for v, f in zip(row[1:], fmts[1:])])
        top.append([])
        top.append([text("Cheapest method per SKU: total cost (EUR)"), styled(float(summary.cheapest_cost.sum()), EUR)])
        top.append([text("Saving over each SKU's runner-up (EUR)"), styled(float(summary.cheapest_saving.sum()), EUR)])
        top.append([])
        chart_row = len(top) + 1
        chart_rows = 22
        after = chart_row + chart_rows + 1
        rest: list[list] = [[text("Inputs the SKUs were evaluated with: each row's own columns on the Results "
                                   "sheet; every other input from the base scenario", bold=True)]]
        for key, v in meta.items():
            if key not in TOP_META:
                rest.append([text(key), None, None, given(v)])     # the label runs over B:C
        last = min(self.rows, CHART_MAX_POINTS + 1)
        lines = max(len(top), after - 1) + len(rest) + 1     # the rows openpyxl writes; the chart's
        for r in range(1, lines + 1):                         # data below them is spliced in
            if r <= len(top):
                row = list(top[r - 1])
            elif after <= r < after + len(rest):
                row = list(rest[r - after])
            else:
                row = []
            if 2 <= r <= last and k:
                best, saving = self.chart[r - 2]
                row += [None] * (data_col - 1 - len(row))
                row += [saving if best == j else None for j in range(k)]
            ws.append(row)
        below = [[saving if best == j else None for best, saving in self.chart[lines - 1:]] for j in range(k)]
        summary_rows = f"{self.path}.summary-{id(self)}.sheet"
        with open(summary_rows, "wb") as f:
            data = _CellXml([0] * k, data_col)
            for a in range(0, len(below[0]) if k else 0, ROWS_PER_BLOCK):
                f.write(data.rows([c[a:a + ROWS_PER_BLOCK] for c in below], lines + 1 + a))
        self.spliced["Summary"] = summary_rows
        ws.row_breaks.append(Break(id=after - 2))
        if last >= 2:
            chart = ScatterChart()
            chart.scatterStyle = "lineMarker"        # required by the schema (Excel repairs a chart without it)
            title = "Saving of the cheapest method vs demand, by decision"
            if self.rows > last:
                title += f" (first {last - 1:,} SKUs)"
            chart.title = _chart_title(title, 12)
            chart.style = 13
            chart.x_axis.title = "demand rate (parts/year)"
            chart.y_axis.title = "saving over the runner-up (EUR)"
            chart.y_axis.numFmt = NumFmt(formatCode="#,##0", sourceLinked=False)
            chart.legend.position = "b"
            chart.visible_cells_only = False          # the series' values are in hidden columns
            rate_col = next(j for j, (n, _, _) in enumerate(self.layout, start=1) if n == "demand.rate_per_year")
            xs = Reference(self.ws, min_col=rate_col, min_row=2, max_row=last)
            for j, m in enumerate(self.methods):
                ys = Reference(ws, min_col=data_col + j, min_row=2, max_row=last)
                series = Series(ys, xs, title=f"cheapest: {m}")
                colour = DECISION_COLOURS[j % len(DECISION_COLOURS)]
                series.marker.symbol = "circle"
                series.marker.size = 5
                series.marker.graphicalProperties.solidFill = colour
                series.marker.graphicalProperties.line.solidFill = colour
                series.graphicalProperties.line.noFill = True
                chart.series.append(series)
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            chart.width, chart.height = 24, 11
            ws.add_chart(chart, f"A{chart_row}")
        ws.print_area = f"A1:{get_column_letter(len(Summary.HEADER))}{max(len(top), after - 1 + len(rest))}"
        self.wb.save(self.path)
        self.rows_out.close()
        self.spliced["Results"] = self.rows_path
        _splice_rows(self.path, self.spliced)
        for rows in self.spliced.values():
            os.remove(rows)

    def abort(self) -> None:
        """Close the streamed sheets and remove openpyxl's temporary files (no
        "Exception ignored" message when the generators are collected)."""
        from openpyxl.worksheet._writer import ALL_TEMP_FILES

        self.rows_out.close()
        for path in {self.rows_path, *self.spliced.values(), f"{self.path}.splice"}:
            try:
                os.remove(path)
            except OSError:
                pass
        for ws in (self.summary_ws, self.ws):
            writer = getattr(ws, "_writer", None)
            if writer is None:
                continue
            try:
                rows = getattr(ws, "_rows", None)
                if rows is not None:
                    rows.close()
                writer.xf.close()
            except Exception:       # a half-written stream: only its file matters now
                pass
            out = writer.out
            if isinstance(out, str):
                try:
                    os.remove(out)
                except OSError:
                    pass
                if out in ALL_TEMP_FILES:
                    ALL_TEMP_FILES.remove(out)
            ws._writer = None
            ws._rows = None


def _stream_beside(ws, path: Path, top: bool = True) -> None:
    """Make openpyxl stream the write-only sheet ``ws`` into a temporary file beside
    ``path`` (named after it, so that :func:`amspares.fileio.remove_stale_temporaries`
    removes it after a ``kill -9``) instead of an anonymous ``/tmp/openpyxl.*`` file."""
    from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter

    out = f"{path}.{len(ALL_TEMP_FILES)}-{id(ws)}.sheet"
    open(out, "w").close()
    ALL_TEMP_FILES.append(out)
    ws._writer = WorksheetWriter(ws, out=out)
    if top:                   # else the caller writes the top (sheet view, columns) before the rows
        ws._writer.write_top()


def _cells(values: np.ndarray, integer: bool = False) -> list:
    out = values.tolist()
    if integer:
        return [None if x != x else int(x) for x in out]
    return [None if x != x else x for x in out]

def _chart_title(text: str, size_pt: float):
    """A chart title in a given font size (openpyxl's default, 18 pt, is too large here)."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun

    cp = CharacterProperties(sz=int(size_pt * 100), b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=cp), r=[RegularTextRun(rPr=cp, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


class _CellXml:
    """Rows of the Results sheet as sheet XML, as openpyxl's write-only mode writes them
    (openpyxl 3.1, ``cell/_writer.py``): ``<c r="B2" s="3" t="n"><v>...</v></c>`` with a
    number written ``"%.16g"``, an inline string for text (never a formula), an empty
    cell left out, one fixed style per column (``styles[j]``: an id of the workbook's cell
    styles, 0 = none), the columns from ``first_column`` on. openpyxl builds an element tree per cell (about 20 microseconds);
    this formats the text directly (below one).

    >>> x = _CellXml([0, 3])
    >>> x.rows([["A&B", " x"], [1.5, None]], 2).decode()
    '<row r="2"><c r="A2" t="inlineStr"><is><t>A&amp;B</t></is></c><c r="B2" s="3" t="n"><v>1.5</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c></row>'
    """

    def __init__(self, styles: list[int], first_column: int = 1):
        from openpyxl.utils import get_column_letter

        self.letters = [get_column_letter(first_column + j) for j in range(len(styles))]
        self.styles = [f' s="{sid}"' if sid else "" for sid in styles]

    def _column(self, j: int, values: list, rows: range) -> list[str]:
        letter, style = self.letters[j], self.styles[j]
        number = f'"{style} t="n"><v>'
        text = f'"{style} t="inlineStr"><is><t'
        out = []
        for r, v in zip(rows, values):
            if v is None:
                out.append("")
            elif isinstance(v, str):
                if v == "":
                    out.append(f'<c r="{letter}{r}"{style} t="inlineStr"/>')
                    continue
                body = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                stripped = v.strip()
                space = ' xml:space="preserve"' if stripped and stripped != v else ""
                out.append(f'<c r="{letter}{r}{text}{space}>{body}</t></is></c>')
            else:
                out.append(f'<c r="{letter}{r}{number}{"%.16g" % v}</v></c>')
        return out

    def rows(self, cols: list[list], first_row: int) -> bytes:
        """The ``<row>`` elements of ``cols`` (one list per column), the first numbered
        ``first_row``."""
        rows = range(first_row, first_row + (len(cols[0]) if cols else 0))
        cells = [self._column(j, c, rows) for j, c in enumerate(cols)]
        return "".join(f'<row r="{r}">{"".join(row)}</row>'
                       for r, row in zip(rows, zip(*cells))).encode("utf-8")


_SHEET_RELS = re.compile(r'<Relationship\b[^>]*>')


def _sheet_part(z, sheet: str) -> str:
    """The zip member holding worksheet ``sheet`` (through xl/workbook.xml and its rels)."""
    book = z.read("xl/workbook.xml").decode("utf-8")
    m = re.search(r'<sheet\b[^>]*\bname="' + re.escape(sheet) + r'"[^>]*\br:id="([^"]+)"', book)
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for rel in _SHEET_RELS.findall(rels):
        if m and re.search(r'\bId="' + re.escape(m.group(1)) + '"', rel):
            target = re.search(r'\bTarget="([^"]+)"', rel).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise RuntimeError(f"the saved workbook has no sheet {sheet!r}")


def _splice_rows(path: str | Path, rows_of: dict[str, str]) -> None:
    """Put the rows of ``rows_of[sheet]`` (a file of sheet XML) at the end of each sheet's
    data in the saved workbook ``path``: the workbook is copied member by member into
    ``path.splice``, those sheets streamed with the rows inserted before ``</sheetData>``
    (at zlib level 3: half the time of the default level 6, the file about a tenth larger),
    then moved onto ``path`` (both are temporaries of the same output)."""
    import shutil
    import zipfile

    spliced = f"{path}.splice"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(spliced, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as zout:
        parts = {_sheet_part(zin, sheet): rows_path for sheet, rows_path in rows_of.items()}
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info.filename, zin.read(info.filename))
                continue
            part, rows_path = info.filename, parts[info.filename]
            xml = zin.read(part)
            cut = xml.rfind(b"</sheetData>")
            if cut < 0:                               # an empty sheet: <sheetData/>
                cut = xml.find(b"<sheetData/>")
                xml = xml[:cut] + b"<sheetData></sheetData>" + xml[cut + len(b"<sheetData/>"):]
                cut = xml.rfind(b"</sheetData>")
            with zout.open(part, "w", force_zip64=True) as out:
                out.write(xml[:cut])
                with open(rows_path, "rb") as rows:
                    shutil.copyfileobj(rows, out, 1 << 20)
                out.write(xml[cut:])
    os.replace(spliced, path)
