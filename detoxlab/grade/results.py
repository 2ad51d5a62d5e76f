"""Writing results: each submission's ``results.json`` (its layout is :mod:`checks.gradescope`, shared with
`detoxlab run`), written atomically, the batch's ``summary.csv`` and its one-screen table.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from checks.gradescope import OUTCOMES, STAFF_OUTPUT_CAP, SUMMARY_CAP, Outcome, build, cap  # noqa: F401 (re-exported)
from detoxlab.files import write_json_atomically, write_text_atomically


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
