"""Gradescope-format results: built from check results and what happened to the run, capped, written atomically.

The file follows Gradescope's ``results.json`` schema: ``score``, ``execution_time``, ``output`` and
``tests`` (``name``, ``score``, ``max_score``, ``status``, ``output``, ``visibility``). Entries for course
staff (tracebacks, the kernel's log) are ``visibility: "hidden"`` and carry no score. Anything else the
grader knows goes in ``extra_data``. Every text that can come from the notebook is capped, so a notebook
that prints megabytes still gives a small file.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from detoxlab.files import write_json_atomically, write_text_atomically

TEST_OUTPUT_CAP = 2_000       # characters of one student-visible test output
STAFF_OUTPUT_CAP = 8_000      # characters of one hidden staff entry
SUMMARY_CAP = 2_000           # characters of the top-level output

# How a run ended. Anything but "completed" and "cell-errors" means the evidence may be missing.
OUTCOMES = {
    "completed": "the notebook ran to the end",
    "cell-errors": "the notebook ran to the end, with errors in some cells",
    "timeout-cell": "a cell ran past its time limit",
    "timeout-total": "the notebook ran past its total time limit",
    "memory": "the notebook ran out of memory",
    "processes": "the notebook started too many processes",
    "kernel-died": "the kernel died",
    "invalid-notebook": "the file is not a notebook the grader can run",
    "no-notebook": "no notebook was found in the submission",
    "grader-error": "the grader failed on this submission (course staff have been told)",
}


def cap(text, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters, keeping its start and end."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    marker = f"\n... [{len(text) - limit + 60:,} characters cut] ...\n"
    keep = max(limit - len(marker), 0)
    return text[: keep * 2 // 3] + marker + text[len(text) - (keep - keep * 2 // 3):]


@dataclass
class Outcome:
    """What happened to one submission's run, in words a student can act on."""
    kind: str = "completed"
    message: str = ""                     # one or two sentences for the student
    staff: dict = field(default_factory=dict)   # hidden entries: title -> text (tracebacks, logs)
    seconds: float = 0.0

    def __post_init__(self):
        if self.kind not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.kind!r}")


def build(check_results, outcome: Outcome, extra: dict | None = None) -> dict:
    """The results.json payload: one visible test per check (numbered by its notebook section, which Gradescope
    shows and sorts by), hidden staff entries, the run's outcome."""
    from checks.registry import all_checks

    sections = {check.title: check.section for check in all_checks()}
    tests = []
    for result in check_results:
        tests.append({
            **({"number": sections[result.name]} if result.name in sections else {}),
            "name": result.name,
            "score": float(result.score),
            "max_score": float(result.max_score),
            "status": "passed" if result.passed else "failed",
            "output": cap(result.message, TEST_OUTPUT_CAP),
            "visibility": "visible",
        })
    for title, text in outcome.staff.items():
        if text:
            tests.append({"name": f"staff: {title}", "output": cap(text, STAFF_OUTPUT_CAP), "visibility": "hidden"})
    score = sum(t["score"] for t in tests if "score" in t)
    max_score = sum(t["max_score"] for t in tests if "max_score" in t)
    passed = sum(1 for t in tests if t.get("status") == "passed")
    graded = sum(1 for t in tests if "status" in t)
    headline = f"{passed} of {graded} checks passed ({score:g}/{max_score:g})."
    if outcome.kind != "completed":
        headline = f"{outcome.message or OUTCOMES[outcome.kind]} {headline}"
    return {
        "score": score,
        "execution_time": round(outcome.seconds, 1),
        "output": cap(headline, SUMMARY_CAP),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"max_score": max_score, "outcome": outcome.kind, **(extra or {})},
    }


def write(path: Path, payload: dict) -> Path:
    """Atomically (temporary file + rename): a reader never sees half a results file. Mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, payload)
    return path


SUMMARY_COLUMNS = ("submission", "score", "max_score", "outcome", "seconds", "results")


def write_summary_csv(path: Path, rows: list[dict], test_names: list[str]) -> Path:
    """One row per submission: score, outcome, time, each check's score, and where its results.json is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*SUMMARY_COLUMNS, *test_names])
    for row in rows:
        writer.writerow([row.get(c, "") for c in SUMMARY_COLUMNS] + [row.get("tests", {}).get(n, "") for n in test_names])
    return write_text_atomically(Path(path), buffer.getvalue(), newline="")


def table(rows: list[dict], width: int = 100) -> str:
    """A one-screen table of a batch: each submission's score and outcome, then the totals."""
    name_width = min(max([len(r["submission"]) for r in rows] + [10]), 40)
    lines = [f"{'submission':<{name_width}}  {'score':>9}  {'time':>6}  outcome"]
    for row in rows:
        name = row["submission"] if len(row["submission"]) <= name_width else row["submission"][: name_width - 1] + "~"
        score = f"{row['score']:g}/{row['max_score']:g}" if row.get("max_score") != "" else "-"
        lines.append(f"{name:<{name_width}}  {score:>9}  {row['seconds']:>5.0f}s  {row['outcome']}"[:width])
    full = sum(1 for r in rows if r.get("max_score") and r["score"] == r["max_score"])
    lines.append(f"{len(rows)} submission(s), {full} with full marks, "
                 f"{sum(1 for r in rows if r['outcome'] not in ('completed', 'cell-errors'))} did not finish normally")
    return "\n".join(lines)


def not_graded(name: str, reason: str, message: str, seconds: float = 0.0, staff: dict | None = None) -> dict:
    """results.json for a submission the grader did not grade for its own reasons (``reason``: "interrupted",
    "grader-setup"): the message, no score (not a zero), hidden staff entries, and in ``extra_data``
    outcome "grader-error", ``not_graded`` (the reason) and ``needs_staff``."""
    tests = [{"name": f"staff: {title}", "output": cap(text, STAFF_OUTPUT_CAP), "visibility": "hidden"}
             for title, text in (staff or {}).items() if text]
    return {
        "execution_time": round(seconds, 1),
        "output": cap(f"Not graded: {message} This is not a mark: course staff have been told and will "
                              "grade this submission again.", SUMMARY_CAP),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"outcome": "grader-error", "not_graded": reason, "needs_staff": True, "submission": name},
    }


def not_graded_row(name: str, payload: dict, results_path) -> dict:
    return {"submission": name, "score": "", "max_score": "", "outcome": payload["extra_data"]["outcome"],
            "seconds": payload["execution_time"], "results": str(results_path), "tests": {}}
