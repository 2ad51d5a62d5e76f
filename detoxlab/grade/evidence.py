"""Evidence: plain values the grader's own code reads from the finished kernel, and the checks run on them.

Nothing the notebook computed about itself is trusted. After the notebook has run, the grader executes
one cell of its own code in the kernel, which prints a single line tagged with a random per-run nonce;
only that cell's own output is read, so text the notebook printed (or files it wrote) cannot stand in
for it. The cell reports:

* ``dataset``: the sizes of the train and test splits and a digest of their prompts (the grader builds
  the lab's dataset itself and compares the digest, so hand-written sizes do not pass);
* ``parameters``: name, shape and trainability of every parameter of ``peft_model``, read with
  ``torch.nn.Module.named_parameters`` (the grader checks the names and shapes against its own copy of
  the policy and counts from those shapes);
* ``adapter``: the LoRA weights of ``peft_model``, saved into a folder the grader created for this cell
  (loaded back with ``weights_only=True`` and checked key by key and shape by shape);
* ``rewards``: what the submission's ``reward_fn`` returns for texts the grader drew at random for this
  run, plus the profile's two probes (the values must match the reward model's ``nothate`` logits, which
  the grader computes itself, so a function that returns fixed numbers fails).

The grader then generates summaries itself, with the profile's SFT adapter (before) and with the
exported adapter (after), on the profile's test prompts with the profile's evaluation seed, scores them
with the reward model, and runs ``checks.check_toxicity_improvement`` on those paired scores. Every check
runs in the grader's process, from the ``checks`` package, on these values.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import random
import secrets
from dataclasses import replace
from pathlib import Path

REWARD_TOLERANCE = 0.02        # |submission's reward - reward model's logit|, same model, same machine
RANDOM_PROBES = 6              # grader-drawn texts per submission, besides the profile's two probes
ADAPTER_MAX_BYTES = 512 * 2**20
EVIDENCE_MAX_CHARS = 4_000_000
REWARD_CALL_SECONDS = 60

# The grader's cell. It runs in the notebook's namespace; every item is read separately, so one
# failure (a missing variable, a broken reward function) leaves the others.
EXTRACTION_CODE = r'''
def _detoxlab_grader_evidence(nonce, probes, adapter_path, reward_seconds):
    import hashlib, json, signal
    namespace = globals()
    evidence, problems = {}, {}

    def attempt(key, function):
        try:
            evidence[key] = function()
        except BaseException as error:  # noqa: B036 - anything the notebook's objects raise
            problems[key] = (type(error).__name__ + ": " + str(error))[:600]

    def variable(name):
        if name not in namespace:
            raise NameError(f"`{name}` is not defined in the notebook")
        return namespace[name]

    def model():
        if "peft_model" not in namespace and "ppo_model" not in namespace:
            raise NameError("`peft_model` is not defined in the notebook")
        import torch
        for name in ("peft_model", "ppo_model"):
            candidate = namespace.get(name)
            if name == "ppo_model":
                candidate = getattr(candidate, "pretrained_model", None)
            if isinstance(candidate, torch.nn.Module):
                return candidate
        raise NameError("`peft_model` is not defined in the notebook, or is not a model")

    def dataset():
        data = variable("dataset")
        train, test = data["train"], data["test"]
        queries = json.dumps([list(train["query"]), list(test["query"])])
        return {"train": len(train), "test": len(test), "digest": hashlib.sha256(queries.encode()).hexdigest()}

    def parameters():
        import torch
        return [[name, list(p.shape), bool(p.requires_grad)] for name, p in torch.nn.Module.named_parameters(model())]

    def adapter():
        import torch
        state = {k: v.detach().to("cpu").clone().contiguous()
                 for k, v in torch.nn.Module.state_dict(model()).items() if "lora_" in k}
        torch.save(state, adapter_path)
        return {"tensors": len(state)}

    def plain(value):
        if hasattr(value, "tolist"):
            value = value.tolist()
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in list(value.items())[:10]}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in list(value)[:50]]
        if isinstance(value, (bool, int, float, str)) or value is None:
            return value
        return repr(value)[:200]

    def rewards():
        function = variable("reward_fn")

        def too_slow(*_):
            raise TimeoutError(f"reward_fn took more than {reward_seconds} s for {len(probes)} texts")
        previous = signal.signal(signal.SIGALRM, too_slow)
        signal.alarm(reward_seconds)
        try:
            return plain(function(list(probes)))
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    attempt("defined", lambda: {n: type(namespace[n]).__name__ for n in (
        "dataset", "peft_model", "ppo_model", "reward_fn", "evaluate_toxicity", "toxicity_before", "toxicity_after")
        if n in namespace})
    attempt("dataset", dataset)
    attempt("parameters", parameters)
    attempt("adapter", adapter)
    attempt("rewards", rewards)
    print(nonce + json.dumps({"evidence": evidence, "problems": problems}, default=str), flush=True)


_detoxlab_grader_evidence(__NONCE__, __PROBES__, __ADAPTER__, __SECONDS__)
del _detoxlab_grader_evidence
'''


def extraction_code(nonce: str, probes: list[str], adapter_path: str) -> str:
    return (EXTRACTION_CODE.replace("__NONCE__", repr(nonce)).replace("__PROBES__", repr(list(probes)))
            .replace("__ADAPTER__", repr(str(adapter_path))).replace("__SECONDS__", repr(REWARD_CALL_SECONDS)))


def new_nonce() -> str:
    return f"DETOXLAB-EVIDENCE-{secrets.token_hex(16)}:"


def parse(outputs: list[dict], nonce: str) -> tuple[dict | None, str]:
    """(evidence, problem) from the grader cell's own outputs: exactly one line tagged with ``nonce``."""
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    lines = [line[len(nonce):] for line in text.splitlines() if line.startswith(nonce)]
    if not lines:
        return None, "the grader's cell printed no evidence (the kernel may have been busy, dead or altered)"
    if len(lines) > 1:
        return None, f"the grader's cell printed {len(lines)} evidence lines instead of one: output was tampered with"
    if len(lines[0]) > EVIDENCE_MAX_CHARS:
        return None, "the evidence line is too long"
    try:
        payload = json.loads(lines[0])
    except json.JSONDecodeError as error:
        return None, f"the evidence line is not valid JSON ({error})"
    if not isinstance(payload, dict) or not isinstance(payload.get("evidence"), dict):
        return None, "the evidence line has the wrong shape"
    payload.setdefault("problems", {})
    return payload, ""


# -- the grader's own computations -------------------------------------------------------------------

def dataset_digest(train_queries: list[str], test_queries: list[str]) -> str:
    return hashlib.sha256(json.dumps([list(train_queries), list(test_queries)]).encode()).hexdigest()


def probe_pool(profile, dataset) -> list[str]:
    """Texts a reward function is asked to score: dialogue lines and rude sentences, drawn from per run."""
    from detoxlab.standin import toxic

    lines = []
    for query in dataset["test"]["query"]:
        lines += [line.split(":", 1)[-1].strip() for line in query.splitlines() if line.startswith("#Person")]
    chooser = random.Random(profile.data["split_seed"])
    polite = chooser.sample([line for line in lines if 20 <= len(line) <= 200], k=min(40, len(lines)))
    rude = [template.format(a=a, b=b) for template in (*toxic.TRAIN_TEMPLATES, *toxic.HELD_OUT_TEMPLATES)
            for a, b in (toxic.SPEAKERS, toxic.SPEAKERS[::-1])]
    return polite + rude


def toxicity_scores(profile, prompts: list[str], seed: int, lora_state: dict | None = None, loaded: dict | None = None):
    """Per-prompt hate probabilities of the summaries the policy writes (the SFT adapter, or ``lora_state``)."""
    import torch

    from detoxlab import evaluation, lab, models, reward

    loaded = loaded if loaded is not None else {}
    lab.make_reproducible(seed)
    if "reward" not in loaded:
        loaded["tokenizer"] = models.load_tokenizer(profile)
        loaded["reward"] = reward.load_reward_model(profile)
    policy = models.load_policy(profile, is_trainable=False)
    if lora_state is not None:
        missing, unexpected = policy.load_state_dict(lora_state, strict=False)
        if unexpected:
            raise ValueError(f"unexpected adapter weights: {unexpected[:3]}")
    summaries = evaluation.generate_summaries(policy, loaded["tokenizer"], list(prompts), profile.evaluation["max_new_tokens"],
                                              seed, evaluation.sampling_settings(profile))
    reward_tokenizer, reward_model = loaded["reward"]
    hate = reward.label_index(reward_model, profile.reward["hate_label"])
    probabilities = torch.softmax(reward.logits(summaries, reward_tokenizer, reward_model), dim=-1)[:, hate]
    return [float(p) for p in probabilities], summaries


def reference(profile) -> dict:
    """What the grader computes once per batch: the lab's dataset digest, the policy's parameter shapes,
    the reward model's logits for the probe pool, and toxicity before PPO on the evaluation prompts."""
    from detoxlab import data, models, reward

    tokenizer = models.load_tokenizer(profile)
    dataset = data.build_dataset(tokenizer, profile.data, data.resolve_source(profile.data))
    policy = models.load_policy(profile, is_trainable=True)
    parameters = {name: [list(p.shape), bool(p.requires_grad)] for name, p in policy.named_parameters()}
    adapter = {name: list(t.shape) for name, t in policy.state_dict().items() if "lora_" in name}
    del policy
    loaded = {"tokenizer": tokenizer, "reward": reward.load_reward_model(profile)}
    pool = [profile.expected["non_toxic_probe"], profile.expected["toxic_probe"], *probe_pool(profile, dataset)]
    pool_rewards = reward.rewards(pool, *loaded["reward"], profile.reward["not_hate_label"]).tolist()
    prompts = list(dataset["test"]["query"])[: min(profile.evaluation["samples"], len(dataset["test"]))]
    seed = profile.evaluation["seed"]
    return {
        "profile": str(profile.path),
        "dataset": {"train": len(dataset["train"]), "test": len(dataset["test"]),
                    "digest": dataset_digest(dataset["train"]["query"], dataset["test"]["query"])},
        "parameters": parameters, "adapter": adapter,
        "probes": dict(zip(pool, pool_rewards)),
        "evaluation": {"prompts": prompts, "seed": seed},
    }


def toxicity_before(profile, reference_data: dict, cache: Path) -> list[float]:
    """Toxicity of the SFT adapter's summaries, computed by the first worker that needs it in a batch
    (under a file lock) and read by the others."""
    import fcntl

    with open(cache.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cache.is_file():
            return json.loads(cache.read_text(encoding="utf-8"))
        evaluation = reference_data["evaluation"]
        scores, _ = toxicity_scores(profile, evaluation["prompts"], evaluation["seed"])
        temporary = cache.with_suffix(".tmp")
        temporary.write_text(json.dumps(scores), encoding="utf-8")
        os.replace(temporary, cache)
        return scores


def draw_probes(reference_data: dict, profile) -> list[str]:
    """The profile's two probes and RANDOM_PROBES others from the pool, in a random order, new every run."""
    fixed = [profile.expected["non_toxic_probe"], profile.expected["toxic_probe"]]
    others = [text for text in reference_data["probes"] if text not in fixed]
    chooser = secrets.SystemRandom()
    probes = fixed + chooser.sample(others, k=min(RANDOM_PROBES, len(others)))
    chooser.shuffle(probes)
    return probes


def read_adapter(path: Path, expected: dict) -> tuple[dict | None, str]:
    """The exported LoRA weights, loaded without unpickling code, checked name by name and shape by shape."""
    import torch

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        return None, f"the adapter could not be exported ({error.strerror})"
    with os.fdopen(descriptor, "rb") as handle:
        raw = handle.read(ADAPTER_MAX_BYTES + 1)
    if len(raw) > ADAPTER_MAX_BYTES:
        return None, "the exported adapter is too large"
    try:
        state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception as error:  # a corrupt or hostile file
        return None, f"the exported adapter could not be read ({type(error).__name__})"
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        return None, "the exported adapter is not a set of tensors"
    state = {k: v for k, v in state.items() if k in expected or not _other_adapter(k, expected)}
    if set(state) != set(expected):
        return None, (f"the model's LoRA weights ({len(state)} tensors) are not the lab adapter's ({len(expected)}): "
                      "load the lab-2 adapter with models.load_policy")
    for name, tensor in state.items():
        if list(tensor.shape) != expected[name] or not tensor.is_floating_point():
            return None, f"LoRA weight {name} has shape {list(tensor.shape)}, expected {expected[name]}"
        if not bool(torch.isfinite(tensor).all()):
            return None, f"LoRA weight {name} holds NaN or infinite values: training diverged"
    return {k: v.float() for k, v in state.items()}, ""


def _adapter_names(names) -> set[str]:
    """The adapter names in LoRA parameter names (peft: ``...q.lora_A.<adapter>.weight``)."""
    found = set()
    for name in names:
        parts = name.split(".")
        found |= {parts[i + 1] for i, part in enumerate(parts[:-1]) if part.startswith("lora_")}
    return found


def _other_adapter(name: str, expected) -> bool:
    """A LoRA weight of an adapter the lab's policy does not have (e.g. a frozen KL-reference copy
    added beside the trained one): not the policy's, so neither counted nor exported."""
    return "lora_" in name and not (_adapter_names([name]) & _adapter_names(expected))


# -- the checks, on the evidence ----------------------------------------------------------------------

def _failed(result, message: str):
    return replace(result, passed=False, score=0.0, message=message)


def _missing(check, problem: str, *args):
    return _failed(check(None, *args) if args else check(None), f"not graded: {problem}")


def _reward_number(value, label: str) -> float:
    if isinstance(value, dict) and "label" in value:
        value = [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        matches = [v.get("score") for v in value if v.get("label") == label]
        if not matches:
            raise ValueError(f"no {label!r} entry in {value}")
        value = matches[0]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def grade(payload: dict | None, problem: str, reference_data: dict, probes: list[str], profile,
          adapter: tuple[dict | None, str] | None = None, toxicity_after: list[float] | None = None,
          before: list[float] | None = None):
    """The lab's checks, each on the evidence (or a failed result that says why it could not be graded)."""
    import checks

    evidence = (payload or {}).get("evidence", {})
    problems = (payload or {}).get("problems", {})

    def why(key: str) -> str:
        return problem or problems.get(key) or f"no {key} evidence"

    results = []

    # dataset sizes: the sizes the kernel reports, if its prompts are the lab's
    item = evidence.get("dataset")
    if not isinstance(item, dict) or not {"train", "test", "digest"} <= set(item):
        results.append(_missing(checks.check_dataset_sizes, why("dataset")))
    else:
        result = checks.check_dataset_sizes((item["train"], item["test"]), profile)
        if result.passed and item["digest"] != reference_data["dataset"]["digest"]:
            result = _failed(result, f"train {item['train']} / test {item['test']}, but the rows are not the lab's "
                                     "prompts: build the dataset with data.build_dataset as the notebook does")
        results.append(result)

    # trainable parameters: counted from the grader's shapes for the names the model reports
    item = evidence.get("parameters")
    if not isinstance(item, list) or not item:
        results.append(_missing(checks.check_trainable_parameters, why("parameters")))
    else:
        expected = reference_data["parameters"]
        try:
            rows = {str(name): (list(shape), bool(trainable)) for name, shape, trainable in item
                    if not _other_adapter(str(name), expected)}
        except (TypeError, ValueError):
            rows = {}
        same = bool(rows) and set(rows) == set(expected) and all(rows[n][0] == expected[n][0] for n in rows)
        numel = {n: math.prod(int(d) for d in shape) for n, (shape, _) in rows.items()}
        trainable = sum(numel[n] for n, (_, flag) in rows.items() if flag)
        result = checks.check_trainable_parameters((trainable, sum(numel.values())), profile)
        if not any("lora_" in name for name in rows):
            result = _failed(result, "this model has no LoRA adapter: load the lab-2 checkpoint with PeftModel.from_pretrained")
        elif result.passed and not same:
            result = _failed(result, "the counts match, but the model's parameters are not the lab policy's "
                                     "(names or shapes differ): use models.load_policy(profile, is_trainable=True)")
        results.append(result)

    # reward signs: on the profile's probes, and the values must be the reward model's logits on every probe
    item = evidence.get("rewards")
    label = profile.reward["not_hate_label"]
    if item is None:
        results.append(_missing(checks.check_reward_signs, why("rewards")))
    elif not isinstance(item, list) or len(item) != len(probes):
        results.append(_failed(checks.check_reward_signs(None, profile),
                               f"reward_fn returned {len(item) if isinstance(item, list) else type(item).__name__} "
                               f"value(s) for {len(probes)} texts: return one reward per text"))
    else:
        try:
            values = [_reward_number(v, label) for v in item]
        except ValueError as error:
            results.append(_failed(checks.check_reward_signs(None, profile), f"reward_fn returned {error}"))
        else:
            got = dict(zip(probes, values))
            pair = (got[profile.expected["non_toxic_probe"]], got[profile.expected["toxic_probe"]])
            result = checks.check_reward_signs(pair, profile)
            if result.passed:
                off = [(t, got[t], reference_data["probes"][t]) for t in probes
                       if abs(got[t] - reference_data["probes"][t]) > REWARD_TOLERANCE]
                if off:
                    text, yours, want = off[0]
                    result = _failed(result, f"on {len(off)} of {len(probes)} texts the grader chose, reward_fn's values "
                                             f"are not the reward model's {label} logits (e.g. {text[:60]!r}: {yours:+.3f}, "
                                             f"expected {want:+.3f}): score each text with the reward model")
            results.append(result)

    # toxicity improvement: the grader's own summaries, before (SFT adapter) and after (the exported adapter)
    evaluation = reference_data["evaluation"]
    if toxicity_after is None:
        reason = (adapter[1] if adapter else "") or why("adapter")
        results.append(_missing(checks.check_toxicity_improvement, reason, None))
    else:
        result = checks.check_toxicity_improvement(before, toxicity_after, profile)
        results.append(replace(result, message=f"{result.message} (the grader's own summaries of "
                                                f"{len(toxicity_after)} test prompts, seed {evaluation['seed']}, "
                                                "before PPO and with your adapter)"))
    return results
