"""The workbook modules import one way, and a module that fails to import is an error.

Before, ``workbook.template`` and ``workbook.writer`` imported each other (held together by a
module ``__getattr__``), and the writer swallowed an ImportError of the situation sheets: the
sheets vanished and ``amspares scenario -o`` still succeeded.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import amspares.workbook as workbook

PKG = Path(workbook.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_template_does_not_import_the_writer():
    assert "amspares.workbook.writer" not in imported_modules(PKG / "template.py")
    assert "amspares.workbook.template" in imported_modules(PKG / "writer.py")


def test_no_module_getattr_and_no_swallowed_import_errors():
    for path in PKG.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "def __getattr__" not in text, path.name
        assert "except ImportError" not in text, path.name


def test_a_broken_situations_module_breaks_the_writer_loudly(monkeypatch):
    monkeypatch.setitem(sys.modules, "amspares.workbook.situations", None)   # "fails to import"
    monkeypatch.delitem(sys.modules, "amspares.workbook.writer")
    try:
        importlib.import_module("amspares.workbook.writer")
    except ImportError as exc:
        assert "situations" in str(exc)
    else:
        raise AssertionError("the writer imported without its situation sheets")


def test_python_m_amspares_workbook_regenerates_the_template(tmp_path):
    out = tmp_path / "t.xlsx"
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "amspares.workbook",
                           "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and f"wrote {out}" in proc.stderr
