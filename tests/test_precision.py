"""The policy in bfloat16 (the course's and the full profile's dtype) trains like the policy in float32.

flan-t5-base at its real shape with random weights and the course's LoRA adapter, loaded through the
package in each dtype, takes the same PPO steps on the same batch (the same prompts, responses sampled
once from the float32 policy, the same rewards, the same random numbers). trl's statistics must agree
within the tolerances below, about three times the largest differences measured with the stand-in and
the genuine flan-t5-base tokenizers (first step: losses and values within 1.9%, trl's approximate KL
within 6.7% of its value of about 0.04; KL after the first update: 0.013 nats per response token).
"""
from __future__ import annotations

import pytest
import torch
import answer_key.models
import answer_key.ppo

# trl's statistic -> the relative difference allowed on the first step
FIRST_STEP_RELATIVE = {"ppo/loss/total": 0.06, "ppo/loss/policy": 0.06, "ppo/loss/value": 0.06, "ppo/val/mean": 0.06,
                       "ppo/returns/mean": 0.06, "ppo/policy/approxkl": 0.2}
KL_PER_TOKEN = 0.04  # nats per response token, once the policy has moved from its reference
BATCH, PROMPT_TOKENS, RESPONSE_TOKENS = 4, 48, 16


@pytest.fixture(scope="module")
def real_shape_models(tmp_path_factory):
    from detoxlab.bench.inputs import prepare_full_models
    from detoxlab.profiles import load_profile
    from transformers import AutoModelForSeq2SeqLM

    root = tmp_path_factory.mktemp("real-shape")
    overrides = prepare_full_models(root, None, load_profile("full"), seed=0)["overrides"]
    # random flan-t5-base weights give logits with a standard deviation near 28, so sharp that a step at
    # the course's learning rate moves log-probabilities chaotically in either dtype; a tenth of the
    # output layer gives logits of a trained model's scale (about 3)
    base = AutoModelForSeq2SeqLM.from_pretrained(overrides["policy.base_model"])
    with torch.no_grad():
        base.lm_head.weight.mul_(0.1)
    base.save_pretrained(overrides["policy.base_model"])
    return overrides


def _train(overrides: dict, dtype: str, responses=None, steps: int = 2):
    from datasets import Dataset

    from detoxlab import lab, models, ppo
    from detoxlab.bench.inputs import fixed_length_prompts
    from detoxlab.profiles import load_profile

    lab.make_reproducible(0)
    profile = load_profile("full", overrides | {"policy.dtype": dtype, "ppo.batch_size": BATCH})
    chosen = ppo.method(profile, "corrected")
    tokenizer = models.load_tokenizer(profile)
    policy = answer_key.models.load_policy(profile)
    assert {p.dtype for n, p in policy.named_parameters() if "lora_" not in n} == {getattr(torch, dtype)}
    assert {p.dtype for n, p in policy.named_parameters() if "lora_" in n} == {torch.float32}  # PPO's weights
    ppo_model = answer_key.models.with_value_head(policy)
    prompts = fixed_length_prompts(tokenizer, profile.data["prompt_template"], BATCH, PROMPT_TOKENS)
    dataset = Dataset.from_dict({"input_ids": prompts})
    trainer = answer_key.ppo.make_trainer(profile, chosen, ppo_model, models.frozen_reference(ppo_model), tokenizer, dataset)
    queries = [torch.tensor(ids) for ids in prompts]
    if responses is None:
        torch.manual_seed(1)
        responses = ppo.generate_batch(trainer, queries, RESPONSE_TOKENS,
                                       {**ppo.generation_kwargs(profile, tokenizer), "min_new_tokens": RESPONSE_TOKENS})
    rewards = [torch.tensor(value) for value in (1.0, -0.5, 2.0, 0.3)]
    history = []
    for step in range(steps):
        torch.manual_seed(10 + step)  # the same mini-batch order and LoRA dropout in both dtypes
        history.append(trainer.step(queries, responses, rewards))
    return history, responses


@pytest.mark.slow
def test_a_bfloat16_policy_takes_the_same_ppo_steps_as_a_float32_one(real_shape_models):
    full, responses = _train(real_shape_models, "float32")
    half, _ = _train(real_shape_models, "bfloat16", responses)
    assert all(len(r) == RESPONSE_TOKENS + 1 for r in responses)  # start token + the asked length
    differences = {key: abs(float(half[0][key]) - float(full[0][key])) / abs(float(full[0][key]))
                   for key in FIRST_STEP_RELATIVE}
    assert all(differences[key] < allowed for key, allowed in FIRST_STEP_RELATIVE.items()), differences
    # before any update the reference is the policy: no KL in either dtype
    assert float(full[0]["objective/kl"]) == float(half[0]["objective/kl"]) == 0.0
    # after one update of 4 PPO epochs the policy has moved; both dtypes measure the same move
    moved = float(full[1]["objective/kl"]), float(half[1]["objective/kl"])
    assert moved[0] != 0.0
    assert abs(moved[0] - moved[1]) < KL_PER_TOKEN * RESPONSE_TOKENS, moved
