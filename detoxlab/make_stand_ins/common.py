"""Shared plumbing for the stand-in builds: the third-party data root, seeding, batching."""
from __future__ import annotations

import csv
import os
import random
from pathlib import Path

from detoxlab.assets import AssetError
from detoxlab.data import DATA_DIR_ENV
from detoxlab.lab import seed_everything  # noqa: F401  (the builds seed like the lab does)

# What the stand-ins are trained and measured on, relative to the shared data root; the manifest records
# each one's size and hash as the build's inputs.
SHARED_DATA_FILES = ("dialogsum/train.csv", "dialogsum/validation.csv", "dialogsum/test.csv",
                     "dynahate/partial/db_dev.csv", "dynahate/partial/db_test.csv",
                     "hatemoji/HatemojiBuild_train.csv", "hatemoji/HatemojiBuild_validation.csv",
                     "hatemoji/HatemojiBuild_test.csv", "hatemoji/HatemojiCheck_test.csv",
                     "toxigen/toxigen_prompt_statements.csv")


def shared_data_root() -> Path:
    """The third-party data the stand-ins are trained from (never copied into the project)."""
    configured = os.environ.get(DATA_DIR_ENV)
    if not configured:
        raise AssetError(
            f"building the stand-in models needs the real data: set {DATA_DIR_ENV} to the directory holding "
            "dialogsum/, dynahate/partial/, hatemoji/ and toxigen/ (for example ../shared/data)"
        )
    root = Path(configured).expanduser().resolve()
    missing = [str(root / name) for name in SHARED_DATA_FILES if not (root / name).is_file()]
    if missing:
        raise AssetError(f"{DATA_DIR_ENV}={configured} lacks {', '.join(missing)}")
    return root


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def length_bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar lengths (less padding, much faster on a CPU), in shuffled order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        block = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        batches.extend(block[i:i + batch_size] for i in range(0, len(block), batch_size))
    rng.shuffle(batches)
    return batches


def test_dialogues(root: Path, count: int) -> list[dict]:
    """The first ``count`` distinct held-out test dialogues with their first reference summary."""
    rows = [row for row in read_rows(root / "dialogsum" / "test.csv") if row["id"].endswith("_1")]
    return rows[:count]


def filtered_train_rows(root: Path, low: int = 200, high: int = 1000) -> list[dict]:
    rows = read_rows(root / "dialogsum" / "train.csv")
    return [row for row in rows if low < len(row["dialogue"]) <= high]
