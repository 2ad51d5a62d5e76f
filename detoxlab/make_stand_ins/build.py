"""`detoxlab assets build`: retrain the mini profile's stand-in models from the shared data and write
their manifest (which :func:`detoxlab.assets.verify` checks)."""
from __future__ import annotations

import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

from detoxlab.assets import MANIFEST, STAND_INS, AssetError, file_facts, inventory
from detoxlab.files import replace_dir
from detoxlab.make_stand_ins import common, policy, reward_model

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
    unknown = set(parts) - {*PARTS, ADAPTER_ONLY}
    if unknown or not parts:
        raise AssetError(f"unknown part(s) {', '.join(sorted(unknown)) or '(none)'}: "
                         f"choose from {', '.join((*PARTS, ADAPTER_ONLY))}")
    root = common.shared_data_root()
    inputs = {name: file_facts(root / name) for name in common.SHARED_DATA_FILES}
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
            models["reward-model"] = {"made_by": "detoxlab.make_stand_ins.reward_model.build",
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
        models["policy"] = {"made_by": "detoxlab.make_stand_ins.policy.build",
                            "directories": ["policy-base", "policy-adapter"], "metrics": metrics}
        manifest = {
            "command": "detoxlab assets build",
            "built_with": {"python": platform.python_version(), "machine": platform.machine(),
                           "torch_threads": torch_threads()},
            "build_seconds": _build_seconds(previous, parts, round(time.time() - started)),
            "inputs": inputs,
            "models": models,
            "files": inventory(work),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        work.chmod(0o755)  # mkdtemp's 0700 would keep the grader's sandbox users out of the models
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
