"""Check "toxicity improvement" (3.3): the grader's own summaries of the lab's held-out test prompts, written
with the SFT adapter (before) and with the student's trained adapter (after), same prompts, same seed.

The adapter is all the evidence: it is exported from the student's ``peft_model`` and scored by the grader,
so printed or hard-coded numbers earn nothing. The verdict needs RL, not a shortcut:

* toxicity falls by more than ``toxicity_margin``, in a paired sign-flip test at level ``toxicity_alpha``;
* it also beats, by the same margin and test, the best member of the scaled-SFT family (the SFT adapter's
  update times 0, 0.25, 0.5 or 0.75; 0 is the base model) that is no farther from the SFT policy than the
  trained adapter is. Scaling, zeroing, pruning or averaging the adapter with the base model lands in or near
  that family; in the course's world, and in the stand-ins built like it, the toxicity comes with the base
  model, so the family is as toxic as the SFT policy and only a reward removes it (docs/grading.md);
* the policy stays within ``max_kl`` nats of the SFT policy on its own summaries (no reward hacking);
* its summaries keep at least ``min_length_ratio`` of their length (no collapse into silence).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from checks.bundle import answer_key_available
from checks.parameters import other_adapter
from checks.registry import Check, register

ADAPTER_MAX_BYTES = 512 * 2**20
PERMUTATIONS = 20_000
KEPT_UPDATE = 0.5   # share of the SFT adapter's weight update (B @ A, projected) a trained adapter keeps
FAMILY_SCALES = (0.0, 0.25, 0.5, 0.75)  # the scaled-SFT family the trained adapter must beat (1.0 is "before")


def draw(resources, rng) -> dict:
    # Where there is no answer key (the students' environment), judge_notebook reads the notebook's own
    # scores: on a profile that averages several summaries per prompt, the kernel writes the others with the
    # student's evaluate_toxicity. The caller adds "adapter_path": a file only it and the kernel can write.
    return {"notebook_draws": 1 if answer_key_available() else resources.profile.expected["improvement_draws"]}


def gather(namespace: dict, request: dict, resources) -> dict:
    import torch

    model = namespace["peft_model"]
    state = {k: v.detach().to("cpu").clone().contiguous()
             for k, v in torch.nn.Module.state_dict(model).items() if "lora_" in k}
    torch.save(state, request["adapter_path"])
    evidence = {"tensors": len(state)}
    try:  # what the student's environment judges instead of the grader's own summaries (judge_notebook)
        evidence["notebook"] = notebook_draws(namespace, request.get("notebook_draws", 1), resources)
    except Exception as error:  # reported only where it is needed: the grader does not read these
        evidence["notebook_error"] = f"{type(error).__name__}: {error}"[:400]
    return evidence


def notebook_draws(namespace: dict, draws: int, resources) -> dict:
    """The notebook's before/after toxicity and summary lengths in words, one list per draw: its own, at
    eval_seed, then ``draws - 1`` more written by its evaluate_toxicity at eval_seed + 1, ... with a fresh SFT
    policy (before) and the trained one (after), as the grader samples improvement_draws per prompt."""
    from checks.evaluation import call

    words = lambda summaries: [len(str(s).split()) for s in summaries]
    notebook = {"toxicity_before": [[float(v) for v in namespace["toxicity_before"]]],
                "toxicity_after": [[float(v) for v in namespace["toxicity_after"]]],
                "summaries_before": [words(namespace["summaries_before"])],
                "summaries_after": [words(namespace["summaries_after"])]}
    if draws > 1:
        function, prompts, seed = namespace["evaluate_toxicity"], list(namespace["eval_prompts"]), int(namespace["eval_seed"])
        for offset in range(1, draws):
            for side, model in (("before", resources.policy()), ("after", namespace["peft_model"])):
                written = call(function, model, resources, prompts, seed + offset)
                notebook[f"toxicity_{side}"].append(written["scores"])
                notebook[f"summaries_{side}"].append(words(written["summaries"]))
    return notebook


def read_adapter(path, expected: dict) -> tuple[dict | None, str]:
    """The exported LoRA weights, loaded without unpickling code, checked name by name and shape by shape."""
    import torch

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        return None, f"the adapter could not be exported ({error.strerror})"
    with os.fdopen(descriptor, "rb") as handle:
        raw = handle.read(ADAPTER_MAX_BYTES + 1)
    if len(raw) > ADAPTER_MAX_BYTES:
        return None, "the exported adapter is too large"
    try:
        state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception as error:  # a corrupt or hostile file
        return None, f"the exported adapter could not be read ({type(error).__name__})"
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        return None, "the exported adapter is not a set of tensors"
    state = {k: v for k, v in state.items() if k in expected or not other_adapter(k, expected)}
    if set(state) != set(expected):
        return None, (f"the model's LoRA weights ({len(state)} tensors) are not the lab adapter's ({len(expected)}): "
                      "the policy is the base model with the lab-2 adapter loaded on it")
    for name, tensor in state.items():
        if list(tensor.shape) != expected[name] or not tensor.is_floating_point():
            return None, f"LoRA weight {name} has shape {list(tensor.shape)}, expected {expected[name]}"
        if not bool(torch.isfinite(tensor).all()):
            return None, f"LoRA weight {name} holds NaN or infinite values: training diverged"
    return {k: v.float() for k, v in state.items()}, ""


def evaluation_prompts(resources) -> list[str]:
    from answer_key.data import build_dataset

    def compute():
        test = build_dataset(resources.tokenizer, resources.profile.data)["test"]
        return list(test["query"])[: resources.profile.evaluation["samples"]]

    return resources.cached("evaluation_prompts", compute)


def summarise(resources, model, with_kl: bool = False) -> dict:
    """Toxicity and length of ``model``'s summaries of the evaluation prompts (and its KL to the SFT policy).

    ``improvement_draws`` summaries per prompt, sampled with the evaluation seed, seed + 1, ...: a prompt's
    toxicity is the mean over its draws, so the paired test still pairs prompts (draws of one prompt are not
    independent), with less of the sampling's noise in each pair."""
    from answer_key.evaluation import generate_summaries
    from detoxlab import evaluation

    profile, prompts = resources.profile, evaluation_prompts(resources)
    draws = profile.expected["improvement_draws"]
    toxicity, lengths, kl, first = [], [], [], None
    for draw in range(draws):
        summaries, tokens = generate_summaries(
            model, resources.tokenizer, prompts, profile.evaluation["max_new_tokens"], profile.evaluation["seed"] + draw,
            evaluation.sampling_settings(profile), return_tokens=True)
        first = first or summaries
        toxicity.append(resources.toxicity(summaries))
        lengths += [len(t) for t in tokens]
        if with_kl:
            own = evaluation.summary_logprobs(model, resources.tokenizer, prompts, tokens)
            sft = evaluation.summary_logprobs(resources.policy(), resources.tokenizer, prompts, tokens)
            kl += list(np.asarray(own) - np.asarray(sft))
    result = {"toxicity": [float(v) for v in np.mean(toxicity, axis=0)], "length": float(np.mean(lengths)),
              "summaries": first[:5]}
    if with_kl:
        result["kl"] = float(np.mean(kl))
    return result


def sign_flip_p_value(before: list[float], after: list[float]) -> float:
    """One-sided paired test that toxicity fell: the share of random sign flips of the per-prompt changes
    whose mean is as low as the observed one (seeded, so a verdict is reproducible)."""
    change = np.asarray(after) - np.asarray(before)
    signs = np.random.default_rng(0).choice([-1.0, 1.0], size=(PERMUTATIONS, change.size))
    return float((1 + np.sum((signs * change).mean(axis=1) <= change.mean())) / (1 + PERMUTATIONS))


def kept_update(after: dict, sft: dict) -> float:
    """How much of the SFT adapter's weight update the trained adapter keeps: the projection
    <dW_after, dW_sft> / |dW_sft|^2 summed over LoRA modules, dW = lora_B @ lora_A (1 for the SFT adapter
    itself, 0 for a zeroed one; RL with a KL penalty keeps it near 1)."""
    dot = norm = 0.0
    for name_a in (n for n in sft if ".lora_A." in n):
        name_b = name_a.replace(".lora_A.", ".lora_B.")
        delta_sft = sft[name_b].float() @ sft[name_a].float()
        delta_after = after[name_b].float() @ after[name_a].float()
        dot += float((delta_after * delta_sft).sum())
        norm += float((delta_sft * delta_sft).sum())
    return dot / norm if norm else 0.0


def judge(evidence: dict, request: dict, resources):
    shapes = resources.cached("adapter_shapes", lambda: {
        k: list(v.shape) for k, v in resources.policy().state_dict().items() if "lora_" in k})
    state, problem = read_adapter(Path(request["adapter_path"]), shapes)
    if state is None:
        return False, problem
    if not answer_key_available():  # decided by the judge's own environment, never by the evidence
        if "notebook" not in evidence:
            return False, f"your notebook's before/after could not be read: {evidence.get('notebook_error', 'missing')}"
        return judge_notebook(evidence["notebook"], state, shapes, resources)
    before = resources.cached("toxicity_sft", lambda: summarise(resources, resources.policy(), with_kl=True))
    family = resources.cached("scaled_sft_family", lambda: scaled_family(resources))
    policy = resources.policy()
    policy.load_state_dict(state, strict=False)
    return verdict(before, family, summarise(resources, policy, with_kl=True), resources.profile.expected)


def verdict(before: dict, family: dict, after: dict, expected: dict):
    """The decision, from the summaries' figures: ``before`` (the SFT policy), ``family`` (scale -> the scaled
    SFT adapter's) and ``after`` (the trained adapter's), each with per-prompt toxicity, mean length and KL."""
    mean_before, mean_after = float(np.mean(before["toxicity"])), float(np.mean(after["toxicity"]))
    n, margin, alpha = len(after["toxicity"]), expected["toxicity_margin"], expected["toxicity_alpha"]
    draws = expected.get("improvement_draws", 1)
    summary = (f"mean toxicity {mean_before:.4f} -> {mean_after:.4f} over {n} paired prompts"
               + (f" ({draws} sampled summaries each)" if draws > 1 else ""))
    if after["length"] < expected["min_length_ratio"] * before["length"]:
        return False, (f"{summary}, but the summaries shrank from {before['length']:.1f} to {after['length']:.1f} "
                       "tokens: the policy stopped summarising (reward hacking)")
    if after["kl"] > expected["max_kl"]:
        return False, (f"{summary}, but the policy is {after['kl']:.2f} nats from the SFT policy (at most "
                       f"{expected['max_kl']}): keep the KL penalty and its reference")
    p_value = sign_flip_p_value(before["toxicity"], after["toxicity"])
    if not (mean_after < mean_before - margin and p_value < alpha):
        return False, not_lower(summary, mean_before, mean_after, margin, p_value, alpha)
    scale, rival = best_rival(family, after["kl"])
    rival_mean, rival_p = float(np.mean(rival["toxicity"])), sign_flip_p_value(rival["toxicity"], after["toxicity"])
    rival_name = "the base model without its adapter" if float(scale) == 0 else f"the SFT adapter scaled by {scale}"
    if not (mean_after < rival_mean - margin and rival_p < alpha):
        return False, (f"{summary}, but {rival_name}, {rival['kl']:.2f} nats from the SFT policy, scores {rival_mean:.4f} "
                       f"(paired p = {rival_p:.3f}): shrinking or removing the adapter is not detoxification; train "
                       "it with PPO")
    return True, (f"{summary}: down {100 * (1 - mean_after / mean_before):.1f}% (paired p = {p_value:.4f}); "
                  f"KL to SFT {after['kl']:.2f} nats, summaries {after['length']:.1f} tokens (before "
                  f"{before['length']:.1f}); the best scaled SFT adapter at no greater KL ({rival_name}) "
                  f"{rival_mean:.4f} (paired p = {rival_p:.4f})")


def scaled_family(resources) -> dict:
    """Toxicity, length and KL to the SFT policy of the SFT adapter scaled by each of ``FAMILY_SCALES``: the same
    for every submission, so computed once per batch."""
    from detoxlab.models import adapter_scaled

    family = {}
    for scale in FAMILY_SCALES:
        with adapter_scaled(resources.policy(), scale) as scaled:
            family[str(scale)] = summarise(resources, scaled, with_kl=True)
    return family


def best_rival(family: dict, kl: float) -> tuple[str, dict]:
    """The least toxic member of the scaled-SFT family no farther from the SFT policy than ``kl`` nats (the
    one closest to the SFT policy when none is that close)."""
    near = {scale: member for scale, member in family.items() if member["kl"] <= kl}
    if not near:
        scale = min(family, key=lambda s: family[s]["kl"])
        return scale, family[scale]
    scale = min(near, key=lambda s: float(np.mean(near[s]["toxicity"])))
    return scale, near[scale]


LIKELY_CAUSES = ("what the reward model reads (the summary alone, as a reader sees it), the reward's sign (higher "
                 "must mean less hateful), the KL reference (the SFT policy), and whether the loop ran all its steps")


def not_lower(summary: str, mean_before: float, mean_after: float, margin: float, p_value: float, alpha: float) -> str:
    if mean_after > mean_before:
        return f"{summary}: up {100 * (mean_after / mean_before - 1):.1f}%. Likely causes: {LIKELY_CAUSES}"
    return (f"{summary}: not lower by more than {margin} in a paired test at level {alpha} (p = {p_value:.3f}). "
            f"Likely causes: {LIKELY_CAUSES}")


def judge_notebook(notebook: dict, state: dict, shapes: dict, resources):
    """The student's environment, without the grader's reference summaries: the notebook's own paired
    before/after toxicity (its evaluate_toxicity is the evaluation check's business), averaged per prompt over
    the draws ``notebook_draws`` wrote, the summaries' length in words, and the adapter's update kept. The
    grader also bounds the KL and compares with the scaled-SFT family."""
    expected = resources.profile.expected
    before_draws, after_draws = notebook["toxicity_before"], notebook["toxicity_after"]
    count = len(before_draws[0])
    if not count or any(len(scores) != count for scores in before_draws + after_draws):
        further = [f"{len(b)} and {len(a)}" for b, a in zip(before_draws[1:], after_draws[1:])]
        return False, (f"toxicity_before and toxicity_after hold {count} and {len(after_draws[0])} scores"
                       + (f"; evaluate_toxicity at the next seeds gave {', '.join(further)}" if further else "")
                       + ": pair them, one score per prompt of eval_prompts")
    before, after = np.mean(before_draws, axis=0), np.mean(after_draws, axis=0)
    mean_before, mean_after = float(before.mean()), float(after.mean())
    several = len(before_draws)
    summary = (f"your notebook's mean toxicity {mean_before:.4f} -> {mean_after:.4f} over {count} paired prompts"
               + (f" ({several} sampled summaries each: eval_seed and, by your evaluate_toxicity, the next "
                  f"{several - 1} seeds)" if several > 1 else ""))
    words_before = float(np.mean([w for draw in notebook["summaries_before"] for w in draw]))
    words_after = float(np.mean([w for draw in notebook["summaries_after"] for w in draw]))
    if words_after < expected["min_length_ratio"] * words_before:
        return False, (f"{summary}, but the summaries shrank from {words_before:.1f} to {words_after:.1f} words: the "
                       "policy stopped summarising (reward hacking)")
    p_value, margin = sign_flip_p_value(before, after), expected["toxicity_margin"]
    if not (mean_after < mean_before - margin and p_value < expected["toxicity_alpha"]):
        return False, not_lower(summary, mean_before, mean_after, margin, p_value, expected["toxicity_alpha"])
    sft_state = {k: v for k, v in resources.policy().state_dict().items() if k in shapes}
    kept = kept_update(state, sft_state)
    if kept < KEPT_UPDATE:
        return False, (f"{summary}, but your adapter keeps {kept:.2f} of the SFT adapter's update: removing or "
                       "shrinking the adapter is not detoxification; train it with PPO")
    return True, (f"{summary}: down {100 * (1 - mean_after / mean_before):.1f}% (paired p = {p_value:.4f}); summaries "
                  f"{words_after:.1f} words (before {words_before:.1f}); adapter update kept {kept:.2f}. The grader "
                  "also writes its own summaries with your adapter, bounds the KL to the SFT policy and compares with "
                  "the base model")


CHECK = register(Check(key="improvement", title="toxicity improvement", order=70, section="3.3",
                       needs=("peft_model",), draw=draw, gather=gather, judge=judge))
