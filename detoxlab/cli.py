"""The `detoxlab` command: a thin layer over the package's functions.

Known failures (a DetoxlabError: bad profile, missing data, unwritable output, corrupt assets) end with
one line on stderr and exit status 2; anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from detoxlab import profiles
from detoxlab.errors import DetoxlabError

EXIT_USAGE = 2


def _profile_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=profiles.DEFAULT_PROFILE,
                        help=f"profile name ({', '.join(profiles.available())}) or path to a .toml file "
                             f"(default: {profiles.DEFAULT_PROFILE})")


def cmd_run(args) -> int:
    from detoxlab import run

    run.main(args.profile, Path(args.out), run.parse_parameters(args.parameter))
    return 0


def cmd_data(args) -> int:
    from detoxlab import data, models

    profile = profiles.load_profile(args.profile)
    source = data.resolve_source(profile.data)
    dataset = data.build_dataset(models.load_tokenizer(profile), profile.data, source)
    print(source.describe())
    print(f"train: {len(dataset['train'])} prompts, test: {len(dataset['test'])} prompts")
    return 0


def cmd_profiles(args) -> int:
    if args.name:
        print(json.dumps(profiles.load_profile(args.name).as_dict(), indent=2))
    else:
        for name in profiles.available():
            print(f"{name}: {profiles.load_profile(name).description}")
    return 0


def cmd_assets(args) -> int:
    from detoxlab import assets

    if args.action == "fetch":
        from detoxlab import fetch

        fetch.fetch(profiles.load_profile(args.profile), args.dest, args.endpoint_url, args.hub_endpoint)
        return 0
    if args.action == "build":
        from detoxlab.standin import build

        manifest = build.build_stand_ins(parts=tuple(args.only) if args.only else build.PARTS)
        print(json.dumps(manifest["models"], indent=2))
        return 0
    root = Path(args.dir) if args.dir else assets.STAND_INS
    problems = assets.verify(root, load=not args.no_load)
    for problem in problems:
        print(f"detoxlab assets verify: {problem}", file=sys.stderr)
    if not problems:
        print(f"{root}: every file matches {assets.MANIFEST} and every model loads")
    return 1 if problems else 0


def cmd_student(args) -> int:
    from detoxlab import student

    print(f"wrote {student.make_student()}")
    return 0


def cmd_study(args) -> int:
    from detoxlab import study

    if args.seeds < 1 or args.eval_prompts < 2 or (args.steps is not None and args.steps < 1):
        print("detoxlab: error: --seeds and --steps must be at least 1, --eval-prompts at least 2", file=sys.stderr)
        return EXIT_USAGE
    study.main(args.profile, Path(args.out), seeds=args.seeds, eval_prompts=args.eval_prompts, steps=args.steps,
               ablation=args.ablation, resume=args.resume)
    return 0


def cmd_bench(args) -> int:
    from detoxlab import bench

    report = bench.main(Path(args.out), profile=args.profile, prompts=args.prompts, prompt_tokens=args.prompt_tokens,
                        response_tokens=args.response_tokens, eval_n=args.eval_n, repeat=args.repeat,
                        method=args.method, seed=args.seed, tokenizers=Path(args.tokenizers) if args.tokenizers else None)
    return 0 if report["identical_work"] else 1


def cmd_train(args) -> int:
    from detoxlab import train

    train.main(args.profile, Path(args.out), args.steps, args.method, args.seed, args.quiet)
    return 0


def cmd_grade(args) -> int:
    from detoxlab import grade

    return grade.main(args.path, Path(args.out), args.profile, jobs=args.jobs, timeout_cell=args.timeout_cell,
                      timeout_total=args.timeout_total, memory_mb=args.memory_mb, one=args.one)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="detoxlab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="execute the lab notebook on a profile; results, metrics, plots to --out")
    _profile_arg(run)
    run.add_argument("--out", default="out", help="output directory (default: out)")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a notebook parameter: ppo_steps, eval_samples, seed (repeatable)")
    run.set_defaults(func=cmd_run)

    student = commands.add_parser("student", help="generate lab/ from solutions/ (solution blocks become exercises)")
    student.set_defaults(func=cmd_student)

    data = commands.add_parser("data", help="say where DialogSum comes from and the lab's split sizes")
    _profile_arg(data)
    data.set_defaults(func=cmd_data)

    listing = commands.add_parser("profiles", help="list profiles, or show one")
    listing.add_argument("name", nargs="?")
    listing.set_defaults(func=cmd_profiles)

    assets = commands.add_parser("assets", help="build or verify model assets")
    assets.add_argument("action", choices=["build", "verify", "fetch"],
                        help="build: retrain the mini stand-ins (needs DETOXLAB_DATA_DIR); verify: check a manifest; "
                             "fetch: download a profile's models, adapter and data for offline use")
    assets.add_argument("--dir", help="asset directory to verify (default: the committed stand-ins)")
    assets.add_argument("--only", action="append", choices=["reward-model", "policy", "policy-adapter"],
                        help="build: rebuild only this part (repeatable); the rest is kept and re-measured")
    assets.add_argument("--no-load", action="store_true", help="verify only sizes and hashes, not loading")
    _profile_arg(assets)
    assets.add_argument("--dest", help="fetch: assets root (default: $DETOXLAB_ASSETS_DIR or ~/.cache/detoxlab/assets)")
    assets.add_argument("--endpoint-url", help="fetch: S3 endpoint (an S3-compatible server or mirror)")
    assets.add_argument("--hub-endpoint", help="fetch: Hugging Face hub endpoint (a mirror)")
    assets.set_defaults(func=cmd_assets)

    studying = commands.add_parser("study", help="faithful vs corrected PPO on the same held-out prompts and seeds, "
                                                 "with bootstrap intervals; study.json, study.md and plots to --out")
    _profile_arg(studying)
    studying.add_argument("--out", required=True, help="output directory")
    studying.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default: 3)")
    studying.add_argument("--eval-prompts", type=int, default=200,
                          help="held-out DialogSum test prompts (default: 200; the embedded sample has fewer)")
    studying.add_argument("--steps", type=int, default=None,
                          help="PPO steps for every method (default: each method's own, from the profile)")
    studying.add_argument("--ablation", action="store_true",
                          help="also train the faithful method with one group of settings changed at a time "
                               "(reference, reward input, decoding, budget, KL coefficient) and compare each with it")
    studying.add_argument("--resume", action="store_true",
                          help="reuse the runs an interrupted study saved in --out/runs/ with the same method, seed, "
                               "prompts and sampling (every run is saved there as it ends)")
    studying.set_defaults(func=cmd_study)

    bench = commands.add_parser("bench", help="time the original lab's PPO step and evaluation against the lab's; "
                                              "bench.json to --out")
    bench.add_argument("--out", default="bench", help="output directory (default: bench)")
    bench.add_argument("--profile", choices=["full", "mini"], default="full",
                       help="full: flan-t5-base and the RoBERTa reward model at real shape, random weights "
                            "(default); mini: the stand-in models")
    bench.add_argument("--prompts", type=int, help="prompts per PPO step (default 16)")
    bench.add_argument("--prompt-tokens", type=int, help="tokens per prompt (default: full 128, mini 96)")
    bench.add_argument("--response-tokens", type=int, help="new tokens per summary (default: full 64, mini 32)")
    bench.add_argument("--eval-n", type=int, help="summaries in the toxicity evaluation (default 16)")
    bench.add_argument("--repeat", type=int, default=1, help="timed repetitions; the median is reported (default 1)")
    bench.add_argument("--method", help="PPO method for both sides (default: the profile's)")
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument("--tokenizers", help="directory with flan-t5-base/ and roberta-base/ tokenizer files "
                                            "(default: $DETOXLAB_DATA_DIR/tokenizers; else the stand-ins')")
    bench.set_defaults(func=cmd_bench)

    train = commands.add_parser("train", help="PPO without the notebook (one process, or several under "
                                              "accelerate launch -m detoxlab.train); results to --out")
    from detoxlab.train import add_arguments

    add_arguments(train, profiles.DEFAULT_PROFILE)
    train.set_defaults(func=cmd_train)

    grading = commands.add_parser("grade", help="grade submissions (a notebook, or a folder of them) into --out")
    grading.add_argument("path", help="a notebook, or a folder of submissions (one notebook or one folder each)")
    grading.add_argument("--out", required=True, help="results folder (results.json per submission, summary.csv)")
    _profile_arg(grading)
    grading.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default: 1)")
    grading.add_argument("--timeout-cell", type=float, default=900, metavar="S", help="seconds per cell (default: 900)")
    grading.add_argument("--timeout-total", type=float, default=1800, metavar="S",
                         help="seconds per notebook (default: 1800)")
    grading.add_argument("--memory-mb", type=int, default=4096, metavar="M",
                         help="memory per submission, all its processes together (default: 4096)")
    grading.add_argument("--one", action="store_true", help="PATH is a folder holding one submission (Gradescope)")
    grading.set_defaults(func=cmd_grade)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DetoxlabError as error:
        print(f"detoxlab: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
