"""What the tests of checks/ share: garbage evidence, and a check's verdict on a namespace."""
import math
import random

import checks
from checks import CheckResult
from checks.kernel import gather_one

# what a notebook that passes every check scores (one point a check: the count follows the registry)
MAX_SCORE = sum(check.points for check in checks.all_checks())
GARBAGE = [None, "text", 3.5, math.nan, [], {}, {"x": object()}, [math.nan, 1.0], b"bytes"]


def verdict(key, namespace, resources, rng_seed=0):
    check = checks.get(key)
    request = check.draw(resources, random.Random(rng_seed))
    found, problems = gather_one(check, namespace, request, resources)
    if problems:
        return check.failed(f"not graded: {problems[key]}")
    return check.judged(found[key], request, resources)


def assert_failed(result, *fragments):
    assert isinstance(result, CheckResult)
    assert (result.passed, result.score) == (False, 0.0), result.message
    for fragment in fragments:
        assert fragment in result.message, result.message
