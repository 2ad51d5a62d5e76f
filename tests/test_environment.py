"""detoxlab.environment: the notebook's package report against the lab's pins, and time limits from the
environment."""
import pytest

from detoxlab import environment


def pins(tmp_path, text):
    path = tmp_path / "requirements.in"
    path.write_text(text)
    return path


def test_the_project_pins_every_lab_package_and_this_environment_matches_them():
    assert set(environment.LAB_PACKAGES) <= set(environment.pinned())
    assert all(row["status"] == "ok" for row in environment.report())


def test_a_package_outside_its_pin_is_a_mismatch_and_a_comment_or_option_is_no_pin(tmp_path):
    path = pins(tmp_path, "# the lab's pins\n--index-url https://example.invalid\nnumpy==0.0.1  # far too old\n")
    assert list(environment.pinned(path)) == ["numpy"]
    [row] = environment.report(("numpy",), path)
    assert row["status"] == "MISMATCH" and not row["ok"] and row["pinned"] == "==0.0.1"


def test_a_package_within_its_pin_or_unpinned_is_ok_and_an_absent_one_is_missing(tmp_path):
    path = pins(tmp_path, "numpy>=1\n")
    rows = environment.report(("numpy", "packaging", "no-such-package-here"), path)
    assert [(row["status"], row["ok"]) for row in rows] == [("ok", True), ("ok", True), ("missing", False)]


def test_without_requirements_in_the_pins_are_unknown_not_ok(tmp_path, capsys):
    absent = tmp_path / "requirements.in"
    assert environment.pinned(absent) is None
    rows = environment.report(("numpy", "no-such-package-here"), absent)
    assert [(row["status"], row["pinned"], row["ok"]) for row in rows] == [("unknown", "unknown", False),
                                                                          ("missing", "unknown", False)]
    assert environment.print_report(("numpy",), absent) is False
    out = capsys.readouterr().out
    assert "unknown" in out and f"{absent} not found" in out and "WARNING" not in out and " ok" not in out


def test_print_report_warns_about_a_mismatch(tmp_path, capsys):
    assert environment.print_report(("numpy",), pins(tmp_path, "numpy==0.0.1\n")) is False
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "WARNING: numpy differ" in out


@pytest.mark.parametrize("value, expected", [(None, 7.0), ("", 7.0), ("2.5", 2.5)])
def test_seconds_from_env(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("DETOXLAB_TEST_SECONDS", raising=False)
    else:
        monkeypatch.setenv("DETOXLAB_TEST_SECONDS", value)
    assert environment.seconds_from_env("DETOXLAB_TEST_SECONDS", 7) == expected


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_seconds_from_env_refuses_what_is_not_a_positive_number(monkeypatch, value):
    monkeypatch.setenv("DETOXLAB_TEST_SECONDS", value)
    with pytest.raises(ValueError, match="DETOXLAB_TEST_SECONDS must be a positive number"):
        environment.seconds_from_env("DETOXLAB_TEST_SECONDS", 7)
