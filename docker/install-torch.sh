#!/usr/bin/env bash
# torch for the image: "cpu" keeps the locked CPU wheel (and checks it is one); "pypi" replaces it with PyPI's
# own wheel of the same version, a CUDA build, and the NVIDIA libraries it needs, all hash-checked from
# requirements-cuda.lock (scripts/lock-cuda.sh writes it); a variant such as "cu128" takes the same torch
# version from PyTorch's index for that variant instead, without hashes (that index cannot be locked from here).
# DRY_RUN=1 prints the install command instead of running it.
set -euo pipefail
cd "$(dirname "$0")/.."
VARIANT=${1:-cpu}
VENV=${VENV:-.venv}
TORCH_INDEX_BASE=${TORCH_INDEX_BASE:-https://download.pytorch.org/whl}
if ! [[ "$VARIANT" =~ ^(cpu|pypi|cu[0-9]{3}|rocm[0-9.]+)$ ]]; then
  echo "install-torch: unknown variant '$VARIANT': use cpu, pypi (CUDA, from requirements-cuda.lock), cuNNN (e.g. cu128) or rocmX.Y" >&2
  exit 2
fi
locked=$(sed -n 's/^torch==\([0-9][0-9.]*\).*/\1/p' requirements.lock)
[ -n "$locked" ] || { echo "install-torch: no torch pin in requirements.lock" >&2; exit 2; }
if [ "$VARIANT" = pypi ]; then
  grep -qx "torch==$locked \\\\" requirements-cuda.lock \
    || { echo "install-torch: requirements-cuda.lock does not lock torch==$locked; run scripts/lock-cuda.sh" >&2; exit 2; }
  # only the configured index: a find-links folder may hold the CPU wheel of the same version
  command=(env -u PIP_FIND_LINKS "$VENV/bin/python" -m pip install --no-deps --require-hashes --force-reinstall
           -r requirements-cuda.lock)
elif [ "$VARIANT" != cpu ]; then
  command=("$VENV/bin/python" -m pip install --force-reinstall --index-url "$TORCH_INDEX_BASE/$VARIANT"
           --extra-index-url https://pypi.org/simple "torch==$locked")
fi
if [ "$VARIANT" != cpu ]; then
  if [ "${DRY_RUN:-0}" = 1 ]; then echo "${command[*]}"; exit 0; fi
  "${command[@]}"
fi
"$VENV/bin/python" - "$VARIANT" "$locked" <<'PY'
import sys
import torch
variant, locked = sys.argv[1:]
version = torch.__version__.split("+")[0]
accelerator = torch.version.cuda or getattr(torch.version, "hip", None)
if version != locked or (variant == "cpu") != (accelerator is None):
    sys.exit(f"install-torch: torch {torch.__version__} (CUDA/ROCm {accelerator}) is not the {variant} build of {locked}")
print(f"install-torch: torch {torch.__version__} ({variant})")
PY
