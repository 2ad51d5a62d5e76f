"""Evidence gathering where the student's objects live: the notebook's kernel.

The grader runs one cell of its own after the notebook, which re-imports this package from disk (so a
notebook that patched ``checks`` in memory patches nothing) and calls :func:`emit`. Each check's ``gather``
runs separately, so one failure (a missing function, a raising reward function) leaves the others; the
result is printed as one line tagged with the grader's per-run nonce, the only output the grader reads.
"""
from __future__ import annotations

import contextlib
import json
import traceback
import warnings

from checks.common import plain
from checks.registry import all_checks

# items a list in a check's evidence may hold: every parameter of flan-t5-base with two adapters (about 800
# tensors) must reach the "trainable parameters" check; the grader bounds the whole line
# (detoxlab.grade.evidence.EVIDENCE_MAX_CHARS)
EVIDENCE_ITEMS = 100_000


@contextlib.contextmanager
def quiet():
    """No progress bars, library warnings or log lines from a check's own work: the notebook shows the
    verdict, and a stored notebook's checked cells stay the same from run to run."""
    import datasets
    import transformers

    bars, verbosity = datasets.is_progress_bar_enabled(), transformers.logging.get_verbosity()
    datasets.disable_progress_bar()
    transformers.logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        transformers.logging.set_verbosity(verbosity)
        if bars:
            datasets.enable_progress_bar()


def gather_one(check, namespace: dict, request: dict, resources) -> tuple[dict, dict]:
    """({key: evidence}, {}) or ({}, {key: the problem, in one line}) for one check."""
    missing = check.missing_names(namespace)
    if missing:
        return {}, {check.key: f"`{'`, `'.join(missing)}` is not defined in the notebook"}
    try:
        with quiet():
            return {check.key: plain(check.gather(namespace, request, resources), depth=-20,
                                          max_items=EVIDENCE_ITEMS)}, {}
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: B036 - whatever the student's code raises, even SystemExit
        return {}, {check.key: traceback.format_exception_only(type(error), error)[-1].strip()[:600]}


def collect(namespace: dict, requests: dict, resources) -> tuple[dict, dict]:
    """(evidence, problems) by check key; each check gathered separately."""
    evidence, problems = {}, {}
    for check in all_checks():
        found, problem = gather_one(check, namespace, requests[check.key], resources)
        evidence.update(found)
        problems.update(problem)
    return evidence, problems


def emit(namespace: dict, requests_json: str, nonce: str, profile_path: str) -> None:
    from checks.resources import Resources
    from detoxlab.profiles import load_profile

    resources = Resources(load_profile(profile_path))
    evidence, problems = collect(namespace, json.loads(requests_json), resources)
    print(nonce + json.dumps({"evidence": evidence, "problems": problems}, default=str), flush=True)


def grader_cell(nonce: str, requests: dict, profile_path: str) -> str:
    """The source of the grader's cell: drop any in-memory copy of ``checks``, import it anew, emit."""
    return (
        "import sys as _sys\n"
        "for _name in [m for m in _sys.modules if m == 'checks' or m.startswith('checks.')]:\n"
        "    del _sys.modules[_name]\n"
        "import checks.kernel as _grader\n"
        f"_grader.emit(globals(), {json.dumps(requests)!r}, {nonce!r}, {profile_path!r})\n"
        "del _grader, _name, _sys\n")
