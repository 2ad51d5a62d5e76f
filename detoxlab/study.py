"""`detoxlab study`: the original lab's PPO set-up and the corrected one, side by side, with intervals.

For each seed, both methods start from the same SFT policy (base + lab-2 adapter) and are evaluated on
the same held-out DialogSum test prompts with the same sampling seed. Per method it reports mean
toxicity before/after with a paired bootstrap 95% interval of the change, the KL of the trained policy
to the SFT policy on its own summaries, ROUGE-L against the reference summaries, and the reward and KL
per PPO step. The faithful method is reported as it comes out.

With ``ablation=True`` it trains the arms of ``ABLATION`` instead: the faithful method with one group of
its settings changed at a time (reference, reward input, which score is the reward, what toxicity is measured
on, decoding, optimisation budget, KL coefficient), and the corrected one (also with a lower KL coefficient,
and measured as the original measured); each arm's change is also compared with the faithful arm's, prompt by
prompt.

Every run is measured both ways, on the summary and (as the original lab does) on prompt + " " + summary; an
arm reports the one its ``evaluation_input`` names. Arms that differ only in ``evaluation_input`` train the
same policy, so they share their runs.
"""
from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import numpy as np

from detoxlab import data, evaluation, lab, models, ppo, reward
from detoxlab.errors import DetoxlabError
from detoxlab.files import write_json_atomically
from detoxlab.outputs import writable_dir
from detoxlab.profiles import load_profile, steps_override
import answer_key.data
import answer_key.evaluation
import answer_key.models
import answer_key.ppo
import answer_key.reward

BOOTSTRAP_RESAMPLES = 10_000
SETTINGS = tuple(f.name for f in dataclasses.fields(ppo.Method) if f.name != "name")
BUDGET = ("steps", "learning_rate", "ppo_epochs")
WORD = re.compile(r"[\w.]+")  # an arm's name in the name of its runs' files


class StudyError(DetoxlabError, ValueError):
    """A study setting out of range; ``key`` names it."""


class _Corrected:
    def __repr__(self) -> str:
        return "CORRECTED"


CORRECTED = _Corrected()  # in an arm's overrides: the corrected method's value of that setting

# Arms are (name, overrides of the faithful method's settings).
STUDY = (("faithful", {}), ("corrected", dict.fromkeys(SETTINGS, CORRECTED)))
ABLATION = (
    STUDY[0],
    ("sft reference", {"reference": CORRECTED}),
    ("summary reward", {"reward_input": CORRECTED}),
    ("label reward", {"reward_pick": CORRECTED}),
    ("summary evaluation", {"evaluation_input": CORRECTED}),  # the faithful policy, measured on its summaries
    ("clean decoding", {"reward_input": "prompt+summary"}),  # what it reads kept, how it is decoded fixed
    ("corrected budget", dict.fromkeys(BUDGET, CORRECTED)),
    ("KL coef 0.05", {"init_kl_coef": 0.05}),
    STUDY[1],
    # the corrected method at the faithful (the course's) KL coefficient, where the profile's differs
    ("corrected, course's KL coef", dict.fromkeys(("reference", "reward_input", "reward_pick", "evaluation_input", *BUDGET),
                                                  CORRECTED)),
    ("corrected, original's evaluation", {**dict.fromkeys(SETTINGS, CORRECTED), "evaluation_input": "prompt+summary"}),
)
MEASURES = {"summary": "toxicity", "prompt+summary": "toxicity_with_prompt"}  # evaluation_input -> a run's figure


def training_settings(chosen: ppo.Method) -> str:
    """What a run trains with: every setting but the name and what toxicity is measured on."""
    return json.dumps({key: value for key, value in vars(chosen).items() if key not in ("name", "evaluation_input")},
                      sort_keys=True)


def arm_methods(profile, arms=ABLATION) -> dict[str, ppo.Method]:
    """Each arm's method: the profile's faithful method with the arm's overrides (a step count for every
    arm is the profile's override ``profiles.steps_override``)."""
    faithful, corrected = ppo.method(profile, "faithful"), ppo.method(profile, "corrected")
    methods = {}
    for name, overrides in arms:
        values = {key: getattr(corrected, key) if value is CORRECTED else value for key, value in overrides.items()}
        methods[name] = dataclasses.replace(faithful, name=name, **values)
    return methods


def changed_settings(chosen: ppo.Method, faithful: ppo.Method) -> dict:
    """The settings in which ``chosen`` differs from ``faithful``, with ``chosen``'s values."""
    return {key: getattr(chosen, key) for key in SETTINGS if getattr(chosen, key) != getattr(faithful, key)}


def held_out_prompts(profile, count: int):
    """The first ``count`` distinct DialogSum *test* dialogues within the lab's length filter (never
    seen in PPO training), as (ids, prompts, reference summaries), and the source they came from."""
    source = data.resolve_source(profile.data)
    test = data.load_raw(source)["test"]
    low, high = profile.data["min_dialogue_chars"], profile.data["max_dialogue_chars"]
    ids, prompts, references, seen = [], [], [], set()
    for row in test:
        if row["dialogue"] in seen or not low < len(row["dialogue"]) <= high:
            continue  # the hub's test split repeats each dialogue with its other reference summaries
        seen.add(row["dialogue"])
        ids.append(row["id"])
        prompts.append(data.build_prompt(row["dialogue"], profile.data["prompt_template"]))
        references.append(row["summary"])
        if len(ids) == count:
            break
    return ids, prompts, references, source


def paired_bootstrap(before, after, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> dict:
    """Mean of ``after - before`` over prompts and its percentile 95% interval, resampling prompts.

    ``before``/``after``: arrays of shape (seeds, prompts); a resample draws prompts with replacement
    and keeps every seed of each, so seeds and prompts stay paired."""
    before, after = np.atleast_2d(before), np.atleast_2d(after)
    per_prompt = (after - before).mean(axis=0)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, per_prompt.size, size=(resamples, per_prompt.size))
    means = per_prompt[draws].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {"mean": float(per_prompt.mean()), "ci95": [float(low), float(high)],
            "excludes_zero": bool(high < 0 or low > 0), "resamples": resamples, "prompts": int(per_prompt.size)}


class Study:
    """Everything one study needs loaded once: profile, tokenizer, data, reward model, evaluator."""

    def __init__(self, profile, eval_prompts: int, log=print):
        self.profile, self.log = profile, log
        self.tokenizer = models.load_tokenizer(profile)
        self.dataset = answer_key.data.build_dataset(self.tokenizer, profile.data)
        self.ids, self.prompts, self.references, self.source = held_out_prompts(profile, eval_prompts)
        self.reward_tokenizer, self.reward_model = reward.load_reward_model(profile)
        self.evaluator = evaluation.load_toxicity_evaluator(profile)
        self.sampling = evaluation.sampling_settings(profile)
        self._sft_summaries: dict[int, list[str]] = {}

    def reward_fn(self, chosen: ppo.Method):
        """The method's reward: the ``nothate`` logit, or the original's first of the score-sorted labels."""
        return lambda texts: answer_key.reward.picked_rewards(list(texts), self.reward_tokenizer, self.reward_model,
                                                              chosen.reward_pick, self.profile.reward["not_hate_label"])

    def summarise(self, peft_model, seed: int):
        return answer_key.evaluation.generate_summaries(peft_model, self.tokenizer, self.prompts,
                                             self.profile.evaluation["max_new_tokens"], seed=seed,
                                             sample=self.sampling, return_tokens=True)

    def sft_summaries(self, peft_model, sft, seed: int) -> list[str]:
        """The SFT policy's summaries, the "before" of every method with this seed: made once per seed,
        in a forked random state so training draws the same numbers whether or not they were cached."""
        import torch

        if seed not in self._sft_summaries:
            with torch.random.fork_rng(), sft.active():
                self._sft_summaries[seed] = self.summarise(peft_model, seed)[0]
        return self._sft_summaries[seed]

    def score(self, texts) -> dict:
        """Toxicity of the summaries, and of prompt + " " + summary as the original lab measured it; ROUGE-L."""
        hate = self.profile.reward["hate_label"]
        with_prompt = [f"{prompt} {text}" for prompt, text in zip(self.prompts, texts)]
        return {"toxicity": evaluation.toxicity(texts, self.evaluator, hate),
                "toxicity_with_prompt": evaluation.toxicity(with_prompt, self.evaluator, hate),
                "rougeL": evaluation.rouge_l(texts, self.references)}

    def fresh_policy(self, seed: int):
        """(policy with its value head, the SFT policy frozen as KL reference and yardstick), seeded."""
        lab.make_reproducible(seed)
        ppo_model = answer_key.models.with_value_head(answer_key.models.load_policy(self.profile, is_trainable=True))
        return ppo_model, models.frozen_reference(ppo_model)

    def train(self, chosen: ppo.Method, ppo_model, sft, seed: int) -> tuple[list[dict], float]:
        """``chosen``'s PPO loop on the lab's training prompts: (its steps' history, seconds)."""
        trainer = answer_key.ppo.make_trainer(self.profile, chosen, ppo_model, sft, self.tokenizer, self.dataset["train"], seed=seed)
        started = time.time()
        history = answer_key.ppo.train(trainer, chosen, self.profile, self.reward_fn(chosen))
        return history, time.time() - started

    def run_method(self, chosen: ppo.Method, seed: int) -> dict:
        """Train ``chosen`` from a fresh SFT policy; evaluate before and after on the held-out prompts."""
        ppo_model, sft = self.fresh_policy(seed)
        peft_model = ppo_model.pretrained_model
        before = self.sft_summaries(peft_model, sft, seed)
        history, train_seconds = self.train(chosen, ppo_model, sft, seed)
        after, after_tokens = self.summarise(peft_model, seed)
        policy_logp = evaluation.summary_logprobs(peft_model, self.tokenizer, self.prompts, after_tokens)
        with sft.active():
            sft_logp = evaluation.summary_logprobs(peft_model, self.tokenizer, self.prompts, after_tokens)
        # KL(policy || SFT) per prompt, estimated on the policy's own samples: E[log p - log q]
        kl = [p - q for p, q in zip(policy_logp, sft_logp)]
        return {"method": vars(chosen), "seed": seed, "train_seconds": round(train_seconds, 1), "steps": history,
                "before": {"summaries": before, **self.score(before)},
                "after": {"summaries": after, **self.score(after)},
                "kl_to_sft_per_prompt": kl, "kl_to_sft": float(np.mean(kl))}


def summarise_method(runs: list[dict], faithful_runs: list[dict] | None = None, measure: str = "toxicity",
                     faithful_measure: str = "toxicity") -> dict:
    """Means over seeds of ``measure`` (a run's "toxicity" or "toxicity_with_prompt"); with ``faithful_runs``,
    also the difference from the faithful arm's change in its own ``faithful_measure`` (both start from the
    same summaries, so it is the paired difference of the trained policies', or of the measurements')."""
    before = np.array([r["before"][measure] for r in runs])
    after = np.array([r["after"][measure] for r in runs])
    change = paired_bootstrap(before, after)
    versus = {}
    if faithful_runs is not None:  # (after - before) - faithful's (after - before), by seed and prompt
        faithful_change = np.array([np.subtract(r["after"][faithful_measure], r["before"][faithful_measure])
                                    for r in faithful_runs])
        versus["vs_faithful"] = paired_bootstrap(before + faithful_change, after)
    mean_before, mean_after = float(before.mean()), float(after.mean())
    rouge_before = float(np.mean([r["before"]["rougeL"] for r in runs]))
    rouge_after = float(np.mean([r["after"]["rougeL"] for r in runs]))
    return {
        "seeds": [r["seed"] for r in runs],
        "measured_on": measure,
        "steps": runs[0]["method"]["steps"],
        "toxicity_before": mean_before, "toxicity_after": mean_after,
        "toxicity_change": change,
        "toxicity_change_percent": 100 * (mean_after - mean_before) / mean_before if mean_before else None,
        "kl_to_sft": float(np.mean([r["kl_to_sft"] for r in runs])),
        "rougeL_before": rouge_before, "rougeL_after": rouge_after,
        "rougeL_relative_change": (rouge_after - rouge_before) / rouge_before if rouge_before else None,
        "train_seconds": float(np.mean([r["train_seconds"] for r in runs])),
        **versus,
    }


ABLATION_COLUMNS = ("steps", "toxicity_before", "toxicity_after", "toxicity_change", "vs_faithful", "kl_to_sft",
                    "rougeL_before", "rougeL_after")


def goals(summary: dict, profile) -> dict:
    """The issue's goals for the corrected method, judged from the figures (reported, not asserted)."""
    return {
        "toxicity_lower_with_interval_below_zero": summary["toxicity_change"]["ci95"][1] < 0,
        "kl_to_sft_under_10_nats": summary["kl_to_sft"] < 10,
        "rougeL_within_10_percent": summary["rougeL_relative_change"] is not None
        and abs(summary["rougeL_relative_change"]) <= 0.10,
    }


def check_settings(seeds: int, eval_prompts: int, steps: int | None) -> None:
    """Before anything is loaded: at least one seed and one step, and two prompts (an interval needs two)."""
    for name, value, least in (("seeds", seeds, 1), ("eval_prompts", eval_prompts, 2), ("steps", steps, 1)):
        if value is not None and value < least:
            raise StudyError(f"--{name.replace('_', '-')} must be at least {least}, got {value}", key=name)


def saved_run(study: Study, chosen: ppo.Method, seed: int, path: Path, resume: bool) -> dict:
    """``study.run_method``, saved to ``path`` as it ends; with ``resume``, a run saved there before with the
    same method, seed, prompts, sampling and dtype is read back instead (each run is seeded on its own)."""
    key = {"method": vars(chosen), "seed": seed, "prompt_ids": study.ids, "sampling": study.sampling,
           "dtype": study.profile.policy["dtype"]}
    if resume and path.is_file():
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("key") == key:
            study.log(f"detoxlab study: {chosen.name}, seed {seed}: read back from {path.name}")
            return saved["run"]
    run = study.run_method(chosen, seed)
    write_json_atomically(path, {"key": key, "run": run})
    return run


def main(profile_name: str, out: Path, seeds: int = 3, eval_prompts: int = 200, steps: int | None = None,
         ablation: bool = False, resume: bool = False, dtype: str | None = None, log=print) -> dict:
    from tqdm.auto import tqdm

    check_settings(seeds=seeds, eval_prompts=eval_prompts, steps=steps)
    # dtype: the policy's (policy.dtype), to check that the study's verdict holds in bfloat16 as in float32
    profile = load_profile(profile_name, overrides=steps_override(steps) | ({"policy.dtype": dtype} if dtype else {}))
    out = writable_dir(out)  # OutputDirError: reported by the CLI in one line
    started = time.time()
    methods = arm_methods(profile, ABLATION if ablation else STUDY)
    changed = {name: changed_settings(chosen, methods["faithful"]) for name, chosen in methods.items()}
    for name in [name for name in methods if name != "faithful" and not changed[name]]:
        log(f"detoxlab study: arm {name!r} is the faithful method in profile {profile.name}; skipped")
        del methods[name]
    study = Study(profile, eval_prompts, log)
    log(f"detoxlab study: profile {profile.name}, {study.source.describe()}, {len(study.prompts)} held-out prompts, "
        f"seeds {list(range(seeds))}, arms {', '.join(methods)}")
    runs = {name: [] for name in methods}
    trained: dict[tuple[str, int], dict] = {}  # (training settings, seed) -> run: arms measured differently share it
    (out / "runs").mkdir(exist_ok=True)
    with tqdm(total=seeds * len(methods), desc="study runs") as bar:
        for seed in range(seeds):
            for name, chosen in methods.items():
                key = (training_settings(chosen), seed)
                if key not in trained:
                    path = out / "runs" / f"{'-'.join(re.findall(WORD, name))}-seed{seed}.json"
                    trained[key] = saved_run(study, chosen, seed, path, resume)
                runs[name].append({**trained[key], "method": vars(chosen)})
                bar.update()
    measures = {name: MEASURES[chosen.evaluation_input] for name, chosen in methods.items()}
    summary = {name: summarise_method(runs[name], None if name == "faithful" else runs["faithful"], measures[name],
                                      measures["faithful"]) for name in methods}
    report = {
        "profile": profile.name, "data_source": describe_source(study.source), "seeds": seeds,
        "eval_prompts": len(study.prompts), "prompt_ids": study.ids, "steps_override": steps,
        "policy_dtype": profile.policy["dtype"],
        "sampling": {**study.sampling, "max_new_tokens": profile.evaluation["max_new_tokens"]},
        "summary": summary, "corrected_goals": goals(summary["corrected"], profile),
        "ablation": [{"arm": name, "changed": changed[name], **{key: summary[name].get(key) for key in ABLATION_COLUMNS}}
                     for name in methods] if ablation else None,
        "runs": runs, "seconds": round(time.time() - started, 1),
        "command": f"detoxlab study --profile {profile.name} --seeds {seeds} --eval-prompts {eval_prompts}"
                   + (f" --steps {steps}" if steps else "") + (f" --dtype {dtype}" if dtype else "")
                   + (" --ablation" if ablation else ""),
    }
    write_json_atomically(out / "study.json", report)
    plot_study(report, out)
    (out / "study.md").write_text(markdown_report(report), encoding="utf-8")
    log(markdown_table(report))
    log(f"detoxlab study: wrote study.json, study.md and plots to {out} in {report['seconds']:.0f} s")
    return report


def describe_source(source) -> str:
    """Where the prompts came from, without this machine's paths (the report is meant to be shared)."""
    if source.kind == "csv-dir":
        return f"DialogSum CSVs from {data.DATA_DIR_ENV}"
    return source.describe() if source.kind == "hub" else "the embedded DialogSum-style sample"


def interval(change: dict | None) -> str:
    return "-" if change is None else f"{change['mean']:+.4f} ({change['ci95'][0]:+.4f}, {change['ci95'][1]:+.4f})"


def markdown_table(report: dict) -> str:
    """One row per method; with the ablation, also what each arm changes and its difference from faithful."""
    ablation = {row["arm"]: row["changed"] for row in report.get("ablation") or []}
    extra = ["changed from faithful"] if ablation else []
    after = ["vs faithful (95% CI)"] if ablation else []
    header = ["method", *extra, "steps", "measured on", "toxicity before", "after", "change (95% CI)", *after,
              "relative", "KL to SFT (nats)", "ROUGE-L before / after"]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, s in report["summary"].items():
        relative = f"{s['toxicity_change_percent']:+.1f}%" if s["toxicity_change_percent"] is not None else "n/a"
        settings = [", ".join(f"{key} {value}" for key, value in ablation[name].items()) or "-"] if ablation else []
        versus = [interval(s.get("vs_faithful"))] if ablation else []
        measured = "prompt + summary" if s.get("measured_on") == MEASURES["prompt+summary"] else "summary"
        cells = [name, *settings, str(s["steps"]), measured, f"{s['toxicity_before']:.4f}", f"{s['toxicity_after']:.4f}",
                 interval(s["toxicity_change"]), *versus, relative, f"{s['kl_to_sft']:.2f}",
                 f"{s['rougeL_before']:.1f} / {s['rougeL_after']:.1f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


ABLATION_NOTE = """- *ablation*: each arm is the faithful method with only the settings listed under *changed from
  faithful* set to the values shown there; *clean decoding* keeps the original's input, prompt + summary,
  but decodes the summary without `<pad>`/`</s>`. Every arm starts from the same SFT policy and
  summaries per seed and is evaluated on the same prompts.
- *vs faithful*: mean over prompts of (the arm's change - the faithful arm's change), paired by seed and
  prompt; the interval is a paired bootstrap over prompts like the change's.
"""


def markdown_report(report: dict) -> str:
    goal_lines = "\n".join(f"- {name.replace('_', ' ')}: {'met' if met else 'NOT met'}"
                           for name, met in report["corrected_goals"].items())
    title = "ablation of the faithful PPO method" if report.get("ablation") else "faithful vs corrected PPO"
    return f"""# Detox study: {title} ({report['profile']} profile)

Command: `{report['command']}` ({report['seconds']:.0f} s). {report['data_source']};
{report['eval_prompts']} held-out test prompts, the same for every method and seed; seeds 0..{report['seeds'] - 1}.
Summaries sampled with {report['sampling']} before and after training.

{markdown_table(report)}

- *change*: mean over prompts of (toxicity after - toxicity before), averaged over seeds; the interval is a
  paired bootstrap over prompts ({BOOTSTRAP_RESAMPLES} resamples). Toxicity is the reward model's hate
  probability.
- *KL to SFT*: log p_policy(y) - log p_SFT(y) summed over the tokens of the trained policy's own summaries,
  averaged over prompts: a Monte Carlo estimate of the sequence KL to the policy PPO started from.
- *faithful*: the original lab (KL reference = base model with the adapter disabled; reward on prompt +
  summary with `<pad>`/`</s>`, read at the first position of the pipeline's score-sorted labels; its steps,
  epochs and learning rate; toxicity measured on prompt + summary). *corrected*: KL reference = the SFT
  policy; reward = the `nothate` logit of the summary alone; the profile's steps, epochs and learning rate;
  toxicity measured on the summary.
- *measured on*: what the toxicity is computed from, the arm's `evaluation_input`. Every run is measured
  both ways; arms that differ only in it share their trained policies.
{ABLATION_NOTE if report.get("ablation") else ""}
Goals for the corrected method:
{goal_lines}

Plots: `training.png` (reward and KL per PPO step), `toxicity.png` (distributions before/after),
`scatter.png` (per-prompt toxicity before vs after, mean over seeds).
"""


def plot_study(report: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["summary"])
    others = iter([f"tab:{colour}" for colour in ("orange", "green", "purple", "brown", "pink", "olive", "cyan", "grey")]
                  + ["black", "gold", "navy", "lime", "teal"])
    colours = {name: {"faithful": "tab:red", "corrected": "tab:blue"}.get(name) or next(others) for name in names}
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    for name in names:
        for i, run in enumerate(report["runs"][name]):
            steps = [h["step"] for h in run["steps"]]
            label = name if i == 0 else None
            left.plot(steps, [h["reward_mean"] for h in run["steps"]], color=colours[name], alpha=0.7, label=label)
            right.plot(steps, [h["kl"] for h in run["steps"]], color=colours[name], alpha=0.7, label=label)
    left.set(title="mean reward per PPO step (each seed)", xlabel="step", ylabel="nothate logit")
    right.set(title="KL to each method's reference (trl)", xlabel="step", ylabel="nats")
    left.legend()
    right.legend()
    figure.tight_layout()
    figure.savefig(out / "training.png", dpi=100)
    plt.close(figure)

    columns = min(len(names), 4)
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5.5 * columns, 3.8 * rows), sharey=True, squeeze=False)
    for axis in axes.flat[len(names):]:
        axis.set_visible(False)
    bins = np.linspace(0, 1, 21)
    for axis, name in zip(axes.flat, names):
        runs = report["runs"][name]
        before = np.concatenate([r["before"]["toxicity"] for r in runs])
        after = np.concatenate([r["after"]["toxicity"] for r in runs])
        axis.hist(before, bins=bins, alpha=0.6, label=f"before (mean {before.mean():.3f})")
        axis.hist(after, bins=bins, alpha=0.6, label=f"after (mean {after.mean():.3f})")
        axis.set(title=name, xlabel="hate probability")
        axis.legend()
    for axis in axes[:, 0]:
        axis.set_ylabel("summaries (all seeds)")
    figure.suptitle("toxicity of the same prompts' summaries before and after PPO")
    figure.tight_layout()
    figure.savefig(out / "toxicity.png", dpi=100)
    plt.close(figure)

    figure, axis = plt.subplots(figsize=(5.2, 5))
    for name in names:
        runs = report["runs"][name]
        before = np.mean([r["before"]["toxicity"] for r in runs], axis=0)
        after = np.mean([r["after"]["toxicity"] for r in runs], axis=0)
        axis.scatter(before, after, s=12, alpha=0.6, color=colours[name], label=name)
    axis.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    axis.set(title="per-prompt toxicity (mean over seeds)", xlabel="before PPO", ylabel="after PPO",
             xlim=(0, 1), ylim=(0, 1))
    axis.legend()
    figure.tight_layout()
    figure.savefig(out / "scatter.png", dpi=100)
    plt.close(figure)
