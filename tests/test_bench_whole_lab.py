"""The whole-lab and padding benches' inputs: the profile copy that points at the stand-ins, the summary
length the stand-in policy is given, and the lab-shaped batch."""
import shutil

import pytest

from detoxlab.bench import padding, whole_lab
from detoxlab.profiles import load_profile

STAND_INS = ("policy.base_model", "policy.adapter", "reward.model")


def test_profile_file_is_full_toml_with_the_stand_ins_locations(tmp_path):
    overrides = {key: str(tmp_path / key.replace(".", "-")) for key in STAND_INS} | {"policy.revision": ""}
    profile = load_profile(whole_lab._profile_file(tmp_path, overrides))
    full = load_profile("full")
    assert profile.name == "full"
    for dotted, value in overrides.items():
        section, key = dotted.split(".")
        assert getattr(profile, section)[key] == value
    assert profile.ppo == full.ppo and profile.method == full.method and profile.generation == full.generation


def test_profile_file_names_a_key_it_cannot_find(tmp_path):
    with pytest.raises(whole_lab.BenchError, match="policy.no_such_key"):
        whole_lab._profile_file(tmp_path, {"policy.no_such_key": "x"})


@pytest.mark.shared_data
@pytest.mark.slow  # nine rounds of sampled summaries from the mini stand-in
def test_stand_in_summaries_end_as_long_as_dialogsums(tmp_path, shared_data):
    """The mini stand-in policy, copied, is rewritten so that its sampled summaries are, on average, as long as
    DialogSum's reference summaries; the committed stand-in is not touched."""
    mini = load_profile("mini")
    copies = {}
    for key in ("base_model", "adapter"):
        copies[f"policy.{key}"] = str(shutil.copytree(mini.location(mini.policy[key]), tmp_path / key))
    profile = load_profile("mini", copies)
    measured = whole_lab.end_summaries_like(profile, shared_data, log=lambda *_: None)
    target = measured["target_mean_summary_tokens"]
    assert 20 < target < 50, target  # DialogSum's summaries in the stand-in's tokens (flan-t5's: about 36)
    assert measured["mean_summary_tokens"] == pytest.approx(target, rel=0.3), measured
    assert measured["bisection"][0]["mean_summary_tokens"] != measured["bisection"][1]["mean_summary_tokens"]


@pytest.mark.shared_data
def test_padding_bench_batch_has_the_lab_prompts_and_reference_lengths(shared_data, mini, tokenizer):
    queries, responses, rows = padding._lab_batch(mini, tokenizer, shared_data, 16, seed=0)
    kept = mini.data
    for query, response, row in zip(queries, responses, rows):
        assert kept["min_dialogue_chars"] < len(row["dialogue"]) <= kept["max_dialogue_chars"]
        assert query.tolist() == tokenizer.encode(kept["prompt_template"].format(dialogue=row["dialogue"]))
        assert len(response) == len(tokenizer(row["summary"]).input_ids) + 1  # T5's start token first
        assert response[0] == tokenizer.pad_token_id and response[-1] == tokenizer.eos_token_id
    assert len({len(query) for query in queries}) > 1 and len({len(response) for response in responses}) > 1


def test_cell_seconds_reads_papermills_times_of_slow_code_cells(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# a slow heading"),
                      nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nfor step in range(3):\n    pass"),
                      nbformat.v4.new_code_cell("x = 1"),
                      nbformat.v4.new_code_cell("y = 2"),
                      nbformat.v4.new_code_cell('graded["loop"] = checks.run("loop", globals())')]
    notebook.cells[0].metadata["papermill"] = {"duration": 50.0}
    notebook.cells[1].metadata["papermill"] = {"duration": 12.345}
    notebook.cells[2].metadata["papermill"] = {"duration": 0.2}
    notebook.cells[4].metadata["papermill"] = {"duration": 7.0}
    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook, str(path))
    assert whole_lab.cell_seconds(path) == [
        {"cell": 1, "first_line": "for step in range(3):", "seconds": 12.3, "checks": False},
        {"cell": 4, "first_line": 'graded["loop"] = checks.run("loop", globals())', "seconds": 7.0, "checks": True}]


def test_recorded_command_keeps_the_settings_not_the_out_dir():
    from detoxlab.run import parse_parameters

    assert whole_lab.command(parse_parameters([["ppo_steps", "10"]])) == \
        "python -m detoxlab.bench.whole_lab --out DIR -p ppo_steps 10"


def test_the_students_kernel_has_the_handout_and_no_answer_key(tmp_path):
    """--students-environment: a process started inside it (as papermill starts the kernel) imports the
    handout's detoxlab and checks, and cannot reach the answer key; outside it, the environment is as before."""
    import os
    import subprocess
    import sys

    before = {name: os.environ.get(name) for name in ("PYTHONPATH", "PYTHONSAFEPATH")}
    code = ("import checks, detoxlab\nfrom checks import bundle\n"
            "print(detoxlab.__file__, checks.__file__, bundle.answer_key_available())")
    with whole_lab.students_kernel(tmp_path) as handout:
        seen = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert seen.returncode == 0, seen.stderr[-2000:]
    detoxlab_file, checks_file, available = seen.stdout.split()
    assert detoxlab_file.startswith(str(handout)) and checks_file.startswith(str(handout))
    assert available == "False"
    assert {name: os.environ.get(name) for name in before} == before
    assert not (handout / "answer_key").exists()
