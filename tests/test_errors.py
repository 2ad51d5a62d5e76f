"""One error type: its fields make the message, every known failure is one, and the CLI reports it in one line."""
import pytest

from detoxlab import cli
from detoxlab.errors import DetoxlabError
from detoxlab.profiles import ProfileError, load_profile


def test_the_message_is_built_from_the_fields():
    assert str(DetoxlabError("went wrong")) == "went wrong"
    error = DetoxlabError("ppo.batch_size must be int", key="ppo.batch_size", path="mini.toml", hint="see the schema")
    assert str(error) == "mini.toml: ppo.batch_size must be int (see the schema)"
    assert (error.key, error.path, error.hint, error.message) == ("ppo.batch_size", "mini.toml", "see the schema",
                                                                  "ppo.batch_size must be int")


def test_a_profile_error_carries_the_key_and_the_file():
    with pytest.raises(ProfileError) as caught:
        load_profile("mini", {"method.corrected.steps": "0"})
    assert (caught.value.key, caught.value.path) == ("method.corrected.steps", "mini.toml")
    assert str(caught.value) == "mini.toml: method.corrected.steps must be at least 1, got 0"
    assert isinstance(caught.value, ValueError)  # callers that caught ValueError still do


def test_an_adapter_mismatch_carries_its_differences():
    from detoxlab.models import AdapterMismatch

    error = AdapterMismatch({"r": (32, 8)}, path="/adapters/a", profile="mini")
    assert error.differences == {"r": (32, 8)} and error.path == "/adapters/a"
    assert str(error) == "adapter /adapters/a does not match profile mini: r: adapter has 32, profile says 8"


def test_every_known_failure_is_a_detoxlab_error():
    from detoxlab.assets import AssetError
    from detoxlab.bench import BenchError
    from detoxlab.data import DataSourceError
    from detoxlab.grade.batch import GradeError
    from detoxlab.models import AdapterMismatch
    from detoxlab.outputs import OutputDirError
    from detoxlab.run import RunError
    from detoxlab.student import SolutionMarkupError
    from detoxlab.train import TrainError

    for kind in (AssetError, BenchError, DataSourceError, GradeError, AdapterMismatch, OutputDirError, ProfileError,
                 RunError, SolutionMarkupError, TrainError):
        assert issubclass(kind, DetoxlabError), kind


def test_the_cli_reports_any_of_them_in_one_line(capsys, monkeypatch):
    from detoxlab import student
    from detoxlab.student import SolutionMarkupError

    def broken():
        raise SolutionMarkupError("unbalanced ### BEGIN SOLUTION / ### END SOLUTION", hint="in the cell beginning 'x'")

    monkeypatch.setattr(student, "make_student", broken)
    assert cli.main(["student"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == ("detoxlab: error: unbalanced ### BEGIN SOLUTION / ### END SOLUTION "
                                       "(in the cell beginning 'x')\n")
