"""detoxlab.grade.batch: a submission whose worker dies still gets a result."""
import json
from pathlib import Path
from types import SimpleNamespace

import checks
from detoxlab.grade import batch
from detoxlab.grade.limits import Limits

CORPUS = Path(__file__).parent / "grading_corpus"


def test_a_worker_that_dies_still_gets_its_submission_a_result(tmp_path, monkeypatch):

    dying = tmp_path / "dying-python"
    dying.write_text("#!/bin/sh\nkill -9 $$\n")
    dying.chmod(0o755)
    monkeypatch.setattr(batch, "sys", SimpleNamespace(executable=str(dying)))
    (tmp_path / "private").mkdir()
    (tmp_path / "reference.json").write_text("{}")
    row = batch.grade_one("s", CORPUS / "sys_exit.ipynb", tmp_path / "out" / "results.json", tmp_path / "private",
                          "mini", Limits(), tmp_path / "reference.json")
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    assert row["outcome"] == payload["extra_data"]["outcome"] == "grader-error"
    assert "signal 9" in payload["output"] and payload["score"] == 0
    assert len([t for t in payload["tests"] if t["visibility"] == "visible"]) == len(checks.all_checks())
