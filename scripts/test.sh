#!/usr/bin/env bash
# The project's test command: the unit and integration tests, then the solution notebook under nbval.
# The notebook's stored outputs come from the mini profile on the embedded DialogSum sample, so it runs
# with DETOXLAB_DATA_DIR unset.
#
#   bash scripts/test.sh [PYTEST ARGS]          everything (what CI runs)
#   bash scripts/test.sh --fast [PYTEST ARGS]   the tests not marked slow, without the notebook
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [[ "${1:-}" == "--fast" ]]; then
  shift
  exec .venv/bin/python -m pytest -q -m "not slow" "$@"
fi
.venv/bin/python -m pytest -q --durations=20 "$@"   # the slowest tests, so CI time can be followed
env -u DETOXLAB_DATA_DIR .venv/bin/python -m pytest -q -p no:cacheprovider --nbval-lax \
  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900 solutions/detox_lab.ipynb
