"""`detoxlab study`: the paired bootstrap, and a short end-to-end run on the embedded sample."""
import json

import numpy as np
import pytest

from detoxlab import evaluation, models, study
from detoxlab.profiles import load_profile


def test_paired_bootstrap_interval_brackets_a_clear_shift_and_zero_for_noise():
    rng = np.random.default_rng(1)
    before = rng.uniform(0.2, 0.8, size=(2, 300))
    lowered = study.paired_bootstrap(before, before - 0.1 + rng.normal(0, 0.02, size=before.shape))
    assert lowered["mean"] == pytest.approx(-0.1, abs=0.01)
    assert lowered["ci95"][0] < -0.1 < lowered["ci95"][1] < 0 and lowered["excludes_zero"]
    noise = study.paired_bootstrap(before, before + rng.normal(0, 0.05, size=before.shape))
    assert noise["ci95"][0] < 0 < noise["ci95"][1] and not noise["excludes_zero"]


def test_pairing_matters_more_than_the_spread_between_prompts():
    """Prompts differ a lot from each other, the change is small and consistent: a paired interval
    finds it, because it resamples differences, not two independent means."""
    before = np.linspace(0.0, 1.0, 50)[None, :]
    result = study.paired_bootstrap(before, before - 0.01)
    assert result["ci95"][1] < 0


def test_held_out_prompts_are_distinct_test_dialogues_within_the_length_filter(mini, no_data_dir):
    ids, prompts, references, source = study.held_out_prompts(mini, 10)
    assert source.kind == "embedded" and len(ids) == len(set(ids)) == len(prompts) == len(references) == 10
    assert all(p.startswith("\nSummarize the following conversation.") for p in prompts)


@pytest.mark.slow
def test_study_writes_report_plots_and_intervals(tmp_path, no_data_dir):
    from detoxlab.cli import main

    assert main(["study", "--out", str(tmp_path), "--seeds", "1", "--eval-prompts", "6", "--steps", "1"]) == 0
    report = json.loads((tmp_path / "study.json").read_text())
    assert report["eval_prompts"] == 6 and set(report["summary"]) == {"faithful", "corrected"}
    for name, summary in report["summary"].items():
        low, high = summary["toxicity_change"]["ci95"]
        assert low <= summary["toxicity_change"]["mean"] <= high
        run = report["runs"][name][0]
        assert len(run["steps"]) == 1 and len(run["after"]["toxicity"]) == 6
        assert np.isfinite(summary["kl_to_sft"])
    # "before" is the untrained SFT policy's output for these prompts and this seed, for both methods
    mini = load_profile("mini")
    fresh = evaluation.generate_summaries(
        models.load_policy(mini), models.load_tokenizer(mini), study.held_out_prompts(mini, 6)[1],
        mini.evaluation["max_new_tokens"], seed=0, sample=evaluation.sampling_settings(mini))
    assert report["runs"]["faithful"][0]["before"]["summaries"] == fresh
    assert report["runs"]["corrected"][0]["before"]["summaries"] == fresh
    for name in ("study.md", "training.png", "toxicity.png", "scatter.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert "| corrected |" in (tmp_path / "study.md").read_text()
