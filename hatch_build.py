"""Build hook: compile the optional CSV fast path ``pysrc/amspares/portfolio/_fastcsv.c``.

``pip install .`` (a wheel) and ``pip install -e .`` (editable) run this. It compiles the
plain C file (no Python headers) into a shared library loaded with ctypes
(``amspares/portfolio/native.py``). Without a C compiler, or if compiling fails, it says so
and the build goes on: amspares then writes CSV numbers with numpy (the same bytes, slower).
``AMSPARES_BUILD_NATIVE=0`` skips it. ``python3 hatch_build.py`` compiles it in place (for a
checkout used with ``PYTHONPATH=pysrc``).

An editable install also byte-compiles the package in place (``__pycache__``, as pip does
for an installed wheel): where ``PYTHONDONTWRITEBYTECODE`` is set, Python would otherwise
compile every module from source at each start (about 0.1 CPU-s for ``amspares portfolio``).
A source file edited afterwards is compiled afresh (Python compares its time stamp).

Compiler: ``$CC``, else ``cc``/``gcc``/``clang`` on the PATH. Flags: ``-O2 -shared -fPIC
-ffp-contract=off`` (no fused multiply-add: every floating-point step rounds as numpy's).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:              # run as a script (below) without hatchling
    BuildHookInterface = object

SOURCE = Path("pysrc/amspares/portfolio/_fastcsv.c")
FLAGS = ["-O2", "-shared", "-fPIC", "-ffp-contract=off", "-fvisibility=hidden"]


def library_name() -> str:
    if sys.platform == "win32":
        return "_fastcsv.dll"
    return "_fastcsv.dylib" if sys.platform == "darwin" else "_fastcsv.so"


def find_compiler() -> list[str] | None:
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC")
    if cc:
        parts = shlex.split(cc)
        if parts and shutil.which(parts[0]):
            return parts
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return [name]
    return None


def compile_bytecode(root: Path) -> bool:
    """Byte-compile ``pysrc/amspares`` in place; whether every module compiled."""
    import compileall

    return bool(compileall.compile_dir(str(root / SOURCE.parents[1]), quiet=1))


def compile_library(root: Path, out: Path) -> str | None:
    """Compile into ``out``; None when done, else why not (one line)."""
    if os.environ.get("AMSPARES_BUILD_NATIVE", "1").strip() in ("0", "no", "off", "false"):
        return "skipped (AMSPARES_BUILD_NATIVE=0)"
    cc = find_compiler()
    if cc is None:
        return "no C compiler found (set CC, or install gcc/clang)"
    tmp = out.with_name(out.name + ".tmp")
    cmd = [*cc, *FLAGS, "-o", str(tmp), str(root / SOURCE)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{cc[0]} failed to run ({exc})"
    if proc.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        return f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}"
    os.replace(tmp, out)
    return None


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        if version == "editable":       # next to the sources the editable install imports
            compile_bytecode(root)
            out = root / SOURCE.with_name(library_name())
        else:
            self._tmp = tempfile.mkdtemp(prefix="amspares-native-")
            out = Path(self._tmp) / library_name()
        why = compile_library(root, out)
        if why is not None:
            self.app.display_warning(f"amspares: the compiled CSV fast path is not built: {why}. "
                                     "Catalogue CSV files are written with numpy instead (same bytes, slower).")
            return
        self.app.display_info(f"amspares: compiled the CSV fast path ({out.name})")
        if version != "editable":
            build_data["force_include"][str(out)] = f"amspares/portfolio/{library_name()}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    target = here / SOURCE.with_name(library_name())
    problem = compile_library(here, target)
    compile_bytecode(here)
    print(problem or f"compiled {target}")
    sys.exit(1 if problem else 0)
