"""checks.evaluation: toxicity is measured on seeded, sampled, paired summaries."""
import random

import pytest
from check_helpers import assert_failed, verdict

from detoxlab import evaluation
import answer_key.evaluation


def student_evaluation(seeded=True, sample=True):
    def evaluate_toxicity(model, tokenizer, evaluator, prompts, seed):
        summaries = answer_key.evaluation.generate_summaries(model, tokenizer, list(prompts), 24, seed if seeded else
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
