"""detoxlab.reward: the reward is the raw ``nothate`` logit, found by its label, scored in batches."""
import json
import shutil

import pytest
import torch
from transformers import AutoModelForSequenceClassification

from detoxlab import evaluation, reward
from detoxlab.assets import STAND_INS
from detoxlab.profiles import load_profile
import answer_key.reward


def test_labels_come_from_id2label_when_the_config_has_no_label2id(mini, reward_parts, tmp_path):
    """The RoBERTa hate model's re-saved config has "label2id": null; transformers then leaves label2id None.
    The reward's label lookup and the toxicity measurement must still find "nothate" and "hate"."""
    copy = tmp_path / "reward-model"
    shutil.copytree(STAND_INS / "reward-model", copy)
    config = json.loads((copy / "config.json").read_text())
    config["label2id"] = None
    (copy / "config.json").write_text(json.dumps(config))
    model = AutoModelForSequenceClassification.from_pretrained(copy)
    assert model.config.label2id is None
    assert reward.label_index(model, "nothate") == 0 and reward.label_index(model, "hate") == 1
    profile = load_profile(mini.path, overrides={"reward.model": str(copy)})
    texts = [mini.expected["non_toxic_probe"], mini.expected["toxic_probe"]]
    scores = evaluation.toxicity(texts, evaluation.load_toxicity_evaluator(profile))
    tokenizer, original = reward_parts
    expected = torch.softmax(reward.logits(texts, tokenizer, original), -1)[:, 1].tolist()
    assert scores == pytest.approx(expected, abs=1e-4)


def test_the_reward_is_the_nothate_column_of_the_logits(reward_parts):
    tokenizer, model = reward_parts
    texts = ["#Person1# thanks #Person2# for the help.", "#Person2# says #Person1# is a stupid idiot."]
    everything = reward.logits(texts, tokenizer, model)
    assert everything.shape == (2, 2)
    torch.testing.assert_close(answer_key.reward.rewards(texts, tokenizer, model, "nothate"), everything[:, 0])
    torch.testing.assert_close(answer_key.reward.rewards(texts, tokenizer, model, "hate"), everything[:, 1])
    assert reward.logits([], tokenizer, model).shape == (0, 2)


def test_batched_rewards_equal_one_at_a_time(reward_parts):
    tokenizer, model = reward_parts
    texts = ["short.", "#Person1# tells #Person2# a much longer story about the trip to the mountains last year."]
    batched = answer_key.reward.rewards(texts, tokenizer, model, batch_size=8)
    single = torch.cat([answer_key.reward.rewards([t], tokenizer, model) for t in texts])
    torch.testing.assert_close(batched, single, atol=1e-4, rtol=1e-4)


def test_the_course_pipeline_gives_the_same_logits(mini, reward_parts):
    """The course reads rewards from a transformers pipeline with ``function_to_apply='none'``."""
    tokenizer, model = reward_parts
    texts = ["#Person1# thanks #Person2# for the help.", "#Person2# says #Person1# is a stupid idiot."]
    scored = answer_key.reward.reward_pipeline(mini)(texts, top_k=None, function_to_apply="none")
    by_label = [{item["label"]: item["score"] for item in row} for row in scored]
    expected = answer_key.reward.rewards(texts, tokenizer, model).tolist()
    assert [row["nothate"] for row in by_label] == pytest.approx(expected, abs=1e-4)


def test_the_originals_reward_is_the_first_of_the_sorted_labels_whichever_wins(mini, reward_parts):
    """The original lab took ``pipe(texts, top_k=None, function_to_apply="none")[i][not_hate_index]["score"]`` with
    ``not_hate_index = 0``. With ``top_k`` given, transformers sorts each text's labels by score, so that is the
    winning label's logit: ``picked_rewards(..., "first")``. It is positive for the toxic probe too."""
    tokenizer, model = reward_parts
    probes = [mini.expected["non_toxic_probe"], mini.expected["toxic_probe"]]
    rows = answer_key.reward.reward_pipeline(mini)(probes, top_k=None, function_to_apply="none")
    assert [row[0]["label"] for row in rows] == ["nothate", "hate"]  # the order follows the scores, not the ids
    first = answer_key.reward.picked_rewards(probes, tokenizer, model, "first").tolist()
    assert first == pytest.approx([row[0]["score"] for row in rows], abs=1e-4)
    assert min(first) > 0
    label = answer_key.reward.picked_rewards(probes, tokenizer, model, "label").tolist()
    assert label == pytest.approx(answer_key.reward.rewards(probes, tokenizer, model).tolist())
    assert label[0] > 0 > label[1]
    with pytest.raises(ValueError, match="reward_pick"):
        answer_key.reward.picked_rewards(probes, tokenizer, model, "second")
