"""Lint habits: ``ruff check`` (rules in pyproject.toml, ``[tool.ruff.lint]``) passes on the code.

The test fails when a change introduces an unused import or variable, an undefined name, a
syntax error or a statement-level style error. Files in ``FORMATTED`` must also stay as
``ruff format`` leaves them (the rest of the tree is not reformatted yet; add a file here once
it has been formatted on its own).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["pysrc", "tests", "benchmarks"]
FORMATTED = ["tests/test_lint.py", "tests/test_readme.py", "tests/readme_examples.py"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ruff_is_configured_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.ruff.lint]" in text and "[tool.ruff.format]" in text
    assert '"ruff' in text  # in the test extra, so tests/run.sh installs it


def test_ruff_check_passes():
    done = _ruff("check", "--no-cache", "--output-format", "concise", *CHECKED)
    assert done.returncode == 0, "ruff check found problems:\n" + done.stdout + done.stderr


def test_ruff_check_can_fail(tmp_path):
    # The check is live: an unused import in a file under the same configuration is reported.
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n", encoding="utf-8")
    done = _ruff("check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad))
    assert done.returncode == 1 and "F401" in done.stdout


def test_formatted_files_stay_formatted():
    done = _ruff("format", "--no-cache", "--check", *FORMATTED)
    assert done.returncode == 0, (
        "run `ruff format " + " ".join(FORMATTED) + "`:\n" + done.stdout + done.stderr
    )
