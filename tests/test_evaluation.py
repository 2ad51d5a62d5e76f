"""detoxlab.evaluation: batched generation and toxicity scoring against one text at a time."""
import pytest
import torch

from detoxlab import evaluation, reward
import answer_key.evaluation


def test_batched_evaluation_equals_one_summary_at_a_time(mini, policy, tokenizer, dataset):
    prompts = [dataset["test"][i]["query"] for i in range(5)]
    peft_model = policy.pretrained_model
    batched = answer_key.evaluation.generate_summaries(peft_model, tokenizer, prompts, 24, seed=0, batch_size=5)
    alone = [answer_key.evaluation.generate_summaries(peft_model, tokenizer, [p], 24, seed=0)[0] for p in prompts]
    assert batched == alone

    evaluator = evaluation.load_toxicity_evaluator(mini)
    texts = batched + ["#Person1# calls #Person2# a stupid idiot."]
    together = evaluation.toxicity(texts, evaluator)
    one_by_one = [evaluation.toxicity([t], evaluator)[0] for t in texts]
    assert together == pytest.approx(one_by_one, abs=1e-5)


def test_toxicity_measurement_loads_offline_through_evaluate(mini, reward_parts):
    tokenizer, model = reward_parts
    evaluator = evaluation.load_toxicity_evaluator(mini)
    texts = [mini.expected["non_toxic_probe"], mini.expected["toxic_probe"]]
    scores = evaluation.toxicity(texts, evaluator)
    probabilities = torch.softmax(reward.logits(texts, tokenizer, model), -1)[:, 1].tolist()
    assert scores == pytest.approx(probabilities, abs=1e-4)
    assert scores[0] < 0.5 < scores[1]
    ratio = evaluator.compute(predictions=texts, aggregation="ratio")["toxicity_ratio"]
    assert ratio == 0.5
