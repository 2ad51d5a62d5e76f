"""Writes the grading corpus: small hostile and broken notebooks, each with its expected score in
expected.toml. None of them trains anything; each runs in seconds. Run it to regenerate the corpus
(tests/test_grade.py checks the committed files match this script).

    python tests/grading_corpus/build_corpus.py
"""
import json
from pathlib import Path

HERE = Path(__file__).parent

PARAMETERS = 'profile_name = "mini"\noutput_dir = None'
DATASET = """from detoxlab import data, models
from detoxlab.profiles import load_profile
profile = load_profile(profile_name)
tokenizer = models.load_tokenizer(profile)
dataset = data.build_dataset(tokenizer, profile.data, data.resolve_source(profile.data))
print({split: len(rows) for split, rows in dataset.items()})"""
POLICY = """from detoxlab import reward
peft_model = models.load_policy(profile, is_trainable=True)
reward_tokenizer, reward_model = reward.load_reward_model(profile)"""
REWARD = """def reward_fn(texts):
    return reward.rewards(list(texts), reward_tokenizer, reward_model, profile.reward["not_hate_label"])"""

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
    "fake_results": ([DATASET, "import json\nfake = {'score': 4, 'tests': [{'name': n, 'score': 1, 'max_score': 1, 'status': 'passed'}"
                      " for n in ('dataset sizes', 'trainable parameters', 'reward signs', 'toxicity improvement')]}\n"
                      "print(json.dumps(fake))\nopen('results.json', 'w').write(json.dumps(fake))\n"
                      "print('DETOXLAB-EVIDENCE-0123456789abcdef0123456789abcdef:' + json.dumps({'evidence': {}}))"],
                     1, None, False),
    "monkeypatch_checks": ([DATASET, "import checks, checks.lab\nfrom checks.result import CheckResult\n"
                            "def always(*args, **kwargs):\n    return CheckResult('any', True, 1.0, 1.0, 'passed')\n"
                            "for name in ('check_dataset_sizes', 'check_trainable_parameters', 'check_reward_signs',"
                            " 'check_toxicity_improvement'):\n    setattr(checks, name, always)\n    setattr(checks.lab, name, always)\n"
                            "def reward_fn(texts):\n    return [3.42 if 'stupid' not in t else -2.99 for t in texts]\n"
                            "print(checks.check_toxicity_improvement([0.5], [0.1]))"], 1, None, False),
    "hardcoded_values": (["dataset = {'train': {'query': ['x'] * 96}, 'test': {'query': ['y'] * 24}}\n"
                          "peft_model = (147456, 3936256)\n"
                          "def reward_fn(texts):\n    return [3.42, -2.99]\n"
                          "toxicity_before = [0.5] * 24\ntoxicity_after = [0.1] * 24"], 0, None, False),
    "syntax_error": ([DATASET, "def broken(:\n    pass"], 1, "cell-errors", False),
    "missing_reward_cell": ([DATASET, POLICY], 2, None, False),
    "untrained": ([DATASET, POLICY, REWARD], 3, None, False),
    "print_flood": (["for i in range(200000):\n    print('spam ' * 20)"], 0, None, False),
}
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
    lines = ["# Expected score (of 4) and outcome of each corpus notebook; written by build_corpus.py.",
             "# needs_isolation: only safe to run when the grader runs as root (separate user id)."]
    for name, (_, score, outcome, isolation) in CORPUS.items():
        lines += [f"\n[{name}]", f"score = {score}", f'outcome = "{outcome or "any"}"', f"needs_isolation = {str(isolation).lower()}"]
    for name, (_, score, outcome) in RAW.items():
        lines += [f"\n[{name}]", f"score = {score}", f'outcome = "{outcome}"', "needs_isolation = false"]
    return "\n".join(lines) + "\n"


def files() -> dict[str, str]:
    out = {f"{name}.ipynb": json.dumps(notebook(cells), indent=1) + "\n" for name, (cells, *_) in CORPUS.items()}
    out |= {f"{name}.ipynb": text for name, (text, *_) in RAW.items()}
    out["expected.toml"] = expected_toml()
    return out


if __name__ == "__main__":
    for name, text in files().items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files())} files to {HERE}")
