"""Exercise 1's reference: the course's prompts from DialogSum, and the lab's dataset from a profile."""
from __future__ import annotations

import logging

import datasets

from detoxlab.data import DataSource, DataSourceError, build_prompt, load_raw, resolve_source

log = logging.getLogger(__name__)


def prompt_dataset(dialogues: datasets.Dataset, tokenizer, min_chars: int, max_chars: int, template: str,
                   test_size: float, split_seed: int) -> datasets.DatasetDict:
    """The course's recipe on any DialogSum split: keep ``min_chars < len(dialogue) <= max_chars``, wrap each
    dialogue in ``template``, tokenize, torch format, then an unshuffled seeded train/test split.

    Each row gains ``query`` (the prompt text) and ``input_ids`` (its tokens), the two fields trl's
    PPOTrainer reads. The lab notebook's exercise 1; the grader and the staff's tools use this copy as the reference.
    """
    kept = dialogues.filter(lambda row: min_chars < len(row["dialogue"]) <= max_chars)
    if len(kept) < 2:
        raise DataSourceError(f"{len(kept)} dialogue(s) with {min_chars} < length <= {max_chars}; need at least 2")

    def tokenize(row):
        row["query"] = build_prompt(row["dialogue"], template)
        row["input_ids"] = tokenizer.encode(row["query"])
        return row

    kept = kept.map(tokenize, batched=False)
    kept.set_format(type="torch")
    return kept.train_test_split(test_size=test_size, shuffle=False, seed=split_seed)


def build_dataset(tokenizer, data_profile: dict, source: DataSource | None = None) -> datasets.DatasetDict:
    """The lab's dataset from the profile's DialogSum source: ``prompt_dataset`` on the train split."""
    source = source or resolve_source(data_profile)
    log.info("%s", source.describe())
    try:
        return prompt_dataset(load_raw(source)["train"], tokenizer, data_profile["min_dialogue_chars"],
                              data_profile["max_dialogue_chars"], data_profile["prompt_template"],
                              data_profile["test_size"], data_profile["split_seed"])
    except DataSourceError as error:
        raise DataSourceError(f"{source.describe()}: {error}") from None
