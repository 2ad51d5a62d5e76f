"""Check "PPO's quantities" (exercise 3.2): the student's ``ppo_quantities`` opens trl 0.4's ``PPOTrainer.step``.

On a batch drawn for this run (B responses of up to T tokens, some shorter, some whose mask starts at the
second position as trl's encoder-decoder masks do, over a small vocabulary; the policy's, the reference's and
the value head's outputs when the responses were sampled, and the policy's after some optimisation), it must
give what ``step`` computes for one mini-batch: the per-token KL-penalised rewards (``compute_rewards``), the
whitened GAE advantages and the returns, the clipped policy loss, the clipped value loss and the total loss
(``loss``). The reference is trl's own code, called on the same tensors with a stand-in ``self`` that holds a
real ``PPOConfig`` and a ``FixedKLController``; the usual mistakes are recognised and named.

``first_mini_batch`` runs a real trainer's ``step`` up to its first ``loss`` and returns the same kind of batch
with what trl computed from it: the notebook compares the student's function with it, and so do the tests.
"""
from __future__ import annotations

import contextlib
import math
from types import SimpleNamespace

from checks.common import number, plain
from checks.registry import Check, register

SETTINGS = ("kl_coef", "gamma", "lam", "cliprange", "cliprange_value", "vf_coef")  # ppo_quantities' arguments
TABLES = ("rewards", "advantages", "returns")                                    # (B, T), compared on real tokens
SCALARS = ("policy_loss", "value_loss", "total_loss")
KEYS = TABLES + SCALARS
INPUTS = ("logits", "ref_logits", "tokens", "mask", "values", "scores", "new_logits", "new_values")

# float32 sums in another order, or float64, stay far inside these; every mistake named below is kept at
# least SEPARATION tolerances away on the drawn batch (draw redraws until it is)
ABSOLUTE, RELATIVE = 1e-4, 1e-4
SEPARATION = 30
NOISE = {"reference": 0.6, "update": 0.3, "values": 0.3}  # how far the reference, the update and its values moved


# ------------------------------------------------------------------------------------------- the drawn batch
def draw(resources, rng) -> dict:
    for _ in range(200):
        request = _draw_once(rng)
        if not _indistinct(request):
            return request
    raise RuntimeError("no batch that tells every named mistake apart in 200 draws")


def _draw_once(rng) -> dict:
    size, length = rng.randrange(4, 7), rng.randrange(6, 11)
    starts = [rng.choice((0, 1)) for _ in range(size)]
    starts[0], starts[1] = 0, 1                          # a mask from the first position, one from the second
    lengths = [rng.randrange(2, length - start + 1) for start in starts]
    lengths[0] = length                                  # one response without padding
    lengths[2] = rng.randrange(2, length - starts[2])    # one shorter than the batch
    order = list(range(size))
    rng.shuffle(order)
    return {"seed": rng.randrange(1, 2**31 - 1), "vocabulary": rng.randrange(11, 32), "tokens": length,
            "starts": [starts[i] for i in order], "lengths": [lengths[i] for i in order],
            "kl_coef": round(rng.uniform(0.05, 0.3), 3), "gamma": round(rng.uniform(0.9, 0.98), 3),
            "lam": round(rng.uniform(0.85, 0.95), 3), "cliprange": round(rng.uniform(0.1, 0.25), 3),
            "cliprange_value": round(rng.uniform(0.1, 0.25), 3), "vf_coef": round(rng.uniform(0.05, 0.5), 3)}


def settings(request: dict) -> dict:
    return {name: float(request[name]) for name in SETTINGS}


def build_batch(request: dict) -> dict:
    """The request's batch, the same in every process: float32 tensors as trl keeps them, ``mask`` a long
    tensor as trl's, ``logits[:, t]`` the distribution ``tokens[:, t]`` was drawn from (already aligned)."""
    import torch

    generator = torch.Generator().manual_seed(int(request["seed"]))
    size, length, vocabulary = len(request["starts"]), int(request["tokens"]), int(request["vocabulary"])

    def normal(*shape):
        return torch.randn(*shape, generator=generator)

    mask = torch.zeros(size, length, dtype=torch.long)
    for i, (start, count) in enumerate(zip(request["starts"], request["lengths"], strict=True)):
        mask[i, int(start):int(start) + int(count)] = 1
    logits = 2.0 * normal(size, length, vocabulary)
    tokens = torch.multinomial(logits.softmax(-1).reshape(-1, vocabulary), 1, generator=generator).reshape(size, length)
    tokens = tokens * mask  # padding reads token 0, as a pad token
    values = normal(size, length)
    return {"logits": logits, "ref_logits": logits + NOISE["reference"] * normal(size, length, vocabulary),
            "tokens": tokens, "mask": mask, "values": values, "scores": 1.5 * normal(size),
            "new_logits": logits + NOISE["update"] * normal(size, length, vocabulary),
            "new_values": values + NOISE["values"] * normal(size, length)}


# ------------------------------------------------------------------------------------- trl's own computation
@contextlib.contextmanager
def _watching_trl():
    """What ``PPOTrainer.loss`` keeps to itself: the GAE advantages before whitening (the argument of its
    ``masked_whiten``) and the returns (the argument of its first ``masked_var``)."""
    from trl.trainer import ppo_trainer as module

    seen, whiten, variance = {}, module.masked_whiten, module.masked_var

    def watched_whiten(values, mask, *args, **kwargs):
        seen.setdefault("raw_advantages", values.detach().clone())
        return whiten(values, mask, *args, **kwargs)

    def watched_variance(values, mask, *args, **kwargs):
        seen.setdefault("returns", values.detach().clone())
        return variance(values, mask, *args, **kwargs)

    module.masked_whiten, module.masked_var = watched_whiten, watched_variance
    try:
        yield seen
    finally:
        module.masked_whiten, module.masked_var = whiten, variance


def _stand_in(chosen: dict, size: int):
    """What ``compute_rewards`` and ``loss`` read from ``self``: a real PPOConfig and a fixed KL controller."""
    from trl import PPOConfig
    from trl.trainer import FixedKLController

    config = PPOConfig(batch_size=size, mini_batch_size=size, adap_kl_ctrl=False, init_kl_coef=chosen["kl_coef"],
                       gamma=chosen["gamma"], lam=chosen["lam"], cliprange=chosen["cliprange"],
                       cliprange_value=chosen["cliprange_value"], vf_coef=chosen["vf_coef"])
    return SimpleNamespace(config=config, kl_ctl=FixedKLController(chosen["kl_coef"]))


def trl_quantities(batch: dict, chosen: dict) -> dict:
    """trl 0.4's ``compute_rewards`` then ``loss`` on ``batch`` (the whole batch as one mini-batch), and the
    intermediate tensors the mistakes are built from."""
    import torch
    from trl import PPOTrainer
    from trl.core import logprobs_from_logits

    stand_in = _stand_in(chosen, len(batch["scores"]))
    mask = batch["mask"]
    with torch.no_grad():
        old, ref, new = (logprobs_from_logits(batch[key], batch["tokens"])
                         for key in ("logits", "ref_logits", "new_logits"))
        rewards, _ = PPOTrainer.compute_rewards(stand_in, batch["scores"], old, ref, mask)
        with _watching_trl() as seen:
            policy_loss, _, stats = PPOTrainer.loss(stand_in, old, batch["values"], rewards, batch["new_logits"],
                                                    batch["new_values"], new, mask)
    return {"rewards": rewards, "advantages": stats["policy/advantages"], "returns": seen["returns"],
            "policy_loss": policy_loss, "value_loss": stats["loss/value"], "total_loss": stats["loss/total"],
            "raw_advantages": seen["raw_advantages"], "old_logprobs": old, "ref_logprobs": ref, "new_logprobs": new}


# --------------------------------------------------------------------------------- the mistakes, by quantity
def _last_real(mask) -> list[int]:
    return [int(row.nonzero()[-1]) for row in mask]


def _with_score(penalty, scores, positions):
    rewards = penalty.clone()
    for i, position in enumerate(positions):
        rewards[i, position] += scores[i]
    return rewards


def _gather(logits, tokens):
    return logits.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)


def _gae(rewards, values, mask, gamma, lam, mask_rewards=True, mask_values=True, forward=False):
    import torch

    rewards = rewards * mask if mask_rewards else rewards
    values = values * mask if mask_values else values
    length = rewards.shape[1]
    columns, running = [None] * length, torch.zeros_like(rewards[:, 0])
    for t in (range(length) if forward else reversed(range(length))):
        following = values[:, t + 1] if t < length - 1 else 0.0
        running = rewards[:, t] + gamma * following - values[:, t] + gamma * lam * running
        columns[t] = running
    return torch.stack(columns, 1)


def _masked_mean(values, mask):
    return (values * mask).sum() / mask.sum()


def _whiten(values, mask, bessel=True):
    mean = _masked_mean(values, mask)
    count = mask.sum()
    variance = ((values - mean) ** 2 * mask).sum() / (count - 1 if bessel else count)
    return (values - mean) / (variance + 1e-8).sqrt()


def _reward_mistakes(batch, chosen, ref) -> dict:
    import torch

    mask, scores, k = batch["mask"], batch["scores"], chosen["kl_coef"]
    kl = ref["old_logprobs"] - ref["ref_logprobs"]
    last, length = _last_real(mask), mask.shape[1]
    first = [int(row.nonzero()[0]) for row in mask]
    new_kl = ref["new_logprobs"] - ref["ref_logprobs"]
    raw_kl = _gather(batch["logits"], batch["tokens"]) - _gather(batch["ref_logits"], batch["tokens"])
    log_p, log_q = batch["logits"].log_softmax(-1), batch["ref_logits"].log_softmax(-1)
    full_kl = (log_p.exp() * (log_p - log_q)).sum(-1)
    summed = torch.zeros_like(kl)
    for i, position in enumerate(last):
        summed[i, position] = (kl[i] * mask[i]).sum()
    return {
        "kl_sign": _with_score(k * kl, scores, last),
        "no_kl": _with_score(torch.zeros_like(kl), scores, last),
        "kl_update": _with_score(-k * new_kl, scores, last),
        "kl_raw_logits": _with_score(-k * raw_kl, scores, last),
        "kl_full": _with_score(-k * full_kl, scores, last),
        "kl_summed": _with_score(-k * summed, scores, last),
        "score_last_column": _with_score(-k * kl, scores, [length - 1] * len(last)),
        "score_count": _with_score(-k * kl, scores, [int(row.sum()) - 1 for row in mask]),
        "score_first": _with_score(-k * kl, scores, first),
        "score_everywhere": -k * kl + scores[:, None],
    }


def _advantage_mistakes(batch, chosen, ref) -> dict:
    import torch
    from trl.core import whiten

    mask, values, rewards = batch["mask"], batch["values"], ref["rewards"]
    gamma, lam, raw = chosen["gamma"], chosen["lam"], ref["raw_advantages"]
    rows = torch.stack([_whiten(raw[i], mask[i]) for i in range(len(mask))])
    return {
        "not_whitened": raw,
        "whitened_with_padding": whiten(raw),
        "whitened_biased": _whiten(raw, mask, bessel=False),
        "whitened_per_response": rows,
        "gae_forward": _whiten(_gae(rewards, values, mask, gamma, lam, forward=True), mask),
        "gae_padding_values": _whiten(_gae(rewards, values, mask, gamma, lam, mask_values=False), mask),
        "gae_padding": _whiten(_gae(rewards, values, mask, gamma, lam, mask_rewards=False, mask_values=False), mask),
        "gamma_ignored": _whiten(_gae(rewards, values, mask, 1.0, lam), mask),
        "lam_one": _whiten(_gae(rewards, values, mask, gamma, 1.0), mask),
        "lam_zero": _whiten(_gae(rewards, values, mask, gamma, 0.0), mask),
    }


def _return_mistakes(batch, chosen, ref) -> dict:
    mask, values = batch["mask"], batch["values"] * batch["mask"]
    return {
        "returns_whitened": ref["advantages"] + values,
        "returns_no_values": ref["raw_advantages"],
        "returns_discounted": _gae(ref["rewards"], values * 0, mask, chosen["gamma"], 1.0),
    }


def _surrogate(advantages, ratio, clip):
    import torch

    return -advantages * ratio, -advantages * torch.clamp(ratio, 1.0 - clip, 1.0 + clip)


def _policy_mistakes(batch, chosen, ref) -> dict:
    import torch

    mask, clip = batch["mask"], chosen["cliprange"]
    ratio = (ref["new_logprobs"] - ref["old_logprobs"]).exp()
    plain_term, clipped = _surrogate(ref["advantages"], ratio, clip)
    inverted = _surrogate(ref["advantages"], 1 / ratio, clip)
    raw = _surrogate(ref["raw_advantages"], ratio, clip)
    return {
        "policy_unclipped": _masked_mean(plain_term, mask),
        "policy_min": _masked_mean(torch.min(plain_term, clipped), mask),
        "policy_sign": _masked_mean(torch.min(-plain_term, -clipped), mask),
        "policy_clipped_only": _masked_mean(clipped, mask),
        "policy_ratio_inverted": _masked_mean(torch.max(*inverted), mask),
        "policy_raw_advantages": _masked_mean(torch.max(*raw), mask),
        "policy_padding": torch.max(plain_term, clipped).mean(),
    }


def _value_terms(batch, chosen, ref):
    import torch

    values, predicted, returns = batch["values"] * batch["mask"], batch["new_values"], ref["returns"]
    clipped = torch.max(torch.min(predicted, values + chosen["cliprange_value"]), values - chosen["cliprange_value"])
    return (predicted - returns) ** 2, (clipped - returns) ** 2


def _value_mistakes(batch, chosen, ref) -> dict:
    import torch

    mask = batch["mask"]
    plain_term, clipped = _value_terms(batch, chosen, ref)
    pessimistic = torch.max(plain_term, clipped)
    return {
        "value_unclipped": 0.5 * _masked_mean(plain_term, mask),
        "value_min": 0.5 * _masked_mean(torch.min(plain_term, clipped), mask),
        "value_no_half": _masked_mean(pessimistic, mask),
        "value_scaled": chosen["vf_coef"] * 0.5 * _masked_mean(pessimistic, mask),
        "value_padding": 0.5 * pessimistic.mean(),
        "value_clipped_only": 0.5 * _masked_mean(clipped, mask),
    }


def _total_mistakes(batch, chosen, ref) -> dict:
    return {"total_unscaled": ref["policy_loss"] + ref["value_loss"],
            "total_value_only": chosen["vf_coef"] * ref["value_loss"]}


MISTAKES = {"rewards": _reward_mistakes, "advantages": _advantage_mistakes, "returns": _return_mistakes,
            "policy_loss": _policy_mistakes, "value_loss": _value_mistakes, "total_loss": _total_mistakes}

WHY = {
    "kl_sign": "the KL penalty has the wrong sign: each token's reward is minus kl_coef times its KL estimate "
               "(log-probability of the sampled token under the policy minus under the reference), so drifting "
               "from the reference costs reward; here drifting earns it",
    "no_kl": "the rewards have no KL penalty: every real token gets minus kl_coef times its KL estimate (the "
             "sampled token's log-probability under the policy minus under the reference), and the score comes "
             "on top at the last real token",
    "kl_update": "the KL penalty used the update's logits (new_logits): the rewards are fixed when the responses "
                 "are sampled, so they compare the policy's logits at sampling time (logits) with the reference's",
    "kl_raw_logits": "the KL penalty compared raw logits of the sampled token: logits become log-probabilities "
                     "only once normalised over the vocabulary (a log-softmax), and each position's normaliser "
                     "differs between the policy and the reference",
    "kl_full": "the KL penalty is the full divergence over the vocabulary at each position; trl uses the "
               "one-sample estimate on the token that was generated, log p_policy(token) - log p_ref(token), "
               "which can be negative",
    "kl_summed": "the KL penalty was summed over the response and given at its end: trl penalises each token "
                 "with its own KL estimate",
    "score_last_column": "the score went to the last column, which is padding for the shorter responses: it "
                         "belongs at each response's last real token (the last position where mask is 1)",
    "score_count": "the score went to the position (number of real tokens - 1), which is not the last real "
                   "token when a response's mask starts later than position 0 (trl's encoder-decoder masks "
                   "start at the second position): it belongs at the last position where mask is 1",
    "score_first": "the score went to the first real token: trl adds it at each response's last real token, "
                   "where the response is complete and the reward model's verdict applies",
    "score_everywhere": "the score was added to every token: trl adds the reward model's score once, at the "
                        "last real token, on top of the per-token KL penalties",
    "not_whitened": "the advantages are not whitened: trl normalises the GAE advantages over the real tokens "
                    "of the mini-batch (minus their mean, divided by their standard deviation) before the "
                    "policy loss, so the step's size does not depend on the reward's scale",
    "whitened_with_padding": "the whitening counted padding: the mean and the variance are taken over the "
                             "real tokens only (where mask is 1)",
    "whitened_biased": "the whitening's variance divides by n: trl's masked variance has Bessel's correction "
                       "(it divides by n - 1, for the n real tokens)",
    "whitened_per_response": "the advantages were whitened response by response: trl whitens once, over all "
                             "the real tokens of the mini-batch together",
    "gae_forward": "GAE ran forward in time: each advantage is the token's TD error plus gamma * lam times the "
                   "advantage of the next token, so the recursion starts at the last token and runs backward",
    "gae_padding_values": "padding leaked into GAE: trl zeroes the values (and rewards) of padding positions, "
                          "so after a response's last real token the next value is 0 (the response has "
                          "ended), not the value head's output at a padding position",
    "gae_padding": "padding leaked into GAE: trl zeroes the rewards and the values of padding positions before "
                   "the recursion, so nothing after a response's last real token counts",
    "gamma_ignored": "gamma is not used: the TD error discounts the next value by gamma, and GAE discounts "
                     "each later TD error by another factor of gamma * lam",
    "lam_one": "lam is not used: the advantages are the whole discounted rest of the response minus the value; "
               "GAE weighs the TD error k tokens later by (gamma * lam) to the power k",
    "lam_zero": "the advantages are one-step TD errors: GAE also sums the TD errors of the later tokens, each "
                "discounted by another factor of gamma * lam",
    "returns_whitened": "the returns were built from the whitened advantages: trl's returns are the GAE "
                        "advantages before whitening plus the value estimates (the target the value head "
                        "learns); whitening is only for the policy loss",
    "returns_no_values": "the returns are the advantages alone: they are the advantages (before whitening) "
                         "plus the value head's estimates, what the value head should have predicted",
    "returns_discounted": "the returns are the discounted sums of the later rewards; trl's are the GAE "
                          "advantages plus the values (lambda-returns), which lean on the value head's "
                          "estimates as GAE does",
    "policy_unclipped": "the policy loss is not clipped: trl clips the probability ratio to "
                        "[1 - cliprange, 1 + cliprange] and keeps the pessimistic of the clipped and unclipped "
                        "surrogate terms, so one update cannot push a token's probability far",
    "policy_min": "the policy loss keeps the smaller of the two negated surrogate terms: of minus the "
                  "advantage times the ratio, clipped and not, trl keeps the larger (the pessimistic bound)",
    "policy_sign": "the policy loss has the wrong sign: trl minimises minus the advantage times the ratio "
                   "(it maximises the clipped surrogate objective)",
    "policy_clipped_only": "the policy loss uses the clipped term alone: trl keeps, token by token, the larger "
                           "of the clipped and the unclipped negated surrogate terms",
    "policy_ratio_inverted": "the probability ratio is inverted: it is the sampled token's probability under "
                             "the policy being updated (new_logits) over its probability when it was sampled "
                             "(logits)",
    "policy_raw_advantages": "the policy loss used the advantages before whitening: trl's uses the whitened "
                             "ones",
    "policy_padding": "the policy loss averaged over padding too: the mean is taken over the real tokens only",
    "value_unclipped": "the value loss is not clipped: trl also clips the new value estimate to within "
                       "cliprange_value of the value at sampling time, and keeps the larger of the two squared "
                       "errors against the returns",
    "value_min": "the value loss keeps the smaller of the two squared errors: trl keeps the larger (clipped "
                 "estimate or not), the pessimistic one",
    "value_no_half": "the value loss lacks trl's factor one half (half the mean squared error)",
    "value_scaled": "value_loss is already multiplied by vf_coef: report it as step's ppo/loss/value does, "
                    "before vf_coef, which scales it only in the total loss",
    "value_padding": "the value loss averaged over padding too: the mean is taken over the real tokens only",
    "value_clipped_only": "the value loss uses the clipped estimate alone: trl keeps, token by token, the "
                          "larger of the squared errors of the clipped and the unclipped estimates",
    "total_unscaled": "the total loss adds the value loss without vf_coef: trl minimises the policy loss plus "
                      "vf_coef times the value loss (step's ppo/loss/total)",
    "total_value_only": "the total loss lacks the policy loss: trl minimises the policy loss plus vf_coef "
                        "times the value loss",
}

WHAT = {
    "rewards": "each real token's reward is minus kl_coef times (log p_policy - log p_ref) of its sampled token, "
               "and the score is added at the last real token (trl's compute_rewards)",
    "advantages": "trl runs GAE backward over each response (TD error = reward + gamma * next value - value, "
                  "padding's rewards and values counted as 0; each advantage adds gamma * lam times the next "
                  "one), then whitens over the real tokens",
    "returns": "the returns are the GAE advantages before whitening plus the value estimates",
    "policy_loss": "the mean over real tokens of the larger of minus advantage times ratio and minus advantage "
                   "times the ratio clipped to [1 - cliprange, 1 + cliprange] (ratio: new over old "
                   "probability of the sampled token)",
    "value_loss": "half the mean over real tokens of the larger squared error against the returns, of the new "
                  "value estimate and of the estimate clipped to within cliprange_value of the old value",
    "total_loss": "the policy loss plus vf_coef times the value loss",
}


def _distance(got, want, mask=None) -> float:
    """How far ``got`` is from ``want`` in tolerances (on real tokens for tables); the largest over elements."""
    import torch

    got, want = torch.as_tensor(got, dtype=torch.float64), torch.as_tensor(want, dtype=torch.float64)
    gap = (got - want).abs() / (ABSOLUTE + RELATIVE * want.abs())
    gap = torch.nan_to_num(gap, nan=math.inf)
    if mask is not None:
        gap = gap[mask.bool()]
    return float(gap.max())


def _indistinct(request: dict) -> list[str]:
    """The named mistakes that the request's batch would not tell apart from trl's answer."""
    batch, chosen = build_batch(request), settings(request)
    ref = trl_quantities(batch, chosen)
    found = []
    for quantity in KEYS:
        mask = batch["mask"] if quantity in TABLES else None
        for name, value in MISTAKES[quantity](batch, chosen, ref).items():
            if _distance(value, ref[quantity], mask) < SEPARATION:
                found.append(name)
    return found


# ------------------------------------------------------------------------------------------- gather, judge
def _finite_or_text(value):
    if isinstance(value, list):
        return [_finite_or_text(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def gather(namespace: dict, request: dict, resources) -> dict:
    chosen = settings(request)
    answer = namespace["ppo_quantities"](build_batch(request), *(chosen[name] for name in SETTINGS))
    if not isinstance(answer, dict):
        raise TypeError(f"ppo_quantities returned {type(answer).__name__}: it must return a dict with the keys "
                        f"{', '.join(KEYS)}")
    missing = [key for key in KEYS if key not in answer]
    if missing:
        raise ValueError(f"the dict ppo_quantities returned has no {', '.join(missing)} (it must have "
                         f"{', '.join(KEYS)})")
    return {key: _finite_or_text(plain(answer[key], max_items=64)) for key in KEYS}


def _shape(value) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}" + (f" of {_shape(value[0])}" if value and isinstance(value[0], list) else "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a single number"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def _table(value, name: str, size: int, length: int, mask):
    """(tensor, None) or (None, what is wrong) for a (size, length) table of numbers, finite on real tokens."""
    import torch

    if not (isinstance(value, list) and len(value) == size
            and all(isinstance(row, list) and len(row) == length for row in value)):
        message = (f"{name} must hold one value per token of each response, {size} rows of {length}, got "
                   f"{_shape(value)}")
        if isinstance(value, list) and value and all(isinstance(row, list) and len(row) == length - 1 for row in value):
            message += (": one column short, as if tokens were shifted against the logits; here logits[:, t] is "
                        "already the distribution tokens[:, t] was drawn from")
        return None, message
    for i, row in enumerate(value):
        for t, item in enumerate(row):
            if isinstance(item, bool) or not isinstance(item, (int, float, str)) or (
                    isinstance(item, str) and item not in ("nan", "inf", "-inf")):
                return None, f"{name}[{i}][{t}] is {_shape(item)}, not a number"
    table = torch.tensor([[float(item) for item in row] for row in value], dtype=torch.float64)
    bad = (~torch.isfinite(table)) & mask.bool()
    if bad.any():
        i, t = (int(v) for v in bad.nonzero()[0])
        return None, f"{name} is {table[i, t].item()} at response {i}, token {t}, a real token: it must be finite"
    return table, None


def _scalar(value, name: str):
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    try:
        return number(value if value not in ("nan", "inf", "-inf") else float(value), name), None
    except (TypeError, ValueError) as error:
        return None, f"{error} (one number: a scalar tensor or a float)"


def _answer(evidence: dict, request: dict, mask):
    size, length = mask.shape
    answer = {}
    for key in KEYS:
        if key not in evidence:
            return None, f"no {key} in the evidence"
        if key in TABLES:
            answer[key], problem = _table(evidence[key], key, size, length, mask)
        else:
            answer[key], problem = _scalar(evidence[key], key)
        if problem:
            return None, problem
    return answer, None


def _first_gap(got, want, mask) -> str:
    import torch

    gap = (got - want.double()).abs() / (ABSOLUTE + RELATIVE * want.double().abs())
    gap = torch.where(mask.bool(), gap, torch.zeros_like(gap))
    i, t = (int(v) for v in (gap > 1).nonzero()[0])
    return f"at response {i}, token {t} you have {got[i, t]:+.5f}, trl {want[i, t]:+.5f}"


def judge(evidence: dict, request: dict, resources):
    batch, chosen = build_batch(request), settings(request)
    mask = batch["mask"]
    answer, problem = _answer(evidence, request, mask)
    if problem:
        return False, problem
    ref = trl_quantities(batch, chosen)
    for quantity in KEYS:
        table = mask if quantity in TABLES else None
        if _distance(answer[quantity], ref[quantity], table) <= 1:
            continue
        for name, value in MISTAKES[quantity](batch, chosen, ref).items():
            if _distance(answer[quantity], value, table) <= 3:
                return False, f"{quantity}: {WHY[name]}"
        if table is not None:
            where = f"{_first_gap(answer[quantity], ref[quantity], mask)} (real tokens only are compared)"
        else:
            where = f"you have {answer[quantity]:+.5f}, trl {float(ref[quantity]):+.5f}"
        return False, f"{quantity}: {where}; {WHAT[quantity]}"
    real = mask.bool()
    ratio = (ref["new_logprobs"] - ref["old_logprobs"]).exp()[real]
    clipped = int(((ratio - 1).abs() > chosen["cliprange"]).sum())
    moved = int(((batch["new_values"] - batch["values"])[real].abs() > chosen["cliprange_value"]).sum())
    losses = ", ".join(f"{name.replace('_', ' ')} {float(ref[name]):.4f}" for name in SCALARS)
    return True, (f"rewards, advantages and returns on {int(real.sum())} real tokens, {losses}: trl 0.4's "
                  f"compute_rewards and loss on a batch drawn for this run ({len(mask)} responses of up to "
                  f"{mask.shape[1]} tokens, a vocabulary of {request['vocabulary']}, kl_coef {chosen['kl_coef']}, "
                  f"gamma {chosen['gamma']}, lam {chosen['lam']}; {clipped} ratios outside 1 +/- "
                  f"{chosen['cliprange']}, {moved} values moved more than {chosen['cliprange_value']})")


CHECK = register(Check(key="ppo_math", title="PPO's quantities", order=65, section="3.2",
                       needs=("ppo_quantities",), draw=draw, gather=gather, judge=judge))


# ------------------------------------------------------------------------------ trl's step on the lab's batch
class _Captured(Exception):
    """Stops ``step`` once its first ``loss`` is computed, before any update."""


def first_mini_batch(trainer, queries, responses, scores) -> dict:
    """Run ``trainer.step(queries, responses, scores)`` up to its first ``loss``, and stop there: no update
    (the adapter, the value head, the optimiser and the KL controller stay as they were; the random streams
    too). Returns {"batch": the first mini-batch in ``ppo_quantities``' terms (the rows ``step`` drew, with the
    policy's and the reference's logits from ``step``'s own forward passes, its mask, values and scores, and the
    logits and values of the mini-batch's forward pass), "settings": ``ppo_quantities``' other arguments as
    ``step`` used them, "trl": what ``loss`` computed (rewards, advantages, returns, the three losses)}.
    Keeps the whole batch's logits on the CPU for a moment (batch x summary length x vocabulary floats, twice)."""
    import torch

    if not trainer.is_encoder_decoder:
        raise NotImplementedError("first_mini_batch follows encoder-decoder policies (the lab's T5)")
    seen = {"rollout": []}
    names = ("batched_forward_pass", "compute_rewards", "loss")
    own = {name: vars(trainer)[name] for name in names if name in vars(trainer)}
    forward, compute_rewards, loss = (getattr(trainer, name) for name in names)

    def forward_keeping_logits(model, queries, responses, model_inputs, return_logits=False):
        logprobs, logits, values, masks = forward(model, queries, responses, model_inputs, return_logits=True)
        if not return_logits:  # the two passes before the update: the policy's, then the reference's
            seen["rollout"].append(logits.detach().float().cpu())
            seen["tokens"] = model_inputs["decoder_input_ids"]
            return logprobs, None, values, masks
        return logprobs, logits, values, masks

    def compute_rewards_kept(scores, logprobs, ref_logprobs, masks):
        seen["scores"], seen["logprobs"] = torch.stack(list(scores)).float().cpu(), logprobs.float().cpu()
        return compute_rewards(scores, logprobs, ref_logprobs, masks)

    def loss_then_stop(old_logprobs, values, rewards, logits, vpreds, logprobs, mask):
        with _watching_trl() as watched:
            seen["trl"] = loss(old_logprobs, values, rewards, logits, vpreds, logprobs, mask)
        seen["returns"] = watched["returns"]
        seen["mini_batch"] = [t.detach().float().cpu() for t in (old_logprobs, values, rewards, logits, vpreds, mask)]
        raise _Captured

    trainer.batched_forward_pass, trainer.compute_rewards, trainer.loss = (
        forward_keeping_logits, compute_rewards_kept, loss_then_stop)
    try:
        with torch.random.fork_rng():
            trainer.step(queries, responses, scores)
        raise RuntimeError("step returned without computing a loss")
    except _Captured:
        pass
    finally:
        for name in names:
            if name in own:
                setattr(trainer, name, own[name])
            else:
                delattr(trainer, name)
    old_logprobs, values, rewards, logits, vpreds, mask = seen["mini_batch"]
    rows = torch.cdist(old_logprobs, seen["logprobs"]).argmin(1)
    policy, reference = seen["rollout"]
    tokens = seen["tokens"][:, 1:].cpu()  # trl's log-probability at t is of decoder token t + 1
    pg_loss, _, stats = seen["trl"]
    config = trainer.config
    return {
        "batch": {"logits": policy[rows], "ref_logits": reference[rows], "tokens": tokens[rows],
                  "mask": mask.long(), "values": values, "scores": seen["scores"][rows], "new_logits": logits,
                  "new_values": vpreds},
        "settings": {"kl_coef": float(trainer.kl_ctl.value), "gamma": float(config.gamma), "lam": float(config.lam),
                     "cliprange": float(config.cliprange), "cliprange_value": float(config.cliprange_value),
                     "vf_coef": float(config.vf_coef)},
        "trl": {"rewards": rewards, "advantages": stats["policy/advantages"].float().cpu(),
                "returns": seen["returns"].float().cpu(), "policy_loss": float(pg_loss.detach()),
                "value_loss": float(stats["loss/value"]), "total_loss": float(stats["loss/total"])},
    }


def side_by_side(quantities: dict, captured: dict):
    """A table: each of ``ppo_quantities``' outputs next to trl's, on the captured mini-batch's real tokens."""
    import pandas as pd
    import torch

    real = captured["batch"]["mask"].bool()
    rows = []
    for key in KEYS:
        want = torch.as_tensor(captured["trl"][key], dtype=torch.float64).cpu()
        got = torch.as_tensor(plain(quantities[key]) if key in quantities else math.nan, dtype=torch.float64)
        if key in TABLES:
            if got.shape != want.shape:
                rows.append({"quantity": key, "trl": f"mean {float(want[real].mean()):+.5f}",
                             "yours": f"shape {tuple(got.shape)}", "largest difference": math.nan})
                continue
            want, got = want[real], got[real]
        rows.append({"quantity": key, "trl": f"{'mean ' if key in TABLES else ''}{float(want.mean()):+.5f}",
                     "yours": f"{'mean ' if key in TABLES else ''}{float(got.mean()):+.5f}",
                     "largest difference": float((got - want).abs().max())})
    return pd.DataFrame(rows).set_index("quantity")
