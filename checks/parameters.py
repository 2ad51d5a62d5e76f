"""Check "trainable parameters" (exercise 2.2): the student's PEFT policy and trl's value-head wrapper,
read from the models' own tensors and compared, name by name and shape by shape, with a fresh copy of
the lab-2 policy loaded for training. The course's figures: 3,538,944 of 251,116,800 for flan-t5-base,
3,539,713 of 251,117,569 with the value head."""
from __future__ import annotations

import math

from checks.registry import Check, register


def adapter_names(names) -> set[str]:
    """The adapter names in LoRA parameter names (peft: ``...q.lora_A.<adapter>.weight``)."""
    found = set()
    for name in names:
        parts = name.split(".")
        found |= {parts[i + 1] for i, part in enumerate(parts[:-1]) if part.startswith("lora_")}
    return found


def other_adapter(name: str, expected) -> bool:
    """A LoRA weight of an adapter the lab's policy does not have (such as a frozen KL-reference copy
    added beside the trained one): the reference's, not the policy's, so not counted."""
    return "lora_" in name and not (adapter_names([name]) & adapter_names(expected))


def table(model) -> list:
    import torch

    return [[name, list(p.shape), bool(p.requires_grad)] for name, p in torch.nn.Module.named_parameters(model)]


def draw(resources, rng) -> dict:
    return {}


def gather(namespace: dict, request: dict, resources) -> dict:
    evidence = {"policy": table(namespace["peft_model"])}
    value_model = namespace["ppo_model"]
    head = getattr(value_model, "v_head", None)
    if head is None:
        evidence["value_head_error"] = "ppo_model has no value head: wrap the policy with AutoModelForSeq2SeqLMWithValueHead"
    else:
        evidence["value_head"] = table(head)
        evidence["wraps_policy"] = getattr(value_model, "pretrained_model", None) is namespace["peft_model"]
    return evidence


def expected(request: dict, resources) -> dict:
    """The lab-2 policy loaded for PPO, name by name: shape and whether PPO may change it."""
    def compute():
        from answer_key.models import load_policy

        return {name: [shape, trainable] for name, shape, trainable in table(load_policy(resources.profile))}

    return {"policy": resources.cached("policy_parameters", compute)}


def judge(evidence: dict, request: dict, resources, reference: dict):
    profile = resources.profile
    expected = reference["policy"]
    rows = {str(name): (list(shape), bool(flag)) for name, shape, flag in evidence["policy"]
            if not other_adapter(str(name), expected)}
    numel = {name: math.prod(int(d) for d in shape) for name, (shape, _) in rows.items()}
    trainable, total = sum(numel[n] for n, (_, flag) in rows.items() if flag), sum(numel.values())
    want_trainable, want_total = profile.expected["trainable_parameters"], profile.expected["total_parameters"]
    if not any("lora_" in name for name in rows):
        return False, "peft_model has no LoRA adapter: the policy is the base model with the lab-2 adapter loaded on it"
    if trainable == 0:
        return False, ("no parameter of peft_model is trainable: peft loads an adapter frozen, for inference, unless "
                       "you ask for one PPO can train")
    if trainable == total:
        return False, "every parameter of peft_model is trainable: only the LoRA adapter should be"
    if (trainable, total) != (want_trainable, want_total):
        return False, (f"peft_model: {trainable:,} of {total:,} trainable, expected {want_trainable:,} of "
                       f"{want_total:,}: only the LoRA weights (lora_A, lora_B) should be trainable")
    wrong = [n for n in rows if n not in expected or rows[n][0] != expected[n][0] or rows[n][1] != expected[n][1]]
    if wrong or set(rows) != set(expected):
        name = (wrong or sorted(set(expected) - set(rows)))[0]
        return False, (f"the counts match, but peft_model is not the lab-2 policy (e.g. {name}): load the base model "
                       "and the adapter named by the profile, adapter trainable")
    if "value_head" not in evidence:
        return False, evidence.get("value_head_error", "ppo_model has no value head")
    head = sum(math.prod(int(d) for d in shape) for _, shape, flag in evidence["value_head"] if flag)
    if head != profile.expected["value_head_parameters"]:
        return False, (f"the value head has {head} trainable parameters, expected "
                       f"{profile.expected['value_head_parameters']} (d_model + 1)")
    if not evidence.get("wraps_policy"):
        return False, ("ppo_model does not wrap peft_model: trl's value-head model must be built around the PEFT policy "
                       "you loaded, or PPO trains another model")
    return True, (f"{trainable:,} of {total:,} parameters trainable ({100 * trainable / total:.2f}%); with the value "
                  f"head {trainable + head:,} of {total + head:,}")


CHECK = register(Check(key="parameters", title="trainable parameters", order=20, section="2.2",
                       needs=("peft_model", "ppo_model"), draw=draw, gather=gather, judge=judge, expected=expected))
