"""What one submission may use, and applying it to the kernel's process.

:class:`Limits` holds the time, memory, process and file-size limits of a submission (what ``detoxlab
grade`` takes as options); :func:`apply_limits` turns them into resource limits on the process it runs
in, the kernel's, after fork and before exec. The total time and memory over all of a submission's
processes are enforced from outside, by :class:`detoxlab.grade.processes.Watchdog`.
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass


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
    # a per-process address-space limit of memory_mb; off where torch reserves far more address space than it
    # uses (torch_reserves_address_space), which leaves memory to the watchdog's sum over processes
    address_space: bool = True

    def __post_init__(self):
        for name in ("cell_seconds", "total_seconds", "memory_mb", "processes", "file_mb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name.replace('_', '-')} must be positive, got {getattr(self, name)}")


def torch_reserves_address_space() -> bool:
    """Whether this environment's torch is a CUDA (or ROCm) build. Such a build maps gigabytes of libraries it
    never touches (measured: the solution notebook cannot even start a thread under a 4096 MB address-space
    limit in the CUDA image, on a machine without a GPU), and on a GPU the driver reserves address ranges
    larger than the card's memory; an address-space limit there stops the lab, not a runaway allocation."""
    import torch

    return torch.version.cuda is not None or getattr(torch.version, "hip", None) is not None


def apply_limits(limits: Limits, own_user: bool) -> None:
    """Resource limits for this process and its children: address space (unless ``limits.address_space`` is
    off), no core files, file size, CPU time, with ``own_user`` (a user id of the submission's alone) the
    number of processes; then umask 077."""
    # Both are per process: RLIMIT_AS stops one runaway allocation (the sum over processes is the
    # watchdog's), and CPU time at twice the total allowance is a backstop should the watchdog not fire.
    applied = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
               (resource.RLIMIT_CPU, int(limits.total_seconds * 2) + 30)]
    if limits.address_space:
        applied.append((resource.RLIMIT_AS, limits.memory_mb * 2**20))
    for what, value in applied:
        resource.setrlimit(what, (value, value))
    if own_user:  # counted per user id: exact only when the id is the sandbox's alone
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    os.umask(0o077)
