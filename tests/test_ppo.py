"""PPO on the mini profile: the reference each method really uses, and batched generation against the
one-at-a-time computation it replaces."""
import dataclasses

import pytest
import torch

from detoxlab import models, ppo, reward
import answer_key.models
import answer_key.ppo
import answer_key.reward


def one_step(mini, policy, tokenizer, dataset, method_name):
    chosen = ppo.method(mini, method_name)
    reference = models.frozen_reference(policy)
    trainer = answer_key.ppo.make_trainer(mini, chosen, policy, reference, tokenizer, dataset["train"], seed=0)
    reward_tokenizer, reward_model = reward.load_reward_model(mini)
    return trainer, answer_key.ppo.train(trainer, dataclasses.replace(chosen, steps=1), mini,
                              lambda texts: answer_key.reward.rewards(texts, reward_tokenizer, reward_model))


@pytest.mark.slow  # two PPO steps
def test_corrected_method_measures_kl_against_the_sft_policy(mini, policy, tokenizer, dataset):
    """Before any update the policy is the SFT policy, so the corrected method's first KL is 0; the
    faithful one compares with the adapter disabled and starts away from 0 (the original lab's
    flan-t5-base showed 20-35 nats; the stand-in's adapter moves its base much less, 0.14 nats here, because
    the stand-in base model already summarises in the SFT adapter's voice)."""
    torch.manual_seed(0)
    trainer, history = one_step(mini, policy, tokenizer, dataset, "corrected")
    assert trainer.ref_model is not None and not trainer.is_peft_model
    corrected_kl = history[0]["kl"]
    torch.manual_seed(0)
    fresh = answer_key.models.with_value_head(answer_key.models.load_policy(mini, is_trainable=True))
    _, history = one_step(mini, fresh, tokenizer, dataset, "faithful")
    faithful_kl = history[0]["kl"]
    assert abs(corrected_kl) < 0.01, corrected_kl
    assert faithful_kl > 0.1, faithful_kl


def test_batched_generation_equals_one_prompt_at_a_time(mini, policy, tokenizer, dataset):
    """Right-padded prompts with their attention mask give each prompt the summary it gets alone."""
    from trl import PPOTrainer

    trainer = PPOTrainer(config=answer_key.ppo.ppo_config(mini, ppo.method(mini, "corrected")), model=policy,
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


def test_pad_each_mini_batch_gives_trls_own_statistics(mini, tokenizer, dataset):
    """One PPO step on a batch whose prompts and summaries differ in length: trl's own ``step``, and the same
    step with each mini-batch cut to its own lengths. Dropout is off in both (its masks would be drawn over
    fewer positions), so the statistics must agree up to float rounding, and the model must really have been
    given shorter inputs."""
    from detoxlab import lab

    chosen = ppo.method(mini, "corrected")
    queries = sorted(dataset["train"]["input_ids"][:16], key=len)  # short prompts in the first mini-batch
    generator = torch.Generator().manual_seed(0)
    responses = [torch.cat([torch.tensor([tokenizer.pad_token_id]),
                            torch.randint(3, len(tokenizer) - 1, (length,), generator=generator),
                            torch.tensor([tokenizer.eos_token_id])])
                 for length in [4, 6, 5, 8, 12, 9, 15, 11, 20, 7, 25, 18, 30, 6, 9, 40]]
    rewards = [torch.tensor(float(i % 5) - 2.0) for i in range(16)]
    statistics, decoder_lengths = [], []
    for pad_each in (False, True):
        lab.make_reproducible(0)
        ppo_model = answer_key.models.with_value_head(answer_key.models.load_policy(mini, is_trainable=True)).eval()
        trainer = answer_key.ppo.make_trainer(mini, chosen, ppo_model, models.frozen_reference(ppo_model), tokenizer, None)
        if pad_each:
            trls = trainer.batched_forward_pass

            def recorded(model, queries, responses, model_inputs, return_logits=False):
                decoder_lengths.append(model_inputs["decoder_input_ids"].shape[1])
                return trls(model, queries, responses, model_inputs, return_logits=return_logits)

            trainer.batched_forward_pass = recorded
            ppo.pad_each_mini_batch(trainer)
        torch.manual_seed(1)  # the same mini-batch order in both
        statistics.append(trainer.step(queries, responses, rewards))
    full = max(len(response) for response in responses)
    assert min(decoder_lengths) < full and max(decoder_lengths) == full, decoder_lengths
    for key in ("ppo/loss/total", "ppo/loss/policy", "ppo/loss/value", "objective/kl", "ppo/policy/entropy",
                "ppo/policy/approxkl", "ppo/returns/mean", "ppo/val/mean", "ppo/mean_non_score_reward"):
        own, padded_each = float(statistics[0][key]), float(statistics[1][key])
        assert padded_each == pytest.approx(own, rel=1e-4, abs=1e-6), key
