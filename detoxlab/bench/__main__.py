"""``python -m detoxlab.bench --side NAME --spec FILE --result FILE``: one side of `detoxlab bench`, in its own
process (its peak memory is then its own)."""
import argparse
import json
import sys
from pathlib import Path

from detoxlab.bench import SIDES


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m detoxlab.bench", description="one side of detoxlab bench")
    parser.add_argument("--side", choices=list(SIDES), required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    from detoxlab.bench.sides import run_side

    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    result = run_side(*SIDES[args.side], spec)
    Path(args.result).write_text(json.dumps(result, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
