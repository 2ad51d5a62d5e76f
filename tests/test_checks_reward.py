"""checks.reward: the raw not-hate logit passes; the hate logit, probabilities, fixed numbers and one value for
many texts fail."""
from check_helpers import assert_failed, verdict


def logits_of(resources, label):
    from detoxlab import reward

    index = reward.label_index(resources.reward[1], label)
    return lambda texts: resources.reward_logits(list(texts))[:, index]


class TestReward:
    def test_the_not_hate_logit_passes(self, resources):
        assert verdict("reward", {"reward_fn": logits_of(resources, "nothate")}, resources).passed

    def test_the_hate_logit_fails(self, resources):
        assert_failed(verdict("reward", {"reward_fn": logits_of(resources, "hate")}, resources), "swapped")

    def test_probabilities_fail(self, resources):
        def probabilities(texts):
            return resources.reward_logits(list(texts)).softmax(-1)[:, 0]

        assert_failed(verdict("reward", {"reward_fn": probabilities}, resources), "probabilities")

    def test_fixed_numbers_with_the_right_signs_fail(self, resources):
        expected = resources.profile.expected

        def fixed(texts):
            return [3.4 if t == expected["non_toxic_probe"] else -3.0 for t in texts]

        assert_failed(verdict("reward", {"reward_fn": fixed}, resources), "not the reward model's")

    def test_one_value_for_many_texts_fails(self, resources):
        assert_failed(verdict("reward", {"reward_fn": lambda texts: 1.0}, resources), "one reward per text")

    def test_the_first_entry_of_the_sorted_pipeline_output_fails_and_names_label_order(self, resources):
        """The original lab's indexing: with top_k set, the pipeline sorts each text's labels by score, so
        entry 0 is the winning label's raw score, positive for the toxic probe too."""
        from transformers import pipeline

        tokenizer, model = resources.reward
        pipe = pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, truncation=True)

        def first_entry(texts):
            return [scores[0]["score"] for scores in pipe(list(texts), top_k=None, function_to_apply="none")]

        assert_failed(verdict("reward", {"reward_fn": first_entry}, resources), "best first", "by its label")
