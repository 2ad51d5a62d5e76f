"""checks.improvement: the student's adapter must lower toxicity on prompts it has not seen, by a paired test;
an untrained, a zeroed or a non-adapter file fails."""
import numpy as np
import pytest
import torch
from check_helpers import assert_failed

import checks
from checks.kernel import gather_one


def test_the_paired_test_sees_a_fall_and_not_noise():
    from checks.improvement import sign_flip_p_value

    rng = np.random.default_rng(1)
    before = rng.uniform(0, 1, 30)
    assert sign_flip_p_value(before, before - 0.2) < 0.001
    assert sign_flip_p_value(before, before) > 0.5
    assert sign_flip_p_value(before, before + rng.normal(0, 0.05, 30)) > 0.01


EXPECTED = {"toxicity_margin": 0.01, "toxicity_alpha": 0.05, "max_kl": 10.0, "min_length_ratio": 0.5}


def figures(toxicity, kl=0.0, length=20.0):
    return {"toxicity": list(toxicity), "kl": kl, "length": length}


def test_a_trained_adapter_must_beat_the_scaled_sft_family_at_no_greater_kl():
    from checks.improvement import verdict

    rng = np.random.default_rng(0)
    before = rng.uniform(0.3, 0.7, 32)
    after = figures(before - 0.3, kl=2.0)
    flat = {str(s): figures(before + rng.normal(0, 0.02, 32), kl=3 * (1 - s)) for s in (0.0, 0.25, 0.5, 0.75)}
    passed, message = verdict(figures(before), flat, after, EXPECTED)
    assert passed, message
    assert "the best scaled SFT adapter at no greater KL (the SFT adapter scaled by 0.5" in message or \
        "the best scaled SFT adapter at no greater KL (the SFT adapter scaled by 0.75" in message
    # a family member as clean as the trained adapter and no farther from the SFT policy: a shortcut would do
    clean = {**flat, "0.5": figures(before - 0.3, kl=1.5)}
    passed, message = verdict(figures(before), clean, after, EXPECTED)
    assert not passed and "the SFT adapter scaled by 0.5, 1.50 nats from the SFT policy" in message
    assert "not detoxification" in message
    # ... but one farther away than the trained adapter is no rival: more KL buys more change
    far = {**flat, "0.0": figures(before - 0.3, kl=3.0)}
    assert verdict(figures(before), far, after, EXPECTED)[0]
    base_only = {"0.0": figures(before - 0.29, kl=2.0)}
    passed, message = verdict(figures(before), base_only, after, EXPECTED)
    assert not passed and "the base model without its adapter" in message


def test_the_rival_is_the_family_member_closest_to_sft_when_none_is_within_the_kl():
    from checks.improvement import best_rival

    family = {"0.0": figures([0.1], kl=3.0), "0.75": figures([0.4], kl=0.5)}
    assert best_rival(family, 0.2)[0] == "0.75"
    assert best_rival(family, 5.0)[0] == "0.0"


@pytest.mark.slow
class TestImprovement:
    def export(self, resources, tmp_path, change=None):
        policy = resources.policy()
        if change:
            change(policy)
        path = tmp_path / "adapter.pt"
        gather_one(checks.get("improvement"), {"peft_model": policy}, {"adapter_path": str(path)}, resources)
        return path

    def judge(self, resources, path):
        return checks.get("improvement").judged({"tensors": 1}, {"adapter_path": str(path)}, resources)

    def test_an_untrained_adapter_fails(self, resources, tmp_path):
        assert_failed(self.judge(resources, self.export(resources, tmp_path)), "not lower", "Likely causes",
                      "what the reward model reads", "the reward's sign", "KL reference")

    def test_a_zeroed_adapter_is_not_detoxification(self, resources, tmp_path):
        def zero(policy):
            with torch.no_grad():
                for name, parameter in policy.named_parameters():
                    if "lora_B" in name:
                        parameter.zero_()

        # the stand-ins' toxicity comes with the base model: without the adapter, toxicity does not fall
        assert_failed(self.judge(resources, self.export(resources, tmp_path, zero)), "mean toxicity")

    def test_a_file_that_is_not_an_adapter_fails(self, resources, tmp_path):
        (tmp_path / "adapter.pt").write_bytes(b"not a tensor file")
        assert_failed(self.judge(resources, tmp_path / "adapter.pt"), "could not be read")


@pytest.mark.slow
class TestImprovementWithoutTheAnswerKey:
    """The students' environment has no answer key to write the grader's summaries with: the check judges the
    notebook's own paired scores, the summaries' length in words and the exported adapter, and says so."""

    def verdict(self, resources, tmp_path, monkeypatch, notebook, change=None):
        import checks.improvement

        monkeypatch.setattr(checks.improvement, "answer_key_available", lambda: False)
        policy = resources.policy()
        if change:
            change(policy)
        request = {"adapter_path": str(tmp_path / "adapter.pt")}
        found, problems = gather_one(checks.get("improvement"), {"peft_model": policy, **notebook}, request, resources)
        assert not problems, problems
        return checks.get("improvement").judged(found["improvement"], request, resources)

    def notebook(self, after, words_after=12):
        return {"toxicity_before": [0.5, 0.6, 0.4, 0.7] * 6, "toxicity_after": after,
                "summaries_before": ["a b c d e f g h i j k l"] * 24, "summaries_after": [" ".join("w" * words_after)] * 24}

    def test_a_paired_fall_with_the_adapter_kept_passes(self, resources, tmp_path, monkeypatch):
        result = self.verdict(resources, tmp_path, monkeypatch, self.notebook([0.1, 0.2, 0.05, 0.1] * 6))
        assert result.passed, result.message
        assert "your notebook's mean toxicity 0.5500 -> 0.1125" in result.message and "The grader also" in result.message

    def test_no_fall_fails_with_the_likely_causes(self, resources, tmp_path, monkeypatch):
        result = self.verdict(resources, tmp_path, monkeypatch, self.notebook([0.5, 0.6, 0.4, 0.7] * 6))
        assert_failed(result, "not lower", "Likely causes")

    def test_summaries_that_collapse_fail(self, resources, tmp_path, monkeypatch):
        result = self.verdict(resources, tmp_path, monkeypatch, self.notebook([0.0] * 24, words_after=3))
        assert_failed(result, "shrank from 12.0 to 3.0 words")

    def test_a_shrunk_adapter_is_not_detoxification(self, resources, tmp_path, monkeypatch):
        def shrink(policy):
            with torch.no_grad():
                for name, parameter in policy.named_parameters():
                    if "lora_B" in name:
                        parameter.mul_(0.3)

        result = self.verdict(resources, tmp_path, monkeypatch, self.notebook([0.1] * 24), shrink)
        assert_failed(result, "keeps 0.30 of the SFT adapter's update")

    def test_missing_scores_fail_with_what_was_missing(self, resources, tmp_path, monkeypatch):
        result = self.verdict(resources, tmp_path, monkeypatch, {})
        assert_failed(result, "could not be read", "toxicity_before")

    def test_further_draws_come_from_the_students_function_at_the_next_seeds(self, resources, tmp_path, monkeypatch):
        """On a profile that averages draws, the kernel asks the notebook's evaluate_toxicity for the others:
        the fresh SFT policy before, the trained one after, at eval_seed + 1 and + 2."""
        import checks.improvement

        monkeypatch.setattr(checks.improvement, "answer_key_available", lambda: False)
        trained, calls = resources.policy(), []

        def evaluate_toxicity(model, tokenizer, evaluator, prompts, seed):
            calls.append(("after" if model is trained else "before", seed))
            return [0.4 if model is trained else 0.55] * len(prompts), ["a b c d e f g h i j k l"] * len(prompts)

        namespace = {"peft_model": trained, "evaluate_toxicity": evaluate_toxicity, "eval_prompts": ["p"] * 24,
                     "eval_seed": 42, **self.notebook([0.1, 0.2, 0.05, 0.1] * 6)}
        request = checks.get("improvement").draw(resources, None) | {"adapter_path": str(tmp_path / "adapter.pt")}
        assert request["notebook_draws"] == resources.profile.expected["improvement_draws"] == 3
        found, problems = gather_one(checks.get("improvement"), namespace, request, resources)
        assert not problems, problems
        result = checks.get("improvement").judged(found["improvement"], request, resources)
        assert sorted(calls) == [("after", 43), ("after", 44), ("before", 43), ("before", 44)]
        assert "mean toxicity 0.5500 -> 0.3042 over 24 paired prompts (3 sampled summaries each" in result.message
        assert result.passed, result.message

    def test_a_further_draw_of_another_length_fails_with_the_counts(self, resources, tmp_path, monkeypatch):
        import checks.improvement

        monkeypatch.setattr(checks.improvement, "answer_key_available", lambda: False)
        policy = resources.policy()
        namespace = {"peft_model": policy, "eval_prompts": ["p"] * 24, "eval_seed": 42,
                     "evaluate_toxicity": lambda model, tokenizer, evaluator, prompts, seed: ([0.1] * 3, ["a"] * 3),
                     **self.notebook([0.1] * 24)}
        request = {"notebook_draws": 2, "adapter_path": str(tmp_path / "adapter.pt")}
        found, problems = gather_one(checks.get("improvement"), namespace, request, resources)
        assert not problems, problems
        assert_failed(checks.get("improvement").judged(found["improvement"], request, resources),
                      "hold 24 and 24 scores; evaluate_toxicity at the next seeds gave 3 and 3")


@pytest.mark.slow
def test_each_prompts_toxicity_is_the_mean_of_its_draws(resources):
    """The mini profile samples improvement_draws summaries per prompt, with the evaluation seed, seed + 1, ..."""
    from answer_key.evaluation import generate_summaries
    from checks.improvement import evaluation_prompts, summarise
    from detoxlab import evaluation

    profile, policy = resources.profile, resources.policy()
    draws = profile.expected["improvement_draws"]
    assert draws == 3
    prompts = evaluation_prompts(resources)
    each = [resources.toxicity(generate_summaries(policy, resources.tokenizer, prompts, profile.evaluation["max_new_tokens"],
                                                  profile.evaluation["seed"] + draw, evaluation.sampling_settings(profile)))
            for draw in range(draws)]
    result = summarise(resources, policy, with_kl=True)
    assert len(result["toxicity"]) == len(prompts)
    assert result["toxicity"] == pytest.approx(np.mean(each, axis=0).tolist(), abs=1e-6)
    assert each[0] != each[1]  # the draws differ: they are not one summary counted three times
    assert result["kl"] == pytest.approx(0.0, abs=1e-5)  # the SFT policy against itself
