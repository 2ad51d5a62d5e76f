"""A sandbox's notes: what a worker writes to sandbox.json, and the sandbox the batch rebuilds from them to
kill and remove what a worker that died left behind."""
import json
import os
import subprocess

import pytest

from detoxlab.grade.limits import Limits
from detoxlab.grade.processes import UID_RANGE
from detoxlab.grade.sandbox import Sandbox, running_as_root


def through_json(notes: dict) -> dict:
    return json.loads(json.dumps(notes))   # as the worker writes them and the batch reads them back


def test_notes_round_trip_and_the_rebuilt_sandbox_removes_the_folder(tmp_path):
    box = Sandbox(tmp_path, Limits(), isolate_user=False)
    notes = through_json(box.to_notes())
    assert notes == {"uid": os.getuid(), "token": box.token, "root": str(box.root), "isolate_user": False}

    rebuilt = Sandbox.from_notes(notes)

    assert (rebuilt.uid, rebuilt.gid, rebuilt.token, rebuilt.root, rebuilt.isolate_user) == \
           (box.uid, box.gid, box.token, box.root, box.isolate_user)
    assert rebuilt.kernel_pid is None and rebuilt.kernel_sid is None
    assert rebuilt.to_notes() == notes
    assert rebuilt.kill_all()
    rebuilt.cleanup()
    assert not box.root.exists()


def test_notes_of_a_sandbox_with_its_own_user_give_it_that_group():
    notes = {"uid": UID_RANGE[0] + 7, "token": "0" * 32, "root": "/nowhere/sandbox-0", "isolate_user": True}

    rebuilt = Sandbox.from_notes(through_json(notes))

    assert rebuilt.isolate_user is True and rebuilt.uid == rebuilt.gid == UID_RANGE[0] + 7
    assert rebuilt.to_notes() == notes


@pytest.mark.skipif(not running_as_root(), reason="a sandbox has a user id of its own only when the grader is root")
def test_a_sandbox_rebuilt_from_its_notes_kills_the_processes_of_its_user(tmp_path):
    box = Sandbox(tmp_path, Limits())

    def become():
        os.setgroups([])
        os.setgid(box.gid)
        os.setuid(box.uid)

    left = subprocess.Popen(["sleep", "120"], cwd="/", preexec_fn=become, start_new_session=True)
    try:
        rebuilt = Sandbox.from_notes(through_json(box.to_notes()))
        assert [p.pid for p in rebuilt.processes()] == [left.pid]
        assert rebuilt.kill_all()
        assert left.wait(timeout=10) == -9
        rebuilt.cleanup()
        assert not box.root.exists()
    finally:
        if left.poll() is None:
            left.kill()
            left.wait()
