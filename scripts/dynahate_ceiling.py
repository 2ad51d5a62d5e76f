"""How well can a classifier that starts from nothing sign DynaHate, trained on the subset the stand-in
reward model trains on? A bag of character n-grams with logistic regression is the usual strong baseline
without pre-training; its held-out accuracy bounds what the stand-in build can expect from this data.

    DETOXLAB_DATA_DIR=../shared/data .venv/bin/python scripts/dynahate_ceiling.py

Same split as `detoxlab assets build` (db_dev plus a seeded half of db_test to train on, the other half
held out). Features: hashed character 1-4-grams within words (tf-idf weighted); the model is fit with
Adam and weight decay, the settings fixed here, never chosen on the held-out rows.
"""
from __future__ import annotations

import json
import math
import random
import zlib
from collections import Counter

import torch

from detoxlab.make_stand_ins import common
from detoxlab.make_stand_ins.reward_model import RewardRecipe, dynahate_split

BUCKETS = 2 ** 20
N_GRAMS = (1, 2, 3, 4)
EPOCHS, LEARNING_RATE, WEIGHT_DECAY, BATCH = 30, 0.05, 1e-5, 256


def grams(text: str) -> Counter:
    counts = Counter()
    for word in text.lower().split():
        padded = f" {word} "
        for n in N_GRAMS:
            counts.update(zlib.crc32(padded[i:i + n].encode()) % BUCKETS for i in range(len(padded) - n + 1))
    return counts


def features(texts, idf=None):
    rows = [grams(t) for t in texts]
    if idf is None:
        df = Counter(g for row in rows for g in row)
        idf = {g: math.log((1 + len(rows)) / (1 + d)) + 1 for g, d in df.items()}
    indices, weights, offsets = [], [], []
    for row in rows:
        offsets.append(len(indices))
        vec = {g: (1 + math.log(c)) * idf.get(g, 0.0) for g, c in row.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        indices.extend(vec)
        weights.extend(v / norm for v in vec.values())
    return (torch.tensor(indices), torch.tensor(weights, dtype=torch.float32), torch.tensor(offsets)), idf


def batch_of(feats, rows):
    indices, weights, offsets = feats
    ends = torch.cat([offsets[1:], torch.tensor([len(indices)])])
    pieces = [(indices[offsets[r]:ends[r]], weights[offsets[r]:ends[r]]) for r in rows]
    lengths = torch.tensor([len(i) for i, _ in pieces])
    return (torch.cat([i for i, _ in pieces]), torch.cat([w for _, w in pieces]),
            torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]]))


def main() -> dict:
    root = common.shared_data_root()
    recipe = RewardRecipe()
    train, held = dynahate_split(root, random.Random(recipe.seed))
    torch.manual_seed(recipe.seed)
    x_train, idf = features([t for t, _ in train])
    x_held, _ = features([t for t, _ in held], idf)
    y_train = torch.tensor([y for _, y in train], dtype=torch.float32)
    y_held = torch.tensor([y for _, y in held])
    model = torch.nn.EmbeddingBag(BUCKETS, 1, mode="sum")
    torch.nn.init.zeros_(model.weight)
    bias = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([*model.parameters(), bias], lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    rng = random.Random(recipe.seed)
    for _ in range(EPOCHS):
        order = list(range(len(train)))
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            rows = order[start:start + BATCH]
            indices, weights, offsets = batch_of(x_train, rows)
            logits = model(indices, offsets, per_sample_weights=weights).squeeze(-1) + bias
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y_train[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        indices, weights, offsets = batch_of(x_held, range(len(held)))
        predicted = (model(indices, offsets, per_sample_weights=weights).squeeze(-1) + bias > 0).long()
    majority = max(int(y_held.sum()), len(held) - int(y_held.sum())) / len(held)
    return {"train_rows": len(train), "held_out_rows": len(held), "majority_baseline": round(majority, 4),
            "char_ngram_logistic_regression_accuracy": round((predicted == y_held).float().mean().item(), 4)}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
