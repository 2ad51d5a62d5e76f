"""What the bench's sides are given: models at the real shapes with random weights (the full profile's
architectures, nothing downloaded) and prompts of an exact token length."""
from __future__ import annotations

import os
from pathlib import Path

from detoxlab.bench.errors import BenchError

DATA_DIR_ENV = "DETOXLAB_DATA_DIR"
EMBEDDED_TRAIN = Path(__file__).parent.parent / "embedded" / "dialogsum_sample" / "train.csv"


def _tokenizer_sources(tokenizers: Path | None) -> dict:
    """Real tokenizer files if a tokenizer directory holds them, else the stand-ins' (said in bench.json)."""
    if tokenizers is None and os.environ.get(DATA_DIR_ENV):
        tokenizers = Path(os.environ[DATA_DIR_ENV]) / "tokenizers"
    found = {}
    if tokenizers is not None:
        if (tokenizers / "flan-t5-base" / "spiece.model").is_file():
            found["policy"] = tokenizers / "flan-t5-base"
        if (tokenizers / "roberta-base" / "vocab.json").is_file():
            found["reward"] = tokenizers / "roberta-base"
    return found


def prepare_full_models(root: Path, tokenizers: Path | None, lora_profile, seed: int) -> dict:
    """flan-t5-base + a LoRA adapter with the course's settings, and the RoBERTa hate-speech classifier,
    at their real shapes with random weights, saved where the package's loaders read them."""
    import torch
    from peft import get_peft_model
    from transformers import (AutoTokenizer, RobertaConfig, RobertaForSequenceClassification,
                              RobertaTokenizerFast, T5Tokenizer)

    from detoxlab import architectures, models
    from detoxlab.profiles import load_profile

    torch.manual_seed(seed)
    sources = _tokenizer_sources(tokenizers)
    mini = load_profile("mini")
    base_dir, adapter_dir, reward_dir = root / "policy-base", root / "policy-adapter", root / "reward-model"
    if "policy" in sources:
        policy_tokenizer = T5Tokenizer(vocab_file=str(sources["policy"] / "spiece.model"))
        policy_note = "flan-t5-base SentencePiece model (32,100 tokens)"
    else:
        policy_tokenizer = AutoTokenizer.from_pretrained(mini.location(mini.policy["base_model"]))
        policy_note = (f"stand-in policy tokenizer ({len(policy_tokenizer):,} tokens; no flan-t5-base tokenizer "
                       f"found): sampling is restricted to its ids")
    if "reward" in sources:
        reward_tokenizer = RobertaTokenizerFast.from_pretrained(str(sources["reward"]))
        reward_note = "roberta-base byte-level BPE (50,265 tokens)"
    else:
        reward_tokenizer = AutoTokenizer.from_pretrained(mini.location(mini.reward["model"]))
        reward_note = (f"stand-in reward tokenizer ({len(reward_tokenizer):,} tokens; no roberta-base tokenizer "
                       f"found)")

    base = architectures.random_flan_t5_base()
    base.save_pretrained(base_dir)
    policy_tokenizer.save_pretrained(base_dir)
    peft_model = get_peft_model(base, models.lora_config(lora_profile))
    with torch.no_grad():  # a trained adapter is not zero: give B small random values
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.02)
    peft_model.save_pretrained(adapter_dir)
    del peft_model, base

    hate = architectures.ROBERTA_HATE
    reward_config = RobertaConfig(**{k: v for k, v in hate.items() if k != "model_type"})
    RobertaForSequenceClassification(reward_config).save_pretrained(reward_dir)
    reward_tokenizer.save_pretrained(reward_dir)
    return {"overrides": {"policy.base_model": str(base_dir), "policy.adapter": str(adapter_dir), "policy.revision": "",
                          "reward.model": str(reward_dir), "reward.revision": ""},
            "tokenizers": {"policy": policy_note, "reward": reward_note},
            "weights": "random, at the real shapes (detoxlab.architectures)"}


def fixed_length_prompts(tokenizer, template: str, count: int, length: int) -> list[list[int]]:
    """``count`` prompts of exactly ``length`` tokens: the course's template around DialogSum-style
    dialogues (the embedded sample), each dialogue cut or repeated to fit."""
    import csv

    with EMBEDDED_TRAIN.open(encoding="utf-8") as handle:
        dialogues = [row["dialogue"] for row in csv.DictReader(handle)]
    head, _, tail = template.partition("{dialogue}")
    head_ids = tokenizer.encode(head, add_special_tokens=False)
    tail_ids = tokenizer.encode(tail)  # ends with </s>
    room = length - len(head_ids) - len(tail_ids)
    if room < 1:
        raise BenchError(f"--prompt-tokens {length} is shorter than the prompt template ({length - room + 1} tokens)")
    prompts = []
    for index in range(count):
        body = tokenizer.encode(dialogues[index % len(dialogues)], add_special_tokens=False)
        while len(body) < room:
            body = body + body
        prompts.append(head_ids + body[:room] + tail_ids)
    return prompts


def dialogsum_dir() -> Path:
    """``$DETOXLAB_DATA_DIR``, which must hold DialogSum's CSVs (the whole-lab and padding benches read them)."""
    data_dir = Path(os.environ.get(DATA_DIR_ENV) or "")
    if not os.environ.get(DATA_DIR_ENV) or not (data_dir / "dialogsum" / "train.csv").is_file():
        raise BenchError(f"set {DATA_DIR_ENV} to a data directory with dialogsum/train.csv and the tokenizers "
                         f"(../shared/data)")
    return data_dir


def lab_training_rows(profile, data_dir: Path) -> list[dict]:
    """DialogSum's training rows the lab keeps (the profile's dialogue-length filter), in file order."""
    import csv

    low, high = profile.data["min_dialogue_chars"], profile.data["max_dialogue_chars"]
    with (data_dir / "dialogsum" / "train.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if low < len(row["dialogue"]) <= high]

