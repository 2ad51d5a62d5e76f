"""Model assets: verify any asset directory against its manifest (the stand-ins are built by
:mod:`detoxlab.make_stand_ins.build`).

A manifest (``MANIFEST.json`` at the root of an asset directory) lists every file with its size and
sha256, and for each model the command and input data that made it and its measured figures.
"""
from __future__ import annotations

import json
from pathlib import Path

from detoxlab.errors import DetoxlabError
from detoxlab.files import sha256

MANIFEST = "MANIFEST.json"
STAND_INS = Path(__file__).parent / "stand_ins"


class AssetError(DetoxlabError, RuntimeError):
    """An asset is missing, corrupt or fails to load."""


def file_facts(path: Path) -> dict:
    """What a manifest records of one file."""
    return {"bytes": path.stat().st_size, "sha256": sha256(path)}


# Files that are never assets: evaluate 0.4 writes its lock files beside the model its measurement is configured
# with (git ignores them too), so a build that ran the measurement must not record one a clean clone lacks.
NOT_ASSETS = ("*.arrow.lock",)


def inventory(root: Path) -> dict[str, dict]:
    """The manifest's ``files``: every file under ``root`` but the manifest and ``NOT_ASSETS``, by its relative
    path."""
    return {str(path.relative_to(root)): file_facts(path)
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.name != MANIFEST and not any(path.match(p) for p in NOT_ASSETS)}


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
                                                             root / "policy-adapter")),
    }
    for name, load in checks.items():
        if not (root / name).is_dir():
            continue
        try:
            load()
        except Exception as error:  # any load failure is reported against the directory
            problems.append(f"{root / name}: does not load ({type(error).__name__}: {error})")
    return problems

