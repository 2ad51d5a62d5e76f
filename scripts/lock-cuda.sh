#!/usr/bin/env bash
# Write requirements-cuda.lock: PyPI's own torch wheel at requirements.lock's torch version (on Linux x86_64 a
# CUDA build) and the NVIDIA, CUDA and triton wheels it requires, each with its sha256, for CPython 3.11 on
# manylinux x86_64. Packages requirements.lock already pins are left out: the CUDA variant installs this
# lock with --no-deps on top of the CPU environment (docker/install-torch.sh pypi).
# pip resolves without downloading the big wheels where the index serves their metadata; the resolution is
# pip's own (`pip install --dry-run --report`), read back here.
# Usage: bash scripts/lock-cuda.sh     (needs PyPI; rewrites requirements-cuda.lock)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^torch==\([0-9][0-9.]*\).*/\1/p' requirements.lock)
[ -n "$version" ] || { echo "lock-cuda: no torch pin in requirements.lock" >&2; exit 2; }
platforms=(--platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform linux_x86_64)
for n in $(seq 5 39); do platforms+=(--platform "manylinux_2_${n}_x86_64"); done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# --isolated: this machine's pip configuration (find-links with CPU wheels, constraints) must not choose
PIP_FIND_LINKS= PIP_CONSTRAINT= .venv/bin/python -m pip install --isolated --quiet --dry-run --ignore-installed \
  --only-binary=:all: "${platforms[@]}" --python-version 3.11 --implementation cp --target "$scratch/target" \
  --index-url https://pypi.org/simple --report "$scratch/report.json" "torch==$version"
.venv/bin/python - "$scratch/report.json" "$version" > requirements-cuda.lock <<'EOF'
import json
import re
import sys

report, version = json.load(open(sys.argv[1])), sys.argv[2]
locked = {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
          for line in open("requirements.lock") if re.match(r"^[A-Za-z0-9]", line) and "==" in line} - {"torch"}
print(f"""# The CUDA variant's torch, from PyPI: torch=={version} (PyPI's Linux x86_64 wheel is a CUDA build) and the wheels it
# requires that requirements.lock does not pin, for CPython 3.11 on manylinux x86_64, each with its sha256.
# Written by scripts/lock-cuda.sh from pip's own resolution; installed by docker/install-torch.sh pypi with
#   pip install --no-deps --require-hashes --force-reinstall -r requirements-cuda.lock
# on top of the environment requirements.lock made (its torch is the CPU build of the same version).""")
for item in sorted(report["install"], key=lambda i: i["metadata"]["name"].lower()):
    name, release = item["metadata"]["name"], item["metadata"]["version"]
    if re.sub(r"[-_.]+", "-", name).lower() in locked:
        continue
    digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
    print(f"{name.lower()}=={release} \\\n    --hash=sha256:{digest}")
EOF
echo "lock-cuda: wrote requirements-cuda.lock ($(grep -c '^[a-z]' requirements-cuda.lock) packages, torch==$version)"
