"""`detoxlab run`: one-line errors before the expensive part, and reproducible results."""
import json

import pytest

from detoxlab import cli


def run_cli(capsys, *argv):
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("argv, message", [
    (["run", "--profile", "tiny"], "unknown profile 'tiny'"),
    (["run", "-p", "steps", "2"], "unknown parameter 'steps'"),
    (["run", "-p", "ppo_steps", "two"], "parameter ppo_steps must be a whole number"),
    (["run", "-p", "ppo_steps", "0"], "parameter ppo_steps must be positive"),
    (["run", "-p", "method_name", "faithful"], "unknown parameter 'method_name'"),
    (["run", "-p", "dtype", "float16"], "parameter dtype must be one of bfloat16, float32, got 'float16'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, no_data_dir, argv, message):
    status, out, err = run_cli(capsys, *argv, "--out", str(tmp_path / "out"))
    assert status == 2
    assert err.startswith("detoxlab: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out" / "results.json").exists()


def test_unwritable_out_dir(capsys, tmp_path, no_data_dir):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    status, _, err = run_cli(capsys, "run", "--out", str(blocker / "out"))
    assert status == 2 and "cannot write to output directory" in err


def test_missing_data_for_the_profile(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DETOXLAB_DATA_DIR", str(tmp_path / "nowhere"))
    status, _, err = run_cli(capsys, "run", "--out", str(tmp_path / "out"))
    assert status == 2 and "DETOXLAB_DATA_DIR" in err and "train.csv" in err


@pytest.mark.shared_data
def test_missing_full_profile_assets(capsys, tmp_path, monkeypatch, shared_data):
    monkeypatch.setenv("DETOXLAB_DATA_DIR", str(shared_data))
    monkeypatch.setenv("DETOXLAB_ASSETS_DIR", str(tmp_path / "assets"))
    status, _, err = run_cli(capsys, "run", "--profile", "full", "--out", str(tmp_path / "out"))
    assert status == 2 and "policy.adapter of profile full is missing" in err and "assets fetch" in err


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in ("timings", "seconds")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


@pytest.mark.slow
def test_two_runs_with_the_same_seed_give_the_same_results(capsys, tmp_path, no_data_dir):
    outputs = []
    for name in ("first", "second"):
        status, out, err = run_cli(capsys, "run", "--out", str(tmp_path / name), "-p", "ppo_steps", "2",
                                   "-p", "eval_samples", "4")
        assert status == 0, err
        produced = {f: json.loads((tmp_path / name / f).read_text()) for f in ("metrics.json", "results.json")}
        assert (tmp_path / name / "training.png").stat().st_size > 0
        assert (tmp_path / name / "detox_lab.ipynb").is_file()
        outputs.append(produced)
    first, second = outputs
    import checks

    assert [t["name"] for t in first["results.json"]["tests"]] == [c.title for c in checks.all_checks()]
    assert len(first["metrics.json"]["steps"]) == 2
    assert _without_timings(first["metrics.json"]) == _without_timings(second["metrics.json"])
    # the checks draw new inputs every run, so their messages differ; their verdicts do not
    verdicts = [[(t["name"], t["status"], t["score"]) for t in run["results.json"]["tests"]] for run in outputs]
    assert verdicts[0] == verdicts[1]


def test_a_relative_data_dir_names_the_same_folder_in_the_kernel(tmp_path, monkeypatch):
    """The kernel's working folder is the output folder: DETOXLAB_DATA_DIR=../shared/data, relative to where
    the command started, reaches it as an absolute path, and the caller's value is put back."""
    import os

    from detoxlab.run import data_dir_for_the_kernel

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DETOXLAB_DATA_DIR", "data/dialogsum")
    with data_dir_for_the_kernel():
        assert os.environ["DETOXLAB_DATA_DIR"] == str(tmp_path / "data" / "dialogsum")
    assert os.environ["DETOXLAB_DATA_DIR"] == "data/dialogsum"
    monkeypatch.setenv("DETOXLAB_DATA_DIR", "/already/absolute")
    with data_dir_for_the_kernel():
        assert os.environ["DETOXLAB_DATA_DIR"] == "/already/absolute"
