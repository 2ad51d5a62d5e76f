"""The image's build and run steps, exercised here: no image can be built on CI machines, so every RUN step of
the Dockerfile is a script in the repo, and these tests run those scripts (the Jupyter entrypoint has its own
test, tests/test_jupyter_entrypoint.py; the full-profile assets, tests/test_fetch.py)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asset_layout import full_layout
from detoxlab.profiles import load_profile
from test_fetch import ADAPTER, URI, bucket, full_profile_for_tests, s3_server  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"


def sh(*argv, env=None, cwd=REPO, timeout=600):
    return subprocess.run(["bash", *map(str, argv)], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def test_hadolint_passes_on_the_dockerfile():
    result = sh(REPO / "docker" / "lint.sh")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /tmp && pip install requests\n")
    result = subprocess.run([VENV_BIN / "hadolint", "--failure-threshold", "info", bad], capture_output=True, text=True)
    assert result.returncode != 0 and "DL3007" in result.stdout  # the 'latest' tag


def test_every_run_step_is_a_repo_script():
    text = (REPO / "Dockerfile").read_text()
    runs = re.findall(r"^RUN (.*)$", text, flags=re.MULTILINE)
    assert len(runs) == 6   # build (2), handout, assets, runtime, gradescope
    for run in runs:
        argv = json.loads(run)
        assert argv[0] == "bash" and len(argv) == 2, run
        script = REPO / argv[1].removeprefix("/opt/detoxlab/")
        assert script.is_file() and os.access(script, os.X_OK), script
    assert "trl" not in "".join(runs) and "25fa1bd8803c9998d95a3c38b2bb27a85235ce7b" in text
    assert re.search(r"^USER 1000$", text, flags=re.MULTILINE) and "EXPOSE 8888" in text
    for variable in ("HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "HF_DATASETS_OFFLINE=1"):
        assert variable in text


def test_dockerignore_keeps_local_state_out():
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", "out"} <= set(ignored)


def test_setup_rejects_an_unknown_step():
    result = sh(REPO / "scripts" / "setup.sh", "--everything")
    assert result.returncode == 2 and "unknown option --everything" in result.stderr


def test_install_torch_checks_the_cpu_build():
    result = sh(REPO / "docker" / "install-torch.sh", "cpu")
    assert result.returncode == 0, result.stderr
    assert re.search(r"install-torch: torch 2\.13\.0\S* \(cpu\)", result.stdout)


def test_install_torch_cuda_variant_command_and_bad_names():
    result = sh(REPO / "docker" / "install-torch.sh", "cu128", env={"DRY_RUN": "1"})
    assert result.returncode == 0, result.stderr
    assert "--index-url https://download.pytorch.org/whl/cu128" in result.stdout and "torch==2.13.0" in result.stdout
    bad = sh(REPO / "docker" / "install-torch.sh", "cuda-latest")
    assert bad.returncode == 2 and "unknown variant" in bad.stderr


def test_the_cuda_lock_holds_pypis_torch_at_the_locked_version_with_hashes_only_for_what_is_new():
    """requirements-cuda.lock (scripts/lock-cuda.sh) must follow requirements.lock's torch, hash every wheel,
    and leave out what requirements.lock pins (it is installed with --no-deps on top of that environment)."""
    def pins(path):
        text = path.read_text()
        return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\\n", text, re.MULTILINE)), text

    cpu, _ = pins(REPO / "requirements.lock")
    cuda, text = pins(REPO / "requirements-cuda.lock")
    assert cuda["torch"] == cpu["torch"].split("+")[0]
    assert not (set(cuda) - {"torch"}) & set(cpu)
    assert any(name.startswith("nvidia-cudnn") for name in cuda), "no cuDNN: is this torch a CUDA build?"
    assert text.count("--hash=sha256:") == len(cuda)
    result = sh(REPO / "docker" / "install-torch.sh", "pypi", env={"DRY_RUN": "1"})
    assert result.returncode == 0, result.stderr
    assert "--require-hashes" in result.stdout and "-r requirements-cuda.lock" in result.stdout


@pytest.mark.slow
def test_install_trl_installs_exactly_the_commit(tmp_path):
    """Against a stand-in archive of a commit (the real one comes from GitHub at image build), in a
    throwaway virtual environment."""
    commit = "ab" * 20
    source = tmp_path / f"trl-{commit}"
    (source / "trl").mkdir(parents=True)
    (source / "trl" / "__init__.py").write_text('__version__ = "0.4.2.dev0"\n')
    (source / "setup.py").write_text('from setuptools import setup\nsetup(name="trl", version="0.4.2.dev0", packages=["trl"])\n')
    # built here into a wheel (the throwaway environment's bundled setuptools is too old to build it; the
    # image builds the real archive with the locked setuptools), filed under the commit's name
    wheels = tmp_path / commit
    subprocess.run([VENV_BIN / "python", "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", wheels, source], check=True, timeout=300)
    [archive] = wheels.glob("trl-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    env = {"VENV": str(venv), "TRL_COMMIT": commit, "TRL_SOURCE": archive.as_uri(), "PIP_NO_INDEX": "1"}
    result = sh(REPO / "docker" / "install-trl.sh", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"install-trl: trl 0.4.2.dev0 from commit {commit}" in result.stdout
    wrong = sh(REPO / "docker" / "install-trl.sh", env={**env, "TRL_COMMIT": "cd" * 20})
    assert wrong.returncode == 2 and "does not name commit" in wrong.stderr


def test_fetch_assets_script(bucket, tmp_path):  # noqa: F811 (fixture)
    endpoint, _, objects = bucket
    profile_path = full_profile_for_tests(tmp_path)
    profile_path.write_text(profile_path.read_text().replace(
        "s3://dlai-generative-ai/models/peft-dialogue-summary-checkpoint/", URI))
    root = tmp_path / "assets"
    full_layout(root, load_profile(profile_path))
    shutil.rmtree(root / "full" / ADAPTER)
    result = sh(REPO / "docker" / "fetch-assets.sh", env={
        "DETOXLAB_ASSETS_DIR": str(root), "DETOXLAB_FETCH_PROFILE": str(profile_path), "DETOXLAB_S3_ENDPOINT": endpoint,
        "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every file matches MANIFEST.json" in result.stdout
    assert sorted(p.name for p in (root / "full" / ADAPTER).iterdir()) == sorted(objects)


def test_fetch_assets_script_needs_a_destination():
    result = sh(REPO / "docker" / "fetch-assets.sh", env={"DETOXLAB_ASSETS_DIR": ""})
    assert result.returncode != 0 and "set DETOXLAB_ASSETS_DIR" in result.stderr


def test_fetch_assets_script_none_fetches_nothing(tmp_path):
    result = sh(REPO / "docker" / "fetch-assets.sh", env={"DETOXLAB_ASSETS_DIR": str(tmp_path / "assets"),
                                                          "DETOXLAB_FETCH_PROFILE": "none"})
    assert result.returncode == 0 and "none fetched" in result.stdout, result.stderr
    assert [p.name for p in (tmp_path / "assets").iterdir()] == ["huggingface"]


def test_create_user_script(tmp_path):
    """Run with stand-ins for useradd/chown (it changes the system's users; the image runs it as root)."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "calls"
    for name in ("useradd", "chown"):
        (stubs / name).write_text(f'#!/bin/sh\necho "{name} $*" >> {calls}\n')
        (stubs / name).chmod(0o755)
    (stubs / "id").write_text("#!/bin/sh\nexit 1\n")  # the user does not exist yet
    (stubs / "id").chmod(0o755)
    home = tmp_path / "home" / "student"
    result = sh(REPO / "docker" / "create-user.sh", env={"PATH": f"{stubs}:{os.environ['PATH']}", "HOME_DIR": str(home)})
    assert result.returncode == 0, result.stderr
    log = calls.read_text()
    assert f"useradd --uid 1000 --create-home --home-dir {home} --shell /bin/bash student" in log
    assert f"chown -R 1000:1000 {home}" in log
    assert (home / "work").is_dir()


def test_entrypoint_modes(tmp_path):
    env = {"HOME": str(tmp_path), "DETOXLAB_WORKSPACE": str(tmp_path / "work")}
    passthrough = sh(REPO / "docker" / "entrypoint.sh", "python", "-c", "import detoxlab, sys; print(sys.prefix)", env=env)
    assert passthrough.returncode == 0 and Path(passthrough.stdout.strip()) == REPO / ".venv"
    run = sh(REPO / "docker" / "entrypoint.sh", "run", "--profile", "tiny", env=env)
    assert run.returncode == 2 and run.stderr.startswith("detoxlab: error: unknown profile 'tiny'")
    assert (tmp_path / "work").is_dir() and not (tmp_path / "work" / "out" / "results.json").exists()


def test_entrypoint_grade_mode(tmp_path):
    from detoxlab import cli

    commands = next(a for a in cli.build_parser()._actions if a.dest == "command").choices
    if "grade" not in commands:
        pytest.skip("`detoxlab grade` is not in this checkout yet")
    result = sh(REPO / "docker" / "entrypoint.sh", "grade", "--help", env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr


def test_gradescope_setup(tmp_path):
    root, assets = tmp_path / "autograder", tmp_path / "assets"
    (root / "source").mkdir(parents=True)
    (assets / "full").mkdir(parents=True)
    (assets / "full" / "MANIFEST.json").write_text('{"files": {}}')
    env = {"AUTOGRADER_ROOT": str(root), "DETOXLAB_HOME": str(REPO), "DETOXLAB_ASSETS_DIR": str(assets)}
    missing = sh(REPO / "gradescope" / "setup.sh", env=env)
    assert missing.returncode == 1 and "run_autograder missing" in missing.stderr
    (root / "source" / "run_autograder").write_text("#!/bin/sh\nexit 0\n")
    answers = [REPO / name for name in ("answer_key", "solutions", "tests")]
    try:
        result = sh(REPO / "gradescope" / "setup.sh", env=env)
        closed = [not os.stat(path).st_mode & 0o007 for path in answers]
    finally:  # this checkout's own modes back (setup closes the answers of the project it sets up)
        for path in answers:
            subprocess.run(["chmod", "-R", "o+rX", str(path)], check=True)
    assert result.returncode == 0, result.stderr
    assert closed == [True, True, True]
    assert os.access(root / "run_autograder", os.X_OK)
    assert "ready" in result.stdout and (root / "results").is_dir()
    elsewhere = sh(REPO / "gradescope" / "setup.sh", env={**env, "DETOXLAB_HOME": str(tmp_path)})
    assert elsewhere.returncode == 1 and f"no detoxlab project in {tmp_path}" in elsewhere.stderr
