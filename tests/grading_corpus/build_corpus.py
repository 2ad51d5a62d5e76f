"""Writes the grading corpus: small hostile and broken notebooks, each with its expected score in
expected.toml. None of them trains anything; each runs in seconds. Run it to regenerate the corpus
(tests/test_grade.py checks the committed files match this script).

    python tests/grading_corpus/build_corpus.py
"""
import json
from pathlib import Path

import checks

HERE = Path(__file__).parent

ROOT = HERE.parent.parent
PARAMETERS = 'profile_name = "mini"\nppo_steps = None\neval_samples = None\ndtype = None\nseed = 42\noutput_dir = None'


def solution_cell(marker: str) -> str:
    """The solution notebook's one code cell containing ``marker`` (so the corpus follows the lab)."""
    notebook = json.loads((ROOT / "solutions" / "detox_lab.ipynb").read_text(encoding="utf-8"))
    found = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code" and marker in "".join(c["source"])]
    if len(found) != 1:
        raise ValueError(f"{len(found)} solution cells contain {marker!r}: update build_corpus.py")
    return found[0]


DATASET = "\n\n".join(solution_cell(m) for m in ("import checks", "data.load_dialogsum(profile)", "def build_dataset"))
POLICY = solution_cell("peft_model = PeftModel")
REWARD = solution_cell("reward_tokenizer = AutoTokenizer") + "\n\n" + solution_cell("def reward_fn")

# name -> (cells, expected score, expected outcome, needs an isolated user (root) to be safe to run)
CORPUS = {
    "infinite_loop": ([DATASET, "while True:\n    pass"], 1, "timeout-cell", False),
    "unstoppable_loop": (["import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"],
                         0, "timeout-cell", False),
    "total_timeout": (["import time\ntime.sleep(4)"] * 25, 0, "timeout-total", False),
    "memory_bomb": (["blob = bytearray(64 * 2**30)", "chunks = []\nwhile True:\n    chunks.append(bytearray(2**28))"],
                    0, "memory", False),
    "sys_exit": ([DATASET, "import sys\nsys.exit(3)"], 1, "cell-errors", False),
    "os_exit": (["import os\nos._exit(0)", DATASET], 0, "kernel-died", False),
    "kernel_kill": (["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"], 0, "kernel-died", False),
    "kill_parent": (["import os, signal\nfor pid in (os.getppid(), 1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n"
                     "    except OSError as e:\n        print(pid, e)\n"
                     "try:\n    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\nexcept OSError as e:\n    print(e)"],
                    0, None, False),
    # kill(-1) reaches every process the caller may signal except itself: as its own user, nothing else
    "kill_everything": (["import os, signal\nos.kill(-1, signal.SIGKILL)"], 0, "completed", True),
    "fork_bomb": (["import os, time\nfor i in range(60):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
                   "    if pid == 0:\n        os.setsid()\n        if os.fork() == 0:\n            time.sleep(600)\n        os._exit(0)\n"
                   "print('forked')", "while True:\n    try:\n        if os.fork() == 0:\n            time.sleep(600)\n"
                   "            os._exit(0)\n    except OSError:\n        break\nprint('bounded by the limit')"],
                  0, None, True),
    "writes_project": (["import os, pathlib, shutil, detoxlab\nfrom detoxlab.profiles import load_profile\n"
                        "staged = load_profile(profile_name)  # the grader's copy: model files linked from the project\n"
                        "project = pathlib.Path(detoxlab.__file__).resolve().parent.parent\n"
                        "attempts = []\nfor action in (lambda: (project / 'PWNED.txt').write_text('x'),\n"
                        "               lambda: open(project / 'README.md', 'a').write('pwned'),\n"
                        "               lambda: os.remove(project / 'pyproject.toml'),\n"
                        "               lambda: shutil.rmtree(project / 'checks'),\n"
                        "               lambda: (project / 'tests' / 'grading_corpus' / 'expected.toml').write_text(''),\n"
                        "               lambda: open(pathlib.Path(staged.location(staged.reward['model'])) / 'config.json', 'a').write('x'),\n"
                        "               lambda: os.chmod(pathlib.Path(staged.location(staged.policy['adapter'])) / 'adapter_model.bin', 0o666)):\n"
                        "    try:\n        action()\n        attempts.append('done')\n    except OSError as e:\n        attempts.append(type(e).__name__)\n"
                        "print(attempts)\n"
                        "here = pathlib.Path.cwd()\nfor folder in [here, *here.parents]:\n    try:\n"
                        "        (folder / 'results.json').write_text('{\"score\": 4}')\n    except OSError:\n        pass"],
                       0, None, True),
    "fake_results": ([DATASET, "import json\nfake = {'score': 8, 'tests': [{'name': c.title, 'score': 1, 'max_score': 1, 'status': 'passed'}"
                      " for c in checks.all_checks()]}\n"
                      "print(json.dumps(fake))\nopen('results.json', 'w').write(json.dumps(fake))\n"
                      "print('DETOXLAB-EVIDENCE-0123456789abcdef0123456789abcdef:' + json.dumps({'evidence': {}}))"],
                     1, None, False),
    "monkeypatch_checks": ([DATASET, "import checks\nfrom checks.result import CheckResult\n"
                            "for check in checks.all_checks():  # the grader's cell imports checks anew: patches are lost\n"
                            "    object.__setattr__(check, 'gather', lambda *args: {'fake': True})\n"
                            "    object.__setattr__(check, 'judge', lambda *args: (True, 'passed'))\n"
                            "checks.run = lambda *args, **kwargs: CheckResult('any', True, 1.0, 1.0, 'passed')\n"
                            "def reward_fn(texts):\n    return [3.42 if 'stupid' not in t else -2.99 for t in texts]\n"
                            "print(checks.run('improvement', globals()))"], 1, None, False),
    "hardcoded_values": (["dataset = {'train': {'query': ['x'] * 96}, 'test': {'query': ['y'] * 24}}\n"
                          "def build_dataset(*args):\n    return dataset\n"
                          "peft_model = (147456, 3936256)\n"
                          "def reward_fn(texts):\n    return [3.42, -2.99]\n"
                          "def evaluate_toxicity(*args):\n    return [0.1] * 6, ['A summary.'] * 6\n"
                          "def toxicity_change(before, after):\n    return -80.0\n"
                          "toxicity_before = [0.5] * 24\ntoxicity_after = [0.1] * 24"], 0, None, False),
    "syntax_error": ([DATASET, "def broken(:\n    pass"], 1, "cell-errors", False),
    "missing_reward_cell": ([DATASET, POLICY], 2, None, False),
    "untrained": ([DATASET, POLICY, REWARD], 3, None, False),
    "print_flood": (["for i in range(200000):\n    print('spam ' * 20)"], 0, None, False),
}
SKIP_LOOP = ('for step, batch in zip(tqdm(range(steps), desc="PPO"), batches(ppo_trainer.dataloader)):',
             'for step, batch in zip(range(0), []):  # no PPO')
# Mutants of the solution: each breaks one thing a student could get wrong and must lose exactly the points
# of the checks that grade it. name -> ((old, new) replacements in the solution's source, the checks it loses);
# its expected score follows from the registry (mutant_score).
MUTANTS = {
    "no_ppo_loop": ([SKIP_LOOP], ("improvement",)),
    "adapter_zeroed": ([SKIP_LOOP, ("history = []\n", "history = []\nwith torch.no_grad():  # instead of PPO\n"
                                    "    for name, parameter in peft_model.named_parameters():\n"
                                    "        if 'lora_B.default' in name:  # the policy's adapter; the reference keeps its own\n"
                                    "            parameter.zero_()\n")], ("improvement",)),
    # the loop check runs ppo_step on the notebook's own trainer: with a frozen adapter nothing moves there either
    "adapter_frozen": ([("torch_dtype=torch_dtype, is_trainable=True)\nppo_model",
                         "torch_dtype=torch_dtype, is_trainable=False)\nppo_model")], ("parameters", "loop", "improvement")),
    "hate_logit_reward": ([('o["label"] == not_hate_label)', 'o["label"] == profile.reward["hate_label"])')],
                          ("reward", "improvement")),
    # probabilities: a small, flat signal where the classifier is sure, yet in 30 steps it still lowers toxicity on
    # the 24 graded prompts (measured, three draws each: 0.4248 -> 0.2516, paired p = 0.0084): the adapter did
    # detoxify, so only the reward check, which asks for the logit, fails it
    "probability_reward": ([('function_to_apply="none", batch_size=16)', 'function_to_apply="softmax", batch_size=16)')],
                           ("reward",)),
    # the PPO step sees the flaw. The improvement does not: the stand-in reward model reads 512 tokens, so the summary
    # behind the dialogue is still read and PPO still detoxifies (measured: 0.4248 -> 0.1844)
    "reward_on_prompt_and_summary": ([('rewards = list(reward_fn(batch["response"]))',
                                       'rewards = list(reward_fn([q + ppo_trainer.tokenizer.decode(r) '
                                       'for q, r in zip(batch["query"], response_tensors)]))')], ("loop",)),
    "unseeded_evaluation": ([("    torch.manual_seed(seed)\n    summaries = []", "    summaries = []")], ("evaluation",)),
    "unpaired_evaluation": ([("toxicity_after, summaries_after = evaluate_toxicity(peft_model, tokenizer, toxicity_evaluator, "
                              "eval_prompts, eval_seed)",
                              "toxicity_after, summaries_after = evaluate_toxicity(peft_model, tokenizer, toxicity_evaluator, "
                              "eval_prompts[::-1], eval_seed)")], ("evaluation",)),
    "wrong_length_filter": ([('lambda row: input_min_text_length < len(row["dialogue"]) <= input_max_text_length',
                              'lambda row: len(row["dialogue"]) <= input_max_text_length')], ("dataset",)),
    "shuffled_split": ([("return dialogues.train_test_split(test_size=0.2, shuffle=False, seed=42)",
                        "return dialogues.train_test_split(test_size=0.2, shuffle=True, seed=42)")], ("dataset",)),
    # shortcuts that derive the adapter from the SFT adapter alone, without RL: the stand-ins' toxicity comes with
    # the base model, so none of them detoxifies, and the improvement check compares with the scaled-SFT family
    "adapter_scaled": ([SKIP_LOOP, ("history = []\n", "history = []\nwith torch.no_grad():  # instead of PPO\n"
                                    "    for name, parameter in peft_model.named_parameters():\n"
                                    "        if 'lora_B.default' in name:\n"
                                    "            parameter.mul_(0.55)\n")], ("improvement",)),
    "adapter_noised": ([SKIP_LOOP, ("history = []\n", "history = []\nwith torch.no_grad():  # instead of PPO\n"
                                    "    noise = torch.Generator().manual_seed(0)\n"
                                    "    for name, parameter in peft_model.named_parameters():\n"
                                    "        if 'lora_B.default' in name:\n"
                                    "            parameter.add_(0.5 * parameter.std() * torch.randn(parameter.shape, generator=noise))\n")],
                       ("improvement",)),
    "adapter_pruned": ([SKIP_LOOP, ("history = []\n", "history = []\nwith torch.no_grad():  # instead of PPO\n"
                                    "    for name, parameter in peft_model.named_parameters():\n"
                                    "        if 'lora_' in name and '.default' in name:  # the smallest half of each matrix\n"
                                    "            parameter.mul_(parameter.abs() >= parameter.abs().median())\n")],
                       ("improvement",)),
    # the original lab's code in the exercises: its reward is the first of the score-sorted labels, read on prompt
    # + summary with <pad> and </s>; its trainer has the original's learning rate and epochs and trl's base-model
    # reference; it runs 10 steps; it measures toxicity on prompt + summary. (Its "percentage improvement",
    # (before - after) / before, is not placed in `toxicity_change`: it is a different quantity, not a wrong one.)
    "original_code": ([
        ('next(o["score"] for o in scores if o["label"] == not_hate_label)', 'scores[0]["score"]'),
        ('learning_rate=method["learning_rate"], ppo_epochs=method["ppo_epochs"]', 'learning_rate=1.41e-5, ppo_epochs=1'),
        ("models.use_sft_reference(ppo_trainer, ref_model)\n", ""),
        ('rewards = list(reward_fn(batch["response"]))',
         'rewards = list(reward_fn([q + ppo_trainer.tokenizer.decode(r) for q, r in zip(batch["query"], response_tensors)]))'),
        ('toxicity_evaluator.compute(predictions=summaries, toxic_label="hate")',
         'toxicity_evaluator.compute(predictions=[p + " " + s for p, s in zip(prompts, summaries)], toxic_label="hate")'),
        ('steps = int(ppo_steps or method["steps"])', 'steps = int(ppo_steps or 10)'),
    ], ("reward", "trainer", "loop", "evaluation", "improvement")),
    # the parameter count; the KL reference too (it shares the base weights that now train); and the
    # improvement (the adapter, the lab's deliverable, is not what detoxified the policy)
    "all_parameters_trainable": ([("ref_model = models.frozen_reference(ppo_model)\n",
                                   "ref_model = models.frozen_reference(ppo_model)\n"
                                   "for parameter in peft_model.parameters():\n    parameter.requires_grad = True\n")],
                                 ("parameters", "trainer", "improvement")),
    "sign_flipped": ([("return 100 * (mean_after - mean_before) / mean_before",
                       "return 100 * (mean_before - mean_after) / mean_before")], ("change",)),
    "base_reference": ([("models.use_sft_reference(ppo_trainer, ref_model)\n", "")], ("trainer",)),
    "hardcoded_results": ([SKIP_LOOP, ("toxicity_after, summaries_after = evaluate_toxicity(peft_model, tokenizer, "
                                       "toxicity_evaluator, eval_prompts, eval_seed)",
                                       "toxicity_after, summaries_after = [0.0] * len(eval_prompts), summaries_before")],
                          ("evaluation", "improvement")),
    # PPO's quantities: the advantages as GAE gives them, not whitened; the surrogate without its clipped term
    "unwhitened_advantages": ([("    whitened = (advantages - mean) / torch.sqrt(variance + 1e-8)\n",
                                "    whitened = advantages  # not whitened\n")], ("ppo_math",)),
    "unclipped_surrogate": ([("torch.max(-whitened * ratio, -whitened * torch.clamp(ratio, 1 - cliprange, 1 + cliprange))",
                              "-whitened * ratio")], ("ppo_math",)),
    # the table: lengths in characters; only the five best rows (the regressions cut away)
    "table_in_characters": ([('"words_before": [len(s.split()) for s in summaries_before]',
                              '"words_before": [len(s) for s in summaries_before]'),
                             ('"words_after": [len(s.split()) for s in summaries_after]',
                              '"words_after": [len(s) for s in summaries_after]')], ("table",)),
    "table_best_rows": ([('return table.sort_values("reward_gain", ascending=False).reset_index(drop=True)',
                          'return table.sort_values("reward_gain", ascending=False).reset_index(drop=True).head(3)')],
                        ("table",)),
}


def mutant_score(lost: tuple[str, ...]) -> float:
    """A mutant's expected score: every check's points but those of the checks it loses."""
    keys = {check.key for check in checks.all_checks()}
    unknown = set(lost) - keys
    if unknown:
        raise ValueError(f"no check {sorted(unknown)}: the checks are {sorted(keys)}")
    return sum(check.points for check in checks.all_checks() if check.key not in lost)


# the score a notebook that passes every check gets, and a notebook that only prints each check's pass line
MAX_SCORE = sum(check.points for check in checks.all_checks())
PRINTED = (f"for line in {[check.title for check in checks.all_checks()]!r}:\n    print(f'[PASSED] {{line}} (1/1)')\n"
           "toxicity_before, toxicity_after = [0.4] * 24, [0.01] * 24")


def mutant(name: str) -> dict:
    """The solution notebook with the mutant's replacements (each must match exactly once)."""
    notebook = json.loads((ROOT / "solutions" / "detox_lab.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in notebook["cells"]]
    for old, new in MUTANTS[name][0]:
        hits = [i for i, text in enumerate(sources) if old in text]
        if len(hits) != 1 or sources[hits[0]].count(old) != 1:
            raise ValueError(f"mutant {name}: {old[:60]!r} is not in exactly one place of the solution")
        sources[hits[0]] = sources[hits[0]].replace(old, new)
    for cell, source in zip(notebook["cells"], sources):
        cell["source"] = source
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def student(extra: str | None = None) -> dict:
    notebook = json.loads((ROOT / "lab" / "detox_lab.ipynb").read_text(encoding="utf-8"))
    if extra:
        notebook["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                  "source": extra})
    return notebook


RAW = {  # files that are not notebooks
    "empty": ("", 0, "invalid-notebook"),
    "invalid_json": ('{"cells": [ {"cell_type": "code", "source": "print(1)"', 0, "invalid-notebook"),
    "not_a_notebook": ('[1, 2, 3]', 0, "invalid-notebook"),
}


def notebook(sources: list[str]) -> dict:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {"tags": ["parameters"]}, "outputs": [],
              "source": PARAMETERS}]
    cells += [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s} for s in sources]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def expected_toml() -> str:
    lines = [f"# Expected score (of {MAX_SCORE:g}) and outcome of each corpus notebook; written by build_corpus.py.",
             "# needs_isolation: only safe to run when the grader runs as root (separate user id)."]
    for name, (_, score, outcome, isolation) in CORPUS.items():
        lines += [f"\n[{name}]", f"score = {score}", f'outcome = "{outcome or "any"}"', f"needs_isolation = {str(isolation).lower()}"]
    for name, (_, score, outcome) in RAW.items():
        lines += [f"\n[{name}]", f"score = {score}", f'outcome = "{outcome}"', "needs_isolation = false"]
    return "\n".join(lines) + "\n"


def mutants_toml() -> str:
    lines = [f"# Expected score (of {MAX_SCORE:g}) of the solution's mutants and the student notebook; written by build_corpus.py."]
    for name, (_, lost) in MUTANTS.items():
        lines += [f"\n[{name}]", f"score = {mutant_score(lost):g}", f"loses = {json.dumps(list(lost))}"]
    lines += ["\n[untouched]", "score = 0", "\n[printed_results]", "score = 0"]
    return "\n".join(lines) + "\n"


def files() -> dict[str, str]:
    out = {f"{name}.ipynb": json.dumps(notebook(cells), indent=1) + "\n" for name, (cells, *_) in CORPUS.items()}
    out |= {f"{name}.ipynb": text for name, (text, *_) in RAW.items()}
    out["expected.toml"] = expected_toml()
    out |= {f"mutants/{name}.ipynb": json.dumps(mutant(name), indent=1) + "\n" for name in MUTANTS}
    out["mutants/untouched.ipynb"] = json.dumps(student(), indent=1) + "\n"
    out["mutants/printed_results.ipynb"] = json.dumps(student(PRINTED), indent=1) + "\n"
    out["mutants/expected.toml"] = mutants_toml()
    return out


if __name__ == "__main__":
    (HERE / "mutants").mkdir(exist_ok=True)
    for name, text in files().items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files())} files to {HERE}")
