"""Exercise 2's reference: the trainable PEFT policy and trl's value head around it."""
from __future__ import annotations

import torch

from detoxlab.models import check_adapter, load_base_model


def load_policy(profile, is_trainable: bool = True, dtype: torch.dtype | None = None):
    """Base model with the lab-2 adapter; ``is_trainable=True`` leaves the LoRA weights trainable for PPO."""
    from peft import PeftModel

    model = PeftModel.from_pretrained(load_base_model(profile, dtype), profile.location(profile.policy["adapter"]),
                                      is_trainable=is_trainable)
    check_adapter(profile, model.peft_config["default"])
    return model


def with_value_head(peft_model):
    """trl's policy for PPO: the PEFT model plus a scalar value head (d_model + 1 parameters)."""
    from trl import AutoModelForSeq2SeqLMWithValueHead

    return AutoModelForSeq2SeqLMWithValueHead.from_pretrained(peft_model, torch_dtype=torch.float32, is_trainable=True)
