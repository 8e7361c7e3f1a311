"""Write a filled scenario workbook to email (``amspares scenario -o OUT.xlsx``).

The file has no macros and no add-in functions: the model is in built-in formulas, every
formula cell carries its cached value (from the core, so Protected View, phones and
preview panes show numbers), and the workbook asks Excel to recalculate on open
(``fullCalcOnLoad``). Written by :func:`amspares.fileio.atomic_output`: a temporary file in
the target folder, moved into place when complete; an existing file is only replaced with
``force=True``.
"""

from __future__ import annotations

import io
from pathlib import Path

from amspares.fileio import atomic_output, check_writable
from amspares.scenario import Scenario
from amspares.workbook.cached import inject_cached_values
from amspares.workbook.template import build_template


def add_situations(wb, study_json) -> bool:
    """Add the SITUATION sheets (tables, charts) if that module is available."""
    if not study_json:
        return False
    try:
        from amspares.workbook.situations import add_situation_sheets
    except ImportError:
        return False
    add_situation_sheets(wb, study_json)
    return True


def write_scenario_workbook(scenario: Scenario, study_json, path, force: bool = False) -> Path:
    """Write the scenario workbook for ``scenario`` to ``path``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (its methods decide the model sheets).
    study_json : dict or None
        The case-study object ``{"base", "breakeven", "sweeps"}`` of ``amspares scenario
        --json``; when given (and :mod:`amspares.workbook.situations` exists) the
        SITUATION sheets are added. ``None``: the model workbook only (the template).
    path : str or Path
        The ``.xlsx`` to write.
    force : bool
        Replace an existing file.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is false.
    OutputError
        The folder does not exist or cannot be written (:func:`amspares.fileio.check_writable`).
    """
    path = check_writable(path, force)     # before the seconds of building the workbook
    wb, cache = build_template(scenario)
    add_situations(wb, study_json)
    wb.calculation.fullCalcOnLoad = True
    plain = io.BytesIO()
    wb.save(plain)
    with atomic_output(path, force) as tmp:    # amspares.fileio: the one atomic writer
        inject_cached_values(plain, tmp, cache)
    return path
