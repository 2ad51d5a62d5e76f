"""checks.trainer and checks.loop: the fixed PPOTrainer (the SFT policy as reference) and a PPO step that
scores the summary alone."""
import pytest
import torch
from check_helpers import assert_failed, verdict

import answer_key.models
import answer_key.ppo
from detoxlab import models, ppo


def lab_trainer(resources, fixed=True):
    profile = resources.profile
    policy = answer_key.models.with_value_head(answer_key.models.load_policy(profile))
    reference = models.frozen_reference(policy)
    method = ppo.method(profile, profile.ppo["method"])
    trainer = answer_key.ppo.make_trainer(profile, method, policy, reference, resources.tokenizer, None)
    if not fixed:
        trainer.is_peft_model = True
    return trainer


def student_step(prompt_in_reward=False):
    def ppo_step(trainer, batch, reward_fn, sampler, generation_kwargs):
        responses = ppo.generate_batch(trainer, batch["input_ids"], sampler(), generation_kwargs)
        texts = [trainer.tokenizer.decode(r, skip_special_tokens=True).strip() for r in responses]
        if prompt_in_reward:
            texts = [q + trainer.tokenizer.decode(r) for q, r in zip(batch["query"], responses)]
        rewards = list(reward_fn(texts))
        return trainer.step(batch["input_ids"], responses, rewards), rewards

    return ppo_step


@pytest.mark.slow
class TestTrainerAndLoop:
    def test_the_fixed_trainer_passes(self, resources):
        result = verdict("trainer", {"ppo_trainer": lab_trainer(resources)}, resources)
        assert result.passed, result.message

    def test_trl_s_own_reference_fails(self, resources):
        assert_failed(verdict("trainer", {"ppo_trainer": lab_trainer(resources, fixed=False)}, resources),
                      "ignores ref_model", "base model without the adapter")

    def test_the_loop_body_passes_and_the_trainer_is_left_as_it_was(self, resources):
        trainer = lab_trainer(resources)
        model = trainer.accelerator.unwrap_model(trainer.model)
        weights = {name: p.detach().clone() for name, p in model.named_parameters()}
        kl, attributes = trainer.kl_ctl.value, set(vars(trainer))
        result = verdict("loop", {"ppo_step": student_step(), "ppo_trainer": trainer}, resources)
        assert result.passed, result.message
        assert all(torch.equal(weights[name], p) for name, p in model.named_parameters())
        assert not trainer.optimizer.state and trainer.kl_ctl.value == kl and set(vars(trainer)) == attributes

    def test_a_reward_on_prompt_and_summary_fails(self, resources):
        namespace = {"ppo_step": student_step(prompt_in_reward=True), "ppo_trainer": lab_trainer(resources)}
        assert_failed(verdict("loop", namespace, resources), "prompt")

    def test_a_body_that_skips_the_step_fails(self, resources):
        namespace = {"ppo_step": lambda *args: ({}, []), "ppo_trainer": lab_trainer(resources)}
        assert_failed(verdict("loop", namespace, resources), "0 times")
