"""Check "toxicity evaluation" (exercise 2.4): the student's ``evaluate_toxicity`` on prompts and a seed it
has not seen, with a fresh copy of the SFT policy: one hate probability per prompt, for the summaries it
returns; the same seed gives the same summaries (seeded), another seed others (sampled, as the course
does); and the notebook's before/after scores are what the function gives for the same prompts and seed
(paired)."""
from __future__ import annotations

from checks.common import numbers
from checks.registry import Check, register

PROMPTS = 6
SCORE_TOLERANCE = 0.01      # the measurement (a pipeline) against the grader's own softmax of the logits
PAIRED_TOLERANCE = 1e-6     # the same function, model, prompts and seed, in the same process: the same numbers


def call(function, model, resources, prompts: list[str], seed: int) -> dict:
    output = function(model, resources.tokenizer, resources.toxicity_evaluator, list(prompts), seed)
    if not isinstance(output, (tuple, list)) or len(output) != 2:
        raise TypeError("evaluate_toxicity must return (toxicities, summaries)")
    scores, summaries = output
    return {"scores": numbers(scores, "toxicities"), "summaries": [str(s) for s in list(summaries)]}


def draw(resources, rng) -> dict:
    offset = rng.randrange(0, 40)
    return {"prompts": resources.prompts(PROMPTS, offset), "seed": rng.randrange(1, 2**31 - 1)}


def gather(namespace: dict, request: dict, resources) -> dict:
    function = namespace["evaluate_toxicity"]
    policy = resources.policy()
    prompts, seed = request["prompts"], request["seed"]
    evidence = {"first": call(function, policy, resources, prompts, seed),
                "again": call(function, policy, resources, prompts, seed),
                "other_seed": call(function, policy, resources, prompts, seed + 1)}
    try:  # the notebook's own before/after: recomputed with its prompts and seed
        eval_prompts, eval_seed = list(namespace["eval_prompts"]), int(namespace["eval_seed"])
        evidence["notebook"] = {
            "before": numbers(namespace["toxicity_before"], "toxicity_before"),
            "after": numbers(namespace["toxicity_after"], "toxicity_after"),
            "before_again": call(function, policy, resources, eval_prompts, eval_seed)["scores"],
            "after_again": call(function, namespace["peft_model"], resources, eval_prompts, eval_seed)["scores"]}
    except Exception as error:  # reported, and judged as not paired
        evidence["notebook_error"] = f"{type(error).__name__}: {error}"[:400]
    return evidence


def same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= PAIRED_TOLERANCE for x, y in zip(a, b))


def judge(evidence: dict, request: dict, resources):
    first, again, other = evidence["first"], evidence["again"], evidence["other_seed"]
    count = len(request["prompts"])
    if count == 0:
        raise ValueError("no prompts were drawn")
    if len(first["scores"]) != count or len(first["summaries"]) != count:
        return False, (f"for {count} prompts evaluate_toxicity returned {len(first['scores'])} scores and "
                       f"{len(first['summaries'])} summaries: one of each per prompt")
    if any(not 0 <= s <= 1 for s in first["scores"]):
        return False, "toxicity scores are probabilities in [0, 1]: use the measurement's hate probability, not a logit"
    want = resources.toxicity(first["summaries"])
    off = [i for i, (s, w) in enumerate(zip(first["scores"], want)) if abs(s - w) > SCORE_TOLERANCE]
    if off:
        i = off[0]
        return False, (f"the score of summary {i} ({first['scores'][i]:.3f}) is not its hate probability "
                       f"({want[i]:.3f}): each score should be the measurement's toxicity of the summary returned "
                       "beside it, for the hate label")
    if first["summaries"] != again["summaries"] or not same(first["scores"], again["scores"]):
        return False, ("two calls with the same prompts and seed gave different summaries: sampling draws from "
                       "torch's random stream, so before and after are comparable only if the function's seed "
                       "fixes that stream before it generates")
    if first["summaries"] == other["summaries"]:
        return False, ("two different seeds gave the same summaries: the course samples its summaries (the "
                       "settings in eval_generation_kwargs), and the `seed` argument chooses the draw")
    if "notebook" not in evidence:
        return False, f"the notebook's before/after could not be checked: {evidence.get('notebook_error', 'missing')}"
    notebook = evidence["notebook"]
    if not same(notebook["before"], notebook["before_again"]):
        return False, ("toxicity_before is not what evaluate_toxicity gives for eval_prompts and eval_seed with the "
                       "policy before PPO: evaluate the same prompts with the same seed")
    if not same(notebook["after"], notebook["after_again"]):
        return False, ("toxicity_after is not what evaluate_toxicity gives for eval_prompts and eval_seed with the "
                       "trained policy: evaluate after PPO on the same prompts with the same seed (paired)")
    return True, (f"{count} unseen prompts: one hate probability per summary, seeded and sampled; the notebook's "
                  f"{len(notebook['before'])} before/after scores are paired")


CHECK = register(Check(key="evaluation", title="toxicity evaluation", order=40, section="2.4",
                       needs=("evaluate_toxicity",), draw=draw, gather=gather, judge=judge))
