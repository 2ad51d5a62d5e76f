"""The autograder: ``detoxlab grade PATH --out DIR``.

* :mod:`detoxlab.grade.batch`: find submissions, one worker process each (``--jobs`` at a time), summary
  CSV, class report and table; the CLI is a thin layer over :func:`main`.
* :mod:`detoxlab.grade.worker`: one submission: read, run in a sandbox, extract evidence, check, write.
* :mod:`detoxlab.grade.sandbox`: isolation (working copy, user id, environment, kernel, cleanup), with
  :mod:`~detoxlab.grade.limits` (what a submission may use), :mod:`~detoxlab.grade.processes` (its
  processes and the watchdog), :mod:`~detoxlab.grade.view` (the kernel's view of the file system) and
  :mod:`~detoxlab.grade.staging` (models and data copied in for it).
* :mod:`detoxlab.grade.evidence`: the grader's cell in the kernel, and the checks on what it returns.
* :mod:`detoxlab.grade.results`: Gradescope ``results.json`` (capped, written atomically).
* :mod:`detoxlab.grade.report`: ``report.html`` beside ``summary.csv``, the class report for staff (score
  plot, pass rates, common failure messages, submissions that need staff, slowest); self-contained, offline.

See docs/grading.md for what it guarantees, and what it does not.
"""
import importlib

# Loaded on first use, not here: ``python -m detoxlab.grade.worker`` imports this package before it runs
# the worker, and a package that imported the batch (which imports the worker) would load it twice.
_EXPORTS = {"GradeError": "batch", "discover": "batch", "main": "batch", "Limits": "limits"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)


def __dir__():
    return sorted([*globals(), *_EXPORTS])
