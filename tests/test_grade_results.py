"""detoxlab.grade.results: Gradescope-shaped, size-capped, private results files."""
import json
import stat

from checks import CheckResult
from detoxlab.grade import results


def test_cap_keeps_both_ends_and_the_limit():
    text = "start " + "x" * 10_000 + " end"
    capped = results.cap(text, 500)
    assert len(capped) <= 500 and capped.startswith("start") and capped.endswith("end") and "cut" in capped
    assert results.cap("short", 500) == "short"


def test_results_are_gradescope_shaped_and_private(tmp_path):
    checks_ = [CheckResult("a", True, 1.0, 1.0, "fine"), CheckResult("b", False, 0.0, 1.0, "y" * 50_000)]
    payload = results.build(checks_, results.Outcome("timeout-cell", "timed out after 5 s in cell 3.",
                                                     {"traceback": "z" * 50_000}, 7.25))
    assert payload["score"] == 1.0 and payload["execution_time"] == 7.2
    assert payload["output"].startswith("timed out after 5 s in cell 3.")
    visible = [t for t in payload["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in payload["tests"] if t["visibility"] == "hidden"]
    assert [t["status"] for t in visible] == ["passed", "failed"]
    assert hidden and all("score" not in t for t in hidden)
    path = results.write(tmp_path / "r" / "results.json", payload)
    assert json.loads(path.read_text()) == payload
    assert path.stat().st_size < 20_000
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_each_check_is_numbered_by_its_notebook_section():
    import checks

    payload = results.build([CheckResult(check.title, True, 1.0, 1.0, "ok")
                             for check in checks.all_checks()], results.Outcome())
    numbers = [t["number"] for t in payload["tests"] if t["visibility"] == "visible"]
    assert numbers == [check.section for check in checks.all_checks()]
    assert "3.3" in numbers and all(n[0] in "23" for n in numbers)
