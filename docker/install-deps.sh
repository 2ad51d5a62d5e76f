#!/usr/bin/env bash
# Image build, step 1 (the dependency layer): the hash-locked dependencies in .venv, installed by the same
# set-up script CI runs, then the torch variant named by TORCH_VARIANT (default cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --deps-only
bash docker/install-torch.sh "${TORCH_VARIANT:-cpu}"
