"""Portfolio: print or stock, for every SKU of a catalogue (``amspares portfolio``).

The package: :mod:`~amspares.portfolio.columns` (header, cell checks, result columns),
:mod:`~amspares.portfolio.chunks` (validate and evaluate a block of rows),
:mod:`~amspares.portfolio.summary` (totals by decision), :mod:`~amspares.portfolio.csv` and
:mod:`~amspares.portfolio.xlsx` (reading and writing); this module runs them
(:func:`run_portfolio`).

A catalogue is a CSV or xlsx table with one row per SKU: a ``sku`` column plus any of the
base scenario's numeric model inputs in dotted form (``demand.rate_per_year``,
``methods.regular.price``, ``methods.regular.moq``, ``part.weight_kg``, ...), and the choice
keys ``model.waiting_time`` / ``model.production_rule``. A cell overrides the base scenario
(default: the thesis case study) for that SKU; an empty cell keeps the base value.

The file is read in chunks (:data:`CHUNK_ROWS` rows); each chunk is validated with numpy
(the rules and words of :mod:`amspares.rules`, as for a scenario file) and evaluated through :func:`amspares.core.evaluate.evaluate_inputs`
(arrays for the overridden keys, the base scenario's scalars for the rest; one call per
waiting-time model / production rule present in the chunk). Results are streamed to the
output, so memory stays bounded whatever the size of the catalogue. This module does no
model arithmetic: every cost, impact, policy and saving over the runner-up comes from
``evaluate_inputs``; it only adds up totals for the summary (:class:`Summary`).

Row numbers are spreadsheet row numbers: the header is row 1, the first SKU row 2.
"""

from __future__ import annotations

import collections
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from amspares.fileio import atomic_output, check_writable
from amspares.portfolio.chunks import ChunkResult, Source, evaluate_chunk
from amspares.portfolio.columnmap import ColumnMap, ColumnMapError, load_map, suggest_map
from amspares.portfolio.columns import (CHOICE_KEYS, IMPACT_COMPONENTS, INTEGER_FIELDS, Column,
                                        PortfolioInputError, check_choices, check_numbers,
                                        inherited_keys, method_columns, output_header, plan_columns)
from amspares.portfolio.csv import (FORMULA_TRIGGERS, SIGNIFICANT_DIGITS, CsvWriter, _SplitLater,
                                    csv_chunk_buffer, csv_chunk_bytes, escape_text, format_numbers,
                                    read_csv)
from amspares.portfolio.skus import SkuIndex, SkuKeys, sku_keys
from amspares.portfolio.summary import Summary
from amspares.portfolio.xlsx import CHART_MAX_POINTS, XLSX_MAX_ROWS, XlsxWriter, read_xlsx
from amspares.scenario import Scenario

__all__ = ["CHUNK_ROWS", "MAX_REPORTED", "CHOICE_KEYS", "IMPACT_COMPONENTS", "INTEGER_FIELDS",
           "FORMULA_TRIGGERS", "SIGNIFICANT_DIGITS", "CHART_MAX_POINTS", "XLSX_MAX_ROWS",
           "Column", "ChunkResult", "CsvWriter", "PortfolioInputError", "Report", "Source",
           "Summary", "XlsxWriter", "check_choices", "check_numbers", "csv_chunk_bytes",
           "default_jobs", "escape_text", "evaluate_chunk", "format_numbers", "method_columns",
           "output_header", "plan_columns", "read_csv", "read_xlsx", "run_portfolio",
           "ColumnMap", "ColumnMapError", "load_map", "suggest_map", "read_header"]

CHUNK_ROWS = 100_000
MAX_REPORTED = 50                # problems echoed on stderr; all are in the error column


# --------------------------------------------------------------------------- driver


@dataclass
class Report:
    """What a run did: the summary, the row problems (first :data:`MAX_REPORTED`), timing."""

    summary: Summary
    problems: list = field(default_factory=list)
    problem_count: int = 0
    unknown_columns: list = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    warnings: list = field(default_factory=list)     # duplicate SKUs (both evaluated), ...
    warning_count: int = 0
    carried: list = field(default_factory=list)      # headers carried through as text
    inherited: dict = field(default_factory=dict)    # key -> base value no column gives
    base: str = ""                                   # the base scenario: name (file)
    decimal: str = "."
    delimiter: str = ","
    header_row: int = 1


def _format_of(path: Path, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise PortfolioInputError(f"{what} {str(path)!r}: use a .csv or .xlsx file")


@dataclass
class _Done:
    """One processed chunk: what the writer needs, the summary part, the problems."""

    payload: Any                # CSV bytes, or the ChunkResult for the xlsx writer
    summary: Summary
    errors: list
    rows: int
    sku: SkuKeys = None         # the SKUs' bytes and hashes, for the repeated-SKU check
    row_numbers: Any = None


_STATE: dict = {}               # set before a worker pool forks (scenarios do not pickle)


def _process(row_numbers, by_column, read_problems) -> _Done:
    scenario, plan, header, out_fmt, advice, breakdown, negotiate, decimal, history, level = (
        _STATE[k] for k in ("scenario", "plan", "header", "out_fmt", "advice", "breakdown",
                            "negotiate", "decimal", "history", "level"))
    methods = list(scenario.methods)
    if isinstance(by_column, _SplitLater):
        by_column = by_column.columns()
    res = evaluate_chunk(scenario, plan, by_column, row_numbers, read_problems, advice=advice,
                         breakdown=breakdown, negotiate=negotiate, decimal=decimal,
                         history=history, level=level)
    part = Summary(methods, has_impact=scenario.has_part)
    part.add(res)
    skus = sku_keys(res.sku)
    payload = csv_chunk_buffer(res, methods, header) if out_fmt == "csv" else res
    failed = np.flatnonzero(~res.ok).tolist()           # the rows with an error
    return _Done(payload, part, [e for e in map(res.errors.__getitem__, failed) if e], len(res.sku),
                 skus, row_numbers)


def _results(chunks, jobs: int) -> Iterator[_Done]:
    """Process chunks in order: here, or in ``jobs`` forked processes (CSV output only)."""
    if jobs <= 1:
        for chunk in chunks:
            yield _process(*chunk)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from amspares.portfolio.csv import prepare_writer

    prepare_writer()                 # the workers inherit the tables

    pending: collections.deque = collections.deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            for chunk in chunks:
                pending.append(pool.submit(_process, *chunk))
                if len(pending) > jobs:          # bounded: at most jobs + 1 chunks in flight
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            # Ctrl-C, SIGTERM or an error: stop now, not after the chunks in flight
            for f in pending:
                f.cancel()
            raise


def _noting_position(source, read_to):
    """The source's chunks, noting in ``read_to`` how far into the file each one ends: with
    ``--jobs`` the reader runs ahead of the results, and progress must follow the results."""
    for chunk in source.chunks:
        read_to.append(source.done())
        yield chunk


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def default_jobs() -> int:
    """Worker processes for ``--jobs 0``: the usable CPUs (1 where fork is unavailable)."""
    if not _can_fork():
        return 1
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _same_file(a: Path, b: Path) -> bool:
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def base_with_fixed(scenario: Scenario, colmap) -> Scenario:
    """The base scenario with the column map's ``[fixed]`` values (validated like a file)."""
    if colmap is None or not colmap.fixed:
        return scenario
    from amspares.errors import ScenarioError

    try:
        return scenario.with_values(dict(colmap.fixed))
    except ScenarioError as exc:
        raise PortfolioInputError(f"column map {colmap.source!r}, [fixed]: {exc}") from None


def run_portfolio(catalogue: str | Path, output: str | Path, scenario: Scenario, *,
                  force: bool = False, chunk_rows: int = CHUNK_ROWS, jobs: int = 1,
                  advice: bool = False, breakdown: bool = False, negotiate: bool = False,
                  columns=None, delimiter: str | None = None, decimal: str | None = None,
                  header_row: int | None = None, history: str | Path | None = None,
                  period: str | None = None, periods_per_year: float | None = None,
                  level: float = 0.90,
                  progress: Callable[[float, int], None] | None = None) -> Report:
    """Evaluate every SKU of ``catalogue`` against ``scenario`` and write ``output``.

    ``advice`` adds each stock method's cheapest order quantity ``Q >= moq`` and its saving
    ((s,Q) rows only; about ten times slower); ``breakdown`` adds every cost and impact
    component of each method (:func:`~amspares.portfolio.columns.method_columns`);
    ``negotiate`` adds each stock method's moq at which printing to order would win
    (a root search per SKU with an moq; slower). Every order method's price to win is
    always written. ``columns`` is a
    :class:`~amspares.portfolio.columnmap.ColumnMap` (the file's headers to keys, units,
    fixed values); ``delimiter``, ``decimal`` and ``header_row`` override what is detected
    (and the map's ``[file]``). ``jobs > 1`` evaluates and formats chunks in that many forked processes (CSV output on
    platforms with fork; otherwise one process); the output is the same byte for byte.
    Raises :class:`PortfolioInputError` / :class:`OutputExistsError` for unusable input or
    an existing output without ``force`` (nothing is written). Demand history:
    ``history.<period>`` columns of the catalogue, or a ``history`` file (wide
    ``history.<period>`` columns or ``sku, date, quantity`` transactions summed per
    ``period``); ``period`` / ``periods_per_year`` say how long an undated period is, and
    ``level`` is the confidence level of the rate's interval (:mod:`amspares.portfolio.history`).
    Bad rows do not raise: they
    are in ``Report.problems`` and in the output's ``error`` column. A SKU that appears on
    several rows is evaluated on each and reported in ``Report.warnings``.
    """
    catalogue, output = Path(catalogue), Path(output)
    in_fmt = _format_of(catalogue, "catalogue")
    out_fmt = _format_of(output, "output")
    if chunk_rows < 1:
        raise PortfolioInputError(f"chunk size = {chunk_rows}: must be >= 1")
    if jobs < 0:
        raise PortfolioInputError(f"jobs = {jobs}: must be >= 0 (0 = one per CPU)")
    if header_row is not None and header_row < 1:
        raise PortfolioInputError(f"header row = {header_row}: must be >= 1")
    if _same_file(catalogue, output):
        raise PortfolioInputError(f"the output {str(output)!r} is the catalogue itself: "
                                  f"choose another output name (even --force never replaces the input)")
    jobs = default_jobs() if jobs == 0 else jobs
    if out_fmt != "csv" or not _can_fork():
        jobs = 1
    check_writable(output, force)          # before reading: fail fast, nothing written
    from amspares.portfolio.native import keep_large_arrays

    keep_large_arrays()                    # fewer page faults between chunks (glibc)
    from amspares.errors import ScenarioError
    from amspares.portfolio.history import check_level, read_history_file

    try:
        level = check_level(level)
        history_in = None if history is None else read_history_file(history, period, periods_per_year, level)
    except ScenarioError as exc:
        raise PortfolioInputError(f"--history {history}: {exc}" if history is not None else str(exc)) from None
    base_name = f"{scenario.name} ({scenario.source})"
    base_meta = {"base scenario": scenario.name, "base scenario file": str(scenario.source)}
    scenario = base_with_fixed(scenario, columns)
    if columns is not None:
        delimiter = delimiter or columns.delimiter
        decimal = decimal or columns.decimal
        header_row = header_row or columns.header_row
    wanted = ["sku"] + ([h for h in columns.columns] if columns is not None else [])
    start = time.perf_counter()
    if in_fmt == "csv":
        source = read_csv(catalogue, chunk_rows, delimiter=delimiter, decimal=decimal,
                          header_row=header_row, wanted=wanted)
    else:
        source = read_xlsx(catalogue, chunk_rows, header_row=header_row, wanted=wanted, decimal=decimal)
    try:
        plan = plan_columns(source.header, scenario, columns, period=period,
                            periods_per_year=periods_per_year if history is None else None)
        with_history = history_in is not None or any(c.kind == "history" for c in plan)
        if history_in is not None and any(c.kind == "history" for c in plan):
            raise PortfolioInputError(f"the catalogue has history.<period> columns and --history "
                                      f"{history} is given: give the history one way only")
        methods = list(scenario.methods)
        carried = [c.name for c in plan if c.kind == "text"]
        reserved = set(output_header(scenario, advice, breakdown, negotiate, history=with_history))
        out_names = [f"{n} (input)" if n in reserved else n for n in carried]
        header = output_header(scenario, advice, breakdown, negotiate, out_names, history=with_history)
        summary = Summary(methods, has_impact=scenario.has_part)
        inputs = scenario.inputs()
        report = Report(summary, unknown_columns=[(c.name, c.problem) for c in plan if c.kind == "unknown"],
                        carried=carried, base=base_name,
                        inherited={k: inputs[k] for k in inherited_keys(plan, scenario, history_in is not None)},
                        decimal=source.decimal, delimiter=source.delimiter, header_row=source.header_row)
        writer = None
        _STATE.update(scenario=scenario, plan=plan, header=header, out_fmt=out_fmt, advice=advice,
                      breakdown=breakdown, negotiate=negotiate, decimal=source.decimal,
                      history=history_in, level=level)
        skus_seen = SkuIndex()
        try:
            with atomic_output(output, force) as temp:
                try:
                    writer = (CsvWriter if out_fmt == "csv" else XlsxWriter)(temp, header, methods)
                    read_to: collections.deque = collections.deque()
                    for done in _results(_noting_position(source, read_to), jobs):
                        writer.write(done.payload)
                        summary.merge(done.summary)
                        report.rows += done.rows
                        report.problem_count += len(done.errors)
                        report.problems.extend(done.errors[:MAX_REPORTED - len(report.problems)])
                        skus_seen.add(done.sku, done.row_numbers)
                        if progress:
                            progress(read_to.popleft(), report.rows)
                    report.warning_count, repeats = skus_seen.repeats(MAX_REPORTED)
                    report.warnings += [f"SKU {_clip(sku.decode('utf-8', 'surrogatepass'))!r} appears on "
                                        f"rows {first} and {row} (both are evaluated)" for sku, first, row in repeats]
                    meta = {"catalogue": str(catalogue), **base_meta}
                    if columns is not None:
                        meta["column map"] = columns.source
                        for k, v in columns.fixed.items():
                            meta[f"fixed by the map: {k}"] = v
                    if with_history:
                        meta["demand"] = summary.history_text()
                    for k, v in report.inherited.items():
                        meta[f"inherited from the base: {k}"] = v
                    writer.finish(summary, meta)
                except BaseException:
                    try:               # close the temporary file before it is removed
                        if writer is not None:
                            writer.abort()
                    except Exception:  # noqa: BLE001 - the original error matters
                        pass
                    raise
        finally:
            _STATE.clear()
    finally:
        source.close()
    report.seconds = time.perf_counter() - start
    return report


def _clip(text: str, n: int = 60) -> str:
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= n else text[:n] + "..."


def read_header(catalogue: str | Path, *, delimiter: str | None = None, header_row: int | None = None):
    """The header a catalogue's reader sees, and the source (for ``--suggest-columns``)."""
    catalogue = Path(catalogue)
    fmt = _format_of(catalogue, "catalogue")
    from amspares.portfolio.columnmap import SYNONYMS

    wanted = sorted({s for syn in SYNONYMS.values() for s in syn} | {"sku"})
    wanted = [w for w in wanted] + [w.title() for w in wanted] + [w.upper() for w in wanted] + \
        [w.capitalize() for w in wanted]
    if fmt == "csv":
        source = read_csv(catalogue, 1, delimiter=delimiter, header_row=header_row,
                          wanted=wanted if header_row is None else ("sku",))
    else:
        source = read_xlsx(catalogue, 1, header_row=header_row, wanted=wanted if header_row is None else ("sku",))
    source.close()
    return source
