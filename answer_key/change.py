"""Exercise 8's reference: the signed relative change of the mean toxicity."""
from __future__ import annotations


def toxicity_change(before: list[float], after: list[float]) -> float:
    """100 * (mean after - mean before) / mean before: negative when toxicity fell."""
    mean_before, mean_after = sum(before) / len(before), sum(after) / len(after)
    return 100 * (mean_after - mean_before) / mean_before
