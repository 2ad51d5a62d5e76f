"""The set-up works anywhere: the lock names no local path or index, every locked package installs on the
oldest Python that scripts/setup.sh accepts (an older one is refused in one line), and the set-up adds
PyTorch's CPU index exactly when the configured indexes lack the locked CPU build of torch."""
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parent.parent
LOCK = PROJECT / "requirements.lock"
SETUP = PROJECT / "scripts" / "setup.sh"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

LOCAL_HOST = re.compile(r"^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[?::1\]?|0\.0\.0\.0)")
FILE_URL = re.compile(r"\bfile:\S")
PATH_TOKEN = re.compile(r"(?:^|[\s=,'\"])((?:~|\.\.?)?/[^\s'\",]+)")
OPTIONS_WITH_A_LOCATION = ("--index-url", "-i", "--extra-index-url", "--find-links", "-f", "--trusted-host")


def local_references(text: str) -> list[str]:
    """Every place a requirements file names something of one machine: a file: URL, a path, a local or
    private host, an editable or direct reference."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"line {number}: {line}"
        if FILE_URL.search(line) or PATH_TOKEN.search(line):
            found.append(where)
            continue
        if line.startswith("#") or not line:
            continue
        option, _, value = line.partition(" ") if line.startswith("-") else ("", "", "")
        option, _, inline = option.partition("=")
        value = (inline or value).strip()
        if option in OPTIONS_WITH_A_LOCATION:
            host = re.sub(r"^[a-z+]+://", "", value).split("/")[0].split("@")[-1]
            if not value.startswith("https://") and option != "--trusted-host" or LOCAL_HOST.match(host):
                found.append(where)
        elif option in ("-e", "--editable", "-r", "--requirement", "-c", "--constraint") or " @ " in line:
            found.append(where)
    return found


def locked() -> dict[str, str]:
    """{canonical name: version} of every requirement in the lock."""
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", LOCK.read_text(encoding="utf-8"), re.M)
    return {canonicalize_name(name): version for name, version in pins}


def test_the_lock_names_no_local_path_or_index():
    assert local_references(LOCK.read_text(encoding="utf-8")) == []
    assert local_references((PROJECT / "requirements.in").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("line", [
    "--extra-index-url file:///srv/mirror/simple",
    "--find-links /srv/wheels",
    "--find-links=./wheels",
    "-f ~/wheels",
    "--index-url http://localhost:8080/simple",
    "--extra-index-url https://192.168.1.5/simple",
    "--extra-index-url http://mirror.example.org/simple",
    "torch @ file:///home/someone/torch-2.13.0-cp311-cp311-linux_x86_64.whl",
    "-e ../detoxlab",
    "#    pip-compile --find-links /srv/wheels requirements.in",
])
def test_the_lock_check_catches_local_references(line):
    assert local_references(f"# header\n{line}\nnumpy==1.26.4 \\\n    --hash=sha256:{'0' * 64}\n")


def test_public_indexes_pass_the_lock_check():
    assert not local_references(f"--extra-index-url {TORCH_CPU_INDEX}\n--index-url https://pypi.org/simple\n")


def test_every_pin_is_exact_and_hashed():
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1] if text.startswith("-") else text)
    requirements = [b for b in blocks if re.match(r"[A-Za-z0-9]", b)]
    assert len(requirements) == len(locked()) > 100
    for block in requirements:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+ \\\n", block), block.splitlines()[0]
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_torch_is_the_cpu_build_which_setup_knows_where_to_find():
    assert locked()["torch"].endswith("+cpu")
    assert TORCH_CPU_INDEX in SETUP.read_text(encoding="utf-8")


def _python_min() -> str:
    return re.search(r"^PYTHON_MIN=(\d+\.\d+\.\d+)$", SETUP.read_text(encoding="utf-8"), re.M).group(1)


def test_every_locked_package_accepts_the_oldest_python_setup_allows():
    oldest = _python_min()
    checked, refused = 0, []
    for name, version in locked().items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != version:  # not the locked release (the image replaces trl with a commit)
            continue
        checked += 1
        requires = dist.metadata.get("Requires-Python")
        if requires and oldest not in SpecifierSet(requires):
            refused.append(f"{name}=={version} requires Python {requires}")
    assert checked > 0.9 * len(locked()), f"only {checked} of {len(locked())} locked packages are installed here"
    assert not refused, (f"scripts/setup.sh accepts Python {oldest}, but: {'; '.join(refused)}. Lock releases "
                         "that install on it, or raise PYTHON_MIN there")


# -- scripts/setup.sh, in a scratch copy of the project ----------------------------------------------------

FAKE_PYTHON = r"""#!/usr/bin/env bash
# stands in for .venv/bin/python: logs each call; `pip index versions torch` lists $FAKE_TORCH_VERSIONS
echo "$*" >> "$(dirname "$0")/../calls.log"
if [ "$1 $2 $3 $4" = "-m pip index versions" ]; then
  echo "torch (2.15.0)"; echo "Available versions: $FAKE_TORCH_VERSIONS"
elif [ "$1 $2 $3" = "-m pip install" ]; then
  echo "WARNING: Location 'file:///somewhere/simple/absl-py/' is ignored: it is neither a file nor a directory." >&2
  echo "WARNING: something pip really wants to say" >&2
fi
exit 0
"""


@pytest.fixture
def scratch(tmp_path):
    """A copy of what scripts/setup.sh reads, with a fake .venv/bin/python that records what it is asked."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SETUP, tmp_path / "scripts" / "setup.sh")
    shutil.copy(LOCK, tmp_path / "requirements.lock")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def _setup(folder: Path, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DETOXLAB_TORCH_INDEX"}
    environment.update(PYTHON=sys.executable, **env)
    return subprocess.run(["bash", str(folder / "scripts" / "setup.sh")], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=60)


def _lock_install(folder: Path) -> str:
    calls = (folder / ".venv" / "calls.log").read_text().splitlines()
    return next(call for call in calls if call.startswith("-m pip install") and "requirements.lock" in call)


@pytest.mark.parametrize("listed, env, expected", [
    ("2.15.0, 2.13.0+cpu, 2.13.0", {}, None),                       # the configured indexes have it
    ("2.15.0, 2.13.0", {}, TORCH_CPU_INDEX),                         # PyPI alone: add PyTorch's CPU index
    ("2.15.0, 2.13.0", {"DETOXLAB_TORCH_INDEX": "https://mirror.example.org/whl/cpu"},
     "https://mirror.example.org/whl/cpu"),
    ("2.15.0, 2.13.0", {"DETOXLAB_TORCH_INDEX": ""}, None),          # set empty: never added
])
def test_setup_adds_pytorchs_cpu_index_when_the_indexes_lack_torch(scratch, listed, env, expected):
    done = _setup(scratch, FAKE_TORCH_VERSIONS=listed, **env)
    assert done.returncode == 0, done.stderr
    install = _lock_install(scratch)
    assert "--require-hashes" in install
    if expected is None:
        assert "--extra-index-url" not in install
    else:
        assert f"--extra-index-url {expected} -r requirements.lock" in install


def test_setup_drops_only_pips_message_about_local_index_folders(scratch):
    done = _setup(scratch, FAKE_TORCH_VERSIONS="2.13.0+cpu")
    assert done.returncode == 0
    assert "is ignored" not in done.stderr and "Location" not in done.stderr
    assert done.stderr.count("WARNING: something pip really wants to say") == 2  # the lock, then the project


@pytest.mark.parametrize("least", ["3.11.99", "3.10.0"])
def test_setup_refuses_a_python_the_lock_does_not_install_on_in_one_line(scratch, least):
    script = scratch / "scripts" / "setup.sh"
    script.write_text(re.sub(r"^PYTHON_MIN=.*$", f"PYTHON_MIN={least}", script.read_text(), flags=re.M))
    done = _setup(scratch, FAKE_TORCH_VERSIONS="2.13.0+cpu")
    found = ".".join(map(str, sys.version_info[:3]))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("setup: Python 3."), done.stderr
    assert f"found {found}" in done.stderr and "PYTHON=" in done.stderr
    assert not (scratch / ".venv" / "calls.log").exists()  # refused before anything was installed


def test_jupyterlab_asks_nothing_on_the_first_screen():
    """The set-up turns JupyterLab's news and update check off with its own settings: each override names a
    setting of the installed notification plugin's schema, with a value the schema accepts."""
    import json

    root = Path(__file__).resolve().parent.parent / ".venv" / "share" / "jupyter" / "lab"
    overrides = json.loads((root / "settings" / "overrides.json").read_text())
    plugin = "@jupyterlab/apputils-extension:notification"
    schema = json.loads((root / "schemas" / "@jupyterlab" / "apputils-extension" / "notification.json").read_text())
    assert overrides == {plugin: {"fetchNews": "false", "checkForUpdates": False}}
    assert {"const": "false", "title": "Never"} in schema["properties"]["fetchNews"]["oneOf"]
    assert schema["properties"]["checkForUpdates"]["type"] == "boolean"
