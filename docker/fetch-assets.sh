#!/usr/bin/env bash
# Image build, assets stage: everything the full profile loads, fetched once into DETOXLAB_ASSETS_DIR and
# verified; the runtime stage copies that directory and sets the offline variables.
# DETOXLAB_FETCH_PROFILE (default full; none fetches nothing) and DETOXLAB_S3_ENDPOINT (with HF_ENDPOINT for
# the hub) exist for tests and mirrors.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DETOXLAB_ASSETS_DIR:?set DETOXLAB_ASSETS_DIR to where the assets go}"
profile=${DETOXLAB_FETCH_PROFILE:-full}
if [ "$profile" = none ]; then   # an image without baked assets: the runtime stage still copies the folder
  mkdir -p "$DETOXLAB_ASSETS_DIR/huggingface"
  echo "fetch-assets: none fetched (DETOXLAB_FETCH_PROFILE=none): the full profile needs the hub and S3"
  exit 0
fi
endpoint=()
[ -z "${DETOXLAB_S3_ENDPOINT:-}" ] || endpoint=(--endpoint-url "$DETOXLAB_S3_ENDPOINT")
.venv/bin/detoxlab assets fetch --profile "$profile" --dest "$DETOXLAB_ASSETS_DIR" "${endpoint[@]}"
name=$(.venv/bin/python -c 'import sys; from detoxlab.profiles import load_profile; print(load_profile(sys.argv[1]).name)' "$profile")
.venv/bin/detoxlab assets verify --dir "$DETOXLAB_ASSETS_DIR/$name" --no-load
rm -rf "$DETOXLAB_ASSETS_DIR/huggingface/datasets/downloads"  # raw copies of what the cache already holds
du -sh "$DETOXLAB_ASSETS_DIR"
