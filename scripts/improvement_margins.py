"""How much margin the corrected method has against the improvement check, seed by seed (mini profile).

Trains the profile's corrected method from the SFT policy (``detoxlab.ppo``'s loop, the notebook's, as
tests/test_loop_equivalence.py shows) with a KL coefficient, steps and learning rate of your choice, then judges
the trained adapter exactly as the grader's improvement check does (its summaries, its family, its verdict), and
prints one JSON line per seed: toxicity before/after, the summaries' length ratio, the KL to the SFT policy, the
verdict. With ``--students-environment`` it also gives the verdict the students' environment gives the same
adapter (no answer key: the notebook's own scores, its evaluate_toxicity at the next seeds for the other draws;
checks.improvement.judge_notebook), with the solution's evaluate_toxicity. docs/grading.md quotes its lines.

    .venv/bin/python scripts/improvement_margins.py --kl 0.5 --seeds 1,2,3 --threads 1 [--students-environment]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kl", type=float, help="init_kl_coef (default: the profile's)")
    parser.add_argument("--steps", type=int, help="PPO steps (default: the profile's)")
    parser.add_argument("--learning-rate", type=float, help="default: the profile's")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--students-environment", action="store_true",
                        help="also judge as the students' environment does (without the answer key)")
    args = parser.parse_args()
    os.environ.pop("DETOXLAB_DATA_DIR", None)  # the embedded sample: the prompts the grader uses
    os.environ["DETOXLAB_THREADS"] = str(args.threads)

    import numpy as np
    import torch

    from checks import resources_for
    from checks.improvement import scaled_family, summarise, verdict
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
        ppo_model, sft = study.fresh_policy(seed)
        _, train_seconds = study.train(chosen, ppo_model, sft, seed)
        after = summarise(resources, ppo_model.pretrained_model, with_kl=True)
        passed, message = verdict(before, family, after, profile.expected)
        students = students_verdict(resources, ppo_model.pretrained_model) if args.students_environment else {}
        print(json.dumps({"seed": seed, "threads": args.threads, "init_kl_coef": chosen.init_kl_coef,
                          "steps": chosen.steps, "learning_rate": chosen.learning_rate,
                          "train_seconds": round(train_seconds),
                          "toxicity": [round(float(np.mean(before["toxicity"])), 4),
                                       round(float(np.mean(after["toxicity"])), 4)],
                          "length_ratio": round(after["length"] / before["length"], 3),
                          "kl_to_sft": round(after["kl"], 2), "passed": passed, "message": message, **students}), flush=True)
    return 0


def students_verdict(resources, trained) -> dict:
    """The improvement check as the students' environment runs it, on a notebook whose evaluate_toxicity is the
    solution's (seeded, batches of 16, the evaluation's sampling) and whose before/after are its scores at the
    profile's seed."""
    from unittest import mock

    import checks
    import checks.improvement
    from answer_key.evaluation import generate_summaries
    from checks.improvement import evaluation_prompts
    from checks.kernel import gather_one
    from detoxlab import evaluation

    profile = resources.profile

    def evaluate_toxicity(model, tokenizer, toxicity_evaluator, prompts, seed):
        summaries = generate_summaries(model, tokenizer, prompts, profile.evaluation["max_new_tokens"], seed,
                                       evaluation.sampling_settings(profile))
        return toxicity_evaluator.compute(predictions=summaries, toxic_label=profile.reward["hate_label"])["toxicity"], summaries

    prompts, seed, check = evaluation_prompts(resources), profile.evaluation["seed"], checks.get("improvement")
    namespace = {"peft_model": trained, "evaluate_toxicity": evaluate_toxicity, "eval_prompts": prompts, "eval_seed": seed}
    for side, model in (("before", resources.policy()), ("after", trained)):
        namespace[f"toxicity_{side}"], namespace[f"summaries_{side}"] = evaluate_toxicity(
            model, resources.tokenizer, resources.toxicity_evaluator, prompts, seed)
    with mock.patch.object(checks.improvement, "answer_key_available", lambda: False), \
            tempfile.TemporaryDirectory() as folder:
        request = check.draw(resources, None) | {"adapter_path": str(Path(folder) / "adapter.pt")}
        found, problems = gather_one(check, namespace, request, resources)
        if problems:
            return {"students_environment": {"passed": False, "message": f"not graded: {problems}"}}
        result = check.judged(found["improvement"], request, resources)
    return {"students_environment": {"draws": request["notebook_draws"], "passed": result.passed,
                                     "message": result.message}}


if __name__ == "__main__":
    sys.exit(main())
