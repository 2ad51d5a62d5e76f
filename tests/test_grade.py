"""`detoxlab grade`: results always written, the hostile corpus gets its expected scores, nothing escapes.

The corpus (tests/grading_corpus, written by build_corpus.py) is graded as one batch with --jobs 2;
notebooks that are only safe to run when each submission gets its own user id (kill -1, fork bomb,
writes into the project) run only when the tests run as root.
"""
import json
import os
import stat
import sys
import tomllib
from pathlib import Path

import psutil
import pytest

from detoxlab import cli, grade
from detoxlab.grade import evidence, results
from detoxlab.grade.processes import SANDBOX_ENV
from detoxlab.grade.sandbox import running_as_root
from detoxlab.grade.worker import InvalidSubmission, prepare, read_notebook

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "grading_corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
LIMITS = {"timeout_cell": 45, "timeout_total": 60, "memory_mb": 3072}
ROOT_ONLY = "needs the grader to run as root: as an ordinary user the submission runs as the same user (docs/grading.md)"


# -- results ---------------------------------------------------------------------------------------

def test_cap_keeps_both_ends_and_the_limit():
    text = "start " + "x" * 10_000 + " end"
    capped = results.cap(text, 500)
    assert len(capped) <= 500 and capped.startswith("start") and capped.endswith("end") and "cut" in capped
    assert results.cap("short", 500) == "short"


def test_results_are_gradescope_shaped_and_private(tmp_path):
    from checks import CheckResult

    checks_ = [CheckResult("a", True, 1.0, 1.0, "fine"), CheckResult("b", False, 0.0, 1.0, "y" * 50_000)]
    payload = results.build(checks_, results.Outcome("timeout-cell", "timed out after 5 s in cell 3.",
                                                     {"traceback": "z" * 50_000}, 7.25))
    assert payload["score"] == 1.0 and payload["execution_time"] == 7.2
    assert payload["output"].startswith("timed out after 5 s in cell 3.")
    visible = [t for t in payload["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in payload["tests"] if t["visibility"] == "hidden"]
    assert [t["status"] for t in visible] == ["passed", "failed"]
    assert hidden and all("score" not in t for t in hidden)
    path = results.write(tmp_path / "r" / "results.json", payload)
    assert json.loads(path.read_text()) == payload
    assert path.stat().st_size < 20_000
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- evidence: only the grader cell's own tagged line counts -----------------------------------------

def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_evidence_needs_the_nonce_exactly_once():
    nonce = evidence.new_nonce()
    good = nonce + json.dumps({"evidence": {"dataset": {"train": 1}}})
    assert evidence.parse([_stream("noise\n" + good + "\n")], nonce)[0]["evidence"]["dataset"] == {"train": 1}
    other = evidence.new_nonce() + json.dumps({"evidence": {}})
    assert evidence.parse([_stream(other)], nonce)[0] is None
    payload, problem = evidence.parse([_stream(good + "\n" + good)], nonce)
    assert payload is None and "tampered" in problem
    assert evidence.parse([{"output_type": "stream", "name": "stderr", "text": good}], nonce)[0] is None


def test_every_check_is_judged_or_says_why_it_was_not(mini):
    from checks.resources import Resources

    drawn = {"change": {"before": [0.5, 0.5], "after": [0.25, 0.25]}}
    payload = {"evidence": {"change": {"change": -50.0}}, "problems": {"reward": "NameError: reward_fn"}}
    results = {r.name: r for r in evidence.grade(payload, "", drawn, Resources(mini))}
    assert len(results) == 8 and results["signed change"].passed
    assert not results["reward signs"].passed and "NameError: reward_fn" in results["reward signs"].message
    assert "not graded: no evidence" in results["dataset sizes"].message
    dead = {r.name: r for r in evidence.grade(None, "the kernel died", drawn, Resources(mini))}
    assert all(not r.passed and "the kernel died" in r.message for r in dead.values())


# -- reading and preparing notebooks ----------------------------------------------------------------

@pytest.mark.parametrize("name, words", [("empty", "is empty"), ("invalid_json", "not valid notebook JSON"),
                                         ("not_a_notebook", "not a Jupyter notebook")])
def test_unreadable_notebooks_say_why(name, words):
    with pytest.raises(InvalidSubmission, match=words):
        read_notebook(CORPUS / f"{name}.ipynb")


def test_prepare_injects_the_profile_after_the_parameters_cell(tmp_path):
    notebook = read_notebook(CORPUS / "syntax_error.ipynb")
    prepared, positions = prepare(notebook, tmp_path / "p.toml")
    assert positions == [1, None, 2, 3]
    assert str(tmp_path / "p.toml") in prepared.cells[1].source
    assert all(not cell.outputs for cell in prepared.cells)


def test_corpus_files_match_their_builder():
    sys.path.insert(0, str(CORPUS))
    try:
        import build_corpus
    finally:
        sys.path.remove(str(CORPUS))
    for name, text in build_corpus.files().items():
        assert (CORPUS / name).read_text(encoding="utf-8") == text, f"{name}: run tests/grading_corpus/build_corpus.py"


def test_cli_bad_input_is_one_line_and_exit_2(capsys, tmp_path):
    assert cli.main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["grade", str(CORPUS / "empty.ipynb"), "--out", str(tmp_path / "o"), "--jobs", "0"]) == 2
    assert not (tmp_path / "o" / "results.json").exists()


# -- the corpus, graded as one batch ------------------------------------------------------------------

def _sandbox_processes():
    found = []
    for process in psutil.process_iter():
        try:
            if SANDBOX_ENV in process.environ():
                found.append(process.pid)
        except psutil.Error:
            continue
    return found


def _watched_files():
    """What the hostile notebooks try to change (the rest of the checkout is being edited by others)."""
    watched = {}
    for path in [PROJECT / "README.md", PROJECT / "pyproject.toml", CORPUS / "expected.toml",
                 *sorted((PROJECT / "checks").glob("*.py"))]:
        watched[str(path)] = path.read_bytes() if path.exists() else None
    watched["PWNED"] = (PROJECT / "PWNED.txt").exists()
    watched["tmp results"] = Path("/tmp/results.json").exists()  # writes_project leaves one there: cleaned after
    for folder in ("detoxlab/stand_ins/reward-model", "detoxlab/stand_ins/policy-adapter", "detoxlab/measurements"):
        for path in sorted((PROJECT / folder).rglob("*")):
            if path.is_file() and path.suffix != ".lock":
                info = path.stat()
                watched[str(path)] = (path.read_bytes(), info.st_uid, stat.S_IMODE(info.st_mode))
    return watched


@pytest.fixture(scope="module")
def graded_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    submissions = root / "submissions"
    submissions.mkdir()
    chosen = {name: spec for name, spec in EXPECTED.items() if running_as_root() or not spec["needs_isolation"]}
    for name in chosen:
        (submissions / f"{name}.ipynb").write_bytes((CORPUS / f"{name}.ipynb").read_bytes())
    before, running = _watched_files(), set(_sandbox_processes())  # other graders may be running meanwhile
    status = grade.main(submissions, root / "out", "mini", jobs=2, log=lambda *_: None, **LIMITS)
    return {"status": status, "out": root / "out", "chosen": chosen, "before": before, "after": _watched_files(),
            "left": sorted(set(_sandbox_processes()) - running)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_notebook_gets_its_expected_score(graded_corpus, name):
    spec = EXPECTED[name]
    if name not in graded_corpus["chosen"]:
        pytest.skip(ROOT_ONLY)
    payload = json.loads((graded_corpus["out"] / name / "results.json").read_text())
    assert payload["score"] == spec["score"], payload["output"]
    assert payload["extra_data"]["max_score"] == 8
    if spec["outcome"] != "any":
        assert payload["extra_data"]["outcome"] == spec["outcome"], payload["output"]
    if payload["extra_data"]["outcome"].startswith("timeout"):
        assert payload["execution_time"] <= LIMITS["timeout_total"] + 20
        assert "timed out after" in payload["output"] and "cell" in payload["output"]
    for test in payload["tests"]:
        assert set(test) >= {"name", "output", "visibility"}
        if test["visibility"] == "visible":
            assert test["status"] in ("passed", "failed") and test["output"]
    assert (graded_corpus["out"] / name / "results.json").stat().st_size < 60_000


@pytest.mark.slow
def test_the_batch_succeeds_leaves_no_process_and_no_change(graded_corpus):
    assert graded_corpus["status"] == 0
    assert graded_corpus["left"] == []
    assert graded_corpus["after"] == graded_corpus["before"]
    summary = (graded_corpus["out"] / "summary.csv").read_text().splitlines()
    assert summary[0].startswith("submission,score,max_score,outcome") and len(summary) == len(graded_corpus["chosen"]) + 1
    assert not any(Path(graded_corpus["out"], name).is_dir() for name in ("results.json",))


@pytest.mark.slow
def test_a_kernel_runs_as_its_own_user_when_the_grader_is_root(tmp_path):
    if not running_as_root():
        pytest.skip(ROOT_ONLY)
    notebook = tmp_path / "who.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                              "source": "import os\nprint('uid', os.getuid())\n"
                                                        "open('/root/.probe', 'w')"}],
                                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    status = grade.main(notebook, tmp_path / "out", "mini", log=lambda *_: None, timeout_cell=20, timeout_total=40)
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    assert status == 0 and payload["extra_data"]["outcome"] == "cell-errors"
    assert "PermissionError" in payload["output"] or "Read-only" in payload["output"] or "OSError" in payload["output"]
    assert not Path("/root/.probe").exists()


# -- the reference solution ---------------------------------------------------------------------------

@pytest.mark.slow
def test_the_solution_gets_full_marks(tmp_path, no_data_dir):
    status = grade.main(PROJECT / "solutions" / "detox_lab.ipynb", tmp_path / "out", "mini", log=lambda *_: None,
                        timeout_cell=3600, timeout_total=5400)  # generous: CI machines are shared
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    failed = {t["name"]: t["output"] for t in payload["tests"] if t.get("status") == "failed"}
    assert status == 0 and payload["extra_data"]["outcome"] == "completed", payload["output"]
    assert payload["extra_data"]["max_score"] == 8
    assert payload["score"] == 8 and not failed, failed


def test_a_worker_that_dies_still_gets_its_submission_a_result(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from detoxlab.grade import batch
    from detoxlab.grade.limits import Limits

    dying = tmp_path / "dying-python"
    dying.write_text("#!/bin/sh\nkill -9 $$\n")
    dying.chmod(0o755)
    monkeypatch.setattr(batch, "sys", SimpleNamespace(executable=str(dying)))
    (tmp_path / "private").mkdir()
    (tmp_path / "reference.json").write_text("{}")
    row = batch.grade_one("s", CORPUS / "sys_exit.ipynb", tmp_path / "out" / "results.json", tmp_path / "private",
                          "mini", Limits(), tmp_path / "reference.json")
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    assert row["outcome"] == payload["extra_data"]["outcome"] == "grader-error"
    assert "signal 9" in payload["output"] and payload["score"] == 0
    assert len([t for t in payload["tests"] if t["visibility"] == "visible"]) == 8


def test_same_user_cleanup_finds_a_daemon_that_left_the_session(tmp_path):
    """Without a user id of its own, the sandbox's processes are found by session, group and token."""
    import subprocess
    import time

    from detoxlab.grade.limits import Limits
    from detoxlab.grade.sandbox import Sandbox

    sandbox = Sandbox(tmp_path, Limits(), isolate_user=False)
    daemon_pid = tmp_path / "daemon.pid"
    script = ("import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              f"        open({str(daemon_pid)!r}, 'w').write(str(os.getpid()))\n        time.sleep(600)\n"
              "    os._exit(0)\ntime.sleep(600)\n")
    kernel = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, SANDBOX_ENV: sandbox.token},
                              start_new_session=True)
    sandbox.kernel_pid = sandbox.kernel_sid = kernel.pid
    for _ in range(100):
        if daemon_pid.exists() and daemon_pid.read_text():
            break
        time.sleep(0.1)
    daemon = psutil.Process(int(daemon_pid.read_text()))
    assert os.getsid(daemon.pid) != kernel.pid
    assert sandbox.kill_all()
    kernel.wait(timeout=10)
    assert not daemon.is_running() or daemon.status() == psutil.STATUS_ZOMBIE
    sandbox.cleanup()
    assert not sandbox.root.exists()


def test_hidden_ancestors_names_the_folder_to_expose():
    import shutil
    import tempfile

    from detoxlab.grade.view import hidden_ancestors

    base = Path(tempfile.mkdtemp())  # in the system's temporary folder, which anyone may enter
    try:
        base.chmod(0o755)
        private = base / "home"
        (private / "python" / "bin").mkdir(parents=True)
        private.chmod(0o700)
        assert hidden_ancestors([private / "python" / "bin"]) == {str(private): {"python"}}
        private.chmod(0o755)
        assert hidden_ancestors([private / "python" / "bin"]) == {}
    finally:
        shutil.rmtree(base)


@pytest.mark.slow
def test_gradescope_entry_point_writes_results_for_a_folder_without_notebook(tmp_path):
    import subprocess

    submission, results_dir = tmp_path / "submission", tmp_path / "results"
    submission.mkdir()
    (submission / "notes.txt").write_text("I forgot the notebook")
    env = {**os.environ, "SUBMISSION_DIR": str(submission), "RESULTS_DIR": str(results_dir),
           "DETOXLAB": str(Path(sys.executable).parent / "detoxlab")}
    done = subprocess.run(["bash", str(PROJECT / "gradescope" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads((results_dir / "results.json").read_text())
    assert payload["score"] == 0 and payload["extra_data"]["outcome"] == "no-notebook"
    assert "No notebook" in payload["output"]
    assert not (results_dir / "summary.csv").exists()


@pytest.mark.parametrize("name", ["mini", "full"])
def test_profiles_survive_the_staging_writer(name):
    from detoxlab.grade.staging import _toml
    from detoxlab.profiles import PROFILE_DIR

    raw = tomllib.loads((PROFILE_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    assert tomllib.loads(_toml(raw)) == raw


def test_a_second_frozen_adapter_is_not_counted_as_the_policy():
    """The lab may keep its KL reference as a frozen second adapter in the same model."""
    from checks.parameters import other_adapter

    expected = {"base.w": [[100, 100], False], "q.lora_A.default.weight": [[4, 4], True]}
    assert other_adapter("q.lora_B.reference.weight", expected)
    assert not other_adapter("q.lora_B.default.weight", expected)
    assert not other_adapter("base.w", expected)
