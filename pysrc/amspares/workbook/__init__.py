"""The scenario workbook: template generator, fill logic, cached values, file writer.

* :func:`build_template` -- the workbook structure (Inputs, Transport legs, Factors, the
  model in live formulas, Results) for a scenario, as an openpyxl Workbook;
* :func:`write_scenario_workbook` -- the filled copy to email (``amspares scenario -o``);
* :mod:`amspares.workbook.fill` -- which values go into which named cells, shared by the
  writer and the ribbon button "Run scenario" (:mod:`amspares.excel.ribbon`).

The two functions are imported lazily, so ``python -m amspares.workbook.template`` runs
its module once.
"""

__all__ = ["build_template", "write_scenario_workbook"]


def __getattr__(name):
    if name == "build_template":
        from amspares.workbook.template import build_template

        return build_template
    if name == "write_scenario_workbook":
        from amspares.workbook.writer import write_scenario_workbook

        return write_scenario_workbook
    raise AttributeError(f"module 'amspares.workbook' has no attribute {name!r}")
