"""`detoxlab bench`: the original lab's loop against the lab's, timed in one run on one machine.

Both sides do identical work: the same prompts (all of the same token length), the same number of
generated tokens per summary (``min_new_tokens = max_new_tokens``, the pad token suppressed), the same
texts for the reward model, the same PPO method and trl settings. What differs is the implementation:

* original: the course's code: each of the batch's prompts through ``PPOTrainer.generate`` on its own,
  rewards from a transformers ``pipeline``, the reference a deep copy made by ``create_reference_model``;
  evaluation one prompt at a time (generate, then ``toxicity.compute`` on one text).
* lab: the package's functions: ``ppo.generate_batch``, ``reward.rewards``, ``models.frozen_reference``,
  ``evaluation.generate_summaries`` and ``evaluation.toxicity`` (batched).

Each side runs in its own child process, so its peak resident memory (``ru_maxrss``) is its own. On the
``full`` profile the models are flan-t5-base and the RoBERTa hate-speech classifier at their real shapes
with random weights (nothing is downloaded); on ``mini`` they are the committed stand-ins. The bench
also measures the machine's fp32 matmul rate and reports the lab step's estimated FLOPs as a fraction
of it. The FLOP formulas are written into ``bench.json``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from detoxlab.errors import DetoxlabError
from detoxlab.outputs import OutputDirError, writable_dir

SIDES = ("original", "lab")
CONTENDED_CORES = 0.25  # other processes using more than this many cores while a side is timed
DATA_DIR_ENV = "DETOXLAB_DATA_DIR"
SIDE_TIMEOUT_ENV = "DETOXLAB_BENCH_TIMEOUT"
SIDE_SECONDS = 3600  # one side's child process, per timed repetition (a full-size side takes minutes on 2 CPU cores)
EMBEDDED_TRAIN = Path(__file__).parent / "embedded" / "dialogsum_sample" / "train.csv"

# per bench profile: where the models come from, and default sizes (chosen so that the full
# architecture finishes in minutes on two CPU cores; the course samples 100..399 new tokens)
DEFAULTS = {
    "full": {"prompt_tokens": 128, "response_tokens": 64, "eval_n": 16, "prompts": 16},
    "mini": {"prompt_tokens": 96, "response_tokens": 32, "eval_n": 16, "prompts": 16},
}

FLOP_FORMULAS = {
    "counted": "multiply-adds of every matmul (2 FLOPs each): linear layers (incl. LoRA A/B, lm_head) and "
               "attention scores/values; embeddings, norms, softmax and other element-wise work not counted",
    "t5_forward": "2*(P*(enc_linear + cross_kv_linear) + D*dec_linear) + attention, per sequence of P "
                  "encoder and D decoder tokens; attention = 4*hd*(L_enc*P^2 + L_dec*(D^2 + D*P)) "
                  "(D^2 -> D*(D+1)/2 when generating with the key/value cache)",
    "generation": "t5_forward with D = response tokens, KV cache (each new token runs the decoder once)",
    "reward": "2*roberta_linear*T + 4*H*L*T^2 per text of T tokens (+ classifier head)",
    "trl_step": "2 forward passes without gradients (policy+value head, reference) + ppo_epochs * "
                "(forward + backward); backward = input gradients only (base weights are frozen): "
                "linear FLOPs of the forward + 2x its attention FLOPs + 2*lora_params per token for "
                "the LoRA weight gradients; D = response tokens + the decoder start token",
    "lab_step": "generation + reward + trl_step of the lab's step",
    "fraction_of_matmul_rate": "lab_step FLOPs / lab step seconds / fp32 matmul rate (2*n^3 per n x n "
                               "matmul, same process, same thread count)",
}


class BenchError(DetoxlabError, RuntimeError):
    """A bad bench setting, or a side that did not finish."""


# ----------------------------------------------------------------------------------------------------
# FLOPs from the shapes

def t5_shapes(config, lora_r: int, lora_targets) -> dict:
    d, hd, dff, vocab = config.d_model, config.num_heads * config.d_kv, config.d_ff, config.vocab_size
    ffn = (3 if config.is_gated_act else 2) * d * dff
    lora = lora_r * (d + hd)  # one LoRA A (d->r) + B (r->hd) on a projection
    n_lora = {name: lora if name in lora_targets else 0 for name in ("q", "k", "v", "o")}
    attention_all = 4 * d * hd + sum(n_lora.values())
    enc = config.num_layers * (attention_all + ffn)
    dec_self = attention_all
    dec_cross_per_token = 2 * d * hd + n_lora["q"] + n_lora["o"]
    dec = config.num_decoder_layers * (dec_self + dec_cross_per_token + ffn) + d * vocab
    cross_kv = config.num_decoder_layers * (2 * d * hd + n_lora["k"] + n_lora["v"])
    lora_params_enc = config.num_layers * sum(n_lora.values())
    lora_params_dec = config.num_decoder_layers * (2 * sum(n_lora.values()))
    return {"enc_linear": enc, "dec_linear": dec, "cross_kv_linear": cross_kv, "hd": hd,
            "enc_layers": config.num_layers, "dec_layers": config.num_decoder_layers,
            "lora_per_enc_token": lora_params_enc,
            "lora_per_dec_token": lora_params_dec - config.num_decoder_layers * (n_lora["k"] + n_lora["v"]),
            "lora_cross_kv": config.num_decoder_layers * (n_lora["k"] + n_lora["v"])}


def t5_forward_flops(shapes: dict, prompt: int, decoder: int, cached: bool = False) -> dict:
    linear = 2 * (prompt * (shapes["enc_linear"] + shapes["cross_kv_linear"]) + decoder * shapes["dec_linear"])
    self_pairs = decoder * (decoder + 1) / 2 if cached else decoder * decoder
    attention = 4 * shapes["hd"] * (shapes["enc_layers"] * prompt * prompt
                                    + shapes["dec_layers"] * (self_pairs + decoder * prompt))
    lora_tokens = prompt * (shapes["lora_per_enc_token"] + shapes["lora_cross_kv"]) + decoder * shapes["lora_per_dec_token"]
    return {"linear": linear, "attention": attention, "lora_params_x_tokens": lora_tokens}


def roberta_flops(config, tokens: list[int]) -> float:
    h, layers, inter = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    linear = layers * (4 * h * h + 2 * h * inter)
    return float(sum(2 * linear * t + 4 * h * layers * t * t + 2 * (h * h + h * config.num_labels) for t in tokens))


def step_flops(shapes: dict, reward_config, batch: int, prompt: int, response: int, ppo_epochs: int,
               reward_tokens: list[int]) -> dict:
    generation = batch * sum(t5_forward_flops(shapes, prompt, response, cached=True)[k] for k in ("linear", "attention"))
    forward = t5_forward_flops(shapes, prompt, response + 1)
    forward_total = batch * (forward["linear"] + forward["attention"])
    backward_total = batch * (forward["linear"] + 2 * forward["attention"] + 2 * forward["lora_params_x_tokens"])
    trl = 2 * forward_total + ppo_epochs * (forward_total + backward_total)
    scoring = roberta_flops(reward_config, reward_tokens)
    return {"generation": generation, "reward": scoring, "trl_step": trl, "total": generation + scoring + trl}


def matmul_rate(n: int = 2048, repeats: int = 10) -> float:
    """Best fp32 matmul rate (FLOP/s) of an n x n by n x n product with torch's current threads."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2):
        torch.matmul(a, b)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeats):
            torch.matmul(a, b)
        best = min(best, (time.perf_counter() - started) / repeats)
    return 2 * n ** 3 / best


# ----------------------------------------------------------------------------------------------------
# set-up (parent): model directories and prompts

def _tokenizer_sources(tokenizers: Path | None) -> dict:
    """Real tokenizer files if a tokenizer directory holds them, else the stand-ins' (said in bench.json)."""
    if tokenizers is None and os.environ.get(DATA_DIR_ENV):
        tokenizers = Path(os.environ[DATA_DIR_ENV]) / "tokenizers"
    found = {}
    if tokenizers is not None:
        if (tokenizers / "flan-t5-base" / "spiece.model").is_file():
            found["policy"] = tokenizers / "flan-t5-base"
        if (tokenizers / "roberta-base" / "vocab.json").is_file():
            found["reward"] = tokenizers / "roberta-base"
    return found


def prepare_full_models(root: Path, tokenizers: Path | None, lora_profile, seed: int) -> dict:
    """flan-t5-base + a LoRA adapter with the course's settings, and the RoBERTa hate-speech classifier,
    at their real shapes with random weights, saved where the package's loaders read them."""
    import torch
    from peft import get_peft_model
    from transformers import (AutoTokenizer, RobertaConfig, RobertaForSequenceClassification,
                              RobertaTokenizerFast, T5Tokenizer)

    from detoxlab import architectures, models
    from detoxlab.profiles import load_profile

    torch.manual_seed(seed)
    sources = _tokenizer_sources(tokenizers)
    mini = load_profile("mini")
    base_dir, adapter_dir, reward_dir = root / "policy-base", root / "policy-adapter", root / "reward-model"
    if "policy" in sources:
        policy_tokenizer = T5Tokenizer(vocab_file=str(sources["policy"] / "spiece.model"))
        policy_note = "flan-t5-base SentencePiece model (32,100 tokens)"
    else:
        policy_tokenizer = AutoTokenizer.from_pretrained(mini.location(mini.policy["base_model"]))
        policy_note = (f"stand-in policy tokenizer ({len(policy_tokenizer):,} tokens; no flan-t5-base tokenizer "
                       f"found): sampling is restricted to its ids")
    if "reward" in sources:
        reward_tokenizer = RobertaTokenizerFast.from_pretrained(str(sources["reward"]))
        reward_note = "roberta-base byte-level BPE (50,265 tokens)"
    else:
        reward_tokenizer = AutoTokenizer.from_pretrained(mini.location(mini.reward["model"]))
        reward_note = (f"stand-in reward tokenizer ({len(reward_tokenizer):,} tokens; no roberta-base tokenizer "
                       f"found)")

    base = architectures.random_flan_t5_base()
    base.save_pretrained(base_dir)
    policy_tokenizer.save_pretrained(base_dir)
    peft_model = get_peft_model(base, models.lora_config(lora_profile))
    with torch.no_grad():  # a trained adapter is not zero: give B small random values
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.02)
    peft_model.save_pretrained(adapter_dir)
    del peft_model, base

    hate = architectures.ROBERTA_HATE
    reward_config = RobertaConfig(**{k: v for k, v in hate.items() if k != "model_type"})
    RobertaForSequenceClassification(reward_config).save_pretrained(reward_dir)
    reward_tokenizer.save_pretrained(reward_dir)
    return {"overrides": {"policy.base_model": str(base_dir), "policy.adapter": str(adapter_dir), "policy.revision": "",
                          "reward.model": str(reward_dir), "reward.revision": ""},
            "tokenizers": {"policy": policy_note, "reward": reward_note},
            "weights": "random, at the real shapes (detoxlab.architectures)"}


def fixed_length_prompts(tokenizer, template: str, count: int, length: int) -> list[list[int]]:
    """``count`` prompts of exactly ``length`` tokens: the course's template around DialogSum-style
    dialogues (the embedded sample), each dialogue cut or repeated to fit."""
    import csv

    with EMBEDDED_TRAIN.open(encoding="utf-8") as handle:
        dialogues = [row["dialogue"] for row in csv.DictReader(handle)]
    head, _, tail = template.partition("{dialogue}")
    head_ids = tokenizer.encode(head, add_special_tokens=False)
    tail_ids = tokenizer.encode(tail)  # ends with </s>
    room = length - len(head_ids) - len(tail_ids)
    if room < 1:
        raise BenchError(f"--prompt-tokens {length} is shorter than the prompt template ({length - room + 1} tokens)")
    prompts = []
    for index in range(count):
        body = tokenizer.encode(dialogues[index % len(dialogues)], add_special_tokens=False)
        while len(body) < room:
            body = body + body
        prompts.append(head_ids + body[:room] + tail_ids)
    return prompts


# ----------------------------------------------------------------------------------------------------
# one side (child process)

def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _reference_copy_bytes(ppo_model, ref_model) -> int:
    """Bytes of the reference's parameters that are not the policy's own tensors (0 = no second copy)."""
    if ref_model is None:
        return 0
    own = {p.data_ptr() for p in ppo_model.parameters()}
    return sum(p.numel() * p.element_size() for p in ref_model.parameters() if p.data_ptr() not in own)


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


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every process), from /proc/stat via psutil."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def run_side(side: str, spec: dict) -> dict:
    import torch
    from datasets import Dataset
    from transformers import GenerationConfig

    from detoxlab import evaluation, lab, models, ppo, reward
    from detoxlab.profiles import load_profile

    lab.make_reproducible(spec["seed"])
    started = time.perf_counter()
    profile = load_profile(spec["profile"], spec["overrides"])
    chosen = ppo.method(profile, spec["method"])
    batch, response_tokens, eval_n = spec["prompts"], spec["response_tokens"], spec["eval_n"]

    tokenizer = models.load_tokenizer(profile)
    peft_model = models.load_policy(profile, is_trainable=True)
    ppo_model = models.with_value_head(peft_model)
    if side == "original":
        from trl import create_reference_model

        ref_model = create_reference_model(ppo_model)
    else:
        ref_model = models.frozen_reference(ppo_model)
    reference_copy = _reference_copy_bytes(ppo_model, ref_model)

    prompt_ids = fixed_length_prompts(tokenizer, profile.data["prompt_template"], max(batch, eval_n), spec["prompt_tokens"])
    prompt_texts = [tokenizer.decode(ids, skip_special_tokens=True) for ids in prompt_ids]
    dataset = Dataset.from_dict({"input_ids": prompt_ids[:batch], "query": prompt_texts[:batch]})
    dataset.set_format(type="torch")
    trainer = ppo.make_trainer(profile, chosen, ppo_model, ref_model, tokenizer, dataset, seed=spec["seed"])

    # identical work: every summary is exactly response_tokens long, no pad inside, ids the tokenizer knows
    suppressed = sorted({tokenizer.pad_token_id} | set(range(len(tokenizer), peft_model.config.vocab_size)))
    fixed = {"min_new_tokens": response_tokens, "suppress_tokens": suppressed}
    gen_kwargs = {**ppo.generation_kwargs(profile, tokenizer), **fixed}
    queries = [torch.tensor(ids) for ids in prompt_ids[:batch]]
    label = profile.reward["not_hate_label"]

    if side == "original":
        pipe = reward.reward_pipeline(profile)
        reward_model_config = pipe.model.config
        reward_tokenizer = pipe.tokenizer
    else:
        reward_tokenizer, reward_model = reward.load_reward_model(profile)
        reward_model_config = reward_model.config
    evaluator = evaluation.load_toxicity_evaluator(profile)
    setup_seconds = time.perf_counter() - started

    def score(texts):
        if side == "original":  # the course: a sentiment pipeline returning every label's raw logit
            rows = pipe(texts, top_k=None, function_to_apply="none", batch_size=16)
            return [torch.tensor(next(item["score"] for item in row if item["label"] == label)) for row in rows]
        return list(reward.rewards(texts, reward_tokenizer, reward_model, label))

    def one_step():
        clock = _PartClock()
        with clock.part("generate"):
            if side == "original":
                responses = []
                for query in queries:
                    kwargs = {**gen_kwargs, "max_new_tokens": response_tokens}
                    responses.append(trainer.generate(query, **kwargs).squeeze())
            else:
                responses = ppo.generate_batch(trainer, queries, response_tokens, gen_kwargs)
        with clock.part("reward"):
            texts = ppo.reward_texts(chosen, prompt_texts[:batch], responses, tokenizer)
            rewards = score(texts)
        with clock.part("trl_step"):
            trainer.step(queries, responses, rewards)
        return clock.totals(), [len(r) for r in responses], texts

    def eval_text(prompt: str, summary: str) -> str:  # what the toxicity classifier reads (same on both sides)
        return summary if chosen.reward_input == "summary" else prompt + " " + summary

    sample = {**evaluation.sampling_settings(profile), **fixed}

    def one_evaluation():
        clock = _PartClock()
        hate = profile.reward["hate_label"]
        if side == "original":
            scores = []
            config = GenerationConfig(max_new_tokens=response_tokens, do_sample=True, **sample,
                                      pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                                      decoder_start_token_id=peft_model.config.decoder_start_token_id)
            for text in prompt_texts[:eval_n]:
                with clock.part("generate"):
                    input_ids = tokenizer(text, return_tensors="pt", padding=True).input_ids
                    output = peft_model.generate(input_ids=input_ids, generation_config=config)
                    summary = tokenizer.decode(output[0], skip_special_tokens=True)
                with clock.part("toxicity"):
                    scores += evaluator.compute(predictions=[eval_text(text, summary.strip())],
                                                toxic_label=hate)["toxicity"]
        else:
            with clock.part("generate"):
                summaries = evaluation.generate_summaries(peft_model, tokenizer, prompt_texts[:eval_n],
                                                          response_tokens, spec["seed"], sample)
            with clock.part("toxicity"):
                scores = evaluation.toxicity([eval_text(p, s) for p, s in zip(prompt_texts, summaries)], evaluator,
                                             hate)
        return clock.totals(), len(scores)

    # warm-up (untimed): one short generation and one scored text, so neither side pays first-call costs
    with torch.no_grad():
        trainer.accelerator.unwrap_model(trainer.model).generate(
            input_ids=queries[0].unsqueeze(0), max_new_tokens=8, **{**gen_kwargs, "min_new_tokens": 8})
    score(["warm-up"])

    rate = matmul_rate()
    system_before, own_before, wall_before = _busy_cpu_seconds(), time.process_time(), time.perf_counter()
    steps, evaluations, response_lengths, reward_token_counts = [], [], None, None
    for _ in range(spec["repeat"]):
        timings, lengths, texts = one_step()
        steps.append(timings)
        response_lengths = lengths
        reward_token_counts = [len(reward_tokenizer(text, truncation=True)["input_ids"]) for text in texts]
    for _ in range(spec["repeat"]):
        timings, scored = one_evaluation()
        evaluations.append(timings)
    timed_wall = time.perf_counter() - wall_before
    own_cpu = time.process_time() - own_before
    others_cpu = max(0.0, _busy_cpu_seconds() - system_before - own_cpu)
    eval_prompt_tokens = [len(tokenizer(text).input_ids) for text in prompt_texts[:eval_n]]
    return {
        "side": side,
        "threads": torch.get_num_threads(),
        "setup_seconds": round(setup_seconds, 2),
        "matmul_flops_per_second": rate,
        "step_seconds": steps,
        "evaluation_seconds": evaluations,
        "step": {k: statistics.median(s["wall"][k] for s in steps) for k in steps[0]["wall"]},
        "evaluation": {k: statistics.median(e["wall"][k] for e in evaluations) for k in evaluations[0]["wall"]},
        "step_cpu": {k: statistics.median(s["cpu"][k] for s in steps) for k in steps[0]["cpu"]},
        "evaluation_cpu": {k: statistics.median(e["cpu"][k] for e in evaluations) for k in evaluations[0]["cpu"]},
        "response_lengths": response_lengths,
        "reward_text_tokens": reward_token_counts,
        "eval_prompt_tokens": eval_prompt_tokens,
        "eval_scored": scored,
        "reference_copy_bytes": reference_copy,
        "policy_bytes": sum(p.numel() * p.element_size() for p in peft_model.parameters()),
        "timed_wall_seconds": round(timed_wall, 2),
        "own_cpu_seconds": round(own_cpu, 2),
        "other_processes_cores": round(others_cpu / timed_wall, 2),
        "load_average_1min_after": os.getloadavg()[0],
        "peak_rss_bytes": _peak_rss_bytes(),
        "t5_config": peft_model.config.to_dict(),
        "reward_config": reward_model_config.to_dict(),
        "ppo_epochs": chosen.ppo_epochs,
    }


# ----------------------------------------------------------------------------------------------------
# parent: run both sides, compare, write bench.json and print the table

def side_timeout(repeat: int) -> float:
    """Seconds one side's child may run: ``DETOXLAB_BENCH_TIMEOUT``, else SIDE_SECONDS per repetition."""
    from detoxlab.environment import seconds_from_env

    try:
        return seconds_from_env(SIDE_TIMEOUT_ENV, SIDE_SECONDS * max(1, repeat))
    except ValueError as error:
        raise BenchError(str(error)) from None


def _run_child(side: str, spec_path: Path, result_path: Path, log_path: Path, timeout: float) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    command = [sys.executable, "-m", "detoxlab.bench", "--side", side, "--spec", str(spec_path),
               "--result", str(result_path)]
    with log_path.open("w", encoding="utf-8") as log:
        try:  # on timeout the child is killed before this returns
            completed = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"the {side} side did not finish within {timeout:g} s and was stopped ({SIDE_TIMEOUT_ENV} "
                             f"sets the limit); its output is in {log_path}") from None
    if completed.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise BenchError(f"the {side} side failed (exit {completed.returncode}); end of {log_path}:\n" + "\n".join(tail))
    return json.loads(result_path.read_text(encoding="utf-8"))


def _ratio(original: float, lab: float) -> float:
    return round(original / lab, 2) if lab > 0 else float("inf")


def summarise(spec: dict, results: dict, setup: dict) -> dict:
    from transformers import RobertaConfig, T5Config

    from detoxlab.profiles import load_profile

    original, lab = results["original"], results["lab"]
    profile = load_profile(spec["profile"], spec["overrides"])
    t5 = T5Config.from_dict(lab["t5_config"])
    shapes = t5_shapes(t5, profile.lora["r"], profile.lora["target_modules"])
    flops = step_flops(shapes, RobertaConfig.from_dict(lab["reward_config"]), spec["prompts"], spec["prompt_tokens"],
                       spec["response_tokens"], lab["ppo_epochs"], lab["reward_text_tokens"])
    rate = lab["matmul_flops_per_second"]
    fraction = flops["total"] / lab["step"]["total"] / rate
    # the policy's work is identical by construction (same prompts, fixed summary length): checked here;
    # the reward model reads the decoded samples, which differ between the sides, so its token counts
    # are reported for both rather than required to be equal
    identical = (original["response_lengths"] == lab["response_lengths"]
                 and original["eval_prompt_tokens"] == lab["eval_prompt_tokens"]
                 and original["eval_scored"] == lab["eval_scored"] == spec["eval_n"])
    return {
        "profile": spec["profile"],
        "models": setup,
        "method": spec["method"],
        "ppo_epochs": lab["ppo_epochs"],
        "settings": {k: spec[k] for k in ("prompts", "prompt_tokens", "response_tokens", "eval_n", "repeat", "seed")},
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "torch_threads": lab["threads"], "gpu": None,
                    "matmul_gflops_fp32": round(rate / 1e9, 1),
                    "matmul_gflops_fp32_original_side": round(original["matmul_flops_per_second"] / 1e9, 1)},
        "identical_work": identical,
        "work": {"response_tokens_per_summary": lab["response_lengths"][0] - 1 if lab["response_lengths"] else 0,
                 "response_lengths_incl_start": lab["response_lengths"],
                 "reward_text_tokens_total": {"original": sum(original["reward_text_tokens"]),
                                              "lab": sum(lab["reward_text_tokens"])},
                 "eval_prompt_tokens": [min(lab["eval_prompt_tokens"]), max(lab["eval_prompt_tokens"])]},
        "step_seconds": {"original": original["step"], "lab": lab["step"]},
        "step_seconds_each_repeat": {"original": original["step_seconds"], "lab": lab["step_seconds"]},
        # CPU seconds of each side's own process (all threads) for the same parts: less sensitive than
        # wall-clock time to other processes on the machine, but it also counts threads that spin waiting
        "step_cpu_seconds": {"original": original["step_cpu"], "lab": lab["step_cpu"]},
        "step_cpu_ratio": _ratio(original["step_cpu"]["total"], lab["step_cpu"]["total"]),
        "step_cpu_ratio_by_part": {k: _ratio(original["step_cpu"][k], lab["step_cpu"][k])
                                   for k in ("generate", "reward", "trl_step")},
        "evaluation_cpu_seconds": {"original": original["evaluation_cpu"], "lab": lab["evaluation_cpu"]},
        "evaluation_cpu_ratio": _ratio(original["evaluation_cpu"]["total"], lab["evaluation_cpu"]["total"]),
        "evaluation_cpu_ratio_by_part": {k: _ratio(original["evaluation_cpu"][k], lab["evaluation_cpu"][k])
                                         for k in ("generate", "toxicity")},
        "step_ratio": _ratio(original["step"]["total"], lab["step"]["total"]),
        "step_ratio_by_part": {k: _ratio(original["step"][k], lab["step"][k]) for k in ("generate", "reward", "trl_step")},
        "evaluation_seconds": {"original": original["evaluation"], "lab": lab["evaluation"]},
        "evaluation_ratio": _ratio(original["evaluation"]["total"], lab["evaluation"]["total"]),
        "evaluation_ratio_by_part": {k: _ratio(original["evaluation"][k], lab["evaluation"][k])
                                     for k in ("generate", "toxicity")},
        "peak_rss_bytes": {"original": original["peak_rss_bytes"], "lab": lab["peak_rss_bytes"]},
        "reference_copy_bytes": {"original": original["reference_copy_bytes"], "lab": lab["reference_copy_bytes"]},
        "policy_bytes": lab["policy_bytes"],
        "lab_step_flops": flops,
        "lab_step_flops_per_second": flops["total"] / lab["step"]["total"],
        "lab_step_fraction_of_matmul_rate": round(fraction, 3),
        "lab_step_fraction_by_part": {
            "generate": round(flops["generation"] / lab["step"]["generate"] / rate, 3),
            "reward": round(flops["reward"] / lab["step"]["reward"] / rate, 3),
            "trl_step": round(flops["trl_step"] / lab["step"]["trl_step"] / rate, 3),
        },
        "flop_formulas": FLOP_FORMULAS,
        "shapes": shapes,
        "goals": {"step_ratio": 3.0, "evaluation_ratio": 3.0, "lab_peak_rss_bytes_full_cpu": 6 * 2 ** 30,
                  "lab_step_fraction_of_matmul_rate": 0.5},
        "goals_met": {"step_ratio": _ratio(original["step"]["total"], lab["step"]["total"]) >= 3.0,
                      "evaluation_ratio": _ratio(original["evaluation"]["total"], lab["evaluation"]["total"]) >= 3.0,
                      "lab_peak_rss": lab["peak_rss_bytes"] < 6 * 2 ** 30,
                      "no_reference_model_copy": lab["reference_copy_bytes"] < 0.1 * lab["policy_bytes"],
                      "fraction_of_matmul_rate": fraction >= 0.5},
        "setup_seconds": {"original": original["setup_seconds"], "lab": lab["setup_seconds"]},
        # other processes' CPU use while a side was timed (cores, averaged): timings taken next to a busy
        # neighbour are slower, and unevenly so between the sides
        "other_processes_cores": {"original": original["other_processes_cores"], "lab": lab["other_processes_cores"]},
        "contended": max(original["other_processes_cores"], lab["other_processes_cores"]) > CONTENDED_CORES,
        "own_cpu_seconds": {"original": original["own_cpu_seconds"], "lab": lab["own_cpu_seconds"]},
        "timed_wall_seconds": {"original": original["timed_wall_seconds"], "lab": lab["timed_wall_seconds"]},
    }


def table(report: dict) -> str:
    s, e = report["step_seconds"], report["evaluation_seconds"]
    gib = 2 ** 30
    rows = [("", "original", "lab", "ratio", "CPU-s ratio")]
    for part in ("generate", "reward", "trl_step", "total"):
        ratio = report["step_ratio"] if part == "total" else report["step_ratio_by_part"][part]
        cpu = report["step_cpu_ratio"] if part == "total" else report["step_cpu_ratio_by_part"][part]
        rows.append((f"PPO step: {part}", f"{s['original'][part]:.2f} s", f"{s['lab'][part]:.2f} s", f"{ratio:.2f}x",
                     f"{cpu:.2f}x"))
    for part in ("generate", "toxicity", "total"):
        ratio = report["evaluation_ratio"] if part == "total" else report["evaluation_ratio_by_part"][part]
        cpu = report["evaluation_cpu_ratio"] if part == "total" else report["evaluation_cpu_ratio_by_part"][part]
        rows.append((f"evaluation of {report['settings']['eval_n']}: {part}", f"{e['original'][part]:.2f} s",
                     f"{e['lab'][part]:.2f} s", f"{ratio:.2f}x", f"{cpu:.2f}x"))
    rss, ref = report["peak_rss_bytes"], report["reference_copy_bytes"]
    rows.append(("peak resident memory", f"{rss['original'] / gib:.2f} GiB", f"{rss['lab'] / gib:.2f} GiB", "", ""))
    rows.append(("reference copy", f"{ref['original'] / gib:.2f} GiB", f"{ref['lab'] / gib:.2f} GiB", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
             for row in rows]
    settings = report["settings"]
    flops = report["lab_step_flops"]
    lines.insert(0, f"detoxlab bench: profile {report['profile']} ({report['models']['weights']}), method "
                    f"{report['method']} ({report['ppo_epochs']} PPO epoch(s)), {settings['prompts']} prompts x "
                    f"{settings['prompt_tokens']} tokens -> {settings['response_tokens']} new tokens, "
                    f"{report['machine']['torch_threads']} threads, median of {settings['repeat']}")
    lines.append(f"lab step: {flops['total'] / 1e12:.2f} TFLOP estimated in {s['lab']['total']:.2f} s = "
                 f"{report['lab_step_flops_per_second'] / 1e9:.1f} GFLOP/s; fp32 matmul "
                 f"{report['machine']['matmul_gflops_fp32']:.1f} GFLOP/s -> "
                 f"{report['lab_step_fraction_of_matmul_rate']:.0%} of the matmul rate "
                 f"(generate {report['lab_step_fraction_by_part']['generate']:.0%}, "
                 f"reward {report['lab_step_fraction_by_part']['reward']:.0%}, "
                 f"trl step {report['lab_step_fraction_by_part']['trl_step']:.0%})")
    lines.append("identical policy work on both sides: " + ("yes" if report["identical_work"] else "NO (see bench.json)"))
    others = report["other_processes_cores"]
    lines.append(f"other processes while timing: {others['original']:.2f} cores (original side), {others['lab']:.2f} "
                 f"cores (lab side)" + (" -- CONTENDED: the times and ratios are not trustworthy; rerun on a quiet "
                                        "machine" if report["contended"] else ""))
    return "\n".join(lines)


def main(out: Path, profile: str = "full", prompts: int | None = None, prompt_tokens: int | None = None,
         response_tokens: int | None = None, eval_n: int | None = None, repeat: int = 1, method: str | None = None,
         seed: int = 0, tokenizers: Path | None = None) -> dict:
    from detoxlab.files import write_json_atomically
    from detoxlab.profiles import load_profile

    if profile not in DEFAULTS:
        raise BenchError(f"unknown bench profile {profile!r}: choose full (the real architectures, random weights) "
                         f"or mini (the stand-ins)")
    defaults = DEFAULTS[profile]
    given = {"prompts": prompts, "prompt_tokens": prompt_tokens, "response_tokens": response_tokens, "eval_n": eval_n}
    spec = {"profile": profile, **{name: defaults[name] if value is None else value for name, value in given.items()},
            "repeat": repeat, "seed": seed}
    lab_profile = load_profile(profile)
    spec["method"] = method or lab_profile.ppo["method"]
    if spec["method"] not in lab_profile.method:
        raise BenchError(f"unknown method {spec['method']!r}: choose one of {', '.join(lab_profile.method)}")
    mini_batch = lab_profile.ppo["mini_batch_size"]
    for name in ("prompts", "prompt_tokens", "response_tokens", "eval_n", "repeat"):
        if spec[name] < 1:
            raise BenchError(f"--{name.replace('_', '-')} must be at least 1")
    if spec["prompts"] % mini_batch:
        raise BenchError(f"--prompts must be a multiple of the profile's PPO mini-batch size ({mini_batch})")
    if spec["response_tokens"] < 4:
        raise BenchError("--response-tokens must be at least 4 (trl needs responses of 4 tokens or more)")
    try:
        out = writable_dir(out)
    except OutputDirError as error:
        raise BenchError(str(error)) from None

    with tempfile.TemporaryDirectory(prefix="detoxlab-bench-") as scratch:
        scratch = Path(scratch)
        overrides = {"ppo.batch_size": spec["prompts"]}
        if profile == "full":
            print("building flan-t5-base and the RoBERTa hate-speech classifier at real shape, random weights ...",
                  flush=True)
            setup = prepare_full_models(scratch, tokenizers, lab_profile, seed)
            overrides |= setup.pop("overrides")
        else:
            setup = {"tokenizers": {"policy": "stand-in", "reward": "stand-in"},
                     "weights": "the committed stand-in models"}
        spec["overrides"] = overrides
        spec_path = scratch / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        results = {}
        for side in SIDES:
            print(f"timing the {side} side ...", flush=True)
            results[side] = _run_child(side, spec_path, scratch / f"{side}.json", out / f"bench-{side}.log",
                                       side_timeout(spec["repeat"]))
        report = summarise(spec, results, setup)
    write_json_atomically(out / "bench.json", report)
    print(table(report))
    print(f"wrote {out / 'bench.json'}")
    return report


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m detoxlab.bench", description="one side of detoxlab bench")
    parser.add_argument("--side", choices=SIDES, required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    result = run_side(args.side, spec)
    Path(args.result).write_text(json.dumps(result, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
