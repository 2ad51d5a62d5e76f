"""The grader against the solution and its mutants: the solution earns full marks; each mutant breaks one thing
a student could get wrong and must lose exactly the points of the checks that grade it; the untouched student
notebook earns 0.

The mutants (tests/grading_corpus/mutants, written by build_corpus.py from the solution notebook) are graded as
one batch; each runs the whole mini lab, so this is the slowest test of the suite.
"""
import json
import tomllib
from pathlib import Path

import pytest
from check_helpers import MAX_SCORE

from detoxlab import grade

MUTANTS = Path(__file__).parent / "grading_corpus" / "mutants"
SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "detox_lab.ipynb"
EXPECTED = tomllib.loads((MUTANTS / "expected.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graded_mutants(tmp_path_factory):
    import os

    saved = {name: os.environ.get(name) for name in ("DETOXLAB_DATA_DIR", "DETOXLAB_THREADS")}
    os.environ.pop("DETOXLAB_DATA_DIR", None)  # the mini profile on its embedded sample, as the notebook's outputs
    os.environ["DETOXLAB_THREADS"] = "1"       # two kernels at a time on two cores: one thread each
    root = tmp_path_factory.mktemp("mutants")
    submissions = root / "submissions"
    submissions.mkdir()
    for name in EXPECTED:
        (submissions / f"{name}.ipynb").write_bytes((MUTANTS / f"{name}.ipynb").read_bytes())
    # the solution in the same batch: graded as a submission, with its stored outputs (a student's notebook has some)
    (submissions / "solution.ipynb").write_bytes(SOLUTION.read_bytes())
    try:
        status = grade.main(submissions, root / "out", "mini", jobs=2, log=lambda *_: None,
                            timeout_cell=1800, timeout_total=3600)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    return {"status": status, "out": root / "out"}


@pytest.mark.slow
def test_the_solution_gets_full_marks(graded_mutants):
    payload = json.loads((graded_mutants["out"] / "solution" / "results.json").read_text())
    failed = {t["name"]: t["output"] for t in payload["tests"] if t.get("status") == "failed"}
    assert graded_mutants["status"] == 0 and payload["extra_data"]["outcome"] == "completed", payload["output"]
    assert payload["extra_data"]["max_score"] == MAX_SCORE
    assert payload["score"] == MAX_SCORE and not failed, failed


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mutant_gets_its_expected_score(graded_mutants, name):
    payload = json.loads((graded_mutants["out"] / name / "results.json").read_text())
    scores = {t["name"]: t.get("score") for t in payload["tests"] if t.get("visibility") == "visible"}
    assert payload["extra_data"]["max_score"] == MAX_SCORE
    assert payload["score"] == EXPECTED[name]["score"], (scores, payload["output"][:3000])
