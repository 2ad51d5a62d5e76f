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
from check_helpers import MAX_SCORE

from detoxlab import cli, grade
from detoxlab.grade.processes import SANDBOX_ENV
from detoxlab.grade.sandbox import running_as_root

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "grading_corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
LIMITS = {"timeout_cell": 45, "timeout_total": 60, "memory_mb": 3072}
ROOT_ONLY = "needs the grader to run as root: as an ordinary user the submission runs as the same user (docs/grading.md)"


# -- the corpus's files and the command line --------------------------------------------------------

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
    assert payload["extra_data"]["max_score"] == MAX_SCORE
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




