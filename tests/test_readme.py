"""The README's examples are the tool's real output (regenerate with tests/readme_examples.py --update).

Expected values: the README itself is the expectation, and the tool is run now (shell blocks as
``python -m amspares.cli``, Excel examples through ``amspares.udfs``); a block that differs fails.
The case-study numbers in those blocks are independently pinned elsewhere (tests/test_reference_values.py).
"""

from __future__ import annotations

import pytest
import readme_examples as rx

TEXT = rx.README.read_text(encoding="utf-8")
NAMES = [name for name, _ in rx.blocks(TEXT)]


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return dict(rx.blocks(rx.render(TEXT)))


def test_the_readme_marks_its_examples():
    # removing a marker would silently stop checking that example
    for name in [
        "amspares evaluate",
        "bad input",
        "amspares scenario",
        "amspares portfolio",
        "portfolio bad rows",
        "excel functions",
    ]:
        assert name in NAMES, name
    assert len(NAMES) == len(set(NAMES))
    assert TEXT.count("<!-- example:") == TEXT.count("<!-- /example -->") == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_example_block_matches_the_tool(name, rendered):
    shown = dict(rx.blocks(TEXT))[name]
    assert rendered[name] == shown, (
        f"README example {name!r} is stale: run python3 tests/readme_examples.py --update"
    )


def test_a_changed_output_is_caught_and_update_restores_it():
    body = dict(rx.blocks(TEXT))["bad input"]
    broken = body.replace("must be >= 0", "must be > 0")
    assert broken != body
    work = rx.scratch_folder()
    try:
        assert rx.render_block(broken, work) == body
    finally:
        rx.shutil.rmtree(work, ignore_errors=True)


def test_a_changed_excel_result_is_caught():
    body = dict(rx.blocks(TEXT))["excel functions"]
    assert "| 1735.71 / 10800 |" in body
    wrong = body.replace("| 1735.71 / 10800 |", "| 1735.72 / 10800 |")
    assert rx.render_table(wrong) == rx.render_table(body) == body


def test_timings_are_compared_loosely_and_nothing_else():
    assert rx.same_output("done (0.0 s)", "done (12.3 s)")
    assert not rx.same_output("20 SKUs (0.0 s)", "21 SKUs (0.0 s)")


def test_unsupported_commands_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not supported"):
        rx.run_command("rm -rf x", tmp_path)


def test_progress_lines_are_not_part_of_an_example():
    # a terminal erases them before the results; on a slow machine they appear in a pipe
    assert rx.PROGRESS.match("amspares scenario: [6/6] environmental sensitivity")
    assert rx.PROGRESS.match("amspares portfolio: 1,000 SKUs (50%) in 1.2 s")
    assert not rx.PROGRESS.match("amspares portfolio: row 3, demand.rate_per_year = -3: must be >= 0")
