"""The study, the bench and `detoxlab train` train with ``answer_key.ppo.train``; the notebook teaches its own loop
(exercise 6's ``ppo_step`` inside 3.2's loop). From the same trainer state and seed, both must produce the same
adapter, so what docs/study measures is the lab that students run."""
import dataclasses
import json
from pathlib import Path

import pytest
import torch

from detoxlab import lab, models, ppo
import answer_key.ppo
import answer_key.reward

SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "detox_lab.ipynb"
STEPS = 2


def solution_cell(marker: str) -> str:
    cells = json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]
    found = ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and marker in "".join(c["source"])]
    assert len(found) == 1, f"{len(found)} solution cells contain {marker!r}"
    return found[0]


def adapter(trainer) -> dict:
    return {name: p.detach().clone() for name, p in trainer.model.named_parameters() if "lora_" in name}


@pytest.mark.slow  # 2 x 2 PPO steps
def test_the_notebooks_loop_and_the_staff_loop_train_the_same_adapter(mini, tokenizer, dataset, reward_parts):
    import numpy as np
    import pandas as pd
    from trl.core import LengthSampler
    from tqdm.auto import tqdm

    chosen = dataclasses.replace(ppo.method(mini, "corrected"), steps=STEPS)
    policy = answer_key.models.with_value_head(answer_key.models.load_policy(mini, is_trainable=True))
    reference = models.frozen_reference(policy)
    trainer = answer_key.ppo.make_trainer(mini, chosen, policy, reference, tokenizer, dataset["train"], seed=0)
    start = ppo.trainer_state(trainer)
    reward_tokenizer, reward_model = reward_parts

    def reward_fn(texts):
        return answer_key.reward.rewards(list(texts), reward_tokenizer, reward_model)

    lab.make_reproducible(3)
    staff = answer_key.ppo.train(trainer, chosen, mini, reward_fn)
    staff_adapter = adapter(trainer)

    ppo.restore_trainer(trainer, start)
    lab.make_reproducible(3)
    namespace = {"ppo_trainer": trainer, "profile": mini, "tokenizer": tokenizer, "ppo": ppo, "torch": torch,
                 "LengthSampler": LengthSampler, "reward_fn": reward_fn, "method": vars(chosen), "ppo_steps": STEPS,
                 "tqdm": tqdm, "pd": pd, "np": np, "time": __import__("time")}
    # make_trainer has already padded each mini-batch where the profile asks, as the notebook's cell does
    exec(solution_cell("def ppo_step(").replace("ppo.pad_each_mini_batch(ppo_trainer)", "pass"), namespace)
    exec(solution_cell("start_state = ppo.trainer_state(ppo_trainer)"), namespace)
    notebook = namespace["history"]

    assert [round(h["reward_mean"], 5) for h in notebook] == [round(h["reward_mean"], 5) for h in staff]
    assert [round(h["kl"], 5) for h in notebook] == [round(h["kl"], 5) for h in staff]
    weights = {name.removeprefix("pretrained_model."): w for name, w in start["weights"].items()}
    assert any(not torch.equal(w, weights.get(name.removeprefix("pretrained_model."), w)) for name, w in staff_adapter.items()), \
        "the staff loop did not train the adapter"
    for name, weight in adapter(trainer).items():
        assert torch.allclose(weight, staff_adapter[name], atol=1e-6), name
