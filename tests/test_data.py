import csv

import pytest

from detoxlab import data
from answer_key.data import build_dataset
from detoxlab.data import DataSourceError, resolve_source


@pytest.fixture(scope="module")
def tokenizer():
    from detoxlab import models
    from detoxlab.profiles import load_profile

    return models.load_tokenizer(load_profile("mini"))


def test_embedded_sample_is_used_when_nothing_is_configured(no_data_dir, mini, tokenizer):
    source = resolve_source(mini.data)
    assert source.kind == "embedded"
    dataset = build_dataset(tokenizer, mini.data, source)
    # 126 written rows, 120 of them 200 < len <= 1000; 20% held out without shuffling
    assert (len(dataset["train"]), len(dataset["test"])) == tuple(mini.expected["dataset_sizes"]["embedded"]) == (96, 24)
    row = dataset["train"][0]
    assert row["query"].startswith("\nSummarize the following conversation.\n\n#Person1#:")
    assert row["query"].endswith("\n\nSummary:\n")
    assert row["input_ids"].tolist() == tokenizer.encode(row["query"])
    assert 200 < len(row["dialogue"]) <= 1000


def test_embedded_sample_has_every_split_and_column(no_data_dir, mini):
    raw = data.load_raw(resolve_source(mini.data))
    assert set(raw) == {"train", "validation", "test"}
    for split in raw.values():
        assert split.column_names == ["id", "dialogue", "summary", "topic"]
        assert all(row["dialogue"].startswith("#Person") and row["summary"] for row in split)


@pytest.mark.shared_data
def test_real_dialogsum_gives_the_course_sizes(shared_data, monkeypatch, mini):
    from transformers import T5Tokenizer

    monkeypatch.setenv(data.DATA_DIR_ENV, str(shared_data))
    source = resolve_source(mini.data)
    assert source.kind == "csv-dir"
    raw = data.load_raw(source)
    assert {split: len(rows) for split, rows in raw.items()} == {"train": 12460, "validation": 500, "test": 1500}
    # the genuine SentencePiece model (the copy's tokenizer.json was written by a newer tokenizers release)
    tokenizer = T5Tokenizer(vocab_file=str(shared_data / "tokenizers" / "flan-t5-base" / "spiece.model"))
    dataset = build_dataset(tokenizer, mini.data, source)
    assert len(dataset["train"]) + len(dataset["test"]) == 10022
    assert (len(dataset["train"]), len(dataset["test"])) == (8017, 2005)
    assert set(dataset["train"].column_names) >= {"input_ids", "query"}


def test_data_dir_without_csvs_is_an_error_naming_the_variable(tmp_path, monkeypatch, mini):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(DataSourceError, match=r"DETOXLAB_DATA_DIR=.* holds no DialogSum CSVs: expected .*train\.csv"):
        resolve_source(mini.data)


def _write_split(directory, split, header, rows):
    with (directory / f"{split}.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_missing_split_file_is_named(tmp_path, monkeypatch, mini):
    _write_split(tmp_path, "train", data.COLUMNS, [["a", "#Person1#: hi" * 30, "s", "t"]])
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(DataSourceError, match=r"missing .*validation\.csv"):
        data.load_raw(resolve_source(mini.data))


def test_malformed_csv_names_the_missing_column(tmp_path, monkeypatch, mini):
    for split in data.SPLITS:
        _write_split(tmp_path, split, ["id", "dialogue", "topic"], [["a", "b", "c"]])
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "."))
    with pytest.raises(DataSourceError, match=r"train\.csv lacks column\(s\) summary"):
        data.load_raw(resolve_source(mini.data))


def test_too_few_dialogues_after_the_filter_is_an_error(tmp_path, monkeypatch, mini, tokenizer):
    for split in data.SPLITS:
        _write_split(tmp_path, split, data.COLUMNS, [["a", "too short", "s", "t"]])
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(DataSourceError, match=r"0 dialogue\(s\) with 200 < length <= 1000"):
        build_dataset(tokenizer, mini.data)


def test_hub_source_offline_without_cache_says_what_to_do(no_data_dir, tmp_path, monkeypatch):
    from detoxlab.profiles import load_profile

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path))
    source = resolve_source(load_profile("full").data)
    assert source == data.DataSource("hub", "knkarthick/dialogsum")
    with pytest.raises(DataSourceError, match="Offline, point DETOXLAB_DATA_DIR"):
        data.load_raw(source)
