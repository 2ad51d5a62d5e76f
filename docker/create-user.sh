#!/usr/bin/env bash
# Image runtime stage: the unprivileged user (uid 1000) the container runs as, with a writable home and a
# workspace for the student's notebooks (mount a host folder there to keep them).
set -euo pipefail
USER_NAME=${USER_NAME:-student}
USER_ID=${USER_ID:-1000}
HOME_DIR=${HOME_DIR:-/home/$USER_NAME}
if ! id -u "$USER_NAME" >/dev/null 2>&1; then
  useradd --uid "$USER_ID" --create-home --home-dir "$HOME_DIR" --shell /bin/bash "$USER_NAME"
fi
mkdir -p "$HOME_DIR/work" "$HOME_DIR/.cache"
chown -R "$USER_ID:$USER_ID" "$HOME_DIR"
