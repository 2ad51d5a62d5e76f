"""`detoxlab bench`: the original lab's loop against the lab's, in bfloat16 and float32, timed in one run on
one machine.

Three sides do identical work: the same prompts (all of the same token length), the same number of
generated tokens per summary (``min_new_tokens = max_new_tokens``, the pad token suppressed), the same
texts for the reward model, the same PPO method and trl settings. What differs is the implementation and
the policy's dtype (SIDES):

* original: the course's code in bfloat16, as the course loads flan-t5-base (``sides.Original``);
* lab: the package's functions in bfloat16 (``sides.Lab``);
* lab-float32: the same in float32.

Each side runs in its own child process, so its peak resident memory (``ru_maxrss``) is its own. On the
``full`` profile the models are flan-t5-base and the RoBERTa hate-speech classifier at their real shapes
with random weights (nothing is downloaded); on ``mini`` they are the committed stand-ins. Each side also
measures the machine's matmul rate in both dtypes, and the report gives each side's estimated step FLOPs
as a fraction of the rate in its own dtype (``flops``; the formulas are written into ``bench.json``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from detoxlab.bench.errors import BenchError
from detoxlab.outputs import OutputDirError, writable_dir

# side -> (implementation, the policy's dtype)
SIDES = {"original": ("original", "bfloat16"), "lab": ("lab", "bfloat16"), "lab-float32": ("lab", "float32")}
SIDE_TIMEOUT_ENV = "DETOXLAB_BENCH_TIMEOUT"
SIDE_SECONDS = 3600  # one side's child process, per timed repetition (a full-size side takes minutes on 2 CPU cores)

# per bench profile: where the models come from ("random-real-shapes": the full profile's architectures with
# random weights; "profile": the profile's own models) and the default sizes, chosen so that the full
# architecture finishes in minutes on two CPU cores (the course samples 100..399 new tokens)
DEFAULTS = {
    "full": {"models": "random-real-shapes", "prompt_tokens": 128, "response_tokens": 64, "eval_n": 16, "prompts": 16},
    "mini": {"models": "profile", "prompt_tokens": 96, "response_tokens": 32, "eval_n": 16, "prompts": 16},
}
SIZES = ("prompts", "prompt_tokens", "response_tokens", "eval_n")


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


def _check(spec: dict, profile) -> None:
    """Every setting, before any work."""
    if spec["method"] not in profile.method:
        raise BenchError(f"unknown method {spec['method']!r}: choose one of {', '.join(profile.method)}")
    for name in (*SIZES, "repeat"):
        if spec[name] < 1:
            raise BenchError(f"--{name.replace('_', '-')} must be at least 1")
    mini_batch = profile.ppo["mini_batch_size"]
    if spec["prompts"] % mini_batch:
        raise BenchError(f"--prompts must be a multiple of the profile's PPO mini-batch size ({mini_batch})")
    if spec["response_tokens"] < 4:
        raise BenchError("--response-tokens must be at least 4 (trl needs responses of 4 tokens or more)")


def main(out: Path, profile: str = "full", prompts: int | None = None, prompt_tokens: int | None = None,
         response_tokens: int | None = None, eval_n: int | None = None, repeat: int = 1, method: str | None = None,
         seed: int = 0, tokenizers: Path | None = None) -> dict:
    from detoxlab.bench.report import summarise, table
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
    _check(spec, lab_profile)
    try:
        out = writable_dir(out)
    except OutputDirError as error:
        raise BenchError(str(error)) from None

    with tempfile.TemporaryDirectory(prefix="detoxlab-bench-") as scratch:
        scratch = Path(scratch)
        overrides = {"ppo.batch_size": spec["prompts"]}
        if defaults["models"] == "random-real-shapes":
            from detoxlab.bench.inputs import prepare_full_models

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
        for side, (implementation, dtype) in SIDES.items():
            print(f"timing the {side} side ({implementation}'s code, {dtype}) ...", flush=True)
            results[side] = _run_child(side, spec_path, scratch / f"{side}.json", out / f"bench-{side}.log",
                                       side_timeout(spec["repeat"]))
        report = summarise(spec, results, setup, load_profile(profile, overrides))
    write_json_atomically(out / "bench.json", report)
    print(table(report))
    print(f"wrote {out / 'bench.json'}")
    return report
