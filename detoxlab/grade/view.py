"""The kernel's view of the file system: what it reads in place, whether it can, and (as root) a private view.

A kernel reads the interpreter, the virtual environment and the project where they lie (as an ordinary
user also the data and the profile's model folders): :func:`needed_in_place` lists them and
:func:`check_as` has a process of the submission's user try to read every file below them. As root the
kernel runs in a mount namespace of its own (:func:`private_view`): folders closed to others on the way
to what it needs (:func:`hidden_ancestors`) show only that, and the project and the environment are
read-only. Without a mount namespace (:func:`mount_namespace_available`: a container without
CAP_SYS_ADMIN) it sees the file system as it is, which must then be safe as it is
(:func:`without_private_view`).
"""
from __future__ import annotations

import inspect
import json
import os
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

# the profile's local folders a kernel reads: checked in place as an ordinary user, staged as root (staging.py)
STAGED_LOCATIONS = (("policy", "base_model"), ("policy", "adapter"), ("reward", "model"), ("reward", "toxicity_module"))
ACCESS_CHECK_SECONDS = 120                       # the whole check of what the kernel will read in place


# -- what the kernel reads ------------------------------------------------------------------------------
def data_files(profile) -> list[str]:
    """The DialogSum CSVs a notebook reads when ``DETOXLAB_DATA_DIR`` names them (none otherwise: the
    embedded sample lies inside the project)."""
    from detoxlab.data import SPLITS, resolve_source

    source = resolve_source(profile.data)
    if source.kind != "csv-dir":
        return []
    return [str(Path(source.location) / f"{split}.csv") for split in SPLITS
            if (Path(source.location) / f"{split}.csv").is_file()]


def model_folders(profile) -> list[str]:
    """The profile's local model and module folders (those ``stage_profile`` copies)."""
    found = []
    for section, key in STAGED_LOCATIONS:
        value = getattr(profile, section, {}).get(key)
        if value and Path(profile.location(value)).is_dir():
            found.append(str(Path(profile.location(value)).resolve()))
    return found


def needed_in_place(profile, data_and_models: bool) -> list[str]:
    """Files and folders a kernel reads where they lie: the interpreter's standard library and the
    virtual environment's site-packages, the project's packages, and with ``data_and_models`` the data
    files and model folders. A folder inside another one listed is left out; a ``site-packages`` folder
    not listed itself (the base interpreter's) is skipped by the check."""
    import importlib.util

    installed = sysconfig.get_paths()
    paths = [os.path.realpath(installed[key]) for key in ("stdlib", "purelib", "platlib")
             if os.path.isdir(installed[key])]
    for package in ("detoxlab", "checks"):
        spec = importlib.util.find_spec(package)
        paths += [os.path.realpath(p) for p in (spec.submodule_search_locations or [])] if spec else []
    if data_and_models:
        paths += data_files(profile) + model_folders(profile)
    paths = list(dict.fromkeys(paths))
    return [p for p in paths if not any(p != q and p.startswith(q.rstrip(os.sep) + os.sep) for q in paths)]


# -- whether it can -------------------------------------------------------------------------------------
def first_unreadable(paths):
    """The first file or folder under ``paths`` that this process cannot read (a folder: list and enter),
    as [path, reason], or None. Folders named site-packages are skipped unless listed themselves.
    Self-contained (the access check runs its source as the submission's user)."""
    import os

    def why(path):
        parts = os.path.abspath(path).split(os.sep)
        for depth in range(2, len(parts)):  # a folder on the way that cannot be entered
            folder = os.sep.join(parts[:depth]) or os.sep
            if not os.access(folder, os.X_OK):
                return "permission denied: its folder %s cannot be entered" % folder
        try:
            if os.path.isdir(path):
                os.listdir(path)
                os.stat(os.path.join(path, "."))
            else:
                with open(path, "rb"):
                    pass
        except OSError as error:
            return (error.strerror or type(error).__name__).lower()
        return "not readable by this user"

    listed = set(paths)
    for top in paths:
        try:
            os.lstat(top)
        except FileNotFoundError:
            return [top, "not there in the kernel's view of the file system"]
        except OSError:
            return [top, why(top)]
        if not os.access(top, os.R_OK | (os.X_OK if os.path.isdir(top) else 0)):
            return [top, why(top)]
        failures = []
        for folder, dirs, files in os.walk(top, onerror=failures.append):
            if failures:
                break
            dirs[:] = [d for d in dirs if d != "site-packages" or os.path.join(folder, d) in listed]
            for name in dirs:
                path = os.path.join(folder, name)
                if not os.path.islink(path) and not os.access(path, os.R_OK | os.X_OK):
                    return [path, why(path)]
            for name in files:
                path = os.path.join(folder, name)
                if not os.access(path, os.R_OK) and os.path.exists(path):
                    return [path, why(path)]
        if failures:
            return [failures[0].filename or top, why(failures[0].filename or top)]
    return None


def check_as(paths: list[str], become) -> tuple[str, str] | None:
    """(path, reason) for the first file or folder under ``paths`` that a process cannot read which
    runs ``become`` (as ``preexec_fn``: the kernel's view and user) before it starts, or None."""
    # It runs first_unreadable's source, not an import of this module: the project itself is among what
    # is checked, and a user who cannot read it must still get an answer that names the path.
    code = (inspect.getsource(first_unreadable)
            + "\nimport json, sys\nprint(json.dumps(first_unreadable(json.loads(sys.argv[1]))))\n")
    try:
        done = subprocess.run([sys.executable, "-I", "-c", code, json.dumps(paths)], cwd="/",
                              env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, capture_output=True, text=True,
                              timeout=ACCESS_CHECK_SECONDS, preexec_fn=become)
    except subprocess.TimeoutExpired:
        return paths[0], f"the check of what the kernel reads did not finish within {ACCESS_CHECK_SECONDS} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return sys.executable, f"the interpreter does not start as the submission's user ({last})"
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return sys.executable, f"the access check printed no answer ({done.stdout[-200:]!r})"
    return (found[0], found[1]) if found else None


# -- a private view of the file system for the kernel (root only) ------------------------------------
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
CLONE_NEWNS = 0x00020000


def _libc():
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
    return libc, ctypes


def _call(result: int, ctypes, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


_MOUNT_NAMESPACE: bool | None = None   # probed once per grader process


def mount_namespace_available() -> bool:
    """Whether a child of this process may make a private mount namespace (it needs CAP_SYS_ADMIN): yes
    for root on a machine, no for root in a container started with Docker's default capabilities, as
    Gradescope's are. Probed once, in a separate process, so the grader's own namespace never changes."""
    global _MOUNT_NAMESPACE
    if _MOUNT_NAMESPACE is None:
        probe = ("import ctypes, ctypes.util, sys\n"
                 f"sys.exit(ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True).unshare({CLONE_NEWNS}) != 0)")
        try:
            _MOUNT_NAMESPACE = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True,
                                              timeout=ACCESS_CHECK_SECONDS).returncode == 0
        except subprocess.TimeoutExpired:
            _MOUNT_NAMESPACE = False
    return _MOUNT_NAMESPACE


def hidden_ancestors(paths) -> dict[str, set[str]]:
    """{folder others cannot enter: {its children on the way to ``paths``}} (e.g. /root: {.pyenv})."""
    found: dict[str, set[str]] = {}
    for path in paths:
        parts = Path(os.path.realpath(path)).parts
        for depth in range(1, len(parts) - 1):
            folder = os.path.join(*parts[: depth + 1])
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                found.setdefault(folder, set()).add(parts[depth + 1])
                break
    return found


def private_view(expose: dict[str, set[str]], read_only: list[str], hidden: list[str] = ()) -> None:
    """In a new mount namespace (runs in the kernel's process, as root, before it drops to its user):
    each folder in ``expose`` becomes an empty tmpfs holding only the listed children, bound from the
    originals (so the interpreter under a private home is reachable, and nothing else there is), each
    path in ``read_only`` becomes read-only, and each folder in ``hidden`` (the answers: the answer key,
    the solution notebook, the tests) an empty folder no one may open."""
    libc, ctypes = _libc()
    _call(libc.unshare(CLONE_NEWNS), ctypes, "unshare")
    _call(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), ctypes, "make / private")
    for folder, children in expose.items():
        handles = {child: os.open(os.path.join(folder, child), os.O_PATH) for child in children}
        _call(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, b"mode=0755,size=1m"), ctypes, f"tmpfs on {folder}")
        for child, handle in handles.items():
            target = os.path.join(folder, child)
            os.mkdir(target, 0o755)
            _call(libc.mount(f"/proc/self/fd/{handle}".encode(), target.encode(), None, MS_BIND | MS_REC, None),
                  ctypes, f"bind {target}")
            os.close(handle)
    for path in read_only:
        target = os.path.realpath(path).encode()
        _call(libc.mount(target, target, None, MS_BIND | MS_REC, None), ctypes, f"bind {path}")
        _call(libc.mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None), ctypes, f"read-only {path}")
    for path in hidden:
        _call(libc.mount(b"tmpfs", os.path.realpath(path).encode(), b"tmpfs", MS_RDONLY, b"mode=0000,size=4k"),
              ctypes, f"hide {path}")


def answers_in(project: Path) -> list[str]:
    """The folders of ``project`` that hold the answers (``detoxlab.student.ANSWERS``) and are there."""
    from detoxlab.student import ANSWERS

    return [str(Path(project) / name) for name in ANSWERS if (Path(project) / name).is_dir()]


def open_to_others(path: str) -> bool:
    """Whether a user other than the owner (and not in its group) may read or enter ``path``."""
    return bool(os.stat(path).st_mode & (stat.S_IROTH | stat.S_IXOTH))


def without_private_view(expose: dict) -> tuple[str, str] | None:
    """(path, reason) when the submission's user cannot be given what it needs without a private view:
    a folder on the way that others cannot enter, a project or environment others may write, or answers
    (the answer key, the solution notebook, the tests) others may read."""
    advice = ("this grader cannot give the submission a private view of the file system (no mount "
              "namespace: a container without CAP_SYS_ADMIN); ")
    for folder in sorted(expose):
        return folder, advice + "install the project and its Python where other users can read them"
    from detoxlab.profiles import PACKAGE_DIR

    for path in (PACKAGE_DIR.parent, Path(sys.prefix), Path(sys.base_prefix)):
        if os.stat(path).st_mode & stat.S_IWOTH:
            return str(path), advice + "others may write here, so the submission could change it"
    for path in answers_in(PACKAGE_DIR.parent):
        if open_to_others(path):
            return path, advice + ("a submission could read the answers here: close it to others (chmod o-rwx, as "
                                   "gradescope/setup.sh does)")
    return None
