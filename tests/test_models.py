"""detoxlab.models: the shared-weight reference (a frozen second adapter) against trl's deep copy, and the
modes every module keeps."""
import torch

from checks.parameters import other_adapter
from detoxlab import evaluation, models
import answer_key.evaluation
import answer_key.models


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
    policy = answer_key.models.with_value_head(answer_key.models.load_policy(mini, is_trainable=True))
    modes = {name: module.training for name, module in policy.named_modules()}
    assert len(set(modes.values())) == 2, "expected a mixed state to preserve"
    reference = models.frozen_reference(policy)
    modes = {name: module.training for name, module in policy.named_modules()}  # now with the reference adapter
    forward_logits(reference, tokenizer)
    prompts = ["\nSummarize the following conversation.\n\n#Person1#: Hi.\n#Person2#: Hello.\n\nSummary:\n"]
    summaries, tokens = answer_key.evaluation.generate_summaries(policy.pretrained_model, tokenizer, prompts, 8, seed=0,
                                                      return_tokens=True)
    evaluation.summary_logprobs(policy.pretrained_model, tokenizer, prompts, tokens)
    assert {name: module.training for name, module in policy.named_modules()} == modes


def test_what_the_pinned_peft_and_trl_leave_in_training_mode(mini):
    """The notebook's 2.4 says it: peft 0.3's from_pretrained puts the whole policy in eval mode, even loaded for
    training, and trl 0.4's value-head wrapper leaves only its own head (5 modules, dropout among them) in
    training mode. If an upgrade changes this, the notebook's words must change with it."""
    peft_model = answer_key.models.load_policy(mini, is_trainable=True)
    modules = list(peft_model.modules())
    assert (sum(m.training for m in modules), len(modules)) == (0, 203)
    value_model = answer_key.models.with_value_head(peft_model)
    training = [name for name, m in value_model.named_modules() if m.training]
    assert len(training) == 5 and all(name == "v_head" or name.startswith("v_head.") or name == "" for name in training), training
