#!/usr/bin/env bash
# Runs the scikit-learn / SciPy oracle test against a built modelgate binary.
# Usage: tests/gates/oracle/run_oracle.sh BUILD_DIR   (uses BUILD_DIR/operator/cmd/modelgate)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: run_oracle.sh BUILD_DIR}"
binary="${MODELGATE_BIN:-$build/operator/cmd/modelgate}"
venv="$("$here/setup_venv.sh" "$build/oracle-venv")"
"$venv/bin/python" "$here/oracle_test.py" "$binary"
# One round large enough for the radix-sort paths of the exact metrics (16 384 rows and more).
exec "$venv/bin/python" "$here/oracle_test.py" "$binary" --rows 40000 --rounds 1 --seed 7
