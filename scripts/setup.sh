#!/usr/bin/env bash
# One-command set-up on a fresh machine with Python 3.11: a virtual environment in .venv holding the
# hash-locked dependencies and this project (editable, so `checks` imports from any notebook).
# The image build runs it in two steps (docker/install-*.sh): --deps-only, then --project-only.
set -euo pipefail
cd "$(dirname "$0")/.."
STEP=${1:-all}
case "$STEP" in all|--deps-only|--project-only) ;; *) echo "setup: unknown option $STEP" >&2; exit 2;; esac
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { echo "setup: Python 3.11 is required (found $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
[ "$STEP" = --project-only ] || .venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock
[ "$STEP" = --deps-only ] || .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
.venv/bin/python -m ipykernel install --sys-prefix --name detoxlab --display-name "Python (detoxlab)" >/dev/null
echo "setup: ready. Activate with: source .venv/bin/activate"
