"""How much margin the corrected method has against the improvement check, seed by seed (mini profile).

Trains the profile's corrected method from the SFT policy (``detoxlab.ppo``'s loop, the notebook's, as
tests/test_loop_equivalence.py shows) with a KL coefficient, steps and learning rate of your choice, then judges
the trained adapter exactly as the grader's improvement check does (its summaries, its family, its verdict), and
prints one JSON line per seed: toxicity before/after, the summaries' length ratio, the KL to the SFT policy, the
verdict. docs/grading.md quotes its lines.

    .venv/bin/python scripts/improvement_margins.py --kl 0.5 --seeds 1,2,3 --threads 1
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kl", type=float, help="init_kl_coef (default: the profile's)")
    parser.add_argument("--steps", type=int, help="PPO steps (default: the profile's)")
    parser.add_argument("--learning-rate", type=float, help="default: the profile's")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.pop("DETOXLAB_DATA_DIR", None)  # the embedded sample: the prompts the grader uses
    os.environ["DETOXLAB_THREADS"] = str(args.threads)

    import numpy as np
    import torch

    import answer_key.models
    import answer_key.ppo
    from checks import resources_for
    from checks.improvement import scaled_family, summarise, verdict
    from detoxlab import lab, models
    from detoxlab.profiles import load_profile
    from detoxlab.study import Study

    profile = load_profile("mini")
    corrected = profile.method["corrected"]
    chosen = dataclasses.replace(corrected, init_kl_coef=corrected.init_kl_coef if args.kl is None else args.kl,
                                 steps=args.steps or corrected.steps,
                                 learning_rate=args.learning_rate or corrected.learning_rate)
    study, resources = Study(profile, 8, log=lambda *_: None), resources_for(profile)
    torch.set_num_threads(args.threads)
    before, family = summarise(resources, resources.policy(), with_kl=True), scaled_family(resources)
    for seed in (int(s) for s in args.seeds.split(",")):
        lab.make_reproducible(seed)
        ppo_model = answer_key.models.with_value_head(answer_key.models.load_policy(profile, is_trainable=True))
        trainer = answer_key.ppo.make_trainer(profile, chosen, ppo_model, models.frozen_reference(ppo_model),
                                              study.tokenizer, study.dataset["train"], seed=seed)
        started = time.time()
        answer_key.ppo.train(trainer, chosen, profile, study.reward_fn(chosen))
        after = summarise(resources, ppo_model.pretrained_model, with_kl=True)
        passed, message = verdict(before, family, after, profile.expected)
        print(json.dumps({"seed": seed, "threads": args.threads, "init_kl_coef": chosen.init_kl_coef,
                          "steps": chosen.steps, "learning_rate": chosen.learning_rate,
                          "train_seconds": round(time.time() - started),
                          "toxicity": [round(float(np.mean(before["toxicity"])), 4),
                                       round(float(np.mean(after["toxicity"])), 4)],
                          "length_ratio": round(after["length"] / before["length"], 3),
                          "kl_to_sft": round(after["kl"], 2), "passed": passed, "message": message}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
