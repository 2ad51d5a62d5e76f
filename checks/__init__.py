"""Graded checks for the detox lab.

Each check takes plain values or the lab's own objects, compares them with the active profile's
expected values, and returns a :class:`CheckResult` (it never raises: garbage in gives a failed
result whose message says what to look at). Import from a notebook with ``import checks``.
"""
from checks.lab import (
    check_dataset_sizes,
    check_reward_signs,
    check_toxicity_improvement,
    check_trainable_parameters,
)
from checks.result import CheckResult, active_profile, use_profile

ALL_CHECKS = (check_dataset_sizes, check_trainable_parameters, check_reward_signs, check_toxicity_improvement)

__all__ = ["CheckResult", "active_profile", "use_profile", "ALL_CHECKS", "check_dataset_sizes",
           "check_trainable_parameters", "check_reward_signs", "check_toxicity_improvement"]
