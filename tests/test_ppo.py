"""PPO on the mini profile: the reference each method really uses, and batched generation against the
one-at-a-time computation it replaces."""
import dataclasses

import pytest
import torch

from detoxlab import models, ppo, reward


def one_step(mini, policy, tokenizer, dataset, method_name):
    chosen = ppo.method(mini, method_name)
    reference = models.frozen_reference(policy)
    trainer = ppo.make_trainer(mini, chosen, policy, reference, tokenizer, dataset["train"], seed=0)
    reward_tokenizer, reward_model = reward.load_reward_model(mini)
    return trainer, ppo.train(trainer, dataclasses.replace(chosen, steps=1), mini,
                              lambda texts: reward.rewards(texts, reward_tokenizer, reward_model))


@pytest.mark.slow  # two PPO steps
def test_corrected_method_measures_kl_against_the_sft_policy(mini, policy, tokenizer, dataset):
    """Before any update the policy is the SFT policy, so the corrected method's first KL is 0; the
    faithful one compares with the adapter disabled and starts away from 0 (the original lab's
    flan-t5-base showed 20-35 nats; the stand-in's adapter moves its base less)."""
    torch.manual_seed(0)
    trainer, history = one_step(mini, policy, tokenizer, dataset, "corrected")
    assert trainer.ref_model is not None and not trainer.is_peft_model
    corrected_kl = history[0]["kl"]
    torch.manual_seed(0)
    fresh = models.with_value_head(models.load_policy(mini, is_trainable=True))
    _, history = one_step(mini, fresh, tokenizer, dataset, "faithful")
    faithful_kl = history[0]["kl"]
    assert abs(corrected_kl) < 0.05, corrected_kl
    assert faithful_kl > 0.5, faithful_kl


def test_batched_generation_equals_one_prompt_at_a_time(mini, policy, tokenizer, dataset):
    """Right-padded prompts with their attention mask give each prompt the summary it gets alone."""
    from trl import PPOTrainer

    trainer = PPOTrainer(config=ppo.ppo_config(mini, ppo.method(mini, "corrected")), model=policy,
                         tokenizer=tokenizer, dataset=dataset["train"], data_collator=ppo.collator)
    queries = [dataset["test"][i]["input_ids"] for i in range(6)]
    assert len({len(q) for q in queries}) > 1, "the prompts must differ in length for padding to matter"
    greedy = {"do_sample": False, "pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id}
    batched = ppo.generate_batch(trainer, queries, 24, greedy)
    for query, response in zip(queries, batched):
        with torch.no_grad():
            alone = policy.generate(input_ids=query.unsqueeze(0), max_new_tokens=24, **greedy)
        assert ppo.strip_padding(alone, tokenizer.pad_token_id)[0].tolist() == response.tolist()


def test_strip_padding_keeps_the_start_token_and_drops_trailing_pads():
    generated = torch.tensor([[0, 7, 8, 1, 0, 0], [0, 7, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
    assert [r.tolist() for r in ppo.strip_padding(generated, 0)] == [[0, 7, 8, 1], [0, 7, 1], [0]]
