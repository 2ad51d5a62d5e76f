"""A submission's processes: finding them, measuring their memory, killing them, and the watchdog.

The functions here take a sandbox (:class:`detoxlab.grade.sandbox.Sandbox`, or one rebuilt from its notes)
and read only its ``isolate_user``, ``uid``, ``gid``, ``token``, ``kernel_pid`` and ``kernel_sid``: as
root a submission's processes are those of its own user id; otherwise those of the kernel's session and
process group, its descendants, and any process that carries the sandbox's token in its environment.
:class:`Watchdog` enforces the total time and memory limits over all of them.
"""
from __future__ import annotations

import os
import secrets
import signal
import threading
import time

import psutil

SANDBOX_ENV = "DETOXLAB_GRADE_SANDBOX"          # a random token every process of the submission inherits
UID_RANGE = (1_500_000_000, 1_600_000_000)       # ids no account uses; one fresh id per submission


def free_uid() -> int:
    """A user id in ``UID_RANGE`` that no running process has."""
    taken = {p.info["uids"].real for p in psutil.process_iter(["uids"]) if p.info.get("uids")}
    while True:
        uid = secrets.randbelow(UID_RANGE[1] - UID_RANGE[0]) + UID_RANGE[0]
        if uid not in taken:
            return uid


def proportional_bytes(process: psutil.Process) -> int:
    """The process's proportional set size (its share of pages shared with others), else its resident size."""
    try:
        with open(f"/proc/{process.pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return process.memory_info().rss


def alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def find_processes(sandbox, thorough: bool = False) -> list[psutil.Process]:
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
            if sandbox.isolate_user:
                uids = process.info["uids"]
                if uids and sandbox.uid in (uids.real, uids.effective, uids.saved):
                    found.append(process)
                continue
            if sandbox.kernel_pid is None:
                continue
            if process.pid == sandbox.kernel_pid or os.getsid(process.pid) == sandbox.kernel_sid \
                    or os.getpgid(process.pid) == sandbox.kernel_sid:
                found.append(process)
            elif thorough and process.info["uids"] and process.info["uids"].real == os.getuid() \
                    and process.environ().get(SANDBOX_ENV) == sandbox.token:
                found.append(process)
        except (psutil.Error, OSError):
            continue
    if not sandbox.isolate_user and sandbox.kernel_pid is not None:
        try:
            found += [c for c in psutil.Process(sandbox.kernel_pid).children(recursive=True) if c not in found]
        except psutil.Error:
            pass
    return found


def memory_of(sandbox) -> tuple[float, int]:
    """(memory in MB, number of tasks) over the submission's processes. Memory is the proportional set
    size (pages shared after a fork count once in all), resident size where the kernel gives no PSS."""
    total, tasks = 0, 0
    for process in find_processes(sandbox):
        try:
            total += proportional_bytes(process)
            tasks += process.num_threads()
        except (psutil.Error, OSError):
            pass
    return total / 2**20, tasks


def kill_as_user(uid: int, gid: int) -> None:
    """kill(-1, SIGKILL) as user ``uid``: every process of that id at once, even a fork bomb."""
    pid = os.fork()
    if pid == 0:  # the child only makes system calls, then leaves
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        except BaseException:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def kill_processes(sandbox, rounds: int = 40) -> bool:
    """Stop and kill every process of the submission; True when none is left."""
    for _ in range(rounds):
        if sandbox.isolate_user:
            kill_as_user(sandbox.uid, sandbox.gid)
        elif sandbox.kernel_sid is not None:
            try:
                os.killpg(sandbox.kernel_sid, signal.SIGKILL)
            except OSError:
                pass
        left = [p for p in find_processes(sandbox, thorough=True) if alive(p)]
        if not left:
            return True
        # suspended first, all of them, so that none forks a replacement while the others are killed
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
    return not [p for p in find_processes(sandbox, thorough=True) if alive(p)]


class Watchdog(threading.Thread):
    """Enforces the total time and memory limits: past either, it kills every process of the sandbox.

    ``deadline`` can be moved (the grader's evidence cell gets its own allowance); ``reason`` says why it
    fired ("timeout-total", "memory", "processes"), or stays None.
    """

    def __init__(self, sandbox, interval: float = 0.5):
        super().__init__(daemon=True)
        self.sandbox = sandbox
        self.interval = interval
        self.started_at = time.monotonic()
        self.deadline = self.started_at + sandbox.limits.total_seconds
        self.reason: str | None = None
        self.detail = ""
        self.peak_mb = 0.0
        self._stopped = threading.Event()  # not _stop: threading.Thread has a method of that name

    def run(self) -> None:
        limits = self.sandbox.limits
        while not self._stopped.wait(self.interval):
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
        self._stopped.set()
