"""The checks: each one passes the reference implementation, fails each way a student can get it wrong with
advice that names the problem, and turns garbage into a failed result, never a traceback."""
import math
import random

import numpy as np
import pytest
import torch

import checks
from checks import CheckResult
from checks.kernel import collect, gather_one, grader_cell
from checks.resources import Resources
from detoxlab import data, evaluation, models, ppo

GARBAGE = [None, "text", 3.5, math.nan, [], {}, {"x": object()}, [math.nan, 1.0], b"bytes"]


@pytest.fixture(scope="module")
def resources():
    import os

    from detoxlab.profiles import load_profile

    os.environ.pop(data.DATA_DIR_ENV, None)  # the mini profile as a fresh machine sees it
    return Resources(load_profile("mini"))


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


# -- the registry ------------------------------------------------------------------------------------

def test_eight_checks_in_the_notebooks_order_one_point_each():
    keys = [c.key for c in checks.all_checks()]
    assert keys == ["dataset", "parameters", "reward", "evaluation", "trainer", "loop", "improvement", "change"]
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


# -- dataset -----------------------------------------------------------------------------------------

def student_dataset(resources, filter_=None, shuffle=False):
    template = resources.profile.data["prompt_template"]

    def build_dataset(dialogues, tokenizer, low, high):
        kept = dialogues.filter(filter_ or (lambda row: low < len(row["dialogue"]) <= high))
        kept = kept.map(lambda row: {"query": template.format(dialogue=row["dialogue"]),
                                     "input_ids": tokenizer.encode(template.format(dialogue=row["dialogue"]))})
        kept.set_format(type="torch")
        return kept.train_test_split(test_size=0.2, shuffle=shuffle, seed=42)

    return {"build_dataset": build_dataset,
            "dataset": build_dataset(resources.dialogsum["train"], resources.tokenizer, 200, 1000)}


class TestDataset:
    def test_the_recipe_passes_on_an_unseen_window(self, resources):
        result = verdict("dataset", student_dataset(resources), resources)
        assert result.passed, result.message
        assert "train 96 / test 24" in result.message

    def test_a_missing_lower_bound_fails_on_the_length_filter(self, resources):
        namespace = student_dataset(resources, filter_=lambda row: len(row["dialogue"]) <= 1000)
        assert_failed(verdict("dataset", namespace, resources), "length filter")

    def test_a_shuffled_split_fails(self, resources):
        assert_failed(verdict("dataset", student_dataset(resources, shuffle=True), resources), "train_test_split")

    def test_hand_written_sizes_fail(self, resources):
        namespace = dict(student_dataset(resources), build_dataset=lambda *args: {"train": [0] * 96, "test": [0] * 24})
        assert_failed(verdict("dataset", namespace, resources))


# -- reward ------------------------------------------------------------------------------------------

def logits_of(resources, label):
    from detoxlab import reward

    index = reward.label_index(resources.reward[1], label)
    return lambda texts: resources.reward_logits(list(texts))[:, index]


class TestReward:
    def test_the_not_hate_logit_passes(self, resources):
        assert verdict("reward", {"reward_fn": logits_of(resources, "nothate")}, resources).passed

    def test_the_hate_logit_fails(self, resources):
        assert_failed(verdict("reward", {"reward_fn": logits_of(resources, "hate")}, resources), "swapped")

    def test_probabilities_fail(self, resources):
        def probabilities(texts):
            return resources.reward_logits(list(texts)).softmax(-1)[:, 0]

        assert_failed(verdict("reward", {"reward_fn": probabilities}, resources), "probabilities")

    def test_fixed_numbers_with_the_right_signs_fail(self, resources):
        expected = resources.profile.expected

        def fixed(texts):
            return [3.4 if t == expected["non_toxic_probe"] else -3.0 for t in texts]

        assert_failed(verdict("reward", {"reward_fn": fixed}, resources), "not the reward model's")

    def test_one_value_for_many_texts_fails(self, resources):
        assert_failed(verdict("reward", {"reward_fn": lambda texts: 1.0}, resources), "one reward per text")


# -- signed change -----------------------------------------------------------------------------------

class TestChange:
    def test_the_relative_change_passes(self, resources):
        def change(before, after):
            return 100 * (np.mean(after) - np.mean(before)) / np.mean(before)

        assert verdict("change", {"toxicity_change": change}, resources).passed

    def test_a_flipped_sign_fails(self, resources):
        def flipped(before, after):
            return 100 * (np.mean(before) - np.mean(after)) / np.mean(before)

        assert_failed(verdict("change", {"toxicity_change": flipped}, resources), "sign is flipped")

    def test_a_hard_coded_number_fails(self, resources):
        assert_failed(verdict("change", {"toxicity_change": lambda b, a: -54.67}, resources), "expected")


# -- toxicity evaluation -----------------------------------------------------------------------------

def student_evaluation(seeded=True, sample=True):
    def evaluate_toxicity(model, tokenizer, evaluator, prompts, seed):
        summaries = evaluation.generate_summaries(model, tokenizer, list(prompts), 24, seed if seeded else
                                                  random.randrange(10**6), {"top_k": 0, "top_p": 1.0} if sample else None)
        return evaluator.compute(predictions=summaries, toxic_label="hate")["toxicity"], summaries

    return evaluate_toxicity


def evaluation_namespace(resources, function):
    prompts = resources.prompts(4, 5)
    policy = resources.policy()
    before = function(policy, resources.tokenizer, resources.toxicity_evaluator, prompts, 3)[0]
    return {"evaluate_toxicity": function, "eval_prompts": prompts, "eval_seed": 3, "peft_model": policy,
            "toxicity_before": before, "toxicity_after": list(before)}


@pytest.mark.slow
class TestEvaluation:
    def test_seeded_sampled_and_paired_passes(self, resources):
        result = verdict("evaluation", evaluation_namespace(resources, student_evaluation()), resources)
        assert result.passed, result.message

    def test_unseeded_fails(self, resources):
        namespace = evaluation_namespace(resources, student_evaluation(seeded=False))
        assert_failed(verdict("evaluation", namespace, resources), "seed")

    def test_greedy_fails(self, resources):
        namespace = evaluation_namespace(resources, student_evaluation(sample=False))
        assert_failed(verdict("evaluation", namespace, resources), "sample")

    def test_unpaired_after_fails(self, resources):
        namespace = evaluation_namespace(resources, student_evaluation())
        namespace["toxicity_after"] = namespace["toxicity_after"][::-1]
        if namespace["toxicity_after"] == namespace["toxicity_before"]:
            pytest.skip("the drawn scores are symmetric")
        assert_failed(verdict("evaluation", namespace, resources), "paired")


# -- trainer and loop --------------------------------------------------------------------------------

def lab_trainer(resources, fixed=True):
    profile = resources.profile
    policy = models.with_value_head(resources.policy(trainable=True))
    reference = models.frozen_reference(policy)
    method = ppo.method(profile, profile.ppo["method"])
    trainer = ppo.make_trainer(profile, method, policy, reference, resources.tokenizer, None)
    if not fixed:
        trainer.is_peft_model = True
    return trainer


def student_step(prompt_in_reward=False):
    def ppo_step(trainer, batch, reward_fn, sampler, generation_kwargs):
        responses = ppo.generate_batch(trainer, batch["input_ids"], sampler(), generation_kwargs)
        texts = [trainer.tokenizer.decode(r, skip_special_tokens=True).strip() for r in responses]
        if prompt_in_reward:
            texts = [q + trainer.tokenizer.decode(r) for q, r in zip(batch["query"], responses)]
        rewards = list(reward_fn(texts))
        return trainer.step(batch["input_ids"], responses, rewards), rewards

    return ppo_step


@pytest.mark.slow
class TestTrainerAndLoop:
    def test_the_fixed_trainer_passes(self, resources):
        result = verdict("trainer", {"ppo_trainer": lab_trainer(resources)}, resources)
        assert result.passed, result.message

    def test_trl_s_own_reference_fails(self, resources):
        assert_failed(verdict("trainer", {"ppo_trainer": lab_trainer(resources, fixed=False)}, resources),
                      "ignores ref_model")

    def test_the_loop_body_passes(self, resources):
        result = verdict("loop", {"ppo_step": student_step()}, resources)
        assert result.passed, result.message

    def test_a_reward_on_prompt_and_summary_fails(self, resources):
        assert_failed(verdict("loop", {"ppo_step": student_step(prompt_in_reward=True)}, resources), "prompt")

    def test_a_body_that_skips_the_step_fails(self, resources):
        assert_failed(verdict("loop", {"ppo_step": lambda *args: ({}, [])}, resources), "0 times")


# -- toxicity improvement ----------------------------------------------------------------------------

def test_the_paired_test_sees_a_fall_and_not_noise():
    from checks.improvement import sign_flip_p_value

    rng = np.random.default_rng(1)
    before = rng.uniform(0, 1, 30)
    assert sign_flip_p_value(before, before - 0.2) < 0.001
    assert sign_flip_p_value(before, before) > 0.5
    assert sign_flip_p_value(before, before + rng.normal(0, 0.05, 30)) > 0.01


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
        assert_failed(self.judge(resources, self.export(resources, tmp_path)), "did PPO run")

    def test_a_zeroed_adapter_is_not_detoxification(self, resources, tmp_path):
        def zero(policy):
            with torch.no_grad():
                for name, parameter in policy.named_parameters():
                    if "lora_B" in name:
                        parameter.zero_()

        assert_failed(self.judge(resources, self.export(resources, tmp_path, zero)), "without its adapter")

    def test_a_file_that_is_not_an_adapter_fails(self, resources, tmp_path):
        (tmp_path / "adapter.pt").write_bytes(b"not a tensor file")
        assert_failed(self.judge(resources, tmp_path / "adapter.pt"), "could not be read")
