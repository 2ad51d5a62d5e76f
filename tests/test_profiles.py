import re

import pytest

from detoxlab import profiles
from detoxlab.profiles import ProfileError, load_profile


@pytest.mark.parametrize("name", ["mini", "full"])
def test_shipped_profiles_load_and_share_the_course_settings(name):
    profile = load_profile(name)
    assert profile.name == name
    assert profile.lora == {"r": 32, "alpha": 32, "target_modules": ["q", "v"], "dropout": 0.05,
                            "task_type": "SEQ_2_SEQ_LM"}
    assert (profile.ppo["batch_size"], profile.ppo["mini_batch_size"]) == (16, 4)
    faithful = profile.method["faithful"]
    assert (faithful["learning_rate"], faithful["ppo_epochs"], faithful["steps"]) == (1.41e-5, 1, 10)
    assert (faithful["reference"], faithful["reward_input"]) == ("base", "prompt+summary-raw")
    assert (profile.method["corrected"]["reference"], profile.method["corrected"]["reward_input"]) == ("sft", "summary")
    assert profile.data["prompt_template"] == "\nSummarize the following conversation.\n\n{dialogue}\n\nSummary:\n"
    assert profile.expected["dataset_sizes"]["dialogsum"] == [8017, 2005]


def test_full_profile_expects_the_course_parameter_counts():
    expected = load_profile("full").expected
    assert (expected["trainable_parameters"], expected["total_parameters"]) == (3_538_944, 251_116_800)
    assert expected["value_head_parameters"] == 769


def _write(tmp_path, text):
    path = tmp_path / "custom.toml"
    path.write_text(text)
    return path


def _mini_text():
    return (profiles.PROFILE_DIR / "mini.toml").read_text()


def test_a_profile_file_elsewhere_loads_by_path(tmp_path):
    assert load_profile(_write(tmp_path, _mini_text())).method == load_profile("mini").method


def test_unknown_profile_names_the_choices():
    with pytest.raises(ProfileError, match="choose one of full, mini"):
        load_profile("tiny")


def test_wrong_type_names_the_key(tmp_path):
    text = _mini_text().replace("batch_size = 16", 'batch_size = "sixteen"')
    with pytest.raises(ProfileError, match=r"ppo\.batch_size must be int"):
        load_profile(_write(tmp_path, text))


def test_missing_key_names_the_key_and_its_meaning(tmp_path):
    text = _mini_text().replace("learning_rate = 1.41e-5\n", "")
    with pytest.raises(ProfileError, match=r"missing key method\.faithful\.learning_rate \(Adam learning rate"):
        load_profile(_write(tmp_path, text))


def test_unknown_key_is_rejected(tmp_path):
    text = _mini_text().replace("[ppo]\n", "[ppo]\nlearnin_rate = 0.1\n")
    with pytest.raises(ProfileError, match=r"unknown key\(s\) ppo\.learnin_rate"):
        load_profile(_write(tmp_path, text))
    text = _mini_text().replace("reward_input = \"summary\"", "reward_input = \"summary\"\nreferenc = 1")
    with pytest.raises(ProfileError, match=r"unknown key\(s\) method\.corrected\.referenc"):
        load_profile(_write(tmp_path, text))


def test_impossible_combination_is_rejected_early(tmp_path):
    text = _mini_text().replace("mini_batch_size = 4", "mini_batch_size = 5")
    with pytest.raises(ProfileError, match="multiple of ppo.mini_batch_size"):
        load_profile(_write(tmp_path, text))


def test_invalid_toml_is_reported(tmp_path):
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(_write(tmp_path, "[ppo\n"))


def test_unknown_method_values_are_rejected(tmp_path):
    text = _mini_text().replace('reference = "base"', 'reference = "original"')
    with pytest.raises(ProfileError, match="method.faithful.reference must be 'sft' or 'base'"):
        load_profile(_write(tmp_path, text))
    with pytest.raises(ProfileError, match="ppo.method 'fast' is not one of faithful, corrected"):
        load_profile("mini", {"ppo.method": "fast"})


def test_the_full_profile_loads_the_policy_in_bfloat16_and_float32_is_one_override_away():
    import torch

    from detoxlab import models

    assert models.policy_dtype(load_profile("full")) is torch.bfloat16  # as the course loads flan-t5-base
    assert models.policy_dtype(load_profile("full", {"policy.dtype": "float32"})) is torch.float32
    with pytest.raises(ProfileError, match="policy.dtype must be one of bfloat16, float32, got 'float16'"):
        load_profile("full", {"policy.dtype": "float16"})


def test_overrides_are_parsed_and_validated():
    assert load_profile("mini", {"method.corrected.steps": "3"}).method["corrected"]["steps"] == 3
    assert load_profile("mini", {"evaluation.samples": 5}).evaluation["samples"] == 5
    with pytest.raises(ProfileError, match="cannot override unknown key 'ppo.step'"):
        load_profile("mini", {"ppo.step": "3"})
    with pytest.raises(ProfileError, match="cannot override unknown key 'method.other.steps'"):
        load_profile("mini", {"method.other.steps": "3"})
    with pytest.raises(ProfileError, match="method.corrected.steps must be at least 1"):
        load_profile("mini", {"method.corrected.steps": "0"})


def test_a_step_count_overrides_every_method():
    profile = load_profile("mini", profiles.steps_override(2))
    assert {settings["steps"] for settings in profile.method.values()} == {2}
    assert profile.overrides == {"method.*.steps": 2}
    assert profiles.steps_override(None) == {}
    assert load_profile("mini", profiles.steps_override(None)).method == load_profile("mini").method
    with pytest.raises(ProfileError, match="method.faithful.steps must be at least 1"):
        load_profile("mini", profiles.steps_override(0))
    with pytest.raises(ProfileError, match=r"cannot override unknown key 'method\.\*\.step'"):
        load_profile("mini", {"method.*.step": 2})


def test_locations(monkeypatch, tmp_path):
    from asset_layout import put_in_hub_cache
    from detoxlab.assets import STAND_INS

    profile = load_profile("full")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))   # whatever cache this machine has
    assert profile.location("google/flan-t5-base") == "google/flan-t5-base"
    # once the pinned commit is in the cache, the name alone loads it: the snapshot's path
    snapshot = put_in_hub_cache(tmp_path / "hub", "google/flan-t5-base", profile.policy["revision"], STAND_INS / "policy-base")
    assert profile.location("google/flan-t5-base") == str(snapshot)
    # a branch revision ("main") is left to the hub id: the cache records the branch itself
    put_in_hub_cache(tmp_path / "hub", profile.reward["model"], "main", STAND_INS / "reward-model")
    assert profile.location(profile.reward["model"]) == profile.reward["model"]
    monkeypatch.setenv(profiles.ASSETS_DIR_ENV, str(tmp_path))
    assert profile.location("assets:adapter") == str(tmp_path / "full" / "adapter")
    assert profile.location("package:stand_ins/x") == str(profiles.PACKAGE_DIR / "stand_ins" / "x")


def test_sections_are_typed_frozen_and_read_by_key_or_attribute():
    import dataclasses

    profile = load_profile("full")
    assert profile.ppo.batch_size == profile.ppo["batch_size"] == 16
    assert profile.method["corrected"].name == "corrected" and profile.method["corrected"]["ppo_epochs"] == 4
    assert profile.assets.hub["google/flan-t5-base"].required[0] == "config.json"
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.ppo.batch_size = 8
    with pytest.raises(KeyError):
        profile.ppo["learning_rate"]
    assert dict(load_profile("mini").assets) == {"hub": {}, "adapter": {}, "data": {}, "known": {}}


@pytest.mark.parametrize("old, new, message", [
    ('required = ["adapter_config.json", "adapter_model.bin"]', 'required = "adapter_model.bin"',
     "assets.adapter.required must be a list of file names"),
    ("train = 12460", 'train = "many"', "assets.data.rows must map split names to row counts"),
    ('required = ["config.json", "pytorch_model.bin", "merges.txt", "vocab.json"]', 'required = ["config.json", 2]',
     "assets.hub.facebook/roberta-hate-speech-dynabench-r4-target.required must be list[str]"),
    ('files = ["config.json", "pytorch_model.bin", "merges.txt"', 'filez = ["config.json", "pytorch_model.bin", "merges.txt"',
     "unknown key(s) assets.hub.facebook/roberta-hate-speech-dynabench-r4-target.filez"),
])
def test_the_assets_table_is_checked_on_load(tmp_path, old, new, message):
    text = (profiles.PROFILE_DIR / "full.toml").read_text()
    assert old in text
    with pytest.raises(ProfileError, match=re.escape(message)):
        load_profile(_write(tmp_path, text.replace(old, new)))
    known = text + '"a/b" = { md5 = "x" }\n'  # [assets.known] is the file's last table
    with pytest.raises(ProfileError, match=re.escape("assets.known.a/b may only give bytes and sha256")):
        load_profile(_write(tmp_path, known))
