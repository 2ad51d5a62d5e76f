"""Helpers the lab notebook calls where the lab is not itself the lesson: reproducibility, outputs, plots."""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

from detoxlab.files import write_json_atomically

THREADS_ENV = "DETOXLAB_THREADS"


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_reproducible(seed: int) -> None:
    """Same seed, same machine -> same numbers: seed every generator, fix the thread count, and ask
    torch for deterministic kernels where it has them."""
    import torch

    seed_everything(seed)
    torch.set_num_threads(int(os.environ.get(THREADS_ENV, "2")))
    torch.use_deterministic_algorithms(True, warn_only=True)


def plot_training(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(steps, [h["reward_mean"] for h in history], marker=".")
    left.set(title="mean reward per PPO step", xlabel="step", ylabel="nothate logit")
    right.plot(steps, [h["kl"] for h in history], marker=".", color="tab:orange")
    right.set(title="KL to the reference per PPO step", xlabel="step", ylabel="nats")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def plot_toxicity(before: list[float], after: list[float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.5))
    bins = np.linspace(0, 1, 21)
    axis.hist(before, bins=bins, alpha=0.6, label=f"before (mean {np.mean(before):.3f})")
    axis.hist(after, bins=bins, alpha=0.6, label=f"after (mean {np.mean(after):.3f})")
    axis.set(title="toxicity (hate probability) of the same prompts' summaries", xlabel="toxicity", ylabel="summaries")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_outputs(output_dir, results, metrics: dict) -> None:
    """results.json (every check, in the grader's Gradescope layout), metrics.json, and the two plots, into
    ``output_dir``."""
    from checks.gradescope import Outcome, build

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    plot_training(metrics["steps"], out / "training.png")
    plot_toxicity(metrics["toxicity_before_per_prompt"], metrics["toxicity_after_per_prompt"], out / "toxicity.png")
    write_json_atomically(out / "metrics.json", metrics)
    seconds = metrics.get("timings", {}).get("notebook_seconds", 0.0)
    write_json_atomically(out / "results.json", build(results, Outcome(seconds=seconds)))
