"""Gradescope's ``results.json``: the one layout both `detoxlab run` and the grader write.

The file follows Gradescope's schema: ``score``, ``execution_time``, ``output`` and ``tests`` (``name``,
``score``, ``max_score``, ``status``, ``output``, ``visibility``). Entries for course staff (tracebacks, the
kernel's log) are ``visibility: "hidden"`` and carry no score. Anything else the grader knows goes in
``extra_data``. Every text that can come from the notebook is capped, so a notebook that prints megabytes
still gives a small file.

It lives with the checks, not the grader, because the students' environment (which has no
``detoxlab.grade``) writes it too: `detoxlab run` and the notebook's last cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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
