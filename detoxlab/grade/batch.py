"""`detoxlab grade`: find the submissions, grade each in a worker process, write results, summary and table.

Outputs in ``--out``: each submission's ``NAME/results.json``, then ``summary.csv`` (one row per submission)
and ``report.html`` (the class report for course staff, :mod:`detoxlab.grade.report`); a single submission
(a notebook, or a folder with ``--one``) gets only ``results.json``.

Before any submission runs, the grader checks that a submission's user can read what the notebook reads
in place (``Sandbox.unreadable``); data and models are staged into each sandbox. SIGTERM and SIGINT are
forwarded to the workers, which end their kernels and report "grading interrupted"; a submission the
grader could not grade for its own reasons (interrupted, a grader that cannot start) gets a results.json
that says so, without a score, marked for course staff.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from detoxlab.errors import DetoxlabError
from detoxlab.files import private_write
from detoxlab.grade import report, results
from detoxlab.outputs import OutputDirError, writable_dir
from detoxlab.profiles import DEFAULT_PROFILE
from detoxlab.grade.limits import Limits
from detoxlab.grade.sandbox import Sandbox
from detoxlab.grade.worker import RESULT_TAG, _all_failed, summary_row

WORKER_SLACK_SECONDS = 300   # beyond the submission's limits: start-up, copying, the grader's own evaluation
INTERRUPT_GRACE_SECONDS = 30  # after a forwarded signal: how long a worker has to end its kernel and report
POLL_SECONDS = 0.5
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# The worker process: detoxlab.grade.worker's main, with a handler for SIGTERM and SIGINT (run_worker).
WORKER_ENTRY = "import sys\nfrom detoxlab.grade.batch import run_worker\nsys.exit(run_worker(sys.argv[1:]))"


class GradeError(DetoxlabError, RuntimeError):
    """Grading cannot start (bad path, bad options); the message says why in one line."""


class Interrupted(BaseException):
    """SIGTERM or SIGINT before any worker started, raised where the grader was: it unwinds through every
    ``finally`` (the private folder is removed). Not an Exception: no error handler swallows it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Stop:
    """What the grader's signal handler records, for the threads that wait on the workers."""

    def __init__(self):
        self.event = threading.Event()
        self.signum: int | None = None
        self.workers_started = False

    def handler(self, signum, _frame):
        first = self.signum is None
        if first:
            self.signum = signum
        self.event.set()
        if first and not self.workers_started:  # nothing to forward to yet: stop where the grader is
            raise Interrupted(signum)

    def install(self) -> dict:
        """Handle SIGTERM and SIGINT (a SIGINT the grader was started ignoring stays ignored); returns the
        previous handlers. Only the main thread can set handlers: elsewhere nothing changes."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for number in FORWARDED_SIGNALS:
            if number == signal.SIGINT and signal.getsignal(number) == signal.SIG_IGN:
                continue
            previous[number] = signal.signal(number, self.handler)
        return previous


def _interrupted_message(signum: int, ran: bool) -> str:
    when = "while this submission ran" if ran else "before this submission ran"
    return f"grading was interrupted (the grader received {signal.Signals(signum).name}) {when}."


def run_worker(argv: list[str]) -> int:
    """A worker process (``WORKER_ENTRY``): ``detoxlab.grade.worker.main`` under a handler for SIGTERM and
    SIGINT that, wherever the worker is, kills every process of its sandbox (the kernel and whatever it
    started), removes the sandbox, writes the result as "grading interrupted", reports it and exits.
    The handler runs once; further signals are ignored while it works."""
    from detoxlab.grade import worker

    spec_path = Path(argv[0])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    started = time.monotonic()

    def interrupt(signum, _frame):
        for number in FORWARDED_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        code = 1
        try:
            left = _clean_after(Path(spec["private"]))
            payload = results.not_graded(spec["name"], "interrupted", _interrupted_message(signum, ran=True),
                                 time.monotonic() - started,
                                 {"interrupted": f"{signal.Signals(signum).name} reached the worker; processes of "
                                                 f"the submission left after the cleanup: {left}"})
            results.write(Path(spec["results"]), payload)
            row = results.not_graded_row(spec["name"], payload, spec["results"])
            report = memoryview((RESULT_TAG + json.dumps({"row": row, "payload": payload}) + "\n").encode())
            while report:  # straight to the pipe: the handler may have stopped the worker inside a print
                report = report[os.write(1, report):]
            code = 0
        finally:
            os._exit(code)  # no interpreter shutdown: nothing of the interrupted work may run or hang

    for number in FORWARDED_SIGNALS:
        signal.signal(number, interrupt)
    return worker.main([str(spec_path)])


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
              cache: Path, stop: _Stop | None = None) -> dict:
    """Run the worker for one submission; if it dies or hangs, clean up after it and write the result here.
    Once ``stop`` is set (the grader got SIGTERM or SIGINT), a worker not yet started is not started, and a
    running one gets the signal and ``INTERRUPT_GRACE_SECONDS`` to report before it is killed."""
    started = time.monotonic()
    if stop is not None and stop.event.is_set():
        payload = results.not_graded(name, "interrupted", _interrupted_message(stop.signum, ran=False))
        results.write(results_path, payload)
        return {**results.not_graded_row(name, payload, results_path), "payload": payload}
    job = private / f"job-{name}"
    job.mkdir(mode=0o711)
    spec = {"name": name, "submission": str(submission.resolve()), "results": str(results_path),
            "private": str(job), "profile": profile_path, "limits": vars(limits), "cache": str(cache)}
    spec_path = job / "spec.json"
    private_write(spec_path, json.dumps(spec))
    budget = limits.total_seconds + limits.startup_seconds + limits.extraction_seconds + WORKER_SLACK_SECONDS
    private_write(job / "worker.log", "")
    with open(job / "worker.log", "wb") as log:
        worker = subprocess.Popen([sys.executable, "-P", "-c", WORKER_ENTRY, str(spec_path)],
                                  stdout=subprocess.PIPE, stderr=log, cwd=job, env=_worker_environment(),
                                  start_new_session=True)
        out, problem = _wait(worker, started + budget, stop, budget)
    reported = [line for line in out.decode("utf-8", "replace").splitlines() if line.startswith(RESULT_TAG)]
    if reported and worker.returncode == 0:
        try:
            done = json.loads(reported[-1][len(RESULT_TAG):])
            return {**done["row"], "payload": done["payload"]}
        except (json.JSONDecodeError, KeyError):
            pass
    # The worker did not finish: make sure nothing of the submission survives, then give it its result.
    _kill_group(worker.pid)
    left = _clean_after(job)
    if stop is not None and stop.event.is_set():
        payload = results.not_graded(name, "interrupted", _interrupted_message(stop.signum, ran=True),
                             time.monotonic() - started,
                             {"interrupted": f"the worker did not report ({problem}); processes of the submission "
                                             f"left after the cleanup: {left}",
                              "worker log": (job / "worker.log").read_text("utf-8", "replace")[-4000:]})
        results.write(results_path, payload)
        return {**results.not_graded_row(name, payload, results_path), "payload": payload}
    message = (f"Grading stopped: the grading process for this submission ended abnormally ({problem}), most likely "
               "because of something the notebook did (killing processes, exhausting the machine). No marks could be given.")
    staff = {"worker log": (job / "worker.log").read_text("utf-8", "replace")[-4000:]}
    payload = results.build(_all_failed("not graded: " + message), results.Outcome(
        "grader-error", message, staff, time.monotonic() - started), {"submission": name})
    results.write(results_path, payload)
    return {**summary_row(name, payload, results_path), "payload": payload}


def results_in_order(futures: list) -> list:
    """The futures' results in their order, waited for in slices of ``POLL_SECONDS``, never in one blocking
    wait. CPython runs a signal's Python handler only in the main thread, and a main thread blocked in a lock
    is woken only by a signal the kernel delivers to it; the kernel may deliver a process-directed SIGTERM or
    SIGINT to any thread, a worker-waiting thread included. Blocked in one wait, the grader would then not see
    the signal until every worker ended by itself (minutes); waking every slice, it runs the handler within
    one (tests/test_grade_batch.py delivers the signal to a worker thread)."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=POLL_SECONDS)
    return [future.result() for future in futures]


def _wait(worker: subprocess.Popen, deadline: float, stop: _Stop | None, budget: float) -> tuple[bytes, str]:
    """(stdout, what went wrong) once the worker has ended: by itself, killed past ``deadline``, or
    killed ``INTERRUPT_GRACE_SECONDS`` after the grader's signal was forwarded to it."""
    forwarded_at = None
    while True:
        if stop is not None and stop.event.is_set() and forwarded_at is None:
            forwarded_at = time.monotonic()
            try:
                worker.send_signal(stop.signum)
            except OSError:
                pass
        try:
            out, _ = worker.communicate(timeout=POLL_SECONDS)
            code = worker.returncode
            return out, f"exit status {code}" if code >= 0 else f"signal {-code}"
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        late = forwarded_at is not None and now > forwarded_at + INTERRUPT_GRACE_SECONDS
        if late or now > deadline:
            _kill_group(worker.pid)
            out, _ = worker.communicate()
            return out, (f"no report within {INTERRUPT_GRACE_SECONDS} s of {signal.Signals(stop.signum).name}" if late
                         else f"no answer within {budget:.0f} s")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _clean_after(job: Path) -> int:
    """Kill and remove what a dead worker's sandbox left (its notes say which user id or token it used);
    returns how many of its processes are still alive (0 when none or no sandbox was made)."""
    try:
        notes = json.loads((job / "sandbox.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return 0
    sandbox = Sandbox.from_notes(notes)
    left = 0 if sandbox.kill_all() else len(sandbox.processes(thorough=True))
    sandbox.cleanup()
    return left


def check_access(private: Path, limits: Limits, profile) -> None:
    """GradeError naming the path and the reason when a submission's kernel could not read something it
    needs in place (see ``Sandbox.unreadable``)."""
    probe = Sandbox(private, limits)
    try:
        found = probe.unreadable(profile)
    finally:
        probe.cleanup()
    if found:
        who = "a submission's user (an unprivileged user id of its own)" if probe.isolate_user else "the grader's user"
        raise GradeError(f"{who} cannot read {found[0]}: {found[1]}; give it read access (chmod o+rX on it and "
                         "its folders) or move it, then grade again")


def main(path, out, profile: str = DEFAULT_PROFILE, jobs: int = 1, timeout_cell: float = Limits.cell_seconds,
         timeout_total: float = Limits.total_seconds, memory_mb: int = Limits.memory_mb, one: bool = False,
         log=print) -> int:
    """Grade PATH into OUT; 0 when every submission got a results file (whatever the scores), else 1;
    128 + the signal's number when SIGTERM or SIGINT stopped it (every submission still has its results.json)."""
    stop = _Stop()
    previous = stop.install()
    try:
        return _grade(path, out, profile, jobs, timeout_cell, timeout_total, memory_mb, one, log, stop)
    except Interrupted as interrupted:
        log(f"detoxlab grade: interrupted by {interrupted} before any submission was found; nothing was graded")
        return 128 + interrupted.signum
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _grade(path, out, profile: str, jobs: int, timeout_cell: float, timeout_total: float, memory_mb: int, one: bool,
           log, stop: _Stop) -> int:
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
    targets = {name: out / "results.json" if single else out / name / "results.json" for name, _ in submissions}
    started = time.monotonic()
    private = Path(tempfile.mkdtemp(prefix="detoxlab-grade-"))
    os.chmod(private, 0o711)   # sandbox users may pass through to their own folder, never list it
    try:
        try:
            log(f"detoxlab grade: {len(submissions)} submission(s), profile {loaded.name}, {jobs} job(s); "
                f"limits {limits.cell_seconds:g} s a cell, {limits.total_seconds:g} s in all, {limits.memory_mb} MB"
                + ("" if os.geteuid() == 0 else "; not root: submissions run as this user (see docs/grading.md)"))
            cache = private / "cache"  # what the checks compute once per batch (checks.resources.Resources.cached)
            try:
                check_access(private, limits, loaded)
                cache.mkdir(mode=0o700)
            except Exception as error:  # nothing can be graded: every submission's result says so, then stop
                reason = str(error) if isinstance(error, GradeError) else \
                    f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"
                for name, _ in submissions:
                    results.write(targets[name], results.not_graded(name, "grader-setup", "the grader could not start (the "
                                                            "reason is in an entry for staff).", staff={"grader": reason}))
                raise GradeError(f"{reason} (nothing was graded; each results.json says so)") from error

            def task(item):
                name, submission = item
                return grade_one(name, submission, targets[name], private, str(loaded.path), limits, cache,
                                 stop)

            stop.workers_started = True
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                rows = results_in_order([pool.submit(task, item) for item in submissions])
            for row in rows:  # the grader's own copy wins over anything written there meanwhile
                results.write(Path(row["results"]), row.pop("payload"))
        finally:
            shutil.rmtree(private, ignore_errors=True)
    except Interrupted:  # before any worker started: none of the submissions ran
        rows = []
        for name, _ in submissions:
            payload = results.not_graded(name, "interrupted", _interrupted_message(stop.signum, ran=False))
            results.write(targets[name], payload)
            rows.append(results.not_graded_row(name, payload, targets[name]))
    elapsed = time.monotonic() - started
    if not single:
        names = list(dict.fromkeys(name for row in rows for name in row["tests"]))
        results.write_summary_csv(out / "summary.csv", rows, names)
        try:  # the class report for staff: a failure here must not hide that every submission was graded
            log(f"detoxlab grade: class report written to {report.write_report(out / 'report.html', rows)}")
        except Exception as error:
            log(f"detoxlab grade: could not write report.html ({type(error).__name__}: {error}); "
                "summary.csv and every results.json are written")
    log(results.table(rows))
    log(f"detoxlab grade: {len(rows)} graded in {elapsed:.0f} s ({60 * len(rows) / max(elapsed, 1e-9):.1f} per minute); "
        f"results in {out}")
    missing = [row["submission"] for row in rows if not Path(row["results"]).is_file()]
    if stop.signum is not None:
        stopped = sum(1 for row in rows if row["outcome"] == "grader-error" and row["max_score"] == "")
        log(f"detoxlab grade: interrupted by {signal.Signals(stop.signum).name}: {stopped} of {len(rows)} "
            "submission(s) not graded, their results.json say so")
        return 128 + stop.signum
    return 1 if missing else 0
