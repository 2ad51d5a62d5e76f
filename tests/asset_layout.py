"""Build the full profile's asset layout from the committed stand-ins, without any network.

The layout is the one `detoxlab assets fetch --profile full --dest ROOT` leaves (see detoxlab.fetch):
the stand-in policy and reward model filed in a Hugging Face hub cache under the real models' ids and
the profile's revisions, the stand-in adapter as ``assets:peft-dialogue-summary-checkpoint``, and
DialogSum (the embedded sample) in a datasets cache under ``knkarthick/dialogsum``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from detoxlab.assets import STAND_INS
from detoxlab.data import EMBEDDED_DIR
from detoxlab.fetch import datasets_cache, hub_cache

FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def put_in_hub_cache(cache: Path, repo_id: str, revision: str, source: Path, names=None) -> Path:
    """File ``source``'s files in a hub cache as ``repo_id`` at ``revision`` (a commit hash or a branch);
    blobs are named by their sha256, as the hub names LFS files. Returns the snapshot directory."""
    commit = revision if len(revision) == 40 else FAKE_COMMIT
    repo = Path(cache) / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    if commit != revision:
        (repo / "refs" / revision).write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "blobs").mkdir(exist_ok=True)
    for path in sorted(Path(source).iterdir()):
        if not path.is_file() or (names is not None and path.name not in names):
            continue
        blob = repo / "blobs" / hashlib.sha256(path.read_bytes()).hexdigest()
        shutil.copyfile(path, blob)
        link = snapshot / path.name
        link.unlink(missing_ok=True)
        link.symlink_to(os.path.relpath(blob, snapshot))
    return snapshot


# The full profile lists RoBERTa's tokenizer files among the reward model's required files; the stand-in reward
# model is a BERT (vocab.txt), which transformers loads from its own config. So its snapshot also carries the two
# file names the profile checks for, empty of meaning: loading never reads them.
ROBERTA_FILE_NAMES = {"merges.txt": "#version: 0.2\n", "vocab.json": "{}\n"}


def reward_model_source(dest: Path | None = None) -> Path:
    """A folder (``dest``, or a new temporary one) of the stand-in reward model's files, plus the file names the
    full profile requires of RoBERTa's."""
    import tempfile

    source = Path(dest) if dest is not None else Path(tempfile.mkdtemp(prefix="reward-model-as-full-"))
    shutil.copytree(STAND_INS / "reward-model", source, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock"))
    for name, text in ROBERTA_FILE_NAMES.items():
        (source / name).write_text(text)
    return source


def put_dialogsum_in_datasets_cache(cache: Path, hub_id: str = "knkarthick/dialogsum", source: Path = EMBEDDED_DIR) -> None:
    """Prepare ``source``'s CSVs in a datasets cache as ``hub_id`` would be after an online load."""
    from datasets.data_files import DataFilesDict
    from datasets.packaged_modules.csv.csv import Csv

    files = DataFilesDict.from_patterns({s: [str(Path(source) / f"{s}.csv")] for s in ("train", "validation", "test")})
    builder = Csv(cache_dir=str(cache), dataset_name=hub_id.split("/")[-1], repo_id=hub_id, data_files=files,
                  hash="0" * 16)
    builder.download_and_prepare()
    root = Path(cache) / hub_id.replace("/", "___")
    for configured in root.glob("default-*"):  # a hub load names its configuration "default"
        configured.rename(root / "default")


def full_layout(root: Path, profile) -> Path:
    """The full profile's assets under ``root``, from the stand-ins."""
    put_in_hub_cache(hub_cache(root), profile.policy["base_model"], profile.policy["revision"] or "main",
                     STAND_INS / "policy-base")
    put_in_hub_cache(hub_cache(root), profile.reward["model"], profile.reward["revision"] or "main",
                     reward_model_source())
    adapter = root / profile.name / profile.policy["adapter"].removeprefix("assets:")
    adapter.mkdir(parents=True, exist_ok=True)
    for name in ("adapter_config.json", "adapter_model.bin"):
        shutil.copyfile(STAND_INS / "policy-adapter" / name, adapter / name)
    put_dialogsum_in_datasets_cache(datasets_cache(root), profile.data["hub_id"])
    return root
