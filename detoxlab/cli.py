"""The `detoxlab` command: a thin layer over the package's functions.

Known failures (bad profile, missing data, unwritable output, corrupt assets) end with one line on
stderr and exit status 2; anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from detoxlab import profiles

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

    if args.action == "build":
        manifest = assets.build_stand_ins(parts=tuple(args.only) if args.only else assets.PARTS)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="detoxlab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="execute the lab notebook on a profile; results, metrics, plots to --out")
    _profile_arg(run)
    run.add_argument("--out", default="out", help="output directory (default: out)")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a notebook parameter: method_name, ppo_steps, eval_samples, seed (repeatable)")
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
    assets.add_argument("action", choices=["build", "verify"],
                        help="build: retrain the mini stand-ins (needs DETOXLAB_DATA_DIR); verify: check a manifest")
    assets.add_argument("--dir", help="asset directory to verify (default: the committed stand-ins)")
    assets.add_argument("--only", action="append", choices=["reward-model", "policy", "policy-adapter"],
                        help="build: rebuild only this part (repeatable); the rest is kept and re-measured")
    assets.add_argument("--no-load", action="store_true", help="verify only sizes and hashes, not loading")
    assets.set_defaults(func=cmd_assets)
    return parser


def main(argv: list[str] | None = None) -> int:
    from detoxlab.assets import AssetError
    from detoxlab.data import DataSourceError
    from detoxlab.models import AdapterMismatch
    from detoxlab.run import RunError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (profiles.ProfileError, DataSourceError, AssetError, AdapterMismatch, RunError) as error:
        print(f"detoxlab: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
