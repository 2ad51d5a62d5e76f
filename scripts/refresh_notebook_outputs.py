"""Re-run the solution notebook and store its outputs, then regenerate the student notebook.

Maintainers run this after changing the lab or the stand-in models (`.venv/bin/python
scripts/refresh_notebook_outputs.py`): nbval compares the stored outputs with a fresh run, so they
must come from a real run of the mini profile on the embedded sample, as the test command runs it.

What is kept out of the stored notebook: papermill's bookkeeping (execution metadata, empty ``tags``
lists it adds) and stderr blocks that name this machine's paths (library warnings), which would make
the file differ between machines and leak where it was made.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill

from detoxlab.student import strip_run_metadata

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "detox_lab.ipynb"


def clean(notebook, machine_paths: list[str]) -> None:
    strip_run_metadata(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("name") == "stderr" and any(p in o.get("text", "") for p in machine_paths))]


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k != "DETOXLAB_DATA_DIR"}  # the embedded sample, as nbval runs it
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    os.environ.clear()
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="detoxlab-refresh-") as work:
        executed = Path(work) / SOLUTION.name
        papermill.execute_notebook(str(SOLUTION), str(executed), cwd=work, kernel_name="python3", progress_bar=True)
        notebook = nbformat.read(executed, as_version=4)
    clean(notebook, [str(ROOT), sys.prefix, str(Path.home()), tempfile.gettempdir() + "/"])
    nbformat.write(notebook, SOLUTION)
    print(f"stored outputs of a fresh run in {SOLUTION.relative_to(ROOT)}")
    return subprocess.call([sys.executable, "-m", "detoxlab.cli", "student"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
