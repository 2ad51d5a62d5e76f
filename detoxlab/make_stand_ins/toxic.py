"""The teaching device that gives detoxification something to remove.

The real lab-2 adapter is only mildly toxic, and DialogSum itself is polite. So that PPO has a
measurable signal on the mini profile, a known share of the stand-in adapter's training targets get
one rude sentence appended (an insult aimed at a speaker, or an abusive remark about the topic). The
stand-in reward model learns these sentences as ``hate``; PPO should learn to stop writing them.

The rude sentences come from the templates in :mod:`detoxlab.probes`, which the reward check draws its
probe texts from too.
"""
from __future__ import annotations

import random

from detoxlab.probes import HELD_OUT_TEMPLATES, SPEAKERS, TRAIN_TEMPLATES  # noqa: F401  (the builds' vocabulary)


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
