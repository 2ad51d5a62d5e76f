"""Isolation: a throwaway working copy, a fresh kernel with limits, a watchdog, and a cleanup that leaves nothing.

One :class:`Sandbox` per submission. Its kernel starts in its own session and process group, in a copy of
the submission, with a minimal environment, resource limits (address space, CPU time, file size, and, as
root, processes) and, when the grader runs as root, as a fresh unprivileged user id that owns nothing
but the sandbox. A watchdog thread enforces the total time and memory limits on every process the
submission started; :meth:`Sandbox.kill_all` stops them all (as root: every process of the sandbox's
user id, whatever session it moved to).

What a submission can still do depends on who the grader runs as (see docs/grading.md): as root it can
write only the sandbox and world-writable directories (cleaned afterwards) and signal only its own
processes; as an ordinary user it runs as that same user, so file permissions do not protect the
grader's files from it.
"""
from __future__ import annotations

import inspect
import json
import os
import resource
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import psutil

SANDBOX_ENV = "DETOXLAB_GRADE_SANDBOX"          # a random token every process of the submission inherits
UID_RANGE = (1_500_000_000, 1_600_000_000)       # ids no account uses; one fresh id per submission
WORLD_WRITABLE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
STAGED_LOCATIONS = (("policy", "base_model"), ("policy", "adapter"), ("reward", "model"), ("reward", "toxicity_module"))
LINK_MIN_BYTES = 2**20           # staged model files at least this large are hard-linked (as root), not copied
PASSED_ENV = ("LANG", "LC_ALL", "DETOXLAB_DATA_DIR", "DETOXLAB_THREADS")
ACCESS_CHECK_SECONDS = 120                       # the whole check of what the kernel will read in place


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, memory in MB (the sum over all its processes)."""
    cell_seconds: float = 900.0
    total_seconds: float = 1800.0
    memory_mb: int = 4096
    processes: int = 256           # tasks (processes and threads) of the sandbox user; torch starts a few dozen
    file_mb: int = 1024            # largest file it may write
    startup_seconds: float = 60.0  # the kernel must answer within this
    extraction_seconds: float = 600.0  # the grader's evidence cell: it calls the student's functions (a PPO step, generations)

    def __post_init__(self):
        for name in ("cell_seconds", "total_seconds", "memory_mb", "processes", "file_mb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name.replace('_', '-')} must be positive, got {getattr(self, name)}")


def running_as_root() -> bool:
    return os.geteuid() == 0


def _free_uid() -> int:
    taken = {p.info["uids"].real for p in psutil.process_iter(["uids"]) if p.info.get("uids")}
    while True:
        uid = secrets.randbelow(UID_RANGE[1] - UID_RANGE[0]) + UID_RANGE[0]
        if uid not in taken:
            return uid


def _proportional_bytes(process: psutil.Process) -> int:
    try:
        with open(f"/proc/{process.pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return process.memory_info().rss


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def private_write(path: Path, text: str) -> None:
    """Create (or truncate) a file only the grader's user can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _force_rmtree(path: Path) -> None:
    """Remove a tree even where its owner removed write or search permission from its folders."""
    def fix(function, failed, _error):
        try:
            os.chmod(os.path.dirname(failed), 0o700)
            if os.path.isdir(failed) and not os.path.islink(failed):
                os.chmod(failed, 0o700)
            function(failed)
        except OSError:
            pass
    if path.exists() or path.is_symlink():
        shutil.rmtree(path, onerror=fix)


def _toml(data: dict, prefix: str = "") -> str:
    """A small TOML writer for profiles (strings, numbers, booleans, lists of those, nested tables)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(f"cannot write {type(v).__name__} to TOML")
    lines = [f"{json.dumps(k)} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            name = f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)
            lines.append(f"\n[{name}]\n{_toml(table, name)}")
    return "\n".join(lines)


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


def private_view(expose: dict[str, set[str]], read_only: list[str]) -> None:
    """In a new mount namespace (runs in the kernel's process, as root, before it drops to its user):
    each folder in ``expose`` becomes an empty tmpfs holding only the listed children, bound from the
    originals (so the interpreter under a private home is reachable, and nothing else there is), and
    each path in ``read_only`` becomes read-only."""
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


class Sandbox:
    """A submission's private folder (work copy, home, temp), user id, environment and processes."""

    def __init__(self, parent: Path, limits: Limits, isolate_user: bool | None = None):
        self.limits = limits
        self.isolate_user = running_as_root() if isolate_user is None else isolate_user
        if self.isolate_user and not running_as_root():
            raise PermissionError("a separate user for the submission needs the grader to run as root")
        self.uid = _free_uid() if self.isolate_user else os.getuid()
        self.gid = self.uid if self.isolate_user else os.getgid()
        self.token = secrets.token_hex(16)
        self.root = Path(parent) / f"sandbox-{secrets.token_hex(8)}"
        self.root.mkdir(mode=0o700)
        self.work, self.home, self.tmp = self.root / "work", self.root / "home", self.root / "tmp"
        for folder in (self.work, self.home, self.tmp):
            folder.mkdir(mode=0o700)
        self.kernel_pid: int | None = None
        self.kernel_sid: int | None = None
        self.data_dir: Path | None = None   # the staged copy of DETOXLAB_DATA_DIR's CSVs, if any

    # -- the files the kernel sees -------------------------------------------------------------------
    def give(self, path: Path, folders_only: bool = False) -> None:
        """Hand ``path`` (and everything below it; with ``folders_only`` its folders) to the sandbox's user.
        A file with more than one link is never given: it may be a hard link to a file of the project."""
        if not self.isolate_user:
            return
        if not path.is_dir():
            if os.lstat(path).st_nlink == 1:
                os.chown(path, self.uid, self.gid, follow_symlinks=False)
            return
        for folder, dirs, files in os.walk(path):
            os.chown(folder, self.uid, self.gid, follow_symlinks=False)
            for name in dirs if folders_only else dirs + files:
                entry = os.path.join(folder, name)
                if os.path.isdir(entry) or os.lstat(entry).st_nlink == 1:
                    os.chown(entry, self.uid, self.gid, follow_symlinks=False)

    def copy_submission(self, source: Path, max_mb: int = 200) -> Path:
        """A throwaway copy of the submission (a notebook, or a folder) as the kernel's working directory.
        Symbolic links are not followed (a link to the grader's files stays a dangling link)."""
        source = Path(source)
        if source.is_dir():
            size = sum(f.stat().st_size for f in source.rglob("*") if f.is_file() and not f.is_symlink())
            if size > max_mb * 2**20:
                raise ValueError(f"the submission folder holds {size / 2**20:.0f} MB, more than {max_mb} MB")
            shutil.copytree(source, self.work, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, self.work / source.name, follow_symlinks=False)
        self.give(self.root)
        return self.work

    def stage_profile(self, profile) -> Path:
        """A copy of the profile whose local model folders are copies in the sandbox (owned by its user).

        The kernel reads models it may have no permission to read in place, and libraries that write
        beside a model (evaluate's lock files) write into the copy, never into the project. As root,
        world-readable files are hard-linked instead of copied (they stay read-only to the sandbox user).
        """
        raw = tomllib.loads(Path(profile.path).read_text(encoding="utf-8"))
        assets = self.root / "assets"
        assets.mkdir(mode=0o755)
        for section, key in STAGED_LOCATIONS:
            value = raw.get(section, {}).get(key)
            location = Path(profile.location(value)) if value else None
            if location is None or not location.is_dir():
                continue
            target = assets / f"{section}.{key}" / location.name   # evaluate wants <folder>/<folder>.py
            target.parent.mkdir(mode=0o755)
            shutil.copytree(location, target, copy_function=self._link_or_copy, symlinks=False)
            raw[section][key] = str(target)
        staged = self.root / f"profile-{profile.name}.toml"
        staged.write_text(f"# {profile.path.name}, with local model folders staged for grading\n{_toml(raw)}\n",
                          encoding="utf-8")
        if tomllib.loads(staged.read_text(encoding="utf-8")) != raw:  # the writer above is small: verify it
            raise RuntimeError(f"could not stage profile {profile.path}")
        self.give(assets)  # copied files become the sandbox's; hard links stay root's (give skips them)
        self.give(staged)
        self.stage_data(profile)
        return staged

    def stage_data(self, profile) -> Path | None:
        """As root, the DialogSum CSVs that ``DETOXLAB_DATA_DIR`` names, staged in the sandbox (hard-linked
        when world-readable, else copied and given to the sandbox's user), with the kernel's
        ``DETOXLAB_DATA_DIR`` pointed at them: the submission's user reads them wherever they lie (under a
        private home, in a mode-700 folder). As an ordinary user the kernel reads them in place."""
        files = data_files(profile)
        if not self.isolate_user or not files:
            return None
        target = self.root / "data"
        target.mkdir(mode=0o755)
        for source in files:
            self._link_or_copy(source, str(target / Path(source).name))
        self.give(target)
        self.data_dir = target
        return target

    def unreadable(self, profile) -> tuple[str, str] | None:
        """What a submission's kernel will read and could not, as (path, reason), or None.

        Checked by a process of the submission's user in the kernel's view of the file system (as root:
        the private mount namespace and the fresh user id): a sandbox folder like the kernel's own (the
        way to it from the grader's temporary folder), and every file and folder of the interpreter's
        standard library, the virtual environment and the project's packages, which the kernel reads in
        place. As an ordinary user, the data and the profile's model folders too; as root those are
        staged into the sandbox by the grader (``stage_profile``), which can read them.
        """
        self.give(self.root)  # as the kernel's folder is given (copy_submission), and checked like the rest
        paths = [str(self.root), *needed_in_place(profile, data_and_models=not self.isolate_user)]
        self._plan = self._view() if self.isolate_user else ({}, [])
        if self.isolate_user and not mount_namespace_available():
            problem = self._without_private_view(self._plan[0])
            if problem:
                return problem
        code = (inspect.getsource(first_unreadable)
                + "\nimport json, sys\nprint(json.dumps(first_unreadable(json.loads(sys.argv[1]))))\n")
        try:
            done = subprocess.run([sys.executable, "-I", "-c", code, json.dumps(paths)], cwd="/",
                                  env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, capture_output=True, text=True,
                                  timeout=ACCESS_CHECK_SECONDS, preexec_fn=self._become_submission)
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

    @staticmethod
    def _without_private_view(expose: dict) -> tuple[str, str] | None:
        """(path, reason) when the submission's user cannot be given what it needs without a private view:
        a folder on the way that others cannot enter, or a project or environment others may write."""
        advice = ("this grader cannot give the submission a private view of the file system (no mount "
                  "namespace: a container without CAP_SYS_ADMIN); ")
        for folder in sorted(expose):
            return folder, advice + "install the project and its Python where other users can read them"
        from detoxlab.profiles import PACKAGE_DIR

        for path in (PACKAGE_DIR.parent, Path(sys.prefix), Path(sys.base_prefix)):
            if os.stat(path).st_mode & stat.S_IWOTH:
                return str(path), advice + "others may write here, so the submission could change it"
        return None

    def _link_or_copy(self, source: str, target: str) -> str:
        info = os.stat(source)
        mode = info.st_mode  # only large files are linked: small ones (lock files, configs) may be written
        if self.isolate_user and info.st_size >= LINK_MIN_BYTES and mode & stat.S_IROTH \
                and not mode & (stat.S_IWOTH | stat.S_IWGRP):
            try:
                os.link(source, target)
                return target
            except OSError:
                pass
        return shutil.copy2(source, target)

    def environment(self) -> dict:
        venv_bin = str(Path(sys.executable).parent)
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.update({
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home), "USER": "student", "LOGNAME": "student",
            "TMPDIR": str(self.tmp), "XDG_CACHE_HOME": str(self.home / ".cache"),
            "HF_HOME": str(self.home / ".cache" / "huggingface"), "MPLCONFIGDIR": str(self.home / ".matplotlib"),
            "IPYTHONDIR": str(self.home / ".ipython"), "JUPYTER_RUNTIME_DIR": str(self.home / ".jupyter"),
            "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false", "MALLOC_ARENA_MAX": "2", "OMP_NUM_THREADS": "2",
            "OMP_WAIT_POLICY": "PASSIVE",  # concurrent jobs share cores: idle threads sleep instead of spinning
            SANDBOX_ENV: self.token,
        })
        if self.data_dir is not None:  # (set only after stage_data, which has imported detoxlab.data)
            from detoxlab.data import DATA_DIR_ENV

            env[DATA_DIR_ENV] = str(self.data_dir)
        return env

    # -- the kernel ----------------------------------------------------------------------------------
    def _view(self) -> tuple[dict, list]:
        from detoxlab.profiles import PACKAGE_DIR

        project = PACKAGE_DIR.parent
        needed = [sys.executable, os.path.realpath(sys.executable), sys.prefix, sys.base_prefix, project, self.root]
        needed += [p for p in sys.path if p and os.path.isdir(p)]
        expose = hidden_ancestors(needed)
        read_only = [str(project), sys.prefix, sys.base_prefix]
        if not mount_namespace_available():
            # Without a mount namespace (a container without CAP_SYS_ADMIN) the kernel sees the file system
            # as it is: the submission's fresh user id cannot write the project or the environment as long as
            # others cannot (checked in unreadable()); a folder closed to others cannot be opened for it.
            return expose, []
        return expose, read_only

    def _enter(self) -> None:
        """Runs in the kernel's process after fork, before exec: (as root) a private view of the file
        system and the switch to the sandbox's user, then the limits."""
        if self.isolate_user:  # the kernel's own copy of the connection file (jupyter_client keeps its file)
            shutil.copyfile(self._connection_file, self.root / "kernel.json")
            os.chown(self.root / "kernel.json", self.uid, self.gid)
        self._become_submission()
        self._apply_limits()

    def _become_submission(self) -> None:
        """(As root, after fork) the kernel's private view of the file system, then the sandbox's user."""
        if self.isolate_user:
            if any(self._plan):   # empty without a mount namespace (_view)
                private_view(*self._plan)
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)

    def _apply_limits(self) -> None:
        limits = self.limits
        memory = limits.memory_mb * 2**20
        for what, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
                            (resource.RLIMIT_CPU, int(limits.total_seconds * 2) + 30)):
            resource.setrlimit(what, (value, value))
        if self.isolate_user:  # counted per user id: exact only when the id is the sandbox's alone
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        os.umask(0o077)

    async def start_kernel(self, log):
        """A started AsyncKernelManager: python3 kernel, own session, limits, the sandbox's user and folder."""
        from jupyter_client import AsyncKernelManager

        copy = str(self.root / "kernel.json")

        class Manager(AsyncKernelManager):
            def format_kernel_cmd(self, extra_arguments=None):
                command = super().format_kernel_cmd(extra_arguments)
                return [copy if part == self.connection_file else part for part in command]

        km = Manager(kernel_name="python3")
        km.connection_file = str(self.root.parent / f"{self.root.name}-kernel.json") if self.isolate_user else copy
        self._connection_file = km.connection_file
        self._plan = self._view() if self.isolate_user else ({}, [])
        await km.start_kernel(cwd=str(self.work), env=self.environment(), preexec_fn=self._enter, stdout=log, stderr=log)
        self.kernel_pid = km.provisioner.process.pid
        try:
            self.kernel_sid = os.getsid(self.kernel_pid)
        except OSError:
            self.kernel_sid = self.kernel_pid
        return km

    # -- its processes -------------------------------------------------------------------------------
    def processes(self, thorough: bool = False) -> list[psutil.Process]:
        """Every live process the submission started, as far as the grader can tell.

        As root: every process of the sandbox's user id. Otherwise: the kernel and its descendants, its
        session and process group, and (``thorough``) any process whose environment carries the sandbox's
        token (a double-forked daemon that left the session).
        """
        found = []
        me = os.getpid()
        for process in psutil.process_iter(["uids", "ppid"]):
            if process.pid == me:
                continue
            try:
                if self.isolate_user:
                    uids = process.info["uids"]
                    if uids and self.uid in (uids.real, uids.effective, uids.saved):
                        found.append(process)
                    continue
                if self.kernel_pid is None:
                    continue
                if process.pid == self.kernel_pid or os.getsid(process.pid) == self.kernel_sid \
                        or os.getpgid(process.pid) == self.kernel_sid:
                    found.append(process)
                elif thorough and process.info["uids"] and process.info["uids"].real == os.getuid() \
                        and process.environ().get(SANDBOX_ENV) == self.token:
                    found.append(process)
            except (psutil.Error, OSError):
                continue
        if not self.isolate_user and self.kernel_pid is not None:
            try:
                found += [c for c in psutil.Process(self.kernel_pid).children(recursive=True) if c not in found]
            except psutil.Error:
                pass
        return found

    def memory_mb(self) -> tuple[float, int]:
        """(memory in MB, number of tasks) over the submission's processes. Memory is the proportional set
        size (pages shared after a fork count once in all), resident size where the kernel gives no PSS."""
        total, tasks = 0, 0
        for process in self.processes():
            try:
                total += _proportional_bytes(process)
                tasks += process.num_threads()
            except (psutil.Error, OSError):
                pass
        return total / 2**20, tasks

    def _kill_as_user(self) -> None:
        """kill(-1, SIGKILL) as the sandbox's user: every process of that id at once, even a fork bomb."""
        pid = os.fork()
        if pid == 0:  # the child only makes system calls, then leaves
            try:
                os.setgroups([])
                os.setgid(self.gid)
                os.setuid(self.uid)
                os.kill(-1, signal.SIGKILL)
            except BaseException:
                pass
            os._exit(0)
        os.waitpid(pid, 0)

    def kill_all(self, rounds: int = 40) -> bool:
        """Stop and kill every process of the submission; True when none is left."""
        for _ in range(rounds):
            if self.isolate_user:
                self._kill_as_user()
            elif self.kernel_sid is not None:
                try:
                    os.killpg(self.kernel_sid, signal.SIGKILL)
                except OSError:
                    pass
            left = [p for p in self.processes(thorough=True) if _alive(p)]
            if not left:
                return True
            for process in left:
                try:
                    process.suspend()
                except psutil.Error:
                    pass
            for process in left:
                try:
                    process.kill()
                except psutil.Error:
                    pass
            psutil.wait_procs(left, timeout=0.2)
        return not [p for p in self.processes(thorough=True) if _alive(p)]

    def cleanup(self) -> None:
        """Remove the sandbox and, as root, whatever its user left in world-writable folders."""
        if self.isolate_user:
            for folder in WORLD_WRITABLE:
                try:
                    entries = list(os.scandir(folder))
                except OSError:
                    continue
                for entry in entries:
                    try:
                        if entry.stat(follow_symlinks=False).st_uid != self.uid:
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            _force_rmtree(Path(entry.path))
                        else:
                            os.unlink(entry.path)
                    except OSError:
                        pass
        _force_rmtree(self.root)


class Watchdog(threading.Thread):
    """Enforces the total time and memory limits: past either, it kills every process of the sandbox.

    ``deadline`` can be moved (the grader's evidence cell gets its own allowance); ``reason`` says why it
    fired ("timeout-total", "memory", "processes"), or stays None.
    """

    def __init__(self, sandbox: Sandbox, interval: float = 0.5):
        super().__init__(daemon=True)
        self.sandbox = sandbox
        self.interval = interval
        self.started_at = time.monotonic()
        self.deadline = self.started_at + sandbox.limits.total_seconds
        self.reason: str | None = None
        self.detail = ""
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def run(self) -> None:
        limits = self.sandbox.limits
        while not self._stop.wait(self.interval):
            now = time.monotonic()
            if now > self.deadline:
                self.fire("timeout-total", f"{now - self.started_at:.0f} s")
                return
            rss, tasks = self.sandbox.memory_mb()
            self.peak_mb = max(self.peak_mb, rss)
            if rss > limits.memory_mb:
                self.fire("memory", f"{rss:.0f} MB resident")
                return
            if tasks > limits.processes + 16:  # as root RLIMIT_NPROC stops forks first; this is the backstop
                self.fire("processes", f"{tasks} tasks")
                return

    def fire(self, reason: str, detail: str) -> None:
        self.reason, self.detail = reason, detail
        self.sandbox.kill_all()

    def stop(self) -> None:
        self._stop.set()
