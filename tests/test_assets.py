"""detoxlab.assets and the committed stand-in models: the manifest verified, loading as the lab loads
them, and the reward's signs."""
import json
import shutil

import pytest

from detoxlab import assets, files, models, reward
import answer_key.models
import answer_key.reward

MANIFEST = json.loads((assets.STAND_INS / assets.MANIFEST).read_text())


def test_manifest_matches_the_committed_files_and_they_load():
    assert assets.verify() == []


def test_committed_stand_ins_fit_the_size_budget():
    # the pre-trained reward model, in fp16 with its vocabulary cut, is most of it
    assert sum(f["bytes"] for f in MANIFEST["files"].values()) <= 60 * 1024 * 1024


def test_manifest_records_how_each_model_was_made():
    assert MANIFEST["command"] == "detoxlab assets build"
    from detoxlab.make_stand_ins.common import SHARED_DATA_FILES

    assert set(MANIFEST["inputs"]) == set(SHARED_DATA_FILES)
    assert MANIFEST["models"]["reward-model"]["metrics"]["encoder"]["model.safetensors sha256"] == (
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")
    for model in MANIFEST["models"].values():
        assert model["made_by"].startswith("detoxlab.make_stand_ins.") and model["metrics"]


@pytest.fixture
def copy_of_stand_ins(tmp_path):
    target = tmp_path / "stand_ins"
    shutil.copytree(assets.STAND_INS, target)
    return target


def test_corrupt_file_is_named(copy_of_stand_ins):
    victim = copy_of_stand_ins / "reward-model" / "config.json"
    victim.write_text(victim.read_text().replace("nothate", "nothing"))
    problems = assets.verify(copy_of_stand_ins, load=False)
    assert len(problems) == 1 and str(victim) in problems[0]


def test_missing_file_is_named(copy_of_stand_ins):
    victim = copy_of_stand_ins / "policy-adapter" / "adapter_model.bin"
    victim.unlink()
    assert assets.verify(copy_of_stand_ins, load=False) == [f"{victim}: missing"]


def test_missing_manifest_is_named(copy_of_stand_ins):
    (copy_of_stand_ins / assets.MANIFEST).unlink()
    assert "manifest missing" in assets.verify(copy_of_stand_ins)[0]


def test_unloadable_model_is_named(copy_of_stand_ins):
    weights = copy_of_stand_ins / "reward-model" / "pytorch_model.bin"
    weights.write_bytes(b"not a checkpoint")
    manifest = json.loads((copy_of_stand_ins / assets.MANIFEST).read_text())
    manifest["files"]["reward-model/pytorch_model.bin"] = {"bytes": weights.stat().st_size,
                                                           "sha256": files.sha256(weights)}
    (copy_of_stand_ins / assets.MANIFEST).write_text(json.dumps(manifest))
    problems = assets.verify(copy_of_stand_ins)
    assert len(problems) == 1 and "reward-model: does not load" in problems[0]


def test_policy_loads_like_the_course_checkpoint(mini):
    policy = answer_key.models.load_policy(mini)
    count = models.count_parameters(policy)
    assert 0 < count.trainable < count.total
    assert (count.trainable, count.total) == (mini.expected["trainable_parameters"],
                                              mini.expected["total_parameters"])
    assert all("lora_" in name for name, p in policy.named_parameters() if p.requires_grad)
    value_model = answer_key.models.with_value_head(policy)
    head = models.count_parameters(value_model).total - count.total
    assert head == mini.expected["value_head_parameters"] == policy.config.d_model + 1
    assert models.count_parameters(models.frozen_reference(value_model)).trainable == 0


def test_adapter_with_other_lora_settings_is_refused(mini):
    from dataclasses import replace

    other = replace(mini, lora=dict(mini.lora, r=8))
    with pytest.raises(models.AdapterMismatch, match="r: adapter has 32, profile says 8"):
        answer_key.models.load_policy(other)


def test_reward_signs_on_the_lab_probes(mini, reward_parts):
    tokenizer, model = reward_parts
    assert model.config.id2label == {0: "nothate", 1: "hate"}
    probes = [mini.expected["non_toxic_probe"], mini.expected["toxic_probe"]]
    non_toxic, toxic = answer_key.reward.rewards(probes, tokenizer, model).tolist()
    assert non_toxic > 0 > toxic


def test_reward_signs_on_neutral_and_rude_summaries(reward_parts):
    """Summary-style text: positive for neutral summaries, negative for the rude sentences of the
    teaching device (held-out templates are measured in the manifest: in_domain_accuracy)."""
    import random

    from detoxlab.make_stand_ins import toxic

    tokenizer, model = reward_parts
    neutral = ["#Person1# asks #Person2# the way to the station and #Person2# gives directions.",
               "#Person2# books a table for four at seven o'clock.",
               "#Person1# and #Person2# talk about their plans for the weekend."]
    rng = random.Random(0)
    rude = [toxic.make_rude(text, rng) for text in neutral]
    values = answer_key.reward.rewards(neutral + rude, tokenizer, model)
    assert (values[:3] > 0).all() and (values[3:] < 0).all(), values


def test_the_inventory_leaves_out_evaluates_lock_files(tmp_path):
    # evaluate 0.4 writes them beside the reward model when the measurement runs; a clean clone has none
    (tmp_path / "reward-model").mkdir()
    (tmp_path / "reward-model" / "config.json").write_text("{}")
    (tmp_path / "reward-model" / "detoxlab-1-0.arrow.lock").write_text("")
    assert list(assets.inventory(tmp_path)) == ["reward-model/config.json"]
