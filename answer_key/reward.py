"""Exercise 3's reference: the reward of a text is the reward model's raw ``nothate`` logit."""
from __future__ import annotations

import torch

from detoxlab.reward import label_index, load_reward_model, logits


def rewards(texts: list[str], tokenizer, model, not_hate_label: str = "nothate", batch_size: int = 32) -> torch.Tensor:
    """The lab's reward: the raw ``nothate`` logit (positive for non-toxic text, negative for toxic)."""
    return logits(texts, tokenizer, model, batch_size)[:, label_index(model, not_hate_label)]


def reward_pipeline(profile):
    """The transformers pipeline the course uses for rewards (``function_to_apply='none'`` gives logits)."""
    from transformers import pipeline

    tokenizer, model = load_reward_model(profile)
    return pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, truncation=True)
