"""`detoxlab grade` stopped by SIGTERM or SIGINT leaves no process of any submission and a results.json for
every submission that says grading was interrupted (no score, marked for staff).

The grader runs as a command in a session of its own, with a TMPDIR of its own, so its private folder, the
workers' specs, the sandboxes and the kernels' connection files all lie there: a process whose command line
or working folder names that folder (or the test's) is one of this grading's (as root, so is any process of
a sandbox's user id seen in one of those while it ran).
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from detoxlab.grade.processes import UID_RANGE

PROJECT = Path(__file__).resolve().parent.parent

# --jobs 2: the first two (sorted by name) are running when the signal comes, the third is waiting
SUBMISSIONS = {
    "a_busy_loop": "while True:\n    pass",
    "b_daemon": "import subprocess, time\nsubprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                "print('daemon started', flush=True)\ntime.sleep(600)",
    "c_sleeper": "import time\ntime.sleep(600)",
}


def _sigint_as_at_a_terminal() -> None:
    """The grader starts with SIGINT at its default, as from a terminal. A process started in the background by
    a shell without job control (``cmd &`` in a script, as a CI runner may start the tests) inherits SIGINT
    ignored, and the grader rightly keeps an ignored SIGINT ignored (as under nohup): then "SIGINT to its
    process group" would wait 90 s for nothing. That was this test's intermittent failure."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _notebook(source: str) -> dict:
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": "only", "metadata": {}, "outputs": [],
                       "source": source}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _ours(root: Path, uids: set[int]) -> list[psutil.Process]:
    """Live (not zombie) processes of this grading, other than the test itself."""
    found = []
    for process in psutil.process_iter(["cmdline", "uids", "status"]):
        if process.pid == os.getpid() or process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            named = any(str(root) in part for part in process.info["cmdline"] or [])
            if named or process.info["uids"].real in uids or process.cwd().startswith(str(root)):
                found.append(process)
        except (psutil.Error, OSError, AttributeError):
            continue
    return found


def _sandbox_uids(mine: list[psutil.Process]) -> set[int]:
    """The user ids of this grading's sandboxes (as root: one per submission, from a range no account uses)."""
    return {p.info["uids"].real for p in mine if p.info["uids"] and UID_RANGE[0] <= p.info["uids"].real < UID_RANGE[1]}


def _cpu_seconds(processes) -> float:
    total = 0.0
    for process in processes:
        try:
            total += process.cpu_times().user
        except psutil.Error:
            pass
    return total


def _wait_for(condition, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds:.0f} s; grader's output:\n{log.read_text(errors='replace')[-3000:]}")


def _why_still_running(grader, temp: Path, uids: set[int], log: Path, how: str) -> str:
    """What a grader that did not end after the signal was doing: its processes, the workers' and kernels' logs
    in its private folder, and every thread's stack (SIGUSR1: the grader's faulthandler writes them to its log)."""
    grader.send_signal(signal.SIGUSR1)
    time.sleep(2)
    alive = [(p.pid, p.info["status"], " ".join((p.info["cmdline"] or [])[:5])[:160]) for p in _ours(temp, uids)]
    logs = {}
    for path in sorted(temp.rglob("*.log")):
        try:
            logs[str(path.relative_to(temp))] = path.read_text(errors="replace")[-1500:]
        except OSError as error:
            logs[str(path.relative_to(temp))] = f"unreadable: {error}"
    return (f"the grader did not end within 90 s of {how}\nstill running: {alive}\nlogs in its private folder: "
            f"{json.dumps(logs, indent=1)}\ngrader's output, with every thread's stack at the end:\n"
            f"{log.read_text(errors='replace')[-8000:]}")


@pytest.fixture
def temp():
    """The grader's TMPDIR: a folder of its own that a sandbox's user may pass through, as /tmp is (pytest's
    own folders are private to their owner, and a submission's user could not reach its sandbox there)."""
    folder = Path(tempfile.mkdtemp(prefix="detoxlab-signals-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM to the grader", "SIGINT to its process group", "SIGTERM during its set-up"])
def test_a_signal_stops_the_grader_and_every_submission_says_so(tmp_path, temp, how):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    for name, source in SUBMISSIONS.items():
        (submissions / f"{name}.ipynb").write_text(json.dumps(_notebook(source)))
    log = tmp_path / "grader.log"
    env = {**os.environ, "TMPDIR": str(temp)}
    env.pop("DETOXLAB_DATA_DIR", None)
    with open(log, "wb") as handle:
        grader = subprocess.Popen([sys.executable, "-m", "detoxlab.cli", "grade", str(submissions), "--out", str(out),
                                   "--jobs", "2", "--timeout-cell", "300", "--timeout-total", "400"],
                                  stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=PROJECT,
                                  start_new_session=True, preexec_fn=_sigint_as_at_a_terminal)
    uids: set[int] = set()
    try:
        if how == "SIGTERM during its set-up":  # its private folder exists: handlers are in place, no worker yet
            _wait_for(lambda: any(temp.iterdir()), 60, "the grader made no private folder", log)
        else:
            def both_running():  # the busy loop has burnt CPU time and the daemon notebook has started its child
                mine = _ours(temp, uids)
                uids.update(_sandbox_uids(mine))
                loop = [p for p in mine if "job-a_busy_loop" in " ".join(p.info["cmdline"] or [])]
                return _cpu_seconds(loop) > 1.0 and any((p.info["cmdline"] or [""])[0] == "sleep" for p in mine)
            _wait_for(both_running, 120, "the two submissions were not both running", log)
        uids.update(_sandbox_uids(_ours(temp, uids)))
        if how.startswith("SIGINT"):
            os.killpg(grader.pid, signal.SIGINT)
        else:
            grader.send_signal(signal.SIGTERM)
        signum = signal.SIGINT if how.startswith("SIGINT") else signal.SIGTERM
        sent = time.monotonic()
        try:
            status = grader.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail(_why_still_running(grader, temp, uids, log, how))
        stopped_after = time.monotonic() - sent
    finally:
        if grader.poll() is None:
            os.killpg(grader.pid, signal.SIGKILL)
            grader.wait()
    output = log.read_text(errors="replace")
    assert status == 128 + signum, output[-3000:]
    assert stopped_after < 45, f"{stopped_after:.0f} s from the signal to the grader's exit"

    deadline = time.monotonic() + 10  # killed processes may take a moment to go
    while (left := _ours(tmp_path, uids) + _ours(temp, uids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, [(p.pid, p.info["cmdline"]) for p in left]
    assert not list(temp.iterdir()), "the grader's private folder was left behind"

    for name in SUBMISSIONS:
        payload = json.loads((out / name / "results.json").read_text())
        assert payload["output"].startswith("Not graded: grading was interrupted"), payload["output"]
        assert signum.name in payload["output"]
        assert payload["extra_data"]["not_graded"] == "interrupted" and payload["extra_data"]["needs_staff"] is True
        assert payload["extra_data"]["outcome"] == "grader-error"
        assert "score" not in payload and all("score" not in test for test in payload["tests"])
    waiting = json.loads((out / "c_sleeper" / "results.json").read_text())
    assert "before this submission ran" in waiting["output"]
    if how != "SIGTERM during its set-up":
        for name in ("a_busy_loop", "b_daemon"):
            assert "while this submission ran" in json.loads((out / name / "results.json").read_text())["output"]
    with open(out / "summary.csv", newline="") as handle:
        assert sorted(row["submission"] for row in csv.DictReader(handle)) == sorted(SUBMISSIONS)
    assert f"interrupted by {signum.name}" in output
