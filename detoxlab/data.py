"""DialogSum for the lab: one loader, three sources, never a silent fallback.

Sources, in order of precedence:
1. ``DETOXLAB_DATA_DIR``: a directory holding DialogSum CSVs in the Hugging Face hub layout
   (``train.csv``, ``validation.csv``, ``test.csv``; columns id, dialogue, summary, topic), either
   directly or in a ``dialogsum/`` sub-directory.
2. The profile's own source: ``hub`` (``datasets.load_dataset(<hub id>)``, cached or online) or
   ``embedded`` (the sample this project wrote, shipped inside the package).
"""
from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import datasets

from detoxlab.errors import DetoxlabError

log = logging.getLogger(__name__)

DATA_DIR_ENV = "DETOXLAB_DATA_DIR"
SPLITS = ("train", "validation", "test")
COLUMNS = ("id", "dialogue", "summary", "topic")
EMBEDDED_DIR = Path(__file__).parent / "embedded" / "dialogsum_sample"


class DataSourceError(DetoxlabError, RuntimeError):
    """The configured DialogSum source is missing or malformed."""


@dataclass(frozen=True)
class DataSource:
    kind: str  # "csv-dir", "hub" or "embedded"
    location: str

    def describe(self) -> str:
        return f"DialogSum from {self.kind}: {self.location}"


def resolve_source(data_profile: dict) -> DataSource:
    """Decide where DialogSum comes from, honouring ``DETOXLAB_DATA_DIR`` before the profile."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        root = Path(configured).expanduser()
        for candidate in (root, root / "dialogsum"):
            if (candidate / "train.csv").is_file():
                return DataSource("csv-dir", str(candidate.resolve()))
        raise DataSourceError(
            f"{DATA_DIR_ENV}={configured} holds no DialogSum CSVs: expected "
            f"{root}/train.csv (or {root}/dialogsum/train.csv) with validation.csv and test.csv beside it, "
            f"columns {','.join(COLUMNS)}. Unset {DATA_DIR_ENV} to use the profile's source "
            f"({data_profile['source']})."
        )
    if data_profile["source"] == "embedded":
        return DataSource("embedded", str(EMBEDDED_DIR))
    if data_profile["source"] == "hub":
        return DataSource("hub", data_profile["hub_id"])
    raise DataSourceError(f"profile key data.source must be 'embedded' or 'hub', got {data_profile['source']!r}",
                          key="data.source")


def _read_csv_split(directory: Path, split: str) -> datasets.Dataset:
    path = directory / f"{split}.csv"
    if not path.is_file():
        raise DataSourceError(f"missing {path}: a DialogSum directory needs {', '.join(s + '.csv' for s in SPLITS)}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise DataSourceError(
                f"{path} lacks column(s) {', '.join(sorted(missing))}: expected header {','.join(COLUMNS)}"
            )
        rows = {column: [] for column in COLUMNS}
        for row in reader:
            for column in COLUMNS:
                rows[column].append(row[column] or "")
    if not rows["id"]:
        raise DataSourceError(f"{path} has a header but no rows")
    return datasets.Dataset.from_dict(rows)


def load_raw(source: DataSource) -> datasets.DatasetDict:
    """DialogSum's three splits, as the hub serves them."""
    if source.kind == "hub":
        try:
            # the cache named now, not when datasets was imported (it reads HF_DATASETS_CACHE once)
            return datasets.load_dataset(source.location, cache_dir=os.environ.get("HF_DATASETS_CACHE") or None)
        except Exception as error:  # offline without a cache, a wrong id, ...
            raise DataSourceError(
                f"could not load {source.location} from the Hugging Face hub or its cache ({error}). "
                f"Offline, point {DATA_DIR_ENV} at a directory of DialogSum CSVs."
            ) from error
    directory = Path(source.location)
    return datasets.DatasetDict({split: _read_csv_split(directory, split) for split in SPLITS})


def load_dialogsum(profile) -> datasets.DatasetDict:
    """DialogSum's three splits from wherever the profile (or DETOXLAB_DATA_DIR) says they are, offline."""
    return load_raw(resolve_source(profile.data))


def build_prompt(dialogue: str, template: str) -> str:
    return template.format(dialogue=dialogue)


