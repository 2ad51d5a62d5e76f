"""Profiles: the lab's settings as data (one TOML file each), validated against one schema on load.

Code reads a profile's values; it never branches on a profile's name. ``mini`` and ``full`` ship in
this directory; any other TOML file with the same keys can be named by path.
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from detoxlab.errors import DetoxlabError

PROFILE_DIR = Path(__file__).parent
PACKAGE_DIR = PROFILE_DIR.parent
DEFAULT_PROFILE = "mini"
ASSETS_DIR_ENV = "DETOXLAB_ASSETS_DIR"
DEFAULT_ASSETS_DIR = Path.home() / ".cache" / "detoxlab" / "assets"

# section -> key -> (type, help). Optional keys are listed in OPTIONAL.
SCHEMA: dict[str, dict[str, tuple[type | tuple, str]]] = {
    "data": {
        "source": (str, "'embedded' (the project's sample) or 'hub' (datasets.load_dataset)"),
        "hub_id": (str, "DialogSum's id on the Hugging Face hub"),
        "min_dialogue_chars": (int, "keep dialogues strictly longer than this"),
        "max_dialogue_chars": (int, "keep dialogues at most this long"),
        "prompt_template": (str, "the instruction wrapped around each dialogue; must contain {dialogue}"),
        "test_size": (float, "share of the filtered rows held out as the lab's test split"),
        "split_seed": (int, "seed of train_test_split (the split is unshuffled, as in the course)"),
    },
    "policy": {
        "base_model": (str, "hub id, 'assets:NAME' or 'package:PATH'"),
        "adapter": (str, "the lab-2 LoRA checkpoint: hub id, 'assets:NAME' or 'package:PATH'"),
        "revision": (str, "hub revision of base_model (empty for local directories)"),
        "adapter_s3_uri": (str, "where `detoxlab assets fetch` downloads the adapter from"),
        "dtype": (str, "what the base model's weights are loaded as: 'bfloat16' (the course) or 'float32'; "
                       "the LoRA weights and the value head stay float32 either way"),
    },
    "lora": {
        "r": (int, "LoRA rank"),
        "alpha": (int, "LoRA alpha"),
        "target_modules": (list, "modules that get adapters (T5: q, v)"),
        "dropout": (float, "LoRA dropout"),
        "task_type": (str, "peft TaskType name"),
    },
    "reward": {
        "model": (str, "hate-speech classifier: hub id, 'assets:NAME' or 'package:PATH'"),
        "revision": (str, "hub revision of the reward model (empty for local directories)"),
        "toxicity_module": (str, "evaluate measurement module ('package:PATH' or a hub name)"),
        "not_hate_label": (str, "label whose raw logit is the PPO reward"),
        "hate_label": (str, "label whose probability is the toxicity"),
    },
    "ppo": {
        "mini_batch_size": (int, "PPO mini-batch size"),
        "batch_size": (int, "prompts per PPO step"),
        "method": (str, "the method the lab uses by default: a key of [method]"),
    },
    "generation": {
        "min_length": (int, "minimum generated length"),
        "top_k": (int, "0 disables top-k filtering (pure sampling)"),
        "top_p": (float, "1.0 disables nucleus filtering"),
        "do_sample": (bool, "sample rather than decode greedily"),
        "output_min_length": (int, "LengthSampler lower bound for max_new_tokens"),
        "output_max_length": (int, "LengthSampler upper bound (exclusive) for max_new_tokens"),
    },
    "evaluation": {
        "samples": (int, "test prompts scored for toxicity before and after"),
        "max_new_tokens": (int, "summary length budget when evaluating"),
        "seed": (int, "seed of evaluation sampling"),
    },
    "expected": {
        "trainable_parameters": (int, "trainable parameters of the PEFT policy"),
        "total_parameters": (int, "all parameters of the PEFT policy"),
        "value_head_parameters": (int, "parameters trl's value head adds"),
        "non_toxic_probe": (str, "text the reward model must score as not hateful"),
        "toxic_probe": (str, "text the reward model must score as hateful"),
        "toxicity_margin": (float, "how far mean toxicity must fall after PPO to pass"),
        "toxicity_alpha": (float, "level of the paired one-sided test that toxicity fell"),
        "max_kl": (float, "most KL (nats, on its own summaries) the trained policy may be from the SFT policy"),
        "min_length_ratio": (float, "least share of the SFT summaries' mean length the trained policy keeps"),
        "dataset_sizes": (dict, "(train, test) sizes of the lab's split, by DialogSum source"),
    },
}
# [method.NAME] tables: how PPO is run (the lab's "corrected" method and the original's "faithful" one)
METHOD_SCHEMA: dict[str, tuple[type, str]] = {
    "reference": (str, "KL reference: 'sft' (the policy before PPO) or 'base' (adapter disabled, as trl 0.4 does)"),
    "reward_input": (str, "what the reward model reads: 'summary' or 'prompt+summary-raw' (the original)"),
    "learning_rate": (float, "Adam learning rate of PPO"),
    "ppo_epochs": (int, "optimisation epochs per PPO batch"),
    "steps": (int, "PPO steps"),
    "init_kl_coef": (float, "initial KL penalty coefficient (trl's adaptive controller)"),
}
POLICY_DTYPES = ("bfloat16", "float32")  # torch dtype names a policy may be loaded in (policy.dtype)
EVERY_METHOD = "*"  # in an override's key, method.*.KEY: every [method.NAME] table
OPTIONAL = {("policy", "adapter_s3_uri"), ("expected", "trainable_parameters"), ("expected", "total_parameters")}


class ProfileError(DetoxlabError, ValueError):
    """A profile is missing, unreadable, or has a key of the wrong kind; ``key`` names the key (dotted,
    ``ppo.batch_size``) where one is at fault, ``path`` the profile file as the message names it."""


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    path: Path
    data: dict
    policy: dict
    lora: dict
    reward: dict
    ppo: dict
    method: dict
    generation: dict
    evaluation: dict
    expected: dict
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
        revision = (self.policy.get("revision") if repo_id == self.policy.get("base_model")
                    else self.reward.get("revision") if repo_id == self.reward.get("model") else None)
        if not (revision and len(revision) == 40 and all(c in "0123456789abcdef" for c in revision)):
            return None
        from huggingface_hub import try_to_load_from_cache

        # HF_HUB_CACHE as it is now (huggingface_hub reads it once, at import)
        config = try_to_load_from_cache(repo_id, "config.json", revision=revision,
                                        cache_dir=os.environ.get("HF_HUB_CACHE") or None)
        return str(Path(config).parent) if isinstance(config, str) else None

    def as_dict(self) -> dict:
        return {section: dict(getattr(self, section)) for section in (*SCHEMA, "method")} | {"name": self.name}


def available() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))


def _check_type(source: str, key: str, value, expected) -> None:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise ProfileError(f"{key} must be {expected.__name__}, got {type(value).__name__} {value!r}", key=key,
                           path=source)
    if expected is float and not math.isfinite(value):
        raise ProfileError(f"{key} must be a finite number, got {value!r}", key=key, path=source)


def validate(raw: dict, source: str) -> None:
    for section, keys in SCHEMA.items():
        if not isinstance(raw.get(section), dict):
            raise ProfileError(f"missing section [{section}]", key=section, path=source)
        unknown = set(raw[section]) - set(keys)
        if unknown:
            raise _unknown_keys(source, section, unknown)
        for key, (kind, help_text) in keys.items():
            if key not in raw[section]:
                if (section, key) in OPTIONAL:
                    continue
                raise ProfileError(f"missing key {section}.{key}", key=f"{section}.{key}", path=source, hint=help_text)
            _check_type(source, f"{section}.{key}", raw[section][key], kind)

    def fail(key: str, problem: str) -> ProfileError:
        return ProfileError(f"{key} {problem}", key=key, path=source)

    data, gen, ppo = raw["data"], raw["generation"], raw["ppo"]
    if "{dialogue}" not in data["prompt_template"]:
        raise fail("data.prompt_template", "must contain {dialogue}")
    if raw["policy"]["dtype"] not in POLICY_DTYPES:
        raise fail("policy.dtype", f"must be one of {', '.join(POLICY_DTYPES)}, got {raw['policy']['dtype']!r}")
    if not 0 < data["test_size"] < 1:
        raise fail("data.test_size", f"must be between 0 and 1, got {data['test_size']}")
    if not data["min_dialogue_chars"] < data["max_dialogue_chars"]:
        raise fail("data.min_dialogue_chars", "must be below data.max_dialogue_chars")
    if not 0 < gen["output_min_length"] < gen["output_max_length"]:
        raise fail("generation.output_min_length", "must be positive and below output_max_length")
    if ppo["batch_size"] % ppo["mini_batch_size"]:
        raise fail("ppo.batch_size", "must be a multiple of ppo.mini_batch_size")
    for key in ("batch_size", "mini_batch_size"):
        if ppo[key] < 1:
            raise fail(f"ppo.{key}", f"must be at least 1, got {ppo[key]}")
    _validate_methods(raw, source)
    for source_name, sizes in raw["expected"]["dataset_sizes"].items():
        if not (isinstance(sizes, list) and len(sizes) == 2 and all(isinstance(n, int) for n in sizes)):
            raise fail(f"expected.dataset_sizes.{source_name}", "must be [train, test] integers")


def _unknown_keys(source: str, where: str, unknown: set[str]) -> ProfileError:
    keys = [f"{where}.{key}" for key in sorted(unknown)]
    return ProfileError(f"unknown key(s) {', '.join(keys)}", key=keys[0], path=source)


def _validate_methods(raw: dict, source: str) -> None:
    methods = raw.get("method")
    if not isinstance(methods, dict) or not methods:
        raise ProfileError("missing [method.NAME] tables", key="method", path=source,
                           hint=f"keys: {', '.join(METHOD_SCHEMA)}")
    for name, settings in methods.items():
        where = f"method.{name}"
        if not isinstance(settings, dict):
            raise ProfileError(f"{where} must be a table", key=where, path=source)
        unknown = set(settings) - set(METHOD_SCHEMA)
        if unknown:
            raise _unknown_keys(source, where, unknown)
        for key, (kind, help_text) in METHOD_SCHEMA.items():
            if key not in settings:
                raise ProfileError(f"missing key {where}.{key}", key=f"{where}.{key}", path=source, hint=help_text)
            _check_type(source, f"{where}.{key}", settings[key], kind)
        if settings["reference"] not in ("sft", "base"):
            raise ProfileError(f"{where}.reference must be 'sft' or 'base', got {settings['reference']!r}",
                               key=f"{where}.reference", path=source)
        if settings["reward_input"] not in ("summary", "prompt+summary-raw"):
            raise ProfileError(f"{where}.reward_input must be 'summary' or 'prompt+summary-raw'",
                               key=f"{where}.reward_input", path=source)
        for key in ("ppo_epochs", "steps"):
            if settings[key] < 1:
                raise ProfileError(f"{where}.{key} must be at least 1, got {settings[key]}", key=f"{where}.{key}",
                                   path=source)
    if raw["ppo"]["method"] not in methods:
        raise ProfileError(f"ppo.method {raw['ppo']['method']!r} is not one of {', '.join(methods)}",
                           key="ppo.method", path=source)


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
        if not names or key not in METHOD_SCHEMA or any(n not in methods for n in names):
            raise ProfileError(f"cannot override unknown key {dotted!r}", key=dotted, path=source)
        targets, kind = [methods[n] for n in names], METHOD_SCHEMA[key][0]
    elif section not in SCHEMA or key not in SCHEMA[section]:
        raise ProfileError(f"cannot override unknown key {dotted!r}", key=dotted, path=source)
    else:
        targets, kind = [raw[section]], SCHEMA[section][key][0]
    if isinstance(value, str) and kind is not str:
        try:
            value = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError as error:
            raise ProfileError(f"override {dotted}={value!r} is not a valid {kind.__name__}", key=dotted,
                               path=source) from error
    for target in targets:
        target[key] = value


def load_profile(name_or_path: str | os.PathLike = DEFAULT_PROFILE, overrides: dict | None = None) -> Profile:
    """Read and validate a profile by name (``mini``, ``full``) or by path to a TOML file.

    ``overrides`` maps dotted keys to values (``{"method.corrected.steps": 2}``; ``method.*.steps`` sets
    every method's; strings are parsed as TOML values), applied before validation so a bad override is
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
    validate(raw, path.name)
    return Profile(name=raw.get("name", path.stem), description=raw.get("description", ""), path=path,
                   overrides=dict(overrides or {}), method=raw["method"],
                   **{section: raw[section] for section in SCHEMA})
