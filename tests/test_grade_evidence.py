"""detoxlab.grade.evidence: only the grader cell's own tagged line counts, and every check is judged or
says why it was not."""
import json

import checks
from checks.resources import Resources
from detoxlab.grade import evidence


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_evidence_needs_the_nonce_exactly_once():
    nonce = evidence.new_nonce()
    good = nonce + json.dumps({"evidence": {"dataset": {"train": 1}}})
    assert evidence.parse([_stream("noise\n" + good + "\n")], nonce)[0]["evidence"]["dataset"] == {"train": 1}
    other = evidence.new_nonce() + json.dumps({"evidence": {}})
    assert evidence.parse([_stream(other)], nonce)[0] is None
    payload, problem = evidence.parse([_stream(good + "\n" + good)], nonce)
    assert payload is None and "tampered" in problem
    assert evidence.parse([{"output_type": "stream", "name": "stderr", "text": good}], nonce)[0] is None


def test_every_check_is_judged_or_says_why_it_was_not(mini):
    drawn = {"change": {"before": [0.5, 0.5], "after": [0.25, 0.25]}}
    payload = {"evidence": {"change": {"change": -50.0}}, "problems": {"reward": "NameError: reward_fn"}}
    results = {r.name: r for r in evidence.grade(payload, "", drawn, Resources(mini))}
    assert len(results) == len(checks.all_checks()) and results["signed change"].passed
    assert not results["reward signs"].passed and "NameError: reward_fn" in results["reward signs"].message
    assert "not graded: no evidence" in results["dataset sizes"].message
    dead = {r.name: r for r in evidence.grade(None, "the kernel died", drawn, Resources(mini))}
    assert all(not r.passed and "the kernel died" in r.message for r in dead.values())
