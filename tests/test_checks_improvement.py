"""checks.improvement: the student's adapter must lower toxicity on prompts it has not seen, by a paired test;
an untrained, a zeroed or a non-adapter file fails."""
import numpy as np
import pytest
import torch
from check_helpers import assert_failed

import checks
from checks.kernel import gather_one


def test_the_paired_test_sees_a_fall_and_not_noise():
    from checks.improvement import sign_flip_p_value

    rng = np.random.default_rng(1)
    before = rng.uniform(0, 1, 30)
    assert sign_flip_p_value(before, before - 0.2) < 0.001
    assert sign_flip_p_value(before, before) > 0.5
    assert sign_flip_p_value(before, before + rng.normal(0, 0.05, 30)) > 0.01


@pytest.mark.slow
class TestImprovement:
    def export(self, resources, tmp_path, change=None):
        policy = resources.policy()
        if change:
            change(policy)
        path = tmp_path / "adapter.pt"
        gather_one(checks.get("improvement"), {"peft_model": policy}, {"adapter_path": str(path)}, resources)
        return path

    def judge(self, resources, path):
        return checks.get("improvement").judged({"tensors": 1}, {"adapter_path": str(path)}, resources)

    def test_an_untrained_adapter_fails(self, resources, tmp_path):
        assert_failed(self.judge(resources, self.export(resources, tmp_path)), "did PPO run")

    def test_a_zeroed_adapter_is_not_detoxification(self, resources, tmp_path):
        def zero(policy):
            with torch.no_grad():
                for name, parameter in policy.named_parameters():
                    if "lora_B" in name:
                        parameter.zero_()

        assert_failed(self.judge(resources, self.export(resources, tmp_path, zero)), "without its adapter")

    def test_a_file_that_is_not_an_adapter_fails(self, resources, tmp_path):
        (tmp_path / "adapter.pt").write_bytes(b"not a tensor file")
        assert_failed(self.judge(resources, tmp_path / "adapter.pt"), "could not be read")
