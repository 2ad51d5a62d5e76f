"""Regenerate docs/images/report.png: a class report (report.html) for a fake batch of 12 submissions,
opened in headless chromium and captured with its own --screenshot flag.

    .venv/bin/python scripts/report_screenshot.py [--out docs/images/report.png] [--keep DIR]

Nothing is graded and no model is loaded: the results.json files are written from made-up check results
(with the lab's check titles) by detoxlab.grade.results, as the grader writes them. Needs /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from detoxlab.grade import report, results  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHECKS = ("dataset sizes", "trainable parameters", "reward signs", "toxicity evaluation", "PPO trainer",
          "PPO step", "PPO's quantities", "toxicity improvement", "signed change", "before/after table")
FAILURES = {
    "dataset sizes": "build_dataset returned 1,000 training rows; expected 800 (the 80/20 split of the dialogues).",
    "trainable parameters": "every parameter of peft_model is trainable: only the LoRA adapter should be",
    "reward signs": "reward_fn returned 8 value(s) for 16 texts: return one reward per text",
    "PPO step": "ppo_step called ppo_trainer.step 2 times: once per batch",
    "PPO step/2": "ppo_trainer.step did not receive the batch's input_ids as its queries",
    "toxicity improvement": "toxicity_before and toxicity_after hold 10 and 9 scores: pair them",
    "signed change": "the change has the wrong sign: report after minus before",
}


@dataclass
class Check:  # what results.build reads from a check's result
    name: str
    passed: bool
    score: float
    max_score: float
    message: str


def _checks(failed: dict) -> list[Check]:
    return [Check(name, name not in failed, 0.0 if name in failed else 1.0, 1.0, failed.get(name, "passed"))
            for name in CHECKS]


def build_batch(folder: Path) -> list[dict]:
    """12 submissions' results.json under ``folder`` and the summary rows the grader would have made."""
    timed_out = {name: "not graded: the notebook stopped before this check's evidence was made" for name in CHECKS[5:]}
    plan = [  # name, failed checks, outcome, message, staff notes, seconds
        ("ada_lovelace", {}, "completed", "", {}, 412),
        ("alan_turing", {"PPO step": FAILURES["PPO step"]}, "completed", "", {}, 455),
        ("grace_hopper", {}, "completed", "", {}, 398),
        ("edsger_d", {"reward signs": FAILURES["reward signs"], "PPO step": FAILURES["PPO step"]}, "cell-errors",
         "", {"traceback": "ValueError: shapes (8,) and (16,) not aligned"}, 520),
        ("barbara_l", {"PPO step": FAILURES["PPO step/2"], "toxicity improvement": FAILURES["toxicity improvement"]},
         "completed", "", {}, 610),
        ("donald_k", {"dataset sizes": FAILURES["dataset sizes"]}, "completed", "", {}, 377),
        ("margaret_h", {"trainable parameters": FAILURES["trainable parameters"], "PPO step": FAILURES["PPO step"],
                        "signed change": FAILURES["signed change"]}, "completed", "", {}, 590),
        ("ken_t", timed_out, "timeout-cell", "A cell ran past its time limit (300 s, cell 41: the PPO loop).",
         {"traceback": "TimeoutError: cell 41 ran past 300 s"}, 1210),
        ("radia_p", {**timed_out, "dataset sizes": FAILURES["dataset sizes"]}, "memory",
         "The notebook ran out of memory (4,096 MB) in cell 38.", {"kernel log": "Killed (OOM) at 4096 MB"}, 845),
        ("john_mc", {"dataset sizes": FAILURES["dataset sizes"]}, "completed", "", {}, 430),
        ("frances_a", {"signed change": FAILURES["signed change"]}, "completed", "", {}, 402),
    ]
    rows = []
    for name, failed, outcome, message, staff, seconds in plan:
        payload = results.build(_checks(failed), results.Outcome(outcome, message, staff, seconds),
                                {"submission": name})
        path = results.write(folder / name / "results.json", payload)
        rows.append({"submission": name, "score": payload["score"], "max_score": payload["extra_data"]["max_score"],
                     "outcome": outcome, "seconds": payload["execution_time"], "results": str(path),
                     "tests": {t["name"]: t["score"] for t in payload["tests"] if "score" in t}})
    payload = results.not_graded("linus_t", "interrupted", "grading was interrupted (the grader received SIGTERM) "
                                 "while this submission ran.", 95.0, {"interrupted": "SIGTERM reached the worker"})
    path = results.write(folder / "linus_t" / "results.json", payload)
    rows.append(results.not_graded_row("linus_t", payload, path))
    return rows


def screenshot(page: Path, image: Path, size: str = "1200,1600", timeout: float = 60) -> Path:
    """``page`` as chromium draws it, captured with its own --screenshot (no selenium)."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    try:
        subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--screenshot={image}", f"--window-size={size}",
                        page.resolve().as_uri()], capture_output=True, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not image.is_file() or image.stat().st_size == 0:
        raise SystemExit(f"chromium wrote no screenshot to {image}")
    return image


def shrink(image: Path, colors: int = 64, margin: int = 24) -> None:
    """Cut the blank page below the report, and use fewer colours (text and flat fills): a fraction of the
    size, still sharp."""
    from PIL import Image, ImageOps

    with Image.open(image) as picture:
        picture = picture.convert("RGB")
    box = ImageOps.invert(picture).getbbox()  # what is not white
    if box:
        picture = picture.crop((0, 0, picture.width, min(picture.height, box[3] + margin)))
    picture.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(image, optimize=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "images" / "report.png")
    parser.add_argument("--keep", type=Path, help="write the fake batch and report.html here (kept)")
    parser.add_argument("--size", default="1200,3000", help="chromium's window, WIDTH,HEIGHT (the image is cut "
                        "below the report)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="detoxlab-report-"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page = report.write_report(folder / "report.html", build_batch(folder))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shrink(screenshot(page, args.out, args.size))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
