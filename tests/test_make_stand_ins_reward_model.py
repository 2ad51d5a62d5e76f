"""detoxlab.make_stand_ins.reward_model: the DynaHate split the stand-in reward model is trained and measured on,
and the no-pre-training baseline measured on the same split (scripts/dynahate_ceiling.py)."""
import random
import runpy
from pathlib import Path

import pytest

from detoxlab.make_stand_ins.reward_model import RewardRecipe, dynahate_split

CEILING = Path(__file__).resolve().parent.parent / "scripts" / "dynahate_ceiling.py"


@pytest.mark.shared_data
def test_the_split_is_seeded_and_holds_out_half_of_db_test(shared_data):
    train, held = dynahate_split(shared_data, random.Random(RewardRecipe().seed))
    again_train, again_held = dynahate_split(shared_data, random.Random(RewardRecipe().seed))
    assert (train, held) == (again_train, again_held)
    assert (len(train), len(held)) == (5291, 1786)  # 3,506 db_dev rows + 1,785 of db_test's 3,571
    assert all(label in (0, 1) for _, label in train + held)


def test_character_grams_stay_within_words_and_the_buckets():
    ceiling = runpy.run_path(str(CEILING))
    counts = ceiling["grams"]("Hi yo")
    assert sum(counts.values()) == sum(len(f" {w} ") - n + 1 for w in ("hi", "yo") for n in (1, 2, 3, 4))
    assert all(0 <= bucket < ceiling["BUCKETS"] for bucket in counts)


@pytest.mark.slow
@pytest.mark.shared_data
def test_the_baseline_learns_something_from_the_split(shared_data, monkeypatch):
    monkeypatch.setenv("DETOXLAB_DATA_DIR", str(shared_data))
    figures = runpy.run_path(str(CEILING))["main"]()
    assert figures["majority_baseline"] + 0.05 < figures["char_ngram_logistic_regression_accuracy"] < 0.9
