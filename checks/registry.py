"""One place per check: what it is called, what it is worth, what it asks the student's code, and how
its answer is judged.

A check is a :class:`Check` registered by the module that defines it (``checks/<key>.py``). It has three
functions, used the same way by the notebook and by the grader:

* ``draw(resources, rng)``: the inputs the student's code is called on, drawn anew for every run (another
  DialogSum split and length window, other probe texts, another seed...). JSON-able.
* ``gather(namespace, request, resources)``: runs where the student's objects live (the notebook's kernel):
  calls the student's functions on the drawn inputs and returns plain values (JSON-able). It never judges.
* ``judge(evidence, request, resources)``: runs in the grader's process: compares the evidence with what
  the lab asks on the same inputs and returns ``(passed, message)``.
* ``expected(request, resources)``, for a check whose judgement needs the reference implementation (the
  answer key): the reference's answers for ``request``, JSON-able; ``judge`` then takes them as a fourth
  argument. The grader computes them live (``answer_key``). The student's environment has no answer key:
  there ``checks.run`` uses the inputs and answers bundled with the lab for the profile
  (``checks/bundles/<profile>.json``, written by ``detoxlab student``), and the grader draws unseen ones.

In the notebook, ``checks.run("dataset", globals())`` does all three in the notebook's process; the grader
does ``gather`` in the submission's kernel (``checks.kernel``) and ``judge`` in its own process.
Adding a check is one new module here, its cell in the notebook, and its settings in the profiles.
"""
from __future__ import annotations

import random
import traceback
from dataclasses import dataclass, replace
from typing import Callable

from checks.result import CheckResult

_CHECKS: dict[str, "Check"] = {}


@dataclass(frozen=True)
class Check:
    key: str                 # short id: the evidence key and checks.run's argument
    title: str               # what the student and Gradescope see
    order: int               # position in results.json: the notebook's order
    section: str             # the notebook section with the exercise
    needs: tuple[str, ...]   # names the student's notebook must define for this check
    draw: Callable
    gather: Callable
    judge: Callable
    points: float = 1.0
    expected: Callable | None = None

    def result(self, passed: bool, message: str) -> CheckResult:
        return CheckResult(self.title, bool(passed), self.points if passed else 0.0, self.points, message)

    def failed(self, message: str) -> CheckResult:
        return self.result(False, message)

    def missing_names(self, namespace: dict) -> list[str]:
        return [name for name in self.needs if name not in namespace]

    def judged(self, evidence, request: dict, resources, expected=None) -> CheckResult:
        """The verdict on ``evidence``; never raises (a judge that fails gives a failed result that says so).
        ``expected``: the reference's answers for ``request`` (computed with the answer key when not given)."""
        if not isinstance(evidence, dict):
            return self.failed(f"not graded: no evidence for this check (got {type(evidence).__name__})")
        try:
            if self.expected is None:
                passed, message = self.judge(evidence, request, resources)
            else:
                if expected is None:
                    expected = self.expected(request, resources)
                passed, message = self.judge(evidence, request, resources, expected)
        except Exception as error:  # garbage in the evidence: a failed check with the reason, never a crash
            detail = traceback.format_exception_only(type(error), error)[-1].strip()
            return self.failed(f"could not check this ({detail})")
        return self.result(passed, message)


def register(check: Check) -> Check:
    if check.key in _CHECKS:
        raise ValueError(f"check {check.key!r} is defined twice")
    _CHECKS[check.key] = check
    return check


def all_checks() -> list[Check]:
    """Every check, in the notebook's order."""
    return sorted(_CHECKS.values(), key=lambda check: check.order)


def get(key: str) -> Check:
    if key not in _CHECKS:
        raise KeyError(f"no check {key!r}: the checks are {', '.join(c.key for c in all_checks())}")
    return _CHECKS[key]


def draw_all(resources, rng: random.Random | None = None) -> dict:
    """Fresh inputs for every check (a system-random source unless one is given)."""
    rng = rng or random.SystemRandom()
    return {check.key: check.draw(resources, rng) for check in all_checks()}


def not_graded(message: str) -> list[CheckResult]:
    """One failed result per check, e.g. for a notebook that could not be run at all."""
    return [replace(check.failed(message)) for check in all_checks()]
