"""detoxlab.make_stand_ins.toxic: the rude sentences the stand-ins learn toxicity from."""
import random

from detoxlab.make_stand_ins import toxic


def test_rude_sentence_goes_where_asked_and_names_the_speakers():
    rng = random.Random(0)
    summary = "#Person1# buys a hat."
    first = toxic.make_rude(summary, rng, position="start")
    assert first.endswith(" " + summary) and first.startswith("#Person")
    last = toxic.make_rude(summary, rng)
    assert last.startswith(summary + " ") and "#Person" in last[len(summary):]
    both = {toxic.make_rude(summary, rng, position="either").startswith(summary) for _ in range(20)}
    assert both == {True, False}
    assert not set(toxic.TRAIN_TEMPLATES) & set(toxic.HELD_OUT_TEMPLATES)
