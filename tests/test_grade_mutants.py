"""The grader against the solution and its mutants: the solution earns full marks; each mutant breaks one thing
a student could get wrong and must lose exactly the points of the checks that grade it; the untouched student
notebook earns 0.

The mutants (tests/grading_corpus/mutants, written by build_corpus.py from the solution notebook) are graded as
one batch; each runs the whole mini lab (about 160 s on one core), so this is the slowest test of the suite.
Every run grades the mutants in IN_EVERY_RUN: together they lose every check, and they include every shortcut
around PPO that must not earn the certificate. DETOXLAB_ALL_MUTANTS=1 grades all of them (about 33 minutes on
2 cores instead of about 16): before a release, and after a change to a check, the solution or a profile.
"""
import json
import os
import tomllib
from pathlib import Path

import pytest
from check_helpers import MAX_SCORE

from detoxlab import grade

MUTANTS = Path(__file__).parent / "grading_corpus" / "mutants"
SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "detox_lab.ipynb"
EXPECTED = tomllib.loads((MUTANTS / "expected.toml").read_text(encoding="utf-8"))
IN_EVERY_RUN = {
    # the shortcuts: no PPO, the SFT adapter zeroed, scaled, noised or pruned instead (they lose only the improvement)
    "no_ppo_loop", "adapter_zeroed", "adapter_scaled", "adapter_noised", "adapter_pruned",
    # one mutant for each other check (original_code loses the reward, trainer, loop and evaluation checks)
    "original_code", "all_parameters_trainable", "wrong_length_filter", "unwhitened_advantages",
    "sign_flipped", "table_in_characters",
    # the handed-out notebook, and the same printing fake verdicts (a few seconds each)
    "untouched", "printed_results",
}
GRADED = sorted(EXPECTED) if os.environ.get("DETOXLAB_ALL_MUTANTS") == "1" else sorted(IN_EVERY_RUN)


@pytest.fixture(scope="module")
def graded_mutants(tmp_path_factory):
    import os

    saved = {name: os.environ.get(name) for name in ("DETOXLAB_DATA_DIR", "DETOXLAB_THREADS")}
    os.environ.pop("DETOXLAB_DATA_DIR", None)  # the mini profile on its embedded sample, as the notebook's outputs
    os.environ["DETOXLAB_THREADS"] = "1"       # two kernels at a time on two cores: one thread each
    root = tmp_path_factory.mktemp("mutants")
    submissions = root / "submissions"
    submissions.mkdir()
    for name in GRADED:
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


def test_the_mutants_graded_in_every_run_lose_every_check_and_hold_every_shortcut():
    from checks import registry

    unknown = IN_EVERY_RUN - set(EXPECTED)
    assert not unknown, f"IN_EVERY_RUN names mutants build_corpus.py does not write: {sorted(unknown)}"
    every_check = {check.key for check in registry.all_checks()}
    # the notebooks that score 0 (no "loses": the handed-out one) prove no check catches its own mistake
    targeted = {name: set(EXPECTED[name]["loses"]) for name in IN_EVERY_RUN if "loses" in EXPECTED[name]}
    uncovered = every_check - set().union(*targeted.values())
    assert not uncovered, (f"no mutant in IN_EVERY_RUN loses {sorted(uncovered)}: add the mutant written for it "
                           "to IN_EVERY_RUN in tests/test_grade_mutants.py")
    shortcuts = {name for name, mutant in EXPECTED.items() if mutant.get("loses") == ["improvement"]}
    assert shortcuts <= IN_EVERY_RUN, f"shortcuts graded only with DETOXLAB_ALL_MUTANTS=1: {sorted(shortcuts - IN_EVERY_RUN)}"


@pytest.mark.slow
@pytest.mark.parametrize("name", GRADED)
def test_mutant_gets_its_expected_score(graded_mutants, name):
    payload = json.loads((graded_mutants["out"] / name / "results.json").read_text())
    scores = {t["name"]: t.get("score") for t in payload["tests"] if t.get("visibility") == "visible"}
    assert payload["extra_data"]["max_score"] == MAX_SCORE
    assert payload["score"] == EXPECTED[name]["score"], (scores, payload["output"][:3000])
