"""The result every check returns, and the profile checks compare against."""
from __future__ import annotations

import functools
import html
import os
import traceback
from dataclasses import asdict, dataclass

PROFILE_ENV = "DETOXLAB_PROFILE"
_active = {"profile": None}


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    score: float
    max_score: float
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    def status_line(self) -> str:
        """The verdict without the message (stable across machines; the message may quote measured floats)."""
        return f"[{'PASSED' if self.passed else 'FAILED'}] {self.name} ({self.score:g}/{self.max_score:g})"

    def __str__(self) -> str:
        return f"{self.status_line()}: {self.message}"

    def _repr_html_(self) -> str:
        colour = "#1b7f3b" if self.passed else "#b00020"
        mark = "&#10004; passed" if self.passed else "&#10008; failed"
        return (f'<div style="border-left:4px solid {colour};padding:2px 8px"><b>{html.escape(self.name)}</b> '
                f'<span style="color:{colour}">{mark}</span> ({self.score:g}/{self.max_score:g})<br>'
                f"{html.escape(self.message)}</div>")


def use_profile(profile) -> None:
    """Make ``profile`` (a name, a path, or a loaded profile) the one checks compare against."""
    from detoxlab.profiles import load_profile

    _active["profile"] = profile if hasattr(profile, "expected") else load_profile(profile)


def active_profile():
    """The profile set by :func:`use_profile`, else the one named by DETOXLAB_PROFILE, else ``mini``."""
    if _active["profile"] is None:
        use_profile(os.environ.get(PROFILE_ENV, "mini"))
    return _active["profile"]


def check(name: str, max_score: float = 1.0):
    """Decorator: the function returns (passed, message); any exception becomes a failed result."""
    def wrap(function):
        @functools.wraps(function)
        def run(*args, **kwargs) -> CheckResult:
            try:
                passed, message = function(*args, **kwargs)
            except Exception as error:  # a check never raises; the message says what went wrong
                detail = traceback.format_exception_only(type(error), error)[-1].strip()
                return CheckResult(name, False, 0.0, max_score, f"could not check this ({detail})")
            return CheckResult(name, bool(passed), max_score if passed else 0.0, max_score, message)
        run.check_name = name
        return run
    return wrap
