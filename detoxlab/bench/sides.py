"""One side of the bench, run in its own process: an implementation of the lab's loop (the course's code or
the package's) in one dtype, timed part by part on identical work.

Both implementations have the same methods (``reference``, ``reward_model``, ``generate``, ``score``,
``evaluate``); ``run_side`` does the timing, the same way for every side.
"""
from __future__ import annotations

import contextlib
import os
import resource
import statistics
import time

from detoxlab.bench.flops import matmul_rate
from detoxlab.bench.inputs import fixed_length_prompts
import answer_key.evaluation
import answer_key.models
import answer_key.ppo
import answer_key.reward


class _PartClock:
    """Wall-clock and CPU seconds (this process, all its threads) per named part."""

    def __init__(self):
        self.wall, self.cpu = {}, {}

    @contextlib.contextmanager
    def part(self, name: str):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu

    def totals(self) -> dict:
        return {"wall": {**self.wall, "total": sum(self.wall.values())},
                "cpu": {**self.cpu, "total": sum(self.cpu.values())}}


class Original:
    """The course's code: each prompt through ``PPOTrainer.generate`` on its own, rewards from a transformers
    ``pipeline``, the reference a deep copy (``create_reference_model``), evaluation one prompt at a time."""

    def __init__(self, profile, chosen, tokenizer, peft_model):
        self.profile, self.chosen, self.tokenizer, self.peft_model = profile, chosen, tokenizer, peft_model

    def reference(self, ppo_model):
        from trl import create_reference_model

        return create_reference_model(ppo_model)

    def reward_model(self):
        from detoxlab import reward

        self.pipe = answer_key.reward.reward_pipeline(self.profile)
        return self.pipe.tokenizer, self.pipe.model.config

    def generate(self, trainer, queries, gen_kwargs, response_tokens):
        return [trainer.generate(query, **gen_kwargs, max_new_tokens=response_tokens).squeeze() for query in queries]

    def score(self, texts):  # the course: a sentiment pipeline returning every label's raw logit, sorted by score
        import torch

        label = self.profile.reward["not_hate_label"]
        rows = self.pipe(texts, top_k=None, function_to_apply="none", batch_size=16)
        if self.chosen.reward_pick == "first":  # the original's reward[not_hate_index]["score"], not_hate_index = 0
            return [torch.tensor(row[0]["score"]) for row in rows]
        return [torch.tensor(next(item["score"] for item in row if item["label"] == label)) for row in rows]

    def evaluate(self, clock, prompts, evaluator, sample, response_tokens, seed, scored_text):
        from transformers import GenerationConfig

        tokenizer, scores = self.tokenizer, []
        config = GenerationConfig(max_new_tokens=response_tokens, do_sample=True, **sample,
                                  pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                                  decoder_start_token_id=self.peft_model.config.decoder_start_token_id)
        for text in prompts:
            with clock.part("generate"):
                # the course's device_map="auto" moved inputs through accelerate's hooks; here they are moved
                input_ids = tokenizer(text, return_tensors="pt", padding=True).input_ids.to(self.peft_model.device)
                output = self.peft_model.generate(input_ids=input_ids, generation_config=config)
                summary = tokenizer.decode(output[0], skip_special_tokens=True)
            with clock.part("toxicity"):
                scores += evaluator.compute(predictions=[scored_text(text, summary.strip())],
                                            toxic_label=self.profile.reward["hate_label"])["toxicity"]
        return scores


class Lab(Original):
    """The package's functions: ``ppo.generate_batch``, ``reward.rewards``, ``models.frozen_reference``,
    ``evaluation.generate_summaries`` and ``evaluation.toxicity`` (batched)."""

    def reference(self, ppo_model):
        from detoxlab import models

        return models.frozen_reference(ppo_model)

    def reward_model(self):
        from detoxlab import reward

        self.reward_tokenizer, self.model = reward.load_reward_model(self.profile)
        return self.reward_tokenizer, self.model.config

    def generate(self, trainer, queries, gen_kwargs, response_tokens):
        from detoxlab import ppo

        return ppo.generate_batch(trainer, queries, response_tokens, gen_kwargs)

    def score(self, texts):
        from detoxlab import reward

        return list(answer_key.reward.picked_rewards(texts, self.reward_tokenizer, self.model, self.chosen.reward_pick,
                                                     self.profile.reward["not_hate_label"]))

    def evaluate(self, clock, prompts, evaluator, sample, response_tokens, seed, scored_text):
        from detoxlab import evaluation

        with clock.part("generate"):
            summaries = answer_key.evaluation.generate_summaries(self.peft_model, self.tokenizer, prompts, response_tokens, seed,
                                                      sample)
        with clock.part("toxicity"):
            return evaluation.toxicity([scored_text(p, s) for p, s in zip(prompts, summaries)], evaluator,
                                       self.profile.reward["hate_label"])


IMPLEMENTATIONS = {"original": Original, "lab": Lab}


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _reference_copy_bytes(ppo_model, ref_model) -> int:
    """Bytes of the reference's parameters that are not the policy's own tensors (0 = no second copy)."""
    own = {p.data_ptr() for p in ppo_model.parameters()}
    return sum(p.numel() * p.element_size() for p in ref_model.parameters() if p.data_ptr() not in own)


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every process), from /proc/stat via psutil."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def run_side(implementation: str, dtype: str, spec: dict) -> dict:
    """Load, warm up, then time ``spec["repeat"]`` PPO steps and evaluations of one side."""
    import torch
    from datasets import Dataset

    from detoxlab import evaluation, lab, models, ppo
    from detoxlab.profiles import load_profile

    lab.make_reproducible(spec["seed"])
    started = time.perf_counter()
    profile = load_profile(spec["profile"], {**spec["overrides"], "policy.dtype": dtype})
    chosen = ppo.method(profile, spec["method"])
    batch, response_tokens, eval_n = spec["prompts"], spec["response_tokens"], spec["eval_n"]

    tokenizer = models.load_tokenizer(profile)
    peft_model = answer_key.models.load_policy(profile, is_trainable=True)
    side = IMPLEMENTATIONS[implementation](profile, chosen, tokenizer, peft_model)
    ppo_model = answer_key.models.with_value_head(peft_model)
    ref_model = side.reference(ppo_model)
    reference_copy = _reference_copy_bytes(ppo_model, ref_model)

    prompt_ids = fixed_length_prompts(tokenizer, profile.data["prompt_template"], max(batch, eval_n),
                                      spec["prompt_tokens"])
    prompt_texts = [tokenizer.decode(ids, skip_special_tokens=True) for ids in prompt_ids]
    dataset = Dataset.from_dict({"input_ids": prompt_ids[:batch], "query": prompt_texts[:batch]})
    dataset.set_format(type="torch")
    trainer = answer_key.ppo.make_trainer(profile, chosen, ppo_model, ref_model, tokenizer, dataset, seed=spec["seed"])

    # identical work: every summary is exactly response_tokens long, no pad inside, ids the tokenizer knows
    suppressed = sorted({tokenizer.pad_token_id} | set(range(len(tokenizer), peft_model.config.vocab_size)))
    fixed = {"min_new_tokens": response_tokens, "suppress_tokens": suppressed}
    gen_kwargs = {**ppo.generation_kwargs(profile, tokenizer), **fixed}
    queries = [torch.tensor(ids) for ids in prompt_ids[:batch]]
    reward_tokenizer, reward_config = side.reward_model()
    evaluator = evaluation.load_toxicity_evaluator(profile)
    sample = {**evaluation.sampling_settings(profile), **fixed}
    setup_seconds = time.perf_counter() - started

    def scored_text(prompt: str, summary: str) -> str:  # what the toxicity classifier reads (same on every side)
        return summary if chosen.reward_input == "summary" else prompt + " " + summary

    def one_step():
        clock = _PartClock()
        with clock.part("generate"):
            responses = side.generate(trainer, queries, gen_kwargs, response_tokens)
        with clock.part("reward"):
            texts = answer_key.ppo.reward_texts(chosen, prompt_texts[:batch], responses, tokenizer)
            rewards = side.score(texts)
        with clock.part("trl_step"):
            stats = trainer.step(queries, responses, rewards)
        return clock.totals(), [len(r) for r in responses], texts, stats

    def one_evaluation():
        clock = _PartClock()
        scores = side.evaluate(clock, prompt_texts[:eval_n], evaluator, sample, response_tokens, spec["seed"],
                               scored_text)
        return clock.totals(), len(scores)

    # warm-up (untimed): one short generation and one scored text, so no side pays first-call costs
    with torch.no_grad():
        trainer.accelerator.unwrap_model(trainer.model).generate(
            input_ids=queries[0].unsqueeze(0), max_new_tokens=8, **{**gen_kwargs, "min_new_tokens": 8})
    side.score(["warm-up"])

    rates = {name: matmul_rate(name) for name in ("float32", "bfloat16")}
    system_before, own_before, wall_before = _busy_cpu_seconds(), time.process_time(), time.perf_counter()
    steps, evaluations, response_lengths, reward_token_counts, trl_stats = [], [], None, None, None
    for _ in range(spec["repeat"]):
        timings, response_lengths, texts, trl_stats = one_step()
        steps.append(timings)
        reward_token_counts = [len(reward_tokenizer(text, truncation=True)["input_ids"]) for text in texts]
    for _ in range(spec["repeat"]):
        timings, scored = one_evaluation()
        evaluations.append(timings)
    timed_wall = time.perf_counter() - wall_before
    own_cpu = time.process_time() - own_before
    others_cpu = max(0.0, _busy_cpu_seconds() - system_before - own_cpu)
    median = lambda runs, kind: {k: statistics.median(r[kind][k] for r in runs) for k in runs[0][kind]}  # noqa: E731
    return {
        "implementation": implementation,
        "dtype": dtype,
        "threads": torch.get_num_threads(),
        "setup_seconds": round(setup_seconds, 2),
        "matmul_flops_per_second": rates,
        "step_seconds": steps,
        "evaluation_seconds": evaluations,
        "step": median(steps, "wall"),
        "evaluation": median(evaluations, "wall"),
        "step_cpu": median(steps, "cpu"),
        "evaluation_cpu": median(evaluations, "cpu"),
        # the last step's figures, to see that the sides trained alike (not only ran alike)
        "trl_stats": {key: float(trl_stats[key]) for key in ("ppo/loss/total", "objective/kl", "ppo/val/mean")},
        # trl's own split of its step: the forward passes without gradients, then the PPO epochs
        "trl_timing": {key: float(value) for key, value in trl_stats.items() if key.startswith("time/ppo/")},
        "response_lengths": response_lengths,
        "reward_text_tokens": reward_token_counts,
        "eval_prompt_tokens": [len(tokenizer(text).input_ids) for text in prompt_texts[:eval_n]],
        "eval_scored": scored,
        "reference_copy_bytes": reference_copy,
        "policy_bytes": sum(p.numel() * p.element_size() for p in peft_model.parameters()),
        "timed_wall_seconds": round(timed_wall, 2),
        "own_cpu_seconds": round(own_cpu, 2),
        "other_processes_cores": round(others_cpu / timed_wall, 2),
        "load_average_1min_after": os.getloadavg()[0],
        "peak_rss_bytes": _peak_rss_bytes(),
        "t5_config": peft_model.config.to_dict(),
        "reward_config": reward_config.to_dict(),
        "ppo_epochs": chosen.ppo_epochs,
    }
