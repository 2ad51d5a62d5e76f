"""A submission's user can read what its notebook needs, or the grader stops before any submission runs.

As root a submission runs as an unprivileged user id of its own: data in a private folder (a mode-700
folder, a home) is staged into its sandbox; what the kernel reads in place (the interpreter, the virtual
environment, the project) is checked first, and a problem stops the grader with one line naming the path,
with a results.json for every submission that says it was not graded (no score, marked for staff).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from detoxlab import cli
from detoxlab.data import EMBEDDED_DIR
from detoxlab.grade import batch, view
from detoxlab.grade.limits import Limits
from detoxlab.grade.sandbox import Sandbox, running_as_root

NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "only", "metadata": {}, "outputs": [],
                       "source": "print('ran')"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
READ_AS_THE_SUBMISSION = """
import os, sys
from detoxlab.data import load_raw, resolve_source
from detoxlab.profiles import load_profile
source = resolve_source(load_profile("mini").data)
print(source.kind, os.environ["DETOXLAB_DATA_DIR"], {split: len(rows) for split, rows in load_raw(source).items()})
"""


@pytest.fixture
def parent():
    """A folder for sandboxes that their users may pass through, as the grader's own (in /tmp) is: pytest's
    folders are private to their owner."""
    folder = Path(tempfile.mkdtemp(prefix="detoxlab-access-", dir="/tmp"))
    folder.chmod(0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_data(tmp_path, monkeypatch):
    """DialogSum CSVs in a folder only root can enter, named by DETOXLAB_DATA_DIR."""
    folder = tmp_path / "private"
    shutil.copytree(EMBEDDED_DIR, folder / "dialogsum")
    folder.chmod(0o700)
    monkeypatch.setenv("DETOXLAB_DATA_DIR", str(folder))
    return folder / "dialogsum"


@pytest.mark.skipif(not running_as_root(), reason="a submission has a user of its own only when the grader is root")
def test_data_in_a_private_folder_is_staged_where_the_submission_can_read_it(tmp_path, parent, private_data, mini):
    box = Sandbox(parent, Limits())
    notebook = tmp_path / "submission.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK))
    try:
        box.copy_submission(notebook)  # as the worker does: the sandbox becomes its user's
        box.stage_profile(mini)
        box._plan = box._view()
        env = box.environment()

        def as_submission(code, environment):
            return subprocess.run([sys.executable, "-c", code], env=environment, cwd="/", capture_output=True,
                                  text=True, timeout=120, preexec_fn=box._become_submission)

        # the problem: in place, the data cannot be read by the submission's user
        unstaged = as_submission(READ_AS_THE_SUBMISSION, {**env, "DETOXLAB_DATA_DIR": str(private_data.parent)})
        assert unstaged.returncode != 0 and "Permission denied" in unstaged.stderr, unstaged.stderr[-2000:]
        # staged: the kernel's DETOXLAB_DATA_DIR names the copy in its sandbox, which it reads
        assert Path(env["DETOXLAB_DATA_DIR"]).parent == box.root
        staged = as_submission(READ_AS_THE_SUBMISSION, env)
        assert staged.returncode == 0, staged.stderr[-2000:]
        assert "csv-dir" in staged.stdout and "'train': 126" in staged.stdout, staged.stdout
    finally:
        box.cleanup()
    assert not box.root.exists()


def test_an_unreadable_dependency_stops_the_grader_before_any_submission(tmp_path, monkeypatch, capsys, no_data_dir):
    # something the kernel reads in place, unreadable to a submission's user (as root: a folder only root
    # enters; as an ordinary user, where the submission runs as the grader: a file no one may read)
    hidden = tmp_path / "hidden"
    hidden.mkdir(mode=0o700)
    needed = hidden / "needed.py"
    needed.write_text("x = 1\n")
    needed.chmod(0o000)
    real = view.needed_in_place
    monkeypatch.setattr(view, "needed_in_place", lambda *args, **kwargs: [*real(*args, **kwargs), str(needed)])
    monkeypatch.setattr(batch, "grade_one", lambda *args, **kwargs: pytest.fail("a submission was started"))
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in ("first", "second"):
        (submissions / f"{name}.ipynb").write_text(json.dumps(NOTEBOOK))
    out = tmp_path / "out"

    status = cli.main(["grade", str(submissions), "--out", str(out)])

    error = capsys.readouterr().err
    assert status == 2 and error.count("\n") == 1 and error.startswith("detoxlab: error: "), error
    assert f"cannot read {needed}" in error and "permission denied" in error, error
    for name in ("first", "second"):
        payload = json.loads((out / name / "results.json").read_text())
        assert payload["output"].startswith("Not graded: the grader could not start"), payload["output"]
        assert str(needed) not in payload["output"]  # the reason is for staff
        assert payload["extra_data"]["not_graded"] == "grader-setup" and payload["extra_data"]["needs_staff"] is True
        assert "score" not in payload
        staff = [test["output"] for test in payload["tests"] if test["visibility"] == "hidden"]
        assert any(str(needed) in text for text in staff)


def test_what_the_kernel_reads_in_place_is_readable_here(parent, mini, no_data_dir):
    """The check itself passes on this checkout (no false alarm), and names what it covered."""
    probe = Sandbox(parent, Limits())
    try:
        assert probe.unreadable(mini) is None
    finally:
        probe.cleanup()
    covered = view.needed_in_place(mini, data_and_models=True)
    project = Path(batch.__file__).resolve().parents[2]
    assert str(project / "detoxlab") in covered and str(project / "checks") in covered
    assert any(path.endswith("site-packages") for path in covered)


def test_first_unreadable_names_the_blocking_folder(tmp_path):
    readable = tmp_path / "open"
    readable.mkdir()
    (readable / "a.txt").write_text("a")
    assert view.first_unreadable([str(readable)]) is None
    assert view.first_unreadable([str(tmp_path / "missing")])[1].startswith("not there")
    if os.geteuid() != 0:  # root reads anything: the as-another-user case is the test above
        (readable / "a.txt").chmod(0)
        assert view.first_unreadable([str(readable)]) == [str(readable / "a.txt"), "permission denied"]


@pytest.mark.skipif(not running_as_root(), reason="a submission has a user of its own only when the grader is root")
def test_without_a_mount_namespace_the_kernel_runs_as_its_own_user_or_the_grader_says_why(parent, mini, no_data_dir,
                                                                                          monkeypatch):
    """Root in a container with Docker's default capabilities (Gradescope) cannot unshare a mount namespace.
    Where nothing the kernel needs sits behind a folder closed to others (the Gradescope image), the kernel
    runs as its own user in the file system as it is; where something does (a Python under /root), the
    grader stops with one line naming the folder and the reason, before any submission runs."""
    monkeypatch.setattr(view, "_MOUNT_NAMESPACE", False)
    box = Sandbox(parent, Limits())
    try:
        closed = box._view()[0]
        problem = box.unreadable(mini)
        if closed:
            assert problem[0] == sorted(closed)[0] and "CAP_SYS_ADMIN" in problem[1], problem
        else:
            assert problem is None and box._plan == ({}, [], [])
            done = subprocess.run([sys.executable, "-I", "-c", "import os; print(os.getuid())"], capture_output=True,
                                  text=True, timeout=60, preexec_fn=box._become_submission)
            assert done.returncode == 0 and int(done.stdout) == box.uid != 0, done.stderr
    finally:
        box.cleanup()


@pytest.mark.skipif(not running_as_root() or not view.mount_namespace_available(),
                    reason="a private view of the file system needs root and a mount namespace")
def test_a_submission_cannot_read_the_answers_while_it_is_graded(parent):
    """The kernel imports detoxlab and checks, but finds the answer key, the solution notebook and the tests
    (with their corpus of graded notebooks) empty and closed."""
    from detoxlab.profiles import PACKAGE_DIR

    project = PACKAGE_DIR.parent
    box = Sandbox(parent, Limits())
    try:
        box._plan = box._view()
        assert box._plan[2] == [str(project / name) for name in ("answer_key", "solutions", "tests")]
        code = ("import importlib, os, sys\n"
                "import checks, detoxlab.ppo\n"
                f"project = {str(project)!r}\n"
                "for name in ('answer_key', 'solutions', 'tests'):\n"
                "    try:\n"
                "        print(name, os.listdir(os.path.join(project, name)))\n"
                "    except OSError as error:\n"
                "        print(name, type(error).__name__)\n"
                "try:\n"
                "    importlib.import_module('answer_key.data')\n"
                "    print('imported')\n"
                "except (ImportError, OSError) as error:\n"
                "    print('not imported')\n"
                "from checks.bundle import answer_key_available\n"
                "print(answer_key_available())\n")
        done = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, timeout=120,
                              env=box.environment(), preexec_fn=box._become_submission)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split("\n")[:5] == ["answer_key PermissionError", "solutions PermissionError",
                                                 "tests PermissionError", "not imported", "False"], done.stdout
        assert (project / "answer_key" / "data.py").is_file()  # the grader's own view is untouched
    finally:
        box.cleanup()


@pytest.mark.skipif(not running_as_root(), reason="only root may unshare a mount namespace")
def test_the_mount_namespace_probe_finds_one_for_root_on_a_machine(monkeypatch):
    monkeypatch.setattr(view, "_MOUNT_NAMESPACE", None)
    assert view.mount_namespace_available() is True
    monkeypatch.setattr(view, "_MOUNT_NAMESPACE", None)   # as an unprivileged process: refused
    monkeypatch.setattr(view.sys, "executable", "/bin/false")
    assert view.mount_namespace_available() is False
