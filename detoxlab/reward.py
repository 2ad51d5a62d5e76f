"""The reward model: a hate-speech classifier whose raw ``nothate`` logit is the PPO reward."""
from __future__ import annotations

import torch


def load_reward_model(profile):
    """(tokenizer, model) of the profile's hate-speech classifier, in eval mode, on ``models.lab_device()``."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from detoxlab.models import lab_device

    location = profile.location(profile.reward["model"])
    revision = {"revision": profile.reward["revision"]} if profile.reward.get("revision") else {}
    tokenizer = AutoTokenizer.from_pretrained(location, **revision)
    model = AutoModelForSequenceClassification.from_pretrained(location, torch_dtype=torch.float32, **revision)
    return tokenizer, model.to(lab_device()).eval()


def label_index(model, label: str) -> int:
    # from id2label: a config may carry "label2id": null (the RoBERTa hate model's re-saved config does),
    # and transformers then leaves label2id None while id2label names the labels
    mapping = {name: int(index) for index, name in model.config.id2label.items()}
    if label not in mapping:
        raise ValueError(f"the reward model has no label {label!r}; its labels are {model.config.id2label}")
    return mapping[label]


@torch.inference_mode()
def logits(texts: list[str], tokenizer, model, batch_size: int = 32) -> torch.Tensor:
    """Raw logits, one row per text, scored in batches (padding does not change a text's logits), on the CPU
    wherever the model is: the callers combine them with the lab's other CPU figures."""
    from detoxlab.models import device_of

    rows, device = [], device_of(model)
    for start in range(0, len(texts), batch_size):
        encoded = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, return_tensors="pt")
        rows.append(model(**encoded.to(device)).logits.float().cpu())
    return torch.cat(rows) if rows else torch.empty(0, model.config.num_labels)


