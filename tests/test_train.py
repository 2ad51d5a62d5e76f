"""PPO beyond one process: `detoxlab.train` under `accelerate launch` with two CPU processes (gloo).

Each process must step on its own prompts, and after the step both must hold bit-identical trainable
weights that differ from the starting ones: the gradients were averaged across the processes. Without
synchronisation the two processes, trained on different prompts, would end with different weights."""
import json
import os
import socket
import subprocess
import sys

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _offline_env(**extra) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false", **extra)
    env.pop("DETOXLAB_DATA_DIR", None)  # the mini profile's embedded sample: the same data on every machine
    return env


@pytest.mark.slow
def test_two_cpu_processes_step_on_different_prompts_and_stay_in_sync(tmp_path):
    out = tmp_path / "ddp"
    command = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "--main_process_port", str(_free_port()),
               "-m", "detoxlab.train", "--profile", "mini", "--steps", "2", "--out", str(out), "--quiet"]
    # HF_HOME: a fresh one, so that no accelerate config file of the machine's user changes the launch
    env = _offline_env(ACCELERATE_USE_CPU="1", DETOXLAB_THREADS="1", HF_HOME=str(tmp_path / "hf"))
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    ranks = [json.loads((out / f"rank{rank}.json").read_text()) for rank in (0, 1)]

    for rank, record in enumerate(ranks):
        assert record["rank"] == rank and record["world_size"] == 2
        assert record["distributed_type"].endswith("MULTI_CPU") and record["backend"] == "gloo"
        assert [step["step"] for step in record["steps"]] == [1, 2]
        assert record["prompts_per_step"] == [16, 16]
    # each process saw its own share of the data
    for step in range(2):
        assert not set(ranks[0]["prompt_digests"][step]) & set(ranks[1]["prompt_digests"][step])
    # the same start, a changed policy, and the same weights on both processes afterwards
    assert ranks[0]["trainable_sha256_before"] == ranks[1]["trainable_sha256_before"]
    assert ranks[0]["trainable_sha256_after"] != ranks[0]["trainable_sha256_before"]
    assert ranks[0]["trainable_sha256_after"] == ranks[1]["trainable_sha256_after"]
    # trl's statistics are averaged over the processes, so the adaptive KL controller agrees
    assert [s["kl"] for s in ranks[0]["steps"]] == [s["kl"] for s in ranks[1]["steps"]]
    summary = json.loads((out / "train.json").read_text())
    assert summary["world_size"] == 2 and len(summary["steps"]) == 2


@pytest.mark.slow
def test_one_process_trains_without_a_launcher(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "detoxlab.train", "--profile", "mini", "--steps", "1",
                                "--out", str(tmp_path), "--quiet"], env=_offline_env(), capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    record = json.loads((tmp_path / "rank0.json").read_text())
    assert record["world_size"] == 1 and record["distributed_type"].endswith("NO")
    assert len(record["steps"]) == 1 and record["prompts_per_step"] == [16]
    assert record["trainable_sha256_after"] != record["trainable_sha256_before"]
    assert (tmp_path / "train.json").is_file() and not (tmp_path / "rank1.json").exists()


def test_bad_step_count_is_one_line(capsys, tmp_path, no_data_dir):
    from detoxlab import cli

    assert cli.main(["train", "--profile", "mini", "--steps", "0", "--out", str(tmp_path)]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "detoxlab: error: --steps must be at least 1\n"


def test_an_unknown_method_is_one_line_naming_the_methods(capsys, tmp_path, no_data_dir):
    from detoxlab import cli

    assert cli.main(["train", "--profile", "mini", "--method", "bogus", "--out", str(tmp_path)]) == cli.EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unknown method 'bogus'" in error and "faithful, corrected" in error
