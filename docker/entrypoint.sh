#!/usr/bin/env bash
# The image's entrypoint (also run by the tests). Modes:
#   lab [ARGS]    Jupyter Lab on the student notebook (the lab target's default); ARGS go to jupyter lab
#   grade [ARGS]  detoxlab grade (grader target)
#   test [ARGS]   the test suite: pytest, then the solution notebook under nbval (scripts/test.sh; grader target)
#   run [ARGS]    detoxlab run (the lab end to end; results in --out, default out/ in the workspace; grader target)
#   anything else is run as a command (e.g. bash)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$REPO/.venv/bin:$PATH"
WORKSPACE=${DETOXLAB_WORKSPACE:-$HOME/work}
mode=${1:-lab}
[ $# -eq 0 ] || shift
case "$mode" in
  lab)
    mkdir -p "$WORKSPACE/lab"
    # the student's copy: seeded once, never overwritten (their work lives there)
    [ -e "$WORKSPACE/lab/detox_lab.ipynb" ] || cp "$REPO/lab/detox_lab.ipynb" "$WORKSPACE/lab/"
    cd "$WORKSPACE"
    exec jupyter lab --no-browser --ip="${JUPYTER_IP:-0.0.0.0}" --port="${JUPYTER_PORT:-8888}" \
      --ServerApp.root_dir="$WORKSPACE" --LabApp.default_url=/lab/tree/lab/detox_lab.ipynb "$@" ;;
  grade) exec detoxlab grade "$@" ;;
  test)  [ -d "$REPO/tests" ] || { echo "entrypoint: the tests are in the grader image, not the student's" >&2; exit 2; }
         cd "$REPO" && PYTEST_ADDOPTS="-p no:cacheprovider ${PYTEST_ADDOPTS:-}" exec bash scripts/test.sh "$@" ;;
  run)   mkdir -p "$WORKSPACE" && cd "$WORKSPACE" && exec detoxlab run "$@" ;;
  *)     exec "$mode" "$@" ;;
esac
