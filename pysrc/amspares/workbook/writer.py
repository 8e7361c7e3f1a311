"""Write a filled scenario workbook to email (``amspares scenario -o OUT.xlsx``).

The file has no macros and no add-in functions: the model is in built-in formulas, every
formula cell carries its cached value (from the core, so Protected View, phones and
preview panes show numbers), and the workbook asks Excel to recalculate on open
(``fullCalcOnLoad``). :func:`save_workbook` is the one place that writes the file:
atomically (a temporary file in the target directory, then ``os.replace``); an existing
file is only replaced with ``force=True``.

``python -m amspares.workbook`` (:func:`main`) regenerates ``templates/scenario.xlsx``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping

from amspares.errors import AmsparesError, OutputExistsError
from amspares.scenario import Scenario, load_scenario
from amspares.workbook.cached import inject_cached_values
from amspares.workbook.situations import add_situation_sheets
from amspares.workbook.template import build_template, default_path


def _file_mode(path: Path) -> int:
    """The mode an ordinary new file gets (umask applied), or the replaced file's mode."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _check_target(path, force: bool) -> Path:
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(f"{path} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise AmsparesError(f"output directory {path.parent} does not exist")
    return path


def save_workbook(wb, cache: Mapping[str, Mapping[str, Any]], path, force: bool = False) -> Path:
    """Save the openpyxl workbook ``wb`` to ``path`` with the cached values ``cache``.

    ``cache`` is {sheet title: {cell: value}} (see
    :func:`amspares.workbook.cached.inject_cached_values`). Atomic: nothing is left behind
    on failure, and an existing ``path`` is kept unless ``force``.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is false.
    AmsparesError
        The directory does not exist or cannot be written.
    """
    path = _check_target(path, force)
    tmp_plain = tmp_final = None
    try:
        fd, tmp_plain = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.xlsx", dir=path.parent)
        os.close(fd)
        wb.save(tmp_plain)
        fd, tmp_final = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.xlsx", dir=path.parent)
        os.close(fd)
        inject_cached_values(tmp_plain, tmp_final, cache)
        os.chmod(tmp_final, _file_mode(path))   # mkstemp makes 0600; a shared file must not be
        os.replace(tmp_final, path)
        tmp_final = None
    except PermissionError as exc:
        raise AmsparesError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        for t in (tmp_plain, tmp_final):
            if t and os.path.exists(t):
                os.unlink(t)
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
    AmsparesError
        The directory does not exist or cannot be written.
    """
    path = _check_target(path, force)          # before the seconds of building
    wb, cache = build_template(scenario)
    if study_json:
        add_situation_sheets(wb, study_json)
    wb.calculation.fullCalcOnLoad = True
    return save_workbook(wb, cache, path, force=force)


def main(argv=None) -> int:
    """``python -m amspares.workbook``: regenerate ``templates/scenario.xlsx`` (the case study)."""
    parser = argparse.ArgumentParser(prog="python -m amspares.workbook",
                                     description="Regenerate templates/scenario.xlsx (the case study).")
    parser.add_argument("-o", "--output", type=Path, default=default_path())
    args = parser.parse_args(argv)
    write_scenario_workbook(load_scenario(), None, args.output, force=True)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
