"""The checks package: ten checks in the notebook's order, each turning garbage into a failed result with
a message (never a traceback), and the grader cell that gathers their evidence (checks/__init__, registry,
kernel, result)."""
import pytest
import torch
from check_helpers import GARBAGE, assert_failed

import checks
from checks import CheckResult
from checks.kernel import collect, grader_cell


def test_ten_checks_in_the_notebooks_order_one_point_each():
    keys = [c.key for c in checks.all_checks()]
    assert keys == ["dataset", "parameters", "reward", "evaluation", "trainer", "loop", "ppo_math", "improvement",
                    "change", "table"]
    assert [c.title for c in checks.all_checks()][:3] == ["dataset sizes", "trainable parameters", "reward signs"]
    assert all(c.points == 1 for c in checks.all_checks())


@pytest.mark.parametrize("check", checks.all_checks(), ids=lambda c: c.key)
@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_garbage_evidence_gives_a_failed_result_with_a_message(check, value, resources):
    request = {"adapter_path": "/nonexistent/adapter.pt", "probes": ["a", "b"], "prompts": ["p"], "seed": 1,
               "before": [0.5], "after": [0.4], "split": "validation", "min_chars": 200, "max_chars": 1000}
    result = check.judged(value, request, resources)
    assert_failed(result)
    assert result.message


def test_a_missing_function_is_named(resources):
    evidence, problems = collect({}, {c.key: {} for c in checks.all_checks()}, resources)
    assert evidence == {}
    assert "`build_dataset` is not defined" in problems["dataset"] and "`reward_fn`" in problems["reward"]


def test_results_render_for_people():
    result = CheckResult("reward signs", True, 1.0, 1.0, "a <b> message")
    assert str(result) == "[PASSED] reward signs (1/1): a <b> message"
    assert "&lt;b&gt;" in result._repr_html_() and "passed" in result._repr_html_()


def test_the_grader_cell_reimports_checks_from_disk():
    cell = grader_cell("NONCE:", {"change": {"before": [1.0]}}, "/x/mini.toml")
    assert "del _sys.modules[_name]" in cell and "import checks.kernel" in cell and "'NONCE:'" in cell
    compile(cell, "grader", "exec")


def test_the_notebooks_call_leaves_its_random_streams_alone(resources, monkeypatch):
    monkeypatch.setattr(checks, "active_profile", lambda: resources.profile)
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    checks.run("change", {"toxicity_change": lambda b, a: (torch.manual_seed(0), 1.0)[1]})
    assert torch.equal(torch.rand(3), expected)


def test_the_last_cell_gets_every_check_in_order_and_one_no_cell_ran_fails_by_name():
    ran = {"dataset": CheckResult("dataset sizes", True, 1.0, 1.0, "ok"), "reward": "not a result"}
    results = checks.results_in_order(ran)
    assert [r.name for r in results] == [c.title for c in checks.all_checks()]
    assert results[0] is ran["dataset"]
    assert_failed(results[2])  # garbage in `graded` is not a verdict
    assert "graded['reward'] = checks.run('reward', globals())" in results[2].message
    assert "section 2.2" in results[1].message
