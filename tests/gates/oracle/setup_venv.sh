#!/usr/bin/env bash
# Creates (once) a Python virtual environment with the oracle's reference libraries from PyPI.
# Usage: tests/gates/oracle/setup_venv.sh [VENV_DIR]   (default: build-oracle-venv in the repo)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
venv="${1:-$repo/build-oracle-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "numpy>=1.24" "scipy>=1.10" "scikit-learn>=1.3" "pandas>=2.0"
echo "$venv"
