"""What checks load from the profile: models, data, and the reward model's definitions of reward and toxicity.

One object per run, loading each thing once and only when a check needs it. In the grader, values that
are the same for every submission of a batch (toxicity of the SFT policy, of the base model) are cached
in a folder shared by the batch's workers, under a file lock, so the first worker computes them.
"""
from __future__ import annotations

import fcntl
import json
from functools import cached_property
from pathlib import Path

from detoxlab.files import SHARED, write_text_atomically


class Resources:
    def __init__(self, profile, cache_dir: Path | None = None):
        self.profile = profile
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._memory: dict = {}

    @cached_property
    def tokenizer(self):
        from detoxlab import models

        return models.load_tokenizer(self.profile)

    @cached_property
    def dialogsum(self):
        """DialogSum's three splits from the profile's source (DETOXLAB_DATA_DIR, the hub or the sample)."""
        from detoxlab import data

        return data.load_raw(data.resolve_source(self.profile.data))

    @cached_property
    def reward(self):
        """(tokenizer, model) of the reward model."""
        from detoxlab import reward

        return reward.load_reward_model(self.profile)

    @cached_property
    def toxicity_evaluator(self):
        """evaluate's toxicity measurement, loaded as the lab loads it."""
        from detoxlab import evaluation

        return evaluation.load_toxicity_evaluator(self.profile)

    def reward_logits(self, texts: list[str]):
        from detoxlab import reward

        return reward.logits(list(texts), *self.reward)

    def rewards(self, texts: list[str]) -> list[float]:
        """The reference reward: the raw not-hate logit of each text."""
        from detoxlab import reward

        index = reward.label_index(self.reward[1], self.profile.reward["not_hate_label"])
        return [float(v) for v in self.reward_logits(texts)[:, index]] if texts else []

    def toxicity(self, texts: list[str]) -> list[float]:
        """The reference toxicity: the hate probability of each text."""
        from detoxlab import reward

        index = reward.label_index(self.reward[1], self.profile.reward["hate_label"])
        return [float(v) for v in self.reward_logits(texts).softmax(-1)[:, index]] if texts else []

    def policy(self, adapter: bool = True):
        """A fresh, frozen copy of the lab-2 policy (the SFT policy), or of the base model alone."""
        from detoxlab import models

        if not adapter:
            return models.load_base_model(self.profile).eval()
        return models.load_sft_policy(self.profile)

    def unseen_rows(self) -> list[dict]:
        """DialogSum rows the lab never shows the student (its validation and test splits), within the
        profile's length window."""
        settings = self.profile.data
        low, high = settings["min_dialogue_chars"], settings["max_dialogue_chars"]
        return [row for split in ("validation", "test") for row in self.dialogsum[split] if low < len(row["dialogue"]) <= high]

    def prompts(self, count: int, offset: int = 0) -> list[str]:
        """``count`` lab prompts of unseen dialogues, starting at ``offset`` (wrapping round a small sample)."""
        from detoxlab import data

        rows = self.unseen_rows()
        template = self.profile.data["prompt_template"]
        return [data.build_prompt(rows[(offset + i) % len(rows)]["dialogue"], template) for i in range(count)]

    def cached(self, key: str, compute):
        """``compute()`` once per batch (or per run without a cache folder); JSON values only."""
        if key in self._memory:
            return self._memory[key]
        if self.cache_dir is None:
            value = self._memory[key] = compute()
            return value
        path = self.cache_dir / f"{key}.json"
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.is_file():
                value = json.loads(path.read_text(encoding="utf-8"))
            else:
                value = compute()
                write_text_atomically(path, json.dumps(value), mode=SHARED)
        self._memory[key] = value
        return value
