#!/usr/bin/env bash
# Smoke tests of an image built by scripts/build-image.sh, run with buildah as uid 1000 through the image's
# entrypoint, each in a network namespace of its own with only loopback (unshare -n; the image also sets
# the offline variables), so nothing can be fetched. Checks (default: student and lab, for the default tag):
#   test   the entrypoint's test mode on the fast tests (-m "not slow") and the solution notebook under
#          nbval; the slow tests take about 25 minutes on 2 cores and run in CI outside the image
#   grade  the solution gets full marks, a notebook that prints hard-coded results gets 0
#   lab    Jupyter on 127.0.0.1:8888 with a token: 403 without it, the student notebook's first three code
#          cells run through the server's API, and chromium (selenium) shows the notebook: a screenshot in
#          docs/images/lab.png (SCREENSHOT= to put it elsewhere, empty to skip the browser)
#   full   `run --profile full` on the baked assets, shortened (FULL_STEPS PPO steps, default 2, and
#          FULL_SAMPLES evaluation prompts, default 4): the course's shapes end to end, offline
#   mini   `run` (the mini profile): for an image built with --no-assets
#   student  for the lab target: no answer key, solutions, grader or tests in the image; the staff's commands
#          refuse with one line; a check that needs the reference runs on the answers bundled with the lab
#   gradescope  for the gradescope target: /autograder/run_autograder as root (as Gradescope runs it) on
#          the solution (full marks) and on the hard-coded notebook (0)
# test, grade, full and mini need the grader target, lab and student the lab target.
# Usage: scripts/smoke-image.sh [--tag detoxlab:lab] [CHECK ...]
# Each check has a time limit (SMOKE_TIMEOUT seconds, default 1800) and prints its wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
TAG=detoxlab:lab
if [ "${1:-}" = --tag ]; then TAG=$2; shift 2; fi
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(student lab)   # the default tag is the lab target's
WORK=${IMAGE_WORK:-/var/tmp/detoxlab-image}
SCREENSHOT=${SCREENSHOT-docs/images/lab.png}
LIMIT=${SMOKE_TIMEOUT:-1800}
B=(buildah --storage-driver vfs)
"${B[@]}" inspect --type image "$TAG" >/dev/null 2>&1 \
  || { echo "smoke: no image $TAG; build it with scripts/build-image.sh" >&2; exit 2; }

scratch=$(mktemp -d "$WORK/smoke.XXXXXX")
chmod 755 "$scratch"
container=$("${B[@]}" from --quiet "$TAG")
cleanup() { "${B[@]}" rm "$container" >/dev/null 2>&1 || true; rm -rf "$scratch"; }
trap cleanup EXIT

# in_image [buildah run options] -- entrypoint arguments: uid 1000, no network but loopback, time-limited
in_image() {
  local options=()
  while [ "$1" != -- ]; do options+=("$1"); shift; done
  shift
  timeout --kill-after=30 "$LIMIT" unshare --net bash -c 'ip link set lo up && exec "$@"' -- \
    "${B[@]}" run --isolation chroot --user 1000:1000 --env HOME=/home/student --workingdir /home/student/work \
    ${options[@]+"${options[@]}"} "$container" -- /opt/detoxlab/docker/entrypoint.sh "$@"
}
timed() {   # timed NAME COMMAND...: run, then print the check's verdict and wall time
  local name=$1 started status=0
  shift
  started=$(date +%s)
  "$@" || status=$?
  echo "smoke: $name $([ $status = 0 ] && echo passed || echo "FAILED (exit $status)") in $(( $(date +%s) - started )) s"
  return $status
}

check_test() { in_image -- test -m "not slow"; }

check_grade() {
  mkdir -p "$scratch/subs/solution" "$scratch/subs/hardcoded"
  cp solutions/detox_lab.ipynb "$scratch/subs/solution/"
  cp tests/grading_corpus/hardcoded_values.ipynb "$scratch/subs/hardcoded/detox_lab.ipynb"
  chown -R 1000:1000 "$scratch/subs"
  in_image -v "$scratch/subs:/subs" -- grade /subs --out /subs/graded
  "$REPO/.venv/bin/python" - "$scratch/subs/graded" <<'PY'
import json, sys
from pathlib import Path
graded = Path(sys.argv[1])
scores = {name: json.loads((graded / name / "results.json").read_text()) for name in ("solution", "hardcoded")}
for name, result in scores.items():
    print(f"smoke: grade {name}: {result['score']} of {sum(t.get('max_score', 0) for t in result['tests'])}")
solution, hardcoded = scores["solution"], scores["hardcoded"]
full = sum(t.get("max_score", 0) for t in solution["tests"])
if not (full > 0 and solution["score"] == full and hardcoded["score"] == 0):
    sys.exit("smoke: grade: expected full marks for the solution and 0 for the hard-coded notebook")
PY
}

check_lab() {
  local token python client
  token=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
  python=$(bash scripts/image/browser.sh)   # chromium, chromedriver, selenium and tornado, once
  client=("$python" scripts/image/jupyter_smoke.py http://127.0.0.1:8888 "$token")
  if [ -n "$SCREENSHOT" ]; then mkdir -p "$(dirname "$SCREENSHOT")"; client+=(--screenshot "$SCREENSHOT"); fi
  # the server (in the image) and the client (here) share one network namespace with loopback only
  cat > "$scratch/lab.sh" <<EOS
set -euo pipefail
ip link set lo up
${B[*]} run --isolation chroot --user 1000:1000 --env HOME=/home/student --env JUPYTER_IP=127.0.0.1 \\
  --workingdir /home/student/work $container -- /opt/detoxlab/docker/entrypoint.sh lab \\
  --IdentityProvider.token=$token > $scratch/lab-server.log 2>&1 &
server=\$!
trap 'kill \$server 2>/dev/null; wait \$server 2>/dev/null || true' EXIT
${client[*]}
EOS
  timeout --kill-after=30 "$LIMIT" unshare --net bash "$scratch/lab.sh" \
    || { echo "smoke: lab: the server's log:" >&2; tail -20 "$scratch/lab-server.log" >&2; return 1; }
}

check_full() {
  in_image -- run --profile full --out /home/student/work/out-full \
    -p ppo_steps "${FULL_STEPS:-2}" -p eval_samples "${FULL_SAMPLES:-4}"
}

check_gradescope() {
  local name expected
  for name in solution hardcoded; do
    mkdir -p "$scratch/gs-$name/submission" "$scratch/gs-$name/results"
  done
  cp solutions/detox_lab.ipynb "$scratch/gs-solution/submission/"
  cp tests/grading_corpus/hardcoded_values.ipynb "$scratch/gs-hardcoded/submission/detox_lab.ipynb"
  for name in solution hardcoded; do
    timeout --kill-after=30 "$LIMIT" unshare --net bash -c 'ip link set lo up && exec "$@"' -- \
      "${B[@]}" run --isolation chroot -v "$scratch/gs-$name/submission:/autograder/submission" \
      -v "$scratch/gs-$name/results:/autograder/results" "$container" -- /autograder/run_autograder
  done
  "$REPO/.venv/bin/python" - "$scratch" <<'PY'
import json, sys
from pathlib import Path
scores = {}
for name in ("solution", "hardcoded"):
    result = json.loads((Path(sys.argv[1]) / f"gs-{name}" / "results" / "results.json").read_text())
    scores[name] = (result["score"], sum(t.get("max_score", 0) for t in result["tests"]))
    print(f"smoke: gradescope {name}: {scores[name][0]} of {scores[name][1]}")
if not (scores["solution"][1] > 0 and scores["solution"][0] == scores["solution"][1] and scores["hardcoded"][0] == 0):
    sys.exit("smoke: gradescope: expected full marks for the solution and 0 for the hard-coded notebook")
PY
}

check_mini() { in_image -- run --out /home/student/work/out-mini; }

check_student() {
  in_image -- bash -c '
    set -uo pipefail
    for path in answer_key solutions tests detoxlab/grade detoxlab/run.py; do
      [ ! -e "/opt/detoxlab/$path" ] || { echo "smoke: student: /opt/detoxlab/$path is in the image" >&2; exit 1; }
    done
    ! python -c "import answer_key" 2>/dev/null || { echo "smoke: student: answer_key imports" >&2; exit 1; }
    refused=$(detoxlab run --out /tmp/out 2>&1); status=$?
    [ "$status" = 2 ] && grep -q "course-staff command" <<<"$refused"       || { echo "smoke: student: detoxlab run gave $status: $refused" >&2; exit 1; }
    python - <<PY
import checks
result = checks.run("change", {"toxicity_change": lambda before, after: 0.0})
print(result)
assert not result.passed and "bundled with the lab" in result.message, result
PY
  '
}

status=0
for check in "${checks[@]}"; do
  case "$check" in
    test|grade|lab|full|mini|gradescope|student) timed "$check" "check_$check" || status=1 ;;
    *) echo "smoke: unknown check $check (test, grade, lab, full, mini, gradescope, student)" >&2; exit 2 ;;
  esac
done
exit $status
