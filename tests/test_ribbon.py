"""The "Run scenario" button without Excel: a fake xlwings Book that records every write.

The fake is loaded from the committed template (cells and defined names), so the names the
ribbon uses are the real ones. Expected numbers: the reference values of docs/model.md section 8,
or hand calculations written out in the comments.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries, get_column_letter

from amspares.excel import ribbon
from amspares.workbook import fill

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "scenario.xlsx"


class FakeApp:
    def __init__(self):
        self.status_history = []
        self.alerts = []
        self.opened = []
        self.books = self

    @property
    def status_bar(self):
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value):
        self.status_history.append(value)

    def alert(self, prompt, title=None, **kw):
        self.alerts.append((title, prompt))

    def open(self, path):                      # app.books.open(path)
        self.opened.append(path)


class FakeRange:
    def __init__(self, book, sheet, ref):
        self.book, self.sheet, self.ref = book, sheet, ref.replace("$", "")
        c1, r1, c2, r2 = range_boundaries(self.ref)
        self.coords = [[f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        self.ndim = None

    def options(self, ndim=None):
        r = FakeRange(self.book, self.sheet, self.ref)
        r.ndim = ndim
        return r

    @property
    def value(self):
        cells = self.book.cells[self.sheet]
        grid = [[cells.get(c) for c in row] for row in self.coords]
        if self.ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1 or len(grid[0]) == 1:          # xlwings: 1-D for a row or a column
            return [v for row in grid for v in row]
        return grid

    @value.setter
    def value(self, v):
        grid = v if isinstance(v, list) else [[v]]
        assert len(grid) == len(self.coords), (self.ref, "rows")
        for vrow, crow in zip(grid, self.coords):
            assert len(vrow) == len(crow), (self.ref, "columns")
            for x, c in zip(vrow, crow):
                self.book.cells[self.sheet][c] = x
                self.book.writes.append((self.sheet, c, x))


class FakeName:
    def __init__(self, book, sheet, ref):
        self.refers_to_range = FakeRange(book, sheet, ref)


class FakeSheet:
    def __init__(self, name):
        self.name = name


class FakeBook:
    """Just what the ribbon uses of an xlwings Book: sheets, names[...], app."""

    def __init__(self, cells: dict, names: dict):
        self.cells = cells                       # sheet -> {coord: value}
        self._names = names                      # name -> (sheet, ref)
        self.app = FakeApp()
        self.writes = []

    @property
    def sheets(self):
        return [FakeSheet(n) for n in self.cells]

    @property
    def names(self):
        book = self

        class Names:
            def __getitem__(self, name):
                sheet, ref = book._names[name]
                return FakeName(book, sheet, ref)
        return Names()

    @classmethod
    def from_xlsx(cls, path):
        wb = openpyxl.load_workbook(path)            # formulas as text, like Excel's .formula
        data = openpyxl.load_workbook(path, data_only=True)
        cells = {}
        for ws in data.worksheets:
            cells[ws.title] = {c.coordinate: c.value for row in ws.iter_rows() for c in row
                               if c.value is not None}
        names = {}
        for name, dn in wb.defined_names.items():
            (sheet, ref), = list(dn.destinations)
            names[name] = (sheet, ref)
        return cls(cells, names)

    def set(self, name, value):
        sheet, ref = self._names[name]
        self.cells[sheet][ref.replace("$", "")] = value

    def get(self, name):
        sheet, ref = self._names[name]
        return FakeRange(self, sheet, ref).value

    def owned_cells(self, names):
        out = set()
        for n in names:
            sheet, ref = self._names[n]
            for row in FakeRange(self, sheet, ref).coords:
                out.update((sheet, c) for c in row)
        return out


RESULT_NAMES = None


def result_names(book):
    return [n for n in book._names if n.startswith(("py_", "sq_")) or n == fill.STATUS]


@pytest.fixture
def book():
    b = FakeBook.from_xlsx(TEMPLATE)
    # what a user adds: a sheet of notes, and cells next to amspares' tables
    b.cells["My notes"] = {"A1": "supplier quotes", "B2": 42.0}
    b.cells["Inputs"]["H10"] = "my remark"
    b.cells["Results"]["Z40"] = 7.5
    b.cells["Model regular"]["Q5"] = "=1+1"
    return b


def snapshot(book):
    return {s: dict(c) for s, c in book.cells.items()}


def assert_only_result_cells_written(book, before):
    allowed = book.owned_cells(result_names(book))
    for sheet, coord, _v in book.writes:
        assert (sheet, coord) in allowed, f"wrote {sheet}!{coord}, not an amspares result cell"
    for sheet, cells in before.items():
        for coord, value in cells.items():
            if (sheet, coord) not in allowed:
                assert book.cells[sheet].get(coord) == value, f"{sheet}!{coord} changed"


def py_value(book, method, label):
    column = book.get(f"py_{method}")
    labels = [row[0] for row in fill.RESULT_ROWS]
    return column[labels.index(label)]


def test_run_scenario_writes_results_only_and_matches_reference(book):
    book.set("downtime_emergency_per_day", 0.0)        # an edit, as a planner would type it
    before = snapshot(book)
    ribbon.run_scenario(book)
    assert book.app.alerts == []
    assert str(book.get(fill.STATUS)).startswith("OK")
    assert_only_result_cells_written(book, before)
    assert book.writes, "nothing was written"
    # Hand calculation, ce = 0 and cd = 0: downtime costs nothing, so S* = 0 (any stock
    # only adds holding, scrapping and transport). TC = n cp + n cp Tr_in + n Tr_out
    # = 60*15 + 60*15*0.08 + 60*10 = 900 + 72 + 600 = 1572.
    assert py_value(book, "regular", "base stock S") == 0
    assert math.isclose(py_value(book, "regular", "total cost TC"), 1572.0, rel_tol=1e-12)
    # AM MTO: n (cp + Tr_out) = 60 * (175 + 5) = 10800 (docs/model.md section 8), unchanged by ce
    assert math.isclose(py_value(book, "am_mto", "total cost TC"), 10800.0, rel_tol=1e-12)
    assert book.get("py_cheapest") == "regular"
    assert book.get("py_accepted_q") == 85                # docs/model.md section 8


def test_run_scenario_case_study_reference_values(book):
    ribbon.run_scenario(book)
    # docs/model.md section 8: regular S* = 5, TC = 1735.71 (downtime 15.21, holding 67.5, ...)
    assert py_value(book, "regular", "base stock S") == 5
    assert round(py_value(book, "regular", "total cost TC"), 2) == 1735.71
    assert round(py_value(book, "regular", "  downtime CD"), 2) == 15.21
    assert py_value(book, "regular", "  holding CH") == 67.5
    assert py_value(book, "regular", "  scrapping CR") == 75.0
    assert py_value(book, "regular", "  transport CTr") == 678.0


def test_status_bar_shows_progress_and_is_reset(book):
    ribbon.run_scenario(book)
    history = book.app.status_history
    assert any("computing" in str(m) for m in history)
    assert history[-1] is False                           # Excel's own status bar again


def test_bad_input_is_reported_and_nothing_else_changes(book):
    book.set("demand_rate_per_year", -1.0)
    before = snapshot(book)
    ribbon.run_scenario(book)
    assert len(book.app.alerts) == 1
    message = book.app.alerts[0][1]
    assert "demand.rate_per_year" in message and "-1" in message and ">= 0" in message
    assert "Traceback" not in message
    status = book.get(fill.STATUS)
    assert status.startswith("Error: demand.rate_per_year")
    assert book.writes == [("Inputs", book._names[fill.STATUS][1].replace("$", ""), status)]
    assert_only_result_cells_written(book, before)


def test_bad_choice_and_bad_leg_are_named(book):
    book.set("model_waiting_time", "erlang")
    ribbon.run_scenario(book)
    assert "model.waiting_time" in book.app.alerts[-1][1]
    assert "erlang_c" in book.app.alerts[-1][1]            # the rule lists the choices
    book.set("model_waiting_time", "erlang_c")
    sheet, ref = book._names["transport_legs"]
    first = ref.replace("$", "").split(":")[0]              # A2: first leg row
    book.cells[sheet][first.replace("A", "C", 1)] = "rocket"  # mode of the first leg
    ribbon.run_scenario(book)
    assert "rocket" in book.app.alerts[-1][1] and "transport" in book.app.alerts[-1][1]


def test_changing_kind_needs_a_new_workbook(book):
    book.set("methods_am_mts_kind", "order")
    ribbon.run_scenario(book)
    message = book.app.alerts[-1][1]
    assert "methods.am_mts" in message


def test_moq_fills_the_sq_block(book):
    book.set("methods_regular_moq", 100.0)     # > n = 60: one order (docs/model.md section 3.2)
    before = snapshot(book)
    ribbon.run_scenario(book)
    assert book.app.alerts == []
    assert_only_result_cells_written(book, before)
    sq = book.get("sq_regular")                 # a column: 1-D, as xlwings returns it
    labels = [p for _l, p in fill.SQ_ROWS]
    # one order of 100: billed 100, shipped min(100, accepted_q = 85) = 85 (docs/model.md section 3.2, section 8)
    assert sq[labels.index("Q")] == 100
    assert sq[labels.index("units.produced")] == 100
    assert sq[labels.index("units.shipped_to_warehouse")] == 85
    # CP = billed * cp = 100 * 15 = 1500 (Eq. 18)
    assert sq[labels.index("cost.production")] == 1500.0
    assert py_value(book, "regular", "policy") == "one_order"


def test_sq_python_column_sits_beside_the_live_cells_of_the_same_quantities(book):
    # fill.SQ_ROWS says which quantity each written row is; the template's label of the
    # live cell on that row (column A) must name the same quantity
    words = {"s": "reorder point", "Q": "order quantity", "units.produced": "units produced",
             "units.shipped_to_warehouse": "units shipped", "cost.downtime": "CD", "cost.holding": "CH",
             "cost.production": "CP", "cost.scrapping": "CR", "cost.transport": "CTr",
             "cost.investment": "I investment", "cost.benefit": "B benefit", "total_cost": "TC total"}
    for method in ("regular", "am_mts"):
        sheet, ref = book._names[f"sq_{method}"]
        coords = [row[0] for row in FakeRange(book, sheet, ref).coords]
        assert all(c.startswith("C") for c in coords)                       # beside the live column B
        for (_label, path), coord in zip(fill.SQ_ROWS, coords):
            label = book.cells[sheet]["A" + coord[1:]]
            assert label.startswith(words[path]), (coord, label, path)


def test_other_workbook_opens_a_new_case_study_workbook():
    b = FakeBook({"Sheet1": {"A1": 1.0}}, {})
    ribbon.run_scenario(b)
    assert b.writes == [] and b.app.alerts == []
    (path,) = b.app.opened
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames[:3] == ["Summary", "Inputs", "Results"]     # the decision first (issue 12)
    (sheet, ref), = list(wb.defined_names["result_regular_total_cost"].destinations)
    assert round(wb[sheet][ref.replace("$", "")].value, 2) == 1735.71      # docs/model.md section 8
