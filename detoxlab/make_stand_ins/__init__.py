"""Training code for the mini profile's stand-in models (policy, LoRA adapter, reward model).

Run through ``detoxlab assets build``; the results are committed under ``detoxlab/stand_ins``.
"""
