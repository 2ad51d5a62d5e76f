"""The result every check returns, and the profile checks compare against."""
from __future__ import annotations

import html
import os
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
