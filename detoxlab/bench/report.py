"""The bench's report: ratios between the sides, the FLOP estimate against the matmul rate, the goals, and
the printed table. Everything is computed from the sides' own measurements (``sides.run_side``)."""
from __future__ import annotations

import os
import platform

from detoxlab.bench.flops import FLOP_FORMULAS, step_flops, t5_shapes

CONTENDED_CORES = 0.25  # other processes using more than this many cores while a side is timed
GIB = 2 ** 30
# the goals, each checked in goals_met
GOALS = {"step_ratio": 3.0, "evaluation_ratio": 3.0, "lab_peak_rss_bytes": 6 * GIB,
         "lab_step_fraction_of_matmul_rate": 0.5}
STEP_PARTS, EVALUATION_PARTS = ("generate", "reward", "trl_step"), ("generate", "toxicity")


def _ratio(slower: float, faster: float) -> float:
    return round(slower / faster, 2) if faster > 0 else float("inf")


def _ratios(results: dict, slow: str, fast: str, kind: str, parts) -> dict:
    """slow side's seconds / fast side's, for every part and the total."""
    return {part: _ratio(results[slow][kind][part], results[fast][kind][part]) for part in (*parts, "total")}


def summarise(spec: dict, results: dict, setup: dict, profile) -> dict:
    from transformers import RobertaConfig, T5Config

    lab = results["lab"]
    shapes = t5_shapes(T5Config.from_dict(lab["t5_config"]), profile.lora["r"], profile.lora["target_modules"])
    flops = step_flops(shapes, RobertaConfig.from_dict(lab["reward_config"]), spec["prompts"], spec["prompt_tokens"],
                       spec["response_tokens"], lab["ppo_epochs"], lab["reward_text_tokens"])
    sides = list(results)

    def fraction(side: str, part: str, part_flops: float) -> float:
        result = results[side]
        return round(part_flops / result["step"][part] / result["matmul_flops_per_second"][result["dtype"]], 3)

    fractions = {side: {"total": fraction(side, "total", flops["total"]),
                        "generate": fraction(side, "generate", flops["generation"]),
                        "reward": fraction(side, "reward", flops["reward"]),
                        "trl_step": fraction(side, "trl_step", flops["trl_step"])} for side in sides}
    # the policy's work is identical by construction (same prompts, fixed summary length): checked here; the
    # reward model reads the decoded samples, which differ between the sides, so its token counts are
    # reported for every side rather than required to be equal
    identical = (all(r["response_lengths"] == lab["response_lengths"] for r in results.values())
                 and all(r["eval_prompt_tokens"] == lab["eval_prompt_tokens"] for r in results.values())
                 and all(r["eval_scored"] == spec["eval_n"] for r in results.values()))
    step_ratio = _ratios(results, "original", "lab", "step", STEP_PARTS)
    evaluation_ratio = _ratios(results, "original", "lab", "evaluation", EVALUATION_PARTS)
    others = {side: results[side]["other_processes_cores"] for side in sides}
    return {
        "profile": spec["profile"],
        "models": setup,
        "method": spec["method"],
        "ppo_epochs": lab["ppo_epochs"],
        "sides": {side: {"implementation": r["implementation"], "dtype": r["dtype"]} for side, r in results.items()},
        "settings": {k: spec[k] for k in ("prompts", "prompt_tokens", "response_tokens", "eval_n", "repeat", "seed")},
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpu_count": os.cpu_count(), "torch_threads": lab["threads"], "gpu": None,
                    "matmul_gflops": {side: {dtype: round(rate / 1e9, 1)
                                             for dtype, rate in results[side]["matmul_flops_per_second"].items()}
                                      for side in sides}},
        "identical_work": identical,
        "work": {"response_tokens_per_summary": lab["response_lengths"][0] - 1 if lab["response_lengths"] else 0,
                 "response_lengths_incl_start": lab["response_lengths"],
                 "reward_text_tokens_total": {side: sum(results[side]["reward_text_tokens"]) for side in sides},
                 "eval_prompt_tokens": [min(lab["eval_prompt_tokens"]), max(lab["eval_prompt_tokens"])]},
        "step_seconds": {side: results[side]["step"] for side in sides},
        "step_seconds_each_repeat": {side: results[side]["step_seconds"] for side in sides},
        "evaluation_seconds": {side: results[side]["evaluation"] for side in sides},
        # CPU seconds of each side's own process (all threads): less sensitive than wall-clock time to other
        # processes on the machine, but it also counts threads that spin waiting
        "step_cpu_seconds": {side: results[side]["step_cpu"] for side in sides},
        "evaluation_cpu_seconds": {side: results[side]["evaluation_cpu"] for side in sides},
        # original (the course's code) / lab, both in bfloat16: what the implementation gains
        "step_ratio": step_ratio["total"],
        "step_ratio_by_part": step_ratio,
        "evaluation_ratio": evaluation_ratio["total"],
        "evaluation_ratio_by_part": evaluation_ratio,
        "step_cpu_ratio": _ratio(results["original"]["step_cpu"]["total"], lab["step_cpu"]["total"]),
        # the lab in float32 / the lab in bfloat16: what the precision gains
        "precision_step_ratio": _ratios(results, "lab-float32", "lab", "step", STEP_PARTS),
        "precision_evaluation_ratio": _ratios(results, "lab-float32", "lab", "evaluation", EVALUATION_PARTS),
        "trl_stats_last_step": {side: results[side]["trl_stats"] for side in sides},
        "trl_timing_last_step": {side: results[side]["trl_timing"] for side in sides},
        "peak_rss_bytes": {side: results[side]["peak_rss_bytes"] for side in sides},
        "reference_copy_bytes": {side: results[side]["reference_copy_bytes"] for side in sides},
        "policy_bytes": {side: results[side]["policy_bytes"] for side in sides},
        "lab_step_flops": flops,
        "step_flops_per_second": {side: flops["total"] / results[side]["step"]["total"] for side in sides},
        # each side's step FLOPs / seconds / the matmul rate in that side's own dtype
        "fraction_of_matmul_rate": fractions,
        "lab_step_fraction_of_matmul_rate": fractions["lab"]["total"],
        "flop_formulas": FLOP_FORMULAS,
        "shapes": shapes,
        "goals": GOALS,
        "goals_met": {"step_ratio": step_ratio["total"] >= GOALS["step_ratio"],
                      "evaluation_ratio": evaluation_ratio["total"] >= GOALS["evaluation_ratio"],
                      "lab_peak_rss": lab["peak_rss_bytes"] < GOALS["lab_peak_rss_bytes"],
                      "no_reference_model_copy": lab["reference_copy_bytes"] < 0.1 * lab["policy_bytes"],
                      "fraction_of_matmul_rate": fractions["lab"]["total"] >= GOALS["lab_step_fraction_of_matmul_rate"]},
        "setup_seconds": {side: results[side]["setup_seconds"] for side in sides},
        # other processes' CPU use while a side was timed (cores, averaged): timings taken next to a busy
        # neighbour are slower, and unevenly so between the sides
        "other_processes_cores": others,
        "contended": max(others.values()) > CONTENDED_CORES,
        "own_cpu_seconds": {side: results[side]["own_cpu_seconds"] for side in sides},
        "timed_wall_seconds": {side: results[side]["timed_wall_seconds"] for side in sides},
    }


def table(report: dict) -> str:
    steps, evals, sides = report["step_seconds"], report["evaluation_seconds"], report["sides"]
    heads = [f"{side} ({sides[side]['dtype']})" for side in sides]
    rows = [("", *heads, "original/lab", "float32/bfloat16")]
    for part in (*STEP_PARTS, "total"):
        rows.append((f"PPO step: {part}", *(f"{steps[side][part]:.2f} s" for side in sides),
                     f"{report['step_ratio_by_part'][part]:.2f}x", f"{report['precision_step_ratio'][part]:.2f}x"))
    for part in (*EVALUATION_PARTS, "total"):
        rows.append((f"evaluation of {report['settings']['eval_n']}: {part}", *(f"{evals[side][part]:.2f} s" for side in sides),
                     f"{report['evaluation_ratio_by_part'][part]:.2f}x",
                     f"{report['precision_evaluation_ratio'][part]:.2f}x"))
    rows.append(("peak resident memory", *(f"{report['peak_rss_bytes'][side] / GIB:.2f} GiB" for side in sides), "", ""))
    rows.append(("reference copy", *(f"{report['reference_copy_bytes'][side] / GIB:.2f} GiB" for side in sides), "", ""))
    rows.append(("step: share of matmul rate", *(f"{report['fraction_of_matmul_rate'][side]['total']:.0%}"
                                                  for side in sides), "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
             for row in rows]
    settings, flops = report["settings"], report["lab_step_flops"]
    rates = report["machine"]["matmul_gflops"]["lab"]
    lines.insert(0, f"detoxlab bench: profile {report['profile']} ({report['models']['weights']}), method "
                    f"{report['method']} ({report['ppo_epochs']} PPO epoch(s)), {settings['prompts']} prompts x "
                    f"{settings['prompt_tokens']} tokens -> {settings['response_tokens']} new tokens, "
                    f"{report['machine']['torch_threads']} threads, median of {settings['repeat']}")
    by_part = report["fraction_of_matmul_rate"]["lab"]
    lines.append(f"lab step (bfloat16): {flops['total'] / 1e12:.2f} TFLOP estimated in {steps['lab']['total']:.2f} s = "
                 f"{report['step_flops_per_second']['lab'] / 1e9:.1f} GFLOP/s; bfloat16 matmul {rates['bfloat16']:.1f} "
                 f"GFLOP/s (float32 {rates['float32']:.1f}) -> {by_part['total']:.0%} of the matmul rate "
                 f"(generate {by_part['generate']:.0%}, reward {by_part['reward']:.0%}, "
                 f"trl step {by_part['trl_step']:.0%})")
    lines.append("identical policy work on every side: " + ("yes" if report["identical_work"] else "NO (see bench.json)"))
    others = report["other_processes_cores"]
    lines.append("other processes while timing: " + ", ".join(f"{cores:.2f} cores ({side})" for side, cores in others.items())
                 + (" -- CONTENDED: the times and ratios are not trustworthy; rerun on a quiet machine"
                    if report["contended"] else ""))
    return "\n".join(lines)
