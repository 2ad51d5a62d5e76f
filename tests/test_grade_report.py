"""detoxlab.grade.report: the class report (report.html) built from fake results.json files, no grading."""
import base64
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from detoxlab.grade import report, results

CHROMIUM = Path("/usr/bin/chromium")
CHECKS = ("dataset sizes", "reward signs", "PPO step")
SHAPE_A = "build_dataset returned 90 rows for the train split; expected 100."
SHAPE_B = "the test split has a column 'summary' of type int; expected str."
EVIL = '<script>alert("x")</script>'


def _test(name, passed, output="fine"):
    return {"name": name, "score": 1.0 if passed else 0.0, "max_score": 1.0,
            "status": "passed" if passed else "failed", "output": output, "visibility": "visible"}


def _payload(name, tests, outcome="completed", output=None, staff=None, needs_staff=False, seconds=10.0):
    tests = list(tests) + [{"name": f"staff: {title}", "output": text, "visibility": "hidden"}
                           for title, text in (staff or {}).items()]
    score = sum(t["score"] for t in tests if "score" in t)
    passed = sum(1 for t in tests if t.get("status") == "passed")
    extra = {"max_score": 3.0, "outcome": outcome, "submission": name}
    if needs_staff:
        extra["needs_staff"] = True
    return {"score": score, "execution_time": seconds, "visibility": "visible", "stdout_visibility": "hidden",
            "output": output or f"{passed} of 3 checks passed ({score:g}/3).", "tests": tests, "extra_data": extra}


def _row(folder: Path, name: str, payload: dict | None, seconds: float) -> dict:
    path = folder / name / "results.json"
    if payload is None:  # graded row, but the file is gone
        return {"submission": name, "score": 1.0, "max_score": 3.0, "outcome": "completed", "seconds": seconds,
                "results": str(path), "tests": dict.fromkeys(CHECKS, 0.0)}
    results.write(path, payload)
    if "score" not in payload:
        return results.not_graded_row(name, payload, path)
    return {"submission": name, "score": payload["score"], "max_score": 3.0,
            "outcome": payload["extra_data"]["outcome"], "seconds": seconds, "results": str(path),
            "tests": {t["name"]: t["score"] for t in payload["tests"] if "score" in t}}


@pytest.fixture
def batch(tmp_path):
    """Eight submissions: full marks, three partial (two messages on one check, one of them twice), a cell
    timeout, a memory kill, a grader-error with no score, a missing results.json; one name holds <script>
    (and its results, marked for staff, hold HTML)."""
    ok = [_test(name, True) for name in CHECKS]
    rows = [
        _row(tmp_path, "alice", _payload("alice", ok, seconds=40), 40),
        _row(tmp_path, "bob", _payload("bob", [_test(CHECKS[0], False, SHAPE_A), *ok[1:]], seconds=55), 55),
        _row(tmp_path, "carol", _payload("carol", [_test(CHECKS[0], False, SHAPE_A), ok[1],
                                                   _test(CHECKS[2], False, "loss is NaN")], seconds=61), 61),
        _row(tmp_path, EVIL, _payload(EVIL, [_test(CHECKS[0], False, SHAPE_B), *ok[1:]],
                                      output="<b>bold</b> summary", needs_staff=True), 12),
        _row(tmp_path, "dave", _payload("dave", [_test(n, False, "not graded: timed out") for n in CHECKS],
                                        outcome="timeout-cell", output="A cell ran past 300 s (cell 7).",
                                        staff={"traceback": "TimeoutError in cell 7"}, seconds=900), 900),
        _row(tmp_path, "erin", _payload("erin", [ok[0], *[_test(n, False, "not graded: out of memory")
                                                          for n in CHECKS[1:]]],
                                        outcome="memory", output="The notebook ran out of memory (4096 MB).",
                                        seconds=120), 120),
        _row(tmp_path, "frank", results.not_graded("frank", "interrupted", "grading was interrupted (SIGTERM).",
                                                   3.0, {"interrupted": "SIGTERM reached the worker"}), 3.0),
        _row(tmp_path, "gina", None, 30),
    ]
    return tmp_path, rows


@pytest.fixture
def page(batch):
    folder, rows = batch
    path = report.write_report(folder / "report.html", rows)
    assert path == folder / "report.html"
    return path.read_text(encoding="utf-8")


def _section(page: str, title: str) -> str:
    """The HTML from heading ``title`` to the next h2."""
    start = page.index(f"<h2>{title}</h2>")
    end = page.find("<h2>", start + 4)
    return page[start: end if end > 0 else len(page)]


def _rows(section: str) -> list[str]:
    """Each table row's text, tags removed, entities decoded, spaces collapsed."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
            for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)]


def test_pass_rates_in_check_order(page):
    # graded with readable results: alice, bob, carol, EVIL, dave, erin (frank has no checks, gina no file)
    lines = _rows(_section(page, "Pass rate per check"))[1:]
    assert lines == ["dataset sizes 2 / 6 33%", "reward signs 4 / 6 67%", "PPO step 3 / 6 50%"]
    assert "1 submission(s) with results.json missing/unreadable are not counted" in page


def test_failure_messages_grouped_with_counts_and_names(page):
    failures = _section(page, "Most common failure messages")
    dataset = failures[failures.index("<h3>dataset sizes</h3>"): failures.index("<h3>reward signs</h3>")]
    lines = _rows(dataset)[1:]
    assert lines == [f"2 {SHAPE_A} bob, carol", f"1 {SHAPE_B} {EVIL}", "1 not graded: timed out dave"]
    ppo = failures[failures.index("<h3>PPO step</h3>"):]
    # ties keep the order in which the messages first appear
    assert _rows(ppo)[1:] == ["1 loss is NaN carol", "1 not graded: timed out dave", "1 not graded: out of memory erin"]


def test_top_messages_are_capped(batch):
    folder, rows = batch
    many = [_row(folder, f"s{k}", _payload(f"s{k}", [_test(CHECKS[0], False, f"message {k}")]), 1)
            for k in range(report.TOP_MESSAGES + 3)]
    page = report.render(rows + many)
    dataset = page[page.index("<h3>dataset sizes</h3>"): page.index("<h3>reward signs</h3>")]
    assert len(_rows(dataset)) == 1 + report.TOP_MESSAGES
    assert "and 6 other message(s)." in dataset   # 3 + TOP_MESSAGES + 3 distinct messages in all


def test_needs_staff_lists_abnormal_outcomes_flags_and_unreadable_results(page):
    lines = _rows(_section(page, "Needs staff"))[1:]
    names = [line.split()[0] for line in lines]
    assert names == [EVIL, "dave", "erin", "frank", "gina"]
    evil, dave, erin, frank, gina = lines
    assert evil == f"{EVIL} completed 2/3 <b>bold</b> summary"   # extra_data.needs_staff
    assert dave.startswith("dave timeout-cell 0/3 A cell ran past 300 s (cell 7).")
    assert "staff notes: traceback" in dave and "TimeoutError in cell 7" in dave
    assert erin.startswith("erin memory 1/3 The notebook ran out of memory (4096 MB).")
    assert frank.startswith("frank grader-error not graded Not graded: grading was interrupted (SIGTERM).")
    assert gina.startswith("gina completed 1/3 results.json missing/unreadable")
    # staff notes are never checks
    assert "staff: " not in _section(page, "Pass rate per check") + _section(page, "Most common failure messages")


def test_needs_staff_message_is_shortened(tmp_path):
    payload = _payload("long", [_test(n, False, "x") for n in CHECKS], outcome="kernel-died", output="y" * 5000)
    page = report.render([_row(tmp_path, "long", payload, 1)])
    assert "y" * report.STAFF_MESSAGE_CHARS not in page and "y" * (report.STAFF_MESSAGE_CHARS - 5) in page


def test_needs_staff_flag_in_extra_data(tmp_path):
    payload = _payload("flagged", [_test(n, True) for n in CHECKS], needs_staff=True)
    quiet = _payload("quiet", [_test(n, True) for n in CHECKS])
    page = report.render([_row(tmp_path, "flagged", payload, 1), _row(tmp_path, "quiet", quiet, 1)])
    assert [line.split()[0] for line in _rows(_section(page, "Needs staff"))[1:]] == ["flagged"]


def test_slowest_first(page):
    lines = _rows(_section(page, "Slowest submissions"))[1:]
    assert [line.split()[0] for line in lines[:4]] == ["dave", "erin", "carol", "bob"]
    assert lines[0] == "dave 900 timeout-cell 0/3"
    assert len(lines) == 8


def test_slowest_keeps_ten(tmp_path):
    rows = [_row(tmp_path, f"s{k:02d}", _payload(f"s{k:02d}", [_test(n, True) for n in CHECKS]), k)
            for k in range(15)]
    lines = _rows(_section(report.render(rows), "Slowest submissions"))[1:]
    assert [line.split()[0] for line in lines] == [f"s{k:02d}" for k in range(14, 4, -1)]


def test_score_summary_counts_not_graded_separately(page):
    scores = _section(page, "Score distribution")
    assert "7 graded" in scores and "1 with full marks" in scores
    assert "1 submission(s) not graded (no score), not in the plot" in scores


def test_every_student_string_is_escaped(page):
    assert "<script" not in page.lower()
    assert "<b>bold" not in page
    assert html.escape(EVIL) in page
    assert page.count(html.escape(EVIL)) == 3   # failure messages, needs staff, slowest


def test_self_contained(page):
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|iframe|object)\b", page, re.I)
    assert "Content-Security-Policy" in page
    images = re.findall(r'src="([^"]*)"', page)
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")
    png = base64.b64decode(images[0].split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2_000


def test_unreadable_and_odd_results_do_not_crash(tmp_path):
    broken = tmp_path / "broken" / "results.json"
    broken.parent.mkdir()
    broken.write_text("{ not json")
    odd = tmp_path / "odd" / "results.json"
    odd.parent.mkdir()
    odd.write_text(json.dumps({"tests": ["not a dict", {"name": "dataset sizes", "score": 1, "max_score": 1}]}))
    listed = tmp_path / "listed" / "results.json"
    listed.parent.mkdir()
    listed.write_text("[1, 2]")
    rows = [{"submission": name, "score": 1.0, "max_score": 1.0, "outcome": "completed", "seconds": 1.0,
             "results": str(path), "tests": {}} for name, path in (("broken", broken), ("odd", odd),
                                                                      ("listed", listed))]
    page = report.render(rows)
    staff = _rows(_section(page, "Needs staff"))[1:]
    assert [line.split()[0] for line in staff] == ["broken", "listed"]
    assert all("results.json missing/unreadable" in line for line in staff)
    assert _rows(_section(page, "Pass rate per check"))[1:] == ["dataset sizes 1 / 1 100%"]


def test_empty_and_all_not_graded_batches(tmp_path):
    assert "No check results." in report.render([])
    row = _row(tmp_path, "x", results.not_graded("x", "grader-setup", "no grader."), 0)
    page = report.render([row])
    assert "0 graded" in page and "data:image/png;base64," in page


@pytest.mark.slow
def test_report_renders_in_headless_chromium(page, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: no browser to open report.html in")
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    shot = tmp_path / "shot.png"
    profile = tmp_path / "chromium-profile"
    try:
        subprocess.run([str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,1600",
                        (tmp_path / "report.html").resolve().as_uri()],
                       capture_output=True, timeout=60, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
