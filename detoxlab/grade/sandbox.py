"""A submission's sandbox: a throwaway folder, a user id, an environment, a kernel, and a cleanup that leaves nothing.

One :class:`Sandbox` per submission. Its kernel starts in its own session and process group, in a copy of
the submission, with a minimal environment, resource limits (:mod:`detoxlab.grade.limits`) and, when the
grader runs as root, as a fresh unprivileged user id that owns nothing but the sandbox, in a private
view of the file system (:mod:`detoxlab.grade.view`). Models and data its user may not read in place
are staged into it (:mod:`detoxlab.grade.staging`). Its processes are found, measured and killed by
:mod:`detoxlab.grade.processes`, whose watchdog enforces the total time and memory limits;
:meth:`Sandbox.kill_all` stops them all (as root: every process of the sandbox's user id, whatever
session it moved to). :meth:`Sandbox.to_notes` is what a worker writes down so that the batch can kill
and remove what a dead worker's sandbox left (:meth:`Sandbox.from_notes`).

What a submission can still do depends on who the grader runs as (see docs/grading.md): as root it can
write only the sandbox and world-writable directories (cleaned afterwards) and signal only its own
processes; as an ordinary user it runs as that same user, so file permissions do not protect the
grader's files from it.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import sys
from pathlib import Path

import psutil

from detoxlab.grade import staging, view
from detoxlab.grade.limits import Limits, apply_limits
from detoxlab.grade.processes import SANDBOX_ENV, find_processes, free_uid, kill_processes, memory_of

WORLD_WRITABLE = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
PASSED_ENV = ("LANG", "LC_ALL", "DETOXLAB_DATA_DIR", "DETOXLAB_THREADS")


def running_as_root() -> bool:
    return os.geteuid() == 0


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


class Sandbox:
    """A submission's private folder (work copy, home, temp), user id, environment and processes."""

    def __init__(self, parent: Path, limits: Limits, isolate_user: bool | None = None):
        self.limits = limits
        self.isolate_user = running_as_root() if isolate_user is None else isolate_user
        if self.isolate_user and not running_as_root():
            raise PermissionError("a separate user for the submission needs the grader to run as root")
        self.uid = free_uid() if self.isolate_user else os.getuid()
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

    # -- its notes: what the batch needs to clean up after a worker that died ----------------------------
    def to_notes(self) -> dict:
        """What the worker writes to ``sandbox.json`` before the kernel starts (JSON-serialisable)."""
        return {"uid": self.uid, "token": self.token, "root": str(self.root), "isolate_user": self.isolate_user}

    @classmethod
    def from_notes(cls, notes: dict) -> Sandbox:
        """The sandbox that ``notes`` (from :meth:`to_notes`) describe, enough to find and kill its processes
        and remove its folder (``kill_all``, ``processes``, ``cleanup``); it knows no kernel and no limits."""
        sandbox = cls.__new__(cls)   # not __init__: that would make a new folder and pick a new user id
        sandbox.isolate_user, sandbox.uid, sandbox.token = notes["isolate_user"], notes["uid"], notes["token"]
        sandbox.gid = sandbox.uid if sandbox.isolate_user else os.getgid()
        sandbox.root, sandbox.kernel_pid, sandbox.kernel_sid = Path(notes["root"]), None, None
        return sandbox

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
        """The profile as the kernel reads it, its model folders and data staged (``staging.stage_profile``)."""
        return staging.stage_profile(self, profile)

    def stage_data(self, profile) -> Path | None:
        """As root, the data ``DETOXLAB_DATA_DIR`` names, staged (``staging.stage_data``); else None."""
        return staging.stage_data(self, profile)

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
        # view's functions are called through the module, here and below, so that a test may replace them
        paths = [str(self.root), *view.needed_in_place(profile, data_and_models=not self.isolate_user)]
        self._plan = self._view() if self.isolate_user else ({}, [], [])
        if self.isolate_user and not view.mount_namespace_available():
            problem = view.without_private_view(self._plan[0])
            if problem:
                return problem
        return view.check_as(paths, self._become_submission)

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
    def _view(self) -> tuple[dict, list, list]:
        from detoxlab.profiles import PACKAGE_DIR

        project = PACKAGE_DIR.parent
        needed = [sys.executable, os.path.realpath(sys.executable), sys.prefix, sys.base_prefix, project, self.root]
        needed += [p for p in sys.path if p and os.path.isdir(p)]
        expose = view.hidden_ancestors(needed)
        read_only = [str(project), sys.prefix, sys.base_prefix]
        if not view.mount_namespace_available():
            # Without a mount namespace (a container without CAP_SYS_ADMIN) the kernel sees the file system
            # as it is: the submission's fresh user id cannot write the project or the environment, nor read
            # the answers, as long as others cannot (checked in unreadable()); a folder closed to others
            # cannot be opened for it.
            return expose, [], []
        return expose, read_only, view.answers_in(project)

    def _enter(self) -> None:
        """Runs in the kernel's process after fork, before exec: (as root) a private view of the file
        system and the switch to the sandbox's user, then the limits. SIGINT back at its default: the grader
        interrupts a cell that runs past its limit with SIGINT, and a grader started in the background by a
        shell without job control (``cmd &`` in a script) hands its children SIGINT ignored, which the kernel
        would keep, so the cell would run on to the total limit."""
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if self.isolate_user:  # the kernel's own copy of the connection file (jupyter_client keeps its file)
            shutil.copyfile(self._connection_file, self.root / "kernel.json")
            os.chown(self.root / "kernel.json", self.uid, self.gid)
        self._become_submission()
        apply_limits(self.limits, self.isolate_user)

    def _become_submission(self) -> None:
        """(As root, after fork) the kernel's private view of the file system, then the sandbox's user."""
        if self.isolate_user:
            if any(self._plan):   # empty without a mount namespace (_view)
                view.private_view(*self._plan)
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)

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
        self._plan = self._view() if self.isolate_user else ({}, [], [])
        await km.start_kernel(cwd=str(self.work), env=self.environment(), preexec_fn=self._enter, stdout=log, stderr=log)
        self.kernel_pid = km.provisioner.process.pid
        try:
            self.kernel_sid = os.getsid(self.kernel_pid)
        except OSError:
            self.kernel_sid = self.kernel_pid
        return km

    # -- its processes (detoxlab.grade.processes) -----------------------------------------------------
    def processes(self, thorough: bool = False) -> list[psutil.Process]:
        """Every live process the submission started, as far as the grader can tell (``find_processes``)."""
        return find_processes(self, thorough)

    def memory_mb(self) -> tuple[float, int]:
        """(memory in MB, number of tasks) over the submission's processes (``memory_of``)."""
        return memory_of(self)

    def kill_all(self, rounds: int = 40) -> bool:
        """Stop and kill every process of the submission; True when none is left."""
        return kill_processes(self, rounds)

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
