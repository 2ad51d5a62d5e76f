"""The CLI is a thin layer: each command reaches its function, and known failures are one line."""
import pytest

from detoxlab import assets, cli
from detoxlab.standin import build


def test_profiles_lists_both(capsys):
    assert cli.main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("full: ") and "\nmini: " in out


def test_profile_shown_as_data(capsys):
    assert cli.main(["profiles", "full"]) == 0
    assert '"base_model": "google/flan-t5-base"' in capsys.readouterr().out


def test_data_says_which_source_it_used(capsys, no_data_dir):
    assert cli.main(["data"]) == 0
    out = capsys.readouterr().out
    assert "DialogSum from embedded" in out and "train: 96 prompts, test: 24 prompts" in out


def test_assets_verify_passes_on_the_committed_stand_ins(capsys):
    assert cli.main(["assets", "verify", "--no-load"]) == 0
    assert "every file matches MANIFEST.json" in capsys.readouterr().out


def test_assets_verify_names_a_broken_directory(capsys, tmp_path):
    assert cli.main(["assets", "verify", "--dir", str(tmp_path)]) == 1
    assert f"{tmp_path}/MANIFEST.json: manifest missing" in capsys.readouterr().err


def test_building_an_unknown_part_is_refused():
    with pytest.raises(assets.AssetError, match="unknown part"):
        build.build_stand_ins(parts=("tokenizer",))


def test_building_without_the_data_names_the_variable(monkeypatch):
    monkeypatch.delenv("DETOXLAB_DATA_DIR", raising=False)
    with pytest.raises(assets.AssetError, match="set DETOXLAB_DATA_DIR"):
        build.build_stand_ins()


@pytest.mark.parametrize("command", [["run"], ["study", "--seeds", "1"], ["bench", "--profile", "mini"],
                                     ["grade", "solutions/detox_lab.ipynb"], ["train"]])
def test_an_unwritable_output_directory_is_one_line_before_any_work(capsys, tmp_path, no_data_dir, command):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    status = cli.main([*command, "--out", str(blocker / "out")])
    err = capsys.readouterr().err
    assert status == cli.EXIT_USAGE, err
    assert err.startswith("detoxlab: error: cannot write to output directory") and err.count("\n") == 1, err
