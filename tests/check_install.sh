#!/usr/bin/env bash
# The install steps of docs/install-windows.md, as written, from fresh venvs in a
# folder outside the checkout (POSIX paths; on Windows the same commands with
# venv\Scripts\). Slow (builds, downloads from the package index, runs the test suite of
# the unpacked sdist): about 10-12 minutes on 2 busy cores. Run it from the checkout:
#     bash tests/check_install.sh
# Exit status 0 when every step worked.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/amspares-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "== work folder $WORK"

echo "== 1. the documented build command: a wheel (and, with 'build', the sdist)"
cd "$SRC"
"$PY" -m pip wheel --no-deps -w "$WORK/dist" . >"$WORK/wheel.log" 2>&1 || { cat "$WORK/wheel.log"; exit 1; }
"$PY" -m venv "$WORK/buildenv"
"$WORK/buildenv/bin/python" -m pip install -q build
"$WORK/buildenv/bin/python" -m build --sdist --outdir "$WORK/dist" . >"$WORK/sdist.log" 2>&1 || { cat "$WORK/sdist.log"; exit 1; }
ls "$WORK/dist"

echo "== 2. a colleague's fresh venv in another folder: pip install the wheel"
"$PY" -m venv "$WORK/venv"
V="$WORK/venv/bin"
"$V/python" -m pip install -q "$WORK"/dist/amspares-*.whl
mkdir "$WORK/elsewhere" && cd "$WORK/elsewhere"
"$V/amspares" --version
"$V/amspares" evaluate >/dev/null
"$V/python" - <<'PY'
import importlib.metadata as md, pathlib
from amspares.excel.addin_build import find_xlam, read_vba_modules
dist = md.distribution("amspares")
names = {pathlib.PurePath(str(f)).name for f in dist.files}
assert "LICENSE" in names, "LICENSE missing from the wheel"
xlam = find_xlam()
assert xlam is not None and "site-packages" in str(xlam), xlam
assert "xlwings_udfs" in read_vba_modules(xlam), "the add-in has no functions"
print("wheel: LICENSE, add-in with its functions:", xlam)
PY
"$V/python" -m amspares.workbook
test -f "$WORK/elsewhere/scenario.xlsx"
if find "$WORK/venv" -name scenario.xlsx | grep -q .; then
    echo "python -m amspares.workbook wrote into the venv"; exit 1
fi
echo "template: wrote $WORK/elsewhere/scenario.xlsx, nothing in the venv"

echo "== 3. the unpacked sdist passes its own tests"
cd "$WORK"
tar xzf dist/amspares-*.tar.gz
cd amspares-*/
test -f LICENSE && test -d examples
"$V/python" -m pip install -q ".[test]"
# the sdist's own source (as in a checkout), the dependencies from the venv; its CSV
# fast path compiled in place, as an editable install would (where a C compiler is)
"$V/python" hatch_build.py || true
PYTHONPATH=pysrc "$V/python" -m pytest -q -x -p no:cacheprovider
echo "== all install steps worked"
