"""detoxlab.grade.batch: a submission whose worker dies still gets a result."""
import json
from pathlib import Path
from types import SimpleNamespace

import checks
from detoxlab.grade import batch
from detoxlab.grade.limits import Limits

CORPUS = Path(__file__).parent / "grading_corpus"


def test_a_worker_that_dies_still_gets_its_submission_a_result(tmp_path, monkeypatch):

    dying = tmp_path / "dying-python"
    dying.write_text("#!/bin/sh\nkill -9 $$\n")
    dying.chmod(0o755)
    monkeypatch.setattr(batch, "sys", SimpleNamespace(executable=str(dying)))
    (tmp_path / "private").mkdir()
    row = batch.grade_one("s", CORPUS / "sys_exit.ipynb", tmp_path / "out" / "results.json", tmp_path / "private",
                          "mini", Limits(), tmp_path / "cache")
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    assert row["outcome"] == payload["extra_data"]["outcome"] == "grader-error"
    assert "signal 9" in payload["output"] and payload["score"] == 0
    assert len([t for t in payload["tests"] if t["visibility"] == "visible"]) == len(checks.all_checks())


def test_a_signal_the_kernel_delivers_to_a_worker_thread_still_reaches_the_graders_handler():
    """The race behind a once-flaky signal test: a process-directed SIGINT may land on any thread. Sent here to
    the worker thread itself (pthread_kill), it must still run the grader's handler, in the main thread, while
    the main thread waits for the workers; a main thread blocked in one wait would sleep through it."""
    import signal
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    # as from a terminal: a test process started in the background without job control inherits SIGINT ignored,
    # and the grader rightly keeps an ignored SIGINT ignored (tests/test_grade_signals.py says more)
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    stop = batch._Stop()
    stop.workers_started = True            # the handler then records the signal instead of raising
    previous = {**stop.install()}
    previous[signal.SIGINT] = inherited    # restored as it was found
    started = threading.Event()
    worker_thread = {}

    def task():
        worker_thread["ident"] = threading.get_ident()
        started.set()
        return stop.event.wait(20)          # what a worker's thread waits for: the grader's signal

    def deliver():
        started.wait(10)
        time.sleep(0.3)                     # the main thread is waiting by now
        signal.pthread_kill(worker_thread["ident"], signal.SIGINT)

    try:
        sender = threading.Thread(target=deliver)
        sender.start()
        begun = time.monotonic()
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen = batch.results_in_order([pool.submit(task)])
        sender.join()
        assert seen == [True] and stop.signum == signal.SIGINT
        assert time.monotonic() - begun < 5
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
