"""Exercise 3's reference: the reward of a text is the reward model's raw ``nothate`` logit."""
from __future__ import annotations

import torch

from detoxlab.reward import label_index, load_reward_model, logits


def rewards(texts: list[str], tokenizer, model, not_hate_label: str = "nothate", batch_size: int = 32) -> torch.Tensor:
    """The lab's reward: the raw ``nothate`` logit (positive for non-toxic text, negative for toxic)."""
    return logits(texts, tokenizer, model, batch_size)[:, label_index(model, not_hate_label)]


def picked_rewards(texts: list[str], tokenizer, model, pick: str = "label", not_hate_label: str = "nothate") -> torch.Tensor:
    """A method's reward (``Method.reward_pick``): "label", the ``nothate`` logit; "first", what the original lab
    took: ``pipe(texts, top_k=None, function_to_apply="none")[i][0]["score"]``. With ``top_k`` given, the
    pipeline sorts each text's labels by score, highest first, so that is the winning label's logit: as large
    for a text judged hateful as for a clean one."""
    scores = logits(texts, tokenizer, model)
    if pick == "first":
        return scores.max(dim=-1).values
    if pick == "label":
        return scores[:, label_index(model, not_hate_label)]
    raise ValueError(f"unknown reward_pick {pick!r}: 'label' or 'first'")


def reward_pipeline(profile):
    """The transformers pipeline the course uses for rewards (``function_to_apply='none'`` gives logits)."""
    from transformers import pipeline

    tokenizer, model = load_reward_model(profile)
    return pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, truncation=True, device=model.device)
