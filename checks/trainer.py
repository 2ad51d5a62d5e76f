"""Check "PPO trainer" (exercise 3.1): the student's ``PPOConfig`` has the method's settings, and the KL
reference that trl's ``step`` really uses is the SFT policy (the adapter as it was before PPO), measured
by running trl's own reference forward pass on a text drawn for this run and comparing its log-probs
with a fresh copy of the SFT policy's."""
from __future__ import annotations

from checks.registry import Check, register

SETTINGS = ("learning_rate", "ppo_epochs", "init_kl_coef")
BATCH = ("mini_batch_size", "batch_size")
LOGPROB_TOLERANCE = 1e-3


def reference_logprobs(trainer, queries, responses):
    """The reference log-probs exactly as trl 0.4's ``PPOTrainer.step`` computes them."""
    import torch

    inputs = trainer.prepare_model_inputs(queries, responses)
    with torch.no_grad():
        policy = trainer.accelerator.unwrap_model(trainer.model).pretrained_model
        if trainer.is_peft_model and hasattr(policy, "disable_adapter"):
            with policy.disable_adapter():
                return trainer.batched_forward_pass(trainer.model, queries, responses, inputs)[0]
        return trainer.batched_forward_pass(trainer.ref_model, queries, responses, inputs)[0]


class WithoutValueHead:
    """A PEFT policy called as trl calls its value-head model, ``(logits, _, values)``: for log-probs only."""

    def __init__(self, peft_model):
        self.peft_model = peft_model

    def __call__(self, **inputs):
        import torch

        logits = self.peft_model(**inputs).logits.float()  # as trl's value-head model returns them
        return logits, None, torch.zeros(logits.shape[:2])


def draw(resources, rng) -> dict:
    """As many unseen dialogues and their reference summaries as trl's forward pass takes at once."""
    rows = resources.unseen_rows()
    start = rng.randrange(0, len(rows))
    chosen = [rows[(start + i) % len(rows)] for i in range(resources.profile.ppo["mini_batch_size"])]
    template = resources.profile.data["prompt_template"]
    return {"prompts": [template.format(dialogue=row["dialogue"]) for row in chosen],
            "summaries": [row["summary"] for row in chosen]}


def gather(namespace: dict, request: dict, resources) -> dict:
    import torch

    from detoxlab import models

    trainer = namespace["ppo_trainer"]
    config = {name: getattr(trainer.config, name, None) for name in (*SETTINGS, *BATCH)}
    tokenizer = resources.tokenizer
    queries = [torch.tensor(tokenizer.encode(prompt)) for prompt in request["prompts"]]
    responses = [torch.tensor([tokenizer.pad_token_id, *tokenizer.encode(summary)]) for summary in request["summaries"]]
    used = reference_logprobs(trainer, queries, responses)
    sft = resources.policy()
    with torch.no_grad(), models.eval_mode(sft):
        inputs = trainer.prepare_model_inputs(queries, responses)
        wanted = trainer.batched_forward_pass(WithoutValueHead(sft), queries, responses, inputs)[0]
    return {"config": config, "reference_gap": float((used - wanted).abs().max()),
            "trl_disables_adapter": bool(trainer.is_peft_model)}


def judge(evidence: dict, request: dict, resources):
    profile = resources.profile
    method = profile.method[profile.ppo["method"]]
    config = evidence["config"]
    for name in SETTINGS:
        if config.get(name) is None or abs(float(config[name]) - float(method[name])) > 1e-12 * max(1, abs(method[name])):
            return False, f"PPOConfig's {name} is {config.get(name)}: the lab's method (`method`) gives another value"
    for name in BATCH:
        if config.get(name) != profile.ppo[name]:
            return False, f"PPOConfig's {name} is {config.get(name)}: the profile's PPO settings give another value"
    if evidence["trl_disables_adapter"]:
        return False, ("step's KL penalty compares with the base model without the adapter: trl 0.4 ignores ref_model "
                       "for a PEFT policy (the flaw 3.1 describes); the lab gives you a fix for it")
    if evidence["reference_gap"] > LOGPROB_TOLERANCE:
        return False, (f"the trainer's KL reference is not the SFT policy (log-probs differ by up to "
                       f"{evidence['reference_gap']:.3g}): the reference is the policy before PPO, frozen")
    return True, "PPOConfig has the method's settings, and step's KL reference is the frozen SFT policy"


CHECK = register(Check(key="trainer", title="PPO trainer", order=50, section="3.1",
                       needs=("ppo_trainer",), draw=draw, gather=gather, judge=judge))
