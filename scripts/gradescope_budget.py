"""Grade notebooks as Gradescope would run them, on a share of a CPU, and record what it takes.

Gradescope gives an autograder half a virtual CPU and 768 MB by default (more under "Autograder Settings")
and stops it after 10 minutes by default, 40 at most. This runs ``gradescope/run_autograder``'s command,
``detoxlab grade SUBMISSION --one``, inside a cgroup whose CPU quota is the share (cgroup v2 ``cpu.max``, or
v1's ``cpu.cfs_quota_us`` where v2's controllers are not delegated) and records, per share and notebook:
the wall time, the peak memory of the whole grading (the cgroup's own peak: every process, page cache
included, as a container limit counts it) and the score.

    sudo .venv/bin/python scripts/gradescope_budget.py --out docs/gradescope-budget.json [--shares 1 0.5]

Needs root (it makes cgroups) and a machine with no other load: the quota caps the grading's share, it does
not give it one.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = {  # what a class sends: the model answer, and a notebook with its exercises left as handed out
    "solution": REPO / "solutions" / "detox_lab.ipynb",
    "untouched": REPO / "tests" / "grading_corpus" / "mutants" / "untouched.ipynb",
}
PERIOD_US = 100_000


class Cgroup:
    """One CPU share and a memory peak, in cgroup v2 where it is mounted with both controllers, else v1."""

    def __init__(self, name: str, share: float):
        v2 = Path("/sys/fs/cgroup")
        controllers = (v2 / "cgroup.controllers").read_text().split() if (v2 / "cgroup.controllers").exists() else []
        if {"cpu", "memory"} <= set(controllers):
            self.dirs = [v2 / name]
            self.dirs[0].mkdir()
            (self.dirs[0] / "cpu.max").write_text(f"{int(share * PERIOD_US)} {PERIOD_US}")
            self.peak_file = self.dirs[0] / "memory.peak"
        else:
            cpu, memory = Path("/sys/fs/cgroup/cpu") / name, Path("/sys/fs/cgroup/memory") / name
            for folder in (cpu, memory):
                folder.mkdir()
            (cpu / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(str(int(share * PERIOD_US)))
            self.dirs, self.peak_file = [cpu, memory], memory / "memory.max_usage_in_bytes"
        self.version = "v2" if len(self.dirs) == 1 else "v1"

    def enter_command(self, command: list[str]) -> list[str]:
        """``command``, run by a shell that first moves itself into this cgroup."""
        moves = "; ".join(f"echo $$ > {d / 'cgroup.procs'}" for d in self.dirs)
        return ["sh", "-c", f'{moves}; exec "$@"', "sh", *command]

    def peak_mb(self) -> float:
        return int(self.peak_file.read_text()) / 2**20

    def remove(self) -> None:
        for folder in self.dirs:
            folder.rmdir()


def grade(notebook: Path, share: float, timeout: int) -> dict:
    detoxlab = REPO / ".venv" / "bin" / "detoxlab"
    with tempfile.TemporaryDirectory(prefix="gradescope-budget-") as scratch:
        submission, results = Path(scratch) / "submission", Path(scratch) / "results"
        submission.mkdir()
        (submission / notebook.name).write_bytes(notebook.read_bytes())
        os.chmod(scratch, 0o755)
        group = Cgroup(f"detoxlab-budget-{os.getpid()}-{int(share * 100)}", share)
        started = time.monotonic()
        try:
            finished = subprocess.run(group.enter_command([str(detoxlab), "grade", str(submission), "--one",
                                                           "--out", str(results)]),
                                      capture_output=True, text=True, timeout=timeout)
            status = finished.returncode
        except subprocess.TimeoutExpired:
            status = "timed out"
        wall = time.monotonic() - started
        peak = group.peak_mb()
        group.remove()
        try:
            score = json.loads((results / "results.json").read_text())["score"]
        except (OSError, ValueError, KeyError) as error:
            score = f"no result: {error}"
    return {"cpu_share": share, "cgroup": group.version, "wall_s": round(wall, 1), "peak_memory_mb": round(peak),
            "score": score, "exit": status}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--shares", type=float, nargs="+", default=[1.0, 0.5], help="CPU shares (default: 1 0.5)")
    parser.add_argument("--timeout", type=int, default=2400, help="seconds per grading (default: Gradescope's 40-minute maximum)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("needs root: it makes cgroups")
    rows = []
    for share in args.shares:
        for name, notebook in NOTEBOOKS.items():
            row = {"notebook": name, **grade(notebook, share, args.timeout)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    report = {"command": "scripts/gradescope_budget.py --shares " + " ".join(f"{s:g}" for s in args.shares),
              "machine": f"{os.cpu_count()} cores, {platform.machine()}", "profile": "mini", "rows": rows}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
