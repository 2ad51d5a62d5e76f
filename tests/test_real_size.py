"""The course's parameter counts, from the real architectures with random weights (nothing downloaded)."""
import json

import pytest
from peft import get_peft_model

from detoxlab import architectures, models
from detoxlab.profiles import load_profile
import answer_key.models


@pytest.fixture(scope="module")
def full():
    return load_profile("full")


@pytest.mark.slow
def test_flan_t5_base_with_the_course_lora_has_the_course_counts(full):
    peft_model = get_peft_model(architectures.random_flan_t5_base(), models.lora_config(full))
    count = models.count_parameters(peft_model)
    assert (count.trainable, count.total) == (3_538_944, 251_116_800)
    assert (count.trainable, count.total) == (full.expected["trainable_parameters"], full.expected["total_parameters"])
    assert f"{count.percent:.2f}%" == "1.41%"

    value_model = answer_key.models.with_value_head(peft_model)
    with_head = models.count_parameters(value_model)
    assert (with_head.trainable, with_head.total) == (3_539_713, 251_117_569)
    assert with_head.total - count.total == full.expected["value_head_parameters"] == 769
    assert models.count_parameters(models.frozen_reference(value_model)).trainable == 0


@pytest.mark.shared_data
def test_written_config_matches_the_real_config_file(shared_data):
    real = json.loads((shared_data / "configs" / "flan-t5-base" / "config.json").read_text())
    for key, value in architectures.FLAN_T5_BASE.items():
        if key != "dropout_rate":
            assert real[key] == value, key
    hate = json.loads((shared_data / "configs" / "roberta-hate-speech-dynabench-r4-target" / "config.json").read_text())
    for key in ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size",
                "max_position_embeddings", "pad_token_id"):
        assert hate[key] == architectures.ROBERTA_HATE[key], key
    assert {int(k): v for k, v in hate["id2label"].items()} == architectures.ROBERTA_HATE["id2label"]


@pytest.mark.slow
def test_the_parameters_check_passes_the_course_policy_at_its_real_size(full, tmp_path):
    """The check compares the student's policy with a fresh copy tensor by tensor: flan-t5-base with two
    adapters has about 800 tensors, which once were cut to 200 on the way out of the kernel, so the full
    profile failed a correct notebook."""
    import random

    import checks
    from checks.kernel import gather_one
    from checks.resources import Resources

    base_dir, adapter_dir = tmp_path / "base", tmp_path / "adapter"
    base = architectures.random_flan_t5_base()
    base.save_pretrained(base_dir)
    get_peft_model(base, models.lora_config(full)).save_pretrained(adapter_dir)
    del base
    profile = load_profile("full", {"policy.base_model": str(base_dir), "policy.adapter": str(adapter_dir),
                                    "policy.revision": ""})
    peft_model = answer_key.models.load_policy(profile)
    ppo_model = answer_key.models.with_value_head(peft_model)
    models.frozen_reference(ppo_model)  # the lab's reference: a second adapter inside the same model
    check, resources = checks.get("parameters"), Resources(profile)
    request = check.draw(resources, random.Random(0))
    found, problems = gather_one(check, {"peft_model": peft_model, "ppo_model": ppo_model}, request, resources)
    assert not problems and len(found["parameters"]["policy"]) > 200
    result = check.judged(found["parameters"], request, resources)
    assert result.passed, result.message
