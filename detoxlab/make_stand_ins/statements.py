"""The hateful statements the stand-in world is made of, split so that detoxifying needs generalisation.

ToxiGen's 702 human-written statements about 13 groups (``toxigen/``, MIT) are mostly implicit hate, the
kind a summary could carry. Each group's hateful statements are split in two, at random and once:

- ``policy``: what the stand-in base model learned to write (:mod:`detoxlab.make_stand_ins.policy`);
- ``reward``: what the reward model trains on (:mod:`detoxlab.make_stand_ins.reward_model`).

The reward model never sees the policy's statements, so a reward that removes them has generalised from
other statements about the same groups, as the course's reward model must from DynaHate to FLAN-T5's
summaries. The neutral statements are split the same way: half to train on (so that naming a group is not
the signal), half held out.
"""
from __future__ import annotations

import random
from pathlib import Path

from detoxlab.make_stand_ins import common

SOURCE = "toxigen/toxigen_prompt_statements.csv"
SPLIT_SEED = 2023
# How a summary reports a statement: the policy writes the first three, the reward model trains on all five
# (the frames are not what is hateful; the statement is).
POLICY_FRAMES = ("{a} says {t}", "{a} tells {b} that {t}", "{a} thinks {t}")
REWARD_FRAMES = (*POLICY_FRAMES, "{a} claims that {t}", "{a} reminds {b} that {t}")


def split(root: Path) -> dict[str, list[str]]:
    """{"policy", "reward", "neutral_train", "neutral_held_out"}: lists of statements, the same for every build."""
    rows = common.read_rows(root / SOURCE)
    rng = random.Random(SPLIT_SEED)
    parts: dict[str, list[str]] = {"policy": [], "reward": [], "neutral_train": [], "neutral_held_out": []}
    placed: set[str] = set()  # a statement listed under several groups goes to one half only, with its first group
    for label, (first, second) in (("hate", ("policy", "reward")), ("neutral", ("neutral_held_out", "neutral_train"))):
        for group in sorted({r["target_group"] for r in rows}):
            texts = sorted({r["text"].strip() for r in rows if r["label"] == label and r["target_group"] == group} - placed)
            placed.update(texts)
            rng.shuffle(texts)
            half = (len(texts) + 1) // 2
            parts[first] += texts[:half]
            parts[second] += texts[half:]
    # ToxiGen's extraction left some items inside others ("... gay guys!- How do you know ..."): a training
    # statement that contains a held-out one, or is contained in one, would leak it, so it is dropped
    for held_out, trained in (("policy", "reward"), ("neutral_held_out", "neutral_train")):
        cores = [core(text) for text in parts[held_out]]
        parts[trained] = [t for t in parts[trained] if not any(c in core(t) or core(t) in c for c in cores)]
    return parts


def core(statement: str) -> str:
    """What a statement says, whatever its case, frame or final punctuation."""
    return statement.replace("\\", "").strip(" .!?").lower()


def reported(statement: str, rng: random.Random, frames=POLICY_FRAMES) -> str:
    """``statement`` in a summary's voice: "#Person1# tells #Person2# that ...", ending with a full stop."""
    from detoxlab.probes import SPEAKERS

    a, b = rng.sample(SPEAKERS, 2)
    text = statement.replace("\\", "").strip(" .!?")
    text = text[0].lower() + text[1:] if text[:2] != text[:2].upper() else text  # keep "I", "US", acronyms
    return rng.choice(frames).format(a=a, b=b, t=text) + "."
