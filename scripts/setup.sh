#!/usr/bin/env bash
# One-command set-up on a fresh machine with Python 3.11: a virtual environment in .venv holding the
# hash-locked dependencies and this project (editable, so `checks` imports from any notebook).
# The image build runs it in two steps (docker/install-*.sh): --deps-only, then --project-only.
#
# torch is locked as its CPU build (torch==X+cpu), which PyPI does not serve: when the indexes pip is
# configured with do not list that build, PyTorch's CPU index is added as an extra index. Its address is
# DETOXLAB_TORCH_INDEX (default https://download.pytorch.org/whl/cpu); setting the variable always adds
# it, setting it empty never does. The lock's hashes are checked whichever index serves a file.
set -euo pipefail
cd "$(dirname "$0")/.."
STEP=${1:-all}
case "$STEP" in all|--deps-only|--project-only) ;; *) echo "setup: unknown option $STEP" >&2; exit 2;; esac

# The oldest Python every locked package accepts: tests/test_setup.py checks each one's Requires-Python.
PYTHON_MIN=3.11.0
if [ -n "${PYTHON:-}" ]; then
  command -v "$PYTHON" >/dev/null || { echo "setup: PYTHON=$PYTHON is not a command" >&2; exit 1; }
else
  PYTHON=python3.11
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  command -v "$PYTHON" >/dev/null \
    || { echo "setup: no python3.11 or python3 found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
fi
# (written for any Python, so that an old one is refused in one line rather than a syntax error)
"$PYTHON" - "$PYTHON_MIN" <<'PY' || exit 1
import sys
least = tuple(int(part) for part in sys.argv[1].split("."))
if not (tuple(sys.version_info[:3]) >= least and tuple(sys.version_info[:2]) == least[:2]):
    wanted = "%d.%d" % least[:2] + (" (%s or later)" % sys.argv[1] if least[2] else "")
    found = "%d.%d.%d" % tuple(sys.version_info[:3])
    sys.exit("setup: Python %s is required, found %s (%s); set PYTHON=/path/to/python%d.%d"
             % (wanted, found, sys.executable, least[0], least[1]))
PY

# pip says "Location 'file:///.../<project>/' is ignored: it is neither a file nor a directory" once per
# project when an index in the machine's pip configuration is a local folder without that project's page.
# It only means the project comes from another index, so that one message is left out; everything else
# pip writes is kept, and the exit status is pip's.
pip_() {
  { .venv/bin/python -m pip "$@" 2>&1 1>&3 3>&- \
      | sed -E "/^WARNING: Location 'file:[^']*' is ignored: it is neither a file nor a directory\.$/d" >&2; } 3>&1
}

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
if [ "$STEP" != --project-only ]; then
  torch_index=()
  torch_version=$(sed -n 's/^torch==\([^ ]*\).*/\1/p' requirements.lock)
  if [ -n "${DETOXLAB_TORCH_INDEX+set}" ]; then
    [ -z "$DETOXLAB_TORCH_INDEX" ] || torch_index=(--extra-index-url "$DETOXLAB_TORCH_INDEX")
  elif [ -n "$torch_version" ] && ! .venv/bin/python -m pip index versions torch --retries 1 --timeout 30 2>/dev/null \
         | sed -n 's/^Available versions: //p' | tr -s ', ' '\n' | grep -xF "$torch_version" >/dev/null; then
    torch_index=(--extra-index-url https://download.pytorch.org/whl/cpu)
    echo "setup: torch $torch_version is not on the configured indexes; adding PyTorch's CPU index ${torch_index[1]}"
  fi
  # --use-pep517: rouge-score comes as source only; build it the same way with every pip (an older pip
  # without `wheel` would otherwise fall back to, and warn about, `setup.py install`)
  pip_ install --quiet --require-hashes --use-pep517 ${torch_index[@]+"${torch_index[@]}"} -r requirements.lock
fi
[ "$STEP" = --deps-only ] || pip_ install --quiet --no-deps --no-build-isolation -e .
.venv/bin/python -m ipykernel install --sys-prefix --name detoxlab --display-name "Python (detoxlab)" >/dev/null
# JupyterLab's own settings (its notification plugin): no "official Jupyter news?" question on a student's first
# screen, and no check for updates, which would reach the network; the lab notebook is all the student sees
mkdir -p .venv/share/jupyter/lab/settings
cat > .venv/share/jupyter/lab/settings/overrides.json <<'JSON'
{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}
JSON
echo "setup: ready. Activate with: source .venv/bin/activate"
