"""checks.ppo_math: PPO's quantities as trl 0.4's step computes them pass on every draw; each usual mistake
fails with its own message; garbage fails with a message, never a traceback; and the known-good solution
matches what a real trainer's step computed on its first mini-batch (slow)."""
import json
import math
import random
import re

import pytest
import torch
from check_helpers import assert_failed, verdict

import checks
from checks import ppo_math


def solution(mistake=None):
    """The known-good ppo_quantities, or the same with one mistake."""

    def ppo_quantities(batch, kl_coef, gamma, lam, cliprange, cliprange_value, vf_coef):
        mask = batch["mask"].float()
        tokens = batch["tokens"]

        def logprobs(logits):
            if mistake == "kl_raw_logits":
                return logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
            return torch.log_softmax(logits, -1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)

        old = logprobs(batch["new_logits"] if mistake == "kl_update" else batch["logits"])
        ref = logprobs(batch["ref_logits"])
        new = logprobs(batch["new_logits"])
        kl = (torch.zeros_like(old) if mistake == "no_kl" else
              -(old - ref) if mistake == "kl_sign" else old - ref)
        if mistake == "kl_full":
            log_p, log_q = batch["logits"].log_softmax(-1), batch["ref_logits"].log_softmax(-1)
            kl = (log_p.exp() * (log_p - log_q)).sum(-1)
        rewards = -kl_coef * kl
        size, length = mask.shape
        last = [int(row.nonzero()[-1]) for row in mask]
        if mistake == "score_last_column":
            last = [length - 1] * size
        if mistake == "score_count":
            last = [int(row.sum()) - 1 for row in mask]
        if mistake == "score_everywhere":
            rewards = rewards + batch["scores"][:, None]
        else:
            rewards[range(size), last] += batch["scores"]

        values = batch["values"] if mistake == "gae_padding_values" else batch["values"] * mask
        masked_rewards = rewards * mask
        advantages, running = torch.zeros_like(rewards), torch.zeros(size)
        steps = range(length) if mistake == "gae_forward" else reversed(range(length))
        for t in steps:
            following = values[:, t + 1] if t + 1 < length else 0.0
            delta = masked_rewards[:, t] + gamma * following - values[:, t]
            running = delta + gamma * (1.0 if mistake == "lam_one" else lam) * running
            advantages[:, t] = running
        values = values * mask
        returns = advantages + values
        count = mask.sum()
        mean = (advantages * mask).sum() / count
        variance = ((advantages - mean) ** 2 * mask).sum() / (count if mistake == "whitened_biased" else count - 1)
        whitened = (advantages - mean) / torch.sqrt(variance + 1e-8)
        if mistake == "not_whitened":
            whitened = advantages
        if mistake == "whitened_with_padding":
            whitened = (advantages - advantages.mean()) / torch.sqrt(advantages.var() + 1e-8)
        if mistake == "returns_whitened":
            returns = whitened + values

        ratio = torch.exp(new - old)
        unclipped = -whitened * ratio
        clipped = -whitened * torch.clamp(ratio, 1 - cliprange, 1 + cliprange)
        if mistake == "policy_unclipped":
            clipped = unclipped
        kept = torch.min(unclipped, clipped) if mistake == "policy_min" else torch.max(unclipped, clipped)
        policy_loss = (kept.mean() if mistake == "policy_padding" else (kept * mask).sum() / count)

        predicted = batch["new_values"]
        bounded = values + torch.clamp(predicted - values, -cliprange_value, cliprange_value)
        errors = (predicted - returns) ** 2
        bounded_errors = errors if mistake == "value_unclipped" else (bounded - returns) ** 2
        value_loss = 0.5 * (torch.max(errors, bounded_errors) * mask).sum() / count
        if mistake == "value_scaled":
            value_loss = vf_coef * value_loss
        total = policy_loss + (value_loss if mistake in ("total_unscaled", "value_scaled") else vf_coef * value_loss)
        return {"rewards": rewards, "advantages": whitened, "returns": returns, "policy_loss": policy_loss,
                "value_loss": value_loss, "total_loss": total}

    return ppo_quantities


def run(namespace, resources, seed=0):
    return verdict("ppo_math", namespace, resources, rng_seed=seed)


class TestQuantities:
    @pytest.mark.parametrize("seed", range(6))
    def test_trls_quantities_pass_on_every_draw(self, resources, seed):
        result = run({"ppo_quantities": solution()}, resources, seed)
        assert result.passed, result.message
        assert "trl 0.4's compute_rewards and loss on a batch drawn for this run" in result.message

    def test_the_check_needs_no_resources(self):
        assert run({"ppo_quantities": solution()}, None, 11).passed

    def test_float64_answers_pass(self, resources):
        good = solution()

        def in_float64(batch, *settings):
            batch = {k: v.double() if v.is_floating_point() else v for k, v in batch.items()}
            return good(batch, *settings)

        assert run({"ppo_quantities": in_float64}, resources).passed

    def test_the_request_is_json_and_the_batch_the_same_every_time(self):
        request = ppo_math.draw(None, random.Random(3))
        assert json.loads(json.dumps(request)) == request
        first, second = ppo_math.build_batch(request), ppo_math.build_batch(json.loads(json.dumps(request)))
        assert all(torch.equal(first[k], second[k]) for k in ppo_math.INPUTS)
        size, length = len(request["starts"]), request["tokens"]
        assert first["logits"].shape == (size, length, request["vocabulary"]) and first["mask"].dtype == torch.long
        mask = first["mask"]
        assert bool((mask.sum(1) == length).any()), "one response without padding"
        assert bool((mask[:, 0] == 0).any()), "one mask starting at the second position, as trl's for T5"
        assert bool((mask[:, -1] == 0).any()), "one response shorter than the batch"

    @pytest.mark.parametrize("seed", range(12))
    def test_every_draw_tells_every_named_mistake_apart(self, seed):
        assert ppo_math._indistinct(ppo_math.draw(None, random.Random(seed))) == []

    def test_the_reference_is_trls_own_step_arithmetic(self):
        """The reference's pieces are those trl's loss reports: its whitened advantages have mean 0 on real
        tokens, its returns are the raw advantages plus the masked values."""
        request = ppo_math.draw(None, random.Random(5))
        batch = ppo_math.build_batch(request)
        ref = ppo_math.trl_quantities(batch, ppo_math.settings(request))
        mask = batch["mask"].bool()
        assert abs(float(ref["advantages"][mask].mean())) < 1e-5
        assert torch.allclose(ref["returns"], ref["raw_advantages"] + batch["values"] * batch["mask"])
        total = ref["policy_loss"] + request["vf_coef"] * ref["value_loss"]
        assert float(ref["total_loss"]) == pytest.approx(float(total), abs=1e-6)


MISTAKES = {
    "kl_sign": "wrong sign", "no_kl": "no KL penalty", "kl_update": "update's logits",
    "kl_raw_logits": "raw logits", "kl_full": "one-sample estimate", "score_last_column": "last column",
    "score_count": "number of real tokens - 1", "score_everywhere": "added to every token",
    "not_whitened": "not whitened", "whitened_with_padding": "whitening counted padding",
    "whitened_biased": "Bessel", "gae_forward": "forward in time", "gae_padding_values": "padding leaked into GAE",
    "lam_one": "lam is not used", "returns_whitened": "built from the whitened advantages",
    "policy_unclipped": "not clipped", "policy_min": "smaller of the two negated", "policy_padding": "over padding",
    "value_unclipped": "value loss is not clipped", "value_scaled": "already multiplied by vf_coef",
    "total_unscaled": "without vf_coef",
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(mistake, resources):
    for seed in (0, 1):
        assert_failed(run({"ppo_quantities": solution(mistake)}, resources, seed), MISTAKES[mistake])


def test_every_mistake_has_a_message_and_every_message_a_mistake():
    batch, chosen, ref, _ = _reference(0)
    names = [name for mistakes in ppo_math.MISTAKES.values() for name in mistakes(batch, chosen, ref)]
    assert sorted(names) == sorted(ppo_math.WHY) and len(set(names)) == len(names)


@pytest.mark.parametrize("name", ppo_math.WHY)
def test_every_named_mistake_has_its_message(name):
    """Evidence that is trl's answer but for one quantity, computed with one of the named mistakes."""
    batch, chosen, ref, request = _reference(0)
    quantity = next(key for key, mistakes in ppo_math.MISTAKES.items() if name in mistakes(batch, chosen, ref))
    evidence = {key: ppo_math.plain(ref[key]) for key in ppo_math.KEYS}
    evidence[quantity] = ppo_math.plain(ppo_math.MISTAKES[quantity](batch, chosen, ref)[name])
    passed, message = ppo_math.judge(evidence, request, None)
    assert not passed and message == f"{quantity}: {ppo_math.WHY[name]}"


def _reference(seed):
    request = ppo_math.draw(None, random.Random(seed))
    batch, chosen = ppo_math.build_batch(request), ppo_math.settings(request)
    return batch, chosen, ppo_math.trl_quantities(batch, chosen), request


def test_messages_describe_ideas_not_calls():
    for message in list(ppo_math.WHY.values()) + list(ppo_math.WHAT.values()):
        assert "torch." not in message and "clamp" not in message, message
        assert not re.search(r"\w\([^()]*,", message), f"a call with arguments: {message}"


class TestGarbage:
    def test_none_is_a_failed_check_with_a_message(self, resources):
        assert_failed(run({"ppo_quantities": lambda *args: None}, resources), "returned NoneType", "rewards")

    def test_a_missing_key_is_named(self, resources):
        def partial(*args):
            answer = solution()(*args)
            del answer["returns"]
            return answer

        assert_failed(run({"ppo_quantities": partial}, resources), "no returns")

    def test_a_function_that_raises_is_a_failed_check(self, resources):
        assert_failed(run({"ppo_quantities": lambda *args: 1 / 0}, resources), "not graded", "ZeroDivisionError")

    def test_shifted_tokens_give_a_shape_message_with_the_reason(self, resources):
        def shifted(batch, *settings):
            answer = solution()(batch, *settings)
            answer["rewards"] = answer["rewards"][:, 1:]
            return answer

        assert_failed(run({"ppo_quantities": shifted}, resources), "rows of", "one column short")

    def test_a_flat_table_and_a_vector_loss_fail(self, resources):
        def flat(*args):
            answer = solution()(*args)
            return {**answer, "advantages": answer["advantages"].flatten()}

        def vector_loss(*args):
            answer = solution()(*args)
            return {**answer, "policy_loss": torch.ones(3)}

        assert_failed(run({"ppo_quantities": flat}, resources), "advantages must hold one value per token")
        assert_failed(run({"ppo_quantities": vector_loss}, resources), "policy_loss must be a number")

    def test_nan_fails_on_real_tokens_and_is_ignored_on_padding(self, resources):
        def nan_where(real):
            def answer(batch, *settings):
                found = solution()(batch, *settings)
                spot = (batch["mask"] == (1 if real else 0)).nonzero()[0]
                found["returns"][spot[0], spot[1]] = math.nan
                return found
            return answer

        assert_failed(run({"ppo_quantities": nan_where(True)}, resources), "returns is nan", "must be finite")
        assert run({"ppo_quantities": nan_where(False)}, resources).passed
        nan_loss = {"ppo_quantities": lambda *args: {**solution()(*args), "value_loss": torch.tensor(math.nan)}}
        assert_failed(run(nan_loss, resources), "value_loss is nan")

    def test_text_and_numbers_of_the_wrong_kind_fail(self, resources):
        assert_failed(run({"ppo_quantities": lambda *args: "rewards"}, resources), "returned str")
        words = {key: "x" for key in ppo_math.KEYS}
        assert_failed(run({"ppo_quantities": lambda *args: words}, resources), "rewards must hold")

    @pytest.mark.parametrize("evidence", [{}, {"rewards": None}, {key: [] for key in ppo_math.KEYS},
                                          {key: object() for key in ppo_math.KEYS}], ids=repr)
    def test_garbage_evidence_is_judged_without_a_traceback(self, evidence, resources):
        check = checks.get("ppo_math")
        result = check.judged(evidence, check.draw(resources, random.Random(0)), resources)
        assert_failed(result)
        assert result.message and "Traceback" not in result.message

    def test_the_notebooks_call_gives_a_verdict(self, resources, monkeypatch):
        monkeypatch.setattr(checks, "active_profile", lambda: resources.profile)
        assert checks.run("ppo_math", {"ppo_quantities": solution()}).passed
        assert_failed(checks.run("ppo_math", {}), "`ppo_quantities` is not defined")


@pytest.mark.slow  # loads the mini profile's stand-in policy and runs trl's step to its first loss
def test_the_solution_matches_trls_step_on_a_real_mini_batch(mini, tokenizer, dataset):
    import answer_key.models
    import answer_key.ppo
    from detoxlab import lab, models, ppo

    lab.make_reproducible(0)
    ppo_model = answer_key.models.with_value_head(answer_key.models.load_policy(mini, is_trainable=True))
    chosen = ppo.method(mini, "corrected")
    trainer = answer_key.ppo.make_trainer(mini, chosen, ppo_model, models.frozen_reference(ppo_model), tokenizer, None)
    faster = vars(ppo.pad_each_mini_batch(trainer))["batched_forward_pass"]  # the full profile's: an instance attribute
    size = mini.ppo["batch_size"]
    queries = list(dataset["train"]["input_ids"][:size])
    generator = torch.Generator().manual_seed(0)
    responses = [torch.cat([torch.tensor([tokenizer.pad_token_id]),
                            torch.randint(3, len(tokenizer) - 1, (3 + 2 * (i % 7),), generator=generator),
                            torch.tensor([tokenizer.eos_token_id])]) for i in range(size)]
    scores = [torch.tensor(float(i % 5) - 2.0) for i in range(size)]
    weights = {n: p.detach().clone() for n, p in ppo_model.named_parameters() if p.requires_grad}
    torch.manual_seed(3)
    expected_stream = torch.rand(2)
    torch.manual_seed(3)

    captured = ppo_math.first_mini_batch(trainer, queries, responses, scores)

    assert torch.equal(torch.rand(2), expected_stream), "the random streams go on as if step had not run"
    assert all(torch.equal(weights[n], p.detach()) for n, p in ppo_model.named_parameters() if n in weights)
    assert "loss" not in vars(trainer) and "compute_rewards" not in vars(trainer)
    assert vars(trainer)["batched_forward_pass"] is faster and trainer.kl_ctl.value == chosen.init_kl_coef
    batch = captured["batch"]
    assert len(batch["scores"]) == mini.ppo["mini_batch_size"]
    assert int(batch["mask"][:, 0].sum()) == 0, "trl never counts the first summary token of an encoder-decoder"
    mine = solution()(batch, **captured["settings"])
    real = batch["mask"].bool()
    for key in ppo_math.TABLES:
        assert torch.allclose(mine[key][real], captured["trl"][key][real], atol=1e-4, rtol=1e-4), key
    for key in ppo_math.SCALARS:
        assert float(mine[key]) == pytest.approx(captured["trl"][key], abs=1e-5, rel=1e-4), key
    table = ppo_math.side_by_side(mine, captured)
    assert list(table.index) == list(ppo_math.KEYS) and float(table["largest difference"].max()) < 1e-3
