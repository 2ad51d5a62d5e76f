"""`detoxlab bench`: the FLOP formulas agree with the models' shapes, the settings are checked, and a
small bench on the mini profile runs both sides and writes a complete bench.json. No timings are
asserted: the figures depend on the machine."""
import json

import pytest
import torch

from detoxlab import architectures, bench, cli, models
from detoxlab.bench import flops, inputs
import answer_key.models


def _linear_weights(model) -> dict:
    """Parameters of every nn.Linear, by where it runs: per encoder token, per decoder token, or on the
    encoder's output in the decoder's cross-attention (keys and values)."""
    sizes = {"enc": 0, "dec": 0, "cross_kv": 0}
    for name, module in model.named_modules():
        if type(module) is not torch.nn.Linear and not hasattr(module, "lora_A"):
            continue
        if ".lora_" in name:
            continue  # counted with the layer it belongs to, below
        count = module.weight.numel()
        for adapter in getattr(module, "lora_A", {}):
            count += module.lora_A[adapter].weight.numel() + module.lora_B[adapter].weight.numel()
        if ".encoder." in name:
            sizes["enc"] += count
        elif "EncDecAttention.k" in name or "EncDecAttention.v" in name:
            sizes["cross_kv"] += count
        else:
            sizes["dec"] += count  # decoder layers and lm_head
    return sizes


def test_flop_shapes_are_the_stand_in_policy_linear_layers(mini):
    policy = answer_key.models.load_policy(mini)
    shapes = flops.t5_shapes(policy.config, mini.lora["r"], mini.lora["target_modules"])
    counted = _linear_weights(policy)
    assert counted["enc"] > 0 and counted["cross_kv"] > 0
    assert (shapes["enc_linear"], shapes["dec_linear"], shapes["cross_kv_linear"]) == \
        (counted["enc"], counted["dec"], counted["cross_kv"])


def test_flop_shapes_account_for_every_flan_t5_base_parameter(mini):
    """Linear layers (with the course's LoRA) + embedding + relative position biases + layer norms =
    the 251,116,800 parameters of flan-t5-base with its adapter (README, test_real_size)."""
    config = architectures.t5_config()
    shapes = flops.t5_shapes(config, mini.lora["r"], mini.lora["target_modules"])
    linear = shapes["enc_linear"] + shapes["dec_linear"] + shapes["cross_kv_linear"]
    embedding = config.vocab_size * config.d_model
    position_biases = 2 * config.relative_attention_num_buckets * config.num_heads
    norms = config.d_model * (2 * config.num_layers + 1 + 3 * config.num_decoder_layers + 1)
    assert linear + embedding + position_biases + norms == 251_116_800


def test_step_flops_grow_with_epochs_and_generation_uses_the_cache():
    config = architectures.t5_config()
    shapes = flops.t5_shapes(config, 32, ["q", "v"])
    reward_config = type("C", (), {"hidden_size": 768, "num_hidden_layers": 12, "intermediate_size": 3072,
                                   "num_labels": 2})
    one = flops.step_flops(shapes, reward_config, 16, 128, 64, 1, [80] * 16)
    four = flops.step_flops(shapes, reward_config, 16, 128, 64, 4, [80] * 16)
    assert one["generation"] == four["generation"] and four["trl_step"] > 2 * one["trl_step"]
    cached = flops.t5_forward_flops(shapes, 128, 64, cached=True)
    full = flops.t5_forward_flops(shapes, 128, 64)
    assert cached["linear"] == full["linear"] and cached["attention"] < full["attention"]
    # a forward pass is about 2 FLOPs per weight per token
    tokens_linear = 128 * (shapes["enc_linear"] + shapes["cross_kv_linear"]) + 64 * shapes["dec_linear"]
    assert full["linear"] == 2 * tokens_linear


def test_prompts_have_exactly_the_asked_length(mini):
    tokenizer = models.load_tokenizer(mini)
    prompts = inputs.fixed_length_prompts(tokenizer, mini.data["prompt_template"], 5, 70)
    assert [len(p) for p in prompts] == [70] * 5
    assert all(p[-1] == tokenizer.eos_token_id for p in prompts)
    assert len({tuple(p) for p in prompts}) == 5
    with pytest.raises(bench.BenchError, match="shorter than the prompt template"):
        inputs.fixed_length_prompts(tokenizer, mini.data["prompt_template"], 1, 5)


@pytest.mark.parametrize("arguments, message", [
    (["--prompts", "6"], "multiple of the profile's PPO mini-batch size"),
    (["--response-tokens", "2"], "at least 4"),
    (["--method", "fastest"], "unknown method 'fastest'"),
])
def test_bad_settings_end_with_one_line_before_any_work(capsys, tmp_path, arguments, message):
    assert cli.main(["bench", "--profile", "mini", "--out", str(tmp_path / "b"), *arguments]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("detoxlab: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "b" / "bench.json").exists()


def test_unknown_bench_profile_is_refused(capsys, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["bench", "--profile", "tiny", "--out", str(tmp_path)])


@pytest.mark.slow
def test_bench_on_the_mini_profile_compares_the_three_sides(tmp_path, capsys):
    out = tmp_path / "bench"
    assert cli.main(["bench", "--profile", "mini", "--out", str(out), "--prompts", "4", "--prompt-tokens", "48",
                     "--response-tokens", "6", "--eval-n", "3"]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "bench.json").read_text())
    assert report["identical_work"] is True
    assert report["work"]["response_lengths_incl_start"] == [7] * 4  # start token + exactly 6 new tokens
    assert report["settings"] | {"seed": 0} == {"prompts": 4, "prompt_tokens": 48, "response_tokens": 6, "eval_n": 3,
                                                 "repeat": 1, "seed": 0}
    for section in ("step_seconds", "evaluation_seconds"):
        for side in ("original", "lab", "lab-float32"):
            parts = report[section][side]
            assert all(value > 0 for value in parts.values())
            assert parts["total"] == pytest.approx(sum(v for k, v in parts.items() if k != "total"))
    # ratios are rounded to two decimals
    assert report["step_ratio"] == pytest.approx(report["step_seconds"]["original"]["total"]
                                                 / report["step_seconds"]["lab"]["total"], abs=0.006)
    assert report["evaluation_ratio"] > 0
    assert report["precision_step_ratio"]["total"] == pytest.approx(
        report["step_seconds"]["lab-float32"]["total"] / report["step_seconds"]["lab"]["total"], abs=0.006)
    assert {side: report["sides"][side]["dtype"] for side in report["sides"]} == {
        "original": "bfloat16", "lab": "bfloat16", "lab-float32": "float32"}
    # bfloat16 weights are half the size of float32 ones (the LoRA weights stay float32 in both)
    assert report["policy_bytes"]["lab"] < 0.6 * report["policy_bytes"]["lab-float32"]
    assert all(report["peak_rss_bytes"][side] > 100 * 2 ** 20 for side in report["sides"])
    # the original deep-copies the policy for its reference; the lab's reference shares its weights
    assert report["reference_copy_bytes"]["original"] >= 0.9 * report["policy_bytes"]["original"] > 0
    assert report["reference_copy_bytes"]["lab"] < 0.1 * report["reference_copy_bytes"]["original"]
    rates = report["machine"]["matmul_gflops"]["lab"]
    assert rates["float32"] > 0 and rates["bfloat16"] > 0 and 0 < report["lab_step_fraction_of_matmul_rate"]
    assert report["lab_step_flops"]["total"] == pytest.approx(sum(report["lab_step_flops"][k] for k in
                                                                  ("generation", "reward", "trl_step")))
    assert set(report["flop_formulas"]) >= {"generation", "reward", "trl_step", "fraction_of_matmul_rate"}
    assert "PPO step: total" in printed and "of the matmul rate" in printed
    assert all((out / f"bench-{side}.log").is_file() for side in ("original", "lab", "lab-float32"))

