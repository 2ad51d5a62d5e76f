"""detoxlab.evaluation: batched generation and toxicity scoring against one text at a time."""
import pytest

from detoxlab import evaluation


def test_batched_evaluation_equals_one_summary_at_a_time(mini, policy, tokenizer, dataset):
    prompts = [dataset["test"][i]["query"] for i in range(5)]
    peft_model = policy.pretrained_model
    batched = evaluation.generate_summaries(peft_model, tokenizer, prompts, 24, seed=0, batch_size=5)
    alone = [evaluation.generate_summaries(peft_model, tokenizer, [p], 24, seed=0)[0] for p in prompts]
    assert batched == alone

    evaluator = evaluation.load_toxicity_evaluator(mini)
    texts = batched + ["#Person1# calls #Person2# a stupid idiot."]
    together = evaluation.toxicity(texts, evaluator)
    one_by_one = [evaluation.toxicity([t], evaluator)[0] for t in texts]
    assert together == pytest.approx(one_by_one, abs=1e-5)
