"""Every check with correct values and with each kind of wrong value: a result, never a traceback."""
import math

import pytest
import torch

import checks
from checks import CheckResult
from detoxlab.profiles import load_profile

GARBAGE = [None, "text", 3.5, math.nan, [], {}, object(), [math.nan, 1.0], b"bytes"]


@pytest.fixture
def profile(no_data_dir):
    """mini with known expected counts, whatever the committed stand-in's size."""
    mini = load_profile("mini")
    expected = dict(mini.expected, trainable_parameters=1000, total_parameters=10000)
    from dataclasses import replace

    return replace(mini, expected=expected)


def assert_failed(result, *fragments):
    assert isinstance(result, CheckResult)
    assert (result.passed, result.score) == (False, 0.0)
    assert result.max_score == 1.0
    for fragment in fragments:
        assert fragment in result.message, result.message


@pytest.mark.parametrize("check", checks.ALL_CHECKS, ids=lambda c: c.check_name)
@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_garbage_gives_a_failed_result_with_a_message(check, value, profile):
    args = (value, value) if check is checks.check_toxicity_improvement else (value,)
    result = check(*args, profile=profile)
    assert_failed(result)
    assert result.message


def test_results_render_for_people():
    result = CheckResult("reward signs", True, 1.0, 1.0, "a <b> message")
    assert str(result) == "[PASSED] reward signs (1/1): a <b> message"
    assert "&lt;b&gt;" in result._repr_html_() and "passed" in result._repr_html_()
    assert result.to_dict() == {"name": "reward signs", "passed": True, "score": 1.0, "max_score": 1.0,
                                "message": "a <b> message"}


class TestDatasetSizes:
    def test_expected_sizes_for_the_source_in_use_pass(self, profile):
        assert checks.check_dataset_sizes((96, 24), profile=profile).passed
        assert checks.check_dataset_sizes({"train": range(96), "test": range(24)}, profile=profile).passed

    def test_real_dialogsum_sizes_are_expected_when_its_directory_is_configured(self, profile, shared_data, monkeypatch):
        monkeypatch.setenv("DETOXLAB_DATA_DIR", str(shared_data))
        assert checks.check_dataset_sizes((8017, 2005), profile=profile).passed
        assert_failed(checks.check_dataset_sizes((96, 24), profile=profile), "expected 10022")

    def test_wrong_filter(self, profile):
        assert_failed(checks.check_dataset_sizes((100, 25), profile=profile), "length filter")

    def test_wrong_split(self, profile):
        assert_failed(checks.check_dataset_sizes((60, 60), profile=profile), "test_size=0.2")

    def test_empty_dataset(self, profile):
        assert_failed(checks.check_dataset_sizes({"train": [], "test": []}, profile=profile), "train split is empty")

    def test_missing_split(self, profile):
        assert_failed(checks.check_dataset_sizes({"train": range(96)}, profile=profile), "no test split")


class TestTrainableParameters:
    def lora_model(self, trainable_lora: bool = True, value_head: bool = False):
        model = torch.nn.Module()
        model.base = torch.nn.Linear(90, 100, bias=False)  # 9000 frozen
        model.base.weight.requires_grad_(False)
        model.lora_A = torch.nn.Linear(10, 100, bias=False)  # 1000 trainable
        model.lora_A.weight.requires_grad_(trainable_lora)
        if value_head:
            model.v_head = torch.nn.Linear(load_profile("mini").expected["value_head_parameters"] - 1, 1)
        return model

    def test_peft_model_passes(self, profile):
        assert checks.check_trainable_parameters(self.lora_model(), profile=profile).passed

    def test_value_head_model_expects_the_head_too(self, profile):
        assert checks.check_trainable_parameters(self.lora_model(value_head=True), profile=profile).passed

    def test_counts_pass(self, profile):
        assert checks.check_trainable_parameters((1000, 10000), profile=profile).passed

    def test_model_without_adapter(self, profile):
        assert_failed(checks.check_trainable_parameters(torch.nn.Linear(3, 3), profile=profile), "no LoRA adapter")

    def test_frozen_adapter(self, profile):
        assert_failed(checks.check_trainable_parameters(self.lora_model(False), profile=profile), "is_trainable=True")

    def test_everything_trainable(self, profile):
        assert_failed(checks.check_trainable_parameters((10000, 10000), profile=profile), "every parameter")

    def test_wrong_counts(self, profile):
        assert_failed(checks.check_trainable_parameters((999, 10000), profile=profile), "LoRA settings")


class TestRewardSigns:
    def test_pair_of_logits_passes(self, profile):
        assert checks.check_reward_signs((3.1, -0.7), profile=profile).passed
        assert checks.check_reward_signs(torch.tensor([3.1, -0.7]), profile=profile).passed

    def test_reward_function_is_called_on_the_profile_probes(self, profile):
        seen = []

        def reward(texts):
            seen.extend(texts)
            return [2.0 if "didn't like" in t else -1.0 for t in texts]

        assert checks.check_reward_signs(reward, profile=profile).passed
        assert seen == [profile.expected["non_toxic_probe"], profile.expected["toxic_probe"]]

    def test_pipeline_output_is_understood(self, profile):
        outputs = [[{"label": "nothate", "score": 2.5}, {"label": "hate", "score": -2.5}],
                   [{"label": "nothate", "score": -1.5}, {"label": "hate", "score": 1.5}]]
        assert checks.check_reward_signs(outputs, profile=profile).passed

    def test_wrong_sign(self, profile):
        assert_failed(checks.check_reward_signs((-3.1, 0.7), profile=profile), "swapped")

    def test_probabilities_instead_of_logits(self, profile):
        assert_failed(checks.check_reward_signs((0.9, 0.1), profile=profile), "probabilities")

    def test_both_positive(self, profile):
        assert_failed(checks.check_reward_signs((3.0, 2.0), profile=profile), "negative one for toxic")

    def test_reward_function_that_raises(self, profile):
        def broken(texts):
            raise RuntimeError("model not loaded")

        assert_failed(checks.check_reward_signs(broken, profile=profile), "RuntimeError: model not loaded")


class TestToxicityImprovement:
    def test_lower_after_passes_and_says_by_how_much(self, profile):
        result = checks.check_toxicity_improvement([0.4, 0.2], [0.1, 0.1], profile=profile)
        assert result.passed and "down 66.7%" in result.message

    def test_worse_after_fails_with_the_right_sign(self, profile):
        assert_failed(checks.check_toxicity_improvement([0.1, 0.1], [0.2, 0.1], profile=profile), "up 50.0%")

    def test_within_the_margin_fails(self, profile):
        margin = profile.expected["toxicity_margin"]
        before = [0.5, 0.5]
        after = [0.5 - margin / 2, 0.5 - margin / 2]
        assert_failed(checks.check_toxicity_improvement(before, after, profile=profile), "required margin")

    def test_unpaired(self, profile):
        assert_failed(checks.check_toxicity_improvement([0.4, 0.2, 0.1], [0.1, 0.1], profile=profile), "same prompts")

    def test_means_instead_of_scores(self, profile):
        assert_failed(checks.check_toxicity_improvement(0.4, 0.1, profile=profile), "not their means")

    def test_logits_instead_of_probabilities(self, profile):
        assert_failed(checks.check_toxicity_improvement([2.0, 3.0], [-1.0, 0.5], profile=profile), "[0, 1]")


def test_active_profile_follows_use_profile(monkeypatch):
    checks.use_profile("full")
    try:
        assert checks.active_profile().name == "full"
    finally:
        checks.use_profile("mini")
