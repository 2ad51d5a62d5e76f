#!/usr/bin/env bash
# Gradescope's set-up step, run once when the autograder is built. The autograder runs on the course image
# (docs/container.md), where the lab, its locked environment and the full profile's assets are already in
# place; this only installs run_autograder where Gradescope looks for it and checks the environment.
# AUTOGRADER_ROOT (default /autograder) and DETOXLAB_HOME (default /opt/detoxlab) exist for tests.
set -euo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
REPO=${DETOXLAB_HOME:-/opt/detoxlab}
detoxlab="$REPO/.venv/bin/detoxlab"
if [ ! -x "$detoxlab" ]; then
  echo "gradescope setup: $detoxlab not found: build the autograder on the course image (docs/container.md)" >&2
  exit 1
fi
[ -f "$ROOT/source/run_autograder" ] || { echo "gradescope setup: $ROOT/source/run_autograder missing" >&2; exit 1; }
install -m 755 "$ROOT/source/run_autograder" "$ROOT/run_autograder"
"$detoxlab" profiles >/dev/null
"$detoxlab" assets verify --dir "${DETOXLAB_ASSETS_DIR:?the course image sets DETOXLAB_ASSETS_DIR}/full" --no-load
echo "gradescope setup: ready (detoxlab grade on the course image)"
