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


def pinned(path: Path = REQUIREMENTS_IN) -> dict[str, Requirement] | None:
    """The lab's pins by package name, or None when ``path`` does not exist (a copy of the package
    installed without the project's files): the pins are then unknown, which is not the same as none."""
    if not path.is_file():
        return None
    requirements = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            requirements[requirement.name.lower()] = requirement
    return requirements


def report(packages=LAB_PACKAGES, path: Path = REQUIREMENTS_IN) -> list[dict]:
    """One row per package: installed version, the pin, and ``status``: "ok" (installed and within its pin,
    or not pinned), "MISMATCH", "missing", or "unknown" (installed, but the pins could not be read).
    ``ok`` is true for "ok" only."""
    pins = pinned(path)
    rows = []
    for name in packages:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        requirement = pins.get(name) if pins is not None else None
        if installed is None:
            status = "missing"
        elif pins is None:
            status = "unknown"
        elif requirement is None or requirement.specifier.contains(Version(re.sub(r"\+.*$", "", installed)),
                                                                   prereleases=True):
            status = "ok"
        else:
            status = "MISMATCH"
        rows.append({"package": name, "installed": installed or "missing",
                     "pinned": "unknown" if pins is None else str(requirement.specifier) if requirement else "",
                     "status": status, "ok": status == "ok"})
    return rows


def print_report(packages=LAB_PACKAGES, path: Path = REQUIREMENTS_IN) -> bool:
    """Print the report; true when every package is installed within its pin."""
    rows = report(packages, path)
    for row in rows:
        shown = row["status"] if row["status"] in ("ok", "unknown") else "MISMATCH"
        print(f"{row['package']:<13} {row['installed']:<14} {row['pinned']:<10} {shown}")
    bad = [row["package"] for row in rows if row["status"] in ("MISMATCH", "missing")]
    if bad:
        print(f"\nWARNING: {', '.join(bad)} differ from the lab's pins; results and checks may not match. "
              "Re-run the set-up (bash scripts/setup.sh) or use the course image.")
    if any(row["status"] == "unknown" for row in rows):
        print(f"\nThe lab's pins are unknown here ({path} not found): the installed versions were not compared. "
              "Compare them with the project's requirements.lock.")
    return all(row["ok"] for row in rows)


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
