"""Exercises 5 and 6's reference: trl's PPOConfig and PPOTrainer for a method, what the reward reads, and the
PPO loop (the staff's tools train with it; the notebook teaches its own, and a test runs both)."""
from __future__ import annotations

import time

import numpy as np

from detoxlab.ppo import generate_batch, generation_kwargs, length_sampler, pad_each_mini_batch, collator
from detoxlab.profiles.schema import REWARD_INPUTS, Method


def ppo_config(profile, chosen: Method, seed: int = 0):
    from trl import PPOConfig

    return PPOConfig(model_name=profile.policy["base_model"], learning_rate=chosen.learning_rate,
                     ppo_epochs=chosen.ppo_epochs, mini_batch_size=profile.ppo["mini_batch_size"],
                     batch_size=profile.ppo["batch_size"], init_kl_coef=chosen.init_kl_coef, seed=seed)


def make_trainer(profile, chosen: Method, ppo_model, ref_model, tokenizer, dataset, seed: int = 0):
    """A PPOTrainer for ``chosen``: with reference "sft" the given ``ref_model`` is really used
    (``models.use_sft_reference``); with "base", trl 0.4's own behaviour (the adapter disabled).

    ``ref_model`` is a frozen copy of the policy or, better, ``models.frozen_reference`` (a frozen
    second adapter in the same model, called like a model)."""
    from trl import PPOTrainer

    from detoxlab.models import use_sft_reference

    trainer = PPOTrainer(config=ppo_config(profile, chosen, seed), model=ppo_model, ref_model=None,
                         tokenizer=tokenizer, dataset=dataset, data_collator=collator)
    if profile.ppo["pad_each_mini_batch"]:
        pad_each_mini_batch(trainer)
    return use_sft_reference(trainer, ref_model) if chosen.reference == "sft" else trainer


def reward_texts(chosen: Method, queries: list[str], responses: list[torch.Tensor], tokenizer) -> list[str]:
    if chosen.reward_input == "summary":
        return [tokenizer.decode(r, skip_special_tokens=True).strip() for r in responses]
    if chosen.reward_input == "prompt+summary":
        return [q + tokenizer.decode(r, skip_special_tokens=True) for q, r in zip(queries, responses)]
    if chosen.reward_input == "prompt+summary-raw":
        return [q + tokenizer.decode(r) for q, r in zip(queries, responses)]
    raise ValueError(f"unknown reward_input {chosen.reward_input!r}: one of {', '.join(REWARD_INPUTS)}")


def train(trainer, chosen: Method, profile, reward_fn, progress=None, log=None) -> list[dict]:
    """Run ``chosen.steps`` PPO steps; returns per-step statistics (reward, KL, losses, time)."""
    from tqdm.auto import tqdm

    sampler = length_sampler(profile)
    gen_kwargs = generation_kwargs(profile, trainer.tokenizer)
    history = []
    bar = progress if progress is not None else tqdm(total=chosen.steps, desc=f"PPO ({chosen.name})")
    batches = iter(trainer.dataloader)
    for step in range(chosen.steps):
        try:
            batch = next(batches)
        except StopIteration:  # a small dataset: start another epoch
            batches = iter(trainer.dataloader)
            batch = next(batches)
        started = time.time()
        queries = batch["input_ids"]
        responses = generate_batch(trainer, queries, sampler(), gen_kwargs)
        texts = reward_texts(chosen, batch["query"], responses, trainer.tokenizer)
        rewards = [r for r in reward_fn(texts)]
        stats = trainer.step(queries, responses, rewards)
        record = {
            "step": step + 1,
            "reward_mean": float(np.mean([float(r) for r in rewards])),
            "kl": float(stats["objective/kl"]),
            "policy_loss": float(stats["ppo/loss/policy"]),
            "value_loss": float(stats["ppo/loss/value"]),
            "seconds": round(time.time() - started, 3),
        }
        history.append(record)
        bar.update()
        bar.set_postfix(reward=f"{record['reward_mean']:+.3f}", kl=f"{record['kl']:.2f}")
        if log:
            log(record)
    if progress is None:
        bar.close()
    return history
