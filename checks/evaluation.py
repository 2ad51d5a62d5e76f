"""Check "toxicity evaluation" (exercise 2.4): the student's ``evaluate_toxicity`` on prompts and a seed it
has not seen, with a fresh copy of the SFT policy: one hate probability per prompt, for the summaries it
returns; the same seed gives the same summaries (seeded), another seed others (sampled, as the course
does); and the notebook's before/after scores are what the function gives for the same prompts and seed
(paired).

Pairing is confirmed on the notebook's first ``PAIRING_PROMPTS`` prompts when that proves it: a function seeded
once that generates in batches (the exercise's ``batch_size``, 16) writes the same summaries for the first batch
whether it is called on those prompts alone or on all of them, so the same summaries and scores there show
the same function, prompts and seed. Only when they differ (a function that generates all prompts at once, or
scores that are not paired) does the check recompute every prompt, and judge on that. On the full profile this
is 2 x 16 summaries instead of 2 x 256 (docs/grading.md)."""
from __future__ import annotations

from checks.common import numbers
from checks.registry import Check, register

PROMPTS = 6
SCORE_TOLERANCE = 0.01      # the measurement (a pipeline) against the grader's own softmax of the logits
PAIRED_TOLERANCE = 1e-6     # the same function, model, prompts and seed, in the same process: the same numbers
PAIRING_PROMPTS = 16        # one batch of the exercise's evaluate_toxicity


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
        notebook = {"prompts": len(eval_prompts)}
        for side, model in (("before", policy), ("after", namespace["peft_model"])):
            notebook[side] = numbers(namespace[f"toxicity_{side}"], f"toxicity_{side}")
            notebook[f"{side}_again"] = recomputed(function, model, resources, eval_prompts, eval_seed, notebook[side],
                                                   namespace.get(f"summaries_{side}"))
        evidence["notebook"] = notebook
    except Exception as error:  # reported, and judged as not paired
        evidence["notebook_error"] = f"{type(error).__name__}: {error}"[:400]
    return evidence


def recomputed(function, model, resources, prompts: list[str], seed: int, scores: list[float], summaries) -> list[float]:
    """The function's scores for the notebook's prompts and seed: for the first PAIRING_PROMPTS alone when they
    reproduce the notebook's summaries and scores there (module docstring), else for every prompt."""
    count = min(PAIRING_PROMPTS, len(prompts))
    if count < len(prompts) and summaries is not None:
        first = call(function, model, resources, prompts[:count], seed)
        if first["summaries"] == [str(s) for s in list(summaries)[:count]] and same(first["scores"], scores[:count]):
            return first["scores"]
    return call(function, model, resources, prompts, seed)["scores"]


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
    prompts = notebook.get("prompts", len(notebook["before_again"]))
    if not (len(notebook["before"]) == len(notebook["after"]) == prompts):
        return False, (f"toxicity_before and toxicity_after hold {len(notebook['before'])} and {len(notebook['after'])} "
                       f"scores for {prompts} eval_prompts: one score per prompt, before and after (paired)")
    if not same(notebook["before"][:len(notebook["before_again"])], notebook["before_again"]):
        return False, ("toxicity_before is not what evaluate_toxicity gives for eval_prompts and eval_seed with the "
                       "policy before PPO: evaluate the same prompts with the same seed")
    if not same(notebook["after"][:len(notebook["after_again"])], notebook["after_again"]):
        return False, ("toxicity_after is not what evaluate_toxicity gives for eval_prompts and eval_seed with the "
                       "trained policy: evaluate after PPO on the same prompts with the same seed (paired)")
    confirmed = min(len(notebook["before_again"]), len(notebook["after_again"]))
    return True, (f"{count} unseen prompts: one hate probability per summary, seeded and sampled; the notebook's "
                  f"{prompts} before/after scores are paired"
                  + (f" (confirmed on its first {confirmed} prompts, one seeded batch)" if confirmed < prompts else ""))


CHECK = register(Check(key="evaluation", title="toxicity evaluation", order=40, section="2.4",
                       needs=("evaluate_toxicity",), draw=draw, gather=gather, judge=judge))
