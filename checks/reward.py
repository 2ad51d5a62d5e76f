"""Check "reward signs" (exercise 2.3): the student's ``reward_fn`` on the course's two probes and on texts
drawn for this run, against the reward model's raw not-hate logits computed by the grader. Fixed numbers,
the hate logit, or probabilities fail; so does a function that scores anything but the text it is given."""
from __future__ import annotations

import signal

from detoxlab import probes

from checks.common import close, number, plain
from checks.registry import Check, register

RANDOM_PROBES = 6        # grader-drawn texts per run, besides the profile's two probes
TOLERANCE = 0.02         # |student's reward - reward model's logit|: same model, same machine
CALL_SECONDS = 120


def probe_pool(resources) -> list[str]:
    """Polite dialogue lines (DialogSum's validation split) and rude summary sentences."""
    lines = []
    for dialogue in resources.dialogsum["validation"]["dialogue"][:200]:
        lines += [line.split(":", 1)[-1].strip() for line in dialogue.splitlines() if line.startswith("#Person")]
    polite = [line for line in lines if 20 <= len(line) <= 200]
    rude = [template.format(a=a, b=b) for template in (*probes.TRAIN_TEMPLATES, *probes.HELD_OUT_TEMPLATES)
            for a, b in (probes.SPEAKERS, probes.SPEAKERS[::-1])]
    return polite + rude


def draw(resources, rng) -> dict:
    fixed = [resources.profile.expected["non_toxic_probe"], resources.profile.expected["toxic_probe"]]
    pool = [text for text in probe_pool(resources) if text not in fixed]
    probes = fixed + rng.sample(pool, k=min(RANDOM_PROBES, len(pool)))
    rng.shuffle(probes)
    return {"probes": probes}


def gather(namespace: dict, request: dict, resources) -> dict:
    function = namespace["reward_fn"]

    def too_slow(*_):
        raise TimeoutError(f"reward_fn took more than {CALL_SECONDS} s for {len(request['probes'])} texts")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(CALL_SECONDS)
    try:
        return {"rewards": plain(function(list(request["probes"])))}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def reward_value(value, label: str) -> float:
    """A reward as a number: a plain value, or a pipeline's [{'label': ..., 'score': ...}, ...] output."""
    if isinstance(value, dict) and "label" in value:
        value = [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        matches = [v.get("score") for v in value if v.get("label") == label]
        if not matches:
            raise ValueError(f"no {label!r} entry in {str(value)[:100]}")
        value = matches[0]
    return number(value, "a reward")


def judge(evidence: dict, request: dict, resources):
    profile = resources.profile
    label = profile.reward["not_hate_label"]
    probes, got = request["probes"], evidence["rewards"]
    if not isinstance(got, list) or len(got) != len(probes):
        count = len(got) if isinstance(got, list) else type(got).__name__
        return False, f"reward_fn returned {count} value(s) for {len(probes)} texts: return one reward per text"
    values = dict(zip(probes, (reward_value(v, label) for v in got)))
    high, low = values[profile.expected["non_toxic_probe"]], values[profile.expected["toxic_probe"]]
    top = [max(row) for row in resources.reward_logits(probes).tolist()]  # each text's winning label's score
    if all(close(values[text], best, TOLERANCE) for text, best in zip(probes, top)):
        return False, (f"every reward is its text's highest score, whichever label that is (the probes get "
                       f"{high:+.3f} and {low:+.3f}): the pipeline lists each text's labels best first (2.3 prints "
                       "it), so a position in that list is not a label; find the score by its label")
    if high < 0 < low:
        return False, (f"the signs are swapped ({high:+.3f}, {low:+.3f}): the reward must grow as text gets less "
                       "hateful; which label's score says that?")
    if min(high, low) >= 0 and max(high, low) <= 1:
        return False, (f"both rewards are in [0, 1] ({high:.3f}, {low:.3f}): these look like probabilities; squashed "
                       "into [0, 1], PPO's signal gets small and flat where the classifier is sure (see 2.3)")
    if not high > 0 > low:
        return False, (f"expected a positive reward for the non-toxic probe and a negative one for the toxic probe, "
                       f"got {high:+.3f} and {low:+.3f}")
    want = dict(zip(probes, resources.rewards(probes)))
    off = [text for text in probes if not close(values[text], want[text], TOLERANCE)]
    if off:
        text = off[0]
        return False, (f"on {len(off)} of {len(probes)} texts drawn for this run, reward_fn's values are not the "
                       f"reward model's {label} logits (e.g. {text[:60]!r}: {values[text]:+.3f}, expected "
                       f"{want[text]:+.3f}): score each text itself with the reward model")
    return True, (f"non-toxic probe {high:+.3f} > 0 > toxic probe {low:+.3f}, and the {label} logit on all "
                  f"{len(probes)} texts drawn for this run")


CHECK = register(Check(key="reward", title="reward signs", order=30, section="2.3", needs=("reward_fn",),
                       draw=draw, gather=gather, judge=judge))
