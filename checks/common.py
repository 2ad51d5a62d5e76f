"""Small helpers the checks share: plain numbers from whatever the student's code returned, digests."""
from __future__ import annotations

import hashlib
import json
import math
from numbers import Real


def number(value, what: str) -> float:
    """A finite float from a Python, numpy or torch scalar (or a one-element list/tensor)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__} {str(value)[:60]!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} is {value}: it must be a finite number")
    return value


def numbers(values, what: str) -> list[float]:
    """A list of finite floats from a list, tuple, numpy array or tensor."""
    if hasattr(values, "tolist"):
        values = values.tolist()
    if values is None or isinstance(values, (str, bytes, dict, Real)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} must be a list of numbers, got {type(values).__name__}")
    return [number(v, f"{what}[{i}]") for i, v in enumerate(values)]


def digest(value) -> str:
    """sha256 of a JSON-able value (lists of strings or token ids): equal digests, equal contents."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance


def plain(value, depth: int = 0, max_items: int = 200):
    """A JSON-able, size-capped copy of whatever a student's function returned (for messages): at most
    ``max_items`` items of each list and nesting deeper than 3 - ``depth`` levels shown by repr."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if depth > 3:
        return repr(value)[:100]
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1, max_items) for k, v in list(value.items())[:20]}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1, max_items) for v in list(value)[:max_items]]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value if not isinstance(value, str) else value[:2000]
    return repr(value)[:200]
