"""Inputs and the reference's answers bundled with the lab, for the student's environment.

The student's environment has no answer key (``detoxlab handout``), so a check whose judgement needs the
reference (``Check.expected``) cannot draw new inputs there. Instead it runs on inputs drawn once, with a
fixed seed, whose answers the answer key computed ahead: ``checks/bundles/<profile>.json``, written by
``detoxlab student`` for each profile whose models this machine has, and compared with a fresh build by
the tests. Answers are facts about those inputs (sizes, digests, parameter shapes, numbers), not code.
The grader always draws unseen inputs and computes the answers live.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import random
from pathlib import Path

BUNDLE_DIR = Path(__file__).parent / "bundles"
BUNDLE_SEED = 20241206


class NotBundled(Exception):
    """No bundled answers fit this check, profile and data source."""


def answer_key_available() -> bool:
    """True in the grader's and the maintainers' environment; False in the student's, and in a kernel being
    graded, which cannot read it (its folder is closed to it)."""
    try:
        return importlib.util.find_spec("answer_key") is not None
    except (ImportError, OSError):
        return False


def path_for(profile) -> Path:
    return BUNDLE_DIR / f"{profile.name}.json"


def data_source(resources) -> str:
    from detoxlab.data import resolve_source

    return resolve_source(resources.profile.data).kind


def bundled(key: str, resources) -> tuple[dict, object]:
    """(request, expected) for check ``key`` from the profile's bundle; ``NotBundled`` says why not."""
    profile = resources.profile
    path = path_for(profile)
    if not path.is_file():
        raise NotBundled(f"the lab bundles no reference answers for the {profile.name} profile; the grader checks "
                         "this on inputs drawn for it")
    bundle = json.loads(path.read_text(encoding="utf-8"))
    source = data_source(resources)
    if bundle["source"] != source:
        raise NotBundled(f"the bundled answers are for DialogSum from {bundle['source']}, and this run reads it from "
                         f"{source} (unset DETOXLAB_DATA_DIR to check against them); the grader checks this")
    if key not in bundle["checks"]:
        raise NotBundled(f"the {profile.name} bundle has no answers for check {key!r}; the grader checks this")
    entry = bundle["checks"][key]
    return copy.deepcopy(entry["request"]), copy.deepcopy(entry["expected"])


def build(profile) -> dict:
    """The bundle for ``profile``: each answer-key check's inputs, drawn with ``BUNDLE_SEED``, and answers."""
    from checks.registry import all_checks
    from checks.resources import Resources

    resources, rng = Resources(profile), random.Random(BUNDLE_SEED)
    entries = {}
    for check in all_checks():
        if check.expected is not None:
            request = check.draw(resources, rng)
            entries[check.key] = {"request": request, "expected": check.expected(request, resources)}
    return {"profile": profile.name, "source": data_source(resources), "seed": BUNDLE_SEED, "checks": entries}


def write(profile) -> Path:
    from detoxlab.files import SHARED, write_text_atomically

    path = path_for(profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(build(profile), indent=1, sort_keys=True) + "\n", mode=SHARED)
    return path
