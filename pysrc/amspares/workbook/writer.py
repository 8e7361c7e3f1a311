"""Write a filled scenario workbook to email (``amspares scenario -o OUT.xlsx``).

The file has no macros and no add-in functions: the model is in built-in formulas, every
formula cell carries its cached value (from the core, so Protected View, phones and
preview panes show numbers), and the workbook asks Excel to recalculate on open
(``fullCalcOnLoad``). :func:`save_workbook` is the one place that writes the file, through
:func:`amspares.fileio.atomic_output` (a temporary file in the target folder, moved into
place when complete); an existing file is only replaced with ``force=True``.

``python -m amspares.workbook`` (:func:`main`) regenerates ``templates/scenario.xlsx``.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any, Mapping

from amspares.fileio import atomic_output, check_writable
from amspares.scenario import Scenario, load_scenario
from amspares.workbook.cached import inject_cached_values
from amspares.workbook.situations import add_situation_sheets
from amspares.workbook.template import build_template, default_path


def save_workbook(wb, cache: Mapping[str, Mapping[str, Any]], path, force: bool = False) -> Path:
    """Save the openpyxl workbook ``wb`` to ``path`` with the cached values ``cache``.

    ``cache`` is {sheet title: {cell: value}} (see
    :func:`amspares.workbook.cached.inject_cached_values`). Atomic: nothing is left behind
    on failure, and an existing ``path`` is kept unless ``force``.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is false.
    OutputError
        The folder does not exist or cannot be written.
    """
    path = check_writable(path, force)
    plain = io.BytesIO()
    wb.save(plain)
    with atomic_output(path, force) as tmp:    # amspares.fileio: the one atomic writer
        inject_cached_values(plain, tmp, cache)
    return path


def write_scenario_workbook(scenario: Scenario, study_json, path, force: bool = False) -> Path:
    """Write the scenario workbook for ``scenario`` to ``path``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its methods decide the model sheets).
    study_json : dict or None
        The case-study object ``{"base", "breakeven", "sweeps"}`` of ``amspares scenario
        --json``; when given, the SITUATION sheets are added. ``None``: the model workbook
        only (the template).
    path : str or Path
        The ``.xlsx`` to write.
    force : bool
        Replace an existing file.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is false.
    OutputError
        The folder does not exist or cannot be written.
    """
    path = check_writable(path, force)         # before the seconds of building
    wb, cache = build_template(scenario)
    if getattr(scenario, "history", None) is not None:     # the rate came from history
        from amspares.workbook.demand_sheet import add_demand_sheet

        add_demand_sheet(wb, cache, scenario)
    if study_json:
        add_situation_sheets(wb, study_json)
    wb.calculation.fullCalcOnLoad = True
    return save_workbook(wb, cache, path, force=force)


def main(argv=None) -> int:
    """``python -m amspares.workbook``: regenerate ``templates/scenario.xlsx`` (the case study)."""
    parser = argparse.ArgumentParser(prog="python -m amspares.workbook",
                                     description="Regenerate templates/scenario.xlsx (the case study); "
                                                 "outside a source checkout, write scenario.xlsx here.")
    parser.add_argument("-o", "--output", type=Path, default=default_path())
    args = parser.parse_args(argv)
    write_scenario_workbook(load_scenario(), None, args.output, force=True)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
