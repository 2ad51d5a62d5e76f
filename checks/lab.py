"""The lab's graded checks. Expected values come from the active profile, never from literals here."""
from __future__ import annotations

import math
from numbers import Real

from checks.result import active_profile, check


def _integer(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Real)) or not float(value).is_integer():
        raise TypeError(f"{what} must be a whole number, got {value!r}")
    return int(value)


def _number(value, what: str) -> float:
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:  # torch / numpy scalars
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} is {value}: it must be a finite number")
    return value


def _pair(values, names: tuple[str, str]) -> tuple[int, int]:
    """Two whole numbers given as a tuple or list, e.g. (train rows, test rows)."""
    if len(values) != 2:
        raise ValueError(f"expected ({', '.join(names)}), got {len(values)} value(s)")
    return _integer(values[0], names[0]), _integer(values[1], names[1])


def _numbers(values, what: str) -> list[float]:
    if values is None or isinstance(values, (str, bytes, Real)) or not hasattr(values, "__len__"):
        raise TypeError(f"{what} must be a list of per-prompt scores, got {type(values).__name__}")
    if hasattr(values, "tolist"):
        values = values.tolist()
    return [_number(v, f"{what}[{i}]") for i, v in enumerate(values)]


def _dataset_source_key(profile) -> str:
    from detoxlab.data import resolve_source

    return "embedded" if resolve_source(profile.data).kind == "embedded" else "dialogsum"


@check("dataset sizes")
def check_dataset_sizes(dataset, profile=None):
    """``dataset``: the lab's DatasetDict (train/test), or a pair (train rows, test rows)."""
    profile = profile or active_profile()
    if dataset is None:
        return False, "got None: pass the dataset that build_dataset returned (with 'train' and 'test' splits)"
    if isinstance(dataset, (tuple, list)):
        train, test = _pair(dataset, ("train rows", "test rows"))
    else:
        missing = [split for split in ("train", "test") if split not in dataset]
        if missing:
            return False, f"the dataset has no {' or '.join(missing)} split: did you call train_test_split?"
        train, test = len(dataset["train"]), len(dataset["test"])
    key = _dataset_source_key(profile)
    want_train, want_test = profile.expected["dataset_sizes"][key]
    if train == 0:
        return False, "the train split is empty: check the length filter (200 < len(dialogue) <= 1000)"
    if (train, test) == (want_train, want_test):
        return True, f"train {train} / test {test}, as expected for DialogSum from the {key} source"
    if train + test != want_train + want_test:
        return False, (f"{train + test} rows in all, expected {want_train + want_test}: check the length filter "
                       "(keep dialogues longer than 200 and at most 1000 characters)")
    return False, f"train {train} / test {test}, expected {want_train} / {want_test}: check test_size=0.2 and shuffle"


@check("trainable parameters")
def check_trainable_parameters(model, profile=None):
    """``model``: the PEFT policy, trl's value-head model, or a pair (trainable, total)."""
    profile = profile or active_profile()
    expected = profile.expected
    if "trainable_parameters" not in expected:
        return False, f"profile {profile.name} records no expected parameter counts"
    want_trainable, want_total = expected["trainable_parameters"], expected["total_parameters"]
    if model is None:
        return False, "got None: pass the model returned by PeftModel.from_pretrained(..., is_trainable=True)"
    if isinstance(model, (tuple, list)):
        trainable, total = _pair(model, ("trainable", "total"))
    elif hasattr(model, "parameters") and callable(model.parameters):
        from detoxlab.models import policy_named_parameters

        # the KL reference (models.frozen_reference) is a frozen second adapter inside the policy: it
        # belongs to the reference, not to the policy being counted
        named = policy_named_parameters(model) if hasattr(model, "named_parameters") else \
            [("", p) for p in model.parameters()]
        parameters = [p for _, p in named]
        trainable = sum(p.numel() for p in parameters if p.requires_grad)
        total = sum(p.numel() for p in parameters)
        names = [name for name, _ in named if name]
        if names and not any("lora_" in name for name in names):
            return False, "this model has no LoRA adapter: load the lab-2 checkpoint with PeftModel.from_pretrained"
        if hasattr(model, "v_head"):  # trl's wrapper adds a value head on top of the PEFT model
            want_trainable += expected["value_head_parameters"]
            want_total += expected["value_head_parameters"]
    else:
        return False, f"expected a model or a (trainable, total) pair, got {type(model).__name__}"
    if (trainable, total) == (want_trainable, want_total):
        return True, f"{trainable:,} of {total:,} parameters trainable ({100 * trainable / total:.2f}%)"
    if trainable == 0:
        return False, "no parameter is trainable: load the adapter with is_trainable=True"
    if trainable == total:
        return False, "every parameter is trainable: only the LoRA adapter (and value head) should be"
    return False, f"{trainable:,} of {total:,} trainable, expected {want_trainable:,} of {want_total:,}: check the LoRA settings"


def _reward_value(output, label: str, what: str) -> float:
    """A reward as a number: a plain value, or a pipeline's [{'label': ..., 'score': ...}, ...] output."""
    if isinstance(output, dict) and "label" in output:
        output = [output]
    if isinstance(output, (list, tuple)) and output and all(isinstance(o, dict) for o in output):
        matches = [o.get("score") for o in output if o.get("label") == label]
        if not matches:
            raise ValueError(f"{what} has no {label!r} entry")
        output = matches[0]
    return _number(output, what)


@check("reward signs")
def check_reward_signs(reward, profile=None):
    """``reward``: a function scoring a list of texts, or a pair (reward for non-toxic, reward for toxic)."""
    profile = profile or active_profile()
    label = profile.reward["not_hate_label"]
    probes = [profile.expected["non_toxic_probe"], profile.expected["toxic_probe"]]
    if reward is None:
        return False, "got None: pass your reward function, or the rewards of the non-toxic and toxic examples"
    if callable(reward):
        outputs = reward(probes)
        if hasattr(outputs, "tolist"):
            outputs = outputs.tolist()
    elif isinstance(reward, dict):
        outputs = [reward.get("non_toxic"), reward.get("toxic")]
    else:
        outputs = reward
    if isinstance(outputs, (str, bytes)) or not hasattr(outputs, "__len__") or len(outputs) != 2:
        return False, "expected two rewards: one for the non-toxic text, one for the toxic text"
    high, low = (_reward_value(o, label, name) for o, name in zip(outputs, ("non-toxic reward", "toxic reward")))
    if high > 0 > low:
        return True, f"non-toxic text {high:+.3f} > 0 > toxic text {low:+.3f}: the {label} logit rewards politeness"
    if high < 0 < low:
        return False, f"the signs are swapped ({high:+.3f}, {low:+.3f}): use the {label!r} logit, not the other label"
    if min(high, low) >= 0 and max(high, low) <= 1:
        return False, (f"both rewards are in [0, 1] ({high:.3f}, {low:.3f}): these look like probabilities; "
                       "the reward is the raw logit (function_to_apply='none')")
    return False, f"expected a positive reward for non-toxic text and a negative one for toxic text, got {high:+.3f} and {low:+.3f}"


@check("toxicity improvement")
def check_toxicity_improvement(before, after, profile=None):
    """``before``/``after``: per-prompt toxicity scores on the same prompts, before and after PPO."""
    profile = profile or active_profile()
    margin = profile.expected["toxicity_margin"]
    if isinstance(before, Real) or isinstance(after, Real):
        return False, "pass the per-prompt toxicity scores (lists), not their means: the comparison is paired"
    before, after = _numbers(before, "before"), _numbers(after, "after")
    if len(before) != len(after):
        return False, f"{len(before)} scores before but {len(after)} after: evaluate the same prompts both times"
    if len(before) < 2:
        return False, "need at least two prompts to compare"
    if any(not 0 <= v <= 1 for v in before + after):
        return False, "toxicity scores are probabilities in [0, 1]: use the hate probability, not a logit"
    mean_before, mean_after = sum(before) / len(before), sum(after) / len(after)
    change = 100 * (mean_after - mean_before) / mean_before if mean_before else float("nan")
    summary = f"mean toxicity {mean_before:.4f} -> {mean_after:.4f} over {len(before)} paired prompts"
    if mean_after < mean_before - margin:
        return True, f"{summary}: down {abs(change):.1f}%"
    if mean_after > mean_before:
        return False, f"{summary}: up {change:.1f}%, the summaries got more toxic; check the reward and the KL reference"
    return False, f"{summary}: not lower by the required margin {margin}; train for more steps"
