"""detoxlab.grade.staging: the profile copy a sandbox gets, and how its files are placed."""
import os
import tomllib

import pytest

from detoxlab.grade import staging
from detoxlab.profiles import PROFILE_DIR


@pytest.mark.parametrize("name", ["mini", "full"])
def test_the_toml_writer_round_trips_the_shipped_profiles(name):
    raw = tomllib.loads((PROFILE_DIR / f"{name}.toml").read_text())
    assert tomllib.loads(staging._toml(raw)) == raw


def test_the_toml_writer_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="cannot write NoneType"):
        staging._toml({"key": None})


def test_large_files_readable_by_others_are_linked_small_ones_copied(tmp_path):
    large, small = tmp_path / "large", tmp_path / "small"
    large.write_bytes(b"x" * staging.LINK_MIN_BYTES)
    small.write_bytes(b"x")
    for path in (large, small):
        path.chmod(0o644)
    staging.link_or_copy(str(large), str(tmp_path / "large-staged"), may_link=True)
    staging.link_or_copy(str(small), str(tmp_path / "small-staged"), may_link=True)
    staging.link_or_copy(str(large), str(tmp_path / "large-copied"), may_link=False)
    assert os.stat(tmp_path / "large-staged").st_ino == os.stat(large).st_ino
    assert os.stat(tmp_path / "small-staged").st_ino != os.stat(small).st_ino
    assert os.stat(tmp_path / "large-copied").st_ino != os.stat(large).st_ino
    large.chmod(0o666)  # others could change it under the grader: copied, not linked
    staging.link_or_copy(str(large), str(tmp_path / "writable-staged"), may_link=True)
    assert os.stat(tmp_path / "writable-staged").st_ino != os.stat(large).st_ino


def test_the_staged_profile_skips_the_optional_experiment_and_keeps_the_rest(tmp_path):
    from detoxlab.grade.limits import Limits
    from detoxlab.grade.sandbox import Sandbox
    from detoxlab.profiles import load_profile

    mini = load_profile("mini")
    assert mini.ppo["experiment_kl_coef"] == 0.05
    tmp_path.chmod(0o711)
    box = Sandbox(tmp_path, Limits())
    try:
        staged = load_profile(str(staging.stage_profile(box, mini)))
        assert staged.ppo["experiment_kl_coef"] is None
        assert staged.ppo["batch_size"] == mini.ppo["batch_size"] and staged.method == mini.method
    finally:
        box.cleanup()
