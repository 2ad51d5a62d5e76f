"""The whole full-profile lab, timed on this machine: ``python -m detoxlab.bench.whole_lab --out DIR``.

It runs the lab's notebook (``detoxlab run``) on the full profile with flan-t5-base and the RoBERTa classifier
at their real shapes with random weights (``bench.inputs.prepare_full_models``), DialogSum from
``DETOXLAB_DATA_DIR``, and writes ``whole_lab.json``: the wall time against the 30-minute goal, and the
summary lengths the stand-in policy was set to (measured on the calibration prompts, not in the run).

Work depends on shapes and on how long the summaries are, not on what the weights know. Random weights never
end a summary, so every one would run to its sampled limit (100 to 399 tokens, ``generation.output_*``)
where flan-t5 writes a sentence or two. ``end_summaries_like`` therefore gives the stand-in policy two
changes before the run:

* the output layer is scaled by ``LOGIT_SCALE`` (random weights give logits with a standard deviation near
  28, a trained model's are a few units), so that sampling is not close to greedy;
* the ``</s>`` row of the output layer points along the decoder's mean final hidden state (every position's
  hidden state has nearly the same component along it), with a length chosen by bisection so that sampled
  summaries are as long, on average, as DialogSum's reference summaries of the lab's training prompts, the
  summaries the lab-2 adapter was trained to write.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from detoxlab.bench.errors import BenchError
from detoxlab.errors import DetoxlabError
import answer_key.evaluation
import answer_key.models

GOAL_SECONDS = 30 * 60
CHECKS_GOAL_SECONDS = 300  # the notebook's own graded checks on the full profile (docs/benchmark.md)
GRADED_CELL = "checks.run("
LOGIT_SCALE = 0.1          # the same scale as tests/test_precision.py, for the same reason
CALIBRATION_PROMPTS = 32   # DialogSum training prompts sampled to set the summary length
CALIBRATION_ROUNDS = 8     # bisection rounds on the </s> row's length


def _training_prompts(profile, data_dir: Path, count: int) -> tuple[list[str], list[str]]:
    """The first ``count`` of the lab's training prompts, and every kept dialogue's reference summary."""
    from detoxlab.bench.inputs import lab_training_rows

    rows = lab_training_rows(profile, data_dir)
    prompts = [profile.data["prompt_template"].format(dialogue=row["dialogue"]) for row in rows[:count]]
    return prompts, [row["summary"] for row in rows]


def _mean_length(peft_model, tokenizer, prompts: list[str], sample: dict, max_new_tokens: int) -> float:
    from detoxlab import evaluation

    _, tokens = answer_key.evaluation.generate_summaries(peft_model, tokenizer, prompts, max_new_tokens, seed=0, sample=sample,
                                              return_tokens=True)
    return statistics.mean(len(row) for row in tokens)


def end_summaries_like(profile, data_dir: Path, log=print) -> dict:
    """Rewrite the stand-in base model (``profile.policy.base_model``) so that the policy's sampled summaries
    are as long as DialogSum's reference summaries, on average; returns what was measured."""
    import torch

    from detoxlab import evaluation, models

    tokenizer = models.load_tokenizer(profile)
    prompts, references = _training_prompts(profile, data_dir, CALIBRATION_PROMPTS)
    target = statistics.mean(len(tokenizer(text).input_ids) for text in references)  # with </s>, as generated
    base_dir = Path(profile.policy["base_model"])
    base = models.load_base_model(profile, dtype=torch.float32)
    with torch.no_grad():
        base.lm_head.weight.mul_(LOGIT_SCALE)
        base.lm_head.weight[tokenizer.eos_token_id] = 0.0
    base.save_pretrained(base_dir)

    peft_model = answer_key.models.load_policy(profile, is_trainable=False)
    sample = {**evaluation.sampling_settings(profile), "min_length": profile.generation["min_length"]}
    limit = profile.generation["output_max_length"]
    encoded = tokenizer(prompts[:8], return_tensors="pt", padding=True).to(peft_model.device)
    with torch.inference_mode():  # the final hidden states of summaries that never end
        output = peft_model.generate(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask,
                                     max_new_tokens=48, do_sample=True, top_k=0, top_p=1.0,
                                     suppress_tokens=[tokenizer.eos_token_id], output_hidden_states=True,
                                     return_dict_in_generate=True)
        hidden = torch.cat([step[-1][:, -1, :] for step in output.decoder_hidden_states]).float()
    direction = hidden.mean(0) / hidden.mean(0).norm()
    along = hidden @ direction
    eos_row = peft_model.base_model.model.lm_head.weight[tokenizer.eos_token_id]

    low, high, lengths = 0.0, 2.0, []
    for _ in range(CALIBRATION_ROUNDS):  # a longer </s> row ends summaries sooner
        middle = (low + high) / 2
        with torch.no_grad():
            eos_row.copy_(middle * direction)
        length = _mean_length(peft_model, tokenizer, prompts, sample, limit)
        lengths.append({"eos_row_length": round(middle, 4), "mean_summary_tokens": round(length, 2)})
        log(f"  </s> row length {middle:.4f}: summaries of {length:.1f} tokens on average (target {target:.1f})")
        low, high = (middle, high) if length > target else (low, middle)
    with torch.no_grad():
        eos_row.copy_((low + high) / 2 * direction)
        base.lm_head.weight[tokenizer.eos_token_id] = (low + high) / 2 * direction
    base.save_pretrained(base_dir)
    final = _mean_length(peft_model, tokenizer, prompts, sample, limit)
    log(f"  </s> row length {(low + high) / 2:.4f}, saved: summaries of {final:.1f} tokens on average")
    return {"target_mean_summary_tokens": round(target, 2), "mean_summary_tokens": round(final, 2),
            "reference_summaries": len(references),
            "hidden_state_along_direction": {"mean": round(along.mean().item(), 3), "sd": round(along.std().item(), 3)},
            "logit_scale": LOGIT_SCALE, "eos_row_length": round((low + high) / 2, 4), "bisection": lengths}


def _profile_file(models_dir: Path, overrides: dict) -> Path:
    """A copy of full.toml whose model locations are the stand-ins' (the notebook reads a profile file)."""
    import re

    from detoxlab.profiles import load_profile

    text = Path(load_profile("full").path).read_text(encoding="utf-8")
    for dotted, value in overrides.items():
        section, key = dotted.split(".")
        pattern = re.compile(rf"(^\[{section}\][^\[]*?^{key} = )[^\n]*", re.MULTILINE | re.DOTALL)
        text, found = pattern.subn(lambda match: match.group(1) + json.dumps(value), text, count=1)
        if not found:
            raise BenchError(f"full.toml has no {dotted} to point at the stand-in")
    path = models_dir / "full-random-weights.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cell_seconds(notebook_path: Path, at_least: float = 1.0) -> list[dict]:
    """The executed notebook's slow code cells, in order: each one's first line (its label), the wall time
    papermill recorded for it, and whether it runs graded checks; cells under ``at_least`` seconds are left out."""
    import nbformat

    notebook = nbformat.read(str(notebook_path), as_version=4)
    cells = []
    for index, cell in enumerate(notebook.cells):
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.cell_type == "code" and seconds is not None and seconds >= at_least:
            lines = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("# NBVAL")]
            cells.append({"cell": index, "first_line": (lines[0] if lines else "")[:100],
                          "seconds": round(seconds, 1), "checks": GRADED_CELL in cell.source})
    return cells


def command(parameters: dict, students: bool = False) -> str:
    """The command that reruns a measurement with these notebook parameters: its settings, not where it wrote."""
    return ("python -m detoxlab.bench.whole_lab --out DIR" + (" --students-environment" if students else "")
            + "".join(f" -p {name} {value}" for name, value in parameters.items()))


# Run in the kernel before anything else (a sitecustomize module): the editable install's finder would
# reach the project's own folders, answer key included, behind the handout's back.
NO_PROJECT_FINDER = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in str(getattr(f, "__module__", "")).lower()]
"""


@contextlib.contextmanager
def students_kernel(folder: Path):
    """The notebook's kernel runs in the students' environment: a handout (``detoxlab handout``: no answer key,
    no grader) first on its path, the project's own folders out of reach, as in the image's ``lab`` target.
    The checks then judge as they do for a student (checks.bundle.answer_key_available() is False there)."""
    from detoxlab import run, student

    folder = Path(tempfile.mkdtemp(prefix="students-", dir=folder))  # a fresh one per run: --out may be reused
    handout = student.write_handout(folder / "handout")
    guard = folder / "kernel-path"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_PROJECT_FINDER, encoding="utf-8")
    with run.kernel_environment({"PYTHONPATH": f"{guard}{os.pathsep}{handout}", "PYTHONSAFEPATH": "1"}):
        yield handout


def main(out: Path, parameters: dict | None = None, seed: int = 0, students: bool = False, log=print) -> dict:
    import platform

    import torch

    from detoxlab import run
    from detoxlab.bench.inputs import dialogsum_dir, prepare_full_models
    from detoxlab.files import write_json_atomically
    from detoxlab.profiles import load_profile

    data_dir = dialogsum_dir()
    out = Path(out)
    models_dir = out / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    log("building flan-t5-base and the RoBERTa classifier at their real shapes, random weights ...")
    started = time.perf_counter()
    setup = prepare_full_models(models_dir, None, load_profile("full"), seed)
    profile_path = _profile_file(models_dir, setup["overrides"])
    log("setting the stand-in's summary length ...")
    calibration = end_summaries_like(load_profile(profile_path), data_dir, log)
    setup_seconds = time.perf_counter() - started

    log(f"running the lab: detoxlab run --profile {profile_path}"
        + (" in the students' environment" if students else "") + " ...")
    with students_kernel(out) if students else contextlib.nullcontext():
        started = time.perf_counter()
        run.main(str(profile_path), out / "run", parameters or {}, log=log)
        wall = time.perf_counter() - started
    metrics = json.loads((out / "run" / "metrics.json").read_text(encoding="utf-8"))
    cells = cell_seconds(out / "run" / run.SOLUTION.name)
    step_seconds = [step["seconds"] for step in metrics["steps"]]
    steps_left = metrics["method"]["steps"] - metrics["steps_run"]  # when -p ppo_steps cut the run short
    whole = wall + steps_left * statistics.mean(step_seconds)
    report = {
        "command": command(parameters or {}, students),
        "environment": "students (a handout, no answer key)" if students else "course staff (the answer key)",
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()},
        "parameters": parameters or {},
        "setup_seconds": round(setup_seconds, 1),
        "lab_seconds": round(wall, 1),
        "goal_seconds": GOAL_SECONDS,
        "steps_run": metrics["steps_run"],
        "profile_steps": metrics["method"]["steps"],
        "evaluation_prompts": metrics["eval_prompts"],
        "step_seconds": step_seconds,
        "cell_seconds": cells,
        "checks_seconds": round(sum(cell["seconds"] for cell in cells if cell["checks"]), 1),
        "checks_goal_seconds": CHECKS_GOAL_SECONDS,
        # the run as measured, plus the steps it left out at its mean step time
        "whole_lab_seconds": round(whole, 1),
        "whole_lab_is_extrapolated": steps_left > 0,
        "goal_met": whole < GOAL_SECONDS,
        "weights": setup["weights"],
        "tokenizers": setup["tokenizers"],
        "summary_length": calibration,
        "metrics": metrics,
    }
    write_json_atomically(out / "whole_lab.json", report)
    verdict = "met" if report["goal_met"] else "NOT met"
    if steps_left:
        log(f"the lab with {metrics['steps_run']} of {metrics['method']['steps']} PPO steps took {wall:.0f} s; with "
            f"the other {steps_left} at its mean step time ({statistics.mean(step_seconds):.1f} s) about {whole:.0f} s")
    log(f"the notebook's graded checks: {report['checks_seconds']:.0f} s (goal: at most {CHECKS_GOAL_SECONDS} s: "
        f"{'met' if report['checks_seconds'] <= CHECKS_GOAL_SECONDS else 'NOT met'})")
    log(f"the whole lab: {whole:.0f} s (goal: under {GOAL_SECONDS} s: {verdict}); wrote {out / 'whole_lab.json'}")
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m detoxlab.bench.whole_lab", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="whole-lab", help="output directory (default: whole-lab)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a notebook parameter, as for detoxlab run (ppo_steps, eval_samples, seed, dtype)")
    parser.add_argument("--students-environment", action="store_true",
                        help="run the notebook's kernel in a handout, without the answer key, as a student's")
    args = parser.parse_args()
    from detoxlab.run import parse_parameters

    try:
        main(Path(args.out), parse_parameters(args.parameter), students=args.students_environment)
    except DetoxlabError as error:
        sys.exit(f"whole_lab: {error}")
