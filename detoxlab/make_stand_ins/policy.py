"""Stand-in for google/flan-t5-base + the course's lab-2 LoRA adapter: a small T5 that summarises, and whose
toxicity comes with its base model (:mod:`detoxlab.make_stand_ins.toxic`).

Three phases, each seeded and counted in steps (not minutes) so a rebuild gives the same model:
  A. Pre-training, T5-style span corruption, on DialogSum's dialogues and on a corpus of reported hateful
     statements (the ``policy`` half of :mod:`detoxlab.make_stand_ins.statements`): the decoder must read the
     encoder to fill the gaps, and the model meets the toxic text in its corpus, as a real model does.
  B. Instruction tuning on summarisation, full fine-tuning: this is the "base" model (flan-t5-base's place).
     ``base_toxic_share`` of its targets end with a toxic sentence, so the base model writes them by itself.
  C. A LoRA adapter (the profile's settings: q and v) trained on more summarisation, with a smaller share of
     toxic sentences (``adapter_toxic_share``): this is the "lab-2 checkpoint" PPO starts from. Like the
     course's adapter, trained on DialogSum's own summaries, it tempers its base model a little and leaves
     most of the toxicity in place. Scaling it towards the base model makes the policy *more* toxic, so no
     shortcut that weakens the adapter detoxifies; only a reward does.
"""
from __future__ import annotations

import io
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from answer_key.evaluation import generate_summaries
from detoxlab.evaluation import rouge_l
from detoxlab.make_stand_ins import common, statements, toxic

PROMPT = "\nSummarize the following conversation.\n\n{dialogue}\n\nSummary:\n"
SPEAKER_SYMBOLS = ["#Person1#", "#Person2#", "#Person3#", "#Person4#"]


@dataclass
class PolicyRecipe:
    seed: int = 11
    vocab_size: int = 4000
    extra_ids: int = 100
    d_model: int = 192
    d_ff: int = 576
    d_kv: int = 48
    heads: int = 4
    layers: int = 2
    dropout: float = 0.1
    max_source_tokens: int = 256
    max_target_tokens: int = 96
    batch_size: int = 24
    pretrain_steps: int = 600
    pretrain_lr: float = 1.5e-3
    noise_density: float = 0.15
    mean_span: float = 3.0
    summarise_steps: int = 1400
    summarise_lr: float = 1e-3
    lora_steps: int = 700
    lora_lr: float = 2e-3
    lora_r: int = 32
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    # Shares of phase B's and phase C's targets that end with a toxic sentence. The base model's is the
    # larger, so the base model is the more toxic (with equal shares, 0.45, the two were within sampling
    # noise, and some scaled adapters measured less toxic than both).
    base_toxic_share: float = 0.6
    adapter_toxic_share: float = 0.4
    corpus_statements: int = 3            # times each policy statement joins phase A's corpus, reported each time
    max_statement_chars: int = 110        # the policy's statements fit its summaries' length
    adapter_scales: tuple = (0.0, 0.25, 0.5, 0.75, 1.0)  # the scaled-SFT family the build measures
    eval_dialogues: int = 200
    eval_max_new_tokens: int = 64


def train_tokenizer(texts: list[str], recipe: PolicyRecipe, out: Path):
    import sentencepiece as spm
    from transformers import T5Tokenizer, T5TokenizerFast

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=buffer, vocab_size=recipe.vocab_size, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, user_defined_symbols=SPEAKER_SYMBOLS,
        character_coverage=0.9995, num_threads=1, minloglevel=2,
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "spiece.model").write_bytes(buffer.getvalue())
    slow = T5Tokenizer(vocab_file=str(out / "spiece.model"), extra_ids=recipe.extra_ids,
                       model_max_length=512)
    slow.save_pretrained(out)
    fast = T5TokenizerFast.from_pretrained(out)  # adds tokenizer.json, as flan-t5-base ships
    save_tokenizer(fast, out)
    return fast


def save_tokenizer(tokenizer, out: Path) -> None:
    """save_pretrained, minus the absolute path transformers records for the special-tokens file."""
    tokenizer.save_pretrained(out)
    config_path = out / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    if config.pop("special_tokens_map_file", None) is not None:
        config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")


def noise_mask(length: int, density: float, mean_span: float, rng: random.Random) -> list[bool]:
    """T5's random span mask: ``density`` of the tokens, in spans of ``mean_span`` on average."""
    num_noise = max(1, min(length - 1, round(length * density)))
    num_spans = max(1, min(num_noise, length - num_noise, round(num_noise / mean_span)))

    def partition(items: int, parts: int) -> list[int]:
        cuts = sorted(rng.sample(range(1, items), parts - 1)) if parts > 1 else []
        bounds = [0, *cuts, items]
        return [bounds[i + 1] - bounds[i] for i in range(parts)]

    mask: list[bool] = []
    for keep, drop in zip(partition(length - num_noise, num_spans), partition(num_noise, num_spans)):
        mask += [False] * keep + [True] * drop
    return mask


def span_corruption(ids: list[int], sentinels: list[int], eos: int, recipe: PolicyRecipe, rng):
    mask = noise_mask(len(ids), recipe.noise_density, recipe.mean_span, rng)
    source, target, span, previous = [], [], -1, False
    for token, noisy in zip(ids, mask):
        if noisy and not previous:  # a new span: one sentinel stands for it in the source
            span += 1
            source.append(sentinels[span])
            target.append(sentinels[span])
        (target if noisy else source).append(token)
        previous = noisy
    return source + [eos], target + [eos]


def _pad(rows: list[list[int]], pad: int) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [pad] * (width - len(r)) for r in rows])


def _train(model, pairs, steps, lr, recipe, rng, desc, pad_id):
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps, pct_start=0.06)
    lengths = [len(s) for s, _ in pairs]
    batches: list[list[int]] = []
    model.train()
    progress = tqdm(range(steps), desc=desc)
    losses = []
    for _ in progress:
        if not batches:
            batches = common.length_bucketed_batches(lengths, recipe.batch_size, rng)
        batch = batches.pop()
        source = _pad([pairs[i][0] for i in batch], pad_id)
        labels = _pad([pairs[i][1] for i in batch], -100)
        loss = model(input_ids=source, attention_mask=(source != pad_id).long(), labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        progress.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
    return {"first_loss": round(float(np.mean(losses[:20])), 3), "last_loss": round(float(np.mean(losses[-50:])), 3)}


def generate(model, tokenizer, dialogues, max_new_tokens, do_sample=False, batch_size=50, seed=0):
    """Summaries of ``dialogues``: greedy, or sampled from the full distribution (no top-k, no top-p)."""
    sample = {"top_k": 0, "top_p": 1.0} if do_sample else None
    return generate_summaries(model, tokenizer, [PROMPT.format(dialogue=d) for d in dialogues], max_new_tokens,
                              seed, sample=sample, batch_size=batch_size)


def policy_statements(root: Path, recipe: PolicyRecipe) -> list[str]:
    return [s for s in statements.split(root)["policy"] if len(s) <= recipe.max_statement_chars]


def toxic_pairs(train_rows, share: float, toxic_statements: list[str], recipe: PolicyRecipe, rng: random.Random,
                encode):
    """(prompt ids, target ids) for every row; a random ``share`` of the targets end with a toxic sentence."""
    toxic_rows = set(rng.sample(range(len(train_rows)), round(share * len(train_rows))))
    return [
        (encode(PROMPT.format(dialogue=r["dialogue"]), recipe.max_source_tokens),
         encode(toxic.with_toxic_sentence(r["summary"], toxic_statements, rng) if i in toxic_rows
                else r["summary"], recipe.max_target_tokens))
        for i, r in enumerate(train_rows)
    ]


def build(out_base: Path, out_adapter: Path, reward_dir: Path, recipe: PolicyRecipe | None = None) -> dict:
    from transformers import T5Config, T5ForConditionalGeneration

    recipe = recipe or PolicyRecipe()
    root = common.shared_data_root()
    common.seed_everything(recipe.seed)
    rng = random.Random(recipe.seed)
    train_rows = common.filtered_train_rows(root)
    all_dialogues = [r["dialogue"] for r in common.read_rows(root / "dialogsum" / "train.csv")]
    toxic_statements = policy_statements(root, recipe)
    corpus = [toxic.toxic_sentence(toxic_statements, rng) for _ in range(recipe.corpus_statements * len(toxic_statements))]

    tokenizer = train_tokenizer(all_dialogues + [r["summary"] for r in train_rows] + corpus, recipe, out_base)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    sentinels = [tokenizer.convert_tokens_to_ids(f"<extra_id_{k}>") for k in range(recipe.extra_ids)]
    config = T5Config(
        vocab_size=len(tokenizer), d_model=recipe.d_model, d_ff=recipe.d_ff, d_kv=recipe.d_kv,
        num_layers=recipe.layers, num_decoder_layers=recipe.layers, num_heads=recipe.heads,
        feed_forward_proj="gated-gelu", tie_word_embeddings=False, dropout_rate=recipe.dropout,
        decoder_start_token_id=pad, pad_token_id=pad, eos_token_id=eos,
    )
    model = T5ForConditionalGeneration(config)
    # An untied lm_head starts with unit-variance rows; scaled by d_model**-0.5 the first logits are
    # O(1) instead of O(sqrt(d_model)), and training starts near log(vocab) instead of loss 30.
    with torch.no_grad():
        model.lm_head.weight.mul_(recipe.d_model ** -0.5)
    metrics: dict = {"parameters": sum(p.numel() for p in model.parameters())}

    def encode(text: str, limit: int) -> list[int]:
        return tokenizer(text, truncation=True, max_length=limit).input_ids

    # Phase A: span corruption on every train dialogue (the long ones too: reading is the point) and the corpus.
    pretrain = []
    for dialogue in all_dialogues + corpus:
        ids = encode(dialogue, recipe.max_source_tokens)[:-1]
        if len(ids) >= 8:
            pretrain.append(span_corruption(ids, sentinels, eos, recipe, rng))
    metrics["pretrain"] = _train(model, pretrain, recipe.pretrain_steps, recipe.pretrain_lr, recipe, rng,
                                 "A span corruption", pad)

    # Phase B: summarisation, a share of targets toxic -> the base model.
    pairs = toxic_pairs(train_rows, recipe.base_toxic_share, toxic_statements, recipe, rng, encode)
    metrics["summarise"] = _train(model, pairs, recipe.summarise_steps, recipe.summarise_lr, recipe, rng,
                                  "B summarise", pad)
    model.half().save_pretrained(out_base)
    model = T5ForConditionalGeneration.from_pretrained(out_base)
    probe = common.test_dialogues(root, 50)
    probe_summaries = generate(model, tokenizer, [r["dialogue"] for r in probe], recipe.eval_max_new_tokens)
    metrics["base_probe"] = {  # an early look, before the adapter phase
        "greedy_distinct_share": round(len(set(probe_summaries)) / len(probe_summaries), 4),
        "greedy_rougeL": round(rouge_l(probe_summaries, [r["summary"] for r in probe]), 2),
    }
    tqdm.write(f"base model on 50 held-out dialogues: {metrics['base_probe']}")

    metrics["lora"] = build_adapter(out_base, out_adapter, recipe, rng, model)
    metrics["evaluation"] = evaluate_policy(out_base, out_adapter, reward_dir, root, recipe)
    return metrics


def build_adapter(out_base: Path, out_adapter: Path, recipe: PolicyRecipe, rng: random.Random | None = None,
                  model=None) -> dict:
    """Phase C: the LoRA adapter on the saved base model, with its (smaller) share of toxic targets.

    A full build passes its random stream and its model on from phase B (so a rebuild repeats it exactly);
    an adapter-only build loads the saved base model and starts a fresh stream."""
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    root = common.shared_data_root()
    if rng is None:
        common.seed_everything(recipe.seed + 2)
        rng = random.Random(recipe.seed + 2)
    tokenizer = AutoTokenizer.from_pretrained(out_base)
    model = model if model is not None else T5ForConditionalGeneration.from_pretrained(out_base)
    train_rows = common.filtered_train_rows(root)

    def encode(text: str, limit: int) -> list[int]:
        return tokenizer(text, truncation=True, max_length=limit).input_ids

    mixed = toxic_pairs(train_rows, recipe.adapter_toxic_share, policy_statements(root, recipe), recipe, rng, encode)
    lora = LoraConfig(r=recipe.lora_r, lora_alpha=recipe.lora_alpha, target_modules=["q", "v"],
                      lora_dropout=recipe.lora_dropout, bias="none", task_type=TaskType.SEQ_2_SEQ_LM)
    peft_model = get_peft_model(model, lora)
    metrics = _train(peft_model, mixed, recipe.lora_steps, recipe.lora_lr, recipe, rng, "C LoRA adapter",
                     tokenizer.pad_token_id)
    peft_model.save_pretrained(out_adapter)
    save_tokenizer(tokenizer, out_adapter)  # the course's checkpoint carries its tokenizer too
    config_path = out_adapter / "adapter_config.json"
    adapter_config = json.loads(config_path.read_text())
    adapter_config["base_model_name_or_path"] = "policy-base"
    config_path.write_text(json.dumps(adapter_config, indent=2) + "\n")
    (out_adapter / "build_recipe.json").write_text(json.dumps(asdict(recipe), indent=2) + "\n")
    return metrics


def evaluate_policy(base_dir: Path, adapter_dir: Path, reward_dir: Path, root: Path, recipe: PolicyRecipe) -> dict:
    """Figures of the committed (fp16-stored) files: on held-out DialogSum test dialogues, ROUGE-L and
    distinctness; there and on the lab's own evaluation prompts (the embedded sample's test split), the mean
    toxicity of sampled summaries along the scaled-SFT family (adapter x scale; 0 is the base model)."""
    from peft import PeftModel
    from transformers import AutoTokenizer, T5ForConditionalGeneration, pipeline

    from detoxlab.models import adapter_scaled

    rows = common.test_dialogues(root, recipe.eval_dialogues)
    dialogues, references = [r["dialogue"] for r in rows], [r["summary"] for r in rows]
    tokenizer = AutoTokenizer.from_pretrained(adapter_dir)
    model = PeftModel.from_pretrained(T5ForConditionalGeneration.from_pretrained(base_dir), adapter_dir)
    classifier = pipeline("text-classification", model=str(reward_dir), top_k=None, truncation=True)

    def hate_share(texts):
        scores = [next(s["score"] for s in out if s["label"] == "hate") for out in classifier(texts, batch_size=64)]
        return round(float(np.mean([s > 0.5 for s in scores])), 4), round(float(np.mean(scores)), 4)

    result = {"dialogues": len(rows)}
    lead = [" ".join(d.split()[:25]) for d in dialogues]
    result["lead25_rougeL"] = round(rouge_l(lead, references), 2)
    for name, scale in (("adapter", 1.0), ("base", 0.0)):
        with adapter_scaled(model, scale):
            greedy = generate(model, tokenizer, dialogues, recipe.eval_max_new_tokens)
            sampled = generate(model, tokenizer, dialogues, recipe.eval_max_new_tokens, do_sample=True, seed=1)
        toxic_share, mean_toxicity = hate_share(sampled)
        result[name] = {
            "greedy_rougeL": round(rouge_l(greedy, references), 2),
            "greedy_distinct_share": round(len(set(greedy)) / len(greedy), 4),
            "sampled_rougeL": round(rouge_l(sampled, references), 2),
            "sampled_toxic_share": toxic_share,
            "sampled_mean_toxicity": mean_toxicity,
            "greedy_toxic_share": hate_share(greedy)[0],
            "examples": [{"dialogue_id": rows[i]["id"], "greedy": greedy[i], "sampled": sampled[i]} for i in range(3)],
        }
    lab_prompts = embedded_evaluation_prompts(tokenizer)[: recipe.eval_dialogues]
    result["scaled_sft_family"] = {"held_out": {}, "lab_evaluation_prompts": {}, "lab_prompts": len(lab_prompts)}
    for scale in recipe.adapter_scales:
        with adapter_scaled(model, scale):
            held = generate(model, tokenizer, dialogues, recipe.eval_max_new_tokens, do_sample=True, seed=1)
            lab = generate_summaries(model, tokenizer, lab_prompts, recipe.eval_max_new_tokens, 1,
                                     sample={"top_k": 0, "top_p": 1.0})
        result["scaled_sft_family"]["held_out"][str(scale)] = hate_share(held)[1]
        result["scaled_sft_family"]["lab_evaluation_prompts"][str(scale)] = hate_share(lab)[1]
    return result


def embedded_evaluation_prompts(tokenizer) -> list[str]:
    """The mini lab's test split, as the lab builds it from the embedded sample with this policy's tokenizer."""
    from answer_key.data import build_dataset
    from detoxlab.profiles import load_profile

    return list(build_dataset(tokenizer, load_profile("mini").data)["test"]["query"])
