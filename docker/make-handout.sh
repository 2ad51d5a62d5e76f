#!/usr/bin/env bash
# Image build, handout stage: the student's copy of the project for the `lab` target: the staff-only paths
# (detoxlab.student.STAFF_ONLY: answer key, solutions, grader, staff tools, tests) removed in place, then
# checked: the answer key no longer imports, and the lab's own commands still work.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/detoxlab handout --prune .
if .venv/bin/python -c "import answer_key" 2>/dev/null; then
  echo "make-handout: answer_key still imports after the prune" >&2
  exit 1
fi
.venv/bin/detoxlab profiles >/dev/null
.venv/bin/python -c "import checks, detoxlab.ppo, detoxlab.models, detoxlab.evaluation"
echo "make-handout: the student's environment is ready (no answer key, solutions, grader or tests)"
