"""Model assets: build the mini profile's stand-ins, and verify any asset directory against its manifest.

A manifest (``MANIFEST.json`` at the root of an asset directory) lists every file with its size and
sha256, and for each model the command and input data that made it and its measured figures.
"""
from __future__ import annotations

import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

from detoxlab.files import replace_dir, sha256

MANIFEST = "MANIFEST.json"
STAND_INS = Path(__file__).parent / "stand_ins"


class AssetError(RuntimeError):
    """An asset is missing, corrupt or fails to load."""


def _inventory(root: Path) -> dict[str, dict]:
    return {
        str(path.relative_to(root)): {"bytes": path.stat().st_size, "sha256": sha256(path)}
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


PARTS = ("reward-model", "policy")
ADAPTER_ONLY = "policy-adapter"


def build_stand_ins(dest: Path = STAND_INS, parts: tuple[str, ...] = PARTS) -> dict:
    """Retrain stand-in parts from the data in DETOXLAB_DATA_DIR and write a manifest.

    ``parts``: "reward-model", "policy" (base model and adapter) or "policy-adapter" (the adapter on the
    kept base model). Parts not rebuilt are kept from ``dest``, and the policy's held-out figures are
    measured again with the reward model in place. Everything is built in a temporary directory and
    moved into place at the end, so an interrupted build never leaves a half-written asset where the
    lab would load it.
    """
    from detoxlab.standin import common, policy, reward_model

    unknown = set(parts) - {*PARTS, ADAPTER_ONLY}
    if unknown or not parts:
        raise AssetError(f"unknown part(s) {', '.join(sorted(unknown)) or '(none)'}: "
                         f"choose from {', '.join((*PARTS, ADAPTER_ONLY))}")
    root = common.shared_data_root()
    inputs = {name: {"bytes": (root / name).stat().st_size, "sha256": sha256(root / name)}
              for name in common.SHARED_DATA_FILES}
    previous = json.loads((dest / MANIFEST).read_text()) if (dest / MANIFEST).is_file() else {}
    if set(parts) != set(PARTS) and not previous:
        raise AssetError(f"{dest} has no {MANIFEST} to keep the other parts from: build everything")
    started = time.time()
    work = Path(tempfile.mkdtemp(prefix=".stand-ins-", dir=dest.parent))
    try:
        models = dict(previous.get("models", {}))
        kept = [d for d, rebuilt in (("reward-model", "reward-model" in parts),
                                     ("policy-base", "policy" in parts),
                                     ("policy-adapter", "policy" in parts or ADAPTER_ONLY in parts)) if not rebuilt]
        for directory in kept:
            shutil.copytree(dest / directory, work / directory)
        if "reward-model" in parts:
            models["reward-model"] = {"made_by": "detoxlab.standin.reward_model.build",
                                      "metrics": reward_model.build(work / "reward-model")}
        if "policy" in parts:
            metrics = policy.build(work / "policy-base", work / "policy-adapter", work / "reward-model")
        else:
            metrics = dict(models["policy"]["metrics"])
            if ADAPTER_ONLY in parts:
                recipe = policy.PolicyRecipe()
                metrics["lora"] = policy.build_adapter(work / "policy-base", work / "policy-adapter", recipe)
            else:
                recipe = policy.PolicyRecipe(**json.loads((work / "policy-adapter" / "build_recipe.json").read_text()))
            metrics["evaluation"] = policy.evaluate_policy(work / "policy-base", work / "policy-adapter",
                                                           work / "reward-model", root, recipe)
        models["policy"] = {"made_by": "detoxlab.standin.policy.build",
                            "directories": ["policy-base", "policy-adapter"], "metrics": metrics}
        manifest = {
            "command": "detoxlab assets build",
            "built_with": {"python": platform.python_version(), "machine": platform.machine(),
                           "torch_threads": torch_threads()},
            "build_seconds": _build_seconds(previous, parts, round(time.time() - started)),
            "inputs": inputs,
            "models": models,
            "files": _inventory(work),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        replace_dir(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _build_seconds(previous: dict, parts: tuple[str, ...], seconds: int) -> dict:
    """Seconds each build took, by the parts it rebuilt (a full build replaces the record)."""
    earlier = previous.get("build_seconds")
    record = dict(earlier) if isinstance(earlier, dict) and set(parts) != set(PARTS) else {}
    if isinstance(earlier, int) and set(parts) != set(PARTS):
        record["+".join(PARTS)] = earlier
    record["+".join(parts)] = seconds
    return record


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def verify(root: Path = STAND_INS, load: bool = True) -> list[str]:
    """Problems found in an asset directory, each naming the file; an empty list means it is sound."""
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        return [f"{manifest_path}: manifest missing"]
    try:
        manifest = json.loads(manifest_path.read_text())
        expected = manifest["files"]
    except (ValueError, KeyError) as error:
        return [f"{manifest_path}: not a valid manifest ({error})"]
    problems = []
    for name, facts in expected.items():
        path = root / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.stat().st_size != facts["bytes"]:
            problems.append(f"{path}: {path.stat().st_size} bytes, manifest says {facts['bytes']}")
        elif sha256(path) != facts["sha256"]:
            problems.append(f"{path}: sha256 differs from the manifest (corrupt or modified)")
    if load and not problems:
        problems += _load_problems(root)
    return problems


def _load_problems(root: Path) -> list[str]:
    """Each model directory must load with the classes the lab uses."""
    from peft import PeftModel
    from transformers import AutoModelForSeq2SeqLM, AutoModelForSequenceClassification, AutoTokenizer

    problems = []
    checks = {
        "reward-model": lambda: (AutoTokenizer.from_pretrained(root / "reward-model"),
                                 AutoModelForSequenceClassification.from_pretrained(root / "reward-model")),
        "policy-adapter": lambda: (AutoTokenizer.from_pretrained(root / "policy-adapter"),
                                   PeftModel.from_pretrained(AutoModelForSeq2SeqLM.from_pretrained(root / "policy-base"),
                                                             root / "policy-adapter", is_trainable=True)),
    }
    for name, load in checks.items():
        if not (root / name).is_dir():
            continue
        try:
            load()
        except Exception as error:  # any load failure is reported against the directory
            problems.append(f"{root / name}: does not load ({type(error).__name__}: {error})")
    return problems

