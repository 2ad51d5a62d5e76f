"""Detox lab: fine-tune FLAN-T5 with PPO and LoRA to write less-toxic dialogue summaries."""

__version__ = "0.1.0"
