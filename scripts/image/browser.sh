#!/usr/bin/env bash
# What the lab's smoke test drives a real browser with: Debian's chromium and chromium-driver (apt), and a
# small virtual environment with selenium and tornado (the Jupyter API client) in $IMAGE_WORK/browser.
# Idempotent; prints the environment's python.
set -euo pipefail
WORK=${IMAGE_WORK:-/var/tmp/detoxlab-image}
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "browser: install chromium and chromium-driver (Debian packages) or run as root" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -x "$WORK/browser/bin/python" ]; then
  python3 -m venv "$WORK/browser"
  "$WORK/browser/bin/python" -m pip install --quiet "selenium==4.27.1" "tornado==6.4.2" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; } >&2
fi
echo "$WORK/browser/bin/python"
