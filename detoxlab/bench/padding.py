"""trl's PPO step with and without ``ppo.pad_each_mini_batch``, side by side on DialogSum's lengths:
``python -m detoxlab.bench.padding --out DIR`` (needs ``DETOXLAB_DATA_DIR``).

`detoxlab bench` gives every prompt and summary the same length, so padding costs nothing there. Here the
batch is the lab's: 16 of the full profile's training prompts at their real lengths, each with a summary as
long as DialogSum's reference summary of that dialogue (random tokens). flan-t5-base has its real shape and
random weights (``inputs.prepare_full_models``), in the full profile's dtype. One trainer takes the same step
in turn with trl's own forward passes and with each mini-batch padded to its own lengths, ``--repeat`` times.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from detoxlab.errors import DetoxlabError
import answer_key.models
import answer_key.ppo


def _lab_batch(profile, tokenizer, data_dir: Path, size: int, seed: int):
    """``size`` of the lab's training rows, drawn at random: their prompts (tokens) and random summaries as long
    as their reference summaries (T5's start token, the summary's tokens, ``</s>``)."""
    import random

    import torch

    from detoxlab.bench.inputs import lab_training_rows

    rows = lab_training_rows(profile, data_dir)
    generator = torch.Generator().manual_seed(seed)
    queries, responses, drawn = [], [], random.Random(seed).sample(rows, size)
    for row in drawn:
        queries.append(torch.tensor(tokenizer.encode(profile.data["prompt_template"].format(dialogue=row["dialogue"]))))
        length = len(tokenizer(row["summary"]).input_ids) - 1  # without </s>
        body = torch.randint(3, len(tokenizer) - 1, (length,), generator=generator)
        responses.append(torch.cat([torch.tensor([tokenizer.pad_token_id]), body,
                                    torch.tensor([tokenizer.eos_token_id])]))
    return queries, responses, drawn


def main(out: Path, repeat: int = 2, seed: int = 0, log=print) -> dict:
    import torch

    from detoxlab import lab, models, ppo
    from detoxlab.bench.inputs import dialogsum_dir, prepare_full_models
    from detoxlab.files import write_json_atomically
    from detoxlab.outputs import writable_dir
    from detoxlab.profiles import load_profile

    data_dir = dialogsum_dir()
    out = writable_dir(out)
    full = load_profile("full")
    with tempfile.TemporaryDirectory(prefix="detoxlab-padding-") as scratch:
        log("building flan-t5-base at its real shape, random weights ...")
        setup = prepare_full_models(Path(scratch), None, full, seed)
        profile = load_profile("full", {**setup["overrides"], "ppo.pad_each_mini_batch": False})
        lab.make_reproducible(seed)
        tokenizer = models.load_tokenizer(profile)
        ppo_model = answer_key.models.with_value_head(answer_key.models.load_policy(profile, is_trainable=True))
        chosen = ppo.method(profile, profile.ppo["method"])
        trainer = answer_key.ppo.make_trainer(profile, chosen, ppo_model, models.frozen_reference(ppo_model), tokenizer, None)
        queries, responses, _ = _lab_batch(profile, tokenizer, data_dir, profile.ppo["batch_size"], seed)
        rewards = [torch.tensor(0.0)] * len(queries)
        ways = {"trl": trainer.batched_forward_pass}
        ways["pad_each_mini_batch"] = ppo.pad_each_mini_batch(trainer).batched_forward_pass
        seconds = {name: [] for name in ways}
        for round_ in range(repeat + 1):  # round 0 warms up, untimed
            for name, forward in ways.items():
                trainer.batched_forward_pass = forward
                started = time.perf_counter()
                trainer.step(queries, responses, rewards)
                if round_:
                    seconds[name].append(round(time.perf_counter() - started, 2))
                    log(f"  {name}: {seconds[name][-1]:.1f} s")
    median = {name: statistics.median(times) for name, times in seconds.items()}
    report = {
        "command": f"python -m detoxlab.bench.padding --out DIR --repeat {repeat}",  # its settings, not where it wrote
        "dtype": profile.policy["dtype"], "method": chosen.name, "ppo_epochs": chosen.ppo_epochs,
        "batch": len(queries), "mini_batch": profile.ppo["mini_batch_size"], "torch_threads": torch.get_num_threads(),
        "prompt_tokens": [len(query) for query in queries],
        "summary_tokens": [len(response) for response in responses],
        "step_seconds": seconds,
        "median_step_seconds": median,
        "ratio": round(median["trl"] / median["pad_each_mini_batch"], 2),
    }
    write_json_atomically(out / "padding.json", report)
    log(f"trl's step on the lab's lengths: {median['trl']:.1f} s padded as trl pads, "
        f"{median['pad_each_mini_batch']:.1f} s with each mini-batch padded to its own lengths: {report['ratio']}x; "
        f"wrote {out / 'padding.json'}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m detoxlab.bench.padding", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench", help="output directory (default: bench)")
    parser.add_argument("--repeat", type=int, default=2, help="timed steps each way (default: 2)")
    args = parser.parse_args()
    try:
        main(Path(args.out), args.repeat)
    except DetoxlabError as error:  # BenchError, OutputDirError: one line
        sys.exit(f"padding: {error}")
