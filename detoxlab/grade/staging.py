"""Copies of what a kernel must read but its user may not: the profile's model folders and the data.

As root a submission runs as a user id of its own, which may have no permission to read the models and
data where they lie (under a private home, in a mode-700 folder). :func:`stage_profile` writes a copy
of the profile whose local model folders point at copies in the sandbox, and :func:`stage_data` copies
the CSVs that ``DETOXLAB_DATA_DIR`` names. Large world-readable files are hard-linked, not copied.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tomllib
from functools import partial
from pathlib import Path

from detoxlab.grade.view import STAGED_LOCATIONS, data_files

LINK_MIN_BYTES = 2**20           # staged model files at least this large are hard-linked (as root), not copied


def _toml(data: dict, prefix: str = "") -> str:
    """A small TOML writer for profiles (strings, numbers, booleans, lists of those, nested tables)."""
    # Hand-written: no TOML writer is among the project's dependencies (tomllib only reads).
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(f"cannot write {type(v).__name__} to TOML")
    lines = [f"{json.dumps(k)} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            name = f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)
            lines.append(f"\n[{name}]\n{_toml(table, name)}")
    return "\n".join(lines)


def link_or_copy(source: str, target: str, may_link: bool) -> str:
    """``source`` at ``target``: hard-linked where ``may_link`` (as root) and the file is large, readable
    by others and writable by no one else, else copied (with its metadata)."""
    info = os.stat(source)
    mode = info.st_mode  # only large files are linked: small ones (lock files, configs) may be written
    if may_link and info.st_size >= LINK_MIN_BYTES and mode & stat.S_IROTH \
            and not mode & (stat.S_IWOTH | stat.S_IWGRP):
        try:
            os.link(source, target)
            return target
        except OSError:
            pass
    return shutil.copy2(source, target)


def stage_profile(sandbox, profile) -> Path:
    """A copy of the profile whose local model folders are copies in the sandbox (owned by its user), without
    the optional experiment's setting.

    The kernel reads models it may have no permission to read in place, and libraries that write
    beside a model (evaluate's lock files) write into the copy, never into the project. As root,
    world-readable files are hard-linked instead of copied (they stay read-only to the sandbox user).
    """
    raw = tomllib.loads(Path(profile.path).read_text(encoding="utf-8"))
    assets = sandbox.root / "assets"
    assets.mkdir(mode=0o755)
    for section, key in STAGED_LOCATIONS:
        value = raw.get(section, {}).get(key)
        location = Path(profile.location(value)) if value else None
        if location is None or not location.is_dir():
            continue
        target = assets / f"{section}.{key}" / location.name   # evaluate wants <folder>/<folder>.py
        target.parent.mkdir(mode=0o755)
        shutil.copytree(location, target, copy_function=partial(link_or_copy, may_link=sandbox.isolate_user),
                        symlinks=False)
        raw[section][key] = str(target)
    # 3.2's optional experiment (a second PPO run) grades nothing: the staged profile leaves it out, so a
    # notebook that keeps the profile's default skips it and the submission costs one PPO run, not two
    raw.get("ppo", {}).pop("experiment_kl_coef", None)
    staged = sandbox.root / f"profile-{profile.name}.toml"
    staged.write_text(f"# {profile.path.name}, with local model folders staged for grading\n{_toml(raw)}\n",
                      encoding="utf-8")
    if tomllib.loads(staged.read_text(encoding="utf-8")) != raw:  # the writer above is small: verify it
        raise RuntimeError(f"could not stage profile {profile.path}")
    sandbox.give(assets)  # copied files become the sandbox's; hard links stay root's (give skips them)
    sandbox.give(staged)
    stage_data(sandbox, profile)
    return staged


def stage_data(sandbox, profile) -> Path | None:
    """As root, the DialogSum CSVs that ``DETOXLAB_DATA_DIR`` names, staged in the sandbox (hard-linked
    when world-readable, else copied and given to the sandbox's user), with the kernel's
    ``DETOXLAB_DATA_DIR`` pointed at them: the submission's user reads them wherever they lie (under a
    private home, in a mode-700 folder). As an ordinary user the kernel reads them in place."""
    files = data_files(profile)
    if not sandbox.isolate_user or not files:
        return None
    target = sandbox.root / "data"
    target.mkdir(mode=0o755)
    for source in files:
        link_or_copy(source, str(target / Path(source).name), may_link=True)
    sandbox.give(target)
    sandbox.data_dir = target
    return target
