#!/usr/bin/env bash
# The lab on a GPU, in one short run (sized for about 8 minutes of a lent GPU, model set-up included):
#   1. run   the mini lab end to end on CUDA (`detoxlab run`: the notebook, its PPO loop and its checks)
#   2. grade the solution notebook with `detoxlab grade` (full marks expected)
#   3. bench the full profile's shapes (flan-t5-base and the RoBERTa reward model at real shape, random
#            weights, bfloat16 as the course loads them): a PPO step and the evaluation, the original's
#            loop against the lab's on the same GPU; BENCH_REPEAT (default 3) timed PPO steps per side
# and writes everything to OUT/gpu-check.json: the device, the versions, each step's exit status and wall
# time, the run's metrics, the grade and bench.json. The steps' own outputs stay under OUT.
#
#   bash scripts/gpu-check.sh OUT                 on a machine with CUDA, set up by scripts/setup.sh
#   bash scripts/gpu-check.sh --allow-cpu OUT     the same on the CPU: to test this script, not the GPU
#
# The bench needs the real tokenizers (flan-t5-base, roberta-base): $DETOXLAB_DATA_DIR/tokenizers, or
# BENCH_TOKENIZERS=DIR (BENCH_PROFILE=mini benches the stand-ins instead: a quick CPU test of this script).
# A step that fails is recorded and the next one still runs; the exit status is 1 if
# any step failed, 2 if there is no GPU and --allow-cpu was not given.
set -uo pipefail
cd "$(dirname "$0")/.."
allow_cpu=0
if [ "${1:-}" = --allow-cpu ]; then allow_cpu=1; shift; fi
OUT=${1:?usage: scripts/gpu-check.sh [--allow-cpu] OUT}
mkdir -p "$OUT"
PY=.venv/bin/python
DETOXLAB=.venv/bin/detoxlab
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1

if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  if [ "$allow_cpu" = 0 ]; then
    echo "gpu-check: torch sees no CUDA device (torch.cuda.is_available() is False); --allow-cpu runs it on the CPU" >&2
    exit 2
  fi
  echo "gpu-check: no CUDA device; running on the CPU (--allow-cpu)"
fi

steps=()
step() {  # step NAME COMMAND...: run with a time limit, log to OUT/NAME.log, record status and wall time
  local name=$1; shift
  local started=$EPOCHREALTIME
  echo "gpu-check: $name: $*"
  timeout --kill-after=30 "$STEP_TIMEOUT" "$@" >"$OUT/$name.log" 2>&1
  local status=$?
  local wall; wall=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "gpu-check: $name: exit $status after ${wall} s"
  steps+=("$name $status $wall")
}

tokenizers=${BENCH_TOKENIZERS:-${DETOXLAB_DATA_DIR:+$DETOXLAB_DATA_DIR/tokenizers}}
step run "$DETOXLAB" run --profile mini --out "$OUT/run"
step grade "$DETOXLAB" grade solutions/detox_lab.ipynb --out "$OUT/grade"
step bench "$DETOXLAB" bench --profile "${BENCH_PROFILE:-full}" --repeat "${BENCH_REPEAT:-3}" --out "$OUT/bench" \
  ${tokenizers:+--tokenizers "$tokenizers"}

"$PY" - "$OUT" "${steps[@]}" <<'EOF'
"""Gather what the steps wrote into one JSON file."""
import json
import platform
import sys
from pathlib import Path

import torch
import transformers
import trl

out = Path(sys.argv[1])


def read(path):
    try:
        return json.loads((out / path).read_text())
    except (OSError, ValueError) as error:
        return {"missing": f"{path}: {error}"}


steps = {}
for entry in sys.argv[2:]:
    name, status, wall = entry.split()
    log = (out / f"{name}.log").read_text(errors="replace").splitlines()
    steps[name] = {"exit": int(status), "wall_s": round(float(wall), 1), "log_tail": log[-15:]}
cuda = torch.cuda.is_available()
report = {
    "device": torch.cuda.get_device_name(0) if cuda else f"cpu ({platform.processor() or platform.machine()})",
    "cuda": torch.version.cuda if cuda else None,
    "versions": {"python": platform.python_version(), "torch": torch.__version__,
                 "transformers": transformers.__version__, "trl": trl.__version__},
    "peak_gpu_memory_note": "per step, in bench.json (the bench measures its own peaks)",
    "steps": steps,
    "run": read("run/metrics.json"),
    "grade": read("grade/results.json"),
    "bench": read("bench/bench.json"),
}
(out / "gpu-check.json").write_text(json.dumps(report, indent=1) + "\n")
print(f"gpu-check: wrote {out / 'gpu-check.json'}")
sys.exit(1 if any(step["exit"] for step in steps.values()) else 0)
EOF
