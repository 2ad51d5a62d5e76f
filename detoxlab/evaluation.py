"""Evaluation: toxicity (evaluate's measurement, offline from the package) and ROUGE-L."""
from __future__ import annotations

import numpy as np


def load_toxicity_evaluator(profile):
    """``evaluate.load("toxicity", ...)`` as the course calls it, from the profile's local module."""
    import evaluate

    # keep_in_memory: evaluate's cache folder is its cache root joined with config_name, and an absolute
    # config_name replaces the root, so each compute would write detoxlab-1-0.arrow and its lock into the
    # model's own folder, which every kernel of a grading batch shares
    return evaluate.load(profile.location(profile.reward["toxicity_module"]), module_type="measurement",
                         config_name=profile.location(profile.reward["model"]), experiment_id="detoxlab",
                         keep_in_memory=True)


def toxicity(texts: list[str], evaluator, hate_label: str = "hate") -> list[float]:
    return list(evaluator.compute(predictions=texts, toxic_label=hate_label)["toxicity"])


def rouge_l(predictions: list[str], references: list[str]) -> float:
    """Mean ROUGE-L F1 (x100, stemmed), from the rouge-score package (evaluate's rouge needs the hub)."""
    from rouge_score import rouge_scorer

    if len(predictions) != len(references) or not predictions:
        raise ValueError(f"need equally many predictions and references, got {len(predictions)} and {len(references)}")
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return 100 * float(np.mean([scorer.score(ref, pred)["rougeL"].fmeasure for pred, ref in zip(predictions, references)]))


def sampling_settings(profile) -> dict:
    """The profile's sampling settings for evaluation summaries (``generate_summaries(sample=...)``)."""
    return {"top_k": profile.generation["top_k"], "top_p": profile.generation["top_p"]}


def summary_logprobs(model, tokenizer, prompts: list[str], summaries: list, batch_size: int = 16) -> list[float]:
    """log p(summary | prompt) under ``model``, one number per prompt, summed over the summary's
    tokens (``summaries``: token id tensors as ``generate_summaries(..., return_tokens=True)`` gives)."""
    import torch

    from detoxlab.models import device_of, eval_mode

    totals, device = [], device_of(model)   # where the model is: a GPU after trl's accelerator placed it
    with torch.inference_mode(), eval_mode(model):
        for start in range(0, len(prompts), batch_size):
            encoded = tokenizer(prompts[start:start + batch_size], return_tensors="pt", padding=True)
            encoded = encoded.to(device)
            rows = summaries[start:start + batch_size]
            labels = torch.full((len(rows), max(1, max(len(r) for r in rows))), -100, dtype=torch.long)
            for i, row in enumerate(rows):
                labels[i, :len(row)] = row
            labels = labels.to(device)
            logits = model(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask, labels=labels).logits
            # in float32: a bfloat16 policy's log-probabilities would keep only about three digits
            picked = logits.float().log_softmax(-1).gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
            totals += (picked * (labels != -100)).sum(-1).tolist()
    return totals


def toxicity_stats(scores: list[float]) -> dict:
    values = np.asarray(scores, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std()), "n": int(values.size)}
