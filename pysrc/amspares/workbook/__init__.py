"""The scenario workbook: template generator, fill logic, cached values, file writer.

* :func:`build_template` (:mod:`amspares.workbook.template`) -- the workbook structure
  (Inputs, Transport legs, Factors, the model in live formulas, Results) for a scenario, as
  an openpyxl Workbook, with the value every formula evaluates to
  (:mod:`amspares.workbook.cached`);
* :func:`write_scenario_workbook` (:mod:`amspares.workbook.writer`) -- the filled copy to
  email (``amspares scenario -o``), with the situation sheets
  (:mod:`amspares.workbook.situations`);
* :mod:`amspares.workbook.fill` -- which values go into which named cells, shared by the
  writer and the ribbon button "Run scenario" (:mod:`amspares.excel.ribbon`).

Imports go one way: writer -> template, situations -> cached -> core; fill is used by
template and the ribbon. ``python -m amspares.workbook`` regenerates the shipped template.
"""

from amspares.workbook.template import build_template
from amspares.workbook.writer import write_scenario_workbook

__all__ = ["build_template", "write_scenario_workbook"]
