"""`detoxlab study`: the paired bootstrap, the ablation's arms, and short end-to-end runs on the embedded sample."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from detoxlab import evaluation, models, ppo, study
from detoxlab.profiles import load_profile, steps_override
import answer_key.evaluation
import answer_key.models
import answer_key.ppo


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
    fresh = answer_key.evaluation.generate_summaries(
        answer_key.models.load_policy(mini), models.load_tokenizer(mini), study.held_out_prompts(mini, 6)[1],
        mini.evaluation["max_new_tokens"], seed=0, sample=evaluation.sampling_settings(mini))
    assert report["runs"]["faithful"][0]["before"]["summaries"] == fresh
    assert report["runs"]["corrected"][0]["before"]["summaries"] == fresh
    for name in ("study.md", "training.png", "toxicity.png", "scatter.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert "| corrected |" in (tmp_path / "study.md").read_text()


def test_each_ablation_arm_differs_from_faithful_in_exactly_its_named_settings(mini):
    faithful, corrected = ppo.method(mini, "faithful"), ppo.method(mini, "corrected")
    arms = study.arm_methods(mini, study.ABLATION)
    assert list(arms) == [name for name, _ in study.ABLATION]
    for name, overrides in study.ABLATION:
        changed = study.changed_settings(arms[name], faithful)
        wanted = {key: getattr(corrected, key) if value is study.CORRECTED else value for key, value in overrides.items()}
        # a setting the two methods share (the mini profile's KL coefficient) is no change
        assert changed == {key: value for key, value in wanted.items() if value != getattr(faithful, key)}, name
        assert changed or name == "faithful", f"{name} changes nothing"
    assert dataclasses.replace(arms["faithful"], name="faithful") == faithful
    assert arms["corrected"] == corrected
    assert study.changed_settings(arms["corrected budget"], faithful) == {
        "learning_rate": corrected.learning_rate, "ppo_epochs": corrected.ppo_epochs, "steps": corrected.steps}
    # --steps sets every arm's steps, so the budget arm then differs in learning rate and epochs only
    short = study.arm_methods(load_profile("mini", steps_override(2)), study.ABLATION)
    assert {arm.steps for arm in short.values()} == {2}
    assert set(study.changed_settings(short["corrected budget"], short["faithful"])) == {"learning_rate", "ppo_epochs"}


def test_clean_decoding_reads_what_the_original_reads_without_its_special_tokens(mini):
    tokenizer = models.load_tokenizer(mini)
    query = "\nSummarize the following conversation.\n\n#Person1#: Hi.\n\nSummary:\n"
    response = torch.tensor([tokenizer.pad_token_id, *tokenizer("#Person1# says hi.").input_ids])
    def method(reward_input):
        return ppo.Method(reference="base", reward_input=reward_input, reward_pick="label", evaluation_input="summary",
                          learning_rate=1e-5, ppo_epochs=1, steps=1, init_kl_coef=0.2, name=reward_input)

    texts = {name: answer_key.ppo.reward_texts(method(name), [query], [response], tokenizer)[0] for name in answer_key.ppo.REWARD_INPUTS}
    assert texts["summary"] == "#Person1# says hi."
    assert texts["prompt+summary-raw"] == query + "<pad> #Person1# says hi.</s>"
    assert texts["prompt+summary"] == query + texts["summary"]
    with pytest.raises(ValueError, match="reward_input"):  # a method that reads the dialogue cannot be made
        method("dialogue")


@pytest.mark.slow
def test_ablation_reports_every_arm_against_faithful(tmp_path, no_data_dir):
    from detoxlab.cli import main

    assert main(["study", "--ablation", "--out", str(tmp_path), "--seeds", "1", "--eval-prompts", "4", "--steps", "1"]) == 0
    report = json.loads((tmp_path / "study.json").read_text())
    arms = [name for name, _ in study.ABLATION]
    assert list(report["summary"]) == [row["arm"] for row in report["ablation"]] == arms
    rows = {row["arm"]: row for row in report["ablation"]}
    assert rows["faithful"]["vs_faithful"] is None and rows["clean decoding"]["changed"] == {"reward_input": "prompt+summary"}
    for name in arms[1:]:
        versus = rows[name]["vs_faithful"]
        assert versus["ci95"][0] <= versus["mean"] <= versus["ci95"][1]
        # every arm starts from the same SFT summaries: its difference from faithful is that of the changes, each
        # in the arm's own measurement (the faithful arm measures prompt + summary, as the original does)
        own, theirs = report["summary"][name]["measured_on"], report["summary"]["faithful"]["measured_on"]
        run, faithful = report["runs"][name][0], report["runs"]["faithful"][0]
        change = np.subtract(run["after"][own], run["before"][own])
        assert versus["mean"] == pytest.approx((change - np.subtract(faithful["after"][theirs],
                                                                     faithful["before"][theirs])).mean())
        assert run["before"] == faithful["before"]
    assert (report["summary"]["faithful"]["measured_on"], report["summary"]["corrected"]["measured_on"]) == (
        "toxicity_with_prompt", "toxicity")
    # measured differently, trained alike: the evaluation arms share their runs' summaries with the arm they measure
    assert report["runs"]["summary evaluation"][0]["after"] == report["runs"]["faithful"][0]["after"]
    assert report["runs"]["corrected, original's evaluation"][0]["after"] == report["runs"]["corrected"][0]["after"]
    table = (tmp_path / "study.md").read_text()
    assert "vs faithful (95% CI)" in table and "| KL coef 0.05 | init_kl_coef 0.05 |" in table
    assert report["command"].endswith("--ablation")
    # an interrupted study resumes from the runs it saved; a missing one is run again, to the same figures
    saved = tmp_path / "runs" / "corrected-course-s-KL-coef-seed0.json"
    assert json.loads(saved.read_text())["run"] == report["runs"]["corrected, course's KL coef"][0]
    # that arm is the corrected method at the faithful method's (the course's) KL coefficient, which the mini
    # profile's corrected method raises
    assert "init_kl_coef" not in rows["corrected, course's KL coef"]["changed"]
    assert rows["corrected"]["changed"]["init_kl_coef"] == 0.5
    (tmp_path / "runs" / "faithful-seed0.json").unlink()
    assert main(["study", "--ablation", "--resume", "--out", str(tmp_path), "--seeds", "1", "--eval-prompts", "4",
                 "--steps", "1"]) == 0
    resumed = json.loads((tmp_path / "study.json").read_text())

    def figures(record):  # a run or summary without the times it took
        if isinstance(record, dict):
            return {key: figures(value) for key, value in record.items() if key not in ("train_seconds", "seconds")}
        return [figures(item) for item in record] if isinstance(record, list) else record

    assert figures(resumed["runs"]["faithful"][0]) == figures(report["runs"]["faithful"][0])  # run again, same figures
    assert resumed["runs"]["corrected"] == report["runs"]["corrected"]  # read back, time included
    assert {name: figures(s) for name, s in resumed["summary"].items()} == {
        name: figures(s) for name, s in report["summary"].items()}
