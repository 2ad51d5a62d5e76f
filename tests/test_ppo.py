"""PPO on the mini profile: the shared-weight reference, the reference each method really uses, and the
batched hot path against the one-at-a-time computation it replaces."""
import dataclasses

import pytest
import torch

from checks.parameters import other_adapter
from detoxlab import data, evaluation, models, ppo, reward


@pytest.fixture(scope="module")
def tokenizer(mini):
    return models.load_tokenizer(mini)


@pytest.fixture
def policy(mini):
    """A fresh PPO model (PEFT policy + value head) in eval mode: dropout off, so forwards compare."""
    return models.with_value_head(models.load_policy(mini, is_trainable=True)).eval()


@pytest.fixture(scope="module")
def dataset(mini, tokenizer):
    return data.build_dataset(tokenizer, mini.data, data.DataSource("embedded", str(data.EMBEDDED_DIR)))


def forward_logits(model, tokenizer, prompt="#Person1#: Hello. #Person2#: Hi, how are you?"):
    encoded = tokenizer([prompt], return_tensors="pt")
    decoder = torch.tensor([[tokenizer.pad_token_id, 5, 6, 7, tokenizer.eos_token_id]])
    with torch.no_grad():
        return model(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask, decoder_input_ids=decoder)[0]


def test_reference_adapter_equals_a_deep_copy_and_stays_put_when_the_policy_moves(policy, tokenizer):
    from trl import create_reference_model

    deep_copy = create_reference_model(policy).eval()
    reference = models.frozen_reference(policy)
    before = forward_logits(deep_copy, tokenizer)
    assert torch.allclose(forward_logits(reference, tokenizer), before, atol=1e-5)

    with torch.no_grad():  # move the trainable adapter, as a PPO step would
        for name, parameter in policy.named_parameters():
            if "lora_B.default" in name:
                parameter.add_(0.05)
    assert not torch.allclose(forward_logits(policy, tokenizer), before, atol=1e-3)
    assert torch.allclose(forward_logits(reference, tokenizer), before, atol=1e-5)


def test_reference_adapter_is_frozen_small_and_not_counted_in_the_policy(mini, policy):
    counted_before = models.count_parameters(policy)
    reference = models.frozen_reference(policy)
    assert models.count_parameters(policy) == counted_before
    names = [name for name, _ in policy.named_parameters()]  # the graded count ignores it too
    own = {name: None for name in names if f".{models.AdapterReference.adapter_name}." not in name}
    assert all(other_adapter(name, own) for name in set(names) - set(own)) and len(own) < len(names)
    assert models.count_parameters(reference).trainable == 0
    assert models.count_parameters(reference).total == mini.expected["total_parameters"]
    # the reference owns only its adapter: every other tensor is the policy's own storage
    policy_storage = {p.data_ptr() for name, p in policy.named_parameters() if ".reference." not in name}
    own = [p for p in reference.parameters() if p.data_ptr() not in policy_storage]
    assert sum(p.numel() for p in own) == mini.expected["trainable_parameters"]


def test_reference_and_evaluation_leave_every_module_in_its_own_mode(mini, tokenizer):
    # as loaded: base model in eval mode, peft's LoRA layers (their dropout) in train mode
    policy = models.with_value_head(models.load_policy(mini, is_trainable=True))
    modes = {name: module.training for name, module in policy.named_modules()}
    assert len(set(modes.values())) == 2, "expected a mixed state to preserve"
    reference = models.frozen_reference(policy)
    modes = {name: module.training for name, module in policy.named_modules()}  # now with the reference adapter
    forward_logits(reference, tokenizer)
    prompts = ["\nSummarize the following conversation.\n\n#Person1#: Hi.\n#Person2#: Hello.\n\nSummary:\n"]
    summaries, tokens = evaluation.generate_summaries(policy.pretrained_model, tokenizer, prompts, 8, seed=0,
                                                      return_tokens=True)
    evaluation.summary_logprobs(policy.pretrained_model, tokenizer, prompts, tokens)
    assert {name: module.training for name, module in policy.named_modules()} == modes


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


def test_batched_evaluation_equals_one_summary_at_a_time(mini, policy, tokenizer, dataset):
    prompts = [dataset["test"][i]["query"] for i in range(5)]
    peft_model = policy.pretrained_model
    batched = evaluation.generate_summaries(peft_model, tokenizer, prompts, 24, seed=0, batch_size=5)
    alone = [evaluation.generate_summaries(peft_model, tokenizer, [p], 24, seed=0)[0] for p in prompts]
    assert batched == alone

    evaluator = evaluation.load_toxicity_evaluator(mini)
    texts = batched + ["#Person1# calls #Person2# a stupid idiot."]
    together = evaluation.toxicity(texts, evaluator)
    one_by_one = [evaluation.toxicity([t], evaluator)[0] for t in texts]
    assert together == pytest.approx(one_by_one, abs=1e-5)


def test_strip_padding_keeps_the_start_token_and_drops_trailing_pads():
    generated = torch.tensor([[0, 7, 8, 1, 0, 0], [0, 7, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
    assert [r.tolist() for r in ppo.strip_padding(generated, 0)] == [[0, 7, 8, 1], [0, 7, 1], [0]]
