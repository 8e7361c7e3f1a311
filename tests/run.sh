#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Used by the README ("run the tests") and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null 2>&1; then
  echo "== installing LibreOffice Calc (headless) for the spreadsheet-engine tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
echo "== installing amspares with its test extra"
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
echo "== running the tests"
exec python3 -m pytest -q "$@"
