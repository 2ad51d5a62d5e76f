"""The `detoxlab` command: a thin layer over the package's functions.

Known failures (a DetoxlabError: bad profile, missing data, unwritable output, corrupt assets) end with
one line on stderr and exit status 2; anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
from pathlib import Path

from detoxlab import profiles
from detoxlab.errors import DetoxlabError

EXIT_USAGE = 2


class _Default:
    """An option's default: the default of the parameter it feeds in the function its command calls.
    The value is written once, in that signature; it is read only when ``--help`` shows it (building
    the parser imports none of the commands' modules), and a command passes only the options given
    (``_given``), so the function applies its own default."""

    def __init__(self, function: str, parameter: str):
        self.function, self.parameter = function, parameter   # function: "module:name"

    def value(self):
        module, _, name = self.function.partition(":")
        return inspect.signature(getattr(importlib.import_module(module), name)).parameters[self.parameter].default

    def __str__(self) -> str:
        value = self.value()
        return f"{value:g}" if isinstance(value, float) else str(value)


def _given(args, *names: str) -> dict:
    """The named options the user gave; an option left at its ``_Default`` is left to the function."""
    return {name: getattr(args, name) for name in names if not isinstance(getattr(args, name), _Default)}


def _profile_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=profiles.DEFAULT_PROFILE,
                        help=f"profile name ({', '.join(profiles.available())}) or path to a .toml file "
                             f"(default: {profiles.DEFAULT_PROFILE})")


def cmd_run(args) -> int:
    from detoxlab import run

    run.main(args.profile, Path(args.out), run.parse_parameters(args.parameter))
    return 0


def cmd_data(args) -> int:
    import answer_key.data
    from detoxlab import data, models

    profile = profiles.load_profile(args.profile)
    source = data.resolve_source(profile.data)
    dataset = answer_key.data.build_dataset(models.load_tokenizer(profile), profile.data, source)
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
        from detoxlab.make_stand_ins import build

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
    for path in student.make_bundles():
        print(f"wrote {path}")
    return 0


def cmd_handout(args) -> int:
    from detoxlab import student

    if args.prune:
        removed = student.prune(Path(args.destination))
        print(f"removed {len(removed)} staff-only paths from {args.destination}")
    else:
        print(f"wrote the student's environment to {student.write_handout(Path(args.destination))}")
    return 0


def cmd_study(args) -> int:
    from detoxlab import study

    study.main(args.profile, Path(args.out), **_given(args, "seeds", "eval_prompts", "steps", "dtype"),
               ablation=args.ablation, resume=args.resume)
    return 0


def cmd_bench(args) -> int:
    from detoxlab import bench

    report = bench.main(Path(args.out), **_given(args, "profile", "prompts", "prompt_tokens", "response_tokens",
                                                 "eval_n", "repeat", "method", "seed"),
                        tokenizers=Path(args.tokenizers) if args.tokenizers else None)
    return 0 if report["identical_work"] else 1


def cmd_train(args) -> int:
    from detoxlab import train

    train.main(args.profile, Path(args.out), args.steps, args.method, args.seed, args.quiet)
    return 0


def cmd_grade(args) -> int:
    import faulthandler
    import signal

    # SIGUSR1 prints every thread's stack to stderr: what staff (and tests/test_grade_signals.py) can ask a
    # grader that does not end, without stopping it
    try:
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    except (OSError, ValueError, AttributeError):  # stderr without a file descriptor (called in-process, captured)
        pass
    from detoxlab import grade

    return grade.main(args.path, Path(args.out), args.profile, one=args.one,
                      **_given(args, "jobs", "timeout_cell", "timeout_total", "memory_mb"))


def add_bench_arguments(bench, sizes: dict) -> None:
    """`detoxlab bench`'s options; ``sizes``: the bench's default sizes per profile."""

    def bench_default(name: str) -> str:
        if len({per_profile[name] for per_profile in sizes.values()}) == 1:
            return str(next(iter(sizes.values()))[name])
        return ", ".join(f"{profile} {per_profile[name]}" for profile, per_profile in sizes.items())

    bench.add_argument("--out", default="bench", help="output directory (default: bench)")
    bench.add_argument("--profile", choices=list(sizes), default=_Default("detoxlab.bench:main", "profile"),
                       help="full: flan-t5-base and the RoBERTa reward model at real shape, random weights; "
                            "mini: the stand-in models (default: %(default)s)")
    bench.add_argument("--prompts", type=int, default=_Default("detoxlab.bench:main", "prompts"),
                       help=f"prompts per PPO step (default: {bench_default('prompts')})")
    bench.add_argument("--prompt-tokens", type=int, default=_Default("detoxlab.bench:main", "prompt_tokens"),
                       help=f"tokens per prompt (default: {bench_default('prompt_tokens')})")
    bench.add_argument("--response-tokens", type=int, default=_Default("detoxlab.bench:main", "response_tokens"),
                       help=f"new tokens per summary (default: {bench_default('response_tokens')})")
    bench.add_argument("--eval-n", type=int, default=_Default("detoxlab.bench:main", "eval_n"),
                       help=f"summaries in the toxicity evaluation (default: {bench_default('eval_n')})")
    bench.add_argument("--repeat", type=int, default=_Default("detoxlab.bench:main", "repeat"),
                       help="timed repetitions; the median is reported (default: %(default)s)")
    bench.add_argument("--method", default=_Default("detoxlab.bench:main", "method"),
                       help="PPO method for both sides (default: the profile's)")
    bench.add_argument("--seed", type=int, default=_Default("detoxlab.bench:main", "seed"),
                       help="(default: %(default)s)")
    bench.add_argument("--tokenizers", help="directory with flan-t5-base/ and roberta-base/ tokenizer files "
                                            "(default: $DETOXLAB_DATA_DIR/tokenizers; else the stand-ins')")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="detoxlab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="execute the lab notebook on a profile; results, metrics, plots to --out")
    _profile_arg(run)
    run.add_argument("--out", default="out", help="output directory (default: out)")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a notebook parameter: ppo_steps, eval_samples, seed, dtype (bfloat16 or "
                          "float32) (repeatable)")
    run.set_defaults(func=cmd_run)

    student = commands.add_parser("student", help="generate lab/ from solutions/ (solution blocks become exercises) "
                                                  "and the student's checks' bundled answers")
    student.set_defaults(func=cmd_student)

    handout = commands.add_parser("handout", help="write the student's environment (no answer key, solutions, "
                                                  "grader or tests) to a new folder")
    handout.add_argument("destination", help="a new or empty folder outside the project")
    handout.add_argument("--prune", action="store_true",
                         help="instead remove the staff-only paths from DESTINATION, a copy of the project, in place")
    handout.set_defaults(func=cmd_handout)

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
    studying.add_argument("--seeds", type=int, default=_Default("detoxlab.study:main", "seeds"),
                          help="seeds 0..N-1 (default: %(default)s)")
    studying.add_argument("--eval-prompts", type=int, default=_Default("detoxlab.study:main", "eval_prompts"),
                          help="held-out DialogSum test prompts (default: %(default)s; the embedded sample has fewer)")
    studying.add_argument("--steps", type=int, default=_Default("detoxlab.study:main", "steps"),
                          help="PPO steps for every method (default: each method's own, from the profile)")
    studying.add_argument("--dtype", choices=profiles.POLICY_DTYPES, default=_Default("detoxlab.study:main", "dtype"),
                          help="the policy's dtype (default: the profile's policy.dtype)")
    studying.add_argument("--ablation", action="store_true",
                          help="also train the faithful method with one group of settings changed at a time "
                               "(reference, reward input, decoding, budget, KL coefficient) and compare each with it")
    studying.add_argument("--resume", action="store_true",
                          help="reuse the runs an interrupted study saved in --out/runs/ with the same method, seed, "
                               "prompts and sampling (every run is saved there as it ends)")
    studying.set_defaults(func=cmd_study)

    bench = commands.add_parser("bench", help="time the original lab's PPO step and evaluation against the lab's; "
                                              "bench.json to --out")
    try:
        from detoxlab.bench import DEFAULTS as BENCH_SIZES  # the bench module imports only the standard library
    except ModuleNotFoundError:  # the student's environment: the staff's commands are not there
        BENCH_SIZES = None
    if BENCH_SIZES is not None:
        add_bench_arguments(bench, BENCH_SIZES)
    bench.set_defaults(func=cmd_bench)

    train = commands.add_parser("train", help="PPO without the notebook (one process, or several under "
                                              "accelerate launch -m detoxlab.train); results to --out")
    try:
        from detoxlab.train import add_arguments
    except ModuleNotFoundError:  # the student's environment: the staff's commands are not there
        pass
    else:
        add_arguments(train, profiles.DEFAULT_PROFILE)
    train.set_defaults(func=cmd_train)

    grading = commands.add_parser("grade", help="grade submissions (a notebook, or a folder of them) into --out")
    grading.add_argument("path", help="a notebook, or a folder of submissions (one notebook or one folder each)")
    grading.add_argument("--out", required=True, help="results folder (results.json per submission; summary.csv and report.html for a folder)")
    _profile_arg(grading)
    grading.add_argument("--jobs", type=int, default=_Default("detoxlab.grade.batch:main", "jobs"),
                         help="submissions graded at once (default: %(default)s)")
    grading.add_argument("--timeout-cell", type=float, default=_Default("detoxlab.grade.batch:main", "timeout_cell"),
                         metavar="S", help="seconds per cell (default: %(default)s)")
    grading.add_argument("--timeout-total", type=float, default=_Default("detoxlab.grade.batch:main", "timeout_total"),
                         metavar="S", help="seconds per notebook (default: %(default)s)")
    grading.add_argument("--memory-mb", type=int, default=_Default("detoxlab.grade.batch:main", "memory_mb"),
                         metavar="M", help="memory per submission, all its processes together (default: %(default)s)")
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
    except ImportError as error:
        if not staff_only_module(missing_module(error)):
            raise
        print(f"detoxlab: error: `detoxlab {args.command}` is a course-staff command; this is the student's "
              "environment, which has no answer key, solutions or grader (the lab is lab/detox_lab.ipynb)",
              file=sys.stderr)
        return EXIT_USAGE


def missing_module(error: ImportError) -> str | None:
    """The module an import failed to find: ``import a.b`` names it; ``from a import b`` names only ``a``."""
    import re

    found = re.match(r"cannot import name '(\w+)' from '([\w.]+)'", str(error))
    return f"{found.group(2)}.{found.group(1)}" if found else error.name


def staff_only_module(name: str | None) -> bool:
    """A module the student's environment leaves out (``detoxlab.student.STAFF_ONLY``)."""
    from detoxlab.student import STAFF_ONLY

    modules = {path.removesuffix(".py").replace("/", ".") for path in STAFF_ONLY if "/" in path or path == "answer_key"}
    return bool(name) and any(name == module or name.startswith(module + ".") for module in modules)


if __name__ == "__main__":
    sys.exit(main())
