"""Check "signed change" (exercise 3.3): the student's ``toxicity_change`` on before/after scores drawn for
this run: the relative change of the mean, in percent, negative when toxicity fell (the original printed a
worsening as "-54.67% improvement")."""
from __future__ import annotations

from checks.common import number
from checks.registry import Check, register

TOLERANCE = 1e-6  # relative: the same arithmetic in another order, not another formula


def draw(resources, rng) -> dict:
    size = rng.randrange(5, 30)
    before = [round(rng.uniform(0.05, 0.9), 4) for _ in range(size)]
    after = [round(min(1.0, max(0.0, b + rng.uniform(-0.5, 0.4))), 4) for b in before]
    return {"before": before, "after": after}


def gather(namespace: dict, request: dict, resources) -> dict:
    return {"change": number(namespace["toxicity_change"](list(request["before"]), list(request["after"])),
                             "toxicity_change(...)")}


def expected(request: dict, resources) -> dict:
    from answer_key.change import toxicity_change

    return {"change": toxicity_change(request["before"], request["after"])}


def judge(evidence: dict, request: dict, resources, reference: dict):
    before, after = request["before"], request["after"]
    mean_before, mean_after = sum(before) / len(before), sum(after) / len(after)
    want = reference["change"]
    got = evidence["change"]
    if abs(got - want) <= TOLERANCE * max(1.0, abs(want)):
        return True, f"{want:+.2f}% for means {mean_before:.4f} -> {mean_after:.4f} drawn for this run"
    if abs(got + want) <= TOLERANCE * max(1.0, abs(want)):
        return False, f"the sign is flipped ({got:+.2f}%, expected {want:+.2f}%): negative means toxicity fell"
    return False, (f"toxicity_change gave {got:+.4f} for means {mean_before:.4f} -> {mean_after:.4f}, expected "
                   f"{want:+.4f}: the change is relative to the mean before PPO, in percent")


CHECK = register(Check(key="change", title="signed change", order=80, section="3.3",
                       needs=("toxicity_change",), draw=draw, gather=gather, judge=judge, expected=expected))
