"""checks.parameters: what counts as the policy's trainable parameters."""
from checks.parameters import other_adapter


def test_a_second_frozen_adapter_is_not_counted_as_the_policy():
    """The lab may keep its KL reference as a frozen second adapter in the same model."""
    expected = {"base.w": [[100, 100], False], "q.lora_A.default.weight": [[4, 4], True]}
    assert other_adapter("q.lora_B.reference.weight", expected)
    assert not other_adapter("q.lora_B.default.weight", expected)
    assert not other_adapter("base.w", expected)
