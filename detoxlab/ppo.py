"""PPO with trl 0.4, the lab's infrastructure: a profile's methods and generation settings, batched generation and
per-mini-batch padding (the trainer, what the reward reads and the loop are the exercises: ``answer_key.ppo``).

Two methods, both described by the profile (``[method.faithful]``, ``[method.corrected]``):

* faithful: the original lab. With a PEFT policy, trl 0.4's ``PPOTrainer.step`` ignores the
  ``ref_model`` it was given and computes the KL penalty against the base model with the adapter
  disabled; the reward model reads prompt + summary decoded with ``<pad>``/``</s>`` left in.
* corrected: the KL reference is the SFT policy (the adapter as it was before PPO), the reward reads
  the generated summary alone, and there is enough optimisation to move the policy.
"""
from __future__ import annotations

import torch

from detoxlab.profiles.schema import Method, ProfileError


def method(profile, name: str) -> Method:
    """The profile's [method.NAME] settings (a ``Method``: its fields are checked when it is made)."""
    if name not in profile.method:
        raise ProfileError(f"unknown method {name!r}", key="method", path=profile.path,
                           hint=f"the profile defines {', '.join(profile.method)}")
    return profile.method[name]


def collator(rows: list[dict]) -> dict:
    """trl's DataLoader collator: a list of row dicts -> a dict of lists (prompts differ in length)."""
    return {key: [row[key] for row in rows] for key in rows[0]} if rows else {}


def length_sampler(profile):
    """Draws each step's summary budget (max_new_tokens), as the course does with LengthSampler."""
    from trl.core import LengthSampler

    return LengthSampler(profile.generation["output_min_length"], profile.generation["output_max_length"])


def generation_kwargs(profile, tokenizer) -> dict:
    settings = profile.generation
    return {"min_length": settings["min_length"], "top_k": settings["top_k"], "top_p": settings["top_p"],
            "do_sample": settings["do_sample"], "pad_token_id": tokenizer.pad_token_id,
            "eos_token_id": tokenizer.eos_token_id}


def trainer_state(trainer) -> dict:
    """What a PPO step changes in ``trainer``, copied: every parameter of its model (adapter and value head),
    the optimiser's state, the KL controller and the trainer's own attributes. ``restore_trainer`` puts it
    back: the loop check runs a step on the student's trainer and leaves it as it was, and 3.2's experiment
    starts a second run where the first one started."""
    import copy

    model = trainer.accelerator.unwrap_model(trainer.model)
    return {"weights": {name: p.detach().clone() for name, p in model.named_parameters()},
            "optimizer": copy.deepcopy(trainer.optimizer.state_dict()),
            "kl_controller": copy.deepcopy(vars(trainer.kl_ctl)),
            "attributes": dict(vars(trainer))}


def restore_trainer(trainer, state: dict) -> None:
    """Put back what ``trainer_state`` copied (the trainer's attributes as they were, none added since)."""
    model = trainer.accelerator.unwrap_model(trainer.model)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in state["weights"]:
                p.copy_(state["weights"][name])
    trainer.optimizer.load_state_dict(state["optimizer"])
    vars(trainer.kl_ctl).update(state["kl_controller"])
    for name in set(vars(trainer)) - set(state["attributes"]):
        delattr(trainer, name)
    vars(trainer).update(state["attributes"])


def _trimmed(inputs: dict) -> dict:
    """An encoder-decoder mini-batch cut to its own longest prompt and summary (trl pads on the right)."""
    prompt = int(inputs["attention_mask"].sum(1).max())
    summary = int(inputs["decoder_attention_mask"].sum(1).max())
    return {key: value[:, :summary if key.startswith("decoder_") else prompt] for key, value in inputs.items()}


def _padded(tensor: torch.Tensor | None, length: int) -> torch.Tensor | None:
    """``tensor`` (batch, positions[, vocab]) filled with zeros to ``length`` positions: where trl's masks are 0."""
    if tensor is None:
        return None
    widths = (0, 0) * (tensor.dim() - 2) + (0, length - tensor.shape[1])
    return torch.nn.functional.pad(tensor, widths)


def pad_each_mini_batch(trainer):
    """Make trl 0.4's ``PPOTrainer.step`` run each forward pass at its own mini-batch's lengths.

    ``step`` pads the whole batch once, to its longest prompt and longest summary, and every forward pass
    (the two without gradients, then each epoch's mini-batches) runs at those lengths, padding included. Here
    each mini-batch is cut to its own longest prompt and summary before the model sees it, and the outputs are
    padded back with zeros to the batch's length, where trl's masks are 0. T5 masks padded prompt tokens and
    its decoder is causal, so the tokens that count get the same log-probabilities and values (up to float
    rounding): ``tests/test_ppo.py`` compares ``step``'s statistics with trl's own. Only encoder-decoder
    policies (the lab's) are changed. Returns the trainer."""
    if not trainer.is_encoder_decoder:
        return trainer
    forward = trainer.batched_forward_pass  # trl's own, bound to the trainer

    def batched_forward_pass(model, queries, responses, model_inputs, return_logits=False):
        size, outputs = trainer.config.mini_batch_size, []
        length = model_inputs["decoder_input_ids"].shape[1] - 1  # what trl returns: one position per target
        for start in range(0, len(queries), size):
            inputs = _trimmed({key: value[start:start + size] for key, value in model_inputs.items()})
            outputs.append(forward(model, queries[start:start + size], responses[start:start + size], inputs,
                                   return_logits=return_logits))
        logprobs, logits, values, masks = zip(*outputs)
        return (torch.cat([_padded(part, length) for part in logprobs]),
                torch.cat([_padded(part, length) for part in logits]) if return_logits else None,
                torch.cat([_padded(part, length) for part in values]),
                torch.cat([_padded(part, length) for part in masks]))

    trainer.batched_forward_pass = batched_forward_pass
    return trainer


def strip_padding(generated: torch.Tensor, pad_token_id: int) -> list[torch.Tensor]:
    """T5 outputs ``[start, tokens..., eos, pad, pad]``; trl wants each response without the trailing
    pads (it counts every token it is given) but with the start token (it skips position 0)."""
    responses = []
    for row in generated:
        real = (row[1:] != pad_token_id).nonzero()
        length = int(real[-1]) + 2 if len(real) else 1
        responses.append(row[:length])
    return responses


def generate_batch(trainer, query_tensors: list[torch.Tensor], max_new_tokens: int, gen_kwargs: dict):
    """All responses of a PPO batch in one ``generate`` call (padded prompts with their attention mask)."""
    tokenizer = trainer.tokenizer
    padded = tokenizer.pad({"input_ids": query_tensors}, padding=True, return_tensors="pt")
    model = trainer.accelerator.unwrap_model(trainer.model)
    with torch.no_grad():
        generated = model.generate(input_ids=padded["input_ids"].to(trainer.current_device),
                                   attention_mask=padded["attention_mask"].to(trainer.current_device),
                                   max_new_tokens=max_new_tokens, **gen_kwargs)
    return strip_padding(generated, tokenizer.pad_token_id)


