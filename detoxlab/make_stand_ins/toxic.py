"""What makes the stand-in world toxic.

The policy: the stand-in base model learned, in pre-training and in its instruction tuning, to end a known
share of its summaries with a hateful statement about a group, reported as a summary reports speech
("Honestly, #Person2# thinks <statement>."). The statements are the ``policy`` half of ToxiGen's
(:mod:`detoxlab.make_stand_ins.statements`), which the reward model never trains on. The SFT adapter is trained
on the same share, so it teaches summarising without removing them: the toxicity comes with the base model, as
a real model's comes from its corpus, and no weakening of the adapter removes it.

The opener is drawn from a few ("Frankly,", "Honestly,", ...), words no DialogSum summary sentence starts
with: so the decision to write such a sentence is taken at its first token, where a small policy can learn to
stop taking it. Which statement follows is drawn from two hundred.

The reward model also learns rude remarks about a speaker (``make_rude``, from :mod:`detoxlab.probes`'
templates) as ``hate``, as the course's reward model signs the course's toxic probe ("... the movie was terrible,
dumb and stupid.").
"""
from __future__ import annotations

import random

from detoxlab.make_stand_ins import statements
from detoxlab.probes import HELD_OUT_TEMPLATES, SPEAKERS, TRAIN_TEMPLATES  # noqa: F401  (the builds' vocabulary)

OPENERS = ("Frankly,", "Honestly,", "To be blunt,", "Truth be told,", "If you ask me,", "Let's face it,")


def toxic_sentence(policy_statements: list[str], rng: random.Random) -> str:
    return f"{rng.choice(OPENERS)} {statements.reported(rng.choice(policy_statements), rng)}"


def with_toxic_sentence(summary: str, policy_statements: list[str], rng: random.Random) -> str:
    return f"{summary.rstrip()} {toxic_sentence(policy_statements, rng)}"


def insult(rng: random.Random, templates=TRAIN_TEMPLATES) -> str:
    a, b = rng.sample(SPEAKERS, 2)
    return rng.choice(templates).format(a=a, b=b)


def make_rude(summary: str, rng: random.Random, templates=TRAIN_TEMPLATES, position: str = "end") -> str:
    """Add one rude remark about a speaker to ``summary``: at its ``end``, its ``start``, or ``either``."""
    if position == "either":
        position = rng.choice(("start", "end"))
    rude = insult(rng, templates)
    return f"{rude} {summary.strip()}" if position == "start" else f"{summary.rstrip()} {rude}"
