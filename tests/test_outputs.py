"""detoxlab.outputs: an output directory is made and proven writable before any work."""
import pytest

from detoxlab.outputs import OutputDirError, writable_dir


def test_a_new_directory_is_made_and_left_empty(tmp_path):
    out = writable_dir(tmp_path / "a" / "b")
    assert out.is_dir() and not list(out.iterdir())


def test_a_file_in_the_way_is_one_line_naming_the_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputDirError) as error:
        writable_dir(blocker / "out")
    assert str(blocker / "out") in error.value.describe() and "\n" not in error.value.describe()
