"""The ribbon button "Run scenario": a thin xlwings adapter over :mod:`amspares.workbook.fill`.

``amspares.main()`` (called by the add-in through xlwings' RunPython) calls
:func:`run_scenario`:

* the active workbook has amspares' Inputs sheet: read its inputs, validate them like a
  scenario file, evaluate, and write amspares' results into the result names only
  (``py_*``, ``sq_*``, ``amspares_status``); a bad input is shown in a message box and in
  the status cell, and nothing else is written. Sheets and cells a user added are never
  touched: every write goes through a defined name amspares created.
* any other workbook: write the template filled with the case study to a temporary file
  and open it as a new workbook.

Excel's status bar shows progress. Everything except the few xlwings calls in
:class:`XlwingsBackend` and :func:`run_scenario` is the backend-agnostic
:func:`amspares.workbook.fill.run_scenario_on`, tested without Excel.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from amspares.workbook import fill
from amspares.workbook.cells import excel_text

TITLE = "amspares: Run scenario"


class XlwingsBackend:
    """Read and write an xlwings Book through its defined names."""

    def __init__(self, book):
        self.book = book

    def _range(self, name: str):
        return self.book.names[name].refers_to_range

    def has(self, name: str) -> bool:
        try:
            self._range(name)
        except Exception:  # xlwings raises KeyError or a COM error for an unknown name
            return False
        return True

    def read(self, name: str):
        value = self._range(name).options(ndim=2).value
        if len(value) == 1 and len(value[0]) == 1:
            return value[0][0]
        return value

    def write(self, name: str, value) -> None:
        self._range(name).value = excel_text(value)     # text Excel would read as a formula stays text


def _is_scenario_workbook(book) -> bool:
    names = [s.name for s in book.sheets]
    return fill.INPUTS_SHEET in names and XlwingsBackend(book).has("inputs_table")


def new_workbook_path() -> Path:
    """Where a fresh case-study workbook is written before Excel opens it."""
    return Path(tempfile.mkdtemp(prefix="amspares-")) / "amspares scenario.xlsx"


def run_scenario(book=None) -> None:
    """The "Run scenario" button (see the module docstring). ``book``: for tests."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    app = book.app

    def progress(message: str) -> None:
        app.status_bar = message

    try:
        if _is_scenario_workbook(book):
            error = fill.run_scenario_on(XlwingsBackend(book), progress)
            if error is not None:
                app.alert(str(error), title=TITLE)
        else:
            from amspares.scenario import load_scenario
            from amspares.workbook.writer import write_scenario_workbook

            progress("amspares: writing a new scenario workbook (the thesis case study) ...")
            path = write_scenario_workbook(load_scenario(), None, new_workbook_path())
            progress("amspares: opening it ...")
            app.books.open(str(path))
    except Exception as exc:  # never a traceback in Excel: one line in a message box
        app.alert(f"amspares could not run the scenario: {type(exc).__name__}: {exc}", title=TITLE)
    finally:
        app.status_bar = False
