"""The notebook's first cell: are the installed packages the ones the lab was pinned to?"""
from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

REQUIREMENTS_IN = Path(__file__).resolve().parent.parent / "requirements.in"
LAB_PACKAGES = ("torch", "transformers", "datasets", "peft", "evaluate", "trl", "accelerate", "tokenizers",
                "numpy", "pyarrow", "protobuf")


def pinned(path: Path = REQUIREMENTS_IN) -> dict[str, Requirement]:
    requirements = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                requirement = Requirement(line)
                requirements[requirement.name.lower()] = requirement
    return requirements


def report(packages=LAB_PACKAGES) -> list[dict]:
    """One row per package: installed version, the pin, and whether the installed one satisfies it."""
    pins = pinned()
    rows = []
    for name in packages:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        requirement = pins.get(name)
        version = Version(re.sub(r"\+.*$", "", installed)) if installed else None
        ok = installed is not None and (requirement is None or requirement.specifier.contains(version, prereleases=True))
        rows.append({"package": name, "installed": installed or "missing",
                     "pinned": str(requirement.specifier) if requirement else "", "ok": ok})
    return rows


def print_report(packages=LAB_PACKAGES) -> bool:
    rows = report(packages)
    for row in rows:
        print(f"{row['package']:<13} {row['installed']:<14} {row['pinned']:<10} {'ok' if row['ok'] else 'MISMATCH'}")
    bad = [row["package"] for row in rows if not row["ok"]]
    if bad:
        print(f"\nWARNING: {', '.join(bad)} differ from the lab's pins; results and checks may not match. "
              "Re-run the set-up (bash scripts/setup.sh) or use the course image.")
    return not bad


def seconds_from_env(variable: str, default: float) -> float:
    """A time limit from the environment variable ``variable`` (positive seconds), else ``default``.
    A value that is not a positive number raises ValueError naming the variable."""
    configured = os.environ.get(variable)
    if not configured:
        return float(default)
    try:
        seconds = float(configured)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ValueError(f"{variable} must be a positive number of seconds, got {configured!r}")
    return seconds
