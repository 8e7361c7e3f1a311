"""Portfolio xlsx: reading a catalogue sheet, and writing a Results sheet (streamed with
openpyxl's write-only mode) with a Summary sheet and a chart."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from amspares.portfolio.chunks import ChunkResult, Source, _open_input
from amspares.portfolio.columns import INTEGER_FIELDS, PortfolioInputError, _cell_text
from amspares.portfolio.summary import Summary

XLSX_MAX_ROWS = 1_048_576        # Excel's sheet limit, header included
CHART_MAX_POINTS = 10_000        # the xlsx scatter chart plots the first SKUs only


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
    from openpyxl import load_workbook

    _open_input(path).close()
    _check_archive(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        wf = load_workbook(path, read_only=True, data_only=False)
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
            top = list(sheet.iter_rows(min_row=1, max_row=header_row or HEADER_SEARCH_ROWS, values_only=True))
            for r, rec in enumerate(top, start=1):
                if header_row is not None and r != header_row:
                    continue
                if any(isinstance(v, str) and v.strip() in names for v in rec or ()):
                    ws, h, found = sheet, r, True
                    break
            if found:
                break
        fs = wf[ws.title]
        rows_iter = ws.iter_rows(min_row=h, values_only=True)
        formulas = fs.iter_rows(min_row=h, values_only=True)
        header = list(next(rows_iter, ()) or ())
        next(formulas, None)
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
        row_no = h
        rows: list = []
        numbers: list = []
        problems: dict = {}
        try:
            for rec, frec in zip(rows_iter, formulas):
                row_no += 1
                seen[0] += 1
                rec = list(rec[:width]) + [None] * (width - len(rec))
                frec = list(frec[:width]) + [None] * (width - len(frec))
                if all(v is None for v in rec) and all(v is None for v in frec):   # empty row
                    continue
                bad = [f"row {row_no}, {head_text[j]} = {_clip(frec[j])}: a formula with no saved "
                       f"value (open and save the file in Excel, or type the value)"
                       for j in range(width)
                       if rec[j] is None and isinstance(frec[j], str) and frec[j].startswith("=")]
                if bad:
                    problems[len(rows)] = bad
                rows.append([_cell_text(v) for v in rec])
                numbers.append(row_no)
                if len(rows) >= chunk_rows:
                    yield numbers, [list(c) for c in zip(*rows)], problems
                    rows, numbers, problems = [], [], {}
        except PortfolioInputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet part: one clear line
            raise _unreadable(path, f"near row {row_no + 1}: {_why(exc)}") from None
        if rows:
            yield numbers, [list(c) for c in zip(*rows)], problems

    def close():
        wb.close()
        wf.close()

    return Source(head_text, chunks(), lambda: min(seen[0] / total, 1.0), close, header_row=h,
                  decimal=decimal or ".")


def _clip(v, n: int = 60) -> str:
    t = str(v).replace("\n", " ").replace("\r", " ")
    return t if len(t) <= n else t[:n] + "..."


def _why(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ").strip() or type(exc).__name__
    return _clip(f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text, 160)


_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


class XlsxWriter:
    """Results sheet streamed with openpyxl's write-only mode, plus a Summary sheet and chart."""

    def __init__(self, path: Path, header: list[str], methods: list[str]):
        from openpyxl import Workbook

        self.path = path
        self.header = header
        self.methods = methods
        self.wb = Workbook(write_only=True)
        self.summary_ws = self.wb.create_sheet("Summary")
        self.ws = self.wb.create_sheet("Results")
        for ws in (self.summary_ws, self.ws):     # openpyxl's temporaries beside the output
            _stream_beside(ws, path)
        self.ws.append(header)
        self.rows = 1
        self.saving_col = header.index("saving") + 1
        self.rate_col = header.index("demand.rate_per_year") + 1

    def _text(self, value: str):
        from openpyxl.cell import WriteOnlyCell

        if not value:
            return None
        cell = WriteOnlyCell(self.ws, value=_ILLEGAL.sub("\ufffd", value))
        cell.data_type = "s"          # text, never a formula, whatever its first character
        return cell

    def write(self, res: ChunkResult) -> None:
        size = len(res.sku)
        if self.rows + size > XLSX_MAX_ROWS:
            raise PortfolioInputError(f"an xlsx sheet holds at most {XLSX_MAX_ROWS - 1:,} SKUs; "
                                      f"write CSV for larger catalogues")
        carried = list((res.carried or {}).values())
        cols: list[list] = [[self._text(s) for s in res.sku]]
        cols += [[self._text(t) for t in c] for c in carried]
        cols.append(_cells(res.rate))
        for name in self.header[2 + len(carried):-5]:
            cols.append(_cells(res.columns[name], integer=name.rsplit(".", 1)[1] in INTEGER_FIELDS))
        for idx in (res.cheapest, res.lowest_impact, res.lowest_impact_co2e):
            cols.append([self.methods[i] if i >= 0 else None for i in idx.tolist()])
        cols.append(_cells(res.saving))
        cols.append([self._text(e) for e in res.errors])
        for row in zip(*cols):
            self.ws.append(row)
        self.rows += size

    def finish(self, summary: Summary, meta: dict) -> None:
        from openpyxl.chart import Reference, ScatterChart, Series

        ws = self.summary_ws
        for letter, width in zip("ABCDEFGHI", (40, 14, 16, 18, 22, 24, 18, 20, 20)):
            ws.column_dimensions[letter].width = width
        ws.append([self._summary_text("amspares portfolio")])
        for k, v in meta.items():
            ws.append([self._summary_text(k), self._summary_text(str(v))])
        ws.append(["SKUs evaluated", summary.evaluated])
        ws.append(["SKUs failed (see the error column)", summary.failed])
        ws.append([])
        ws.append(Summary.HEADER)
        for row in summary.rows():
            ws.append(row)
        ws.append([])
        ws.append(["Cheapest method per SKU: total cost (EUR)", float(summary.cheapest_cost.sum())])
        ws.append(["Saving over each SKU's runner-up (EUR)", float(summary.cheapest_saving.sum())])
        summary_rows = 8 + len(meta) + len(self.methods)
        last = min(self.rows, CHART_MAX_POINTS + 1)
        if last >= 2:
            chart = ScatterChart()
            title = "Saving of the cheapest method vs demand"
            if self.rows > last:
                title += f" (first {last - 1:,} SKUs)"
            chart.title = title
            chart.style = 13
            chart.x_axis.title = "demand rate (parts/year)"
            chart.y_axis.title = "saving over the runner-up (EUR)"
            chart.legend = None
            xs = Reference(self.ws, min_col=self.rate_col, min_row=2, max_row=last)
            ys = Reference(self.ws, min_col=self.saving_col, min_row=2, max_row=last)
            series = Series(ys, xs, title="SKUs")
            series.marker.symbol = "circle"
            series.marker.size = 5
            series.marker.graphicalProperties.solidFill = "1F77B4"
            series.marker.graphicalProperties.line.solidFill = "1F77B4"
            series.graphicalProperties.line.noFill = True
            chart.series.append(series)
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            chart.width, chart.height = 18, 10
            ws.add_chart(chart, f"A{summary_rows + 2}")        # under the table
        self.wb.save(self.path)

    def _summary_text(self, value: str):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.summary_ws, value=_ILLEGAL.sub("\ufffd", value))
        cell.data_type = "s"
        return cell

    def abort(self) -> None:
        """Close the streamed sheets and remove openpyxl's temporary files (no
        "Exception ignored" message when the generators are collected)."""
        from openpyxl.worksheet._writer import ALL_TEMP_FILES

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


def _stream_beside(ws, path: Path) -> None:
    """Make openpyxl stream the write-only sheet ``ws`` into a temporary file beside
    ``path`` (named after it, so that :func:`amspares.fileio.remove_stale_temporaries`
    removes it after a ``kill -9``) instead of an anonymous ``/tmp/openpyxl.*`` file."""
    from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter

    out = f"{path}.{len(ALL_TEMP_FILES)}-{id(ws)}.sheet"
    open(out, "w").close()
    ALL_TEMP_FILES.append(out)
    ws._writer = WorksheetWriter(ws, out=out)
    ws._writer.write_top()


def _cells(values: np.ndarray, integer: bool = False) -> list:
    out = values.tolist()
    if integer:
        return [None if x != x else int(x) for x in out]
    return [None if x != x else x for x in out]


