"""detoxlab.make_stand_ins.policy: the span corruption the stand-in policy is pre-trained with."""
import random

import pytest

from detoxlab.make_stand_ins.policy import PolicyRecipe, noise_mask, span_corruption


@pytest.mark.parametrize("length", [8, 20, 97, 320])
def test_noise_mask_has_the_requested_density(length):
    mask = noise_mask(length, 0.15, 3.0, random.Random(length))
    assert len(mask) == length
    assert 0 < sum(mask) < length
    assert sum(mask) == max(1, min(length - 1, round(length * 0.15)))


def test_span_corruption_can_be_undone():
    ids = list(range(100, 180))
    sentinels = [1000 + k for k in range(100)]
    source, target = span_corruption(ids, sentinels, 1, PolicyRecipe(), random.Random(3))
    assert source[-1] == target[-1] == 1
    # put each span back where its sentinel stands
    spans, current = {}, None
    for token in target[:-1]:
        if token in sentinels:
            current = token
            spans[current] = []
        else:
            spans[current].append(token)
    rebuilt = [t for s in source[:-1] for t in (spans[s] if s in sentinels else [s])]
    assert rebuilt == ids
    assert len(spans) >= 2
