"""Evidence: what the grader's own cell gathers in the finished kernel, and the checks judged on it.

Nothing the notebook computed about itself is trusted. Every check (``checks.registry``) draws fresh inputs
for each submission (another DialogSum split and length window, probe texts, prompts, seeds); after the
notebook has run, the grader executes one cell of its own (``checks.kernel.grader_cell``) that calls the
student's functions on those inputs and prints a single line tagged with a random per-run nonce. Only that
cell's own output is read, so text the notebook printed (or files it wrote) cannot stand in for it. Each
check then judges its evidence in the grader's process, against the reference implementation on the same
inputs (``checks.<key>.judge``); the toxicity improvement is measured on the grader's own summaries, written
with the adapter the cell exported.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

EVIDENCE_MAX_CHARS = 8_000_000


def new_nonce() -> str:
    return f"DETOXLAB-EVIDENCE-{secrets.token_hex(16)}:"


def parse(outputs: list[dict], nonce: str) -> tuple[dict | None, str]:
    """(evidence, problem) from the grader cell's own outputs: exactly one line tagged with ``nonce``."""
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    lines = [line[len(nonce):] for line in text.splitlines() if line.startswith(nonce)]
    if not lines:
        return None, "the grader's cell printed no evidence (the kernel may have been busy, dead or altered)"
    if len(lines) > 1:
        return None, f"the grader's cell printed {len(lines)} evidence lines instead of one: output was tampered with"
    if len(lines[0]) > EVIDENCE_MAX_CHARS:
        return None, "the evidence line is too long"
    try:
        payload = json.loads(lines[0])
    except json.JSONDecodeError as error:
        return None, f"the evidence line is not valid JSON ({error})"
    if not isinstance(payload, dict) or not isinstance(payload.get("evidence"), dict):
        return None, "the evidence line has the wrong shape"
    if not isinstance(payload.get("problems"), dict):
        payload["problems"] = {}
    return payload, ""


def resources(profile, cache: Path):
    """The checks' resources for one worker, with the batch's shared cache folder: the values the checks compute
    once per batch (the reference dataset, the SFT policy's and the scaled-SFT family's toxicity...)."""
    from checks.resources import Resources

    Path(cache).mkdir(mode=0o700, exist_ok=True)
    return Resources(profile, Path(cache))


def requests(resources_, adapter_path: Path) -> dict:
    """Fresh inputs for every check of one submission, drawn from the system's random source."""
    from checks.registry import draw_all

    drawn = draw_all(resources_)
    drawn["improvement"]["adapter_path"] = str(adapter_path)
    return drawn


def grade(payload: dict | None, problem: str, drawn: dict, resources_) -> list:
    """Every check's result: judged on its evidence, or failed with the reason it could not be graded."""
    from checks.registry import all_checks

    found = (payload or {}).get("evidence", {})
    problems = (payload or {}).get("problems", {})
    results = []
    for check in all_checks():
        if check.key in found:
            results.append(check.judged(found[check.key], drawn[check.key], resources_))
        else:
            reason = problem or problems.get(check.key) or "no evidence"
            results.append(check.failed(f"not graded: {reason}"))
    return results
