"""Nothing the project starts waits forever: `detoxlab run` (papermill) stops a cell past its limit, a
`detoxlab bench` side past its limit is killed, each with one line saying which limit and how to change it.
(The grader's limits are tested in test_grade_limits.py, test_grade.py and test_grade_signals.py.)"""
import ast
import json
import time
from pathlib import Path

import psutil
import pytest

from detoxlab import bench, run


def _descendants() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_run_stops_a_cell_past_its_time_limit(tmp_path, monkeypatch, no_data_dir):
    notebook = tmp_path / "slow.ipynb"
    notebook.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "p", "metadata": {"tags": ["parameters"]},
                   "outputs": [], "source": "profile_name = 'mini'\noutput_dir = None"},
                  {"cell_type": "code", "execution_count": None, "id": "s", "metadata": {}, "outputs": [],
                   "source": "# waits\nimport time\ntime.sleep(600)"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.setenv(run.CELL_TIMEOUT_ENV, "3")
    started = time.monotonic()
    with pytest.raises(run.RunError) as stopped:
        run.main("mini", tmp_path / "out", notebook=notebook, log=lambda *_: None)
    message = str(stopped.value)
    assert "\n" not in message and "ran past the time limit of 3 s" in message and run.CELL_TIMEOUT_ENV in message
    assert "`import time`" in message, message
    assert time.monotonic() - started < 60
    deadline = time.monotonic() + 10
    while _descendants() and time.monotonic() < deadline:  # the kernel is shut down, not left running
        time.sleep(0.2)
    assert not _descendants(), [p.cmdline() for p in _descendants()]


def test_run_refuses_a_bad_cell_limit_before_anything(tmp_path, monkeypatch):
    monkeypatch.setenv(run.CELL_TIMEOUT_ENV, "soon")
    with pytest.raises(run.RunError, match=f"{run.CELL_TIMEOUT_ENV} must be a positive number of seconds"):
        run.main("mini", tmp_path / "out", log=lambda *_: None)
    assert not (tmp_path / "out").exists()
    monkeypatch.delenv(run.CELL_TIMEOUT_ENV)
    assert run.cell_timeout() == run.CELL_SECONDS


def test_a_bench_side_past_its_limit_is_killed_with_one_line(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text("{}")
    started = time.monotonic()
    with pytest.raises(bench.BenchError) as stopped:  # the child is still importing torch after 0.5 s
        bench._run_child("lab", spec, tmp_path / "lab.json", tmp_path / "lab.log", timeout=0.5)
    assert time.monotonic() - started < 30
    message = str(stopped.value)
    assert "\n" not in message and "did not finish within 0.5 s" in message and bench.SIDE_TIMEOUT_ENV in message
    assert not [p for p in _descendants() if "detoxlab.bench" in " ".join(p.cmdline())]


def test_bench_side_limit_setting(monkeypatch):
    monkeypatch.delenv(bench.SIDE_TIMEOUT_ENV, raising=False)
    assert bench.side_timeout(3) == 3 * bench.SIDE_SECONDS
    monkeypatch.setenv(bench.SIDE_TIMEOUT_ENV, "90")
    assert bench.side_timeout(3) == 90
    monkeypatch.setenv(bench.SIDE_TIMEOUT_ENV, "-1")
    with pytest.raises(bench.BenchError, match="must be a positive number of seconds"):
        bench.side_timeout(1)


def test_the_project_starts_no_subprocess_without_a_limit():
    """Every subprocess call in the package names a timeout, or is waited on with one (the grader's workers
    are polled against their budget, its kernels watched by the sandbox's watchdog)."""
    package = Path(run.__file__).resolve().parent
    unbounded = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "subprocess" \
                    and node.func.attr in ("run", "call", "check_call", "check_output"):
                if not any(keyword.arg == "timeout" for keyword in node.keywords):
                    unbounded.append(f"{path.relative_to(package)}:{node.lineno}")
    assert not unbounded, unbounded
