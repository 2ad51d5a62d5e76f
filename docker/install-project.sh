#!/usr/bin/env bash
# Image build, step 2: this project into .venv (the set-up script's second half), then trl at the course's
# exact commit, which replaces the locked PyPI release (see docker/install-trl.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --project-only
bash docker/install-trl.sh
