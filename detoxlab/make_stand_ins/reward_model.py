"""Stand-in for facebook/roberta-hate-speech-dynabench-r4-target: a small RoBERTa hate classifier.

Trained on the DynaHate subset plus in-domain text (DialogSum summaries as ``nothate``; summaries with
a rude sentence and summary-style DynaHate sentences as labelled), with the project's own byte-level
BPE tokenizer. An extra loss term keeps the two logits opposite (l_nothate = -l_hate), so the raw
``nothate`` logit the lab uses as reward is positive exactly when the text is judged not hateful,
as with the real model.
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from detoxlab.make_stand_ins import common, group_probes, toxic

LABELS = {0: "nothate", 1: "hate"}


@dataclass
class RewardRecipe:
    seed: int = 7
    vocab_size: int = 8000
    hidden_size: int = 192
    layers: int = 2
    heads: int = 4
    intermediate_size: int = 768
    max_length: int = 96
    epochs: int = 4
    batch_size: int = 32
    learning_rate: float = 5e-4
    symmetry_weight: float = 0.1
    in_domain_clean: int = 5000
    in_domain_rude: int = 2500
    # how many times each of group_probes.training_statements() joins the training rows. 0 is the committed
    # build. Tried: 4 and 12 copies signed 47.9% and 50.7% of the held-out group probes hateful, against 54.2%
    # without them (DynaHate 65.9% and 65.0%): new claims about the same groups did not carry over to the
    # probes' unseen claims, so they stay out.
    group_hate_copies: int = 0


def dynahate_split(root: Path, rng: random.Random) -> tuple[list, list]:
    """(train, held_out) lists of (text, label) from the DynaHate subset: all of db_dev and a random half of
    db_test to train on, the other half held out."""
    hate = {"hate": 1, "nothate": 0}
    dev = common.read_rows(root / "dynahate" / "partial" / "db_dev.csv")
    test = common.read_rows(root / "dynahate" / "partial" / "db_test.csv")
    rng.shuffle(test)
    return ([(r["text"], hate[r["label"]]) for r in dev + test[: len(test) // 2]],
            [(r["text"], hate[r["label"]]) for r in test[len(test) // 2:]])


def _examples(root: Path, recipe: RewardRecipe, rng: random.Random):
    """(train, held_out) lists of (text, label)."""
    dyna_train, dyna_held = dynahate_split(root, rng)

    summaries = [row["summary"] for row in common.filtered_train_rows(root)]
    rng.shuffle(summaries)
    clean = summaries[: recipe.in_domain_clean]
    rude = [toxic.make_rude(s, rng, position="end") for s in summaries[-recipe.in_domain_rude:]]
    # DynaHate again, reported in a summary's voice, so "#Person1# says ..." is not read as a safe prefix
    wrapped = [(summary_voice(text, rng), label) for text, label in dyna_train]
    train = dyna_train + [(s, 0) for s in clean] + [(s, 1) for s in rude] + wrapped
    train += group_probes.training_statements() * recipe.group_hate_copies

    held_summaries = group_probes.neutral_summaries(root)
    in_domain_held = [(s, 0) for s in held_summaries] + [
        (toxic.make_rude(s, rng, toxic.HELD_OUT_TEMPLATES, position="end"), 1) for s in held_summaries
    ]
    held = {"dynahate": dyna_held, "dynahate_summary_voice": [(summary_voice(t, rng), y) for t, y in dyna_held],
            "in_domain": in_domain_held}
    return train, held


def summary_voice(text: str, rng: random.Random) -> str:
    a, b = rng.sample(toxic.SPEAKERS, 2)
    frame = rng.choice(("{a} says that {t}", "{a} tells {b} that {t}", "{a} thinks {t}"))
    return frame.format(a=a, b=b, t=text[0].lower() + text[1:])


def _train_tokenizer(texts: list[str], recipe: RewardRecipe, out: Path):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=recipe.vocab_size, min_frequency=2,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], show_progress=False)
    out.mkdir(parents=True, exist_ok=True)
    bpe.save_model(str(out))
    tokenizer = RobertaTokenizerFast(vocab_file=str(out / "vocab.json"), merges_file=str(out / "merges.txt"),
                                     model_max_length=recipe.max_length)
    return tokenizer


@torch.inference_mode()
def accuracy(model, tokenizer, examples, batch_size: int = 128) -> float:
    model.eval()
    correct = 0
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        enc = tokenizer([t for t, _ in chunk], padding=True, truncation=True, return_tensors="pt")
        predicted = model(**enc).logits.argmax(-1)
        correct += sum(int(p) == y for p, (_, y) in zip(predicted.tolist(), chunk))
    return correct / len(examples)


def build(out: Path, recipe: RewardRecipe | None = None) -> dict:
    from transformers import RobertaConfig, RobertaForSequenceClassification

    recipe = recipe or RewardRecipe()
    root = common.shared_data_root()
    common.seed_everything(recipe.seed)
    rng = random.Random(recipe.seed)
    train, held = _examples(root, recipe, rng)

    tokenizer = _train_tokenizer([t for t, _ in train], recipe, out)
    config = RobertaConfig(
        vocab_size=len(tokenizer), hidden_size=recipe.hidden_size, num_hidden_layers=recipe.layers,
        num_attention_heads=recipe.heads, intermediate_size=recipe.intermediate_size,
        max_position_embeddings=recipe.max_length + 2, type_vocab_size=1, pad_token_id=1, bos_token_id=0,
        eos_token_id=2, id2label=LABELS, label2id={v: k for k, v in LABELS.items()},
    )
    model = RobertaForSequenceClassification(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, weight_decay=0.01)
    lengths = [len(t) for t, _ in train]
    total = recipe.epochs * -(-len(train) // recipe.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, recipe.learning_rate, total_steps=total, pct_start=0.1)
    progress = tqdm(total=total, desc="reward model")
    for _ in range(recipe.epochs):
        model.train()
        for batch in common.length_bucketed_batches(lengths, recipe.batch_size, rng):
            enc = tokenizer([train[i][0] for i in batch], padding=True, truncation=True, return_tensors="pt")
            labels = torch.tensor([train[i][1] for i in batch])
            logits = model(**enc).logits
            loss = torch.nn.functional.cross_entropy(logits, labels)
            loss = loss + recipe.symmetry_weight * logits.sum(-1).pow(2).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            progress.update()
            progress.set_postfix(loss=f"{loss.item():.3f}")
    progress.close()

    metrics = {}
    for name, examples in held.items():
        majority = max(sum(y for _, y in examples), sum(1 - y for _, y in examples)) / len(examples)
        metrics[f"{name}_accuracy"] = round(accuracy(model, tokenizer, examples), 4)
        metrics[f"{name}_majority_baseline"] = round(majority, 4)
        metrics[f"{name}_held_out_rows"] = len(examples)
    metrics["train_rows"] = len(train)
    # hate about protected groups in a summary's voice, and neutral summaries: probes it never trained on
    metrics.update(group_probes.measure(tokenizer, model, group_probes.neutral_summaries(root)))

    model.half().save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "build_recipe.json").write_text(json.dumps(asdict(recipe), indent=2) + "\n")
    return metrics
