"""The full profile loads everything from the baked locations and runs a PPO step, offline.

The assets are laid out exactly as `detoxlab assets fetch --profile full` leaves them (hub cache under the
real ids and pinned revisions, the adapter as assets:NAME, DialogSum in the datasets cache), built from the
stand-ins (tests/asset_layout.py). The run happens in a fresh process with the image's variables, and a
guard that refuses and records every attempt to open a network connection or resolve a name.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asset_layout import full_layout
from detoxlab import fetch
from detoxlab.profiles import load_profile

REPO = Path(__file__).resolve().parent.parent

NETWORK_GUARD = '''
import os, socket
_log = os.environ["NETWORK_ATTEMPTS"]
def _refuse(what):
    with open(_log, "a") as handle:
        handle.write(what + "\\n")
    raise OSError(f"network refused in this test: {what}")
_connect = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse(f"connect {address}")
    return _connect(self, address)
socket.socket.connect = connect
socket.getaddrinfo = lambda host, *a, **k: _refuse(f"resolve {host}")
'''

ONE_STEP = '''
import json, sys
import answer_key.data, answer_key.models, answer_key.ppo, answer_key.reward
from detoxlab import data, models, ppo, reward
from detoxlab.lab import make_reproducible
from detoxlab.profiles import load_profile

# the full profile as it ships, but short summaries: the stand-ins stand in for models 60x larger, and
# 100..400 new tokens per prompt would only make the test slow
profile = load_profile("full", {"generation.output_min_length": 8, "generation.output_max_length": 24})
make_reproducible(0)
tokenizer = models.load_tokenizer(profile)
source = data.resolve_source(profile.data)
dataset = answer_key.data.build_dataset(tokenizer, profile.data, source)
policy = answer_key.models.load_policy(profile, is_trainable=True)
ppo_model = answer_key.models.with_value_head(policy)
reference = models.frozen_reference(ppo_model)
reward_tokenizer, reward_model = reward.load_reward_model(profile)
method = ppo.Method(**{**vars(ppo.method(profile, profile.ppo["method"])), "steps": 1})
trainer = answer_key.ppo.make_trainer(profile, method, ppo_model, reference, tokenizer, dataset["train"])
score = lambda texts: list(answer_key.reward.rewards(texts, reward_tokenizer, reward_model, profile.reward["not_hate_label"]))
history = answer_key.ppo.train(trainer, method, profile, score)
print("RESULT " + json.dumps({
    "source": source.kind, "sizes": {k: len(v) for k, v in dataset.items()},
    "base": policy.base_model.config._name_or_path, "vocab_file": tokenizer.vocab_file, "adapter": profile.location(profile.policy["adapter"]),
    "base_location": profile.location(profile.policy["base_model"]), "reward_location": profile.location(profile.reward["model"]),
    "reward_labels": reward_model.config.id2label, "history": history}))
'''


@pytest.mark.slow
def test_full_profile_runs_one_ppo_step_offline_from_the_baked_assets(tmp_path):
    profile = load_profile("full")
    root = full_layout(tmp_path / "assets", profile)
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD)
    attempts = tmp_path / "network-attempts.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "DETOXLAB_"))}
    env |= fetch.environment(root) | {"PYTHONPATH": str(guard), "NETWORK_ATTEMPTS": str(attempts),
                                      "DETOXLAB_THREADS": "2", "HOME": str(tmp_path)}
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(ONE_STEP)], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-4000:]
    result = json.loads(completed.stdout.split("RESULT ", 1)[1])
    assert result["source"] == "hub"
    assert result["sizes"] == {"train": 96, "test": 24}  # the embedded sample, through the datasets cache
    assert result["base"] == str(Path(result["vocab_file"]).parent)  # the pinned snapshot, by path
    assert result["vocab_file"] == str(root / "huggingface" / "hub" / "models--google--flan-t5-base" / "snapshots" /
                                       profile.policy["revision"] / "spiece.model"), "loaded from the baked hub cache"
    assert result["adapter"] == str(root / "full" / "peft-dialogue-summary-checkpoint")
    # the notebook loads by location alone (the course's code passes no revision): the pinned snapshot
    assert result["base_location"] == str(Path(result["vocab_file"]).parent)
    assert result["reward_location"] == profile.reward["model"]  # pinned to the branch "main", which the cache names
    assert result["reward_labels"] == {"0": "nothate", "1": "hate"}
    [step] = result["history"]
    assert step["step"] == 1 and all(isinstance(step[k], float) for k in ("kl", "policy_loss", "value_loss"))
    assert not attempts.exists(), f"the run touched the network: {attempts.read_text()}"


def test_network_guard_refuses_and_records(tmp_path):
    """The guard above is honest: a connection attempt under it fails and is recorded."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD)
    attempts = tmp_path / "attempts.log"
    code = "import urllib.request\ntry:\n    urllib.request.urlopen('http://127.0.0.1:9', timeout=2)\nexcept OSError as e:\n    print(e)"
    completed = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(guard),
                               "NETWORK_ATTEMPTS": str(attempts)}, capture_output=True, text=True, timeout=60)
    assert "network refused" in completed.stdout
    assert attempts.read_text().strip()
