#!/usr/bin/env bash
# Gradescope's set-up step, run once as root when the autograder image is built on Gradescope's own base
# image (Ubuntu), as the Dockerfile's `gradescope` target does (docs/container.md says why and how):
#   1. Python 3.11 from the distribution's packages (python3.11 and python3.11-venv: Ubuntu 22.04's
#      universe, Debian 12), unless a python3.11 is already there;
#   2. the project in DETOXLAB_HOME (default /opt/detoxlab) with the hash-locked dependencies
#      (scripts/setup.sh) and trl at the course's commit (docker/install-trl.sh; TRL_SOURCE for a mirror);
#   3. the full profile's assets in DETOXLAB_ASSETS_DIR (default /opt/detoxlab-assets), verified: the image
#      copies them from its assets stage; when absent they are fetched here (the hub and S3 must be reachable);
#   4. the answers (answer key, solution notebook, tests) closed to other users;
#   5. run_autograder where Gradescope looks for it (AUTOGRADER_ROOT, default /autograder).
# A DETOXLAB_HOME whose .venv already holds detoxlab skips steps 1 and 2 (a second run, and the tests).
set -euo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
REPO=${DETOXLAB_HOME:-/opt/detoxlab}
ASSETS=${DETOXLAB_ASSETS_DIR:-/opt/detoxlab-assets}
detoxlab="$REPO/.venv/bin/detoxlab"
say() { echo "gradescope setup: $*"; }
[ -f "$ROOT/source/run_autograder" ] || { say "$ROOT/source/run_autograder missing" >&2; exit 1; }

if [ ! -x "$detoxlab" ]; then
  [ -f "$REPO/scripts/setup.sh" ] || { say "no detoxlab project in $REPO (set DETOXLAB_HOME)" >&2; exit 1; }
  if ! command -v python3.11 >/dev/null; then
    [ "$(id -u)" = 0 ] || { say "python3.11 is missing and only root can install it" >&2; exit 1; }
    say "installing python3.11 from the distribution's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv ca-certificates >/dev/null
    rm -rf /var/lib/apt/lists/*
  fi
  PYTHON=python3.11 bash "$REPO/scripts/setup.sh"
  bash "$REPO/docker/install-trl.sh"
fi

if [ ! -f "$ASSETS/full/MANIFEST.json" ]; then
  say "fetching the full profile's assets into $ASSETS"
  "$detoxlab" assets fetch --profile full --dest "$ASSETS"
fi
# Gradescope's containers give root no mount namespace, so a submission's kernel (a user id of its own) sees
# the file system as it is: close the answers (detoxlab.student.ANSWERS, the one list of them) to others; the
# grader refuses to run while a submission could read them.
for answers in $("$REPO/.venv/bin/python" -c "from detoxlab.student import ANSWERS; print(*ANSWERS)"); do
  [ ! -e "$REPO/$answers" ] || chmod -R o-rwx "$REPO/$answers"
done
"$detoxlab" profiles >/dev/null
"$detoxlab" assets verify --dir "$ASSETS/full" --no-load
install -m 755 "$ROOT/source/run_autograder" "$ROOT/run_autograder"
mkdir -p "$ROOT/results"
say "ready: $ROOT/run_autograder grades with $detoxlab"
