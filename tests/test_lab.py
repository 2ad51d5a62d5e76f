"""detoxlab.lab: what the notebook calls for reproducibility and outputs."""
import json

import torch

from checks import CheckResult
from detoxlab import lab


def test_the_same_seed_gives_the_same_numbers(monkeypatch):
    monkeypatch.setenv(lab.THREADS_ENV, "1")
    lab.make_reproducible(3)
    first = torch.rand(4).tolist()
    lab.make_reproducible(3)
    assert torch.rand(4).tolist() == first and torch.get_num_threads() == 1
    lab.make_reproducible(4)
    assert torch.rand(4).tolist() != first


def test_outputs_hold_every_check_and_the_metrics(tmp_path):
    results = [CheckResult("a", True, 1.0, 1.0, "ok"), CheckResult("b", False, 0.0, 1.0, "wrong")]
    metrics = {"steps": [{"step": 1, "reward_mean": 0.5, "kl": 0.0}, {"step": 2, "reward_mean": 0.7, "kl": 0.1}],
               "toxicity_before_per_prompt": [0.4, 0.6], "toxicity_after_per_prompt": [0.1, 0.2]}
    lab.write_outputs(tmp_path / "out", results, metrics)
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    # the grader's layout (Gradescope's), so staff and scripts read one format
    assert (payload["score"], payload["extra_data"]["max_score"]) == (1.0, 2.0)
    assert [(test["name"], test["status"]) for test in payload["tests"]] == [("a", "passed"), ("b", "failed")]
    assert payload["output"] == "1 of 2 checks passed (1/2)." and payload["extra_data"]["outcome"] == "completed"
    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == metrics
    for plot in ("training.png", "toxicity.png"):
        assert (tmp_path / "out" / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
