"""`detoxlab grade`: find the submissions, grade each in a worker process, write results, summary and table."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from detoxlab.grade import results
from detoxlab.outputs import OutputDirError, writable_dir
from detoxlab.grade.sandbox import Limits, Sandbox, private_write
from detoxlab.grade.worker import RESULT_TAG, _all_failed, summary_row

WORKER_SLACK_SECONDS = 300   # beyond the submission's limits: start-up, copying, the grader's own evaluation


class GradeError(RuntimeError):
    """Grading cannot start (bad path, bad options); the message says why in one line."""


def discover(path: Path, one: bool = False) -> list[tuple[str, Path]]:
    """(name, path) of each submission: PATH itself (a notebook, or with ``one`` a folder), or each
    notebook and each folder directly inside PATH."""
    path = Path(path)
    if not path.exists():
        raise GradeError(f"{path} does not exist")
    if path.is_file() or one:
        return [(path.stem if path.is_file() else path.name, path)]
    entries = sorted(p for p in path.iterdir() if not p.name.startswith(".")
                     and (p.is_dir() or p.suffix == ".ipynb"))
    if not entries:
        raise GradeError(f"{path} holds no submissions (notebooks or folders)")
    named, taken = [], set()
    for entry in entries:
        name = entry.stem if entry.is_file() else entry.name
        while name in taken:
            name += "_"
        taken.add(name)
        named.append((name, entry))
    return named


def _worker_environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update({"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false"})
    return env


def grade_one(name: str, submission: Path, results_path: Path, private: Path, profile_path: str, limits: Limits,
              reference_path: Path) -> dict:
    """Run the worker for one submission; if it dies or hangs, clean up after it and write the result here."""
    job = private / f"job-{name}"
    job.mkdir(mode=0o711)
    spec = {"name": name, "submission": str(submission.resolve()), "results": str(results_path),
            "private": str(job), "profile": profile_path, "limits": vars(limits), "reference": str(reference_path)}
    spec_path = job / "spec.json"
    private_write(spec_path, json.dumps(spec))
    budget = limits.total_seconds + limits.startup_seconds + limits.extraction_seconds + WORKER_SLACK_SECONDS
    started = time.monotonic()
    private_write(job / "worker.log", "")
    with open(job / "worker.log", "wb") as log:
        worker = subprocess.Popen([sys.executable, "-P", "-m", "detoxlab.grade.worker", str(spec_path)],
                                  stdout=subprocess.PIPE, stderr=log, cwd=job, env=_worker_environment(),
                                  start_new_session=True)
        try:
            out, _ = worker.communicate(timeout=budget)
            problem = f"exit status {worker.returncode}" if worker.returncode >= 0 else f"signal {-worker.returncode}"
        except subprocess.TimeoutExpired:
            _kill_group(worker.pid)
            out, _ = worker.communicate()
            problem = f"no answer within {budget:.0f} s"
    reported = [line for line in out.decode("utf-8", "replace").splitlines() if line.startswith(RESULT_TAG)]
    if reported and worker.returncode == 0:
        try:
            done = json.loads(reported[-1][len(RESULT_TAG):])
            return {**done["row"], "payload": done["payload"]}
        except (json.JSONDecodeError, KeyError):
            pass
    # The worker did not finish: make sure nothing of the submission survives, then give it its result.
    _kill_group(worker.pid)
    _clean_after(job)
    message = (f"Grading stopped: the grading process for this submission ended abnormally ({problem}), most likely "
               "because of something the notebook did (killing processes, exhausting the machine). No marks could be given.")
    staff = {"worker log": (job / "worker.log").read_text("utf-8", "replace")[-4000:]}
    payload = results.build(_all_failed("not graded: " + message), results.Outcome(
        "grader-error", message, staff, time.monotonic() - started), {"submission": name})
    results.write(results_path, payload)
    return {**summary_row(name, payload, results_path), "payload": payload}


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _clean_after(job: Path) -> None:
    """Kill and remove what a dead worker's sandbox left (its notes say which user id or token it used)."""
    try:
        notes = json.loads((job / "sandbox.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return
    sandbox = Sandbox.__new__(Sandbox)
    sandbox.isolate_user, sandbox.uid, sandbox.token = notes["isolate_user"], notes["uid"], notes["token"]
    sandbox.gid = sandbox.uid if sandbox.isolate_user else os.getgid()
    sandbox.root, sandbox.kernel_pid, sandbox.kernel_sid = Path(notes["root"]), None, None
    sandbox.kill_all()
    sandbox.cleanup()


def main(path, out, profile: str = "mini", jobs: int = 1, timeout_cell: float = 900, timeout_total: float = 1800,
         memory_mb: int = 4096, one: bool = False, log=print) -> int:
    """Grade PATH into OUT; 0 when every submission got a results file (whatever the scores), else 1."""
    from detoxlab.grade import evidence
    from detoxlab.profiles import load_profile

    if jobs < 1:
        raise GradeError(f"--jobs must be at least 1, got {jobs}")
    try:
        limits = Limits(cell_seconds=timeout_cell, total_seconds=timeout_total, memory_mb=memory_mb)
    except ValueError as error:
        raise GradeError(str(error)) from None
    loaded = load_profile(profile)
    submissions = discover(Path(path), one)
    single = len(submissions) == 1 and (Path(path).is_file() or one)
    try:
        out = writable_dir(out).resolve()
    except OutputDirError as error:
        raise GradeError(str(error)) from None
    started = time.monotonic()
    private = Path(tempfile.mkdtemp(prefix="detoxlab-grade-"))
    os.chmod(private, 0o711)   # sandbox users may pass through to their own folder, never list it
    try:
        log(f"detoxlab grade: {len(submissions)} submission(s), profile {loaded.name}, {jobs} job(s); "
            f"limits {limits.cell_seconds:g} s a cell, {limits.total_seconds:g} s in all, {limits.memory_mb} MB"
            + ("" if os.geteuid() == 0 else "; not root: submissions run as this user (see docs/grading.md)"))
        reference_path = private / "reference.json"
        private_write(reference_path, json.dumps(evidence.reference(loaded)))

        def task(item):
            name, submission = item
            target = out / "results.json" if single else out / name / "results.json"
            return grade_one(name, submission, target, private, str(loaded.path), limits, reference_path)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(task, submissions))
        for row in rows:  # the grader's own copy wins over anything written there meanwhile
            results.write(Path(row["results"]), row.pop("payload"))
    finally:
        shutil.rmtree(private, ignore_errors=True)
    elapsed = time.monotonic() - started
    if not single:
        results.write_summary_csv(out / "summary.csv", rows, list(rows[0]["tests"]))
    log(results.table(rows))
    log(f"detoxlab grade: {len(rows)} graded in {elapsed:.0f} s ({60 * len(rows) / max(elapsed, 1e-9):.1f} per minute); "
        f"results in {out}")
    missing = [row["submission"] for row in rows if not Path(row["results"]).is_file()]
    return 1 if missing else 0
