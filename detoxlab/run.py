"""`detoxlab run`: execute the solution notebook with papermill and collect what it produced.

The output directory receives the executed notebook, ``results.json`` (every graded check),
``metrics.json`` (toxicity before/after, reward and KL per step, timings) and two PNG plots. Inputs are
checked before the notebook starts, so a bad profile, an unwritable directory or missing data or
models fail in a second with one line, and no results file is left from a failed run.

Nothing waits forever: the kernel must start within ``KERNEL_START_SECONDS`` and each cell finish within
``DETOXLAB_RUN_CELL_TIMEOUT`` seconds (default ``CELL_SECONDS``: the full profile's PPO loop is one cell
and takes hours on a CPU); past either, the run stops with one line saying which.
"""
from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from detoxlab.errors import DetoxlabError
from detoxlab.outputs import OutputDirError, writable_dir

if TYPE_CHECKING:  # datasets is slow to import; the CLI checks its arguments first
    from detoxlab.data import DataSource

SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "detox_lab.ipynb"
OUTPUT_FILES = ("results.json", "metrics.json", "training.png", "toxicity.png")
NOTEBOOK_PARAMETERS = ("ppo_steps", "eval_samples", "seed", "dtype")  # what `-p NAME VALUE` may set

CELL_TIMEOUT_ENV = "DETOXLAB_RUN_CELL_TIMEOUT"
CELL_SECONDS = 6 * 3600
KERNEL_START_SECONDS = 120


class RunError(DetoxlabError, RuntimeError):
    """The job cannot start or did not finish; the message says why in one line."""


def prepare_out_dir(out: Path) -> Path:
    try:
        out = writable_dir(out)
    except OutputDirError as error:
        raise RunError(str(error)) from None
    for name in OUTPUT_FILES:  # never leave an earlier run's results beside a failed one
        (out / name).unlink(missing_ok=True)
    return out


def check_inputs(profile) -> DataSource:
    """Fail before the expensive part: the data source resolves and local models exist. Returns the
    data source, so the caller can say which it used."""
    from detoxlab.data import resolve_source

    source = resolve_source(profile.data)
    for key, value in (("policy.base_model", profile.policy["base_model"]), ("policy.adapter", profile.policy["adapter"]),
                       ("reward.model", profile.reward["model"])):
        if value.startswith(("package:", "assets:")) and not Path(profile.location(value)).is_dir():
            hint = "run `detoxlab assets fetch --profile full`" if value.startswith("assets:") else "run `detoxlab assets verify`"
            raise RunError(f"{key} of profile {profile.name} is missing: {profile.location(value)} ({hint})")
    return source


def parse_parameters(pairs) -> dict:
    parameters = {}
    for name, value in pairs or []:
        if name not in NOTEBOOK_PARAMETERS:
            raise RunError(f"unknown parameter {name!r}: the notebook takes {', '.join(NOTEBOOK_PARAMETERS)}")
        parameters[name] = _dtype(value) if name == "dtype" else _integer(name, value)
    return parameters


def _dtype(value: str) -> str:
    from detoxlab.profiles import POLICY_DTYPES

    if value not in POLICY_DTYPES:
        raise RunError(f"parameter dtype must be one of {', '.join(POLICY_DTYPES)}, got {value!r}")
    return value


def _integer(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise RunError(f"parameter {name} must be a whole number, got {value!r}") from None
    if number < (0 if name == "seed" else 1):
        raise RunError(f"parameter {name} must be positive, got {number}")
    return number


def cell_timeout() -> float:
    """Seconds a cell may run: ``DETOXLAB_RUN_CELL_TIMEOUT``, else CELL_SECONDS."""
    from detoxlab.environment import seconds_from_env

    try:
        return seconds_from_env(CELL_TIMEOUT_ENV, CELL_SECONDS)
    except ValueError as error:
        raise RunError(str(error)) from None


def _cell_preview(error: Exception) -> str:
    """The first code line of the cell that nbclient's timeout message previews."""
    lines = str(error).split("-------------------\n", 1)[-1].splitlines()
    code = [line.strip() for line in lines if line.strip() and not line.strip().startswith(("#", "---"))]
    return f" (`{code[0][:80]}`)" if code else ""


@contextlib.contextmanager
def kernel_environment(values: dict):
    """Environment variables the notebook's kernel inherits (papermill starts it with this process's
    environment), set for the duration and put back after."""
    kept = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in kept.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def data_dir_for_the_kernel():
    """The kernel runs in the output folder, so a ``DETOXLAB_DATA_DIR`` relative to where the command started
    (``DETOXLAB_DATA_DIR=../shared/data detoxlab run ...``) is made absolute for it, and put back after."""
    from detoxlab.data import DATA_DIR_ENV

    configured = os.environ.get(DATA_DIR_ENV)
    return kernel_environment({DATA_DIR_ENV: os.path.abspath(configured)} if configured else {})


def main(profile_name: str, out: Path, parameters: dict | None = None, notebook: Path = SOLUTION,
         log=print) -> Path:
    import papermill

    from detoxlab.profiles import load_profile

    timeout = cell_timeout()
    parameters = dict(parameters or {})
    profile = load_profile(profile_name)
    source = check_inputs(profile)
    out = prepare_out_dir(out).resolve()
    log(f"detoxlab run: profile {profile.name}, {source.describe()}, parameters {parameters or 'as in the notebook'}")
    started = time.time()
    executed = out / notebook.name
    try:
        with data_dir_for_the_kernel():
            papermill.execute_notebook(
                str(notebook), str(executed), cwd=str(out), progress_bar=True, log_output=False,
                parameters={"profile_name": str(profile.path), **parameters, "output_dir": str(out)},
                execution_timeout=timeout, start_timeout=KERNEL_START_SECONDS,
            )
    except papermill.PapermillExecutionError as error:
        raise RunError(f"the notebook failed in cell {error.exec_count} ({error.ename}: {error.evalue}); "
                       f"see {executed}") from error
    except TimeoutError as error:  # nbclient's CellTimeoutError; papermill has shut the kernel down
        raise RunError(f"a cell of the notebook{_cell_preview(error)} ran past the time limit of {timeout:g} s "
                       f"(set {CELL_TIMEOUT_ENV} for another); the run was stopped") from None
    except RuntimeError as error:
        if "didn't respond" not in str(error):  # jupyter_client: "Kernel didn't respond in N seconds"
            raise
        raise RunError(f"the notebook's kernel did not start within {KERNEL_START_SECONDS} s; the run was stopped") \
            from None
    missing = [name for name in OUTPUT_FILES if not (out / name).is_file()]
    if missing:
        raise RunError(f"the notebook finished without writing {', '.join(missing)} to {out}")
    log(f"detoxlab run: done in {time.time() - started:.0f} s; wrote {', '.join(OUTPUT_FILES)} and {executed.name} to {out}")
    return out
