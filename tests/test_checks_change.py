"""checks.change: the signed relative change, not an absolute value printed as an improvement."""
import numpy as np
from check_helpers import assert_failed, verdict


class TestChange:
    def test_the_relative_change_passes(self, resources):
        def change(before, after):
            return 100 * (np.mean(after) - np.mean(before)) / np.mean(before)

        assert verdict("change", {"toxicity_change": change}, resources).passed

    def test_a_flipped_sign_fails(self, resources):
        def flipped(before, after):
            return 100 * (np.mean(before) - np.mean(after)) / np.mean(before)

        assert_failed(verdict("change", {"toxicity_change": flipped}, resources), "sign is flipped")

    def test_a_hard_coded_number_fails(self, resources):
        assert_failed(verdict("change", {"toxicity_change": lambda b, a: -54.67}, resources), "expected")
