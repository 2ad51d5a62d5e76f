"""The bench's FLOP model: matmul FLOPs of one PPO step from the models' shapes, and the machine's matmul
rate to compare them with. Every formula is written out in FLOP_FORMULAS (and into bench.json)."""
from __future__ import annotations

import time

FLOP_FORMULAS = {
    "counted": "multiply-adds of every matmul (2 FLOPs each): linear layers (incl. LoRA A/B, lm_head) and "
               "attention scores/values; embeddings, norms, softmax and other element-wise work not counted",
    "t5_forward": "2*(P*(enc_linear + cross_kv_linear) + D*dec_linear) + attention, per sequence of P "
                  "encoder and D decoder tokens; attention = 4*hd*(L_enc*P^2 + L_dec*(D^2 + D*P)) "
                  "(D^2 -> D*(D+1)/2 when generating with the key/value cache)",
    "generation": "t5_forward with D = response tokens, KV cache (each new token runs the decoder once)",
    "reward": "2*roberta_linear*T + 4*H*L*T^2 per text of T tokens (+ classifier head)",
    "trl_step": "2 forward passes without gradients (policy+value head, reference) + ppo_epochs * "
                "(forward + backward); backward = input gradients only (base weights are frozen): "
                "linear FLOPs of the forward + 2x its attention FLOPs + 2*lora_params per token for "
                "the LoRA weight gradients; D = response tokens + the decoder start token",
    "lab_step": "generation + reward + trl_step of the lab's step",
    "fraction_of_matmul_rate": "lab_step FLOPs / lab step seconds / the matmul rate in the side's dtype "
                               "(2*n^3 per n x n matmul, same process, same thread count)",
}


def t5_shapes(config, lora_r: int, lora_targets) -> dict:
    d, hd, dff, vocab = config.d_model, config.num_heads * config.d_kv, config.d_ff, config.vocab_size
    ffn = (3 if config.is_gated_act else 2) * d * dff
    lora = lora_r * (d + hd)  # one LoRA A (d->r) + B (r->hd) on a projection
    n_lora = {name: lora if name in lora_targets else 0 for name in ("q", "k", "v", "o")}
    attention_all = 4 * d * hd + sum(n_lora.values())
    enc = config.num_layers * (attention_all + ffn)
    dec_self = attention_all
    dec_cross_per_token = 2 * d * hd + n_lora["q"] + n_lora["o"]
    dec = config.num_decoder_layers * (dec_self + dec_cross_per_token + ffn) + d * vocab
    cross_kv = config.num_decoder_layers * (2 * d * hd + n_lora["k"] + n_lora["v"])
    lora_params_enc = config.num_layers * sum(n_lora.values())
    lora_params_dec = config.num_decoder_layers * (2 * sum(n_lora.values()))
    return {"enc_linear": enc, "dec_linear": dec, "cross_kv_linear": cross_kv, "hd": hd,
            "enc_layers": config.num_layers, "dec_layers": config.num_decoder_layers,
            "lora_per_enc_token": lora_params_enc,
            "lora_per_dec_token": lora_params_dec - config.num_decoder_layers * (n_lora["k"] + n_lora["v"]),
            "lora_cross_kv": config.num_decoder_layers * (n_lora["k"] + n_lora["v"])}


def t5_forward_flops(shapes: dict, prompt: int, decoder: int, cached: bool = False) -> dict:
    linear = 2 * (prompt * (shapes["enc_linear"] + shapes["cross_kv_linear"]) + decoder * shapes["dec_linear"])
    self_pairs = decoder * (decoder + 1) / 2 if cached else decoder * decoder
    attention = 4 * shapes["hd"] * (shapes["enc_layers"] * prompt * prompt
                                    + shapes["dec_layers"] * (self_pairs + decoder * prompt))
    lora_tokens = prompt * (shapes["lora_per_enc_token"] + shapes["lora_cross_kv"]) + decoder * shapes["lora_per_dec_token"]
    return {"linear": linear, "attention": attention, "lora_params_x_tokens": lora_tokens}


def roberta_flops(config, tokens: list[int]) -> float:
    h, layers, inter = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    linear = layers * (4 * h * h + 2 * h * inter)
    return float(sum(2 * linear * t + 4 * h * layers * t * t + 2 * (h * h + h * config.num_labels) for t in tokens))


def step_flops(shapes: dict, reward_config, batch: int, prompt: int, response: int, ppo_epochs: int,
               reward_tokens: list[int]) -> dict:
    generation = batch * sum(t5_forward_flops(shapes, prompt, response, cached=True)[k] for k in ("linear", "attention"))
    forward = t5_forward_flops(shapes, prompt, response + 1)
    forward_total = batch * (forward["linear"] + forward["attention"])
    backward_total = batch * (forward["linear"] + 2 * forward["attention"] + 2 * forward["lora_params_x_tokens"])
    trl = 2 * forward_total + ppo_epochs * (forward_total + backward_total)
    scoring = roberta_flops(reward_config, reward_tokens)
    return {"generation": generation, "reward": scoring, "trl_step": trl, "total": generation + scoring + trl}


def matmul_rate(dtype_name: str = "float32", n: int = 2048, repeats: int = 10) -> float:
    """Best matmul rate (FLOP/s) of an n x n by n x n product in ``dtype_name`` with torch's current threads."""
    import torch

    dtype = getattr(torch, dtype_name)
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(2):
        torch.matmul(a, b)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeats):
            torch.matmul(a, b)
        best = min(best, (time.perf_counter() - started) / repeats)
    return 2 * n ** 3 / best
