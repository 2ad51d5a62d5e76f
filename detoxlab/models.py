"""The policy: base sequence-to-sequence model + the lab-2 LoRA adapter, and trl's wrappers around it."""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ParameterCount:
    trainable: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.trainable / self.total if self.total else 0.0

    def __str__(self) -> str:
        return (f"trainable model parameters: {self.trainable:,}\n"
                f"all model parameters: {self.total:,}\n"
                f"percentage of trainable model parameters: {self.percent:.2f}%")


def count_parameters(model: torch.nn.Module) -> ParameterCount:
    parameters = list(model.parameters())
    return ParameterCount(sum(p.numel() for p in parameters if p.requires_grad), sum(p.numel() for p in parameters))


def lora_config(profile):
    from peft import LoraConfig, TaskType

    settings = profile.lora
    return LoraConfig(r=settings["r"], lora_alpha=settings["alpha"], target_modules=list(settings["target_modules"]),
                      lora_dropout=settings["dropout"], bias="none", task_type=getattr(TaskType, settings["task_type"]))


def _revision(profile, section: str) -> dict:
    revision = getattr(profile, section).get("revision")
    return {"revision": revision} if revision else {}


def load_tokenizer(profile):
    """The policy's tokenizer, as the course loads it (from the base model)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(profile.location(profile.policy["base_model"]), **_revision(profile, "policy"))


def load_base_model(profile, dtype: torch.dtype = torch.float32):
    from transformers import AutoModelForSeq2SeqLM

    return AutoModelForSeq2SeqLM.from_pretrained(profile.location(profile.policy["base_model"]), torch_dtype=dtype,
                                                 **_revision(profile, "policy"))


class AdapterMismatch(ValueError):
    """The adapter on disk was not trained with the profile's LoRA settings."""


def check_adapter(profile, adapter_config) -> None:
    """peft 0.3 loads an adapter with the settings saved beside it and ignores any LoRA config passed in
    (the course passes one anyway); so compare the saved settings with the profile's instead."""
    wanted = lora_config(profile)
    differences = [
        f"{name}: adapter has {getattr(adapter_config, name)!r}, profile says {getattr(wanted, name)!r}"
        for name in ("r", "lora_alpha", "lora_dropout", "task_type")
        if getattr(adapter_config, name) != getattr(wanted, name)
    ]
    if sorted(adapter_config.target_modules or []) != sorted(wanted.target_modules):
        differences.append(f"target_modules: adapter has {adapter_config.target_modules}, "
                           f"profile says {wanted.target_modules}")
    if differences:
        raise AdapterMismatch(f"adapter {profile.location(profile.policy['adapter'])} does not match profile "
                              f"{profile.name}: " + "; ".join(differences))


def load_policy(profile, is_trainable: bool = True, dtype: torch.dtype = torch.float32):
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


def frozen_reference(ppo_model):
    """A frozen copy of the PPO model: the reference the KL penalty compares against."""
    from trl import create_reference_model

    return create_reference_model(ppo_model)
