#!/usr/bin/env bash
# trl at exactly the commit the course used (TRL_COMMIT), from a source archive of that commit (no git
# needed), and a check that the installed trl records that commit. The lock's trl 0.4.2 is the PyPI
# release that followed it (same lab code); this replaces it with the commit itself, which calls itself
# 0.4.2.dev0. TRL_SOURCE overrides where the archive comes from (a mirror, or a local file in tests).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
TRL_COMMIT=${TRL_COMMIT:-25fa1bd8803c9998d95a3c38b2bb27a85235ce7b}
TRL_SOURCE=${TRL_SOURCE:-https://github.com/huggingface/trl/archive/$TRL_COMMIT.tar.gz}
[[ "$TRL_COMMIT" =~ ^[0-9a-f]{40}$ ]] || { echo "install-trl: TRL_COMMIT must be a 40-hex commit, got '$TRL_COMMIT'" >&2; exit 2; }
case "$TRL_SOURCE" in *"$TRL_COMMIT"*) ;; *) echo "install-trl: TRL_SOURCE does not name commit $TRL_COMMIT" >&2; exit 2;; esac
# --use-pep517: without it a pip lacking `wheel` installs with `setup.py install`, which records no origin
"$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation --use-pep517 --force-reinstall "trl @ $TRL_SOURCE"
"$VENV/bin/python" - "$TRL_COMMIT" <<'PY'
import json
import sys
from importlib import metadata
commit = sys.argv[1]
dist = metadata.distribution("trl")
origin = json.loads(dist.read_text("direct_url.json") or "{}")
if commit not in origin.get("url", "") + origin.get("vcs_info", {}).get("commit_id", ""):
    sys.exit(f"install-trl: the installed trl {dist.version} does not come from commit {commit} ({origin})")
print(f"install-trl: trl {dist.version} from commit {commit}")
PY
