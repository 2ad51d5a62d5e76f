"""checks.dataset: the recipe passes on an unseen window of DialogSum; each way of getting it wrong fails
with advice that names the problem."""
from check_helpers import assert_failed, verdict


def student_dataset(resources, filter_=None, shuffle=False):
    template = resources.profile.data["prompt_template"]

    def build_dataset(dialogues, tokenizer, low, high):
        kept = dialogues.filter(filter_ or (lambda row: low < len(row["dialogue"]) <= high))
        kept = kept.map(lambda row: {"query": template.format(dialogue=row["dialogue"]),
                                     "input_ids": tokenizer.encode(template.format(dialogue=row["dialogue"]))})
        kept.set_format(type="torch")
        return kept.train_test_split(test_size=0.2, shuffle=shuffle, seed=42)

    return {"build_dataset": build_dataset,
            "dataset": build_dataset(resources.dialogsum["train"], resources.tokenizer, 200, 1000)}


class TestDataset:
    def test_the_recipe_passes_on_an_unseen_window(self, resources):
        result = verdict("dataset", student_dataset(resources), resources)
        assert result.passed, result.message
        assert "train 96 / test 24" in result.message

    def test_a_missing_lower_bound_fails_on_the_length_filter(self, resources):
        namespace = student_dataset(resources, filter_=lambda row: len(row["dialogue"]) <= 1000)
        assert_failed(verdict("dataset", namespace, resources), "length filter")

    def test_a_shuffled_split_fails(self, resources):
        assert_failed(verdict("dataset", student_dataset(resources, shuffle=True), resources), "not the lab's split")

    def test_hand_written_sizes_fail(self, resources):
        namespace = dict(student_dataset(resources), build_dataset=lambda *args: {"train": [0] * 96, "test": [0] * 24})
        assert_failed(verdict("dataset", namespace, resources))

    def test_a_query_decoded_from_its_tokens_is_recognised(self, resources):
        """The original course decoded each query from its tokens: T5's tokenizer drops the prompt's line breaks
        and decoding appends </s>, so the prompts differ although the student wrapped and kept the rows right."""
        template = resources.profile.data["prompt_template"]

        def build_dataset(dialogues, tokenizer, low, high):
            kept = dialogues.filter(lambda row: low < len(row["dialogue"]) <= high)

            def tokenize(row):
                ids = tokenizer.encode(template.format(dialogue=row["dialogue"]))
                return {"input_ids": ids, "query": tokenizer.decode(ids)}

            kept = kept.map(tokenize)
            kept.set_format(type="torch")
            return kept.train_test_split(test_size=0.2, shuffle=False, seed=42)

        namespace = {"build_dataset": build_dataset,
                     "dataset": build_dataset(resources.dialogsum["train"], resources.tokenizer, 200, 1000)}
        assert_failed(verdict("dataset", namespace, resources), "decoded from their tokens", "line breaks")
