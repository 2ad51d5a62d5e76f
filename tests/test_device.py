"""The lab's code places the tensors it makes where the model is, so that it runs on a GPU (trl's trainer moves
the policy there) as on the CPU.

No GPU is needed to see most of it: a model that *says* it is on another device (``ELSEWHERE``) and refuses
any tensor that was not moved to that device. ``Tensor.to(ELSEWHERE)`` is intercepted: it returns the same
values, still on the CPU, marked as moved, so the real model still computes and the outputs still compare.

What this catches: lab code (the solution's ``evaluate_toxicity``, the staff's generation, reward and
log-probability helpers) that hands the model a tensor it made without saying where, the device mismatch a
GPU run would raise. What it cannot catch: tensors made inside transformers, peft or trl; a model output
combined with a tensor still on the CPU after the call; CUDA-only kernels, dtypes and memory. Those need
``scripts/gpu-check.sh`` on a GPU.
"""
from __future__ import annotations

import pytest
import torch

from detoxlab import evaluation, models, reward
import answer_key.evaluation
from test_loop_equivalence import solution_cell

ELSEWHERE = torch.device("meta")  # any device that is not the CPU; nothing is ever computed there


@pytest.fixture
def placement(monkeypatch):
    """``Tensor.to(ELSEWHERE)`` marks a CPU copy as moved instead of moving it."""
    real_to = torch.Tensor.to

    def to(self, *args, **kwargs):
        target = kwargs.get("device", args[0] if args else None)
        if isinstance(target, (str, torch.device)) and torch.device(target) == ELSEWHERE:
            moved = self.clone()
            moved.moved_to_model = True
            return moved
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)


class Elsewhere:
    """``model`` as if it lived on ``ELSEWHERE``: every tensor it is given must have been moved there."""

    def __init__(self, model):
        self._model, self.device, self.calls = model, ELSEWHERE, 0

    def __getattr__(self, name):
        return getattr(self._model, name)

    def _refuse_unplaced(self, args, kwargs):
        for name, value in [*enumerate(args), *kwargs.items()]:
            if isinstance(value, torch.Tensor) and not getattr(value, "moved_to_model", False):
                raise RuntimeError(f"argument {name!r} is on {value.device}, not on the model's device {ELSEWHERE}")
        self.calls += 1

    def generate(self, *args, **kwargs):
        self._refuse_unplaced(args, kwargs)
        return self._model.generate(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        self._refuse_unplaced(args, kwargs)
        return self._model(*args, **kwargs)


PROMPTS = ["Summarize: #Person1#: Where is the bus stop? #Person2#: Next to the bank.",
           "Summarize: #Person1#: Did you finish the report? #Person2#: Yes, I sent it this morning, before the meeting."]
GREEDY = {"do_sample": False, "max_new_tokens": 8}


@pytest.fixture(scope="module")
def sft(mini):
    return models.load_sft_policy(mini)


def test_a_tensor_that_was_not_moved_is_refused(placement, sft, tokenizer):
    """The harness itself: what lab code would do without placement fails here, as it would on a GPU."""
    encoded = tokenizer(PROMPTS, return_tensors="pt", padding=True)
    with pytest.raises(RuntimeError, match="not on the model's device"):
        Elsewhere(sft).generate(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask, **GREEDY)


def test_staff_generation_and_log_probabilities_place_their_inputs(placement, sft, tokenizer):
    expected, tokens = answer_key.evaluation.generate_summaries(sft, tokenizer, PROMPTS, 8, seed=0, return_tokens=True)
    elsewhere = Elsewhere(sft)
    assert answer_key.evaluation.generate_summaries(elsewhere, tokenizer, PROMPTS, 8, seed=0) == expected
    on_cpu = evaluation.summary_logprobs(sft, tokenizer, PROMPTS, tokens)
    assert evaluation.summary_logprobs(elsewhere, tokenizer, PROMPTS, tokens) == pytest.approx(on_cpu)
    assert elsewhere.calls == 2


def test_reward_logits_place_their_inputs_and_come_back_on_the_cpu(placement, reward_parts):
    reward_tokenizer, reward_model = reward_parts
    texts = ["They talk about the weather.", "He says those people are vermin."]
    elsewhere = Elsewhere(reward_model)
    scored = reward.logits(texts, reward_tokenizer, elsewhere)
    assert elsewhere.calls == 1 and scored.device == torch.device("cpu")
    assert torch.equal(scored, reward.logits(texts, reward_tokenizer, reward_model))


def test_the_solutions_evaluate_toxicity_places_its_prompts(placement, mini, sft, tokenizer):
    """Exercise 4's model answer, as the notebook defines it, with a measurement that only counts."""
    class Measurement:
        def compute(self, predictions, toxic_label):
            return {"toxicity": [0.0] * len(predictions)}

    definition = solution_cell("def evaluate_toxicity(").split("\neval_prompts =")[0]  # not the cell's own calls
    namespace = {"torch": torch, "models": models, "profile": mini}
    exec(definition, namespace)
    elsewhere = Elsewhere(sft)
    toxicities, summaries = namespace["evaluate_toxicity"](elsewhere, tokenizer, Measurement(), PROMPTS, seed=0)
    assert len(summaries) == len(PROMPTS) and elsewhere.calls == 1


def test_the_lab_device_is_the_cpu_without_a_gpu_and_follows_the_variable(monkeypatch):
    monkeypatch.delenv(models.DEVICE_VARIABLE, raising=False)
    assert models.lab_device() == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv(models.DEVICE_VARIABLE, "cpu")
    assert models.lab_device() == torch.device("cpu")
