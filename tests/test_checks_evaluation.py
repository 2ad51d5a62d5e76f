"""checks.evaluation: toxicity is measured on seeded, sampled, paired summaries."""
import random

import pytest
from check_helpers import assert_failed, verdict

from detoxlab import evaluation
import answer_key.evaluation


def student_evaluation(seeded=True, sample=True, one_batch=False, calls=None):
    def evaluate_toxicity(model, tokenizer, evaluator, prompts, seed):
        if calls is not None:
            calls.append(len(prompts))
        summaries = answer_key.evaluation.generate_summaries(model, tokenizer, list(prompts), 24, seed if seeded else
                                                  random.randrange(10**6), {"top_k": 0, "top_p": 1.0} if sample else None,
                                                  batch_size=len(prompts) if one_batch else 16)
        return evaluator.compute(predictions=summaries, toxic_label="hate")["toxicity"], summaries

    return evaluate_toxicity


def evaluation_namespace(resources, function, count=4):
    prompts = resources.prompts(count, 5)
    policy = resources.policy()
    before, summaries = function(policy, resources.tokenizer, resources.toxicity_evaluator, prompts, 3)
    return {"evaluate_toxicity": function, "eval_prompts": prompts, "eval_seed": 3, "peft_model": policy,
            "toxicity_before": before, "toxicity_after": list(before),
            "summaries_before": summaries, "summaries_after": list(summaries)}


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


@pytest.mark.slow
class TestPairingOnTheFirstBatch:
    """20 evaluation prompts, more than one batch of 16: pairing is confirmed on the first batch when the function
    reproduces it alone, and on every prompt otherwise (checks/evaluation.py's docstring)."""

    def test_a_batched_function_is_confirmed_on_its_first_batch(self, resources):
        calls = []
        namespace = evaluation_namespace(resources, student_evaluation(calls=calls), count=20)
        calls.clear()
        result = verdict("evaluation", namespace, resources)
        assert result.passed, result.message
        assert "20 before/after scores are paired (confirmed on its first 16 prompts" in result.message
        assert 20 not in calls and calls.count(16) == 2  # before and after: one batch each, never all 20

    def test_a_function_that_generates_all_at_once_is_checked_on_every_prompt(self, resources):
        calls = []
        namespace = evaluation_namespace(resources, student_evaluation(one_batch=True, calls=calls), count=20)
        calls.clear()
        result = verdict("evaluation", namespace, resources)
        assert result.passed, result.message
        assert "20 before/after scores are paired" in result.message and "confirmed on" not in result.message
        assert calls.count(20) == 2  # the first batch alone did not reproduce it, so both sides were recomputed

    def test_unpaired_scores_in_the_first_batch_fail(self, resources):
        namespace = evaluation_namespace(resources, student_evaluation(), count=20)
        namespace["toxicity_after"] = namespace["toxicity_after"][1:] + namespace["toxicity_after"][:1]
        assert_failed(verdict("evaluation", namespace, resources), "toxicity_after is not what", "paired")

    def test_scores_for_fewer_prompts_than_eval_prompts_fail_with_the_counts(self, resources):
        namespace = evaluation_namespace(resources, student_evaluation(), count=20)
        namespace["toxicity_after"] = namespace["toxicity_after"][:18]
        assert_failed(verdict("evaluation", namespace, resources), "hold 20 and 18 scores for 20 eval_prompts")
