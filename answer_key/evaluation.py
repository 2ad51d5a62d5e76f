"""Exercise 4's reference: seeded, batched, sampled summaries of a list of prompts."""
from __future__ import annotations


def generate_summaries(model, tokenizer, prompts: list[str], max_new_tokens: int, seed: int,
                       sample: dict | None = None, batch_size: int = 16, return_tokens: bool = False):
    """Summaries for ``prompts``, a batch at a time (T5's encoder takes right-padded prompts with a mask).

    ``sample`` holds sampling settings (top_k, top_p, ...); without it decoding is greedy. Seeded, so
    the same model, prompts and seed give the same summaries on the same machine. ``return_tokens``
    also returns each summary's generated token ids (start token and padding removed, ``</s>`` kept).
    """
    import torch

    from detoxlab.models import device_of, eval_mode

    torch.manual_seed(seed)
    settings = {"do_sample": False} if sample is None else {"do_sample": True, **sample}
    summaries, tokens = [], []
    with torch.inference_mode(), eval_mode(model):
        for start in range(0, len(prompts), batch_size):
            encoded = tokenizer(prompts[start:start + batch_size], return_tensors="pt", padding=True)
            encoded = encoded.to(device_of(model))   # where the model is: a GPU after trl's accelerator placed it
            output = model.generate(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask,
                                    max_new_tokens=max_new_tokens, **settings)
            summaries += [text.strip() for text in tokenizer.batch_decode(output, skip_special_tokens=True)]
            tokens += [row[1:][row[1:] != tokenizer.pad_token_id].cpu() for row in output]
    return (summaries, tokens) if return_tokens else summaries
