"""checks.table: the before/after table is judged on its properties with the check's own reward function (no
reward model, no reference table); tables that drop, repeat, misplace, mis-score, mis-count or mis-sort
fail with what is wrong, and garbage fails without a traceback."""
import json
import random
import types

import pandas as pd
import pytest
import torch
from check_helpers import GARBAGE, assert_failed, verdict

import checks
from checks import table as table_check

INSTRUCTION, CUE = "Summarize the following conversation.", "Summary:"


def dialogue_of(prompt):
    return prompt.split(CUE)[0].replace(INSTRUCTION, "").strip()


def build(prompts, before, after, reward_fn, dialogue=dialogue_of, words=lambda s: len(s.split()),
          rewards=None, ascending=False):
    rewards = rewards or (lambda texts, _prompts: reward_fn(texts).tolist())
    table = pd.DataFrame({
        "dialogue": [dialogue(p) for p in prompts],
        "summary_before": before,
        "summary_after": after,
        "reward_before": rewards(before, prompts),
        "reward_after": rewards(after, prompts),
        "words_before": [words(s) for s in before],
        "words_after": [words(s) for s in after],
    })
    table["reward_gain"] = table["reward_after"] - table["reward_before"]
    return table.sort_values("reward_gain", ascending=ascending).reset_index(drop=True)


def summary_table(prompts, summaries_before, summaries_after, reward_fn):
    return build(prompts, summaries_before, summaries_after, reward_fn)


def graded(function, resources, seed=0):
    return verdict("table", {"summary_table": function}, resources, rng_seed=seed)


class TestDraw:
    @pytest.mark.parametrize("seed", range(6))
    def test_inputs_have_ties_both_signs_and_come_unsorted(self, resources, seed):
        request = checks.get("table").draw(resources, random.Random(seed))
        count = len(request["prompts"])
        assert 5 <= count <= 9 and json.loads(json.dumps(request)) == request
        score = lambda text: table_check.made_up_reward(request["seed"], text)  # noqa: E731
        gains = [score(a) - score(b) for b, a in zip(request["before"], request["after"])]
        assert gains.count(0.0) >= 2 and min(gains) < 0 < max(gains)
        assert not table_check.ordered(gains, True) and not table_check.ordered(gains, False)
        assert len(set(request["dialogues"])) == count
        template = resources.profile.data["prompt_template"]
        assert request["prompts"] == [template.format(dialogue=d) for d in request["dialogues"]]
        assert len({len(s.split()) for s in request["before"] + request["after"]}) >= 3

    def test_the_reward_function_is_deterministic_signed_and_exact_in_float32(self):
        reward_fn = table_check.MadeUpReward(11)
        values = reward_fn([f"summary {i}" for i in range(200)])
        assert values.dtype == torch.float32 and values.min() < 0 < values.max() and values.abs().max() <= 5
        assert values.tolist() == [table_check.made_up_reward(11, f"summary {i}") for i in range(200)]
        other_seed = [table_check.made_up_reward(12, f"summary {i}") for i in range(200)]
        assert other_seed != values.tolist()
        assert reward_fn.calls == 1 and len(reward_fn.texts) == 200


class TestCorrectTables:
    @pytest.mark.parametrize("seed", range(5))
    def test_a_correct_table_passes_on_several_draws(self, resources, seed):
        result = graded(summary_table, resources, seed)
        assert result.passed, result.message
        assert "one row each" in result.message and "unchanged" in result.message

    def test_ties_in_any_order_extra_columns_and_any_index_pass(self, resources):
        def variant(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table["note"] = "x"
            ties = table[table.reward_gain == 0].iloc[::-1]
            rest = table[table.reward_gain != 0]
            return pd.concat([rest[rest.reward_gain > 0], ties, rest[rest.reward_gain < 0]])

        assert graded(variant, resources).passed

    def test_tensor_elements_one_call_per_text_and_three_decimals_pass(self, resources):
        def one_by_one(texts, _prompts, reward_fn):
            return [round(float(reward_fn([text])[0]), 3) for text in texts]

        def variant(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn,
                         rewards=lambda texts, ps: one_by_one(texts, ps, reward_fn))

        def tensors(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table["reward_before"] = list(reward_fn(list(table.summary_before)))
            return table

        assert graded(variant, resources).passed
        assert graded(tensors, resources).passed

    def test_the_judge_needs_no_reward_model(self, resources):
        check = checks.get("table")
        request = check.draw(resources, random.Random(3))
        evidence = json.loads(json.dumps(check.gather({"summary_table": summary_table}, request, resources)))
        profile_only = types.SimpleNamespace(profile=resources.profile)
        result = check.judged(evidence, request, profile_only)
        assert result.passed, result.message

    def test_the_notebooks_call_passes(self, resources, monkeypatch):
        monkeypatch.setattr(checks, "active_profile", lambda: resources.profile)
        result = checks.run("table", {"summary_table": summary_table})
        assert result.passed, result.message


class TestWrongTables:
    def test_characters_instead_of_words_fail(self, resources):
        def characters(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, words=len)

        assert_failed(graded(characters, resources), "characters, not words")

    def test_tokens_instead_of_words_fail(self, resources, tokenizer):
        def tokens(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, words=lambda s: len(tokenizer(s).input_ids))

        assert_failed(graded(tokens, resources), "words_before", "not the summary's length in words")

    def test_rewards_of_the_prompt_and_summary_fail(self, resources):
        def with_prompt(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn,
                         rewards=lambda texts, ps: reward_fn([p + s for p, s in zip(ps, texts)]).tolist())

        assert_failed(graded(with_prompt, resources), "with a dialogue or prompt in them", "summaries alone")

    def test_rewards_after_copied_from_before_fail(self, resources):
        def copied(prompts, before, after, reward_fn):
            table = pd.DataFrame({"dialogue": [dialogue_of(p) for p in prompts], "summary_before": before,
                                  "summary_after": after, "reward_before": reward_fn(before).tolist()})
            table["reward_after"] = table["reward_before"]
            table["words_before"] = [len(s.split()) for s in before]
            table["words_after"] = [len(s.split()) for s in after]
            table["reward_gain"] = table.reward_after - table.reward_before
            return table

        assert_failed(graded(copied, resources), "rewards after equal rewards before", "score the summaries after")

    def test_another_reward_fails(self, resources):
        def own_model(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, rewards=lambda texts, _: [len(t) / 10 for t in texts])

        assert_failed(graded(own_model, resources), "never called the reward_fn it was given")

    def test_rounded_rewards_fail(self, resources):
        def rounded(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn,
                         rewards=lambda texts, _: [round(v, 2) for v in reward_fn(texts).tolist()])

        for seed in range(4):
            result = graded(rounded, resources, seed)
            if not result.passed:
                assert_failed(result, "rounded")
                return
        pytest.fail("rewards rounded to 2 decimals passed on every draw")

    def test_an_unsorted_table_fails(self, resources):
        def unsorted(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).sample(frac=1, random_state=0).sort_values("dialogue")

        assert_failed(graded(unsorted, resources), "not sorted by reward_gain")

    def test_the_table_in_the_prompts_order_fails(self, resources):
        def given_order(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).sort_values(
                "dialogue", key=lambda d: d.map([dialogue_of(p) for p in prompts].index))

        assert_failed(graded(given_order, resources), "not sorted by reward_gain")

    def test_ascending_order_fails(self, resources):
        def ascending(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, ascending=True)

        assert_failed(graded(ascending, resources), "smallest reward_gain first")

    def test_a_table_cut_to_the_top_rows_fails(self, resources):
        def top(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).head(3)

        assert_failed(graded(top, resources), "cut to 3 of", "keep every prompt, regressions included")

    def test_dropping_ties_fails(self, resources):
        def no_ties(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).drop_duplicates("reward_gain")

        assert_failed(graded(no_ties, resources), "the table is cut to")

    def test_a_repeated_row_fails(self, resources):
        def repeated(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            return pd.concat([table, table.head(1)])

        assert_failed(graded(repeated, resources), "rows for", "none repeated")

    def test_one_prompt_twice_and_one_missing_fails(self, resources):
        def twice(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table.loc[len(table) - 1] = table.loc[0]
            return table

        assert_failed(graded(twice, resources), "more than one row", "one row per prompt")

    @pytest.mark.parametrize("dialogue", [str.strip, lambda p: p], ids=["stripped", "raw"])
    def test_the_dialogue_wrapped_in_the_instruction_fails(self, resources, dialogue):
        def wrapped(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, dialogue=dialogue)

        assert_failed(graded(wrapped, resources), "wrapped in the prompt's instruction", INSTRUCTION)

    def test_half_the_instruction_removed_fails(self, resources):
        def half(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, dialogue=lambda p: p.replace(INSTRUCTION, ""))

        assert_failed(graded(half, resources), "wrapped in the prompt's instruction")

    def test_a_cut_dialogue_fails(self, resources):
        def first_line(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, dialogue=lambda p: dialogue_of(p).splitlines()[0])

        assert_failed(graded(first_line, resources), "none of the prompts' dialogues")

    def test_swapped_summary_columns_fail(self, resources):
        def swapped(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).rename(
                columns={"summary_before": "summary_after", "summary_after": "summary_before"})

        assert_failed(graded(swapped, resources), "summary_before and summary_after are swapped")

    def test_swapped_reward_columns_fail(self, resources):
        def swapped(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table[["reward_before", "reward_after"]] = table[["reward_after", "reward_before"]].to_numpy()
            table["reward_gain"] = table.reward_after - table.reward_before
            return table.sort_values("reward_gain", ascending=False)

        assert_failed(graded(swapped, resources), "reward_before and reward_after are swapped")

    def test_summaries_sorted_apart_from_their_dialogues_fail(self, resources):
        def misaligned(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table["dialogue"] = [dialogue_of(p) for p in prompts]
            return table

        assert_failed(graded(misaligned, resources), "not those of the row's prompt")

    def test_the_gain_the_wrong_way_round_fails(self, resources):
        def backwards(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table["reward_gain"] = table.reward_before - table.reward_after
            return table.sort_values("reward_gain", ascending=False)

        assert_failed(graded(backwards, resources), "reward_gain is reward_before - reward_after")

    def test_a_missing_column_is_named(self, resources):
        def renamed(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).rename(columns={"reward_gain": "gain"})

        assert_failed(graded(renamed, resources), "no column 'reward_gain'", "gain")


class TestGarbage:
    @pytest.mark.parametrize("returned, fragment", [
        (None, "returned None"), ([1, 2], "returned a list"), ({"dialogue": []}, "returned a dict"),
        (pd.DataFrame(), "no column"), (pd.Series([1.0]), "pandas.core.series.Series"),
    ], ids=["none", "list", "dict", "empty-frame", "series"])
    def test_something_else_than_a_table_fails(self, resources, returned, fragment):
        expected = "DataFrame" if fragment != "no column" else "reward_gain"
        assert_failed(graded(lambda *args: returned, resources), fragment, expected)

    def test_a_styled_table_fails(self, resources):
        pytest.importorskip("jinja2")

        def styled(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn).style

        assert_failed(graded(styled, resources), "returned a Styler", "return the DataFrame itself")

    def test_an_empty_table_with_the_columns_fails(self, resources):
        empty = pd.DataFrame(columns=list(table_check.COLUMNS))
        assert_failed(graded(lambda *args: empty, resources), "the table is empty")

    def test_nan_in_the_table_fails(self, resources):
        def with_nan(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn)
            table.loc[2, "reward_after"] = float("nan")
            return table

        assert_failed(graded(with_nan, resources), "reward_after on row 2 is empty (NaN or None)")

    def test_objects_in_the_table_fail(self, resources):
        def with_object(prompts, before, after, reward_fn):
            table = build(prompts, before, after, reward_fn).astype({"words_before": object})
            table.at[0, "words_before"] = object()
            return table

        assert_failed(graded(with_object, resources), "words_before on row 0 is <object object", "not a number")

    def test_a_raising_function_fails(self, resources):
        def raising(*args):
            raise RuntimeError("boom")

        assert_failed(graded(raising, resources), "not graded", "RuntimeError: boom")

    def test_a_single_string_given_to_reward_fn_fails(self, resources):
        def one_string(prompts, before, after, reward_fn):
            return build(prompts, before, after, reward_fn, rewards=lambda texts, _: [reward_fn(t) for t in texts])

        assert_failed(graded(one_string, resources), "reward_fn takes a list of texts")

    def test_a_missing_function_is_named(self, resources):
        assert_failed(verdict("table", {}, resources), "`summary_table` is not defined")

    @pytest.mark.parametrize("value", GARBAGE + [{"table": None}, {"table": {"type": "DataFrame"}},
                                                 {"table": {"type": "DataFrame", "values": {}, "row_count": 1}}],
                             ids=repr)
    def test_garbage_evidence_fails_with_a_message(self, resources, value):
        check = checks.get("table")
        request = check.draw(resources, random.Random(0))
        result = check.judged(value, request, resources)
        assert_failed(result)
        assert result.message
