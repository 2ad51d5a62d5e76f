"""The course models' architectures, written in code, so their sizes can be checked without weights."""
from __future__ import annotations

# google/flan-t5-base (config.json values that decide the shapes)
FLAN_T5_BASE = {
    "model_type": "t5", "d_model": 768, "d_ff": 2048, "d_kv": 64, "num_layers": 12, "num_decoder_layers": 12,
    "num_heads": 12, "vocab_size": 32128, "feed_forward_proj": "gated-gelu", "tie_word_embeddings": False,
    "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "decoder_start_token_id": 0,
    "pad_token_id": 0, "eos_token_id": 1, "dropout_rate": 0.1, "layer_norm_epsilon": 1e-6,
}

# facebook/roberta-hate-speech-dynabench-r4-target
ROBERTA_HATE = {
    "model_type": "roberta", "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "max_position_embeddings": 514, "vocab_size": 50265, "type_vocab_size": 1,
    "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2, "id2label": {0: "nothate", 1: "hate"},
    "label2id": {"nothate": 0, "hate": 1},
}


def t5_config(values: dict = FLAN_T5_BASE):
    from transformers import T5Config

    return T5Config(**{k: v for k, v in values.items() if k != "model_type"})


def random_flan_t5_base():
    """flan-t5-base with random weights: the real shapes, for counting and timing."""
    from transformers import T5ForConditionalGeneration

    return T5ForConditionalGeneration(t5_config())
