"""detoxlab.make_stand_ins.group_probes: the protected-group hate probes, disjoint from what the reward model
trains on, and measured as the lab's reward signs them."""
import random

import pytest

from detoxlab.make_stand_ins import group_probes
from detoxlab.make_stand_ins.reward_model import RewardRecipe, examples


def test_every_group_claim_and_frame_once():
    statements = group_probes.hateful_statements()
    per_category = len(group_probes.CLAIMS) * len(group_probes.FRAMES) * 2
    assert len(statements) == len(set(statements)) == len(group_probes.GROUPS) * per_category == 144
    assert {category for _, category in statements} == set(group_probes.GROUPS)
    assert all(text.startswith("#Person1# ") and text.endswith(".") for text, _ in statements)


def test_the_training_statements_are_balanced_and_never_a_probe():
    statements = group_probes.training_statements()
    assert sum(label for _, label in statements) * 2 == len(statements) == len(set(statements))
    assert not {text for text, _ in statements} & {text for text, _ in group_probes.hateful_statements()}


@pytest.mark.shared_data
@pytest.mark.parametrize("copies", [0, 2])
def test_the_build_never_trains_on_a_probe(shared_data, copies):
    recipe = RewardRecipe(group_statement_copies=copies)
    train, _ = examples(shared_data, recipe, random.Random(recipe.seed))
    trained = {text for text, _ in train}
    assert not trained & {text for text, _ in group_probes.hateful_statements()}
    assert not trained & set(group_probes.neutral_summaries(shared_data))
    none, _ = examples(shared_data, RewardRecipe(group_statement_copies=0), random.Random(recipe.seed))
    # the statements come last and use no randomness, so the other rows do not depend on how many there are
    assert train == none + group_probes.training_statements() * copies


def test_measure_reports_shares_by_the_reward_sign(reward_parts):
    tokenizer, model = reward_parts
    neutral = ["#Person1# and #Person2# plan a trip to the lake.", "#Person2# helps #Person1# find the bank."]
    figures = group_probes.measure(tokenizer, model, neutral)
    assert figures["group_hate_statements"] == 144 and figures["neutral_summaries"] == 2
    assert set(figures["group_hate_signed_right_by_category"]) == set(group_probes.GROUPS)
    assert figures["neutral_summaries_signed_right"] in (0.0, 0.5, 1.0)
    shares = figures["group_hate_signed_right_by_category"].values()
    assert figures["group_hate_signed_right"] == pytest.approx(sum(shares) / len(shares), abs=1e-3)
