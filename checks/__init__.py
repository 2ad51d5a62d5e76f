"""Graded checks for the detox lab: one module per check, registered in :mod:`checks.registry`.

In the notebook: ``checks.run("dataset", globals())`` calls the student's code on inputs drawn for this
run, judges it, and returns a :class:`CheckResult` (never raising: a missing function or garbage gives a
failed result whose message says what to look at). The grader runs the same checks (``checks.kernel`` in
the submission's kernel, the judgement in its own process).

Where the grader's environment has the answer key, the student's has none (``detoxlab handout``): there a
check that needs the reference's answers runs on the inputs bundled with the lab, whose answers were
computed ahead (``checks.bundle``), and says so; the grader draws unseen inputs.
"""
import contextlib
import dataclasses
import importlib
import pkgutil
import random
import tempfile
from pathlib import Path

from checks.registry import Check, all_checks, get
from checks.result import CheckResult, active_profile, use_profile

_SKIP = {"bundle", "common", "gradescope", "kernel", "registry", "resources", "result"}
for _module in pkgutil.iter_modules(__path__):  # every other module here defines and registers one check
    if _module.name not in _SKIP:
        importlib.import_module(f"{__name__}.{_module.name}")

_resources = {}


def resources_for(profile):
    from checks.resources import Resources

    key = str(profile.path), tuple(sorted(profile.overrides.items()))
    if key not in _resources:
        _resources[key] = Resources(profile)
    return _resources[key]


@contextlib.contextmanager
def _random_state_kept():
    """A check draws its own inputs and seeds; the notebook's random streams go on as if it had not run."""
    import numpy as np
    import torch

    states = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.random.set_rng_state(states[2])


def run(key: str, namespace: dict, profile=None) -> CheckResult:
    """The notebook's call: check ``key`` on the notebook's ``namespace`` (its ``globals()``)."""
    from checks.kernel import gather_one, quiet

    from checks import bundle

    check = get(key)
    resources = resources_for(profile or active_profile())
    bundled = check.expected is not None and not bundle.answer_key_available()
    with _random_state_kept(), tempfile.TemporaryDirectory(prefix="detoxlab-check-") as folder:
        if bundled:
            try:
                request, expected = bundle.bundled(key, resources)
            except bundle.NotBundled as error:
                return check.failed(f"not checked here: {error}")
        else:
            request, expected = check.draw(resources, random.SystemRandom()), None
        request["adapter_path"] = str(Path(folder) / "adapter.pt")
        evidence, problems = gather_one(check, namespace, request, resources)
        if key in problems:
            return check.failed(f"not graded: {problems[key]}")
        with quiet():
            result = check.judged(evidence[key], request, resources, expected)
    if bundled:  # the student's environment: say what this verdict rests on
        return dataclasses.replace(result, message=f"{result.message} [on the inputs bundled with the lab; the "
                                                   "grader checks the same on inputs drawn for it]")
    return result


def results_in_order(graded: dict) -> list[CheckResult]:
    """Every registered check's result from the notebook's ``graded`` (key -> result), in the notebook's
    order; a check no cell ran is a failed result that says so (a new check whose cell is missing, or a cell
    skipped), not a KeyError in the last cell."""
    return [graded[check.key] if isinstance(graded.get(check.key), CheckResult)
            else check.failed(f"not run: no cell of this notebook ran graded[{check.key!r}] = "
                              f"checks.run({check.key!r}, globals()) (section {check.section})")
            for check in all_checks()]


__all__ = ["Check", "CheckResult", "active_profile", "all_checks", "get", "results_in_order", "run", "use_profile"]
