"""Check "PPO step" (exercise 3.2): the body of the student's PPO loop, ``ppo_step``, run once on the
student's own trainer (``ppo_trainer``: its settings are the trainer check's business) on a batch of prompts
it has not seen, with the grader's reward function; afterwards the trainer is put back as it was (weights,
optimiser, KL controller), so the notebook goes on as if the check had not run. trl's ``step`` is watched:
it must be called once, with the batch's queries, the responses the policy generated, and for each response
the reward of the summary alone (decoded without ``<pad>``/``</s>``); and the adapter must have moved."""
from __future__ import annotations

from checks.common import close
from checks.registry import Check, register

TOLERANCE = 0.02


def draw(resources, rng) -> dict:
    return {"offset": rng.randrange(0, 40), "seed": rng.randrange(1, 2**31 - 1)}


def gather(namespace: dict, request: dict, resources) -> dict:
    import torch

    from detoxlab import ppo

    profile, tokenizer = resources.profile, resources.tokenizer
    torch.manual_seed(request["seed"])
    trainer = namespace["ppo_trainer"]
    policy = trainer.accelerator.unwrap_model(trainer.model)
    prompts = resources.prompts(profile.ppo["batch_size"], request["offset"])
    batch = {"query": list(prompts), "input_ids": [torch.tensor(tokenizer.encode(p)) for p in prompts]}
    queries = [ids.clone() for ids in batch["input_ids"]]
    calls, real_step = [], trainer.step

    def watched_step(step_queries, responses, scores):
        calls.append({
            "queries_match": len(step_queries) == len(queries) and all(
                torch.equal(torch.as_tensor(a).cpu(), b) for a, b in zip(step_queries, queries)),
            "summaries": [tokenizer.decode(r, skip_special_tokens=True).strip() for r in responses],
            "raw": [tokenizer.decode(r) for r in responses],
            "lengths": [int(len(r)) for r in responses],
            "scores": [float(s) for s in scores]})
        return real_step(step_queries, responses, scores)

    lora = {n: p.detach().clone() for n, p in policy.named_parameters() if "lora_" in n}

    def reward_function(texts):
        return torch.tensor(resources.rewards(list(texts)))

    state = ppo.trainer_state(trainer)
    try:
        trainer.step = watched_step
        namespace["ppo_step"](trainer, batch, reward_function, ppo.length_sampler(profile),
                              ppo.generation_kwargs(profile, tokenizer))
        moved = any(not torch.equal(lora[n], p.detach()) for n, p in policy.named_parameters() if n in lora)
    finally:
        ppo.restore_trainer(trainer, state)
    return {"calls": calls, "adapter_moved": moved, "queries": list(prompts)}


def judge(evidence: dict, request: dict, resources):
    calls = evidence["calls"]
    size = resources.profile.ppo["batch_size"]
    if len(calls) != 1:
        return False, f"ppo_step called ppo_trainer.step {len(calls)} times: once per batch"
    call = calls[0]
    if not call["queries_match"]:
        return False, "ppo_trainer.step did not receive the batch's input_ids as its queries"
    if len(call["scores"]) != size or len(call["summaries"]) != size:
        return False, f"step received {len(call['summaries'])} responses and {len(call['scores'])} rewards for {size} prompts"
    if min(call["lengths"]) < 2:
        return False, "some responses are empty: generate a summary for every prompt of the batch"
    if call["summaries"] == [q.strip() for q in evidence["queries"]]:
        return False, "the responses are the prompts themselves: pass the generated summaries"
    want = resources.rewards(call["summaries"])
    if not all(close(s, w, TOLERANCE) for s, w in zip(call["scores"], want)):
        with_prompt = resources.rewards([q + r for q, r in zip(evidence["queries"], call["raw"])])
        if all(close(s, w, TOLERANCE) for s, w in zip(call["scores"], with_prompt)):
            return False, ("the rewards scored the prompt and the summary together (the original's flaw): the reward "
                           "model then reads mostly the dialogue, which the policy cannot change")
        with_tokens = resources.rewards(call["raw"])
        if all(close(s, w, TOLERANCE) for s, w in zip(call["scores"], with_tokens)):
            return False, ("the rewards read <pad> and </s>: the reward model scores those markers as text; decode "
                           "the summaries as a reader would see them")
        i = next(i for i, (s, w) in enumerate(zip(call["scores"], want)) if not close(s, w, TOLERANCE))
        return False, (f"the reward given to step for response {i} is {call['scores'][i]:+.3f}; the reward function "
                       f"on its decoded summary gives {want[i]:+.3f}: each response's reward is the reward of "
                       "its own summary")
    if not evidence["adapter_moved"]:
        return False, "the adapter did not change: ppo_step must run ppo_trainer.step on the batch"
    return True, f"one trl step on {size} unseen prompts, each summary rewarded by itself; the adapter moved"


CHECK = register(Check(key="loop", title="PPO step", order=60, section="3.2", needs=("ppo_step", "ppo_trainer"),
                       draw=draw, gather=gather, judge=judge))
