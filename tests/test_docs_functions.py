"""docs/model.md section 7 lists every Excel function with its real signature.

The expected rows come from the code itself (``amspares.udfs``: the signatures xlwings
reads, and each wrapper's first docstring paragraph), so a function added, renamed or given a
new argument without updating the docs fails here. ``python3 tests/test_docs_functions.py``
prints the table to paste.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import amspares.udfs as udfs

DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def function_rows() -> list[str]:
    rows = ["| function | returns |", "|---|---|"]
    for name in sorted(n for n in dir(udfs) if n.isupper() and callable(getattr(udfs, n))):
        f = getattr(udfs, name)
        args = [p if q.default is inspect.Parameter.empty else f"[{p}]"
                for p, q in inspect.signature(f).parameters.items()]
        first = (inspect.getdoc(f) or "").split("\n\n")[0].replace("\n", " ").replace("|", "\\|")
        rows.append(f"| `{name}({', '.join(args)})` | {first} |")
    return rows


def test_section_7_lists_every_function_with_its_signature():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## 7. Excel functions"):text.index("## 8.")]
    documented = [line for line in section.splitlines() if line.startswith("|")]
    assert documented == function_rows(), "docs/model.md section 7 is stale: run python3 tests/test_docs_functions.py"


def test_the_check_can_fail(monkeypatch):
    monkeypatch.setattr(udfs, "NEW_FUNCTION", lambda x, y=1: x, raising=False)
    assert "| `NEW_FUNCTION(x, [y])` |  |" in function_rows()


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(function_rows()))
    sys.exit(0)
