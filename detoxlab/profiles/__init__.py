"""Profiles: the lab's settings as data (one TOML file each), read into typed sections (schema.py).

Code reads a profile's values; it never branches on a profile's name. ``mini`` and ``full`` ship in
this directory; any other TOML file with the same keys can be named by path.
"""
from __future__ import annotations

import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from detoxlab.profiles.schema import (POLICY_DTYPES, SECTIONS, Assets, Data, Evaluation, Expected, Generation, Lora,
                                      Method, Policy, Ppo, ProfileError, Reward)


PROFILE_DIR = Path(__file__).parent
PACKAGE_DIR = PROFILE_DIR.parent
DEFAULT_PROFILE = "mini"
ASSETS_DIR_ENV = "DETOXLAB_ASSETS_DIR"
DEFAULT_ASSETS_DIR = Path.home() / ".cache" / "detoxlab" / "assets"
SECTION_TYPES = {section.table: section for section in SECTIONS}  # [table] -> its type
EVERY_METHOD = "*"  # in an override's key, method.*.KEY: every [method.NAME] table
HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class Profile:
    """A profile's settings, one typed section per TOML table; ``method`` maps each [method.NAME]
    table's name to its ``Method``."""
    name: str
    description: str
    path: Path
    data: Data
    policy: Policy
    lora: Lora
    reward: Reward
    ppo: Ppo
    method: dict[str, Method]
    generation: Generation
    evaluation: Evaluation
    expected: Expected
    assets: Assets = field(default_factory=Assets)
    overrides: dict = field(default_factory=dict)

    def location(self, value: str) -> str:
        """Where a model lives: a package path, an asset directory, the hub cache's snapshot of the commit
        the profile pins (so that loading by this location gets that commit, offline too), or the hub id."""
        if value.startswith("assets:"):
            return str(Path(os.environ.get(ASSETS_DIR_ENV, DEFAULT_ASSETS_DIR)) / self.name / value[len("assets:"):])
        if value.startswith("package:"):
            return str(PACKAGE_DIR / value[len("package:"):])
        return self._pinned_snapshot(value) or value

    def _pinned_snapshot(self, repo_id: str) -> str | None:
        """The cached snapshot of ``repo_id`` at the commit its section pins (``policy.revision`` for
        ``policy.base_model``, ``reward.revision`` for ``reward.model``), if the hub cache holds it.
        ``from_pretrained(repo_id)`` alone would ask for "main", which a cache filled at a commit does not
        name; a branch revision is left to the hub id (the cache records the branch)."""
        revision = (self.policy.revision if repo_id == self.policy.base_model
                    else self.reward.revision if repo_id == self.reward.model else None)
        if not (revision and len(revision) == 40 and set(revision) <= HEX):
            return None
        from huggingface_hub import try_to_load_from_cache

        # HF_HUB_CACHE as it is now (huggingface_hub reads it once, at import)
        config = try_to_load_from_cache(repo_id, "config.json", revision=revision,
                                        cache_dir=os.environ.get("HF_HUB_CACHE") or None)
        return str(Path(config).parent) if isinstance(config, str) else None

    def as_dict(self) -> dict:
        hub = {repo: dict(files) for repo, files in self.assets.hub.items()}
        return ({table: dict(getattr(self, table)) for table in SECTION_TYPES}
                | {"method": {name: dict(settings) for name, settings in self.method.items()},
                   "assets": {**dict(self.assets), "hub": hub}, "name": self.name})


def available() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))


def _sections(raw: dict) -> dict:
    """The typed sections of a parsed profile, each checked by its type."""
    sections = {table: kind.from_table(raw.get(table)) for table, kind in SECTION_TYPES.items()}
    methods = raw.get("method")
    if not isinstance(methods, dict) or not methods:
        raise ProfileError("missing [method.NAME] tables", key="method", hint=f"keys: {', '.join(Method.keys_help())}")
    sections["method"] = {name: Method.from_table(table, name) for name, table in methods.items()}
    if sections["ppo"].method not in methods:
        raise ProfileError(f"ppo.method {sections['ppo'].method!r} is not one of {', '.join(methods)}", key="ppo.method")
    sections["assets"] = Assets.from_table(raw.get("assets", {}))
    unknown = sorted(set(raw) - {*sections, "name", "description"})
    if unknown:
        raise ProfileError(f"unknown table(s) {', '.join(unknown)}", key=unknown[0])
    return sections


def steps_override(steps: int | None) -> dict:
    """The override that gives every method ``steps`` PPO steps (none when ``steps`` is None): how a
    step count chosen at run time reaches the profile."""
    return {} if steps is None else {f"method.{EVERY_METHOD}.steps": steps}


def _parse_override(raw: dict, dotted: str, value, source: str) -> None:
    section, _, key = dotted.partition(".")
    if section == "method":
        name, _, key = key.partition(".")
        methods = raw.get("method", {})
        names = list(methods) if name == EVERY_METHOD else [name]
        if not names or key not in Method.keys_help() or any(n not in methods for n in names):
            raise ProfileError(f"cannot override unknown key {dotted!r}", key=dotted, path=source)
        targets, kind = [methods[n] for n in names], Method
    elif section not in SECTION_TYPES or key not in SECTION_TYPES[section].keys_help():
        raise ProfileError(f"cannot override unknown key {dotted!r}", key=dotted, path=source)
    else:
        targets, kind = [raw.setdefault(section, {})], SECTION_TYPES[section]
    wanted = typing.get_type_hints(kind)[key]
    if isinstance(value, str) and wanted is not str:  # "3" from a command line: read as a TOML value
        try:
            value = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError as error:
            raise ProfileError(f"override {dotted}={value!r} is not a valid {getattr(wanted, '__name__', wanted)}",
                               key=dotted, path=source) from error
    for target in targets:
        target[key] = value


def load_profile(name_or_path: str | os.PathLike = DEFAULT_PROFILE, overrides: dict | None = None) -> Profile:
    """Read and check a profile by name (``mini``, ``full``) or by path to a TOML file.

    ``overrides`` maps dotted keys to values (``{"method.corrected.steps": 2}``; ``method.*.steps`` sets
    every method's; strings are parsed as TOML values), applied before the checks so a bad override is
    reported like a bad file.
    """
    candidate = Path(name_or_path)
    path = candidate if candidate.suffix == ".toml" else PROFILE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ProfileError(f"unknown profile {str(name_or_path)!r}: choose one of {', '.join(available())} "
                           "or give the path of a .toml profile")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProfileError("not valid TOML", path=path, hint=str(error)) from error
    for dotted, value in (overrides or {}).items():
        _parse_override(raw, dotted, value, path.name)
    try:
        sections = _sections(raw)
    except ProfileError as error:  # the sections know the key; the file is named here
        raise ProfileError(error.message, key=error.key, path=path.name, hint=error.hint) from None
    return Profile(name=raw.get("name", path.stem), description=raw.get("description", ""), path=path,
                   overrides=dict(overrides or {}), **sections)
