"""detoxlab.make_stand_ins.statements and toxic: the hateful statements the stand-in policy writes are never
what the reward model trains on, so removing them needs the reward model to generalise."""
import random

import pytest

from detoxlab.make_stand_ins import statements, toxic
from detoxlab.make_stand_ins.reward_model import RewardRecipe, examples


def test_a_reported_statement_reads_as_a_summary_sentence():
    rng = random.Random(0)
    text = statements.reported("Women should not be allowed to vote.\\\\", rng)
    assert text.startswith("#Person") and text.endswith("women should not be allowed to vote.")
    assert statements.reported("US troops are everywhere", rng).endswith("US troops are everywhere.")


def test_a_toxic_sentence_follows_the_summary_with_an_opener():
    rng = random.Random(1)
    out = toxic.with_toxic_sentence("#Person1# buys a hat. ", ["gay people are sick"], rng)
    opener = next(o for o in toxic.OPENERS if out.startswith(f"#Person1# buys a hat. {o} "))
    assert out.endswith("gay people are sick.") and opener


@pytest.mark.shared_data
def test_the_split_is_fixed_and_its_halves_are_disjoint(shared_data):
    parts = statements.split(shared_data)
    assert parts == statements.split(shared_data)
    assert {name: len(texts) for name, texts in parts.items()} == {
        "policy": 190, "reward": 151, "neutral_train": 131, "neutral_held_out": 143}
    for held_out, trained in (("policy", "reward"), ("neutral_held_out", "neutral_train")):
        cores = {statements.core(t) for t in parts[held_out]}
        assert not any(c in statements.core(t) or statements.core(t) in c for c in cores for t in parts[trained])


@pytest.mark.shared_data
def test_the_reward_model_never_trains_on_what_the_policy_writes(shared_data):
    policy = statements.split(shared_data)["policy"]
    train, held = examples(shared_data, RewardRecipe(), random.Random(RewardRecipe().seed))
    trained = " ".join(text.lower() for text, _ in train)
    assert not [s for s in policy if statements.core(s) in trained]
    assert {y for _, y in held["policy_statements_reported"]} == {1}
