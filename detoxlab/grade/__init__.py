"""The autograder: ``detoxlab grade PATH --out DIR``.

* :mod:`detoxlab.grade.batch`: find submissions, one worker process each (``--jobs`` at a time), summary
  CSV and table; the CLI is a thin layer over :func:`main`.
* :mod:`detoxlab.grade.worker`: one submission: read, run in a sandbox, extract evidence, check, write.
* :mod:`detoxlab.grade.sandbox`: isolation (working copy, user id, limits, watchdog, cleanup).
* :mod:`detoxlab.grade.evidence`: the grader's cell in the kernel, and the checks on what it returns.
* :mod:`detoxlab.grade.results`: Gradescope ``results.json`` (capped, written atomically).

See docs/grading.md for what it guarantees, and what it does not.
"""
from detoxlab.grade.batch import GradeError, discover, main
from detoxlab.grade.sandbox import Limits

__all__ = ["GradeError", "Limits", "discover", "main"]
