"""The policy: base sequence-to-sequence model + the lab-2 LoRA adapter, and trl's wrappers around it."""
from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass

import torch

from detoxlab.errors import DetoxlabError


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


DEVICE_VARIABLE = "DETOXLAB_DEVICE"


def lab_device() -> torch.device:
    """Where the lab places its models: a GPU when there is one, as the course does (``device_map="auto"``, the
    pipeline's ``device = 0 if torch.cuda.is_available() else "cpu"``), else the CPU. ``DETOXLAB_DEVICE``
    (e.g. ``cpu``) chooses instead: a CPU run on a GPU machine, or one GPU of several."""
    chosen = os.environ.get(DEVICE_VARIABLE, "").strip()
    return torch.device(chosen) if chosen else torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(model) -> torch.device:
    """Where ``model``'s inputs must be: its ``.device`` (transformers' and peft's models have one), else where
    its first parameter is (trl's value-head wrapper has no ``.device`` of its own)."""
    device = getattr(model, "device", None)
    return device if isinstance(device, torch.device) else next(model.parameters()).device


def policy_named_parameters(model) -> list:
    """(name, parameter) of a policy without its frozen reference adapter (``AdapterReference``), which
    lives inside the policy's model but belongs to the reference."""
    return [(name, p) for name, p in model.named_parameters() if f".{AdapterReference.adapter_name}." not in name]


def count_parameters(model) -> ParameterCount:
    """Trainable and total parameters. A policy's frozen reference adapter (``AdapterReference``) is
    the reference's, not the policy's, so it is not counted in the policy."""
    if isinstance(model, AdapterReference):
        parameters = list(model.parameters())
    else:
        parameters = [p for _, p in policy_named_parameters(model)]
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


def policy_dtype(profile) -> torch.dtype:
    """The dtype the profile loads the base model's weights in (``policy.dtype``). peft 0.3 still makes the
    LoRA weights float32 and trl's value head is float32, so only the frozen weights are in bfloat16."""
    return getattr(torch, profile.policy["dtype"])


def load_base_model(profile, dtype: torch.dtype | None = None):
    """The base model in ``dtype`` (default: the profile's ``policy.dtype``), on ``lab_device()``."""
    from transformers import AutoModelForSeq2SeqLM

    dtype = dtype or policy_dtype(profile)
    return AutoModelForSeq2SeqLM.from_pretrained(profile.location(profile.policy["base_model"]), torch_dtype=dtype,
                                                 **_revision(profile, "policy")).to(lab_device())


def load_sft_policy(profile, dtype: torch.dtype | None = None):
    """The SFT policy (the base model with the lab-2 adapter), frozen and in eval mode: what the checks and
    the evaluation compare with."""
    from peft import PeftModel

    model = PeftModel.from_pretrained(load_base_model(profile, dtype), profile.location(profile.policy["adapter"]))
    check_adapter(profile, model.peft_config["default"])
    return model.eval()


class AdapterMismatch(DetoxlabError, ValueError):
    """The adapter on disk (``path``) was not trained with the LoRA settings of ``profile``: ``differences``
    maps each setting that differs to (the adapter's value, the profile's)."""

    def __init__(self, differences: dict[str, tuple], *, path: str, profile: str):
        self.differences, self.profile = dict(differences), profile
        super().__init__("; ".join(f"{name}: adapter has {ours!r}, profile says {theirs!r}"
                                   for name, (ours, theirs) in self.differences.items()), path=path)

    def describe(self) -> str:
        return f"adapter {self.path} does not match profile {self.profile}: {self.message}"


def check_adapter(profile, adapter_config) -> None:
    """peft 0.3 loads an adapter with the settings saved beside it and ignores any LoRA config passed in
    (the course passes one anyway); so compare the saved settings with the profile's instead."""
    wanted = lora_config(profile)
    differences = {name: (getattr(adapter_config, name), getattr(wanted, name))
                   for name in ("r", "lora_alpha", "lora_dropout", "task_type")
                   if getattr(adapter_config, name) != getattr(wanted, name)}
    if sorted(adapter_config.target_modules or []) != sorted(wanted.target_modules):
        differences["target_modules"] = (adapter_config.target_modules, wanted.target_modules)
    if differences:
        raise AdapterMismatch(differences, path=profile.location(profile.policy["adapter"]), profile=profile.name)


@contextlib.contextmanager
def adapter_scaled(model, factor: float):
    """The LoRA adapter's update multiplied by ``factor`` (0: the base model, 1: the adapter as trained): the
    scaled-SFT family, which is what weakening, averaging with the base model or zeroing an adapter gives."""
    from peft.tuners.lora import LoraLayer

    layers = [m for m in model.modules() if isinstance(m, LoraLayer)]
    saved = [dict(layer.scaling) for layer in layers]
    try:
        for layer in layers:
            layer.scaling = {name: value * factor for name, value in layer.scaling.items()}
        yield model
    finally:
        for layer, scaling in zip(layers, saved):
            layer.scaling = scaling


@contextlib.contextmanager
def eval_mode(model):
    """``model.eval()`` for the block, then every submodule back to its own mode. ``model.train(flag)``
    would not restore a mixed state, and a loaded policy is mixed: transformers loads the base model in
    eval mode and peft adds its LoRA layers in train mode, as the course's policy trains."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


class AdapterReference:
    """The KL reference as a frozen second adapter inside the policy's own model, not a second model.

    trl's ``create_reference_model`` deep-copies the whole policy (for flan-t5-base about 1 GB more);
    the reference differs from the policy only in its LoRA weights, so a copy of the adapter as it is
    now (the SFT policy, before PPO) is loaded beside the trainable one, frozen, and made active just
    for the reference's forward pass. trl calls it like a model: ``reference(**inputs)``.
    """

    adapter_name = "reference"

    def __init__(self, ppo_model):
        from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict

        self.ppo_model = ppo_model
        peft_model = self.peft_model
        # peft freezes an adapter added in inference mode (replace, not deepcopy: a deep copy of a
        # peft 0.3 config loses its peft_type)
        config = dataclasses.replace(peft_model.peft_config["default"], inference_mode=True)
        peft_model.add_adapter(self.adapter_name, config)
        set_peft_model_state_dict(peft_model, get_peft_model_state_dict(peft_model, adapter_name="default"),
                                  adapter_name=self.adapter_name)

    @property
    def peft_model(self):
        model = self.ppo_model
        model = getattr(model, "module", model)  # unwrap accelerate's DistributedDataParallel
        return model.pretrained_model

    @contextlib.contextmanager
    def active(self):
        """Route every LoRA layer through the reference adapter, in eval mode (no dropout, like trl's
        frozen copy), then back to the trainable adapter and each module's own mode."""
        lora = self.peft_model.base_model
        lora.set_adapter(self.adapter_name)
        try:
            with eval_mode(self.ppo_model):
                yield
        finally:
            lora.set_adapter("default")

    def __call__(self, *args, **kwargs):
        with self.active():
            return self.ppo_model(*args, **kwargs)

    def named_parameters(self):
        """What the reference is made of: the shared base weights and its own frozen adapter."""
        for name, parameter in self.peft_model.named_parameters():
            if "lora_" not in name or f".{self.adapter_name}." in name:
                yield name, parameter

    def parameters(self):
        return (parameter for _, parameter in self.named_parameters())


def frozen_reference(ppo_model) -> AdapterReference:
    """The KL reference: the SFT policy (the adapter as it is now), frozen, sharing the base weights."""
    return AdapterReference(ppo_model)


def use_sft_reference(trainer, ref_model):
    """Make trl 0.4's ``PPOTrainer.step`` compute its KL penalty against ``ref_model``.

    trl 0.4 routes a PEFT policy's reference forward pass through ``disable_adapter()`` whenever the
    policy is a PEFT model, even when a ``ref_model`` was passed: the KL is then measured against the base
    model *without* the lab-2 adapter, a model that never learned to summarise dialogues. Clearing that flag
    after set-up makes ``step`` call ``ref_model`` instead (a ``create_reference_model`` copy or a
    ``frozen_reference``). Returns the trainer."""
    if ref_model is None:
        raise ValueError("use_sft_reference needs the reference model: create_reference_model(ppo_model) "
                         "or frozen_reference(ppo_model)")
    if isinstance(ref_model, torch.nn.Module):  # a separate copy: on the trainer's device, as trl places its own
        ref_model = ref_model.to(trainer.accelerator.device)
    trainer.is_peft_model = False
    trainer.ref_model = ref_model
    return trainer
