"""PPO training without the notebook, in one process or several: ``detoxlab train`` or ``accelerate launch``.

One process::

    detoxlab train --profile mini --steps 30 --out out/train

Several processes (data parallel: each process generates, scores and learns from its own prompts; the
gradients are averaged across processes at every optimiser step, so every process holds the same
weights). trl 0.4 builds its ``Accelerator`` itself, so the launcher only sets the environment::

    # two CPU processes (gloo): accelerate 0.20's --multi_gpu is its torch.distributed.run launcher;
    # ACCELERATE_USE_CPU=1 makes each process a CPU process
    ACCELERATE_USE_CPU=1 accelerate launch --multi_gpu --num_processes 2 -m detoxlab.train --profile mini --steps 2 --out out/ddp
    # one process per GPU (nccl)
    accelerate launch --multi_gpu --num_processes 8 -m detoxlab.train --profile full --steps 100 --out out/full

Every process writes ``rank<N>.json`` (the prompts it saw, per-step statistics, and a sha256 of the
trainable weights before and after); process 0 also writes ``train.json``. See docs/scaling.md.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import os
import sys
import time
from pathlib import Path

from detoxlab.errors import DetoxlabError
import answer_key.data
import answer_key.models
import answer_key.ppo
import answer_key.reward


class TrainError(DetoxlabError, RuntimeError):
    """A bad training setting."""


def trainable_digest(model) -> str:
    """sha256 over the trainable parameters (name, then bytes), in name order: equal digests mean
    bit-identical trainable weights."""
    digest = hashlib.sha256()
    named = sorted((name.replace("module.", "", 1), p) for name, p in model.named_parameters() if p.requires_grad)
    for name, parameter in named:
        digest.update(name.encode())
        digest.update(parameter.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


@contextlib.contextmanager
def frozen_models_unwrapped():
    """accelerate 0.20 wraps every prepared model in DistributedDataParallel on multi-CPU runs, and DDP
    refuses a model with nothing to train (a frozen reference copy); on GPUs accelerate leaves such
    models unwrapped. Do the same on CPUs while trl's trainer is built."""
    from accelerate import Accelerator
    from accelerate.utils import DistributedType

    original = Accelerator.prepare_model

    def prepare_model(self, model, device_placement=None, evaluation_mode=False):
        if self.distributed_type == DistributedType.MULTI_CPU and not any(p.requires_grad for p in model.parameters()):
            return model.to(self.device)
        return original(self, model, device_placement=device_placement, evaluation_mode=evaluation_mode)

    Accelerator.prepare_model = prepare_model
    try:
        yield
    finally:
        Accelerator.prepare_model = original


class _TokenizerOnDevice:
    """The reward tokenizer, returning its tensors on the reward model's device (GPU runs)."""

    def __init__(self, tokenizer, device):
        self.tokenizer, self.device = tokenizer, device

    def __call__(self, *args, **kwargs):
        return self.tokenizer(*args, **kwargs).to(self.device)


def main(profile_name: str, out: Path, steps: int | None = None, method_name: str | None = None, seed: int = 0,
         quiet: bool = False) -> dict:
    from tqdm.auto import tqdm

    from detoxlab import data, lab, models, ppo, reward
    from detoxlab.files import write_json_atomically
    from detoxlab.outputs import writable_dir
    from detoxlab.profiles import load_profile, steps_override

    if steps is not None and steps < 1:
        raise TrainError("--steps must be at least 1")
    profile = load_profile(profile_name, overrides=steps_override(steps))
    chosen = ppo.method(profile, method_name or profile.ppo["method"])
    out = writable_dir(out)  # OutputDirError: reported by the CLI in one line

    lab.make_reproducible(seed)
    started = time.time()
    tokenizer = models.load_tokenizer(profile)
    dataset = answer_key.data.build_dataset(tokenizer, profile.data)["train"]
    ppo_model = answer_key.models.with_value_head(answer_key.models.load_policy(profile, is_trainable=True))
    ref_model = models.frozen_reference(ppo_model) if chosen.reference == "sft" else None
    with frozen_models_unwrapped():
        trainer = answer_key.ppo.make_trainer(profile, chosen, ppo_model, ref_model, tokenizer, dataset, seed=seed)
    accelerator = trainer.accelerator
    # trl 0.4 treats only multi-GPU runs as distributed (padding across processes, averaged statistics,
    # one KL controller); a multi-CPU run is one too
    trainer.is_distributed = accelerator.num_processes > 1

    reward_tokenizer, reward_model = reward.load_reward_model(profile)
    reward_model.to(trainer.current_device)
    if trainer.current_device.type != "cpu":
        reward_tokenizer = _TokenizerOnDevice(reward_tokenizer, trainer.current_device)
    label = profile.reward["not_hate_label"]

    seen: list[list[str]] = []
    original_step = trainer.step

    def step(queries, responses, scores):  # record which prompts this process trained on
        seen.append([hashlib.sha256(q.cpu().numpy().tobytes()).hexdigest()[:16] for q in queries])
        return original_step(queries, responses, scores)

    trainer.step = step
    unwrapped = accelerator.unwrap_model(trainer.model)
    before = trainable_digest(unwrapped)
    history = answer_key.ppo.train(trainer, chosen, profile,
                        lambda texts: list(answer_key.reward.picked_rewards(list(texts), reward_tokenizer, reward_model,
                                                                            chosen.reward_pick, label)),
                        progress=tqdm(disable=True) if quiet or not accelerator.is_main_process else None)
    after = trainable_digest(unwrapped)
    record = {
        "rank": accelerator.process_index, "world_size": accelerator.num_processes,
        "distributed_type": str(accelerator.distributed_type), "device": str(trainer.current_device),
        "backend": getattr(accelerator.state, "backend", None),
        "profile": profile.name, "method": vars(chosen), "seed": seed,
        "prompts_per_step": [len(batch) for batch in seen], "prompt_digests": seen,
        "trainable_sha256_before": before, "trainable_sha256_after": after,
        "steps": history, "seconds": round(time.time() - started, 1),
    }
    write_json_atomically(out / f"rank{accelerator.process_index}.json", record)
    if accelerator.is_main_process:
        write_json_atomically(out / "train.json", {key: record[key] for key in
                                                   ("world_size", "distributed_type", "profile", "method", "seed",
                                                    "steps", "seconds")})
        print(f"{chosen.steps} PPO steps on {accelerator.num_processes} process(es) "
              f"({accelerator.distributed_type}); wrote {out}")
    accelerator.wait_for_everyone()
    return record


def build_parser() -> argparse.ArgumentParser:
    from detoxlab import profiles

    parser = argparse.ArgumentParser(prog="python -m detoxlab.train", description=__doc__.splitlines()[0])
    add_arguments(parser, profiles.DEFAULT_PROFILE)
    return parser


def add_arguments(parser: argparse.ArgumentParser, default_profile: str) -> None:
    defaults = {name: parameter.default for name, parameter in inspect.signature(main).parameters.items()}
    parser.add_argument("--profile", default=default_profile, help=f"profile name or .toml path (default: {default_profile})")
    parser.add_argument("--out", default="out/train", help="output directory (default: out/train)")
    parser.add_argument("--steps", type=int, default=defaults["steps"], help="PPO steps (default: the method's)")
    parser.add_argument("--method", default=defaults["method_name"], help="faithful or corrected (default: the profile's)")
    parser.add_argument("--seed", type=int, default=defaults["seed"], help=f"(default: {defaults['seed']})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    arguments = build_parser().parse_args()
    main(arguments.profile, Path(arguments.out), arguments.steps, arguments.method, arguments.seed, arguments.quiet)
    sys.exit(0)
