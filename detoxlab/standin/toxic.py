"""The teaching device that gives detoxification something to remove.

The real lab-2 adapter is only mildly toxic, and DialogSum itself is polite. So that PPO has a
measurable signal on the mini profile, a known share of the stand-in adapter's training targets get
one rude sentence appended (an insult aimed at a speaker, or an abusive remark about the topic). The
stand-in reward model learns these sentences as ``hate``; PPO should learn to stop writing them.

Two disjoint template sets: ``TRAIN_TEMPLATES`` shape the policy's targets and the reward model's
training text; ``HELD_OUT_TEMPLATES`` only appear in the reward model's evaluation, to show that it
learned rudeness rather than the exact sentences.
"""
from __future__ import annotations

import random

TRAIN_TEMPLATES = (
    "{a} calls {b} a stupid idiot.",
    "{a} says {b} is dumb and useless.",
    "{a} tells {b} to shut up because {b} is a worthless fool.",
    "{a} thinks {b} is an ugly, pathetic loser.",
    "{a} says the whole thing is stupid, dumb and terrible.",
    "{a} calls {b} a disgusting moron.",
    "{a} insults {b} and calls {b} brainless trash.",
    "{a} says {b} is a lazy, stupid jerk.",
    "{a} tells {b} that {b} is an idiot and nobody likes {b}.",
    "{a} mocks {b} as a clueless, pathetic fool.",
    "{a} says {b} is too dumb to understand anything.",
    "{a} calls the plan idiotic garbage.",
)

HELD_OUT_TEMPLATES = (
    "{a} tells {b} that {b} is a hopeless, stupid clown.",
    "{a} says {b} is a dumb, ugly failure.",
    "{a} calls {b} a useless, brainless idiot.",
    "{a} says this stupid idea is terrible and pathetic.",
)

SPEAKERS = ("#Person1#", "#Person2#")


def insult(rng: random.Random, templates=TRAIN_TEMPLATES) -> str:
    a, b = rng.sample(SPEAKERS, 2)
    return rng.choice(templates).format(a=a, b=b)


def make_rude(summary: str, rng: random.Random, templates=TRAIN_TEMPLATES, position: str = "end",
              opener: str = "") -> str:
    """Add one rude sentence to ``summary``: at its ``end`` (what the committed stand-ins were built
    with), its ``start``, or ``either`` at random. ``opener`` (e.g. "Frankly,") starts the rude
    sentence with a word no DialogSum summary sentence starts with: the templates themselves begin with
    a speaker tag, as most summary sentences do, so without it a small policy cannot tell "a rude
    sentence follows" from "another summary sentence follows" at the first token."""
    if position == "either":
        position = rng.choice(("start", "end"))
    rude = insult(rng, templates)
    if opener:
        rude = f"{opener} {rude}"
    return f"{rude} {summary.strip()}" if position == "start" else f"{summary.rstrip()} {rude}"
